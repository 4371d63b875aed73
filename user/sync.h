/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The route sync's engine (anyxdp sync): turns the rib's dirty prefixes
 * into learned next hops in the maps, keeps routes from an earlier
 * session or process as stale until they are confirmed or swept, and
 * publishes its state in the sync_status / sync_ignored maps. The event
 * loop, sources and signals are in cmd_sync.c.
 */
#ifndef ANYXDP_USER_SYNC_H
#define ANYXDP_USER_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "anyxdp.h"
#include "maps.h"
#include "rib.h"
#include "source.h"

struct sync_opts {
	const char *const *iface_globs;	/* --iface; none: any interface */
	size_t n_iface_globs;
	bool dry_run;		/* compute and report, write nothing */
	bool print_changes;	/* each change on stdout (--once) */
	bool log_changes;	/* each change on stderr (the daemon, unless --quiet) */
	uint64_t withdraw_hold_ns;	/* hold withdrawals this long (0: write at once) */
	int source_kind;	/* enum sync_source_kind */
	const char *source_name;
};

struct sync_report {
	size_t added, changed, removed;
};

struct sync;

/*
 * Set up on open maps: the status maps (created when missing), and the
 * learned next hops already in the map, taken as stale (a previous run
 * left them; they stay until the daemon confirms or the sweep).
 */
int sync_new(struct sync **out, struct anyxdp_maps *m, const struct sync_opts *o);
void sync_free(struct sync *s);	/* publishes SYNC_STOPPED */
struct rib *sync_rib(struct sync *s);

/* Apply every dirty prefix; read_ns (CLOCK_MONOTONIC) is when the input
 * that made them dirty was read, for the latency figures. */
int sync_process(struct sync *s, uint64_t read_ns);
/* A withdrawal of this session is applied after a short hold (babeld
 * withdraws everything just before it exits): when the next is due
 * (CLOCK_MONOTONIC ns, 0 if none), and applying those that are. */
uint64_t sync_hold_due(const struct sync *s);
int sync_release_holds(struct sync *s);
/* Every learned route becomes stale (the source is gone or starts over). */
void sync_mark_stale(struct sync *s);
/* Remove stale learned routes not confirmed since. */
int sync_sweep_stale(struct sync *s);
/* Interfaces changed: forget cached interface state, re-check everything. */
void sync_links_changed(struct sync *s);
/* Routes ignored as not served are looked at again (a prefix may have been
 * added with 'anyxdp prefix add'). */
void sync_retry_not_served(struct sync *s);

void sync_set_state(struct sync *s, enum sync_state st, uint64_t grace_until_ns);
void sync_count_events(struct sync *s, const struct src_events *ev);
void sync_count_reconnect(struct sync *s);
/* Write sync_status: always with force, else at most every 200 ms. */
int sync_publish(struct sync *s, bool force);
/* CLOCK_MONOTONIC time by which a pending change should be published
 * (sync_publish(s, false) then writes it); 0 if nothing is pending. */
uint64_t sync_publish_due(const struct sync *s);
const struct sync_report *sync_report(const struct sync *s);
size_t sync_stale_count(const struct sync *s);

/* Names for enum sync_ignore / sync_state ("not_served", "running"). */
const char *sync_ignore_name(int reason);
const char *sync_state_name(int state);
/* The state name, or "dead" when the process is gone without saying so;
 * *alive: the process runs. */
const char *sync_state_now(const struct sync_status *st, bool *alive);

#endif
