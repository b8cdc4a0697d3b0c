/* SPDX-License-Identifier: ISC */
/*
 * challenge: the list of (name, value) pairs one invocation works on.
 * Derives the challenge name from what a client hands over, checks names
 * and values, removes duplicates.
 */
#ifndef ACME_NSUPDATE_CHALLENGE_H
#define ACME_NSUPDATE_CHALLENGE_H

#include <stddef.h>

#define CHALLENGE_PREFIX	"_acme-challenge."
/* base64url(SHA-256), no padding (RFC 8555 8.4) */
#define CHALLENGE_VALUE_LEN	43

struct zone_conf;

struct challenge {
	char	*domain;	/* owned: what the client named, as given */
	/* owned: challenge name, lower case, absolute */
	char	*name;
	/* owned: where the TXT is written, after CNAMEs */
	char	*effective;
	/* owned: the TXT value ("" for check and setup) */
	char	*value;
	/* borrowed from the config; set by resolve */
	const struct zone_conf *zone;
	char	*zone_name;	/* owned: apex of the zone holding effective */
	/* owned or NULL: effective's zone as an earlier run found it */
	char	*zone_hint;
	int	 hint_ours;	/* the hint is this program's own record (the
				   journal, check's walk): no second walk */
	/* TTL of the TXT RRset at effective (update.c), 0: unknown */
	unsigned ttl;
	/*
	 * owned or NULL: TXT RDATA in presentation form, when it is not
	 * VALUE as one string (a persist record)
	 */
	char	*rdata;
	/* a record an add deletes, a removal restores (persist) */
	int	 stale;
};

struct challenge_list {
	struct challenge	*items;	/* owned array */
	size_t			 n;
	size_t			 cap;
};

enum challenge_status {
	CHALLENGE_OK = 0,
	CHALLENGE_ERR_NOMEM,
	CHALLENGE_ERR_NAME,
	CHALLENGE_ERR_VALUE
};

/* How the name a client hands over becomes the challenge name. */
enum challenge_naming {
	CHALLENGE_FROM_DOMAIN,	/* "d", "*.d", or "_acme-challenge.d" */
	/* the TXT owner itself (lego present, acme.sh) */
	CHALLENGE_AS_GIVEN
};

/*
 * Checks NAME (a host name, optionally "*." first, optionally absolute) and,
 * for CHALLENGE_FROM_DOMAIN, prefixes "_acme-challenge." unless present and
 * drops a leading "*.". On success *out is a new lower-case absolute name
 * the caller frees. On failure err says what is wrong and the expected form.
 */
enum challenge_status	challenge_name_derive(const char *name,
			    enum challenge_naming naming, char **out,
			    char *err, size_t errlen);

/*
 * RFC 8555 8.4: the TXT value is base64url(SHA-256(key authorization)),
 * unpadded. Writes it (43 characters and a NUL) into OUT. Returns 0, or -1
 * if OpenSSL fails.
 */
int	challenge_value_from_keyauth(const char *keyauth,
	    char out[CHALLENGE_VALUE_LEN + 1]);

/* Checks that VALUE is a 43-character base64url digest. */
enum challenge_status	challenge_value_check(const char *value,
			    char *err, size_t errlen);

/*
 * Adds (NAME, VALUE) after the checks above; a pair already in the list is
 * not added twice. Strings are copied. effective starts as the challenge
 * name. VALUE NULL adds a name to look at only (value ""). On failure err
 * starts with NAME.
 */
enum challenge_status	challenge_list_add(struct challenge_list *l,
			    const char *name, const char *value,
			    enum challenge_naming naming, char *err,
			    size_t errlen);

/*
 * challenge_list_add for each NAME VALUE pair of the N words of WORDS (N
 * even), as the add and remove commands and lego pass them. Stops at the
 * first refused pair; err as for challenge_list_add.
 */
enum challenge_status	challenge_list_add_pairs(struct challenge_list *l,
			    char *const *words, size_t n,
			    enum challenge_naming naming, char *err,
			    size_t errlen);

/* challenge_list_add for each of the N names of NAMES, without values. */
enum challenge_status	challenge_list_add_names(struct challenge_list *l,
			    char *const *names, size_t n,
			    enum challenge_naming naming, char *err,
			    size_t errlen);

/*
 * Adds a record that is not a DNS-01 digest (persist): NAME (canonical),
 * VALUE (its strings joined), RDATA (presentation form, or NULL), TTL,
 * STALE; effective starts as NAME. All copied. Returns the new item, or
 * NULL when out of memory (the list is unchanged).
 */
struct challenge	*challenge_list_add_record(struct challenge_list *l,
			    const char *name, const char *value,
			    const char *rdata, unsigned ttl, int stale);

/*
 * Whether C's value should be served once an add (ADDING 1) or a removal
 * (0) is done: a stale record is the other way round.
 */
int	challenge_wanted(const struct challenge *c, int adding);

/* Frees every item and the array; the list is left empty. */
void	challenge_list_free(struct challenge_list *l);

/* Sets C->effective to a copy of NAME. Returns 0, or -1 on ENOMEM. */
int	challenge_set_effective(struct challenge *c, const char *name);

/*
 * Records what an earlier run found (certbot hands the auth hook's output
 * to the cleanup hook): the effective name and its zone, so that resolving
 * can skip following the chain. Returns 0, or -1 on ENOMEM.
 */
int	challenge_set_hint(struct challenge *c, const char *effective,
	    const char *zone);
/* challenge_set_hint for a hint of our own making (hint_ours). */
int	challenge_set_own_hint(struct challenge *c, const char *effective,
	    const char *zone);

/*
 * The subject of messages: "NAME -> EFFECTIVE", or "NAME" when they are
 * the same, without trailing dots. Written into BUF, which is returned.
 */
/* Room for any subject: two names of at most 254 characters and " -> ". */
#define CHALLENGE_SUBJECT_MAX	520
const char	*challenge_subject(const struct challenge *c, char *buf,
		    size_t len);

#endif
