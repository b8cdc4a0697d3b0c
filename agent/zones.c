/* SPDX-License-Identifier: ISC */
/*
 * zones: a zone's authoritative addresses, found once per run: from the
 * config, from the NS set (RFC 1034 4.2.1) with glue (RFC 1034 4.2.1,
 * additional section) before asking the resolvers for host addresses.
 */

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "failure.h"
#include "stub.h"
#include "zones.h"

#define ZONE_MAX_ADDRS	(STUB_MAX_ADDRS * 2)

const struct zone_servers *
zones_get(const struct zone_cache *cache, const char *apex)
{
	for (size_t i = 0; i < cache->n; i++)
		if (dname_equal(cache->zones[i]->apex, apex))
			return cache->zones[i];
	return NULL;
}

/* Takes ADDRS (freed on failure). The entry stays where it is. */
static const struct zone_servers *
zones_put(struct zone_cache *cache, const char *apex,
    struct dns_server *addrs, size_t n)
{
	struct zone_servers	**zones, *z = calloc(1, sizeof(*z));

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

/*
 * Addresses for every NS name in NS: glue from ADDITIONAL first, else the
 * resolvers. Returns a new array (caller frees) of *n addresses, maybe 0.
 */
static struct dns_server *
ns_addresses(const struct ctx *ctx, const ldns_rr_list *ns,
    const ldns_rr_list *additional, size_t *n, struct failure *f)
{
	struct dns_server	*addrs;

	*n = 0;
	if ((addrs = calloc(ZONE_MAX_ADDRS, sizeof(*addrs))) == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		ldns_rr			*rr = ldns_rr_list_rr(ns, i);
		struct dns_server	*found;
		size_t			 before = *n, nfound;
		char			*host;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS ||
		    ldns_rr_rd_count(rr) != 1)
			continue;
		if (additional != NULL)
			stub_addrs_from_rrs(additional, ldns_rr_rdf(rr, 0),
			    ctx->port, addrs, n, ZONE_MAX_ADDRS);
		if (*n > before ||
		    (host = dname_from_rdf(ldns_rr_rdf(rr, 0))) == NULL)
			continue;
		if (stub_addresses(ctx, host, ctx->port, &found, &nfound,
		    f) == 0) {
			for (size_t k = 0; k < nfound && *n < ZONE_MAX_ADDRS;
			    k++)
				addrs[(*n)++] = found[k];
			free(found);
		}
		free(host);
	}
	return addrs;
}

/* `nameservers =` of APEX's own [zone], as the zone's servers. */
static const struct zone_servers *
zones_from_config(struct zone_cache *cache, const struct zone_conf *zc)
{
	struct dns_server	*addrs;

	if ((addrs = calloc(zc->n_nameservers, sizeof(*addrs))) == NULL)
		return NULL;
	memcpy(addrs, zc->nameservers, zc->n_nameservers * sizeof(*addrs));
	return zones_put(cache, zc->name, addrs, zc->n_nameservers);
}

const struct zone_servers *
zones_find(const struct ctx *ctx, const struct config *cfg,
    struct zone_cache *cache, const char *apex, struct failure *f)
{
	const struct zone_servers	*z = zones_get(cache, apex);
	const struct zone_conf		*zc;
	struct dns_server		*addrs = NULL;
	size_t				 n = 0;
	ldns_pkt			*p;

	if (z != NULL)
		return z;
	zc = config_zone_exact(cfg, apex);
	if (zc != NULL && zc->n_nameservers > 0)
		return zones_from_config(cache, zc);
	if ((p = stub_ask(ctx, apex, LDNS_RR_TYPE_NS, f)) != NULL) {
		addrs = ns_addresses(ctx, ldns_pkt_answer(p),
		    ldns_pkt_additional(p), &n, f);
		ldns_pkt_free(p);
	}
	/* No NS addresses, but the primary's address is configured. */
	if (n == 0 && zc != NULL && zc->server_addr != NULL) {
		free(addrs);
		if ((addrs = malloc(sizeof(*addrs))) == NULL)
			return NULL;
		addrs[0] = *zc->server_addr;
		n = 1;
	}
	if (n == 0) {
		if (f->reason == REASON_NONE) {
			f->reason = REASON_NO_NS_ADDRESS;
			failure_set(&f->zone, f, apex);
		}
		free(addrs);
		return NULL;
	}
	return zones_put(cache, apex, addrs, n);
}

const struct zone_servers *
zones_from_referral(const struct ctx *ctx, struct zone_cache *cache,
    const char *child, const ldns_pkt *p, struct failure *f)
{
	const struct zone_servers	*z = zones_get(cache, child);
	struct dns_server		*addrs;
	size_t				 n;

	if (z != NULL)
		return z;
	addrs = ns_addresses(ctx, ldns_pkt_authority(p),
	    ldns_pkt_additional(p), &n, f);
	if (addrs == NULL || n == 0) {
		free(addrs);
		return NULL;
	}
	return zones_put(cache, child, addrs, n);
}

void
zones_free(struct zone_cache *cache)
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
