// SPDX-License-Identifier: GPL-2.0
/*
 * anyxdp sync: the long-running process that keeps learned next hops
 * equal to the routes a Babel daemon selected. One poll loop over the
 * source (babeld's local interface or kernel routes), link events and
 * signals; the work per event is in sync.c.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "conf.h"
#include "linkwatch.h"
#include "src_babel.h"
#include "src_netlink.h"
#include "steer.h"
#include "sync.h"
#include "tunnel.h"

#define MAX_GLOBS 32
#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 10000
#define LINK_SETTLE_MS 50	/* a tunnel going away is a burst of events */
#define RETRY_NOT_SERVED_MS 5000
#define ONCE_TIMEOUT_MS 10000
#define DEFAULT_GRACE_S 30
#define DEFAULT_HOLD_MS 100

static const char sync_help[] =
	"Usage: anyxdp sync [--babel ADDR | --babel-socket PATH | --netlink [--proto LIST]\n"
	"                   [--table N]] [--iface GLOB]... [--grace SECONDS]\n"
	"                   [--withdraw-hold MS] [--quiet]\n"
	"                   [--once [--dry-run]] [--config FILE | --no-config]\n"
	"       anyxdp sync status [--json]\n"
	"Keep the learned next hops of the served prefixes equal to the routes the\n"
	"Babel daemon selected. Runs in the foreground and logs to stderr.\n"
	"\n"
	"  --babel ADDR          babeld's local interface (babeld: local-port N);\n"
	"                        default [::1]:33123\n"
	"  --babel-socket PATH   babeld's local interface on a unix socket (local-path)\n"
	"  --netlink             kernel routes instead (BIRD's babel, or any daemon)\n"
	"  --proto LIST          with --netlink: route protocols to take, by name or\n"
	"                        number (default babel; BIRD installs 'bird')\n"
	"  --table N             with --netlink: routing table (default main)\n"
	"  --iface GLOB          take routes only via interfaces matching GLOB ('wg-*');\n"
	"                        repeat or separate with commas. Default: any interface\n"
	"  --grace SECONDS       keep routes this long after losing the daemon, or from\n"
	"                        a previous run, until confirmed (default 30)\n"
	"  --withdraw-hold MS    write a withdrawal only if the daemon is still there\n"
	"                        this much later (babeld withdraws everything when it\n"
	"                        exits; default 100, 0: at once)\n"
	"  --once                read the daemon's table, apply it, print the changes, exit\n"
	"  --dry-run             with --once: print the changes, change nothing\n"
	"  --quiet               do not log each route change\n"
	"  --config FILE         apply FILE's prefixes and static routes at start and on\n"
	"                        SIGHUP (default " CONF_DEFAULT_FILE " if present)\n"
	"  --no-config           do not read a config file\n"
	"\n"
	"Static routes ('anyxdp route add') keep precedence. Routes outside the served\n"
	"prefixes, via other interfaces, or source-specific are ignored and counted:\n"
	"see 'anyxdp sync status'. SIGTERM stops (learned routes stay in the map, so\n"
	"forwarding goes on); SIGHUP re-reads the config and re-checks every route.\n"
	"Interfaces that appear and match the globs of 'anyxdp attach --tunnels' get\n"
	"the return-path program (see 'anyxdp tunnel --help').\n";

struct sync_cli {
	const char *babel, *babel_socket, *config, *proto, *table;
	bool netlink, once, dry_run, quiet, no_config;
	unsigned long grace_s, hold_ms;
	char *globs[MAX_GLOBS];
	size_t n_globs;
};

struct loop {
	struct sync_cli *a;
	struct anyxdp_maps m;
	struct sync *s;
	struct babel_source *bs;
	struct nl_source_opts nlo;
	struct nl_source *ns;
	int sig_fd, link_fd;
	bool connected, synced_once, sweep_on_sync, stop;
	int exit_err;
	unsigned int backoff_ms;
	uint64_t next_try, grace_until, link_due, retry_due, once_deadline;
	char name[160];
};

static uint64_t ms(uint64_t v)
{
	return v * 1000000ull;
}

/* ---- options ---- */

static int add_globs(struct sync_cli *a, char *arg)
{
	char *tok, *save = NULL;

	if (!*arg || strstr(arg, ",,") || arg[strlen(arg) - 1] == ',') {
		log_err("--iface: empty pattern in '%s'", arg);
		return -EINVAL;
	}
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!*tok || strlen(tok) >= 64) {
			log_err("--iface: empty or over-long pattern '%s'", tok);
			return -EINVAL;
		}
		if (a->n_globs == MAX_GLOBS) {
			log_err("--iface: at most %d patterns", MAX_GLOBS);
			return -EINVAL;
		}
		a->globs[a->n_globs++] = tok;
	}
	return 0;
}

static int sync_opt(int c, struct sync_cli *a)
{
	switch (c) {
	case 'b': a->babel = optarg; return 0;
	case 'u': a->babel_socket = optarg; return 0;
	case 'n': a->netlink = true; return 0;
	case 'p': a->proto = optarg; return 0;
	case 't': a->table = optarg; return 0;
	case 'i': return add_globs(a, optarg);
	case 'g': return parse_uint("--grace", optarg, 86400, &a->grace_s);
	case 'w': return parse_uint("--withdraw-hold", optarg, 10000, &a->hold_ms);
	case '1': a->once = true; return 0;
	case 'd': a->dry_run = true; return 0;
	case 'q': a->quiet = true; return 0;
	case 'f': a->config = optarg; return 0;
	case 'N': a->no_config = true; return 0;
	case 'h': return cli_usage(sync_help, false), 1;
	default: return cli_usage(sync_help, true);
	}
}

static int check_args(struct sync_cli *a)
{
	int sources = !!a->babel + !!a->babel_socket + a->netlink;

	if (sources > 1) {
		log_err("choose one source: --babel, --babel-socket or --netlink");
		return -EINVAL;
	}
	if ((a->proto || a->table) && !a->netlink) {
		log_err("--proto and --table go with --netlink");
		return -EINVAL;
	}
	if (a->dry_run && !a->once) {
		log_err("--dry-run goes with --once");
		return -EINVAL;
	}
	if (a->config && a->no_config) {
		log_err("--config and --no-config exclude each other");
		return -EINVAL;
	}
	if (!sources)
		a->babel = "[::1]:" BABEL_DEFAULT_PORT;
	return 0;
}

static int sync_args(int argc, char **argv, struct sync_cli *a)
{
	static const struct option lo[] = {
		{ "babel", required_argument, NULL, 'b' },
		{ "babel-socket", required_argument, NULL, 'u' },
		{ "netlink", no_argument, NULL, 'n' },
		{ "proto", required_argument, NULL, 'p' },
		{ "table", required_argument, NULL, 't' },
		{ "iface", required_argument, NULL, 'i' },
		{ "grace", required_argument, NULL, 'g' },
		{ "withdraw-hold", required_argument, NULL, 'w' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "config", required_argument, NULL, 'f' },
		{ "no-config", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, err;

	a->grace_s = DEFAULT_GRACE_S;
	a->hold_ms = DEFAULT_HOLD_MS;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		err = sync_opt(c, a);
		if (err)
			return err;
	}
	if (optind != argc) {
		log_err("unexpected argument '%s'", argv[optind]);
		return cli_usage(sync_help, true);
	}
	return check_args(a);
}

/* ---- the config file ---- */

static const char *config_file(const struct sync_cli *a)
{
	if (a->no_config)
		return NULL;
	if (a->config)
		return a->config;
	return access(CONF_DEFAULT_FILE, F_OK) ? NULL : CONF_DEFAULT_FILE;
}

/* At start a bad file is fatal; on SIGHUP it is reported and the
 * running state kept (a routing daemon's sync must not die of a typo). */
static int apply_config(struct loop *l, bool at_start)
{
	const char *file = config_file(l->a);
	struct conf_apply_report r;
	struct anyxdp_conf c;
	int err;

	if (!file)
		return 0;
	if (conf_parse_file(file, &c)) {
		log_err("%s", c.err);
		if (!at_start)
			log_err("config not applied; the running prefixes and routes stay");
		return -EBADCONF;
	}
	err = maps_lock(&l->m);
	if (!err)
		err = conf_apply(&l->m, &c, l->a->dry_run, &r);
	maps_unlock(&l->m);
	if (!err)
		log_info("%s%s: %zu served prefixes, %zu static routes (%zu changes)",
			 l->a->dry_run ? "dry run: " : "", file, c.n_prefix, c.n_route,
			 r.prefixes_added + r.prefixes_removed + r.routes_added +
			 r.routes_changed + r.routes_removed);
	conf_free(&c);
	return err;
}

/* ---- the source ---- */

static int source_setup(struct loop *l)
{
	char err[256];
	int rc;

	if (l->a->netlink) {
		if (l->a->proto && nlsrc_parse_protos(l->a->proto, &l->nlo, err, sizeof(err))) {
			log_err("--proto: %s", err);
			return -EINVAL;
		}
		if (l->a->table && nlsrc_parse_table(l->a->table, &l->nlo.table)) {
			log_err("--table: invalid table '%s' (main, local, default or 1-4294967295)",
				l->a->table);
			return -EINVAL;
		}
		snprintf(l->name, sizeof(l->name), "netlink");
		return 0;
	}
	rc = l->a->babel_socket ? babelsrc_new(&l->bs, l->a->babel_socket, true, err, sizeof(err)) :
				  babelsrc_new(&l->bs, l->a->babel, false, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	snprintf(l->name, sizeof(l->name), "%s", babelsrc_name(l->bs));
	return 0;
}

static int source_fd(struct loop *l)
{
	if (!l->connected)
		return -1;
	return l->ns ? nlsrc_fd(l->ns) : babelsrc_fd(l->bs);
}

static int source_connect(struct loop *l)
{
	int err;

	if (l->a->netlink) {
		err = nlsrc_open(&l->ns, &l->nlo);
		if (!err)
			snprintf(l->name, sizeof(l->name), "%s", nlsrc_name(l->ns));
		return err;
	}
	return babelsrc_connect(l->bs);
}

static void source_disconnect(struct loop *l)
{
	if (l->ns)
		nlsrc_close(l->ns);
	l->ns = NULL;
	if (l->bs)
		babelsrc_disconnect(l->bs);
	l->connected = false;
}

static int source_read(struct loop *l, struct src_events *ev)
{
	return l->ns ? nlsrc_read(l->ns, sync_rib(l->s), ev) :
		       babelsrc_read(l->bs, sync_rib(l->s), ev);
}

/* The grace deadline on the wall clock, for status; 0 if none. */
static uint64_t grace_rt(const struct loop *l)
{
	uint64_t now = now_mono_ns();

	if (!l->grace_until)
		return 0;
	return now_realtime_ns() + (l->grace_until > now ? l->grace_until - now : 0);
}

static void try_connect(struct loop *l)
{
	int err = source_connect(l);
	uint64_t now = now_mono_ns();

	if (!err) {
		l->connected = true;
		l->next_try = 0;
		sync_set_state(l->s, SYNC_DUMPING, grace_rt(l));
		log_info("connected to %s", l->name);
		return;
	}
	if (l->a->once) {
		log_err("cannot connect to %s: %s", l->name, strerror(-err));
		l->exit_err = err;
		l->stop = true;
		return;
	}
	log_warn("cannot connect to %s: %s; next try in %u ms", l->name, strerror(-err),
		 l->backoff_ms);
	l->next_try = now + ms(l->backoff_ms);
	l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
}

/* Keep what we have for the grace period: babeld restarting, or a
 * socket hiccup, must not empty the map. */
static void on_lost(struct loop *l, int err)
{
	uint64_t now = now_mono_ns();

	source_disconnect(l);
	rib_clear(sync_rib(l->s));
	sync_mark_stale(l->s);
	sync_count_reconnect(l->s);
	log_warn("lost %s: %s; keeping %zu learned routes for %lu s, reconnecting",
		 l->name, err == -EPIPE ? "connection closed" : strerror(-err),
		 sync_stale_count(l->s), l->a->grace_s);
	l->grace_until = now + ms(l->a->grace_s * 1000);
	l->next_try = now + ms(l->backoff_ms);
	sync_set_state(l->s, SYNC_GRACE, grace_rt(l));
	if (l->a->once) {
		log_err("%s closed before its table was complete", l->name);
		l->exit_err = -EPIPE;
		l->stop = true;
	}
}

static void on_synced(struct loop *l)
{
	l->backoff_ms = BACKOFF_MIN_MS;
	if (l->sweep_on_sync) {
		sync_sweep_stale(l->s);
		l->sweep_on_sync = false;
		l->grace_until = 0;
	}
	sync_set_state(l->s, SYNC_RUNNING, grace_rt(l));
	if (!l->synced_once)
		log_info("%s: table read, %zu routes", l->name, rib_routes(sync_rib(l->s)));
	l->synced_once = true;
	if (l->a->once)
		l->stop = true;
}

static void on_readable(struct loop *l)
{
	struct src_events ev = {};
	int err = source_read(l, &ev);

	sync_count_events(l->s, &ev);
	if (ev.resync) {
		/* The kernel dropped events: its fresh dump is the truth. */
		sync_mark_stale(l->s);
		l->sweep_on_sync = true;
	}
	sync_process(l->s, ev.read_ns);
	if (ev.synced)
		on_synced(l);
	if (err)
		on_lost(l, err);
}

/* ---- links, signals, timers ---- */

/* Tunnels matching `anyxdp attach --tunnels` that came up since: the
 * return path has to be on them before their first reply. */
static void attach_new_tunnels(struct loop *l)
{
	char globs[TUN_GLOBS_MAX + 1];
	int n, err;

	if (l->a->dry_run || l->a->once || tun_globs_get(&l->m, globs, sizeof(globs)) ||
	    !*globs)
		return;
	err = maps_lock(&l->m) ?: tun_attach_matching(&l->m, globs, NULL, true, &n);
	maps_unlock(&l->m);
	if (err)
		log_warn("attaching the tunnel program to new tunnels: %s", strerror(-err));
}

static void on_links(struct loop *l)
{
	attach_new_tunnels(l);
	if (!l->a->dry_run) {
		/* Static next hops too: the same job as 'route refresh --watch'. */
		int err = steer_refresh(&l->m, NULL);

		maps_unlock(&l->m);
		if (err)
			log_warn("refreshing next hops after a link change: %s", strerror(-err));
	}
	sync_links_changed(l->s);
	sync_process(l->s, 0);
}

static int signals_open(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: re-reading the config, re-checking every route");
			apply_config(l, false);
			sync_links_changed(l->s);
			sync_process(l->s, 0);
			continue;
		}
		log_info("%s: stopping; the learned routes stay in the map",
			 strsignal(si.ssi_signo));
		l->stop = true;
	}
}

static void run_timers(struct loop *l)
{
	uint64_t now = now_mono_ns();

	if (!l->connected && !l->stop && now >= l->next_try)
		try_connect(l);
	if (l->grace_until && now >= l->grace_until) {
		if (sync_stale_count(l->s))
			log_info("grace period over: removing %zu routes not confirmed by %s",
				 sync_stale_count(l->s), l->name);
		else
			log_info("grace period over: %s confirmed every route", l->name);
		l->grace_until = 0;
		sync_sweep_stale(l->s);
		sync_set_state(l->s, l->connected ? SYNC_RUNNING : SYNC_CONNECTING, 0);
	}
	if (sync_hold_due(l->s) && now >= sync_hold_due(l->s))
		sync_release_holds(l->s);
	if (l->link_due && now >= l->link_due) {
		l->link_due = 0;
		on_links(l);
	}
	if (now >= l->retry_due) {
		l->retry_due = now + ms(RETRY_NOT_SERVED_MS);
		sync_retry_not_served(l->s);
		sync_process(l->s, 0);
	}
	if (l->once_deadline && now >= l->once_deadline) {
		log_err("%s did not send its whole table within %d s", l->name,
			ONCE_TIMEOUT_MS / 1000);
		l->exit_err = -ETIMEDOUT;
		l->stop = true;
	}
	sync_publish(l->s, false);
}

static int next_timeout(const struct loop *l)
{
	uint64_t now = now_mono_ns(), due = now + ms(1000);
	uint64_t t[] = { l->connected ? 0 : l->next_try, l->grace_until, l->link_due,
			 l->retry_due, l->once_deadline, sync_publish_due(l->s),
			 sync_hold_due(l->s) };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] && t[i] < due)
			due = t[i];
	return due <= now ? 0 : (int)((due - now + 999999) / 1000000);
}

static void loop_once(struct loop *l)
{
	struct pollfd p[3] = {
		{ .fd = l->sig_fd, .events = POLLIN },
		{ .fd = l->link_fd, .events = POLLIN },
		{ .events = POLLIN },
	};

	run_timers(l);
	if (l->stop)
		return;
	p[2].fd = source_fd(l);	/* after run_timers(): it may have connected */
	if (poll(p, 3, next_timeout(l)) < 0) {
		if (errno != EINTR)
			log_warn("poll: %s", strerror(errno));
		return;
	}
	if (p[0].revents)
		on_signal(l);
	if (p[1].revents) {
		link_watch_drain(l->link_fd);
		if (!l->link_due)
			l->link_due = now_mono_ns() + ms(LINK_SETTLE_MS);
	}
	if (p[2].revents && l->connected && !l->stop)
		on_readable(l);
}

/* ---- setup ---- */

static int loop_setup(struct loop *l, struct sync_cli *a)
{
	struct sync_opts o = {
		.iface_globs = (const char *const *)a->globs,
		.n_iface_globs = a->n_globs,
		.dry_run = a->dry_run,
		.print_changes = a->once,
		.log_changes = !a->once && !a->quiet,
		.withdraw_hold_ns = a->hold_ms * 1000000ull,
		.source_kind = a->netlink ? SYNC_SRC_NETLINK : SYNC_SRC_BABELD,
	};
	int err;

	l->a = a;
	l->sig_fd = l->link_fd = -1;
	l->backoff_ms = BACKOFF_MIN_MS;
	err = source_setup(l) ?: cli_open_maps(&l->m, false) ?: maps_have_steer(&l->m);
	if (err)
		return err;
	err = apply_config(l, true);
	if (err)
		return err;
	o.source_name = l->name;
	err = sync_new(&l->s, &l->m, &o);
	if (err)
		return err;
	l->sig_fd = signals_open();
	l->link_fd = link_watch_open();
	if (l->sig_fd < 0 || l->link_fd < 0) {
		err = l->sig_fd < 0 ? l->sig_fd : l->link_fd;
		log_err("cannot set up signals and link events: %s", strerror(-err));
		return err;
	}
	/* Routes a previous run left are kept until the first table read
	 * confirms them, or the grace period ends without one. */
	l->sweep_on_sync = true;
	if (sync_stale_count(l->s))
		l->grace_until = now_mono_ns() + ms(a->grace_s * 1000);
	if (a->once)
		l->once_deadline = now_mono_ns() + ms(ONCE_TIMEOUT_MS);
	if (!a->n_globs && !a->once)
		log_warn("no --iface given: routes via any interface are accepted");
	attach_new_tunnels(l);
	return 0;
}

static void loop_teardown(struct loop *l)
{
	source_disconnect(l);
	babelsrc_free(l->bs);
	sync_free(l->s);
	if (l->sig_fd >= 0)
		close(l->sig_fd);
	if (l->link_fd >= 0)
		close(l->link_fd);
	if (l->m.dir[0])
		maps_close(&l->m);
}

static void print_summary(struct loop *l)
{
	const struct sync_report *r = sync_report(l->s);
	size_t ign = 0;
	int i;

	for (i = 1; i < SYNC_IGN_MAX; i++)
		ign += rib_ignored(sync_rib(l->s), i);
	printf("%s%s: %zu routes read; %zu %s, %zu %s, %zu %s; %zu ignored%s\n",
	       l->a->dry_run ? "dry run: " : "", l->name, rib_routes(sync_rib(l->s)),
	       r->added, l->a->dry_run ? "to add" : "added",
	       r->changed, l->a->dry_run ? "to change" : "changed",
	       r->removed, l->a->dry_run ? "to remove" : "removed", ign,
	       l->a->dry_run ? "; nothing changed" : "");
}

static int sync_run(int argc, char **argv)
{
	struct sync_cli a = {};
	struct loop l = {};
	int err;

	err = sync_args(argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	err = loop_setup(&l, &a);
	if (!err) {
		if (!a.once)
			log_info("following %s; pin dir %s", l.name, l.m.dir);
		while (!l.stop)
			loop_once(&l);
		err = l.exit_err;
		if (!err && a.once)
			print_summary(&l);
	}
	loop_teardown(&l);
	return err;
}

/* ---- anyxdp sync status ---- */

static const char status_help[] =
	"Usage: anyxdp sync status [--json]\n"
	"The route sync's state: source, routes, updates and their latency, and the\n"
	"routes it ignores, with the reason.\n";

static void ign_addr(const struct sync_ignored_key *k, const __u8 *addr, int plen,
		     char *buf, size_t len)
{
	struct prefix p = { .family = k->family, .plen = plen };

	memcpy(p.addr, addr, sizeof(p.addr));
	prefix_format(&p, buf, len);
}

static void ign_print(const struct sync_ignored_key *k, const struct sync_ignored_val *v,
		      bool json, bool first)
{
	char pf[PREFIX_STRLEN], from[PREFIX_STRLEN], via[64] = "", t[64];

	ign_addr(k, k->addr, k->prefixlen, pf, sizeof(pf));
	ign_addr(k, k->from, k->from_len, from, sizeof(from));
	if (v->via_family)
		inet_ntop(v->via_family, v->via, via, sizeof(via));
	fmt_time_ns(v->since_ns, t, sizeof(t));
	if (!json) {
		printf("  %s%s%s dev %s%s%s metric %u: %s since %s\n", pf,
		       k->from_len ? " from " : "", k->from_len ? from : "",
		       k->ifname[0] ? k->ifname : "-", via[0] ? " via " : "", via, v->metric,
		       sync_ignore_name(v->reason), t);
		return;
	}
	printf("%s{\"prefix\":\"%s\",\"from\":\"%s\",\"dev\":", first ? "" : ",", pf, from);
	json_str(stdout, k->ifname);
	printf(",\"via\":\"%s\",\"metric\":%u,\"reason\":\"%s\",\"since\":\"%s\"}", via,
	       v->metric, sync_ignore_name(v->reason), t);
}

static void ignored_list(int fd, bool json)
{
	struct sync_ignored_key k, next;
	struct sync_ignored_val v;
	void *kp = NULL;
	bool first = true;

	while (!bpf_map_get_next_key(fd, kp, &next)) {
		k = next;
		kp = &k;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		ign_print(&k, &v, json, first);
		first = false;
	}
}

static void status_text(const struct sync_status *st, int ign_fd)
{
	char t1[64], t2[64];
	const char *state;
	bool alive;
	__u32 ign = 0;
	int i;

	state = sync_state_now(st, &alive);
	for (i = 1; i < SYNC_IGN_MAX; i++)
		ign += st->ignored[i];
	printf("sync: %s", state);
	if (st->pid)
		printf(" (pid %u%s)", st->pid, alive ? "" : ", not running");
	printf(", source %s\n", st->source_name[0] ? st->source_name : "-");
	printf("  started %s, connected %s\n", fmt_time_ns(st->started_ns, t1, sizeof(t1)),
	       st->connected_ns ? fmt_time_ns(st->connected_ns, t2, sizeof(t2)) : "no");
	if (st->state == SYNC_GRACE)
		printf("  grace: stale routes go at %s\n",
		       fmt_time_ns(st->grace_until_ns, t1, sizeof(t1)));
	printf("  routes: %u learned in the map (%u stale), %u from the daemon\n",
	       st->routes, st->stale, st->rib_routes);
	printf("  updates: %llu, last %s; latency p50 %u us, p99 %u us, max %u us\n",
	       ull(st->updates), fmt_time_ns(st->last_update_ns, t1, sizeof(t1)),
	       st->lat_p50_us, st->lat_p99_us, st->lat_max_us);
	printf("  input: %llu lines, %llu malformed; %llu reconnects; %llu errors\n",
	       ull(st->lines), ull(st->malformed), ull(st->reconnects), ull(st->errors));
	printf("  ignored: %u", ign);
	for (i = 1; i < SYNC_IGN_MAX; i++)
		if (st->ignored[i])
			printf(", %s %u", sync_ignore_name(i), st->ignored[i]);
	printf("\n");
	ignored_list(ign_fd, false);
}

static void status_json(const struct sync_status *st, int ign_fd)
{
	char t1[64], t2[64], t3[64], t4[64];
	const char *state;
	bool alive;
	int i;

	state = sync_state_now(st, &alive);
	printf("{\"state\":\"%s\",\"pid\":%u,\"running\":%s,\"source\":\"%s\",\"source_name\":",
	       state, st->pid, alive ? "true" : "false",
	       st->source == SYNC_SRC_NETLINK ? "netlink" : st->source == SYNC_SRC_BABELD ?
	       "babeld" : "");
	json_str(stdout, st->source_name);
	printf(",\"started\":\"%s\",\"connected\":\"%s\",\"grace_until\":\"%s\","
	       "\"last_update\":\"%s\"", fmt_time_ns(st->started_ns, t1, sizeof(t1)),
	       fmt_time_ns(st->connected_ns, t2, sizeof(t2)),
	       fmt_time_ns(st->state == SYNC_GRACE ? st->grace_until_ns : 0, t3, sizeof(t3)),
	       fmt_time_ns(st->last_update_ns, t4, sizeof(t4)));
	printf(",\"routes\":%u,\"stale\":%u,\"rib_routes\":%u,\"updates\":%llu,\"lines\":%llu,"
	       "\"malformed\":%llu,\"reconnects\":%llu,\"errors\":%llu", st->routes, st->stale,
	       st->rib_routes, ull(st->updates), ull(st->lines), ull(st->malformed),
	       ull(st->reconnects), ull(st->errors));
	printf(",\"latency_us\":{\"p50\":%u,\"p99\":%u,\"max\":%u}", st->lat_p50_us,
	       st->lat_p99_us, st->lat_max_us);
	printf(",\"ignored_by_reason\":{");
	for (i = 1; i < SYNC_IGN_MAX; i++)
		printf("%s\"%s\":%u", i > 1 ? "," : "", sync_ignore_name(i), st->ignored[i]);
	printf("},\"ignored\":[");
	ignored_list(ign_fd, true);
	printf("]}\n");
}

static int sync_status_cmd(int argc, char **argv)
{
	struct sync_status st;
	struct anyxdp_maps m;
	int err, sfd = -1, ifd = -1;
	__u32 zero = 0;
	bool json;

	err = cli_json_opt(argc, argv, status_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = maps_open_sync(&m, &sfd, &ifd, false);
	if (err == -ENOENT) {
		log_err("anyxdp sync has not run with the pin dir %s", m.dir);
		goto out;
	}
	if (!err && bpf_map_lookup_elem(sfd, &zero, &st))
		err = -errno;
	/* The maps come with the others; only a run fills them in. */
	if (!err && !st.started_ns)
		err = -ENOENT;
	if (err == -ENOENT) {
		log_err("anyxdp sync has not run with the pin dir %s", m.dir);
		goto out;
	}
	if (err) {
		log_err("cannot read the sync state in %s: %s", m.dir, strerror(-err));
		goto out;
	}
	if (json)
		status_json(&st, ifd);
	else
		status_text(&st, ifd);
out:
	if (sfd >= 0)
		close(sfd);
	if (ifd >= 0)
		close(ifd);
	maps_close(&m);
	return err;
}

void sync_summary(struct anyxdp_maps *m, bool json)
{
	struct sync_status st = {};
	int sfd = -1, ifd = -1, i;
	const char *state;
	__u32 zero = 0, ign = 0;
	bool alive;

	if (maps_open_sync(m, &sfd, &ifd, false) || bpf_map_lookup_elem(sfd, &zero, &st))
		st.started_ns = 0;
	if (sfd >= 0)
		close(sfd);
	if (ifd >= 0)
		close(ifd);
	if (!st.started_ns) {
		printf(json ? "null" : "sync:       not run with this pin dir\n");
		return;
	}
	state = sync_state_now(&st, &alive);
	for (i = 1; i < SYNC_IGN_MAX; i++)
		ign += st.ignored[i];
	if (json) {
		printf("{\"state\":\"%s\",\"pid\":%u,\"source_name\":", state, st.pid);
		json_str(stdout, st.source_name);
		printf(",\"routes\":%u,\"stale\":%u,\"ignored\":%u}", st.routes, st.stale, ign);
		return;
	}
	printf("sync:       %s (pid %u), %s: %u learned routes (%u stale), %u ignored "
	       "('anyxdp sync status')\n", state, st.pid, st.source_name, st.routes, st.stale, ign);
}

int cmd_sync(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "status"))
		return sync_status_cmd(argc - 1, argv + 1);
	return sync_run(argc, argv);
}
