/* SPDX-License-Identifier: ISC */
/*
 * failure: what went wrong, as data. A stage that fails fills one struct
 * failure and returns its status; report.c is the one place that turns a
 * failure into words (a line for stderr, or the parts of a `check`
 * finding). No stage writes advice, and no code branches on message text.
 */
#ifndef ACME_NSUPDATE_FAILURE_H
#define ACME_NSUPDATE_FAILURE_H

#include <stddef.h>
#include <stdint.h>

#include "dnsio.h"

/* What failed: decides the words and the fix (report.c's table). */
enum failure_cause {
	FAIL_NONE = 0,
	FAIL_NOMEM,
	/* chain.c, zones.c: following the name */
	FAIL_CHAIN_LOOP,		/* detail: the chain, looping */
	/* detail: the chain; count: the limit */
	FAIL_CHAIN_LONG,
	FAIL_CHAIN_REFERRALS,		/* count: the limit; zone: where */
	FAIL_CHAIN_SERVFAIL,		/* server, qname, zone */
	FAIL_CHAIN_HOP,			/* server, qname, zone; reason */
	FAIL_ZONE_SERVERS,		/* zone; reason */
	FAIL_ZONE_OF_NAME,		/* qname; reason */
	/* name, effective; detail: the hint's name */
	FAIL_HINT_MISMATCH,
	/* resolve.c: the zone and its servers */
	FAIL_ZONE_NOT_CONFIGURED,	/* zone, detail: chain */
	FAIL_ZONE_OTHER_SECTION,	/* zone, other_zone, line, detail */
	FAIL_PRIMARY_UNKNOWN,		/* zone; reason */
	FAIL_PRIMARY_NO_ADDRESS,	/* zone, host; reason */
	FAIL_PRIMARY_NOT_SERVING,	/* zone, host, server; reason */
	FAIL_PRIMARY_SILENT,		/* zone, host, server; reason */
	FAIL_NO_AUTHS,			/* zone */
	/* update.c: the UPDATE and its confirmation */
	FAIL_UPDATE_BUILD,		/* zone */
	FAIL_UPDATE_SILENT,		/* zone, server; reason */
	FAIL_UPDATE_UNREADABLE,		/* zone, server */
	FAIL_UPDATE_BADSIG,		/* zone, server, key; reason */
	FAIL_UPDATE_BADKEY,
	FAIL_UPDATE_BADTIME,		/* ... and skew */
	/* unsigned, no server time: skew unknown */
	FAIL_UPDATE_BADTIME_UNSIGNED,
	FAIL_UPDATE_TSIG_OTHER,
	FAIL_REPLY_TSIG,		/* the reply fails our TSIG checks */
	FAIL_UPDATE_REFUSED,		/* signed REFUSED: the grant */
	FAIL_UPDATE_REFUSED_UNSIGNED,	/* unsigned REFUSED: grant or key */
	FAIL_UPDATE_NOTAUTH,
	FAIL_UPDATE_NOTZONE,
	FAIL_UPDATE_SERVFAIL,
	FAIL_UPDATE_NOTIMP,
	FAIL_UPDATE_RCODE,		/* any other rcode */
	FAIL_NOT_APPLIED_ADD,		/* NOERROR, value not served */
	FAIL_NOT_APPLIED_REMOVE,	/* NOERROR, value still served */
	FAIL_CONFIRM_SILENT,		/* the confirming query got no answer */
	/* gss.c: GSS-TSIG (struct gss_failure mapped by gss_failure_to) */
	FAIL_GSS_NO_CREDS,		/* principal */
	FAIL_GSS_CLIENT_UNKNOWN,	/* principal, realm, kdc */
	FAIL_GSS_KDC_UNREACHABLE,	/* realm, kdc, server_principal */
	FAIL_GSS_SKEW,			/* realm, kdc, server */
	FAIL_GSS_SERVER_UNKNOWN,	/* server_principal */
	FAIL_GSS_OTHER,			/* principal, server_principal */
	FAIL_GSS_TKEY_SILENT,		/* server */
	FAIL_GSS_TKEY_REFUSED,		/* server, rcode, tsig_error */
	FAIL_GSS_TKEY_FORMERR,		/* server */
	FAIL_GSS_TKEY_BADREPLY,		/* server, detail */
	FAIL_GSS_UPDATE_REFUSED,	/* server, principal */
	FAIL_GSS_UPDATE_BADTIME,	/* server, rcode, principal */
	FAIL_GSS_UPDATE_BADKEY,		/* server, rcode, principal */
	FAIL_GSS_UPDATE_TSIG,		/* server, rcode, tsig_error */
	FAIL_GSS_UPDATE_SERVFAIL,	/* server, principal */
	FAIL_GSS_UPDATE_RCODE,		/* server, rcode */
	FAIL_GSS_REPLY_UNVERIFIED,	/* server, detail, rcode */
	/* check (check.c's probes and lookups) */
	FAIL_KEY_REFUSED_UNSIGNED,	/* zone, server, key: PowerDNS */
	FAIL_CAA_LOOKUP,		/* qname; reason */
	FAIL_DNSSEC_LOOKUP,		/* zone, qname; reason */
	/* wait.c */
	FAIL_WAIT_SERVED,		/* detail: who does not serve it yet */
	FAIL_WAIT_GONE,			/* detail: who still serves it */
	/* spool.c, journal.c: the state directory (qname: its path) */
	FAIL_STATE_DIR_OPEN,		/* io_errno */
	FAIL_STATE_DIR_LINK,		/* a symbolic link */
	FAIL_STATE_DIR_OWNER,		/* count: its owner; line: our uid */
	FAIL_STATE_DIR_MODE,		/* count: its mode */
	FAIL_JOURNAL_WRITE,		/* io_errno; name, effective */
	FAIL_CAUSE_COUNT
};

/* What was observed: the "(REASON)" of a message. */
enum failure_reason {
	REASON_NONE = 0,
	REASON_NOMEM,
	REASON_TRANSPORT,	/* rserver: status/err/tries */
	REASON_RCODE,		/* rcode */
	REASON_NOT_AUTH,	/* an answer without AA */
	REASON_NO_SOA,		/* authoritative, but no SOA at the apex */
	REASON_NO_USABLE,	/* aa: neither alias, zone nor referral */
	REASON_NO_NS_ADDRESS,	/* no address for any NS of zone */
	REASON_RESOLVER_SILENT,	/* rserver: status/err */
	REASON_RESOLVER_RCODE,	/* rserver, rqname, rcode */
	REASON_RESOLVER_NO_SOA,	/* rqname */
	REASON_NO_ADDRESS,	/* rqname has neither A nor AAAA */
	REASON_TSIG,		/* rcode, tsig_error */
	REASON_TSIG_CHECK	/* tsig_check (tsig.h enum), rcode */
};

struct failure {
	enum failure_cause	 cause;
	/* the subject: a challenge, else the zone, else qname */
	char			*name;		/* owned: challenge name */
	char			*effective;	/* owned: effective name */
	/* other challenges in the message */
	size_t			 more;
	char			*zone;		/* owned: apex */
	char			*qname;		/* owned: the name asked */
	/* owned: a server's host name */
	char			*host;
	struct dns_server	 server;	/* valid if has_server */
	int			 has_server;
	/* the reason */
	enum failure_reason	 reason;
	/* resolver or server behind reason */
	struct dns_server	 rserver;
	int			 has_rserver;
	char			*rqname;	/* owned */
	enum dnsio_status	 io_status;
	int			 io_errno;
	unsigned		 tries;
	int			 rcode;		/* -1: none */
	int			 aa;
	/* RFC 8945 error field, 0: none */
	int			 tsig_error;
	/* enum tsig_status of our check */
	int			 tsig_check;
	/* server time less ours, seconds */
	int64_t			 skew;
	/* context for the fix */
	const char		*key_name;	/* borrowed from the config */
	const char		*key_alg;	/* borrowed, static */
	const char		*config_path;	/* borrowed */
	/* owned: a [zone] that differs */
	char			*other_zone;
	int			 line;		/* its line */
	unsigned		 count;		/* a limit that was reached */
	unsigned		 timeout;	/* seconds */
	int			 uncovered;	/* no [zone] covers the name */
	/* owned: a chain, a server list */
	char			*detail;
	/* GSS-TSIG */
	/* owned: the client principal */
	char			*principal;
	char			*server_principal;	/* owned */
	char			*realm;		/* owned */
	/* owned: the realm's KDC addresses */
	char			*kdc;
	/* owned: a library's own words, after ours */
	char			*status_text;
};

/* Frees the owned strings and zeroes F (rcode -1). Accepts NULL. */
void	failure_clear(struct failure *f);
/* Zeroes F for use (rcode -1); owns nothing yet. */
void	failure_init(struct failure *f);

/*
 * Setters that copy: each replaces what was there. They return 0, or -1
 * when out of memory (F's cause becomes FAIL_NOMEM).
 */
int	failure_set(char **field, struct failure *f, const char *value);
/* The subject: challenge NAME at EFFECTIVE, with MORE others. */
int	failure_subject(struct failure *f, const char *name,
	    const char *effective, size_t more);
/* Sets the server. */
void	failure_server(struct failure *f, const struct dns_server *s);

/* Moves SRC into DST (DST cleared first); SRC is left cleared. */
void	failure_move(struct failure *dst, struct failure *src);

#endif
