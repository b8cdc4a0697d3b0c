/* SPDX-License-Identifier: ISC */
/*
 * dehydrated: HOOK pointing at the binary. `deploy_challenge` and
 * `clean_challenge` take one DOMAIN TOKEN VALUE triple, or several with
 * HOOK_CHAIN=yes. Every other hook name, including the probe dehydrated
 * sends at start-up to check that unknown names are ignored, does nothing:
 * main.c knows them by their form (DESIGN.md).
 */

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

static int
dehydrated_run(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	struct challenge_list	 l = { 0 };
	enum challenge_status	 st = CHALLENGE_OK;
	char			 err[1024];

	if (argc < 4 || (argc - 1) % 3 != 0) {
		msg_error("usage (dehydrated HOOK): acme-nsupdate %s DOMAIN "
		    "TOKEN VALUE [DOMAIN TOKEN VALUE]...", argv[0]);
		return EXIT_USAGE;
	}
	/* The token names the HTTP-01 file; DNS-01 needs domain and value. */
	for (int i = 1; i + 2 < argc && st == CHALLENGE_OK; i += 3)
		st = challenge_list_add(&l, argv[i], argv[i + 2],
		    CHALLENGE_FROM_DOMAIN, err, sizeof(err));
	return hooks_run(o, &l, op, st, err);
}

int
dehydrated_deploy(int argc, char **argv, const struct run_opts *o)
{
	return dehydrated_run(argc, argv, o, RUN_ADD);
}

int
dehydrated_clean(int argc, char **argv, const struct run_opts *o)
{
	return dehydrated_run(argc, argv, o, RUN_REMOVE);
}
