// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text writer (user/metrics.c) on made-up snapshots, no
 * BPF: label escaping (quotes, backslashes, newlines, cut short without
 * breaking an escape), the grammar of every line, each family's HELP and
 * TYPE once and before its samples, its samples together, counters named
 * _total, the families present or absent with what the snapshot has, and
 * the output accepted by promtool.
 */
#define _GNU_SOURCE		/* asprintf */
#include "harness.h"
#include "metrics.h"
#include "sync.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct esc_case {
	const char *in;
	size_t len;
	const char *out;
};

static const struct esc_case esc_cases[] = {
	{ "plain", 64, "plain" },
	{ "", 64, "" },
	{ "a\"b", 64, "a\\\"b" },
	{ "a\\b", 64, "a\\\\b" },
	{ "a\nb", 64, "a\\nb" },
	{ "\"\\\n", 64, "\\\"\\\\\\n" },
	{ "tab\tand é", 64, "tab\tand é" },
	{ "abcdef", 4, "abc" },		/* cut short, still terminated */
	{ "ab\"cd", 4, "ab" },		/* no half escape at the end */
	{ "ab\"cd", 5, "ab\\\"" },
};

static void test_escape(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(esc_cases); i++) {
		const struct esc_case *c = &esc_cases[i];

		memset(buf, 'X', sizeof(buf));
		metrics_label_escape(c->in, buf, c->len);
		ok(!strcmp(buf, c->out), "escape case %zu: '%s' (want '%s')", i, buf, c->out);
	}
}

/* The output of metrics_write() into a malloc'd string. */
static char *render(const struct snapshot *s, const struct metrics_extra *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return NULL;
	err = metrics_write(f, s, x);
	fclose(f);
	ok(!err, "metrics_write returns 0");
	return buf;
}

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* name{k="v",...} value: returns the end of the name, or NULL if bad. */
static const char *sample_ok(const char *l, char *name, size_t nlen)
{
	const char *p = l;
	char *end;

	while (is_name_char(*p, p == l))
		p++;
	if (p == l || (size_t)(p - l) >= nlen)
		return NULL;
	memcpy(name, l, p - l);
	name[p - l] = 0;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			const char *k = p;

			while (is_name_char(*p, p == k))
				p++;
			if (p == k || *p++ != '=' || *p++ != '"')
				return NULL;
			while (*p && *p != '"') {
				if (*p == '\n')
					return NULL;
				if (*p == '\\' && !strchr("\\\"n", *++p))
					return NULL;
				p++;
			}
			if (*p++ != '"')
				return NULL;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return NULL;
		}
		p++;
	}
	if (*p++ != ' ')
		return NULL;
	strtod(p, &end);
	return end != p && !*end ? p : NULL;
}

/* The family a sample belongs to: its name (families here have no
 * _bucket/_sum/_count samples). */
struct fam {
	char name[128];
	char type[16];
	bool help, samples, closed;
};

/* Every line well formed, each family declared once before its samples,
 * samples of a family contiguous, counters ending in _total. */
static bool valid(const char *text, int *n_samples)
{
	struct fam fams[128];
	size_t nf = 0, i, cur = SIZE_MAX;
	char *copy = strdup(text), *save, *l;
	bool good = true;

	*n_samples = 0;
	for (l = strtok_r(copy, "\n", &save); l && good; l = strtok_r(NULL, "\n", &save)) {
		char name[128], kind[16], rest[512];
		struct fam *f = NULL;

		if (!strncmp(l, "# HELP ", 7) || !strncmp(l, "# TYPE ", 7)) {
			bool help = l[2] == 'H';

			if (sscanf(l + 7, "%127s %15s %511[^\n]", name, kind, rest) < 2) {
				diag("bad comment: %s", l);
				good = false;
				break;
			}
			for (i = 0; i < nf; i++)
				if (!strcmp(fams[i].name, name))
					f = &fams[i];
			if (!f && nf < ARRAY_SIZE(fams)) {
				f = &fams[nf++];
				memset(f, 0, sizeof(*f));
				snprintf(f->name, sizeof(f->name), "%s", name);
			}
			if (!f || f->samples || (help ? f->help : !!f->type[0])) {
				diag("%s for %s twice or after its samples", help ? "HELP" : "TYPE", name);
				good = false;
			} else if (help) {
				f->help = true;
			} else {
				snprintf(f->type, sizeof(f->type), "%s", kind);
			}
			continue;
		}
		if (!sample_ok(l, name, sizeof(name))) {
			diag("bad sample line: %s", l);
			good = false;
			break;
		}
		(*n_samples)++;
		for (i = 0; i < nf; i++)
			if (!strcmp(fams[i].name, name))
				f = &fams[i];
		if (!f || !f->help || !f->type[0] || f->closed) {
			diag("sample of %s without HELP/TYPE, or apart from its family", name);
			good = false;
			break;
		}
		if (cur != SIZE_MAX && cur != (size_t)(f - fams))
			fams[cur].closed = true;
		cur = f - fams;
		f->samples = true;
		if (!strcmp(f->type, "counter") != (strlen(name) > 6 &&
						    !strcmp(name + strlen(name) - 6, "_total"))) {
			diag("%s: a counter must end in _total and only a counter", name);
			good = false;
		}
	}
	free(copy);
	return good;
}

static bool promtool_ok(const char *text)
{
	char path[] = "/tmp/anyxdp-test-metrics-XXXXXX", cmd[128];
	int fd = mkstemp(path);
	bool good;

	if (fd < 0)
		return false;
	good = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s >/dev/null 2>&1", path);
	good = good && system(cmd) == 0;
	unlink(path);
	return good;
}

static void check_text(const char *what, const char *text)
{
	int n;

	ok(text && valid(text, &n), "%s: every line well formed, families whole", what);
	/* scripts/deps.sh installs promtool: without it this is a failure. */
	ok(text && promtool_ok(text), "%s: promtool check metrics accepts it", what);
}

static void add_prefix(struct snapshot *s, const char *pfx, const char *served, bool is_served)
{
	struct snap_prefix *p = &s->prefixes[s->n_prefixes++];

	memset(p, 0, sizeof(*p));
	prefix_parse(pfx, &p->pfx, NULL, NULL);
	prefix_parse(served, &p->served, NULL, NULL);
	p->is_served = is_served;
}

static void make_snapshot(struct snapshot *s)
{
	struct snap_prefix *p;

	memset(s, 0, sizeof(*s));
	s->reasons[R_DROP_BLOCKLIST] = (struct counter){ 7, 700 };
	s->reasons[R_EV_MSS_CLAMPED] = (struct counter){ 2, 120 };
	s->ctl.generation = 3;
	s->ctl.n_v4 = 10;
	s->ctl.n_v6 = 2;
	s->ctl.load_time_ns = 1700000000123456789ull;
	s->have_steer = true;
	s->prefixes = calloc(4, sizeof(*s->prefixes));
	add_prefix(s, "198.51.100.0/24", "198.51.100.0/24", true);
	add_prefix(s, "198.51.100.128/25", "198.51.100.0/24", false);
	add_prefix(s, "2001:db8:100::/48", "2001:db8:100::/48", true);
	p = &s->prefixes[0];
	p->steer.pass_no_route = (struct counter){ 3, 300 };
	p->has_tun = true;
	p->tun.returned = (struct counter){ 11, 1100 };
	p = &s->prefixes[1];
	p->steer.steered = (struct counter){ 5, 500 };
	p->val.nh[ORIGIN_STATIC].ifindex = 1;
	p->val.nh[ORIGIN_STATIC].kind = NH_TUNNEL;
	strcpy(p->val.nh[ORIGIN_STATIC].ifname, "wg-\"a\\");	/* odd, but legal */
	p->val.nh[ORIGIN_LEARNED].ifindex = 1;
	p->val.nh[ORIGIN_LEARNED].kind = NH_TUNNEL;
	strcpy(p->val.nh[ORIGIN_LEARNED].ifname, "wg-b");
	s->have_sources = true;
	s->sources = calloc(2, sizeof(*s->sources));
	s->n_sources = 2;
	strcpy(s->sources[0].name, "drop.txt");
	s->sources[0].entries = 8;
	s->sources[0].dropped = (struct counter){ 7, 700 };
	strcpy(s->sources[1].name, "my \"list\"\nwith\\odd name");
	s->sources[1].entries = 4;
	s->have_sync = true;
	s->sync_alive = true;
	s->sync_state = "running";
	s->sync.connected_ns = 1700000000000000000ull;
	s->sync.started_ns = 1690000000000000000ull;
	s->sync.routes = 1;
	s->sync.ignored[SYNC_IGN_NOT_SERVED] = 2;
	s->sync.lat_p50_us = 150;
	strcpy(s->sync.source_name, "netlink proto babel");
	s->n_ifaces = 1;
	strcpy(s->ifaces[0].ifname, "up0");
	s->ifaces[0].mode = ATTACH_NATIVE;
	s->ifaces[0].live = true;
}

static bool has(const char *text, const char *line)
{
	char *l = NULL;
	bool found;

	if (asprintf(&l, "\n%s\n", line) < 0)
		return false;
	found = strstr(text, l) != NULL;
	free(l);
	return found;
}

static void test_full(void)
{
	struct metrics_extra x = { .scrape = true, .scrape_seconds = 0.0125 };
	struct snapshot s;
	char *t;

	make_snapshot(&s);
	t = render(&s, &x);
	check_text("full snapshot", t);
	if (!t)
		return;
	ok(!strncmp(t, "# HELP anyxdp_up ", 17), "anyxdp_up comes first");
	ok(has(t, "anyxdp_up 1"), "anyxdp_up 1");
	ok(has(t, "anyxdp_packets_total{verdict=\"drop\",reason=\"drop_blocklist\"} 7"),
	   "verdict and reason counters");
	ok(has(t, "anyxdp_bytes_total{verdict=\"event\",reason=\"event_mss_clamped\"} 120"),
	   "events as verdict event");
	ok(has(t, "anyxdp_served_prefix_packets_total{prefix=\"198.51.100.0/24\",path=\"uplink\","
		  "verdict=\"steer\",reason=\"steered\"} 5"),
	   "a served prefix's uplink counters include its routes'");
	ok(has(t, "anyxdp_served_prefix_packets_total{prefix=\"198.51.100.0/24\",path=\"uplink\","
		  "verdict=\"pass\",reason=\"pass_no_route\"} 3"), "and its own");
	ok(has(t, "anyxdp_served_prefix_bytes_total{prefix=\"198.51.100.0/24\",path=\"tunnel\","
		  "verdict=\"forward\",reason=\"returned\"} 1100"), "tunnel counters");
	ok(has(t, "anyxdp_served_prefix_packets_total{prefix=\"2001:db8:100::/48\",path=\"tunnel\","
		  "verdict=\"forward\",reason=\"returned\"} 0"),
	   "a prefix without tunnel counters reads 0");
	ok(has(t, "anyxdp_served_prefix_routes{prefix=\"198.51.100.0/24\"} 1"), "routes per served prefix");
	ok(has(t, "anyxdp_route_packets_total{route=\"198.51.100.128/25\",prefix=\"198.51.100.0/24\","
		  "verdict=\"steer\",reason=\"steered\"} 5"), "route counters");
	ok(!strstr(t, "anyxdp_route_packets_total{route=\"198.51.100.0/24\""),
	   "a served prefix without a next hop is no route");
	ok(has(t, "anyxdp_route_next_hop_active{route=\"198.51.100.128/25\",prefix=\"198.51.100.0/24\","
		  "origin=\"static\",dev=\"wg-\\\"a\\\\\",kind=\"tunnel\"} 1"),
	   "next hop labels escaped; static active");
	ok(has(t, "anyxdp_route_next_hop_active{route=\"198.51.100.128/25\",prefix=\"198.51.100.0/24\","
		  "origin=\"learned\",dev=\"wg-b\",kind=\"tunnel\"} 0"), "learned inactive");
	ok(has(t, "anyxdp_blocklist_load_timestamp_seconds 1700000000.123456789"),
	   "load time in unix seconds, to the nanosecond");
	ok(has(t, "anyxdp_blocklist_entries{family=\"ipv6\"} 2"), "entries by family");
	ok(has(t, "anyxdp_blocklist_source_entries{list=\"my \\\"list\\\"\\nwith\\\\odd name\"} 4"),
	   "source list names escaped");
	ok(has(t, "anyxdp_blocklist_source_packets_total{list=\"drop.txt\",verdict=\"drop\"} 7"),
	   "source list drops");
	ok(has(t, "anyxdp_sync_state{state=\"running\"} 1") &&
	   has(t, "anyxdp_sync_state{state=\"dead\"} 0"), "sync state one-hot");
	ok(has(t, "anyxdp_sync_connected 1") && has(t, "anyxdp_sync_up 1"), "sync up and connected");
	ok(has(t, "anyxdp_sync_ignored_routes{reason=\"not_served\"} 2"), "ignored routes by reason");
	ok(has(t, "anyxdp_sync_update_latency_p50_seconds 0.00015"), "latency in seconds");
	ok(has(t, "anyxdp_attached{iface=\"up0\",mode=\"native\"} 1"), "attached interfaces");
	ok(has(t, "anyxdp_scrape_duration_seconds 0.0125"), "scrape duration when asked");
	free(t);
	snapshot_free(&s);
}

static void test_sparse(void)
{
	struct snapshot s;
	char *t;

	t = render(NULL, NULL);
	check_text("no snapshot", t);
	ok(t && !strcmp(t, "# HELP anyxdp_up 1 if the pinned maps could be read.\n"
		       "# TYPE anyxdp_up gauge\nanyxdp_up 0\n"), "no snapshot: only anyxdp_up 0");
	free(t);

	memset(&s, 0, sizeof(s));
	s.sync_state = "stopped";
	t = render(&s, NULL);
	check_text("empty snapshot", t);
	ok(t && !strstr(t, "anyxdp_served_prefix") && !strstr(t, "anyxdp_route_"),
	   "no steering maps: no prefix or route families");
	ok(t && !strstr(t, "anyxdp_blocklist_source"), "sources not read: no source families");
	ok(t && has(t, "anyxdp_sync_up 0") && !strstr(t, "anyxdp_sync_state"),
	   "sync never ran: anyxdp_sync_up 0 only");
	ok(t && !strstr(t, "anyxdp_attached") && !strstr(t, "scrape_duration"),
	   "nothing attached, no scrape: neither family");
	free(t);
}

/* The checker itself must catch what it is there for. */
static void test_checker(void)
{
	static const char *const bad[] = {
		"a_total 1\n",
		"# HELP a x\n# TYPE a counter\na 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{l=\"\\x\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{l=\"v\"} one\n",
		"# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n",
		"# HELP a x\n# TYPE a gauge\na 1\n# HELP a x\n",
	};
	size_t i;
	int n;

	ok(valid("# HELP a x\n# TYPE a gauge\na{l=\"\\\"\\n\"} 1\n", &n) && n == 1,
	   "checker: a good family passes");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!valid(bad[i], &n), "checker: bad text %zu is caught", i);
}

int main(void)
{
	test_checker();
	test_escape();
	test_full();
	test_sparse();
	return harness_done();
}
