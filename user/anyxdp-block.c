// SPDX-License-Identifier: GPL-2.0
/* anyxdp-block: manage the blocklist of an anyxdp instance. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "blset.h"
#include "cli.h"
#include "common.h"
#include "listparse.h"
#include "maps.h"

static const char intro[] =
	"Usage: anyxdp-block COMMAND [OPTIONS]\n"
	"Manage the blocklist that anyxdp's XDP program drops by source address.";

/* A load's source lists: names and how many of the new entries each has. */
struct load_lists {
	struct bl_names names;
	size_t entries[BL_SOURCES_MAX];
};

static void count_lists(const struct prefix_set *set, struct load_lists *ll)
{
	unsigned int mask;
	size_t i;

	memset(ll->entries, 0, sizeof(ll->entries));
	for (i = 0; i < set->n; i++)
		for (mask = prefix_sources(&set->v[i]); mask; mask &= mask - 1)
			ll->entries[__builtin_ctz(mask)]++;
}

static void print_lists(const struct load_lists *ll, bool json)
{
	int i;

	if (json) {
		printf(",\"sources\":[");
		for (i = 0; i < ll->names.n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, ll->names.name[i]);
			printf(",\"entries\":%zu}", ll->entries[i]);
		}
		printf("]");
		return;
	}
	printf("source lists:");
	for (i = 0; i < ll->names.n; i++)
		printf("%s %s %zu", i ? "," : "", ll->names.name[i], ll->entries[i]);
	printf("\n");
}

static void print_report(const struct blset_report *r, size_t files,
			 const struct load_lists *ll, bool json)
{
	if (json) {
		printf("{\"entries\":%zu,\"ipv4\":%zu,\"ipv6\":%zu,\"hosts\":%zu,"
		       "\"cidrs\":%zu,\"added\":%zu,\"removed\":%zu,\"kept\":%zu,"
		       "\"unchanged\":%s,\"generation\":%llu,\"build_ms\":%.1f,"
		       "\"switch_ms\":%.1f,\"files\":%zu",
		       r->v4 + r->v6, r->v4, r->v6, r->hosts, r->nets, r->added,
		       r->removed, r->kept, r->unchanged ? "true" : "false",
		       (unsigned long long)r->generation, r->build_ms, r->switch_ms, files);
		if (ll)
			print_lists(ll, true);
		printf("}\n");
		return;
	}
	printf("%zu entries (IPv4 %zu, IPv6 %zu; %zu hosts, %zu CIDRs): "
	       "%zu added, %zu removed, %zu kept\n",
	       r->v4 + r->v6, r->v4, r->v6, r->hosts, r->nets,
	       r->added, r->removed, r->kept);
	if (ll)
		print_lists(ll, false);
	if (r->unchanged)
		printf("unchanged: the active list (generation %llu) stays as it is\n",
		       (unsigned long long)r->generation);
	else
		printf("switched to generation %llu (build %.1f ms, switch %.1f ms)\n",
		       (unsigned long long)r->generation, r->build_ms, r->switch_ms);
}

struct overlap_ctx {
	size_t shown;
};

static void show_overlap(const struct prefix *outer, const struct prefix *inner, void *ctx)
{
	struct overlap_ctx *c = ctx;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	if (c->shown++ >= 10)
		return;
	log_info("overlap: %s lies inside %s (the more specific entry is counted)",
		 prefix_format(inner, a, sizeof(a)), prefix_format(outer, b, sizeof(b)));
}

/* Sort, dedupe and report what the files held before any map changes. */
static void normalise_set(struct prefix_set *set, bool quiet)
{
	struct overlap_ctx oc = {};
	size_t dups, ovl;

	dups = pset_sort_dedupe(set);
	ovl = pset_overlaps(set, verbose ? show_overlap : NULL, &oc);
	if (quiet)
		return;
	if (dups)
		log_info("%zu duplicate entries merged", dups);
	if (ovl)
		log_info("%zu entries lie inside other entries%s", ovl,
			 verbose ? "" : " (-v lists them)");
}

static const char load_help[] =
	"Usage: anyxdp-block load [OPTIONS] FILE...\n"
	"Replace the whole blocklist with the entries of FILE(s), in one atomic switch.\n"
	"A malformed line aborts the load and leaves the active list as it was.\n\n"
	"  --format F        ipsum, plain, netset or drop (default: detect per file)\n"
	"  --min-score N     ipsum: keep addresses seen on at least N lists\n"
	"  --skip-invalid    load the good lines, report how many were skipped\n"
	"  --allow-empty     accept a result with no entries (default: refuse, so an\n"
	"                    empty download never flushes the list)\n"
	"  --name NAME       name a source list: the first --name the first FILE,\n"
	"                    and so on (default: the FILE's base name, \"stdin\" for -)\n"
	"  --dry-run         parse and report, change nothing\n"
	"  --json            machine-readable report\n"
	"  -q, --quiet       no warnings, only errors and the report\n"
	"Each FILE is a source list ('anyxdp-block sources' counts drops per list);\n"
	"FILEs with the same name form one list. At most 15 lists: the 16th is\n"
	"kept for \"manual\", the entries of 'anyxdp-block add'.\n";

/* A list name is a JSON string and a Prometheus label value as it is. */
static bool name_char_ok(char c)
{
	return c > ' ' && c < 127 && c != '"' && c != '\\';
}

static int check_name(const char *name)
{
	const char *c;

	if (!*name || strlen(name) >= BL_SOURCE_NAME_LEN) {
		log_err("--name '%s': a list name has 1 to %d characters", name,
			BL_SOURCE_NAME_LEN - 1);
		return -EINVAL;
	}
	for (c = name; *c; c++) {
		if (!name_char_ok(*c)) {
			log_err("--name '%s': use printable ASCII without spaces, "
				"quotes or backslashes", name);
			return -EINVAL;
		}
	}
	return 0;
}

/* The FILE's base name, made a valid list name. */
static void name_from_path(const char *path, char *out)
{
	const char *b = strrchr(path, '/');
	size_t i;

	b = b ? b + 1 : path;
	if (!strcmp(path, "-"))
		b = "stdin";
	if (!*b)
		b = "list";
	for (i = 0; b[i] && i < BL_SOURCE_NAME_LEN - 1; i++)
		out[i] = name_char_ok(b[i]) ? b[i] : '_';
	out[i] = '\0';
}

/* Give every FILE its list; all checked before anything is read. */
static int assign_lists(char **files, int nfiles, char **given, int ngiven,
			struct bl_names *names, int *bit)
{
	char name[BL_SOURCE_NAME_LEN];
	int i, k;

	memset(names, 0, sizeof(*names));
	if (ngiven > nfiles) {
		log_err("%d --name for %d FILEs", ngiven, nfiles);
		return -EINVAL;
	}
	for (i = 0; i < nfiles; i++) {
		if (i < ngiven)
			snprintf(name, sizeof(name), "%s", given[i]);
		else
			name_from_path(files[i], name);
		if (!strcmp(name, BL_SOURCE_MANUAL) || !strcmp(name, BL_SOURCE_UNKNOWN)) {
			log_err("%s: the list name '%s' is reserved; give another with --name",
				files[i], name);
			return -EINVAL;
		}
		k = bl_names_add(names, name);
		if (k < 0 || k >= BL_SOURCES_MAX - 1) {
			log_err("more than %d source lists; nothing loaded (FILEs with the "
				"same --name form one list)", BL_SOURCES_MAX - 1);
			return -EINVAL;
		}
		bit[i] = k;
	}
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "min-score", required_argument, NULL, 's' },
		{ "skip-invalid", no_argument, NULL, 'k' },
		{ "allow-empty", no_argument, NULL, 'e' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct list_opts o = { .format = LF_AUTO };
	bool json = false, dry = false, allow_empty = false;
	struct prefix_set set = {};
	struct blset_report r;
	struct anyxdp_maps m;
	struct list_report lr;
	struct load_lists ll;
	size_t skipped = 0, first, k;
	char **given;
	int ngiven = 0, *bit = NULL;
	unsigned long v;
	int c, i, err;

	given = calloc(argc + 1, sizeof(*given));
	bit = calloc(argc + 1, sizeof(*bit));
	if (!given || !bit) {
		err = -ENOMEM;
		goto out;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (list_format_from_name(optarg, &o.format) || o.format == LF_AUTO) {
				log_err("--format: unknown format '%s' (ipsum, plain, netset, drop)",
					optarg);
				return -EINVAL;
			}
			break;
		case 's':
			if (parse_uint("--min-score", optarg, 1000, &v))
				return -EINVAL;
			o.min_score = v;
			break;
		case 'k': o.skip_invalid = true; break;
		case 'e': allow_empty = true; break;
		case 'n': dry = true; break;
		case 'j': json = true; break;
		case 'q': o.quiet = true; break;
		case 'N':
			if (check_name(optarg)) {
				err = -EINVAL;
				goto out;
			}
			given[ngiven++] = optarg;
			break;
		case 'h': err = cli_usage(load_help, false); goto out;
		default: err = cli_usage(load_help, true); goto out;
		}
	}
	if (optind >= argc) {
		err = cli_usage(load_help, true);
		goto out;
	}
	err = assign_lists(argv + optind, argc - optind, given, ngiven, &ll.names, bit);
	if (err)
		goto out;
	for (i = optind; i < argc; i++) {
		first = set.n;
		err = list_parse_file(argv[i], &o, &set, &lr);
		if (err) {
			log_err("%s: not loaded; the active blocklist is unchanged", argv[i]);
			goto out;
		}
		for (k = first; k < set.n; k++)
			prefix_set_sources(&set.v[k], 1u << bit[i - optind]);
		skipped += lr.skipped;
		if (!o.quiet && !json)
			log_info("%s: %s format, %zu entries%s", argv[i],
				 list_format_name(lr.format), lr.entries,
				 lr.below_score ? " (some below --min-score)" : "");
	}
	if (skipped)
		log_warn("%zu invalid lines skipped (--skip-invalid)", skipped);
	normalise_set(&set, o.quiet || json);
	if (!set.n && !allow_empty) {
		log_err("the files hold no entries; refusing to empty the active blocklist "
			"(use --allow-empty, or 'anyxdp-block flush')");
		err = -EINVAL;
		goto out;
	}
	count_lists(&set, &ll);
	if (dry) {
		printf("dry run: %zu entries parsed, nothing changed\n", set.n);
		print_lists(&ll, false);
		err = 0;
		goto out;
	}
	err = cli_open_maps_for_commit(&m);
	if (err)
		goto out;
	err = blset_commit_sources(&m, &set, &ll.names, &r);
	maps_close(&m);
	if (err)
		log_err("load failed; the active blocklist is unchanged");
	else
		print_report(&r, argc - optind, &ll, json);
out:
	free(given);
	free(bit);
	pset_free(&set);
	return err;
}

/* Parse PREFIX arguments strictly: one bad one and nothing changes. */
static int parse_args(int argc, char **argv, struct prefix_set *set)
{
	const char *why;
	struct prefix p;
	bool hb;
	int i;

	for (i = 0; i < argc; i++) {
		if (prefix_parse(argv[i], &p, &hb, &why)) {
			log_err("'%s': %s", argv[i], why);
			return -EINVAL;
		}
		if (hb) {
			char b[PREFIX_STRLEN];

			log_warn("%s has host bits set, using %s", argv[i],
				 prefix_format(&p, b, sizeof(b)));
		}
		if (pset_push(set, &p))
			return -ENOMEM;
	}
	return 0;
}

static const char add_help[] =
	"Usage: anyxdp-block add PREFIX...\n"
	"       anyxdp-block del PREFIX...\n"
	"Add entries to, or remove them from, the active blocklist (one atomic\n"
	"switch; counters of other entries are kept). del fails, changing nothing,\n"
	"if a PREFIX is not on the list.\n";

static int edit(int argc, char **argv, bool add)
{
	struct prefix_set args = {}, cur = {}, next = {};
	struct blset_report r;
	struct anyxdp_maps m;
	struct bl_names names;
	int err, manual = 0;
	size_t i;

	if (wants_help(argc, argv))
		return cli_usage(add_help, false);
	if (argc < 2)
		return cli_usage(add_help, true);
	err = parse_args(argc - 1, argv + 1, &args);
	if (err)
		goto out_free;
	pset_sort_dedupe(&args);
	err = cli_open_maps_for_commit(&m);
	if (err)
		goto out_free;
	err = maps_lock(&m) ?: blset_read(&m, &cur, NULL) ?: blset_names(&m, &names);
	if (err)
		goto out;
	/* Added entries join the list "manual", the others keep theirs. */
	if (add && (manual = bl_names_add(&names, BL_SOURCE_MANUAL)) < 0) {
		log_err("no room for the source list '%s': the active list has %d; "
			"nothing changed", BL_SOURCE_MANUAL, names.n);
		err = manual;
		goto out;
	}
	for (i = 0; !add && i < args.n; i++) {
		if (!pset_contains_exact(&cur, &args.v[i])) {
			char b[PREFIX_STRLEN];

			log_err("%s is not on the blocklist; nothing changed",
				prefix_format(&args.v[i], b, sizeof(b)));
			err = -ENOENT;
			goto out;
		}
	}
	for (i = 0; i < cur.n && !err; i++)
		if (add || !pset_contains_exact(&args, &cur.v[i]))
			err = pset_push(&next, &cur.v[i]);
	for (i = 0; add && i < args.n && !err; i++) {
		prefix_set_sources(&args.v[i], 1u << manual);
		err = pset_push(&next, &args.v[i]);
	}
	if (err)
		goto out;
	pset_sort_dedupe(&next);
	err = blset_commit_sources(&m, &next, &names, &r);
	if (!err)
		print_report(&r, 0, NULL, false);
out:
	maps_close(&m);
out_free:
	pset_free(&args);
	pset_free(&cur);
	pset_free(&next);
	return err;
}

static int cmd_add(int argc, char **argv)
{
	return edit(argc, argv, true);
}

static int cmd_del(int argc, char **argv)
{
	return edit(argc, argv, false);
}

static const char flush_help[] =
	"Usage: anyxdp-block flush\n"
	"Remove every entry from the blocklist (the allowlist stays).\n";

static int cmd_flush(int argc, char **argv)
{
	struct prefix_set empty = {};
	struct blset_report r;
	struct anyxdp_maps m;
	int err;

	if (wants_help(argc, argv) || argc > 1)
		return cli_usage(flush_help, argc > 1 && !wants_help(argc, argv));
	err = cli_open_maps_for_commit(&m);
	if (err)
		return err;
	err = blset_commit(&m, &empty, &r);
	if (!err)
		print_report(&r, 0, NULL, false);
	maps_close(&m);
	return err;
}

static void print_entry(const struct bl_entry *e, bool json, bool first)
{
	char b[PREFIX_STRLEN];

	prefix_format(&e->p, b, sizeof(b));
	if (json)
		printf("%s{\"prefix\":\"%s\",\"packets\":%llu,\"bytes\":%llu}",
		       first ? "" : ",", b, (unsigned long long)e->c.packets,
		       (unsigned long long)e->c.bytes);
	else
		printf("%-44s %12llu %14llu\n", b, (unsigned long long)e->c.packets,
		       (unsigned long long)e->c.bytes);
}

static const char list_help[] =
	"Usage: anyxdp-block list [--json]\n"
	"Print every active entry with its drop counters (packets, bytes).\n";

static const char top_help[] =
	"Usage: anyxdp-block top [-n N] [--json]\n"
	"Print the N entries (default 10) with the most dropped packets.\n";

static int cmp_drops(const void *a, const void *b)
{
	const struct bl_entry *x = a, *y = b;

	if (x->c.packets != y->c.packets)
		return x->c.packets < y->c.packets ? 1 : -1;
	return prefix_cmp(&x->p, &y->p);
}

static int show_entries(int argc, char **argv, bool top)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *help = top ? top_help : list_help;
	struct prefix_set set = {};
	struct bl_entry *e = NULL;
	unsigned long limit = top ? 10 : (unsigned long)-1;
	struct anyxdp_maps m;
	bool json = false;
	size_t i;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, top ? "n:h" : "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_uint("-n", optarg, 1000000000, &limit))
				return -EINVAL;
			break;
		case 'j': json = true; break;
		case 'h': return cli_usage(help, false);
		default: return cli_usage(help, true);
		}
	}
	if (optind < argc)
		return cli_usage(help, true);
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = blset_read(&m, &set, &e);
	maps_close(&m);
	if (err) {
		log_err("cannot read the blocklist: %s", strerror(-err));
		goto out;
	}
	if (top)
		qsort(e, set.n, sizeof(*e), cmp_drops);
	if (json)
		printf("[");
	else
		printf("%-44s %12s %14s\n", "PREFIX", "PACKETS", "BYTES");
	for (i = 0; i < set.n && i < limit; i++)
		print_entry(&e[i], json, i == 0);
	if (json)
		printf("]\n");
out:
	free(e);
	pset_free(&set);
	return err;
}

static int cmd_list(int argc, char **argv)
{
	return show_entries(argc, argv, false);
}

static int cmd_top(int argc, char **argv)
{
	return show_entries(argc, argv, true);
}

static const char sources_help[] =
	"Usage: anyxdp-block sources [--json]\n"
	"Per source list of the active blocklist (each FILE of the last load, and\n"
	"\"manual\" for 'add'): its entries and the packets and bytes dropped by\n"
	"them. An entry on several lists counts for each; a packet counts for the\n"
	"lists of the entry that matched it (the most specific one).\n";

static int cmd_sources(int argc, char **argv)
{
	struct bl_source_stat s[BL_SOURCES_MAX];
	struct anyxdp_maps m;
	__u64 gen;
	bool json;
	int i, n, err;

	err = cli_json_opt(argc, argv, sources_help, &json);
	if (err)
		return err < 0 ? err : 0;
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	n = blset_sources(&m, s, BL_SOURCES_MAX, &gen);
	maps_close(&m);
	if (n < 0) {
		log_err("cannot read the source lists: %s", strerror(-n));
		return n;
	}
	if (json) {
		printf("{\"generation\":%llu,\"sources\":[", (unsigned long long)gen);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, s[i].name);
			printf(",\"entries\":%llu,\"packets\":%llu,\"bytes\":%llu}",
			       (unsigned long long)s[i].entries,
			       (unsigned long long)s[i].dropped.packets,
			       (unsigned long long)s[i].dropped.bytes);
		}
		printf("]}\n");
		return 0;
	}
	printf("generation %llu\n", (unsigned long long)gen);
	printf("%-40s %10s %12s %14s\n", "LIST", "ENTRIES", "PACKETS", "BYTES");
	for (i = 0; i < n; i++)
		printf("%-40s %10llu %12llu %14llu\n", s[i].name,
		       (unsigned long long)s[i].entries,
		       (unsigned long long)s[i].dropped.packets,
		       (unsigned long long)s[i].dropped.bytes);
	return 0;
}

static const char check_help[] =
	"Usage: anyxdp-block check [--json] ADDR\n"
	"Say whether ADDR is blocked, by which entry (the most specific one), and\n"
	"whether the allowlist overrides it. Exit status 0 either way.\n";

static int cmd_check(int argc, char **argv)
{
	struct prefix a, match = {}, allow = {};
	char b1[PREFIX_STRLEN], b2[PREFIX_STRLEN];
	bool json = false, blocked, allowed;
	struct anyxdp_maps m;
	struct counter c = {};
	const char *why, *addr = NULL;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cli_usage(check_help, false);
		else if (!addr)
			addr = argv[i];
		else
			return cli_usage(check_help, true);
	}
	if (!addr)
		return cli_usage(check_help, true);
	if (prefix_parse(addr, &a, NULL, &why) || a.plen != (a.family == AF_INET ? 32 : 128)) {
		log_err("'%s': %s", addr, why && !strchr(addr, '/') ? why :
			"expected a single address, not a prefix");
		return -EINVAL;
	}
	err = cli_open_maps(&m, false);
	if (err)
		return err;
	err = blset_check(&m, a.family, a.addr, &match, &c);
	blocked = !err;
	if (err && err != -ENOENT)
		goto out;
	err = allow_match(&m, a.family, a.addr, &allow);
	allowed = !err;
	if (err && err != -ENOENT)
		goto out;
	err = 0;
	prefix_format(&a, b1, sizeof(b1));
	*strchr(b1, '/') = '\0';
	if (json) {
		printf("{\"address\":\"%s\",\"blocked\":%s,\"dropped\":%s", b1,
		       blocked ? "true" : "false", blocked && !allowed ? "true" : "false");
		if (blocked)
			printf(",\"entry\":\"%s\",\"packets\":%llu,\"bytes\":%llu",
			       prefix_format(&match, b2, sizeof(b2)),
			       (unsigned long long)c.packets, (unsigned long long)c.bytes);
		if (allowed)
			printf(",\"allowed_by\":\"%s\"", prefix_format(&allow, b2, sizeof(b2)));
		printf("}\n");
	} else if (blocked) {
		printf("%s is blocked by %s (%llu packets, %llu bytes dropped)\n", b1,
		       prefix_format(&match, b2, sizeof(b2)),
		       (unsigned long long)c.packets, (unsigned long long)c.bytes);
		if (allowed)
			printf("but allowlisted by %s: not dropped\n",
			       prefix_format(&allow, b2, sizeof(b2)));
	} else {
		printf("%s is not blocked%s\n", b1, allowed ? " (and is allowlisted)" : "");
	}
out:
	if (err)
		log_err("cannot look up %s: %s%s", addr, strerror(-err),
			err == -EPERM ? " (the CIDR tries are reached by map id: CAP_SYS_ADMIN)" : "");
	maps_close(&m);
	return err;
}

static const char allow_help[] =
	"Usage: anyxdp-block allow PREFIX...\n"
	"       anyxdp-block allow --del PREFIX...\n"
	"       anyxdp-block allow --list [--json]\n"
	"Prefixes on the allowlist are never dropped, even when a list holds them:\n"
	"put Babel neighbours and WireGuard endpoints here. Changes apply at once.\n";

static int allow_list(struct anyxdp_maps *m, bool json)
{
	struct prefix_set set;
	char b[PREFIX_STRLEN];
	size_t i;
	int err = allow_read(m, &set);

	if (err)
		return err;
	if (json)
		printf("[");
	for (i = 0; i < set.n; i++) {
		prefix_format(&set.v[i], b, sizeof(b));
		if (json)
			printf("%s\"%s\"", i ? "," : "", b);
		else
			printf("%s\n", b);
	}
	if (json)
		printf("]\n");
	pset_free(&set);
	return 0;
}

/* --del removes all or nothing, like del. */
static int allow_check_present(struct anyxdp_maps *m, const struct prefix_set *args)
{
	struct prefix_set cur;
	char b[PREFIX_STRLEN];
	size_t i;
	int err = allow_read(m, &cur);

	for (i = 0; !err && i < args->n; i++) {
		if (!pset_contains_exact(&cur, &args->v[i])) {
			log_err("%s is not on the allowlist; nothing changed",
				prefix_format(&args->v[i], b, sizeof(b)));
			err = -ENOENT;
		}
	}
	pset_free(&cur);
	return err;
}

static int cmd_allow(int argc, char **argv)
{
	bool del = false, list = false, json = false;
	struct prefix_set args = {};
	struct anyxdp_maps m;
	int i, n = 0, err;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--del"))
			del = true;
		else if (!strcmp(argv[i], "--list"))
			list = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cli_usage(allow_help, false);
		else
			argv[1 + n++] = argv[i];
	}
	if ((list && (n || del)) || (!list && !n))
		return cli_usage(allow_help, true);
	err = parse_args(n, argv + 1, &args);
	if (err)
		goto out_free;
	err = cli_open_maps(&m, true);
	if (err)
		goto out_free;
	if (list) {
		err = allow_list(&m, json);
		goto out;
	}
	err = maps_lock(&m) ?: (del ? allow_check_present(&m, &args) : 0);
	for (k = 0; k < args.n && !err; k++) {
		char b[PREFIX_STRLEN];

		err = allow_update(&m, &args.v[k], !del);
		prefix_format(&args.v[k], b, sizeof(b));
		if (err)
			log_err("cannot %s %s: %s", del ? "remove" : "allow", b, strerror(-err));
		else
			printf("%s %s\n", del ? "removed from allowlist:" : "allowlisted:", b);
	}
out:
	maps_close(&m);
out_free:
	pset_free(&args);
	return err;
}

static const struct subcmd cmds[] = {
	{ "load", cmd_load, "[--format F] [--name N]... FILE...", "replace the list atomically" },
	{ "add", cmd_add, "PREFIX...", "add entries" },
	{ "del", cmd_del, "PREFIX...", "remove entries" },
	{ "list", cmd_list, "[--json]", "entries with drop counters" },
	{ "flush", cmd_flush, "", "remove every entry" },
	{ "check", cmd_check, "[--json] ADDR", "is ADDR blocked, and by what" },
	{ "top", cmd_top, "[-n N] [--json]", "entries with the most drops" },
	{ "sources", cmd_sources, "[--json]", "entries and drops per source list" },
	{ "allow", cmd_allow, "[--del|--list] PREFIX...", "never drop these prefixes" },
	{}
};

int main(int argc, char **argv)
{
	return cli_main("anyxdp-block", cmds, intro, argc, argv);
}
