#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# See anyxdp steer and drop in the namespace lab (what `make demo` runs
# after building; the lab itself is scripts/lab.sh):
#
#   client -- inet --[up0] popa ==WireGuard== site 198.51.100.1, 2001:db8:100::1
#                \          \\ (popa->popb)  //
#                 `-[up0] popb ==WireGuard==//
#
#   anyxdp (XDP + TC) on both PoP uplinks, the real IPsum and Spamhaus
#   DROPv6 lists loaded, the anycast prefixes served and routed into the
#   tunnels to the site; then babeld chooses popa's tunnel and anyxdp sync
#   follows it, also when the direct tunnel is cut. The PoPs' kernels do not forward uplink traffic:
#   whatever reaches the site got there through anyxdp.
#
#   scripts/demo.sh        build the lab (replacing a previous one), send
#                          traffic, show what anyxdp did; the lab stays up
#   scripts/demo.sh down   remove it (the same as scripts/lab.sh down)
#
# Everything stays inside the lab's namespaces. Needs root.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

NAME=axlab
AX=$TOP/build/anyxdp
AXB=$TOP/build/anyxdp-block
LAB=$TOP/scripts/lab.sh

if [[ -t 1 ]]; then B=$'\033[1m' D=$'\033[2m' N=$'\033[0m'; else B='' D='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
note() { printf '   %s\n' "$*"; }
# show and run a command
cmd() {
	printf '%s$ %s%s\n' "$D" "$*" "$N"
	"$@"
}
die() {
	echo "demo: $*" >&2
	exit 1
}

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, XDP, BPF maps): sudo $0 ${1:-}"
case "${1:-up}" in
down) exec "$LAB" --name "$NAME" down ;;
up) ;;
-h | --help)
	sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*) die "usage: $0 [up|down]" ;;
esac
[[ -x $AX && -x $AXB ]] || die "build first: make"
command -v bpftool >/dev/null || die "'bpftool' is missing (scripts/deps.sh installs it)"
PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is missing"

# ---- 1. the lab ----

say "1. The lab: client, inet, popa, popb, site (scripts/lab.sh up)"
"$LAB" --name "$NAME" up | sed 's/^/   /'
[[ ${PIPESTATUS[0]} -eq 0 ]] || die "the lab did not come up"
eval "$("$LAB" --name "$NAME" env)"
client() { nsenter --net=/run/netns/"$LAB_NS_CLIENT" "$@"; }
# ax POP ARGS: anyxdp in that PoP's namespace, with its own pin dir
ax() {
	local pop=$1 pin=$LAB_PIN_POPA ns=$LAB_NS_POPA
	shift
	[[ $pop == popb ]] && pin=$LAB_PIN_POPB ns=$LAB_NS_POPB
	nsenter --net=/run/netns/"$ns" "$AX" --pin-dir "$pin" "$@"
}
TA=$LAB_TUN_POPA_SITE TB=$LAB_TUN_POPB_SITE
read -r BL4 _ <<<"$LAB_BLOCKED_V4"

# axc POP ARGS: show "[pop] $ anyxdp ARGS", then run it
axc() {
	printf '%s[%s] $ anyxdp %s%s\n' "$D" "$1" "${*:2}" "$N"
	ax "$@"
}

# ---- 2-4. anyxdp ----

say "2. Attach anyxdp (XDP + TC ingress) to both PoP uplinks"
note "each PoP runs anyxdp in its namespace with its own pin dir ($LAB_PIN_POPA, ...)"
for pop in popa popb; do
	axc "$pop" attach "$LAB_UPLINK" 2>&1 | sed 's/^/   /'
	[[ ${PIPESTATUS[0]} -eq 0 ]] || die "attach on $pop failed"
done

say "3. Load the real blocklists on both PoPs: IPsum and Spamhaus DROPv6"
for pin in "$LAB_PIN_POPA" "$LAB_PIN_POPB"; do
	cmd build/anyxdp-block --pin-dir "$pin" load -q tests/data/ipsum.txt tests/data/dropv6.txt ||
		die "load failed"
done

say "4. Serve the anycast prefixes; route them into each PoP's tunnel to the site"
note "(IPv6 via the site's link-local address on the tunnel)"
for pop in popa popb; do
	tun=$TA ll=$LAB_LL_SITE_POPA
	[[ $pop == popb ]] && tun=$TB ll=$LAB_LL_SITE_POPB
	axc "$pop" prefix add "$LAB_ANYCAST_V4" &&
		axc "$pop" prefix add "$LAB_ANYCAST_V6" &&
		axc "$pop" route add "$LAB_ANYCAST_V4" dev "$tun" &&
		axc "$pop" route add "$LAB_ANYCAST_V6" dev "$tun" via "$ll" ||
		die "prefix or route add on $pop failed"
done

# ---- 5. traffic ----

say "5. Traffic from the client; inet routes the anycast prefixes to popa"
probe() { client "$PY" "$LAB_PROBE" "$@" --timeout 1 --tries 2 2>&1; }
row() { printf '   %-52s %s\n' "$1" "$2"; }
for a in "$LAB_SITE_V4" "$LAB_SITE_V6"; do
	r=$(probe udp "$a") && r="answered (echo $r)"
	row "UDP echo to $a" "$r"
	row "TCP whodis to $a" "$(probe tcp "$a")"
done
r=$(client ping -c 3 -i 0.2 -W 1 "$LAB_SITE_V4" 2>&1 | grep -o '[0-9]* received')
row "ping $LAB_SITE_V4 (3 sent)" "$r"
r=$(client ping -c 3 -i 0.2 -W 1 -I "$BL4" "$LAB_SITE_V4" 2>&1 | grep -o '[0-9]* received')
row "ping $LAB_SITE_V4 from $BL4 (IPsum)" "$r"
r=$(client ping -c 3 -i 0.2 -W 1 -I "$LAB_BLOCKED_V6" "$LAB_SITE_V6" 2>&1 | grep -o '[0-9]* received')
row "ping $LAB_SITE_V6 from $LAB_BLOCKED_V6 (DROPv6)" "$r"
r=$(client ping -c 1 -W 1 -M "do" -s 1450 "$LAB_SITE_V4" 2>&1 | grep -o 'From.*')
row "ping -M do -s 1450 $LAB_SITE_V4" "${r:-no answer}"
r=$(client ping -c 1 -W 1 -s 1450 "$LAB_SITE_V6" 2>&1 | grep -o 'From.*')
row "ping -s 1450 $LAB_SITE_V6" "${r:-no answer}"
client ip route flush cache
client ip -6 route flush cache
note ""
note "whodis names the PoP and tunnel the connection came through, and the MSS"
note "of the client's SYN as the site saw it: the client sent 1460 (IPv6: 1440),"
note "anyxdp lowered it to fit the 1420-byte tunnel. Oversize packets with DF"
note "get ICMP frag-needed / packet-too-big from anyxdp at popa's uplink."

# ---- 6. what anyxdp says ----

say "6. anyxdp stats on popa: packets by verdict and reason (zero rows left out)"
axc popa stats | awk '!/^ +[a-z_]+ +0 +0$/' | sed 's/^/   /'

say "7. anyxdp route list on popa: counters per served prefix and route"
axc popa route list | sed 's/^/   /'

say "8. The same per-prefix counters straight from the pinned map, with bpftool"
printf '%s$ bpftool map dump pinned %s/steer_stats_v4 | head -14%s\n' "$D" "$LAB_PIN_POPA" "$N"
bpftool map dump pinned "$LAB_PIN_POPA/steer_stats_v4" | head -14 | sed 's/^/   /'
note "...  (one value per CPU; summed, the non-zero counters are:)"
bpftool -j map dump pinned "$LAB_PIN_POPA/steer_stats_v4" | "$PY" -c '
import json, sys
for e in json.load(sys.stdin):
    f = e.get("formatted", e)
    k = f["key"]
    tot = {}
    for v in f["values"]:
        for name, c in v["value"].items():
            t = tot.setdefault(name, [0, 0])
            t[0] += c["packets"]
            t[1] += c["bytes"]
    busy = ", ".join("%s %d" % (n, p) for n, (p, b) in tot.items() if p)
    print("   %s/%d: %s" % (".".join(map(str, k["addr"])), k["prefixlen"], busy or "no packets yet"))
'

# ---- 9. Babel decides ----

say "9. Let Babel choose the tunnel: babeld on the site and both PoPs, anyxdp sync on popa"
note "the site announces the anycast prefixes over the tunnels; popa's static"
note "routes go, and anyxdp sync follows what babeld selects into the map"
for p in "$LAB_ANYCAST_V4" "$LAB_ANYCAST_V6"; do
	axc popa route del "$p" | sed 's/^/   /'
done
cmd "$LAB" --name "$NAME" routing up babeld >/dev/null || die "babeld did not start"
for p in "$LAB_ANYCAST_V4" "$LAB_ANYCAST_V6"; do
	"$LAB" --name "$NAME" routing wait "$p" popa --dev "$TA" --timeout 40 >/dev/null ||
		die "popa did not learn $p from babeld"
done
printf '%s[popa] $ anyxdp sync --babel [::1]:33123 --iface %q &%s\n' "$D" "$NAME-*" "$N"
SYNC_LOG=/run/anyxdp-lab/$NAME/sync-popa.log
ax popa sync --babel '[::1]:33123' --iface "$NAME-*" >"$SYNC_LOG" 2>&1 &
for ((i = 0; i < 50; i++)); do
	[[ $(ax popa route list 2>/dev/null | grep -c learned) -ge 2 ]] && break
	sleep 0.1
done
axc popa route list | sed 's/^/   /'
row "TCP whodis to $LAB_SITE_V4" "$(probe tcp "$LAB_SITE_V4")"

note ""
note "cut the direct tunnel (the site's end of popa-site goes down): Babel"
note "reroutes through popb, and the map follows"
cmd "$LAB" --name "$NAME" link "$LAB_TUN_SITE_POPA" down
ms=$("$LAB" --name "$NAME" routing wait "$LAB_ANYCAST_V4" popa --dev "$LAB_TUN_POPA_POPB" --timeout 40) ||
	die "babeld did not reroute"
note "babeld rerouted after $ms ms (its hello interval in the lab is 1 s)"
for ((i = 0; i < 50; i++)); do
	ax popa route list 2>/dev/null | grep learned | grep -q "$LAB_TUN_POPA_POPB" && break
	sleep 0.1
done
axc popa route list | sed 's/^/   /'
row "TCP whodis to $LAB_SITE_V4" "$(probe tcp "$LAB_SITE_V4")"
sleep 0.3	# the sync publishes its status within 200 ms of a change
axc popa sync status | sed 's/^/   /'
cmd "$LAB" --name "$NAME" link "$LAB_TUN_SITE_POPA" up
note "(the tunnel is back; Babel returns to it in a few seconds, and so does the map)"

# ---- 10. monitoring ----

say "10. What monitoring sees: anyxdp exporter on popa, scraped with curl"
EXP_LOG=/run/anyxdp-lab/$NAME/exporter-popa.log
printf '%s[popa] $ anyxdp exporter --listen 127.0.0.1:9477 &%s\n' "$D" "$N"
ax popa exporter --listen 127.0.0.1:9477 >"$EXP_LOG" 2>&1 &
EXP_PID=$!
for ((i = 0; i < 50; i++)); do
	grep -q listening "$EXP_LOG" 2>/dev/null && break
	sleep 0.1
done
printf '%s[popa] $ curl -s http://127.0.0.1:9477/metrics | grep ...%s\n' "$D" "$N"
nsenter --net=/run/netns/"$LAB_NS_POPA" curl -s --max-time 5 http://127.0.0.1:9477/metrics |
	grep -E '^anyxdp_(served_prefix_packets_total\{[^ ]*path="uplink",verdict="steer"[^ ]*|blocklist_source_(entries|packets_total)\{[^ ]*|blocklist_generation|sync_connected|up) ' |
	sed 's/^/   /' || note "(the exporter did not answer: see $EXP_LOG)"
kill "$EXP_PID" 2>/dev/null
wait "$EXP_PID" 2>/dev/null
note "the same text for node_exporter's textfile collector: anyxdp stats --prometheus --output FILE"

# ---- next steps ----

say "The lab is still up. Explore it (as root, from this directory):"
AXA="$LAB_NS_POPA build/anyxdp --pin-dir $LAB_PIN_POPA"
hint() { printf '   %s# %s%s\n   %s\n' "$D" "$1" "$N" "$2"; }
hint "tunnels, handshakes, services" "scripts/lab.sh status"
hint "ask the site which PoP the connection came through" \
	"scripts/lab.sh exec client python3 tests/lab/probe.py tcp $LAB_SITE_V4"
hint "per-route counters on popa" "nsenter --net=/run/netns/$AXA route list"
hint "send the anycast traffic to popb instead (and back: move popa)" "scripts/lab.sh move popb"
hint "the route sync: its state, the routes it ignores, its log" \
	"nsenter --net=/run/netns/$AXA sync status; cat $SYNC_LOG"
hint "watch popa live: rates by verdict, busiest prefixes (q quits)" \
	"nsenter --net=/run/netns/$AXA top"
hint "cut popa's direct tunnel and watch the map follow Babel" \
	"scripts/lab.sh link $LAB_TUN_SITE_POPA down; nsenter --net=/run/netns/$AXA route list"
say "Tear it down:"
note "scripts/demo.sh down    (or: scripts/lab.sh down)"
