/* SPDX-License-Identifier: ISC */
/*
 * native: `add NAME VALUE [NAME VALUE]...`, `remove ...` and
 * `check DOMAIN...` for people and scripts. NAME is a domain, "*.domain" or
 * an _acme-challenge name.
 */

#include <string.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

static int
native_pairs(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	struct challenge_list	 l = { 0 };
	struct run_opts		 ro = *o;
	char			 err[1024];
	int			 i = 1;

	/* "remove --wait NAME VALUE" reads naturally: after the command too. */
	if (op == RUN_REMOVE && argc > 1 && strcmp(argv[1], "--wait") == 0) {
		ro.wait_remove = 1;
		i++;
	}
	if (argc - i < 2 || (argc - i) % 2 != 0) {
		msg_error("usage: acme-nsupdate %s NAME VALUE [NAME VALUE]...",
		    argv[0]);
		return EXIT_USAGE;
	}
	return hooks_run(&ro, &l, op, challenge_list_add_pairs(&l, argv + i,
	    (size_t)(argc - i), CHALLENGE_FROM_DOMAIN, err, sizeof(err)), err);
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
	struct challenge_list	 l = { 0 };
	char			 err[1024];

	if (argc < 2) {
		msg_error("usage: acme-nsupdate check DOMAIN...");
		return EXIT_USAGE;
	}
	/* A diagnosis: show each stage's result unless -q was given. */
	if (msg_verbosity == 1)
		msg_verbosity = 2;
	return hooks_run(o, &l, RUN_CHECK, challenge_list_add_names(&l,
	    argv + 1, (size_t)(argc - 1), CHALLENGE_FROM_DOMAIN, err,
	    sizeof(err)), err);
}
