/* SPDX-License-Identifier: ISC */
/* ctx: the run's deadline, resolvers and transport options. */

#include <string.h>

#include "clock.h"
#include "ctx.h"
#include "dnsio.h"

void
ctx_init(struct ctx *ctx, unsigned timeout_s,
    const struct dns_server *resolvers, size_t n_resolvers, uint16_t port)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->deadline = clock_now_ms() + (int64_t)timeout_s * 1000;
	ctx->resolvers = resolvers;
	ctx->n_resolvers = n_resolvers;
	ctx->port = port;
	dnsio_opts_default(&ctx->io);
}

int
ctx_expired(const struct ctx *ctx)
{
	return clock_left_ms(ctx->deadline) == 0;
}

int
ctx_cancelled(const struct ctx *ctx)
{
	return ctx->io.cancel != NULL && *ctx->io.cancel != 0;
}

void
ctx_io_opts(const struct ctx *ctx, struct dnsio_opts *o)
{
	unsigned	 left = clock_left_ms(ctx->deadline);

	*o = ctx->io;
	/*
	 * A query never outlives the run: past the deadline nothing is sent
	 * (expired) and the caller sees a timeout.
	 */
	if (o->total_ms == 0 || o->total_ms > left)
		o->total_ms = left > 0 ? left : 1;
	o->expired = left == 0;
}
