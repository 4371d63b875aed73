// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "common.h"
#include "maps.h"

const char *opt_pin_dir;

int cli_global_opts(int argc, char **argv)
{
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--pin-dir")) {
			if (i + 1 >= argc) {
				log_err("--pin-dir needs a directory");
				return -1;
			}
			opt_pin_dir = argv[++i];
		} else if (!strncmp(argv[i], "--pin-dir=", 10)) {
			opt_pin_dir = argv[i] + 10;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	if (strlen(pin_dir_resolve(opt_pin_dir)) > 200) {
		log_err("pin dir path is too long (at most 200 characters)");
		return -1;
	}
	return n;
}

int cli_open_maps(struct anyxdp_maps *m, bool create)
{
	int err = require_privileges();

	if (err)
		return err;
	return maps_open(m, pin_dir_resolve(opt_pin_dir), create);
}

int cli_open_maps_for_commit(struct anyxdp_maps *m)
{
	int err = require_privileges();

	if (err)
		return err;
	return maps_open_for_commit(m, pin_dir_resolve(opt_pin_dir));
}

int cli_usage(const char *text, bool error)
{
	fputs(text, error ? stderr : stdout);
	return error ? -EINVAL : 0;
}

int cli_main(const char *name, const struct subcmd *cmds, const char *intro,
	     int argc, char **argv)
{
	prog_name = name;
	argc = cli_global_opts(argc, argv);
	if (argc < 0)
		return 2;
	setup_lib_logging();
	return subcmd_run(cmds, intro, argc - 1, argv + 1);
}

int cli_json_opt(int argc, char **argv, const char *help, bool *json)
{
	int i;

	*json = false;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cli_usage(help, false), 1;
		else
			return cli_usage(help, true);
	}
	return 0;
}
