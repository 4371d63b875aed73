// SPDX-License-Identifier: GPL-2.0
/*
 * Source lists of the blocklist (user/blset.c): masks through sort and
 * dedupe, names, and blset_sources() on the real lists of tests/data
 * against counts made here from each list on its own, drops made with
 * test runs of the program, and the time of one blset_sources() call.
 * Run from the repo root, as root.
 */
#include <arpa/inet.h>
#include "harness.h"
#include "listparse.h"
#include "pkt.h"

#define DATA "tests/data/"

static struct prefix pfx(const char *s, uint16_t mask)
{
	struct prefix p;

	if (prefix_parse(s, &p, NULL, NULL))
		harness_bail("bad prefix %s", s);
	prefix_set_sources(&p, mask);
	return p;
}

static void test_dedupe(void)
{
	const char *in[] = { "10.0.0.1", "2001:db8::/32", "10.0.0.0/8", "10.0.0.1",
			     "2001:db8::/32", "192.0.2.0/24", "10.0.0.1" };
	uint16_t masks[] = { 1, 2, 4, 8, 16, 32, 1 };
	struct prefix_set s = {};
	size_t i, removed;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct prefix p = pfx(in[i], masks[i]);

		if (pset_push(&s, &p))
			harness_bail("ENOMEM");
	}
	removed = pset_sort_dedupe(&s);
	ok(removed == 3 && s.n == 4, "dedupe: 7 pushes, 4 distinct (removed %zu)", removed);
	/* sorted: 10.0.0.0/8, 10.0.0.1/32, 192.0.2.0/24, 2001:db8::/32 */
	ok(s.n == 4 && prefix_sources(&s.v[0]) == 4, "dedupe: 10.0.0.0/8 keeps its mask 4 (%u)",
	   prefix_sources(&s.v[0]));
	ok(s.n == 4 && prefix_sources(&s.v[1]) == (1 | 8), "dedupe: IPv4 duplicates OR their masks (%u)",
	   prefix_sources(&s.v[1]));
	ok(s.n == 4 && prefix_sources(&s.v[2]) == 32, "dedupe: 192.0.2.0/24 keeps 32 (%u)",
	   prefix_sources(&s.v[2]));
	ok(s.n == 4 && prefix_sources(&s.v[3]) == (2 | 16), "dedupe: IPv6 duplicates OR their masks (%u)",
	   prefix_sources(&s.v[3]));
	ok(s.n == 4 && pset_contains_exact(&s, &(struct prefix){ .family = AF_INET, .plen = 8,
							       .addr = { 10 } }),
	   "pset_contains_exact ignores the mask");
	pset_free(&s);
}

static void test_names(void)
{
	struct bl_names n = {};
	char name[16], big[BL_SOURCE_NAME_LEN + 1];
	int i, r = 0;

	ok(bl_names_add(&n, "a") == 0 && bl_names_add(&n, "b") == 1 && bl_names_add(&n, "a") == 0,
	   "bl_names_add: new names appended, a known one found");
	for (i = 2; i < BL_SOURCES_MAX; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		r = bl_names_add(&n, name);
	}
	ok(r == BL_SOURCES_MAX - 1 && bl_names_add(&n, "one-too-many") == -E2BIG,
	   "bl_names_add: %d names, then -E2BIG", BL_SOURCES_MAX);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(bl_names_add(&n, big) == -ENAMETOOLONG, "bl_names_add: a %zu-byte name is too long",
	   strlen(big));
}

/* Each file alone, deduped: the reference count of its list. */
static size_t alone(const char *path)
{
	struct list_opts o = { .quiet = true };
	struct prefix_set s = {};
	size_t n;

	if (list_parse_file(path, &o, &s, NULL))
		harness_bail("cannot parse %s", path);
	pset_sort_dedupe(&s);
	n = s.n;
	pset_free(&s);
	return n;
}

static size_t frame(uint8_t *b, const char *src)
{
	uint8_t a[4];
	size_t ulen = 8 + 100;

	memset(b, 0, 14 + 20 + ulen);
	memcpy(b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	b[14] = 0x45;
	pkt_put16(b + 16, 20 + ulen);
	b[22] = 64;
	b[23] = 17;
	inet_pton(AF_INET, src, a);
	memcpy(b + 26, a, 4);
	memcpy(b + 30, "\xc6\x12\x00\x01", 4);
	pkt_put16(b + 24, pkt_csum(b + 14, 20, 0));
	pkt_put16(b + 34, 40000);
	pkt_put16(b + 36, 53);
	pkt_put16(b + 38, ulen);
	return 14 + 20 + ulen;
}

static const struct bl_source_stat *by_name(const struct bl_source_stat *s, int n,
					    const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_lists(void)
{
	const char *files[] = { DATA "ipsum.txt", DATA "firehol_level1.netset", DATA "drop.txt" };
	const char *names[] = { "ipsum", "firehol", "drop" };
	struct list_opts o = { .quiet = true };
	struct bl_source_stat st[BL_SOURCES_MAX];
	const struct bl_source_stat *a, *b, *c;
	struct prefix_set set = {}, rd = {};
	struct bl_names nm = {};
	struct blset_report r;
	struct fixture f;
	size_t i, k, first, bad = 0, len;
	uint8_t pkt[256];
	double t[5], t0;
	__u64 gen;
	int n, err;

	if (fixture_setup(&f))
		harness_bail("fixture_setup");
	for (i = 0; i < 3; i++) {
		first = set.n;
		if (list_parse_file(files[i], &o, &set, NULL))
			harness_bail("cannot parse %s", files[i]);
		for (k = first; k < set.n; k++)
			prefix_set_sources(&set.v[k], 1u << bl_names_add(&nm, names[i]));
	}
	pset_sort_dedupe(&set);
	err = blset_commit_sources(&f.m, &set, &nm, &r);
	ok(!err, "commit three real lists with their names (%zu entries)", set.n);

	n = blset_sources(&f.m, st, BL_SOURCES_MAX, &gen);
	ok(n == 3 && gen == r.generation, "blset_sources: 3 lists, generation %llu (%d, %llu)",
	   (unsigned long long)r.generation, n, (unsigned long long)gen);
	for (i = 0; i < 3 && n == 3; i++)
		ok(!strcmp(st[i].name, names[i]) && st[i].entries == alone(files[i]),
		   "%s: %llu entries, the file deduped alone has %zu", names[i],
		   (unsigned long long)st[i].entries, alone(files[i]));

	err = blset_read(&f.m, &rd, NULL);
	for (i = 0; !err && rd.n == set.n && i < set.n; i++)
		bad += prefix_cmp(&rd.v[i], &set.v[i]) ||
		       prefix_sources(&rd.v[i]) != prefix_sources(&set.v[i]);
	ok(!err && rd.n == set.n && !bad, "blset_read gives every entry back with its mask "
	   "(%zu entries, %zu differ)", rd.n, bad);
	pset_free(&rd);

	/* 192.0.2.1: firehol's bogon 192.0.2.0/24; 1.0.164.165: ipsum only */
	len = frame(pkt, "1.0.164.165");
	for (i = 0; i < 3; i++)
		fixture_run(&f, pkt, len, NULL, NULL, NULL);
	frame(pkt, "192.0.2.1");
	for (i = 0; i < 2; i++)
		fixture_run(&f, pkt, len, NULL, NULL, NULL);
	n = blset_sources(&f.m, st, BL_SOURCES_MAX, &gen);
	a = by_name(st, n, "ipsum");
	b = by_name(st, n, "firehol");
	c = by_name(st, n, "drop");
	ok(a && a->dropped.packets == 3 && a->dropped.bytes == 3 * len,
	   "ipsum: 3 packets, %zu bytes", 3 * len);
	ok(b && b->dropped.packets == 2 && b->dropped.bytes == 2 * len,
	   "firehol: 2 packets, %zu bytes", 2 * len);
	ok(c && c->dropped.packets == 0, "drop: none");

	for (i = 0; i < 5; i++) {
		t0 = harness_now();
		n = blset_sources(&f.m, st, BL_SOURCES_MAX, &gen);
		t[i] = harness_now() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	ok(n == 3 && t[2] < 1.0, "blset_sources on %zu entries: median of 5 calls %.1f ms",
	   set.n, t[2] * 1e3);

	err = blset_commit(&f.m, &set, &r);
	n = blset_sources(&f.m, st, BL_SOURCES_MAX, &gen);
	ok(!err && r.unchanged && n == 1 && !strcmp(st[0].name, BL_SOURCE_UNKNOWN) &&
	   st[0].entries == set.n && st[0].dropped.packets == 5,
	   "the same entries without names: unchanged, one list 'unknown' with all and all drops");
	pset_free(&set);
	fixture_teardown(&f);
}

int main(void)
{
	test_dedupe();
	test_names();
	test_lists();
	return harness_done();
}
