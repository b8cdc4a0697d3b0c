/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: CAA as a CA reads it. Record parsing (RFC 8659 4.1), issue
 * values and their parameters (RFC 8657), the relevant set and what it
 * permits (issue vs issuewild, issuers without regard to case), and the
 * climb from the domain up to, not including, the root, against the
 * scripted transport: a CNAME followed by the resolver, a SERVFAIL.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "caa.h"
#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "fake_dns.h"

#define R1	"127.0.0.2 port 53"

static char *lets[] = { "letsencrypt.org" };

struct fixture {
	struct dns_server	 resolver;
	struct ctx		 ctx;
	struct failure		 fail;
	struct caa_set		 set;
	struct caa_result	 res;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(dnsio_server_parse("127.0.0.2", 53, &f->resolver),
	    0);
	ctx_init(&f->ctx, 5, &f->resolver, 1, 53);
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
	caa_set_free(&f->set);
	caa_result_clear(&f->res);
	free(f);
	return 0;
}

static void
test_rr_parse(void **state)
{
	static const uint8_t ok[] = { 0x80, 5, 'I', 's', 'S', 'u', 'e',
	    'c', 'a', '.', 'o', 'r', 'g' };
	static const uint8_t short_tag[] = { 0, 9, 'i', 's' };
	static const uint8_t no_tag[] = { 0, 0, 'x' };
	static const uint8_t nul[] = { 0, 5, 'i', 's', 's', 'u', 'e', 'a',
	    0, 'b' };
	struct caa_rr rr;

	(void)state;
	assert_int_equal(caa_rr_parse(ok, sizeof(ok), &rr), 0);
	assert_true(rr.critical);
	assert_string_equal(rr.tag, "issue");
	assert_string_equal(rr.value, "ca.org");
	caa_rr_clear(&rr);
	assert_int_equal(caa_rr_parse(short_tag, sizeof(short_tag), &rr), -1);
	assert_int_equal(caa_rr_parse(no_tag, sizeof(no_tag), &rr), -1);
	assert_int_equal(caa_rr_parse(nul, sizeof(nul), &rr), -1);
	assert_int_equal(caa_rr_parse(ok, 1, &rr), -1);
}

static void
test_issue_parse(void **state)
{
	struct caa_issue is;

	(void)state;
	assert_int_equal(caa_issue_parse(" LetsEncrypt.org ; "
	    "validationmethods = dns-01,http-01 ; accounturi=https://a/b ;",
	    &is), 0);
	assert_string_equal(is.issuer, "letsencrypt.org");
	assert_string_equal(is.methods, "dns-01,http-01");
	assert_string_equal(is.accounturi, "https://a/b");
	caa_issue_clear(&is);
	assert_int_equal(caa_issue_parse(";", &is), 0);
	assert_string_equal(is.issuer, "");
	assert_null(is.methods);
	caa_issue_clear(&is);
	/* An unknown parameter is ignored; a bare word is malformed. */
	assert_int_equal(caa_issue_parse("ca.org; foo=bar", &is), 0);
	caa_issue_clear(&is);
	assert_int_equal(caa_issue_parse("ca.org; foo", &is), -1);
	assert_int_equal(caa_issue_parse("two words", &is), -1);
}

/* A set made of (tag, value) pairs, flags 0. */
static void
set_of(struct caa_set *set, const char *const *pairs, size_t n)
{
	set->rrs = calloc(n, sizeof(*set->rrs));
	assert_non_null(set->rrs);
	for (size_t i = 0; i < n; i++) {
		set->rrs[i].tag = strdup(pairs[2 * i]);
		set->rrs[i].value = strdup(pairs[2 * i + 1]);
	}
	set->n = n;
	set->at = strdup("example.test.");
}

static enum caa_verdict
verdict(struct fixture *f, const char *const *pairs, size_t n, int wildcard)
{
	caa_set_free(&f->set);
	caa_result_clear(&f->res);
	set_of(&f->set, pairs, n);
	assert_int_equal(caa_evaluate(&f->set, wildcard, lets, 1, &f->res),
	    0);
	return f->res.verdict;
}

static void
test_evaluate(void **state)
{
	struct fixture *f = *state;
	const char *const ours[] = { "issue", "LETSENCRYPT.ORG" };
	const char *const other[] = { "issue", "sectigo.com",
	    "issue", "pki.goog" };
	const char *const wild_no[] = { "issue", "letsencrypt.org",
	    "issuewild", ";" };
	const char *const http_only[] = { "issue",
	    "letsencrypt.org; validationmethods=http-01" };
	const char *const iodef[] = { "iodef", "mailto:x@example.test" };
	const char *const nobody[] = { "issue", ";" };

	assert_int_equal(verdict(f, ours, 1, 0), CAA_PERMITS);
	assert_string_equal(f->res.tag, "issue");
	assert_int_equal(verdict(f, other, 2, 0), CAA_OTHER_ISSUER);
	assert_string_equal(f->res.issuers, "sectigo.com, pki.goog");
	/* issuewild rules "*." names; issue the others (RFC 8659 4.3). */
	assert_int_equal(verdict(f, wild_no, 2, 1), CAA_FORBIDS);
	assert_string_equal(f->res.tag, "issuewild");
	assert_int_equal(verdict(f, wild_no, 2, 0), CAA_PERMITS);
	/* Without issuewild, issue rules wildcards too. */
	assert_int_equal(verdict(f, ours, 1, 1), CAA_PERMITS);
	assert_int_equal(verdict(f, http_only, 1, 0), CAA_NO_DNS01);
	assert_string_equal(f->res.methods, "http-01");
	/* A set without issue restricts nothing (RFC 8659 4.2). */
	assert_int_equal(verdict(f, iodef, 1, 0), CAA_NONE);
	assert_int_equal(verdict(f, nobody, 1, 0), CAA_FORBIDS);
}

static void
test_evaluate_critical(void **state)
{
	struct fixture *f = *state;
	const char *const crit[] = { "issue", "letsencrypt.org",
	    "tbs", "x" };

	set_of(&f->set, crit, 2);
	f->set.rrs[1].critical = 1;
	assert_int_equal(caa_evaluate(&f->set, 0, lets, 1, &f->res), 0);
	assert_int_equal(f->res.verdict, CAA_CRITICAL);
	assert_string_equal(f->res.unknown, "tbs");
}

/* The climb stops at the first name with CAA, following the CNAME. */
static void
test_climb_parent_through_cname(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qname = "www.shop.example.test.", .qtype = LDNS_RR_TYPE_CAA,
		  .rcode = LDNS_RCODE_NXDOMAIN },
		{ .qname = "shop.example.test.", .qtype = LDNS_RR_TYPE_CAA,
		  .answer = { "shop.example.test. 60 IN CNAME cdn.other.test.",
		      "cdn.other.test. 60 IN CAA 0 issue \"sectigo.com\"" } },
	};

	fake_dns_install(script, 2);
	assert_int_equal(caa_climb(&f->ctx, "www.shop.example.test.",
	    &f->set, &f->fail), 0);
	assert_string_equal(f->set.at, "shop.example.test.");
	assert_int_equal(f->set.n, 1);
	assert_string_equal(f->set.rrs[0].value, "sectigo.com");
	assert_int_equal(fake_dns_count(), 2);
}

/* Up to, not including, the root: three names for a.b.test. */
static void
test_climb_none(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qtype = LDNS_RR_TYPE_CAA },
	};

	fake_dns_install(script, 1);
	assert_int_equal(caa_climb(&f->ctx, "a.b.test.", &f->set, &f->fail),
	    0);
	assert_null(f->set.at);
	assert_int_equal(fake_dns_count(), 3);
	assert_int_equal(fake_dns_count_for(NULL, "test.", LDNS_RR_TYPE_CAA),
	    1);
	assert_int_equal(fake_dns_count_for(NULL, ".", LDNS_RR_TYPE_CAA), 0);
}

/* SERVFAIL on any step stops the climb: CAs refuse to issue. */
static void
test_climb_servfail(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qname = "b.test.", .qtype = LDNS_RR_TYPE_CAA,
		  .rcode = LDNS_RCODE_SERVFAIL },
		{ .qtype = LDNS_RR_TYPE_CAA },
	};

	fake_dns_install(script, 2);
	assert_int_equal(caa_climb(&f->ctx, "a.b.test.", &f->set, &f->fail),
	    -1);
	assert_int_equal(f->fail.reason, REASON_RESOLVER_RCODE);
	assert_int_equal(f->fail.rcode, LDNS_RCODE_SERVFAIL);
	assert_string_equal(f->fail.qname, "b.test.");
	assert_int_equal(fake_dns_count_for(NULL, "test.", LDNS_RR_TYPE_CAA),
	    0);
}

/* CAA RDATA from the wire, through ldns: what caa_climb parses. */
static void
test_climb_reads_wire(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qname = "x.test.", .qtype = LDNS_RR_TYPE_CAA,
		  .answer = { "x.test. 60 IN CAA 128 issuewild \";\"",
		      "x.test. 60 IN CAA 0 issue \"letsencrypt.org; "
		      "accounturi=https://acme/acct/1\"" } },
	};

	fake_dns_install(script, 1);
	assert_int_equal(caa_climb(&f->ctx, "x.test.", &f->set, &f->fail), 0);
	assert_int_equal(f->set.n, 2);
	assert_true(f->set.rrs[0].critical);
	assert_string_equal(f->set.rrs[0].tag, "issuewild");
	assert_string_equal(f->set.rrs[0].value, ";");
	assert_int_equal(caa_evaluate(&f->set, 0, lets, 1, &f->res), 0);
	assert_int_equal(f->res.verdict, CAA_PERMITS);
	assert_string_equal(f->res.accounturi, "https://acme/acct/1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_parse),
		cmocka_unit_test(test_issue_parse),
		cmocka_unit_test_setup_teardown(test_evaluate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evaluate_critical, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_climb_parent_through_cname,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_climb_none, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_climb_servfail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_climb_reads_wire, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
