/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test harness for the anyxdp C tests and benchmarks.
 *
 * Assertions:
 *	ok(cond, "what %d", x);		prints "ok - what 1" or "not ok - what 1"
 *	okq(cond, "what");		same, but a pass prints only when verbose
 *	diag("note %s", s);		prints "# note ..."
 *	return harness_done();		prints "N passed, N failed" (always the
 *					last line) and returns the exit code
 * Verbose: ANYXDP_TEST_VERBOSE=1 in the environment.
 *
 * BPF fixture: a private pin dir under /sys/fs/bpf, the program loaded
 * from the skeleton with its maps pinned there, and the maps opened:
 *	struct fixture f;
 *	if (fixture_setup(&f)) bail;
 *	fixture_load_list(&f, prefixes, n);	 commit a blocklist (text)
 *	fixture_load_set(&f, &set, &rep);	 commit a prepared prefix_set
 *	fixture_allow(&f, "10.1.2.3", true);	 allowlist edit
 *	fixture_run(&f, pkt, len, &retval, out, &out_len);
 *	fixture_stats(&f, snap);		 all reason counters
 *	fixture_teardown(&f);			 the pin dir is also removed at
 *						 exit or SIGINT/SIGTERM if forgotten
 * Needs root (or CAP_BPF + CAP_NET_ADMIN + CAP_SYS_ADMIN).
 */
#ifndef ANYXDP_TEST_HARNESS_H
#define ANYXDP_TEST_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anyxdp.h"
#include "anyxdp.skel.h"
#include "common.h"
#include "maps.h"
#include "blset.h"
#include "prefix.h"

/* ------------------------------------------------------------------ */
/* Assertions and the summary line                                     */

static int harness_passed __attribute__((unused));
static int harness_failed __attribute__((unused));

static inline bool harness_verbose(void)
{
	static int v = -1;

	if (v < 0) {
		const char *e = getenv("ANYXDP_TEST_VERBOSE");

		v = e && *e && strcmp(e, "0") != 0;
	}
	return v;
}

static inline bool harness_vok(bool cond, bool quiet, const char *fmt, va_list ap)
{
	if (cond)
		harness_passed++;
	else
		harness_failed++;
	if (cond && quiet && !harness_verbose())
		return cond;
	fputs(cond ? "ok - " : "not ok - ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

/* Count and print one assertion; returns cond. */
__attribute__((format(printf, 2, 3)))
static inline bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	harness_vok(cond, false, fmt, ap);
	va_end(ap);
	return cond;
}

/* Like ok(), but a pass is printed only when verbose (for loops). */
__attribute__((format(printf, 2, 3)))
static inline bool okq(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	harness_vok(cond, true, fmt, ap);
	va_end(ap);
	return cond;
}

/* A comment line: "# ...". */
__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Print the summary (last line of output); returns the exit code. */
static inline int harness_done(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	fflush(stdout);
	return harness_failed ? 1 : 0;
}

/* A failure that makes going on pointless: summary and exit. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void harness_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	harness_failed++;
	exit(harness_done());
}

static inline double harness_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Pin dir fixture                                                     */

struct fixture {
	struct anyxdp_bpf *skel;	/* loaded, maps pinned in dir */
	struct anyxdp_maps m;		/* maps_open(dir) */
	bool maps_opened;
	int prog_fd;			/* anyxdp_xdp */
	char dir[PATH_MAX];		/* /sys/fs/bpf/anyxdp-test-<pid>-<n> */
};

/* Remove dir and everything in it (pins are plain files; recurse anyway). */
static inline int harness_rmtree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			harness_rmtree(path);
		else
			unlink(path);
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

/* Dirs still to remove at exit (a test that bails skips its teardown). */
#define HARNESS_MAX_DIRS 8
static char harness_dirs[HARNESS_MAX_DIRS][PATH_MAX] __attribute__((unused));

static inline void harness_cleanup_dirs(void)
{
	int i;

	for (i = 0; i < HARNESS_MAX_DIRS; i++) {
		if (harness_dirs[i][0]) {
			harness_rmtree(harness_dirs[i]);
			harness_dirs[i][0] = '\0';
		}
	}
}

static inline void harness_on_signal(int sig)
{
	harness_cleanup_dirs();
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void harness_track_dir(const char *dir, bool add)
{
	static bool registered;
	int i;

	if (!registered) {
		registered = true;
		atexit(harness_cleanup_dirs);
		signal(SIGINT, harness_on_signal);
		signal(SIGTERM, harness_on_signal);
	}
	for (i = 0; i < HARNESS_MAX_DIRS; i++) {
		if (add && !harness_dirs[i][0]) {
			snprintf(harness_dirs[i], PATH_MAX, "%s", dir);
			return;
		}
		if (!add && !strcmp(harness_dirs[i], dir)) {
			harness_dirs[i][0] = '\0';
			return;
		}
	}
}

static inline int harness_libbpf_print(enum libbpf_print_level level,
				       const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !harness_verbose()))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Make a fresh private pin dir /sys/fs/bpf/anyxdp-test-<pid>-<n>
 * (bpffs mounted if needed), removed at exit. Returns 0 or -errno. */
static inline int harness_make_dir(char *dir, size_t len)
{
	static int seq;
	int err;

	do	/* never reuse a dir that exists: it is someone else's */
		snprintf(dir, len, "/sys/fs/bpf/anyxdp-test-%d-%d", (int)getpid(), seq++);
	while (access(dir, F_OK) == 0);
	err = ensure_pin_dir(dir);
	if (err) {
		fprintf(stderr, "ensure_pin_dir(%s): %d\n", dir, err);
		return err < 0 ? err : -EIO;
	}
	harness_track_dir(dir, true);
	return 0;
}

/* Open and load the skeleton with its maps pinned in dir. */
static inline struct anyxdp_bpf *harness_load_skel(const char *dir)
{
	struct anyxdp_bpf *skel;
	int err;

	libbpf_set_print(harness_libbpf_print);
	skel = skel_open_pinned(dir);
	if (!skel) {
		fprintf(stderr, "skel_open_pinned(%s) failed\n", dir);
		return NULL;
	}
	err = anyxdp_bpf__load(skel);
	if (err) {
		fprintf(stderr, "anyxdp_bpf__load: %d (%s)\n", err, strerror(-err));
		anyxdp_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static inline void fixture_teardown(struct fixture *f)
{
	if (f->maps_opened)
		maps_close(&f->m);
	f->maps_opened = false;
	if (f->skel)
		anyxdp_bpf__destroy(f->skel);
	f->skel = NULL;
	if (f->dir[0]) {
		harness_rmtree(f->dir);
		harness_track_dir(f->dir, false);
		f->dir[0] = '\0';
	}
}

/*
 * Fresh private pin dir, the program loaded with its maps pinned there,
 * then the maps opened with maps_open(create) (which installs the empty
 * list). Returns 0 or -errno with a message on stderr.
 */
static inline int fixture_setup(struct fixture *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->prog_fd = -1;
	libbpf_set_print(harness_libbpf_print);
	err = harness_make_dir(f->dir, sizeof(f->dir));
	if (err) {
		f->dir[0] = '\0';
		return err;
	}
	f->skel = harness_load_skel(f->dir);
	if (!f->skel) {
		fixture_teardown(f);
		return -EINVAL;
	}
	f->prog_fd = bpf_program__fd(f->skel->progs.anyxdp_xdp);
	err = maps_open(&f->m, f->dir, true);
	if (err) {
		fprintf(stderr, "maps_open(%s): %d (%s)\n", f->dir, err, strerror(-err));
		fixture_teardown(f);
		return err < 0 ? err : -EIO;
	}
	f->maps_opened = true;
	return 0;
}

/* Parse prefixes, sort/dedupe into set (zeroed by the caller, freed by
 * the caller). Returns 0 or -EINVAL naming the bad one. */
static inline int harness_parse_set(const char *const *prefixes, size_t n,
				    struct prefix_set *set)
{
	struct prefix p;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (prefix_parse(prefixes[i], &p, NULL, &why)) {
			fprintf(stderr, "bad prefix '%s': %s\n", prefixes[i],
				why ? why : "?");
			return -EINVAL;
		}
		if (pset_push(set, &p))
			return -ENOMEM;
	}
	pset_sort_dedupe(set);
	return 0;
}

/* Replace the active blocklist by a prepared set (sorted and deduped). */
static inline int fixture_load_set(struct fixture *f, const struct prefix_set *set,
				   struct blset_report *rep)
{
	struct blset_report r;
	int err = blset_commit(&f->m, set, rep ? rep : &r);

	if (err)
		fprintf(stderr, "blset_commit: %d (%s)\n", err, strerror(-err));
	return err;
}

/* Replace the active blocklist by these prefixes. rep may be NULL. */
static inline int fixture_load_list_rep(struct fixture *f, const char *const *prefixes,
					size_t n, struct blset_report *rep)
{
	struct prefix_set set = { 0 };
	int err;

	err = harness_parse_set(prefixes, n, &set);
	if (!err)
		err = fixture_load_set(f, &set, rep);
	pset_free(&set);
	return err;
}

static inline int fixture_load_list(struct fixture *f, const char *const *prefixes, size_t n)
{
	return fixture_load_list_rep(f, prefixes, n, NULL);
}

/* Add or remove one allowlist prefix given as text. */
static inline int fixture_allow(struct fixture *f, const char *prefix, bool add)
{
	struct prefix p;
	int err;

	err = prefix_parse(prefix, &p, NULL, NULL);
	if (err) {
		fprintf(stderr, "bad allow prefix '%s'\n", prefix);
		return err;
	}
	err = allow_update(&f->m, &p, add);
	if (err)
		fprintf(stderr, "allow_update(%s, %d): %d\n", prefix, add, err);
	return err;
}

/*
 * One test run of the XDP program over pkt. out/out_len may be NULL;
 * *out_len is the capacity on entry, the output size on return.
 * Returns 0 or -errno from bpf_prog_test_run_opts.
 */
static inline int fixture_run(struct fixture *f, const void *pkt, size_t len,
			      __u32 *retval, void *out, __u32 *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = out_len ? *out_len : 0,
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(f->prog_fd, &opts);

	if (err)
		return err < 0 ? err : -EIO;
	if (retval)
		*retval = opts.retval;
	if (out_len)
		*out_len = opts.data_size_out;
	return 0;
}

/* All reason counters, summed over CPUs. */
static inline int fixture_stats(struct fixture *f, struct counter snap[R_MAX])
{
	__u32 k;
	int err;

	for (k = 0; k < R_MAX; k++) {
		err = percpu_sum(f->m.stats, &k, f->m.ncpus, &snap[k]);
		if (err)
			return err;
	}
	return 0;
}

static inline const char *reason_name(int r)
{
	static const char *const names[R_MAX] = ANYXDP_REASON_NAMES;

	if (r < 0 || r >= R_MAX || !names[r])
		return "?";
	return names[r];
}

#endif /* ANYXDP_TEST_HARNESS_H */
