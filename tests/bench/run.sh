#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every benchmark and write docs/BENCHMARKS.md (make bench runs this).
#   tests/bench/run.sh           full run (about 12 minutes), writes docs/BENCHMARKS.md
#                                and its plots in docs/bench/
#   tests/bench/run.sh --quick   smoke run (about 3 minutes), writes build/BENCHMARKS-quick.md
#                                and its plots in build/bench-plots/
# Needs root and the binaries of `make bench-bins`. Each benchmark is
# bounded by a timeout; one that fails is reported as such in the file
# and makes the exit status non-zero, the others still run. Each writes
# its report (markdown), its log and its numbers (TSV) into
# build/bench-logs/; tests/bench/plot.sh makes the PNGs from the TSVs
# (gnuplot; without it the file says so and has no plots).
# Environment: BIN (the binaries, default build); OUTDIR (everything goes
# there instead: logs, the quick run's output, and the full run's
# BENCHMARKS.md and bench/ rather than docs/, for a run that must not
# replace the committed figures).
set -u
cd "$(dirname "$0")/../.." || exit 1
QUICK=0
case ${1:-} in
--quick) QUICK=1 ;;
"") ;;
-h | --help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: tests/bench/run.sh [--quick]" >&2; exit 2 ;;
esac
export BIN=${BIN:-build}
DOCDIR=docs
[[ -n ${OUTDIR:-} ]] && DOCDIR=$OUTDIR
OUTDIR=${OUTDIR:-build}

if [[ $(id -u) -ne 0 ]]; then
	echo "benchmarks need root (BPF, XDP, network namespaces): sudo make bench" >&2
	exit 1
fi
for b in anyxdp anyxdp-block bench_lookup bench_droprate bench_steer; do
	[[ -x $BIN/$b ]] || { echo "$BIN/$b is missing: run make bench-bins first" >&2; exit 1; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

LOGDIR=$OUTDIR/bench-logs
mkdir -p "$LOGDIR" "$DOCDIR" || exit 1
rm -f "$LOGDIR"/*.tsv	# a benchmark that fails leaves none: no stale plot
BENCH_TSV_DIR=$(realpath "$LOGDIR") || exit 1
export BENCH_TSV_DIR
# The list sizes of the sweeps (lookup cost and drop rate against size).
SIZES=1000,10000,100000,1000000
if ((QUICK)); then
	OUT=$OUTDIR/BENCHMARKS-quick.md
	PLOTDIR=$OUTDIR/bench-plots
	LOOKUP_ARGS=(--quick --reps 3 --sizes "$SIZES")
	# nft takes half a minute to load and count 1M entries: not in the smoke run
	DROP_ARGS=(--quick --reps 1 --secs 2 --sizes "1000,10000,100000" --size-secs 1)
	LOAD_ARGS=(--quick)
	STEER_ARGS=(--quick)
	RETURN_ARGS=(--quick)
	SYNC_ARGS=(--quick)
else
	OUT=$DOCDIR/BENCHMARKS.md
	PLOTDIR=$DOCDIR/bench
	LOOKUP_ARGS=(--sizes "$SIZES")
	DROP_ARGS=(--sizes "$SIZES")
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

run bench_lookup 260 "$BIN"/bench_lookup "${LOOKUP_ARGS[@]}"
DROPRATE_TIMEOUT=300 run bench_droprate 330 tests/bench/bench_droprate.sh "${DROP_ARGS[@]}"
NFT_TIMEOUT=60 run bench_load 200 tests/bench/bench_load.sh "${LOAD_ARGS[@]}"
run bench_steer 200 tests/bench/bench_steer.sh "${STEER_ARGS[@]}"
run bench_return 200 tests/bench/bench_return.sh "${RETURN_ARGS[@]}"
run bench_sync 120 tests/bench/bench_sync.sh "${SYNC_ARGS[@]}"
TOTAL=$(($(date +%s) - START))

# The plots, from the TSVs the benchmarks wrote.
mkdir -p "$PLOTDIR" || exit 1
rm -f "$PLOTDIR"/*.png
PLOTNOTE=
if ! command -v gnuplot >/dev/null; then
	PLOTNOTE="gnuplot is not installed (apt-get install gnuplot-nox): no plots in this file."
	echo "== plots: $PLOTNOTE" >&2
elif ! tests/bench/plot.sh --out "$PLOTDIR" "$LOGDIR" >"$LOGDIR/plot.log" 2>&1; then
	PLOTNOTE="tests/bench/plot.sh failed (see $LOGDIR/plot.log): some plots are missing."
	echo "== plots: $PLOTNOTE" >&2
	cat "$LOGDIR/plot.log" >&2
else
	echo "== plots: $(grep -c "\.png$" "$LOGDIR/plot.log") PNGs in $PLOTDIR" >&2
fi
PLOTREL=$(realpath --relative-to="$(dirname "$OUT")" "$PLOTDIR")

# The plots of each benchmark: PNG name, then caption.
declare -A PLOTS=(
	[bench_lookup]="lookup-vs-size|Lookup cost against list size, every packet another source (rotating); nftables derived from the drop-rate sweep
lookup-hot-vs-size|Lookup cost against list size, caches hot"
	[bench_droprate]="droprate-vs-size|Drop rate against list size
droprate-receivers|Drop rate of each receiver, ipsum"
	[bench_load]="load-time|List load time, anyxdp against nft"
	[bench_steer]="steer-ratio|Steering into a veth next hop, relative to kernel forwarding"
	[bench_return]="return-ratio|Return path, relative to kernel forwarding + conntrack"
	[bench_sync]="sync-rate|Route churn, updates per second
sync-latency|Route churn, sync latency p50 and p99"
)

# A report with the command that produced it under its heading, and its
# plots at the end.
section() {
	local png cap
	echo
	awk -v cmd="$2" 'NR == 1 && /^## / { print; print ""; printf "Command: `%s`\n", cmd; next } { print }' \
		"$LOGDIR/$1.md"
	while IFS='|' read -r png cap; do
		[[ -n $png && -f $PLOTDIR/$png.png ]] || continue
		printf '\n![%s](%s/%s.png)\n' "$cap" "$PLOTREL" "$png"
	done <<<"${PLOTS[$1]:-}"
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
	echo "- plots: tests/bench/plot.sh (gnuplot) from the TSV files in $LOGDIR, into $PLOTDIR/"
	[[ -n $PLOTNOTE ]] && echo "- **$PLOTNOTE**"
	echo
	echo "## Targets"
	echo
	for f in bench_lookup bench_droprate bench_load bench_steer bench_return bench_sync; do
		grep -E ': (PASS|MISS)' "$LOGDIR/$f.md" | sed -e 's/^- //' -e "s/^/- $f: /"
	done
	echo
	[[ -f tests/bench/ANALYSIS.md ]] && { cat tests/bench/ANALYSIS.md; echo; }
	section bench_lookup "$BIN/bench_lookup${LOOKUP_ARGS[*]:+ ${LOOKUP_ARGS[*]}}"
	section bench_droprate "tests/bench/bench_droprate.sh${DROP_ARGS[*]:+ ${DROP_ARGS[*]}}"
	section bench_load "tests/bench/bench_load.sh${LOAD_ARGS[*]:+ ${LOAD_ARGS[*]}}"
	section bench_steer "tests/bench/bench_steer.sh${STEER_ARGS[*]:+ ${STEER_ARGS[*]}}"
	section bench_return "tests/bench/bench_return.sh${RETURN_ARGS[*]:+ ${RETURN_ARGS[*]}}"
	section bench_sync "tests/bench/bench_sync.sh${SYNC_ARGS[*]:+ ${SYNC_ARGS[*]}}"
} >"$OUT"

echo "wrote $OUT in $TOTAL s" >&2
exit $FAILED
