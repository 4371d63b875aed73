// SPDX-License-Identifier: GPL-2.0
/*
 * anyxdp top: a live view of the rates by verdict and reason and of the
 * busiest served prefixes and routes, like top(1). Every interval it
 * takes a snapshot (snapshot.h) and shows the difference to the previous
 * one over the monotonic time between them.
 */
#define _GNU_SOURCE		/* memfd_create, ppoll */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "attach.h"
#include "cli.h"
#include "cmds.h"
#include "common.h"
#include "maps.h"
#include "snapshot.h"
#include "steer.h"

static const char top_help[] =
	"Usage: anyxdp top [--interval SECONDS] [--batch] [-n COUNT]\n"
	"Live view, refreshed every interval: where the programs are attached, the\n"
	"blocklist and the route sync; packets/s and bits/s by verdict (pass, drop,\n"
	"steer, tx, forward) and the busiest reasons; then the served prefixes and\n"
	"routes, busiest first, with their rates by verdict and next hop.\n"
	"Keys: q quit, space refresh now. Ctrl-C quits too.\n\n"
	"  -d, --interval S   seconds between refreshes, 0.1 to 3600 (default 1)\n"
	"  -b, --batch        plain text frames on stdout, one per interval, no\n"
	"                     terminal control (for scripts and logs); the first\n"
	"                     frame comes after one interval\n"
	"  -n, --count N      stop after N frames (default: until q)\n"
	"Without --batch, stdout must be a terminal.\n";

#define TOP_REASONS 5		/* busiest reasons beside the verdicts */
#define BATCH_COLS 160
#define MAX_UPLINKS 16

static const char *const reason_names[R_MAX] = ANYXDP_REASON_NAMES;
static const char *const verdict_names[V_MAX] = ANYXDP_VERDICT_NAMES;
/* The verdicts shown, in this order; events are not packets' verdicts. */
static const int verdict_order[] = { V_PASS, V_DROP, V_STEER, V_TX, V_FORWARD };

struct top_opts {
	double interval;	/* seconds */
	unsigned long count;	/* frames; 0: no limit */
	bool batch;
};

/* A rate: packets and bits per second; pps < 0 when unknown. */
struct rate {
	double pps, bps;
};

/* Per prefix rates by verdict, for the table. */
enum { PC_STEER, PC_FWD, PC_DROP, PC_PASS, PC_TX, PC_MAX };
static const char pc_names[PC_MAX][16] = { "STEER/S", "FWD/S", "DROP/S", "PASS/S", "TX/S" };

struct prefix_row {
	const struct snap_prefix *p;
	struct rate total;
	double pps[PC_MAX];
};

struct top {
	struct top_opts o;
	struct anyxdp_maps m;
	bool open;
	ino_t stats_ino;	/* of the stats pin: a new one means new maps */
	struct snapshot cur, prev;
	bool have_cur, have_prev;
	char note[256];		/* what went wrong, shown in the frame */
	int rows, cols;
	FILE *out;		/* the frame being drawn */
	int lines;		/* lines written to it */
	int limit;		/* lines it may have: the last row is the footer's */
	size_t shown;		/* prefix rows that fitted */
};

/* ---- the terminal ---- */

static struct termios saved_tio;
static bool tio_saved, screen_on;
static volatile sig_atomic_t sig_quit, sig_winch, sig_tstp;
static int saved_stderr = -1, err_fd = -1;

static const char enter_seq[] = "\033[?1049h\033[?25l\033[H\033[2J";
static const char leave_seq[] = "\033[?25h\033[?1049l";

/* Async-signal-safe: also called from the fatal signal handler. */
static void screen_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	/* Nothing to do about a failed write on the way out. */
	if (screen_on)
		(void)!write(STDOUT_FILENO, leave_seq, sizeof(leave_seq) - 1);
}

static void on_fatal(int sig)
{
	screen_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		sig_winch = 1;
	else if (sig == SIGTSTP)
		sig_tstp = 1;
	else
		sig_quit = 1;
}

/* Quit and resize signals stay blocked but while waiting in ppoll(), so
 * none falls between a check of the flags and the wait. */
static void signals_setup(sigset_t *wait_mask, bool interactive)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	if (interactive)
		sigaddset(&block, SIGTSTP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	if (!interactive)
		return;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_fatal;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

/* While the screen is ours, messages written to stderr would scribble on
 * it: they go to a memory file instead, and the frame shows the last. */
static void stderr_capture(bool on)
{
	fflush(stderr);
	if (on && saved_stderr < 0) {
		err_fd = memfd_create("anyxdp-top-stderr", MFD_CLOEXEC);
		saved_stderr = err_fd < 0 ? -1 : dup(STDERR_FILENO);
		if (saved_stderr >= 0)
			dup2(err_fd, STDERR_FILENO);
	} else if (!on && saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		close(err_fd);
		saved_stderr = err_fd = -1;
	}
}

/* The last line written to the captured stderr, then forget it all. */
static void stderr_last(char *buf, size_t len)
{
	char tmp[4096], *nl, *start;
	ssize_t n;

	buf[0] = '\0';
	if (err_fd < 0)
		return;
	fflush(stderr);
	n = pread(err_fd, tmp, sizeof(tmp) - 1, 0);
	if (n > 0) {
		tmp[n] = '\0';
		while (n > 0 && tmp[n - 1] == '\n')
			tmp[--n] = '\0';
		nl = strrchr(tmp, '\n');
		start = nl ? nl + 1 : tmp;
		n = strlen(start);
		if ((size_t)n >= len)
			n = len - 1;
		memcpy(buf, start, n);
		buf[n] = '\0';
	}
	/* stderr shares this file's offset (dup), so both start over. */
	if (ftruncate(err_fd, 0) == 0)
		lseek(err_fd, 0, SEEK_SET);
}

static void term_size(struct top *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

/* cbreak: keys arrive one by one, unechoed; Ctrl-C still sends SIGINT. */
static int screen_enter(void)
{
	struct termios tio;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		tio = saved_tio;
		tio.c_lflag &= ~(ICANON | ECHO);
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		tio_saved = !tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio);
	}
	screen_on = true;
	if (write(STDOUT_FILENO, enter_seq, sizeof(enter_seq) - 1) < 0)
		return -errno;
	stderr_capture(true);
	return 0;
}

static void screen_leave(void)
{
	stderr_capture(false);
	screen_restore();
	tio_saved = screen_on = false;
}

/* Ctrl-Z: give the terminal back, stop, and take it again on fg. */
static void suspend(void)
{
	screen_leave();
	raise(SIGSTOP);
	screen_enter();
}

/* ---- numbers ---- */

static __u64 delta(__u64 now, __u64 before)
{
	/* Counters only shrink when the maps were made anew. */
	return now >= before ? now - before : 0;
}

static struct rate rate_of(const struct counter *now, const struct counter *before, double secs)
{
	struct rate r;

	r.pps = delta(now->packets, before->packets) / secs;
	r.bps = delta(now->bytes, before->bytes) * 8.0 / secs;
	return r;
}

/* Three significant digits with k, M, G, T: "0", "0.5", "87", "1.25k". */
static char *fmt_si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	int u = 0;

	if (v < 0 || isnan(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	while (v >= 999.5 && u < (int)sizeof(units) - 2) {
		v /= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, v > 0 && v < 9.95 && v != floor(v) ? "%.1f" : "%.0f", v);
	else
		snprintf(buf, len, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c",
			 v, units[u]);
	return buf;
}

/* "42s", "5m12s", "3h05m", "12d04h" */
static char *fmt_age(__u64 ns, char *buf, size_t len)
{
	unsigned long long s = ns / 1000000000ull;

	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
	return buf;
}

/* ---- the maps ---- */

static ino_t pin_ino(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	/* cli_global_opts() keeps pin dirs to 200 characters. */
	snprintf(path, sizeof(path), "%.200s/%s", dir, name);
	return stat(path, &st) ? 0 : st.st_ino;
}

static bool pins_all(const char *dir, const char *const *names)
{
	for (; *names; names++)
		if (!pin_ino(dir, *names))
			return false;
	return true;
}

/* A group of maps we opened without (an older pin dir, or one caught
 * while being made) that is pinned now: the names maps_open() wants. */
static bool pins_grew(const struct anyxdp_maps *m)
{
	static const char *const steer[] = { "steer_v4", "steer_v6", "steer_stats_v4",
					     "steer_stats_v6", "tx_ports", NULL };
	static const char *const tun[] = { "tun_stats_v4", "tun_stats_v6", "tunnels",
					   "tun_cfg", NULL };

	return (m->steer4 < 0 && pins_all(m->dir, steer)) ||
	       (m->tstats4 < 0 && pins_all(m->dir, tun));
}

static int top_open(struct top *t)
{
	int err = cli_open_maps(&t->m, false);

	if (err)
		return err;
	t->open = true;
	t->stats_ino = pin_ino(t->m.dir, "stats");
	return 0;
}

static void top_close(struct top *t)
{
	if (t->open)
		maps_close(&t->m);
	t->open = false;
	if (t->have_cur)
		snapshot_free(&t->cur);
	if (t->have_prev)
		snapshot_free(&t->prev);
	t->have_cur = t->have_prev = false;
}

/* The pins can go (the pin dir removed) or be made anew while we run:
 * our fds would keep reading the old maps, so follow the pins. */
static void top_follow_pins(struct top *t)
{
	const char *dir = pin_dir_resolve(opt_pin_dir);
	ino_t ino = pin_ino(dir, "stats");

	if (t->open && ino == t->stats_ino && !pins_grew(&t->m))
		return;
	top_close(t);
	if (!ino) {
		snprintf(t->note, sizeof(t->note),
			 "no anyxdp maps in %.200s now: waiting for them", dir);
		return;
	}
	if (top_open(t)) {
		stderr_last(t->note, sizeof(t->note));
		if (!t->note[0])
			snprintf(t->note, sizeof(t->note), "cannot open the maps in %.200s", dir);
	}
}

/* A new snapshot; the current one becomes the previous. */
static void top_sample(struct top *t)
{
	struct snapshot s;

	t->note[0] = '\0';
	top_follow_pins(t);
	if (!t->open)
		return;
	if (snapshot_take(&t->m, &s, 0)) {
		stderr_last(t->note, sizeof(t->note));
		if (!t->note[0])
			snprintf(t->note, sizeof(t->note), "cannot read the maps");
		return;
	}
	if (t->have_prev)
		snapshot_free(&t->prev);
	t->prev = t->cur;
	t->have_prev = t->have_cur;
	t->cur = s;
	t->have_cur = true;
}

static double top_secs(const struct top *t)
{
	if (!t->have_prev || t->cur.mono_ns <= t->prev.mono_ns)
		return 0;
	return (t->cur.mono_ns - t->prev.mono_ns) / 1e9;
}

/* ---- the frame ---- */

/* One line of the frame, cut to the terminal's width; lines past its
 * height are dropped (writing there would scroll). */
__attribute__((format(printf, 2, 3)))
static void line(struct top *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (t->lines >= t->limit)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > t->cols)
		n = t->cols;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	/* Erase the rest of each line instead of clearing the screen: no flicker. */
	fprintf(t->out, "%s%.*s%s", t->lines ? "\n" : "", n, buf,
		t->o.batch ? "" : "\033[K");
	t->lines++;
}

static void draw_uplinks(struct top *t)
{
	char buf[512] = "", name[IF_NAMESIZE];
	__u32 key, next, *kp = NULL, id;
	struct attach_info ai;
	size_t used = 0;
	int n = 0;

	while (n < MAX_UPLINKS && !bpf_map_get_next_key(t->m.attached, kp, &next)) {
		const char *state = "";

		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(t->m.attached, &key, &ai))
			continue;
		ai.ifname[sizeof(ai.ifname) - 1] = '\0';
		id = ai.prog_id;
		if (ai.netns_ino && ai.netns_ino != netns_ino())
			state = " [other netns]";
		else if (!if_indextoname(key, name) || strcmp(name, ai.ifname) ||
			 !xdp_is_attached(key, &id, NULL))
			state = " [NOT ATTACHED]";
		used += snprintf(buf + used, used < sizeof(buf) ? sizeof(buf) - used : 0,
				 "%s%s %s prog %u%s", n ? ", " : "", ai.ifname,
				 ai.mode == ATTACH_SKB ? "skb" : "native", id, state);
		n++;
	}
	line(t, "uplink:    %s", n ? buf : "attached nowhere");
}

static void draw_header(struct top *t)
{
	const struct bl_ctl *c = &t->cur.ctl;
	char when[64], age[32];
	time_t now = time(NULL);
	struct tm tm;
	__u64 real;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&now, &tm));
	line(t, "anyxdp top   %s   %s   every %gs", pin_dir_resolve(opt_pin_dir), when,
	     t->o.interval);
	if (!t->have_cur) {
		line(t, "%s", t->note[0] ? t->note : "no maps");
		return;
	}
	draw_uplinks(t);
	real = t->cur.real_ns;
	if (!c->generation)
		line(t, "blocklist: none loaded");
	else
		line(t, "blocklist: generation %llu, entries %llu (IPv4 %llu, IPv6 %llu), "
		     "loaded %s ago", ull(c->generation), ull(c->n_v4 + c->n_v6),
		     ull(c->n_v4), ull(c->n_v6),
		     fmt_age(real > c->load_time_ns ? real - c->load_time_ns : 0, age, sizeof(age)));
	if (!t->cur.have_sync)
		line(t, "sync:      not run with this pin dir");
	else
		line(t, "sync:      %s, %u routes learned (%u stale), %s (pid %u)",
		     t->cur.sync_state, t->cur.sync.routes, t->cur.sync.stale,
		     t->cur.sync.source_name[0] ? t->cur.sync.source_name : "-",
		     t->cur.sync.pid);
}

/* Reasons by packets/s, busiest first; ties keep the reasons' order. */
static int busiest_reasons(const struct rate *r, int *idx)
{
	int i, j, n = 0;

	for (i = 0; i < R_MAX; i++) {
		if (r[i].pps <= 0)
			continue;
		for (j = n; j > 0 && r[idx[j - 1]].pps < r[i].pps; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
		n++;
	}
	return n;
}

static void draw_verdicts(struct top *t, double secs)
{
	const int nv = sizeof(verdict_order) / sizeof(verdict_order[0]);
	struct rate v[V_MAX], r[R_MAX];
	char vp[16], vb[16], rp[16], rb[16], left[64];
	bool side = t->o.batch || t->cols >= 80;
	int i, k, idx[R_MAX], nr = 0;

	for (i = 0; i < V_MAX; i++)
		v[i] = secs ? rate_of(&t->cur.verdicts[i], &t->prev.verdicts[i], secs) :
			      (struct rate){ -1, -1 };
	for (i = 0; i < R_MAX; i++)
		r[i] = secs ? rate_of(&t->cur.reasons[i], &t->prev.reasons[i], secs) :
			      (struct rate){ -1, -1 };
	if (secs)
		nr = busiest_reasons(r, idx);
	snprintf(left, sizeof(left), "%-10s %9s %9s", "VERDICT", "PKT/S", "BIT/S");
	if (side)
		line(t, "%-30s      %-22s %9s %9s", left, "BUSIEST REASONS", "PKT/S", "BIT/S");
	else
		line(t, "%s", left);
	for (k = 0; k < nv || (side && k < nr && k < TOP_REASONS); k++) {
		left[0] = '\0';
		if (k < nv) {
			i = verdict_order[k];
			snprintf(left, sizeof(left), "%-10s %9s %9s", verdict_names[i],
				 fmt_si(v[i].pps, vp, sizeof(vp)), fmt_si(v[i].bps, vb, sizeof(vb)));
		}
		if (!side || k >= nr || k >= TOP_REASONS) {
			line(t, "%s", left);
			continue;
		}
		line(t, "%-30s      %-22s %9s %9s", left, reason_names[idx[k]],
		     fmt_si(r[idx[k]].pps, rp, sizeof(rp)), fmt_si(r[idx[k]].bps, rb, sizeof(rb)));
	}
}

static void steer_sum(const struct steer_stats *s, struct counter *c)
{
	counter_add(&c[PC_STEER], &s->steered);
	counter_add(&c[PC_PASS], &s->pass_no_route);
	counter_add(&c[PC_PASS], &s->pass_ttl);
	counter_add(&c[PC_PASS], &s->pass_too_big);
	counter_add(&c[PC_PASS], &s->pass_if_down);
	counter_add(&c[PC_PASS], &s->pass_no_neigh);
	counter_add(&c[PC_TX], &s->icmp_too_big);
	counter_add(&c[PC_DROP], &s->drop_blocklist);
}

static void tun_sum(const struct tun_stats *s, struct counter *c)
{
	counter_add(&c[PC_FWD], &s->returned);
	counter_add(&c[PC_FWD], &s->relayed);
	counter_add(&c[PC_DROP], &s->drop_blocklist);
	counter_add(&c[PC_PASS], &s->pass_no_route);
	counter_add(&c[PC_PASS], &s->pass_frag_needed);
	counter_add(&c[PC_PASS], &s->pass_ttl);
	counter_add(&c[PC_PASS], &s->pass_other);
}

/* Counters by column for each entry of s, its served prefixes holding
 * those of their routes (as in 'anyxdp prefix list') and of the tunnel
 * programs. out has s->n_prefixes rows; NULL if out of memory. */
typedef struct counter cols_t[PC_MAX];

static cols_t *table_sums(const struct snapshot *s)
{
	cols_t *out = calloc(s->n_prefixes + 1, sizeof(*out));
	size_t i, served = 0;
	int k;

	if (!out)
		return NULL;
	for (i = 0; i < s->n_prefixes; i++) {
		const struct snap_prefix *p = &s->prefixes[i];

		steer_sum(&p->steer, out[i]);
		if (p->has_tun)
			tun_sum(&p->tun, out[i]);
		if (p->is_served)
			served = i;
		/* Sorted: a route comes after the served prefix holding it. */
		else if (s->prefixes[served].is_served &&
			 prefix_contains(&s->prefixes[served].pfx, &p->pfx))
			for (k = 0; k < PC_MAX; k++)
				counter_add(&out[served][k], &out[i][k]);
	}
	return out;
}

static void row_rates(struct prefix_row *row, const struct counter *now,
		      const struct counter *was, double secs)
{
	struct counter tn = {}, tw = {};
	int i;

	for (i = 0; i < PC_MAX; i++) {
		row->pps[i] = rate_of(&now[i], &was[i], secs).pps;
		counter_add(&tn, &now[i]);
		counter_add(&tw, &was[i]);
	}
	row->total = rate_of(&tn, &tw, secs);
}

static int row_cmp(const void *a, const void *b)
{
	const struct prefix_row *x = a, *y = b;

	if (x->total.pps != y->total.pps)
		return x->total.pps < y->total.pps ? 1 : -1;
	return prefix_cmp(&x->p->pfx, &y->p->pfx);
}

static void row_unknown(struct prefix_row *row, const struct snap_prefix *p)
{
	int i;

	row->p = p;
	row->total.pps = row->total.bps = -1;
	for (i = 0; i < PC_MAX; i++)
		row->pps[i] = -1;
}

/* Both snapshots are sorted by prefix: walk them side by side. A prefix
 * not in the previous one has no rate yet. */
static struct prefix_row *prefix_rows(const struct top *t, double secs)
{
	const struct snapshot *c = &t->cur, *p = &t->prev;
	cols_t *now = table_sums(c), *was = secs ? table_sums(p) : NULL;
	struct prefix_row *rows = calloc(c->n_prefixes + 1, sizeof(*rows));
	size_t i, j = 0;
	int d = 1;

	if (!rows || !now || (secs && !was)) {
		free(rows);
		rows = NULL;
		goto out;
	}
	for (i = 0; i < c->n_prefixes; i++) {
		row_unknown(&rows[i], &c->prefixes[i]);
		while (was && j < p->n_prefixes &&
		       (d = prefix_cmp(&p->prefixes[j].pfx, &c->prefixes[i].pfx)) < 0)
			j++;
		if (was && j < p->n_prefixes && !d)
			row_rates(&rows[i], now[i], was[j], secs);
	}
	qsort(rows, c->n_prefixes, sizeof(*rows), row_cmp);
out:
	free(now);
	free(was);
	return rows;
}

/* "wg0", "eth1 via 192.0.2.1 learned down"; "-" for a served prefix
 * without a route of its own. */
static char *fmt_nexthop(const struct steer_val *v, char *buf, size_t len)
{
	const struct nexthop *nh;
	char via[INET6_ADDRSTRLEN + 8] = "";
	int o = steer_active_origin(v);

	if (o < 0)
		o = nh_present(&v->nh[ORIGIN_STATIC]) ? ORIGIN_STATIC :
		    nh_present(&v->nh[ORIGIN_LEARNED]) ? ORIGIN_LEARNED : -1;
	if (o < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	nh = &v->nh[o];
	if (nh->via_family) {
		strcpy(via, " via ");
		nh_via_format(nh, via + 5, sizeof(via) - 5);
	}
	snprintf(buf, len, "%.16s%s%s%s", nh->ifname, via, o == ORIGIN_LEARNED ? " learned" : "",
		 nh->flags & NH_F_DOWN || !nh->ifindex ? " down" : "");
	return buf;
}

/* The table's columns: all of them from WIDE_COLS on, else without the
 * kind and bits/s, so 80 columns still show the next hop's name. */
#define WIDE_COLS 110

static void table_line(struct top *t, const char *pfx, const char *kind, const char *pps,
		       const char *bps, const char (*c)[16], const char *nh)
{
	if (t->o.batch || t->cols >= WIDE_COLS)
		line(t, "%-24s %-6s %9s %9s %8s %8s %8s %8s %8s  %s", pfx, kind, pps, bps,
		     c[PC_STEER], c[PC_FWD], c[PC_DROP], c[PC_PASS], c[PC_TX], nh);
	else
		line(t, "%-20s %7s %7s %7s %7s %7s %7s  %s", pfx, pps, c[PC_STEER],
		     c[PC_FWD], c[PC_DROP], c[PC_PASS], c[PC_TX], nh);
}

static void draw_row(struct top *t, const struct prefix_row *r)
{
	char pfx[PREFIX_STRLEN], nh[128], cols[PC_MAX][16], tp[16], tb[16];
	int i;

	prefix_format(&r->p->pfx, pfx, sizeof(pfx));
	for (i = 0; i < PC_MAX; i++)
		fmt_si(r->pps[i], cols[i], sizeof(cols[i]));
	table_line(t, pfx, r->p->is_served ? "served" : "route",
		   fmt_si(r->total.pps, tp, sizeof(tp)), fmt_si(r->total.bps, tb, sizeof(tb)),
		   (const char (*)[16])cols, fmt_nexthop(&r->p->val, nh, sizeof(nh)));
}

static void draw_prefixes(struct top *t, double secs)
{
	const struct snapshot *c = &t->cur;
	struct prefix_row *rows;
	size_t i, room;

	if (!c->have_steer) {
		line(t, "served prefixes: no steering maps in this pin dir");
		return;
	}
	table_line(t, "PREFIX", "KIND", "PKT/S", "BIT/S", pc_names, "NEXT HOP");
	if (!c->n_prefixes) {
		line(t, "(no served prefixes: 'anyxdp prefix add')");
		return;
	}
	rows = prefix_rows(t, secs);
	if (!rows) {
		line(t, "(out of memory)");
		return;
	}
	/* As many as fit above the footer. */
	room = t->lines < t->limit ? t->limit - t->lines : 0;
	if (room > c->n_prefixes)
		room = c->n_prefixes;
	for (i = 0; i < room; i++)
		draw_row(t, &rows[i]);
	t->shown = room;
	free(rows);
}

static void draw_footer(struct top *t)
{
	size_t n = t->have_cur ? t->cur.n_prefixes : 0;
	const char *keys = "q quit  space refresh";

	if (t->o.batch) {
		if (t->note[0] && t->have_cur)
			line(t, "%s", t->note);
		return;
	}
	/* Down to the last row, which is kept for this line. */
	while (t->lines < t->limit)
		line(t, "%s", "");
	t->limit = t->rows;
	if (t->note[0] && t->have_cur)
		line(t, "%s   %s", keys, t->note);
	else if (n > t->shown)
		line(t, "%-30s %zu of %zu prefixes and routes shown, busiest first", keys,
		     t->shown, n);
	else
		line(t, "%s", keys);
}

static int draw(struct top *t)
{
	double secs = top_secs(t);
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	t->out = open_memstream(&buf, &len);
	if (!t->out)
		return -ENOMEM;
	t->lines = 0;
	t->shown = 0;
	t->limit = t->o.batch ? INT_MAX : t->rows - 1;
	if (!t->o.batch)
		fputs("\033[H", t->out);
	draw_header(t);
	if (t->have_cur) {
		line(t, "%s", "");
		draw_verdicts(t, secs);
		line(t, "%s", "");
		draw_prefixes(t, secs);
	}
	draw_footer(t);
	fputs(t->o.batch ? "\n\n" : "\033[J", t->out);
	fclose(t->out);
	t->out = NULL;
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
		err = -EIO;
	free(buf);
	return err;
}

/* ---- the loop ---- */

static int top_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option lo[] = {
		{ "interval", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:bn:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->interval >= 0.1) ||
			    o->interval > 3600) {
				log_err("--interval: '%s' is not a number of seconds from 0.1 to 3600",
					optarg);
				return -EINVAL;
			}
			break;
		case 'b': o->batch = true; break;
		case 'n':
			if (parse_uint("--count", optarg, 1000000000, &o->count))
				return -EINVAL;
			if (!o->count) {
				log_err("--count: 0 frames would show nothing");
				return -EINVAL;
			}
			break;
		case 'h': return cli_usage(top_help, false), 1;
		default: return cli_usage(top_help, true);
		}
	}
	if (optind != argc)
		return cli_usage(top_help, true);
	return 0;
}

/* Keys from the terminal: 1 quit, 2 refresh now, 0 nothing. */
static int read_keys(void)
{
	char buf[64];
	ssize_t n, i;
	int what = 0;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return n == 0 ? 1 : 0;	/* end of input: nobody to press q */
	for (i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q' || buf[i] == 3)
			return 1;
		if (buf[i] == ' ')
			what = 2;
	}
	return what;
}

/* Sleep until deadline, a key or a signal. Returns 1 to quit, 2 to
 * refresh now, 3 to redraw, 0 at the deadline. */
static int wait_event(struct top *t, __u64 deadline, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool keys = !t->o.batch && tio_saved;
	struct timespec ts;
	__u64 now;
	int n;

	for (;;) {
		if (sig_quit)
			return 1;
		if (sig_tstp) {
			sig_tstp = 0;
			suspend();
			return 3;
		}
		if (sig_winch) {
			sig_winch = 0;
			return 3;
		}
		now = now_mono_ns();
		if (now >= deadline)
			return 0;
		ts.tv_sec = (deadline - now) / 1000000000ull;
		ts.tv_nsec = (deadline - now) % 1000000000ull;
		n = ppoll(keys ? &pfd : NULL, keys, &ts, mask);
		if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read_keys();
			if (n)
				return n;
		}
	}
}

static int top_loop(struct top *t, const sigset_t *mask)
{
	__u64 step = t->o.interval * 1e9, next = now_mono_ns() + step;
	unsigned long frames = 0;
	int ev, err = 0;

	if (!t->o.batch)
		err = draw(t);
	while (!err) {
		ev = wait_event(t, next, mask);
		if (ev == 1)
			break;
		if (ev == 3) {
			if (!t->o.batch)
				term_size(t);
			err = draw(t);
			continue;
		}
		top_sample(t);
		err = draw(t);
		if (t->o.count && ++frames >= t->o.count)
			break;
		next = ev == 2 || next + step <= now_mono_ns() ? now_mono_ns() + step : next + step;
	}
	return err;
}

int cmd_top(int argc, char **argv)
{
	struct top t = { .o = { .interval = 1 } };
	sigset_t mask;
	int err;

	err = top_args(argc, argv, &t.o);
	if (err)
		return err < 0 ? err : 0;
	if (!t.o.batch && !isatty(STDOUT_FILENO)) {
		log_err("stdout is not a terminal: use --batch (-b) for plain text frames");
		return -ENOTTY;
	}
	err = top_open(&t);
	if (err)
		return err;
	top_sample(&t);
	if (!t.have_cur) {
		err = -EIO;
		goto out;
	}
	signals_setup(&mask, !t.o.batch);
	if (t.o.batch) {
		t.cols = BATCH_COLS;
	} else {
		term_size(&t);
		err = screen_enter();
	}
	if (!err)
		err = top_loop(&t, &mask);
	if (!t.o.batch) {
		char last[256];

		stderr_last(last, sizeof(last));
		screen_leave();
		if (err && last[0])
			fprintf(stderr, "%s\n", last);
	}
	if (err == -EIO)
		log_err("cannot write the screen: %s", strerror(EIO));
out:
	top_close(&t);
	return err;
}
