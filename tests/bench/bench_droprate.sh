#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Drop-rate benchmark: a network namespace with a veth pair, then
# build/bench_droprate inside it (see tests/bench/bench_droprate.c).
#   tests/bench/bench_droprate.sh [bench_droprate options]
# Environment: LIST (default ../shared/data/ipsum.txt or /work/shared/data),
# BIN (the binaries, default build), DROPRATE_TIMEOUT (seconds, default 240), BENCH_TSV_DIR (write the tables
# as TSV there too). With --sizes, the synthetic 1M list for sizes above
# the list's comes from build/bench_lookup --write-synthetic.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
BIN=${BIN:-build}	# where the binaries are
if [[ $(id -u) -ne 0 ]]; then
	echo "bench_droprate: needs root (XDP, network namespaces)" >&2
	exit 1
fi
for d in "${LIST:-}" "$TOP/../shared/data/ipsum.txt" /work/shared/data/ipsum.txt; do
	[[ -n $d && -r $d ]] && { LIST=$d; break; }
done
[[ -r ${LIST:-} ]] || { echo "bench_droprate: ipsum.txt not found (set LIST=)" >&2; exit 1; }
[[ -x $BIN/bench_droprate ]] || { echo "bench_droprate: $BIN/bench_droprate is missing: run make bench-bins first" >&2; exit 1; }

NS=anyxdp-bench-$$
TMP=$(mktemp -d /tmp/anyxdp-droprate-XXXXXX)
PIN=/sys/fs/bpf/anyxdp-bench-$$
GEN=axbgen
RX=axbrx

cleanup() {
	if [[ -e /run/netns/$NS ]]; then
		nsenter --net=/run/netns/$NS "$BIN"/anyxdp detach $RX --pin-dir "$PIN" >/dev/null 2>&1
		ip netns del "$NS" 2>/dev/null
	fi
	if [[ -d $PIN ]]; then
		rm -f "$PIN"/* "$PIN"/.[!.]* 2>/dev/null
		rmdir "$PIN" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS" || exit 1
ip -n "$NS" link add $GEN numtxqueues 2 numrxqueues 2 type veth \
	peer name $RX numtxqueues 2 numrxqueues 2 || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" link set $GEN up
ip -n "$NS" link set $RX up

EXTRA=()
if [[ " $* " == *" --sizes "* && " $* " != *" --synthetic "* ]]; then
	[[ -x $BIN/bench_lookup ]] || { echo "bench_droprate: $BIN/bench_lookup is missing: run make bench-bins" >&2; exit 1; }
	"$BIN"/bench_lookup --write-synthetic "$TMP/synthetic.txt" || exit 1
	EXTRA=(--synthetic "$TMP/synthetic.txt")
fi

timeout -k 5 "${DROPRATE_TIMEOUT:-240}" nsenter --net=/run/netns/"$NS" "$BIN"/bench_droprate \
	--gen $GEN --rx $RX --pin-dir "$PIN" --list "$LIST" --bindir "$BIN" --tmpdir "$TMP" "${EXTRA[@]}" "$@"
