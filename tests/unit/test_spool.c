/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for spool.c, in a state directory of their own
 * ($XDG_RUNTIME_DIR set to a temporary directory): certbot's batch (append,
 * take, what is refused, a stale batch), the settle marks, and links
 * planted where a state file goes.
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
#include "spool.h"
#include "testutil.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEY "example.org,*.example.org"

static char	 tdir[64];

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_spool.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	return setenv("XDG_RUNTIME_DIR", tdir, 1);
}

static int
group_teardown(void **state)
{
	char	 dir[128];

	(void)state;
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
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);

	assert_int_equal(spool_batch_append(KEY, "example.org", V1), 0);
	assert_int_equal(spool_batch_append(KEY, "*.example.org", V2), 0);
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "_acme-challenge.example.org.");
	assert_string_equal(l.items[0].value, V1);
	assert_string_equal(l.items[1].domain, "*.example.org");
	assert_string_equal(l.items[1].value, V2);
	challenge_list_free(&l);

	/* Taken means gone. */
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
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
	assert_int_equal(spool_batch_append(KEY, "a.example\nevil.example",
	    V1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(spool_batch_append(KEY, "a.example", "x y"), -1);
	assert_int_equal(spool_batch_append(KEY, "", V1), -1);
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);

	/* A bad pair in the batch is reported, not skipped. */
	assert_int_equal(spool_batch_append(KEY, "a..example", V1), 0);
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), -1);
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
	assert_int_equal(spool_batch_append(KEY, "example.org", V1), 0);
	assert_int_equal(spool_path("certbot", KEY, path, sizeof(path)), 0);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - 3600;
	assert_int_equal(utimes(path, old), 0);
	/* From a run that died an hour ago: dropped when taken... */
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(access(path, F_OK), -1);

	/* ...and started afresh when appended to. */
	assert_int_equal(spool_batch_append(KEY, "example.org", V1), 0);
	assert_int_equal(utimes(path, old), 0);
	assert_int_equal(spool_batch_append(KEY, "example.net", V2), 0);
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), 0);
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
	assert_int_equal(spool_settle_left(name), 0);
	assert_int_equal(spool_settle_mark(name, 60), 0);
	assert_in_range(spool_settle_left(name), 59, 61);
	/* A newer mark replaces the older. */
	assert_int_equal(spool_settle_mark(name, 5), 0);
	assert_in_range(spool_settle_left(name), 4, 6);

	/* An expired mark counts for nothing and is removed. */
	assert_int_equal(spool_path("removed", name, path, sizeof(path)), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%lld 60\n", (long long)time(NULL) - 3600);
	fclose(f);
	assert_int_equal(spool_settle_left(name), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* A mark that cannot be read counts for nothing. */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "garbage\n");
	fclose(f);
	assert_int_equal(spool_settle_left(name), 0);
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
	assert_int_equal(spool_settle_mark(name, 60), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(spool_settle_left(name), 0);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(spool_path("certbot", KEY, path, sizeof(path)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(spool_batch_append(KEY, "example.org", V1), -1);
	assert_int_equal(access(target, F_OK), -1);
	/* The error names what failed, never an unset buffer. */
	memset(err, 0, sizeof(err));
	assert_int_equal(spool_batch_take(KEY, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(l.n, 0);
	assert_int_equal(unlink(path), 0);
}

static void
test_dir_private(void **state)
{
	char	 dir[128], path[600];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/acme-nsupdate", tdir);
	assert_int_equal(spool_path("x", "k", path, sizeof(path)), 0);
	assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
	/* Opened up to others: no longer trusted. */
	assert_int_equal(chmod(dir, 0755), 0);
	errno = 0;
	assert_int_equal(spool_path("x", "k", path, sizeof(path)), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(spool_settle_mark("a.example.", 60), -1);
	assert_int_equal(chmod(dir, 0700), 0);
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
