// SPDX-License-Identifier: GPL-2.0
/* STUB: Prometheus text exposition of a snapshot (being written). */
#include "metrics.h"
