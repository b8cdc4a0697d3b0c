/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for dname.c: what dname_parse takes and refuses (and the
 * words it refuses with), the canonical form, and the comparisons done on
 * ldns rdfs: equal, is_within, parent, the bare display length, and names
 * read from the wire in upper case.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dname.h"

static void
parse_ok(const char *in, unsigned flags, const char *want)
{
	char	 why[256] = "", *out = NULL;

	if (dname_parse(in, strlen(in), flags, &out, why, sizeof(why)) !=
	    DNAME_OK)
		fail_msg("%s refused: %s", in, why);
	assert_string_equal(out, want);
	free(out);
}

static void
parse_fails(const char *in, unsigned flags, const char *needle)
{
	char	 why[256] = "", *out = (char *)0x1;

	assert_int_equal(dname_parse(in, strlen(in), flags, &out, why,
	    sizeof(why)), DNAME_ERR_SYNTAX);
	assert_null(out);
	if (strstr(why, needle) == NULL)
		fail_msg("%s: want \"%s\" in \"%s\"", in, needle, why);
}

static void
test_parse(void **state)
{
	char	 name[300], *out = NULL, why[64];

	(void)state;
	parse_ok("Example.ORG", 0, "example.org.");
	parse_ok("example.org.", 0, "example.org.");
	parse_ok("_acme-challenge.a-b_c.example", 0,
	    "_acme-challenge.a-b_c.example.");
	parse_ok("*.example.org", DNAME_ALLOW_WILDCARD, "*.example.org.");
	parse_ok(".", DNAME_ALLOW_ROOT, ".");
	parse_ok("Key/One.example", DNAME_ALLOW_KEYCHARS, "key/one.example.");
	/* LEN bounds the text: the rest is not looked at. */
	assert_int_equal(dname_parse("example.org junk", 11, 0, &out, why,
	    sizeof(why)), DNAME_OK);
	assert_string_equal(out, "example.org.");
	free(out);

	parse_fails("", 0, "empty name");
	parse_fails(".", 0, "empty name");
	parse_fails("a..example", 0, "empty label in name");
	parse_fails(".example", 0, "empty label in name");
	parse_fails("*.example.org", 0, "character '*' is not allowed");
	parse_fails("a.*.example", DNAME_ALLOW_WILDCARD, "character '*'");
	parse_fails("ex ample.org", 0, "character ' ' is not allowed in a "
	    "host name");
	parse_fails("key/one", 0, "character '/'");
	parse_fails("a@b", DNAME_ALLOW_KEYCHARS, "character '@' is not "
	    "allowed in a key name");
	/* A control character is named, never printed. */
	parse_fails("a\nb.example", 0, "character \\010 is not allowed");
	parse_fails("a\033b.example", DNAME_ALLOW_KEYCHARS, "\\027");
	parse_fails("b\xc3\xbc" "cher.example", 0, "punycode");

	memset(name, 'a', 64);
	name[64] = '\0';
	parse_fails(name, 0, "a label is 64 characters long; at most 63");
	name[63] = '\0';
	assert_int_equal(dname_parse(name, 63, 0, &out, why, sizeof(why)),
	    DNAME_OK);
	assert_int_equal(strlen(out), 64);
	free(out);

	/* 253 characters fit, 254 do not (RFC 1035 2.3.4). */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	assert_int_equal(dname_parse(name, 253, 0, &out, why, sizeof(why)),
	    DNAME_OK);
	assert_int_equal(strlen(out), 254);
	free(out);
	name[253] = 'a';
	name[254] = '\0';
	parse_fails(name, 0, "name is 254 characters long; at most 253");
}

static void
test_equal(void **state)
{
	(void)state;
	assert_true(dname_equal("example.org.", "EXAMPLE.org."));
	assert_true(dname_equal("example.org", "example.org."));
	assert_false(dname_equal("example.org.", "example.net."));
	assert_false(dname_equal("a.example.org.", "example.org."));
}

static void
test_is_within(void **state)
{
	(void)state;
	assert_true(dname_is_within("example.org.", "example.org."));
	assert_true(dname_is_within("A.B.Example.ORG.", "example.org."));
	assert_true(dname_is_within("example.org.", "."));
	/* On a label boundary only. */
	assert_false(dname_is_within("xexample.org.", "example.org."));
	assert_false(dname_is_within("example.org.", "a.example.org."));
	assert_false(dname_is_within("example.net.", "example.org."));
}

static void
test_parent(void **state)
{
	(void)state;
	assert_string_equal(dname_parent("a.b.example."), "b.example.");
	assert_string_equal(dname_parent("example."), ".");
	assert_string_equal(dname_parent("."), ".");
}

static void
test_bare_len(void **state)
{
	char	 buf[64];

	(void)state;
	assert_int_equal(dname_bare_len("example.org."), 11);
	assert_int_equal(dname_bare_len("example.org"), 11);
	assert_int_equal(dname_bare_len("."), 1);
	snprintf(buf, sizeof(buf), "[%.*s]", DNAME_BARE("a.example."));
	assert_string_equal(buf, "[a.example]");
	snprintf(buf, sizeof(buf), "[%.*s]", DNAME_BARE("."));
	assert_string_equal(buf, "[.]");
}

static void
test_rdf(void **state)
{
	ldns_rdf	*rdf = NULL;
	char		*s;

	(void)state;
	/* Names read from the wire keep the case they came in: fold it. */
	assert_int_equal(ldns_str2rdf_dname(&rdf, "WWW.Example.ORG."),
	    LDNS_STATUS_OK);
	s = dname_from_rdf(rdf);
	assert_string_equal(s, "www.example.org.");
	free(s);
	ldns_rdf_deep_free(rdf);
	assert_null(dname_from_rdf(NULL));

	/* Not a name: no text. */
	rdf = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 53);
	assert_null(dname_from_rdf(rdf));
	ldns_rdf_deep_free(rdf);

	rdf = dname_to_rdf("example.org.");
	assert_non_null(rdf);
	assert_int_equal(ldns_dname_label_count(rdf), 2);
	ldns_rdf_deep_free(rdf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_is_within),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_bare_len),
		cmocka_unit_test(test_rdf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
