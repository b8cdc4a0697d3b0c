/* SPDX-License-Identifier: ISC */
/* testutil: small helpers shared by the unit tests. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <sys/types.h>

/* asprintf(3) without _GNU_SOURCE; fails the running test on error. */
char	*xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Writes TEXT to a new file DIR/STEM.XXXXXX with MODE; returns its path
 * (caller frees). Fails the running test on error.
 */
char	*write_tmp(const char *dir, const char *stem, const char *text,
	    mode_t mode);

#endif
