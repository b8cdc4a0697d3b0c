/* SPDX-License-Identifier: ISC */
/*
 * certbot: --manual-auth-hook "acme-nsupdate certbot-auth" and
 * --manual-cleanup-hook "acme-nsupdate certbot-cleanup". certbot runs every
 * auth hook, one at a time, before it answers any challenge, and sets
 * CERTBOT_REMAINING_CHALLENGES (certbot >= 1.4): the values of a run are
 * kept in a private batch (spool.c) and sent on the last call, one UPDATE
 * per zone and one wait. What the auth hook prints comes back to the
 * cleanup hook as CERTBOT_AUTH_OUTPUT: the effective name and zone, so
 * cleanup does not follow the chain again.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"
#include "spool.h"

/*
 * certbot shows anything a hook writes to stderr as a warning ("ran with
 * error output"): by default only real warnings and errors, -v for more.
 */
static void
certbot_quiet(void)
{
	if (msg_verbosity == 1)
		msg_verbosity = 0;
}

/* The two variables every certbot hook needs; -1 (reported) if one is unset. */
static int
certbot_env(const char *cmd, const char **domain, const char **value)
{
	const char	*missing = NULL;

	if ((*domain = getenv("CERTBOT_DOMAIN")) == NULL)
		missing = "CERTBOT_DOMAIN";
	else if ((*value = getenv("CERTBOT_VALIDATION")) == NULL)
		missing = "CERTBOT_VALIDATION";
	if (missing == NULL)
		return 0;
	msg_error("%s: %s is not set; certbot sets it when it runs "
	    "--manual-auth-hook \"acme-nsupdate certbot-auth\" and "
	    "--manual-cleanup-hook \"acme-nsupdate certbot-cleanup\"", cmd,
	    missing);
	return -1;
}

/* Checks the pair as challenge_list_add will; -1 (reported) if bad. */
static int
certbot_check(const char *domain, const char *value)
{
	char	 err[512], *name = NULL;

	if (challenge_name_derive(domain, CHALLENGE_FROM_DOMAIN, &name, err,
	    sizeof(err)) != CHALLENGE_OK ||
	    challenge_value_check(value, err, sizeof(err)) != CHALLENGE_OK) {
		msg_error("%s: %s", domain, err);
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

/*
 * Queues the pair in the batch of STATE when more challenges follow.
 * Returns 0 when queued, -1 when the update goes out now.
 */
static int
certbot_queue(int state, const char *domain, const char *value,
    const char *remaining, const char *all)
{
	if (state == -1 || atoi(remaining) <= 0)
		return -1;
	if (spool_batch_append(state, all, domain, value) == 0) {
		msg_progress("%s: queued; the update goes out with the last of "
		    "this run's %s more challenge(s)", domain, remaining);
		return 0;
	}
	msg_warn("%s: cannot queue the value in the state directory (%s); "
	    "updating now", domain, strerror(errno));
	return -1;
}

int
certbot_auth(int argc, char **argv, const struct run_opts *o)
{
	const char		*domain, *value, *remaining, *all;
	struct challenge_list	 l = { 0 };
	struct run_opts		 ro = *o;
	char			 err[1024];
	int			 state = -1, status;

	(void)argc;
	certbot_quiet();
	if (certbot_env(argv[0], &domain, &value) == -1)
		return EXIT_USAGE;
	remaining = getenv("CERTBOT_REMAINING_CHALLENGES");
	all = getenv("CERTBOT_ALL_DOMAINS");
	/* Checked before it is queued: a bad pair never reaches the batch. */
	if (certbot_check(domain, value) == -1)
		return EXIT_USAGE;
	/* certbot before 1.4 sets neither: one update per call. */
	if (remaining != NULL && all != NULL &&
	    (status = run_state_open(o, &state)) != 0)
		return status;
	status = certbot_queue(state, domain, value, remaining, all);
	if (status != -1)
		goto out;
	ro.print_results = 1;
	if (state != -1 && spool_batch_take(state, all, &l, err,
	    sizeof(err)) == -1) {
		msg_error("%s", err);
		challenge_list_free(&l);
		status = EXIT_USAGE;
		goto out;
	}
	status = hooks_run(&ro, &l, RUN_ADD, challenge_list_add(&l, domain,
	    value, CHALLENGE_FROM_DOMAIN, err, sizeof(err)), err);
out:
	if (state != -1)
		close(state);
	return status;
}

/* Takes the effective name and zone from the auth hook's result line for C. */
static void
hint_from_auth_output(struct challenge *c, const char *output)
{
	const char	*p = output;

	while (p != NULL && *p != '\0') {
		char	 tag[32], name[300], effective[300], zone[300];

		if (sscanf(p, "%31s %299s %299s %299s", tag, name, effective,
		    zone) == 4 && strcmp(tag, RUN_RESULT_TAG) == 0 &&
		    strcmp(name, c->name) == 0) {
			if (challenge_set_hint(c, effective, zone) == -1)
				msg_warn("%s: out of memory reading "
				    "CERTBOT_AUTH_OUTPUT", c->domain);
			return;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
}

int
certbot_cleanup(int argc, char **argv, const struct run_opts *o)
{
	const char		*domain, *value;
	const char		*output = getenv("CERTBOT_AUTH_OUTPUT");
	struct challenge_list	 l = { 0 };
	enum challenge_status	 st;
	char			 err[1024];

	(void)argc;
	certbot_quiet();
	if (certbot_env(argv[0], &domain, &value) == -1)
		return EXIT_USAGE;
	st = challenge_list_add(&l, domain, value, CHALLENGE_FROM_DOMAIN, err,
	    sizeof(err));
	if (st == CHALLENGE_OK && output != NULL)
		hint_from_auth_output(&l.items[0], output);
	return hooks_run(o, &l, RUN_REMOVE, st, err);
}
