/* SPDX-License-Identifier: ISC */
/* spool: paths of private state files shared between hook calls. */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int
spool_settle_mark(const char *name, unsigned ttl)
{
	char path[600];
	FILE *f;
	int fd;

	if (spool_path("removed", name, path, sizeof(path)) == -1)
		return -1;
	/* Never through a link someone planted at the path. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "%lld %u\n", (long long)time(NULL), ttl);
	return fclose(f) == 0 ? 0 : -1;
}

long long
spool_settle_left(const char *name)
{
	long long removed, left = 0;
	unsigned ttl;
	char path[600];
	FILE *f;
	int fd;

	if (spool_path("removed", name, path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	if (fscanf(f, "%lld %u", &removed, &ttl) == 2)
		left = removed + ttl + 1 - (long long)time(NULL);
	fclose(f);
	if (left <= 0)
		unlink(path);
	return left > 0 ? left : 0;
}
