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

/*
 * Removes DIR and what a test put in it (files and empty directories, one
 * level deep). Returns 0, or -1 if DIR cannot be read or removed.
 */
int	remove_tmpdir(const char *dir);

#endif
