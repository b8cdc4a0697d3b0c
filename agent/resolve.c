/* SPDX-License-Identifier: ISC */
/*
 * resolve: for every challenge, the chain to its effective name (chain.c),
 * the zone that holds it (which must have a [zone] section), the zone's
 * primary (server =, else SOA MNAME, RFC 2136 4) and its authoritative
 * addresses (nameservers =, else the NS set); challenges grouped by zone.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "chain.h"
#include "challenge.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "failure.h"
#include "msg.h"
#include "plan.h"
#include "query.h"
#include "report.h"
#include "resolve.h"
#include "stub.h"
#include "zones.h"

/* One resolve_plan call: what every step reads. */
struct resolver_run {
	const struct ctx	*ctx;
	const struct config	*cfg;
	struct zone_cache	 cache;
	struct failure		*f;
};

/* F names zone Z and the config for the fix. */
static void
zone_failed(struct resolver_run *r, const struct zone_target *z,
    enum failure_cause cause)
{
	r->f->cause = cause;
	r->f->config_path = r->cfg->path;
	failure_set(&r->f->zone, r->f, z->apex);
	failure_set(&r->f->host, r->f, z->primary_name);
}

/* The zone's SOA MNAME from the resolvers (the zone exists). */
static int
soa_mname(struct resolver_run *r, struct zone_target *z)
{
	const ldns_rr	*soa;
	ldns_pkt	*p;

	if ((p = stub_ask(r->ctx, z->apex, LDNS_RR_TYPE_SOA, r->f)) == NULL)
		return -1;
	soa = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA, z->apex);
	if (soa != NULL && ldns_rr_rd_count(soa) > 0)
		z->primary_name = dname_from_rdf(ldns_rr_rdf(soa, 0));
	if (z->primary_name == NULL) {
		r->f->reason = REASON_RESOLVER_NO_SOA;
		failure_set(&r->f->rqname, r->f, z->apex);
	}
	ldns_pkt_free(p);
	return z->primary_name != NULL ? 0 : -1;
}

/* The primary: server = (address or name), else the SOA MNAME. */
static enum resolve_status
primary_find(struct resolver_run *r, struct zone_target *z)
{
	const struct zone_conf	*zc = z->conf;
	uint16_t		 port = r->ctx->port;

	if (zc->server_addr != NULL) {
		free(z->primary_name);
		if ((z->primary_name = strdup(zc->server)) == NULL ||
		    (z->primaries = malloc(sizeof(*z->primaries))) == NULL)
			return RESOLVE_ERR_NOMEM;
		z->primaries[0] = *zc->server_addr;
		z->n_primaries = 1;
		return RESOLVE_OK;
	}
	if (zc->server_host != NULL) {
		free(z->primary_name);
		if ((z->primary_name = strdup(zc->server_host)) == NULL)
			return RESOLVE_ERR_NOMEM;
		port = zc->server_port;
	} else if (z->primary_name == NULL && soa_mname(r, z) == -1) {
		zone_failed(r, z, FAIL_PRIMARY_UNKNOWN);
		return RESOLVE_ERR_DNS;
	}
	if (stub_addresses(r->ctx, z->primary_name, port, &z->primaries,
	    &z->n_primaries, r->f) == -1) {
		zone_failed(r, z, FAIL_PRIMARY_NO_ADDRESS);
		return RESOLVE_ERR_DNS;
	}
	return RESOLVE_OK;
}

/* Is P an authoritative NOERROR answer holding the SOA of APEX? */
static int
soa_authoritative(const ldns_pkt *p, const char *apex)
{
	return ldns_pkt_aa(p) && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR &&
	    query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA, apex) != NULL;
}

/* Notes in F why the primary's answer Q does not do. */
static void
soa_failed(struct failure *f, const struct question *q)
{
	failure_server(f, q->server);
	if (q->reply == NULL) {
		f->reason = REASON_TRANSPORT;
		f->io_status = q->status;
		f->io_errno = q->err;
	} else if (ldns_pkt_get_rcode(q->reply) != LDNS_RCODE_NOERROR) {
		f->reason = REASON_RCODE;
		f->rcode = ldns_pkt_get_rcode(q->reply);
	} else if (!ldns_pkt_aa(q->reply)) {
		f->reason = REASON_NOT_AUTH;
	} else {
		f->reason = REASON_NO_SOA;
	}
}

/*
 * RFC 2136 4: UPDATEs go to the primary. Keeps the primary's addresses
 * that answer for the zone with authority; fails if none does.
 */
static enum resolve_status
primary_confirm(struct resolver_run *r, struct zone_target *z)
{
	struct question		*q;
	struct dnsio_opts	 o;
	size_t			 kept = 0;
	int			 answered = 0;

	if ((q = calloc(z->n_primaries, sizeof(*q))) == NULL)
		return RESOLVE_ERR_NOMEM;
	for (size_t i = 0; i < z->n_primaries; i++) {
		q[i].name = z->apex;
		q[i].type = LDNS_RR_TYPE_SOA;
		q[i].server = &z->primaries[i];
	}
	ctx_io_opts(r->ctx, &o);
	if (query_run(q, z->n_primaries, &o) == -1) {
		free(q);
		return RESOLVE_ERR_NOMEM;
	}
	for (size_t i = 0; i < z->n_primaries; i++) {
		if (q[i].reply != NULL &&
		    soa_authoritative(q[i].reply, z->apex)) {
			z->primaries[kept++] = z->primaries[i];
		} else {
			soa_failed(r->f, &q[i]);
			answered |= q[i].reply != NULL;
		}
		question_clear(&q[i]);
	}
	free(q);
	z->n_primaries = kept;
	if (kept > 0)
		return RESOLVE_OK;
	zone_failed(r, z, answered ? FAIL_PRIMARY_NOT_SERVING :
	    FAIL_PRIMARY_SILENT);
	return RESOLVE_ERR_DNS;
}

/* The authoritative set: nameservers = if set, else the NS set of the walk. */
static enum resolve_status
auths_find(struct resolver_run *r, struct zone_target *z)
{
	const struct zone_servers	*zs = zones_get(&r->cache, z->apex);
	const struct dns_server		*from = z->primaries;
	size_t				 n = z->n_primaries;
	struct failure			 ignored;

	/*
	 * A zone placed by a hint (an earlier run's output, the journal) was
	 * not walked to: its NS set is looked up here, so that a removal
	 * that waits (--wait) waits for every server. Without an answer, the
	 * primary stands for them, as before.
	 */
	if (zs == NULL && z->conf->n_nameservers == 0) {
		failure_init(&ignored);
		zs = zones_find(r->ctx, r->cfg, &r->cache, z->apex, &ignored);
		failure_clear(&ignored);
	}
	if (z->conf->n_nameservers > 0) {
		from = z->conf->nameservers;
		n = z->conf->n_nameservers;
	} else if (zs != NULL) {
		from = zs->addrs;
		n = zs->n;
	}
	if (n == 0) {
		zone_failed(r, z, FAIL_NO_AUTHS);
		return RESOLVE_ERR_CONFIG;
	}
	if ((z->auths = calloc(n, sizeof(*z->auths))) == NULL)
		return RESOLVE_ERR_NOMEM;
	memcpy(z->auths, from, n * sizeof(*z->auths));
	z->n_auths = n;
	return RESOLVE_OK;
}

/* F's subject: challenge C. */
static void
challenge_failed(struct resolver_run *r, const struct challenge *c)
{
	failure_subject(r->f, c->name, c->effective, 0);
	r->f->config_path = r->cfg->path;
}

/*
 * The chain ends in a zone; a [zone] section for exactly that zone must exist.
 */
static const struct zone_conf *
zone_conf_exact(struct resolver_run *r, const struct challenge *c,
    const struct chain *ch)
{
	const char		*zone = ch->zones[ch->n - 1];
	const struct zone_conf	*zc = config_zone_exact(r->cfg, zone);
	const struct zone_conf	*other;

	if (zc != NULL)
		return zc;
	challenge_failed(r, c);
	failure_set(&r->f->zone, r->f, zone);
	free(r->f->detail);
	r->f->detail = chain_text(ch);
	if ((other = config_zone_for(r->cfg, c->effective)) != NULL) {
		r->f->cause = FAIL_ZONE_OTHER_SECTION;
		failure_set(&r->f->other_zone, r->f, other->name);
		r->f->line = other->line;
	} else {
		r->f->cause = FAIL_ZONE_NOT_CONFIGURED;
	}
	return NULL;
}

static void
report_chain(const struct challenge *c, const struct chain *ch)
{
	const char	*zone = ch->zones[ch->n - 1];
	char		*text = chain_text(ch);

	if (ch->wildcard_cut)
		msg_warn("%.*s: the CNAME at %.*s to %.*s comes from a "
		    "wildcard; writing the TXT at %.*s in zone %s instead "
		    "(once it exists the wildcard no longer applies there, "
		    "for the CA too)", DNAME_BARE(c->name),
		    DNAME_BARE(c->effective), DNAME_BARE(ch->wildcard_target),
		    DNAME_BARE(c->effective), zone);
	msg_verbose("%.*s: chain %s, zone %s", DNAME_BARE(c->name),
	    text != NULL ? text : "?", zone);
	free(text);
}

/* Puts challenge IDX into ZC's target of PLAN (found in zone APEX). */
static enum resolve_status
plan_place(struct zone_plan *plan, struct challenge *c, size_t idx,
    const struct zone_conf *zc, const char *mname)
{
	struct zone_target	*z;

	free(c->zone_name);
	c->zone = zc;
	if ((c->zone_name = strdup(zc->name)) == NULL ||
	    (z = plan_target(plan, zc, zc->name)) == NULL ||
	    plan_add_member(z, idx) == -1)
		return RESOLVE_ERR_NOMEM;
	if (z->primary_name == NULL && mname != NULL &&
	    (z->primary_name = strdup(mname)) == NULL)
		return RESOLVE_ERR_NOMEM;
	return RESOLVE_OK;
}

/*
 * A hint from an earlier run (certbot's auth output) names a zone with a
 * [zone] section of its own that holds the effective name, or is no use.
 */
static const struct zone_conf *
hint_zone(const struct config *cfg, const struct challenge *c)
{
	const struct zone_conf	*zc;

	if (c->zone_hint == NULL)
		return NULL;
	zc = config_zone_for(cfg, c->effective);
	return zc != NULL && dname_equal(zc->name, c->zone_hint) ? zc : NULL;
}

/* An earlier challenge with the same name, already placed, or NULL. */
static const struct challenge *
placed_twin(const struct challenge_list *l, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (l->items[j].zone != NULL &&
		    dname_equal(l->items[j].name, l->items[i].name))
			return &l->items[j];
	return NULL;
}

/* Follows challenge I's chain and places it in its zone's target. */
static enum resolve_status
plan_follow(struct resolver_run *r, struct challenge_list *l, size_t i,
    struct zone_plan *plan)
{
	struct challenge	*c = &l->items[i];
	const struct zone_conf	*zc;
	enum resolve_status	 st;
	enum chain_status	 cs;
	struct chain		 ch;

	cs = chain_follow(r->ctx, r->cfg, &r->cache, c->name, &ch, r->f);
	if (cs != CHAIN_OK) {
		challenge_failed(r, c);
		/* Most often the name is simply not one of ours: say so too. */
		r->f->uncovered = config_zone_for(r->cfg, c->name) == NULL;
		st = cs == CHAIN_ERR_NOMEM ? RESOLVE_ERR_NOMEM :
		    RESOLVE_ERR_DNS;
	} else if (challenge_set_effective(c, ch.names[ch.n - 1]) == -1) {
		st = RESOLVE_ERR_NOMEM;
	} else if ((zc = zone_conf_exact(r, c, &ch)) == NULL) {
		st = RESOLVE_ERR_CONFIG;
	} else {
		report_chain(c, &ch);
		st = plan_place(plan, c, i, zc, ch.mname);
	}
	chain_free(&ch);
	return st;
}

/*
 * DESIGN.md: what a client hands back from an earlier call (certbot's
 * CERTBOT_AUTH_OUTPUT) is a hint, never a way to pick another name. The
 * chain from the challenge name is followed again and the hint used only
 * where it agrees; when the chain cannot be followed now, only where it
 * names the challenge name itself (no CNAME to trust it about).
 */
static enum resolve_status
plan_hinted(struct resolver_run *r, struct challenge_list *l, size_t i,
    struct zone_plan *plan)
{
	struct challenge	*c = &l->items[i];
	const struct zone_conf	*zc = hint_zone(r->cfg, c);
	char			*hint = c->effective;
	enum resolve_status	 st;

	if ((c->effective = strdup(c->name)) == NULL) {
		c->effective = hint;
		return RESOLVE_ERR_NOMEM;
	}
	st = plan_follow(r, l, i, plan);
	if (st == RESOLVE_OK && !dname_equal(c->effective, hint)) {
		failure_clear(r->f);
		r->f->cause = FAIL_HINT_MISMATCH;
		failure_subject(r->f, c->name, c->effective, 0);
		failure_set(&r->f->detail, r->f, hint);
		st = RESOLVE_ERR_DNS;
	} else if (st == RESOLVE_OK) {
		msg_verbose("%s: zone %s, as the earlier run found it",
		    c->effective, c->zone_name);
	} else if (st == RESOLVE_ERR_DNS && zc != NULL &&
	    dname_equal(hint, c->name)) {
		report_warning(r->f, "using the earlier run's result, the "
		    "challenge name itself");
		failure_clear(r->f);
		st = plan_place(plan, c, i, zc, NULL);
	}
	free(hint);
	return st;
}

/* Groups the challenges by zone, following each chain once. */
static enum resolve_status
plan_group(struct resolver_run *r, struct challenge_list *l,
    struct zone_plan *plan)
{
	enum resolve_status	 st = RESOLVE_OK;

	for (size_t i = 0; i < l->n && st == RESOLVE_OK; i++) {
		struct challenge	*c = &l->items[i];
		const struct challenge	*twin;
		const struct zone_conf	*zc;

		if (c->zone_hint != NULL && c->hint_ours &&
		    (zc = hint_zone(r->cfg, c)) != NULL) {
			/* Our own record: where the value was written. */
			st = plan_place(plan, c, i, zc, NULL);
		} else if (c->zone_hint != NULL) {
			st = plan_hinted(r, l, i, plan);
		} else if ((twin = placed_twin(l, i)) != NULL) {
			/* A wildcard and its base: one chain. */
			st = challenge_set_effective(c, twin->effective) == -1 ?
			    RESOLVE_ERR_NOMEM :
			    plan_place(plan, c, i, twin->zone, NULL);
		} else {
			st = plan_follow(r, l, i, plan);
		}
	}
	return st;
}

static void
report_zone(const struct zone_target *z)
{
	char	*list = NULL;
	size_t	 len = 0;
	FILE	*o;

	if (msg_verbosity < 2 || (o = open_memstream(&list, &len)) == NULL)
		return;
	for (size_t i = 0; i < z->n_auths; i++)
		fprintf(o, "%s%s", i > 0 ? ", " : "", z->auths[i].text);
	if (fclose(o) == 0)
		msg_verbose("zone %s: primary %s (%s); authoritative: %s",
		    z->apex, z->primary_name, z->primaries[0].text, list);
	free(list);
}

enum resolve_status
resolve_plan(const struct ctx *ctx, const struct config *cfg,
    struct challenge_list *l, struct zone_plan *plan, struct failure *f)
{
	struct resolver_run	 r = { .ctx = ctx, .cfg = cfg, .f = f };
	enum resolve_status	 st;

	memset(plan, 0, sizeof(*plan));
	if ((st = plan_group(&r, l, plan)) != RESOLVE_OK)
		goto out;
	for (size_t i = 0; i < plan->n; i++) {
		struct zone_target	*z = &plan->zones[i];

		if ((st = primary_find(&r, z)) != RESOLVE_OK ||
		    (st = primary_confirm(&r, z)) != RESOLVE_OK ||
		    (st = auths_find(&r, z)) != RESOLVE_OK)
			goto out;
		report_zone(z);
	}
out:
	if (st == RESOLVE_ERR_NOMEM)
		f->cause = FAIL_NOMEM;
	if (st != RESOLVE_OK)
		zone_plan_free(plan);
	zones_free(&r.cache);
	return st;
}
