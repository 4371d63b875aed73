// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic generator of the steering benchmark, not part of anyxdp.
 *
 * bench_sgen_xdp: run by bpf_prog_test_run_opts with
 *   BPF_F_TEST_XDP_LIVE_FRAMES on the generator's veth (see
 *   tests/bench/bench_steer.c). A forwarded frame comes back to the
 *   test_run page pool as the DUT left it (new MACs, TTL decremented),
 *   and live-frames mode does not restore the data, so each run writes
 *   the whole header from sgen_hdr, then the next source address of
 *   sgen_addrs4, and returns XDP_TX: out of the veth into the DUT.
 *   With sgen_gap_ns set, frames faster than one per gap are dropped
 *   here instead (counted), which paces the output at a fixed rate
 *   without leaving the kernel's test_run loop.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "anyxdp.h"

#define SGEN_MAX_ADDRS 256
#define SGEN_HDR_LEN 42		/* Ethernet + IPv4 + UDP */
#define SGEN_BURST 32		/* frames a late generator may send at once */

/* Set by userspace before the first run. */
__u8 sgen_hdr[SGEN_HDR_LEN];	/* checksum computed with source 0.0.0.0 */
__u32 sgen_n = 1;		/* addresses in sgen_addrs4 */
__u64 sgen_gap_ns = 0;		/* ns between frames per CPU, 0: no pacing */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SGEN_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u32);	/* IPv4 address, network order */
} sgen_addrs4 SEC(".maps");

struct sgen_state {
	__u32 pos;
	__u32 pad;
	__u64 next_ns;		/* earliest time of the next frame */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sgen_state);
} sgen_state SEC(".maps");

/* [0]: frames sent (XDP_TX), [1]: frames held back by the pacing. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct counter);
} sgen_stats SEC(".maps");

static __always_inline __u32 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

static __always_inline void count(__u32 idx, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&sgen_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* 1 if this frame may go now. */
static __always_inline int paced(struct sgen_state *st)
{
	__u64 now, gap = sgen_gap_ns;

	if (!gap)
		return 1;
	now = bpf_ktime_get_ns();
	if (now < st->next_ns)
		return 0;
	/* Behind schedule: catch up by at most a burst. */
	if (st->next_ns + SGEN_BURST * gap < now)
		st->next_ns = now - SGEN_BURST * gap;
	st->next_ns += gap;
	return 1;
}

SEC("xdp")
int bench_sgen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 zero = 0, *addr, sum, i;
	struct sgen_state *st;

	if (data + SGEN_HDR_LEN > end)
		return XDP_ABORTED;
	st = bpf_map_lookup_elem(&sgen_state, &zero);
	if (!st)
		return XDP_ABORTED;
	if (!paced(st)) {
		count(1, end - data);
		return XDP_DROP;
	}
	i = st->pos + 1;
	if (i >= sgen_n)
		i = 0;
	st->pos = i;
	addr = bpf_map_lookup_elem(&sgen_addrs4, &i);
	if (!addr)
		return XDP_ABORTED;
	__builtin_memcpy(data, sgen_hdr, SGEN_HDR_LEN);
	ip->saddr = *addr;
	/* RFC 1624: the template's checksum plus the source's two words. */
	sum = (__u16)~ip->check;
	sum += (*addr & 0xffff) + (*addr >> 16);
	ip->check = (__u16)~csum_fold(sum);
	count(0, end - data);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
