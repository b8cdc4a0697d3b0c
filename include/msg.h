/* SPDX-License-Identifier: ISC */
/*
 * msg: the one place that formats and prints warnings, errors and progress.
 * Everything goes to stderr (stdout is for machine-readable results only).
 * Unit tests can redirect output with msg_set_sink().
 */
#ifndef ACME_NSUPDATE_MSG_H
#define ACME_NSUPDATE_MSG_H

#include <stdarg.h>

/*
 * 0: -q (errors only), 1: default (progress), 2: -v (stage results), 3: -vv
 * (packets)
 */
extern int msg_verbosity;

enum msg_level {
	MSG_ERROR,	/* always printed */
	MSG_WARN,	/* always printed */
	MSG_PROGRESS,	/* verbosity >= 1 */
	MSG_VERBOSE,	/* verbosity >= 2 */
	MSG_DEBUG	/* verbosity >= 3 */
};

/*
 * Receives each finished line (no trailing newline, no control character:
 * those arrive as \DDD; a -vv packet dump arrives one line at a time). The
 * default sink writes "acme-nsupdate: LINE\n" to stderr. NULL restores the
 * default.
 */
typedef void (*msg_sink_fn)(enum msg_level level, const char *line);
void	msg_set_sink(msg_sink_fn sink);

/* printf-style; format strings carry no newline (curl's rule). */
void	msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_progress(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	msg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	msg_vlog(enum msg_level level, const char *fmt, va_list ap);

#endif
