/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for journal.c: the record format (written, read back, and
 * everything short of a whole record refused), who owns a record (a PID
 * with another start time is not its writer), DURATION, and write, read
 * and strike in a state directory of their own.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "failure.h"
#include "journal.h"
#include "spool.h"
#include "testutil.h"

#define V1 "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"
#define V2 "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

static char	 tdir[64];
static int	 sdir = -1;

static int
group_setup(void **state)
{
	struct failure	 f;

	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_journal.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	failure_init(&f);
	sdir = spool_dir_open(tdir, &f);
	failure_clear(&f);
	return sdir == -1 ? -1 : 0;
}

static int
group_teardown(void **state)
{
	char	 dir[128];

	(void)state;
	close(sdir);
	snprintf(dir, sizeof(dir), "%s/" JOURNAL_DIR, tdir);
	(void)remove_tmpdir(dir);
	return remove_tmpdir(tdir);
}

static struct journal_entry
entry(char *name, char *value)
{
	return (struct journal_entry){ .name = name,
	    .effective = "_acme-challenge.app.acme.example.net.",
	    .zone = "acme.example.net.", .primary = "192.0.2.53 port 53",
	    .value = value, .time = 1700000000, .pid = 4242,
	    .start = 987654321ULL };
}

static void
test_format_parse(void **state)
{
	struct journal_entry	 e = entry("_acme-challenge.example.org.", V1);
	struct journal_entry	 back;
	char			*text;

	(void)state;
	text = journal_format(&e);
	assert_non_null(text);
	assert_non_null(strstr(text, JOURNAL_MAGIC "\nname "));
	assert_int_equal(journal_parse(text, strlen(text), &back), 0);
	assert_string_equal(back.name, e.name);
	assert_string_equal(back.effective, e.effective);
	assert_string_equal(back.zone, e.zone);
	assert_string_equal(back.primary, e.primary);
	assert_string_equal(back.value, V1);
	assert_true(back.time == 1700000000);
	assert_int_equal(back.pid, 4242);
	assert_true(back.start == 987654321ULL);
	assert_null(back.file);
	journal_entry_clear(&back);

	/* Every truncation of a record is refused: only a whole one counts. */
	for (size_t len = 0; len < strlen(text); len++) {
		assert_int_equal(journal_parse(text, len, &back), -1);
		assert_null(back.name);
	}
	free(text);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"acme-nsupdate-journal 2\nname a.\neffective a.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 1\nstart 1\nend\n",
		/* fields out of order */
		JOURNAL_MAGIC "\neffective a.\nname a.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 1\nstart 1\nend\n",
		/* a blank inside a name */
		JOURNAL_MAGIC "\nname a b.\neffective a.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 1\nstart 1\nend\n",
		/* pid 0, a negative time, more after end */
		JOURNAL_MAGIC "\nname a.\neffective a.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 0\nstart 1\nend\n",
		JOURNAL_MAGIC "\nname a.\neffective a.\nzone a.\n"
		    "primary x\nvalue v\ntime -1\npid 1\nstart 1\nend\n",
		JOURNAL_MAGIC "\nname a.\neffective a.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 1\nstart 1\nend\nname b.\n",
		/* a control character */
		JOURNAL_MAGIC "\nname a.\neffective a\x01.\nzone a.\n"
		    "primary x\nvalue v\ntime 1\npid 1\nstart 1\nend\n",
	};
	struct journal_entry	 e = entry("_acme-challenge.example.org.", V1);
	char			*text;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct journal_entry	 back;

		assert_int_equal(journal_parse(bad[i], strlen(bad[i]), &back),
		    -1);
	}
	/* A field that would split the record is never written. */
	e.value = "two words";
	errno = 0;
	assert_null(journal_format(&e));
	assert_int_equal(errno, EINVAL);
	e.value = V1;
	e.name = "a.\nvalue forged";
	assert_null(journal_format(&e));
	e.name = "a.";
	text = journal_format(&e);
	assert_non_null(text);
	free(text);
}

static void
test_owner(void **state)
{
	struct journal_entry	 e = entry("a.", V1);
	unsigned long long	 start;
	pid_t			 child;
	int			 status;

	(void)state;
	assert_int_equal(journal_proc_start(getpid(), &start), 0);
	assert_true(start > 0);
	e.pid = getpid();
	e.start = start;
	assert_int_equal(journal_owner_alive(&e), 1);
	/* The same PID, another start time: a reused PID, not the writer. */
	e.start = start + 1;
	assert_int_equal(journal_owner_alive(&e), 0);

	/* A process that has exited owns nothing. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	e.pid = child;
	e.start = start;
	assert_int_equal(journal_owner_alive(&e), 0);
	assert_int_equal(journal_proc_start(child, &start), -1);
}

static void
test_duration(void **state)
{
	static const struct {
		const char	*s;
		long long	 seconds;
	} good[] = {
		{ "0s", 0 }, { "30s", 30 }, { "10m", 600 }, { "1h", 3600 },
		{ "2d", 172800 },
	};
	static const char *const bad[] = {
		"", "1", "h", "-1h", "1x", "1hh", "1 h", " 1h", "1.5h", "+1h",
		"99999999999999999999d", "4000d",
	};
	long long	 n;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(journal_duration_parse(good[i].s, &n), 0);
		assert_true(n == good[i].seconds);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(journal_duration_parse(bad[i], &n), -1);
}

static void
test_write_read_strike(void **state)
{
	struct journal_entry	 a = entry("_acme-challenge.a.example.", V1);
	struct journal_entry	 b = entry("_acme-challenge.b.example.", V2);
	struct journal		 j;
	struct failure		 f;
	char			 name[64];
	unsigned long long	 start;

	(void)state;
	failure_init(&f);
	/* No journal yet: empty, not an error. */
	assert_int_equal(journal_read(sdir, &j), 0);
	assert_int_equal(j.n, 0);

	a.effective = a.name;
	b.effective = b.name;
	assert_int_equal(journal_write(sdir, &a, &f), 0);
	assert_int_equal(journal_write(sdir, &b, &f), 0);
	/* The same value at the same name again: one record. */
	assert_int_equal(journal_write(sdir, &a, &f), 0);
	assert_int_equal(journal_proc_start(getpid(), &start), 0);

	/* Something that is no record is counted, not taken. */
	free(write_tmp(tdir, JOURNAL_DIR "/v-junk", "half a rec", 0600));
	assert_int_equal(journal_read(sdir, &j), 0);
	assert_int_equal(j.n, 2);
	assert_int_equal(j.unreadable, 1);
	for (size_t i = 0; i < j.n; i++) {
		assert_int_equal(j.items[i].pid, getpid());
		assert_true(j.items[i].start == start);
		assert_int_equal(journal_owner_alive(&j.items[i]), 1);
		assert_int_equal(journal_file_name(j.items[i].effective,
		    j.items[i].value, name, sizeof(name)), 0);
		assert_string_equal(j.items[i].file, name);
	}
	journal_free(&j);

	assert_int_equal(journal_strike(sdir, a.effective, V1), 0);
	/* Struck twice, or never written: nothing to do. */
	assert_int_equal(journal_strike(sdir, a.effective, V1), 0);
	assert_int_equal(journal_strike(sdir, a.effective, V2), 0);
	assert_int_equal(journal_read(sdir, &j), 0);
	assert_int_equal(j.n, 1);
	assert_string_equal(j.items[0].value, V2);
	journal_free(&j);
	assert_int_equal(journal_strike(sdir, b.effective, V2), 0);
	assert_int_equal(journal_read(sdir, &j), 0);
	assert_int_equal(j.n, 0);
	journal_free(&j);
	failure_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_write_read_strike),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
