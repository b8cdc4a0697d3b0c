/* SPDX-License-Identifier: ISC */
/*
 * run: drives one invocation through the stages (DESIGN.md "data flows one
 * way"): config, resolve, update per zone, wait; reports once per failure.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "challenge.h"
#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "failure.h"
#include "journal.h"
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

#define RESERVE_MAX_MS	10000	/* kept back for undoing a failed add */
#define SIGNAL_UNDO_MS	10000	/* undoing an add that a signal stopped */

/* One invocation: what the stages after config share. */
struct run {
	const struct config	*cfg;
	/* deadline: the forward stages' */
	struct ctx		 ctx;
	int64_t			 end;		/* the run's own: timeout */
	struct zone_plan	 plan;
	struct challenge_list	*l;
	int			 state;		/* the state directory, or -1 */
	/* zones whose values are journaled */
	size_t			 journaled;
	int			 undone;	/* run_rollback has run */
};

/*
 * The signal that stopped an add, 0 if none. sig_atomic_t: the handler
 * and the stages share it; ctx.io.cancel points here, so that the network
 * code notices it.
 */
static volatile sig_atomic_t run_signal;

static void
run_on_signal(int sig)
{
	/* The second signal while the first is handled: leave at once. */
	if (run_signal != 0)
		_exit(128 + sig);
	run_signal = sig;
}

/*
 * DESIGN.md: SIGINT, SIGTERM and SIGHUP stop an add, which then removes
 * what it added. No SA_RESTART: poll() and sleeps return with EINTR.
 */
static void
run_signals_catch(void)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

/*
 * DESIGN.md: the timeout bounds the whole run, cleanup included. The
 * forward stages of an add (UNDOABLE) end early by a reserve of
 * min(10 s, timeout / 4), which is the rollback's; it may also use what
 * they left.
 */
static void
run_ctx_init(struct run *r, int undoable)
{
	int64_t	 reserve = undoable ?
	    (int64_t)r->cfg->timeout * 1000 / 4 : 0;

	if (reserve > RESERVE_MAX_MS)
		reserve = RESERVE_MAX_MS;
	ctx_init(&r->ctx, r->cfg->timeout, r->cfg->resolvers,
	    r->cfg->n_resolvers, r->cfg->port);
	r->end = r->ctx.deadline;
	r->ctx.deadline -= reserve;
}

/* The journal: Z's values are gone from its primary, strike them. */
static void
run_strike(const struct run *r, const struct zone_target *z)
{
	char	 subj[CHALLENGE_SUBJECT_MAX];

	for (size_t i = 0; r->state != -1 && i < z->n_members; i++) {
		const struct challenge	*c = &r->l->items[z->members[i]];

		if (journal_strike(r->state, c->effective, c->value) == -1)
			msg_warn("%s: removed, but cannot strike it from the "
			    "journal (%s); sweep will remove it again",
			    challenge_subject(c, subj, sizeof(subj)),
			    strerror(errno));
	}
}

/*
 * The journal: Z's values, written durably before its UPDATE leaves.
 * Returns 0, or -1 (reported).
 */
static int
run_journal(const struct run *r, const struct zone_target *z)
{
	for (size_t i = 0; r->state != -1 && i < z->n_members; i++) {
		const struct challenge	*c = &r->l->items[z->members[i]];
		/* Borrowed strings: journal_write only reads them. */
		struct journal_entry e = { .name = c->name,
		    .effective = c->effective, .zone = z->apex,
		    .primary = (char *)(z->n_primaries > 0 ?
		    z->primaries[0].text : "?"), .value = c->value };
		struct failure f;

		failure_init(&f);
		if (journal_write(r->state, &e, &f) == -1) {
			f.config_path = r->cfg->path;
			report_error(&f);
			failure_clear(&f);
			return -1;
		}
	}
	return 0;
}

/*
 * Takes back the values added to the first N zones of the plan (best
 * effort), by the end of the run, never beyond it, and with cancellation
 * off: this is what a signal asked for.
 */
static void
run_rollback(struct run *r, size_t n)
{
	struct ctx	 ctx = r->ctx;

	r->undone = 1;
	ctx.deadline = r->end;
	ctx.io.cancel = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct zone_target	*z = &r->plan.zones[i];
		struct failure			 f;

		failure_init(&f);
		if (update_zone(&ctx, z, r->l, UPDATE_REMOVE, r->cfg->ttl,
		    &f) == UPDATE_OK) {
			msg_progress("zone %s: removed the values added by "
			    "this run again", z->apex);
			run_strike(r, z);
		} else
			report_warning(&f, "while undoing this run's "
			    "additions");
		failure_clear(&f);
	}
}

/*
 * A signal stopped an add: what it may have added is removed within
 * SIGNAL_UNDO_MS (and the run's timeout). Returns 128 + the signal.
 */
static int
run_interrupted(struct run *r)
{
	int	 sig = run_signal;
	int64_t	 limit = clock_now_ms() + SIGNAL_UNDO_MS;

	msg_warn("%s: stopping; removing the values this run added (another "
	    "signal exits at once and leaves them to acme-nsupdate sweep)",
	    strsignal(sig));
	if (r->end > limit)
		r->end = limit;
	if (!r->undone)
		run_rollback(r, r->journaled);
	return 128 + sig;
}

static void
report_done(const struct run *r, const struct zone_target *z, enum run_op op)
{
	char	 subj[CHALLENGE_SUBJECT_MAX];

	for (size_t i = 0; i < z->n_members; i++)
		msg_progress("%s: %s in zone %s on %s", challenge_subject(
		    &r->l->items[z->members[i]], subj, sizeof(subj)),
		    challenge_wanted(&r->l->items[z->members[i]],
		    op == RUN_ADD) ? "added" : "removed", z->apex,
		    z->n_primaries > 0 ? z->primaries[0].text : "?");
}

static int
run_updates(struct run *r, enum run_op op)
{
	enum update_op	 uop = op == RUN_ADD ? UPDATE_ADD : UPDATE_REMOVE;
	int		 status = 0;

	for (size_t i = 0; i < r->plan.n; i++) {
		struct failure		 f;
		enum update_status	 st;

		if (op == RUN_ADD) {
			/* Journaled before it leaves: sweep can find it. */
			if (run_journal(r, &r->plan.zones[i]) == -1) {
				run_rollback(r, i);
				return EXIT_DNS;
			}
			r->journaled = i + 1;
		}
		failure_init(&f);
		st = update_zone(&r->ctx, &r->plan.zones[i], r->l, uop,
		    r->cfg->ttl, &f);
		if (st == UPDATE_OK) {
			report_done(r, &r->plan.zones[i], op);
			if (op == RUN_REMOVE)
				run_strike(r, &r->plan.zones[i]);
			continue;
		}
		/* A signal: run_interrupted undoes it, no error to report. */
		if (ctx_cancelled(&r->ctx)) {
			failure_clear(&f);
			return EXIT_DNS;
		}
		report_error(&f);
		failure_clear(&f);
		status = EXIT_DNS;
		if (op == RUN_ADD) {
			/* DESIGN.md: a failed add removes what it added. */
			run_rollback(r, update_may_have_applied(st) ? i + 1 :
			    i);
			break;
		}
		/*
		 * A removal goes on with the other zones: clean up what can be.
		 */
	}
	return status;
}

/* settle: note when each value was removed and the TTL it was served with. */
static void
settle_mark(const struct run *r)
{
	/* Without the state directory (already reported) nothing is noted. */
	for (size_t i = 0; r->state != -1 && i < r->l->n; i++) {
		const struct challenge	*c = &r->l->items[i];
		unsigned		 ttl = c->ttl > 0 ? c->ttl :
					     r->cfg->ttl;

		if (spool_settle_mark(r->state, c->effective, ttl) == -1)
			msg_warn("%.*s: cannot note the removal (%s); a value "
			    "added at this name within %u s may meet a cached "
			    "answer", DNAME_BARE(c->effective),
			    strerror(errno), ttl);
	}
}

/* settle: waits out the longest cached answer among the names just added. */
static void
settle_wait(const struct run *r)
{
	long		 long wait = 0, left;
	const char	*name = NULL;
	struct timespec	 ts;

	for (size_t i = 0; i < r->l->n; i++)
		if ((left = spool_settle_left(r->state,
		    r->l->items[i].effective)) >
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
run_wait(struct run *r, enum run_op op)
{
	int64_t			 start = clock_now_ms();
	struct failure		 f;
	enum wait_status	 st;

	failure_init(&f);
	st = wait_for(&r->ctx, r->cfg, &r->plan, r->l, op == RUN_ADD ?
	    WAIT_SERVED : WAIT_GONE, &f);
	if (st == WAIT_ERR_CANCELLED)
		return EXIT_DNS;	/* run_interrupted undoes it */
	if (st == WAIT_OK) {
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
	struct failure		 f;
	enum resolve_status	 st;

	failure_init(&f);
	st = resolve_plan(&r->ctx, r->cfg, r->l, &r->plan, &f);
	/* Stopped by a signal: run_interrupted says so. */
	if (st != RESOLVE_OK && !ctx_cancelled(&r->ctx))
		report_error(&f);
	failure_clear(&f);
	if (st == RESOLVE_OK)
		return 0;
	return st == RESOLVE_ERR_CONFIG ? EXIT_USAGE : EXIT_DNS;
}

static int
run_stages(struct run *r, const struct run_opts *o, enum run_op op)
{
	int	 status;

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

/*
 * Opens the state directory of CFG into r->state. Returns 0, or -1
 * (reported).
 */
static int
run_state(struct run *r, const struct config *cfg)
{
	struct failure	 f;

	failure_init(&f);
	if ((r->state = spool_dir_open(cfg->state_dir, &f)) == -1) {
		f.config_path = cfg->path;
		report_error(&f);
	}
	failure_clear(&f);
	return r->state == -1 ? -1 : 0;
}

/*
 * A removal that an earlier run's output does not guide (certbot's cleanup
 * after a killed auth hook, lego's after a failed present): the journal's
 * record of the same name and value says where it was written.
 */
static void
run_journal_hints(struct run *r)
{
	struct journal	 j;

	if (r->state == -1 || journal_read(r->state, &j) == -1)
		return;
	for (size_t i = 0; i < r->l->n; i++) {
		struct challenge	*c = &r->l->items[i];

		for (size_t k = 0; c->zone_hint == NULL && k < j.n; k++)
			if (dname_equal(j.items[k].name, c->name) &&
			    strcmp(j.items[k].value, c->value) == 0 &&
			    challenge_set_own_hint(c, j.items[k].effective,
			    j.items[k].zone) == 0)
				msg_verbose("%s: at %s in zone %s, as the "
				    "journal says", c->name, c->effective,
				    c->zone_hint);
	}
	journal_free(&j);
}

int
run_challenges(const struct run_opts *o, struct challenge_list *l,
    enum run_op op)
{
	struct config	*cfg = NULL;
	struct run	 r = { .l = l, .state = -1 };
	int		 status = EXIT_USAGE;

	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK)
		goto out;
	r.cfg = cfg;
	/*
	 * An add must journal before it sends. A removal goes ahead without
	 * the journal (the error said why): better removed than left.
	 */
	if (run_state(&r, cfg) == -1 && op == RUN_ADD)
		goto out;
	run_ctx_init(&r, op == RUN_ADD);
	if (op == RUN_ADD) {
		run_signals_catch();
		r.ctx.io.cancel = &run_signal;
	}
	if (op == RUN_REMOVE)
		run_journal_hints(&r);
	status = run_stages(&r, o, op);
	if (op == RUN_ADD && run_signal != 0)
		status = run_interrupted(&r);
out:
	if (r.state != -1)
		close(r.state);
	zone_plan_free(&r.plan);
	config_free(cfg);
	return status;
}

int
run_state_open(const struct run_opts *o, int *state)
{
	struct config	*cfg = NULL;
	struct run	 r = { .state = -1 };
	int		 status = EXIT_USAGE;

	*state = -1;
	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK ||
	    run_state(&r, cfg) == -1)
		goto out;
	*state = r.state;
	status = 0;
out:
	config_free(cfg);
	return status;
}

/* One line of sweep's output, for entry E. */
static void
sweep_print(const char *what, const struct journal_entry *e)
{
	printf("%s %s %s %s\n", what, e->name, e->effective, e->value);
}

/*
 * Removes, zone by zone, the SEL entries of J (SEL[i] set) whose zone is
 * ZONE: resolve with the journal's effective name and zone as hints, then
 * one confirmed removal per zone, as remove does. What is removed is
 * struck (run_strike).
 */
static void
sweep_zone(struct run *r, const struct journal *j, const char *zone,
    const unsigned char *sel)
{
	struct challenge_list	 l = { 0 };
	char			 err[1024];

	r->l = &l;
	for (size_t i = 0; i < j->n; i++) {
		const struct journal_entry	*e = &j->items[i];

		if (!sel[i] || strcmp(e->zone, zone) != 0)
			continue;
		if (challenge_list_add(&l, e->name, e->value,
		    CHALLENGE_AS_GIVEN, err, sizeof(err)) != CHALLENGE_OK) {
			msg_warn("journal/%s: %s; left in the journal",
			    e->file, err);
			continue;
		}
		if (challenge_set_own_hint(&l.items[l.n - 1], e->effective,
		    e->zone) == -1) {
			msg_error("out of memory");
			goto out;
		}
	}
	if (l.n > 0 && run_resolve(r) == 0)
		(void)run_updates(r, RUN_REMOVE);
out:
	zone_plan_free(&r->plan);
	challenge_list_free(&l);
	r->l = NULL;
}

/* Which entries sweep takes: not owned by a live run, old enough. */
static size_t
sweep_select(const struct journal *j, long long older_than, int dry_run,
    unsigned char *sel)
{
	time_t	 now = time(NULL);
	size_t	 n = 0;

	for (size_t i = 0; i < j->n; i++) {
		const struct journal_entry	*e = &j->items[i];

		if (journal_owner_alive(e)) {
			msg_progress("%s %s: written by process %ld, which "
			    "still runs; left alone", e->name, e->value,
			    (long)e->pid);
			continue;
		}
		if ((long long)(now - e->time) < older_than)
			continue;
		if (dry_run)
			sweep_print("would-remove", e);
		else
			sel[i] = 1;
		n++;
	}
	return n;
}

int
run_sweep(const struct run_opts *o, long long older_than, int dry_run)
{
	struct config	*cfg = NULL;
	struct run	 r = { .state = -1 };
	struct journal	 j = { 0 };
	unsigned char	*sel = NULL;
	int		 status = EXIT_USAGE, dir = -1;

	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK)
		goto out;
	r.cfg = cfg;
	if (run_state(&r, cfg) == -1)
		goto out;
	if (journal_read(r.state, &j) == -1) {
		msg_error("%s/%s: cannot read the journal (%s)",
		    cfg->state_dir, JOURNAL_DIR, strerror(errno));
		goto out;
	}
	if (j.unreadable > 0)
		msg_warn("%s/%s: %zu file(s) that are no journal record, left "
		    "alone", cfg->state_dir, JOURNAL_DIR, j.unreadable);
	if ((sel = calloc(j.n > 0 ? j.n : 1, 1)) == NULL) {
		msg_error("out of memory");
		goto out;
	}
	status = 0;
	if (sweep_select(&j, older_than, dry_run, sel) == 0 || dry_run)
		goto out;
	run_ctx_init(&r, 0);
	for (size_t i = 0; i < j.n; i++) {
		/* Each zone once: at the first of its entries. */
		size_t k = 0;

		while (k < i && !(sel[k] && strcmp(j.items[k].zone,
		    j.items[i].zone) == 0))
			k++;
		if (sel[i] && k == i)
			sweep_zone(&r, &j, j.items[i].zone, sel);
	}
	/* What is still in the journal could not be removed. */
	dir = openat(r.state, JOURNAL_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	for (size_t i = 0; i < j.n; i++) {
		if (!sel[i])
			continue;
		if (dir != -1 && faccessat(dir, j.items[i].file, F_OK,
		    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT)
			sweep_print("removed", &j.items[i]);
		else {
			sweep_print("failed", &j.items[i]);
			status = EXIT_DNS;
		}
	}
out:
	fflush(stdout);
	if (dir != -1)
		close(dir);
	if (r.state != -1)
		close(r.state);
	free(sel);
	journal_free(&j);
	config_free(cfg);
	return status;
}

/* The record SPEC writes (value and RDATA), or why not (exit 2). */
static int
persist_record(const struct persist_spec *spec, char **value, char **rdata)
{
	char	 why[256];

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
	char	*iss, *acct;
	int	 match;

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
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*o = open_memstream(&out, &len);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		char	*s = ldns_rdf2str(ldns_rr_rdf(rr, i));

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
		const ldns_rr		*rr = ldns_rr_list_rr(answer, i);
		char			*text = query_txt_text(rr), *rdata =
		    NULL;
		struct challenge	*s;

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
	struct zone_target	*z = &r->plan.zones[0];
	const struct challenge	*c = &r->l->items[0];
	int			 stale, status;

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
	struct challenge_list	 l = { 0 };
	struct config		*cfg = NULL;
	struct run		 r = { .l = &l, .state = -1 };
	char			*domain = NULL, *name = NULL;
	char			*issuer = NULL, *value = NULL, *rdata = NULL;
	char			 why[256] = "out of memory";
	int			 status = EXIT_USAGE;

	/* Each check that fails says why; asprintf leaves WHY as it is. */
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
	run_ctx_init(&r, 1);
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
