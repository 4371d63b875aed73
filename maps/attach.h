/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ANYXDP_MAPS_ATTACH_H
#define ANYXDP_MAPS_ATTACH_H

#include "anyxdp.h"

/* Where this pin dir's program is attached (ifindex -> how); userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct attach_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} attached SEC(".maps");

#endif
