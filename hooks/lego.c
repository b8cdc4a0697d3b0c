/* SPDX-License-Identifier: ISC */
/*
 * lego: `--dns exec` with EXEC_PATH pointing at the binary (also what the
 * acme.sh dnsapi file calls). Default mode: `present|cleanup FQDN VALUE`,
 * FQDN being the TXT owner lego computed (it may already have followed
 * CNAMEs): used as given, CNAMEs from it still followed. EXEC_MODE=RAW:
 * `present|cleanup -- DOMAIN TOKEN KEYAUTH`; the value is computed here.
 */

#include <string.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"

static int
lego_usage(const char *cmd)
{
	msg_error("usage (lego --dns exec): acme-nsupdate %s FQDN VALUE, or "
	    "with EXEC_MODE=RAW: acme-nsupdate %s -- DOMAIN TOKEN KEYAUTH",
	    cmd, cmd);
	return EXIT_USAGE;
}

static int
lego_run(int argc, char **argv, const struct run_opts *o, enum run_op op)
{
	char			 value[CHALLENGE_VALUE_LEN + 1], err[1024];
	struct challenge_list	 l = { 0 };
	struct run_opts		 ro = *o;

	/* lego solves one name at a time: see settle in run.h. */
	ro.settle = 1;
	if (argc == 3)
		return hooks_run(&ro, &l, op, challenge_list_add(&l, argv[1],
		    argv[2], CHALLENGE_AS_GIVEN, err, sizeof(err)), err);
	if (argc != 5 || strcmp(argv[1], "--") != 0)
		return lego_usage(argv[0]);
	/* RAW: -- DOMAIN TOKEN KEYAUTH; the TXT value is computed here. */
	if (challenge_value_from_keyauth(argv[4], value) == -1) {
		msg_error("%s: cannot compute the digest of the key "
		    "authorization (OpenSSL failed)", argv[2]);
		return EXIT_USAGE;
	}
	return hooks_run(&ro, &l, op, challenge_list_add(&l, argv[2], value,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), err);
}

int
lego_present(int argc, char **argv, const struct run_opts *o)
{
	return lego_run(argc, argv, o, RUN_ADD);
}

int
lego_cleanup(int argc, char **argv, const struct run_opts *o)
{
	return lego_run(argc, argv, o, RUN_REMOVE);
}
