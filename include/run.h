/* SPDX-License-Identifier: ISC */
/*
 * run: one pass over a challenge list, the stages in order: config ->
 * resolve -> update -> wait -> report. Every ACME client's adapter ends here.
 */
#ifndef ACME_NSUPDATE_RUN_H
#define ACME_NSUPDATE_RUN_H

#include "challenge.h"

/*
 * Exit status (DESIGN.md): 0 done, 1 DNS or propagation failure, 2 usage or
 * config.
 */
#define EXIT_DNS	1
#define EXIT_USAGE	2

enum run_op {
	RUN_ADD,
	RUN_REMOVE
};

struct run_opts {
	const char	*config_path;	/* borrowed: -c FILE, or NULL */
	/* --wait: remove waits until no server serves it */
	int		 wait_remove;
	/* after an add, one line per challenge on stdout */
	int		 print_results;
	/* one-name-at-a-time clients (lego, uacme): see below */
	int		 settle;
};

/*
 * settle: a client that validates one authorization at a time removes the
 * value of `x` and then adds the value of `*.x` at the same name; the CA's
 * resolver may still hold the first answer for its TTL and fail the second.
 * With settle, a removal notes when it happened (spool.h), and an add at
 * the same name returns only once that answer has expired everywhere.
 */

/*
 * The stdout line of print_results, also read back by adapters (certbot's
 * CERTBOT_AUTH_OUTPUT): "acme-nsupdate NAME EFFECTIVE ZONE", absolute names.
 */
#define RUN_RESULT_TAG	"acme-nsupdate"

/*
 * Loads the config, resolves, updates every zone (one UPDATE per zone) and,
 * for RUN_ADD, waits. Reports every failure once. Returns the exit status.
 * If adding fails after an UPDATE went out, what was added is removed
 * again, so nothing is left half done.
 */
int	run_challenges(const struct run_opts *o, struct challenge_list *l,
	    enum run_op op);

/*
 * sweep (DESIGN.md): removes from the servers every value of the journal
 * that no running process owns and that was written at least OLDER_THAN
 * seconds ago, zone by zone, each removal confirmed on the primary;
 * prints one line per value on stdout ("removed|failed|would-remove NAME
 * EFFECTIVE VALUE"). DRY_RUN: prints only. Returns the exit status: 1 if
 * some value could not be removed (it stays in the journal).
 */
int	run_sweep(const struct run_opts *o, long long older_than, int dry_run);

/*
 * For adapters that keep state between calls (certbot's batch): loads the
 * config and opens its state directory (spool.h) into *STATE, which the
 * caller closes. Returns 0, or the exit status of a reported failure.
 */
int	run_state_open(const struct run_opts *o, int *state);

/*
 * A run of RUN_ADD catches SIGINT, SIGTERM and SIGHUP: the network stages
 * stop early (ctx's cancel flag), what was added is removed (cancellation
 * off, within a bounded time of the run's timeout), and the status is
 * 128 + the signal. A second signal exits at once (_exit), leaving the
 * journal to sweep.
 */

struct persist_spec;

/*
 * persist (DESIGN.md): writes SPEC's record at _validation-persist.DOMAIN
 * through the chain, zone, update, confirm and wait path of add,
 * replacing only an earlier record of the same issuer and account; with
 * spec->remove deletes that one (every record of the issuer without an
 * account). Everything is checked before the config is read. Returns the
 * exit status.
 */
int	run_persist(const struct run_opts *o, const struct persist_spec *spec);

#endif
