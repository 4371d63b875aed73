/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocklist maps. Each *_outer map holds two inner maps, slot A and B;
 * bl_ctl.active says which slot is live, so a whole list switches with
 * one store. Userspace builds the inner maps (user/blset.c); the
 * definitions below are the templates the verifier checks them against.
 */
#ifndef ANYXDP_MAPS_BLOCKLIST_H
#define ANYXDP_MAPS_BLOCKLIST_H

#include "anyxdp.h"
/* Maps that use the key and counter structs directly must come before
 * the inner templates below: clang emits a struct first seen two
 * pointers deep as a forward declaration, and libbpf cannot size it. */
#include "stats.h"

/* The live slot, generation and sizes of the active list. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bl_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bl_ctl SEC(".maps");

/* Userspace only: each slot's source list names and sizes (anyxdp.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bl_src_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bl_sources SEC(".maps");

/* IPv4 prefixes that are never dropped, whatever the lists say. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key4);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} allow_v4 SEC(".maps");

/* IPv6 prefixes that are never dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key6);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} allow_v6 SEC(".maps");

/*
 * Inner map templates. Spelled inline in __array(), as libbpf wants.
 */
/* Inner: every IPv4 entry (host and CIDR) -> its per-CPU counters. */
#define BL_V4_INNER							\
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);				\
	__uint(max_entries, 1);						\
	__type(key, struct bl_key4);					\
	__type(value, struct counter)

/* Inner: every IPv6 entry -> its per-CPU counters. */
#define BL_V6_INNER							\
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);				\
	__uint(max_entries, 1);						\
	__type(key, struct bl_key6);					\
	__type(value, struct counter)

/* Inner: IPv4 CIDRs (not /32) -> the matched prefix, for the counter key. */
#define BL_NET4_INNER							\
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);				\
	__uint(max_entries, 1);						\
	__uint(map_flags, BPF_F_NO_PREALLOC);				\
	__type(key, struct bl_key4);					\
	__type(value, struct bl_key4)

/* Inner: IPv6 CIDRs (not /128) -> the matched prefix. */
#define BL_NET6_INNER							\
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);				\
	__uint(max_entries, 1);						\
	__uint(map_flags, BPF_F_NO_PREALLOC);				\
	__type(key, struct bl_key6);					\
	__type(value, struct bl_key6)

/* Inner: 2-bit-per-slot filter that proves misses (see anyxdp.h). */
#define BL_FILTER_INNER							\
	__uint(type, BPF_MAP_TYPE_ARRAY);				\
	__uint(max_entries, BL_FILTER_ARRAY);				\
	__uint(map_flags, BPF_F_MMAPABLE);				\
	__type(key, __u32);						\
	__type(value, __u64)

#define BL_OUTER(name, inner)						\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);		\
		__uint(max_entries, 2);					\
		__type(key, __u32);					\
		__uint(pinning, LIBBPF_PIN_BY_NAME);			\
		__array(values, struct { inner; });				\
	} name SEC(".maps")

/* A/B slots of the IPv4 entry/counter hash. */
BL_OUTER(bl_v4_outer, BL_V4_INNER);
/* A/B slots of the IPv6 entry/counter hash. */
BL_OUTER(bl_v6_outer, BL_V6_INNER);
/* A/B slots of the IPv4 CIDR trie. */
BL_OUTER(bl_net4_outer, BL_NET4_INNER);
/* A/B slots of the IPv6 CIDR trie. */
BL_OUTER(bl_net6_outer, BL_NET6_INNER);
/* A/B slots of the IPv4 filter. */
BL_OUTER(bl_filter4_outer, BL_FILTER_INNER);
/* A/B slots of the IPv6 filter. */
BL_OUTER(bl_filter6_outer, BL_FILTER_INNER);

#endif
