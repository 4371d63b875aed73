/* SPDX-License-Identifier: GPL-2.0 */
/* The pinned maps of one anyxdp instance (one pin dir). */
#ifndef ANYXDP_USER_MAPS_H
#define ANYXDP_USER_MAPS_H

#include <stdbool.h>
#include <limits.h>
#include "anyxdp.h"

struct anyxdp_bpf;

enum bl_outer_idx {
	O_V4 = 0,	/* per-prefix counter hash, all IPv4 entries */
	O_V6,
	O_NET4,		/* CIDR tries */
	O_NET6,
	O_FILTER4,	/* miss filters */
	O_FILTER6,
	O_MAX,
};
extern const char *const outer_names[O_MAX];	/* "bl_v4_outer", ... */

struct anyxdp_maps {
	char dir[PATH_MAX];
	int ctl, stats, allow4, allow6, attached;
	int outer[O_MAX];
	/* Steering (user/steer.c); -1 in a pin dir made before steering
	 * existed and opened without create. */
	int steer4, steer6, sstats4, sstats6, tx_ports;
	/* Tunnel programs (user/tunnel.c); -1 in an older pin dir opened
	 * without create. */
	int tstats4, tstats6, tunnels, tun_cfg;
	/* Source list names per slot (user/blset.c); -1 in an older pin dir
	 * opened without create. */
	int sources;
	int lock_fd;		/* flock on the pin dir: one writer at a time */
	int btf_fd;		/* the object's BTF, to type the inner maps */
	__u32 key4_id, key6_id, counter_id;
	int ncpus;
};

/* Open the maps pinned under dir. With create, make them first when
 * absent (loads the BPF object once, unattached) and install an empty
 * list, so a blocklist can be loaded before anything is attached.
 * Returns -ENOENT with a message when absent and !create. */
int maps_open(struct anyxdp_maps *m, const char *dir, bool create);
/* Same with create, for a command about to commit a list itself: no
 * empty list first (it would cost a switch for nothing). */
int maps_open_for_commit(struct anyxdp_maps *m, const char *dir);
void maps_close(struct anyxdp_maps *m);
/* 0 if the steering maps are open; else -ENOENT with a message. */
int maps_have_steer(struct anyxdp_maps *m);
/* 0 if the tunnel maps are open; else -ENOENT with a message. */
int maps_have_tunnel(struct anyxdp_maps *m);
/* Exclusive lock for commands that change the maps. */
int maps_lock(struct anyxdp_maps *m);
/* Let other commands in again (long-running commands, between changes). */
void maps_unlock(struct anyxdp_maps *m);

/* The route sync's state maps (sync_status, sync_ignored); with create,
 * pinned first if this pin dir predates them. -ENOENT if absent. */
int maps_open_sync(struct anyxdp_maps *m, int *status_fd, int *ignored_fd, bool create);

/* Open the skeleton with its maps bound to dir (pins reused or made). */
struct anyxdp_bpf *skel_open_pinned(const char *dir);

int ctl_read(struct anyxdp_maps *m, struct bl_ctl *c);
int ctl_write(struct anyxdp_maps *m, const struct bl_ctl *c);

/* Sum a per-CPU counter map entry over CPUs. */
int percpu_sum(int fd, const void *key, int ncpus, struct counter *out);

/* Load BTF for the inner maps (m->btf_fd, the key and counter type ids);
 * once per open. Needs CAP_BPF only. */
int maps_btf(struct anyxdp_maps *m);

/* fd of the inner map in slot of an outer map, or -errno. Without
 * CAP_SYS_ADMIN only the live counter hashes (O_V4, O_V6) can be had. */
int outer_get(struct anyxdp_maps *m, int idx, __u32 slot);

#endif
