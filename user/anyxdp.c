// SPDX-License-Identifier: GPL-2.0
/* anyxdp: attach the uplink programs, steer served prefixes, report. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "attach.h"
#include "tunnel.h"
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "conf.h"
#include "maps.h"
#include "snapshot.h"
#include "steer.h"

static const char intro[] =
	"Usage: anyxdp COMMAND [OPTIONS]\n"
	"XDP data plane for small anycast networks: blocklist drops on the uplink and\n"
	"steering of served (anycast) prefixes into tunnels.";

static const char *const reason_names[R_MAX] = ANYXDP_REASON_NAMES;
static const char *const verdict_names[V_MAX] = ANYXDP_VERDICT_NAMES;

/* ---- attach ---- */

static const char attach_help[] =
	"Usage: anyxdp attach IFACE [--mode native|skb] [--no-entry-counters]\n"
	"                    [--config FILE | --no-config] [--mss-clamp auto|off|N]\n"
	"                    [--icmp-rate N] [--tunnels GLOB[,GLOB...] | --tunnels none]\n"
	"Load the XDP program and attach it to IFACE (through the libxdp dispatcher\n"
	"where available), and the TC ingress program that hands steered packets to\n"
	"tunnels. Maps are pinned in the pin dir and reused, so lists, routes and\n"
	"counters survive re-attaching and restarts. Attaching again replaces both\n"
	"programs on IFACE.\n\n"
	"  --mode M              native (driver XDP, default) or skb (generic)\n"
	"  --no-entry-counters   skip per-prefix counters (verdict totals stay)\n"
	"  --config FILE         apply FILE (prefixes, routes, settings) first; default\n"
	"                        " CONF_DEFAULT_FILE " if it exists\n"
	"  --no-config           do not read " CONF_DEFAULT_FILE "\n"
	"  --mss-clamp V         auto (default: MSS from the next hop's MTU), off, or a\n"
	"                        fixed cap N (the MTU-based value still applies)\n"
	"  --icmp-rate N         ICMP too-big answers per second per CPU (default 1000;\n"
	"                        0: leave oversize packets to the kernel)\n"
	"  --tunnels GLOBS       also attach the return-path program to every interface\n"
	"                        matching one of GLOBS ('wg-*'), and remember them so\n"
	"                        'anyxdp sync' attaches it to matching tunnels that\n"
	"                        appear later (see anyxdp tunnel --help); none: forget\n"
	"                        them (attached tunnels stay). Kept from the last time\n"
	"                        when not given.\n"
	"Options given here win over the config file's settings.\n";

struct attach_cli {
	struct attach_opts o;
	const char *config;
	const char *tunnels;	/* --tunnels, "" for none */
	bool no_config, mss_set, icmp_set;
};

static int attach_opt(int c, struct attach_cli *a)
{
	unsigned long v;
	unsigned int max;
	int clamp;

	switch (c) {
	case 'm':
		if (!strcmp(optarg, "native") || !strcmp(optarg, "drv"))
			a->o.mode = ATTACH_NATIVE;
		else if (!strcmp(optarg, "skb") || !strcmp(optarg, "generic"))
			a->o.mode = ATTACH_SKB;
		else {
			log_err("--mode: '%s' is not native or skb", optarg);
			return -EINVAL;
		}
		return 0;
	case 'c': a->o.entry_counters = false; return 0;
	case 'f': a->config = optarg; return 0;
	case 'n': a->no_config = true; return 0;
	case 's':
		if (mss_clamp_parse(optarg, &clamp, &max)) {
			log_err("--mss-clamp: '%s' is not auto, off or an MSS from 88 to 65535",
				optarg);
			return -EINVAL;
		}
		a->o.mss_clamp = clamp;
		a->o.mss_max = max;
		a->mss_set = true;
		return 0;
	case 'r':
		if (parse_uint("--icmp-rate", optarg, ICMP_RATE_MAX, &v))
			return -EINVAL;
		a->o.icmp_rate = v;
		a->icmp_set = true;
		return 0;
	case 't':
		a->tunnels = strcmp(optarg, "none") ? optarg : "";
		/* "" here would be a typo'd variable, not a wish to forget. */
		return *optarg ? (*a->tunnels ? tun_globs_check(a->tunnels) : 0) :
				 tun_globs_check(optarg);
	case 'h': return cli_usage(attach_help, false), 1;
	default: return cli_usage(attach_help, true);
	}
}

static int attach_args(int argc, char **argv, struct attach_cli *a)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "no-entry-counters", no_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'f' },
		{ "no-config", no_argument, NULL, 'n' },
		{ "mss-clamp", required_argument, NULL, 's' },
		{ "icmp-rate", required_argument, NULL, 'r' },
		{ "tunnels", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "m:h", lo, NULL)) != -1) {
		err = attach_opt(c, a);
		if (err)
			return err;
	}
	if (optind != argc - 1)
		return cli_usage(attach_help, true);
	if (a->config && a->no_config) {
		log_err("--config and --no-config exclude each other");
		return -EINVAL;
	}
	a->o.ifname = argv[optind];
	return 0;
}

/* The file's settings, where the command line did not set them. */
static void attach_settings(struct attach_cli *a, const struct anyxdp_conf *c)
{
	if (!a->mss_set && c->mss_clamp >= 0) {
		a->o.mss_clamp = c->mss_clamp;
		a->o.mss_max = c->mss_max;
	}
	if (!a->icmp_set && c->icmp_rate >= 0)
		a->o.icmp_rate = c->icmp_rate;
}

/* The named file must exist; the default one only if it is there. */
static int attach_config(struct attach_cli *a, struct anyxdp_conf *c, bool *have)
{
	const char *file = a->config ? a->config : CONF_DEFAULT_FILE;

	*have = false;
	if (a->no_config || (!a->config && access(file, F_OK)))
		return 0;
	if (conf_parse_file(file, c)) {
		log_err("%s", c->err);
		log_err("not attached: fix the config file or use --no-config");
		return -EBADCONF;
	}
	*have = true;
	attach_settings(a, c);
	return 0;
}

/* The uplink is attached by now: a tunnel that fails is reported, and the
 * uplink stays (it works without the return path). */
static int attach_tunnels(struct anyxdp_maps *m, const char *globs, const char *uplink)
{
	int err = tun_globs_set(m, globs), n = 0;

	if (err || !*globs)
		return err;
	err = tun_attach_matching(m, globs, uplink, false, &n);
	if (!n && !err)
		printf("no interface matches '%s' yet: 'anyxdp sync' attaches to those that "
		       "appear, or run 'anyxdp tunnel attach IFACE' from the tunnel's PostUp\n",
		       globs);
	return err;
}

static int cmd_attach(int argc, char **argv)
{
	struct attach_cli a = { .o = ATTACH_OPTS_DEFAULT };
	struct conf_apply_report r;
	struct anyxdp_conf conf;
	struct anyxdp_maps m;
	bool have_conf;
	int err;

	err = attach_args(argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	if (!if_nametoindex(a.o.ifname)) {
		log_err("no interface named '%s' in this network namespace", a.o.ifname);
		return -ENODEV;
	}
	err = require_privileges() ?: attach_config(&a, &conf, &have_conf);
	if (err)
		return err;
	err = cli_open_maps(&m, true);
	if (err)
		goto out;
	err = maps_lock(&m);
	if (!err && have_conf) {
		err = conf_apply(&m, &conf, false, &r);
		if (!err)
			print_apply(&conf, &r, false);
	}
	if (!err)
		err = kernel_err(xdp_attach_iface(&m, &a.o));
	if (!err && a.tunnels)
		err = attach_tunnels(&m, a.tunnels, a.o.ifname);
	maps_close(&m);
out:
	if (have_conf)
		conf_free(&conf);
	return err;
}

static const char detach_help[] =
	"Usage: anyxdp detach IFACE\n"
	"Detach the XDP and TC ingress programs from IFACE. Maps, lists, routes and\n"
	"counters stay pinned. The clsact qdisc stays (other filters may use it).\n";

static int cmd_detach(int argc, char **argv)
{
	struct anyxdp_maps m;
	int err;

	if (wants_help(argc, argv))
		return cli_usage(detach_help, false);
	if (argc != 2)
		return cli_usage(detach_help, true);
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = maps_lock(&m) ?: xdp_detach_iface(&m, argv[1], false);
	maps_close(&m);
	return err;
}

/* ---- status ---- */

struct iface_state {
	__u32 ifindex;
	struct attach_info ai;
	bool live, tc;
	bool elsewhere;		/* recorded from another network namespace */
	__u32 live_id, tc_id;
};

static int read_ifaces(struct anyxdp_maps *m, struct iface_state *v, int max)
{
	__u32 key, next, *kp = NULL;
	int n = 0;

	while (n < max && !bpf_map_get_next_key(m->attached, kp, &next)) {
		struct iface_state *s = &v[n];

		key = next;
		kp = &key;
		memset(s, 0, sizeof(*s));
		if (bpf_map_lookup_elem(m->attached, &key, &s->ai))
			continue;
		s->ifindex = key;
		s->elsewhere = s->ai.netns_ino && s->ai.netns_ino != netns_ino();
		s->live = !s->elsewhere && xdp_is_attached(key, &s->live_id, NULL);
		s->tc = !s->elsewhere && tc_is_attached(key, &s->tc_id);
		n++;
	}
	return n;
}

struct steer_summary {
	bool present;		/* the pin dir has the steering maps */
	size_t served4, served6, routes, statics, learned;
	int tx_ports;
};

static void steer_summarize(struct anyxdp_maps *m, struct steer_summary *s)
{
	struct steer_table t;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (m->steer4 < 0 || steer_read(m, &t, false))
		return;
	s->present = true;
	for (i = 0; i < t.n; i++) {
		const struct steer_val *v = &t.v[i].val;
		bool st = nh_present(&v->nh[ORIGIN_STATIC]);
		bool le = nh_present(&v->nh[ORIGIN_LEARNED]);

		if (v->flags & STEER_SERVED) {
			if (t.v[i].pfx.family == AF_INET)
				s->served4++;
			else
				s->served6++;
		}
		s->routes += st || le;
		s->statics += st;
		s->learned += le;
	}
	s->tx_ports = steer_tx_ports_count(m);
	steer_table_free(&t);
}

static void status_json(struct anyxdp_maps *m, const struct bl_ctl *c,
			const struct iface_state *v, int n, const struct steer_summary *s)
{
	char t[64];
	int i;

	printf("{\"pin_dir\":");
	json_str(stdout, m->dir);
	printf(",\"interfaces\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"ifname\":", i ? "," : "");
		json_str(stdout, v[i].ai.ifname);
		printf(",\"ifindex\":%u,\"mode\":\"%s\",\"dispatcher\":%s,\"prog_id\":%u,"
		       "\"attached\":%s,\"tc_attached\":%s,\"tc_prog_id\":%u,"
		       "\"other_netns\":%s,\"since\":\"%s\"}",
		       v[i].ifindex, v[i].ai.mode == ATTACH_SKB ? "skb" : "native",
		       v[i].ai.multiprog ? "true" : "false", v[i].live ? v[i].live_id : 0,
		       v[i].live ? "true" : "false", v[i].tc ? "true" : "false", v[i].tc_id,
		       v[i].elsewhere ? "true" : "false",
		       fmt_time_ns(v[i].ai.attach_time_ns, t, sizeof(t)));
	}
	printf("],\"blocklist\":{\"generation\":%llu,\"loaded\":\"%s\",\"active_slot\":%u,"
	       "\"entries\":%llu,\"ipv4\":%llu,\"ipv6\":%llu,\"hosts\":%llu,"
	       "\"cidrs\":%llu},\"allowlist\":{\"ipv4\":%u,\"ipv6\":%u},\"steering\":",
	       ull(c->generation), fmt_time_ns(c->load_time_ns, t, sizeof(t)),
	       c->active, ull(c->n_v4 + c->n_v6), ull(c->n_v4), ull(c->n_v6),
	       ull(c->n_host), ull(c->n_v4 + c->n_v6 - c->n_host), c->allow_v4, c->allow_v6);
	if (!s->present)
		printf("null");
	else
		printf("{\"served_prefixes\":%zu,\"served_ipv4\":%zu,\"served_ipv6\":%zu,"
		       "\"routes\":%zu,\"static\":%zu,\"learned\":%zu,\"tx_ports\":%d}",
		       s->served4 + s->served6, s->served4, s->served6, s->routes,
		       s->statics, s->learned, s->tx_ports);
	printf(",\"sync\":");
	sync_summary(m, true);
	printf(",\"tunnels\":");
	tunnel_summary(m, true);
	printf("}\n");
}

static void status_iface_text(const struct iface_state *v)
{
	char t[64];

	printf("attached:   %s (ifindex %u) %s mode%s, prog id %u, since %s%s\n",
	       v->ai.ifname, v->ifindex, v->ai.mode == ATTACH_SKB ? "skb" : "native",
	       v->ai.multiprog ? " via libxdp dispatcher" : "",
	       v->live ? v->live_id : v->ai.prog_id,
	       fmt_time_ns(v->ai.attach_time_ns, t, sizeof(t)),
	       v->live ? "" : v->elsewhere ?
	       "  [in another network namespace: run status there]" :
	       "  [NOT ATTACHED: removed outside anyxdp?]");
	if (v->elsewhere)
		return;
	if (v->tc)
		printf("tc ingress: %s, prog id %u\n", v->ai.ifname, v->tc_id);
	else
		printf("tc ingress: %s  [NOT ATTACHED: tunnel steering passes to the kernel; "
		       "run 'anyxdp attach %s' again]\n", v->ai.ifname, v->ai.ifname);
}

static void status_text(struct anyxdp_maps *m, const struct bl_ctl *c,
			const struct iface_state *v, int n, const struct steer_summary *s)
{
	char t[64];
	int i;

	printf("pin dir:    %s\n", m->dir);
	if (!n)
		printf("attached:   nowhere (run 'anyxdp attach IFACE')\n");
	for (i = 0; i < n; i++)
		status_iface_text(&v[i]);
	printf("blocklist:  generation %llu, loaded %s, slot %u\n",
	       ull(c->generation), fmt_time_ns(c->load_time_ns, t, sizeof(t)), c->active);
	printf("entries:    %llu (IPv4 %llu, IPv6 %llu; %llu hosts, %llu CIDRs)\n",
	       ull(c->n_v4 + c->n_v6), ull(c->n_v4), ull(c->n_v6), ull(c->n_host),
	       ull(c->n_v4 + c->n_v6 - c->n_host));
	printf("allowlist:  %u IPv4, %u IPv6 prefixes\n", c->allow_v4, c->allow_v6);
	if (!s->present)
		printf("steering:   no steering maps (pin dir made before steering; "
		       "'anyxdp attach' adds them)\n");
	else
		printf("steering:   %zu served prefixes (IPv4 %zu, IPv6 %zu), %zu routes "
		       "(%zu static, %zu learned), %d Ethernet ports\n",
		       s->served4 + s->served6, s->served4, s->served6, s->routes,
		       s->statics, s->learned, s->tx_ports);
	sync_summary(m, false);
	tunnel_summary(m, false);
}

static const char status_help[] =
	"Usage: anyxdp status [--json]\n"
	"Where the XDP and TC programs are attached and in which mode, the active\n"
	"blocklist (generation, load time, size), and the number of served prefixes\n"
	"and routes.\n";

static int cmd_status(int argc, char **argv)
{
	struct steer_summary s;
	struct iface_state v[64];
	struct anyxdp_maps m;
	struct bl_ctl c;
	bool json;
	int n, err;

	err = cli_json_opt(argc, argv, status_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = ctl_read(&m, &c);
	if (err) {
		log_err("cannot read bl_ctl: %s", strerror(-err));
		goto out;
	}
	n = read_ifaces(&m, v, 64);
	steer_summarize(&m, &s);
	if (json)
		status_json(&m, &c, v, n, &s);
	else
		status_text(&m, &c, v, n, &s);
out:
	maps_close(&m);
	return err;
}

/* ---- stats ---- */

static const char stats_help[] =
	"Usage: anyxdp stats [--json]\n"
	"Packets and bytes by verdict (pass, drop, steer, tx, forward) and by reason,\n"
	"summed\n"
	"over CPUs; events (counted besides a verdict, not in the totals); then the\n"
	"counters of each served prefix with its routes.\n"
	"Per-prefix drop counters: 'anyxdp-block top' or 'anyxdp-block list'.\n";

static int read_reasons(struct anyxdp_maps *m, struct counter *r, struct counter *v)
{
	return snapshot_reasons(m, r, v);
}

static void stats_json(const struct counter *r, const struct counter *v)
{
	const char *sep = "";
	int i;

	printf("{\"verdicts\":{");
	for (i = 0; i < V_MAX; i++)
		if (i != V_EVENT)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			       verdict_names[i], ull(v[i].packets), ull(v[i].bytes));
	printf("},\"reasons\":{");
	for (i = 0; i < R_MAX; i++)
		printf("%s\"%s\":{\"verdict\":\"%s\",\"packets\":%llu,\"bytes\":%llu}",
		       i ? "," : "", reason_names[i], verdict_names[anyxdp_reason_verdict(i)],
		       ull(r[i].packets), ull(r[i].bytes));
	printf("},\"events\":{");
	for (i = 0; i < R_MAX; i++) {
		if (anyxdp_reason_verdict(i) != V_EVENT)
			continue;
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", sep, reason_names[i],
		       ull(r[i].packets), ull(r[i].bytes));
		sep = ",";
	}
	printf("},\"prefixes\":");
}

static void stats_text(const struct counter *r, const struct counter *v)
{
	int i, k;

	printf("%-22s %14s %16s\n", "VERDICT/REASON", "PACKETS", "BYTES");
	for (k = 0; k < V_MAX; k++) {
		if (k == V_EVENT)
			printf("events (besides a verdict, not in the totals)\n");
		else
			printf("%-22s %14llu %16llu\n", verdict_names[k], ull(v[k].packets),
			       ull(v[k].bytes));
		for (i = 0; i < R_MAX; i++)
			if (anyxdp_reason_verdict(i) == k)
				printf("  %-20s %14llu %16llu\n", reason_names[i],
				       ull(r[i].packets), ull(r[i].bytes));
	}
	printf("\n");
}

static int cmd_stats(int argc, char **argv)
{
	struct counter r[R_MAX], v[V_MAX];
	struct anyxdp_maps m;
	bool json;
	int err;

	err = cli_json_opt(argc, argv, stats_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = read_reasons(&m, r, v);
	if (err)
		goto out;
	if (json)
		stats_json(r, v);
	else
		stats_text(r, v);
	if (m.steer4 < 0)
		printf(json ? "null" : "served prefixes: no steering maps in this pin dir\n");
	else
		err = served_table(&m, json);
	if (json)
		printf("}\n");
out:
	maps_close(&m);
	return err;
}

static const struct subcmd cmds[] = {
	{ "attach", cmd_attach, "IFACE [--mode native|skb] [--config F]",
	  "load and attach XDP + TC to IFACE" },
	{ "detach", cmd_detach, "IFACE", "detach from IFACE (maps stay)" },
	{ "status", cmd_status, "[--json]", "attachments, lists, steering" },
	{ "stats", cmd_stats, "[--json]", "packets and bytes by verdict and reason" },
	{ "prefix", cmd_prefix, "add|del|list ...", "served (anycast) prefixes" },
	{ "route", cmd_route, "add|del|list|refresh ...", "routes inside served prefixes" },
	{ "config", cmd_config, "check|apply [FILE]", "the config file" },
	{ "sync", cmd_sync, "[--babel ADDR | --netlink] ... | status",
	  "follow Babel's routes into the next-hop map" },
	{ "tunnel", cmd_tunnel, "attach|detach|list|stats ...",
	  "the return path on each tunnel, no conntrack" },
	{ "exporter", cmd_exporter, "--listen ADDR:PORT",
	  "serve Prometheus metrics over HTTP" },
	{ "top", cmd_top, "[--interval S]", "live view: busiest prefixes and verdicts" },
	{}
};

int main(int argc, char **argv)
{
	return cli_main("anyxdp", cmds, intro, argc, argv);
}
