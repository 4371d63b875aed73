/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench_lookup and bench_droprate share for the list-size sweep:
 * the --sizes syntax, the subsets (the same generator and seed, so the
 * two benchmarks measure the same lists at each size) and the TSV files
 * that tests/bench/plot.sh draws.
 */
#ifndef ANYXDP_BENCH_SWEEP_H
#define ANYXDP_BENCH_SWEEP_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prefix.h"

#define MAX_SIZES 8

/* splitmix64: cheap, and the same sequence on every machine. */
static inline uint64_t sweep_rng(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* "1000,10k,1M" -> v (at most MAX_SIZES); the count, or -EINVAL. */
static inline int parse_sizes(const char *s, size_t *v)
{
	int n = 0;

	while (*s) {
		unsigned long long x;
		char *end;

		errno = 0;
		x = strtoull(s, &end, 10);
		if (errno || end == s || n == MAX_SIZES)
			return -EINVAL;
		if (*end == 'k')
			x *= 1000, end++;
		else if (*end == 'M')
			x *= 1000000, end++;
		if (x == 0 || x > 10000000)
			return -EINVAL;
		v[n++] = x;
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	return n ? n : -EINVAL;
}

/* want distinct entries of from (all of them if fewer), picked at random
 * with a seed that depends on want only; 0 or -ENOMEM. */
static inline int pick_subset(struct prefix_set *out, const struct prefix_set *from,
			      size_t want)
{
	size_t *idx = malloc((from->n + 1) * sizeof(*idx)), i, j, t;
	uint64_t state = 1000003 + want;
	int err = 0;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < from->n; i++)
		idx[i] = i;
	for (i = 0; i < want && i < from->n && !err; i++) {
		j = i + sweep_rng(&state) % (from->n - i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
		err = pset_push(out, &from->v[idx[i]]);
	}
	free(idx);
	return err;
}

/* DIR/NAME for writing, or NULL when no TSV dir was given; exits on error
 * (a benchmark without its data file would draw a stale plot). */
static inline FILE *tsv_open(const char *prog, const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	return f;
}

static inline void tsv_close(const char *prog, FILE *f, const char *dir, const char *name)
{
	if (f && fclose(f)) {
		fprintf(stderr, "%s: writing %s/%s failed\n", prog, dir, name);
		exit(1);
	}
}

#endif
