/* SPDX-License-Identifier: ISC */
/*
 * keyfile: BIND key files as tsig-keygen and ddns-confgen write them: one
 * or more `key NAME { algorithm ALG; secret "B64"; };` blocks among other
 * statements (skipped), comments as BIND allows (# // and C style).
 * Syntax only; key.c checks the name, algorithm and secret.
 */
#ifndef ACME_NSUPDATE_KEYFILE_H
#define ACME_NSUPDATE_KEYFILE_H

#include <stddef.h>

/* Text of one field, borrowed from the file buffer. */
struct keyfile_text {
	const char	*s;		/* NULL: the statement is absent */
	size_t		 len;
	int		 line;		/* line of its statement */
};

/* One key block, as written. */
struct keyfile_key {
	int			 line;		/* of the word "key" */
	struct keyfile_text	 name;
	struct keyfile_text	 alg;
	struct keyfile_text	 secret;	/* base64, without quotes */
};

/* Called once per key block, in file order: 0 goes on, -1 stops. */
typedef int	(*keyfile_key_fn)(const struct keyfile_key *k, void *arg);

/*
 * Reads BUF (LEN bytes and a NUL, the contents of PATH) and calls FN with
 * ARG for every key block. Returns 0 once the whole file is read; -1 on a
 * syntax error, with ERR set to "PATH:LINE: what" (never any secret), or
 * when FN returned -1 (ERR as FN left it).
 */
int	keyfile_parse(const char *path, const char *buf, size_t len,
	    keyfile_key_fn fn, void *arg, char *err, size_t errlen);

#endif
