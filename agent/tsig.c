/* SPDX-License-Identifier: ISC */
/*
 * tsig: RFC 8945 transaction signatures, computed with OpenSSL's EVP_MAC
 * over the wire format ldns produced. Signs requests (5.1) and checks
 * replies completely (5.4): position, key, algorithm, MAC (4.3), error
 * field (5.3.2) and time (5.2.3). ldns 1.8.3's own TSIG cannot (SERVERS.md).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "key.h"
#include "tsig.h"

/* RFC 8945 4.2: Time Signed is 48 bits of seconds since the epoch. */
#define TSIG_TIME_MAX	0xffffffffffffLL
/* RFC 8945 5.2.2.1: a truncated MAC is never shorter than this. */
#define TSIG_MAC_MIN	10
/* RFC 8945 5.2.3: other data of a BADTIME reply, the server's 48-bit time. */
#define TSIG_OTHER_TIME_LEN	6


/* A reply's TSIG RR, its rdfs borrowed from the ldns_rr (RFC 8945 4.2). */
struct tsig_fields {
	const ldns_rdf	*owner;		/* key name, made canonical */
	const ldns_rdf	*alg;		/* algorithm name, made canonical */
	int64_t		 time;
	uint16_t	 fudge;
	const uint8_t	*mac;
	size_t		 mac_len;
	uint16_t	 orig_id;
	uint16_t	 error;
	const uint8_t	*other;
	size_t		 other_len;
};

static int64_t
tsig_read_time(const uint8_t *p)
{
	return ((int64_t)ldns_read_uint16(p) << 32) |
	    (int64_t)ldns_read_uint32(p + 2);
}

void
tsig_put_u16(ldns_buffer *b, uint16_t v)
{
	if (ldns_buffer_reserve(b, 2))
		ldns_buffer_write_u16(b, v);
}

void
tsig_put_u32(ldns_buffer *b, uint32_t v)
{
	if (ldns_buffer_reserve(b, 4))
		ldns_buffer_write_u32(b, v);
}

size_t
tsig_put_meta(ldns_buffer *b, const ldns_rdf *owner, uint16_t type,
    const ldns_rdf *alg)
{
	size_t	 rdlen_at;

	(void)ldns_rdf2buffer_wire_canonical(b, owner);
	tsig_put_u16(b, type);
	tsig_put_u16(b, LDNS_RR_CLASS_ANY);
	tsig_put_u32(b, 0);
	rdlen_at = ldns_buffer_position(b);
	tsig_put_u16(b, 0);
	(void)ldns_rdf2buffer_wire_canonical(b, alg);
	return rdlen_at;
}

static void
tsig_put(ldns_buffer *b, const void *p, size_t n)
{
	if (n > 0 && ldns_buffer_reserve(b, n))
		ldns_buffer_write(b, p, n);
}

/* RFC 8945 4.2: Time Signed, 48 bits, high 16 first. */
static void
tsig_put_time(ldns_buffer *b, int64_t t)
{
	tsig_put_u16(b, (uint16_t)((uint64_t)t >> 32));
	tsig_put_u32(b, (uint32_t)t);
}

/*
 * The key's name and algorithm as canonical (lower-case, uncompressed)
 * dnames, the forms RFC 8945 4.3.3 digests and 4.2 writes. The caller
 * frees *kname and *aname.
 */
static enum tsig_status
tsig_names(const char *key_name, const char *alg_name, ldns_rdf **kname,
    ldns_rdf **aname)
{
	enum tsig_status	 st = TSIG_ERR_FORMAT;

	*kname = NULL;
	*aname = NULL;
	if (key_name == NULL || alg_name == NULL)
		goto out;
	/* NULL for a malformed name or no memory: ldns does not say which. */
	*kname = ldns_dname_new_frm_str(key_name);
	*aname = ldns_dname_new_frm_str(alg_name);
	if (*kname == NULL || *aname == NULL)
		goto out;
	ldns_dname2canonical(*kname);
	ldns_dname2canonical(*aname);
	st = TSIG_OK;
out:
	if (st != TSIG_OK) {
		ldns_rdf_deep_free(*kname);
		ldns_rdf_deep_free(*aname);
		*kname = NULL;
		*aname = NULL;
	}
	return st;
}

/* RFC 8945 4.3.3: the TSIG variables, in the order they are digested. */
static void
tsig_put_vars(ldns_buffer *b, const ldns_rdf *kname, const ldns_rdf *aname,
    int64_t t, uint16_t fudge, uint16_t error, const uint8_t *other,
    size_t other_len)
{
	(void)ldns_rdf2buffer_wire_canonical(b, kname);
	tsig_put_u16(b, LDNS_RR_CLASS_ANY);
	tsig_put_u32(b, 0);			/* TTL */
	(void)ldns_rdf2buffer_wire_canonical(b, aname);
	tsig_put_time(b, t);
	tsig_put_u16(b, fudge);
	tsig_put_u16(b, error);
	tsig_put_u16(b, (uint16_t)other_len);
	tsig_put(b, other, other_len);
}

/*
 * RFC 8945 4.3: everything a MAC covers, in one buffer, for HMAC and
 * GSS-TSIG alike. REQ NULL (a request) or with an empty MAC (a reply to
 * an unsigned query): no request MAC (4.3.1). MSG is the message as it was
 * signed: original ID, no TSIG RR, ARCOUNT without it (4.3.2). Then the
 * TSIG variables (4.3.3). The caller frees *out with ldns_buffer_free.
 */
static enum tsig_status
tsig_digest_input(const struct tsig_request *req, const uint8_t *msg,
    size_t msg_len, const ldns_rdf *kname, const ldns_rdf *aname, int64_t t,
    uint16_t fudge, uint16_t error, const uint8_t *other, size_t other_len,
    ldns_buffer **out)
{
	ldns_buffer	*b;

	*out = NULL;
	b = ldns_buffer_new(msg_len + LDNS_MAX_DOMAINLEN * 2 + 32 +
	    other_len + (req != NULL ? req->mac_len + 2 : 0));
	if (b == NULL)
		return TSIG_ERR_NOMEM;
	if (req != NULL && req->mac_len > 0) {
		tsig_put_u16(b, (uint16_t)req->mac_len);
		tsig_put(b, req->mac, req->mac_len);
	}
	tsig_put(b, msg, msg_len);
	tsig_put_vars(b, kname, aname, t, fudge, error, other, other_len);
	if (!ldns_buffer_status_ok(b)) {
		ldns_buffer_free(b);
		return TSIG_ERR_NOMEM;
	}
	*out = b;
	return TSIG_OK;
}

/* An HMAC context keyed with K's secret; NULL if OpenSSL fails. */
static EVP_MAC_CTX *
tsig_hmac_new(const struct key *k, const struct key_alg_info *a)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];

	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (mac == NULL)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)a->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* EVP_MAC_CTX_free cleanses the key schedule OpenSSL keeps. */
	if (k->secret == NULL || k->secret_len == 0 ||
	    EVP_MAC_init(ctx, k->secret, k->secret_len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
out:
	EVP_MAC_free(mac);
	return ctx;
}

/* What the HMAC signer needs: the key and its algorithm. */
struct tsig_hmac {
	const struct key	*k;
	const struct key_alg_info	*a;
};

/* struct tsig_signer's mac for HMAC: one EVP_MAC pass over the input. */
static int
tsig_hmac_mac(void *arg, const uint8_t *data, size_t len, uint8_t *mac,
    size_t *mac_len)
{
	const struct tsig_hmac	*h = arg;
	EVP_MAC_CTX		*ctx = tsig_hmac_new(h->k, h->a);
	int			 rc = -1;

	if (ctx != NULL && EVP_MAC_update(ctx, data, len) == 1 &&
	    EVP_MAC_final(ctx, mac, mac_len, TSIG_MAC_MAX) == 1 &&
	    *mac_len == h->a->mac_len)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* struct tsig_signer's verify for HMAC: full-length MACs only. */
static int
tsig_hmac_verify(void *arg, const uint8_t *data, size_t len,
    const uint8_t *mac, size_t mac_len)
{
	const struct tsig_hmac	*h = arg;
	uint8_t			 mine[TSIG_MAC_MAX];
	size_t			 mine_len = 0;
	int			 rc = -1;

	if (tsig_hmac_mac(arg, data, len, mine, &mine_len) == 0 &&
	    mac_len == h->a->mac_len &&
	    CRYPTO_memcmp(mine, mac, mac_len) == 0)
		rc = 0;
	OPENSSL_cleanse(mine, sizeof(mine));
	return rc;
}

/*
 * Parses the RR (a question if SECTION says so) at *pos with ldns and moves
 * *pos past it. ldns_wire2rdf stops after the fields the type's descriptor
 * lists and does not check that they fill RDLENGTH, so the end RDLENGTH
 * gives is checked here: a mismatch is a format error.
 */
static enum tsig_status
tsig_wire_rr(const uint8_t *wire, size_t len, size_t *pos,
    ldns_pkt_section section, ldns_rr **rrp)
{
	ldns_rdf		*owner = NULL;
	ldns_rr			*rr = NULL;
	ldns_status		 ls;
	size_t			 p = *pos, end;
	enum tsig_status	 st = TSIG_ERR_FORMAT;

	*rrp = NULL;
	ls = ldns_wire2dname(&owner, wire, len, &p);
	if (ls != LDNS_STATUS_OK) {
		if (ls == LDNS_STATUS_MEM_ERR)
			st = TSIG_ERR_NOMEM;
		goto out;
	}
	/* RFC 1035 4.1.2, 4.1.3: TYPE CLASS, then TTL RDLENGTH RDATA. */
	if (section == LDNS_SECTION_QUESTION)
		end = p + 4;
	else if (len - p < 10)
		goto out;
	else
		end = p + 10 + ldns_read_uint16(wire + p + 8);
	if (end > len)
		goto out;
	ls = ldns_wire2rr(&rr, wire, len, pos, section);
	if (ls != LDNS_STATUS_OK) {
		if (ls == LDNS_STATUS_MEM_ERR)
			st = TSIG_ERR_NOMEM;
		goto out;
	}
	if (*pos != end)
		goto out;
	*rrp = rr;
	rr = NULL;
	st = TSIG_OK;
out:
	ldns_rdf_deep_free(owner);
	ldns_rr_free(rr);
	return st;
}

/*
 * Walks the whole message and returns its TSIG RR (*tsigp, caller frees)
 * and where it starts (*startp). RFC 8945 5.4, 5.2: the TSIG RR must be
 * the last RR of the additional section, and there must be only one.
 */
static enum tsig_status
tsig_find(const uint8_t *wire, size_t len, ldns_rr **tsigp, size_t *startp,
    int *present)
{
	ldns_rr			*rr = NULL;
	ldns_pkt_section	 sec;
	size_t			 pos = LDNS_HEADER_SIZE, start, i;
	size_t			 nan, nns, nrr;
	int			 misplaced = 0;
	enum tsig_status	 st = TSIG_ERR_FORMAT;

	*tsigp = NULL;
	*startp = 0;
	if (wire == NULL || len < LDNS_HEADER_SIZE)
		goto out;
	for (i = 0; i < LDNS_QDCOUNT(wire); i++) {
		st = tsig_wire_rr(wire, len, &pos, LDNS_SECTION_QUESTION, &rr);
		if (st != TSIG_OK)
			goto out;
		ldns_rr_free(rr);
		rr = NULL;
	}
	nan = LDNS_ANCOUNT(wire);
	nns = LDNS_NSCOUNT(wire);
	nrr = nan + nns + LDNS_ARCOUNT(wire);
	for (i = 0; i < nrr; i++) {
		if (i < nan)
			sec = LDNS_SECTION_ANSWER;
		else if (i < nan + nns)
			sec = LDNS_SECTION_AUTHORITY;
		else
			sec = LDNS_SECTION_ADDITIONAL;
		start = pos;
		st = tsig_wire_rr(wire, len, &pos, sec, &rr);
		if (st != TSIG_OK)
			goto out;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TSIG) {
			if (i == nrr - 1 && sec == LDNS_SECTION_ADDITIONAL) {
				*tsigp = rr;
				*startp = start;
				rr = NULL;
				continue;
			}
			misplaced = 1;
		}
		ldns_rr_free(rr);
		rr = NULL;
	}
	st = TSIG_ERR_FORMAT;
	if (pos != len)
		goto out;
	*present = misplaced || *tsigp != NULL;
	if (misplaced)
		st = TSIG_ERR_NOT_LAST;
	else if (*tsigp == NULL)
		st = TSIG_ERR_UNSIGNED;
	else
		st = TSIG_OK;
out:
	ldns_rr_free(rr);
	if (st != TSIG_OK) {
		ldns_rr_free(*tsigp);
		*tsigp = NULL;
	}
	return st;
}

/* RFC 8945 4.2: the TSIG RR's class, TTL and seven RDATA fields. */
static enum tsig_status
tsig_fields_get(ldns_rr *rr, struct tsig_fields *f)
{
	const ldns_rdf	*rd[7];
	const uint8_t	*p;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_ANY ||
	    ldns_rr_ttl(rr) != 0 || ldns_rr_rd_count(rr) != 7)
		return TSIG_ERR_FORMAT;
	for (size_t i = 0; i < 7; i++)
		rd[i] = ldns_rr_rdf(rr, i);
	if (ldns_rdf_get_type(rd[0]) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_size(rd[1]) != 6 || ldns_rdf_size(rd[2]) != 2 ||
	    ldns_rdf_size(rd[3]) < 2 || ldns_rdf_size(rd[4]) != 2 ||
	    ldns_rdf_size(rd[5]) != 2 || ldns_rdf_size(rd[6]) < 2)
		return TSIG_ERR_FORMAT;

	/* The MAC covers the key and algorithm names in canonical form (4.3.3).
	 */
	ldns_dname2canonical(ldns_rr_owner(rr));
	ldns_dname2canonical(rd[0]);
	f->owner = ldns_rr_owner(rr);
	f->alg = rd[0];
	f->time = tsig_read_time(ldns_rdf_data(rd[1]));
	f->fudge = ldns_read_uint16(ldns_rdf_data(rd[2]));
	p = ldns_rdf_data(rd[3]);
	f->mac_len = ldns_read_uint16(p);
	f->mac = p + 2;
	f->orig_id = ldns_read_uint16(ldns_rdf_data(rd[4]));
	/* SERVERS.md: the error field is rdf 5 (ldns has no accessor). */
	f->error = ldns_read_uint16(ldns_rdf_data(rd[5]));
	p = ldns_rdf_data(rd[6]);
	f->other_len = ldns_read_uint16(p);
	f->other = p + 2;
	if (f->mac_len != ldns_rdf_size(rd[3]) - 2 ||
	    f->other_len != ldns_rdf_size(rd[6]) - 2)
		return TSIG_ERR_FORMAT;
	return TSIG_OK;
}

/* The signing of tsig_sign and tsig_sign_with (RFC 8945 5.1). */
static enum tsig_status
tsig_sign_core(const struct tsig_signer *s, time_t now, uint8_t **wire,
    size_t *len, struct tsig_request *req)
{
	ldns_rdf		*kname = NULL, *aname = NULL;
	ldns_buffer		*input = NULL, *rr = NULL;
	uint8_t			 mac[TSIG_SIG_MAX], *grown;
	size_t			 mac_len = 0, rdlen_at, rr_len;
	uint16_t		 id, arcount;
	enum tsig_status	 st = TSIG_ERR_FORMAT;

	if (s == NULL || wire == NULL || *wire == NULL || len == NULL ||
	    req == NULL || *len < LDNS_HEADER_SIZE)
		goto out;
	id = LDNS_ID_WIRE(*wire);
	arcount = LDNS_ARCOUNT(*wire);
	if (arcount == UINT16_MAX || now < 0 || (int64_t)now > TSIG_TIME_MAX)
		goto out;
	st = tsig_names(s->key_name, s->alg_name, &kname, &aname);
	if (st != TSIG_OK)
		goto out;

	/* RFC 8945 4.3: the message as it is, then the TSIG variables. */
	st = tsig_digest_input(NULL, *wire, *len, kname, aname, (int64_t)now,
	    TSIG_FUDGE, 0, NULL, 0, &input);
	if (st != TSIG_OK)
		goto out;
	st = TSIG_ERR_CRYPTO;
	if (s->mac(s->arg, ldns_buffer_begin(input),
	    ldns_buffer_position(input), mac, &mac_len) != 0 ||
	    mac_len == 0 || mac_len > TSIG_SIG_MAX)
		goto out;

	st = TSIG_ERR_NOMEM;
	rr = ldns_buffer_new(LDNS_MAX_DOMAINLEN * 2 + 64 + mac_len);
	if (rr == NULL)
		goto out;
	/*
	 * RFC 8945 4.2: owner the key name, class ANY, TTL 0; both names
	 * uncompressed and (our choice, so the MAC input and the RR agree)
	 * in canonical form.
	 */
	rdlen_at = tsig_put_meta(rr, kname, LDNS_RR_TYPE_TSIG, aname);
	tsig_put_time(rr, (int64_t)now);
	tsig_put_u16(rr, TSIG_FUDGE);
	tsig_put_u16(rr, (uint16_t)mac_len);
	tsig_put(rr, mac, mac_len);
	tsig_put_u16(rr, id);			/* Original ID */
	tsig_put_u16(rr, 0);			/* Error */
	tsig_put_u16(rr, 0);			/* Other Len */
	if (!ldns_buffer_status_ok(rr))
		goto out;
	rr_len = ldns_buffer_position(rr);
	ldns_buffer_write_u16_at(rr, rdlen_at,
	    (uint16_t)(rr_len - rdlen_at - 2));

	/* RFC 1035 4.2.2: a message over TCP is at most 65535 octets. */
	st = TSIG_ERR_FORMAT;
	if (*len > UINT16_MAX - rr_len)
		goto out;
	st = TSIG_ERR_NOMEM;
	grown = realloc(*wire, *len + rr_len);
	if (grown == NULL)
		goto out;
	*wire = grown;
	memcpy(grown + *len, ldns_buffer_begin(rr), rr_len);
	ldns_write_uint16(grown + LDNS_ARCOUNT_OFF, arcount + 1);
	*len += rr_len;

	memcpy(req->mac, mac, mac_len);
	req->mac_len = mac_len;
	req->id = id;
	st = TSIG_OK;
out:
	ldns_buffer_free(input);
	ldns_buffer_free(rr);
	ldns_rdf_deep_free(kname);
	ldns_rdf_deep_free(aname);
	OPENSSL_cleanse(mac, sizeof(mac));
	return st;
}

/*
 * The checks of tsig_verify and tsig_verify_with (RFC 8945 5.4). FIXED_LEN:
 * the MAC length the algorithm always has (HMAC), or 0 (GSS: any).
 */
static enum tsig_status
tsig_verify_core(const struct tsig_signer *s, size_t fixed_len,
    const struct tsig_request *req, const uint8_t *wire, size_t len,
    time_t now, struct tsig_reply *out)
{
	struct tsig_reply	 r;
	struct tsig_fields	 f;
	ldns_rdf		*kname = NULL, *aname = NULL;
	ldns_rr			*tsig = NULL;
	ldns_buffer		*input = NULL;
	uint8_t			*copy = NULL;
	size_t			 start, min_len;
	enum tsig_status	 st;

	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	st = TSIG_ERR_FORMAT;
	if (s == NULL || req == NULL || req->mac_len > TSIG_SIG_MAX)
		goto out;
	st = tsig_find(wire, len, &tsig, &start, &r.present);
	if (st != TSIG_OK)
		goto out;
	st = tsig_fields_get(tsig, &f);
	if (st != TSIG_OK)
		goto out;
	r.error = f.error;
	r.time_signed = f.time;
	r.server_time = f.time;
	/* RFC 8945 5.2.3, 5.4.3: BADTIME carries the server's clock. */
	if (f.error == TSIG_RCODE_BADTIME && f.other_len == TSIG_OTHER_TIME_LEN)
		r.server_time = tsig_read_time(f.other);
	r.skew = r.server_time - (int64_t)now;
	/*
	 * An unsigned error's time signed may be anything (ours echoed, or
	 * zero): the skew is the server's word only when other data carries
	 * its time or the reply is signed (a signed error is checked below).
	 */
	r.skew_known = (f.error == TSIG_RCODE_BADTIME &&
	    f.other_len == TSIG_OTHER_TIME_LEN) || f.mac_len != 0;

	/* RFC 8945 5.4.1: the reply must use our key and algorithm. */
	st = tsig_names(s->key_name, s->alg_name, &kname, &aname);
	if (st != TSIG_OK)
		goto out;
	st = TSIG_ERR_KEYNAME;
	if (ldns_rdf_compare(f.owner, kname) != 0)
		goto out;
	st = TSIG_ERR_ALG;
	if (ldns_rdf_compare(f.alg, aname) != 0)
		goto out;

	/*
	 * RFC 8945 4.2: other data is empty but in a BADTIME reply, where it
	 * is the server's time (5.2.3, six octets). Anything else there is
	 * not a reply we know how to read, however well it is signed.
	 */
	st = TSIG_ERR_FORMAT;
	if (f.other_len != 0 && (f.error != TSIG_RCODE_BADTIME ||
	    f.other_len != TSIG_OTHER_TIME_LEN))
		goto out;

	/*
	 * RFC 8945 5.3.2: BADKEY and BADSIG replies are not signed (empty
	 * MAC), so there is nothing to check. Any other error sent without a
	 * MAC is as unauthenticated, and its error is still the best report.
	 */
	st = TSIG_ERR_SERVER;
	if (f.error == TSIG_RCODE_BADKEY || f.error == TSIG_RCODE_BADSIG ||
	    (f.error != 0 && f.mac_len == 0))
		goto out;

	/*
	 * RFC 8945 5.2.2.1: a MAC longer than the hash, or shorter than the
	 * larger of 10 octets and half the hash, is a format error. A MAC
	 * truncated within those bounds is legal, but we never truncate our
	 * requests (so a server has no reason to) and accept only full-length
	 * MACs: a truncated one fails as a bad MAC (the signer's verify).
	 * A GSS MIC has no fixed length: only an empty one is malformed.
	 */
	min_len = fixed_len / 2 > TSIG_MAC_MIN ? fixed_len / 2 : TSIG_MAC_MIN;
	st = TSIG_ERR_FORMAT;
	if (fixed_len != 0 && (f.mac_len > fixed_len || f.mac_len < min_len))
		goto out;
	if (f.mac_len == 0)
		goto out;

	/*
	 * RFC 8945 4.3.2: the reply as the server signed it, before the TSIG
	 * RR was added: original ID restored and ARCOUNT one less, on a copy.
	 */
	st = TSIG_ERR_NOMEM;
	copy = malloc(start);
	if (copy == NULL)
		goto out;
	memcpy(copy, wire, start);
	ldns_write_uint16(copy, f.orig_id);
	ldns_write_uint16(copy + LDNS_ARCOUNT_OFF,
	    (uint16_t)(LDNS_ARCOUNT(wire) - 1));
	/* RFC 8945 4.3.1, 5.3: the request MAC, length first, leads. */
	st = tsig_digest_input(req, copy, start, kname, aname, f.time, f.fudge,
	    f.error, f.other, f.other_len, &input);
	if (st != TSIG_OK)
		goto out;
	st = TSIG_ERR_BADMAC;
	if (s->verify(s->arg, ldns_buffer_begin(input),
	    ldns_buffer_position(input), f.mac, f.mac_len) != 0)
		goto out;

	/* RFC 8945 5.4: a signed error (BADTIME, ...) is the server's word. */
	st = TSIG_ERR_SERVER;
	if (f.error != 0)
		goto out;

	/* RFC 8945 5.2.3: time signed within fudge of our clock, both ways. */
	st = TSIG_ERR_BADTIME;
	if ((int64_t)now - f.time > f.fudge || f.time - (int64_t)now > f.fudge)
		goto out;
	st = TSIG_OK;
out:
	if (out != NULL)
		*out = r;
	ldns_buffer_free(input);
	free(copy);
	ldns_rr_free(tsig);
	ldns_rdf_deep_free(kname);
	ldns_rdf_deep_free(aname);
	return st;
}

/* The HMAC signer for key K; H->a NULL: an algorithm tsig.c lacks. */
static void
tsig_hmac_signer(const struct key *k, struct tsig_hmac *h,
    struct tsig_signer *s)
{
	h->k = k;
	h->a = k != NULL ? key_alg_info(k->alg) : NULL;
	s->key_name = k != NULL ? k->name : NULL;
	s->alg_name = k != NULL ? key_alg_wire_name(k->alg) : NULL;
	s->mac = tsig_hmac_mac;
	s->verify = tsig_hmac_verify;
	s->arg = h;
}

enum tsig_status
tsig_sign(const struct key *k, time_t now, uint8_t **wire, size_t *len,
    struct tsig_request *req)
{
	struct tsig_hmac	 h;
	struct tsig_signer	 s;

	tsig_hmac_signer(k, &h, &s);
	if (h.a == NULL || s.alg_name == NULL)
		return TSIG_ERR_FORMAT;
	return tsig_sign_core(&s, now, wire, len, req);
}

enum tsig_status
tsig_verify(const struct key *k, const struct tsig_request *req,
    const uint8_t *wire, size_t len, time_t now, struct tsig_reply *out)
{
	struct tsig_hmac	 h;
	struct tsig_signer	 s;

	tsig_hmac_signer(k, &h, &s);
	if (h.a == NULL || s.alg_name == NULL) {
		if (out != NULL)
			memset(out, 0, sizeof(*out));
		return TSIG_ERR_FORMAT;
	}
	return tsig_verify_core(&s, h.a->mac_len, req, wire, len, now, out);
}

enum tsig_status
tsig_sign_with(const struct tsig_signer *s, time_t now, uint8_t **wire,
    size_t *len, struct tsig_request *req)
{
	return tsig_sign_core(s, now, wire, len, req);
}

enum tsig_status
tsig_verify_with(const struct tsig_signer *s, const struct tsig_request *req,
    const uint8_t *wire, size_t len, time_t now, struct tsig_reply *out)
{
	return tsig_verify_core(s, 0, req, wire, len, now, out);
}

const char *
tsig_error_name(uint16_t error)
{
	static char	 buf[32];

	switch (error) {
	case TSIG_RCODE_BADSIG:
		return "BADSIG";
	case TSIG_RCODE_BADKEY:
		return "BADKEY";
	case TSIG_RCODE_BADTIME:
		return "BADTIME";
	case TSIG_RCODE_BADTRUNC:
		return "BADTRUNC";
	default:
		(void)snprintf(buf, sizeof(buf), "TSIG error %u",
		    (unsigned int)error);
		return buf;
	}
}

const char *
tsig_strerror(enum tsig_status st)
{
	switch (st) {
	case TSIG_OK:
		return "no error";
	case TSIG_ERR_NOMEM:
		return "out of memory";
	case TSIG_ERR_FORMAT:
		return "malformed message or TSIG record";
	case TSIG_ERR_CRYPTO:
		return "HMAC computation failed (OpenSSL)";
	case TSIG_ERR_UNSIGNED:
		return "reply is not signed (no TSIG record)";
	case TSIG_ERR_NOT_LAST:
		return "TSIG record is not the last record of the reply";
	case TSIG_ERR_KEYNAME:
		return "reply is signed with another key";
	case TSIG_ERR_ALG:
		return "reply is signed with another algorithm";
	case TSIG_ERR_BADMAC:
		return "reply MAC does not verify (or is truncated)";
	case TSIG_ERR_BADTIME:
		return "reply time signed is outside the allowed clock skew";
	case TSIG_ERR_SERVER:
		return "server reported a TSIG error";
	}
	return "unknown TSIG status";
}
