/* SPDX-License-Identifier: ISC */
/*
 * query: one-question DNS queries built and read with ldns and sent side by
 * side through dnsio; and the readers of their answers that several stages
 * share (does a server serve this TXT value?).
 */
#ifndef ACME_NSUPDATE_QUERY_H
#define ACME_NSUPDATE_QUERY_H

#include <stddef.h>

#include <ldns/ldns.h>

#include "dnsio.h"

#define QUERY_EDNS_SIZE	1232	/* DNS flag day 2020: no IP fragmentation */

struct question {
	/* in, borrowed */
	const char		*name;		/* absolute */
	ldns_rr_type		 type;
	const struct dns_server	*server;
	int			 rd;		/* recursion desired */
	ldns_rr_class		 qclass;	/* 0: IN; CH for version.bind */
	/* DO bit (RFC 3225): RRSIGs wanted */
	int			 dnssec;
	/* out */
	enum dnsio_status	 status;	/* transport result */
	int			 err;		/* errno behind DNSIO_NETERR */
	/* owned: parsed matching reply, or NULL */
	ldns_pkt		*reply;
};

/*
 * Asks the N questions side by side, once each (dnsio retransmits), with
 * random IDs and EDNS. Each question's status/reply is set; replies are
 * freed by question_clear. Returns -1 only when nothing could be sent
 * (out of memory), else 0.
 */
int	query_run(struct question *q, size_t n, const struct dnsio_opts *o);

/* Frees the reply and resets the out fields. */
void	question_clear(struct question *q);

/*
 * 1 if P's answer section holds a TXT record at OWNER whose strings,
 * joined, are VALUE (a DNS-01 value is one string), else 0. OWNER is
 * absolute, compared case-insensitively.
 */
int	query_txt_has(const ldns_pkt *p, const char *owner, const char *value);

/*
 * The first record of TYPE owned by OWNER (absolute, any case; NULL: any
 * owner) in LIST, or NULL. Borrowed from LIST.
 */
const ldns_rr	*query_rr_find(const ldns_rr_list *list, ldns_rr_type type,
		    const char *owner);

/*
 * The strings of TXT record RR joined (caller frees), or NULL (not TXT, a
 * NUL octet in it, or out of memory).
 */
char	*query_txt_text(const ldns_rr *rr);

/* How many TXT records P's answer holds at OWNER (absolute). */
size_t	query_txt_count(const ldns_pkt *p, const char *owner);

/* The rcode's name ("NOERROR", "REFUSED", ...), static. */
const char	*query_rcode_name(ldns_pkt_rcode rcode);

/*
 * "timed out" / "connection refused" / ... for a failed question (static or
 * errno text).
 */
const char	*question_failure(const struct question *q);

#endif
