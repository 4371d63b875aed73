/* SPDX-License-Identifier: GPL-2.0 */
/* The anyxdp subcommands, in anyxdp.c (attach, status, stats) and
 * cmd_steer.c (prefix, route, config), and what they share. */
#ifndef ANYXDP_CMDS_H
#define ANYXDP_CMDS_H

#include <errno.h>
#include <stdbool.h>
#include "conf.h"
#include "maps.h"

/* Exit 1, not 2: the input was understood but is wrong. */
#define EBADCONF EBADMSG

/* The kernel's EINVAL is a refusal, not a usage error: exit 1, not 2. */
static inline int kernel_err(int err)
{
	return err == -EINVAL ? -EIO : err;
}

static inline unsigned long long ull(__u64 v)
{
	return v;
}

static inline void counter_add(struct counter *to, const struct counter *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
}

int cmd_prefix(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_tunnel(int argc, char **argv);
int cmd_exporter(int argc, char **argv);
int cmd_top(int argc, char **argv);
/* "prefix add", "tunnel list": the second word picks the command. */
struct subcmd;
int run_group(const struct subcmd *cmds, const char *usage, int argc, char **argv);
/* The route sync in `anyxdp status`: a "sync:" line, or a JSON object
 * (null when it never ran with this pin dir). */
void sync_summary(struct anyxdp_maps *m, bool json);


/* The tunnels in `anyxdp status`: a "tunnels:" line, or a JSON object. */
void tunnel_summary(struct anyxdp_maps *m, bool json);

/* The per-served-prefix counter table of `stats` and `prefix list`. */
int served_table(struct anyxdp_maps *m, bool json);
/* One line on what a config apply did (or would do). */
void print_apply(const struct anyxdp_conf *c, const struct conf_apply_report *r, bool dry_run);

#endif
