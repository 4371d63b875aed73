// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: the XDP program against a plain C reference.
 *
 *	build/test_diff [SEED [PACKETS]]
 *	ANYXDP_DIFF_SEED, ANYXDP_DIFF_PACKETS: the same from the environment.
 *
 * The list mixes the real feeds (IPsum, FireHOL level 1, Spamhaus
 * DROPv6 from tests/data or shared/data) with random IPv4 and IPv6
 * CIDRs and hosts; a few allowlist prefixes sit inside and around
 * listed ones. Random and mutated packets (VLAN depth 0-4, odd
 * ethertypes, IPv4 options and bad IHLs, fragments, IPv6 extension
 * chains 0-10 long, lying lengths, truncation, byte flips) go through
 * the program one test run each, and through the reference below,
 * which has its own parser and its own longest-prefix match (sorted
 * arrays per prefix length, binary search, longest first) and shares
 * no code with the project. For EVERY packet: retval (never
 * XDP_ABORTED), verdict, the one stats slot that moved (+1, +len) and
 * an unchanged packet on pass must agree. Every 64th looked-up source
 * is also checked with blset_check() (matched entry, its counter
 * moved by exactly +1/+len on a drop, not at all otherwise), and at
 * the end every entry's counter must equal the reference's count.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "listparse.h"
#include "pkt.h"

#define DEFAULT_SEED 20261122ULL
#define DEFAULT_PACKETS 1000000UL
#define RUN_MAX_LEN 3000	/* test runs accept about 3.5 KiB */
#define MAX_SHOWN 8		/* mismatching packets printed in full */
#define CHECK_EVERY 64		/* blset_check() sampling */
#define FULL_EVERY 64		/* all stats slots compared */

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256**, seeded with splitmix64                          */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rs[i] = splitmix(&seed);
}

static uint64_t rng(void)
{
	uint64_t r = rs[1] * 5, t = rs[1] << 17;

	r = ((r << 7) | (r >> 57)) * 9;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = (rs[3] << 45) | (rs[3] >> 19);
	return r;
}

/* uniform in [0, n) */
static uint64_t rn(uint64_t n)
{
	return n ? rng() % n : 0;
}

/* true with probability pct/100 */
static bool pct(unsigned int p)
{
	return rn(100) < p;
}

/* ------------------------------------------------------------------ */
/* 128-bit addresses: IPv4 lives in the top 32 bits of hi              */

struct a128 {
	uint64_t hi, lo;
};

static struct a128 a_mask(struct a128 a, int plen)
{
	if (plen <= 0)
		return (struct a128){ 0, 0 };
	if (plen < 64)
		return (struct a128){ a.hi & (~0ULL << (64 - plen)), 0 };
	if (plen == 64)
		return (struct a128){ a.hi, 0 };
	if (plen < 128)
		a.lo &= ~0ULL << (128 - plen);
	return a;
}

static int a_cmp(struct a128 a, struct a128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* 2^(128 - bit - 1): the unit at bit position bit (0 = top) */
static struct a128 a_unit(int bit)
{
	if (bit < 64)
		return (struct a128){ 1ULL << (63 - bit), 0 };
	return (struct a128){ 0, 1ULL << (127 - bit) };
}

static struct a128 a_add(struct a128 a, struct a128 b)
{
	struct a128 r = { a.hi + b.hi, a.lo + b.lo };

	if (r.lo < a.lo)
		r.hi++;
	return r;
}

static struct a128 a_sub(struct a128 a, struct a128 b)
{
	struct a128 r = { a.hi - b.hi, a.lo - b.lo };

	if (a.lo < b.lo)
		r.hi--;
	return r;
}

static struct a128 a_from_bytes(int family, const uint8_t *b)
{
	struct a128 a = { 0, 0 };
	int i;

	if (family == AF_INET) {
		for (i = 0; i < 4; i++)
			a.hi = a.hi << 8 | b[i];
		a.hi <<= 32;
		return a;
	}
	for (i = 0; i < 8; i++)
		a.hi = a.hi << 8 | b[i];
	for (i = 8; i < 16; i++)
		a.lo = a.lo << 8 | b[i];
	return a;
}

static void a_to_bytes(int family, struct a128 a, uint8_t *b)
{
	int i;

	memset(b, 0, 16);
	if (family == AF_INET) {
		for (i = 0; i < 4; i++)
			b[i] = (uint8_t)(a.hi >> (56 - 8 * i));
		return;
	}
	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t)(a.hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(a.lo >> (56 - 8 * i));
	}
}

static int fam_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static struct a128 a_random(int family)
{
	struct a128 a = { rng(), rng() };

	return family == AF_INET ? a_mask(a, 32) : a;
}

/* ------------------------------------------------------------------ */
/* Reference longest-prefix match                                       */

struct rkey {
	struct a128 a;
	uint32_t ent;
};

struct rbucket {
	struct rkey *v;
	size_t n, cap;
};

struct rent {
	int family, plen;
	struct a128 a;
	uint64_t packets, bytes;
};

struct rfam {
	struct rbucket b[129];
	int plens[129];		/* lengths present, longest first */
	int nplens;
	uint32_t *ents;		/* entry indexes of this family */
	size_t nents;
};

static struct rfam ref4, ref6;
static struct rent *ents;
static size_t nents;

struct rallow {
	int family, plen;
	struct a128 a;
};
static struct rallow allows[64];
static size_t nallows;

static struct rfam *rfam_of(int family)
{
	return family == AF_INET ? &ref4 : &ref6;
}

static void ref_add(int family, int plen, struct a128 a)
{
	struct rbucket *b = &rfam_of(family)->b[plen];

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		if (!b->v)
			harness_bail("out of memory");
	}
	b->v[b->n].a = a_mask(a, plen);
	b->v[b->n].ent = 0;
	b->n++;
}

static int rkey_cmp(const void *x, const void *y)
{
	return a_cmp(((const struct rkey *)x)->a, ((const struct rkey *)y)->a);
}

/* Sort and dedupe every bucket, number the entries. */
static void ref_finish(void)
{
	int f, plen;
	size_t i, j, cap = 0;

	for (f = 0; f < 2; f++) {
		struct rfam *r = f ? &ref6 : &ref4;

		for (plen = 0; plen <= 128; plen++)
			cap += r->b[plen].n;
	}
	ents = calloc(cap + 1, sizeof(*ents));
	if (!ents)
		harness_bail("out of memory");
	for (f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET;
		struct rfam *r = rfam_of(family);

		r->ents = calloc(cap + 1, sizeof(*r->ents));
		for (plen = fam_bits(family); plen >= 0; plen--) {
			struct rbucket *b = &r->b[plen];

			if (!b->n)
				continue;
			qsort(b->v, b->n, sizeof(*b->v), rkey_cmp);
			for (i = 0, j = 0; i < b->n; i++) {
				if (j && !a_cmp(b->v[j - 1].a, b->v[i].a))
					continue;
				b->v[j] = b->v[i];
				b->v[j].ent = (uint32_t)nents;
				ents[nents].family = family;
				ents[nents].plen = plen;
				ents[nents].a = b->v[i].a;
				r->ents[r->nents++] = (uint32_t)nents;
				nents++;
				j++;
			}
			b->n = j;
			r->plens[r->nplens++] = plen;
		}
	}
}

static long ref_find_exact(int family, int plen, struct a128 a)
{
	struct rbucket *b = &rfam_of(family)->b[plen];
	struct rkey k = { a_mask(a, plen), 0 }, *hit;

	if (!b->n)
		return -1;
	hit = bsearch(&k, b->v, b->n, sizeof(*b->v), rkey_cmp);
	return hit ? (long)hit->ent : -1;
}

/* Most specific entry containing a, or -1. */
static long ref_lpm(int family, struct a128 a)
{
	struct rfam *r = rfam_of(family);
	int i;
	long e;

	for (i = 0; i < r->nplens; i++) {
		e = ref_find_exact(family, r->plens[i], a);
		if (e >= 0)
			return e;
	}
	return -1;
}

static bool ref_allowed(int family, struct a128 a)
{
	size_t i;

	for (i = 0; i < nallows; i++)
		if (allows[i].family == family &&
		    !a_cmp(a_mask(a, allows[i].plen), allows[i].a))
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Reference classifier: its own reading of the spec                    */

struct rres {
	int verdict;		/* XDP_PASS / XDP_DROP */
	int reason;
	bool looked_up;		/* the source address was checked */
	int family;
	struct a128 src;
	long ent;		/* LPM entry (even when allowlisted), -1 none */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool ref_vlan(uint16_t t)
{
	return t == 0x8100 || t == 0x88A8;
}

static bool ref_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static void ref_classify(const uint8_t *p, size_t len, struct rres *r)
{
	size_t off = 14, hl;
	uint16_t et;
	int tags, i;
	bool frag = false;
	uint8_t nh;

	memset(r, 0, sizeof(*r));
	r->verdict = XDP_PASS;
	r->ent = -1;
	r->reason = R_PASS_TRUNCATED;
	if (len < 14)
		return;
	et = be16(p + 12);
	for (tags = 0; tags < 2 && ref_vlan(et); tags++) {
		if (len < off + 4)
			return;
		et = be16(p + off + 2);
		off += 4;
	}
	if (ref_vlan(et)) {
		r->reason = R_PASS_VLAN_DEPTH;
		return;
	}
	if (et != 0x0800 && et != 0x86DD) {
		r->reason = R_PASS_NOT_IP;
		return;
	}
	if (len < off + (et == 0x0800 ? 20 : 40))
		return;		/* truncated */
	if ((p[off] >> 4) != (et == 0x0800 ? 4 : 6)) {
		r->reason = R_PASS_MALFORMED;
		return;
	}
	r->family = et == 0x0800 ? AF_INET : AF_INET6;
	r->src = a_from_bytes(r->family, p + off + (et == 0x0800 ? 12 : 8));
	r->looked_up = true;
	r->ent = ref_lpm(r->family, r->src);
	if (r->ent >= 0) {
		if (ref_allowed(r->family, r->src)) {
			r->reason = R_PASS_ALLOWLISTED;
		} else {
			r->reason = R_DROP_BLOCKLIST;
			r->verdict = XDP_DROP;
		}
		return;
	}
	if (et == 0x0800) {
		hl = (size_t)(p[off] & 0xF) * 4;
		if (hl < 20) {
			r->reason = R_PASS_MALFORMED;
			return;
		}
		if (len < off + hl)
			return;
		r->reason = (be16(p + off + 6) & 0x3FFF) ? R_PASS_FRAGMENT : R_PASS_NO_MATCH;
		return;
	}
	nh = p[off + 6];
	off += 40;
	for (i = 0; i < 8 && ref_ext(nh); i++) {
		if (len < off + 8)
			return;
		if (nh == 44) {
			frag = true;
			hl = 8;
		} else if (nh == 51) {
			hl = ((size_t)p[off + 1] + 2) * 4;
		} else {
			hl = ((size_t)p[off + 1] + 1) * 8;
		}
		if (len < off + hl)
			return;
		nh = p[off];
		off += hl;
	}
	if (ref_ext(nh)) {
		r->reason = R_PASS_EXTHDR;
		return;
	}
	r->reason = frag ? R_PASS_FRAGMENT : R_PASS_NO_MATCH;
}

/* ------------------------------------------------------------------ */
/* The list                                                             */

static const char *data_dir(void)
{
	static const char *const dirs[] = {
		"tests/data", "../shared/data", "/work/main/tests/data", "/work/shared/data",
	};
	static char buf[PATH_MAX];
	const char *e = getenv("ANYXDP_TEST_DATA");
	size_t i;

	if (e && *e)
		return e;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/ipsum.txt", dirs[i]);
		if (access(buf, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static void push_prefix(struct prefix_set *set, int family, int plen, struct a128 a)
{
	struct prefix p;

	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)family;
	p.plen = (uint8_t)plen;
	a_to_bytes(family, a_mask(a, plen), p.addr);
	if (pset_push(set, &p))
		harness_bail("out of memory");
}

static int random_plen(int family)
{
	if (family == AF_INET) {
		if (pct(50))
			return 32;
		return 8 + (int)rn(24);		/* 8..31 */
	}
	if (pct(30))
		return 128;
	switch (rn(5)) {
	case 0: return 32;
	case 1: return 48;
	case 2: return 64;
	default: return 16 + (int)rn(112);	/* 16..127 */
	}
}

/* First 32 bits shared by many v6 entries and packets, so the /32
 * filter slots collide; also the same low 24 bits, other top byte. */
static uint32_t v6_tops[64];

static struct a128 random_v6_addr(void)
{
	struct a128 a = a_random(AF_INET6);

	if (pct(60)) {
		uint32_t t = v6_tops[rn(64)];

		if (pct(15))
			t ^= (uint32_t)(1 + rn(255)) << 24;	/* same slot, other /8 */
		a.hi = (a.hi & 0xFFFFFFFFULL) | (uint64_t)t << 32;
	}
	return a;
}

static void build_list(struct prefix_set *set, size_t n_random)
{
	static const char *const files[] = { "ipsum.txt", "firehol_level1.netset", "dropv6.txt" };
	struct list_opts o = { .format = LF_AUTO, .skip_invalid = true, .quiet = true };
	const char *dir = data_dir();
	char path[PATH_MAX];
	size_t i, before;
	int k;

	for (k = 0; k < 64; k++)
		v6_tops[k] = (uint32_t)(0x20000000u | (uint32_t)rn(0x20000000u));
	if (dir) {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			struct list_report rep;

			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			before = set->n;
			memset(&rep, 0, sizeof(rep));
			if (list_parse_file(path, &o, set, &rep))
				harness_bail("cannot parse %s", path);
			diag("list %s: %zu entries", path, set->n - before);
		}
	} else {
		diag("no ipsum.txt in tests/data or shared/data: random entries only");
	}
	for (i = 0; i < n_random; i++) {
		int family = i & 1 ? AF_INET6 : AF_INET;
		struct a128 a = family == AF_INET ? a_random(AF_INET) : random_v6_addr();

		push_prefix(set, family, random_plen(family), a);
	}
	/* a few short ones and exact duplicates */
	push_prefix(set, AF_INET, 5, a_random(AF_INET));
	push_prefix(set, AF_INET, 9, a_random(AF_INET));
	push_prefix(set, AF_INET6, 7, (struct a128){ 0xFC00000000000000ULL, 0 });
	push_prefix(set, AF_INET6, 12, random_v6_addr());
	push_prefix(set, AF_INET6, 19, random_v6_addr());
	push_prefix(set, AF_INET6, 27, random_v6_addr());
	before = set->n;
	for (i = 0; i < before && i < 100; i++) {
		struct prefix dup = set->v[rn(before)];

		if (pset_push(set, &dup))
			harness_bail("out of memory");
	}
}

static void add_allow(struct fixture *f, int family, int plen, struct a128 a)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];

	if (nallows >= sizeof(allows) / sizeof(allows[0]))
		return;
	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)family;
	p.plen = (uint8_t)plen;
	a_to_bytes(family, a_mask(a, plen), p.addr);
	if (allow_update(&f->m, &p, true))
		harness_bail("allow_update %s", prefix_format(&p, buf, sizeof(buf)));
	allows[nallows].family = family;
	allows[nallows].plen = plen;
	allows[nallows].a = a_mask(a, plen);
	nallows++;
}

/* A random entry of the family; half the time of a random length first,
 * so CIDRs are picked as often as the 120k IPsum hosts. */
static const struct rent *pick_entry(int family)
{
	struct rfam *r = rfam_of(family);

	if (!r->nents)
		return NULL;
	if (pct(50)) {
		int plen = r->plens[rn((uint64_t)r->nplens)];
		struct rbucket *b = &r->b[plen];

		return &ents[b->v[rn(b->n)].ent];
	}
	return &ents[r->ents[rn(r->nents)]];
}

static struct a128 inside(int family, int plen, struct a128 base)
{
	struct a128 host = a_random(family);
	struct a128 netmask = a_mask((struct a128){ ~0ULL, ~0ULL }, plen);

	host.hi &= ~netmask.hi;
	host.lo &= ~netmask.lo;
	if (family == AF_INET)
		host = a_mask(host, 32);
	return (struct a128){ base.hi | host.hi, base.lo | host.lo };
}

static void make_allowlist(struct fixture *f)
{
	int i, family;

	for (i = 0; i < 16; i++) {
		const struct rent *e;

		family = i & 1 ? AF_INET6 : AF_INET;
		e = pick_entry(family);
		if (!e)
			continue;
		switch (i / 2 % 4) {
		case 0:		/* exactly an entry */
			add_allow(f, family, e->plen, e->a);
			break;
		case 1:		/* a host inside an entry */
			add_allow(f, family, fam_bits(family), inside(family, e->plen, e->a));
			break;
		case 2:		/* a longer prefix inside */
			if (e->plen + 4 <= fam_bits(family))
				add_allow(f, family, e->plen + 4, inside(family, e->plen, e->a));
			break;
		case 3:		/* a shorter prefix covering it */
			if (e->plen >= 12)
				add_allow(f, family, e->plen - 8, e->a);
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Packets                                                              */

static struct a128 pick_source(int family)
{
	const struct rent *e;
	const struct rallow *al;
	unsigned int mode = (unsigned int)rn(100);

	if (mode < 30 && (e = pick_entry(family)))
		return inside(family, e->plen, e->a);
	if (mode < 45 && (e = pick_entry(family))) {
		int bits = fam_bits(family);

		switch (rn(4)) {
		case 0:		/* just below */
			return a_mask(a_sub(e->a, a_unit(bits - 1)), bits);
		case 1:		/* just past the end */
			return a_mask(a_add(e->a, e->plen ? a_unit(e->plen - 1) : (struct a128){ 0, 0 }), bits);
		case 2: {	/* one network bit flipped */
			struct a128 a = inside(family, e->plen, e->a);
			struct a128 u = e->plen ? a_unit((int)rn((uint64_t)e->plen)) : a_unit(0);

			return (struct a128){ a.hi ^ u.hi, a.lo ^ u.lo };
		}
		default:	/* the first address */
			return e->a;
		}
	}
	if (mode < 55 && nallows) {
		al = &allows[rn(nallows)];
		if (al->family == family)
			return pct(70) ? inside(family, al->plen, al->a) :
			       a_mask(a_sub(al->a, a_unit(fam_bits(family) - 1)), fam_bits(family));
	}
	return family == AF_INET ? a_random(AF_INET) : random_v6_addr();
}

static const uint8_t ext_types[] = { PKT_EXT_HOP, PKT_EXT_ROUTING, PKT_EXT_DST, PKT_EXT_FRAG, PKT_EXT_AH };

static uint16_t random_tpid(void)
{
	unsigned int r = (unsigned int)rn(100);

	return r < 45 ? 0x8100 : r < 90 ? 0x88A8 : r < 95 ? 0x9100 : (uint16_t)rng();
}

/* A random packet into buf; returns its length (14..RUN_MAX_LEN). */
static size_t gen_packet(uint8_t *buf)
{
	struct pkt_spec s;
	struct pkt_layout lo;
	size_t len;
	int i;
	unsigned int r;

	memset(&s, 0, sizeof(s));
	s.family = pct(50) ? AF_INET : AF_INET6;
	if (pct(2))
		s.family = 0;	/* raw frame */
	if (s.family) {
		a_to_bytes(s.family, pick_source(s.family), s.src);
		a_to_bytes(s.family, a_random(s.family), s.dst);
	}
	r = (unsigned int)rn(100);
	s.nvlan = r < 55 ? 0 : r < 75 ? 1 : r < 92 ? 2 : r < 98 ? 3 : 4;
	for (i = 0; i < s.nvlan; i++)
		s.tpid[i] = pct(80) ? 0 : random_tpid();
	if (pct(6)) {
		static const uint16_t ets[] = { 0x0806, 0x88CC, 0x8847, 0x0800, 0x86DD, 0x8100, 0x88A8, 0 };

		s.ethertype = ets[rn(sizeof(ets) / sizeof(ets[0]))];
		if (!s.ethertype)
			s.ethertype = (uint16_t)rng();
	}
	if (pct(3))
		s.version = (uint8_t)(1 + rn(16));	/* 16 = PKT_NIBBLE_ZERO */
	r = (unsigned int)rn(100);
	s.proto = r < 50 ? IPPROTO_UDP : r < 75 ? IPPROTO_TCP : r < 90 ?
		  (s.family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6) : (uint8_t)rng();
	s.payload_len = (uint16_t)(pct(5) ? rn(1400) : rn(64));
	s.fill = (uint8_t)rng();
	if (s.family == AF_INET) {
		if (pct(20))
			s.optlen = (uint8_t)(4 * (1 + rn(10)));
		if (pct(8))
			s.ihl = (uint8_t)(1 + rn(16));		/* 16 = zero nibble */
		r = (unsigned int)rn(100);
		if (r < 8)
			s.frag = PKT_IP4_MF;
		else if (r < 14)
			s.frag = (uint16_t)(1 + rn(PKT_IP4_OFFMASK));
		else if (r < 18)
			s.frag = (uint16_t)(PKT_IP4_MF | (1 + rn(PKT_IP4_OFFMASK)));
		else if (r < 24)
			s.frag = PKT_IP4_DF;
		else if (r < 27)
			s.frag = PKT_IP4_RF;
		else if (r < 30)
			s.frag = (uint16_t)rng();
	} else if (s.family == AF_INET6) {
		if (pct(55)) {
			s.n_ext = (int)(1 + rn(10));
			for (i = 0; i < s.n_ext; i++) {
				struct pkt_ext *e = &s.ext[i];

				e->type = ext_types[rn(sizeof(ext_types))];
				if (pct(2))
					e->type = (uint8_t)rng();	/* ends the chain */
				e->len = (uint8_t)(pct(85) ? rn(3) : rn(24));
				e->frag = (uint16_t)(pct(50) ? 1 : rng());
				if (pct(3))
					e->raw_len = (uint8_t)rng();	/* lying length */
			}
		}
	}
	len = pkt_build(buf, PKT_MAX_LEN, &s, &lo);
	if (!len) {		/* did not fit: plain */
		memset(&s, 0, sizeof(s));
		s.family = AF_INET;
		len = pkt_build(buf, PKT_MAX_LEN, &s, &lo);
	}
	if (len > RUN_MAX_LEN)
		len = RUN_MAX_LEN;
	/* random cut: anywhere, or near a header boundary */
	if (pct(20)) {
		size_t cut;

		if (pct(50)) {
			cut = 14 + rn(len - 14 + 1);
		} else {
			size_t marks[4 + PKT_MAX_EXT];
			size_t nm = 0;

			marks[nm++] = lo.l2_len;
			marks[nm++] = lo.l3_fixed_end;
			marks[nm++] = lo.l3_end;
			for (i = 0; i < s.n_ext && i < PKT_MAX_EXT; i++)
				marks[nm++] = lo.ext_end[i];
			cut = marks[rn(nm)] + rn(5) - 2;
		}
		if (cut < 14)
			cut = 14;
		if (cut < len)
			len = cut;
	}
	/* byte flips in the headers */
	if (pct(10)) {
		size_t span = lo.l3_end + 8 < len ? lo.l3_end + 8 : len;
		int nf = 1 + (int)rn(3);

		for (i = 0; i < nf; i++)
			buf[rn(span)] ^= (uint8_t)(1 + rn(255));
	}
	return len;
}

/* ------------------------------------------------------------------ */
/* Stats: all slots in one batch lookup                                  */

struct stats {
	int fd, ncpus;
	__u32 slots;
	__u32 *keys;
	struct counter *vals;
	bool batch;
};

static int stats_init(struct stats *st, int fd, int ncpus)
{
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	st->fd = fd;
	st->ncpus = ncpus;
	st->slots = info.max_entries;
	st->keys = calloc(st->slots, sizeof(*st->keys));
	st->vals = calloc((size_t)st->slots * (size_t)ncpus, sizeof(*st->vals));
	st->batch = true;
	return st->keys && st->vals ? 0 : -ENOMEM;
}

/* One slot summed over CPUs. */
static int slot_read(struct stats *st, __u32 k, struct counter *out)
{
	int c;

	if (bpf_map_lookup_elem(st->fd, &k, st->vals))
		return -errno;
	out->packets = out->bytes = 0;
	for (c = 0; c < st->ncpus; c++) {
		out->packets += st->vals[c].packets;
		out->bytes += st->vals[c].bytes;
	}
	return 0;
}

/* out[slots]: every slot summed over CPUs */
static int stats_read(struct stats *st, struct counter *out)
{
	__u32 count = st->slots, i, k;
	int err, c;

	memset(out, 0, st->slots * sizeof(*out));
	if (st->batch) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		__u32 next = 0;

		err = bpf_map_lookup_batch(st->fd, NULL, &next, st->keys, st->vals, &count, &o);
		if (err && err != -ENOENT) {
			st->batch = false;
		} else {
			for (i = 0; i < count; i++) {
				k = st->keys[i];
				if (k >= st->slots)
					continue;
				for (c = 0; c < st->ncpus; c++) {
					out[k].packets += st->vals[(size_t)i * st->ncpus + c].packets;
					out[k].bytes += st->vals[(size_t)i * st->ncpus + c].bytes;
				}
			}
			return 0;
		}
	}
	for (k = 0; k < st->slots; k++) {
		err = percpu_sum(st->fd, &k, st->ncpus, &out[k]);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

static void describe_ref(char *buf, size_t len, const struct rres *r)
{
	char p[PREFIX_STRLEN] = "-";

	if (r->ent >= 0) {
		struct prefix x;

		memset(&x, 0, sizeof(x));
		x.family = (uint8_t)ents[r->ent].family;
		x.plen = (uint8_t)ents[r->ent].plen;
		a_to_bytes(x.family, ents[r->ent].a, x.addr);
		prefix_format(&x, p, sizeof(p));
	}
	snprintf(buf, len, "%s %s entry %s", r->verdict == XDP_DROP ? "DROP" : "PASS",
		 reason_name(r->reason), p);
}

static size_t shown;

static void show_mismatch(size_t idx, const uint8_t *pkt, size_t len, const struct rres *r,
			  const char *what)
{
	char rb[160];

	if (shown++ >= MAX_SHOWN)
		return;
	describe_ref(rb, sizeof(rb), r);
	printf("# mismatch at packet %zu (%zu bytes): reference %s; program %s\n",
	       idx, len, rb, what);
	pkt_hex(stdout, "#   ", pkt, len);
}

static uint64_t env_or(const char *name, const char *arg, uint64_t def)
{
	const char *s = arg ? arg : getenv(name);

	if (!s || !*s)
		return def;
	return strtoull(s, NULL, 0);
}

int main(int argc, char **argv)
{
	uint64_t seed = env_or("ANYXDP_DIFF_SEED", argc > 1 ? argv[1] : NULL, DEFAULT_SEED);
	size_t npk = (size_t)env_or("ANYXDP_DIFF_PACKETS", argc > 2 ? argv[2] : NULL, DEFAULT_PACKETS);
	struct prefix_set set = { 0 }, rd = { 0 };
	struct bl_entry *be = NULL;
	struct blset_report rep;
	struct fixture f;
	struct stats st;
	struct counter *expect, *cur;
	size_t last_full = 0;
	static uint8_t pkt[PKT_MAX_LEN], out[PKT_MAX_LEN + 512];
	size_t i, j, bad_verdict = 0, bad_reason = 0, aborted = 0, run_err = 0, bad_out = 0;
	size_t checks = 0, bad_check = 0, bad_entries = 0, by_reason[R_MAX] = { 0 };
	double t0 = harness_now(), t1, t2;
	uint64_t drops = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu, %zu packets (rerun: %s %llu %zu)\n", (unsigned long long)seed, npk,
	       argv[0], (unsigned long long)seed, npk);
	rng_seed(seed);

	if (fixture_setup(&f))
		harness_bail("fixture setup");

	/* the list: project parser for the feeds, reference from the raw
	 * (not yet deduplicated) prefixes */
	build_list(&set, 40000);
	for (i = 0; i < set.n; i++)
		ref_add(set.v[i].family, set.v[i].plen,
			a_from_bytes(set.v[i].family, set.v[i].addr));
	ref_finish();
	pset_sort_dedupe(&set);
	memset(&rep, 0, sizeof(rep));
	i = (size_t)blset_commit(&f.m, &set, &rep);
	if (!ok(i == 0, "commit %zu entries (%zu v4, %zu v6, %.0f ms)",
		set.n, rep.v4, rep.v6, rep.build_ms + rep.switch_ms))
		harness_bail("blset_commit: %d", (int)i);
	ok(set.n == nents, "project dedupe and reference agree on the entry count (%zu, %zu)",
	   set.n, nents);
	make_allowlist(&f);
	diag("reference: %zu entries (%zu v4 in %d lengths, %zu v6 in %d lengths), %zu allowlist prefixes",
	     nents, ref4.nents, ref4.nplens, ref6.nents, ref6.nplens, nallows);

	if (stats_init(&st, f.m.stats, f.m.ncpus))
		harness_bail("stats map info");
	expect = calloc(st.slots, sizeof(*expect));
	cur = calloc(st.slots, sizeof(*cur));
	if (!expect || !cur || stats_read(&st, expect))
		harness_bail("read stats");

	t1 = harness_now();
	for (i = 0; i < npk; i++) {
		struct rres r;
		struct prefix match;
		struct counter cb = { 0, 0 }, ca = { 0, 0 };
		size_t len = gen_packet(pkt);
		__u32 retval = 0, out_len = sizeof(out);
		struct counter sc = { 0, 0 };
		bool sample, slot_bad;
		int err, cb_err = 0;
		char what[256], slots[160] = "";

		ref_classify(pkt, len, &r);
		by_reason[r.reason]++;
		sample = r.looked_up && i % CHECK_EVERY == 0;
		if (sample) {
			uint8_t ab[16];

			a_to_bytes(r.family, r.src, ab);
			memset(&match, 0, sizeof(match));
			cb_err = blset_check(&f.m, r.family, ab, &match, &cb);
		}
		err = fixture_run(&f, pkt, len, &retval, out, &out_len);
		if (err) {
			run_err++;
			snprintf(what, sizeof(what), "test run error %d", err);
			show_mismatch(i, pkt, len, &r, what);
			continue;
		}
		/*
		 * Stats: the reference's slot must have moved by exactly
		 * +1/+len (read now, for this packet alone); every
		 * FULL_EVERY packets, and at once on a miss, all slots must
		 * equal the running expectation, so no other slot moved:
		 * the reason is checked on every packet.
		 */
		expect[r.reason].packets++;
		expect[r.reason].bytes += len;
		if (slot_read(&st, (__u32)r.reason, &sc))
			harness_bail("read stats");
		slot_bad = sc.packets != expect[r.reason].packets ||
			   sc.bytes != expect[r.reason].bytes;
		if (slot_bad || (i + 1) % FULL_EVERY == 0 || i + 1 == npk) {
			size_t at = 0;

			if (stats_read(&st, cur))
				harness_bail("read stats");
			for (j = 0; j < st.slots; j++) {
				long long dp = (long long)(cur[j].packets - expect[j].packets);
				long long db = (long long)(cur[j].bytes - expect[j].bytes);

				if ((dp || db) && at < sizeof(slots) - 1)
					at += (size_t)snprintf(slots + at, sizeof(slots) - at,
							       "%s%s %+lld/%+lld", at ? ", " : "",
							       reason_name((int)j), dp, db);
			}
			if (at && !slot_bad) {
				bad_reason++;
				snprintf(what, sizeof(what),
					 "a stats slot moved that no packet in %zu..%zu explains: %s",
					 last_full, i, slots);
				show_mismatch(i, pkt, len, &r, what);
			}
			memcpy(expect, cur, st.slots * sizeof(*cur));
			last_full = i + 1;
		}
		if (r.reason == R_DROP_BLOCKLIST) {
			ents[r.ent].packets++;
			ents[r.ent].bytes += len;
			drops++;
		}

		if (retval == XDP_ABORTED)
			aborted++;
		if (retval != (__u32)r.verdict) {
			bad_verdict++;
			snprintf(what, sizeof(what), "retval %u, stats vs reference: %s", retval,
				 slot_bad ? slots : "as expected");
			show_mismatch(i, pkt, len, &r, what);
		} else if (slot_bad) {
			bad_reason++;
			snprintf(what, sizeof(what), "retval %u, stats vs reference: %s", retval, slots);
			show_mismatch(i, pkt, len, &r, what);
		} else if (retval == XDP_PASS && (out_len != len || memcmp(out, pkt, len))) {
			bad_out++;
			show_mismatch(i, pkt, len, &r, "passed packet was changed");
		}

		if (sample) {
			uint8_t ab[16];
			struct prefix want;
			bool good;
			int ca_err;

			a_to_bytes(r.family, r.src, ab);
			ca_err = blset_check(&f.m, r.family, ab, &match, &ca);
			checks++;
			if (r.ent < 0) {
				good = cb_err == -ENOENT && ca_err == -ENOENT;
			} else {
				memset(&want, 0, sizeof(want));
				want.family = (uint8_t)r.family;
				want.plen = (uint8_t)ents[r.ent].plen;
				a_to_bytes(r.family, ents[r.ent].a, want.addr);
				good = !cb_err && !ca_err && match.family == want.family &&
				       match.plen == want.plen &&
				       !memcmp(match.addr, want.addr, sizeof(want.addr));
				if (r.reason == R_DROP_BLOCKLIST)
					good = good && ca.packets - cb.packets == 1 &&
					       ca.bytes - cb.bytes == len;
				else
					good = good && ca.packets == cb.packets && ca.bytes == cb.bytes;
			}
			if (!good) {
				char mb[PREFIX_STRLEN] = "-";

				if (!ca_err)
					prefix_format(&match, mb, sizeof(mb));
				bad_check++;
				snprintf(what, sizeof(what),
					 "blset_check %d/%d match %s counter +%llu/+%llu",
					 cb_err, ca_err, mb,
					 (unsigned long long)(ca.packets - cb.packets),
					 (unsigned long long)(ca.bytes - cb.bytes));
				show_mismatch(i, pkt, len, &r, what);
			}
		}
	}
	t2 = harness_now();

	/* every entry's counter against the reference's count */
	i = (size_t)blset_read(&f.m, &rd, &be);
	if (!ok(i == 0 && rd.n == nents, "blset_read: %zu entries, reference %zu", rd.n, nents))
		bad_entries++;
	for (i = 0; i < rd.n && be; i++) {
		long e = ref_find_exact(be[i].p.family, be[i].p.plen,
					a_from_bytes(be[i].p.family, be[i].p.addr));

		if (e < 0 || ents[e].plen != be[i].p.plen || be[i].c.packets != ents[e].packets ||
		    be[i].c.bytes != ents[e].bytes) {
			char pb[PREFIX_STRLEN];

			if (bad_entries++ < MAX_SHOWN)
				printf("# entry %s: program %llu/%llu, reference %llu/%llu\n",
				       prefix_format(&be[i].p, pb, sizeof(pb)),
				       (unsigned long long)be[i].c.packets,
				       (unsigned long long)be[i].c.bytes,
				       e < 0 ? 0ULL : (unsigned long long)ents[e].packets,
				       e < 0 ? 0ULL : (unsigned long long)ents[e].bytes);
		}
	}
	free(be);
	pset_free(&rd);
	free(expect);
	free(cur);

	for (i = 0; i < R_MAX; i++)
		diag("  %-18s %zu", reason_name((int)i), by_reason[i]);
	ok(run_err == 0, "%zu packets run, %zu test run errors", npk, run_err);
	ok(aborted == 0, "no XDP_ABORTED (%zu)", aborted);
	ok(bad_verdict == 0, "verdicts agree (%zu mismatches)", bad_verdict);
	ok(bad_reason == 0, "reasons agree: exactly the reference's stats slot moved, +1/+len (%zu mismatches)",
	   bad_reason);
	ok(bad_out == 0, "passed packets unchanged (%zu changed)", bad_out);
	ok(bad_check == 0, "blset_check agrees on %zu sampled sources (%zu mismatches)", checks,
	   bad_check);
	ok(bad_entries == 0, "all %zu entry counters equal the reference (%zu differ, %llu drops)",
	   nents, bad_entries, (unsigned long long)drops);
	if (npk >= 100000) {
		/* The reference models the blocklist; steering has its own
		 * table-driven tests (test_steer.c) and no served prefixes here. */
		for (i = 0; i <= R_DROP_BLOCKLIST; i++)
			if (i != R_PASS_NO_LIST)
				ok(by_reason[i] > 0, "coverage: %s seen %zu times",
				   reason_name((int)i), by_reason[i]);
	}
	printf("# packets %zu, mismatches %zu, elapsed %.1f s (setup %.1f s, packets %.1f s, %.0f packets/s)\n",
	       npk, bad_verdict + bad_reason + bad_out + bad_check + run_err + bad_entries,
	       harness_now() - t0, t1 - t0, t2 - t1, (double)npk / (t2 - t1));
	fixture_teardown(&f);
	pset_free(&set);
	return harness_done();
}
