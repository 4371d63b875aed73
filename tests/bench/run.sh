#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every benchmark and write docs/BENCHMARKS.md (make bench runs this).
#   tests/bench/run.sh           full run (about 9 minutes), writes docs/BENCHMARKS.md
#   tests/bench/run.sh --quick   smoke run (about 2.5 minutes), writes build/BENCHMARKS-quick.md
# Needs root and the binaries of `make bench-bins`. Each benchmark is
# bounded by a timeout; one that fails is reported as such in the file
# and makes the exit status non-zero, the others still run.
set -u
cd "$(dirname "$0")/../.."
QUICK=0
[[ ${1:-} == --quick ]] && QUICK=1

if [[ $(id -u) -ne 0 ]]; then
	echo "benchmarks need root (BPF, XDP, network namespaces): sudo make bench" >&2
	exit 1
fi
for b in build/anyxdp build/anyxdp-block build/bench_lookup build/bench_droprate build/bench_steer; do
	[[ -x $b ]] || { echo "$b is missing: run make bench-bins first" >&2; exit 1; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

LOGDIR=build/bench-logs
mkdir -p "$LOGDIR" docs
if ((QUICK)); then
	OUT=build/BENCHMARKS-quick.md
	LOOKUP_ARGS=(--quick --reps 3)
	DROP_ARGS=(--quick --reps 1 --secs 2)
	LOAD_ARGS=(--quick)
	STEER_ARGS=(--quick)
	RETURN_ARGS=(--quick)
	SYNC_ARGS=(--quick)
else
	OUT=docs/BENCHMARKS.md
	LOOKUP_ARGS=()
	DROP_ARGS=()
	LOAD_ARGS=()
	STEER_ARGS=()
	RETURN_ARGS=()
	SYNC_ARGS=()
fi
START=$(date +%s)
FAILED=0

# run NAME TIMEOUT CMD...: stdout (the report) to $LOGDIR/NAME.md, progress
# (stderr) to the terminal and $LOGDIR/NAME.log.
run() {
	local name=$1 limit=$2 t0 rc
	shift 2
	echo "== $name: $*" >&2
	t0=$(date +%s)
	timeout -k 10 "$limit" "$@" >"$LOGDIR/$name.md" 2> >(tee "$LOGDIR/$name.log" >&2)
	rc=$?
	sleep 0.2	# let tee finish
	echo "== $name: exit $rc after $(($(date +%s) - t0)) s" >&2
	if ((rc != 0)); then
		FAILED=1
		{
			echo
			echo "**This benchmark did not complete (exit $rc$( ((rc == 124)) && echo ", timeout after $limit s")).** Last lines of its log:"
			echo
			echo '```'
			tail -15 "$LOGDIR/$name.log"
			echo '```'
		} >>"$LOGDIR/$name.md"
	fi
}

run bench_lookup 200 build/bench_lookup "${LOOKUP_ARGS[@]}"
DROPRATE_TIMEOUT=200 run bench_droprate 230 tests/bench/bench_droprate.sh "${DROP_ARGS[@]}"
NFT_TIMEOUT=60 run bench_load 200 tests/bench/bench_load.sh "${LOAD_ARGS[@]}"
run bench_steer 200 tests/bench/bench_steer.sh "${STEER_ARGS[@]}"
run bench_return 200 tests/bench/bench_return.sh "${RETURN_ARGS[@]}"
run bench_sync 120 tests/bench/bench_sync.sh "${SYNC_ARGS[@]}"
TOTAL=$(($(date +%s) - START))

# A report with the command that produced it under its heading.
section() {
	echo
	awk -v cmd="$2" 'NR == 1 && /^## / { print; print ""; printf "Command: `%s`\n", cmd; next } { print }' \
		"$LOGDIR/$1.md"
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
hyp=$(lscpu 2>/dev/null | awk -F': *' '/Hypervisor vendor/ { print $2 }')
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git status --porcelain 2>/dev/null) ]] && commit="$commit (with uncommitted changes)"
cmd="make bench"
((QUICK)) && cmd="tests/bench/run.sh --quick"

{
	echo "# anyxdp benchmarks"
	echo
	echo "Produced by \`$cmd\` (tests/bench/run.sh; method in tests/bench/README.md)."
	echo "Each section names the command that produced it, so it can be rerun alone."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: $(nproc) CPUs, $cpu${hyp:+ (virtual machine, $hyp)}, $mem"
	echo "- kernel: $(uname -r)"
	echo "- tools: $(clang --version 2>/dev/null | head -1); $(bpftool --version 2>/dev/null | head -1); $(nft --version 2>/dev/null)"
	echo "- anyxdp commit: $commit"
	echo "- run time of the whole run: $TOTAL s"
	echo
	echo "## Targets"
	echo
	for f in bench_lookup bench_droprate bench_load bench_steer bench_return bench_sync; do
		grep -E ': (PASS|MISS)' "$LOGDIR/$f.md" | sed -e 's/^- //' -e "s/^/- $f: /"
	done
	echo
	[[ -f tests/bench/ANALYSIS.md ]] && { cat tests/bench/ANALYSIS.md; echo; }
	section bench_lookup "build/bench_lookup${LOOKUP_ARGS[*]:+ ${LOOKUP_ARGS[*]}}"
	section bench_droprate "tests/bench/bench_droprate.sh${DROP_ARGS[*]:+ ${DROP_ARGS[*]}}"
	section bench_load "tests/bench/bench_load.sh${LOAD_ARGS[*]:+ ${LOAD_ARGS[*]}}"
	section bench_steer "tests/bench/bench_steer.sh${STEER_ARGS[*]:+ ${STEER_ARGS[*]}}"
	section bench_return "tests/bench/bench_return.sh${RETURN_ARGS[*]:+ ${RETURN_ARGS[*]}}"
	section bench_sync "tests/bench/bench_sync.sh${SYNC_ARGS[*]:+ ${SYNC_ARGS[*]}}"
} >"$OUT"

echo "wrote $OUT in $TOTAL s" >&2
exit $FAILED
