/* SPDX-License-Identifier: ISC */
/*
 * spool: the state directory (config's state_dir, DESIGN.md) and the small
 * state files that link one hook call to the next (certbot's batched
 * values; when a value at a name was last removed). The directory is
 * opened once, never through a link, and checked: this user's, mode 700.
 * Every file in it is reached relative to that descriptor (openat, with
 * O_NOFOLLOW): a link planted there is never followed.
 */
#ifndef ACME_NSUPDATE_SPOOL_H
#define ACME_NSUPDATE_SPOOL_H

#include <stddef.h>

#include "challenge.h"
#include "failure.h"

/*
 * Opens the state directory PATH, making it (mode 700, and missing
 * parents 700) if need be. Refuses a symbolic link, a directory of
 * another user, and one that group or others may access. Returns the
 * directory's descriptor (the caller closes it), or -1 with F saying why
 * (cause FAIL_STATE_*, qname PATH).
 */
int	spool_dir_open(const char *path, struct failure *f);

/*
 * Writes into BUF the name (in the state directory) of the state file of
 * KIND for KEY: KIND-HASH, HASH the first 8 bytes of SHA-256(KEY) in hex.
 * Returns 0, or -1 (errno set).
 */
int	spool_file_name(const char *kind, const char *key, char *buf,
	    size_t len);

/*
 * certbot's batch: appends the pair (DOMAIN, VALUE) to the batch named KEY
 * (certbot's CERTBOT_ALL_DOMAINS) in state directory DIR. A batch older
 * than ten minutes belongs to a run that died and is started afresh.
 * DOMAIN and VALUE must be one word each (checked by the caller; a blank
 * or a control character gives EINVAL here). Returns 0, or -1 with errno
 * set.
 */
int	spool_batch_append(int dir, const char *key, const char *domain,
	    const char *value);

/*
 * Takes the batch KEY from DIR: adds its pairs to L (challenge_list_add,
 * names as CHALLENGE_FROM_DOMAIN) and removes the file. No batch, or a
 * stale one, adds nothing. Returns 0, or -1 with ERR saying what failed
 * (the batch cannot be read, or a pair in it is refused).
 */
int	spool_batch_take(int dir, const char *key, struct challenge_list *l,
	    char *err, size_t errlen);

/*
 * settle (run.h): notes in DIR that a value at NAME was removed now,
 * served with TTL. Returns 0, or -1 with errno set.
 */
int	spool_settle_mark(int dir, const char *name, unsigned ttl);

/*
 * Seconds until a cached answer from before the last removal at NAME has
 * expired: 0 if there was none or it has expired (the mark is removed).
 */
long long	spool_settle_left(int dir, const char *name);

#endif
