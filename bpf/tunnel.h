/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel ingress: what leaves the tunnels for the world goes out by the
 * kernel's own FIB route, but without netfilter. A PoP that sees only
 * the replies of a flow (the request came in at another PoP) then needs
 * no conntrack entry for it, and makes none.
 *
 *   tun_pkt_at()       the IP header, pulled into the linear area
 *   tun_served()       which side is ours: source (return) or destination (relay)
 *   tun_far_blocked()  the blocklist, on the address at the far end
 *   tun_fib()          bpf_fib_lookup, as the kernel would route it
 *   tun_send()         MAC header, TTL, redirect
 */
#ifndef ANYXDP_TUNNEL_H
#define ANYXDP_TUNNEL_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "anyxdp.h"
#include "parse.h"
#include "blocklist.h"
#include "steer.h"
#include "../maps/tunnel.h"

/* Reason and TC action in one return value of the global function. */
#define TUN_RET(reason, act) ((reason) | (act) << 8)

struct tun_hit {
	struct steer_val *sv;	/* the steering entry holding the served address */
	struct tun_stats *st;	/* its served prefix's counters */
	int relay;		/* destination served (transit), not the source */
	__u64 bytes;		/* as it arrived */
};

/*
 * The IP header at l3off, with pointers the verifier accepts. wireguard-go
 * hands the kernel GSO super-packets whose headers may sit in a fragment.
 */
static __always_inline int tun_pkt_at(struct __sk_buff *skb, struct pkt *p, __u32 l3off,
				      const int v6)
{
	__u32 need = l3off + (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr));
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (l3off > ETH_HLEN)
		return -1;
	if (data + need > end) {
		if (bpf_skb_pull_data(skb, need))
			return -1;
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	p->l3_proto = v6 ? ETH_P_IPV6 : ETH_P_IP;
	if (v6) {
		p->ip6 = data + l3off;
		if ((void *)(p->ip6 + 1) > end || p->ip6->version != 6)
			return -1;
		return 0;
	}
	p->ip4 = data + l3off;
	if ((void *)(p->ip4 + 1) > end || p->ip4->version != 4 || p->ip4->ihl < 5)
		return -1;
	return 0;
}

/* Lengths that fit the frame, as ip_rcv_core() and ipv6_rcv() demand.
 * GSO super-packets may carry other lengths (BIG TCP: 0): not checked. */
static __always_inline int tun_len_bad(struct __sk_buff *skb, struct pkt *p, __u32 l3off)
{
	__u32 avail = skb->len - l3off, len;

	if (skb->gso_size)
		return 0;
	if (p->l3_proto == ETH_P_IP) {
		len = bpf_ntohs(p->ip4->tot_len);
		return len < p->ip4->ihl * 4u || len > avail;
	}
	len = bpf_ntohs(p->ip6->payload_len);
	return (len || p->ip6->nexthdr != 0) && len + sizeof(struct ipv6hdr) > avail;
}

static __always_inline struct steer_val *served_lookup(struct pkt *p, int dst)
{
	if (p->l3_proto == ETH_P_IP) {
		struct bl_key4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, dst ? &p->ip4->daddr : &p->ip4->saddr, 4);
		return bpf_map_lookup_elem(&steer_v4, &k);
	}
	struct bl_key6 k = { .prefixlen = 128 };

	__builtin_memcpy(k.addr, dst ? &p->ip6->daddr : &p->ip6->saddr, 16);
	return bpf_map_lookup_elem(&steer_v6, &k);
}

/* Counters of the served prefix (not the route) that holds the address. */
static __always_inline struct tun_stats *tun_stats_get(struct pkt *p, int dst, __u32 len)
{
	if (p->l3_proto == ETH_P_IP) {
		struct bl_key4 k = { .prefixlen = len };

		__builtin_memcpy(k.addr, dst ? &p->ip4->daddr : &p->ip4->saddr, 4);
		mask4(k.addr, len);
		return bpf_map_lookup_elem(&tun_stats_v4, &k);
	}
	struct bl_key6 k = { .prefixlen = len };

	__builtin_memcpy(k.addr, dst ? &p->ip6->daddr : &p->ip6->saddr, 16);
	mask6(k.addr, len);
	return bpf_map_lookup_elem(&tun_stats_v6, &k);
}

/* A reply (source served) wins over transit: a packet between two served
 * addresses is one of ours answering, and the far end is its destination. */
static __always_inline int tun_served(struct pkt *p, struct tun_hit *h)
{
	h->sv = served_lookup(p, 0);
	if (!h->sv) {
		h->sv = served_lookup(p, 1);
		if (!h->sv)
			return 0;
		h->relay = 1;
	}
	if (cfg_entry_counters)
		h->st = tun_stats_get(p, h->relay, h->sv->served_len);
	return 1;
}

static __always_inline int tun_done(struct tun_hit *h, __u32 tsc, int reason, int act)
{
	struct counter *c;

	if (tsc < TSC_MAX && h->st) {
		c = (struct counter *)h->st + tsc;
		c->packets++;
		c->bytes += h->bytes;
	}
	return TUN_RET(reason, act);
}

/* As the nftables rule `ip daddr @blacklist drop` did for replies; the
 * allowlist wins here too. Transit is judged by its source, as on the
 * uplink. The entry's own counter counts these hits as well. */
static __always_inline int tun_far_blocked(struct pkt *p, struct tun_hit *h)
{
	struct bl_ctl *ctl = bl_ctl_get();
	struct counter *ctr = NULL;
	int res, allowed;

	if (!ctl || !ctl->generation)
		return 0;
	if (p->l3_proto == ETH_P_IP) {
		__be32 a = h->relay ? p->ip4->saddr : p->ip4->daddr;

		res = bl_lookup4(ctl, a, &ctr, NULL);
		allowed = res == BL_HIT && bl_allowed4(ctl, a);
	} else {
		__u32 *a = h->relay ? (__u32 *)&p->ip6->saddr : (__u32 *)&p->ip6->daddr;

		res = bl_lookup6(ctl, a, &ctr, NULL);
		allowed = res == BL_HIT && bl_allowed6(ctl, a);
	}
	if (res != BL_HIT || allowed)
		return 0;
	if (cfg_entry_counters && ctr) {
		ctr->packets++;
		ctr->bytes += h->bytes;
	}
	return 1;
}

#define FIB_NEIGH 1	/* tun_fib(): route found, neighbour not resolved */

/*
 * The route the kernel would take for this packet arriving on this
 * tunnel (ingress ifindex: policy rules on iif apply). Returns 0 with
 * MACs, FIB_NEIGH, or the reason to leave it to the kernel.
 */
static __always_inline int tun_fib(struct __sk_buff *skb, struct pkt *p,
				   struct bpf_fib_lookup *f, __u32 l3off)
{
	__u32 mtu_len = 0;
	int rc;

	f->ifindex = skb->ifindex;
	/* GSO super-packets are measured per segment below; the others as
	 * they will leave, whatever their header says. */
	f->tot_len = skb->gso_size ? 0 : skb->len - l3off;
	if (p->l3_proto == ETH_P_IP) {
		__u32 d = bpf_ntohl(p->ip4->daddr), s = bpf_ntohl(p->ip4->saddr);

		/* Never forwarded by the kernel (ip_route_input_slow()), but
		 * a default route matches them; bpf_fib_lookup() refuses the
		 * IPv6 counterparts itself. */
		if ((d >> 28) == 0xe || d == 0xffffffff || (d >> 24) == 0 || (d >> 24) == 127 ||
		    (s >> 28) == 0xe || s == 0xffffffff || (s >> 24) == 0 || (s >> 24) == 127)
			return R_TUN_PASS_NO_ROUTE;
		f->family = AF_INET;
		f->tos = p->ip4->tos;
		f->l4_protocol = p->ip4->protocol;
		f->ipv4_src = p->ip4->saddr;
		f->ipv4_dst = p->ip4->daddr;
	} else {
		f->family = AF_INET6;
		f->flowinfo = *(__be32 *)p->ip6 & bpf_htonl(0x0fffffff);
		f->l4_protocol = p->ip6->nexthdr;
		__builtin_memcpy(f->ipv6_src, &p->ip6->saddr, 16);
		__builtin_memcpy(f->ipv6_dst, &p->ip6->daddr, 16);
	}
	rc = bpf_fib_lookup(skb, f, sizeof(*f), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		break;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return R_TUN_PASS_FRAG_NEEDED;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return R_TUN_PASS_NO_ROUTE;
	default:	/* forwarding off on the tunnel, lwt, no source address */
		return R_TUN_PASS_FIB;
	}
	if (f->ifindex == skb->ifindex)
		return R_TUN_PASS_HAIRPIN;
	if (skb->gso_size &&
	    bpf_check_mtu(skb, f->ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS))
		return R_TUN_PASS_FRAG_NEEDED;
	return rc == BPF_FIB_LKUP_RET_SUCCESS ? 0 : FIB_NEIGH;
}

static __always_inline int mac_is_zero(const __u8 *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/*
 * Out by the FIB's route. An L3 tunnel's packet gets a MAC header first:
 * bpf_redirect() to an Ethernet device and bpf_redirect_neigh() to any
 * device need one (the kernel drops it otherwise, silently). A known
 * Ethernet neighbour gets a plain redirect with its MACs; no neighbour
 * yet, or an L3 device out (transit into another tunnel: no MACs at
 * all), go through the kernel's neighbour code. Returns the TC action,
 * or -1 with the packet untouched.
 */
static __always_inline int tun_send(struct __sk_buff *skb, struct pkt *p,
				    struct bpf_fib_lookup *f, __u32 l3off, int neigh)
{
	struct bpf_redir_neigh nh = {};
	struct ethhdr *eth;
	void *data, *end;
	__u16 proto = bpf_htons(p->l3_proto);

	if (l3off == 0 && bpf_skb_change_head(skb, ETH_HLEN, 0))
		return -1;
	if (tun_pkt_at(skb, p, ETH_HLEN, p->l3_proto == ETH_P_IPV6))
		return TC_ACT_SHOT;	/* cannot happen: it was there before */
	ttl_dec(p);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		return TC_ACT_SHOT;
	eth->h_proto = proto;
	if (!neigh && !mac_is_zero(f->dmac)) {
		__builtin_memcpy(eth->h_dest, f->dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, f->smac, ETH_ALEN);
		return bpf_redirect(f->ifindex, 0);
	}
	/* The kernel refuses a multicast destination MAC here. */
	__builtin_memset(eth->h_dest, 0, ETH_ALEN);
	nh.nh_family = f->family;
	if (f->family == AF_INET)
		nh.ipv4_nh = f->ipv4_dst;
	else
		__builtin_memcpy(nh.ipv6_nh, f->ipv6_dst, 16);
	return bpf_redirect_neigh(f->ifindex, &nh, sizeof(nh), 0);
}

static __always_inline __u32 tun_tsc_of(int reason)
{
	switch (reason) {
	case R_TUN_PASS_NO_ROUTE: return TSC_PASS_NO_ROUTE;
	case R_TUN_PASS_FRAG_NEEDED: return TSC_PASS_FRAG_NEEDED;
	default: return TSC_PASS_OTHER;
	}
}

static __always_inline int tun_family(struct __sk_buff *skb, __u32 l3off, const int v6)
{
	struct bl_ctl *ctl = bl_ctl_get();
	struct bpf_fib_lookup f = {};
	struct tun_hit h = { .bytes = skb->len };
	struct pkt p = {};
	int r, act;

	if (tun_pkt_at(skb, &p, l3off, v6) || tun_len_bad(skb, &p, l3off))
		return TUN_RET(R_TUN_PASS_MALFORMED, TC_ACT_OK);
	if (!ctl || !READ_ONCE(ctl->n_steer) || !tun_served(&p, &h))
		return TUN_RET(R_TUN_PASS_NOT_SERVED, TC_ACT_OK);
	if (tun_far_blocked(&p, &h))
		return tun_done(&h, TSC_DROP_BLOCKLIST, R_TUN_DROP_BLOCKLIST, TC_ACT_SHOT);
	if (ttl_expiring(&p))
		return tun_done(&h, TSC_PASS_TTL, R_TUN_PASS_TTL, TC_ACT_OK);
	r = tun_fib(skb, &p, &f, l3off);
	if (r > FIB_NEIGH)
		return tun_done(&h, tun_tsc_of(r), r, TC_ACT_OK);
	act = tun_send(skb, &p, &f, l3off, r == FIB_NEIGH);
	if (act < 0)
		return tun_done(&h, TSC_PASS_OTHER, R_TUN_PASS_FIB, TC_ACT_OK);
	if (h.relay)
		return tun_done(&h, TSC_RELAYED, R_TUN_RELAY, act);
	return tun_done(&h, TSC_RETURNED, R_TUN_RETURN, act);
}

/* Global: the verifier checks it once, not once per program and family
 * path into it. l3off: 0 on an L3 tunnel, ETH_HLEN on an Ethernet one. */
__noinline int tun_forward(struct __sk_buff *skb, __u32 l3off, __u32 v6)
{
	if (v6)
		return tun_family(skb, l3off, 1);
	return tun_family(skb, l3off, 0);
}

#endif
