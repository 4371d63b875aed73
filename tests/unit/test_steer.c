// SPDX-License-Identifier: GPL-2.0
/*
 * Steering decisions of the uplink program, table-driven through
 * bpf_prog_test_run_opts: {description, packet, expected action and
 * reason, expected output packet, expected per-prefix counter}.
 *
 * The test runs in a private network namespace holding the next hops:
 * a TUN device (an L3 tunnel, as WireGuard is) with a link-local
 * address, and a veth pair with a permanent neighbour (an Ethernet next
 * hop). test_run executes the program against that namespace, so
 * bpf_check_mtu() and bpf_fib_lookup() see these devices.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include "harness.h"
#include "pkt.h"

/* The case tables name only the fields that matter for each case. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define TUN "axt-tun0"
#define ETH "axt-eth0"
#define ETH_PEER "axt-eth1"
#define TUN_MTU 1420
#define META_LEN ((int)sizeof(struct steer_meta))
#define ETH_MAC "02:00:00:00:00:01"
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t eth_mac[6] = { 2, 0, 0, 0, 0, 1 };

static struct fixture F;
static int tun_ifindex, eth_ifindex;

/* ---- namespace with the next-hop devices ---- */

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		diag("command failed (%d): %s", rc, cmd);
	return rc;
}

/* A TUN device stays up (carrier on) while we hold its fd. */
static int tun_open(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int netns_setup(void)
{
	if (unshare(CLONE_NEWNET)) {
		diag("unshare(CLONE_NEWNET): %s", strerror(errno));
		return -errno;
	}
	if (tun_open(TUN) < 0)
		return -ENODEV;
	/* bpf_fib_lookup() answers only for devices that forward. */
	if (sh("ip link set lo up") ||
	    sh("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1") ||
	    sh("ip link set " TUN " mtu 1420 up") ||
	    sh("ip -6 addr add fe80::1/64 dev " TUN " nodad") ||
	    sh("ip -6 addr add 2001:db8:aa::1/64 dev " TUN " nodad") ||
	    sh("ip link add " ETH " address " ETH_MAC " type veth peer name " ETH_PEER) ||
	    sh("ip link set " ETH " up && ip link set " ETH_PEER " up") ||
	    sh("ip addr add 10.9.0.1/24 dev " ETH) ||
	    sh("ip neigh replace 10.9.0.2 lladdr 02:00:00:00:00:02 nud permanent dev " ETH))
		return -EIO;
	tun_ifindex = if_nametoindex(TUN);
	eth_ifindex = if_nametoindex(ETH);
	return tun_ifindex && eth_ifindex ? 0 : -ENODEV;
}

/* ---- routes, written straight into the maps ---- */

struct route_spec {
	const char *prefix;	/* "198.51.100.0/27" */
	bool served;
	int served_len;		/* of the enclosing served prefix */
	int ifindex;		/* 0: served prefix without next hop */
	int kind;
	const char *via;
	__u16 mtu;
	__u32 flags;
	int learned_ifindex;	/* also a learned next hop on this device */
};

static int route_key(const char *prefix, void *key, int *v6)
{
	char buf[64], *slash;
	uint8_t addr[16];
	int fam, len;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	len = atoi(slash + 1);
	fam = pkt_addr(buf, addr);
	*v6 = fam == AF_INET6;
	if (*v6) {
		struct bl_key6 *k = key;

		k->prefixlen = len;
		memcpy(k->addr, addr, 16);
	} else {
		struct bl_key4 *k = key;

		k->prefixlen = len;
		memcpy(k->addr, addr, 4);
	}
	return 0;
}

static int route_put(const struct route_spec *r)
{
	struct steer_stats zero[256] = {};
	struct steer_val v = {};
	struct nexthop *nh = &v.nh[ORIGIN_STATIC];
	uint8_t key[sizeof(struct bl_key6)] = {};
	int v6, fd, sfd;

	if (route_key(r->prefix, key, &v6))
		return -EINVAL;
	v.flags = r->served ? STEER_SERVED : 0;
	v.prefixlen = ((struct bl_key4 *)key)->prefixlen;
	v.served_len = r->served ? v.prefixlen : (__u32)r->served_len;
	if (r->ifindex) {
		nh->ifindex = r->ifindex;
		nh->kind = r->kind;
		nh->mtu = r->mtu;
		nh->flags = r->flags;
		if (r->via)
			nh->via_family = pkt_addr(r->via, nh->via);
	}
	if (r->learned_ifindex) {
		v.nh[ORIGIN_LEARNED].ifindex = r->learned_ifindex;
		v.nh[ORIGIN_LEARNED].kind = NH_TUNNEL;
	}
	fd = bpf_map__fd(v6 ? F.skel->maps.steer_v6 : F.skel->maps.steer_v4);
	sfd = bpf_map__fd(v6 ? F.skel->maps.steer_stats_v6 : F.skel->maps.steer_stats_v4);
	if (bpf_map_update_elem(sfd, key, zero, BPF_ANY) ||
	    bpf_map_update_elem(fd, key, &v, BPF_ANY))
		return -errno;
	return 0;
}

static int route_counter(const char *prefix, int sc, struct counter *out)
{
	uint8_t key[sizeof(struct bl_key6)] = {};
	struct steer_stats per[256];
	int v6, i, fd;

	memset(out, 0, sizeof(*out));
	if (route_key(prefix, key, &v6))
		return -EINVAL;
	fd = bpf_map__fd(v6 ? F.skel->maps.steer_stats_v6 : F.skel->maps.steer_stats_v4);
	if (bpf_map_lookup_elem(fd, key, per))
		return -errno;
	for (i = 0; i < F.m.ncpus; i++) {
		out->packets += ((struct counter *)&per[i])[sc].packets;
		out->bytes += ((struct counter *)&per[i])[sc].bytes;
	}
	return 0;
}

#define GONE_IFINDEX 99999

static int routes_setup(void)
{
	const struct route_spec routes[] = {
		{ "198.51.100.0/24", .served = true },
		{ "198.51.100.0/27", .served_len = 24, .ifindex = -1, .kind = NH_TUNNEL,
		  .via = "fe80::2" },
		{ "198.51.100.64/27", .served_len = 24, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.2" },
		{ "198.51.100.96/27", .served_len = 24, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.3" },
		{ "198.51.100.128/27", .served_len = 24, .ifindex = GONE_IFINDEX,
		  .kind = NH_TUNNEL },
		{ "198.51.100.160/27", .served_len = 24, .ifindex = -1, .kind = NH_TUNNEL,
		  .flags = NH_F_DOWN },
		{ "198.51.100.192/28", .served_len = 24, .ifindex = -1, .kind = NH_TUNNEL,
		  .mtu = 1300 },
		{ "198.51.100.176/28", .served_len = 24, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.2", .flags = NH_F_DOWN, .learned_ifindex = -1 },
		{ "198.51.100.200/32", .served_len = 24, .ifindex = -1, .kind = NH_TUNNEL,
		  .via = "2001:db8:ffff::1" },	/* no FIB route through the tunnel */
		{ "198.51.100.208/32", .served_len = 24, .ifindex = -1, .kind = NH_TUNNEL,
		  .via = "2001:db8:aa::2" },	/* routed through the tunnel */
		{ "198.51.100.80/28", .served_len = 24, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.2", .mtu = 1400 },
		{ "2001:db8:100::/48", .served = true },
		{ "2001:db8:100:3::/64", .served_len = 48, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.2", .mtu = 1400 },
		{ "2001:db8:100:1::/64", .served_len = 48, .ifindex = -1, .kind = NH_TUNNEL,
		  .via = "fe80::2" },
		{ "2001:db8:100:2::/64", .served_len = 48, .ifindex = -2, .kind = NH_ETHER,
		  .via = "10.9.0.2" },
	};
	struct bpf_devmap_val dv = { .ifindex = eth_ifindex };
	__u32 k = eth_ifindex;
	size_t i;

	if (bpf_map_update_elem(bpf_map__fd(F.skel->maps.tx_ports), &k, &dv, BPF_ANY)) {
		diag("tx_ports: %s", strerror(errno));
		return -errno;
	}
	{
		/* What steer_commit() does: tell XDP something is served. */
		struct bl_ctl c;

		if (ctl_read(&F.m, &c))
			return -EIO;
		c.n_steer = sizeof(routes) / sizeof(routes[0]);
		if (ctl_write(&F.m, &c))
			return -EIO;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct route_spec r = routes[i];

		if (r.learned_ifindex == -1)
			r.learned_ifindex = tun_ifindex;
		if (r.ifindex == -1)
			r.ifindex = tun_ifindex;
		else if (r.ifindex == -2)
			r.ifindex = eth_ifindex;
		if (route_put(&r)) {
			diag("route %s: %s", r.prefix, strerror(errno));
			return -EIO;
		}
	}
	return 0;
}

/* ---- packets ---- */

enum tcp_opts { TCP_NONE, TCP_MSS_FIRST, TCP_MSS_ODD, TCP_MSS_LOW, TCP_ACK_MSS };

struct pkt_case {
	const char *desc;
	const char *src, *dst;
	int nvlan;
	int ttl;
	uint16_t frag;		/* IPv4 flags/offset */
	int size;		/* total L3 length wanted, 0: small */
	enum tcp_opts tcp;
};

/* TCP with an options block patched into the builder's SYN. */
static size_t build(const struct pkt_case *c, uint8_t *buf, struct pkt_layout *lo)
{
	struct pkt_spec s = pkt_spec_addrs(c->src, c->dst);
	size_t hdr, len;

	s.nvlan = c->nvlan;
	s.ttl = c->ttl;
	s.frag = c->frag;
	s.proto = c->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	hdr = (s.family == AF_INET ? 20 : 40) + (c->tcp ? 20 : 8);
	s.payload_len = c->size > (int)hdr ? c->size - hdr : (c->tcp ? 8 : 32);
	len = pkt_build(buf, PKT_MAX_LEN, &s, lo);
	if (len && c->tcp) {
		static const uint8_t first[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
		static const uint8_t odd[8] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 0 };
		static const uint8_t low[8] = { 2, 4, 0x04, 0xb0, 1, 1, 1, 0 };
		uint8_t *th = buf + lo->l4_off, *ip = buf + lo->l2_len;
		uint32_t pseudo = 0;
		size_t l4len = len - lo->l4_off, i;

		memcpy(th + 20, c->tcp == TCP_MSS_ODD ? odd : c->tcp == TCP_MSS_LOW ? low : first, 8);
		th[12] = 7 << 4;
		if (c->tcp == TCP_ACK_MSS)
			th[13] = 0x10;
		if (s.family == AF_INET) {
			for (i = 12; i < 20; i += 2)
				pseudo += pkt_get16(ip + i);
		} else {
			for (i = 8; i < 40; i += 2)
				pseudo += pkt_get16(ip + i);
		}
		pseudo += IPPROTO_TCP + (uint32_t)l4len;
		pkt_l4_csum(th, l4len, IPPROTO_TCP, pseudo);
	}
	return len;
}

/* ---- expected results ---- */

enum out_kind {
	OUT_SAME,	/* passed unchanged */
	OUT_TC,		/* metadata + frame with TTL-1 and tags popped */
	OUT_TC_NEIGH,	/* the same, flagged for bpf_redirect_neigh */
	OUT_XDP,	/* frame with next hop MACs, TTL-1, tags popped */
	OUT_ICMP,	/* ICMP too-big answer */
	OUT_NONE,	/* dropped: no check */
};

struct steer_case {
	struct pkt_case p;
	__u32 act;
	int reason;
	enum out_kind out;
	const char *route;	/* per-prefix counter expected to move */
	int sc;
	int want_mtu;		/* OUT_ICMP */
	int want_mss;		/* 0: MSS option untouched */
	int event;		/* extra reason counted, or -1 */
};

static uint32_t sum_range(const uint8_t *p, size_t from, size_t to)
{
	uint32_t s = 0;
	size_t i;

	for (i = from; i < to; i += 2)
		s += pkt_get16(p + i);
	return s;
}

/* 0 when the L4 checksum over the pseudo-header verifies. */
static int l4_csum_ok(const uint8_t *ip, size_t l3len, bool v6, uint8_t proto, size_t l4off)
{
	uint32_t pseudo = v6 ? sum_range(ip, 8, 40) : sum_range(ip, 12, 20);
	size_t l4len = l3len - l4off;

	if (!(proto == IPPROTO_ICMP && !v6))
		pseudo += proto + (uint32_t)l4len;
	return pkt_csum(ip + l4off, l4len, pseudo) == 0;
}

static int mss_of(const uint8_t *th)
{
	size_t i, optlen = (th[12] >> 4) * 4 - 20;

	for (i = 0; i < optlen;) {
		const uint8_t *o = th + 20 + i;

		if (o[0] == 0)
			break;
		if (o[0] == 1) {
			i++;
			continue;
		}
		if (o[0] == 2)
			return pkt_get16(o + 2);
		i += o[1] ? o[1] : 1;
	}
	return -1;
}

/* The frame as it should leave: tags gone, TTL one less. */
static bool frame_ok(const struct steer_case *c, const uint8_t *in, const struct pkt_layout *lo,
		     const uint8_t *frame, size_t flen, bool macs)
{
	bool v6 = strchr(c->p.dst, ':') != NULL;
	const uint8_t *ip = frame + 14, *oip = in + lo->l2_len;
	size_t l3len = lo->len - lo->l2_len;
	bool good = true;

	good &= okq(flen == 14 + l3len, "%s: frame length %zu (want %zu)", c->p.desc, flen,
		    14 + l3len);
	if (flen != 14 + l3len)
		return false;
	good &= okq(pkt_get16(frame + 12) == (v6 ? 0x86DD : 0x0800), "%s: ethertype without tags",
		    c->p.desc);
	if (macs) {
		good &= okq(!memcmp(frame, peer_mac, 6), "%s: destination MAC is the neighbour's",
			    c->p.desc);
		good &= okq(!memcmp(frame + 6, eth_mac, 6), "%s: source MAC is the next hop device's",
			    c->p.desc);
	} else {
		good &= okq(!memcmp(frame, in, 12), "%s: MACs kept", c->p.desc);
	}
	if (v6) {
		good &= okq(ip[7] == oip[7] - 1, "%s: hop limit %d -> %d", c->p.desc, oip[7], ip[7]);
	} else {
		good &= okq(ip[8] == oip[8] - 1, "%s: TTL %d -> %d", c->p.desc, oip[8], ip[8]);
		good &= okq(pkt_csum(ip, 20, 0) == 0, "%s: IPv4 checksum valid (in %04x out %04x, %04x -> %04x)",
			    c->p.desc, pkt_csum(oip, 20, 0), pkt_csum(ip, 20, 0), pkt_get16(oip + 10), pkt_get16(ip + 10));
	}
	if (c->p.tcp) {
		size_t l4 = lo->l4_off - lo->l2_len;
		int mss = mss_of(ip + l4);

		good &= okq(l4_csum_ok(ip, l3len, v6, IPPROTO_TCP, l4), "%s: TCP checksum valid",
			    c->p.desc);
		if (c->want_mss)
			good &= okq(mss == c->want_mss, "%s: MSS %d (want %d)", c->p.desc, mss,
				    c->want_mss);
		else
			good &= okq(mss == mss_of(oip + l4), "%s: MSS untouched (%d)", c->p.desc, mss);
		/* Everything else byte for byte: only TTL, checksums, MSS moved. */
	} else {
		size_t skip = v6 ? 8 : 12;

		good &= okq(!memcmp(ip + skip, oip + skip, l3len - skip),
			    "%s: rest of the packet unchanged", c->p.desc);
	}
	return good;
}

/* TC clamps the MSS of tunnel-bound TCP; XDP says to what. */
static int meta_mss_want(const struct steer_case *c)
{
	bool v6 = strchr(c->p.dst, ':') != NULL;

	if (!c->p.tcp || c->p.tcp == TCP_ACK_MSS)
		return 0;	/* only SYNs are worth TC's look */
	if (c->out == OUT_TC_NEIGH)
		return 1460;
	return TUN_MTU - (v6 ? 60 : 40);
}

static bool meta_ok(const struct steer_case *c, const uint8_t *out, bool neigh)
{
	struct steer_meta m;
	bool good = true;

	memcpy(&m, out, sizeof(m));
	good &= okq(m.magic == STEER_META_MAGIC, "%s: metadata magic", c->p.desc);
	good &= okq((int)m.ifindex == (neigh ? eth_ifindex : tun_ifindex),
		    "%s: metadata ifindex %u", c->p.desc, m.ifindex);
	good &= okq(!!(m.flags & META_F_NEIGH) == neigh, "%s: neighbour flag %s", c->p.desc,
		    neigh ? "set" : "clear");
	good &= okq(m.mss == meta_mss_want(c), "%s: metadata asks TC to clamp MSS to %u",
		    c->p.desc, m.mss);
	return good;
}

static bool icmp_ok(const struct steer_case *c, const uint8_t *in, const struct pkt_layout *lo,
		    const uint8_t *out, size_t olen)
{
	bool v6 = strchr(c->p.dst, ':') != NULL;
	size_t l2 = lo->l2_len, hl = v6 ? 40 : 20, quote = v6 ? 1024 : 512;
	const uint8_t *ip = out + l2, *oip = in + l2;
	const uint8_t *icmp = ip + hl;
	bool good = true;

	good &= okq(olen == l2 + hl + 8 + quote, "%s: answer length %zu", c->p.desc, olen);
	if (olen != l2 + hl + 8 + quote)
		return false;
	good &= okq(!memcmp(out, in + 6, 6) && !memcmp(out + 6, in, 6), "%s: MACs swapped",
		    c->p.desc);
	good &= okq(!memcmp(out + 12, in + 12, l2 - 12), "%s: VLAN tags kept", c->p.desc);
	if (v6) {
		good &= okq(!memcmp(ip + 8, oip + 24, 16) && !memcmp(ip + 24, oip + 8, 16),
			    "%s: addresses swapped", c->p.desc);
		good &= okq(ip[6] == IPPROTO_ICMPV6 && icmp[0] == 2 && icmp[1] == 0,
			    "%s: ICMPv6 packet too big", c->p.desc);
		good &= okq(pkt_get16(icmp + 6) == c->want_mtu && pkt_get16(icmp + 4) == 0,
			    "%s: MTU %d", c->p.desc, c->want_mtu);
		good &= okq(l4_csum_ok(ip, hl + 8 + quote, true, IPPROTO_ICMPV6, 40),
			    "%s: ICMPv6 checksum valid", c->p.desc);
	} else {
		good &= okq(!memcmp(ip + 12, oip + 16, 4) && !memcmp(ip + 16, oip + 12, 4),
			    "%s: addresses swapped", c->p.desc);
		good &= okq(pkt_csum(ip, 20, 0) == 0 && pkt_get16(ip + 2) == 20 + 8 + quote,
			    "%s: IPv4 header valid", c->p.desc);
		good &= okq(ip[9] == IPPROTO_ICMP && icmp[0] == 3 && icmp[1] == 4,
			    "%s: ICMP fragmentation needed", c->p.desc);
		good &= okq(pkt_get16(icmp + 6) == c->want_mtu, "%s: MTU %d", c->p.desc,
			    c->want_mtu);
		good &= okq(pkt_csum(icmp, 8 + quote, 0) == 0, "%s: ICMP checksum valid",
			    c->p.desc);
	}
	good &= okq(!memcmp(icmp + 8, oip, quote), "%s: quotes the original packet", c->p.desc);
	return good;
}

static const struct steer_case cases[] = {
	{ { "v4 UDP to a tunnel route", "203.0.113.7", "198.51.100.5" },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v6 UDP to a tunnel route", "2001:db8:c::7", "2001:db8:100:1::5" },
	  XDP_PASS, R_STEER_TC, OUT_TC, "2001:db8:100:1::/64", SC_STEERED, .event = -1 },
	{ { "v4 with one VLAN tag: tag popped", "203.0.113.7", "198.51.100.6", .nvlan = 1 },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v6 with QinQ tags: both popped", "2001:db8:c::7", "2001:db8:100:1::6", .nvlan = 2 },
	  XDP_PASS, R_STEER_TC, OUT_TC, "2001:db8:100:1::/64", SC_STEERED, .event = -1 },
	{ { "v4 non-first fragment: steered by address", "203.0.113.7", "198.51.100.7",
	    .frag = 100 },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v4 TTL 1: the kernel answers time exceeded", "203.0.113.7", "198.51.100.5",
	    .ttl = 1 },
	  XDP_PASS, R_PASS_TTL, OUT_SAME, "198.51.100.0/27", SC_PASS_TTL, .event = -1 },
	{ { "v6 hop limit 1", "2001:db8:c::7", "2001:db8:100:1::5", .ttl = 1 },
	  XDP_PASS, R_PASS_TTL, OUT_SAME, "2001:db8:100:1::/64", SC_PASS_TTL, .event = -1 },
	{ { "served address without a route", "203.0.113.7", "198.51.100.230" },
	  XDP_PASS, R_PASS_NO_ROUTE, OUT_SAME, "198.51.100.0/24", SC_PASS_NO_ROUTE, .event = -1 },
	{ { "v6 served address without a route", "2001:db8:c::7", "2001:db8:100:9::1" },
	  XDP_PASS, R_PASS_NO_ROUTE, OUT_SAME, "2001:db8:100::/48", SC_PASS_NO_ROUTE,
	  .event = -1 },
	{ { "not served: untouched", "203.0.113.7", "192.0.2.80" },
	  XDP_PASS, R_PASS_NO_MATCH, OUT_SAME, NULL, 0, .event = -1 },
	{ { "next-hop interface gone", "203.0.113.7", "198.51.100.130" },
	  XDP_PASS, R_PASS_IF_DOWN, OUT_SAME, "198.51.100.128/27", SC_PASS_IF_DOWN, .event = -1 },
	{ { "next-hop interface marked down", "203.0.113.7", "198.51.100.170" },
	  XDP_PASS, R_PASS_IF_DOWN, OUT_SAME, "198.51.100.160/27", SC_PASS_IF_DOWN, .event = -1 },
	{ { "tunnel via an address it has no route to", "203.0.113.7", "198.51.100.200" },
	  XDP_PASS, R_PASS_IF_DOWN, OUT_SAME, "198.51.100.200/32", SC_PASS_IF_DOWN, .event = -1 },
	{ { "static next hop down: the learned one (a tunnel) takes over", "203.0.113.7",
	    "198.51.100.180" },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.176/28", SC_STEERED, .event = -1 },
	{ { "tunnel via a global address it routes: steered", "203.0.113.7", "198.51.100.208" },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.208/32", SC_STEERED, .event = -1 },
	{ { "v4 to an Ethernet next hop: XDP redirect", "203.0.113.7", "198.51.100.70" },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "198.51.100.64/27", SC_STEERED, .event = -1 },
	{ { "v6 to an Ethernet next hop, tagged", "2001:db8:c::7", "2001:db8:100:2::1",
	    .nvlan = 1 },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "2001:db8:100:2::/64", SC_STEERED, .event = -1 },
	{ { "Ethernet next hop without a neighbour: TC redirect_neigh", "203.0.113.7",
	    "198.51.100.100" },
	  XDP_PASS, R_STEER_TC, OUT_TC_NEIGH, "198.51.100.96/27", SC_STEERED, .event = -1 },
	{ { "v4 DF over the tunnel MTU: ICMP frag needed", "203.0.113.7", "198.51.100.5",
	    .frag = PKT_IP4_DF, .size = 1500 },
	  XDP_TX, R_TX_ICMP_TOO_BIG, OUT_ICMP, "198.51.100.0/27", SC_ICMP_TOO_BIG, TUN_MTU,
	  .event = -1 },
	{ { "v4 DF over the tunnel MTU, tagged", "203.0.113.7", "198.51.100.5",
	    .frag = PKT_IP4_DF, .size = 1421, .nvlan = 1 },
	  XDP_TX, R_TX_ICMP_TOO_BIG, OUT_ICMP, "198.51.100.0/27", SC_ICMP_TOO_BIG, TUN_MTU,
	  .event = -1 },
	{ { "v4 DF exactly the tunnel MTU: steered", "203.0.113.7", "198.51.100.5",
	    .frag = PKT_IP4_DF, .size = TUN_MTU },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v4 without DF over the MTU: the kernel fragments", "203.0.113.7", "198.51.100.5",
	    .size = 1500 },
	  XDP_PASS, R_PASS_TOO_BIG, OUT_SAME, "198.51.100.0/27", SC_PASS_TOO_BIG, .event = -1 },
	{ { "v6 over the tunnel MTU: packet too big", "2001:db8:c::7", "2001:db8:100:1::5",
	    .size = 1500 },
	  XDP_TX, R_TX_ICMP_TOO_BIG, OUT_ICMP, "2001:db8:100:1::/64", SC_ICMP_TOO_BIG, TUN_MTU,
	  .event = -1 },
	{ { "v4 DF over the MTU from a multicast source: no ICMP, to the kernel", "224.0.0.9",
	    "198.51.100.5", .frag = PKT_IP4_DF, .size = 1500 },
	  XDP_PASS, R_PASS_TOO_BIG, OUT_SAME, "198.51.100.0/27", SC_PASS_TOO_BIG, .event = -1 },
	{ { "v4 DF over the MTU from 0.0.0.0: no ICMP", "0.0.0.0", "198.51.100.5",
	    .frag = PKT_IP4_DF, .size = 1500 },
	  XDP_PASS, R_PASS_TOO_BIG, OUT_SAME, "198.51.100.0/27", SC_PASS_TOO_BIG, .event = -1 },
	{ { "v6 over the MTU from the unspecified address: no ICMP", "::", "2001:db8:100:1::5",
	    .size = 1500 },
	  XDP_PASS, R_PASS_TOO_BIG, OUT_SAME, "2001:db8:100:1::/64", SC_PASS_TOO_BIG,
	  .event = -1 },
	{ { "v6 over the MTU from a multicast source: no ICMP", "ff02::1", "2001:db8:100:1::5",
	    .size = 1500 },
	  XDP_PASS, R_PASS_TOO_BIG, OUT_SAME, "2001:db8:100:1::/64", SC_PASS_TOO_BIG,
	  .event = -1 },
	{ { "route MTU below the device's: ICMP names the route's", "203.0.113.7",
	    "198.51.100.195", .frag = PKT_IP4_DF, .size = 1400 },
	  XDP_TX, R_TX_ICMP_TOO_BIG, OUT_ICMP, "198.51.100.192/28", SC_ICMP_TOO_BIG, 1300,
	  .event = -1 },
	{ { "v4 SYN MSS 1460 to a tunnel: TC told to clamp to 1380", "203.0.113.7", "198.51.100.5",
	    .tcp = TCP_MSS_FIRST },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v4 SYN MSS at an odd offset to a tunnel", "203.0.113.7",
	    "198.51.100.5", .tcp = TCP_MSS_ODD },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v6 SYN MSS 1460 to a tunnel: TC told to clamp to 1360", "2001:db8:c::7", "2001:db8:100:1::5",
	    .tcp = TCP_MSS_FIRST },
	  XDP_PASS, R_STEER_TC, OUT_TC, "2001:db8:100:1::/64", SC_STEERED, .event = -1 },
	{ { "v4 SYN MSS 1200, below the limit: untouched", "203.0.113.7", "198.51.100.5",
	    .tcp = TCP_MSS_LOW },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v4 ACK carrying an MSS option: untouched", "203.0.113.7", "198.51.100.5",
	    .tcp = TCP_ACK_MSS },
	  XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.0/27", SC_STEERED, .event = -1 },
	{ { "v4 SYN to an Ethernet next hop: clamped to its MTU 1500", "203.0.113.7",
	    "198.51.100.70", .tcp = TCP_MSS_FIRST },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "198.51.100.64/27", SC_STEERED, .event = -1 },
	{ { "v4 SYN MSS 1460 via Ethernet, route MTU 1400: clamped to 1360", "203.0.113.7",
	    "198.51.100.90", .tcp = TCP_MSS_FIRST },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "198.51.100.80/28", SC_STEERED, .want_mss = 1360,
	  .event = R_EV_MSS_CLAMPED },
	{ { "v4 SYN MSS at an odd offset via Ethernet: clamped, checksum right", "203.0.113.7",
	    "198.51.100.90", .tcp = TCP_MSS_ODD },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "198.51.100.80/28", SC_STEERED, .want_mss = 1360,
	  .event = R_EV_MSS_CLAMPED },
	{ { "v6 SYN via Ethernet, route MTU 1400: clamped to 1340", "2001:db8:c::7",
	    "2001:db8:100:3::1", .tcp = TCP_MSS_FIRST },
	  XDP_REDIRECT, R_STEER_XDP, OUT_XDP, "2001:db8:100:3::/64", SC_STEERED, .want_mss = 1340,
	  .event = R_EV_MSS_CLAMPED },
	{ { "blocklisted source to a served prefix: dropped and counted there", "192.0.2.66",
	    "198.51.100.5" },
	  XDP_DROP, R_DROP_BLOCKLIST, OUT_NONE, "198.51.100.0/27", SC_DROP_BLOCKLIST,
	  .event = -1 },
};

/* fixture_run(), plus where the packet starts in out: test_run
 * returns the metadata area in front of it, ctx_out.data says how long. */
static int run_meta(const void *pkt, size_t len, __u32 *retval, void *out, __u32 *out_len,
		    __u32 *meta_len)
{
	struct xdp_md ctx_in = { .data_end = (__u32)len }, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = *out_len,
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(F.prog_fd, &opts);

	if (err)
		return err < 0 ? err : -EIO;
	*retval = opts.retval;
	*out_len = opts.data_size_out;
	*meta_len = ctx_out.data - ctx_out.data_meta;
	return 0;
}

/* Right after the change, the cached FIB answer still holds. */
static const struct steer_case down_case_cached = {
	{ "tunnel just set down: the cached answer still steers", "203.0.113.7",
	  "198.51.100.208" },
	XDP_PASS, R_STEER_TC, OUT_TC, "198.51.100.208/32", SC_STEERED, .event = -1
};

static const struct steer_case down_case = {
	{ "tunnel down, cache expired: to the kernel", "203.0.113.7", "198.51.100.208" },
	XDP_PASS, R_PASS_IF_DOWN, OUT_SAME, "198.51.100.208/32", SC_PASS_IF_DOWN, .event = -1
};

static void run_case(const struct steer_case *c)
{
	static const char *const scn[SC_MAX] = STEER_COUNTER_NAMES;
	struct counter before[R_MAX], after[R_MAX], rb = {}, ra = {};
	uint8_t in[PKT_MAX_LEN], out[PKT_MAX_LEN + 64];
	__u32 olen = sizeof(out), ret = 0, mlen = 0;
	struct pkt_layout lo;
	size_t len = build(&c->p, in, &lo);
	bool good = true;
	int r, moved = 0, event = c->event > 0 ? c->event : -1;

	if (!len) {
		ok(false, "%s: packet builds", c->p.desc);
		return;
	}
	if (c->route)
		route_counter(c->route, c->sc, &rb);
	fixture_stats(&F, before);
	r = run_meta(in, len, &ret, out, &olen, &mlen);
	fixture_stats(&F, after);
	if (!ok(r == 0, "%s: test run (%d)", c->p.desc, r))
		return;
	good &= okq(ret == c->act, "%s: action %u (want %u)", c->p.desc, ret, c->act);
	for (int i = 0; i < R_MAX; i++) {
		__u64 d = after[i].packets - before[i].packets;
		bool want = i == c->reason || i == event;

		if (d)
			moved++;
		good &= okq(d == (want ? 1u : 0u), "%s: %s moved by %llu", c->p.desc,
			    reason_name(i), (unsigned long long)d);
	}
	if (c->route) {
		route_counter(c->route, c->sc, &ra);
		good &= okq(ra.packets == rb.packets + 1 && ra.bytes == rb.bytes + len,
			    "%s: %s %s +1 packet, +%zu bytes", c->p.desc, c->route, scn[c->sc], len);
	}
	switch (c->out) {
	case OUT_SAME:
		good &= okq(mlen == 0, "%s: no metadata", c->p.desc);
		good &= okq(olen == len && !memcmp(in, out, len), "%s: passed unchanged",
			    c->p.desc);
		break;
	case OUT_TC:
	case OUT_TC_NEIGH:
		good &= okq(mlen == META_LEN && olen > META_LEN, "%s: output has %u bytes of metadata",
			    c->p.desc, mlen);
		if (mlen == META_LEN && olen > META_LEN) {
			good &= meta_ok(c, out, c->out == OUT_TC_NEIGH);
			struct steer_case xdp_part = *c;

			xdp_part.want_mss = 0;	/* XDP leaves the MSS to TC */
			good &= frame_ok(&xdp_part, in, &lo, out + META_LEN, olen - META_LEN, false);
		}
		break;
	case OUT_XDP:
		good &= frame_ok(c, in, &lo, out, olen, true);
		break;
	case OUT_ICMP:
		good &= icmp_ok(c, in, &lo, out, olen);
		break;
	case OUT_NONE:
		break;
	}
	ok(good, "%s: %s%s", c->p.desc, reason_name(c->reason),
	   c->route ? " (and its prefix counter)" : "");
}

/* Only the longest match counts: a route's packets leave its served
 * prefix's own entry alone (userspace sums the two for the prefix). */
static void served_counts(void)
{
	struct pkt_case p = { "served", "203.0.113.7", "198.51.100.5" };
	struct counter a, b, ra, rb;
	uint8_t in[PKT_MAX_LEN];
	struct pkt_layout lo;
	size_t len = build(&p, in, &lo);
	__u32 ret;

	route_counter("198.51.100.0/24", SC_STEERED, &a);
	route_counter("198.51.100.0/27", SC_STEERED, &ra);
	fixture_run(&F, in, len, &ret, NULL, NULL);
	route_counter("198.51.100.0/24", SC_STEERED, &b);
	route_counter("198.51.100.0/27", SC_STEERED, &rb);
	ok(b.packets == a.packets && rb.packets == ra.packets + 1,
	   "a routed packet counts on its route only, not on the served prefix's entry");
}

/* The ICMP answers are rate limited per CPU. Each CPU's bucket is set
 * to hold three answers and to refill only a minute from now. */
static void icmp_rate_limit(void)
{
	struct pkt_case p = { "flood", "203.0.113.7", "198.51.100.5", .frag = PKT_IP4_DF,
			      .size = 1500 };
	int fd = bpf_map__fd(F.skel->maps.icmp_bucket);
	struct icmp_bucket b[256];
	uint8_t in[PKT_MAX_LEN];
	struct pkt_layout lo;
	size_t len = build(&p, in, &lo);
	struct timespec ts;
	int i, tx = 0, passed = 0;
	__u32 ret, zero = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < F.m.ncpus; i++) {
		b[i].last_ns = (ts.tv_sec + 60) * 1000000000ULL;
		b[i].tokens = 3 * (1000000000ULL / 1000);	/* cfg_icmp_rate 1000/s */
	}
	if (!ok(bpf_map_update_elem(fd, &zero, b, BPF_ANY) == 0, "ICMP buckets set"))
		return;
	for (i = 0; i < 20; i++) {
		if (fixture_run(&F, in, len, &ret, NULL, NULL))
			break;
		tx += ret == XDP_TX;
		passed += ret == XDP_PASS;
	}
	ok(tx >= 3 && tx <= 3 * F.m.ncpus && tx + passed == 20,
	   "ICMP rate limit: 20 oversize packets get %d answers (3 per CPU), %d go to the kernel",
	   tx, passed);
}

/* bl_ctl.n_steer == 0 (nothing served): the program skips the
 * steering lookup, so a blocklist-only PoP pays nothing for it. */
static const struct steer_case gate_case = {
	{ "nothing served (n_steer 0): not even looked up", "203.0.113.7", "198.51.100.5" },
	XDP_PASS, R_PASS_NO_MATCH, OUT_SAME, NULL, 0, .event = -1
};

static void nothing_served_gate(void)
{
	struct bl_ctl c;
	__u32 saved;

	if (!ok(ctl_read(&F.m, &c) == 0, "bl_ctl read"))
		return;
	saved = c.n_steer;
	c.n_steer = 0;
	ctl_write(&F.m, &c);
	run_case(&gate_case);
	c.n_steer = saved;
	ctl_write(&F.m, &c);
}

int main(void)
{
	size_t i;

	if (geteuid() != 0) {
		ok(false, "needs root (network namespace, BPF)");
		return harness_done();
	}
	if (netns_setup()) {
		ok(false, "private network namespace with a TUN and a veth");
		return harness_done();
	}
	if (fixture_setup(&F)) {
		ok(false, "fixture setup");
		return harness_done();
	}
	{
		const char *bl[] = { "192.0.2.64/26" };

		ok(fixture_load_list(&F, bl, 1) == 0, "blocklist loaded");
	}
	if (!ok(routes_setup() == 0, "served prefixes and routes written")) {
		fixture_teardown(&F);
		return harness_done();
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	served_counts();
	icmp_rate_limit();
	nothing_served_gate();
	/* Last, as it takes the tunnel down: admin-down removes its routes,
	 * which the FIB check of a global next hop notices. */
	if (ok(sh("ip link set " TUN " down") == 0, "tunnel set down")) {
		run_case(&down_case_cached);
		usleep(200 * 1000);	/* NH_CACHE_JIFFIES: 64 ms at HZ 250 */
		run_case(&down_case);
	}
	fixture_teardown(&F);
	return harness_done();
}
