/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a routing daemon told `anyxdp sync`: candidate routes from one
 * source (babeld's local interface, or kernel routes over netlink), keyed
 * by the source's own name for each, grouped by prefix. The sync picks one
 * route per prefix (rib_best) and writes it as the learned next hop.
 *
 * No I/O here: sources call rib_upsert/rib_remove/rib_clear, the sync
 * walks the dirty prefixes. That keeps it testable line by line.
 */
#ifndef ANYXDP_USER_RIB_H
#define ANYXDP_USER_RIB_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "anyxdp.h"
#include "prefix.h"

#define RIB_KEY_LEN 64
#define RIB_METRIC_INF 0xffffffffu

/* One route as a source sees it. */
struct rt_cand {
	char key[RIB_KEY_LEN];	/* babeld's handle, or the kernel route's identity */
	struct prefix prefix;
	struct prefix from;	/* source-specific routing; plen 0 is "any source" */
	bool installed;		/* the daemon selected it */
	uint32_t metric;	/* lower wins; RIB_METRIC_INF (or babeld's 65535) is unreachable */
	uint8_t via_family;	/* 0: none; AF_INET6 for link-local next hops of IPv4 routes */
	uint8_t via[16];
	char ifname[IF_NAMESIZE];
};

struct rib_route;
struct rib_prefix;
struct rib;

/* Why a route the daemon selected is not used (enum sync_ignore in anyxdp.h). */

/* The sync's filters, applied in rib_best(). */
struct rib_filter {
	const char *const *iface_globs;	/* fnmatch patterns; NULL or empty: any */
	size_t n_iface_globs;
	/* Interface lookup; NULL uses if_nametoindex. Returns ifindex or 0. */
	unsigned int (*ifindex)(const char *ifname, void *arg);
	void *arg;
};

struct rib *rib_new(void);
void rib_free(struct rib *r);

/* Add or replace the route with c->key. Its prefix (old and new) becomes dirty. */
int rib_upsert(struct rib *r, const struct rt_cand *c);
/* Remove the route with this key; 0 if there was none. */
int rib_remove(struct rib *r, const char *key);
/* Forget every route (a new session of the source starts). Prefixes stay,
 * with what was applied, so the sync can keep them as stale. */
void rib_clear(struct rib *r);
size_t rib_routes(const struct rib *r);

/* The prefix record for p, created if asked; NULL if absent (or no memory). */
struct rib_prefix *rib_prefix_get(struct rib *r, const struct prefix *p, bool create);

/* Take the next dirty prefix (FIFO), clearing its dirty mark; NULL when none. */
struct rib_prefix *rib_next_dirty(struct rib *r);
/* Mark every prefix dirty (filters or interfaces changed). */
void rib_mark_all_dirty(struct rib *r);
void rib_mark_dirty(struct rib *r, struct rib_prefix *px);
/* The next dirty prefix without taking it; NULL when none. */
struct rib_prefix *rib_next_dirty_peek(struct rib *r);

/*
 * The route to use for this prefix: installed, reachable, any source,
 * interface allowed by f and present; lowest metric, then lowest key.
 * Every other route of the prefix gets its ignore reason set (NONE for
 * routes simply not chosen); the chosen one's is left for the caller
 * to set with rib_route_ignore() once it knows the prefix is served.
 */
const struct rt_cand *rib_best(struct rib *r, struct rib_prefix *px,
			      const struct rib_filter *f);

/* The sync's bookkeeping on a prefix. */
struct rib_applied {
	bool present;		/* a learned next hop of ours is in the map */
	bool stale;		/* from a previous session or process: kept until swept */
	uint64_t hold_until;	/* withdrawal pending until then (CLOCK_MONOTONIC ns) */
	uint32_t hold_refs;	/* entries in the sync's hold queue: not to be freed */
	struct nexthop nh;	/* what was written */
};
const struct prefix *rib_prefix_of(const struct rib_prefix *px);
struct rib_applied *rib_applied_of(struct rib_prefix *px);

/* Iterate prefixes (in no order); fn returns non-zero to stop. */
int rib_for_each_prefix(struct rib *r, int (*fn)(struct rib_prefix *px, void *arg), void *arg);

/* Iterate the routes of a prefix that a daemon selected (installed), with
 * their current ignore reason. */
struct rib_route_view {
	const struct rt_cand *c;
	int ignored;		/* enum sync_ignore */
};
size_t rib_prefix_routes(struct rib_prefix *px, struct rib_route_view *out, size_t max);

/* Drop a prefix record that holds no routes, nothing applied, and is in
 * no queue (dirty, or the sync's hold queue). */
void rib_prefix_gc(struct rib *r, struct rib_prefix *px);

/* Set the ignore reason of a route rib_best() chose (the sync found its
 * prefix is not served, or the map refused it). */
void rib_route_ignore(struct rib *r, const struct rt_cand *c, int reason);

/*
 * Called whenever a route's ignore reason changes, with the route as it
 * is (or was, when it is being removed: then now is SYNC_IGN_NONE).
 */
typedef void (*rib_ignore_hook)(void *arg, const struct rt_cand *c, int was, int now);
void rib_set_ignore_hook(struct rib *r, rib_ignore_hook fn, void *arg);
/* Routes ignored now, for one reason. */
size_t rib_ignored(const struct rib *r, int reason);

#endif
