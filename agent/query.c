/* SPDX-License-Identifier: ISC */
/*
 * query: builds one-question queries with ldns (RFC 1035 4.1, EDNS per
 * RFC 6891), sends them side by side through dnsio and parses the replies;
 * reads TXT answers.
 */

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsio.h"
#include "query.h"

static int
query_wire(const struct question *q, uint8_t **wire, size_t *len)
{
	ldns_pkt	*p = NULL;
	ldns_status	 st;

	*wire = NULL;
	st = ldns_pkt_query_new_frm_str(&p, q->name, q->type,
	    q->qclass != 0 ? q->qclass : LDNS_RR_CLASS_IN, q->rd ? LDNS_RD : 0);
	if (st != LDNS_STATUS_OK)
		return -1;
	/* Unpredictable IDs (RFC 5452 9.2); dnsio matches replies by them. */
	ldns_pkt_set_id(p, (uint16_t)arc4random_uniform(65536));
	ldns_pkt_set_edns_udp_size(p, QUERY_EDNS_SIZE);
	if (q->dnssec)
		ldns_pkt_set_edns_do(p, true);
	st = ldns_pkt2wire(wire, p, len);
	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

int
query_run(struct question *q, size_t n, const struct dnsio_opts *o)
{
	struct dnsio_query	*io = NULL;
	int			 rc = -1;

	if (n == 0)
		return 0;
	if ((io = calloc(n, sizeof(*io))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t	*wire;

		question_clear(&q[i]);
		if (query_wire(&q[i], &wire, &io[i].len) == -1)
			goto out;
		io[i].wire = wire;
		io[i].server = q[i].server;
	}
	if (dnsio_exchange(io, n, o) != DNSIO_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		q[i].status = io[i].status;
		q[i].err = io[i].err;
		if (io[i].status != DNSIO_OK)
			continue;
		/* dnsio matched ID and question; an unparsable body is a
		 * timeout-like failure. */
		if (dnsio_wire2pkt(&q[i].reply, io[i].reply, io[i].reply_len) !=
		    LDNS_STATUS_OK)
			q[i].status = DNSIO_TIMEOUT;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free((void *)io[i].wire);
		dnsio_query_clear(&io[i]);
	}
	free(io);
	return rc;
}

void
question_clear(struct question *q)
{
	ldns_pkt_free(q->reply);
	q->reply = NULL;
	q->status = DNSIO_PENDING;
	q->err = 0;
}

/*
 * TXT rdata: one <character-string> per rdf (RFC 1035 3.3.14); a record
 * longer than 255 octets is several, read joined (a DNS-01 value is one).
 */
static int
txt_equals(const ldns_rr *rr, const char *value)
{
	size_t	 vlen = strlen(value), at = 0;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf	*rdf = ldns_rr_rdf(rr, i);
		size_t		 n;

		if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR ||
		    ldns_rdf_size(rdf) < 1)
			return 0;
		n = ldns_rdf_data(rdf)[0];
		if (ldns_rdf_size(rdf) != n + 1 || at + n > vlen ||
		    memcmp(ldns_rdf_data(rdf) + 1, value + at, n) != 0)
			return 0;
		at += n;
	}
	return ldns_rr_rd_count(rr) > 0 && at == vlen;
}

char *
query_txt_text(const ldns_rr *rr)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*o;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT ||
	    (o = open_memstream(&out, &len)) == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf	*rdf = ldns_rr_rdf(rr, i);

		if (ldns_rdf_size(rdf) >= 1)
			fwrite(ldns_rdf_data(rdf) + 1, 1,
			    ldns_rdf_size(rdf) - 1, o);
	}
	if (fclose(o) != 0 || memchr(out, '\0', len) != NULL) {
		free(out);
		return NULL;
	}
	return out;
}

int
query_txt_has(const ldns_pkt *p, const char *owner, const char *value)
{
	ldns_rr_list	*answer = ldns_pkt_answer(p);
	ldns_rdf	*want = NULL;
	int		 found = 0;

	if (answer == NULL ||
	    ldns_str2rdf_dname(&want, owner) != LDNS_STATUS_OK)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(answer) && !found; i++) {
		const ldns_rr	*rr = ldns_rr_list_rr(answer, i);

		found = ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
		    ldns_dname_compare(ldns_rr_owner(rr), want) == 0 &&
		    txt_equals(rr, value);
	}
	ldns_rdf_deep_free(want);
	return found;
}

const ldns_rr *
query_rr_find(const ldns_rr_list *list, ldns_rr_type type, const char *owner)
{
	ldns_rdf	*want = NULL;
	const ldns_rr	*found = NULL;

	if (owner != NULL && ldns_str2rdf_dname(&want, owner) != LDNS_STATUS_OK)
		return NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(list) && found == NULL;
	     i++) {
		const ldns_rr	*rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) == type && (want == NULL ||
		    ldns_dname_compare(ldns_rr_owner(rr), want) == 0))
			found = rr;
	}
	ldns_rdf_deep_free(want);
	return found;
}

size_t
query_txt_count(const ldns_pkt *p, const char *owner)
{
	ldns_rr_list	*an = ldns_pkt_answer(p);
	ldns_rdf	*want = NULL;
	size_t		 n = 0;

	if (ldns_str2rdf_dname(&want, owner) != LDNS_STATUS_OK)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(an, i)) ==
			LDNS_RR_TYPE_TXT &&
		    ldns_dname_compare(
			ldns_rr_owner(ldns_rr_list_rr(an, i)), want) == 0;
	ldns_rdf_deep_free(want);
	return n;
}

const char *
query_rcode_name(ldns_pkt_rcode rcode)
{
	const ldns_lookup_table	*t;

	t = ldns_lookup_by_id(ldns_rcodes, (int)rcode);
	return t != NULL ? t->name : "unknown rcode";
}

const char *
question_failure(const struct question *q)
{
	if (q->status == DNSIO_NETERR && q->err != 0)
		return strerror(q->err);
	return dnsio_strerror(q->status);
}
