/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (format 0.0.4) of a snapshot: what
 * `anyxdp stats --prometheus` writes for node_exporter's textfile
 * collector and what `anyxdp exporter` serves. Every family is listed in
 * the METRICS section of anyxdp(8).
 */
#ifndef ANYXDP_USER_METRICS_H
#define ANYXDP_USER_METRICS_H

#include <stdbool.h>
#include <stdio.h>
#include "snapshot.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Families written after the snapshot's: the exporter's own. */
struct metrics_extra {
	bool scrape;			/* write anyxdp_scrape_duration_seconds */
	double scrape_seconds;
};

/* All families of s; s == NULL: the maps could not be read, only
 * anyxdp_up 0. x may be NULL. Returns 0 or -EIO if f failed. */
int metrics_write(FILE *f, const struct snapshot *s, const struct metrics_extra *x);

/* A label value escaped as the format wants (\\, \", \n), into buf.
 * Returns buf; cut short (still valid) when it does not fit. */
char *metrics_label_escape(const char *v, char *buf, size_t len);

#endif
