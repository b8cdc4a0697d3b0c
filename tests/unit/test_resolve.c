/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: from challenges to the plan. The zone cut of the effective
 * name and its own [zone] section, the primary from server = or the SOA
 * MNAME (addresses v4 and v6), the authoritative set from nameservers = or
 * the NS set, and each way that fails, against scripted answers.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "challenge.h"
#include "config.h"
#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "fake_dns.h"
#include "msg.h"
#include "plan.h"
#include "report.h"
#include "resolve.h"

#define V1	"gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2	"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define RES	"127.0.0.2 port 53"
#define NS1	"127.0.0.11 port 53"
#define NS1_6	"fd00::11 port 53"
#define NS2	"127.0.0.12 port 53"

#define SOA_EX "example.test. 300 IN SOA ns1.example.test. h. 1 3600 600 86400 300"
#define SOA_CH "child.example.test. 300 IN SOA ns2.example.test. h. 1 3600 600 86400 300"

/* The resolver knows the zones, their servers and the MNAMEs (v4 and v6). */
#define RESOLVER \
	{ .server = RES, .qname = "example.test.", .qtype = LDNS_RR_TYPE_NS, \
	  .answer = { "example.test. 300 IN NS ns1.example.test." } }, \
	{ .server = RES, .qname = "child.example.test.", \
	  .qtype = LDNS_RR_TYPE_NS, \
	  .answer = { "child.example.test. 300 IN NS ns2.example.test." } }, \
	{ .server = RES, .qname = "ns1.example.test.", .qtype = LDNS_RR_TYPE_A, \
	  .answer = { "ns1.example.test. 300 IN A 127.0.0.11" } }, \
	{ .server = RES, .qname = "ns1.example.test.", \
	  .qtype = LDNS_RR_TYPE_AAAA, \
	  .answer = { "ns1.example.test. 300 IN AAAA fd00::11" } }, \
	{ .server = RES, .qname = "ns2.example.test.", .qtype = LDNS_RR_TYPE_A, \
	  .answer = { "ns2.example.test. 300 IN A 127.0.0.12" } }, \
	{ .server = RES, .qtype = LDNS_RR_TYPE_AAAA }

/* Both ns1 addresses serve example.test; ns2 serves the child. */
#define AUTHORITIES \
	{ .server = NS1, .qname = "_acme-challenge.www.example.test.", .aa = 1, \
	  .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_EX } }, \
	{ .server = NS1, .qname = "_acme-challenge.x.child.example.test.", \
	  .authority = { "child.example.test. 300 IN NS ns2.example.test." }, \
	  .additional = { "ns2.example.test. 300 IN A 127.0.0.12" } }, \
	{ .server = NS2, .qname = "_acme-challenge.x.child.example.test.", \
	  .aa = 1, .rcode = LDNS_RCODE_NXDOMAIN, .authority = { SOA_CH } }, \
	{ .qname = "example.test.", .qtype = LDNS_RR_TYPE_SOA, .aa = 1, \
	  .answer = { SOA_EX } }, \
	{ .qname = "child.example.test.", .qtype = LDNS_RR_TYPE_SOA, .aa = 1, \
	  .answer = { SOA_CH } }

struct fixture {
	struct zone_conf	 zones[2];
	struct dns_server	 resolver;
	struct dns_server	 server_addr;
	struct dns_server	 nameservers[1];
	struct config		 cfg;
	struct ctx		 ctx;
	struct challenge_list	 l;
	struct zone_plan	 plan;
	struct failure		 fail;
	char			*err;	/* the failure in words */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	msg_verbosity = 0;
	f->zones[0].name = "example.test.";
	f->zones[0].line = 3;
	f->zones[1].name = "child.example.test.";
	f->zones[1].line = 9;
	f->cfg.zones = f->zones;
	f->cfg.n_zones = 2;
	f->cfg.timeout = 5;
	f->cfg.port = 53;
	f->cfg.path = "t.ini";
	assert_int_equal(dnsio_server_parse("127.0.0.2", 53, &f->resolver), 0);
	f->cfg.resolvers = &f->resolver;
	f->cfg.n_resolvers = 1;
	failure_init(&f->fail);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fake_dns_uninstall();
	zone_plan_free(&f->plan);
	challenge_list_free(&f->l);
	failure_clear(&f->fail);
	free(f->err);
	free(f);
	return 0;
}

static void
add(struct fixture *f, const char *domain, const char *value)
{
	char err[256];

	assert_int_equal(challenge_list_add(&f->l, domain, value,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
}

static enum resolve_status
resolve(struct fixture *f, const struct fake_entry *script, size_t n)
{
	enum resolve_status st;

	fake_dns_install(script, n);
	ctx_init(&f->ctx, f->cfg.timeout, f->cfg.resolvers,
	    f->cfg.n_resolvers, f->cfg.port);
	st = resolve_plan(&f->ctx, &f->cfg, &f->l, &f->plan, &f->fail);
	if (st != RESOLVE_OK)
		f->err = report_text(&f->fail);
	return st;
}

/* No server =: the MNAME's addresses, v4 and v6, both confirmed by SOA. */
static void
test_mname_v4_and_v6(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { AUTHORITIES, RESOLVER };
	const struct zone_target *z;

	add(f, "www.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_OK);
	assert_int_equal(f->plan.n, 1);
	z = &f->plan.zones[0];
	assert_string_equal(z->apex, "example.test.");
	assert_string_equal(z->primary_name, "ns1.example.test.");
	assert_int_equal(z->n_primaries, 2);
	assert_string_equal(z->primaries[0].text, NS1);
	assert_string_equal(z->primaries[1].text, NS1_6);
	/* The authoritative set: the NS set's addresses, v4 and v6. */
	assert_int_equal(z->n_auths, 2);
	assert_string_equal(z->auths[1].text, NS1_6);
	assert_int_equal(z->n_members, 1);
	assert_string_equal(f->l.items[0].zone_name, "example.test.");
}

/* The effective name is in the delegated child, which has its own [zone]. */
static void
test_zone_cut(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { AUTHORITIES, RESOLVER };

	add(f, "x.child.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_OK);
	assert_string_equal(f->plan.zones[0].apex, "child.example.test.");
	assert_ptr_equal(f->plan.zones[0].conf, &f->zones[1]);
	assert_string_equal(f->plan.zones[0].auths[0].text, NS2);
}

/* ... and without it, a [zone] for the parent does not cover the child. */
static void
test_child_without_section(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { AUTHORITIES, RESOLVER };

	f->cfg.n_zones = 1;
	add(f, "x.child.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_ERR_CONFIG);
	assert_int_equal(f->fail.cause, FAIL_ZONE_OTHER_SECTION);
	assert_non_null(strstr(f->err, "is in zone child.example.test"));
	assert_non_null(strstr(f->err, "[zone example.test] (line 3) is a "
	    "different zone; add [zone child.example.test]"));
	assert_int_equal(f->plan.n, 0);
}

/*
 * server = an address and nameservers =: the resolver is never asked
 * (nameservers = also serve the chain: they are the zone's servers).
 */
static void
test_configured_servers(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { AUTHORITIES, RESOLVER };
	const struct zone_target *z;

	assert_int_equal(dnsio_server_parse("127.0.0.12", 53,
	    &f->server_addr), 0);
	assert_int_equal(dnsio_server_parse("127.0.0.11", 53,
	    &f->nameservers[0]), 0);
	f->zones[0].server = "127.0.0.12";
	f->zones[0].server_addr = &f->server_addr;
	f->zones[0].nameservers = f->nameservers;
	f->zones[0].n_nameservers = 1;
	add(f, "www.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_OK);
	z = &f->plan.zones[0];
	assert_int_equal(z->n_primaries, 1);
	assert_string_equal(z->primaries[0].text, NS2);
	/* Not the NS set's two addresses: only the one configured. */
	assert_int_equal(z->n_auths, 1);
	assert_string_equal(z->auths[0].text, NS1);
	assert_int_equal(fake_dns_count_for(RES, NULL, 0), 0);
}

/* A wildcard and its base follow their shared chain once. */
static void
test_wildcard_and_base(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { AUTHORITIES, RESOLVER };

	add(f, "www.example.test", V1);
	add(f, "*.www.example.test", V2);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_OK);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.zones[0].n_members, 2);
	assert_int_equal(fake_dns_count_for(NS1,
	    "_acme-challenge.www.example.test.", LDNS_RR_TYPE_SOA), 1);
}

/* The primary does not answer: named, with the fix. */
static void
test_primary_silent(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.www.example.test.",
		  .aa = 1, .rcode = LDNS_RCODE_NXDOMAIN,
		  .authority = { SOA_EX } },
		{ .qname = "example.test.", .qtype = LDNS_RR_TYPE_SOA,
		  .outcome = FAKE_TIMEOUT },
		RESOLVER,
	};

	add(f, "www.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_ERR_DNS);
	assert_int_equal(f->fail.cause, FAIL_PRIMARY_SILENT);
	assert_non_null(strstr(f->err, "no answer from " NS1_6 ", the "
	    "primary ns1.example.test of zone example.test"));
	assert_non_null(strstr(f->err, "check server = in [zone "
	    "example.test] of t.ini"));
}

/* The MNAME has no address: that, not a resolver failure, is said. */
static void
test_mname_without_address(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = NS1, .qname = "_acme-challenge.www.example.test.",
		  .aa = 1, .rcode = LDNS_RCODE_NXDOMAIN,
		  .authority = { "example.test. 300 IN SOA gone.example.test. "
		  "h. 1 3600 600 86400 300" } },
		{ .server = RES, .qname = "gone.example.test." },
		RESOLVER,
	};

	add(f, "www.example.test", V1);
	assert_int_equal(resolve(f, script, sizeof(script) /
	    sizeof(script[0])), RESOLVE_ERR_DNS);
	assert_int_equal(f->fail.cause, FAIL_PRIMARY_NO_ADDRESS);
	assert_non_null(strstr(f->err, "cannot find the address of "
	    "gone.example.test, the primary of zone example.test "
	    "(gone.example.test has no address (A or AAAA))"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mname_v4_and_v6, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zone_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_without_section,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_servers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wildcard_and_base, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_primary_silent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mname_without_address,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
