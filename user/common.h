/* SPDX-License-Identifier: GPL-2.0 */
/* Logging, options and environment checks shared by every command. */
#ifndef ANYXDP_COMMON_H
#define ANYXDP_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern int verbose;		/* -v: show libbpf and libxdp messages */
extern const char *prog_name;	/* for messages: "anyxdp", "anyxdp-block" */

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Route libbpf/libxdp output through -v. */
void setup_lib_logging(void);

/* --pin-dir, else $ANYXDP_PIN_DIR, else the default. */
const char *pin_dir_resolve(const char *opt);

/* Commands that touch BPF need root or CAP_BPF+CAP_NET_ADMIN+CAP_SYS_ADMIN;
 * say so plainly instead of failing later with EPERM. */
int require_privileges(void);

/* Mount bpffs at /sys/fs/bpf if nothing is there; create dir 0700. */
int ensure_pin_dir(const char *dir);

uint64_t now_realtime_ns(void);
/* CLOCK_MONOTONIC in ns: for deadlines and latencies. */
uint64_t now_mono_ns(void);
/* Inode of our network namespace: ifindexes are per namespace. */
uint32_t netns_ino(void);
/* "2026-11-22T04:06:14Z" */
char *fmt_time_ns(uint64_t ns, char *buf, size_t len);

/* JSON string with escaping, quotes included. */
void json_str(FILE *f, const char *s);

/* Parse a non-negative integer option; -EINVAL with a message if bad. */
int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out);

/* Subcommand table for the two binaries. */
struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};
void subcmd_usage(FILE *f, const char *intro, const struct subcmd *cmds);
/* Runs argv[0] from cmds; returns a process exit code. */
int subcmd_run(const struct subcmd *cmds, const char *intro, int argc, char **argv);

/* true if argv holds -h or --help */
bool wants_help(int argc, char **argv);

#endif
