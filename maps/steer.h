/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Steering maps: served prefixes, the next-hop map and its counters.
 * Userspace (user/steer.c) writes them; the XDP program reads them.
 */
#ifndef ANYXDP_MAPS_STEER_H
#define ANYXDP_MAPS_STEER_H

#include "anyxdp.h"

#define STEER_MAX_ENTRIES 16384
#define TX_PORTS_MAX 256

/* IPv4 served prefixes and the routes inside them -> next hops. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, STEER_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key4);
	__type(value, struct steer_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_v4 SEC(".maps");

/* IPv6 served prefixes and the routes inside them -> next hops. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, STEER_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key6);
	__type(value, struct steer_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_v6 SEC(".maps");

/* Per-CPU counters of every steer_v4 entry, keyed by its prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, STEER_MAX_ENTRIES);
	__type(key, struct bl_key4);
	__type(value, struct steer_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_stats_v4 SEC(".maps");

/* Per-CPU counters of every steer_v6 entry, keyed by its prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, STEER_MAX_ENTRIES);
	__type(key, struct bl_key6);
	__type(value, struct steer_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_stats_v6 SEC(".maps");

/* Ethernet next hops XDP may redirect to, keyed by ifindex. The kernel
 * removes an entry when its device is unregistered. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, TX_PORTS_MAX);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tx_ports SEC(".maps");

/* Rate limit of the ICMP too-big answers we generate. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct icmp_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} icmp_bucket SEC(".maps");

#endif
