/* SPDX-License-Identifier: ISC */
/*
 * fuzz_hooks: each ACME client's adapter (hooks.h) on arbitrary argv and
 * environment, the pipeline behind it answered from the input as in
 * fuzz_answers. Input: one byte (low nibble: the adapter; bits 4-5: the
 * verbosity, -q to -vv), then words separated by NUL up to an empty word
 * (two NULs): "NAME=VALUE" for the certbot and lego variables, else the
 * next argv word; then the replies (support.h).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "msg.h"
#include "run.h"
#include "support.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS	16

static const struct {
	const char	*word;
	hook_fn		 fn;
} hooks[] = {
	{ "add", native_add },
	{ "remove", native_remove },
	{ "check", native_check },
	{ "present", lego_present },
	{ "cleanup", lego_cleanup },
	{ "certbot-auth", certbot_auth },
	{ "certbot-cleanup", certbot_cleanup },
	{ "deploy_challenge", dehydrated_deploy },
	{ "clean_challenge", dehydrated_clean },
	{ "persist", native_persist },
	{ "begin", uacme_begin },
	{ "done", uacme_end },
};
#define N_HOOKS	(sizeof(hooks) / sizeof(hooks[0]))

static const char *const env_names[] = {
	"CERTBOT_DOMAIN", "CERTBOT_VALIDATION", "CERTBOT_REMAINING_CHALLENGES",
	"CERTBOT_ALL_DOMAINS", "CERTBOT_AUTH_OUTPUT", "EXEC_MODE",
};
#define N_ENV	(sizeof(env_names) / sizeof(env_names[0]))

/* Sets WORD as a variable if it names one of ours; 1 if it did. */
static int
env_word(const char *word)
{
	for (size_t i = 0; i < N_ENV; i++) {
		size_t n = strlen(env_names[i]);

		if (strncmp(word, env_names[i], n) == 0 && word[n] == '=') {
			setenv(env_names[i], word + n + 1, 1);
			return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts o = { 0 };
	char *argv[MAX_WORDS + 2], *copy;
	size_t pos = 1, h;
	int argc = 1;

	fuzz_init();
	if (size == 0)
		return 0;
	h = (data[0] & 0x0f) % N_HOOKS;
	for (size_t i = 0; i < N_ENV; i++)
		unsetenv(env_names[i]);
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)hooks[h].word;
	/* Words up to an empty one; the last may end with the input. */
	while (pos < size && copy[pos] != '\0') {
		char *word = copy + pos;

		pos += strlen(word) + 1;
		if (!env_word(word) && argc < MAX_WORDS)
			argv[argc++] = word;
	}
	argv[argc] = NULL;
	pos++;	/* the empty word */
	o.config_path = fuzz_config_path();
	msg_verbosity = (data[0] >> 4) & 3;
	fuzz_replies_begin(data, size, pos);
	fuzz_assert_offline();
	(void)hooks[h].fn(argc, argv, &o);
	fuzz_replies_end();
	for (size_t i = 0; i < N_ENV; i++)
		unsetenv(env_names[i]);
	free(copy);
	return 0;
}
