// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/prefix.c and user/listparse.c. Run from the repo
 * root: data files are found under tests/data/parse/ and the real lists
 * under tests/data (override with ANYXDP_SHARED_DATA).
 *
 * Output: "ok - what" or "not ok - what: detail" per case, then
 * "N passed, N failed". Exit status 0 only if nothing failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "listparse.h"
#include "prefix.h"

#define D "tests/data/parse/"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int npass, nfail;

static void __attribute__((format(printf, 3, 4)))
report(bool ok, const char *desc, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		npass++;
		printf("ok - %s\n", desc);
		return;
	}
	nfail++;
	printf("not ok - %s: ", desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Append to a bounded detail buffer; the first few mismatches are enough. */
static void __attribute__((format(printf, 2, 3)))
add_detail(char *buf, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= 900)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, 1000 - n, fmt, ap);
	va_end(ap);
}

/* ---- stderr capture ---- */

struct capture {
	FILE *tmp;
	int saved;
};

static int capture_begin(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	if (!c->tmp)
		return -errno;
	c->saved = dup(STDERR_FILENO);
	if (c->saved < 0 || dup2(fileno(c->tmp), STDERR_FILENO) < 0) {
		fclose(c->tmp);
		return -errno;
	}
	return 0;
}

/* Returns what was written to stderr; caller frees. */
static char *capture_end(struct capture *c)
{
	char *buf;
	long n;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	fseek(c->tmp, 0, SEEK_END);
	n = ftell(c->tmp);
	rewind(c->tmp);
	buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, c->tmp) != (size_t)n)
		buf[0] = '\0';
	fclose(c->tmp);
	return buf;
}

static size_t count_substr(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* ---- helpers ---- */

static struct prefix P(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p, NULL, NULL)) {
		fprintf(stderr, "test bug: cannot parse '%s'\n", s);
		exit(2);
	}
	return p;
}

static char *fmt(const struct prefix *p, char buf[PREFIX_STRLEN])
{
	return prefix_format(p, buf, PREFIX_STRLEN);
}

/* Build a set from a space-separated list. */
static void pset_from(struct prefix_set *s, const char *list)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct prefix p = P(tok);

		if (pset_push(s, &p)) {
			fprintf(stderr, "test bug: out of memory\n");
			exit(2);
		}
	}
}

/* Space-separated formatted entries s->v[from..n). */
static void pset_join(const struct prefix_set *s, size_t from, char *out, size_t len)
{
	char pb[PREFIX_STRLEN];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = from; i < s->n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i > from ? " " : "",
					 fmt(&s->v[i], pb));
}

/* ---- prefix_parse ---- */

struct parse_good {
	const char *in;
	int family;
	int plen;
	const char *out;
	bool host_bits;
};

static const struct parse_good parse_good[] = {
	{ "1.2.3.4", AF_INET, 32, "1.2.3.4/32", false },
	{ "1.2.3.0/24", AF_INET, 24, "1.2.3.0/24", false },
	{ "0.0.0.0/0", AF_INET, 0, "0.0.0.0/0", false },
	{ "255.255.255.255", AF_INET, 32, "255.255.255.255/32", false },
	{ "010.001.002.003", AF_INET, 32, "10.1.2.3/32", false },
	{ "000.000.000.000/0", AF_INET, 0, "0.0.0.0/0", false },
	{ "1.2.3.4/0", AF_INET, 0, "0.0.0.0/0", true },
	{ "10.0.0.1/8", AF_INET, 8, "10.0.0.0/8", true },
	{ "192.168.1.77/24", AF_INET, 24, "192.168.1.0/24", true },
	{ "1.2.3.5/31", AF_INET, 31, "1.2.3.4/31", true },
	{ "1.2.3.4/31", AF_INET, 31, "1.2.3.4/31", false },
	{ "10.255.255.255/9", AF_INET, 9, "10.128.0.0/9", true },
	{ "1.2.3.4/32", AF_INET, 32, "1.2.3.4/32", false },
	{ "1.2.3.0/024", AF_INET, 24, "1.2.3.0/24", false },
	{ "2001:db8::/32", AF_INET6, 32, "2001:db8::/32", false },
	{ "::1", AF_INET6, 128, "::1/128", false },
	{ "::", AF_INET6, 128, "::/128", false },
	{ "::/0", AF_INET6, 0, "::/0", false },
	{ "2001:db8::1/128", AF_INET6, 128, "2001:db8::1/128", false },
	{ "2001:db8::1/64", AF_INET6, 64, "2001:db8::/64", true },
	{ "2001:db8::1/0", AF_INET6, 0, "::/0", true },
	{ "2001:db8:0:0:1:0:0:1", AF_INET6, 128, "2001:db8::1:0:0:1/128", false },
	{ "::ffff:1.2.3.4", AF_INET6, 128, "::ffff:1.2.3.4/128", false },
	{ "::ffff:1.2.3.4/96", AF_INET6, 96, "::ffff:0.0.0.0/96", true },
	{ "FE80::1", AF_INET6, 128, "fe80::1/128", false },
	{ "2001:db8::8000/112", AF_INET6, 112, "2001:db8::/112", true },
	{ "2001:db8::4000/113", AF_INET6, 113, "2001:db8::/113", true },
	{ "2001:db8::8000/113", AF_INET6, 113, "2001:db8::8000/113", false },
	{ "2001:db8::c000/114", AF_INET6, 114, "2001:db8::c000/114", false },
	{ "ff02::1:ff00:0/104", AF_INET6, 104, "ff02::1:ff00:0/104", false },
};

static void test_parse_good(void)
{
	static const uint8_t zero[16];
	char desc[128], pb[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_good); i++) {
		const struct parse_good *t = &parse_good[i];
		const char *why = NULL;
		char detail[1000] = "";
		struct prefix p;
		bool hb = !t->host_bits;
		int err;

		memset(&p, 0xaa, sizeof(p));
		snprintf(desc, sizeof(desc), "prefix_parse '%s'", t->in);
		err = prefix_parse(t->in, &p, &hb, &why);
		if (err) {
			report(false, desc, "returned %d (%s)", err, why ? why : "no reason");
			continue;
		}
		if (p.family != t->family)
			add_detail(detail, "family %d want %d; ", p.family, t->family);
		if (p.plen != t->plen)
			add_detail(detail, "plen %d want %d; ", p.plen, t->plen);
		if (strcmp(fmt(&p, pb), t->out))
			add_detail(detail, "formats as '%s' want '%s'; ", pb, t->out);
		if (hb != t->host_bits)
			add_detail(detail, "host_bits %d want %d; ", hb, t->host_bits);
		if (p.pad[0] || p.pad[1])
			add_detail(detail, "pad not zeroed; ");
		if (t->family == AF_INET && memcmp(p.addr + 4, zero, 12))
			add_detail(detail, "IPv4 addr[4..15] not zero; ");
		if (prefix_mask(&p))
			add_detail(detail, "host bits left set; ");
		report(!detail[0], desc, "%s", detail);
	}
}

struct parse_bad {
	const char *in;
	const char *why;
};

static const struct parse_bad parse_bad[] = {
	{ "", "invalid address" },
	{ "garbage", "invalid address" },
	{ "/24", "invalid address" },
	{ "1.2.3.0/", "invalid prefix length" },
	{ "1.2.3.0/33", "prefix length out of range" },
	{ "1.2.3.4/999999999999", "prefix length out of range" },
	{ "1.2.3.4/4294967328", "prefix length out of range" },	/* 2^32 + 32 must not wrap */
	{ "1.2.3.0/24x", "invalid prefix length" },
	{ "1.2.3.0/-1", "invalid prefix length" },
	{ "1.2.3.0/+24", "invalid prefix length" },
	{ "1.2.3.0/ 24", "invalid prefix length" },
	{ "1.2.3.0/24/8", "invalid prefix length" },
	{ "+1.2.3.4", "invalid address" },
	{ "1.+2.3.4", "invalid address" },
	{ "-1.2.3.4", "invalid address" },
	{ "10/8", "invalid address" },
	{ "1.2.3", "invalid address" },
	{ "1.2.3/24", "invalid address" },
	{ "1.2.3.4.5", "invalid address" },
	{ "1.2.3.256", "invalid address" },
	{ "1.2.3.999", "invalid address" },
	{ "256.0.0.0", "invalid address" },
	{ "0001.2.3.4", "invalid address" },
	{ "1..2.3", "invalid address" },
	{ "1.2.3.", "invalid address" },
	{ ".1.2.3", "invalid address" },
	{ "1.2.3.4 ", "invalid address" },
	{ " 1.2.3.4", "invalid address" },
	{ "0x1.2.3.4", "invalid address" },
	{ "1.2.3.4a", "invalid address" },
	{ "2001:db8::/129", "prefix length out of range" },
	{ "2001:db8::/", "invalid prefix length" },
	{ "::/1x", "invalid prefix length" },
	{ "2001:db8::g", "invalid address" },
	{ "2001:db8:::1", "invalid address" },
	{ "1:2:3:4:5:6:7:8:9", "invalid address" },
	{ "fe80::1%eth0", "invalid address" },
	{ ":", "invalid address" },
	{ "::ffff:1.2.3.256", "invalid address" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0000:0000/32", "invalid address" },
};

static void test_parse_bad(void)
{
	char desc[160];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_bad); i++) {
		const struct parse_bad *t = &parse_bad[i];
		const char *why = NULL;
		struct prefix p, orig;
		int err;

		memset(&p, 0x5a, sizeof(p));
		orig = p;
		snprintf(desc, sizeof(desc), "prefix_parse rejects '%s' (%s)", t->in, t->why);
		err = prefix_parse(t->in, &p, NULL, &why);
		if (err != -EINVAL)
			report(false, desc, "returned %d, want -EINVAL", err);
		else if (!why || strcmp(why, t->why))
			report(false, desc, "why '%s'", why ? why : "(null)");
		else
			report(!memcmp(&p, &orig, sizeof(p)), desc, "output modified on error");
	}
	/* A NULL why must be tolerated. */
	{
		struct prefix p;

		report(prefix_parse("x", &p, NULL, NULL) == -EINVAL,
		       "prefix_parse with NULL why/host_bits", "did not return -EINVAL");
	}
}

/* ---- prefix_format ---- */

static void test_format(void)
{
	char desc[128], pb[PREFIX_STRLEN], small[5];
	struct prefix p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_good); i++) {
		struct prefix q, r;
		bool hb = true;

		q = P(parse_good[i].in);
		fmt(&q, pb);
		snprintf(desc, sizeof(desc), "format round trip '%s'", pb);
		if (prefix_parse(pb, &r, &hb, NULL))
			report(false, desc, "formatted string does not parse");
		else
			report(!prefix_cmp(&q, &r) && !hb, desc, "reparse differs or has host bits");
	}

	p = P("192.168.100.200");
	memset(small, 'x', sizeof(small));
	prefix_format(&p, small, sizeof(small));
	report(!strcmp(small, "192."), "prefix_format truncates to buffer", "got '%.5s'", small);

	p = P("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128");
	fmt(&p, pb);
	report(strlen(pb) < PREFIX_STRLEN && !strcmp(pb + strlen(pb) - 4, "/128"),
	       "prefix_format longest IPv6 fits PREFIX_STRLEN", "got '%s'", pb);
}

/* ---- prefix_cmp ---- */

struct cmp_case {
	const char *a, *b;
	int sign;
};

static const struct cmp_case cmp_cases[] = {
	{ "1.2.3.4", "1.2.3.5", -1 },
	{ "1.2.3.5", "1.2.3.4", 1 },
	{ "10.0.0.0/8", "10.0.0.0/16", -1 },
	{ "10.0.0.0/16", "10.0.0.0/8", 1 },
	{ "9.0.0.0/8", "10.0.0.0/8", -1 },		/* bytes, not strings */
	{ "128.0.0.0/1", "127.255.255.255", 1 },	/* unsigned bytes */
	{ "255.255.255.255", "::", -1 },		/* IPv4 before IPv6 */
	{ "::1", "0.0.0.0/0", 1 },
	{ "2001:db8::/32", "2001:db8::/32", 0 },
	{ "2001:db8::1", "2001:db8::/32", 1 },
	{ "2001:db8::/32", "2001:db8::/48", -1 },
	{ "1.2.3.4", "1.2.3.4/32", 0 },
};

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_cmp(void)
{
	char desc[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmp_cases); i++) {
		const struct cmp_case *t = &cmp_cases[i];
		struct prefix a = P(t->a), b = P(t->b);
		int c = sign(prefix_cmp(&a, &b)), rc = sign(prefix_cmp(&b, &a));

		snprintf(desc, sizeof(desc), "prefix_cmp('%s', '%s') %s 0", t->a, t->b,
			 t->sign < 0 ? "<" : t->sign > 0 ? ">" : "==");
		report(c == t->sign && rc == -t->sign, desc, "got %d, reversed %d", c, rc);
	}
}

/* ---- prefix_contains / prefix_match_addr ---- */

struct contain_case {
	const char *outer, *inner;
	bool want;
};

static const struct contain_case contain_cases[] = {
	{ "10.0.0.0/8", "10.1.0.0/16", true },
	{ "10.1.0.0/16", "10.0.0.0/8", false },
	{ "10.0.0.0/8", "11.0.0.0/8", false },
	{ "10.0.0.0/8", "10.0.0.0/8", true },
	{ "0.0.0.0/0", "1.2.3.4", true },
	{ "::/0", "1.2.3.4", false },
	{ "0.0.0.0/0", "::1", false },
	{ "1.2.3.4/31", "1.2.3.5", true },
	{ "1.2.3.4/31", "1.2.3.6", false },
	{ "10.128.0.0/9", "10.127.0.0/16", false },
	{ "10.128.0.0/9", "10.200.0.0/16", true },
	{ "2001:db8::/32", "2001:db8:ffff::/48", true },
	{ "2001:db8::/32", "2001:db9::/48", false },
	{ "2001:db8::/127", "2001:db8::1", true },
	{ "2001:db8::/128", "2001:db8::1", false },
};

struct match_case {
	const char *prefix, *addr;
	bool want;
};

static const struct match_case match_cases[] = {
	{ "192.168.0.0/16", "192.168.255.255", true },
	{ "192.168.0.0/16", "192.169.0.0", false },
	{ "0.0.0.0/0", "255.255.255.255", true },
	{ "1.2.3.4/32", "1.2.3.4", true },
	{ "1.2.3.4/32", "1.2.3.5", false },
	{ "1.2.3.0/25", "1.2.3.127", true },
	{ "1.2.3.0/25", "1.2.3.128", false },
	{ "::/0", "2001:db8::1", true },
	{ "::/0", "1.2.3.4", false },
	{ "0.0.0.0/0", "::1", false },
	{ "2001:db8::/127", "2001:db8::1", true },
	{ "2001:db8::/128", "2001:db8::1", false },
	{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
};

static void test_contains(void)
{
	char desc[160];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(contain_cases); i++) {
		const struct contain_case *t = &contain_cases[i];
		struct prefix o = P(t->outer), in = P(t->inner);

		snprintf(desc, sizeof(desc), "prefix_contains('%s', '%s') is %s", t->outer,
			 t->inner, t->want ? "true" : "false");
		report(prefix_contains(&o, &in) == t->want, desc, "wrong answer");
	}
	for (i = 0; i < ARRAY_SIZE(match_cases); i++) {
		const struct match_case *t = &match_cases[i];
		struct prefix p = P(t->prefix), a = P(t->addr);

		snprintf(desc, sizeof(desc), "prefix_match_addr('%s', %s) is %s", t->prefix,
			 t->addr, t->want ? "true" : "false");
		report(prefix_match_addr(&p, a.family, a.addr) == t->want, desc, "wrong answer");
	}
}

static void test_mask(void)
{
	struct prefix p;
	char pb[PREFIX_STRLEN];

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.plen = 12;
	memset(p.addr, 0xff, sizeof(p.addr));
	report(prefix_mask(&p) && !strcmp(fmt(&p, pb), "255.240.0.0/12") && !p.addr[4] && !p.addr[15],
	       "prefix_mask clears IPv4 host bits and tail", "got %s", pb);
	report(!prefix_mask(&p), "prefix_mask on clean prefix returns false", "returned true");

	memset(p.addr, 0xff, sizeof(p.addr));
	p.family = AF_INET6;
	p.plen = 65;
	report(prefix_mask(&p) && !strcmp(fmt(&p, pb), "ffff:ffff:ffff:ffff:8000::/65"),
	       "prefix_mask clears IPv6 host bits", "got %s", pb);
}

/* ---- prefix_set ---- */

struct dedupe_case {
	const char *in;
	size_t removed;
	const char *out;
};

static const struct dedupe_case dedupe_cases[] = {
	{ "10.0.0.0/8 1.2.3.4 10.0.0.0/8 ::1 10.0.0.0/16 1.2.3.4 ::1", 3,
	  "1.2.3.4/32 10.0.0.0/8 10.0.0.0/16 ::1/128" },
	{ "", 0, "" },
	{ "1.1.1.1", 0, "1.1.1.1/32" },
	{ "2001:db8::/32 1.2.3.4 2001:db8::/32 2001:db8::/48", 1,
	  "1.2.3.4/32 2001:db8::/32 2001:db8::/48" },
	{ "9.9.9.9 9.9.9.9 9.9.9.9 9.9.9.9", 3, "9.9.9.9/32" },
	{ "10.0.0.1/8 10.0.0.0/8 10.0.0.0", 1, "10.0.0.0/8 10.0.0.0/32" },
};

static void test_dedupe(void)
{
	char desc[160], got[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dedupe_cases); i++) {
		const struct dedupe_case *t = &dedupe_cases[i];
		struct prefix_set s = { 0 };
		size_t removed;

		pset_from(&s, t->in);
		removed = pset_sort_dedupe(&s);
		pset_join(&s, 0, got, sizeof(got));
		snprintf(desc, sizeof(desc), "pset_sort_dedupe {%s} removes %zu", t->in, t->removed);
		report(removed == t->removed && !strcmp(got, t->out), desc,
		       "removed %zu, got {%s} want {%s}", removed, got, t->out);
		pset_free(&s);
	}

	/* Many entries: growth plus dedupe of a big unsorted input. */
	{
		struct prefix_set s = { 0 };
		bool sorted = true;
		size_t removed;
		int k;

		for (k = 0; k < 20000; k++) {
			struct prefix p = { .family = AF_INET, .plen = 32 };
			int v = (k * 7919) % 1000;

			p.addr[0] = 10;
			p.addr[2] = (uint8_t)(v >> 8);
			p.addr[3] = (uint8_t)v;
			if (pset_push(&s, &p))
				break;
		}
		removed = pset_sort_dedupe(&s);
		for (k = 1; k < (int)s.n; k++)
			sorted &= prefix_cmp(&s.v[k - 1], &s.v[k]) < 0;
		report(s.n == 1000 && removed == 19000 && sorted,
		       "pset_sort_dedupe 20000 pushes of 1000 distinct", "n %zu removed %zu sorted %d",
		       s.n, removed, sorted);
		pset_free(&s);
		report(!s.v && !s.n && !s.cap, "pset_free resets the set", "fields not cleared");
	}
}

struct overlap_case {
	const char *in;
	size_t count;
	const char *pairs;	/* "outer>inner" in callback order */
};

static const struct overlap_case overlap_cases[] = {
	{ "10.0.0.0/8 10.1.0.0/16 10.1.2.3/32 11.0.0.0/8", 2,
	  "10.0.0.0/8>10.1.0.0/16 10.1.0.0/16>10.1.2.3/32" },
	{ "1.2.3.0/24 1.2.4.0/24", 0, "" },
	{ "", 0, "" },
	{ "12.0.0.1 10.2.3.0/24 10.0.0.0/8 10.2.0.0/16 12.0.0.0/8 10.1.0.0/16", 4,
	  "10.0.0.0/8>10.1.0.0/16 10.0.0.0/8>10.2.0.0/16 10.2.0.0/16>10.2.3.0/24 12.0.0.0/8>12.0.0.1/32" },
	{ "0.0.0.0/0 ::1 ::/0 1.2.3.4", 2, "0.0.0.0/0>1.2.3.4/32 ::/0>::1/128" },
	{ "2001:db8::/32 2001:db8::/48 2001:db8:0:1::/64 2001:db9::/32", 2,
	  "2001:db8::/32>2001:db8::/48 2001:db8::/48>2001:db8:0:1::/64" },
	{ "10.0.0.0/8 10.0.0.0/24 10.0.0.0/32 10.0.1.0/24", 3,
	  "10.0.0.0/8>10.0.0.0/24 10.0.0.0/24>10.0.0.0/32 10.0.0.0/8>10.0.1.0/24" },
	{ "10.0.0.0/8 10.0.0.0/8 10.0.0.5", 1, "10.0.0.0/8>10.0.0.5/32" },
};

static void collect_pair(const struct prefix *outer, const struct prefix *inner, void *ctx)
{
	char *out = ctx, a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s%s>%s", n ? " " : "", fmt(outer, a), fmt(inner, b));
}

static void test_overlaps(void)
{
	char desc[200], got[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(overlap_cases); i++) {
		const struct overlap_case *t = &overlap_cases[i];
		struct prefix_set s = { 0 };
		size_t count, count_nocb;

		pset_from(&s, t->in);
		pset_sort_dedupe(&s);
		got[0] = '\0';
		count = pset_overlaps(&s, collect_pair, got);
		count_nocb = pset_overlaps(&s, NULL, NULL);
		snprintf(desc, sizeof(desc), "pset_overlaps {%s} = %zu", t->in, t->count);
		report(count == t->count && count_nocb == t->count && !strcmp(got, t->pairs), desc,
		       "count %zu (no cb %zu), pairs {%s} want {%s}", count, count_nocb, got, t->pairs);
		pset_free(&s);
	}
}

struct exact_case {
	const char *q;
	bool want;
};

static const struct exact_case exact_cases[] = {
	{ "10.0.0.0/8", true },   { "10.0.0.0/9", false },     { "1.2.3.4", true },
	{ "1.2.3.5", false },     { "::1", true },             { "2001:db8::/33", false },
	{ "2001:db8::/32", true }, { "0.0.0.0/0", false },     { "255.255.255.255", true },
};

static void test_contains_exact(void)
{
	struct prefix_set s = { 0 }, empty = { 0 };
	struct prefix q = P("1.2.3.4");
	char desc[128];
	size_t i;

	pset_from(&s, "10.0.0.0/8 1.2.3.4 ::1 2001:db8::/32 255.255.255.255 10.0.0.0/16");
	pset_sort_dedupe(&s);
	for (i = 0; i < ARRAY_SIZE(exact_cases); i++) {
		const struct exact_case *t = &exact_cases[i];

		q = P(t->q);
		snprintf(desc, sizeof(desc), "pset_contains_exact '%s' is %s", t->q,
			 t->want ? "true" : "false");
		report(pset_contains_exact(&s, &q) == t->want, desc, "wrong answer");
	}
	report(!pset_contains_exact(&empty, &q), "pset_contains_exact on empty set", "found");
	pset_free(&s);
}

/* ---- format names ---- */

static void test_format_names(void)
{
	static const char *const names[] = { "auto", "ipsum", "plain", "netset", "drop" };
	enum list_format f;
	char desc[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		int err;

		f = LF_AUTO;
		err = list_format_from_name(names[i], &f);
		snprintf(desc, sizeof(desc), "list format name '%s' round trips", names[i]);
		report(!err && f == (enum list_format)i && !strcmp(list_format_name(f), names[i]),
		       desc, "err %d f %d name '%s'", err, f, list_format_name(f));
	}
	report(list_format_from_name("bogus", &f) == -EINVAL, "list_format_from_name 'bogus' is -EINVAL",
	       "accepted");
	report(list_format_from_name("", &f) == -EINVAL, "list_format_from_name '' is -EINVAL",
	       "accepted");
}

/* ---- list parsing of small files ---- */

#define SKIP (-1L)

struct list_case {
	const char *desc;
	const char *file;
	struct list_opts o;
	int ret;
	enum list_format fmt;
	long lines, entries, skipped, below, normalized, v4, v6;
	const char *want;	/* formatted entries in file order; NULL = not checked */
	const char *err;	/* expected stderr substring; NULL = stderr must be empty */
	const char *err2;	/* a second substring, optional */
	long warn_lines;	/* count of "warning:" in stderr, SKIP = not checked */
	long dupes, overlaps;	/* after sort+dedupe of the new entries, SKIP = not checked */
};

static const struct list_case list_cases[] = {
	{ "ipsum: tabs, CIDR, IPv6, leading-zero octets", D "ipsum_basic.txt", { 0 }, 0, LF_IPSUM,
	  11, 7, 0, 0, 0, 6, 1,
	  "77.90.185.20/32 2.57.122.53/32 45.154.244.193/32 192.0.2.1/32 198.51.100.0/24 2001:db8::1/128 10.1.2.3/32",
	  NULL, NULL, SKIP, 0, 0 },
	{ "ipsum: min_score 3 keeps score >= 3", D "ipsum_basic.txt", { .min_score = 3 }, 0, LF_IPSUM,
	  11, 5, 0, 2, 0, 4, 1,
	  "77.90.185.20/32 2.57.122.53/32 45.154.244.193/32 2001:db8::1/128 10.1.2.3/32",
	  NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: min_score 1 keeps all", D "ipsum_basic.txt", { .min_score = 1 }, 0, LF_IPSUM,
	  11, 7, 0, 0, 0, 6, 1, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: min_score 11 keeps none", D "ipsum_basic.txt", { .min_score = 11 }, 0, LF_IPSUM,
	  11, 0, 0, 7, 0, 0, 0, "", NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: min_score 1 keeps score 0", D "ipsum_zero.txt", { .min_score = 1 }, 0, LF_IPSUM,
	  4, 3, 0, 0, 0, 3, 0, "1.2.3.4/32 5.6.7.8/32 9.9.9.9/32", NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: negative min_score keeps all", D "ipsum_zero.txt", { .min_score = -5 }, 0, LF_IPSUM,
	  4, 3, 0, 0, 0, 3, 0, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: min_score 2 drops scores 0 and 1", D "ipsum_zero.txt", { .min_score = 2 }, 0,
	  LF_IPSUM, 4, 1, 0, 2, 0, 1, 0, "9.9.9.9/32", NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: forced format", D "ipsum_basic.txt", { .format = LF_IPSUM }, 0, LF_IPSUM,
	  11, 7, 0, 0, 0, 6, 1, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "ipsum: spaces, CRLF, blank and whitespace-only lines", D "ipsum_spaces.txt", { 0 }, 0,
	  LF_IPSUM, 6, 3, 0, 0, 0, 2, 1, "203.0.113.5/32 203.0.113.6/32 2001:db8:1::/48",
	  NULL, NULL, SKIP, 0, 0 },
	{ "plain: comments, inline comment, blanks, trailing spaces, IPv6, dupes", D "plain_basic.txt",
	  { 0 }, 0, LF_PLAIN, 11, 8, 0, 0, 0, 6, 2,
	  "1.2.3.4/32 10.0.0.0/8 10.1.0.0/16 10.1.2.3/32 2001:db8::/32 2001:db8:1::1/128 1.2.3.4/32 0.0.0.0/0",
	  NULL, NULL, SKIP, 1, 5 },
	{ "plain: forced netset reports netset", D "plain_basic.txt", { .format = LF_NETSET }, 0,
	  LF_NETSET, 11, 8, 0, 0, 0, 6, 2, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "plain: CRLF", D "plain_crlf.txt", { 0 }, 0, LF_PLAIN, 5, 3, 0, 0, 0, 2, 1,
	  "1.2.3.4/32 5.6.7.0/24 ::1/128", NULL, NULL, SKIP, SKIP, SKIP },
	{ "plain: inline comment on first line is not ipsum", D "plain_inline_first.txt", { 0 }, 0,
	  LF_PLAIN, 2, 2, 0, 0, 0, 2, 0, "1.2.3.4/32 5.6.7.8/32", NULL, NULL, SKIP, SKIP, SKIP },
	{ "plain: no newline at end of file", D "noeol.txt", { 0 }, 0, LF_PLAIN, 2, 2, 0, 0, 0, 2, 0,
	  "1.2.3.4/32 5.6.7.8/32", NULL, NULL, SKIP, SKIP, SKIP },
	{ "netset: detected by name, IPv6", D "list.netset", { 0 }, 0, LF_NETSET, 8, 5, 0, 0, 0, 4, 1,
	  "0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 2001:db8::/32 5.6.7.8/32", NULL, NULL, SKIP, 0, 0 },
	{ "drop v4: '; SBL', no-space ';', '#' comment, line without ';'", D "drop_v4.txt", { 0 }, 0,
	  LF_DROP, 9, 5, 0, 0, 0, 5, 0,
	  "1.10.16.0/20 1.19.0.0/16 1.32.128.0/18 103.2.44.0/22 192.0.2.0/24", NULL, NULL, SKIP, 0, 0 },
	{ "drop v6: CRLF", D "drop_v6.txt", { 0 }, 0, LF_DROP, 5, 3, 0, 0, 0, 0, 3,
	  "2001:678:6c4::/48 2a06:e480::/29 2c0f:6c0::/28", NULL, NULL, SKIP, SKIP, SKIP },
	{ "drop: forced", D "drop_v6.txt", { .format = LF_DROP }, 0, LF_DROP, 5, 3, 0, 0, 0, 0, 3,
	  NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "host bits: warned and normalised", D "hostbits.txt", { 0 }, 0, LF_PLAIN, 4, 4, 0, 0, 3, 3, 1,
	  "10.0.0.0/8 192.168.1.0/24 2001:db8::/32 1.2.3.4/32",
	  D "hostbits.txt:1: warning: 10.0.0.1/8 has host bits set, using 10.0.0.0/8\n",
	  D "hostbits.txt:3: warning: 2001:db8::1/32 has host bits set, using 2001:db8::/32\n", 3,
	  SKIP, SKIP },
	{ "host bits: quiet suppresses warnings", D "hostbits.txt", { .quiet = true }, 0, LF_PLAIN,
	  4, 4, 0, 0, 3, 3, 1, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "host bits in drop format", D "hostbits_drop.txt", { 0 }, 0, LF_DROP, 3, 2, 0, 0, 2, 1, 1,
	  "10.0.0.0/8 2001:db8::/32",
	  D "hostbits_drop.txt:2: warning: 10.0.0.1/8 has host bits set, using 10.0.0.0/8\n",
	  D "hostbits_drop.txt:3: warning: 2001:db8::1/32 has host bits", 2, SKIP, SKIP },
	{ "host bits in ipsum: no warning for lines below min_score", D "hostbits_ipsum.txt",
	  { .min_score = 2 }, 0, LF_IPSUM, 2, 1, 0, 1, 1, 1, 0, "10.0.0.0/8",
	  D "hostbits_ipsum.txt:1: warning: 10.0.0.1/8 has host bits set", NULL, 1, SKIP, SKIP },
	{ "warning limit: 20 printed, rest summarised", D "hostbits_many.txt", { 0 }, 0, LF_PLAIN,
	  25, 25, 0, 0, 25, 25, 0, NULL, D "hostbits_many.txt:20: warning: 10.0.20.20/24",
	  D "hostbits_many.txt: 5 more warnings suppressed\n", 20, SKIP, SKIP },
	{ "warning limit: quiet prints nothing", D "hostbits_many.txt", { .quiet = true }, 0, LF_PLAIN,
	  25, 25, 0, 0, 25, 25, 0, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "empty file", D "empty.txt", { 0 }, 0, LF_PLAIN, 0, 0, 0, 0, 0, 0, 0, "", NULL, NULL, SKIP,
	  SKIP, SKIP },
	{ "comments-only file", D "comments_only.txt", { 0 }, 0, LF_PLAIN, 5, 0, 0, 0, 0, 0, 0, "",
	  NULL, NULL, SKIP, SKIP, SKIP },
	{ "bad plain: invalid address", D "bad_plain_addr.txt", { 0 }, -EINVAL, LF_PLAIN, 4, 2, 0, 0,
	  0, SKIP, SKIP, "", D "bad_plain_addr.txt:4: invalid address '1.2.3.999'\n", NULL, 0, SKIP,
	  SKIP },
	{ "bad plain: text after prefix", D "bad_plain_text.txt", { 0 }, -EINVAL, LF_PLAIN, 3, SKIP, 0,
	  0, 0, SKIP, SKIP, "", D "bad_plain_text.txt:3: unexpected text after prefix 'junk'\n", NULL,
	  0, SKIP, SKIP },
	{ "bad plain: prefix length out of range", D "bad_plain_plen.txt", { 0 }, -EINVAL, LF_PLAIN, 2,
	  SKIP, 0, 0, 0, SKIP, SKIP, "",
	  D "bad_plain_plen.txt:2: prefix length out of range '10.0.0.0/33'\n", NULL, 0, SKIP, SKIP },
	{ "bad plain: IPv6 address", D "bad_plain_v6.txt", { 0 }, -EINVAL, LF_PLAIN, 3, SKIP, 0, 0, 0,
	  SKIP, SKIP, "", D "bad_plain_v6.txt:3: invalid address '2001:db8::g/32'\n", NULL, 0, SKIP,
	  SKIP },
	{ "bad netset: empty prefix length", D "bad_netset.netset", { 0 }, -EINVAL, LF_NETSET, 5, SKIP,
	  0, 0, 0, SKIP, SKIP, "", D "bad_netset.netset:5: invalid prefix length '10.0.0.0/'\n", NULL,
	  0, SKIP, SKIP },
	{ "bad ipsum: non-numeric score", D "bad_ipsum_score.txt", { 0 }, -EINVAL, LF_IPSUM, 4, SKIP, 0,
	  0, 0, SKIP, SKIP, "", D "bad_ipsum_score.txt:4: invalid score 'x'\n", NULL, 0, SKIP, SKIP },
	{ "bad ipsum: missing score", D "bad_ipsum_missing.txt", { 0 }, -EINVAL, LF_IPSUM, 3, SKIP, 0,
	  0, 0, SKIP, SKIP, "", D "bad_ipsum_missing.txt:3: invalid score ''", NULL, 0, SKIP, SKIP },
	{ "bad ipsum: negative score", D "bad_ipsum_negative.txt", { 0 }, -EINVAL, LF_IPSUM, 2, SKIP, 0,
	  0, 0, SKIP, SKIP, "", D "bad_ipsum_negative.txt:2: invalid score '-1'\n", NULL, 0, SKIP,
	  SKIP },
	{ "bad ipsum: three-octet address", D "bad_ipsum_addr.txt", { 0 }, -EINVAL, LF_IPSUM, 3, SKIP,
	  0, 0, 0, SKIP, SKIP, "", D "bad_ipsum_addr.txt:3: invalid address '1.2.3'\n", NULL, 0, SKIP,
	  SKIP },
	{ "bad drop: text without ';'", D "bad_drop.txt", { 0 }, -EINVAL, LF_DROP, 4, SKIP, 0, 0, 0,
	  SKIP, SKIP, "", D "bad_drop.txt:4: unexpected text after prefix 'SBL1'\n", NULL, 0, SKIP,
	  SKIP },
	{ "bad drop v6: prefix length out of range", D "bad_drop_v6.txt", { 0 }, -EINVAL, LF_DROP, 2,
	  SKIP, 0, 0, 0, SKIP, SKIP, "",
	  D "bad_drop_v6.txt:2: prefix length out of range '2001:db8::/129'\n", NULL, 0, SKIP, SKIP },
	{ "bad CRLF line: no CR in message", D "bad_crlf.txt", { 0 }, -EINVAL, LF_PLAIN, 3, SKIP, 0, 0,
	  0, SKIP, SKIP, "", D "bad_crlf.txt:3: invalid prefix length '1.2.3.4/24x'\n", NULL, 0, SKIP,
	  SKIP },
	{ "forced plain on DROP file: ';' is not a comment", D "drop_v4.txt", { .format = LF_PLAIN },
	  -EINVAL, LF_PLAIN, 1, SKIP, 0, 0, 0, SKIP, SKIP, "", D "drop_v4.txt:1: invalid address ';'\n",
	  NULL, 0, SKIP, SKIP },
	{ "forced ipsum on plain file: missing score", D "plain_basic.txt", { .format = LF_IPSUM },
	  -EINVAL, LF_IPSUM, 2, SKIP, 0, 0, 0, SKIP, SKIP, "", D "plain_basic.txt:2: invalid score ''",
	  NULL, 0, SKIP, SKIP },
	{ "forced drop on ipsum file: score is unexpected", D "ipsum_basic.txt", { .format = LF_DROP },
	  -EINVAL, LF_DROP, 5, SKIP, 0, 0, 0, SKIP, SKIP, "",
	  D "ipsum_basic.txt:5: unexpected text after prefix '10'\n", NULL, 0, SKIP, SKIP },
	{ "bad lines without skip_invalid: stop at first", D "mixed_bad.txt", { 0 }, -EINVAL, LF_PLAIN,
	  2, SKIP, 0, 0, 0, SKIP, SKIP, "", D "mixed_bad.txt:2: invalid address 'bogus'\n", NULL, 0,
	  SKIP, SKIP },
	{ "skip_invalid: good lines loaded, bad counted", D "mixed_bad.txt", { .skip_invalid = true },
	  0, LF_PLAIN, 6, 3, 3, 0, 0, 2, 1, "1.1.1.1/32 2.2.2.2/32 ::1/128",
	  D "mixed_bad.txt:2: warning: invalid address 'bogus'",
	  D "mixed_bad.txt:5: warning: unexpected text after prefix 'trailing'", 3, SKIP, SKIP },
	{ "skip_invalid + quiet: silent", D "mixed_bad.txt", { .skip_invalid = true, .quiet = true },
	  0, LF_PLAIN, 6, 3, 3, 0, 0, 2, 1, NULL, NULL, NULL, SKIP, SKIP, SKIP },
	{ "skip_invalid in ipsum", D "bad_ipsum_score.txt", { .skip_invalid = true }, 0, LF_IPSUM, 5,
	  3, 1, 0, 0, 3, 0, "1.2.3.4/32 1.2.3.5/32 1.2.3.7/32",
	  D "bad_ipsum_score.txt:4: warning: invalid score 'x'", NULL, 1, SKIP, SKIP },
	{ "skip_invalid in drop", D "bad_drop.txt", { .skip_invalid = true }, 0, LF_DROP, 4, 2, 1, 0,
	  0, 2, 0, "1.10.16.0/20 1.19.0.0/16", D "bad_drop.txt:4: warning: unexpected text", NULL, 1,
	  SKIP, SKIP },
};

/* Compare one size_t field against an expectation, noting mismatches. */
static void check_field(char *detail, const char *name, size_t got, long want)
{
	if (want != SKIP && got != (size_t)want)
		add_detail(detail, "%s %zu want %ld; ", name, got, want);
}

static void check_stderr(char *detail, const char *err, const char *want, const char *want2,
			 long warn_lines)
{
	if (!want && err[0])
		add_detail(detail, "unexpected stderr '%s'; ", err);
	if (want && !strstr(err, want))
		add_detail(detail, "stderr '%s' lacks '%s'; ", err, want);
	if (want2 && !strstr(err, want2))
		add_detail(detail, "stderr '%s' lacks '%s'; ", err, want2);
	if (warn_lines != SKIP && count_substr(err, "warning:") != (size_t)warn_lines)
		add_detail(detail, "%zu warnings want %ld; ", count_substr(err, "warning:"), warn_lines);
}

static void check_entries(char *detail, struct prefix_set *s, size_t base, const struct list_case *t)
{
	char got[2048];

	if (t->want) {
		pset_join(s, base, got, sizeof(got));
		if (strcmp(got, t->want))
			add_detail(detail, "entries {%s} want {%s}; ", got, t->want);
	}
	if (t->dupes != SKIP || t->overlaps != SKIP) {
		struct prefix_set only = { 0 };
		size_t i, dupes, overlaps;

		for (i = base; i < s->n; i++)
			pset_push(&only, &s->v[i]);
		dupes = pset_sort_dedupe(&only);
		overlaps = pset_overlaps(&only, NULL, NULL);
		check_field(detail, "dupes", dupes, t->dupes);
		check_field(detail, "overlaps", overlaps, t->overlaps);
		pset_free(&only);
	}
}

static void run_list_case(const struct list_case *t)
{
	/* A sentinel entry proves the parser appends and rolls back to it. */
	struct prefix_set s = { 0 };
	struct prefix sentinel = P("192.0.2.255");
	struct list_report r;
	struct capture cap;
	char detail[1000] = "", *err;
	int ret;

	pset_push(&s, &sentinel);
	memset(&r, 0xee, sizeof(r));
	if (capture_begin(&cap)) {
		report(false, t->desc, "cannot capture stderr");
		return;
	}
	ret = list_parse_file(t->file, &t->o, &s, &r);
	err = capture_end(&cap);

	if (ret != t->ret)
		add_detail(detail, "returned %d want %d; ", ret, t->ret);
	if (s.n < 1 || prefix_cmp(&s.v[0], &sentinel))
		add_detail(detail, "existing entry clobbered; ");
	if (ret && s.n != 1)
		add_detail(detail, "set length %zu after error, want 1; ", s.n);
	if (!ret && r.entries != s.n - 1)
		add_detail(detail, "report says %zu entries, set grew by %zu; ", r.entries, s.n - 1);
	if (r.format != t->fmt)
		add_detail(detail, "format %s want %s; ", list_format_name(r.format),
			   list_format_name(t->fmt));
	check_field(detail, "lines", r.lines, t->lines);
	check_field(detail, "entries", r.entries, t->entries);
	check_field(detail, "skipped", r.skipped, t->skipped);
	check_field(detail, "below_score", r.below_score, t->below);
	check_field(detail, "normalized", r.normalized, t->normalized);
	check_field(detail, "ipv4", r.ipv4, t->v4);
	check_field(detail, "ipv6", r.ipv6, t->v6);
	check_stderr(detail, err ? err : "", t->err, t->err2, t->warn_lines);
	if (!ret)
		check_entries(detail, &s, 1, t);
	else if (t->want && t->want[0])
		add_detail(detail, "test bug: want set on an error case; ");
	report(!detail[0], t->desc, "%s", detail);
	free(err);
	pset_free(&s);
}

static void test_list_cases(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(list_cases); i++)
		run_list_case(&list_cases[i]);
}

/* ---- I/O errors, stdin, streams ---- */

static void test_io(void)
{
	struct prefix_set s = { 0 };
	struct list_report r;
	struct capture cap;
	char *err = NULL;
	int ret;

	capture_begin(&cap);
	ret = list_parse_file(D "does-not-exist.txt", NULL, &s, &r);
	err = capture_end(&cap);
	report(ret == -ENOENT && s.n == 0 &&
	       strstr(err, D "does-not-exist.txt: No such file or directory\n"),
	       "missing file is -ENOENT with message", "ret %d stderr '%s'", ret, err);
	free(err);

	capture_begin(&cap);
	ret = list_parse_file(D, NULL, &s, &r);
	err = capture_end(&cap);
	report(ret == -EISDIR && s.n == 0 && strstr(err, "Is a directory"),
	       "directory is -EISDIR with message", "ret %d stderr '%s'", ret, err);
	free(err);

	ret = list_parse_file(D "plain_crlf.txt", NULL, &s, NULL);
	report(ret == 0 && s.n == 3, "NULL opts and report allowed", "ret %d n %zu", ret, s.n);
	pset_free(&s);
}

/* Point fd 0 at a file; stdin's buffer is empty at EOF, so clearerr suffices. */
static int stdin_from(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	if (dup2(fd, STDIN_FILENO) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	clearerr(stdin);
	return 0;
}

static void test_stdin(void)
{
	struct prefix_set s = { 0 };
	struct list_report r = { 0 };
	struct capture cap;
	char *err;
	int ret;

	if (stdin_from(D "drop_v4.txt")) {
		report(false, "'-' reads stdin", "cannot redirect stdin");
		return;
	}
	ret = list_parse_file("-", NULL, &s, &r);
	report(ret == 0 && s.n == 5 && r.format == LF_DROP, "'-' reads stdin",
	       "ret %d n %zu format %s", ret, s.n, list_format_name(r.format));

	if (stdin_from(D "bad_plain_addr.txt")) {
		report(false, "'-' errors name <stdin>", "cannot redirect stdin");
		pset_free(&s);
		return;
	}
	capture_begin(&cap);
	ret = list_parse_file("-", NULL, &s, &r);
	err = capture_end(&cap);
	report(ret == -EINVAL && s.n == 5 && strstr(err, "<stdin>:4: invalid address '1.2.3.999'"),
	       "'-' errors name <stdin>", "ret %d n %zu stderr '%s'", ret, s.n, err);
	free(err);
	pset_free(&s);
	stdin_from("/dev/null");
}

/* Parse bytes through a temporary stream, capturing stderr. */
static int parse_bytes(const char *data, size_t len, const char *name, const struct list_opts *o,
		       struct prefix_set *s, struct list_report *r, char **err)
{
	struct capture cap;
	FILE *f = tmpfile();
	int ret;

	*err = NULL;
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	rewind(f);
	capture_begin(&cap);
	ret = list_parse_stream(f, name, o, s, r);
	*err = capture_end(&cap);
	fclose(f);
	return ret;
}

static void test_streams(void)
{
	static const char nul[] = "1.2.3.4\n5.6\0.7.8\n9.9.9.9\n";
	struct list_opts skip_opts = { .skip_invalid = true };
	struct prefix_set s = { 0 };
	struct list_report r;
	size_t big = 300000;
	char *buf, *err;
	int ret;

	ret = parse_bytes(nul, sizeof(nul) - 1, "nul", NULL, &s, &r, &err);
	report(ret == -EINVAL && s.n == 0 && strstr(err, "nul:2: NUL byte in line\n"),
	       "NUL byte in line is an error", "ret %d n %zu stderr '%s'", ret, s.n, err);
	free(err);

	ret = parse_bytes(nul, sizeof(nul) - 1, "nul", &skip_opts, &s, &r, &err);
	report(ret == 0 && s.n == 2 && r.skipped == 1 && strstr(err, "nul:2: warning: NUL byte"),
	       "NUL byte line skipped with skip_invalid", "ret %d n %zu skipped %zu stderr '%s'", ret,
	       s.n, r.skipped, err);
	free(err);
	pset_free(&s);

	/* Far beyond any fixed line buffer. */
	buf = malloc(2 * big + 64);
	if (!buf) {
		report(false, "long lines", "out of memory");
		return;
	}
	memset(buf, ' ', big);
	memcpy(buf + big, "9.9.9.9", 7);
	memset(buf + big + 7, '\t', big);
	memcpy(buf + 2 * big + 7, "\n", 1);
	ret = parse_bytes(buf, 2 * big + 8, "long", NULL, &s, &r, &err);
	report(ret == 0 && s.n == 1 && r.lines == 1 && !err[0],
	       "600 kB line of whitespace around a prefix", "ret %d n %zu lines %zu", ret, s.n,
	       r.lines);
	free(err);
	pset_free(&s);

	memset(buf, 'z', 2 * big);
	buf[2 * big] = '\n';
	ret = parse_bytes(buf, 2 * big + 1, "long", NULL, &s, &r, &err);
	report(ret == -EINVAL && strstr(err, "long:1: invalid address 'zzz") && strstr(err, "zzz...'") &&
	       strlen(err) < 200,
	       "600 kB garbage token: error with truncated quote", "ret %d stderr %zu bytes", ret,
	       strlen(err));
	free(err);
	free(buf);

	ret = parse_bytes("1.2.3.4\t\x01\n", 10, "ctl", NULL, &s, &r, &err);
	report(ret == -EINVAL && strstr(err, "ctl:1:") && !strchr(err, '\x01'),
	       "control bytes are not echoed raw", "ret %d stderr '%s'", ret, err);
	free(err);
	pset_free(&s);
}

/* ---- real lists ---- */

struct real_case {
	const char *file;
	int min_score;
	enum list_format fmt;
	size_t lines, entries, below, v4, v6;
	size_t dupes, overlaps;
};

/*
 * Expected counts from shell pipelines over /work/shared/data, e.g.
 *   wc -l < ipsum.txt                                   -> 120437
 *   grep -v '^#' ipsum.txt | grep -c .                  -> 120430
 *   grep -v '^#' ipsum.txt | awk -F'\t' '$2>=3' | wc -l -> 14217
 *   grep -v '^#' firehol_level1.netset | grep -c .      -> 6273 (of 6307 lines)
 *   grep -v '^;' drop.txt | grep -c .                   -> 1385 (of 1390)
 *   grep -v '^;' dropv6.txt | grep -c .                 -> 78 (of 83)
 * Duplicates and overlaps were counted with Python's ipaddress module.
 */
static const struct real_case real_cases[] = {
	{ "ipsum.txt", 0, LF_IPSUM, 120437, 120430, 0, 120430, 0, 0, 0 },
	{ "ipsum.txt", 3, LF_IPSUM, 120437, 14217, 106213, 14217, 0, 0, 0 },
	{ "firehol_level1.netset", 0, LF_NETSET, 6307, 6273, 0, 6273, 0, 0, 0 },
	{ "drop.txt", 0, LF_DROP, 1390, 1385, 0, 1385, 0, 0, 23 },
	{ "dropv6.txt", 0, LF_DROP, 83, 78, 0, 0, 78, 0, 0 },
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_real_lists(void)
{
	const char *dir = getenv("ANYXDP_SHARED_DATA");
	char path[512], desc[160], detail[1000];
	size_t i;

	if (!dir)
		dir = "tests/data";
	for (i = 0; i < ARRAY_SIZE(real_cases); i++) {
		const struct real_case *t = &real_cases[i];
		struct list_opts o = { .min_score = t->min_score };
		struct prefix_set s = { 0 };
		struct list_report r;
		struct capture cap;
		double t0, ms;
		size_t dupes, overlaps;
		char *err;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", dir, t->file);
		snprintf(desc, sizeof(desc), "real list %s%s: %zu entries", t->file,
			 t->min_score ? " (min_score 3)" : "", t->entries);
		/* The lists are part of the repository: missing is a failure. */
		if (access(path, R_OK)) {
			report(false, desc, "%s: %s", path, strerror(errno));
			continue;
		}
		detail[0] = '\0';
		capture_begin(&cap);
		t0 = now_ms();
		ret = list_parse_file(path, &o, &s, &r);
		ms = now_ms() - t0;
		err = capture_end(&cap);
		if (ret)
			add_detail(detail, "returned %d; ", ret);
		if (r.format != t->fmt)
			add_detail(detail, "format %s; ", list_format_name(r.format));
		check_field(detail, "lines", r.lines, (long)t->lines);
		check_field(detail, "entries", r.entries, (long)t->entries);
		check_field(detail, "set size", s.n, (long)t->entries);
		check_field(detail, "below_score", r.below_score, (long)t->below);
		check_field(detail, "ipv4", r.ipv4, (long)t->v4);
		check_field(detail, "ipv6", r.ipv6, (long)t->v6);
		check_field(detail, "normalized", r.normalized, 0);
		check_field(detail, "skipped", r.skipped, 0);
		if (err && err[0])
			add_detail(detail, "stderr '%.200s'; ", err);
		dupes = pset_sort_dedupe(&s);
		overlaps = pset_overlaps(&s, NULL, NULL);
		check_field(detail, "dupes", dupes, (long)t->dupes);
		check_field(detail, "overlaps", overlaps, (long)t->overlaps);
		report(!detail[0], desc, "%s", detail);
		printf("# %s%s parsed in %.1f ms\n", t->file, t->min_score ? " (min_score 3)" : "", ms);

		/* Generous bound: catches quadratic behaviour, not a benchmark. */
		if (!t->min_score && !strcmp(t->file, "ipsum.txt"))
			report(ms < 1000.0, "ipsum.txt parses in under 1 s", "took %.1f ms", ms);
		free(err);
		pset_free(&s);
	}
}

int main(void)
{
	/* Keep stdout and captured stderr from interleaving oddly. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_parse_good();
	test_parse_bad();
	test_format();
	test_cmp();
	test_contains();
	test_mask();
	test_dedupe();
	test_overlaps();
	test_contains_exact();
	test_format_names();
	test_list_cases();
	test_io();
	test_stdin();
	test_streams();
	test_real_lists();

	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
