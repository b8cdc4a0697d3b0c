/* SPDX-License-Identifier: ISC */
/*
 * tsig: RFC 8945 transaction signatures over wire-format messages, with
 * OpenSSL's HMAC (EVP_MAC). Signs requests; verifies replies completely:
 * MAC, time against fudge, key name, algorithm and the error field.
 */
#ifndef ACME_NSUPDATE_TSIG_H
#define ACME_NSUPDATE_TSIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ldns/ldns.h>

#include "key.h"

#define TSIG_FUDGE	300	/* RFC 8945 10: recommended fudge, seconds */
#define TSIG_MAC_MAX	64	/* SHA-512 */
/* The largest MAC a request may carry: HMAC, or a GSS-API MIC token. */
#define TSIG_SIG_MAX	256

/* RFC 8945 TSIG error field values (RFC 2845/8945, RFC 6895 registry). */
#define TSIG_RCODE_BADSIG	16
#define TSIG_RCODE_BADKEY	17
#define TSIG_RCODE_BADTIME	18
#define TSIG_RCODE_BADTRUNC	22

enum tsig_status {
	TSIG_OK = 0,
	TSIG_ERR_NOMEM,
	/* message cannot be parsed, TSIG RR malformed (a MAC length out of
	   the bounds of RFC 8945 5.2.2.1 included) */
	TSIG_ERR_FORMAT,
	TSIG_ERR_CRYPTO,	/* OpenSSL failed */
	TSIG_ERR_UNSIGNED,	/* reply carries no TSIG RR */
	TSIG_ERR_NOT_LAST,	/* TSIG RR is not the last additional record */
	TSIG_ERR_KEYNAME,	/* reply signed with another key name */
	TSIG_ERR_ALG,		/* reply signed with another algorithm */
	TSIG_ERR_BADMAC,	/* MAC does not verify, or is truncated: we
				   accept only full-length MACs */
	TSIG_ERR_BADTIME,	/* our check: reply time outside fudge */
	/* reply's TSIG error field is non-zero (see result) */
	TSIG_ERR_SERVER
};

/*
 * What the client must keep between signing a request and checking its reply.
 */
struct tsig_request {
	uint8_t		mac[TSIG_SIG_MAX];
	size_t		mac_len;
	/*
	 * Message ID the request was signed with, to match the reply by; the
	 * MAC check uses the reply TSIG's Original ID (RFC 8945 4.3.2).
	 */
	uint16_t	id;
};

/* Details of a reply's TSIG, filled as far as parsing got. */
struct tsig_reply {
	int		present;	/* a TSIG RR was found */
	/* TSIG error field (TSIG_RCODE_*) or 0 */
	uint16_t	error;
	int64_t		time_signed;	/* reply's time signed */
	/* BADTIME other data, else time_signed */
	int64_t		server_time;
	int64_t		skew;		/* server_time - our time, seconds */
	int		skew_known;	/* server_time is the server's clock */
};

/*
 * Signs the message in *wire (LEN bytes, as ldns_pkt2wire produced it: no
 * TSIG yet) with key K at time NOW, appending the TSIG RR and incrementing
 * ARCOUNT. *wire is realloc'd (ownership stays with the caller); *len is
 * updated. REQ receives the MAC and ID needed to verify the reply.
 * Key and algorithm names are written uncompressed, in canonical form.
 * On failure *wire and *len are unchanged: TSIG_ERR_FORMAT for a message
 * shorter than a header, ARCOUNT already 65535, the result over 65535
 * octets, NOW outside 0..2^48-1, or an unusable key name or algorithm;
 * TSIG_ERR_CRYPTO if OpenSSL fails (also for an empty secret).
 */
enum tsig_status tsig_sign(const struct key *k, time_t now, uint8_t **wire,
		    size_t *len, struct tsig_request *req);

/*
 * Verifies reply WIRE (LEN bytes, borrowed) to the request described by REQ,
 * at local time NOW. Checks, in order: a TSIG RR is present and last; key
 * name and algorithm match K; if the error field is BADKEY or BADSIG (sent
 * unsigned, RFC 8945 5.3.2), or any error comes with an empty MAC, returns
 * TSIG_ERR_SERVER without a MAC check; else the MAC length (full length
 * only) and the MAC (request MAC, message with original ID and ARCOUNT
 * less one, TSIG variables); then a non-zero error field (BADTIME etc.) gives
 * TSIG_ERR_SERVER; then time_signed within fudge of NOW gives TSIG_OK or
 * TSIG_ERR_BADTIME. OUT (may be NULL) receives the details.
 */
enum tsig_status tsig_verify(const struct key *k,
		    const struct tsig_request *req,
		    const uint8_t *wire, size_t len, time_t now,
		    struct tsig_reply *out);

/*
 * A MAC other than HMAC with a struct key: GSS-TSIG (RFC 3645 4) plugs its
 * gss_get_mic / gss_verify_mic in here, and gets the same digest input
 * (RFC 8945 4.3), TSIG RR and reply checks as HMAC. Everything borrowed.
 */
struct tsig_signer {
	const char	*key_name;	/* absolute: the TKEY-negotiated name */
	const char	*alg_name;	/* absolute wire name: "gss-tsig." */
	/*
	 * MAC of DATA (LEN bytes) into MAC (room for TSIG_SIG_MAX octets),
	 * its length in *MAC_LEN. Returns 0, or -1 (TSIG_ERR_CRYPTO).
	 */
	int		(*mac)(void *arg, const uint8_t *data, size_t len,
			    uint8_t *mac, size_t *mac_len);
	/* Returns 0 if MAC (MAC_LEN bytes) verifies over DATA, else -1. */
	int		(*verify)(void *arg, const uint8_t *data, size_t len,
			    const uint8_t *mac, size_t mac_len);
	void		*arg;
};

/*
 * tsig_sign and tsig_verify with signer S instead of an HMAC key: the
 * same contract, except that any MAC length the signer accepts is
 * accepted. A request REQ with mac_len 0 (an unsigned query, as the TKEY
 * query of RFC 3645 4.1.1) puts no request MAC into the reply's digest.
 */
enum tsig_status tsig_sign_with(const struct tsig_signer *s, time_t now,
		    uint8_t **wire, size_t *len, struct tsig_request *req);
enum tsig_status tsig_verify_with(const struct tsig_signer *s,
		    const struct tsig_request *req, const uint8_t *wire,
		    size_t len, time_t now, struct tsig_reply *out);

/* "BADSIG", "BADKEY", "BADTIME", "BADTRUNC", else "TSIG error N" (static). */
const char	*tsig_error_name(uint16_t error);
/* A short English text for a status (static). */
const char	*tsig_strerror(enum tsig_status st);

/*
 * Appends V to B in network order (RFC 1035 2.3.2), for the TSIG and TKEY
 * records built by hand; a buffer that cannot grow keeps its error status.
 */
void	tsig_put_u16(ldns_buffer *b, uint16_t v);
void	tsig_put_u32(ldns_buffer *b, uint32_t v);

/*
 * The head of a meta-RR (TSIG, TKEY; RFC 8945 4.2, RFC 2930 2): OWNER
 * uncompressed, TYPE, class ANY, TTL 0, an RDLENGTH of 0 to fill in once
 * the RDATA is written, then ALG, the RDATA's first field (both names in
 * canonical form). Returns the RDLENGTH's offset in B.
 */
size_t	tsig_put_meta(ldns_buffer *b, const ldns_rdf *owner, uint16_t type,
	    const ldns_rdf *alg);

#endif
