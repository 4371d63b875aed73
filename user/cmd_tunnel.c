// SPDX-License-Identifier: GPL-2.0
/* anyxdp tunnel: the return-path program on each tunnel, and its counters. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "maps.h"
#include "prefix.h"
#include "steer.h"
#include "tunnel.h"

static const char tunnel_help[] =
	"Usage: anyxdp tunnel attach IFACE...\n"
	"       anyxdp tunnel detach IFACE... | --all\n"
	"       anyxdp tunnel list [--json]\n"
	"       anyxdp tunnel stats [--json]\n"
	"The return path: a TC ingress program on each tunnel sends what leaves the\n"
	"tunnels for the world (a source in a served prefix) out by the kernel's FIB\n"
	"route, and transit to a served prefix on to its next hop, without netfilter,\n"
	"so a PoP that sees only one direction of a flow needs no conntrack entry.\n"
	"The far end (a reply's destination, transit's source) is checked against the\n"
	"blocklist. What it cannot forward goes to the kernel, counted by reason.\n"
	"\n"
	"  attach IFACE...   attach to these interfaces (WireGuard PostUp: anyxdp tunnel\n"
	"                    attach %i); the L3 or Ethernet program by device type\n"
	"  detach IFACE...   take it off again; --all: every tunnel of this pin dir\n"
	"  list              the tunnels carrying it, and the --tunnels globs that\n"
	"                    'anyxdp sync' follows (set by 'anyxdp attach --tunnels')\n"
	"  stats             packets and bytes per served prefix, and by reason\n"
	"Forwarding must be on for each tunnel (net.ipv4/ipv6.conf.IFACE.forwarding=1);\n"
	"attach warns when it is off, and about strict rp_filter.\n";

static const char *const tun_counter_names[TSC_MAX] = TUN_COUNTER_NAMES;
static const char *const reason_names[R_MAX] = ANYXDP_REASON_NAMES;

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help");
}

static int open_locked(struct anyxdp_maps *m, bool create)
{
	int err = cli_open_maps(m, create);

	if (err)
		return err;
	err = maps_have_tunnel(m) ?: maps_lock(m);
	if (err)
		maps_close(m);
	return err;
}

static int tunnel_attach(int argc, char **argv)
{
	struct anyxdp_maps m;
	int i, err, first = 0;

	if (argc < 2 || is_help(argv[1]))
		return cli_usage(tunnel_help, argc < 2);
	err = require_privileges() ?: open_locked(&m, true);
	if (err)
		return err;
	for (i = 1; i < argc; i++) {
		err = tun_attach(&m, argv[i], false);
		if (err && !first)
			first = err;
	}
	maps_close(&m);
	return first;
}

static int tunnel_detach(int argc, char **argv)
{
	struct anyxdp_maps m;
	int i, err, first = 0;

	if (argc < 2 || is_help(argv[1]))
		return cli_usage(tunnel_help, argc < 2);
	err = require_privileges() ?: open_locked(&m, false);
	if (err)
		return err;
	if (!strcmp(argv[1], "--all")) {
		first = argc > 2 ? cli_usage(tunnel_help, true) : tun_detach_all(&m);
		goto out;
	}
	for (i = 1; i < argc; i++) {
		err = tun_detach(&m, argv[i], false);
		if (err && !first)
			first = err;
	}
out:
	maps_close(&m);
	return first;
}

/* ---- list ---- */

static void list_row(__u32 ifindex, const struct attach_info *ai, bool json, bool *first)
{
	char name[IF_NAMESIZE] = "", t[64];
	bool here = ai->netns_ino == netns_ino();
	bool live = here && if_indextoname(ifindex, name) && !strcmp(name, ai->ifname) &&
		    tun_is_attached(ifindex, NULL);
	const char *prog = ai->mode == ATTACH_TUN_ETH ? "anyxdp_tun_eth" : "anyxdp_tun";

	fmt_time_ns(ai->attach_time_ns, t, sizeof(t));
	if (json) {
		printf("%s{\"ifname\":", *first ? "" : ",");
		json_str(stdout, ai->ifname);
		printf(",\"ifindex\":%u,\"program\":\"%s\",\"prog_id\":%u,\"attached\":%s,"
		       "\"other_netns\":%s,\"since\":\"%s\"}", ifindex, prog, ai->prog_id,
		       live ? "true" : "false", here ? "false" : "true", t);
	} else {
		printf("%-16s %7u  %-15s %7u  %-8s %s\n", ai->ifname, ifindex, prog, ai->prog_id,
		       !here ? "elsewhere" : live ? "yes" : "NO", t);
	}
	*first = false;
}

static int tunnel_list(int argc, char **argv)
{
	__u32 key, next, *kp = NULL;
	char globs[TUN_GLOBS_MAX + 1] = "";
	struct attach_info ai;
	struct anyxdp_maps m;
	bool json, first = true;
	int err;

	err = cli_json_opt(argc, argv, tunnel_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false) ?: maps_have_tunnel(&m);
	if (err)
		goto out;
	tun_globs_get(&m, globs, sizeof(globs));
	if (json) {
		printf("{\"globs\":");
		json_str(stdout, globs);
		printf(",\"tunnels\":[");
	} else {
		printf("globs (anyxdp sync attaches to new matches): %s\n",
		       *globs ? globs : "none (anyxdp attach --tunnels GLOB sets them)");
		printf("%-16s %7s  %-15s %7s  %-8s %s\n", "TUNNEL", "IFINDEX", "PROGRAM",
		       "PROG_ID", "ATTACHED", "SINCE");
	}
	while (!bpf_map_get_next_key(m.tunnels, kp, &next)) {
		key = next;
		kp = &key;
		if (!bpf_map_lookup_elem(m.tunnels, &key, &ai))
			list_row(key, &ai, json, &first);
	}
	printf(json ? "]}\n" : "");
out:
	maps_close(&m);
	return err;
}

/* ---- for anyxdp status ---- */

void tunnel_summary(struct anyxdp_maps *m, bool json)
{
	char globs[TUN_GLOBS_MAX + 1] = "", names[256] = "", name[IF_NAMESIZE];
	__u32 key, next, *kp = NULL;
	struct attach_info ai;
	size_t used = 0;
	int live = 0, lost = 0;

	if (m->tunnels < 0) {
		printf(json ? "null" : "tunnels:    no tunnel maps (pin dir made before them; "
		       "'anyxdp attach' adds them)\n");
		return;
	}
	tun_globs_get(m, globs, sizeof(globs));
	while (!bpf_map_get_next_key(m->tunnels, kp, &next)) {
		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(m->tunnels, &key, &ai) || ai.netns_ino != netns_ino())
			continue;
		if (if_indextoname(key, name) && !strcmp(name, ai.ifname) &&
		    tun_is_attached(key, NULL)) {
			live++;
			continue;
		}
		lost++;
		used += snprintf(names + used, used < sizeof(names) ? sizeof(names) - used : 0,
				 "%s%s", used ? "," : "", ai.ifname);
	}
	if (json) {
		printf("{\"globs\":");
		json_str(stdout, globs);
		printf(",\"attached\":%d,\"not_attached\":%d}", live, lost);
		return;
	}
	printf("tunnels:    %d with the return path, globs %s%s%s%s\n", live,
	       *globs ? globs : "none", lost ? "  [NOT ATTACHED: " : "", lost ? names : "",
	       lost ? "; 'anyxdp tunnel list']" : "");
}

/* ---- stats ---- */

static void prefix_row(const struct prefix *p, const struct tun_stats *s, bool json,
		       bool *first)
{
	const struct counter *c = (const struct counter *)s;
	char a[PREFIX_STRLEN];
	int i;

	prefix_format(p, a, sizeof(a));
	if (json) {
		printf("%s{\"prefix\":\"%s\"", *first ? "" : ",", a);
		for (i = 0; i < TSC_MAX; i++)
			printf(",\"%s\":{\"packets\":%llu,\"bytes\":%llu}", tun_counter_names[i],
			       ull(c[i].packets), ull(c[i].bytes));
		printf("}");
	} else {
		printf("%-24s", a);
		for (i = 0; i < TSC_MAX; i++)
			printf(" %12llu", ull(c[i].packets));
		printf("\n");
	}
	*first = false;
}

static int prefixes(struct anyxdp_maps *m, bool json)
{
	struct steer_table t = {};
	struct tun_stats s;
	bool first = true;
	size_t i;
	int err = steer_read(m, &t, false);

	if (err)
		return err;
	if (!json) {
		printf("%-24s", "SERVED PREFIX (packets)");
		for (i = 0; i < TSC_MAX; i++)
			printf(" %12s", tun_counter_names[i]);
		printf("\n");
	}
	for (i = 0; i < t.n; i++) {
		if (!(t.v[i].val.flags & STEER_SERVED))
			continue;
		/* No entry (yet): counted as nothing, not as an error. */
		if (tun_stats_sum(m, &t.v[i].pfx, &s))
			memset(&s, 0, sizeof(s));
		prefix_row(&t.v[i].pfx, &s, json, &first);
	}
	steer_table_free(&t);
	return 0;
}

static int reasons(struct anyxdp_maps *m, bool json)
{
	struct counter c;
	bool first = true;
	__u32 r;
	int err;

	printf(json ? ",\"reasons\":{" : "\n%-24s %12s %16s\n", "REASON", "PACKETS", "BYTES");
	for (r = R_TUN_RETURN; r <= R_TUN_PASS_MALFORMED; r++) {
		err = percpu_sum(m->stats, &r, m->ncpus, &c);
		if (err)
			return err;
		if (json)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", first ? "" : ",",
			       reason_names[r], ull(c.packets), ull(c.bytes));
		else
			printf("%-24s %12llu %16llu\n", reason_names[r], ull(c.packets),
			       ull(c.bytes));
		first = false;
	}
	printf(json ? "}" : "");
	return 0;
}

static int tunnel_stats(int argc, char **argv)
{
	struct anyxdp_maps m;
	bool json;
	int err;

	err = cli_json_opt(argc, argv, tunnel_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false) ?: maps_have_steer(&m) ?: maps_have_tunnel(&m);
	if (err)
		goto out;
	printf(json ? "{\"prefixes\":[" : "");
	err = prefixes(&m, json);
	printf(json ? "]" : "");
	if (!err)
		err = reasons(&m, json);
	printf(json ? "}\n" : "");
	if (err)
		log_err("cannot read the tunnel counters: %s", strerror(-err));
out:
	maps_close(&m);
	return err;
}

static const struct subcmd tunnel_cmds[] = {
	{ "attach", tunnel_attach, NULL, NULL },
	{ "detach", tunnel_detach, NULL, NULL },
	{ "list", tunnel_list, NULL, NULL },
	{ "stats", tunnel_stats, NULL, NULL },
	{}
};

int cmd_tunnel(int argc, char **argv)
{
	return run_group(tunnel_cmds, tunnel_help, argc, argv);
}
