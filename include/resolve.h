/* SPDX-License-Identifier: ISC */
/*
 * resolve: from each challenge's effective name to the zone that holds it,
 * the zone's primary and its authoritative servers; groups the challenges
 * by zone so that each zone gets one UPDATE and one wait.
 */
#ifndef ACME_NSUPDATE_RESOLVE_H
#define ACME_NSUPDATE_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "challenge.h"
#include "config.h"
#include "dnsio.h"

/* What every stage after the adapter shares for one run. */
struct run_ctx {
	const struct config	*cfg;		/* borrowed */
	const char		*config_path;	/* borrowed, for messages */
	int64_t			 deadline;	/* clock_now_ms() value: end of the run */
	struct dns_server	*resolvers;	/* owned (run_ctx_free) */
	size_t			 n_resolvers;
};

/*
 * Sets up CTX for CFG: the resolvers (config `resolver`, else
 * /etc/resolv.conf) and the deadline (now + cfg->timeout). Returns 0, or -1
 * with err set.
 */
int	run_ctx_init(struct run_ctx *ctx, const struct config *cfg,
	    const char *config_path, char *err, size_t errlen);
void	run_ctx_free(struct run_ctx *ctx);

/* dnsio options for one exchange within the run's deadline. */
void	run_ctx_io_opts(const struct run_ctx *ctx, struct dnsio_opts *o);

struct zone_target {
	const struct zone_conf	*conf;		/* borrowed from the config */
	char			*apex;		/* owned: lower case, absolute */
	char			*primary_name;	/* owned: server = value or SOA MNAME */
	struct dns_server	*primaries;	/* owned: the primary's addresses */
	size_t			 n_primaries;
	struct dns_server	*auths;		/* owned: every authoritative address */
	size_t			 n_auths;
	size_t			*members;	/* owned: indices into the challenge list */
	size_t			 n_members;
};

struct zone_plan {
	struct zone_target	*zones;		/* owned array */
	size_t			 n;
};

enum resolve_status {
	RESOLVE_OK = 0,
	RESOLVE_ERR_NOMEM,
	RESOLVE_ERR_CONFIG,	/* no [zone] for a name, or a zone's settings do not work */
	RESOLVE_ERR_DNS		/* a lookup failed */
};

/*
 * Fills each challenge's zone and zone_name, and PLAN with one target per
 * zone (primary and authoritative addresses found and the zone confirmed by
 * SOA on the primary). On failure err holds the whole message (subject,
 * server, cause, fix) and PLAN is empty. PLAN is freed with zone_plan_free.
 */
enum resolve_status	resolve_plan(const struct run_ctx *ctx,
			    struct challenge_list *l, struct zone_plan *plan,
			    char *err, size_t errlen);

void	zone_plan_free(struct zone_plan *plan);

#endif
