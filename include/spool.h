/* SPDX-License-Identifier: ISC */
/*
 * spool: small state files that link one hook call to the next (certbot's
 * batched values; when a value at a name was last removed). They live in
 * a directory of this user's alone: $XDG_RUNTIME_DIR/acme-nsupdate, else
 * /tmp/acme-nsupdate-UID, mode 0700, not a link. Every file is opened
 * with O_NOFOLLOW: a link planted there is never followed.
 */
#ifndef ACME_NSUPDATE_SPOOL_H
#define ACME_NSUPDATE_SPOOL_H

#include <stddef.h>

#include "challenge.h"

/*
 * Writes into BUF the path of the state file of KIND for KEY:
 * DIR/KIND-HASH, HASH the first 8 bytes of SHA-256(KEY) in hex. Creates
 * and checks the directory. Returns 0, or -1 (errno set) if the directory
 * cannot be made or is not private.
 */
int	spool_path(const char *kind, const char *key, char *buf, size_t len);

/*
 * certbot's batch: appends the pair (DOMAIN, VALUE) to the batch named KEY
 * (certbot's CERTBOT_ALL_DOMAINS). A batch older than ten minutes belongs
 * to a run that died and is started afresh. DOMAIN and VALUE must be one
 * word each (checked by the caller; a blank or a control character gives
 * EINVAL here). Returns 0, or -1 with errno set.
 */
int	spool_batch_append(const char *key, const char *domain,
	    const char *value);

/*
 * Takes the batch KEY: adds its pairs to L (challenge_list_add, names as
 * CHALLENGE_FROM_DOMAIN) and removes the file. No batch, or a stale one,
 * adds nothing. Returns 0, or -1 with ERR saying what failed (the batch
 * cannot be read, or a pair in it is refused).
 */
int	spool_batch_take(const char *key, struct challenge_list *l, char *err,
	    size_t errlen);

/*
 * settle (run.h): notes that a value at NAME was removed now, served with
 * TTL. Returns 0, or -1 with errno set.
 */
int	spool_settle_mark(const char *name, unsigned ttl);

/*
 * Seconds until a cached answer from before the last removal at NAME has
 * expired: 0 if there was none or it has expired (the mark is removed).
 */
long long	spool_settle_left(const char *name);

#endif
