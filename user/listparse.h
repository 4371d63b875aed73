/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blocklist file parser: IPsum ("IP<TAB>score"), plain / FireHOL netset
 * (one prefix a line) and Spamhaus DROP ("CIDR ; SBLnnn").
 */
#ifndef ANYXDP_USER_LISTPARSE_H
#define ANYXDP_USER_LISTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "prefix.h"

enum list_format { LF_AUTO = 0, LF_IPSUM, LF_PLAIN, LF_NETSET, LF_DROP };

const char *list_format_name(enum list_format f);		/* "auto","ipsum","plain","netset","drop" */
int list_format_from_name(const char *s, enum list_format *f);	/* -EINVAL if unknown */

struct list_opts {
	enum list_format format;	/* LF_AUTO = detect per file */
	int min_score;			/* ipsum only: keep lines with score >= min_score; 0 or 1 = keep all */
	bool skip_invalid;		/* load good lines, count bad ones (each still printed as a warning) */
	bool quiet;			/* suppress warnings (errors are still printed) */
};

struct list_report {
	enum list_format format;	/* detected or forced */
	size_t lines;			/* physical lines read */
	size_t entries;			/* prefixes appended to the set (before dedupe) */
	size_t skipped;			/* invalid lines skipped (skip_invalid) */
	size_t below_score;		/* ipsum lines under min_score */
	size_t normalized;		/* prefixes that had host bits set */
	size_t ipv4, ipv6;		/* entries by family */
};

/*
 * Parse one file, APPENDING prefixes to out. Never modifies anything else.
 * Errors go to stderr as "FILE:LINE: reason 'token'", warnings as
 * "FILE:LINE: warning: ...". Returns 0, -EINVAL for a malformed line when
 * !skip_invalid (out then has the length it had on entry), or -errno for
 * I/O ("FILE: strerror"). "-" means stdin. o and r may be NULL.
 */
int list_parse_file(const char *path, const struct list_opts *o, struct prefix_set *out,
		    struct list_report *r);

/* Same on an open stream; name is used in messages. */
int list_parse_stream(FILE *f, const char *name, const struct list_opts *o,
		      struct prefix_set *out, struct list_report *r);

#endif /* ANYXDP_USER_LISTPARSE_H */
