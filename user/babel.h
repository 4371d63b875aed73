/* SPDX-License-Identifier: GPL-2.0 */
/*
 * babeld's local interface (`local-port` / `local-path`), one line at a
 * time: what `dump` and `monitor` print. Groundwork for `anyxdp sync`.
 */
#ifndef ANYXDP_BABEL_H
#define ANYXDP_BABEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include "prefix.h"

enum babel_op { BABEL_ADD, BABEL_CHANGE, BABEL_FLUSH };
enum babel_kind { BABEL_ROUTE, BABEL_XROUTE, BABEL_NEIGHBOUR, BABEL_INTERFACE };

/* "add route 563d05a8da80 prefix 198.51.100.0/24 from 0.0.0.0/0 installed
 *  yes id c4:.. metric 96 refmetric 0 via fe80::a:2 if axlab-as" */
struct babel_route {
	char handle[24];	/* babeld's name for this route: the key of changes */
	struct prefix prefix;
	struct prefix from;	/* source-specific routing; /0 is "any" */
	bool installed;		/* babeld selected it (and put it in the kernel) */
	uint32_t metric;	/* 65535: unreachable (retracted) */
	uint8_t via_family;	/* AF_INET6 for link-local next hops, even for IPv4 */
	uint8_t via[16];
	char ifname[IF_NAMESIZE];
};

struct babel_line {
	enum babel_op op;
	enum babel_kind kind;
	struct babel_route route;	/* BABEL_ROUTE only */
	char ifname[IF_NAMESIZE];	/* BABEL_INTERFACE: its name */
	bool up;			/* BABEL_INTERFACE: "up true" */
};

/*
 * Parse one line (without its newline). Returns 1 and fills *out for a
 * route or interface line; 0 for lines sync has no use for (the
 * greeting, "ok", neighbours, xroutes, blank); -EINVAL with *why for a
 * route or interface line that is malformed.
 */
int babel_parse_line(const char *line, struct babel_line *out, const char **why);

/* A route is usable: selected, reachable, not source-specific. */
bool babel_route_usable(const struct babel_route *r);

#endif
