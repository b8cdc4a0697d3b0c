/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config.c: a full config, defaults, every malformed value
 * with the exact FILE:LINE reported, all errors in one run, missing and
 * exposed files, how this inih build treats comments, config_zone_for and
 * config_path_pick.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "key.h"
#include "msg.h"
#include "testutil.h"

#define B64_32	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define B64_64	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" \
		"gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="

/* tsig-keygen -a hmac-sha256 acme-key. */
static const char key_tsig_keygen[] =
    "key \"acme-key.\" {\n"
    "\talgorithm hmac-sha256;\n"
    "\tsecret \"" B64_32 "\";\n"
    "};\n";

/* Two keys, as a file that needs key_name. */
static const char key_two[] =
    "key \"one\" {\n\talgorithm hmac-sha256;\n\tsecret \"" B64_32 "\";\n};\n"
    "key \"two\" {\n\talgorithm hmac-sha512;\n\tsecret \"" B64_64 "\";\n};\n";

static char	 tdir[64];
static char	*lines[64];
static size_t	 nlines;

static void
capture(enum msg_level level, const char *line)
{
	(void)level;
	if (nlines < sizeof(lines) / sizeof(lines[0]))
		lines[nlines++] = strdup(line);
}

static void
lines_clear(void)
{
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	nlines = 0;
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	msg_set_sink(capture);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	msg_set_sink(NULL);
	lines_clear();
	return remove_tmpdir(tdir);
}

static int
test_setup(void **state)
{
	(void)state;
	lines_clear();
	return 0;
}

/* The file name part of PATH, for key_file = NAME relative to the config. */
static const char *
base(const char *path)
{
	return strrchr(path, '/') + 1;
}

static void
dump_lines(void)
{
	for (size_t i = 0; i < nlines; i++)
		print_message("  reported: %s\n", lines[i]);
}

/*
 * Loads TEXT as a config (mode 0600) and expects CONFIG_ERR_INVALID with
 * exactly the lines in WANT (NULL-terminated), each "LINE: what" after the
 * file's path.
 */
static void
expect_errors(const char *text, const char *const *want)
{
	struct config	*c = (struct config *)0x1;
	char		*path = write_tmp(tdir, "conf", text, 0600), *full;
	size_t		 n = 0;

	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_ERR_INVALID);
	assert_null(c);
	for (; want[n] != NULL; n++) {
		full = xprintf("%s:%s", path, want[n]);
		if (n >= nlines || strcmp(lines[n], full) != 0) {
			dump_lines();
			fail_msg("line %zu: want \"%s\"", n, full);
		}
		free(full);
	}
	if (nlines != n) {
		dump_lines();
		fail_msg("%zu lines reported, want %zu", nlines, n);
	}
	free(path);
}

/* One error: the usual case. */
static void
expect_error(const char *text, const char *want)
{
	const char *const list[] = { want, NULL };

	expect_errors(text, list);
}

/* A zone with an inline key, to make the other tests' configs complete. */
#define ZONE_OK	"[zone example.net]\nkey = k:" B64_32 "\n"

static void
test_full(void **state)
{
	struct config		*c = NULL;
	const struct zone_conf	*z;
	char			*k1, *k2, *text, *path;

	(void)state;
	k1 = write_tmp(tdir, "k1", key_tsig_keygen, 0600);
	k2 = write_tmp(tdir, "k2", key_two, 0400);
	text = xprintf(
	    "; acme-nsupdate config\n"
	    "# both comment characters at the start of a line\n"
	    "[defaults]\n"
	    "resolver = 127.0.0.1 [::1]:53 192.0.2.1:5353 ::1  ; inline\n"
	    "ttl = 300\n"
	    "timeout = 86400\n"
	    "port = 5353\n"
	    "require = reachable\n"
	    "\n"
	    "[zone Example.NET]\n"
	    "server = ns1.example.net:5300\n"
	    "key_file = %s\n"
	    "nameservers = 192.0.2.1 2001:db8::1 [2001:db8::2]:53 "
	    "198.51.100.7:5353\n"
	    "\n"
	    "[zone acme.example.org.]\n"
	    "server = 2001:db8::53\n"
	    "key_file = %s\n"
	    "key_name = TWO.\n"
	    "\n"
	    "[ zone inline.example ]\n"
	    "server = 192.0.2.53:53\n"
	    "key = hmac-sha512:inline-key:" B64_64 "\n",
	    base(k1), k2);
	path = write_tmp(tdir, "full", text, 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(nlines, 0);
	assert_string_equal(c->path, path);
	assert_int_equal(c->n_resolvers, 4);
	/* Resolvers default to port 53, whatever port = says. */
	assert_string_equal(c->resolvers[0].text, "127.0.0.1 port 53");
	assert_string_equal(c->resolvers[1].text, "::1 port 53");
	assert_string_equal(c->resolvers[2].text, "192.0.2.1 port 5353");
	assert_string_equal(c->resolvers[3].text, "::1 port 53");
	assert_int_equal(c->ttl, 300);
	assert_int_equal(c->timeout, 86400);
	assert_int_equal(c->port, 5353);
	assert_int_equal(c->require, CONFIG_REQUIRE_REACHABLE);
	assert_int_equal(c->n_zones, 3);

	z = &c->zones[0];
	assert_string_equal(z->name, "example.net.");
	assert_int_equal(z->line, 10);
	assert_string_equal(z->server, "ns1.example.net:5300");
	assert_string_equal(z->server_host, "ns1.example.net.");
	assert_int_equal(z->server_port, 5300);
	assert_null(z->server_addr);
	assert_string_equal(z->key->name, "acme-key.");
	assert_int_equal(z->key->alg, KEY_ALG_HMAC_SHA256);
	assert_int_equal(z->key->secret_len, 32);
	assert_int_equal(z->n_nameservers, 4);
	/* Authoritative servers default to port =, even from above it. */
	assert_string_equal(z->nameservers[0].text, "192.0.2.1 port 5353");
	assert_string_equal(z->nameservers[1].text, "2001:db8::1 port 5353");
	assert_string_equal(z->nameservers[2].text, "2001:db8::2 port 53");
	assert_string_equal(z->nameservers[3].text, "198.51.100.7 port 5353");

	z = &c->zones[1];
	assert_string_equal(z->name, "acme.example.org.");
	assert_int_equal(z->line, 15);
	assert_string_equal(z->server, "2001:db8::53");
	assert_null(z->server_host);
	assert_non_null(z->server_addr);
	assert_string_equal(z->server_addr->text, "2001:db8::53 port 5353");
	assert_string_equal(z->key->name, "two.");
	assert_int_equal(z->key->alg, KEY_ALG_HMAC_SHA512);
	assert_int_equal(z->key->secret_len, 64);
	assert_null(z->nameservers);
	assert_int_equal(z->n_nameservers, 0);

	z = &c->zones[2];
	assert_string_equal(z->name, "inline.example.");
	assert_string_equal(z->server, "192.0.2.53:53");
	assert_string_equal(z->server_addr->text, "192.0.2.53 port 53");
	assert_string_equal(z->key->name, "inline-key.");
	assert_int_equal(z->key->alg, KEY_ALG_HMAC_SHA512);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(z->key->secret[i], i);
	config_free(c);
	free(path);
	free(text);
	free(k1);
	free(k2);
}

static void
test_defaults(void **state)
{
	struct config	*c = NULL;
	char		*path;

	(void)state;
	path = write_tmp(tdir, "conf", ZONE_OK, 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	/* No resolver =: /etc/resolv.conf's, never none. */
	assert_non_null(c->resolvers);
	assert_true(c->n_resolvers > 0);
	assert_int_equal(c->ttl, 60);
	assert_int_equal(c->timeout, 120);
	assert_int_equal(c->port, 53);
	assert_int_equal(c->require, CONFIG_REQUIRE_ALL);
	assert_int_equal(c->n_cas, 1);
	assert_string_equal(c->cas[0], CONFIG_CA_DEFAULT);
	assert_int_equal(c->n_zones, 1);
	assert_null(c->zones[0].server);
	assert_null(c->zones[0].server_host);
	assert_null(c->zones[0].server_addr);
	assert_null(c->zones[0].nameservers);
	assert_string_equal(c->zones[0].key->name, "k.");
	assert_int_equal(c->zones[0].key->alg, KEY_ALG_HMAC_SHA256);
	config_free(c);
	free(path);

	/* An empty file is a valid config (with no zone to write to). */
	path = write_tmp(tdir, "conf", "", 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(c->n_zones, 0);
	config_free(c);
	free(path);
	config_free(NULL);
}

/* ca =: issuer names, lower case, without the trailing dot (RFC 8659 4.2). */
static void
test_ca(void **state)
{
	struct config	*c = NULL;
	char		*path, *text;

	(void)state;
	text = xprintf("[defaults]\nca = LetsEncrypt.org  sectigo.com.\n%s",
	    ZONE_OK);
	path = write_tmp(tdir, "conf", text, 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(c->n_cas, 2);
	assert_string_equal(c->cas[0], "letsencrypt.org");
	assert_string_equal(c->cas[1], "sectigo.com");
	config_free(c);
	free(text);
	free(path);
}

static void
test_numbers(void **state)
{
	(void)state;
	expect_error("[defaults]\nttl = 0\n",
	    "2: ttl must be a number from 1 to 604800, not 0");
	expect_error("[defaults]\nttl = 604801\n",
	    "2: ttl must be a number from 1 to 604800, not 604801");
	expect_error("[defaults]\nttl = 99999999999999999999999\n",
	    "2: ttl must be a number from 1 to 604800, not "
	    "99999999999999999999999");
	expect_error("[defaults]\nttl = -1\n",
	    "2: ttl must be a number from 1 to 604800, not -1");
	expect_error("[defaults]\nttl = 1m\n",
	    "2: ttl must be a number from 1 to 604800, not 1m");
	expect_error("[defaults]\ntimeout = 0\n",
	    "2: timeout must be a number from 1 to 86400, not 0");
	expect_error("[defaults]\ntimeout = 86401\n",
	    "2: timeout must be a number from 1 to 86400, not 86401");
	expect_error("[defaults]\nport = 0\n",
	    "2: port must be a number from 1 to 65535, not 0");
	expect_error("[defaults]\nport = 65536\n",
	    "2: port must be a number from 1 to 65535, not 65536");
	expect_error("[defaults]\nrequire = most\n",
	    "2: require must be all or reachable, not most");
	expect_error("[defaults]\nrequire = ALL\n",
	    "2: require must be all or reachable, not ALL");
	/* '#' is no inline comment in this inih build: say so. */
	expect_error("[defaults]\nttl = 60 # a minute\n",
	    "2: ttl must be a number from 1 to 604800, not 60 # a minute; "
	    "a comment after a value starts with ';', not '#'");
}

static void
test_addresses(void **state)
{
	static const char tail[] = " is not a numeric address with "
	    "optional port (as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or "
	    "[2001:db8::1]:53)";
	const char *bad[] = {
		"localhost", "1.2.3", "1.2.3.4:0", "1.2.3.4:65536",
		"1.2.3.4:", "[::1", "[::1]:", "[::1]53", "[1.2.3.4]:53",
		"::1:53:", "fe80::1%lo", "2001:db8::g",
	};
	char	*text, *want;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = xprintf("[defaults]\nresolver = 127.0.0.1 %s\n"
		    ZONE_OK "nameservers = %s\n", bad[i], bad[i]);
		want = xprintf("2: resolver: %s%s", bad[i], tail);
		{
			char *want2 = xprintf("5: nameservers: %s%s", bad[i],
			    tail);
			const char *const list[] = { want, want2, NULL };

			expect_errors(text, list);
			free(want2);
		}
		free(want);
		free(text);
	}
	expect_error("[defaults]\nresolver = 127.0.0.1 ::1 # two\n",
	    "2: resolver: '#' starts no comment here; a comment after a value "
	    "starts with ';'");
	expect_error("[defaults]\nresolver = 127.0.0.1, ::1\n",
	    "2: resolver: 127.0.0.1, is not a numeric address with optional "
	    "port (as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or "
	    "[2001:db8::1]:53); separate addresses with blanks, not commas");
}

static void
test_server(void **state)
{
	static const char numeric[] = ": not a valid numeric address "
	    "(with optional port, as 192.0.2.1:53 or [2001:db8::1]:53)";
	const struct {
		const char	*v;
		const char	*why;
	} bad[] = {
		{ "300.1.1.1", numeric },
		{ "192.0.2.1:99999", numeric },
		{ "[::1]:x", numeric },
		{ "2001:db8::zz", numeric },
		{ "ns1.example.net:0", ": bad port (1 to 65535 after the "
		    "':')" },
		{ "ns1.example.net:", ": bad port (1 to 65535 after the "
		    "':')" },
		{ "ns1..example.net", ": empty label in name" },
		{ "ns1.example.123", ": neither a numeric address nor a "
		    "host name" },
		{ "ns1 ns2", ": character ' ' is not allowed in a host name "
		    "(letters, digits, '-', '_')" },
	};
	/* As written; then the host and port, or the address, parsed once. */
	const struct {
		const char	*v;
		const char	*host;
		unsigned	 port;
		const char	*addr;
	} good[] = {
		{ "ns1.example.net", "ns1.example.net.", 53, NULL },
		{ "ns1.example.net.", "ns1.example.net.", 53, NULL },
		{ "ns1.example.net:5353", "ns1.example.net.", 5353, NULL },
		{ "NS1", "ns1.", 53, NULL },
		{ "192.0.2.1", NULL, 0, "192.0.2.1 port 53" },
		{ "192.0.2.1:54", NULL, 0, "192.0.2.1 port 54" },
		{ "2001:db8::1", NULL, 0, "2001:db8::1 port 53" },
		{ "[2001:db8::1]", NULL, 0, "2001:db8::1 port 53" },
		{ "[2001:db8::1]:5353", NULL, 0, "2001:db8::1 port 5353" },
		{ "a-b_c.example", "a-b_c.example.", 53, NULL },
	};
	const struct zone_conf *z;
	struct config	*c;
	char		*text, *path, *want;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		text = xprintf(ZONE_OK "server = %s\n", good[i].v);
		path = write_tmp(tdir, "conf", text, 0600);
		c = NULL;
		lines_clear();
		if (config_load(path, &c) != CONFIG_OK) {
			dump_lines();
			fail_msg("server = %s refused", good[i].v);
		}
		z = &c->zones[0];
		assert_string_equal(z->server, good[i].v);
		if (good[i].host != NULL) {
			assert_string_equal(z->server_host, good[i].host);
			assert_int_equal(z->server_port, good[i].port);
			assert_null(z->server_addr);
		} else {
			assert_null(z->server_host);
			assert_string_equal(z->server_addr->text,
			    good[i].addr);
		}
		config_free(c);
		free(path);
		free(text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = xprintf(ZONE_OK "server = %s\n", bad[i].v);
		want = xprintf("3: server %s%s", bad[i].v, bad[i].why);
		expect_error(text, want);
		free(want);
		free(text);
	}
}

static void
test_zone_names(void **state)
{
	char	 label[64], name[260], *text, *want;

	(void)state;
	expect_error("[zone]\n", "1: [zone] needs the zone's name, as in "
	    "[zone example.net]");
	expect_error("[zone a.example b.example]\n",
	    "1: [zone a.example b.example]: one zone name per section");
	expect_error("[zone a..example]\n",
	    "1: zone name a..example: empty label in name");
	expect_error("[zone .example]\n",
	    "1: zone name .example: empty label in name");
	expect_error("[zone .]\n", "1: zone name .: empty name; expected a "
	    "domain such as example.org");
	expect_error("[zone ex!ample.net]\n", "1: zone name ex!ample.net: "
	    "character '!' is not allowed in a host name (letters, digits, "
	    "'-', '_')");
	expect_error("[zone bücher.example]\n", "1: zone name bücher.example: "
	    "name is not ASCII; pass its punycode (A-label) form, e.g. "
	    "xn--bcher-kva.example for bücher.example (idn2 converts)");

	memset(label, 'a', 63);
	label[63] = '\0';
	text = xprintf("[zone %s.example]\nkey = k:" B64_32 "\n", label);
	{
		struct config	*c = NULL;
		char		*path = write_tmp(tdir, "conf", text, 0600);

		assert_int_equal(config_load(path, &c), CONFIG_OK);
		config_free(c);
		free(path);
	}
	free(text);
	text = xprintf("[zone %sa.example]\n", label);
	want = xprintf("1: zone name %sa.example: a label is 64 characters "
	    "long; at most 63 are allowed", label);
	expect_error(text, want);
	free(text);
	free(want);

	/* 253 characters, the most: longer than inih's lines, but ours. */
	memset(name, 'a', 254);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	text = xprintf("[zone %s.]\nkey = k:" B64_32 "\n", name);
	{
		struct config	*c = NULL;
		char		*path = write_tmp(tdir, "conf", text, 0600);

		assert_int_equal(config_load(path, &c), CONFIG_OK);
		assert_int_equal(strlen(c->zones[0].name), 254);
		assert_non_null(config_zone_for(c, name));
		config_free(c);
		free(path);
	}
	free(text);

	/* 254 characters: one too many (RFC 1035 2.3.4). */
	name[253] = 'a';
	name[254] = '\0';
	text = xprintf("[zone %s.]\n", name);
	want = xprintf("1: zone name %s.: name is 254 characters long; at "
	    "most 253 fit in DNS", name);
	expect_error(text, want);
	free(text);
	free(want);
}

static void
test_structure(void **state)
{
	(void)state;
	expect_error("[zone example.net]\nserver = ns1.example.net\n",
	    "1: [zone example.net.] has no key; add key_file = PATH "
	    "(tsig-keygen output) or key = [ALG:]NAME:SECRET");
	expect_error("\n[zone example.net]\nkey = k:" B64_32 "\n"
	    "\n[zone EXAMPLE.net.]\nkey = k:" B64_32 "\n",
	    "5: [zone example.net.] repeated (first on line 2)");
	expect_error(ZONE_OK "server = a.example\nserver = b.example\n",
	    "4: server repeated (first on line 3)");
	{
		const char *const want[] = {
			"3: [defaults] repeated (first on line 1); merge them",
			"4: ttl repeated (first on line 2)",
			NULL
		};

		expect_errors("[defaults]\nttl = 1\n[defaults]\nTTL = 2\n",
		    want);
	}
	expect_error("[defaults]\nttl = 1\n" ZONE_OK "[defaults]\nport = 2\n",
	    "5: [defaults] repeated (first on line 1); merge them");
	expect_error(ZONE_OK "key_file = x.key\n",
	    "3: key and key_file both set (the other on line 2); keep one");
	expect_error(ZONE_OK "key_name = k\n",
	    "3: key_name picks a key from key_file, and there is no key_file");
	expect_error("[zone example.net]\nkey_file = x.key\nkey_name = a..b\n",
	    "3: key_name a..b: empty label in name");
	expect_error("[defaults]\nttl = 1\n[zones example.net]\nttl = 2\n",
	    "3: unknown section [zones example.net]; expected [defaults] or "
	    "[zone NAME]");
	expect_error("[defaults]\nttl = 1\n[]\n",
	    "3: unknown section []; expected [defaults] or [zone NAME]");
	expect_error("[defaults]\nttls = 1\n",
	    "2: unknown key ttls in [defaults]; expected resolver, ttl, "
	    "timeout, port, require, ca, state_dir");
	expect_error("[defaults]\nca = a_b!.org\n",
	    "2: ca: a_b!.org: character '!' is not allowed in a host name "
	    "(letters, digits, '-', '_')");
	expect_error("[defaults]\nca =\n", "2: ca has no value");
	expect_error(ZONE_OK "keyfile = x\n",
	    "3: unknown key keyfile in [zone example.net.]; expected server, "
	    "key_file, key_name, key, nameservers, gss_tsig, principal, "
	    "keytab, server_principal");
	expect_error("[defaults]\nserver = ns1.example.net\n",
	    "2: server belongs in a [zone NAME] section");
	expect_error(ZONE_OK "ttl = 5\n", "3: ttl belongs in [defaults]");
	expect_error("ttl = 5\n", "1: ttl outside any section; put it under "
	    "[defaults] or [zone NAME]");
	expect_error("[defaults]\nttl\n",
	    "2: expected NAME = VALUE or [SECTION]");
	expect_error("[defaults]\nresolver 127.0.0.1:53\n",
	    "2: expected NAME = VALUE or [SECTION]");
	expect_error("[defaults]\nttl: 5\n",
	    "2: expected NAME = VALUE or [SECTION]");
	expect_error("[defaults]\n= 5\n", "2: key name missing before '='");
	expect_error("[defaults]\nttl =\n", "2: ttl has no value");
	expect_error("[defaults]\nttl = ; nothing\n", "2: ttl has no value");
	expect_error("[defaults\nttl = 5\n",
	    "1: ']' missing at the end of the section header");
	expect_error("[defaults ; x]\n",
	    "1: ']' missing at the end of the section header");
	expect_error("[defaults] ttl = 5\n", "1: text after ']'");
	expect_error("[defaults] # x\n", "1: text after ']'; a comment after "
	    "a header starts with ';', not '#'");
}

static void
test_key_errors(void **state)
{
	char	*k, *text, *want;

	(void)state;
	/* key_file is relative to the config's directory, tdir. */
	want = xprintf("2: key_file: %s/missing.key: cannot open (No such "
	    "file or directory)", tdir);
	expect_error("[zone example.net]\nkey_file = missing.key\n", want);
	free(want);

	k = write_tmp(tdir, "k", key_tsig_keygen, 0644);
	text = xprintf("[zone example.net]\nkey_file = %s\n", k);
	want = xprintf("2: key_file: %s: readable by group or others (mode "
	    "0644); run: chmod 600 %s", k, k);
	expect_error(text, want);
	free(want);
	free(text);
	free(k);

	k = write_tmp(tdir, "k", "key \"k\" {\n\talgorithm hmac-sha256;\n", 0600);
	text = xprintf("[zone example.net]\n\nkey_file = %s\n", base(k));
	want = xprintf("3: key_file: %s:1: '}' missing at the end of key k",
	    k);
	expect_error(text, want);
	free(want);
	free(text);
	free(k);

	k = write_tmp(tdir, "k", key_two, 0600);
	text = xprintf("[zone example.net]\nkey_file = %s\n", k);
	want = xprintf("2: key_file: %s: holds 2 keys (one., two.); pick one "
	    "with key_name", k);
	expect_error(text, want);
	free(want);
	free(text);
	text = xprintf("[zone example.net]\nkey_name = three\nkey_file = %s\n",
	    k);
	want = xprintf("3: key_file: %s: no key named three.; the file holds "
	    "one., two.", k);
	expect_error(text, want);
	free(want);
	free(text);
	free(k);

	/* Inline keys: the secret never shows in an error. */
	expect_error("[zone example.net]\nkey = hmac-sha256:k:SEKRIT+x!\n",
	    "2: inline key: secret is not valid base64");
	expect_error("[zone example.net]\nkey = hmac-sha3:k:SEKRIT+x!\n",
	    "2: inline key: unknown algorithm hmac-sha3; supported: "
	    "hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
	    "hmac-sha512");
	expect_error("[zone example.net]\nkey = SEKRIT+x!\n",
	    "2: inline key: expected [ALG:]NAME:SECRET");
	expect_error("[zone example.net]\nkey = SEKRIT+x!:k:hmac-sha256\n",
	    "2: inline key: unknown algorithm; supported: hmac-md5, "
	    "hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512");
	/* A secret pasted on a line of its own is not quoted either. */
	expect_error("[zone example.net]\nkey = k:" B64_32 "\nSEKRIT+x!\n",
	    "3: expected NAME = VALUE or [SECTION]");
	for (size_t i = 0; i < nlines; i++)
		assert_null(strstr(lines[i], "SEKRIT"));
}

static void
test_permissions(void **state)
{
	struct config	*c = NULL;
	char		*path, *want, *k, *text;

	(void)state;
	path = write_tmp(tdir, "conf", "[defaults]\nttl = 60\n\n" ZONE_OK, 0644);
	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_ERR_INVALID);
	assert_null(c);
	want = xprintf("%s:5: inline key, but %s: readable by group or others "
	    "(mode 0644); run: chmod 600 %s", path, path, path);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], want);
	free(want);

	assert_int_equal(chmod(path, 0640), 0);
	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_ERR_INVALID);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(lines[0], "chmod 600"));

	assert_int_equal(chmod(path, 0600), 0);
	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(nlines, 0);
	config_free(c);
	free(path);

	/* Without an inline secret, the config may be world-readable. */
	k = write_tmp(tdir, "k", key_tsig_keygen, 0600);
	text = xprintf("[zone example.net]\nkey_file = %s\n", k);
	path = write_tmp(tdir, "conf", text, 0644);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_string_equal(c->zones[0].key->name, "acme-key.");
	config_free(c);
	free(path);
	free(text);
	free(k);
}

/* GSS-TSIG: instead of a key; the keytab holds secrets (mode 600). */
static void
test_gss(void **state)
{
	struct config	*c = NULL;
	char		*kt, *text, *path, *want;

	(void)state;
	kt = write_tmp(tdir, "keytab", "not really a keytab", 0600);
	text = xprintf("[zone ad.example.net]\ngss_tsig = microsoft\n"
	    "principal = acme/web1@EXAMPLE.NET\nkeytab = %s\n"
	    "server_principal = DNS/dc1.ad.example.net@EXAMPLE.NET\n", base(kt));
	path = write_tmp(tdir, "conf", text, 0644);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_null(c->zones[0].key);
	assert_int_equal(c->zones[0].gss_tsig, ZONE_GSS_MICROSOFT);
	assert_string_equal(c->zones[0].principal, "acme/web1@EXAMPLE.NET");
	/* Relative to the config's directory, as key_file. */
	assert_string_equal(c->zones[0].keytab, kt);
	assert_string_equal(c->zones[0].server_principal,
	    "DNS/dc1.ad.example.net@EXAMPLE.NET");
	config_free(c);
	free(path);
	free(text);

	assert_int_equal(chmod(kt, 0640), 0);
	text = xprintf("[zone example.net]\ngss_tsig = yes\nkeytab = %s\n", kt);
	want = xprintf("3: keytab: %s: readable by group or others (mode 0640); "
	    "run: chmod 600 %s", kt, kt);
	expect_error(text, want);
	free(want);
	free(text);
	text = xprintf("[zone example.net]\ngss_tsig = yes\nkeytab = %s.gone\n",
	    kt);
	want = xprintf("3: keytab: %s.gone: cannot open (No such file or "
	    "directory); export the principal's key to it (kadmin: ktadd -k "
	    "%s.gone PRINCIPAL; Active Directory: ktpass) or fix the path", kt,
	    kt);
	expect_error(text, want);
	free(want);
	free(text);
	free(kt);

	expect_error("[zone example.net]\ngss_tsig = yes\nkey = k:" B64_32 "\n",
	    "3: key and gss_tsig both set (gss_tsig on line 2); a zone is "
	    "signed with a key or with GSS-TSIG: keep one");
	expect_error("[zone example.net]\ngss_tsig = maybe\n",
	    "2: gss_tsig must be yes or microsoft (Windows DNS before 2003), "
	    "not maybe");
	expect_error(ZONE_OK "principal = a@B\n",
	    "3: principal is for GSS-TSIG, and gss_tsig is not set");
	expect_error("[zone example.net]\ngss_tsig = yes\nprincipal = a b@C\n",
	    "3: principal a b@C holds a blank or a quote");
}

/* Every error of a file in one run, in file order, then CONFIG_ERR_INVALID. */
static void
test_many_errors(void **state)
{
	(void)state;
	expect_errors(
	    "ttl = 5\n"
	    "[defaults]\n"
	    "ttl = 0\n"
	    "port = x\n"
	    "require = some\n"
	    "[zone]\n"
	    "server = x\n"
	    "[zone example.net]\n"
	    "server = 300.1.1.1\n"
	    "nameservers = 192.0.2.1 nope 192.0.2.2 also-not\n"
	    "[zone example.org]\n"
	    "key_name = k\n"
	    "[what]\n"
	    "x = 1\n"
	    "y\n",
	    (const char *const[]){
		"1: ttl outside any section; put it under [defaults] or "
		    "[zone NAME]",
		"3: ttl must be a number from 1 to 604800, not 0",
		"4: port must be a number from 1 to 65535, not x",
		"5: require must be all or reachable, not some",
		"6: [zone] needs the zone's name, as in [zone example.net]",
		"9: server 300.1.1.1: not a valid numeric address (with "
		    "optional port, as 192.0.2.1:53 or [2001:db8::1]:53)",
		"10: nameservers: nope is not a numeric address with optional "
		    "port (as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or "
		    "[2001:db8::1]:53)",
		"10: nameservers: also-not is not a numeric address with "
		    "optional port (as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or "
		    "[2001:db8::1]:53)",
		"8: [zone example.net.] has no key; add key_file = PATH "
		    "(tsig-keygen output) or key = [ALG:]NAME:SECRET",
		"11: [zone example.org.] has no key; add key_file = PATH "
		    "(tsig-keygen output) or key = [ALG:]NAME:SECRET",
		"12: key_name picks a key from key_file, and there is no "
		    "key_file",
		"13: unknown section [what]; expected [defaults] or "
		    "[zone NAME]",
		"15: expected NAME = VALUE or [SECTION]",
		NULL
	    });
}

static void
test_missing_file(void **state)
{
	struct config	*c = (struct config *)0x1;
	char		*path, *want;

	(void)state;
	path = xprintf("%s/nope.ini", tdir);
	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_ERR_OPEN);
	assert_null(c);
	want = xprintf("%s: cannot open (No such file or directory)", path);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], want);
	free(want);
	free(path);

	lines_clear();
	assert_int_equal(config_load(tdir, &c), CONFIG_ERR_OPEN);
	want = xprintf("%s: cannot open (Is a directory)", tdir);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], want);
	free(want);
}

/* What this inih build does with comments, blanks, CRLF and a BOM. */
static void
test_inih_syntax(void **state)
{
	struct config	*c = NULL;
	char		*path;

	(void)state;
	path = write_tmp(tdir, "conf",
	    "\xef\xbb\xbf; a BOM first, then a ';' comment\r\n"
	    "# '#' at the start of a line is a comment\r\n"
	    "   ; so is an indented one\r\n"
	    "\t# and this\r\n"
	    "[defaults]    ; a comment after a header\r\n"
	    "  ttl = 30 ; inline ';' after a blank is a comment\r\n"
	    "\r\n"
	    "  timeout = 40\r\n"
	    "\r\n"
	    "[zone example.net]\r\n"
	    "\tserver = ns1.example.net\r\n"
	    "\tkey = hmac-sha256:k:" B64_32 "   ; the key\r\n"
	    "\tnameservers = 192.0.2.1\r\n"
	    "\t  192.0.2.2\r\n", 0600);
	lines_clear();
	/* An indented line is a key of its own, never a continuation. */
	assert_int_equal(config_load(path, &c), CONFIG_ERR_INVALID);
	assert_null(c);
	free(path);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(lines[0], ":14: expected NAME = VALUE"));

	path = write_tmp(tdir, "conf",
	    "\xef\xbb\xbf[defaults]\r\n"
	    "  ttl = 30 ; inline\r\n"
	    "  timeout = 40\r\n"
	    "[zone example.net]\r\n"
	    "\tserver = ns1.example.net\r\n"
	    "\tkey = hmac-sha256:k:" B64_32 "   ; the key\r\n"
	    "\tnameservers = 192.0.2.1   192.0.2.2", 0600);
	lines_clear();
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(c->ttl, 30);
	assert_int_equal(c->timeout, 40);
	assert_string_equal(c->zones[0].server, "ns1.example.net");
	assert_int_equal(c->zones[0].key->secret_len, 32);
	assert_int_equal(c->zones[0].n_nameservers, 2);
	assert_string_equal(c->zones[0].nameservers[1].text,
	    "192.0.2.2 port 53");
	config_free(c);
	free(path);
}

/* inih's buffer holds 198 characters and a newline; longer is an error. */
static void
test_long_line(void **state)
{
	struct config	*c = NULL;
	char		 v[256], *text, *path;

	(void)state;
	/* "resolver = " and 15 addresses of 11 characters: 190. */
	v[0] = '\0';
	for (int i = 0; i < 15; i++)
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s192.0.2.%d",
		    i == 0 ? "" : i == 1 ? "         " : " ", 100 + i);
	assert_int_equal(strlen("resolver = ") + strlen(v), 198);
	text = xprintf("[defaults]\nresolver = %s\n" ZONE_OK, v);
	path = write_tmp(tdir, "conf", text, 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	assert_int_equal(c->n_resolvers, 15);
	config_free(c);
	free(path);
	free(text);

	text = xprintf("[defaults]\nresolver = %s0\nttl = 0\n" ZONE_OK, v);
	{
		const char *const want[] = {
			"2: line longer than 198 characters, the most inih "
			    "reads",
			"3: ttl must be a number from 1 to 604800, not 0",
			NULL
		};

		expect_errors(text, want);
	}
	free(text);
}

static void
test_zone_for(void **state)
{
	struct config		*c = NULL;
	const struct zone_conf	*z;
	char			*path;
	static const struct {
		const char	*fqdn;
		const char	*zone;
	} t[] = {
		{ "example.net.", "example.net." },
		{ "example.net", "example.net." },
		{ "_acme-challenge.www.example.net.", "example.net." },
		{ "_ACME-Challenge.WWW.Example.NET", "example.net." },
		{ "x.acme.example.net.", "acme.example.net." },
		{ "acme.example.net", "acme.example.net." },
		{ "deep.er.acme.example.net.", "acme.example.net." },
		{ "xacme.example.net.", "example.net." },
		{ "xexample.net.", NULL },
		{ "net.", NULL },
		{ "example.org.", NULL },
		{ "", NULL },
		{ ".", NULL },
	};

	(void)state;
	/* Listed least specific last: order in the file does not matter. */
	path = write_tmp(tdir, "conf",
	    "[zone acme.example.net]\nkey = k:" B64_32 "\n"
	    "[zone EXAMPLE.net.]\nkey = k:" B64_32 "\n", 0600);
	assert_int_equal(config_load(path, &c), CONFIG_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		z = config_zone_for(c, t[i].fqdn);
		if (t[i].zone == NULL && z != NULL)
			fail_msg("%s: got %s, want none", t[i].fqdn, z->name);
		if (t[i].zone != NULL && (z == NULL ||
		    strcmp(z->name, t[i].zone) != 0))
			fail_msg("%s: got %s, want %s", t[i].fqdn,
			    z != NULL ? z->name : "none", t[i].zone);
	}
	assert_null(config_zone_for(NULL, "example.net."));
	assert_null(config_zone_for(c, NULL));
	/* Exactly the apex: a parent's section does not count. */
	z = config_zone_exact(c, "Example.NET");
	assert_non_null(z);
	assert_string_equal(z->name, "example.net.");
	z = config_zone_exact(c, "acme.example.net.");
	assert_non_null(z);
	assert_string_equal(z->name, "acme.example.net.");
	assert_null(config_zone_exact(c, "x.acme.example.net."));
	assert_null(config_zone_exact(c, "net."));
	assert_null(config_zone_exact(NULL, "example.net."));
	config_free(c);
	free(path);
}

static void
test_path_pick(void **state)
{
	(void)state;
	assert_int_equal(setenv(CONFIG_ENV, "/env/conf.ini", 1), 0);
	assert_string_equal(config_path_pick("/x.ini"), "/x.ini");
	assert_string_equal(config_path_pick(NULL), "/env/conf.ini");
	assert_int_equal(setenv(CONFIG_ENV, "", 1), 0);
	assert_string_equal(config_path_pick(NULL), CONFIG_DEFAULT_PATH);
	assert_int_equal(unsetenv(CONFIG_ENV), 0);
	assert_string_equal(config_path_pick(NULL),
	    "/etc/acme-nsupdate/acme-nsupdate.ini");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_full, test_setup),
		cmocka_unit_test_setup(test_defaults, test_setup),
		cmocka_unit_test_setup(test_ca, test_setup),
		cmocka_unit_test_setup(test_numbers, test_setup),
		cmocka_unit_test_setup(test_addresses, test_setup),
		cmocka_unit_test_setup(test_server, test_setup),
		cmocka_unit_test_setup(test_zone_names, test_setup),
		cmocka_unit_test_setup(test_structure, test_setup),
		cmocka_unit_test_setup(test_key_errors, test_setup),
		cmocka_unit_test_setup(test_gss, test_setup),
		cmocka_unit_test_setup(test_permissions, test_setup),
		cmocka_unit_test_setup(test_many_errors, test_setup),
		cmocka_unit_test_setup(test_missing_file, test_setup),
		cmocka_unit_test_setup(test_inih_syntax, test_setup),
		cmocka_unit_test_setup(test_long_line, test_setup),
		cmocka_unit_test_setup(test_zone_for, test_setup),
		cmocka_unit_test_setup(test_path_pick, test_setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
