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
#include "bench_drop.skel.h"
#include "bench_gen.skel.h"
#include "listparse.h"
#include "prefix.h"

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

enum contender { C_TRIVIAL, C_ANYXDP, C_NFT, C_MAX };
static const char *const contender_names[C_MAX] = {
	"trivial XDP_DROP", "anyxdp", "nftables",
};

static struct {
	const char *gen_if, *rx_if, *pin_dir, *list, *bindir, *setup;
	double warmup, secs;
	int reps;
} opt = {
	.bindir = "build",
	.setup = "auto",
	.warmup = 1.0,
	.secs = 3.0,
	.reps = 3,
};

static int gen_ifindex, rx_ifindex, ncpus;
static uint8_t frame[FRAME_LEN];
static struct bench_gen_bpf *gen;
static struct bench_drop_bpf *drop;
static char sysdir[96];		/* private sysfs of this netns */
static char tmpdir[64];
static char nft_file[160];
static atomic_int stop_gen;
static atomic_long gen_err;
static bool anyxdp_attached, nft_loaded, drop_attached, sys_mounted;

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
	char path[256];
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
	char path[256];
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
	struct counter v[ncpus];
	uint64_t sum = 0;
	int i;

	if (bpf_map_lookup_elem(fd, &key, v))
		return 0;
	for (i = 0; i < ncpus; i++)
		sum += v[i].packets;
	return sum;
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
		return percpu_packets(anyxdp_stats_fd, R_DROP_BLOCKLIST);
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
};

/* Generators per setup, a warm-up, then the measuring window. */
static struct result measure(enum setup s, enum contender c)
{
	struct gen_arg g[MAX_GEN];
	int n = s == S_BOTH ? 2 : 1, i;
	uint64_t d0, d1, g0, g1, r0, r1;
	struct result r;
	double t0, t1;

	atomic_store(&stop_gen, 0);
	atomic_store(&gen_err, 0);
	for (i = 0; i < n; i++) {
		g[i].cpu = i;
		if (pthread_create(&g[i].th, NULL, gen_thread, &g[i]))
			die("pthread_create");
	}
	sleep_s(opt.warmup);
	t0 = now();
	d0 = dropped(c);
	g0 = generated();
	r0 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	sleep_s(opt.secs);
	t1 = now();
	d1 = dropped(c);
	g1 = generated();
	r1 = sys_read_ull(opt.rx_if, "statistics/rx_packets");
	t1 = (t1 + now()) / 2;	/* the reads above took a little time */
	atomic_store(&stop_gen, 1);
	for (i = 0; i < n; i++)
		pthread_join(g[i].th, NULL);
	if (atomic_load(&gen_err))
		die("generator: bpf_prog_test_run_opts: %s", strerror(-(int)atomic_load(&gen_err)));
	r.mpps = (d1 - d0) / (t1 - t0) / 1e6;
	r.offered = (g1 - g0) / (t1 - t0) / 1e6;
	r.rx = (r1 - r0) / (t1 - t0) / 1e6;
	return r;
}

/* ---- receivers ---- */

static void setup_receiver(enum contender c)
{
	switch (c) {
	case C_TRIVIAL:
		if (bpf_xdp_attach(rx_ifindex, bpf_program__fd(drop->progs.bench_drop_xdp),
				   XDP_FLAGS_DRV_MODE, NULL))
			die("attach bench_drop_xdp to %s: %s", opt.rx_if, strerror(errno));
		drop_attached = true;
		break;
	case C_ANYXDP:
		if (run("%s/anyxdp attach %s --mode native --pin-dir %s >/dev/null",
			opt.bindir, opt.rx_if, opt.pin_dir))
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
		if (drop_attached)
			bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		drop_attached = false;
		break;
	case C_ANYXDP:
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

/* The list's IPv4 hosts, shuffled, into gen_addrs4; also the nft file. */
static size_t load_addresses(void)
{
	struct list_opts lo = { .quiet = true };
	struct prefix_set set = {};
	char buf[PREFIX_STRLEN];
	uint32_t *addrs;
	size_t i, n = 0;
	__u32 max;
	FILE *f;
	int err;

	err = list_parse_file(opt.list, &lo, &set, NULL);
	if (err)
		die("cannot parse %s: %s", opt.list, strerror(-err));
	pset_sort_dedupe(&set);
	addrs = calloc(set.n + 1, sizeof(*addrs));
	snprintf(nft_file, sizeof(nft_file), "%s/bench.nft", tmpdir);
	f = fopen(nft_file, "w");
	if (!addrs || !f)
		die("out of memory or cannot write %s", nft_file);
	fprintf(f, "table netdev bench {\n\tcounter drops { }\n"
		   "\tset bl {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {\n");
	for (i = 0; i < set.n; i++) {
		if (set.v[i].family != AF_INET)
			continue;
		if (set.v[i].plen == 32)
			memcpy(&addrs[n++], set.v[i].addr, 4);
		prefix_format(&set.v[i], buf, sizeof(buf));
		fprintf(f, "\t\t\t%s,\n", buf);
	}
	fprintf(f, "\t\t}\n\t}\n\tchain ingress {\n"
		   "\t\ttype filter hook ingress device \"%s\" priority -500;\n"
		   "\t\tip saddr @bl counter name \"drops\" drop\n\t}\n}\n", opt.rx_if);
	if (fclose(f))
		die("write %s: %s", nft_file, strerror(errno));
	if (!n)
		die("%s has no IPv4 host addresses", opt.list);
	max = bpf_map__max_entries(gen->maps.gen_addrs4);
	if (n > max)
		n = max;
	for (i = n - 1; i > 0; i--) {	/* Fisher-Yates, fixed seed */
		size_t j = rng() % (i + 1);
		uint32_t t = addrs[i];

		addrs[i] = addrs[j];
		addrs[j] = t;
	}
	for (i = 0; i < n; i++) {
		__u32 k = i;

		if (bpf_map_update_elem(bpf_map__fd(gen->maps.gen_addrs4), &k, &addrs[i], 0))
			die("fill gen_addrs4: %s", strerror(errno));
	}
	gen->data->gen_n = n;
	free(addrs);
	pset_free(&set);
	return n;
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

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_droprate --gen IF --rx IF --pin-dir DIR --list FILE\n"
		"         [--bindir build] [--setup auto|one|split|both]\n"
		"         [--warmup SECS] [--secs SECS] [--reps N]\n"
		"Run inside a network namespace (tests/bench/bench_droprate.sh does).\n");
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
		{ 0 }
	};
	double rate[C_MAX][MAX_RUNS], off[C_MAX][MAX_RUNS], rx[C_MAX][MAX_RUNS];
	double probe[S_MAX] = { 0 }, med[C_MAX], r_triv, r_nft;
	enum setup chosen = S_ONE;
	int c, rep, s;
	size_t naddr;

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
		default: usage();
		}
	}
	if (!opt.gen_if || !opt.rx_if || !opt.pin_dir || !opt.list ||
	    opt.reps < 1 || opt.reps > MAX_RUNS || opt.secs <= 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = libbpf_num_possible_cpus();
	gen_ifindex = if_nametoindex(opt.gen_if);
	rx_ifindex = if_nametoindex(opt.rx_if);
	if (!gen_ifindex || !rx_ifindex)
		die("no interface %s or %s in this network namespace", opt.gen_if, opt.rx_if);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/anyxdp-droprate-XXXXXX");
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

	printf("drop rate: %zu source addresses from %s (shuffled), %d-byte UDP frames,\n"
	       "  warm-up %.1f s, window %.1f s, median of %d runs per receiver\n",
	       naddr, opt.list, FRAME_LEN, opt.warmup, opt.secs, opt.reps);

	/* Which generator setup gives the trivial receiver the highest rate. */
	if (!strcmp(opt.setup, "auto")) {
		printf("\ngenerator setup probe (trivial XDP_DROP):\n");
		for (s = 0; s < S_MAX; s++) {
			struct result r;

			apply_setup(s);
			setup_receiver(C_TRIVIAL);
			r = measure(s, C_TRIVIAL);
			teardown_receiver(C_TRIVIAL);
			probe[s] = r.mpps;
			printf("  %-6s %6.2f Mpps dropped (%6.2f Mpps generated)  %s\n",
			       setup_names[s], r.mpps, r.offered, setup_desc[s]);
			if (r.mpps > probe[chosen])
				chosen = s;
		}
	} else {
		for (s = 0; s < S_MAX && strcmp(opt.setup, setup_names[s]); s++)
			;
		if (s == S_MAX)
			usage();
		chosen = s;
	}
	printf("setup used for every receiver: %s (%s)\n\n", setup_names[chosen],
	       setup_desc[chosen]);
	apply_setup(chosen);

	for (rep = 0; rep < opt.reps; rep++) {
		for (c = 0; c < C_MAX; c++) {
			struct result r;

			setup_receiver(c);
			r = measure(chosen, c);
			teardown_receiver(c);
			rate[c][rep] = r.mpps;
			off[c][rep] = r.offered;
			rx[c][rep] = r.rx;
			printf("  run %d %-17s %6.2f Mpps dropped, %6.2f Mpps generated, "
			       "%6.2f Mpps rx_packets\n", rep + 1, contender_names[c],
			       r.mpps, r.offered, r.rx);
		}
	}

	printf("\n| receiver | dropped Mpps (median) | runs (Mpps) | generated Mpps | RX rx_packets Mpps |\n"
	       "|---|---:|---|---:|---:|\n");
	for (c = 0; c < C_MAX; c++) {
		char runs[256] = "";
		size_t len = 0;

		for (rep = 0; rep < opt.reps; rep++)
			len += snprintf(runs + len, sizeof(runs) - len, "%s%.2f",
					rep ? ", " : "", rate[c][rep]);
		med[c] = median(rate[c], opt.reps);
		printf("| %s | %.2f | %s | %.2f | %.2f |\n", contender_names[c], med[c], runs,
		       median(off[c], opt.reps), median(rx[c], opt.reps));
	}
	r_triv = med[C_TRIVIAL] > 0 ? med[C_ANYXDP] / med[C_TRIVIAL] : 0;
	r_nft = med[C_NFT] > 0 ? med[C_ANYXDP] / med[C_NFT] : 0;
	printf("\nanyxdp / trivial XDP_DROP = %.2f (%.0f%%)  target >= 80%%: %s\n",
	       r_triv, r_triv * 100, r_triv >= 0.8 ? "PASS" : "MISS");
	printf("anyxdp / nftables         = %.1fx  target >= 8x: %s\n", r_nft,
	       r_nft >= 8 ? "PASS" : "MISS");
	return 0;
}
