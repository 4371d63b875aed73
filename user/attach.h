/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching the uplink program, through libxdp where it can. */
#ifndef ANYXDP_ATTACH_H
#define ANYXDP_ATTACH_H

#include <stdbool.h>
#include "maps.h"

struct attach_opts {
	const char *ifname;
	int mode;		/* enum anyxdp_attach_mode */
	bool entry_counters;
};

int xdp_attach_iface(struct anyxdp_maps *m, const struct attach_opts *o);
/* quiet_absent: no error when nothing of ours is attached. */
int xdp_detach_iface(struct anyxdp_maps *m, const char *ifname, bool quiet_absent);
/* Kernel view: is a program called anyxdp_xdp attached to ifindex? */
bool xdp_is_attached(int ifindex, __u32 *prog_id, bool *multiprog);

#endif
