/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for key.c: BIND key files as tsig-keygen and ddns-confgen write
 * them, every algorithm, broken files, permissions, inline specs, and that
 * no error message ever carries the secret.
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

#include "key.h"
#include "testutil.h"

/* bytes 0..31, 0..63 etc. in base64: the decoded secret is easy to check. */
#define B64_16	"AAECAwQFBgcICQoLDA0ODw=="
#define B64_20	"AAECAwQFBgcICQoLDA0ODxAREhM="
#define B64_28	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw=="
#define B64_32	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define B64_48	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" \
		"gISIjJCUmJygpKissLS4v"
#define B64_64	B64_48 "MDEyMzQ1Njc4OTo7PD0+Pw=="

/* tsig-keygen -a hmac-sha256 acme-key. (BIND 9.18), secret replaced. */
static const char tsig_keygen_out[] =
    "key \"acme-key.\" {\n"
    "\talgorithm hmac-sha256;\n"
    "\tsecret \"" B64_32 "\";\n"
    "};\n";

/* ddns-confgen -k upd -z example.net (BIND 9.18), verbatim but the secret. */
static const char ddns_confgen_out[] =
    "# To activate this key, place the following in named.conf, and\n"
    "# in a separate keyfile on the system or systems from which nsupdate\n"
    "# will be run:\n"
    "key \"upd\" {\n"
    "\talgorithm hmac-sha256;\n"
    "\tsecret \"" B64_32 "\";\n"
    "};\n"
    "\n"
    "# Then, in the \"zone\" definition statement for \"example.net\",\n"
    "# place an \"update-policy\" statement like this one, adjusted as \n"
    "# needed for your preferred permissions:\n"
    "update-policy {\n"
    "\t  grant upd zonesub ANY;\n"
    "};\n"
    "\n"
    "# After the keyfile has been placed, the following command will\n"
    "# execute nsupdate using this key:\n"
    "nsupdate -k <keyfile>\n";

/* ddns-confgen -a hmac-sha512 -s host.example.net */
static const char ddns_confgen_s_out[] =
    "# To activate this key, place the following in named.conf, and\n"
    "# in a separate keyfile on the system or systems from which nsupdate\n"
    "# will be run:\n"
    "key \"ddns-key.host.example.net\" {\n"
    "\talgorithm hmac-sha512;\n"
    "\tsecret \"" B64_64 "\";\n"
    "};\n"
    "\n"
    "# Then, in the \"zone\" statement for the zone containing the\n"
    "# name \"host.example.net\", place an \"update-policy\" statement\n"
    "# like this one, adjusted as needed for your preferred permissions:\n"
    "update-policy {\n"
    "\t  grant ddns-key.host.example.net name host.example.net ANY;\n"
    "};\n"
    "\n"
    "# After the keyfile has been placed, the following command will\n"
    "# execute nsupdate using this key:\n"
    "nsupdate -k <keyfile>\n";

static const char three_keys[] =
    "key \"a-key.\" {\n"
    "\talgorithm hmac-sha256;\n"
    "\tsecret \"" B64_32 "\";\n"
    "};\n"
    "key \"b-key.\" {\n"
    "\talgorithm hmac-sha512;\n"
    "\tsecret \"" B64_64 "\";\n"
    "};\n"
    "key c-key {\n"
    "\talgorithm hmac-sha1;\n"
    "\tsecret \"" B64_20 "\";\n"
    "};\n";

static char	tdir[64];

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_key.XXXXXX");
	return mkdtemp(tdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return remove_tmpdir(tdir);
}

static void
assert_secret_range(const struct key *k, size_t len)
{
	assert_int_equal(k->secret_len, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(k->secret[i], i);
}

/* Loads TEXT (mode 0600) and expects status ST; err is left in ERR. */
static enum key_status
load_text(const char *text, const char *want, struct key **k, char *err,
    size_t errlen, char **pathp)
{
	char		*path = write_tmp(tdir, "key", text, 0600);
	enum key_status	 st;

	st = key_load_file(path, want, k, err, errlen);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return st;
}

/* Expects a failure whose message starts with "PATH:LINE: " and has NEEDLE. */
static void
expect_file_error(const char *text, enum key_status want_st, int line,
    const char *needle)
{
	struct key	*k = (struct key *)0x1;
	char		 err[512], prefix[PATH_MAX + 32], *path;

	assert_int_equal(load_text(text, NULL, &k, err, sizeof(err), &path),
	    want_st);
	assert_null(k);
	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("want prefix \"%s\", got \"%s\"", prefix, err);
	if (strstr(err, needle) == NULL)
		fail_msg("want \"%s\" in \"%s\"", needle, err);
	/* No error, whatever went wrong, shows any secret of these tests. */
	assert_null(strstr(err, "AAECAwQF"));
	assert_null(strstr(err, "BAD+SEKRIT"));
	free(path);
}

static void
test_tsig_keygen(void **state)
{
	struct key	*k = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(load_text(tsig_keygen_out, NULL, &k, err,
	    sizeof(err), NULL), KEY_OK);
	assert_non_null(k);
	assert_string_equal(k->name, "acme-key.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA256);
	assert_secret_range(k, 32);
	key_free(k);
}

static void
test_ddns_confgen(void **state)
{
	struct key	*k = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(load_text(ddns_confgen_out, NULL, &k, err,
	    sizeof(err), NULL), KEY_OK);
	assert_string_equal(k->name, "upd.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA256);
	assert_secret_range(k, 32);
	key_free(k);

	assert_int_equal(load_text(ddns_confgen_s_out,
	    "DDNS-KEY.host.example.net.", &k, err, sizeof(err), NULL), KEY_OK);
	assert_string_equal(k->name, "ddns-key.host.example.net.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA512);
	assert_secret_range(k, 64);
	key_free(k);
}

/* Two ddns-confgen outputs appended: the nsupdate line ends no statement. */
static void
test_ddns_confgen_twice(void **state)
{
	struct key	*k = NULL;
	char		 err[512], *text;

	(void)state;
	text = xprintf("%s%s", ddns_confgen_out,
	    ddns_confgen_s_out);
	assert_int_equal(load_text(text, NULL, &k, err, sizeof(err), NULL),
	    KEY_ERR_AMBIGUOUS);
	assert_non_null(strstr(err, "upd., ddns-key.host.example.net."));
	assert_int_equal(load_text(text, "upd", &k, err, sizeof(err), NULL),
	    KEY_OK);
	assert_string_equal(k->name, "upd.");
	key_free(k);
	free(text);
}

static void
test_several_keys(void **state)
{
	struct key	*k = NULL;
	char		 err[512], *path;

	(void)state;
	assert_int_equal(load_text(three_keys, NULL, &k, err, sizeof(err),
	    &path), KEY_ERR_AMBIGUOUS);
	assert_null(k);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "3 keys (a-key., b-key., c-key.)"));
	assert_non_null(strstr(err, "key_name"));

	/* key_name: case and trailing dot do not matter. */
	assert_int_equal(key_load_file(path, "B-KEY", &k, err, sizeof(err)),
	    KEY_OK);
	assert_string_equal(k->name, "b-key.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA512);
	assert_secret_range(k, 64);
	key_free(k);

	/* An unquoted name in the file. */
	assert_int_equal(key_load_file(path, "c-key.", &k, err, sizeof(err)),
	    KEY_OK);
	assert_string_equal(k->name, "c-key.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA1);
	assert_secret_range(k, 20);
	key_free(k);

	assert_int_equal(key_load_file(path, "d-key", &k, err, sizeof(err)),
	    KEY_ERR_NOTFOUND);
	assert_null(k);
	assert_non_null(strstr(err, "no key named d-key."));
	assert_non_null(strstr(err, "a-key., b-key., c-key."));
	free(path);
}

/* The one key of a file is used even if key_name is not given. */
static void
test_one_key_want_mismatch(void **state)
{
	struct key	*k = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(load_text(tsig_keygen_out, "other", &k, err,
	    sizeof(err), NULL), KEY_ERR_NOTFOUND);
	assert_null(k);
	assert_non_null(strstr(err, "no key named other.; the file holds "
	    "acme-key."));
}

static void
test_each_algorithm(void **state)
{
	static const struct {
		const char	*written;
		enum key_alg	 alg;
		const char	*name;
		const char	*wire;
		const char	*b64;
		size_t		 len;
	} t[] = {
		{ "hmac-md5", KEY_ALG_HMAC_MD5, "hmac-md5",
		    "hmac-md5.sig-alg.reg.int.", B64_16, 16 },
		{ "hmac-md5.sig-alg.reg.int.", KEY_ALG_HMAC_MD5, "hmac-md5",
		    "hmac-md5.sig-alg.reg.int.", B64_16, 16 },
		{ "hmac-sha1", KEY_ALG_HMAC_SHA1, "hmac-sha1", "hmac-sha1.",
		    B64_20, 20 },
		{ "hmac-sha224", KEY_ALG_HMAC_SHA224, "hmac-sha224",
		    "hmac-sha224.", B64_28, 28 },
		{ "HMAC-SHA256", KEY_ALG_HMAC_SHA256, "hmac-sha256",
		    "hmac-sha256.", B64_32, 32 },
		{ "\"hmac-sha384\"", KEY_ALG_HMAC_SHA384, "hmac-sha384",
		    "hmac-sha384.", B64_48, 48 },
		{ "hmac-sha512.", KEY_ALG_HMAC_SHA512, "hmac-sha512",
		    "hmac-sha512.", B64_64, 64 },
	};
	struct key	*k;
	char		 err[256], *text;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		text = xprintf("key \"k%zu\" {\n\talgorithm %s;\n"
		    "\tsecret \"%s\";\n};\n", i, t[i].written, t[i].b64);
		k = NULL;
		if (load_text(text, NULL, &k, err, sizeof(err), NULL) !=
		    KEY_OK)
			fail_msg("%s: %s", t[i].written, err);
		assert_int_equal(k->alg, t[i].alg);
		assert_string_equal(key_alg_name(k->alg), t[i].name);
		assert_string_equal(key_alg_wire_name(k->alg), t[i].wire);
		assert_secret_range(k, t[i].len);
		key_free(k);
		free(text);
	}
}

static void
test_comments_and_layout(void **state)
{
	static const char text[] =
	    "// a C++ comment\n"
	    "/* a C comment\n"
	    "   over lines */ key \"Mixed.Case.Name\" # a hash comment\n"
	    "{ algorithm /* inline */ hmac-sha256 ; // trailing\n"
	    "secret \"AAECAwQFBgcICQoLDA0ODxAR\n"
	    "          EhMUFRYXGBkaGxwdHh8=\"; } ;\n";
	struct key	*k = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(load_text(text, "mixed.case.name", &k, err,
	    sizeof(err), NULL), KEY_OK);
	assert_string_equal(k->name, "mixed.case.name.");
	assert_secret_range(k, 32);
	key_free(k);
}

static void
test_broken_files(void **state)
{
	(void)state;
	expect_file_error("", KEY_ERR_NOTFOUND, 0, "no key in file");
	expect_file_error("# only a comment\n", KEY_ERR_NOTFOUND, 0,
	    "no key in file");
	/* Closing brace missing: reported at the key's line. */
	expect_file_error("\nkey \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n", KEY_ERR_SYNTAX, 2, "'}' missing");
	expect_file_error("key \"k\" \n\talgorithm hmac-sha256;\n",
	    KEY_ERR_SYNTAX, 2, "'{' missing");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n}\n", KEY_ERR_SYNTAX, 4,
	    "';' missing after the '}'");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n};\n",
	    KEY_ERR_SYNTAX, 1, "key k. has no secret");
	expect_file_error("key \"k\" {\n\tsecret \"" B64_32 "\";\n};\n",
	    KEY_ERR_SYNTAX, 1, "key k. has no algorithm");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"BAD+SEKRIT!!\";\n};\n", KEY_ERR_SECRET, 3,
	    "not valid base64");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"BAD+SEKRIT=AB\";\n};\n", KEY_ERR_SECRET, 3,
	    "not valid base64");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"BAD+SEKRIT\";\n};\n", KEY_ERR_SECRET, 3,
	    "not valid base64");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"\";\n};\n", KEY_ERR_SECRET, 3, "secret is empty");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret " B64_32 ";\n};\n", KEY_ERR_SYNTAX, 3,
	    "secret must be in double quotes");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\"\n};\n", KEY_ERR_SYNTAX, 3,
	    "';' missing after secret");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha3-256;\n"
	    "\tsecret \"" B64_32 "\";\n};\n", KEY_ERR_ALG, 2,
	    "unknown algorithm hmac-sha3-256; supported: hmac-md5, "
	    "hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512");
	/* Something that is not an algorithm name is not quoted back. */
	expect_file_error("key \"k\" {\n\talgorithm \"BAD+SEKRIT\";\n"
	    "\tsecret \"" B64_32 "\";\n};\n", KEY_ERR_ALG, 2,
	    "unknown algorithm; supported:");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\t\"" B64_32 "\";\n};\n", KEY_ERR_SYNTAX, 3,
	    "expected algorithm or secret");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\t" B64_32 ";\n};\n", KEY_ERR_SYNTAX, 3,
	    "expected algorithm or secret");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\talgorithm hmac-sha1;\n};\n", KEY_ERR_SYNTAX, 3,
	    "algorithm repeated (first on line 2)");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n\tsecret \"" B64_32 "\";\n};\n",
	    KEY_ERR_SYNTAX, 4, "secret repeated (first on line 3)");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n};\n" "key \"K.\" {\n"
	    "\talgorithm hmac-sha256;\n\tsecret \"" B64_32 "\";\n};\n",
	    KEY_ERR_SYNTAX, 5, "key k. repeated (first on line 1)");
	expect_file_error("key \"k\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 ";\n};\n", KEY_ERR_SYNTAX, 3,
	    "closing '\"' missing");
	expect_file_error("/* never closed\nkey \"k\" {};\n", KEY_ERR_SYNTAX,
	    1, "comment not closed");
	expect_file_error("key \"a..b\" {\n};\n", KEY_ERR_SYNTAX, 1,
	    "key name: empty label in name");
	expect_file_error("key \"a b\" {\n};\n", KEY_ERR_SYNTAX, 1,
	    "key name: character ' ' is not allowed in a key name");
	/* Beyond LDH, BIND's key names may hold any printable character. */
	expect_file_error("key \"a/b\" {\n};\n", KEY_ERR_SYNTAX, 1,
	    "key a/b. has no algorithm");
	expect_file_error("key \"a@b\" {\n};\n", KEY_ERR_SYNTAX, 1,
	    "key name: character '@' is not allowed in a key name");
	expect_file_error("key {\n};\n", KEY_ERR_SYNTAX, 1,
	    "key name missing");
	expect_file_error("options {\n\tdirectory \"/x\";\n", KEY_ERR_SYNTAX,
	    1, "'}' missing for the '{'");
	expect_file_error("};\n", KEY_ERR_SYNTAX, 1, "'}' without a '{'");
}

static void
test_name_limits(void **state)
{
	char		 label[70], name[300], *text;
	struct key	*k = NULL;
	char		 err[512];

	(void)state;
	memset(label, 'a', 64);
	label[64] = '\0';
	text = xprintf("key \"%s\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n};\n", label);
	expect_file_error(text, KEY_ERR_SYNTAX, 1,
	    "key name: a label is 64 characters long; at most 63 are "
	    "allowed");
	free(text);

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters: the most. */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	text = xprintf("key \"%s.\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n};\n", name);
	assert_int_equal(load_text(text, NULL, &k, err, sizeof(err), NULL),
	    KEY_OK);
	assert_int_equal(strlen(k->name), 254);
	key_free(k);
	free(text);

	name[253] = 'a';
	name[254] = '\0';
	text = xprintf("key \"%s\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" B64_32 "\";\n};\n", name);
	expect_file_error(text, KEY_ERR_SYNTAX, 1,
	    "name is 254 characters long; at most 253 fit in DNS");
	free(text);
}

static void
test_permissions(void **state)
{
	struct key	*k = NULL;
	char		 err[PATH_MAX * 2 + 128], want[PATH_MAX * 2 + 128];
	char		*path;

	(void)state;
	path = write_tmp(tdir, "key", tsig_keygen_out, 0644);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_ERR_PERM);
	assert_null(k);
	snprintf(want, sizeof(want), "%s: readable by group or others "
	    "(mode 0644); run: chmod 600 %s", path, path);
	assert_string_equal(err, want);
	assert_int_equal(key_file_check_private(path, err, sizeof(err)),
	    KEY_ERR_PERM);
	assert_string_equal(err, want);

	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_ERR_PERM);
	assert_non_null(strstr(err, "(mode 0640)"));

	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_ERR_PERM);
	assert_non_null(strstr(err, "writable or executable by group or "
	    "others (mode 0620)"));

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(key_file_check_private(path, err, sizeof(err)),
	    KEY_OK);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_OK);
	key_free(k);

	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_OK);
	key_free(k);
	unlink(path);
	free(path);

	/* A path a shell would split is quoted in the fix. */
	path = write_tmp(tdir, "my key's", tsig_keygen_out, 0604);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_ERR_PERM);
	snprintf(want, sizeof(want), "run: chmod 600 '%s/my key'\\''s.%s'",
	    tdir, strrchr(path, '.') + 1);
	if (strstr(err, want) == NULL)
		fail_msg("want \"%s\" in \"%s\"", want, err);
	free(path);
}

static void
test_missing_file(void **state)
{
	struct key	*k = (struct key *)0x1;
	char		 err[PATH_MAX + 128], want[PATH_MAX + 128];
	char		 path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist", tdir);
	assert_int_equal(key_load_file(path, NULL, &k, err, sizeof(err)),
	    KEY_ERR_OPEN);
	assert_null(k);
	snprintf(want, sizeof(want), "%s: cannot open (No such file or "
	    "directory)", path);
	assert_string_equal(err, want);

	/* A directory is not a key file, whatever its mode. */
	assert_int_equal(chmod(tdir, 0700), 0);
	assert_int_equal(key_load_file(tdir, NULL, &k, err, sizeof(err)),
	    KEY_ERR_OPEN);
	assert_non_null(strstr(err, "not a regular file"));
}

static void
test_inline_good(void **state)
{
	struct key	*k = NULL;
	char		 err[256];

	(void)state;
	assert_int_equal(key_parse_inline("hmac-sha512:acme-key.:" B64_64, &k,
	    err, sizeof(err)), KEY_OK);
	assert_string_equal(k->name, "acme-key.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA512);
	assert_secret_range(k, 64);
	key_free(k);

	/* No algorithm: hmac-sha256, as nsupdate -y. */
	assert_int_equal(key_parse_inline("Acme-Key:" B64_32, &k, err,
	    sizeof(err)), KEY_OK);
	assert_string_equal(k->name, "acme-key.");
	assert_int_equal(k->alg, KEY_ALG_HMAC_SHA256);
	assert_secret_range(k, 32);
	key_free(k);

	assert_int_equal(key_parse_inline("hmac-md5.sig-alg.reg.int:k:" B64_16,
	    &k, err, sizeof(err)), KEY_OK);
	assert_int_equal(k->alg, KEY_ALG_HMAC_MD5);
	key_free(k);

	key_free(NULL);
}

static void
test_inline_bad(void **state)
{
	static const struct {
		const char	*spec;
		enum key_status	 st;
		const char	*msg;
	} t[] = {
		{ "BAD+SEKRIT", KEY_ERR_SYNTAX,
		    "inline key: expected [ALG:]NAME:SECRET" },
		{ "hmac-sha256:a:b:BAD+SEKRIT", KEY_ERR_SYNTAX,
		    "inline key: expected [ALG:]NAME:SECRET" },
		{ "hmac-sha3:k:BAD+SEKRIT", KEY_ERR_ALG,
		    "inline key: unknown algorithm hmac-sha3; supported: "
		    "hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, "
		    "hmac-sha384, hmac-sha512" },
		/* Secret first by mistake: not quoted as an algorithm. */
		{ "BAD+SEKRIT:k:hmac-sha256", KEY_ERR_ALG,
		    "inline key: unknown algorithm; supported: hmac-md5, "
		    "hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
		    "hmac-sha512" },
		{ "BADSEKRIT:k:hmac-sha256", KEY_ERR_ALG,
		    "inline key: unknown algorithm; supported: hmac-md5, "
		    "hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
		    "hmac-sha512" },
		{ ":BAD+SEKRIT", KEY_ERR_SYNTAX,
		    "inline key: empty key name" },
		{ "hmac-sha256::BAD+SEKRIT", KEY_ERR_SYNTAX,
		    "inline key: empty key name" },
		{ "k:", KEY_ERR_SECRET, "inline key: secret is empty" },
		{ "k:BAD+SEKRIT", KEY_ERR_SECRET,
		    "inline key: secret is not valid base64" },
		{ "k:BAD+SEKRIT!", KEY_ERR_SECRET,
		    "inline key: secret is not valid base64" },
		{ "k k:BAD+SEKRIT", KEY_ERR_SYNTAX,
		    "inline key: key name: character ' ' is not allowed in a "
		    "key name" },
	};
	struct key	*k;
	char		 err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = (struct key *)0x1;
		memset(err, 'x', sizeof(err));
		assert_int_equal(key_parse_inline(t[i].spec, &k, err,
		    sizeof(err)), t[i].st);
		assert_null(k);
		if (strncmp(err, t[i].msg, strlen(t[i].msg)) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", t[i].spec,
			    t[i].msg, err);
		assert_null(strstr(err, "SEKRIT"));
	}
}

/* A NULL error buffer is allowed. */
static void
test_null_err(void **state)
{
	struct key	*k = (struct key *)0x1;

	(void)state;
	assert_int_equal(key_parse_inline("nocolon", &k, NULL, 0),
	    KEY_ERR_SYNTAX);
	assert_null(k);
	assert_int_equal(key_load_file("/nonexistent/x", NULL, &k, NULL, 0),
	    KEY_ERR_OPEN);
}

static void
test_alg_names(void **state)
{
	enum key_alg	 a;

	(void)state;
	assert_int_equal(key_alg_from_name("HMAC-SHA384.", &a), 0);
	assert_int_equal(a, KEY_ALG_HMAC_SHA384);
	assert_int_equal(key_alg_from_name("hmac-md5.sig-alg.reg.int", &a), 0);
	assert_int_equal(a, KEY_ALG_HMAC_MD5);
	assert_int_equal(key_alg_from_name("hmac-sha3", &a), -1);
	assert_int_equal(key_alg_from_name("", &a), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsig_keygen),
		cmocka_unit_test(test_ddns_confgen),
		cmocka_unit_test(test_ddns_confgen_twice),
		cmocka_unit_test(test_several_keys),
		cmocka_unit_test(test_one_key_want_mismatch),
		cmocka_unit_test(test_each_algorithm),
		cmocka_unit_test(test_comments_and_layout),
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_inline_good),
		cmocka_unit_test(test_inline_bad),
		cmocka_unit_test(test_null_err),
		cmocka_unit_test(test_alg_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
