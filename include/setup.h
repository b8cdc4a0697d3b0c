/* SPDX-License-Identifier: ISC */
/*
 * setup: prints what a user creates before the first run: the key, the
 * CNAMEs of a challenge alias zone, the [zone] sections, and least-privilege
 * grants for BIND, Knot and PowerDNS. Changes nothing.
 */
#ifndef ACME_NSUPDATE_SETUP_H
#define ACME_NSUPDATE_SETUP_H

#include "run.h"

/*
 * `setup [--alias ZONE] [--key NAME] DOMAIN...`: with --alias, each
 * _acme-challenge name gets a CNAME to DOMAIN.ZONE; without, the chain and
 * zone of each name are looked up (read-only, as `check` does). Prints to
 * stdout; returns the exit status.
 */
int	setup_main(int argc, char **argv, const struct run_opts *o);

#endif
