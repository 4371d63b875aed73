// SPDX-License-Identifier: GPL-2.0
/*
 * Config file: parse, check, and apply declaratively to the maps.
 *
 *   prefix 198.51.100.0/24
 *   route 198.51.100.0/27 dev wg-site via fe80::2 metric 10
 *   uplink eth0 [mode native|skb]
 *   tunnels wg-*,tun*
 *   mss-clamp auto|off|N
 *   icmp-rate N
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "conf.h"
#include "maps.h"
#include "steer.h"

#define MAX_TOKENS 32
#define MSS_MIN 88		/* the kernel's TCP_MIN_MSS */

void conf_free(struct anyxdp_conf *c)
{
	free(c->prefix);
	free(c->route);
	c->prefix = NULL;
	c->route = NULL;
	c->n_prefix = c->n_route = 0;
}

static void conf_init(struct anyxdp_conf *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", name);
	c->mss_clamp = -1;
	c->icmp_rate = -1;
}

/* Keep the error with the lowest line: the one a reader meets first. */
__attribute__((format(printf, 3, 4)))
static int err_at(struct anyxdp_conf *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err_line && c->err_line <= line)
		return -EINVAL;
	c->err_line = line;
	n = snprintf(c->err, sizeof(c->err), "%s:%d: ", c->file, line);
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- values ---- */

static int parse_num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int mss_clamp_parse(const char *s, int *clamp, unsigned int *max)
{
	unsigned long v;

	if (!strcmp(s, "auto")) {
		*clamp = 1;
		*max = 0;
	} else if (!strcmp(s, "off")) {
		*clamp = 0;
		*max = 0;
	} else if (!parse_num(s, 65535, &v) && v >= MSS_MIN) {
		*clamp = 1;
		*max = v;
	} else {
		return -EINVAL;
	}
	return 0;
}

static bool v4_mapped(const struct prefix *p)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return p->family == AF_INET6 && p->plen >= 96 && !memcmp(p->addr, mapped, 12);
}

int steer_prefix_parse(const char *s, struct prefix *p, char *err, size_t len)
{
	char want[PREFIX_STRLEN];
	const char *why = NULL;
	bool host_bits = false;

	if (prefix_parse(s, p, &host_bits, &why)) {
		snprintf(err, len, "%s '%.64s'", why, s);
		return -EINVAL;
	}
	if (host_bits) {
		snprintf(err, len, "%.64s has host bits set (the prefix would be %s)", s,
			 prefix_format(p, want, sizeof(want)));
		return -EINVAL;
	}
	/* Packets never carry these; a match would only mislead. */
	if (v4_mapped(p)) {
		snprintf(err, len, "%.64s is an IPv4-mapped IPv6 prefix; write it as IPv4", s);
		return -EINVAL;
	}
	return 0;
}

static int route_opt(const char *key, const char *val, const struct prefix *p,
		     struct nexthop *nh, char *err, size_t len)
{
	unsigned long v;

	if (!strcmp(key, "dev")) {
		if (strlen(val) >= sizeof(nh->ifname) || !*val || strchr(val, '/')) {
			snprintf(err, len, "dev: '%.64s' is not a valid interface name (at "
				 "most %zu characters, no '/')", val, sizeof(nh->ifname) - 1);
			return -EINVAL;
		}
		memset(nh->ifname, 0, sizeof(nh->ifname));
		memcpy(nh->ifname, val, strlen(val));
	} else if (!strcmp(key, "via")) {
		if (nh_via_parse(nh, val)) {
			snprintf(err, len, "via: invalid address '%.64s'", val);
			return -EINVAL;
		}
	} else if (!strcmp(key, "metric")) {
		if (parse_num(val, 0xffffffffUL, &v)) {
			snprintf(err, len, "metric: invalid value '%.64s' (a whole number "
				 "from 0 to 4294967295)", val);
			return -EINVAL;
		}
		nh->metric = v;
	} else if (!strcmp(key, "mtu")) {
		unsigned long min = p->family == AF_INET ? 68 : 1280;

		if (parse_num(val, 65535, &v) || (v && v < min)) {
			snprintf(err, len, "mtu: invalid value '%.64s' (0 for the interface's "
				 "MTU, or %lu to 65535 for IPv%d)", val, min,
				 p->family == AF_INET ? 4 : 6);
			return -EINVAL;
		}
		nh->mtu = v;
	} else if (!strcmp(key, "kind")) {
		if (strcmp(val, "tunnel") && strcmp(val, "ether")) {
			snprintf(err, len, "kind: '%.64s' is not tunnel or ether", val);
			return -EINVAL;
		}
		nh->kind = !strcmp(val, "tunnel") ? NH_TUNNEL : NH_ETHER;
		nh->flags |= NH_F_KIND_SET;
	} else {
		snprintf(err, len, "unknown route option '%.64s' (expected dev, via, "
			 "metric, mtu or kind)", key);
		return -EINVAL;
	}
	return 0;
}

int route_args_parse(int argc, char **argv, const struct prefix *p,
		     struct nexthop *nh, char *err, size_t len)
{
	static const char *const keys[] = { "dev", "via", "metric", "mtu", "kind" };
	unsigned int seen = 0, k;
	int i, r;

	memset(nh, 0, sizeof(*nh));
	for (i = 0; i < argc; i += 2) {
		for (k = 0; k < 5 && strcmp(argv[i], keys[k]); k++)
			;
		if (k < 5 && (seen & (1u << k))) {
			snprintf(err, len, "'%s' given twice", keys[k]);
			return -EINVAL;
		}
		if (k < 5 && i + 1 >= argc) {
			snprintf(err, len, "'%s' needs a value", keys[k]);
			return -EINVAL;
		}
		r = route_opt(argv[i], i + 1 < argc ? argv[i + 1] : "", p, nh, err, len);
		if (r)
			return r;
		seen |= 1u << k;
	}
	if (!nh->ifname[0]) {
		snprintf(err, len, "missing 'dev IFACE'");
		return -EINVAL;
	}
	return 0;
}

/* ---- lines ---- */

static int add_prefix(struct anyxdp_conf *c, const struct prefix *p, int line)
{
	struct conf_prefix *v = realloc(c->prefix, (c->n_prefix + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->prefix = v;
	v[c->n_prefix].pfx = *p;
	v[c->n_prefix++].line = line;
	return 0;
}

static int add_route(struct anyxdp_conf *c, const struct prefix *p,
		     const struct nexthop *nh, int line)
{
	struct conf_route *v = realloc(c->route, (c->n_route + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->route = v;
	v[c->n_route].pfx = *p;
	v[c->n_route].nh = *nh;
	v[c->n_route++].line = line;
	return 0;
}

static int line_prefix(struct anyxdp_conf *c, int n, char **tok, int line)
{
	struct prefix p;
	char why[256];

	if (n != 2)
		return err_at(c, line, "'prefix' takes one prefix, e.g. "
			      "'prefix 198.51.100.0/24'");
	if (steer_prefix_parse(tok[1], &p, why, sizeof(why)))
		return err_at(c, line, "%s", why);
	return add_prefix(c, &p, line);
}

static int line_route(struct anyxdp_conf *c, int n, char **tok, int line)
{
	struct nexthop nh;
	struct prefix p;
	char why[256];

	if (n < 2)
		return err_at(c, line, "'route' needs a prefix and 'dev IFACE'");
	if (steer_prefix_parse(tok[1], &p, why, sizeof(why)))
		return err_at(c, line, "%s", why);
	if (route_args_parse(n - 2, tok + 2, &p, &nh, why, sizeof(why)))
		return err_at(c, line, "route %s: %s", tok[1], why);
	return add_route(c, &p, &nh, line);
}

static int line_setting(struct anyxdp_conf *c, int n, char **tok, int line)
{
	unsigned long v;

	if (n != 2)
		return err_at(c, line, "'%s' takes one value", tok[0]);
	if (!strcmp(tok[0], "mss-clamp")) {
		if (c->mss_line)
			return err_at(c, line, "mss-clamp set twice (first on line %d)",
				      c->mss_line);
		if (mss_clamp_parse(tok[1], &c->mss_clamp, &c->mss_max))
			return err_at(c, line, "mss-clamp: invalid value '%.64s' (auto, off, "
				      "or an MSS from %d to 65535)", tok[1], MSS_MIN);
		c->mss_line = line;
		return 0;
	}
	if (c->icmp_line)
		return err_at(c, line, "icmp-rate set twice (first on line %d)", c->icmp_line);
	if (parse_num(tok[1], ICMP_RATE_MAX, &v))
		return err_at(c, line, "icmp-rate: invalid value '%.64s' (answers per second "
			      "per CPU, 0 to %d)", tok[1], ICMP_RATE_MAX);
	c->icmp_rate = v;
	c->icmp_line = line;
	return 0;
}

static bool ifname_ok(const char *s)
{
	return *s && strlen(s) < IF_NAMESIZE && !strpbrk(s, "/:");
}

/* What boot needs to attach with no IFACE on the command line. */
static int line_uplink(struct anyxdp_conf *c, int n, char **tok, int line)
{
	if (c->uplink_line)
		return err_at(c, line, "uplink set twice (first on line %d); anyxdp attaches "
			      "to one uplink", c->uplink_line);
	if (n != 2 && !(n == 4 && !strcmp(tok[2], "mode")))
		return err_at(c, line, "'uplink' takes an interface and optionally 'mode "
			      "native|skb', e.g. 'uplink eth0 mode native'");
	if (!ifname_ok(tok[1]))
		return err_at(c, line, "uplink: '%.64s' is not a valid interface name (at "
			      "most %d characters, no '/' or ':')", tok[1], IF_NAMESIZE - 1);
	if (n == 4) {
		if (!strcmp(tok[3], "native") || !strcmp(tok[3], "drv"))
			c->uplink_mode = ATTACH_NATIVE;
		else if (!strcmp(tok[3], "skb") || !strcmp(tok[3], "generic"))
			c->uplink_mode = ATTACH_SKB;
		else
			return err_at(c, line, "uplink: mode '%.64s' is not native or skb",
				      tok[3]);
	}
	snprintf(c->uplink, sizeof(c->uplink), "%s", tok[1]);
	c->uplink_line = line;
	return 0;
}

/* The same rules as 'attach --tunnels' (tun_globs_check), said with the line. */
static int line_tunnels(struct anyxdp_conf *c, int n, char **tok, int line)
{
	const char *s, *bad;
	size_t len;

	if (c->tunnels_line)
		return err_at(c, line, "tunnels set twice (first on line %d)", c->tunnels_line);
	if (n != 2)
		return err_at(c, line, "'tunnels' takes one value: GLOB[,GLOB...] (no "
			      "spaces, e.g. 'tunnels wg-*,tun*') or none");
	if (strlen(tok[1]) >= sizeof(c->tunnels))
		return err_at(c, line, "tunnels: at most %zu characters, got %zu",
			      sizeof(c->tunnels) - 1, strlen(tok[1]));
	c->tunnels_line = line;
	if (!strcmp(tok[1], "none"))
		return 0;
	for (s = tok[1];; s += len + 1) {
		len = strcspn(s, ",");
		if (!len)
			return err_at(c, line, "tunnels '%.64s': an empty glob (use "
				      "GLOB[,GLOB...], e.g. 'wg-*')", tok[1]);
		if (len >= IF_NAMESIZE * 2)
			return err_at(c, line, "tunnels '%.64s': a glob is too long", tok[1]);
		bad = strpbrk(s, "/");
		if (bad && bad < s + len)
			return err_at(c, line, "tunnels '%.64s': '/' cannot be in an interface "
				      "name", tok[1]);
		if (!s[len])
			break;
	}
	snprintf(c->tunnels, sizeof(c->tunnels), "%s", tok[1]);
	return 0;
}

/* Split on blanks after cutting the comment; returns the token count. */
static int tokenize(char *s, char **tok)
{
	char *hash = strchr(s, '#'), *save = NULL, *t;
	int n = 0;

	if (hash)
		*hash = '\0';
	for (t = strtok_r(s, " \t\r\n\v\f", &save); t; t = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static int parse_line(struct anyxdp_conf *c, char *s, int line)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(s, tok);

	if (n < 0)
		return err_at(c, line, "too many words (at most %d)", MAX_TOKENS);
	if (!n)
		return 0;
	if (!strcmp(tok[0], "prefix"))
		return line_prefix(c, n, tok, line);
	if (!strcmp(tok[0], "route"))
		return line_route(c, n, tok, line);
	if (!strcmp(tok[0], "uplink"))
		return line_uplink(c, n, tok, line);
	if (!strcmp(tok[0], "tunnels"))
		return line_tunnels(c, n, tok, line);
	if (!strcmp(tok[0], "mss-clamp") || !strcmp(tok[0], "icmp-rate"))
		return line_setting(c, n, tok, line);
	return err_at(c, line, "unknown keyword '%.64s' (expected prefix, route, uplink, "
		      "tunnels, mss-clamp or icmp-rate)", tok[0]);
}

/* ---- whole-file checks ---- */

static int cmp_cprefix(const void *a, const void *b)
{
	const struct conf_prefix *x = a, *y = b;

	return prefix_cmp(&x->pfx, &y->pfx) ?: x->line - y->line;
}

static int cmp_croute(const void *a, const void *b)
{
	const struct conf_route *x = a, *y = b;

	return prefix_cmp(&x->pfx, &y->pfx) ?: x->line - y->line;
}

static int later(int a, int b)
{
	return a > b ? a : b;
}

/* The error goes on the later of two lines and names the other one. */
static void overlap_err(struct anyxdp_conf *c, const struct conf_prefix *a,
			const struct conf_prefix *b)
{
	char x[PREFIX_STRLEN], y[PREFIX_STRLEN];
	const struct conf_prefix *late = a->line > b->line ? a : b;
	const struct conf_prefix *early = late == a ? b : a;

	err_at(c, later(a->line, b->line), "prefix %s overlaps prefix %s (line %d); served "
	       "prefixes must not overlap", prefix_format(&late->pfx, x, sizeof(x)),
	       prefix_format(&early->pfx, y, sizeof(y)), early->line);
}

/* Sorted, each prefix comes after every prefix containing it: a stack of
 * the nesting finds each overlapping pair. */
static void check_prefixes(struct anyxdp_conf *c)
{
	const struct conf_prefix *stack[130];
	char x[PREFIX_STRLEN];
	size_t i, depth = 0, j;

	qsort(c->prefix, c->n_prefix, sizeof(c->prefix[0]), cmp_cprefix);
	for (i = 0; i < c->n_prefix; i++) {
		const struct conf_prefix *p = &c->prefix[i];

		if (i && !prefix_cmp(&p->pfx, &c->prefix[i - 1].pfx)) {
			err_at(c, p->line, "duplicate prefix %s (first on line %d)",
			       prefix_format(&p->pfx, x, sizeof(x)), c->prefix[i - 1].line);
			continue;
		}
		while (depth && !prefix_contains(&stack[depth - 1]->pfx, &p->pfx))
			depth--;
		for (j = 0; j < depth; j++)
			overlap_err(c, stack[j], p);
		stack[depth++] = p;
	}
}

static void check_routes(struct anyxdp_conf *c)
{
	char x[PREFIX_STRLEN];
	size_t i, j;

	qsort(c->route, c->n_route, sizeof(c->route[0]), cmp_croute);
	for (i = 0; i < c->n_route; i++) {
		const struct conf_route *r = &c->route[i];

		prefix_format(&r->pfx, x, sizeof(x));
		if (i && !prefix_cmp(&r->pfx, &c->route[i - 1].pfx)) {
			err_at(c, r->line, "duplicate route %s (first on line %d)", x,
			       c->route[i - 1].line);
			continue;
		}
		for (j = 0; j < c->n_prefix; j++)
			if (prefix_contains(&c->prefix[j].pfx, &r->pfx))
				break;
		if (j == c->n_prefix)
			err_at(c, r->line, "route %s is not inside any served prefix (add a "
			       "'prefix' line that holds it)", x);
	}
}

int conf_parse_stream(FILE *f, const char *name, struct anyxdp_conf *c)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int line = 0, err = 0;

	conf_init(c, name);
	while (!err && (len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if ((size_t)len != strlen(buf))
			err = err_at(c, line, "NUL byte in line");
		else
			err = parse_line(c, buf, line);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(buf);
	if (err == -EIO)
		snprintf(c->err, sizeof(c->err), "%s: read error", name);
	if (!err) {
		check_prefixes(c);
		check_routes(c);
		err = c->err_line ? -EINVAL : 0;
	}
	if (err == -ENOMEM)
		snprintf(c->err, sizeof(c->err), "%s: out of memory", name);
	if (err)
		conf_free(c);
	return err;
}

int conf_parse_file(const char *path, struct anyxdp_conf *c)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f) {
		err = -errno;
		conf_init(c, path);
		snprintf(c->err, sizeof(c->err), "%s: %s", path, strerror(-err));
		return err;
	}
	err = conf_parse_stream(f, path, c);
	fclose(f);
	return err;
}

int conf_parse_string(const char *text, const char *name, struct anyxdp_conf *c)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	if (!f) {
		conf_init(c, name);
		snprintf(c->err, sizeof(c->err), "%s: %s", name, strerror(errno));
		return -errno;
	}
	err = conf_parse_stream(f, name, c);
	fclose(f);
	return err;
}

/* ---- apply ---- */

/* The file names interfaces that may not exist yet (a tunnel brought up
 * later): store the route as down and let 'route refresh' find it. */
static void resolve_route(const struct anyxdp_conf *c, struct conf_route *r,
			  struct nexthop *nh)
{
	char x[PREFIX_STRLEN];

	*nh = r->nh;
	prefix_format(&r->pfx, x, sizeof(x));
	if (nh_resolve(nh)) {
		nh->ifindex = 0;
		log_warn("%s:%d: route %s: interface '%s' does not exist (yet); stored as "
			 "down, 'anyxdp route refresh' picks it up", c->file, r->line, x,
			 nh->ifname);
	} else if (nh->kind == NH_ETHER && !nh->via_family) {
		log_warn("%s:%d: route %s: Ethernet next hop %s without 'via': each "
			 "destination needs a neighbour on %s", c->file, r->line, x,
			 nh->ifname, nh->ifname);
	}
}

/* Learned next hops carry over where a served prefix of the file holds them. */
static int keep_learned(const struct steer_table *old, struct steer_table *new,
			struct conf_apply_report *r)
{
	char x[PREFIX_STRLEN];
	size_t i;
	int err;

	for (i = 0; i < old->n; i++) {
		const struct steer_entry *e = &old->v[i];

		if (!nh_present(&e->val.nh[ORIGIN_LEARNED]))
			continue;
		if (!steer_served_of(new, &e->pfx)) {
			r->learned_dropped++;
			log_warn("learned route %s goes with its served prefix, which the "
				 "file drops", prefix_format(&e->pfx, x, sizeof(x)));
			continue;
		}
		err = steer_tab_route_set(new, &e->pfx, ORIGIN_LEARNED,
					  &e->val.nh[ORIGIN_LEARNED]);
		if (err < 0)
			return err;
	}
	return 0;
}

static int build(struct anyxdp_conf *c, const struct steer_table *old,
		 struct steer_table *new, struct conf_apply_report *r)
{
	struct nexthop nh;
	size_t i;
	int err;

	memset(new, 0, sizeof(*new));
	for (i = 0; i < c->n_prefix; i++) {
		err = steer_tab_prefix_add(new, &c->prefix[i].pfx);
		if (err < 0)
			return err;
	}
	for (i = 0; i < c->n_route; i++) {
		resolve_route(c, &c->route[i], &nh);
		err = steer_tab_route_set(new, &c->route[i].pfx, ORIGIN_STATIC, &nh);
		if (err < 0)
			return err;
	}
	return keep_learned(old, new, r);
}

static void count_changes(const struct steer_table *old, struct steer_table *new,
			  struct conf_apply_report *r)
{
	size_t i;

	for (i = 0; i < new->n; i++) {
		const struct steer_entry *e = &new->v[i];
		struct steer_entry *o = steer_find((struct steer_table *)old, &e->pfx);
		bool served = e->val.flags & STEER_SERVED;
		const struct nexthop *nh = &e->val.nh[ORIGIN_STATIC];

		if (served && !(o && (o->val.flags & STEER_SERVED)))
			r->prefixes_added++;
		if (!nh_present(nh))
			continue;
		if (!o || !nh_present(&o->val.nh[ORIGIN_STATIC]))
			r->routes_added++;
		else if (memcmp(nh, &o->val.nh[ORIGIN_STATIC], sizeof(*nh)))
			r->routes_changed++;
	}
	for (i = 0; i < old->n; i++) {
		const struct steer_entry *o = &old->v[i];
		struct steer_entry *e = steer_find(new, &o->pfx);

		if ((o->val.flags & STEER_SERVED) && !(e && (e->val.flags & STEER_SERVED)))
			r->prefixes_removed++;
		if (nh_present(&o->val.nh[ORIGIN_STATIC]) &&
		    !(e && nh_present(&e->val.nh[ORIGIN_STATIC])))
			r->routes_removed++;
	}
}

int conf_apply(struct anyxdp_maps *m, struct anyxdp_conf *c, bool dry_run,
	       struct conf_apply_report *r)
{
	struct steer_table old, new;
	int err;

	memset(r, 0, sizeof(*r));
	err = maps_have_steer(m) ?: maps_lock(m) ?: steer_read(m, &old, false);
	if (err)
		return err;
	err = build(c, &old, &new, r) ?: steer_validate(&new);
	if (!err) {
		count_changes(&old, &new, r);
		if (!dry_run)
			err = steer_commit(m, &old, &new);
	}
	steer_table_free(&new);
	steer_table_free(&old);
	return err;
}
