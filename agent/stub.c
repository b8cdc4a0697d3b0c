/* SPDX-License-Identifier: ISC */
/*
 * stub: the resolver client. Recursive questions (RD=1) only about names
 * that exist; answers read with ldns.
 */

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"
#include "query.h"
#include "stub.h"

/* Notes in F what resolver S did with question Q. */
static void
stub_failed(struct failure *f, const struct question *q)
{
	f->rserver = *q->server;
	f->has_rserver = 1;
	if (q->reply == NULL) {
		f->reason = REASON_RESOLVER_SILENT;
		f->io_status = q->status;
		f->io_errno = q->err;
		return;
	}
	f->reason = REASON_RESOLVER_RCODE;
	f->rcode = ldns_pkt_get_rcode(q->reply);
	failure_set(&f->rqname, f, q->name);
}

ldns_pkt *
stub_ask(const struct ctx *ctx, const char *name, ldns_rr_type type,
    struct failure *f)
{
	struct dnsio_opts	 o;

	for (size_t i = 0; i < ctx->n_resolvers; i++) {
		struct question q = { .name = name, .type = type,
		    .server = &ctx->resolvers[i], .rd = 1 };
		ldns_pkt_rcode rc;

		ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1) {
			f->reason = REASON_NOMEM;
			return NULL;
		}
		if (q.reply != NULL) {
			rc = ldns_pkt_get_rcode(q.reply);
			if (rc == LDNS_RCODE_NOERROR ||
			    rc == LDNS_RCODE_NXDOMAIN)
				return q.reply;
		}
		stub_failed(f, &q);
		question_clear(&q);
	}
	return NULL;
}

void
stub_addrs_from_rrs(const ldns_rr_list *list, const ldns_rdf *owner,
    uint16_t port, struct dns_server *addrs, size_t *n, size_t max)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr			*rr = ldns_rr_list_rr(list, i);
		struct sockaddr_storage	*ss;
		size_t			 sslen;

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
stub_addresses(const struct ctx *ctx, const char *host, uint16_t port,
    struct dns_server **out, size_t *n, struct failure *f)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
		LDNS_RR_TYPE_AAAA };
	struct dns_server *addrs;
	int answered = 0;

	*n = 0;
	*out = NULL;
	if ((addrs = calloc(STUB_MAX_ADDRS, sizeof(*addrs))) == NULL) {
		f->reason = REASON_NOMEM;
		return -1;
	}
	for (size_t t = 0; t < 2; t++) {
		ldns_pkt	*p = stub_ask(ctx, host, types[t], f);

		if (p == NULL)
			continue;
		answered = 1;
		stub_addrs_from_rrs(ldns_pkt_answer(p), NULL, port, addrs, n,
		    STUB_MAX_ADDRS);
		ldns_pkt_free(p);
	}
	if (*n == 0) {
		/* A resolver that answered: the name has no address. */
		if (answered) {
			f->reason = REASON_NO_ADDRESS;
			failure_set(&f->rqname, f, host);
		}
		free(addrs);
		return -1;
	}
	*out = addrs;
	return 0;
}
