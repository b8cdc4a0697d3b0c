/* SPDX-License-Identifier: ISC */
/*
 * check: the DNS-01 diagnosis of DESIGN.md, one domain at a time, the
 * steps in order: chain, zone, key, grant, caa (RFC 8659), dnssec (RFC
 * 4035), txt, negttl (RFC 2308 5), server. Failures of the stages become
 * findings through report_parts (report.c); what is seen that is no
 * stage's failure is worded by the table below. Nothing is changed: the
 * key and grant probes are UPDATEs that cannot change a zone (update.h).
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <ldns/ldns.h>

#include "caa.h"
#include "chain.h"
#include "challenge.h"
#include "check.h"
#include "config.h"
#include "ctx.h"
#include "dname.h"
#include "dnsio.h"
#include "dnssec.h"
#include "failure.h"
#include "journal.h"
#include "key.h"
#include "msg.h"
#include "persist.h"
#include "plan.h"
#include "query.h"
#include "report.h"
#include "resolve.h"
#include "run.h"
#include "spool.h"
#include "stub.h"
#include "tsig.h"
#include "update.h"
#include "zones.h"

#define SKEW_WARN_S	60	/* DESIGN.md: warn above a minute */
#define TXT_WARN_BYTES	3072
#define TXT_MAX_BYTES	4096	/* what CAs accept (Let's Encrypt, Boulder) */
#define NEGTTL_WARN_S	300
#define TXT_EXTRA	2	/* a wildcard and its base: two more values */

enum check_step {
	STEP_CHAIN, STEP_ZONE, STEP_KEY, STEP_GRANT, STEP_CAA, STEP_DNSSEC,
	STEP_TXT, STEP_NEGTTL, STEP_SERVER
};

static const char *const step_names[] = {
	"chain", "zone", "key", "grant", "caa", "dnssec", "txt", "negttl",
	"server"
};

enum check_status { ST_OK, ST_WARN, ST_FAIL };

static const char *const status_names[] = { "ok", "warn", "FAIL" };

/* Findings that are no stage's failure: one row each, worded here. */
enum note {
	N_CHAIN_ALIAS, N_CHAIN_END, N_CHAIN_WILDCARD,
	N_ZONE_PRIMARY, N_ZONE_ADDR, N_ZONE_LAME, N_ZONE_DEAD, N_ZONE_SERIALS,
	N_KEY_OK, N_KEY_SKEW, N_KEY_SKIPPED,
	N_GRANT_OK, N_GRANT_POWERDNS,
	N_CAA_NONE, N_CAA_PERMITS, N_CAA_ACCOUNT, N_CAA_FORBIDS, N_CAA_OTHER,
	N_CAA_NO_DNS01, N_CAA_CRITICAL,
	N_DNSSEC_UNSIGNED, N_DNSSEC_VALID, N_DNSSEC_NO_KEY, N_DNSSEC_MISSING,
	N_DNSSEC_EXPIRED, N_DNSSEC_NOT_YET, N_DNSSEC_SIG_NO_KEY,
	N_DNSSEC_BOGUS,
	N_TXT_SIZE, N_TXT_UNREAD, N_TXT_LEFT, N_PERSIST, N_PERSIST_PAST,
	N_NEGTTL, N_NEGTTL_UNREAD,
	N_SERVER_SAYS, N_SERVER_HIDDEN, N_SERVER_DEFECT
};

struct note_words {
	enum note	 note;
	const char	*subject;
	const char	*what;
	const char	*fix;
};

#define VALIDATING "the CA's validating resolver answers SERVFAIL and " \
	"the challenge fails"

static const struct note_words notes[] = {
	{ N_CHAIN_ALIAS, "{name}", "alias to {target} in zone {zone}, "
	    "answered by {server}", NULL },
	{ N_CHAIN_END, "{name}", "effective name, in zone {zone}, answered "
	    "by {server}", NULL },
	{ N_CHAIN_WILDCARD, "{name}", "its CNAME to {target} comes from a "
	    "wildcard; the TXT is written at {name} itself, in zone {zone}",
	    "nothing to do: once it exists the wildcard no longer applies "
	    "there, for the CA too" },
	{ N_ZONE_PRIMARY, "zone {zone}", "primary {host} ({server}), "
	    "{n} authoritative address(es): {detail}", NULL },
	{ N_ZONE_ADDR, "{server}", "authoritative for zone {zone} over UDP "
	    "and TCP, serial {n}", NULL },
	{ N_ZONE_LAME, "{server}", "lame for zone {zone}: {reason}",
	    "the CA may ask this server: load zone {zone} there, or take it "
	    "out of the zone's NS set" },
	{ N_ZONE_DEAD, "{server}", "no answer for zone {zone} over {target} "
	    "({reason})", "the CA may ask this server: start it or make it "
	    "reachable, or take it out of the zone's NS set" },
	{ N_ZONE_SERIALS, "zone {zone}", "the servers serve different "
	    "serials: {detail}", "a secondary lags: check NOTIFY and zone "
	    "transfers from the primary" },
	{ N_KEY_OK, "key {key}", "{alg}, accepted by {server} for zone "
	    "{zone}; clock skew {n} s", NULL },
	{ N_KEY_SKEW, "key {key}", "{alg}, accepted by {server} for zone "
	    "{zone}, but the clocks differ by {n} s", "set this machine's "
	    "and the server's clocks right (NTP): beyond the fudge of {m} s "
	    "every update fails with BADTIME" },
	{ N_KEY_SKIPPED, "zone {zone}", "no key probe: {detail}", NULL },
	{ N_GRANT_OK, "{name}", "key {key} may write TXT here: {server} "
	    "answered NOERROR to deleting a value that does not exist", NULL },
	{ N_GRANT_POWERDNS, "{name}", "{server} (PowerDNS) answered NOERROR "
	    "to deleting a value that does not exist, but PowerDNS answers "
	    "NOERROR also to what its update policy skips: the grant is not "
	    "proved", "check that lua-dnsupdate-policy-script lets key {key} "
	    "write TXT at {name} (see contrib/powerdns)" },
	{ N_CAA_NONE, "{name}", "no CAA record from {name} up to the root: "
	    "any CA may issue", NULL },
	{ N_CAA_PERMITS, "{at}", "CAA {tag} permits {ca} (the relevant "
	    "record set for {name})", NULL },
	{ N_CAA_ACCOUNT, "{at}", "CAA {tag} permits {ca} for the ACME "
	    "account {detail} only (accounturi, RFC 8657)", NULL },
	{ N_CAA_FORBIDS, "{at}", "CAA {tag} \";\" forbids every CA for "
	    "{name}", "add the record {at} CAA 0 {tag} \"{ca1}\" (or remove "
	    "the \";\" record)" },
	{ N_CAA_OTHER, "{at}", "CAA {tag} names {detail}, not {ca}, for "
	    "{name}", "add the record {at} CAA 0 {tag} \"{ca1}\", or set ca = "
	    "to the CA you use" },
	{ N_CAA_NO_DNS01, "{at}", "CAA {tag} lets {ca} use validationmethods="
	    "{detail} only, not dns-01", "add dns-01 to validationmethods in "
	    "the CAA record at {at}" },
	{ N_CAA_CRITICAL, "{at}", "a CAA record with the critical flag has "
	    "tag {detail}, which CAs do not know: no CA may issue",
	    "clear the flag (0) or remove the record" },
	{ N_DNSSEC_UNSIGNED, "zone {zone}", "no DS at the parent: an "
	    "unsigned delegation, nothing to validate", NULL },
	{ N_DNSSEC_VALID, "zone {zone}", "the DS matches DNSKEY {n}; the "
	    "DNSKEY set, the SOA and the answer for {name} carry valid RRSIGs",
	    NULL },
	{ N_DNSSEC_NO_KEY, "zone {zone}", "no DNSKEY matches the DS at the "
	    "parent (key tag {n})", "put a DS of the current key-signing key "
	    "(dnssec-dsfromkey) at the parent, or publish the key the DS was "
	    "made from; until then " VALIDATING },
	{ N_DNSSEC_MISSING, "zone {zone}", "{detail} carries no RRSIG",
	    "sign the zone again; until then " VALIDATING },
	{ N_DNSSEC_EXPIRED, "zone {zone}", "the RRSIG of key {n} over "
	    "{detail} expired on {date}", "sign the zone again (is the signer "
	    "still re-signing?); until then " VALIDATING },
	{ N_DNSSEC_NOT_YET, "zone {zone}", "the RRSIG of key {n} over "
	    "{detail} is not valid before {date}", "check the signer's clock "
	    "and sign again; until then " VALIDATING },
	{ N_DNSSEC_SIG_NO_KEY, "zone {zone}", "the RRSIG over {detail} is "
	    "made by key {n}, which the DNSKEY set does not hold",
	    "publish that key or sign again; until then " VALIDATING },
	{ N_DNSSEC_BOGUS, "zone {zone}", "the RRSIG of key {n} over {detail} "
	    "does not verify", "sign the zone again; until then " VALIDATING },
	{ N_TXT_SIZE, "{name}", "{n} TXT value(s) there now{detail}; the "
	    "answer for {target} with two more values is {m} bytes (CAs "
	    "accept up to 4096)", "remove the values no challenge needs any "
	    "more (acme-nsupdate remove NAME VALUE)" },
	{ N_TXT_UNREAD, "{name}", "cannot read the TXT records there "
	    "({reason})", NULL },
	{ N_TXT_LEFT, "{name}", "value {detail} was left there by a run "
	    "(process {n}, {date}) that did not remove it", "acme-nsupdate "
	    "sweep removes it (--older-than 0s: at once)" },
	{ N_PERSIST, "{name}", "dns-persist-01 record of {ca1} for account "
	    "{detail}{target}", NULL },
	{ N_PERSIST_PAST, "{name}", "dns-persist-01 record of {ca1} for "
	    "account {detail}{target}: its persistUntil ({date}) has passed, "
	    "so a CA no longer accepts it for new validations",
	    "write it again with a later --until (acme-nsupdate persist), or "
	    "remove it (persist --remove)" },
	{ N_NEGTTL, "zone {zone}", "negative TTL {n} s (SOA TTL {m}, minimum "
	    "{detail})", "a lookup of the name before the record exists is "
	    "cached that long: lower the SOA minimum of {zone} to 300 or "
	    "less" },
	{ N_NEGTTL_UNREAD, "zone {zone}", "cannot read the SOA ({reason})",
	    NULL },
	{ N_SERVER_SAYS, "{server}", "{detail} (zone {zone})", NULL },
	{ N_SERVER_HIDDEN, "{server}", "does not say what software it runs "
	    "(zone {zone})", NULL },
	{ N_SERVER_DEFECT, "{server}", "{detail}: {reason} (zone {zone})",
	    "{advice}" },
};

/* The fields a note's template names. */
struct note_args {
	const char	*name;
	const char	*target;
	const char	*zone;
	const char	*server;
	const char	*host;
	const char	*key;
	const char	*alg;
	const char	*at;
	const char	*tag;
	const char	*ca;		/* every configured issuer */
	const char	*ca1;		/* the first */
	const char	*detail;
	const char	*reason;
	const char	*advice;	/* a fix from another table (defects) */
	long long	 n;
	long long	 m;
	int64_t		 date;
};

/* Known defects that break DNS-01, by product and first good version. */
static const struct defect {
	enum check_product	 product;
	unsigned		 fixed_in[3];
	enum check_status	 status;
	const char		*what;
	const char		*fix;
} defects[] = {
	{ PRODUCT_POWERDNS, { 4, 0, 4 }, ST_FAIL, "answers SERVFAIL to CAA "
	    "queries where there is no CAA record, and CAs treat SERVFAIL as "
	    "a refusal to issue", "upgrade PowerDNS to 4.0.4 or later" },
};

struct finding {
	enum check_step		 step;
	enum check_status	 status;
	char			*subject;	/* owned */
	char			*server;	/* owned or NULL */
	char			*detail;	/* owned: what was seen */
	char			*fix;		/* owned or NULL */
};

/* One domain's findings, and what its steps hand on to later ones. */
struct check_domain {
	const char		*domain;	/* borrowed: as given */
	struct finding		*v;		/* owned */
	size_t			 n;
	int			 nomem;
};

/*
 * What each server said it runs, asked once per run: BIND rate-limits its
 * CHAOS answers (3 a second in its built-in _bind view, then silence).
 */
struct software_cache {
	struct dns_server	*servers;	/* owned */
	struct check_software	*sw;		/* owned */
	size_t			 n;
};

/* One run: what every domain shares. */
struct check_run {
	const struct config	*cfg;
	struct ctx		 ctx;
	int			 json;
	struct software_cache	*swc;		/* borrowed: filled as asked */
};

/* SRV's software from the run's cache, asked now if not yet. NULL: ENOMEM. */
static const struct check_software *
software_of(const struct check_run *r, const struct dns_server *srv)
{
	struct software_cache	*c = r->swc;
	struct dns_server	*ns;
	struct check_software	*nsw;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->servers[i].text, srv->text) == 0)
			return &c->sw[i];
	if ((ns = reallocarray(c->servers, c->n + 1, sizeof(*ns))) == NULL)
		return NULL;
	c->servers = ns;
	if ((nsw = reallocarray(c->sw, c->n + 1, sizeof(*nsw))) == NULL)
		return NULL;
	c->sw = nsw;
	if (check_software_of(&r->ctx, srv, &c->sw[c->n]) == -1)
		return NULL;
	c->servers[c->n] = *srv;
	return &c->sw[c->n++];
}

/* --- findings --------------------------------------------------------- */

static struct finding *
finding_new(struct check_domain *d, enum check_step step,
    enum check_status status)
{
	struct finding	*grown;

	if ((grown = reallocarray(d->v, d->n + 1, sizeof(*grown))) == NULL) {
		d->nomem = 1;
		return NULL;
	}
	d->v = grown;
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	d->v[d->n].step = step;
	d->v[d->n].status = status;
	return &d->v[d->n++];
}

static void
findings_free(struct check_domain *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].subject);
		free(d->v[i].server);
		free(d->v[i].detail);
		free(d->v[i].fix);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* A stage's failure, in report.c's words. */
static void
finding_failure(struct check_domain *d, enum check_step step,
    enum check_status status, const struct failure *f)
{
	struct finding		*fd = finding_new(d, step, status);
	struct report_parts	 p;

	if (fd == NULL)
		return;
	if (report_parts(f, &p) == -1) {
		d->nomem = 1;
		return;
	}
	fd->subject = p.subject;
	fd->server = p.server;
	fd->fix = p.fix;
	p.subject = p.server = p.fix = NULL;
	if (asprintf(&fd->detail, "%s%s%s%s%s%s%s", p.what,
	    p.reason != NULL ? " (" : "", p.reason != NULL ? p.reason : "",
	    p.reason != NULL ? ")" : "", f->status_text != NULL ? " [" : "",
	    f->status_text != NULL ? f->status_text : "",
	    f->status_text != NULL ? "]" : "") == -1) {
		fd->detail = NULL;
		d->nomem = 1;
	}
	report_parts_free(&p);
}

static void
put_date(FILE *o, int64_t when)
{
	time_t		 t = (time_t)when;
	struct tm	 tm;
	char		 buf[64];

	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
		fputs(buf, o);
	else
		fprintf(o, "%lld", (long long)when);
}

static void
put_str(FILE *o, const char *s)
{
	/* Names print without their trailing dot, as in report.c. */
	if (s == NULL)
		fputs("?", o);
	else
		fprintf(o, "%.*s", DNAME_BARE(s));
}

static int
note_field(FILE *o, const struct note_args *a, const char *key, size_t len)
{
#define IS(k)	(len == sizeof(k) - 1 && memcmp(key, k, len) == 0)
	if (IS("name"))
		put_str(o, a->name);
	else if (IS("target"))
		put_str(o, a->target);
	else if (IS("zone"))
		put_str(o, a->zone);
	else if (IS("server"))
		fputs(a->server != NULL ? a->server : "?", o);
	else if (IS("host"))
		put_str(o, a->host);
	else if (IS("key"))
		put_str(o, a->key);
	else if (IS("alg"))
		fputs(a->alg != NULL ? a->alg : "?", o);
	else if (IS("at"))
		put_str(o, a->at);
	else if (IS("tag"))
		fputs(a->tag != NULL ? a->tag : "?", o);
	else if (IS("ca"))
		fputs(a->ca != NULL ? a->ca : "?", o);
	else if (IS("ca1"))
		fputs(a->ca1 != NULL ? a->ca1 : "?", o);
	else if (IS("detail"))
		fputs(a->detail != NULL ? a->detail : "", o);
	else if (IS("reason"))
		fputs(a->reason != NULL ? a->reason : "?", o);
	else if (IS("advice"))
		fputs(a->advice != NULL ? a->advice : "", o);
	else if (IS("n"))
		fprintf(o, "%lld", a->n);
	else if (IS("m"))
		fprintf(o, "%lld", a->m);
	else if (IS("date"))
		put_date(o, a->date);
	else
		return -1;
	return 0;
#undef IS
}

/* report_expand's callback for a note's fields. */
static int
note_put(FILE *o, const void *a, const char *key, size_t len)
{
	return note_field(o, a, key, len);
}

/* TEMPLATE with A's fields put in (caller frees); NULL for NULL or ENOMEM. */
static char *
note_expand(const char *template, const struct note_args *a)
{
	return report_expand(template, note_put, a);
}

static void
finding_note(struct check_domain *d, enum check_step step,
    enum check_status status, enum note note, const struct note_args *a)
{
	const struct note_words	*w = NULL;
	struct finding		*fd;

	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (notes[i].note == note)
			w = &notes[i];
	if (w == NULL || (fd = finding_new(d, step, status)) == NULL)
		return;
	fd->subject = note_expand(w->subject, a);
	fd->detail = note_expand(w->what, a);
	/* An ok finding needs no advice; a warn or FAIL gets its row's. */
	if (status != ST_OK)
		fd->fix = note_expand(w->fix, a);
	if (a->server != NULL)
		fd->server = strdup(a->server);
	if (fd->subject == NULL || fd->detail == NULL ||
	    (status != ST_OK && w->fix != NULL && fd->fix == NULL) ||
	    (a->server != NULL && fd->server == NULL))
		d->nomem = 1;
}

/* --- output ----------------------------------------------------------- */

static int
finding_cmp(const void *a, const void *b)
{
	const struct finding	*x = a, *y = b;

	/* Steps in DESIGN.md's order; qsort is not stable: keep the index. */
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void
print_text(const struct check_domain *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct finding	*fd = &d->v[i];

		printf("%s %s %s %s: %s%s%s\n", status_names[fd->status],
		    step_names[fd->step], d->domain, fd->subject,
		    fd->detail, fd->fix != NULL ? "; " : "",
		    fd->fix != NULL ? fd->fix : "");
	}
}

static json_object *
json_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static int
print_json(const struct check_domain *d)
{
	json_object	*root = json_object_new_object();
	json_object	*list = json_object_new_array();
	int		 rc = -1;

	if (root == NULL || list == NULL) {
		json_object_put(list);
		goto out;
	}
	json_object_object_add(root, "domain", json_str(d->domain));
	json_object_object_add(root, "findings", list);
	for (size_t i = 0; i < d->n; i++) {
		const struct finding	*fd = &d->v[i];
		json_object		*o = json_object_new_object();

		if (o == NULL)
			goto out;
		json_object_object_add(o, "step",
		    json_str(step_names[fd->step]));
		json_object_object_add(o, "status",
		    json_str(status_names[fd->status]));
		json_object_object_add(o, "subject", json_str(fd->subject));
		json_object_object_add(o, "server", json_str(fd->server));
		json_object_object_add(o, "detail", json_str(fd->detail));
		json_object_object_add(o, "fix", json_str(fd->fix));
		json_object_array_add(list, o);
	}
	list = NULL;
	printf("%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* --- the steps -------------------------------------------------------- */

/* What one domain's steps hand on to the later ones. */
struct domain_state {
	struct challenge_list	 l;		/* the one challenge */
	struct zone_cache	 cache;
	struct chain		 ch;
	int			 chain_ok;
	const char		*eff;		/* borrowed from ch */
	const char		*zone;		/* borrowed from ch */
	struct zone_plan	 plan;
	int			 plan_ok;
	const struct zone_servers *zs;		/* borrowed from cache */
	ldns_rr			*soa;		/* owned: the zone's SOA */
	/* borrowed: run's cache */
	const struct check_software *primary_sw;
};

static void
step_chain(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	struct challenge	*c = &s->l.items[0];
	struct failure		 f;

	failure_init(&f);
	if (chain_follow(&r->ctx, r->cfg, &s->cache, c->name, &s->ch, &f) !=
	    CHAIN_OK) {
		failure_subject(&f, c->name, NULL, 0);
		f.config_path = r->cfg->path;
		finding_failure(d, STEP_CHAIN, ST_FAIL, &f);
		failure_clear(&f);
		return;
	}
	failure_clear(&f);
	s->chain_ok = 1;
	s->eff = s->ch.names[s->ch.n - 1];
	s->zone = s->ch.zones[s->ch.n - 1];
	for (size_t i = 0; i < s->ch.n; i++) {
		struct note_args a = { .name = s->ch.names[i],
		    .zone = s->ch.zones[i], .server = s->ch.servers[i].text };

		if (i + 1 < s->ch.n) {
			a.target = s->ch.names[i + 1];
			finding_note(d, STEP_CHAIN, ST_OK, N_CHAIN_ALIAS, &a);
		} else if (s->ch.wildcard_cut) {
			a.target = s->ch.wildcard_target;
			finding_note(d, STEP_CHAIN, ST_WARN, N_CHAIN_WILDCARD,
			    &a);
		} else {
			finding_note(d, STEP_CHAIN, ST_OK, N_CHAIN_END, &a);
		}
	}
}

/* The chain ends in a zone without a [zone] section: as resolve says it. */
static void
zone_unconfigured(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	const struct zone_conf	*other = config_zone_for(r->cfg, s->eff);
	struct challenge	*c = &s->l.items[0];
	struct failure		 f;

	failure_init(&f);
	failure_subject(&f, c->name, s->eff, 0);
	f.config_path = r->cfg->path;
	failure_set(&f.zone, &f, s->zone);
	f.detail = chain_text(&s->ch);
	if (other != NULL) {
		f.cause = FAIL_ZONE_OTHER_SECTION;
		failure_set(&f.other_zone, &f, other->name);
		f.line = other->line;
	} else {
		f.cause = FAIL_ZONE_NOT_CONFIGURED;
	}
	finding_failure(d, STEP_ZONE, ST_FAIL, &f);
	failure_clear(&f);
}

/* The primary from resolve (server =, else MNAME), confirmed by SOA. */
static void
zone_primary(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	struct challenge	*c = &s->l.items[0];
	struct failure		 f;
	char			*list = NULL;
	size_t			 len = 0;
	FILE			*o;

	failure_init(&f);
	/* The chain is known: resolve places the name without a second walk. */
	if (challenge_set_own_hint(c, s->eff, s->zone) == -1) {
		d->nomem = 1;
		return;
	}
	if (resolve_plan(&r->ctx, r->cfg, &s->l, &s->plan, &f) !=
	    RESOLVE_OK) {
		finding_failure(d, STEP_ZONE, ST_FAIL, &f);
		failure_clear(&f);
		return;
	}
	failure_clear(&f);
	s->plan_ok = 1;
	if ((o = open_memstream(&list, &len)) == NULL) {
		d->nomem = 1;
		return;
	}
	for (size_t i = 0; s->zs != NULL && i < s->zs->n; i++)
		fprintf(o, "%s%s", i > 0 ? ", " : "", s->zs->addrs[i].text);
	if (fclose(o) == 0) {
		const struct zone_target	*z = &s->plan.zones[0];
		struct note_args a = { .zone = z->apex,
		    .host = z->primary_name, .server = z->primaries[0].text,
		    .n = s->zs != NULL ? (long long)s->zs->n : 0,
		    .detail = list };

		finding_note(d, STEP_ZONE, ST_OK, N_ZONE_PRIMARY, &a);
	}
	free(list);
}

/* Why reply P (or its absence, Q) for the apex SOA is no good; NULL if good. */
static const char *
soa_problem(const struct question *q, const char *apex)
{
	const ldns_pkt	*p = q->reply;

	if (p == NULL)
		return question_failure(q);
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR)
		return query_rcode_name(ldns_pkt_get_rcode(p));
	if (!ldns_pkt_aa(p))
		return "answer without AA (not authoritative)";
	if (query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_SOA, apex) == NULL)
		return "no SOA at the apex";
	return NULL;
}

/* Every authoritative address: UDP and TCP, AA, serial. */
static void
zone_addresses(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	size_t			 n = s->zs->n;
	struct question		*q = calloc(2 * (n > 0 ? n : 1),
	    sizeof(*q));
	struct dnsio_opts	 o;
	int64_t			*serials = calloc(n > 0 ? n : 1,
	    sizeof(*serials));
	int			 differ = 0, have = 0;

	if (q == NULL || serials == NULL)
		goto nomem;
	for (size_t i = 0; i < 2 * n; i++) {
		q[i].name = s->zone;
		q[i].type = LDNS_RR_TYPE_SOA;
		q[i].server = &s->zs->addrs[i % n];
	}
	ctx_io_opts(&r->ctx, &o);
	if (query_run(q, n, &o) == -1)
		goto nomem;
	/* RFC 7766: TCP too; udp_tries 0 is TCP at once. */
	o.udp_tries = 0;
	if (query_run(q + n, n, &o) == -1)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const char	*udp = soa_problem(&q[i], s->zone);
		const char	*tcp = soa_problem(&q[n + i], s->zone);
		struct note_args a = { .zone = s->zone,
		    .server = s->zs->addrs[i].text };
		const ldns_rr *soa;

		serials[i] = -1;
		if (udp != NULL || tcp != NULL) {
			int dead = (udp != NULL && q[i].reply == NULL) ||
			    (tcp != NULL && q[n + i].reply == NULL);

			a.reason = udp != NULL ? udp : tcp;
			a.target = udp != NULL && tcp != NULL ? "UDP and TCP" :
			    udp != NULL ? "UDP" : "TCP";
			finding_note(d, STEP_ZONE, ST_FAIL, dead ?
			    N_ZONE_DEAD : N_ZONE_LAME, &a);
			continue;
		}
		soa = query_rr_find(ldns_pkt_answer(q[i].reply),
		    LDNS_RR_TYPE_SOA, s->zone);
		serials[i] = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
		if (s->soa == NULL && (s->soa = ldns_rr_clone(soa)) == NULL)
			d->nomem = 1;
		a.n = serials[i];
		finding_note(d, STEP_ZONE, ST_OK, N_ZONE_ADDR, &a);
		for (size_t k = 0; k < i; k++)
			differ |= serials[k] >= 0 && serials[k] != serials[i];
		have++;
	}
	if (differ) {
		char	*list = NULL;
		size_t	 len = 0;
		FILE	*m = open_memstream(&list, &len);

		if (m == NULL)
			goto nomem;
		for (size_t i = 0; i < n; i++)
			if (serials[i] >= 0)
				fprintf(m, "%s%s %lld", i > 0 ? ", " : "",
				    s->zs->addrs[i].text,
				    (long long)serials[i]);
		if (fclose(m) == 0) {
			struct note_args	 a = { .zone = s->zone, .detail
			    = list };

			finding_note(d, STEP_ZONE, ST_WARN, N_ZONE_SERIALS, &a);
		}
		free(list);
	}
	goto out;
nomem:
	d->nomem = 1;
out:
	for (size_t i = 0; q != NULL && i < 2 * n; i++)
		question_clear(&q[i]);
	free(q);
	free(serials);
}

static void
step_zone(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	struct failure	 f;

	if (!s->chain_ok)
		return;
	failure_init(&f);
	s->zs = zones_find(&r->ctx, r->cfg, &s->cache, s->zone, &f);
	if (config_zone_exact(r->cfg, s->zone) == NULL)
		zone_unconfigured(r, d, s);
	else
		zone_primary(r, d, s);
	if (s->zs == NULL) {
		f.cause = FAIL_ZONE_SERVERS;
		f.config_path = r->cfg->path;
		failure_set(&f.zone, &f, s->zone);
		finding_failure(d, STEP_ZONE, ST_FAIL, &f);
	} else {
		zone_addresses(r, d, s);
	}
	failure_clear(&f);
}

static int
key_step(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	const struct zone_target	*z = &s->plan.zones[0];
	const struct key		*k = z->conf->key;
	struct tsig_reply		 tr;
	struct failure			 f;
	enum update_status		 st;
	long				 long skew;

	failure_init(&f);
	st = update_probe(&r->ctx, z, &s->l, UPDATE_PROBE_KEY, &tr, &f);
	if (st != UPDATE_OK) {
		/* A prerequisite-only UPDATE is no grant matter (PowerDNS). */
		if (f.cause == FAIL_UPDATE_REFUSED_UNSIGNED)
			f.cause = FAIL_KEY_REFUSED_UNSIGNED;
		finding_failure(d, STEP_KEY, ST_FAIL, &f);
		failure_clear(&f);
		return -1;
	}
	skew = tr.skew;
	{
		struct note_args a = { .zone = z->apex,
		    .server = f.has_server ? f.server.text :
		    z->primaries[0].text, .n = skew, .m = TSIG_FUDGE,
		    .key = k != NULL ? k->name : "gss-tsig",
		    .alg = k != NULL ? key_alg_name(k->alg) : "GSS-TSIG" };

		finding_note(d, STEP_KEY, llabs(skew) > SKEW_WARN_S ?
		    ST_WARN : ST_OK, llabs(skew) > SKEW_WARN_S ? N_KEY_SKEW :
		    N_KEY_OK, &a);
	}
	failure_clear(&f);
	return 0;
}

static void
grant_step(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	const struct zone_target	*z = &s->plan.zones[0];
	const struct key		*k = z->conf->key;
	struct tsig_reply		 tr;
	struct failure			 f;
	struct note_args a = { .name = s->eff, .server = z->primaries[0].text,
	    .key = k != NULL ? k->name : "gss-tsig" };

	failure_init(&f);
	if (update_probe(&r->ctx, z, &s->l, UPDATE_PROBE_GRANT, &tr, &f) !=
	    UPDATE_OK) {
		/*
		 * The key passed its own probe: Knot's BADKEY here is its
		 * ACL denying the name (report.c's FAIL_UPDATE_BADKEY).
		 */
		if (f.cause == FAIL_UPDATE_BADKEY)
			f.cause = FAIL_UPDATE_REFUSED;
		finding_failure(d, STEP_GRANT, ST_FAIL, &f);
	} else if (s->primary_sw->product == PRODUCT_POWERDNS) {
		finding_note(d, STEP_GRANT, ST_WARN, N_GRANT_POWERDNS, &a);
	} else {
		finding_note(d, STEP_GRANT, ST_OK, N_GRANT_OK, &a);
	}
	failure_clear(&f);
}

static void
step_key_grant(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	if (!s->plan_ok)
		return;
	if ((s->primary_sw = software_of(r, &s->plan.zones[0].primaries[0])) ==
	    NULL) {
		d->nomem = 1;
		return;
	}
	/* A key that fails explains the grant probe's failure too. */
	if (key_step(r, d, s) == 0)
		grant_step(r, d, s);
}

/* The configured issuers, "a, b" (caller frees). */
static char *
ca_text(const struct config *cfg)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*o = open_memstream(&out, &len);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_cas; i++)
		fprintf(o, "%s%s", i > 0 ? " or " : "", cfg->cas[i]);
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void
step_caa(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	const char		*name = s->l.items[0].name +
	    strlen(CHALLENGE_PREFIX);
	int			 wildcard = strncmp(d->domain, "*.", 2) == 0;
	struct caa_result	 res;
	struct caa_set		 set;
	struct failure		 f;
	char			*ca = ca_text(r->cfg);
	struct note_args a = { .name = name, .ca = ca,
	    .ca1 = r->cfg->cas[0] };

	(void)s;
	failure_init(&f);
	if (ca == NULL) {
		d->nomem = 1;
		return;
	}
	if (caa_climb(&r->ctx, name, &set, &f) == -1) {
		f.cause = f.reason == REASON_NOMEM ? FAIL_NOMEM :
		    FAIL_CAA_LOOKUP;
		finding_failure(d, STEP_CAA, ST_FAIL, &f);
		failure_clear(&f);
		free(ca);
		return;
	}
	failure_clear(&f);
	if (caa_evaluate(&set, wildcard, r->cfg->cas, r->cfg->n_cas,
	    &res) == -1) {
		d->nomem = 1;
		goto out;
	}
	a.at = set.at;
	a.tag = res.tag;
	switch (res.verdict) {
	case CAA_NONE:
		if (set.at == NULL)
			finding_note(d, STEP_CAA, ST_OK, N_CAA_NONE, &a);
		else {
			a.detail = "";
			finding_note(d, STEP_CAA, ST_OK, N_CAA_PERMITS, &a);
		}
		break;
	case CAA_PERMITS:
		a.detail = res.accounturi;
		finding_note(d, STEP_CAA, ST_OK, res.accounturi != NULL ?
		    N_CAA_ACCOUNT : N_CAA_PERMITS, &a);
		break;
	case CAA_FORBIDS:
		finding_note(d, STEP_CAA, ST_FAIL, N_CAA_FORBIDS, &a);
		break;
	case CAA_OTHER_ISSUER:
		a.detail = res.issuers;
		finding_note(d, STEP_CAA, ST_FAIL, N_CAA_OTHER, &a);
		break;
	case CAA_NO_DNS01:
		a.detail = res.methods;
		finding_note(d, STEP_CAA, ST_FAIL, N_CAA_NO_DNS01, &a);
		break;
	case CAA_CRITICAL:
		a.detail = res.unknown;
		finding_note(d, STEP_CAA, ST_FAIL, N_CAA_CRITICAL, &a);
		break;
	}
	caa_result_clear(&res);
out:
	caa_set_free(&set);
	free(ca);
}

static void
step_dnssec(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	static const struct {
		enum dnssec_verdict	 v;
		enum note		 note;
		enum check_status	 status;
	} map[] = {
		{ DNSSEC_UNSIGNED, N_DNSSEC_UNSIGNED, ST_OK },
		{ DNSSEC_VALID, N_DNSSEC_VALID, ST_OK },
		{ DNSSEC_NO_KEY_FOR_DS, N_DNSSEC_NO_KEY, ST_FAIL },
		{ DNSSEC_SIG_MISSING, N_DNSSEC_MISSING, ST_FAIL },
		{ DNSSEC_SIG_EXPIRED, N_DNSSEC_EXPIRED, ST_FAIL },
		{ DNSSEC_SIG_NOT_YET, N_DNSSEC_NOT_YET, ST_FAIL },
		{ DNSSEC_SIG_NO_KEY, N_DNSSEC_SIG_NO_KEY, ST_FAIL },
		{ DNSSEC_SIG_BOGUS, N_DNSSEC_BOGUS, ST_FAIL },
	};

	if (!s->chain_ok)
		return;
	for (size_t i = 0; i < s->ch.n; i++) {
		const char			*zone = s->ch.zones[i];
		const struct zone_servers	*zs;
		/* Zeroed: a zone without servers never reaches the check. */
		struct dnssec_result		 res = { 0 };
		struct failure			 f;
		int				 seen = 0;

		for (size_t k = i + 1; k < s->ch.n && !seen; k++)
			seen = dname_equal(s->ch.zones[k], zone);
		/* Each zone once, with the last name of the chain in it. */
		if (seen)
			continue;
		failure_init(&f);
		if ((zs = zones_find(&r->ctx, r->cfg, &s->cache, zone,
		    &f)) == NULL) {
			f.cause = FAIL_ZONE_SERVERS;
			f.config_path = r->cfg->path;
			failure_set(&f.zone, &f, zone);
			finding_failure(d, STEP_DNSSEC, ST_FAIL, &f);
		} else if (dnssec_check_zone(&r->ctx, zone, zs->addrs, zs->n,
		    s->ch.names[i], &res, &f) == -1) {
			f.cause = f.reason == REASON_NOMEM ? FAIL_NOMEM :
			    FAIL_DNSSEC_LOOKUP;
			failure_set(&f.zone, &f, zone);
			finding_failure(d, STEP_DNSSEC, ST_FAIL, &f);
		} else {
			struct note_args a = { .zone = zone,
			    .name = s->ch.names[i], .n = res.tag,
			    .detail = res.rrset, .date = res.when };

			for (size_t m = 0; m < sizeof(map) / sizeof(map[0]);
			    m++)
				if (map[m].v == res.verdict)
					finding_note(d, STEP_DNSSEC,
					    map[m].status, map[m].note, &a);
		}
		dnssec_result_clear(&res);
		failure_clear(&f);
	}
}

/* The records a hop contributes to the final answer: its alias, or TXTs. */
static int
txt_collect(const ldns_pkt *p, const char *name, int last, ldns_rr_list *out,
    size_t *values)
{
	const ldns_rr_list	*an = ldns_pkt_answer(p);
	ldns_rdf		*owner = dname_to_rdf(name);

	if (owner == NULL)
		return -1;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr	*rr = ldns_rr_list_rr(an, i);
		ldns_rr_type	 t = ldns_rr_get_type(rr);
		ldns_rr		*copy;
		int		 want;

		want = t == LDNS_RR_TYPE_DNAME || (ldns_dname_compare(
		    ldns_rr_owner(rr), owner) == 0 && (last ?
		    t == LDNS_RR_TYPE_TXT : t == LDNS_RR_TYPE_CNAME));
		if (!want || (copy = ldns_rr_clone(rr)) == NULL)
			continue;
		ldns_rr_list_push_rr(out, copy);
		*values += t == LDNS_RR_TYPE_TXT;
	}
	ldns_rdf_deep_free(owner);
	return 0;
}

/*
 * RFC 1035 4.1: the answer a resolver would give the CA for TXT at the
 * challenge name: every alias on the way, the TXT RRset, two more values
 * and the OPT record; its size on the wire, compressed as servers do.
 */
static size_t
txt_answer_size(const struct domain_state *s, ldns_rr_list *rrs,
    const char *value_ttl_owner)
{
	ldns_pkt	*p = NULL;
	uint8_t		*wire = NULL;
	size_t		 len = 0;

	if (ldns_pkt_query_new_frm_str(&p, s->ch.names[0], LDNS_RR_TYPE_TXT,
	    LDNS_RR_CLASS_IN, LDNS_RD) != LDNS_STATUS_OK)
		return 0;
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER,
		    ldns_rr_clone(ldns_rr_list_rr(rrs, i)));
	for (int i = 0; i < TXT_EXTRA; i++) {
		char	 text[400];
		ldns_rr	*rr = NULL;

		/* A 43-character value, as RFC 8555 8.4 makes them. */
		snprintf(text, sizeof(text), "%s 60 IN TXT \"%043d\"",
		    value_ttl_owner, i);
		if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	ldns_pkt_set_edns_udp_size(p, QUERY_EDNS_SIZE);
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK)
		len = 0;
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static void
step_txt(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	ldns_rr_list		*rrs = ldns_rr_list_new();
	struct note_args	 a = { .name = s->eff, .target = s->ch.names[0]
	    };
	struct dnsio_opts	 o;
	size_t			 values = 0, size;
	char			*list = NULL;

	if (!s->chain_ok)
		goto out;
	if (rrs == NULL) {
		d->nomem = 1;
		goto out;
	}
	/* As a resolver asks: each hop of the servers of its zone. */
	for (size_t i = 0; i < s->ch.n; i++) {
		struct failure			 f;
		const struct zone_servers	*zs;
		struct question q = { .name = s->ch.names[i],
		    .type = LDNS_RR_TYPE_TXT };
		/* This hop's: the last server asked and what it did. */
		struct note_args bad = { .name = s->ch.names[i],
		    .reason = "the servers of its zone cannot be found" };
		char why[DNSIO_SERVER_TEXT + 64];
		int got = 0;

		failure_init(&f);
		zs = zones_find(&r->ctx, r->cfg, &s->cache, s->ch.zones[i], &f);
		failure_clear(&f);

		for (size_t k = 0; zs != NULL && k < zs->n && !got; k++) {
			q.server = &zs->addrs[k];
			ctx_io_opts(&r->ctx, &o);
			if (query_run(&q, 1, &o) == -1) {
				d->nomem = 1;
				goto out;
			}
			if (q.reply != NULL && ldns_pkt_aa(q.reply)) {
				got = 1;
				txt_collect(q.reply, s->ch.names[i],
				    i + 1 == s->ch.n, rrs, &values);
			} else {
				bad.server = zs->addrs[k].text;
				snprintf(why, sizeof(why), "%s: %s",
				    zs->addrs[k].text, q.reply == NULL ?
				    question_failure(&q) :
				    "answer without AA");
				bad.reason = why;
			}
			question_clear(&q);
		}
		if (!got) {
			finding_note(d, STEP_TXT, ST_FAIL, N_TXT_UNREAD, &bad);
			goto out;
		}
	}
	size = txt_answer_size(s, rrs, s->eff);
	if (values > 0 && values <= 4) {
		size_t	 len = 0;
		FILE	*m = open_memstream(&list, &len);

		if (m == NULL) {
			d->nomem = 1;
			goto out;
		}
		fputs(":", m);
		for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
			const ldns_rr	*rr = ldns_rr_list_rr(rrs, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
				continue;
			fputc(' ', m);
			/* ldns prints TXT data quoted, escaped as dig does. */
			ldns_rdf_print(m, ldns_rr_rdf(rr, 0));
		}
		if (fclose(m) != 0) {
			d->nomem = 1;
			goto out;
		}
	}
	a.detail = list != NULL ? list : "";
	a.n = (long long)values;
	a.m = (long long)size;
	finding_note(d, STEP_TXT, size > TXT_MAX_BYTES ? ST_FAIL :
	    size > TXT_WARN_BYTES ? ST_WARN : ST_OK, N_TXT_SIZE, &a);
out:
	free(list);
	ldns_rr_list_deep_free(rrs);
}

/*
 * The values the journal says a run wrote at the effective name and did
 * not remove (it was killed, or its cleanup failed): sweep's work.
 */
static void
step_txt_journal(const struct check_run *r, struct check_domain *d,
    const struct domain_state *s)
{
	struct failure	 f;
	struct journal	 j;
	int		 state;

	failure_init(&f);
	if (!s->chain_ok ||
	    (state = spool_dir_open(r->cfg->state_dir, &f)) == -1) {
		failure_clear(&f);
		return;
	}
	if (journal_read(state, &j) == 0) {
		for (size_t i = 0; i < j.n; i++) {
			const struct journal_entry	*e = &j.items[i];
			struct note_args a = { .name = e->effective,
			    .detail = e->value, .n = e->pid, .date = e->time };

			if (dname_equal(e->effective, s->eff) &&
			    !journal_owner_alive(e))
				finding_note(d, STEP_TXT, ST_WARN, N_TXT_LEFT,
				    &a);
		}
		journal_free(&j);
	}
	close(state);
}

/* One finding for the persist record TEXT at NAME. */
static void
persist_note(struct check_domain *d, const char *name, const char *text,
    time_t now)
{
	struct persist_record	 pr;
	struct note_args	 a = { .name = name };

	if (persist_read(text, &pr) == -1)
		return;
	a.ca1 = pr.issuer;
	a.detail = pr.account != NULL ? pr.account : "(none)";
	a.target = pr.wildcard ? ", policy=wildcard" : "";
	a.date = pr.until;
	finding_note(d, STEP_TXT, pr.until != 0 && pr.until <= now ? ST_WARN :
	    ST_OK, pr.until != 0 && pr.until <= now ? N_PERSIST_PAST :
	    N_PERSIST, &a);
	persist_record_free(&pr);
}

/*
 * dns-persist-01 (draft-ietf-acme-dns-persist): the standing records at
 * _validation-persist.DOMAIN, as the CA's resolver returns them.
 */
static void
step_txt_persist(const struct check_run *r, struct check_domain *d,
    const char *domain)
{
	char			*name = NULL, *base = NULL, why[128];
	const ldns_rr_list	*answer;
	struct failure		 f;
	ldns_pkt		*p;

	failure_init(&f);
	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	if (dname_parse(domain, strlen(domain), 0, &base, why,
	    sizeof(why)) != DNAME_OK ||
	    asprintf(&name, "%s%s", PERSIST_PREFIX, base) == -1) {
		name = NULL;
		goto out;
	}
	if ((p = stub_ask(&r->ctx, name, LDNS_RR_TYPE_TXT, &f)) == NULL)
		goto out;
	answer = ldns_pkt_answer(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(answer); i++) {
		char	*text = query_txt_text(ldns_rr_list_rr(answer, i));

		if (text != NULL)
			persist_note(d, name, text, time(NULL));
		free(text);
	}
	ldns_pkt_free(p);
out:
	failure_clear(&f);
	free(base);
	free(name);
}

static void
step_negttl(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	struct note_args	 a = { .zone = s->zone };
	uint32_t		 ttl, minimum;
	char			 min_text[16];

	(void)r;
	if (!s->chain_ok)
		return;
	if (s->soa == NULL) {
		a.reason = "no server gave an authoritative answer";
		finding_note(d, STEP_NEGTTL, ST_WARN, N_NEGTTL_UNREAD, &a);
		return;
	}
	/* RFC 2308 5: a negative answer lives min(SOA TTL, SOA minimum). */
	ttl = ldns_rr_ttl(s->soa);
	minimum = ldns_rdf2native_int32(ldns_rr_rdf(s->soa, 6));
	snprintf(min_text, sizeof(min_text), "%u", minimum);
	a.n = ttl < minimum ? ttl : minimum;
	a.m = ttl;
	a.detail = min_text;
	finding_note(d, STEP_NEGTTL, a.n > NEGTTL_WARN_S ? ST_WARN : ST_OK,
	    N_NEGTTL, &a);
}

/* "PowerDNS 4.0.3", or the server's own words when not recognised. */
static char *
software_text(const struct check_software *sw)
{
	char	*out = NULL;

	if (sw->product == PRODUCT_UNKNOWN) {
		if (asprintf(&out, "says \"%s\"", sw->text) == -1)
			out = NULL;
	} else if (asprintf(&out, "%s %u.%u.%u (\"%s\")",
	    check_product_name(sw->product), sw->version[0], sw->version[1],
	    sw->version[2], sw->text) == -1) {
		out = NULL;
	}
	return out;
}

static int
version_below(const unsigned v[3], const unsigned w[3])
{
	for (int i = 0; i < 3; i++)
		if (v[i] != w[i])
			return v[i] < w[i];
	return 0;
}

static void
server_one(const struct check_run *r, struct check_domain *d,
    const struct dns_server *srv, const char *zone)
{
	const struct check_software	*sw = software_of(r, srv);
	struct note_args		 a = { .zone = zone, .server = srv->text
	    };
	char				*text;
	int				 defect = 0;

	if (sw == NULL) {
		d->nomem = 1;
		return;
	}
	if (sw->text == NULL) {
		/* One that does not answer at all: the zone step said so. */
		if (sw->answered)
			finding_note(d, STEP_SERVER, ST_OK, N_SERVER_HIDDEN,
			    &a);
		return;
	}
	if ((text = software_text(sw)) == NULL) {
		d->nomem = 1;
		return;
	}
	a.detail = text;
	for (size_t i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
		if (defects[i].product != sw->product ||
		    !version_below(sw->version, defects[i].fixed_in))
			continue;
		a.reason = defects[i].what;
		a.advice = defects[i].fix;
		finding_note(d, STEP_SERVER, defects[i].status,
		    N_SERVER_DEFECT, &a);
		defect = 1;
	}
	if (!defect)
		finding_note(d, STEP_SERVER, ST_OK, N_SERVER_SAYS, &a);
	free(text);
}

static void
step_server(const struct check_run *r, struct check_domain *d,
    struct domain_state *s)
{
	const char		*domain = s->l.items[0].name +
	    strlen(CHALLENGE_PREFIX);
	const struct dns_server	**seen = NULL;
	const char		**zone_of = NULL;
	size_t			 n_seen = 0, cap = 0;
	const char		*own = NULL;
	char			*own_zone = NULL;
	struct failure		 f;
	ldns_pkt		*p;

	failure_init(&f);
	/* The domain's own zone answers the CA's CAA queries. */
	if ((p = stub_ask(&r->ctx, domain, LDNS_RR_TYPE_SOA, &f)) != NULL) {
		const ldns_rr *soa = query_rr_find(ldns_pkt_answer(p),
		    LDNS_RR_TYPE_SOA, NULL);

		if (soa == NULL)
			soa = query_rr_find(ldns_pkt_authority(p),
			    LDNS_RR_TYPE_SOA, NULL);
		if (soa != NULL)
			own_zone = dname_from_rdf(ldns_rr_owner(soa));
		ldns_pkt_free(p);
	}
	if (own_zone != NULL && zones_find(&r->ctx, r->cfg, &s->cache,
	    own_zone, &f) != NULL)
		own = own_zone;
	failure_clear(&f);
	for (size_t z = 0; z < s->cache.n; z++) {
		const struct zone_servers	*zs = s->cache.zones[z];
		int				 on_chain = own != NULL
		    && dname_equal(zs->apex, own);

		for (size_t i = 0; i < s->ch.n && !on_chain; i++)
			on_chain = s->ch.zones[i] != NULL &&
			    dname_equal(zs->apex, s->ch.zones[i]);
		if (!on_chain)
			continue;
		for (size_t i = 0; i < zs->n; i++) {
			int	 dup = 0;

			for (size_t k = 0; k < n_seen && !dup; k++)
				dup = strcmp(seen[k]->text,
				    zs->addrs[i].text) == 0;
			if (dup)
				continue;
			if (n_seen == cap) {
				size_t	 ncap = cap > 0 ? 2 * cap : 8;
				const struct dns_server **ns = reallocarray(
				    seen, ncap, sizeof(*ns));
				const char **nz = ns != NULL ? reallocarray(
				    zone_of, ncap, sizeof(*nz)) : NULL;

				if (ns != NULL)
					seen = ns;
				if (nz == NULL) {
					d->nomem = 1;
					goto out;
				}
				zone_of = nz;
				cap = ncap;
			}
			seen[n_seen] = &zs->addrs[i];
			zone_of[n_seen++] = zs->apex;
		}
	}
	for (size_t i = 0; i < n_seen; i++)
		server_one(r, d, seen[i], zone_of[i]);
out:
	free(seen);
	free(zone_of);
	free(own_zone);
}

static void
state_free(struct domain_state *s)
{
	challenge_list_free(&s->l);
	chain_free(&s->ch);
	zone_plan_free(&s->plan);
	zones_free(&s->cache);
	ldns_rr_free(s->soa);
}

/* Every step for one domain; prints its findings. Returns 1 on a FAIL. */
static int
check_domain(const struct check_run *r, const char *domain)
{
	struct check_domain	 d = { .domain = domain };
	struct domain_state	 s;
	char			 err[1024];
	int			 failed = 0;

	memset(&s, 0, sizeof(s));
	if (challenge_list_add(&s.l, domain, NULL, CHALLENGE_FROM_DOMAIN, err,
	    sizeof(err)) != CHALLENGE_OK) {
		msg_error("%s", err);
		return -1;
	}
	step_chain(r, &d, &s);
	step_zone(r, &d, &s);
	step_key_grant(r, &d, &s);
	step_caa(r, &d, &s);
	step_dnssec(r, &d, &s);
	step_txt(r, &d, &s);
	step_txt_journal(r, &d, &s);
	step_txt_persist(r, &d, domain);
	step_negttl(r, &d, &s);
	step_server(r, &d, &s);
	state_free(&s);
	if (d.nomem) {
		msg_error("%s: out of memory", domain);
		findings_free(&d);
		return 1;
	}
	qsort(d.v, d.n, sizeof(*d.v), finding_cmp);
	for (size_t i = 0; i < d.n; i++)
		failed |= d.v[i].status == ST_FAIL;
	if (r->json)
		print_json(&d);
	else
		print_text(&d);
	fflush(stdout);
	findings_free(&d);
	return failed;
}

/* --- server software -------------------------------------------------- */

const char *
check_product_name(enum check_product p)
{
	switch (p) {
	case PRODUCT_BIND:
		return "BIND";
	case PRODUCT_KNOT:
		return "Knot DNS";
	case PRODUCT_POWERDNS:
		return "PowerDNS";
	default:
		return NULL;
	}
}

/* The TXT string of P's answer, as printable text (caller frees), or NULL. */
static char *
version_string(const ldns_pkt *p)
{
	const ldns_rr	*rr;
	const ldns_rdf	*rdf;
	char		*out;
	size_t		 n;

	if (p == NULL || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ||
	    (rr = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_TXT,
	    NULL)) == NULL || ldns_rr_rd_count(rr) < 1)
		return NULL;
	rdf = ldns_rr_rdf(rr, 0);
	if (ldns_rdf_size(rdf) < 1 || (n = ldns_rdf_data(rdf)[0]) == 0 ||
	    n + 1 > ldns_rdf_size(rdf) || (out = malloc(n + 1)) == NULL)
		return NULL;
	/* Control characters from DNS data never reach a terminal raw. */
	for (size_t i = 0; i < n; i++) {
		char	 c = (char)ldns_rdf_data(rdf)[i + 1];

		out[i] = c >= 0x20 && c < 0x7f && c != '"' ? c : '?';
	}
	out[n] = '\0';
	return out;
}

static void
software_read(struct check_software *sw)
{
	const char	*t = sw->text, *v = NULL;

	if (strstr(t, "PowerDNS") != NULL) {
		sw->product = PRODUCT_POWERDNS;
		v = strstr(t, "Server ");
		v = v != NULL ? v + 7 : strpbrk(t, "0123456789");
	} else if (strstr(t, "Knot DNS") != NULL) {
		sw->product = PRODUCT_KNOT;
		v = strpbrk(t, "0123456789");
	} else if (strstr(t, "BIND") != NULL || (t[0] == '9' && t[1] == '.')) {
		/* BIND 9 answers version.bind with its bare version. */
		sw->product = PRODUCT_BIND;
		v = strpbrk(t, "0123456789");
	}
	if (v != NULL && sscanf(v, "%u.%u.%u", &sw->version[0],
	    &sw->version[1], &sw->version[2]) < 2)
		sw->product = PRODUCT_UNKNOWN;
}

int
check_software_of(const struct ctx *ctx, const struct dns_server *server,
    struct check_software *out)
{
	/* RFC 4892 2: version.server; version.bind is what most answer. */
	static const char *const names[] = { "version.bind.",
	    "version.server." };
	struct dnsio_opts o;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < 2 && out->product == PRODUCT_UNKNOWN; i++) {
		struct question q = { .name = names[i],
		    .type = LDNS_RR_TYPE_TXT, .qclass = LDNS_RR_CLASS_CH,
		    .server = server };
		char *t;

		ctx_io_opts(ctx, &o);
		if (query_run(&q, 1, &o) == -1)
			return -1;
		out->answered |= q.reply != NULL;
		t = version_string(q.reply);
		question_clear(&q);
		/* A server that does not answer at all: no second try. */
		if (!out->answered)
			break;
		if (t == NULL)
			continue;
		free(out->text);
		out->text = t;
		software_read(out);
	}
	return 0;
}

void
check_software_clear(struct check_software *sw)
{
	free(sw->text);
	memset(sw, 0, sizeof(*sw));
}

/* --- the command ------------------------------------------------------ */

int
check_main(int argc, char **argv, const struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct software_cache swc = { 0 };
	struct check_run r = { .swc = &swc };
	struct config *cfg = NULL;
	int ch, status = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+j", longopts, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		r.json = 1;
	}
	if (optind >= argc)
		goto usage;
	if (config_load(config_path_pick(o->config_path), &cfg) != CONFIG_OK)
		return EXIT_USAGE;
	r.cfg = cfg;
	ctx_init(&r.ctx, cfg->timeout, cfg->resolvers, cfg->n_resolvers,
	    cfg->port);
	for (int i = optind; i < argc; i++) {
		int	 rc = check_domain(&r, argv[i]);

		if (rc == -1) {
			status = EXIT_USAGE;
			break;
		}
		if (rc == 1)
			status = EXIT_DNS;
	}
	for (size_t i = 0; i < swc.n; i++)
		check_software_clear(&swc.sw[i]);
	free(swc.sw);
	free(swc.servers);
	config_free(cfg);
	return status;
usage:
	msg_error("usage: acme-nsupdate check [--json] DOMAIN...");
	return EXIT_USAGE;
}
