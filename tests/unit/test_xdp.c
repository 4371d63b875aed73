// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the XDP program through BPF_PROG_TEST_RUN.
 *
 * A table of cases {packet, list setup, expected verdict, reason and
 * counted entry}. Each case is run whole, then cut at every length
 * below its full size, with the expectation for each cut derived from
 * one rule (see expect_cut()). Every run checks:
 *   - the verdict (XDP_DROP only for drop_blocklist, else XDP_PASS);
 *   - exactly one stats slot moved, by +1 packet and +len bytes;
 *   - exactly the expected blocklist entry counter moved, +1 / +len
 *     (none for a pass, an allowlisted source included);
 *   - a passed packet comes out unchanged.
 * Then: allowlist edits, a switch to a new list with counters carried
 * over, and the "no list" state of a program whose maps were never
 * filled.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pkt.h"

#define DST4 "198.18.0.1"
#define DST6 "fd00::1"

enum setup { S_MAIN = 0, S_EMPTY, S_SHORT, S_SHORT2, S_V4ONLY, S_V6ONLY, S_MAX };

static const char *const list_main[] = {
	"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32",
	"192.0.2.0/24",			/* allow 192.0.2.77 inside */
	"198.51.100.7",			/* allow 198.51.100.0/24 covers it */
	"203.0.113.9",
	"100.64.0.0/10",
	"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::1/128",
	"2001:db8:ffff::/48",		/* allow 2001:db8:ffff::77 inside */
	"2001:db8:aaaa::5",		/* allow 2001:db8:aaaa::/48 covers it */
	"2620:fe::fe",
	"2a0e:1c80::/29",
	"3fff:1:2:3::/64",
};
static const char *const list_short[] = {
	"0.0.0.0/0", "10.1.2.3", "::/0", "2001:db8:1::/48", "fc00::/7",
};
static const char *const list_short2[] = {
	"64.0.0.0/2", "2000::/3", "2c0f:f000::/20", "1.2.3.4/31",
};
static const char *const list_v4only[] = { "10.0.0.0/8", "8.8.8.8" };
static const char *const list_v6only[] = { "2001:db8::/32", "2606:4700::1" };
static const char *const allow_list[] = {
	"192.0.2.77", "198.51.100.0/24", "2001:db8:ffff::77", "2001:db8:aaaa::/48",
};

struct xcase {
	const char *desc;
	int setup;
	const char *src;	/* NULL: raw frame (spec.ethertype) */
	struct pkt_spec p;	/* family, src, dst are filled from src */
	int verdict;
	int reason;
	const char *entry;	/* entry whose counter moves, NULL: none */
};

#define DROP(e) XDP_DROP, R_DROP_BLOCKLIST, e
#define PASS(r) XDP_PASS, r, NULL
#define EXT(...) .n_ext = sizeof((struct pkt_ext[]){ __VA_ARGS__ }) / sizeof(struct pkt_ext), \
		 .ext = { __VA_ARGS__ }
#define HOP { PKT_EXT_HOP, 0, 0, 0 }
#define RT { PKT_EXT_ROUTING, 0, 0, 0 }
#define DST { PKT_EXT_DST, 0, 0, 0 }
#define AH { PKT_EXT_AH, 1, 0, 0 }
#define FRAG0 { PKT_EXT_FRAG, 0, 0x0001, 0 }		/* offset 0, M */
#define FRAGN { PKT_EXT_FRAG, 0, 100 << 3, 0 }		/* offset 100, last */

static const struct xcase table[] = {
	/* IPv4 longest prefix: /32 inside /16 inside /8 */
	{ "v4 host /32 inside /16 and /8", S_MAIN, "10.1.2.3", {0}, DROP("10.1.2.3/32") },
	{ "v4 next to the /32: /16 counted", S_MAIN, "10.1.2.4", {0}, DROP("10.1.0.0/16") },
	{ "v4 /16 last address", S_MAIN, "10.1.255.255", {0}, DROP("10.1.0.0/16") },
	{ "v4 inside /8 only", S_MAIN, "10.2.0.1", {0}, DROP("10.0.0.0/8") },
	{ "v4 /8 first address", S_MAIN, "10.0.0.0", {0}, DROP("10.0.0.0/8") },
	{ "v4 /8 last address", S_MAIN, "10.255.255.255", {0}, DROP("10.0.0.0/8") },
	{ "v4 just below /8", S_MAIN, "9.255.255.255", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 just above /8", S_MAIN, "11.0.0.0", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 /10 last address", S_MAIN, "100.127.255.255", {0}, DROP("100.64.0.0/10") },
	{ "v4 /10 first address", S_MAIN, "100.64.0.0", {0}, DROP("100.64.0.0/10") },
	{ "v4 just above /10", S_MAIN, "100.128.0.0", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 just below /10", S_MAIN, "100.63.255.255", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 lone host", S_MAIN, "203.0.113.9", {0}, DROP("203.0.113.9/32") },
	{ "v4 same /24 as a host, not listed", S_MAIN, "203.0.113.10", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 same /24 as a host, below", S_MAIN, "203.0.113.8", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 miss", S_MAIN, "8.8.8.8", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 miss 0.0.0.0", S_MAIN, "0.0.0.0", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 miss 255.255.255.255", S_MAIN, "255.255.255.255", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 hit TCP", S_MAIN, "10.1.2.3", { .proto = IPPROTO_TCP }, DROP("10.1.2.3/32") },
	{ "v4 hit ICMP", S_MAIN, "10.1.2.3", { .proto = IPPROTO_ICMP }, DROP("10.1.2.3/32") },
	{ "v4 miss TCP", S_MAIN, "8.8.4.4", { .proto = IPPROTO_TCP }, PASS(R_PASS_NO_MATCH) },
	{ "v4 hit, 1400 byte payload", S_MAIN, "10.2.3.4", { .payload_len = 1400 }, DROP("10.0.0.0/8") },
	{ "v4 miss, 1400 byte payload", S_MAIN, "8.8.8.8", { .payload_len = 1400 }, PASS(R_PASS_NO_MATCH) },
	{ "v4 unknown protocol 253", S_MAIN, "8.8.8.8", { .proto = 253, .payload_len = 10 }, PASS(R_PASS_NO_MATCH) },

	/* allowlist */
	{ "v4 allowed host inside blocked /24", S_MAIN, "192.0.2.77", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v4 blocked /24 next to the allowed host", S_MAIN, "192.0.2.78", {0}, DROP("192.0.2.0/24") },
	{ "v4 blocked host inside allowed /24", S_MAIN, "198.51.100.7", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v4 allowed /24, not blocked", S_MAIN, "198.51.100.8", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 allowed host inside blocked /48", S_MAIN, "2001:db8:ffff::77", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v6 blocked /48 next to the allowed host", S_MAIN, "2001:db8:ffff::78", {0}, DROP("2001:db8:ffff::/48") },
	{ "v6 blocked host inside allowed /48", S_MAIN, "2001:db8:aaaa::5", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v6 blocked /32 inside allowed /48", S_MAIN, "2001:db8:aaaa::6", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v4 allowlisted first fragment", S_MAIN, "192.0.2.77", { .frag = PKT_IP4_MF }, PASS(R_PASS_ALLOWLISTED) },
	{ "v6 allowlisted with ext headers", S_MAIN, "2001:db8:aaaa::5", { EXT(HOP, DST) }, PASS(R_PASS_ALLOWLISTED) },

	/* IPv6 longest prefix: /128 inside /48 inside /32 */
	{ "v6 host /128 inside /48 and /32", S_MAIN, "2001:db8:1::1", {0}, DROP("2001:db8:1::1/128") },
	{ "v6 next to the /128: /48 counted", S_MAIN, "2001:db8:1::2", {0}, DROP("2001:db8:1::/48") },
	{ "v6 /48 last address", S_MAIN, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", {0}, DROP("2001:db8:1::/48") },
	{ "v6 inside /32 only", S_MAIN, "2001:db8:2::1", {0}, DROP("2001:db8::/32") },
	{ "v6 /32 first address", S_MAIN, "2001:db8::", {0}, DROP("2001:db8::/32") },
	{ "v6 just above /32", S_MAIN, "2001:db9::", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 just below /32", S_MAIN, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 same low 24 bits of the /32, other first byte", S_MAIN, "3001:db8::1", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 lone host", S_MAIN, "2620:fe::fe", {0}, DROP("2620:fe::fe/128") },
	{ "v6 near the lone host", S_MAIN, "2620:fe::9", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 /29 last address", S_MAIN, "2a0e:1c87:ffff:ffff:ffff:ffff:ffff:ffff", {0}, DROP("2a0e:1c80::/29") },
	{ "v6 just above /29", S_MAIN, "2a0e:1c88::", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 /64", S_MAIN, "3fff:1:2:3:ffff::1", {0}, DROP("3fff:1:2:3::/64") },
	{ "v6 just above /64", S_MAIN, "3fff:1:2:4::", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 miss ::", S_MAIN, "::", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 miss all ones", S_MAIN, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 miss v4-mapped of a blocked v4", S_MAIN, "::ffff:10.1.2.3", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 hit TCP", S_MAIN, "2001:db8:1::1", { .proto = IPPROTO_TCP }, DROP("2001:db8:1::1/128") },
	{ "v6 hit ICMPv6", S_MAIN, "2001:db8:1::1", { .proto = IPPROTO_ICMPV6 }, DROP("2001:db8:1::1/128") },
	{ "v6 miss ICMPv6", S_MAIN, "2606:4700::1", { .proto = IPPROTO_ICMPV6 }, PASS(R_PASS_NO_MATCH) },
	{ "v6 hit, 1400 byte payload", S_MAIN, "2001:db8:1::1", { .payload_len = 1400 }, DROP("2001:db8:1::1/128") },

	/* VLAN */
	{ "802.1Q v4 hit", S_MAIN, "10.1.2.3", { .nvlan = 1 }, DROP("10.1.2.3/32") },
	{ "802.1Q v4 miss", S_MAIN, "8.8.8.8", { .nvlan = 1 }, PASS(R_PASS_NO_MATCH) },
	{ "802.1ad single tag v6 hit", S_MAIN, "2001:db8:1::1", { .nvlan = 1, .tpid = { PKT_TPID_8021AD } }, DROP("2001:db8:1::1/128") },
	{ "802.1ad single tag v6 miss", S_MAIN, "2606:4700::1", { .nvlan = 1, .tpid = { PKT_TPID_8021AD } }, PASS(R_PASS_NO_MATCH) },
	{ "QinQ 88a8/8100 v4 hit", S_MAIN, "10.2.0.1", { .nvlan = 2 }, DROP("10.0.0.0/8") },
	{ "QinQ 88a8/8100 v6 hit", S_MAIN, "2001:db8:1::2", { .nvlan = 2 }, DROP("2001:db8:1::/48") },
	{ "QinQ 8100/8100 v4 hit", S_MAIN, "10.1.2.3", { .nvlan = 2, .tpid = { 0x8100, 0x8100 } }, DROP("10.1.2.3/32") },
	{ "QinQ 88a8/88a8 v6 miss", S_MAIN, "2606:4700::1", { .nvlan = 2, .tpid = { 0x88a8, 0x88a8 } }, PASS(R_PASS_NO_MATCH) },
	{ "QinQ v4 first fragment miss", S_MAIN, "8.8.8.8", { .nvlan = 2, .frag = PKT_IP4_MF }, PASS(R_PASS_FRAGMENT) },
	{ "3 tags, blocked source", S_MAIN, "10.1.2.3", { .nvlan = 3 }, PASS(R_PASS_VLAN_DEPTH) },
	{ "3 tags, clean source", S_MAIN, "8.8.8.8", { .nvlan = 3 }, PASS(R_PASS_VLAN_DEPTH) },
	{ "3 tags 8100 x3 v6", S_MAIN, "2001:db8:1::1", { .nvlan = 3, .tpid = { 0x8100, 0x8100, 0x8100 } }, PASS(R_PASS_VLAN_DEPTH) },
	{ "4 tags", S_MAIN, "10.1.2.3", { .nvlan = 4 }, PASS(R_PASS_VLAN_DEPTH) },
	{ "QinQ then ARP", S_MAIN, NULL, { .nvlan = 2, .ethertype = PKT_ETH_ARP, .payload_len = 28 }, PASS(R_PASS_NOT_IP) },
	{ "tag with TPID 0x9100 (not a VLAN here)", S_MAIN, "10.1.2.3", { .nvlan = 1, .tpid = { 0x9100 } }, PASS(R_PASS_NOT_IP) },
	{ "802.1Q then 0x9100", S_MAIN, "10.1.2.3", { .nvlan = 2, .tpid = { 0x8100, 0x9100 } }, PASS(R_PASS_NOT_IP) },

	/* not IP */
	{ "ARP", S_MAIN, NULL, { .ethertype = PKT_ETH_ARP, .payload_len = 28 }, PASS(R_PASS_NOT_IP) },
	{ "LLDP", S_MAIN, NULL, { .ethertype = 0x88CC, .payload_len = 40 }, PASS(R_PASS_NOT_IP) },
	{ "MPLS", S_MAIN, NULL, { .ethertype = 0x8847, .payload_len = 40 }, PASS(R_PASS_NOT_IP) },
	{ "ethertype 0", S_MAIN, NULL, { .ethertype = 0x0000, .payload_len = 46 }, PASS(R_PASS_NOT_IP) },
	{ "ethertype ffff", S_MAIN, NULL, { .ethertype = 0xFFFF, .payload_len = 46 }, PASS(R_PASS_NOT_IP) },
	{ "802.3 length field", S_MAIN, NULL, { .ethertype = 46, .payload_len = 46 }, PASS(R_PASS_NOT_IP) },
	{ "bare Ethernet header", S_MAIN, NULL, { .ethertype = 0x0800 }, PASS(R_PASS_TRUNCATED) },
	{ "bare Ethernet header, IPv6", S_MAIN, NULL, { .ethertype = 0x86DD }, PASS(R_PASS_TRUNCATED) },

	/* version nibble */
	{ "v4 ethertype, version 6, blocked source", S_MAIN, "10.1.2.3", { .version = 6 }, PASS(R_PASS_MALFORMED) },
	{ "v4 ethertype, version 15", S_MAIN, "8.8.8.8", { .version = 15 }, PASS(R_PASS_MALFORMED) },
	{ "v6 ethertype, version 4, blocked source", S_MAIN, "2001:db8:1::1", { .version = 4 }, PASS(R_PASS_MALFORMED) },
	{ "v6 ethertype, version 0", S_MAIN, "2606:4700::1", { .version = PKT_NIBBLE_ZERO }, PASS(R_PASS_MALFORMED) },
	{ "v4 ethertype, version 0", S_MAIN, "10.1.2.3", { .version = PKT_NIBBLE_ZERO }, PASS(R_PASS_MALFORMED) },
	{ "IPv6 packet under ethertype 0x0800", S_MAIN, "2001:db8:1::1", { .ethertype = 0x0800 }, PASS(R_PASS_MALFORMED) },
	{ "IPv4 packet under ethertype 0x86dd", S_MAIN, "10.1.2.3", { .ethertype = 0x86DD, .payload_len = 40 }, PASS(R_PASS_MALFORMED) },

	/* IPv4 header length */
	{ "v4 ihl 15, no options, short payload", S_MAIN, "8.8.8.8", { .ihl = 15 }, PASS(R_PASS_TRUNCATED) },
	{ "v4 ihl 15, no options, long payload", S_MAIN, "8.8.8.8", { .ihl = 15, .payload_len = 32 }, PASS(R_PASS_NO_MATCH) },
	{ "v4 ihl 15, no options, blocked", S_MAIN, "10.1.2.3", { .ihl = 15 }, DROP("10.1.2.3/32") },
	{ "v4 ihl 6 + MF", S_MAIN, "8.8.8.8", { .optlen = 4, .frag = PKT_IP4_MF }, PASS(R_PASS_FRAGMENT) },
	{ "v4 ihl 4 + MF, clean", S_MAIN, "8.8.8.8", { .ihl = 4, .frag = PKT_IP4_MF }, PASS(R_PASS_MALFORMED) },

	/* IPv4 fragments: matched by source address only */
	{ "v4 first fragment, clean", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_MF }, PASS(R_PASS_FRAGMENT) },
	{ "v4 middle fragment, clean", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_MF | 185, .payload_len = 64 }, PASS(R_PASS_FRAGMENT) },
	{ "v4 last fragment, clean", S_MAIN, "8.8.8.8", { .frag = 185, .payload_len = 64 }, PASS(R_PASS_FRAGMENT) },
	{ "v4 fragment offset max, clean", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_OFFMASK, .payload_len = 8 }, PASS(R_PASS_FRAGMENT) },
	{ "v4 first fragment, blocked", S_MAIN, "10.1.2.3", { .frag = PKT_IP4_MF }, DROP("10.1.2.3/32") },
	{ "v4 later fragment, blocked", S_MAIN, "10.1.2.3", { .frag = 185, .payload_len = 64 }, DROP("10.1.2.3/32") },
	{ "v4 later fragment, blocked /8", S_MAIN, "10.9.9.9", { .frag = PKT_IP4_MF | 1, .payload_len = 8 }, DROP("10.0.0.0/8") },
	{ "v4 DF only is no fragment", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_DF }, PASS(R_PASS_NO_MATCH) },
	{ "v4 reserved bit only is no fragment", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_RF }, PASS(R_PASS_NO_MATCH) },
	{ "v4 DF+MF is a fragment", S_MAIN, "8.8.8.8", { .frag = PKT_IP4_DF | PKT_IP4_MF }, PASS(R_PASS_FRAGMENT) },

	/* IPv6 extension headers */
	{ "v6 hop-by-hop", S_MAIN, "2606:4700::1", { EXT(HOP) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 routing", S_MAIN, "2606:4700::1", { EXT(RT) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 dstopts", S_MAIN, "2606:4700::1", { EXT(DST) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 AH", S_MAIN, "2606:4700::1", { EXT(AH) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 AH len 4 (24 bytes)", S_MAIN, "2606:4700::1", { EXT({ PKT_EXT_AH, 4, 0, 0 }) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 hop-by-hop len 3 (32 bytes)", S_MAIN, "2606:4700::1", { EXT({ PKT_EXT_HOP, 3, 0, 0 }) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 first fragment", S_MAIN, "2606:4700::1", { EXT(FRAG0) }, PASS(R_PASS_FRAGMENT) },
	{ "v6 later fragment", S_MAIN, "2606:4700::1", { EXT(FRAGN), .payload_len = 16 }, PASS(R_PASS_FRAGMENT) },
	{ "v6 atomic fragment (offset 0, no M)", S_MAIN, "2606:4700::1", { EXT({ PKT_EXT_FRAG, 0, 0, 0 }) }, PASS(R_PASS_FRAGMENT) },
	{ "v6 first fragment, blocked", S_MAIN, "2001:db8:1::1", { EXT(FRAG0) }, DROP("2001:db8:1::1/128") },
	{ "v6 later fragment, blocked", S_MAIN, "2001:db8:2::2", { EXT(FRAGN), .payload_len = 16 }, DROP("2001:db8::/32") },
	{ "v6 hop-by-hop, blocked", S_MAIN, "2001:db8:1::1", { EXT(HOP) }, DROP("2001:db8:1::1/128") },
	{ "v6 chain hop,dst,rt,ah,dst", S_MAIN, "2606:4700::1", { EXT(HOP, DST, RT, AH, DST), .proto = IPPROTO_TCP }, PASS(R_PASS_NO_MATCH) },
	{ "v6 chain hop,rt,frag,ah,dst", S_MAIN, "2606:4700::1", { EXT(HOP, RT, FRAG0, AH, DST) }, PASS(R_PASS_FRAGMENT) },
	{ "v6 chain, blocked", S_MAIN, "2a0e:1c81::1", { EXT(HOP, DST, RT, FRAG0, AH, DST) }, DROP("2a0e:1c80::/29") },
	{ "v6 8 ext headers", S_MAIN, "2606:4700::1", { EXT(HOP, DST, DST, DST, DST, DST, DST, DST) }, PASS(R_PASS_NO_MATCH) },
	{ "v6 8 ext headers, 8th a fragment", S_MAIN, "2606:4700::1", { EXT(HOP, DST, RT, AH, DST, RT, DST, FRAG0) }, PASS(R_PASS_FRAGMENT) },
	{ "v6 9 ext headers", S_MAIN, "2606:4700::1", { EXT(HOP, DST, DST, DST, DST, DST, DST, DST, DST) }, PASS(R_PASS_EXTHDR) },
	{ "v6 9 ext headers, first a fragment", S_MAIN, "2606:4700::1", { EXT(FRAG0, DST, DST, DST, DST, DST, DST, DST, DST) }, PASS(R_PASS_EXTHDR) },
	{ "v6 9 ext headers, blocked", S_MAIN, "2001:db8:1::1", { EXT(HOP, DST, DST, DST, DST, DST, DST, DST, DST) }, DROP("2001:db8:1::1/128") },
	{ "v6 10 ext headers", S_MAIN, "2606:4700::1", { EXT(HOP, RT, RT, AH, AH, DST, DST, DST, DST, DST) }, PASS(R_PASS_EXTHDR) },
	{ "v6 ext header longer than the packet", S_MAIN, "2606:4700::1", { EXT({ PKT_EXT_DST, 0, 0, 255 }) }, PASS(R_PASS_TRUNCATED) },
	{ "v6 AH longer than the packet", S_MAIN, "2606:4700::1", { EXT(HOP, { PKT_EXT_AH, 1, 0, 200 }) }, PASS(R_PASS_TRUNCATED) },
	{ "v6 ext header longer than the packet, blocked", S_MAIN, "2001:db8:1::1", { EXT({ PKT_EXT_HOP, 0, 0, 255 }) }, DROP("2001:db8:1::1/128") },
	{ "v6 no next header (59)", S_MAIN, "2606:4700::1", { .proto = PKT_NH_NONE }, PASS(R_PASS_NO_MATCH) },
	{ "v6 ESP (50) is not walked", S_MAIN, "2606:4700::1", { .proto = 50, .payload_len = 32 }, PASS(R_PASS_NO_MATCH) },
	{ "v6 hop then no next header", S_MAIN, "2606:4700::1", { EXT(HOP), .proto = PKT_NH_NONE }, PASS(R_PASS_NO_MATCH) },

	/* empty list */
	{ "empty list, v4 once blocked", S_EMPTY, "10.1.2.3", {0}, PASS(R_PASS_NO_MATCH) },
	{ "empty list, v6 once blocked", S_EMPTY, "2001:db8:1::1", {0}, PASS(R_PASS_NO_MATCH) },
	{ "empty list, allowlisted address", S_EMPTY, "192.0.2.77", {0}, PASS(R_PASS_NO_MATCH) },
	{ "empty list, v4 fragment", S_EMPTY, "10.1.2.3", { .frag = PKT_IP4_MF }, PASS(R_PASS_FRAGMENT) },
	{ "empty list, v6 fragment", S_EMPTY, "2001:db8:1::1", { EXT(FRAG0) }, PASS(R_PASS_FRAGMENT) },

	/* short prefixes: /0, /2, /3, /7, /20, /31 */
	{ "v4 /0 catches anything", S_SHORT, "8.8.8.8", {0}, DROP("0.0.0.0/0") },
	{ "v4 /0 catches 255.255.255.255", S_SHORT, "255.255.255.255", {0}, DROP("0.0.0.0/0") },
	{ "v4 host inside /0", S_SHORT, "10.1.2.3", {0}, DROP("10.1.2.3/32") },
	{ "v4 /0 but allowlisted", S_SHORT, "198.51.100.200", {0}, PASS(R_PASS_ALLOWLISTED) },
	{ "v6 ::/0 catches anything", S_SHORT, "2606:4700::1", {0}, DROP("::/0") },
	{ "v6 ::/0 catches ::", S_SHORT, "::", {0}, DROP("::/0") },
	{ "v6 /48 inside ::/0", S_SHORT, "2001:db8:1::5", {0}, DROP("2001:db8:1::/48") },
	{ "v6 fc00::/7", S_SHORT, "fdff:ffff::1", {0}, DROP("fc00::/7") },
	{ "v4 /2", S_SHORT2, "127.255.255.255", {0}, DROP("64.0.0.0/2") },
	{ "v4 just above /2", S_SHORT2, "128.0.0.0", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 just below /2", S_SHORT2, "63.255.255.255", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4 /31 first", S_SHORT2, "1.2.3.4", {0}, DROP("1.2.3.4/31") },
	{ "v4 /31 second", S_SHORT2, "1.2.3.5", {0}, DROP("1.2.3.4/31") },
	{ "v4 /31 neighbour", S_SHORT2, "1.2.3.6", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 2000::/3", S_SHORT2, "3fff:ffff::1", {0}, DROP("2000::/3") },
	{ "v6 just above 2000::/3", S_SHORT2, "4000::", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6 /20 inside /3", S_SHORT2, "2c0f:f00f:1::1", {0}, DROP("2c0f:f000::/20") },
	{ "v6 /20 last address", S_SHORT2, "2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", {0}, DROP("2c0f:f000::/20") },
	{ "v6 just below /20: the /3", S_SHORT2, "2c0f:efff:ffff::1", {0}, DROP("2000::/3") },
	{ "v6 just above /20: the /3", S_SHORT2, "2c10::", {0}, DROP("2000::/3") },

	/* one family empty */
	{ "v4-only list: v4 CIDR", S_V4ONLY, "10.200.0.1", {0}, DROP("10.0.0.0/8") },
	{ "v4-only list: v4 host", S_V4ONLY, "8.8.8.8", {0}, DROP("8.8.8.8/32") },
	{ "v4-only list: v6", S_V4ONLY, "2001:db8::1", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v4-only list: v6 with ext headers", S_V4ONLY, "2606:4700::1", { EXT(HOP, FRAG0) }, PASS(R_PASS_FRAGMENT) },
	{ "v6-only list: v6 CIDR", S_V6ONLY, "2001:db8:5::1", {0}, DROP("2001:db8::/32") },
	{ "v6-only list: v6 host", S_V6ONLY, "2606:4700::1", {0}, DROP("2606:4700::1/128") },
	{ "v6-only list: v4", S_V6ONLY, "10.1.2.3", {0}, PASS(R_PASS_NO_MATCH) },
	{ "v6-only list: v4 fragment", S_V6ONLY, "8.8.8.8", { .frag = 100 }, PASS(R_PASS_FRAGMENT) },
};

/* Cases generated in main(): IHL sweeps. */
#define MAX_CASES 512
static struct xcase cases[MAX_CASES];
static size_t ncases;

static void add_case(const struct xcase *c)
{
	if (ncases < MAX_CASES)
		cases[ncases++] = *c;
}

static void gen_cases(void)
{
	static char descs[64][80];
	int nd = 0, ihl, blocked;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		add_case(&table[i]);
	for (ihl = 0; ihl <= 15; ihl++) {
		for (blocked = 0; blocked < 2; blocked++) {
			struct xcase c = { 0 };

			if (ihl == 5 && !blocked)
				continue;
			snprintf(descs[nd], sizeof(descs[nd]), "v4 ihl %d%s, %s", ihl,
				 ihl > 5 ? " with options" : "",
				 blocked ? "blocked" : "clean");
			c.desc = descs[nd++];
			c.setup = S_MAIN;
			c.src = blocked ? "10.1.2.3" : "8.8.8.8";
			if (ihl > 5)
				c.p.optlen = (uint8_t)((ihl - 5) * 4);
			else
				c.p.ihl = (uint8_t)(ihl ? ihl : PKT_NIBBLE_ZERO);
			c.p.payload_len = 4;
			if (blocked) {
				c.verdict = XDP_DROP;
				c.reason = R_DROP_BLOCKLIST;
				c.entry = "10.1.2.3/32";
			} else {
				c.verdict = XDP_PASS;
				c.reason = ihl < 5 ? R_PASS_MALFORMED : R_PASS_NO_MATCH;
			}
			add_case(&c);
		}
	}
}

/* ------------------------------------------------------------------ */

static struct fixture fx;

static int apply_setup(int setup)
{
	switch (setup) {
	case S_MAIN:
		return fixture_load_list(&fx, list_main, sizeof(list_main) / sizeof(list_main[0]));
	case S_EMPTY:
		return fixture_load_list(&fx, NULL, 0);
	case S_SHORT:
		return fixture_load_list(&fx, list_short, sizeof(list_short) / sizeof(list_short[0]));
	case S_SHORT2:
		return fixture_load_list(&fx, list_short2, sizeof(list_short2) / sizeof(list_short2[0]));
	case S_V4ONLY:
		return fixture_load_list(&fx, list_v4only, 2);
	case S_V6ONLY:
		return fixture_load_list(&fx, list_v6only, 2);
	}
	return -EINVAL;
}

static size_t build_case(const struct xcase *c, uint8_t *buf, size_t cap, struct pkt_layout *lo,
			 struct pkt_spec *out_spec)
{
	struct pkt_spec s = c->p;
	size_t len;

	if (c->src) {
		s.family = pkt_addr(c->src, s.src);
		pkt_addr(s.family == AF_INET ? DST4 : DST6, s.dst);
	} else {
		s.family = 0;
	}
	len = pkt_build(buf, cap, &s, lo);
	if (out_spec)
		*out_spec = s;
	return len;
}

/* Entry counters of the active list. */
struct esnap {
	struct prefix_set set;
	struct bl_entry *e;
};

static int esnap_take(struct esnap *s)
{
	memset(s, 0, sizeof(*s));
	return blset_read(&fx.m, &s->set, &s->e);
}

static void esnap_free(struct esnap *s)
{
	pset_free(&s->set);
	free(s->e);
	s->e = NULL;
}

static bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->plen == b->plen && !memcmp(a->addr, b->addr, n);
}

static long esnap_find(const struct esnap *s, const char *prefix)
{
	struct prefix p;
	size_t i;

	if (prefix_parse(prefix, &p, NULL, NULL))
		return -1;
	for (i = 0; i < s->set.n; i++)
		if (prefix_eq(&s->e[i].p, &p))
			return (long)i;
	return -1;
}

/*
 * Run one packet, compare everything; returns NULL if all is well, else
 * a static message saying what differs.
 */
static const char *run_and_check(const uint8_t *pkt, size_t len, int verdict, int reason,
				 const char *entry)
{
	static char msg[512];
	struct counter before[R_MAX], after[R_MAX];
	struct esnap eb, ea;
	uint8_t out[PKT_MAX_LEN + 256];
	__u32 out_len = sizeof(out), retval = 0;
	int err, k, changed = 0;
	long want_idx = -1;
	size_t i;

	msg[0] = '\0';
	if (fixture_stats(&fx, before) || esnap_take(&eb))
		return "cannot read counters before";
	err = fixture_run(&fx, pkt, len, &retval, out, &out_len);
	if (err) {
		esnap_free(&eb);
		snprintf(msg, sizeof(msg), "test_run failed: %d (%s)", err, strerror(-err));
		return msg;
	}
	if (fixture_stats(&fx, after) || esnap_take(&ea)) {
		esnap_free(&eb);
		return "cannot read counters after";
	}
	if (retval != (__u32)verdict) {
		snprintf(msg, sizeof(msg), "verdict %u, want %d", retval, verdict);
		goto out;
	}
	for (k = 0; k < R_MAX; k++) {
		__u64 dp = after[k].packets - before[k].packets;
		__u64 db = after[k].bytes - before[k].bytes;

		if (k == reason) {
			if (dp != 1 || db != len) {
				snprintf(msg, sizeof(msg), "%s moved +%llu/+%llu, want +1/+%zu",
					 reason_name(k), (unsigned long long)dp,
					 (unsigned long long)db, len);
				goto out;
			}
		} else if (dp || db) {
			changed++;
			snprintf(msg, sizeof(msg), "%s moved +%llu/+%llu, want %s",
				 reason_name(k), (unsigned long long)dp,
				 (unsigned long long)db, reason_name(reason));
		}
	}
	if (changed)
		goto out;
	if (ea.set.n != eb.set.n) {
		snprintf(msg, sizeof(msg), "entry count changed %zu -> %zu", eb.set.n, ea.set.n);
		goto out;
	}
	if (entry) {
		want_idx = esnap_find(&ea, entry);
		if (want_idx < 0) {
			snprintf(msg, sizeof(msg), "entry %s not in the active list", entry);
			goto out;
		}
	}
	for (i = 0, changed = 0; i < ea.set.n; i++) {
		__u64 dp = ea.e[i].c.packets - eb.e[i].c.packets;
		__u64 db = ea.e[i].c.bytes - eb.e[i].c.bytes;
		char b[PREFIX_STRLEN];
		bool want = (long)i == want_idx;
		size_t at = strlen(msg);

		if (!prefix_eq(&ea.e[i].p, &eb.e[i].p)) {
			snprintf(msg, sizeof(msg), "entry list changed");
			goto out;
		}
		if ((want && (dp != 1 || db != len)) || (!want && (dp || db))) {
			if (!changed++)
				at = (size_t)snprintf(msg, sizeof(msg), "want %s +1/+%zu; got",
						      entry ? entry : "no entry", len);
			if (at < sizeof(msg))
				snprintf(msg + at, sizeof(msg) - at, " %s +%llu/+%llu",
					 prefix_format(&ea.e[i].p, b, sizeof(b)),
					 (unsigned long long)dp, (unsigned long long)db);
		}
	}
	if (changed)
		goto out;
	if (verdict == XDP_PASS && (out_len != len || memcmp(out, pkt, len))) {
		snprintf(msg, sizeof(msg), "passed packet changed (out %u bytes)", out_len);
		goto out;
	}
out:
	esnap_free(&eb);
	esnap_free(&ea);
	return msg[0] ? msg : NULL;
}

static bool is_vlan_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88A8;
}

/*
 * The expectation for a packet cut to len bytes, from the case's full
 * expectation. The program reads, in order: Ethernet, up to two tags,
 * the fixed IP header (decides not-IP / VLAN depth / version / source),
 * then IPv4 options or up to 8 IPv6 extension headers. So:
 *   cut inside the L2 headers it reads         -> truncated
 *   full result decided at L2 (not IP, depth)  -> full result
 *   cut inside the fixed IP header             -> truncated
 *   full result decided there (version, source) -> full result
 *   IPv4 ihl < 5                               -> malformed
 *   cut inside options / the first 8 ext hdrs  -> truncated
 *   otherwise (cut in L4 or payload)           -> full result
 */
static void expect_cut(const struct xcase *c, const struct pkt_spec *s,
		       const struct pkt_layout *lo, const uint8_t *pkt, size_t len,
		       int *verdict, int *reason, const char **entry)
{
	uint16_t et = s->ethertype ? s->ethertype :
		      s->family == AF_INET ? PKT_ETH_IP4 :
		      s->family == AF_INET6 ? PKT_ETH_IP6 : PKT_ETH_ARP;
	int tags = 0, i, ver, n;
	size_t l2, fixed;

	*verdict = XDP_PASS;
	*reason = R_PASS_TRUNCATED;
	*entry = NULL;
	while (tags < s->nvlan && tags < 2) {
		uint16_t t = s->tpid[tags] ? s->tpid[tags] :
			     (tags == 0 && s->nvlan > 1) ? PKT_TPID_8021AD : PKT_TPID_8021Q;

		if (!is_vlan_tpid(t))
			break;
		tags++;
	}
	l2 = 14 + 4 * (size_t)tags;
	if (len < l2)
		return;
	if (c->reason == R_PASS_NOT_IP || c->reason == R_PASS_VLAN_DEPTH)
		goto full;
	fixed = l2 + (et == PKT_ETH_IP4 ? 20 : 40);
	if (len < fixed)
		return;
	ver = pkt[l2] >> 4;
	if ((et == PKT_ETH_IP4 && ver != 4) || (et == PKT_ETH_IP6 && ver != 6))
		goto full;
	if (c->verdict == XDP_DROP || c->reason == R_PASS_ALLOWLISTED ||
	    c->reason == R_PASS_NO_LIST)
		goto full;
	if (et == PKT_ETH_IP4) {
		int ihl = pkt[l2] & 0xF;

		if (ihl < 5) {
			*reason = R_PASS_MALFORMED;
			return;
		}
		if (len < l2 + (size_t)ihl * 4)
			return;
		goto full;
	}
	n = s->n_ext < 8 ? s->n_ext : 8;
	for (i = 0; i < n; i++)
		if (len < lo->ext_end[i])
			return;
full:
	*verdict = c->verdict;
	*reason = c->reason;
	*entry = c->entry;
}

static const char *const setup_names[S_MAX] = {
	"main", "empty", "short", "short2", "v4 only", "v6 only",
};

static void run_cases(void)
{
	size_t i, len, cut_runs = 0, cut_fail = 0, cut_refused = 0;
	int cur = -1;

	for (i = 0; i < ncases; i++) {
		const struct xcase *c = &cases[i];
		uint8_t pkt[PKT_MAX_LEN];
		struct pkt_layout lo;
		struct pkt_spec s;
		const char *err;
		size_t full;

		if (c->setup != cur) {
			if (!ok(apply_setup(c->setup) == 0, "commit list '%s'", setup_names[c->setup]))
				harness_bail("cannot install a list");
			cur = c->setup;
		}
		full = build_case(c, pkt, sizeof(pkt), &lo, &s);
		if (!okq(full > 0, "build %s", c->desc))
			continue;
		err = run_and_check(pkt, full, c->verdict, c->reason, c->entry);
		ok(!err, "%s: %s, %s%s%s [%zu bytes]%s%s", c->desc,
		   c->verdict == XDP_DROP ? "drop" : "pass", reason_name(c->reason),
		   c->entry ? ", counted on " : "", c->entry ? c->entry : "", full,
		   err ? ": " : "", err ? err : "");
		if (err)
			pkt_hex(stdout, "#   ", pkt, full);

		/* every shorter length */
		for (len = 0; len < full; len++) {
			int v, r;
			const char *e;

			expect_cut(c, &s, &lo, pkt, len, &v, &r, &e);
			if (len < ETH_HLEN) {
				/* The kernel refuses test runs below ETH_HLEN
				 * (-EINVAL): the program never sees them. If it
				 * does run, it must say truncated. */
				__u32 rv;

				if (fixture_run(&fx, pkt, len, &rv, NULL, NULL) == -EINVAL) {
					cut_refused++;
					continue;
				}
			}
			err = run_and_check(pkt, len, v, r, e);
			cut_runs++;
			if (!okq(!err, "%s cut to %zu: %s%s%s", c->desc, len, reason_name(r),
				 err ? ": " : "", err ? err : "")) {
				if (++cut_fail <= 5)
					pkt_hex(stdout, "#   ", pkt, len);
			}
		}
	}
	diag("%zu cases, %zu truncated runs (%zu failed), %zu runs below %d bytes refused by the kernel",
	     ncases, cut_runs, cut_fail, cut_refused, ETH_HLEN);
}

/* ------------------------------------------------------------------ */

static size_t build_simple(const char *src, uint8_t *buf)
{
	struct xcase c = { .desc = "x", .src = src };
	struct pkt_layout lo;

	return build_case(&c, buf, PKT_MAX_LEN, &lo, NULL);
}

static void check_one(const char *what, const char *src, int verdict, int reason, const char *entry)
{
	uint8_t pkt[PKT_MAX_LEN];
	size_t len = build_simple(src, pkt);
	const char *err = run_and_check(pkt, len, verdict, reason, entry);

	ok(!err, "%s: %s from %s%s%s", what, reason_name(reason), src,
	   err ? ": " : "", err ? err : "");
}

static void test_allow_edits(void)
{
	ok(apply_setup(S_MAIN) == 0, "allow edits: main list");
	check_one("allow edits: before", "192.0.2.77", XDP_PASS, R_PASS_ALLOWLISTED, NULL);
	ok(fixture_allow(&fx, "192.0.2.77", false) == 0, "allow edits: remove 192.0.2.77");
	check_one("allow edits: removed", "192.0.2.77", XDP_DROP, R_DROP_BLOCKLIST, "192.0.2.0/24");
	ok(fixture_allow(&fx, "192.0.2.77", true) == 0, "allow edits: add 192.0.2.77 back");
	check_one("allow edits: back", "192.0.2.77", XDP_PASS, R_PASS_ALLOWLISTED, NULL);
	ok(fixture_allow(&fx, "10.1.0.0/16", true) == 0, "allow edits: add 10.1.0.0/16");
	check_one("allow edits: /16 allowed covers /32", "10.1.2.3", XDP_PASS, R_PASS_ALLOWLISTED, NULL);
	check_one("allow edits: /16 allowed, /8 still blocked", "10.2.2.3", XDP_DROP, R_DROP_BLOCKLIST, "10.0.0.0/8");
	ok(fixture_allow(&fx, "10.1.0.0/16", false) == 0, "allow edits: remove 10.1.0.0/16");
	check_one("allow edits: /32 blocked again", "10.1.2.3", XDP_DROP, R_DROP_BLOCKLIST, "10.1.2.3/32");
	ok(fixture_allow(&fx, "2001:db8:1::/64", true) == 0, "allow edits: add 2001:db8:1::/64");
	check_one("allow edits: v6 /64 allowed covers /128", "2001:db8:1::1", XDP_PASS, R_PASS_ALLOWLISTED, NULL);
	check_one("allow edits: v6 outside the /64", "2001:db8:1:1::1", XDP_DROP, R_DROP_BLOCKLIST, "2001:db8:1::/48");
	ok(fixture_allow(&fx, "2001:db8:1::/64", false) == 0, "allow edits: remove 2001:db8:1::/64");
	check_one("allow edits: v6 blocked again", "2001:db8:1::1", XDP_DROP, R_DROP_BLOCKLIST, "2001:db8:1::1/128");
}

/* Counter of one entry in the active list; -1 packets if absent. */
static struct counter entry_counter(const char *prefix)
{
	struct counter c = { (__u64)-1, (__u64)-1 };
	struct esnap s;
	long i;

	if (esnap_take(&s))
		return c;
	i = esnap_find(&s, prefix);
	if (i >= 0)
		c = s.e[i].c;
	esnap_free(&s);
	return c;
}

static void send_n(const char *src, int n, __u64 *bytes)
{
	uint8_t pkt[PKT_MAX_LEN];
	size_t len = build_simple(src, pkt);
	__u32 rv;
	int i;

	for (i = 0; i < n; i++) {
		fixture_run(&fx, pkt, len, &rv, NULL, NULL);
		*bytes += len;
	}
}

static void expect_counter(const char *what, const char *prefix, __u64 pk, __u64 by)
{
	struct counter c = entry_counter(prefix);

	ok(c.packets == pk && c.bytes == by, "%s: %s has %llu/%llu, want %llu/%llu", what,
	   prefix, (unsigned long long)c.packets, (unsigned long long)c.bytes,
	   (unsigned long long)pk, (unsigned long long)by);
}

static void test_switch(void)
{
	static const char *const l1[] = { "10.9.0.0/16", "10.9.9.9", "2001:db8:9::/48", "172.16.5.5" };
	static const char *const l2[] = { "10.9.0.0/16", "2001:db8:9::/48", "172.16.6.6", "2001:db8:77::/64" };
	struct blset_report r1, r2, r3;
	__u64 b16 = 0, bhost = 0, b48 = 0, b55 = 0;
	struct esnap s;

	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	ok(fixture_load_list_rep(&fx, l1, 4, &r1) == 0, "switch: commit list 1");
	ok(r1.v4 == 3 && r1.v6 == 1 && r1.hosts == 2 && r1.nets == 2,
	   "switch: list 1 report v4 %zu v6 %zu hosts %zu nets %zu (want 3 1 2 2)",
	   r1.v4, r1.v6, r1.hosts, r1.nets);
	send_n("10.9.1.1", 3, &b16);
	send_n("10.9.9.9", 2, &bhost);
	send_n("2001:db8:9::1", 1, &b48);
	send_n("172.16.5.5", 1, &b55);
	expect_counter("switch: list 1", "10.9.0.0/16", 3, b16);
	expect_counter("switch: list 1", "10.9.9.9/32", 2, bhost);
	expect_counter("switch: list 1", "2001:db8:9::/48", 1, b48);
	expect_counter("switch: list 1", "172.16.5.5/32", 1, b55);

	ok(fixture_load_list_rep(&fx, l2, 4, &r2) == 0, "switch: commit list 2");
	ok(r2.added == 2 && r2.removed == 2 && r2.kept == 2 && !r2.unchanged,
	   "switch: report added %zu removed %zu kept %zu unchanged %d (want 2 2 2 0)",
	   r2.added, r2.removed, r2.kept, r2.unchanged);
	ok(r2.generation > r1.generation, "switch: generation %llu > %llu",
	   (unsigned long long)r2.generation, (unsigned long long)r1.generation);
	memset(&s, 0, sizeof(s));
	ok(esnap_take(&s) == 0 && s.set.n == 4, "switch: list 2 has 4 entries (%zu)", s.set.n);
	ok(esnap_find(&s, "10.9.9.9/32") < 0 && esnap_find(&s, "172.16.5.5/32") < 0,
	   "switch: removed entries are gone");
	esnap_free(&s);
	expect_counter("switch: kept, carried over", "10.9.0.0/16", 3, b16);
	expect_counter("switch: kept, carried over", "2001:db8:9::/48", 1, b48);
	expect_counter("switch: new", "172.16.6.6/32", 0, 0);
	expect_counter("switch: new", "2001:db8:77::/64", 0, 0);
	check_one("switch: old host now in the kept /16", "10.9.9.9", XDP_DROP, R_DROP_BLOCKLIST, "10.9.0.0/16");
	{
		uint8_t pkt[PKT_MAX_LEN];

		b16 += build_simple("10.9.9.9", pkt);
	}
	expect_counter("switch: kept /16 counts on", "10.9.0.0/16", 4, b16);
	check_one("switch: removed host", "172.16.5.5", XDP_PASS, R_PASS_NO_MATCH, NULL);
	check_one("switch: new host", "172.16.6.6", XDP_DROP, R_DROP_BLOCKLIST, "172.16.6.6/32");
	check_one("switch: new v6 /64", "2001:db8:77::1", XDP_DROP, R_DROP_BLOCKLIST, "2001:db8:77::/64");
	check_one("switch: kept v6 /48", "2001:db8:9::2", XDP_DROP, R_DROP_BLOCKLIST, "2001:db8:9::/48");

	ok(fixture_load_list_rep(&fx, l2, 4, &r3) == 0 && r3.unchanged,
	   "switch: same list again is unchanged (%d)", r3.unchanged);
	expect_counter("switch: unchanged commit keeps counters", "10.9.0.0/16", 4, b16);

	memset(&r3, 0, sizeof(r3));
	ok(fixture_load_list_rep(&fx, l1, 4, &r3) == 0, "switch: back to list 1");
	expect_counter("switch: re-added entry starts at zero", "10.9.9.9/32", 0, 0);
	expect_counter("switch: kept twice", "10.9.0.0/16", 4, b16);
	check_one("switch: re-added host", "10.9.9.9", XDP_DROP, R_DROP_BLOCKLIST, "10.9.9.9/32");
	check_one("switch: list 2 host gone", "172.16.6.6", XDP_PASS, R_PASS_NO_MATCH, NULL);
}

/* A program whose pin dir never got a list: every packet is no_list. */
static void test_no_list(void)
{
	char dir[PATH_MAX];
	struct anyxdp_bpf *skel;
	uint8_t pkt[PKT_MAX_LEN];
	struct counter c0 = { 0 }, c1 = { 0 };
	size_t len;
	__u32 key = R_PASS_NO_LIST, rv = 0;
	int ncpus = libbpf_num_possible_cpus(), stats_fd, prog_fd;

	if (!ok(harness_make_dir(dir, sizeof(dir)) == 0, "no list: pin dir"))
		return;
	skel = harness_load_skel(dir);
	if (ok(skel != NULL, "no list: load without maps_open")) {
		stats_fd = bpf_map__fd(skel->maps.stats);
		prog_fd = bpf_program__fd(skel->progs.anyxdp_xdp);
		len = build_simple("10.1.2.3", pkt);
		percpu_sum(stats_fd, &key, ncpus, &c0);
		{
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (__u32)len,
				    .repeat = 1);
			int err = bpf_prog_test_run_opts(prog_fd, &o);

			rv = o.retval;
			ok(err == 0 && rv == XDP_PASS, "no list: v4 passes (err %d, verdict %u)",
			   err, rv);
		}
		percpu_sum(stats_fd, &key, ncpus, &c1);
		ok(c1.packets - c0.packets == 1 && c1.bytes - c0.bytes == len,
		   "no list: counted as pass_no_list (+%llu/+%llu)",
		   (unsigned long long)(c1.packets - c0.packets),
		   (unsigned long long)(c1.bytes - c0.bytes));
		anyxdp_bpf__destroy(skel);
	}
	harness_rmtree(dir);
	harness_track_dir(dir, false);
}

int main(void)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0)
		diag("not root: BPF calls will likely fail");
	gen_cases();
	test_no_list();

	if (fixture_setup(&fx))
		harness_bail("fixture setup");
	/* maps_open(create) installs an empty list: no "no list" state. */
	check_one("fresh maps: empty list", "10.1.2.3", XDP_PASS, R_PASS_NO_MATCH, NULL);

	for (i = 0; i < sizeof(allow_list) / sizeof(allow_list[0]); i++)
		if (!ok(fixture_allow(&fx, allow_list[i], true) == 0, "allowlist add %s", allow_list[i]))
			harness_bail("allowlist");

	run_cases();
	test_allow_edits();
	test_switch();

	fixture_teardown(&fx);
	return harness_done();
}
