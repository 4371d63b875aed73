#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Route churn: anyxdp sync applying 10,000 route changes, from babeld's
# local interface (tests/lab/fake_babeld.py bursting a synthetic monitor
# stream) and from kernel routes (--netlink, the same changes made by
# ip -batch), beside the kernel FIB alone installing the same changes.
#
#   tests/bench/bench_sync.sh [--reps N] [--changes N] [--sizes N,N] [--quick]
#
# --quick: one run, 2,000 prefixes only. Default: 5 runs each of a 2,000
# and a 10,000 prefix table. Prints the Markdown section on stdout,
# progress on stderr. The stream, the measurement and the checks are in
# bench_sync.py; this script makes the namespace (wgb0..wgb3: TUN, as
# wireguard-go; wge0..wge3: veth) and removes it, the pin dirs and the
# processes at exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
ARGS=()
while (($#)); do
	case $1 in
	--reps | --changes | --sizes)
		[[ $# -ge 2 ]] || { echo "bench_sync: $1 needs a value" >&2; exit 2; }
		ARGS+=("$1" "$2")
		shift 2
		;;
	--quick) ARGS+=(--reps 1 --sizes 2000); shift ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench_sync: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

if [[ $(id -u) -ne 0 ]]; then
	echo "bench_sync: needs root (BPF maps, network namespaces)" >&2
	exit 1
fi
[[ -x ${BIN:-build}/anyxdp ]] || { echo "bench_sync: ${BIN:-build}/anyxdp missing: run make" >&2; exit 1; }
for t in ip nsenter python3; do
	command -v $t >/dev/null || { echo "bench_sync: $t not found" >&2; exit 1; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

NS=anyxdp-sync-$$
PIN_BASE=/sys/fs/bpf/anyxdp-bench-sync-$$
TMP=$(mktemp -d /tmp/anyxdp-bench-sync.XXXXXX)
PY_PID=

cleanup() {
	local p
	if [[ -n $PY_PID ]]; then
		kill "$PY_PID" 2>/dev/null
		for ((p = 0; p < 50; p++)); do kill -0 "$PY_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PY_PID" 2>/dev/null
	fi
	# children bench_sync.py left behind (killed itself): by their ids
	if [[ -s $TMP/pids ]]; then
		while read -r p; do kill -9 "$p" 2>/dev/null; done <"$TMP/pids"
	fi
	wait 2>/dev/null
	[[ -e /run/netns/$NS ]] && ip netns del "$NS" 2>/dev/null
	for p in "$PIN_BASE"-*; do
		[[ -d $p ]] || continue
		rm -f "$p"/* "$p"/.[!.]* 2>/dev/null
		rmdir "$p" 2>/dev/null
	done
	if [[ -n ${KEEP_TMP:-} ]]; then echo "bench_sync: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
# wgb0..3: TUN devices, the kind wireguard-go makes (tunnel next hops);
# wge0..3: veth (Ethernet next hops: tx_ports, a link check per write).
for i in 0 1 2 3; do
	ip -n "$NS" tuntap add mode tun name wgb$i && ip -n "$NS" link set wgb$i up || exit 1
	ip -n "$NS" link add wge$i type veth peer name wge${i}p || exit 1
	ip -n "$NS" link set wge$i up && ip -n "$NS" link set wge${i}p up || exit 1
done
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
echo "bench_sync: namespace $NS, pins $PIN_BASE-*, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 "$TOP/tests/bench/bench_sync.py" --ns "$NS" --pin-base "$PIN_BASE" --tmp "$TMP" \
	--pidfile "$TMP/pids" "${ARGS[@]}" &
PY_PID=$!
wait "$PY_PID"
RC=$?
PY_PID=
if ((RC == 0)); then
	echo
	echo "Load average (1 min) before $LOAD0, after $(cut -d' ' -f1 /proc/loadavg)."
	echo
	echo "bench_sync took $SECONDS s"
fi
echo "bench_sync: load after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit $RC
