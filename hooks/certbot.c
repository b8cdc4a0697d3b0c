/* SPDX-License-Identifier: ISC */
/*
 * certbot: --manual-auth-hook "acme-nsupdate certbot-auth" and
 * --manual-cleanup-hook "acme-nsupdate certbot-cleanup". certbot runs every
 * auth hook, one at a time, before it answers any challenge, and sets
 * CERTBOT_REMAINING_CHALLENGES (certbot >= 1.4): the values of a run are
 * kept in a private spool file and sent on the last call, one UPDATE per
 * zone and one wait. What the auth hook prints comes back to the cleanup
 * hook as CERTBOT_AUTH_OUTPUT: the effective name and zone, so cleanup
 * does not follow the chain again.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "challenge.h"
#include "hooks.h"
#include "msg.h"
#include "run.h"
#include "spool.h"

#define SPOOL_STALE_S	600	/* an older spool belongs to a run that died */

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

/* The two variables every certbot hook needs; -1 (reported) if one is missing.
 */
static int
certbot_env(const char *cmd, const char **domain, const char **value)
{
	const char *missing = NULL;

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

static int
spool_is_stale(int fd)
{
	struct stat st;

	return fstat(fd, &st) == -1 || time(NULL) - st.st_mtime > SPOOL_STALE_S;
}

static int
spool_append(const char *path, const char *domain, const char *value)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	FILE *f;

	if (fd == -1)
		return -1;
	if (spool_is_stale(fd) && ftruncate(fd, 0) == -1) {
		close(fd);
		return -1;
	}
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "%s %s\n", domain, value);
	return fclose(f) == 0 ? 0 : -1;
}

/* Adds the spooled pairs of a fresh spool to L and removes the file. */
static int
spool_take(const char *path, struct challenge_list *l, char *err,
    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char line[600], domain[300], value[100];
	FILE *f;
	int rc = 0;

	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	unlink(path);
	if (spool_is_stale(fd) || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%299s %99s", domain, value) != 2)
			continue;
		if (challenge_list_add(l, domain, value, CHALLENGE_FROM_DOMAIN,
		    err, errlen) != CHALLENGE_OK)
			rc = -1;
	}
	fclose(f);
	return rc;
}

int
certbot_auth(int argc, char **argv, const struct run_opts *o)
{
	const char *domain, *value;
	const char *remaining = getenv("CERTBOT_REMAINING_CHALLENGES");
	const char *all = getenv("CERTBOT_ALL_DOMAINS");
	struct challenge_list l = { 0 };
	struct run_opts ro = *o;
	char err[1024], path[600];
	int batch, status = EXIT_USAGE;

	(void)argc;
	certbot_quiet();
	if (certbot_env(argv[0], &domain, &value) == -1)
		return EXIT_USAGE;
	/* certbot before 1.4 sets neither: one update per call. */
	batch = remaining != NULL && all != NULL &&
	    spool_path("certbot", all, path, sizeof(path)) == 0;
	if (challenge_value_check(value, err, sizeof(err)) != CHALLENGE_OK) {
		msg_error("%s: %s", domain, err);
		return EXIT_USAGE;
	}
	if (batch && atoi(remaining) > 0) {
		if (spool_append(path, domain, value) == 0) {
			msg_progress("%s: queued; the update goes out with the "
			    "last of this run's %s more challenge(s)", domain,
			    remaining);
			return 0;
		}
		msg_warn("%s: cannot write the spool %s (%s); updating now",
		    domain, path, strerror(errno));
	}
	if (batch && spool_take(path, &l, err, sizeof(err)) == -1) {
		msg_error("%s", err);
		goto out;
	}
	if (challenge_list_add(&l, domain, value, CHALLENGE_FROM_DOMAIN, err,
	    sizeof(err)) != CHALLENGE_OK) {
		msg_error("%s", err);
		goto out;
	}
	ro.print_results = 1;
	status = run_challenges(&ro, &l, RUN_ADD);
out:
	challenge_list_free(&l);
	return status;
}

/* Takes the effective name and zone from the auth hook's result line for C. */
static void
hint_from_auth_output(struct challenge *c, const char *output)
{
	const char *p = output;

	while (p != NULL && *p != '\0') {
		char tag[32], name[300], effective[300], zone[300];

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
	const char *domain, *value;
	const char *output = getenv("CERTBOT_AUTH_OUTPUT");
	struct challenge_list l = { 0 };
	char err[1024];
	int status;

	(void)argc;
	certbot_quiet();
	if (certbot_env(argv[0], &domain, &value) == -1)
		return EXIT_USAGE;
	if (challenge_list_add(&l, domain, value, CHALLENGE_FROM_DOMAIN, err,
	    sizeof(err)) != CHALLENGE_OK) {
		msg_error("%s", err);
		challenge_list_free(&l);
		return EXIT_USAGE;
	}
	if (output != NULL)
		hint_from_auth_output(&l.items[0], output);
	status = run_challenges(o, &l, RUN_REMOVE);
	challenge_list_free(&l);
	return status;
}
