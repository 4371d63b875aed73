// SPDX-License-Identifier: GPL-2.0
/*
 * The config file parser (user/conf.c), table driven, and the steering
 * library (user/steer.c) on a private pin dir: the rules, learned next
 * hops beside static ones, counters and their lifetime, declarative
 * apply. Next hops use "lo", which exists in every network namespace.
 */
#include "harness.h"
#include "conf.h"
#include "steer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parser: good files ---- */

struct good_case {
	const char *name;
	const char *text;
	size_t prefixes, routes;
	int mss_clamp;		/* as parsed: -1 unset */
	unsigned int mss_max;
	long icmp_rate;
};

static const struct good_case good[] = {
	{ "empty file", "", 0, 0, -1, 0, -1 },
	{ "comments and blank lines", "# only\n\n   # indented\n\t\n", 0, 0, -1, 0, -1 },
	{ "the example", "prefix 198.51.100.0/24\nprefix 2001:db8:100::/48\n"
	  "route 198.51.100.0/27 dev wg-site via fe80::2 metric 10\n"
	  "route 2001:db8:100:1::/64 dev wg-site\n", 2, 2, -1, 0, -1 },
	{ "route before its prefix", "route 10.1.0.0/16 dev x\nprefix 10.0.0.0/8\n", 1, 1, -1, 0, -1 },
	{ "route equal to its served prefix", "prefix 10.0.0.0/8\nroute 10.0.0.0/8 dev x\n", 1, 1, -1, 0, -1 },
	{ "trailing comment, tabs, CRLF", "prefix\t10.0.0.0/8 # ours\r\nroute 10.0.0.0/9  dev  x\r\n", 1, 1, -1, 0, -1 },
	{ "no newline at the end", "prefix 10.0.0.0/8", 1, 0, -1, 0, -1 },
	{ "all route options in any order", "prefix 10.0.0.0/8\n"
	  "route 10.1.0.0/16 kind ether mtu 1400 metric 4294967295 via 10.0.0.1 dev e\n", 1, 1, -1, 0, -1 },
	{ "IPv4 via for an IPv6 route and back", "prefix 2001:db8::/32\nprefix 10.0.0.0/8\n"
	  "route 2001:db8:1::/48 dev x via 192.0.2.1\nroute 10.0.0.0/24 dev x via fe80::1\n", 2, 2, -1, 0, -1 },
	{ "mss-clamp auto", "mss-clamp auto\n", 0, 0, 1, 0, -1 },
	{ "mss-clamp off", "mss-clamp off\n", 0, 0, 0, 0, -1 },
	{ "mss-clamp 1380, icmp-rate 0", "mss-clamp 1380\nicmp-rate 0\n", 0, 0, 1, 1380, 0 },
	{ "icmp-rate max", "icmp-rate 1000000\n", 0, 0, -1, 0, 1000000 },
	{ "adjacent prefixes do not overlap", "prefix 10.0.0.0/9\nprefix 10.128.0.0/9\n", 2, 0, -1, 0, -1 },
	{ "/0 served alone", "prefix 0.0.0.0/0\nroute 1.0.0.0/8 dev x\n", 1, 1, -1, 0, -1 },
	{ "IPv4 and IPv6 /0 together", "prefix 0.0.0.0/0\nprefix ::/0\n", 2, 0, -1, 0, -1 },
	{ "mtu 0 and IPv6 minimum", "prefix 2001:db8::/32\nroute 2001:db8::/33 dev x mtu 1280\n"
	  "route 2001:db8:8000::/33 dev x mtu 0\n", 1, 2, -1, 0, -1 },
	{ "15-character interface name", "prefix 10.0.0.0/8\nroute 10.0.0.0/8 dev abcdefghijklmno\n", 1, 1, -1, 0, -1 },
};

static void test_good(void)
{
	struct anyxdp_conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const struct good_case *g = &good[i];
		int err = conf_parse_string(g->text, "t.conf", &c);

		if (!ok(!err, "good: %s", g->name)) {
			diag("error: %s", c.err);
			continue;
		}
		ok(c.n_prefix == g->prefixes && c.n_route == g->routes,
		   "good: %s: %zu prefixes, %zu routes (got %zu, %zu)", g->name,
		   g->prefixes, g->routes, c.n_prefix, c.n_route);
		ok(c.mss_clamp == g->mss_clamp && c.mss_max == g->mss_max &&
		   c.icmp_rate == g->icmp_rate, "good: %s: settings %d/%u/%ld (got %d/%u/%ld)",
		   g->name, g->mss_clamp, g->mss_max, g->icmp_rate, c.mss_clamp, c.mss_max,
		   c.icmp_rate);
		conf_free(&c);
	}
}

/* The fields of one route, as parsed. */
static void test_route_fields(void)
{
	const char *text = "prefix 2001:db8:100::/48\n"
			   "route 2001:db8:100:1::/64 dev wg-site via fe80::2 metric 10 mtu 1420 kind ether\n";
	struct anyxdp_conf c;
	const struct nexthop *nh;
	char via[64], p[PREFIX_STRLEN];

	if (!ok(!conf_parse_string(text, "t.conf", &c), "route fields: parses"))
		return;
	nh = &c.route[0].nh;
	ok(!strcmp(prefix_format(&c.route[0].pfx, p, sizeof(p)), "2001:db8:100:1::/64"),
	   "route fields: prefix %s", p);
	ok(!strcmp(nh->ifname, "wg-site"), "route fields: dev %s", nh->ifname);
	ok(nh->via_family == AF_INET6 && !strcmp(nh_via_format(nh, via, sizeof(via)), "fe80::2"),
	   "route fields: via %s", via);
	ok(nh->metric == 10 && nh->mtu == 1420, "route fields: metric %u, mtu %u", nh->metric, nh->mtu);
	ok(nh->kind == NH_ETHER && (nh->flags & NH_F_KIND_SET), "route fields: kind ether, fixed");
	ok(nh->ifindex == 0 && !(nh->flags & NH_F_DOWN), "route fields: unresolved until applied");
	ok(c.route[0].line == 2, "route fields: line 2 (got %d)", c.route[0].line);
	conf_free(&c);
}

/* uplink and tunnels: what 'anyxdp attach' with no IFACE takes. */
struct uplink_case {
	const char *text;
	const char *uplink;
	int mode, uplink_line;
	const char *tunnels;
	int tunnels_line;
};

static const struct uplink_case uplinks[] = {
	{ "", "", 0, 0, "", 0 },
	{ "uplink eth0\n", "eth0", 0, 1, "", 0 },
	{ "# boot\nuplink eth0 mode skb\n", "eth0", ATTACH_SKB, 2, "", 0 },
	{ "uplink eth0 mode generic\n", "eth0", ATTACH_SKB, 1, "", 0 },
	{ "uplink abcdefghijklmno mode native # 15 characters\n", "abcdefghijklmno",
	  ATTACH_NATIVE, 1, "", 0 },
	{ "uplink en0 mode drv\ntunnels wg-*,tun*\n", "en0", ATTACH_NATIVE, 1, "wg-*,tun*", 2 },
	{ "tunnels none\n", "", 0, 0, "", 1 },
	{ "tunnels wg-site\r\n", "", 0, 0, "wg-site", 1 },
	{ "tunnels abcdefghijklmnopqrstuvwxyz01234\n", "", 0, 0,
	  "abcdefghijklmnopqrstuvwxyz01234", 1 },
};

static void test_uplink(void)
{
	struct anyxdp_conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uplinks); i++) {
		const struct uplink_case *u = &uplinks[i];

		if (!ok(!conf_parse_string(u->text, "t.conf", &c), "uplink %zu: parses", i)) {
			diag("error: %s", c.err);
			continue;
		}
		ok(!strcmp(c.uplink, u->uplink) && c.uplink_mode == u->mode &&
		   c.uplink_line == u->uplink_line, "uplink %zu: '%s' mode %d line %d "
		   "(got '%s' %d %d)", i, u->uplink, u->mode, u->uplink_line, c.uplink,
		   c.uplink_mode, c.uplink_line);
		ok(!strcmp(c.tunnels, u->tunnels) && c.tunnels_line == u->tunnels_line,
		   "uplink %zu: tunnels '%s' line %d (got '%s' %d)", i, u->tunnels,
		   u->tunnels_line, c.tunnels, c.tunnels_line);
		conf_free(&c);
	}
}

/* ---- parser: bad files, each with its exact message ---- */

struct bad_case {
	const char *text;
	const char *err;	/* the whole message, file name t.conf */
};

static const struct bad_case bad[] = {
	{ "prefix 10.0.0.0/8\nfrobnicate 1\n",
	  "t.conf:2: unknown keyword 'frobnicate' (expected prefix, route, uplink, tunnels, mss-clamp or icmp-rate)" },
	{ "prefix 10.0.0.300/8\n", "t.conf:1: invalid address '10.0.0.300/8'" },
	{ "prefix 10.0.0.0/33\n", "t.conf:1: prefix length out of range '10.0.0.0/33'" },
	{ "prefix 10.0.0.0/x\n", "t.conf:1: invalid prefix length '10.0.0.0/x'" },
	{ "prefix 2001:db8:::/48\n", "t.conf:1: invalid address '2001:db8:::/48'" },
	{ "prefix ::ffff:10.0.0.0/104\n",
	  "t.conf:1: ::ffff:10.0.0.0/104 is an IPv4-mapped IPv6 prefix; write it as IPv4" },
	{ "prefix ::ffff:0:0/96\n", "t.conf:1: ::ffff:0:0/96 is an IPv4-mapped IPv6 prefix; write it as IPv4" },
	{ "prefix 198.51.100.1/24\n",
	  "t.conf:1: 198.51.100.1/24 has host bits set (the prefix would be 198.51.100.0/24)" },
	{ "prefix\n", "t.conf:1: 'prefix' takes one prefix, e.g. 'prefix 198.51.100.0/24'" },
	{ "prefix 10.0.0.0/8 11.0.0.0/8\n",
	  "t.conf:1: 'prefix' takes one prefix, e.g. 'prefix 198.51.100.0/24'" },
	{ "# a\nprefix 198.51.100.0/24\n\nprefix 198.51.100.0/25\n",
	  "t.conf:4: prefix 198.51.100.0/25 overlaps prefix 198.51.100.0/24 (line 2); served prefixes must not overlap" },
	{ "prefix 198.51.100.0/25\nprefix 198.51.100.0/24\n",
	  "t.conf:2: prefix 198.51.100.0/24 overlaps prefix 198.51.100.0/25 (line 1); served prefixes must not overlap" },
	{ "prefix 2001:db8::/32\nprefix 2001:db8:100::/48\n",
	  "t.conf:2: prefix 2001:db8:100::/48 overlaps prefix 2001:db8::/32 (line 1); served prefixes must not overlap" },
	/* Nested three deep: the pair with the earliest later line wins. */
	{ "prefix 10.1.0.0/16\nprefix 10.1.2.0/24\nprefix 10.0.0.0/8\n",
	  "t.conf:2: prefix 10.1.2.0/24 overlaps prefix 10.1.0.0/16 (line 1); served prefixes must not overlap" },
	{ "prefix 0.0.0.0/0\nprefix 10.0.0.0/8\n",
	  "t.conf:2: prefix 10.0.0.0/8 overlaps prefix 0.0.0.0/0 (line 1); served prefixes must not overlap" },
	{ "prefix 10.0.0.0/8\nprefix 10.0.0.0/8\n", "t.conf:2: duplicate prefix 10.0.0.0/8 (first on line 1)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a\nroute 10.0.0.0/9 dev b\n",
	  "t.conf:3: duplicate route 10.0.0.0/9 (first on line 2)" },
	{ "prefix 10.0.0.0/8\nroute 11.0.0.0/9 dev a\n",
	  "t.conf:2: route 11.0.0.0/9 is not inside any served prefix (add a 'prefix' line that holds it)" },
	{ "prefix 10.0.0.0/9\nroute 10.0.0.0/8 dev a\n",
	  "t.conf:2: route 10.0.0.0/8 is not inside any served prefix (add a 'prefix' line that holds it)" },
	{ "prefix 10.0.0.0/8\nroute 2001:db8::/32 dev a\n",
	  "t.conf:2: route 2001:db8::/32 is not inside any served prefix (add a 'prefix' line that holds it)" },
	{ "route 10.0.0.0/9 dev a\n",
	  "t.conf:1: route 10.0.0.0/9 is not inside any served prefix (add a 'prefix' line that holds it)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9\n", "t.conf:2: route 10.0.0.0/9: missing 'dev IFACE'" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 via 10.0.0.1 metric 1\n",
	  "t.conf:2: route 10.0.0.0/9: missing 'dev IFACE'" },
	{ "prefix 10.0.0.0/8\nroute\n", "t.conf:2: 'route' needs a prefix and 'dev IFACE'" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev\n", "t.conf:2: route 10.0.0.0/9: 'dev' needs a value" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a metric x\n",
	  "t.conf:2: route 10.0.0.0/9: metric: invalid value 'x' (a whole number from 0 to 4294967295)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a metric -1\n",
	  "t.conf:2: route 10.0.0.0/9: metric: invalid value '-1' (a whole number from 0 to 4294967295)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a metric 4294967296\n",
	  "t.conf:2: route 10.0.0.0/9: metric: invalid value '4294967296' (a whole number from 0 to 4294967295)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a mtu 67\n",
	  "t.conf:2: route 10.0.0.0/9: mtu: invalid value '67' (0 for the interface's MTU, or 68 to 65535 for IPv4)" },
	{ "prefix 2001:db8::/32\nroute 2001:db8::/48 dev a mtu 1279\n",
	  "t.conf:2: route 2001:db8::/48: mtu: invalid value '1279' (0 for the interface's MTU, or 1280 to 65535 for IPv6)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a mtu 65536\n",
	  "t.conf:2: route 10.0.0.0/9: mtu: invalid value '65536' (0 for the interface's MTU, or 68 to 65535 for IPv4)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a via 10.0.0.256\n",
	  "t.conf:2: route 10.0.0.0/9: via: invalid address '10.0.0.256'" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a via fe80::1/64\n",
	  "t.conf:2: route 10.0.0.0/9: via: invalid address 'fe80::1/64'" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a kind bridge\n",
	  "t.conf:2: route 10.0.0.0/9: kind: 'bridge' is not tunnel or ether" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a weight 3\n",
	  "t.conf:2: route 10.0.0.0/9: unknown route option 'weight' (expected dev, via, metric, mtu or kind)" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a dev b\n", "t.conf:2: route 10.0.0.0/9: 'dev' given twice" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev abcdefghijklmnop\n",
	  "t.conf:2: route 10.0.0.0/9: dev: 'abcdefghijklmnop' is not a valid interface name (at most 15 characters, no '/')" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.0/9 dev a/b\n",
	  "t.conf:2: route 10.0.0.0/9: dev: 'a/b' is not a valid interface name (at most 15 characters, no '/')" },
	{ "prefix 10.0.0.0/8\nroute 10.0.0.1/9 dev a\n",
	  "t.conf:2: 10.0.0.1/9 has host bits set (the prefix would be 10.0.0.0/9)" },
	{ "mss-clamp sometimes\n",
	  "t.conf:1: mss-clamp: invalid value 'sometimes' (auto, off, or an MSS from 88 to 65535)" },
	{ "mss-clamp 87\n", "t.conf:1: mss-clamp: invalid value '87' (auto, off, or an MSS from 88 to 65535)" },
	{ "mss-clamp\n", "t.conf:1: 'mss-clamp' takes one value" },
	{ "mss-clamp auto\nmss-clamp off\n", "t.conf:2: mss-clamp set twice (first on line 1)" },
	{ "icmp-rate 1000001\n",
	  "t.conf:1: icmp-rate: invalid value '1000001' (answers per second per CPU, 0 to 1000000)" },
	{ "icmp-rate fast\n",
	  "t.conf:1: icmp-rate: invalid value 'fast' (answers per second per CPU, 0 to 1000000)" },
	{ "icmp-rate 1\nicmp-rate 2\n", "t.conf:2: icmp-rate set twice (first on line 1)" },
	{ "uplink\n",
	  "t.conf:1: 'uplink' takes an interface and optionally 'mode native|skb', e.g. 'uplink eth0 mode native'" },
	{ "uplink eth0 eth1\n",
	  "t.conf:1: 'uplink' takes an interface and optionally 'mode native|skb', e.g. 'uplink eth0 mode native'" },
	{ "uplink eth0 mode\n",
	  "t.conf:1: 'uplink' takes an interface and optionally 'mode native|skb', e.g. 'uplink eth0 mode native'" },
	{ "uplink eth0 speed skb\n",
	  "t.conf:1: 'uplink' takes an interface and optionally 'mode native|skb', e.g. 'uplink eth0 mode native'" },
	{ "uplink eth0 mode turbo\n", "t.conf:1: uplink: mode 'turbo' is not native or skb" },
	{ "uplink abcdefghijklmnop\n",
	  "t.conf:1: uplink: 'abcdefghijklmnop' is not a valid interface name (at most 15 characters, no '/' or ':')" },
	{ "uplink a/b\n",
	  "t.conf:1: uplink: 'a/b' is not a valid interface name (at most 15 characters, no '/' or ':')" },
	{ "uplink eth0\n# two uplinks\nuplink eth1\n",
	  "t.conf:3: uplink set twice (first on line 1); anyxdp attaches to one uplink" },
	{ "tunnels\n",
	  "t.conf:1: 'tunnels' takes one value: GLOB[,GLOB...] (no spaces, e.g. 'tunnels wg-*,tun*') or none" },
	{ "tunnels wg-* tun*\n",
	  "t.conf:1: 'tunnels' takes one value: GLOB[,GLOB...] (no spaces, e.g. 'tunnels wg-*,tun*') or none" },
	{ "tunnels wg-*,,tun*\n",
	  "t.conf:1: tunnels 'wg-*,,tun*': an empty glob (use GLOB[,GLOB...], e.g. 'wg-*')" },
	{ "tunnels wg-*,\n", "t.conf:1: tunnels 'wg-*,': an empty glob (use GLOB[,GLOB...], e.g. 'wg-*')" },
	{ "tunnels ,wg-*\n", "t.conf:1: tunnels ',wg-*': an empty glob (use GLOB[,GLOB...], e.g. 'wg-*')" },
	{ "tunnels wg/*\n", "t.conf:1: tunnels 'wg/*': '/' cannot be in an interface name" },
	{ "tunnels abcdefghijklmnopqrstuvwxyz012345\n",
	  "t.conf:1: tunnels 'abcdefghijklmnopqrstuvwxyz012345': a glob is too long" },
	{ "tunnels wg-*\ntunnels none\n", "t.conf:2: tunnels set twice (first on line 1)" },
	/* A syntax error stops before the whole-file checks. */
	{ "prefix 10.0.0.0/8\nprefix 10.0.0.0/8\nbogus\n",
	  "t.conf:3: unknown keyword 'bogus' (expected prefix, route, uplink, tunnels, mss-clamp or icmp-rate)" },
	/* Of several whole-file errors, the earliest line is reported. */
	{ "prefix 10.0.0.0/8\nroute 11.0.0.0/8 dev a\nprefix 10.0.0.0/8\n",
	  "t.conf:2: route 11.0.0.0/8 is not inside any served prefix (add a 'prefix' line that holds it)" },
};

static void test_bad(void)
{
	struct anyxdp_conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = conf_parse_string(bad[i].text, "t.conf", &c);

		ok(err == -EINVAL && !strcmp(c.err, bad[i].err), "bad: %s", bad[i].err);
		if (err != -EINVAL || strcmp(c.err, bad[i].err))
			diag("got %d: '%s'", err, c.err);
		ok(!c.prefix && !c.route && !c.n_prefix, "bad: nothing kept after '%s'", bad[i].err);
	}
}

static void test_files(void)
{
	struct anyxdp_conf c;
	char nul[] = "prefix 10.0.0.0/8\nprefix 11.0\0.0.0/8\n";
	FILE *f;
	int err;

	err = conf_parse_file("/nonexistent/anyxdp.conf", &c);
	ok(err == -ENOENT && !strcmp(c.err, "/nonexistent/anyxdp.conf: No such file or directory"),
	   "missing file: '%s'", c.err);
	f = fmemopen(nul, sizeof(nul) - 1, "r");
	err = conf_parse_stream(f, "nul.conf", &c);
	fclose(f);
	ok(err == -EINVAL && !strcmp(c.err, "nul.conf:2: NUL byte in line"), "NUL byte: '%s'", c.err);
	err = conf_parse_file("docs/anyxdp.conf.example", &c);
	ok(!err, "docs/anyxdp.conf.example parses%s%s", err ? ": " : "", err ? c.err : "");
	if (!err)
		conf_free(&c);
}

/* ---- route arguments from the command line ---- */

static void test_route_args(void)
{
	char *ok_args[] = { "dev", "lo", "via", "192.0.2.1", "metric", "7" };
	char *odd[] = { "dev", "lo", "via" };
	struct prefix p;
	struct nexthop nh;
	char err[256];

	prefix_parse("10.0.0.0/8", &p, NULL, NULL);
	ok(!route_args_parse(6, ok_args, &p, &nh, err, sizeof(err)) && nh.metric == 7 &&
	   nh.via_family == AF_INET, "route args: dev, via, metric");
	ok(route_args_parse(3, odd, &p, &nh, err, sizeof(err)) == -EINVAL &&
	   !strcmp(err, "'via' needs a value"), "route args: value missing: '%s'", err);
	ok(route_args_parse(0, NULL, &p, &nh, err, sizeof(err)) == -EINVAL &&
	   !strcmp(err, "missing 'dev IFACE'"), "route args: nothing: '%s'", err);
}

/* ---- the library on real maps ---- */

static struct prefix pfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p, NULL, NULL))
		harness_bail("bad prefix in test: %s", s);
	return p;
}

static struct nexthop nh_lo(__u32 metric)
{
	struct nexthop nh = { .metric = metric };

	snprintf(nh.ifname, sizeof(nh.ifname), "lo");
	nh_resolve(&nh);
	return nh;
}

/* The trie value of p, exactly (not a covering entry). */
static bool trie_get(struct fixture *f, const char *s, struct steer_val *v)
{
	struct prefix p = pfx(s);
	struct bl_key4 k4 = { .prefixlen = p.plen };
	struct bl_key6 k6 = { .prefixlen = p.plen };
	int fd = p.family == AF_INET ? f->m.steer4 : f->m.steer6;
	void *k = p.family == AF_INET ? (void *)&k4 : (void *)&k6;

	memcpy(k4.addr, p.addr, 4);
	memcpy(k6.addr, p.addr, 16);
	return !bpf_map_lookup_elem(fd, k, v) && v->prefixlen == p.plen;
}

/* steer_stats entry of p: packets on CPU 0, or -1 if absent. */
static long long stats_get(struct fixture *f, const char *s)
{
	struct steer_stats *v = calloc(f->m.ncpus, sizeof(*v));
	struct prefix p = pfx(s);
	struct bl_key4 k4 = { .prefixlen = p.plen };
	struct bl_key6 k6 = { .prefixlen = p.plen };
	int fd = p.family == AF_INET ? f->m.sstats4 : f->m.sstats6;
	long long n = -1;

	memcpy(k4.addr, p.addr, 4);
	memcpy(k6.addr, p.addr, 16);
	if (!bpf_map_lookup_elem(fd, p.family == AF_INET ? (void *)&k4 : (void *)&k6, v))
		n = v[0].steered.packets;
	free(v);
	return n;
}

static void stats_put(struct fixture *f, const char *s, __u64 packets)
{
	struct steer_stats *v = calloc(f->m.ncpus, sizeof(*v));
	struct prefix p = pfx(s);
	struct bl_key4 k4 = { .prefixlen = p.plen };

	memcpy(k4.addr, p.addr, 4);
	v[0].steered.packets = packets;
	bpf_map_update_elem(f->m.sstats4, &k4, v, BPF_EXIST);
	free(v);
}

/* Entries in a trie or its counter map. */
static int count_keys(int fd, size_t key_size)
{
	char key[32], next[32];
	void *kp = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, kp, next)) {
		memcpy(key, next, key_size);
		kp = key;
		n++;
	}
	return n;
}

static void check_in_step(struct fixture *f, const char *when)
{
	int t4 = count_keys(f->m.steer4, 8), s4 = count_keys(f->m.sstats4, 8);
	int t6 = count_keys(f->m.steer6, 20), s6 = count_keys(f->m.sstats6, 20);

	ok(t4 == s4 && t6 == s6, "%s: every trie entry has its counters (v4 %d/%d, v6 %d/%d)",
	   when, t4, s4, t6, s6);
}

static void test_prefixes(struct fixture *f)
{
	struct prefix a = pfx("198.51.100.0/24"), b = pfx("2001:db8:100::/48");
	struct steer_val v;

	ok(steer_prefix_add(&f->m, &a) == 1, "prefix add 198.51.100.0/24");
	ok(steer_prefix_add(&f->m, &b) == 1, "prefix add 2001:db8:100::/48");
	ok(steer_prefix_add(&f->m, &a) == 0, "prefix add again: unchanged");
	ok(trie_get(f, "198.51.100.0/24", &v) && v.flags == STEER_SERVED && v.served_len == 24 &&
	   !nh_present(&v.nh[0]) && !nh_present(&v.nh[1]), "served entry: flags, served_len, no next hop");
	ok(stats_get(f, "198.51.100.0/24") == 0, "served entry: zeroed counters exist");
	a = pfx("198.51.100.128/25");
	ok(steer_prefix_add(&f->m, &a) == -EEXIST, "overlapping prefix (inside) refused");
	a = pfx("198.51.0.0/16");
	ok(steer_prefix_add(&f->m, &a) == -EEXIST, "overlapping prefix (around) refused");
	ok(!trie_get(f, "198.51.0.0/16", &v), "... and not written");
	a = pfx("203.0.113.0/24");
	ok(steer_prefix_del(&f->m, &a, false) == -ENOENT, "prefix del of a prefix not served");
	check_in_step(f, "prefixes");
}

static void test_routes(struct fixture *f)
{
	struct prefix r = pfx("198.51.100.0/27"), out = pfx("203.0.113.0/27");
	struct nexthop st = nh_lo(10), le = nh_lo(20);
	struct steer_val v;

	ok(steer_route_set(&f->m, &out, ORIGIN_STATIC, &st) == -ENOENT, "route outside served prefixes refused");
	ok(steer_route_set(&f->m, &r, ORIGIN_STATIC, &st) == 1, "static route 198.51.100.0/27 dev lo");
	ok(trie_get(f, "198.51.100.0/27", &v) && v.flags == 0 && v.served_len == 24 &&
	   v.nh[ORIGIN_STATIC].ifindex == 1 && v.nh[ORIGIN_STATIC].metric == 10 &&
	   !nh_present(&v.nh[ORIGIN_LEARNED]), "route entry: served_len 24, static lo, no learned");
	ok(v.nh[ORIGIN_STATIC].kind == NH_TUNNEL, "lo (not ARPHRD_ETHER) is a tunnel next hop");
	ok(steer_route_set(&f->m, &r, ORIGIN_STATIC, &st) == 0, "same static route again: unchanged");
	ok(steer_route_set(&f->m, &r, ORIGIN_LEARNED, &le) == 1, "learned next hop beside the static one");
	ok(trie_get(f, "198.51.100.0/27", &v) && v.nh[ORIGIN_LEARNED].metric == 20 &&
	   v.nh[ORIGIN_STATIC].metric == 10 && steer_active_origin(&v) == ORIGIN_STATIC,
	   "both next hops; static active");

	stats_put(f, "198.51.100.0/27", 42);
	st.metric = 11;
	ok(steer_route_set(&f->m, &r, ORIGIN_STATIC, &st) == 1, "static next hop changed");
	ok(stats_get(f, "198.51.100.0/27") == 42, "counters survive a next-hop change (got %lld)",
	   stats_get(f, "198.51.100.0/27"));

	ok(steer_route_del(&f->m, &r, ORIGIN_STATIC) == 1, "route del static");
	ok(trie_get(f, "198.51.100.0/27", &v) && !nh_present(&v.nh[ORIGIN_STATIC]) &&
	   v.nh[ORIGIN_LEARNED].metric == 20 && steer_active_origin(&v) == ORIGIN_LEARNED,
	   "the learned next hop stays and is active");
	ok(stats_get(f, "198.51.100.0/27") == 42, "... with its counters");
	ok(steer_route_del(&f->m, &r, ORIGIN_STATIC) == -ENOENT, "route del static again: none");
	ok(steer_route_del(&f->m, &r, ORIGIN_LEARNED) == 1, "route del learned");
	ok(!trie_get(f, "198.51.100.0/27", &v) && stats_get(f, "198.51.100.0/27") == -1,
	   "entry and counters gone when no next hop is left");

	r = pfx("198.51.100.0/24");
	ok(steer_route_set(&f->m, &r, ORIGIN_STATIC, &st) == 1, "route on the served prefix itself");
	ok(steer_route_del(&f->m, &r, ORIGIN_STATIC) == 1 && trie_get(f, "198.51.100.0/24", &v) &&
	   v.flags == STEER_SERVED, "its route del keeps the served prefix");
	check_in_step(f, "routes");
}

static void test_prefix_del(struct fixture *f)
{
	struct prefix a = pfx("198.51.100.0/24"), r1 = pfx("198.51.100.0/26"), r2 = pfx("198.51.100.64/26");
	struct nexthop nh = nh_lo(0);
	struct steer_table t;
	struct steer_val v;

	steer_route_set(&f->m, &r1, ORIGIN_STATIC, &nh);
	steer_route_set(&f->m, &r2, ORIGIN_LEARNED, &nh);
	steer_route_set(&f->m, &a, ORIGIN_STATIC, &nh);
	ok(!steer_read(&f->m, &t, false) && steer_routes_in(&t, &a) == 3, "3 routes in the served prefix");
	steer_table_free(&t);
	ok(steer_prefix_del(&f->m, &a, false) == -EBUSY, "prefix del with routes refused");
	ok(trie_get(f, "198.51.100.64/26", &v), "... nothing removed");
	ok(steer_prefix_del(&f->m, &a, true) == 1, "prefix del --force");
	ok(!trie_get(f, "198.51.100.0/24", &v) && !trie_get(f, "198.51.100.0/26", &v) &&
	   !trie_get(f, "198.51.100.64/26", &v), "... the prefix and its routes are gone");
	ok(stats_get(f, "198.51.100.64/26") == -1 && stats_get(f, "198.51.100.0/24") == -1,
	   "... with their counters");
	check_in_step(f, "prefix del");
}

/* In-memory rules the commands rely on. */
static void test_table_rules(void)
{
	struct steer_table t = {};
	struct prefix a = pfx("10.0.0.0/8"), b = pfx("11.0.0.0/8"), r = pfx("10.1.0.0/16");
	struct nexthop nh = { .ifname = "x", .ifindex = 9 };

	ok(steer_tab_prefix_add(&t, &b) == 1 && steer_tab_prefix_add(&t, &a) == 1, "table: two prefixes");
	ok(t.n == 2 && !prefix_cmp(&t.v[0].pfx, &a), "table: kept sorted");
	ok(steer_tab_route_set(&t, &r, ORIGIN_STATIC, &nh) == 1 && !steer_validate(&t) &&
	   steer_find(&t, &r)->val.served_len == 8, "table: route inside, served_len 8");
	t.v[0].val.flags = 0;	/* 10.0.0.0/8 loses SERVED behind the API's back */
	memset(&t.v[0].val.nh, 0, sizeof(t.v[0].val.nh));
	ok(steer_validate(&t) == -ENOENT, "validate: a route outside every served prefix");
	steer_table_free(&t);
}

static void test_apply(struct fixture *f)
{
	const char *text = "prefix 198.51.100.0/24\nprefix 2001:db8:100::/48\n"
			   "route 198.51.100.0/27 dev lo metric 10\n"
			   "route 2001:db8:100:1::/64 dev anyxdp-nosuch0 via fe80::2\n";
	struct prefix keep = pfx("198.51.100.128/25"), drop = pfx("192.0.2.0/25");
	struct prefix other = pfx("192.0.2.0/24"), served = pfx("198.51.100.0/24");
	struct prefix v6 = pfx("2001:db8:100::/48");
	struct conf_apply_report r;
	struct nexthop nh = nh_lo(5);
	struct anyxdp_conf c;
	struct steer_val v;
	int err;

	ok(steer_prefix_del(&f->m, &v6, true) == 1, "apply: start without the IPv6 prefix");
	steer_prefix_add(&f->m, &other);
	steer_route_set(&f->m, &drop, ORIGIN_LEARNED, &nh);
	steer_prefix_add(&f->m, &served);
	steer_route_set(&f->m, &keep, ORIGIN_LEARNED, &nh);
	if (!ok(!conf_parse_string(text, "apply.conf", &c), "apply: parses"))
		return;
	err = conf_apply(&f->m, &c, true, &r);
	ok(!err && r.prefixes_added == 1 && r.prefixes_removed == 1 &&
	   r.routes_added == 2 && r.learned_dropped == 1, "apply --dry-run: the counts "
	   "(prefixes +%zu -%zu, routes +%zu, learned dropped %zu)", r.prefixes_added,
	   r.prefixes_removed, r.routes_added, r.learned_dropped);
	ok(trie_get(f, "192.0.2.0/24", &v) && !trie_get(f, "198.51.100.0/27", &v),
	   "apply --dry-run: maps unchanged");
	ok(!conf_apply(&f->m, &c, false, &r), "apply");
	ok(!trie_get(f, "192.0.2.0/24", &v) && !trie_get(f, "192.0.2.0/25", &v),
	   "apply: the dropped served prefix goes, with its learned route");
	ok(trie_get(f, "198.51.100.128/25", &v) && v.nh[ORIGIN_LEARNED].metric == 5,
	   "apply: learned route in a kept prefix untouched");
	ok(trie_get(f, "198.51.100.0/27", &v) && v.nh[ORIGIN_STATIC].ifindex == 1 &&
	   v.nh[ORIGIN_STATIC].metric == 10, "apply: static route written");
	ok(trie_get(f, "2001:db8:100:1::/64", &v) && v.nh[ORIGIN_STATIC].ifindex == 0 &&
	   (v.nh[ORIGIN_STATIC].flags & NH_F_DOWN) &&
	   !strcmp(v.nh[ORIGIN_STATIC].ifname, "anyxdp-nosuch0"),
	   "apply: missing interface stored down with ifindex 0");
	check_in_step(f, "apply");
	err = conf_apply(&f->m, &c, false, &r);
	ok(!err && !r.prefixes_added && !r.prefixes_removed && !r.routes_added &&
	   !r.routes_changed && !r.routes_removed, "apply again: no change");
	conf_free(&c);

	ok(!conf_parse_string("prefix 198.51.100.0/24\n", "b.conf", &c), "apply: smaller file parses");
	err = conf_apply(&f->m, &c, false, &r);
	ok(!err && r.prefixes_removed == 1 && r.routes_removed == 2,
	   "apply: removes what the file no longer has (-%zu prefixes, -%zu routes)",
	   r.prefixes_removed, r.routes_removed);
	ok(!trie_get(f, "198.51.100.0/27", &v) && trie_get(f, "198.51.100.128/25", &v),
	   "apply: static route gone, learned one kept");
	check_in_step(f, "apply smaller");
	conf_free(&c);
}

int main(void)
{
	struct fixture f;

	test_good();
	test_route_fields();
	test_uplink();
	test_bad();
	test_files();
	test_route_args();
	test_table_rules();
	if (geteuid()) {
		diag("not root: skipping the tests on real maps");
		return harness_done();
	}
	if (fixture_setup(&f))
		harness_bail("fixture setup");
	test_prefixes(&f);
	test_routes(&f);
	test_prefix_del(&f);
	test_apply(&f);
	fixture_teardown(&f);
	return harness_done();
}
