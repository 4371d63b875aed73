// SPDX-License-Identifier: GPL-2.0
/*
 * Blocklist file parser. One pass, one getline buffer, no per-line
 * allocation: feeds run to 100k+ lines and are reloaded often.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "listparse.h"

#define MAX_WARNINGS 20
#define QUOTE_MAX 64		/* longest token echoed back in a message */

static const char *const format_names[] = {
	[LF_AUTO] = "auto",
	[LF_IPSUM] = "ipsum",
	[LF_PLAIN] = "plain",
	[LF_NETSET] = "netset",
	[LF_DROP] = "drop",
};

const char *list_format_name(enum list_format f)
{
	if ((unsigned int)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[f];
}

int list_format_from_name(const char *s, enum list_format *f)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(s, format_names[i])) {
			*f = (enum list_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

struct parser {
	const char *name;
	const struct list_opts *o;
	struct list_report *r;
	struct prefix_set *out;
	enum list_format fmt;	/* LF_AUTO until the first data line */
	size_t lineno;
	size_t nwarn;		/* warning-level messages, printed or not */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_blank(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Bounded, printable copy of a token: feeds can hold binary junk or huge lines. */
static const char *quote(const char *s, size_t n, char buf[QUOTE_MAX + 4])
{
	size_t i, m = n < QUOTE_MAX ? n : QUOTE_MAX;

	for (i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Keep messages printable and valid UTF-8 whatever the file holds. */
		buf[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (n > m) {
		memcpy(buf + m, "...", 3);
		m += 3;
	}
	buf[m] = '\0';
	return buf;
}

static void __attribute__((format(printf, 2, 3)))
warn_line(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->o->quiet || ++ps->nwarn > MAX_WARNINGS)
		return;
	fprintf(stderr, "%s:%zu: warning: ", ps->name, ps->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * A malformed line: fatal (-EINVAL), or under skip_invalid a counted
 * warning, returning 1 so the caller drops the line.
 */
static int __attribute__((format(printf, 2, 3)))
bad_line(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->o->skip_invalid) {
		ps->r->skipped++;
		warn_line(ps, "%s, line skipped", msg);
		return 1;
	}
	fprintf(stderr, "%s:%zu: %s\n", ps->name, ps->lineno, msg);
	return -EINVAL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* s = non-empty digit run up to the end of the string? */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* Decide the format from the first data line (already stripped). */
static enum list_format detect(const char *s, const char *name)
{
	const char *rest = s + strcspn(s, " \t;");

	if (strchr(rest, ';'))
		return LF_DROP;
	if (is_blank(*rest)) {
		while (is_blank(*rest))
			rest++;
		if (all_digits(rest))
			return LF_IPSUM;
	}
	return ends_with(name, ".netset") ? LF_NETSET : LF_PLAIN;
}

/* IPsum score after the prefix; returns 1 to drop the line (bad or below min_score). */
static int check_score(struct parser *ps, char *after)
{
	char qb[QUOTE_MAX + 4];
	size_t n = strcspn(after, " \t");
	char *extra = skip_blank(after + n);
	long long score = 0;
	size_t i;

	if (!n)
		return bad_line(ps, "invalid score '' (missing)");
	for (i = 0; i < n; i++) {
		if (after[i] < '0' || after[i] > '9')
			return bad_line(ps, "invalid score '%s'", quote(after, n, qb));
		if (score <= INT_MAX)	/* saturate: any huge score passes the filter */
			score = score * 10 + (after[i] - '0');
	}
	if (*extra)
		return bad_line(ps, "unexpected text after score '%s'",
				quote(extra, strlen(extra), qb));
	if (ps->o->min_score > 1 && score < ps->o->min_score) {
		ps->r->below_score++;
		return 1;
	}
	return 0;
}

/*
 * What may follow the prefix, by format. after = rest of line, blanks
 * skipped. Returns 0 to keep the line, 1 to drop it, or -EINVAL.
 */
static int check_rest(struct parser *ps, char *after)
{
	char qb[QUOTE_MAX + 4];

	switch (ps->fmt) {
	case LF_IPSUM:
		return check_score(ps, after);
	case LF_DROP:
		if (!*after || *after == ';')
			return 0;
		break;
	default:
		if (!*after || *after == '#')
			return 0;
		break;
	}
	return bad_line(ps, "unexpected text after prefix '%s'", quote(after, strlen(after), qb));
}

static int add_prefix(struct parser *ps, const struct prefix *p)
{
	if (pset_push(ps->out, p)) {
		fprintf(stderr, "%s:%zu: %s\n", ps->name, ps->lineno, strerror(ENOMEM));
		return -ENOMEM;
	}
	ps->r->entries++;
	if (p->family == AF_INET)
		ps->r->ipv4++;
	else
		ps->r->ipv6++;
	return 0;
}

/*
 * s: a stripped data line. The token is terminated in place, then restored.
 * Returns 0 or 1 (line dropped) or negative errno, like everything below.
 */
static int parse_data(struct parser *ps, char *s)
{
	char qb[QUOTE_MAX + 4], pb[PREFIX_STRLEN];
	char *tend = s + strcspn(s, ps->fmt == LF_DROP ? " \t;" : " \t");
	char saved = *tend;
	const char *why = NULL;
	struct prefix p;
	bool hb = false;
	int err;

	*tend = '\0';
	err = prefix_parse(s, &p, &hb, &why);
	*tend = saved;
	if (err)
		return bad_line(ps, "%s '%s'", why, quote(s, (size_t)(tend - s), qb));
	err = check_rest(ps, skip_blank(tend));
	if (err)
		return err;
	if (hb) {
		ps->r->normalized++;
		warn_line(ps, "%s has host bits set, using %s", quote(s, (size_t)(tend - s), qb),
			  prefix_format(&p, pb, sizeof(pb)));
	}
	return add_prefix(ps, &p);
}

static int parse_line(struct parser *ps, char *line, size_t len)
{
	char *s;

	if (memchr(line, '\0', len))
		return bad_line(ps, "NUL byte in line");
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || is_blank(line[len - 1])))
		len--;
	line[len] = '\0';
	s = skip_blank(line);
	if (!*s || *s == '#')
		return 0;
	/* DROP comments; before detection too, since they head DROP files. */
	if (*s == ';' && (ps->fmt == LF_DROP || ps->fmt == LF_AUTO))
		return 0;
	if (ps->fmt == LF_AUTO) {
		ps->fmt = detect(s, ps->name);
		ps->r->format = ps->fmt;
	}
	return parse_data(ps, s);
}

int list_parse_stream(FILE *f, const char *name, const struct list_opts *o,
		      struct prefix_set *out, struct list_report *r)
{
	static const struct list_opts defaults;
	struct list_report local;
	size_t start = out->n, cap = 0;
	struct parser ps;
	char *line = NULL;
	int err = 0, saved_errno = 0;
	ssize_t n;

	if (!o)
		o = &defaults;
	if (!r)
		r = &local;
	memset(r, 0, sizeof(*r));
	r->format = o->format;
	ps = (struct parser){ .name = name, .o = o, .r = r, .out = out, .fmt = o->format };

	for (;;) {
		errno = 0;
		n = getline(&line, &cap, f);
		if (n < 0) {
			saved_errno = errno;
			break;
		}
		r->lines++;
		ps.lineno = r->lines;
		err = parse_line(&ps, line, (size_t)n);
		if (err < 0)
			break;
		err = 0;
	}
	free(line);

	/* getline returns -1 both at EOF and on failure (read error, ENOMEM). */
	if (!err && (ferror(f) || !feof(f))) {
		err = -(saved_errno ? saved_errno : EIO);
		fprintf(stderr, "%s: %s\n", name, strerror(-err));
	}
	if (r->format == LF_AUTO)
		r->format = ends_with(name, ".netset") ? LF_NETSET : LF_PLAIN;
	if (ps.nwarn > MAX_WARNINGS)
		fprintf(stderr, "%s: %zu more warnings suppressed\n", name, ps.nwarn - MAX_WARNINGS);
	if (err)
		out->n = start;
	return err;
}

int list_parse_file(const char *path, const struct list_opts *o, struct prefix_set *out,
		    struct list_report *r)
{
	FILE *f;
	int err;

	if (!strcmp(path, "-"))
		return list_parse_stream(stdin, "<stdin>", o, out, r);
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return err;
	}
	err = list_parse_stream(f, path, o, out, r);
	fclose(f);
	return err;
}
