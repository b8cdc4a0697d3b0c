/* SPDX-License-Identifier: ISC */
/*
 * fuzz_config: the config loader on arbitrary files. The input is written
 * to a memfd (mode 600, so inline keys pass the permission check) and read
 * by path, as -c FILE would be.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif

#include <sys/mman.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "support.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char path[64];
	int fd;

	fuzz_init();
	if ((fd = memfd_create("fuzz.ini", MFD_CLOEXEC)) == -1 ||
	    fchmod(fd, 0600) == -1 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (config_load(path, &c) == CONFIG_OK) {
		/* What the stages ask of a loaded config. */
		for (size_t i = 0; i < c->n_zones; i++)
			(void)config_zone_for(c, c->zones[i].name);
		(void)config_zone_for(c, "_acme-challenge.www.example.org.");
	}
	config_free(c);
	close(fd);
	return 0;
}
