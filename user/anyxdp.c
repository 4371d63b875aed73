// SPDX-License-Identifier: GPL-2.0
/* anyxdp: attach the uplink program and report what it does. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "attach.h"
#include "cli.h"
#include "common.h"
#include "maps.h"

static const char intro[] =
	"Usage: anyxdp COMMAND [OPTIONS]\n"
	"XDP data plane for small anycast networks: blocklist drops on the uplink.";

static const char *const reason_names[R_MAX] = ANYXDP_REASON_NAMES;

static const char attach_help[] =
	"Usage: anyxdp attach IFACE [--mode native|skb] [--no-entry-counters]\n"
	"Load the XDP program and attach it to IFACE (through the libxdp dispatcher\n"
	"where available). Maps are pinned in the pin dir and reused, so lists and\n"
	"counters survive re-attaching and restarts. Attaching again replaces the\n"
	"program on IFACE.\n\n"
	"  --mode M              native (driver XDP, default) or skb (generic)\n"
	"  --no-entry-counters   skip per-prefix counters (verdict totals stay)\n";

static int cmd_attach(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "no-entry-counters", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct attach_opts o = { .mode = ATTACH_NATIVE, .entry_counters = true };
	struct anyxdp_maps m;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "m:h", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "native") || !strcmp(optarg, "drv"))
				o.mode = ATTACH_NATIVE;
			else if (!strcmp(optarg, "skb") || !strcmp(optarg, "generic"))
				o.mode = ATTACH_SKB;
			else {
				log_err("--mode: '%s' is not native or skb", optarg);
				return -EINVAL;
			}
			break;
		case 'c': o.entry_counters = false; break;
		case 'h': return cli_usage(attach_help, false);
		default: return cli_usage(attach_help, true);
		}
	}
	if (optind != argc - 1)
		return cli_usage(attach_help, true);
	o.ifname = argv[optind];
	if (!if_nametoindex(o.ifname)) {
		log_err("no interface named '%s' in this network namespace", o.ifname);
		return -ENODEV;
	}
	err = cli_open_maps(&m, true);
	if (err)
		return err;
	err = maps_lock(&m) ?: xdp_attach_iface(&m, &o);
	maps_close(&m);
	return err;
}

static const char detach_help[] =
	"Usage: anyxdp detach IFACE\n"
	"Detach the XDP program from IFACE. Maps, lists and counters stay pinned.\n";

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
	bool live;
	bool elsewhere;		/* recorded from another network namespace */
	__u32 live_id;
};

static int read_ifaces(struct anyxdp_maps *m, struct iface_state *v, int max)
{
	__u32 key, next, *kp = NULL;
	int n = 0;

	while (n < max && !bpf_map_get_next_key(m->attached, kp, &next)) {
		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(m->attached, &key, &v[n].ai))
			continue;
		v[n].ifindex = key;
		v[n].elsewhere = v[n].ai.netns_ino && v[n].ai.netns_ino != netns_ino();
		v[n].live = !v[n].elsewhere && xdp_is_attached(key, &v[n].live_id, NULL);
		n++;
	}
	return n;
}

static void status_json(struct anyxdp_maps *m, const struct bl_ctl *c,
			const struct iface_state *v, int n)
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
		       "\"attached\":%s,\"other_netns\":%s,\"since\":\"%s\"}",
		       v[i].ifindex, v[i].ai.mode == ATTACH_SKB ? "skb" : "native",
		       v[i].ai.multiprog ? "true" : "false", v[i].live ? v[i].live_id : 0,
		       v[i].live ? "true" : "false", v[i].elsewhere ? "true" : "false",
		       fmt_time_ns(v[i].ai.attach_time_ns, t, sizeof(t)));
	}
	printf("],\"blocklist\":{\"generation\":%llu,\"loaded\":\"%s\",\"active_slot\":%u,"
	       "\"entries\":%llu,\"ipv4\":%llu,\"ipv6\":%llu,\"hosts\":%llu,"
	       "\"cidrs\":%llu},\"allowlist\":{\"ipv4\":%u,\"ipv6\":%u}}\n",
	       (unsigned long long)c->generation, fmt_time_ns(c->load_time_ns, t, sizeof(t)),
	       c->active, (unsigned long long)(c->n_v4 + c->n_v6),
	       (unsigned long long)c->n_v4, (unsigned long long)c->n_v6,
	       (unsigned long long)c->n_host,
	       (unsigned long long)(c->n_v4 + c->n_v6 - c->n_host), c->allow_v4, c->allow_v6);
}

static void status_text(struct anyxdp_maps *m, const struct bl_ctl *c,
			const struct iface_state *v, int n)
{
	char t[64];
	int i;

	printf("pin dir:    %s\n", m->dir);
	if (!n)
		printf("attached:   nowhere (run 'anyxdp attach IFACE')\n");
	for (i = 0; i < n; i++)
		printf("attached:   %s (ifindex %u) %s mode%s, prog id %u, since %s%s\n",
		       v[i].ai.ifname, v[i].ifindex,
		       v[i].ai.mode == ATTACH_SKB ? "skb" : "native",
		       v[i].ai.multiprog ? " via libxdp dispatcher" : "",
		       v[i].live ? v[i].live_id : v[i].ai.prog_id,
		       fmt_time_ns(v[i].ai.attach_time_ns, t, sizeof(t)),
		       v[i].live ? "" : v[i].elsewhere ?
		       "  [in another network namespace: run status there]" :
		       "  [NOT ATTACHED: removed outside anyxdp?]");
	printf("blocklist:  generation %llu, loaded %s, slot %u\n",
	       (unsigned long long)c->generation, fmt_time_ns(c->load_time_ns, t, sizeof(t)),
	       c->active);
	printf("entries:    %llu (IPv4 %llu, IPv6 %llu; %llu hosts, %llu CIDRs)\n",
	       (unsigned long long)(c->n_v4 + c->n_v6), (unsigned long long)c->n_v4,
	       (unsigned long long)c->n_v6, (unsigned long long)c->n_host,
	       (unsigned long long)(c->n_v4 + c->n_v6 - c->n_host));
	printf("allowlist:  %u IPv4, %u IPv6 prefixes\n", c->allow_v4, c->allow_v6);
}

static const char status_help[] =
	"Usage: anyxdp status [--json]\n"
	"Where the program is attached and in which mode, and the active list:\n"
	"its generation, load time and size.\n";

static int cmd_status(int argc, char **argv)
{
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
	if (json)
		status_json(&m, &c, v, n);
	else
		status_text(&m, &c, v, n);
out:
	maps_close(&m);
	return err;
}

/* ---- stats ---- */

static const char stats_help[] =
	"Usage: anyxdp stats [--json]\n"
	"Packets and bytes by verdict and by reason, summed over CPUs.\n"
	"Per-prefix drop counters: 'anyxdp-block top' or 'anyxdp-block list'.\n";

static int cmd_stats(int argc, char **argv)
{
	struct counter r[R_MAX], pass = {}, drop = {};
	struct anyxdp_maps m;
	bool json;
	__u32 i;
	int err;

	err = cli_json_opt(argc, argv, stats_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	for (i = 0; i < R_MAX && !err; i++) {
		err = percpu_sum(m.stats, &i, m.ncpus, &r[i]);
		struct counter *t = i == R_DROP_BLOCKLIST ? &drop : &pass;

		t->packets += r[i].packets;
		t->bytes += r[i].bytes;
	}
	maps_close(&m);
	if (err) {
		log_err("cannot read the stats map: %s", strerror(-err));
		return err;
	}
	if (json) {
		printf("{\"verdicts\":{\"pass\":{\"packets\":%llu,\"bytes\":%llu},"
		       "\"drop\":{\"packets\":%llu,\"bytes\":%llu}},\"reasons\":{",
		       (unsigned long long)pass.packets, (unsigned long long)pass.bytes,
		       (unsigned long long)drop.packets, (unsigned long long)drop.bytes);
		for (i = 0; i < R_MAX; i++)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			       reason_names[i], (unsigned long long)r[i].packets,
			       (unsigned long long)r[i].bytes);
		printf("}}\n");
		return 0;
	}
	printf("%-20s %14s %16s\n", "VERDICT/REASON", "PACKETS", "BYTES");
	printf("%-20s %14llu %16llu\n", "pass", (unsigned long long)pass.packets,
	       (unsigned long long)pass.bytes);
	printf("%-20s %14llu %16llu\n", "drop", (unsigned long long)drop.packets,
	       (unsigned long long)drop.bytes);
	for (i = 0; i < R_MAX; i++)
		printf("  %-18s %14llu %16llu\n", reason_names[i],
		       (unsigned long long)r[i].packets, (unsigned long long)r[i].bytes);
	return 0;
}

static const struct subcmd cmds[] = {
	{ "attach", cmd_attach, "IFACE [--mode native|skb]", "load and attach to IFACE" },
	{ "detach", cmd_detach, "IFACE", "detach from IFACE (maps stay)" },
	{ "status", cmd_status, "[--json]", "attachments and the active list" },
	{ "stats", cmd_stats, "[--json]", "packets and bytes by verdict and reason" },
	{}
};

int main(int argc, char **argv)
{
	return cli_main("anyxdp", cmds, intro, argc, argv);
}
