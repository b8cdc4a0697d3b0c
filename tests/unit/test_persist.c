/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: dns-persist-01 values (draft-ietf-acme-dns-persist 3.2):
 * the issuer normalised, the account URI and persistUntil checked, values
 * over 255 octets split into strings, and records read back.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "persist.h"

#define ACCT	"https://acme-v02.api.letsencrypt.org/acme/acct/123"
#define NOW	1800000000

static void
test_value(void **state)
{
	struct persist_spec spec = { .issuer = "LetsEncrypt.ORG.",
	    .account = ACCT };
	char why[256], *v;

	(void)state;
	v = persist_value(&spec, NOW, why, sizeof(why));
	assert_string_equal(v, "letsencrypt.org; accounturi=" ACCT);
	free(v);
	spec.wildcard = 1;
	spec.until = NOW + 1;
	v = persist_value(&spec, NOW, why, sizeof(why));
	assert_string_equal(v, "letsencrypt.org; accounturi=" ACCT
	    "; policy=wildcard; persistUntil=1800000001");
	free(v);
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*issuer, *account;
		long long	 until;
		const char	*why;
	} cases[] = {
		{ "lets encrypt.org", ACCT, 0, "not a domain name" },
		{ "-le.org", ACCT, 0, "not a domain name" },
		{ "le_x.org", ACCT, 0, "not a domain name" },
		{ "b\xc3\xbc" "cher.example", ACCT, 0, "not ASCII" },
		{ "le.org", "acct123", 0, "is not a URI" },
		{ "le.org", "1https://x", 0, "is not a URI" },
		{ "le.org", "https://x/a b", 0, "holds a blank" },
		{ "le.org", "https://x/a;b", 0, "holds a blank, a ';'" },
		{ "le.org", "https://x/\x01", 0, "control" },
		{ "le.org", ACCT, NOW, "is in the past" },
		{ "le.org", NULL, 0, "--account-uri is required" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct persist_spec spec = { .issuer = cases[i].issuer,
		    .account = cases[i].account, .until = cases[i].until };
		char why[256] = "";

		assert_null(persist_value(&spec, NOW, why, sizeof(why)));
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" not in \"%s\"", i,
			    cases[i].why, why);
	}
}

/* RFC 1035 3.3: strings of at most 255 octets; RFC 1035 5.1 escapes. */
static void
test_rdata(void **state)
{
	char value[601], *rdata;
	ldns_rr *rr = NULL;
	char *text;

	(void)state;
	memset(value, 'a', 600);
	value[600] = '\0';
	value[10] = '"';
	value[300] = '\\';
	rdata = persist_rdata(value);
	text = malloc(strlen(rdata) + 32);
	strcpy(text, "x. 60 IN TXT ");
	strcat(text, rdata);
	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
	    LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_rd_count(rr), 3);
	assert_int_equal(ldns_rdf_data(ldns_rr_rdf(rr, 0))[0], 255);
	assert_int_equal(ldns_rdf_data(ldns_rr_rdf(rr, 1))[0], 255);
	assert_int_equal(ldns_rdf_data(ldns_rr_rdf(rr, 2))[0], 90);
	assert_int_equal(ldns_rdf_data(ldns_rr_rdf(rr, 0))[11], '"');
	assert_int_equal(ldns_rdf_data(ldns_rr_rdf(rr, 1))[1 + 300 - 255],
	    '\\');
	ldns_rr_free(rr);
	free(text);
	free(rdata);
	rdata = persist_rdata("");
	assert_string_equal(rdata, "\"\"");
	free(rdata);
}

static void
test_parse(void **state)
{
	char *issuer, *account;

	(void)state;
	assert_int_equal(persist_parse(" LE.org ;policy=wildcard;  "
	    "AccountURI = " ACCT " ; persistUntil=5", &issuer, &account), 0);
	assert_string_equal(issuer, "le.org");
	assert_string_equal(account, ACCT);
	free(issuer);
	free(account);
	assert_int_equal(persist_parse("le.org", &issuer, &account), 0);
	assert_null(account);
	free(issuer);
	assert_int_equal(persist_parse("v=spf1 -all", &issuer, &account), -1);
	assert_int_equal(persist_parse("; accounturi=x", &issuer, &account),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rdata),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
