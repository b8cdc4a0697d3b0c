/* SPDX-License-Identifier: ISC */
/* spool: paths of private state files shared between hook calls. */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "spool.h"

static int
spool_dir(char *buf, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (run != NULL && run[0] == '/')
		snprintf(buf, len, "%s/acme-nsupdate", run);
	else
		snprintf(
		    buf, len, "/tmp/acme-nsupdate-%u", (unsigned)geteuid());
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return -1;
	/* In a shared /tmp someone else may have made it first: ours alone, or
	 * none. */
	if (lstat(buf, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
spool_path(const char *kind, const char *key, char *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char dir[512];

	if (spool_dir(dir, sizeof(dir)) == -1)
		return -1;
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1) {
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, len, "%s/%s-%02x%02x%02x%02x%02x%02x%02x%02x", dir, kind,
	    md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7]);
	return 0;
}
