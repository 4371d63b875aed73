#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/plot.sh on the fixture TSV files of tests/data/bench (the
# formats the benchmarks write): usage, one PNG per plot with the PNG
# signature and sane dimensions, a malformed file (missing field, text in
# a number column, missing column) reported by name and line with a
# non-zero exit and no PNG (partial or not) for it while the other files
# are still plotted, an empty directory, and gnuplot missing. No root.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
export LC_ALL=C

PLOT=$TOP/tests/bench/plot.sh
DATA=$TOP/tests/data/bench
T=$(mktemp -d /tmp/anyxdp-plot-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
PNGS="lookup-vs-size lookup-hot-vs-size droprate-vs-size droprate-receivers load-time
steer-ratio return-ratio sync-latency sync-rate"

if ! command -v gnuplot >/dev/null; then
	fail "gnuplot is installed (scripts/deps.sh installs gnuplot-nox)"
	done_testing
	exit 1
fi

# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk, if the file starts
# with the PNG signature; nothing otherwise.
png_size() {
	local sig
	sig=$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')
	[[ $sig == 89504e470d0a1a0a ]] || return 0
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d\n",
		$1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# ---- usage ----
run "$PLOT" --help
equal "--help exits 0" "$RC" 0
check "--help prints the usage to stdout" "\$(cat $T/out) == *'plot.sh [--out DIR] TSV_DIR'*"
run "$PLOT"
equal "no TSV dir: exit 2" "$RC" 2
check "no TSV dir: usage on stderr" "\$(cat $T/err) == *'TSV_DIR'*"
run "$PLOT" --out "$T/x" "$T/nonexistent"
equal "a TSV dir that does not exist: exit 2" "$RC" 2
check "... and says so" "\$(cat $T/err) == *'nonexistent: no such directory'*"
run "$PLOT" --bogus "$DATA"
equal "unknown option: exit 2" "$RC" 2

# ---- the fixtures: every plot ----
run "$PLOT" --out "$T/good" "$DATA"
equal "fixtures: exit 0" "$RC" 0
equal "fixtures: nothing on stderr" "$(cat "$T/err")" ""
for p in $PNGS; do
	f=$T/good/$p.png
	size=$(png_size "$f")
	if [[ -z $size ]]; then
		fail "$p.png exists with the PNG signature"
		continue
	fi
	pass "$p.png exists with the PNG signature"
	read -r w h <<<"$size"
	check "$p.png is ${w}x$h: between 400x300 and 4000x3000" "$w -ge 400 && $w -le 4000 && $h -ge 300 && $h -le 3000"
	check "$p.png has a plot in it (more than 8 KiB)" "$(stat -c %s "$f") -gt 8192"
	check "stdout names $p.png" "\$(cat $T/out) == *'$T/good/$p.png'*"
done
equal "exactly these PNGs are written" "$(find "$T/good" -type f | wc -l)" 9

# ---- malformed files ----
# bad NAME: the fixtures with NAME replaced by stdin, plotted into
# $T/out-NAME (not in a pipeline: RC must reach this shell).
bad() {
	mkdir -p "$T/in-$1"
	cp "$DATA"/*.tsv "$T/in-$1"/
	cat >"$T/in-$1/$1"
	run "$PLOT" --out "$T/out-$1" "$T/in-$1"
}

bad droprate-size.tsv < <(head -2 "$DATA/droprate-size.tsv"
	sed -n 3p "$DATA/droprate-size.tsv" | cut -f1-5
	tail -n +4 "$DATA/droprate-size.tsv")
equal "a row with missing fields: exit 1" "$RC" 1
check "... the error names the file and the line" \
	"\$(cat $T/err) == *'droprate-size.tsv: line 3 has 5 fields, the header 15'*"
check "... no droprate-vs-size.png" "! -e $T/out-droprate-size.tsv/droprate-vs-size.png"
check "... no temporary PNG left" "-z \$(find $T/out-droprate-size.tsv -name '.*')"
check "... the other files are still plotted" "-n \$(png_size $T/out-droprate-size.tsv/load-time.png)"
check "... lookup-vs-size.png without the derived points (lookup-size.tsv is fine)" \
	"-n \$(png_size $T/out-droprate-size.tsv/lookup-vs-size.png)"

bad lookup-size.tsv < <(sed '4s/\t47\.0\t/\tabc\t/' "$DATA/lookup-size.tsv")
equal "text in a number column: exit 1" "$RC" 1
check "... the error names the column and the value" \
	"\$(cat $T/err) == *'lookup-size.tsv: line 4: column \"anyxdp_miss_rot\" is not a number: \"abc\"'*"
check "... no lookup-vs-size.png" "! -e $T/out-lookup-size.tsv/lookup-vs-size.png"
check "... no lookup-hot-vs-size.png" "! -e $T/out-lookup-size.tsv/lookup-hot-vs-size.png"

bad sync.tsv < <(sed '1s/p99_us/p98_us/' "$DATA/sync.tsv")
equal "a missing column: exit 1" "$RC" 1
check "... the error names it" "\$(cat $T/err) == *'sync.tsv: the header has no column \"p99_us\"'*"
check "... no sync PNGs" "! -e $T/out-sync.tsv/sync-latency.png && ! -e $T/out-sync.tsv/sync-rate.png"

bad load.tsv < <(head -1 "$DATA/load.tsv")
equal "a header without rows: exit 1" "$RC" 1
check "... the error says so" "\$(cat $T/err) == *'load.tsv: no data rows'*"

# ---- nothing to plot; no gnuplot ----
mkdir -p "$T/empty"
run "$PLOT" --out "$T/out-empty" "$T/empty"
equal "a directory without TSV files: exit 0" "$RC" 0
equal "... and no PNG" "$(find "$T/out-empty" -type f | wc -l)" 0

mkdir -p "$T/path"
for c in awk mkdir mktemp rm sed head od tr mv cat dirname; do
	ln -s "$(command -v $c)" "$T/path/$c"
done
PATH=$T/path run /bin/bash "$PLOT" --out "$T/out-nognuplot" "$DATA"
equal "gnuplot missing: exit 3" "$RC" 3
check "... says how to get it" "\$(cat $T/err) == *'gnuplot is not installed (apt-get install gnuplot-nox)'*"
check "... and writes no PNG" "-z \$(find $T/out-nognuplot -name '*.png' 2>/dev/null)"

done_testing
