/* SPDX-License-Identifier: ISC */
/*
 * ctx: what every network stage of one run shares: the deadline that
 * bounds the whole run (cleanup included), the recursive resolvers and the
 * transport options. Nothing else: the config is passed where it is read.
 */
#ifndef ACME_NSUPDATE_CTX_H
#define ACME_NSUPDATE_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "dnsio.h"

struct ctx {
	/* clock_now_ms(): end of the run */
	int64_t			 deadline;
	const struct dns_server	*resolvers;	/* borrowed from the config */
	size_t			 n_resolvers;
	uint16_t		 port;		/* of authoritative servers */
	/* per exchange; total_ms from deadline */
	struct dnsio_opts	 io;
};

/*
 * Sets CTX for a run of TIMEOUT_S seconds from now, asking RESOLVERS
 * (borrowed; they outlive CTX) and authoritative servers on PORT.
 */
void	ctx_init(struct ctx *ctx, unsigned timeout_s,
	    const struct dns_server *resolvers, size_t n_resolvers,
	    uint16_t port);

/* 1 once the deadline has passed, else 0. */
int	ctx_expired(const struct ctx *ctx);

/* 1 once ctx->io.cancel is set (a signal arrived), else 0. */
int	ctx_cancelled(const struct ctx *ctx);

/*
 * Transport options for one exchange: ctx->io bounded by the deadline;
 * past it, expired is set and dnsio sends nothing.
 */
void	ctx_io_opts(const struct ctx *ctx, struct dnsio_opts *o);

#endif
