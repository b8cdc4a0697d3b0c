/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the readers in query.c, on replies built with ldns: a TXT
 * value served or not (one string exactly, owner in any case), the first
 * record of a type, how many TXT records a name holds, and rcode names.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "query.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define OWNER "_acme-challenge.example.test."

/* A reply whose answer section holds RRS, in presentation format. */
static ldns_pkt *
reply(const char *const *rrs)
{
	ldns_pkt	*p = ldns_pkt_new();
	ldns_rr		*rr;

	assert_non_null(p);
	for (; *rrs != NULL; rrs++) {
		rr = NULL;
		if (ldns_rr_new_frm_str(&rr, *rrs, 60, NULL, NULL) !=
		    LDNS_STATUS_OK)
			fail_msg("cannot build %s", *rrs);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	return p;
}

static void
test_txt_has(void **state)
{
	const char *const rrs[] = {
		OWNER " 60 IN TXT \"" V1 "\"",
		/* Two strings in one record are not the value. */
		OWNER " 60 IN TXT \"" V2 "\" \"more\"",
		"other.example.test. 60 IN TXT \"" V2 "\"",
		"_ACME-Challenge.Example.TEST. 60 IN TXT \"unrelated\"",
		NULL
	};
	ldns_pkt	*p = reply(rrs);

	(void)state;
	assert_true(query_txt_has(p, OWNER, V1));
	assert_true(query_txt_has(p, "_ACME-CHALLENGE.example.test.", V1));
	assert_true(query_txt_has(p, OWNER, "unrelated"));
	assert_false(query_txt_has(p, OWNER, V2));
	assert_false(query_txt_has(p, "other.example.test.", V1));
	assert_true(query_txt_has(p, "other.example.test.", V2));
	/* A prefix or an extension of the value is not the value. */
	assert_false(query_txt_has(p, OWNER, "gfj9Xq"));
	assert_false(query_txt_has(p, OWNER, V1 "x"));
	assert_false(query_txt_has(p, "bad..name.", V1));
	ldns_pkt_free(p);
}

static void
test_rr_find(void **state)
{
	const char *const rrs[] = {
		"www.example.test. 60 IN CNAME app.example.net.",
		"app.example.net. 60 IN A 192.0.2.1",
		"App.Example.NET. 60 IN A 192.0.2.2",
		NULL
	};
	ldns_pkt	*p = reply(rrs);
	ldns_rr_list	*an = ldns_pkt_answer(p);
	const ldns_rr	*rr;
	char		*s;

	(void)state;
	rr = query_rr_find(an, LDNS_RR_TYPE_CNAME, "WWW.example.test.");
	assert_non_null(rr);
	s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	assert_string_equal(s, "app.example.net.");
	free(s);
	/* The first of several. */
	rr = query_rr_find(an, LDNS_RR_TYPE_A, "app.example.net.");
	assert_ptr_equal(rr, ldns_rr_list_rr(an, 1));
	/* Any owner. */
	assert_ptr_equal(query_rr_find(an, LDNS_RR_TYPE_A, NULL),
	    ldns_rr_list_rr(an, 1));
	assert_null(query_rr_find(an, LDNS_RR_TYPE_AAAA, NULL));
	assert_null(query_rr_find(an, LDNS_RR_TYPE_CNAME, "app.example.net."));
	assert_null(query_rr_find(an, LDNS_RR_TYPE_A, "bad..name."));
	ldns_pkt_free(p);
}

static void
test_txt_count(void **state)
{
	const char *const rrs[] = {
		OWNER " 60 IN TXT \"" V1 "\"",
		OWNER " 60 IN TXT \"" V2 "\"",
		"_acme-challenge.EXAMPLE.test. 60 IN TXT \"third\"",
		OWNER " 60 IN A 192.0.2.1",
		"other.example.test. 60 IN TXT \"" V1 "\"",
		NULL
	};
	const char *const none[] = { NULL };
	ldns_pkt	*p = reply(rrs), *empty = reply(none);

	(void)state;
	assert_int_equal(query_txt_count(p, OWNER), 3);
	assert_int_equal(query_txt_count(p, "other.example.test."), 1);
	assert_int_equal(query_txt_count(p, "nothing.example.test."), 0);
	assert_int_equal(query_txt_count(empty, OWNER), 0);
	ldns_pkt_free(p);
	ldns_pkt_free(empty);
}

static void
test_rcode_name(void **state)
{
	(void)state;
	assert_string_equal(query_rcode_name(LDNS_RCODE_NOERROR), "NOERROR");
	assert_string_equal(query_rcode_name(LDNS_RCODE_SERVFAIL), "SERVFAIL");
	assert_string_equal(query_rcode_name(LDNS_RCODE_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(query_rcode_name(LDNS_RCODE_REFUSED), "REFUSED");
	assert_string_equal(query_rcode_name(LDNS_RCODE_NOTAUTH), "NOTAUTH");
	assert_string_equal(query_rcode_name((ldns_pkt_rcode)15),
	    "unknown rcode");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_has),
		cmocka_unit_test(test_rr_find),
		cmocka_unit_test(test_txt_count),
		cmocka_unit_test(test_rcode_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
