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
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "failure.h"
#include "msg.h"
#include "persist.h"
#include "plan.h"
#include "query.h"
#include "report.h"
#include "resolve.h"
#include "run.h"
#include "spool.h"
#include "update.h"
#include "wait.h"

#define ROLLBACK_MS	10000	/* undoing an add after a failure */

/* One invocation: what the stages after config share. */
struct run {
	const struct config	*cfg;
	struct ctx		 ctx;
	struct zone_plan	 plan;
	struct challenge_list	*l;
};

/*
 * Takes back the values added to the first N zones of the plan (best
 * effort). It runs after a failure, often a timeout that used up the run's
 * time: undoing gets a budget of its own.
 */
static void
run_rollback(const struct run *r, size_t n)
{
	struct ctx ctx = r->ctx;

	ctx.deadline = clock_now_ms() + ROLLBACK_MS;
	for (size_t i = 0; i < n; i++) {
		const struct zone_target *z = &r->plan.zones[i];
		struct failure f;

		failure_init(&f);
		if (update_zone(&ctx, z, r->l, UPDATE_REMOVE, r->cfg->ttl,
		    &f) == UPDATE_OK)
			msg_progress("zone %s: removed the values added by "
			    "this run again", z->apex);
		else
			report_warning(&f, "while undoing this run's "
			    "additions");
		failure_clear(&f);
	}
}

static void
report_done(const struct run *r, const struct zone_target *z, enum run_op op)
{
	char subj[CHALLENGE_SUBJECT_MAX];

	for (size_t i = 0; i < z->n_members; i++)
		msg_progress("%s: %s in zone %s on %s", challenge_subject(
		    &r->l->items[z->members[i]], subj, sizeof(subj)),
		    challenge_wanted(&r->l->items[z->members[i]],
		    op == RUN_ADD) ? "added" : "removed", z->apex,
		    z->n_primaries > 0 ? z->primaries[0].text : "?");
}

static int
run_updates(const struct run *r, enum run_op op)
{
	enum update_op uop = op == RUN_ADD ? UPDATE_ADD : UPDATE_REMOVE;
	int status = 0;

	for (size_t i = 0; i < r->plan.n; i++) {
		struct failure f;
		enum update_status st;

		failure_init(&f);
		st = update_zone(&r->ctx, &r->plan.zones[i], r->l, uop,
		    r->cfg->ttl, &f);
		if (st == UPDATE_OK) {
			report_done(r, &r->plan.zones[i], op);
			continue;
		}
		report_error(&f);
		failure_clear(&f);
		status = EXIT_DNS;
		if (op == RUN_ADD) {
			/* DESIGN.md: a failed add removes what it added. */
			run_rollback(r, update_may_have_applied(st) ? i + 1 : i);
			break;
		}
		/* A removal goes on with the other zones: clean up what can be. */
	}
	return status;
}

/* settle: note when each value was removed and the TTL it was served with. */
static void
settle_mark(const struct run *r)
{
	for (size_t i = 0; i < r->l->n; i++) {
		const struct challenge *c = &r->l->items[i];

		if (spool_settle_mark(c->effective, c->ttl > 0 ? c->ttl :
		    r->cfg->ttl) == -1)
			msg_warn("%.*s: cannot note the removal (%s); a value "
			    "added at this name within %u s may meet a cached "
			    "answer", DNAME_BARE(c->effective),
			    strerror(errno), r->cfg->ttl);
	}
}

/* settle: waits out the longest cached answer among the names just added. */
static void
settle_wait(const struct run *r)
{
	long long wait = 0, left;
	const char *name = NULL;
	struct timespec ts;

	for (size_t i = 0; i < r->l->n; i++)
		if ((left = spool_settle_left(r->l->items[i].effective)) >
		    wait) {
			wait = left;
			name = r->l->items[i].effective;
		}
	if (wait == 0)
		return;
	if (wait * 1000 > clock_left_ms(r->ctx.deadline)) {
		msg_warn("%.*s: a value removed there moments ago may be "
		    "cached by the CA's resolver for %lld s more, longer than "
		    "the timeout allows; lower ttl or raise timeout",
		    DNAME_BARE(name), wait);
		wait = clock_left_ms(r->ctx.deadline) / 1000;
	}
	msg_progress("%.*s: waiting %lld s for the CA's resolver to forget "
	    "the value removed there moments ago (its TTL)", DNAME_BARE(name),
	    wait);
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

/*
 * Waits until every authoritative server shows the change; undoes an add
 * that does not propagate.
 */
static int
run_wait(const struct run *r, enum run_op op)
{
	int64_t start = clock_now_ms();
	struct failure f;

	failure_init(&f);
	if (wait_for(&r->ctx, r->cfg, &r->plan, r->l, op == RUN_ADD ?
	    WAIT_SERVED : WAIT_GONE, &f) == WAIT_OK) {
		msg_progress("every authoritative server %s (%lld ms)",
		    op == RUN_ADD ? "serves the values" :
		    "has dropped the values",
		    (long long)(clock_now_ms() - start));
		return 0;
	}
	report_error(&f);
	failure_clear(&f);
	if (op == RUN_ADD)
		run_rollback(r, r->plan.n);
	return EXIT_DNS;
}

/* Resolves the plan; returns 0 or the exit status of a reported failure. */
static int
run_resolve(struct run *r)
{
	struct failure f;
	enum resolve_status st;

	failure_init(&f);
	st = resolve_plan(&r->ctx, r->cfg, r->l, &r->plan, &f);
	if (st != RESOLVE_OK)
		report_error(&f);
	failure_clear(&f);
	if (st == RESOLVE_OK)
		return 0;
	return st == RESOLVE_ERR_CONFIG ? EXIT_USAGE : EXIT_DNS;
}

static int
run_stages(struct run *r, const struct run_opts *o, enum run_op op)
{
	int status;

	if ((status = run_resolve(r)) != 0)
		return status;
	if ((status = run_updates(r, op)) != 0)
		return status;
	if (op == RUN_REMOVE && o->settle)
		settle_mark(r);
	if (op == RUN_ADD || o->wait_remove)
		status = run_wait(r, op);
	if (status == 0 && op == RUN_ADD && o->settle)
		settle_wait(r);
	if (status == 0 && op == RUN_ADD && o->print_results)
		print_results(r->l);
	return status;
}

int
run_challenges(const struct run_opts *o, struct challenge_list *l,
    enum run_op op)
{
	struct config *cfg = NULL;
	struct run r = { .l = l };
	int status = EXIT_USAGE;

	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK)
		goto out;
	r.cfg = cfg;
	ctx_init(&r.ctx, cfg->timeout, cfg->resolvers, cfg->n_resolvers,
	    cfg->port);
	status = run_stages(&r, o, op);
out:
	zone_plan_free(&r.plan);
	config_free(cfg);
	return status;
}

/* The record SPEC writes (value and RDATA), or why not (exit 2). */
static int
persist_record(const struct persist_spec *spec, char **value, char **rdata)
{
	char why[256];

	if ((*value = persist_value(spec, time(NULL), why,
	    sizeof(why))) == NULL) {
		msg_error("%s: %s", spec->domain, why);
		return -1;
	}
	if ((*rdata = persist_rdata(*value)) == NULL) {
		msg_error("%s: out of memory", spec->domain);
		return -1;
	}
	return 0;
}

/* Does TEXT, a record at the name, belong to SPEC's issuer (and account)? */
static int
persist_matches(const struct persist_spec *spec, const char *issuer,
    const char *text)
{
	char *iss, *acct;
	int match;

	if (persist_parse(text, &iss, &acct) == -1)
		return 0;
	match = strcmp(iss, issuer) == 0 && (spec->account == NULL ||
	    (acct != NULL && strcmp(acct, spec->account) == 0));
	free(iss);
	free(acct);
	return match;
}

/* RR's RDATA in presentation form (caller frees), as the server has it. */
static char *
persist_rr_rdata(const ldns_rr *rr)
{
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		char *s = ldns_rdf2str(ldns_rr_rdf(rr, i));

		fprintf(o, "%s%s", i > 0 ? " " : "", s != NULL ? s : "\"\"");
		free(s);
	}
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Adds to the list, and to zone target Z, every record of SPEC's issuer
 * (and account) at the effective name on the primary but NEW itself, as
 * stale: the add deletes them (draft 3.2: one record per issuer and
 * account). Returns how many, or -1 (reported).
 */
static int
persist_stale(struct run *r, struct zone_target *z, const char *issuer,
    const struct persist_spec *spec, const char *new)
{
	char *effective = r->l->items[0].effective;	/* never moves */
	struct question q = { .name = effective, .type = LDNS_RR_TYPE_TXT,
	    .server = &z->primaries[0] };
	const ldns_rr_list *answer;
	struct dnsio_opts o;
	int found = 0;

	ctx_io_opts(&r->ctx, &o);
	if (query_run(&q, 1, &o) == -1 || q.reply == NULL ||
	    !ldns_pkt_aa(q.reply)) {
		msg_error("%.*s: no authoritative answer from %s, the primary "
		    "of zone %s, for the records there (%s)",
		    DNAME_BARE(effective), z->primaries[0].text, z->apex,
		    q.reply == NULL ? question_failure(&q) :
		    "not authoritative");
		question_clear(&q);
		return -1;
	}
	answer = ldns_pkt_answer(q.reply);
	for (size_t i = 0; i < ldns_rr_list_rr_count(answer) && found >= 0;
	    i++) {
		const ldns_rr *rr = ldns_rr_list_rr(answer, i);
		char *text = query_txt_text(rr), *rdata = NULL;
		struct challenge *s;

		if (text != NULL && (new == NULL || strcmp(text, new) != 0) &&
		    persist_matches(spec, issuer, text)) {
			/* Adding may move the items: item 0 is read after. */
			if ((rdata = persist_rr_rdata(rr)) == NULL ||
			    (s = challenge_list_add_record(r->l, q.name, text,
			    rdata, spec->ttl, 1)) == NULL ||
			    (s->zone_name = strdup(r->l->items[0].zone_name)) ==
			    NULL || plan_add_member(z, r->l->n - 1) == -1)
				found = -1;
			else {
				s->zone = r->l->items[0].zone;
				found++;
			}
		}
		free(text);
		free(rdata);
	}
	question_clear(&q);
	if (found == -1)
		msg_error("out of memory");
	return found;
}

/* The persist run after resolving: stale records, update, wait. */
static int
persist_stages(struct run *r, const struct run_opts *o,
    const struct persist_spec *spec, const char *issuer, const char *new)
{
	struct zone_target *z = &r->plan.zones[0];
	const struct challenge *c = &r->l->items[0];
	int stale, status;

	if (!dname_equal(c->name, c->effective))
		msg_warn("%.*s: a CNAME leads to %.*s, where the record is "
		    "written: it authorises every name whose %s points there",
		    DNAME_BARE(c->name), DNAME_BARE(c->effective),
		    PERSIST_PREFIX "name");
	if (spec->remove)
		z->n_members = 0;	/* item 0 only found the name */
	if ((stale = persist_stale(r, z, issuer, spec, new)) == -1)
		return EXIT_DNS;
	c = &r->l->items[0];	/* persist_stale may have moved it */
	if (spec->remove && stale == 0) {
		msg_progress("%.*s: no record of %s%s%s there; nothing to "
		    "remove", DNAME_BARE(c->effective), issuer,
		    spec->account != NULL ? " for " : "",
		    spec->account != NULL ? spec->account : "");
		return 0;
	}
	if ((status = run_updates(r, RUN_ADD)) != 0)
		return status;
	if (!spec->remove || spec->wait || o->wait_remove)
		status = run_wait(r, RUN_ADD);
	return status;
}

int
run_persist(const struct run_opts *o, const struct persist_spec *spec)
{
	struct challenge_list l = { 0 };
	struct config *cfg = NULL;
	struct run r = { .l = &l };
	char *domain = NULL, *name = NULL, *issuer = NULL, *value = NULL;
	char *rdata = NULL, why[256];
	int status = EXIT_USAGE;

	if (dname_parse(spec->domain, strlen(spec->domain), 0, &domain, why,
	    sizeof(why)) != DNAME_OK ||
	    asprintf(&name, "%s%s", PERSIST_PREFIX, domain) == -1 ||
	    (issuer = persist_issuer(spec->issuer, why, sizeof(why))) == NULL ||
	    (spec->account != NULL && persist_account_check(spec->account,
	    why, sizeof(why)) == -1)) {
		msg_error("%s: %s", spec->domain, why);
		goto out;
	}
	if (!spec->remove && persist_record(spec, &value, &rdata) == -1)
		goto out;
	if (challenge_list_add_record(&l, name, value != NULL ? value : "",
	    rdata, spec->ttl, 0) == NULL) {
		msg_error("out of memory");
		goto out;
	}
	/* Everything is checked: now the config and the network. */
	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK)
		goto out;
	r.cfg = cfg;
	ctx_init(&r.ctx, cfg->timeout, cfg->resolvers, cfg->n_resolvers,
	    cfg->port);
	if ((status = run_resolve(&r)) == 0)
		status = persist_stages(&r, o, spec, issuer, value);
out:
	zone_plan_free(&r.plan);
	config_free(cfg);
	challenge_list_free(&l);
	free(domain);
	free(name);
	free(issuer);
	free(value);
	free(rdata);
	return status;
}
