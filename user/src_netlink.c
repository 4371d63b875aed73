// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel routes as a route source, over rtnetlink with libmnl.
 *
 * One socket joins the route groups before it asks for a dump, so nothing
 * that changes during the dump is lost: dump replies and events share one
 * queue, each describes the table at the moment it was queued, and they
 * are applied in order. IPv4 is dumped first, then IPv6: a socket runs one
 * dump at a time (a second one would be refused with EBUSY).
 *
 * Keys. The kernel tells routes of a table apart by destination, TOS and
 * priority (IPv6: also the source prefix). The table is fixed per source,
 * so a key is "m<priority> <dst>[ tos<tos>][ from <src>]#<hop>", e.g.
 * "m1024 2001:db8::/32#00". The few that would not fit RIB_KEY_LEN (long
 * source-specific IPv6 prefixes, which the sync ignores anyway) become
 * "b<base64 of the same fields>".
 *
 * Multipath. One candidate per next hop, "#00", "#01", ... in the order of
 * the kernel's message, all with the route's metric. The sync picks among
 * a prefix's candidates by lowest metric, then lowest key, after its
 * interface filter: so the first allowed hop in kernel order wins (two
 * digits keep "#10" after "#09"). A route's hops are always #00..#nn
 * without gaps, so dropping what a replacement no longer has stops at the
 * first missing one.
 *
 * What the kernel does not announce, and how it is covered:
 *  - IPv4 routes through an interface that goes down or away, or loses an
 *    IPv4 address, may be flushed without RTM_DELROUTE. Such a link or
 *    address event on an interface our IPv4 routes use starts a resync.
 *    (The kernel queues that event just before it flushes; a dump racing
 *    the flush is possible in theory.)
 *  - Deleting one next hop of an IPv6 multipath route (also when its
 *    interface goes away) announces only that hop. It is matched by gateway
 *    and interface; if that is ambiguous all hops go and IPv6 is dumped
 *    again (without clearing anything).
 * Not handled: IPv4 routes appended with the same identity (NLM_F_APPEND:
 * the later replaces the earlier here), routes flushed because their
 * preferred source address on another interface went away, and routes
 * using nexthop objects with net.ipv4.nexthop_compat_mode=0 (the message
 * then has no gateway or interface; the sync sees "no interface").
 * Hop flags (dead, linkdown) are not used: the kernel does not announce
 * their changes; the sync checks interfaces itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include "common.h"
#include "src_netlink.h"

#define RCVBUF_SIZE (4 << 20)
#define RECV_SIZE 65536		/* the kernel's 32 KiB dump chunks, big multipath events */
#define READ_BATCH 32		/* datagrams per nlsrc_read: the sync applies in between */
#define MAX_HOPS 64		/* "#00".."#63" */
#define KEY_BASE_MAX (RIB_KEY_LEN - 4)	/* leaves room for "#63" */
#define MAX_VIEWS 256
#define MAX_PROTO_NAMES 512
#define DUMP_V4 1u
#define DUMP_V6 2u
#define RTPROT_BABEL_NUM 42
#define TABLE_MAIN 254

struct nl_source {
	char buf[RECV_SIZE] __attribute__((aligned(8)));
	struct mnl_socket *nl;
	struct nl_source_opts o;
	uint32_t seq;		/* of the running dump */
	int dumping;		/* its family; 0 when none runs */
	unsigned int pending;	/* DUMP_V4 | DUMP_V6 still to request */
	bool dump_intr;		/* the table changed under the running dump */
	bool want_synced;	/* reading a full table: report synced when done */
	struct rt_cand hops[MAX_HOPS];
	struct rib_route_view views[MAX_VIEWS];
	char name[640];
};

/* A route message, checked, with what the keys and candidates need. */
struct route {
	const struct rtmsg *rtm;
	const struct nlattr *tb[RTA_MAX + 1];
	uint32_t table;
	struct rt_cand c;	/* prefix, from, metric; key is the base key */
};

/* ---- protocol and table names ---- */

struct proto_name {
	unsigned int num;
	char name[32];
};

struct proto_names {
	size_t n;
	struct proto_name v[MAX_PROTO_NAMES];
};

static const struct proto_name builtin_protos[] = {
	{ 1, "redirect" }, { 2, "kernel" }, { 3, "boot" }, { 4, "static" },
	{ 9, "ra" }, { 11, "zebra" }, { 12, "bird" }, { 16, "dhcp" },
	{ 42, "babel" }, { 186, "bgp" }, { 187, "isis" }, { 188, "ospf" },
	{ 189, "rip" }, { 192, "eigrp" },
};

/* "42 babel" lines; iproute2 reads numbers with base 0, so do we. */
static void read_rt_protos(struct proto_names *t, const char *path)
{
	char line[256], name[32];
	FILE *f = fopen(path, "re");
	long num;

	if (!f)
		return;
	while (t->n < MAX_PROTO_NAMES && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#")] = '\0';
		if (sscanf(line, "%li %31s", &num, name) != 2 || num < 0 || num > 255)
			continue;
		t->v[t->n].num = num;
		snprintf(t->v[t->n].name, sizeof(t->v[t->n].name), "%s", name);
		t->n++;
	}
	fclose(f);
}

/* Built-ins first, then the files: lookups search from the end, so the
 * administrator's /etc file has the last word. */
static struct proto_names *proto_names_load(void)
{
	struct proto_names *t = calloc(1, sizeof(*t));
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; i < sizeof(builtin_protos) / sizeof(builtin_protos[0]); i++)
		t->v[t->n++] = builtin_protos[i];
	read_rt_protos(t, "/usr/share/iproute2/rt_protos");
	read_rt_protos(t, "/etc/iproute2/rt_protos");
	return t;
}

static int proto_by_name(const struct proto_names *t, const char *name)
{
	for (size_t i = t->n; i-- > 0;)
		if (!strcmp(t->v[i].name, name))
			return t->v[i].num;
	return -1;
}

static const char *proto_by_num(const struct proto_names *t, unsigned int num)
{
	for (size_t i = t->n; i-- > 0;)
		if (t->v[i].num == num)
			return t->v[i].name;
	return NULL;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int parse_proto(const struct proto_names *t, const char *item, char *err, size_t len)
{
	int num;

	if (all_digits(item)) {
		if (strlen(item) > 3 || atoi(item) > 255) {
			snprintf(err, len, "route protocol number '%s' out of range (0-255)", item);
			return -EINVAL;
		}
		return atoi(item);
	}
	num = proto_by_name(t, item);
	if (num < 0)
		snprintf(err, len, "unknown route protocol '%s' (use a name from rt_protos or a number 0-255)",
			 item);
	return num < 0 ? -EINVAL : num;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool has_proto(const struct nl_source_opts *o, unsigned int num)
{
	for (size_t i = 0; i < o->n_protos; i++)
		if (o->protos[i] == num)
			return true;
	return false;
}

/* Split on commas by hand: strtok would skip the empty items we refuse. */
static int parse_proto_list(const struct proto_names *t, char *list, struct nl_source_opts *o,
			    char *err, size_t len)
{
	char *item = list, *comma;
	int num;

	do {
		comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		item = trim(item);
		if (!*item) {
			snprintf(err, len, "empty route protocol in the list");
			return -EINVAL;
		}
		num = parse_proto(t, item, err, len);
		if (num < 0)
			return num;
		if (!has_proto(o, num)) {
			if (o->n_protos == NLSRC_MAX_PROTOS) {
				snprintf(err, len, "too many route protocols (at most %d)",
					 NLSRC_MAX_PROTOS);
				return -EINVAL;
			}
			o->protos[o->n_protos++] = num;
		}
		item = comma + 1;
	} while (comma);
	return 0;
}

int nlsrc_parse_protos(const char *list, struct nl_source_opts *o, char *err, size_t len)
{
	struct nl_source_opts tmp = *o;
	struct proto_names *t = proto_names_load();
	char *copy = strdup(list);
	int rc = -ENOMEM;

	if (!t || !copy) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	tmp.n_protos = 0;
	rc = parse_proto_list(t, copy, &tmp, err, len);
	if (!rc)
		*o = tmp;
out:
	free(copy);
	free(t);
	return rc;
}

int nlsrc_parse_table(const char *s, uint32_t *table)
{
	unsigned long long v;

	if (!strcmp(s, "main"))
		v = RT_TABLE_MAIN;
	else if (!strcmp(s, "local"))
		v = RT_TABLE_LOCAL;
	else if (!strcmp(s, "default"))
		v = RT_TABLE_DEFAULT;
	else if (all_digits(s) && strlen(s) <= 10)
		v = strtoull(s, NULL, 10);
	else
		return -EINVAL;
	if (v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*table = v;
	return 0;
}

static void make_name(struct nl_source *s)
{
	struct proto_names *t = proto_names_load();
	size_t off = snprintf(s->name, sizeof(s->name), "netlink proto ");

	for (size_t i = 0; i < s->o.n_protos && off < sizeof(s->name); i++) {
		const char *name = t ? proto_by_num(t, s->o.protos[i]) : NULL;

		off += name ? snprintf(s->name + off, sizeof(s->name) - off, "%s%s", i ? "," : "", name) :
			      snprintf(s->name + off, sizeof(s->name) - off, "%s%u", i ? "," : "",
				       s->o.protos[i]);
	}
	if (off >= sizeof(s->name))
		off = sizeof(s->name) - 1;
	if (s->o.table == RT_TABLE_MAIN)
		snprintf(s->name + off, sizeof(s->name) - off, " table main");
	else if (s->o.table == RT_TABLE_LOCAL)
		snprintf(s->name + off, sizeof(s->name) - off, " table local");
	else if (s->o.table == RT_TABLE_DEFAULT)
		snprintf(s->name + off, sizeof(s->name) - off, " table default");
	else
		snprintf(s->name + off, sizeof(s->name) - off, " table %u", s->o.table);
	free(t);
}

/* ---- dumps ---- */

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int request_dump(struct nl_source *s, int family)
{
	char buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* Events carry seq 0: never use it for a dump. */
	if (++s->seq == 0)
		s->seq = 1;
	nlh->nlmsg_seq = s->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		int err = -errno;

		log_err("cannot ask the kernel for its %s routes: %s", family_name(family),
			strerror(-err));
		return err;
	}
	s->dumping = family;
	s->dump_intr = false;
	return 0;
}

/* Start the next pending dump, or report the full table read. */
static int next_dump(struct nl_source *s, struct src_events *ev)
{
	if (s->dumping)
		return 0;
	if (s->pending & DUMP_V4) {
		s->pending &= ~DUMP_V4;
		return request_dump(s, AF_INET);
	}
	if (s->pending & DUMP_V6) {
		s->pending &= ~DUMP_V6;
		return request_dump(s, AF_INET6);
	}
	if (s->want_synced && ev) {
		s->want_synced = false;
		ev->synced = true;
	}
	return 0;
}

/* Forget everything and read both tables again; a dump that is running
 * finishes first (its replies are still true), then both start over. */
static int start_over(struct nl_source *s, struct rib *r, struct src_events *ev)
{
	rib_clear(r);
	ev->resync = true;
	ev->synced = false;
	s->pending = DUMP_V4 | DUMP_V6;
	s->want_synced = true;
	return next_dump(s, ev);
}

static bool is_dump_reply(const struct nl_source *s, const struct nlmsghdr *nlh)
{
	return s->dumping && nlh->nlmsg_seq == s->seq;
}

static int malformed(struct src_events *ev, const char *what, const char *why)
{
	ev->malformed++;
	log_warn("netlink: skipped a malformed %s message: %s", what, why);
	return 0;
}

static int dump_done(struct nl_source *s, const struct nlmsghdr *nlh, struct src_events *ev)
{
	int err = 0;

	if (!is_dump_reply(s, nlh))
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		log_err("the kernel could not list its %s routes: %s", family_name(s->dumping),
			strerror(-err));
		return err;
	}
	/* Entries may have moved past the dump's cursor: the events covered
	 * what changed, a second pass finds what was skipped. */
	if (s->dump_intr)
		s->pending |= s->dumping == AF_INET ? DUMP_V4 : DUMP_V6;
	s->dumping = 0;
	return next_dump(s, ev);
}

static int error_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		     struct src_events *ev)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return malformed(ev, "error", "shorter than struct nlmsgerr");
	if (!is_dump_reply(s, nlh) || e->error == 0)
		return 0;
	if (e->error == -ENOBUFS) {
		/* The dump began with our queue full: it goes on, but events
		 * were dropped. */
		log_warn("netlink: the kernel dropped route events; reading the tables again");
		return start_over(s, r, ev);
	}
	log_err("the kernel refused to list its %s routes: %s", family_name(s->dumping),
		strerror(-e->error));
	return e->error;
}

/* ---- attributes ---- */

/*
 * Index attributes by type (later ones win, as in the kernel). Unlike
 * mnl_attr_parse(), which stops quietly, an attribute that does not fit
 * is an error.
 */
static int index_attrs(const void *data, int len, const struct nlattr **tb, unsigned int max,
		       const char **why)
{
	const struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (mnl_attr_ok(a, len)) {
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
		len -= MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	if (len <= 0)
		return 0;
	if (len < (int)sizeof(*a))
		*why = "truncated attribute header";
	else if (a->nla_len < sizeof(*a))
		*why = "attribute length shorter than its header";
	else
		*why = "attribute runs past the end of the message";
	return -EINVAL;
}

static int check_u32(const struct nlattr *a, const char *why_bad, const char **why)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		*why = why_bad;
		return -EINVAL;
	}
	return 0;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static int get_prefix(struct prefix *p, int family, unsigned int plen, const struct nlattr *a,
		      const char *what, const char **why)
{
	static char msg[64];
	size_t alen = addr_len(family);

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->plen = plen;
	if (plen > alen * 8)
		snprintf(msg, sizeof(msg), "%s prefix length %u out of range", what, plen);
	else if (a && mnl_attr_get_payload_len(a) != alen)
		snprintf(msg, sizeof(msg), "%s address of %u bytes", what,
			 (unsigned int)mnl_attr_get_payload_len(a));
	else if (!a && plen)
		snprintf(msg, sizeof(msg), "%s prefix /%u without an address", what, plen);
	else {
		if (a)
			memcpy(p->addr, mnl_attr_get_payload(a), alen);
		prefix_mask(p);
		return 0;
	}
	*why = msg;
	return -EINVAL;
}

/* Via from RTA_GATEWAY (same family) or RTA_VIA (IPv4 over an IPv6 next
 * hop); ifname from the index, left empty if it has none (any more).
 * -EAFNOSUPPORT: a next hop that is not IP (MPLS): not a route for us. */
static int get_hop(struct rt_cand *c, int family, const struct nlattr *gw, const struct nlattr *via,
		   unsigned int ifindex, const char **why)
{
	memset(c->via, 0, sizeof(c->via));
	c->via_family = 0;
	c->ifname[0] = '\0';
	if (gw) {
		if (mnl_attr_get_payload_len(gw) != addr_len(family)) {
			*why = "gateway address of the wrong length";
			return -EINVAL;
		}
		c->via_family = family;
		memcpy(c->via, mnl_attr_get_payload(gw), addr_len(family));
	} else if (via) {
		const struct rtvia *v = mnl_attr_get_payload(via);
		size_t len = mnl_attr_get_payload_len(via);

		if (len < sizeof(*v)) {
			*why = "truncated RTA_VIA";
			return -EINVAL;
		}
		if (!addr_len(v->rtvia_family))
			return -EAFNOSUPPORT;
		if (len - sizeof(*v) != addr_len(v->rtvia_family)) {
			*why = "RTA_VIA address of the wrong length";
			return -EINVAL;
		}
		c->via_family = v->rtvia_family;
		memcpy(c->via, v->rtvia_addr, addr_len(v->rtvia_family));
	}
	if (ifindex && !if_indextoname(ifindex, c->ifname))
		c->ifname[0] = '\0';
	return 0;
}

static int get_multipath(struct nl_source *s, const struct route *rt, int *n, const char **why)
{
	const struct nlattr *mp = rt->tb[RTA_MULTIPATH], *tb[RTA_MAX + 1];
	const char *p = mnl_attr_get_payload(mp);
	int left = mnl_attr_get_payload_len(mp), err;
	bool too_many = false;

	*n = 0;
	while (left > 0) {
		const struct rtnexthop *nh = (const void *)p;

		if (left < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left) {
			*why = "truncated next hop in RTA_MULTIPATH";
			return -EINVAL;
		}
		err = index_attrs(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX, why);
		if (err)
			return err;
		if (*n < MAX_HOPS) {
			s->hops[*n] = rt->c;
			err = get_hop(&s->hops[*n], rt->c.prefix.family, tb[RTA_GATEWAY], tb[RTA_VIA],
				      nh->rtnh_ifindex, why);
			if (err)
				return err;
			(*n)++;
		} else {
			too_many = true;
		}
		left -= RTNH_ALIGN(nh->rtnh_len);
		p += RTNH_ALIGN(nh->rtnh_len);
	}
	if (!*n) {
		*why = "RTA_MULTIPATH without next hops";
		return -EINVAL;
	}
	if (too_many)
		log_warn("netlink: route %s has more than %d next hops; using the first %d",
			 rt->c.key, MAX_HOPS, MAX_HOPS);
	return 0;
}

/* The route's hops into s->hops; -EINVAL (why set) or -EAFNOSUPPORT. */
static int get_hops(struct nl_source *s, const struct route *rt, int *n, const char **why)
{
	uint32_t oif = rt->tb[RTA_OIF] ? mnl_attr_get_u32(rt->tb[RTA_OIF]) : 0;

	if (rt->tb[RTA_MULTIPATH])
		return get_multipath(s, rt, n, why);
	*n = 1;
	s->hops[0] = rt->c;
	return get_hop(&s->hops[0], rt->c.prefix.family, rt->tb[RTA_GATEWAY], rt->tb[RTA_VIA], oif,
		       why);
}

/* ---- keys ---- */

static size_t base64(const uint8_t *in, size_t n, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);

		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = abc[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = abc[v & 63];
	}
	out[o] = '\0';
	return o;
}

/* Exact but unreadable: metric, tos, and each prefix as length and the
 * address bytes it covers. At most 39 bytes, 52 characters. */
static void packed_key(const struct route *rt, char *key)
{
	const struct prefix *pp[2] = { &rt->c.prefix, &rt->c.from };
	uint8_t b[40];
	size_t n = 0;

	memcpy(b, &rt->c.metric, 4);
	n = 4;
	b[n++] = rt->rtm->rtm_tos;
	for (int i = 0; i < 2; i++) {
		b[n++] = pp[i]->plen;
		memcpy(b + n, pp[i]->addr, (pp[i]->plen + 7) / 8);
		n += (pp[i]->plen + 7) / 8;
	}
	key[0] = 'b';
	base64(b, n, key + 1);
}

static void base_key(struct route *rt)
{
	char dst[PREFIX_STRLEN], src[PREFIX_STRLEN], tos[16] = "", from[PREFIX_STRLEN + 8] = "";
	char *key = rt->c.key;
	int n;

	prefix_format(&rt->c.prefix, dst, sizeof(dst));
	if (rt->rtm->rtm_tos)
		snprintf(tos, sizeof(tos), " tos%u", rt->rtm->rtm_tos);
	if (rt->c.from.plen)
		snprintf(from, sizeof(from), " from %s", prefix_format(&rt->c.from, src, sizeof(src)));
	n = snprintf(key, RIB_KEY_LEN, "m%u %s%s%s", rt->c.metric, dst, tos, from);
	if (n < 0 || n > KEY_BASE_MAX)
		packed_key(rt, key);
}

/* base + "#07"; hop < MAX_HOPS, two digits keep keys sorting in hop order. */
static void hop_key(char *key, const char *base, int hop)
{
	size_t n = strnlen(base, KEY_BASE_MAX);

	memcpy(key, base, n);
	key[n] = '#';
	key[n + 1] = '0' + hop / 10;
	key[n + 2] = '0' + hop % 10;
	key[n + 3] = '\0';
}

/* Remove hops from..end of a route (they have no gaps). */
static void drop_hops(struct rib *r, const char *base, int from)
{
	char key[RIB_KEY_LEN];

	for (int i = from; i < MAX_HOPS; i++) {
		hop_key(key, base, i);
		if (rib_remove(r, key) <= 0)
			break;
	}
}

/* The hops the rib holds for this route, into s->hops by number. */
static int load_hops(struct nl_source *s, struct rib *r, const struct route *rt)
{
	struct rib_prefix *px = rib_prefix_get(r, &rt->c.prefix, false);
	size_t blen = strlen(rt->c.key), n;
	int count = 0;

	if (!px)
		return 0;
	n = rib_prefix_routes(px, s->views, MAX_VIEWS);
	for (size_t i = 0; i < n && i < MAX_VIEWS; i++) {
		const char *key = s->views[i].c->key;
		int hop;

		if (strncmp(key, rt->c.key, blen) || key[blen] != '#')
			continue;
		hop = atoi(key + blen + 1);
		if (hop < 0 || hop >= MAX_HOPS)
			continue;
		s->hops[hop] = *s->views[i].c;
		count++;
	}
	return count;
}

/* ---- route messages ---- */

/* 0: rt filled; 1: not an IP route; -EINVAL: malformed (why set). */
static int parse_route(const struct nlmsghdr *nlh, struct route *rt, const char **why)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int family;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm)) {
		*why = "shorter than struct rtmsg";
		return -EINVAL;
	}
	family = rtm->rtm_family;
	if (family != AF_INET && family != AF_INET6)
		return 1;
	memset(rt, 0, sizeof(*rt));
	rt->rtm = rtm;
	if (index_attrs((const char *)rtm + NLMSG_ALIGN(sizeof(*rtm)),
			(int)mnl_nlmsg_get_payload_len(nlh) - (int)NLMSG_ALIGN(sizeof(*rtm)), rt->tb,
			RTA_MAX, why) ||
	    check_u32(rt->tb[RTA_TABLE], "RTA_TABLE is not 4 bytes", why) ||
	    check_u32(rt->tb[RTA_PRIORITY], "RTA_PRIORITY is not 4 bytes", why) ||
	    check_u32(rt->tb[RTA_OIF], "RTA_OIF is not 4 bytes", why) ||
	    get_prefix(&rt->c.prefix, family, rtm->rtm_dst_len, rt->tb[RTA_DST], "destination", why) ||
	    get_prefix(&rt->c.from, family, rtm->rtm_src_len, rt->tb[RTA_SRC], "source", why))
		return -EINVAL;
	rt->table = rt->tb[RTA_TABLE] ? mnl_attr_get_u32(rt->tb[RTA_TABLE]) : rtm->rtm_table;
	rt->c.metric = rt->tb[RTA_PRIORITY] ? mnl_attr_get_u32(rt->tb[RTA_PRIORITY]) : 0;
	rt->c.installed = true;
	base_key(rt);
	return 0;
}

static bool wanted(const struct nl_source *s, const struct route *rt)
{
	return rt->rtm->rtm_type == RTN_UNICAST && has_proto(&s->o, rt->rtm->rtm_protocol);
}

static int add_route(struct nl_source *s, struct rib *r, struct route *rt, struct src_events *ev)
{
	const char *why = NULL;
	int n = 0, err = get_hops(s, rt, &n, &why);

	if (err == -EINVAL)
		return malformed(ev, "route", why);
	if (err) {
		drop_hops(r, rt->c.key, 0);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		hop_key(s->hops[i].key, rt->c.key, i);
		err = rib_upsert(r, &s->hops[i]);
		if (err) {
			log_err("cannot store route %s: %s", s->hops[i].key, strerror(-err));
			for (int j = 0; j < i; j++)
				rib_remove(r, s->hops[j].key);
			drop_hops(r, rt->c.key, i);
			return err;
		}
	}
	drop_hops(r, rt->c.key, n);
	return 0;
}

static bool same_hop(const struct rt_cand *a, const struct rt_cand *gone)
{
	return a->via_family == gone->via_family && !memcmp(a->via, gone->via, sizeof(a->via)) &&
	       (!gone->ifname[0] || !strcmp(a->ifname, gone->ifname));
}

/*
 * One next hop of an IPv6 multipath route went (the rest stay): remove
 * that one and renumber the rest. Its interface may be gone already,
 * leaving only the gateway to match; when that is ambiguous, re-read.
 */
static int del_ipv6_hop(struct nl_source *s, struct rib *r, struct route *rt, int count,
			struct src_events *ev)
{
	struct rt_cand gone = rt->c;
	const char *why = NULL;
	uint32_t oif = rt->tb[RTA_OIF] ? mnl_attr_get_u32(rt->tb[RTA_OIF]) : 0;
	int err = get_hop(&gone, AF_INET6, rt->tb[RTA_GATEWAY], rt->tb[RTA_VIA], oif, &why);
	int match = -1;

	if (err == -EINVAL)
		return malformed(ev, "route", why);
	for (int i = 0; !err && i < count; i++) {
		if (!same_hop(&s->hops[i], &gone))
			continue;
		if (match >= 0) {
			match = -1;
			break;
		}
		match = i;
	}
	if (match < 0) {
		drop_hops(r, rt->c.key, 0);
		s->pending |= DUMP_V6;
		return next_dump(s, ev);
	}
	for (int i = match; i + 1 < count; i++) {
		hop_key(s->hops[i + 1].key, rt->c.key, i);
		err = rib_upsert(r, &s->hops[i + 1]);
		if (err)
			return err;
	}
	drop_hops(r, rt->c.key, count - 1);
	return 0;
}

static int del_route(struct nl_source *s, struct rib *r, struct route *rt, struct src_events *ev)
{
	int count;

	if (rt->c.prefix.family == AF_INET6 && !rt->tb[RTA_MULTIPATH]) {
		count = load_hops(s, r, rt);
		if (count > 1)
			return del_ipv6_hop(s, r, rt, count, ev);
	}
	drop_hops(r, rt->c.key, 0);
	return 0;
}

static int route_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		     struct src_events *ev)
{
	const char *why = NULL;
	struct route rt;
	int err = parse_route(nlh, &rt, &why);

	if (err < 0)
		return malformed(ev, "route", why);
	if (err > 0 || rt.table != s->o.table || (rt.rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (nlh->nlmsg_type == RTM_DELROUTE)
		return del_route(s, r, &rt, ev);
	if (!wanted(s, &rt)) {
		/* It may have replaced one of ours (same identity). */
		drop_hops(r, rt.c.key, 0);
		return 0;
	}
	return add_route(s, r, &rt, ev);
}

/* ---- links and addresses: IPv4's silent flushes ---- */

struct ifuse {
	struct nl_source *s;
	const char *ifname;
};

static int uses_ifname(struct rib_prefix *px, void *arg)
{
	struct ifuse *u = arg;
	size_t n;

	if (rib_prefix_of(px)->family != AF_INET)
		return 0;
	n = rib_prefix_routes(px, u->s->views, MAX_VIEWS);
	for (size_t i = 0; i < n && i < MAX_VIEWS; i++)
		if (!strcmp(u->s->views[i].c->ifname, u->ifname))
			return 1;
	return 0;
}

static int maybe_flushed(struct nl_source *s, struct rib *r, struct src_events *ev,
			 const char *ifname, const char *what)
{
	struct ifuse u = { s, ifname };

	if (!ifname[0] || !rib_for_each_prefix(r, uses_ifname, &u))
		return 0;
	log_info("netlink: %s %s: the kernel drops IPv4 routes through it without notice; "
		 "reading the tables again", ifname, what);
	return start_over(s, r, ev);
}

static int link_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		    struct src_events *ev)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];
	char name[IF_NAMESIZE] = "";
	const char *why = NULL;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return malformed(ev, "link", "shorter than struct ifinfomsg");
	if (nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP))
		return 0;
	if (index_attrs((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)),
			(int)mnl_nlmsg_get_payload_len(nlh) - (int)NLMSG_ALIGN(sizeof(*ifi)), tb,
			IFLA_MAX, &why))
		return malformed(ev, "link", why);
	/* The name from the message: after RTM_DELLINK the index has none. */
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) == 0)
		snprintf(name, sizeof(name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	else if (!if_indextoname(ifi->ifi_index, name))
		name[0] = '\0';
	return maybe_flushed(s, r, ev, name,
			     nlh->nlmsg_type == RTM_DELLINK ? "was removed" : "is down");
}

static int addr_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		    struct src_events *ev)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	char name[IF_NAMESIZE];

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return malformed(ev, "address", "shorter than struct ifaddrmsg");
	if (ifa->ifa_family != AF_INET || !if_indextoname(ifa->ifa_index, name))
		return 0;	/* a removed interface is RTM_DELLINK's */
	return maybe_flushed(s, r, ev, name, "lost an IPv4 address");
}

/* ---- reading ---- */

int nlsrc_handle_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		     struct src_events *ev)
{
	ev->lines++;
	if (nlh->nlmsg_len < sizeof(*nlh))
		return malformed(ev, "netlink", "length shorter than its header");
	if (is_dump_reply(s, nlh) && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
		s->dump_intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		return dump_done(s, nlh, ev);
	case NLMSG_ERROR:
		return error_msg(s, nlh, r, ev);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return route_msg(s, nlh, r, ev);
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_msg(s, nlh, r, ev);
	case RTM_DELADDR:
		return addr_msg(s, nlh, r, ev);
	default:
		return 0;
	}
}

/* One datagram into s->buf: its length, 0 if it is not the kernel's,
 * -EMSGSIZE if it did not fit, or -errno. */
static ssize_t recv_one(struct nl_source *s)
{
	struct sockaddr_nl sa = {};
	struct iovec iov = { s->buf, sizeof(s->buf) };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			    .msg_iovlen = 1 };
	ssize_t n = recvmsg(mnl_socket_get_fd(s->nl), &m, 0);

	if (n < 0)
		return -errno;
	if (m.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Any local process may write to our port; only the kernel speaks
	 * for its routing table. */
	return sa.nl_pid == 0 ? n : 0;
}

static int handle_buf(struct nl_source *s, int len, struct rib *r, struct src_events *ev)
{
	const struct nlmsghdr *nlh = (const void *)s->buf;
	int err;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		err = nlsrc_handle_msg(s, nlh, r, ev);
		if (err)
			return err;
	}
	if (len > 0) {
		ev->lines++;
		malformed(ev, "netlink", "truncated message");
	}
	return 0;
}

int nlsrc_read(struct nl_source *s, struct rib *r, struct src_events *ev)
{
	for (int i = 0; i < READ_BATCH; i++) {
		ssize_t n = recv_one(s);
		int err = 0;

		/* The first read of the batch: later ones only waited less. */
		if (!ev->read_ns)
			ev->read_ns = now_mono_ns();
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0;
		if (n == -EINTR || n == 0)
			continue;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			log_warn("netlink: %s; reading the route tables again",
				 n == -ENOBUFS ? "fell behind and the kernel dropped route events" :
						 "a route message did not fit the buffer");
			err = start_over(s, r, ev);
		} else if (n < 0) {
			log_err("cannot read route changes from the kernel: %s", strerror(-n));
			return n;
		} else {
			err = handle_buf(s, n, r, ev);
		}
		if (err)
			return err;
	}
	return 0;
}

/* ---- open and close ---- */

static void set_rcvbuf(int fd)
{
	int size = RCVBUF_SIZE;

	/* FORCE passes net.core.rmem_max (needs CAP_NET_ADMIN). No
	 * NETLINK_NO_ENOBUFS: an overrun must be seen, it means a resync. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))
		log_warn("netlink: cannot enlarge the receive buffer: %s", strerror(errno));
}

int nlsrc_open(struct nl_source **out, const struct nl_source_opts *o)
{
	unsigned int groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_LINK |
			      RTMGRP_IPV4_IFADDR;
	struct nl_source *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	if (!s->o.n_protos) {
		s->o.protos[0] = RTPROT_BABEL_NUM;
		s->o.n_protos = 1;
	}
	if (!s->o.table)
		s->o.table = TABLE_MAIN;
	s->seq = time(NULL);
	make_name(s);
	s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!s->nl) {
		err = -errno;
		log_err("cannot open a netlink route socket: %s", strerror(-err));
		goto out;
	}
	set_rcvbuf(mnl_socket_get_fd(s->nl));
	/* Join before the dump: what changes while it runs is queued too. */
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		log_err("cannot join the netlink route groups: %s", strerror(-err));
		goto out;
	}
	s->pending = DUMP_V4 | DUMP_V6;
	s->want_synced = true;
	err = next_dump(s, NULL);
	if (err)
		goto out;
	*out = s;
	return 0;
out:
	nlsrc_close(s);
	return err;
}

int nlsrc_fd(const struct nl_source *s)
{
	return mnl_socket_get_fd(s->nl);
}

const char *nlsrc_name(const struct nl_source *s)
{
	return s->name;
}

void nlsrc_close(struct nl_source *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s);
}
