#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Return-path throughput: replies of a site, arriving on a tunnel from a
# served prefix, forwarded to clients by anyxdp's tunnel program against
# the kernel's forwarding with conntrack, the same traffic in one run.
#   tests/bench/bench_return.sh [--reps N] [--secs S] [--warmup S] [--quick]
#                               [--no-tun] [--no-plain]
#   defaults: 3 runs of 2 s per path after 0.5 s of warm-up, then one
#   run each of anyxdp and the reference with BPF run-time statistics
#   --quick: 1 run of 2 s per path, no profile
#   --no-tun: no TUN cases; --no-plain: no plain kernel forwarding
# The report (markdown) goes to stdout, progress to stderr. Needs root,
# `make bench-bins` and nft. Environment: LIST, the blocklist anyxdp
# holds (default ../shared/data/ipsum.txt or /work/shared/data/ipsum.txt;
# none if not found or LIST=none); BIN, the binaries (default build).
#
# Three namespaces of our own, deleted at exit:
#   GEN [axrg] --veth-- [axrd] DUT [axro] --veth-- [axrk] SINK
#                 (TUN) [axrt] DUT
# axrd (an Ethernet link used as a tunnel) and axrt (a TUN device, as
# wireguard-go makes) are the PoP's tunnels towards the site; axro is its
# uplink, the sink the clients' side (192.0.2.0/24 is routed there).
# build/bench_steer does each measuring window: UDP from 254 served
# addresses 198.51.100.1.. to the client 192.0.2.10, either sent by the
# XDP generator on axrg into axrd, or written into axrt (--tun) from a
# thread on the DUT's CPU; counted by bench_drop_xdp on axrk.
set -u
cd "$(dirname "$0")/../.." || exit 1
ME=bench_return
. tests/bench/lib_steer.sh

TUN=1 PLAIN=1 SECS=2 WARMUP=0.5
while (($#)); do
	case $1 in
	--no-tun) TUN=0; shift ;;
	--no-plain) PLAIN=0; shift ;;
	*) common_opt "$@"; shift "$SHIFT" ;;
	esac
done
check_env
command -v nft >/dev/null || die "needs nft (the kernel cases are nftables rulesets)"

ID=$$
G=axr-gen-$ID D=axr-dut-$ID S=axr-sink-$ID
PIN=/sys/fs/bpf/anyxdp-bench-return-$ID
SERVED=198.51.100.0/24 SRC=198.51.100.1 CLIENTS=192.0.2.0/24 DST=192.0.2.10
SINK_IP=10.202.1.2
WINDOW=(--gen-ns "$G" --gen-if axrg --dut-ns "$D" --dut-if axrd --sink-ns "$S"
	--sink-xdp axrk --dst $DST --src-base $SRC --sources 254)
TUNWIN=(--gen-ns "$D" --gen-if axrt --dut-if axrt --tun)

cleanup_hook() {
	[[ -e /run/netns/$D ]] && ax tunnel detach --all >/dev/null 2>&1
	return 0
}

# ---- topology ----

setup_net() {
	local i
	make_ns "$G" "$D" "$S"
	veth "$G" axrg 10.202.0.2/30 "$D" axrd 10.202.0.1/30
	veth "$D" axro 10.202.1.1/30 "$S" axrk $SINK_IP/30
	q ip -n "$D" tuntap add dev axrt mode tun
	q ip -n "$D" addr add 10.202.3.1/30 dev axrt
	q ip -n "$D" link set axrt up
	# forwarding on (also on each tunnel: bpf_fib_lookup needs it), no
	# reverse-path filter (the site's addresses route back into axrd)
	q inns "$D" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	for i in axrd axrt; do
		q inns "$D" sysctl -qw net.ipv4.conf.$i.rp_filter=0 net.ipv4.conf.$i.forwarding=1
	done
	q ip -n "$D" route add $CLIENTS via $SINK_IP dev axro
	q ip -n "$D" route add $SERVED via 10.202.0.2 dev axrd
	sink_neigh "$S" axrk $SINK_IP axro
}

setup_anyxdp() {
	load_list
	q ax prefix add $SERVED
}

# ---- the paths under test: on_X sets X up, off_X takes it down ----

# nft_load IFACE RULESET: the ruleset of a path, table inet axrbench.
#   drop:     forward policy drop, no rule: nothing the kernel would
#             forward gets through (the anyxdp cases: only what anyxdp
#             redirects arrives; its redirect skips netfilter)
#   ct:       forward policy drop, ct state established,related accept;
#             ct state new accept; ct state untracked accept
#   notrack:  ct, plus prerouting at priority raw:
#             iifname IFACE ip saddr 198.51.100.0/24 notrack
nft_load() {
	local ifn=$1 set=$2
	{
		echo 'table inet axrbench {'
		echo '	chain forward {'
		echo '		type filter hook forward priority filter; policy drop;'
		if [[ $set != drop ]]; then
			echo '		ct state established,related accept'
			echo '		ct state new accept'
			echo '		ct state untracked accept'
		fi
		echo '	}'
		if [[ $set == notrack ]]; then
			echo '	chain prerouting {'
			echo '		type filter hook prerouting priority raw; policy accept;'
			echo "		iifname \"$ifn\" ip saddr $SERVED notrack"
			echo '	}'
		fi
		echo '}'
	} >"$TMP/rules.nft"
	q inns "$D" nft -f "$TMP/rules.nft"
}
nft_off() { q inns "$D" nft delete table inet axrbench; }

# The same paths for both kinds of tunnel: TUNIF is the one measured.
TUNIF=axrd
on_anyxdp() { nft_load $TUNIF drop; q ax tunnel attach $TUNIF; }
off_anyxdp() { q ax tunnel detach $TUNIF; nft_off; }
on_conntrack() { nft_load $TUNIF ct; }
on_notrack() { nft_load $TUNIF notrack; }
on_plain() { :; }
on_ref() { nft_load $TUNIF drop; }
off_conntrack() { nft_off; }
off_notrack() { nft_off; }
off_plain() { :; }
off_ref() { nft_off; }
# the TUN device's own cost: write(), skb, dropped at the ingress hook
on_floor() {
	printf '%s\n' 'table netdev axrfloor {' '	chain in {' \
		"		type filter hook ingress device \"$TUNIF\" priority -500; policy drop;" '	}' '}' >"$TMP/floor.nft"
	q inns "$D" nft -f "$TMP/floor.nft"
}
off_floor() { q inns "$D" nft delete table netdev axrfloor; }
# profile runs: the same, with BPF run-time statistics on the program
prog_id() {
	ax tunnel list --json 2>>"$LOG" | python3 -c '
import json, sys
print(next(t["prog_id"] for t in json.load(sys.stdin)["tunnels"] if t["ifname"] == sys.argv[1]))' "$1" 2>>"$LOG"
}
on_prof_anyxdp() { on_anyxdp; EXTRA[prof_anyxdp]="--prog-id $(prog_id $TUNIF)"; }
off_prof_anyxdp() { off_anyxdp; }
on_prof_ref() { on_ref; }
off_prof_ref() { off_ref; }

# the paths' names in the tables
while IFS='|' read -r k v; do NAME[$k]=$v; done <<'EOF'
anyxdp|anyxdp (tunnel, TC redirect)
conntrack|kernel forwarding + conntrack
notrack|kernel forwarding, notrack
plain|kernel forwarding, no nftables
ref|(ref) minimal TC forwarder
floor|(floor) TUN write, dropped at ingress
prof_anyxdp|anyxdp's tunnel program
prof_ref|(ref) minimal TC forwarder
EOF
EXTRA=([ref]="--ref-tc axro" [prof_ref]="--ref-tc axro --profile")

# anyxdp's tunnel counters so far: returned (forwarded), and passed to
# the kernel or dropped (every other tun_* reason).
ax_counts() {
	ax_reasons '[n("tun_return") + n("tun_relay"), sum(v["packets"] for k, v in r.items()
		if k.startswith("tun_") and k not in ("tun_return", "tun_relay"))]' "0 0"
}
ax_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y);
		printf "ax_fwd=%d ax_pass=%d", y[1] - x[1], y[2] - x[2] }'
}
ax_dump() {
	ax stats --json
	ax tunnel list
	ip -n "$D" route get $DST from $SRC iif axrd
}

# ---- the runs ----

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)
say "$ME: setting up (namespaces $G $D $S, pins $PIN)"
setup_net
setup_anyxdp
PATHS="anyxdp conntrack notrack"
((PLAIN)) && PATHS+=" plain"
# measure CASE [bench_steer options]: the paths, then the profile runs
measure() {
	local c=$1
	shift
	rotate "$c" "$PATHS ref$([[ $c == tun ]] && echo " floor")" "$@"
	if ((!QUICK)); then
		say "  profile: BPF run-time statistics on, one run each"
		run "prof_$c" prof_anyxdp 1 "$@"
		run "prof_$c" prof_ref 1 "$@"
	fi
}
measure veth
if ((TUN)); then
	TUNIF=axrt
	measure tun "${TUNWIN[@]}"
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
TOOK=$(($(date +%s) - T0))

# ---- the report ----

# nsx CASE PATH: the median DUT ns/packet of PATH; above CASE REF: how
# much more than REF's it costs.
nsx() { printf '%.0f' "$(med "$1" "$2" 3)"; }
above() { awk -v a="$(med "$1" "$2" 3)" -v b="$(med "$1" "$3" 3)" 'BEGIN { printf "%.0f", a - b }'; }

# vs CASE A B: "Nx delivered, Mx CPU per packet" of path A against B.
vs() {
	printf '%sx delivered, %sx CPU per packet' "$(ratio "$(med "$1" "$2" 2)" "$(med "$1" "$3" 2)")" \
		"$(ratio "$(med "$1" "$3" 3)" "$(med "$1" "$2" 3)")"
}

# targets CASE LABEL: the ratios of a table.
targets() {
	local c=$1 r_pps r_cpu
	r_pps=$(ratio "$(med "$c" anyxdp 2)" "$(med "$c" conntrack 2)")
	r_cpu=$(ratio "$(med "$c" conntrack 3)" "$(med "$c" anyxdp 3)")
	echo "- return path, $2: anyxdp / kernel + conntrack = ${r_pps}x delivered packets per second, target >= 3x: $(verdict "$r_pps" 3)"
	echo "- return path, $2: anyxdp / kernel + conntrack, DUT CPU per packet = ${r_cpu}x, target >= 3x: $(verdict "$r_cpu" 3)"
	echo "- ($2: anyxdp / kernel notrack = $(vs "$c" anyxdp notrack)$(
		[[ -n $(med "$c" plain 2) ]] && echo "; anyxdp / kernel without nftables = $(vs "$c" anyxdp plain)"))"
	echo "- ($2: the rig's ceiling for a TC program: the minimal TC forwarder / kernel + conntrack = $(vs "$c" ref conntrack); above the minimal forwarder, anyxdp costs $(above "$c" anyxdp ref) ns per packet, kernel + conntrack $(above "$c" conntrack ref) ns, notrack $(above "$c" notrack ref) ns)"
	echo "- ($2: anyxdp's own counters over its runs: $(med "$c" anyxdp 4) packets forwarded, $(med "$c" anyxdp 5) passed to the kernel or dropped)"
}

cat <<EOF
## Return-path throughput (bench_return)

Three network namespaces: GEN --veth--> DUT (the PoP) --veth--> SINK (the
clients' side), and a TUN device in the DUT. The traffic is a site's
replies coming back through a tunnel: 60-byte UDP/IPv4 packets from 254
served addresses ($SRC.., inside the served prefix $SERVED) to the
client $DST (routed on the DUT: \`$CLIENTS via $SINK_IP dev axro\`), 254 flows.
Two kinds of tunnel, each its own table:

- an Ethernet-framed link (veth \`axrd\`, as gretap or VXLAN): the frames
  come from \`bench_sgen_xdp\` run by bpf_prog_test_run_opts in live-frames
  mode on GEN's veth, one thread on CPU 0 at idle priority, as fast as it
  goes. \`axrd\` runs threaded NAPI pinned to CPU 1 (real-time): all of the
  DUT's work happens in that thread, whose run time per packet received is
  "DUT ns/packet";
- a TUN device (\`axrt\`, as wireguard-go makes): a thread pinned to CPU 1
  (real-time) writes the packets into \`/dev/net/tun\`, one write() each, as
  wireguard-go hands decrypted packets to the kernel. The kernel receives
  and forwards each packet inside the write(), so that thread's run time
  per packet is "DUT ns/packet", the write() itself included (the floor
  row: the same writes, dropped at once by an nftables netdev ingress
  chain with policy drop and no rule).

Packets are counted at the sink by \`bench_drop_xdp\` on \`axrk\` (its NAPI
thread on CPU 0, real-time). Paths, the same traffic for each:

- anyxdp: \`anyxdp tunnel attach axrd\` (or \`axrt\`; TC ingress, it picks
  \`anyxdp_tun_eth\` or \`anyxdp_tun\`), with \`anyxdp prefix add
  $SERVED\` done once$([[ -n ${LIST:-} ]] && printf ' and the %s' "$(list_note "the client is")");
  the DUT's forward chain drops everything (\`policy drop\`, no rule), so
  only what anyxdp redirects arrives;
- kernel + conntrack: the kernel's forwarding with the nftables ruleset of
  a PoP that tracks: \`table inet\`, forward chain \`policy drop\`,
  \`ct state established,related accept\`, \`ct state new accept\`,
  \`ct state untracked accept\` (one-way UDP stays "new": every packet finds
  its existing entry, as an established one would);
- kernel, notrack: the same ruleset plus a prerouting chain at priority
  raw: \`iifname "axrd" ip saddr $SERVED notrack\` (\`axrt\` for TUN):
  conntrack is loaded but skips these packets;$( ((PLAIN)) && printf '\n- kernel, no nftables: no ruleset at all, the routing path alone;')
- (ref) minimal TC forwarder (\`bench_steer --ref-tc\`): push an Ethernet
  header (TUN only), check the IPv4 header, TTL, fixed MACs,
  \`bpf_redirect\`; no lookup, no counters: the floor of forwarding with a
  TC program on this rig (forward chain dropping, as for anyxdp).

No XDP program on the DUT in any case; ip_forward=1, rp_filter=0,
forwarding=1 on the tunnels.

Rate = packets counted at the sink over a ${SECS} s window after ${WARMUP} s
warm-up; median of $REPS run(s), paths interleaved. The VM has $(nproc) vCPUs
and is noisy (runs vary by about 20%); load average before the runs
$LOAD0, after $LOAD1.

### From an Ethernet-framed tunnel (veth)

EOF
table veth rate "anyxdp conntrack notrack plain ref"
cat <<EOF

"DUT ns/packet" is the run time of the DUT's NAPI thread per packet it
received, "1 CPU could forward" its inverse; "DUT CPU busy" is CPU 1's busy
time from /proc/stat (real-time throttling caps it near 95%). The generator
and the sink share CPU 0: when the DUT is not busy, it waited for traffic
and its delivered rate understates what it could do.

Every path here, anyxdp's included, is an skb path: veth turns each frame
into an skb (and GRO looks at it) before TC or the stack sees it, and the
transmit into the sink's veth wakes the sink's NAPI thread on the other
CPU, often once per packet. That common part is what the minimal TC
forwarder costs ($(nsx veth ref) ns here); the steering benchmark's XDP path
(bench_steer) has neither.

Targets:
$(targets veth "Ethernet tunnel")
EOF
if ((TUN)); then
	cat <<EOF

### From a TUN device

EOF
	table tun rate "anyxdp conntrack notrack plain ref floor"
	cat <<EOF

Here "DUT ns/packet" is the writing thread's run time per packet written,
the tunnel daemon's write() included: $(nsx tun floor) ns of it is the write and the
TUN's receive alone (the floor row), which wireguard-go pays whatever
forwards the packet afterwards.

$(targets tun TUN)
EOF
fi
if ((!QUICK)); then
	cat <<EOF

### Where the DUT's time goes

One run each with BPF run-time statistics on (they add two clock reads per
packet): the time inside the TC program against all of the DUT's work per
packet (receive, skb, the program, the redirect, the transmit; for TUN the
write() too). Ethernet tunnel (\`anyxdp_tun_eth\`):

EOF
	table prof_veth prof "prof_anyxdp prof_ref"
	if ((TUN)); then
		echo
		echo "TUN (\`anyxdp_tun\`):"
		echo
		table prof_tun prof "prof_anyxdp prof_ref"
	fi
fi
for n in "${NOTES[@]}"; do
	printf '\n%s\n' "$n"
done
echo
echo "bench_return took $TOOK s"
say "$ME: done in $TOOK s"
