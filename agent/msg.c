/* SPDX-License-Identifier: ISC */
/*
 * msg: formats every warning, error and progress line in one place and
 * sends it to stderr (or to a sink set by tests). One line per event, of
 * any length, control characters escaped.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Writes TEXT (LEN bytes) into OUT with every control character as \DDD,
 * as dig prints them, so nothing from argv, the environment, the config
 * or DNS data can end a line or start a forged one. Bytes from 0x80 up
 * (UTF-8 in a file name or a refused name) are left as they are. OUT has
 * room for four bytes per byte of TEXT.
 */
static void
msg_escape(const char *text, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			out += sprintf(out, "\\%03u", c);
		else
			*out++ = (char)c;
	}
	*out = '\0';
}

/*
 * Hands TEXT to the sink one line at a time: -vv packet dumps span lines
 * and each keeps its own "acme-nsupdate: " prefix; every other message is
 * one line, its newlines escaped like any control character.
 */
static void
msg_emit(enum msg_level level, const char *text)
{
	const char	*line = text, *nl;
	char		*out;
	size_t		 len;

	if ((out = malloc(strlen(text) * 4 + 1)) == NULL) {
		msg_sink(level, "out of memory writing a message");
		return;
	}
	do {
		nl = level == MSG_DEBUG ? strchr(line, '\n') : NULL;
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		msg_escape(line, len, out);
		msg_sink(level, out);
		line = nl != NULL ? nl + 1 : NULL;
	} while (line != NULL && *line != '\0');
	free(out);
}

void
msg_vlog(enum msg_level level, const char *fmt, va_list ap)
{
	va_list	 copy;
	char	*text;
	int	 len;

	if (!msg_wanted(level))
		return;
	/* Measured first: no line is ever cut. */
	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0 || (text = malloc((size_t)len + 1)) == NULL) {
		msg_sink(level, "out of memory writing a message");
		return;
	}
	vsnprintf(text, (size_t)len + 1, fmt, ap);
	msg_emit(level, text);
	free(text);
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
