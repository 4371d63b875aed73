#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Plot the benchmarks' TSV files with gnuplot (tests/bench/run.sh runs this).
#
#   tests/bench/plot.sh [--out DIR] TSV_DIR
#
# Reads the TSV files the benchmarks write into TSV_DIR (BENCH_TSV_DIR of
# tests/bench/run.sh), each a header line and tab-separated rows, and
# writes a PNG into DIR (default docs/bench) for each one present:
#
#   lookup-size.tsv    lookup-vs-size.png, lookup-hot-vs-size.png
#                      (with droprate-size.tsv: nftables' derived cost too)
#   droprate-size.tsv  droprate-vs-size.png
#   droprate.tsv       droprate-receivers.png
#   load.tsv           load-time.png
#   steer.tsv          steer-ratio.png
#   return.tsv         return-ratio.png
#   sync.tsv           sync-latency.png, sync-rate.png
#
# A file is checked before it is plotted (the columns the plot needs, the
# same number of fields on every line, numbers where numbers belong); a
# malformed file is reported, gets no PNG, and makes the exit status 1.
# A PNG is written to a temporary name and renamed when gnuplot succeeded,
# so no partial PNG is left. Prints each PNG written, one a line.
# Exit: 0 all plotted, 1 a file was malformed or gnuplot failed,
# 2 usage, 3 gnuplot is not installed.
set -u
ME=plot.sh
OUT=docs/bench
usage() { sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
	case $1 in
	--out) [[ $# -ge 2 ]] || { echo "$ME: --out needs a directory" >&2; exit 2; }
		OUT=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "$ME: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
if (($# != 1)); then
	usage >&2
	exit 2
fi
DIR=$1
[[ -d $DIR ]] || { echo "$ME: $DIR: no such directory" >&2; exit 2; }
if ! command -v gnuplot >/dev/null; then
	echo "$ME: gnuplot is not installed (apt-get install gnuplot-nox): no plots" >&2
	exit 3
fi
mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d /tmp/anyxdp-plot-XXXXXX) || exit 1
trap 'rm -rf "$TMP"; rm -f "$OUT"/.*.png.tmp' EXIT

# pngcairo draws nicer lines and text; the plain png terminal always exists.
TERMINAL="pngcairo size 960,560 font 'sans,11' noenhanced"
gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 || TERMINAL="png size 960,560 noenhanced"
STATUS=0

# check FILE COL:TYPE...: "" if FILE has a header with these columns,
# the header's number of fields on every line and at least one row;
# TYPE num: a number or "-" (not measured), str: anything. Otherwise
# what is wrong.
check() {
	local f=$1
	shift
	awk -F'\t' -v req="$*" '
	NR == 1 {
		n = NF
		for (i = 1; i <= NF; i++) col[$i] = i
		k = split(req, r, " ")
		for (j = 1; j <= k; j++) {
			split(r[j], p, ":")
			if (!(p[1] in col)) { printf "the header has no column \"%s\"", p[1]; bad = 1; exit }
			if (p[2] == "num") num[col[p[1]]] = p[1]
		}
		next
	}
	/^$/ { next }
	NF != n { printf "line %d has %d fields, the header %d", NR, NF, n; bad = 1; exit }
	{
		for (i in num)
			if ($i != "-" && $i !~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/) {
				printf "line %d: column \"%s\" is not a number: \"%s\"", NR, num[i], $i
				bad = 1; exit
			}
		rows++
	}
	END {
		if (bad) exit
		if (NR == 0) printf "empty file"
		else if (!rows) printf "no data rows"
	}' "$f"
}

# usable NAME COL:TYPE...: true if DIR/NAME exists and is well formed;
# a malformed file is reported and sets STATUS.
usable() {
	local f=$DIR/$1 err
	shift
	[[ -f $f ]] || return 1
	err=$(check "$f" "$@")
	if [[ -n $err ]]; then
		echo "$ME: $f: $err: not plotted" >&2
		STATUS=1
		return 1
	fi
}

# render NAME [WIDTH]: the gnuplot commands on stdin into OUT/NAME.png
# (WIDTH x 560, default 960), through a temporary file that is renamed
# only when gnuplot succeeded.
render() {
	local png=$OUT/$1.png tmp=$OUT/.$1.png.tmp
	{
		echo "set terminal ${TERMINAL/size 960,/size ${2:-960},}"
		echo "set output '$tmp'"
		echo "set datafile separator '\t'"
		echo "set datafile missing '-'"
		echo "set grid lc rgb '#d0d0d0'"
		echo "set key noautotitle"
		cat
	} >"$TMP/$1.gp"
	if gnuplot "$TMP/$1.gp" 2>"$TMP/$1.err" && [[ -s $tmp ]] &&
		[[ $(head -c 8 "$tmp" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
		mv -f "$tmp" "$png" && echo "$png"
	else
		rm -f "$tmp"
		echo "$ME: gnuplot failed on $1:" >&2
		sed 's/^/  /' "$TMP/$1.err" >&2
		STATUS=1
	fi
}

LOGX="set logscale x 10; set format x '%.0s%c'; set mxtics 10
set autoscale xfix; set offsets graph 0.05, graph 0.05, 0, 0
set key outside right top Left reverse samplen 3 width -3"

if usable lookup-size.tsv entries:num anyxdp_hit_hot:num lpm_hit_hot:num anyxdp_miss_hot:num \
	lpm_miss_hot:num anyxdp_hit_rot:num lpm_hit_rot:num anyxdp_miss_rot:num lpm_miss_rot:num; then
	L=$DIR/lookup-size.tsv
	derived=
	if usable droprate-size.tsv entries:num anyxdp_derived_ns:num nft_derived_ns:num lpm_derived_ns:num; then
		D=$DIR/droprate-size.tsv
		# log y: a derived cost at or below the trivial receiver's is noise, left out
		derived=", '$D' using 'entries':(column('nft_derived_ns') > 0 ? column('nft_derived_ns') : NaN) with linespoints lw 2 dt 2 pt 9 ps 1.3 lc rgb '#2ca02c' title 'nftables (derived from drop rate)', \\
'$D' using 'entries':(column('anyxdp_derived_ns') > 0 ? column('anyxdp_derived_ns') : NaN) with linespoints lw 1 dt 3 pt 7 lc rgb '#1f77b4' title 'anyxdp (derived from drop rate)', \\
'$D' using 'entries':(column('lpm_derived_ns') > 0 ? column('lpm_derived_ns') : NaN) with linespoints lw 1 dt 3 pt 5 lc rgb '#d62728' title 'plain LPM trie (derived from drop rate)'"
	fi
	render lookup-vs-size 1200 <<EOF
set title 'Lookup cost against list size, IPv4, every packet another source (rotating)'
set xlabel 'entries on the list'
set ylabel 'ns per packet (log scale)'
$LOGX
set logscale y 10
plot '$L' using 'entries':'anyxdp_hit_rot' with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'anyxdp, hit', \\
     '$L' using 'entries':'anyxdp_miss_rot' with linespoints lw 2 pt 6 lc rgb '#17becf' title 'anyxdp, miss', \\
     '$L' using 'entries':'lpm_hit_rot' with linespoints lw 2 pt 5 lc rgb '#d62728' title 'plain LPM trie, hit', \\
     '$L' using 'entries':'lpm_miss_rot' with linespoints lw 2 pt 4 lc rgb '#ff7f0e' title 'plain LPM trie, miss'$derived
EOF
	render lookup-hot-vs-size 1100 <<EOF
set title 'Lookup cost against list size, IPv4, the same 16 packets repeated (hot caches)'
set xlabel 'entries on the list'
set ylabel 'ns per packet'
$LOGX
set yrange [0:*]
plot '$L' using 'entries':'anyxdp_hit_hot' with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'anyxdp, hit', \\
     '$L' using 'entries':'anyxdp_miss_hot' with linespoints lw 2 pt 6 lc rgb '#17becf' title 'anyxdp, miss', \\
     '$L' using 'entries':'lpm_hit_hot' with linespoints lw 2 pt 5 lc rgb '#d62728' title 'plain LPM trie, hit', \\
     '$L' using 'entries':'lpm_miss_hot' with linespoints lw 2 pt 4 lc rgb '#ff7f0e' title 'plain LPM trie, miss'
EOF
fi

if usable droprate-size.tsv entries:num trivial_mpps:num anyxdp_mpps:num nft_mpps:num lpm_mpps:num; then
	D=$DIR/droprate-size.tsv
	render droprate-vs-size 1100 <<EOF
set title 'Drop rate against list size (veth, every source listed)'
set xlabel 'entries on the list'
set ylabel 'packets dropped, Mpps'
$LOGX
set yrange [0:*]
plot '$D' using 'entries':'trivial_mpps' with linespoints lw 2 dt 2 pt 1 lc rgb '#7f7f7f' title 'trivial XDP_DROP (ceiling)', \\
     '$D' using 'entries':'anyxdp_mpps' with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'anyxdp', \\
     '$D' using 'entries':'lpm_mpps' with linespoints lw 2 pt 5 lc rgb '#d62728' title 'plain LPM trie XDP', \\
     '$D' using 'entries':'nft_mpps' with linespoints lw 2 pt 9 lc rgb '#2ca02c' title 'nftables'
EOF
fi

# Bars: histograms of one or more columns, labels from the first.
BARS="set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics nomirror rotate by -20
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set grid noxtics"

# xr FILE: the x range of a histogram of FILE's lines, no empty slots.
xr() { awk 'END { printf "set xrange [-0.6:%f]\n", NR - 0.4 }' "$1"; }

if usable droprate.tsv receiver:str mpps:num; then
	awk -F'\t' -v OFS='\t' 'NR > 1 { print $1, $2 }' "$DIR/droprate.tsv" >"$TMP/droprate.dat"
	render droprate-receivers <<EOF
set title 'Drop rate of each receiver (veth, ipsum list, every source listed)'
set ylabel 'packets dropped, Mpps'
$BARS
$(xr "$TMP/droprate.dat")
set bmargin 7
plot '$TMP/droprate.dat' using 2:xtic(1) lc rgb '#1f77b4'
EOF
fi

if usable load.tsv list:str anyxdp_fresh_s:num anyxdp_changed_s:num nft_fresh_s:num nft_changed_s:num; then
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["list"], $c["anyxdp_fresh_s"], $c["anyxdp_changed_s"], $c["nft_fresh_s"], $c["nft_changed_s"] }' \
		"$DIR/load.tsv" >"$TMP/load.dat"
	render load-time <<EOF
set title 'List load time, anyxdp-block load against nft -f'
set ylabel 'seconds (wall clock)'
$BARS
$(xr "$TMP/load.dat")
set key top left
plot '$TMP/load.dat' using 2:xtic(1) lc rgb '#1f77b4' title 'anyxdp, fresh', \\
     '' using 3 lc rgb '#aec7e8' title 'anyxdp, changed list', \\
     '' using 4 lc rgb '#2ca02c' title 'nft, fresh', \\
     '' using 5 lc rgb '#98df8a' title 'nft, changed list (flush + add)'
EOF
fi

# ratios CASE BASEPATH FILE: per path of CASE (style rate) except the base,
# delivered pps / the base's and the base's DUT ns per packet / the path's.
ratios() {
	awk -F'\t' -v OFS='\t' -v want="$1" -v base="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["case"] == want && $c["style"] == "rate" {
		n++; p[n] = $c["path"]; nm[n] = $c["name"]; d[n] = $c["delivered_pps"]; ns[n] = $c["dut_ns"]
		if (p[n] == base) { bd = d[n]; bns = ns[n] }
	}
	END {
		if (bd <= 0) exit
		for (i = 1; i <= n; i++)
			if (p[i] != base)
				print p[i], nm[i], d[i] / bd, (ns[i] > 0 ? bns / ns[i] : "-")
	}' "$3"
}

if usable steer.tsv case:str style:str path:str name:str delivered_pps:num dut_ns:num; then
	ratios veth kernel "$DIR/steer.tsv" >"$TMP/steer.dat"
	if [[ -s $TMP/steer.dat ]]; then
		render steer-ratio <<EOF
set title 'Steering into a veth next hop, relative to kernel forwarding'
set ylabel 'times kernel forwarding'
$BARS
$(xr "$TMP/steer.dat")
set key top right
set bmargin 6
plot '$TMP/steer.dat' using 3:xtic(2) lc rgb '#1f77b4' title 'delivered packets per second', \\
     '' using 4 lc rgb '#ff7f0e' title 'DUT CPU per packet (kernel / path)', \\
     3 with lines dt 2 lw 2 lc rgb '#d62728' title 'target for anyxdp: 3x'
EOF
	fi
fi

if usable return.tsv case:str style:str path:str name:str delivered_pps:num dut_ns:num; then
	ratios veth conntrack "$DIR/return.tsv" >"$TMP/ret_veth.dat"
	ratios tun conntrack "$DIR/return.tsv" >"$TMP/ret_tun.dat"
	# One line per path: its name, the Ethernet ratio, the TUN ratio.
	awk -F'\t' -v OFS='\t' 'FNR == NR { e[$1] = $3; nm[$1] = $2; order[++n] = $1; next }
		{ t[$1] = $3; if (!($1 in nm)) { nm[$1] = $2; order[++n] = $1 } }
		END { for (i = 1; i <= n; i++) { k = order[i]; if (k == "floor") continue
			print nm[k], (k in e ? e[k] : "-"), (k in t ? t[k] : "-") } }' \
		"$TMP/ret_veth.dat" "$TMP/ret_tun.dat" >"$TMP/return.dat"
	if [[ -s $TMP/return.dat ]]; then
		render return-ratio <<EOF
set title 'Return path, delivered packets per second relative to kernel forwarding + conntrack'
set ylabel 'times kernel + conntrack'
$BARS
$(xr "$TMP/return.dat")
set key top right
set bmargin 7
plot '$TMP/return.dat' using 2:xtic(1) lc rgb '#1f77b4' title 'Ethernet tunnel (veth)', \\
     '' using 3 lc rgb '#9467bd' title 'TUN', \\
     3 with lines dt 2 lw 2 lc rgb '#d62728' title 'target for anyxdp: 3x'
EOF
	fi
fi

if usable sync.tsv prefixes:num path:str updates_per_s:num p50_us:num p99_us:num; then
	awk -F'\t' -v OFS='\t' '
	BEGIN { nm["babel"] = "babeld source"; nm["netlink"] = "netlink source"
		nm["kernel"] = "kernel FIB alone"; nm["babel_eth"] = "babeld, Ethernet hops" }
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ k = $c["path"]; print (k in nm ? nm[k] : k) ", " $c["prefixes"] " prefixes", $c["updates_per_s"],
		$c["p50_us"], $c["p99_us"] }' "$DIR/sync.tsv" >"$TMP/sync.dat"
	grep -v 'kernel FIB' "$TMP/sync.dat" >"$TMP/sync_lat.dat"
	render sync-latency <<EOF
set title 'Route churn: anyxdp sync latency, line or message read to map written'
set ylabel 'microseconds'
$BARS
$(xr "$TMP/sync_lat.dat")
set key top left
set bmargin 7
plot '$TMP/sync_lat.dat' using 3:xtic(1) lc rgb '#1f77b4' title 'p50', \\
     '' using 4 lc rgb '#ff7f0e' title 'p99', \\
     1000 with lines dt 2 lw 2 lc rgb '#d62728' title 'target: p99 <= 1000 us'
EOF
	render sync-rate <<EOF
set title 'Route churn: sustained updates per second'
set ylabel 'route changes per second'
$BARS
$(xr "$TMP/sync.dat")
set key top right
set bmargin 7
set format y '%.0f'
plot '$TMP/sync.dat' using 2:xtic(1) lc rgb '#1f77b4' title 'updates/s', \\
     10000 with lines dt 2 lw 2 lc rgb '#d62728' title 'target: >= 10,000/s'
EOF
fi
exit $STATUS
