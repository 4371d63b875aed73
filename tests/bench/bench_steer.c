// SPDX-License-Identifier: GPL-2.0
/*
 * One measuring window of the steering benchmark: run by
 * tests/bench/bench_steer.sh once per run and forwarding path, which
 * builds the namespaces (GEN --veth--> DUT --veth or tunnel--> SINK) and
 * sets up the path under test (anyxdp, or kernel routes) before calling.
 *
 * Generator: bench_sgen_xdp (bpf/bench_sgen.bpf.c) through
 * bpf_prog_test_run_opts with BPF_F_TEST_XDP_LIVE_FRAMES on the GEN
 * veth, in GEN's namespace, one thread pinned to --gen-cpu: a 60-byte
 * UDP/IPv4 frame to --dst (a served address) addressed to the DUT's MAC,
 * the source cycling over --sources addresses of 203.0.113.0/24, sent
 * with XDP_TX into the DUT. The thread has idle priority: it only takes
 * CPU time nobody else wants (wireguard-go in the tunnel case). --pps
 * paces it in the program (frames over the rate are dropped there);
 * 0 (default) is as fast as it goes. Each test_run call is long (2^20
 * frames): a call costs ~16 ms of sleeping in the kernel (RCU), a gap
 * in the traffic.
 *
 * Counting at the sink, the same counter whatever the DUT does:
 *   --sink-xdp IF    bench_drop_xdp attached natively to IF (a veth end)
 *                    for the window: counts per CPU and drops. It also
 *                    gives IF the NAPI instance redirected frames need.
 *   --sink-dev IF    rx_packets of IF (the sink's tunnel interface)
 *
 * CPU: the DUT's ingress veth runs threaded NAPI (set here, with GRO
 * on); its kthread ("napi/DUTIF-N") is pinned to --dut-cpu and does all
 * of the DUT's forwarding work (XDP, the stack, the transmit into the
 * next hop), so its run time (/proc/PID/schedstat, ns) per packet is the
 * DUT's cost. The sink's NAPI thread, if any, is pinned to --gen-cpu,
 * so that the DUT's CPU does nothing else. Both are SCHED_FIFO. A veth
 * schedules its peer's NAPI on the sending CPU, so without threads the
 * three roles would run inline on one CPU and could not be told apart.
 * /proc/stat gives the busy time of the DUT's CPU and of the whole
 * machine (user+nice+system+irq+softirq).
 *
 * --src-base ADDR sets the first source (default 203.0.113.1): the
 * return-path benchmark (tests/bench/bench_return.sh) sends from the
 * served prefix to a client address instead.
 *
 * --tun: no XDP generator; a thread writes the same packets, without
 * the Ethernet header, into the TUN device --gen-if (in --gen-ns, the
 * DUT's namespace), one write() per packet, as wireguard-go hands
 * decrypted packets to the kernel. The thread is pinned to --dut-cpu,
 * SCHED_FIFO as the DUT's NAPI thread is otherwise, and the kernel
 * receives and forwards each packet inside its write(), so the thread's
 * run time per packet is the DUT's cost (the tunnel daemon's write
 * included); --dut-if names the same device.
 *
 * Output: one line of key=value pairs on stdout (counter deltas over
 * the window), read by bench_steer.sh and bench_return.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anyxdp.h"
#include "maps.h"
#include "bench_drop.skel.h"
#include "bench_fwd.skel.h"
#include "bench_sgen.skel.h"

#define FRAME_LEN 60
#define MAX_NAPI 8
#define MAX_CPUS 64

static struct {
	const char *gen_ns, *gen_if, *dut_ns, *dut_if, *sink_ns, *sink_xdp, *sink_dev, *dst;
	const char *ref_fwd, *ref_tc, *src_base;
	unsigned int prog_id;
	double warmup, secs;
	long pps;
	int sources, gen_cpu, dut_cpu;
	bool profile, tun;
} opt = {
	.src_base = "203.0.113.1",
	.warmup = 1.0,
	.secs = 3.0,
	.sources = 254,
	.gen_cpu = 0,
	.dut_cpu = 1,
};

enum { NS_GEN, NS_DUT, NS_SINK, NS_MAX };
static int ns_fd[NS_MAX] = { -1, -1, -1 };
static int ncpus;
static uint8_t frame[FRAME_LEN];
static struct bench_sgen_bpf *gen;
static struct bench_drop_bpf *drop;
static struct bench_fwd_bpf *fwd;
static int sink_ifindex, dut_ifindex;
static bool sink_attached, fwd_attached;
static int prof_fd = -1, stats_fd = -1;
static atomic_int stop_gen;
static atomic_long gen_err;
/* --tun: the packets (IPv4 + UDP), the writer's thread id and count */
static uint8_t tun_pkt[256][FRAME_LEN - 14];
static int tun_fd = -1;
static atomic_int tun_tid;
static atomic_ulong tun_written;

static void cleanup(void);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_steer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (time_t)s) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- namespaces: this thread moves; sockets and files keep theirs ---- */

static void enter(int ns)
{
	if (setns(ns_fd[ns], CLONE_NEWNET))
		die("setns: %s", strerror(errno));
}

static void open_ns(int ns, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	ns_fd[ns] = open(path, O_RDONLY | O_CLOEXEC);
	if (ns_fd[ns] < 0)
		die("open %s: %s", path, strerror(errno));
}

/* /proc/net/dev of namespace ns: the file keeps the namespace it was
 * opened in, so it can be read again from anywhere. */
static int open_netdev(int ns)
{
	int fd;

	enter(ns);
	fd = open("/proc/thread-self/net/dev", O_RDONLY | O_CLOEXEC);
	enter(NS_GEN);
	if (fd < 0)
		die("open /proc/thread-self/net/dev: %s", strerror(errno));
	return fd;
}

/* rx_packets of ifname from an open net/dev file. */
static uint64_t netdev_rx(int fd, const char *ifname)
{
	static char buf[65536];
	size_t len = strlen(ifname);
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *l;

	if (n <= 0)
		die("read net/dev: %s", n ? strerror(errno) : "empty");
	buf[n] = '\0';
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned long long bytes, pk;

		while (*l == ' ')
			l++;
		if (strncmp(l, ifname, len) || l[len] != ':')
			continue;
		if (sscanf(l + len + 1, "%llu %llu", &bytes, &pk) != 2)
			break;
		return pk;
	}
	die("no interface %s in net/dev", ifname);
}

static void get_mac(int ns, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int s;

	enter(ns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	enter(NS_GEN);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
}

/* GRO on: veth then runs NAPI for received frames without an XDP
 * program, which XDP_TX from the generator needs (the kernel path). */
static void set_gro(int ns, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = 1 };
	struct ifreq ifr = {};
	int s;

	enter(ns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	enter(NS_GEN);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (s < 0 || ioctl(s, SIOCETHTOOL, &ifr))
		die("ETHTOOL_SGRO on %s: %s", ifname, strerror(errno));
	close(s);
}

/* ---- NAPI threads ---- */

/*
 * Threaded NAPI for ifname in namespace ns. /sys shows the namespace of
 * whoever mounted it, so mount a sysfs of ns (in our own mount
 * namespace, made private in main) just for the write. The interface
 * must have a NAPI instance already (GRO or an XDP program).
 */
static void set_threaded(int ns, const char *ifname)
{
	char dir[] = "/tmp/bench_steer-sys-XXXXXX", path[128];
	int err = 0, fd;

	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	enter(ns);
	if (mount("sysfs", dir, "sysfs", 0, NULL))
		err = -errno;
	enter(NS_GEN);
	if (!err) {
		snprintf(path, sizeof(path), "%s/class/net/%s/threaded", dir, ifname);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1", 1) != 1)
			err = -errno;
		if (fd >= 0)
			close(fd);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	if (err)
		die("threaded NAPI on %s: %s", ifname, strerror(-err));
}

/* PIDs of the threaded NAPI kthreads of ifname ("napi/IF-ID"). */
static int napi_pids(const char *ifname, int *pids, int max)
{
	char path[300], comm[64], want[32];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		die("opendir /proc: %s", strerror(errno));
	snprintf(want, sizeof(want), "napi/%s-", ifname);
	while ((de = readdir(d)) && n < max) {
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, want, strlen(want)))
			pids[n++] = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * Pin ifname's NAPI threads to cpu, real-time: they preempt the
 * generator (the sink's, on the generator's CPU, would otherwise starve
 * and drop) and whatever else runs on the machine (the DUT's).
 */
static int pin_napi(const char *ifname, int cpu, int *pids)
{
	struct sched_param sp = { .sched_priority = 50 };
	int n = napi_pids(ifname, pids, MAX_NAPI), i;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	for (i = 0; i < n; i++) {
		if (sched_setaffinity(pids[i], sizeof(set), &set))
			die("pin NAPI thread %d of %s: %s", pids[i], ifname, strerror(errno));
		if (sched_setscheduler(pids[i], SCHED_FIFO, &sp))
			die("SCHED_FIFO for NAPI thread %d of %s: %s", pids[i], ifname,
			    strerror(errno));
	}
	return n;
}

/* Run time of the threads so far, ns. */
static uint64_t runtime_ns(const int *pids, int n)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		unsigned long long ns = 0;
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/schedstat", pids[i]);
		f = fopen(path, "r");
		if (!f)
			die("NAPI thread %d is gone (%s)", pids[i], strerror(errno));
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
		sum += ns;
	}
	return sum;
}

/* ---- CPU time from /proc/stat, ns ---- */

struct cpu_busy {
	uint64_t cpu[MAX_CPUS];
	uint64_t all;
};

static void read_cpu(struct cpu_busy *b)
{
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		die("open /proc/stat: %s", strerror(errno));
	memset(b, 0, sizeof(*b));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long us, ni, sy, id, io, irq, sirq;
		uint64_t busy;
		int cpu = -1;

		if (strncmp(line, "cpu", 3))
			break;
		if (line[3] != ' ' && sscanf(line + 3, "%d", &cpu) != 1)
			continue;
		if (sscanf(strchr(line, ' '), "%llu %llu %llu %llu %llu %llu %llu", &us, &ni, &sy,
			   &id, &io, &irq, &sirq) != 7)
			continue;
		/* Steal is the hypervisor's, idle and iowait are nobody's. */
		busy = (us + ni + sy + irq + sirq) * (1000000000ull / hz);
		if (cpu < 0)
			b->all = busy;
		else if (cpu < MAX_CPUS)
			b->cpu[cpu] = busy;
	}
	fclose(f);
}

/* ---- counters ---- */

static int sink_dev_fd = -1, dut_dev_fd = -1;

static uint64_t percpu_packets(int fd)
{
	struct counter c;
	__u32 zero = 0;

	return percpu_sum(fd, &zero, ncpus, &c) ? 0 : c.packets;
}

static uint64_t delivered(void)
{
	if (drop)
		return percpu_packets(bpf_map__fd(drop->maps.drop_stats));
	return netdev_rx(sink_dev_fd, opt.sink_dev);
}

/* ---- generator ---- */

static void *gen_thread(void *arg)
{
	struct xdp_md ctx = {
		.data_end = FRAME_LEN,
		.ingress_ifindex = *(int *)arg,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = FRAME_LEN,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1 << 20,
		.batch_size = 64,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	int fd = bpf_program__fd(gen->progs.bench_sgen_xdp);
	struct sched_param sp = {};
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(opt.gen_cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	/* Only CPU time nobody else wants: wireguard-go must not starve. */
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	while (!atomic_load(&stop_gen)) {
		if (bpf_prog_test_run_opts(fd, &o)) {
			atomic_store(&gen_err, -errno);
			break;
		}
	}
	return NULL;
}

/* --tun: write the packets round robin into the TUN device, real-time
 * like the DUT's NAPI thread of the veth case. */
static void *tun_thread(void *arg)
{
	struct sched_param sp = { .sched_priority = 50 };
	cpu_set_t set;
	int i = 0;

	(void)arg;
	CPU_ZERO(&set);
	CPU_SET(opt.dut_cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	atomic_store(&tun_tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&stop_gen)) {
		if (write(tun_fd, tun_pkt[i], sizeof(tun_pkt[i])) != sizeof(tun_pkt[i])) {
			atomic_store(&gen_err, -errno);
			break;
		}
		atomic_fetch_add_explicit(&tun_written, 1, memory_order_relaxed);
		if (++i == opt.sources)
			i = 0;
	}
	return NULL;
}

/* --tun: attach to the (persistent) TUN device --gen-if in --gen-ns. */
static void tun_open(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };

	/* The device is looked up in the namespace of the opener. */
	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", opt.gen_if);
	if (tun_fd < 0 || ioctl(tun_fd, TUNSETIFF, &ifr))
		die("TUN device %s in %s: %s", opt.gen_if, opt.gen_ns, strerror(errno));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void ip_csum(uint8_t *ip)
{
	uint32_t sum = 0;
	int i;

	put16(ip + 10, 0);
	for (i = 0; i < 20; i += 2)
		sum += (ip[i] << 8) | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
}

/* The header bench_sgen_xdp writes into every frame: UDP/IPv4 from
 * GEN to --dst through the DUT, TTL 64, source 0 (filled in per frame,
 * so the checksum is computed without it). --tun: no Ethernet header
 * and no bench_sgen; the packets get their sources here. */
static void build_frame(void)
{
	uint8_t *hdr = frame, *ip = hdr + 14, *udp = ip + 20;

	if (!opt.tun) {
		if (sizeof(gen->bss->sgen_hdr) != 42)
			die("bench_sgen's header is not Ethernet + IPv4 + UDP");
		get_mac(NS_DUT, opt.dut_if, hdr);
		get_mac(NS_GEN, opt.gen_if, hdr + 6);
	}
	put16(hdr + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, FRAME_LEN - 14);
	put16(ip + 4, 1);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	if (inet_pton(AF_INET, opt.dst, ip + 16) != 1)
		die("bad --dst '%s': not an IPv4 address", opt.dst);
	ip_csum(ip);
	put16(udp, 40000);
	put16(udp + 2, 9);	/* discard */
	put16(udp + 4, FRAME_LEN - 34);
	if (!opt.tun)
		memcpy(gen->bss->sgen_hdr, hdr, sizeof(gen->bss->sgen_hdr));
}

/* Sources --src-base.. (default 203.0.113.1..: TEST-NET-3, on no
 * blocklist), into bench_sgen's map or the --tun packets. */
static void load_sources(void)
{
	uint32_t base;
	__u32 i, a;

	if (inet_pton(AF_INET, opt.src_base, &base) != 1)
		die("bad --src-base '%s': not an IPv4 address", opt.src_base);
	for (i = 0; i < (__u32)opt.sources; i++) {
		a = htonl(ntohl(base) + i);
		if (opt.tun) {
			memcpy(tun_pkt[i], frame + 14, sizeof(tun_pkt[i]));
			memcpy(tun_pkt[i] + 12, &a, 4);
			ip_csum(tun_pkt[i]);
		} else if (bpf_map_update_elem(bpf_map__fd(gen->maps.sgen_addrs4), &i, &a, 0)) {
			die("fill sgen_addrs4: %s", strerror(errno));
		}
	}
	if (opt.tun)
		return;
	gen->data->sgen_n = opt.sources;
	gen->bss->sgen_gap_ns = opt.pps ? 1000000000ull / opt.pps : 0;
}

/* ---- sink ---- */

static void attach_sink(void)
{
	int err;

	drop = bench_drop_bpf__open_and_load();
	if (!drop)
		die("cannot load bench_drop");
	enter(NS_SINK);
	sink_ifindex = if_nametoindex(opt.sink_xdp);
	err = sink_ifindex ? bpf_xdp_attach(sink_ifindex,
					    bpf_program__fd(drop->progs.bench_drop_xdp),
					    XDP_FLAGS_DRV_MODE, NULL) : -ENODEV;
	enter(NS_GEN);
	if (err)
		die("attach bench_drop_xdp to %s in %s: %s", opt.sink_xdp, opt.sink_ns,
		    strerror(-err));
	sink_attached = true;
}

/* The reference forwarder on the DUT's ingress, redirecting into
 * --ref-fwd (the DUT's end of the sink veth) with the sink's MAC. */
static void attach_fwd(void)
{
	__u32 zero = 0, out;
	int err;

	fwd = bench_fwd_bpf__open_and_load();
	if (!fwd)
		die("cannot load bench_fwd");
	get_mac(NS_SINK, opt.sink_xdp, fwd->bss->fwd_dmac);
	get_mac(NS_DUT, opt.ref_fwd, fwd->bss->fwd_smac);
	enter(NS_DUT);
	out = if_nametoindex(opt.ref_fwd);
	dut_ifindex = if_nametoindex(opt.dut_if);
	err = !out || !dut_ifindex ? -ENODEV :
	      bpf_map_update_elem(bpf_map__fd(fwd->maps.fwd_ports), &zero, &out, 0) ? -errno :
	      bpf_xdp_attach(dut_ifindex, bpf_program__fd(fwd->progs.bench_fwd_xdp),
			     XDP_FLAGS_DRV_MODE, NULL);
	enter(NS_GEN);
	if (err)
		die("attach bench_fwd_xdp to %s (out %s) in %s: %s", opt.dut_if, opt.ref_fwd,
		    opt.dut_ns, strerror(-err));
	fwd_attached = true;
}

/*
 * --ref-tc IF: the least a TC forwarder does, the floor under anyxdp's
 * tunnel programs: on an L3 device (--tun: the packet starts at the IP
 * header) push an Ethernet header first (bpf_skb_change_head), check
 * the IPv4 header is there, decrement the TTL (checksum by RFC 1624),
 * write fixed MACs (the sink's, IF's) and bpf_redirect() into IF. No
 * lookup, no counters. A few dozen instructions, written out here rather
 * than compiled, so the benchmark needs no BPF object of its own.
 */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define ALU(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALUX(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, o, i) INSN(BPF_ST | BPF_MEM | (sz), 2, 0, o, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static struct bpf_tc_hook tc_hook = { .sz = sizeof(tc_hook), .attach_point = BPF_TC_INGRESS };
static struct bpf_tc_opts tc_opts = { .sz = sizeof(tc_opts) };
static bool tc_attached;

static int load_tc_fwd(int out)
{
	struct bpf_insn p[64];
	int n = 0, i, np = 0, pass[3];
	uint8_t m[12];

	get_mac(NS_SINK, opt.sink_xdp, m);
	get_mac(NS_DUT, opt.ref_tc, m + 6);
	p[n++] = ALUX(BPF_MOV, 6, 1);
	if (opt.tun) {
		p[n++] = ALU(BPF_MOV, 2, 14);
		p[n++] = ALU(BPF_MOV, 3, 0);
		p[n++] = CALL(BPF_FUNC_skb_change_head);
		pass[np++] = n;
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0, 0);
	}
	p[n++] = LDX(BPF_W, 2, 6, offsetof(struct __sk_buff, data));
	p[n++] = LDX(BPF_W, 3, 6, offsetof(struct __sk_buff, data_end));
	p[n++] = ALUX(BPF_MOV, 4, 2);
	p[n++] = ALU(BPF_ADD, 4, 34);
	pass[np++] = n;
	p[n++] = INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 0, 0);
	p[n++] = LDX(BPF_B, 5, 2, 22);			/* TTL */
	pass[np++] = n;
	p[n++] = INSN(BPF_JMP | BPF_JLE | BPF_K, 5, 0, 0, 1);
	p[n++] = LDX(BPF_H, 7, 2, 22);			/* old TTL+protocol word */
	p[n++] = ALU(BPF_SUB, 5, 1);
	p[n++] = INSN(BPF_STX | BPF_MEM | BPF_B, 2, 5, 22, 0);
	p[n++] = LDX(BPF_H, 8, 2, 22);			/* new word */
	p[n++] = LDX(BPF_H, 9, 2, 24);			/* checksum */
	/* ~check + ~old + new, folded twice (in either byte order) */
	p[n++] = ALU(BPF_XOR, 9, 0xffff);
	p[n++] = ALU(BPF_XOR, 7, 0xffff);
	p[n++] = ALUX(BPF_ADD, 9, 7);
	p[n++] = ALUX(BPF_ADD, 9, 8);
	for (i = 0; i < 2; i++) {
		p[n++] = ALUX(BPF_MOV, 4, 9);
		p[n++] = ALU(BPF_RSH, 4, 16);
		p[n++] = ALU(BPF_AND, 9, 0xffff);
		p[n++] = ALUX(BPF_ADD, 9, 4);
	}
	p[n++] = ALU(BPF_XOR, 9, 0xffff);
	p[n++] = INSN(BPF_STX | BPF_MEM | BPF_H, 2, 9, 24, 0);
	/* the MACs, then the EtherType (what an L3 packet lacks) */
	for (i = 0; i < 12; i += 2)
		p[n++] = ST(BPF_H, i, m[i] | m[i + 1] << 8);
	p[n++] = ST(BPF_H, 12, 0x0008);			/* ETH_P_IP, little-endian */
	p[n++] = ALU(BPF_MOV, 1, out);
	p[n++] = ALU(BPF_MOV, 2, 0);
	p[n++] = CALL(BPF_FUNC_redirect);
	p[n++] = EXIT;
	for (i = 0; i < np; i++)
		p[pass[i]].off = n - pass[i] - 1;
	p[n++] = ALU(BPF_MOV, 0, 0);			/* TC_ACT_OK: to the stack */
	p[n++] = EXIT;
	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "bench_fwd_tc", "GPL", p, n, NULL);
}

static void attach_tc_fwd(void)
{
	int out, fd, err;

	enter(NS_DUT);
	out = if_nametoindex(opt.ref_tc);
	tc_hook.ifindex = if_nametoindex(opt.dut_if);
	enter(NS_GEN);
	if (!out || !tc_hook.ifindex)
		die("--ref-tc: no interface %s or %s in %s", opt.ref_tc, opt.dut_if, opt.dut_ns);
	fd = load_tc_fwd(out);
	if (fd < 0)
		die("load the reference TC forwarder: %s", strerror(errno));
	tc_opts.prog_fd = fd;
	enter(NS_DUT);
	err = bpf_tc_hook_create(&tc_hook);
	err = err && err != -EEXIST ? err : bpf_tc_attach(&tc_hook, &tc_opts);
	enter(NS_GEN);
	if (err)
		die("attach the reference TC forwarder to %s in %s: %s", opt.dut_if, opt.dut_ns,
		    strerror(-err));
	tc_attached = true;
	if (opt.profile)
		prof_fd = fd;
}

static void cleanup(void)
{
	atomic_store(&stop_gen, 1);
	if (fwd_attached && !setns(ns_fd[NS_DUT], CLONE_NEWNET)) {
		bpf_xdp_detach(dut_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		fwd_attached = false;
	}
	if (tc_attached && !setns(ns_fd[NS_DUT], CLONE_NEWNET)) {
		tc_opts.prog_fd = tc_opts.prog_id = tc_opts.flags = 0;
		bpf_tc_detach(&tc_hook, &tc_opts);
		tc_attached = false;
	}
	if (sink_attached && ns_fd[NS_SINK] >= 0 &&
	    !setns(ns_fd[NS_SINK], CLONE_NEWNET)) {
		bpf_xdp_detach(sink_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		sink_attached = false;
	}
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- run time of the DUT's program (--profile) ---- */

/* BPF run-time statistics stay on while stats_fd is open. The program:
 * --prog-id, the --ref-tc forwarder, else the XDP program of --dut-if. */
static void profile_open(void)
{
	__u32 id = opt.prog_id;
	int ifindex, err;

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		die("bpf_enable_stats: %s", strerror(errno));
	if (prof_fd >= 0)
		return;
	if (id) {
		prof_fd = bpf_prog_get_fd_by_id(id);
		if (prof_fd < 0)
			die("--prog-id %u: %s", id, strerror(errno));
		return;
	}
	enter(NS_DUT);
	ifindex = if_nametoindex(opt.dut_if);
	err = ifindex ? bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &id) : -ENODEV;
	enter(NS_GEN);
	if (err || !id)
		die("--profile: no native XDP program on %s in %s", opt.dut_if, opt.dut_ns);
	prof_fd = bpf_prog_get_fd_by_id(id);
	if (prof_fd < 0)
		die("XDP program id %u: %s", id, strerror(errno));
}

static void prog_stats(uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*cnt = *ns = 0;
	if (prof_fd >= 0 && !bpf_obj_get_info_by_fd(prof_fd, &info, &len)) {
		*cnt = info.run_cnt;
		*ns = info.run_time_ns;
	}
}

/* ---- the window ---- */

struct snap {
	uint64_t sink, gen, dut_rx, napi_ns, prog_cnt, prog_ns;
	struct cpu_busy cpu;
	double t;
};

static void take(struct snap *s, const int *napi, int nnapi)
{
	double t0 = now();

	s->sink = delivered();
	s->gen = opt.tun ? atomic_load(&tun_written) :
		 percpu_packets(bpf_map__fd(gen->maps.sgen_stats));
	s->dut_rx = netdev_rx(dut_dev_fd, opt.dut_if);
	s->napi_ns = runtime_ns(napi, nnapi);
	prog_stats(&s->prog_cnt, &s->prog_ns);
	read_cpu(&s->cpu);
	s->t = (t0 + now()) / 2;
}

static void measure(void)
{
	int dut_napi[MAX_NAPI], sink_napi[MAX_NAPI], ndut, gen_ifindex;
	struct snap a, b;
	pthread_t th;

	ndut = 0;
	if (!opt.tun) {
		set_threaded(NS_DUT, opt.dut_if);
		ndut = pin_napi(opt.dut_if, opt.dut_cpu, dut_napi);
		if (!ndut)
			die("no threaded NAPI thread napi/%s-* in %s", opt.dut_if, opt.dut_ns);
	}
	/* Thread names do not say the namespace: one queue, one thread. */
	if (ndut > 1)
		die("%d threads napi/%s-*: another benchmark with the same interface names "
		    "is running", ndut, opt.dut_if);
	if (opt.sink_xdp) {
		set_threaded(NS_SINK, opt.sink_xdp);
		if (!pin_napi(opt.sink_xdp, opt.gen_cpu, sink_napi))
			die("no threaded NAPI thread napi/%s-* in %s", opt.sink_xdp, opt.sink_ns);
	}
	gen_ifindex = if_nametoindex(opt.gen_if);
	if (!gen_ifindex)
		die("no interface %s in %s", opt.gen_if, opt.gen_ns);
	if (pthread_create(&th, NULL, opt.tun ? tun_thread : gen_thread, &gen_ifindex))
		die("pthread_create failed");
	/* --tun: the DUT's time is the writer's */
	while (opt.tun && !atomic_load(&tun_tid) && !atomic_load(&gen_err))
		sleep_s(0.001);
	if (opt.tun) {
		dut_napi[0] = atomic_load(&tun_tid);
		ndut = 1;
	}
	sleep_s(opt.warmup);
	take(&a, dut_napi, ndut);
	sleep_s(opt.secs);
	take(&b, dut_napi, ndut);
	atomic_store(&stop_gen, 1);
	pthread_join(th, NULL);
	if (atomic_load(&gen_err))
		die("generator: %s: %s", opt.tun ? "write" : "bpf_prog_test_run_opts",
		    strerror(-(int)atomic_load(&gen_err)));
	printf("secs=%.4f delivered=%llu generated=%llu dut_rx=%llu dut_napi_ns=%llu "
	       "dut_cpu_ns=%llu all_cpu_ns=%llu gen_cpu_ns=%llu prog_cnt=%llu prog_ns=%llu\n",
	       b.t - a.t, (unsigned long long)(b.sink - a.sink),
	       (unsigned long long)(b.gen - a.gen), (unsigned long long)(b.dut_rx - a.dut_rx),
	       (unsigned long long)(b.napi_ns - a.napi_ns),
	       (unsigned long long)(b.cpu.cpu[opt.dut_cpu] - a.cpu.cpu[opt.dut_cpu]),
	       (unsigned long long)(b.cpu.all - a.cpu.all),
	       (unsigned long long)(b.cpu.cpu[opt.gen_cpu] - a.cpu.cpu[opt.gen_cpu]),
	       (unsigned long long)(b.prog_cnt - a.prog_cnt),
	       (unsigned long long)(b.prog_ns - a.prog_ns));
}

static void usage(int rc) __attribute__((noreturn));
static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: bench_steer --gen-ns NS --gen-if IF --dut-ns NS --dut-if IF --sink-ns NS\n"
		"         (--sink-xdp IF | --sink-dev IF) --dst ADDR [--ref-fwd IF | --ref-tc IF]\n"
		"         [--profile] [--prog-id N]\n"
		"         [--sources N] [--src-base ADDR] [--tun] [--pps N] [--warmup S] [--secs S]\n"
		"         [--gen-cpu N] [--dut-cpu N]\n"
		"One measuring window of tests/bench/bench_steer.sh (which builds the namespaces\n"
		"and the path under test): generator on GEN's veth, frames to ADDR through the\n"
		"DUT, counted at the sink. Prints one line of key=value counter deltas.\n"
		"  --sink-xdp IF  count with bench_drop_xdp attached to veth IF in the sink\n"
		"  --sink-dev IF  count IF's rx_packets (the sink's tunnel)\n"
		"  --pps N        pace the generator (default 0: as fast as it goes)\n"
		"  --src-base A   first of the --sources source addresses (default 203.0.113.1)\n"
		"  --tun          write the packets into the TUN device --gen-if (in --gen-ns,\n"
		"                 the DUT's) from a thread on --dut-cpu, whose run time is the\n"
		"                 DUT's (--dut-if: the same device); no XDP generator\n"
		"  --ref-fwd IF   attach the reference forwarder bench_fwd_xdp to the DUT's\n"
		"                 ingress for the window, redirecting into IF (needs --sink-xdp)\n"
		"  --ref-tc IF    attach a minimal TC forwarder (TTL, fixed MACs, bpf_redirect)\n"
		"                 to the DUT's ingress for the window, forwarding into IF\n"
		"                 (needs --sink-xdp)\n"
		"  --profile      also the run time of the DUT's XDP program, or of the --ref-tc\n"
		"                 forwarder (BPF statistics on for the window): prog_cnt, prog_ns\n"
		"  --prog-id N    --profile, of BPF program N (e.g. a TC program)\n");
	exit(rc);
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "gen-ns", required_argument, NULL, 'G' },
		{ "gen-if", required_argument, NULL, 'g' },
		{ "dut-ns", required_argument, NULL, 'D' },
		{ "dut-if", required_argument, NULL, 'd' },
		{ "sink-ns", required_argument, NULL, 'S' },
		{ "sink-xdp", required_argument, NULL, 'x' },
		{ "sink-dev", required_argument, NULL, 'v' },
		{ "dst", required_argument, NULL, 'a' },
		{ "sources", required_argument, NULL, 'n' },
		{ "pps", required_argument, NULL, 'p' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "secs", required_argument, NULL, 't' },
		{ "gen-cpu", required_argument, NULL, 'c' },
		{ "dut-cpu", required_argument, NULL, 'C' },
		{ "ref-fwd", required_argument, NULL, 'f' },
		{ "profile", no_argument, NULL, 'P' },
		{ "src-base", required_argument, NULL, 's' },
		{ "tun", no_argument, NULL, 'T' },
		{ "ref-tc", required_argument, NULL, 'r' },
		{ "prog-id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'G': opt.gen_ns = optarg; break;
		case 'g': opt.gen_if = optarg; break;
		case 'D': opt.dut_ns = optarg; break;
		case 'd': opt.dut_if = optarg; break;
		case 'S': opt.sink_ns = optarg; break;
		case 'x': opt.sink_xdp = optarg; break;
		case 'v': opt.sink_dev = optarg; break;
		case 'a': opt.dst = optarg; break;
		case 'n': opt.sources = atoi(optarg); break;
		case 'p': opt.pps = atol(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 't': opt.secs = atof(optarg); break;
		case 'c': opt.gen_cpu = atoi(optarg); break;
		case 'C': opt.dut_cpu = atoi(optarg); break;
		case 'f': opt.ref_fwd = optarg; break;
		case 'P': opt.profile = true; break;
		case 's': opt.src_base = optarg; break;
		case 'T': opt.tun = true; break;
		case 'r': opt.ref_tc = optarg; break;
		case 'i': opt.prog_id = strtoul(optarg, NULL, 0); opt.profile = true; break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (optind != argc || !opt.gen_ns || !opt.gen_if || !opt.dut_ns || !opt.dut_if ||
	    !opt.sink_ns || !opt.dst || !opt.sink_xdp == !opt.sink_dev ||
	    ((opt.ref_fwd || opt.ref_tc) && !opt.sink_xdp) || (opt.ref_fwd && opt.ref_tc) ||
	    (opt.tun && (opt.ref_fwd || opt.pps)))
		usage(2);
	ncpus = libbpf_num_possible_cpus();
	if (opt.sources < 1 || opt.sources > 254 || opt.secs <= 0 || opt.warmup < 0 ||
	    opt.pps < 0 || opt.gen_cpu < 0 || opt.dut_cpu < 0 || opt.gen_cpu >= MAX_CPUS ||
	    opt.dut_cpu >= MAX_CPUS || opt.gen_cpu >= ncpus || opt.dut_cpu >= ncpus)
		die("bad option value: --sources 1..254, --secs > 0, CPUs below %d", ncpus);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(cleanup);
	open_ns(NS_GEN, opt.gen_ns);
	open_ns(NS_DUT, opt.dut_ns);
	open_ns(NS_SINK, opt.sink_ns);
	enter(NS_GEN);
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mount namespace: %s", strerror(errno));

	if (opt.tun) {
		tun_open();
	} else {
		gen = bench_sgen_bpf__open_and_load();
		if (!gen)
			die("cannot load bench_sgen");
	}
	build_frame();
	load_sources();
	if (!opt.tun)
		set_gro(NS_DUT, opt.dut_if);
	dut_dev_fd = open_netdev(NS_DUT);
	if (opt.sink_xdp)
		attach_sink();
	else
		sink_dev_fd = open_netdev(NS_SINK);
	if (opt.ref_fwd)
		attach_fwd();
	if (opt.ref_tc)
		attach_tc_fwd();
	if (opt.profile)
		profile_open();
	measure();
	return 0;
}
