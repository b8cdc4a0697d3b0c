/* SPDX-License-Identifier: ISC */
/*
 * gss: GSS-TSIG (RFC 3645) with MIT Kerberos through GSS-API. Credentials
 * (3.1.1 leaves their source to the client), the TKEY negotiation (3.1,
 * RFC 2930 4.1 mode 3) over TCP, signing and verifying with gss_get_mic /
 * gss_verify_mic through tsig.c (4), and the context deleted (RFC 2930
 * 4.2, mode 5). No Kerberos of our own: libgssapi_krb5 does all of it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <ldns/ldns.h>
#include <profile.h>

#include "config.h"
#include "dnsio.h"
#include "failure.h"
#include "gss.h"
#include "msg.h"
#include "tsig.h"

/* RFC 2930 2.5: TKEY modes. */
#define TKEY_MODE_GSSAPI	3
#define TKEY_MODE_DELETE	5
/* Round trips a Kerberos negotiation needs: one (AP-REQ, AP-REP); room. */
#define GSS_MAX_ROUNDS		4
/* Asked for; the server decides (RFC 2930 2.3). */
#define GSS_LIFETIME		3600

/* RFC 3645 2.1: SPNEGO, so that servers pick Kerberos as Windows does. */
static gss_OID_desc gss_spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

struct gss_tsig {
	gss_cred_id_t	 cred;
	gss_ctx_id_t	 ctx;
	gss_name_t	 target;
	gss_name_t	 client;	/* principal = as given, or none */
	/* borrowed (config or environ), or NULL */
	const char	*keytab;
	char		*key_name;	/* owned: the TKEY key name, absolute */
	const char	*alg_name;	/* static: "gss-tsig." ... */
	int		 microsoft;	/* TKEY in the answer section */
	int		 private_ccache; /* ccache below is ours to destroy */
	char		 ccache[64];	/* "MEMORY:acme-nsupdate-<pid>" */
	char		 principal[256];
	struct dns_server server;	/* the one that negotiated */
	struct tsig_signer signer;
	/*
	 * Set only while a reply is checked a second time: the request whose
	 * MAC leads the digest input without its length (see
	 * gss_tsig_check_reply); NULL otherwise.
	 */
	const struct tsig_request *unprefixed;
	int		 said_unprefixed; /* said at -v once per context */
};

/* --- GSS-API status and words -------------------------------------------- */

/* gss_display_status for one kind of status, joined into BUF. */
static void
gss_status_text(OM_uint32 code, int type, const gss_OID mech, char *buf,
    size_t len)
{
	OM_uint32	 minor, more = 0;
	gss_buffer_desc	 text = GSS_C_EMPTY_BUFFER;
	size_t		 used = 0;

	buf[0] = '\0';
	do {
		if (GSS_ERROR(gss_display_status(&minor, code, type, mech,
		    &more, &text)))
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%.*s",
		    used > 0 ? ", " : "", (int)text.length,
		    (const char *)text.value);
		gss_release_buffer(&minor, &text);
	} while (more != 0 && used < len);
}

/* The realm of PRINCIPAL, else the default realm; its kdc = lines. */
static void
gss_kdc_lookup(const char *principal, struct gss_failure *f)
{
	krb5_context	 kc = NULL;
	profile_t	 prof = NULL;
	char		*def = NULL, **vals = NULL;
	const char	*at = principal != NULL ? strrchr(principal, '@') :
	    NULL;
	const char	*names[4];
	size_t		 used = 0;

	if (krb5_init_context(&kc) != 0)
		return;
	if (at != NULL && at[1] != '\0')
		snprintf(f->realm, sizeof(f->realm), "%s", at + 1);
	else if (krb5_get_default_realm(kc, &def) == 0)
		snprintf(f->realm, sizeof(f->realm), "%s", def);
	if (f->realm[0] == '\0' || krb5_get_profile(kc, &prof) != 0)
		goto out;
	names[0] = "realms";
	names[1] = f->realm;
	names[2] = "kdc";
	names[3] = NULL;
	if (profile_get_values(prof, names, &vals) != 0)
		goto out;
	for (size_t i = 0; vals[i] != NULL && used < sizeof(f->kdc); i++)
		used += (size_t)snprintf(f->kdc + used, sizeof(f->kdc) - used,
		    "%s%s", i > 0 ? " " : "", vals[i]);
out:
	if (vals != NULL)
		profile_free_list(vals);
	if (prof != NULL)
		profile_release(prof);
	krb5_free_default_realm(kc, def);
	krb5_free_context(kc);
}

/*
 * What a failed GSS-API call means for the user. The krb5 mechanism's
 * minor status is a krb5 error code (com_err); the major status names the
 * general case where the minor one is not telling.
 */
static enum gss_failure_kind
gss_classify(OM_uint32 major, OM_uint32 minor)
{
	switch ((krb5_error_code)(int32_t)minor) {
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return GSS_FAIL_CLIENT_UNKNOWN;
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return GSS_FAIL_SERVER_UNKNOWN;
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_UNKNOWN:
	case KRB5_REALM_CANT_RESOLVE:
		return GSS_FAIL_KDC_UNREACHABLE;
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5KDC_ERR_NEVER_VALID:
		return GSS_FAIL_SKEW;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
	case KRB5_PREAUTH_FAILED:
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case ENOENT:
		return GSS_FAIL_NO_CREDS;
	default:
		break;
	}
	if (GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED ||
	    GSS_ROUTINE_ERROR(major) == GSS_S_CREDENTIALS_EXPIRED)
		return GSS_FAIL_NO_CREDS;
	return GSS_FAIL_GSS;
}

static void
gss_fail_status(struct gss_failure *f, OM_uint32 major, OM_uint32 minor)
{
	f->kind = gss_classify(major, minor);
	f->has_status = 1;
	f->major = major;
	f->minor = minor;
	if (f->kind == GSS_FAIL_KDC_UNREACHABLE || f->kind == GSS_FAIL_SKEW ||
	    f->kind == GSS_FAIL_CLIENT_UNKNOWN)
		gss_kdc_lookup(f->principal[0] != '\0' ? f->principal : NULL,
		    f);
}

static const char *
gss_rcode_name(uint16_t rcode)
{
	static char		 buf[16];
	const ldns_lookup_table	*lt = ldns_lookup_by_id(ldns_rcodes,
	    rcode);

	if (lt != NULL)
		return lt->name;
	snprintf(buf, sizeof(buf), "RCODE%u", (unsigned)rcode);
	return buf;
}

int
gss_failure_to(const struct gss_failure *gf, struct failure *f)
{
	static const struct {
		enum gss_failure_kind	kind;
		enum failure_cause	cause;
	} causes[] = {
		{ GSS_FAIL_NOMEM, FAIL_NOMEM },
		{ GSS_FAIL_NO_CREDS, FAIL_GSS_NO_CREDS },
		{ GSS_FAIL_CLIENT_UNKNOWN, FAIL_GSS_CLIENT_UNKNOWN },
		{ GSS_FAIL_KDC_UNREACHABLE, FAIL_GSS_KDC_UNREACHABLE },
		{ GSS_FAIL_SKEW, FAIL_GSS_SKEW },
		{ GSS_FAIL_SERVER_UNKNOWN, FAIL_GSS_SERVER_UNKNOWN },
		{ GSS_FAIL_GSS, FAIL_GSS_OTHER },
		{ GSS_FAIL_TKEY_NOANSWER, FAIL_GSS_TKEY_SILENT },
		{ GSS_FAIL_TKEY_REFUSED, FAIL_GSS_TKEY_REFUSED },
		{ GSS_FAIL_TKEY_FORMERR, FAIL_GSS_TKEY_FORMERR },
		{ GSS_FAIL_TKEY_BADREPLY, FAIL_GSS_TKEY_BADREPLY },
		{ GSS_FAIL_UPDATE_REFUSED, FAIL_GSS_UPDATE_REFUSED },
		{ GSS_FAIL_UPDATE_TSIG, FAIL_GSS_UPDATE_TSIG },
		{ GSS_FAIL_UPDATE_SERVFAIL, FAIL_GSS_UPDATE_SERVFAIL },
		{ GSS_FAIL_UPDATE_RCODE, FAIL_GSS_UPDATE_RCODE },
		{ GSS_FAIL_REPLY_UNVERIFIED, FAIL_GSS_REPLY_UNVERIFIED },
	};
	char maj[256], min[256], *status = NULL;
	int rc = 0;

	f->cause = FAIL_GSS_OTHER;
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (causes[i].kind == gf->kind)
			f->cause = causes[i].cause;
	if (f->cause == FAIL_GSS_UPDATE_TSIG &&
	    gf->tsig_error == TSIG_RCODE_BADTIME)
		f->cause = FAIL_GSS_UPDATE_BADTIME;
	else if (f->cause == FAIL_GSS_UPDATE_TSIG &&
	    gf->tsig_error == TSIG_RCODE_BADKEY)
		f->cause = FAIL_GSS_UPDATE_BADKEY;
	f->rcode = gf->rcode;
	f->tsig_error = gf->tsig_error;
	f->skew = gf->skew;
	if (gf->server[0] != '\0') {
		snprintf(f->server.text, sizeof(f->server.text), "%s",
		    gf->server);
		f->has_server = 1;
	}
	/* The raw GSS-API status follows the words, never replaces them. */
	if (gf->has_status) {
		gss_status_text(gf->major, GSS_C_GSS_CODE, GSS_C_NO_OID, maj,
		    sizeof(maj));
		gss_status_text(gf->minor, GSS_C_MECH_CODE, GSS_C_NO_OID, min,
		    sizeof(min));
		if (asprintf(&status, "GSS-API: %s; %s", maj, min) == -1)
			status = NULL;
	}
	if ((gf->principal[0] != '\0' &&
	    failure_set(&f->principal, f, gf->principal) == -1) ||
	    (gf->server_principal[0] != '\0' &&
	    failure_set(&f->server_principal, f, gf->server_principal) == -1) ||
	    (gf->realm[0] != '\0' &&
	    failure_set(&f->realm, f, gf->realm) == -1) ||
	    (gf->kdc[0] != '\0' && failure_set(&f->kdc, f, gf->kdc) == -1) ||
	    (gf->detail[0] != '\0' &&
	    failure_set(&f->detail, f, gf->detail) == -1) ||
	    (status != NULL && failure_set(&f->status_text, f, status) == -1))
		rc = -1;
	free(status);
	return rc;
}

/* --- credentials and names ------------------------------------------------ */

/* "FILE:/x" or "/x" -> does the file exist? (KRB5_CLIENT_KTNAME) */
static int
gss_keytab_exists(const char *name)
{
	if (strncmp(name, "FILE:", 5) == 0)
		name += 5;
	else if (strchr(name, ':') != NULL && name[0] != '/')
		return 1;	/* another keytab type: let libkrb5 judge */
	return access(name, F_OK) == 0;
}

/*
 * Credentials of G for MECHS: from G's keytab with tickets in G's private
 * MEMORY ccache, else from the user's ccache.
 */
static OM_uint32
gss_acquire(struct gss_tsig *g, gss_OID_set mechs, gss_cred_id_t *cred,
    OM_uint32 *minor)
{
	gss_key_value_element_desc	 el[2];
	gss_key_value_set_desc		 store;

	if (g->keytab == NULL)
		return gss_acquire_cred(minor, g->client, GSS_C_INDEFINITE,
		    mechs, GSS_C_INITIATE, cred, NULL, NULL);
	el[0].key = "client_keytab";
	el[0].value = g->keytab;
	el[1].key = "ccache";
	el[1].value = g->ccache;
	store.count = 2;
	store.elements = el;
	return gss_acquire_cred_from(minor, g->client, GSS_C_INDEFINITE, mechs,
	    GSS_C_INITIATE, &store, cred, NULL, NULL);
}

/*
 * SPNEGO reports a Kerberos failure as its own ("cannot find mechanisms
 * to negotiate"): on the failure path only, the step is taken again with
 * the krb5 mechanism itself (INIT: up to gss_init_sec_context, whose
 * token is dropped), and its minor status says what Kerberos said (client
 * or server unknown, KDC unreachable, skew). F gets that, else the
 * SPNEGO status MAJOR/MINOR.
 */
static void
gss_why_krb5(struct gss_tsig *g, int init, OM_uint32 major, OM_uint32 minor,
    struct gss_failure *f)
{
	OM_uint32		 kmajor, kminor, ignored;
	gss_OID_set_desc	 krb5 = { 1, (gss_OID)gss_mech_krb5 };
	gss_cred_id_t		 cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t		 ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc		 out = GSS_C_EMPTY_BUFFER;

	kmajor = gss_acquire(g, &krb5, &cred, &kminor);
	if (!GSS_ERROR(kmajor) && init)
		kmajor = gss_init_sec_context(&kminor, cred, &ctx, g->target,
		    (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG |
		    GSS_C_INTEG_FLAG, GSS_C_INDEFINITE,
		    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &out,
		    NULL, NULL);
	gss_release_buffer(&ignored, &out);
	gss_delete_sec_context(&ignored, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&ignored, &cred);
	if (GSS_ERROR(kmajor))
		gss_fail_status(f, kmajor, kminor);
	else
		gss_fail_status(f, major, minor);
}

/*
 * Credentials for ZC: from its keytab, else from KRB5_CLIENT_KTNAME, both
 * with tickets in a MEMORY ccache of this process only; else the user's
 * ccache (its tickets are the user's: nothing is written elsewhere).
 * SPNEGO credentials (RFC 3645 2.1), negotiating Kerberos only.
 */
static int
gss_creds(const struct zone_conf *zc, struct gss_tsig *g,
    struct gss_failure *f)
{
	OM_uint32		 major, minor;
	gss_OID_set_desc	 spnego = { 1, &gss_spnego_oid };
	gss_OID_set_desc	 krb5 = { 1, (gss_OID)gss_mech_krb5 };
	const char		*env;
	gss_buffer_desc		 b;

	g->keytab = zc->keytab;
	if (g->keytab == NULL && (env = getenv("KRB5_CLIENT_KTNAME")) != NULL &&
	    env[0] != '\0' && gss_keytab_exists(env))
		g->keytab = env;
	if (zc->principal != NULL) {
		snprintf(f->principal, sizeof(f->principal), "%s",
		    zc->principal);
		b.value = zc->principal;
		b.length = strlen(zc->principal);
		major = gss_import_name(&minor, &b,
		    (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &g->client);
		if (GSS_ERROR(major)) {
			gss_fail_status(f, major, minor);
			return -1;
		}
	}
	if (g->keytab != NULL) {
		snprintf(g->ccache, sizeof(g->ccache),
		    "MEMORY:acme-nsupdate-%ld", (long)getpid());
		g->private_ccache = 1;
		msg_verbose("GSS-TSIG: credentials from keytab %s%s%s",
		    g->keytab, zc->principal != NULL ? " for " : "",
		    zc->principal != NULL ? zc->principal : "");
	} else
		msg_verbose("GSS-TSIG: credentials from the ccache");
	/* The initial ticket is got here (from a keytab). */
	major = gss_acquire(g, &spnego, &g->cred, &minor);
	if (GSS_ERROR(major)) {
		gss_why_krb5(g, 0, major, minor, f);
		return -1;
	}
	major = gss_set_neg_mechs(&minor, g->cred, &krb5);
	if (GSS_ERROR(major)) {
		gss_fail_status(f, major, minor);
		return -1;
	}
	return 0;
}

/* The target: server_principal as given, else DNS@host (RFC 3645 3.1.1). */
static int
gss_target(const struct zone_conf *zc, const char *primary_name,
    struct gss_tsig *g, struct gss_failure *f)
{
	OM_uint32	 major, minor;
	gss_buffer_desc	 b;
	char		 text[sizeof(f->server_principal)];
	size_t		 n;

	if (zc->server_principal != NULL) {
		snprintf(text, sizeof(text), "%s", zc->server_principal);
		snprintf(f->server_principal, sizeof(f->server_principal), "%s",
		    text);
	} else {
		n = strlen(primary_name);
		if (n > 0 && primary_name[n - 1] == '.')
			n--;
		snprintf(text, sizeof(text), "DNS@%.*s", (int)n, primary_name);
		snprintf(f->server_principal, sizeof(f->server_principal),
		    "DNS/%.*s", (int)n, primary_name);
	}
	b.value = text;
	b.length = strlen(text);
	major = gss_import_name(&minor, &b, zc->server_principal != NULL ?
	    (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME : GSS_C_NT_HOSTBASED_SERVICE,
	    &g->target);
	if (GSS_ERROR(major)) {
		gss_fail_status(f, major, minor);
		return -1;
	}
	return 0;
}

/* --- TKEY messages (RFC 2930) --------------------------------------------- */

/*
 * A TKEY query (RFC 2930 4.1; RFC 3645 3.1.1): question KEYNAME TKEY ANY,
 * the TKEY RR with MODE and TOKEN in the additional section (the answer
 * section for gss.microsoft.com, as Windows 2000 wanted). *WIRE is new,
 * the caller's to free.
 */
static int
gss_tkey_query(const struct gss_tsig *g, uint16_t mode, const void *token,
    size_t token_len, time_t now, uint8_t **wire, size_t *len)
{
	ldns_rdf	*qname = NULL, *kname = NULL, *aname = NULL;
	ldns_pkt	*p = NULL;
	ldns_buffer	*b = NULL;
	uint8_t		*w = NULL;
	size_t		 wl = 0, rdlen_at;
	int		 rc = -1;

	*wire = NULL;
	qname = ldns_dname_new_frm_str(g->key_name);
	kname = ldns_dname_new_frm_str(g->key_name);
	aname = ldns_dname_new_frm_str(g->alg_name);
	if (qname == NULL || kname == NULL || aname == NULL)
		goto out;
	/* Takes qname; flags 0: no RD. */
	p = ldns_pkt_query_new(qname, LDNS_RR_TYPE_TKEY, LDNS_RR_CLASS_ANY, 0);
	if (p == NULL) {
		ldns_rdf_deep_free(qname);
		goto out;
	}
	ldns_pkt_set_id(p, (uint16_t)arc4random_uniform(65536));
	if (ldns_pkt2wire(&w, p, &wl) != LDNS_STATUS_OK ||
	    (b = ldns_buffer_new(wl + 2 * LDNS_MAX_DOMAINLEN + 32 +
	    token_len)) == NULL)
		goto out;
	ldns_buffer_write(b, w, wl);
	rdlen_at = tsig_put_meta(b, kname, LDNS_RR_TYPE_TKEY, aname);
	tsig_put_u32(b, (uint32_t)now);			/* inception */
	tsig_put_u32(b, (uint32_t)(now + GSS_LIFETIME));	/* expiration */
	tsig_put_u16(b, mode);
	tsig_put_u16(b, 0);				/* error */
	tsig_put_u16(b, (uint16_t)token_len);
	if (token_len > 0 && ldns_buffer_reserve(b, token_len))
		ldns_buffer_write(b, token, token_len);
	tsig_put_u16(b, 0);				/* other size */
	if (!ldns_buffer_status_ok(b) || ldns_buffer_position(b) > UINT16_MAX)
		goto out;
	ldns_buffer_write_u16_at(b, rdlen_at,
	    (uint16_t)(ldns_buffer_position(b) - rdlen_at - 2));
	if ((*wire = malloc(ldns_buffer_position(b))) == NULL)
		goto out;
	*len = ldns_buffer_position(b);
	memcpy(*wire, ldns_buffer_begin(b), *len);
	ldns_write_uint16(*wire + (g->microsoft ? LDNS_ANCOUNT_OFF :
	    LDNS_ARCOUNT_OFF), 1);
	rc = 0;
out:
	free(w);
	ldns_buffer_free(b);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(kname);
	ldns_rdf_deep_free(aname);
	return rc;
}

/* A TKEY reply's fields (RFC 2930 2): the key data borrowed from *KEYP. */
struct gss_tkey {
	uint16_t	 rcode;
	int		 present;	/* a TKEY RR for our key name */
	uint16_t	 mode;
	uint16_t	 error;
	uint8_t		*key;		/* owned copy of the key data */
	size_t		 key_len;
};

/* Reads the reply: rcode, and the TKEY RR for our key name if there is one. */
static int
gss_tkey_reply(const struct gss_tsig *g, const uint8_t *wire, size_t len,
    struct gss_tkey *t, struct gss_failure *f)
{
	ldns_pkt	*p = NULL;
	ldns_rdf	*kname = NULL;
	ldns_buffer	*rd = NULL;
	ldns_rr_list	*sec;
	const uint8_t	*d;
	size_t		 n, pos = 0;
	int		 rc = -1;

	memset(t, 0, sizeof(*t));
	if (dnsio_wire2pkt(&p, wire, len) != LDNS_STATUS_OK) {
		snprintf(f->detail, sizeof(f->detail), "unreadable reply");
		goto out;
	}
	t->rcode = (uint16_t)ldns_pkt_get_rcode(p);
	if ((kname = ldns_dname_new_frm_str(g->key_name)) == NULL)
		goto out;
	/* RFC 2930 4.1: in the answer section; Windows: the additional. */
	for (int s = 0; s < 2 && !t->present; s++) {
		sec = s == 0 ? ldns_pkt_answer(p) : ldns_pkt_additional(p);
		for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++) {
			ldns_rr	*rr = ldns_rr_list_rr(sec, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TKEY ||
			    ldns_dname_compare(ldns_rr_owner(rr), kname) != 0)
				continue;
			ldns_buffer_free(rd);
			if ((rd = ldns_buffer_new(256)) == NULL ||
			    ldns_rr_rdata2buffer_wire(rd, rr) != LDNS_STATUS_OK)
				goto out;
			t->present = 1;
			break;
		}
	}
	rc = 0;
	if (!t->present)
		goto out;
	/* Algorithm (uncompressed here), inception, expiration, mode, ... */
	d = ldns_buffer_begin(rd);
	n = ldns_buffer_position(rd);
	while (pos < n && d[pos] != 0)
		pos += (size_t)d[pos] + 1;
	pos++;
	rc = -1;
	snprintf(f->detail, sizeof(f->detail), "malformed TKEY record");
	if (pos + 14 > n)
		goto out;
	t->mode = ldns_read_uint16(d + pos + 8);
	t->error = ldns_read_uint16(d + pos + 10);
	t->key_len = ldns_read_uint16(d + pos + 12);
	pos += 14;
	if (pos + t->key_len + 2 > n)
		goto out;
	if (t->key_len > 0) {
		if ((t->key = malloc(t->key_len)) == NULL)
			goto out;
		memcpy(t->key, d + pos, t->key_len);
	}
	f->detail[0] = '\0';
	rc = 0;
out:
	ldns_buffer_free(rd);
	ldns_rdf_deep_free(kname);
	ldns_pkt_free(p);
	return rc;
}

/* One exchange over TCP (RFC 3645 3.1.1: the tokens outgrow UDP). */
static int
gss_exchange(struct gss_tsig *g, const struct dns_server *servers, size_t n,
    const struct dnsio_opts *o, const uint8_t *wire, size_t len,
    struct dnsio_query *q)
{
	struct dnsio_opts	 tcp = *o;

	tcp.udp_tries = 0;
	for (size_t i = 0; i < n; i++) {
		memset(q, 0, sizeof(*q));
		q->server = &servers[i];
		q->wire = wire;
		q->len = len;
		if (dnsio_exchange(q, 1, &tcp) != DNSIO_OK)
			return -1;
		if (q->status == DNSIO_OK) {
			g->server = servers[i];
			return 0;
		}
		dnsio_query_clear(q);
	}
	return -1;
}

/* --- signing with the context (RFC 3645 4) -------------------------------- */

static int
gss_mic(void *arg, const uint8_t *data, size_t len, uint8_t *mac,
    size_t *mac_len)
{
	struct gss_tsig	*g = arg;
	OM_uint32	 major, minor;
	gss_buffer_desc	 msg = { len, (void *)data };
	gss_buffer_desc	 tok = GSS_C_EMPTY_BUFFER;
	int		 rc = -1;

	major = gss_get_mic(&minor, g->ctx, GSS_C_QOP_DEFAULT, &msg, &tok);
	if (!GSS_ERROR(major) && tok.length > 0 && tok.length <= TSIG_SIG_MAX) {
		memcpy(mac, tok.value, tok.length);
		*mac_len = tok.length;
		rc = 0;
	}
	gss_release_buffer(&minor, &tok);
	return rc;
}

static int
gss_mic_verify(void *arg, const uint8_t *data, size_t len, const uint8_t *mac,
    size_t mac_len)
{
	struct gss_tsig			*g = arg;
	const struct tsig_request	*req = g->unprefixed;
	OM_uint32			 major, minor;
	gss_buffer_desc			 msg = { len, (void *)data };
	gss_buffer_desc			 tok = { mac_len, (void *)mac };
	gss_qop_t			 qop;

	/*
	 * The variant: tsig.c's input starts with the request MAC's length
	 * (RFC 8945 4.3.1); skip those two octets, and only those, after
	 * making sure they and the MAC after them are what we sent.
	 */
	if (req != NULL) {
		if (len < 2 + req->mac_len ||
		    ldns_read_uint16(data) != req->mac_len ||
		    memcmp(data + 2, req->mac, req->mac_len) != 0)
			return -1;
		msg.value = (void *)(data + 2);
		msg.length = len - 2;
	}
	major = gss_verify_mic(&minor, g->ctx, &msg, &tok, &qop);
	/* A replayed reply is no answer to this request. */
	if (GSS_ERROR(major) || (major & GSS_S_DUPLICATE_TOKEN) != 0)
		return -1;
	return 0;
}

/* --- negotiation ---------------------------------------------------------- */

static void
gss_set_principal(struct gss_tsig *g, struct gss_failure *f)
{
	OM_uint32	 minor;
	gss_name_t	 src = GSS_C_NO_NAME;
	gss_buffer_desc	 text = GSS_C_EMPTY_BUFFER;

	if (!GSS_ERROR(gss_inquire_context(&minor, g->ctx, &src, NULL, NULL,
	    NULL, NULL, NULL, NULL)) &&
	    !GSS_ERROR(gss_display_name(&minor, src, &text, NULL)))
		snprintf(g->principal, sizeof(g->principal), "%.*s",
		    (int)text.length, (const char *)text.value);
	else
		snprintf(g->principal, sizeof(g->principal), "%s",
		    f->principal);
	gss_release_buffer(&minor, &text);
	gss_release_name(&minor, &src);
}

/*
 * RFC 3645 3.1: gss_init_sec_context until complete, each output token
 * sent in a TKEY query, each reply's token fed back; then the last reply's
 * TSIG checked with the new context (4.1.3: the server signs it).
 */
static int
gss_handshake(struct gss_tsig *g, const struct dns_server *servers,
    size_t n, const struct dnsio_opts *o, struct gss_failure *f)
{
	OM_uint32		 major = GSS_S_CONTINUE_NEEDED, minor, flags =
	    0;
	gss_buffer_desc		 in = GSS_C_EMPTY_BUFFER, out =
	    GSS_C_EMPTY_BUFFER;
	struct tsig_request	 none = { .mac_len = 0 };
	struct dnsio_query	 q = { 0 };
	struct gss_tkey		 t = { 0 };
	uint8_t			*wire = NULL, *last = NULL;
	size_t			 len = 0, last_len = 0;
	enum tsig_status	 ts;
	int			 rc = -1, round, trips = 0;

	for (round = 0; round < GSS_MAX_ROUNDS; round++) {
		major = gss_init_sec_context(&minor, g->cred, &g->ctx,
		    g->target, &gss_spnego_oid, GSS_C_MUTUAL_FLAG |
		    GSS_C_REPLAY_FLAG | GSS_C_INTEG_FLAG, GSS_C_INDEFINITE,
		    GSS_C_NO_CHANNEL_BINDINGS, in.length > 0 ? &in :
		    GSS_C_NO_BUFFER, NULL, &out, &flags, NULL);
		free(in.value);
		in.value = NULL;
		in.length = 0;
		if (GSS_ERROR(major)) {
			gss_why_krb5(g, 1, major, minor, f);
			goto out;
		}
		if (out.length == 0)
			/* complete: the server had the last word */
			break;
		free(wire);
		wire = NULL;
		if (gss_tkey_query(g, TKEY_MODE_GSSAPI, out.value, out.length,
		    time(NULL), &wire, &len) != 0) {
			f->kind = GSS_FAIL_NOMEM;
			goto out;
		}
		gss_release_buffer(&minor, &out);
		trips++;
		msg_verbose("GSS-TSIG: TKEY query %d (%zu bytes) to %s",
		    trips, len, servers[0].text);
		if (gss_exchange(g, servers, n, o, wire, len, &q) != 0) {
			f->kind = GSS_FAIL_TKEY_NOANSWER;
			snprintf(f->server, sizeof(f->server), "%s",
			    servers[0].text);
			goto out;
		}
		snprintf(f->server, sizeof(f->server), "%s", g->server.text);
		free(t.key);
		if (gss_tkey_reply(g, q.reply, q.reply_len, &t, f) != 0) {
			f->kind = t.key == NULL && f->detail[0] == '\0' ?
			    GSS_FAIL_NOMEM : GSS_FAIL_TKEY_BADREPLY;
			goto out;
		}
		free(last);
		last = q.reply;
		last_len = q.reply_len;
		q.reply = NULL;
		dnsio_query_clear(&q);
		/* RFC 2930 4.1: an error in the rcode or in the TKEY RR. */
		if (t.rcode != LDNS_RCODE_NOERROR || !t.present ||
		    t.error != 0) {
			/* Samba before 4.21: no TKEY in the answer section. */
			f->kind = t.rcode == LDNS_RCODE_FORMERR ?
			    GSS_FAIL_TKEY_FORMERR : GSS_FAIL_TKEY_REFUSED;
			f->rcode = t.rcode;
			f->tsig_error = t.present ? t.error : 0;
			goto out;
		}
		if (major == GSS_S_COMPLETE)
			break;
		/* The server's token, for the next gss_init_sec_context. */
		in.value = t.key;
		in.length = t.key_len;
		t.key = NULL;
	}
	if (major != GSS_S_COMPLETE) {
		f->kind = GSS_FAIL_TKEY_BADREPLY;
		snprintf(f->detail, sizeof(f->detail), "no complete context "
		    "after %d round trips", round);
		goto out;
	}
	/* RFC 3645 3.1.1: mutual authentication and integrity, or nothing. */
	if ((flags & (GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG)) !=
	    (GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG)) {
		f->kind = GSS_FAIL_TKEY_BADREPLY;
		snprintf(f->detail, sizeof(f->detail), "the context has no "
		    "mutual authentication or integrity");
		goto out;
	}
	/* The request was unsigned: no request MAC in the reply's digest. */
	ts = last != NULL ? tsig_verify_with(&g->signer, &none, last, last_len,
	    time(NULL), NULL) : TSIG_ERR_UNSIGNED;
	if (ts == TSIG_ERR_UNSIGNED)
		msg_verbose("GSS-TSIG: %s did not sign its last TKEY reply; "
		    "the context is proved by the server's Kerberos token",
		    g->server.text);
	else if (ts != TSIG_OK) {
		f->kind = GSS_FAIL_TKEY_BADREPLY;
		snprintf(f->detail, sizeof(f->detail), "TSIG: %s",
		    tsig_strerror(ts));
		goto out;
	}
	msg_verbose("GSS-TSIG: context %s established with %s in %d TKEY "
	    "round trip%s", g->key_name, g->server.text, trips,
	    trips == 1 ? "" : "s");
	rc = 0;
out:
	gss_release_buffer(&minor, &out);
	free(in.value);
	free(t.key);
	free(wire);
	free(last);
	dnsio_query_clear(&q);
	return rc;
}

int
gss_tsig_negotiate(const struct zone_conf *zc, const char *primary_name,
    const struct dns_server *servers, size_t n, const struct dnsio_opts *o,
    struct gss_tsig **out, struct gss_failure *f)
{
	struct gss_tsig	*g;
	char		 name[80];

	*out = NULL;
	memset(f, 0, sizeof(*f));
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		f->kind = GSS_FAIL_NOMEM;
		return -1;
	}
	g->cred = GSS_C_NO_CREDENTIAL;
	g->ctx = GSS_C_NO_CONTEXT;
	g->target = GSS_C_NO_NAME;
	g->client = GSS_C_NO_NAME;
	g->microsoft = zc->gss_tsig == ZONE_GSS_MICROSOFT;
	/* RFC 3645 4, 3.1.1: the algorithm names. */
	g->alg_name = g->microsoft ? "gss.microsoft.com." : "gss-tsig.";
	/* RFC 2930 2.1: a name unique to this context, chosen by the client. */
	snprintf(name, sizeof(name), "%08x.%08x.acme-nsupdate.",
	    arc4random(), arc4random());
	g->key_name = strdup(name);
	g->signer.key_name = g->key_name;
	g->signer.alg_name = g->alg_name;
	g->signer.mac = gss_mic;
	g->signer.verify = gss_mic_verify;
	g->signer.arg = g;
	if (g->key_name == NULL) {
		f->kind = GSS_FAIL_NOMEM;
		goto fail;
	}
	if (gss_target(zc, primary_name, g, f) != 0 ||
	    gss_creds(zc, g, f) != 0 ||
	    gss_handshake(g, servers, n, o, f) != 0)
		goto fail;
	gss_set_principal(g, f);
	*out = g;
	return 0;
fail:
	gss_tsig_free(g);
	return -1;
}

enum tsig_status
gss_tsig_sign(struct gss_tsig *g, time_t now, uint8_t **wire, size_t *len,
    struct tsig_request *req)
{
	return tsig_sign_with(&g->signer, now, wire, len, req);
}

/* What an UPDATE's error rcode means. */
static enum gss_failure_kind
gss_rcode_kind(uint16_t rcode)
{
	if (rcode == LDNS_RCODE_REFUSED)
		return GSS_FAIL_UPDATE_REFUSED;
	if (rcode == LDNS_RCODE_SERVFAIL)
		return GSS_FAIL_UPDATE_SERVFAIL;
	return GSS_FAIL_UPDATE_RCODE;
}

/*
 * Whether the reply WIRE carries the TSIG of our request REQ, MAC for MAC:
 * Samba answers an UPDATE it fails with REFUSED or SERVFAIL by sending the
 * request back (QR and the rcode set), our TSIG still in it. Such a reply
 * is as unsigned as RFC 8945 5.3.2's: the server's word, unproved.
 */
static int
gss_reply_echoes(const struct tsig_request *req, const uint8_t *wire,
    size_t len)
{
	ldns_pkt	*p = NULL;
	const ldns_rr	*t;
	const ldns_rdf	*mac;
	int		 echoed = 0;

	/* dnsio's parse: ldns leaks all but the last of several TSIG RRs. */
	if (dnsio_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return 0;
	/* RFC 8945 4.2: the MAC field is MAC Size, then the MAC. */
	if ((t = ldns_pkt_tsig(p)) != NULL && ldns_rr_rd_count(t) > 3 &&
	    (mac = ldns_rr_rdf(t, 3)) != NULL &&
	    ldns_rdf_size(mac) == req->mac_len + 2 &&
	    ldns_read_uint16(ldns_rdf_data(mac)) == req->mac_len &&
	    memcmp(ldns_rdf_data(mac) + 2, req->mac, req->mac_len) == 0)
		echoed = 1;
	ldns_pkt_free(p);
	return echoed;
}

int
gss_tsig_check_reply(struct gss_tsig *g, const struct tsig_request *req,
    const uint8_t *wire, size_t len, time_t now,
    const struct dns_server *from, struct gss_failure *f)
{
	struct tsig_reply	 tr = { 0 };
	enum tsig_status	 ts;

	memset(f, 0, sizeof(*f));
	snprintf(f->principal, sizeof(f->principal), "%s", g->principal);
	snprintf(f->server, sizeof(f->server), "%s", from->text);
	if (len < LDNS_HEADER_SIZE) {
		f->kind = GSS_FAIL_REPLY_UNVERIFIED;
		snprintf(f->detail, sizeof(f->detail), "unreadable reply");
		return -1;
	}
	f->rcode = LDNS_RCODE_WIRE(wire);
	ts = tsig_verify_with(&g->signer, req, wire, len, now, &tr);
	/*
	 * Samba before 4.21 (gss-tsig and gss.microsoft.com) and Windows
	 * (gss.microsoft.com) put the request MAC into the reply's digest
	 * without its 2-octet length (RFC 8945 4.3.1 wants it). Only when
	 * the MAC fails the standard way: the same checks again with that
	 * input. Any other outcome than a bad MAC means the server's MIC
	 * verified over it; an unsigned or wrongly signed reply stays
	 * rejected.
	 */
	if (ts == TSIG_ERR_BADMAC && req->mac_len > 0) {
		struct tsig_reply	 tr2 = { 0 };
		enum tsig_status	 ts2;

		g->unprefixed = req;
		ts2 = tsig_verify_with(&g->signer, req, wire, len, now, &tr2);
		g->unprefixed = NULL;
		if (ts2 != TSIG_ERR_BADMAC) {
			ts = ts2;
			tr = tr2;
			if (!g->said_unprefixed)
				msg_verbose("GSS-TSIG: %s signs its replies "
				    "without the length of the request MAC "
				    "(as Samba before 4.21 and Windows do); "
				    "its MIC verifies that way, accepted",
				    from->text);
			g->said_unprefixed = 1;
		}
	}
	if (ts == TSIG_ERR_BADMAC && f->rcode != LDNS_RCODE_NOERROR &&
	    req->mac_len > 0 && gss_reply_echoes(req, wire, len)) {
		msg_verbose("GSS-TSIG: %s sent our request back with rcode %s "
		    "and our own TSIG: an unsigned error", from->text,
		    gss_rcode_name(f->rcode));
		ts = TSIG_ERR_UNSIGNED;
		memset(&tr, 0, sizeof(tr));
	}
	f->tsig_error = tr.error;
	f->skew = tr.skew;
	if (ts == TSIG_ERR_SERVER) {
		f->kind = GSS_FAIL_UPDATE_TSIG;
	} else if (ts == TSIG_ERR_UNSIGNED && f->rcode != LDNS_RCODE_NOERROR) {
		/*
		 * RFC 8945 5.3.2: errors before TSIG processing come unsigned.
		 */
		f->kind = gss_rcode_kind(f->rcode);
	} else if (ts != TSIG_OK) {
		f->kind = GSS_FAIL_REPLY_UNVERIFIED;
		snprintf(f->detail, sizeof(f->detail), "%s", tsig_strerror(ts));
	} else if (f->rcode != LDNS_RCODE_NOERROR) {
		f->kind = gss_rcode_kind(f->rcode);
	} else {
		return 0;
	}
	return -1;
}

void
gss_tsig_delete(struct gss_tsig *g, const struct dnsio_opts *o)
{
	struct gss_failure	 f = { 0 };
	struct tsig_request	 req;
	struct dnsio_query	 q = { 0 };
	struct gss_tkey		 t = { 0 };
	uint8_t			*wire = NULL;
	size_t			 len = 0;
	time_t			 now = time(NULL);

	if (g == NULL || g->ctx == GSS_C_NO_CONTEXT)
		return;
	/* RFC 2930 4.2: the deletion is signed with the key it deletes. */
	if (gss_tkey_query(g, TKEY_MODE_DELETE, NULL, 0, now, &wire,
	    &len) != 0 || gss_tsig_sign(g, now, &wire, &len, &req) != TSIG_OK) {
		msg_verbose("GSS-TSIG: cannot build the TKEY deletion");
		goto out;
	}
	if (gss_exchange(g, &g->server, 1, o, wire, len, &q) != 0) {
		msg_verbose("GSS-TSIG: no answer from %s to the TKEY deletion; "
		    "the context expires there on its own", g->server.text);
		goto out;
	}
	if (gss_tkey_reply(g, q.reply, q.reply_len, &t, &f) == 0 &&
	    t.rcode == LDNS_RCODE_NOERROR && t.present && t.error == 0)
		msg_verbose("GSS-TSIG: context %s deleted on %s", g->key_name,
		    g->server.text);
	else
		msg_verbose("GSS-TSIG: %s did not delete context %s (%s, TKEY "
		    "%s); it expires there on its own", g->server.text,
		    g->key_name, gss_rcode_name(t.rcode),
		    t.present ? tsig_error_name(t.error) : "record missing");
out:
	free(t.key);
	free(wire);
	dnsio_query_clear(&q);
}

void
gss_tsig_free(struct gss_tsig *g)
{
	OM_uint32	 minor;
	krb5_context	 kc;
	krb5_ccache	 cc;

	if (g == NULL)
		return;
	gss_delete_sec_context(&minor, &g->ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &g->cred);
	gss_release_name(&minor, &g->target);
	gss_release_name(&minor, &g->client);
	/* Tickets from our keytab: gone with us, and wiped before. */
	if (g->private_ccache && krb5_init_context(&kc) == 0) {
		if (krb5_cc_resolve(kc, g->ccache, &cc) == 0)
			(void)krb5_cc_destroy(kc, cc);
		krb5_free_context(kc);
	}
	free(g->key_name);
	free(g);
}

const char *
gss_tsig_principal(const struct gss_tsig *g)
{
	return g->principal;
}
