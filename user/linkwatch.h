/* SPDX-License-Identifier: GPL-2.0 */
/* Follow interfaces coming, going and changing state (rtnetlink). */
#ifndef ANYXDP_LINKWATCH_H
#define ANYXDP_LINKWATCH_H

/* Call fn(arg) after every burst of link events (new, deleted, up,
 * down) until SIGINT or SIGTERM. Returns 0 on a signal, -errno on a
 * netlink error or the first error fn returns. */
int link_watch(int (*fn)(void *arg), void *arg);

/* For event loops of their own: a non-blocking socket on link events,
 * and reading all that is queued (0, or -errno). */
int link_watch_open(void);
int link_watch_drain(int fd);

#endif
