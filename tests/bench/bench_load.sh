#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Load time: build/anyxdp-block load against nft -f loading the same list
# into an interval set, for the real ipsum list and 1M synthetic entries.
#
#   tests/bench/bench_load.sh [--quick]     (--quick: ipsum only)
#
# anyxdp: a fresh private pin dir (the first load also creates the maps),
# then a reload of the same file ("unchanged": nothing is switched), then
# a changed list (1% removed, 1% new). nft: the table below, loaded into
# a network namespace of our own with `nft -f`, then the usual atomic
# reload (flush set + add element in one nft -f transaction), the same
# for the unchanged and the changed list. Each time is the median of
# REPS runs (default 3; nft on 1M entries once, bounded by NFT_TIMEOUT).
#
# BIN: the binaries (default build). BENCH_TSV_DIR: write the table as
# load.tsv there too.
#
# Memory: anyxdp = memlock of the six inner maps of the active list
# (bpftool), and for both the growth of the kernel's memory
# (SUnreclaim + VmallocUsed + Percpu in /proc/meminfo) across the load.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
BIN=${BIN:-build}	# where the binaries are
REPS=${REPS:-3}
NFT_TIMEOUT=${NFT_TIMEOUT:-120}
QUICK=0
[[ ${1:-} == --quick ]] && QUICK=1

if [[ $(id -u) -ne 0 ]]; then
	echo "bench_load: needs root (BPF maps, nftables, network namespaces)" >&2
	exit 1
fi
for d in "${DATA:-}" "$TOP/../shared/data" /work/shared/data; do
	[[ -n $d && -r $d/ipsum.txt ]] && { DATA=$d; break; }
done
[[ -r ${DATA:-}/ipsum.txt ]] || { echo "bench_load: ipsum.txt not found (set DATA=)" >&2; exit 1; }
for b in "$BIN"/anyxdp-block "$BIN"/bench_lookup; do
	[[ -x $b ]] || { echo "bench_load: $b missing: run make bench-bins" >&2; exit 1; }
done

NS=anyxdp-load-$$
PIN=/sys/fs/bpf/anyxdp-load-$$
TMP=$(mktemp -d /tmp/anyxdp-load-XXXXXX)
DEV=axbload

rm_pin() {
	if [[ -d $PIN ]]; then
		rm -f "$PIN"/* "$PIN"/.[!.]* 2>/dev/null
		rmdir "$PIN" 2>/dev/null
	fi
}
cleanup() {
	[[ -e /run/netns/$NS ]] && ip netns del "$NS" 2>/dev/null
	rm_pin
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS" || exit 1
ip -n "$NS" link add $DEV type veth peer name ${DEV}p && ip -n "$NS" link set $DEV up || exit 1
nsnft() { nsenter --net=/run/netns/"$NS" nft "$@"; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
kmem() { awk '/^(SUnreclaim|VmallocUsed|Percpu):/ { s += $2 } END { print s * 1024 }' /proc/meminfo; }

# ---- inputs ----

# The prefixes of a list file, one a line (ipsum keeps only the address).
prefixes() { grep -v -E '^[[:space:]]*([#;]|$)' "$1" | awk '{ print $1 }'; }

# 1% of the lines dropped, as many new addresses (100.64.0.0/10) added.
changed() {
	prefixes "$1" | awk 'NR % 100 != 0 { print; next }
		{ n++; printf "100.%d.%d.%d\n", 64 + int(n / 65536) % 64, int(n / 256) % 256, n % 256 }'
}

# nft table with an interval set per family and the ingress drop rule.
# nft_table FILE [auto-merge]: nft refuses overlapping intervals (a /32
# inside a listed CIDR) unless the set has auto-merge.
nft_table() {
	local file=$1 flags="flags interval" v4 v6
	[[ ${2:-} == auto-merge ]] && flags="flags interval; auto-merge"
	v4=$(grep -c -v ':' "$file")
	v6=$(grep -c ':' "$file")
	echo "table netdev bench {"
	if ((v4)); then
		echo "	set bl4 { type ipv4_addr; $flags; elements = {"
		grep -v ':' "$file" | sed 's/$/,/'
		echo "	} }"
	fi
	if ((v6)); then
		echo "	set bl6 { type ipv6_addr; $flags; elements = {"
		grep ':' "$file" | sed 's/$/,/'
		echo "	} }"
	fi
	echo "	chain ingress {"
	echo "		type filter hook ingress device \"$DEV\" priority -500;"
	((v4)) && echo "		ip saddr @bl4 drop"
	((v6)) && echo "		ip6 saddr @bl6 drop"
	echo "	}"
	echo "}"
}

# The atomic reload of an existing table: flush and refill in one transaction.
nft_reload() {
	local file=$1 fam set sel
	for fam in 4 6; do
		if [[ $fam == 4 ]]; then set=bl4; sel='-v'; else set=bl6; sel=''; fi
		grep -q $sel ':' "$file" || continue
		echo "flush set netdev bench $set"
		echo "add element netdev bench $set {"
		grep $sel ':' "$file" | sed 's/$/,/'
		echo "}"
	done
}

# anyxdp's active inner maps: summed memlock (bytes).
anyxdp_memlock() {
	local active id total=0 m
	active=$(bpftool -j map dump pinned "$PIN/bl_ctl" 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); v=d[0]["formatted"]["value"] if "formatted" in d[0] else None; print(v["active"] & 1 if v else 0)' 2>/dev/null)
	[[ -n $active ]] || active=0
	for m in bl_v4_outer bl_v6_outer bl_net4_outer bl_net6_outer bl_filter4_outer bl_filter6_outer; do
		id=$(bpftool -j map lookup pinned "$PIN/$m" key $active 0 0 0 2>/dev/null |
			python3 -c 'import json,sys; d=json.load(sys.stdin); v=d.get("formatted",d)["value"]; print(v if isinstance(v,int) else int.from_bytes(bytes(int(x,16) for x in v),"little"))' 2>/dev/null)
		[[ -n $id ]] || continue
		m=$(bpftool -j map show id "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("bytes_memlock",0))')
		total=$((total + m))
	done
	echo "$total"
}

# split OUT BUILDVAR SWITCHVAR: append the "build X ms, switch Y ms" of an
# anyxdp-block load report to two arrays.
split() {
	local -n _b=$2 _s=$3
	local line
	line=$(grep -o 'build [0-9.]* ms, switch [0-9.]* ms' "$1" | tail -1)
	_b+=("$(echo "$line" | awk '{ print $2 }')")
	_s+=("$(echo "$line" | awk '{ print $5 }')")
}

# ---- one list ----

# bench NAME FILE: prints one result row (space separated) into $TMP/rows
bench() {
	local name=$1 file=$2 ch=$TMP/changed.txt n t i fresh=() same=() chg=() nf=() nr=() nc=()
	local k0 k1 mem_any=0 kmem_any=0 kmem_nft=- reps=$REPS nft_reps=$REPS
	local bf=() sf=() bc=() sc=()
	prefixes "$file" >"$TMP/list.txt"
	changed "$file" >"$ch"
	n=$(sort -u "$TMP/list.txt" | wc -l)
	nft_table "$TMP/list.txt" >"$TMP/table.nft"
	nft_reload "$TMP/list.txt" >"$TMP/reload.nft"
	nft_reload "$ch" >"$TMP/reload_changed.nft"
	((n > 500000)) && nft_reps=1

	for ((i = 0; i < reps; i++)); do
		rm_pin
		sleep 1		# maps of the previous run are freed in the background
		k0=$(kmem)
		t=$(now)
		"$BIN"/anyxdp-block --pin-dir "$PIN" load -q "$file" >"$TMP/out" || { echo "bench_load: anyxdp-block load $file failed" >&2; exit 1; }
		fresh+=("$(elapsed "$t")")
		k1=$(kmem)
		((i == 0)) && kmem_any=$((k1 - k0))
		split "$TMP/out" bf sf
		t=$(now)
		"$BIN"/anyxdp-block --pin-dir "$PIN" load -q "$file" >/dev/null || exit 1
		same+=("$(elapsed "$t")")
		t=$(now)
		"$BIN"/anyxdp-block --pin-dir "$PIN" load -q "$ch" >"$TMP/out" || exit 1
		chg+=("$(elapsed "$t")")
		split "$TMP/out" bc sc
		((i == 0)) && mem_any=$(anyxdp_memlock)
		"$BIN"/anyxdp-block --pin-dir "$PIN" load -q "$file" >/dev/null || exit 1
		echo "  anyxdp $name run $((i + 1)): fresh ${fresh[-1]} s (build ${bf[-1]} ms, switch ${sf[-1]} ms), unchanged ${same[-1]} s, changed ${chg[-1]} s (build ${bc[-1]} ms, switch ${sc[-1]} ms)" >&2
	done
	rm_pin

	local status=ok
	# nft refuses overlapping intervals (a /32 inside a listed CIDR) in a
	# plain interval set; such lists need auto-merge (checked, not timed).
	nsnft delete table netdev bench 2>/dev/null
	if ! timeout "$NFT_TIMEOUT" nsenter --net=/run/netns/"$NS" nft -c -f "$TMP/table.nft" 2>"$TMP/nft.err" &&
		grep -q 'conflicting intervals' "$TMP/nft.err"; then
		echo "  nft $name: overlapping entries: the sets get auto-merge" >&2
		name="$name (nft sets: auto-merge)"
		nft_table "$TMP/list.txt" auto-merge >"$TMP/table.nft"
	fi
	for ((i = 0; i < nft_reps; i++)); do
		nsnft delete table netdev bench 2>/dev/null
		sync
		sleep 1
		k0=$(kmem)
		t=$(now)
		if ! timeout "$NFT_TIMEOUT" nsenter --net=/run/netns/"$NS" nft -f "$TMP/table.nft" 2>"$TMP/nft.err"; then
			status="failed: $(head -c 200 "$TMP/nft.err" | tr '\n' ' ')"
			[[ -s $TMP/nft.err ]] || status="timeout after ${NFT_TIMEOUT} s"
			echo "  nft $name: $status" >&2
			break
		fi
		nf+=("$(elapsed "$t")")
		k1=$(kmem)
		((i == 0)) && kmem_nft=$((k1 - k0))
		t=$(now)
		timeout "$NFT_TIMEOUT" nsenter --net=/run/netns/"$NS" nft -f "$TMP/reload.nft" || { status="reload failed"; break; }
		nr+=("$(elapsed "$t")")
		t=$(now)
		timeout "$NFT_TIMEOUT" nsenter --net=/run/netns/"$NS" nft -f "$TMP/reload_changed.nft" || { status="reload failed"; break; }
		nc+=("$(elapsed "$t")")
		echo "  nft $name run $((i + 1)): fresh ${nf[-1]} s, reload ${nr[-1]} s, changed ${nc[-1]} s" >&2
	done
	nsnft delete table netdev bench 2>/dev/null

	local af as ac nff nfr nfc
	af=$(echo "${fresh[*]}" | median)
	as=$(echo "${same[*]}" | median)
	ac=$(echo "${chg[*]}" | median)
	nff=$(echo "${nf[*]:-}" | median)
	nfr=$(echo "${nr[*]:-}" | median)
	nfc=$(echo "${nc[*]:-}" | median)
	[[ $status == ok ]] || { nff="- ($status)"; nfr=-; nfc=-; kmem_nft=-; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$af" "$as" "$ac" \
		"$nff" "$nfr" "$nfc" "$mem_any" "$kmem_any" "$kmem_nft" \
		"$(echo "${bf[*]}" | median)" "$(echo "${sf[*]}" | median)" \
		"$(echo "${bc[*]}" | median)" "$(echo "${sc[*]}" | median)" >>"$TMP/rows"
}

START=$(now)
: >"$TMP/rows"
bench ipsum "$DATA/ipsum.txt"
if ((!QUICK)); then
	"$BIN"/bench_lookup --write-synthetic "$TMP/synthetic1m.txt" || exit 1
	bench "synthetic 1M" "$TMP/synthetic1m.txt"
fi

echo "## Load time (bench_load)"
echo
echo "anyxdp: \`anyxdp-block load\` into a fresh private pin dir (creates the maps), the same"
echo "file again (unchanged: detected, nothing switched), then a changed list (1% of the"
echo "entries replaced). nft: \`nft -f\` of a netdev table with an interval set per family"
echo "and an ingress drop rule (fresh), then \`flush set\` + \`add element\` in one"
echo "transaction with the same and with the changed list. Seconds, wall clock, median of"
echo "$REPS runs (nft on 1M entries: one run, at most ${NFT_TIMEOUT} s)."
echo
echo "| list | entries | anyxdp fresh s | anyxdp unchanged s | anyxdp changed s | nft -f fresh s | nft reload same s | nft reload changed s | nft/anyxdp fresh | nft/anyxdp changed |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r name n af as ac nff nfr nfc mem kany knft bfm sfm bcm scm; do
	r1=$(awk -v a="$af" -v b="$nff" 'BEGIN { if (b + 0 > 0 && a > 0) printf "%.1fx", b / a; else print "-" }')
	r2=$(awk -v a="$ac" -v b="$nfc" 'BEGIN { if (b + 0 > 0 && a > 0) printf "%.1fx", b / a; else print "-" }')
	echo "| $name | $n | $af | $as | $ac | $nff | $nfr | $nfc | $r1 | $r2 |"
done <"$TMP/rows"
echo
echo "Where anyxdp's time goes (its own report, median ms): build = new maps filled,"
echo "switch = the A/B flip with its RCU waits; the rest is process start, parsing and"
echo "(fresh) creating the pinned maps."
echo
echo "| list | fresh: build ms | fresh: switch ms | changed: build ms | changed: switch ms |"
echo "|---|---:|---:|---:|---:|"
while IFS=$'\t' read -r name n af as ac nff nfr nfc mem kany knft bfm sfm bcm scm; do
	echo "| $name | $bfm | $sfm | $bcm | $scm |"
done <"$TMP/rows"
echo
echo "Memory: anyxdp memlock = the six inner maps of the active list (two 4 MiB filters"
echo "are fixed); kernel growth = SUnreclaim + VmallocUsed + Percpu of /proc/meminfo after"
echo "the fresh load minus before (approximate: other activity on the machine counts too)."
echo
echo "| list | entries | anyxdp memlock MiB | anyxdp B/entry | anyxdp kernel growth MiB | nft kernel growth MiB | nft B/entry |"
echo "|---|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r name n af as ac nff nfr nfc mem kany knft bfm sfm bcm scm; do
	awk -v name="$name" -v n="$n" -v m="$mem" -v ka="$kany" -v kn="$knft" 'BEGIN {
		printf "| %s | %d | %.1f | %.0f | %.1f | ", name, n, m / 1048576, m / n, ka / 1048576
		if (kn == "-") printf "- | - |\n"; else printf "%.1f | %.0f |\n", kn / 1048576, kn / n }'
done <"$TMP/rows"
echo
echo "Targets:"
while IFS=$'\t' read -r name n af as ac nff nfr nfc mem kany knft bfm sfm bcm scm; do
	if [[ $name == ipsum ]]; then
		awk -v a="$af" -v b="$nff" 'BEGIN {
			if (b + 0 <= 0) { print "- ipsum: nft time not measured"; exit }
			printf "- ipsum: anyxdp %.3f s vs nft %.3f s = %.0f%% of nft'\''s time, target <= 25%%: %s\n",
				a, b, 100 * a / b, (a <= b / 4) ? "PASS" : "MISS" }'
	else
		awk -v a="$af" -v c="$ac" 'BEGIN {
			printf "- 1M entries: anyxdp fresh %.3f s, changed %.3f s, target <= 2 s: %s\n",
				a, c, (a <= 2 && c <= 2) ? "PASS" : "MISS" }'
	fi
done <"$TMP/rows"
# The rows as $BENCH_TSV_DIR/load.tsv (tests/bench/plot.sh reads it); a
# time not measured is "-".
if [[ -n ${BENCH_TSV_DIR:-} ]]; then
	{
		printf 'list\tentries\tanyxdp_fresh_s\tanyxdp_unchanged_s\tanyxdp_changed_s\tnft_fresh_s\tnft_same_s\tnft_changed_s\tanyxdp_memlock_bytes\tanyxdp_kmem_bytes\tnft_kmem_bytes\n'
		awk -F'\t' -v OFS='\t' '{ for (i = 6; i <= 8; i++) if ($i !~ /^[0-9.]+$/) $i = "-"
			print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$TMP/rows"
	} >"$BENCH_TSV_DIR/load.tsv" || { echo "bench_load: cannot write $BENCH_TSV_DIR/load.tsv" >&2; exit 1; }
fi
echo
echo "bench_load took $(elapsed "$START" | cut -d. -f1) s"
