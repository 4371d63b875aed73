// SPDX-License-Identifier: GPL-2.0
/*
 * babeld's local interface: a line protocol. After connecting, babeld
 * prints a greeting ending in "ok". We answer "monitor": babeld dumps
 * everything it has as "add ..." lines, prints "ok", then prints each
 * change as it happens (babeld 1.12 local.c). A route is named by its
 * handle; "flush route HANDLE ..." removes it.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "babel.h"
#include "common.h"
#include "src_babel.h"

#define LINE_MAX_LEN 1024
#define READ_CHUNK 4096		/* ~30 route lines: bounds the wait of the last one */
#define BABEL_INFINITY 65535
/* Warn about the first malformed lines, then only now and then. */
#define WARN_FIRST 20
#define WARN_EVERY 1000

enum phase { PH_GREETING, PH_DUMP, PH_MONITOR };

struct babel_source {
	char name[160];
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	enum phase phase;
	bool skipping;		/* inside an over-long line: drop to its end */
	char buf[LINE_MAX_LEN + READ_CHUNK];
	size_t len;
	unsigned long warned;
};

static int parse_unix(struct babel_source *s, const char *path, char *err, size_t len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&s->sa;

	if (!*path || strlen(path) >= sizeof(un->sun_path)) {
		snprintf(err, len, "invalid babeld socket path '%s'", path);
		return -EINVAL;
	}
	un->sun_family = AF_UNIX;
	snprintf(un->sun_path, sizeof(un->sun_path), "%s", path);
	s->salen = sizeof(*un);
	snprintf(s->name, sizeof(s->name), "babeld unix:%s", path);
	return 0;
}

/* "[v6]:port", "host:port", "v6", "host": split off the port. */
static int split_host_port(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(addr, ':');

	snprintf(port, plen, "%s", BABEL_DEFAULT_PORT);
	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (!end || (end[1] && end[1] != ':') || (end[1] == ':' && !end[2]))
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(end - addr - 1), addr + 1);
		if (end[1] == ':')
			snprintf(port, plen, "%s", end + 2);
		return 0;
	}
	/* One colon: host:port. Several: a bare IPv6 address. */
	if (colon && strchr(addr, ':') == colon) {
		if (!colon[1])
			return -EINVAL;
		snprintf(host, hlen, "%.*s", (int)(colon - addr), addr);
		snprintf(port, plen, "%s", colon + 1);
		return 0;
	}
	snprintf(host, hlen, "%s", addr);
	return 0;
}

static int parse_tcp(struct babel_source *s, const char *addr, char *err, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[256], port[32];
	int rc;

	if (!*addr || split_host_port(addr, host, sizeof(host), port, sizeof(port)) || !*host) {
		snprintf(err, len, "invalid babeld address '%s' (use [::1]:33123, "
			 "127.0.0.1:33123 or HOST:PORT)", addr);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc || !ai) {
		snprintf(err, len, "invalid babeld address '%s': %s", addr,
			 rc ? gai_strerror(rc) : "no address");
		return -EINVAL;
	}
	memcpy(&s->sa, ai->ai_addr, ai->ai_addrlen);
	s->salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(s->name, sizeof(s->name), "babeld %s", addr);
	return 0;
}

int babelsrc_new(struct babel_source **out, const char *addr, bool is_unix,
		 char *err, size_t len)
{
	struct babel_source *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	rc = is_unix ? parse_unix(s, addr, err, len) : parse_tcp(s, addr, err, len);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void babelsrc_free(struct babel_source *s)
{
	if (!s)
		return;
	babelsrc_disconnect(s);
	free(s);
}

const char *babelsrc_name(const struct babel_source *s)
{
	return s->name;
}

int babelsrc_fd(const struct babel_source *s)
{
	return s->fd;
}

void babelsrc_disconnect(struct babel_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->len = 0;
	s->skipping = false;
	s->phase = PH_GREETING;
}

/* babeld's local interface is on this host: connect() answers at once. */
int babelsrc_connect(struct babel_source *s)
{
	int fd, err;

	babelsrc_disconnect(s);
	fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&s->sa, s->salen)) {
		err = -errno;
		close(fd);
		return err;
	}
	s->fd = fd;
	return 0;
}

static void warn_malformed(struct babel_source *s, const char *why, const char *line)
{
	s->warned++;
	if (s->warned <= WARN_FIRST || s->warned % WARN_EVERY == 0)
		log_warn("%s: skipped a malformed line (%s)%s: %.120s", s->name, why,
			 s->warned == WARN_FIRST ? "; further ones are counted, "
			 "and warned about every 1000th" : "", line);
}

static void cand_of(const struct babel_route *br, struct rt_cand *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", br->handle);
	c->prefix = br->prefix;
	c->from = br->from;
	c->installed = br->installed;
	c->metric = br->metric >= BABEL_INFINITY ? RIB_METRIC_INF : br->metric;
	c->via_family = br->via_family;
	memcpy(c->via, br->via, sizeof(c->via));
	memcpy(c->ifname, br->ifname, sizeof(c->ifname));
}

/* A flush we cannot parse still names the route: drop it rather than
 * keep a route babeld no longer has. */
static void flush_by_handle(const char *line, struct rib *r)
{
	char handle[RIB_KEY_LEN];

	if (sscanf(line, "flush route %63s", handle) == 1)
		rib_remove(r, handle);
}

static int send_monitor(struct babel_source *s)
{
	static const char cmd[] = "monitor\n";

	if (s->fd < 0)
		return 0;	/* fed by hand (tests) */
	if (send(s->fd, cmd, sizeof(cmd) - 1, MSG_NOSIGNAL) != sizeof(cmd) - 1)
		return errno ? -errno : -EIO;
	return 0;
}

static int on_ok(struct babel_source *s, struct src_events *ev)
{
	if (s->phase == PH_GREETING) {
		s->phase = PH_DUMP;
		return send_monitor(s);
	}
	if (s->phase == PH_DUMP) {
		s->phase = PH_MONITOR;
		ev->synced = true;
	}
	return 0;
}

int babelsrc_line(struct babel_source *s, const char *line, struct rib *r,
		  struct src_events *ev)
{
	struct babel_line bl;
	struct rt_cand c;
	const char *why;
	int rc;

	ev->lines++;
	if (!strcmp(line, "ok"))
		return on_ok(s, ev);
	rc = babel_parse_line(line, &bl, &why);
	if (rc < 0) {
		ev->malformed++;
		warn_malformed(s, why, line);
		flush_by_handle(line, r);
		return 0;
	}
	if (rc == 0 || bl.kind != BABEL_ROUTE)
		return 0;	/* interfaces: the sync follows links itself */
	if (bl.op == BABEL_FLUSH)
		return rib_remove(r, bl.route.handle) < 0 ? -ENOMEM : 0;
	cand_of(&bl.route, &c);
	return rib_upsert(r, &c);
}

static int take_lines(struct babel_source *s, struct rib *r, struct src_events *ev)
{
	char *start = s->buf, *nl, *end = s->buf + s->len;
	int err = 0;

	while (!err && (nl = memchr(start, '\n', end - start))) {
		bool nul = memchr(start, '\0', nl - start) != NULL;

		*nl = '\0';
		if (nl > start && nl[-1] == '\r')
			nl[-1] = '\0';
		if (s->skipping)
			s->skipping = false;
		else if (nul)
			ev->malformed++, warn_malformed(s, "NUL byte in line", "");
		else
			err = babelsrc_line(s, start, r, ev);
		start = nl + 1;
	}
	s->len = end - start;
	memmove(s->buf, start, s->len);
	if (s->len > LINE_MAX_LEN) {
		if (!s->skipping) {
			ev->malformed++;
			warn_malformed(s, "line longer than 1024 bytes", "");
		}
		s->skipping = true;
		s->len = 0;
	}
	return err;
}

int babelsrc_read(struct babel_source *s, struct rib *r, struct src_events *ev)
{
	ssize_t n;

	if (s->fd < 0)
		return -ENOTCONN;
	n = recv(s->fd, s->buf + s->len, READ_CHUNK, MSG_DONTWAIT);
	ev->read_ns = now_mono_ns();
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) {
		s->buf[s->len] = '\0';	/* take_lines() left it at most LINE_MAX_LEN */
		if (s->len && !s->skipping) {
			ev->malformed++;
			warn_malformed(s, "connection closed in the middle of a line", s->buf);
		}
		return -EPIPE;
	}
	s->len += n;
	return take_lines(s, r, ev);
}
