/* SPDX-License-Identifier: ISC */
/*
 * wait: polls every authoritative address of every zone directly (RD=0),
 * all in one poll loop per round, until each serves the change (or, for a
 * removal, no longer serves it) or the run's deadline passes.
 */
#ifndef ACME_NSUPDATE_WAIT_H
#define ACME_NSUPDATE_WAIT_H

#include "challenge.h"
#include "ctx.h"
#include "failure.h"
#include "plan.h"

/* queries to one address in any one second, at most */
#define WAIT_RATE_MAX	10
#define WAIT_POLL_MS	(1000 / WAIT_RATE_MAX)	/* interval while eager */
#define WAIT_EAGER_MS	15000	/* polls at WAIT_POLL_MS for this long, */
#define WAIT_MAX_MS	1000	/* then intervals grow by half up to this */
/* failed polls before require=reachable drops a server */
#define WAIT_GRACE	3

struct config;

enum wait_goal {
	WAIT_SERVED,	/* every value is served */
	WAIT_GONE	/* no value is served any more */
};

enum wait_status {
	WAIT_OK = 0,
	WAIT_ERR_NOMEM,
	/* F's detail names each server not done and what it last answered */
	WAIT_ERR_TIMEOUT,
	/* ctx's cancel flag was set (a signal); F untouched */
	WAIT_ERR_CANCELLED
};

/*
 * Waits for GOAL on every authoritative address of every zone in PLAN
 * (members index L). Progress: one line per change of a server's state.
 * With CFG's require = reachable, a server that has not answered with
 * authority for WAIT_GRACE rounds is warned about and no longer waited
 * for, as long as another server of its zone answers.
 */
enum wait_status	wait_for(const struct ctx *ctx,
			    const struct config *cfg,
			    const struct zone_plan *plan,
			    const struct challenge_list *l, enum wait_goal goal,
			    struct failure *f);

#endif
