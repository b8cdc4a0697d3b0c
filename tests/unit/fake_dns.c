/* SPDX-License-Identifier: ISC */
/* fake_dns: the scripted transport (see fake_dns.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "dnsio.h"
#include "fake_dns.h"

#define FAKE_LOG	512

static const struct fake_entry	*fake_script;
static size_t			 fake_n;
static size_t			 fake_total;
static struct {
	char		server[DNSIO_SERVER_TEXT];
	char		name[256];
	ldns_rr_type	type;
} fake_log[FAKE_LOG];
static uint8_t			*fake_last;
static size_t			 fake_last_len;

static int
push_rrs(ldns_pkt *p, ldns_pkt_section s, const char *const *rrs,
    const ldns_rdf *owner)
{
	for (size_t i = 0; i < FAKE_MAX_RRS && rrs[i] != NULL; i++) {
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, rrs[i], 3600, NULL, NULL) !=
		    LDNS_STATUS_OK)
			return -1;
		if (owner != NULL) {
			ldns_rdf_deep_free(ldns_rr_owner(rr));
			ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
		}
		ldns_pkt_push_rr(p, s, rr);
	}
	return 0;
}

static int
entry_matches(const struct fake_entry *e, const struct dnsio_query *q,
    const ldns_rr *question)
{
	ldns_rdf *want = NULL;
	int ok = 1;

	if (e->server != NULL && strcmp(e->server, q->server->text) != 0)
		return 0;
	if (e->qtype != 0 && e->qtype != ldns_rr_get_type(question))
		return 0;
	if (e->qname != NULL) {
		if (ldns_str2rdf_dname(&want, e->qname) != LDNS_STATUS_OK)
			return 0;
		ok = ldns_dname_compare(want, ldns_rr_owner(question)) == 0;
		ldns_rdf_deep_free(want);
	}
	return ok;
}

static void
log_question(const struct dnsio_query *q, const ldns_rr *question)
{
	char *s = ldns_rdf2str(ldns_rr_owner(question));

	/* FAKE_DNS_TRACE=1: every question on stderr, for writing scripts. */
	if (getenv("FAKE_DNS_TRACE") != NULL)
		fprintf(stderr, "fake_dns: %s %s %d\n", q->server->text,
		    s != NULL ? s : "?", (int)ldns_rr_get_type(question));
	if (fake_total < FAKE_LOG && s != NULL) {
		snprintf(fake_log[fake_total].server,
		    sizeof(fake_log[0].server), "%s", q->server->text);
		snprintf(fake_log[fake_total].name, sizeof(fake_log[0].name),
		    "%s", s);
		fake_log[fake_total].type = ldns_rr_get_type(question);
	}
	free(s);
	fake_total++;
}

static void
answer_one(struct dnsio_query *q)
{
	ldns_pkt *query = NULL, *reply = NULL;
	const struct fake_entry *e = NULL;
	ldns_rr *question;

	q->status = DNSIO_TIMEOUT;
	free(fake_last);
	fake_last = malloc(q->len);
	if (fake_last != NULL)
		memcpy(fake_last, q->wire, q->len);
	fake_last_len = q->len;
	if (ldns_wire2pkt(&query, q->wire, q->len) != LDNS_STATUS_OK)
		return;
	question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	log_question(q, question);
	for (size_t i = 0; i < fake_n && e == NULL; i++)
		if (entry_matches(&fake_script[i], q, question))
			e = &fake_script[i];
	if (e == NULL || e->outcome == FAKE_TIMEOUT)
		goto out;
	if (e->outcome == FAKE_REFUSED_CONN) {
		q->status = DNSIO_NETERR;
		q->err = ECONNREFUSED;
		goto out;
	}
	if (e->respond != NULL) {
		if (e->respond(q->wire, q->len, &q->reply, &q->reply_len) == 0)
			q->status = DNSIO_OK;
		goto out;
	}
	reply = ldns_pkt_new();
	ldns_pkt_set_id(reply, ldns_pkt_id(query));
	ldns_pkt_set_qr(reply, true);
	ldns_pkt_set_opcode(reply, ldns_pkt_get_opcode(query));
	ldns_pkt_set_aa(reply, e->aa != 0);
	ldns_pkt_set_rcode(reply, (uint8_t)e->rcode);
	ldns_pkt_push_rr(reply, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
	if (push_rrs(reply, LDNS_SECTION_ANSWER, e->answer, e->synthesize ?
	    ldns_rr_owner(question) : NULL) == -1 ||
	    push_rrs(reply, LDNS_SECTION_AUTHORITY, e->authority, NULL) == -1 ||
	    push_rrs(reply, LDNS_SECTION_ADDITIONAL, e->additional, NULL) == -1)
		goto out;
	if (ldns_pkt2wire(&q->reply, reply, &q->reply_len) == LDNS_STATUS_OK)
		q->status = DNSIO_OK;
out:
	ldns_pkt_free(query);
	ldns_pkt_free(reply);
}

static enum dnsio_status
fake_exchange(struct dnsio_query *q, size_t n, const struct dnsio_opts *o)
{
	(void)o;
	for (size_t i = 0; i < n; i++) {
		q[i].udp_sends = 1;
		answer_one(&q[i]);
	}
	return DNSIO_OK;
}

static const struct dnsio_ops fake_ops = { fake_exchange };

void
fake_dns_install(const struct fake_entry *script, size_t n)
{
	fake_script = script;
	fake_n = n;
	fake_total = 0;
	dnsio_transport = &fake_ops;
}

void
fake_dns_uninstall(void)
{
	dnsio_transport = &dnsio_socket_ops;
	fake_script = NULL;
	fake_n = fake_total = 0;
	free(fake_last);
	fake_last = NULL;
}

size_t
fake_dns_count(void)
{
	return fake_total;
}

size_t
fake_dns_count_for(const char *server, const char *qname, ldns_rr_type qtype)
{
	size_t c = 0;

	for (size_t i = 0; i < fake_total && i < FAKE_LOG; i++)
		if ((server == NULL || strcmp(fake_log[i].server, server) == 0) &&
		    (qname == NULL || strcasecmp(fake_log[i].name, qname) == 0) &&
		    (qtype == 0 || fake_log[i].type == qtype))
			c++;
	return c;
}

const uint8_t *
fake_dns_last(size_t *len)
{
	*len = fake_last_len;
	return fake_last;
}
