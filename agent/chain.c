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

#include <ldns/ldns.h>

#include "chain.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "failure.h"
#include "query.h"
#include "stub.h"
#include "zones.h"

#define REFERRAL_MAX	8	/* delegations followed for one name */

enum hop_kind {
	HOP_ALIAS,	/* CNAME or DNAME: target set */
	HOP_END,	/* the name's zone found: zone and mname set */
	HOP_REFERRAL,	/* delegated child: zone set, servers cached */
	HOP_FAIL	/* the failure's reason set */
};

struct hop {
	enum hop_kind	 kind;
	struct dns_server server;	/* the server that answered */
	char		*target;	/* owned */
	char		*zone;		/* owned */
	char		*mname;		/* owned */
};

/* What a hop needs besides the name: shared by every hop of a chain. */
struct walk {
	const struct ctx	*ctx;
	const struct config	*cfg;
	struct zone_cache	*cache;
	struct failure		*f;
};

static void
hop_clear(struct hop *h)
{
	free(h->target);
	free(h->zone);
	free(h->mname);
	memset(h, 0, sizeof(*h));
}

/*
 * The zone to start asking about NAME: the deepest configured zone that
 * holds it (it exists), else the zone of NAME's parent, from the SOA the
 * resolvers return for it (RFC 2308 3: the negative answer carries it).
 */
static char *
start_zone(const struct walk *w, const char *name)
{
	const struct zone_conf	*zc = config_zone_for(w->cfg, name);
	const char		*parent = dname_parent(name);
	const ldns_rr		*soa;
	char			*apex = NULL;
	ldns_pkt		*p;

	if (zc != NULL)
		return strdup(zc->name);
	if ((p = stub_ask(w->ctx, parent, LDNS_RR_TYPE_SOA, w->f)) == NULL)
		return NULL;
	if ((soa = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA,
	    NULL)) == NULL)
		soa = query_rr_find(ldns_pkt_authority(p), LDNS_RR_TYPE_SOA,
		    NULL);
	if (soa != NULL)
		apex = dname_from_rdf(ldns_rr_owner(soa));
	else {
		w->f->reason = REASON_RESOLVER_NO_SOA;
		failure_set(&w->f->rqname, w->f, parent);
	}
	ldns_pkt_free(p);
	return apex;
}

/* RFC 6672 2.2: replace the DNAME owner suffix of NAME with its target. */
static char *
dname_substitute(const char *name, const ldns_rr *dname)
{
	char	*owner = dname_from_rdf(ldns_rr_owner(dname));
	char	*target = dname_from_rdf(ldns_rr_rdf(dname, 0));
	char	*out = NULL;
	size_t	 keep;

	/* RFC 6672 2.3: the DNAME owner itself is not redirected. */
	if (owner != NULL && target != NULL && dname_is_within(name, owner) &&
	    strlen(name) > strlen(owner)) {
		keep = strlen(name) - strlen(owner);
		/* RFC 1035 2.3.4: the result must still fit. */
		if (keep + strlen(target) <= DNAME_TEXT_MAX + 1 &&
		    (out = malloc(keep + strlen(target) + 1)) != NULL) {
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
	const ldns_rr	*rr;

	if ((rr = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_CNAME,
	    name)) != NULL) {
		if ((h->target = dname_from_rdf(ldns_rr_rdf(rr, 0))) != NULL)
			h->kind = HOP_ALIAS;
	} else if ((rr = query_rr_find(ldns_pkt_answer(p),
	    LDNS_RR_TYPE_DNAME, NULL)) != NULL) {
		/* An unrelated or over-long DNAME is no usable answer. */
		if ((h->target = dname_substitute(name, rr)) != NULL)
			h->kind = HOP_ALIAS;
	} else if ((rr = query_rr_find(ldns_pkt_answer(p),
	    LDNS_RR_TYPE_SOA, name)) != NULL ||
	    (rr = query_rr_find(ldns_pkt_authority(p), LDNS_RR_TYPE_SOA,
	    NULL)) != NULL) {
		h->zone = dname_from_rdf(ldns_rr_owner(rr));
		h->mname = dname_from_rdf(ldns_rr_rdf(rr, 0));
		if (h->zone != NULL && h->mname != NULL)
			h->kind = HOP_END;
	}
}

/*
 * A referral (RFC 1034 4.3.2 step 3b): NS below ZONE, at or above NAME,
 * without AA.
 */
static void
hop_from_referral(const struct walk *w, const ldns_pkt *p, const char *zone,
    const char *name, struct hop *h)
{
	const ldns_rr *ns = query_rr_find(ldns_pkt_authority(p),
	    LDNS_RR_TYPE_NS, NULL);
	char *child;

	if (ns == NULL || (child = dname_from_rdf(ldns_rr_owner(ns))) == NULL)
		return;
	if (!dname_is_within(name, child) || !dname_is_within(child, zone) ||
	    dname_equal(child, zone) ||
	    zones_from_referral(w->ctx, w->cache, child, p, w->f) == NULL) {
		free(child);
		return;
	}
	h->kind = HOP_REFERRAL;
	h->zone = child;
}

/* What one server's reply says about NAME in ZONE. */
static void
hop_classify(const struct walk *w, const struct question *q,
    const char *zone, struct hop *h)
{
	struct failure	*f = w->f;
	ldns_pkt_rcode	 rc;

	h->kind = HOP_FAIL;
	f->reason = REASON_NONE;
	if (q->reply == NULL) {
		f->reason = REASON_TRANSPORT;
		f->io_status = q->status;
		f->io_errno = q->err;
		return;
	}
	rc = ldns_pkt_get_rcode(q->reply);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		f->reason = REASON_RCODE;
		f->rcode = rc;
		return;
	}
	if (ldns_pkt_aa(q->reply))
		hop_from_answer(q->reply, q->name, h);
	else
		hop_from_referral(w, q->reply, zone, q->name, h);
	if (h->kind == HOP_FAIL && f->reason == REASON_NONE) {
		f->reason = REASON_NO_USABLE;
		f->aa = ldns_pkt_aa(q->reply);
	}
}

/* F: SERVER gave no usable answer (or SERVFAIL) for NAME in ZONE. */
static void
hop_failed(const struct walk *w, const struct dns_server *server,
    const char *name, const char *zone, int servfail)
{
	struct failure	*f = w->f;

	f->cause = servfail ? FAIL_CHAIN_SERVFAIL : FAIL_CHAIN_HOP;
	failure_server(f, server);
	failure_set(&f->qname, f, name);
	failure_set(&f->zone, f, zone);
}

/*
 * Asks ZONE's servers, one after another, about NAME (type SOA: the answer
 * shows a CNAME or DNAME, or the zone in its SOA, or a referral).
 */
static enum chain_status
hop_ask(const struct walk *w, const char *name, const char *zone,
    struct hop *h)
{
	const struct zone_servers	*zs;
	struct dnsio_opts		 o;
	int				 servfail = 0;

	if ((zs = zones_find(w->ctx, w->cfg, w->cache, zone, w->f)) ==
	    NULL) {
		w->f->cause = FAIL_ZONE_SERVERS;
		failure_set(&w->f->zone, w->f, zone);
		return CHAIN_ERR_DNS;
	}
	for (size_t i = 0; i < zs->n; i++) {
		struct question q = { .name = name, .type = LDNS_RR_TYPE_SOA,
		    .server = &zs->addrs[i] };

		ctx_io_opts(w->ctx, &o);
		if (query_run(&q, 1, &o) == -1)
			return CHAIN_ERR_NOMEM;
		hop_classify(w, &q, zone, h);
		if (q.reply != NULL &&
		    ldns_pkt_get_rcode(q.reply) == LDNS_RCODE_SERVFAIL)
			servfail = 1;
		question_clear(&q);
		if (h->kind != HOP_FAIL) {
			h->server = zs->addrs[i];
			return CHAIN_OK;
		}
		hop_failed(w, &zs->addrs[i], name, zone, servfail);
	}
	return servfail ? CHAIN_ERR_SERVFAIL : CHAIN_ERR_DNS;
}

/* Follows NAME through referrals to its alias target or its zone. */
static enum chain_status
hop_resolve(const struct walk *w, const char *name, struct hop *h)
{
	enum chain_status	 st = CHAIN_ERR_DNS;
	char			*zone = start_zone(w, name);

	if (zone == NULL) {
		w->f->cause = FAIL_ZONE_OF_NAME;
		failure_set(&w->f->qname, w->f, name);
		return CHAIN_ERR_DNS;
	}
	for (int r = 0; r <= REFERRAL_MAX; r++) {
		hop_clear(h);
		if ((st = hop_ask(w, name, zone, h)) != CHAIN_OK ||
		    h->kind != HOP_REFERRAL)
			break;
		/* Delegated child zone: ask its servers (now in the cache). */
		free(zone);
		zone = h->zone;
		h->zone = NULL;
	}
	if (st == CHAIN_OK && h->kind == HOP_REFERRAL) {
		w->f->cause = FAIL_CHAIN_REFERRALS;
		w->f->count = REFERRAL_MAX;
		failure_set(&w->f->zone, w->f, zone);
		st = CHAIN_ERR_DNS;
	}
	if (st == CHAIN_OK && h->kind == HOP_ALIAS) {
		free(h->zone);
		h->zone = zone;	/* the zone the alias was found in */
		zone = NULL;
	}
	free(zone);
	return st;
}

char *
chain_text(const struct chain *c)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*o = open_memstream(&out, &len);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		fprintf(o, "%s%.*s", i > 0 ? " -> " : "",
		    DNAME_BARE(c->names[i]));
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * RFC 4592: does NAME's CNAME come from a wildcard? A made-up sibling of
 * NAME, asked of the same zone's servers, is captured by the same wildcard
 * and gets the same target; a real CNAME at NAME leaves it NXDOMAIN.
 */
static int
cname_is_wildcard(const struct walk *w, const char *name, const char *zone,
    const char *target)
{
	struct failure	 ignored;
	struct walk	 probe_walk = *w;
	struct hop	 h = { 0 };
	char		*probe = NULL;
	int		 wild = 0;

	failure_init(&ignored);
	probe_walk.f = &ignored;
	if (asprintf(&probe, "_acme-nsupdate-probe-%08x.%s", arc4random(),
	    dname_parent(name)) == -1)
		return 0;
	if (hop_ask(&probe_walk, probe, zone, &h) == CHAIN_OK)
		wild = h.kind == HOP_ALIAS && dname_equal(h.target, target);
	hop_clear(&h);
	failure_clear(&ignored);
	free(probe);
	return wild;
}

/* Cuts C after hop I (a wildcard-captured name) and finds that zone's MNAME. */
static enum chain_status
chain_cut(const struct walk *w, struct chain *c, size_t i)
{
	struct hop		 h = { 0 };
	enum chain_status	 st;

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
	st = hop_ask(w, c->zones[i], c->zones[i], &h);
	if (st == CHAIN_OK && h.kind == HOP_END) {
		free(c->mname);
		c->mname = h.mname;
		h.mname = NULL;
	}
	hop_clear(&h);
	return st;
}

static enum chain_status
chain_wildcard_check(const struct walk *w, struct chain *c)
{
	if (c->n < 2 || config_zone_exact(w->cfg, c->zones[c->n - 1]) != NULL)
		return CHAIN_OK;
	/*
	 * The last hop still in a configured zone, if the chain leaves there.
	 */
	for (size_t i = c->n - 1; i-- > 0; ) {
		if (config_zone_exact(w->cfg, c->zones[i]) == NULL)
			continue;
		if (cname_is_wildcard(w, c->names[i], c->zones[i],
		    c->names[i + 1]))
			return chain_cut(w, c, i);
		break;
	}
	return CHAIN_OK;
}

static int
chain_has(const struct chain *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (dname_equal(c->names[i], name))
			return 1;
	return 0;
}

/* F: the chain so far (and TARGET, if it loops back) as the detail. */
static void
chain_failed(const struct walk *w, const struct chain *c,
    enum failure_cause cause, const char *target)
{
	char	*text = chain_text(c), *detail = NULL;

	w->f->cause = cause;
	w->f->count = CHAIN_MAX_HOPS;
	if (text != NULL && target != NULL &&
	    asprintf(&detail, "%s -> %.*s", text, DNAME_BARE(target)) != -1) {
		free(text);
		text = detail;
	}
	free(w->f->detail);
	w->f->detail = text;
}

enum chain_status
chain_follow(const struct ctx *ctx, const struct config *cfg,
    struct zone_cache *cache, const char *name, struct chain *c,
    struct failure *f)
{
	const struct walk	 w = { ctx, cfg, cache, f };
	enum chain_status	 st = CHAIN_OK;
	struct hop		 h = { 0 };

	memset(c, 0, sizeof(*c));
	if ((c->names[0] = strdup(name)) == NULL)
		return CHAIN_ERR_NOMEM;
	c->n = 1;
	for (;;) {
		if ((st = hop_resolve(&w, c->names[c->n - 1], &h)) != CHAIN_OK)
			break;
		c->zones[c->n - 1] = h.zone;
		c->servers[c->n - 1] = h.server;
		h.zone = NULL;
		if (h.kind == HOP_END) {
			c->mname = h.mname;
			h.mname = NULL;
			break;
		}
		if (chain_has(c, h.target)) {
			chain_failed(&w, c, FAIL_CHAIN_LOOP, h.target);
			st = CHAIN_ERR_LOOP;
			break;
		}
		if (c->n == CHAIN_MAX_HOPS + 1) {
			chain_failed(&w, c, FAIL_CHAIN_LONG, NULL);
			st = CHAIN_ERR_LONG;
			break;
		}
		c->names[c->n++] = h.target;
		h.target = NULL;
	}
	hop_clear(&h);
	if (st == CHAIN_OK)
		st = chain_wildcard_check(&w, c);
	if (st == CHAIN_ERR_NOMEM)
		f->cause = FAIL_NOMEM;
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
