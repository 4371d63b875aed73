// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "anyxdp.h"
#include "common.h"

int verbose;
const char *prog_name = "anyxdp";

static void vlog(const char *tag, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog_name, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Our own messages say what failed; libbpf's detail is for -v. */
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void setup_lib_logging(void)
{
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
}

const char *pin_dir_resolve(const char *opt)
{
	const char *env = getenv("ANYXDP_PIN_DIR");

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return ANYXDP_PIN_DIR_DEFAULT;
}

/* CapEff from /proc: avoids a libcap dependency for three bits. */
static bool has_caps(void)
{
	const int need[] = { 39 /* CAP_BPF */, 12 /* CAP_NET_ADMIN */,
			     21 /* CAP_SYS_ADMIN */ };
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f;
	size_t i;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	for (i = 0; found && i < sizeof(need) / sizeof(need[0]); i++)
		if (!(eff & (1ull << need[i])))
			return false;
	return found;
}

int require_privileges(void)
{
	if (geteuid() == 0 || has_caps())
		return 0;
	log_err("this command needs root (or CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN) "
		"to use BPF maps and programs; run it with sudo");
	return -EPERM;
}

static int ensure_bpffs(const char *dir)
{
	struct statfs st;

	/* Only the conventional mount point is ours to mount. */
	if (strncmp(dir, "/sys/fs/bpf", 11) != 0)
		return 0;
	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		log_err("bpffs is not mounted at /sys/fs/bpf and mounting it failed: %s",
			strerror(errno));
		return -errno;
	}
	return 0;
}

int ensure_pin_dir(const char *dir)
{
	struct statfs st;
	char parent[4096];
	char *slash;
	int err;

	err = ensure_bpffs(dir);
	if (err)
		return err;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &st) == 0 && st.f_type != BPF_FS_MAGIC) {
		log_err("%s is not on a bpf filesystem (bpffs); pin dirs must live in one, "
			"such as /sys/fs/bpf", parent);
		return -EINVAL;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_err("cannot create pin dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

uint32_t netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

char *fmt_time_ns(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ull;
	struct tm tm;

	if (!ns) {
		snprintf(buf, len, "never");
		return buf;
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	log_err("%s: invalid value '%s' (expected a whole number from 0 to %lu)",
		opt, s ? s : "", max);
	return -EINVAL;
}

bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

void subcmd_usage(FILE *f, const char *intro, const struct subcmd *cmds)
{
	fprintf(f, "%s\n\nCommands:\n", intro);
	for (; cmds->name; cmds++)
		fprintf(f, "  %-8s %-34s %s\n", cmds->name, cmds->args, cmds->help);
	fprintf(f, "\nGlobal options: -v (libbpf/libxdp messages), --pin-dir DIR "
		"(default $ANYXDP_PIN_DIR or %s).\n"
		"Run '%s COMMAND --help' for a command's options.\n",
		ANYXDP_PIN_DIR_DEFAULT, prog_name);
}

int subcmd_run(const struct subcmd *cmds, const char *intro, int argc, char **argv)
{
	const struct subcmd *c;
	int err;

	if (argc < 1) {
		subcmd_usage(stderr, intro, cmds);
		return 2;
	}
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "help")) {
		subcmd_usage(stdout, intro, cmds);
		return 0;
	}
	for (c = cmds; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		err = c->fn(argc, argv);
		return err == 0 ? 0 : (err == -EINVAL ? 2 : 1);
	}
	log_err("unknown command '%s'", argv[0]);
	subcmd_usage(stderr, intro, cmds);
	return 2;
}
