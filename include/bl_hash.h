/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv6 host filter hash. BPF and userspace must agree bit for bit,
 * so it lives here once. Words are loaded as they sit in memory; both
 * sides run on the same host, so byte order cancels out.
 */
#ifndef ANYXDP_BL_HASH_H
#define ANYXDP_BL_HASH_H

#include <linux/types.h>
#include "anyxdp.h"

/* Multiply-xor chain: cheap on BPF (no loops, no helpers) and spreads
 * addresses that differ only in the interface identifier. */
static inline __attribute__((always_inline))
__u32 bl_hash6(__u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 h = w0 * 0x9E3779B1u;

	h = (h ^ w1) * 0x85EBCA77u;
	h = (h ^ w2) * 0xC2B2AE3Du;
	h = (h ^ w3) * 0x27D4EB2Fu;
	return (h ^ (h >> 15)) & ((1u << BL_FILTER_SLOT_BITS) - 1);
}

/* /32 of an IPv6 address folded onto 24 bits by dropping the first
 * byte: global unicast shares its first byte, so little is lost. */
static inline __attribute__((always_inline))
__u32 bl_net6_slot(__u32 w0_host_order)
{
	return w0_host_order & ((1u << BL_FILTER_SLOT_BITS) - 1);
}

#endif
