// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic blocklist switch. A load never edits the live maps: it builds
 * a full set of inner maps in the idle A/B slot, flips bl_ctl.active
 * (one store, so each packet sees the old or the new list, never a mix),
 * waits out packets still on the old slot, then frees the old maps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "anyxdp.h"
#include "bl_filter.h"
#include "blset.h"
#include "common.h"

#define FILTER_BYTES ((size_t)BL_FILTER_ARRAY * sizeof(__u64))
#define NET_BITS 0xAAAAAAAAAAAAAAAAull	/* BL_BIT_NET in all 32 slots */

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static size_t key_size(int family)
{
	return family == AF_INET ? sizeof(struct bl_key4) : sizeof(struct bl_key6);
}

static int alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* bl_key4 and bl_key6 share their layout up to the address length. */
static void key_from_prefix(const struct prefix *p, void *key)
{
	struct bl_key6 *k = key;

	memset(key, 0, key_size(p->family));
	k->prefixlen = p->plen;
	memcpy(k->addr, p->addr, alen(p->family));
}

static void prefix_from_key(int family, const void *key, struct prefix *p)
{
	const struct bl_key6 *k = key;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->plen = k->prefixlen;
	memcpy(p->addr, k->addr, alen(family));
}

static bool is_host(const struct prefix *p)
{
	return p->plen == (p->family == AF_INET ? 32 : 128);
}

/* ---- reading a per-prefix hash ---- */

struct dump {
	size_t n;
	struct prefix *p;	/* sorted */
	struct counter *vals;	/* n * ncpus, in p's order */
};

static void dump_free(struct dump *d)
{
	free(d->p);
	free(d->vals);
	memset(d, 0, sizeof(*d));
}

struct dump_sort {
	struct prefix p;
	size_t idx;
};

static int cmp_dump_sort(const void *a, const void *b)
{
	return prefix_cmp(&((const struct dump_sort *)a)->p,
			  &((const struct dump_sort *)b)->p);
}

/* IPv4: radix sort of (address, length, index) packed in 64 bits. */
static int sort_dump(struct dump_sort *order, size_t n, int family)
{
	struct prefix p;
	uint64_t *k;
	size_t i;
	int err;

	if (family != AF_INET || n >= (1u << 24) || !(k = malloc((n + 1) * sizeof(*k)))) {
		qsort(order, n, sizeof(*order), cmp_dump_sort);
		return 0;
	}
	for (i = 0; i < n; i++)
		k[i] = prefix_key4(&order[i].p) << 24 | order[i].idx;
	err = radix_sort_u64(k, n, 8);
	for (i = 0; !err && i < n; i++) {
		size_t idx = k[i] & 0xffffff;
		__u32 a = htonl((__u32)(k[i] >> 32));

		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		p.plen = (k[i] >> 24) & 0xff;
		memcpy(p.addr, &a, 4);
		order[i].p = p;
		order[i].idx = idx;
	}
	free(k);
	return err;
}

/* Read all entries with per-CPU counters, sorted by prefix. */
static int dump_hash(int fd, int family, int ncpus, struct dump *d)
{
	size_t ksz = key_size(family), vsz = ncpus * sizeof(struct counter);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), in, out, count;
	struct dump_sort *order = NULL;
	struct counter *vals = NULL;
	char *keys = NULL;
	void *inp = NULL;
	size_t n = 0, cap, i;
	int err = 0;

	memset(d, 0, sizeof(*d));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	cap = info.max_entries + 1;
	keys = malloc(cap * ksz);
	vals = malloc(cap * vsz);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = cap - n;
		err = bpf_map_lookup_batch(fd, inp, &out, keys + n * ksz,
					   (char *)vals + n * vsz, &count, NULL);
		n += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		in = out;
		inp = &in;
	}
	if (err)
		goto out;
	order = malloc((n ? n : 1) * sizeof(*order));
	d->p = malloc((n ? n : 1) * sizeof(*d->p));
	d->vals = malloc((n ? n : 1) * vsz);
	if (!order || !d->p || !d->vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		prefix_from_key(family, keys + i * ksz, &order[i].p);
		order[i].idx = i;
	}
	err = sort_dump(order, n, family);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		d->p[i] = order[i].p;
		memcpy((char *)d->vals + i * vsz, (char *)vals + order[i].idx * vsz, vsz);
	}
	d->n = n;
out:
	if (err)
		dump_free(d);
	free(order);
	free(keys);
	free(vals);
	return err;
}

/* -v: how long each step of a load took, for operators sizing lists. */
static int phase(const char *what, int err)
{
	static struct timespec last;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (verbose && what && last.tv_sec)
		log_info("%s: %.1f ms", what, (now.tv_sec - last.tv_sec) * 1e3 +
			 (now.tv_nsec - last.tv_nsec) / 1e6);
	last = now;
	return err;
}

/* ---- building new inner maps ---- */

struct inner {
	int fd[O_MAX];
};

static void inner_close(struct inner *in)
{
	int i;

	for (i = 0; i < O_MAX; i++)
		if (in->fd[i] >= 0)
			close(in->fd[i]);
}

static int create_one(struct anyxdp_maps *m, int idx, __u32 entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = m->btf_fd);
	bool v4 = idx == O_V4 || idx == O_NET4 || idx == O_FILTER4;
	__u32 key_id = v4 ? m->key4_id : m->key6_id;
	__u32 ksz = v4 ? sizeof(struct bl_key4) : sizeof(struct bl_key6);
	int fd;

	if (!entries)
		entries = 1;
	switch (idx) {
	case O_V4:
	case O_V6:
		o.btf_key_type_id = key_id;
		o.btf_value_type_id = m->counter_id;
		fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, v4 ? "bl_v4" : "bl_v6",
				    ksz, sizeof(struct counter), entries, &o);
		break;
	case O_NET4:
	case O_NET6:
		o.btf_key_type_id = key_id;
		o.btf_value_type_id = key_id;
		o.map_flags = BPF_F_NO_PREALLOC;
		fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, v4 ? "bl_net4" : "bl_net6",
				    ksz, ksz, entries, &o);
		break;
	default:
		o.btf_fd = 0;
		o.map_flags = BPF_F_MMAPABLE;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, v4 ? "bl_filter4" : "bl_filter6",
				    sizeof(__u32), sizeof(__u64), BL_FILTER_ARRAY, &o);
		break;
	}
	if (fd < 0) {
		fd = -errno;
		log_err("cannot create map for %s (%u entries): %s", outer_names[idx],
			entries, strerror(errno));
	}
	return fd;
}

static void set_slot(__u64 *w, __u32 slot, __u32 bit)
{
	w[slot >> 5] |= (__u64)bit << ((slot & 31) * 2);
}

/* Net bit on slots [first, first+count): whole words where aligned. */
static void set_net_range(__u64 *w, __u32 first, __u64 count)
{
	__u64 s = first, end = first + count;

	for (; s < end && (s & 31); s++)
		set_slot(w, s, BL_BIT_NET);
	for (; s + 32 <= end; s += 32)
		w[s >> 5] |= NET_BITS;
	for (; s < end; s++)
		set_slot(w, s, BL_BIT_NET);
}

static __u32 load_be32(const __u8 *a)
{
	__u32 v;

	memcpy(&v, a, 4);
	return ntohl(v);
}

static void filter_add(__u64 *f4, __u64 *f6, const struct prefix *p)
{
	__u32 a = load_be32(p->addr);

	if (p->family == AF_INET) {
		if (p->plen == 32)
			set_slot(f4, bl_slot4(a), BL_BIT_HOST);
		else if (p->plen >= 24)
			set_slot(f4, bl_slot4(a), BL_BIT_NET);
		else
			set_net_range(f4, bl_slot4(a), 1ull << (24 - p->plen));
		return;
	}
	if (p->plen == 128)
		set_slot(f6, bl_slot6(a), BL_BIT_HOST);
	else if (p->plen >= 32)
		set_slot(f6, bl_slot6(a), BL_BIT_NET);
	else if (p->plen >= 8)
		set_net_range(f6, bl_slot6(a), 1ull << (32 - p->plen));
	else
		set_net_range(f6, 0, 1ull << BL_FILTER_SLOT_BITS);
}

/* One summary bit per group of 256 slots, i.e. per 8 filter words. */
static void build_summary(__u64 *w)
{
	const __u32 per_group = (1u << BL_GROUP_SHIFT) / 32;
	__u32 g, i;

	for (g = 0; g < BL_SUMMARY_WORDS * 64; g++) {
		for (i = 0; i < per_group; i++) {
			if (w[g * per_group + i]) {
				w[BL_FILTER_WORDS + g / 64] |= 1ull << (g % 64);
				break;
			}
		}
	}
}

static int build_filters(const struct prefix_set *set, struct inner *in)
{
	__u64 *f4, *f6;
	size_t i;
	int err = 0;

	f4 = mmap(NULL, FILTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		  in->fd[O_FILTER4], 0);
	f6 = mmap(NULL, FILTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		  in->fd[O_FILTER6], 0);
	if (f4 == MAP_FAILED || f6 == MAP_FAILED) {
		err = -errno;
		log_err("cannot map the filter arrays: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < set->n; i++)
		filter_add(f4, f6, &set->v[i]);
	build_summary(f4);
	build_summary(f6);
out:
	if (f4 != MAP_FAILED)
		munmap(f4, FILTER_BYTES);
	if (f6 != MAP_FAILED)
		munmap(f6, FILTER_BYTES);
	return err;
}

struct batch {
	int fd;
	char *keys, *vals;
	__u32 n;
	int err;
};

static void *batch_run(void *arg)
{
	struct batch *b = arg;
	__u32 count = b->n;

	b->err = 0;
	if (b->n && bpf_map_update_batch(b->fd, b->keys, b->vals, &count, NULL))
		b->err = -errno;
	return NULL;
}

/* Inserting into a large per-CPU hash costs about 0.5 us an entry, mostly
 * cache misses; two threads on separate halves nearly halve it. */
static int batch_insert(int fd, char *keys, size_t ksz, char *vals, size_t vsz, size_t n)
{
	size_t half = n > 4096 ? n / 2 : 0;
	struct batch a = { fd, keys, vals, half, 0 };
	struct batch b = { fd, keys + half * ksz, vals + half * vsz, n - half, 0 };
	pthread_t t;
	bool threaded = half && !pthread_create(&t, NULL, batch_run, &a);

	if (half && !threaded)
		batch_run(&a);
	batch_run(&b);
	if (threaded)
		pthread_join(t, NULL);
	return a.err ?: b.err;
}

/* Fill one family's counter hash, carrying counters of kept entries. */
static int fill_hash(int fd, int family, const struct prefix_set *set,
		     const struct dump *old, int ncpus)
{
	size_t ksz = key_size(family), vsz = ncpus * sizeof(struct counter);
	size_t n = 0, i, j = 0;
	char *keys, *vals;
	int err = 0;

	keys = malloc((set->n + 1) * ksz);
	vals = calloc(set->n + 1, vsz);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		const struct prefix *p = &set->v[i];

		if (p->family != family)
			continue;
		key_from_prefix(p, keys + n * ksz);
		while (j < old->n && prefix_cmp(&old->p[j], p) < 0)
			j++;
		if (j < old->n && !prefix_cmp(&old->p[j], p))
			memcpy(vals + n * vsz, (char *)old->vals + j * vsz, vsz);
		n++;
	}
	err = batch_insert(fd, keys, ksz, vals, vsz, n);
	if (err)
		log_err("cannot fill the IPv%d blocklist (%zu entries): %s",
			family == AF_INET ? 4 : 6, n, strerror(-err));
out:
	free(keys);
	free(vals);
	return err;
}

static int fill_tries(const struct prefix_set *set, struct inner *in)
{
	struct bl_key6 k;
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct prefix *p = &set->v[i];
		int fd = in->fd[p->family == AF_INET ? O_NET4 : O_NET6];

		if (is_host(p))
			continue;
		key_from_prefix(p, &k);
		/* The value is the key: it names the matched entry. */
		if (bpf_map_update_elem(fd, &k, &k, BPF_ANY)) {
			log_err("cannot add a CIDR to the trie: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static void count_set(const struct prefix_set *set, struct blset_report *r)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (set->v[i].family == AF_INET)
			r->v4++;
		else
			r->v6++;
		if (is_host(&set->v[i]))
			r->hosts++;
		else
			r->nets++;
	}
}

struct create_job {
	struct anyxdp_maps *m;
	const struct prefix_set *set;
	const struct blset_report *r;
	struct inner *in;
	int err;
};

/* Preallocating a per-CPU hash costs about 0.6 us an entry, so this runs
 * in a thread while the active list is read back for the diff. */
static void *create_inner(void *arg)
{
	struct create_job *j = arg;
	__u32 sizes[O_MAX] = {
		[O_V4] = j->r->v4, [O_V6] = j->r->v6,
	};
	size_t i;

	j->err = 0;
	for (i = 0; i < j->set->n; i++)
		if (!is_host(&j->set->v[i]))
			sizes[j->set->v[i].family == AF_INET ? O_NET4 : O_NET6]++;
	for (i = 0; i < O_MAX; i++) {
		j->in->fd[i] = create_one(j->m, i, sizes[i]);
		if (j->in->fd[i] < 0) {
			j->err = j->in->fd[i];
			break;
		}
	}
	return NULL;
}

static int fill_inner(struct anyxdp_maps *m, const struct prefix_set *set,
		      const struct dump old[2], struct blset_report *r,
		      struct inner *in)
{
	int err;

	err = phase("fill IPv4 hash", fill_hash(in->fd[O_V4], AF_INET, set, &old[0], m->ncpus)) ?:
	      phase("fill IPv6 hash", fill_hash(in->fd[O_V6], AF_INET6, set, &old[1], m->ncpus)) ?:
	      phase("fill CIDR tries", fill_tries(set, in)) ?:
	      phase("build filters", build_filters(set, in));
	r->bytes = 2 * FILTER_BYTES +
		   (r->v4 + r->v6) * (64 + m->ncpus * sizeof(struct counter)) +
		   r->nets * 96;
	return err;
}

/* ---- source lists ---- */

/*
 * Which source lists each entry came from (anyxdp.h, struct
 * bl_src_slot). The slot's bl_sources entry holds the names; entries
 * on the default list alone need nothing more, so a one-file load
 * writes a single array value. Every other entry's mask goes into a
 * hash made to measure for the load and pinned as bl_member_<slot>: no
 * fixed capacity to outgrow, no kernel memory while nothing needs it.
 * Both are written before the switch and belong to the slot, so they
 * change with the list; a reader trusts them only while their
 * generation is bl_ctl's.
 */
struct src_state {
	__u64 generation;		/* bl_ctl.generation when read */
	__u32 slot;			/* bl_ctl.active then */
	bool known;			/* meta and members describe that list */
	struct bl_src_slot meta;
	struct prefix_set members;	/* sorted, each with its mask */
};

static void src_free(struct src_state *s)
{
	pset_free(&s->members);
}

static void member_path(struct anyxdp_maps *m, __u32 slot, char *buf, size_t len)
{
	snprintf(buf, len, "%s/bl_member_%u", m->dir, slot);
}

static void member_key(const struct prefix *p, struct bl_member_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = p->family;
	k->plen = p->plen;
	memcpy(k->addr, p->addr, alen(p->family));
}

int bl_names_add(struct bl_names *names, const char *name)
{
	int i;

	if (strlen(name) >= BL_SOURCE_NAME_LEN)
		return -ENAMETOOLONG;
	for (i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
			return i;
	if (names->n >= BL_SOURCES_MAX)
		return -E2BIG;
	snprintf(names->name[names->n], BL_SOURCE_NAME_LEN, "%s", name);
	return names->n++;
}

static int read_members(int fd, struct prefix_set *out)
{
	size_t ksz = sizeof(struct bl_member_key);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), in, o, count;
	struct bl_member_key *keys = NULL;
	__u32 *vals = NULL;
	size_t n = 0, cap, i;
	void *inp = NULL;
	struct prefix p;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	cap = info.max_entries + 1;
	keys = malloc(cap * ksz);
	vals = malloc(cap * sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = cap - n;
		err = bpf_map_lookup_batch(fd, inp, &o, keys + n, vals + n, &count, NULL);
		n += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		in = o;
		inp = &in;
	}
	for (i = 0; !err && i < n; i++) {
		if (keys[i].family != AF_INET && keys[i].family != AF_INET6)
			continue;
		memset(&p, 0, sizeof(p));
		p.family = keys[i].family;
		p.plen = keys[i].plen;
		memcpy(p.addr, keys[i].addr, alen(p.family));
		prefix_set_sources(&p, vals[i]);
		err = pset_push(out, &p);
	}
	if (!err)
		pset_sort_dedupe(out);
out:
	free(keys);
	free(vals);
	return err;
}

/* The names and members of slot, if they describe generation. */
static int read_src(struct anyxdp_maps *m, __u32 slot, __u64 generation,
		    bool members, struct src_state *s)
{
	char path[PATH_MAX + 32];
	int fd, err;

	memset(s, 0, sizeof(*s));
	s->generation = generation;
	s->slot = slot;
	if (m->sources < 0 || !generation)
		return 0;
	if (bpf_map_lookup_elem(m->sources, &slot, &s->meta))
		return -errno;
	if (s->meta.generation != generation || s->meta.n > BL_SOURCES_MAX ||
	    s->meta.dflt >= BL_SOURCES_MAX)
		return 0;
	if (members && s->meta.members) {
		member_path(m, slot, path, sizeof(path));
		fd = bpf_obj_get(path);
		/* Gone: the list switched meanwhile (the caller's generation
		 * check sees it), or someone removed it: sources unknown. */
		if (fd < 0)
			return 0;
		err = read_members(fd, &s->members);
		close(fd);
		if (err) {
			pset_free(&s->members);
			return err;
		}
	}
	s->known = true;
	return 0;
}

/* Set the masks of v (sorted) from s. */
static void apply_masks(struct prefix *v, size_t n, const struct src_state *s)
{
	__u16 dflt = s->known ? 1u << s->meta.dflt : 0;
	size_t i, j = 0;
	int c = 1;

	for (i = 0; i < n; i++) {
		while (j < s->members.n && (c = prefix_cmp(&s->members.v[j], &v[i])) < 0)
			j++;
		prefix_set_sources(&v[i], j < s->members.n && !c ?
				   prefix_sources(&s->members.v[j]) : dflt);
	}
}

struct src_plan {
	struct bl_src_slot meta;
	struct prefix_set members;	/* in set order, with their masks */
};

static void count_bits(__u64 *entries, unsigned int mask)
{
	for (; mask; mask &= mask - 1)
		entries[__builtin_ctz(mask)]++;
}

/* What the new list's sources look like: names, sizes, the default list
 * and the entries on anything else. */
static int plan_sources(const struct prefix_set *set, const struct bl_names *names,
			struct src_plan *pl)
{
	struct bl_src_slot *s = &pl->meta;
	struct bl_names nm = {};
	unsigned int valid, unknown = 0, eff;
	size_t i;
	int k;

	memset(pl, 0, sizeof(*pl));
	if (names)
		nm = *names;
	valid = (1u << nm.n) - 1;
	for (i = 0; i < set->n; i++) {
		if (!(prefix_sources(&set->v[i]) & valid)) {
			k = bl_names_add(&nm, BL_SOURCE_UNKNOWN);
			if (k < 0) {
				log_err("no room for a source list '%s' (at most %d lists)",
					BL_SOURCE_UNKNOWN, BL_SOURCES_MAX);
				return k;
			}
			unknown = 1u << k;
			break;
		}
	}
	s->n = nm.n;
	for (k = 0; k < nm.n; k++)
		snprintf(s->name[k], BL_SOURCE_NAME_LEN, "%s", nm.name[k]);
	for (i = 0; i < set->n; i++)
		count_bits(s->entries, (prefix_sources(&set->v[i]) & valid) ?: unknown);
	for (k = 1; k < nm.n; k++)
		if (s->entries[k] > s->entries[s->dflt])
			s->dflt = k;
	for (i = 0; i < set->n; i++) {
		struct prefix p = set->v[i];

		eff = (prefix_sources(&p) & valid) ?: unknown;
		if (eff == 1u << s->dflt)
			continue;
		prefix_set_sources(&p, eff);
		if (pset_push(&pl->members, &p))
			return -ENOMEM;
	}
	s->members = pl->members.n;
	return 0;
}

/* Whether the active list (read into old) has the sources pl describes. */
static bool same_sources(struct anyxdp_maps *m, const struct src_state *old,
			 const struct src_plan *pl)
{
	const size_t off = offsetof(struct bl_src_slot, n);
	size_t i;

	if (m->sources < 0)
		return true;	/* nothing to record them in */
	if (!old->known || memcmp((char *)&old->meta + off, (char *)&pl->meta + off,
				  sizeof(pl->meta) - off))
		return false;
	if (old->members.n != pl->members.n)
		return false;
	for (i = 0; i < pl->members.n; i++)
		if (prefix_cmp(&old->members.v[i], &pl->members.v[i]) ||
		    prefix_sources(&old->members.v[i]) != prefix_sources(&pl->members.v[i]))
			return false;
	return true;
}

/* A new member map for mem, pinned at path. */
static int write_members(const char *path, const struct prefix_set *mem)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	struct bl_member_key *keys;
	__u32 *vals, count = mem->n;
	size_t i;
	int fd, err = 0;

	keys = malloc(mem->n * sizeof(*keys));
	vals = malloc(mem->n * sizeof(*vals));
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bl_member", sizeof(*keys), sizeof(*vals),
			    mem->n, &o);
	if (fd < 0 || !keys || !vals) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (i = 0; i < mem->n; i++) {
		member_key(&mem->v[i], &keys[i]);
		vals[i] = prefix_sources(&mem->v[i]);
	}
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL) || bpf_obj_pin(fd, path))
		err = -errno;
out:
	if (err)
		log_err("cannot record the source lists of %zu entries: %s", mem->n,
			strerror(-err));
	if (fd >= 0)
		close(fd);
	free(keys);
	free(vals);
	return err;
}

/* Forget slot's sources: it is idle, or about to be. */
static void clear_sources(struct anyxdp_maps *m, __u32 slot)
{
	struct bl_src_slot none = {};
	char path[PATH_MAX + 32];

	if (m->sources < 0)
		return;
	member_path(m, slot, path, sizeof(path));
	unlink(path);
	bpf_map_update_elem(m->sources, &slot, &none, BPF_ANY);
}

/* Record pl for idle slot, as the list of generation. */
static int publish_sources(struct anyxdp_maps *m, __u32 slot, const struct src_plan *pl,
			   __u64 generation)
{
	struct bl_src_slot meta = pl->meta;
	char path[PATH_MAX + 32];
	int err;

	if (m->sources < 0)
		return 0;
	clear_sources(m, slot);
	if (pl->members.n) {
		member_path(m, slot, path, sizeof(path));
		err = write_members(path, &pl->members);
		if (err)
			return err;
	}
	meta.generation = generation;
	if (bpf_map_update_elem(m->sources, &slot, &meta, BPF_ANY)) {
		err = -errno;
		log_err("cannot record the source lists: %s", strerror(errno));
		clear_sources(m, slot);
		return err;
	}
	return 0;
}

/*
 * The same entries with other sources (a file renamed, say): the data
 * plane has nothing to switch, so the active slot's sources change in
 * place. Readers see it by the version (see blset_sources()): the new
 * member map is in place before the names that need it, and the old
 * one goes only after.
 */
static int rename_sources(struct anyxdp_maps *m, const struct src_state *old,
			  const struct src_plan *pl)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	struct bl_src_slot meta = pl->meta;
	__u32 slot = old->slot;
	int err = 0;

	if (m->sources < 0)
		return 0;
	member_path(m, slot, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s_new", path);	/* bpffs refuses dots */
	unlink(tmp);
	if (pl->members.n) {
		err = write_members(tmp, &pl->members);
		if (!err && rename(tmp, path))
			err = -errno;
		if (err) {
			unlink(tmp);
			return err;
		}
	}
	meta.generation = old->generation;
	meta.version = old->meta.version + 1;
	if (bpf_map_update_elem(m->sources, &slot, &meta, BPF_ANY)) {
		err = -errno;
		log_err("cannot record the source lists: %s", strerror(errno));
		return err;
	}
	if (!pl->members.n)
		unlink(path);
	return 0;
}

/* ---- the switch ---- */

/*
 * Every map-in-map update or delete returns only after an RCU grace period
 * (10-20 ms). Issued one after another, a switch would wait thirteen of
 * them; issued from one thread per outer map, they share one.
 */
struct outer_op {
	int map_fd;
	__u32 slot;
	int inner_fd;		/* -1: delete the slot */
	int err;
};

static void *outer_op_run(void *arg)
{
	struct outer_op *op = arg;
	int r;

	if (op->inner_fd >= 0)
		r = bpf_map_update_elem(op->map_fd, &op->slot, &op->inner_fd, BPF_ANY);
	else
		r = bpf_map_delete_elem(op->map_fd, &op->slot);
	op->err = r ? -errno : 0;
	return NULL;
}

static int outer_ops(struct anyxdp_maps *m, __u32 slot, const int *inner, int n)
{
	struct outer_op ops[O_MAX];
	bool started[O_MAX];
	pthread_t t[O_MAX];
	int i, err = 0;

	for (i = 0; i < n; i++) {
		ops[i] = (struct outer_op){ m->outer[i], slot, inner ? inner[i] : -1, 0 };
		started[i] = !pthread_create(&t[i], NULL, outer_op_run, &ops[i]);
		if (!started[i])
			outer_op_run(&ops[i]);
	}
	for (i = 0; i < n; i++) {
		if (started[i])
			pthread_join(t[i], NULL);
		if (ops[i].err && !err) {
			err = ops[i].err;
			if (inner)
				log_err("cannot install the new %s: %s", outer_names[i],
					strerror(-err));
		}
	}
	return err;
}

/* Rewriting a slot with the map it already holds waits out every
 * packet that read bl_ctl.active before the flip. */
static int wait_for_readers(struct anyxdp_maps *m, __u32 slot, int fd)
{
	if (bpf_map_update_elem(m->outer[O_V4], &slot, &fd, BPF_ANY))
		return -errno;
	return 0;
}

static void unpublish(struct anyxdp_maps *m, __u32 slot)
{
	outer_ops(m, slot, NULL, O_MAX);
}

/* bpftool users read the live per-prefix counters under fixed names. */
static void pin_active(struct anyxdp_maps *m, const struct inner *in)
{
	const char *names[2] = { "blocklist_v4", "blocklist_v6" };
	int fds[2] = { in->fd[O_V4], in->fd[O_V6] };
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", m->dir, names[i]);
		snprintf(tmp, sizeof(tmp), "%s/.%s.new", m->dir, names[i]);
		unlink(tmp);
		if (bpf_obj_pin(fds[i], tmp) || rename(tmp, path)) {
			unlink(path);
			if (bpf_obj_pin(fds[i], path))
				log_warn("cannot pin %s: %s", path, strerror(errno));
		}
	}
}

static int switch_to(struct anyxdp_maps *m, struct inner *in, const struct blset_report *r,
		     const struct src_plan *pl)
{
	struct bl_ctl ctl;
	__u32 old, next;
	int err;

	err = ctl_read(m, &ctl);
	if (err)
		return err;
	old = ctl.active & 1;
	next = ctl.generation ? !old : old;
	err = publish_sources(m, next, pl, ctl.generation + 1);
	if (err)
		return err;
	err = outer_ops(m, next, in->fd, O_MAX);
	if (err) {
		/* next is never the live slot: clearing it touches no packet. */
		unpublish(m, next);
		clear_sources(m, next);
		return err;
	}
	ctl.active = next;
	ctl.generation++;
	ctl.load_time_ns = now_realtime_ns();
	ctl.n_v4 = r->v4;
	ctl.n_v6 = r->v6;
	ctl.n_host = r->hosts;
	err = ctl_write(m, &ctl);
	if (err) {
		log_err("cannot switch to the new list: %s", strerror(-err));
		unpublish(m, next);
		clear_sources(m, next);
		return err;
	}
	pin_active(m, in);
	if (next != old) {
		wait_for_readers(m, next, in->fd[O_V4]);
		unpublish(m, old);
		clear_sources(m, old);
	}
	return 0;
}

/* Merge of two sorted lists; old[0] (IPv4) sorts before old[1]. */
static void diff(const struct prefix_set *set, const struct dump old[2],
		 struct blset_report *r)
{
	size_t i = 0, j = 0, f = 0;
	int c;

	for (;;) {
		while (f < 2 && j == old[f].n) {
			f++;
			j = 0;
		}
		if (f == 2 || i == set->n)
			break;
		c = prefix_cmp(&set->v[i], &old[f].p[j]);
		if (c < 0) {
			r->added++;
			i++;
		} else if (c > 0) {
			r->removed++;
			j++;
		} else {
			r->kept++;
			i++;
			j++;
		}
	}
	r->added += set->n - i;
	for (; f < 2; f++, j = 0)
		r->removed += old[f].n - j;
}

/* The active list's entries and, if src != NULL, its sources. */
static int read_active(struct anyxdp_maps *m, struct dump old[2], bool *have,
		       struct src_state *src)
{
	struct bl_ctl ctl;
	int fd, err, f;

	*have = false;
	memset(old, 0, 2 * sizeof(*old));
	if (src)
		memset(src, 0, sizeof(*src));
	err = ctl_read(m, &ctl);
	if (!err && src)
		err = read_src(m, ctl.active & 1, ctl.generation, true, src);
	if (err || !ctl.generation)
		return err;
	for (f = 0; f < 2; f++) {
		fd = outer_get(m, f == 0 ? O_V4 : O_V6, ctl.active & 1);
		if (fd < 0)
			return fd == -ENOENT ? 0 : fd;
		err = dump_hash(fd, f == 0 ? AF_INET : AF_INET6, m->ncpus, &old[f]);
		close(fd);
		if (err)
			return err;
	}
	*have = true;
	return 0;
}

int blset_commit(struct anyxdp_maps *m, const struct prefix_set *set,
		 struct blset_report *r)
{
	return blset_commit_sources(m, set, NULL, r);
}

int blset_commit_sources(struct anyxdp_maps *m, const struct prefix_set *set,
			 const struct bl_names *names, struct blset_report *r)
{
	struct inner in = { .fd = { -1, -1, -1, -1, -1, -1 } };
	struct src_state src = {};
	struct dump old[2] = {};
	struct create_job job;
	struct src_plan pl;
	struct timespec t0;
	struct bl_ctl ctl;
	bool have, threaded;
	pthread_t t;
	int err;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	phase(NULL, 0);
	err = plan_sources(set, names, &pl) ?: maps_btf(m);
	if (err)
		goto out;
	count_set(set, r);
	job = (struct create_job){ m, set, r, &in, 0 };
	threaded = !pthread_create(&t, NULL, create_inner, &job);
	if (!threaded)
		create_inner(&job);
	err = maps_lock(m) ?: read_active(m, old, &have, &src);
	if (threaded)
		pthread_join(t, NULL);
	phase("read active list, create maps", 0);
	if (err) {
		log_err("cannot read the active blocklist: %s", strerror(-err));
		goto out;
	}
	err = job.err;
	if (err)
		goto out;
	diff(set, old, r);
	if (have && !r->added && !r->removed) {
		r->unchanged = true;
		if (!same_sources(m, &src, &pl))
			err = rename_sources(m, &src, &pl);
		if (!ctl_read(m, &ctl))
			r->generation = ctl.generation;
		goto out;
	}
	err = fill_inner(m, set, old, r, &in);
	r->build_ms = ms_since(&t0);
	if (err)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = phase("switch", switch_to(m, &in, r, &pl));
	r->switch_ms = ms_since(&t0);
	if (!err && !ctl_read(m, &ctl))
		r->generation = ctl.generation;
out:
	pset_free(&pl.members);
	src_free(&src);
	inner_close(&in);
	dump_free(&old[0]);
	dump_free(&old[1]);
	return err;
}

static int read_list(struct anyxdp_maps *m, struct prefix_set *set, struct bl_entry **e,
		     struct src_state *src)
{
	struct dump old[2];
	size_t i, c, n;
	bool have;
	int err, f;

	memset(set, 0, sizeof(*set));
	if (e)
		*e = NULL;
	err = read_active(m, old, &have, src);
	if (err)
		return err;
	apply_masks(old[0].p, old[0].n, src);
	apply_masks(old[1].p, old[1].n, src);
	n = old[0].n + old[1].n;
	if (e && !(*e = calloc(n + 1, sizeof(**e)))) {
		err = -ENOMEM;
		goto out;
	}
	for (f = 0, n = 0; f < 2; f++) {
		for (i = 0; i < old[f].n; i++, n++) {
			err = pset_push(set, &old[f].p[i]);
			if (err)
				goto out;
			if (!e)
				continue;
			(*e)[n].p = old[f].p[i];
			for (c = 0; c < (size_t)m->ncpus; c++) {
				(*e)[n].c.packets += old[f].vals[i * m->ncpus + c].packets;
				(*e)[n].c.bytes += old[f].vals[i * m->ncpus + c].bytes;
			}
		}
	}
out:
	dump_free(&old[0]);
	dump_free(&old[1]);
	if (err) {
		pset_free(set);
		if (e) {
			free(*e);
			*e = NULL;
		}
	}
	return err;
}

int blset_read(struct anyxdp_maps *m, struct prefix_set *set, struct bl_entry **e)
{
	struct src_state src;
	int err = read_list(m, set, e, &src);

	src_free(&src);
	return err;
}

int blset_check(struct anyxdp_maps *m, int family, const __u8 *addr,
		struct prefix *match, struct counter *c)
{
	int hash_fd = -1, trie_fd = -1, err;
	struct bl_key6 k, v;
	struct bl_ctl ctl;

	err = ctl_read(m, &ctl);
	if (err)
		return err;
	if (!ctl.generation)
		return -ENOENT;
	hash_fd = outer_get(m, family == AF_INET ? O_V4 : O_V6, ctl.active & 1);
	trie_fd = outer_get(m, family == AF_INET ? O_NET4 : O_NET6, ctl.active & 1);
	if (hash_fd < 0 || trie_fd < 0) {
		err = hash_fd < 0 ? hash_fd : trie_fd;
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.prefixlen = family == AF_INET ? 32 : 128;
	memcpy(k.addr, addr, alen(family));
	err = percpu_sum(hash_fd, &k, m->ncpus, c);
	if (err == -ENOENT) {
		if (bpf_map_lookup_elem(trie_fd, &k, &v)) {
			err = -errno;
			goto out;
		}
		k = v;
		err = percpu_sum(hash_fd, &k, m->ncpus, c);
	}
	if (!err)
		prefix_from_key(family, &k, match);
out:
	if (hash_fd >= 0)
		close(hash_fd);
	if (trie_fd >= 0)
		close(trie_fd);
	return err;
}

/* ---- allowlist ---- */

static size_t trie_count(int fd, size_t ksz)
{
	char key[sizeof(struct bl_key6)], next[sizeof(struct bl_key6)];
	void *kp = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, kp, next)) {
		memcpy(key, next, ksz);
		kp = key;
		n++;
	}
	return n;
}

int allow_update(struct anyxdp_maps *m, const struct prefix *p, bool add)
{
	int fd = p->family == AF_INET ? m->allow4 : m->allow6;
	struct bl_key6 k;
	struct bl_ctl ctl;
	__u32 one = 1;
	int err;

	err = maps_lock(m);
	if (err)
		return err;
	key_from_prefix(p, &k);
	if (add ? bpf_map_update_elem(fd, &k, &one, BPF_ANY) :
		  bpf_map_delete_elem(fd, &k))
		return -errno;
	err = ctl_read(m, &ctl);
	if (err)
		return err;
	ctl.allow_v4 = trie_count(m->allow4, sizeof(struct bl_key4));
	ctl.allow_v6 = trie_count(m->allow6, sizeof(struct bl_key6));
	return ctl_write(m, &ctl);
}

int allow_read(struct anyxdp_maps *m, struct prefix_set *set)
{
	char key[sizeof(struct bl_key6)], next[sizeof(struct bl_key6)];
	struct prefix p;
	int f, fd, err;
	void *kp;

	memset(set, 0, sizeof(*set));
	for (f = 0; f < 2; f++) {
		fd = f == 0 ? m->allow4 : m->allow6;
		kp = NULL;
		while (!bpf_map_get_next_key(fd, kp, next)) {
			memcpy(key, next, sizeof(key));
			kp = key;
			prefix_from_key(f == 0 ? AF_INET : AF_INET6, key, &p);
			err = pset_push(set, &p);
			if (err)
				return err;
		}
	}
	pset_sort_dedupe(set);
	return 0;
}

int allow_match(struct anyxdp_maps *m, int family, const __u8 *addr,
		struct prefix *match)
{
	int fd = family == AF_INET ? m->allow4 : m->allow6;
	struct prefix_set set;
	struct bl_key6 k;
	__u32 v;
	size_t i;
	int err;

	memset(&k, 0, sizeof(k));
	k.prefixlen = family == AF_INET ? 32 : 128;
	memcpy(k.addr, addr, alen(family));
	if (bpf_map_lookup_elem(fd, &k, &v))
		return -errno;
	/* The trie does not say which prefix matched: find the longest. */
	err = allow_read(m, &set);
	if (err)
		return err;
	memset(match, 0, sizeof(*match));
	for (i = 0; i < set.n; i++)
		if (prefix_match_addr(&set.v[i], family, addr) &&
		    (!match->family || set.v[i].plen > match->plen))
			*match = set.v[i];
	pset_free(&set);
	return 0;
}

int blset_names(struct anyxdp_maps *m, struct bl_names *names)
{
	struct src_state s;
	struct bl_ctl ctl;
	int err, i;

	memset(names, 0, sizeof(*names));
	err = ctl_read(m, &ctl) ?: read_src(m, ctl.active & 1, ctl.generation, false, &s);
	if (err || !s.known)
		return err;
	names->n = s.meta.n;
	for (i = 0; i < names->n; i++)
		snprintf(names->name[i], BL_SOURCE_NAME_LEN, "%s", s.meta.name[i]);
	return 0;
}

static int read_version(struct anyxdp_maps *m, __u32 slot, __u32 *version)
{
	struct bl_src_slot meta;

	*version = 0;
	if (m->sources < 0)
		return 0;
	if (bpf_map_lookup_elem(m->sources, &slot, &meta))
		return -errno;
	*version = meta.version;
	return 0;
}

/* Add each entry to its lists; known false: all to out[0], "unknown". */
static void tally(const struct prefix_set *set, const struct bl_entry *e, bool known,
		  struct bl_source_stat *out, int n)
{
	unsigned int mask;
	size_t i;
	int b;

	for (i = 0; i < set->n; i++) {
		mask = known ? prefix_sources(&set->v[i]) : 1;
		for (; mask; mask &= mask - 1) {
			b = __builtin_ctz(mask);
			if (b >= n)
				break;
			out[b].entries++;
			out[b].dropped.packets += e[i].c.packets;
			out[b].dropped.bytes += e[i].c.bytes;
		}
	}
}

/*
 * Sums the per-entry counters by list. A load switching, or renaming the
 * lists, while they are read is seen by the generation or the version
 * moving: read once more (a second change in that time means loads back
 * to back: -EAGAIN).
 */
int blset_sources(struct anyxdp_maps *m, struct bl_source_stat *out, int max,
		  __u64 *generation)
{
	struct prefix_set set = {};
	struct bl_entry *e = NULL;
	struct src_state src = {};
	struct bl_ctl ctl;
	int attempt, err = 0, n = 0, i;
	__u32 version;

	*generation = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		pset_free(&set);
		free(e);
		e = NULL;
		src_free(&src);
		err = read_list(m, &set, &e, &src) ?: ctl_read(m, &ctl) ?:
		      read_version(m, src.slot, &version);
		if (err || (ctl.generation == src.generation && version == src.meta.version))
			break;
		err = -EAGAIN;
	}
	if (err)
		goto out;
	*generation = src.generation;
	if (src.known) {
		n = (int)src.meta.n < max ? (int)src.meta.n : max;
		for (i = 0; i < n; i++)
			snprintf(out[i].name, BL_SOURCE_NAME_LEN, "%s", src.meta.name[i]);
	} else if (set.n && max > 0) {
		n = 1;
		snprintf(out[0].name, BL_SOURCE_NAME_LEN, "%s", BL_SOURCE_UNKNOWN);
	}
	for (i = 0; i < n; i++) {
		out[i].entries = 0;
		memset(&out[i].dropped, 0, sizeof(out[i].dropped));
	}
	tally(&set, e, src.known, out, n);
out:
	src_free(&src);
	pset_free(&set);
	free(e);
	return err ?: n;
}
