/* SPDX-License-Identifier: ISC */
/*
 * challenge: the (name, value) list of one invocation. Names are checked as
 * host names (RFC 1035 2.3.4 lengths, A-labels only, RFC 5891); values as
 * the base64url SHA-256 digest RFC 8555 8.4 puts in the TXT record.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "challenge.h"
#include "dname.h"

enum challenge_status
challenge_name_derive(const char *name, enum challenge_naming naming,
    char **out, char *err, size_t errlen)
{
	const size_t	 plen = strlen(CHALLENGE_PREFIX);
	char		*base = NULL;
	size_t		 blen;

	*out = NULL;
	if (naming == CHALLENGE_FROM_DOMAIN && strncmp(name, "*.", 2) == 0)
		name += 2;	/* a wildcard and its base share one name */
	switch (dname_parse(name, strlen(name), 0, &base, err, errlen)) {
	case DNAME_OK:
		break;
	case DNAME_ERR_NOMEM:
		return CHALLENGE_ERR_NOMEM;
	default:
		return CHALLENGE_ERR_NAME;
	}
	if (naming != CHALLENGE_FROM_DOMAIN ||
	    strncmp(base, CHALLENGE_PREFIX, plen) == 0) {
		*out = base;
		return CHALLENGE_OK;
	}
	blen = strlen(base) - 1;	/* without the trailing dot */
	if (plen + blen > DNAME_TEXT_MAX) {
		snprintf(err, errlen, "the challenge name would be %zu "
		    "characters long; DNS allows at most %d", plen + blen,
		    DNAME_TEXT_MAX);
		free(base);
		return CHALLENGE_ERR_NAME;
	}
	if ((*out = malloc(plen + blen + 2)) != NULL) {
		memcpy(*out, CHALLENGE_PREFIX, plen);
		memcpy(*out + plen, base, blen + 2);
	}
	free(base);
	return *out != NULL ? CHALLENGE_OK : CHALLENGE_ERR_NOMEM;
}

int
challenge_value_from_keyauth(const char *keyauth,
    char out[CHALLENGE_VALUE_LEN + 1])
{
	unsigned char	 digest[EVP_MAX_MD_SIZE], b64[4 * ((32 + 2) / 3) + 1];
	unsigned int	 dlen;

	if (EVP_Digest(keyauth, strlen(keyauth), digest, &dlen, EVP_sha256(),
	    NULL) != 1 || dlen != 32)
		return -1;
	/* Standard base64 of 32 bytes: 43 characters and one '='. */
	if (EVP_EncodeBlock(b64, digest, (int)dlen) != 44)
		return -1;
	for (size_t i = 0; i < CHALLENGE_VALUE_LEN; i++)	/* RFC 4648 5 */
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' :
		    (char)b64[i];
	out[CHALLENGE_VALUE_LEN] = '\0';
	return 0;
}

enum challenge_status
challenge_value_check(const char *value, char *err, size_t errlen)
{
	size_t	 len = strlen(value);

	for (size_t i = 0; i < len; i++) {
		unsigned char	 ch = (unsigned char)value[i];

		if (!isalnum(ch) && ch != '-' && ch != '_') {
			snprintf(err, errlen, "value has '%c' at position %zu; "
			    "expected the %d-character base64url digest the CA "
			    "gave (A-Z a-z 0-9 - _, no padding)",
			    isprint(ch) ? ch : '?', i + 1, CHALLENGE_VALUE_LEN);
			return CHALLENGE_ERR_VALUE;
		}
	}
	if (len != CHALLENGE_VALUE_LEN) {
		snprintf(err, errlen, "value is %zu characters long; expected "
		    "the %d-character base64url digest the CA gave (did the "
		    "client pass the key authorization instead of its digest?)",
		    len, CHALLENGE_VALUE_LEN);
		return CHALLENGE_ERR_VALUE;
	}
	return CHALLENGE_OK;
}

static int
list_contains(const struct challenge_list *l, const char *name,
    const char *value)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].name, name) == 0 &&
		    strcmp(l->items[i].value, value != NULL ? value : "") == 0)
			return 1;
	return 0;
}

static int
list_grow(struct challenge_list *l)
{
	size_t			 cap = l->cap == 0 ? 8 : l->cap * 2;
	struct challenge	*p;

	if (l->n < l->cap)
		return 0;
	if ((p = reallocarray(l->items, cap, sizeof(*p))) == NULL)
		return -1;
	l->items = p;
	l->cap = cap;
	return 0;
}

enum challenge_status
challenge_list_add(struct challenge_list *l, const char *name,
    const char *value, enum challenge_naming naming, char *err, size_t errlen)
{
	enum challenge_status	 st;
	struct challenge	 c = { 0 };
	char			 why[256];

	if ((st = challenge_name_derive(name, naming, &c.name, why,
	    sizeof(why))) != CHALLENGE_OK)
		goto fail;
	/* No value: a name to look at only (check, setup). */
	if (value != NULL &&
	    (st = challenge_value_check(value, why, sizeof(why))) !=
		CHALLENGE_OK)
		goto fail;
	if (list_contains(l, c.name, value)) {
		free(c.name);
		return CHALLENGE_OK;
	}
	c.domain = strdup(name);
	c.effective = strdup(c.name);
	c.value = strdup(value != NULL ? value : "");
	if (c.domain == NULL || c.effective == NULL || c.value == NULL ||
	    list_grow(l) == -1) {
		st = CHALLENGE_ERR_NOMEM;
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	l->items[l->n++] = c;
	return CHALLENGE_OK;
fail:
	if (st == CHALLENGE_ERR_NOMEM)
		snprintf(why, sizeof(why), "out of memory");
	snprintf(err, errlen, "%s: %s", name, why);
	free(c.domain);
	free(c.name);
	free(c.effective);
	free(c.value);
	return st;
}

enum challenge_status
challenge_list_add_pairs(struct challenge_list *l, char *const *words,
    size_t n, enum challenge_naming naming, char *err, size_t errlen)
{
	enum challenge_status	 st = CHALLENGE_OK;

	for (size_t i = 0; i + 1 < n && st == CHALLENGE_OK; i += 2)
		st = challenge_list_add(l, words[i], words[i + 1], naming,
		    err, errlen);
	return st;
}

enum challenge_status
challenge_list_add_names(struct challenge_list *l, char *const *names,
    size_t n, enum challenge_naming naming, char *err, size_t errlen)
{
	enum challenge_status	 st = CHALLENGE_OK;

	for (size_t i = 0; i < n && st == CHALLENGE_OK; i++)
		st = challenge_list_add(l, names[i], NULL, naming, err,
		    errlen);
	return st;
}

void
challenge_list_free(struct challenge_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].domain);
		free(l->items[i].name);
		free(l->items[i].effective);
		free(l->items[i].value);
		free(l->items[i].zone_name);
		free(l->items[i].zone_hint);
		free(l->items[i].rdata);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

struct challenge *
challenge_list_add_record(struct challenge_list *l, const char *name,
    const char *value, const char *rdata, unsigned ttl, int stale)
{
	struct challenge	 c = { .ttl = ttl, .stale = stale };

	c.domain = strdup(name);
	c.name = strdup(name);
	c.effective = strdup(name);
	c.value = strdup(value);
	c.rdata = rdata != NULL ? strdup(rdata) : NULL;
	if (c.domain == NULL || c.name == NULL || c.effective == NULL ||
	    c.value == NULL || (rdata != NULL && c.rdata == NULL) ||
	    list_grow(l) == -1) {
		free(c.domain);
		free(c.name);
		free(c.effective);
		free(c.value);
		free(c.rdata);
		return NULL;
	}
	l->items[l->n] = c;
	return &l->items[l->n++];
}

int
challenge_wanted(const struct challenge *c, int adding)
{
	return adding != c->stale;
}

int
challenge_set_effective(struct challenge *c, const char *name)
{
	char	*copy = strdup(name);

	if (copy == NULL)
		return -1;
	free(c->effective);
	c->effective = copy;
	return 0;
}

int
challenge_set_hint(struct challenge *c, const char *effective,
    const char *zone)
{
	char	*z = strdup(zone);

	if (z == NULL || challenge_set_effective(c, effective) == -1) {
		free(z);
		return -1;
	}
	free(c->zone_hint);
	c->zone_hint = z;
	return 0;
}

const char *
challenge_subject(const struct challenge *c, char *buf, size_t len)
{
	/* The name without its trailing dot reads as users wrote it. */
	if (strcmp(c->name, c->effective) == 0)
		snprintf(buf, len, "%.*s", DNAME_BARE(c->name));
	else
		snprintf(buf, len, "%.*s -> %.*s", DNAME_BARE(c->name),
		    DNAME_BARE(c->effective));
	return buf;
}

int
challenge_set_own_hint(struct challenge *c, const char *effective,
    const char *zone)
{
	if (challenge_set_hint(c, effective, zone) == -1)
		return -1;
	c->hint_ours = 1;
	return 0;
}
