/* SPDX-License-Identifier: GPL-2.0 */
/* Option handling shared by the anyxdp and anyxdp-block front ends. */
#ifndef ANYXDP_CLI_H
#define ANYXDP_CLI_H

#include <stdbool.h>

extern const char *opt_pin_dir;	/* --pin-dir, or NULL */

/* Take -v/--verbose and --pin-dir DIR out of argv, wherever they are.
 * Returns the new argc, or -1 after an error message. */
int cli_global_opts(int argc, char **argv);

/* Open this instance's maps (with create: make them if missing). */
struct anyxdp_maps;
int cli_open_maps(struct anyxdp_maps *m, bool create);
/* The same for load, add, del and flush, which commit a list at once. */
int cli_open_maps_for_commit(struct anyxdp_maps *m);

/* Print a command's usage text on --help, or on misuse to stderr. */
int cli_usage(const char *text, bool error);

/* For commands whose only option is --json: 0 to go on, 1 after --help,
 * -EINVAL after a usage error. */
int cli_json_opt(int argc, char **argv, const char *help, bool *json);

/* The whole main() of a front end: global options, then the command. */
struct subcmd;
int cli_main(const char *name, const struct subcmd *cmds, const char *intro,
	     int argc, char **argv);

#endif
