/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IP prefixes (IPv4 and IPv6 CIDRs) as loaded from blocklists, and a
 * growable array of them. Addresses are kept in network byte order so
 * they can be copied straight into BPF map keys.
 */
#ifndef ANYXDP_USER_PREFIX_H
#define ANYXDP_USER_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>	/* AF_INET, AF_INET6 */

struct prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t plen;		/* 0..32 or 0..128 */
	uint8_t pad[2];		/* source mask (prefix_sources()); 0 from prefix_parse */
	uint8_t addr[16];	/* network byte order; IPv4 uses addr[0..3], rest zero; host bits always zero after parse */
};

#define PREFIX_STRLEN 64

/*
 * Parse "1.2.3.4", "1.2.3.0/24", "2001:db8::/32", "::1", "2001:db8::1/128".
 * A bare address is a host prefix (/32 or /128). IPv4 must be exactly four
 * decimal octets (leading zeros allowed, read as decimal).
 * On success returns 0; host bits beyond plen are cleared and *host_bits
 * (if non-NULL) tells whether there were any.
 * On error returns -EINVAL, leaves *p untouched and, if why != NULL, points
 * *why at a static reason: "invalid address", "invalid prefix length" or
 * "prefix length out of range".
 */
int prefix_parse(const char *s, struct prefix *p, bool *host_bits, const char **why);

/* Always with /len: "10.0.0.0/8", "2001:db8::/32", "1.2.3.4/32". */
char *prefix_format(const struct prefix *p, char *buf, size_t len);

/* Total order: family (AF_INET first), then address bytes, then plen ascending. */
int prefix_cmp(const struct prefix *a, const struct prefix *b);

/* true if outer covers inner (same family, outer no longer, same leading bits). */
bool prefix_contains(const struct prefix *outer, const struct prefix *inner);

/* Clear bits beyond plen; returns true if any were set. */
bool prefix_mask(struct prefix *p);

/* true if address (family, 4 or 16 addr bytes) lies inside p. */
bool prefix_match_addr(const struct prefix *p, int family, const uint8_t *addr);

/* Growable array of prefixes; zero-initialise before first use. */
struct prefix_set {
	struct prefix *v;
	size_t n, cap;
};

int pset_push(struct prefix_set *s, const struct prefix *p);	/* -ENOMEM on failure */
void pset_free(struct prefix_set *s);

/*
 * The blocklist's source lists an entry came from, bit i for list i
 * (user/blset.h). Kept in pad so the struct stays 20 bytes: prefix_cmp
 * and pset_contains_exact ignore it, pset_sort_dedupe ORs it.
 */
static inline uint16_t prefix_sources(const struct prefix *p)
{
	return p->pad[0] | p->pad[1] << 8;
}

static inline void prefix_set_sources(struct prefix *p, uint16_t mask)
{
	p->pad[0] = mask & 0xff;
	p->pad[1] = mask >> 8;
}

/* Sort with prefix_cmp and remove exact duplicates, ORing their source
 * masks into the one kept; returns the number removed. */
size_t pset_sort_dedupe(struct prefix_set *s);

/*
 * On a sorted, deduped set: count entries that lie inside another (shorter)
 * entry of the set. If cb != NULL it is called once per such entry with its
 * nearest covering entry.
 */
size_t pset_overlaps(const struct prefix_set *s,
		     void (*cb)(const struct prefix *outer, const struct prefix *inner, void *ctx),
		     void *ctx);

/* Sort keys by their low `bytes` bytes (radix); -ENOMEM on failure. */
int radix_sort_u64(uint64_t *v, size_t n, unsigned int bytes);
/* IPv4 prefix as (address << 8 | plen): sorts like prefix_cmp. */
uint64_t prefix_key4(const struct prefix *p);

/* On a sorted set: binary search for an identical prefix. */
bool pset_contains_exact(const struct prefix_set *s, const struct prefix *p);

#endif /* ANYXDP_USER_PREFIX_H */
