// SPDX-License-Identifier: GPL-2.0
/*
 * The babeld local-interface parser on recorded babeld 1.12.1 output
 * (tests/data/babeld) and on malformed lines: table-driven, and no
 * line may crash it or be taken half-parsed.
 */
#include <arpa/inet.h>
#include <string.h>
#include "harness.h"
#include "babel.h"

/* The case tables name only the fields that matter for each case. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define DATA "tests/data/babeld/"

struct tally {
	int lines, routes, ifaces, ignored, errors;
};

/* The route babeld selected per prefix, as a sync would track it. */
struct selected {
	char prefix[64];
	char via[64];
	char ifname[IF_NAMESIZE];
	int changes;
};

static void track(struct selected *s, int n, const struct babel_route *r)
{
	char p[PREFIX_STRLEN], v[INET6_ADDRSTRLEN];

	prefix_format(&r->prefix, p, sizeof(p));
	inet_ntop(r->via_family, r->via, v, sizeof(v));
	for (int i = 0; i < n; i++) {
		if (strcmp(s[i].prefix, p) || !babel_route_usable(r))
			continue;
		if (strcmp(s[i].via, v) || strcmp(s[i].ifname, r->ifname))
			s[i].changes++;
		snprintf(s[i].via, sizeof(s[i].via), "%s", v);
		snprintf(s[i].ifname, sizeof(s[i].ifname), "%s", r->ifname);
	}
}

static int read_file(const char *path, struct tally *t, struct selected *s, int ns)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		struct babel_line b;
		const char *why;
		int r;

		line[strcspn(line, "\n")] = '\0';
		t->lines++;
		r = babel_parse_line(line, &b, &why);
		if (r < 0) {
			t->errors++;
			diag("%s: %s: %s", path, why, line);
		} else if (r == 0) {
			t->ignored++;
		} else if (b.kind == BABEL_ROUTE) {
			t->routes++;
			track(s, ns, &b.route);
		} else {
			t->ifaces++;
		}
	}
	fclose(f);
	return 0;
}

static void recorded(void)
{
	struct selected s[2] = { { "198.51.100.0/24" }, { "2001:db8:100::/48" } };
	struct tally t;

	if (!ok(read_file(DATA "dump-popa.txt", &t, s, 2) == 0, "read the recorded dump"))
		return;
	ok(t.errors == 0 && t.routes == 4 && t.ifaces == 2 && t.ignored == 8,
	   "dump: 4 routes, 2 interfaces, 8 other lines (greeting, neighbours, ok), no errors "
	   "(%d/%d/%d/%d)", t.routes, t.ifaces, t.ignored, t.errors);
	ok(!strcmp(s[0].via, "fe80::a:2") && !strcmp(s[0].ifname, "axlab-as"),
	   "dump: 198.51.100.0/24 selected via fe80::a:2 if axlab-as (v4 via v6)");
	ok(!strcmp(s[1].via, "fe80::a:2") && !strcmp(s[1].ifname, "axlab-as"),
	   "dump: 2001:db8:100::/48 selected via the direct tunnel");
	if (!ok(read_file(DATA "monitor-popa-reroute.txt", &t, s, 2) == 0,
		"read the recorded monitor"))
		return;
	ok(t.errors == 0 && t.routes > 20, "monitor: %d route lines, no errors", t.routes);
	ok(!strcmp(s[0].ifname, "axlab-ab") && !strcmp(s[1].ifname, "axlab-ab"),
	   "monitor: after the site's tunnel went down both prefixes are selected through popb "
	   "(%s, %s)", s[0].ifname, s[1].ifname);
	ok(s[0].changes >= 1 && s[1].changes >= 1, "monitor: the selection moved (%d, %d changes)",
	   s[0].changes, s[1].changes);
}

struct line_case {
	const char *desc;
	const char *line;
	int ret;		/* 1, 0 or -EINVAL */
	bool usable;		/* for ret 1 routes */
};

#define R4 "add route 563d05a8da80 prefix 198.51.100.0/24 from 0.0.0.0/0 installed yes id c4:7e:45:53:db:cd:36:08 "

static const struct line_case lines[] = {
	{ "a full route line", R4 "metric 96 refmetric 0 via fe80::a:2 if axlab-as", 1, true },
	{ "not installed: parsed, not usable", "change route 1 prefix 198.51.100.0/24 from 0.0.0.0/0 installed no id x metric 192 refmetric 96 via fe80::ab:2 if wg-b", 1, false },
	{ "metric 65535 (retracted): not usable", R4 "metric 65535 refmetric 0 via fe80::a:2 if axlab-as", 1, false },
	{ "flush: parsed", "flush route 563d05a8da80 prefix 198.51.100.0/24 from 0.0.0.0/0 installed no id x metric 65535 refmetric 0 via fe80::a:2 if wg-a", 1, false },
	{ "source-specific (from not /0): not usable", "add route 7 prefix 2001:db8:100::/48 from 2001:db8:1::/48 installed yes id x metric 96 refmetric 0 via fe80::1 if wg-a", 1, false },
	{ "IPv4 next hop", "add route 8 prefix 198.51.100.0/25 from 0.0.0.0/0 installed yes id x metric 10 refmetric 0 via 10.0.0.2 if eth1", 1, true },
	{ "keys in another order, unknown keys", "add route 9 if wg-a via fe80::9 metric 5 installed yes newkey val from ::/0 prefix 2001:db8:100:1::/64", 1, true },
	{ "interface line", "add interface axlab-as up true ipv6 fe80::a:1", 1, false },
	{ "greeting", "BABEL 1.0", 0, false },
	{ "ok", "ok", 0, false },
	{ "blank", "", 0, false },
	{ "neighbour: not used", "add neighbour 563d05a8ba30 address fe80::ab:2 if axlab-ab reach fc00 ureach 0000 rxcost 96 txcost 96 cost 96", 0, false },
	{ "xroute: not used", "add xroute 198.51.100.0/24-0.0.0.0/0 prefix 198.51.100.0/24 from 0.0.0.0/0 metric 0", 0, false },
	{ "partial: 'add route' alone", "add route", 0, false },
	{ "truncated after the handle", "add route 563d05a8da80", -EINVAL, false },
	{ "truncated in the middle", R4 "metric 96 refmetr", -EINVAL, false },
	{ "no if", R4 "metric 96 refmetric 0 via fe80::a:2", -EINVAL, false },
	{ "no via", R4 "metric 96 refmetric 0 if wg-a", -EINVAL, false },
	{ "bad via", R4 "metric 96 refmetric 0 via fe80::zz if wg-a", -EINVAL, false },
	{ "prefix length 33", "add route 1 prefix 198.51.100.0/33 from 0.0.0.0/0 installed yes id x metric 1 refmetric 0 via fe80::1 if a", -EINVAL, false },
	{ "host bits set", "add route 1 prefix 198.51.100.1/24 from 0.0.0.0/0 installed yes id x metric 1 refmetric 0 via fe80::1 if a", -EINVAL, false },
	{ "from of the other family", "add route 1 prefix 198.51.100.0/24 from ::/0 installed yes id x metric 1 refmetric 0 via fe80::1 if a", -EINVAL, false },
	{ "installed maybe", "add route 1 prefix 198.51.100.0/24 from 0.0.0.0/0 installed maybe id x metric 1 refmetric 0 via fe80::1 if a", -EINVAL, false },
	{ "installed missing", "add route 1 prefix 198.51.100.0/24 from 0.0.0.0/0 id x metric 1 refmetric 0 via fe80::1 if a", -EINVAL, false },
	{ "metric not a number", R4 "metric ninety refmetric 0 via fe80::a:2 if a", -EINVAL, false },
	{ "metric over 65535", R4 "metric 70000 refmetric 0 via fe80::a:2 if a", -EINVAL, false },
	{ "metric negative", R4 "metric -1 refmetric 0 via fe80::a:2 if a", -EINVAL, false },
	{ "interface name of 16 characters", R4 "metric 1 refmetric 0 via fe80::a:2 if abcdefghijklmnop", -EINVAL, false },
	{ "garbage", "add route \x01\x02 \xff prefix", -EINVAL, false },
};

static void line_table(void)
{
	char big[3000];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const struct line_case *c = &lines[i];
		struct babel_line b;
		const char *why = NULL;
		int r = babel_parse_line(c->line, &b, &why);

		if (c->ret < 0)
			ok(r == c->ret && why, "%s: rejected (%s)", c->desc, why ? why : "no reason");
		else if (c->ret == 0)
			ok(r == 0, "%s: ignored", c->desc);
		else
			ok(r == 1 && (b.kind != BABEL_ROUTE || babel_route_usable(&b.route) == c->usable),
			   "%s: parsed%s", c->desc, b.kind == BABEL_ROUTE ?
			   (c->usable ? ", usable" : ", not usable") : "");
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "add route ", 10);
	{
		struct babel_line b;
		const char *why;

		ok(babel_parse_line(big, &b, &why) == -EINVAL, "a 3000-byte line: rejected, not cut");
	}
}

/* A fixed line, its fields. */
static void fields(void)
{
	struct babel_line b;
	const char *why;
	char p[PREFIX_STRLEN], v[INET6_ADDRSTRLEN];

	if (!ok(babel_parse_line(R4 "metric 96 refmetric 0 via fe80::a:2 if axlab-as", &b, &why) == 1,
		"fields: parsed"))
		return;
	prefix_format(&b.route.prefix, p, sizeof(p));
	inet_ntop(AF_INET6, b.route.via, v, sizeof(v));
	ok(b.op == BABEL_ADD && b.kind == BABEL_ROUTE && !strcmp(b.route.handle, "563d05a8da80") &&
	   !strcmp(p, "198.51.100.0/24") && b.route.from.plen == 0 && b.route.installed &&
	   b.route.metric == 96 && b.route.via_family == AF_INET6 && !strcmp(v, "fe80::a:2") &&
	   !strcmp(b.route.ifname, "axlab-as"),
	   "fields: op, handle, prefix, from, installed, metric, via (v6 for a v4 route), if");
}

int main(void)
{
	recorded();
	line_table();
	fields();
	return harness_done();
}
