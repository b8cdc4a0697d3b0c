/* SPDX-License-Identifier: ISC */
/*
 * journal: the values written, one file each in STATE_DIR/journal/,
 * made durable before an UPDATE leaves (write a temporary file, fsync,
 * rename, fsync the directory) and struck after the removal is confirmed.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "failure.h"
#include "journal.h"

#define JOURNAL_NAME_MAX	64
#define JOURNAL_TMP_PREFIX	".tmp-"
#define JOURNAL_TMP_STALE_S	60	/* a temporary file older: a crash's */
#define JOURNAL_FILE_MAX	4096	/* a record is far smaller */

/* The record's lines, in order. */
enum jfield { J_NAME, J_EFFECTIVE, J_ZONE, J_PRIMARY, J_VALUE, J_TIME, J_PID,
	J_START, J_COUNT };

static const char *const jkeys[J_COUNT] = {
	"name", "effective", "zone", "primary", "value", "time", "pid", "start",
};

/* One word: printable, no blank (SPACES 1: blanks allowed inside). */
static int
journal_is_word(const char *s, int spaces)
{
	if (s == NULL || *s == '\0' || *s == ' ')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f ||
		    (*s == ' ' && !spaces))
			return 0;
	return 1;
}

char *
journal_format(const struct journal_entry *e)
{
	char	*out = NULL;

	if (!journal_is_word(e->name, 0) || !journal_is_word(e->effective, 0) ||
	    !journal_is_word(e->zone, 0) || !journal_is_word(e->primary, 1) ||
	    !journal_is_word(e->value, 0) || e->pid <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if (asprintf(&out, "%s\nname %s\neffective %s\nzone %s\nprimary %s\n"
	    "value %s\ntime %" PRId64 "\npid %ld\nstart %llu\nend\n",
	    JOURNAL_MAGIC, e->name, e->effective, e->zone, e->primary,
	    e->value, e->time, (long)e->pid, e->start) == -1)
		return NULL;
	return out;
}

/* A decimal of at most 20 digits into *OUT. Returns 0, or -1. */
static int
journal_number(const char *s, unsigned long long *out)
{
	char	*end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 20)
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' ? 0 : -1;
}

int
journal_parse(const char *text, size_t len, struct journal_entry *e)
{
	char		*copy = NULL, *line, *save = NULL;
	char		*strs[J_COUNT] = { 0 };
	unsigned long	 long	 num[J_COUNT] = { 0 };
	int		 rc = -1;
	size_t		 i = 0;

	memset(e, 0, sizeof(*e));
	/* A record is text: a NUL inside, or no final newline, is not one. */
	if (len == 0 || memchr(text, '\0', len) != NULL ||
	    text[len - 1] != '\n' || (copy = strndup(text, len)) == NULL)
		goto out;
	if ((line = strtok_r(copy, "\n", &save)) == NULL ||
	    strcmp(line, JOURNAL_MAGIC) != 0)
		goto out;
	for (i = 0; i < J_COUNT; i++) {
		size_t	 klen = strlen(jkeys[i]);

		if ((line = strtok_r(NULL, "\n", &save)) == NULL ||
		    strncmp(line, jkeys[i], klen) != 0 || line[klen] != ' ' ||
		    !journal_is_word(line + klen + 1, i == J_PRIMARY))
			goto out;
		if (i >= J_TIME) {
			if (journal_number(line + klen + 1, &num[i]) == -1)
				goto out;
		} else if ((strs[i] = strdup(line + klen + 1)) == NULL)
			goto out;
	}
	if ((line = strtok_r(NULL, "\n", &save)) == NULL ||
	    strcmp(line, "end") != 0 || strtok_r(NULL, "\n", &save) != NULL ||
	    num[J_PID] == 0 || num[J_PID] > INT32_MAX ||
	    num[J_TIME] > INT64_MAX)
		goto out;
	e->name = strs[J_NAME];
	e->effective = strs[J_EFFECTIVE];
	e->zone = strs[J_ZONE];
	e->primary = strs[J_PRIMARY];
	e->value = strs[J_VALUE];
	e->time = (int64_t)num[J_TIME];
	e->pid = (pid_t)num[J_PID];
	e->start = num[J_START];
	memset(strs, 0, sizeof(strs));
	rc = 0;
out:
	for (i = 0; i < J_COUNT; i++)
		free(strs[i]);
	free(copy);
	return rc;
}

void
journal_entry_clear(struct journal_entry *e)
{
	if (e == NULL)
		return;
	free(e->name);
	free(e->effective);
	free(e->zone);
	free(e->primary);
	free(e->value);
	free(e->file);
	memset(e, 0, sizeof(*e));
}

int
journal_proc_start(pid_t pid, unsigned long long *start)
{
	char	 path[64], buf[1024], *p;
	ssize_t	 n;
	int	 fd, rc = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		goto out;
	buf[n] = '\0';
	/* Field 2, the command, may hold blanks and ')': after the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		goto out;
	p++;
	/* Field 3 is the first after it; field 22 is the 20th. */
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	if (sscanf(p, "%llu", start) == 1)
		rc = 0;
out:
	close(fd);
	return rc;
}

int
journal_owner_alive(const struct journal_entry *e)
{
	unsigned long	 long	 start;

	return journal_proc_start(e->pid, &start) == 0 && start == e->start;
}

int
journal_file_name(const char *effective, const char *value, char *buf,
    size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	int		 ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, effective, strlen(effective)) == 1 &&
	    EVP_DigestUpdate(c, "\n", 1) == 1 &&
	    EVP_DigestUpdate(c, value, strlen(value)) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && len > 34;
	EVP_MD_CTX_free(c);
	if (!ok) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, "v-", 2);
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The journal directory in STATE, made if need be; its descriptor or -1. */
static int
journal_dir(int state, int create)
{
	int	 fd;

	if (create && mkdirat(state, JOURNAL_DIR, 0700) == 0)
		(void)fsync(state);
	fd = openat(state, JOURNAL_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	return fd;
}

/* Writes all of BUF to FD. Returns 0, or -1 with errno set. */
static int
journal_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t	 n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
journal_write(int state, struct journal_entry *e, struct failure *f)
{
	char		 name[JOURNAL_NAME_MAX], tmp[JOURNAL_NAME_MAX];
	char		*text = NULL;
	int		 dir = -1, fd = -1, rc = -1, err = 0;
	static unsigned	 serial;

	e->pid = getpid();
	e->time = (int64_t)time(NULL);
	if (journal_proc_start(e->pid, &e->start) == -1)
		e->start = 0;
	if ((text = journal_format(e)) == NULL ||
	    journal_file_name(e->effective, e->value, name,
	    sizeof(name)) == -1) {
		err = errno;
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s%ld-%u", JOURNAL_TMP_PREFIX,
	    (long)e->pid, serial++);
	/*
	 * Temporary file, fsync, rename, fsync of the directory: after a
	 * crash the record is there whole, or not at all.
	 */
	if ((dir = journal_dir(state, 1)) == -1 ||
	    (fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 ||
	    journal_write_all(fd, text, strlen(text)) == -1 ||
	    fsync(fd) == -1) {
		err = errno;
		goto out;
	}
	close(fd);
	fd = -1;
	if (renameat(dir, tmp, dir, name) == -1) {
		err = errno;
		(void)unlinkat(dir, tmp, 0);
		goto out;
	}
	if (fsync(dir) == -1) {
		err = errno;
		goto out;
	}
	rc = 0;
out:
	if (fd != -1) {
		close(fd);
		(void)unlinkat(dir, tmp, 0);
	}
	if (dir != -1)
		close(dir);
	free(text);
	if (rc == -1) {
		f->cause = FAIL_JOURNAL_WRITE;
		f->io_errno = err != 0 ? err : EIO;
		(void)failure_subject(f, e->name, e->effective, 0);
	}
	return rc;
}

int
journal_strike(int state, const char *effective, const char *value)
{
	char	 name[JOURNAL_NAME_MAX];
	int	 dir, rc = -1;

	if (journal_file_name(effective, value, name, sizeof(name)) == -1)
		return -1;
	if ((dir = journal_dir(state, 0)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (unlinkat(dir, name, 0) == 0)
		rc = fsync(dir);
	else if (errno == ENOENT)
		rc = 0;
	close(dir);
	return rc;
}

/* Reads the file NAME of DIR into E. Returns 0, or -1 if it is no record. */
static int
journal_read_one(int dir, const char *name, struct journal_entry *e)
{
	char	 buf[JOURNAL_FILE_MAX];
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd, rc = -1;

	if ((fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) && (n = read(fd, buf + len,
	    sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (len < sizeof(buf) && journal_parse(buf, len, e) == 0) {
		if ((e->file = strdup(name)) == NULL)
			journal_entry_clear(e);
		else
			rc = 0;
	}
	close(fd);
	return rc;
}

/* Does the writer of temporary file NAME (".tmp-PID-N") still run? */
static int
journal_tmp_alive(const char *name)
{
	unsigned long	 long	 start;
	long		 pid;
	char		*end;

	errno = 0;
	pid = strtol(name + strlen(JOURNAL_TMP_PREFIX), &end, 10);
	if (errno != 0 || *end != '-' || pid <= 0 || pid > INT32_MAX)
		return 0;
	return journal_proc_start((pid_t)pid, &start) == 0;
}

static int
journal_by_time(const void *a, const void *b)
{
	const struct journal_entry	*x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

int
journal_read(int state, struct journal *j)
{
	struct journal_entry	 e, *grown;
	struct dirent		*d;
	struct stat		 st;
	size_t			 cap = 0;
	DIR			*dp = NULL;
	int			 dir, rc = -1;

	memset(j, 0, sizeof(*j));
	if ((dir = journal_dir(state, 0)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((dp = fdopendir(dir)) == NULL) {
		close(dir);
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' && strncmp(d->d_name,
		    JOURNAL_TMP_PREFIX, strlen(JOURNAL_TMP_PREFIX)) != 0)
			continue;
		/*
		 * A crash between write and rename: never sent, drop it once
		 * its writer is gone (or, a PID reused, after a minute).
		 */
		if (d->d_name[0] == '.') {
			if (!journal_tmp_alive(d->d_name) ||
			    (fstatat(dir, d->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && time(NULL) -
			    st.st_mtime > JOURNAL_TMP_STALE_S))
				(void)unlinkat(dir, d->d_name, 0);
			continue;
		}
		if (journal_read_one(dir, d->d_name, &e) == -1) {
			j->unreadable++;
			continue;
		}
		if (j->n == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			if ((grown = reallocarray(j->items, cap,
			    sizeof(*grown))) == NULL) {
				journal_entry_clear(&e);
				goto out;
			}
			j->items = grown;
		}
		j->items[j->n++] = e;
	}
	if (j->n > 1)
		qsort(j->items, j->n, sizeof(*j->items), journal_by_time);
	rc = 0;
out:
	closedir(dp);
	if (rc == -1)
		journal_free(j);
	return rc;
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++)
		journal_entry_clear(&j->items[i]);
	free(j->items);
	memset(j, 0, sizeof(*j));
}

int
journal_duration_parse(const char *s, long long *seconds)
{
	unsigned long	 long	 n;
	char		*end;
	long		 long		 unit;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	/* Ten years is plenty; and the product cannot overflow. */
	if (n > 3650ULL * 86400 / (unsigned long long)unit)
		return -1;
	*seconds = (long long)n * unit;
	return 0;
}
