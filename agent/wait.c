/* SPDX-License-Identifier: ISC */
/*
 * wait: the propagation wait. Every authoritative address is polled on a
 * schedule of its own: at once, then every WAIT_POLL_MS for WAIT_EAGER_MS,
 * then less often up to WAIT_MAX_MS; no address is sent more than
 * WAIT_RATE_MAX queries in any one second. The due addresses' questions go
 * out side by side in one dnsio loop. A server's state is reported when it
 * changes, never per poll.
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
#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "failure.h"
#include "msg.h"
#include "plan.h"
#include "query.h"
#include "wait.h"

/* one round: a dead server cannot stall the rest */
#define ROUND_MS	500
/* polls: TXT asked anyway, should serials differ */
#define SERIAL_TXT_EVERY 8
/*
 * The rate limit's window: a second, and room for the time between
 * deciding to send and the datagram leaving in the same poll.
 */
#define RATE_WINDOW_MS	1050
/*
 * The shortcut pays where one SOA query stands for many TXT queries: in
 * the benchmark, 1,000 names took 37% less CPU; for one name it only added
 * two packets. So it is used for zones with at least this many names.
 */
#define SERIAL_MIN_NAMES	8

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
	/* SOA shortcut: wait for target */
	int				 by_serial;
	/* the primary's serial after the update */
	uint32_t			 target;
	/* the schedule */
	/* clock_now_ms() when due */
	int64_t				 next_ms;
	unsigned			 interval;	/* ms between polls */
	unsigned			 polls;
	/* next item to ask when all do not fit */
	size_t				 cursor;
};

/* One effective name of one zone, and the challenges written there. */
struct name_group {
	/* borrowed: the challenges' effective name */
	const char	*name;
	/* owned: indices into the challenge list */
	size_t		*members;
	size_t		 n_members;
};

/* One (server, effective name): every value at that name is checked at once. */
struct item {
	struct srv		*srv;
	const struct name_group	*group;	/* borrowed from the waiter */
	int			 done;
};

struct waiter {
	const struct ctx		*ctx;
	const struct config		*cfg;
	const struct challenge_list	*l;
	enum wait_goal			 goal;
	struct srv			*srvs;
	size_t				 n_srvs;
	struct name_group		*groups;
	size_t				 n_groups;
	struct item			*items;
	size_t				 n_items;
	/* clock_now_ms() of the first poll */
	int64_t				 start;
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
	const struct name_group	*g = it->group;

	for (size_t k = 0; k < g->n_members; k++) {
		const struct challenge	*c = &w->l->items[g->members[k]];

		if (query_txt_has(p, g->name, c->value) !=
		    challenge_wanted(c, w->goal == WAIT_SERVED))
			return 0;
	}
	return 1;
}

static void
srv_set_state(struct srv *s, enum srv_state st)
{
	char	 buf[128];

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
	ldns_pkt_rcode	 rc;

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
	struct srv	*s = it->srv;

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
	/* RFC 1035 3.3.13 */
	*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	return 0;
}

/*
 * The SOA shortcut: once a server's serial has reached the primary's
 * (RFC 1982 3.2 arithmetic), its TXT is asked; until then one SOA query
 * a round stands for all its names.
 */
static void
serial_observe(struct srv *s, const struct question *q)
{
	uint32_t	 serial;

	if (!srv_observe(s, q))
		return;
	if (soa_serial(q->reply, s->z->apex, &serial) == -1) {
		s->by_serial = 0;	/* no serial to go by: ask TXT */
		return;
	}
	srv_set_state(s, SRV_PENDING);
	if ((int32_t)(serial - s->target) >= 0) {
		/* The transfer has landed: ask the names now. */
		s->by_serial = 0;
		s->next_ms = 0;
	}
}

/*
 * require = reachable: stop waiting for a server that keeps failing, if a
 * sibling answers.
 */
static void
maybe_drop(struct waiter *w, struct srv *s)
{
	int	 sibling_ok = 0;

	if (w->cfg->require != CONFIG_REQUIRE_REACHABLE ||
	    s->failed_rounds < WAIT_GRACE || s->state == SRV_DROPPED)
		return;
	for (size_t i = 0; i < w->n_srvs; i++)
		if (w->srvs[i].z == s->z && &w->srvs[i] != s &&
		    (w->srvs[i].state == SRV_DONE ||
		    w->srvs[i].state == SRV_PENDING))
			sibling_ok = 1;
	if (!sibling_ok)
		return;
	msg_warn("zone %s: not waiting for %s any more: %s in %d polls "
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

/*
 * How many queries S may be sent at NOW: WAIT_RATE_MAX in any one second
 * (response rate limiting in BIND and Knot drops more, and an operator
 * would rightly call more abuse). With none left, *free_at says when.
 */
static size_t
srv_budget(const struct srv *s, int64_t now, int64_t *free_at)
{
	int64_t	 oldest;
	size_t	 used;

	/* dnsio counts every stage's queries: the chain's, the update's. */
	used = dnsio_sent_since(s->addr, now - RATE_WINDOW_MS, &oldest);
	*free_at = oldest == INT64_MAX ? now : oldest + RATE_WINDOW_MS + 1;
	return used >= WAIT_RATE_MAX ? 0 : WAIT_RATE_MAX - used;
}

/* The interval after a poll: eager at first, then growing by half. */
static void
srv_schedule(const struct waiter *w, struct srv *s, int64_t polled)
{
	if (polled - w->start >= WAIT_EAGER_MS) {
		s->interval += s->interval / 2;
		if (s->interval > WAIT_MAX_MS)
			s->interval = WAIT_MAX_MS;
	}
	s->next_ms = polled + s->interval;
}

/* Adds ONE (IDX: what it is about) to the poll's questions. */
static void
poll_add(struct question *q, size_t *idx, size_t *n, struct question one,
    size_t one_idx)
{
	q[*n] = one;
	idx[(*n)++] = one_idx;
}

/*
 * The questions for server S (index SI) if it is due at NOW: its SOA while
 * it is behind the primary's serial, else TXT for its pending names, as
 * many as its budget allows, taking turns.
 */
static void
srv_questions(struct waiter *w, size_t si, int64_t now, struct question *q,
    size_t *idx, size_t *n)
{
	struct srv	*s = &w->srvs[si];
	int64_t		 free_at;
	size_t		 budget, asked = 0, from = s->cursor;

	if (s->next_ms > now || s->state == SRV_DROPPED || !srv_pending(w, s))
		return;
	if ((budget = srv_budget(s, now, &free_at)) == 0) {
		s->next_ms = free_at;
		return;
	}
	s->polls++;
	srv_schedule(w, s, now);
	if (s->by_serial && s->polls % SERIAL_TXT_EVERY != 0) {
		poll_add(q, idx, n, (struct question){
		    .name = s->z->apex, .type = LDNS_RR_TYPE_SOA,
		    .server = s->addr }, w->n_items + si);
		return;
	}
	for (size_t k = 0; k < w->n_items && asked < budget; k++) {
		size_t		 i = (from + k) % w->n_items;
		struct item	*it = &w->items[i];

		if (it->srv != s || it->done)
			continue;
		poll_add(q, idx, n, (struct question){
		    .name = it->group->name, .type = LDNS_RR_TYPE_TXT,
		    .server = s->addr }, i);
		s->cursor = i + 1;
		asked++;
	}
	if (srv_pending(w, s) && asked == budget)
		s->next_ms = s->next_ms < now + 1 ? now + 1 : s->next_ms;
}

/* One poll of every due server; *pending: items not done afterwards. */
static int
wait_poll(struct waiter *w, size_t *pending)
{
	int64_t			 now = clock_now_ms();
	struct question		*q;
	size_t			*idx, n = 0;
	struct dnsio_opts	 o;
	int			 rc = -1;

	q = calloc(w->n_items + w->n_srvs, sizeof(*q));
	idx = calloc(w->n_items + w->n_srvs, sizeof(*idx));
	if (q == NULL || idx == NULL)
		goto out;
	for (size_t i = 0; i < w->n_srvs; i++)
		srv_questions(w, i, now, q, idx, &n);
	ctx_io_opts(w->ctx, &o);
	if (o.total_ms > ROUND_MS)
		o.total_ms = ROUND_MS;
	o.rto_ms = ROUND_MS / 3;
	o.udp_tries = 2;
	if (n > 0 && query_run(q, n, &o) == -1)
		goto out;
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= w->n_items)
			serial_observe(&w->srvs[idx[k] - w->n_items], &q[k]);
		else
			item_observe(w, &w->items[idx[k]], &q[k]);
		question_clear(&q[k]);
	}
	for (size_t i = 0; i < w->n_srvs; i++)
		maybe_drop(w, &w->srvs[i]);
	*pending = 0;
	for (size_t i = 0; i < w->n_items; i++)
		*pending += !w->items[i].done;
	rc = 0;
out:
	free(q);
	free(idx);
	return rc;
}

/* When the next server is due (never past the deadline). */
static int64_t
wait_next_due(const struct waiter *w)
{
	int64_t	 next = w->ctx->deadline;

	for (size_t i = 0; i < w->n_srvs; i++)
		if (w->srvs[i].state != SRV_DROPPED &&
		    w->srvs[i].next_ms < next && srv_pending(w, &w->srvs[i]))
			next = w->srvs[i].next_ms;
	return next;
}

/* The primary's serial after the update: what the shortcut waits for. */
static void
zone_targets(struct waiter *w, const struct zone_plan *plan)
{
	struct question		*q = calloc(plan->n, sizeof(*q));
	size_t			 n = 0, *zi = NULL;
	struct dnsio_opts	 o;

	if (q == NULL || (zi = calloc(plan->n, sizeof(*zi))) == NULL)
		goto out;
	for (size_t i = 0; i < w->n_srvs; i++) {
		const struct zone_target	*z = w->srvs[i].z;
		size_t				 k;

		/* Once per zone, for zones with names enough. */
		k = (size_t)(z - plan->zones);
		if (w->srvs[i].n_items < SERIAL_MIN_NAMES ||
		    (n > 0 && zi[n - 1] == k))
			continue;
		zi[n] = k;
		q[n++] = (struct question){ .name = z->apex,
		    .type = LDNS_RR_TYPE_SOA, .server = &z->primaries[0] };
	}
	ctx_io_opts(w->ctx, &o);
	if (n > 0 && query_run(q, n, &o) == 0) {
		for (size_t i = 0; i < n; i++) {
			const struct zone_target	*z;
			uint32_t			 serial;

			z = &plan->zones[zi[i]];
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

/*
 * The distinct effective names of zone Z as groups of the challenges at
 * each. Returns the first of Z's groups in W, or NULL when out of memory.
 */
static const struct name_group *
groups_for_zone(struct waiter *w, const struct zone_target *z, size_t *n)
{
	struct name_group	*first = &w->groups[w->n_groups];

	*n = 0;
	for (size_t m = 0; m < z->n_members; m++) {
		size_t			 idx = z->members[m];
		const char		*name = w->l->items[idx].effective;
		struct name_group	*g = NULL;

		for (size_t k = 0; k < *n && g == NULL; k++)
			if (strcmp(first[k].name, name) == 0)
				g = &first[k];
		if (g == NULL) {
			g = &first[(*n)++];
			g->name = name;
			if ((g->members = calloc(z->n_members,
			    sizeof(*g->members))) == NULL)
				return NULL;
			w->n_groups++;
		}
		g->members[g->n_members++] = idx;
	}
	return first;
}

static int
waiter_init(struct waiter *w, const struct zone_plan *plan)
{
	size_t	 n_srvs = 0, n_items = 0, n_members = 0;

	for (size_t i = 0; i < plan->n; i++) {
		n_srvs += plan->zones[i].n_auths;
		n_items += plan->zones[i].n_auths * plan->zones[i].n_members;
		n_members += plan->zones[i].n_members;
	}
	w->srvs = calloc(n_srvs > 0 ? n_srvs : 1, sizeof(*w->srvs));
	w->items = calloc(n_items > 0 ? n_items : 1, sizeof(*w->items));
	w->groups = calloc(n_members > 0 ? n_members : 1, sizeof(*w->groups));
	if (w->srvs == NULL || w->items == NULL || w->groups == NULL)
		return -1;
	for (size_t i = 0; i < plan->n; i++) {
		const struct zone_target	*z = &plan->zones[i];
		const struct name_group		*g;
		size_t				 n_groups;

		if ((g = groups_for_zone(w, z, &n_groups)) == NULL)
			return -1;
		for (size_t a = 0; a < z->n_auths; a++) {
			struct srv	*s = &w->srvs[w->n_srvs++];

			s->z = z;
			s->addr = &z->auths[a];
			s->interval = WAIT_POLL_MS;
			s->n_items = n_groups;
			for (size_t k = 0; k < n_groups; k++)
				w->items[w->n_items++] = (struct item){
				    .srv = s, .group = &g[k] };
		}
	}
	return 0;
}

static void
waiter_free(struct waiter *w)
{
	for (size_t i = 0; i < w->n_groups; i++)
		free(w->groups[i].members);
	free(w->groups);
	free(w->srvs);
	free(w->items);
}

/* F: the wait ran out of time; its detail lists every item not done. */
static void
wait_failed(const struct waiter *w, struct failure *f)
{
	char	*list = NULL, buf[128];
	size_t	 len = 0;
	FILE	*o;

	f->cause = w->goal == WAIT_SERVED ? FAIL_WAIT_SERVED : FAIL_WAIT_GONE;
	f->timeout = w->cfg->timeout;
	if (w->l->n > 0)
		failure_subject(f, w->l->items[0].name,
		    w->l->items[0].effective, w->l->n - 1);
	if ((o = open_memstream(&list, &len)) == NULL) {
		f->cause = FAIL_NOMEM;
		return;
	}
	for (size_t i = 0, first = 1; i < w->n_items; i++) {
		const struct item	*it = &w->items[i];

		if (it->done)
			continue;
		fprintf(o, "%s%.*s on %s (zone %s: %s)", first ? "" : "; ",
		    DNAME_BARE(it->group->name), it->srv->addr->text,
		    it->srv->z->apex, state_text(it->srv, buf, sizeof(buf)));
		first = 0;
	}
	if (fclose(o) != 0) {
		free(list);
		f->cause = FAIL_NOMEM;
		return;
	}
	free(f->detail);
	f->detail = list;
}

/* Sleeps until UNTIL (a clock_now_ms value), if that is still ahead. */
static void
wait_until(int64_t until)
{
	int64_t		 ms = until - clock_now_ms();
	struct timespec	 ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

enum wait_status
wait_for(const struct ctx *ctx, const struct config *cfg,
    const struct zone_plan *plan, const struct challenge_list *l,
    enum wait_goal goal, struct failure *f)
{
	struct waiter		 w = { .ctx = ctx, .cfg = cfg, .l = l,
				     .goal = goal };
	enum wait_status	 st = WAIT_ERR_NOMEM;
	size_t			 pending = 1;

	if (waiter_init(&w, plan) == -1)
		goto out;
	zone_targets(&w, plan);
	w.start = clock_now_ms();
	for (;;) {
		if (wait_poll(&w, &pending) == -1)
			goto out;
		if (pending == 0) {
			st = WAIT_OK;
			break;
		}
		/* A signal: the caller undoes the add, nothing to report. */
		if (ctx_cancelled(ctx)) {
			st = WAIT_ERR_CANCELLED;
			break;
		}
		if (ctx_expired(ctx)) {
			wait_failed(&w, f);
			st = f->cause == FAIL_NOMEM ? WAIT_ERR_NOMEM :
			    WAIT_ERR_TIMEOUT;
			break;
		}
		wait_until(wait_next_due(&w));
	}
out:
	if (st == WAIT_ERR_NOMEM)
		f->cause = FAIL_NOMEM;
	waiter_free(&w);
	return st;
}
