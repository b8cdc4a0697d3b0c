/* SPDX-License-Identifier: ISC */
/*
 * config: the INI file (inih). Defaults, checks, and every error reported as
 * "FILE:LINE: what" through msg_error, all of them in one run (as OpenBSD
 * acme-client's parse.y does). Keys are loaded here, before any packet.
 */
#ifndef ACME_NSUPDATE_CONFIG_H
#define ACME_NSUPDATE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "dnsio.h"
#include "key.h"

#define CONFIG_DEFAULT_PATH	"/etc/acme-nsupdate/acme-nsupdate.ini"
#define CONFIG_ENV		"ACME_NSUPDATE_CONFIG"
#define CONFIG_CA_DEFAULT	"letsencrypt.org"
#define CONFIG_STATE_DIR_ROOT	"/var/lib/acme-nsupdate"

/* What a lame or unreachable authoritative server does to the wait. */
enum config_require {
	CONFIG_REQUIRE_ALL,		/* every address must serve the value */
	CONFIG_REQUIRE_REACHABLE	/* those that answer must; the others
					   are warned about */
};

/* GSS-TSIG (RFC 3645, gss.c) instead of a key: gss_tsig = yes | microsoft. */
enum zone_gss {
	ZONE_GSS_NONE = 0,
	ZONE_GSS_STANDARD,	/* algorithm gss-tsig */
	ZONE_GSS_MICROSOFT	/* gss.microsoft.com */
};

/*
 * One [zone NAME] section. server = is parsed once, here: either
 * server_host (a host name, looked up later) or server_addr (a numeric
 * address) is set, never both; neither when server = is not given. A zone
 * signs with key or with gss_tsig, never both (config_load checks).
 */
struct zone_conf {
	/* owned: lower case, absolute, trailing dot */
	char			*name;
	/* owned or NULL: server = as written, for messages */
	char			*server;
	/* owned or NULL: canonical host name of server = */
	char			*server_host;
	/* the port given with server =, else the default port */
	uint16_t		 server_port;
	/* owned or NULL: server = as a numeric address */
	struct dns_server	*server_addr;
	struct key		*key;		/* owned; NULL with gss_tsig */
	enum zone_gss		 gss_tsig;
	/* owned or NULL: client principal */
	char			*principal;
	/* owned or NULL: mode checked */
	char			*keytab;
	/* owned or NULL: default DNS/<primary name> */
	char			*server_principal;
	/* owned array (nameservers =), or NULL */
	struct dns_server	*nameservers;
	size_t			 n_nameservers;
	int			 line;		/* of the [zone ...] header */
};

struct config {
	char			*path;		/* owned: the file read */
	/* owned, never empty: resolver =, else /etc/resolv.conf */
	struct dns_server	*resolvers;
	size_t			 n_resolvers;
	unsigned		 ttl;		/* default 60 */
	unsigned		 timeout;	/* seconds, default 120 */
	uint16_t		 port;		/* default 53 */
	enum config_require	 require;	/* default CONFIG_REQUIRE_ALL */
	/* owned: ca =, issuer domains, lower case, no trailing dot */
	char			**cas;
	size_t			 n_cas;
	char			*state_dir;	/* owned: state_dir =, else
						   config_state_dir_default() */
	struct zone_conf	*zones;		/* owned array */
	size_t			 n_zones;
};

enum config_status {
	CONFIG_OK = 0,
	CONFIG_ERR_NOMEM,
	CONFIG_ERR_OPEN,	/* reported: "FILE: cannot open (errno text)" */
	CONFIG_ERR_INVALID	/* one or more "FILE:LINE: what" reported */
};

/*
 * Which file to read: EXPLICIT (from -c, may be NULL), else $CONFIG_ENV,
 * else CONFIG_DEFAULT_PATH. Returns a borrowed string.
 */
const char	*config_path_pick(const char *explicit_path);

/*
 * The state directory when state_dir = is not given (DESIGN.md):
 * $STATE_DIRECTORY (systemd), else CONFIG_STATE_DIR_ROOT for root, else
 * $XDG_STATE_HOME/acme-nsupdate, else ~/.local/state/acme-nsupdate. A new
 * string the caller frees, or NULL on ENOMEM.
 */
char		*config_state_dir_default(void);

/*
 * Reads and checks PATH, loading every zone's key; without resolver =, the
 * resolvers come from /etc/resolv.conf (an error if it names none).
 * Reports each problem through msg_error and returns the overall status;
 * on CONFIG_OK *out is a new config the caller frees with config_free.
 */
enum config_status	config_load(const char *path, struct config **out);

/* Frees everything, wiping key secrets. Accepts NULL. */
void		config_free(struct config *c);

/*
 * The nameservers of /etc/resolv.conf (read with ldns), for config_load and
 * for commands that run before a config exists (setup). On success returns
 * 0 and *OUT is a new non-empty array the caller frees; else -1 with ERR
 * saying what to set instead.
 */
int		config_resolv_conf(struct dns_server **out, size_t *n,
		    char *err, size_t errlen);

/* The [zone] whose name is exactly APEX (any case), or NULL. Borrowed. */
const struct zone_conf	*config_zone_exact(const struct config *c,
			    const char *apex);

/*
 * The most specific configured zone that contains FQDN (absolute, any case),
 * or NULL. Borrowed from C.
 */
const struct zone_conf	*config_zone_for(const struct config *c,
			    const char *fqdn);

#endif
