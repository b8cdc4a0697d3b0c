/* SPDX-License-Identifier: ISC */
/* plan: the zone targets resolve builds and update and wait read. */

#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct zone_target *
plan_target(struct zone_plan *plan, const struct zone_conf *zc,
    const char *apex)
{
	struct zone_target	*zones, *z;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->zones[i].conf == zc)
			return &plan->zones[i];
	zones = reallocarray(plan->zones, plan->n + 1, sizeof(*zones));
	if (zones == NULL)
		return NULL;
	plan->zones = zones;
	z = &zones[plan->n];
	memset(z, 0, sizeof(*z));
	z->conf = zc;
	if ((z->apex = strdup(apex)) == NULL)
		return NULL;
	plan->n++;
	return z;
}

int
plan_add_member(struct zone_target *z, size_t idx)
{
	size_t	*m;

	m = reallocarray(z->members, z->n_members + 1, sizeof(*m));
	if (m == NULL)
		return -1;
	m[z->n_members++] = idx;
	z->members = m;
	return 0;
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
