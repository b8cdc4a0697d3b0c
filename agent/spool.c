/* SPDX-License-Identifier: ISC */
/*
 * spool: the private state files shared between hook calls: certbot's
 * batch of values, and the time a value was last removed at a name.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "challenge.h"
#include "spool.h"

#define SPOOL_PATH_MAX	600
#define SPOOL_STALE_S	600	/* an older batch belongs to a run that died */

static int
spool_dir(char *buf, size_t len)
{
	const char	*run = getenv("XDG_RUNTIME_DIR");
	struct stat	 st;

	if (run != NULL && run[0] == '/')
		snprintf(buf, len, "%s/acme-nsupdate", run);
	else
		snprintf(buf, len, "/tmp/acme-nsupdate-%u",
		    (unsigned)geteuid());
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return -1;
	/* In a shared /tmp someone else may have made it first: ours alone. */
	if (lstat(buf, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Opens the state file of KIND for KEY with FLAGS, never through a link. */
static int
spool_open(const char *kind, const char *key, int flags)
{
	char	 path[SPOOL_PATH_MAX];

	if (spool_path(kind, key, path, sizeof(path)) == -1)
		return -1;
	return open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static int
spool_unlink(const char *kind, const char *key)
{
	char	 path[SPOOL_PATH_MAX];

	if (spool_path(kind, key, path, sizeof(path)) == -1)
		return -1;
	return unlink(path);
}

static int
spool_is_stale(int fd)
{
	struct stat	 st;

	return fstat(fd, &st) == -1 || time(NULL) - st.st_mtime > SPOOL_STALE_S;
}

/* One word: no blank, no control character, nothing to split a line. */
static int
spool_is_word(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int
spool_path(const char *kind, const char *key, char *buf, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 dir[512];

	if (spool_dir(dir, sizeof(dir)) == -1)
		return -1;
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(buf, len, "%s/%s-%02x%02x%02x%02x%02x%02x%02x%02x",
	    dir, kind, md[0], md[1], md[2], md[3], md[4], md[5], md[6],
	    md[7]) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
spool_batch_append(const char *key, const char *domain, const char *value)
{
	FILE	*f;
	int	 fd;

	if (!spool_is_word(domain) || !spool_is_word(value)) {
		errno = EINVAL;
		return -1;
	}
	fd = spool_open("certbot", key, O_WRONLY | O_CREAT | O_APPEND);
	if (fd == -1)
		return -1;
	if (spool_is_stale(fd) && ftruncate(fd, 0) == -1) {
		close(fd);
		return -1;
	}
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "%s %s\n", domain, value);
	return fclose(f) == 0 ? 0 : -1;
}

int
spool_batch_take(const char *key, struct challenge_list *l, char *err,
    size_t errlen)
{
	char	 path[SPOOL_PATH_MAX];
	char	*line = NULL, *domain, *value, *save;
	size_t	 cap = 0;
	FILE	*f;
	int	 fd, rc = 0;

	/* No usable directory: no call could have queued anything. */
	if (spool_path("certbot", key, path, sizeof(path)) == -1)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s, the batch of earlier "
		    "certbot calls (%s)", path, strerror(errno));
		return -1;
	}
	(void)unlink(path);
	if (spool_is_stale(fd) || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		if ((domain = strtok_r(line, " \n", &save)) == NULL ||
		    (value = strtok_r(NULL, " \n", &save)) == NULL)
			continue;
		if (challenge_list_add(l, domain, value, CHALLENGE_FROM_DOMAIN,
		    err, errlen) != CHALLENGE_OK)
			rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int
spool_settle_mark(const char *name, unsigned ttl)
{
	FILE	*f;
	int	 fd;

	fd = spool_open("removed", name, O_WRONLY | O_CREAT | O_TRUNC);
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
	long long	 removed, left = 0;
	unsigned	 ttl;
	FILE		*f;
	int		 fd;

	if ((fd = spool_open("removed", name, O_RDONLY)) == -1)
		return 0;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	/* The answer cached just before the removal lives TTL more seconds. */
	if (fscanf(f, "%lld %u", &removed, &ttl) == 2)
		left = removed + ttl + 1 - (long long)time(NULL);
	fclose(f);
	if (left <= 0)
		(void)spool_unlink("removed", name);
	return left > 0 ? left : 0;
}
