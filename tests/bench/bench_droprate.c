// SPDX-License-Identifier: GPL-2.0
/*
 * Drop rate on a veth pair: how many packets per second each receiver
 * drops when every source address is on the blocklist.
 *
 * Run by tests/bench/bench_droprate.sh, which makes a network namespace
 * with a veth pair (GEN <-> RX) and runs this inside it (nsenter --net).
 *
 * Generator: bench_gen_xdp (bpf/bench_gen.bpf.c) through
 * bpf_prog_test_run_opts with BPF_F_TEST_XDP_LIVE_FRAMES, "received" on
 * GEN; each run writes the next source address of the (shuffled) real
 * ipsum list into a 60-byte UDP frame and returns XDP_TX, which sends
 * the frame out of GEN into RX, where the receiver under test runs in
 * native (driver) XDP mode of the veth, or in the stack for nftables.
 *
 * Receivers, same generator setup for all:
 *   trivial   bench_drop_xdp: count per CPU, XDP_DROP
 *   anyxdp    build/anyxdp attach RX (native), ipsum loaded with
 *             build/anyxdp-block load; counted by stats[R_DROP_BLOCKLIST]
 *   nftables  netdev ingress chain on RX, interval set with the same
 *             list, no XDP program; counted by a named nft counter
 * The rate is (counter after - counter before) / elapsed over the
 * measuring window, after a warm-up, median of --reps runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anyxdp.h"
#include "maps.h"
#include "bench_drop.skel.h"
#include "bench_gen.skel.h"
#include "bench_lpm.skel.h"
#include "bench_dense.skel.h"
#include "listparse.h"
#include "prefix.h"
#include "sweep.h"

#define MAX_GEN 2
#define FRAME_LEN 60
#define MAX_RUNS 16

enum setup { S_ONE, S_SPLIT, S_BOTH, S_MAX };
static const char *const setup_names[S_MAX] = { "one", "split", "both" };
static const char *const setup_desc[S_MAX] = {
	"1 generator on CPU 0, RX NAPI (softirq) on CPU 0",
	"1 generator on CPU 0, RX NAPI threaded and pinned to CPU 1",
	"2 generators on CPU 0 and 1, one RX queue each, NAPI on the same CPU",
};

/* The first three are the comparison; the last two are for reference:
 * the textbook XDP blocklist, and anyxdp without per-entry counters. */
enum contender { C_TRIVIAL, C_ANYXDP, C_NFT, C_LPM, C_ANYXDP_NOCTR, C_DENSE, C_MAX };
#define C_MAIN 3
static const char *const contender_names[C_MAX] = {
	"trivial XDP_DROP", "anyxdp", "nftables",
	"(ref) plain LPM trie XDP", "(ref) anyxdp --no-entry-counters",
	"(ref) dense /32 table + per-CPU counter array",
};

static struct {
	const char *gen_if, *rx_if, *pin_dir, *list, *bindir, *setup, *tmp;
	const char *sizes, *synthetic, *tsv_dir;
	double warmup, secs, size_secs;
	int reps;
} opt = {
	.bindir = "build",
	.tmp = "/tmp",
	.setup = "auto",
	.warmup = 1.0,
	.secs = 3.0,
	.reps = 3,
	.size_secs = 1.5,
};

static int gen_ifindex, rx_ifindex, ncpus;
static uint8_t frame[FRAME_LEN];
static struct bench_gen_bpf *gen;
static struct bench_drop_bpf *drop;
static struct bench_lpm_bpf *lpm;
static struct bench_dense_bpf *dense;
static char sysdir[PATH_MAX + 8];	/* private sysfs of this netns */
static char tmpdir[PATH_MAX];
static char nft_file[PATH_MAX + 16];
static atomic_int stop_gen;
static atomic_long gen_err;
static bool anyxdp_attached, nft_loaded, xdp_attached, sys_mounted;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s,
			       .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void cleanup(void);

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_droprate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "bench_droprate: '%s' exited %d\n", cmd, rc);
	return rc;
}

/* ---- sysfs of this network namespace ---- */

/* /sys belongs to the namespace that mounted it. Mount a private sysfs
 * in a private mount namespace, so /sys/fs/bpf stays as it is. */
static void mount_sysfs(void)
{
	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private: %s", strerror(errno));
	snprintf(sysdir, sizeof(sysdir), "%s/sys", tmpdir);
	if (mkdir(sysdir, 0700) || mount("sysfs", sysdir, "sysfs", 0, NULL))
		die("mount sysfs on %s: %s", sysdir, strerror(errno));
	sys_mounted = true;
}

static int sys_write(const char *ifname, const char *attr, const char *val)
{
	char path[PATH_MAX + 64];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/class/net/%s/%s", sysdir, ifname, attr);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

static unsigned long long sys_read_ull(const char *ifname, const char *attr)
{
	unsigned long long v = 0;
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/class/net/%s/%s", sysdir, ifname, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* GRO on: veth then runs a NAPI instance for RX even without XDP, the
 * path the nftables receiver needs (no ethtool binary here). */
static void set_gro(const char *ifname, bool on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = on };
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		die("socket: %s", strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(s, SIOCETHTOOL, &ifr))
		die("ETHTOOL_SGRO on %s: %s", ifname, strerror(errno));
	close(s);
}

/* ---- NAPI threads ---- */

#define MAX_PIDS 4096

static int napi_pids(int *pids, int max)
{
	struct dirent *de;
	char path[300], comm[64];
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "napi/", 5))
			pids[n++] = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Threaded NAPI on RX with its new kthreads pinned to cpu, or off. */
static void set_threaded(bool on, int cpu)
{
	static int before[MAX_PIDS], after[MAX_PIDS];
	int nb, na, i, j, pinned = 0, err;
	cpu_set_t set;

	nb = napi_pids(before, MAX_PIDS);
	err = sys_write(opt.rx_if, "threaded", on ? "1" : "0");
	if (err)
		die("write %s threaded: %s", opt.rx_if, strerror(-err));
	if (!on)
		return;
	sleep_s(0.05);
	na = napi_pids(after, MAX_PIDS);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j < nb)
			continue;
		if (sched_setaffinity(after[i], sizeof(set), &set))
			die("pin NAPI thread %d: %s", after[i], strerror(errno));
		pinned++;
	}
	if (!pinned)
		die("threaded NAPI on %s: no new napi/ kthread found", opt.rx_if);
}

/* ---- counters ---- */

static uint64_t percpu_packets(int fd, __u32 key)
{
	struct counter c;

	return percpu_sum(fd, &key, ncpus, &c) ? 0 : c.packets;
}

static int anyxdp_stats_fd = -1;

static uint64_t nft_counter(void)
{
	char line[512];
	uint64_t pk = 0;
	FILE *p = popen("nft list counter netdev bench drops 2>/dev/null", "r");
	char *s;

	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if ((s = strstr(line, "packets ")))
			pk = strtoull(s + 8, NULL, 10);
	pclose(p);
	return pk;
}

/* Packets the receiver dropped so far. */
static uint64_t dropped(enum contender c)
{
	switch (c) {
	case C_TRIVIAL:
		return percpu_packets(bpf_map__fd(drop->maps.drop_stats), 0);
	case C_ANYXDP:
	case C_ANYXDP_NOCTR:
		return percpu_packets(anyxdp_stats_fd, R_DROP_BLOCKLIST);
	case C_LPM:
		return percpu_packets(bpf_map__fd(lpm->maps.lpm_stats), 1);
	case C_DENSE:
		return percpu_packets(bpf_map__fd(dense->maps.dense_stats), 1);
	default:
		return nft_counter();
	}
}

static uint64_t generated(void)
{
	return percpu_packets(bpf_map__fd(gen->maps.gen_stats), 0);
}

/* ---- generator ---- */

struct gen_arg {
	pthread_t th;
	int cpu;
};

static void *gen_thread(void *p)
{
	struct gen_arg *a = p;
	struct xdp_md ctx = {
		.data_end = FRAME_LEN,
		.ingress_ifindex = gen_ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = FRAME_LEN,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1 << 18,
		.batch_size = 64,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	int fd = bpf_program__fd(gen->progs.bench_gen_xdp);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!atomic_load(&stop_gen)) {
		if (bpf_prog_test_run_opts(fd, &o)) {
			atomic_store(&gen_err, -errno);
			break;
		}
	}
	return NULL;
}

struct result {
	double mpps;		/* dropped by the receiver */
	double offered;		/* sent by the generator */
	double rx;		/* RX veth rx_packets */
	double prog_ns;		/* mean run time of RX's XDP program (profiling) */
	double frac;		/* dropped / received over the whole run */
};

static int prof_fd = -1;	/* RX's XDP program while profiling */

static void prog_stats(__u64 *cnt, __u64 *ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*cnt = *ns = 0;
	if (prof_fd >= 0 && !bpf_obj_get_info_by_fd(prof_fd, &info, &len)) {
		*cnt = info.run_cnt;
		*ns = info.run_time_ns;
	}
}

/* Generators per setup, a warm-up, then the measuring window. */
static struct result measure(enum setup s, enum contender c)
{
	struct gen_arg g[MAX_GEN];
	int n = s == S_BOTH ? 2 : 1, i;
	uint64_t D0, D1, R0, R1, d0 = 0, d1 = 0, g0, g1, r0, r1;
	bool slow = c == C_NFT;	/* reading its counter runs nft: not in the window */
	__u64 pc0, pc1, pn0, pn1;
	struct result r;
	double t0, t1;

	/* Totals over the whole run (generator stopped): the drop fraction. */
	/* nft: setup_receiver loads a fresh table, whose counter starts at 0;
	 * reading it parses the whole ruleset (seconds at 1M entries). */
	D0 = slow ? 0 : dropped(c);
	R0 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	atomic_store(&stop_gen, 0);
	atomic_store(&gen_err, 0);
	for (i = 0; i < n; i++) {
		g[i].cpu = i;
		if (pthread_create(&g[i].th, NULL, gen_thread, &g[i]))
			die("pthread_create");
	}
	sleep_s(opt.warmup);
	t0 = now();
	if (!slow)
		d0 = dropped(c);
	g0 = generated();
	r0 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	prog_stats(&pc0, &pn0);
	sleep_s(opt.secs);
	t1 = now();
	if (!slow)
		d1 = dropped(c);
	g1 = generated();
	r1 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	prog_stats(&pc1, &pn1);
	t1 = (t1 + now()) / 2;	/* the reads above took a little time */
	atomic_store(&stop_gen, 1);
	for (i = 0; i < n; i++)
		pthread_join(g[i].th, NULL);
	if (atomic_load(&gen_err))
		die("generator: bpf_prog_test_run_opts: %s", strerror(-(int)atomic_load(&gen_err)));
	sleep_s(0.05);		/* let RX drain its queue */
	D1 = dropped(c);
	R1 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	r.frac = R1 > R0 ? (double)(D1 - D0) / (R1 - R0) : 0;
	r.offered = (g1 - g0) / (t1 - t0) / 1e6;
	r.rx = (r1 - r0) / (t1 - t0) / 1e6;
	/* nftables: received in the window times the fraction it dropped */
	r.mpps = slow ? r.rx * r.frac : (d1 - d0) / (t1 - t0) / 1e6;
	r.prog_ns = pc1 > pc0 ? (double)(pn1 - pn0) / (pc1 - pc0) : 0;
	return r;
}

/* ---- receivers ---- */

static void attach_xdp(int fd, const char *what)
{
	if (bpf_xdp_attach(rx_ifindex, fd, XDP_FLAGS_DRV_MODE, NULL))
		die("attach %s to %s: %s", what, opt.rx_if, strerror(errno));
	xdp_attached = true;
}

static void setup_receiver(enum contender c)
{
	switch (c) {
	case C_TRIVIAL:
		attach_xdp(bpf_program__fd(drop->progs.bench_drop_xdp), "bench_drop_xdp");
		break;
	case C_LPM:
		attach_xdp(bpf_program__fd(lpm->progs.bench_lpm_xdp), "bench_lpm_xdp");
		break;
	case C_DENSE:
		attach_xdp(bpf_program__fd(dense->progs.bench_dense_xdp), "bench_dense_xdp");
		break;
	case C_ANYXDP:
	case C_ANYXDP_NOCTR:
		if (run("%s/anyxdp attach %s --mode native%s --pin-dir %s >/dev/null",
			opt.bindir, opt.rx_if,
			c == C_ANYXDP_NOCTR ? " --no-entry-counters" : "", opt.pin_dir))
			die("anyxdp attach failed");
		anyxdp_attached = true;
		break;
	default:
		if (run("nft -f %s", nft_file))
			die("nft -f %s failed", nft_file);
		nft_loaded = true;
		break;
	}
}

static void teardown_receiver(enum contender c)
{
	switch (c) {
	case C_TRIVIAL:
	case C_LPM:
	case C_DENSE:
		if (xdp_attached)
			bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		xdp_attached = false;
		break;
	case C_ANYXDP:
	case C_ANYXDP_NOCTR:
		if (anyxdp_attached)
			run("%s/anyxdp detach %s --pin-dir %s >/dev/null", opt.bindir,
			    opt.rx_if, opt.pin_dir);
		anyxdp_attached = false;
		break;
	default:
		if (nft_loaded)
			run("nft delete table netdev bench");
		nft_loaded = false;
		break;
	}
}

static void cleanup(void)
{
	int c;

	atomic_store(&stop_gen, 1);
	for (c = 0; c < C_MAX; c++)
		teardown_receiver(c);
	if (nft_file[0])
		unlink(nft_file);
	if (sys_mounted) {
		umount2(sysdir, MNT_DETACH);
		sys_mounted = false;
	}
	if (sysdir[0])
		rmdir(sysdir);
	if (tmpdir[0])
		rmdir(tmpdir);
	tmpdir[0] = sysdir[0] = '\0';
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- list, frame, nft ruleset ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
}

/* 60-byte UDP frame from GEN to RX; the source is rewritten per run. */
static void build_frame(void)
{
	uint8_t *ip = frame + 14, *udp = ip + 20;
	uint32_t sum = 0;
	int i;

	memset(frame, 0, sizeof(frame));
	get_mac(opt.rx_if, frame);
	get_mac(opt.gen_if, frame + 6);
	put16(frame + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, FRAME_LEN - 14);
	put16(ip + 4, 1);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "198.18.0.1", ip + 12);	/* rewritten */
	inet_pton(AF_INET, "198.18.0.2", ip + 16);	/* RFC 2544 range */
	for (i = 0; i < 20; i += 2)
		sum += (ip[i] << 8) | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	put16(udp, 40000);
	put16(udp + 2, 9);	/* discard */
	put16(udp + 4, FRAME_LEN - 34);
}

/* The dense experiment: /32s only, buckets at most half full. */
static void load_dense(const struct prefix_set *set)
{
	struct dense_bucket { __u32 addr[8], idx[8]; } *tbl;
	__u32 nb = 1, bits = 0, b, k, i, n4 = 0, p;

	for (i = 0; i < set->n; i++)
		n4 += set->v[i].family == AF_INET && set->v[i].plen == 32;
	while (nb * 4 < n4) {
		nb <<= 1;
		bits++;
	}
	tbl = calloc(nb, sizeof(*tbl));
	if (!tbl)
		die("dense: out of memory");
	for (i = 0, k = 0; i < set->n; i++) {
		__u32 a;

		if (set->v[i].family != AF_INET || set->v[i].plen != 32)
			continue;
		memcpy(&a, set->v[i].addr, 4);
		b = bits ? (a * 0x9E3779B1u) >> (32 - bits) : 0;
		for (p = 0; p < 8; p++, b = (b + 1) & (nb - 1)) {
			int j;

			for (j = 0; j < 8 && tbl[b].idx[j]; j++)
				;
			if (j < 8) {
				tbl[b].addr[j] = a;
				tbl[b].idx[j] = ++k;
				break;
			}
		}
		if (p == 8)
			die("dense: bucket chain too long");
	}
	dense = bench_dense_bpf__open();
	if (!dense)
		die("cannot open bench_dense");
	dense->rodata->dense_mask = nb - 1;
	dense->rodata->dense_shift = bits ? 32 - bits : 31;
	bpf_map__set_max_entries(dense->maps.dense_tbl, nb);
	bpf_map__set_max_entries(dense->maps.dense_cnt, k ? k : 1);
	if (bench_dense_bpf__load(dense))
		die("cannot load bench_dense");
	for (b = 0; b < nb; b++)
		if (bpf_map_update_elem(bpf_map__fd(dense->maps.dense_tbl), &b, &tbl[b], 0))
			die("fill dense_tbl: %s", strerror(errno));
	free(tbl);
}

/* The nft ruleset holding set's IPv4 entries. nft refuses overlapping
 * intervals (a /32 inside a listed CIDR) unless the set merges them. */
static void write_nft(const char *path, const struct prefix_set *set)
{
	char buf[PREFIX_STRLEN];
	bool cidrs = false;
	size_t i;
	FILE *f;

	for (i = 0; i < set->n; i++)
		cidrs |= set->v[i].family == AF_INET && set->v[i].plen < 32;
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "table netdev bench {\n\tcounter drops { }\n"
		   "\tset bl {\n\t\ttype ipv4_addr\n\t\tflags interval\n%s\t\telements = {\n",
		cidrs ? "\t\tauto-merge\n" : "");
	for (i = 0; i < set->n; i++) {
		if (set->v[i].family != AF_INET)
			continue;
		prefix_format(&set->v[i], buf, sizeof(buf));
		fprintf(f, "\t\t\t%s,\n", buf);
	}
	fprintf(f, "\t\t}\n\t}\n\tchain ingress {\n"
		   "\t\ttype filter hook ingress device \"%s\" priority -500;\n"
		   "\t\tip saddr @bl counter name \"drops\" drop\n\t}\n}\n", opt.rx_if);
	if (fclose(f))
		die("write %s: %s", path, strerror(errno));
}

/* The set's IPv4 hosts, shuffled (fixed seed), into gen_addrs4, at most
 * its size; each CPU starts at another point. The count used. */
static __u32 gen_fill(const struct prefix_set *set)
{
	uint32_t *addrs = calloc(set->n + 1, sizeof(*addrs));
	__u64 pos[ncpus];
	__u32 n = 0, max, zero = 0, p;
	size_t i;
	int c;

	if (!addrs)
		die("out of memory");
	max = bpf_map__max_entries(gen->maps.gen_addrs4);
	for (i = 0; i < set->n; i++)
		if (set->v[i].family == AF_INET && set->v[i].plen == 32)
			memcpy(&addrs[n++], set->v[i].addr, 4);
	if (!n)
		die("%s has no IPv4 host addresses", opt.list);
	rng_state = 0x9E3779B97F4A7C15ull;
	for (i = n - 1; i > 0; i--) {	/* Fisher-Yates */
		size_t j = rng() % (i + 1);
		uint32_t t = addrs[i];

		addrs[i] = addrs[j];
		addrs[j] = t;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		__u32 k = i;

		if (bpf_map_update_elem(bpf_map__fd(gen->maps.gen_addrs4), &k, &addrs[i], 0))
			die("fill gen_addrs4: %s", strerror(errno));
	}
	gen->data->gen_n = n;
	/* Per-CPU values come in 8-byte slots. */
	memset(pos, 0, sizeof(pos));
	for (c = 0; c < ncpus; c++) {
		p = (__u32)((uint64_t)n * c / ncpus);
		memcpy(&pos[c], &p, sizeof(p));
	}
	if (bpf_map_update_elem(bpf_map__fd(gen->maps.gen_pos), &zero, pos, 0))
		die("gen_pos: %s", strerror(errno));
	free(addrs);
	return n;
}

/* The reference trie receiver, holding the set's IPv4 entries. */
static void lpm_load(const struct prefix_set *set)
{
	size_t i;

	if (lpm)
		bench_lpm_bpf__destroy(lpm);
	lpm = bench_lpm_bpf__open();
	if (!lpm)
		die("cannot open bench_lpm");
	bpf_map__set_max_entries(lpm->maps.lpm_v4, set->n ? set->n : 1);
	if (bench_lpm_bpf__load(lpm))
		die("cannot load bench_lpm");
	for (i = 0; i < set->n; i++) {
		struct bl_key4 k = { .prefixlen = set->v[i].plen };
		__u32 one = 1;

		if (set->v[i].family != AF_INET)
			continue;
		memcpy(k.addr, set->v[i].addr, 4);
		if (bpf_map_update_elem(bpf_map__fd(lpm->maps.lpm_v4), &k, &one, BPF_ANY))
			die("fill lpm_v4: %s", strerror(errno));
	}
}

static struct prefix_set list_set;	/* --list, sorted */

/* The list into the generator, the nft file and the reference receivers. */
static size_t load_addresses(void)
{
	struct list_opts lo = { .quiet = true };
	size_t n;
	int err;

	err = list_parse_file(opt.list, &lo, &list_set, NULL);
	if (err)
		die("cannot parse %s: %s", opt.list, strerror(-err));
	pset_sort_dedupe(&list_set);
	snprintf(nft_file, sizeof(nft_file), "%s/bench.nft", tmpdir);
	write_nft(nft_file, &list_set);
	n = gen_fill(&list_set);
	lpm_load(&list_set);
	load_dense(&list_set);
	return n;
}

/* ---- list size sweep ---- */

static const enum contender size_c[] = { C_TRIVIAL, C_ANYXDP, C_NFT, C_LPM };
#define NSIZE_C 4

static size_t sizes[MAX_SIZES];
static int nsizes;

static void write_list(const char *path, const struct prefix_set *set)
{
	char buf[PREFIX_STRLEN];
	size_t i;
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	for (i = 0; i < set->n; i++)
		fprintf(f, "%s\n", prefix_format(&set->v[i], buf, sizeof(buf)));
	if (fclose(f))
		die("write %s: %s", path, strerror(errno));
}

/* CPU ns per dropped packet: the CPUs the setup keeps busy / rate. */
static double cpu_ns(double mpps, int cpus)
{
	return mpps > 0 ? cpus * 1e3 / mpps : 0;
}

/* Each receiver once per list size, a short window each; every source
 * of the generator is on the list. */
static void size_sweep(enum setup chosen)
{
	double rate[MAX_SIZES][NSIZE_C], save_secs = opt.secs, save_warmup = opt.warmup;
	double warm = opt.size_secs / 3 < 0.5 ? 0.5 : opt.size_secs / 3;
	int cpus = chosen == S_ONE ? 1 : 2, i, j;
	size_t entries[MAX_SIZES];
	__u32 sources[MAX_SIZES];
	const char *from[MAX_SIZES];
	struct prefix_set synth = {};
	char list_path[PATH_MAX + 16];
	FILE *f;

	opt.secs = opt.size_secs;
	opt.warmup = warm;
	snprintf(list_path, sizeof(list_path), "%s/list.txt", tmpdir);
	for (i = 0; i < nsizes; i++) {
		const struct prefix_set *src = &list_set;
		struct prefix_set set = {};

		if (sizes[i] > list_set.n) {
			if (!opt.synthetic)
				die("--sizes %zu: more than the %zu entries of %s, and no --synthetic "
				    "FILE", sizes[i], list_set.n, opt.list);
			if (!synth.n) {
				struct list_opts lo = { .quiet = true };
				int err = list_parse_file(opt.synthetic, &lo, &synth, NULL);

				if (err)
					die("cannot parse %s: %s", opt.synthetic, strerror(-err));
				pset_sort_dedupe(&synth);
			}
			src = &synth;
		}
		from[i] = src == &list_set ? "ipsum" : "synthetic";
		if (pick_subset(&set, src, sizes[i]))
			die("out of memory");
		pset_sort_dedupe(&set);
		entries[i] = set.n;
		write_list(list_path, &set);
		write_nft(nft_file, &set);
		if (run("%s/anyxdp-block load --pin-dir %s -q %s >/dev/null", opt.bindir,
			opt.pin_dir, list_path))
			die("anyxdp-block load of %zu entries failed", set.n);
		lpm_load(&set);
		sources[i] = gen_fill(&set);
		for (j = 0; j < NSIZE_C; j++) {
			enum contender c = size_c[(i + j) % NSIZE_C];	/* rotate who goes first */
			struct result r;

			setup_receiver(c);
			r = measure(chosen, c);
			teardown_receiver(c);
			rate[i][(i + j) % NSIZE_C] = r.mpps;
		}
		fprintf(stderr, "  size %zu (%s, %u sources): trivial %.2f, anyxdp %.2f, "
			"nftables %.2f, trie %.2f Mpps\n", entries[i], from[i], sources[i],
			rate[i][0], rate[i][1], rate[i][2], rate[i][3]);
		unlink(list_path);
		pset_free(&set);
	}
	pset_free(&synth);
	opt.secs = save_secs;
	opt.warmup = save_warmup;

	printf("\n### Drop rate against list size\n\n"
	       "Each receiver once per list size (%.1f s window after %.1f s warm-up, same "
	       "generator setup): the list is a random subset (seeded, the same as "
	       "bench_lookup's sweep) of ipsum, or of the synthetic 1M set above ipsum's size; "
	       "the generator cycles through the list's IPv4 /32s (at most %u), so every packet "
	       "is dropped. nftables and the trie hold the IPv4 entries, anyxdp all of them.\n\n"
	       "CPU ns per packet = %d CPU%s / rate (generator, veth and receiver together); "
	       "*above trivial* subtracts the trivial XDP_DROP receiver's figure, which leaves "
	       "the receiver's own cost per packet. For nftables, which has no test_run, this "
	       "derived figure is its lookup cost (plus the skb it needs); it is derived, not "
	       "measured like bench_lookup's.\n\n"
	       "| entries | list | sources | trivial Mpps | anyxdp Mpps | nftables Mpps "
	       "| lpm-trie Mpps | anyxdp ns above trivial | nftables ns above trivial (derived) "
	       "| lpm-trie ns above trivial |\n"
	       "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
	       opt.size_secs, warm,
	       bpf_map__max_entries(gen->maps.gen_addrs4), cpus, cpus > 1 ? "s" : "");
	for (i = 0; i < nsizes; i++) {
		double t = cpu_ns(rate[i][0], cpus);

		printf("| %zu | %s | %u | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f |\n",
		       entries[i], from[i], sources[i], rate[i][0], rate[i][1], rate[i][2],
		       rate[i][3], cpu_ns(rate[i][1], cpus) - t, cpu_ns(rate[i][2], cpus) - t,
		       cpu_ns(rate[i][3], cpus) - t);
	}
	f = tsv_open("bench_droprate", opt.tsv_dir, "droprate-size.tsv");
	if (!f)
		return;
	fprintf(f, "entries\tlist\tsources\tcpus\ttrivial_mpps\tanyxdp_mpps\tnft_mpps\tlpm_mpps"
		   "\ttrivial_cpu_ns\tanyxdp_cpu_ns\tnft_cpu_ns\tlpm_cpu_ns"
		   "\tanyxdp_derived_ns\tnft_derived_ns\tlpm_derived_ns\n");
	for (i = 0; i < nsizes; i++) {
		double t = cpu_ns(rate[i][0], cpus);

		fprintf(f, "%zu\t%s\t%u\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f\t%.1f"
			   "\t%.1f\t%.1f\t%.1f\n", entries[i], from[i], sources[i], cpus,
			rate[i][0], rate[i][1], rate[i][2], rate[i][3], t,
			cpu_ns(rate[i][1], cpus), cpu_ns(rate[i][2], cpus), cpu_ns(rate[i][3], cpus),
			cpu_ns(rate[i][1], cpus) - t, cpu_ns(rate[i][2], cpus) - t,
			cpu_ns(rate[i][3], cpus) - t);
	}
	tsv_close("bench_droprate", f, opt.tsv_dir, "droprate-size.tsv");
}

/* ---- main ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double t[MAX_RUNS];

	memcpy(t, v, n * sizeof(*v));
	qsort(t, n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void apply_setup(enum setup s)
{
	set_threaded(s == S_SPLIT, 1);
}

/* One receiver with BPF run-time statistics on: ns per packet inside
 * its XDP program, in the real receive path. */
static struct result profile(enum setup s, enum contender c)
{
	int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	struct result r;
	__u32 id = 0;

	if (stats < 0)
		die("bpf_enable_stats: %s", strerror(errno));
	setup_receiver(c);
	if (bpf_xdp_query_id(rx_ifindex, XDP_FLAGS_DRV_MODE, &id) || !id)
		die("no XDP program on %s", opt.rx_if);
	prof_fd = bpf_prog_get_fd_by_id(id);
	if (prof_fd < 0)
		die("prog id %u: %s", id, strerror(errno));
	r = measure(s, c);
	close(prof_fd);
	prof_fd = -1;
	teardown_receiver(c);
	close(stats);
	return r;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_droprate --gen IF --rx IF --pin-dir DIR --list FILE\n"
		"         [--bindir build] [--setup auto|one|split|both]\n"
		"         [--warmup SECS] [--secs SECS] [--reps N] [--quick] [--tmpdir DIR]\n"
		"         [--sizes N,N,..] [--synthetic FILE] [--size-secs SECS] [--tsv-dir DIR]\n"
		"Run inside a network namespace (tests/bench/bench_droprate.sh does).\n"
		"--quick: the three main receivers only, no profile, no sources sweep.\n"
		"--sizes: then each receiver once per list size (a subset of --list, of the\n"
		"  --synthetic list above its size), --size-secs windows (default 1.5).\n"
		"--tsv-dir (default $BENCH_TSV_DIR): the tables as TSV files there too.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "gen", required_argument, NULL, 'g' },
		{ "rx", required_argument, NULL, 'r' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "list", required_argument, NULL, 'l' },
		{ "bindir", required_argument, NULL, 'b' },
		{ "setup", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "secs", required_argument, NULL, 't' },
		{ "reps", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "sizes", required_argument, NULL, 'S' },
		{ "synthetic", required_argument, NULL, 'Y' },
		{ "size-secs", required_argument, NULL, 'Z' },
		{ "tsv-dir", required_argument, NULL, 'V' },
		{ 0 }
	};
	static const enum contender prof_c[] = { C_TRIVIAL, C_ANYXDP, C_ANYXDP_NOCTR, C_LPM };
	static const __u32 sweep_n[] = { 64, 4096, 32768 };
	double rate[C_MAX][MAX_RUNS], off[C_MAX][MAX_RUNS], rx[C_MAX][MAX_RUNS];
	double frac[C_MAX][MAX_RUNS];
	double probe[S_MAX] = { 0 }, probe_off[S_MAX] = { 0 }, med[C_MAX], r_triv, r_nft;
	struct result prof[4] = {};
	double sweep[4][2];
	enum setup chosen = S_ONE;
	int c, rep, s, nc, i;
	bool quick = false;
	size_t naddr;
	__u32 all_n;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'g': opt.gen_if = optarg; break;
		case 'r': opt.rx_if = optarg; break;
		case 'p': opt.pin_dir = optarg; break;
		case 'l': opt.list = optarg; break;
		case 'b': opt.bindir = optarg; break;
		case 's': opt.setup = optarg; break;
		case 'w': opt.warmup = atof(optarg); break;
		case 't': opt.secs = atof(optarg); break;
		case 'n': opt.reps = atoi(optarg); break;
		case 'q': quick = true; break;
		case 'T': opt.tmp = optarg; break;
		case 'S': opt.sizes = optarg; break;
		case 'Y': opt.synthetic = optarg; break;
		case 'Z': opt.size_secs = atof(optarg); break;
		case 'V': opt.tsv_dir = optarg; break;
		default: usage();
		}
	}
	if (!opt.tsv_dir)
		opt.tsv_dir = getenv("BENCH_TSV_DIR");
	if (opt.sizes && (nsizes = parse_sizes(opt.sizes, sizes)) < 0) {
		fprintf(stderr, "bench_droprate: --sizes wants up to %d sizes 1..10M, like "
			"1000,10k,1M; got '%s'\n", MAX_SIZES, opt.sizes);
		usage();
	}
	if (opt.size_secs <= 0)
		usage();
	if (!opt.gen_if || !opt.rx_if || !opt.pin_dir || !opt.list ||
	    opt.reps < 1 || opt.reps > MAX_RUNS || opt.secs <= 0)
		usage();
	nc = quick ? C_MAIN : C_MAX;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = libbpf_num_possible_cpus();
	gen_ifindex = if_nametoindex(opt.gen_if);
	rx_ifindex = if_nametoindex(opt.rx_if);
	if (!gen_ifindex || !rx_ifindex)
		die("no interface %s or %s in this network namespace", opt.gen_if, opt.rx_if);
	snprintf(tmpdir, sizeof(tmpdir), "%s/anyxdp-droprate-XXXXXX", opt.tmp);
	if (!mkdtemp(tmpdir))
		die("mkdtemp: %s", strerror(errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(cleanup);
	mount_sysfs();

	gen = bench_gen_bpf__open_and_load();
	drop = bench_drop_bpf__open_and_load();
	if (!gen || !drop)
		die("cannot load the benchmark BPF programs");
	naddr = load_addresses();
	all_n = gen->data->gen_n;
	build_frame();

	/* anyxdp's maps and list, once; attached per run. */
	if (run("%s/anyxdp-block load --pin-dir %s -q %s >/dev/null", opt.bindir,
		opt.pin_dir, opt.list))
		die("anyxdp-block load failed");
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/stats", opt.pin_dir);
		anyxdp_stats_fd = bpf_obj_get(path);
		if (anyxdp_stats_fd < 0)
			die("open %s: %s", path, strerror(errno));
	}
	set_gro(opt.rx_if, true);

	printf("## Drop rate (bench_droprate)\n\n"
	       "veth pair in a private network namespace. Generator: bench_gen_xdp run by\n"
	       "bpf_prog_test_run_opts in live-frames mode (batch 64) on the sending veth; each\n"
	       "frame (%d-byte UDP/IPv4) gets the next source of %zu ipsum addresses (shuffled,\n"
	       "all on the blocklist) and is sent with XDP_TX into the receiving veth, whose\n"
	       "receiver drops it. Rate = receiver's drop counter over a %.1f s window after\n"
	       "%.1f s warm-up; median of %d runs, receivers interleaved.\n\n",
	       FRAME_LEN, naddr, opt.secs, opt.warmup, opt.reps);

	/* Which generator setup gives the trivial receiver the highest rate. */
	if (!strcmp(opt.setup, "auto")) {
		printf("Generator setup probe (trivial XDP_DROP, one run each); the best is used for "
		       "every receiver:\n\n| setup | dropped Mpps | generated Mpps | what |\n"
		       "|---|---:|---:|---|\n");
		for (s = 0; s < S_MAX; s++) {
			struct result r;

			apply_setup(s);
			setup_receiver(C_TRIVIAL);
			r = measure(s, C_TRIVIAL);
			teardown_receiver(C_TRIVIAL);
			probe[s] = r.mpps;
			probe_off[s] = r.offered;
			if (r.mpps > probe[chosen])
				chosen = s;
		}
		for (s = 0; s < S_MAX; s++)
			printf("| %s%s | %.2f | %.2f | %s |\n", setup_names[s],
			       s == (int)chosen ? " (used)" : "", probe[s], probe_off[s],
			       setup_desc[s]);
	} else {
		for (s = 0; s < S_MAX && strcmp(opt.setup, setup_names[s]); s++)
			;
		if (s == S_MAX)
			usage();
		chosen = s;
	}
	printf("\nSetup used: %s (%s).\n\n", setup_names[chosen], setup_desc[chosen]);
	apply_setup(chosen);

	for (rep = 0; rep < opt.reps; rep++) {
		for (i = 0; i < nc; i++) {
			struct result r;

			c = (i + rep) % nc;	/* rotate who goes first */
			setup_receiver(c);
			r = measure(chosen, c);
			teardown_receiver(c);
			rate[c][rep] = r.mpps;
			off[c][rep] = r.offered;
			rx[c][rep] = r.rx;
			frac[c][rep] = r.frac;
			fprintf(stderr, "  run %d %-33s %6.2f Mpps dropped, %6.2f generated, "
				"%6.2f rx_packets\n", rep + 1, contender_names[c], r.mpps,
				r.offered, r.rx);
		}
	}

	printf("| receiver | dropped Mpps (median) | runs | generated Mpps | RX veth rx_packets Mpps "
	       "| dropped / received |\n|---|---:|---|---:|---:|---:|\n");
	for (c = 0; c < nc; c++) {
		char runs[256] = "";
		size_t len = 0;

		for (rep = 0; rep < opt.reps; rep++)
			len += snprintf(runs + len, sizeof(runs) - len, "%s%.2f",
					rep ? ", " : "", rate[c][rep]);
		med[c] = median(rate[c], opt.reps);
		printf("| %s | %.2f | %s | %.2f | %.2f | %.4f |\n", contender_names[c], med[c], runs,
		       median(off[c], opt.reps), median(rx[c], opt.reps),
		       median(frac[c], opt.reps));
	}
	r_triv = med[C_TRIVIAL] > 0 ? med[C_ANYXDP] / med[C_TRIVIAL] : 0;
	r_nft = med[C_NFT] > 0 ? med[C_ANYXDP] / med[C_NFT] : 0;
	printf("\nTargets:\n- anyxdp / trivial XDP_DROP = %.2f (%.0f%%), target >= 80%%: %s\n",
	       r_triv, r_triv * 100, r_triv >= 0.8 ? "PASS" : "MISS");
	printf("- anyxdp / nftables = %.1fx, target >= 8x: %s\n", r_nft,
	       r_nft >= 8 ? "PASS" : "MISS");
	{
		FILE *f = tsv_open("bench_droprate", opt.tsv_dir, "droprate.tsv");

		if (f) {
			fprintf(f, "receiver\tmpps\tgenerated_mpps\trx_mpps\tdropped_per_received\n");
			for (c = 0; c < nc; c++)
				fprintf(f, "%s\t%.3f\t%.3f\t%.3f\t%.4f\n", contender_names[c], med[c],
					median(off[c], opt.reps), median(rx[c], opt.reps),
					median(frac[c], opt.reps));
			tsv_close("bench_droprate", f, opt.tsv_dir, "droprate.tsv");
		}
	}
	if (quick) {
		if (nsizes)
			size_sweep(chosen);
		return 0;
	}

	/* Where the time goes: the XDP program's own run time per packet. */
	for (i = 0; i < 4; i++) {
		prof[i] = profile(chosen, prof_c[i]);
		fprintf(stderr, "  profile %-33s %6.1f ns/packet in the program, %6.2f Mpps\n",
			contender_names[prof_c[i]], prof[i].prog_ns, prof[i].mpps);
	}
	printf("\nPer-packet cost inside the receiver's XDP program (BPF run-time stats on,\n"
	       "one run each, same setup; the stats add two clock reads per packet, so the\n"
	       "rates here are a bit lower). CPU time per dropped packet = %d CPUs / rate.\n\n"
	       "| receiver | ns/packet in the XDP program | Mpps | CPU ns per packet, all work |\n"
	       "|---|---:|---:|---:|\n", chosen == S_BOTH || chosen == S_SPLIT ? 2 : 1);
	for (i = 0; i < 4; i++)
		printf("| %s | %.1f | %.2f | %.0f |\n", contender_names[prof_c[i]],
		       prof[i].prog_ns, prof[i].mpps,
		       prof[i].mpps > 0 ? (chosen == S_ONE ? 1 : 2) * 1e3 / prof[i].mpps : 0);

	{
		int ncpu_used = chosen == S_ONE ? 1 : 2;
		double t = med[C_TRIVIAL] > 0 ? ncpu_used * 1e3 / med[C_TRIVIAL] : 0;
		double a = med[C_ANYXDP] > 0 ? ncpu_used * 1e3 / med[C_ANYXDP] : 0;

		printf("\nBudget: at the median rates above, a packet costs %.0f ns of CPU with the\n"
		       "trivial receiver and %.0f ns with anyxdp (%d CPU%s / rate; generator, veth and\n"
		       "receiver together), so anyxdp adds %.0f ns per packet; the profile above\n"
		       "puts %.0f ns inside anyxdp's program against %.0f ns for the trivial one.\n"
		       "Reaching 80%% of the trivial rate would allow %.0f ns more per packet than\n"
		       "the trivial receiver.\n", t, a, ncpu_used, ncpu_used > 1 ? "s" : "",
		       a - t, prof[1].prog_ns, prof[0].prog_ns, t / 0.8 - t);
	}

	/* The same with fewer distinct sources: how much is cache misses. */
	for (i = 0; i < 3; i++) {
		gen->data->gen_n = sweep_n[i] < all_n ? sweep_n[i] : all_n;
		for (c = 0; c < 2; c++) {
			struct result r;

			setup_receiver(c);
			r = measure(chosen, c);
			teardown_receiver(c);
			sweep[i][c] = r.mpps;
		}
		fprintf(stderr, "  sweep %u sources: trivial %.2f, anyxdp %.2f Mpps\n",
			gen->data->gen_n, sweep[i][0], sweep[i][1]);
	}
	gen->data->gen_n = all_n;
	printf("\nDistinct sources cycled by the generator (one run each; the first N of the\n"
	       "shuffled list): fewer sources keep anyxdp's map lines in cache.\n\n"
	       "| sources | trivial Mpps | anyxdp Mpps | anyxdp / trivial |\n|---:|---:|---:|---:|\n");
	for (i = 0; i < 3; i++)
		printf("| %u | %.2f | %.2f | %.0f%% |\n",
		       sweep_n[i] < all_n ? sweep_n[i] : all_n, sweep[i][0], sweep[i][1],
		       sweep[i][0] > 0 ? 100 * sweep[i][1] / sweep[i][0] : 0);
	printf("| %u (all, above) | %.2f | %.2f | %.0f%% |\n", all_n, med[C_TRIVIAL],
	       med[C_ANYXDP], 100 * r_triv);
	if (nsizes)
		size_sweep(chosen);
	return 0;
}
