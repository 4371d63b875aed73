// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup cost: ns per packet of anyxdp_xdp against a plain LPM trie
 * program (bpf/bench_lpm.bpf.c) holding the same entries, measured with
 * bpf_prog_test_run_opts (the kernel reports the mean duration of
 * `repeat` runs), for hits and misses on four data sets:
 *   empty, ipsum, ipsum + firehol_level1, 1M synthetic (seeded).
 *
 * Two ways of feeding packets, both printed:
 *   hot       16 different packets, each run `repeat` times in a row;
 *             the mean over the 64 (the lookup's cache lines stay hot)
 *   rotating  one test_run whose every run has a different source:
 *             bench_rot_xdp (bpf/bench_gen.bpf.c) writes the next of
 *             65,536 addresses into the frame and tail-calls the program
 *             under test (closer to many sources hitting a big list)
 * Each number is the median of --reps repetitions; the two programs are
 * measured alternately. Hit and miss addresses are checked against a
 * reference interval matcher, and every run's verdicts are checked in
 * the programs' own counters.
 *
 * --sizes N,N,..: also the same cases (IPv4 hit and miss) against list
 * size: a seeded random subset of ipsum for N up to its size, of the
 * synthetic set above it. --tsv-dir DIR (default $BENCH_TSV_DIR) writes
 * the tables as TSV too: lookup.tsv, lookup-size.tsv.
 *
 *   build/bench_lookup [--data DIR] [--reps N] [--quick] [--no-1m]
 *                      [--sizes N,N,..] [--tsv-dir DIR]
 *   build/bench_lookup --write-synthetic FILE   (the 1M set, one prefix a line)
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include <sys/sysinfo.h>

#include "harness.h"
#include "pkt.h"
#include "listparse.h"
#include "sweep.h"
#include "bench_lpm.skel.h"
#include "bench_gen.skel.h"
#include "bench_drop.skel.h"

/* Each test_run call costs ~16 ms of wall time outside the measured
 * runs (the kernel swaps the program into the XDP dispatcher and waits
 * for RCU), so the calls are kept few: 16 packets with many repeats. */
#define NHOT 16			/* packets of the hot mode */
#define NROT 65536		/* sources of the rotating mode (ROT_MAX_ADDRS) */
#define MAX_REPS 15

static struct {
	const char *data;
	int reps;
	bool quick, no_1m;
	const char *write_synth;
	const char *sizes, *tsv_dir;
} opt = { .reps = 5 };

static int ncpus;
static __u32 hot_repeat = 50000;	/* runs per packet, hot mode */
static __u32 rot_repeat = 1 << 18;	/* runs per test_run, rotating mode */

/* ------------------------------------------------------------------ */
/* Seeded randomness                                                   */

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------------ */
/* Reference matcher: merged address intervals per family              */

typedef unsigned __int128 u128;

struct ival {
	u128 lo, hi;
};

struct ref {
	struct ival *v[2];	/* [0] IPv4, [1] IPv6; sorted, merged */
	size_t n[2];
};

static u128 addr_to_u128(int family, const uint8_t *a)
{
	u128 v = 0;
	int i, len = family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++)
		v = (v << 8) | a[i];
	return v;
}

static void u128_to_addr(int family, u128 v, uint8_t *a)
{
	int i, len = family == AF_INET ? 4 : 16;

	memset(a, 0, 16);
	for (i = len - 1; i >= 0; i--) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static u128 host_mask(int family, int plen)
{
	int bits = (family == AF_INET ? 32 : 128) - plen;

	if (bits == 0)
		return 0;
	if (bits == 128)
		return ~(u128)0;
	return ((u128)1 << bits) - 1;
}

static int cmp_ival(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void ref_build(struct ref *r, const struct prefix_set *set)
{
	size_t i, f, m;

	memset(r, 0, sizeof(*r));
	for (f = 0; f < 2; f++)
		r->v[f] = calloc(set->n + 1, sizeof(struct ival));
	for (i = 0; i < set->n; i++) {
		const struct prefix *p = &set->v[i];

		f = p->family == AF_INET6;
		r->v[f][r->n[f]].lo = addr_to_u128(p->family, p->addr);
		r->v[f][r->n[f]].hi = r->v[f][r->n[f]].lo | host_mask(p->family, p->plen);
		r->n[f]++;
	}
	for (f = 0; f < 2; f++) {
		qsort(r->v[f], r->n[f], sizeof(struct ival), cmp_ival);
		for (i = 0, m = 0; i < r->n[f]; i++) {
			if (m && r->v[f][i].lo <= r->v[f][m - 1].hi) {
				if (r->v[f][i].hi > r->v[f][m - 1].hi)
					r->v[f][m - 1].hi = r->v[f][i].hi;
			} else {
				r->v[f][m++] = r->v[f][i];
			}
		}
		r->n[f] = m;
	}
}

static bool ref_listed(const struct ref *r, int family, const uint8_t *a)
{
	int f = family == AF_INET6;
	u128 x = addr_to_u128(family, a);
	size_t lo = 0, hi = r->n[f];

	while (lo < hi) {	/* first interval with lo > x */
		size_t mid = (lo + hi) / 2;

		if (r->v[f][mid].lo <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && x <= r->v[f][lo - 1].hi;
}

static void ref_free(struct ref *r)
{
	free(r->v[0]);
	free(r->v[1]);
}

/* ------------------------------------------------------------------ */
/* Data sets                                                           */

struct dataset {
	const char *name;
	struct prefix_set set;
	size_t n4, n6, hosts4, hosts6;
	struct prefix *host[2], *cidr[2];	/* by family */
	size_t nhost[2], ncidr[2];
	struct ref ref;
};

static int parse_into(const char *dir, const char *file, struct prefix_set *set)
{
	struct list_opts lo = { .quiet = true };
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	err = list_parse_file(path, &lo, set, NULL);
	if (err)
		fprintf(stderr, "bench_lookup: cannot parse %s: %s\n", path, strerror(-err));
	return err;
}

/* IPv4 unicast 1.0.0.0 .. 223.255.255.255, network order. */
static void rand_v4(uint8_t *a)
{
	uint32_t v;

	do {
		v = (uint32_t)rng();
	} while ((v >> 24) == 0 || (v >> 24) >= 224 || (v >> 24) == 127);
	memset(a, 0, 16);
	a[0] = v >> 24;
	a[1] = v >> 16;
	a[2] = v >> 8;
	a[3] = v;
}

/* IPv6 in 2000::/3. */
static void rand_v6(uint8_t *a)
{
	uint64_t x = rng(), y = rng();
	int i;

	for (i = 0; i < 8; i++) {
		a[i] = x >> (56 - 8 * i);
		a[8 + i] = y >> (56 - 8 * i);
	}
	a[0] = 0x20 | (a[0] & 0x1f);
}

/* Prefix lengths with weights; firehol_level1's CIDRs for IPv4 (its
 * /8../31 counts), Spamhaus DROPv6-like for IPv6 plus common /56, /64. */
static const int v4_len[][2] = {
	{ 8, 4 }, { 9, 2 }, { 10, 5 }, { 11, 2 }, { 12, 5 }, { 13, 3 }, { 14, 18 },
	{ 15, 26 }, { 16, 209 }, { 17, 28 }, { 18, 73 }, { 19, 133 }, { 20, 213 },
	{ 21, 349 }, { 22, 569 }, { 23, 938 }, { 24, 1729 }, { 25, 25 }, { 26, 19 },
	{ 27, 12 }, { 28, 1 }, { 29, 3 }, { 31, 22 },
};
static const int v6_len[][2] = {
	{ 29, 26 }, { 32, 14 }, { 36, 3 }, { 40, 4 }, { 44, 2 }, { 48, 23 },
	{ 56, 10 }, { 64, 18 },
};

static int pick_len(const int (*t)[2], size_t n)
{
	int total = 0, r;
	size_t i;

	for (i = 0; i < n; i++)
		total += t[i][1];
	r = (int)(rng() % (uint64_t)total);
	for (i = 0; i < n; i++) {
		if (r < t[i][1])
			return t[i][0];
		r -= t[i][1];
	}
	return t[n - 1][0];
}

/* Append want distinct prefixes of one kind to out. */
static void gen_kind(struct prefix_set *out, size_t want, int family, int kind)
{
	struct prefix_set tmp = { 0 };
	struct prefix p;
	size_t i;

	while (tmp.n < want) {
		for (i = tmp.n; i < want; i++) {
			memset(&p, 0, sizeof(p));
			p.family = family;
			if (family == AF_INET) {
				rand_v4(p.addr);
				p.plen = kind ? pick_len(v4_len, sizeof(v4_len) / sizeof(v4_len[0])) : 32;
			} else {
				rand_v6(p.addr);
				p.plen = kind ? pick_len(v6_len, sizeof(v6_len) / sizeof(v6_len[0])) : 128;
			}
			prefix_mask(&p);
			pset_push(&tmp, &p);
		}
		pset_sort_dedupe(&tmp);
	}
	for (i = 0; i < want; i++)
		pset_push(out, &tmp.v[i]);
	pset_free(&tmp);
}

/* 900k IPv4 /32, 50k IPv4 CIDRs, 40k IPv6 /128, 10k IPv6 CIDRs. */
static void make_synthetic(struct prefix_set *set)
{
	rng_state = 20260822;
	gen_kind(set, 900000, AF_INET, 0);
	gen_kind(set, 50000, AF_INET, 1);
	gen_kind(set, 40000, AF_INET6, 0);
	gen_kind(set, 10000, AF_INET6, 1);
	pset_sort_dedupe(set);
}

static void dataset_index(struct dataset *d)
{
	size_t i, f;

	pset_sort_dedupe(&d->set);
	for (f = 0; f < 2; f++) {
		d->host[f] = calloc(d->set.n + 1, sizeof(struct prefix));
		d->cidr[f] = calloc(d->set.n + 1, sizeof(struct prefix));
	}
	for (i = 0; i < d->set.n; i++) {
		const struct prefix *p = &d->set.v[i];
		bool host = p->plen == (p->family == AF_INET ? 32 : 128);

		f = p->family == AF_INET6;
		if (host)
			d->host[f][d->nhost[f]++] = *p;
		else
			d->cidr[f][d->ncidr[f]++] = *p;
	}
	d->n4 = d->nhost[0] + d->ncidr[0];
	d->n6 = d->nhost[1] + d->ncidr[1];
	ref_build(&d->ref, &d->set);
}

static void dataset_free(struct dataset *d)
{
	pset_free(&d->set);
	free(d->host[0]);
	free(d->host[1]);
	free(d->cidr[0]);
	free(d->cidr[1]);
	ref_free(&d->ref);
}

/* ------------------------------------------------------------------ */
/* Addresses for a case                                                */

enum kase { K_HIT, K_HIT_CIDR, K_MISS };
static const char *const kase_names[] = { "hit /32,/128", "hit in CIDR", "miss" };

/* NROT addresses (16 bytes each) of the case; false if impossible. */
static bool make_addrs(struct dataset *d, int family, enum kase k, uint8_t (*out)[16])
{
	int f = family == AF_INET6;
	size_t i, tries;

	if (k == K_HIT && !d->nhost[f])
		return false;
	if (k == K_HIT_CIDR && !d->ncidr[f])
		return false;
	for (i = 0; i < NROT; i++) {
		struct prefix hp;

		for (tries = 0;; tries++) {
			if (tries > 1000000) {
				fprintf(stderr, "bench_lookup: cannot find addresses for %s\n",
					kase_names[k]);
				exit(1);
			}
			if (k == K_HIT) {
				memcpy(out[i], d->host[f][rng() % d->nhost[f]].addr, 16);
			} else if (k == K_HIT_CIDR) {
				const struct prefix *p = &d->cidr[f][rng() % d->ncidr[f]];
				uint8_t r[16];
				u128 v;

				if (family == AF_INET)
					rand_v4(r);
				else
					rand_v6(r);
				v = addr_to_u128(family, p->addr) |
				    (addr_to_u128(family, r) & host_mask(family, p->plen));
				u128_to_addr(family, v, out[i]);
				/* not also a listed host: that is the other case */
				memset(&hp, 0, sizeof(hp));
				hp.family = family;
				hp.plen = family == AF_INET ? 32 : 128;
				memcpy(hp.addr, out[i], 16);
				if (pset_contains_exact(&d->set, &hp))
					continue;
			} else if (family == AF_INET) {
				rand_v4(out[i]);
			} else {
				rand_v6(out[i]);
			}
			if (ref_listed(&d->ref, family, out[i]) == (k != K_MISS))
				break;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Programs                                                            */

struct contender {
	const char *name;
	int prog_fd;
	int stats_fd;		/* per-CPU struct counter array */
	__u32 drop_key, pass_key;
};

static struct fixture fx;
static struct bench_gen_bpf *rot;
static struct bench_drop_bpf *base;
static struct bench_lpm_bpf *lpm;

static uint64_t counter_sum(int fd, __u32 key)
{
	struct counter c;

	return percpu_sum(fd, &key, ncpus, &c) ? 0 : c.packets;
}

static size_t build_pkt(int family, const uint8_t *src, uint8_t *buf)
{
	struct pkt_spec s;

	memset(&s, 0, sizeof(s));
	s.family = family;
	memcpy(s.src, src, 16);
	if (family == AF_INET) {
		pkt_addr("198.18.0.2", s.dst);
		s.payload_len = 18;	/* 60-byte frame */
	} else {
		pkt_addr("2001:db8::2", s.dst);
	}
	return pkt_build(buf, PKT_MAX_LEN, &s, NULL);
}

static int verdict_errors;

/* Mean ns per run over the NHOT packets, each run hot_repeat times. */
static double run_hot(struct contender *c, int family, uint8_t (*addrs)[16], bool hit)
{
	uint8_t buf[PKT_MAX_LEN];
	uint64_t d0 = c->stats_fd >= 0 ? counter_sum(c->stats_fd, c->drop_key) : 0, d1;
	double total = 0;
	int i, err;

	for (i = 0; i < NHOT; i++) {
		size_t len = build_pkt(family, addrs[i], buf);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
			    .repeat = hot_repeat);

		err = bpf_prog_test_run_opts(c->prog_fd, &o);
		if (err) {
			fprintf(stderr, "bench_lookup: test_run %s: %s\n", c->name, strerror(errno));
			exit(1);
		}
		if (o.retval != (hit ? XDP_DROP : XDP_PASS))
			verdict_errors++;
		total += o.duration;
	}
	if (c->stats_fd >= 0) {
		d1 = counter_sum(c->stats_fd, c->drop_key);
		if (d1 - d0 != (hit ? (uint64_t)NHOT * hot_repeat : 0)) {
			fprintf(stderr, "bench_lookup: %s dropped %llu of %llu (expected %s)\n",
				c->name, (unsigned long long)(d1 - d0),
				(unsigned long long)NHOT * hot_repeat, hit ? "all" : "none");
			verdict_errors++;
		}
	}
	return total / NHOT;
}

/* ns per run of one test_run through bench_rot_xdp -> c. */
static double run_rot(struct contender *c, int family, bool hit)
{
	uint8_t buf[PKT_MAX_LEN], zero[16] = { 0 };
	uint64_t d0 = c->stats_fd >= 0 ? counter_sum(c->stats_fd, c->drop_key) : 0, d1;
	__u32 k = 0;
	int fd = c->prog_fd;
	size_t len = build_pkt(family, zero, buf);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
		    .repeat = rot_repeat);

	if (bpf_map_update_elem(bpf_map__fd(rot->maps.rot_target), &k, &fd, 0)) {
		fprintf(stderr, "bench_lookup: tail call target %s: %s\n", c->name,
			strerror(errno));
		exit(1);
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(rot->progs.bench_rot_xdp), &o)) {
		fprintf(stderr, "bench_lookup: test_run rot %s: %s\n", c->name, strerror(errno));
		exit(1);
	}
	if (o.retval != (hit ? XDP_DROP : XDP_PASS))
		verdict_errors++;
	if (c->stats_fd >= 0) {
		d1 = counter_sum(c->stats_fd, c->drop_key);
		if (d1 - d0 != (hit ? rot_repeat : 0)) {
			fprintf(stderr, "bench_lookup: %s (rotating) dropped %llu of %u\n",
				c->name, (unsigned long long)(d1 - d0), rot_repeat);
			verdict_errors++;
		}
	}
	return o.duration;
}

static void rot_fill(uint8_t (*addrs)[16])
{
	int fd = bpf_map__fd(rot->maps.rot_addrs);
	__u32 i;

	for (i = 0; i < NROT; i++)
		if (bpf_map_update_elem(fd, &i, addrs[i], 0)) {
			fprintf(stderr, "bench_lookup: rot_addrs: %s\n", strerror(errno));
			exit(1);
		}
}

/* ------------------------------------------------------------------ */
/* Loading a data set into both                                        */

static long memlock_of(int fd)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "memlock:", 8))
			v = atol(line + 8);
	fclose(f);
	return v;
}

/* Kernel memory of the active list's six inner maps. */
static long anyxdp_memlock(void)
{
	struct bl_ctl ctl;
	long sum = 0;
	int i, fd;

	if (ctl_read(&fx.m, &ctl))
		return -1;
	for (i = 0; i < O_MAX; i++) {
		fd = outer_get(&fx.m, i, ctl.active & 1);
		if (fd < 0)
			return -1;
		sum += memlock_of(fd);
		close(fd);
	}
	return sum;
}

static double secs_since(double t0)
{
	return harness_now() - t0;
}

static int trie_fill(int fd, int family, const struct prefix_set *set)
{
	size_t ksz = family == AF_INET ? sizeof(struct bl_key4) : sizeof(struct bl_key6);
	size_t i, n = 0;
	char *keys = malloc((set->n + 1) * ksz);
	__u32 *vals = malloc((set->n + 1) * sizeof(__u32));
	__u32 count;
	int err = 0;

	for (i = 0; i < set->n; i++) {
		struct bl_key6 k;

		if (set->v[i].family != family)
			continue;
		memset(&k, 0, sizeof(k));
		k.prefixlen = set->v[i].plen;
		memcpy(k.addr, set->v[i].addr, family == AF_INET ? 4 : 16);
		memcpy(keys + n * ksz, &k, ksz);
		vals[n++] = 1;
	}
	count = n;
	if (n && bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		/* no batch ops on this map type: one by one */
		for (i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, keys + i * ksz, &vals[i], BPF_ANY))
				err = -errno;
	}
	free(keys);
	free(vals);
	return err;
}

struct mem {
	long any, trie;
	double any_s, trie_s;
};

static void load_dataset(struct dataset *d, struct mem *mem)
{
	struct blset_report rep;
	double t0;
	int err;

	t0 = harness_now();
	err = blset_commit(&fx.m, &d->set, &rep);
	mem->any_s = secs_since(t0);
	if (err) {
		fprintf(stderr, "bench_lookup: blset_commit(%s): %s\n", d->name, strerror(-err));
		exit(1);
	}
	mem->any = anyxdp_memlock();

	if (lpm)
		bench_lpm_bpf__destroy(lpm);
	lpm = bench_lpm_bpf__open();
	if (!lpm) {
		fprintf(stderr, "bench_lookup: open bench_lpm\n");
		exit(1);
	}
	bpf_map__set_max_entries(lpm->maps.lpm_v4, d->n4 ? d->n4 : 1);
	bpf_map__set_max_entries(lpm->maps.lpm_v6, d->n6 ? d->n6 : 1);
	if (bench_lpm_bpf__load(lpm)) {
		fprintf(stderr, "bench_lookup: load bench_lpm\n");
		exit(1);
	}
	t0 = harness_now();
	err = trie_fill(bpf_map__fd(lpm->maps.lpm_v4), AF_INET, &d->set) ?:
	      trie_fill(bpf_map__fd(lpm->maps.lpm_v6), AF_INET6, &d->set);
	mem->trie_s = secs_since(t0);
	if (err) {
		fprintf(stderr, "bench_lookup: fill the tries (%s): %s\n", d->name, strerror(-err));
		exit(1);
	}
	mem->trie = memlock_of(bpf_map__fd(lpm->maps.lpm_v4)) +
		    memlock_of(bpf_map__fd(lpm->maps.lpm_v6));
}

/* ------------------------------------------------------------------ */
/* Measuring                                                           */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct row {
	char dataset[40];
	const char *family, *kase;
	double hot[2], rot[2];	/* [0] anyxdp, [1] trie */
	bool is_miss, is_1m;
};

#define MAX_ROWS 32
static struct row rows[MAX_ROWS];
static int nrows;

/* The case's row, median of the reps; false if the set has no such case. */
static bool measure_into(struct row *r, struct dataset *d, int family, enum kase k, bool is_1m)
{
	static uint8_t addrs[NROT][16];
	struct contender c[2] = {
		{ "anyxdp", fx.prog_fd, fx.m.stats, R_DROP_BLOCKLIST, R_PASS_NO_MATCH },
		{ "lpm-trie", bpf_program__fd(lpm->progs.bench_lpm_xdp),
		  bpf_map__fd(lpm->maps.lpm_stats), 1, 0 },
	};
	double hot[2][MAX_REPS], rv[2][MAX_REPS];
	int rep, i;

	if (!make_addrs(d, family, k, addrs))
		return false;
	rot_fill(addrs);
	for (rep = 0; rep < opt.reps; rep++) {
		for (i = 0; i < 2; i++) {
			int j = (rep & 1) ? 1 - i : i;	/* alternate who goes first */

			hot[j][rep] = run_hot(&c[j], family, addrs, k != K_MISS);
			rv[j][rep] = run_rot(&c[j], family, k != K_MISS);
		}
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->dataset, sizeof(r->dataset), "%s", d->name);
	r->family = family == AF_INET ? "IPv4" : "IPv6";
	r->kase = kase_names[k];
	r->is_miss = k == K_MISS;
	r->is_1m = is_1m;
	for (i = 0; i < 2; i++) {
		r->hot[i] = median(hot[i], opt.reps);
		r->rot[i] = median(rv[i], opt.reps);
	}
	fprintf(stderr, "  %-24s %s %-13s hot %6.1f / %6.1f ns   rotating %6.1f / %6.1f ns\n",
		r->dataset, r->family, r->kase, r->hot[0], r->hot[1], r->rot[0], r->rot[1]);
	return true;
}

static void measure_case(struct dataset *d, int family, enum kase k, bool is_1m)
{
	if (nrows < MAX_ROWS && measure_into(&rows[nrows], d, family, k, is_1m))
		nrows++;
}

/* test_run overhead: XDP_PASS alone, and through the rotation wrapper. */
static void baseline(double *hot, double *rotating)
{
	struct contender c = { "xdp_pass", bpf_program__fd(base->progs.bench_pass_xdp), -1, 0, 0 };
	static uint8_t addrs[NROT][16];
	double h[MAX_REPS], rv[MAX_REPS];
	int rep, i;

	for (i = 0; i < NROT; i++)
		rand_v4(addrs[i]);
	rot_fill(addrs);
	for (rep = 0; rep < opt.reps; rep++) {
		h[rep] = run_hot(&c, AF_INET, addrs, false);
		rv[rep] = run_rot(&c, AF_INET, false);
	}
	*hot = median(h, opt.reps);
	*rotating = median(rv, opt.reps);
}


/* ------------------------------------------------------------------ */
/* List size sweep                                                     */


struct size_point {
	size_t entries;
	const char *list;	/* where the entries come from */
	struct row hit, miss;
	bool has_hit;
	struct mem mem;
};

static struct size_point points[MAX_SIZES];
static int npoints;

/* IPv4 hit and miss for each size: a subset of ipsum up to its size,
 * of the synthetic set above it (made here if the run had none). */
static void run_sweep(const struct prefix_set *ipsum, struct prefix_set *synth,
		      const size_t *sizes, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct size_point *p = &points[npoints];
		const struct prefix_set *from = ipsum;
		struct dataset d = { 0 };
		char name[40];

		if (sizes[i] > ipsum->n) {
			if (!synth->n)
				make_synthetic(synth);
			from = synth;
		}
		p->list = from == ipsum ? "ipsum" : "synthetic";
		if (pick_subset(&d.set, from, sizes[i])) {
			fprintf(stderr, "bench_lookup: out of memory\n");
			exit(1);
		}
		snprintf(name, sizeof(name), "%s %zu", p->list, d.set.n);
		d.name = name;
		dataset_index(&d);
		p->entries = d.set.n;
		if (p->entries < sizes[i])
			fprintf(stderr, "bench_lookup: size %zu: only %zu entries in %s\n",
				sizes[i], p->entries, p->list);
		load_dataset(&d, &p->mem);
		rng_state = 42;
		p->has_hit = measure_into(&p->hit, &d, AF_INET, K_HIT, false);
		measure_into(&p->miss, &d, AF_INET, K_MISS, false);
		dataset_free(&d);
		npoints++;
	}
}

static void write_tsv(void)
{
	FILE *f = tsv_open("bench_lookup", opt.tsv_dir, "lookup.tsv");
	int i;

	if (!f)
		return;
	fprintf(f, "dataset\tfamily\tcase\tanyxdp_hot_ns\tlpm_hot_ns\tanyxdp_rot_ns\tlpm_rot_ns\n");
	for (i = 0; i < nrows; i++)
		fprintf(f, "%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\n", rows[i].dataset,
			rows[i].family, rows[i].kase, rows[i].hot[0], rows[i].hot[1],
			rows[i].rot[0], rows[i].rot[1]);
	tsv_close("bench_lookup", f, opt.tsv_dir, "lookup.tsv");
	if (!npoints)
		return;
	f = tsv_open("bench_lookup", opt.tsv_dir, "lookup-size.tsv");
	fprintf(f, "entries\tlist\tanyxdp_hit_hot\tlpm_hit_hot\tanyxdp_miss_hot\tlpm_miss_hot"
		   "\tanyxdp_hit_rot\tlpm_hit_rot\tanyxdp_miss_rot\tlpm_miss_rot"
		   "\tanyxdp_bytes\tlpm_bytes\n");
	for (i = 0; i < npoints; i++) {
		struct size_point *p = &points[i];

		fprintf(f, "%zu\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%ld\n",
			p->entries, p->list, p->hit.hot[0], p->hit.hot[1], p->miss.hot[0],
			p->miss.hot[1], p->hit.rot[0], p->hit.rot[1], p->miss.rot[0],
			p->miss.rot[1], p->mem.any, p->mem.trie);
	}
	tsv_close("bench_lookup", f, opt.tsv_dir, "lookup-size.tsv");
}

static void print_sweep(size_t ipsum_n)
{
	int i;

	if (!npoints)
		return;
	printf("\n### Lookup cost against list size\n\n"
	       "IPv4 only, the same measurement as above (ns per packet, test_run baseline "
	       "included, median of %d): *hit* = a listed /32, *miss* = an address in no "
	       "entry. Lists: a random subset (seeded) of ipsum up to its %zu entries, "
	       "of the synthetic 1M set above that.\n\n"
	       "| entries | list | anyxdp hit hot | lpm-trie hit hot | anyxdp miss hot "
	       "| lpm-trie miss hot | anyxdp hit rotating | lpm-trie hit rotating "
	       "| anyxdp miss rotating | lpm-trie miss rotating | anyxdp MiB | lpm-trie MiB |\n"
	       "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
	       opt.reps, ipsum_n);
	for (i = 0; i < npoints; i++) {
		struct size_point *p = &points[i];

		printf("| %zu | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f "
		       "| %.1f | %.1f |\n", p->entries, p->list, p->hit.hot[0], p->hit.hot[1],
		       p->miss.hot[0], p->miss.hot[1], p->hit.rot[0], p->hit.rot[1],
		       p->miss.rot[0], p->miss.rot[1], p->mem.any / 1048576.0,
		       p->mem.trie / 1048576.0);
	}
}

/* ------------------------------------------------------------------ */

static const char *find_data(void)
{
	static const char *const cand[] = { "../shared/data", "/work/shared/data" };
	static char buf[PATH_MAX];
	size_t i;

	if (opt.data)
		return opt.data;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/ipsum.txt", cand[i]);
		if (access(buf, R_OK) == 0)
			return cand[i];
	}
	fprintf(stderr, "bench_lookup: no data dir with ipsum.txt (use --data DIR)\n");
	exit(1);
}

static int write_synthetic(const char *path)
{
	struct prefix_set set = { 0 };
	char buf[PREFIX_STRLEN];
	size_t i;
	FILE *f;

	make_synthetic(&set);
	f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f) {
		fprintf(stderr, "bench_lookup: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(f, "# anyxdp benchmark: 1M synthetic entries (seeded; see tests/bench/bench_lookup.c)\n");
	for (i = 0; i < set.n; i++)
		fprintf(f, "%s\n", prefix_format(&set.v[i], buf, sizeof(buf)));
	pset_free(&set);
	return fclose(f) ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_lookup [--data DIR] [--reps N] [--quick] [--no-1m]\n"
		"                    [--sizes N,N,..] [--tsv-dir DIR]\n"
		"       bench_lookup --write-synthetic FILE\n");
	exit(2);
}

static void print_mem(const char *name, size_t n, const struct mem *m)
{
	printf("| %s | %zu | %.1f | %.0f | %.2f | %.1f | %.0f | %.2f |\n", name, n,
	       m->any / 1048576.0, n ? (double)m->any / n : 0, m->any_s,
	       m->trie / 1048576.0, n ? (double)m->trie / n : 0, m->trie_s);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "no-1m", no_argument, NULL, 'n' },
		{ "write-synthetic", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 's' },
		{ "tsv-dir", required_argument, NULL, 't' },
		{ 0 }
	};
	struct dataset ds[4] = {
		{ .name = "empty" },
		{ .name = "ipsum" },
		{ .name = "ipsum+firehol_level1" },
		{ .name = "synthetic 1M" },
	};
	struct mem mem[4] = { 0 };
	double base_hot, base_rot, t_start = harness_now();
	size_t sizes[MAX_SIZES];
	int c, i, nds, nsizes = 0;
	const char *dir;
	cpu_set_t cpus;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': opt.data = optarg; break;
		case 'r': opt.reps = atoi(optarg); break;
		case 'q': opt.quick = true; break;
		case 'n': opt.no_1m = true; break;
		case 'w': opt.write_synth = optarg; break;
		case 's': opt.sizes = optarg; break;
		case 't': opt.tsv_dir = optarg; break;
		default: usage();
		}
	}
	if (!opt.tsv_dir)
		opt.tsv_dir = getenv("BENCH_TSV_DIR");
	if (opt.sizes) {
		nsizes = parse_sizes(opt.sizes, sizes);
		if (nsizes < 0) {
			fprintf(stderr, "bench_lookup: --sizes wants up to %d sizes 1..10M, "
				"like 1000,10k,1M; got '%s'\n", MAX_SIZES, opt.sizes);
			usage();
		}
	}
	if (opt.write_synth)
		return write_synthetic(opt.write_synth);
	if (opt.reps < 1 || opt.reps > MAX_REPS)
		usage();
	if (opt.quick) {
		hot_repeat /= 10;
		rot_repeat /= 8;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = libbpf_num_possible_cpus();
	/* One CPU, so every run sees the same caches. */
	CPU_ZERO(&cpus);
	CPU_SET(get_nprocs() > 1 ? 1 : 0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	dir = find_data();
	if (parse_into(dir, "ipsum.txt", &ds[1].set) ||
	    parse_into(dir, "ipsum.txt", &ds[2].set) ||
	    parse_into(dir, "firehol_level1.netset", &ds[2].set))
		return 1;
	nds = opt.no_1m ? 3 : 4;
	if (!opt.no_1m)
		make_synthetic(&ds[3].set);
	for (i = 0; i < nds; i++)
		dataset_index(&ds[i]);

	if (fixture_setup(&fx)) {
		fprintf(stderr, "bench_lookup: cannot load anyxdp (root? bpffs?)\n");
		return 1;
	}
	rot = bench_gen_bpf__open_and_load();
	base = bench_drop_bpf__open_and_load();
	if (!rot || !base) {
		fprintf(stderr, "bench_lookup: cannot load the benchmark programs\n");
		return 1;
	}
	rot->bss->rot_mask = NROT - 1;

	fprintf(stderr, "bench_lookup: measuring (anyxdp / lpm-trie)\n");
	baseline(&base_hot, &base_rot);
	rng_state = 42;
	for (i = 0; i < nds; i++) {
		struct dataset *d = &ds[i];

		load_dataset(d, &mem[i]);
		if (d->n4 || !d->set.n) {
			if (d->nhost[0])
				measure_case(d, AF_INET, K_HIT, i == 3);
			if (d->ncidr[0])
				measure_case(d, AF_INET, K_HIT_CIDR, i == 3);
			measure_case(d, AF_INET, K_MISS, i == 3);
		}
		if (d->n6 || !d->set.n) {
			if (d->nhost[1])
				measure_case(d, AF_INET6, K_HIT, i == 3);
			if (d->ncidr[1])
				measure_case(d, AF_INET6, K_HIT_CIDR, i == 3);
			measure_case(d, AF_INET6, K_MISS, i == 3);
		}
	}
	if (nsizes)
		run_sweep(&ds[1].set, &ds[3].set, sizes, nsizes);

	printf("## Lookup cost (bench_lookup)\n\n");
	printf("ns per packet from bpf_prog_test_run_opts (kernel-measured mean of `repeat` runs),\n"
	       "median of %d repetitions, pinned to one CPU. Ratio = lpm-trie / anyxdp.\n"
	       "- hot: %d different packets, each run %u times in a row (caches warm)\n"
	       "- rotating: each run a different source, %d sources cycled, %u runs per test_run\n"
	       "  (bench_rot_xdp rewrites the source and tail-calls the program)\n\n",
	       opt.reps, NHOT, hot_repeat, NROT, rot_repeat);
	printf("test_run baseline (a program that only returns XDP_PASS): hot %.1f ns, "
	       "rotating %.1f ns (includes the rewrite and the tail call). The numbers below "
	       "include it.\n\n", base_hot, base_rot);
	printf("| dataset | family | case | anyxdp ns (hot) | lpm-trie ns (hot) | ratio (hot) "
	       "| anyxdp ns (rotating) | lpm-trie ns (rotating) | ratio (rotating) |\n"
	       "|---|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		printf("| %s | %s | %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |\n",
		       r->dataset, r->family, r->kase, r->hot[0], r->hot[1],
		       r->hot[0] > 0 ? r->hot[1] / r->hot[0] : 0, r->rot[0], r->rot[1],
		       r->rot[0] > 0 ? r->rot[1] / r->rot[0] : 0);
	}

	printf("\nMemory (memlock from /proc/self/fdinfo; anyxdp: the six inner maps of the "
	       "active list, of which two 4 MiB filter bitmaps are fixed; lpm-trie: both tries, "
	       "where the kernel counts only the leaves, so it is a lower bound) "
	       "and time to fill the maps from userspace:\n\n");
	printf("| dataset | entries | anyxdp MiB | anyxdp B/entry | anyxdp fill s "
	       "| lpm-trie MiB | lpm-trie B/entry | lpm-trie fill s |\n"
	       "|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nds; i++)
		print_mem(ds[i].name, ds[i].set.n, &mem[i]);
	if (nds == 4) {
		printf("\nsynthetic 1M: %zu IPv4 /32, %zu IPv4 CIDRs (/8../31, firehol_level1's "
		       "length mix), %zu IPv6 /128, %zu IPv6 CIDRs (/29../64), seed 20260822\n",
		       ds[3].nhost[0], ds[3].ncidr[0], ds[3].nhost[1], ds[3].ncidr[1]);
	}
	print_sweep(ds[1].set.n);
	write_tsv();

	printf("\nTargets (miss at 1M entries: <= 40 ns, and >= 3x cheaper than the plain trie):\n");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		int m;

		if (!r->is_1m || !r->is_miss)
			continue;
		for (m = 0; m < 2; m++) {
			double a = m ? r->rot[0] : r->hot[0], t = m ? r->rot[1] : r->hot[1];
			double b = m ? base_rot : base_hot;
			double net = a - b > 0.1 ? (t - b) / (a - b) : 0;

			printf("- %s miss, %s: anyxdp %.1f ns (<= 40: %s); trie/anyxdp %.2f "
			       "(>= 3: %s; %.2f without the test_run baseline)\n",
			       r->family, m ? "rotating" : "hot", a, a <= 40 ? "PASS" : "MISS",
			       t / a, t / a >= 3 ? "PASS" : "MISS", net);
		}
	}
	if (verdict_errors)
		printf("\nWARNING: %d verdicts differed from the reference (see stderr)\n",
		       verdict_errors);
	printf("\nbench_lookup took %.0f s\n", harness_now() - t_start);

	if (lpm)
		bench_lpm_bpf__destroy(lpm);
	bench_gen_bpf__destroy(rot);
	bench_drop_bpf__destroy(base);
	fixture_teardown(&fx);
	for (i = 0; i < nds; i++)
		dataset_free(&ds[i]);
	if (nds < 4)
		pset_free(&ds[3].set);	/* made by the sweep, never indexed */
	return verdict_errors ? 1 : 0;
}
