// SPDX-License-Identifier: GPL-2.0
/* STUB: anyxdp top (being written). */
#include <errno.h>
#include "cmds.h"
#include "common.h"

int cmd_top(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_err("anyxdp top: not written yet");
	return -ENOSYS;
}
