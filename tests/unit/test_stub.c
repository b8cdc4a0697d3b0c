/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the resolver client. Resolvers asked in turn; what the last
 * one did when none answers; A and AAAA both collected; "no address" only
 * when a resolver said so.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "fake_dns.h"
#include "stub.h"

#define R1	"127.0.0.2 port 53"
#define R2	"[::1]:53"
#define R2_TEXT	"::1 port 53"

struct fixture {
	struct dns_server	 resolvers[2];
	struct ctx		 ctx;
	struct failure		 fail;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(dnsio_server_parse("127.0.0.2", 53,
	    &f->resolvers[0]), 0);
	assert_int_equal(dnsio_server_parse(R2, 53, &f->resolvers[1]), 0);
	ctx_init(&f->ctx, 5, f->resolvers, 2, 53);
	failure_init(&f->fail);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fake_dns_uninstall();
	failure_clear(&f->fail);
	free(f);
	return 0;
}

static void
test_second_resolver_answers(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = R1, .outcome = FAKE_TIMEOUT },
		{ .server = R2_TEXT, .qname = "example.test.",
		  .qtype = LDNS_RR_TYPE_NS,
		  .answer = { "example.test. 60 IN NS ns1.example.test." } },
	};
	ldns_pkt *p;

	fake_dns_install(script, 2);
	p = stub_ask(&f->ctx, "example.test.", LDNS_RR_TYPE_NS, &f->fail);
	assert_non_null(p);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 1);
	ldns_pkt_free(p);
}

/* NXDOMAIN is an answer; SERVFAIL from all is the last one's failure. */
static void
test_servfail_everywhere(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qname = "gone.test.", .rcode = LDNS_RCODE_NXDOMAIN },
		{ .rcode = LDNS_RCODE_SERVFAIL },
	};
	ldns_pkt *p;

	fake_dns_install(script, 2);
	p = stub_ask(&f->ctx, "gone.test.", LDNS_RR_TYPE_SOA, &f->fail);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	assert_null(stub_ask(&f->ctx, "broken.test.", LDNS_RR_TYPE_SOA,
	    &f->fail));
	assert_int_equal(f->fail.reason, REASON_RESOLVER_RCODE);
	assert_int_equal(f->fail.rcode, LDNS_RCODE_SERVFAIL);
	assert_string_equal(f->fail.rserver.text, R2_TEXT);
	assert_string_equal(f->fail.rqname, "broken.test.");
}

static void
test_addresses_v4_and_v6(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = R1, .qname = "ns.test.", .qtype = LDNS_RR_TYPE_A,
		  .answer = { "ns.test. 60 IN A 192.0.2.1",
		  "ns.test. 60 IN A 192.0.2.2" } },
		{ .server = R1, .qname = "ns.test.", .qtype = LDNS_RR_TYPE_AAAA,
		  .answer = { "ns.test. 60 IN AAAA 2001:db8::1" } },
	};
	struct dns_server *a;
	size_t n;

	fake_dns_install(script, 2);
	assert_int_equal(stub_addresses(&f->ctx, "ns.test.", 5353, &a, &n,
	    &f->fail), 0);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].text, "192.0.2.1 port 5353");
	assert_string_equal(a[1].text, "192.0.2.2 port 5353");
	assert_string_equal(a[2].text, "2001:db8::1 port 5353");
	free(a);
}

/* An answer without addresses says so; dead resolvers say they are dead. */
static void
test_no_address_or_no_resolver(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry answers[] = {
		{ .server = R1, .qname = "bare.test." },
	};
	const struct fake_entry dead[] = {
		{ .outcome = FAKE_TIMEOUT },
	};
	struct dns_server *a;
	size_t n;

	fake_dns_install(answers, 1);
	assert_int_equal(stub_addresses(&f->ctx, "bare.test.", 53, &a, &n,
	    &f->fail), -1);
	assert_int_equal(f->fail.reason, REASON_NO_ADDRESS);
	assert_string_equal(f->fail.rqname, "bare.test.");
	failure_clear(&f->fail);
	fake_dns_install(dead, 1);
	assert_int_equal(stub_addresses(&f->ctx, "bare.test.", 53, &a, &n,
	    &f->fail), -1);
	assert_int_equal(f->fail.reason, REASON_RESOLVER_SILENT);
	assert_int_equal(f->fail.io_status, DNSIO_TIMEOUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_resolver_answers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_servfail_everywhere, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addresses_v4_and_v6, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_address_or_no_resolver,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
