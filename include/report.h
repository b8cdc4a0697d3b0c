/* SPDX-License-Identifier: ISC */
/*
 * report: the one place a struct failure becomes words. The line shape is
 * STYLE.md's: "SUBJECT: what failed [on SERVER] (REASON); what to do".
 * `check` prints the same parts as findings and as JSON.
 */
#ifndef ACME_NSUPDATE_REPORT_H
#define ACME_NSUPDATE_REPORT_H

#include <stdio.h>

#include "failure.h"

/* A failure in words, in parts. Every string is owned; NULL where none. */
struct report_parts {
	char	*subject;	/* "NAME -> EFFECTIVE", "zone Z", ... */
	char	*what;		/* what failed, naming the server */
	char	*server;	/* "ADDR port N" of the server at fault */
	char	*reason;	/* what that server (or resolver) answered */
	char	*fix;		/* the most likely fix */
};

/* Fills P from F. Returns 0, or -1 when out of memory (P left empty). */
int	report_parts(const struct failure *f, struct report_parts *p);
void	report_parts_free(struct report_parts *p);

/* The whole message, one line, no newline (caller frees); NULL on ENOMEM. */
char	*report_text(const struct failure *f);

/*
 * A template's words with its {fields} put in by PUT (ARG is PUT's; a
 * field PUT does not know, returning -1, stays as written). Returns a new
 * string the caller frees, or NULL (TEMPLATE NULL, or ENOMEM). report.c's
 * tables and check.c's notes both go through it.
 */
typedef int (*report_field_fn)(FILE *o, const void *arg, const char *key,
    size_t len);
char	*report_expand(const char *template, report_field_fn put,
	    const void *arg);

/* Prints F's message as an error (report_error) or a warning. */
void	report_error(const struct failure *f);
void	report_warning(const struct failure *f, const char *while_doing);

#endif
