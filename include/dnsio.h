/* SPDX-License-Identifier: ISC */
/*
 * dnsio: the only code that sends and receives. Many exchanges in one
 * poll() loop on non-blocking sockets: UDP with retransmission and backoff,
 * TCP (RFC 7766) when a reply is truncated, when the message exceeds 512
 * bytes (RFC 1035 4.2.1) or when UDP gets no answer. Replies are matched by
 * source, ID and question (RFC 5452 9.1).
 */
#ifndef ACME_NSUPDATE_DNSIO_H
#define ACME_NSUPDATE_DNSIO_H

#include <sys/socket.h>

#include <netinet/in.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#define DNSIO_SERVER_TEXT	(INET6_ADDRSTRLEN + 16)

/* One server address. Plain data: copy freely. */
struct dns_server {
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	/* "192.0.2.1 port 53" */
	char			text[DNSIO_SERVER_TEXT];
};

/*
 * Parses a numeric address with optional port: "192.0.2.1", "192.0.2.1:53",
 * "2001:db8::1", "[2001:db8::1]:53", "::1", "[::1]". A bare IPv6 address
 * takes no port (its last group would read as one). No name lookups: the
 * one grammar for addresses in the program. Without a port the address
 * gets DEFAULT_PORT; 0 leaves it for dnsio_server_set_port (config.c, whose
 * default port may be set later in the file). Returns 0, or -1 if S is not
 * such an address (a port given as 0 included).
 */
int	dnsio_server_parse(const char *s, uint16_t default_port,
	    struct dns_server *out);
/* Gives S (and its text) PORT if it was parsed without one (port 0). */
void	dnsio_server_port_default(struct dns_server *s, uint16_t port);
/* Fills OUT from a socket address (copied) and fills its text. */
void	dnsio_server_from_sockaddr(const struct sockaddr *sa, socklen_t len,
	    struct dns_server *out);

enum dnsio_status {
	DNSIO_OK = 0,		/* a matching reply is in reply/reply_len */
	DNSIO_TIMEOUT,		/* no answer after every try, UDP and TCP */
	/* refused / unreachable on UDP and TCP; see err */
	DNSIO_NETERR,
	DNSIO_NOMEM,
	DNSIO_PENDING,		/* internal: not finished (never returned) */
	DNSIO_CANCELLED		/* opts' cancel flag was set: stopped early */
};

struct dnsio_query {
	/* in, borrowed, unchanged */
	const struct dns_server	*server;
	/* complete message, signed if need be */
	const uint8_t		*wire;
	size_t			 len;
	/* out */
	enum dnsio_status	 status;
	int			 err;		/* errno behind DNSIO_NETERR */
	/* owned: free with dnsio_query_clear */
	uint8_t			*reply;
	size_t			 reply_len;
	unsigned		 udp_sends;	/* datagrams sent */
	unsigned		 tcp_tries;	/* TCP connections attempted */
	int			 over_tcp;	/* the reply came over TCP */
};

struct dnsio_opts {
	/* datagrams per query before TCP (default 3) */
	unsigned	udp_tries;
	/* first retransmission timeout; doubles (default 400) */
	unsigned	rto_ms;
	unsigned	tcp_timeout_ms;	/* one TCP attempt (default 2000) */
	/* hard bound for the whole call (0: none) */
	unsigned	total_ms;
	int		expired;	/* the run's time is up: send nothing */
	/* borrowed or NULL: once nonzero (a signal), the call ends early */
	const volatile sig_atomic_t *cancel;
};

/* Defaults as above. */
void	dnsio_opts_default(struct dnsio_opts *o);

/*
 * Runs N exchanges side by side and returns when each has a reply or has
 * failed, or when total_ms has passed (those still open: DNSIO_TIMEOUT).
 * With expired set nothing is sent (each query: DNSIO_TIMEOUT); with the
 * cancel flag set, before or during the call, what is still open ends in
 * DNSIO_CANCELLED (poll wakes with EINTR when the signal arrives).
 * Each query's status says how it ended. Returns DNSIO_NOMEM if the run
 * itself could not be set up, else DNSIO_OK. Goes through dnsio_transport,
 * so unit tests can script replies.
 * The out fields are reset first as by dnsio_query_clear (a reply left by
 * an earlier call is freed), so they must start zeroed and a query array
 * can be run again. O NULL: defaults. A query that is not a DNS message
 * ends in DNSIO_NETERR with err EINVAL (EMSGSIZE over 65535 bytes).
 */
enum dnsio_status	dnsio_exchange(struct dnsio_query *q, size_t n,
			    const struct dnsio_opts *o);

/*
 * How many exchanges with S began at or after SINCE (a CLOCK_MONOTONIC
 * millisecond value, as clock_now_ms gives) in this process, whatever
 * stage asked, counting the most recent 16; *oldest is the earliest of
 * them (INT64_MAX when none).
 */
size_t	dnsio_sent_since(const struct dns_server *s, int64_t since,
	    int64_t *oldest);

/* Frees the reply and resets the out fields; keeps the in fields. */
void	dnsio_query_clear(struct dnsio_query *q);

/* "timed out", "network error", ... (static). */
const char	*dnsio_strerror(enum dnsio_status st);

/*
 * ldns_wire2pkt for a message from the network: every reply is read with
 * this. Refuses (LDNS_STATUS_ERR, *p NULL) a message whose additional
 * section holds more than one TSIG record: ldns 1.8.3 keeps the last and
 * leaks the others, and RFC 8945 5.1 allows one. On LDNS_STATUS_OK the
 * caller frees *p.
 */
ldns_status	dnsio_wire2pkt(ldns_pkt **p, const uint8_t *wire, size_t len);

/* The transport table: tests point dnsio_transport at a scripted one. */
struct dnsio_ops {
	enum dnsio_status (*exchange)(struct dnsio_query *q, size_t n,
	    const struct dnsio_opts *o);
};
extern const struct dnsio_ops	 dnsio_socket_ops;	/* the real one */
/* default: &dnsio_socket_ops */
extern const struct dnsio_ops	*dnsio_transport;

#endif
