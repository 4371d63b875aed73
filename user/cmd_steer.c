// SPDX-License-Identifier: GPL-2.0
/* anyxdp prefix, route and config: served prefixes and the next-hop map. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "conf.h"
#include "linkwatch.h"
#include "maps.h"
#include "steer.h"

static const char *const counter_names[SC_MAX] = STEER_COUNTER_NAMES;

/* argv[i] is -h or --help: for commands with positional arguments. */
static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* "prefix add", "route list": the second word picks the command. */
int run_group(const struct subcmd *cmds, const char *usage, int argc, char **argv)
{
	const struct subcmd *c;

	if (argc < 2)
		return cli_usage(usage, true);
	if (is_help(argv[1]) || !strcmp(argv[1], "help"))
		return cli_usage(usage, false);
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	log_err("unknown %s command '%s'", argv[0], argv[1]);
	return cli_usage(usage, true);
}

void print_apply(const struct anyxdp_conf *c, const struct conf_apply_report *r, bool dry_run)
{
	printf("%s%s: %zu served prefixes (%zu added, %zu removed), %zu static routes "
	       "(%zu added, %zu changed, %zu removed)%s\n", dry_run ? "dry run: " : "",
	       c->file, c->n_prefix, r->prefixes_added, r->prefixes_removed, c->n_route,
	       r->routes_added, r->routes_changed, r->routes_removed,
	       dry_run ? "; nothing changed" : "");
}

/* ---- counters of served prefixes ---- */

static void stats_add(struct steer_stats *to, const struct steer_stats *s)
{
	const struct counter *c = (const struct counter *)s;
	struct counter *t = (struct counter *)to;
	int i;

	for (i = 0; i < SC_MAX; i++)
		counter_add(&t[i], &c[i]);
}

static const struct counter *sc(const struct steer_stats *s, int i)
{
	return (const struct counter *)s + i;
}

static __u64 passed_packets(const struct steer_stats *s)
{
	return s->pass_no_route.packets + s->pass_ttl.packets + s->pass_too_big.packets +
	       s->pass_if_down.packets + s->pass_no_neigh.packets;
}

static void counters_json(const struct steer_stats *s)
{
	int i;

	printf("{");
	for (i = 0; i < SC_MAX; i++)
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
		       counter_names[i], ull(sc(s, i)->packets), ull(sc(s, i)->bytes));
	printf("}");
}

/* One row per served prefix: its own counters plus its routes'. */
struct served_row {
	struct prefix pfx;
	size_t routes;
	struct steer_stats sum;
};

static int served_rows(const struct steer_table *t, struct served_row **out, size_t *n)
{
	struct served_row *v = calloc(t->n + 1, sizeof(*v));
	size_t i, k = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct steer_entry *e = &t->v[i];

		if (e->val.flags & STEER_SERVED) {
			v[k].pfx = e->pfx;
			v[k++].routes = steer_routes_in(t, &e->pfx);
		}
		/* Sorted: the served prefix is the last row started. */
		if (k && prefix_contains(&v[k - 1].pfx, &e->pfx))
			stats_add(&v[k - 1].sum, &e->stats);
	}
	*out = v;
	*n = k;
	return 0;
}

static void served_print(const struct served_row *v, size_t n, bool json)
{
	char p[PREFIX_STRLEN];
	size_t i;

	if (json) {
		printf("[");
		for (i = 0; i < n; i++) {
			printf("%s{\"prefix\":\"%s\",\"routes\":%zu,\"counters\":", i ? "," : "",
			       prefix_format(&v[i].pfx, p, sizeof(p)), v[i].routes);
			counters_json(&v[i].sum);
			printf("}");
		}
		printf("]");
		return;
	}
	printf("%-32s %6s %14s %12s %12s %14s\n", "PREFIX", "ROUTES", "STEERED",
	       "PASSED", "ICMP_TOO_BIG", "DROP_BLOCKLIST");
	for (i = 0; i < n; i++)
		printf("%-32s %6zu %14llu %12llu %12llu %14llu\n",
		       prefix_format(&v[i].pfx, p, sizeof(p)), v[i].routes,
		       ull(v[i].sum.steered.packets), ull(passed_packets(&v[i].sum)),
		       ull(v[i].sum.icmp_too_big.packets), ull(v[i].sum.drop_blocklist.packets));
}

/* Read the table with counters and print the served-prefix rows. */
int served_table(struct anyxdp_maps *m, bool json)
{
	struct served_row *rows;
	struct steer_table t;
	size_t n;
	int err;

	err = steer_read(m, &t, true);
	if (err)
		return err;
	err = served_rows(&t, &rows, &n);
	if (!err) {
		served_print(rows, n, json);
		free(rows);
	}
	steer_table_free(&t);
	return err;
}

/* ---- editing served prefixes and routes ---- */

/* Lock, read, and a copy to edit; edit_end() commits the copy. */
struct edit {
	struct anyxdp_maps m;
	struct steer_table old, new;
};

static int edit_begin(struct edit *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = cli_open_maps(&e->m, true);
	if (err)
		return err;
	err = maps_lock(&e->m) ?: steer_read(&e->m, &e->old, false);
	if (!err) {
		err = steer_table_copy(&e->new, &e->old);
		if (err)
			steer_table_free(&e->old);
	}
	if (err)
		maps_close(&e->m);
	return err;
}

static int edit_end(struct edit *e, int err)
{
	if (!err)
		err = kernel_err(steer_commit(&e->m, &e->old, &e->new));
	steer_table_free(&e->new);
	steer_table_free(&e->old);
	maps_close(&e->m);
	return err;
}

static int prefix_argv(const char *s, struct prefix *p)
{
	char why[256];

	if (steer_prefix_parse(s, p, why, sizeof(why))) {
		log_err("%s", why);
		return -EINVAL;
	}
	return 0;
}

/* Positional prefixes and flags; -EINVAL after a usage message. */
static int prefixes_argv(int argc, char **argv, const char *help, const char *flag,
			 bool *flag_set, struct prefix_set *s)
{
	struct prefix p;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag)) {
			*flag_set = true;
			continue;
		}
		if (argv[i][0] == '-' && !strchr(argv[i], ':')) {
			log_err("unknown option '%s'", argv[i]);
			return cli_usage(help, true);
		}
		err = prefix_argv(argv[i], &p) ?: pset_push(s, &p);
		if (err)
			return err;
	}
	if (!s->n)
		return cli_usage(help, true);
	return 0;
}

static const char prefix_help[] =
	"Usage: anyxdp prefix add PREFIX...\n"
	"       anyxdp prefix del PREFIX... [--force]\n"
	"       anyxdp prefix list [--json]\n"
	"Served (anycast) prefixes: packets to them are steered by the routes inside\n"
	"them ('anyxdp route'), or passed to the kernel (pass_no_route) if none\n"
	"matches. Served prefixes must not overlap.\n";

static const char prefix_add_help[] =
	"Usage: anyxdp prefix add PREFIX...\n"
	"Add served prefixes, e.g. 198.51.100.0/24 2001:db8:100::/48. All or nothing:\n"
	"one that overlaps another served prefix changes nothing.\n";

static int cmd_prefix_add(int argc, char **argv)
{
	struct prefix_set s = {};
	char p[PREFIX_STRLEN];
	struct edit e;
	int err, *r = NULL;
	size_t i;

	if (wants_help(argc, argv))
		return cli_usage(prefix_add_help, false);
	err = prefixes_argv(argc, argv, prefix_add_help, NULL, NULL, &s);
	if (!err && !(r = calloc(s.n, sizeof(*r))))
		err = -ENOMEM;
	if (!err)
		err = edit_begin(&e);
	if (err)
		goto out;
	for (i = 0; i < s.n && !err; i++) {
		r[i] = steer_tab_prefix_add(&e.new, &s.v[i]);
		err = r[i] < 0 ? r[i] : 0;
	}
	err = edit_end(&e, err);
	for (i = 0; i < s.n && !err; i++)
		printf("%s %s\n", r[i] ? "added served prefix" : "already served:",
		       prefix_format(&s.v[i], p, sizeof(p)));
out:
	free(r);
	pset_free(&s);
	return err;
}

static const char prefix_del_help[] =
	"Usage: anyxdp prefix del PREFIX... [--force]\n"
	"Remove served prefixes. One that still holds routes is refused unless\n"
	"--force, which removes its routes (static and learned) too. All or nothing.\n";

static int cmd_prefix_del(int argc, char **argv)
{
	struct prefix_set s = {};
	char p[PREFIX_STRLEN];
	size_t i, *n = NULL;
	bool force = false;
	struct edit e;
	int err;

	if (wants_help(argc, argv))
		return cli_usage(prefix_del_help, false);
	err = prefixes_argv(argc, argv, prefix_del_help, "--force", &force, &s);
	if (!err && !(n = calloc(s.n, sizeof(*n))))
		err = -ENOMEM;
	if (!err)
		err = edit_begin(&e);
	if (err)
		goto out;
	for (i = 0; i < s.n && !err; i++) {
		n[i] = steer_routes_in(&e.new, &s.v[i]);
		err = steer_tab_prefix_del(&e.new, &s.v[i], force);
		err = err < 0 ? err : 0;
	}
	err = edit_end(&e, err);
	for (i = 0; i < s.n && !err; i++) {
		printf("removed served prefix %s", prefix_format(&s.v[i], p, sizeof(p)));
		if (n[i])
			printf(" and the %zu route%s in it", n[i], n[i] == 1 ? "" : "s");
		printf("\n");
	}
out:
	free(n);
	pset_free(&s);
	return err;
}

static const char prefix_list_help[] =
	"Usage: anyxdp prefix list [--json]\n"
	"Served prefixes with the number of routes in each and their counters, summed\n"
	"over the prefix and its routes: steered, passed (pass_no_route, pass_ttl,\n"
	"pass_too_big, pass_if_down, pass_no_neigh), icmp_too_big, drop_blocklist.\n"
	"The text shows packets; --json has packets and bytes of every counter.\n";

static int cmd_prefix_list(int argc, char **argv)
{
	struct anyxdp_maps m;
	bool json;
	int err;

	err = cli_json_opt(argc, argv, prefix_list_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = served_table(&m, json);
	if (!err && json)
		printf("\n");
	maps_close(&m);
	return err;
}

int cmd_prefix(int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "add", cmd_prefix_add, "", "" },
		{ "del", cmd_prefix_del, "", "" },
		{ "list", cmd_prefix_list, "", "" },
		{}
	};

	return run_group(cmds, prefix_help, argc, argv);
}

/* ---- routes ---- */

static const char route_help[] =
	"Usage: anyxdp route add PREFIX dev IFACE [via ADDR] [metric N] [mtu N]\n"
	"                        [kind tunnel|ether]\n"
	"       anyxdp route del PREFIX [--learned]\n"
	"       anyxdp route list [--json]\n"
	"       anyxdp route refresh\n"
	"Routes inside served prefixes: where the XDP program sends their packets.\n"
	"Each prefix has a static next hop (this command, the config file) and a\n"
	"learned one (anyxdp sync); the static one wins while its interface is known.\n";

static const char route_add_help[] =
	"Usage: anyxdp route add PREFIX dev IFACE [via ADDR] [metric N] [mtu N]\n"
	"                        [kind tunnel|ether]\n"
	"Set the static next hop of PREFIX, which must lie inside a served prefix (or\n"
	"be one). Replaces an existing static next hop; counters stay.\n\n"
	"  dev IFACE    the interface; it must exist\n"
	"  via ADDR     next-hop address (either family); recommended on Ethernet\n"
	"  metric N     kept for 'route list' and anyxdp sync (0 to 4294967295)\n"
	"  mtu N        path MTU for too-big answers and MSS clamping (0: the\n"
	"               interface's MTU)\n"
	"  kind K       tunnel (L3 device: TC redirect) or ether (XDP redirect);\n"
	"               default from the interface type (Ethernet or not)\n";

static void warn_no_via(const struct prefix *p, const struct nexthop *nh)
{
	char x[PREFIX_STRLEN];

	if (nh->kind == NH_ETHER && !nh->via_family)
		log_warn("route %s: Ethernet next hop %s without 'via': each destination "
			 "needs a neighbour on %s", prefix_format(p, x, sizeof(x)),
			 nh->ifname, nh->ifname);
}

static int route_add_args(int argc, char **argv, struct prefix *p, struct nexthop *nh)
{
	char why[256];
	int err;

	if (wants_help(argc, argv))
		return cli_usage(route_add_help, false), 1;
	if (argc < 2)
		return cli_usage(route_add_help, true);
	err = prefix_argv(argv[1], p);
	if (err)
		return err;
	if (route_args_parse(argc - 2, argv + 2, p, nh, why, sizeof(why))) {
		log_err("route %s: %s", argv[1], why);
		return -EINVAL;
	}
	if (nh_resolve(nh)) {
		log_err("no interface named '%s' in this network namespace", nh->ifname);
		return -ENODEV;
	}
	return 0;
}

static int cmd_route_add(int argc, char **argv)
{
	char x[PREFIX_STRLEN], via[64];
	const struct steer_entry *old;
	struct nexthop nh;
	struct prefix p;
	struct edit e;
	bool had;
	int err, r;

	err = route_add_args(argc, argv, &p, &nh);
	if (err)
		return err < 0 ? err : 0;
	err = edit_begin(&e);
	if (err)
		return err;
	old = steer_find(&e.old, &p);
	had = old && nh_present(&old->val.nh[ORIGIN_STATIC]);
	r = steer_tab_route_set(&e.new, &p, ORIGIN_STATIC, &nh);
	err = edit_end(&e, r < 0 ? r : 0);
	if (err)
		return err;
	warn_no_via(&p, &nh);
	nh_via_format(&nh, via, sizeof(via));
	printf("route %s dev %s%s%s (ifindex %u, %s, %s): %s\n",
	       prefix_format(&p, x, sizeof(x)), nh.ifname, *via ? " via " : "", via,
	       nh.ifindex, nh_kind_name(nh.kind), nh.flags & NH_F_DOWN ? "down" : "up",
	       !r ? "unchanged" : had ? "changed" : "added");
	return 0;
}

static const char route_del_help[] =
	"Usage: anyxdp route del PREFIX [--learned]\n"
	"Remove the static next hop of PREFIX (--learned: the learned one). The\n"
	"other origin's next hop stays; the entry and its counters go when none is\n"
	"left and PREFIX is not itself a served prefix.\n";

static int cmd_route_del(int argc, char **argv)
{
	struct prefix_set s = {};
	char x[PREFIX_STRLEN];
	bool learned = false;
	struct edit e;
	int err, r;

	if (wants_help(argc, argv))
		return cli_usage(route_del_help, false);
	err = prefixes_argv(argc, argv, route_del_help, "--learned", &learned, &s);
	if (!err && s.n != 1)
		err = cli_usage(route_del_help, true);
	if (!err)
		err = edit_begin(&e);
	if (err)
		goto out;
	r = steer_tab_route_del(&e.new, &s.v[0], learned ? ORIGIN_LEARNED : ORIGIN_STATIC);
	err = edit_end(&e, r < 0 ? r : 0);
	if (!err)
		printf("removed the %s route for %s\n", learned ? "learned" : "static",
		       prefix_format(&s.v[0], x, sizeof(x)));
out:
	pset_free(&s);
	return err;
}

static const char route_list_help[] =
	"Usage: anyxdp route list [--json]\n"
	"One line per next hop: prefix, origin (static or learned; '*' marks the one\n"
	"in use), interface, ifindex, state (up, down, gone; '?' when the interface\n"
	"changed since the last 'anyxdp route refresh'), kind, via, metric, MTU (-:\n"
	"the interface's) and the prefix's counters (shared by both origins).\n";

struct route_row {
	const struct steer_entry *e;
	const struct prefix *served;
	int origin;
	bool active, stale;
	enum link_state state;
};

static void route_row_json(const struct route_row *r, bool first)
{
	const struct nexthop *nh = &r->e->val.nh[r->origin];
	char p[PREFIX_STRLEN], s[PREFIX_STRLEN], via[64];

	printf("%s{\"prefix\":\"%s\",\"served_prefix\":\"%s\",\"origin\":\"%s\","
	       "\"active\":%s,\"dev\":", first ? "" : ",",
	       prefix_format(&r->e->pfx, p, sizeof(p)),
	       r->served ? prefix_format(r->served, s, sizeof(s)) : "",
	       origin_name(r->origin), r->active ? "true" : "false");
	json_str(stdout, nh->ifname);
	printf(",\"ifindex\":%u,\"state\":\"%s\",\"stale\":%s,\"down_flag\":%s,"
	       "\"kind\":\"%s\",\"kind_fixed\":%s,\"via\":", nh->ifindex,
	       link_state_name(r->state), r->stale ? "true" : "false",
	       nh->flags & NH_F_DOWN ? "true" : "false", nh_kind_name(nh->kind),
	       nh->flags & NH_F_KIND_SET ? "true" : "false");
	if (nh->via_family)
		printf("\"%s\"", nh_via_format(nh, via, sizeof(via)));
	else
		printf("null");
	printf(",\"metric\":%u,\"mtu\":%u,\"counters\":", nh->metric, nh->mtu);
	counters_json(&r->e->stats);
	printf("}");
}

static void route_row_text(const struct route_row *r)
{
	const struct nexthop *nh = &r->e->val.nh[r->origin];
	char p[PREFIX_STRLEN], via[64], st[16], mtu[16];

	snprintf(st, sizeof(st), "%s%s", link_state_name(r->state), r->stale ? "?" : "");
	snprintf(mtu, sizeof(mtu), "%u", nh->mtu);
	nh_via_format(nh, via, sizeof(via));
	printf("%-28s %-7s %1s %-15s %7u %-5s %-7s %-25s %10u %5s %12llu %10llu\n",
	       prefix_format(&r->e->pfx, p, sizeof(p)), origin_name(r->origin),
	       r->active ? "*" : "", nh->ifname, nh->ifindex, st, nh_kind_name(nh->kind),
	       *via ? via : "-", nh->metric, nh->mtu ? mtu : "-",
	       ull(r->e->stats.steered.packets), ull(passed_packets(&r->e->stats)));
}

static int route_rows_print(struct steer_table *t, bool json)
{
	bool first = true, any_stale = false;
	struct route_row r;
	size_t i;

	if (json)
		printf("[");
	else
		printf("%-28s %-7s %1s %-15s %7s %-5s %-7s %-25s %10s %5s %12s %10s\n",
		       "PREFIX", "ORIGIN", "", "DEV", "IFINDEX", "STATE", "KIND", "VIA",
		       "METRIC", "MTU", "STEERED", "PASSED");
	for (i = 0; i < t->n; i++) {
		const struct steer_entry *served = steer_served_of(t, &t->v[i].pfx);

		r.e = &t->v[i];
		r.served = served ? &served->pfx : NULL;
		for (r.origin = 0; r.origin < ORIGIN_MAX; r.origin++) {
			const struct nexthop *nh = &r.e->val.nh[r.origin];

			if (!nh_present(nh))
				continue;
			r.active = steer_active_origin(&r.e->val) == r.origin;
			r.state = nh_link_state(nh);
			r.stale = nh_stale(nh);
			any_stale |= r.stale;
			if (json)
				route_row_json(&r, first);
			else
				route_row_text(&r);
			first = false;
		}
	}
	if (json)
		printf("]\n");
	else if (any_stale)
		printf("?: the interface changed since the last 'anyxdp route refresh'\n");
	return 0;
}

static int cmd_route_list(int argc, char **argv)
{
	struct anyxdp_maps m;
	struct steer_table t;
	bool json;
	int err;

	err = cli_json_opt(argc, argv, route_list_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = steer_read(&m, &t, true);
	if (!err) {
		route_rows_print(&t, json);
		steer_table_free(&t);
	}
	maps_close(&m);
	return err;
}

static const char route_refresh_help[] =
	"Usage: anyxdp route refresh [--watch]\n"
	"Look every next hop's interface up again by name: a new ifindex after the\n"
	"interface was re-created, down or gone (steering pauses, packets go to the\n"
	"kernel), up again, the kind; and bring tx_ports in line. For WireGuard\n"
	"PostUp/PostDown hooks, networkd-dispatcher or a timer.\n\n"
	"  --watch   keep running and refresh whenever an interface appears,\n"
	"            disappears or goes up or down (rtnetlink); stops on SIGTERM\n"
	"            or Ctrl-C. Until 'anyxdp sync' does it, run this as a service.\n";

static void refresh_line(const struct steer_refresh_change *c)
{
	const struct nexthop *b = &c->before, *a = &c->after;
	char x[PREFIX_STRLEN];

	printf("%s %s dev %s:", prefix_format(&c->pfx, x, sizeof(x)),
	       origin_name(c->origin), a->ifname);
	if (a->ifindex != b->ifindex)
		printf(" ifindex %u -> %u", b->ifindex, a->ifindex);
	if ((a->flags ^ b->flags) & NH_F_DOWN)
		printf(" %s -> %s", b->flags & NH_F_DOWN ? "down" : "up",
		       a->flags & NH_F_DOWN ? "down" : "up");
	if (a->kind != b->kind)
		printf(" kind %s -> %s", nh_kind_name(b->kind), nh_kind_name(a->kind));
	if (!if_nametoindex(a->ifname))
		printf(" (interface gone)");
	printf("\n");
}

/* One refresh, its changes printed; the lock is let go for others. */
static int refresh_once(void *arg)
{
	struct anyxdp_maps *m = arg;
	struct steer_refresh_report r;
	size_t i;
	int err = steer_refresh(m, &r);

	maps_unlock(m);
	if (err)
		return err;
	for (i = 0; i < r.n; i++)
		refresh_line(&r.v[i]);
	free(r.v);
	fflush(stdout);
	return 0;
}

static int cmd_route_refresh(int argc, char **argv)
{
	struct steer_refresh_report r;
	struct anyxdp_maps m;
	bool watch = false;
	size_t i;
	int err;

	if (wants_help(argc, argv))
		return cli_usage(route_refresh_help, false);
	if (argc == 2 && !strcmp(argv[1], "--watch"))
		watch = true;
	else if (argc != 1)
		return cli_usage(route_refresh_help, true);
	err = cli_open_maps(&m, true);
	if (err)
		return err;
	if (watch) {
		err = refresh_once(&m);
		if (!err) {
			log_info("following link changes; Ctrl-C or SIGTERM stops");
			err = link_watch(refresh_once, &m);
		}
		maps_close(&m);
		return err;
	}
	err = steer_refresh(&m, &r);
	maps_close(&m);
	if (err)
		return err;
	for (i = 0; i < r.n; i++)
		refresh_line(&r.v[i]);
	printf("refreshed %zu next hops, %zu changed\n", r.checked, r.n);
	free(r.v);
	return 0;
}

int cmd_route(int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "add", cmd_route_add, "", "" },
		{ "del", cmd_route_del, "", "" },
		{ "list", cmd_route_list, "", "" },
		{ "refresh", cmd_route_refresh, "", "" },
		{}
	};

	return run_group(cmds, route_help, argc, argv);
}

/* ---- config ---- */

static const char config_help[] =
	"Usage: anyxdp config check [FILE]\n"
	"       anyxdp config apply [FILE] [--dry-run]\n"
	"The config file (default " CONF_DEFAULT_FILE "), one item a line, '#'\n"
	"comments:\n"
	"  prefix 198.51.100.0/24\n"
	"  route 198.51.100.0/27 dev wg-site via fe80::2 [metric N] [mtu N] [kind K]\n"
	"  mss-clamp auto|off|N      (used by 'anyxdp attach')\n"
	"  icmp-rate N               (used by 'anyxdp attach')\n"
	"  uplink IFACE [mode M]     ('anyxdp attach' with no IFACE; anyxdp.service)\n"
	"  tunnels GLOB[,GLOB...]    (as 'anyxdp attach --tunnels')\n"
	"See anyxdp(8).\n";

static const char config_check_help[] =
	"Usage: anyxdp config check [FILE]\n"
	"Parse FILE (default " CONF_DEFAULT_FILE ") and check it: syntax, duplicates,\n"
	"overlapping served prefixes, routes outside served prefixes. Touches no maps\n"
	"and needs no privileges. Errors are FILE:LINE: reason.\n";

static const char config_apply_help[] =
	"Usage: anyxdp config apply [FILE] [--dry-run]\n"
	"Make the served prefixes and the static routes equal FILE (default\n"
	CONF_DEFAULT_FILE "): add, change and remove. Learned next hops stay, except\n"
	"in served prefixes the file drops. Nothing changes if FILE has an error.\n"
	"Interfaces that do not exist yet are stored as down ('anyxdp route refresh'\n"
	"picks them up). --dry-run: say what would change.\n";

/* [FILE] [flag]; returns the file (default if none) or NULL on misuse. */
static const char *config_args(int argc, char **argv, const char *flag, bool *flag_set)
{
	const char *file = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag))
			*flag_set = true;
		else if (argv[i][0] == '-' && argv[i][1] && !file) {
			log_err("unknown option '%s'", argv[i]);
			return NULL;
		} else if (file) {
			return NULL;
		} else {
			file = argv[i];
		}
	}
	return file ? file : CONF_DEFAULT_FILE;
}

static int cmd_config_check(int argc, char **argv)
{
	struct anyxdp_conf c;
	const char *file;

	if (wants_help(argc, argv))
		return cli_usage(config_check_help, false);
	file = config_args(argc, argv, NULL, NULL);
	if (!file)
		return cli_usage(config_check_help, true);
	if (conf_parse_file(file, &c)) {
		log_err("%s", c.err);
		return -EBADCONF;
	}
	printf("%s: OK: %zu served prefixes, %zu routes", file, c.n_prefix, c.n_route);
	if (c.mss_clamp == 0)
		printf(", mss-clamp off");
	else if (c.mss_clamp > 0 && c.mss_max)
		printf(", mss-clamp %u", c.mss_max);
	else if (c.mss_clamp > 0)
		printf(", mss-clamp auto");
	if (c.icmp_rate >= 0)
		printf(", icmp-rate %ld", c.icmp_rate);
	if (c.uplink_line)
		printf(", uplink %s%s", c.uplink, c.uplink_mode == ATTACH_SKB ? " mode skb" : "");
	if (c.tunnels_line)
		printf(", tunnels %s", c.tunnels[0] ? c.tunnels : "none");
	printf("\n");
	conf_free(&c);
	return 0;
}

static int cmd_config_apply(int argc, char **argv)
{
	struct conf_apply_report r;
	struct anyxdp_maps m;
	struct anyxdp_conf c;
	bool dry_run = false;
	const char *file;
	int err;

	if (wants_help(argc, argv))
		return cli_usage(config_apply_help, false);
	file = config_args(argc, argv, "--dry-run", &dry_run);
	if (!file)
		return cli_usage(config_apply_help, true);
	err = require_privileges();
	if (err)
		return err;
	if (conf_parse_file(file, &c)) {
		log_err("%s", c.err);
		log_err("%s: not applied; the maps are unchanged", file);
		return -EBADCONF;
	}
	err = cli_open_maps(&m, true);
	if (!err) {
		err = conf_apply(&m, &c, dry_run, &r);
		maps_close(&m);
	}
	if (!err)
		print_apply(&c, &r, dry_run);
	conf_free(&c);
	return err;
}

int cmd_config(int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "check", cmd_config_check, "", "" },
		{ "apply", cmd_config_apply, "", "" },
		{}
	};

	return run_group(cmds, config_help, argc, argv);
}

