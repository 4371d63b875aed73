// SPDX-License-Identifier: GPL-2.0
/* anyxdp: attach the uplink programs, steer served prefixes, report. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "attach.h"
#include "tunnel.h"
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "conf.h"
#include "maps.h"
#include "metrics.h"
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
	"Usage: anyxdp attach [IFACE] [--mode native|skb] [--no-entry-counters]\n"
	"                    [--config FILE | --no-config] [--mss-clamp auto|off|N]\n"
	"                    [--icmp-rate N] [--tunnels GLOB[,GLOB...] | --tunnels none]\n"
	"Load the XDP program and attach it to IFACE (through the libxdp dispatcher\n"
	"where available), and the TC ingress program that hands steered packets to\n"
	"tunnels. Maps are pinned in the pin dir and reused, so lists, routes and\n"
	"counters survive re-attaching and restarts. Attaching again replaces both\n"
	"programs on IFACE. Without IFACE, the config file's 'uplink' line names it\n"
	"(and its mode), as at boot by anyxdp.service.\n\n"
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
	"                        when not given, or taken from the config file's\n"
	"                        'tunnels' line.\n"
	"Options given here win over the config file's settings.\n";

struct attach_cli {
	struct attach_opts o;
	const char *config;
	const char *tunnels;	/* --tunnels, "" for none */
	bool no_config, mss_set, icmp_set, mode_set;
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
		a->mode_set = true;
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
	if (optind < argc - 1)
		return cli_usage(attach_help, true);
	if (a->config && a->no_config) {
		log_err("--config and --no-config exclude each other");
		return -EINVAL;
	}
	a->o.ifname = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* The file's settings, where the command line did not set them. The
 * uplink's mode only goes with the uplink it is written for. */
static void attach_settings(struct attach_cli *a, const struct anyxdp_conf *c)
{
	if (!a->mss_set && c->mss_clamp >= 0) {
		a->o.mss_clamp = c->mss_clamp;
		a->o.mss_max = c->mss_max;
	}
	if (!a->icmp_set && c->icmp_rate >= 0)
		a->o.icmp_rate = c->icmp_rate;
	if (!a->o.ifname && c->uplink_line)
		a->o.ifname = c->uplink;
	if (!a->mode_set && c->uplink_mode && a->o.ifname &&
	    !strcmp(a->o.ifname, c->uplink))
		a->o.mode = c->uplink_mode;
	if (!a->tunnels && c->tunnels_line)
		a->tunnels = c->tunnels;
}

/* No IFACE on the command line: say where it was looked for. */
static int no_uplink(const char *file, bool no_config, bool have_file)
{
	if (no_config)
		log_err("no IFACE given, and --no-config leaves no 'uplink' line to take it from");
	else if (!have_file)
		log_err("no IFACE given and no config file %s to take the 'uplink' from: "
			"run 'anyxdp attach IFACE' or add 'uplink IFACE' to the file", file);
	else
		log_err("no IFACE given and %s has no 'uplink' line: run 'anyxdp attach "
			"IFACE' or add 'uplink IFACE' to the file", file);
	return -EINVAL;
}

/* The named file must exist; the default one only if it is there. */
static int attach_config(struct attach_cli *a, struct anyxdp_conf *c, bool *have)
{
	const char *file = a->config ? a->config : CONF_DEFAULT_FILE;

	*have = false;
	if (a->no_config || (!a->config && access(file, F_OK)))
		return a->o.ifname ? 0 : no_uplink(file, a->no_config, false);
	if (conf_parse_file(file, c)) {
		log_err("%s", c->err);
		log_err("not attached: fix the config file or use --no-config");
		return -EBADCONF;
	}
	*have = true;
	attach_settings(a, c);
	if (!a->o.ifname) {
		conf_free(c);
		*have = false;
		return no_uplink(file, false, true);
	}
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
	err = attach_config(&a, &conf, &have_conf);
	if (err)
		return err;
	if (!if_nametoindex(a.o.ifname)) {
		log_err("no interface named '%s' in this network namespace", a.o.ifname);
		err = -ENODEV;
		goto out;
	}
	err = require_privileges();
	if (err)
		goto out;
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
	"Usage: anyxdp detach [IFACE | --all] [--config FILE]\n"
	"Detach the XDP and TC ingress programs from IFACE. Maps, lists, routes and\n"
	"counters stay pinned. The clsact qdisc stays (other filters may use it).\n"
	"Tunnels keep their return-path programs ('anyxdp tunnel detach').\n\n"
	"  --all                 from every interface of this network namespace that\n"
	"                        this pin dir attached to (anyxdp.service's ExecStop)\n"
	"  --config FILE         without IFACE: the 'uplink' of FILE (default\n"
	"                        " CONF_DEFAULT_FILE ")\n";

/* Every interface recorded here and in this netns; a vanished one only
 * leaves its record. */
static int detach_all(struct anyxdp_maps *m)
{
	__u32 key, next, *kp = NULL, gone[64];
	struct attach_info ai;
	int err = 0, n = 0, ng = 0, e, i;

	while (!bpf_map_get_next_key(m->attached, kp, &next)) {
		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(m->attached, &key, &ai) ||
		    (ai.netns_ino && ai.netns_ino != netns_ino()))
			continue;
		ai.ifname[sizeof(ai.ifname) - 1] = '\0';
		if (if_nametoindex(ai.ifname) != key) {
			if (ng < 64)
				gone[ng++] = key;
			continue;
		}
		e = xdp_detach_iface(m, ai.ifname, true);
		if (!e)
			n++;
		err = err ?: e;
	}
	for (i = 0; i < ng; i++)
		bpf_map_delete_elem(m->attached, &gone[i]);
	if (!err)
		printf("detached from %d interface%s; maps stay pinned in %s\n", n,
		       n == 1 ? "" : "s", m->dir);
	return err;
}

struct detach_cli {
	const char *ifname, *config;
	bool all;
};

static int detach_args(int argc, char **argv, struct detach_cli *d)
{
	static const struct option lo[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'a')
			d->all = true;
		else if (c == 'f')
			d->config = optarg;
		else if (c == 'h')
			return cli_usage(detach_help, false), 1;
		else
			return cli_usage(detach_help, true);
	}
	if (optind < argc - 1)
		return cli_usage(detach_help, true);
	d->ifname = optind < argc ? argv[optind] : NULL;
	if (d->all && (d->ifname || d->config)) {
		log_err("--all excludes IFACE and --config");
		return -EINVAL;
	}
	return 0;
}

/* IFACE from the config file, as attach takes it. */
static int detach_uplink(const char *file, bool named, char *ifname, size_t len)
{
	struct anyxdp_conf c;

	if (!named && access(file, F_OK)) {
		log_err("no IFACE given and no config file %s to take the 'uplink' from: "
			"name the interface or use --all", file);
		return -EINVAL;
	}
	if (conf_parse_file(file, &c)) {
		log_err("%s", c.err);
		log_err("no IFACE given and the config file cannot be read: name the "
			"interface or use --all");
		return -EBADCONF;
	}
	snprintf(ifname, len, "%s", c.uplink);
	conf_free(&c);
	if (!*ifname) {
		log_err("no IFACE given and %s has no 'uplink' line: name the interface "
			"or use --all", file);
		return -EINVAL;
	}
	return 0;
}

static int cmd_detach(int argc, char **argv)
{
	struct detach_cli d = {};
	char ifname[IF_NAMESIZE];
	struct anyxdp_maps m;
	int err;

	err = detach_args(argc, argv, &d);
	if (err)
		return err < 0 ? err : 0;
	if (d.ifname)
		snprintf(ifname, sizeof(ifname), "%s", d.ifname);
	else if (!d.all)
		err = detach_uplink(d.config ? d.config : CONF_DEFAULT_FILE, d.config,
				    ifname, sizeof(ifname));
	if (err)
		return err;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = maps_lock(&m);
	if (!err)
		err = d.all ? detach_all(&m) : xdp_detach_iface(&m, ifname, false);
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
	"Usage: anyxdp stats [--json | --prometheus [--output FILE]]\n"
	"Packets and bytes by verdict (pass, drop, steer, tx, forward) and by reason,\n"
	"summed over CPUs; events (counted besides a verdict, not in the totals);\n"
	"then the counters of each served prefix with its routes.\n"
	"Per-prefix drop counters: 'anyxdp-block top' or 'anyxdp-block list'.\n\n"
	"  --json          the same as JSON\n"
	"  --prometheus    every metric (verdicts, served prefixes, routes, source\n"
	"                  lists, the active list, the sync) in the Prometheus text\n"
	"                  format, for node_exporter's textfile collector; see METRICS\n"
	"                  in anyxdp(8)\n"
	"  --output FILE   with --prometheus: write FILE through a temporary file in\n"
	"                  the same directory and rename it, so the collector never\n"
	"                  reads half a file; if the maps cannot be read, FILE says\n"
	"                  anyxdp_up 0 (and the exit status is 1)\n";

struct stats_cli {
	bool json, prometheus;
	const char *output;
};

static int stats_args(int argc, char **argv, struct stats_cli *a)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = true; break;
		case 'p': a->prometheus = true; break;
		case 'o': a->output = optarg; break;
		case 'h': return cli_usage(stats_help, false), 1;
		default: return cli_usage(stats_help, true);
		}
	}
	if (optind != argc)
		return cli_usage(stats_help, true);
	if (a->json && a->prometheus) {
		log_err("--json and --prometheus exclude each other");
		return -EINVAL;
	}
	if (a->output && (!a->prometheus || !*a->output)) {
		log_err(*a->output ? "--output goes with --prometheus" : "--output: empty file name");
		return -EINVAL;
	}
	return 0;
}

/* FILE replaced at once (rename), so a reader sees the old or the new one. */
static int stats_prom_file(const char *file, const struct snapshot *s)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", file) >= (int)sizeof(tmp)) {
		log_err("--output: '%s': name too long", file);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		log_err("cannot create a temporary file next to %s: %s", file, strerror(-err));
		return err;
	}
	/* Readable by the collector, which need not run as root. */
	f = fchmod(fd, 0644) ? NULL : fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out;
	}
	err = metrics_write(f, s, NULL);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, file))
		err = -errno;
out:
	if (err) {
		log_err("cannot write %s: %s", file, strerror(-err));
		unlink(tmp);
	}
	return err;
}

static int stats_prometheus(const struct stats_cli *a)
{
	struct anyxdp_maps m;
	struct snapshot s;
	int err, werr;

	err = cli_open_maps(&m, false);
	if (err) {
		/* The textfile collector would go on showing the last file. */
		if (a->output)
			stats_prom_file(a->output, NULL);
		return err;
	}
	err = snapshot_take(&m, &s, SNAP_ALL);
	if (a->output)
		werr = stats_prom_file(a->output, err ? NULL : &s);
	else if ((werr = metrics_write(stdout, err ? NULL : &s, NULL)) || fflush(stdout))
		log_err("cannot write the metrics: %s", strerror(werr ? EIO : errno));
	if (!err)
		snapshot_free(&s);
	maps_close(&m);
	return err ?: werr;
}

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
	struct stats_cli a = {};
	struct anyxdp_maps m;
	int err;

	err = stats_args(argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	if (a.prometheus)
		return stats_prometheus(&a);
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = read_reasons(&m, r, v);
	if (err)
		goto out;
	if (a.json)
		stats_json(r, v);
	else
		stats_text(r, v);
	if (m.steer4 < 0)
		printf(a.json ? "null" : "served prefixes: no steering maps in this pin dir\n");
	else
		err = served_table(&m, a.json);
	if (a.json)
		printf("}\n");
out:
	maps_close(&m);
	return err;
}

static const struct subcmd cmds[] = {
	{ "attach", cmd_attach, "[IFACE] [--mode native|skb] [--config F]",
	  "load and attach XDP + TC to IFACE (or the config's uplink)" },
	{ "detach", cmd_detach, "[IFACE | --all]", "detach from IFACE (maps stay)" },
	{ "status", cmd_status, "[--json]", "attachments, lists, steering" },
	{ "stats", cmd_stats, "[--json | --prometheus]", "packets and bytes by verdict and reason" },
	{ "prefix", cmd_prefix, "add|del|list ...", "served (anycast) prefixes" },
	{ "route", cmd_route, "add|del|list|refresh ...", "routes inside served prefixes" },
	{ "config", cmd_config, "check|apply [FILE]", "the config file" },
	{ "sync", cmd_sync, "[--babel ADDR | --netlink] ... | status",
	  "follow Babel's routes into the next-hop map" },
	{ "tunnel", cmd_tunnel, "attach|detach|list|stats ...",
	  "the return path on each tunnel, no conntrack" },
	{ "exporter", cmd_exporter, "--listen ADDR:PORT",
	  "serve Prometheus metrics over HTTP" },
	{ "top", cmd_top, "[--interval S] [--batch] [-n N]",
	  "live view: rates by verdict, busiest prefixes" },
	{}
};

int main(int argc, char **argv)
{
	return cli_main("anyxdp", cmds, intro, argc, argv);
}
