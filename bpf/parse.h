/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parsing over a header cursor. Each helper checks its header
 * against data_end, advances the cursor and returns the next protocol,
 * or -1 with pkt->reason saying why it stopped.
 */
#ifndef ANYXDP_PARSE_H
#define ANYXDP_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "anyxdp.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#ifndef READ_ONCE
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#endif
#define VLAN_MAX_DEPTH 2	/* 802.1ad outer + 802.1Q inner (QinQ) */
#define IPV6_EXT_MAX 8		/* more than any sane chain; bounds the loop */
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF

struct hdr_cursor {
	void *pos;
	void *end;
};

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* What the parser learned. Addresses point into the packet. */
struct pkt {
	__u32 reason;		/* enum anyxdp_reason, set when a helper fails */
	__u16 l3_proto;		/* ETH_P_IP or ETH_P_IPV6, host order */
	__u8 fragment;		/* any fragment, first or not */
	__u8 l4_proto;
	struct ethhdr *eth;
	struct iphdr *ip4;
	struct ipv6hdr *ip6;
	void *l4;
};

static __always_inline int parse_eth(struct hdr_cursor *c, struct pkt *p)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	p->eth = eth;
	c->pos = eth + 1;
	return bpf_ntohs(eth->h_proto);
}

static __always_inline int is_vlan(int proto)
{
	return proto == ETH_P_8021Q || proto == ETH_P_8021AD;
}

/* Up to VLAN_MAX_DEPTH tags; a third is refused rather than misparsed. */
static __always_inline int parse_vlans(struct hdr_cursor *c, struct pkt *p,
				       int proto)
{
	struct vlan_hdr *vh;
	int i;

#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!is_vlan(proto))
			return proto;
		vh = c->pos;
		if ((void *)(vh + 1) > c->end) {
			p->reason = R_PASS_TRUNCATED;
			return -1;
		}
		c->pos = vh + 1;
		proto = bpf_ntohs(vh->proto);
	}
	if (is_vlan(proto)) {
		p->reason = R_PASS_VLAN_DEPTH;
		return -1;
	}
	return proto;
}

/* Ethernet and VLANs: returns the L3 ethertype. */
static __always_inline int parse_l2(struct hdr_cursor *c, struct pkt *p)
{
	int proto = parse_eth(c, p);

	if (proto < 0)
		return -1;
	return parse_vlans(c, p, proto);
}

/* Fixed IPv4 header only: enough for the source address. */
static __always_inline int parse_ip4_fixed(struct hdr_cursor *c, struct pkt *p)
{
	struct iphdr *ip = c->pos;

	if ((void *)(ip + 1) > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	if (ip->version != 4) {
		p->reason = R_PASS_MALFORMED;
		return -1;
	}
	p->ip4 = ip;
	return ip->protocol;
}

/* Options and fragment bits, after the blocklist had its say. */
static __always_inline int parse_ip4_rest(struct hdr_cursor *c, struct pkt *p)
{
	struct iphdr *ip = p->ip4;
	__u32 hlen = ip->ihl * 4;

	if (hlen < sizeof(*ip)) {
		p->reason = R_PASS_MALFORMED;
		return -1;
	}
	if (c->pos + hlen > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	c->pos += hlen;
	p->fragment = (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) != 0;
	p->l4_proto = ip->protocol;
	p->l4 = c->pos;
	return ip->protocol;
}

static __always_inline int parse_ip6_fixed(struct hdr_cursor *c, struct pkt *p)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	if (ip6->version != 6) {
		p->reason = R_PASS_MALFORMED;
		return -1;
	}
	p->ip6 = ip6;
	c->pos = ip6 + 1;
	return ip6->nexthdr;
}

struct ip6_ext {
	__u8 nexthdr;
	__u8 len;
	__be16 frag_off;	/* fragment header only */
};

static __always_inline int is_ip6_ext(int nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT ||
	       nh == IPPROTO_AH;
}

/* One extension header; RFC 8200 lengths: 8-octet units past the
 * first 8, except AH (4-octet units, RFC 4302) and fragment (fixed). */
static __always_inline int skip_ip6_ext(struct hdr_cursor *c, struct pkt *p,
					int nh)
{
	struct ip6_ext *e = c->pos;
	__u32 len;

	if (c->pos + 8 > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	if (nh == IPPROTO_FRAGMENT) {
		p->fragment = 1;
		len = 8;
	} else if (nh == IPPROTO_AH) {
		len = (e->len + 2) * 4;
	} else {
		len = (e->len + 1) * 8;
	}
	if (c->pos + len > c->end) {
		p->reason = R_PASS_TRUNCATED;
		return -1;
	}
	c->pos += len;
	return e->nexthdr;
}

static __always_inline int parse_ip6_rest(struct hdr_cursor *c, struct pkt *p)
{
	int nh = p->ip6->nexthdr;
	int i;

#pragma unroll
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		if (!is_ip6_ext(nh))
			break;
		nh = skip_ip6_ext(c, p, nh);
		if (nh < 0)
			return -1;
	}
	if (is_ip6_ext(nh)) {
		p->reason = R_PASS_EXTHDR;
		return -1;
	}
	p->l4_proto = nh;
	p->l4 = c->pos;
	return nh;
}

#endif
