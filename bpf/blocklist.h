/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocklist lookup, shared by every program that filters addresses
 * (the uplink program on sources; the return path on destinations).
 *
 * Per address: one filter load proves most misses. Only if the filter
 * bit is set do we probe the host hash (/32, /128: by definition the
 * most specific entry), then the CIDR trie, whose value names the
 * matched prefix so its counter can be found in the same hash.
 */
#ifndef ANYXDP_BLOCKLIST_H
#define ANYXDP_BLOCKLIST_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "anyxdp.h"
#include "bl_filter.h"
#include "../maps/blocklist.h"

#ifndef READ_ONCE
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#endif

enum bl_result {
	BL_MISS = 0,
	BL_HIT,
	BL_NO_LIST,
};

/* The live A/B slot and sizes. A lookup reads `active` once, so all its
 * map accesses agree on one list. */
static __always_inline struct bl_ctl *bl_ctl_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bl_ctl, &zero);
}

static __always_inline __u32 bl_filter_bits(void *filter, __u32 slot)
{
	__u32 group = slot >> BL_GROUP_SHIFT;
	__u32 word = BL_FILTER_WORDS + group / 64;
	__u64 *w = bpf_map_lookup_elem(filter, &word);

	if (!w || !((*w >> (group & 63)) & 1))
		return 0;
	word = slot >> 5;
	w = bpf_map_lookup_elem(filter, &word);
	if (!w)
		return 0;
	return (*w >> ((slot & 31) * 2)) & 3;
}

/* CIDR stage. The trie's value is the matched entry, which is also the
 * key of its counter in the hash: no masking needed here. */
static __always_inline void *bl_lookup_net(void *nets, void *hosts, void *key,
					   struct counter **ctr)
{
	void *net = bpf_map_lookup_elem(nets, key);

	if (!net)
		return NULL;
	*ctr = bpf_map_lookup_elem(hosts, net);
	return *ctr ? net : NULL;	/* trie without hash entry: cannot happen */
}

/* addr: IPv4 address in network order. On a hit, *ctr is this CPU's
 * counter of the most specific entry and *key (if set) that entry. */
static __always_inline int bl_lookup4(struct bl_ctl *ctl, __be32 addr,
				      struct counter **ctr,
				      struct bl_key4 *key)
{
	__u32 active = READ_ONCE(ctl->active) & 1;
	struct bl_key4 k = { .prefixlen = 32 };
	struct bl_key4 *net;
	void *filter, *hosts, *nets;
	__u32 bits;

	/* An empty family costs no filter load (a cache miss under load). */
	if (!READ_ONCE(ctl->n_v4))
		return BL_MISS;
	filter = bpf_map_lookup_elem(&bl_filter4_outer, &active);
	if (!filter)
		return BL_NO_LIST;
	bits = bl_filter_bits(filter, bl_slot4(bpf_ntohl(addr)));
	if (!bits)
		return BL_MISS;
	hosts = bpf_map_lookup_elem(&bl_v4_outer, &active);
	if (!hosts)
		return BL_NO_LIST;
	__builtin_memcpy(k.addr, &addr, 4);
	if (bits & BL_BIT_HOST) {
		*ctr = bpf_map_lookup_elem(hosts, &k);
		if (*ctr)
			goto hit;
	}
	if (!(bits & BL_BIT_NET))
		return BL_MISS;
	nets = bpf_map_lookup_elem(&bl_net4_outer, &active);
	if (!nets)
		return BL_NO_LIST;
	net = bl_lookup_net(nets, hosts, &k, ctr);
	if (!net)
		return BL_MISS;
	k = *net;
hit:
	if (key)
		*key = k;
	return BL_HIT;
}

/* addr: 16 bytes in network order, anywhere the verifier can read. */
static __always_inline int bl_lookup6(struct bl_ctl *ctl, const __u32 *addr,
				      struct counter **ctr,
				      struct bl_key6 *key)
{
	__u32 active = READ_ONCE(ctl->active) & 1;
	struct bl_key6 k = { .prefixlen = 128 };
	struct bl_key6 *net;
	void *filter, *hosts, *nets;
	__u32 bits;

	if (!READ_ONCE(ctl->n_v6))
		return BL_MISS;
	filter = bpf_map_lookup_elem(&bl_filter6_outer, &active);
	if (!filter)
		return BL_NO_LIST;
	bits = bl_filter_bits(filter, bl_slot6(bpf_ntohl(addr[0])));
	if (!bits)
		return BL_MISS;
	hosts = bpf_map_lookup_elem(&bl_v6_outer, &active);
	if (!hosts)
		return BL_NO_LIST;
	__builtin_memcpy(k.addr, addr, 16);
	if (bits & BL_BIT_HOST) {
		*ctr = bpf_map_lookup_elem(hosts, &k);
		if (*ctr)
			goto hit;
	}
	if (!(bits & BL_BIT_NET))
		return BL_MISS;
	nets = bpf_map_lookup_elem(&bl_net6_outer, &active);
	if (!nets)
		return BL_NO_LIST;
	net = bl_lookup_net(nets, hosts, &k, ctr);
	if (!net)
		return BL_MISS;
	k = *net;
hit:
	if (key)
		*key = k;
	return BL_HIT;
}

static __always_inline int bl_allowed4(struct bl_ctl *ctl, __be32 addr)
{
	struct bl_key4 k = { .prefixlen = 32 };

	if (!ctl->allow_v4)
		return 0;
	__builtin_memcpy(k.addr, &addr, 4);
	return bpf_map_lookup_elem(&allow_v4, &k) != NULL;
}

static __always_inline int bl_allowed6(struct bl_ctl *ctl, const __u32 *addr)
{
	struct bl_key6 k = { .prefixlen = 128 };

	if (!ctl->allow_v6)
		return 0;
	__builtin_memcpy(k.addr, addr, 16);
	return bpf_map_lookup_elem(&allow_v6, &k) != NULL;
}

#endif
