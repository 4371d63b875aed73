/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksum helpers (RFC 1071, incremental updates per RFC 1624). */
#ifndef ANYXDP_CSUM_H
#define ANYXDP_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static __always_inline void csum_replace16(__u16 *sum, __u16 old, __u16 new)
{
	__u32 s = ~(__u32)*sum & 0xffff;

	s += ~(__u32)old & 0xffff;
	s += new;
	*sum = csum_fold(s);
}

/* A 16-bit field at an odd offset from the start of the checksummed
 * data straddles two checksum words; its contribution is then the
 * byte-swapped value (RFC 1071 2(B)). Turns old and new into what the
 * checksum sees. */
static __always_inline void csum_field_at(int off, __u16 *old, __u16 *new)
{
	if (off & 1) {
		*old = __builtin_bswap16(*old);
		*new = __builtin_bswap16(*new);
	}
}

/* Checksum of a fresh 20-byte IPv4 header (no options). */
static __always_inline __u16 csum_ip4_hdr(const void *hdr)
{
	const __u16 *w = hdr;
	__u32 s = 0;
	int i;

#pragma unroll
	for (i = 0; i < 10; i++)
		s += w[i];
	return csum_fold(s);
}

#endif
