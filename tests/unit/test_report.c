/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: report.c's tables. Every failure cause renders a subject,
 * what failed, the server where the cause has one, and a fix, with every
 * placeholder filled; the message has no fixed length.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dnsio.h"
#include "failure.h"
#include "report.h"
#include "tsig.h"

#define SRV	"192.0.2.53 port 53"

/* A failure with every field set, so that any template has its data. */
static void
failure_full(struct failure *f, enum failure_cause cause)
{
	failure_init(f);
	f->cause = cause;
	assert_int_equal(failure_subject(f, "_acme-challenge.a.example.",
	    "a.acme.example.", 1), 0);
	assert_int_equal(failure_set(&f->zone, f, "acme.example."), 0);
	assert_int_equal(failure_set(&f->qname, f, "x.acme.example."), 0);
	assert_int_equal(failure_set(&f->host, f, "ns1.acme.example."), 0);
	assert_int_equal(failure_set(&f->rqname, f, "ns1.acme.example."), 0);
	assert_int_equal(failure_set(&f->other_zone, f, "example."), 0);
	assert_int_equal(failure_set(&f->detail, f, "a -> b"), 0);
	assert_int_equal(dnsio_server_parse("192.0.2.53", 53, &f->server), 0);
	f->has_server = 1;
	assert_int_equal(dnsio_server_parse("192.0.2.1", 53, &f->rserver), 0);
	f->has_rserver = 1;
	f->reason = REASON_RCODE;
	f->rcode = LDNS_RCODE_REFUSED;
	f->key_name = "acme-key.";
	f->key_alg = "hmac-sha256";
	f->config_path = "/etc/acme-nsupdate/acme-nsupdate.ini";
	f->line = 7;
	f->count = 16;
	f->timeout = 120;
	f->skew = 300;
}

/* Causes whose message names the server at fault. */
static int
cause_has_server(enum failure_cause c)
{
	switch (c) {
	case FAIL_CHAIN_SERVFAIL: case FAIL_CHAIN_HOP:
	case FAIL_PRIMARY_NOT_SERVING: case FAIL_PRIMARY_SILENT:
	case FAIL_UPDATE_SILENT: case FAIL_UPDATE_UNREADABLE:
	case FAIL_UPDATE_BADSIG: case FAIL_UPDATE_BADKEY:
	case FAIL_UPDATE_BADTIME: case FAIL_UPDATE_TSIG_OTHER:
	case FAIL_UPDATE_BADTIME_UNSIGNED:
	case FAIL_REPLY_TSIG: case FAIL_UPDATE_REFUSED:
	case FAIL_UPDATE_REFUSED_UNSIGNED: case FAIL_UPDATE_NOTAUTH:
	case FAIL_UPDATE_NOTZONE: case FAIL_UPDATE_SERVFAIL:
	case FAIL_UPDATE_NOTIMP: case FAIL_UPDATE_RCODE:
	case FAIL_NOT_APPLIED_ADD: case FAIL_NOT_APPLIED_REMOVE:
	case FAIL_CONFIRM_SILENT:
		return 1;
	default:
		return 0;
	}
}

static void
test_every_cause(void **state)
{
	(void)state;
	for (int c = FAIL_NOMEM + 1; c < FAIL_CAUSE_COUNT; c++) {
		struct report_parts p;
		struct failure f;
		char *text;

		failure_full(&f, (enum failure_cause)c);
		assert_int_equal(report_parts(&f, &p), 0);
		if (p.what == NULL || strcmp(p.what, "out of memory") == 0)
			fail_msg("cause %d has no row in report.c", c);
		assert_string_equal(p.subject,
		    "_acme-challenge.a.example -> a.acme.example (and 1 more)");
		if (p.fix == NULL || p.fix[0] == '\0')
			fail_msg("cause %d: no fix (%s)", c, p.what);
		if (cause_has_server(f.cause) && strstr(p.what, SRV) == NULL)
			fail_msg("cause %d: server not named in \"%s\"", c,
			    p.what);
		text = report_text(&f);
		assert_non_null(text);
		if (strchr(text, '{') != NULL || strchr(text, '}') != NULL)
			fail_msg("cause %d: placeholder left in \"%s\"", c,
			    text);
		/* Names print without their trailing dot. */
		if (strstr(text, "example. ") != NULL ||
		    strstr(text, "example.)") != NULL ||
		    strstr(text, "example.:") != NULL)
			fail_msg("cause %d: trailing dot in \"%s\"", c, text);
		free(text);
		report_parts_free(&p);
		failure_clear(&f);
	}
}

/* Each reason renders its data; SERVFAIL from a resolver explains itself. */
static void
test_reasons(void **state)
{
	static const struct {
		enum failure_reason	 reason;
		int			 rcode;
		const char		*want;
	} cases[] = {
		{ REASON_TRANSPORT, -1, "timed out" },
		{ REASON_RCODE, LDNS_RCODE_SERVFAIL, "(SERVFAIL)" },
		{ REASON_NOT_AUTH, -1, "not authoritative" },
		{ REASON_RESOLVER_RCODE, LDNS_RCODE_SERVFAIL,
		  "resolver 192.0.2.1 port 53 answered SERVFAIL for "
		  "ns1.acme.example: it could not get an answer" },
		{ REASON_RESOLVER_RCODE, LDNS_RCODE_REFUSED,
		  "resolver 192.0.2.1 port 53 answered REFUSED for "
		  "ns1.acme.example)" },
		{ REASON_NO_ADDRESS, -1, "ns1.acme.example has no address" },
		{ REASON_TSIG, LDNS_RCODE_NOTAUTH, "(NOTAUTH, TSIG BADTIME)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct failure f;
		char *text;

		failure_full(&f, FAIL_PRIMARY_UNKNOWN);
		f.reason = cases[i].reason;
		f.rcode = cases[i].rcode;
		f.io_status = DNSIO_TIMEOUT;
		f.tsig_error = TSIG_RCODE_BADTIME;
		text = report_text(&f);
		assert_non_null(text);
		if (strstr(text, cases[i].want) == NULL)
			fail_msg("\"%s\" not in \"%s\"", cases[i].want, text);
		free(text);
		failure_clear(&f);
	}
}

/* A wait timeout over many servers is printed whole: no fixed buffer. */
static void
test_long_detail(void **state)
{
	struct failure f;
	char *detail = malloc(20001), *text;

	(void)state;
	memset(detail, 'x', 20000);
	detail[19999] = 'Z';
	detail[20000] = '\0';
	failure_full(&f, FAIL_WAIT_SERVED);
	free(f.detail);
	f.detail = detail;
	f.reason = REASON_NONE;
	text = report_text(&f);
	assert_non_null(text);
	assert_non_null(strstr(text, "xZ; if a secondary lags"));
	free(text);
	failure_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cause),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_long_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
