/* SPDX-License-Identifier: ISC */
/*
 * report: turns a struct failure into words, from the two tables below: a
 * reader reviews every message the program can print on failure here.
 * Templates name fields in braces ({zone}, {server}, ...); names print
 * without their trailing dot. No fixed buffers: a message is as long as
 * its data (a wait timeout lists every server).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dname.h"
#include "dnsio.h"
#include "failure.h"
#include "msg.h"
#include "report.h"
#include "tsig.h"

#define GRANT_SEE	"see contrib/bind, contrib/knot, contrib/powerdns"
#define PRIMARY_UP	"is the primary running and reachable? check " \
			"server = in [zone {zone}]"
#define WAIT_FIX	"if a secondary lags, check NOTIFY and IXFR from the " \
			"primary; a server that is down for good: remove " \
			"it from the NS set, list the live ones in " \
			"nameservers =, or set require = reachable"

struct cause_words {
	enum failure_cause	 cause;
	const char		*what;
	const char		*fix;
};

/* What failed, and what to do: one row per cause. */
static const struct cause_words causes[] = {
	{ FAIL_NOMEM, "out of memory", NULL },
	{ FAIL_CHAIN_LOOP, "CNAME loop: {detail}",
	    "point one of these names elsewhere" },
	{ FAIL_CHAIN_LONG, "more than {count} CNAME/DNAME hops: {detail}",
	    "point the challenge name closer to its target" },
	{ FAIL_CHAIN_REFERRALS, "more than {count} delegations below {zone}",
	    "the NS records below {zone} loop or nest too deep: check them" },
	{ FAIL_CHAIN_SERVFAIL, "SERVFAIL from {server} for {qname} (zone "
	    "{zone}): the server could not answer for the name at all",
	    "unlike NXDOMAIN (the name does not exist yet, which is fine), "
	    "this stops the CA too: check the zone on that server (not "
	    "loaded, expired, DNSSEC failure)" },
	{ FAIL_CHAIN_HOP, "{server} gives no usable answer for {qname} (zone "
	    "{zone})", "check that {server} serves zone {zone} and that the NS "
	    "records of {zone} name it" },
	{ FAIL_ZONE_SERVERS, "cannot find the servers of zone {zone}",
	    "set nameservers = in [zone {zone}] of {config}" },
	{ FAIL_ZONE_OF_NAME, "cannot find the zone of {qname}",
	    "check that the resolvers (resolver = in {config}) answer for "
	    "its parent zone" },
	{ FAIL_HINT_MISMATCH, "the earlier run's output (CERTBOT_AUTH_OUTPUT) "
	    "names {detail}, but the chain from {name} leads to {eff}: not "
	    "touching {detail}", "the output is only a hint; if a value was "
	    "written at {detail}, remove it there by hand (acme-nsupdate "
	    "remove)" },
	{ FAIL_ZONE_NOT_CONFIGURED, "the chain {detail} ends in zone {zone}, "
	    "which has no [zone] section in {config}",
	    "add [zone {zone}] with server = and key_file = (a key allowed "
	    "to write TXT at {eff})" },
	{ FAIL_ZONE_OTHER_SECTION, "{eff} is in zone {zone} (chain {detail}), "
	    "which has no [zone] section in {config}; [zone {other}] (line "
	    "{line}) is a different zone", "add [zone {zone}]" },
	{ FAIL_PRIMARY_UNKNOWN, "cannot find the primary of zone {zone}",
	    "set server = in [zone {zone}] of {config}" },
	{ FAIL_PRIMARY_NO_ADDRESS, "cannot find the address of {host}, the "
	    "primary of zone {zone}",
	    "set server = to an address in [zone {zone}] of {config}" },
	{ FAIL_PRIMARY_NOT_SERVING, "the primary {host} ({server}) does not "
	    "serve zone {zone}", "check server = in [zone {zone}] of "
	    "{config}, and that the zone is loaded there" },
	{ FAIL_PRIMARY_SILENT, "no answer from {server}, the primary {host} "
	    "of zone {zone}", "is it running and reachable? check server = "
	    "in [zone {zone}] of {config}" },
	{ FAIL_NO_AUTHS, "no authoritative server address of zone {zone} to "
	    "wait for", "set nameservers = in [zone {zone}] of {config}" },
	{ FAIL_UPDATE_BUILD, "cannot build the UPDATE for zone {zone}",
	    "OpenSSL could not sign with key {key} ({alg}): check that this "
	    "OpenSSL offers the algorithm" },
	{ FAIL_UPDATE_SILENT, "no answer from {server} for zone {zone}",
	    PRIMARY_UP },
	{ FAIL_UPDATE_UNREADABLE, "unreadable reply from {server} for zone "
	    "{zone}", "is {server} a DNS server, and is nothing between here "
	    "and there rewriting DNS?" },
	{ FAIL_UPDATE_BADSIG, "update rejected by {server} for zone {zone}",
	    "the server rejects key {key}'s secret; the secret in the config "
	    "differs from the server's key" },
	{ FAIL_UPDATE_BADKEY, "update rejected by {server} for zone {zone}",
	    "the server knows no key named {key} with algorithm {alg}; define "
	    "it there or fix the key name (Knot also answers BADKEY when its "
	    "ACL denies the update: check the acl's update-type and "
	    "update-owner)" },
	{ FAIL_UPDATE_BADTIME, "update rejected by {server} for zone {zone}",
	    "clocks differ by {skew} s; set this machine's or the server's "
	    "clock right (NTP)" },
	{ FAIL_UPDATE_BADTIME_UNSIGNED, "update rejected by {server} for zone "
	    "{zone}", "the server finds this machine's clock too far from its "
	    "own, but its reply is unsigned and carries no time, so by how "
	    "much is unknown; set this machine's and the server's clocks "
	    "right (NTP)" },
	{ FAIL_UPDATE_TSIG_OTHER, "update rejected by {server} for zone "
	    "{zone}", "the server did not accept key {key}'s signature; its "
	    "log says why" },
	{ FAIL_REPLY_TSIG, "the reply from {server} for zone {zone} fails "
	    "TSIG checks and is not trusted", "is something between here and "
	    "the server, or is the key {key} wrong?" },
	{ FAIL_UPDATE_REFUSED, "update rejected by {server} for zone {zone}",
	    "key {key} may not update TXT at {eff}; grant it on the server ("
	    GRANT_SEE ")" },
	{ FAIL_UPDATE_REFUSED_UNSIGNED, "update rejected by {server} for zone "
	    "{zone}", "key {key} may not update TXT at {eff}; grant it on the "
	    "server (" GRANT_SEE "); PowerDNS also answers an unsigned "
	    "REFUSED for every TSIG failure (wrong secret, unknown key): its "
	    "log says which" },
	{ FAIL_UPDATE_NOTAUTH, "update rejected by {server} for zone {zone}",
	    "the server is not authoritative for zone {zone} or did not "
	    "accept key {key}'s signature; check server = and that the zone "
	    "is loaded there" },
	{ FAIL_UPDATE_NOTZONE, "update rejected by {server} for zone {zone}",
	    "{eff} is not in zone {zone} as the server sees it; is it in a "
	    "delegated child zone?" },
	{ FAIL_UPDATE_SERVFAIL, "update rejected by {server} for zone {zone}",
	    "the server could not apply the update; its log says why (zone "
	    "file or journal not writable?)" },
	{ FAIL_UPDATE_NOTIMP, "update rejected by {server} for zone {zone}",
	    "the server does not take dynamic updates; enable them (BIND "
	    "update-policy, Knot acl action: update, PowerDNS dnsupdate=yes)" },
	{ FAIL_UPDATE_RCODE, "update rejected by {server} for zone {zone}",
	    "the server's log says why" },
	{ FAIL_NOT_APPLIED_ADD, "{server} answered NOERROR for zone {zone} "
	    "but does not serve the value at {eff}: the update was not "
	    "applied", "likely a CNAME at that name (BIND ignores TXT there) "
	    "or a policy that skips updates it denies (PowerDNS "
	    "lua-dnsupdate-policy-script): let key {key} write TXT at {eff}" },
	{ FAIL_NOT_APPLIED_REMOVE, "{server} answered NOERROR for zone {zone} "
	    "but still serves the value at {eff}: the removal was not "
	    "applied", "likely a policy that skips updates it denies "
	    "(PowerDNS lua-dnsupdate-policy-script): let key {key} delete TXT "
	    "at {eff}" },
	{ FAIL_CONFIRM_SILENT, "{server} answered NOERROR for zone {zone}, "
	    "then did not answer the query that checks {eff}",
	    "is the primary overloaded or filtering queries? check that it "
	    "answers TXT queries from this host" },
	{ FAIL_GSS_NO_CREDS, "no Kerberos credentials for {principal} to sign "
	    "updates to zone {zone} (no ticket, an expired one, or no key for "
	    "the principal in the keytab)", "set keytab = to a keytab with "
	    "the principal's key (kadmin: ktadd -k FILE PRINCIPAL), or run "
	    "kinit" },
	{ FAIL_GSS_CLIENT_UNKNOWN, "the KDC of realm {realm} {kdc} does not "
	    "know principal {principal} (client not found)", "create it "
	    "(kadmin: addprinc -randkey {principal}) and export its key to the "
	    "keytab, or fix principal = in [zone {zone}]" },
	{ FAIL_GSS_KDC_UNREACHABLE, "cannot reach a KDC of realm {realm} "
	    "{kdc} to get a ticket for {sprincipal}", "is the KDC running and "
	    "reachable, and is kdc = under [realms] {realm} in krb5.conf "
	    "right?" },
	{ FAIL_GSS_SKEW, "clock skew too great between this machine and the "
	    "KDC of realm {realm} {kdc} or {server} (Kerberos allows 5 "
	    "minutes)", "set the clocks right (NTP)" },
	{ FAIL_GSS_SERVER_UNKNOWN, "the KDC does not know the DNS server's "
	    "principal {sprincipal} (server not found)", "set server_principal "
	    "= in [zone {zone}] to the principal in the server's keytab (BIND: "
	    "tkey-gssapi-keytab), or create DNS/<primary's name> there "
	    "(kadmin: addprinc -randkey)" },
	{ FAIL_GSS_OTHER, "GSS-API failed for principal {principal} and "
	    "server principal {sprincipal} (zone {zone})", "the GSS-API "
	    "status below says why; kinit with the principal shows the same" },
	{ FAIL_GSS_TKEY_SILENT, "no answer from {server} to the GSS-TSIG "
	    "negotiation (TKEY over TCP) for zone {zone}", "is the primary "
	    "running and reachable over TCP?" },
	{ FAIL_GSS_TKEY_REFUSED, "{server} refused the GSS-TSIG negotiation "
	    "for zone {zone} ({rcode}, TKEY {tkey})", "it cannot accept "
	    "tickets for {sprincipal}; check that the server's keytab (BIND: "
	    "tkey-gssapi-keytab) holds that principal's current key and that "
	    "server_principal names it" },
	{ FAIL_GSS_TKEY_FORMERR, "{server} cannot read the GSS-TSIG "
	    "negotiation for zone {zone} (FORMERR)", "gss_tsig = microsoft "
	    "puts the TKEY record in the answer section, as Windows 2000 "
	    "wanted, which Samba before 4.21 rejects: set gss_tsig = yes "
	    "(or microsoft, if it is yes)" },
	{ FAIL_GSS_TKEY_BADREPLY, "the GSS-TSIG negotiation reply from "
	    "{server} for zone {zone} is not acceptable ({detail})", "is "
	    "something between here and the server?" },
	{ FAIL_GSS_UPDATE_REFUSED, "update refused by {server} for zone {zone} "
	    "(REFUSED): principal {principal} may not update TXT at {eff}",
	    "grant it on the server (BIND: grant \"{principal}\" name {eff} "
	    "TXT; see contrib/gss)" },
	{ FAIL_GSS_UPDATE_BADTIME, "update rejected by {server} for zone "
	    "{zone} ({rcode}, TSIG BADTIME): the server does not accept the "
	    "GSS-TSIG signature of {principal}", "set the clocks right (NTP)" },
	{ FAIL_GSS_UPDATE_BADKEY, "update rejected by {server} for zone {zone} "
	    "({rcode}, TSIG BADKEY): the server does not accept the GSS-TSIG "
	    "signature of {principal}", "the server no longer knows the "
	    "negotiated context (a restart?), or wants gss_tsig = microsoft" },
	{ FAIL_GSS_UPDATE_TSIG, "update rejected by {server} for zone {zone} "
	    "({rcode}, TSIG {tsig}): the server does not accept the GSS-TSIG "
	    "signature of {principal}", "the context may have expired on the "
	    "server: run again" },
	{ FAIL_GSS_UPDATE_SERVFAIL, "update failed on {server} for zone {zone} "
	    "(SERVFAIL): Samba and Windows answer so when principal "
	    "{principal} may not change the records at {eff} (another account "
	    "created them)", "a name's records belong to the account that "
	    "created them: delete them (samba-tool dns delete) so that "
	    "{principal} creates them anew, or give it write access to that "
	    "name's dnsNode; the server's log says why" },
	{ FAIL_GSS_UPDATE_RCODE, "update rejected by {server} for zone {zone} "
	    "({rcode})", "the server's log says why" },
	{ FAIL_GSS_REPLY_UNVERIFIED, "the reply from {server} for zone {zone} "
	    "fails GSS-TSIG checks ({detail}, rcode {rcode}) and is not "
	    "trusted", "is something between here and the server?" },
	{ FAIL_KEY_REFUSED_UNSIGNED, "a signed UPDATE that changes nothing "
	    "(a prerequisite only) was refused by {server} for zone {zone}",
	    "no grant is involved here: PowerDNS answers an unsigned REFUSED "
	    "for every TSIG failure (key {key} unknown there, another secret "
	    "or algorithm than {alg}) and for an address outside "
	    "allow-dnsupdate-from; its log says which" },
	{ FAIL_CAA_LOOKUP, "the CAA lookup for {qname} failed",
	    "CAs treat this as a refusal to issue: every server of that zone "
	    "must answer CAA queries, NOERROR even where there is no CAA "
	    "record" },
	{ FAIL_DNSSEC_LOOKUP, "cannot read the DNSSEC records of zone "
	    "{zone} ({qname})", "a validating resolver cannot either; check "
	    "the zone's servers" },
	{ FAIL_WAIT_SERVED, "not served everywhere within {timeout} s, not "
	    "served by: {detail}", WAIT_FIX },
	{ FAIL_WAIT_GONE, "still served somewhere within {timeout} s, not "
	    "removed by: {detail}", WAIT_FIX },
	{ FAIL_STATE_DIR_OPEN, "cannot open or create the state directory "
	    "({errno})", "create it (mkdir -m 700) as the user that runs the "
	    "hooks, or set state_dir = in [defaults] of {config}" },
	{ FAIL_STATE_DIR_LINK, "the state directory is a symbolic link, "
	    "refused: whoever can write where it is could point it anywhere",
	    "make it a real directory (mkdir -m 700), or set state_dir = in "
	    "[defaults] of {config} to the directory itself" },
	{ FAIL_STATE_DIR_OWNER, "the state directory belongs to uid {count}, "
	    "not to this user (uid {line}), refused",
	    "run the hooks as its owner, chown it to uid {line}, or set "
	    "state_dir = in [defaults] of {config} to a directory of this "
	    "user's" },
	{ FAIL_STATE_DIR_MODE, "the state directory has mode {mode}: group "
	    "or others may use it, refused", "chmod 700 {qname}" },
	{ FAIL_JOURNAL_WRITE, "cannot write the journal entry in the state "
	    "directory's journal/ ({errno}); nothing was sent",
	    "check that the file system of the state directory is writable "
	    "and not full" },
};

struct reason_words {
	enum failure_reason	 reason;
	const char		*text;
};

/* What was seen: the parenthesis after what failed. */
static const struct reason_words reasons[] = {
	{ REASON_NOMEM, "out of memory" },
	{ REASON_TRANSPORT, "{io} over UDP and TCP" },
	{ REASON_RCODE, "{rcode}" },
	{ REASON_NOT_AUTH, "answer not authoritative" },
	{ REASON_NO_SOA, "no SOA at the zone's apex" },
	{ REASON_NO_USABLE, "{aa}, no usable answer (lame delegation?)" },
	{ REASON_NO_NS_ADDRESS, "no address for any NS of {zone}" },
	{ REASON_RESOLVER_SILENT, "resolver {rserver}: {io}" },
	{ REASON_RESOLVER_RCODE, "resolver {rserver} answered {rcode} for "
	    "{rqname}" },
	{ REASON_RESOLVER_NO_SOA, "the resolvers return no SOA for {rqname}" },
	{ REASON_NO_ADDRESS, "{rqname} has no address (A or AAAA)" },
	{ REASON_TSIG, "{rcode}, TSIG {tsig}" },
	{ REASON_TSIG_CHECK, "{tsigcheck}, rcode {rcode}" },
};

/* Said after the fix when the name lies in no configured zone at all. */
#define UNCOVERED	"no [zone] section of {config} covers it"

/* A resolver's SERVFAIL says more than its rcode: say what. */
#define RESOLVER_SERVFAIL "resolver {rserver} answered SERVFAIL for " \
	"{rqname}: it could not get an answer from that zone's servers " \
	"(unlike NXDOMAIN, which would say the name does not exist); check " \
	"the zone on its servers"

static void
put_name(FILE *o, const char *name)
{
	if (name != NULL)
		fprintf(o, "%.*s", DNAME_BARE(name));
	else
		fputs("?", o);
}

static void
put_rcode(FILE *o, int rcode)
{
	const ldns_lookup_table	*t;

	t = ldns_lookup_by_id(ldns_rcodes, rcode);
	if (t != NULL)
		fputs(t->name, o);
	else
		fprintf(o, "rcode %d", rcode);
}

static void
put_io(FILE *o, const struct failure *f)
{
	if (f->io_status == DNSIO_NETERR && f->io_errno != 0)
		fputs(strerror(f->io_errno), o);
	else if (f->tries > 0)
		fprintf(o, "%s after %u tries", dnsio_strerror(f->io_status),
		    f->tries);
	else
		fputs(dnsio_strerror(f->io_status), o);
}

/*
 * Writes the value of field KEY (LEN bytes) of F. Returns 0, or -1 if unknown.
 */
static int
put_field(FILE *o, const struct failure *f, const char *key, size_t len)
{
#define IS(k)	(len == sizeof(k) - 1 && memcmp(key, k, len) == 0)
	if (IS("zone"))
		put_name(o, f->zone);
	else if (IS("name"))
		put_name(o, f->name);
	else if (IS("more"))
		fprintf(o, "%zu", f->more);
	else if (IS("qname"))
		put_name(o, f->qname);
	else if (IS("rqname"))
		put_name(o, f->rqname);
	else if (IS("host"))
		put_name(o, f->host);
	else if (IS("eff"))
		put_name(o, f->effective != NULL ? f->effective : f->name);
	else if (IS("other"))
		put_name(o, f->other_zone);
	else if (IS("key"))
		put_name(o, f->key_name);
	else if (IS("server"))
		fputs(f->has_server ? f->server.text : "?", o);
	else if (IS("rserver"))
		fputs(f->has_rserver ? f->rserver.text : "?", o);
	else if (IS("alg"))
		fputs(f->key_alg != NULL ? f->key_alg : "?", o);
	else if (IS("config"))
		fputs(f->config_path != NULL ? f->config_path : "the config",
		    o);
	else if (IS("detail"))
		fputs(f->detail != NULL ? f->detail : "", o);
	else if (IS("line"))
		fprintf(o, "%d", f->line);
	else if (IS("count"))
		fprintf(o, "%u", f->count);
	else if (IS("mode"))
		fprintf(o, "%04o", f->count);
	else if (IS("errno"))
		fputs(strerror(f->io_errno), o);
	else if (IS("timeout"))
		fprintf(o, "%u", f->timeout);
	else if (IS("tries"))
		fprintf(o, "%u", f->tries);
	else if (IS("skew"))
		fprintf(o, "%lld", (long long)f->skew);
	else if (IS("rcode"))
		put_rcode(o, f->rcode);
	else if (IS("tsig"))
		fputs(tsig_error_name((uint16_t)f->tsig_error), o);
	else if (IS("tsigcheck"))
		fputs(tsig_strerror((enum tsig_status)f->tsig_check), o);
	else if (IS("io"))
		put_io(o, f);
	else if (IS("principal"))
		fputs(f->principal != NULL ? f->principal :
		    "the keytab's principal", o);
	else if (IS("sprincipal"))
		fputs(f->server_principal != NULL ? f->server_principal :
		    "the DNS server", o);
	else if (IS("realm"))
		fputs(f->realm != NULL ? f->realm : "?", o);
	else if (IS("kdc"))
		fprintf(o, "(%s)", f->kdc != NULL ? f->kdc :
		    "none in krb5.conf");
	else if (IS("tkey"))
		fputs(f->tsig_error != 0 ?
		    tsig_error_name((uint16_t)f->tsig_error) : "NOERROR", o);
	else if (IS("aa"))
		fputs(f->aa ? "authoritative" : "not authoritative", o);
	else
		return -1;
	return 0;
#undef IS
}

char *
report_expand(const char *template, report_field_fn put, const void *arg)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*o;

	if (template == NULL || (o = open_memstream(&out, &len)) == NULL)
		return NULL;
	for (const char *p = template; *p != '\0'; p++) {
		const char	*end;

		if (*p != '{' || (end = strchr(p, '}')) == NULL ||
		    put(o, arg, p + 1, (size_t)(end - p - 1)) == -1) {
			fputc(*p, o);
			continue;
		}
		p = end;
	}
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* report_expand's callback for a struct failure. */
static int
failure_field(FILE *o, const void *f, const char *key, size_t len)
{
	return put_field(o, f, key, len);
}

/* TEMPLATE with F's fields put in (caller frees), or NULL on ENOMEM. */
static char *
expand(const char *template, const struct failure *f)
{
	return report_expand(template, failure_field, f);
}

static const struct cause_words *
cause_find(enum failure_cause cause)
{
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (causes[i].cause == cause)
			return &causes[i];
	return NULL;
}

static const char *
reason_template(const struct failure *f)
{
	if (f->reason == REASON_RESOLVER_RCODE &&
	    f->rcode == LDNS_RCODE_SERVFAIL)
		return RESOLVER_SERVFAIL;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].reason == f->reason)
			return reasons[i].text;
	return NULL;
}

/* "NAME -> EFFECTIVE (and N more)", else "zone Z", else the name asked. */
static char *
subject_text(const struct failure *f)
{
	const char	*t;

	if (f->name == NULL)
		t = f->zone != NULL ? "zone {zone}" : "{qname}";
	else if (f->effective == NULL || dname_equal(f->name, f->effective))
		t = f->more > 0 ? "{name} (and {more} more)" : "{name}";
	else
		t = f->more > 0 ? "{name} -> {eff} (and {more} more)" :
		    "{name} -> {eff}";
	return expand(t, f);
}

static int
fix_append(struct report_parts *p, const struct failure *f)
{
	char	*more = expand(UNCOVERED, f), *both = NULL;

	if (more == NULL)
		return -1;
	if (p->fix == NULL) {
		p->fix = more;
		return 0;
	}
	if (asprintf(&both, "%s; and %s", p->fix, more) == -1)
		both = NULL;
	free(more);
	free(p->fix);
	p->fix = both;
	return both != NULL ? 0 : -1;
}

int
report_parts(const struct failure *f, struct report_parts *p)
{
	const struct cause_words	*w = cause_find(f->cause);

	memset(p, 0, sizeof(*p));
	if (w == NULL)
		w = cause_find(FAIL_NOMEM);
	if ((p->subject = subject_text(f)) == NULL ||
	    (p->what = expand(w->what, f)) == NULL ||
	    (f->has_server && (p->server = strdup(f->server.text)) == NULL) ||
	    (reason_template(f) != NULL &&
	    (p->reason = expand(reason_template(f), f)) == NULL) ||
	    (w->fix != NULL && (p->fix = expand(w->fix, f)) == NULL) ||
	    (f->uncovered && fix_append(p, f) == -1)) {
		report_parts_free(p);
		return -1;
	}
	return 0;
}

void
report_parts_free(struct report_parts *p)
{
	free(p->subject);
	free(p->what);
	free(p->server);
	free(p->reason);
	free(p->fix);
	memset(p, 0, sizeof(*p));
}

char *
report_text(const struct failure *f)
{
	struct report_parts	 p;
	char			*out = NULL;

	if (report_parts(f, &p) == -1)
		return NULL;
	/* A library's own words (GSS-API) follow ours, never replace them. */
	if (asprintf(&out, "%s: %s%s%s%s%s%s%s%s%s", p.subject, p.what,
	    p.reason != NULL ? " (" : "", p.reason != NULL ? p.reason : "",
	    p.reason != NULL ? ")" : "", p.fix != NULL ? "; " : "",
	    p.fix != NULL ? p.fix : "", f->status_text != NULL ? " [" : "",
	    f->status_text != NULL ? f->status_text : "",
	    f->status_text != NULL ? "]" : "") == -1)
		out = NULL;
	report_parts_free(&p);
	return out;
}

void
report_error(const struct failure *f)
{
	char	*text = report_text(f);

	msg_error("%s", text != NULL ? text : "out of memory");
	free(text);
}

void
report_warning(const struct failure *f, const char *while_doing)
{
	char	*text = report_text(f);

	msg_warn("%s (%s)", text != NULL ? text : "out of memory",
	    while_doing);
	free(text);
}
