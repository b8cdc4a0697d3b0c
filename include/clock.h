/* SPDX-License-Identifier: ISC */
/*
 * clock: monotonic milliseconds, for deadlines that wall-clock steps cannot
 * move.
 */
#ifndef ACME_NSUPDATE_CLOCK_H
#define ACME_NSUPDATE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until DEADLINE (a clock_now_ms value), at least 0. */
static inline unsigned
clock_left_ms(int64_t deadline)
{
	int64_t left = deadline - clock_now_ms();

	return left > 0 ? (unsigned)left : 0;
}

#endif
