/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel ingress maps: the return path's counters and which tunnels
 * carry the program. The programs read the steering tries for "served"
 * and the blocklist for the far end; these are their own.
 */
#ifndef ANYXDP_MAPS_TUNNEL_H
#define ANYXDP_MAPS_TUNNEL_H

#include "anyxdp.h"

#define TUN_STATS_MAX 1024	/* served prefixes, not routes: few */
#define TUNNELS_MAX 1024

/* Per-CPU return and relay counters of every IPv4 served prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TUN_STATS_MAX);
	__type(key, struct bl_key4);
	__type(value, struct tun_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_stats_v4 SEC(".maps");

/* Per-CPU return and relay counters of every IPv6 served prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TUN_STATS_MAX);
	__type(key, struct bl_key6);
	__type(value, struct tun_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_stats_v6 SEC(".maps");

/* Tunnels carrying anyxdp_tun or anyxdp_tun_eth (ifindex -> how); userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TUNNELS_MAX);
	__type(key, __u32);
	__type(value, struct attach_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tunnels SEC(".maps");

/* The --tunnels globs, for anyxdp sync to pick up new tunnels; userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tun_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tun_cfg SEC(".maps");

#endif
