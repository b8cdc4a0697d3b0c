/* SPDX-License-Identifier: ISC */
/*
 * check: `check [--json] DOMAIN...` names, before the CA does, every
 * reason DNS-01 would fail for each domain, one finding per step and
 * subject (DESIGN.md "check DOMAIN..."), and changes nothing on any
 * server. Also the software of a server (version.bind), which setup uses.
 */
#ifndef ACME_NSUPDATE_CHECK_H
#define ACME_NSUPDATE_CHECK_H

#include "ctx.h"
#include "dnsio.h"
#include "run.h"

enum check_product {
	PRODUCT_UNKNOWN = 0,
	PRODUCT_BIND,
	PRODUCT_KNOT,
	PRODUCT_POWERDNS
};

/* What a server says it runs (RFC 4892: version.bind / version.server, CH). */
struct check_software {
	enum check_product	 product;
	/* owned or NULL: its own words */
	char			*text;
	/* major, minor, patch; 0s if unknown */
	unsigned		 version[3];
	int			 answered;	/* it answered at all */
};

/*
 * Asks SERVER (borrowed) for version.bind and version.server in class CH.
 * Returns 0 with OUT filled (free with check_software_clear), -1 when out
 * of memory.
 */
int	check_software_of(const struct ctx *ctx,
	    const struct dns_server *server, struct check_software *out);
void	check_software_clear(struct check_software *sw);
/* "BIND", "Knot DNS", "PowerDNS" or NULL for PRODUCT_UNKNOWN (static). */
const char	*check_product_name(enum check_product p);

/*
 * `check [--json] DOMAIN...` (ARGV[0] is "check"). Findings on stdout;
 * returns 0 (no FAIL), EXIT_DNS (a FAIL) or EXIT_USAGE.
 */
int	check_main(int argc, char **argv, const struct run_opts *o);

#endif
