/* SPDX-License-Identifier: ISC */
/*
 * certbot: --manual-auth-hook "acme-nsupdate certbot-auth" and
 * --manual-cleanup-hook "acme-nsupdate certbot-cleanup". certbot runs every
 * auth hook, one at a time, before it answers any challenge, and sets
 * CERTBOT_REMAINING_CHALLENGES (certbot >= 1.4): the values of a run are
 * kept in a private batch (spool.c) and sent on the last call, one UPDATE
 * per zone and one wait. What the auth hook prints comes back to the
 * cleanup hook as CERTBOT_AUTH_OUTPUT: the effective name and zone, a
 * hint that cleanup uses only where the chain agrees (resolve.c).
 */

#include <sys/types.h>

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

/* Shells that certbot's hook command (run with /bin/sh -c) may leave. */
static int
certbot_is_shell(const char *comm)
{
	static const char *const shells[] = { "sh", "dash", "bash", "ash",
	    "busybox", "zsh", "ksh", "mksh" };

	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(comm, shells[i]) == 0)
			return 1;
	return 0;
}

/*
 * The parent of PID and its command name, from /proc/PID/stat ("PID
 * (COMM) STATE PPID ..."; COMM may hold blanks and parentheses: it ends
 * at the last ')'). Returns the parent, or 0 if it cannot be read.
 */
static pid_t
certbot_proc_parent(pid_t pid, char *comm, size_t len)
{
	char	 path[64], line[512], *open_paren, *close_paren;
	long	 ppid = 0;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	open_paren = strchr(line, '(');
	close_paren = strrchr(line, ')');
	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren ||
	    sscanf(close_paren + 1, " %*c %ld", &ppid) != 1)
		return 0;
	n = (size_t)(close_paren - open_paren - 1);
	if (n >= len)
		n = len - 1;
	memcpy(comm, open_paren + 1, n);
	comm[n] = '\0';
	return (pid_t)ppid;
}

/*
 * certbot's PID: the parent, or the nearest ancestor that is not a shell
 * (certbot runs the hook command with /bin/sh -c, which may stay between
 * it and us). Where /proc cannot say, the parent.
 */
static pid_t
certbot_pid(void)
{
	pid_t	 pid = getppid(), up;
	char	 comm[64];

	for (int hops = 0; hops < 4; hops++) {
		up = certbot_proc_parent(pid, comm, sizeof(comm));
		if (up <= 1 || !certbot_is_shell(comm))
			break;
		pid = up;
	}
	return pid;
}

/*
 * The batch of this certbot run: its PID and CERTBOT_ALL_DOMAINS, so that
 * two runs for the same names at once never meet in one batch. NULL when
 * out of memory; the caller frees.
 */
static char *
certbot_batch_key(const char *all)
{
	char	*key = NULL;

	if (asprintf(&key, "certbot %ld %s", (long)certbot_pid(), all) == -1)
		return NULL;
	return key;
}

/*
 * Queues the pair in batch KEY of STATE when more challenges follow.
 * Returns 0 when queued, -1 when the update goes out now.
 */
static int
certbot_queue(int state, const char *domain, const char *value,
    const char *remaining, const char *key)
{
	if (state == -1 || atoi(remaining) <= 0)
		return -1;
	if (spool_batch_append(state, key, domain, value) == 0) {
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
	char			 err[1024], *key = NULL;
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
	/* The batch of this certbot run alone (certbot_batch_key). */
	if (remaining != NULL && all != NULL &&
	    (key = certbot_batch_key(all)) == NULL) {
		msg_error("%s: out of memory", domain);
		status = EXIT_DNS;
		goto out;
	}
	status = key != NULL ? certbot_queue(state, domain, value, remaining,
	    key) : -1;
	if (status != -1)
		goto out;
	ro.print_results = 1;
	if (state != -1 && key != NULL && spool_batch_take(state, key, &l, err,
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
	free(key);
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
