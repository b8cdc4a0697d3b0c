/* SPDX-License-Identifier: ISC */
/*
 * spool: small state files that link one hook call to the next (certbot's
 * batched values; when a value at a name was last removed). They live in
 * a directory of this user's alone: $XDG_RUNTIME_DIR/acme-nsupdate, else
 * /tmp/acme-nsupdate-UID, mode 0700, not a link.
 */
#ifndef ACME_NSUPDATE_SPOOL_H
#define ACME_NSUPDATE_SPOOL_H

#include <stddef.h>

/*
 * Writes into BUF the path of the state file of KIND for KEY:
 * DIR/KIND-HASH, HASH the first 8 bytes of SHA-256(KEY) in hex. Creates
 * and checks the directory. Returns 0, or -1 (errno set) if the directory
 * cannot be made or is not private.
 */
int	spool_path(const char *kind, const char *key, char *buf, size_t len);

/*
 * settle (run.h): notes that a value at NAME, served with TTL, was removed
 * now. Returns 0, or -1 with errno set. Never follows a link.
 */
int	spool_settle_mark(const char *name, unsigned ttl);

/* Seconds until an answer cached before the last removal at NAME expires. */
long long	spool_settle_left(const char *name);

#endif
