/* SPDX-License-Identifier: ISC */
/*
 * native: `add NAME VALUE [NAME VALUE]...`, `remove ...`, `check
 * DOMAIN...` and `persist ...` for people and scripts. NAME is a domain,
 * "*.domain" or an _acme-challenge name.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "check.h"
#include "hooks.h"
#include "journal.h"
#include "msg.h"
#include "persist.h"
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
native_sweep(int argc, char **argv, const struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	long long older_than = 3600;
	int ch, dry_run = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'n')
			dry_run = 1;
		else if (ch == 'o' &&
		    journal_duration_parse(optarg, &older_than) == 0)
			continue;
		else {
			if (ch == 'o')
				msg_error("sweep: --older-than %s is not a "
				    "duration: a number and s, m, h or d "
				    "(30s, 10m, 1h, 2d)", optarg);
			optind = argc + 1;
			break;
		}
	}
	if (optind != argc) {
		msg_error("usage: acme-nsupdate sweep [--older-than DURATION] "
		    "[--dry-run]");
		return EXIT_USAGE;
	}
	return run_sweep(o, older_than, dry_run);
}

int
native_check(int argc, char **argv, const struct run_opts *o)
{
	/* check.c: the steps of DESIGN.md, findings on stdout. */
	return check_main(argc, argv, o);
}


/* A decimal from LO to HI for option NAME; -1 (reported) if it is not. */
static long long
persist_number(const char *name, const char *s, long long lo, long long hi)
{
	char	*end;
	long	 long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		msg_error("persist: %s %s is not a number from %lld to %lld",
		    name, s, lo, hi);
		return -1;
	}
	return v;
}

/* Reads persist's options into SPEC. Returns 0, or -1 (reported). */
static int
persist_options(int argc, char **argv, struct persist_spec *spec)
{
	static const struct option longopts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "account-uri", required_argument, NULL, 'a' },
		{ "wildcard", no_argument, NULL, 'w' },
		{ "until", required_argument, NULL, 'u' },
		{ "ttl", required_argument, NULL, 't' },
		{ "remove", no_argument, NULL, 'r' },
		{ "wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	long long ttl;
	int ch;

	/*
	 * 0, not 1: glibc then starts afresh, permuting (options after
	 * DOMAIN), where main's getopt stopped at the command word.
	 */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'i')
			spec->issuer = optarg;
		else if (ch == 'a')
			spec->account = optarg;
		else if (ch == 'w')
			spec->wildcard = 1;
		else if (ch == 'r')
			spec->remove = 1;
		else if (ch == 'W')
			spec->wait = 1;
		else if (ch == 'u' && (spec->until = persist_number("--until",
		    optarg, 1, LLONG_MAX)) == -1)
			return -1;
		else if (ch == 't') {
			/* RFC 2181 8: a TTL fits 31 bits. */
			if ((ttl = persist_number("--ttl", optarg, 1,
			    INT32_MAX)) == -1)
				return -1;
			spec->ttl = (unsigned)ttl;
		}
		else if (ch == '?')
			return -1;
	}
	if (argc - optind != 1 || spec->issuer == NULL ||
	    (!spec->remove && spec->account == NULL))
		return -1;
	spec->domain = argv[optind];
	/* "*.d" is d with policy=wildcard: the record is at d's name. */
	if (strncmp(spec->domain, "*.", 2) == 0) {
		spec->domain += 2;
		spec->wildcard = 1;
	}
	return 0;
}

int
native_persist(int argc, char **argv, const struct run_opts *o)
{
	struct persist_spec	 spec = { .ttl = PERSIST_TTL_DEFAULT };

	if (persist_options(argc, argv, &spec) == -1) {
		msg_error("usage: acme-nsupdate persist DOMAIN --issuer NAME "
		    "--account-uri URI [--wildcard] [--until UNIXTIME] "
		    "[--ttl SECONDS]");
		msg_error("usage: acme-nsupdate persist --remove [--wait] "
		    "DOMAIN --issuer NAME [--account-uri URI]");
		return EXIT_USAGE;
	}
	return run_persist(o, &spec);
}
