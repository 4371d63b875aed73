// SPDX-License-Identifier: GPL-2.0
/* The tunnel programs on TC ingress of each tunnel (see tunnel.h). */
#include <errno.h>
#include <fnmatch.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "anyxdp.skel.h"
#include "attach.h"
#include "cmds.h"
#include "common.h"
#include "steer.h"
#include "tunnel.h"

#define TUN_L3_NAME "anyxdp_tun"
#define TUN_ETH_NAME "anyxdp_tun_eth"

/* Ethernet-framed (gretap, VXLAN, veth) or L3 (WireGuard, TUN)? The
 * ioctl answers for this process's netns; /sys may show another one. */
static int dev_is_ether(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr) ? -errno : ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	close(fd);
	return rc;
}

bool tun_is_attached(int ifindex, __u32 *prog_id)
{
	char name[BPF_OBJ_NAME_LEN];

	return tc_filter_name(ifindex, prog_id, name, sizeof(name)) &&
	       (!strcmp(name, TUN_L3_NAME) || !strcmp(name, TUN_ETH_NAME));
}

/* ---- sysctls that defeat the return path ---- */

static int sysctl_int(const char *fmt, const char *ifname)
{
	char path[128];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), fmt, ifname);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * bpf_fib_lookup() refuses to route for a device that does not forward,
 * so every reply would take the kernel's path. Strict rp_filter drops,
 * on that path, what arrives on a tunnel other than the one the PoP
 * itself would use to reach the source: a reply from a served prefix
 * typically does, in an anycast mesh.
 */
static void warn_sysctls(const char *ifname)
{
	int f4 = sysctl_int("/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	int f6 = sysctl_int("/proc/sys/net/ipv6/conf/%s/forwarding", ifname);
	int rp = sysctl_int("/proc/sys/net/ipv4/conf/%s/rp_filter", ifname);
	int rp_all = sysctl_int("/proc/sys/net/ipv4/conf/%s/rp_filter", "all");

	if (f4 == 0)
		log_warn("IPv4 forwarding is off on %s: anyxdp's FIB lookup fails there and "
			 "IPv4 replies take the kernel's path (counted as tun_pass_fib); "
			 "sysctl -w net.ipv4.conf.%s.forwarding=1", ifname, ifname);
	if (f6 == 0)
		log_warn("IPv6 forwarding is off on %s: anyxdp's FIB lookup fails there and "
			 "IPv6 replies take the kernel's path (counted as tun_pass_fib); "
			 "sysctl -w net.ipv6.conf.%s.forwarding=1", ifname, ifname);
	/* The kernel uses the larger of "all" and the device's value. */
	if ((rp > rp_all ? rp : rp_all) == 1)
		log_warn("strict rp_filter on %s (net.ipv4.conf.all/%s.rp_filter=1): what "
			 "anyxdp leaves to the kernel (TTL expiring, too big, no route) from a "
			 "served source routed through another tunnel is dropped; use 2 (loose) "
			 "or 0", ifname, ifname);
}

/* ---- loading ---- */

/* Both tunnel programs, loaded once per command; nothing else of the
 * object is loaded (the XDP program costs verifier time for nothing). */
struct tun_progs {
	struct anyxdp_bpf *skel;
};

static int progs_load(struct anyxdp_maps *m, struct tun_progs *p)
{
	struct bpf_program *prog;
	int err;

	if (p->skel)
		return 0;
	p->skel = skel_open_pinned(m->dir);
	if (!p->skel)
		return -errno;
	bpf_object__for_each_program(prog, p->skel->obj)
		bpf_program__set_autoload(prog, prog == p->skel->progs.anyxdp_tun ||
					  prog == p->skel->progs.anyxdp_tun_eth);
	err = anyxdp_bpf__load(p->skel);
	if (err) {
		log_err("cannot load the tunnel programs: %s (-v shows the verifier's log)",
			strerror(-err));
		anyxdp_bpf__destroy(p->skel);
		p->skel = NULL;
	}
	return err;
}

static void progs_free(struct tun_progs *p)
{
	anyxdp_bpf__destroy(p->skel);
	p->skel = NULL;
}

static void record(struct anyxdp_maps *m, int ifindex, const char *ifname, int mode,
		   __u32 prog_id)
{
	struct attach_info ai = {
		.mode = mode,
		.prog_id = prog_id,
		.netns_ino = netns_ino(),
		.attach_time_ns = now_realtime_ns(),
	};
	__u32 key = ifindex;

	snprintf(ai.ifname, sizeof(ai.ifname), "%s", ifname);
	if (bpf_map_update_elem(m->tunnels, &key, &ai, BPF_ANY))
		log_warn("cannot record the tunnel %s: %s", ifname, strerror(errno));
}

static int attach_one(struct anyxdp_maps *m, struct tun_progs *p, const char *ifname,
		      bool quiet)
{
	int ifindex = if_nametoindex(ifname), ether, err, fd;
	__u32 id = 0;

	if (!ifindex) {
		log_err("no interface named '%s' in this network namespace", ifname);
		return -ENODEV;
	}
	if (tc_is_attached(ifindex, NULL)) {
		log_err("%s carries anyxdp's uplink programs: a tunnel cannot be the uplink",
			ifname);
		return -EBUSY;
	}
	ether = dev_is_ether(ifname);
	if (ether < 0) {
		log_err("cannot read the device type of %s: %s", ifname, strerror(-ether));
		return ether;
	}
	err = maps_have_tunnel(m) ?: progs_load(m, p);
	if (err)
		return err;
	fd = bpf_program__fd(ether ? p->skel->progs.anyxdp_tun_eth : p->skel->progs.anyxdp_tun);
	err = tc_filter_attach(fd, ifindex, ifname);
	if (err)
		return err;
	tun_is_attached(ifindex, &id);
	record(m, ifindex, ifname, ether ? ATTACH_TUN_ETH : ATTACH_TUN_L3, id);
	/* quiet: a daemon's log line rather than a command's output. */
	if (quiet)
		log_info("tunnel program %s attached to %s (ifindex %d), program id %u",
			 ether ? TUN_ETH_NAME : TUN_L3_NAME, ifname, ifindex, id);
	else
		printf("tunnel program %s attached to %s (ifindex %d), program id %u\n",
		       ether ? TUN_ETH_NAME : TUN_L3_NAME, ifname, ifindex, id);
	warn_sysctls(ifname);
	return 0;
}

int tun_attach(struct anyxdp_maps *m, const char *ifname, bool quiet)
{
	struct tun_progs p = {};
	int err = attach_one(m, &p, ifname, quiet);

	progs_free(&p);
	return err ?: steer_tun_stats_backfill(m);
}

int tun_detach(struct anyxdp_maps *m, const char *ifname, bool quiet_absent)
{
	int ifindex = if_nametoindex(ifname), err;
	__u32 key = ifindex;

	if (!ifindex) {
		log_err("no interface named '%s' in this network namespace", ifname);
		return -ENODEV;
	}
	if (!tun_is_attached(ifindex, NULL)) {
		if (m->tunnels >= 0)
			bpf_map_delete_elem(m->tunnels, &key);
		if (quiet_absent)
			return 0;
		log_err("anyxdp's tunnel program is not attached to %s", ifname);
		return -ENOENT;
	}
	err = tc_filter_detach(ifindex, ifname);
	if (err)
		return err;
	if (m->tunnels >= 0)
		bpf_map_delete_elem(m->tunnels, &key);
	printf("tunnel program detached from %s\n", ifname);
	return 0;
}

int tun_detach_all(struct anyxdp_maps *m)
{
	__u32 key, next, *kp = NULL, keys[TUNNELS_MAX_USER];
	struct attach_info ai;
	char name[IF_NAMESIZE];
	int n = 0, i, err = 0, e;

	if (maps_have_tunnel(m))
		return -ENOENT;
	while (n < TUNNELS_MAX_USER && !bpf_map_get_next_key(m->tunnels, kp, &next)) {
		keys[n++] = key = next;
		kp = &key;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(m->tunnels, &keys[i], &ai) || ai.netns_ino != netns_ino())
			continue;
		/* Gone, or renamed: only the record is left to drop. */
		if (!if_indextoname(keys[i], name) || strcmp(name, ai.ifname)) {
			bpf_map_delete_elem(m->tunnels, &keys[i]);
			continue;
		}
		e = tun_detach(m, name, true);
		if (e && !err)
			err = e;
	}
	return err;
}

/* ---- globs ---- */

int tun_globs_check(const char *globs)
{
	const char *s = globs, *bad;
	size_t len;

	if (strlen(globs) > TUN_GLOBS_MAX) {
		log_err("--tunnels: at most %zu characters, got %zu", TUN_GLOBS_MAX,
			strlen(globs));
		return -EINVAL;
	}
	do {
		len = strcspn(s, ",");
		if (!len || len >= IF_NAMESIZE * 2) {
			log_err("--tunnels '%s': %s", globs, len ? "a glob is too long" :
				"an empty glob (use GLOB[,GLOB...], e.g. 'wg-*')");
			return -EINVAL;
		}
		bad = strpbrk(s, " /\t\n");
		if (bad && bad < s + len) {
			log_err("--tunnels '%s': '%c' cannot be in an interface name", globs, *bad);
			return -EINVAL;
		}
		s += len;
	} while (*s++);
	return 0;
}

bool tun_glob_match(const char *globs, const char *ifname)
{
	char one[TUN_GLOBS_MAX + 1];
	const char *s = globs;
	size_t len;

	while (*s) {
		len = strcspn(s, ",");
		snprintf(one, sizeof(one), "%.*s", (int)len, s);
		if (len && !fnmatch(one, ifname, 0))
			return true;
		s += len;
		if (*s)
			s++;
	}
	return false;
}

int tun_globs_set(struct anyxdp_maps *m, const char *globs)
{
	struct tun_cfg c = { .set_time_ns = now_realtime_ns() };
	__u32 key = 0;
	int err = maps_have_tunnel(m) ?: (*globs ? tun_globs_check(globs) : 0);

	if (err)
		return err;
	snprintf(c.globs, sizeof(c.globs), "%s", globs);
	if (bpf_map_update_elem(m->tun_cfg, &key, &c, BPF_ANY)) {
		err = -errno;
		log_err("cannot store the tunnel globs: %s", strerror(errno));
	}
	return err;
}

int tun_globs_get(struct anyxdp_maps *m, char *buf, size_t len)
{
	struct tun_cfg c = {};
	__u32 key = 0;

	if (m->tun_cfg < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(m->tun_cfg, &key, &c))
		return -errno;
	c.globs[sizeof(c.globs) - 1] = 0;
	snprintf(buf, len, "%s", c.globs);
	return 0;
}

int tun_attach_matching(struct anyxdp_maps *m, const char *globs, const char *skip,
			bool quiet, int *n)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct tun_progs p = {};
	int err = 0, e;

	*n = 0;
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		if ((skip && !strcmp(i->if_name, skip)) || !tun_glob_match(globs, i->if_name) ||
		    tc_is_attached(i->if_index, NULL))	/* an uplink */
			continue;
		/* Already there: only a command run by hand replaces it. */
		if (quiet && tun_is_attached(i->if_index, NULL))
			continue;
		e = attach_one(m, &p, i->if_name, quiet);
		if (e && !err)
			err = e;
		if (!e)
			(*n)++;
	}
	if_freenameindex(ifs);
	progs_free(&p);
	if (*n && !err)
		err = steer_tun_stats_backfill(m);
	return err;
}

int tun_stats_sum(struct anyxdp_maps *m, const struct prefix *p, struct tun_stats *out)
{
	union { struct bl_key4 k4; struct bl_key6 k6; } key;
	struct tun_stats *v = calloc(m->ncpus, sizeof(*v));
	struct counter *o = (struct counter *)out, *c;
	int cpu, i, fd = p->family == AF_INET ? m->tstats4 : m->tstats6;

	memset(out, 0, sizeof(*out));
	if (!v)
		return -ENOMEM;
	steer_key_of(p, &key);
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	for (cpu = 0; cpu < m->ncpus; cpu++)
		for (c = (struct counter *)&v[cpu], i = 0; i < TSC_MAX; i++)
			counter_add(&o[i], &c[i]);
	free(v);
	return 0;
}
