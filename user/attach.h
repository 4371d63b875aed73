/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching the uplink programs: XDP (through libxdp where it can) and
 * the TC ingress half of the tunnel hand-off. */
#ifndef ANYXDP_ATTACH_H
#define ANYXDP_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include "maps.h"

/* Our cls_bpf filter on clsact ingress: fixed, so re-attach replaces it
 * and detach finds it. Priority 1 runs it before other filters. */
#define TC_HANDLE 0xa4d5
#define TC_PRIO 1

struct attach_opts {
	const char *ifname;
	int mode;		/* enum anyxdp_attach_mode */
	bool entry_counters;
	bool mss_clamp;		/* lower the MSS of steered SYNs */
	__u16 mss_max;		/* 0: by the next hop's MTU only */
	__u32 icmp_rate;	/* too-big answers/s per CPU; 0: leave to the kernel */
};
#define ATTACH_OPTS_DEFAULT { .mode = ATTACH_NATIVE, .entry_counters = true, \
			      .mss_clamp = true, .mss_max = 0, .icmp_rate = 1000 }

/* XDP and TC on o->ifname; all or nothing. */
int xdp_attach_iface(struct anyxdp_maps *m, const struct attach_opts *o);
/* Both programs off ifname. quiet_absent: no error when neither is there. */
int xdp_detach_iface(struct anyxdp_maps *m, const char *ifname, bool quiet_absent);
/* Kernel view: is a program called anyxdp_xdp attached to ifindex? */
bool xdp_is_attached(int ifindex, __u32 *prog_id, bool *multiprog);
/* Kernel view: is anyxdp_tc our ingress filter on ifindex? */
bool tc_is_attached(int ifindex, __u32 *prog_id);
/* Our cls_bpf slot (TC_HANDLE, TC_PRIO) on clsact ingress: the name of
 * the program in it, attach (replacing), detach. */
bool tc_filter_name(int ifindex, __u32 *prog_id, char *name, size_t len);
int tc_filter_attach(int prog_fd, int ifindex, const char *ifname);
int tc_filter_detach(int ifindex, const char *ifname);

#endif
