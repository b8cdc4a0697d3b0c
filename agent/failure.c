/* SPDX-License-Identifier: ISC */
/* failure: the data of what went wrong; report.c words it. */

#include <stdlib.h>
#include <string.h>

#include "failure.h"

void
failure_init(struct failure *f)
{
	memset(f, 0, sizeof(*f));
	f->rcode = -1;
}

void
failure_clear(struct failure *f)
{
	if (f == NULL)
		return;
	free(f->name);
	free(f->effective);
	free(f->zone);
	free(f->qname);
	free(f->host);
	free(f->rqname);
	free(f->other_zone);
	free(f->detail);
	free(f->principal);
	free(f->server_principal);
	free(f->realm);
	free(f->kdc);
	free(f->status_text);
	failure_init(f);
}

int
failure_set(char **field, struct failure *f, const char *value)
{
	char	*copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL) {
		f->cause = FAIL_NOMEM;
		return -1;
	}
	free(*field);
	*field = copy;
	return 0;
}

int
failure_subject(struct failure *f, const char *name, const char *effective,
    size_t more)
{
	f->more = more;
	if (failure_set(&f->name, f, name) == -1)
		return -1;
	return failure_set(&f->effective, f, effective);
}

void
failure_server(struct failure *f, const struct dns_server *s)
{
	f->server = *s;
	f->has_server = 1;
}

void
failure_move(struct failure *dst, struct failure *src)
{
	failure_clear(dst);
	*dst = *src;
	failure_init(src);
}
