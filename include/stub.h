/* SPDX-License-Identifier: ISC */
/*
 * stub: questions to the recursive resolvers (config `resolver`, else
 * /etc/resolv.conf), and only about names that exist: zone apexes, NS and
 * MNAME host names. Never the challenge name or a CNAME target, whose
 * negative answer the resolver would cache and serve to the CA.
 */
#ifndef ACME_NSUPDATE_STUB_H
#define ACME_NSUPDATE_STUB_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "dnsio.h"
#include "resolve.h"

#define STUB_MAX_ADDRS	16

/*
 * Asks the resolvers in turn (RD=1) until one answers NOERROR or NXDOMAIN.
 * *reply is that answer (caller frees with ldns_pkt_free) or NULL, and then
 * why says what the last resolver did.
 */
void	stub_ask(const struct run_ctx *ctx, const char *name, ldns_rr_type type,
	    ldns_pkt **reply, char *why, size_t whylen);

/*
 * The A and AAAA addresses of HOST with PORT. On success *out (caller
 * frees) holds *n >= 1 addresses; else -1 and why says what went wrong.
 */
int	stub_addresses(const struct run_ctx *ctx, const char *host,
	    uint16_t port, struct dns_server **out, size_t *n, char *why,
	    size_t whylen);

/* Appends the A/AAAA records of LIST owned by OWNER (NULL: any) to ADDRS. */
void	stub_addrs_from_rrs(const ldns_rr_list *list, const ldns_rdf *owner,
	    uint16_t port, struct dns_server *addrs, size_t *n, size_t max);

#endif
