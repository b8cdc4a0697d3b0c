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
#include "check.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "failure.h"
#include "msg.h"
#include "query.h"
#include "report.h"
#include "run.h"
#include "setup.h"
#include "stub.h"
#include "zones.h"

#define SETUP_KEY_DEFAULT	"acme-key."
#define SETUP_KEY_DIR		"/etc/acme-nsupdate"
#define SETUP_TIMEOUT_S		20	/* lookups without a config */
#define SETUP_ALIAS_TIMEOUT_S	3	/* --alias: a best effort only */
#define SETUP_PLACEHOLDER	"PRIMARY-ADDRESS"

/* What a lookup found about each challenge's zone (NULL/unknown: not known). */
struct setup_found {
	/* owned: "ADDR" or "ADDR:PORT", as server = takes it */
	char			*primary;
	enum check_product	 product;	/* the primary's software */
};

/* With --alias: _acme-challenge.D CNAME D.ALIAS (the wildcard's "*." dropped).
 */
static int
setup_alias(struct challenge_list *l, const char *alias)
{
	for (size_t i = 0; i < l->n; i++) {
		struct challenge	*c = &l->items[i];
		const char		*domain = c->name +
		    strlen(CHALLENGE_PREFIX);
		char			 target[600];

		if (snprintf(target, sizeof(target), "%.*s.%s",
		    DNAME_BARE(domain), alias) >= 256) {
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
	char	 err[256];

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

/* S's address as server = takes it: "ADDR", "ADDR:PORT", "[V6]:PORT". */
static char *
server_value(const struct dns_server *s)
{
	const char	*sep = strstr(s->text, " port ");
	int		 alen = sep != NULL ? (int)(sep - s->text) :
	    (int)strlen(s->text);
	int		 v6 = memchr(s->text, ':', (size_t)alen) != NULL;
	char		*out = NULL;

	if (sep == NULL || strcmp(sep, " port 53") == 0) {
		if (asprintf(&out, "%.*s", alen, s->text) == -1)
			out = NULL;
	} else if (asprintf(&out, "%s%.*s%s:%s", v6 ? "[" : "", alen, s->text,
	    v6 ? "]" : "", sep + 6) == -1) {
		out = NULL;
	}
	return out;
}

/*
 * The primary of C's zone (server = of its [zone], else the SOA MNAME)
 * and, where it says, its software: so that setup prints the real address
 * and only the grant that server needs.
 */
static void
setup_primary(const struct ctx *ctx, const struct config *cfg,
    const char *zone, const char *mname, struct setup_found *found)
{
	const struct zone_conf	*zc = config_zone_exact(cfg, zone);
	struct dns_server	*addrs = NULL, one;
	struct check_software	 sw;
	struct failure		 f;
	size_t			 n = 0;

	failure_init(&f);
	if (zc != NULL && zc->server_addr != NULL) {
		one = *zc->server_addr;
		addrs = &one;
		n = 1;
	} else {
		const char *host = zc != NULL && zc->server_host != NULL ?
		    zc->server_host : mname;

		if (host == NULL || stub_addresses(ctx, host, zc != NULL &&
		    zc->server_host != NULL ? zc->server_port : ctx->port,
		    &addrs, &n, &f) == -1)
			n = 0;
	}
	if (n > 0) {
		found->primary = server_value(&addrs[0]);
		if (check_software_of(ctx, &addrs[0], &sw) == 0) {
			found->product = sw.product;
			check_software_clear(&sw);
		}
	}
	if (addrs != &one)
		free(addrs);
	failure_clear(&f);
}

/* Where challenge C's chain ends today, as its hint. Returns 0 or -1. */
static int
setup_follow(const struct ctx *ctx, const struct config *cfg,
    struct zone_cache *cache, struct challenge *c, struct setup_found *found)
{
	struct failure	 f;
	struct chain	 ch;
	char		*text;
	int		 rc = -1;

	failure_init(&f);
	if (chain_follow(ctx, cfg, cache, c->name, &ch, &f) != CHAIN_OK) {
		failure_subject(&f, c->name, NULL, 0);
		text = report_text(&f);
		msg_error("%s; with --alias ZONE, setup needs no lookups",
		    text != NULL ? text : "out of memory");
		free(text);
	} else if (challenge_set_hint(c, ch.names[ch.n - 1],
	    ch.zones[ch.n - 1]) == 0) {
		setup_primary(ctx, cfg, ch.zones[ch.n - 1], ch.mname, found);
		rc = 0;
	}
	chain_free(&ch);
	failure_clear(&f);
	return rc;
}

/*
 * With --alias: the alias zone's primary (server = of its [zone], else its
 * SOA MNAME through the resolvers) and software, where they can be found
 * within a few seconds; else the placeholder stays. FOUND is the first
 * challenge's, whose zone section is printed.
 */
static void
setup_alias_primary(const struct run_opts *o, const char *alias,
    struct setup_found *found)
{
	struct config	*cfg = NULL, dflt;
	struct failure	 f;
	struct ctx	 ctx;
	const ldns_rr	*soa;
	ldns_pkt	*p;
	char		*mname = NULL;

	if (setup_config(config_path_pick(o->config_path), &cfg, &dflt) == -1)
		return;
	ctx_init(&ctx, SETUP_ALIAS_TIMEOUT_S, cfg->resolvers,
	    cfg->n_resolvers, cfg->port);
	failure_init(&f);
	if ((p = stub_ask(&ctx, alias, LDNS_RR_TYPE_SOA, &f)) != NULL) {
		soa = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA,
		    alias);
		if (soa != NULL && ldns_rr_rd_count(soa) > 0)
			mname = dname_from_rdf(ldns_rr_rdf(soa, 0));
		ldns_pkt_free(p);
	}
	setup_primary(&ctx, cfg, alias, mname, found);
	free(mname);
	failure_clear(&f);
	if (cfg == &dflt)
		free(dflt.resolvers);
	else
		config_free(cfg);
}

/* Without --alias: where the chain of each name ends today. */
static int
setup_lookup(const struct run_opts *o, struct challenge_list *l,
    struct setup_found *found)
{
	struct config		*cfg = NULL, dflt;
	struct zone_cache	 cache = { 0 };
	struct ctx		 ctx;
	int			 status = EXIT_DNS;

	if (setup_config(config_path_pick(o->config_path), &cfg, &dflt) == -1)
		return EXIT_USAGE;
	ctx_init(&ctx, SETUP_TIMEOUT_S, cfg->resolvers, cfg->n_resolvers,
	    cfg->port);
	for (size_t i = 0; i < l->n; i++)
		if (setup_follow(&ctx, cfg, &cache, &l->items[i], &found[i]) ==
		    -1)
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

static void
print_bind(const struct challenge_list *l, const char *zone, const char *key,
    int alias)
{
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
	printf("};\n");
}

static void
print_knot(const struct challenge_list *l, const char *zone, const char *key,
    int alias)
{
	printf("\n# Knot, knot.conf (see contrib/knot):\nacl:\n"
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
}

static void
print_powerdns(const struct challenge_list *l, const char *zone)
{
	printf(
	    "\n# PowerDNS: lua-dnsupdate-policy-script (see contrib/powerdns),"
	    " names:\n");
	for (size_t i = 0; i < l->n; i++)
		if (dname_equal(l->items[i].zone_hint, zone))
			printf("#   [\"%s\"] = true,\n", l->items[i].effective);
}

/* Prints NAME's grants for one zone, from every challenge whose zone it is. */
static void
print_zone(const struct challenge_list *l, const char *zone, const char *key,
    int alias, const struct setup_found *found)
{
	enum check_product	 p = found->product;

	printf("\n# --- zone %.*s ---\n", DNAME_BARE(zone));
	printf("# acme-nsupdate.ini:\n[zone %.*s]\nserver = %s\n"
	    "key_file = %s/%skey\n", DNAME_BARE(zone), found->primary != NULL ?
	    found->primary : SETUP_PLACEHOLDER, SETUP_KEY_DIR, key);
	if (p != PRODUCT_UNKNOWN)
		printf("\n# The primary %s runs %s: its grant only.\n",
		    found->primary, check_product_name(p));
	if (p == PRODUCT_UNKNOWN || p == PRODUCT_BIND)
		print_bind(l, zone, key, alias);
	if (p == PRODUCT_UNKNOWN || p == PRODUCT_KNOT)
		print_knot(l, zone, key, alias);
	if (p == PRODUCT_UNKNOWN || p == PRODUCT_POWERDNS)
		print_powerdns(l, zone);
}

static void
print_setup(const struct challenge_list *l, const char *key, int alias,
    const struct setup_found *found)
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
		int	 seen = 0;

		for (size_t k = 0; k < i && !seen; k++)
			seen = dname_equal(l->items[k].zone_hint,
			    l->items[i].zone_hint);
		if (!seen)
			print_zone(l, l->items[i].zone_hint, key, alias,
			    &found[i]);
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
	struct setup_found *found = NULL;
	char *alias = NULL, *key = NULL, err[1024];
	int ch, status = EXIT_USAGE;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+a:k:", longopts, NULL)) != -1) {
		char	**dst = ch == 'a' ? &alias : ch == 'k' ? &key :
		    NULL;

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
	if ((found = calloc(l.n, sizeof(*found))) == NULL) {
		msg_error("out of memory");
		status = EXIT_DNS;
		goto out;
	}
	status = alias != NULL ? setup_alias(&l, alias) :
	    setup_lookup(o, &l, found);
	if (status == 0 && alias != NULL)
		setup_alias_primary(o, alias, &found[0]);
	if (status == 0)
		print_setup(&l, key != NULL ? key : SETUP_KEY_DEFAULT,
		    alias != NULL, found);
	goto out;
usage:
	msg_error("usage: acme-nsupdate setup [--alias ZONE] [--key NAME] "
	    "DOMAIN...");
out:
	for (size_t i = 0; found != NULL && i < l.n; i++)
		free(found[i].primary);
	free(found);
	free(alias);
	free(key);
	challenge_list_free(&l);
	return status;
}
