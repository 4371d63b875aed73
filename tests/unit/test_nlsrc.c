// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel route source (user/src_netlink.c) in a private network
 * namespace: routes made with ip(8) before and after nlsrc_open() must
 * show up in the rib exactly as the kernel has them (dump, then events),
 * others must not; an overrun and a link going down must resync; and
 * hand-made malformed messages must be counted and skipped, never crash.
 * Needs root (unshare(CLONE_NEWNET)) and ip(8).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "harness.h"
#include "rib.h"
#include "src_netlink.h"

#define MAX_VIEWS 16

static struct nl_source *src;
static struct rib *rib;
static struct src_events ev;

/* ---- helpers ---- */

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		diag("command failed (%d): %s", rc, cmd);
	return rc;
}

/* Read until the socket stays quiet for 50 ms (and, if asked, a full
 * table was reported), at most 5 s. */
static int pump_src(struct nl_source *s, struct rib *r, struct src_events *e, bool until_synced)
{
	struct pollfd p = { .fd = nlsrc_fd(s), .events = POLLIN };
	double end = harness_now() + 5;
	int err;

	while (harness_now() < end) {
		if (poll(&p, 1, 50) > 0) {
			err = nlsrc_read(s, r, e);
			if (err)
				return err;
			continue;
		}
		if (!until_synced || e->synced)
			return 0;
	}
	return -ETIMEDOUT;
}

static int pump(void)
{
	return pump_src(src, rib, &ev, false);
}

static size_t routes_in(struct rib *r, const char *pfx, struct rib_route_view *v)
{
	struct rib_prefix *px;
	struct prefix p;

	if (prefix_parse(pfx, &p, NULL, NULL))
		harness_bail("bad prefix in the test: %s", pfx);
	px = rib_prefix_get(r, &p, false);
	return px ? rib_prefix_routes(px, v, MAX_VIEWS) : 0;
}

static size_t routes_of(const char *pfx)
{
	struct rib_route_view v[MAX_VIEWS];

	return routes_in(rib, pfx, v);
}

/* The route of pfx whose key ends in "#hop" (hop < 0: the only one). */
static const struct rt_cand *route_in(struct rib *r, const char *pfx, int hop)
{
	struct rib_route_view v[MAX_VIEWS];
	size_t n = routes_in(r, pfx, v);
	char sfx[16];

	if (hop < 0)
		return n == 1 ? v[0].c : NULL;
	snprintf(sfx, sizeof(sfx), "#%02d", hop);
	for (size_t i = 0; i < n && i < MAX_VIEWS; i++) {
		size_t len = strlen(v[i].c->key);

		if (len > 3 && !strcmp(v[i].c->key + len - 3, sfx))
			return v[i].c;
	}
	return NULL;
}

static const struct rt_cand *route(const char *pfx, int hop)
{
	return route_in(rib, pfx, hop);
}

static bool via_is(const struct rt_cand *c, const char *addr)
{
	uint8_t a[16] = {};
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	return c && inet_pton(family, addr, a) == 1 && c->via_family == family &&
	       !memcmp(c->via, a, family == AF_INET ? 4 : 16);
}

/* Route via addr on ifname with metric: one line per check. */
static bool is_hop(const struct rt_cand *c, const char *addr, const char *ifname, uint32_t metric)
{
	return c && via_is(c, addr) && !strcmp(c->ifname, ifname) && c->metric == metric &&
	       c->installed;
}

static void add_link(const char *name)
{
	if (system("ip link add probe0 type dummy 2>/dev/null") == 0) {
		sh("ip link del probe0");
		if (sh("ip link add %s type dummy", name))
			harness_bail("cannot create %s", name);
	} else if (sh("ip link add %s type veth peer name %sp && ip link set %sp up", name, name,
		      name)) {
		harness_bail("cannot create %s (neither dummy nor veth)", name);
	}
	if (sh("ip link set %s up", name))
		harness_bail("cannot bring up %s", name);
}

static void setup_netns(void)
{
	if (unshare(CLONE_NEWNET))
		harness_bail("unshare(CLONE_NEWNET): %s (needs root)", strerror(errno));
	if (sh("ip link set lo up"))
		harness_bail("cannot bring up lo");
	add_link("d0");
	add_link("d1");
	add_link("d2");
	if (sh("ip addr add 10.9.0.1/24 dev d0 && ip addr add 10.8.0.1/24 dev d1 && "
	       "ip addr add 10.7.0.1/24 dev d2"))
		harness_bail("cannot add addresses");
}

/* ---- option parsing ---- */

static void test_parse(void)
{
	struct nl_source_opts o = {};
	char err[256] = "";
	uint32_t t = 0;
	int rc;

	rc = nlsrc_parse_protos("babel", &o, err, sizeof(err));
	ok(rc == 0 && o.n_protos == 1 && o.protos[0] == 42, "protos: babel is 42");
	rc = nlsrc_parse_protos("babel,bird,42", &o, err, sizeof(err));
	ok(rc == 0 && o.n_protos == 2 && o.protos[0] == 42 && o.protos[1] == 12,
	   "protos: babel,bird,42 is 42,12 (duplicate dropped)");
	rc = nlsrc_parse_protos(" static , 200,0,255 ", &o, err, sizeof(err));
	ok(rc == 0 && o.n_protos == 4 && o.protos[0] == 4 && o.protos[1] == 200 &&
	   o.protos[2] == 0 && o.protos[3] == 255, "protos: spaces, numbers 0 and 255");
	rc = nlsrc_parse_protos("zebra,ra,dhcp,kernel,boot,redirect,bgp,isis,ospf,rip,eigrp", &o, err,
				sizeof(err));
	ok(rc == 0 && o.n_protos == 11 && o.protos[0] == 11 && o.protos[10] == 192,
	   "protos: every built-in name");

	o.n_protos = 1;
	o.protos[0] = 42;
	rc = nlsrc_parse_protos("babel,foo", &o, err, sizeof(err));
	ok(rc == -EINVAL && !strcmp(err, "unknown route protocol 'foo' (use a name from rt_protos "
				     "or a number 0-255)"), "protos: unknown name: %s", err);
	ok(o.n_protos == 1 && o.protos[0] == 42, "protos: a failed parse leaves the options alone");
	rc = nlsrc_parse_protos("256", &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "'256'") && strstr(err, "0-255"), "protos: 256: %s", err);
	rc = nlsrc_parse_protos("babel,,bird", &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "empty"), "protos: empty item: %s", err);
	rc = nlsrc_parse_protos("", &o, err, sizeof(err));
	ok(rc == -EINVAL, "protos: empty list: %s", err);
	rc = nlsrc_parse_protos("-1", &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "'-1'"), "protos: -1: %s", err);
	rc = nlsrc_parse_protos("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "too many"), "protos: 17 protocols: %s", err);
	rc = nlsrc_parse_protos("Babel", &o, err, sizeof(err));
	ok(rc == -EINVAL, "protos: names are case-sensitive (as in iproute2)");

	ok(!nlsrc_parse_table("main", &t) && t == 254, "table: main");
	ok(!nlsrc_parse_table("local", &t) && t == 255, "table: local");
	ok(!nlsrc_parse_table("default", &t) && t == 253, "table: default");
	ok(!nlsrc_parse_table("100", &t) && t == 100, "table: 100");
	ok(!nlsrc_parse_table("4294967295", &t) && t == 4294967295u, "table: 4294967295");
	t = 7;
	ok(nlsrc_parse_table("0", &t) == -EINVAL && nlsrc_parse_table("4294967296", &t) == -EINVAL &&
	   nlsrc_parse_table("-1", &t) == -EINVAL && nlsrc_parse_table("", &t) == -EINVAL &&
	   nlsrc_parse_table("12a", &t) == -EINVAL && nlsrc_parse_table("Main", &t) == -EINVAL &&
	   nlsrc_parse_table(" 1", &t) == -EINVAL && nlsrc_parse_table("99999999999", &t) == -EINVAL &&
	   t == 7, "table: 0, 2^32, -1, empty, 12a, Main, ' 1', 11 digits refused");
}

/* ---- dump and events ---- */

static void routes_before_open(void)
{
	sh("ip route add 198.51.100.0/24 via 10.9.0.2 dev d0 proto babel metric 100");
	sh("ip route add 203.0.113.0/24 via inet6 fe80::1 dev d0 proto babel");
	sh("ip route add default via 10.9.0.2 dev d0 proto babel");
	sh("ip route add 192.0.2.128/25 via 10.7.0.2 dev d2 proto babel");
	sh("ip -6 route add 2001:db8:1::/48 via fe80::1 dev d0 proto babel");
	sh("ip -6 route add 2001:db8:2::/48 from 2001:db8:ffff::/48 via fe80::1 dev d0 proto babel");
	/* not ours */
	sh("ip route add 198.18.0.0/24 via 10.9.0.2 dev d0 proto static");
	sh("ip route add 198.18.1.0/24 via 10.9.0.2 dev d0 proto babel table 100");
	sh("ip route add blackhole 198.18.2.0/24 proto babel");
	sh("ip route add unreachable 198.18.5.0/24 proto babel");
	sh("ip -6 route add unreachable 2001:db8:dead::/48 proto babel");
	sh("ip route add 198.18.6.0/24 dev d0 proto kernel");
}

static void test_dump(void)
{
	struct nl_source_opts o = {};
	const struct rt_cand *c;
	int err;

	routes_before_open();
	err = nlsrc_open(&src, &o);
	if (err)
		harness_bail("nlsrc_open: %s", strerror(-err));
	ok(!strcmp(nlsrc_name(src), "netlink proto babel table main"), "name: %s", nlsrc_name(src));
	ok(nlsrc_fd(src) >= 0, "fd");
	ok(pump_src(src, rib, &ev, true) == 0 && ev.synced && !ev.resync, "dump: synced");
	ok(ev.lines > 0 && ev.malformed == 0 && ev.read_ns > 0, "dump: %lu messages, none malformed",
	   (unsigned long)ev.lines);
	ok(rib_routes(rib) == 6, "dump: 6 routes are ours (have %zu)", rib_routes(rib));

	c = route("198.51.100.0/24", -1);
	ok(is_hop(c, "10.9.0.2", "d0", 100), "dump: 198.51.100.0/24 via 10.9.0.2 dev d0 metric 100");
	ok(c && !strcmp(c->key, "m100 198.51.100.0/24#00"), "dump: its key is '%s'", c ? c->key : "");
	ok(c && c->from.plen == 0 && c->prefix.family == AF_INET && c->prefix.plen == 24,
	   "dump: prefix /24, from any");
	c = route("203.0.113.0/24", -1);
	ok(is_hop(c, "fe80::1", "d0", 0) && c->via_family == AF_INET6,
	   "dump: IPv4 route via inet6 fe80::1 has via_family AF_INET6");
	ok(is_hop(route("0.0.0.0/0", -1), "10.9.0.2", "d0", 0), "dump: default route");
	ok(is_hop(route("2001:db8:1::/48", -1), "fe80::1", "d0", 1024),
	   "dump: IPv6 route via link-local fe80::1 dev d0, metric 1024");
	c = route("2001:db8:2::/48", -1);
	ok(c && c->from.plen == 48 && c->from.family == AF_INET6 && strstr(c->key, "from"),
	   "dump: source-specific route keeps from (key '%s')", c ? c->key : "");
	ok(!routes_of("198.18.0.0/24") && !routes_of("198.18.1.0/24") && !routes_of("198.18.2.0/24") &&
	   !routes_of("198.18.5.0/24") && !routes_of("2001:db8:dead::/48") &&
	   !routes_of("198.18.6.0/24"),
	   "dump: proto static, table 100, blackhole, unreachable, proto kernel ignored");
}

static void test_events(void)
{
	const struct rt_cand *c;

	memset(&ev, 0, sizeof(ev));
	sh("ip route add 198.51.100.64/26 via 10.8.0.2 dev d1 proto babel metric 5");
	ok(pump() == 0 && is_hop(route("198.51.100.64/26", -1), "10.8.0.2", "d1", 5),
	   "event: added route appears");
	ok(ev.lines >= 1 && !ev.synced && !ev.resync, "event: counted, neither synced nor resync");

	sh("ip route replace 198.51.100.0/24 via 10.8.0.2 dev d1 proto babel metric 100");
	pump();
	ok(is_hop(route("198.51.100.0/24", -1), "10.8.0.2", "d1", 100),
	   "event: replace changes via and interface in place");
	sh("ip route add 198.51.100.0/24 via 10.9.0.9 dev d0 proto babel metric 50");
	pump();
	ok(routes_of("198.51.100.0/24") == 2, "event: same prefix, other metric: second route");
	sh("ip route del 198.51.100.0/24 metric 50");
	pump();
	ok(is_hop(route("198.51.100.0/24", -1), "10.8.0.2", "d1", 100),
	   "event: deleting metric 50 leaves metric 100");
	sh("ip route replace 198.51.100.0/24 via 10.9.0.3 dev d0 proto static metric 100");
	pump();
	ok(routes_of("198.51.100.0/24") == 0, "event: replaced by proto static: gone");
	sh("ip route replace 198.51.100.0/24 via 10.9.0.3 dev d0 proto babel metric 100");
	pump();
	ok(is_hop(route("198.51.100.0/24", -1), "10.9.0.3", "d0", 100),
	   "event: replaced back by proto babel: back");
	sh("ip route del 198.51.100.0/24 metric 100");
	sh("ip route del 198.51.100.64/26");
	pump();
	ok(!routes_of("198.51.100.0/24") && !routes_of("198.51.100.64/26"), "event: deleted routes go");

	sh("ip -6 route add 2001:db8:4::/48 via fe80::4 dev d1 proto babel metric 7");
	pump();
	ok(is_hop(route("2001:db8:4::/48", -1), "fe80::4", "d1", 7), "event: IPv6 add");
	sh("ip -6 route replace 2001:db8:4::/48 via fe80::5 dev d0 proto babel metric 7");
	pump();
	ok(is_hop(route("2001:db8:4::/48", -1), "fe80::5", "d0", 7), "event: IPv6 replace");
	sh("ip -6 route del 2001:db8:4::/48");
	pump();
	ok(!routes_of("2001:db8:4::/48"), "event: IPv6 delete");

	sh("ip route add 198.18.7.0/24 via 10.9.0.2 dev d0 proto static");
	sh("ip route add 198.18.8.0/24 via 10.9.0.2 dev d0 proto babel table 100");
	sh("ip route add blackhole 198.18.9.0/24 proto babel");
	pump();
	ok(!routes_of("198.18.7.0/24") && !routes_of("198.18.8.0/24") && !routes_of("198.18.9.0/24"),
	   "event: static, table 100, blackhole ignored");

	/* Too long to be readable: the packed key, still exact. */
	sh("ip -6 route add 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120 from "
	   "2001:db8:1111:2222:3333:4444:5555:6600/120 via fe80::1 dev d0 proto babel");
	pump();
	c = route("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120", -1);
	ok(c && c->key[0] == 'b' && strlen(c->key) < RIB_KEY_LEN && c->from.plen == 120,
	   "event: long source-specific route gets a packed key '%s'", c ? c->key : "");
	sh("ip -6 route del 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120 from "
	   "2001:db8:1111:2222:3333:4444:5555:6600/120");
	pump();
	ok(!routes_of("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120"), "event: ... and is deleted");

	sh("ip route add 10.0.0.0/8 tos 4 via 10.9.0.2 dev d0 proto babel");
	pump();
	c = route("10.0.0.0/8", -1);
	ok(c && strstr(c->key, "tos4"), "event: TOS is part of the key '%s'", c ? c->key : "");
	sh("ip route del 10.0.0.0/8 tos 4");
	pump();
	ok(!routes_of("10.0.0.0/8"), "event: ... and is deleted");
	ok(ev.malformed == 0 && !ev.resync, "events: none malformed, no resync");
}

static void test_multipath(void)
{
	sh("ip route add 192.0.2.0/25 proto babel metric 20 nexthop via 10.9.0.2 dev d0 "
	   "nexthop via 10.8.0.2 dev d1");
	pump();
	ok(routes_of("192.0.2.0/25") == 2 && is_hop(route("192.0.2.0/25", 0), "10.9.0.2", "d0", 20) &&
	   is_hop(route("192.0.2.0/25", 1), "10.8.0.2", "d1", 20),
	   "multipath: two hops, #00 via d0 and #01 via d1, same metric");
	sh("ip route replace 192.0.2.0/25 proto babel metric 20 nexthop via 10.8.0.2 dev d1 "
	   "nexthop via 10.7.0.2 dev d2 nexthop via 10.9.0.2 dev d0");
	pump();
	ok(routes_of("192.0.2.0/25") == 3 && is_hop(route("192.0.2.0/25", 0), "10.8.0.2", "d1", 20) &&
	   is_hop(route("192.0.2.0/25", 2), "10.9.0.2", "d0", 20), "multipath: replaced by three");
	sh("ip route replace 192.0.2.0/25 via 10.9.0.2 dev d0 proto babel metric 20");
	pump();
	ok(routes_of("192.0.2.0/25") == 1 && is_hop(route("192.0.2.0/25", 0), "10.9.0.2", "d0", 20),
	   "multipath: replaced by a single path, extra hops removed");
	sh("ip route replace 192.0.2.0/25 proto babel metric 20 nexthop via 10.9.0.2 dev d0 "
	   "nexthop via 10.8.0.2 dev d1");
	sh("ip route del 192.0.2.0/25");
	pump();
	ok(routes_of("192.0.2.0/25") == 0, "multipath: deleting removes every hop");

	sh("ip -6 route add 2001:db8:3::/48 proto babel nexthop via fe80::1 dev d0 "
	   "nexthop via fe80::2 dev d1 nexthop via fe80::3 dev d2");
	pump();
	ok(routes_of("2001:db8:3::/48") == 3, "multipath IPv6: three hops");
	sh("ip -6 route del 2001:db8:3::/48 via fe80::2 dev d1");
	pump();
	ok(routes_of("2001:db8:3::/48") == 2 &&
	   is_hop(route("2001:db8:3::/48", 0), "fe80::1", "d0", 1024) &&
	   is_hop(route("2001:db8:3::/48", 1), "fe80::3", "d2", 1024),
	   "multipath IPv6: deleting one hop keeps the others, renumbered");
	sh("ip -6 route del 2001:db8:3::/48");
	pump();
	ok(routes_of("2001:db8:3::/48") == 0, "multipath IPv6: deleting removes every hop");
	ok(ev.malformed == 0 && !ev.resync, "multipath: none malformed, no resync");
}

/* The kernel flushes IPv4 routes through a downed interface silently. */
static void test_link_down(void)
{
	memset(&ev, 0, sizeof(ev));
	ok(is_hop(route("192.0.2.128/25", -1), "10.7.0.2", "d2", 0), "link: route via d2 before");
	sh("ip link set d2 down");
	ok(pump_src(src, rib, &ev, true) == 0 && ev.resync && ev.synced, "link: d2 down: resync");
	ok(!routes_of("192.0.2.128/25"), "link: the flushed route is gone");
	ok(is_hop(route("0.0.0.0/0", -1), "10.9.0.2", "d0", 0) &&
	   is_hop(route("2001:db8:1::/48", -1), "fe80::1", "d0", 1024),
	   "link: the others are back after the resync");
	memset(&ev, 0, sizeof(ev));
	sh("ip link set d1 down");
	pump();
	ok(!ev.resync, "link: an interface none of our routes use: no resync");
	sh("ip link set d1 up && ip link set d2 up");
	sh("ip addr add 10.8.0.1/24 dev d1 2>/dev/null; ip addr add 10.7.0.1/24 dev d2 2>/dev/null; true");
	pump();
}

/* Fall behind on purpose: the kernel drops events, we must start over. */
static void test_overrun(void)
{
	int small = 1, big = 4 << 20, n = 300;
	size_t before = rib_routes(rib);
	FILE *f = fopen("/tmp/test_nlsrc.batch", "w");

	if (!f)
		harness_bail("cannot write /tmp/test_nlsrc.batch");
	for (int i = 0; i < n; i++)
		fprintf(f, "route add 100.64.%d.%d/32 via 10.9.0.2 dev d0 proto babel\n", i / 200,
			i % 200);
	fclose(f);
	memset(&ev, 0, sizeof(ev));
	setsockopt(nlsrc_fd(src), SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof(small));
	sh("ip -batch /tmp/test_nlsrc.batch");
	unlink("/tmp/test_nlsrc.batch");
	setsockopt(nlsrc_fd(src), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	ok(pump_src(src, rib, &ev, true) == 0 && ev.resync && ev.synced,
	   "overrun: ENOBUFS gives resync, then synced");
	ok(routes_of("100.64.0.0/32") == 1 && routes_of("100.64.1.99/32") == 1 &&
	   rib_routes(rib) == before + n, "overrun: all %d routes there after the dump (%zu)", n,
	   rib_routes(rib));
	sh("ip route flush proto babel table main");
	pump();
	ok(!routes_of("100.64.0.0/32") && !routes_of("0.0.0.0/0") && routes_of("2001:db8:1::/48"),
	   "flush of IPv4 proto babel: IPv4 gone, IPv6 stays");
}

/* --table 100 --proto babel,bird */
static void test_table(void)
{
	struct nl_source_opts o = {};
	struct src_events e = {};
	struct nl_source *s = NULL;
	struct rib *r = rib_new();
	char err[256];

	sh("ip route add 198.18.3.0/24 via 10.9.0.2 dev d0 proto bird table 100");
	sh("ip route add 198.18.4.0/24 via 10.9.0.2 dev d0 proto static table 100");
	ok(!nlsrc_parse_protos("babel,bird", &o, err, sizeof(err)) &&
	   !nlsrc_parse_table("100", &o.table), "table: options parsed");
	if (!r || nlsrc_open(&s, &o))
		harness_bail("cannot open a second source");
	ok(!strcmp(nlsrc_name(s), "netlink proto babel,bird table 100"), "table: name '%s'",
	   nlsrc_name(s));
	ok(pump_src(s, r, &e, true) == 0 && e.synced, "table: synced");
	ok(route_in(r, "198.18.1.0/24", -1) && route_in(r, "198.18.8.0/24", -1) &&
	   route_in(r, "198.18.3.0/24", -1), "table: babel and bird routes of table 100");
	ok(rib_routes(r) == 3, "table: nothing else (main, proto static): %zu", rib_routes(r));
	sh("ip route add 198.18.10.0/24 via 10.8.0.2 dev d1 proto bird table 100");
	sh("ip route add 198.18.11.0/24 via 10.8.0.2 dev d1 proto bird");
	pump_src(s, r, &e, false);
	ok(is_hop(route_in(r, "198.18.10.0/24", -1), "10.8.0.2", "d1", 0) &&
	   !route_in(r, "198.18.11.0/24", -1), "table: events filtered by table too");
	nlsrc_close(s);
	rib_free(r);
}

/* ---- hand-made messages ---- */

static char mbuf[4096] __attribute__((aligned(8)));

/* A valid RTM_NEWROUTE for 192.0.2.77/32 via 10.9.0.2 dev d0, proto babel. */
static struct nlmsghdr *good_route(uint16_t type)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t gw = htonl(0x0a090002), dst = htonl(0xc000024d);

	memset(mbuf, 0, sizeof(mbuf));
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = 42;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 9);
	mnl_attr_put_u32(nlh, RTA_OIF, if_nametoindex("d0"));
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	return nlh;
}

/* The last attribute put (RTA_GATEWAY in good_route). */
static struct nlattr *last_attr(struct nlmsghdr *nlh, size_t payload)
{
	return (struct nlattr *)((char *)nlh + nlh->nlmsg_len - MNL_ALIGN(MNL_ATTR_HDRLEN + payload));
}

/* Feed one message; true if it was counted malformed and changed nothing. */
static bool rejected(struct rib *r, const struct nlmsghdr *nlh)
{
	struct src_events e = {};
	size_t before = rib_routes(r);

	return nlsrc_handle_msg(src, nlh, r, &e) == 0 && e.lines == 1 && e.malformed == 1 &&
	       rib_routes(r) == before;
}

static bool ignored(struct rib *r, const struct nlmsghdr *nlh)
{
	struct src_events e = {};
	size_t before = rib_routes(r);

	return nlsrc_handle_msg(src, nlh, r, &e) == 0 && e.malformed == 0 && rib_routes(r) == before;
}

/* RTA_MULTIPATH with a hand-made rtnexthop; rtnh_len as given. */
static struct nlmsghdr *multipath_route(int rtnh_len, int hops)
{
	struct nlmsghdr *nlh = good_route(RTM_NEWROUTE);
	char mp[64] = {};
	struct rtnexthop *nh = (struct rtnexthop *)mp;
	struct nlattr *gw = (struct nlattr *)(mp + sizeof(*nh));
	uint32_t addr = htonl(0x0a090002);

	nlh->nlmsg_len -= MNL_ALIGN(MNL_ATTR_HDRLEN + 4);	/* drop RTA_GATEWAY */
	gw->nla_type = RTA_GATEWAY;
	gw->nla_len = MNL_ATTR_HDRLEN + 4;
	memcpy(gw + 1, &addr, 4);
	nh->rtnh_len = rtnh_len;
	nh->rtnh_ifindex = if_nametoindex("d0");
	mnl_attr_put(nlh, RTA_MULTIPATH, hops ? sizeof(*nh) + 8 : 0, mp);
	return nlh;
}

static void test_malformed(void)
{
	struct rib *r = rib_new();
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct rtvia *via;
	struct src_events e = {};
	char via_buf[8] = {};
	int saved, quiet;

	if (!r)
		harness_bail("rib_new");
	nlh = good_route(RTM_NEWROUTE);
	ok(nlsrc_handle_msg(src, nlh, r, &e) == 0 && e.malformed == 0 &&
	   is_hop(route_in(r, "192.0.2.77/32", -1), "10.9.0.2", "d0", 9),
	   "hand-made: a valid message is taken");

	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len -= 2;
	ok(rejected(r, nlh), "malformed: message cut inside the last attribute");
	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len += 2;
	ok(rejected(r, nlh), "malformed: 2 stray bytes (truncated attribute header)");
	nlh = good_route(RTM_NEWROUTE);
	last_attr(nlh, 4)->nla_len = 200;
	ok(rejected(r, nlh), "malformed: rta_len beyond the message");
	nlh = good_route(RTM_NEWROUTE);
	last_attr(nlh, 4)->nla_len = 2;
	ok(rejected(r, nlh), "malformed: rta_len shorter than its header");
	nlh = good_route(RTM_NEWROUTE);
	last_attr(nlh, 4)->nla_len = 7;
	ok(rejected(r, nlh), "malformed: 3-byte gateway");
	nlh = good_route(RTM_NEWROUTE);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_dst_len = 33;
	ok(rejected(r, nlh), "malformed: IPv4 prefix length 33");
	nlh = good_route(RTM_NEWROUTE);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = AF_INET6;
	ok(rejected(r, nlh), "malformed: IPv6 route with 4-byte addresses");
	nlh = good_route(RTM_NEWROUTE);
	a = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(sizeof(struct rtmsg)));
	a->nla_len = 6;	/* RTA_TABLE, the first: 2 bytes */
	ok(rejected(r, nlh), "malformed: 2-byte RTA_TABLE (mnl_attr_validate)");
	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len = sizeof(*nlh) + 4;
	ok(rejected(r, nlh), "malformed: shorter than struct rtmsg");
	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len = 8;
	ok(rejected(r, nlh), "malformed: nlmsg_len shorter than the header");
	nlh = good_route(RTM_NEWROUTE);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_dst_len = 24;
	nlh->nlmsg_len = sizeof(*nlh) + MNL_ALIGN(sizeof(struct rtmsg));	/* no attributes */
	ok(rejected(r, nlh), "malformed: /24 without RTA_DST");

	ok(rejected(r, multipath_route(200, 1)), "malformed: rtnh_len beyond RTA_MULTIPATH");
	ok(rejected(r, multipath_route(4, 1)), "malformed: rtnh_len shorter than struct rtnexthop");
	ok(rejected(r, multipath_route(0, 0)), "malformed: empty RTA_MULTIPATH");
	nlh = multipath_route(sizeof(struct rtnexthop) + 8, 1);
	ok(ignored(r, nlh) && is_hop(route_in(r, "192.0.2.77/32", 0), "10.9.0.2", "d0", 9),
	   "hand-made: a valid one-hop RTA_MULTIPATH is taken");

	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len -= MNL_ALIGN(MNL_ATTR_HDRLEN + 4);
	mnl_attr_put(nlh, RTA_VIA, 1, via_buf);
	ok(rejected(r, nlh), "malformed: 1-byte RTA_VIA");
	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len -= MNL_ALIGN(MNL_ATTR_HDRLEN + 4);
	via = (struct rtvia *)via_buf;
	via->rtvia_family = AF_INET6;
	mnl_attr_put(nlh, RTA_VIA, 6, via_buf);
	ok(rejected(r, nlh), "malformed: RTA_VIA inet6 with 4 address bytes");

	nlh = good_route(RTM_NEWROUTE);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = 28;	/* AF_MPLS */
	ok(ignored(r, nlh), "not ours: an MPLS route is not malformed");
	nlh = good_route(RTM_NEWROUTE);
	nlh->nlmsg_len -= MNL_ALIGN(MNL_ATTR_HDRLEN + 4);
	via->rtvia_family = AF_PACKET;
	mnl_attr_put(nlh, RTA_VIA, 6, via_buf);
	memset(&e, 0, sizeof(e));
	ok(nlsrc_handle_msg(src, nlh, r, &e) == 0 && e.malformed == 0 &&
	   !route_in(r, "192.0.2.77/32", 0),
	   "not ours: a non-IP RTA_VIA replacing our route removes it, not malformed");

	nlh = good_route(RTM_NEWLINK);
	nlh->nlmsg_len = sizeof(*nlh) + 4;
	ok(rejected(r, nlh), "malformed: link message shorter than struct ifinfomsg");
	nlh = good_route(RTM_DELADDR);
	nlh->nlmsg_len = sizeof(*nlh) + 2;
	ok(rejected(r, nlh), "malformed: address message shorter than struct ifaddrmsg");
	nlh = good_route(NLMSG_ERROR);
	nlh->nlmsg_len = sizeof(*nlh) + 2;
	ok(rejected(r, nlh), "malformed: error message shorter than struct nlmsgerr");

	/* Every cut and 20000 random byte flips of valid messages: no crash,
	 * and the rib stays consistent (checked by freeing it under ASan).
	 * Their thousands of warnings are not worth reading. */
	fflush(stderr);
	saved = dup(2);
	quiet = open("/dev/null", O_WRONLY);
	if (saved >= 0 && quiet >= 0)
		dup2(quiet, 2);
	srand(1);
	for (int i = 0; i < 20000; i++) {
		struct nlmsghdr *copy;
		uint32_t len;

		nlh = i & 1 ? good_route(i & 2 ? RTM_NEWROUTE : RTM_DELROUTE) :
			      multipath_route(sizeof(struct rtnexthop) + 8, 1);
		len = nlh->nlmsg_len;
		for (int k = 0; k < 1 + rand() % 4; k++)
			((uint8_t *)nlh)[sizeof(*nlh) + rand() % (len - sizeof(*nlh))] = rand();
		if (i < 200)
			nlh->nlmsg_len = sizeof(*nlh) + rand() % (len - sizeof(*nlh) + 1);
		/* Exactly nlmsg_len bytes: ASan sees any read past the end. */
		copy = malloc(nlh->nlmsg_len);
		if (!copy)
			harness_bail("malloc");
		memcpy(copy, nlh, nlh->nlmsg_len);
		memset(&e, 0, sizeof(e));
		nlsrc_handle_msg(src, copy, r, &e);
		free(copy);
	}
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (quiet >= 0)
		close(quiet);
	ok(true, "fuzz: 20000 cut or flipped messages handled, %zu routes left", rib_routes(r));
	rib_free(r);
}

int main(void)
{
	test_parse();
	setup_netns();
	rib = rib_new();
	if (!rib)
		harness_bail("rib_new");
	test_dump();
	test_events();
	test_multipath();
	test_link_down();
	test_overrun();
	test_table();
	test_malformed();
	nlsrc_close(src);
	rib_free(rib);
	return harness_done();
}
