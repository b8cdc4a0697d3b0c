/* SPDX-License-Identifier: ISC */
/*
 * native: `add NAME VALUE [NAME VALUE]...` and `remove ...` for people and
 * scripts. NAME is a domain, "*.domain" or an _acme-challenge name.
 */

#include <stdio.h>
#include <string.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

static int
native_pairs(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	struct challenge_list l = { 0 };
	struct run_opts ro = *o;
	char err[1024];
	int status = EXIT_USAGE;
	int i = 1;

	/* "remove --wait NAME VALUE" reads naturally; accept it after the command too. */
	if (op == RUN_REMOVE && argc > 1 && strcmp(argv[1], "--wait") == 0) {
		ro.wait_remove = 1;
		i++;
	}
	if (argc - i < 2 || (argc - i) % 2 != 0) {
		msg_error("usage: acme-nsupdate %s NAME VALUE [NAME VALUE]...",
		    argv[0]);
		return EXIT_USAGE;
	}
	for (; i + 1 < argc; i += 2) {
		if (challenge_list_add(&l, argv[i], argv[i + 1],
		    CHALLENGE_FROM_DOMAIN, err, sizeof(err)) != CHALLENGE_OK) {
			msg_error("%s", err);
			goto out;
		}
	}
	status = run_challenges(&ro, &l, op);
out:
	challenge_list_free(&l);
	return status;
}

int
native_check(int argc, char **argv, const struct run_opts *o)
{
	struct challenge_list l = { 0 };
	char err[1024];
	int status = EXIT_USAGE;

	if (argc < 2) {
		msg_error("usage: acme-nsupdate check DOMAIN...");
		return EXIT_USAGE;
	}
	/* A diagnosis: show each stage's result unless -q was given. */
	if (msg_verbosity == 1)
		msg_verbosity = 2;
	for (int i = 1; i < argc; i++) {
		if (challenge_list_add(&l, argv[i], NULL, CHALLENGE_FROM_DOMAIN,
		    err, sizeof(err)) != CHALLENGE_OK) {
			msg_error("%s", err);
			goto out;
		}
	}
	status = run_challenges(o, &l, RUN_CHECK);
out:
	challenge_list_free(&l);
	return status;
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
