/* SPDX-License-Identifier: ISC */
/*
 * chain: follows CNAME and DNAME from a challenge name to the effective
 * name, as the CA will see it, and finds the zone that holds it (RFC 1034
 * 3.6.2, RFC 6672). Recursive resolvers are asked only about names that
 * exist (zone apexes, server names); the challenge name and every target
 * are asked of the zones' authoritative servers directly (RD=0), following
 * referrals, so that no resolver caches a negative answer the CA would see.
 */
#ifndef ACME_NSUPDATE_CHAIN_H
#define ACME_NSUPDATE_CHAIN_H

#include <stddef.h>

#include "dnsio.h"
#include "resolve.h"

#define CHAIN_MAX_HOPS	16

/* The servers of one zone, found once per run and shared by every chain. */
struct zone_servers {
	char			*apex;		/* owned */
	struct dns_server	*addrs;		/* owned */
	size_t			 n;
};

struct zone_cache {
	struct zone_servers	**zones;	/* owned array of owned entries: */
	size_t			 n;		/* an entry never moves once made */
};

struct chain {
	char	*names[CHAIN_MAX_HOPS + 1];	/* owned: names[0] the start, names[n - 1] effective */
	char	*zones[CHAIN_MAX_HOPS + 1];	/* owned: apex of the zone each name was found in */
	size_t	 n;
	char	*mname;			/* owned: SOA MNAME of the last zone */
	int	 wildcard_cut;		/* the chain was cut at a wildcard CNAME (see below) */
	char	*wildcard_target;	/* owned: where the wildcard pointed, when cut */
};

enum chain_status {
	CHAIN_OK = 0,
	CHAIN_ERR_NOMEM,
	CHAIN_ERR_LOOP,		/* a name repeats */
	CHAIN_ERR_LONG,		/* more than CHAIN_MAX_HOPS */
	CHAIN_ERR_SERVFAIL,	/* SERVFAIL at a hop */
	CHAIN_ERR_DNS		/* no usable answer at a hop */
};

/*
 * Follows the chain from NAME (absolute, lower case). On CHAIN_OK, C holds
 * every hop, the zone of the last one and its MNAME. If the chain leaves
 * the configured zones only through a wildcard CNAME (RFC 4592) that
 * captured a name, the chain is cut there: that name is written instead
 * (once it exists the wildcard no longer applies, for the CA too) and
 * wildcard_cut says so. On failure err says which hop, which server, what
 * it answered and what to do. CACHE (caller owns) keeps zone servers
 * between calls. C is freed with chain_free.
 */
enum chain_status	chain_follow(const struct run_ctx *ctx,
			    struct zone_cache *cache, const char *name,
			    struct chain *c, char *err, size_t errlen);

void	chain_free(struct chain *c);
void	zone_cache_free(struct zone_cache *cache);

/* The servers of APEX from CACHE (found by an earlier chain_follow), or NULL. */
const struct zone_servers	*zone_cache_get(const struct zone_cache *cache,
				    const char *apex);

/* "a -> b -> c" without trailing dots, into BUF. */
const char	*chain_text(const struct chain *c, char *buf, size_t len);

#endif
