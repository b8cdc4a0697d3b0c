/* SPDX-License-Identifier: ISC */
/*
 * gss: GSS-TSIG (RFC 3645) through GSS-API (MIT Kerberos). Credentials
 * from a keytab into a private in-memory ccache, or the user's ccache; a
 * security context negotiated with TKEY (RFC 2930 4.1, mode 3) over TCP;
 * UPDATEs signed and their replies verified with it (tsig.c's TSIG code,
 * MAC = gss_get_mic); the context deleted at the end (TKEY mode 5).
 * What goes wrong is data (struct gss_failure); gss_failure_to maps it to
 * one place it becomes words.
 */
#ifndef ACME_NSUPDATE_GSS_H
#define ACME_NSUPDATE_GSS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dnsio.h"
#include "failure.h"
#include "tsig.h"

/* One negotiated context and the credentials behind it (opaque). */
struct gss_tsig;

enum gss_failure_kind {
	GSS_FAIL_NONE = 0,
	GSS_FAIL_NOMEM,
	/* no ticket / expired, keytab without the key */
	GSS_FAIL_NO_CREDS,
	GSS_FAIL_CLIENT_UNKNOWN, /* the KDC does not know the principal */
	GSS_FAIL_KDC_UNREACHABLE, /* no KDC of the realm answered */
	GSS_FAIL_SKEW,		/* clock skew with the KDC or the server */
	/* the KDC does not know the server principal */
	GSS_FAIL_SERVER_UNKNOWN,
	GSS_FAIL_GSS,		/* another GSS-API failure: see major/minor */
	GSS_FAIL_TKEY_NOANSWER,	/* no answer to the TKEY query */
	GSS_FAIL_TKEY_REFUSED,	/* the server refused the negotiation */
	GSS_FAIL_TKEY_FORMERR,	/* ... with FORMERR: the other TKEY form */
	GSS_FAIL_TKEY_BADREPLY,	/* a TKEY reply malformed, or its TSIG fails */
	/* REFUSED: the principal may not write there */
	GSS_FAIL_UPDATE_REFUSED,
	/* the server's TSIG error: BADSIG, BADKEY, ... */
	GSS_FAIL_UPDATE_TSIG,
	GSS_FAIL_UPDATE_SERVFAIL, /* SERVFAIL: Samba, Windows: not the owner */
	GSS_FAIL_UPDATE_RCODE,	/* another rcode than NOERROR */
	GSS_FAIL_REPLY_UNVERIFIED /* the UPDATE reply's MIC does not verify */
};

/* What went wrong, as far as it is known ("" and 0: unknown). Plain data. */
struct gss_failure {
	enum gss_failure_kind kind;
	int		 has_status;	/* major/minor below are set */
	uint32_t	 major;		/* GSS-API major status */
	uint32_t	 minor;		/* mechanism (krb5) minor status */
	uint16_t	 rcode;		/* the reply's DNS rcode */
	uint16_t	 tsig_error;	/* the TKEY or TSIG error field */
	/* BADTIME: server clock - ours, seconds */
	int64_t		 skew;
	char		 principal[256];	/* the client principal */
	char		 server_principal[256];
	char		 realm[128];	/* the realm whose KDC was asked */
	/* that realm's kdc = lines, blank separated */
	char		 kdc[128];
	char		 server[DNSIO_SERVER_TEXT];	/* the DNS server */
	char		 detail[160];	/* tsig_strerror() or a parse problem */
};

/*
 * Acquires credentials as zone ZC says (keytab and principal; else the
 * keytab named by KRB5_CLIENT_KTNAME; else the user's ccache; a keytab's
 * tickets go to the private ccache "MEMORY:acme-nsupdate-<pid>", never to a
 * file) and negotiates a context with the primary: TKEY queries over TCP to
 * the first of the N addresses SERVERS (borrowed) that answers, within O,
 * until gss_init_sec_context is complete and has verified the server's
 * final token (mutual authentication), and the TSIG of the last TKEY reply
 * verifies where the server signed it. The target is ZC->server_principal,
 * else the host-based service DNS@PRIMARY_NAME (trailing dot ignored).
 * Returns 0 and *OUT, a context the caller ends with gss_tsig_delete and
 * frees with gss_tsig_free; or -1 with *F filled and *OUT NULL.
 */
int	gss_tsig_negotiate(const struct zone_conf *zc, const char *primary_name,
	    const struct dns_server *servers, size_t n,
	    const struct dnsio_opts *o, struct gss_tsig **out,
	    struct gss_failure *f);

/*
 * Signs the UPDATE in *WIRE as tsig_sign does (same contract: *WIRE
 * realloc'd, *LEN updated, REQ filled), with the context: algorithm
 * gss-tsig (gss.microsoft.com for gss_tsig = microsoft), MAC gss_get_mic.
 */
enum tsig_status gss_tsig_sign(struct gss_tsig *g, time_t now, uint8_t **wire,
		    size_t *len, struct tsig_request *req);

/*
 * Checks the reply WIRE (LEN bytes, borrowed) from FROM to a request
 * signed with gss_tsig_sign (REQ): its TSIG verified with gss_verify_mic
 * (and every check tsig_verify makes) before its rcode is believed.
 * Where the MIC fails, it is tried once more over the variant input of
 * Samba before 4.21 and Windows (the request MAC without its length),
 * said at -v. An error rcode that comes unsigned, or as Samba sends it (our
 * request sent back, our own TSIG in it), is the server's word, unproved.
 * Returns 0 for a verified NOERROR, else -1 with *F filled.
 */
int	gss_tsig_check_reply(struct gss_tsig *g, const struct tsig_request *req,
	    const uint8_t *wire, size_t len, time_t now,
	    const struct dns_server *from, struct gss_failure *f);

/*
 * Asks the server that negotiated G to delete the context (RFC 2930 4.2,
 * TKEY mode 5, signed), within O; the outcome is said at -v only (a
 * context the server keeps expires there on its own). Accepts NULL.
 */
void	gss_tsig_delete(struct gss_tsig *g, const struct dnsio_opts *o);

/*
 * Releases every GSS-API object of G and destroys its private ccache.
 * Accepts NULL.
 */
void	gss_tsig_free(struct gss_tsig *g);

/* The client principal of G, as GSS-API displays it (borrowed from G). */
const char	*gss_tsig_principal(const struct gss_tsig *g);

/*
 * Fills F (its cause and the GSS-TSIG fields; the subject and zone are the
 * caller's) from GF, the raw GSS-API status in F's status_text; report.c
 * words it. Returns 0, or -1 when out of memory.
 */
int	gss_failure_to(const struct gss_failure *gf, struct failure *f);

#endif
