/* SPDX-License-Identifier: ISC */
/*
 * uacme: `-h` pointing at the binary; called as
 * `begin|done|failed TYPE IDENT TOKEN AUTH`. `begin` exits 0 to take a
 * challenge and non-zero to decline it, so every type but dns-01 is
 * declined quietly; for dns-01 AUTH is already the TXT value. uacme asks
 * the CA to validate as soon as `begin` returns: the wait is done by then.
 */

#include <string.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

/* uacme's convention: any non-zero status from begin declines. */
#define UACME_DECLINE	1

static int
uacme_run(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	struct challenge_list	 l = { 0 };
	struct run_opts		 ro = *o;
	char			 err[1024];

	/* uacme validates one authorization at a time: see settle in run.h. */
	ro.settle = 1;
	if (argc != 5) {
		msg_error("usage (uacme -h): acme-nsupdate begin|done|failed "
		    "TYPE IDENT TOKEN AUTH");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "dns-01") != 0)
		return op == RUN_ADD ? UACME_DECLINE : 0;
	/* TYPE IDENT TOKEN AUTH: the name is IDENT, the value AUTH. */
	return hooks_run(&ro, &l, op, challenge_list_add(&l, argv[2], argv[4],
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), err);
}

int
uacme_begin(int argc, char **argv, const struct run_opts *o)
{
	return uacme_run(argc, argv, o, RUN_ADD);
}

int
uacme_end(int argc, char **argv, const struct run_opts *o)
{
	/* done and failed alike: the value is no longer needed. */
	return uacme_run(argc, argv, o, RUN_REMOVE);
}
