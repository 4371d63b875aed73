// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <linux/if_link.h>
#include "anyxdp.skel.h"
#include "attach.h"
#include "common.h"
#include "tunnel.h"

#define PROG_NAME "anyxdp_xdp"
#define TC_PROG_NAME "anyxdp_tc"

static bool is_ours(struct xdp_program *p)
{
	return p && !strcmp(xdp_program__name(p), PROG_NAME);
}

/* Our program on ifindex, through the dispatcher or alone. */
static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return is_ours(p) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (is_ours(p))
			return p;
	return NULL;
}

static struct xdp_multiprog *get_mp(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	return libxdp_get_error(mp) ? NULL : mp;
}

bool xdp_is_attached(int ifindex, __u32 *prog_id, bool *multiprog)
{
	struct xdp_multiprog *mp = get_mp(ifindex);
	struct xdp_program *p;
	bool found = false;

	if (!mp)
		return false;
	p = find_ours(mp);
	if (p) {
		found = true;
		if (prog_id)
			*prog_id = xdp_program__id(p);
		if (multiprog)
			*multiprog = !xdp_multiprog__is_legacy(mp);
	}
	xdp_multiprog__close(mp);
	return found;
}

static struct anyxdp_bpf *open_configured(struct anyxdp_maps *m, const struct attach_opts *o)
{
	struct anyxdp_bpf *skel = skel_open_pinned(m->dir);

	if (!skel)
		return NULL;
	skel->rodata->cfg_entry_counters = o->entry_counters;
	skel->rodata->cfg_mss_clamp = o->mss_clamp;
	skel->rodata->cfg_mss_max = o->mss_max;
	skel->rodata->cfg_icmp_rate = o->icmp_rate;
	return skel;
}

/* ---- TC ingress ---- */

#define TC_HOOK(name, idx) LIBBPF_OPTS(bpf_tc_hook, name, .ifindex = (idx), \
				       .attach_point = BPF_TC_INGRESS)
#define TC_OPTS(name) LIBBPF_OPTS(bpf_tc_opts, name, .handle = TC_HANDLE, \
				  .priority = TC_PRIO)

bool tc_filter_name(int ifindex, __u32 *prog_id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	TC_HOOK(hook, ifindex);
	TC_OPTS(opts);
	bool ok = false;
	int fd;

	if (bpf_tc_query(&hook, &opts))
		return false;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		snprintf(name, len, "%s", info.name);
		ok = true;
	}
	close(fd);
	if (ok && prog_id)
		*prog_id = opts.prog_id;
	return ok;
}

bool tc_is_attached(int ifindex, __u32 *prog_id)
{
	char name[BPF_OBJ_NAME_LEN];

	return tc_filter_name(ifindex, prog_id, name, sizeof(name)) &&
	       !strcmp(name, TC_PROG_NAME);
}

/* The clsact qdisc is left in place on detach: other filters may use it. */
int tc_filter_attach(int prog_fd, int ifindex, const char *ifname)
{
	TC_HOOK(hook, ifindex);
	TC_OPTS(opts);
	int err;

	opts.prog_fd = prog_fd;
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		log_err("cannot add a clsact qdisc to %s: %s", ifname, strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		log_err("cannot attach the TC ingress program to %s: %s", ifname,
			strerror(-err));
	return err;
}

static int tc_attach(struct anyxdp_bpf *skel, int ifindex, const char *ifname)
{
	int fd = bpf_program__fd(skel->progs.anyxdp_tc);

	if (fd < 0) {
		log_err("the TC program %s was not loaded with the XDP program", TC_PROG_NAME);
		return -ENOENT;
	}
	return tc_filter_attach(fd, ifindex, ifname);
}

int tc_filter_detach(int ifindex, const char *ifname)
{
	TC_HOOK(hook, ifindex);
	TC_OPTS(opts);
	int err = bpf_tc_detach(&hook, &opts);

	if (err)
		log_err("cannot detach the TC ingress program from %s: %s", ifname,
			strerror(-err));
	return err;
}

/* The dispatcher lets other XDP programs share the interface. */
static int attach_libxdp(struct anyxdp_bpf *skel, int ifindex, int mode,
			 __u32 *prog_id, bool *multiprog)
{
	enum xdp_attach_mode xm = mode == ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	struct xdp_program *prog;
	int err;

	prog = xdp_program__from_bpf_obj(skel->obj, "xdp");
	err = libxdp_get_error(prog);
	if (err)
		return err;
	err = xdp_program__attach(prog, ifindex, xm, 0);
	if (!err && !xdp_is_attached(ifindex, prog_id, multiprog))
		err = -ENOENT;
	xdp_program__close(prog);
	return err;
}

static int attach_plain(struct anyxdp_bpf *skel, int ifindex, int mode, __u32 *prog_id)
{
	__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST |
		      (mode == ATTACH_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err, fd;

	err = anyxdp_bpf__load(skel);
	if (err)
		return err;
	fd = bpf_program__fd(skel->progs.anyxdp_xdp);
	err = bpf_xdp_attach(ifindex, fd, flags, NULL);
	if (err)
		return err;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		*prog_id = info.id;
	return 0;
}

static void record(struct anyxdp_maps *m, int ifindex, const struct attach_opts *o,
		   __u32 prog_id, bool multiprog)
{
	struct attach_info ai = {
		.mode = o->mode,
		.prog_id = prog_id,
		.multiprog = multiprog,
		.netns_ino = netns_ino(),
		.attach_time_ns = now_realtime_ns(),
	};
	__u32 key = ifindex;

	snprintf(ai.ifname, sizeof(ai.ifname), "%s", o->ifname);
	if (bpf_map_update_elem(m->attached, &key, &ai, BPF_ANY))
		log_warn("cannot record the attachment: %s", strerror(errno));
}

int xdp_attach_iface(struct anyxdp_maps *m, const struct attach_opts *o)
{
	const char *mode = o->mode == ATTACH_SKB ? "skb" : "native";
	int ifindex = if_nametoindex(o->ifname);
	struct anyxdp_bpf *skel;
	bool multiprog = false;
	__u32 prog_id = 0, tc_id = 0;
	int err;

	if (!ifindex) {
		log_err("no interface named '%s' in this network namespace", o->ifname);
		return -ENODEV;
	}
	if (tun_is_attached(ifindex, NULL)) {
		log_err("%s carries anyxdp's tunnel program: the uplink cannot be a tunnel "
			"(anyxdp tunnel detach %s first)", o->ifname, o->ifname);
		return -EBUSY;
	}
	err = xdp_detach_iface(m, o->ifname, true);
	if (err)
		return err;
	skel = open_configured(m, o);
	if (!skel)
		return -errno;
	err = attach_libxdp(skel, ifindex, o->mode, &prog_id, &multiprog);
	if (err) {
		log_warn("libxdp could not attach to %s (%s); trying a plain XDP attach",
			 o->ifname, strerror(-err));
		anyxdp_bpf__destroy(skel);
		skel = open_configured(m, o);
		if (!skel)
			return -errno;
		err = attach_plain(skel, ifindex, o->mode, &prog_id);
		if (err == -EEXIST || err == -EBUSY)
			log_err("%s already has an XDP program that is not anyxdp's and not "
				"managed by libxdp; remove it first", o->ifname);
		else if (err)
			log_err("cannot attach to %s in %s mode: %s%s", o->ifname, mode,
				strerror(-err), o->mode == ATTACH_NATIVE ?
				" (the driver may lack native XDP; try --mode skb)" : "");
	} else if (!multiprog) {
		log_info("the libxdp dispatcher is not available on this system; attached "
			 "to %s as a single program (other XDP programs cannot share it)",
			 o->ifname);
	}
	if (!err) {
		record(m, ifindex, o, prog_id, multiprog);
		/* Without the TC half, tunnel steering would silently pass
		 * everything: take XDP off again rather than run half. */
		err = tc_attach(skel, ifindex, o->ifname);
		if (err)
			xdp_detach_iface(m, o->ifname, true);
	}
	anyxdp_bpf__destroy(skel);
	if (err)
		return err;
	tc_is_attached(ifindex, &tc_id);
	printf("attached to %s (ifindex %d) in %s mode%s, program id %u, TC ingress program "
	       "id %u, maps in %s\n", o->ifname, ifindex, mode,
	       multiprog ? " through the libxdp dispatcher" : "", prog_id, tc_id, m->dir);
	return 0;
}

/* Our XDP program off ifindex; 0 if it was not there (*found false). */
static int detach_xdp(int ifindex, const char *ifname, bool *found)
{
	struct xdp_multiprog *mp = get_mp(ifindex);
	struct xdp_program *p = mp ? find_ours(mp) : NULL;
	int err = 0;

	*found = p != NULL;
	if (p && xdp_multiprog__is_legacy(mp))
		err = xdp_multiprog__detach(mp);
	else if (p)
		err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
	if (mp)
		xdp_multiprog__close(mp);
	if (err)
		log_err("cannot detach the XDP program from %s: %s", ifname, strerror(-err));
	return err;
}

int xdp_detach_iface(struct anyxdp_maps *m, const char *ifname, bool quiet_absent)
{
	int ifindex = if_nametoindex(ifname);
	bool xdp = false, tc;
	__u32 key = ifindex;
	int err;

	if (!ifindex) {
		log_err("no interface named '%s' in this network namespace", ifname);
		return -ENODEV;
	}
	tc = tc_is_attached(ifindex, NULL);
	err = detach_xdp(ifindex, ifname, &xdp) ?: (tc ? tc_filter_detach(ifindex, ifname) : 0);
	if (err)
		return err;
	bpf_map_delete_elem(m->attached, &key);
	if (!xdp && !tc) {
		if (quiet_absent)
			return 0;
		log_err("anyxdp is not attached to %s", ifname);
		return -ENOENT;
	}
	if (!quiet_absent)
		printf("detached %s from %s; maps stay pinned in %s\n",
		       xdp && tc ? "the XDP and TC programs" : xdp ? "the XDP program" :
		       "the TC program", ifname, m->dir);
	return 0;
}
