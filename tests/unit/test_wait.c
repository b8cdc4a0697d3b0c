/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the propagation wait against scripted servers: served at
 * once, lagging, lame, dead; require = all and reachable; removals; the
 * SOA-serial shortcut; and a timeout over many servers reported whole.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "challenge.h"
#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "fake_dns.h"
#include "msg.h"
#include "plan.h"
#include "report.h"
#include "testutil.h"
#include "wait.h"

#define V1	"gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define A1	"127.0.0.11 port 53"
#define A2	"127.0.0.12 port 53"
#define A3	"127.0.0.13 port 53"
#define MAX_AUTHS	300
#define MAX_NAMES	12

struct fixture {
	struct zone_conf	 zc;
	struct config		 cfg;
	struct ctx		 ctx;
	struct zone_plan	 plan;
	struct zone_target	 z;
	struct dns_server	 auths[MAX_AUTHS];
	size_t			 members[MAX_NAMES];
	struct challenge_list	 l;
	struct failure		 fail;
};

/* State of the scripted servers that change their answers. */
static unsigned	lag_rounds;	/* TXT answers without the value before it shows */
static unsigned	lag_seen;
static unsigned	serial_lag;	/* SOA answers with the old serial */
static unsigned	serial_seen;
static int64_t	sent_at[64];	/* when respond_lagging was asked */
static size_t	n_sent_at;

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	msg_verbosity = 0;
	f->zc.name = "example.test.";
	f->cfg.timeout = 1;
	f->cfg.require = CONFIG_REQUIRE_ALL;
	f->z.conf = &f->zc;
	f->z.apex = "example.test.";
	f->z.primaries = &f->auths[0];
	f->z.n_primaries = 1;
	f->z.auths = f->auths;
	f->z.members = f->members;
	f->plan.zones = &f->z;
	f->plan.n = 1;
	failure_init(&f->fail);
	lag_rounds = lag_seen = serial_lag = serial_seen = 0;
	n_sent_at = 0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fake_dns_uninstall();
	challenge_list_free(&f->l);
	failure_clear(&f->fail);
	free(f);
	return 0;
}

/* N authoritative addresses 127.0.0.11 and up (127.0.x.y past 255). */
static void
auths(struct fixture *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *a = xprintf("127.0.%zu.%zu", (11 + i) / 256,
		    (11 + i) % 256);

		assert_int_equal(dnsio_server_parse(a, 53, &f->auths[i]), 0);
		free(a);
	}
	f->z.n_auths = n;
}

/* N names a0.example.test ... with the one value each. */
static void
names(struct fixture *f, size_t n)
{
	char err[256];

	for (size_t i = 0; i < n; i++) {
		char *d = xprintf("a%zu.example.test", i);

		assert_int_equal(challenge_list_add(&f->l, d, V1,
		    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
		f->members[i] = i;
		free(d);
	}
	f->z.n_members = n;
}

static enum wait_status
run_wait(struct fixture *f, const struct fake_entry *script, size_t n,
    enum wait_goal goal)
{
	fake_dns_install(script, n);
	ctx_init(&f->ctx, f->cfg.timeout, NULL, 0, 53);
	return wait_for(&f->ctx, &f->cfg, &f->plan, &f->l, goal, &f->fail);
}

/* A reply to the query in Q: AA, the question, RRS (text) in the answer. */
static int
reply_with(const uint8_t *q, size_t qlen, const char *rr_text, uint8_t **r,
    size_t *rlen)
{
	ldns_pkt *query = NULL, *reply = ldns_pkt_new();
	ldns_rr *question, *rr = NULL;
	int rc = -1;

	if (ldns_wire2pkt(&query, q, qlen) != LDNS_STATUS_OK)
		goto out;
	question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	ldns_pkt_set_id(reply, ldns_pkt_id(query));
	ldns_pkt_set_qr(reply, true);
	ldns_pkt_set_aa(reply, true);
	ldns_pkt_push_rr(reply, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
	if (rr_text != NULL) {
		char *owner = ldns_rdf2str(ldns_rr_owner(question));
		char *text = xprintf("%s 60 IN %s", owner, rr_text);

		if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(reply, LDNS_SECTION_ANSWER, rr);
		free(owner);
		free(text);
	}
	rc = ldns_pkt2wire(r, reply, rlen) == LDNS_STATUS_OK ? 0 : -1;
out:
	ldns_pkt_free(query);
	ldns_pkt_free(reply);
	return rc;
}

/* TXT: the value shows only after lag_rounds answers without it. */
static int
respond_lagging(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	if (n_sent_at < sizeof(sent_at) / sizeof(sent_at[0]))
		sent_at[n_sent_at++] = clock_now_ms();
	return reply_with(q, qlen, lag_seen++ < lag_rounds ? NULL :
	    "TXT \"" V1 "\"", r, rlen);
}

/* SOA: serial 4 for serial_lag answers, then 5 (the primary's). */
static int
respond_serial(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return reply_with(q, qlen, serial_seen++ < serial_lag ?
	    "SOA ns. h. 4 3600 600 86400 300" :
	    "SOA ns. h. 5 3600 600 86400 300", r, rlen);
}

#define SERVES(srv) { .server = srv, .qtype = LDNS_RR_TYPE_TXT, .aa = 1, \
	.answer = { "_acme-challenge.a0.example.test. 60 IN TXT \"" V1 "\"" } }
#define LAME(srv) { .server = srv, .qtype = LDNS_RR_TYPE_TXT }
#define DEAD(srv) { .server = srv, .outcome = FAKE_TIMEOUT }

static void
test_served_at_once(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { SERVES(A1), SERVES(A2) };

	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 2, WAIT_SERVED), WAIT_OK);
	/* The first round is immediate, one question per server. */
	assert_int_equal(fake_dns_count(), 2);
}

static void
test_lagging_secondary(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		SERVES(A1),
		{ .server = A2, .respond = respond_lagging },
	};

	lag_rounds = 2;
	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 2, WAIT_SERVED), WAIT_OK);
	/* A done server is not asked again; the lagging one until it serves. */
	assert_int_equal(fake_dns_count_for(A1, NULL, LDNS_RR_TYPE_TXT), 1);
	assert_int_equal(fake_dns_count_for(A2, NULL, LDNS_RR_TYPE_TXT), 3);
}

static void
test_lame_require_all(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { SERVES(A1), LAME(A2) };
	char *text;

	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 2, WAIT_SERVED),
	    WAIT_ERR_TIMEOUT);
	assert_int_equal(f->fail.cause, FAIL_WAIT_SERVED);
	text = report_text(&f->fail);
	assert_non_null(strstr(text, "_acme-challenge.a0.example.test on " A2
	    " (zone example.test.: answers without authority"));
	assert_null(strstr(text, A1));
	free(text);
}

static void
test_lame_require_reachable(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { SERVES(A1), LAME(A2) };

	f->cfg.require = CONFIG_REQUIRE_REACHABLE;
	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 2, WAIT_SERVED), WAIT_OK);
	/* Dropped after WAIT_GRACE rounds without an authoritative answer. */
	assert_int_equal(fake_dns_count_for(A2, NULL, LDNS_RR_TYPE_TXT),
	    WAIT_GRACE);
}

/* require = reachable still needs one live server per zone. */
static void
test_all_dead_reachable(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { DEAD(A1), DEAD(A2) };
	char *text;

	f->cfg.require = CONFIG_REQUIRE_REACHABLE;
	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 2, WAIT_SERVED),
	    WAIT_ERR_TIMEOUT);
	text = report_text(&f->fail);
	assert_non_null(strstr(text, A1 " (zone example.test.: no answer)"));
	assert_non_null(strstr(text, A2 " (zone example.test.: no answer)"));
	free(text);
}

static void
test_dead_require_all(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = { SERVES(A1), DEAD(A2), SERVES(A3) };

	auths(f, 3);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 3, WAIT_SERVED),
	    WAIT_ERR_TIMEOUT);
	assert_non_null(strstr(f->fail.detail, A2 " (zone example.test.: "
	    "no answer)"));
	assert_null(strstr(f->fail.detail, A3));
}

static void
test_gone(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .qtype = LDNS_RR_TYPE_TXT, .aa = 1,
		  .rcode = LDNS_RCODE_NXDOMAIN },
	};

	auths(f, 2);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 1, WAIT_GONE), WAIT_OK);
	assert_int_equal(fake_dns_count(), 2);
}

/*
 * With many names a server behind the primary's serial is asked one SOA
 * a round instead of every TXT; its TXT comes once the serial caught up.
 */
static void
test_serial_shortcut(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = A1, .qtype = LDNS_RR_TYPE_SOA, .aa = 1,
		  .answer = { "example.test. 60 IN SOA ns. h. 5 3600 600 "
		  "86400 300" } },
		{ .server = A2, .qtype = LDNS_RR_TYPE_SOA,
		  .respond = respond_serial },
		{ .qtype = LDNS_RR_TYPE_TXT, .aa = 1, .synthesize = 1,
		  .answer = { "x. 60 IN TXT \"" V1 "\"" } },
	};

	serial_lag = 2;
	f->cfg.timeout = 3;	/* the catch-up burst waits for the rate limit */
	auths(f, 2);
	names(f, 8);
	assert_int_equal(run_wait(f, script, 3, WAIT_SERVED), WAIT_OK);
	/* Two old serials, then the new one; each name asked once. */
	assert_int_equal(fake_dns_count_for(A2, "example.test.",
	    LDNS_RR_TYPE_SOA), 3);
	assert_int_equal(fake_dns_count_for(A2, NULL, LDNS_RR_TYPE_TXT), 8);
}

/*
 * A server that never serves 12 names is polled eagerly, but never sent
 * more than WAIT_RATE_MAX queries in any one second (rate limiting in BIND
 * and Knot would drop them).
 */
static void
test_rate_limit(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .server = A1, .respond = respond_lagging },
	};

	lag_rounds = 1000;
	f->cfg.timeout = 3;
	auths(f, 1);
	names(f, 12);
	assert_int_equal(run_wait(f, script, 1, WAIT_SERVED),
	    WAIT_ERR_TIMEOUT);
	assert_true(n_sent_at > WAIT_RATE_MAX);
	for (size_t i = 0; i + WAIT_RATE_MAX < n_sent_at; i++)
		if (sent_at[i + WAIT_RATE_MAX] - sent_at[i] <= 1000)
			fail_msg("queries %zu and %zu %lld ms apart", i,
			    i + WAIT_RATE_MAX, (long long)(sent_at[i +
			    WAIT_RATE_MAX] - sent_at[i]));
}

/* 300 dead servers: the message lists every one (it is over 8 KiB). */
static void
test_timeout_lists_every_server(void **state)
{
	struct fixture *f = *state;
	const struct fake_entry script[] = {
		{ .outcome = FAKE_REFUSED_CONN },
	};
	char *text, *last;

	auths(f, MAX_AUTHS);
	names(f, 1);
	assert_int_equal(run_wait(f, script, 1, WAIT_SERVED),
	    WAIT_ERR_TIMEOUT);
	text = report_text(&f->fail);
	assert_true(strlen(text) > 8192);
	last = xprintf("on %s (zone", f->auths[MAX_AUTHS - 1].text);
	assert_non_null(strstr(text, last));
	assert_non_null(strstr(text, "; if a secondary lags"));
	free(last);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_served_at_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lagging_secondary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lame_require_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lame_require_reachable,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_dead_reachable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dead_require_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_shortcut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timeout_lists_every_server,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
