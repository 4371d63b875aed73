// SPDX-License-Identifier: GPL-2.0
/*
 * The sync's route table (user/rib.c) and babeld source (user/src_babel.c):
 * which route wins and why the others are ignored (table-driven), and the
 * recorded babeld 1.12.1 output read over a real unix socket in chunks of
 * every size, so lines split across reads come out the same as whole
 * ones. Malformed, over-long, NUL-carrying and cut lines are counted and
 * skipped. No BPF here: tests/cli/test_sync_cli.sh runs the whole sync.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "harness.h"
#include "rib.h"
#include "src_babel.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define DATA "tests/data/babeld/"

/* ---- the rib: selection and ignore reasons ---- */

/* Interfaces that "exist" for the filter. */
static unsigned int fake_ifindex(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "wg-a"))
		return 11;
	if (!strcmp(name, "wg-b"))
		return 12;
	if (!strcmp(name, "eth0"))
		return 2;
	return 0;
}

struct cand_spec {
	const char *key, *prefix, *from, *ifname;
	bool not_installed;
	uint32_t metric;
};

struct sel_case {
	const char *desc;
	struct cand_spec c[4];
	const char *globs;		/* comma-separated, NULL: any */
	const char *want_key;		/* NULL: nothing usable */
	const char *want_reasons;	/* per candidate, space-separated */
};

static const struct sel_case sel_cases[] = {
	{ "one installed route wins",
	  { { "a", "198.51.100.0/24", NULL, "wg-a", false, 96 } }, NULL, "a", "none" },
	{ "installed no is not used (and not 'ignored')",
	  { { "a", "198.51.100.0/24", NULL, "wg-a", true, 96 } }, NULL, NULL, "none" },
	{ "metric infinity (retracted) is not used",
	  { { "a", "198.51.100.0/24", NULL, "wg-a", false, RIB_METRIC_INF } }, NULL, NULL, "none" },
	{ "lower metric wins",
	  { { "a", "198.51.100.0/24", NULL, "wg-a", false, 192 },
	    { "b", "198.51.100.0/24", NULL, "wg-b", false, 96 } }, NULL, "b", "none none" },
	{ "equal metrics: lower key wins (kernel multipath order)",
	  { { "m100#01", "198.51.100.0/24", NULL, "wg-b", false, 100 },
	    { "m100#00", "198.51.100.0/24", NULL, "wg-a", false, 100 } }, NULL, "m100#00",
	  "none none" },
	{ "source-specific routes are ignored",
	  { { "a", "2001:db8:100::/48", "2001:db8::/32", "wg-a", false, 96 } }, NULL, NULL,
	  "source_specific" },
	{ "interface outside --iface is ignored; an allowed one wins",
	  { { "a", "198.51.100.0/24", NULL, "eth0", false, 10 },
	    { "b", "198.51.100.0/24", NULL, "wg-b", false, 96 } }, "wg-*", "b",
	  "iface_not_allowed none" },
	{ "several globs",
	  { { "a", "198.51.100.0/24", NULL, "eth0", false, 10 } }, "wg-*,eth*", "a", "none" },
	{ "missing interface is ignored",
	  { { "a", "198.51.100.0/24", NULL, "wg-gone", false, 96 } }, NULL, NULL,
	  "no_such_iface" },
	{ "empty interface name is a missing one",
	  { { "a", "198.51.100.0/24", NULL, "", false, 96 } }, NULL, NULL, "no_such_iface" },
	{ "not installed and disallowed: not listed as ignored",
	  { { "a", "198.51.100.0/24", NULL, "eth0", true, 96 } }, "wg-*", NULL, "none" },
};

static const char *const reason_names[SYNC_IGN_MAX] = {
	"none", "source_specific", "iface_not_allowed", "no_such_iface", "not_served", "map_error",
};

static void cand_make(const struct cand_spec *s, struct rt_cand *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", s->key);
	prefix_parse(s->prefix, &c->prefix, NULL, NULL);
	if (s->from)
		prefix_parse(s->from, &c->from, NULL, NULL);
	else
		c->from.family = c->prefix.family;
	c->installed = !s->not_installed;
	c->metric = s->metric;
	c->via_family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", c->via);
	snprintf(c->ifname, sizeof(c->ifname), "%s", s->ifname);
}

static int hook_calls;
static void count_hook(void *arg, const struct rt_cand *c, int was, int now)
{
	(void)arg, (void)c, (void)was, (void)now;
	hook_calls++;
}

static void run_sel_case(const struct sel_case *t)
{
	char globbuf[128], *globs[8], reasons[128] = "", *save = NULL;
	struct rib_filter f = { .ifindex = fake_ifindex };
	struct rib *r = rib_new();
	struct rib_prefix *px;
	const struct rt_cand *best;
	struct rt_cand c;
	size_t i, n = 0;

	if (t->globs) {
		snprintf(globbuf, sizeof(globbuf), "%s", t->globs);
		for (char *g = strtok_r(globbuf, ",", &save); g; g = strtok_r(NULL, ",", &save))
			globs[n++] = g;
	}
	f.iface_globs = (const char *const *)globs;
	f.n_iface_globs = n;
	for (i = 0; i < 4 && t->c[i].key; i++) {
		cand_make(&t->c[i], &c);
		rib_upsert(r, &c);
	}
	px = rib_next_dirty(r);
	ok(px && !rib_next_dirty(r), "%s: one dirty prefix", t->desc);
	if (!px)
		goto out;
	best = rib_best(r, px, &f);
	if (t->want_key)
		ok(best && !strcmp(best->key, t->want_key), "%s: %s chosen (got %s)", t->desc,
		   t->want_key, best ? best->key : "none");
	else
		ok(!best, "%s: nothing chosen (got %s)", t->desc, best ? best->key : "none");
	/* Reasons in the order the candidates were given. */
	for (i = 0; i < 4 && t->c[i].key; i++) {
		struct rib_route_view v[4];
		size_t k, m = rib_prefix_routes(px, v, 4);
		int why = 0;

		for (k = 0; k < m; k++)
			if (!strcmp(v[k].c->key, t->c[i].key))
				why = v[k].ignored;
		snprintf(reasons + strlen(reasons), sizeof(reasons) - strlen(reasons), "%s%s",
			 i ? " " : "", reason_names[why]);
	}
	ok(!strcmp(reasons, t->want_reasons), "%s: reasons '%s' (got '%s')", t->desc,
	   t->want_reasons, reasons);
out:
	rib_free(r);
}

static void test_rib_bookkeeping(void)
{
	struct rib_filter f = { .ifindex = fake_ifindex };
	struct cand_spec a = { "h1", "198.51.100.0/24", NULL, "wg-gone", false, 96 };
	struct rt_cand c;
	struct rib *r = rib_new();
	struct rib_prefix *px, *p1, *p2;
	int n = 0;

	rib_set_ignore_hook(r, count_hook, NULL);
	cand_make(&a, &c);
	rib_upsert(r, &c);
	px = rib_next_dirty(r);
	rib_best(r, px, &f);
	ok(rib_ignored(r, SYNC_IGN_NO_IFACE) == 1 && hook_calls == 1,
	   "rib: an ignored route is counted and reported once");
	rib_best(r, px, &f);
	ok(hook_calls == 1, "rib: the same reason again is no new report");
	/* The same key moves to another prefix: both prefixes need a look. */
	prefix_parse("203.0.113.0/24", &c.prefix, NULL, NULL);
	rib_upsert(r, &c);
	while ((px = rib_next_dirty(r)))
		n++;
	ok(n == 2 && rib_routes(r) == 1, "rib: a key that changes prefix dirties both (%d)", n);
	ok(rib_ignored(r, SYNC_IGN_NO_IFACE) == 0 && hook_calls == 2,
	   "rib: its old ignore record is withdrawn");
	p1 = rib_prefix_get(r, &c.prefix, false);
	ok(p1 && rib_prefix_routes(p1, NULL, 0) == 1, "rib: the route is under its new prefix");
	prefix_parse("198.51.100.0/24", &c.prefix, NULL, NULL);
	p2 = rib_prefix_get(r, &c.prefix, false);
	ok(p2 && rib_prefix_routes(p2, NULL, 0) == 0, "rib: and gone from the old one");
	rib_prefix_gc(r, p2);
	ok(!rib_prefix_get(r, &c.prefix, false), "rib: an empty prefix is collected");
	ok(rib_remove(r, "h1") == 1 && rib_remove(r, "h1") == 0 && rib_routes(r) == 0,
	   "rib: remove once, then nothing to remove");
	/* clear: every route goes, prefixes with something applied stay */
	cand_make(&a, &c);
	rib_upsert(r, &c);
	rib_applied_of(rib_prefix_get(r, &c.prefix, false))->present = true;
	while (rib_next_dirty(r))
		;
	rib_clear(r);
	ok(rib_routes(r) == 0 && rib_next_dirty(r) != NULL, "rib: clear empties and dirties");
	ok(rib_prefix_get(r, &c.prefix, false) != NULL, "rib: clear keeps applied prefixes");
	rib_free(r);
}

/* ---- babeld over a unix socket, in chunks ---- */

struct feed {
	int lfd, cfd;
	char path[108];
	struct babel_source *bs;
};

static int feed_open(struct feed *fd)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char err[128];

	snprintf(fd->path, sizeof(fd->path), "/tmp/anyxdp-test-rib-%d.sock", getpid());
	unlink(fd->path);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", fd->path);
	fd->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd->lfd < 0 || bind(fd->lfd, (struct sockaddr *)&un, sizeof(un)) ||
	    listen(fd->lfd, 1))
		return -errno;
	if (babelsrc_new(&fd->bs, fd->path, true, err, sizeof(err)) || babelsrc_connect(fd->bs))
		return -EIO;
	fd->cfd = accept(fd->lfd, NULL, NULL);
	return fd->cfd < 0 ? -errno : 0;
}

static void feed_close(struct feed *fd)
{
	babelsrc_free(fd->bs);
	close(fd->cfd);
	close(fd->lfd);
	unlink(fd->path);
}

/* Read everything the source has, until it would block. */
static int drain(struct feed *fd, struct rib *r, struct src_events *ev)
{
	struct pollfd p = { .fd = babelsrc_fd(fd->bs), .events = POLLIN };
	int err = 0;

	while (!err && poll(&p, 1, 0) > 0)
		err = babelsrc_read(fd->bs, r, ev);
	return err;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 20);

	*len = f && buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* The recordings name the lab's tunnels. */
static unsigned int lab_ifindex(const char *name, void *arg)
{
	(void)arg;
	return !strncmp(name, "axlab-", 6);
}

/* The chosen route of a prefix as "if via metric", or "none". */
static void best_with(struct rib *r, const char *prefix, unsigned int (*ifx)(const char *, void *),
		      char *out, size_t len)
{
	struct rib_filter f = { .ifindex = ifx };
	const struct rt_cand *b = NULL;
	struct rib_prefix *px;
	struct prefix p;
	char via[64] = "";

	prefix_parse(prefix, &p, NULL, NULL);
	px = rib_prefix_get(r, &p, false);
	if (px)
		b = rib_best(r, px, &f);
	if (b)
		inet_ntop(b->via_family, b->via, via, sizeof(via));
	if (b)
		snprintf(out, len, "%s %s %u", b->ifname, via, b->metric);
	else
		snprintf(out, len, "none");
}

static void best_of(struct rib *r, const char *prefix, char *out, size_t len)
{
	best_with(r, prefix, fake_ifindex, out, len);
}

static void best_lab(struct rib *r, const char *prefix, char *out, size_t len)
{
	best_with(r, prefix, lab_ifindex, out, len);
}

struct outcome {
	char v4[96], v6[96];
	uint64_t lines, malformed;
	int synced;
	size_t routes;
};

/* Send a recording in chunks of n bytes, reading after each. */
static int feed_file(const char *file, size_t n, struct outcome *o)
{
	struct src_events ev = {};
	struct feed fd;
	struct rib *r = rib_new();
	char cmd[32] = "";
	size_t len, off;
	char *text = slurp(file, &len);
	int err = feed_open(&fd);

	memset(o, 0, sizeof(*o));
	for (off = 0; !err && off < len; off += n) {
		size_t k = len - off < n ? len - off : n;

		if (write(fd.cfd, text + off, k) != (ssize_t)k)
			err = -EIO;
		memset(&ev.synced, 0, sizeof(ev.synced));
		if (!err)
			err = drain(&fd, r, &ev);
		o->synced += ev.synced;
	}
	/* babeld is asked for "monitor" once its greeting is over */
	if (read(fd.cfd, cmd, sizeof(cmd) - 1) < 0)
		cmd[0] = '\0';
	if (strcmp(cmd, "monitor\n"))
		err = -EPROTO;
	best_lab(r, "198.51.100.0/24", o->v4, sizeof(o->v4));
	best_lab(r, "2001:db8:100::/48", o->v6, sizeof(o->v6));
	o->lines = ev.lines;
	o->malformed = ev.malformed;
	o->routes = rib_routes(r);
	feed_close(&fd);
	rib_free(r);
	free(text);
	return err;
}

static void test_recordings(void)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 61, 512, 4096, 1 << 20 };
	struct outcome ref, o;
	size_t i;
	int err;

	err = feed_file(DATA "dump-popa.txt", 1 << 20, &ref);
	ok(!err, "dump: read over a unix socket, 'monitor' sent after the greeting (%d)", err);
	ok(ref.synced == 1, "dump: synced once, at the dump's 'ok' (%d)", ref.synced);
	ok(!strcmp(ref.v4, "axlab-as fe80::a:2 96"), "dump: v4 via the direct tunnel (%s)", ref.v4);
	ok(!strcmp(ref.v6, "axlab-as fe80::a:2 96"), "dump: v6 via the direct tunnel (%s)", ref.v6);
	ok(ref.routes == 4 && ref.malformed == 0, "dump: 4 routes, nothing malformed");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		err = feed_file(DATA "dump-popa.txt", sizes[i], &o);
		ok(!err && !strcmp(o.v4, ref.v4) && !strcmp(o.v6, ref.v6) && o.lines == ref.lines &&
		   o.synced == 1 && o.routes == ref.routes,
		   "dump in %zu-byte chunks: same result", sizes[i]);
	}
	err = feed_file(DATA "monitor-popa-reroute.txt", 1 << 20, &ref);
	ok(!err && ref.synced == 1 && ref.malformed == 0,
	   "monitor recording: read whole, synced once, nothing malformed");
	/* The recording ends soon after the direct tunnel came back: babeld
	 * has heard the site on it again (new routes, not installed yet) but
	 * still uses popb. */
	ok(!strcmp(ref.v4, "axlab-ab fe80::ab:2 192"), "monitor: v4 still via popb at the end (%s)",
	   ref.v4);
	ok(!strcmp(ref.v6, "axlab-ab fe80::ab:2 192"), "monitor: v6 still via popb at the end (%s)",
	   ref.v6);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		err = feed_file(DATA "monitor-popa-reroute.txt", sizes[i], &o);
		ok(!err && !strcmp(o.v4, ref.v4) && !strcmp(o.v6, ref.v6) && o.lines == ref.lines &&
		   o.routes == ref.routes, "monitor in %zu-byte chunks: same result", sizes[i]);
	}
}

/* The monitor recording replayed line by line: the reroute in the middle. */
static void test_reroute_steps(void)
{
	struct src_events ev = {};
	struct babel_source *bs;
	struct rib *r = rib_new();
	char line[2048], err[64], now[96], last[96] = "", seen[512] = "";
	FILE *f = fopen(DATA "monitor-popa-reroute.txt", "r");

	babelsrc_new(&bs, "/nonexistent", true, err, sizeof(err));
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		babelsrc_line(bs, line, r, &ev);
		best_lab(r, "198.51.100.0/24", now, sizeof(now));
		if (strcmp(now, last) && strlen(seen) + strlen(now) + 3 < sizeof(seen))
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
				 seen[0] ? " | " : "", now);
		snprintf(last, sizeof(last), "%s", now);
	}
	if (f)
		fclose(f);
	diag("v4 selections in the recording: %s", seen);
	ok(!strcmp(seen, "none | axlab-as fe80::a:2 96 | none | axlab-ab fe80::ab:2 192"),
	   "monitor: nothing before the dump, direct, withdrawn (65535), then via popb");
	babelsrc_free(bs);
	rib_free(r);
}

/* ---- bad input ---- */

static int put(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -EIO;
}

static void test_bad_input(void)
{
	static const char good[] = "add route h1 prefix 198.51.100.0/24 from 0.0.0.0/0 "
				   "installed yes id 1 metric 96 refmetric 0 via fe80::1 if wg-a\n";
	struct src_events ev = {};
	char best[96], big[3000];
	struct feed fd;
	struct rib *r = rib_new();
	int err = feed_open(&fd);

	ok(!err, "bad input: connected");
	err = err ?: put(fd.cfd, "BABEL 1.0\nok\nok\n");
	drain(&fd, r, &ev);
	/* take "monitor": unread data would turn our close into a reset */
	if (read(fd.cfd, big, sizeof(big)) != 8)
		err = -EPROTO;
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	err = err ?: put(fd.cfd, big) ?: put(fd.cfd, good);
	drain(&fd, r, &ev);
	best_of(r, "198.51.100.0/24", best, sizeof(best));
	ok(!err && ev.malformed == 1 && !strcmp(best, "wg-a fe80::1 96"),
	   "a 3000-byte line is skipped whole, once; the next line counts (%s)", best);
	/* A line too long for the buffer, arriving in pieces: skipped to its end. */
	big[sizeof(big) - 2] = 'x';
	err = err ?: put(fd.cfd, big);
	drain(&fd, r, &ev);
	err = err ?: put(fd.cfd, big);
	drain(&fd, r, &ev);
	err = err ?: put(fd.cfd, "xxx\n") ?: put(fd.cfd, good);
	drain(&fd, r, &ev);
	ok(!err && ev.malformed == 2 && rib_routes(r) == 1,
	   "a 6000-byte line across reads: skipped whole, counted once (%llu)",
	   (unsigned long long)ev.malformed);
	ev.malformed = 1;
	if (write(fd.cfd, "add route h2 prefix 203.0.113.0/24\0 from\n", 41) != 41)
		err = -EIO;	/* 34 + NUL + " from\n" */
	drain(&fd, r, &ev);
	ok(!err && ev.malformed == 2 && rib_routes(r) == 1, "a NUL byte makes a line malformed");
	err = err ?: put(fd.cfd, "change route h1 prefix 198.51.100.0/24 from 0.0.0.0/0 "
			 "installed yes id 1 metric 97 refmetric 0 via fe80::1 if wg-a\r\n");
	drain(&fd, r, &ev);
	best_of(r, "198.51.100.0/24", best, sizeof(best));
	ok(!strcmp(best, "wg-a fe80::1 97"), "CRLF line endings are fine (%s)", best);
	err = err ?: put(fd.cfd, "flush route h1 prefix garbage\n");
	drain(&fd, r, &ev);
	ok(ev.malformed == 3 && rib_routes(r) == 0,
	   "a malformed flush still removes the route it names");
	err = err ?: put(fd.cfd, "add route h3 prefix 198.51");
	drain(&fd, r, &ev);
	close(fd.cfd);
	fd.cfd = -1;
	err = drain(&fd, r, &ev);
	ok(err == -EPIPE && ev.malformed == 4 && rib_routes(r) == 0,
	   "closed mid-line: -EPIPE, the piece counted, not applied (%d)", err);
	feed_close(&fd);
	rib_free(r);
}

static void test_addresses(void)
{
	static const struct { const char *addr; bool good; } v[] = {
		{ "[::1]:33123", true }, { "127.0.0.1:33123", true }, { "::1", true },
		{ "localhost", true }, { "[::1]", true }, { "[::1", false }, { "[::1]:", false },
		{ "127.0.0.1:", false }, { "", false }, { "[::1]:port", false },
		{ "no.such.host.invalid:1", false },
	};
	struct babel_source *bs;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = babelsrc_new(&bs, v[i].addr, false, err, sizeof(err));

		ok((rc == 0) == v[i].good && (rc == 0 || strstr(err, "invalid babeld address")),
		   "address '%s' %s", v[i].addr, v[i].good ? "accepted" : "refused with a reason");
		if (!rc)
			babelsrc_free(bs);
	}
	ok(babelsrc_new(&bs, "", true, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "socket path"), "empty socket path refused");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++)
		run_sel_case(&sel_cases[i]);
	test_rib_bookkeeping();
	test_recordings();
	test_reroute_steps();
	test_bad_input();
	test_addresses();
	return harness_done();
}
