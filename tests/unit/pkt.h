/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test packet builder: Ethernet (0..PKT_MAX_VLAN VLAN tags), then IPv4
 * (options, fragment bits, valid header checksum), IPv6 (a chain of
 * extension headers) or raw bytes, then a UDP/TCP/ICMP header and
 * payload. Header only, no project code: unit tests, the differential
 * test and the benchmarks share it.
 *
 *	struct pkt_spec s = PKT_SPEC_V4("192.0.2.1", "198.51.100.1");
 *	s.nvlan = 1;
 *	len = pkt_build(buf, sizeof(buf), &s, &layout);
 *
 * Every field has a zero default that gives a well-formed packet:
 * fields set non-zero override it, so malformed packets (bad IHL,
 * wrong version nibble, truncated extension header) are one field away.
 */
#ifndef ANYXDP_TEST_PKT_H
#define ANYXDP_TEST_PKT_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define PKT_MAX_VLAN 4		/* one more than anyone accepts, for tests */
#define PKT_MAX_EXT 12		/* IPv6 extension headers in one spec */
#define PKT_MAX_LEN 4096
#define PKT_NIBBLE_ZERO 0x10	/* for version/ihl: write a zero nibble */

#define PKT_ETH_IP4 0x0800
#define PKT_ETH_IP6 0x86DD
#define PKT_ETH_ARP 0x0806
#define PKT_TPID_8021Q 0x8100
#define PKT_TPID_8021AD 0x88A8

/* IPv4 frag_off field, host order */
#define PKT_IP4_RF 0x8000
#define PKT_IP4_DF 0x4000
#define PKT_IP4_MF 0x2000
#define PKT_IP4_OFFMASK 0x1FFF

/* IPv6 extension header types (next-header values) */
#define PKT_EXT_HOP 0
#define PKT_EXT_ROUTING 43
#define PKT_EXT_FRAG 44
#define PKT_EXT_AH 51
#define PKT_EXT_DST 60
#define PKT_NH_NONE 59

struct pkt_ext {
	uint8_t type;		/* PKT_EXT_* (any value is written as given) */
	uint8_t len;		/* Hdr Ext Len field: (len+1)*8 bytes, AH (len+2)*4;
				 * AH with len 0 is written as len 1 (12 bytes) */
	uint16_t frag;		/* fragment header: offset<<3 | M bit, host order */
	uint8_t raw_len;	/* non-zero: write this length field but only
				 * `len` worth of bytes (a lying header) */
};

struct pkt_spec {
	/* L2 */
	int nvlan;				/* 0..PKT_MAX_VLAN tags */
	uint16_t tpid[PKT_MAX_VLAN];		/* 0: outer 802.1ad, inner 802.1Q */
	uint16_t ethertype;			/* 0: from family; else written as is */
	/* L3: AF_INET, AF_INET6, or 0 for a raw frame of payload_len bytes */
	int family;
	uint8_t src[16], dst[16];		/* network order; IPv4 in [0..3] */
	uint8_t version;			/* 0: 4 or 6; else the nibble written
						 * (PKT_NIBBLE_ZERO writes 0) */
	uint8_t proto;				/* L4 protocol; 0: UDP */
	uint8_t ttl;				/* 0: 64 */
	/* IPv4 */
	uint8_t optlen;				/* option bytes, rounded up to 4, <= 40 */
	uint8_t ihl;				/* 0: 5 + optlen/4; else the nibble
						 * written (PKT_NIBBLE_ZERO writes 0) */
	uint16_t frag;				/* PKT_IP4_MF | DF | offset (8-byte units) */
	/* IPv6 */
	int n_ext;
	struct pkt_ext ext[PKT_MAX_EXT];
	/* L4 */
	int no_l4;				/* 1: no L4 header, just payload */
	uint16_t payload_len;			/* bytes after the L4 header */
	uint8_t fill;				/* payload byte; 0: an incrementing pattern */
};

/* Where each header sits in the built packet. */
struct pkt_layout {
	size_t l2_len;		/* Ethernet + tags = offset of L3 */
	size_t l3_fixed_end;	/* end of the 20/40 byte fixed IP header */
	size_t l3_end;		/* end of IPv4 options / IPv6 extension chain */
	size_t ext_end[PKT_MAX_EXT];	/* end of each IPv6 extension header */
	size_t l4_off;		/* start of L4 header (== l3_end) */
	size_t len;		/* total */
};

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Internet checksum over len bytes, folded, with a starting sum. */
static inline uint16_t pkt_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += pkt_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Parse an address ("192.0.2.1" or "2001:db8::1") into 16 bytes;
 * returns the family, 0 if neither. */
static inline int pkt_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, out) == 1)
		return AF_INET6;
	return 0;
}

/* A zero spec of the family with src/dst filled in. */
static inline struct pkt_spec pkt_spec_addrs(const char *src, const char *dst)
{
	struct pkt_spec s;

	memset(&s, 0, sizeof(s));
	s.family = pkt_addr(src, s.src);
	pkt_addr(dst, s.dst);
	return s;
}

/* Ethernet header and tags; returns bytes written (14 + 4 * nvlan). */
static inline size_t pkt_put_eth(uint8_t *b, int nvlan, const uint16_t *tpid,
				 uint16_t ethertype)
{
	static const uint8_t mac[12] = { 0x02, 0, 0, 0, 0, 0x02,
					 0x02, 0, 0, 0, 0, 0x01 };
	size_t off = 12;
	int i;

	memcpy(b, mac, 12);
	for (i = 0; i < nvlan; i++) {
		uint16_t t = tpid ? tpid[i] : 0;

		if (!t)
			t = (i == 0 && nvlan > 1) ? PKT_TPID_8021AD : PKT_TPID_8021Q;
		pkt_put16(b + off, t);
		pkt_put16(b + off + 2, (uint16_t)(100 + i));	/* TCI: VID */
		off += 4;
	}
	pkt_put16(b + off, ethertype);
	return off + 2;
}

/* Extension header bytes for one spec entry; returns bytes written. */
static inline size_t pkt_put_ext(uint8_t *b, const struct pkt_ext *e, uint8_t next)
{
	uint8_t len = e->len;
	size_t n;

	if (e->type == PKT_EXT_FRAG) {
		n = 8;
	} else if (e->type == PKT_EXT_AH) {
		if (len == 0)
			len = 1;
		n = ((size_t)len + 2) * 4;
	} else {
		n = ((size_t)len + 1) * 8;
	}
	memset(b, 0, n);
	b[0] = next;
	b[1] = e->raw_len ? e->raw_len : len;
	switch (e->type) {
	case PKT_EXT_FRAG:
		b[1] = 0;
		pkt_put16(b + 2, e->frag);
		b[4] = 0x12; b[5] = 0x34; b[6] = 0x56; b[7] = 0x78;	/* ident */
		break;
	case PKT_EXT_AH:
		b[4] = 0; b[5] = 0; b[6] = 0x10; b[7] = 0x01;	/* SPI */
		b[11] = 1;					/* sequence */
		break;
	case PKT_EXT_ROUTING:
		b[2] = 4;		/* type 4 (SRH) */
		b[3] = 0;		/* segments left */
		break;
	default:		/* hop-by-hop, dstopts: one PadN */
		if (n > 2) {
			b[2] = 1;
			b[3] = (uint8_t)(n - 4);
		}
		break;
	}
	return n;
}

/* L4 header (UDP 8, TCP 20, ICMP/ICMPv6 8, other 0) and payload, checksum
 * left for pkt_l4_csum; returns bytes written. */
static inline size_t pkt_put_l4(uint8_t *b, const struct pkt_spec *s, uint8_t proto)
{
	size_t h = 0, i;

	if (!s->no_l4) {
		switch (proto) {
		case IPPROTO_UDP:
			h = 8;
			memset(b, 0, h);
			pkt_put16(b, 40000);
			pkt_put16(b + 2, 53);
			pkt_put16(b + 4, (uint16_t)(8 + s->payload_len));
			break;
		case IPPROTO_TCP:
			h = 20;
			memset(b, 0, h);
			pkt_put16(b, 40000);
			pkt_put16(b + 2, 443);
			b[7] = 1;		/* seq */
			b[12] = 5 << 4;		/* data offset */
			b[13] = 0x02;		/* SYN */
			pkt_put16(b + 14, 65535);
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			h = 8;
			memset(b, 0, h);
			b[0] = proto == IPPROTO_ICMP ? 8 : 128;	/* echo request */
			b[7] = 1;
			break;
		default:
			break;
		}
	}
	for (i = 0; i < s->payload_len; i++)
		b[h + i] = s->fill ? s->fill : (uint8_t)i;
	return h + s->payload_len;
}

/* Fill the L4 checksum (UDP, TCP, ICMP, ICMPv6) given the pseudo-header sum. */
static inline void pkt_l4_csum(uint8_t *l4, size_t len, uint8_t proto, uint32_t pseudo)
{
	size_t at;

	switch (proto) {
	case IPPROTO_UDP:
		if (len < 8)
			return;
		at = 6;
		break;
	case IPPROTO_TCP:
		if (len < 20)
			return;
		at = 16;
		break;
	case IPPROTO_ICMP:
		if (len < 8)
			return;
		at = 2;
		pseudo = 0;
		break;
	case IPPROTO_ICMPV6:
		if (len < 8)
			return;
		at = 2;
		break;
	default:
		return;
	}
	pkt_put16(l4 + at, 0);
	pkt_put16(l4 + at, pkt_csum(l4, len, pseudo));
	if (proto == IPPROTO_UDP && pkt_get16(l4 + at) == 0)
		pkt_put16(l4 + at, 0xFFFF);
}

/*
 * Build the packet described by s into buf (cap bytes). Returns the
 * length, or 0 if it does not fit. layout (may be NULL) gets the offsets.
 */
static inline size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *s,
			       struct pkt_layout *layout)
{
	uint8_t tmp[PKT_MAX_LEN];
	struct pkt_layout lo;
	uint16_t et = s->ethertype;
	uint8_t proto = s->proto ? s->proto : IPPROTO_UDP;
	size_t off, l3, n;
	int i;

	memset(&lo, 0, sizeof(lo));
	if (!et)
		et = s->family == AF_INET ? PKT_ETH_IP4 :
		     s->family == AF_INET6 ? PKT_ETH_IP6 : PKT_ETH_ARP;
	off = pkt_put_eth(tmp, s->nvlan > PKT_MAX_VLAN ? PKT_MAX_VLAN : s->nvlan,
			  s->tpid, et);
	lo.l2_len = l3 = off;

	if (s->family == AF_INET) {
		uint8_t *ip = tmp + l3;
		size_t optlen = ((size_t)s->optlen + 3) & ~(size_t)3;
		uint32_t pseudo;

		if (optlen > 40)
			optlen = 40;
		memset(ip, 0, 20 + optlen);
		ip[0] = (uint8_t)((((s->version ? s->version : 4) & 0xF) << 4) |
				  ((s->ihl ? s->ihl : 5 + optlen / 4) & 0xF));
		ip[1] = 0;			/* DSCP/ECN */
		pkt_put16(ip + 4, 0x1234);	/* id */
		pkt_put16(ip + 6, s->frag);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		/* options: NOPs then EOL, except a record-route if room */
		if (optlen >= 8) {
			ip[20] = 7;			/* RR */
			ip[21] = (uint8_t)(optlen - 1);	/* 3 + 4k, EOL after */
			ip[22] = 4;
			/* rest zero; the final bytes are EOL (0) */
		} else if (optlen) {
			ip[20] = 1; ip[21] = 1; ip[22] = 1; ip[23] = 0;
		}
		off = l3 + 20 + optlen;
		lo.l3_fixed_end = l3 + 20;
		lo.l3_end = lo.l4_off = off;
		if (s->frag & PKT_IP4_OFFMASK) {
			struct pkt_spec t = *s;

			t.no_l4 = 1;	/* a later fragment carries no L4 header */
			n = pkt_put_l4(tmp + off, &t, proto);
		} else {
			n = pkt_put_l4(tmp + off, s, proto);
		}
		pseudo = pkt_get16(ip + 12) + pkt_get16(ip + 14) + pkt_get16(ip + 16) +
			 pkt_get16(ip + 18) + proto + (uint32_t)n;
		if (!(s->frag & (PKT_IP4_OFFMASK | PKT_IP4_MF)))
			pkt_l4_csum(tmp + off, n, proto, pseudo);
		off += n;
		pkt_put16(ip + 2, (uint16_t)(off - l3));
		pkt_put16(ip + 10, pkt_csum(ip, 20 + optlen, 0));
	} else if (s->family == AF_INET6) {
		uint8_t *ip = tmp + l3;
		uint32_t pseudo = 0;
		uint8_t final = proto;
		int is_frag = 0;

		memset(ip, 0, 40);
		ip[0] = (uint8_t)(((s->version ? s->version : 6) & 0xF) << 4);
		ip[6] = s->n_ext > 0 ? s->ext[0].type : final;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		off = l3 + 40;
		lo.l3_fixed_end = off;
		for (i = 0; i < s->n_ext && i < PKT_MAX_EXT; i++) {
			uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1].type : final;

			if (off + 8 + 1024 > sizeof(tmp))
				return 0;
			off += pkt_put_ext(tmp + off, &s->ext[i], next);
			lo.ext_end[i] = off;
			if (s->ext[i].type == PKT_EXT_FRAG && (s->ext[i].frag & 0xFFF8))
				is_frag = 1;
		}
		lo.l3_end = lo.l4_off = off;
		if (is_frag) {
			struct pkt_spec t = *s;

			t.no_l4 = 1;
			n = pkt_put_l4(tmp + off, &t, final);
		} else {
			n = pkt_put_l4(tmp + off, s, final);
		}
		for (i = 0; i < 32; i += 2)
			pseudo += pkt_get16(ip + 8 + i);
		pseudo += (uint32_t)n + final;
		if (!is_frag)
			pkt_l4_csum(tmp + off, n, final, pseudo);
		off += n;
		pkt_put16(ip + 4, (uint16_t)(off - l3 - 40));
	} else {
		struct pkt_spec t = *s;

		t.no_l4 = 1;
		off += pkt_put_l4(tmp + off, &t, 0);
		lo.l3_fixed_end = lo.l3_end = lo.l4_off = off;
	}
	if (off > cap || off > sizeof(tmp))
		return 0;
	memcpy(buf, tmp, off);
	lo.len = off;
	if (layout)
		*layout = lo;
	return off;
}

/* Hex dump, 16 bytes a line, with a prefix on each line. */
static inline void pkt_hex(FILE *f, const char *indent, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(f, "%s%04zx:", indent, i);
		fprintf(f, " %02x", b[i]);
		if (i % 16 == 15 || i + 1 == len)
			fputc('\n', f);
	}
	if (!len)
		fprintf(f, "%s(empty)\n", indent);
}

#endif /* ANYXDP_TEST_PKT_H */
