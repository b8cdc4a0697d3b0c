/* SPDX-License-Identifier: ISC */
/*
 * persist: the record of draft-ietf-acme-dns-persist (dns-persist-01): a
 * standing TXT record at _validation-persist.DOMAIN whose value has the
 * issue-value syntax of RFC 8659 4 with the accounturi parameter of RFC
 * 8657 3: "ISSUER; accounturi=URI[; policy=wildcard][; persistUntil=T]".
 * Builds and checks such values, and reads the issuer and account of one.
 */
#ifndef ACME_NSUPDATE_PERSIST_H
#define ACME_NSUPDATE_PERSIST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PERSIST_PREFIX		"_validation-persist."
#define PERSIST_TTL_DEFAULT	86400
/* RFC 1035 3.3: one <character-string> */
#define PERSIST_STRING_MAX	255

/* What `persist` writes: all borrowed. */
struct persist_spec {
	/* as given; "*.d" means d with wildcard */
	const char	*domain;
	/* as given; normalised by persist_value */
	const char	*issuer;
	/* accounturi, or NULL (only for remove) */
	const char	*account;
	int		 wildcard;	/* policy=wildcard */
	long long	 until;		/* persistUntil, 0: none */
	unsigned	 ttl;		/* of the record */
	int		 remove;	/* persist --remove */
	int		 wait;		/* --remove waits only with --wait */
};

/*
 * The issuer in normal form (draft 3.1: lower case A-label, no trailing
 * dot): RFC 8659 4 label syntax, no underscore. Returns a new string the
 * caller frees, or NULL with why set (ENOMEM: "out of memory").
 */
char	*persist_issuer(const char *issuer, char *why, size_t whylen);

/*
 * Checks ACCOUNT as the accounturi value (RFC 8657 3; RFC 3986 3.1 scheme,
 * then characters RFC 8659 4 allows in a value: no blank, no ';'). Returns
 * 0, or -1 with why set.
 */
int	persist_account_check(const char *account, char *why, size_t whylen);

/*
 * The record value for SPEC (issuer normalised, NOW to refuse a past
 * persistUntil). Returns a new string the caller frees, or NULL with why
 * set. The value is what a TXT record's strings joined say.
 */
char	*persist_value(const struct persist_spec *spec, time_t now, char *why,
	    size_t whylen);

/*
 * VALUE as TXT RDATA in presentation form: quoted strings of at most
 * PERSIST_STRING_MAX octets each (RFC 1035 5.1 escapes for '"' and '\').
 * Returns a new string the caller frees, or NULL (ENOMEM).
 */
char	*persist_rdata(const char *value);

/*
 * Reads TEXT (a TXT record's strings joined) as a persist record: on 0,
 * *issuer (normalised) and *account (or NULL when it has none) are new
 * strings the caller frees. -1: not a persist record (or ENOMEM).
 */
int	persist_parse(const char *text, char **issuer, char **account);

/* What check shows of a record: persist_parse's, and the two options. */
struct persist_record {
	char		*issuer;	/* owned */
	char		*account;	/* owned, or NULL */
	/* policy=wildcard (any case, draft 3.2) */
	int		 wildcard;
	long long	 until;		/* persistUntil, 0: none or malformed */
};

/* persist_parse, with the policy and persistUntil. 0, or -1. */
int	persist_read(const char *text, struct persist_record *r);
void	persist_record_free(struct persist_record *r);

#endif
