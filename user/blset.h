/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocklist sets: build a complete new set of inner maps, then switch
 * every program to it with one store (see blset_commit()).
 */
#ifndef ANYXDP_BLSET_H
#define ANYXDP_BLSET_H

#include "maps.h"
#include "prefix.h"

struct blset_report {
	size_t added, removed, kept;
	size_t v4, v6, hosts, nets;
	__u64 generation;
	bool unchanged;		/* same set as active: nothing was switched */
	double build_ms, switch_ms;
	size_t bytes;		/* kernel memory of the new maps, estimated */
};

/* One active entry with its counters summed over CPUs. */
struct bl_entry {
	struct prefix p;
	struct counter c;
};

/* Replace the active list by set (sorted and deduped by the caller).
 * Counters of entries present before are carried over. On any error
 * the active list is untouched. */
int blset_commit(struct anyxdp_maps *m, const struct prefix_set *set,
		 struct blset_report *r);

/* The active entries, sorted by prefix_cmp; with counters if e != NULL. */
int blset_read(struct anyxdp_maps *m, struct prefix_set *set,
	       struct bl_entry **e);

/* Longest-prefix match in the active maps, as the BPF program does. */
int blset_check(struct anyxdp_maps *m, int family, const __u8 *addr,
		struct prefix *match, struct counter *c);

/* Allowlist edits; they take effect at once (single trie updates). */
int allow_update(struct anyxdp_maps *m, const struct prefix *p, bool add);
int allow_read(struct anyxdp_maps *m, struct prefix_set *set);
int allow_match(struct anyxdp_maps *m, int family, const __u8 *addr,
		struct prefix *match);

/* ---- source lists ----
 * Each FILE of `anyxdp-block load` is a source list, named by its base
 * name; entries added with `anyxdp-block add` belong to "manual". An
 * entry on several lists counts for each of them. */
#define BL_SOURCES_MAX 16
#define BL_SOURCE_NAME_LEN 48

struct bl_source_stat {
	char name[BL_SOURCE_NAME_LEN];
	__u64 entries;		/* entries of the active list from this source */
	struct counter dropped;	/* drops on those entries, summed over CPUs */
};

/* The active list's sources with their drop counters, at most max.
 * Returns how many, or -errno; *generation: the list they belong to. */
int blset_sources(struct anyxdp_maps *m, struct bl_source_stat *out, int max,
		  __u64 *generation);

/* The list names of a commit, or of the active list: bit i of an
 * entry's prefix_sources() is name[i] (blset_read() sets the masks). */
struct bl_names {
	int n;
	char name[BL_SOURCES_MAX][BL_SOURCE_NAME_LEN];
};
#define BL_SOURCE_MANUAL "manual"	/* entries from `anyxdp-block add` */
#define BL_SOURCE_UNKNOWN "unknown"	/* entries whose source was not recorded */

/* Index of name, appended if absent; -E2BIG when all BL_SOURCES_MAX are
 * taken, -ENAMETOOLONG if it does not fit. */
int bl_names_add(struct bl_names *names, const char *name);

/* blset_commit() of a set whose entries carry source masks over names
 * (NULL: none). Entries without a known source go to "unknown".
 * A set with the same entries and sources as the active one is left
 * as it is (r->unchanged); a change of sources alone switches. */
int blset_commit_sources(struct anyxdp_maps *m, const struct prefix_set *set,
			 const struct bl_names *names, struct blset_report *r);

/* The active list's names; n = 0 when they are unknown: no list yet, a
 * pin dir without bl_sources, or a list an older anyxdp-block loaded. */
int blset_names(struct anyxdp_maps *m, struct bl_names *names);

#endif
