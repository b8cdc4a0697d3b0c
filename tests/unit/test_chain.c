/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: CNAME/DNAME chains, referrals into delegated children, the
 * zone of the effective name, wildcard capture, loops and SERVFAIL, all
 * against scripted answers. Also: the resolver is never asked about the
 * challenge name or a target.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "chain.h"
#include "clock.h"
#include "config.h"
#include "fake_dns.h"
#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "report.h"
#include "zones.h"

#define RES "127.0.0.2 port 53"		/* the resolver */
#define NS1 "127.0.0.11 port 53"	/* example.test */
#define NS2 "127.0.0.12 port 53"	/* acme.example.test (child) */
#define NS3 "127.0.0.13 port 53"	/* other.test */

#define SOA_EX "example.test. 300 IN SOA ns1.example.test. h. 1 3600 600 86400 300"
#define SOA_ACME "acme.example.test. 300 IN SOA ns2.example.test. h. 1 3600 600 86400 300"
#define SOA_OTHER "other.test. 300 IN SOA ns3.other.test. h. 1 3600 600 86400 300"

/* The resolver knows the zones and their servers (names that exist). */
#define RESOLVER_ENTRIES \
	{ .server = RES, .qname = "example.test.", .qtype = LDNS_RR_TYPE_NS, \
	  .answer = { "example.test. 300 IN NS ns1.example.test." }, \
	  .additional = { "ns1.example.test. 300 IN A 127.0.0.11" } }, \
	{ .server = RES, .qname = "other.test.", .qtype = LDNS_RR_TYPE_NS, \
	  .answer = { "other.test. 300 IN NS ns3.other.test." } }, \
	{ .server = RES, .qname = "ns3.other.test.", .qtype = LDNS_RR_TYPE_A, \
	  .answer = { "ns3.other.test. 300 IN A 127.0.0.13" } }, \
	{ .server = RES, .qname = "ns1.example.test.", .qtype = LDNS_RR_TYPE_A, \
	  .answer = { "ns1.example.test. 300 IN A 127.0.0.11" } }, \
	{ .server = RES, .qname = "other.test.", .qtype = LDNS_RR_TYPE_SOA, \
	  .answer = { SOA_OTHER } }, \
	{ .server = RES, .qtype = LDNS_RR_TYPE_AAAA }, \
	{ .server = RES, .qname = "www.other.test.", .qtype = LDNS_RR_TYPE_SOA, \
	  .authority = { SOA_OTHER } }

struct fixture {
	struct zone_conf	zones[2];
	struct config		cfg;
	struct dns_server	resolvers[1];
	struct ctx		ctx;
	struct failure		fail;
	struct zone_cache	cache;
	struct chain		c;
	char			*err;	/* the failure in words */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->zones[0].name = "example.test.";
	f->zones[1].name = "other.test.";
	f->cfg.zones = f->zones;
	f->cfg.n_zones = 2;
	f->cfg.timeout = 5;
	f->cfg.port = 53;
	assert_int_equal(dnsio_server_parse("127.0.0.2", 53,
	    &f->resolvers[0]), 0);
	f->cfg.resolvers = f->resolvers;
	f->cfg.n_resolvers = 1;
	f->cfg.path = "t.ini";
	ctx_init(&f->ctx, f->cfg.timeout, f->cfg.resolvers,
	    f->cfg.n_resolvers, f->cfg.port);
	failure_init(&f->fail);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fake_dns_uninstall();
	chain_free(&f->c);
	zones_free(&f->cache);
	failure_clear(&f->fail);
	free(f->err);
	free(f);
	return 0;
}

static enum chain_status
follow(struct fixture *f, const struct fake_entry *script, size_t n,
    const char *name)
{
	enum chain_status st;

	fake_dns_install(script, n);
	st = chain_follow(&f->ctx, &f->cfg, &f->cache, name, &f->c, &f->fail);
	if (st != CHAIN_OK)
		f->err = report_text(&f->fail);
	return st;
}

/* The resolver saw no question about NAME (any type). */
static void
assert_resolver_never_asked(const char *name)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_SOA,
	    LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_NS };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_int_equal(fake_dns_count_for(RES, name, types[i]), 0);
}

static void
test_no_cname(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.www.example.test.",
		  .aa = 1, .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_EX } },
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.www.example.test."), CHAIN_OK);
	assert_int_equal(f->c.n, 1);
	assert_string_equal(f->c.zones[0], "example.test.");
	assert_string_equal(f->c.mname, "ns1.example.test.");
}

/* A CNAME into another zone on another server: two hops, zone of the target. */
static void
test_cname_other_zone(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.www.example.test.",
		  .aa = 1, .answer = { "_acme-challenge.www.example.test. 300 "
		  "IN CNAME www.other.test." } },
		{ .server = NS3, .qname = "www.other.test.", .aa = 1,
		  .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_OTHER } },
		RESOLVER_ENTRIES,
	};
	char *text;

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.www.example.test."), CHAIN_OK);
	assert_int_equal(f->c.n, 2);
	assert_string_equal(f->c.names[1], "www.other.test.");
	assert_string_equal(f->c.zones[1], "other.test.");
	text = chain_text(&f->c);
	assert_string_equal(text,
	    "_acme-challenge.www.example.test -> www.other.test");
	free(text);
	/* Targets and the challenge name go to authoritative servers only. */
	assert_int_equal(fake_dns_count_for(NS1,
	    "_acme-challenge.www.example.test.", LDNS_RR_TYPE_SOA), 1);
	assert_int_equal(fake_dns_count_for(NS3, "www.other.test.",
	    LDNS_RR_TYPE_SOA), 1);
	assert_resolver_never_asked("_acme-challenge.www.example.test.");
}

/* A referral from example.test into acme.example.test with glue. */
static void
test_referral_to_child(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.acme.example.test.",
		  .authority = { "acme.example.test. 300 IN NS ns2.example.test." },
		  .additional = { "ns2.example.test. 300 IN A 127.0.0.12" } },
		{ .server = NS2, .qname = "_acme-challenge.acme.example.test.",
		  .aa = 1, .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_ACME } },
		RESOLVER_ENTRIES,
	};
	const struct zone_servers *zs;

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.acme.example.test."), CHAIN_OK);
	assert_int_equal(f->c.n, 1);
	assert_string_equal(f->c.zones[0], "acme.example.test.");
	zs = zones_get(&f->cache, "acme.example.test.");
	assert_non_null(zs);
	assert_int_equal(zs->n, 1);
	assert_string_equal(zs->addrs[0].text, NS2);
}

/* RFC 6672: a DNAME without the synthesized CNAME still gets substituted. */
static void
test_dname(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.d.example.test.",
		  .aa = 1, .answer = { "d.example.test. 300 IN DNAME other.test." } },
		{ .server = NS3, .qname = "_acme-challenge.other.test.", .aa = 1,
		  .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_OTHER } },
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.d.example.test."), CHAIN_OK);
	assert_int_equal(f->c.n, 2);
	assert_string_equal(f->c.names[1], "_acme-challenge.other.test.");
	assert_string_equal(f->c.zones[1], "other.test.");
}

static void
test_loop(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "a.example.test.", .aa = 1,
		  .answer = { "a.example.test. 300 IN CNAME b.example.test." } },
		{ .server = NS1, .qname = "b.example.test.", .aa = 1,
		  .answer = { "b.example.test. 300 IN CNAME a.example.test." } },
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "a.example.test."), CHAIN_ERR_LOOP);
	assert_non_null(strstr(f->err, "a.example.test -> b.example.test -> "
	    "a.example.test"));
}

static void
test_servfail(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.example.test.",
		  .rcode = LDNS_RCODE_SERVFAIL },
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.example.test."), CHAIN_ERR_SERVFAIL);
	assert_non_null(strstr(f->err, "SERVFAIL from " NS1));
	assert_non_null(strstr(f->err,
	    "for _acme-challenge.example.test (zone example.test)"));
	assert_non_null(strstr(f->err, "unlike NXDOMAIN"));
}

/* Records of an unconfigured zone, cdn.invalid, on 127.0.0.14. */
#define CDN_ENTRIES \
	{ .server = RES, .qname = "cdn.invalid.", .qtype = LDNS_RR_TYPE_SOA, \
	  .answer = { "cdn.invalid. 300 IN SOA ns.cdn.invalid. h. 1 2 3 4 5" } }, \
	{ .server = RES, .qname = "cdn.invalid.", .qtype = LDNS_RR_TYPE_NS, \
	  .answer = { "cdn.invalid. 300 IN NS ns.cdn.invalid." }, \
	  .additional = { "ns.cdn.invalid. 300 IN A 127.0.0.14" } }, \
	{ .server = "127.0.0.14 port 53", .qname = "lb.cdn.invalid.", .aa = 1, \
	  .authority = { "cdn.invalid. 300 IN SOA ns.cdn.invalid. h. 1 2 3 4 5" } }

/*
 * *.example.test CNAME lb.cdn.invalid captures the challenge name and
 * leads out of the configured zones: the chain is cut at the challenge
 * name, which is then written in example.test.
 */
static void
test_wildcard_cut(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "example.test.", .qtype = LDNS_RR_TYPE_SOA,
		  .aa = 1, .answer = { SOA_EX } },
		{ .server = NS1, .qtype = LDNS_RR_TYPE_SOA, .aa = 1, .synthesize = 1,
		  .answer = { "x. 300 IN CNAME lb.cdn.invalid." } },
		CDN_ENTRIES,
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.www.example.test."), CHAIN_OK);
	assert_true(f->c.wildcard_cut);
	assert_int_equal(f->c.n, 1);
	assert_string_equal(f->c.names[0], "_acme-challenge.www.example.test.");
	assert_string_equal(f->c.zones[0], "example.test.");
	assert_string_equal(f->c.wildcard_target, "lb.cdn.invalid.");
	assert_string_equal(f->c.mname, "ns1.example.test.");
}

/* A real (non-wildcard) CNAME out of the configured zones is not cut. */
static void
test_real_cname_out_not_cut(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.www.example.test.",
		  .aa = 1, .answer = { "_acme-challenge.www.example.test. 300 "
		  "IN CNAME lb.cdn.invalid." } },
		/* The made-up sibling does not exist: no wildcard. */
		{ .server = NS1, .qtype = LDNS_RR_TYPE_SOA, .aa = 1,
		  .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_EX } },
		CDN_ENTRIES,
		RESOLVER_ENTRIES,
	};

	assert_int_equal(follow(f, script, sizeof(script) / sizeof(script[0]),
	    "_acme-challenge.www.example.test."), CHAIN_OK);
	assert_false(f->c.wildcard_cut);
	assert_int_equal(f->c.n, 2);
	assert_string_equal(f->c.zones[1], "cdn.invalid.");
	assert_resolver_never_asked("lb.cdn.invalid.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname_other_zone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_referral_to_child, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_servfail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcard_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_cname_out_not_cut,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
