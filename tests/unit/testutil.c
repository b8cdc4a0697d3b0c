/* SPDX-License-Identifier: ISC */
/* testutil: small helpers shared by the unit tests. */

#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

char *
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

char *
write_tmp(const char *dir, const char *stem, const char *text, mode_t mode)
{
	char	*path;
	int	 fd;
	size_t	 len = strlen(text);

	path = xprintf("%s/%s.XXXXXX", dir, stem);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

int
remove_tmpdir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[PATH_MAX + 256];

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) == -1)
			rmdir(p);
	}
	closedir(d);
	return rmdir(dir);
}
