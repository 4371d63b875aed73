// SPDX-License-Identifier: GPL-2.0
/* One reading of the counters and state (see snapshot.h). */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "cmds.h"
#include "common.h"
#include "snapshot.h"
#include "steer.h"
#include "sync.h"
#include "tunnel.h"

static __u64 clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (__u64)t.tv_sec * 1000000000ull + t.tv_nsec;
}

int snapshot_reasons(struct anyxdp_maps *m, struct counter *reasons, struct counter *verdicts)
{
	__u32 i;
	int err;

	memset(verdicts, 0, V_MAX * sizeof(*verdicts));
	for (i = 0; i < R_MAX; i++) {
		err = percpu_sum(m->stats, &i, m->ncpus, &reasons[i]);
		if (err) {
			log_err("cannot read the stats map: %s", strerror(-err));
			return err;
		}
		counter_add(&verdicts[anyxdp_reason_verdict(i)], &reasons[i]);
	}
	return 0;
}

static int read_prefixes(struct anyxdp_maps *m, struct snapshot *s)
{
	struct steer_table t = {};
	size_t i;
	int err;

	if (m->steer4 < 0)
		return 0;
	s->have_steer = true;
	err = steer_read(m, &t, true);
	if (err) {
		log_err("cannot read the steering maps: %s", strerror(-err));
		return err;
	}
	s->prefixes = calloc(t.n + 1, sizeof(*s->prefixes));
	if (!s->prefixes) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		struct snap_prefix *p = &s->prefixes[i];
		struct steer_entry *served = steer_served_of(&t, &t.v[i].pfx);

		p->pfx = t.v[i].pfx;
		p->val = t.v[i].val;
		p->steer = t.v[i].stats;
		p->is_served = t.v[i].val.flags & STEER_SERVED;
		p->served = served ? served->pfx : p->pfx;
		/* Older pin dirs lack the tunnel maps; a new prefix may not
		 * have its counters yet. Neither is an error. */
		if (p->is_served && m->tstats4 >= 0)
			p->has_tun = !tun_stats_sum(m, &p->pfx, &p->tun);
	}
	s->n_prefixes = t.n;
out:
	steer_table_free(&t);
	return err;
}

static void read_sync(struct anyxdp_maps *m, struct snapshot *s)
{
	int sfd = -1, ifd = -1;
	__u32 zero = 0;

	if (!maps_open_sync(m, &sfd, &ifd, false) &&
	    !bpf_map_lookup_elem(sfd, &zero, &s->sync) && s->sync.started_ns) {
		s->have_sync = true;
		s->sync_state = sync_state_now(&s->sync, &s->sync_alive);
	}
	if (sfd >= 0)
		close(sfd);
	if (ifd >= 0)
		close(ifd);
}

/* Interfaces recorded in another network namespace are left out: their
 * ifindex means nothing here. */
static void read_ifaces(struct anyxdp_maps *m, int fd, struct snapshot *s)
{
	__u32 key, next, *kp = NULL;
	struct attach_info ai;
	char name[IF_NAMESIZE];

	while (fd >= 0 && s->n_ifaces < SNAP_IFACES_MAX &&
	       !bpf_map_get_next_key(fd, kp, &next)) {
		struct snap_iface *f = &s->ifaces[s->n_ifaces];

		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(fd, &key, &ai) ||
		    (ai.netns_ino && ai.netns_ino != netns_ino()))
			continue;
		memcpy(f->ifname, ai.ifname, sizeof(f->ifname));
		f->ifname[sizeof(f->ifname) - 1] = 0;
		f->mode = ai.mode;
		if (fd == m->attached)
			f->live = xdp_is_attached(key, NULL, NULL);
		else
			f->live = if_indextoname(key, name) && !strcmp(name, f->ifname) &&
				  tun_is_attached(key, NULL);
		s->n_ifaces++;
	}
}

static int read_sources(struct anyxdp_maps *m, struct snapshot *s)
{
	__u64 gen;
	int n;

	s->sources = calloc(BL_SOURCES_MAX, sizeof(*s->sources));
	if (!s->sources)
		return -ENOMEM;
	n = blset_sources(m, s->sources, BL_SOURCES_MAX, &gen);
	/* A load racing with us (-EAGAIN) costs this reading the source
	 * lists (have_sources stays false), not every other counter. */
	if (n < 0) {
		log_warn("cannot read the blocklist's source lists: %s", strerror(-n));
		return n == -ENOMEM ? n : 0;
	}
	s->n_sources = n;
	s->have_sources = true;
	return 0;
}

int snapshot_take(struct anyxdp_maps *m, struct snapshot *s, unsigned what)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	s->real_ns = clock_ns(CLOCK_REALTIME);
	err = snapshot_reasons(m, s->reasons, s->verdicts);
	if (!err) {
		err = ctl_read(m, &s->ctl);
		if (err)
			log_err("cannot read bl_ctl: %s", strerror(-err));
	}
	err = err ?: read_prefixes(m, s);
	if (!err && (what & SNAP_SOURCES))
		err = read_sources(m, s);
	if (!err) {
		read_sync(m, s);
		read_ifaces(m, m->attached, s);
		read_ifaces(m, m->tunnels, s);
	}
	if (err)
		snapshot_free(s);
	return err;
}

void snapshot_free(struct snapshot *s)
{
	free(s->prefixes);
	free(s->sources);
	memset(s, 0, sizeof(*s));
}
