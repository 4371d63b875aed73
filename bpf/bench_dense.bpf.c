// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment for the drop-rate benchmark, not part of anyxdp: how fast
 * can a /32 blocklist with per-entry per-CPU counters go on this machine
 * if readability is given up? An open-addressing table of 8-slot buckets
 * (one cache line) in a plain array, and the counters in a per-CPU array
 * indexed by entry number. No filter, no CIDRs, IPv4 only.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "anyxdp.h"

#define DENSE_SLOTS 8
#define DENSE_PROBES 8

struct dense_bucket {
	__u32 addr[DENSE_SLOTS];	/* network order; 0 with idx 0 = empty */
	__u32 idx[DENSE_SLOTS];		/* entry number + 1 */
};

const volatile __u32 dense_mask = 0;	/* buckets - 1, a power of two minus 1 */
const volatile __u32 dense_shift = 31;	/* 32 - log2(buckets): multiplicative hashing keeps the high bits */

/* Sized by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dense_bucket);
} dense_tbl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} dense_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct counter);
} dense_stats SEC(".maps");

static __always_inline __u32 dense_find(__be32 a)
{
	__u32 b = ((__u32)a * 0x9E3779B1u) >> dense_shift;
	struct dense_bucket *bk;
	int p, i;

	for (p = 0; p < DENSE_PROBES; p++) {
		bk = bpf_map_lookup_elem(&dense_tbl, &b);
		if (!bk)
			return 0;
#pragma unroll
		for (i = 0; i < DENSE_SLOTS; i++) {
			if (bk->addr[i] == a && bk->idx[i])
				return bk->idx[i];
		}
		if (!bk->idx[DENSE_SLOTS - 1])
			return 0;	/* bucket not full: the key is not further on */
		b = (b + 1) & dense_mask;
	}
	return 0;
}

SEC("xdp")
int bench_dense_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 verdict = 0, idx = 0;
	struct counter *c;

	if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP))
		idx = dense_find(ip->saddr);
	if (idx) {
		idx--;
		c = bpf_map_lookup_elem(&dense_cnt, &idx);
		if (c) {
			c->packets++;
			c->bytes += end - data;
		}
		verdict = 1;
	}
	c = bpf_map_lookup_elem(&dense_stats, &verdict);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return verdict ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
