#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end steering in the namespace lab (scripts/lab.sh, its own name):
# a client sends to the anycast site through PoP A's uplink, where anyxdp
# (XDP + TC) steers the packets into WireGuard tunnels.
#
#   1. without anyxdp the PoP's forward chain drops the client's packets,
#      so everything that passes later is anyxdp's doing
#   2. attach, blocklist, served prefixes, routes: UDP echo and TCP whodis
#      over IPv4 and IPv6 reach the site through popa; counters rise;
#      the SYN's MSS is clamped to the tunnel (1380 / 1360)
#   3. blocklisted sources are dropped
#   4. oversize packets with DF get ICMP too-big (mtu 1420) from anyxdp
#   5. a more specific route into popa's tunnel to popb moves the traffic
#   6. the tunnel is deleted: packets go to the kernel (pass_if_down);
#      re-created + `anyxdp route refresh`: steered again
#   7. with `anyxdp route refresh --watch` running, the tunnel set down
#      and up again: to the kernel and back, nobody refreshing by hand
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "network namespaces, XDP, WireGuard"

LAB=axe$(($$ % 100000))
T=$(mktemp -d /tmp/anyxdp-e2e.XXXXXX)
CAP_PID=

cleanup() {
	[[ -n $CAP_PID ]] && kill "$CAP_PID" 2>/dev/null
	[[ -n ${WATCH:-} ]] && kill "$WATCH" 2>/dev/null
	lab down >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM	# so the EXIT trap runs under timeout(1) too


for b in anyxdp anyxdp-block; do
	[[ -x $BIN/$b ]] || { fail "build/$b exists (run make)"; done_testing; exit 1; }
done

# ---- the lab ----

lab_up || { done_testing; exit 1; }
A4=$LAB_SITE_V4 A6=$LAB_SITE_V6
read -r BL4 _ <<<"$LAB_BLOCKED_V4"
BL6=$LAB_BLOCKED_V6
TUN=$LAB_TUN_POPA_SITE		# popa -> site
TUN_AB=$LAB_TUN_POPA_POPB	# popa -> popb

client() { nsenter --net=/run/netns/"$LAB_NS_CLIENT" "$@"; }
inet() { nsenter --net=/run/netns/"$LAB_NS_INET" "$@"; }
popa() { nsenter --net=/run/netns/"$LAB_NS_POPA" "$@"; }
popb() { nsenter --net=/run/netns/"$LAB_NS_POPB" "$@"; }
# anyxdp runs in popa: interface names are looked up in its namespace
ax() { popa "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" "$@"; }
axb() { "$BIN/anyxdp-block" --pin-dir "$LAB_PIN_POPA" "$@"; }
# probe udp|tcp ADDR [--src A]: the answer on stdout, exit 1 on timeout
probe() { client "$PY" "$LAB_PROBE" "$@" --timeout 1 --tries 2; }
# no_answer udp|tcp ADDR ...: one short try, for things that must fail
no_answer() { client "$PY" "$LAB_PROBE" "$@" --timeout 1 --tries 1; }
# The client's cached path MTUs (from ICMP too-big) would lower its own MSS.
flush_client_cache() { client ip route flush cache; client ip -6 route flush cache; }

# JSON helpers, tolerant of where the CLI puts things:
#   j.py reason STATS NAME            packets of a reason in `stats --json`
#   j.py route ROUTES PREFIX COUNTER  packets of a counter of a route entry
#   j.py field ROUTES PREFIX KEY      a key anywhere inside a route entry
export AX_LAB_PY=$TOP/tests/lab	# jwalk.py
cat >"$T/j.py" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["AX_LAB_PY"])
from jwalk import walk, entry, find, load_or_exit

def packets(v):
    if isinstance(v, dict):
        v = v.get('packets')
    return v if isinstance(v, int) else None

what, f = sys.argv[1], sys.argv[2]
d = load_or_exit(f)
if what == 'reason':
    r = d.get('reasons', {}).get(sys.argv[3])
    print(packets(r) if packets(r) is not None else 'missing')
elif what == 'route':
    e = entry(d, sys.argv[3])
    v = packets(find(e, sys.argv[4])) if e else None
    print(v if v is not None else 'missing')
elif what == 'field':
    e = entry(d, sys.argv[3])
    v = find(e, sys.argv[4]) if e else None
    print(json.dumps(v) if v is not None else 'missing')
PY
j() { "$PY" "$T/j.py" "$@"; }
# snap NAME: stats and route list now
snap() {
	ax stats --json >"$T/$1.stats" 2>"$T/$1.err"
	ax route list --json >"$T/$1.routes" 2>>"$T/$1.err"
}
# sdelta A B REASON / rdelta A B PREFIX COUNTER: growth between snaps
num() { [[ $1 =~ ^[0-9]+$ ]]; }
sdelta() {
	local a b
	a=$(j reason "$T/$1.stats" "$3") b=$(j reason "$T/$2.stats" "$3")
	if num "$a" && num "$b"; then echo $((b - a)); else echo "n/a($3: $a -> $b)"; fi
}
rdelta() {
	local a b
	a=$(j route "$T/$1.routes" "$3" "$4") b=$(j route "$T/$2.routes" "$3" "$4")
	if num "$a" && num "$b"; then echo $((b - a)); else echo "n/a($3 $4: $a -> $b)"; fi
}
# at_least "description" VALUE MIN: passes when VALUE is a number >= MIN
at_least() {
	if num "$2" && [[ $2 -ge $3 ]]; then pass "$1"; else fail "$1" "got '$2', expected >= $3"; fi
}

# capture_start: the client's SYNs as they leave inet toward popa
capture_start() {
	local i
	: >"$T/cap.err"
	inet timeout 30 tcpdump -i pa0 -nn -U --immediate-mode -w "$T/cap.pcap" 'tcp dst port 80' 2>"$T/cap.err" &
	CAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$T/cap.err" && return 0
		sleep 0.1
	done
	return 1
}
# capture_mss: "MSS4 MSS6" of the first SYN of each family captured
capture_mss() {
	sleep 0.2
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
	tcpdump -r "$T/cap.pcap" -nn 2>/dev/null | awk '
		/Flags \[S\]/ && match($0, /mss [0-9]+/) {
			m = substr($0, RSTART + 4, RLENGTH - 4)
			if ($2 == "IP" && !v4) v4 = m
			if ($2 == "IP6" && !v6) v6 = m
		}
		END { print (v4 ? v4 : "none"), (v6 ? v6 : "none") }'
}
# answered "description" RC OUTPUT: passes when RC is 0, else shows OUTPUT
answered() {
	if [[ $2 -eq 0 ]]; then pass "$1"; else fail "$1" "$3"; fi
}
# answer_of "pop=popa dev=... mss=1380" KEY
answer_of() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

# ---- 1. without anyxdp nothing gets through ----

not_ok "no anyxdp: UDP echo $A4 unreachable (forward chain drops uplink traffic)" no_answer udp "$A4"
not_ok "no anyxdp: TCP whodis [$A6] unreachable" no_answer tcp "$A6"
# Control: the site and the tunnel work, only the PoP's uplink is closed.
popa ip route add "$A4/32" dev "$TUN"
W=$(popa "$PY" "$LAB_PROBE" tcp "$A4" --timeout 1 --tries 2 2>&1)
answered "control: whodis answers popa itself through $TUN" "$?" "$W"
popa ip route del "$A4/32" dev "$TUN"

# ---- 2. attach, lists, prefixes, routes ----

ok "attach anyxdp to popa's uplink (native)" ax attach "$LAB_UPLINK" --mode native
check "kernel: XDP program on popa $LAB_UPLINK" "\"\$(popa ip link show $LAB_UPLINK)\" == *prog/xdp*"
ok "anyxdp-block load ipsum.txt dropv6.txt" axb load -q "$TOP/tests/data/ipsum.txt" "$TOP/tests/data/dropv6.txt"
ok "prefix add $LAB_ANYCAST_V4" ax prefix add "$LAB_ANYCAST_V4"
ok "prefix add $LAB_ANYCAST_V6" ax prefix add "$LAB_ANYCAST_V6"
ok "route add $LAB_ANYCAST_V4 dev $TUN" ax route add "$LAB_ANYCAST_V4" dev "$TUN"
ok "route add $LAB_ANYCAST_V6 dev $TUN via $LAB_LL_SITE_POPA" \
	ax route add "$LAB_ANYCAST_V6" dev "$TUN" via "$LAB_LL_SITE_POPA"
ax route list --json >"$T/routes0.json" 2>"$T/routes0.err"
equal "route list --json: $LAB_ANYCAST_V4 goes to $TUN" "$(j field "$T/routes0.json" "$LAB_ANYCAST_V4" dev)" "\"$TUN\""

flush_client_cache
snap s0
capture_start
check "tcpdump listening in inet" "$? -eq 0"
U4=$(probe udp "$A4" 2>&1)
answered "steered: UDP echo $A4" "$?" "$U4"
U6=$(probe udp "$A6" 2>&1)
answered "steered: UDP echo $A6" "$?" "$U6"
W4=$(probe tcp "$A4" 2>&1)
answered "steered: TCP whodis $A4" "$?" "$W4"
W6=$(probe tcp "$A6" 2>&1)
answered "steered: TCP whodis $A6" "$?" "$W6"
echo "# whodis: $W4 | $W6"
equal "whodis over IPv4 came through popa" "$(answer_of "$W4" pop)" popa
equal "whodis over IPv6 came through popa" "$(answer_of "$W6" pop)" popa
read -r M4 M6 <<<"$(capture_mss)"
[[ $M4 == none || $M6 == none ]] && { sed 's/^/# tcpdump: /' "$T/cap.err"; tcpdump -r "$T/cap.pcap" -nn 2>&1 | sed 's/^/# pcap: /' | head -5; }
equal "client sent MSS 1460 (IPv4, MTU 1500)" "$M4" 1460
equal "client sent MSS 1440 (IPv6)" "$M6" 1440
equal "site saw MSS 1380 over IPv4 (tunnel MTU 1420 - 40)" "$(answer_of "$W4" mss)" 1380
equal "site saw MSS 1360 over IPv6 (tunnel MTU 1420 - 60)" "$(answer_of "$W6" mss)" 1360
snap s1
at_least "stats: steer_tc rose by >= 4 (2 UDP + 2 SYN at least)" "$(sdelta s0 s1 steer_tc)" 4
at_least "stats: event_tc_redirect rose by >= 4" "$(sdelta s0 s1 event_tc_redirect)" 4
at_least "stats: event_mss_clamped rose by >= 2" "$(sdelta s0 s1 event_mss_clamped)" 2
at_least "route list: $LAB_ANYCAST_V4 steered rose by >= 2" "$(rdelta s0 s1 "$LAB_ANYCAST_V4" steered)" 2
at_least "route list: $LAB_ANYCAST_V6 steered rose by >= 2" "$(rdelta s0 s1 "$LAB_ANYCAST_V6" steered)" 2
echo "# deltas: steer_tc $(sdelta s0 s1 steer_tc), tc_redirect $(sdelta s0 s1 event_tc_redirect)," \
	"mss_clamped $(sdelta s0 s1 event_mss_clamped), route v4 $(rdelta s0 s1 "$LAB_ANYCAST_V4" steered)," \
	"v6 $(rdelta s0 s1 "$LAB_ANYCAST_V6" steered)"
ok "ping $A4 (clean source) answered" client ping -c 2 -i 0.2 -W 1 "$A4"

# ---- 3. blocklisted sources ----

snap s2
not_ok "ping $A4 from listed $BL4: no answer" client ping -c 1 -W 1 -I "$BL4" "$A4"
not_ok "ping $A6 from listed $BL6: no answer" client ping -c 1 -W 1 -I "$BL6" "$A6"
not_ok "UDP echo from listed $BL4: no answer" no_answer udp "$A4" --src "$BL4"
snap s3
at_least "stats: drop_blocklist rose by >= 3" "$(sdelta s2 s3 drop_blocklist)" 3
equal "stats: nothing from listed sources steered" "$(sdelta s2 s3 steer_tc)" 0
at_least "route list: $LAB_ANYCAST_V4 drop_blocklist rose by >= 2" "$(rdelta s2 s3 "$LAB_ANYCAST_V4" drop_blocklist)" 2

# ---- 4. too big for the tunnel: ICMP from anyxdp ----

OUT=$(client ping -c 1 -W 1 -M "do" -s 1450 "$A4" 2>&1)
echo "# ${OUT//$'\n'/ | }"
check "ping -M do -s 1450 $A4: Frag needed (mtu = 1420)" "\"\$OUT\" == *'Frag needed and DF set (mtu = 1420)'*"
OUT=$(client ping -6 -c 1 -W 1 -s 1450 "$A6" 2>&1)
echo "# ${OUT//$'\n'/ | }"
check "ping -6 -s 1450 $A6: Packet too big (mtu=1420)" "\"\$OUT\" == *'Packet too big: mtu=1420'*"
snap s4
at_least "stats: tx_icmp_too_big rose by >= 2" "$(sdelta s3 s4 tx_icmp_too_big)" 2
at_least "route list: $LAB_ANYCAST_V4 icmp_too_big rose" "$(rdelta s3 s4 "$LAB_ANYCAST_V4" icmp_too_big)" 1
flush_client_cache

# ---- 5. a more specific route into popa's tunnel to popb ----

# popb has no anyxdp here: its kernel forwards from the tunnel to the site
# (its forward chain only drops what arrives on the uplink).
popb ip route add "$LAB_ANYCAST_V4" dev "$LAB_TUN_POPB_SITE"
popb ip -6 route add "$LAB_ANYCAST_V6" via "$LAB_LL_SITE_POPB" dev "$LAB_TUN_POPB_SITE"
R4=198.51.100.0/25 R6=2001:db8:100::/64
ok "route add $R4 dev $TUN_AB" ax route add "$R4" dev "$TUN_AB"
ok "route add $R6 dev $TUN_AB via $LAB_LL_POPB_POPA" ax route add "$R6" dev "$TUN_AB" via "$LAB_LL_POPB_POPA"
snap s5
W4=$(probe tcp "$A4" 2>&1)
W6=$(probe tcp "$A6" 2>&1)
echo "# whodis: $W4 | $W6"
equal "moved: whodis over IPv4 now through popb" "$(answer_of "$W4" pop)" popb
equal "moved: whodis over IPv6 now through popb" "$(answer_of "$W6" pop)" popb
equal "moved: MSS still clamped to 1380 (popa->popb tunnel MTU 1420)" "$(answer_of "$W4" mss)" 1380
snap s6
at_least "route list: $R4 steered rose" "$(rdelta s5 s6 "$R4" steered)" 1
at_least "route list: $R6 steered rose" "$(rdelta s5 s6 "$R6" steered)" 1
ok "route del $R4" ax route del "$R4"
ok "route del $R6" ax route del "$R6"
W4=$(probe tcp "$A4" 2>&1)
equal "route deleted: whodis back through popa" "$(answer_of "$W4" pop)" popa

# ---- 6. the tunnel disappears, and comes back ----

IDX_OLD=$(popa ip -o link show "$TUN" | cut -d: -f1)
ok "ip link del $TUN (popa's tunnel to the site)" popa ip link del "$TUN"
snap s7
not_ok "tunnel gone: UDP echo $A4 gets no answer" no_answer udp "$A4"
not_ok "tunnel gone: TCP whodis [$A6] gets no answer" no_answer tcp "$A6"
snap s8
at_least "stats: pass_if_down rose by >= 2" "$(sdelta s7 s8 pass_if_down)" 2
equal "stats: nothing steered while the tunnel is gone" "$(sdelta s7 s8 steer_tc)" 0
ok "anyxdp status works with the tunnel gone" ax status
ok "anyxdp status --json works" ax status --json
ok "anyxdp route list works" ax route list
check "XDP still attached to popa $LAB_UPLINK" "\"\$(popa ip link show $LAB_UPLINK)\" == *prog/xdp*"

ok "lab: $TUN re-created (same name, keys, addresses)" lab tunnel "$TUN"
IDX_NEW=$(popa ip -o link show "$TUN" | cut -d: -f1)
check "re-created $TUN has a new ifindex ($IDX_OLD -> $IDX_NEW)" "'$IDX_NEW' != '$IDX_OLD'"
ok "anyxdp route refresh" ax route refresh
ax route list --json >"$T/routes9.json" 2>"$T/routes9.err"
equal "route list --json: $LAB_ANYCAST_V4 has the new ifindex" "$(j field "$T/routes9.json" "$LAB_ANYCAST_V4" ifindex)" "$IDX_NEW"
snap s9
U4=$(probe udp "$A4" 2>&1)
answered "refreshed: UDP echo $A4" "$?" "$U4"
W6=$(probe tcp "$A6" 2>&1)
equal "refreshed: whodis over IPv6 through popa" "$(answer_of "$W6" pop)" popa
snap s10
at_least "stats: steer_tc rose again after refresh" "$(sdelta s9 s10 steer_tc)" 2

# ---- 7. admin down and up, followed by route refresh --watch ----

# The route's via is link-local (as Babel's are), which a FIB lookup cannot
# check: marking it down is the watcher's job.
# (nsenter execs anyxdp, so $! is anyxdp itself, not a subshell)
nsenter --net=/run/netns/"$LAB_NS_POPA" "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" \
	route refresh --watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH=$!
sleep 0.5
# route_state: poll route list for the state of the IPv4 route, up to 3 s
route_state() {
	local i s
	for ((i = 0; i < 30; i++)); do
		ax route list --json >"$T/rl.json" 2>/dev/null
		s=$(j field "$T/rl.json" "$LAB_ANYCAST_V4" state)
		s=${s//\"/}
		[[ $s == "$1" ]] && break
		sleep 0.1
	done
	echo "$s"
}
ok "ip link set $TUN down" popa ip link set "$TUN" down
equal "--watch marked the route down by itself" "$(route_state down)" down
snap s11
not_ok "tunnel down: UDP echo $A4 gets no answer" no_answer udp "$A4"
snap s12
at_least "stats: pass_if_down rose while the tunnel is down" "$(sdelta s11 s12 pass_if_down)" 1
equal "stats: nothing steered into the down tunnel" "$(sdelta s11 s12 steer_tc)" 0
ok "ip link set $TUN up" popa ip link set "$TUN" up
equal "--watch marked the route up again" "$(route_state up)" up
U4=$(probe udp "$A4" 2>&1)
answered "tunnel up again: UDP echo $A4" "$?" "$U4"
kill -TERM "$WATCH" 2>/dev/null
wait "$WATCH"
equal "route refresh --watch exits 0 on SIGTERM" "$?" 0

done_testing
