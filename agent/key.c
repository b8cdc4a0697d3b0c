/* SPDX-License-Identifier: ISC */
/*
 * key: TSIG keys from BIND key files and inline specs; algorithm names
 * (RFC 8945 6). The secret has one owner and is wiped before it is freed.
 */

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "key.h"

static const struct {
	enum key_alg	 alg;
	const char	*name;		/* as users write it */
	const char	*wire;		/* RFC 8945 6, absolute */
} key_algs[] = {
	{ KEY_ALG_HMAC_MD5, "hmac-md5", "hmac-md5.sig-alg.reg.int." },
	{ KEY_ALG_HMAC_SHA1, "hmac-sha1", "hmac-sha1." },
	{ KEY_ALG_HMAC_SHA224, "hmac-sha224", "hmac-sha224." },
	{ KEY_ALG_HMAC_SHA256, "hmac-sha256", "hmac-sha256." },
	{ KEY_ALG_HMAC_SHA384, "hmac-sha384", "hmac-sha384." },
	{ KEY_ALG_HMAC_SHA512, "hmac-sha512", "hmac-sha512." },
};

#define KEY_NALGS	(sizeof(key_algs) / sizeof(key_algs[0]))

const char *
key_alg_name(enum key_alg alg)
{
	for (size_t i = 0; i < KEY_NALGS; i++)
		if (key_algs[i].alg == alg)
			return key_algs[i].name;
	return "unknown";
}

const char *
key_alg_wire_name(enum key_alg alg)
{
	for (size_t i = 0; i < KEY_NALGS; i++)
		if (key_algs[i].alg == alg)
			return key_algs[i].wire;
	return NULL;
}

int
key_alg_from_name(const char *s, enum key_alg *alg)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < KEY_NALGS; i++) {
		const char *w = key_algs[i].wire;

		if ((strlen(key_algs[i].name) == len &&
		    strncasecmp(s, key_algs[i].name, len) == 0) ||
		    (strlen(w) - 1 == len && strncasecmp(s, w, len) == 0)) {
			*alg = key_algs[i].alg;
			return 0;
		}
	}
	return -1;
}
