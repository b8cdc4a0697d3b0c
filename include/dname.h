/* SPDX-License-Identifier: ISC */
/*
 * dname: domain names in the one text form the program keeps them in:
 * checked, lower case, absolute (trailing dot). Comparison, parent and
 * subdomain tests go through ldns rdfs (ldns_dname_*), not by hand.
 */
#ifndef ACME_NSUPDATE_DNAME_H
#define ACME_NSUPDATE_DNAME_H

#include <stddef.h>

#include <ldns/ldns.h>

#define DNAME_TEXT_MAX	253	/* RFC 1035 2.3.4: 255 octets on the wire */
#define DNAME_LABEL_MAX	63

enum dname_status {
	DNAME_OK = 0,
	DNAME_ERR_NOMEM,
	DNAME_ERR_SYNTAX	/* why says what is wrong */
};

/* What dname_parse accepts beyond letters, digits, '-' and '_' labels. */
#define DNAME_ALLOW_WILDCARD	0x1	/* "*" as the first label */
#define DNAME_ALLOW_ROOT	0x2	/* "." itself */
/*
 * TSIG key names: any printable ASCII but the specials of the presentation
 * format (RFC 1035 5.1), as BIND takes them; tsig-keygen writes LDH names.
 */
#define DNAME_ALLOW_KEYCHARS	0x4

/*
 * Checks the LEN bytes of TEXT (relative or absolute, any case) as a host
 * name: labels of letters, digits, '-' and '_' (RFC 1035 2.3.1, with the
 * underscore of RFC 8552), 1 to 63 characters, 253 in all; A-labels only
 * (RFC 5891): a non-ASCII byte is refused with the punycode hint. On
 * DNAME_OK *out is the canonical form (caller frees). On DNAME_ERR_SYNTAX
 * why says what is wrong, in words, without quoting control characters.
 */
enum dname_status	dname_parse(const char *text, size_t len,
			    unsigned flags, char **out, char *why,
			    size_t whylen);

/* The canonical text of a name read from the wire (caller frees), or NULL. */
char	*dname_from_rdf(const ldns_rdf *rdf);

/* A new ldns rdf of canonical NAME (caller frees), or NULL. */
ldns_rdf	*dname_to_rdf(const char *name);

/* 1 if A and B are the same name (case-insensitive), else 0. */
int	dname_equal(const char *a, const char *b);

/* 1 if NAME is APEX or below it (RFC 1034 3.1), else 0. */
int	dname_is_within(const char *name, const char *apex);

/* NAME less its first label: a pointer into NAME, "." for a top label. */
const char	*dname_parent(const char *name);

/*
 * The bare display form for messages: "%.*s" with DNAME_BARE(name) prints
 * NAME without its trailing dot (the root stays ".").
 */
int	dname_bare_len(const char *name);
#define DNAME_BARE(name)	dname_bare_len(name), (name)

#endif
