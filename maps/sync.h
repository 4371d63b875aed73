/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The route sync's state (user/cmd_sync.c writes, nobody in BPF reads):
 * pinned beside the data plane's maps so `anyxdp sync status`, bpftool
 * and monitoring see it without talking to the process.
 */
#ifndef ANYXDP_MAPS_SYNC_H
#define ANYXDP_MAPS_SYNC_H

#include "anyxdp.h"

#define SYNC_IGNORED_MAX 4096

/* One entry: the sync process's state and counters. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sync_status);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sync_status SEC(".maps");

/* Routes the daemon selected that the sync does not use, with the reason. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYNC_IGNORED_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sync_ignored_key);
	__type(value, struct sync_ignored_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sync_ignored SEC(".maps");

#endif
