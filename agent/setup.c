/* SPDX-License-Identifier: ISC */
/*
 * setup: the records, key, config and server grants to create, printed for
 * a person to copy. With --alias the effective names are computed (a
 * challenge alias zone); without, they are looked up read-only through
 * chain.c, like the CA will see them.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "chain.h"
#include "challenge.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "failure.h"
#include "msg.h"
#include "report.h"
#include "run.h"
#include "setup.h"
#include "zones.h"

#define SETUP_KEY_DEFAULT	"acme-key."
#define SETUP_KEY_DIR		"/etc/acme-nsupdate"
#define SETUP_TIMEOUT_S		20	/* lookups without a config */

/* With --alias: _acme-challenge.D CNAME D.ALIAS (the wildcard's "*." dropped).
 */
static int
setup_alias(struct challenge_list *l, const char *alias)
{
	for (size_t i = 0; i < l->n; i++) {
		struct challenge *c = &l->items[i];
		const char *domain = c->name + strlen(CHALLENGE_PREFIX);
		char target[600];

		if (snprintf(target, sizeof(target), "%.*s.%s", DNAME_BARE(domain), alias) >= 256) {
			msg_error("%s: %s.%s is too long for DNS", c->domain,
			    domain, alias);
			return EXIT_USAGE;
		}
		if (challenge_set_hint(c, target, alias) == -1)
			return EXIT_DNS;
	}
	return 0;
}

/*
 * Before the first run there may be no config: then the resolvers of
 * /etc/resolv.conf and port 53. Returns 0, or -1 (reported).
 */
static int
setup_config(const char *path, struct config **cfg, struct config *dflt)
{
	char err[256];

	if (access(path, R_OK) == 0)
		return config_load(path, cfg) == CONFIG_OK ? 0 : -1;
	memset(dflt, 0, sizeof(*dflt));
	dflt->port = 53;
	if (config_resolv_conf(&dflt->resolvers, &dflt->n_resolvers, err,
	    sizeof(err)) == -1) {
		msg_error("%s", err);
		return -1;
	}
	*cfg = dflt;
	return 0;
}

/* Where challenge C's chain ends today, as its hint. Returns 0 or -1. */
static int
setup_follow(const struct ctx *ctx, const struct config *cfg,
    struct zone_cache *cache, struct challenge *c)
{
	struct failure f;
	struct chain ch;
	char *text;
	int rc = -1;

	failure_init(&f);
	if (chain_follow(ctx, cfg, cache, c->name, &ch, &f) != CHAIN_OK) {
		failure_subject(&f, c->name, NULL, 0);
		text = report_text(&f);
		msg_error("%s; with --alias ZONE, setup needs no lookups",
		    text != NULL ? text : "out of memory");
		free(text);
	} else if (challenge_set_hint(c, ch.names[ch.n - 1],
	    ch.zones[ch.n - 1]) == 0) {
		rc = 0;
	}
	chain_free(&ch);
	failure_clear(&f);
	return rc;
}

/* Without --alias: where the chain of each name ends today. */
static int
setup_lookup(const struct run_opts *o, struct challenge_list *l)
{
	struct config *cfg = NULL, dflt;
	struct zone_cache cache = { 0 };
	struct ctx ctx;
	int status = EXIT_DNS;

	if (setup_config(config_path_pick(o->config_path), &cfg, &dflt) == -1)
		return EXIT_USAGE;
	ctx_init(&ctx, SETUP_TIMEOUT_S, cfg->resolvers, cfg->n_resolvers,
	    cfg->port);
	for (size_t i = 0; i < l->n; i++)
		if (setup_follow(&ctx, cfg, &cache, &l->items[i]) == -1)
			goto out;
	status = 0;
out:
	zones_free(&cache);
	if (cfg == &dflt)
		free(dflt.resolvers);
	else
		config_free(cfg);
	return status;
}

/* Prints NAME's grants for one zone, from every challenge whose zone it is. */
static void
print_zone(const struct challenge_list *l, const char *zone, const char *key,
    int alias)
{
	printf("\n# --- zone %.*s ---\n", DNAME_BARE(zone));
	printf("# acme-nsupdate.ini:\n[zone %.*s]\nserver = PRIMARY-ADDRESS\n"
	    "key_file = %s/%skey\n", DNAME_BARE(zone), SETUP_KEY_DIR, key);
	printf("\n# BIND, named.conf, in zone \"%.*s\" (see contrib/bind):\n"
	    "update-policy {\n", DNAME_BARE(zone));
	if (alias)
		printf(
		    "\tgrant %s zonesub TXT;\t# a zone for challenges only\n",
		    key);
	for (size_t i = 0; i < l->n && !alias; i++)
		if (dname_equal(l->items[i].zone_hint, zone))
			printf("\tgrant %s name %s TXT;\n", key,
			    l->items[i].effective);
	printf("};\n\n# Knot, knot.conf (see contrib/knot):\nacl:\n"
	    "  - id: acme-nsupdate\n    key: %s\n    action: update\n"
	    "    update-type: TXT\n", key);
	if (alias)
		printf("    # a zone for challenges only: any owner in it\n");
	else {
		printf("    update-owner: name\n    update-owner-match: equal\n"
		    "    update-owner-name: [");
		for (size_t i = 0, n = 0; i < l->n; i++)
			if (dname_equal(l->items[i].zone_hint, zone))
				printf("%s%s", n++ > 0 ? ", " : "",
				    l->items[i].effective);
		printf("]\n");
	}
	printf(
	    "\n# PowerDNS: lua-dnsupdate-policy-script (see contrib/powerdns),"
	    " names:\n");
	for (size_t i = 0; i < l->n; i++)
		if (dname_equal(l->items[i].zone_hint, zone))
			printf("#   [\"%s\"] = true,\n", l->items[i].effective);
}

static void
print_setup(const struct challenge_list *l, const char *key, int alias)
{
	printf("# 1. The key, here and on each primary (mode 600):\n"
	    "tsig-keygen -a hmac-sha256 %s > %s/%skey\n", key, SETUP_KEY_DIR,
	    key);
	if (alias) {
		printf("\n# 2. CNAMEs, in the zones of the names on the "
		    "certificate:\n");
		for (size_t i = 0; i < l->n; i++)
			printf("%s\tIN CNAME\t%s\n", l->items[i].name,
			    l->items[i].effective);
	} else {
		printf("\n# 2. Where each challenge lands today:\n");
		for (size_t i = 0; i < l->n; i++)
			printf("# %s -> %s (zone %s)\n", l->items[i].name,
			    l->items[i].effective, l->items[i].zone_hint);
	}
	printf(
	    "\n# 3. Per zone: the config section and the grants (TXT only).\n");
	for (size_t i = 0; i < l->n; i++) {
		int seen = 0;

		for (size_t k = 0; k < i && !seen; k++)
			seen = dname_equal(l->items[k].zone_hint, l->items[i].zone_hint);
		if (!seen)
			print_zone(l, l->items[i].zone_hint, key, alias);
	}
}

int
setup_main(int argc, char **argv, const struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "alias", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct challenge_list l = { 0 };
	char *alias = NULL, *key = NULL, err[1024];
	int ch, status = EXIT_USAGE;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+a:k:", longopts, NULL)) != -1) {
		char **dst = ch == 'a' ? &alias : ch == 'k' ? &key : NULL;

		if (dst == NULL || challenge_name_derive(optarg,
		    CHALLENGE_AS_GIVEN, dst, err, sizeof(err)) != CHALLENGE_OK)
			goto usage;
	}
	for (int i = optind; i < argc; i++)
		if (challenge_list_add(&l, argv[i], NULL, CHALLENGE_FROM_DOMAIN,
		    err, sizeof(err)) != CHALLENGE_OK) {
			msg_error("%s", err);
			goto out;
		}
	if (l.n == 0)
		goto usage;
	status = alias != NULL ? setup_alias(&l, alias) : setup_lookup(o, &l);
	if (status == 0)
		print_setup(&l, key != NULL ? key : SETUP_KEY_DEFAULT,
		    alias != NULL);
	goto out;
usage:
	msg_error("usage: acme-nsupdate setup [--alias ZONE] [--key NAME] "
	    "DOMAIN...");
out:
	free(alias);
	free(key);
	challenge_list_free(&l);
	return status;
}
