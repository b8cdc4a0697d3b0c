/* SPDX-License-Identifier: ISC */
/*
 * dnsio: every exchange of the agent, side by side in one poll() loop.
 * Connected non-blocking UDP with retransmission and exponential backoff;
 * TCP with a two-byte length prefix (RFC 1035 4.2.2, RFC 7766) when a reply
 * is truncated, when the message exceeds 512 bytes (RFC 1035 4.2.1) or when
 * UDP gets no answer. Replies are matched by source, ID and question
 * (RFC 5452 9.1).
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dnsio.h"

#define DNSIO_UDP_MAX		512	/* RFC 1035 4.2.1 */
#define DNSIO_MSG_MAX		65535	/* RFC 1035 4.2.2: 16-bit length */
#define DNSIO_INFLIGHT_MAX	256	/* exchanges (sockets) open at once */
#define DNSIO_RTO_MAX		60000	/* backoff stops doubling here */
#define DNSIO_UDP_BURST		16	/* datagrams read per wakeup */

enum xfer_state {
	XFER_FREE = 0,		/* slot unused */
	XFER_UDP,		/* datagram sent; waiting for a reply or RTO */
	XFER_CONNECT,		/* TCP connect in progress */
	XFER_WRITE,		/* TCP: sending length and message */
	XFER_READ		/* TCP: reading length and reply */
};

enum xfer_match {
	MATCH_NO,		/* not the reply to this query: ignore it */
	MATCH_OK,
	MATCH_TC		/* matches, but truncated */
};

/*
 * One exchange in flight. Slot i of the run pairs with pollfd i, so an
 * event finds its exchange without a search.
 */
struct xfer {
	struct dnsio_query	*q;		/* borrowed */
	ldns_rr_list		*question;	/* owned: query's question */
	uint8_t			*tcpbuf;	/* owned: TCP reply, partial */
	uint64_t		 deadline;	/* RTO or TCP timeout, ms */
	unsigned		 rto;		/* current UDP timeout, ms */
	unsigned		 tries;		/* datagrams attempted */
	size_t			 off;		/* TCP bytes written or read */
	uint16_t		 tcplen;	/* length of the TCP reply */
	uint8_t			 lenbuf[2];	/* its length prefix */
	enum xfer_state		 state;
};

/* What every exchange of one call shares. */
struct run {
	struct dnsio_opts	 o;
	uint8_t			*buf;		/* owned: for UDP reads */
	uint64_t		 now;		/* ms, monotonic */
	size_t			 active;	/* slots not XFER_FREE */
};

static uint64_t
dnsio_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * How many exchanges may be open at once: DNSIO_INFLIGHT_MAX, fewer when
 * RLIMIT_NOFILE is low (one socket per exchange, and the rest of the
 * process needs descriptors too).
 */
static size_t
dnsio_inflight_cap(size_t n)
{
	struct rlimit	 rl;
	size_t		 cap = DNSIO_INFLIGHT_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < cap)
		cap = rl.rlim_cur / 4;
	if (cap == 0)
		cap = 1;
	return n < cap ? n : cap;
}

static void
xfer_close(struct pollfd *pfd)
{
	if (pfd->fd != -1)
		close(pfd->fd);
	pfd->fd = -1;
	pfd->events = 0;
	pfd->revents = 0;
}

/* Ends the exchange in slot X and frees the slot. */
static void
xfer_finish(struct run *run, struct xfer *x, struct pollfd *pfd,
    enum dnsio_status st, int err)
{
	xfer_close(pfd);
	ldns_rr_list_deep_free(x->question);
	free(x->tcpbuf);
	x->q->status = st;
	x->q->err = err;
	memset(x, 0, sizeof(*x));
	x->state = XFER_FREE;
	run->active--;
}

/*
 * How many TSIG records the additional section of W holds, read record by
 * record with ldns_wire2rr as ldns_wire2pkt reads them (ldns may end a
 * record before its RDLENGTH does, so a walk by RDLENGTH can disagree),
 * as far as whole records go: ldns keeps those before a bad one too.
 */
static unsigned
wire_tsig_count(const uint8_t *w, size_t len)
{
	size_t		 pos = LDNS_HEADER_SIZE, i, n_before, n_all;
	unsigned	 n = 0;
	ldns_rr		*rr;

	if (len < LDNS_HEADER_SIZE)
		return 0;
	for (i = 0; i < LDNS_QDCOUNT(w); i++) {
		if (ldns_wire2rr(&rr, w, len, &pos, LDNS_SECTION_QUESTION) !=
		    LDNS_STATUS_OK)
			return 0;
		ldns_rr_free(rr);
	}
	n_before = (size_t)LDNS_ANCOUNT(w) + LDNS_NSCOUNT(w);
	n_all = n_before + LDNS_ARCOUNT(w);
	for (i = 0; i < n_all; i++) {
		if (ldns_wire2rr(&rr, w, len, &pos, i < n_before ?
		    LDNS_SECTION_ANSWER : LDNS_SECTION_ADDITIONAL) !=
		    LDNS_STATUS_OK)
			break;
		if (i >= n_before && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TSIG)
			n++;
		ldns_rr_free(rr);
	}
	return n;
}

ldns_status
dnsio_wire2pkt(ldns_pkt **p, const uint8_t *wire, size_t len)
{
	ldns_status	 st;

	*p = NULL;
	if (wire_tsig_count(wire, len) > 1)
		return LDNS_STATUS_ERR;
	st = ldns_wire2pkt(p, wire, len);
	if (st != LDNS_STATUS_OK)
		*p = NULL;
	return st;
}

/*
 * BUF parsed, or NULL. RFC 2181 9: a truncated reply may stop anywhere
 * after the question; it is parsed as its header and question alone.
 */
static ldns_pkt *
xfer_reply_parse(const uint8_t *buf, size_t len)
{
	ldns_pkt	*p = NULL;
	uint8_t		*copy;

	if (dnsio_wire2pkt(&p, buf, len) == LDNS_STATUS_OK)
		return p;
	if (LDNS_TC_WIRE(buf) == 0 || (copy = malloc(len)) == NULL)
		return NULL;
	memcpy(copy, buf, len);
	ldns_write_uint16(copy + LDNS_ANCOUNT_OFF, 0);
	ldns_write_uint16(copy + LDNS_NSCOUNT_OFF, 0);
	ldns_write_uint16(copy + LDNS_ARCOUNT_OFF, 0);
	p = NULL;
	if (dnsio_wire2pkt(&p, copy, len) != LDNS_STATUS_OK)
		p = NULL;
	free(copy);
	return p;
}

/* Are the questions (or UPDATE zone sections) A and B the same? */
static int
xfer_question_same(const ldns_rr_list *a, const ldns_rr_list *b)
{
	size_t	 n = ldns_rr_list_rr_count(a);

	if (n != ldns_rr_list_rr_count(b))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const ldns_rr	*ra = ldns_rr_list_rr(a, i);
		const ldns_rr	*rb = ldns_rr_list_rr(b, i);

		/* ldns_dname_compare ignores case (RFC 4343). */
		if (ldns_dname_compare(ldns_rr_owner(ra),
		    ldns_rr_owner(rb)) != 0 ||
		    ldns_rr_get_type(ra) != ldns_rr_get_type(rb) ||
		    ldns_rr_get_class(ra) != ldns_rr_get_class(rb))
			return 0;
	}
	return 1;
}

/*
 * Is BUF the reply to X's query? The source was checked by the kernel (the
 * socket is connected); here the ID, the QR bit and the question (RFC 5452
 * 9.1; for an UPDATE the zone section, RFC 2136 2.3, same format).
 */
static enum xfer_match
xfer_match(const struct xfer *x, const uint8_t *buf, size_t len)
{
	ldns_pkt	*p;
	ldns_rr_list	*rq;
	enum xfer_match	 m = MATCH_NO;
	size_t		 nq;

	if (len < LDNS_HEADER_SIZE ||
	    LDNS_ID_WIRE(buf) != LDNS_ID_WIRE(x->q->wire) ||
	    LDNS_QR_WIRE(buf) == 0 || (p = xfer_reply_parse(buf, len)) == NULL)
		return MATCH_NO;
	rq = ldns_pkt_question(p);
	nq = ldns_rr_list_rr_count(rq);
	/*
	 * A server that could not parse or does not implement the query may
	 * answer with the header alone; without this the caller would see a
	 * timeout instead of the rcode.
	 */
	if ((nq == 0 && (ldns_pkt_get_rcode(p) == LDNS_RCODE_FORMERR ||
	    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOTIMPL)) ||
	    xfer_question_same(x->question, rq))
		m = LDNS_TC_WIRE(buf) != 0 ? MATCH_TC : MATCH_OK;
	ldns_pkt_free(p);
	return m;
}

/* Takes over FD, a new TCP socket, and starts connecting it. */
static void
xfer_tcp_begin(struct run *run, struct xfer *x, struct pollfd *pfd, int fd)
{
	const struct dns_server	*s = x->q->server;

	pfd->fd = fd;
	pfd->events = POLLOUT;
	x->state = XFER_CONNECT;
	x->off = 0;
	x->deadline = run->now + run->o.tcp_timeout_ms;
	x->q->tcp_tries++;
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) == -1 &&
	    errno != EINPROGRESS && errno != EINTR)
		xfer_finish(run, x, pfd, DNSIO_NETERR, errno);
	/* Connected or not, POLLOUT and SO_ERROR tell (connect(2)). */
}

/*
 * Leaves UDP for the one TCP attempt: after TC (RFC 1035 4.2.1, RFC 7766
 * 5), after an ICMP error, or when UDP got no answer.
 */
static void
xfer_tcp_start(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	int	 fd;

	xfer_close(pfd);
	fd = socket(x->q->server->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		x->q->tcp_tries++;
		xfer_finish(run, x, pfd, DNSIO_NETERR, errno);
		return;
	}
	xfer_tcp_begin(run, x, pfd, fd);
}

/* Sends (or re-sends, the same bytes: it may be signed) the datagram. */
static void
xfer_udp_send(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	struct dnsio_query	*q = x->q;
	ssize_t			 n;

	x->tries++;
	x->deadline = run->now + x->rto;
	do {
		n = send(pfd->fd, q->wire, q->len, 0);
	} while (n == -1 && errno == EINTR);
	if (n == (ssize_t)q->len) {
		q->udp_sends++;
		return;
	}
	/* No buffer space: as if lost; the RTO sends it again. */
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS || errno == ENOMEM))
		return;
	/* ECONNREFUSED (ICMP), unreachable, ...: TCP at once. */
	xfer_tcp_start(run, x, pfd);
}

/* Takes over FD, a new UDP socket, connects it and sends the query. */
static void
xfer_udp_begin(struct run *run, struct xfer *x, struct pollfd *pfd, int fd)
{
	const struct dns_server	*s = x->q->server;

	pfd->fd = fd;
	pfd->events = POLLIN;
	x->state = XFER_UDP;
	/*
	 * Connected: the kernel drops datagrams from any other source and
	 * reports ICMP errors as ECONNREFUSED on the next call.
	 */
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) == -1) {
		xfer_tcp_start(run, x, pfd);
		return;
	}
	xfer_udp_send(run, x, pfd);
}

static void
xfer_udp_read(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	struct dnsio_query	*q = x->q;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < DNSIO_UDP_BURST; i++) {
		n = recv(pfd->fd, run->buf, DNSIO_MSG_MAX, 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ECONNREFUSED, EHOSTUNREACH, ...: try TCP. */
			xfer_tcp_start(run, x, pfd);
			return;
		}
		switch (xfer_match(x, run->buf, (size_t)n)) {
		case MATCH_NO:
			continue;
		case MATCH_TC:
			xfer_tcp_start(run, x, pfd);
			return;
		case MATCH_OK:
			q->reply = malloc((size_t)n);
			if (q->reply == NULL) {
				xfer_finish(run, x, pfd, DNSIO_NOMEM, ENOMEM);
				return;
			}
			memcpy(q->reply, run->buf, (size_t)n);
			q->reply_len = (size_t)n;
			xfer_finish(run, x, pfd, DNSIO_OK, 0);
			return;
		}
	}
}

/* RFC 1035 4.2.2: the two-byte length, then the message as it is. */
static void
xfer_tcp_write(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	struct dnsio_query	*q = x->q;
	uint8_t			 pfx[2];
	struct iovec		 iov[2];
	struct msghdr		 mh;
	size_t			 total = q->len + 2, o;
	ssize_t			 n;

	ldns_write_uint16(pfx, (uint16_t)q->len);
	while (x->off < total) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		if (x->off < 2) {
			iov[0].iov_base = pfx + x->off;
			iov[0].iov_len = 2 - x->off;
			iov[1].iov_base = (void *)(uintptr_t)q->wire;
			iov[1].iov_len = q->len;
			mh.msg_iovlen = 2;
		} else {
			o = x->off - 2;
			iov[0].iov_base = (void *)(uintptr_t)(q->wire + o);
			iov[0].iov_len = q->len - o;
			mh.msg_iovlen = 1;
		}
		n = sendmsg(pfd->fd, &mh, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				pfd->events = POLLOUT;
				return;
			}
			xfer_finish(run, x, pfd, DNSIO_NETERR, errno);
			return;
		}
		x->off += (size_t)n;
	}
	x->state = XFER_READ;
	x->off = 0;
	pfd->events = POLLIN;
}

/*
 * Reads length-prefixed messages until one matches. The reply buffer is
 * allocated at its exact length and handed to the query. At most one
 * frame per call: a frame that ends without the reply (empty, or the
 * answer to something else) goes back to the poll loop, so a server that
 * keeps sending cannot hold the exchange past its deadline.
 */
static void
xfer_tcp_read(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	struct dnsio_query	*q = x->q;
	ssize_t			 n;

	for (;;) {
		if (x->off < 2)
			n = recv(pfd->fd, x->lenbuf + x->off, 2 - x->off, 0);
		else
			n = recv(pfd->fd, x->tcpbuf + (x->off - 2),
			    x->tcplen - (x->off - 2), 0);
		if (n == 0) {
			/* Closed before a whole matching reply came. */
			xfer_finish(run, x, pfd, DNSIO_NETERR, ECONNRESET);
			return;
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				xfer_finish(run, x, pfd, DNSIO_NETERR, errno);
			return;
		}
		x->off += (size_t)n;
		if (x->off == 2) {
			x->tcplen = ldns_read_uint16(x->lenbuf);
			if (x->tcplen == 0) {
				x->off = 0;
				return;
			}
			x->tcpbuf = malloc(x->tcplen);
			if (x->tcpbuf == NULL) {
				xfer_finish(run, x, pfd, DNSIO_NOMEM, ENOMEM);
				return;
			}
		}
		if (x->off < 2 || x->off < 2 + (size_t)x->tcplen)
			continue;
		/* A whole message. TC has no meaning over TCP: take it. */
		if (xfer_match(x, x->tcpbuf, x->tcplen) != MATCH_NO) {
			q->reply = x->tcpbuf;
			q->reply_len = x->tcplen;
			q->over_tcp = 1;
			x->tcpbuf = NULL;
			xfer_finish(run, x, pfd, DNSIO_OK, 0);
			return;
		}
		free(x->tcpbuf);
		x->tcpbuf = NULL;
		x->off = 0;
		return;
	}
}

static void
xfer_event(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	socklen_t	 len;
	int		 err;

	if (pfd->revents & POLLNVAL) {
		xfer_finish(run, x, pfd, DNSIO_NETERR, EBADF);
		return;
	}
	switch (x->state) {
	case XFER_UDP:
		xfer_udp_read(run, x, pfd);
		break;
	case XFER_CONNECT:
		err = 0;
		len = sizeof(err);
		if (getsockopt(pfd->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			xfer_finish(run, x, pfd, DNSIO_NETERR, err);
			break;
		}
		x->state = XFER_WRITE;
		x->off = 0;
		/* FALLTHROUGH */
	case XFER_WRITE:
		xfer_tcp_write(run, x, pfd);
		break;
	case XFER_READ:
		xfer_tcp_read(run, x, pfd);
		break;
	case XFER_FREE:
		break;
	}
}

/* X's deadline has passed: retransmit, go to TCP, or give up. */
static void
xfer_timer(struct run *run, struct xfer *x, struct pollfd *pfd)
{
	if (x->state != XFER_UDP) {
		xfer_finish(run, x, pfd, DNSIO_TIMEOUT, 0);
		return;
	}
	if (x->tries < run->o.udp_tries) {
		/* Exponential backoff (RFC 1536 1, RFC 6298 5.5). */
		if (x->rto > DNSIO_RTO_MAX / 2)
			x->rto = DNSIO_RTO_MAX;
		else
			x->rto *= 2;
		xfer_udp_send(run, x, pfd);
		return;
	}
	xfer_tcp_start(run, x, pfd);
}

/*
 * Starts Q in the free slot X. Returns -1, leaving Q untouched and the slot
 * free, if the process is out of descriptors while other exchanges are
 * open (Q then waits for one of them to end); else 0, Q started or ended.
 */
static int
xfer_start(struct run *run, struct xfer *x, struct pollfd *pfd,
    struct dnsio_query *q)
{
	ldns_pkt	*p = NULL;
	ldns_status	 ls;
	int		 fd, tcp;

	memset(x, 0, sizeof(*x));
	if (q->server == NULL || q->wire == NULL ||
	    q->len < LDNS_HEADER_SIZE) {
		q->status = DNSIO_NETERR;
		q->err = EINVAL;
		return 0;
	}
	if (q->len > DNSIO_MSG_MAX) {
		q->status = DNSIO_NETERR;
		q->err = EMSGSIZE;
		return 0;
	}

	/* RFC 1035 4.2.1: over 512 bytes does not fit UDP without EDNS. */
	tcp = q->len > DNSIO_UDP_MAX || run->o.udp_tries == 0;
	fd = socket(q->server->addr.ss_family,
	    (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		if ((errno == EMFILE || errno == ENFILE) && run->active > 0)
			return -1;
		q->status = DNSIO_NETERR;
		q->err = errno;
		if (tcp)
			q->tcp_tries++;
		return 0;
	}

	/* The question to match replies against; the rest is not needed. */
	ls = ldns_wire2pkt(&p, q->wire, q->len);
	if (ls != LDNS_STATUS_OK) {
		close(fd);
		q->status = ls == LDNS_STATUS_MEM_ERR ? DNSIO_NOMEM :
		    DNSIO_NETERR;
		q->err = ls == LDNS_STATUS_MEM_ERR ? ENOMEM : EINVAL;
		return 0;
	}
	x->question = ldns_pkt_question(p);
	ldns_pkt_set_question(p, NULL);
	ldns_pkt_free(p);

	x->q = q;
	x->rto = run->o.rto_ms;
	run->active++;
	if (tcp)
		xfer_tcp_begin(run, x, pfd, fd);
	else
		xfer_udp_begin(run, x, pfd, fd);
	return 0;
}

/* The options of one call: O, or the defaults; timeouts of 0 made 1 ms. */
static void
run_init(struct run *run, const struct dnsio_opts *o)
{
	memset(run, 0, sizeof(*run));
	if (o != NULL)
		run->o = *o;
	else
		dnsio_opts_default(&run->o);
	if (run->o.rto_ms == 0)
		run->o.rto_ms = 1;
	if (run->o.tcp_timeout_ms == 0)
		run->o.tcp_timeout_ms = 1;
}

/*
 * Starts queries from *NEXT in the free slots, up to *LIMIT open at once.
 * A query that ends at once frees its slot for the next; one that cannot
 * get a socket lowers *LIMIT to what is open.
 */
static void
run_fill(struct run *run, struct xfer *x, struct pollfd *pfd, size_t cap,
    struct dnsio_query *q, size_t n, size_t *next, size_t *limit)
{
	for (size_t i = 0; i < cap && *next < n && run->active < *limit; i++) {
		while (x[i].state == XFER_FREE && *next < n) {
			if (xfer_start(run, &x[i], &pfd[i], &q[*next]) == -1) {
				*limit = run->active;
				break;
			}
			(*next)++;
		}
	}
}

/* How long poll may sleep: until the first deadline, or END. */
static int
run_poll_ms(const struct run *run, const struct xfer *x, size_t cap,
    uint64_t end)
{
	uint64_t	 wait = end;

	for (size_t i = 0; i < cap; i++)
		if (x[i].state != XFER_FREE && x[i].deadline < wait)
			wait = x[i].deadline;
	wait = wait > run->now ? wait - run->now : 0;
	return wait > INT_MAX ? INT_MAX : (int)wait;
}

/*
 * The poll loop: runs the N queries in the CAP slots until every one has
 * ended or total_ms is up. Returns what those still open end with:
 * DNSIO_TIMEOUT, or DNSIO_NETERR with *PERR if poll failed.
 */
static enum dnsio_status
run_loop(struct run *run, struct xfer *x, struct pollfd *pfd, size_t cap,
    struct dnsio_query *q, size_t n, int *perr)
{
	size_t		 limit = cap, next = 0;
	uint64_t	 end;

	run->now = dnsio_now();
	end = run->o.total_ms != 0 ? run->now + run->o.total_ms : UINT64_MAX;
	for (;;) {
		run_fill(run, x, pfd, cap, q, n, &next, &limit);
		if (run->active == 0 && next == n)
			return DNSIO_TIMEOUT;
		if (poll(pfd, cap, run_poll_ms(run, x, cap, end)) == -1 &&
		    errno != EINTR) {
			*perr = errno;
			return DNSIO_NETERR;
		}
		run->now = dnsio_now();
		/* A signal (EINTR, or seen between polls): stop now. */
		if (run->o.cancel != NULL && *run->o.cancel != 0)
			return DNSIO_CANCELLED;
		for (size_t i = 0; i < cap; i++)
			if (x[i].state != XFER_FREE && pfd[i].revents != 0)
				xfer_event(run, &x[i], &pfd[i]);
		if (run->now >= end)
			return DNSIO_TIMEOUT;
		for (size_t i = 0; i < cap; i++)
			if (x[i].state != XFER_FREE &&
			    run->now >= x[i].deadline)
				xfer_timer(run, &x[i], &pfd[i]);
	}
}

static enum dnsio_status
dnsio_socket_exchange(struct dnsio_query *q, size_t n,
    const struct dnsio_opts *o)
{
	struct run		 run;
	struct xfer		*x = NULL;
	struct pollfd		*pfd = NULL;
	size_t			 cap = 0, i;
	enum dnsio_status	 rc = DNSIO_NOMEM, left = DNSIO_TIMEOUT;
	int			 perr = 0;

	run_init(&run, o);
	for (i = 0; i < n; i++) {
		dnsio_query_clear(&q[i]);
		q[i].status = DNSIO_PENDING;
	}
	if (n == 0) {
		rc = DNSIO_OK;
		goto out;
	}

	cap = dnsio_inflight_cap(n);
	x = calloc(cap, sizeof(*x));
	pfd = calloc(cap, sizeof(*pfd));
	run.buf = malloc(DNSIO_MSG_MAX);
	if (x == NULL || pfd == NULL || run.buf == NULL) {
		left = DNSIO_NOMEM;
		goto out;
	}
	for (i = 0; i < cap; i++)
		pfd[i].fd = -1;

	left = run_loop(&run, x, pfd, cap, q, n, &perr);
	rc = DNSIO_OK;
out:
	/* total_ms is up (or poll failed): what is still open ends here. */
	for (i = 0; i < cap && x != NULL && pfd != NULL; i++)
		if (x[i].state != XFER_FREE)
			xfer_finish(&run, &x[i], &pfd[i], left, perr);
	for (i = 0; i < n; i++) {
		if (q[i].status == DNSIO_PENDING) {
			q[i].status = left;
			q[i].err = left == DNSIO_NOMEM ? ENOMEM : perr;
		}
	}
	free(run.buf);
	free(pfd);
	free(x);
	return rc;
}

/*
 * Splits S into the address text (into HOST) and the port text (*PORT, or
 * NULL), and says which families the form allows: brackets are IPv6 only,
 * one colon is IPv4 with a port, more colons a bare IPv6 address.
 */
static int
server_split(const char *s, char *host, size_t hostlen, const char **port,
    int *v4, int *v6)
{
	const char	*h = s, *end, *colon = strchr(s, ':');
	size_t		 hlen = strlen(s);

	*port = NULL;
	*v4 = *v6 = 1;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		h = s + 1;
		hlen = (size_t)(end - h);
		if (end[1] == ':')
			*port = end + 2;
		else if (end[1] != '\0')
			return -1;
		*v4 = 0;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		*port = colon + 1;
		*v6 = 0;
	}
	if (hlen == 0 || hlen >= hostlen)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}

/* A port: 1 to 65535, digits only. Returns it, or 0. */
static uint16_t
server_port(const char *port)
{
	unsigned long	 pn = 0;

	if (*port == '\0' || strlen(port) > 5)
		return 0;
	for (; *port != '\0'; port++) {
		if (*port < '0' || *port > '9')
			return 0;
		pn = pn * 10 + (unsigned long)(*port - '0');
	}
	return pn <= 65535 ? (uint16_t)pn : 0;
}

int
dnsio_server_parse(const char *s, uint16_t default_port,
    struct dns_server *out)
{
	char			 host[INET6_ADDRSTRLEN];
	const char		*port;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	uint16_t		 pn = default_port;
	int			 v4, v6;

	if (s == NULL ||
	    server_split(s, host, sizeof(host), &port, &v4, &v6) == -1)
		return -1;
	if (port != NULL && (pn = server_port(port)) == 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (v4 && inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(pn);
		dnsio_server_from_sockaddr((struct sockaddr *)&sin,
		    sizeof(sin), out);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(pn);
		dnsio_server_from_sockaddr((struct sockaddr *)&sin6,
		    sizeof(sin6), out);
		return 0;
	}
	return -1;
}

void
dnsio_server_from_sockaddr(const struct sockaddr *sa, socklen_t len,
    struct dns_server *out)
{
	char			 addr[INET6_ADDRSTRLEN];
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(out, 0, sizeof(*out));
	if (len > sizeof(out->addr))
		len = sizeof(out->addr);
	memcpy(&out->addr, sa, len);
	out->addrlen = len;
	if (out->addr.ss_family == AF_INET && len >= sizeof(*sin)) {
		sin = (struct sockaddr_in *)&out->addr;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(out->text, sizeof(out->text), "%s port %u", addr,
		    ntohs(sin->sin_port));
	} else if (out->addr.ss_family == AF_INET6 && len >= sizeof(*sin6)) {
		sin6 = (struct sockaddr_in6 *)&out->addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(out->text, sizeof(out->text), "%s port %u", addr,
		    ntohs(sin6->sin6_port));
	} else
		snprintf(out->text, sizeof(out->text),
		    "(address family %d)", out->addr.ss_family);
}

void
dnsio_server_port_default(struct dns_server *s, uint16_t port)
{
	struct dns_server	 copy = *s;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&copy.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&copy.addr;

	if (copy.addr.ss_family == AF_INET && sin->sin_port == 0)
		sin->sin_port = htons(port);
	else if (copy.addr.ss_family == AF_INET6 && sin6->sin6_port == 0)
		sin6->sin6_port = htons(port);
	else
		return;
	dnsio_server_from_sockaddr((struct sockaddr *)&copy.addr,
	    copy.addrlen, s);
}

void
dnsio_opts_default(struct dnsio_opts *o)
{
	o->udp_tries = 3;
	o->rto_ms = 400;
	o->tcp_timeout_ms = 2000;
	o->total_ms = 0;
	o->expired = 0;
	o->cancel = NULL;
}

/*
 * When the last DNSIO_RECENT exchanges with each address began, whatever
 * stage asked: the wait keeps every server under its rate with it.
 */
#define DNSIO_RECENT	16

struct dnsio_recent {
	char	 text[DNSIO_SERVER_TEXT];	/* the address, as dns_server's */
	int64_t	 at[DNSIO_RECENT];		/* ring, ms (dnsio_now) */
	size_t	 n;
};

static struct dnsio_recent	*recent;	/* this process's, grows */
static size_t			 n_recent;

static struct dnsio_recent *
recent_find(const struct dns_server *s, int make)
{
	struct dnsio_recent	*r;

	for (size_t i = 0; i < n_recent; i++)
		if (strcmp(recent[i].text, s->text) == 0)
			return &recent[i];
	if (!make || (r = reallocarray(recent, n_recent + 1,
	    sizeof(*r))) == NULL)
		return NULL;
	recent = r;
	r = &recent[n_recent++];
	memset(r, 0, sizeof(*r));
	snprintf(r->text, sizeof(r->text), "%s", s->text);
	return r;
}

/* Notes that an exchange with each of Q's N servers begins now. */
static void
recent_note(const struct dnsio_query *q, size_t n)
{
	int64_t	 now = (int64_t)dnsio_now();

	for (size_t i = 0; i < n; i++) {
		struct dnsio_recent	*r;

		/* A query without a server fails in the transport. */
		if (q[i].server != NULL &&
		    (r = recent_find(q[i].server, 1)) != NULL)
			r->at[r->n++ % DNSIO_RECENT] = now;
	}
}

size_t
dnsio_sent_since(const struct dns_server *s, int64_t since, int64_t *oldest)
{
	const struct dnsio_recent	*r = recent_find(s, 0);
	size_t				 count = 0;

	*oldest = INT64_MAX;
	for (size_t i = 0; r != NULL && i < r->n && i < DNSIO_RECENT; i++)
		if (r->at[i] >= since) {
			count++;
			if (r->at[i] < *oldest)
				*oldest = r->at[i];
		}
	return count;
}

enum dnsio_status
dnsio_exchange(struct dnsio_query *q, size_t n, const struct dnsio_opts *o)
{
	enum dnsio_status	 end;

	/* Past the run's deadline, or cancelled: not one packet more. */
	if (o != NULL && (o->expired || (o->cancel != NULL &&
	    *o->cancel != 0))) {
		end = o->expired ? DNSIO_TIMEOUT : DNSIO_CANCELLED;
		for (size_t i = 0; i < n; i++) {
			dnsio_query_clear(&q[i]);
			q[i].status = end;
		}
		return DNSIO_OK;
	}
	recent_note(q, n);
	return dnsio_transport->exchange(q, n, o);
}

void
dnsio_query_clear(struct dnsio_query *q)
{
	if (q == NULL)
		return;
	free(q->reply);
	q->reply = NULL;
	q->reply_len = 0;
	q->status = DNSIO_OK;
	q->err = 0;
	q->udp_sends = 0;
	q->tcp_tries = 0;
	q->over_tcp = 0;
}

const char *
dnsio_strerror(enum dnsio_status st)
{
	switch (st) {
	case DNSIO_OK:
		return "ok";
	case DNSIO_TIMEOUT:
		return "timed out";
	case DNSIO_NETERR:
		return "network error";
	case DNSIO_NOMEM:
		return "out of memory";
	case DNSIO_PENDING:
		return "in progress";
	case DNSIO_CANCELLED:
		return "cancelled by a signal";
	}
	return "unknown error";
}

const struct dnsio_ops	 dnsio_socket_ops = { dnsio_socket_exchange };
const struct dnsio_ops	*dnsio_transport = &dnsio_socket_ops;
