// SPDX-License-Identifier: GPL-2.0
/*
 * The sync's view of a routing daemon: routes by the daemon's key, and
 * the same routes grouped by prefix. Two chained hash tables with fixed
 * bucket arrays: a PoP carries a few thousand routes at most, and a
 * hundred thousand still leaves short chains.
 */
#include <errno.h>
#include <fnmatch.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "rib.h"

#define KEY_BUCKETS (1u << 16)
#define PFX_BUCKETS (1u << 16)

struct rib_route {
	struct rt_cand c;	/* first: rib_route_ignore() gets back from c */
	int ignored;		/* enum sync_ignore */
	int why;		/* rib_best()'s scratch */
	struct rib_prefix *px;
	struct rib_route *hnext;	/* same key bucket */
	struct rib_route *pnext;	/* same prefix */
};

struct rib_prefix {
	struct prefix p;
	struct rib_route *routes;
	struct rib_applied applied;
	bool dirty;
	struct rib_prefix *hnext;	/* same prefix bucket */
	struct rib_prefix *dnext;	/* dirty queue */
};

struct rib {
	struct rib_route *kb[KEY_BUCKETS];
	struct rib_prefix *pb[PFX_BUCKETS];
	struct rib_prefix *dhead, *dtail;
	size_t n_routes;
	size_t ignored[SYNC_IGN_MAX];
	rib_ignore_hook hook;
	void *hook_arg;
};

static uint32_t fnv1a(const void *data, size_t len, uint32_t h)
{
	const uint8_t *d = data;

	while (len--)
		h = (h ^ *d++) * 16777619u;
	return h;
}

static uint32_t key_hash(const char *key)
{
	return fnv1a(key, strlen(key), 2166136261u) & (KEY_BUCKETS - 1);
}

static uint32_t pfx_hash(const struct prefix *p)
{
	uint32_t h = fnv1a(&p->family, 2, 2166136261u);

	return fnv1a(p->addr, 16, h) & (PFX_BUCKETS - 1);
}

static bool pfx_eq(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->plen == b->plen && !memcmp(a->addr, b->addr, 16);
}

struct rib *rib_new(void)
{
	return calloc(1, sizeof(struct rib));
}

void rib_set_ignore_hook(struct rib *r, rib_ignore_hook fn, void *arg)
{
	r->hook = fn;
	r->hook_arg = arg;
}

size_t rib_ignored(const struct rib *r, int reason)
{
	return reason > 0 && reason < SYNC_IGN_MAX ? r->ignored[reason] : 0;
}

size_t rib_routes(const struct rib *r)
{
	return r->n_routes;
}

static void set_ignored(struct rib *r, struct rib_route *rt, int reason)
{
	int was = rt->ignored;

	if (was == reason)
		return;
	if (was > 0 && was < SYNC_IGN_MAX)
		r->ignored[was]--;
	if (reason > 0 && reason < SYNC_IGN_MAX)
		r->ignored[reason]++;
	rt->ignored = reason;
	if (r->hook)
		r->hook(r->hook_arg, &rt->c, was, reason);
}

void rib_route_ignore(struct rib *r, const struct rt_cand *c, int reason)
{
	set_ignored(r, (struct rib_route *)c, reason);
}

void rib_mark_dirty(struct rib *r, struct rib_prefix *px)
{
	if (px->dirty)
		return;
	px->dirty = true;
	px->dnext = NULL;
	if (r->dtail)
		r->dtail->dnext = px;
	else
		r->dhead = px;
	r->dtail = px;
}

struct rib_prefix *rib_next_dirty_peek(struct rib *r)
{
	return r->dhead;
}

struct rib_prefix *rib_next_dirty(struct rib *r)
{
	struct rib_prefix *px = r->dhead;

	if (!px)
		return NULL;
	r->dhead = px->dnext;
	if (!r->dhead)
		r->dtail = NULL;
	px->dirty = false;
	px->dnext = NULL;
	return px;
}

struct rib_prefix *rib_prefix_get(struct rib *r, const struct prefix *p, bool create)
{
	uint32_t h = pfx_hash(p);
	struct rib_prefix *px;

	for (px = r->pb[h]; px; px = px->hnext)
		if (pfx_eq(&px->p, p))
			return px;
	if (!create)
		return NULL;
	px = calloc(1, sizeof(*px));
	if (!px)
		return NULL;
	px->p = *p;
	px->hnext = r->pb[h];
	r->pb[h] = px;
	return px;
}

static struct rib_route **key_slot(struct rib *r, const char *key)
{
	struct rib_route **pp = &r->kb[key_hash(key)];

	while (*pp && strcmp((*pp)->c.key, key))
		pp = &(*pp)->hnext;
	return pp;
}

static void unlink_from_prefix(struct rib *r, struct rib_route *rt)
{
	struct rib_route **pp = &rt->px->routes;

	while (*pp && *pp != rt)
		pp = &(*pp)->pnext;
	if (*pp)
		*pp = rt->pnext;
	rib_mark_dirty(r, rt->px);
	rt->px = NULL;
	rt->pnext = NULL;
}

static void link_to_prefix(struct rib *r, struct rib_route *rt, struct rib_prefix *px)
{
	rt->px = px;
	rt->pnext = px->routes;
	px->routes = rt;
	rib_mark_dirty(r, px);
}

int rib_upsert(struct rib *r, const struct rt_cand *c)
{
	struct rib_route **slot = key_slot(r, c->key), *rt = *slot;
	struct rib_prefix *px = rib_prefix_get(r, &c->prefix, true);

	if (!px)
		return -ENOMEM;
	if (!rt) {
		rt = calloc(1, sizeof(*rt));
		if (!rt)
			return -ENOMEM;
		*slot = rt;
		r->n_routes++;
	} else {
		/* Its ignore record names the old route; rib_best() redoes it. */
		set_ignored(r, rt, SYNC_IGN_NONE);
		unlink_from_prefix(r, rt);
	}
	rt->c = *c;
	rt->c.key[RIB_KEY_LEN - 1] = '\0';
	link_to_prefix(r, rt, px);
	return 0;
}

static void route_free(struct rib *r, struct rib_route **slot)
{
	struct rib_route *rt = *slot;

	set_ignored(r, rt, SYNC_IGN_NONE);
	unlink_from_prefix(r, rt);
	*slot = rt->hnext;
	free(rt);
	r->n_routes--;
}

int rib_remove(struct rib *r, const char *key)
{
	struct rib_route **slot = key_slot(r, key);

	if (!*slot)
		return 0;
	route_free(r, slot);
	return 1;
}

void rib_clear(struct rib *r)
{
	size_t b;

	for (b = 0; b < KEY_BUCKETS; b++)
		while (r->kb[b])
			route_free(r, &r->kb[b]);
}

void rib_mark_all_dirty(struct rib *r)
{
	struct rib_prefix *px;
	size_t b;

	for (b = 0; b < PFX_BUCKETS; b++)
		for (px = r->pb[b]; px; px = px->hnext)
			rib_mark_dirty(r, px);
}

int rib_for_each_prefix(struct rib *r, int (*fn)(struct rib_prefix *px, void *arg), void *arg)
{
	struct rib_prefix *px, *next;
	size_t b;
	int err;

	for (b = 0; b < PFX_BUCKETS; b++)
		for (px = r->pb[b]; px; px = next) {
			next = px->hnext;	/* fn may gc px */
			err = fn(px, arg);
			if (err)
				return err;
		}
	return 0;
}

void rib_prefix_gc(struct rib *r, struct rib_prefix *px)
{
	struct rib_prefix **pp = &r->pb[pfx_hash(&px->p)];

	if (px->routes || px->applied.present || px->applied.hold_refs || px->dirty)
		return;
	while (*pp && *pp != px)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = px->hnext;
	free(px);
}

void rib_free(struct rib *r)
{
	struct rib_prefix *px, *next;
	size_t b;

	if (!r)
		return;
	r->hook = NULL;
	rib_clear(r);
	for (b = 0; b < PFX_BUCKETS; b++)
		for (px = r->pb[b]; px; px = next) {
			next = px->hnext;
			free(px);
		}
	free(r);
}

const struct prefix *rib_prefix_of(const struct rib_prefix *px)
{
	return &px->p;
}

struct rib_applied *rib_applied_of(struct rib_prefix *px)
{
	return &px->applied;
}

size_t rib_prefix_routes(struct rib_prefix *px, struct rib_route_view *out, size_t max)
{
	struct rib_route *rt;
	size_t n = 0;

	for (rt = px->routes; rt; rt = rt->pnext) {
		if (!rt->c.installed)
			continue;
		if (n < max) {
			out[n].c = &rt->c;
			out[n].ignored = rt->ignored;
		}
		n++;
	}
	return n;
}

/* ---- choosing ---- */

static bool iface_allowed(const struct rib_filter *f, const char *ifname)
{
	size_t i;

	if (!f->n_iface_globs)
		return true;
	for (i = 0; i < f->n_iface_globs; i++)
		if (!fnmatch(f->iface_globs[i], ifname, 0))
			return true;
	return false;
}

static bool iface_exists(const struct rib_filter *f, const char *ifname)
{
	if (!ifname[0])
		return false;
	return f->ifindex ? f->ifindex(ifname, f->arg) != 0 : if_nametoindex(ifname) != 0;
}

static int ignore_reason(const struct rib_filter *f, const struct rt_cand *c)
{
	if (c->from.plen)
		return SYNC_IGN_SOURCE_SPECIFIC;
	if (!iface_allowed(f, c->ifname))
		return SYNC_IGN_IFACE;
	if (!iface_exists(f, c->ifname))
		return SYNC_IGN_NO_IFACE;
	return SYNC_IGN_NONE;
}

static bool better(const struct rt_cand *a, const struct rt_cand *b)
{
	if (!b)
		return true;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return strcmp(a->key, b->key) < 0;
}

const struct rt_cand *rib_best(struct rib *r, struct rib_prefix *px,
			      const struct rib_filter *f)
{
	struct rib_route *rt, *best = NULL;

	for (rt = px->routes; rt; rt = rt->pnext) {
		rt->why = SYNC_IGN_NONE;
		if (!rt->c.installed || rt->c.metric == RIB_METRIC_INF)
			continue;
		rt->why = ignore_reason(f, &rt->c);
		if (!rt->why && better(&rt->c, best ? &best->c : NULL))
			best = rt;
	}
	/* The chosen one keeps its reason: the caller decides it (served?). */
	for (rt = px->routes; rt; rt = rt->pnext)
		if (rt != best)
			set_ignored(r, rt, rt->why);
	return best ? &best->c : NULL;
}
