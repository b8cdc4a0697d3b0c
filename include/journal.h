/* SPDX-License-Identifier: ISC */
/*
 * journal: every TXT value an add writes, recorded in the state directory
 * before the UPDATE leaves and struck once its removal is confirmed, so
 * that `sweep` can take back what a killed run left (DESIGN.md).
 *
 * One file per value in STATE_DIR/journal/, named after the value and the
 * name it is written at. A record is written to a temporary name, fsync'd,
 * renamed into place and the directory fsync'd: a crash leaves either the
 * whole record or none (at most a temporary file, which sweep removes),
 * and concurrent runs never write the same file at once, so they need no
 * lock, and no run can hold one that a SIGKILL would leave behind.
 */
#ifndef ACME_NSUPDATE_JOURNAL_H
#define ACME_NSUPDATE_JOURNAL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "failure.h"

#define JOURNAL_DIR	"journal"
#define JOURNAL_MAGIC	"acme-nsupdate-journal 1"

/*
 * One value written. Every string is owned, one word (no blank, no
 * control character), names absolute.
 */
struct journal_entry {
	char		*name;		/* the challenge name */
	char		*effective;	/* where the TXT is written */
	char		*zone;		/* the zone that holds effective */
	char		*primary;	/* "ADDR port N", the UPDATE's target */
	char		*value;		/* the TXT value */
	int64_t		 time;		/* when written, Unix seconds */
	pid_t		 pid;		/* the run that wrote it */
	/* its start time, /proc/PID/stat field 22 */
	unsigned long long start;
	/* owned or NULL: its file name in journal/ */
	char		*file;
};

struct journal {
	struct journal_entry	*items;	/* owned array */
	size_t			 n;
	/* files that are not a record */
	size_t			 unreadable;
};

/*
 * The record's text: the magic line, then "KEY VALUE" lines, then "end".
 * Returns a new string (caller frees), or NULL (ENOMEM, or a field that
 * is not one word: EINVAL).
 */
char	*journal_format(const struct journal_entry *e);

/*
 * Reads a record from TEXT (LEN bytes) into E (fields owned by E; file
 * left NULL). Anything else than a whole, well-formed record is refused.
 * Returns 0, or -1 (E left empty).
 */
int	journal_parse(const char *text, size_t len, struct journal_entry *e);

/* Frees E's strings and zeroes it. Accepts NULL. */
void	journal_entry_clear(struct journal_entry *e);

/*
 * The start time of process PID (field 22 of /proc/PID/stat, in clock
 * ticks since boot) into *START. Returns 0, or -1 if there is no such
 * process (or it cannot be read).
 */
int	journal_proc_start(pid_t pid, unsigned long long *start);

/*
 * 1 if the process that wrote E still runs: PID exists and has E's start
 * time (a reused PID has another), else 0.
 */
int	journal_owner_alive(const struct journal_entry *e);

/*
 * The file name of the record of VALUE at EFFECTIVE: "v-" and the first
 * 16 bytes of SHA-256(EFFECTIVE "\n" VALUE) in hex, into BUF. Returns 0,
 * or -1.
 */
int	journal_file_name(const char *effective, const char *value, char *buf,
	    size_t len);

/*
 * Writes E (pid and start: this process, time: now, filled in here) into
 * the journal of the state directory STATE (a descriptor from
 * spool_dir_open), durably, replacing a record of the same value and name.
 * Returns 0, or -1 with F saying why (FAIL_JOURNAL_WRITE).
 */
int	journal_write(int state, struct journal_entry *e, struct failure *f);

/*
 * Strikes the record of VALUE at EFFECTIVE, if there is one (durably).
 * Returns 0, or -1 with errno set.
 */
int	journal_strike(int state, const char *effective, const char *value);

/*
 * Reads every record of the journal of STATE into J (sorted by time);
 * files that are not records are counted in J->unreadable; temporary files
 * left by a crash more than a minute ago are removed. Returns 0, or -1
 * (errno set) if the journal cannot be read. J is freed with journal_free.
 */
int	journal_read(int state, struct journal *j);

void	journal_free(struct journal *j);

/*
 * DURATION as sweep takes it: a number and a unit, s, m, h or d ("30s",
 * "10m", "1h", "2d"). Into *SECONDS. Returns 0, or -1 if S is not one.
 */
int	journal_duration_parse(const char *s, long long *seconds);

#endif
