// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include "common.h"
#include "linkwatch.h"

/* Events come in bursts (a tunnel going away is several messages);
 * one refresh after the burst is enough. */
#define SETTLE_MS 50

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int link_watch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Read everything queued. ENOBUFS (we fell behind) still means "something
 * changed": the refresh reads the whole state anyway. */
int link_watch_drain(int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0 || (n < 0 && errno == ENOBUFS))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return n < 0 ? -errno : -EPIPE;
	}
}

int link_watch(int (*fn)(void *arg), void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct pollfd p = { .events = POLLIN };
	int err = 0, r;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	p.fd = link_watch_open();
	if (p.fd < 0) {
		log_err("cannot listen for link changes (rtnetlink): %s", strerror(-p.fd));
		return p.fd;
	}
	while (!stop && !err) {
		r = poll(&p, 1, -1);
		if (r < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		/* Let the burst finish, then act once. */
		while (!stop && poll(&p, 1, SETTLE_MS) > 0 && !(err = link_watch_drain(p.fd)))
			;
		if (!err && !stop)
			err = fn(arg);
	}
	close(p.fd);
	if (err)
		log_err("following link changes: %s", strerror(-err));
	return err;
}
