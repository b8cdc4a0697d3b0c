/* SPDX-License-Identifier: ISC */
/*
 * msg: formats every warning, error and progress line in one place and
 * sends it to stderr (or to a sink set by tests). One line per event.
 */

#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

int msg_verbosity = 1;

static void
msg_default_sink(enum msg_level level, const char *line)
{
	(void)level;
	fprintf(stderr, "acme-nsupdate: %s\n", line);
}

static msg_sink_fn msg_sink = msg_default_sink;

void
msg_set_sink(msg_sink_fn sink)
{
	msg_sink = sink != NULL ? sink : msg_default_sink;
}

static int
msg_wanted(enum msg_level level)
{
	switch (level) {
	case MSG_ERROR:
	case MSG_WARN:
		return 1;
	case MSG_PROGRESS:
		return msg_verbosity >= 1;
	case MSG_VERBOSE:
		return msg_verbosity >= 2;
	case MSG_DEBUG:
		return msg_verbosity >= 3;
	}
	return 0;
}

void
msg_vlog(enum msg_level level, const char *fmt, va_list ap)
{
	char line[2048];

	if (!msg_wanted(level))
		return;
	/* A longer line is cut, never split: one event, one line. */
	vsnprintf(line, sizeof(line), fmt, ap);
	msg_sink(level, line);
}

#define MSG_DEFINE(fn, level)				\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	msg_vlog(level, fmt, ap);			\
	va_end(ap);					\
}

MSG_DEFINE(msg_error, MSG_ERROR)
MSG_DEFINE(msg_warn, MSG_WARN)
MSG_DEFINE(msg_progress, MSG_PROGRESS)
MSG_DEFINE(msg_verbose, MSG_VERBOSE)
MSG_DEFINE(msg_debug, MSG_DEBUG)
