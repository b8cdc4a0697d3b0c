/* SPDX-License-Identifier: ISC */
/*
 * key: TSIG keys from BIND key files (tsig-keygen, ddns-confgen; their
 * syntax is keyfile.c's) and from inline "[ALG:]NAME:SECRET" specs
 * (nsupdate -y); the one table of algorithms (RFC 8945 6). The secret has
 * one owner, struct key, and every buffer that held it (file contents,
 * base64 text, decoded bytes) is wiped before it is freed.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dname.h"
#include "key.h"
#include "keyfile.h"

/* A key file is a few hundred bytes; anything this large is not one. */
#define KEY_FILE_MAX	(1024 * 1024)
/* Longest algorithm name we quote back in an error. */
#define KEY_ALG_QUOTE_MAX	40

/* RFC 8945 6 names; the digests and full MAC lengths of RFC 2104/4635. */
static const struct key_alg_info key_algs[] = {
	{ KEY_ALG_HMAC_MD5, "hmac-md5", "hmac-md5.sig-alg.reg.int.", "MD5",
	    16 },
	{ KEY_ALG_HMAC_SHA1, "hmac-sha1", "hmac-sha1.", "SHA1", 20 },
	{ KEY_ALG_HMAC_SHA224, "hmac-sha224", "hmac-sha224.", "SHA224", 28 },
	{ KEY_ALG_HMAC_SHA256, "hmac-sha256", "hmac-sha256.", "SHA256", 32 },
	{ KEY_ALG_HMAC_SHA384, "hmac-sha384", "hmac-sha384.", "SHA384", 48 },
	{ KEY_ALG_HMAC_SHA512, "hmac-sha512", "hmac-sha512.", "SHA512", 64 },
};

#define KEY_NALGS	(sizeof(key_algs) / sizeof(key_algs[0]))

/* One key of a file, checked; the secret still points into the file. */
struct key_found {
	char		*name;		/* owned: canonical */
	int		 line;
	enum key_alg	 alg;
	const char	*secret;	/* borrowed: base64 text in the file */
	size_t		 secret_len;
	int		 secret_line;
};

/* The keys of one file, as keyfile_parse hands them over. */
struct key_found_list {
	const char	*path;		/* borrowed */
	struct key_found *keys;		/* owned array, names owned */
	size_t		 n;
	char		*err;		/* borrowed: the caller's buffer */
	size_t		 errlen;
	enum key_status	 st;		/* why a key was refused */
};

static void	key_seterr(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
key_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* strlcat semantics (glibc 2.36 has no strlcat): appends S, truncating. */
static void
key_append(char *buf, const char *s, size_t len)
{
	size_t	 used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s", s);
}

/* "hmac-md5, hmac-sha1, ...": for errors that name what is supported. */
static const char *
key_alg_list(void)
{
	static char	 list[128];

	if (list[0] == '\0') {
		for (size_t i = 0; i < KEY_NALGS; i++) {
			if (i > 0)
				key_append(list, ", ", sizeof(list));
			key_append(list, key_algs[i].name, sizeof(list));
		}
	}
	return list;
}

/*
 * Writes PATH for a shell command line into BUF: as is when it holds only
 * characters no shell treats specially, else in single quotes.
 */
static void
key_shell_quote(const char *path, char *buf, size_t len)
{
	static const char	 safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+,:@%=";
	size_t			 o = 0;

	if (path[0] != '\0' && strspn(path, safe) == strlen(path)) {
		snprintf(buf, len, "%s", path);
		return;
	}
	if (len < 3) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	/* 'it'\''s': close the quotes, an escaped quote, open again. */
	buf[o++] = '\'';
	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '\'') {
			if (o + 4 >= len - 1)
				break;
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			if (o + 1 >= len - 1)
				break;
			buf[o++] = *p;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

/* The permission check on a file's mode: KEY_OK if private. */
static enum key_status
key_mode_check(const char *path, mode_t mode, char *err, size_t errlen)
{
	char	 quoted[1024];

	if ((mode & (S_IRWXG | S_IRWXO)) == 0)
		return KEY_OK;
	key_shell_quote(path, quoted, sizeof(quoted));
	key_seterr(err, errlen, "%s: %s by group or others (mode %04o); "
	    "run: chmod 600 %s", path,
	    (mode & (S_IRGRP | S_IROTH)) != 0 ? "readable" :
	    "writable or executable", (unsigned)(mode & 07777), quoted);
	return KEY_ERR_PERM;
}

/*
 * Checks a key name of LEN bytes (dname_parse, with the characters BIND
 * allows in key names) and sets *OUT to its canonical form. Returns
 * KEY_OK, or the status with WHY saying what is wrong.
 */
static enum key_status
key_name_normalise(const char *s, size_t len, char **out, char *why,
    size_t whylen)
{
	char	 reason[256];

	*out = NULL;
	if (len == 0 || (len == 1 && s[0] == '.')) {
		snprintf(why, whylen, "empty key name");
		return KEY_ERR_SYNTAX;
	}
	switch (dname_parse(s, len, DNAME_ALLOW_KEYCHARS, out, reason,
	    sizeof(reason))) {
	case DNAME_OK:
		return KEY_OK;
	case DNAME_ERR_NOMEM:
		snprintf(why, whylen, "out of memory");
		return KEY_ERR_NOMEM;
	default:
		snprintf(why, whylen, "key name: %s", reason);
		return KEY_ERR_SYNTAX;
	}
}

/*
 * Parses an algorithm name of LEN bytes. Returns 1 and sets *ALG, or 0 and
 * leaves in QUOTE the name if it is safe to show (it looks like one: short,
 * only letters, digits, '-', '.' and '_'), else "".
 */
static int
key_alg_parse(const char *s, size_t len, enum key_alg *alg, char *quote,
    size_t qlen)
{
	char	 name[KEY_ALG_QUOTE_MAX + 1];

	quote[0] = '\0';
	if (len == 0 || len > KEY_ALG_QUOTE_MAX)
		return 0;
	memcpy(name, s, len);
	name[len] = '\0';
	if (key_alg_from_name(name, alg) == 0)
		return 1;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("-._", name[i]) == NULL)
			return 0;
	snprintf(quote, qlen, "%s", name);
	return 0;
}

static int
key_b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int
key_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Copies the base64 text S (LEN bytes) into TEXT without the whitespace
 * BIND allows between groups: *N bytes, *PADS of them '='. Returns NULL,
 * or why it is no base64 (never quoting it).
 */
static const char *
key_b64_clean(const char *s, size_t len, unsigned char *text, size_t *n,
    size_t *pads)
{
	*n = *pads = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (key_is_space(c))
			continue;
		if (c == '=')
			(*pads)++;
		else if (!key_b64_char(c) || *pads > 0)
			return "secret is not valid base64";
		text[(*n)++] = c;
	}
	if (*n == 0 || *n == *pads)
		return "secret is empty";
	/* RFC 4648 4: groups of four, at most two '=' and only at the end. */
	if (*n % 4 != 0 || *pads > 2)
		return "secret is not valid base64";
	return NULL;
}

/*
 * Decodes base64 text S (LEN bytes; whitespace between groups allowed, as
 * BIND allows). With OUT NULL only checks. Returns KEY_OK, or
 * KEY_ERR_NOMEM / KEY_ERR_SECRET with *WHY a static reason that never
 * quotes the text. Uses EVP_DecodeBlock rather than the
 * EVP_DecodeUpdate context, which keeps input bytes in an opaque buffer we
 * could not wipe; the one copy we make is wiped here.
 */
static enum key_status
key_b64_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen, const char **why)
{
	unsigned char	*text = NULL, *bin = NULL;
	enum key_status	 st = KEY_ERR_NOMEM;
	size_t		 n = 0, pads = 0;
	int		 r;

	if (out != NULL)
		*out = NULL;
	*why = "out of memory";
	if ((text = malloc(len + 1)) == NULL)
		goto out;
	st = KEY_ERR_SECRET;
	if ((*why = key_b64_clean(s, len, text, &n, &pads)) != NULL)
		goto out;
	st = KEY_OK;
	if (out == NULL)
		goto out;
	st = KEY_ERR_NOMEM;
	*why = "out of memory";
	if ((bin = malloc(n / 4 * 3)) == NULL)
		goto out;
	r = EVP_DecodeBlock(bin, text, (int)n);
	st = KEY_ERR_SECRET;
	*why = "secret is not valid base64";
	if (r < 0 || (size_t)r < pads)
		goto out;
	st = KEY_OK;
	*why = NULL;
	/* EVP_DecodeBlock counts the zero bytes that padding stands for. */
	*outlen = (size_t)r - pads;
	*out = bin;
	bin = NULL;
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, len + 1);
		free(text);
	}
	if (bin != NULL) {
		OPENSSL_cleanse(bin, n / 4 * 3);
		free(bin);
	}
	return st;
}

/*
 * Doubles *BUFP (*CAPP bytes, LEN used) for a key file that grew while it
 * was read: copies, then wipes the old buffer, which held the secret.
 */
static enum key_status
key_buf_grow(const char *path, char **bufp, size_t *capp, size_t len,
    char *err, size_t errlen)
{
	char	*nbuf;

	if (*capp > KEY_FILE_MAX) {
		key_seterr(err, errlen, "%s: too large for a key file (over "
		    "%d bytes)", path, KEY_FILE_MAX);
		return KEY_ERR_SYNTAX;
	}
	if ((nbuf = malloc(*capp * 2)) == NULL) {
		key_seterr(err, errlen, "%s: out of memory", path);
		return KEY_ERR_NOMEM;
	}
	memcpy(nbuf, *bufp, len);
	OPENSSL_cleanse(*bufp, *capp);
	free(*bufp);
	*bufp = nbuf;
	*capp *= 2;
	return KEY_OK;
}

/*
 * Opens PATH into *FDP (-1 on failure) and checks the open file: regular,
 * private, small enough for a key file. *ST is its fstat.
 */
static enum key_status
key_file_open(const char *path, int *fdp, struct stat *st, char *err,
    size_t errlen)
{
	enum key_status	 rc;

	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	*fdp = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fdp == -1 || fstat(*fdp, st) == -1) {
		key_seterr(err, errlen, "%s: cannot open (%s)", path,
		    strerror(errno));
		return KEY_ERR_OPEN;
	}
	if (!S_ISREG(st->st_mode)) {
		key_seterr(err, errlen, "%s: not a regular file", path);
		return KEY_ERR_OPEN;
	}
	if ((rc = key_mode_check(path, st->st_mode, err, errlen)) != KEY_OK)
		return rc;
	if (st->st_size > KEY_FILE_MAX) {
		key_seterr(err, errlen, "%s: too large for a key file "
		    "(over %d bytes)", path, KEY_FILE_MAX);
		return KEY_ERR_SYNTAX;
	}
	return KEY_OK;
}

/*
 * Reads the whole file at PATH into a new buffer of *LENP bytes and a NUL;
 * bytes past the NUL were never written. Refuses anything but a regular,
 * private file: the mode is checked again on the open descriptor, since
 * the file may have changed since key_file_check_private looked.
 */
static enum key_status
key_file_read(const char *path, char **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 r;
	int		 fd = -1;
	enum key_status	 rc;

	*bufp = NULL;
	*lenp = 0;
	if ((rc = key_file_open(path, &fd, &st, err, errlen)) != KEY_OK)
		goto out;
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		rc = KEY_ERR_NOMEM;
		key_seterr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		/* The file grew since fstat: room for more. */
		if (len + 1 == cap && (rc = key_buf_grow(path, &buf, &cap, len,
		    err, errlen)) != KEY_OK)
			goto out;
		r = read(fd, buf + len, cap - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			key_seterr(err, errlen, "%s: cannot read (%s)", path,
			    strerror(errno));
			rc = KEY_ERR_OPEN;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = KEY_OK;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return rc;
}

/* A new struct key from parsed parts; takes NAME. */
static enum key_status
key_make(char *name, enum key_alg alg, const char *b64, size_t b64len,
    struct key **out, const char **why)
{
	struct key	*k;
	enum key_status	 st;

	*out = NULL;
	*why = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		free(name);
		*why = "out of memory";
		return KEY_ERR_NOMEM;
	}
	k->name = name;
	k->alg = alg;
	if ((st = key_b64_decode(b64, b64len, &k->secret, &k->secret_len,
	    why)) != KEY_OK) {
		key_free(k);
		return st;
	}
	*out = k;
	return KEY_OK;
}

/* "a., b., c." into BUF. */
static void
key_name_list(const struct key_found *keys, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			key_append(buf, ", ", len);
		key_append(buf, keys[i].name, len);
	}
}

/* Checks the name, algorithm and secret of K, a key block as written. */
static enum key_status
key_found_check(struct key_found_list *l, const struct keyfile_key *k,
    struct key_found *f)
{
	char		 why[300], alg[KEY_ALG_QUOTE_MAX + 1];
	const char	*bad;
	enum key_status	 st;

	if ((st = key_name_normalise(k->name.s, k->name.len, &f->name, why,
	    sizeof(why))) != KEY_OK) {
		key_seterr(l->err, l->errlen, "%s:%d: %s", l->path,
		    k->name.line, why);
		return st;
	}
	if (k->alg.s == NULL) {
		key_seterr(l->err, l->errlen, "%s:%d: key %s has no "
		    "algorithm; add: algorithm hmac-sha256;", l->path, k->line,
		    f->name);
		return KEY_ERR_SYNTAX;
	}
	if (!key_alg_parse(k->alg.s, k->alg.len, &f->alg, alg, sizeof(alg))) {
		key_seterr(l->err, l->errlen, "%s:%d: unknown algorithm%s%s; "
		    "supported: %s", l->path, k->alg.line,
		    alg[0] != '\0' ? " " : "", alg, key_alg_list());
		return KEY_ERR_ALG;
	}
	if (k->secret.s == NULL) {
		key_seterr(l->err, l->errlen, "%s:%d: key %s has no secret",
		    l->path, k->line, f->name);
		return KEY_ERR_SYNTAX;
	}
	if ((st = key_b64_decode(k->secret.s, k->secret.len, NULL, NULL,
	    &bad)) != KEY_OK) {
		key_seterr(l->err, l->errlen, "%s:%d: %s", l->path,
		    k->secret.line, bad);
		return st;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->keys[i].name, f->name) == 0) {
			key_seterr(l->err, l->errlen, "%s:%d: key %s repeated "
			    "(first on line %d)", l->path, k->line, f->name,
			    l->keys[i].line);
			return KEY_ERR_SYNTAX;
		}
	}
	return KEY_OK;
}

/* keyfile_parse's callback: checks one key block and keeps it. */
static int
key_found_add(const struct keyfile_key *k, void *arg)
{
	struct key_found_list	*l = arg;
	struct key_found	 f, *keys = NULL;

	memset(&f, 0, sizeof(f));
	f.line = k->line;
	f.secret = k->secret.s;
	f.secret_len = k->secret.len;
	f.secret_line = k->secret.line;
	if ((l->st = key_found_check(l, k, &f)) == KEY_OK &&
	    (keys = reallocarray(l->keys, l->n + 1, sizeof(*keys))) == NULL) {
		key_seterr(l->err, l->errlen, "%s: out of memory", l->path);
		l->st = KEY_ERR_NOMEM;
	}
	if (l->st != KEY_OK) {
		free(f.name);
		return -1;
	}
	l->keys = keys;
	l->keys[l->n++] = f;
	return 0;
}

/*
 * The key WANT (canonical, or NULL: the only one) among L's, made into
 * *OUT. Errors name the keys the file holds.
 */
static enum key_status
key_found_pick(struct key_found_list *l, const char *want, struct key **out)
{
	struct key_found	*f = NULL;
	char			 names[512];
	const char		*why;
	enum key_status		 rc;

	if (l->n == 0) {
		key_seterr(l->err, l->errlen, "%s: no key in file; expected "
		    "key \"NAME\" { algorithm ALG; secret \"BASE64\"; }; "
		    "as tsig-keygen writes it", l->path);
		return KEY_ERR_NOTFOUND;
	}
	key_name_list(l->keys, l->n, names, sizeof(names));
	for (size_t i = 0; want != NULL && i < l->n; i++)
		if (strcmp(l->keys[i].name, want) == 0)
			f = &l->keys[i];
	if (want == NULL && l->n == 1)
		f = &l->keys[0];
	if (f == NULL && want != NULL) {
		key_seterr(l->err, l->errlen, "%s: no key named %s; the file "
		    "holds %s", l->path, want, names);
		return KEY_ERR_NOTFOUND;
	}
	if (f == NULL) {
		key_seterr(l->err, l->errlen, "%s: holds %zu keys (%s); pick "
		    "one with key_name", l->path, l->n, names);
		return KEY_ERR_AMBIGUOUS;
	}
	rc = key_make(f->name, f->alg, f->secret, f->secret_len, out, &why);
	f->name = NULL;		/* key_make took it */
	if (rc != KEY_OK)
		key_seterr(l->err, l->errlen, "%s:%d: %s", l->path,
		    f->secret_line, why);
	return rc;
}

const struct key_alg_info *
key_alg_info(enum key_alg alg)
{
	for (size_t i = 0; i < KEY_NALGS; i++)
		if (key_algs[i].alg == alg)
			return &key_algs[i];
	return NULL;
}

const char *
key_alg_name(enum key_alg alg)
{
	const struct key_alg_info	*a = key_alg_info(alg);

	return a != NULL ? a->name : "unknown";
}

const char *
key_alg_wire_name(enum key_alg alg)
{
	const struct key_alg_info	*a = key_alg_info(alg);

	return a != NULL ? a->wire : NULL;
}

int
key_alg_from_name(const char *s, enum key_alg *alg)
{
	size_t	 len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < KEY_NALGS; i++) {
		const char	*w = key_algs[i].wire;

		if ((strlen(key_algs[i].name) == len &&
		    strncasecmp(s, key_algs[i].name, len) == 0) ||
		    (strlen(w) - 1 == len && strncasecmp(s, w, len) == 0)) {
			*alg = key_algs[i].alg;
			return 0;
		}
	}
	return -1;
}

enum key_status
key_file_check_private(const char *path, char *err, size_t errlen)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		key_seterr(err, errlen, "%s: cannot open (%s)", path,
		    strerror(errno));
		return KEY_ERR_OPEN;
	}
	return key_mode_check(path, st.st_mode, err, errlen);
}

enum key_status
key_load_file(const char *path, const char *want_name, struct key **out,
    char *err, size_t errlen)
{
	struct key_found_list	 l;
	size_t			 len = 0;
	char			*buf = NULL, *want = NULL, reason[300];
	enum key_status		 rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	key_seterr(err, errlen, "%s", "");
	if ((rc = key_file_check_private(path, err, errlen)) != KEY_OK)
		goto out;
	if ((rc = key_file_read(path, &buf, &len, err, errlen)) != KEY_OK)
		goto out;
	if (want_name != NULL && (rc = key_name_normalise(want_name,
	    strlen(want_name), &want, reason, sizeof(reason))) != KEY_OK) {
		if (rc != KEY_ERR_NOMEM)
			rc = KEY_ERR_NOTFOUND;
		key_seterr(err, errlen, "%s: no such key name (%s)", path,
		    reason);
		goto out;
	}
	l.path = path;
	l.err = err;
	l.errlen = errlen;
	if (keyfile_parse(path, buf, len, key_found_add, &l, err, errlen) ==
	    -1) {
		rc = l.st != KEY_OK ? l.st : KEY_ERR_SYNTAX;
		goto out;
	}
	rc = key_found_pick(&l, want, out);
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.keys[i].name);
	free(l.keys);
	free(want);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len + 1);
		free(buf);
	}
	return rc;
}

enum key_status
key_parse_inline(const char *spec, struct key **out, char *err,
    size_t errlen)
{
	const char	*c1, *c2 = NULL, *c3 = NULL, *np, *sp, *why;
	char		 alg_quote[KEY_ALG_QUOTE_MAX + 1], *name = NULL;
	char		 reason[300];
	enum key_alg	 alg = KEY_ALG_HMAC_SHA256;	/* as nsupdate -y */
	enum key_status	 rc;
	size_t		 nlen;

	*out = NULL;
	key_seterr(err, errlen, "%s", "");
	/* Base64 has no ':', so NAME:SECRET splits on the colons. */
	if ((c1 = strchr(spec, ':')) != NULL &&
	    (c2 = strchr(c1 + 1, ':')) != NULL)
		c3 = strchr(c2 + 1, ':');
	if (c1 == NULL || c3 != NULL) {
		key_seterr(err, errlen, "inline key: expected "
		    "[ALG:]NAME:SECRET");
		return KEY_ERR_SYNTAX;
	}
	if (c2 != NULL) {
		if (!key_alg_parse(spec, (size_t)(c1 - spec), &alg, alg_quote,
		    sizeof(alg_quote))) {
			/* Quoted only if it looks like a name, not a secret. */
			if (strncasecmp(alg_quote, "hmac-", 5) != 0)
				alg_quote[0] = '\0';
			key_seterr(err, errlen, "inline key: unknown "
			    "algorithm%s%s; supported: %s",
			    alg_quote[0] != '\0' ? " " : "", alg_quote,
			    key_alg_list());
			return KEY_ERR_ALG;
		}
		np = c1 + 1;
		nlen = (size_t)(c2 - np);
		sp = c2 + 1;
	} else {
		np = spec;
		nlen = (size_t)(c1 - spec);
		sp = c1 + 1;
	}
	if ((rc = key_name_normalise(np, nlen, &name, reason,
	    sizeof(reason))) != KEY_OK) {
		key_seterr(err, errlen, "inline key: %s", reason);
		return rc;
	}
	if ((rc = key_make(name, alg, sp, strlen(sp), out, &why)) != KEY_OK)
		key_seterr(err, errlen, "inline key: %s", why);
	return rc;
}

void
key_free(struct key *k)
{
	if (k == NULL)
		return;
	if (k->secret != NULL) {
		OPENSSL_cleanse(k->secret, k->secret_len);
		free(k->secret);
	}
	free(k->name);
	free(k);
}
