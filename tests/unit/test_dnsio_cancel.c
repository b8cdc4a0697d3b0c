/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for dnsio's two stops (kept apart from test_dnsio.c): past
 * the run's deadline (expired) nothing is sent; a cancel flag set before
 * a call sends nothing, and one set by a signal during a call ends it at
 * once with DNSIO_CANCELLED. The server is a UDP socket that never
 * answers and counts what it receives.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "clock.h"
#include "dnsio.h"

static volatile sig_atomic_t	 cancel;

static void
on_alarm(int sig)
{
	cancel = sig;
}

/* A bound UDP socket on 127.0.0.1 that never answers; SERVER points at it. */
static int
silent(struct dns_server *server)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 len = sizeof(sin);
	int			 fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd != -1);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	dnsio_server_from_sockaddr((struct sockaddr *)&sin, len, server);
	return fd;
}

/* Datagrams waiting on FD. */
static unsigned
received(int fd)
{
	uint8_t		 buf[512];
	unsigned	 n = 0;

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		n++;
	return n;
}

static uint8_t *
mkquery(size_t *len)
{
	ldns_pkt	*p = NULL;
	uint8_t		*wire = NULL;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, "example.org.",
	    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static void
test_expired_sends_nothing(void **state)
{
	struct dns_server	 server;
	struct dnsio_query	 q = { 0 };
	struct dnsio_opts	 o;
	int			 fd = silent(&server);

	(void)state;
	q.server = &server;
	q.wire = mkquery(&q.len);
	dnsio_opts_default(&o);
	o.total_ms = 1;
	o.expired = 1;
	assert_int_equal(dnsio_exchange(&q, 1, &o), DNSIO_OK);
	assert_int_equal(q.status, DNSIO_TIMEOUT);
	assert_int_equal(q.udp_sends, 0);
	usleep(20000);
	assert_int_equal(received(fd), 0);

	/* The same with a cancel flag already set. */
	cancel = SIGTERM;
	o.expired = 0;
	o.total_ms = 1000;
	o.cancel = &cancel;
	assert_int_equal(dnsio_exchange(&q, 1, &o), DNSIO_OK);
	assert_int_equal(q.status, DNSIO_CANCELLED);
	usleep(20000);
	assert_int_equal(received(fd), 0);
	cancel = 0;
	dnsio_query_clear(&q);
	free((void *)q.wire);
	close(fd);
}

static void
test_signal_ends_the_call(void **state)
{
	struct itimerval	 it = { .it_value = { 0, 100000 } };
	struct sigaction	 sa;
	struct dns_server	 server;
	struct dnsio_query	 q = { 0 };
	struct dnsio_opts	 o;
	int			 fd = silent(&server);
	int64_t			 start;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: poll sees EINTR */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	q.server = &server;
	q.wire = mkquery(&q.len);
	dnsio_opts_default(&o);
	o.rto_ms = 5000;	/* no retransmission wakes poll before */
	o.total_ms = 10000;
	o.cancel = &cancel;
	start = clock_now_ms();
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(dnsio_exchange(&q, 1, &o), DNSIO_OK);
	assert_int_equal(q.status, DNSIO_CANCELLED);
	/* At once: not at the retransmission, nor at total_ms. */
	assert_true(clock_now_ms() - start < 1000);
	assert_int_equal(q.udp_sends, 1);
	assert_int_equal(received(fd), 1);
	assert_string_equal(dnsio_strerror(q.status), "cancelled by a signal");
	cancel = 0;
	dnsio_query_clear(&q);
	free((void *)q.wire);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expired_sends_nothing),
		cmocka_unit_test(test_signal_ends_the_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
