/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ANYXDP_MAPS_STATS_H
#define ANYXDP_MAPS_STATS_H

#include "anyxdp.h"

/* Room to append reasons without changing the pinned map's size. */
#define ANYXDP_STATS_SLOTS 64
_Static_assert(R_MAX <= ANYXDP_STATS_SLOTS, "stats slots");

/* Per-CPU packets and bytes for each enum anyxdp_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ANYXDP_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

#endif
