/* SPDX-License-Identifier: ISC */
/* Unit tests: challenge names and values, the list (dedupe, ownership). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "challenge.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

static void
derive_ok(const char *in, enum challenge_naming naming, const char *want)
{
	char err[256] = "", *out = NULL;

	assert_int_equal(challenge_name_derive(in, naming, &out, err,
	    sizeof(err)), CHALLENGE_OK);
	assert_string_equal(out, want);
	free(out);
}

static void
derive_fails(const char *in, const char *why)
{
	char err[256] = "", *out = NULL;

	assert_int_equal(challenge_name_derive(in, CHALLENGE_FROM_DOMAIN, &out,
	    err, sizeof(err)), CHALLENGE_ERR_NAME);
	assert_null(out);
	assert_non_null(strstr(err, why));
}

static void
test_names_from_domain(void **state)
{
	(void)state;
	derive_ok("example.org", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.example.org.");
	derive_ok("Example.ORG.", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.example.org.");
	/* A wildcard and its base share one challenge name. */
	derive_ok("*.example.org", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.example.org.");
	derive_ok("_acme-challenge.www.example.org", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.www.example.org.");
	derive_ok("_ACME-Challenge.example.org.", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.example.org.");
	derive_ok("xn--bcher-kva.example", CHALLENGE_FROM_DOMAIN,
	    "_acme-challenge.xn--bcher-kva.example.");
}

static void
test_names_as_given(void **state)
{
	(void)state;
	/* lego present passes the owner it resolved, prefix or not. */
	derive_ok("app.example.com.acme.example.net.", CHALLENGE_AS_GIVEN,
	    "app.example.com.acme.example.net.");
	derive_ok("_acme-challenge.example.org.", CHALLENGE_AS_GIVEN,
	    "_acme-challenge.example.org.");
}

static void
test_names_rejected(void **state)
{
	char longlabel[80], longname[300];

	(void)state;
	derive_fails("b\xc3\xbc" "cher.example", "punycode");
	derive_fails("a..example", "empty label");
	derive_fails("", "empty name");
	derive_fails("exa mple.org", "not allowed");
	derive_fails("exa/mple.org", "not allowed");
	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".org");
	derive_fails(longlabel, "at most 63");
	for (size_t i = 0; i < 250; i += 2)
		memcpy(longname + i, "a.", 2);
	strcpy(longname + 250, "org");
	derive_fails(longname, "DNS");
}

static void
test_values(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(challenge_value_check(V1, err, sizeof(err)),
	    CHALLENGE_OK);
	assert_int_equal(challenge_value_check("short", err, sizeof(err)),
	    CHALLENGE_ERR_VALUE);
	assert_non_null(strstr(err, "43-character base64url"));
	/* Standard base64 with padding is not what an ACME CA hands over. */
	assert_int_equal(challenge_value_check(
	    "gfj9Xq+yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8=", err, sizeof(err)),
	    CHALLENGE_ERR_VALUE);
	assert_non_null(strstr(err, "'+'"));
	assert_int_equal(challenge_value_check(V1 "AAAA", err, sizeof(err)),
	    CHALLENGE_ERR_VALUE);
	assert_non_null(strstr(err, "47 characters"));
}

static void
test_list_dedupe_and_free(void **state)
{
	struct challenge_list l = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(challenge_list_add(&l, "*.example.org", V1,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_int_equal(challenge_list_add(&l, "example.org", V2,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	/* The same pair twice (certbot retries, chained hooks) is kept once. */
	assert_int_equal(challenge_list_add(&l, "example.org.", V2,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].domain, "*.example.org");
	assert_string_equal(l.items[0].name, l.items[1].name);
	assert_string_equal(l.items[0].effective, "_acme-challenge.example.org.");
	assert_int_equal(challenge_list_add(&l, "bad name", V1,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_ERR_NAME);
	assert_true(strncmp(err, "bad name: ", 10) == 0);
	assert_int_equal(challenge_list_add(&l, "example.org", "nope",
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_ERR_VALUE);
	assert_int_equal(l.n, 2);
	challenge_list_free(&l);
	assert_null(l.items);
	assert_int_equal(l.n, 0);
}

static void
test_list_add_pairs_and_names(void **state)
{
	char *pairs[] = { "example.org", V1, "*.example.org", V2, "x..y", V1 };
	char *names[] = { "example.org", "www.example.org" };
	struct challenge_list l = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(challenge_list_add_pairs(&l, pairs, 4,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1].name, "_acme-challenge.example.org.");
	assert_string_equal(l.items[1].value, V2);
	/* The first refused pair stops the list and says which. */
	assert_int_equal(challenge_list_add_pairs(&l, pairs, 6,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_ERR_NAME);
	assert_int_equal(strncmp(err, "x..y: ", 6), 0);
	challenge_list_free(&l);

	assert_int_equal(challenge_list_add_names(&l, names, 2,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1].name,
	    "_acme-challenge.www.example.org.");
	assert_string_equal(l.items[1].value, "");
	challenge_list_free(&l);
}

static void
test_subject(void **state)
{
	struct challenge_list l = { 0 };
	char err[256], buf[600];

	(void)state;
	assert_int_equal(challenge_list_add(&l, "example.org", V1,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_string_equal(challenge_subject(&l.items[0], buf, sizeof(buf)),
	    "_acme-challenge.example.org");
	assert_int_equal(challenge_set_effective(&l.items[0],
	    "example.org.acme.example.net."), 0);
	assert_string_equal(challenge_subject(&l.items[0], buf, sizeof(buf)),
	    "_acme-challenge.example.org -> example.org.acme.example.net");
	challenge_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_from_domain),
		cmocka_unit_test(test_names_as_given),
		cmocka_unit_test(test_names_rejected),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_list_dedupe_and_free),
		cmocka_unit_test(test_list_add_pairs_and_names),
		cmocka_unit_test(test_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
