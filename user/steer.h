/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Served prefixes and the routes inside them: the steer_v4/steer_v6
 * tries, their steer_stats_v4/v6 counters and the tx_ports devmap.
 *
 * Two layers. The table functions (steer_tab_*) edit an in-memory copy
 * and check the rules, logging what is wrong; steer_commit() then writes
 * the difference to the maps. Batch users (config apply, anyxdp sync)
 * read once, edit many times, commit once, so a bad edit changes nothing.
 * The steer_prefix_* / steer_route_* wrappers do lock, read, one edit
 * and commit for single changes.
 */
#ifndef ANYXDP_USER_STEER_H
#define ANYXDP_USER_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include "anyxdp.h"
#include "maps.h"
#include "prefix.h"

struct steer_entry {
	struct prefix pfx;
	struct steer_val val;
	struct steer_stats stats;	/* summed over CPUs, if read with stats */
};

/* Sorted by prefix_cmp after steer_read() and steer_validate(). */
struct steer_table {
	struct steer_entry *v;
	size_t n, cap;
};

/* ---- next hops ---- */

/* A next hop of this origin exists (resolved or not). */
bool nh_present(const struct nexthop *nh);
/* The origin BPF uses for v (static when its ifindex is set), or -1. */
int steer_active_origin(const struct steer_val *v);

/*
 * Look nh->ifname up in this network namespace: ifindex, kind (unless
 * NH_F_KIND_SET) and NH_F_DOWN from IFF_UP. Returns 0, or -ENODEV when
 * no such interface exists: NH_F_DOWN is set and ifindex left as it was.
 */
int nh_resolve(struct nexthop *nh);

enum link_state { LINK_UP, LINK_DOWN, LINK_GONE };
/* The interface nh->ifindex as it is now: gone when that index is free
 * or belongs to another name (the interface was re-created). */
enum link_state nh_link_state(const struct nexthop *nh);
/* true if nh_resolve() would change nh: run 'anyxdp route refresh'. */
bool nh_stale(const struct nexthop *nh);

const char *nh_kind_name(int kind);		/* "tunnel", "ether", "unknown" */
const char *link_state_name(enum link_state s);	/* "up", "down", "gone" */
const char *origin_name(int origin);		/* "static", "learned" */
/* "fe80::2", "192.0.2.1" or "" when there is none. */
char *nh_via_format(const struct nexthop *nh, char *buf, size_t len);
/* Parse a next-hop address of either family into nh; -EINVAL if bad. */
int nh_via_parse(struct nexthop *nh, const char *s);

/* ---- the in-memory table ---- */

/* Both tries, sorted; with_stats also sums each entry's counters. */
int steer_read(struct anyxdp_maps *m, struct steer_table *t, bool with_stats);
/* p as the key of the tries and counter maps (struct bl_key4 or bl_key6). */
void steer_key_of(const struct prefix *p, void *key);
/* Counter entries in tun_stats_v4/v6 for served prefixes lacking one. */
int steer_tun_stats_backfill(struct anyxdp_maps *m);
void steer_table_free(struct steer_table *t);
int steer_table_copy(struct steer_table *dst, const struct steer_table *src);
struct steer_entry *steer_find(struct steer_table *t, const struct prefix *p);
/* The served prefix that holds p (p itself when it is served), or NULL. */
struct steer_entry *steer_served_of(struct steer_table *t, const struct prefix *p);
/* Routes (next hops of either origin) in served prefix p, its own included. */
size_t steer_routes_in(const struct steer_table *t, const struct prefix *p);

/*
 * Edits. Each returns 1 if the table changed, 0 if it already was so,
 * or -errno after logging why (nothing in t changes then).
 */
int steer_tab_prefix_add(struct steer_table *t, const struct prefix *p);
/* Refused while p holds routes, unless force (which deletes them). */
int steer_tab_prefix_del(struct steer_table *t, const struct prefix *p, bool force);
/* Set the next hop of origin for p, which must lie in a served prefix.
 * The entry's counters are kept. */
int steer_tab_route_set(struct steer_table *t, const struct prefix *p, int origin,
			const struct nexthop *nh);
/* Remove the next hop of origin; the entry goes when nothing is left
 * and it is not a served prefix. */
int steer_tab_route_del(struct steer_table *t, const struct prefix *p, int origin);

/* The rules: served prefixes do not overlap, every route lies in one,
 * sizes fit the maps. Sorts t and fills prefixlen and served_len. */
int steer_validate(struct steer_table *t);

/*
 * Make the maps hold new, given that they hold old (read under the same
 * maps_lock()). Counters are created before and deleted after their trie
 * entry; tx_ports gets the Ethernet next hops. On a failure half way the
 * maps are put back to old as far as possible.
 */
int steer_commit(struct anyxdp_maps *m, const struct steer_table *old,
		 struct steer_table *new);

/* ---- single changes: lock, read, edit, commit ----
 * Each returns 1 if the maps changed, 0 if they already were so, or
 * -errno after logging why (the maps are then unchanged). */

int steer_prefix_add(struct anyxdp_maps *m, const struct prefix *p);
int steer_prefix_del(struct anyxdp_maps *m, const struct prefix *p, bool force);
int steer_route_set(struct anyxdp_maps *m, const struct prefix *p, int origin,
		    const struct nexthop *nh);
int steer_route_del(struct anyxdp_maps *m, const struct prefix *p, int origin);

/* One line per changed next hop, for the refresh report. */
struct steer_refresh_change {
	struct prefix pfx;
	int origin;
	struct nexthop before, after;
};
struct steer_refresh_report {
	size_t checked;			/* next hops looked at */
	size_t n;			/* changed */
	struct steer_refresh_change *v;	/* free() it */
};

/* Resolve every next hop's ifname again (ifindex, kind, NH_F_DOWN) and
 * bring tx_ports in line. r may be NULL. */
int steer_refresh(struct anyxdp_maps *m, struct steer_refresh_report *r);

/*
 * One prefix's learned next hop, written straight to the maps without
 * reading the table, so a change costs a few syscalls however many routes
 * there are (anyxdp sync). nh NULL removes it. The caller holds
 * maps_lock(). before (may be NULL) gets the learned next hop that was
 * there, zeroed if none. Returns 1 if the maps changed (or would, with
 * dry_run), 0 if they already were so, -ENOENT when p lies in no served
 * prefix, or -errno.
 */
int steer_learned_set(struct anyxdp_maps *m, const struct prefix *p,
		      const struct nexthop *nh, bool dry_run, struct nexthop *before);

/* Number of interfaces in tx_ports; for status. */
int steer_tx_ports_count(struct anyxdp_maps *m);

#endif
