// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark baselines, not part of anyxdp.
 *   bench_drop_xdp: the trivial receiver of the drop-rate benchmark:
 *                   count the frame per CPU, drop it.
 *   bench_pass_xdp: returns XDP_PASS and nothing else: the cost of
 *                   bpf_prog_test_run itself in the lookup benchmark.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "anyxdp.h"

/* [0]: frames seen (packets, bytes), summed by userspace over CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} drop_stats SEC(".maps");

SEC("xdp")
int bench_drop_xdp(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct counter *c = bpf_map_lookup_elem(&drop_stats, &zero);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

SEC("xdp")
int bench_pass_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
