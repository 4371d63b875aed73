/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structs and constants shared by the BPF programs and userspace.
 * Every layout here is part of the pinned-map ABI: a change means old
 * pins must be removed, so each struct is frozen with _Static_assert.
 */
#ifndef ANYXDP_H
#define ANYXDP_H

#include <linux/types.h>

#define ANYXDP_PIN_DIR_DEFAULT "/sys/fs/bpf/anyxdp"

/*
 * Why a packet got its verdict. Index into the per-CPU `stats` map.
 * Append only: the numbers are read by bpftool users and by old binaries.
 */
enum anyxdp_reason {
	R_PASS_NO_MATCH = 0,	/* parsed, source not on the blocklist */
	R_PASS_FRAGMENT,	/* non-first or first fragment, source not blocked */
	R_PASS_NOT_IP,		/* ARP, LLDP, MPLS, ... */
	R_PASS_TRUNCATED,	/* a header ends past the packet end */
	R_PASS_MALFORMED,	/* bad IP version or IPv4 header length */
	R_PASS_VLAN_DEPTH,	/* more than two VLAN tags */
	R_PASS_EXTHDR,		/* IPv6 extension chain too long or truncated */
	R_PASS_ALLOWLISTED,	/* on the blocklist, but the allowlist wins */
	R_PASS_NO_LIST,		/* no active blocklist maps (never loaded) */
	R_DROP_BLOCKLIST,	/* source on the blocklist */
	R_MAX,
};

#define ANYXDP_REASON_NAMES {						\
	[R_PASS_NO_MATCH] = "pass_no_match",				\
	[R_PASS_FRAGMENT] = "pass_fragment",				\
	[R_PASS_NOT_IP] = "pass_not_ip",				\
	[R_PASS_TRUNCATED] = "pass_truncated",				\
	[R_PASS_MALFORMED] = "pass_malformed",				\
	[R_PASS_VLAN_DEPTH] = "pass_vlan_depth",			\
	[R_PASS_EXTHDR] = "pass_exthdr",				\
	[R_PASS_ALLOWLISTED] = "pass_allowlisted",			\
	[R_PASS_NO_LIST] = "pass_no_list",				\
	[R_DROP_BLOCKLIST] = "drop_blocklist",				\
}

/* Packet and byte counter: the value of every per-CPU counter map. */
struct counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct counter) == 16, "counter size");

/*
 * Blocklist keys. The same layout serves as LPM trie key (prefixlen
 * first, as the trie requires) and as the hash key of the per-prefix
 * counter map, so bpftool prints the prefix as {prefixlen, addr[]}.
 */
struct bl_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};
_Static_assert(sizeof(struct bl_key4) == 8, "bl_key4 size");
_Static_assert(__builtin_offsetof(struct bl_key4, addr) == 4, "bl_key4 addr");

struct bl_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};
_Static_assert(sizeof(struct bl_key6) == 20, "bl_key6 size");
_Static_assert(__builtin_offsetof(struct bl_key6, addr) == 4, "bl_key6 addr");

/*
 * Filter bitmaps in front of the exact maps. Each is an array of u64
 * words holding 2^24 slots of two bits: "a host entry (/32, /128) lies
 * in this slot" and "a CIDR covers or lies in this slot". A clear bit
 * proves a miss, so clean traffic costs one array load.
 *   v4: slot = the /24.
 *   v6: slot = the /32, folded onto 24 bits (bl_filter.h).
 */
#define BL_FILTER_SLOT_BITS 24
#define BL_FILTER_WORDS ((1u << BL_FILTER_SLOT_BITS) / 32)
/*
 * After the filter words, a summary: one bit per group of 256 slots (an
 * IPv4 /16), set when any slot of the group is. It is 8 KiB and stays in
 * cache, so a miss in an empty /16 (most of the address space for real
 * lists) never touches the 4 MiB filter.
 */
#define BL_GROUP_SHIFT 8
#define BL_SUMMARY_WORDS ((1u << (BL_FILTER_SLOT_BITS - BL_GROUP_SHIFT)) / 64)
#define BL_FILTER_ARRAY (BL_FILTER_WORDS + BL_SUMMARY_WORDS)
#define BL_BIT_HOST 1u
#define BL_BIT_NET 2u

/* Which of the two A/B map sets is live, and what was loaded into it. */
struct bl_ctl {
	__u32 active;		/* 0 or 1: slot in every *_outer map */
	__u32 allow_v4;		/* allowlist sizes: 0 skips the lookup */
	__u32 allow_v6;
	__u32 pad;
	__u64 generation;	/* bumped on every switch */
	__u64 load_time_ns;	/* CLOCK_REALTIME of the switch */
	__u64 n_v4;		/* entries in the active set */
	__u64 n_v6;
	__u64 n_host;		/* of which /32 or /128 */
};
_Static_assert(sizeof(struct bl_ctl) == 56, "bl_ctl size");
_Static_assert(__builtin_offsetof(struct bl_ctl, generation) == 16, "bl_ctl generation");

/* Attachment bookkeeping, keyed by ifindex, for status and detach. */
enum anyxdp_attach_mode {
	ATTACH_NATIVE = 1,
	ATTACH_SKB = 2,
};

struct attach_info {
	char ifname[16];
	__u32 mode;		/* enum anyxdp_attach_mode */
	__u32 prog_id;
	__u32 multiprog;	/* 1: through the libxdp dispatcher */
	__u32 netns_ino;	/* ifindex is only meaningful in this netns */
	__u64 attach_time_ns;	/* CLOCK_REALTIME */
};
_Static_assert(sizeof(struct attach_info) == 40, "attach_info size");
_Static_assert(__builtin_offsetof(struct attach_info, attach_time_ns) == 32, "attach_info time");

#endif
