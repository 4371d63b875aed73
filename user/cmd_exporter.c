// SPDX-License-Identifier: GPL-2.0
/*
 * anyxdp exporter: serve the metrics of `anyxdp stats --prometheus` over
 * HTTP for Prometheus to scrape. One thread, one poll() loop, no library:
 * each connection has a deadline, so a slow or silent client costs a slot
 * for a few seconds and never blocks the others. The pin dir is opened
 * again for every scrape, as attach and detach may re-create the maps.
 */
#define _GNU_SOURCE		/* accept4, ppoll, memmem, asprintf */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "maps.h"
#include "metrics.h"
#include "snapshot.h"

#define EXPORTER_LISTEN_DEFAULT "127.0.0.1:9477"
#define CONNS_MAX 16
#define REQ_MAX 8192			/* request line and headers */
#define READ_TIMEOUT_NS (5 * 1000000000ull)
#define WRITE_TIMEOUT_NS (10 * 1000000000ull)
#define DRAIN_TIMEOUT_NS (1000000000ull)
#define COMPLAIN_EVERY_NS (60 * 1000000000ull)

static const char exporter_help[] =
	"Usage: anyxdp exporter [--listen ADDR:PORT]\n"
	"Serve the metrics of 'anyxdp stats --prometheus' over HTTP at /metrics, for\n"
	"Prometheus to scrape. The pin dir is read afresh on every scrape; while it\n"
	"has no maps, /metrics says anyxdp_up 0. Stops on SIGTERM or Ctrl-C.\n\n"
	"  --listen ADDR:PORT   where to listen (default " EXPORTER_LISTEN_DEFAULT "):\n"
	"                       127.0.0.1:9477, 0.0.0.0:9477, [::1]:9477, [::]:9477\n"
	"                       (IPv6 and IPv4), localhost:9477, or :9477 (every\n"
	"                       address); port 0 picks a free one (logged)\n";

enum conn_phase { C_FREE, C_READ, C_WRITE, C_DRAIN };

struct conn {
	int fd;
	enum conn_phase phase;
	__u64 deadline;			/* CLOCK_MONOTONIC ns */
	char req[REQ_MAX];
	size_t n;
	char *out;			/* the whole response */
	size_t out_len, out_off;
};

struct exporter {
	int lfd;
	const char *pin_dir;
	struct conn c[CONNS_MAX];
	__u64 complained;		/* when we last said the maps are missing */
	bool maps_missing;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- listening ---- */

/* "[::1]:9477", "127.0.0.1:9477", "localhost:9477", ":9477" into host
 * (empty: every address) and port. */
static int listen_split(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = s, *hend;
	unsigned long p;
	char *end;

	if (*s == '[') {
		hend = strchr(s, ']');
		if (!hend || hend[1] != ':')
			return -EINVAL;
		h = s + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', colon - s))
			return -EINVAL;	/* IPv6 without brackets */
		hend = colon;
	}
	if ((size_t)(hend - h) >= hlen || strlen(colon + 1) >= plen)
		return -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p > 65535 || colon[1] == '-' || colon[1] == '+')
		return -EINVAL;
	memcpy(host, h, hend - h);
	host[hend - h] = 0;
	snprintf(port, plen, "%lu", p);
	return 0;
}

static void addr_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static int bind_one(const struct addrinfo *ai)
{
	int fd, one = 1, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	/* A restart must not wait for the old connections' TIME_WAIT; a
	 * listener that is still there makes bind() fail all the same. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	char host[256], port[8], where[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *res, *ai;
	int fd = -EADDRNOTAVAIL, rc;

	if (listen_split(spec, host, sizeof(host), port, sizeof(port))) {
		log_err("--listen '%s': not ADDR:PORT (127.0.0.1:9477, [::1]:9477, "
			"localhost:9477, :9477; port 0 to 65535)", spec);
		return -EINVAL;
	}
	/* Every address: the IPv6 wildcard takes IPv4 too (bindv6only=0). */
	rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc) {
		log_err("--listen '%s': %s", spec, gai_strerror(rc));
		return -EINVAL;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		if (!*host && ai->ai_family == AF_INET6)
			fd = bind_one(ai);
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = bind_one(ai);
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("cannot listen on %s: %s", spec, strerror(-fd));
		return fd;
	}
	if (!getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		addr_format(&ss, where, sizeof(where));
		log_info("listening on %s, metrics at http://%s/metrics", where, where);
	}
	return fd;
}

/* ---- answers ---- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>anyxdp exporter</title></head>\n"
	"<body><h1>anyxdp exporter</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

/* The metrics, into a malloc'd buffer; *len its length. */
static char *scrape(struct exporter *x, size_t *len)
{
	__u64 t0 = now_mono_ns(), now;
	struct metrics_extra extra = { .scrape = true };
	struct anyxdp_maps m;
	struct snapshot s;
	bool have = false;
	char *buf = NULL, pin[PATH_MAX];
	FILE *f;

	/* No maps is normal before the first attach or load (the exporter
	 * may start first, or the pin dir was removed): say so once a
	 * minute, not on every scrape. */
	snprintf(pin, sizeof(pin), "%s/bl_ctl", x->pin_dir);
	if (access(pin, F_OK)) {
		now = now_mono_ns();
		if (!x->maps_missing || now - x->complained >= COMPLAIN_EVERY_NS) {
			log_err("no anyxdp maps in %s: answering anyxdp_up 0", x->pin_dir);
			x->complained = now;
		}
		x->maps_missing = true;
	} else if (!maps_open(&m, x->pin_dir, false)) {
		have = !snapshot_take(&m, &s, SNAP_ALL);
		maps_close(&m);
		if (x->maps_missing)
			log_info("the maps in %s are back", x->pin_dir);
		x->maps_missing = false;
	}
	f = open_memstream(&buf, len);
	if (!f)
		goto out;
	extra.scrape_seconds = (now_mono_ns() - t0) / 1e9;
	if (metrics_write(f, have ? &s : NULL, &extra) | fclose(f)) {
		free(buf);
		buf = NULL;
	}
out:
	if (have)
		snapshot_free(&s);
	return buf;
}

static void respond(struct conn *c, int code, const char *status, const char *type,
		    const char *extra_header, const char *body, size_t len, bool head)
{
	char *out = NULL;
	int n;

	n = asprintf(&out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "%sConnection: close\r\n\r\n", code, status, type, len,
		     extra_header ? extra_header : "");
	if (n < 0) {
		c->out = NULL;
		c->out_len = 0;
		return;
	}
	if (!head && len) {
		char *all = realloc(out, n + len);

		if (!all) {
			free(out);
			c->out = NULL;
			c->out_len = 0;
			return;
		}
		memcpy(all + n, body, len);
		out = all;
		n += len;
	}
	c->out = out;
	c->out_len = n;
}

static void respond_text(struct conn *c, int code, const char *status, const char *extra,
			 const char *msg, bool head)
{
	respond(c, code, status, "text/plain; charset=utf-8", extra, msg, strlen(msg), head);
}

/* The request is complete in c->req: decide the answer. */
static void handle(struct exporter *x, struct conn *c)
{
	char method[16], target[1024], version[16], *q;
	bool head;
	size_t len;
	char *body;

	c->req[c->n] = 0;
	if (sscanf(c->req, "%15[A-Z] %1023[^ \r\n] %15[^ \r\n]", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7)) {
		respond_text(c, 400, "Bad Request", NULL, "bad request\n", false);
		return;
	}
	q = strchr(target, '?');
	if (q)
		*q = 0;
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond_text(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
			     "only GET and HEAD\n", false);
		return;
	}
	if (!strcmp(target, "/")) {
		respond(c, 200, "OK", "text/html; charset=utf-8", NULL, index_page,
			strlen(index_page), head);
	} else if (!strcmp(target, "/metrics")) {
		body = scrape(x, &len);
		if (body)
			respond(c, 200, "OK", METRICS_CONTENT_TYPE, NULL, body, len, head);
		else
			respond_text(c, 500, "Internal Server Error", NULL, "out of memory\n",
				     head);
		free(body);
	} else {
		respond_text(c, 404, "Not Found", NULL, "not found; metrics are at /metrics\n",
			     head);
	}
}

/* ---- connections ---- */

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->phase = C_FREE;
}

static void conn_start_write(struct conn *c)
{
	c->phase = C_WRITE;
	c->out_off = 0;
	c->deadline = now_mono_ns() + WRITE_TIMEOUT_NS;
	if (!c->out)
		conn_close(c);
}

static bool request_complete(const struct conn *c)
{
	return memmem(c->req, c->n, "\r\n\r\n", 4) || memmem(c->req, c->n, "\n\n", 2);
}

static void conn_read(struct exporter *x, struct conn *c)
{
	ssize_t r;

	if (c->phase == C_DRAIN) {
		char junk[4096];

		r = recv(c->fd, junk, sizeof(junk), 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	r = recv(c->fd, c->req + c->n, REQ_MAX - 1 - c->n, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_close(c);		/* gone before asking anything */
		return;
	}
	c->n += r;
	if (request_complete(c))
		handle(x, c);
	else if (c->n >= REQ_MAX - 1)
		respond_text(c, 400, "Bad Request", NULL, "request too large\n", false);
	else
		return;
	conn_start_write(c);
}

static void conn_write(struct conn *c)
{
	ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w < 0) {
		conn_close(c);
		return;
	}
	c->out_off += w;
	if (c->out_off < c->out_len)
		return;
	/* Read what the client still sends (a POST body) until it closes:
	 * closing with unread data would reset the connection, and the
	 * client could lose the answer. */
	shutdown(c->fd, SHUT_WR);
	c->phase = C_DRAIN;
	c->deadline = now_mono_ns() + DRAIN_TIMEOUT_NS;
}

static void conn_timeout(struct conn *c)
{
	if (c->phase == C_READ && c->n) {
		respond_text(c, 408, "Request Timeout", NULL, "request timeout\n", false);
		conn_start_write(c);
		/* One try: the client is slow, we will not wait again. */
		if (c->phase == C_WRITE)
			send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	if (c->phase != C_FREE)
		conn_close(c);
}

static void accept_new(struct exporter *x)
{
	struct conn *c = NULL;
	int fd, i;

	for (i = 0; i < CONNS_MAX && !c; i++)
		if (x->c[i].phase == C_FREE)
			c = &x->c[i];
	if (!c)
		return;
	fd = accept4(x->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c->fd = fd;
	c->phase = C_READ;
	c->n = 0;
	c->out = NULL;
	c->deadline = now_mono_ns() + READ_TIMEOUT_NS;
}

/* ---- the loop ---- */

static int poll_timeout_ms(const struct exporter *x, __u64 now)
{
	__u64 first = 0;
	int i;

	for (i = 0; i < CONNS_MAX; i++)
		if (x->c[i].phase != C_FREE && (!first || x->c[i].deadline < first))
			first = x->c[i].deadline;
	if (!first)
		return -1;
	return first <= now ? 0 : (int)((first - now) / 1000000 + 1);
}

static int serve(struct exporter *x, const sigset_t *unblocked)
{
	struct pollfd pfd[CONNS_MAX + 1];
	struct conn *owner[CONNS_MAX + 1];
	struct timespec ts, *tp;
	int i, n, ms, busy;
	__u64 now;

	while (!stop_signal) {
		busy = 0;
		/* With every slot taken, new connections wait in the backlog. */
		n = 0;
		pfd[n] = (struct pollfd){ .fd = x->lfd, .events = POLLIN };
		owner[n++] = NULL;
		for (i = 0; i < CONNS_MAX; i++) {
			struct conn *c = &x->c[i];

			if (c->phase == C_FREE)
				continue;
			if (++busy == CONNS_MAX)
				pfd[0].events = 0;
			pfd[n] = (struct pollfd){ .fd = c->fd,
				.events = c->phase == C_WRITE ? POLLOUT : POLLIN };
			owner[n++] = c;
		}
		ms = poll_timeout_ms(x, now_mono_ns());
		ts = (struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
		tp = ms < 0 ? NULL : &ts;
		if (ppoll(pfd, n, tp, unblocked) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return -errno;
		}
		for (i = 1; i < n; i++) {
			struct conn *c = owner[i];

			if (!pfd[i].revents || c->phase == C_FREE)
				continue;
			if (c->phase == C_WRITE)
				conn_write(c);
			else
				conn_read(x, c);
		}
		now = now_mono_ns();
		for (i = 0; i < CONNS_MAX; i++)
			if (x->c[i].phase != C_FREE && x->c[i].deadline <= now)
				conn_timeout(&x->c[i]);
		if (pfd[0].revents & POLLIN)
			accept_new(x);
	}
	return 0;
}

static int exporter_args(int argc, char **argv, const char **addr)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "l:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': *addr = optarg; break;
		case 'h': return cli_usage(exporter_help, false), 1;
		default: return cli_usage(exporter_help, true);
		}
	}
	if (optind != argc)
		return cli_usage(exporter_help, true);
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	const char *addr = EXPORTER_LISTEN_DEFAULT;
	struct sigaction sa = { .sa_handler = on_signal };
	struct exporter x = { .lfd = -1 };
	sigset_t block, old;
	int err, i;

	err = exporter_args(argc, argv, &addr);
	if (err)
		return err < 0 ? err : 0;
	err = require_privileges();
	if (err)
		return err;
	x.pin_dir = pin_dir_resolve(opt_pin_dir);
	/* Signals only inside ppoll(): no scrape is cut short, none is lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	x.lfd = listen_on(addr);
	if (x.lfd < 0) {
		err = x.lfd == -EINVAL ? -EBADCONF : x.lfd;
		goto out;
	}
	log_info("serving the maps in %s", x.pin_dir);
	err = serve(&x, &old);
	for (i = 0; i < CONNS_MAX; i++)
		if (x.c[i].phase != C_FREE)
			conn_close(&x.c[i]);
	close(x.lfd);
	if (!err)
		log_info("stopped by signal %d", (int)stop_signal);
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}
