// SPDX-License-Identifier: GPL-2.0
/* Parsing babeld's local interface, as babeld 1.12 prints it (local.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "babel.h"

#define BABEL_MAX_WORDS 32
#define BABEL_INFINITY 65535

/* Split on spaces in place; returns the number of words. */
static int split(char *s, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(s, " \t\r"); t && n < max; t = strtok(NULL, " \t\r"))
		w[n++] = t;
	return n;
}

static int parse_op(const char *s, enum babel_op *op)
{
	if (!strcmp(s, "add"))
		*op = BABEL_ADD;
	else if (!strcmp(s, "change"))
		*op = BABEL_CHANGE;
	else if (!strcmp(s, "flush"))
		*op = BABEL_FLUSH;
	else
		return -1;
	return 0;
}

/* The value after key in the key-value words, or NULL. */
static const char *value_of(char **w, int n, int from, const char *key)
{
	for (int i = from; i + 1 < n; i += 2)
		if (!strcmp(w[i], key))
			return w[i + 1];
	return NULL;
}

static int parse_prefix(const char *s, struct prefix *p, const char **why, const char *what)
{
	bool host_bits = false;
	const char *e = NULL;

	if (!s || prefix_parse(s, p, &host_bits, &e) || host_bits) {
		*why = what;
		return -EINVAL;
	}
	return 0;
}

static int parse_via(const char *s, struct babel_route *r, const char **why)
{
	memset(r->via, 0, sizeof(r->via));
	if (s && inet_pton(AF_INET6, s, r->via) == 1)
		r->via_family = AF_INET6;
	else if (s && inet_pton(AF_INET, s, r->via) == 1)
		r->via_family = AF_INET;
	else {
		*why = "route without a valid 'via' address";
		return -EINVAL;
	}
	return 0;
}

static int parse_ifname(const char *s, char *out, const char **why)
{
	if (!s || !*s || strlen(s) >= IF_NAMESIZE) {
		*why = "missing or over-long interface name";
		return -EINVAL;
	}
	snprintf(out, IF_NAMESIZE, "%s", s);
	return 0;
}

static int parse_route(char **w, int n, struct babel_route *r, const char **why)
{
	const char *inst = value_of(w, n, 3, "installed");
	const char *metric = value_of(w, n, 3, "metric");
	char *end;
	unsigned long m;

	snprintf(r->handle, sizeof(r->handle), "%s", w[2]);
	if (parse_prefix(value_of(w, n, 3, "prefix"), &r->prefix, why, "route without a valid 'prefix'") ||
	    parse_prefix(value_of(w, n, 3, "from"), &r->from, why, "route without a valid 'from'"))
		return -EINVAL;
	if (r->from.family != r->prefix.family) {
		*why = "'from' and 'prefix' of different families";
		return -EINVAL;
	}
	if (!inst || (strcmp(inst, "yes") && strcmp(inst, "no"))) {
		*why = "route without 'installed yes|no'";
		return -EINVAL;
	}
	r->installed = !strcmp(inst, "yes");
	errno = 0;
	m = metric ? strtoul(metric, &end, 10) : 0;
	if (!metric || errno || *end || m > BABEL_INFINITY) {
		*why = "route without a valid 'metric' (0 to 65535)";
		return -EINVAL;
	}
	r->metric = m;
	return parse_via(value_of(w, n, 3, "via"), r, why) ?:
	       parse_ifname(value_of(w, n, 3, "if"), r->ifname, why);
}

int babel_parse_line(const char *line, struct babel_line *out, const char **why)
{
	char buf[1024], *w[BABEL_MAX_WORDS];
	const char *up;
	int n;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (strlen(line) >= sizeof(buf)) {
		*why = "line too long";
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	n = split(buf, w, BABEL_MAX_WORDS);
	if (n < 3 || parse_op(w[0], &out->op))
		return 0;	/* greeting, "ok", blank, anything else */
	if (!strcmp(w[1], "route")) {
		out->kind = BABEL_ROUTE;
		return parse_route(w, n, &out->route, why) ?: 1;
	}
	if (!strcmp(w[1], "interface")) {
		out->kind = BABEL_INTERFACE;
		up = value_of(w, n, 3, "up");
		out->up = up && !strcmp(up, "true");
		return parse_ifname(w[2], out->ifname, why) ?: 1;
	}
	return 0;	/* neighbour, xroute: not needed to follow routes */
}

bool babel_route_usable(const struct babel_route *r)
{
	return r->installed && r->metric < BABEL_INFINITY && r->from.plen == 0;
}
