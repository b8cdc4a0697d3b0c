/* SPDX-License-Identifier: ISC */
/*
 * hooks: what every adapter does once it has its client's challenge list:
 * report a list it could not build, else run it.
 */

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

int
hooks_run(const struct run_opts *o, struct challenge_list *l,
    enum run_op op, enum challenge_status st, const char *err)
{
	int	 status = EXIT_USAGE;

	if (st != CHALLENGE_OK)
		msg_error("%s", err);
	else
		status = run_challenges(o, l, op);
	challenge_list_free(l);
	return status;
}
