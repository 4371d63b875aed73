// SPDX-License-Identifier: GPL-2.0
/*
 * Source-address rotation for the benchmarks, not part of anyxdp.
 *
 * bench_gen_xdp: the traffic generator of the drop-rate benchmark. Run
 *   by bpf_prog_test_run_opts with BPF_F_TEST_XDP_LIVE_FRAMES on the
 *   sending veth: each run writes the next IPv4 source address of
 *   gen_addrs4 into the frame (per-CPU position, fixing the header
 *   checksum) and returns XDP_TX, which test_run turns into a redirect
 *   out of that veth, so the frame arrives on the peer.
 *
 * bench_rot_xdp: for the lookup benchmark. Writes the next source
 *   address of rot_addrs (IPv4 or IPv6, by the frame's ethertype) and
 *   tail-calls the program under test in rot_target[0], so each of the
 *   `repeat` runs of one test_run sees a different source.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "anyxdp.h"

#define GEN_MAX_ADDRS (1u << 18)
#define ROT_MAX_ADDRS (1u << 16)

/* ---- live-frames generator ---- */

__u32 gen_n = 1;		/* addresses in gen_addrs4, set by userspace */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GEN_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u32);	/* IPv4 address, network order */
} gen_addrs4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gen_pos SEC(".maps");

/* [0]: frames sent back out (XDP_TX), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} gen_stats SEC(".maps");

static __always_inline __u32 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

SEC("xdp")
int bench_gen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 zero = 0, *pos, *addr, old, new, sum, i;
	struct counter *c;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_ABORTED;
	pos = bpf_map_lookup_elem(&gen_pos, &zero);
	if (!pos)
		return XDP_ABORTED;
	i = *pos + 1;
	if (i >= gen_n)
		i = 0;
	*pos = i;
	addr = bpf_map_lookup_elem(&gen_addrs4, &i);
	if (!addr)
		return XDP_ABORTED;
	old = ip->saddr;
	new = *addr;
	ip->saddr = new;
	/* RFC 1624 incremental update, on 16-bit words as stored. */
	sum = (__u16)~ip->check;
	sum += (__u16)~(old & 0xffff) + (__u16)~(old >> 16);
	sum += (new & 0xffff) + (new >> 16);
	ip->check = (__u16)~csum_fold(sum);
	c = bpf_map_lookup_elem(&gen_stats, &zero);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return XDP_TX;
}

/* ---- per-run source rotation for test_run with repeat ---- */

__u32 rot_mask = 0;		/* entries in rot_addrs - 1, a power of two */

struct addr16 {
	__u8 a[16];		/* IPv4 in a[0..3] */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ROT_MAX_ADDRS);
	__type(key, __u32);
	__type(value, struct addr16);
} rot_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rot_pos SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rot_target SEC(".maps");

SEC("xdp")
int bench_rot_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0, *pos, i;
	struct addr16 *a;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	pos = bpf_map_lookup_elem(&rot_pos, &zero);
	if (!pos)
		return XDP_ABORTED;
	i = *pos & rot_mask;
	*pos = i + 1;
	a = bpf_map_lookup_elem(&rot_addrs, &i);
	if (!a)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return XDP_ABORTED;
		__builtin_memcpy(&ip->saddr, a->a, 4);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_ABORTED;
		__builtin_memcpy(&ip6->saddr, a->a, 16);
	}
	bpf_tail_call(ctx, &rot_target, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
