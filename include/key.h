/* SPDX-License-Identifier: ISC */
/*
 * key: TSIG keys from BIND-style key files (tsig-keygen, ddns-confgen) and
 * from inline "ALG:NAME:SECRET" specs (nsupdate -y / knsupdate -y).
 * The secret has exactly one owner, struct key, and is wiped when freed.
 */
#ifndef ACME_NSUPDATE_KEY_H
#define ACME_NSUPDATE_KEY_H

#include <stddef.h>

enum key_alg {
	KEY_ALG_HMAC_MD5,
	KEY_ALG_HMAC_SHA1,
	KEY_ALG_HMAC_SHA224,
	KEY_ALG_HMAC_SHA256,
	KEY_ALG_HMAC_SHA384,
	KEY_ALG_HMAC_SHA512
};

enum key_status {
	KEY_OK = 0,
	KEY_ERR_NOMEM,
	/* file cannot be opened or read (errno in message) */
	KEY_ERR_OPEN,
	KEY_ERR_PERM,		/* file readable by group or others */
	KEY_ERR_SYNTAX,		/* malformed key file or inline spec */
	KEY_ERR_ALG,		/* unknown algorithm */
	KEY_ERR_SECRET,		/* secret is not valid base64 or is empty */
	KEY_ERR_NOTFOUND,	/* key_name not in file, or file holds no key */
	KEY_ERR_AMBIGUOUS	/* several keys in file and no key_name given */
};

struct key {
	/* owned: lower case, absolute, trailing dot */
	char		*name;
	enum key_alg	 alg;
	/* owned: decoded secret, wiped by key_free */
	unsigned char	*secret;
	size_t		 secret_len;
};

/*
 * One TSIG algorithm. key.c holds the one table of them; tsig.c takes the
 * digest and MAC size from it.
 */
struct key_alg_info {
	enum key_alg	 alg;
	const char	*name;		/* as users write it (nsupdate -y) */
	const char	*wire;		/* RFC 8945 6, absolute */
	const char	*digest;	/* OpenSSL digest name */
	size_t		 mac_len;	/* full MAC length, octets */
};

/* The table entry of ALG (static), or NULL for no such algorithm. */
const struct key_alg_info	*key_alg_info(enum key_alg alg);
/* "hmac-sha256" etc.: the name users write (and nsupdate -y takes). */
const char	*key_alg_name(enum key_alg alg);
/* The algorithm's wire name (RFC 8945 6): "hmac-md5.sig-alg.reg.int." etc. */
const char	*key_alg_wire_name(enum key_alg alg);
/*
 * Parses an algorithm name, case-insensitively, with or without trailing
 * dot; accepts both the short names and "hmac-md5.sig-alg.reg.int".
 * Returns 0 and sets *alg, or -1.
 */
int		 key_alg_from_name(const char *s, enum key_alg *alg);

/*
 * Checks that PATH, a file that holds a secret, is not readable by group or
 * others. On KEY_ERR_PERM, err holds "PATH: readable by group or others;
 * run: chmod 600 PATH" (or similar); on KEY_ERR_OPEN, the errno text.
 */
enum key_status	 key_file_check_private(const char *path, char *err,
		    size_t errlen);

/*
 * Loads a key from a BIND key file (one or more `key "name" { algorithm A;
 * secret "B64"; };` blocks, comments as BIND allows: # // and C style).
 * WANT_NAME (borrowed, may be NULL) picks one key by name (trailing dot and
 * case ignored); NULL needs exactly one key in the file. Checks permissions
 * first (key_file_check_private). On success *out is a new key the caller
 * frees with key_free. On failure err holds "PATH:LINE: what" (LINE where it
 * applies) and every partial secret has been wiped.
 */
enum key_status	 key_load_file(const char *path, const char *want_name,
		    struct key **out, char *err, size_t errlen);

/*
 * Parses an inline "[ALG:]NAME:SECRET" (ALG defaults to hmac-sha256, as in
 * nsupdate -y). On failure err says what is wrong without quoting the secret.
 */
enum key_status	 key_parse_inline(const char *spec, struct key **out,
		    char *err, size_t errlen);

/* Wipes the secret (OPENSSL_cleanse) and frees. Accepts NULL. */
void		 key_free(struct key *k);

#endif
