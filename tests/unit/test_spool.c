/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for spool.c, in a state directory of their own (a temporary
 * directory): certbot's batch (append, take, what is refused, a stale
 * batch), the settle marks, links planted where a state file goes, and the
 * checks of the directory itself.
 */

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "challenge.h"
#include "failure.h"
#include "spool.h"
#include "testutil.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEY "example.org,*.example.org"

static char	 tdir[64];
static int	 sdir = -1;

/* The path of the state file of KIND for KEY, as spool.c names it. */
static int
spool_path(const char *kind, const char *key, char *buf, size_t len)
{
	char	 name[64];

	if (spool_file_name(kind, key, name, sizeof(name)) == -1)
		return -1;
	snprintf(buf, len, "%s/acme-nsupdate/%s", tdir, name);
	return 0;
}

static int
group_setup(void **state)
{
	struct failure	 f;
	char		 dir[128];

	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_spool.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/acme-nsupdate", tdir);
	failure_init(&f);
	sdir = spool_dir_open(dir, &f);
	failure_clear(&f);
	return sdir == -1 ? -1 : 0;
}

static int
group_teardown(void **state)
{
	char	 dir[128];

	(void)state;
	close(sdir);
	snprintf(dir, sizeof(dir), "%s/acme-nsupdate", tdir);
	(void)remove_tmpdir(dir);
	return remove_tmpdir(tdir);
}

static void
test_batch(void **state)
{
	struct challenge_list	 l = { 0 };
	char			 err[256] = "";

	(void)state;
	/* Nothing queued: nothing taken. */
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);

	assert_int_equal(spool_batch_append(sdir, KEY, "example.org", V1), 0);
	assert_int_equal(spool_batch_append(sdir, KEY, "*.example.org", V2), 0);
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "_acme-challenge.example.org.");
	assert_string_equal(l.items[0].value, V1);
	assert_string_equal(l.items[1].domain, "*.example.org");
	assert_string_equal(l.items[1].value, V2);
	challenge_list_free(&l);

	/* Taken means gone. */
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
}

static void
test_batch_refuses_lines(void **state)
{
	struct challenge_list	 l = { 0 };
	char			 err[256] = "";

	(void)state;
	/* A newline would make a second line, a forged pair. */
	errno = 0;
	assert_int_equal(spool_batch_append(sdir, KEY, "a.example\nevil.example",
	    V1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(spool_batch_append(sdir, KEY, "a.example", "x y"), -1);
	assert_int_equal(spool_batch_append(sdir, KEY, "", V1), -1);
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);

	/* A bad pair in the batch is reported, not skipped. */
	assert_int_equal(spool_batch_append(sdir, KEY, "a..example", V1), 0);
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a..example: empty label"));
	challenge_list_free(&l);
}

static void
test_batch_stale(void **state)
{
	struct challenge_list	 l = { 0 };
	struct timeval		 old[2] = { { 0, 0 }, { 0, 0 } };
	char			 err[256], path[600];

	(void)state;
	assert_int_equal(spool_batch_append(sdir, KEY, "example.org", V1), 0);
	assert_int_equal(spool_path("certbot", KEY, path, sizeof(path)), 0);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - 3600;
	assert_int_equal(utimes(path, old), 0);
	/* From a run that died an hour ago: dropped when taken... */
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(access(path, F_OK), -1);

	/* ...and started afresh when appended to. */
	assert_int_equal(spool_batch_append(sdir, KEY, "example.org", V1), 0);
	assert_int_equal(utimes(path, old), 0);
	assert_int_equal(spool_batch_append(sdir, KEY, "example.net", V2), 0);
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].domain, "example.net");
	challenge_list_free(&l);
}

static void
test_settle(void **state)
{
	const char	*name = "_acme-challenge.example.org.";
	char		 path[600];
	FILE		*f;

	(void)state;
	assert_int_equal(spool_settle_left(sdir, name), 0);
	assert_int_equal(spool_settle_mark(sdir, name, 60), 0);
	assert_in_range(spool_settle_left(sdir, name), 59, 61);
	/* A newer mark replaces the older. */
	assert_int_equal(spool_settle_mark(sdir, name, 5), 0);
	assert_in_range(spool_settle_left(sdir, name), 4, 6);

	/* An expired mark counts for nothing and is removed. */
	assert_int_equal(spool_path("removed", name, path, sizeof(path)), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%lld 60\n", (long long)time(NULL) - 3600);
	fclose(f);
	assert_int_equal(spool_settle_left(sdir, name), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* A mark that cannot be read counts for nothing. */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "garbage\n");
	fclose(f);
	assert_int_equal(spool_settle_left(sdir, name), 0);
}

static void
test_links_not_followed(void **state)
{
	const char		*name = "_acme-challenge.link.example.";
	struct challenge_list	 l = { 0 };
	char			 path[600], target[600], err[256];

	(void)state;
	snprintf(target, sizeof(target), "%s/target", tdir);
	assert_int_equal(spool_path("removed", name, path, sizeof(path)), 0);
	assert_int_equal(symlink(target, path), 0);
	errno = 0;
	assert_int_equal(spool_settle_mark(sdir, name, 60), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(spool_settle_left(sdir, name), 0);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(spool_path("certbot", KEY, path, sizeof(path)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(spool_batch_append(sdir, KEY, "example.org", V1), -1);
	assert_int_equal(access(target, F_OK), -1);
	/* The error names what failed, never an unset buffer. */
	memset(err, 0, sizeof(err));
	assert_int_equal(spool_batch_take(sdir, KEY, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(l.n, 0);
	assert_int_equal(unlink(path), 0);
}

static void
test_dir_private(void **state)
{
	struct failure	 f;
	char		 dir[128], link[160];
	int		 fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/private", tdir);
	/* Made when missing, parents too, mode 700. */
	snprintf(link, sizeof(link), "%s/private/a/b", tdir);
	failure_init(&f);
	fd = spool_dir_open(link, &f);
	assert_int_not_equal(fd, -1);
	close(fd);
	assert_int_equal(rmdir(link), 0);
	snprintf(link, sizeof(link), "%s/private/a", tdir);
	assert_int_equal(rmdir(link), 0);

	/* Opened up to others: no longer trusted. */
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(spool_dir_open(dir, &f), -1);
	assert_int_equal(f.cause, FAIL_STATE_DIR_MODE);
	assert_int_equal(f.count, 0750);
	assert_string_equal(f.qname, dir);
	failure_clear(&f);
	assert_int_equal(chmod(dir, 0700), 0);

	/* A link, even to a good directory, is refused. */
	snprintf(link, sizeof(link), "%s/link", tdir);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(spool_dir_open(link, &f), -1);
	assert_int_equal(f.cause, FAIL_STATE_DIR_LINK);
	failure_clear(&f);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_refuses_lines),
		cmocka_unit_test(test_batch_stale),
		cmocka_unit_test(test_settle),
		cmocka_unit_test(test_links_not_followed),
		cmocka_unit_test(test_dir_private),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
