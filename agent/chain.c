/* SPDX-License-Identifier: ISC */
/*
 * chain: CNAME (RFC 1034 3.6.2) and DNAME (RFC 6672) chains, followed at
 * the authoritative servers (RD=0) with referrals into delegated children
 * (RFC 1034 4.3.2), and the zone cut of the last name from its SOA.
 * Resolvers see only names that exist (stub.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "chain.h"
#include "config.h"
#include "dnsio.h"
#include "query.h"
#include "resolve.h"
#include "stub.h"

#define REFERRAL_MAX	8	/* delegations followed for one name */

enum hop_kind {
	HOP_ALIAS,	/* CNAME or DNAME: target set */
	HOP_END,	/* the name's zone found: zone and mname set */
	HOP_REFERRAL,	/* delegated child: zone set, servers cached */
	HOP_FAIL	/* err set */
};

struct hop {
	enum hop_kind	 kind;
	char		*target;	/* owned */
	char		*zone;		/* owned */
	char		*mname;		/* owned */
};

static void
hop_clear(struct hop *h)
{
	free(h->target);
	free(h->zone);
	free(h->mname);
	memset(h, 0, sizeof(*h));
}

static char *
rdf_text(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);

	/* ldns writes names absolute; the rest of the program wants lower case.
	 */
	for (char *p = s; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* Is NAME equal to or below APEX (both absolute text)? */
static int
name_in(const char *name, const char *apex)
{
	size_t nl = strlen(name), al = strlen(apex);

	if (strcmp(apex, ".") == 0)
		return 1;
	if (nl < al || strcasecmp(name + nl - al, apex) != 0)
		return 0;
	return nl == al || name[nl - al - 1] == '.';
}

static const char *
parent_of(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot != NULL && dot[1] != '\0' ? dot + 1 : ".";
}

const struct zone_servers *
zone_cache_get(const struct zone_cache *cache, const char *apex)
{
	for (size_t i = 0; i < cache->n; i++)
		if (strcasecmp(cache->zones[i]->apex, apex) == 0)
			return cache->zones[i];
	return NULL;
}

/* Takes ADDRS. The entry stays where it is while the cache grows. */
static const struct zone_servers *
zone_cache_put(struct zone_cache *cache, const char *apex,
    struct dns_server *addrs, size_t n)
{
	struct zone_servers **zones, *z = calloc(1, sizeof(*z));

	zones = reallocarray(cache->zones, cache->n + 1, sizeof(*zones));
	if (zones != NULL)
		cache->zones = zones;
	if (z == NULL || zones == NULL || (z->apex = strdup(apex)) == NULL) {
		free(z);
		free(addrs);
		return NULL;
	}
	z->addrs = addrs;
	z->n = n;
	cache->zones[cache->n++] = z;
	return z;
}

/* Addresses for every NS name in LIST: glue from ADDITIONAL first, else
 * resolvers. */
static struct dns_server *
ns_addresses(const struct run_ctx *ctx, const ldns_rr_list *ns,
    const ldns_rr_list *additional, size_t *n, char *why, size_t whylen)
{
	size_t max = STUB_MAX_ADDRS * 2;
	struct dns_server *addrs = calloc(max, sizeof(*addrs));

	*n = 0;
	if (addrs == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ns, i);
		const ldns_rdf *host;
		size_t before = *n;
		struct dns_server *found;
		size_t nfound;
		char *text;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS ||
		    ldns_rr_rd_count(rr) != 1)
			continue;
		host = ldns_rr_rdf(rr, 0);
		if (additional != NULL)
			stub_addrs_from_rrs(additional, host, ctx->cfg->port,
			    addrs, n, max);
		if (*n > before || (text = rdf_text(host)) == NULL)
			continue;
		if (stub_addresses(ctx, text, ctx->cfg->port, &found, &nfound,
		    why, whylen) == 0) {
			for (size_t k = 0; k < nfound && *n < max; k++)
				addrs[(*n)++] = found[k];
			free(found);
		}
		free(text);
	}
	return addrs;
}

/*
 * The authoritative servers of APEX: the zone's `nameservers =` if set,
 * else its NS set through the resolvers (the zone exists), else its
 * `server =` when that is an address.
 */
static const struct zone_servers *
zone_servers_find(const struct run_ctx *ctx, struct zone_cache *cache,
    const char *apex, char *why, size_t whylen)
{
	const struct zone_servers *z = zone_cache_get(cache, apex);
	const struct zone_conf *zc = config_zone_for(ctx->cfg, apex);
	struct dns_server *addrs = NULL;
	size_t n = 0;
	ldns_pkt *p = NULL;

	if (z != NULL)
		return z;
	if (zc != NULL && strcasecmp(zc->name, apex) != 0)
		zc = NULL;
	if (zc != NULL && zc->n_nameservers > 0) {
		if ((addrs = calloc(zc->n_nameservers, sizeof(*addrs))) == NULL)
			return NULL;
		memcpy(addrs, zc->nameservers,
		    zc->n_nameservers * sizeof(*addrs));
		n = zc->n_nameservers;
		return zone_cache_put(cache, apex, addrs, n);
	}
	stub_ask(ctx, apex, LDNS_RR_TYPE_NS, &p, why, whylen);
	if (p != NULL)
		addrs = ns_addresses(ctx, ldns_pkt_answer(p),
		    ldns_pkt_additional(p), &n, why, whylen);
	ldns_pkt_free(p);
	if (n == 0 && zc != NULL && zc->server != NULL) {
		if (addrs == NULL &&
		    (addrs = calloc(1, sizeof(*addrs))) == NULL)
			return NULL;
		if (zc->server_addr != NULL) {
			addrs[0] = *zc->server_addr;
			n = 1;
		}
	}
	if (n == 0) {
		if (why[0] == '\0')
			snprintf(
			    why, whylen, "no address for any NS of %s", apex);
		free(addrs);
		return NULL;
	}
	return zone_cache_put(cache, apex, addrs, n);
}

/*
 * The zone to start asking about NAME: the deepest configured zone that
 * holds it (it exists), else the zone of NAME's parent, from the SOA the
 * resolvers return for it (RFC 2308 3: the negative answer carries it).
 */
static char *
start_zone(const struct run_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	const struct zone_conf *zc = config_zone_for(ctx->cfg, name);
	const char *parent = parent_of(name);
	ldns_pkt *p = NULL;
	char *apex = NULL;

	if (zc != NULL)
		return strdup(zc->name);
	stub_ask(ctx, parent, LDNS_RR_TYPE_SOA, &p, why, whylen);
	if (p == NULL)
		return NULL;
	for (int s = 0; s < 2 && apex == NULL; s++) {
		ldns_rr_list *l = s == 0 ? ldns_pkt_answer(p) :
		    ldns_pkt_authority(p);

		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
			if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) ==
			    LDNS_RR_TYPE_SOA) {
				apex = rdf_text(
				    ldns_rr_owner(ldns_rr_list_rr(l, i)));
				break;
			}
	}
	if (apex == NULL)
		snprintf(why, whylen, "the resolvers return no SOA for %s",
		    parent);
	ldns_pkt_free(p);
	return apex;
}

/* RFC 6672 2.2: replace the DNAME owner suffix of NAME with its target. */
static char *
dname_substitute(const char *name, const ldns_rr *dname)
{
	char *owner = rdf_text(ldns_rr_owner(dname));
	char *target = rdf_text(ldns_rr_rdf(dname, 0));
	char *out = NULL;
	size_t keep;

	if (owner != NULL && target != NULL && name_in(name, owner) &&
	    strlen(name) > strlen(owner)) {
		keep = strlen(name) - strlen(owner);
		if ((out = malloc(keep + strlen(target) + 1)) != NULL) {
			memcpy(out, name, keep);
			strcpy(out + keep, target);
		}
	}
	free(owner);
	free(target);
	return out;
}

/* An authoritative answer: alias, or the zone (SOA in answer or authority). */
static void
hop_from_answer(const ldns_pkt *p, const char *name, struct hop *h)
{
	const ldns_rr *rr;

	if ((rr = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_CNAME,
	    name)) != NULL) {
		h->kind = HOP_ALIAS;
		h->target = rdf_text(ldns_rr_rdf(rr, 0));
	} else if ((rr = query_rr_find(ldns_pkt_answer(p),
	    LDNS_RR_TYPE_DNAME, NULL)) != NULL) {
		h->kind = HOP_ALIAS;
		h->target = dname_substitute(name, rr);
	} else if ((rr = query_rr_find(ldns_pkt_answer(p),
	    LDNS_RR_TYPE_SOA, name)) != NULL ||
	    (rr = query_rr_find(ldns_pkt_authority(p), LDNS_RR_TYPE_SOA,
	    NULL)) != NULL) {
		h->kind = HOP_END;
		h->zone = rdf_text(ldns_rr_owner(rr));
		h->mname = rdf_text(ldns_rr_rdf(rr, 0));
	}
}

/* A referral (RFC 1034 4.3.2 step 3b): NS below ZONE, at or above NAME, no AA.
 */
static void
hop_from_referral(const struct run_ctx *ctx, struct zone_cache *cache,
    const ldns_pkt *p, const char *zone, const char *name, struct hop *h,
    char *why, size_t whylen)
{
	const ldns_rr *ns = query_rr_find(ldns_pkt_authority(p),
	    LDNS_RR_TYPE_NS, NULL);
	struct dns_server *addrs;
	char *child;
	size_t n;

	if (ns == NULL || (child = rdf_text(ldns_rr_owner(ns))) == NULL)
		return;
	if (!name_in(name, child) || !name_in(child, zone) ||
	    strcasecmp(child, zone) == 0) {
		free(child);
		return;
	}
	if (zone_cache_get(cache, child) == NULL) {
		addrs = ns_addresses(ctx, ldns_pkt_authority(p),
		    ldns_pkt_additional(p), &n, why, whylen);
		if (addrs == NULL || n == 0 ||
		    zone_cache_put(cache, child, addrs, n) == NULL) {
			if (addrs != NULL && n == 0)
				free(addrs);
			free(child);
			return;
		}
	}
	h->kind = HOP_REFERRAL;
	h->zone = child;
}

/* What one server's reply says about NAME in ZONE. */
static void
hop_classify(const struct run_ctx *ctx, struct zone_cache *cache,
    const struct question *q, const char *zone, struct hop *h, char *why,
    size_t whylen)
{
	ldns_pkt_rcode rc;

	h->kind = HOP_FAIL;
	if (q->reply == NULL) {
		snprintf(why, whylen, "%s", question_failure(q));
		return;
	}
	rc = ldns_pkt_get_rcode(q->reply);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		snprintf(why, whylen, "%s", query_rcode_name(rc));
		return;
	}
	if (ldns_pkt_aa(q->reply))
		hop_from_answer(q->reply, q->name, h);
	else
		hop_from_referral(ctx, cache, q->reply, zone, q->name, h, why,
		    whylen);
	if (h->kind == HOP_FAIL && why[0] == '\0')
		snprintf(why, whylen, "%s, no usable answer (lame delegation?)",
		    ldns_pkt_aa(q->reply) ? "authoritative" :
					    "not authoritative");
}

/*
 * Asks ZONE's servers, one after another, about NAME (type SOA: the answer
 * shows a CNAME or DNAME, or the zone in its SOA, or a referral).
 */
static enum chain_status
hop_ask(const struct run_ctx *ctx, struct zone_cache *cache, const char *name,
    const char *zone, struct hop *h, char *err, size_t errlen)
{
	const struct zone_servers *zs;
	struct dnsio_opts o;
	char why[512] = "";
	int servfail = 0;

	if ((zs = zone_servers_find(ctx, cache, zone, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "cannot find the servers of zone %s (%s)",
		    zone, why[0] != '\0' ? why : "no NS addresses");
		return CHAIN_ERR_DNS;
	}
	for (size_t i = 0; i < zs->n; i++) {
		struct question q = { .name = name, .type = LDNS_RR_TYPE_SOA,
		    .server = &zs->addrs[i] };

		run_ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1)
			return CHAIN_ERR_NOMEM;
		why[0] = '\0';
		hop_classify(ctx, cache, &q, zone, h, why, sizeof(why));
		if (q.reply != NULL &&
		    ldns_pkt_get_rcode(q.reply) == LDNS_RCODE_SERVFAIL)
			servfail = 1;
		question_clear(&q);
		if (h->kind != HOP_FAIL)
			return CHAIN_OK;
		if (servfail)
			snprintf(err, errlen,
			    "SERVFAIL from %s for %s (zone %s): "
			    "the server could not answer for the name at all; "
			    "unlike NXDOMAIN (the name does not exist yet, "
			    "which "
			    "is fine), this stops the CA too: check the zone "
			    "on "
			    "that server (not loaded, expired, DNSSEC failure)",
			    zs->addrs[i].text, name, zone);
		else
			snprintf(err, errlen,
			    "%s gives no usable answer for %s "
			    "(zone %s): %s",
			    zs->addrs[i].text, name, zone, why);
	}
	return servfail ? CHAIN_ERR_SERVFAIL : CHAIN_ERR_DNS;
}

/* Follows NAME through referrals to its alias target or its zone. */
static enum chain_status
hop_resolve(const struct run_ctx *ctx, struct zone_cache *cache,
    const char *name, struct hop *h, char *err, size_t errlen)
{
	enum chain_status st;
	char why[512] = "";
	char *zone = start_zone(ctx, name, why, sizeof(why));

	if (zone == NULL) {
		snprintf(err, errlen, "cannot find the zone of %s (%s)", name,
		    why);
		return CHAIN_ERR_DNS;
	}
	for (int r = 0; r <= REFERRAL_MAX; r++) {
		hop_clear(h);
		if ((st = hop_ask(ctx, cache, name, zone, h, err, errlen)) !=
		    CHAIN_OK)
			break;
		if (h->kind != HOP_REFERRAL)
			break;
		/* Delegated child zone: ask its servers (now in the cache). */
		free(zone);
		zone = h->zone;
		h->zone = NULL;
	}
	if (st == CHAIN_OK && h->kind == HOP_REFERRAL) {
		snprintf(err, errlen, "more than %d delegations below %s",
		    REFERRAL_MAX, zone);
		st = CHAIN_ERR_DNS;
	}
	if (st == CHAIN_OK && h->kind == HOP_ALIAS) {
		free(h->zone);
		h->zone = zone;	/* the zone the alias was found in */
		zone = NULL;
		if (h->target == NULL)
			st = CHAIN_ERR_NOMEM;
	}
	free(zone);
	return st;
}

const char *
chain_text(const struct chain *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%.*s",
		    i > 0 ? " -> " : "", (int)strlen(c->names[i]) - 1,
		    c->names[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

static int
zone_configured(const struct run_ctx *ctx, const char *apex)
{
	const struct zone_conf *zc = config_zone_for(ctx->cfg, apex);

	return zc != NULL && strcasecmp(zc->name, apex) == 0;
}

/*
 * RFC 4592: does NAME's CNAME come from a wildcard? A made-up sibling of
 * NAME, asked of the same zone's servers, is captured by the same wildcard
 * and gets the same target; a real CNAME at NAME leaves it NXDOMAIN.
 */
static int
cname_is_wildcard(const struct run_ctx *ctx, struct zone_cache *cache,
    const char *name, const char *zone, const char *target)
{
	char probe[300], err[512];
	struct hop h = { 0 };
	int wild;

	snprintf(probe, sizeof(probe), "_acme-nsupdate-probe-%08x.%s",
	    arc4random(), parent_of(name));
	if (hop_ask(ctx, cache, probe, zone, &h, err, sizeof(err)) !=
	    CHAIN_OK) {
		hop_clear(&h);
		return 0;
	}
	wild = h.kind == HOP_ALIAS && h.target != NULL &&
	    strcasecmp(h.target, target) == 0;
	hop_clear(&h);
	return wild;
}

/* Cuts C after hop I (a wildcard-captured name) and finds that zone's MNAME. */
static enum chain_status
chain_cut(const struct run_ctx *ctx, struct zone_cache *cache, struct chain *c,
    size_t i, char *err, size_t errlen)
{
	struct hop h = { 0 };
	enum chain_status st;

	free(c->wildcard_target);
	if ((c->wildcard_target = strdup(c->names[i + 1])) == NULL)
		return CHAIN_ERR_NOMEM;
	for (size_t k = i + 1; k < c->n; k++) {
		free(c->names[k]);
		free(c->zones[k]);
		c->names[k] = c->zones[k] = NULL;
	}
	c->n = i + 1;
	c->wildcard_cut = 1;
	/* The apex's own SOA gives the MNAME. */
	st = hop_ask(ctx, cache, c->zones[i], c->zones[i], &h, err, errlen);
	if (st == CHAIN_OK && h.kind == HOP_END) {
		free(c->mname);
		c->mname = h.mname;
		h.mname = NULL;
	}
	hop_clear(&h);
	return st;
}

static enum chain_status
chain_wildcard_check(const struct run_ctx *ctx, struct zone_cache *cache,
    struct chain *c, char *err, size_t errlen)
{
	if (c->n < 2 || zone_configured(ctx, c->zones[c->n - 1]))
		return CHAIN_OK;
	/* The last hop still in a configured zone, if the chain leaves from
	 * there. */
	for (size_t i = c->n - 1; i-- > 0; ) {
		if (!zone_configured(ctx, c->zones[i]))
			continue;
		if (cname_is_wildcard(ctx, cache, c->names[i], c->zones[i],
		    c->names[i + 1]))
			return chain_cut(ctx, cache, c, i, err, errlen);
		break;
	}
	return CHAIN_OK;
}

static int
chain_has(const struct chain *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->names[i], name) == 0)
			return 1;
	return 0;
}

enum chain_status
chain_follow(const struct run_ctx *ctx, struct zone_cache *cache,
    const char *name, struct chain *c, char *err, size_t errlen)
{
	enum chain_status st = CHAIN_OK;
	struct hop h = { 0 };
	char text[1024];

	memset(c, 0, sizeof(*c));
	if ((c->names[0] = strdup(name)) == NULL)
		return CHAIN_ERR_NOMEM;
	c->n = 1;
	for (;;) {
		const char *cur = c->names[c->n - 1];

		if ((st = hop_resolve(ctx, cache, cur, &h, err, errlen)) !=
		    CHAIN_OK)
			break;
		c->zones[c->n - 1] = h.zone;
		h.zone = NULL;
		if (h.kind == HOP_END) {
			c->mname = h.mname;
			h.mname = NULL;
			break;
		}
		if (chain_has(c, h.target)) {
			snprintf(err, errlen, "CNAME loop: %s -> %.*s",
			    chain_text(c, text, sizeof(text)),
			    (int)strlen(h.target) - 1, h.target);
			st = CHAIN_ERR_LOOP;
			break;
		}
		if (c->n == CHAIN_MAX_HOPS + 1) {
			snprintf(err, errlen,
			    "more than %d CNAME/DNAME hops: %s", CHAIN_MAX_HOPS,
			    chain_text(c, text, sizeof(text)));
			st = CHAIN_ERR_LONG;
			break;
		}
		c->names[c->n++] = h.target;
		h.target = NULL;
	}
	hop_clear(&h);
	if (st == CHAIN_OK)
		st = chain_wildcard_check(ctx, cache, c, err, errlen);
	if (st == CHAIN_ERR_NOMEM)
		snprintf(err, errlen, "out of memory");
	return st;
}

void
chain_free(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->zones[i]);
	}
	free(c->mname);
	free(c->wildcard_target);
	memset(c, 0, sizeof(*c));
}

void
zone_cache_free(struct zone_cache *cache)
{
	for (size_t i = 0; i < cache->n; i++) {
		free(cache->zones[i]->apex);
		free(cache->zones[i]->addrs);
		free(cache->zones[i]);
	}
	free(cache->zones);
	cache->zones = NULL;
	cache->n = 0;
}
