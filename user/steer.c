// SPDX-License-Identifier: GPL-2.0
/*
 * Served prefixes and routes: the in-memory table, its rules, and the
 * writes that bring the steer_* maps and tx_ports in line with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "common.h"
#include "steer.h"

#define STEER_MAX_PER_FAMILY 16384	/* maps/steer.h STEER_MAX_ENTRIES */
#define TX_PORTS_LIMIT 256		/* maps/steer.h TX_PORTS_MAX */

/* ---- next hops ---- */

bool nh_present(const struct nexthop *nh)
{
	return nh->ifindex || nh->ifname[0];
}

/* The same choice as nh_pick() in bpf/steer.h. */
int steer_active_origin(const struct steer_val *v)
{
	const struct nexthop *s = &v->nh[ORIGIN_STATIC], *l = &v->nh[ORIGIN_LEARNED];

	if (s->ifindex && !(s->flags & NH_F_DOWN))
		return ORIGIN_STATIC;
	if (l->ifindex && !(l->flags & NH_F_DOWN))
		return ORIGIN_LEARNED;
	if (s->ifindex)
		return ORIGIN_STATIC;
	if (l->ifindex)
		return ORIGIN_LEARNED;
	return -1;
}

/* ioctl on a throwaway socket: works in whatever network namespace we
 * are in, unlike /sys/class/net, which shows the namespace of its mount. */
static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int nh_resolve(struct nexthop *nh)
{
	struct ifreq ifr;
	int idx;

	idx = if_nametoindex(nh->ifname);
	if (!idx) {
		nh->flags |= NH_F_DOWN;
		return -ENODEV;
	}
	nh->ifindex = idx;
	nh->flags &= ~NH_F_DOWN;
	if (if_ioctl(nh->ifname, SIOCGIFFLAGS, &ifr) || !(ifr.ifr_flags & IFF_UP))
		nh->flags |= NH_F_DOWN;
	if (!(nh->flags & NH_F_KIND_SET) && !if_ioctl(nh->ifname, SIOCGIFHWADDR, &ifr))
		nh->kind = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER ? NH_ETHER : NH_TUNNEL;
	return 0;
}

enum link_state nh_link_state(const struct nexthop *nh)
{
	char name[IF_NAMESIZE];
	struct ifreq ifr;

	if (!nh->ifindex || !if_indextoname(nh->ifindex, name) ||
	    strncmp(name, nh->ifname, sizeof(nh->ifname)))
		return LINK_GONE;
	if (if_ioctl(name, SIOCGIFFLAGS, &ifr))
		return LINK_GONE;
	return ifr.ifr_flags & IFF_UP ? LINK_UP : LINK_DOWN;
}

bool nh_stale(const struct nexthop *nh)
{
	struct nexthop now = *nh;

	nh_resolve(&now);
	return memcmp(&now, nh, sizeof(now)) != 0;
}

const char *nh_kind_name(int kind)
{
	return kind == NH_TUNNEL ? "tunnel" : kind == NH_ETHER ? "ether" : "unknown";
}

const char *link_state_name(enum link_state s)
{
	return s == LINK_UP ? "up" : s == LINK_DOWN ? "down" : "gone";
}

const char *origin_name(int origin)
{
	return origin == ORIGIN_STATIC ? "static" : "learned";
}

char *nh_via_format(const struct nexthop *nh, char *buf, size_t len)
{
	buf[0] = '\0';
	if (nh->via_family == AF_INET || nh->via_family == AF_INET6)
		inet_ntop(nh->via_family, nh->via, buf, len);
	return buf;
}

int nh_via_parse(struct nexthop *nh, const char *s)
{
	unsigned char a[16];

	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a) == 1)
		nh->via_family = AF_INET;
	else if (inet_pton(AF_INET6, s, a) == 1)
		nh->via_family = AF_INET6;
	else
		return -EINVAL;
	memcpy(nh->via, a, sizeof(nh->via));
	return 0;
}

/* ---- table basics ---- */

static int entry_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct steer_entry *)a)->pfx,
			  &((const struct steer_entry *)b)->pfx);
}

static void table_sort(struct steer_table *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(t->v[0]), entry_cmp);
}

static struct steer_entry *table_push(struct steer_table *t, const struct prefix *p)
{
	struct steer_entry *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		e = realloc(t->v, cap * sizeof(*e));
		if (!e)
			return NULL;
		t->v = e;
		t->cap = cap;
	}
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->pfx = *p;
	e->val.prefixlen = p->plen;
	return e;
}

static void table_remove(struct steer_table *t, struct steer_entry *e)
{
	size_t i = e - t->v;

	memmove(e, e + 1, (t->n - i - 1) * sizeof(*e));
	t->n--;
}

void steer_table_free(struct steer_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int steer_table_copy(struct steer_table *dst, const struct steer_table *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(src->v[0]));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(src->v[0]));
	dst->n = dst->cap = src->n;
	return 0;
}

/* Every edit leaves the table sorted (table_sort, or removals that keep
 * the order), so a binary search finds p. */
struct steer_entry *steer_find(struct steer_table *t, const struct prefix *p)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = prefix_cmp(&t->v[mid].pfx, p);

		if (!c)
			return &t->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct steer_entry *steer_served_of(struct steer_table *t, const struct prefix *p)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if ((t->v[i].val.flags & STEER_SERVED) && prefix_contains(&t->v[i].pfx, p))
			return &t->v[i];
	return NULL;
}

static size_t entry_routes(const struct steer_entry *e)
{
	return nh_present(&e->val.nh[ORIGIN_STATIC]) + nh_present(&e->val.nh[ORIGIN_LEARNED]);
}

size_t steer_routes_in(const struct steer_table *t, const struct prefix *p)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (prefix_contains(p, &t->v[i].pfx))
			n += entry_routes(&t->v[i]);
	return n;
}

/* ---- reading the maps ---- */

void steer_key_of(const struct prefix *p, void *key)
{
	if (p->family == AF_INET) {
		struct bl_key4 *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = p->plen;
		memcpy(k->addr, p->addr, 4);
	} else {
		struct bl_key6 *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = p->plen;
		memcpy(k->addr, p->addr, 16);
	}
}

static void prefix_of(int family, const void *key, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	if (family == AF_INET) {
		const struct bl_key4 *k = key;

		p->plen = k->prefixlen;
		memcpy(p->addr, k->addr, 4);
	} else {
		const struct bl_key6 *k = key;

		p->plen = k->prefixlen;
		memcpy(p->addr, k->addr, 16);
	}
}

static int trie_fd(struct anyxdp_maps *m, int family)
{
	return family == AF_INET ? m->steer4 : m->steer6;
}

static int stats_fd(struct anyxdp_maps *m, int family)
{
	return family == AF_INET ? m->sstats4 : m->sstats6;
}

/* Per-CPU values of a PERCPU_HASH are laid out at 8-byte strides. */
static int stats_sum(struct anyxdp_maps *m, const struct prefix *p, struct steer_stats *out)
{
	struct steer_stats *v = calloc(m->ncpus, sizeof(*v));
	struct counter *o = (struct counter *)out;
	union { struct bl_key4 k4; struct bl_key6 k6; } key;
	int cpu, i, err = 0;

	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	steer_key_of(p, &key);
	if (bpf_map_lookup_elem(stats_fd(m, p->family), &key, v)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < m->ncpus; cpu++) {
		struct counter *c = (struct counter *)&v[cpu];

		for (i = 0; i < SC_MAX; i++) {
			o[i].packets += c[i].packets;
			o[i].bytes += c[i].bytes;
		}
	}
out:
	free(v);
	return err;
}

static int read_family(struct anyxdp_maps *m, int family, struct steer_table *t,
		       bool with_stats)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key, next;
	int fd = trie_fd(m, family);
	void *kp = NULL;
	struct prefix p;

	while (!bpf_map_get_next_key(fd, kp, &next)) {
		struct steer_entry *e;

		key = next;
		kp = &key;
		prefix_of(family, &key, &p);
		e = table_push(t, &p);
		if (!e)
			return -ENOMEM;
		if (bpf_map_lookup_elem(fd, &key, &e->val)) {
			t->n--;		/* deleted under us: not ours to fight */
			continue;
		}
		/* A missing counter entry reads as zero; commit recreates it. */
		if (with_stats)
			stats_sum(m, &p, &e->stats);
	}
	return errno == ENOENT ? 0 : -errno;
}

int steer_read(struct anyxdp_maps *m, struct steer_table *t, bool with_stats)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = maps_have_steer(m);
	if (err)
		return err;
	err = read_family(m, AF_INET, t, with_stats) ?:
	      read_family(m, AF_INET6, t, with_stats);
	if (err) {
		log_err("cannot read the steering maps in %s: %s", m->dir, strerror(-err));
		steer_table_free(t);
		return err;
	}
	table_sort(t);
	return 0;
}

/* ---- edits ---- */

static const char *fmt(const struct prefix *p, char *buf)
{
	return prefix_format(p, buf, PREFIX_STRLEN);
}

/* A served prefix that overlaps p (contains it or lies in it), or NULL. */
static struct steer_entry *served_overlap(struct steer_table *t, const struct prefix *p)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct steer_entry *e = &t->v[i];

		if (!(e->val.flags & STEER_SERVED))
			continue;
		if (prefix_contains(&e->pfx, p) || prefix_contains(p, &e->pfx))
			return e;
	}
	return NULL;
}

int steer_tab_prefix_add(struct steer_table *t, const struct prefix *p)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	struct steer_entry *e = steer_find(t, p);

	if (e && (e->val.flags & STEER_SERVED))
		return 0;
	e = served_overlap(t, p);
	if (e) {
		log_err("%s overlaps served prefix %s; served prefixes must not overlap",
			fmt(p, a), fmt(&e->pfx, b));
		return -EEXIST;
	}
	e = table_push(t, p);
	if (!e)
		return -ENOMEM;
	e->val.flags = STEER_SERVED;
	e->val.served_len = p->plen;
	table_sort(t);
	return 1;
}

/* Drop every entry inside p (p's own included). */
static void remove_inside(struct steer_table *t, const struct prefix *p)
{
	size_t i = 0;

	while (i < t->n) {
		if (prefix_contains(p, &t->v[i].pfx))
			table_remove(t, &t->v[i]);
		else
			i++;
	}
}

int steer_tab_prefix_del(struct steer_table *t, const struct prefix *p, bool force)
{
	struct steer_entry *e = steer_find(t, p);
	char a[PREFIX_STRLEN];
	size_t n;

	if (!e || !(e->val.flags & STEER_SERVED)) {
		log_err("%s is not a served prefix", fmt(p, a));
		return -ENOENT;
	}
	n = steer_routes_in(t, p);
	if (n && !force) {
		log_err("served prefix %s still holds %zu route%s; delete %s first "
			"('anyxdp route del') or use --force", fmt(p, a), n,
			n == 1 ? "" : "s", n == 1 ? "it" : "them");
		return -EBUSY;
	}
	remove_inside(t, p);
	return 1;
}

int steer_tab_route_set(struct steer_table *t, const struct prefix *p, int origin,
			const struct nexthop *nh)
{
	struct steer_entry *e, *s = steer_served_of(t, p);
	char a[PREFIX_STRLEN];

	if (origin < 0 || origin >= ORIGIN_MAX || !nh_present(nh))
		return -EINVAL;
	if (!s) {
		log_err("route %s is not inside any served prefix (add one first with "
			"'anyxdp prefix add')", fmt(p, a));
		return -ENOENT;
	}
	e = steer_find(t, p);
	if (e && !memcmp(&e->val.nh[origin], nh, sizeof(*nh)))
		return 0;
	if (!e) {
		e = table_push(t, p);
		if (!e)
			return -ENOMEM;
		e->val.served_len = s->pfx.plen;
	}
	e->val.nh[origin] = *nh;
	table_sort(t);
	return 1;
}

int steer_tab_route_del(struct steer_table *t, const struct prefix *p, int origin)
{
	struct steer_entry *e = steer_find(t, p);
	char a[PREFIX_STRLEN];

	if (!e || !nh_present(&e->val.nh[origin])) {
		log_err("there is no %s route for %s", origin_name(origin), fmt(p, a));
		return -ENOENT;
	}
	memset(&e->val.nh[origin], 0, sizeof(e->val.nh[origin]));
	if (!(e->val.flags & STEER_SERVED) && !entry_routes(e))
		table_remove(t, e);
	return 1;
}

/* ---- the rules ---- */

/* Sorted order puts a served prefix before everything inside it, and
 * served prefixes that do not overlap leave nothing else in between,
 * so the last served prefix seen is the only candidate. */
int steer_validate(struct steer_table *t)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	struct steer_entry *served = NULL;
	size_t i, n4 = 0;

	table_sort(t);
	for (i = 0; i < t->n; i++) {
		struct steer_entry *e = &t->v[i];
		bool in = served && prefix_contains(&served->pfx, &e->pfx);

		n4 += e->pfx.family == AF_INET;
		e->val.prefixlen = e->pfx.plen;
		if (e->val.flags & STEER_SERVED) {
			if (in) {
				log_err("%s overlaps served prefix %s; served prefixes must "
					"not overlap", fmt(&e->pfx, a), fmt(&served->pfx, b));
				return -EEXIST;
			}
			served = e;
			e->val.served_len = e->pfx.plen;
			continue;
		}
		if (!in) {
			log_err("route %s is not inside any served prefix", fmt(&e->pfx, a));
			return -ENOENT;
		}
		if (!entry_routes(e)) {
			log_err("%s is neither a served prefix nor a route", fmt(&e->pfx, a));
			return -EINVAL;
		}
		e->val.served_len = served->pfx.plen;
	}
	if (n4 > STEER_MAX_PER_FAMILY || t->n - n4 > STEER_MAX_PER_FAMILY) {
		log_err("too many prefixes and routes: %zu IPv4 and %zu IPv6, the maps hold "
			"%d of each", n4, t->n - n4, STEER_MAX_PER_FAMILY);
		return -E2BIG;
	}
	return 0;
}

/* ---- writing the maps ---- */

/* Ethernet next hops whose interface is there: XDP redirects to them. */
static bool wants_port(const struct nexthop *nh)
{
	return nh_present(nh) && nh->kind == NH_ETHER && nh->ifindex &&
	       nh_link_state(nh) != LINK_GONE;
}

struct idx_set {
	__u32 v[TX_PORTS_LIMIT + 1];
	size_t n;
};

static bool idx_has(const struct idx_set *s, __u32 x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return true;
	return false;
}

static int idx_add(struct idx_set *s, __u32 x)
{
	if (idx_has(s, x))
		return 0;
	if (s->n > TX_PORTS_LIMIT)
		return -E2BIG;
	s->v[s->n++] = x;
	return 0;
}

static int ports_wanted(const struct steer_table *t, struct idx_set *s)
{
	size_t i;
	int o, err = 0;

	s->n = 0;
	for (i = 0; i < t->n && !err; i++)
		for (o = 0; o < ORIGIN_MAX && !err; o++)
			if (wants_port(&t->v[i].val.nh[o]))
				err = idx_add(s, t->v[i].val.nh[o].ifindex);
	if (!err && s->n > TX_PORTS_LIMIT)
		err = -E2BIG;
	if (err)
		log_err("more than %d Ethernet next-hop interfaces; tx_ports holds %d",
			TX_PORTS_LIMIT, TX_PORTS_LIMIT);
	return err;
}

static int ports_read(struct anyxdp_maps *m, struct idx_set *s)
{
	__u32 key, next, *kp = NULL;

	s->n = 0;
	while (!bpf_map_get_next_key(m->tx_ports, kp, &next)) {
		key = next;
		kp = &key;
		if (s->n > TX_PORTS_LIMIT)
			break;
		s->v[s->n++] = key;
	}
	return 0;
}

int steer_tx_ports_count(struct anyxdp_maps *m)
{
	struct idx_set *s = calloc(1, sizeof(*s));
	int n;

	if (!s)
		return -ENOMEM;
	ports_read(m, s);
	n = s->n;
	free(s);
	return n;
}

static int port_add(struct anyxdp_maps *m, __u32 ifindex)
{
	struct bpf_devmap_val v = { .ifindex = ifindex, .bpf_prog.fd = -1 };

	if (bpf_map_update_elem(m->tx_ports, &ifindex, &v, BPF_ANY)) {
		int err = -errno;
		char name[IF_NAMESIZE] = "?";

		if_indextoname(ifindex, name);
		log_err("cannot add %s (ifindex %u) to tx_ports: %s", name, ifindex,
			strerror(-err));
		return err;
	}
	return 0;
}

static const struct steer_entry *find_const(const struct steer_table *t,
					    const struct prefix *p)
{
	return steer_find((struct steer_table *)t, p);
}

static int stats_create(struct anyxdp_maps *m, const struct prefix *p, const void *zero)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;

	steer_key_of(p, &key);
	/* BPF_ANY: a counter left over from an interrupted run starts at zero. */
	if (bpf_map_update_elem(stats_fd(m, p->family), &key, zero, BPF_ANY))
		return -errno;
	return 0;
}

static bool is_served(const struct steer_entry *e)
{
	return e && (e->val.flags & STEER_SERVED);
}

/* The tunnel programs count per served prefix; a pin dir from before
 * them has no such maps (m->tstats4 < 0) and is left as it is. */
static int tun_stats_fd(struct anyxdp_maps *m, int family)
{
	return family == AF_INET ? m->tstats4 : m->tstats6;
}

static int tun_stats_create(struct anyxdp_maps *m, const struct prefix *p)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;
	void *zero;
	int err = 0;

	if (tun_stats_fd(m, p->family) < 0)
		return 0;
	zero = calloc(m->ncpus, sizeof(struct tun_stats));
	if (!zero)
		return -ENOMEM;
	steer_key_of(p, &key);
	if (bpf_map_update_elem(tun_stats_fd(m, p->family), &key, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

static int fail_at(const char *what, const struct prefix *p, int err);

int steer_tun_stats_backfill(struct anyxdp_maps *m)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;
	struct steer_table t = {};
	void *zero;
	size_t i;
	int err;

	if (m->tstats4 < 0 || m->steer4 < 0)
		return 0;
	zero = calloc(m->ncpus, sizeof(struct tun_stats));
	if (!zero)
		return -ENOMEM;
	err = steer_read(m, &t, false);
	for (i = 0; i < t.n && !err; i++) {
		if (!is_served(&t.v[i]))
			continue;
		steer_key_of(&t.v[i].pfx, &key);
		if (bpf_map_update_elem(tun_stats_fd(m, t.v[i].pfx.family), &key, zero,
					BPF_NOEXIST) && errno != EEXIST)
			err = fail_at("create the tunnel counters of", &t.v[i].pfx, -errno);
	}
	steer_table_free(&t);
	free(zero);
	return err;
}

static int trie_write(struct anyxdp_maps *m, const struct steer_entry *e)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;

	struct steer_val v = e->val;

	/* A route written anew starts with an empty FIB cache. */
	memset(&v.cache, 0, sizeof(v.cache));
	steer_key_of(&e->pfx, &key);
	if (bpf_map_update_elem(trie_fd(m, e->pfx.family), &key, &v, BPF_ANY))
		return -errno;
	return 0;
}

static int map_del(int fd, const struct prefix *p)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;

	steer_key_of(p, &key);
	if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

static int fail_at(const char *what, const struct prefix *p, int err)
{
	char a[PREFIX_STRLEN];

	log_err("cannot %s %s: %s", what, fmt(p, a), strerror(-err));
	return err;
}

/* New counters, then tx_ports, so nothing BPF can find lacks them. */
static int write_adds(struct anyxdp_maps *m, const struct steer_table *old,
		      const struct steer_table *new, const struct idx_set *want,
		      const struct idx_set *have)
{
	void *zero = calloc(m->ncpus, sizeof(struct steer_stats));
	size_t i;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (i = 0; i < new->n && !err; i++) {
		const struct steer_entry *o = find_const(old, &new->v[i].pfx);

		if (!o)
			err = stats_create(m, &new->v[i].pfx, zero);
		if (!err && is_served(&new->v[i]) && !is_served(o))
			err = tun_stats_create(m, &new->v[i].pfx);
		if (err)
			fail_at("create the counters of", &new->v[i].pfx, err);
	}
	free(zero);
	for (i = 0; i < want->n && !err; i++)
		if (!idx_has(have, want->v[i]))
			err = port_add(m, want->v[i]);
	return err;
}

/* Routes go before their served prefix, so a half-done removal never
 * leaves routes that steer without the prefix around them. */
static int write_trie(struct anyxdp_maps *m, const struct steer_table *old,
		      const struct steer_table *new)
{
	size_t i;
	int err;

	for (i = old->n; i-- > 0;) {
		if (find_const(new, &old->v[i].pfx))
			continue;
		err = map_del(trie_fd(m, old->v[i].pfx.family), &old->v[i].pfx);
		if (err)
			return fail_at("delete", &old->v[i].pfx, err);
	}
	for (i = 0; i < new->n; i++) {
		const struct steer_entry *o = find_const(old, &new->v[i].pfx);

		/* The BPF-kept cache is no change of ours. */
		if (o && !memcmp(&o->val, &new->v[i].val, offsetof(struct steer_val, cache)))
			continue;
		err = trie_write(m, &new->v[i]);
		if (err)
			return fail_at("write", &new->v[i].pfx, err);
	}
	return 0;
}

static int write_removals(struct anyxdp_maps *m, const struct steer_table *old,
			  const struct steer_table *new, const struct idx_set *want,
			  const struct idx_set *have)
{
	size_t i;
	int err;

	for (i = 0; i < old->n; i++) {
		const struct steer_entry *n = find_const(new, &old->v[i].pfx);
		int family = old->v[i].pfx.family;

		err = 0;
		if (!n)
			err = map_del(stats_fd(m, family), &old->v[i].pfx);
		if (!err && is_served(&old->v[i]) && !is_served(n) &&
		    tun_stats_fd(m, family) >= 0)
			err = map_del(tun_stats_fd(m, family), &old->v[i].pfx);
		if (err)
			return fail_at("delete the counters of", &old->v[i].pfx, err);
	}
	for (i = 0; i < have->n; i++)
		if (!idx_has(want, have->v[i]))
			bpf_map_delete_elem(m->tx_ports, &have->v[i]);
	return 0;
}

static int apply(struct anyxdp_maps *m, const struct steer_table *old,
		 const struct steer_table *new)
{
	struct idx_set *want = calloc(2, sizeof(*want)), *have = want + 1;
	int err;

	if (!want)
		return -ENOMEM;
	err = ports_wanted(new, want);
	if (!err)
		err = ports_read(m, have) ?:
		      write_adds(m, old, new, want, have) ?:
		      write_trie(m, old, new) ?:
		      write_removals(m, old, new, want, have);
	free(want);
	return err;
}

/* Tell the XDP program whether to look destinations up at all: with
 * nothing served it skips the steering lookup. Set after the entries
 * are in, so it never looks before there is something to find. */
static int publish_count(struct anyxdp_maps *m, size_t n)
{
	struct bl_ctl c;
	int err = ctl_read(m, &c);

	if (err)
		return err;
	c.n_steer = n > UINT32_MAX ? UINT32_MAX : (__u32)n;
	return ctl_write(m, &c);
}

int steer_commit(struct anyxdp_maps *m, const struct steer_table *old,
		 struct steer_table *new)
{
	struct steer_table now;
	int err;

	err = maps_have_steer(m) ?: maps_lock(m) ?: steer_validate(new);
	if (err)
		return err;
	err = apply(m, old, new) ?: publish_count(m, new->n);
	if (!err)
		return 0;
	/* Put back what the maps held: what they hold now is the start. */
	if (!steer_read(m, &now, false)) {
		if (apply(m, &now, old) || publish_count(m, old->n))
			log_err("the steering maps in %s could not be fully restored; "
				"check 'anyxdp route list' and repeat the command", m->dir);
		steer_table_free(&now);
	}
	return err;
}

/* ---- single changes ---- */

typedef int (*edit_fn)(struct steer_table *t, const void *arg);

/* Lock, read, edit a copy, commit the copy. */
static int edit_commit(struct anyxdp_maps *m, edit_fn fn, const void *arg)
{
	struct steer_table old, new;
	int err, changed;

	err = maps_have_steer(m) ?: maps_lock(m) ?: steer_read(m, &old, false);
	if (err)
		return err;
	err = steer_table_copy(&new, &old);
	if (err)
		goto out;
	changed = fn(&new, arg);
	err = changed < 0 ? changed : changed ? steer_commit(m, &old, &new) : 0;
	if (!err)
		err = changed;
	steer_table_free(&new);
out:
	steer_table_free(&old);
	return err;
}

struct edit_arg {
	const struct prefix *p;
	int origin;
	bool force;
	const struct nexthop *nh;
};

static int do_prefix_add(struct steer_table *t, const void *a)
{
	return steer_tab_prefix_add(t, ((const struct edit_arg *)a)->p);
}

static int do_prefix_del(struct steer_table *t, const void *a)
{
	const struct edit_arg *e = a;

	return steer_tab_prefix_del(t, e->p, e->force);
}

static int do_route_set(struct steer_table *t, const void *a)
{
	const struct edit_arg *e = a;

	return steer_tab_route_set(t, e->p, e->origin, e->nh);
}

static int do_route_del(struct steer_table *t, const void *a)
{
	const struct edit_arg *e = a;

	return steer_tab_route_del(t, e->p, e->origin);
}

int steer_prefix_add(struct anyxdp_maps *m, const struct prefix *p)
{
	struct edit_arg a = { .p = p };

	return edit_commit(m, do_prefix_add, &a);
}

int steer_prefix_del(struct anyxdp_maps *m, const struct prefix *p, bool force)
{
	struct edit_arg a = { .p = p, .force = force };

	return edit_commit(m, do_prefix_del, &a);
}

int steer_route_set(struct anyxdp_maps *m, const struct prefix *p, int origin,
		    const struct nexthop *nh)
{
	struct edit_arg a = { .p = p, .origin = origin, .nh = nh };

	return edit_commit(m, do_route_set, &a);
}

int steer_route_del(struct anyxdp_maps *m, const struct prefix *p, int origin)
{
	struct edit_arg a = { .p = p, .origin = origin };

	return edit_commit(m, do_route_del, &a);
}

/* ---- refresh ---- */

static int note_change(struct steer_refresh_report *r, const struct steer_entry *e,
		       int origin, const struct nexthop *before)
{
	struct steer_refresh_change *c;

	if (!r)
		return 0;
	c = realloc(r->v, (r->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	r->v = c;
	c += r->n++;
	c->pfx = e->pfx;
	c->origin = origin;
	c->before = *before;
	c->after = e->val.nh[origin];
	return 0;
}

static int refresh_table(struct steer_table *t, struct steer_refresh_report *r)
{
	size_t i;
	int o, err;

	for (i = 0; i < t->n; i++) {
		for (o = 0; o < ORIGIN_MAX; o++) {
			struct nexthop *nh = &t->v[i].val.nh[o], before = *nh;

			if (!nh_present(nh) || !nh->ifname[0])
				continue;
			if (r)
				r->checked++;
			nh_resolve(nh);
			if (memcmp(nh, &before, sizeof(before))) {
				err = note_change(r, &t->v[i], o, &before);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int steer_refresh(struct anyxdp_maps *m, struct steer_refresh_report *r)
{
	struct steer_table old, new;
	int err;

	if (r)
		memset(r, 0, sizeof(*r));
	err = maps_have_steer(m) ?: maps_lock(m) ?: steer_read(m, &old, false);
	if (err)
		return err;
	err = steer_table_copy(&new, &old) ?: refresh_table(&new, r);
	/* Commit even without changes: tx_ports may have lost a device. */
	if (!err)
		err = steer_commit(m, &old, &new);
	steer_table_free(&new);
	steer_table_free(&old);
	return err;
}

/* ---- one learned next hop, straight in the maps (anyxdp sync) ---- */

/* The trie entry that covers p most closely (LPM lookup), or -ENOENT. */
static int trie_cover(struct anyxdp_maps *m, const struct prefix *p, struct steer_val *v)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;

	steer_key_of(p, &key);
	if (bpf_map_lookup_elem(trie_fd(m, p->family), &key, v))
		return -errno;
	return 0;
}

static int count_add(struct anyxdp_maps *m, int delta)
{
	struct bl_ctl c;
	int err = ctl_read(m, &c);

	if (err)
		return err;
	c.n_steer = (__u32)((int)c.n_steer + delta);
	return ctl_write(m, &c);
}

/* port: the Ethernet interface to put in tx_ports first, 0 if none. */
static int learned_write(struct anyxdp_maps *m, const struct prefix *p,
			 const struct steer_val *v, bool is_new, __u32 port)
{
	struct steer_entry e = { .pfx = *p, .val = *v };
	int err = 0;

	if (is_new) {
		void *zero = calloc(m->ncpus, sizeof(struct steer_stats));

		if (!zero)
			return -ENOMEM;
		err = stats_create(m, p, zero);
		free(zero);
	}
	if (!err && port)
		err = port_add(m, port);
	if (!err)
		err = trie_write(m, &e);
	if (!err && is_new)
		err = count_add(m, 1);
	return err;
}

static int learned_clear(struct anyxdp_maps *m, const struct prefix *p, struct steer_val *v)
{
	struct steer_entry e = { .pfx = *p, .val = *v };
	int err;

	memset(&e.val.nh[ORIGIN_LEARNED], 0, sizeof(e.val.nh[0]));
	if ((v->flags & STEER_SERVED) || nh_present(&v->nh[ORIGIN_STATIC]))
		return trie_write(m, &e);
	/* Trie entry before its counters, as write_trie() does. */
	err = map_del(trie_fd(m, p->family), p) ?: map_del(stats_fd(m, p->family), p);
	return err ?: count_add(m, -1);
}

int steer_learned_set(struct anyxdp_maps *m, const struct prefix *p,
		      const struct nexthop *nh, bool dry_run, struct nexthop *before)
{
	struct steer_val v, nv;
	__u32 port = 0;
	bool exact;
	int err = trie_cover(m, p, &v);

	if (err && err != -ENOENT)
		return err;
	exact = !err && v.prefixlen == p->plen;
	if (before) {
		memset(before, 0, sizeof(*before));
		if (exact)
			*before = v.nh[ORIGIN_LEARNED];
	}
	if (!nh) {
		if (!exact || !nh_present(&v.nh[ORIGIN_LEARNED]))
			return 0;
		return dry_run ? 1 : learned_clear(m, p, &v) ?: 1;
	}
	if (err || !v.served_len || v.served_len > p->plen)
		return -ENOENT;
	if (exact && !memcmp(&v.nh[ORIGIN_LEARNED], nh, sizeof(*nh)))
		return 0;
	if (exact) {
		nv = v;
	} else {
		memset(&nv, 0, sizeof(nv));
		nv.prefixlen = p->plen;
		nv.served_len = v.served_len;
	}
	nv.nh[ORIGIN_LEARNED] = *nh;
	/* tx_ports already has the interface when the route already used it
	 * (no per-change interface lookup: the caller resolved nh just now). */
	if (nh->kind == NH_ETHER && nh->ifindex &&
	    !(exact && v.nh[ORIGIN_LEARNED].kind == NH_ETHER &&
	      v.nh[ORIGIN_LEARNED].ifindex == nh->ifindex))
		port = nh->ifindex;
	return dry_run ? 1 : learned_write(m, p, &nv, !exact, port) ?: 1;
}
