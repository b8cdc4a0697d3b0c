/* SPDX-License-Identifier: ISC */
/*
 * fake_dns: a scripted dnsio transport for unit tests. Each entry answers
 * one (server, qname, qtype) with canned records built by ldns, or fails
 * the exchange; the reply echoes the query's ID and question.
 */
#ifndef FAKE_DNS_H
#define FAKE_DNS_H

#include <stddef.h>

#include <ldns/ldns.h>

#include "dnsio.h"

#define FAKE_MAX_RRS	8

enum fake_outcome {
	FAKE_REPLY = 0,		/* answer with the records below */
	FAKE_TIMEOUT,		/* DNSIO_TIMEOUT */
	FAKE_REFUSED_CONN	/* DNSIO_NETERR, ECONNREFUSED */
};

struct fake_entry {
	const char		*server;	/* "127.0.0.1 port 53", NULL: any */
	const char		*qname;		/* absolute, NULL: any */
	ldns_rr_type		 qtype;		/* 0: any */
	enum fake_outcome	 outcome;
	ldns_pkt_rcode		 rcode;
	int			 aa;
	const char		*answer[FAKE_MAX_RRS];		/* RR text, NULL-ended */
	const char		*authority[FAKE_MAX_RRS];
	const char		*additional[FAKE_MAX_RRS];
	int			 synthesize;	/* answer owners become the qname (wildcards) */
	/* For UPDATE replies: called with the request wire to make the reply (may be NULL). */
	int			(*respond)(const uint8_t *q, size_t qlen,
				    uint8_t **r, size_t *rlen);
};

/* Installs SCRIPT (borrowed, N entries; first match wins) as dnsio_transport. */
void	fake_dns_install(const struct fake_entry *script, size_t n);
/* Restores the real transport and resets the counters. */
void	fake_dns_uninstall(void);
/* How many exchanges were asked of the fake, in total and for SERVER (NULL: any), QNAME, QTYPE. */
size_t	fake_dns_count(void);
size_t	fake_dns_count_for(const char *server, const char *qname,
	    ldns_rr_type qtype);
/* The last request wire seen (borrowed until the next exchange). */
const uint8_t	*fake_dns_last(size_t *len);

#endif
