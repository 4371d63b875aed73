// SPDX-License-Identifier: GPL-2.0
/*
 * anyxdp uplink program: parse, drop blocklisted sources, count.
 * Where to look: parsing in parse.h, lookup in blocklist.h, counting
 * in count(), the verdict at the end of anyxdp_xdp().
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>
#include "anyxdp.h"
#include "parse.h"
#include "blocklist.h"
#include "../maps/blocklist.h"
#include "../maps/stats.h"
#include "../maps/attach.h"
#include "../maps/steer.h"

/* Set from the skeleton before load; the shipped object is the tested one. */
const volatile __u8 cfg_entry_counters = 1;	/* per-prefix counters on hits */

/* libxdp dispatcher: run us first, continue the chain only on PASS. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(anyxdp_xdp);

static __always_inline void count(__u32 reason, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_entry(struct counter *c, __u64 bytes)
{
	if (cfg_entry_counters) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Returns R_DROP_BLOCKLIST, R_PASS_ALLOWLISTED, R_PASS_NO_LIST or -1. */
static __always_inline int check_source(struct pkt *p, __u64 bytes)
{
	struct counter *ctr = NULL;
	struct bl_ctl *ctl = bl_ctl_get();
	int res, allowed;

	if (!ctl || !ctl->generation)
		return R_PASS_NO_LIST;
	if (p->l3_proto == ETH_P_IP) {
		res = bl_lookup4(ctl, p->ip4->saddr, &ctr, NULL);
		allowed = res == BL_HIT && bl_allowed4(ctl, p->ip4->saddr);
	} else {
		res = bl_lookup6(ctl, (__u32 *)&p->ip6->saddr, &ctr, NULL);
		allowed = res == BL_HIT &&
			  bl_allowed6(ctl, (__u32 *)&p->ip6->saddr);
	}
	if (res == BL_NO_LIST)
		return R_PASS_NO_LIST;
	if (res == BL_MISS)
		return -1;
	if (allowed)
		return R_PASS_ALLOWLISTED;
	count_entry(ctr, bytes);
	return R_DROP_BLOCKLIST;
}

/* Everything up to the verdict; returns an enum anyxdp_reason. */
static __always_inline __u32 classify(struct hdr_cursor *c, __u64 bytes)
{
	struct pkt p = {};
	int proto, r;

	proto = parse_l2(c, &p);
	if (proto < 0)
		return p.reason;
	p.l3_proto = proto;
	if (proto == ETH_P_IP)
		r = parse_ip4_fixed(c, &p);
	else if (proto == ETH_P_IPV6)
		r = parse_ip6_fixed(c, &p);
	else
		return R_PASS_NOT_IP;
	if (r < 0)
		return p.reason;

	/* Block on the fixed header alone: a crafted option or extension
	 * chain must not carry a blocked source past us. */
	r = check_source(&p, bytes);
	if (r >= 0)
		return r;

	r = proto == ETH_P_IP ? parse_ip4_rest(c, &p) : parse_ip6_rest(c, &p);
	if (r < 0)
		return p.reason;
	return p.fragment ? R_PASS_FRAGMENT : R_PASS_NO_MATCH;
}

SEC("xdp")
int anyxdp_xdp(struct xdp_md *ctx)
{
	struct hdr_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__u64 bytes = c.end - c.pos;
	__u32 reason = classify(&c, bytes);

	count(reason, bytes);
	return reason == R_DROP_BLOCKLIST ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
