/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel routes as a route source (`anyxdp sync --netlink`): an initial
 * RTM_GETROUTE dump, then RTM_NEWROUTE / RTM_DELROUTE, for routes a
 * routing daemon installed (BIRD's babel, babeld, ...), through libmnl.
 */
#ifndef ANYXDP_USER_SRC_NETLINK_H
#define ANYXDP_USER_SRC_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include "rib.h"
#include "source.h"

#define NLSRC_MAX_PROTOS 16

struct nl_source_opts {
	uint8_t protos[NLSRC_MAX_PROTOS];	/* rtm_protocol values to take */
	size_t n_protos;			/* 0: the default, babel (42) */
	uint32_t table;				/* 0: main (254) */
};

struct nl_source;

/*
 * "babel,bird,42": names from /etc/iproute2/rt_protos (and the usual
 * built-in ones: kernel boot static ra dhcp babel bird bgp ospf isis zebra)
 * or numbers 0..255. -EINVAL with the reason in err.
 */
int nlsrc_parse_protos(const char *list, struct nl_source_opts *o, char *err, size_t len);
/* "main", "local", "default" or 1..2^32-1. -EINVAL if bad. */
int nlsrc_parse_table(const char *s, uint32_t *table);

/* Open the socket, join the IPv4 and IPv6 route groups (and the link and
 * IPv4 address groups: the kernel flushes IPv4 routes of a downed
 * interface without telling), request a dump. */
int nlsrc_open(struct nl_source **out, const struct nl_source_opts *o);
int nlsrc_fd(const struct nl_source *s);
/* "netlink proto babel table main" */
const char *nlsrc_name(const struct nl_source *s);

/*
 * Read what is queued (non-blocking) into r. ev->synced is set when a
 * dump finished. When the kernel dropped messages (ENOBUFS) the source
 * calls rib_clear(r), sets ev->resync and requests a new dump itself.
 * Returns 0, or -errno when the socket is unusable.
 */
int nlsrc_read(struct nl_source *s, struct rib *r, struct src_events *ev);
void nlsrc_close(struct nl_source *s);

/*
 * One message as nlsrc_read() applies it (exposed for tests that feed
 * hand-made messages). nlh->nlmsg_len bytes must be readable. Counts it in
 * ev->lines, a malformed one also in ev->malformed; 0 or -errno as above.
 */
struct nlmsghdr;
int nlsrc_handle_msg(struct nl_source *s, const struct nlmsghdr *nlh, struct rib *r,
		     struct src_events *ev);

#endif
