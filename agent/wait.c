/* SPDX-License-Identifier: ISC */
/*
 * wait: the propagation wait. Each round asks every (server, name) pair
 * that is not done yet for TXT, side by side in one dnsio loop; intervals
 * grow from WAIT_FIRST_MS to WAIT_MAX_MS. A server's state is reported
 * when it changes, never per poll.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "challenge.h"
#include "clock.h"
#include "config.h"
#include "dnsio.h"
#include "msg.h"
#include "query.h"
#include "resolve.h"
#include "wait.h"

#define ROUND_MS                                                               \
	500 /* bound on one round, so a dead server cannot stall the others */
#define SERIAL_MAX_MS 50 /* interval while servers are polled by SOA serial */
#define SERIAL_TXT_EVERY                                                       \
	8 /* rounds: TXT asked anyway, in case serials differ */
/*
 * The shortcut pays where one SOA query stands for many TXT queries: in
 * the benchmark, 1,000 names took 37% less CPU; for one name it only added
 * two packets. So it is used for zones with at least this many names.
 */
#define SERIAL_MIN_NAMES 8

enum srv_state {
	SRV_UNKNOWN,
	SRV_PENDING,	/* answers with authority, not all done yet */
	SRV_DONE,	/* every name done */
	SRV_NOAA,	/* answers without authority (lame) */
	SRV_RCODE,	/* REFUSED, SERVFAIL, ... */
	SRV_SILENT,	/* no answer */
	SRV_DROPPED	/* require=reachable gave up on it */
};

/* One authoritative address of one zone. */
struct srv {
	const struct zone_target	*z;
	const struct dns_server		*addr;
	enum srv_state			 state;
	ldns_pkt_rcode			 rcode;		/* for SRV_RCODE */
	int				 failed_rounds;	/* in a row */
	size_t				 n_done, n_items;
	int by_serial; /* SOA shortcut: wait for target */
	uint32_t target; /* the primary's serial after the update */
};

/* One (server, effective name): every value at that name is checked at once. */
struct item {
	struct srv	*srv;
	const char *name; /* borrowed: the challenge's effective name */
	const size_t	*members;	/* borrowed from the zone target */
	size_t		 n_members;
	int		 done;
};

struct waiter {
	const struct run_ctx		*ctx;
	const struct challenge_list	*l;
	enum wait_goal			 goal;
	struct srv			*srvs;
	size_t				 n_srvs;
	struct item			*items;
	size_t				 n_items;
	unsigned			 round;
	int hurry; /* a serial caught up: ask TXT at once */
};

static const char *
state_text(const struct srv *s, char *buf, size_t len)
{
	switch (s->state) {
	case SRV_PENDING:
		snprintf(buf, len, "answers, not yet all of its %zu name(s)",
		    s->n_items);
		return buf;
	case SRV_DONE:
		return "done";
	case SRV_NOAA:
		return "answers without authority (lame delegation?)";
	case SRV_RCODE:
		snprintf(buf, len, "answers %s", query_rcode_name(s->rcode));
		return buf;
	case SRV_SILENT:
		return "no answer";
	case SRV_DROPPED:
		return "given up on (require = reachable)";
	case SRV_UNKNOWN:
		break;
	}
	return "not asked yet";
}

/* Is every value of item IT at its name served (or gone) in reply P? */
static int
item_done(const struct waiter *w, const struct item *it, const ldns_pkt *p)
{
	for (size_t k = 0; k < it->n_members; k++) {
		const struct challenge *c = &w->l->items[it->members[k]];
		int has;

		if (strcmp(c->effective, it->name) != 0)
			continue;
		has = query_txt_has(p, it->name, c->value);
		if (has != (w->goal == WAIT_SERVED))
			return 0;
	}
	return 1;
}

static void
srv_set_state(struct srv *s, enum srv_state st)
{
	char buf[128];

	if (s->state == st)
		return;
	s->state = st;
	msg_progress("zone %s: %s %s", s->z->apex, s->addr->text,
	    state_text(s, buf, sizeof(buf)));
}

/*
 * Records what a server's reply says about the server itself: no answer,
 * an error rcode, or no authority count as a failed round. Returns 1 for
 * an authoritative answer that can be read further.
 */
static int
srv_observe(struct srv *s, const struct question *q)
{
	ldns_pkt_rcode rc;

	if (q->reply == NULL) {
		s->failed_rounds++;
		srv_set_state(s, SRV_SILENT);
		return 0;
	}
	rc = ldns_pkt_get_rcode(q->reply);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		s->rcode = rc;
		s->failed_rounds++;
		srv_set_state(s, SRV_RCODE);
		return 0;
	}
	if (!ldns_pkt_aa(q->reply)) {
		s->failed_rounds++;
		srv_set_state(s, SRV_NOAA);
		return 0;
	}
	s->failed_rounds = 0;
	return 1;
}

/* Updates item and server state from one TXT answer. */
static void
item_observe(struct waiter *w, struct item *it, const struct question *q)
{
	struct srv *s = it->srv;

	if (!srv_observe(s, q))
		return;
	if (item_done(w, it, q->reply)) {
		it->done = 1;
		s->n_done++;
	}
	srv_set_state(s, s->n_done == s->n_items ? SRV_DONE : SRV_PENDING);
}

/* The SOA serial in P's answer at APEX: 0, or -1 if there is none. */
static int
soa_serial(const ldns_pkt *p, const char *apex, uint32_t *serial)
{
	const ldns_rr *rr = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA,
	    apex);

	if (rr == NULL || ldns_rr_rd_count(rr) != 7)
		return -1;
	*serial =
	    ldns_rdf2native_int32(ldns_rr_rdf(rr, 2)); /* RFC 1035 3.3.13 */
	return 0;
}

/*
 * The SOA shortcut: once a server's serial has reached the primary's
 * (RFC 1982 3.2 arithmetic), its TXT is asked; until then one SOA query
 * a round stands for all its names.
 */
static void
serial_observe(struct waiter *w, struct srv *s, const struct question *q)
{
	uint32_t serial;

	if (!srv_observe(s, q))
		return;
	if (soa_serial(q->reply, s->z->apex, &serial) == -1) {
		s->by_serial = 0;	/* no serial to go by: ask TXT */
		return;
	}
	srv_set_state(s, SRV_PENDING);
	if ((int32_t)(serial - s->target) >= 0) {
		s->by_serial = 0;
		w->hurry = 1;
	}
}

/* require = reachable: stop waiting for a server that keeps failing, if a
 * sibling answers. */
static void
maybe_drop(struct waiter *w, struct srv *s)
{
	int sibling_ok = 0;

	if (w->ctx->cfg->require != CONFIG_REQUIRE_REACHABLE ||
	    s->failed_rounds < WAIT_GRACE || s->state == SRV_DROPPED)
		return;
	for (size_t i = 0; i < w->n_srvs; i++)
		if (w->srvs[i].z == s->z && &w->srvs[i] != s &&
		    (w->srvs[i].state == SRV_DONE ||
		    w->srvs[i].state == SRV_PENDING))
			sibling_ok = 1;
	if (!sibling_ok)
		return;
	msg_warn("zone %s: not waiting for %s any more: %s for %d rounds "
	    "(require = reachable); a CA's resolver will try the other "
	    "servers", s->z->apex, s->addr->text, s->state == SRV_SILENT ?
	    "no answer" : "no authoritative answer", s->failed_rounds);
	s->state = SRV_DROPPED;
	for (size_t i = 0; i < w->n_items; i++)
		if (w->items[i].srv == s)
			w->items[i].done = 1;
}

static int
srv_pending(const struct waiter *w, const struct srv *s)
{
	for (size_t i = 0; i < w->n_items; i++)
		if (w->items[i].srv == s && !w->items[i].done)
			return 1;
	return 0;
}

/* The questions of one round: SOA for servers still behind, TXT for the rest.
 */
static size_t
round_questions(struct waiter *w, struct question *q, size_t *idx)
{
	size_t n = 0;
	int txt_anyway = w->round % SERIAL_TXT_EVERY == SERIAL_TXT_EVERY - 1;

	for (size_t i = 0; i < w->n_srvs; i++) {
		struct srv *s = &w->srvs[i];

		if (!s->by_serial || !srv_pending(w, s))
			continue;
		q[n] = (struct question){ .name = s->z->apex,
		    .type = LDNS_RR_TYPE_SOA, .server = s->addr };
		idx[n++] = w->n_items + i;	/* past the items: a server */
	}
	for (size_t i = 0; i < w->n_items; i++) {
		if (w->items[i].done ||
		    (w->items[i].srv->by_serial && !txt_anyway))
			continue;
		q[n] = (struct question){ .name = w->items[i].name,
		    .type = LDNS_RR_TYPE_TXT, .server = w->items[i].srv->addr };
		idx[n++] = i;
	}
	return n;
}

/* One round over every pending item; returns how many are still pending. */
static int
wait_round(struct waiter *w, size_t *pending)
{
	struct question *q;
	size_t *idx, n;
	struct dnsio_opts o;
	int rc = -1;

	q = calloc(w->n_items + w->n_srvs, sizeof(*q));
	idx = calloc(w->n_items + w->n_srvs, sizeof(*idx));
	if (q == NULL || idx == NULL)
		goto out;
	n = round_questions(w, q, idx);
	run_ctx_io_opts(w->ctx, &o);
	if (o.total_ms > ROUND_MS)
		o.total_ms = ROUND_MS;
	o.rto_ms = ROUND_MS / 3;
	o.udp_tries = 2;
	if (query_run(q, n, &o) == -1)
		goto out;
	w->hurry = 0;
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= w->n_items)
			serial_observe(w, &w->srvs[idx[k] - w->n_items], &q[k]);
		else
			item_observe(w, &w->items[idx[k]], &q[k]);
		question_clear(&q[k]);
	}
	for (size_t i = 0; i < w->n_srvs; i++)
		maybe_drop(w, &w->srvs[i]);
	*pending = 0;
	for (size_t i = 0; i < w->n_items; i++)
		*pending += !w->items[i].done;
	w->round++;
	rc = 0;
out:
	free(q);
	free(idx);
	return rc;
}

/* Are servers being polled by serial (cheap: a short interval suits them)? */
static int
any_by_serial(const struct waiter *w)
{
	for (size_t i = 0; i < w->n_srvs; i++)
		if (w->srvs[i].by_serial && w->srvs[i].state != SRV_DROPPED)
			return 1;
	return 0;
}

/* The primary's serial after the update: what the shortcut waits for. */
static void
zone_targets(struct waiter *w, const struct zone_plan *plan)
{
	struct question *q = calloc(plan->n, sizeof(*q));
	struct dnsio_opts o;

	size_t n = 0, *zi = calloc(plan->n, sizeof(*zi));

	if (q == NULL || zi == NULL)
		goto out;
	for (size_t i = 0; i < w->n_srvs; i++) {
		const struct zone_target *z = w->srvs[i].z;
		size_t k = (size_t)(z - plan->zones);

		/* Once per zone, for zones with names enough. */
		if (w->srvs[i].n_items < SERIAL_MIN_NAMES ||
		    (n > 0 && zi[n - 1] == k))
			continue;
		zi[n] = k;
		q[n++] = (struct question){ .name = z->apex,
		    .type = LDNS_RR_TYPE_SOA, .server = &z->primaries[0] };
	}
	run_ctx_io_opts(w->ctx, &o);
	if (n > 0 && query_run(q, n, &o) == 0) {
		for (size_t i = 0; i < n; i++) {
			const struct zone_target *z = &plan->zones[zi[i]];
			uint32_t serial;

			if (q[i].reply == NULL || !ldns_pkt_aa(q[i].reply) ||
			    soa_serial(q[i].reply, z->apex, &serial) == -1)
				continue;
			for (size_t k = 0; k < w->n_srvs; k++)
				if (w->srvs[k].z == z) {
					w->srvs[k].by_serial = 1;
					w->srvs[k].target = serial;
				}
		}
	}
	for (size_t i = 0; i < n; i++)
		question_clear(&q[i]);
out:
	free(q);
	free(zi);
}

/* Distinct effective names of zone Z, as (server, name) items for server S. */
static int
items_for_server(struct waiter *w, const struct zone_target *z, struct srv *s)
{
	for (size_t m = 0; m < z->n_members; m++) {
		const char *name = w->l->items[z->members[m]].effective;
		int seen = 0;

		for (size_t k = 0; k < m && !seen; k++)
			seen = strcmp(w->l->items[z->members[k]].effective,
			    name) == 0;
		if (seen)
			continue;
		w->items[w->n_items++] = (struct item){ .srv = s, .name = name,
		    .members = z->members, .n_members = z->n_members };
		s->n_items++;
	}
	return 0;
}

static int
waiter_init(struct waiter *w, const struct zone_plan *plan)
{
	size_t n_srvs = 0, n_items = 0;

	for (size_t i = 0; i < plan->n; i++) {
		n_srvs += plan->zones[i].n_auths;
		n_items += plan->zones[i].n_auths * plan->zones[i].n_members;
	}
	w->srvs = calloc(n_srvs > 0 ? n_srvs : 1, sizeof(*w->srvs));
	w->items = calloc(n_items > 0 ? n_items : 1, sizeof(*w->items));
	if (w->srvs == NULL || w->items == NULL)
		return -1;
	for (size_t i = 0; i < plan->n; i++) {
		const struct zone_target *z = &plan->zones[i];

		for (size_t a = 0; a < z->n_auths; a++) {
			struct srv *s = &w->srvs[w->n_srvs++];

			s->z = z;
			s->addr = &z->auths[a];
			items_for_server(w, z, s);
		}
	}
	return 0;
}

static void
timeout_message(const struct waiter *w, char *err, size_t errlen)
{
	size_t off;
	char buf[128];
	int first = 1;

	off = (size_t)snprintf(err, errlen, "%s within %u s, not %s by:",
	    w->goal == WAIT_SERVED ? "not served everywhere" :
	    "still served somewhere", w->ctx->cfg->timeout,
	    w->goal == WAIT_SERVED ? "served" : "removed");
	for (size_t i = 0; i < w->n_items && off < errlen; i++) {
		const struct item *it = &w->items[i];
		int n;

		if (it->done)
			continue;
		n = snprintf(err + off, errlen - off, "%s %.*s on %s (zone %s: "
		    "%s)", first ? "" : ";", (int)strlen(it->name) - 1,
		    it->name, it->srv->addr->text, it->srv->z->apex,
		    state_text(it->srv, buf, sizeof(buf)));
		if (n < 0)
			break;
		off += (size_t)n;
		first = 0;
	}
	if (off < errlen)
		snprintf(err + off, errlen - off,
		    "; if a secondary lags, check "
		    "NOTIFY and IXFR from the primary; a server that is down "
		    "for good: remove it from the NS set, list the live ones "
		    "in "
		    "nameservers =, or set require = reachable");
}

enum wait_status
wait_for(const struct run_ctx *ctx, const struct zone_plan *plan,
    const struct challenge_list *l, enum wait_goal goal, char *err,
    size_t errlen)
{
	struct waiter w = { .ctx = ctx, .l = l, .goal = goal };
	enum wait_status st = WAIT_ERR_NOMEM;
	unsigned interval = WAIT_FIRST_MS, step;
	size_t pending = 1;

	if (waiter_init(&w, plan) == -1)
		goto out;
	zone_targets(&w, plan);
	for (;;) {
		int64_t started = clock_now_ms(), spent;

		if (wait_round(&w, &pending) == -1)
			goto out;
		if (pending == 0) {
			st = WAIT_OK;
			break;
		}
		if (clock_left_ms(ctx->deadline) == 0) {
			timeout_message(&w, err, errlen);
			st = WAIT_ERR_TIMEOUT;
			break;
		}
		if (w.hurry)
			continue;
		/* Sleep what is left of the interval, never past the deadline.
		 */
		spent = clock_now_ms() - started;
		step = any_by_serial(&w) && interval > SERIAL_MAX_MS ?
		    SERIAL_MAX_MS : interval;
		if (spent < step) {
			unsigned ms = step - (unsigned)spent;
			struct timespec ts;

			if (ms > clock_left_ms(ctx->deadline))
				ms = clock_left_ms(ctx->deadline);
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (long)(ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
		}
		interval += interval / 2;
		if (interval > WAIT_MAX_MS)
			interval = WAIT_MAX_MS;
	}
out:
	if (st == WAIT_ERR_NOMEM)
		snprintf(err, errlen, "out of memory");
	free(w.srvs);
	free(w.items);
	return st;
}
