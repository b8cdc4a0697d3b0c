/* SPDX-License-Identifier: ISC */
/*
 * dnssec: would a validating resolver (the CA's) accept a zone's answers?
 * For a zone whose parent holds a DS (RFC 4034 5): a DNSKEY that matches
 * a DS and signs the DNSKEY set, then RRSIGs valid now over the SOA and
 * over the answer (or its denial) for one name (RFC 4035 5.3), with ldns.
 */
#ifndef ACME_NSUPDATE_DNSSEC_H
#define ACME_NSUPDATE_DNSSEC_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"

enum dnssec_verdict {
	DNSSEC_UNSIGNED = 0,	/* no DS at the parent: nothing to validate */
	DNSSEC_VALID,		/* tag: the key that matched a DS */
	DNSSEC_NO_KEY_FOR_DS,	/* tag: a DS key tag no DNSKEY matches */
	DNSSEC_SIG_MISSING,	/* rrset: no RRSIG over it */
	DNSSEC_SIG_EXPIRED,	/* tag, when (expiration), rrset */
	DNSSEC_SIG_NOT_YET,	/* tag, when (inception), rrset */
	DNSSEC_SIG_NO_KEY,	/* tag: signed by a key not in the DNSKEY set */
	DNSSEC_SIG_BOGUS	/* tag, rrset: the signature does not verify */
};

struct dnssec_result {
	enum dnssec_verdict	 verdict;
	unsigned		 tag;	/* a key tag (RFC 4034 B) */
	int64_t			 when;	/* seconds since the epoch */
	char			*rrset;	/* owned: "SOA at NAME", ... */
	size_t			 n_ds;	/* DS records at the parent */
};

/*
 * Checks ZONE (absolute): its DS set through the resolvers, then DNSKEY,
 * SOA and NAME's TXT (answer or denial) as the first of the N SERVERS
 * (borrowed) that answers serves them. Returns 0 with R filled (free
 * with dnssec_result_clear), or -1 when a lookup failed (F's reason and
 * qname set) or out of memory.
 */
int	dnssec_check_zone(const struct ctx *ctx, const char *zone,
	    const struct dns_server *servers, size_t n, const char *name,
	    struct dnssec_result *r, struct failure *f);
void	dnssec_result_clear(struct dnssec_result *r);

#endif
