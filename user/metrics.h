/* SPDX-License-Identifier: GPL-2.0 */
/* STUB: Prometheus text exposition of a snapshot (being written). */
#ifndef ANYXDP_USER_METRICS_H
#define ANYXDP_USER_METRICS_H
#endif
