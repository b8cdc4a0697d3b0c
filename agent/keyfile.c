/* SPDX-License-Identifier: ISC */
/*
 * keyfile: the lexer and parser of BIND key files, the subset of
 * named.conf syntax that tsig-keygen and ddns-confgen write. Syntax only:
 * it hands each key block's name, algorithm and secret text to key.c,
 * which says what they mean. Never quotes a secret in an error.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyfile.h"

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

static void	kf_error(struct kf_lexer *lx, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Sets the caller's error to "PATH:LINE: what". */
static void
kf_error(struct kf_lexer *lx, int line, const char *fmt, ...)
{
	char	 what[256];
	va_list	 ap;

	if (lx->err == NULL || lx->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "%s:%d: %s", lx->path, line, what);
}

static int
kf_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
kf_word_char(const struct kf_lexer *lx, size_t i)
{
	char	 c;

	if (i >= lx->len)
		return 0;
	c = lx->buf[i];
	if (c == '\0' || kf_is_space((unsigned char)c) ||
	    strchr("{};\"#", c) != NULL)
		return 0;
	if (c == '/' && i + 1 < lx->len &&
	    (lx->buf[i + 1] == '/' || lx->buf[i + 1] == '*'))
		return 0;
	return 1;
}

/* Skips a C-style comment, at its opening slash. */
static int
kf_skip_comment(struct kf_lexer *lx)
{
	int	 start = lx->line;

	for (lx->pos += 2; lx->pos + 1 < lx->len; lx->pos++) {
		if (lx->buf[lx->pos] == '*' && lx->buf[lx->pos + 1] == '/') {
			lx->pos += 2;
			return 0;
		}
		if (lx->buf[lx->pos] == '\n')
			lx->line++;
	}
	kf_error(lx, start, "comment not closed ('*/' missing)");
	return -1;
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
		} else if (kf_is_space((unsigned char)c))
			lx->pos++;
		else if (c == '#' || (c == '/' && d == '/')) {
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '/' && d == '*') {
			if (kf_skip_comment(lx) == -1)
				return -1;
		} else
			break;
	}
	return 0;
}

/* A "quoted" string at the opening quote, into *T without the quotes. */
static int
kf_string(struct kf_lexer *lx, struct kf_token *t)
{
	t->type = KF_STRING;
	t->s = lx->buf + ++lx->pos;
	while (lx->pos < lx->len && lx->buf[lx->pos] != '"') {
		if (lx->buf[lx->pos] == '\n')
			lx->line++;
		lx->pos++;
	}
	if (lx->pos >= lx->len) {
		kf_error(lx, t->line, "closing '\"' missing");
		return -1;
	}
	t->len = (size_t)(lx->buf + lx->pos - t->s);
	lx->pos++;
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
		return kf_string(lx, t);
	case '\0':
		kf_error(lx, t->line, "NUL byte: not a key file");
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
static int
kf_skip_statement(struct kf_lexer *lx, const struct kf_token *first)
{
	struct kf_token	 t = *first;
	int		 depth = 0, open_line = 0;

	for (;;) {
		switch (t.type) {
		case KF_EOF:
			if (depth > 0) {
				kf_error(lx, open_line, "'}' missing for the "
				    "'{' on this line");
				return -1;
			}
			return 0;
		case KF_LBRACE:
			if (depth++ == 0)
				open_line = t.line;
			break;
		case KF_RBRACE:
			if (depth == 0) {
				kf_error(lx, t.line, "'}' without a '{'");
				return -1;
			}
			depth--;
			break;
		case KF_SEMI:
			if (depth == 0)
				return 0;
			break;
		case KF_WORD:
			if (depth == 0 && t.bol && t.s != first->s &&
			    kf_is_word(&t, "key")) {
				kf_unget(lx, &t);
				return 0;
			}
			break;
		case KF_STRING:
			break;
		}
		if (kf_next(lx, &t) == -1)
			return -1;
	}
}

/*
 * One statement of a key block after its first word T: "algorithm ALG;"
 * or "secret "B64";", into K. Anything else is refused unquoted: a stray
 * secret would land here.
 */
static int
kf_key_statement(struct kf_lexer *lx, const struct kf_token *t,
    struct keyfile_key *k)
{
	struct keyfile_text	*field;
	struct kf_token		 v, semi;
	const char		*what;

	if (kf_is_word(t, "algorithm")) {
		what = "algorithm";
		field = &k->alg;
	} else if (kf_is_word(t, "secret")) {
		what = "secret";
		field = &k->secret;
	} else {
		kf_error(lx, t->line, "unexpected text in key %.*s; expected "
		    "algorithm or secret", (int)k->name.len, k->name.s);
		return -1;
	}
	if (field->s != NULL) {
		kf_error(lx, t->line, "%s repeated (first on line %d)", what,
		    field->line);
		return -1;
	}
	if (kf_next(lx, &v) == -1)
		return -1;
	if (field == &k->secret && v.type != KF_STRING) {
		/* Unquoted base64 may hold "//", a comment. */
		kf_error(lx, t->line, "secret must be in double quotes");
		return -1;
	}
	if (v.type != KF_WORD && v.type != KF_STRING) {
		kf_error(lx, t->line, "algorithm name missing");
		return -1;
	}
	field->s = v.s;
	field->len = v.len;
	field->line = t->line;
	if (kf_next(lx, &semi) == -1)
		return -1;
	if (semi.type != KF_SEMI) {
		kf_error(lx, v.line, "';' missing after %s", what);
		return -1;
	}
	return 0;
}

/*
 * Parses `NAME { algorithm ALG; secret "B64"; };` after the word "key" (on
 * line LINE) into *K.
 */
static int
kf_parse_key(struct kf_lexer *lx, int line, struct keyfile_key *k)
{
	struct kf_token	 t;

	memset(k, 0, sizeof(*k));
	k->line = line;
	if (kf_next(lx, &t) == -1)
		return -1;
	if (t.type != KF_WORD && t.type != KF_STRING) {
		kf_error(lx, t.line, "key name missing after 'key'");
		return -1;
	}
	k->name.s = t.s;
	k->name.len = t.len;
	k->name.line = t.line;
	if (kf_next(lx, &t) == -1)
		return -1;
	if (t.type != KF_LBRACE) {
		kf_error(lx, t.line, "'{' missing after key %.*s",
		    (int)k->name.len, k->name.s);
		return -1;
	}
	for (;;) {
		if (kf_next(lx, &t) == -1)
			return -1;
		if (t.type == KF_RBRACE)
			break;
		if (t.type == KF_SEMI)
			continue;
		if (t.type == KF_EOF) {
			kf_error(lx, line, "'}' missing at the end of key %.*s",
			    (int)k->name.len, k->name.s);
			return -1;
		}
		if (kf_key_statement(lx, &t, k) == -1)
			return -1;
	}
	line = t.line;
	if (kf_next(lx, &t) == -1)
		return -1;
	if (t.type != KF_SEMI) {
		kf_error(lx, line, "';' missing after the '}' of key %.*s",
		    (int)k->name.len, k->name.s);
		return -1;
	}
	return 0;
}

int
keyfile_parse(const char *path, const char *buf, size_t len,
    keyfile_key_fn fn, void *arg, char *err, size_t errlen)
{
	struct kf_lexer		 lx;
	struct kf_token		 t;
	struct keyfile_key	 k;

	memset(&lx, 0, sizeof(lx));
	lx.path = path;
	lx.buf = buf;
	lx.len = len;
	lx.line = 1;
	lx.bol = 1;
	lx.err = err;
	lx.errlen = errlen;
	for (;;) {
		if (kf_next(&lx, &t) == -1)
			return -1;
		if (t.type == KF_EOF)
			return 0;
		if (!kf_is_word(&t, "key")) {
			if (kf_skip_statement(&lx, &t) == -1)
				return -1;
			continue;
		}
		if (kf_parse_key(&lx, t.line, &k) == -1 || fn(&k, arg) == -1)
			return -1;
	}
}
