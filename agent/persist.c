/* SPDX-License-Identifier: ISC */
/*
 * persist: dns-persist-01 record values (draft-ietf-acme-dns-persist 3):
 * the issue-value syntax of RFC 8659 4, with accounturi (RFC 8657 3),
 * policy=wildcard and persistUntil; split at 255 octets (RFC 1035 3.3).
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "persist.h"

/* RFC 8659 4: label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT)). */
static int
persist_label_ok(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

char *
persist_issuer(const char *issuer, char *why, size_t whylen)
{
	size_t	 len = strlen(issuer);
	char	*out;

	if (len > 0 && issuer[len - 1] == '.')
		len--;	/* draft 3.1: no trailing dot */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)issuer[i] >= 0x80) {
			snprintf(why, whylen, "the issuer is not ASCII; give "
			    "its A-label (punycode) form");
			return NULL;
		}
	for (size_t start = 0, i = 0; i <= len; i++) {
		if (i < len && issuer[i] != '.')
			continue;
		if (!persist_label_ok(issuer + start, i - start) ||
		    len > 253) {
			snprintf(why, whylen, "the issuer is not a domain name "
			    "(labels of letters, digits and inner '-', as in "
			    "letsencrypt.org)");
			return NULL;
		}
		start = i + 1;
	}
	if ((out = strndup(issuer, len)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	for (char *p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* RFC 8659 4: value = *(%x21-3A / %x3C-7E): no blank, no ';'. */
static int
persist_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

int
persist_account_check(const char *account, char *why, size_t whylen)
{
	const char	*colon = strchr(account, ':');

	/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (colon == NULL || colon == account ||
	    !isalpha((unsigned char)account[0]) || colon[1] == '\0') {
		snprintf(why, whylen, "the account URI is not a URI (scheme, "
		    "':', the rest; as https://acme-v02.api.letsencrypt.org/"
		    "acme/acct/123456)");
		return -1;
	}
	for (const char *p = account; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr("+-.", *p) == NULL) {
			snprintf(why, whylen, "the account URI's scheme holds "
			    "a character a scheme cannot (RFC 3986 3.1)");
			return -1;
		}
	for (const char *p = account; *p != '\0'; p++)
		if (!persist_value_char((unsigned char)*p)) {
			snprintf(why, whylen, "the account URI holds a blank, "
			    "a ';' or a control or non-ASCII character, which "
			    "a CAA-style value cannot (RFC 8659 4); "
			    "percent-encode it");
			return -1;
		}
	return 0;
}

char *
persist_value(const struct persist_spec *spec, time_t now, char *why,
    size_t whylen)
{
	char	*issuer, *out = NULL, until[32] = "";

	if (spec->account == NULL) {
		snprintf(why, whylen, "--account-uri is required");
		return NULL;
	}
	if (persist_account_check(spec->account, why, whylen) == -1)
		return NULL;
	if (spec->until != 0 && spec->until <= (long long)now) {
		snprintf(why, whylen, "--until %lld is in the past; a CA would "
		    "not accept the record for new validations", spec->until);
		return NULL;
	}
	if ((issuer = persist_issuer(spec->issuer, why, whylen)) == NULL)
		return NULL;
	if (spec->until != 0)
		snprintf(until, sizeof(until), "; persistUntil=%lld",
		    spec->until);
	if (asprintf(&out, "%s; accounturi=%s%s%s", issuer, spec->account,
	    spec->wildcard ? "; policy=wildcard" : "", until) == -1) {
		snprintf(why, whylen, "out of memory");
		out = NULL;
	}
	free(issuer);
	return out;
}

char *
persist_rdata(const char *value)
{
	size_t	 len = strlen(value);
	char	*out = NULL;
	size_t	 outlen = 0;
	FILE	*o = open_memstream(&out, &outlen);

	if (o == NULL)
		return NULL;
	/* RFC 1035 3.3: strings of at most 255 octets, one after another. */
	for (size_t at = 0; at < len || at == 0; ) {
		size_t n = len - at > PERSIST_STRING_MAX ? PERSIST_STRING_MAX :
		    len - at;

		fputs(at > 0 ? " \"" : "\"", o);
		for (size_t i = at; i < at + n; i++) {
			/* RFC 1035 5.1: '"' and '\' quoted. */
			if (value[i] == '"' || value[i] == '\\')
				fputc('\\', o);
			fputc(value[i], o);
		}
		fputc('"', o);
		at += n;
		if (n == 0)
			break;
	}
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* TEXT with blanks at both ends skipped: the span [*s, *e). */
static void
persist_trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/*
 * The value of parameter TAG (any case) in TEXT, the last where it
 * repeats: 0 with *value a new string (NULL when there is none), or -1
 * when out of memory. RFC 8659 4: parameters are tag *WSP "=" *WSP value,
 * separated by ';'.
 */
static int
persist_param(const char *text, const char *tag, char **value)
{
	const char	*semi = strchr(text, ';'), *s, *e, *eq, *tag_end;

	*value = NULL;
	while (semi != NULL) {
		s = semi + 1;
		semi = strchr(s, ';');
		e = semi != NULL ? semi : s + strlen(s);
		persist_trim(&s, &e);
		if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			continue;
		tag_end = eq;
		persist_trim(&s, &tag_end);
		if ((size_t)(tag_end - s) != strlen(tag) ||
		    strncasecmp(s, tag, strlen(tag)) != 0)
			continue;
		s = eq + 1;
		persist_trim(&s, &e);
		free(*value);
		if ((*value = strndup(s, (size_t)(e - s))) == NULL)
			return -1;
	}
	return 0;
}

int
persist_parse(const char *text, char **issuer, char **account)
{
	const char	*semi = strchr(text, ';'), *s = text, *e;
	char		 why[128], *name;

	*issuer = *account = NULL;
	e = semi != NULL ? semi : text + strlen(text);
	persist_trim(&s, &e);
	if (s == e || (name = strndup(s, (size_t)(e - s))) == NULL)
		return -1;
	*issuer = persist_issuer(name, why, sizeof(why));
	free(name);
	if (*issuer == NULL)
		return -1;
	if (persist_param(text, "accounturi", account) == -1) {
		free(*issuer);
		*issuer = NULL;
		return -1;
	}
	return 0;
}


int
persist_read(const char *text, struct persist_record *r)
{
	char	*policy, *until, *end;

	memset(r, 0, sizeof(*r));
	if (persist_parse(text, &r->issuer, &r->account) == -1)
		return -1;
	if (persist_param(text, "policy", &policy) == -1 ||
	    persist_param(text, "persistUntil", &until) == -1) {
		free(policy);
		persist_record_free(r);
		return -1;
	}
	if (policy != NULL)
		r->wildcard = strcasecmp(policy, "wildcard") == 0;
	if (until != NULL) {
		r->until = strtoll(until, &end, 10);
		if (*end != '\0' || r->until < 0)
			r->until = 0;
	}
	free(policy);
	free(until);
	return 0;
}

void
persist_record_free(struct persist_record *r)
{
	free(r->issuer);
	free(r->account);
	memset(r, 0, sizeof(*r));
}
