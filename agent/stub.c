/* SPDX-License-Identifier: ISC */
/*
 * stub: the resolver client. Recursive questions (RD=1) only about names
 * that exist; answers read with ldns.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsio.h"
#include "query.h"
#include "resolve.h"
#include "stub.h"

void
stub_ask(const struct run_ctx *ctx, const char *name, ldns_rr_type type,
    ldns_pkt **reply, char *why, size_t whylen)
{
	struct dnsio_opts o;

	*reply = NULL;
	snprintf(why, whylen, "no resolver configured");
	for (size_t i = 0; i < ctx->n_resolvers; i++) {
		struct question q = { .name = name, .type = type,
		    .server = &ctx->resolvers[i], .rd = 1 };
		ldns_pkt_rcode rc;

		run_ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1) {
			snprintf(why, whylen, "out of memory");
			return;
		}
		if (q.reply == NULL) {
			snprintf(why, whylen, "resolver %s: %s",
			    ctx->resolvers[i].text, question_failure(&q));
			continue;
		}
		rc = ldns_pkt_get_rcode(q.reply);
		if (rc == LDNS_RCODE_NOERROR || rc == LDNS_RCODE_NXDOMAIN) {
			*reply = q.reply;
			return;
		}
		snprintf(why, whylen, "resolver %s answered %s for %s%s",
		    ctx->resolvers[i].text, query_rcode_name(rc), name,
		    rc == LDNS_RCODE_SERVFAIL ?
			": it could not get an answer "
			"from that zone's servers (unlike NXDOMAIN, which "
			"would say "
			"the name does not exist); check the zone on its "
			"servers" :
			"");
		question_clear(&q);
	}
}

void
stub_addrs_from_rrs(const ldns_rr_list *list, const ldns_rdf *owner,
    uint16_t port, struct dns_server *addrs, size_t *n, size_t max)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);
		struct sockaddr_storage *ss;
		size_t sslen;

		if (*n == max || ldns_rr_rd_count(rr) != 1 ||
		    (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A &&
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA))
			continue;
		if (owner != NULL &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		ss = ldns_rdf2native_sockaddr_storage(ldns_rr_rdf(rr, 0), port,
		    &sslen);
		if (ss == NULL)
			continue;
		dnsio_server_from_sockaddr((struct sockaddr *)ss,
		    (socklen_t)sslen, &addrs[(*n)++]);
		free(ss);
	}
}

int
stub_addresses(const struct run_ctx *ctx, const char *host, uint16_t port,
    struct dns_server **out, size_t *n, char *why, size_t whylen)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
		LDNS_RR_TYPE_AAAA };
	struct dns_server *addrs;

	*n = 0;
	*out = NULL;
	why[0] = '\0';
	if ((addrs = calloc(STUB_MAX_ADDRS, sizeof(*addrs))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (size_t t = 0; t < 2; t++) {
		ldns_pkt *p;

		stub_ask(ctx, host, types[t], &p, why, whylen);
		if (p != NULL)
			stub_addrs_from_rrs(ldns_pkt_answer(p), NULL, port,
			    addrs, n, STUB_MAX_ADDRS);
		ldns_pkt_free(p);
	}
	if (*n == 0) {
		if (strstr(why, "resolver") == NULL)
			snprintf(why, whylen, "%s has no address (A or AAAA)",
			    host);
		free(addrs);
		return -1;
	}
	*out = addrs;
	return 0;
}
