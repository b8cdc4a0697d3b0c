/* SPDX-License-Identifier: ISC */
/*
 * zones: the authoritative servers of each zone met in a run, found once
 * and shared by chain (asking the zones along a chain) and resolve (the
 * servers the wait polls). From `nameservers =`, else the NS set through
 * the resolvers with glue first, else a referral's NS set and glue.
 */
#ifndef ACME_NSUPDATE_ZONES_H
#define ACME_NSUPDATE_ZONES_H

#include <stddef.h>

#include <ldns/ldns.h>

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"

struct config;

struct zone_servers {
	char			*apex;		/* owned: canonical */
	struct dns_server	*addrs;		/* owned */
	size_t			 n;
};

struct zone_cache {
	/* owned array of owned entries: */
	struct zone_servers	**zones;
	/* an entry never moves once made */
	size_t			 n;
};

/* The servers of APEX from CACHE, or NULL. Borrowed from CACHE. */
const struct zone_servers	*zones_get(const struct zone_cache *cache,
				    const char *apex);

/*
 * The servers of APEX (a zone that exists): from CACHE, else found as
 * above and kept there. NULL on failure, with F's reason set.
 */
const struct zone_servers	*zones_find(const struct ctx *ctx,
				    const struct config *cfg,
				    struct zone_cache *cache, const char *apex,
				    struct failure *f);

/*
 * A referral to CHILD (RFC 1034 4.3.2): its NS set in P's authority
 * section, addresses from P's glue, else the resolvers; kept in CACHE.
 * NULL if no address is found (F's reason set) or out of memory.
 */
const struct zone_servers	*zones_from_referral(const struct ctx *ctx,
				    struct zone_cache *cache, const char *child,
				    const ldns_pkt *p, struct failure *f);

/* Frees every entry; CACHE is left empty. */
void	zones_free(struct zone_cache *cache);

#endif
