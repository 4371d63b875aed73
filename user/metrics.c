// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition of a snapshot (see metrics.h). Every series
 * is written even at zero, so rate() works from the first scrape and a
 * series does not vanish when nothing happened. Each family's samples
 * stay together under one # HELP / # TYPE pair, as the format requires.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "anyxdp.h"
#include "cmds.h"
#include "common.h"
#include "metrics.h"
#include "prefix.h"
#include "steer.h"
#include "sync.h"

static const char *const reason_names[R_MAX] = ANYXDP_REASON_NAMES;
static const char *const verdict_names[V_MAX] = ANYXDP_VERDICT_NAMES;
static const char *const steer_names[SC_MAX] = STEER_COUNTER_NAMES;
static const char *const tun_names[TSC_MAX] = TUN_COUNTER_NAMES;
static const char *const sync_states[] = {
	"stopped", "connecting", "dumping", "running", "grace", "dead",
};

/* A NULL-terminated list of label name, value pairs. */
#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

char *metrics_label_escape(const char *v, char *buf, size_t len)
{
	size_t n = 0;

	for (; *v; v++) {
		const char *e = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" :
				*v == '\n' ? "\\n" : NULL;
		size_t k = e ? 2 : 1;

		if (n + k >= len)
			break;
		if (e)
			memcpy(buf + n, e, 2);
		else
			buf[n] = *v;
		n += k;
	}
	if (len)
		buf[n] = 0;
	return buf;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void name_labels(FILE *f, const char *name, const char *const *kv)
{
	char esc[256];
	size_t i;

	fputs(name, f);
	if (!kv || !kv[0])
		return;
	for (i = 0; kv[i]; i += 2)
		fprintf(f, "%s%s=\"%s\"", i ? "," : "{", kv[i],
			metrics_label_escape(kv[i + 1], esc, sizeof(esc)));
	fputc('}', f);
}

static void sample(FILE *f, const char *name, const char *const *kv, __u64 v)
{
	name_labels(f, name, kv);
	fprintf(f, " %llu\n", ull(v));
}

/* A CLOCK_REALTIME ns value as unix seconds, exactly. */
static void sample_time(FILE *f, const char *name, const char *const *kv, __u64 ns)
{
	name_labels(f, name, kv);
	fprintf(f, " %llu.%09llu\n", ull(ns / 1000000000ull), ull(ns % 1000000000ull));
}

static void sample_double(FILE *f, const char *name, const char *const *kv, double v)
{
	name_labels(f, name, kv);
	fprintf(f, " %.9g\n", v);
}

/* ---- the stats map ---- */

static void write_reasons(FILE *f, const struct snapshot *s)
{
	static const char *const fam[2] = { "anyxdp_packets_total", "anyxdp_bytes_total" };
	static const char *const help[2] = {
		"Packets by verdict and reason, all programs (verdict event: counted besides a verdict).",
		"Bytes by verdict and reason, all programs (verdict event: counted besides a verdict).",
	};
	int k, r;

	for (k = 0; k < 2; k++) {
		family(f, fam[k], "counter", help[k]);
		for (r = 0; r < R_MAX; r++)
			sample(f, fam[k], L("verdict", verdict_names[anyxdp_reason_verdict(r)],
					    "reason", reason_names[r]),
			       k ? s->reasons[r].bytes : s->reasons[r].packets);
	}
}

/* ---- served prefixes and routes ---- */

static const char *steer_verdict(int i)
{
	return i == SC_STEERED ? "steer" : i == SC_ICMP_TOO_BIG ? "tx" :
	       i == SC_DROP_BLOCKLIST ? "drop" : "pass";
}

static const char *tun_verdict(int i)
{
	return i == TSC_RETURNED || i == TSC_RELAYED ? "forward" :
	       i == TSC_DROP_BLOCKLIST ? "drop" : "pass";
}

static const struct counter *counter_at(const void *stats, int i)
{
	return (const struct counter *)stats + i;
}

static __u64 counter_value(const struct counter *c, bool bytes)
{
	return bytes ? c->bytes : c->packets;
}

static bool is_route(const struct snap_prefix *p)
{
	return nh_present(&p->val.nh[ORIGIN_STATIC]) ||
	       nh_present(&p->val.nh[ORIGIN_LEARNED]) || !p->is_served;
}

/* A served prefix's uplink counters are its own plus its routes', as in
 * `anyxdp stats` and `anyxdp prefix list`: everything sent to it. The
 * snapshot is sorted, so a served prefix precedes what lies inside it. */
/* Sorted by prefix_cmp, a served prefix's routes follow it: one pass sums
 * their counters into sum[i] and counts them into routes[i] (i: the
 * served prefix's index), however many routes there are. */
static void served_sums(const struct snapshot *s, struct steer_stats *sum, size_t *routes)
{
	const struct snap_prefix *cur = NULL;
	size_t i, at = 0;
	int k;

	for (i = 0; i < s->n_prefixes; i++) {
		const struct snap_prefix *p = &s->prefixes[i];

		if (p->is_served) {
			cur = p;
			at = i;
		}
		if (!cur || !prefix_contains(&cur->pfx, &p->pfx))
			continue;
		for (k = 0; k < SC_MAX; k++)
			counter_add((struct counter *)&sum[at] + k, counter_at(&p->steer, k));
		routes[at] += is_route(p) && !prefix_cmp(&p->served, &cur->pfx);
	}
}

static void write_served_counters(FILE *f, const struct snapshot *s,
				  const struct steer_stats *sum, bool bytes)
{
	const char *name = bytes ? "anyxdp_served_prefix_bytes_total" :
			   "anyxdp_served_prefix_packets_total";
	char p[PREFIX_STRLEN];
	size_t i;
	int k;

	family(f, name, "counter", bytes ?
	       "Bytes to (path uplink: the XDP program, routes included) and from (path tunnel: the tunnel programs) each served prefix." :
	       "Packets to (path uplink: the XDP program, routes included) and from (path tunnel: the tunnel programs) each served prefix.");
	for (i = 0; i < s->n_prefixes; i++) {
		const struct snap_prefix *sp = &s->prefixes[i];

		if (!sp->is_served)
			continue;
		prefix_format(&sp->pfx, p, sizeof(p));
		for (k = 0; k < SC_MAX; k++)
			sample(f, name, L("prefix", p, "path", "uplink", "verdict", steer_verdict(k),
					  "reason", steer_names[k]),
			       counter_value(counter_at(&sum[i], k), bytes));
		/* A prefix the tunnel programs have not counted yet reads as zero. */
		for (k = 0; k < TSC_MAX; k++)
			sample(f, name, L("prefix", p, "path", "tunnel", "verdict", tun_verdict(k),
					  "reason", tun_names[k]),
			       sp->has_tun ? counter_value(counter_at(&sp->tun, k), bytes) : 0);
	}
}

static void write_served(FILE *f, const struct snapshot *s)
{
	struct steer_stats *sum = calloc(s->n_prefixes + 1, sizeof(*sum));
	size_t *routes = calloc(s->n_prefixes + 1, sizeof(*routes));
	char p[PREFIX_STRLEN];
	size_t i;

	if (!sum || !routes) {
		log_err("metrics: out of memory");
		goto out;
	}
	served_sums(s, sum, routes);
	write_served_counters(f, s, sum, false);
	write_served_counters(f, s, sum, true);
	family(f, "anyxdp_served_prefix_routes", "gauge",
	       "Routes (prefixes with a next hop) inside each served prefix.");
	for (i = 0; i < s->n_prefixes; i++)
		if (s->prefixes[i].is_served)
			sample(f, "anyxdp_served_prefix_routes",
			       L("prefix", prefix_format(&s->prefixes[i].pfx, p, sizeof(p))),
			       routes[i]);
out:
	free(sum);
	free(routes);
}

static void write_route_counters(FILE *f, const struct snapshot *s, bool bytes)
{
	const char *name = bytes ? "anyxdp_route_bytes_total" : "anyxdp_route_packets_total";
	char r[PREFIX_STRLEN], p[PREFIX_STRLEN];
	size_t i;
	int k;

	family(f, name, "counter", bytes ?
	       "Bytes the XDP program matched to each route (shared by its next hops)." :
	       "Packets the XDP program matched to each route (shared by its next hops).");
	for (i = 0; i < s->n_prefixes; i++) {
		const struct snap_prefix *sp = &s->prefixes[i];

		if (!is_route(sp))
			continue;
		prefix_format(&sp->pfx, r, sizeof(r));
		prefix_format(&sp->served, p, sizeof(p));
		for (k = 0; k < SC_MAX; k++)
			sample(f, name, L("route", r, "prefix", p, "verdict", steer_verdict(k),
					  "reason", steer_names[k]),
			       counter_value(counter_at(&sp->steer, k), bytes));
	}
}

/* which 0: up, 1: active. */
static void write_next_hops(FILE *f, const struct snapshot *s, int which)
{
	const char *name = which ? "anyxdp_route_next_hop_active" : "anyxdp_route_next_hop_up";
	char r[PREFIX_STRLEN], p[PREFIX_STRLEN];
	size_t i;
	int o;

	family(f, name, "gauge", which ?
	       "1 for the next hop the XDP program uses (static wins), 0 for the other." :
	       "1 if the next hop's interface is up, 0 if down or gone.");
	for (i = 0; i < s->n_prefixes; i++) {
		const struct snap_prefix *sp = &s->prefixes[i];

		prefix_format(&sp->pfx, r, sizeof(r));
		prefix_format(&sp->served, p, sizeof(p));
		for (o = 0; o < ORIGIN_MAX; o++) {
			const struct nexthop *nh = &sp->val.nh[o];
			char dev[sizeof(nh->ifname) + 1] = "";

			if (!nh_present(nh))
				continue;
			memcpy(dev, nh->ifname, sizeof(nh->ifname));
			sample(f, name, L("route", r, "prefix", p, "origin", origin_name(o),
					  "dev", dev, "kind", nh_kind_name(nh->kind)),
			       which ? steer_active_origin(&sp->val) == o :
				       nh_link_state(nh) == LINK_UP);
		}
	}
}

static void write_routes(FILE *f, const struct snapshot *s)
{
	write_route_counters(f, s, false);
	write_route_counters(f, s, true);
	write_next_hops(f, s, 0);
	write_next_hops(f, s, 1);
}

/* ---- lists ---- */

static void write_lists(FILE *f, const struct snapshot *s)
{
	const struct bl_ctl *c = &s->ctl;
	size_t i;
	int k;

	family(f, "anyxdp_blocklist_generation", "gauge",
	       "Generation of the active blocklist (bumped on every switch).");
	sample(f, "anyxdp_blocklist_generation", NULL, c->generation);
	family(f, "anyxdp_blocklist_entries", "gauge", "Entries of the active blocklist.");
	sample(f, "anyxdp_blocklist_entries", L("family", "ipv4"), c->n_v4);
	sample(f, "anyxdp_blocklist_entries", L("family", "ipv6"), c->n_v6);
	family(f, "anyxdp_blocklist_host_entries", "gauge",
	       "Entries of the active blocklist that are single addresses (/32, /128).");
	sample(f, "anyxdp_blocklist_host_entries", NULL, c->n_host);
	family(f, "anyxdp_blocklist_load_timestamp_seconds", "gauge",
	       "When the active blocklist was switched in (unix time; 0: never).");
	sample_time(f, "anyxdp_blocklist_load_timestamp_seconds", NULL, c->load_time_ns);
	family(f, "anyxdp_allowlist_entries", "gauge", "Prefixes on the allowlist.");
	sample(f, "anyxdp_allowlist_entries", L("family", "ipv4"), c->allow_v4);
	sample(f, "anyxdp_allowlist_entries", L("family", "ipv6"), c->allow_v6);
	if (!s->have_sources)
		return;
	family(f, "anyxdp_blocklist_sources", "gauge",
	       "Source lists the active blocklist was made of.");
	sample(f, "anyxdp_blocklist_sources", NULL, s->n_sources);
	if (!s->n_sources)
		return;
	family(f, "anyxdp_blocklist_source_entries", "gauge",
	       "Entries of the active blocklist from each source list.");
	for (i = 0; i < s->n_sources; i++)
		sample(f, "anyxdp_blocklist_source_entries", L("list", s->sources[i].name),
		       s->sources[i].entries);
	for (k = 0; k < 2; k++) {
		const char *name = k ? "anyxdp_blocklist_source_bytes_total" :
				       "anyxdp_blocklist_source_packets_total";

		family(f, name, "counter", k ?
		       "Bytes dropped on the entries of each source list (an entry on several lists counts for each)." :
		       "Packets dropped on the entries of each source list (an entry on several lists counts for each).");
		for (i = 0; i < s->n_sources; i++)
			sample(f, name, L("list", s->sources[i].name, "verdict", "drop"),
			       counter_value(&s->sources[i].dropped, k));
	}
}

/* ---- the route sync ---- */

static void write_sync_state(FILE *f, const struct snapshot *s)
{
	const struct sync_status *st = &s->sync;
	char src[sizeof(st->source_name) + 1] = "";
	size_t i;

	family(f, "anyxdp_sync_connected", "gauge",
	       "1 while anyxdp sync has a session with the routing daemon.");
	sample(f, "anyxdp_sync_connected", NULL, s->sync_alive && st->connected_ns);
	family(f, "anyxdp_sync_state", "gauge",
	       "1 for the sync's current state (dead: the process is gone without saying so).");
	for (i = 0; i < sizeof(sync_states) / sizeof(sync_states[0]); i++)
		sample(f, "anyxdp_sync_state", L("state", sync_states[i]),
		       !strcmp(s->sync_state, sync_states[i]));
	memcpy(src, st->source_name, sizeof(st->source_name));
	family(f, "anyxdp_sync_info", "gauge", "Where anyxdp sync reads its routes from.");
	sample(f, "anyxdp_sync_info", L("source", src), 1);
	family(f, "anyxdp_sync_start_timestamp_seconds", "gauge",
	       "When the sync process started (unix time).");
	sample_time(f, "anyxdp_sync_start_timestamp_seconds", NULL, st->started_ns);
	family(f, "anyxdp_sync_last_update_timestamp_seconds", "gauge",
	       "When the sync last wrote a change to the next-hop map (unix time; 0: never).");
	sample_time(f, "anyxdp_sync_last_update_timestamp_seconds", NULL, st->last_update_ns);
}

static void write_sync_counts(FILE *f, const struct snapshot *s)
{
	static const struct { const char *name, *type, *help; size_t off; bool u32; } v[] = {
#define F(n, t, h, fld, small) { n, t, h, __builtin_offsetof(struct sync_status, fld), small }
		F("anyxdp_sync_routes", "gauge", "Learned next hops the sync has in the map.", routes, true),
		F("anyxdp_sync_stale_routes", "gauge", "Of those, kept from before a reconnect or restart.", stale, true),
		F("anyxdp_sync_daemon_routes", "gauge", "Routes the routing daemon told about.", rib_routes, true),
		F("anyxdp_sync_messages_total", "counter", "Lines (babeld) or messages (netlink) read.", lines, false),
		F("anyxdp_sync_malformed_total", "counter", "Lines skipped as malformed.", malformed, false),
		F("anyxdp_sync_updates_total", "counter", "Next-hop changes written to the map.", updates, false),
		F("anyxdp_sync_reconnects_total", "counter", "Sessions with the routing daemon started again.", reconnects, false),
		F("anyxdp_sync_errors_total", "counter", "Map writes that failed.", errors, false),
#undef F
	};
	const char *p = (const char *)&s->sync;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		__u64 x;

		if (v[i].u32) {
			__u32 y;

			memcpy(&y, p + v[i].off, sizeof(y));
			x = y;
		} else {
			memcpy(&x, p + v[i].off, sizeof(x));
		}
		family(f, v[i].name, v[i].type, v[i].help);
		sample(f, v[i].name, NULL, x);
	}
	family(f, "anyxdp_sync_ignored_routes", "gauge",
	       "Routes the daemon selected that the sync does not use, by reason.");
	for (i = 1; i < SYNC_IGN_MAX; i++)
		sample(f, "anyxdp_sync_ignored_routes", L("reason", sync_ignore_name(i)),
		       s->sync.ignored[i]);
}

static void write_sync_latency(FILE *f, const struct snapshot *s)
{
	static const char *const name[3] = {
		"anyxdp_sync_update_latency_p50_seconds",
		"anyxdp_sync_update_latency_p99_seconds",
		"anyxdp_sync_update_latency_max_seconds",
	};
	static const char *const help[3] = {
		"Median time from reading a route change to the map update, this process.",
		"99th percentile of the same.",
		"Longest of the same.",
	};
	__u32 us[3] = { s->sync.lat_p50_us, s->sync.lat_p99_us, s->sync.lat_max_us };
	int i;

	for (i = 0; i < 3; i++) {
		family(f, name[i], "gauge", help[i]);
		sample_double(f, name[i], NULL, us[i] / 1e6);
	}
}

static void write_sync(FILE *f, const struct snapshot *s)
{
	family(f, "anyxdp_sync_up", "gauge", "1 while the anyxdp sync process runs.");
	sample(f, "anyxdp_sync_up", NULL, s->have_sync && s->sync_alive);
	if (!s->have_sync)
		return;
	write_sync_state(f, s);
	write_sync_counts(f, s);
	write_sync_latency(f, s);
}

/* ---- interfaces ---- */

static const char *mode_name(__u32 mode)
{
	switch (mode) {
	case ATTACH_NATIVE: return "native";
	case ATTACH_SKB: return "skb";
	case ATTACH_TUN_L3: case ATTACH_TUN_ETH: return "tunnel";
	default: return "unknown";
	}
}

static void write_ifaces(FILE *f, const struct snapshot *s)
{
	size_t i;

	if (!s->n_ifaces)
		return;
	family(f, "anyxdp_attached", "gauge",
	       "1 if the program anyxdp attached to the interface is still there, 0 if it was removed.");
	for (i = 0; i < s->n_ifaces; i++)
		sample(f, "anyxdp_attached", L("iface", s->ifaces[i].ifname,
					       "mode", mode_name(s->ifaces[i].mode)),
		       s->ifaces[i].live);
}

int metrics_write(FILE *f, const struct snapshot *s, const struct metrics_extra *x)
{
	family(f, "anyxdp_up", "gauge", "1 if the pinned maps could be read.");
	sample(f, "anyxdp_up", NULL, s != NULL);
	if (s) {
		write_reasons(f, s);
		if (s->have_steer) {
			write_served(f, s);
			write_routes(f, s);
		}
		write_lists(f, s);
		write_sync(f, s);
		write_ifaces(f, s);
	}
	if (x && x->scrape) {
		family(f, "anyxdp_scrape_duration_seconds", "gauge",
		       "Time the exporter took to read the maps.");
		sample_double(f, "anyxdp_scrape_duration_seconds", NULL, x->scrape_seconds);
	}
	return ferror(f) ? -EIO : 0;
}
