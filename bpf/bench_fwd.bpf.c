// SPDX-License-Identifier: GPL-2.0
/*
 * Reference forwarder of the steering benchmark, not part of anyxdp.
 *
 * bench_fwd_xdp: the least an XDP router does to an IPv4 packet: check
 *   the headers, decrement the TTL (checksum by RFC 1624), write fixed
 *   MACs and redirect through a one-entry devmap. No route lookup, no
 *   counters, no FIB: the floor under anyxdp's steering on this path.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set by userspace before attaching. */
__u8 fwd_dmac[ETH_ALEN];
__u8 fwd_smac[ETH_ALEN];

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);	/* ifindex */
} fwd_ports SEC(".maps");

SEC("xdp")
int bench_fwd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 sum;
	__u16 old;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ttl <= 1)
		return XDP_PASS;
	old = *(__u16 *)&ip->ttl;
	ip->ttl--;
	sum = (__u16)~ip->check + (__u16)~old + *(__u16 *)&ip->ttl;
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~((sum & 0xffff) + (sum >> 16));
	__builtin_memcpy(eth->h_dest, fwd_dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fwd_smac, ETH_ALEN);
	return bpf_redirect_map(&fwd_ports, 0, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
