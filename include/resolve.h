/* SPDX-License-Identifier: ISC */
/*
 * resolve: from each challenge's effective name to the zone that holds it,
 * the zone's primary and its authoritative servers; groups the challenges
 * by zone so that each zone gets one UPDATE and one wait.
 */
#ifndef ACME_NSUPDATE_RESOLVE_H
#define ACME_NSUPDATE_RESOLVE_H

#include "challenge.h"
#include "ctx.h"
#include "failure.h"
#include "plan.h"

struct config;

enum resolve_status {
	RESOLVE_OK = 0,
	RESOLVE_ERR_NOMEM,
	/* the zone has no [zone], or its settings do not work */
	RESOLVE_ERR_CONFIG,
	RESOLVE_ERR_DNS		/* a lookup failed */
};

/*
 * Fills each challenge's zone and zone_name, and PLAN with one target per
 * zone (primary and authoritative addresses found and the zone confirmed by
 * SOA on the primary). On failure F says what failed and PLAN is empty.
 * PLAN is freed with zone_plan_free.
 */
enum resolve_status	resolve_plan(const struct ctx *ctx,
			    const struct config *cfg, struct challenge_list *l,
			    struct zone_plan *plan, struct failure *f);

#endif
