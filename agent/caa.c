/* SPDX-License-Identifier: ISC */
/*
 * caa: the CAA check a CA runs before it issues (RFC 8659 3, 4), with the
 * account and method bindings of RFC 8657, so that `check` can say in
 * advance what the CA will decide.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "caa.h"
#include "ctx.h"
#include "dname.h"
#include "failure.h"
#include "query.h"
#include "stub.h"

#define CAA_DNS01	"dns-01"

int
caa_rr_parse(const uint8_t *rdata, size_t len, struct caa_rr *out)
{
	size_t	 taglen;

	memset(out, 0, sizeof(*out));
	/* RFC 8659 4.1: flags, tag length (1..15), tag, value. */
	if (len < 2 || (taglen = rdata[1]) == 0 || taglen > len - 2)
		return -1;
	out->critical = (rdata[0] & 0x80) != 0;
	if ((out->tag = strndup((const char *)rdata + 2, taglen)) == NULL ||
	    (out->value = malloc(len - 2 - taglen + 1)) == NULL) {
		caa_rr_clear(out);
		return -1;
	}
	for (char *t = out->tag; *t != '\0'; t++)
		*t = (char)tolower((unsigned char)*t);
	memcpy(out->value, rdata + 2 + taglen, len - 2 - taglen);
	out->value[len - 2 - taglen] = '\0';
	/* A NUL inside the value: nothing a CA could parse. */
	if (strlen(out->value) != len - 2 - taglen || strlen(out->tag) !=
	    taglen) {
		caa_rr_clear(out);
		return -1;
	}
	return 0;
}

void
caa_rr_clear(struct caa_rr *rr)
{
	free(rr->tag);
	free(rr->value);
	memset(rr, 0, sizeof(*rr));
}

/* S without the blanks around it, as a new string (NULL on ENOMEM). */
static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

int
caa_issue_parse(const char *value, struct caa_issue *out)
{
	const char	*p = value, *semi;

	memset(out, 0, sizeof(*out));
	semi = strchr(p, ';');
	if ((out->issuer = trimmed(p, semi != NULL ? (size_t)(semi - p) :
	    strlen(p))) == NULL)
		goto fail;
	for (char *t = out->issuer; *t != '\0'; t++)
		*t = (char)tolower((unsigned char)*t);
	/* RFC 8659 4.2: an issuer domain name carries no trailing dot. */
	if (strchr(out->issuer, ' ') != NULL)
		goto fail;
	/* RFC 8659 4.2: parameters, "tag=value" separated by ";". */
	while (semi != NULL) {
		const char	*param = semi + 1, *eq;
		size_t		 plen;
		char		*key, *val, **slot = NULL;

		semi = strchr(param, ';');
		plen = semi != NULL ? (size_t)(semi - param) : strlen(param);
		if ((eq = memchr(param, '=', plen)) == NULL) {
			/* An empty parameter (trailing ";") is tolerated. */
			char *blank = trimmed(param, plen);
			int empty = blank != NULL && *blank == '\0';

			free(blank);
			if (!empty)
				goto fail;
			continue;
		}
		key = trimmed(param, (size_t)(eq - param));
		val = trimmed(eq + 1, plen - (size_t)(eq - param) - 1);
		if (key != NULL && strcasecmp(key, "accounturi") == 0)
			slot = &out->accounturi;
		else if (key != NULL &&
		    strcasecmp(key, "validationmethods") == 0)
			slot = &out->methods;
		free(key);
		if (val == NULL)
			goto fail;
		if (slot != NULL) {
			free(*slot);
			*slot = val;
		} else {
			free(val);
		}
	}
	return 0;
fail:
	caa_issue_clear(out);
	return -1;
}

void
caa_issue_clear(struct caa_issue *is)
{
	free(is->issuer);
	free(is->accounturi);
	free(is->methods);
	memset(is, 0, sizeof(*is));
}

/* The CAA records of P's answer (after any CNAME the resolver followed). */
static int
caa_from_answer(const ldns_pkt *p, struct caa_set *set)
{
	const ldns_rr_list	*an = ldns_pkt_answer(p);
	ldns_buffer		*b = ldns_buffer_new(512);
	int			 rc = 0;

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && rc == 0; i++) {
		const ldns_rr	*rr = ldns_rr_list_rr(an, i);
		struct caa_rr	*grown;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CAA)
			continue;
		ldns_buffer_clear(b);
		if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK)
			continue;
		if ((grown = reallocarray(set->rrs, set->n + 1,
		    sizeof(*grown))) == NULL) {
			rc = -1;
			break;
		}
		set->rrs = grown;
		/* A malformed record is one a CA cannot use: left out. */
		if (caa_rr_parse(ldns_buffer_begin(b), ldns_buffer_position(b),
		    &set->rrs[set->n]) == 0)
			set->n++;
	}
	ldns_buffer_free(b);
	return rc;
}

int
caa_climb(const struct ctx *ctx, const char *domain, struct caa_set *set,
    struct failure *f)
{
	const char	*name = domain;

	memset(set, 0, sizeof(*set));
	/* RFC 8659 3: up to, not including, the root. */
	while (strcmp(name, ".") != 0) {
		ldns_pkt	*p = stub_ask(ctx, name, LDNS_RR_TYPE_CAA, f);
		int		 rc;

		if (p == NULL) {
			failure_set(&f->qname, f, name);
			/* Malformed records above may have grown the set. */
			caa_set_free(set);
			return -1;
		}
		rc = caa_from_answer(p, set);
		ldns_pkt_free(p);
		if (rc == -1) {
			f->reason = REASON_NOMEM;
			caa_set_free(set);
			return -1;
		}
		if (set->n > 0) {
			if ((set->at = strdup(name)) == NULL) {
				f->reason = REASON_NOMEM;
				caa_set_free(set);
				return -1;
			}
			return 0;
		}
		name = dname_parent(name);
	}
	return 0;
}

void
caa_set_free(struct caa_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		caa_rr_clear(&set->rrs[i]);
	free(set->rrs);
	free(set->at);
	memset(set, 0, sizeof(*set));
}

/* RFC 8659 4.2: issuer names compare without regard to case. */
static int
issuer_ours(const char *issuer, char *const *cas, size_t n_cas)
{
	for (size_t i = 0; i < n_cas; i++)
		if (strcasecmp(issuer, cas[i]) == 0)
			return 1;
	return 0;
}

/* RFC 8657 4: a comma separated list; "dns-01" among its members. */
static int
methods_allow_dns01(const char *methods)
{
	const char	*p = methods;

	while (*p != '\0') {
		size_t	 n = strcspn(p, ",");
		char	*m = trimmed(p, n);
		int	 yes = m != NULL && strcasecmp(m, CAA_DNS01) == 0;

		free(m);
		if (yes)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* RFC 8659 4.2-4.4: tags a CA understands. */
static int
tag_known(const char *tag)
{
	static const char *const known[] = { "issue", "issuewild", "iodef",
	    "issuemail", "issuevmc", "contactemail", "contactphone" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(tag, known[i]) == 0)
			return 1;
	return 0;
}

int
caa_evaluate(const struct caa_set *set, int wildcard, char *const *cas,
    size_t n_cas, struct caa_result *r)
{
	const char	*tag = "issue";
	int		 have_wild = 0, ours_no_dns01 = 0, named = 0;
	FILE		*o;
	size_t		 len;

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	if (set->n == 0)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		/* RFC 8659 4.4.1: unknown critical property: no issuance. */
		if (set->rrs[i].critical && !tag_known(set->rrs[i].tag)) {
			r->verdict = CAA_CRITICAL;
			return (r->unknown = strdup(set->rrs[i].tag)) != NULL ?
			    0 : -1;
		}
		have_wild |= strcmp(set->rrs[i].tag, "issuewild") == 0;
	}
	/* RFC 8659 4.3: issuewild, where present, rules wildcard names. */
	if (wildcard && have_wild)
		tag = "issuewild";
	r->tag = tag;
	if ((o = open_memstream(&r->issuers, &len)) == NULL)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		struct caa_issue	 is;

		if (strcmp(set->rrs[i].tag, tag) != 0)
			continue;
		if (caa_issue_parse(set->rrs[i].value, &is) == -1)
			continue;	/* malformed: grants nothing */
		if (is.issuer[0] != '\0')
			fprintf(o, "%s%s", named++ > 0 ? ", " : "", is.issuer);
		if (is.issuer[0] != '\0' && issuer_ours(is.issuer, cas,
		    n_cas)) {
			if (is.methods != NULL &&
			    !methods_allow_dns01(is.methods)) {
				ours_no_dns01 = 1;
				if (r->methods == NULL) {
					r->methods = is.methods;
					is.methods = NULL;
				}
			} else if (r->verdict != CAA_PERMITS) {
				r->verdict = CAA_PERMITS;
				free(r->accounturi);
				free(r->methods);
				r->accounturi = is.accounturi;
				r->methods = is.methods;
				is.accounturi = is.methods = NULL;
			}
		}
		caa_issue_clear(&is);
	}
	if (fclose(o) != 0) {
		free(r->issuers);
		r->issuers = NULL;
		return -1;
	}
	if (r->verdict == CAA_PERMITS)
		return 0;
	/*
	 * RFC 8659 4.2: a set without any record of the tag places no
	 * restriction on it (a set of iodef alone, say).
	 */
	r->verdict = ours_no_dns01 ? CAA_NO_DNS01 : named > 0 ?
	    CAA_OTHER_ISSUER : CAA_FORBIDS;
	if (r->verdict == CAA_FORBIDS) {
		int	 any = 0;

		for (size_t i = 0; i < set->n && !any; i++)
			any = strcmp(set->rrs[i].tag, tag) == 0;
		if (!any)
			r->verdict = CAA_NONE;
	}
	return 0;
}

void
caa_result_clear(struct caa_result *r)
{
	free(r->issuers);
	free(r->accounturi);
	free(r->methods);
	free(r->unknown);
	memset(r, 0, sizeof(*r));
}
