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
#include "failure.h"
#include "spool.h"

#define SPOOL_NAME_MAX	64
#define SPOOL_STALE_S	600	/* an older batch belongs to a run that died */

static int
spool_dir_failed(struct failure *f, enum failure_cause cause,
    const char *path, int err)
{
	f->cause = cause;
	f->io_errno = err;
	(void)failure_set(&f->qname, f, path);
	return -1;
}

/* mkdir -p of PATH's parents, mode 700 (XDG base directory spec). */
static void
spool_dir_parents(const char *path)
{
	char	*copy = strdup(path);

	for (char *p = copy != NULL ? copy + 1 : NULL; p != NULL &&
	    (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(copy, 0700);
		*p = '/';
	}
	free(copy);
}

int
spool_dir_open(const char *path, struct failure *f)
{
	struct stat	 st;
	int		 fd;

	if (mkdir(path, 0700) == -1 && errno == ENOENT) {
		spool_dir_parents(path);
		(void)mkdir(path, 0700);
	}
	/* Never through a link: one planted there would take our files. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return spool_dir_failed(f, FAIL_STATE_DIR_LINK, path,
			    ELOOP);
		return spool_dir_failed(f, FAIL_STATE_DIR_OPEN, path, errno);
	}
	if (fstat(fd, &st) == -1) {
		spool_dir_failed(f, FAIL_STATE_DIR_OPEN, path, errno);
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		spool_dir_failed(f, FAIL_STATE_DIR_OWNER, path, EPERM);
		f->count = (unsigned)st.st_uid;
		f->line = (int)geteuid();
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		spool_dir_failed(f, FAIL_STATE_DIR_MODE, path, EPERM);
		f->count = (unsigned)(st.st_mode & 07777);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Opens the state file of KIND for KEY in DIR with FLAGS, never a link. */
static int
spool_open(int dir, const char *kind, const char *key, int flags)
{
	char	 name[SPOOL_NAME_MAX];

	if (spool_file_name(kind, key, name, sizeof(name)) == -1)
		return -1;
	return openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static int
spool_unlink(int dir, const char *kind, const char *key)
{
	char	 name[SPOOL_NAME_MAX];

	if (spool_file_name(kind, key, name, sizeof(name)) == -1)
		return -1;
	return unlinkat(dir, name, 0);
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
spool_file_name(const char *kind, const char *key, char *buf, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(buf, len, "%s-%02x%02x%02x%02x%02x%02x%02x%02x",
	    kind, md[0], md[1], md[2], md[3], md[4], md[5], md[6],
	    md[7]) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
spool_batch_append(int dir, const char *key, const char *domain,
    const char *value)
{
	FILE	*f;
	int	 fd;

	if (!spool_is_word(domain) || !spool_is_word(value)) {
		errno = EINVAL;
		return -1;
	}
	fd = spool_open(dir, "certbot", key, O_WRONLY | O_CREAT | O_APPEND);
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
spool_batch_take(int dir, const char *key, struct challenge_list *l,
    char *err, size_t errlen)
{
	char	 name[SPOOL_NAME_MAX];
	char	*line = NULL, *domain, *value, *save;
	size_t	 cap = 0;
	FILE	*f;
	int	 fd, rc = 0;

	if (spool_file_name("certbot", key, name, sizeof(name)) == -1)
		return 0;
	if ((fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s in the state "
		    "directory, the batch of earlier certbot calls (%s)", name,
		    strerror(errno));
		return -1;
	}
	(void)unlinkat(dir, name, 0);
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
spool_settle_mark(int dir, const char *name, unsigned ttl)
{
	FILE	*f;
	int	 fd;

	fd = spool_open(dir, "removed", name, O_WRONLY | O_CREAT | O_TRUNC);
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
spool_settle_left(int dir, const char *name)
{
	long		 long	 removed, left = 0;
	unsigned	 ttl;
	FILE		*f;
	int		 fd;

	if ((fd = spool_open(dir, "removed", name, O_RDONLY)) == -1)
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
		(void)spool_unlink(dir, "removed", name);
	return left > 0 ? left : 0;
}
