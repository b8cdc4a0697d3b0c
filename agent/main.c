/* SPDX-License-Identifier: ISC */
/*
 * acme-nsupdate: answers ACME DNS-01 challenges with TSIG-signed RFC 2136
 * UPDATEs. main reads the options, then hands argv to the adapter that the
 * command word names.
 */

#include <sys/prctl.h>
#include <sys/resource.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "msg.h"
#include "run.h"
#include "setup.h"

static const struct {
	const char	*command;
	hook_fn		 fn;
} commands[] = {
	{ "add", native_add },
	{ "remove", native_remove },
	{ "check", native_check },
	{ "persist", native_persist },
	{ "sweep", native_sweep },
	{ "setup", setup_main },
	{ "present", lego_present },
	{ "cleanup", lego_cleanup },
	{ "certbot-auth", certbot_auth },
	{ "certbot-cleanup", certbot_cleanup },
	{ "deploy_challenge", dehydrated_deploy },
	{ "clean_challenge", dehydrated_clean },
	{ "begin", uacme_begin },
	{ "done", uacme_end },
	{ "failed", uacme_end },
};

/*
 * DESIGN.md: dehydrated may add hook names at any time (and probes with
 * one at start-up). A word of lower-case letters, digits and '_' that
 * holds a '_' and is not one of ours is such a hook: nothing to do.
 */
static int
is_dehydrated_hook(const char *word)
{
	return strchr(word, '_') != NULL && strspn(word,
	    "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(word);
}

/*
 * Keys are read later on: no core dump may hold them, and other processes
 * of this user may not ptrace or read this one's memory (PR_SET_DUMPABLE).
 * Best effort: a failure leaves things as they were.
 */
static void
secrets_protect(void)
{
	const struct rlimit	 none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acme-nsupdate [-c FILE] [-v|-q] [--wait] COMMAND ARGS...\n"
	    "\n"
	    "commands:\n"
	    "  add NAME VALUE [NAME VALUE]...     add TXT values, wait until "
	    "served\n"
	    "  remove [--wait] NAME VALUE [...]   remove exactly these values\n"
	    "  certbot-auth, certbot-cleanup      certbot --manual-auth-hook / "
	    "--manual-cleanup-hook\n"
	    "  present FQDN VALUE, cleanup FQDN VALUE\n"
	    "                                     lego --dns exec (also "
	    "EXEC_MODE=RAW), acme.sh\n"
	    "  deploy_challenge D T V [D T V]..., clean_challenge ...\n"
	    "                                     dehydrated HOOK\n"
	    "  begin|done|failed TYPE IDENT TOKEN AUTH\n"
	    "                                     uacme -h\n"
	    "  check [--json] DOMAIN...           diagnose without changing "
	    "anything\n"
	    "  persist DOMAIN --issuer NAME --account-uri URI [--wildcard]\n"
	    "          [--until UNIXTIME] [--ttl SECONDS]\n"
	    "  persist --remove [--wait] DOMAIN --issuer NAME "
	    "[--account-uri URI]\n"
	    "                                     the dns-persist-01 record\n"
	    "  sweep [--older-than DURATION] [--dry-run]\n"
	    "                                     remove what killed runs left "
	    "(journal)\n"
	    "  setup [--alias ZONE] [--key NAME] DOMAIN...\n"
	    "                                     print the CNAMEs, key and "
	    "grants to create\n"
	    "\n"
	    "NAME is a domain, *.domain or an _acme-challenge name; VALUE the\n"
	    "43-character base64url digest from the CA.\n"
	    "\n"
	    "options:\n"
	    "  -c FILE     config (default: $ACME_NSUPDATE_CONFIG, else\n"
	    "              /etc/acme-nsupdate/acme-nsupdate.ini)\n"
	    "  -v          more output (-vv: packets, TSIG MACs elided)\n"
	    "  -q          errors only\n"
	    "  -w, --wait  remove: wait until no server serves the value\n"
	    "  -h, --help  this text;  -V, --version  the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts			 o = { 0 };
	int				 ch;

	secrets_protect();

	/* '+': stop at the command word; its arguments are the adapter's. */
	while (
	    (ch = getopt_long(argc, argv, "+c:hqvVw", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'q':
			msg_verbosity = 0;
			break;
		case 'v':
			msg_verbosity++;
			break;
		case 'V':
			printf("acme-nsupdate %s\n", ACME_NSUPDATE_VERSION);
			return 0;
		case 'w':
			o.wait_remove = 1;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].command) == 0)
			return commands[i].fn(argc, argv, &o);
	/* Print nothing, read no config. */
	if (is_dehydrated_hook(argv[0]))
		return 0;
	msg_error("%s: unknown command; see acme-nsupdate --help", argv[0]);
	return EXIT_USAGE;
}
