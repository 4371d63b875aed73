/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config file (/etc/anyxdp/anyxdp.conf): served prefixes, static
 * routes and attach settings, one per line. Parsing needs no maps and no
 * interfaces, so `anyxdp config check` works anywhere; conf_apply() then
 * makes the maps match the file.
 */
#ifndef ANYXDP_USER_CONF_H
#define ANYXDP_USER_CONF_H

#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include "anyxdp.h"
#include "prefix.h"

#define CONF_DEFAULT_FILE "/etc/anyxdp/anyxdp.conf"

struct conf_prefix {
	struct prefix pfx;
	int line;
};

/* A static route: nh has ifname, via, metric, mtu, and kind with
 * NH_F_KIND_SET when given; ifindex is filled in when applied. */
struct conf_route {
	struct prefix pfx;
	struct nexthop nh;
	int line;
};

struct anyxdp_conf {
	char file[PATH_MAX];
	struct conf_prefix *prefix;
	size_t n_prefix;
	struct conf_route *route;
	size_t n_route;
	int mss_clamp;		/* -1 not set, 0 off, 1 on */
	unsigned int mss_max;	/* with mss_clamp 1: 0 auto, else the cap */
	long icmp_rate;		/* -1 not set */
	char uplink[IF_NAMESIZE];	/* "uplink IFACE": "" if not set */
	int uplink_mode;	/* enum anyxdp_attach_mode; 0 if not given */
	char tunnels[sizeof(((struct tun_cfg *)0)->globs)];	/* "tunnels GLOB[,...]"; "" none */
	int mss_line, icmp_line, uplink_line, tunnels_line;	/* 0: not set */
	int err_line;		/* line of err, 0 if none */
	char err[512];		/* "FILE:LINE: reason" after a failure */
};

/*
 * Parse and check a whole file: syntax, duplicates, overlapping served
 * prefixes, routes outside every served prefix. Returns 0, or -errno with
 * c->err set (the first error by line). name is used in messages.
 */
int conf_parse_file(const char *path, struct anyxdp_conf *c);
int conf_parse_stream(FILE *f, const char *name, struct anyxdp_conf *c);
int conf_parse_string(const char *text, const char *name, struct anyxdp_conf *c);
void conf_free(struct anyxdp_conf *c);

/* A served prefix or route: no host bits, not IPv4-mapped. -EINVAL with
 * the reason in err ("invalid address '...'", ...). */
int steer_prefix_parse(const char *s, struct prefix *p, char *err, size_t len);

/*
 * `route` arguments after the prefix, shared with the command line:
 * dev IFACE [via ADDR] [metric N] [mtu N] [kind tunnel|ether].
 * Fills nh (zeroed first); -EINVAL with the reason in err.
 */
int route_args_parse(int argc, char **argv, const struct prefix *p,
		     struct nexthop *nh, char *err, size_t len);

/* mss-clamp value: "auto", "off" or an MSS; -EINVAL if bad. */
int mss_clamp_parse(const char *s, int *clamp, unsigned int *max);
#define ICMP_RATE_MAX 1000000

/*
 * Make the served prefixes and static next hops in the maps equal the
 * file; learned next hops stay (those in served prefixes the file drops
 * go with them, with a warning). Nothing changes if anything fails
 * before the writes. dry_run: report only. Prints what changed.
 */
struct anyxdp_maps;
struct conf_apply_report {
	size_t prefixes_added, prefixes_removed;
	size_t routes_added, routes_changed, routes_removed;
	size_t learned_dropped;
};
int conf_apply(struct anyxdp_maps *m, struct anyxdp_conf *c, bool dry_run,
	       struct conf_apply_report *r);

#endif
