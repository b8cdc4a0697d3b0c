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

#include "ctx.h"
#include "dnsio.h"
#include "failure.h"

#define STUB_MAX_ADDRS	16

/*
 * Asks the resolvers in turn (RD=1) until one answers NOERROR or NXDOMAIN.
 * Returns that answer (caller frees with ldns_pkt_free), or NULL; then F's
 * reason says what the last resolver did (F's cause is the caller's).
 */
ldns_pkt	*stub_ask(const struct ctx *ctx, const char *name,
		    ldns_rr_type type, struct failure *f);

/*
 * The A and AAAA addresses of HOST with PORT. On success *out (caller
 * frees) holds *n >= 1 addresses and 0 is returned; else -1 with F's
 * reason set (no address, or what the resolvers answered).
 */
int	stub_addresses(const struct ctx *ctx, const char *host, uint16_t port,
	    struct dns_server **out, size_t *n, struct failure *f);

/* Appends the A/AAAA records of LIST owned by OWNER (NULL: any) to ADDRS. */
void	stub_addrs_from_rrs(const ldns_rr_list *list, const ldns_rdf *owner,
	    uint16_t port, struct dns_server *addrs, size_t *n, size_t max);

#endif
