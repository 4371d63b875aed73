/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Steering: packets for a served prefix go to the next hop the route
 * names, skipping netfilter and the kernel's routing.
 *
 *   steer_lookup()   one LPM lookup: served prefix and route together
 *   nh_check()       next hop usable? (down, gone, MTU, FIB)
 *   steer_commit()   rewrite (TTL, MSS, VLAN pop) and hand off:
 *                    L3 tunnels through the TC program (XDP metadata),
 *                    Ethernet next hops by XDP redirect (tx_ports)
 */
#ifndef ANYXDP_STEER_H
#define ANYXDP_STEER_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "anyxdp.h"
#include "csum.h"
#include "icmp.h"
#include "parse.h"
#include "../maps/steer.h"

/* Reads the cfg_* knobs, so anyxdp.bpf.c includes it after defining them. */

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
/* Kernel 6.5+; Debian's uapi headers predate it. */
#define FIB_LOOKUP_SKIP_NEIGH (1U << 2)
#define IP_DF 0x4000
#define TCP_MSS_OPT_SPACE 40	/* options after the fixed header, RFC 9293 */
/* Options walked before giving up. Stacks put MSS first; a SYN with
 * the most options seen (macOS: MSS, NOP, WS, NOP, NOP, TS, SACKOK, EOL)
 * has eight. More would cost the verifier, not correctness: a SYN we
 * do not clamp still works, only with the kernel's PMTU discovery. */
#define TCP_OPT_WALK 10

struct steer_hit {
	struct steer_val *sv;
	struct steer_stats *st;		/* the matched entry's counters */
	struct nexthop *nh;
	__u32 mtu;			/* of the next hop, route MTU applied */
	int neigh;			/* Ethernet next hop, neighbour unresolved */
};

static __always_inline __u32 mask32(__u32 len)
{
	return len >= 32 ? ~0U : len ? ~0U << (32 - len) : 0;
}

static __always_inline void mask4(__u8 *addr, __u32 len)
{
	*(__u32 *)addr &= bpf_htonl(mask32(len));
}

static __always_inline void mask6(__u8 *addr, __u32 len)
{
	__u32 *a = (__u32 *)addr;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		a[i] &= bpf_htonl(mask32(len > 32 * i ? len - 32 * i : 0));
}

/* Counters of the entry of length len that holds dst. */
static __always_inline struct steer_stats *steer_stats_get(struct pkt *p, __u32 len)
{
	if (p->l3_proto == ETH_P_IP) {
		struct bl_key4 k = { .prefixlen = len };

		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
		mask4(k.addr, len);
		return bpf_map_lookup_elem(&steer_stats_v4, &k);
	} else {
		struct bl_key6 k = { .prefixlen = len };

		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
		mask6(k.addr, len);
		return bpf_map_lookup_elem(&steer_stats_v6, &k);
	}
}

/* Served prefix and route in one lookup. Returns 0 if dst is not ours. */
static __always_inline int steer_lookup(struct pkt *p, struct steer_hit *h)
{
	if (p->l3_proto == ETH_P_IP) {
		struct bl_key4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
		h->sv = bpf_map_lookup_elem(&steer_v4, &k);
	} else {
		struct bl_key6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
		h->sv = bpf_map_lookup_elem(&steer_v6, &k);
	}
	if (!h->sv)
		return 0;
	/* Only the longest match counts; a served prefix's total is its own
	 * entry plus its routes', summed by userspace (one lookup, not two). */
	if (cfg_entry_counters)
		h->st = steer_stats_get(p, h->sv->prefixlen);
	return 1;
}

static __always_inline void steer_count(struct steer_hit *h, __u32 sc, __u64 bytes)
{
	struct counter *c;

	if (sc >= SC_MAX || !h->st)
		return;
	c = (struct counter *)h->st + sc;
	c->packets++;
	c->bytes += bytes;
}

/* Static next hop first, then the one Babel taught us; a static one
 * userspace saw down yields to a learned one that is not. */
static __always_inline struct nexthop *nh_pick(struct steer_val *sv)
{
	struct nexthop *s = &sv->nh[ORIGIN_STATIC], *l = &sv->nh[ORIGIN_LEARNED];

	if (s->ifindex && !(s->flags & NH_F_DOWN))
		return s;
	if (l->ifindex && !(l->flags & NH_F_DOWN))
		return l;
	if (s->ifindex)
		return s;
	if (l->ifindex)
		return l;
	return NULL;
}

static __always_inline __u32 l3_len(struct pkt *p)
{
	if (p->l3_proto == ETH_P_IP)
		return bpf_ntohs(p->ip4->tot_len);
	return bpf_ntohs(p->ip6->payload_len) + sizeof(struct ipv6hdr);
}

static __always_inline void fib_set_dst(struct bpf_fib_lookup *f, struct nexthop *nh,
					struct pkt *p)
{
	if (nh->via_family == AF_INET) {
		f->family = AF_INET;
		__builtin_memcpy(&f->ipv4_dst, nh->via, 4);
	} else if (nh->via_family == AF_INET6) {
		f->family = AF_INET6;
		__builtin_memcpy(f->ipv6_dst, nh->via, 16);
	} else if (p->l3_proto == ETH_P_IP) {
		f->family = AF_INET;
		f->ipv4_dst = p->ip4->daddr;
	} else {
		f->family = AF_INET6;
		__builtin_memcpy(f->ipv6_dst, &p->ip6->daddr, 16);
	}
}

/* Jiffies a FIB answer is trusted: 16 are 16 to 64 ms (HZ 1000 to 250),
 * so a neighbour or link change is seen that fast, yet at a million
 * packets a second the lookup is done once per some ten thousand. */
#define NH_CACHE_JIFFIES 16

static __always_inline struct nh_cache *nh_cached(struct steer_hit *h, __u64 now)
{
	struct nh_cache *c = &h->sv->cache;

	return c->ifindex == h->nh->ifindex && now < c->expires ? c : NULL;
}

/*
 * An Ethernet next hop: its MACs and MTU from one FIB lookup of `via`
 * (or of the destination) out of its device, cached in the route. The
 * FIB also checks the MTU (tot_len in, mtu_result out). A device that
 * is down has no routes, so the lookup fails.
 */
static __always_inline int nh_check_ether(struct xdp_md *ctx, struct pkt *p, struct steer_hit *h,
					  struct bpf_fib_lookup *f)
{
	struct nexthop *nh = h->nh;
	__u64 now = bpf_jiffies64();
	struct nh_cache *c = nh_cached(h, now);
	__u32 mtu;
	int rc;

	if (c) {
		__builtin_memcpy(f->dmac, c->dmac, ETH_ALEN);
		__builtin_memcpy(f->smac, c->smac, ETH_ALEN);
		h->mtu = c->mtu;
		goto route_mtu;
	}
	fib_set_dst(f, nh, p);
	f->ifindex = nh->ifindex;
	f->tot_len = l3_len(p);
	rc = bpf_fib_lookup(ctx, f, sizeof(*f), BPF_FIB_LOOKUP_OUTPUT);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS && f->ifindex == nh->ifindex) {
		h->mtu = f->mtu_result ? f->mtu_result : l3_len(p);
		c = &h->sv->cache;
		/* Racing writers store the same answer; a reader sees the
		 * ifindex of a complete entry last. */
		c->ifindex = 0;
		__builtin_memcpy(c->dmac, f->dmac, ETH_ALEN);
		__builtin_memcpy(c->smac, f->smac, ETH_ALEN);
		c->mtu = h->mtu;
		c->expires = now + NH_CACHE_JIFFIES;
		c->ifindex = nh->ifindex;
	} else if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		h->mtu = f->mtu_result;
	} else if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		/* bpf_redirect_neigh() in TC resolves it; MTU from the device. */
		mtu = l3_len(p);
		if (bpf_check_mtu(ctx, nh->ifindex, &mtu, 0, 0) < 0)
			return R_PASS_IF_DOWN;
		h->mtu = mtu;
		h->neigh = 1;
	} else {
		return R_PASS_NO_NEIGH;
	}
route_mtu:
	if (nh->mtu && nh->mtu < h->mtu)
		h->mtu = nh->mtu;
	return 0;
}

/*
 * Is the tunnel's interface up? bpf_check_mtu() fails when the ifindex
 * is gone, and gives its MTU. Admin-down removes the kernel's routes
 * through the device, so a FIB lookup of a global `via` out of that
 * device proves it up; otherwise NH_F_DOWN, kept by userspace, has to
 * tell. Returns the verdict reason on failure, 0 when usable.
 */
static __always_inline int nh_check(struct xdp_md *ctx, struct pkt *p, struct steer_hit *h,
				    struct bpf_fib_lookup *f)
{
	struct nexthop *nh = h->nh;
	__u32 mtu = l3_len(p);
	__u64 now;
	int rc;

	if (nh->flags & NH_F_DOWN)
		return R_PASS_IF_DOWN;
	if (nh->kind == NH_ETHER)
		return nh_check_ether(ctx, p, h, f);
	rc = bpf_check_mtu(ctx, nh->ifindex, &mtu, 0, 0);
	if (rc < 0)
		return R_PASS_IF_DOWN;
	if (nh->mtu && nh->mtu < mtu)
		mtu = nh->mtu;
	h->mtu = mtu;
	/* bpf_fib_lookup() never forwards to link-local addresses, which
	 * is what Babel's next hops are: for those, userspace's NH_F_DOWN. */
	if (!nh->via_family || (nh->via_family == AF_INET6 && nh->via[0] == 0xfe &&
				(nh->via[1] & 0xc0) == 0x80))
		return 0;
	now = bpf_jiffies64();
	if (nh_cached(h, now))
		return 0;
	fib_set_dst(f, nh, p);
	f->ifindex = nh->ifindex;
	rc = bpf_fib_lookup(ctx, f, sizeof(*f), BPF_FIB_LOOKUP_OUTPUT | FIB_LOOKUP_SKIP_NEIGH);
	/* Cannot tell (a kernel without SKIP_NEIGH, forwarding off on the
	 * device): trust userspace's NH_F_DOWN. */
	if (rc < 0 || rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
		return 0;
	if (rc > 0 || f->ifindex != nh->ifindex)
		return R_PASS_IF_DOWN;
	h->sv->cache.ifindex = 0;
	h->sv->cache.expires = now + NH_CACHE_JIFFIES;
	h->sv->cache.ifindex = nh->ifindex;
	return 0;
}

/* ICMP answer for a packet over the MTU; 0: the packet is the answer.
 * Global, so it is verified once. */
__noinline int steer_icmp_too_big(struct xdp_md *ctx, __u64 l2len, __u64 v6, __u64 mtu)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (l2len > L2_MAX)
		return -1;
	if (v6) {
		struct ipv6hdr *ip6 = data + l2len;

		if ((void *)(ip6 + 1) > end)
			return -1;
		return icmp6_too_big(ctx, ip6, l2len, mtu);
	}
	struct iphdr *ip = data + l2len;

	if ((void *)(ip + 1) > end)
		return -1;
	return icmp4_too_big(ctx, ip, l2len, mtu);
}

/* Over the MTU: answer ICMP ourselves, or let the kernel fragment
 * (IPv4 without DF) or answer. Never dropped silently. */
static __always_inline int too_big(struct xdp_md *ctx, struct pkt *p, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;

	if (p->l3_proto == ETH_P_IP) {
		if (!(p->ip4->frag_off & bpf_htons(IP_DF)))
			return R_PASS_TOO_BIG;
		if (!steer_icmp_too_big(ctx, (void *)p->ip4 - data, 0, mtu))
			return R_TX_ICMP_TOO_BIG;
		return R_PASS_TOO_BIG;
	}
	if (!steer_icmp_too_big(ctx, (void *)p->ip6 - data, 1, mtu))
		return R_TX_ICMP_TOO_BIG;
	return R_PASS_TOO_BIG;
}

static __always_inline int ttl_expiring(struct pkt *p)
{
	if (p->l3_proto == ETH_P_IP)
		return p->ip4->ttl <= 1;
	return p->ip6->hop_limit <= 1;
}

/* TTL or hop limit, minus one; the IPv4 checksum follows (RFC 1624). */
static __always_inline void ttl_dec(struct pkt *p)
{
	if (p->l3_proto == ETH_P_IP) {
		struct iphdr *ip = p->ip4;
		/* The 16-bit word TTL shares with the protocol, as the
		 * checksum sees it (no type punning: clang may reorder it). */
		__u16 old = bpf_htons((__u16)ip->ttl << 8 | ip->protocol);

		ip->ttl--;
		csum_replace16(&ip->check, old, bpf_htons((__u16)ip->ttl << 8 | ip->protocol));
	} else {
		p->ip6->hop_limit--;
	}
}

/* The MSS a SYN into this next hop may carry: its MTU minus the
 * IPv4+TCP (40) or IPv6+TCP (60) headers, capped by cfg_mss_max. */
static __always_inline __u16 mss_limit(struct pkt *p, __u32 mtu)
{
	__u32 hdrs = p->l3_proto == ETH_P_IP ? 40 : 60;
	__u32 mss = mtu > hdrs ? mtu - hdrs : 0;

	if (cfg_mss_max && cfg_mss_max < mss)
		mss = cfg_mss_max;
	return mss;
}

/*
 * Offset of the MSS option's value from the start of a TCP SYN's
 * header, or -1. Shared by XDP and TC, which see different pointers.
 */
static __always_inline int mss_find(struct tcphdr *th, void *end)
{
	__u32 off = 0, optlen, i;
	__u8 *o;

	if ((void *)(th + 1) > end || !th->syn)
		return -1;
	optlen = th->doff * 4;
	if (optlen <= sizeof(*th))
		return -1;
	optlen -= sizeof(*th);
#pragma clang loop unroll(disable)
	for (i = 0; i < TCP_OPT_WALK; i++) {
		if (off >= optlen || off >= TCP_MSS_OPT_SPACE)
			break;
		o = (__u8 *)(th + 1) + (off & 0x3f);
		if ((void *)(o + 4) > end)
			break;
		if (o[0] == 0)		/* end of options */
			break;
		if (o[0] == 1) {	/* no-op */
			off++;
			continue;
		}
		if (o[0] == 2 && o[1] == 4)
			return sizeof(*th) + (off & 0x3f) + 2;
		if (o[1] < 2)
			break;
		off += o[1];
	}
	return -1;
}

/*
 * Lower the MSS option of a TCP SYN or SYN-ACK at l4off to max, for
 * packets leaving by XDP redirect. Returns 1 if changed. Global
 * functions are verified once, not once per path into them.
 *
 * The checksum is adjusted as if complete: true of anything a NIC
 * received. (Tunnel-bound packets are clamped in TC instead, where the
 * kernel says whether the checksum is only partial.)
 */
/* The MSS value of a SYN when it is above max (else NULL), and its
 * offset from the TCP header. */
static __always_inline __u16 *mss_over(struct tcphdr *th, void *end, __u16 max, int *at)
{
	__u16 *v;

	*at = mss_find(th, end);
	if (*at < 0 || *at > 64)
		return NULL;
	v = (void *)th + *at;
	if ((void *)(v + 1) > end || bpf_ntohs(*v) <= max)
		return NULL;
	return v;
}

__noinline int steer_mss_clamp(struct xdp_md *ctx, __u64 l4off, __u64 max)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct tcphdr *th;
	__u16 old, new, *v;
	int at;

	if (l4off > 1024)
		return 0;
	th = data + l4off;
	v = mss_over(th, end, max, &at);
	if (!v)
		return 0;
	old = *v;
	new = bpf_htons(max);
	*v = new;
	csum_field_at(at, &old, &new);
	csum_replace16(&th->check, old, new);
	return 1;
}

/* VLAN tags mean nothing inside a tunnel or on another link. */
static __always_inline int pop_vlans(struct xdp_md *ctx, __u32 l3off, __u16 l3proto)
{
	struct ethhdr *eth = (void *)(long)ctx->data, copy;
	void *end = (void *)(long)ctx->data_end;

	if (l3off == sizeof(*eth))
		return 0;
	if ((void *)(eth + 1) > end || l3off > L2_MAX)
		return -1;
	copy = *eth;
	if (bpf_xdp_adjust_head(ctx, l3off - sizeof(*eth)))
		return -1;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return -1;
	__builtin_memcpy(eth, &copy, 2 * ETH_ALEN);
	eth->h_proto = bpf_htons(l3proto);
	return 0;
}

/* Metadata for the TC program, in front of the packet. */
static __always_inline int meta_write(struct xdp_md *ctx, struct nexthop *nh, __u8 flags,
				      __u16 mss)
{
	struct steer_meta *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -1;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return -1;
	m->magic = STEER_META_MAGIC;
	m->ifindex = nh->ifindex;
	m->flags = flags;
	m->via_family = nh->via_family;
	m->mss = mss;
	__builtin_memcpy(m->via, nh->via, 16);
	return 0;
}

#endif
