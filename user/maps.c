// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "anyxdp.skel.h"
#include "common.h"
#include "maps.h"
#include "blset.h"

const char *const outer_names[O_MAX] = {
	[O_V4] = "bl_v4_outer",
	[O_V6] = "bl_v6_outer",
	[O_NET4] = "bl_net4_outer",
	[O_NET6] = "bl_net6_outer",
	[O_FILTER4] = "bl_filter4_outer",
	[O_FILTER6] = "bl_filter6_outer",
};

static int pin_get(const char *dir, const char *name);

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates, and
 * libbpf 1.1 then calls the pin incompatible with the object's flags (0,
 * the only value a create accepts). Adopt the pinned map's flags so the
 * pin is reused.
 */
static void devmap_flags_from_pins(struct bpf_object *obj, const char *dir)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		enum bpf_map_type t = bpf_map__type(map);
		int fd;

		if (t != BPF_MAP_TYPE_DEVMAP && t != BPF_MAP_TYPE_DEVMAP_HASH)
			continue;
		fd = pin_get(dir, bpf_map__name(map));
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			bpf_map__set_map_flags(map, info.map_flags);
		close(fd);
	}
}

struct anyxdp_bpf *skel_open_pinned(const char *dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dir);
	struct anyxdp_bpf *skel;

	skel = anyxdp_bpf__open_opts(&opts);
	if (!skel)
		log_err("cannot open the embedded BPF object: %s", strerror(errno));
	else
		devmap_flags_from_pins(skel->obj, dir);
	return skel;
}

/* Load the object once so libbpf pins every map by name; the program
 * itself is dropped again when the skeleton goes. */
static int create_pins(const char *dir)
{
	struct anyxdp_bpf *skel;
	int err;

	skel = skel_open_pinned(dir);
	if (!skel)
		return -errno;
	err = anyxdp_bpf__load(skel);
	if (err)
		log_err("cannot create the maps in %s: %s (if they were pinned by another "
			"anyxdp version, detach everywhere and remove %s)",
			dir, strerror(-err), dir);
	anyxdp_bpf__destroy(skel);
	return err;
}

static int pin_get(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_steer(struct anyxdp_maps *m)
{
	close_fd(&m->steer4);
	close_fd(&m->steer6);
	close_fd(&m->sstats4);
	close_fd(&m->sstats6);
	close_fd(&m->tx_ports);
}

static void close_tunnel(struct anyxdp_maps *m)
{
	close_fd(&m->tstats4);
	close_fd(&m->tstats6);
	close_fd(&m->tunnels);
	close_fd(&m->tun_cfg);
}

/* struct bl_key4 or bl_key6: prefixlen, then alen address bytes. */
static int btf_add_key(struct btf *b, const char *name, int u32, int u8, int alen)
{
	int arr = btf__add_array(b, u32, u8, alen), id;

	if (arr < 0)
		return arr;
	id = btf__add_struct(b, name, 4 + alen);
	if (id < 0)
		return id;
	return btf__add_field(b, "prefixlen", u32, 0, 0) ?:
	       btf__add_field(b, "addr", arr, 32, 0) ?: id;
}

static int btf_add_counter(struct btf *b, int u64)
{
	int id = btf__add_struct(b, "counter", sizeof(struct counter));

	if (id < 0)
		return id;
	return btf__add_field(b, "packets", u64, 0, 0) ?:
	       btf__add_field(b, "bytes", u64, 64, 0) ?: id;
}

/*
 * The inner maps userspace creates carry BTF so bpftool prints their keys
 * as prefixes and values as named counters. It is built here rather than
 * fetched from the pinned maps by id: BPF_BTF_GET_FD_BY_ID takes
 * CAP_SYS_ADMIN, BPF_BTF_LOAD only CAP_BPF, so a list refresh runs
 * without CAP_SYS_ADMIN. The layouts are include/anyxdp.h's, which
 * _Static_asserts them.
 */
int maps_btf(struct anyxdp_maps *m)
{
	int u8, u32, u64, k4, k6, cnt, err;
	struct btf *b;

	if (m->btf_fd >= 0)
		return 0;
	b = btf__new_empty();
	if (!b)
		return -errno;
	u8 = btf__add_int(b, "unsigned char", 1, 0);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	err = u8 < 0 ? u8 : u32 < 0 ? u32 : u64;
	if (err < 0)
		goto out;
	k4 = btf_add_key(b, "bl_key4", u32, u8, 4);
	k6 = btf_add_key(b, "bl_key6", u32, u8, 16);
	cnt = btf_add_counter(b, u64);
	err = k4 < 0 ? k4 : k6 < 0 ? k6 : cnt < 0 ? cnt : btf__load_into_kernel(b);
	if (err)
		goto out;
	m->btf_fd = fcntl(btf__fd(b), F_DUPFD_CLOEXEC, 0);
	if (m->btf_fd < 0) {
		err = -errno;
		goto out;
	}
	m->key4_id = k4;
	m->key6_id = k6;
	m->counter_id = cnt;
out:
	btf__free(b);
	if (err)
		log_err("cannot load the BTF for the list's maps: %s", strerror(-err));
	return err;
}

static int open_all(struct anyxdp_maps *m)
{
	int i;

	m->ctl = pin_get(m->dir, "bl_ctl");
	if (m->ctl < 0)
		return m->ctl;
	m->stats = pin_get(m->dir, "stats");
	m->allow4 = pin_get(m->dir, "allow_v4");
	m->allow6 = pin_get(m->dir, "allow_v6");
	m->attached = pin_get(m->dir, "attached");
	if (m->stats < 0 || m->allow4 < 0 || m->allow6 < 0 || m->attached < 0)
		return -ENOENT;
	for (i = 0; i < O_MAX; i++) {
		m->outer[i] = pin_get(m->dir, outer_names[i]);
		if (m->outer[i] < 0)
			return m->outer[i];
	}
	return 0;
}

/* Pin dirs made before steering lack these; -ENOENT if any is missing. */
static int open_steer(struct anyxdp_maps *m)
{
	m->steer4 = pin_get(m->dir, "steer_v4");
	m->steer6 = pin_get(m->dir, "steer_v6");
	m->sstats4 = pin_get(m->dir, "steer_stats_v4");
	m->sstats6 = pin_get(m->dir, "steer_stats_v6");
	m->tx_ports = pin_get(m->dir, "tx_ports");
	if (m->steer4 < 0 || m->steer6 < 0 || m->sstats4 < 0 || m->sstats6 < 0 ||
	    m->tx_ports < 0) {
		close_steer(m);
		return -ENOENT;
	}
	return 0;
}

/* Pin dirs made before the tunnel programs lack these. */
static int open_tunnel(struct anyxdp_maps *m)
{
	m->tstats4 = pin_get(m->dir, "tun_stats_v4");
	m->tstats6 = pin_get(m->dir, "tun_stats_v6");
	m->tunnels = pin_get(m->dir, "tunnels");
	m->tun_cfg = pin_get(m->dir, "tun_cfg");
	if (m->tstats4 < 0 || m->tstats6 < 0 || m->tunnels < 0 || m->tun_cfg < 0) {
		close_tunnel(m);
		return -ENOENT;
	}
	return 0;
}

/* Pin dirs made before the source lists lack bl_sources. */
static int open_sources(struct anyxdp_maps *m)
{
	m->sources = pin_get(m->dir, "bl_sources");
	return m->sources < 0 ? -ENOENT : 0;
}

int maps_have_tunnel(struct anyxdp_maps *m)
{
	if (m->tunnels >= 0)
		return 0;
	log_err("the maps in %s predate the tunnel programs: run 'anyxdp attach IFACE' "
		"or 'anyxdp prefix add' once to add them", m->dir);
	return -ENOENT;
}

int maps_have_steer(struct anyxdp_maps *m)
{
	if (m->steer4 >= 0)
		return 0;
	log_err("the maps in %s predate steering: run 'anyxdp attach IFACE' or "
		"'anyxdp prefix add' once to add the steering maps", m->dir);
	return -ENOENT;
}

static int maps_open_mode(struct anyxdp_maps *m, const char *dir, bool create,
			  bool install_empty);

static void maps_init(struct anyxdp_maps *m, const char *dir)
{
	int i;

	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	m->ctl = m->stats = m->allow4 = m->allow6 = m->attached = -1;
	m->lock_fd = m->btf_fd = -1;
	m->steer4 = m->steer6 = m->sstats4 = m->sstats6 = m->tx_ports = -1;
	m->tstats4 = m->tstats6 = m->tunnels = m->tun_cfg = -1;
	m->sources = -1;
	for (i = 0; i < O_MAX; i++)
		m->outer[i] = -1;
	m->ncpus = libbpf_num_possible_cpus();
}

int maps_open(struct anyxdp_maps *m, const char *dir, bool create)
{
	return maps_open_mode(m, dir, create, true);
}

int maps_open_for_commit(struct anyxdp_maps *m, const char *dir)
{
	return maps_open_mode(m, dir, true, false);
}

static int maps_open_mode(struct anyxdp_maps *m, const char *dir, bool create,
			  bool install_empty)
{
	struct bl_ctl ctl;
	int err;

	maps_init(m, dir);
	if (m->ncpus < 1)
		return -EINVAL;
	err = open_all(m);
	/* Without create, a pin dir from before steering still serves the
	 * blocklist commands; the steering ones check maps_have_steer(). */
	if (!err && (open_steer(m) | open_tunnel(m) | open_sources(m)) && create)
		err = -ENOENT;
	if (err == -ENOENT && create) {
		/* Loading the object again pins whatever is missing next to
		 * the maps that are there, and reuses those. */
		maps_close(m);
		maps_init(m, dir);
		err = ensure_pin_dir(dir) ?: create_pins(dir) ?: open_all(m) ?: open_steer(m) ?:
		      open_tunnel(m) ?: open_sources(m);
	}
	if (err == -ENOENT) {
		log_err("no anyxdp maps in %s: run 'anyxdp attach IFACE' or "
			"'anyxdp-block load FILE' first, or set --pin-dir", dir);
		goto out;
	}
	if (err) {
		log_err("cannot open the maps pinned in %s: %s", dir, strerror(-err));
		goto out;
	}
	err = ctl_read(m, &ctl);
	if (err || ctl.generation || !create || !install_empty)
		goto out;
	/* Fresh pins: install an empty list so the program never runs
	 * without one (it would count pass_no_list). */
	{
		struct prefix_set empty = {};
		struct blset_report r;

		err = maps_lock(m) ?: blset_commit(m, &empty, &r);
	}
out:
	if (err)
		maps_close(m);
	return err;
}

void maps_close(struct anyxdp_maps *m)
{
	int *fds[] = { &m->ctl, &m->stats, &m->allow4, &m->allow6, &m->attached,
		       &m->lock_fd, &m->btf_fd, &m->sources };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (i = 0; i < O_MAX; i++) {
		if (m->outer[i] >= 0)
			close(m->outer[i]);
		m->outer[i] = -1;
	}
	close_steer(m);
	close_tunnel(m);
}

int maps_lock(struct anyxdp_maps *m)
{
	if (m->lock_fd >= 0)
		return 0;
	m->lock_fd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0)
		return -errno;
	if (flock(m->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	log_info("waiting for another anyxdp command changing %s", m->dir);
	if (flock(m->lock_fd, LOCK_EX))
		return -errno;
	return 0;
}

void maps_unlock(struct anyxdp_maps *m)
{
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	m->lock_fd = -1;
}

int ctl_read(struct anyxdp_maps *m, struct bl_ctl *c)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->ctl, &zero, c))
		return -errno;
	return 0;
}

int ctl_write(struct anyxdp_maps *m, const struct bl_ctl *c)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(m->ctl, &zero, c, BPF_ANY))
		return -errno;
	return 0;
}

int percpu_sum(int fd, const void *key, int ncpus, struct counter *out)
{
	struct counter *v = calloc(ncpus, sizeof(*v));
	int i, err = 0;

	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, key, v)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < ncpus; i++) {
		out->packets += v[i].packets;
		out->bytes += v[i].bytes;
	}
out:
	free(v);
	return err;
}

/* Without CAP_SYS_ADMIN (BPF_MAP_GET_FD_BY_ID) a reader takes the live
 * counter hash from its pin, if the pin is the map the slot holds: it is
 * renamed over just after a switch. */
static int active_pin_get(struct anyxdp_maps *m, int idx, __u32 id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (idx != O_V4 && idx != O_V6)
		return -EPERM;
	fd = pin_get(m->dir, idx == O_V4 ? "blocklist_v4" : "blocklist_v6");
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.id != id) {
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

int outer_get(struct anyxdp_maps *m, int idx, __u32 slot)
{
	__u32 id;
	int fd;

	if (bpf_map_lookup_elem(m->outer[idx], &slot, &id))
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0 && errno == EPERM)
		return active_pin_get(m, idx, id);
	return fd < 0 ? -errno : fd;
}

int maps_open_sync(struct anyxdp_maps *m, int *status_fd, int *ignored_fd, bool create)
{
	int err;

	*status_fd = pin_get(m->dir, "sync_status");
	*ignored_fd = pin_get(m->dir, "sync_ignored");
	if (*status_fd >= 0 && *ignored_fd >= 0)
		return 0;
	close_fd(status_fd);
	close_fd(ignored_fd);
	if (!create)
		return -ENOENT;
	/* A pin dir from before the sync: the object pins what is missing. */
	err = create_pins(m->dir);
	if (err)
		return err;
	*status_fd = pin_get(m->dir, "sync_status");
	*ignored_fd = pin_get(m->dir, "sync_ignored");
	if (*status_fd >= 0 && *ignored_fd >= 0)
		return 0;
	err = *status_fd < 0 ? *status_fd : *ignored_fd;
	close_fd(status_fd);
	close_fd(ignored_fd);
	return err;
}
