/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tunnel programs (anyxdp_tun, anyxdp_tun_eth) on TC ingress of each
 * tunnel: attaching, detaching, the --tunnels globs that `anyxdp sync`
 * follows, and the sysctls that would defeat them.
 */
#ifndef ANYXDP_TUNNEL_USER_H
#define ANYXDP_TUNNEL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include "anyxdp.h"
#include "maps.h"

#define TUNNELS_MAX_USER 1024	/* maps/tunnel.h TUNNELS_MAX */
#define TUN_GLOBS_MAX (sizeof(((struct tun_cfg *)0)->globs) - 1)

/* The right program for ifname (by its device type) on its TC ingress,
 * recorded in the tunnels map. Prints a line unless quiet; warns about
 * forwarding and rp_filter. */
int tun_attach(struct anyxdp_maps *m, const char *ifname, bool quiet);
/* Off ifname. quiet_absent: no error when it was not there. */
int tun_detach(struct anyxdp_maps *m, const char *ifname, bool quiet_absent);
/* Off every tunnel recorded in this pin dir (that is in this netns). */
int tun_detach_all(struct anyxdp_maps *m);
/* Kernel view: is a tunnel program our ingress filter on ifindex? */
bool tun_is_attached(int ifindex, __u32 *prog_id);

/* "wg-*,tun*": -EINVAL with a message naming what is wrong. */
int tun_globs_check(const char *globs);
int tun_globs_set(struct anyxdp_maps *m, const char *globs);
/* The stored globs ("" when none); -ENOENT if the map is absent. */
int tun_globs_get(struct anyxdp_maps *m, char *buf, size_t len);
bool tun_glob_match(const char *globs, const char *ifname);
/* Attach to every interface of this netns matching globs and not yet
 * carrying the program, except skip (the uplink). Returns the first
 * error; *n counts the interfaces attached. */
int tun_attach_matching(struct anyxdp_maps *m, const char *globs, const char *skip,
			bool quiet, int *n);
/* A served prefix from before the tunnel maps has no counter entry. */
int tun_stats_backfill(struct anyxdp_maps *m);
/* Served prefix p's tunnel counters summed over CPUs; -ENOENT if none. */
struct prefix;
int tun_stats_sum(struct anyxdp_maps *m, const struct prefix *p, struct tun_stats *out);

#endif
