/* SPDX-License-Identifier: ISC */
/*
 * fuzz_key: the key file parser (tsig-keygen, ddns-confgen output, BIND
 * comments) and inline keys (nsupdate -y). The first byte picks: bit 0
 * inline or file; bit 1, for a file, a key_name given on the input's first
 * line (up to '\n').
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create, memmem */
#endif

#include <sys/mman.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "support.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
from_file(const uint8_t *data, size_t size, int named)
{
	char path[64], err[512], *want = NULL;
	struct key *k = NULL;
	const uint8_t *nl;
	int fd;

	if (named && (nl = memchr(data, '\n', size)) != NULL) {
		if ((want = strndup((const char *)data,
		    (size_t)(nl - data))) == NULL)
			abort();
		size -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
	if ((fd = memfd_create("fuzz.key", MFD_CLOEXEC)) == -1 ||
	    fchmod(fd, 0600) == -1 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (key_load_file(path, want, &k, err, sizeof(err)) == KEY_OK &&
	    (k->name == NULL || k->secret == NULL || k->secret_len == 0))
		abort();	/* a key without a name or secret is a bug */
	key_free(k);
	free(want);
	close(fd);
}

static void
inline_spec(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), err[512];
	struct key *k = NULL;

	if (spec == NULL)
		abort();
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (key_parse_inline(spec, &k, err, sizeof(err)) == KEY_OK &&
	    (k->name == NULL || k->secret == NULL || k->secret_len == 0))
		abort();
	/*
	 * Secrets never appear in errors (DESIGN.md): checked for a secret
	 * that looks like one (16 or more base64 characters) and is not
	 * also elsewhere in the spec (a name the error may quote).
	 */
	if (k == NULL) {
		const char *secret = strrchr(spec, ':');
		size_t n = secret != NULL ? strlen(secret + 1) : 0;

		if (n >= 16 && strspn(secret + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/=") == n &&
		    memmem(spec, (size_t)(secret - spec), secret + 1, n) ==
		    NULL && strstr(err, secret + 1) != NULL)
			abort();
	}
	key_free(k);
	free(spec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	if (size == 0)
		return 0;
	if (data[0] & 1)
		inline_spec(data + 1, size - 1);
	else
		from_file(data + 1, size - 1, (data[0] & 2) != 0);
	return 0;
}
