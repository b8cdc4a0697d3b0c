/* SPDX-License-Identifier: ISC */
/*
 * support: what the libFuzzer harnesses share. A transport for
 * dnsio_transport that answers each query with the next reply cut from
 * the fuzz input (no sockets), a virtual monotonic clock (the run's sleeps
 * advance it instead of sleeping), a private state directory, a fixed
 * config with an inline key, and silent messages.
 *
 * Replies, after a harness's own prefix, are chunks: CTL (1 byte), LEN (2
 * bytes, big endian), then LEN bytes (fewer if the input ends). CTL & 3:
 *   0  deliver, with the query's ID and question patched in (QR set);
 *   1  deliver with the query's ID only: it counts only if its question
 *      matches, as dnsio checks (else a timeout, as dnsio would drop it);
 *   2  DNSIO_TIMEOUT;    3  DNSIO_NETERR (connection refused).
 * CTL & 4: the reply came over TCP. CTL & 8: sign the reply as the server
 * would (RFC 8945 4.3.1: request MAC first) when the query is signed.
 * When the chunks run out, every query times out.
 *
 * Recording (tests/fuzz/capture_seeds.py): with FUZZ_RECORD=FILE the
 * transport forwards to the real one instead (loopback addresses only) and
 * writes the harness's prefix plus one chunk per reply to FILE: a seed.
 */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsio.h"

#define FUZZ_CTL_PATCH		0
#define FUZZ_CTL_ID_ONLY	1
#define FUZZ_CTL_TIMEOUT	2
#define FUZZ_CTL_NETERR		3
#define FUZZ_CTL_TCP		4
#define FUZZ_CTL_SIGN		8

/* The fixed key of the config (throwaway; the system topology's in seeds). */
#define FUZZ_KEY_NAME	"acme-key."
#define FUZZ_KEY_SECRET	"Y8uwEcc4b2gStDG0WRwBlKSWhWT6/EWWpjcAHrSN21M="

/*
 * Once per process: silences msg.c and stdout, makes the state directory
 * ($XDG_RUNTIME_DIR) and writes the config. Aborts on failure.
 */
void	fuzz_init(void);

/* The fixed config: resolver 127.0.0.1 (FUZZ_RESOLVER when recording). */
const char	*fuzz_config_path(void);

/*
 * Installs the transport over DATA[PREFIX..SIZE) (borrowed until
 * fuzz_replies_end) and starts the virtual clock; empties the state
 * directory so that every execution starts alike.
 */
void	fuzz_replies_begin(const uint8_t *data, size_t size, size_t prefix);
/* Stops the clock; when recording, writes the seed. */
void	fuzz_replies_end(void);

/* The fuzz transport (or the recording one) is what dnsio uses. */
int	fuzz_transport_installed(void);

/* Aborts unless the fuzz transport is installed: no real network ever. */
void	fuzz_assert_offline(void);

#endif
