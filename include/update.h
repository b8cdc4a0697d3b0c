/* SPDX-License-Identifier: ISC */
/*
 * update: RFC 2136 UPDATEs for one zone: build with ldns, sign (tsig),
 * send to the primary (dnsio), verify the reply's TSIG, read the rcode, and
 * confirm by query on the primary that the change is really there.
 */
#ifndef ACME_NSUPDATE_UPDATE_H
#define ACME_NSUPDATE_UPDATE_H

#include "challenge.h"
#include "ctx.h"
#include "failure.h"
#include "plan.h"
#include "tsig.h"

enum update_op {
	UPDATE_ADD,	/* RFC 2136 2.5.1: add to an RRset */
	UPDATE_REMOVE	/* RFC 2136 2.5.4: delete one RR from an RRset */
};

enum update_status {
	UPDATE_OK = 0,
	UPDATE_ERR_NOMEM,
	/* ldns or signing could not build the message */
	UPDATE_ERR_BUILD,
	UPDATE_ERR_TRANSPORT,	/* no answer / connection refused */
	UPDATE_ERR_REJECTED,	/* rcode or TSIG error from the server */
	UPDATE_ERR_REPLY,	/* the reply's TSIG does not verify */
	/* NOERROR, but the primary does not serve the change */
	UPDATE_ERR_NOT_APPLIED,
	/* NOERROR, but the primary did not answer the check */
	UPDATE_ERR_UNCONFIRMED
};

/*
 * 1 if the server may hold the change after status ST (the message went
 * out and was not clearly refused): a failed add must then be undone.
 */
int	update_may_have_applied(enum update_status st);

/*
 * Applies OP for every challenge of zone Z (indices in Z->members into L):
 * as few UPDATE messages as fit in 64 KiB each, sent to the first primary
 * address that answers, then confirmed on that address. Each challenge's
 * ttl is set to the TTL of its TXT RRset: a value added where TXT records
 * exist takes theirs, so that they keep it (BIND and Knot give a whole
 * RRset the TTL of a record added to it); where there is none, DEFAULT_TTL.
 * On failure F says what failed, where, and the server's answer.
 */
enum update_status	update_zone(const struct ctx *ctx,
			    const struct zone_target *z,
			    struct challenge_list *l, enum update_op op,
			    unsigned default_ttl, struct failure *f);

/* What a probe of `check` proves; neither changes anything. */
enum update_probe {
	/*
	 * RFC 2136 2.4.1: a prerequisite only, "the apex SOA RRset exists":
	 * it holds, so NOERROR proves key name, secret, algorithm and clock.
	 */
	UPDATE_PROBE_KEY,
	/*
	 * RFC 2136 2.5.4: delete (class NONE) a TXT value that cannot exist
	 * at the first member's effective name: NOERROR means the key may
	 * write there; the zone is left as it was either way.
	 */
	UPDATE_PROBE_GRANT
};

/*
 * Sends probe KIND for zone Z (signed as update_zone signs) to the first
 * primary address that answers and checks the reply as update_zone does
 * (TSIG first, then the rcode). Z's first member (an index into L) is the
 * subject. TR receives the reply's TSIG details (its skew) as far as they
 * were read. On failure F says what failed, as for update_zone.
 */
enum update_status	update_probe(const struct ctx *ctx,
			    const struct zone_target *z,
			    struct challenge_list *l, enum update_probe kind,
			    struct tsig_reply *tr, struct failure *f);

#endif
