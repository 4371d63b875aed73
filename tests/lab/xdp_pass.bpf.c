// SPDX-License-Identifier: GPL-2.0
/*
 * XDP_PASS, for the inet ends of the lab's uplink veths. A veth delivers
 * frames that its peer sends with XDP_TX or XDP_REDIRECT (anyxdp's ICMP
 * too-big answers) only when it runs an XDP program itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
