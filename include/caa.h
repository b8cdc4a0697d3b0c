/* SPDX-License-Identifier: ISC */
/*
 * caa: what a CA's CAA check (RFC 8659) will decide for a domain: the
 * climb from the domain up to, not including, the root through the
 * resolvers (which follow CNAMEs as the CA's do), the relevant record set,
 * and whether it lets one of the configured issuers use dns-01 (issue or
 * issuewild, RFC 8659 4.2-4.3; accounturi and validationmethods, RFC 8657).
 */
#ifndef ACME_NSUPDATE_CAA_H
#define ACME_NSUPDATE_CAA_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "failure.h"

/* One CAA record (RFC 8659 4.1). */
struct caa_rr {
	int	 critical;	/* flag bit 7 (Issuer Critical) */
	char	*tag;		/* owned: lower case */
	char	*value;		/* owned: as on the wire (no NUL inside) */
};

/* The property value of issue / issuewild (RFC 8659 4.2), parsed. */
struct caa_issue {
	char	*issuer;	/* owned: lower case, "" for ";" (no CA) */
	char	*accounturi;	/* owned or NULL (RFC 8657 3) */
	/* owned or NULL: validationmethods (RFC 8657 4) */
	char	*methods;
};

/* The relevant record set: where the climb stopped and what it found. */
struct caa_set {
	/* owned: the name asked that had CAA, or NULL */
	char		*at;
	struct caa_rr	*rrs;		/* owned array */
	size_t		 n;
};

enum caa_verdict {
	CAA_NONE = 0,		/* no CAA anywhere: any CA may issue */
	CAA_PERMITS,		/* a configured issuer may issue with dns-01 */
	CAA_FORBIDS,		/* only "no CA" (";") for the tag */
	CAA_OTHER_ISSUER,	/* names issuers, none of the configured ones */
	/* ours, but validationmethods leaves out dns-01 */
	CAA_NO_DNS01,
	CAA_CRITICAL		/* an unknown tag with the critical flag */
};

struct caa_result {
	enum caa_verdict	 verdict;
	/* "issue" or "issuewild" (static) */
	const char		*tag;
	/* owned: the issuers named, "a, b" */
	char			*issuers;
	/* owned or NULL: of the record that permits */
	char			*accounturi;
	/* owned or NULL: its validationmethods */
	char			*methods;
	/* owned or NULL: the critical unknown tag */
	char			*unknown;
};

/*
 * Parses CAA RDATA (LEN bytes, RFC 8659 4.1). Returns 0 with OUT filled
 * (free with caa_rr_clear), or -1 if malformed or out of memory.
 */
int	caa_rr_parse(const uint8_t *rdata, size_t len, struct caa_rr *out);
void	caa_rr_clear(struct caa_rr *rr);

/*
 * Parses an issue / issuewild value: issuer-domain-name, then ";"
 * separated key=value parameters. Returns 0, or -1 when malformed (a
 * CA ignores such a record's permission) or out of memory.
 */
int	caa_issue_parse(const char *value, struct caa_issue *out);
void	caa_issue_clear(struct caa_issue *is);

/*
 * RFC 8659 3: asks CAA for DOMAIN (absolute, without "*.") and then each
 * parent, stopping at the first name that has CAA records and before the
 * root. Returns 0 with SET filled (set->at NULL: none anywhere), or -1
 * when a lookup failed (SERVFAIL, timeout; F's reason and qname set) or
 * out of memory (F's reason REASON_NOMEM). SET is freed with caa_set_free.
 */
int	caa_climb(const struct ctx *ctx, const char *domain,
	    struct caa_set *set, struct failure *f);
void	caa_set_free(struct caa_set *set);

/*
 * RFC 8659 4.2-4.3, RFC 8657: what SET (borrowed) means for a name,
 * WILDCARD for a "*." one, against the issuer domains CAS (lower case, no
 * trailing dot). Returns 0, or -1 when out of memory. R is freed with
 * caa_result_clear.
 */
int	caa_evaluate(const struct caa_set *set, int wildcard,
	    char *const *cas, size_t n_cas, struct caa_result *r);
void	caa_result_clear(struct caa_result *r);

#endif
