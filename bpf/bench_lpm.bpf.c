// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison point of the lookup benchmark, not part of anyxdp: the
 * textbook XDP blocklist. Parse Ethernet and IPv4/IPv6 minimally, one
 * plain LPM trie lookup of the source address (one trie per family
 * holding every entry, /32 and /128 included), drop on a hit, count
 * the verdict in a per-CPU array like anyxdp's stats map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "anyxdp.h"

/* Sized by userspace (bpf_map__set_max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key4);
	__type(value, __u32);
} lpm_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bl_key6);
	__type(value, __u32);
} lpm_v6 SEC(".maps");

enum { LPM_PASS = 0, LPM_DROP = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct counter);
} lpm_stats SEC(".maps");

static __always_inline int lookup(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct bl_key6 k6 = { .prefixlen = 128 };
	struct bl_key4 k4 = { .prefixlen = 32 };

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return 0;
		__builtin_memcpy(k4.addr, &ip->saddr, 4);
		return bpf_map_lookup_elem(&lpm_v4, &k4) != NULL;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return 0;
		__builtin_memcpy(k6.addr, &ip6->saddr, 16);
		return bpf_map_lookup_elem(&lpm_v6, &k6) != NULL;
	}
	return 0;
}

SEC("xdp")
int bench_lpm_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 verdict = lookup(data, end) ? LPM_DROP : LPM_PASS;
	struct counter *c = bpf_map_lookup_elem(&lpm_stats, &verdict);

	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return verdict == LPM_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
