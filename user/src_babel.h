/* SPDX-License-Identifier: GPL-2.0 */
/*
 * babeld's local interface as a route source (`anyxdp sync --babel` /
 * `--babel-socket`): read the greeting, send `monitor` (babeld then
 * dumps its table, prints "ok", and follows changes), feed the rib.
 */
#ifndef ANYXDP_USER_SRC_BABEL_H
#define ANYXDP_USER_SRC_BABEL_H

#include <stdbool.h>
#include "rib.h"
#include "source.h"

#define BABEL_DEFAULT_PORT "33123"

struct babel_source;

/*
 * addr: "[::1]:33123", "127.0.0.1:33123", "localhost", "::1" (port
 * defaults to 33123), or with is_unix a socket path. Resolves now, so a
 * bad address fails at start; -EINVAL with the reason in err.
 */
int babelsrc_new(struct babel_source **out, const char *addr, bool is_unix,
		 char *err, size_t len);
void babelsrc_free(struct babel_source *s);
/* "babeld [::1]:33123" or "babeld unix:/run/babeld.sock" */
const char *babelsrc_name(const struct babel_source *s);

/* Connect; the caller polls babelsrc_fd() for input. -errno if refused. */
int babelsrc_connect(struct babel_source *s);
int babelsrc_fd(const struct babel_source *s);	/* -1 when not connected */
void babelsrc_disconnect(struct babel_source *s);

/*
 * Read once (at most a few kB, to keep the time from read to map short)
 * and feed every complete line to r. ev->synced is set when babeld's dump
 * is complete. Malformed lines are warned about, counted and skipped.
 * Returns 0, -EPIPE when babeld closed the connection, or -errno.
 */
int babelsrc_read(struct babel_source *s, struct rib *r, struct src_events *ev);

/* Feed one line (without newline) as if read; for tests and benchmarks. */
int babelsrc_line(struct babel_source *s, const char *line, struct rib *r,
		  struct src_events *ev);

#endif
