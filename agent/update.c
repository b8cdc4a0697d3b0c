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
#include "dnsio.h"
#include "key.h"
#include "msg.h"
#include "query.h"
#include "resolve.h"
#include "tsig.h"
#include "update.h"

/* Room for one message: the 64 KiB TCP limit less headroom for TSIG. */
#define UPDATE_MAX_WIRE		65000
/* update_wire only: the message would not fit; send fewer records. */
#define UPDATE_TOO_BIG		((enum update_status)-1)
#define CONFIRM_TRIES		5
#define CONFIRM_FIRST_MS	20

struct update_msg {
	const struct zone_target	*z;
	struct challenge_list		*l;
	const size_t *members; /* borrowed slice of z->members */
	size_t				 n;
	enum update_op			 op;
	const struct dns_server *server; /* the address that answered */
	char				 subject[600];
};

/* RFC 2136 2.5.1 (add: class IN, TTL) or 2.5.4 (delete one RR: class NONE, TTL
 * 0). */
static ldns_rr *
update_rr(const struct challenge *c, enum update_op op)
{
	ldns_rr *rr = NULL;
	char text[512];	/* a checked name (<= 254) and value (43) fit */

	snprintf(text, sizeof(text), "%s %u IN TXT \"%s\"", c->effective,
	    c->ttl, c->value);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		rr = NULL;
	if (rr != NULL && op == UPDATE_REMOVE) {
		ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);
		ldns_rr_set_ttl(rr, 0);
	}
	return rr;
}

static enum update_status
update_wire(const struct update_msg *m, uint8_t **wire, size_t *len)
{
	ldns_rr_list *up = ldns_rr_list_new();
	ldns_rdf *zone = NULL;
	ldns_pkt *p = NULL;
	enum update_status st = UPDATE_ERR_BUILD;

	*wire = NULL;
	if (up == NULL)
		return UPDATE_ERR_NOMEM;
	for (size_t i = 0; i < m->n; i++) {
		ldns_rr *rr = update_rr(&m->l->items[m->members[i]], m->op);

		if (rr == NULL || !ldns_rr_list_push_rr(up, rr)) {
			ldns_rr_free(rr);
			goto out;
		}
	}
	if (ldns_str2rdf_dname(&zone, m->z->apex) != LDNS_STATUS_OK)
		goto out;
	/* Takes zone, clones up. */
	if ((p = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, NULL, up, NULL)) ==
	    NULL) {
		ldns_rdf_deep_free(zone);
		goto out;
	}
	ldns_pkt_set_rd(
	    p, false); /* ldns sets RD; RFC 2136 2.2 has no use for it */
	ldns_pkt_set_id(p, (uint16_t)arc4random_uniform(65536));
	if (msg_verbosity >= 3) {
		char *text = ldns_pkt2str(p);

		msg_debug("sending to zone %s:\n%s", m->z->apex,
		    text != NULL ? text : "?");
		free(text);
	}
	if (ldns_pkt2wire(wire, p, len) == LDNS_STATUS_OK)
		st = *len <= UPDATE_MAX_WIRE ? UPDATE_OK : UPDATE_TOO_BIG;
out:
	ldns_pkt_free(p);
	ldns_rr_list_deep_free(up);
	return st;
}

static void
subject_for(struct update_msg *m)
{
	const struct challenge *c = &m->l->items[m->members[0]];
	char one[560];

	challenge_subject(c, one, sizeof(one));
	if (m->n > 1)
		snprintf(m->subject, sizeof(m->subject), "%s (and %zu more)",
		    one, m->n - 1);
	else
		snprintf(m->subject, sizeof(m->subject), "%s", one);
}

static void
transport_failure(const struct update_msg *m, const struct dnsio_query *q,
    const struct dns_server *srv, char *err, size_t errlen)
{
	if (q->status == DNSIO_NETERR)
		snprintf(err, errlen, "%s: no answer from %s for zone %s "
		    "(%s over UDP and TCP); is the primary running and "
		    "reachable? check server = in [zone %.*s]", m->subject,
		    srv->text, m->z->apex, strerror(q->err),
		    (int)strlen(m->z->apex) - 1, m->z->apex);
	else
		snprintf(err, errlen, "%s: no answer from %s for zone %s "
		    "after %u tries over UDP and TCP (%s); is the primary "
		    "running and reachable? check server = in [zone %.*s]",
		    m->subject, srv->text, m->z->apex,
		    q->udp_sends + q->tcp_tries, dnsio_strerror(q->status),
		    (int)strlen(m->z->apex) - 1, m->z->apex);
}

/* The server's TSIG error (RFC 8945 5.2), in words, with the likely fix. */
static void
tsig_rejection(const struct update_msg *m, const ldns_pkt *p,
    const struct tsig_reply *tr, char *err, size_t errlen)
{
	const struct key *k = m->z->conf->key;
	const char *rc = query_rcode_name(ldns_pkt_get_rcode(p));
	const char *srv = m->server->text;

	switch (tr->error) {
	case TSIG_RCODE_BADSIG:
		snprintf(err, errlen, "%s: update rejected by %s for zone %s "
		    "(%s, TSIG BADSIG): the server rejects key %s's secret; "
		    "the secret in the config differs from the server's key",
		    m->subject, srv, m->z->apex, rc, k->name);
		break;
	case TSIG_RCODE_BADKEY:
		snprintf(err, errlen, "%s: update rejected by %s for zone %s "
		    "(%s, TSIG BADKEY): the server knows no key named %s with "
		    "algorithm %s; define it there or fix the key name (Knot "
		    "also answers BADKEY when its ACL denies the update: check "
		    "the acl's update-type and update-owner)", m->subject, srv,
		    m->z->apex, rc, k->name, key_alg_name(k->alg));
		break;
	case TSIG_RCODE_BADTIME:
		snprintf(err, errlen, "%s: update rejected by %s for zone %s "
		    "(%s, TSIG BADTIME): clocks differ by %lld s; set this "
		    "machine's or the server's clock right (NTP)", m->subject,
		    srv, m->z->apex, rc, (long long)tr->skew);
		break;
	default:
		snprintf(err, errlen, "%s: update rejected by %s for zone %s "
		    "(%s, TSIG %s)", m->subject, srv, m->z->apex, rc,
		    tsig_error_name(tr->error));
		break;
	}
}

/* A non-NOERROR rcode (RFC 2136 2.2), in words, with the likely fix. */
static void
rcode_rejection(const struct update_msg *m, const ldns_pkt *p, int signed_reply,
    char *err, size_t errlen)
{
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
	const char *name = query_rcode_name(rc);
	const struct key *k = m->z->conf->key;
	const char *eff = m->l->items[m->members[0]].effective;
	char head[900];

	snprintf(head, sizeof(head),
	    "%s: update rejected by %s for zone %s (%s)", m->subject,
	    m->server->text, m->z->apex, name);
	switch (rc) {
	case LDNS_RCODE_REFUSED:
		snprintf(err, errlen,
		    "%s: key %s may not update TXT at %s; "
		    "grant it on the server (see contrib/bind, contrib/knot, "
		    "contrib/powerdns)%s",
		    head, k->name, eff,
		    signed_reply ? "" :
				   "; PowerDNS also answers an unsigned "
				   "REFUSED for every TSIG "
				   "failure (wrong secret, unknown key): its "
				   "log says which");
		break;
	case LDNS_RCODE_NOTAUTH:
		snprintf(err, errlen, "%s: the server is not authoritative for "
		    "zone %s or did not accept key %s's signature; check "
		    "server = and that the zone is loaded there", head,
		    m->z->apex, k->name);
		break;
	case LDNS_RCODE_NOTZONE:
		snprintf(err, errlen, "%s: %s is not in zone %s as the server "
		    "sees it; is it in a delegated child zone?", head, eff,
		    m->z->apex);
		break;
	case LDNS_RCODE_SERVFAIL:
		snprintf(err, errlen, "%s: the server could not apply the "
		    "update; its log says why (zone file or journal not "
		    "writable?)", head);
		break;
	case LDNS_RCODE_NOTIMPL:
		snprintf(err, errlen, "%s: the server does not take dynamic "
		    "updates; enable them (BIND update-policy, Knot acl "
		    "action: update, PowerDNS dnsupdate=yes)", head);
		break;
	default:
		snprintf(err, errlen, "%s", head);
		break;
	}
}

/* Checks the reply: TSIG first (a forged rcode must not be believed), then
 * rcode. */
static enum update_status
reply_check(const struct update_msg *m, const struct tsig_request *req,
    const uint8_t *wire, size_t len, char *err, size_t errlen)
{
	const struct key *k = m->z->conf->key;
	struct tsig_reply tr = { 0 };
	enum tsig_status ts;
	ldns_pkt *p = NULL;
	enum update_status st = UPDATE_ERR_REJECTED;

	if (dnsio_wire2pkt(&p, wire, len) != LDNS_STATUS_OK) {
		snprintf(err, errlen,
		    "%s: unreadable reply from %s for zone %s", m->subject,
		    m->server->text, m->z->apex);
		return UPDATE_ERR_REPLY;
	}
	ts = tsig_verify(k, req, wire, len, time(NULL), &tr);
	if (ts == TSIG_ERR_SERVER) {
		tsig_rejection(m, p, &tr, err, errlen);
	} else if (ts == TSIG_ERR_UNSIGNED &&
	    ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		/* RFC 8945 5.3.2: errors before TSIG processing come unsigned.
		 */
		rcode_rejection(m, p, 0, err, errlen);
	} else if (ts != TSIG_OK) {
		snprintf(err, errlen,
		    "%s: the reply from %s for zone %s fails "
		    "TSIG checks (%s, rcode %s); it is not trusted: is "
		    "something "
		    "between here and the server, or is the key %s wrong?",
		    m->subject, m->server->text, m->z->apex, tsig_strerror(ts),
		    query_rcode_name(ldns_pkt_get_rcode(p)), k->name);
		st = UPDATE_ERR_REPLY;
	} else if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		rcode_rejection(m, p, 1, err, errlen);
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
 * is none (or no answer), the config's ttl.
 */
static void
ttl_read(struct update_msg *m, const struct run_ctx *ctx)
{
	struct question *q = calloc(m->n, sizeof(*q));
	size_t *slot = calloc(m->n, sizeof(*slot)), nq = 0;
	struct dnsio_opts o;
	int asked = 0;

	/* One question per name: a wildcard and its base share one. */
	for (size_t i = 0; q != NULL && slot != NULL && i < m->n; i++) {
		const char *name = m->l->items[m->members[i]].effective;

		for (slot[i] = 0; slot[i] < nq; slot[i]++)
			if (strcmp(q[slot[i]].name, name) == 0)
				break;
		if (slot[i] < nq)
			continue;
		q[nq].name = name;
		q[nq].type = LDNS_RR_TYPE_TXT;
		q[nq++].server = &m->z->primaries[0];
	}
	if (q != NULL && slot != NULL) {
		run_ctx_io_opts(ctx, &o);
		asked = query_run(q, nq, &o) == 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct challenge *c = &m->l->items[m->members[i]];
		const ldns_pkt *p = asked ? q[slot[i]].reply : NULL;

		c->ttl =
		    p != NULL && ldns_pkt_aa(p) ? txt_ttl(p, c->effective) : 0;
		if (c->ttl == 0)
			c->ttl = ctx->cfg->ttl;
	}
	for (size_t i = 0; asked && i < nq; i++)
		question_clear(&q[i]);
	free(q);
	free(slot);
}

/* Sends one signed message to the primary's addresses in turn. */
static enum update_status
update_send(struct update_msg *m, const struct run_ctx *ctx, char *err,
    size_t errlen)
{
	struct tsig_request req;
	struct dnsio_query q = { 0 };
	struct dnsio_opts o;
	uint8_t *wire = NULL;
	size_t len;
	enum update_status st;

	ttl_read(m, ctx);
	/* ldns compresses names: halve until the real message fits (RFC
	 * 1035 4.2.2). */
	while (
	    (st = update_wire(m, &wire, &len)) == UPDATE_TOO_BIG && m->n > 1) {
		free(wire);
		wire = NULL;
		m->n = (m->n + 1) / 2;
	}
	subject_for(m);
	if (st != UPDATE_OK)
		goto build_failed;
	if (tsig_sign(m->z->conf->key, time(NULL), &wire, &len, &req) !=
	    TSIG_OK) {
		st = UPDATE_ERR_BUILD;
		goto build_failed;
	}
	st = UPDATE_ERR_TRANSPORT;
	for (size_t i = 0; i < m->z->n_primaries; i++) {
		q.server = &m->z->primaries[i];
		q.wire = wire;
		q.len = len;
		run_ctx_io_opts(ctx, &o);
		if (dnsio_exchange(&q, 1, &o) != DNSIO_OK) {
			st = UPDATE_ERR_NOMEM;
			goto build_failed;
		}
		if (q.status == DNSIO_OK) {
			m->server = q.server;
			st = reply_check(
			    m, &req, q.reply, q.reply_len, err, errlen);
			dnsio_query_clear(&q);
			goto out;
		}
		transport_failure(m, &q, q.server, err, errlen);
		dnsio_query_clear(&q);
	}
	goto out;
build_failed:
	snprintf(err, errlen, "%s: cannot build the UPDATE for zone %s (%s)",
	    m->subject, m->z->apex, st == UPDATE_ERR_NOMEM ? "out of memory" :
	    "message or signature");
out:
	free(wire);
	return st;
}

/* Which members do not yet show the change on the server that took it. */
static enum update_status
confirm_round(struct update_msg *m, const struct run_ctx *ctx,
    size_t *pending, size_t *n_pending)
{
	struct question *q;
	struct dnsio_opts o;
	size_t kept = 0;

	if ((q = calloc(*n_pending, sizeof(*q))) == NULL)
		return UPDATE_ERR_NOMEM;
	for (size_t i = 0; i < *n_pending; i++) {
		q[i].name = m->l->items[pending[i]].effective;
		q[i].type = LDNS_RR_TYPE_TXT;
		q[i].server = m->server;
	}
	run_ctx_io_opts(ctx, &o);
	if (query_run(q, *n_pending, &o) == -1) {
		free(q);
		return UPDATE_ERR_NOMEM;
	}
	for (size_t i = 0; i < *n_pending; i++) {
		const struct challenge *c = &m->l->items[pending[i]];
		int has = q[i].reply != NULL &&
		    query_txt_has(q[i].reply, c->effective, c->value);

		if (q[i].reply == NULL || has != (m->op == UPDATE_ADD))
			pending[kept++] = pending[i];
		question_clear(&q[i]);
	}
	free(q);
	*n_pending = kept;
	return UPDATE_OK;
}

static void
not_applied(const struct update_msg *m, const struct challenge *c, char *err,
    size_t errlen)
{
	char subj[560];

	challenge_subject(c, subj, sizeof(subj));
	if (m->op == UPDATE_ADD)
		snprintf(err, errlen,
		    "%s: %s answered NOERROR for zone %s but "
		    "does not serve the value at %s: the update was not "
		    "applied; "
		    "likely a CNAME at that name (BIND ignores TXT there) or a "
		    "policy that skips updates it denies (PowerDNS "
		    "lua-dnsupdate-policy-script): let key %s write TXT at %s",
		    subj, m->server->text, m->z->apex, c->effective,
		    m->z->conf->key->name, c->effective);
	else
		snprintf(err, errlen,
		    "%s: %s answered NOERROR for zone %s but "
		    "still serves the value at %s: the removal was not "
		    "applied; "
		    "likely a policy that skips updates it denies (PowerDNS "
		    "lua-dnsupdate-policy-script): let key %s delete TXT at %s",
		    subj, m->server->text, m->z->apex, c->effective,
		    m->z->conf->key->name, c->effective);
}

/* Confirms on the primary, with a few quick retries for servers that apply
 * late. */
static enum update_status
update_confirm(struct update_msg *m, const struct run_ctx *ctx, char *err,
    size_t errlen)
{
	size_t *pending, n_pending = m->n;
	unsigned delay = CONFIRM_FIRST_MS;
	enum update_status st = UPDATE_OK;

	if ((pending = malloc(m->n * sizeof(*pending))) == NULL)
		return UPDATE_ERR_NOMEM;
	memcpy(pending, m->members, m->n * sizeof(*pending));
	for (int t = 0; t < CONFIRM_TRIES && n_pending > 0; t++) {
		if (t > 0) {
			struct timespec ts = { 0, (long)delay * 1000000L };

			nanosleep(&ts, NULL);
			delay *= 2;
		}
		if ((st = confirm_round(m, ctx, pending, &n_pending)) !=
		    UPDATE_OK)
			goto out;
	}
	if (n_pending > 0) {
		not_applied(m, &m->l->items[pending[0]], err, errlen);
		st = UPDATE_ERR_NOT_APPLIED;
	}
out:
	free(pending);
	return st;
}

enum update_status
update_zone(const struct run_ctx *ctx, const struct zone_target *z,
    struct challenge_list *l, enum update_op op, char *err, size_t errlen)
{
	enum update_status st = UPDATE_OK;

	for (size_t first = 0; first < z->n_members && st == UPDATE_OK; ) {
		/* As many as fit in one message: update_send may take fewer. */
		struct update_msg m = {
			.z = z, .l = l, .op = op,
			.members = &z->members[first],
			.n = z->n_members - first,
		};

		if ((st = update_send(&m, ctx, err, errlen)) == UPDATE_OK)
			st = update_confirm(&m, ctx, err, errlen);
		if (st == UPDATE_ERR_NOMEM)
			snprintf(err, errlen, "%s: out of memory", m.subject);
		first += m.n;
	}
	return st;
}
