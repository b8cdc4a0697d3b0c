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

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "zones.h"

#define CHAIN_MAX_HOPS	16

struct config;

struct chain {
	/* owned: names[0] the start, names[n - 1] effective */
	char	*names[CHAIN_MAX_HOPS + 1];
	/* owned: apex of the zone each name was found in */
	char	*zones[CHAIN_MAX_HOPS + 1];
	/* the server that answered for each name */
	struct dns_server servers[CHAIN_MAX_HOPS + 1];
	size_t	 n;
	char	*mname;			/* owned: SOA MNAME of the last zone */
	/* the chain was cut at a wildcard CNAME (see below) */
	int	 wildcard_cut;
	/* owned: where the wildcard pointed, when cut */
	char	*wildcard_target;
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
 * Follows the chain from NAME (canonical). On CHAIN_OK, C holds every hop,
 * the zone of the last one and its MNAME. If the chain leaves the
 * configured zones (CFG) only through a wildcard CNAME (RFC 4592) that
 * captured a name, the chain is cut there: that name is written instead
 * (once it exists the wildcard no longer applies, for the CA too) and
 * wildcard_cut says so. On failure F says which hop, which server and what
 * it answered (its subject is the caller's). CACHE (caller owns) keeps
 * zone servers between calls. C is freed with chain_free.
 */
enum chain_status	chain_follow(const struct ctx *ctx,
			    const struct config *cfg, struct zone_cache *cache,
			    const char *name, struct chain *c,
			    struct failure *f);

void	chain_free(struct chain *c);

/* "a -> b -> c", names without their trailing dot (caller frees), or NULL. */
char	*chain_text(const struct chain *c);

#endif
