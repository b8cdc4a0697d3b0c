/* SPDX-License-Identifier: ISC */
/* testutil: small helpers shared by the unit tests. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

/* asprintf(3) without _GNU_SOURCE; fails the running test on error. */
char	*xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
