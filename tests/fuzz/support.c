/* SPDX-License-Identifier: ISC */
/* support: the harnesses' transport, clock, config and state (support.h). */

#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dnsio.h"
#include "key.h"
#include "msg.h"
#include "support.h"

#define ZONES_TEXT \
	"[zone example.test]\nserver = 127.0.0.21\nkey = %1$s\n\n" \
	"[zone dns01.test]\nserver = 127.0.0.21\nkey = %1$s\n\n" \
	"[zone acme.example.test]\nserver = 127.0.0.23\nkey = %1$s\n\n" \
	"[zone knot.test]\nserver = 127.0.0.23\nkey = %1$s\n\n" \
	"[zone pdns.test]\nserver = 127.0.0.24\nkey = %1$s\n"

static char		 fuzz_dir[64];
static char		 fuzz_config[128];
static struct key	*fuzz_key;

static const uint8_t	*in;		/* the whole input */
static size_t		 in_len, in_pos, in_prefix;

static const char	*record_path;	/* FUZZ_RECORD */
static ldns_buffer	*record_buf;

/* --- the virtual clock ---------------------------------------------------- */

/*
 * Linked with -Wl,--wrap=clock_gettime,--wrap=nanosleep: the agent's
 * sleeps (the wait's rounds, the confirm's retries, settle) advance
 * CLOCK_MONOTONIC instead of taking time, so a run that waits for its
 * whole timeout costs no wall time. libFuzzer's own timers are not
 * touched (its calls are not wrapped: libstdc++ and the runtime are
 * linked separately), and the offset is only ever added to.
 */
int	__real_clock_gettime(clockid_t id, struct timespec *ts);
int	__real_nanosleep(const struct timespec *req, struct timespec *rem);
int	__wrap_clock_gettime(clockid_t id, struct timespec *ts);
int	__wrap_nanosleep(const struct timespec *req, struct timespec *rem);

static int		clock_virtual;
static long long	clock_skew_ns;

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = __real_clock_gettime(id, ts);
	long long ns;

	if (rc != 0 || id != CLOCK_MONOTONIC || clock_skew_ns == 0)
		return rc;
	ns = (long long)ts->tv_nsec + clock_skew_ns % 1000000000LL;
	ts->tv_sec += (time_t)(clock_skew_ns / 1000000000LL + ns / 1000000000LL);
	ts->tv_nsec = (long)(ns % 1000000000LL);
	return rc;
}

int
__wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!clock_virtual)
		return __real_nanosleep(req, rem);
	if (req->tv_sec >= 0 && req->tv_nsec >= 0)
		clock_skew_ns += (long long)req->tv_sec * 1000000000LL +
		    req->tv_nsec;
	if (rem != NULL)
		memset(rem, 0, sizeof(*rem));
	return 0;
}

/* --- wire helpers ---------------------------------------------------------- */

/* ldns_buffer_write* assert room; these make it first (or mark B bad). */
static void
put(ldns_buffer *b, const void *p, size_t n)
{
	if (n > 0 && ldns_buffer_reserve(b, n))
		ldns_buffer_write(b, p, n);
}

static void
put_u8(ldns_buffer *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put_u16(ldns_buffer *b, uint16_t v)
{
	uint8_t w[2];

	ldns_write_uint16(w, v);
	put(b, w, 2);
}

static void
put_u32(ldns_buffer *b, uint32_t v)
{
	uint8_t w[4];

	ldns_write_uint32(w, v);
	put(b, w, 4);
}

/* Moves *pos past the name at *pos (labels or a pointer); -1 if malformed. */
static int
wire_skip_name(const uint8_t *w, size_t len, size_t *pos)
{
	size_t p = *pos;

	for (int labels = 0; labels < 128; labels++) {
		if (p >= len)
			return -1;
		if ((w[p] & 0xc0) == 0xc0) {
			if (p + 2 > len)
				return -1;
			*pos = p + 2;
			return 0;
		}
		if ((w[p] & 0xc0) != 0)
			return -1;
		if (w[p] == 0) {
			*pos = p + 1;
			return 0;
		}
		p += 1 + w[p];
	}
	return -1;
}

/* The end of the question section of W: -1 if malformed. */
static int
wire_questions_end(const uint8_t *w, size_t len, size_t *end)
{
	size_t p = LDNS_HEADER_SIZE;

	if (len < LDNS_HEADER_SIZE)
		return -1;
	for (unsigned i = 0; i < LDNS_QDCOUNT(w); i++) {
		if (wire_skip_name(w, len, &p) == -1 || p + 4 > len)
			return -1;
		p += 4;
	}
	*end = p;
	return 0;
}

/* Where the last RR of W starts (-1: none or malformed). */
static int
wire_last_rr(const uint8_t *w, size_t len, size_t *start)
{
	size_t p, n = (size_t)LDNS_ANCOUNT(w) + LDNS_NSCOUNT(w) +
	    LDNS_ARCOUNT(w);

	if (n == 0 || wire_questions_end(w, len, &p) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		*start = p;
		if (wire_skip_name(w, len, &p) == -1 || p + 10 > len)
			return -1;
		p += 10 + ldns_read_uint16(w + p + 8);
	}
	return p == len ? 0 : -1;
}

/* --- replies ---------------------------------------------------------------- */

/* Mirrors dnsio's check (ID, QR, question) for FUZZ_CTL_ID_ONLY replies. */
static int
reply_matches(const uint8_t *qw, size_t qlen, const uint8_t *r, size_t rlen)
{
	ldns_pkt *q = NULL, *p = NULL;
	int ok = 0;

	if (rlen < LDNS_HEADER_SIZE || LDNS_QR_WIRE(r) == 0 ||
	    ldns_wire2pkt(&q, qw, qlen) != LDNS_STATUS_OK)
		goto out;
	if (dnsio_wire2pkt(&p, r, rlen) != LDNS_STATUS_OK)
		goto out;
	if (ldns_rr_list_rr_count(ldns_pkt_question(p)) == 0) {
		ok = ldns_pkt_get_rcode(p) == LDNS_RCODE_FORMERR ||
		    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOTIMPL;
		goto out;
	}
	if (ldns_rr_list_rr_count(ldns_pkt_question(p)) !=
	    ldns_rr_list_rr_count(ldns_pkt_question(q)))
		goto out;
	ok = 1;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_question(q));
	     i++) {
		ldns_rr *a = ldns_rr_list_rr(ldns_pkt_question(q), i);
		ldns_rr *b = ldns_rr_list_rr(ldns_pkt_question(p), i);

		if (ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b)) != 0 ||
		    ldns_rr_get_type(a) != ldns_rr_get_type(b) ||
		    ldns_rr_get_class(a) != ldns_rr_get_class(b))
			ok = 0;
	}
out:
	ldns_pkt_free(q);
	ldns_pkt_free(p);
	return ok;
}

/* The chunk as a reply to QW: the query's ID, QR, and its question. */
static int
reply_patch(const uint8_t *qw, size_t qlen, const uint8_t *c, size_t clen,
    ldns_buffer *b)
{
	uint8_t head[LDNS_HEADER_SIZE] = { 0 };
	size_t qend, cend;

	if (wire_questions_end(qw, qlen, &qend) == -1)
		return -1;
	memcpy(head, c, clen < sizeof(head) ? clen : sizeof(head));
	if (clen < LDNS_HEADER_SIZE || wire_questions_end(c, clen, &cend) == -1)
		cend = clen < LDNS_HEADER_SIZE ? clen : LDNS_HEADER_SIZE;
	memcpy(head, qw, 2);
	LDNS_QR_SET(head);
	ldns_write_uint16(head + LDNS_QDCOUNT_OFF, LDNS_QDCOUNT(qw));
	put(b, head, sizeof(head));
	put(b, qw + LDNS_HEADER_SIZE, qend - LDNS_HEADER_SIZE);
	put(b, c + cend, clen - cend);
	return ldns_buffer_status_ok(b) ? 0 : -1;
}

/*
 * RFC 8945 4.3.1: signs reply B to the signed request QW as a server
 * would: the request MAC, the reply, then the TSIG variables; appends the
 * TSIG RR and counts it in ARCOUNT. Does nothing for an unsigned request.
 */
static void
reply_sign(const uint8_t *qw, size_t qlen, ldns_buffer *b)
{
	ldns_pkt *q = NULL;
	ldns_rdf *kname = NULL, *aname = NULL;
	const ldns_rr *tsig;
	const ldns_rdf *qmac;
	ldns_buffer *d = NULL, *rr = NULL;
	uint8_t mac[EVP_MAX_MD_SIZE], *w = ldns_buffer_begin(b);
	unsigned mac_len = 0;
	uint64_t now = (uint64_t)time(NULL);
	size_t len = ldns_buffer_position(b);

	if (len < LDNS_HEADER_SIZE || LDNS_ARCOUNT(w) == 0xffff ||
	    ldns_wire2pkt(&q, qw, qlen) != LDNS_STATUS_OK)
		goto out;
	if ((tsig = ldns_pkt_tsig(q)) == NULL || ldns_rr_rd_count(tsig) < 4 ||
	    ldns_rdf_size(qmac = ldns_rr_rdf(tsig, 3)) < 2)
		goto out;
	kname = ldns_dname_new_frm_str(fuzz_key->name);
	aname = ldns_dname_new_frm_str(key_alg_wire_name(fuzz_key->alg));
	d = ldns_buffer_new(1024);
	rr = ldns_buffer_new(512);
	if (kname == NULL || aname == NULL || d == NULL || rr == NULL)
		goto out;
	put(d, ldns_rdf_data(qmac), ldns_rdf_size(qmac));
	put(d, w, len);
	put(d, ldns_rdf_data(kname), ldns_rdf_size(kname));
	put_u16(d, LDNS_RR_CLASS_ANY);
	put_u32(d, 0);
	put(d, ldns_rdf_data(aname), ldns_rdf_size(aname));
	put_u16(d, (uint16_t)(now >> 32));
	put_u32(d, (uint32_t)now);
	put_u16(d, 300);		/* fudge */
	put_u16(d, 0);		/* error */
	put_u16(d, 0);		/* other len */
	if (!ldns_buffer_status_ok(d) ||
	    HMAC(EVP_sha256(), fuzz_key->secret, (int)fuzz_key->secret_len,
	    ldns_buffer_begin(d), ldns_buffer_position(d), mac,
	    &mac_len) == NULL)
		goto out;
	put(rr, ldns_rdf_data(kname), ldns_rdf_size(kname));
	put_u16(rr, LDNS_RR_TYPE_TSIG);
	put_u16(rr, LDNS_RR_CLASS_ANY);
	put_u32(rr, 0);
	put_u16(rr, (uint16_t)(ldns_rdf_size(aname) + 16 +
	    mac_len));
	put(rr, ldns_rdf_data(aname), ldns_rdf_size(aname));
	put_u16(rr, (uint16_t)(now >> 32));
	put_u32(rr, (uint32_t)now);
	put_u16(rr, 300);
	put_u16(rr, (uint16_t)mac_len);
	put(rr, mac, mac_len);
	put(rr, w, 2);		/* original ID */
	put_u16(rr, 0);
	put_u16(rr, 0);
	if (!ldns_buffer_status_ok(rr))
		goto out;
	put(b, ldns_buffer_begin(rr), ldns_buffer_position(rr));
	w = ldns_buffer_begin(b);
	ldns_write_uint16(w + LDNS_ARCOUNT_OFF, LDNS_ARCOUNT(w) + 1);
out:
	ldns_pkt_free(q);
	ldns_rdf_deep_free(kname);
	ldns_rdf_deep_free(aname);
	ldns_buffer_free(d);
	ldns_buffer_free(rr);
}

/* Answers Q with the next chunk of the input. */
static void
answer_one(struct dnsio_query *q)
{
	ldns_buffer *b = NULL;
	const uint8_t *c;
	size_t clen;
	uint8_t ctl;

	q->status = DNSIO_TIMEOUT;
	q->udp_sends = 1;
	if (in_len - in_pos < 3) {
		in_pos = in_len;
		return;
	}
	ctl = in[in_pos];
	clen = ldns_read_uint16(in + in_pos + 1);
	in_pos += 3;
	if (clen > in_len - in_pos)
		clen = in_len - in_pos;
	c = in + in_pos;
	in_pos += clen;
	switch (ctl & 3) {
	case FUZZ_CTL_TIMEOUT:
		return;
	case FUZZ_CTL_NETERR:
		q->status = DNSIO_NETERR;
		q->err = ECONNREFUSED;
		return;
	default:
		break;
	}
	if ((b = ldns_buffer_new(clen + 512)) == NULL)
		return;
	if ((ctl & 3) == FUZZ_CTL_PATCH) {
		if (reply_patch(q->wire, q->len, c, clen, b) == -1)
			goto out;
	} else {
		put(b, c, clen);
		if (clen >= 2)
			memcpy(ldns_buffer_begin(b), q->wire, 2);
	}
	if (ctl & FUZZ_CTL_SIGN)
		reply_sign(q->wire, q->len, b);
	if ((ctl & 3) == FUZZ_CTL_ID_ONLY &&
	    !reply_matches(q->wire, q->len, ldns_buffer_begin(b),
	    ldns_buffer_position(b)))
		goto out;
	if (!ldns_buffer_status_ok(b) ||
	    (q->reply = malloc(ldns_buffer_position(b) + 1)) == NULL)
		goto out;
	q->reply_len = ldns_buffer_position(b);
	memcpy(q->reply, ldns_buffer_begin(b), q->reply_len);
	q->over_tcp = (ctl & FUZZ_CTL_TCP) != 0;
	q->status = DNSIO_OK;
out:
	ldns_buffer_free(b);
}

static enum dnsio_status
fuzz_exchange(struct dnsio_query *q, size_t n, const struct dnsio_opts *o)
{
	(void)o;
	for (size_t i = 0; i < n; i++) {
		dnsio_query_clear(&q[i]);
		answer_one(&q[i]);
	}
	return DNSIO_OK;
}

static const struct dnsio_ops fuzz_ops = { fuzz_exchange };

/* --- recording ---------------------------------------------------------------- */

static int
loopback(const struct dns_server *s)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;

	return s->addr.ss_family == AF_INET &&
	    (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

static void
record_chunk(uint8_t ctl, const uint8_t *p, size_t len)
{
	put_u8(record_buf, ctl);
	put_u16(record_buf, (uint16_t)len);
	if (len > 0)
		put(record_buf, p, len);
}

static enum dnsio_status
record_exchange(struct dnsio_query *q, size_t n, const struct dnsio_opts *o)
{
	enum dnsio_status st;
	size_t last;

	for (size_t i = 0; i < n; i++)
		if (!loopback(q[i].server)) {
			fprintf(stderr, "fuzz record: %s is not on 127/8\n",
			    q[i].server->text);
			abort();
		}
	if ((st = dnsio_socket_ops.exchange(q, n, o)) != DNSIO_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		uint8_t ctl = q[i].over_tcp ? FUZZ_CTL_TCP : 0;
		size_t len = q[i].reply_len;

		if (q[i].status == DNSIO_TIMEOUT) {
			record_chunk(FUZZ_CTL_TIMEOUT, NULL, 0);
			continue;
		}
		if (q[i].status != DNSIO_OK) {
			record_chunk(FUZZ_CTL_NETERR, NULL, 0);
			continue;
		}
		/* A signed reply: drop its TSIG, the harness signs it again. */
		if (LDNS_ARCOUNT(q[i].wire) > 0 &&
		    wire_last_rr(q[i].reply, len, &last) == 0 &&
		    wire_skip_name(q[i].reply, len, &last) == 0 &&
		    ldns_read_uint16(q[i].reply + last) == LDNS_RR_TYPE_TSIG &&
		    wire_last_rr(q[i].reply, len, &last) == 0) {
			uint8_t head[LDNS_HEADER_SIZE];

			/* The agent reads the reply as it came: change a copy. */
			memcpy(head, q[i].reply, sizeof(head));
			ldns_write_uint16(head + LDNS_ARCOUNT_OFF,
			    LDNS_ARCOUNT(head) - 1);
			put_u8(record_buf, ctl | FUZZ_CTL_SIGN);
			put_u16(record_buf, (uint16_t)last);
			put(record_buf, head, sizeof(head));
			put(record_buf, q[i].reply + sizeof(head),
			    last - sizeof(head));
			continue;
		}
		record_chunk(ctl, q[i].reply, len);
	}
	return DNSIO_OK;
}

static const struct dnsio_ops record_ops = { record_exchange };

/* --- set-up --------------------------------------------------------------------- */

static void
quiet(enum msg_level level, const char *line)
{
	(void)level;
	(void)line;
}

static void
die(const char *what)
{
	perror(what);
	abort();
}

void
fuzz_init(void)
{
	char err[256], spec[256], state[96];
	const char *resolver = "127.0.0.1";
	FILE *f;
	int fd;

	if (fuzz_key != NULL)
		return;
	record_path = getenv("FUZZ_RECORD");
	if (record_path != NULL && getenv("FUZZ_RESOLVER") != NULL)
		resolver = getenv("FUZZ_RESOLVER");
	msg_set_sink(getenv("FUZZ_VERBOSE") != NULL ?
	    NULL : quiet);
	if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
	    dup2(fd, STDOUT_FILENO) == -1)
		die("/dev/null");
	close(fd);
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/acme-nsupdate-fuzz.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		die("mkdtemp");
	/* The state directory (spool, journal): ours, never /var/lib. */
	snprintf(state, sizeof(state), "%s/acme-nsupdate", fuzz_dir);
	setenv("STATE_DIRECTORY", state, 1);
	unsetenv("ACME_NSUPDATE_CONFIG");
	snprintf(spec, sizeof(spec), "hmac-sha256:%s:%s", FUZZ_KEY_NAME,
	    FUZZ_KEY_SECRET);
	if (key_parse_inline(spec, &fuzz_key, err, sizeof(err)) != KEY_OK) {
		fprintf(stderr, "fuzz key: %s\n", err);
		abort();
	}
	snprintf(fuzz_config, sizeof(fuzz_config), "%s/fuzz.ini", fuzz_dir);
	if ((fd = open(fuzz_config, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		die(fuzz_config);
	if ((f = fdopen(fd, "w")) == NULL)
		die(fuzz_config);
	fprintf(f, "[defaults]\nresolver = %s\n; the clock is virtual: "
	    "waiting out the timeout costs nothing\ntimeout = 5\n\n", resolver);
	fprintf(f, ZONES_TEXT, spec);
	if (fclose(f) != 0)
		die(fuzz_config);
	/* The directory outlives the process; empty it then (best effort). */
}

const char *
fuzz_config_path(void)
{
	return fuzz_config;
}

/* Empties the files of DIR, one level deep. */
static void
dir_clear(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

/* Empties the state directory: the spool and the journal. */
static void
state_clear(void)
{
	char dir[160];

	snprintf(dir, sizeof(dir), "%s/acme-nsupdate/journal", fuzz_dir);
	dir_clear(dir);
	snprintf(dir, sizeof(dir), "%s/acme-nsupdate", fuzz_dir);
	dir_clear(dir);
}

void
fuzz_replies_begin(const uint8_t *data, size_t size, size_t prefix)
{
	state_clear();
	in = data;
	in_len = size;
	in_prefix = prefix < size ? prefix : size;
	in_pos = in_prefix;
	if (record_path != NULL) {
		if ((record_buf = ldns_buffer_new(4096)) == NULL)
			die("record");
		put(record_buf, data, in_prefix);
		dnsio_transport = &record_ops;
		return;
	}
	dnsio_transport = &fuzz_ops;
	clock_virtual = 1;
}

void
fuzz_replies_end(void)
{
	FILE *f;

	clock_virtual = 0;
	in = NULL;
	in_len = in_pos = 0;
	if (record_path == NULL)
		return;
	if (!ldns_buffer_status_ok(record_buf) ||
	    (f = fopen(record_path, "w")) == NULL ||
	    fwrite(ldns_buffer_begin(record_buf), 1,
	    ldns_buffer_position(record_buf), f) !=
	    ldns_buffer_position(record_buf) || fclose(f) != 0)
		die(record_path);
	ldns_buffer_free(record_buf);
	record_buf = NULL;
}

int
fuzz_transport_installed(void)
{
	return dnsio_transport == &fuzz_ops || dnsio_transport == &record_ops;
}

void
fuzz_assert_offline(void)
{
	if (!fuzz_transport_installed()) {
		fprintf(stderr, "fuzz: the real transport is installed\n");
		abort();
	}
}
