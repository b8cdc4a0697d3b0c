/* SPDX-License-Identifier: ISC */
/*
 * plan: what resolve hands to update and wait: one target per zone, with
 * its primary, its authoritative addresses and the challenges it holds.
 */
#ifndef ACME_NSUPDATE_PLAN_H
#define ACME_NSUPDATE_PLAN_H

#include <stddef.h>

#include "dnsio.h"

struct zone_conf;

struct zone_target {
	const struct zone_conf	*conf;		/* borrowed from the config */
	char			*apex;		/* owned: canonical */
	/* owned: server = value or SOA MNAME */
	char			*primary_name;
	/* owned: the primary's addresses */
	struct dns_server	*primaries;
	size_t			 n_primaries;
	/* owned: every authoritative address */
	struct dns_server	*auths;
	size_t			 n_auths;
	/* owned: indices into the challenge list */
	size_t			*members;
	size_t			 n_members;
};

struct zone_plan {
	struct zone_target	*zones;		/* owned array */
	size_t			 n;
};

/*
 * The target for zone ZC in PLAN, made (with APEX copied) if there is none
 * yet. Returns a pointer into PLAN (valid until the next call), or NULL
 * when out of memory.
 */
struct zone_target	*plan_target(struct zone_plan *plan,
			    const struct zone_conf *zc, const char *apex);

/* Adds challenge index IDX to Z's members. Returns 0, or -1 (ENOMEM). */
int	plan_add_member(struct zone_target *z, size_t idx);

/* Frees every target; PLAN is left empty. */
void	zone_plan_free(struct zone_plan *plan);

#endif
