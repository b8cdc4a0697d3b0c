/* SPDX-License-Identifier: ISC */
/*
 * native: `add NAME VALUE [NAME VALUE]...`, `remove ...` and
 * `check DOMAIN...` for people and scripts. NAME is a domain, "*.domain" or
 * an _acme-challenge name.
 */

#include <string.h>

#include "challenge.h"
#include "check.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

static int
native_pairs(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	struct run_opts ro = *o;
	int i = 1;

	/* "remove --wait NAME VALUE" reads naturally; accept it after the
	 * command too. */
	if (op == RUN_REMOVE && argc > 1 && strcmp(argv[1], "--wait") == 0) {
		ro.wait_remove = 1;
		i++;
	}
	if (argc - i < 2 || (argc - i) % 2 != 0) {
		msg_error("usage: acme-nsupdate %s NAME VALUE [NAME VALUE]...",
		    argv[0]);
		return EXIT_USAGE;
	}
	return run_words(&ro, op, argv + i, argc - i, 2, 0, 1,
	    CHALLENGE_FROM_DOMAIN);
}

int
native_add(int argc, char **argv, const struct run_opts *o)
{
	return native_pairs(argc, argv, o, RUN_ADD);
}

int
native_remove(int argc, char **argv, const struct run_opts *o)
{
	return native_pairs(argc, argv, o, RUN_REMOVE);
}

int
native_check(int argc, char **argv, const struct run_opts *o)
{
	/* check.c: the steps of DESIGN.md, findings on stdout. */
	return check_main(argc, argv, o);
}
