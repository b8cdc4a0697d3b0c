/* SPDX-License-Identifier: ISC */
/*
 * hooks: one adapter per ACME client (one file each in hooks/). Each turns
 * its client's argv and environment into a challenge list and hands it to
 * run_challenges. ARGV[0] is the command word; the return value is the
 * exit status.
 */
#ifndef ACME_NSUPDATE_HOOKS_H
#define ACME_NSUPDATE_HOOKS_H

#include "run.h"

typedef int (*hook_fn)(int argc, char **argv, const struct run_opts *o);

/*
 * hooks/hooks.c, the end every adapter shares: if ST says building L
 * failed, reports ERR and returns EXIT_USAGE; else runs OP on L and
 * returns its exit status. Frees L either way.
 */
int	hooks_run(const struct run_opts *o, struct challenge_list *l,
	    enum run_op op, enum challenge_status st, const char *err);

/* hooks/native.c: add NAME VALUE [NAME VALUE]... / remove ... */
int	native_add(int argc, char **argv, const struct run_opts *o);
int	native_remove(int argc, char **argv, const struct run_opts *o);
/*
 * check DOMAIN...: the read path and what every server serves, nothing changed
 */
int	native_check(int argc, char **argv, const struct run_opts *o);
/* sweep [--older-than DURATION] [--dry-run]: what killed runs left */
int	native_sweep(int argc, char **argv, const struct run_opts *o);
/* persist DOMAIN --issuer ... : the dns-persist-01 record (persist.h) */
int	native_persist(int argc, char **argv, const struct run_opts *o);

/*
 * hooks/lego.c: present|cleanup FQDN VALUE, and EXEC_MODE=RAW's "-- DOMAIN
 * TOKEN KEYAUTH"
 */
int	lego_present(int argc, char **argv, const struct run_opts *o);
int	lego_cleanup(int argc, char **argv, const struct run_opts *o);

/* hooks/certbot.c: --manual-auth-hook / --manual-cleanup-hook */
int	certbot_auth(int argc, char **argv, const struct run_opts *o);
int	certbot_cleanup(int argc, char **argv, const struct run_opts *o);

/* hooks/dehydrated.c: HOOK (HOOK_CHAIN=yes too); main.c passes over the rest */
int	dehydrated_deploy(int argc, char **argv, const struct run_opts *o);
int	dehydrated_clean(int argc, char **argv, const struct run_opts *o);

/* hooks/uacme.c: begin|done|failed TYPE IDENT TOKEN AUTH */
int	uacme_begin(int argc, char **argv, const struct run_opts *o);
int	uacme_end(int argc, char **argv, const struct run_opts *o);

#endif
