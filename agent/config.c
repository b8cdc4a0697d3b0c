/* SPDX-License-Identifier: ISC */
/*
 * config: reads the INI file with inih, applies defaults, checks every value
 * and loads each zone's TSIG key. Every problem is reported as "FILE:LINE:
 * what" and all of them in one run, as OpenBSD acme-client's parse.y does.
 */

#include <sys/stat.h>


#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>
#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "config.h"
#include "dname.h"
#include "dnsio.h"
#include "key.h"
#include "msg.h"

/*
 * How Debian 12's inih (r55, built with the defaults of ini.h) reads a file,
 * checked against the installed library:
 *
 * - ';' and '#' start a comment at the start of a line (after blanks).
 * - Inline, only ';' is a comment, and only after a blank: "ttl = 60 ; x"
 *   gives "60". "ttl = 60 # x" gives "60 # x" (an error below, with a
 *   hint), and "a;b" stays "a;b".
 * - A line that starts with a blank continues the previous key's value
 *   (INI_ALLOW_MULTILINE), even after a blank line, so an indented
 *   "key_file = x" under "server = y" would silently become a second value
 *   of server. Our reader strips leading blanks before inih sees a line: no
 *   line is ever a continuation, and indenting keys is allowed.
 * - Lines are read into a fixed buffer (INI_MAX_LINE, 200 bytes); a longer
 *   line is split and its tail parsed as a line of its own, and section
 *   names are cut at 49 characters. Our reader reports a long line as an
 *   error and parses section headers itself (inih sees them as blank), so
 *   neither truncation can happen.
 * - inih stops reporting after the first bad line; our reader finds bad
 *   lines itself, so every one is reported.
 * - Both '=' and ':' separate a key from its value in inih; we accept only
 *   '=', so "resolver 127.0.0.1:53" is an error, not an unknown key.
 */

/* Larger than any config file; protects against pointing at a wrong file. */
#define CONFIG_FILE_MAX		(1024 * 1024)
/* RFC 1035 2.3.4 */
#define CONFIG_NAME_MAX		253
#define CONFIG_LABEL_MAX	63

#define CONFIG_TTL_MAX		604800	/* a week, as BIND's max-cache-ttl */
#define CONFIG_TIMEOUT_MAX	86400
#define CONFIG_TTL_DEFAULT	60
#define CONFIG_TIMEOUT_DEFAULT	120
#define CONFIG_PORT_DEFAULT	53

enum cfg_section {
	SEC_NONE,		/* before the first section header */
	SEC_DEFAULTS,
	SEC_ZONE,
	SEC_SKIP		/* a bad header, already reported */
};

enum cfg_key {
	K_RESOLVER,
	K_TTL,
	K_TIMEOUT,
	K_PORT,
	K_REQUIRE,
	K_CA,
	K_STATE_DIR,
	K_SERVER,
	K_KEY_FILE,
	K_KEY_NAME,
	K_KEY,
	K_NAMESERVERS,
	/* GSS-TSIG seam (gss.c) */
	K_GSS_TSIG,
	K_PRINCIPAL,
	K_KEYTAB,
	K_SERVER_PRINCIPAL,
	K_COUNT
};

static const struct {
	const char		*name;
	enum cfg_section	 section;
} cfg_keys[K_COUNT] = {
	[K_RESOLVER] = { "resolver", SEC_DEFAULTS },
	[K_TTL] = { "ttl", SEC_DEFAULTS },
	[K_TIMEOUT] = { "timeout", SEC_DEFAULTS },
	[K_PORT] = { "port", SEC_DEFAULTS },
	[K_REQUIRE] = { "require", SEC_DEFAULTS },
	[K_CA] = { "ca", SEC_DEFAULTS },
	[K_STATE_DIR] = { "state_dir", SEC_DEFAULTS },
	[K_SERVER] = { "server", SEC_ZONE },
	[K_KEY_FILE] = { "key_file", SEC_ZONE },
	[K_KEY_NAME] = { "key_name", SEC_ZONE },
	[K_KEY] = { "key", SEC_ZONE },
	[K_NAMESERVERS] = { "nameservers", SEC_ZONE },
	[K_GSS_TSIG] = { "gss_tsig", SEC_ZONE },
	[K_PRINCIPAL] = { "principal", SEC_ZONE },
	[K_KEYTAB] = { "keytab", SEC_ZONE },
	[K_SERVER_PRINCIPAL] = { "server_principal", SEC_ZONE },
};

/* State of one config_load run, shared by the reader and the handler. */
struct cfg_parse {
	const char	*path;		/* borrowed: the file, as given */
	const char	*buf;		/* borrowed: its contents */
	size_t		 len;
	size_t		 pos;		/* next unread byte */
	int		 lineno;	/* line last handed to inih */
	int		 wiped;		/* the wiping line was handed out */
	struct config	*c;		/* borrowed: being filled */
	int		 nerrors;
	int		 nomem;

	enum cfg_section section;
	int		 defaults_line;	/* first [defaults], 0: none */
	int		 defaults_seen[K_COUNT];	/* line of each key */
	int		 zone_seen[K_COUNT];	/* same, current zone */
	size_t		 zone;		/* current zone: index in c->zones */
	char		*key_file;	/* owned: value of key_file */
	char		*key_name;	/* owned: value of key_name */
	int		 perm_checked;	/* inline key: file mode checked */
};

static void	cfg_error(struct cfg_parse *p, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Reports "FILE:LINE: what" (LINE 0: "FILE: what") and counts it. */
static void
cfg_error(struct cfg_parse *p, int line, const char *fmt, ...)
{
	char	 what[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line > 0)
		msg_error("%s:%d: %s", p->path, line, what);
	else
		msg_error("%s: %s", p->path, what);
	p->nerrors++;
}

static void
cfg_nomem(struct cfg_parse *p)
{
	if (!p->nomem)
		msg_error("%s: out of memory", p->path);
	p->nomem = 1;
}

/* A hint for values that carry a '#' comment inih did not strip. */
static const char *
cfg_hint(const char *v)
{
	if (strstr(v, " #") != NULL || strstr(v, "\t#") != NULL)
		return "; a comment after a value starts with ';', not '#'";
	return "";
}

static int
cfg_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parses the name V of WHAT ("zone name", "server", ...) with dname_parse
 * into *OUT (the caller frees), or only checks it when OUT is NULL.
 * Reports a bad name as "WHAT V: why". Returns 0, or -1.
 */
static int
cfg_name(struct cfg_parse *p, int line, const char *what, const char *v,
    unsigned flags, char **out)
{
	char	 why[256], *name = NULL;

	switch (dname_parse(v, strlen(v), flags, &name, why, sizeof(why))) {
	case DNAME_OK:
		break;
	case DNAME_ERR_NOMEM:
		cfg_nomem(p);
		return -1;
	default:
		cfg_error(p, line, "%s %s: %s", what, v, why);
		return -1;
	}
	if (out != NULL)
		*out = name;
	else
		free(name);
	return 0;
}

/* Parses a decimal from LO to HI (no sign, no blanks). 0 or -1. */
static int
cfg_number(const char *v, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	unsigned long	 n = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (unsigned long)(*v - '0');
		if (n > hi)
			return -1;
	}
	if (n < lo)
		return -1;
	*out = n;
	return 0;
}

static struct zone_conf *
cfg_zone(struct cfg_parse *p)
{
	return &p->c->zones[p->zone];
}

/* Is the last label of NAME all digits? No host name's is (RFC 3696 2). */
static int
cfg_last_label_numeric(const char *name)
{
	size_t		 len = strlen(name);
	const char	*last;

	if (len > 0 && name[len - 1] == '.')
		len--;
	for (last = name + len; last > name && last[-1] != '.'; last--)
		;
	return (size_t)(name + len - last) == strspn(last, "0123456789");
}

/*
 * server = : a numeric address with optional port (dnsio_server_parse, the
 * one grammar for addresses), or HOST[:PORT], split here once. Reports a
 * bad value; fills the zone's server fields.
 */
static void
cfg_server(struct cfg_parse *p, int line, const char *v)
{
	struct zone_conf	*z = cfg_zone(p);
	struct dns_server	 addr;
	const char		*colon = strchr(v, ':'), *why = NULL;
	char			*host = NULL;
	size_t			 hostlen = colon != NULL ? (size_t)(colon - v) :
				    strlen(v);
	unsigned long		 port = 0;

	if (dnsio_server_parse(v, 0, &addr) == 0) {
		if ((z->server_addr = malloc(sizeof(addr))) == NULL)
			goto nomem;
		*z->server_addr = addr;
		goto keep;
	}
	/* Meant as an address: brackets, two colons, or digits and dots. */
	if (v[0] == '[' || (colon != NULL && strchr(colon + 1, ':') != NULL) ||
	    (hostlen > 0 && strspn(v, "0123456789.") >= hostlen))
		why = "not a valid numeric address (with optional port, as "
		    "192.0.2.1:53 or [2001:db8::1]:53)";
	else if (colon != NULL && cfg_number(colon + 1, 1, 65535, &port) == -1)
		why = "bad port (1 to 65535 after the ':')";
	else if ((host = strndup(v, hostlen)) == NULL)
		goto nomem;
	if (why != NULL) {
		cfg_error(p, line, "server %s: %s%s", v, why, cfg_hint(v));
		goto out;
	}
	if (cfg_name(p, line, "server", host, 0, &z->server_host) == -1)
		goto out;
	if (cfg_last_label_numeric(z->server_host)) {
		cfg_error(p, line, "server %s: neither a numeric address nor "
		    "a host name", v);
		goto out;
	}
	z->server_port = (uint16_t)port;	/* 0: the default, at the end */
keep:
	if ((z->server = strdup(v)) == NULL)
		goto nomem;
	goto out;
nomem:
	cfg_nomem(p);
out:
	free(host);
}

/*
 * Splits a blank-separated list of numeric addresses into a new array,
 * ports left 0 where none is given (filled in by cfg_ports once the
 * default is known). Reports each bad entry; returns 0 with *OUT set, or -1.
 */
static int
cfg_addr_list(struct cfg_parse *p, int line, const char *key, const char *v,
    struct dns_server **out, size_t *nout)
{
	struct dns_server	*list = NULL, *nlist;
	size_t			 n = 0;
	const char		*s = v, *e;
	char			*tok;
	int			 bad = 0, rc = -1;

	*out = NULL;
	*nout = 0;
	while (*s != '\0') {
		while (cfg_is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (*s == '#') {
			cfg_error(p, line, "%s: '#' starts no comment here; a "
			    "comment after a value starts with ';'", key);
			bad = 1;
			break;
		}
		for (e = s; *e != '\0' && !cfg_is_blank(*e); e++)
			;
		if ((tok = strndup(s, (size_t)(e - s))) == NULL) {
			cfg_nomem(p);
			goto out;
		}
		if ((nlist = reallocarray(list, n + 1, sizeof(*list))) ==
		    NULL) {
			free(tok);
			cfg_nomem(p);
			goto out;
		}
		list = nlist;
		if (dnsio_server_parse(tok, 0, &list[n]) == 0)
			n++;
		else {
			cfg_error(p, line, "%s: %s is not a numeric address "
			    "with optional port (as 192.0.2.1, 192.0.2.1:53, "
			    "2001:db8::1 or [2001:db8::1]:53)%s", key, tok,
			    strchr(tok, ',') != NULL ? "; separate addresses "
			    "with blanks, not commas" : "");
			bad = 1;
		}
		free(tok);
		s = e;
	}
	if (!bad) {
		*out = list;
		*nout = n;
		list = NULL;
		rc = 0;
	}
out:
	free(list);
	return rc;
}

/* Checks KEY = V (an unsigned number from LO to HI) into *OUT. */
static void
cfg_set_number(struct cfg_parse *p, int line, const char *key, const char *v,
    unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (cfg_number(v, lo, hi, out) == -1)
		cfg_error(p, line, "%s must be a number from %lu to %lu, not "
		    "%s%s", key, lo, hi, v, cfg_hint(v));
}

/* key_file as given, or joined to the config file's directory. */
static char *
cfg_key_path(const char *config_path, const char *key_file)
{
	const char	*slash;
	char		*path;
	size_t		 dirlen;

	if (key_file[0] == '/' || (slash = strrchr(config_path, '/')) == NULL)
		return strdup(key_file);
	dirlen = (size_t)(slash - config_path) + 1;
	if ((path = malloc(dirlen + strlen(key_file) + 1)) == NULL)
		return NULL;
	memcpy(path, config_path, dirlen);
	strcpy(path + dirlen, key_file);
	return path;
}

/*
 * GSS-TSIG seam. End of a [zone] section's gss_tsig keys: returns 1 if the
 * zone uses GSS-TSIG (checked here; no key to load), else 0. A zone has a
 * key or gss_tsig, never both; the keytab holds secrets, so it gets the
 * key-file rule (mode 600) and is joined to the config's directory.
 */
static int
cfg_zone_gss_end(struct cfg_parse *p)
{
	struct zone_conf	*z = cfg_zone(p);
	char			 err[1024], *path;
	int			 gss_line = p->zone_seen[K_GSS_TSIG];
	static const enum cfg_key needs_gss[] = { K_PRINCIPAL, K_KEYTAB,
				    K_SERVER_PRINCIPAL };
	static const enum cfg_key keys[] = { K_KEY, K_KEY_FILE, K_KEY_NAME };
	enum key_status		 st;

	if (gss_line == 0) {
		for (size_t i = 0; i < sizeof(needs_gss) / sizeof(*needs_gss);
		    i++)
			if (p->zone_seen[needs_gss[i]] != 0)
				cfg_error(p, p->zone_seen[needs_gss[i]],
				    "%s is for GSS-TSIG, and gss_tsig is not "
				    "set",
				    cfg_keys[needs_gss[i]].name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (p->zone_seen[keys[i]] != 0)
			cfg_error(p, p->zone_seen[keys[i]], "%s and gss_tsig "
			    "both set (gss_tsig on line %d); a zone is signed "
			    "with a key or with GSS-TSIG: keep one",
			    cfg_keys[keys[i]].name, gss_line);
	if (z->keytab != NULL) {
		if ((path = cfg_key_path(p->path, z->keytab)) == NULL) {
			cfg_nomem(p);
			return 1;
		}
		free(z->keytab);
		z->keytab = path;
		st = key_file_check_private(path, err, sizeof(err));
		if (st == KEY_ERR_OPEN)
			cfg_error(p, p->zone_seen[K_KEYTAB], "keytab: %s; "
			    "export the principal's key to it (kadmin: ktadd "
			    "-k %s PRINCIPAL; Active Directory: ktpass) or fix "
			    "the path", err, path);
		else if (st != KEY_OK)
			cfg_error(p, p->zone_seen[K_KEYTAB], "keytab: %s", err);
	}
	return 1;
}

/* End of a [zone] section: one key, from key_file or inline, loaded. */
static void
cfg_zone_end(struct cfg_parse *p)
{
	struct zone_conf	*z = cfg_zone(p);
	char			 err[1024], *path = NULL;
	int			 file_line = p->zone_seen[K_KEY_FILE];
	int			 key_line = p->zone_seen[K_KEY];
	int			 name_line = p->zone_seen[K_KEY_NAME];
	enum key_status		 st;

	/* GSS-TSIG seam: gss_tsig takes the place of a key. */
	if (cfg_zone_gss_end(p))
		goto out;
	if (file_line != 0 && key_line != 0)
		cfg_error(p, file_line > key_line ? file_line : key_line,
		    "key and key_file both set (the other on line %d); keep "
		    "one", file_line > key_line ? key_line : file_line);
	else if (file_line == 0 && key_line == 0)
		cfg_error(p, z->line, "[zone %s] has no key; add key_file = "
		    "PATH (tsig-keygen output) or key = [ALG:]NAME:SECRET",
		    z->name);
	if (name_line != 0 && file_line == 0)
		cfg_error(p, name_line, "key_name picks a key from key_file, "
		    "and there is no key_file");
	/* Nothing to load, or a bad value already reported. */
	if (file_line == 0 || key_line != 0 || p->key_file == NULL ||
	    (name_line != 0 && p->key_name == NULL))
		goto out;
	if ((path = cfg_key_path(p->path, p->key_file)) == NULL) {
		cfg_nomem(p);
		goto out;
	}
	st = key_load_file(path, p->key_name, &z->key, err, sizeof(err));
	if (st == KEY_ERR_NOMEM)
		cfg_nomem(p);
	else if (st != KEY_OK)
		cfg_error(p, file_line, "key_file: %s", err);
out:
	free(path);
	free(p->key_file);
	free(p->key_name);
	p->key_file = NULL;
	p->key_name = NULL;
}

static void
cfg_section_end(struct cfg_parse *p)
{
	if (p->section == SEC_ZONE)
		cfg_zone_end(p);
	p->section = SEC_NONE;
}

/* A "[zone NAME]" header on LINE: a new zone entry, checked. */
static void
cfg_zone_begin(struct cfg_parse *p, int line, const char *arg)
{
	struct config		*c = p->c;
	struct zone_conf	*zones;
	char			*name;

	if (*arg == '\0') {
		cfg_error(p, line, "[zone] needs the zone's name, as in "
		    "[zone example.net]");
		p->section = SEC_SKIP;
		return;
	}
	if (strpbrk(arg, " \t") != NULL) {
		cfg_error(p, line, "[zone %s]: one zone name per section", arg);
		p->section = SEC_SKIP;
		return;
	}
	if (cfg_name(p, line, "zone name", arg, 0, &name) == -1) {
		p->section = SEC_SKIP;
		return;
	}
	for (size_t i = 0; i < c->n_zones; i++) {
		if (strcmp(c->zones[i].name, name) == 0) {
			/* Still read, so its own errors are reported too. */
			cfg_error(p, line, "[zone %s] repeated (first on line "
			    "%d)", name, c->zones[i].line);
			break;
		}
	}
	if ((zones = reallocarray(c->zones, c->n_zones + 1,
	    sizeof(*zones))) == NULL) {
		free(name);
		cfg_nomem(p);
		return;
	}
	c->zones = zones;
	p->zone = c->n_zones++;
	memset(&zones[p->zone], 0, sizeof(zones[p->zone]));
	zones[p->zone].name = name;
	zones[p->zone].line = line;
	memset(p->zone_seen, 0, sizeof(p->zone_seen));
	p->section = SEC_ZONE;
}

/*
 * A section header (LINE, LEN bytes, blanks stripped at the start). inih
 * would cut the name at 49 bytes and calls us only for keys, so an empty
 * section would go unseen; we read headers ourselves.
 */
static void
cfg_section_line(struct cfg_parse *p, const char *line, size_t len)
{
	const char	*close = NULL, *rest;
	char		*text, *name, *end;
	int		 was_blank = 0;

	cfg_section_end(p);
	p->section = SEC_SKIP;
	/* As inih: ']' ends the header, "; comment" after a blank too. */
	for (size_t i = 1; i < len; i++) {
		if (line[i] == ']') {
			close = line + i;
			break;
		}
		if (was_blank && line[i] == ';')
			break;
		was_blank = cfg_is_blank(line[i]);
	}
	if (close == NULL) {
		cfg_error(p, p->lineno, "']' missing at the end of the "
		    "section header");
		return;
	}
	for (rest = close + 1; rest < line + len && cfg_is_blank(*rest); rest++)
		;
	if (rest < line + len && *rest != ';')
		cfg_error(p, p->lineno, "text after ']'%s", *rest == '#' ?
		    "; a comment after a header starts with ';', not '#'" : "");
	if ((text = strndup(line + 1, (size_t)(close - line - 1))) == NULL) {
		cfg_nomem(p);
		return;
	}
	for (name = text; cfg_is_blank(*name); name++)
		;
	for (end = name + strlen(name); end > name && cfg_is_blank(end[-1]);)
		*--end = '\0';

	if (strcasecmp(name, "defaults") == 0) {
		if (p->defaults_line != 0)
			cfg_error(p, p->lineno, "[defaults] repeated (first on "
			    "line %d); merge them", p->defaults_line);
		else
			p->defaults_line = p->lineno;
		p->section = SEC_DEFAULTS;
	} else if (strncasecmp(name, "zone", 4) == 0 &&
	    (name[4] == '\0' || cfg_is_blank(name[4]))) {
		for (name += 4; cfg_is_blank(*name); name++)
			;
		cfg_zone_begin(p, p->lineno, name);
	} else
		cfg_error(p, p->lineno, "unknown section [%s]; expected "
		    "[defaults] or [zone NAME]", name);
	free(text);
}

/*
 * The reader inih calls for each line (fgets semantics, NUM bytes of room).
 * It hands over the next line with leading blanks removed, or a blank line
 * in place of one we handle or reject ourselves (headers, bad lines). At
 * the end it hands over one blank line as long as inih's buffer: that
 * overwrites every byte of it, so no inline key secret stays behind on the
 * stack once ini_parse_stream returns.
 */
/*
 * The next line of the file into *LINE and *LEN: without its end of line
 * (LF or CRLF), a byte order mark on line 1 (as inih skips it), or leading
 * blanks.
 */
static void
cfg_line_next(struct cfg_parse *p, const char **linep, size_t *lenp)
{
	const char	*line = p->buf + p->pos, *end;
	size_t		 len;

	if ((end = memchr(line, '\n', p->len - p->pos)) == NULL)
		end = p->buf + p->len;
	p->pos = (size_t)(end - p->buf) + 1;
	p->lineno++;
	len = (size_t)(end - line);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (p->lineno == 1 && len >= 3 &&
	    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	while (len > 0 && cfg_is_blank(*line)) {
		line++;
		len--;
	}
	*linep = line;
	*lenp = len;
}

/*
 * Is LINE "NAME = VALUE" as inih splits it: the first '=' or ':', unless
 * a "; comment" comes first? We accept only '='.
 */
static int
cfg_line_is_pair(const char *line, size_t len)
{
	int	 was_blank = 0;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '=')
			return 1;
		if (line[i] == ':' || (was_blank && line[i] == ';'))
			return 0;
		was_blank = cfg_is_blank(line[i]);
	}
	return 0;
}

static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse	*p = stream;
	const char		*line;
	size_t			 len, max;

	if (num < 3)
		return NULL;
	max = (size_t)num - 2;	/* room for '\n' and NUL */
	if (p->pos >= p->len) {
		if (p->wiped)
			return NULL;
		memset(str, ' ', max);
		str[num - 2] = '\n';
		str[num - 1] = '\0';
		p->wiped = 1;
		return str;
	}
	cfg_line_next(p, &line, &len);
	if (p->nomem)
		goto blank;
	if (memchr(line, '\0', len) != NULL) {
		cfg_error(p, p->lineno, "NUL byte in line; is this a config "
		    "file?");
		goto blank;
	}
	if (len == 0 || line[0] == ';' || line[0] == '#')
		goto blank;
	/* Ours, so a 253-character zone name fits. */
	if (line[0] == '[') {
		cfg_section_line(p, line, len);
		goto blank;
	}
	if (len > max) {
		cfg_error(p, p->lineno, "line longer than %zu characters, the "
		    "most inih reads", max);
		goto blank;
	}
	if (!cfg_line_is_pair(line, len)) {
		/* Not quoted: the line might be a stray secret. */
		cfg_error(p, p->lineno, "expected NAME = VALUE or [SECTION]");
		goto blank;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
blank:
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

/* Names the keys of section S, for "expected ..." in errors. */
static void
cfg_key_list(enum cfg_section s, char *buf, size_t len)
{
	size_t	 used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < K_COUNT && used + 1 < len; i++) {
		if (cfg_keys[i].section != s)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? ", " : "", cfg_keys[i].name);
	}
}

/*
 * ca = ISSUER...: the issuer domain names (RFC 8659 4.2) `check` holds CAA
 * records against, lower case, without a trailing dot.
 */
static void
cfg_ca_list(struct cfg_parse *p, int line, const char *v)
{
	struct config	*c = p->c;
	const char	*w = v;
	int		 bad = 0;

	for (size_t i = 0; i < c->n_cas; i++)
		free(c->cas[i]);
	c->n_cas = 0;
	while (*w != '\0') {
		size_t			 n;
		char			*name = NULL, why[256], **grown;
		enum dname_status	 ds;

		while (*w == ' ' || *w == '\t')
			w++;
		if ((n = strcspn(w, " \t")) == 0)
			break;
		ds = dname_parse(w, n, 0, &name, why, sizeof(why));
		if (ds == DNAME_ERR_NOMEM) {
			cfg_nomem(p);
			return;
		}
		if (ds != DNAME_OK) {
			cfg_error(p, line, "ca: %.*s: %s", (int)n, w, why);
			bad = 1;
			w += n;
			continue;
		}
		/* Canonical, less the root label: issuer names carry no dot. */
		name[strlen(name) - 1] = '\0';
		if ((grown = reallocarray(c->cas, c->n_cas + 1,
		    sizeof(*grown))) == NULL) {
			free(name);
			cfg_nomem(p);
			return;
		}
		c->cas = grown;
		c->cas[c->n_cas++] = name;
		w += n;
	}
	if (c->n_cas == 0 && !bad)
		cfg_error(p, line, "ca: name at least one issuer domain, "
		    "e.g. ca = letsencrypt.org");
}

static void
cfg_defaults_value(struct cfg_parse *p, int line, enum cfg_key k,
    const char *name, const char *v)
{
	struct config	*c = p->c;
	unsigned long	 n = 0;

	switch (k) {
	case K_RESOLVER:
		(void)cfg_addr_list(p, line, name, v, &c->resolvers,
		    &c->n_resolvers);
		break;
	case K_TTL:
		cfg_set_number(p, line, name, v, 1, CONFIG_TTL_MAX, &n);
		if (n != 0)
			c->ttl = (unsigned)n;
		break;
	case K_TIMEOUT:
		cfg_set_number(p, line, name, v, 1, CONFIG_TIMEOUT_MAX, &n);
		if (n != 0)
			c->timeout = (unsigned)n;
		break;
	case K_PORT:
		cfg_set_number(p, line, name, v, 1, 65535, &n);
		if (n != 0)
			c->port = (uint16_t)n;
		break;
	case K_CA:
		cfg_ca_list(p, line, v);
		break;
	case K_REQUIRE:
		if (strcmp(v, "all") == 0)
			c->require = CONFIG_REQUIRE_ALL;
		else if (strcmp(v, "reachable") == 0)
			c->require = CONFIG_REQUIRE_REACHABLE;
		else
			cfg_error(p, line, "require must be all or reachable, "
			    "not %s%s", v, cfg_hint(v));
		break;
	case K_STATE_DIR:
		/* Relative, it would depend on where the client runs us. */
		if (v[0] != '/')
			cfg_error(p, line, "state_dir must be an absolute "
			    "path, not %s%s", v, cfg_hint(v));
		else {
			free(c->state_dir);
			if ((c->state_dir = strdup(v)) == NULL)
				cfg_nomem(p);
		}
		break;
	default:
		break;
	}
}

static void
cfg_zone_value(struct cfg_parse *p, int line, enum cfg_key k,
    const char *name, const char *v)
{
	struct zone_conf	*z = cfg_zone(p);
	char			 err[1024];
	enum key_status		 st;

	switch (k) {
	case K_SERVER:
		cfg_server(p, line, v);
		break;
	case K_KEY_FILE:
		if ((p->key_file = strdup(v)) == NULL)
			cfg_nomem(p);
		break;
	case K_KEY_NAME:
		(void)cfg_name(p, line, "key_name", v, DNAME_ALLOW_KEYCHARS,
		    &p->key_name);
		break;
	case K_KEY:
		/* A secret in this file: only its owner may read it. */
		if (!p->perm_checked) {
			p->perm_checked = 1;
			st = key_file_check_private(p->path, err, sizeof(err));
			if (st == KEY_ERR_PERM)
				cfg_error(p, line, "inline key, but %s", err);
			else if (st != KEY_OK)
				cfg_error(p, line, "%s", err);
		}
		st = key_parse_inline(v, &z->key, err, sizeof(err));
		if (st == KEY_ERR_NOMEM)
			cfg_nomem(p);
		else if (st != KEY_OK)
			cfg_error(p, line, "%s", err);
		break;
	case K_NAMESERVERS:
		(void)cfg_addr_list(p, line, name, v, &z->nameservers,
		    &z->n_nameservers);
		break;
	/* GSS-TSIG seam: the values; cfg_zone_gss_end checks the whole. */
	case K_GSS_TSIG:
		if (strcmp(v, "yes") == 0)
			z->gss_tsig = ZONE_GSS_STANDARD;
		else if (strcmp(v, "microsoft") == 0)
			z->gss_tsig = ZONE_GSS_MICROSOFT;
		else
			cfg_error(p, line, "gss_tsig must be yes or microsoft "
			    "(Windows DNS before 2003), not %s%s", v,
			    cfg_hint(v));
		break;
	case K_PRINCIPAL:
	case K_SERVER_PRINCIPAL:
	case K_KEYTAB:
		if (strpbrk(v, " \t\"") != NULL)
			cfg_error(p, line, "%s %s holds a blank or a quote%s",
			    name, v, cfg_hint(v));
		else if ((*(k == K_PRINCIPAL ? &z->principal :
		    k == K_KEYTAB ? &z->keytab : &z->server_principal) =
		    strdup(v)) == NULL)
			cfg_nomem(p);
		break;
	default:
		break;
	}
}

/* inih's callback, once per "name = value" line; errors are ours to report. */
static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_parse	*p = user;
	int			*seen, line = p->lineno;
	char			 known[128];
	size_t			 k;

	(void)section;		/* ours is in p->section, never cut */
	if (p->nomem || p->section == SEC_SKIP)
		return 1;
	if (name[0] == '\0') {
		cfg_error(p, line, "key name missing before '='");
		return 1;
	}
	for (k = 0; k < K_COUNT; k++)
		if (strcasecmp(name, cfg_keys[k].name) == 0)
			break;
	if (p->section == SEC_NONE) {
		cfg_error(p, line, "%s outside any section; put it under "
		    "[defaults] or [zone NAME]", name);
		return 1;
	}
	if (k == K_COUNT) {
		cfg_key_list(p->section, known, sizeof(known));
		cfg_error(p, line, "unknown key %s in [%s%s]; expected %s",
		    name, p->section == SEC_ZONE ? "zone " : "defaults",
		    p->section == SEC_ZONE ? cfg_zone(p)->name : "", known);
		return 1;
	}
	if (cfg_keys[k].section != p->section) {
		cfg_error(p, line, "%s belongs in %s", cfg_keys[k].name,
		    cfg_keys[k].section == SEC_ZONE ? "a [zone NAME] section" :
		    "[defaults]");
		return 1;
	}
	seen = p->section == SEC_ZONE ? p->zone_seen : p->defaults_seen;
	if (seen[k] != 0) {
		cfg_error(p, line, "%s repeated (first on line %d)",
		    cfg_keys[k].name, seen[k]);
		return 1;
	}
	seen[k] = line;
	if (value[0] == '\0') {
		cfg_error(p, line, "%s has no value", cfg_keys[k].name);
		return 1;
	}
	if (p->section == SEC_DEFAULTS)
		cfg_defaults_value(p, line, (enum cfg_key)k, cfg_keys[k].name,
		    value);
	else
		cfg_zone_value(p, line, (enum cfg_key)k, cfg_keys[k].name,
		    value);
	return 1;
}

/* Reads up to MAX bytes of FD into BUF, *LEN of them. 0, or -1 (errno). */
static int
cfg_read_fd(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t	 r;

	*len = 0;
	while (*len < max) {
		r = read(fd, buf + *len, max - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	return 0;
}

/* Reads PATH whole into *BUFP. Returns CONFIG_OK or the reported error. */
static enum config_status
cfg_read(const char *path, char **bufp, size_t *lenp)
{
	struct stat		 st;
	char			*buf = NULL;
	size_t			 len = 0;
	int			 fd;
	enum config_status	 rc = CONFIG_ERR_OPEN;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK))
	    == -1 || fstat(fd, &st) == -1) {
		msg_error("%s: cannot open (%s)", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		msg_error("%s: cannot open (%s)", path, strerror(EISDIR));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		msg_error("%s: cannot open (not a regular file)", path);
		goto out;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		msg_error("%s: larger than %d bytes; not a config file", path,
		    CONFIG_FILE_MAX);
		rc = CONFIG_ERR_INVALID;
		goto out;
	}
	/* One byte more than the size: a file that grew is caught below. */
	if ((buf = malloc((size_t)st.st_size + 2)) == NULL) {
		msg_error("%s: out of memory", path);
		rc = CONFIG_ERR_NOMEM;
		goto out;
	}
	if (cfg_read_fd(fd, buf, (size_t)st.st_size + 1, &len) == -1) {
		msg_error("%s: cannot open (%s)", path, strerror(errno));
		goto out;
	}
	if (len > (size_t)st.st_size) {
		msg_error("%s: cannot open (file changed while read)", path);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = CONFIG_OK;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return rc;
}

/* A config of PATH with the defaults, or NULL. */
static struct config *
cfg_new(const char *path)
{
	struct config	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	c->ttl = CONFIG_TTL_DEFAULT;
	c->timeout = CONFIG_TIMEOUT_DEFAULT;
	c->port = CONFIG_PORT_DEFAULT;
	c->require = CONFIG_REQUIRE_ALL;
	return c;
}

/* Ports not given with an address take the defaults, known at the end. */
static void
cfg_ports(struct config *c)
{
	for (size_t i = 0; i < c->n_resolvers; i++)
		dnsio_server_port_default(&c->resolvers[i],
		    CONFIG_PORT_DEFAULT);
	for (size_t i = 0; i < c->n_zones; i++) {
		struct zone_conf	*z = &c->zones[i];

		for (size_t j = 0; j < z->n_nameservers; j++)
			dnsio_server_port_default(&z->nameservers[j], c->port);
		if (z->server_addr != NULL)
			dnsio_server_port_default(z->server_addr, c->port);
		if (z->server_host != NULL && z->server_port == 0)
			z->server_port = c->port;
	}
}

char *
config_state_dir_default(void)
{
	const char	*env = getenv("STATE_DIRECTORY"), *xdg, *home;
	struct passwd	*pw;
	char		*dir = NULL;

	/* systemd's StateDirectory= (a list if several: the first). */
	if (env != NULL && env[0] == '/')
		return strndup(env, strcspn(env, ":"));
	if (geteuid() == 0)
		return strdup(CONFIG_STATE_DIR_ROOT);
	if ((xdg = getenv("XDG_STATE_HOME")) != NULL && xdg[0] == '/') {
		if (asprintf(&dir, "%s/acme-nsupdate", xdg) == -1)
			dir = NULL;
		return dir;
	}
	if ((home = getenv("HOME")) == NULL || home[0] != '/')
		home = (pw = getpwuid(geteuid())) != NULL ? pw->pw_dir : "/";
	if (asprintf(&dir, "%s/.local/state/acme-nsupdate", home) == -1)
		dir = NULL;
	return dir;
}

const char *
config_path_pick(const char *explicit_path)
{
	const char	*env;

	if (explicit_path != NULL)
		return explicit_path;
	if ((env = getenv(CONFIG_ENV)) != NULL && env[0] != '\0')
		return env;
	return CONFIG_DEFAULT_PATH;
}

enum config_status
config_load(const char *path, struct config **out)
{
	struct cfg_parse	 p;
	struct config		*c = NULL;
	char			*buf = NULL, err[256];
	size_t			 len = 0;
	int			 r;
	enum config_status	 rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if ((rc = cfg_read(path, &buf, &len)) != CONFIG_OK)
		goto out;
	if ((c = cfg_new(path)) == NULL) {
		msg_error("%s: out of memory", path);
		rc = CONFIG_ERR_NOMEM;
		goto out;
	}

	p.path = path;
	p.buf = buf;
	p.len = len;
	p.c = c;
	p.section = SEC_NONE;
	r = ini_parse_stream(cfg_reader, &p, cfg_handler, &p);
	if (!p.nomem)
		cfg_section_end(&p);
	if (r == -2)
		cfg_nomem(&p);
	else if (r != 0 && p.nerrors == 0)
		cfg_error(&p, r > 0 ? r : 0, "cannot be parsed");
	cfg_ports(c);
	if (!p.nomem && c->n_cas == 0) {
		if ((c->cas = calloc(1, sizeof(*c->cas))) == NULL ||
		    (c->cas[0] = strdup(CONFIG_CA_DEFAULT)) == NULL)
			cfg_nomem(&p);
		else
			c->n_cas = 1;
	}
	if (!p.nomem && c->state_dir == NULL &&
	    (c->state_dir = config_state_dir_default()) == NULL)
		cfg_nomem(&p);
	if (!p.nomem && p.nerrors == 0 && c->n_resolvers == 0 &&
	    config_resolv_conf(&c->resolvers, &c->n_resolvers, err,
	    sizeof(err)) == -1)
		cfg_error(&p, 0, "%s", err);

	if (p.nomem)
		rc = CONFIG_ERR_NOMEM;
	else if (p.nerrors > 0)
		rc = CONFIG_ERR_INVALID;
	else {
		*out = c;
		c = NULL;
		rc = CONFIG_OK;
	}
out:
	free(p.key_file);
	free(p.key_name);
	config_free(c);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->resolvers);
	for (size_t i = 0; i < c->n_zones; i++) {
		struct zone_conf	*z = &c->zones[i];

		free(z->name);
		free(z->server);
		free(z->server_host);
		free(z->server_addr);
		key_free(z->key);
		free(z->principal);
		free(z->keytab);
		free(z->server_principal);
		free(z->nameservers);
	}
	free(c->zones);
	for (size_t i = 0; i < c->n_cas; i++)
		free(c->cas[i]);
	free(c->cas);
	free(c->path);
	free(c->state_dir);
	free(c);
}

int
config_resolv_conf(struct dns_server **out, size_t *n, char *err,
    size_t errlen)
{
	ldns_resolver		*r = NULL;
	ldns_rdf		**ns;
	struct dns_server	*list;
	struct sockaddr_storage	*ss;
	size_t			 nns, sslen;

	*out = NULL;
	*n = 0;
	/* ldns reads nameserver lines; it ignores options and ip:port forms. */
	if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot read /etc/resolv.conf; set "
		    "resolver = in [defaults]");
		return -1;
	}
	ns = ldns_resolver_nameservers(r);
	nns = ldns_resolver_nameserver_count(r);
	if ((list = calloc(nns + 1, sizeof(*list))) == NULL) {
		ldns_resolver_deep_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nns; i++) {
		ss = ldns_rdf2native_sockaddr_storage(ns[i],
		    CONFIG_PORT_DEFAULT, &sslen);
		if (ss == NULL)
			continue;
		dnsio_server_from_sockaddr((struct sockaddr *)ss,
		    (socklen_t)sslen, &list[(*n)++]);
		free(ss);
	}
	ldns_resolver_deep_free(r);
	if (*n == 0) {
		free(list);
		snprintf(err, errlen, "/etc/resolv.conf names no usable "
		    "nameserver; set resolver = in [defaults]");
		return -1;
	}
	*out = list;
	return 0;
}

const struct zone_conf *
config_zone_exact(const struct config *c, const char *apex)
{
	if (c == NULL || apex == NULL)
		return NULL;
	for (size_t i = 0; i < c->n_zones; i++)
		if (dname_equal(c->zones[i].name, apex))
			return &c->zones[i];
	return NULL;
}

const struct zone_conf *
config_zone_for(const struct config *c, const char *fqdn)
{
	const struct zone_conf	*best = NULL;

	if (c == NULL || fqdn == NULL)
		return NULL;
	/* The deepest configured zone at or above FQDN (RFC 1034 3.1). */
	for (size_t i = 0; i < c->n_zones; i++)
		if (dname_is_within(fqdn, c->zones[i].name) && (best == NULL ||
		    strlen(c->zones[i].name) > strlen(best->name)))
			best = &c->zones[i];
	return best;
}
