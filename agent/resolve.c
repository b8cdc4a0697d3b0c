/* SPDX-License-Identifier: ISC */
/*
 * resolve: the zone, primary and authoritative servers of each effective
 * name. Resolvers are asked only about names that exist (the zone's SOA,
 * server names); the zone itself is confirmed on its primary (RD=0).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "challenge.h"
#include "clock.h"
#include "config.h"
#include "dnsio.h"
#include "query.h"
#include "resolve.h"

#define RESOLVE_MAX_ADDRS	16

static int
resolvers_from_resolv_conf(struct run_ctx *ctx, char *err, size_t errlen)
{
	ldns_resolver *r = NULL;
	ldns_rdf **ns;
	size_t n;

	/* ldns reads nameserver lines; it ignores options and ip:port forms. */
	if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot read /etc/resolv.conf; set "
		    "resolver = in [defaults]");
		return -1;
	}
	ns = ldns_resolver_nameservers(r);
	n = ldns_resolver_nameserver_count(r);
	if ((ctx->resolvers = calloc(n + 1, sizeof(*ctx->resolvers))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_storage *ss;
		size_t sslen;

		ss = ldns_rdf2native_sockaddr_storage(ns[i], 53, &sslen);
		if (ss == NULL)
			continue;
		dnsio_server_from_sockaddr((struct sockaddr *)ss,
		    (socklen_t)sslen, &ctx->resolvers[ctx->n_resolvers++]);
		free(ss);
	}
	ldns_resolver_deep_free(r);
	if (ctx->n_resolvers == 0) {
		snprintf(err, errlen, "/etc/resolv.conf names no usable "
		    "nameserver; set resolver = in [defaults]");
		return -1;
	}
	return 0;
fail:
	ldns_resolver_deep_free(r);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
run_ctx_init(struct run_ctx *ctx, const struct config *cfg,
    const char *config_path, char *err, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->config_path = config_path;
	ctx->deadline = clock_now_ms() + (int64_t)cfg->timeout * 1000;
	if (cfg->n_resolvers == 0)
		return resolvers_from_resolv_conf(ctx, err, errlen);
	if ((ctx->resolvers = calloc(cfg->n_resolvers,
	    sizeof(*ctx->resolvers))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->n_resolvers; i++) {
		/* config.c has checked the syntax already. */
		if (dnsio_server_parse(cfg->resolvers[i], 53,
		    &ctx->resolvers[ctx->n_resolvers]) == 0)
			ctx->n_resolvers++;
	}
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

/*
 * Asks the resolvers, one after another, until one answers NOERROR or
 * NXDOMAIN. *reply is the answer (caller frees) or NULL; why says what the
 * last resolver did.
 */
static void
stub_ask(const struct run_ctx *ctx, const char *name, ldns_rr_type type,
    ldns_pkt **reply, char *why, size_t whylen)
{
	struct dnsio_opts o;

	*reply = NULL;
	snprintf(why, whylen, "no resolver configured");
	for (size_t i = 0; i < ctx->n_resolvers; i++) {
		struct question q = { .name = name, .type = type,
		    .server = &ctx->resolvers[i], .rd = 1 };
		ldns_pkt_rcode rc;

		run_ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1) {
			snprintf(why, whylen, "out of memory");
			return;
		}
		if (q.reply == NULL) {
			snprintf(why, whylen, "resolver %s: %s",
			    ctx->resolvers[i].text, question_failure(&q));
			continue;
		}
		rc = ldns_pkt_get_rcode(q.reply);
		if (rc == LDNS_RCODE_NOERROR || rc == LDNS_RCODE_NXDOMAIN) {
			*reply = q.reply;
			return;
		}
		snprintf(why, whylen, "resolver %s answered %s",
		    ctx->resolvers[i].text, query_rcode_name(rc));
		question_clear(&q);
	}
}

/* Appends every A/AAAA in P's answer to ADDRS (at most RESOLVE_MAX_ADDRS). */
static void
addrs_from_answer(const ldns_pkt *p, uint16_t port, struct dns_server *addrs,
    size_t *n)
{
	ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		struct sockaddr_storage *ss;
		size_t sslen;

		if (*n == RESOLVE_MAX_ADDRS || ldns_rr_rd_count(rr) != 1 ||
		    (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A &&
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA))
			continue;
		ss = ldns_rdf2native_sockaddr_storage(ldns_rr_rdf(rr, 0), port,
		    &sslen);
		if (ss == NULL)
			continue;
		dnsio_server_from_sockaddr((struct sockaddr *)ss,
		    (socklen_t)sslen, &addrs[(*n)++]);
		free(ss);
	}
}

/* Host name to addresses (A and AAAA) through the resolvers. */
static enum resolve_status
host_addresses(const struct run_ctx *ctx, const char *host, uint16_t port,
    struct dns_server **out, size_t *n, char *why, size_t whylen)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	struct dns_server *addrs;

	*n = 0;
	if ((addrs = calloc(RESOLVE_MAX_ADDRS, sizeof(*addrs))) == NULL)
		return RESOLVE_ERR_NOMEM;
	for (size_t t = 0; t < 2; t++) {
		ldns_pkt *p;

		stub_ask(ctx, host, types[t], &p, why, whylen);
		if (p != NULL)
			addrs_from_answer(p, port, addrs, n);
		ldns_pkt_free(p);
	}
	if (*n == 0) {
		if (why[0] == '\0' || strstr(why, "resolver") == NULL)
			snprintf(why, whylen, "%s has no address (A or AAAA)", host);
		free(addrs);
		return RESOLVE_ERR_DNS;
	}
	*out = addrs;
	return RESOLVE_OK;
}

/* Splits "host", "host:port" into HOST (written into buf) and *port. */
static int
host_port_split(const char *spec, uint16_t dflt, char *host, size_t hostlen,
    uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	*port = dflt;
	if (colon != NULL) {
		char *end;
		unsigned long p = strtoul(colon + 1, &end, 10);

		if (*end != '\0' || p == 0 || p > 65535)
			return -1;
		*port = (uint16_t)p;
	}
	if (len == 0 || len >= hostlen)
		return -1;
	memcpy(host, spec, len);
	host[len] = '\0';
	return 0;
}

/* The zone's SOA MNAME, through the resolvers (the zone exists). */
static enum resolve_status
soa_mname(const struct run_ctx *ctx, const char *apex, char **mname,
    char *why, size_t whylen)
{
	ldns_rr_list *an;
	ldns_pkt *p;

	*mname = NULL;
	stub_ask(ctx, apex, LDNS_RR_TYPE_SOA, &p, why, whylen);
	if (p == NULL)
		return RESOLVE_ERR_DNS;
	an = ldns_pkt_answer(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && *mname == NULL; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_rr_rd_count(rr) >= 1)
			*mname = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	}
	ldns_pkt_free(p);
	if (*mname == NULL) {
		snprintf(why, whylen, "the resolvers return no SOA for %s", apex);
		return RESOLVE_ERR_DNS;
	}
	return RESOLVE_OK;
}

static enum resolve_status
primary_find(const struct run_ctx *ctx, struct zone_target *z, char *err,
    size_t errlen)
{
	const char *server = z->conf->server;
	uint16_t port = ctx->cfg->port;
	enum resolve_status st;
	char host[256], why[512] = "";

	if (server != NULL) {
		if ((z->primary_name = strdup(server)) == NULL)
			return RESOLVE_ERR_NOMEM;
		if ((z->primaries = calloc(1, sizeof(*z->primaries))) == NULL)
			return RESOLVE_ERR_NOMEM;
		if (dnsio_server_parse(server, port, z->primaries) == 0) {
			z->n_primaries = 1;
			return RESOLVE_OK;
		}
		free(z->primaries);
		z->primaries = NULL;
		if (host_port_split(server, port, host, sizeof(host), &port) == -1) {
			snprintf(err, errlen, "zone %s: server = %s is neither an "
			    "address nor a host name; fix it in %s", z->apex,
			    server, ctx->config_path);
			return RESOLVE_ERR_CONFIG;
		}
	} else {
		char *mname;

		if ((st = soa_mname(ctx, z->apex, &mname, why, sizeof(why))) !=
		    RESOLVE_OK) {
			snprintf(err, errlen, "zone %s: cannot find its primary "
			    "(%s); set server = in [zone %.*s] of %s", z->apex,
			    why, (int)strlen(z->apex) - 1, z->apex,
			    ctx->config_path);
			return st;
		}
		snprintf(host, sizeof(host), "%s", mname);
		z->primary_name = mname;
	}
	st = host_addresses(ctx, host, port, &z->primaries, &z->n_primaries,
	    why, sizeof(why));
	if (st == RESOLVE_ERR_DNS)
		snprintf(err, errlen, "zone %s: cannot find the address of its "
		    "primary %s (%s); set server = to an address in [zone %.*s] "
		    "of %s", z->apex, host, why, (int)strlen(z->apex) - 1,
		    z->apex, ctx->config_path);
	return st;
}

/* Is P an authoritative NOERROR answer holding the SOA of APEX? */
static int
soa_authoritative(const ldns_pkt *p, const char *apex)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	ldns_rdf *want = NULL;
	int ok = 0;

	if (!ldns_pkt_aa(p) || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ||
	    ldns_str2rdf_dname(&want, apex) != LDNS_STATUS_OK)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && !ok; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		ok = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_dname_compare(ldns_rr_owner(rr), want) == 0;
	}
	ldns_rdf_deep_free(want);
	return ok;
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
		if (q[i].reply != NULL && soa_authoritative(q[i].reply, z->apex)) {
			z->primaries[kept++] = z->primaries[i];
		} else {
			soa_failure(&q[i], why, sizeof(why));
			where = z->primaries[i].text;
		}
		question_clear(&q[i]);
	}
	free(q);
	if (kept == 0) {
		snprintf(err, errlen, "zone %s: primary %s (%s) does not serve "
		    "the zone (%s); check server = in [zone %.*s] of %s, and "
		    "that the zone is loaded there", z->apex, z->primary_name,
		    where, why, (int)strlen(z->apex) - 1, z->apex,
		    ctx->config_path);
		return RESOLVE_ERR_DNS;
	}
	z->n_primaries = kept;
	return RESOLVE_OK;
}

/* The authoritative set: nameservers = if configured, else the primary. */
static enum resolve_status
auths_find(const struct run_ctx *ctx, struct zone_target *z)
{
	const struct zone_conf *zc = z->conf;
	size_t n = zc->n_nameservers > 0 ? zc->n_nameservers : z->n_primaries;

	if ((z->auths = calloc(n, sizeof(*z->auths))) == NULL)
		return RESOLVE_ERR_NOMEM;
	if (zc->n_nameservers == 0) {
		memcpy(z->auths, z->primaries, n * sizeof(*z->auths));
		z->n_auths = n;
		return RESOLVE_OK;
	}
	for (size_t i = 0; i < zc->n_nameservers; i++)
		if (dnsio_server_parse(zc->nameservers[i], ctx->cfg->port,
		    &z->auths[z->n_auths]) == 0)
			z->n_auths++;
	return RESOLVE_OK;
}

static struct zone_target *
plan_target_for(struct zone_plan *plan, const struct zone_conf *zc)
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
	return &zones[plan->n++];
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

/* Which configured zone takes each challenge; groups them. */
static enum resolve_status
plan_group(const struct run_ctx *ctx, struct challenge_list *l,
    struct zone_plan *plan, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++) {
		struct challenge *c = &l->items[i];
		const struct zone_conf *zc = config_zone_for(ctx->cfg, c->effective);
		struct zone_target *z;
		char subj[600];
		const char *parent = strchr(c->effective, '.');

		if (zc == NULL) {
			parent = parent != NULL && parent[1] != '\0' ?
			    parent + 1 : c->effective;
			snprintf(err, errlen, "%s: no [zone] section of %s covers "
			    "%s; add the section for its zone, e.g. [zone %.*s] "
			    "with server = and key_file =",
			    challenge_subject(c, subj, sizeof(subj)),
			    ctx->config_path, c->effective,
			    (int)strlen(parent) - 1, parent);
			return RESOLVE_ERR_CONFIG;
		}
		if ((z = plan_target_for(plan, zc)) == NULL ||
		    target_add_member(z, i) == -1)
			return RESOLVE_ERR_NOMEM;
		c->zone = zc;
		free(c->zone_name);
		if ((c->zone_name = strdup(z->apex)) == NULL)
			return RESOLVE_ERR_NOMEM;
	}
	return RESOLVE_OK;
}

enum resolve_status
resolve_plan(const struct run_ctx *ctx, struct challenge_list *l,
    struct zone_plan *plan, char *err, size_t errlen)
{
	enum resolve_status st;

	memset(plan, 0, sizeof(*plan));
	if ((st = plan_group(ctx, l, plan, err, errlen)) != RESOLVE_OK)
		goto out;
	for (size_t i = 0; i < plan->n; i++) {
		struct zone_target *z = &plan->zones[i];

		if ((st = primary_find(ctx, z, err, errlen)) != RESOLVE_OK ||
		    (st = primary_confirm(ctx, z, err, errlen)) != RESOLVE_OK ||
		    (st = auths_find(ctx, z)) != RESOLVE_OK)
			goto out;
	}
out:
	if (st == RESOLVE_ERR_NOMEM)
		snprintf(err, errlen, "out of memory");
	if (st != RESOLVE_OK)
		zone_plan_free(plan);
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
