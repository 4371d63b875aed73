// SPDX-License-Identifier: GPL-2.0
/*
 * anyxdp uplink programs.
 *   anyxdp_xdp: parse, drop blocklisted sources, steer served
 *   destinations to their next hop, count.
 *   anyxdp_tc: TC ingress on the same uplink; redirects what XDP
 *   marked for an L3 tunnel (XDP cannot transmit into those).
 * And the tunnel programs, TC ingress on each tunnel:
 *   anyxdp_tun (L3: WireGuard, TUN) and anyxdp_tun_eth (Ethernet links):
 *   replies from served prefixes, and transit to them, out by the FIB
 *   route without conntrack (tunnel.h).
 * Where to look: parsing in parse.h, blocklist lookup in blocklist.h,
 * route lookup and rewrites in steer.h, counting in count(), the
 * decisions in classify() and steer() below, the tunnels' in tunnel.h.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
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
#include "../maps/sync.h"

/* Set from the skeleton before load; the shipped object is the tested one. */
const volatile __u8 cfg_entry_counters = 1;	/* per-prefix counters on hits */
const volatile __u8 cfg_mss_clamp = 1;		/* lower the MSS of SYNs we steer */
const volatile __u16 cfg_mss_max = 0;		/* fixed MSS cap, 0: MTU-based only */
const volatile __u32 cfg_icmp_rate = 1000;	/* too-big answers/s per CPU, 0: none */

/* After the knobs: steer.h, icmp.h and tunnel.h read them. */
#include "steer.h"
#include "tunnel.h"

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
static __always_inline int check_source(struct bl_ctl *ctl, struct pkt *p, __u64 bytes)
{
	struct counter *ctr = NULL;
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

/* A blocked packet for a served prefix also counts against the entry
 * (route or served prefix) it would have matched. */
static __always_inline void count_served_drop(struct pkt *p, __u64 bytes)
{
	struct steer_hit h = {};

	if (cfg_entry_counters && steer_lookup(p, &h))
		steer_count(&h, SC_DROP_BLOCKLIST, bytes);
}

static __always_inline int steer_done(struct steer_hit *h, __u32 sc, int reason, __u64 bytes)
{
	steer_count(h, sc, bytes);
	return reason;
}

/* The parser's result as plain numbers, for the global steer(). */
#define STEER_INFO(p) ((p)->l3_proto | (__u32)(p)->l4_proto << 16 | (__u32)(p)->fragment << 24)

/* Header pointers again from offsets: after a call or an adjust_meta
 * the verifier has forgotten the old ones. */
static __always_inline int pkt_at(struct xdp_md *ctx, struct pkt *p, __u64 l3off,
				  __u64 l4off, __u64 info, const int v6)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	p->l3_proto = v6 ? ETH_P_IPV6 : ETH_P_IP;
	p->l4_proto = (info >> 16) & 0xff;
	p->fragment = info >> 24;
	/* No frame is 16 KiB; the bound lets the verifier range-check p->l4. */
	if (l3off > L2_MAX || l4off > 0x3fff)
		return -1;
	if (p->l3_proto == ETH_P_IP) {
		p->ip4 = data + l3off;
		if ((void *)(p->ip4 + 1) > end)
			return -1;
	} else {
		p->ip6 = data + l3off;
		if ((void *)(p->ip6 + 1) > end)
			return -1;
	}
	p->l4 = data + l4off;
	return 0;
}

/* The MSS a SYN may carry through this next hop, 0: no clamping. */
static __always_inline __u16 mss_wanted(struct xdp_md *ctx, struct pkt *p, struct steer_hit *h)
{
	struct tcphdr *th = p->l4;

	/* Only SYNs carry the option: other segments cost TC nothing. */
	if (!cfg_mss_clamp || p->l4_proto != IPPROTO_TCP || p->fragment ||
	    (void *)(th + 1) > (void *)(long)ctx->data_end || !th->syn)
		return 0;
	return mss_limit(p, h->mtu);
}

#define STEER_RET(reason, act) ((reason) | (act) << 8)

/* Out of XDP to an Ethernet next hop. bpf_redirect_map() only picks the
 * target, so asking it first tells whether the device is still there
 * (the kernel drops its devmap entry when it goes) before anything is
 * changed. */
static __always_inline int steer_xdp_out(struct xdp_md *ctx, struct pkt *p, struct steer_hit *h,
					 struct bpf_fib_lookup *f, __u64 l3off, __u64 l4off,
					 __u16 mss, __u64 bytes)
{
	void *data;

	if (bpf_redirect_map(&tx_ports, h->nh->ifindex, XDP_PASS) != XDP_REDIRECT)
		return STEER_RET(steer_done(h, SC_PASS_IF_DOWN, R_PASS_IF_DOWN, bytes), XDP_PASS);
	ttl_dec(p);
	if (mss && steer_mss_clamp(ctx, l4off, mss))
		count(R_EV_MSS_CLAMPED, bytes);
	if (pop_vlans(ctx, l3off, p->l3_proto))
		return STEER_RET(R_PASS_MALFORMED, XDP_PASS);
	data = (void *)(long)ctx->data;
	if (data + sizeof(struct ethhdr) > (void *)(long)ctx->data_end)
		return STEER_RET(R_PASS_MALFORMED, XDP_PASS);
	__builtin_memcpy(((struct ethhdr *)data)->h_dest, f->dmac, ETH_ALEN);
	__builtin_memcpy(((struct ethhdr *)data)->h_source, f->smac, ETH_ALEN);
	steer_count(h, SC_STEERED, bytes);
	return STEER_RET(R_STEER_XDP, XDP_REDIRECT);
}

/*
 * Destination inside a served prefix: send it to the route's next hop,
 * or hand it to the kernel with the reason counted. Returns
 * STEER_RET(reason, action), or -1 when the destination is not served.
 */
static __always_inline int steer_family(struct xdp_md *ctx, __u64 l3off, __u64 l4off,
					__u64 info, __u64 bytes, const int v6)
{
	struct bpf_fib_lookup f = {};
	struct steer_hit h = {};
	struct pkt p = {};
	int r;
	__u16 mss;

	if (pkt_at(ctx, &p, l3off, l4off, info, v6) || !steer_lookup(&p, &h))
		return -1;
	h.nh = nh_pick(h.sv);
	if (!h.nh)
		return STEER_RET(steer_done(&h, SC_PASS_NO_ROUTE, R_PASS_NO_ROUTE, bytes), XDP_PASS);
	r = nh_check(ctx, &p, &h, &f);
	if (r)
		return STEER_RET(steer_done(&h, r == R_PASS_NO_NEIGH ? SC_PASS_NO_NEIGH :
					    SC_PASS_IF_DOWN, r, bytes), XDP_PASS);
	if (ttl_expiring(&p))
		return STEER_RET(steer_done(&h, SC_PASS_TTL, R_PASS_TTL, bytes), XDP_PASS);
	if (l3_len(&p) > h.mtu) {
		r = too_big(ctx, &p, h.mtu);
		if (r == R_TX_ICMP_TOO_BIG)
			return STEER_RET(steer_done(&h, SC_ICMP_TOO_BIG, r, bytes), XDP_TX);
		return STEER_RET(steer_done(&h, SC_PASS_TOO_BIG, r, bytes), XDP_PASS);
	}
	mss = mss_wanted(ctx, &p, &h);
	if (h.nh->kind == NH_ETHER && !h.neigh)
		return steer_xdp_out(ctx, &p, &h, &f, l3off, l4off, mss, bytes);
	/* The TC path needs metadata; check it works before changing
	 * anything. TC clamps the MSS: it knows a partial checksum. */
	if (meta_write(ctx, h.nh, h.neigh ? META_F_NEIGH : 0, mss))
		return STEER_RET(R_PASS_NO_META, XDP_PASS);
	if (pkt_at(ctx, &p, l3off, l4off, info, v6))
		return STEER_RET(R_PASS_MALFORMED, XDP_PASS);
	ttl_dec(&p);
	if (pop_vlans(ctx, l3off, p.l3_proto))
		return STEER_RET(R_PASS_MALFORMED, XDP_PASS);
	steer_count(&h, SC_STEERED, bytes);
	return STEER_RET(R_STEER_TC, XDP_PASS);
}

/* Global, so the verifier checks it once rather than once for every way
 * the parser can reach it; one copy per family, so it never has to prove
 * that two family checks agree. */
__noinline int steer(struct xdp_md *ctx, __u64 l3off, __u64 l4off, __u64 info, __u64 bytes)
{
	if ((info & 0xffff) == ETH_P_IPV6)
		return steer_family(ctx, l3off, l4off, info, bytes, 1);
	return steer_family(ctx, l3off, l4off, info, bytes, 0);
}

/* Everything up to the verdict; returns an enum anyxdp_reason and sets
 * *act when the action is not XDP_PASS. */
static __always_inline __u32 classify(struct xdp_md *ctx, struct hdr_cursor *c, __u64 bytes,
				      int *act)
{
	struct bl_ctl *ctl = bl_ctl_get();
	struct pkt p = {};
	int proto, r, pass, served;
	__u32 l3off;

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
	r = check_source(ctl, &p, bytes);
	served = ctl && READ_ONCE(ctl->n_steer);
	if (r == R_DROP_BLOCKLIST) {
		if (served)
			count_served_drop(&p, bytes);
		*act = XDP_DROP;
		return r;
	}
	pass = r >= 0 ? r : R_PASS_NO_MATCH;

	r = proto == ETH_P_IP ? parse_ip4_rest(c, &p) : parse_ip6_rest(c, &p);
	if (r < 0)
		return pass != R_PASS_NO_MATCH ? pass : p.reason;
	if (!served)
		goto not_served;
	l3off = (proto == ETH_P_IP ? (void *)p.ip4 : (void *)p.ip6) - (void *)(long)ctx->data;
	r = steer(ctx, l3off, p.l4 - (void *)(long)ctx->data, STEER_INFO(&p), bytes);
	if (r >= 0) {
		*act = r >> 8;
		return r & 0xff;
	}
not_served:
	if (pass != R_PASS_NO_MATCH)
		return pass;
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
	int act = XDP_PASS;
	__u32 reason = classify(ctx, &c, bytes, &act);

	count(reason, bytes);
	return act;
}

/* L4 offset of a TCP segment the TC program may clamp, or -1. XDP
 * popped any VLAN tags; IPv6 SYNs with extension headers are left be. */
static __always_inline int tc_tcp_offset(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if (ip->protocol != IPPROTO_TCP || ip->ihl < 5 ||
		    (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			return -1;
		return sizeof(*eth) + ip->ihl * 4;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6) && ip6->nexthdr == IPPROTO_TCP)
		return sizeof(*eth) + sizeof(*ip6);
	return -1;
}

/*
 * MSS clamp for the tunnel path. bpf_l4_csum_replace() leaves a partial
 * checksum (CHECKSUM_PARTIAL: local or veth senders) alone, as the
 * device completing it will see the new MSS anyway.
 */
__noinline int tc_mss_clamp(struct __sk_buff *skb, __u64 max)
{
	void *data, *end;
	struct tcphdr *th;
	__u16 old, new, *v;
	int l4off, at;

	/* Ethernet, IPv4 with options or IPv6, TCP with options, linear. */
	bpf_skb_pull_data(skb, skb->len < 14 + 60 + 60 ? skb->len : 14 + 60 + 60);
	l4off = tc_tcp_offset(skb);
	if (l4off < 0 || l4off > 14 + 60)
		return 0;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	th = data + l4off;
	v = mss_over(th, end, max, &at);
	if (!v)
		return 0;
	old = *v;
	new = bpf_htons(max);
	if (bpf_skb_store_bytes(skb, l4off + at, &new, sizeof(new), 0))
		return 0;
	csum_field_at(at, &old, &new);
	bpf_l4_csum_replace(skb, l4off + offsetof(struct tcphdr, check), old, new, sizeof(new));
	return 1;
}

/*
 * The second half of the tunnel hand-off. The kernel strips the MAC
 * header when redirecting into an L3 device. Packets without our
 * metadata go on to the stack untouched.
 */
SEC("tc")
int anyxdp_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct steer_meta *m = (void *)(long)skb->data_meta;
	struct bpf_redir_neigh nh = {};
	__u32 ifindex;
	__u16 mss;

	if ((void *)(m + 1) > data || m->magic != STEER_META_MAGIC)
		return TC_ACT_OK;
	ifindex = m->ifindex;
	mss = m->mss;
	nh.nh_family = m->via_family;
	__builtin_memcpy(nh.ipv6_nh, m->via, 16);
	if (!(m->flags & META_F_NEIGH))
		nh.nh_family = 0xff;	/* plain redirect */
	count(R_EV_TC_REDIRECT, skb->len);
	if (mss && tc_mss_clamp(skb, mss))
		count(R_EV_MSS_CLAMPED, skb->len);
	if (nh.nh_family == 0xff)
		return bpf_redirect(ifindex, 0);
	if (!nh.nh_family)
		return bpf_redirect_neigh(ifindex, NULL, 0, 0);
	return bpf_redirect_neigh(ifindex, &nh, sizeof(nh), 0);
}

/* Tunnel ingress, L3 devices: the packet starts at its IP header. */
SEC("tc")
int anyxdp_tun(struct __sk_buff *skb)
{
	__u64 bytes = skb->len;
	int r;

	if (skb->protocol == bpf_htons(ETH_P_IP))
		r = tun_forward(skb, 0, 0);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		r = tun_forward(skb, 0, 1);
	else
		r = TUN_RET(R_TUN_PASS_MALFORMED, TC_ACT_OK);
	count(r & 0xff, bytes);
	return r >> 8;
}

/* Tunnel ingress, Ethernet devices (gretap, VXLAN, a veth in the lab).
 * Tagged frames are left to the kernel: TC on the parent runs before a
 * VLAN subinterface gets them, and that one routes by its own iif,
 * forwarding setting and rules. */
SEC("tc")
int anyxdp_tun_eth(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u64 bytes = skb->len;
	int r = TUN_RET(R_TUN_PASS_MALFORMED, TC_ACT_OK);

	if ((void *)(eth + 1) <= end && !skb->vlan_present) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			r = tun_forward(skb, ETH_HLEN, 0);
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			r = tun_forward(skb, ETH_HLEN, 1);
	}
	count(r & 0xff, bytes);
	return r >> 8;
}

char LICENSE[] SEC("license") = "GPL";
