/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tsig_reply: the UPDATE reply path, parse and TSIG verify, on an
 * arbitrary reply to a fixed signed request. A request is signed once with
 * the fixed key (tsig_sign) for its MAC; the input is the reply, read as
 * update.c reads one: dnsio_wire2pkt, then tsig_verify.
 * If the first byte is 1, it is followed by a request MAC (32 bytes), its
 * ID (2) and the verifying time (6, big endian): capture_seeds.py records
 * real signed replies that way, so they verify completely. Any other
 * first byte: the fixed request, the time it was signed.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsio.h"
#include "key.h"
#include "support.h"
#include "tsig.h"

#define SEED_MAC_LEN	32
#define SEED_PREFIX	(1 + SEED_MAC_LEN + 2 + 6)
#define SIGNED_AT	1700000000

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct key		*key;
static struct tsig_request	 fixed;

/* An UPDATE for example.test adding one TXT, signed at SIGNED_AT. */
static void
sign_fixed_request(void)
{
	static const char rr_text[] = "_acme-challenge.now.example.test. 60 "
	    "IN TXT \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"";
	char spec[128], err[256];
	ldns_rr_list *up = ldns_rr_list_new();
	ldns_rr *rr = NULL;
	ldns_pkt *p;
	uint8_t *wire = NULL;
	size_t len;

	snprintf(spec, sizeof(spec), "hmac-sha256:%s:%s", FUZZ_KEY_NAME,
	    FUZZ_KEY_SECRET);
	if (key_parse_inline(spec, &key, err, sizeof(err)) != KEY_OK ||
	    up == NULL ||
	    ldns_rr_new_frm_str(&rr, rr_text, 0, NULL, NULL) != LDNS_STATUS_OK)
		abort();
	ldns_rr_list_push_rr(up, rr);
	p = ldns_update_pkt_new(ldns_dname_new_frm_str("example.test."),
	    LDNS_RR_CLASS_IN, NULL, up, NULL);
	if (p == NULL)
		abort();
	ldns_pkt_set_id(p, 0x1234);
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK ||
	    tsig_sign(key, SIGNED_AT, &wire, &len, &fixed) != TSIG_OK)
		abort();
	free(wire);
	ldns_pkt_free(p);
	ldns_rr_list_deep_free(up);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsig_request req;
	struct tsig_reply tr;
	time_t now = SIGNED_AT;
	ldns_pkt *p = NULL;

	fuzz_init();
	if (key == NULL)
		sign_fixed_request();
	req = fixed;
	if (size >= SEED_PREFIX && data[0] == 1) {
		memcpy(req.mac, data + 1, SEED_MAC_LEN);
		req.mac_len = SEED_MAC_LEN;
		req.id = ldns_read_uint16(data + 1 + SEED_MAC_LEN);
		now = (time_t)(((uint64_t)ldns_read_uint16(data + 35) << 32) |
		    ldns_read_uint32(data + 37));
		data += SEED_PREFIX;
		size -= SEED_PREFIX;
	} else if (size > 0) {
		data++;
		size--;
	}
	/* update.c's order: parse (its rcode), then the TSIG. */
	if (dnsio_wire2pkt(&p, data, size) == LDNS_STATUS_OK) {
		(void)tsig_verify(key, &req, data, size, now, &tr);
		(void)ldns_pkt_get_rcode(p);
		ldns_pkt_free(p);
	} else {
		(void)tsig_verify(key, &req, data, size, now, &tr);
	}
	(void)tsig_error_name(tr.error);
	return 0;
}
