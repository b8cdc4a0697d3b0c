/* SPDX-License-Identifier: ISC */
/*
 * run: drives one invocation through the stages (DESIGN.md "data flows one
 * way"): config, resolve, update per zone, wait; reports once per failure.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "challenge.h"
#include "clock.h"
#include "key.h"
#include "config.h"
#include "msg.h"
#include "query.h"
#include "resolve.h"
#include "run.h"
#include "spool.h"
#include "update.h"
#include "wait.h"

#define ERR_LEN		2048
#define ROLLBACK_MS	10000	/* undoing an add after a failure */

/*
 * Takes back the values added to the first N zones of PLAN (best effort).
 * It runs after a failure, often a timeout that used up the run's time:
 * undoing gets a budget of its own.
 */
static void
run_rollback(const struct run_ctx *run, const struct zone_plan *plan,
    size_t n, struct challenge_list *l)
{
	struct run_ctx ctx = *run;
	char err[ERR_LEN];

	ctx.deadline = clock_now_ms() + ROLLBACK_MS;
	for (size_t i = 0; i < n; i++) {
		if (update_zone(&ctx, &plan->zones[i], l, UPDATE_REMOVE, err,
		    sizeof(err)) == UPDATE_OK)
			msg_progress(
			    "zone %s: removed the values added by this "
			    "run again",
			    plan->zones[i].apex);
		else
			msg_warn(
			    "%s (while undoing this run's additions)", err);
	}
}

static void
report_done(const struct zone_target *z, const struct challenge_list *l,
    enum run_op op)
{
	for (size_t i = 0; i < z->n_members; i++) {
		const struct challenge *c = &l->items[z->members[i]];
		char subj[600];

		msg_progress("%s: %s in zone %s on %s",
		    challenge_subject(c, subj, sizeof(subj)),
		    op == RUN_ADD ? "added" : "removed", z->apex,
		    z->n_primaries > 0 ? z->primaries[0].text : "?");
	}
}

static int
run_updates(const struct run_ctx *ctx, const struct zone_plan *plan,
    struct challenge_list *l, enum run_op op)
{
	enum update_op uop = op == RUN_ADD ? UPDATE_ADD : UPDATE_REMOVE;
	char err[ERR_LEN];
	int status = 0;

	for (size_t i = 0; i < plan->n; i++) {
		if (update_zone(ctx, &plan->zones[i], l, uop, err,
		    sizeof(err)) == UPDATE_OK) {
			report_done(&plan->zones[i], l, op);
			continue;
		}
		msg_error("%s", err);
		status = EXIT_DNS;
		if (op == RUN_ADD) {
			run_rollback(ctx, plan, i, l);
			break;
		}
		/* A removal goes on with the other zones: clean up what can be.
		 */
	}
	return status;
}

/* check: what every authoritative server of Z serves at each effective name
 * now. */
static int
run_check_zone(const struct run_ctx *ctx, const struct zone_target *z,
    const struct challenge_list *l)
{
	size_t n = z->n_auths * z->n_members, k = 0;
	struct question *q = calloc(n > 0 ? n : 1, sizeof(*q));
	struct dnsio_opts o;
	int status = 0;

	if (q == NULL) {
		msg_error("out of memory");
		return EXIT_DNS;
	}
	for (size_t a = 0; a < z->n_auths; a++)
		for (size_t m = 0; m < z->n_members; m++, k++) {
			q[k].name = l->items[z->members[m]].effective;
			q[k].type = LDNS_RR_TYPE_TXT;
			q[k].server = &z->auths[a];
		}
	run_ctx_io_opts(ctx, &o);
	if (query_run(q, n, &o) == -1) {
		free(q);
		msg_error("out of memory");
		return EXIT_DNS;
	}
	for (k = 0; k < n; k++) {
		const char *name = q[k].name;
		int nl = (int)strlen(name) - 1;

		if (q[k].reply == NULL || !ldns_pkt_aa(q[k].reply)) {
			msg_warn(
			    "zone %s: %s gives no authoritative answer for "
			    "%.*s (%s); the CA may ask it",
			    z->apex, q[k].server->text, nl, name,
			    q[k].reply == NULL ? question_failure(&q[k]) :
						 "not authoritative");
			status = EXIT_DNS;
		} else {
			msg_progress("zone %s: %s serves %zu TXT at %.*s (%s)",
			    z->apex, q[k].server->text,
			    query_txt_count(q[k].reply, name), nl, name,
			    query_rcode_name(ldns_pkt_get_rcode(q[k].reply)));
		}
		question_clear(&q[k]);
	}
	free(q);
	return status;
}

static int
run_check(const struct run_ctx *ctx, const struct zone_plan *plan,
    const struct challenge_list *l)
{
	int status = 0;

	for (size_t i = 0; i < plan->n; i++) {
		const struct zone_target *z = &plan->zones[i];

		msg_progress("zone %s: key %s (%s) from the config", z->apex,
		    z->conf->key->name, key_alg_name(z->conf->key->alg));
		if (run_check_zone(ctx, z, l) != 0)
			status = EXIT_DNS;
	}
	return status;
}

/* settle: note when each value was removed and the TTL it was served with. */
static void
settle_mark(const struct run_ctx *ctx, const struct challenge_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct challenge *c = &l->items[i];
		char path[600];
		FILE *f;

		if (spool_path("removed", c->effective, path, sizeof(path)) ==
			-1 ||
		    (f = fopen(path, "we")) == NULL) {
			msg_warn(
			    "%s: cannot note the removal (%s); a value added "
			    "at this name within %u s may meet a cached answer",
			    c->effective, strerror(errno), ctx->cfg->ttl);
			continue;
		}
		fprintf(f, "%lld %u\n", (long long)time(NULL),
		    c->ttl > 0 ? c->ttl : ctx->cfg->ttl);
		fclose(f);
	}
}

/* Seconds until a cached answer from before the last removal at NAME expires.
 */
static long long
settle_left(const char *name)
{
	long long removed, left = 0;
	unsigned ttl;
	char path[600];
	FILE *f;

	if (spool_path("removed", name, path, sizeof(path)) == -1 ||
	    (f = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(f, "%lld %u", &removed, &ttl) == 2)
		left = removed + ttl + 1 - (long long)time(NULL);
	fclose(f);
	if (left <= 0)
		unlink(path);
	return left > 0 ? left : 0;
}

/* settle: waits out the longest cached answer among the names just added. */
static void
settle_wait(const struct run_ctx *ctx, const struct challenge_list *l)
{
	long long wait = 0, left;
	const char *name = NULL;
	struct timespec ts;

	for (size_t i = 0; i < l->n; i++)
		if ((left = settle_left(l->items[i].effective)) > wait) {
			wait = left;
			name = l->items[i].effective;
		}
	if (wait == 0)
		return;
	if (wait * 1000 > clock_left_ms(ctx->deadline)) {
		msg_warn(
		    "%s: a value removed there moments ago may be cached by "
		    "the CA's resolver for %lld s more, longer than the "
		    "timeout "
		    "allows; lower ttl or raise timeout",
		    name, wait);
		wait = clock_left_ms(ctx->deadline) / 1000;
	}
	msg_progress("%s: waiting %lld s for the CA's resolver to forget the "
	    "value removed there moments ago (its TTL)", name, wait);
	ts.tv_sec = (time_t)wait;
	ts.tv_nsec = 0;
	nanosleep(&ts, NULL);
}

/* Machine-readable results: what a later cleanup needs to skip resolving. */
static void
print_results(const struct challenge_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s %s %s %s\n", RUN_RESULT_TAG, l->items[i].name,
		    l->items[i].effective, l->items[i].zone_name);
	fflush(stdout);
}

/* Waits until every authoritative server shows the change; undoes an add that
 * does not propagate. */
static int
run_wait(const struct run_ctx *ctx, const struct zone_plan *plan,
    struct challenge_list *l, enum run_op op)
{
	char err[ERR_LEN * 4];
	int64_t start = clock_now_ms();

	if (wait_for(ctx, plan, l, op == RUN_ADD ? WAIT_SERVED : WAIT_GONE,
	    err, sizeof(err)) == WAIT_OK) {
		msg_progress("every authoritative server %s (%lld ms)",
		    op == RUN_ADD ? "serves the values" :
				    "has dropped the values",
		    (long long)(clock_now_ms() - start));
		return 0;
	}
	msg_error("%s", err);
	if (op == RUN_ADD)
		run_rollback(ctx, plan, plan->n, l);
	return EXIT_DNS;
}

int
run_challenges(const struct run_opts *o, struct challenge_list *l,
    enum run_op op)
{
	const char *path = config_path_pick(o->config_path);
	struct config *cfg = NULL;
	struct run_ctx ctx = { 0 };
	struct zone_plan plan = { 0 };
	char err[ERR_LEN];
	int status = EXIT_USAGE;

	if (config_load(path, &cfg) != CONFIG_OK)
		goto out;
	if (run_ctx_init(&ctx, cfg, path, err, sizeof(err)) == -1) {
		msg_error("%s", err);
		goto out;
	}
	switch (resolve_plan(&ctx, l, &plan, err, sizeof(err))) {
	case RESOLVE_OK:
		break;
	case RESOLVE_ERR_CONFIG:
		msg_error("%s", err);
		goto out;
	default:
		msg_error("%s", err);
		status = EXIT_DNS;
		goto out;
	}
	if (op == RUN_CHECK) {
		if ((status = run_check(&ctx, &plan, l)) == 0)
			print_results(l);
		goto out;
	}
	if ((status = run_updates(&ctx, &plan, l, op)) != 0)
		goto out;
	if (op == RUN_REMOVE && o->settle)
		settle_mark(&ctx, l);
	if (op == RUN_ADD || o->wait_remove)
		status = run_wait(&ctx, &plan, l, op);
	if (status == 0 && op == RUN_ADD && o->settle)
		settle_wait(&ctx, l);
	if (status == 0 && op == RUN_ADD && o->print_results)
		print_results(l);
out:
	zone_plan_free(&plan);
	run_ctx_free(&ctx);
	config_free(cfg);
	return status;
}
