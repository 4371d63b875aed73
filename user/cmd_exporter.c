// SPDX-License-Identifier: GPL-2.0
/* STUB: anyxdp exporter (being written). */
#include <errno.h>
#include "cmds.h"
#include "common.h"

int cmd_exporter(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_err("anyxdp exporter: not written yet");
	return -ENOSYS;
}
