/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One reading of every counter and state an operator watches: verdicts
 * and reasons, each served prefix and route, each blocklist source list,
 * the active list and the route sync. `anyxdp stats --prometheus`, the
 * exporter and `anyxdp top` all read through this, so they agree.
 */
#ifndef ANYXDP_USER_SNAPSHOT_H
#define ANYXDP_USER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include "anyxdp.h"
#include "blset.h"
#include "maps.h"
#include "prefix.h"

/* A trie entry: a served prefix, or a route inside one. */
struct snap_prefix {
	struct prefix pfx;
	struct prefix served;		/* the served prefix holding it (itself if served) */
	bool is_served;
	struct steer_val val;		/* next hops, as in the map */
	struct steer_stats steer;	/* uplink counters, summed over CPUs */
	bool has_tun;			/* served prefixes with tun_stats */
	struct tun_stats tun;		/* tunnel program counters, summed over CPUs */
};

/* An interface anyxdp attached a program to, as recorded in the pin dir. */
struct snap_iface {
	char ifname[16];
	__u32 mode;			/* enum anyxdp_attach_mode */
	bool live;			/* the program is still there */
};
#define SNAP_IFACES_MAX 64

enum snap_what {
	SNAP_SOURCES = 1,	/* per source list drops: reads the whole list */
	SNAP_ALL = SNAP_SOURCES,
};

struct snapshot {
	__u64 mono_ns;			/* CLOCK_MONOTONIC when taken, for rates */
	__u64 real_ns;			/* CLOCK_REALTIME when taken */
	struct counter reasons[R_MAX];
	struct counter verdicts[V_MAX];	/* reasons summed by verdict; V_EVENT apart */
	struct bl_ctl ctl;		/* active list: generation, sizes, load time */
	bool have_steer;		/* pin dir has the steering maps */
	struct snap_prefix *prefixes;	/* sorted by prefix_cmp */
	size_t n_prefixes;
	bool have_sources;		/* SNAP_SOURCES asked for and read (a failed
					 * reading is a warning, not an error) */
	struct bl_source_stat *sources;
	size_t n_sources;
	bool have_sync;			/* anyxdp sync has run with this pin dir */
	bool sync_alive;		/* its process is running */
	const char *sync_state;		/* "running", "grace", "dead", ... */
	struct sync_status sync;
	/* Uplinks and tunnels of this network namespace. */
	struct snap_iface ifaces[SNAP_IFACES_MAX];
	size_t n_ifaces;
};

/* Read everything (what: enum snap_what flags for the costly parts).
 * Returns 0 or -errno after logging; s is then empty. */
int snapshot_take(struct anyxdp_maps *m, struct snapshot *s, unsigned what);
void snapshot_free(struct snapshot *s);

/* The stats map by reason, and summed by verdict. */
int snapshot_reasons(struct anyxdp_maps *m, struct counter *reasons, struct counter *verdicts);

#endif
