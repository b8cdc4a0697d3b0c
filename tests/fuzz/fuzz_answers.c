/* SPDX-License-Identifier: ISC */
/*
 * fuzz_answers: the whole pipeline (run_challenges: chain, zone, update,
 * confirm, wait, rollback, check) on hostile answers. Every query is
 * answered by the next reply cut from the input (support.h); the run's
 * sleeps advance a virtual clock, so a run that waits out its 5 s timeout
 * takes no wall time. The first byte picks the operation (add, remove,
 * check) and which of the challenge names below are in the list.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "challenge.h"
#include "check.h"
#include "msg.h"
#include "run.h"
#include "support.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names of the system tests' topology: direct, CNAME, two hops,
 * delegated child, wildcard CNAME, DNAME. */
static const char *const names[] = {
	"now.example.test", "www.example.test", "hop.example.test",
	"child.example.test", "x.wild.example.test", "*.d.example.test",
};
#define N_NAMES	(sizeof(names) / sizeof(names[0]))
#define VALUE_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define VALUE_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum run_op ops[] = { RUN_ADD, RUN_REMOVE };
	struct run_opts o = { 0 };
	struct challenge_list l = { 0 };
	char err[512], *words[N_NAMES + 1] = { "check" };
	unsigned pick, kind;
	int n_words = 1;
	enum run_op op;

	fuzz_init();
	if (size == 0)
		return 0;
	kind = (data[0] & 3) % 3;	/* add, remove, or check (check.c) */
	op = ops[kind % 2];
	pick = (data[0] >> 2) % (1u << N_NAMES);
	if (pick == 0)
		pick = 1;
	for (size_t i = 0; i < N_NAMES; i++) {
		if (!(pick & (1u << i)))
			continue;
		words[n_words++] = (char *)names[i];
		if (challenge_list_add(&l, names[i], i % 2 ? VALUE_B : VALUE_A,
		    CHALLENGE_FROM_DOMAIN, err, sizeof(err)) != CHALLENGE_OK)
			abort();
	}
	o.config_path = fuzz_config_path();
	msg_verbosity = 1;
	fuzz_replies_begin(data, size, 1);
	fuzz_assert_offline();
	if (kind == 2)
		(void)check_main(n_words, words, &o);
	else
		(void)run_challenges(&o, &l, op);
	fuzz_replies_end();
	challenge_list_free(&l);
	return 0;
}
