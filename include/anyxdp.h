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
	/* Steering (served destinations), appended for the next-hop map. */
	R_STEER_TC,		/* handed to the TC program: tunnel or neighbour */
	R_STEER_XDP,		/* redirected from XDP through the tx_ports devmap */
	R_PASS_NO_ROUTE,	/* served destination without a route */
	R_PASS_TTL,		/* TTL or hop limit <= 1: the kernel sends time exceeded */
	R_PASS_TOO_BIG,		/* over the next hop's MTU and not answered by us */
	R_TX_ICMP_TOO_BIG,	/* over the MTU: ICMP frag-needed or packet-too-big sent */
	R_PASS_IF_DOWN,		/* next-hop interface gone or down */
	R_PASS_NO_NEIGH,	/* Ethernet next hop without a FIB route */
	R_PASS_NO_META,		/* driver without XDP metadata: no TC hand-off */
	/* Events: counted besides a packet's verdict, never instead of it. */
	R_EV_TC_REDIRECT,	/* TC program found our metadata and redirected */
	R_EV_MSS_CLAMPED,	/* TCP SYN whose MSS option was lowered */
	/* Tunnel ingress (anyxdp_tun*): replies and transit leaving the tunnels. */
	R_TUN_RETURN,		/* source served: forwarded by its FIB route, no conntrack */
	R_TUN_RELAY,		/* destination served: forwarded on to its next tunnel */
	R_TUN_DROP_BLOCKLIST,	/* the far end (dst of a reply, src of transit) is listed */
	R_TUN_PASS_NOT_SERVED,	/* neither address served: Babel, the PoP's own traffic */
	R_TUN_PASS_NO_ROUTE,	/* no unicast FIB route (none, blackhole, unreachable, local) */
	R_TUN_PASS_FRAG_NEEDED,	/* over the out device's MTU: the kernel fragments or answers */
	R_TUN_PASS_TTL,		/* TTL or hop limit <= 1: the kernel sends time exceeded */
	R_TUN_PASS_FIB,		/* other FIB answers, e.g. forwarding off on the tunnel */
	R_TUN_PASS_HAIRPIN,	/* the route leads back into the tunnel it came from */
	R_TUN_PASS_MALFORMED,	/* not IP, truncated, lengths not fitting the frame, VLAN-tagged */
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
	[R_STEER_TC] = "steer_tc",					\
	[R_STEER_XDP] = "steer_xdp",					\
	[R_PASS_NO_ROUTE] = "pass_no_route",				\
	[R_PASS_TTL] = "pass_ttl",					\
	[R_PASS_TOO_BIG] = "pass_too_big",				\
	[R_TX_ICMP_TOO_BIG] = "tx_icmp_too_big",			\
	[R_PASS_IF_DOWN] = "pass_if_down",				\
	[R_PASS_NO_NEIGH] = "pass_no_neigh",				\
	[R_PASS_NO_META] = "pass_no_meta",				\
	[R_EV_TC_REDIRECT] = "event_tc_redirect",			\
	[R_EV_MSS_CLAMPED] = "event_mss_clamped",			\
	[R_TUN_RETURN] = "tun_return",					\
	[R_TUN_RELAY] = "tun_relay",					\
	[R_TUN_DROP_BLOCKLIST] = "tun_drop_blocklist",			\
	[R_TUN_PASS_NOT_SERVED] = "tun_pass_not_served",		\
	[R_TUN_PASS_NO_ROUTE] = "tun_pass_no_route",			\
	[R_TUN_PASS_FRAG_NEEDED] = "tun_pass_frag_needed",		\
	[R_TUN_PASS_TTL] = "tun_pass_ttl",				\
	[R_TUN_PASS_FIB] = "tun_pass_fib",				\
	[R_TUN_PASS_HAIRPIN] = "tun_pass_hairpin",			\
	[R_TUN_PASS_MALFORMED] = "tun_pass_malformed",			\
}

/* What each reason means for the packet; events are extra counts. */
enum anyxdp_verdict { V_PASS, V_DROP, V_STEER, V_TX, V_EVENT, V_FORWARD, V_MAX };
#define ANYXDP_VERDICT_NAMES { "pass", "drop", "steer", "tx", "event", "forward" }
static inline int anyxdp_reason_verdict(int r)
{
	switch (r) {
	case R_DROP_BLOCKLIST: case R_TUN_DROP_BLOCKLIST: return V_DROP;
	case R_STEER_TC: case R_STEER_XDP: return V_STEER;
	case R_TUN_RETURN: case R_TUN_RELAY: return V_FORWARD;
	case R_TX_ICMP_TOO_BIG: return V_TX;
	case R_EV_TC_REDIRECT: case R_EV_MSS_CLAMPED: return V_EVENT;
	default: return V_PASS;
	}
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

/* Which of the two A/B map sets is live, and what was loaded into it;
 * also whether anything is served (the one control word XDP reads). */
struct bl_ctl {
	__u32 active;		/* 0 or 1: slot in every *_outer map */
	__u32 allow_v4;		/* allowlist sizes: 0 skips the lookup */
	__u32 allow_v6;
	__u32 n_steer;		/* entries in steer_v4 + steer_v6: 0 skips that lookup */
	__u64 generation;	/* bumped on every switch */
	__u64 load_time_ns;	/* CLOCK_REALTIME of the switch */
	__u64 n_v4;		/* entries in the active set */
	__u64 n_v6;
	__u64 n_host;		/* of which /32 or /128 */
};
_Static_assert(sizeof(struct bl_ctl) == 56, "bl_ctl size");
_Static_assert(__builtin_offsetof(struct bl_ctl, generation) == 16, "bl_ctl generation");

/*
 * Source lists (userspace only; no program reads them). Each entry of a
 * list carries a mask of the source lists it came from, bit i naming
 * name[i] of its slot's bl_src_slot (the bl_sources map, one per A/B
 * slot). Entries on the default list alone, the usual case, are stored
 * nowhere else; every other entry's mask is in the slot's bl_member_N
 * hash (a bl_member_key -> __u32 mask map, pinned by user/blset.c).
 * user/blset.h spells the two limits the same way.
 */
#define BL_SOURCES_MAX 16
#define BL_SOURCE_NAME_LEN 48

struct bl_src_slot {
	__u64 generation;	/* bl_ctl.generation this describes; any other: stale */
	__u32 version;		/* bumped when a load renames the lists of the same entries */
	__u16 n;		/* source lists, at most BL_SOURCES_MAX */
	__u16 dflt;		/* the default list: the one with the most entries */
	__u64 members;		/* entries in bl_member_N (mask other than 1 << dflt) */
	__u64 entries[BL_SOURCES_MAX];
	char name[BL_SOURCES_MAX][BL_SOURCE_NAME_LEN];
};
_Static_assert(sizeof(struct bl_src_slot) == 920, "bl_src_slot size");
_Static_assert(__builtin_offsetof(struct bl_src_slot, n) == 12, "bl_src_slot n");
_Static_assert(__builtin_offsetof(struct bl_src_slot, entries) == 24, "bl_src_slot entries");
_Static_assert(__builtin_offsetof(struct bl_src_slot, name) == 152, "bl_src_slot name");

struct bl_member_key {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 plen;
	__u8 pad[2];		/* zero */
	__u8 addr[16];		/* network byte order; IPv4 in addr[0..3], rest zero */
};
_Static_assert(sizeof(struct bl_member_key) == 20, "bl_member_key size");
_Static_assert(__builtin_offsetof(struct bl_member_key, addr) == 4, "bl_member_key addr");

/* Attachment bookkeeping, keyed by ifindex, for status and detach. */
enum anyxdp_attach_mode {
	ATTACH_NATIVE = 1,
	ATTACH_SKB = 2,
	ATTACH_TUN_L3 = 3,	/* tunnel program, L3 device (anyxdp_tun) */
	ATTACH_TUN_ETH = 4,	/* tunnel program, Ethernet device (anyxdp_tun_eth) */
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


/* ---- Steering: served prefixes and the next-hop map ---- */

/*
 * Per-prefix steering counters, the value of the steer_stats_v4/v6
 * per-CPU hashes (keyed like the tries, by bl_key4/bl_key6). Named
 * fields so bpftool prints them; BPF indexes them with enum steer_counter.
 */
enum steer_counter {
	SC_STEERED = 0,
	SC_PASS_NO_ROUTE,
	SC_PASS_TTL,
	SC_PASS_TOO_BIG,
	SC_PASS_IF_DOWN,
	SC_PASS_NO_NEIGH,
	SC_ICMP_TOO_BIG,
	SC_DROP_BLOCKLIST,
	SC_MAX,
};
#define STEER_COUNTER_NAMES { "steered", "pass_no_route", "pass_ttl",	\
	"pass_too_big", "pass_if_down", "pass_no_neigh", "icmp_too_big",	\
	"drop_blocklist" }

struct steer_stats {
	struct counter steered;
	struct counter pass_no_route;
	struct counter pass_ttl;
	struct counter pass_too_big;
	struct counter pass_if_down;
	struct counter pass_no_neigh;
	struct counter icmp_too_big;
	struct counter drop_blocklist;
};
_Static_assert(sizeof(struct steer_stats) == SC_MAX * 16, "steer_stats size");
_Static_assert(__builtin_offsetof(struct steer_stats, drop_blocklist) == SC_DROP_BLOCKLIST * 16,
	       "steer_stats order");

enum nh_kind {
	NH_NONE = 0,
	NH_TUNNEL = 1,		/* L3 device (WireGuard, TUN): TC bpf_redirect */
	NH_ETHER = 2,		/* Ethernet: XDP redirect through tx_ports */
};
enum route_origin {
	ORIGIN_STATIC = 0,	/* anyxdp route add, the config file */
	ORIGIN_LEARNED = 1,	/* anyxdp sync (Babel) */
	ORIGIN_MAX,
};
#define NH_F_DOWN 1u		/* interface down or gone, as userspace last saw it */
#define NH_F_KIND_SET 2u	/* kind chosen by the operator: refresh keeps it */

/* One next hop. ifindex 0: none of this origin. */
struct nexthop {
	__u32 ifindex;
	__u16 mtu;		/* 0: the interface's own MTU */
	__u8 kind;		/* enum nh_kind */
	__u8 via_family;	/* 0 (none), AF_INET or AF_INET6 */
	__u32 metric;
	__u32 flags;		/* NH_F_* */
	__u8 via[16];		/* next-hop address; IPv4 in the first 4 bytes */
	char ifname[16];	/* resolved again when the interface comes back */
};
_Static_assert(sizeof(struct nexthop) == 48, "nexthop size");
_Static_assert(__builtin_offsetof(struct nexthop, via) == 16, "nexthop via");
_Static_assert(__builtin_offsetof(struct nexthop, ifname) == 32, "nexthop ifname");

/*
 * Value of the steer_v4/steer_v6 LPM tries. One trie holds the served
 * prefixes (STEER_SERVED) and the routes inside them, so one lookup
 * answers both "is this ours" and "where does it go".
 */
#define STEER_SERVED 1u

/*
 * What a FIB lookup said about the active next hop, kept in the route
 * for a few jiffies: the lookup costs more than the rest of the
 * forwarding path. Written by BPF only; userspace writes it zeroed.
 */
struct nh_cache {
	__u64 expires;		/* jiffies64; stale from then on */
	__u32 ifindex;		/* the next hop it is about */
	__u16 mtu;
	__u8 dmac[6];		/* Ethernet next hops */
	__u8 smac[6];
	__u16 pad;
};
_Static_assert(sizeof(struct nh_cache) == 32, "nh_cache size");

struct steer_val {
	struct nexthop nh[ORIGIN_MAX];	/* static wins over learned */
	__u32 flags;		/* STEER_SERVED */
	__u32 prefixlen;	/* this entry's own length (LPM does not say) */
	__u32 served_len;	/* length of the served prefix holding it */
	__u32 pad;
	struct nh_cache cache;	/* last, so userspace compares what precedes it */
};
_Static_assert(sizeof(struct steer_val) == 144, "steer_val size");
_Static_assert(__builtin_offsetof(struct steer_val, flags) == 96, "steer_val flags");
_Static_assert(__builtin_offsetof(struct steer_val, cache) == 112, "steer_val cache");

/*
 * XDP -> TC hand-off, in the XDP metadata area in front of the packet
 * (bpf_xdp_adjust_meta). L3 devices have no XDP transmit, so the TC
 * ingress program on the same uplink does the bpf_redirect().
 */
#define STEER_META_MAGIC 0xa4d5e7e1u
#define META_F_NEIGH 1u		/* bpf_redirect_neigh to `via` (Ethernet, no neighbour yet) */
struct steer_meta {
	__u32 magic;
	__u32 ifindex;
	__u8 flags;
	__u8 via_family;
	__u16 mss;		/* clamp a TCP SYN's MSS to this; 0: leave it */
	__u8 via[16];
};
_Static_assert(sizeof(struct steer_meta) == 28, "steer_meta size");

/* Token bucket for ICMP too-big answers, per CPU. */
struct icmp_bucket {
	__u64 last_ns;
	__u64 tokens;
};
_Static_assert(sizeof(struct icmp_bucket) == 16, "icmp_bucket size");

/* ---- Tunnel ingress: the conntrack-free return path ---- */

/*
 * Per served prefix counters of the tunnel programs, the value of the
 * tun_stats_v4/v6 per-CPU hashes, keyed by the served prefix (bl_key4/6).
 * "returned": source served, out by the FIB route; "relayed": destination
 * served, on to its next hop. BPF indexes them with enum tun_counter.
 */
enum tun_counter {
	TSC_RETURNED = 0,
	TSC_RELAYED,
	TSC_DROP_BLOCKLIST,
	TSC_PASS_NO_ROUTE,
	TSC_PASS_FRAG_NEEDED,
	TSC_PASS_TTL,
	TSC_PASS_OTHER,		/* FIB refused, hairpin */
	TSC_MAX,
};
#define TUN_COUNTER_NAMES { "returned", "relayed", "drop_blocklist",	\
	"pass_no_route", "pass_frag_needed", "pass_ttl", "pass_other" }

struct tun_stats {
	struct counter returned;
	struct counter relayed;
	struct counter drop_blocklist;
	struct counter pass_no_route;
	struct counter pass_frag_needed;
	struct counter pass_ttl;
	struct counter pass_other;
};
_Static_assert(sizeof(struct tun_stats) == TSC_MAX * 16, "tun_stats size");
_Static_assert(__builtin_offsetof(struct tun_stats, pass_other) == TSC_PASS_OTHER * 16,
	       "tun_stats order");

/* The interface globs of `anyxdp attach --tunnels`, for `anyxdp sync`
 * to attach the tunnel program to tunnels that appear later. */
struct tun_cfg {
	char globs[240];	/* "wg-*,tun*", NUL-terminated; empty: none */
	__u64 set_time_ns;	/* CLOCK_REALTIME */
	__u64 pad;
};
_Static_assert(sizeof(struct tun_cfg) == 256, "tun_cfg size");

/* ---- Route sync (anyxdp sync): its state, for status and bpftool ----
 * Userspace only; kept in pinned maps so `anyxdp sync status`, bpftool
 * and monitoring read the same thing from outside the process. */

/* Why a route the routing daemon selected is not used. Append only. */
enum sync_ignore {
	SYNC_IGN_NONE = 0,
	SYNC_IGN_SOURCE_SPECIFIC,	/* `from` is not the default route */
	SYNC_IGN_IFACE,			/* interface not allowed by --iface */
	SYNC_IGN_NO_IFACE,		/* interface does not exist here */
	SYNC_IGN_NOT_SERVED,		/* prefix lies in no served prefix */
	SYNC_IGN_MAP_ERROR,		/* the map refused it (full?) */
	SYNC_IGN_MAX,
};
#define SYNC_IGN_SLOTS 8

enum sync_state {
	SYNC_STOPPED = 0,	/* no process (or it exited) */
	SYNC_CONNECTING,	/* no session yet; no routes learned in this run */
	SYNC_DUMPING,		/* session up, reading the daemon's table */
	SYNC_RUNNING,		/* following changes */
	SYNC_GRACE,		/* session lost: routes kept until grace_until_ns */
};

enum sync_source_kind { SYNC_SRC_BABELD = 1, SYNC_SRC_NETLINK = 2 };

struct sync_status {
	__u32 pid;
	__u32 state;		/* enum sync_state */
	__u32 source;		/* enum sync_source_kind */
	__u32 routes;		/* learned next hops this process has in the map */
	__u32 stale;		/* of those, kept from before a reconnect or restart */
	__u32 rib_routes;	/* routes the daemon told about */
	__u32 ignored[SYNC_IGN_SLOTS];	/* selected routes not used now, by reason */
	__u64 started_ns;	/* CLOCK_REALTIME, for all *_ns */
	__u64 connected_ns;	/* 0 while not connected */
	__u64 last_update_ns;	/* last change written to the map */
	__u64 grace_until_ns;	/* SYNC_GRACE: when the stale routes go */
	__u64 lines;		/* lines (babeld) or messages (netlink) read */
	__u64 malformed;	/* lines skipped as malformed */
	__u64 updates;		/* next-hop changes written */
	__u64 reconnects;
	__u64 errors;		/* map writes that failed */
	__u32 lat_p50_us;	/* line read -> map updated */
	__u32 lat_p99_us;
	__u32 lat_max_us;
	__u32 pad;
	char source_name[64];	/* "babeld [::1]:33123", "netlink proto babel" */
};
_Static_assert(sizeof(struct sync_status) == 208, "sync_status size");
_Static_assert(__builtin_offsetof(struct sync_status, started_ns) == 56, "sync_status started");
_Static_assert(__builtin_offsetof(struct sync_status, source_name) == 144, "sync_status name");

/* A selected route the sync ignores, and why. */
struct sync_ignored_key {
	__u8 family;
	__u8 prefixlen;
	__u8 from_len;		/* source-specific routes: length of `from` */
	__u8 pad;
	__u8 addr[16];
	__u8 from[16];
	char ifname[16];
};
_Static_assert(sizeof(struct sync_ignored_key) == 52, "sync_ignored_key size");

struct sync_ignored_val {
	__u32 reason;		/* enum sync_ignore */
	__u32 metric;
	__u8 via_family;
	__u8 pad[7];
	__u8 via[16];
	__u64 since_ns;		/* CLOCK_REALTIME */
};
_Static_assert(sizeof(struct sync_ignored_val) == 40, "sync_ignored_val size");
_Static_assert(__builtin_offsetof(struct sync_ignored_val, since_ns) == 32, "sync_ignored_val since");

#endif
