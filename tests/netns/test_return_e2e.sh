#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The conntrack-free return path end to end, in the namespace lab
# (scripts/lab.sh, a lab of its own name): anyxdp's tunnel program (TC
# ingress on the WireGuard tunnels) forwards what a stateful PoP never saw
# the start of. The site (tests/lab/bulk.py, sockets not bound to a
# device, so its routes decide) sends 1 MB on every connection; the client
# checks it got exactly that, over IPv4 and IPv6 (at the same time).
# popb runs a stateful firewall: its forward chain (policy drop) accepts
# `ct state established,related` and drops `ct state invalid`, with named
# counters, on top of the lab's rule (nothing in from the uplink).
# popa's uplink runs anyxdp (the lab's PoPs forward nothing from their
# uplinks otherwise), steering the requests into a tunnel.
#
# Shape 1: requests through popa (popa -> site), replies through popb
#   (a static route at the site: the client via the site-popb tunnel)
#   1a. control, firewall open: the transfer works and popb's conntrack
#       holds the flow (so the firewall, and nothing else, decides; and the
#       conntrack check below can see a flow)
#   1b. without anyxdp on popb: the SYN-ACK is `ct state invalid` at popb,
#       dropped (counter); the connections fail, both families
#   1c. anyxdp attached on popb (attach up0 --tunnels 'LAB-b*' + the served
#       prefixes): handshake + 1 MB, both families; popb's firewall saw
#       none of it (its counters stay), its conntrack has nothing for the
#       flows; tun_return and the per-prefix `returned` counters rose
#   1d. tunnel detach --all: no TC filter left, the connections fail again
# Shape 2: requests pinned through a relay, replies straight back:
#   client -> popa (anyxdp route: the served prefixes into the popa-popb
#   tunnel) -> popb (relay: kernel route to the site's tunnel) -> site,
#   then site -> popa directly (its default route) -> client.
#   popa has its tunnel program on its tunnel from the site (the reply
#   arrives there: `return`); popb is the relay.
#   2a. control, firewall open: works, popb's conntrack holds the flow
#   2b. without anyxdp on popb: the relayed SYN is `ct state new`, dropped
#       by the policy (counter); the connections fail
#   2c. tunnel attach on popb: works, both families; popb's firewall saw
#       none of it, conntrack empty for the flows; popb's tun_relay and
#       per-prefix `relayed` rose; popa's tun_return and `returned` too
#   2d. tunnel detach --all on popb: fails again
#   (The issue's A->B->C, C->A: A = popa, B = popb, C = the site's end.
#   The site is the server host itself, so the anyxdp "on C" is popa's
#   tunnel program, which takes the reply where it leaves the tunnels.)
# A PoP that sees one direction only never calls a flow established: with
# the firewall open, the replies of shape 1 are all `ct state new` after a
# mid-stream pickup (the SYN-ACK itself is invalid), and in shape 2 every
# relayed ACK after a SYN whose SYN-ACK popb never saw is invalid.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "network namespaces, XDP, TC, WireGuard, nftables"

LAB=axn$(($$ % 100000))
T=$(mktemp -d /tmp/anyxdp-return.XXXXXX)
SRV_PID=
PORT=9000
SIZE=1048576

cleanup() {
	[[ -n $SRV_PID ]] && kill "$SRV_PID" 2>/dev/null
	lab down >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM	# so the EXIT trap runs under timeout(1) too

for t in nft conntrack bpftool; do
	command -v "$t" >/dev/null || { fail "'$t' is installed (scripts/deps.sh)"; done_testing; exit 1; }
done
[[ -x $BIN/anyxdp ]] || { fail "build/anyxdp exists (run make)"; done_testing; exit 1; }
# The tunnel command is what this test is about; without it only the
# "without anyxdp" half runs (and this fails).
HAVE_TUN=1
if ! "$BIN/anyxdp" tunnel --help >/dev/null 2>&1; then
	HAVE_TUN=
	fail "build/anyxdp has the tunnel command (anyxdp tunnel --help); only the parts without it run" \
		"$("$BIN/anyxdp" tunnel --help 2>&1 | head -1)"
fi

# ---- the lab ----

lab_up || { done_testing; exit 1; }
A4=$LAB_SITE_V4 A6=$LAB_SITE_V6
C4=$LAB_CLIENT_V4 C6=$LAB_CLIENT_V6
P4=$LAB_ANYCAST_V4 P6=$LAB_ANYCAST_V6
AS=$LAB_TUN_POPA_SITE AB=$LAB_TUN_POPA_POPB
BS=$LAB_TUN_POPB_SITE BA=$LAB_TUN_POPB_POPA SB=$LAB_TUN_SITE_POPB

client() { nsenter --net=/run/netns/"$LAB_NS_CLIENT" "$@"; }
popa() { nsenter --net=/run/netns/"$LAB_NS_POPA" "$@"; }
popb() { nsenter --net=/run/netns/"$LAB_NS_POPB" "$@"; }
site() { nsenter --net=/run/netns/"$LAB_NS_SITE" "$@"; }
axa() { popa "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" "$@"; }
axb() { popb "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPB" "$@"; }
num() { [[ $1 =~ ^[0-9]+$ ]]; }
at_least() {
	if num "$2" && [[ $2 -ge $3 ]]; then pass "$1"; else fail "$1" "got '$2', expected >= $3"; fi
}

# JSON helpers, tolerant of where the CLI puts things:
#   j.py reason STATS NAME            packets of a reason (stats --json)
#   j.py moved STATS_A STATS_B NAME...  the reasons that moved between two
#   j.py pfx STATS PREFIX COUNTER F   field F (packets|bytes) of a counter
#                                     of a served prefix (tunnel stats --json)
export AX_LAB_PY=$TOP/tests/lab	# jwalk.py
cat >"$T/j.py" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["AX_LAB_PY"])
from jwalk import walk, entry, find, load_or_exit

def field(v, f):
    if isinstance(v, dict):
        v = v.get(f)
    elif f != 'packets':
        v = None
    return v if isinstance(v, int) else None

what, f = sys.argv[1], sys.argv[2]
d = load_or_exit(f)
if what == 'reason':
    r = (d.get('reasons') or {}).get(sys.argv[3]) if isinstance(d, dict) else None
    if r is None:
        r = find(d, sys.argv[3])
    v = field(r, 'packets')
    print(v if v is not None else 'missing')
elif what == 'moved':
    # moved STATS_A STATS_B NAME...: "NAME=DELTA ..." of the reasons that moved
    try:
        d2 = json.load(open(sys.argv[3]))
    except (OSError, ValueError):
        d2 = None
    out = []
    for n in sys.argv[4:]:
        a = field((d.get('reasons') or {}).get(n), 'packets') if isinstance(d, dict) else None
        b = field((d2.get('reasons') or {}).get(n), 'packets') if isinstance(d2, dict) else None
        if a is None or b is None:
            out.append('%s=n/a' % n)
        elif b != a:
            out.append('%s=%d' % (n, b - a))
    print(' '.join(out) or 'none')
elif what == 'pfx':
    e = entry(d, sys.argv[3])
    v = field(find(e, sys.argv[4]), sys.argv[5]) if e else None
    print(v if v is not None else 'missing')
PY
j() { "$PY" "$T/j.py" "$@"; }
# snap POP NAME: that PoP's stats and tunnel stats now
snap() {
	local ax=axa
	[[ $1 == popb ]] && ax=axb
	$ax stats --json >"$T/$2.stats" 2>"$T/$2.err"
	$ax tunnel stats --json >"$T/$2.tun" 2>>"$T/$2.err"
}
# sdelta A B REASON / pdelta A B PREFIX COUNTER packets|bytes: growth between snaps
sdelta() {
	local a b
	a=$(j reason "$T/$1.stats" "$3") b=$(j reason "$T/$2.stats" "$3")
	if num "$a" && num "$b"; then echo $((b - a)); else echo "n/a($3: $a -> $b)"; fi
}
pdelta() {
	local a b
	a=$(j pfx "$T/$1.tun" "$3" "$4" "$5") b=$(j pfx "$T/$2.tun" "$3" "$4" "$5")
	if num "$a" && num "$b"; then echo $((b - a)); else echo "n/a($3 $4 $5: $a -> $b)"; fi
}
TUN_REASONS="tun_return tun_relay tun_drop_blocklist tun_pass_not_served tun_pass_no_route
	tun_pass_frag_needed tun_pass_ttl tun_pass_fib tun_pass_hairpin tun_pass_malformed"
# reasons A B: the tun_* reasons that moved between snaps, for the log
# shellcheck disable=SC2086 # TUN_REASONS: a list
reasons() { echo " $(j moved "$T/$1.stats" "$T/$2.stats" $TUN_REASONS)"; }

# ---- popb's stateful firewall ----

# fw strict|open: (re)load popb's table. strict is the one under test; open
# accepts everything but keeps conntrack working (the controls).
fw() {
	local invalid=drop policy=drop
	[[ $1 == open ]] && invalid=accept policy=accept
	popb nft -f - <<EOF
table inet return_fw
delete table inet return_fw
table inet return_fw {
	counter n_est {}
	counter n_invalid {}
	counter n_rest {}
	chain forward {
		type filter hook forward priority filter; policy $policy;
		ct state established,related counter name "n_est" accept
		ct state invalid counter name "n_invalid" $invalid
		counter name "n_rest" comment "what the policy ($policy) takes"
	}
}
EOF
}
# fwc NAME: packets of one of the firewall's counters
fwc() { popb nft list counter inet return_fw "$1" 2>/dev/null | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# fw_snap: "n_est n_invalid n_rest" (n_rest: what reaches the policy)
fw_snap() { echo "$(fwc n_est) $(fwc n_invalid) $(fwc n_rest)"; }
# fw_delta "BEFORE" "AFTER" INDEX: growth of one counter (0 n_est, 1 n_invalid, 2 n_rest)
fw_delta() {
	local -a a b
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	if num "${a[$3]:-}" && num "${b[$3]:-}"; then echo $((b[$3] - a[$3])); else echo "n/a($1 -> $2)"; fi
}
# fw_total "BEFORE" "AFTER": growth of the three together (all the chain saw)
fw_total() {
	local d0 d1 d2
	d0=$(fw_delta "$1" "$2" 0) d1=$(fw_delta "$1" "$2" 1) d2=$(fw_delta "$1" "$2" 2)
	if num "$d0" && num "$d1" && num "$d2"; then echo $((d0 + d1 + d2)); else echo "n/a($1 -> $2)"; fi
}

# ct_flow SPORT: popb's conntrack entries of the client's connection from SPORT
ct_flow() {
	{
		popb conntrack -L -f ipv4 2>/dev/null
		popb conntrack -L -f ipv6 2>/dev/null
	} | grep -E "port=$1( |$)" | grep -E "port=$PORT( |$)" | grep -F -e "=$C4 " -e "=$C6 "
}
ct_count() { ct_flow "$1" | wc -l; }

# ---- the transfer ----

# xfer TAG: 1 MB from the site, IPv4 and IPv6 at the same time. Sets
# OUT4/OUT6 (bulk.py's line), RC4/RC6, SP4/SP6 (the client's ports).
xfer() {
	local p4 p6
	client timeout 20 "$PY" "$TOP/tests/lab/bulk.py" get "$A4" --port "$PORT" --size "$SIZE" \
		--connect-timeout 2 --timeout 15 >"$T/$1.4" 2>&1 &
	p4=$!
	client timeout 20 "$PY" "$TOP/tests/lab/bulk.py" get "$A6" --port "$PORT" --size "$SIZE" \
		--connect-timeout 2 --timeout 15 >"$T/$1.6" 2>&1 &
	p6=$!
	wait "$p4"
	RC4=$?
	wait "$p6"
	RC6=$?
	OUT4=$(cat "$T/$1.4") OUT6=$(cat "$T/$1.6")
	SP4=$(sed -n 's/.*sport=\([0-9]*\).*/\1/p' <<<"$OUT4")
	SP6=$(sed -n 's/.*sport=\([0-9]*\).*/\1/p' <<<"$OUT6")
	echo "# $1: IPv4: $OUT4 | IPv6: $OUT6"
}
# works WHAT: both transfers of the last xfer got exactly 1 MB
works() {
	if [[ $RC4 -eq 0 && $OUT4 == "ok bytes=$SIZE "* ]]; then pass "$1: IPv4 handshake + 1 MB"; else fail "$1: IPv4 handshake + 1 MB" "exit $RC4: $OUT4"; fi
	if [[ $RC6 -eq 0 && $OUT6 == "ok bytes=$SIZE "* ]]; then pass "$1: IPv6 handshake + 1 MB"; else fail "$1: IPv6 handshake + 1 MB" "exit $RC6: $OUT6"; fi
}
# fails WHAT: both connections of the last xfer timed out in the handshake
fails() {
	if [[ $RC4 -ne 0 && $OUT4 == "error: connect: timed out"* ]]; then pass "$1: IPv4 connection fails (handshake times out)"; else fail "$1: IPv4 connection fails (handshake times out)" "exit $RC4: $OUT4"; fi
	if [[ $RC6 -ne 0 && $OUT6 == "error: connect: timed out"* ]]; then pass "$1: IPv6 connection fails (handshake times out)"; else fail "$1: IPv6 connection fails (handshake times out)" "exit $RC6: $OUT6"; fi
}
# no_ct WHAT: popb's conntrack has nothing for the last xfer's connections
no_ct() {
	local n4 n6
	n4=$(ct_count "$SP4") n6=$(ct_count "$SP6")
	if num "$SP4" && num "$SP6" && [[ $n4 == 0 && $n6 == 0 ]]; then
		pass "$1: popb's conntrack has nothing for the flows (ports $SP4, $SP6)"
	else
		fail "$1: popb's conntrack has nothing for the flows" "ports '$SP4' '$SP6': $(ct_flow "${SP4:-x}" | tr '\n' ' ') $(ct_flow "${SP6:-x}" | tr '\n' ' ')"
	fi
}
# tc_filters POP IFACE: anyxdp's TC ingress programs on a tunnel (tc or tcx)
tc_filters() { "$1" bpftool net show dev "$2" 2>/dev/null | grep -c 'ingress.*anyxdp_tun'; }

# ---- setup ----

# popa: anyxdp on the uplink steers the requests into its tunnel to the site
ok "popa: anyxdp attach $LAB_UPLINK" axa attach "$LAB_UPLINK" --mode native
ok "popa: prefix add $P4" axa prefix add "$P4"
ok "popa: prefix add $P6" axa prefix add "$P6"
ok "popa: route add $P4 dev $AS" axa route add "$P4" dev "$AS"
ok "popa: route add $P6 dev $AS via $LAB_LL_SITE_POPA" axa route add "$P6" dev "$AS" via "$LAB_LL_SITE_POPA"

# the bulk server in the site (on both addresses, no device binding)
site setsid "$PY" "$TOP/tests/lab/bulk.py" serve --addr "$A4" --addr "$A6" --port "$PORT" \
	--size "$SIZE" --pidfile "$T/bulk.pid" >"$T/bulk.err" 2>&1 </dev/null &
SRV_PID=$!
for ((i = 0; i < 50; i++)); do [[ -s $T/bulk.pid ]] && break; sleep 0.1; done
check "site: bulk server listens on $A4 and [$A6]:$PORT" "-s $T/bulk.pid"

ok "popb: stateful firewall loaded (forward: policy drop, established accept, invalid drop)" fw strict
for dev in "$BS" "$BA"; do
	equal "popb: forwarding on $dev (IPv4)" "$(popb sysctl -n net.ipv4.conf."$dev".forwarding)" 1
	equal "popb: forwarding on $dev (IPv6)" "$(popb sysctl -n net.ipv6.conf."$dev".forwarding)" 1
done
equal "popa: forwarding on $AS (IPv4, IPv6)" \
	"$(popa sysctl -n net.ipv4.conf."$AS".forwarding) $(popa sysctl -n net.ipv6.conf."$AS".forwarding)" "1 1"

# ---- shape 1: in through popa, out through popb ----

ok "site: static route to the client $C4 via $SB (popb)" site ip route add "$C4/32" dev "$SB"
ok "site: static route to the client $C6 via $SB (popb)" site ip -6 route add "$C6/128" via "$LAB_LL_POPB_SITE" dev "$SB"

# 1a. control: with the firewall open the kernel forwards the replies
ok "1a: popb's firewall opened (control)" fw open
F0=$(fw_snap)
xfer 1a
works "1a control (popb's firewall open)"
F1=$(fw_snap)
echo "# 1a: popb firewall counters n_est n_invalid n_rest: $F0 -> $F1"
at_least "1a: the replies went through popb's forward chain (open)" "$(fw_total "$F0" "$F1")" 100
n4=$(ct_count "$SP4") n6=$(ct_count "$SP6")
check "1a: popb's conntrack holds both flows when it forwards them ($n4, $n6 entries)" "$n4 -ge 1 && $n6 -ge 1"
ok "1a: popb's firewall strict again" fw strict
popb conntrack -F >/dev/null 2>&1
popb conntrack -F -f ipv6 >/dev/null 2>&1
equal "1a: popb's conntrack flushed of the control's flows" "$(($(ct_count "$SP4") + $(ct_count "$SP6")))" 0

# 1b. without anyxdp on popb
F0=$(fw_snap)
xfer 1b
fails "1b without anyxdp on popb"
F1=$(fw_snap)
at_least "1b: popb dropped the SYN-ACKs as ct state invalid (>= 1 per family)" "$(fw_delta "$F0" "$F1" 1)" 2
equal "1b: nothing of them established at popb" "$(fw_delta "$F0" "$F1" 0)" 0

# 1c. anyxdp on popb's uplink and tunnels
if [[ -n $HAVE_TUN ]]; then
ok "1c: popb: anyxdp attach $LAB_UPLINK --tunnels '$LAB-b*'" axb attach "$LAB_UPLINK" --mode native --tunnels "$LAB-b*"
ok "1c: popb: prefix add $P4" axb prefix add "$P4"
ok "1c: popb: prefix add $P6" axb prefix add "$P6"
axb tunnel list --json >"$T/tl.json" 2>"$T/tl.err"
check "1c: tunnel list names $BS and $BA" "\"\$(cat $T/tl.json)\" == *\\\"$BS\\\"* && \"\$(cat $T/tl.json)\" == *\\\"$BA\\\"*"
check "1c: TC ingress filter on popb $BS" "$(tc_filters popb "$BS") -ge 1"
check "1c: TC ingress filter on popb $BA" "$(tc_filters popb "$BA") -ge 1"
snap popb b0
F0=$(fw_snap)
xfer 1c
works "1c with anyxdp on popb"
F1=$(fw_snap)
snap popb b1
equal "1c: popb's firewall saw none of it (counters n_est n_invalid n_rest)" "$F1" "$F0"
no_ct "1c"
echo "# 1c popb tun_* reasons that moved:$(reasons b0 b1); returned bytes $P4 $(pdelta b0 b1 "$P4" returned bytes)," \
	"$P6 $(pdelta b0 b1 "$P6" returned bytes)"
at_least "1c: popb tun_return rose (>= 20 packets)" "$(sdelta b0 b1 tun_return)" 20
at_least "1c: popb $P4 returned bytes rose by >= 1 MB" "$(pdelta b0 b1 "$P4" returned bytes)" "$SIZE"
at_least "1c: popb $P6 returned bytes rose by >= 1 MB" "$(pdelta b0 b1 "$P6" returned bytes)" "$SIZE"
equal "1c: popb relayed nothing (tun_relay)" "$(sdelta b0 b1 tun_relay)" 0

# 1d. detached again
ok "1d: popb: anyxdp tunnel detach --all" axb tunnel detach --all
check "1d: no TC ingress filter left on $BS, $BA" "$(tc_filters popb "$BS") -eq 0 && $(tc_filters popb "$BA") -eq 0"
F0=$(fw_snap)
xfer 1d
fails "1d tunnel program detached from popb"
F1=$(fw_snap)
at_least "1d: popb dropped the SYN-ACKs as ct state invalid again" "$(fw_delta "$F0" "$F1" 1)" 2
fi # HAVE_TUN

# ---- shape 2: popa -> popb (relay) -> site, site -> popa ----

ok "2: site: static routes to the client via $SB removed" \
	bash -c "nsenter --net=/run/netns/$LAB_NS_SITE ip route del $C4/32 dev $SB &&
		nsenter --net=/run/netns/$LAB_NS_SITE ip -6 route del $C6/128 dev $SB"
ok "2: popb: kernel route $P4 dev $BS" popb ip route add "$P4" dev "$BS"
ok "2: popb: kernel route $P6 via $LAB_LL_SITE_POPB dev $BS" popb ip -6 route add "$P6" via "$LAB_LL_SITE_POPB" dev "$BS"
ok "2: popa: route del $P4" axa route del "$P4"
ok "2: popa: route del $P6" axa route del "$P6"
ok "2: popa: route add $P4 dev $AB (pinned through popb)" axa route add "$P4" dev "$AB"
ok "2: popa: route add $P6 dev $AB via $LAB_LL_POPB_POPA" axa route add "$P6" dev "$AB" via "$LAB_LL_POPB_POPA"

# 2a. control: firewall open, the kernel relays
ok "2a: popb's firewall opened (control)" fw open
F0=$(fw_snap)
xfer 2a
works "2a control (popb's firewall open)"
F1=$(fw_snap)
echo "# 2a: popb firewall counters n_est n_invalid n_rest: $F0 -> $F1"
at_least "2a: the requests went through popb's forward chain (open)" "$(fw_total "$F0" "$F1")" 10
n4=$(ct_count "$SP4") n6=$(ct_count "$SP6")
check "2a: popb's conntrack holds both flows when it relays them ($n4, $n6 entries)" "$n4 -ge 1 && $n6 -ge 1"
ok "2a: popb's firewall strict again" fw strict
popb conntrack -F >/dev/null 2>&1
popb conntrack -F -f ipv6 >/dev/null 2>&1

# 2b. without anyxdp on popb's tunnels (detached in 1d)
F0=$(fw_snap)
xfer 2b
fails "2b without anyxdp on popb"
F1=$(fw_snap)
at_least "2b: popb's policy dropped the relayed SYNs (ct state new, >= 1 per family)" "$(fw_delta "$F0" "$F1" 2)" 2

# 2c. popb relays
if [[ -n $HAVE_TUN ]]; then
ok "2c: popa: anyxdp tunnel attach $AS (where the replies arrive)" axa tunnel attach "$AS"
ok "2c: popb: anyxdp tunnel attach $BA $BS" axb tunnel attach "$BA" "$BS"
check "2c: TC ingress filter on popb $BA" "$(tc_filters popb "$BA") -ge 1"
check "2c: TC ingress filter on popa $AS" "$(tc_filters popa "$AS") -ge 1"
snap popa a0
snap popb b0
F0=$(fw_snap)
xfer 2c
works "2c with anyxdp on popb (relay) and popa (return)"
F1=$(fw_snap)
snap popa a1
snap popb b1
equal "2c: popb's firewall saw none of it (counters n_est n_invalid n_rest)" "$F1" "$F0"
no_ct "2c"
echo "# 2c popb tun_* reasons that moved:$(reasons b0 b1); popa:$(reasons a0 a1)"
echo "# 2c popb relayed packets $P4 $(pdelta b0 b1 "$P4" relayed packets), $P6 $(pdelta b0 b1 "$P6" relayed packets);" \
	"popa returned bytes $P4 $(pdelta a0 a1 "$P4" returned bytes), $P6 $(pdelta a0 a1 "$P6" returned bytes)"
at_least "2c: popb tun_relay rose (>= 6: SYN, ACKs, FIN of 2 flows)" "$(sdelta b0 b1 tun_relay)" 6
at_least "2c: popb $P4 relayed packets rose (>= 3)" "$(pdelta b0 b1 "$P4" relayed packets)" 3
at_least "2c: popb $P6 relayed packets rose (>= 3)" "$(pdelta b0 b1 "$P6" relayed packets)" 3
equal "2c: popb returned nothing (tun_return)" "$(sdelta b0 b1 tun_return)" 0
at_least "2c: popa tun_return rose (>= 20)" "$(sdelta a0 a1 tun_return)" 20
at_least "2c: popa $P4 returned bytes rose by >= 1 MB" "$(pdelta a0 a1 "$P4" returned bytes)" "$SIZE"
at_least "2c: popa $P6 returned bytes rose by >= 1 MB" "$(pdelta a0 a1 "$P6" returned bytes)" "$SIZE"

# 2d. detached again
ok "2d: popb: anyxdp tunnel detach --all" axb tunnel detach --all
check "2d: no TC ingress filter left on $BS, $BA" "$(tc_filters popb "$BS") -eq 0 && $(tc_filters popb "$BA") -eq 0"
F0=$(fw_snap)
xfer 2d
fails "2d tunnel program detached from popb"
F1=$(fw_snap)
at_least "2d: popb's policy dropped the relayed SYNs again" "$(fw_delta "$F0" "$F1" 2)" 2
fi # HAVE_TUN

done_testing
