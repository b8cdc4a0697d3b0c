/* SPDX-License-Identifier: ISC */
/*
 * dname: one text form for names (lower case, absolute) and the tests on
 * them, done by ldns on rdfs (RFC 1034 3.1: names compare without regard
 * to case; RFC 4343).
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dname.h"

static int
dname_char_ok(unsigned char ch, unsigned flags)
{
	if (flags & DNAME_ALLOW_KEYCHARS)
		return ch > ' ' && ch < 0x7f &&
		    strchr("\"\\;(){}@$", ch) == NULL;
	return isalnum(ch) || ch == '-' || ch == '_';
}

/* Says which character is refused; a control one as \DDD, never raw. */
static void
dname_char_error(unsigned char ch, unsigned flags, char *why, size_t whylen)
{
	char	 shown[8];
	const char	*allowed = (flags & DNAME_ALLOW_KEYCHARS) ?
			    "in a key name (no blanks, controls or "
			    "\" \\ ; ( ) { } @ $)" :
			    "in a host name (letters, digits, '-', '_')";

	if (isprint(ch))
		snprintf(shown, sizeof(shown), "'%c'", ch);
	else
		snprintf(shown, sizeof(shown), "\\%03u", ch);
	snprintf(why, whylen, "character %s is not allowed %s", shown,
	    allowed);
}

/* Checks the labels of TEXT (LEN bytes, no trailing dot). */
static enum dname_status
dname_labels_check(const char *text, size_t len, unsigned flags, char *why,
    size_t whylen)
{
	size_t	 label = 0;

	for (size_t i = 0; i <= len; i++) {
		unsigned char	 ch = i < len ? (unsigned char)text[i] : '.';

		if (ch == '.') {
			if (label == 0) {
				snprintf(why, whylen, "empty label in name");
				return DNAME_ERR_SYNTAX;
			}
			if (label > DNAME_LABEL_MAX) {
				snprintf(why, whylen, "a label is %zu "
				    "characters long; at most %d are allowed",
				    label, DNAME_LABEL_MAX);
				return DNAME_ERR_SYNTAX;
			}
			label = 0;
			continue;
		}
		if (ch == '*' && i == 0 && (flags & DNAME_ALLOW_WILDCARD) &&
		    (len == 1 || text[1] == '.')) {
			label++;
			continue;
		}
		if (ch >= 0x80) {
			snprintf(why, whylen, "name is not ASCII; pass its "
			    "punycode (A-label) form, e.g. "
			    "xn--bcher-kva.example for "
			    "b\xc3\xbc" "cher.example (idn2 converts)");
			return DNAME_ERR_SYNTAX;
		}
		if (!dname_char_ok(ch, flags)) {
			dname_char_error(ch, flags, why, whylen);
			return DNAME_ERR_SYNTAX;
		}
		label++;
	}
	return DNAME_OK;
}

enum dname_status
dname_parse(const char *text, size_t len, unsigned flags, char **out,
    char *why, size_t whylen)
{
	enum dname_status	 st;
	char			*s;

	*out = NULL;
	if (len == 1 && text[0] == '.' && (flags & DNAME_ALLOW_ROOT))
		return (*out = strdup(".")) != NULL ? DNAME_OK :
		    DNAME_ERR_NOMEM;
	if (len > 0 && text[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(why, whylen,
		    "empty name; expected a domain such as example.org");
		return DNAME_ERR_SYNTAX;
	}
	if (len > DNAME_TEXT_MAX) {
		snprintf(why, whylen, "name is %zu characters long; at most "
		    "%d fit in DNS", len, DNAME_TEXT_MAX);
		return DNAME_ERR_SYNTAX;
	}
	if ((st = dname_labels_check(text, len, flags, why, whylen)) !=
	    DNAME_OK)
		return st;
	if ((s = malloc(len + 2)) == NULL)
		return DNAME_ERR_NOMEM;
	for (size_t i = 0; i < len; i++)
		s[i] = (char)tolower((unsigned char)text[i]);
	s[len] = '.';
	s[len + 1] = '\0';
	*out = s;
	return DNAME_OK;
}

char *
dname_from_rdf(const ldns_rdf *rdf)
{
	ldns_rdf	*copy;
	char		*s;

	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME ||
	    (copy = ldns_rdf_clone(rdf)) == NULL)
		return NULL;
	ldns_dname2canonical(copy);	/* RFC 4034 6.2: lower case */
	s = ldns_rdf2str(copy);
	ldns_rdf_deep_free(copy);
	return s;
}

ldns_rdf *
dname_to_rdf(const char *name)
{
	ldns_rdf	*rdf = NULL;

	if (ldns_str2rdf_dname(&rdf, name) != LDNS_STATUS_OK)
		return NULL;
	return rdf;
}

int
dname_equal(const char *a, const char *b)
{
	ldns_rdf	*ra = dname_to_rdf(a), *rb = dname_to_rdf(b);
	int		 eq;

	eq = ra != NULL && rb != NULL && ldns_dname_compare(ra, rb) == 0;

	ldns_rdf_deep_free(ra);
	ldns_rdf_deep_free(rb);
	return eq;
}

int
dname_is_within(const char *name, const char *apex)
{
	ldns_rdf	*rn = dname_to_rdf(name), *ra = dname_to_rdf(apex);
	int		 in = 0;

	if (rn != NULL && ra != NULL)
		in = ldns_dname_compare(rn, ra) == 0 ||
		    ldns_dname_is_subdomain(rn, ra);
	ldns_rdf_deep_free(rn);
	ldns_rdf_deep_free(ra);
	return in;
}

const char *
dname_parent(const char *name)
{
	const char	*dot = strchr(name, '.');

	/* Labels of a checked name hold no escaped dots. */
	return dot != NULL && dot[1] != '\0' ? dot + 1 : ".";
}

int
dname_bare_len(const char *name)
{
	size_t	 len = strlen(name);

	return len > 1 && name[len - 1] == '.' ? (int)len - 1 : (int)len;
}
