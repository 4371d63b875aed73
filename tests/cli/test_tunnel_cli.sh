#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp tunnel and attach --tunnels, in a private network namespace with a
# private pin dir: usage and bad input, which program goes on which device
# type (veth: Ethernet, TUN: L3), the refusal to make the uplink a tunnel,
# the warnings about forwarding and rp_filter, the per-served-prefix counter
# entries following the served prefixes, list/stats/status (text and JSON),
# detach, and `anyxdp sync` attaching to a matching tunnel that appears
# later. Packets are in tests/unit/test_tunnel.c and
# tests/netns/test_return_e2e.sh.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, network namespaces"
export LC_ALL=C

scratch axtu	# PIN, NS, T (tests/lib.sh)
SYNC_PID=

on_exit() {
	[[ -n $SYNC_PID ]] && kill -9 "$SYNC_PID" 2>/dev/null
}

ns_enter_cmd	# IN, for ax and nsip (tests/lib.sh)
sysctl_ns() { "${IN[@]}" sysctl -qw "$@"; }
# prog IFACE: the name of the program in our TC slot on IFACE, or "none"
prog() {
	ax tunnel list --json >"$T/l.json" 2>/dev/null
	jget "$T/l.json" "([t['program'] for t in d['tunnels'] if t['ifname'] == '$1' and t['attached']] or ['none'])[0]"
}
tc_names() { "${IN[@]}" tc filter show dev "$1" ingress 2>/dev/null | grep -o 'anyxdp_[a-z_]*' | sort -u | tr '\n' ' '; }

ip netns add "$NS"
nsip link set lo up
nsip link add up0 type veth peer name p-up0
nsip link add wg-a type veth peer name p-wg-a
nsip tuntap add mode tun name wg-b
nsip link add other0 type veth peer name p-other0
for i in up0 p-up0 wg-a p-wg-a wg-b other0 p-other0; do nsip link set "$i" up; done
sysctl_ns net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
ax prefix add 198.51.100.0/24 >/dev/null
ax prefix add 2001:db8:100::/48 >/dev/null

# ---- usage and bad input ----
for sub in "" " attach" " detach" " list" " stats"; do
	run ax tunnel$sub --help
	check "tunnel$sub --help: exit 0, usage on stdout" "$RC -eq 0 && \$(grep -c 'Usage: anyxdp tunnel' $T/out) -ge 1"
done
run ax tunnel
check "tunnel without a command: exit 2, usage on stderr" "$RC -eq 2 && \$(grep -c Usage $T/err) -ge 1"
run ax tunnel frobnicate
check "unknown tunnel command: exit 2, named" "$RC -eq 2" && has_err "unknown tunnel command 'frobnicate'"
run ax tunnel attach
check "tunnel attach without IFACE: exit 2" "$RC -eq 2"
run ax tunnel attach nosuch0
check "tunnel attach of a missing interface: exit 1, named" "$RC -eq 1" && has_err "no interface named 'nosuch0'"
run ax tunnel detach nosuch0
check "tunnel detach of a missing interface: exit 1" "$RC -eq 1" && has_err "nosuch0"
run ax tunnel detach other0
check "tunnel detach where it is not attached: exit 1, says so" "$RC -eq 1" && has_err "not attached to other0"
run ax tunnel detach --all extra
check "tunnel detach --all with more arguments: exit 2" "$RC -eq 2"
run ax tunnel list --bogus
check "tunnel list --bogus: exit 2" "$RC -eq 2"
for bad in "" "wg-*,,x" "wg a" "a/b" "$(printf 'x%.0s' {1..300})"; do
	run ax attach up0 --no-config --tunnels "$bad"
	check "attach --tunnels '${bad:0:20}': exit 2 before attaching anything" "$RC -eq 2 && -z \"\$(tc_names up0)\""
	has_err "--tunnels" && pass "  and the message names --tunnels" || fail "  and the message names --tunnels" "$(cat "$T/err")"
done

# ---- attach: device types, warnings, the uplink ----
sysctl_ns net.ipv4.conf.wg-a.forwarding=0 net.ipv4.conf.all.rp_filter=1
run ax tunnel attach wg-a
check "tunnel attach wg-a (veth): exit 0" "$RC -eq 0" && has_out "anyxdp_tun_eth attached to wg-a"
equal "veth gets the Ethernet program" "$(prog wg-a)" "anyxdp_tun_eth"
equal "and the kernel has it in our TC slot" "$(tc_names wg-a)" "anyxdp_tun_eth "
check "warns: IPv4 forwarding off on wg-a" "\$(grep -c 'IPv4 forwarding is off on wg-a' $T/err) -eq 1"
check "warns: strict rp_filter" "\$(grep -c 'strict rp_filter on wg-a' $T/err) -eq 1"
check "no IPv6 forwarding warning (it is on)" "\$(grep -c 'IPv6 forwarding is off' $T/err) -eq 0"
sysctl_ns net.ipv4.conf.wg-a.forwarding=1 net.ipv4.conf.all.rp_filter=2
run ax tunnel attach wg-a
check "attach again, fixed sysctls: exit 0, no warnings" "$RC -eq 0 && ! -s $T/err"
run ax tunnel attach wg-b
check "tunnel attach wg-b (TUN): exit 0" "$RC -eq 0"
equal "TUN gets the L3 program" "$(prog wg-b)" "anyxdp_tun"
run ax attach up0 --no-config --mode skb
check "uplink attach on up0: exit 0" "$RC -eq 0"
run ax tunnel attach up0
check "tunnel attach on the uplink: refused, exit 1" "$RC -eq 1" && has_err "uplink"
equal "the uplink keeps its own TC program" "$(tc_names up0)" "anyxdp_tc "
run ax attach wg-a --no-config --mode skb
check "uplink attach on a tunnel: refused, exit 1" "$RC -eq 1" && has_err "tunnel program"
equal "and wg-a keeps the tunnel program" "$(prog wg-a)" "anyxdp_tun_eth"

# ---- counters follow the served prefixes ----
cnt() { bpftool -j map dump pinned "$PIN/$1" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
equal "tun_stats_v4: one entry per IPv4 served prefix" "$(cnt tun_stats_v4)" "1"
equal "tun_stats_v6: one entry per IPv6 served prefix" "$(cnt tun_stats_v6)" "1"
ax prefix add 192.0.2.0/24 >/dev/null
equal "prefix add: its tunnel counters appear" "$(cnt tun_stats_v4)" "2"
ax route add 192.0.2.128/25 dev wg-a >/dev/null 2>&1
equal "a route inside it gets none (counted per served prefix)" "$(cnt tun_stats_v4)" "2"
ax prefix del 192.0.2.0/24 --force >/dev/null 2>&1 || ax prefix del 192.0.2.0/24 >/dev/null 2>&1
equal "prefix del: its tunnel counters go" "$(cnt tun_stats_v4)" "1"
bpftool map delete pinned "$PIN/tun_stats_v6" key hex 30 00 00 00 20 01 0d b8 01 00 00 00 00 00 00 00 00 00 00 00 2>/dev/null
equal "(test: an entry removed behind anyxdp's back)" "$(cnt tun_stats_v6)" "0"
ax tunnel attach wg-b >/dev/null 2>&1
equal "tunnel attach fills in a served prefix's missing entry" "$(cnt tun_stats_v6)" "1"

# ---- list, stats, status ----
run ax tunnel list --json
check "tunnel list --json: exit 0" "$RC -eq 0"
equal "lists wg-a and wg-b, both attached" \
	"$(jget "$T/out" "sorted((t['ifname'], t['attached'], t['other_netns']) for t in d['tunnels'])")" \
	"[('wg-a', True, False), ('wg-b', True, False)]"
equal "no globs yet" "$(jget "$T/out" "d['globs']")" ""
run ax tunnel stats --json
check "tunnel stats --json: exit 0" "$RC -eq 0"
equal "stats: both served prefixes" "$(jget "$T/out" "sorted(p['prefix'] for p in d['prefixes'])")" \
	"['198.51.100.0/24', '2001:db8:100::/48']"
equal "stats: every counter of a prefix" "$(jget "$T/out" "list(d['prefixes'][0])")" \
	"['prefix', 'returned', 'relayed', 'drop_blocklist', 'pass_no_route', 'pass_frag_needed', 'pass_ttl', 'pass_other']"
equal "stats: the tun_* reasons" "$(jget "$T/out" "len([r for r in d['reasons'] if r.startswith('tun_')])")" "10"
run ax tunnel stats
check "tunnel stats (text): a row per served prefix" "$RC -eq 0 && \$(grep -c '^198.51.100.0/24 ' $T/out) -eq 1"
run ax stats --json
equal "stats --json knows the tunnel reasons" "$(jget "$T/out" "d['reasons']['tun_return']['verdict']")" "forward"
run ax status --json
equal "status --json: tunnels attached" "$(jget "$T/out" "d['tunnels']['attached']")" "2"
run ax status
check "status: a tunnels line" "\$(grep -c '^tunnels: *2 with the return path' $T/out) -eq 1"

# ---- detach ----
run ax tunnel detach wg-b
check "tunnel detach wg-b: exit 0" "$RC -eq 0" && has_out "detached from wg-b"
equal "wg-b has nothing in our TC slot" "$(tc_names wg-b)" ""
nsip link del p-wg-a		# wg-a goes with its peer
run ax tunnel list --json
equal "a deleted tunnel: listed as not attached" "$(jget "$T/out" "[(t['ifname'], t['attached']) for t in d['tunnels']]")" "[('wg-a', False)]"
run ax status
check "status flags it" "\$(grep -c 'NOT ATTACHED: wg-a' $T/out) -eq 1"
run ax tunnel detach --all
check "tunnel detach --all: exit 0" "$RC -eq 0"
equal "and the stale record is gone" "$(ax tunnel list --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["tunnels"]))')" "0"

# ---- attach --tunnels, and sync picking up new tunnels ----
nsip link add wg-c type veth peer name p-wg-c
nsip link set wg-c up
run ax attach up0 --no-config --mode skb --tunnels 'wg-*,tun9'
check "attach --tunnels: exit 0" "$RC -eq 0"
check "attaches wg-b and wg-c, not up0 or other0" "\$(grep -c 'attached to wg-b' $T/out) -eq 1 && \$(grep -c 'attached to wg-c' $T/out) -eq 1 && \$(grep -c 'attached to other0' $T/out) -eq 0"
equal "globs stored" "$(ax tunnel list --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["globs"])')" "wg-*,tun9"
run ax attach up0 --no-config --mode skb
equal "attach without --tunnels keeps the globs" \
	"$(ax tunnel list --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["globs"])')" "wg-*,tun9"
"${IN[@]}" "$BIN"/anyxdp sync --netlink --no-config --iface 'wg-*' >"$T/sync.log" 2>&1 &
SYNC_PID=$!
sleep 0.5
nsip link add wg-d type veth peer name p-wg-d
nsip link set wg-d up
for ((i = 0; i < 60; i++)); do [[ $(prog wg-d) != none ]] && break; sleep 0.05; done
equal "sync attaches to a new tunnel matching the globs" "$(prog wg-d)" "anyxdp_tun_eth"
nsip tuntap add mode tun name tun9
nsip link set tun9 up
for ((i = 0; i < 60; i++)); do [[ $(prog tun9) != none ]] && break; sleep 0.05; done
equal "and to a new TUN device (L3 program)" "$(prog tun9)" "anyxdp_tun"
nsip link add zz0 type veth peer name p-zz0
nsip link set zz0 up
sleep 0.5
equal "not to an interface outside the globs" "$(tc_names zz0)" ""
check "the sync logs what it attached" "\$(grep -c 'attached to wg-d' $T/sync.log) -eq 1"
kill -TERM "$SYNC_PID"; wait "$SYNC_PID"; SYNC_PID=
run ax attach up0 --no-config --mode skb --tunnels none
equal "--tunnels none forgets the globs" \
	"$(ax tunnel list --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["globs"])')" ""
equal "and leaves the tunnels attached" "$(prog wg-d)" "anyxdp_tun_eth"

done_testing
