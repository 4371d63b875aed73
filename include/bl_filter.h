/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filter slot of an address. BPF and userspace must agree bit for bit,
 * so it lives here once (layout in anyxdp.h).
 */
#ifndef ANYXDP_BL_FILTER_H
#define ANYXDP_BL_FILTER_H

#include <linux/types.h>
#include "anyxdp.h"

/* IPv4: the /24. */
static inline __attribute__((always_inline))
__u32 bl_slot4(__u32 addr_host_order)
{
	return addr_host_order >> 8;
}

/*
 * IPv6: the /32 folded onto 24 bits by dropping the first byte (global
 * unicast shares it, so little is lost). Hosts and CIDRs use the same
 * slot: one word load answers both, and a /128 in a busy /32 costs that
 * /32's other traffic only a hash probe.
 */
static inline __attribute__((always_inline))
__u32 bl_slot6(__u32 w0_host_order)
{
	return w0_host_order & ((1u << BL_FILTER_SLOT_BITS) - 1);
}

#endif
