/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP "fragmentation needed" (RFC 792/1191) and ICMPv6 "packet too
 * big" (RFC 4443) for packets over a next hop's MTU, built in place
 * and sent back with XDP_TX. The PoP has no kernel route for what it
 * steers, so the kernel could not answer these itself.
 *
 * The quote is a fixed length, so the checksum is over constant sizes
 * the verifier can see: 512 bytes keeps an IPv4 error under the 576
 * bytes of RFC 1812 4.3.2.3; 1024 keeps an IPv6 one under 1280
 * (RFC 4443 2.4 c). A packet over any sane MTU is longer than that.
 */
#ifndef ANYXDP_ICMP_H
#define ANYXDP_ICMP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "anyxdp.h"
#include "csum.h"
#include "../maps/steer.h"

/* Reads the cfg_* knobs, so anyxdp.bpf.c includes it after defining them. */

#define ICMP4_QUOTE 512
#define ICMP6_QUOTE 1024
#define ICMP_HDR_LEN 8
#define ICMP_BURST 16		/* answers a CPU may send at once */
#define L2_MAX (14 + 2 * 4)	/* Ethernet and two VLAN tags */
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMPV6_PKT_TOOBIG 2

/* <linux/icmp.h> drags in glibc's socket headers; these are all we need. */
struct icmp4_too_big {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u16 unused;
	__be16 mtu;		/* RFC 1191 */
};

struct icmp6_too_big {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__be32 mtu;
};

/* Per-CPU token bucket: cfg_icmp_rate answers per second, so a flood of
 * oversize packets cannot make us a reflector at line rate. */
static __always_inline int icmp_allowed(void)
{
	struct icmp_bucket *b;
	__u64 now, interval, credit;
	__u32 zero = 0;

	if (!cfg_icmp_rate)
		return 0;
	b = bpf_map_lookup_elem(&icmp_bucket, &zero);
	if (!b)
		return 0;
	interval = 1000000000ULL / cfg_icmp_rate;
	now = bpf_ktime_get_ns();
	credit = b->tokens;
	/* A bucket stamped in the future (only a test does that) refills
	 * from then on, instead of wrapping to a full bucket. */
	if (now > b->last_ns) {
		credit += now - b->last_ns;
		b->last_ns = now;
	}
	if (credit > interval * ICMP_BURST)
		credit = interval * ICMP_BURST;
	if (credit < interval) {
		b->tokens = credit;
		return 0;
	}
	b->tokens = credit - interval;
	return 1;
}

/* Never answer a source that cannot have sent it, as the kernel's
 * icmp_send() does not (RFC 1812 4.3.2.7): unspecified, "this network",
 * multicast, broadcast. */
static __always_inline int unicast4(__be32 a)
{
	__u32 h = bpf_ntohl(a);

	return (h >> 24) != 0 && (h >> 28) != 0xe && (h >> 28) != 0xf;
}

static __always_inline int unicast6(const struct in6_addr *a)
{
	return a->s6_addr[0] != 0xff &&
	       (a->s6_addr32[0] | a->s6_addr32[1] | a->s6_addr32[2] | a->s6_addr32[3]);
}

/* Make room for the new headers and cut the quote to its length; on
 * success the L2 header is at the front again with its MACs swapped. */
static __always_inline int icmp_reshape(struct xdp_md *ctx, __u32 l2len, __u32 grow,
					__u32 quote)
{
	void *data, *end;
	struct ethhdr *eth;
	__u8 mac[ETH_ALEN];
	int cur;

	if (l2len > L2_MAX || bpf_xdp_adjust_head(ctx, -(int)grow))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	cur = end - data;
	if (bpf_xdp_adjust_tail(ctx, (int)(l2len + grow + quote) - cur))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* grow > L2_MAX, so source and destination do not overlap; bytes
	 * past l2len are overwritten by the new IP header. */
	if (data + grow + L2_MAX > end)
		return -1;
	__builtin_memcpy(data, data + grow, L2_MAX);
	eth = data;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return 0;
}

/* Sum of the ICMP header and the quote, in chunks bpf_csum_diff takes. */
static __always_inline __s64 icmp_sum(void *icmp, void *end, __u32 quote, __u32 seed)
{
	__s64 s;
	__u32 off;

	if (icmp + ICMP_HDR_LEN + quote > end)
		return -1;
	s = bpf_csum_diff(NULL, 0, icmp, ICMP_HDR_LEN, seed);
#pragma unroll
	for (off = 0; off < ICMP6_QUOTE; off += 256) {
		if (off >= quote)
			break;
		if (s < 0 || icmp + ICMP_HDR_LEN + off + 256 > end)
			return -1;
		s = bpf_csum_diff(NULL, 0, icmp + ICMP_HDR_LEN + off, 256, s);
	}
	return s;
}

/* Returns 0 when the packet now holds the ICMP answer (XDP_TX it). */
static __always_inline int icmp4_too_big(struct xdp_md *ctx, struct iphdr *orig,
					 __u32 l2len, __u32 mtu)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__be32 saddr = orig->saddr, daddr = orig->daddr;
	const __u32 grow = sizeof(struct iphdr) + ICMP_HDR_LEN;
	struct icmp4_too_big *icmp;
	struct iphdr *ip;
	__s64 s;

	if ((void *)orig + ICMP4_QUOTE > end || !unicast4(saddr) || !icmp_allowed())
		return -1;
	(void)data;
	if (icmp_reshape(ctx, l2len, grow, ICMP4_QUOTE))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	ip = data + (l2len & 0x1f);
	if ((void *)(ip + 1) > end)
		return -1;
	*ip = (struct iphdr){
		.version = 4,
		.ihl = 5,
		.tot_len = bpf_htons(grow + ICMP4_QUOTE),
		.ttl = 64,
		.protocol = IPPROTO_ICMP,
		.saddr = daddr,	/* the steered address answers: passes uRPF */
		.daddr = saddr,
	};
	ip->check = csum_ip4_hdr(ip);
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > end)
		return -1;
	*icmp = (struct icmp4_too_big){
		.type = ICMP_DEST_UNREACH,
		.code = ICMP_FRAG_NEEDED,
		.mtu = bpf_htons(mtu),
	};
	s = icmp_sum(icmp, end, ICMP4_QUOTE, 0);
	if (s < 0)
		return -1;
	icmp->checksum = csum_fold(s);
	return 0;
}

struct ip6_pseudo {
	__be32 len;
	__be32 nexthdr;
};

static __always_inline int icmp6_too_big(struct xdp_md *ctx, struct ipv6hdr *orig,
					 __u32 l2len, __u32 mtu)
{
	void *end = (void *)(long)ctx->data_end;
	const __u32 grow = sizeof(struct ipv6hdr) + ICMP_HDR_LEN;
	struct in6_addr saddr = orig->saddr, daddr = orig->daddr;
	struct ip6_pseudo ph = {
		.len = bpf_htonl(ICMP_HDR_LEN + ICMP6_QUOTE),
		.nexthdr = bpf_htonl(IPPROTO_ICMPV6),
	};
	struct icmp6_too_big *icmp;
	struct ipv6hdr *ip6;
	void *data;
	__s64 s;

	if ((void *)orig + ICMP6_QUOTE > end || !unicast6(&saddr) || !icmp_allowed())
		return -1;
	if (icmp_reshape(ctx, l2len, grow, ICMP6_QUOTE))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	ip6 = data + (l2len & 0x1f);
	if ((void *)(ip6 + 1) > end)
		return -1;
	*ip6 = (struct ipv6hdr){
		.version = 6,
		.payload_len = bpf_htons(ICMP_HDR_LEN + ICMP6_QUOTE),
		.nexthdr = IPPROTO_ICMPV6,
		.hop_limit = 64,
		.saddr = daddr,
		.daddr = saddr,
	};
	icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + 1) > end)
		return -1;
	*icmp = (struct icmp6_too_big){ .type = ICMPV6_PKT_TOOBIG, .mtu = bpf_htonl(mtu) };
	s = bpf_csum_diff(NULL, 0, (void *)&ip6->saddr, 32, 0);
	if (s >= 0)
		s = bpf_csum_diff(NULL, 0, (void *)&ph, sizeof(ph), s);
	if (s >= 0)
		s = icmp_sum(icmp, end, ICMP6_QUOTE, s);
	if (s < 0)
		return -1;
	icmp->checksum = csum_fold(s);
	return 0;
}

#endif
