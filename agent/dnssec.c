/* SPDX-License-Identifier: ISC */
/*
 * dnssec: the checks of a validating resolver for one zone, so `check`
 * can name what would make the CA's resolver answer SERVFAIL: DS to
 * DNSKEY (RFC 4034 5.1.4, ldns_rr_compare_ds), the DNSKEY set signed by
 * that key, and the RRSIGs of the answers (RFC 4035 5.3, ldns_verify_*).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "dnssec.h"
#include "failure.h"
#include "query.h"
#include "stub.h"

/* The records of TYPE in LIST (borrowed pointers; free the list only). */
static ldns_rr_list *
rrs_of_type(const ldns_rr_list *list, ldns_rr_type type)
{
	ldns_rr_list	*out = ldns_rr_list_new();

	for (size_t i = 0; out != NULL && i < ldns_rr_list_rr_count(list);
	    i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(list, i)) == type)
			ldns_rr_list_push_rr(out, ldns_rr_list_rr(list, i));
	return out;
}

/* Asks SERVERS in turn, DO set (RFC 3225), for NAME/TYPE. */
static ldns_pkt *
ask_auth(const struct ctx *ctx, const struct dns_server *servers, size_t n,
    const char *name, ldns_rr_type type, struct failure *f)
{
	struct dnsio_opts	 o;

	for (size_t i = 0; i < n; i++) {
		struct question q = { .name = name, .type = type,
		    .server = &servers[i], .dnssec = 1 };

		ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1) {
			f->reason = REASON_NOMEM;
			return NULL;
		}
		if (q.reply != NULL && (ldns_pkt_get_rcode(q.reply) ==
		    LDNS_RCODE_NOERROR || ldns_pkt_get_rcode(q.reply) ==
		    LDNS_RCODE_NXDOMAIN))
			return q.reply;
		failure_server(f, &servers[i]);
		if (q.reply == NULL) {
			f->reason = REASON_TRANSPORT;
			f->io_status = q.status;
			f->io_errno = q.err;
		} else {
			f->reason = REASON_RCODE;
			f->rcode = ldns_pkt_get_rcode(q.reply);
		}
		failure_set(&f->qname, f, name);
		question_clear(&q);
	}
	return NULL;
}

static void
result_rrset(struct dnssec_result *r, const ldns_rr *rr)
{
	char	*owner = dname_from_rdf(ldns_rr_owner(rr));
	char	*type = ldns_rr_type2str(ldns_rr_get_type(rr));

	free(r->rrset);
	if (asprintf(&r->rrset, "%s at %.*s", type != NULL ? type : "?",
	    DNAME_BARE(owner != NULL ? owner : "?")) == -1)
		r->rrset = NULL;
	free(owner);
	free(type);
}

/* What signature SIG's failure ST means, into R. */
static void
sig_problem(struct dnssec_result *r, const ldns_rr *sig, ldns_status st)
{
	r->tag = ldns_rdf2native_int16(ldns_rr_rrsig_keytag(sig));
	switch (st) {
	case LDNS_STATUS_CRYPTO_SIG_EXPIRED:
		r->verdict = DNSSEC_SIG_EXPIRED;
		r->when = ldns_rdf2native_time_t(ldns_rr_rrsig_expiration(sig));
		break;
	case LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED:
		r->verdict = DNSSEC_SIG_NOT_YET;
		r->when = ldns_rdf2native_time_t(ldns_rr_rrsig_inception(sig));
		break;
	case LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY:
		r->verdict = DNSSEC_SIG_NO_KEY;
		break;
	default:
		r->verdict = DNSSEC_SIG_BOGUS;
		break;
	}
}

/*
 * RFC 4035 5.3: one RRset (RRSET, borrowed) is valid if one of the RRSIGs
 * over it in SIGS verifies with one of KEYS now. Returns 1, or 0 with R
 * saying why not.
 */
static int
rrset_valid(ldns_rr_list *rrset, const ldns_rr_list *sigs,
    const ldns_rr_list *keys, struct dnssec_result *r)
{
	const ldns_rr	*first = ldns_rr_list_rr(rrset, 0);
	ldns_status	 worst = LDNS_STATUS_OK;
	const ldns_rr	*worst_sig = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		ldns_rr		*sig = ldns_rr_list_rr(sigs, i);
		ldns_status	 st;

		if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG ||
		    ldns_dname_compare(ldns_rr_owner(sig),
		    ldns_rr_owner(first)) != 0 ||
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) !=
		    ldns_rr_get_type(first))
			continue;
		st = ldns_verify_rrsig_keylist(rrset, sig, keys, NULL);
		if (st == LDNS_STATUS_OK)
			return 1;
		/* A key the DS does not vouch for says least: keep looking. */
		if (worst_sig == NULL ||
		    worst == LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY) {
			worst = st;
			worst_sig = sig;
		}
	}
	result_rrset(r, first);
	if (worst_sig == NULL)
		r->verdict = DNSSEC_SIG_MISSING;
	else
		sig_problem(r, worst_sig, worst);
	return 0;
}

/* Every RRset of SECTION (but RRSIGs and OPT) valid with KEYS? */
static int
section_valid(const ldns_rr_list *section, const ldns_rr_list *keys,
    struct dnssec_result *r)
{
	size_t	 n = ldns_rr_list_rr_count(section);

	for (size_t i = 0; i < n; i++) {
		const ldns_rr	*rr = ldns_rr_list_rr(section, i);
		ldns_rr_list	*rrset;
		int		 seen = 0, ok;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = ldns_rr_get_type(ldns_rr_list_rr(section, k)) ==
			    ldns_rr_get_type(rr) && ldns_dname_compare(
			    ldns_rr_owner(ldns_rr_list_rr(section, k)),
			    ldns_rr_owner(rr)) == 0;
		if (seen || (rrset = ldns_rr_list_new()) == NULL)
			continue;
		for (size_t k = i; k < n; k++) {
			const ldns_rr	*o = ldns_rr_list_rr(section, k);

			if (ldns_rr_get_type(o) == ldns_rr_get_type(rr) &&
			    ldns_dname_compare(ldns_rr_owner(o),
			    ldns_rr_owner(rr)) == 0)
				ldns_rr_list_push_rr(rrset, (ldns_rr *)o);
		}
		ok = rrset_valid(rrset, section, keys, r);
		ldns_rr_list_free(rrset);
		if (!ok)
			return 0;
	}
	return 1;
}

/* RFC 4034 5.1.4: the DNSKEYs that a DS of DS matches (borrowed). */
static ldns_rr_list *
keys_for_ds(const ldns_rr_list *ds, const ldns_rr_list *dnskeys,
    struct dnssec_result *r)
{
	ldns_rr_list	*trusted = ldns_rr_list_new();

	for (size_t i = 0; trusted != NULL && i < ldns_rr_list_rr_count(ds);
	    i++) {
		const ldns_rr	*d = ldns_rr_list_rr(ds, i);
		int		 matched = 0;

		for (size_t k = 0; k < ldns_rr_list_rr_count(dnskeys); k++) {
			ldns_rr	*key = ldns_rr_list_rr(dnskeys, k);

			if (ldns_rr_compare_ds(key, d)) {
				ldns_rr_list_push_rr(trusted, key);
				matched = 1;
				r->tag = ldns_calc_keytag(key);
			}
		}
		if (!matched && ldns_rr_list_rr_count(trusted) == 0)
			r->tag = ldns_rdf2native_int16(ldns_rr_rdf(d, 0));
	}
	return trusted;
}

int
dnssec_check_zone(const struct ctx *ctx, const char *zone,
    const struct dns_server *servers, size_t n, const char *name,
    struct dnssec_result *r, struct failure *f)
{
	ldns_pkt	*dsp = NULL, *keyp = NULL, *p = NULL;
	ldns_rr_list	*ds = NULL, *keys = NULL, *trusted = NULL, *ans;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	if ((dsp = stub_ask(ctx, zone, LDNS_RR_TYPE_DS, f)) == NULL) {
		failure_set(&f->qname, f, zone);
		goto out;
	}
	if ((ds = rrs_of_type(ldns_pkt_answer(dsp), LDNS_RR_TYPE_DS)) == NULL)
		goto nomem;
	r->n_ds = ldns_rr_list_rr_count(ds);
	if (r->n_ds == 0) {
		r->verdict = DNSSEC_UNSIGNED;
		rc = 0;
		goto out;
	}
	if ((keyp = ask_auth(ctx, servers, n, zone, LDNS_RR_TYPE_DNSKEY,
	    f)) == NULL)
		goto out;
	ans = ldns_pkt_answer(keyp);
	if ((keys = rrs_of_type(ans, LDNS_RR_TYPE_DNSKEY)) == NULL ||
	    (trusted = keys_for_ds(ds, keys, r)) == NULL)
		goto nomem;
	rc = 0;
	if (ldns_rr_list_rr_count(trusted) == 0) {
		r->verdict = DNSSEC_NO_KEY_FOR_DS;
		goto out;
	}
	/* RFC 4035 5.2: the DNSKEY set, signed by a key the DS vouches for. */
	if (!section_valid(ans, trusted, r))
		goto out;
	/* Then what the zone answers: its SOA, and NAME (or its denial). */
	if ((p = ask_auth(ctx, servers, n, zone, LDNS_RR_TYPE_SOA, f)) ==
	    NULL) {
		rc = -1;
		goto out;
	}
	if (!section_valid(ldns_pkt_answer(p), keys, r))
		goto out;
	ldns_pkt_free(p);
	if ((p = ask_auth(ctx, servers, n, name, LDNS_RR_TYPE_TXT, f)) ==
	    NULL) {
		rc = -1;
		goto out;
	}
	if (!section_valid(ldns_pkt_answer(p), keys, r) ||
	    !section_valid(ldns_pkt_authority(p), keys, r))
		goto out;
	r->verdict = DNSSEC_VALID;
	r->tag = ldns_calc_keytag(ldns_rr_list_rr(trusted, 0));
	goto out;
nomem:
	f->reason = REASON_NOMEM;
	rc = -1;
out:
	ldns_rr_list_free(ds);
	ldns_rr_list_free(keys);
	ldns_rr_list_free(trusted);
	ldns_pkt_free(dsp);
	ldns_pkt_free(keyp);
	ldns_pkt_free(p);
	return rc;
}

void
dnssec_result_clear(struct dnssec_result *r)
{
	free(r->rrset);
	memset(r, 0, sizeof(*r));
}
