// SPDX-License-Identifier: GPL-2.0
/*
 * From the rib to the next-hop map: one prefix at a time, each change a
 * few syscalls (steer_learned_set), so a route change costs the same with
 * ten routes or ten thousand.
 */
#include <errno.h>
#include <signal.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "steer.h"
#include "sync.h"

#define IFCACHE_MAX 64
#define LAT_BUCKETS 20000	/* 1 us each; slower ones land in the last */
#define PUBLISH_EVERY_NS 200000000ull
/*
 * babeld withdraws every route just before it exits (SIGTERM), then
 * closes the connection: a withdrawal is applied only if the session is
 * still there a moment later (--withdraw-hold, default 100 ms), so a
 * daemon restart keeps its routes for the grace period instead of
 * emptying the map. Held withdrawals wait in a ring; beyond HOLD_MAX of
 * them, a withdrawal is written at once.
 */
#define HOLD_MAX 65536

struct iface {
	char name[IF_NAMESIZE];
	struct nexthop nh;	/* nh_resolve()d: ifindex, kind, NH_F_DOWN */
	bool exists;
};

static void holds_drop(struct sync *s);

struct hold {
	struct rib_prefix *px;	/* kept alive by its applied.hold_refs */
	uint64_t due;
};

struct sync {
	struct sync_opts o;
	struct anyxdp_maps *m;
	int status_fd, ignored_fd;
	struct rib *rib;
	struct rib_filter filter;
	struct sync_status st;
	struct sync_report rep;
	size_t n_present, n_stale;
	struct iface ifc[IFCACHE_MAX];
	size_t n_ifc;
	uint64_t last_publish;
	uint64_t publish_due;	/* something changed since: publish by then */
	struct hold *hold;	/* withdrawals pending, oldest first (a ring) */
	size_t hold_head, hold_n;
	uint32_t lat[LAT_BUCKETS];
	uint64_t lat_n;
};

static const char *const ignore_names[SYNC_IGN_MAX] = {
	[SYNC_IGN_NONE] = "none",
	[SYNC_IGN_SOURCE_SPECIFIC] = "source_specific",
	[SYNC_IGN_IFACE] = "iface_not_allowed",
	[SYNC_IGN_NO_IFACE] = "no_such_iface",
	[SYNC_IGN_NOT_SERVED] = "not_served",
	[SYNC_IGN_MAP_ERROR] = "map_error",
};

const char *sync_ignore_name(int reason)
{
	return reason >= 0 && reason < SYNC_IGN_MAX ? ignore_names[reason] : "unknown";
}

const char *sync_state_name(int state)
{
	static const char *const n[] = { "stopped", "connecting", "dumping", "running", "grace" };

	return state >= 0 && state <= SYNC_GRACE ? n[state] : "unknown";
}

/* ---- interfaces, cached until the next link event ---- */

static struct iface *iface_get(struct sync *s, const char *name)
{
	struct iface *f;
	size_t i;

	for (i = 0; i < s->n_ifc; i++)
		if (!strcmp(s->ifc[i].name, name))
			return &s->ifc[i];
	f = &s->ifc[s->n_ifc < IFCACHE_MAX ? s->n_ifc++ : IFCACHE_MAX - 1];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->nh.ifname, sizeof(f->nh.ifname), "%s", name);
	f->exists = nh_resolve(&f->nh) == 0;
	return f;
}

static unsigned int iface_index(const char *name, void *arg)
{
	struct iface *f = iface_get(arg, name);

	return f->exists ? f->nh.ifindex : 0;
}

void sync_links_changed(struct sync *s)
{
	s->n_ifc = 0;
	rib_mark_all_dirty(s->rib);
}

/* ---- the ignored list (sync_ignored) ---- */

static void ignored_key(const struct rt_cand *c, struct sync_ignored_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = c->prefix.family;
	k->prefixlen = c->prefix.plen;
	k->from_len = c->from.plen;
	memcpy(k->addr, c->prefix.addr, sizeof(k->addr));
	memcpy(k->from, c->from.addr, sizeof(k->from));
	memcpy(k->ifname, c->ifname, sizeof(k->ifname));
}

static void on_ignore(void *arg, const struct rt_cand *c, int was, int now)
{
	struct sync *s = arg;
	struct sync_ignored_key k;
	struct sync_ignored_val v = { .reason = now, .metric = c->metric };
	char p[PREFIX_STRLEN];

	(void)was;
	if (s->o.dry_run && now && s->o.print_changes)
		printf("ignore  %s dev %s: %s\n", prefix_format(&c->prefix, p, sizeof(p)),
		       c->ifname[0] ? c->ifname : "-", sync_ignore_name(now));
	if (s->o.dry_run)
		return;
	ignored_key(c, &k);
	if (now == SYNC_IGN_NONE) {
		bpf_map_delete_elem(s->ignored_fd, &k);
		return;
	}
	v.via_family = c->via_family;
	memcpy(v.via, c->via, sizeof(v.via));
	v.since_ns = now_realtime_ns();
	if (bpf_map_update_elem(s->ignored_fd, &k, &v, BPF_ANY))
		s->st.errors++;
}

/* A previous run's list says nothing about this one's. */
static void ignored_clear(struct sync *s)
{
	struct sync_ignored_key k, next;

	while (!bpf_map_get_next_key(s->ignored_fd, NULL, &next)) {
		k = next;
		if (bpf_map_delete_elem(s->ignored_fd, &k))
			break;
	}
}

/* ---- setup ---- */

static void applied_set(struct sync *s, struct rib_applied *a, bool present, bool stale)
{
	s->n_present += (size_t)present - (size_t)a->present;
	s->n_stale += (size_t)(present && stale) - (size_t)(a->present && a->stale);
	a->present = present;
	a->stale = present && stale;
	if (!present)
		memset(&a->nh, 0, sizeof(a->nh));
}

/* A previous run's learned next hops: ours, but unconfirmed. */
static int load_applied(struct sync *s)
{
	struct steer_table t;
	size_t i;
	int err = steer_read(s->m, &t, false);

	if (err)
		return err;
	for (i = 0; i < t.n && !err; i++) {
		const struct nexthop *nh = &t.v[i].val.nh[ORIGIN_LEARNED];
		struct rib_prefix *px;

		if (!nh_present(nh))
			continue;
		px = rib_prefix_get(s->rib, &t.v[i].pfx, true);
		if (!px) {
			err = -ENOMEM;
			break;
		}
		applied_set(s, rib_applied_of(px), true, true);
		rib_applied_of(px)->nh = *nh;
	}
	steer_table_free(&t);
	return err;
}

int sync_new(struct sync **out, struct anyxdp_maps *m, const struct sync_opts *o)
{
	struct sync *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->m = m;
	s->status_fd = s->ignored_fd = -1;
	s->rib = rib_new();
	s->hold = calloc(HOLD_MAX, sizeof(*s->hold));	/* 1 MiB, touched only when used */
	if (!s->rib || !s->hold) {
		rib_free(s->rib);
		free(s->hold);
		free(s);
		return -ENOMEM;
	}
	s->filter.iface_globs = o->iface_globs;
	s->filter.n_iface_globs = o->n_iface_globs;
	s->filter.ifindex = iface_index;
	s->filter.arg = s;
	rib_set_ignore_hook(s->rib, on_ignore, s);
	s->st.pid = getpid();
	s->st.source = o->source_kind;
	s->st.started_ns = now_realtime_ns();
	s->st.state = SYNC_CONNECTING;
	snprintf(s->st.source_name, sizeof(s->st.source_name), "%s",
		 o->source_name ? o->source_name : "");
	err = maps_open_sync(m, &s->status_fd, &s->ignored_fd, !o->dry_run);
	if (err && !o->dry_run) {
		log_err("cannot open the sync state maps in %s: %s", m->dir, strerror(-err));
		goto fail;
	}
	err = load_applied(s);
	if (err)
		goto fail;
	if (!o->dry_run)
		ignored_clear(s);
	*out = s;
	return 0;
fail:
	sync_free(s);
	return err;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	if (s->status_fd >= 0 && !s->o.dry_run) {
		s->st.state = SYNC_STOPPED;
		s->st.connected_ns = 0;
		sync_publish(s, true);
	}
	holds_drop(s);
	rib_free(s->rib);
	free(s->hold);
	if (s->status_fd >= 0)
		close(s->status_fd);
	if (s->ignored_fd >= 0)
		close(s->ignored_fd);
	free(s);
}

struct rib *sync_rib(struct sync *s)
{
	return s->rib;
}

const struct sync_report *sync_report(const struct sync *s)
{
	return &s->rep;
}

size_t sync_stale_count(const struct sync *s)
{
	return s->n_stale;
}

static void publish_soon(struct sync *s)
{
	if (!s->publish_due)
		s->publish_due = s->last_publish + PUBLISH_EVERY_NS;
}

/* ---- applying ---- */

static void lat_note(struct sync *s, uint64_t read_ns)
{
	uint64_t us;

	if (!read_ns)
		return;
	us = (now_mono_ns() - read_ns) / 1000;
	s->lat[us < LAT_BUCKETS ? us : LAT_BUCKETS - 1]++;
	s->lat_n++;
	if (us > s->st.lat_max_us)
		s->st.lat_max_us = us > UINT32_MAX ? UINT32_MAX : us;
}

static uint32_t lat_pct(const struct sync *s, unsigned int pct)
{
	uint64_t want = (s->lat_n * pct + 99) / 100, seen = 0;
	uint32_t i;

	for (i = 0; i < LAT_BUCKETS && want; i++) {
		seen += s->lat[i];
		if (seen >= want)
			return i;
	}
	return 0;
}

static void describe(const struct nexthop *nh, char *buf, size_t len)
{
	char via[64];

	nh_via_format(nh, via, sizeof(via));
	snprintf(buf, len, "dev %s%s%s metric %u", nh->ifname, via[0] ? " via " : "", via,
		 nh->metric);
}

static void report(struct sync *s, const struct prefix *p, const struct nexthop *before,
		   const struct nexthop *after)
{
	char pf[PREFIX_STRLEN], a[128], b[128];
	const char *op = !nh_present(before) ? "add" : after ? "change" : "remove";

	if (!nh_present(before))
		s->rep.added++;
	else if (after)
		s->rep.changed++;
	else
		s->rep.removed++;
	if (!s->o.print_changes && !s->o.log_changes)
		return;
	prefix_format(p, pf, sizeof(pf));
	if (after)
		describe(after, a, sizeof(a));
	if (nh_present(before))
		describe(before, b, sizeof(b));
	if (s->o.print_changes)
		printf("%-7s %s%s%s%s%s%s\n", op, pf, after ? " " : "", after ? a : "",
		       nh_present(before) ? " (was " : "", nh_present(before) ? b : "",
		       nh_present(before) ? ")" : "");
	else
		log_info("%s %s%s%s%s%s%s", op, pf, after ? " " : "", after ? a : "",
			 nh_present(before) ? " (was " : "", nh_present(before) ? b : "",
			 nh_present(before) ? ")" : "");
}

static int write_nh(struct sync *s, const struct prefix *p, const struct nexthop *nh,
		    uint64_t read_ns)
{
	struct nexthop before;
	int rc = steer_learned_set(s->m, p, nh, s->o.dry_run, &before);

	if (rc == 1) {
		report(s, p, &before, nh);
		if (!s->o.dry_run) {
			s->st.updates++;
			s->st.last_update_ns = now_realtime_ns();
			lat_note(s, read_ns);
		}
	}
	return rc;
}

static void nh_from(struct sync *s, const struct rt_cand *c, struct nexthop *nh)
{
	*nh = iface_get(s, c->ifname)->nh;
	nh->metric = c->metric;
	nh->via_family = c->via_family;
	memcpy(nh->via, c->via, sizeof(nh->via));
}

/* best is allowed by the filters; is its prefix served, and does it fit? */
static int apply_best(struct sync *s, struct rib_prefix *px, const struct rt_cand *best,
		      uint64_t read_ns)
{
	const struct prefix *p = rib_prefix_of(px);
	struct rib_applied *a = rib_applied_of(px);
	struct nexthop nh;
	int rc;

	nh_from(s, best, &nh);
	rc = write_nh(s, p, &nh, read_ns);
	if (rc == -ENOENT) {
		rib_route_ignore(s->rib, best, SYNC_IGN_NOT_SERVED);
		return 0;
	}
	if (rc < 0) {
		char pf[PREFIX_STRLEN];

		s->st.errors++;
		log_err("cannot write the learned route %s: %s",
			prefix_format(p, pf, sizeof(pf)), strerror(-rc));
		rib_route_ignore(s->rib, best, SYNC_IGN_MAP_ERROR);
		return 0;
	}
	rib_route_ignore(s->rib, best, SYNC_IGN_NONE);
	applied_set(s, a, true, false);
	a->nh = nh;
	return 1;
}

static int withdraw(struct sync *s, struct rib_prefix *px, uint64_t read_ns)
{
	struct rib_applied *a = rib_applied_of(px);
	int rc = write_nh(s, rib_prefix_of(px), NULL, read_ns);

	if (rc < 0) {
		char pf[PREFIX_STRLEN];

		s->st.errors++;
		log_err("cannot remove the learned route %s: %s",
			prefix_format(rib_prefix_of(px), pf, sizeof(pf)), strerror(-rc));
		return rc;
	}
	applied_set(s, a, false, false);
	return 0;
}

/* Start holding a withdrawal; false if the ring is full (withdraw now). */
static bool hold_start(struct sync *s, struct rib_applied *a, struct rib_prefix *px)
{
	struct hold *h;

	if (s->hold_n == HOLD_MAX)
		return false;
	a->hold_until = now_mono_ns() + s->o.withdraw_hold_ns;
	a->hold_refs++;
	h = &s->hold[(s->hold_head + s->hold_n++) % HOLD_MAX];
	h->px = px;
	h->due = a->hold_until;
	return true;
}

static struct rib_prefix *hold_pop(struct sync *s)
{
	struct rib_prefix *px = s->hold[s->hold_head].px;

	s->hold_head = (s->hold_head + 1) % HOLD_MAX;
	s->hold_n--;
	rib_applied_of(px)->hold_refs--;
	return px;
}

static void process_one(struct sync *s, struct rib_prefix *px, uint64_t read_ns)
{
	const struct rt_cand *best = rib_best(s->rib, px, &s->filter);
	struct rib_applied *a = rib_applied_of(px);

	if (best && apply_best(s, px, best, read_ns)) {
		a->hold_until = 0;
		return;
	}
	/* Nothing usable. A stale route waits for its session to confirm or
	 * for the sweep; one of this session goes after the hold. */
	if (a->present && !a->stale) {
		if (a->hold_until && a->hold_until <= now_mono_ns()) {
			a->hold_until = 0;
			withdraw(s, px, 0);
		} else if (!a->hold_until && s->o.withdraw_hold_ns && !s->o.dry_run &&
			   hold_start(s, a, px)) {
			return;
		} else if (!a->hold_until) {
			withdraw(s, px, read_ns);
		}
	}
	if (!a->hold_until)
		rib_prefix_gc(s->rib, px);
}

uint64_t sync_hold_due(const struct sync *s)
{
	return s->hold_n ? s->hold[s->hold_head].due : 0;
}

/* Withdrawals whose hold is over: look at their prefixes again. An entry
 * whose prefix was confirmed meanwhile (or held again, later) is done. */
int sync_release_holds(struct sync *s)
{
	uint64_t now = now_mono_ns();

	while (s->hold_n && s->hold[s->hold_head].due <= now) {
		struct rib_prefix *px = hold_pop(s);
		struct rib_applied *a = rib_applied_of(px);

		if (a->hold_until && a->hold_until <= now)
			rib_mark_dirty(s->rib, px);
		else if (!a->hold_until)
			rib_prefix_gc(s->rib, px);
	}
	return sync_process(s, 0);
}

/* Before anything may collect prefixes wholesale (stale marking, exit). */
static void holds_drop(struct sync *s)
{
	while (s->hold_n)
		rib_applied_of(hold_pop(s))->hold_until = 0;
}

int sync_process(struct sync *s, uint64_t read_ns)
{
	struct rib_prefix *px;
	int err;

	if (!rib_next_dirty_peek(s->rib))
		return 0;
	err = s->o.dry_run ? 0 : maps_lock(s->m);
	if (err)
		return err;
	while ((px = rib_next_dirty(s->rib)))
		process_one(s, px, read_ns);
	publish_soon(s);
	if (!s->o.dry_run)
		maps_unlock(s->m);
	return 0;
}

void sync_mark_stale(struct sync *s)
{
	struct rib_prefix *px;

	holds_drop(s);
	/* Walk through the dirty queue: every prefix, once. */
	rib_mark_all_dirty(s->rib);
	while ((px = rib_next_dirty(s->rib))) {
		struct rib_applied *a = rib_applied_of(px);

		if (a->present)
			applied_set(s, a, true, true);
		rib_prefix_gc(s->rib, px);
	}
	/* Their routes are gone from the rib: look again when new ones come. */
	rib_mark_all_dirty(s->rib);
}

static int sweep_one(struct rib_prefix *px, void *arg)
{
	struct sync *s = arg;
	struct rib_applied *a = rib_applied_of(px);

	if (a->present && a->stale && !withdraw(s, px, 0))
		rib_prefix_gc(s->rib, px);
	return 0;
}

int sync_sweep_stale(struct sync *s)
{
	int err;

	if (!s->n_stale)
		return 0;
	err = s->o.dry_run ? 0 : maps_lock(s->m);
	if (err)
		return err;
	rib_for_each_prefix(s->rib, sweep_one, s);
	if (!s->o.dry_run)
		maps_unlock(s->m);
	return 0;
}

static int retry_one(struct rib_prefix *px, void *arg)
{
	struct rib_route_view v[8];
	size_t i, n = rib_prefix_routes(px, v, 8);

	for (i = 0; i < n && i < 8; i++)
		if (v[i].ignored == SYNC_IGN_NOT_SERVED) {
			rib_mark_dirty(arg, px);
			break;
		}
	return 0;
}

void sync_retry_not_served(struct sync *s)
{
	if (rib_ignored(s->rib, SYNC_IGN_NOT_SERVED))
		rib_for_each_prefix(s->rib, retry_one, s->rib);
}

/* ---- status ---- */

void sync_set_state(struct sync *s, enum sync_state st, uint64_t grace_until_ns)
{
	if (st == SYNC_RUNNING || st == SYNC_DUMPING) {
		if (!s->st.connected_ns)
			s->st.connected_ns = now_realtime_ns();
	} else {
		s->st.connected_ns = 0;
	}
	s->st.grace_until_ns = grace_until_ns;
	if (s->st.state != (__u32)st) {
		s->st.state = st;
		sync_publish(s, true);
	}
}

uint64_t sync_publish_due(const struct sync *s)
{
	return s->publish_due;
}

void sync_count_events(struct sync *s, const struct src_events *ev)
{
	if (ev->lines)
		publish_soon(s);
	s->st.lines += ev->lines;
	s->st.malformed += ev->malformed;
}

void sync_count_reconnect(struct sync *s)
{
	s->st.reconnects++;
}

int sync_publish(struct sync *s, bool force)
{
	uint64_t now = now_mono_ns();
	__u32 zero = 0;
	int i;

	if (s->o.dry_run || s->status_fd < 0)
		return 0;
	if (!force && now - s->last_publish < PUBLISH_EVERY_NS)
		return 0;
	s->last_publish = now;
	s->publish_due = 0;
	s->st.routes = s->n_present;
	s->st.stale = s->n_stale;
	s->st.rib_routes = rib_routes(s->rib);
	for (i = 0; i < SYNC_IGN_SLOTS; i++)
		s->st.ignored[i] = rib_ignored(s->rib, i);
	s->st.lat_p50_us = lat_pct(s, 50);
	s->st.lat_p99_us = lat_pct(s, 99);
	if (bpf_map_update_elem(s->status_fd, &zero, &s->st, BPF_ANY))
		return -errno;
	return 0;
}

const char *sync_state_now(const struct sync_status *st, bool *alive)
{
	*alive = st->pid && st->state != SYNC_STOPPED &&
		 (kill(st->pid, 0) == 0 || errno == EPERM);
	if (st->state != SYNC_STOPPED && !*alive)
		return "dead";	/* killed without a chance to say so */
	return sync_state_name(st->state);
}
