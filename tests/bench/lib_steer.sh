# SPDX-License-Identifier: GPL-2.0
# Shared by the forwarding benchmarks that drive build/bench_steer
# (bench_steer.sh, bench_return.sh): options, checks, namespaces and
# their cleanup, one measuring window, the tables. Sourced, not run.
#
# The script sets before sourcing: ME (its name, for messages), and
# defines afterwards: on_PATH/off_PATH for each path it measures,
# ax_counts (anyxdp's own counters, one line) and ax_delta A B (the
# key=value pairs of a window), ax_dump (what to print when anyxdp
# delivered nothing), and optionally cleanup_hook.
# It fills NSS (its namespaces), D (the DUT's), PIN, WINDOW (the options
# of build/bench_steer common to every window), NAME[path] and
# optionally EXTRA[path] (more bench_steer options for that path).
# BIN (environment, default build) is where the binaries are; with
# BENCH_TSV_DIR set, report also writes its medians to
# $BENCH_TSV_DIR/steer.tsv (return.tsv for bench_return), one line per
# case and path.

TOP=$PWD
BIN=${BIN:-build}
REPS=3 SECS=3 WARMUP=1 QUICK=0
NSS=() WINDOW=() NOTES=()
declare -A NAME=() EXTRA=()

usage() { sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# common_opt "$@": the options every script has; sets SHIFT.
common_opt() {
	SHIFT=1
	case $1 in
	--reps) REPS=${2:-}; SHIFT=2 ;;
	--secs) SECS=${2:-}; SHIFT=2 ;;
	--warmup) WARMUP=${2:-}; SHIFT=2 ;;
	--quick) QUICK=1 REPS=1 SECS=2 WARMUP=0.5 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "$ME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	(($# >= SHIFT)) || { echo "$ME: $1 needs a value" >&2; exit 2; }
}

# check_env: the options' values, root, the binaries, bpffs, LIST.
check_env() {
	local b d
	[[ $REPS =~ ^[1-9][0-9]?$ ]] || { echo "$ME: --reps wants 1..99, got '$REPS'" >&2; exit 2; }
	[[ $SECS =~ ^[0-9]+(\.[0-9]+)?$ && $WARMUP =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
		{ echo "$ME: --secs and --warmup want seconds, got '$SECS', '$WARMUP'" >&2; exit 2; }
	if [[ $(id -u) -ne 0 ]]; then
		echo "$ME: needs root (XDP, network namespaces)" >&2
		exit 1
	fi
	for b in anyxdp anyxdp-block bench_steer; do
		[[ -x $BIN/$b ]] || { echo "$ME: $BIN/$b is missing: run make bench-bins first" >&2; exit 1; }
	done
	if [[ ${LIST:-} == none ]]; then
		LIST=
	else
		for d in "${LIST:-}" "$TOP/../shared/data/ipsum.txt" /work/shared/data/ipsum.txt; do
			[[ -n $d && -r $d ]] && { LIST=$d; break; }
		done
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	TMP=$(mktemp -d "/tmp/anyxdp-$ME-XXXXXX")
	RUNS=$TMP/runs LOG=$TMP/log
	: >"$RUNS"
	TSVF=
	if [[ -n ${BENCH_TSV_DIR:-} ]]; then
		TSVF=$BENCH_TSV_DIR/${ME#bench_}.tsv
		printf 'case\tstyle\tpath\tname\tdelivered_pps\tdut_ns\tprog_ns\tgenerated_pps\tdut_rx_pps\n' \
			>"$TSVF" || die "cannot write $TSVF"
	fi
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

cleanup() {
	local n
	declare -F cleanup_hook >/dev/null && cleanup_hook
	for n in "${NSS[@]}"; do
		[[ -e /run/netns/$n ]] && ip netns del "$n" 2>/dev/null
	done
	if [[ -d ${PIN:-} ]]; then
		rm -f "$PIN"/* "$PIN"/.[!.]* 2>/dev/null
		rmdir "$PIN" 2>/dev/null
	fi
	rm -rf "${TMP:-}"
}

die() {
	echo "$ME: $*" >&2
	[[ -s $LOG ]] && { echo "last lines of $LOG:" >&2; tail -15 "$LOG" >&2; }
	exit 1
}
inns() { local n=$1; shift; nsenter --net=/run/netns/"$n" "$@"; }
ax() { inns "$D" "$BIN"/anyxdp --pin-dir "$PIN" "$@"; }
say() { echo "$*" >&2; }
# q CMD...: run, output to the log; fails loudly.
q() { "$@" >>"$LOG" 2>&1 || die "'$*' failed"; }

# ---- topology ----

# make_ns NS...: namespaces with lo up and no IPv6 (no router
# solicitations or MLD to count at the sink); deleted at exit.
make_ns() {
	local n
	for n in "$@"; do
		NSS+=("$n")
		q ip netns add "$n"
		q ip -n "$n" link set lo up
		q inns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
}

# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces, up.
veth() {
	q ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	q ip -n "$1" addr add "$3" dev "$2"
	q ip -n "$4" addr add "$6" dev "$5"
	q ip -n "$1" link set "$2" up
	q ip -n "$4" link set "$5" up
}

# sink_neigh NS IF IP DUTIF: a permanent neighbour entry on the DUT for
# the sink's address (the sink's XDP program drops ARP too).
sink_neigh() {
	local mac
	mac=$(ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])') ||
		die "cannot read the MAC of $2"
	q ip -n "$D" neigh replace "$3" lladdr "$mac" dev "$4" nud permanent
}

# ax_reasons EXPR DEFAULT: a line of anyxdp's counters, EXPR a Python
# list over r (the reasons of `anyxdp stats --json`) and n(name) (a
# reason's packets); DEFAULT if that fails.
ax_reasons() {
	ax stats --json 2>>"$LOG" | python3 -c '
import json, sys
r = json.load(sys.stdin)["reasons"]
n = lambda k: r.get(k, {}).get("packets", 0)
print(*eval(sys.argv[1]))' "$1" 2>>"$LOG" || echo "$2"
}

load_list() {
	[[ -n ${LIST:-} ]] && q "$BIN"/anyxdp-block load --pin-dir "$PIN" -q "$LIST"
	return 0
}
list_note() {
	[[ -n ${LIST:-} ]] && printf '%s' "blocklist $(basename "$LIST") loaded ($(grep -cvE '^[[:space:]]*(#|$)' "$LIST") entries; $1 not on it)"
}

# ---- one window ----

# run CASE PATH REP [bench_steer options]: on_PATH, one window of
# bench_steer (WINDOW, these options, EXTRA[PATH] as on_PATH left it),
# off_PATH; a line in $RUNS.
run() {
	local case=$1 path=$2 rep=$3 out a b limit
	local -a more=()
	shift 3
	"on_$path"
	read -r -a more <<<"${EXTRA[$path]:-}"
	[[ $path == *anyxdp* ]] && a=$(ax_counts)
	limit=$(awk -v w="$WARMUP" -v s="$SECS" 'BEGIN { printf "%d", w + s + 30 }')
	out=$(timeout -k 5 "$limit" "$BIN"/bench_steer "${WINDOW[@]}" --secs "$SECS" \
		--warmup "$WARMUP" "$@" "${more[@]}" 2>>"$LOG") || die "$BIN/bench_steer ($case, $path) failed"
	[[ $path == *anyxdp* ]] && b=$(ax_counts) && out+=" $(ax_delta "$a" "$b")"
	"off_$path"
	echo "case=$case path=$path rep=$rep $out" >>"$RUNS"
	awk -v l="$out" -v n="${NAME[$path]}" -v c="$case" -v r="$rep" 'BEGIN {
		split(l, kv, " "); for (i in kv) { split(kv[i], p, "="); v[p[1]] = p[2] }
		printf "  %s run %d %-32s %7.3f Mpps delivered, %7.3f received by the DUT, %6.0f ns/packet in the DUT\n",
			c, r, n, v["delivered"] / v["secs"] / 1e6, v["dut_rx"] / v["secs"] / 1e6,
			v["dut_rx"] ? v["dut_napi_ns"] / v["dut_rx"] : 0 }' >&2
	if [[ $path == *anyxdp* ]] && ! grep -q "delivered=[1-9]" <<<"$out"; then
		say "  anyxdp delivered nothing: its counters follow"
		ax_dump >&2
	fi
}

# rotate CASE "PATH..." [bench_steer options]: REPS rounds of every
# path, who goes first rotating.
rotate() {
	local case=$1 rep i n
	local -a paths
	read -r -a paths <<<"$2"
	shift 2
	n=${#paths[@]}
	for ((rep = 1; rep <= REPS; rep++)); do
		for ((i = 0; i < n; i++)); do
			run "$case" "${paths[(i + rep - 1) % n]}" "$rep" "$@"
		done
	done
}

# ---- the report ----

# report CASE STYLE "PATH..." "NAME|NAME...": medians per path of the
# runs of CASE; STYLE rate (Mpps), kpps (slow paths) or prof (--profile
# runs). The medians also go to $TMP/med.CASE for med below.
report() {
	awk -v want="$1" -v style="$2" -v order="$3" -v names="$4" -v tsv="${TSVF:-}" '
	function med(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		delete v
		for (i = 1; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
		if (v["case"] != want) next
		k = v["path"]; t = v["secs"]
		D[k] = D[k] " " v["delivered"] / t
		L[k] = L[k] sprintf("%s%.3f", L[k] == "" ? "" : ", ", v["delivered"] / t / 1e6)
		GN[k] = GN[k] " " v["generated"] / t
		RX[k] = RX[k] " " v["dut_rx"] / t
		F[k] = F[k] " " (v["dut_rx"] ? v["delivered"] / v["dut_rx"] : 0)
		NS[k] = NS[k] " " (v["dut_rx"] ? v["dut_napi_ns"] / v["dut_rx"] : 0)
		B[k] = B[k] " " 100 * v["dut_cpu_ns"] / (t * 1e9)
		PN[k] = PN[k] " " (v["prog_cnt"] ? v["prog_ns"] / v["prog_cnt"] : 0)
		AXS[k] += v["ax_xdp"] + v["ax_tc"] + v["ax_fwd"]; AXP[k] += v["ax_pass"]
	}
	END {
		n = split(order, ks, " "); split(names, nm, "|")
		if (style == "rate") {
			print "| path | delivered Mpps (median) | runs | generated Mpps | DUT received Mpps | delivered / received | DUT ns/packet | DUT CPU busy | 1 CPU could forward, Mpps |"
			print "|---|---:|---|---:|---:|---:|---:|---:|---:|"
		} else if (style == "kpps") {
			print "| path | delivered kpps (median) | runs, kpps | DUT received kpps | delivered / received | DUT ns/packet |"
			print "|---|---:|---|---:|---:|---:|"
		} else {
			print "| program | ns/packet inside the program | DUT ns/packet, all work | delivered Mpps |"
			print "|---|---:|---:|---:|"
		}
		for (i = 1; i <= n; i++) {
			k = ks[i]
			if (!(k in D)) continue
			ns = med(NS[k])
			if (style == "rate")
				printf "| %s | %.3f | %s | %.2f | %.2f | %.3f | %.0f | %.0f%% | %.2f |\n", nm[i],
					med(D[k]) / 1e6, L[k], med(GN[k]) / 1e6, med(RX[k]) / 1e6, med(F[k]),
					ns, med(B[k]), (ns > 0 ? 1e3 / ns : 0)
			else if (style == "kpps") {
				split(L[k], r, ", "); s = ""
				for (j = 1; j in r; j++) s = s sprintf("%s%.1f", j > 1 ? ", " : "", r[j] * 1e3)
				printf "| %s | %.1f | %s | %.1f | %.3f | %.0f |\n", nm[i], med(D[k]) / 1e3, s,
					med(RX[k]) / 1e3, med(F[k]), ns
			} else
				printf "| %s | %.1f | %.0f | %.3f |\n", nm[i], med(PN[k]), ns, med(D[k]) / 1e6
			MD[k] = med(D[k]); MNS[k] = ns
			if (tsv != "")
				printf "%s\t%s\t%s\t%s\t%.0f\t%.1f\t%.1f\t%.0f\t%.0f\n", want, style, k, nm[i],
					med(D[k]), ns, med(PN[k]), med(GN[k]), med(RX[k]) >>tsv
		}
		for (k in MD) printf "%s %s %s %d %d\n", k, MD[k], MNS[k], AXS[k], AXP[k] > "/dev/stderr"
	}' "$RUNS" 2>"$TMP/med.$1"
}

# table CASE STYLE "PATH...": report with the paths' NAMEs.
table() {
	local k names=
	for k in $3; do
		names+="${names:+|}${NAME[$k]}"
	done
	report "$1" "$2" "$3" "$names"
}

# med CASE PATH FIELD: from report's medians: 2 = delivered pps, 3 = DUT
# ns/packet, 4 and 5 = packets anyxdp forwarded (steered) and passed to
# the kernel, over all runs.
med() { awk -v k="$2" -v f="$3" '$1 == k { print $f }' "$TMP/med.$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "PASS" : "MISS") }'; }
