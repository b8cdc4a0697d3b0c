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
#include <strings.h>

#include <ldns/ldns.h>

#include "chain.h"
#include "challenge.h"
#include "clock.h"
#include "config.h"
#include "dnsio.h"
#include "msg.h"
#include "query.h"
#include "resolve.h"
#include "stub.h"

int
run_ctx_init(struct run_ctx *ctx, const struct config *cfg,
    const char *config_path, char *err, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->config_path = config_path;
	ctx->deadline = clock_now_ms() + (int64_t)cfg->timeout * 1000;
	/* config_load fills resolvers; setup may run without a config. */
	if (cfg->n_resolvers == 0)
		return config_resolv_conf(&ctx->resolvers, &ctx->n_resolvers,
		    err, errlen);
	if ((ctx->resolvers = calloc(cfg->n_resolvers,
	    sizeof(*ctx->resolvers))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(ctx->resolvers, cfg->resolvers,
	    cfg->n_resolvers * sizeof(*ctx->resolvers));
	ctx->n_resolvers = cfg->n_resolvers;
	return 0;
}

void
run_ctx_free(struct run_ctx *ctx)
{
	free(ctx->resolvers);
	ctx->resolvers = NULL;
	ctx->n_resolvers = 0;
}

void
run_ctx_io_opts(const struct run_ctx *ctx, struct dnsio_opts *o)
{
	dnsio_opts_default(o);
	o->total_ms = clock_left_ms(ctx->deadline);
	if (o->total_ms == 0)
		o->total_ms = 1;
}

/* The zone's SOA MNAME from the resolvers (the zone exists). */
static int
soa_mname(const struct run_ctx *ctx, struct zone_target *z, char *why,
    size_t whylen)
{
	const ldns_rr *soa = NULL;
	ldns_pkt *p;

	stub_ask(ctx, z->apex, LDNS_RR_TYPE_SOA, &p, why, whylen);
	if (p == NULL)
		return -1;
	soa = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA, z->apex);
	if (soa != NULL && ldns_rr_rd_count(soa) > 0)
		z->primary_name = ldns_rdf2str(ldns_rr_rdf(soa, 0));
	else
		snprintf(why, whylen, "the resolvers return no SOA for %s",
		    z->apex);
	ldns_pkt_free(p);
	return z->primary_name != NULL ? 0 : -1;
}

/* The primary: server = (address or name), else the SOA MNAME. */
static enum resolve_status
primary_find(const struct run_ctx *ctx, struct zone_target *z, char *err,
    size_t errlen)
{
	const char *server = z->conf->server;
	uint16_t port = ctx->cfg->port;
	char host[256], why[512] = "";
	int apexlen = (int)strlen(z->apex) - 1;

	if (server != NULL) {
		free(z->primary_name);
		if ((z->primary_name = strdup(server)) == NULL)
			return RESOLVE_ERR_NOMEM;
		if (z->conf->server_addr != NULL) {
			if ((z->primaries = calloc(1,
			    sizeof(*z->primaries))) == NULL)
				return RESOLVE_ERR_NOMEM;
			z->primaries[0] = *z->conf->server_addr;
			z->n_primaries = 1;
			return RESOLVE_OK;
		}
		snprintf(host, sizeof(host), "%s", z->conf->server_host);
		port = z->conf->server_port;
	} else if (z->primary_name != NULL) {
		snprintf(host, sizeof(host), "%s", z->primary_name);
	} else if (soa_mname(ctx, z, why, sizeof(why)) == 0) {
		snprintf(host, sizeof(host), "%s", z->primary_name);
	} else {
		snprintf(err, errlen, "zone %s: cannot find its primary (%s); "
		    "set server = in [zone %.*s] of %s", z->apex, why, apexlen,
		    z->apex, ctx->config_path);
		return RESOLVE_ERR_DNS;
	}
	if (stub_addresses(ctx, host, port, &z->primaries, &z->n_primaries,
	    why, sizeof(why)) == -1) {
		snprintf(err, errlen,
		    "zone %s: cannot find the address of its "
		    "primary %s (%s); set server = to an address in [zone "
		    "%.*s] "
		    "of %s",
		    z->apex, host, why, apexlen, z->apex, ctx->config_path);
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

static void
soa_failure(const struct question *q, char *why, size_t whylen)
{
	if (q->reply == NULL)
		snprintf(why, whylen, "%s", question_failure(q));
	else if (ldns_pkt_get_rcode(q->reply) != LDNS_RCODE_NOERROR)
		snprintf(why, whylen, "%s",
		    query_rcode_name(ldns_pkt_get_rcode(q->reply)));
	else if (!ldns_pkt_aa(q->reply))
		snprintf(why, whylen, "answer not authoritative");
	else
		snprintf(why, whylen, "no SOA at the zone's apex");
}

/*
 * RFC 2136 4: UPDATEs go to the primary. Keeps the primary's addresses
 * that answer for the zone with authority; fails if none does.
 */
static enum resolve_status
primary_confirm(const struct run_ctx *ctx, struct zone_target *z, char *err,
    size_t errlen)
{
	struct question *q;
	struct dnsio_opts o;
	size_t kept = 0;
	char why[256] = "";
	const char *where = "";
	int answered = 0;

	if ((q = calloc(z->n_primaries, sizeof(*q))) == NULL)
		return RESOLVE_ERR_NOMEM;
	for (size_t i = 0; i < z->n_primaries; i++) {
		q[i].name = z->apex;
		q[i].type = LDNS_RR_TYPE_SOA;
		q[i].server = &z->primaries[i];
	}
	run_ctx_io_opts(ctx, &o);
	if (query_run(q, z->n_primaries, &o) == -1) {
		free(q);
		return RESOLVE_ERR_NOMEM;
	}
	for (size_t i = 0; i < z->n_primaries; i++) {
		if (q[i].reply != NULL &&
		    soa_authoritative(q[i].reply, z->apex)) {
			z->primaries[kept++] = z->primaries[i];
		} else {
			soa_failure(&q[i], why, sizeof(why));
			where = z->primaries[i].text;
			answered |= q[i].reply != NULL;
		}
		question_clear(&q[i]);
	}
	free(q);
	if (kept == 0 && answered) {
		snprintf(err, errlen, "zone %s: primary %s (%s) does not serve "
		    "the zone (%s); check server = in [zone %.*s] of %s, and "
		    "that the zone is loaded there", z->apex, z->primary_name,
		    where, why, (int)strlen(z->apex) - 1, z->apex,
		    ctx->config_path);
		return RESOLVE_ERR_DNS;
	}
	if (kept == 0) {
		snprintf(err, errlen, "zone %s: no answer from %s, the primary "
		    "%s (%s over UDP and TCP); is it running and reachable? "
		    "check server = in [zone %.*s] of %s", z->apex, where,
		    z->primary_name, why, (int)strlen(z->apex) - 1, z->apex,
		    ctx->config_path);
		return RESOLVE_ERR_DNS;
	}
	z->n_primaries = kept;
	return RESOLVE_OK;
}

/* The authoritative set: nameservers = if set, else the NS set of the walk. */
static enum resolve_status
auths_find(const struct run_ctx *ctx, const struct zone_cache *cache,
    struct zone_target *z, char *err, size_t errlen)
{
	const struct zone_servers *zs = zone_cache_get(cache, z->apex);
	const struct zone_conf *zc = z->conf;
	const struct dns_server *from = z->primaries;
	size_t n = z->n_primaries;

	if (zc->n_nameservers == 0 && zs != NULL) {
		from = zs->addrs;
		n = zs->n;
	}
	if (zc->n_nameservers > 0) {
		from = zc->nameservers;
		n = zc->n_nameservers;
	}
	if ((z->auths = calloc(n > 0 ? n : 1, sizeof(*z->auths))) == NULL)
		return RESOLVE_ERR_NOMEM;
	memcpy(z->auths, from, n * sizeof(*z->auths));
	z->n_auths = n;
	if (z->n_auths == 0) {
		snprintf(err, errlen,
		    "zone %s: no authoritative server address "
		    "to wait for; set nameservers = in [zone %.*s] of %s",
		    z->apex, (int)strlen(z->apex) - 1, z->apex,
		    ctx->config_path);
		return RESOLVE_ERR_CONFIG;
	}
	return RESOLVE_OK;
}

static struct zone_target *
plan_target_for(struct zone_plan *plan, const struct zone_conf *zc,
    const char *mname)
{
	struct zone_target *zones;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->zones[i].conf == zc)
			return &plan->zones[i];
	zones = reallocarray(plan->zones, plan->n + 1, sizeof(*zones));
	if (zones == NULL)
		return NULL;
	plan->zones = zones;
	memset(&zones[plan->n], 0, sizeof(zones[0]));
	zones[plan->n].conf = zc;
	if ((zones[plan->n].apex = strdup(zc->name)) == NULL)
		return NULL;
	plan->n++;
	if (mname != NULL &&
	    (zones[plan->n - 1].primary_name = strdup(mname)) == NULL)
		return NULL;
	return &zones[plan->n - 1];
}

static int
target_add_member(struct zone_target *z, size_t idx)
{
	size_t *m = reallocarray(z->members, z->n_members + 1, sizeof(*m));

	if (m == NULL)
		return -1;
	m[z->n_members++] = idx;
	z->members = m;
	return 0;
}

/* The chain ends in ZONE; a [zone] section for exactly that zone must exist. */
static const struct zone_conf *
zone_conf_exact(const struct run_ctx *ctx, const struct challenge *c,
    const struct chain *ch, char *err, size_t errlen)
{
	const char *zone = ch->zones[ch->n - 1];
	const struct zone_conf *zc = config_zone_for(ctx->cfg, zone);
	char subj[600], text[1024];
	int zl = (int)strlen(zone) - 1;

	if (zc != NULL && strcasecmp(zc->name, zone) == 0)
		return zc;
	zc = config_zone_for(ctx->cfg, c->effective);
	challenge_subject(c, subj, sizeof(subj));
	if (zc != NULL)
		snprintf(err, errlen,
		    "%s: %s is in zone %.*s (chain %s), which "
		    "has no [zone] section in %s; [zone %.*s] (line %d) is a "
		    "different zone: add [zone %.*s]",
		    subj, c->effective, zl, zone,
		    chain_text(ch, text, sizeof(text)), ctx->config_path,
		    (int)strlen(zc->name) - 1, zc->name, zc->line, zl, zone);
	else
		snprintf(err, errlen,
		    "%s: the chain %s ends in zone %.*s, which "
		    "has no [zone] section in %s; add [zone %.*s] with server "
		    "= "
		    "and key_file = (a key allowed to write TXT at %.*s)",
		    subj, chain_text(ch, text, sizeof(text)), zl, zone,
		    ctx->config_path, zl, zone, (int)strlen(c->effective) - 1,
		    c->effective);
	return NULL;
}

static void
report_chain(const struct challenge *c, const struct chain *ch)
{
	char subj[600], text[1024];

	challenge_subject(c, subj, sizeof(subj));
	if (ch->wildcard_cut)
		msg_warn(
		    "%s: the CNAME at %.*s to %.*s comes from a wildcard; "
		    "writing the TXT at %.*s in zone %s instead (once it "
		    "exists "
		    "the wildcard no longer applies there, for the CA too)",
		    subj, (int)strlen(c->effective) - 1, c->effective,
		    (int)strlen(ch->wildcard_target) - 1, ch->wildcard_target,
		    (int)strlen(c->effective) - 1, c->effective,
		    ch->zones[ch->n - 1]);
	msg_verbose("%s: chain %s, zone %s", subj,
	    chain_text(ch, text, sizeof(text)), ch->zones[ch->n - 1]);
}

/*
 * A hint from an earlier run (certbot's auth output) is used only if its
 * zone has a [zone] section of its own that holds the effective name.
 */
static int
hint_usable(const struct run_ctx *ctx, const struct challenge *c)
{
	const struct zone_conf *zc;

	if (c->zone_hint == NULL)
		return 0;
	zc = config_zone_for(ctx->cfg, c->effective);
	return zc != NULL && strcasecmp(zc->name, c->zone_hint) == 0;
}

static enum resolve_status
plan_add_hinted(const struct run_ctx *ctx, struct zone_plan *plan,
    struct challenge *c, size_t idx)
{
	const struct zone_conf *zc = config_zone_for(ctx->cfg, c->effective);
	struct zone_target *z;

	free(c->zone_name);
	c->zone = zc;
	if ((c->zone_name = strdup(zc->name)) == NULL ||
	    (z = plan_target_for(plan, zc, NULL)) == NULL ||
	    target_add_member(z, idx) == -1)
		return RESOLVE_ERR_NOMEM;
	msg_verbose("%s: zone %s, as the earlier run found it", c->effective,
	    zc->name);
	return RESOLVE_OK;
}

/*
 * Challenge I takes what an earlier one with the same name found, if there
 * is one: RESOLVE_OK (or ERR_NOMEM). RESOLVE_ERR_DNS: none, follow it.
 */
static enum resolve_status
plan_reuse(struct zone_plan *plan, struct challenge_list *l, size_t i)
{
	struct challenge *c = &l->items[i];
	struct zone_target *z;

	for (size_t j = 0; j < i; j++) {
		const struct challenge *d = &l->items[j];

		if (d->zone == NULL || strcmp(d->name, c->name) != 0)
			continue;
		free(c->zone_name);
		c->zone = d->zone;
		if (challenge_set_effective(c, d->effective) == -1 ||
		    (c->zone_name = strdup(d->zone_name)) == NULL ||
		    (z = plan_target_for(plan, d->zone, NULL)) == NULL ||
		    target_add_member(z, i) == -1)
			return RESOLVE_ERR_NOMEM;
		return RESOLVE_OK;
	}
	return RESOLVE_ERR_DNS;
}

/* Follows each challenge's chain and groups the challenges by zone. */
static enum resolve_status
plan_group(const struct run_ctx *ctx, struct zone_cache *cache,
    struct challenge_list *l, struct zone_plan *plan, char *err, size_t errlen)
{
	enum resolve_status st = RESOLVE_OK;
	char why[1536], subj[600];

	for (size_t i = 0; i < l->n && st == RESOLVE_OK; i++) {
		struct challenge *c = &l->items[i];
		const struct zone_conf *zc;
		struct zone_target *z;
		struct chain ch;
		enum chain_status cs;

		if (hint_usable(ctx, c)) {
			st = plan_add_hinted(ctx, plan, c, i);
			continue;
		}
		if ((st = plan_reuse(plan, l, i)) != RESOLVE_ERR_DNS)
			continue;	/* a wildcard and its base: one chain */
		st = RESOLVE_OK;
		cs = chain_follow(ctx, cache, c->name, &ch, why, sizeof(why));
		if (cs != CHAIN_OK) {
			/* Most often the name is simply not one of ours: say so
			 * too. */
			int ours = config_zone_for(ctx->cfg, c->name) != NULL;

			snprintf(err, errlen, "%s: %s%s%s%s",
			    challenge_subject(c, subj, sizeof(subj)), why,
			    ours ? "" : "; and no [zone] section of ",
			    ours ? "" : ctx->config_path,
			    ours ? "" : " covers it");
			st = cs == CHAIN_ERR_NOMEM ? RESOLVE_ERR_NOMEM :
			    RESOLVE_ERR_DNS;
		} else if (challenge_set_effective(c, ch.names[ch.n - 1]) ==
		    -1) {
			st = RESOLVE_ERR_NOMEM;
		} else if ((zc = zone_conf_exact(ctx, c, &ch, err, errlen)) ==
		    NULL) {
			st = RESOLVE_ERR_CONFIG;
		} else {
			report_chain(c, &ch);
			free(c->zone_name);
			c->zone = zc;
			if ((c->zone_name = strdup(zc->name)) == NULL ||
			    (z = plan_target_for(plan, zc, ch.mname)) == NULL ||
			    target_add_member(z, i) == -1)
				st = RESOLVE_ERR_NOMEM;
		}
		chain_free(&ch);
	}
	return st;
}

static void
report_zone(const struct zone_target *z)
{
	char list[1024] = "";
	size_t off = 0;

	for (size_t i = 0; i < z->n_auths && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 0 ? ", " : "", z->auths[i].text);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	msg_verbose("zone %s: primary %s (%s); authoritative: %s", z->apex,
	    z->primary_name, z->primaries[0].text, list);
}

enum resolve_status
resolve_plan(const struct run_ctx *ctx, struct challenge_list *l,
    struct zone_plan *plan, char *err, size_t errlen)
{
	struct zone_cache cache = { 0 };
	enum resolve_status st;

	memset(plan, 0, sizeof(*plan));
	if ((st = plan_group(ctx, &cache, l, plan, err, errlen)) != RESOLVE_OK)
		goto out;
	for (size_t i = 0; i < plan->n; i++) {
		struct zone_target *z = &plan->zones[i];

		if ((st = primary_find(ctx, z, err, errlen)) != RESOLVE_OK ||
		    (st = primary_confirm(ctx, z, err, errlen)) != RESOLVE_OK ||
		    (st = auths_find(ctx, &cache, z, err, errlen)) !=
			RESOLVE_OK)
			goto out;
		report_zone(z);
	}
out:
	if (st == RESOLVE_ERR_NOMEM)
		snprintf(err, errlen, "out of memory");
	if (st != RESOLVE_OK)
		zone_plan_free(plan);
	zone_cache_free(&cache);
	return st;
}

void
zone_plan_free(struct zone_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->zones[i].apex);
		free(plan->zones[i].primary_name);
		free(plan->zones[i].primaries);
		free(plan->zones[i].auths);
		free(plan->zones[i].members);
	}
	free(plan->zones);
	plan->zones = NULL;
	plan->n = 0;
}
