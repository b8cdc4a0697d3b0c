/* SPDX-License-Identifier: ISC */
/*
 * key: TSIG keys from BIND key files (tsig-keygen, ddns-confgen) and from
 * inline "[ALG:]NAME:SECRET" specs (nsupdate -y); algorithm names (RFC 8945
 * 6). The secret has one owner, struct key, and every buffer that held it
 * (file contents, base64 text, decoded bytes) is wiped before it is freed.
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

/* One token of a BIND key file (named.conf syntax, the subset keys use). */
enum kf_type {
	KF_EOF,
	KF_WORD,
	KF_STRING,		/* a "quoted" string, without the quotes */
	KF_LBRACE,
	KF_RBRACE,
	KF_SEMI
};

struct kf_token {
	enum kf_type	 type;
	const char	*s;		/* borrowed: into the file buffer */
	size_t		 len;
	int		 line;
	int		 bol;		/* first token on its line */
};

struct kf_lexer {
	const char	*path;		/* borrowed */
	const char	*buf;		/* borrowed: the file, NUL-terminated */
	size_t		 len;
	size_t		 pos;
	int		 line;
	int		 bol;
	int		 has_peek;
	struct kf_token	 peek;
	char		*err;		/* borrowed: the caller's buffer */
	size_t		 errlen;
};

/* One key statement as parsed; the secret still points into the file. */
struct kf_key {
	char		*name;		/* owned: normalised */
	int		 line;
	enum key_alg	 alg;
	int		 alg_line;	/* 0: no algorithm statement */
	const char	*secret;	/* borrowed: base64 text in the file */
	size_t		 secret_len;
	int		 secret_line;	/* 0: no secret statement */
};

static void	key_seterr(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
key_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

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
	size_t used = strlen(buf);

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
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+,:@%=";
	size_t o = 0;

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
 * Decodes base64 text S (LEN bytes; whitespace between groups allowed, as
 * BIND allows). With OUT NULL only checks. Returns NULL or a static reason
 * that never quotes the text. Uses EVP_DecodeBlock rather than the
 * EVP_DecodeUpdate context, which keeps input bytes in an opaque buffer we
 * could not wipe; the one copy we make is wiped here.
 */
static const char *
key_b64_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*text = NULL, *bin = NULL;
	const char	*why = NULL;
	size_t		 n = 0, pads = 0;
	int		 r;

	if (out != NULL)
		*out = NULL;
	if ((text = malloc(len + 1)) == NULL) {
		why = "out of memory";
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (key_is_space(c))
			continue;
		if (c == '=')
			pads++;
		else if (!key_b64_char(c) || pads > 0) {
			why = "secret is not valid base64";
			goto out;
		}
		text[n++] = c;
	}
	if (n == 0 || n == pads) {
		why = "secret is empty";
		goto out;
	}
	/* RFC 4648 4: groups of four, at most two '=' and only at the end. */
	if (n % 4 != 0 || pads > 2) {
		why = "secret is not valid base64";
		goto out;
	}
	if (out == NULL)
		goto out;
	if ((bin = malloc(n / 4 * 3)) == NULL) {
		why = "out of memory";
		goto out;
	}
	r = EVP_DecodeBlock(bin, text, (int)n);
	if (r < 0 || (size_t)r < pads) {
		why = "secret is not valid base64";
		goto out;
	}
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
	return why;
}

static enum key_status
key_b64_status(const char *why)
{
	return strcmp(why, "out of memory") == 0 ? KEY_ERR_NOMEM :
	    KEY_ERR_SECRET;
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
	char		*buf = NULL, *nbuf;
	size_t		 len = 0, cap = 0;
	ssize_t		 r;
	int		 fd;
	enum key_status	 rc = KEY_ERR_OPEN;

	*bufp = NULL;
	*lenp = 0;
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK))
	    == -1) {
		key_seterr(err, errlen, "%s: cannot open (%s)", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		key_seterr(err, errlen, "%s: cannot open (%s)", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		key_seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((rc = key_mode_check(path, st.st_mode, err, errlen)) != KEY_OK)
		goto out;
	if (st.st_size > KEY_FILE_MAX) {
		key_seterr(err, errlen, "%s: too large for a key file "
		    "(over %d bytes)", path, KEY_FILE_MAX);
		rc = KEY_ERR_SYNTAX;
		goto out;
	}
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		rc = KEY_ERR_NOMEM;
		key_seterr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		if (len + 1 == cap) {
			/* The file grew: copy, then wipe the old buffer. */
			if (cap > KEY_FILE_MAX) {
				key_seterr(err, errlen, "%s: too large for a "
				    "key file (over %d bytes)", path,
				    KEY_FILE_MAX);
				rc = KEY_ERR_SYNTAX;
				goto out;
			}
			if ((nbuf = malloc(cap * 2)) == NULL) {
				rc = KEY_ERR_NOMEM;
				key_seterr(err, errlen, "%s: out of memory",
				    path);
				goto out;
			}
			memcpy(nbuf, buf, len);
			OPENSSL_cleanse(buf, cap);
			free(buf);
			buf = nbuf;
			cap *= 2;
		}
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

static int
kf_word_char(const struct kf_lexer *lx, size_t i)
{
	char	 c;

	if (i >= lx->len)
		return 0;
	c = lx->buf[i];
	if (c == '\0' || key_is_space((unsigned char)c) ||
	    strchr("{};\"#", c) != NULL)
		return 0;
	if (c == '/' && i + 1 < lx->len &&
	    (lx->buf[i + 1] == '/' || lx->buf[i + 1] == '*'))
		return 0;
	return 1;
}

/* Skips whitespace and comments (# ... , // ... , C style). */
static int
kf_skip(struct kf_lexer *lx)
{
	while (lx->pos < lx->len) {
		char	 c = lx->buf[lx->pos];
		char	 d = lx->buf[lx->pos + 1];	/* the NUL at worst */

		if (c == '\n') {
			lx->line++;
			lx->bol = 1;
			lx->pos++;
		} else if (key_is_space((unsigned char)c))
			lx->pos++;
		else if (c == '#' || (c == '/' && d == '/')) {
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '/' && d == '*') {
			int start = lx->line;

			lx->pos += 2;
			for (;;) {
				if (lx->pos + 1 >= lx->len) {
					key_seterr(lx->err, lx->errlen,
					    "%s:%d: comment not closed "
					    "('*/' missing)", lx->path, start);
					return -1;
				}
				if (lx->buf[lx->pos] == '*' &&
				    lx->buf[lx->pos + 1] == '/')
					break;
				if (lx->buf[lx->pos] == '\n')
					lx->line++;
				lx->pos++;
			}
			lx->pos += 2;
		} else
			break;
	}
	return 0;
}

/* The next token into *T. Returns 0, or -1 with the error set. */
static int
kf_next(struct kf_lexer *lx, struct kf_token *t)
{
	char	 c;

	if (lx->has_peek) {
		*t = lx->peek;
		lx->has_peek = 0;
		return 0;
	}
	if (kf_skip(lx) == -1)
		return -1;
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	t->bol = lx->bol;
	lx->bol = 0;
	if (lx->pos >= lx->len) {
		t->type = KF_EOF;
		return 0;
	}
	c = lx->buf[lx->pos];
	t->s = lx->buf + lx->pos;
	t->len = 1;
	switch (c) {
	case '{':
		t->type = KF_LBRACE;
		lx->pos++;
		return 0;
	case '}':
		t->type = KF_RBRACE;
		lx->pos++;
		return 0;
	case ';':
		t->type = KF_SEMI;
		lx->pos++;
		return 0;
	case '"':
		t->type = KF_STRING;
		t->s = lx->buf + ++lx->pos;
		while (lx->pos < lx->len && lx->buf[lx->pos] != '"') {
			if (lx->buf[lx->pos] == '\n')
				lx->line++;
			lx->pos++;
		}
		if (lx->pos >= lx->len) {
			key_seterr(lx->err, lx->errlen, "%s:%d: closing '\"' "
			    "missing", lx->path, t->line);
			return -1;
		}
		t->len = (size_t)(lx->buf + lx->pos - t->s);
		lx->pos++;
		return 0;
	case '\0':
		key_seterr(lx->err, lx->errlen, "%s:%d: NUL byte: not a "
		    "key file", lx->path, t->line);
		return -1;
	}
	t->type = KF_WORD;
	while (kf_word_char(lx, lx->pos))
		lx->pos++;
	t->len = (size_t)(lx->buf + lx->pos - t->s);
	return 0;
}

static void
kf_unget(struct kf_lexer *lx, const struct kf_token *t)
{
	lx->peek = *t;
	lx->has_peek = 1;
}

static int
kf_is_word(const struct kf_token *t, const char *w)
{
	return t->type == KF_WORD && t->len == strlen(w) &&
	    strncasecmp(t->s, w, t->len) == 0;
}

/*
 * Skips a top-level statement that is not a key (ddns-confgen writes an
 * update-policy statement and an nsupdate command line around the key):
 * up to the ';' that ends it at brace depth 0, or up to a "key" that starts
 * a line, or to the end of the file.
 */
static enum key_status
kf_skip_statement(struct kf_lexer *lx, const struct kf_token *first)
{
	struct kf_token	 t = *first;
	int		 depth = 0, open_line = 0;

	for (;;) {
		switch (t.type) {
		case KF_EOF:
			if (depth > 0) {
				key_seterr(lx->err, lx->errlen, "%s:%d: '}' "
				    "missing for the '{' on this line",
				    lx->path, open_line);
				return KEY_ERR_SYNTAX;
			}
			return KEY_OK;
		case KF_LBRACE:
			if (depth++ == 0)
				open_line = t.line;
			break;
		case KF_RBRACE:
			if (depth == 0) {
				key_seterr(lx->err, lx->errlen, "%s:%d: '}' "
				    "without a '{'", lx->path, t.line);
				return KEY_ERR_SYNTAX;
			}
			depth--;
			break;
		case KF_SEMI:
			if (depth == 0)
				return KEY_OK;
			break;
		case KF_WORD:
			if (depth == 0 && t.bol && t.s != first->s &&
			    kf_is_word(&t, "key")) {
				kf_unget(lx, &t);
				return KEY_OK;
			}
			break;
		case KF_STRING:
			break;
		}
		if (kf_next(lx, &t) == -1)
			return KEY_ERR_SYNTAX;
	}
}

/*
 * Parses `NAME { algorithm ALG; secret "B64"; };` after the word "key" (on
 * line LINE) into *K. Errors never quote anything that could be the secret.
 */
static enum key_status
kf_parse_key(struct kf_lexer *lx, int line, struct kf_key *k)
{
	struct kf_token	 t, v;
	const char	*why, *what;
	char		 alg[KEY_ALG_QUOTE_MAX + 1], reason[300];
	int		 close_line;
	enum key_status	 st;

	memset(k, 0, sizeof(*k));
	k->line = line;
	if (kf_next(lx, &t) == -1)
		return KEY_ERR_SYNTAX;
	if (t.type != KF_WORD && t.type != KF_STRING) {
		key_seterr(lx->err, lx->errlen, "%s:%d: key name missing "
		    "after 'key'", lx->path, t.line);
		return KEY_ERR_SYNTAX;
	}
	if ((st = key_name_normalise(t.s, t.len, &k->name, reason,
	    sizeof(reason))) != KEY_OK) {
		key_seterr(lx->err, lx->errlen, "%s:%d: %s", lx->path, t.line,
		    reason);
		return st;
	}
	if (kf_next(lx, &t) == -1)
		return KEY_ERR_SYNTAX;
	if (t.type != KF_LBRACE) {
		key_seterr(lx->err, lx->errlen, "%s:%d: '{' missing after "
		    "key %s", lx->path, t.line, k->name);
		return KEY_ERR_SYNTAX;
	}
	for (;;) {
		if (kf_next(lx, &t) == -1)
			return KEY_ERR_SYNTAX;
		if (t.type == KF_RBRACE)
			break;
		if (t.type == KF_SEMI)
			continue;
		if (t.type == KF_EOF) {
			key_seterr(lx->err, lx->errlen, "%s:%d: '}' missing "
			    "at the end of key %s", lx->path, line, k->name);
			return KEY_ERR_SYNTAX;
		}
		if (kf_is_word(&t, "algorithm")) {
			what = "algorithm";
			if (k->alg_line != 0) {
				key_seterr(lx->err, lx->errlen, "%s:%d: "
				    "algorithm repeated (first on line %d)",
				    lx->path, t.line, k->alg_line);
				return KEY_ERR_SYNTAX;
			}
			if (kf_next(lx, &v) == -1)
				return KEY_ERR_SYNTAX;
			if (v.type != KF_WORD && v.type != KF_STRING) {
				key_seterr(lx->err, lx->errlen, "%s:%d: "
				    "algorithm name missing", lx->path,
				    t.line);
				return KEY_ERR_SYNTAX;
			}
			k->alg_line = t.line;
			if (!key_alg_parse(v.s, v.len, &k->alg, alg,
			    sizeof(alg))) {
				key_seterr(lx->err, lx->errlen, "%s:%d: "
				    "unknown algorithm%s%s; supported: %s",
				    lx->path, v.line, alg[0] != '\0' ? " " : "",
				    alg, key_alg_list());
				return KEY_ERR_ALG;
			}
		} else if (kf_is_word(&t, "secret")) {
			what = "secret";
			if (k->secret_line != 0) {
				key_seterr(lx->err, lx->errlen, "%s:%d: "
				    "secret repeated (first on line %d)",
				    lx->path, t.line, k->secret_line);
				return KEY_ERR_SYNTAX;
			}
			if (kf_next(lx, &v) == -1)
				return KEY_ERR_SYNTAX;
			if (v.type != KF_STRING) {
				/* Unquoted base64 may hold "//", a comment. */
				key_seterr(lx->err, lx->errlen, "%s:%d: "
				    "secret must be in double quotes",
				    lx->path, t.line);
				return KEY_ERR_SYNTAX;
			}
			k->secret_line = t.line;
			k->secret = v.s;
			k->secret_len = v.len;
			if ((why = key_b64_decode(v.s, v.len, NULL, NULL))
			    != NULL) {
				key_seterr(lx->err, lx->errlen, "%s:%d: %s",
				    lx->path, t.line, why);
				return key_b64_status(why);
			}
		} else {
			/* Not quoted: a stray secret would land here. */
			key_seterr(lx->err, lx->errlen, "%s:%d: unexpected "
			    "text in key %s; expected algorithm or secret",
			    lx->path, t.line, k->name);
			return KEY_ERR_SYNTAX;
		}
		if (kf_next(lx, &t) == -1)
			return KEY_ERR_SYNTAX;
		if (t.type != KF_SEMI) {
			key_seterr(lx->err, lx->errlen, "%s:%d: ';' missing "
			    "after %s", lx->path, v.line, what);
			return KEY_ERR_SYNTAX;
		}
	}
	close_line = t.line;
	if (kf_next(lx, &t) == -1)
		return KEY_ERR_SYNTAX;
	if (t.type != KF_SEMI) {
		key_seterr(lx->err, lx->errlen, "%s:%d: ';' missing after the "
		    "'}' of key %s", lx->path, close_line, k->name);
		return KEY_ERR_SYNTAX;
	}
	if (k->alg_line == 0) {
		key_seterr(lx->err, lx->errlen, "%s:%d: key %s has no "
		    "algorithm; add: algorithm hmac-sha256;", lx->path, line,
		    k->name);
		return KEY_ERR_SYNTAX;
	}
	if (k->secret_line == 0) {
		key_seterr(lx->err, lx->errlen, "%s:%d: key %s has no secret",
		    lx->path, line, k->name);
		return KEY_ERR_SYNTAX;
	}
	return KEY_OK;
}

/* A new struct key from parsed parts; takes NAME. */
static enum key_status
key_make(char *name, enum key_alg alg, const char *b64, size_t b64len,
    struct key **out, const char **why)
{
	struct key	*k;

	*out = NULL;
	*why = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		free(name);
		*why = "out of memory";
		return KEY_ERR_NOMEM;
	}
	k->name = name;
	k->alg = alg;
	if ((*why = key_b64_decode(b64, b64len, &k->secret, &k->secret_len))
	    != NULL) {
		key_free(k);
		return key_b64_status(*why);
	}
	*out = k;
	return KEY_OK;
}

/* "a., b., c." into BUF. */
static void
kf_name_list(const struct kf_key *keys, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			key_append(buf, ", ", len);
		key_append(buf, keys[i].name, len);
	}
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
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < KEY_NALGS; i++) {
		const char *w = key_algs[i].wire;

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
	struct kf_lexer	 lx;
	struct kf_token	 t;
	struct kf_key	*keys = NULL, *nkeys;
	size_t		 n = 0, cap = 0, pick = 0, len = 0;
	char		*buf = NULL, *want = NULL, *name;
	char		 names[512], reason[300];
	const char	*why;
	enum key_status	 rc;

	*out = NULL;
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

	memset(&lx, 0, sizeof(lx));
	lx.path = path;
	lx.buf = buf;
	lx.len = len;
	lx.line = 1;
	lx.bol = 1;
	lx.err = err;
	lx.errlen = errlen;
	for (;;) {
		if (kf_next(&lx, &t) == -1) {
			rc = KEY_ERR_SYNTAX;
			goto out;
		}
		if (t.type == KF_EOF)
			break;
		if (!kf_is_word(&t, "key")) {
			if ((rc = kf_skip_statement(&lx, &t)) != KEY_OK)
				goto out;
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if ((nkeys = reallocarray(keys, cap, sizeof(*keys)))
			    == NULL) {
				rc = KEY_ERR_NOMEM;
				key_seterr(err, errlen, "%s: out of memory",
				    path);
				goto out;
			}
			keys = nkeys;
		}
		/* Counted before the checks, so its name is freed below. */
		rc = kf_parse_key(&lx, t.line, &keys[n++]);
		if (rc != KEY_OK)
			goto out;
		for (size_t i = 0; i + 1 < n; i++) {
			if (strcmp(keys[i].name, keys[n - 1].name) == 0) {
				key_seterr(err, errlen, "%s:%d: key %s "
				    "repeated (first on line %d)", path,
				    keys[n - 1].line, keys[i].name,
				    keys[i].line);
				rc = KEY_ERR_SYNTAX;
				goto out;
			}
		}
	}

	if (n == 0) {
		key_seterr(err, errlen, "%s: no key in file; expected "
		    "key \"NAME\" { algorithm ALG; secret \"BASE64\"; }; "
		    "as tsig-keygen writes it", path);
		rc = KEY_ERR_NOTFOUND;
		goto out;
	}
	kf_name_list(keys, n, names, sizeof(names));
	if (want != NULL) {
		for (pick = 0; pick < n; pick++)
			if (strcmp(keys[pick].name, want) == 0)
				break;
		if (pick == n) {
			key_seterr(err, errlen, "%s: no key named %s; the file "
			    "holds %s", path, want, names);
			rc = KEY_ERR_NOTFOUND;
			goto out;
		}
	} else if (n > 1) {
		key_seterr(err, errlen, "%s: holds %zu keys (%s); pick one "
		    "with key_name", path, n, names);
		rc = KEY_ERR_AMBIGUOUS;
		goto out;
	}

	name = keys[pick].name;
	keys[pick].name = NULL;
	if ((rc = key_make(name, keys[pick].alg, keys[pick].secret,
	    keys[pick].secret_len, out, &why)) != KEY_OK)
		key_seterr(err, errlen, "%s:%d: %s", path,
		    keys[pick].secret_line, why);
out:
	for (size_t i = 0; i < n; i++)
		free(keys[i].name);
	free(keys);
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
