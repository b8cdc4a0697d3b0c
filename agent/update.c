/* SPDX-License-Identifier: ISC */
/*
 * update: RFC 2136 dynamic update of TXT records for one zone. Build
 * (ldns), sign (RFC 8945, tsig.c), send (dnsio.c), verify the reply's TSIG,
 * check the rcode, then confirm by query: NOERROR does not prove the change
 * (BIND ignores TXT at a CNAME; a PowerDNS Lua policy skips what it denies).
 */

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
#include "gss.h"
#include "key.h"
#include "msg.h"
#include "plan.h"
#include "query.h"
#include "tsig.h"
#include "update.h"

/* Room for one message: the 64 KiB TCP limit less headroom for TSIG. */
#define UPDATE_MAX_WIRE		65000
/* update_wire only: the message would not fit; send fewer records. */
#define UPDATE_TOO_BIG		((enum update_status)-1)
#define CONFIRM_TRIES		5
#define TTL_READ_MAX_MS		2000	/* reading the TTLs to keep, at most */
#define CONFIRM_FIRST_MS	20

struct update_msg {
	const struct zone_target	*z;
	struct challenge_list		*l;
	/* borrowed slice of z->members */
	const size_t			*members;
	size_t				 n;
	enum update_op			 op;
	/* the address that answered */
	const struct dns_server		*server;
	/* borrowed; NULL: sign with the key */
	struct gss_tsig			*gss;
	struct failure			*f;
	/* NULL, or receives the reply's TSIG */
	struct tsig_reply		*tr;
};

int
update_may_have_applied(enum update_status st)
{
	/* A lost reply, an untrusted one, or an unconfirmed change. */
	return st == UPDATE_ERR_TRANSPORT || st == UPDATE_ERR_REPLY ||
	    st == UPDATE_ERR_NOT_APPLIED || st == UPDATE_ERR_UNCONFIRMED;
}

/*
 * RFC 2136 2.5.1 (add: class IN, TTL) or 2.5.4 (delete one RR: class
 * NONE, TTL 0), as challenge_wanted says for OP. A DNS-01 value is one
 * string; a record with RDATA of its own (persist) is written as that.
 */
static ldns_rr *
update_rr(const struct challenge *c, enum update_op op)
{
	ldns_rr	*rr = NULL;
	char	*text = NULL;
	int	 n;

	if (c->rdata != NULL)
		n = asprintf(&text, "%s %u IN TXT %s", c->effective, c->ttl,
		    c->rdata);
	else
		n = asprintf(&text, "%s %u IN TXT \"%s\"", c->effective,
		    c->ttl, c->value);
	if (n == -1)
		return NULL;
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		rr = NULL;
	free(text);
	if (rr != NULL && !challenge_wanted(c, op == UPDATE_ADD)) {
		ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);
		ldns_rr_set_ttl(rr, 0);
	}
	return rr;
}

/*
 * RFC 2136 2: the message for zone APEX with prerequisites PREREQ (2.4)
 * and updates UP (2.5), both borrowed (ldns clones them; NULL: none).
 */
static enum update_status
update_pkt_wire(const char *apex, const ldns_rr_list *prereq,
    const ldns_rr_list *up, uint8_t **wire, size_t *len)
{
	ldns_rdf		*zone = NULL;
	ldns_pkt		*p = NULL;
	enum update_status	 st = UPDATE_ERR_BUILD;

	*wire = NULL;
	if ((zone = dname_to_rdf(apex)) == NULL)
		return UPDATE_ERR_BUILD;
	/* Takes zone, clones the lists. */
	if ((p = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN,
	    (ldns_rr_list *)prereq, (ldns_rr_list *)up, NULL)) == NULL) {
		ldns_rdf_deep_free(zone);
		return UPDATE_ERR_BUILD;
	}
	/* ldns sets RD; RFC 2136 2.2 has no use for it. */
	ldns_pkt_set_rd(p, false);
	ldns_pkt_set_id(p, (uint16_t)arc4random_uniform(65536));
	if (msg_verbosity >= 3) {
		char	*text = ldns_pkt2str(p);

		msg_debug("sending to zone %s:\n%s", apex,
		    text != NULL ? text : "?");
		free(text);
	}
	if (ldns_pkt2wire(wire, p, len) == LDNS_STATUS_OK)
		st = *len <= UPDATE_MAX_WIRE ? UPDATE_OK : UPDATE_TOO_BIG;
	ldns_pkt_free(p);
	return st;
}

static enum update_status
update_wire(const struct update_msg *m, uint8_t **wire, size_t *len)
{
	ldns_rr_list		*up = ldns_rr_list_new();
	enum update_status	 st = UPDATE_ERR_BUILD;

	*wire = NULL;
	if (up == NULL)
		return UPDATE_ERR_NOMEM;
	for (size_t i = 0; i < m->n; i++) {
		ldns_rr	*rr;

		rr = update_rr(&m->l->items[m->members[i]], m->op);
		if (rr == NULL || !ldns_rr_list_push_rr(up, rr)) {
			ldns_rr_free(rr);
			goto out;
		}
	}
	st = update_pkt_wire(m->z->apex, NULL, up, wire, len);
out:
	ldns_rr_list_deep_free(up);
	return st;
}

/* F: the message's challenges, zone, key, and SERVER (may be NULL). */
static void
msg_failed(const struct update_msg *m, enum failure_cause cause,
    const struct dns_server *server)
{
	const struct challenge	*c = &m->l->items[m->members[0]];
	const struct key	*k = m->z->conf->key;

	m->f->cause = cause;
	failure_subject(m->f, c->name, c->effective, m->n - 1);
	failure_set(&m->f->zone, m->f, m->z->apex);
	if (server != NULL)
		failure_server(m->f, server);
	if (k != NULL) {
		m->f->key_name = k->name;
		m->f->key_alg = key_alg_name(k->alg);
	}
	if (m->gss != NULL)
		failure_set(&m->f->principal, m->f,
		    gss_tsig_principal(m->gss));
}

/* F: what GSS-TSIG said (gss.c's data), about M's challenges. */
static enum update_status
gss_failed(const struct update_msg *m, const struct gss_failure *gf,
    const struct dns_server *server)
{
	msg_failed(m, FAIL_GSS_OTHER, server);
	if (gss_failure_to(gf, m->f) == -1)
		m->f->cause = FAIL_NOMEM;
	switch (gf->kind) {
	case GSS_FAIL_NOMEM:
		return UPDATE_ERR_NOMEM;
	case GSS_FAIL_TKEY_NOANSWER:
		return UPDATE_ERR_TRANSPORT;
	case GSS_FAIL_REPLY_UNVERIFIED:
		return UPDATE_ERR_REPLY;
	default:
		return UPDATE_ERR_REJECTED;
	}
}

/* RFC 8945 5.2: the server's TSIG error. */
static void
tsig_rejection(const struct update_msg *m, const ldns_pkt *p,
    const struct tsig_reply *tr)
{
	enum failure_cause	 cause = FAIL_UPDATE_TSIG_OTHER;

	if (tr->error == TSIG_RCODE_BADSIG)
		cause = FAIL_UPDATE_BADSIG;
	else if (tr->error == TSIG_RCODE_BADKEY)
		cause = FAIL_UPDATE_BADKEY;
	else if (tr->error == TSIG_RCODE_BADTIME)
		cause = tr->skew_known ? FAIL_UPDATE_BADTIME :
		    FAIL_UPDATE_BADTIME_UNSIGNED;
	msg_failed(m, cause, m->server);
	m->f->reason = REASON_TSIG;
	m->f->rcode = ldns_pkt_get_rcode(p);
	m->f->tsig_error = tr->error;
	m->f->skew = tr->skew;
}

/* A non-NOERROR rcode (RFC 2136 2.2). */
static void
rcode_rejection(const struct update_msg *m, const ldns_pkt *p,
    int signed_reply)
{
	ldns_pkt_rcode		 rc = ldns_pkt_get_rcode(p);
	enum failure_cause	 cause;

	switch (rc) {
	case LDNS_RCODE_REFUSED:
		cause = signed_reply ? FAIL_UPDATE_REFUSED :
		    FAIL_UPDATE_REFUSED_UNSIGNED;
		break;
	case LDNS_RCODE_NOTAUTH:
		cause = FAIL_UPDATE_NOTAUTH;
		break;
	case LDNS_RCODE_NOTZONE:
		cause = FAIL_UPDATE_NOTZONE;
		break;
	case LDNS_RCODE_SERVFAIL:
		cause = FAIL_UPDATE_SERVFAIL;
		break;
	case LDNS_RCODE_NOTIMPL:
		cause = FAIL_UPDATE_NOTIMP;
		break;
	default:
		cause = FAIL_UPDATE_RCODE;
		break;
	}
	msg_failed(m, cause, m->server);
	m->f->reason = REASON_RCODE;
	m->f->rcode = rc;
}

/*
 * Checks the reply: TSIG first (a forged rcode must not be believed), then
 * the rcode.
 */
static enum update_status
reply_check(const struct update_msg *m, const struct tsig_request *req,
    const uint8_t *wire, size_t len)
{
	struct tsig_reply	 tr = { 0 };
	enum tsig_status	 ts;
	ldns_pkt		*p = NULL;
	enum update_status	 st = UPDATE_ERR_REJECTED;

	if (dnsio_wire2pkt(&p, wire, len) != LDNS_STATUS_OK) {
		msg_failed(m, FAIL_UPDATE_UNREADABLE, m->server);
		return UPDATE_ERR_REPLY;
	}
	/* GSS-TSIG: the MIC checked (gss_verify_mic) before the rcode. */
	if (m->gss != NULL) {
		struct gss_failure	 gf;

		ldns_pkt_free(p);
		if (gss_tsig_check_reply(m->gss, req, wire, len, time(NULL),
		    m->server, &gf) == 0)
			return UPDATE_OK;
		return gss_failed(m, &gf, m->server);
	}
	ts = tsig_verify(m->z->conf->key, req, wire, len, time(NULL), &tr);
	if (m->tr != NULL)
		*m->tr = tr;
	if (ts == TSIG_ERR_SERVER) {
		tsig_rejection(m, p, &tr);
	} else if (ts == TSIG_ERR_UNSIGNED &&
	    ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		/*
		 * RFC 8945 5.3.2: errors before TSIG processing come unsigned.
		 */
		rcode_rejection(m, p, 0);
	} else if (ts != TSIG_OK) {
		msg_failed(m, FAIL_REPLY_TSIG, m->server);
		m->f->reason = REASON_TSIG_CHECK;
		m->f->tsig_check = (int)ts;
		m->f->rcode = ldns_pkt_get_rcode(p);
		st = UPDATE_ERR_REPLY;
	} else if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		rcode_rejection(m, p, 1);
	} else {
		st = UPDATE_OK;
	}
	ldns_pkt_free(p);
	return st;
}

/* The TTL of the TXT RRset at NAME in P's answer, or 0 if there is none. */
static unsigned
txt_ttl(const ldns_pkt *p, const char *name)
{
	const ldns_rr *rr = query_rr_find(ldns_pkt_answer(p), LDNS_RR_TYPE_TXT,
	    name);

	return rr != NULL ? ldns_rr_ttl(rr) : 0;
}

/*
 * RFC 2181 5.2: an RRset has one TTL. Reads each name's TXT RRset on the
 * primary so that an added value takes the TTL already there; where there
 * is none (or no answer), DEFAULT_TTL.
 */
static void
ttl_read(struct update_msg *m, const struct ctx *ctx, unsigned default_ttl)
{
	struct question		*q = calloc(m->n, sizeof(*q));
	size_t			*slot = calloc(m->n, sizeof(*slot));
	size_t			 nq = 0;
	struct dnsio_opts	 o;
	int			 asked = 0;

	/*
	 * One question per name (a wildcard and its base share one), for
	 * records whose TTL is not known yet. A deletion is written with TTL
	 * 0 (RFC 2136 2.5.4), but settle (run.h) wants the TTL it was served
	 * with.
	 */
	for (size_t i = 0; q != NULL && slot != NULL && i < m->n; i++) {
		const struct challenge	*c = &m->l->items[m->members[i]];
		const char		*name = c->effective;

		slot[i] = SIZE_MAX;
		if (c->ttl != 0)
			continue;

		for (slot[i] = 0; slot[i] < nq; slot[i]++)
			if (strcmp(q[slot[i]].name, name) == 0)
				break;
		if (slot[i] < nq)
			continue;
		q[nq].name = name;
		q[nq].type = LDNS_RR_TYPE_TXT;
		q[nq++].server = &m->z->primaries[0];
	}
	if (q != NULL && slot != NULL && nq > 0) {
		ctx_io_opts(ctx, &o);
		/*
		 * A primary that does not answer this must not take the time
		 * the UPDATE needs (a rollback may have little left).
		 */
		o.total_ms /= 4;
		if (o.total_ms > TTL_READ_MAX_MS)
			o.total_ms = TTL_READ_MAX_MS;
		if (o.total_ms == 0)
			o.total_ms = 1;
		asked = query_run(q, nq, &o) == 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct challenge	*c = &m->l->items[m->members[i]];
		const ldns_pkt		*p;

		/* A TTL of its own (persist), or one read before. */
		if (slot == NULL || slot[i] == SIZE_MAX)
			continue;
		p = asked ? q[slot[i]].reply : NULL;
		c->ttl = p != NULL && ldns_pkt_aa(p) ?
		    txt_ttl(p, c->effective) : 0;
		if (c->ttl == 0)
			c->ttl = default_ttl;
	}
	for (size_t i = 0; asked && i < nq; i++)
		question_clear(&q[i]);
	free(q);
	free(slot);
}

/* Signs a message built with status ST (GSS-TSIG or the zone's key). */
static enum update_status
update_sign(struct update_msg *m, enum update_status st, uint8_t **wire,
    size_t *len, struct tsig_request *req)
{
	if (st == UPDATE_OK && (m->gss != NULL ?
	    gss_tsig_sign(m->gss, time(NULL), wire, len, req) :
	    tsig_sign(m->z->conf->key, time(NULL), wire, len, req)) != TSIG_OK)
		st = UPDATE_ERR_BUILD;
	if (st != UPDATE_OK && st != UPDATE_ERR_NOMEM) {
		msg_failed(m, FAIL_UPDATE_BUILD, NULL);
		st = UPDATE_ERR_BUILD;
	}
	return st;
}

/*
 * Builds the message for as many of M's challenges as fit (RFC 1035
 * 4.2.2: ldns compresses names, so halve until the real message fits) and
 * signs it.
 */
static enum update_status
update_build(struct update_msg *m, uint8_t **wire, size_t *len,
    struct tsig_request *req)
{
	enum update_status	 st;

	while ((st = update_wire(m, wire, len)) == UPDATE_TOO_BIG &&
	    m->n > 1) {
		free(*wire);
		*wire = NULL;
		m->n = (m->n + 1) / 2;
	}
	return update_sign(m, st, wire, len, req);
}

/* F: no answer from SERVER for query Q. */
static void
transport_failure(const struct update_msg *m, const struct dnsio_query *q)
{
	msg_failed(m, FAIL_UPDATE_SILENT, q->server);
	m->f->reason = REASON_TRANSPORT;
	m->f->io_status = q->status;
	m->f->io_errno = q->err;
	m->f->tries = q->udp_sends + q->tcp_tries;
}

/* Sends one signed message to the primary's addresses in turn. */
static enum update_status
update_exchange(struct update_msg *m, const struct ctx *ctx,
    const uint8_t *wire, size_t len, const struct tsig_request *req)
{
	struct dnsio_query	 q = { 0 };
	struct dnsio_opts	 o;
	enum update_status	 st = UPDATE_ERR_TRANSPORT;

	for (size_t i = 0; i < m->z->n_primaries; i++) {
		q.server = &m->z->primaries[i];
		q.wire = wire;
		q.len = len;
		ctx_io_opts(ctx, &o);
		if (dnsio_exchange(&q, 1, &o) != DNSIO_OK) {
			st = UPDATE_ERR_NOMEM;
			break;
		}
		if (q.status == DNSIO_OK) {
			m->server = q.server;
			st = reply_check(m, req, q.reply, q.reply_len);
			dnsio_query_clear(&q);
			break;
		}
		transport_failure(m, &q);
		dnsio_query_clear(&q);
	}
	return st;
}

/* Reads the TTLs, builds, signs and sends M. */
static enum update_status
update_send(struct update_msg *m, const struct ctx *ctx, unsigned default_ttl)
{
	struct tsig_request	 req;
	uint8_t			*wire = NULL;
	size_t			 len;
	enum update_status	 st;

	ttl_read(m, ctx, default_ttl);
	if ((st = update_build(m, &wire, &len, &req)) == UPDATE_OK)
		st = update_exchange(m, ctx, wire, len, &req);
	free(wire);
	return st;
}

/*
 * Which members do not yet show the change on the server that took it;
 * *silent counts those whose query got no answer at all.
 */
static enum update_status
confirm_round(struct update_msg *m, const struct ctx *ctx, size_t *pending,
    size_t *n_pending, size_t *silent)
{
	struct question		*q;
	struct dnsio_opts	 o;
	size_t			 kept = 0;

	if ((q = calloc(*n_pending, sizeof(*q))) == NULL)
		return UPDATE_ERR_NOMEM;
	for (size_t i = 0; i < *n_pending; i++) {
		q[i].name = m->l->items[pending[i]].effective;
		q[i].type = LDNS_RR_TYPE_TXT;
		q[i].server = m->server;
	}
	ctx_io_opts(ctx, &o);
	if (query_run(q, *n_pending, &o) == -1) {
		free(q);
		return UPDATE_ERR_NOMEM;
	}
	*silent = 0;
	for (size_t i = 0; i < *n_pending; i++) {
		const struct challenge	*c = &m->l->items[pending[i]];
		int has = q[i].reply != NULL &&
		    query_txt_has(q[i].reply, c->effective, c->value);

		*silent += q[i].reply == NULL;
		if (q[i].reply == NULL ||
		    has != challenge_wanted(c, m->op == UPDATE_ADD))
			pending[kept++] = pending[i];
		question_clear(&q[i]);
	}
	free(q);
	*n_pending = kept;
	return UPDATE_OK;
}

/*
 * Confirms on the primary, with a few quick retries for servers that
 * apply late.
 */
static enum update_status
update_confirm(struct update_msg *m, const struct ctx *ctx)
{
	size_t			*pending, n_pending = m->n, silent = m->n;
	unsigned		 delay = CONFIRM_FIRST_MS;
	enum update_status	 st = UPDATE_OK;

	if ((pending = malloc(m->n * sizeof(*pending))) == NULL)
		return UPDATE_ERR_NOMEM;
	memcpy(pending, m->members, m->n * sizeof(*pending));
	for (int t = 0; t < CONFIRM_TRIES && n_pending > 0 &&
	    !ctx_expired(ctx) && !ctx_cancelled(ctx); t++) {
		if (t > 0) {
			struct timespec	 ts = { 0, (long)delay *
			    1000000L };

			nanosleep(&ts, NULL);
			delay *= 2;
		}
		if ((st = confirm_round(m, ctx, pending, &n_pending,
		    &silent)) != UPDATE_OK)
			goto out;
	}
	if (n_pending > 0) {
		const struct challenge	*c = &m->l->items[pending[0]];
		enum failure_cause cause = silent == n_pending ?
		    FAIL_CONFIRM_SILENT : challenge_wanted(c,
		    m->op == UPDATE_ADD) ? FAIL_NOT_APPLIED_ADD :
		    FAIL_NOT_APPLIED_REMOVE;

		msg_failed(m, cause, m->server);
		failure_subject(m->f, c->name, c->effective, 0);
		st = cause == FAIL_CONFIRM_SILENT ? UPDATE_ERR_UNCONFIRMED :
		    UPDATE_ERR_NOT_APPLIED;
	}
out:
	free(pending);
	return st;
}

/*
 * RFC 3645 3.1: one context, negotiated with the primary by TKEY, signs
 * every UPDATE of the zone. Returns UPDATE_OK with *gss (NULL for a zone
 * with a key), or the failure.
 */
static enum update_status
update_gss_begin(const struct ctx *ctx, const struct zone_target *z,
    struct challenge_list *l, struct failure *f, struct gss_tsig **gss)
{
	struct update_msg m = { .z = z, .l = l, .f = f,
	    .members = z->members, .n = z->n_members };
	struct gss_failure gf;
	struct dnsio_opts o;

	*gss = NULL;
	if (z->conf->gss_tsig == ZONE_GSS_NONE)
		return UPDATE_OK;
	ctx_io_opts(ctx, &o);
	if (gss_tsig_negotiate(z->conf, z->primary_name, z->primaries,
	    z->n_primaries, &o, gss, &gf) == 0)
		return UPDATE_OK;
	return gss_failed(&m, &gf, NULL);
}

/* RFC 2930 4.2: the context deleted on the server (TKEY mode 5), freed. */
static void
update_gss_end(const struct ctx *ctx, struct gss_tsig *gss)
{
	struct dnsio_opts	 o;

	if (gss == NULL)
		return;
	ctx_io_opts(ctx, &o);
	gss_tsig_delete(gss, &o);
	gss_tsig_free(gss);
}

enum update_status
update_zone(const struct ctx *ctx, const struct zone_target *z,
    struct challenge_list *l, enum update_op op, unsigned default_ttl,
    struct failure *f)
{
	struct gss_tsig		*gss;
	enum update_status	 st = update_gss_begin(ctx, z, l, f, &gss);

	for (size_t first = 0; first < z->n_members && st == UPDATE_OK; ) {
		/* As many as fit in one message: update_send may take fewer. */
		struct update_msg m = {
			.z = z, .l = l, .op = op, .f = f, .gss = gss,
			.members = &z->members[first],
			.n = z->n_members - first,
		};

		if ((st = update_send(&m, ctx, default_ttl)) == UPDATE_OK)
			st = update_confirm(&m, ctx);
		if (st == UPDATE_ERR_NOMEM)
			msg_failed(&m, FAIL_NOMEM, NULL);
		first += m.n;
	}
	update_gss_end(ctx, gss);
	return st;
}

/*
 * RFC 2136 2.4.1: "RRset exists (value independent)": class ANY, TTL 0, no
 * RDATA.
 */
static ldns_rr *
probe_soa_exists(const char *apex)
{
	ldns_rdf	*owner = dname_to_rdf(apex);
	ldns_rr		*rr = owner != NULL ? ldns_rr_new() : NULL;

	if (rr == NULL) {
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_SOA);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

/* The probe's one record in PREREQ (key) or UP (grant). */
static enum update_status
probe_lists(const struct zone_target *z, const struct challenge *c,
    enum update_probe kind, ldns_rr_list *prereq, ldns_rr_list *up)
{
	struct challenge	 absent = { 0 };
	char			 value[64];
	ldns_rr			*rr;

	if (kind == UPDATE_PROBE_KEY) {
		rr = probe_soa_exists(z->apex);
		if (rr != NULL && !ldns_rr_list_push_rr(prereq, rr)) {
			ldns_rr_free(rr);
			rr = NULL;
		}
		return rr != NULL ? UPDATE_OK : UPDATE_ERR_NOMEM;
	}
	/* Not 43 characters: never a challenge value anyone wrote. */
	snprintf(value, sizeof(value), "acme-nsupdate check %08x",
	    arc4random());
	absent.effective = c->effective;
	absent.value = value;
	rr = update_rr(&absent, UPDATE_REMOVE);
	if (rr != NULL && !ldns_rr_list_push_rr(up, rr)) {
		ldns_rr_free(rr);
		rr = NULL;
	}
	return rr != NULL ? UPDATE_OK : UPDATE_ERR_NOMEM;
}

enum update_status
update_probe(const struct ctx *ctx, const struct zone_target *z,
    struct challenge_list *l, enum update_probe kind, struct tsig_reply *tr,
    struct failure *f)
{
	struct update_msg m = { .z = z, .l = l, .f = f, .tr = tr,
	    .members = z->members, .n = 1, .op = UPDATE_REMOVE };
	ldns_rr_list *prereq = ldns_rr_list_new(), *up = ldns_rr_list_new();
	struct tsig_request req;
	struct gss_tsig *gss = NULL;
	uint8_t *wire = NULL;
	size_t len;
	enum update_status st = UPDATE_ERR_NOMEM;

	memset(tr, 0, sizeof(*tr));
	if (prereq == NULL || up == NULL || z->n_members == 0)
		goto out;
	if ((st = probe_lists(z, &l->items[z->members[0]], kind, prereq,
	    up)) != UPDATE_OK)
		goto out;
	if ((st = update_gss_begin(ctx, z, l, f, &gss)) != UPDATE_OK)
		goto out;
	m.gss = gss;
	st = update_pkt_wire(z->apex, prereq, up, &wire, &len);
	if ((st = update_sign(&m, st, &wire, &len, &req)) == UPDATE_OK)
		st = update_exchange(&m, ctx, wire, len, &req);
out:
	if (st == UPDATE_ERR_NOMEM)
		msg_failed(&m, FAIL_NOMEM, NULL);
	update_gss_end(ctx, gss);
	free(wire);
	ldns_rr_list_deep_free(prereq);
	ldns_rr_list_deep_free(up);
	return st;
}
