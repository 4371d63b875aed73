/* SPDX-License-Identifier: GPL-2.0 */
/* What a route source reports to `anyxdp sync` after each read. */
#ifndef ANYXDP_USER_SOURCE_H
#define ANYXDP_USER_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

struct src_events {
	bool synced;		/* a full table (initial dump or resync) is now in the rib */
	bool resync;		/* the source started over: rib_clear() was called */
	uint64_t lines;		/* lines or messages read */
	uint64_t malformed;	/* of which skipped as malformed (warned about) */
	uint64_t read_ns;	/* CLOCK_MONOTONIC when the last read returned */
};

#endif
