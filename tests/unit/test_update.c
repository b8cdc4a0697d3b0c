/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the UPDATE message (RFC 2136 sections, classes, TTLs, TSIG
 * last) and how each kind of rejection is explained, against the scripted
 * transport. Signed NOERROR paths run against real servers in tests/system.
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
#include "clock.h"
#include "config.h"
#include "dnsio.h"
#include "fake_dns.h"
#include "key.h"
#include "ctx.h"
#include "failure.h"
#include "plan.h"
#include "report.h"
#include "update.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define SRV "127.0.0.53 port 53"

struct fixture {
	struct key		 key;
	struct zone_conf	 zc;
	struct config		 cfg;
	struct ctx		 ctx;
	struct failure		 fail;
	struct zone_target	 z;
	struct challenge_list	 l;
	size_t			 members[2];
	char			*err;		/* the failure in words */
};

static unsigned char secret[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	f->key.name = "acme-key.";
	f->key.alg = KEY_ALG_HMAC_SHA256;
	f->key.secret = secret;
	f->key.secret_len = sizeof(secret);
	f->zc.name = "example.test.";
	f->zc.key = &f->key;
	f->cfg.ttl = 60;
	f->cfg.timeout = 10;
	f->cfg.port = 53;
	f->cfg.path = "test.ini";
	ctx_init(&f->ctx, 10, NULL, 0, 53);
	failure_init(&f->fail);
	f->z.conf = &f->zc;
	f->z.apex = "example.test.";
	f->z.primary_name = "127.0.0.53";
	f->z.primaries = calloc(1, sizeof(*f->z.primaries));
	assert_int_equal(dnsio_server_parse("127.0.0.53", 53, f->z.primaries), 0);
	f->z.n_primaries = 1;
	f->members[0] = 0;
	f->members[1] = 1;
	f->z.members = f->members;
	f->z.n_members = 2;
	assert_int_equal(challenge_list_add(&f->l, "a.example.test", V1,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	assert_int_equal(challenge_list_add(&f->l, "*.a.example.test", V2,
	    CHALLENGE_FROM_DOMAIN, err, sizeof(err)), CHALLENGE_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fake_dns_uninstall();
	failure_clear(&f->fail);
	free(f->err);
	challenge_list_free(&f->l);
	free(f->z.primaries);
	free(f);
	return 0;
}

/* Runs update_zone and puts its failure, if any, into words. */
static enum update_status
update(struct fixture *f, enum update_op op)
{
	enum update_status st;

	failure_clear(&f->fail);
	free(f->err);
	f->err = NULL;
	st = update_zone(&f->ctx, &f->z, &f->l, op, f->cfg.ttl, &f->fail);
	if (st != UPDATE_OK)
		f->err = report_text(&f->fail);
	return st;
}

/* Reply builders for the scripted server. */
static ldns_pkt *
reply_for(const uint8_t *q, size_t qlen, ldns_pkt_rcode rcode)
{
	ldns_pkt *query = NULL, *r = ldns_pkt_new();

	assert_int_equal(ldns_wire2pkt(&query, q, qlen), LDNS_STATUS_OK);
	ldns_pkt_set_id(r, ldns_pkt_id(query));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, LDNS_PACKET_UPDATE);
	ldns_pkt_set_rcode(r, (uint8_t)rcode);
	ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION,
	    ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query), 0)));
	ldns_pkt_free(query);
	return r;
}

static int
to_wire(ldns_pkt *p, uint8_t **r, size_t *rlen)
{
	int rc = ldns_pkt2wire(r, p, rlen) == LDNS_STATUS_OK ? 0 : -1;

	ldns_pkt_free(p);
	return rc;
}

static int
respond_refused(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return to_wire(reply_for(q, qlen, LDNS_RCODE_REFUSED), r, rlen);
}

static int
respond_noerror_unsigned(const uint8_t *q, size_t qlen, uint8_t **r,
    size_t *rlen)
{
	return to_wire(reply_for(q, qlen, LDNS_RCODE_NOERROR), r, rlen);
}

/*
 * RFC 8945 5.3.2: BADKEY and BADSIG come back with a TSIG RR that carries
 * the error and an empty MAC. Appended by hand: a canned TSIG RR.
 */
static int
respond_tsig_error_other(const uint8_t *q, size_t qlen, uint8_t **r,
    size_t *rlen, uint16_t error, const uint8_t *other6)
{
	static const uint8_t owner[] = "\x08" "acme-key";
	static const uint8_t alg[] = "\x0b" "hmac-sha256";
	uint8_t tail[128], *out;
	size_t n = 0, base;
	uint16_t id;

	if (to_wire(reply_for(q, qlen, LDNS_RCODE_NOTAUTH), r, rlen) == -1)
		return -1;
	id = (uint16_t)(q[0] << 8 | q[1]);
	memcpy(tail + n, owner, sizeof(owner));		/* includes the root label */
	n += sizeof(owner);
	memcpy(tail + n, "\x00\xfa\x00\xff\x00\x00\x00\x00", 8);	/* TSIG ANY TTL 0 */
	n += 8;
	base = n;
	n += 2;						/* rdlength, below */
	memcpy(tail + n, alg, sizeof(alg));
	n += sizeof(alg);
	memcpy(tail + n, "\x00\x00\x65\x5d\xe3\x00\x01\x2c", 8);	/* time, fudge 300 */
	n += 8;
	memcpy(tail + n, "\x00\x00", 2);		/* MAC size 0 */
	n += 2;
	tail[n++] = (uint8_t)(id >> 8);
	tail[n++] = (uint8_t)id;
	tail[n++] = (uint8_t)(error >> 8);
	tail[n++] = (uint8_t)error;
	tail[n++] = 0;
	tail[n++] = other6 != NULL ? 6 : 0;		/* other len */
	if (other6 != NULL) {
		memcpy(tail + n, other6, 6);
		n += 6;
	}
	tail[base] = (uint8_t)((n - base - 2) >> 8);
	tail[base + 1] = (uint8_t)(n - base - 2);
	if ((out = realloc(*r, *rlen + n)) == NULL)
		return -1;
	memcpy(out + *rlen, tail, n);
	out[11] = (uint8_t)(out[11] + 1);		/* ARCOUNT */
	*r = out;
	*rlen += n;
	return 0;
}

static int
respond_tsig_error(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen,
    uint16_t error)
{
	return respond_tsig_error_other(q, qlen, r, rlen, error, NULL);
}

static int
respond_badkey(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return respond_tsig_error(q, qlen, r, rlen, 17);
}

static int
respond_badsig(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return respond_tsig_error(q, qlen, r, rlen, 16);
}

static int
respond_badtime(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return respond_tsig_error(q, qlen, r, rlen, 18);
}

/* A BADTIME whose other data holds the server's clock: 2023-11-22. */
static int
respond_badtime_other(const uint8_t *q, size_t qlen, uint8_t **r,
    size_t *rlen)
{
	static const uint8_t when[6] = { 0, 0, 0x65, 0x5d, 0xe3, 0x00 };

	return respond_tsig_error_other(q, qlen, r, rlen, 18, when);
}

static int
respond_notzone(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return to_wire(reply_for(q, qlen, LDNS_RCODE_NOTZONE), r, rlen);
}

static int
respond_servfail(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return to_wire(reply_for(q, qlen, LDNS_RCODE_SERVFAIL), r, rlen);
}

static int
respond_notauth(const uint8_t *q, size_t qlen, uint8_t **r, size_t *rlen)
{
	return to_wire(reply_for(q, qlen, LDNS_RCODE_NOTAUTH), r, rlen);
}

static enum update_status
run_with(struct fixture *f, int (*respond)(const uint8_t *, size_t,
    uint8_t **, size_t *), enum update_op op)
{
	struct fake_entry script[] = {
		{ .server = SRV, .qtype = LDNS_RR_TYPE_SOA, .respond = respond },
	};

	fake_dns_install(script, 1);
	return update(f, op);
}

static void
assert_err_has(const struct fixture *f, const char *part)
{
	assert_non_null(f->err);
	if (strstr(f->err, part) == NULL)
		fail_msg("\"%s\" not in \"%s\"", part, f->err);
}

/* The message: one UPDATE for both values, RFC 2136 layout, TSIG last. */
static void
test_message_add(void **state)
{
	struct fixture *f = *state;
	const uint8_t *wire;
	ldns_pkt *p = NULL;
	ldns_rr_list *up;
	size_t len;

	run_with(f, respond_refused, UPDATE_ADD);
	/* One UPDATE (its zone section asks SOA) after reading each name's TXT. */
	assert_int_equal(fake_dns_count_for(SRV, "example.test.",
	    LDNS_RR_TYPE_SOA), 1);
	assert_int_equal(fake_dns_count_for(SRV,
	    "_acme-challenge.a.example.test.", LDNS_RR_TYPE_TXT), 1);
	wire = fake_dns_last(&len);
	assert_int_equal(ldns_wire2pkt(&p, wire, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
	assert_false(ldns_pkt_rd(p));
	/* RFC 2136 2.3: the zone section names the zone, type SOA. */
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	up = ldns_pkt_authority(p);
	assert_int_equal(ldns_rr_list_rr_count(up), 2);
	for (size_t i = 0; i < 2; i++) {
		ldns_rr *rr = ldns_rr_list_rr(up, i);

		assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_TXT);
		assert_int_equal(ldns_rr_get_class(rr), LDNS_RR_CLASS_IN);
		assert_int_equal(ldns_rr_ttl(rr), 60);
	}
	/* ldns moves the TSIG RR out of the additional section into tsig_rr. */
	assert_non_null(ldns_pkt_tsig(p));
	ldns_pkt_free(p);
}

/*
 * An unrelated TXT at the name keeps its TTL: the added value takes it
 * (BIND and Knot would give the whole RRset the new record's TTL).
 */
static void
test_message_add_keeps_rrset_ttl(void **state)
{
	struct fixture *f = *state;
	struct fake_entry script[] = {
		{ .server = SRV, .qtype = LDNS_RR_TYPE_TXT, .aa = 1,
		  .qname = "_acme-challenge.a.example.test.",
		  .answer = { "_acme-challenge.a.example.test. 3600 IN TXT "
		  "\"site-verification\"" } },
		{ .server = SRV, .qtype = LDNS_RR_TYPE_SOA,
		  .respond = respond_refused },
	};
	const uint8_t *wire;
	ldns_pkt *p = NULL;
	size_t len;

	fake_dns_install(script, 2);
	update(f, UPDATE_ADD);
	wire = fake_dns_last(&len);
	assert_int_equal(ldns_wire2pkt(&p, wire, len), LDNS_STATUS_OK);
	/* Both values share the one name: the RRset's TTL for both. */
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(
		    ldns_pkt_authority(p), i)), 3600);
	assert_int_equal(f->l.items[0].ttl, 3600);
	ldns_pkt_free(p);
}

/* RFC 2136 2.5.4: delete one RR from an RRset: class NONE, TTL 0. */
static void
test_message_remove(void **state)
{
	struct fixture *f = *state;
	const uint8_t *wire;
	ldns_pkt *p = NULL;
	size_t len;

	run_with(f, respond_refused, UPDATE_REMOVE);
	wire = fake_dns_last(&len);
	assert_int_equal(ldns_wire2pkt(&p, wire, len), LDNS_STATUS_OK);
	for (size_t i = 0; i < 2; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_authority(p), i);

		assert_int_equal(ldns_rr_get_class(rr), LDNS_RR_CLASS_NONE);
		assert_int_equal(ldns_rr_ttl(rr), 0);
	}
	ldns_pkt_free(p);
}

static void
test_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_refused, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "_acme-challenge.a.example.test (and 1 more)");
	assert_err_has(f, SRV);
	assert_err_has(f, "(REFUSED)");
	assert_err_has(f, "key acme-key may not update TXT");
	assert_err_has(f, "contrib/");
	/* Unsigned REFUSED is also PowerDNS's answer to every TSIG failure. */
	assert_err_has(f, "PowerDNS");
}

static void
test_badkey(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_badkey, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "TSIG BADKEY");
	assert_err_has(f, "knows no key named acme-key with");
	assert_err_has(f, "Knot");
}

static void
test_badsig(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_badsig, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "TSIG BADSIG");
	assert_err_has(f, "rejects key acme-key's secret");
}

/*
 * An unsigned BADTIME without other data: its time signed is not the
 * server's word, so the skew is unknown (it once said "clocks differ by
 * 0 s" when the server echoed our time).
 */
static void
test_badtime(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_badtime, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "TSIG BADTIME");
	assert_err_has(f, "unsigned and carries no time");
	assert_err_has(f, "NTP");
	if (strstr(f->err, "clocks differ by") != NULL)
		fail_msg("a skew made up: %s", f->err);
}

/* RFC 8945 5.2.3: other data with the server's time (2023): years off. */
static void
test_badtime_other_data(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_badtime_other, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "TSIG BADTIME");
	assert_err_has(f, "clocks differ by -");
	assert_err_has(f, "NTP");
}

static void
test_other_rcodes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_notzone, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "(NOTZONE)");
	assert_err_has(f, "delegated child zone");
	fake_dns_uninstall();
	assert_int_equal(run_with(f, respond_servfail, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "(SERVFAIL)");
	assert_err_has(f, "its log says why");
	fake_dns_uninstall();
	assert_int_equal(run_with(f, respond_notauth, UPDATE_ADD),
	    UPDATE_ERR_REJECTED);
	assert_err_has(f, "(NOTAUTH)");
	assert_err_has(f, "not authoritative for zone example.test or");
}

/* An unsigned NOERROR could be forged: it is not believed. */
static void
test_unsigned_noerror_not_trusted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_with(f, respond_noerror_unsigned, UPDATE_ADD),
	    UPDATE_ERR_REPLY);
	assert_err_has(f, "fails TSIG checks");
	assert_err_has(f, "not trusted");
}

static void
test_no_answer(void **state)
{
	struct fixture *f = *state;
	struct fake_entry script[] = {
		{ .server = SRV, .outcome = FAKE_TIMEOUT },
	};

	fake_dns_install(script, 1);
	assert_int_equal(update(f, UPDATE_ADD), UPDATE_ERR_TRANSPORT);
	assert_err_has(f, "no answer from " SRV);
	assert_err_has(f, "over UDP and TCP");
}

static void
test_connection_refused(void **state)
{
	struct fixture *f = *state;
	struct fake_entry script[] = {
		{ .server = SRV, .outcome = FAKE_REFUSED_CONN },
	};

	fake_dns_install(script, 1);
	assert_int_equal(update(f, UPDATE_ADD), UPDATE_ERR_TRANSPORT);
	assert_err_has(f, SRV);
	assert_err_has(f, "Connection refused");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_message_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_add_keeps_rrset_ttl,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_badkey, setup, teardown),
		cmocka_unit_test_setup_teardown(test_badsig, setup, teardown),
		cmocka_unit_test_setup_teardown(test_badtime_other_data,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_badtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_rcodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_noerror_not_trusted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_refused, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
