#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Steering throughput: anyxdp against the kernel's forwarding of the same
# traffic, into a veth next hop and into a wireguard-go tunnel.
#   tests/bench/bench_steer.sh [--reps N] [--secs S] [--warmup S] [--quick]
#                              [--no-tunnel] [--no-conntrack] [--no-ref]
#   --quick: 1 run of 2 s per path, no profile
# The report (markdown) goes to stdout, progress to stderr. Needs root,
# `make bench-bins`, wireguard-go + wg (else no tunnel case) and nft
# (else no conntrack case). Environment: LIST, the blocklist anyxdp
# holds during the runs (default ../shared/data/ipsum.txt or
# /work/shared/data/ipsum.txt; none if not found or LIST=none);
# ATTACH_OPTS, more options for `anyxdp attach` (--no-entry-counters).
#
# Three namespaces of our own, deleted at exit:
#   GEN [axsg] --veth-- [axsd] DUT [axso] --veth-- [axsk] SINK   next hop
#                              DUT [axsu] --veth-- [axsv] SINK   underlay
#                              DUT [wgD] ==wireguard-go== [wgS] SINK
# build/bench_steer does each measuring window: the generator on axsg,
# frames to 198.51.100.10 (a served address), counted at the sink
# (bench_drop_xdp on axsk, or the rx_packets of wgS).
set -u
cd "$(dirname "$0")/../.." || exit 1
ME=bench_steer
. tests/bench/lib_steer.sh

TUNNEL=1 CONNTRACK=1 REF=1
while (($#)); do
	case $1 in
	--no-tunnel) TUNNEL=0; shift ;;
	--no-conntrack) CONNTRACK=0; shift ;;
	--no-ref) REF=0; shift ;;
	*) common_opt "$@"; shift "$SHIFT" ;;
	esac
done
check_env
if ((TUNNEL)) && ! { command -v wireguard-go && command -v wg; } >/dev/null; then
	NOTES+=("No tunnel case: wireguard-go or wg is not installed (make deps).")
	TUNNEL=0
fi
if ((CONNTRACK)) && ! command -v nft >/dev/null; then
	NOTES+=("No conntrack case: nft is not installed.")
	CONNTRACK=0
fi
read -r -a ATTACH_OPTS <<<"${ATTACH_OPTS:-}"

ID=$$
G=axs-gen-$ID D=axs-dut-$ID S=axs-sink-$ID
PIN=/sys/fs/bpf/anyxdp-bench-steer-$ID
WGD=axs${ID}d WGS=axs${ID}s	# names of the tunnel ends; unique: wireguard-go's socket is global
WG_RUN=/var/run/wireguard
DST=198.51.100.10 SERVED=198.51.100.0/24 SINK_IP=10.201.1.2
WG_PIDS=()
WINDOW=(--gen-ns "$G" --gen-if axsg --dut-ns "$D" --dut-if axsd --sink-ns "$S" --dst $DST)

cleanup_hook() {
	local p
	if [[ -e /run/netns/$D ]]; then
		ax detach axsd >/dev/null 2>&1
	fi
	for p in "${WG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${WG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -f "$WG_RUN/$WGD.sock" "$WG_RUN/$WGS.sock"
}

# ---- topology ----

setup_net() {
	make_ns "$G" "$D" "$S"
	veth "$G" axsg 10.201.0.2/30 "$D" axsd 10.201.0.1/30
	veth "$D" axso 10.201.1.1/30 "$S" axsk $SINK_IP/30
	veth "$D" axsu 10.201.2.1/30 "$S" axsv 10.201.2.2/30
	q inns "$D" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.axsd.rp_filter=0
	sink_neigh "$S" axsk $SINK_IP axso
}

# wg_start NS IFNAME KEY PEERPUB PEERADDR ADDR: one tunnel end.
wg_start() {
	local ns=$1 ifn=$2 key=$3 peer=$4 ep=$5 addr=$6 i
	rm -f "$WG_RUN/$ifn.sock"
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 LOG_LEVEL=error \
		nsenter --net=/run/netns/"$ns" wireguard-go -f "$ifn" >>"$LOG" 2>&1 </dev/null &
	WG_PIDS+=($!)
	for ((i = 0; i < 50; i++)); do
		[[ -S $WG_RUN/$ifn.sock ]] && break
		sleep 0.1
	done
	[[ -S $WG_RUN/$ifn.sock ]] || die "wireguard-go $ifn did not start"
	q inns "$ns" wg set "$ifn" listen-port 51820 private-key "$key" peer "$peer" \
		endpoint "$ep:51820" allowed-ips 0.0.0.0/0
	q ip -n "$ns" addr add "$addr" dev "$ifn"
	q ip -n "$ns" link set "$ifn" up
}

setup_tunnel() {
	(umask 077 && wg genkey >"$TMP/d.key" && wg genkey >"$TMP/s.key") || die "wg genkey failed"
	wg_start "$D" "$WGD" "$TMP/d.key" "$(wg pubkey <"$TMP/s.key")" 10.201.2.2 10.201.3.1/30
	wg_start "$S" "$WGS" "$TMP/s.key" "$(wg pubkey <"$TMP/d.key")" 10.201.2.1 10.201.3.2/30
	# the handshake, and proof that the tunnel carries packets
	inns "$D" ping -c 3 -i 0.2 -W 2 10.201.3.2 >>"$LOG" 2>&1 || die "no ping through the tunnel $WGD -> $WGS"
}

setup_anyxdp() {
	load_list
	q ax prefix add $SERVED
	q ax route add $SERVED dev axso via $SINK_IP
}

# ---- the paths under test: on_X sets X up, off_X takes it down ----

route_kernel() { q ip -n "$D" route replace $SERVED "$@"; }
route_none() { ip -n "$D" route del $SERVED >>"$LOG" 2>&1; return 0; }
on_anyxdp() { route_none; q ax attach axsd --mode native "${ATTACH_OPTS[@]}"; }
off_anyxdp() { q ax detach axsd; }
on_kernel() { route_kernel via $SINK_IP dev axso; }
off_kernel() { route_none; }
on_conntrack() {
	route_kernel via $SINK_IP dev axso
	# Any ct expression turns conntrack on in the namespace.
	printf '%s\n' 'table inet axsbench {' \
		'	chain forward {' \
		'		type filter hook forward priority filter; policy accept;' \
		'		ct state established,related,new counter accept' '	}' '}' >"$TMP/ct.nft"
	q inns "$D" nft -f "$TMP/ct.nft"
}
off_conntrack() { q inns "$D" nft delete table inet axsbench; route_none; }
on_ref() { route_none; }
off_ref() { :; }
on_tun_anyxdp() { route_none; q ax attach axsd --mode native "${ATTACH_OPTS[@]}"; }
off_tun_anyxdp() { q ax detach axsd; }
on_tun_kernel() { route_kernel dev "$WGD"; }
off_tun_kernel() { route_none; }

NAME=(
	[anyxdp]="anyxdp (XDP redirect)"
	[kernel]="kernel forwarding"
	[conntrack]="kernel forwarding + conntrack"
	[ref]="(ref) minimal XDP forwarder"
	[tun_anyxdp]="anyxdp (XDP -> TC redirect)"
	[tun_kernel]="kernel forwarding"
)

# anyxdp's steered and passed packets so far (steer_xdp steer_tc pass).
ax_counts() {
	ax_reasons '[n("steer_xdp"), n("steer_tc"),
		sum(v["packets"] for v in r.values() if v.get("verdict") == "pass")]' "0 0 0"
}

ax_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y);
		printf "ax_xdp=%d ax_tc=%d ax_pass=%d", y[1] - x[1], y[2] - x[2], y[3] - x[3] }'
}
ax_dump() {
	ax stats --json
	bpftool map dump pinned "$PIN/steer_stats_v4"
	ax route list
}

# ---- the runs ----

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)
say "bench_steer: setting up (namespaces $G $D $S, pins $PIN)"
setup_net
setup_anyxdp
VETH=(anyxdp kernel)
((CONNTRACK)) && VETH+=(conntrack)
((REF)) && VETH+=(ref)
for ((rep = 1; rep <= REPS; rep++)); do
	n=${#VETH[@]}
	for ((i = 0; i < n; i++)); do
		p=${VETH[(i + rep - 1) % n]}	# rotate who goes first
		extra=(--sink-xdp axsk)
		[[ $p == ref ]] && extra+=(--ref-fwd axso)
		run veth "$p" "$rep" "${extra[@]}"
	done
done
if ((!QUICK)); then
	say "  profile: BPF run-time statistics on, one run each"
	run prof anyxdp 1 --sink-xdp axsk --profile
	((REF)) && run prof ref 1 --sink-xdp axsk --ref-fwd axso --profile
fi
if ((TUNNEL)); then
	setup_tunnel
	q ax route add $SERVED dev "$WGD"
	rotate tunnel "tun_anyxdp tun_kernel" --sink-dev "$WGS"
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
TOOK=$(($(date +%s) - T0))

# ---- the report ----

cat <<EOF
## Steering throughput (bench_steer)

Three network namespaces: GEN --veth--> DUT (the PoP) --veth or WireGuard--> SINK.
Generator: \`bench_sgen_xdp\` run by bpf_prog_test_run_opts in live-frames mode
on GEN's veth, one thread on CPU 0, as fast as it goes (idle priority, so it only
takes CPU nobody else wants): 60-byte UDP/IPv4 frames to $DST (inside the served
prefix $SERVED) from 254 sources, sent with XDP_TX into the DUT. The DUT's
ingress veth runs threaded NAPI, pinned to CPU 1 (real-time priority): all of
the DUT's forwarding work (XDP, the stack, the transmit into the next hop)
happens in that one thread, whose run time per packet received is the DUT's
CPU cost ("DUT ns/packet"); its inverse is what one CPU could forward.
Packets are counted where they arrive: by \`bench_drop_xdp\` on the sink's
veth (its NAPI thread pinned to CPU 0, real-time), or by the rx_packets of
the sink's tunnel interface. Paths, the same traffic for each:

- anyxdp: \`anyxdp attach axsd --mode native${ATTACH_OPTS[*]:+ ${ATTACH_OPTS[*]}}\`, \`anyxdp prefix add $SERVED\`,
  \`anyxdp route add $SERVED dev axso via $SINK_IP\` (or \`dev <tunnel>\`),
  no kernel route for the prefix (so only what anyxdp steers arrives)$([[ -n ${LIST:-} ]] && printf ',\n  %s' "$(list_note "the sources are")");
- kernel: no XDP program, \`ip route replace $SERVED via $SINK_IP dev axso\`
  (or \`dev <tunnel>\`), ip_forward=1, rp_filter=0;
- kernel + conntrack: the same plus an nftables forward chain with a
  \`ct state established,related,new accept\` rule (conntrack on, 254 flows);
- (ref) \`bench_fwd_xdp\`: header check, TTL, fixed MACs, devmap redirect;
  no lookup, no counters: the floor of XDP forwarding on this path.

Rate = packets counted at the sink over a ${SECS} s window after ${WARMUP} s
warm-up; median of $REPS run(s), paths interleaved. The VM has $(nproc) vCPUs
and is noisy (runs vary by about 20%); load average before the runs
$LOAD0, after $LOAD1 (other work on the machine competes for the same CPUs).

EOF

echo "### Into a veth next hop"
echo
report veth rate "anyxdp kernel conntrack ref" \
	"${NAME[anyxdp]}|${NAME[kernel]}|${NAME[conntrack]}|${NAME[ref]}"
V=veth
r_pps=$(ratio "$(med "$V" anyxdp 2)" "$(med "$V" kernel 2)")
r_cpu=$(ratio "$(med "$V" kernel 3)" "$(med "$V" anyxdp 3)")
verdict=$(verdict "$r_pps" 3)
verdict_cpu=$(verdict "$r_cpu" 3)
r_ref=$(ratio "$(med "$V" ref 2)" "$(med "$V" kernel 2)")
cat <<EOF

"DUT ns/packet" is the run time of the DUT's NAPI thread per packet it received,
"1 CPU could forward" its inverse. The generator offers more than every path
takes (generated > received; the surplus is dropped at the DUT's receive
ring), but it and the sink share CPU 0, in bursts: "DUT CPU busy" (CPU 1 from
/proc/stat; real-time throttling caps it near 95%) shows how much of the
window the DUT had work. Below that, a faster DUT waited for traffic and its
delivered rate understates what it could do. anyxdp's own counters over its
runs: $(med "$V" anyxdp 4) packets steered, $(med "$V" anyxdp 5) passed to the kernel.

Targets:
- anyxdp / kernel into a veth, DUT CPU per packet (what one CPU forwards) = ${r_cpu}x, target >= 3x: $verdict_cpu
- anyxdp / kernel into a veth = ${r_pps}x delivered packets per second, target >= 3x: $verdict
  (the rig's ceiling: the minimal XDP forwarder, no lookups, delivers ${r_ref}x the kernel)
EOF
if [[ -n $(med "$V" conntrack 2) ]]; then
	echo "- (anyxdp / kernel with conntrack = $(ratio "$(med "$V" anyxdp 2)" "$(med "$V" conntrack 2)")x delivered, $(ratio "$(med "$V" conntrack 3)" "$(med "$V" anyxdp 3)")x CPU per packet)"
fi
if ((!QUICK)); then
	echo
	echo "Where the DUT's time goes (one run each with BPF run-time statistics on, which"
	echo "add two clock reads per packet; the rest of the DUT's time is the veth driver,"
	echo "the redirect and the transmit into the sink):"
	echo
	report prof prof "anyxdp ref" "anyxdp_xdp (steering)|bench_fwd_xdp (ref)"
fi
if ((TUNNEL)); then
	T=tunnel
	cat <<EOF

### Into a wireguard-go tunnel

The same generator into the DUT, routed into a wireguard-go tunnel (DUT end
\`$WGD\`, MTU 1420) over a second veth to wireguard-go in the sink; counted
as the sink tunnel's rx_packets. anyxdp steers through its TC half (XDP
metadata, \`bpf_redirect\` into the tunnel). Both wireguard-go processes float
over both CPUs; encryption and decryption bound the rate, so the DUT receives
far more than the tunnel carries and the rest is dropped at the tunnel's
queue; the DUT's work on that surplus takes CPU from wireguard-go, alike
for both paths. The rate is what wireguard-go manages here, not anyxdp's,
and varies more than the veth case from run to run.

EOF
	report tunnel kpps "tun_anyxdp tun_kernel" "${NAME[tun_anyxdp]}|${NAME[tun_kernel]}"
	echo
	echo "- anyxdp / kernel into the tunnel = $(ratio "$(med "$T" tun_anyxdp 2)" "$(med "$T" tun_kernel 2)")x delivered (no target: bounded by wireguard-go), DUT CPU per packet kernel / anyxdp = $(ratio "$(med "$T" tun_kernel 3)" "$(med "$T" tun_anyxdp 3)")x"
fi
for n in "${NOTES[@]}"; do
	printf '\n%s\n' "$n"
done
echo
echo "bench_steer took $TOOK s"
say "bench_steer: done in $TOOK s"
