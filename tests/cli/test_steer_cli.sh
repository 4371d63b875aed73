#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp prefix / route / config / attach without traffic, in a private
# network namespace (two veth pairs and a TUN device) with a private
# pin dir. Expected values come from the test's own knowledge (ip, bpftool,
# python3), never from the code under test.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, network namespaces"
export LC_ALL=C

new_pin_dir >/dev/null	# exports ANYXDP_PIN_DIR (so not in a $(...) subshell)
PIN=$ANYXDP_PIN_DIR
NS=axsc-$$
T=$(mktemp -d /tmp/anyxdp-steer.XXXXXX)
chmod 0755 "$T"

cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm_pin_dir
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_enter_cmd	# IN, for ax and nsip (tests/lib.sh)
ifindex() { nsip -j link show "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
# a route row of `route list --json`: rowget PREFIX ORIGIN 'expression over r'
rowget() {
	ax route list --json >"$T/rows.json"
	"$PY" -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["prefix"] == sys.argv[2] and r["origin"] == sys.argv[3]]
print(eval(sys.argv[4], {"r": rows[0]}) if len(rows) == 1 else "no row (%d)" % len(rows))' \
		"$T/rows.json" "$1" "$2" "$3"
}
# tx_ports keys as decimal ifindexes, sorted (bpftool prints devmap keys as hex bytes)
tx_ports() {
	bpftool -j map dump pinned "$PIN/tx_ports" | "$PY" -c '
import json, sys
print(" ".join(sorted(str(int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little")) for e in json.load(sys.stdin))))'
}
snap() {
	ax route list --json >"$T/snap.routes"
	ax prefix list --json >"$T/snap.prefixes"
	tx_ports >"$T/snap.tx"
}
unchanged() {
	ax route list --json >"$T/now.routes"
	ax prefix list --json >"$T/now.prefixes"
	tx_ports >"$T/now.tx"
	if cmp -s "$T/snap.routes" "$T/now.routes" && cmp -s "$T/snap.prefixes" "$T/now.prefixes" &&
	   cmp -s "$T/snap.tx" "$T/now.tx"; then
		pass "$1"
	else
		fail "$1" "route list, prefix list or tx_ports changed"
	fi
}
# expect_fail DESC EXIT MESSAGE cmd...: exit status, message on stderr, maps unchanged
expect_fail() {
	local d=$1 want=$2 msg=$3
	shift 3
	snap
	run "$@"
	if [[ $RC -eq $want ]] && has_err "$msg"; then
		pass "$d: exit $want, '$msg'"
	else
		fail "$d: exit $want, '$msg'" "exit $RC, stderr: $(head -c 300 "$T/err")"
	fi
	unchanged "$d: route list --json, prefix list --json, tx_ports unchanged"
}

ip netns add "$NS" || { fail "ip netns add"; done_testing; exit 1; }
nsip link set lo up
nsip link add va type veth peer name vb
# dm0 is the Ethernet next hop that gets deleted and re-created
mk_dm0() { nsip link add dm0 type veth peer name dm1 && nsip link set dm0 up && nsip link set dm1 up; }
mk_dm0
nsip tuntap add mode tun name tun0
for i in va vb tun0; do nsip link set "$i" up; done

# ---- --help everywhere, and usage errors ----

for c in "" "prefix" "prefix add" "prefix del" "prefix list" "route" "route add" "route del" \
	"route list" "route refresh" "config" "config check" "config apply" "attach" "detach" \
	"status" "stats"; do
	run ax $c --help
	check "anyxdp $c --help: exit 0, Usage on stdout" "$RC -eq 0 && \$(grep -c '^Usage: anyxdp' $T/out) -ge 1"
done
for c in prefix route config; do
	run ax $c
	check "anyxdp $c without a command: exit 2, usage on stderr" "$RC -eq 2 && \$(grep -c '^Usage:' $T/err) -ge 1"
	run ax $c frob
	check "anyxdp $c frob: exit 2, 'unknown $c command'" "$RC -eq 2 && \$(grep -c \"unknown $c command 'frob'\" $T/err) -eq 1"
done
for c in "prefix add" "prefix del" "prefix list --bogus" "prefix add --bogus 10.0.0.0/8" \
	"route add" "route del" "route del --bogus 10.0.0.0/8" "route list x" "route refresh x" \
	"config check a b" "config apply --bogus" "attach va --mss-clamp 50" "attach va --icmp-rate x" \
	"attach va --config a --no-config"; do
	run ax $c
	check "anyxdp $c: exit 2 with a message" "$RC -eq 2 && -s $T/err"
done

# ---- before anything exists ----

run ax route list
check "route list before any maps: exit 1, 'no anyxdp maps'" "$RC -eq 1 && \$(grep -c 'no anyxdp maps in $PIN' $T/err) -eq 1"
run ax prefix list --json
check "prefix list before any maps fails" "$RC -ne 0"
check "read-only commands do not create the pin dir" "! -e $PIN"

# ---- served prefixes ----

run ax prefix add 198.51.100.0/24 2001:db8:100::/48
check "prefix add two prefixes" "$RC -eq 0"
check "prefix add: says 'added served prefix' for each" "\$(grep -c '^added served prefix' $T/out) -eq 2"
check "the pin dir was created, mode 0700" "\$(stat -c %a $PIN) == 700"
run ax prefix add 198.51.100.0/24
check "prefix add of a served prefix: exit 0, 'already served'" "$RC -eq 0 && \$(grep -c '^already served: 198.51.100.0/24' $T/out) -eq 1"
ax prefix list --json >"$T/p.json"
ok "prefix list --json is valid JSON" "$PY" -m json.tool "$T/p.json"
equal "prefix list --json: the two prefixes, no routes" "$(jget "$T/p.json" "[(e['prefix'], e['routes']) for e in d]")" \
	"[('198.51.100.0/24', 0), ('2001:db8:100::/48', 0)]"
equal "prefix list --json: every counter, all zero" \
	"$(jget "$T/p.json" "(sorted(d[0]['counters']), sum(c['packets'] + c['bytes'] for e in d for c in e['counters'].values()))")" \
	"(['drop_blocklist', 'icmp_too_big', 'pass_if_down', 'pass_no_neigh', 'pass_no_route', 'pass_too_big', 'pass_ttl', 'steered'], 0)"
run ax prefix list
check "prefix list (text): header and two rows" "$RC -eq 0 && \$(wc -l <$T/out) -eq 3 && \$(grep -c '^198.51.100.0/24 ' $T/out) -eq 1"

expect_fail "prefix add inside a served prefix" 1 "198.51.100.128/25 overlaps served prefix 198.51.100.0/24" \
	ax prefix add 198.51.100.128/25
expect_fail "prefix add around a served prefix" 1 "2001:db8::/32 overlaps served prefix 2001:db8:100::/48" \
	ax prefix add 2001:db8::/32
expect_fail "prefix add: one overlapping among good ones adds nothing" 1 "overlaps served prefix" \
	ax prefix add 203.0.113.0/24 198.51.100.0/25 192.0.2.0/24
expect_fail "prefix add of a bad prefix" 2 "invalid address '300.1.1.0/24'" ax prefix add 192.0.2.0/24 300.1.1.0/24
expect_fail "prefix add with host bits" 2 "192.0.2.1/24 has host bits set (the prefix would be 192.0.2.0/24)" \
	ax prefix add 192.0.2.1/24
expect_fail "prefix add of an IPv4-mapped prefix" 2 "IPv4-mapped IPv6 prefix" ax prefix add ::ffff:192.0.2.0/120
expect_fail "prefix del of a prefix not served" 1 "203.0.113.0/24 is not a served prefix" ax prefix del 203.0.113.0/24
expect_fail "prefix del: a served and an unserved one removes nothing" 1 "is not a served prefix" \
	ax prefix del 2001:db8:100::/48 203.0.113.0/24

# ---- routes; kinds; tx_ports ----

IDX_TUN=$(ifindex tun0)
IDX_VA=$(ifindex va)
IDX_DM=$(ifindex dm0)
run ax route add 198.51.100.0/27 dev tun0 via fe80::2 metric 10
check "route add via tun0" "$RC -eq 0 && \$(grep -c '^route 198.51.100.0/27 dev tun0 via fe80::2 (ifindex $IDX_TUN, tunnel, up): added' $T/out) -eq 1"
run ax route add 198.51.100.32/27 dev va via 192.0.2.2 mtu 1400
check "route add via veth va" "$RC -eq 0 && \$(grep -c ': added$' $T/out) -eq 1"
run ax route add 198.51.100.64/27 dev dm0
check "route add via veth dm0 without via: added" "$RC -eq 0"
has_err "Ethernet next hop dm0 without 'via'"
check "... with a warning that Ethernet wants 'via'" "$? -eq 0"
run ax route add 198.51.100.96/27 dev va kind tunnel
check "route add with kind tunnel on an Ethernet device" "$RC -eq 0"
run ax route add 2001:db8:100:1::/64 dev tun0 via 192.0.2.9
check "IPv6 route via an IPv4 next hop" "$RC -eq 0"
run ax route add 198.51.100.0/24 dev tun0
check "route on the served prefix itself" "$RC -eq 0"

ax route list --json >"$T/r.json"
ok "route list --json is valid JSON" "$PY" -m json.tool "$T/r.json"
equal "route list --json: prefix, origin, dev, ifindex, kind, via, metric, mtu" \
	"$(jget "$T/r.json" "[(r['prefix'], r['origin'], r['dev'], r['ifindex'], r['kind'], r['via'], r['metric'], r['mtu']) for r in d]")" \
	"[('198.51.100.0/24', 'static', 'tun0', $IDX_TUN, 'tunnel', None, 0, 0), ('198.51.100.0/27', 'static', 'tun0', $IDX_TUN, 'tunnel', 'fe80::2', 10, 0), ('198.51.100.32/27', 'static', 'va', $IDX_VA, 'ether', '192.0.2.2', 0, 1400), ('198.51.100.64/27', 'static', 'dm0', $IDX_DM, 'ether', None, 0, 0), ('198.51.100.96/27', 'static', 'va', $IDX_VA, 'tunnel', None, 0, 0), ('2001:db8:100:1::/64', 'static', 'tun0', $IDX_TUN, 'tunnel', '192.0.2.9', 0, 0)]"
equal "route list --json: all active, up, fresh; kind fixed only where given" \
	"$(jget "$T/r.json" "[(r['active'], r['state'], r['stale'], r['kind_fixed']) for r in d]")" \
	"[(True, 'up', False, False), (True, 'up', False, False), (True, 'up', False, False), (True, 'up', False, False), (True, 'up', False, True), (True, 'up', False, False)]"
equal "route list --json: served_prefix of each route" "$(jget "$T/r.json" "sorted(set(r['served_prefix'] for r in d))")" \
	"['198.51.100.0/24', '2001:db8:100::/48']"
equal "tx_ports holds the Ethernet next hops (va, dm0), not the tunnels" "$(tx_ports)" \
	"$(printf '%s\n' "$IDX_VA" "$IDX_DM" | sort | paste -sd' ')"
run ax route list
check "route list (text): header and six rows, '*' on the active origin" \
	"$RC -eq 0 && \$(wc -l <$T/out) -eq 7 && \$(grep -c '^198.51.100.0/27  *static  *\\* tun0 ' $T/out) -eq 1"
equal "prefix list: route counts" "$(ax prefix list --json | "$PY" -c 'import json,sys; print([e["routes"] for e in json.load(sys.stdin)])')" "[5, 1]"

run ax route add 198.51.100.0/27 dev tun0 via fe80::2 metric 10
check "the same route again: 'unchanged'" "$RC -eq 0 && \$(grep -c ': unchanged$' $T/out) -eq 1"
run ax route add 198.51.100.0/27 dev tun0 via fe80::3 metric 10
check "a different next hop: 'changed'" "$RC -eq 0 && \$(grep -c ': changed$' $T/out) -eq 1"
equal "... and route list shows it" "$(rowget 198.51.100.0/27 static "r['via']")" "fe80::3"

expect_fail "route outside every served prefix" 1 "route 203.0.113.0/24 is not inside any served prefix" \
	ax route add 203.0.113.0/24 dev tun0
expect_fail "route around a served prefix" 1 "route 198.51.0.0/16 is not inside any served prefix" \
	ax route add 198.51.0.0/16 dev tun0
expect_fail "route without dev" 2 "route 198.51.100.0/28: missing 'dev IFACE'" ax route add 198.51.100.0/28 via fe80::1
expect_fail "route with an interface that does not exist" 1 "no interface named 'nosuch0' in this network namespace" \
	ax route add 198.51.100.0/28 dev nosuch0
expect_fail "route with a bad prefix" 2 "invalid prefix length '198.51.100.0/2x'" ax route add 198.51.100.0/2x dev tun0
expect_fail "route with a bad metric" 2 "metric: invalid value 'ten'" ax route add 198.51.100.0/28 dev tun0 metric ten
expect_fail "route with a bad mtu" 2 "mtu: invalid value '1279' (0 for the interface's MTU, or 1280 to 65535 for IPv6)" \
	ax route add 2001:db8:100:2::/64 dev tun0 mtu 1279
expect_fail "route with a bad via" 2 "via: invalid address 'fe80::zz'" ax route add 198.51.100.0/28 dev tun0 via fe80::zz
expect_fail "route with a bad kind" 2 "kind: 'bridge' is not tunnel or ether" ax route add 198.51.100.0/28 dev tun0 kind bridge
expect_fail "route with an unknown option" 2 "unknown route option 'weight'" ax route add 198.51.100.0/28 dev tun0 weight 3
expect_fail "route with dev twice" 2 "'dev' given twice" ax route add 198.51.100.0/28 dev tun0 dev va
expect_fail "route del of a route that does not exist" 1 "there is no static route for 198.51.100.0/28" \
	ax route del 198.51.100.0/28
expect_fail "route del --learned where there is none" 1 "there is no learned route for 198.51.100.0/27" \
	ax route del --learned 198.51.100.0/27
expect_fail "prefix del of a prefix with routes" 1 "served prefix 198.51.100.0/24 still holds 5 routes; delete them first" \
	ax prefix del 198.51.100.0/24

run ax route del 198.51.100.64/27
check "route del of the dm0 route" "$RC -eq 0 && \$(grep -c '^removed the static route for 198.51.100.64/27' $T/out) -eq 1"
equal "tx_ports: dm0 left with its last route" "$(tx_ports)" "$IDX_VA"
equal "the entry is gone from route list" "$(rowget 198.51.100.64/27 static "r")" "no row (0)"
run ax route del 198.51.100.0/24
check "route del on the served prefix itself" "$RC -eq 0"
equal "... the served prefix stays" "$(ax prefix list --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2

# ---- bpftool shows readable counters ----

bpftool -j map dump pinned "$PIN/steer_stats_v4" | "$PY" -c 'import json,sys; json.dump([e["formatted"] for e in json.load(sys.stdin)], sys.stdout)' >"$T/stats4.json"
equal "bpftool steer_stats_v4: {prefixlen, addr} keys, one per IPv4 trie entry" \
	"$(jget "$T/stats4.json" "sorted('%s/%d' % ('.'.join(map(str, e['key']['addr'])), e['key']['prefixlen']) for e in d)")" \
	"['198.51.100.0/24', '198.51.100.0/27', '198.51.100.32/27', '198.51.100.96/27']"
equal "bpftool steer_stats_v4: named per-CPU counters with packets and bytes" \
	"$(jget "$T/stats4.json" "(sorted(d[0]['values'][0]['value']), sorted(d[0]['values'][0]['value']['steered']))")" \
	"(['drop_blocklist', 'icmp_too_big', 'pass_if_down', 'pass_no_neigh', 'pass_no_route', 'pass_too_big', 'pass_ttl', 'steered'], ['bytes', 'packets'])"
equal "bpftool steer_v4: trie value with named next hops" \
	"$(bpftool -j map dump pinned "$PIN/steer_v4" | "$PY" -c '
import json, sys
for e in (x["formatted"] for x in json.load(sys.stdin)):
    if e["key"]["prefixlen"] == 27 and e["key"]["addr"] == [198, 51, 100, 32]:
        v = e["value"]; print(v["prefixlen"], v["served_len"], v["nh"][0]["ifindex"], v["nh"][0]["mtu"])')" \
	"27 24 $IDX_VA 1400"

# ---- refresh: gone, re-created, down ----

ax route add 198.51.100.64/27 dev dm0 via 192.0.2.3 >/dev/null
IDX_DM=$(ifindex dm0)
equal "dm0 route: up, in tx_ports" "$(rowget 198.51.100.64/27 static "r['state'], r['ifindex']")" "('up', $IDX_DM)"
nsip link del dm0
equal "dm0 deleted: state gone, stale until refresh" "$(rowget 198.51.100.64/27 static "r['state'], r['stale'], r['down_flag']")" "('gone', True, False)"
run ax route refresh
check "route refresh: exit 0, reports the change" "$RC -eq 0 && \$(grep -c '^198.51.100.64/27 static dev dm0: up -> down (interface gone)' $T/out) -eq 1"
equal "after refresh: gone, marked down, ifindex kept as last seen" \
	"$(rowget 198.51.100.64/27 static "r['state'], r['stale'], r['down_flag'], r['ifindex'], r['dev']")" "('gone', False, True, $IDX_DM, 'dm0')"
equal "tx_ports: the gone dm0 is not there" "$(tx_ports)" "$IDX_VA"
mk_dm0
NEW_DM=$(ifindex dm0)
check "re-created dm0 has a new ifindex" "$NEW_DM -ne $IDX_DM"
equal "re-created: still gone (old ifindex) and stale" "$(rowget 198.51.100.64/27 static "r['state'], r['stale']")" "('gone', True)"
run ax route refresh
check "route refresh picks up the new ifindex" "$RC -eq 0 && \$(grep -c \"^198.51.100.64/27 static dev dm0: ifindex $IDX_DM -> $NEW_DM down -> up\" $T/out) -eq 1"
equal "after refresh: up with the new ifindex" "$(rowget 198.51.100.64/27 static "r['state'], r['stale'], r['down_flag'], r['ifindex']")" "('up', False, False, $NEW_DM)"
equal "tx_ports: the new dm0 is back" "$(tx_ports)" "$(printf '%s\n' "$IDX_VA" "$NEW_DM" | sort | paste -sd' ')"
nsip link set tun0 down
equal "tun0 down: state down, stale" "$(rowget 198.51.100.0/27 static "r['state'], r['stale']")" "('down', True)"
run ax route refresh
check "refresh after link down: the 2 tun0 next hops up -> down" "$RC -eq 0 && \$(grep -c 'dev tun0: up -> down$' $T/out) -eq 2"
equal "after refresh: down, flag set" "$(rowget 198.51.100.0/27 static "r['state'], r['stale'], r['down_flag']")" "('down', False, True)"
run ax route list
check "route list (text): state column says down" "\$(grep -c '^198.51.100.0/27 .* down  *tunnel ' $T/out) -eq 1"
nsip link set tun0 up
ax route refresh >/dev/null
equal "tun0 up + refresh: up again" "$(rowget 198.51.100.0/27 static "r['state'], r['down_flag']")" "('up', False)"
run ax route refresh
check "refresh with nothing to do: '0 changed'" "$RC -eq 0 && \$(grep -c 'next hops, 0 changed$' $T/out) -eq 1"

# ---- refresh --watch: follows link changes by itself ----

# wait_row PREFIX ORIGIN EXPR WANT: poll route list up to 3 s
wait_row() {
	local i got
	for ((i = 0; i < 30; i++)); do
		got=$(rowget "$1" "$2" "$3")
		[[ $got == "$4" ]] && break
		sleep 0.1
	done
	echo "$got"
}
"${IN[@]}" "$BIN"/anyxdp route refresh --watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH=$!
sleep 0.3
check "refresh --watch keeps running" "-d /proc/$WATCH"
nsip link set tun0 down
equal "--watch: tun0 down is marked without a manual refresh" \
	"$(wait_row 198.51.100.0/27 static "r['state'], r['down_flag']" "('down', True)")" "('down', True)"
nsip link set tun0 up
equal "--watch: tun0 up again" "$(wait_row 198.51.100.0/27 static "r['state'], r['down_flag']" "('up', False)")" "('up', False)"
OLD_DM=$(ifindex dm0)
nsip link del dm0
mk_dm0
NEW_DM=$(ifindex dm0)
equal "--watch: re-created dm0 is picked up with its new ifindex" \
	"$(wait_row 198.51.100.64/27 static "r['state'], r['stale'], r['ifindex']" "('up', False, $NEW_DM)")" "('up', False, $NEW_DM)"
check "re-created dm0 really has a new ifindex" "$NEW_DM -ne $OLD_DM"
run ax route refresh
check "--watch does not hold the lock: a refresh beside it runs (and finds nothing)" \
	"$RC -eq 0 && \$(grep -c 'next hops, 0 changed$' $T/out) -eq 1"
kill -TERM "$WATCH"
wait "$WATCH"
equal "--watch stops on SIGTERM with exit 0" "$?" 0
check "--watch printed the changes it made" "\$(grep -c 'dev tun0: up -> down$' $T/watch.out) -ge 2"

# ---- config check / apply ----

cat >"$T/good.conf" <<'EOF'
# served
prefix 198.51.100.0/24
prefix 2001:db8:100::/48   # v6
prefix 203.0.113.0/24

route 198.51.100.0/27 dev tun0 via fe80::2 metric 10
route 198.51.100.128/25 dev va via 192.0.2.2
route 2001:db8:100:1::/64 dev tun0
route 203.0.113.0/24 dev wg-later
mss-clamp 1380
icmp-rate 50
EOF
run ax config check "$T/good.conf"
check "config check of a good file: exit 0, counts" "$RC -eq 0 && \$(grep -c ': OK: 3 served prefixes, 4 routes, mss-clamp 1380, icmp-rate 50$' $T/out) -eq 1"
run "${IN[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN"/anyxdp config check "$T/good.conf"
check "config check needs no privileges" "$RC -eq 0"
snap
run ax config apply --dry-run "$T/good.conf"
check "config apply --dry-run: counts, 'nothing changed'" \
	"$RC -eq 0 && \$(grep -c '^dry run: .*3 served prefixes (1 added, 0 removed), 4 static routes (2 added, 2 changed, 3 removed); nothing changed$' $T/out) -eq 1"
unchanged "config apply --dry-run: maps unchanged"
run ax config apply "$T/good.conf"
check "config apply: exit 0, counts" "$RC -eq 0 && \$(grep -c '3 served prefixes (1 added, 0 removed), 4 static routes (2 added, 2 changed, 3 removed)$' $T/out) -eq 1"
has_err "good.conf:9: route 203.0.113.0/24: interface 'wg-later' does not exist (yet); stored as down"
check "config apply: warns about the missing interface with file:line" "$? -eq 0"
equal "apply: exactly the file's routes" "$(ax route list --json | "$PY" -c 'import json,sys; print([(r["prefix"], r["dev"], r["via"], r["metric"]) for r in json.load(sys.stdin)])')" \
	"[('198.51.100.0/27', 'tun0', 'fe80::2', 10), ('198.51.100.128/25', 'va', '192.0.2.2', 0), ('203.0.113.0/24', 'wg-later', None, 0), ('2001:db8:100:1::/64', 'tun0', None, 0)]"
equal "apply: missing interface stored gone, ifindex 0, inactive" "$(rowget 203.0.113.0/24 static "r['state'], r['ifindex'], r['down_flag'], r['active']")" "('gone', 0, True, False)"
equal "apply: tx_ports holds only va now" "$(tx_ports)" "$IDX_VA"
run ax config apply "$T/good.conf"
check "apply again: nothing added, changed or removed" "$RC -eq 0 && \$(grep -c '(0 added, 0 removed), 4 static routes (0 added, 0 changed, 0 removed)$' $T/out) -eq 1"
nsip tuntap add mode tun name wg-later
nsip link set wg-later up
ax route refresh >/dev/null
equal "refresh resolves the interface the file named early" "$(rowget 203.0.113.0/24 static "r['state'], r['ifindex'], r['kind'], r['active']")" "('up', $(ifindex wg-later), 'tunnel', True)"

cat >"$T/smaller.conf" <<'EOF'
prefix 198.51.100.0/24
route 198.51.100.0/27 dev tun0 via fe80::2 metric 20
EOF
run ax config apply "$T/smaller.conf"
check "apply a smaller file: removes and changes" "$RC -eq 0 && \$(grep -c '1 served prefixes (0 added, 2 removed), 1 static routes (0 added, 1 changed, 3 removed)$' $T/out) -eq 1"
equal "apply is declarative: prefixes" "$(ax prefix list --json | "$PY" -c 'import json,sys; print([e["prefix"] for e in json.load(sys.stdin)])')" "['198.51.100.0/24']"
equal "apply is declarative: routes" "$(ax route list --json | "$PY" -c 'import json,sys; print([(r["prefix"], r["metric"]) for r in json.load(sys.stdin)])')" "[('198.51.100.0/27', 20)]"
equal "apply is declarative: tx_ports empty" "$(tx_ports)" ""
ax config apply "$T/good.conf" >/dev/null 2>&1

cd "$T" || exit 1
mk() { printf "$2" >"$1"; }
mk overlap.conf 'prefix 198.51.100.0/24\n# x\nprefix 198.51.100.0/25\n'
mk outside.conf 'prefix 198.51.100.0/24\nroute 198.51.100.0/27 dev tun0\nroute 192.0.2.0/24 dev tun0\n'
mk nodev.conf 'prefix 198.51.100.0/24\n\nroute 198.51.100.0/27 via fe80::1\n'
mk badprefix.conf 'prefix 198.51.100.0/24\nprefix 2001:db8::zz/48\n'
mk badnum.conf 'prefix 198.51.100.0/24\nroute 198.51.100.0/27 dev tun0 metric 1e3\n'
mk keyword.conf 'prefix 198.51.100.0/24\nroutes 198.51.100.0/27 dev tun0\n'
mk dup.conf 'prefix 198.51.100.0/24\nroute 198.51.100.0/27 dev tun0\nroute 198.51.100.0/27 dev va\n'
mk hostbits.conf 'prefix 198.51.100.1/24\n'
mk mss.conf 'prefix 198.51.100.0/24\nmss-clamp 10\n'
CASES=(
	"overlap.conf|3|prefix 198.51.100.0/25 overlaps prefix 198.51.100.0/24 (line 1); served prefixes must not overlap"
	"outside.conf|3|route 192.0.2.0/24 is not inside any served prefix (add a 'prefix' line that holds it)"
	"nodev.conf|3|route 198.51.100.0/27: missing 'dev IFACE'"
	"badprefix.conf|2|invalid address '2001:db8::zz/48'"
	"badnum.conf|2|route 198.51.100.0/27: metric: invalid value '1e3' (a whole number from 0 to 4294967295)"
	"keyword.conf|2|unknown keyword 'routes' (expected prefix, route, uplink, tunnels, mss-clamp or icmp-rate)"
	"dup.conf|3|duplicate route 198.51.100.0/27 (first on line 2)"
	"hostbits.conf|1|198.51.100.1/24 has host bits set (the prefix would be 198.51.100.0/24)"
	"mss.conf|2|mss-clamp: invalid value '10' (auto, off, or an MSS from 88 to 65535)"
)
for c in "${CASES[@]}"; do
	IFS='|' read -r f line why <<<"$c"
	run ax config check "$f"
	check "config check $f: exit 1, '$f:$line: $why'" "$RC -eq 1 && \$(grep -cxF \"anyxdp: error: $f:$line: $why\" $T/err) -eq 1"
	expect_fail "config apply $f" 1 "$f:$line: $why" ax config apply "$f"
done
expect_fail "config apply of a missing file" 1 "nosuch.conf: No such file or directory" ax config apply nosuch.conf
cd "$TOP" || exit 1

# ---- attach / detach: XDP and TC ----

xdp_on() { nsip link show "$1" | grep -q 'prog/xdp.*name anyxdp_xdp'; }
tc_on() { "${IN[@]}" tc filter show dev "$1" ingress | grep -q 'anyxdp_tc'; }
run ax attach va --no-config
check "attach va: exit 0" "$RC -eq 0"
check "attach: reports both program ids" "\$(grep -c '^attached to va .*program id [0-9]*, TC ingress program id [1-9]' $T/out) -eq 1"
xdp_on va
check "attach: ip link shows anyxdp_xdp on va" "$? -eq 0"
tc_on va
check "attach: tc filter show dev va ingress shows anyxdp_tc" "$? -eq 0"
ax status --json >"$T/s.json"
ok "status --json is valid JSON" "$PY" -m json.tool "$T/s.json"
equal "status --json: va attached, XDP and TC" "$(jget "$T/s.json" "[(i['ifname'], i['attached'], i['tc_attached'], i['tc_prog_id'] > 0) for i in d['interfaces']]")" \
	"[('va', True, True, True)]"
equal "status --json: steering counts" "$(jget "$T/s.json" "d['steering']")" \
	"{'served_prefixes': 3, 'served_ipv4': 2, 'served_ipv6': 1, 'routes': 4, 'static': 4, 'learned': 0, 'tx_ports': 1}"
run ax status
check "status (text): a 'tc ingress' line and a steering line" \
	"\$(grep -c '^tc ingress: va, prog id [1-9]' $T/out) -eq 1 && \$(grep -c '^steering: *3 served prefixes (IPv4 2, IPv6 1), 4 routes (4 static, 0 learned)' $T/out) -eq 1"
run ax attach va --no-config --mode skb --mss-clamp off --icmp-rate 0
check "attach again (skb mode, settings): replaces both" "$RC -eq 0"
equal "exactly one anyxdp_tc filter after re-attach" "$("${IN[@]}" tc filter show dev va ingress | grep -c 'anyxdp_tc')" 1
"${IN[@]}" tc filter del dev va ingress
run ax status --json
equal "TC filter removed behind our back: status says tc_attached false" \
	"$(jget "$T/out" "[(i['attached'], i['tc_attached']) for i in d['interfaces']]")" "[(True, False)]"
run ax status
check "status (text): warns that TC is not attached" "\$(grep -c '^tc ingress: va  \\[NOT ATTACHED' $T/out) -eq 1"
ax attach va --no-config >/dev/null 2>&1
run ax detach va
check "detach va: exit 0, both programs" "$RC -eq 0 && \$(grep -c '^detached the XDP and TC programs from va' $T/out) -eq 1"
xdp_on va
check "detach: no XDP program on va" "$? -ne 0"
tc_on va
check "detach: no anyxdp_tc filter on va" "$? -ne 0"
run ax detach va
check "detach again: exit 1, 'not attached'" "$RC -eq 1 && \$(grep -c 'anyxdp is not attached to va' $T/err) -eq 1"

# TC attach refused (another filter holds priority 1 for another protocol):
# the XDP program must not stay behind.
"${IN[@]}" tc qdisc add dev vb clsact
"${IN[@]}" tc filter add dev vb ingress pref 1 protocol ip handle 7 bpf bytecode '1,6 0 0 0,'
run ax attach vb --no-config
check "attach with TC refused: exit 1, says so" "$RC -eq 1 && \$(grep -c 'cannot attach the TC ingress program to vb' $T/err) -eq 1"
xdp_on vb
check "attach with TC refused: XDP detached again (no half state)" "$? -ne 0"
equal "attach with TC refused: status lists no interface" "$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["interfaces"])')" "[]"
equal "attach with TC refused: the other filter is untouched" "$("${IN[@]}" tc filter show dev vb ingress | grep -c 'handle 0x7 ')" 1
"${IN[@]}" tc qdisc del dev vb clsact

cp "$T/good.conf" "$T/attach.conf"
sed -i 's/^prefix 203.0.113.0\/24$/prefix 203.0.113.0\/24\nprefix 203.0.113.0\/25/' "$T/attach.conf"
snap
run ax attach va --config "$T/attach.conf"
check "attach with a bad --config: fails, names file:line" "$RC -ne 0 && \$(grep -c 'attach.conf:5: prefix 203.0.113.0/25 overlaps' $T/err) -eq 1"
xdp_on va
check "attach with a bad --config: nothing attached (XDP)" "$? -ne 0"
tc_on va
check "attach with a bad --config: nothing attached (TC)" "$? -ne 0"
unchanged "attach with a bad --config: maps unchanged"
run ax attach va --config "$T/nosuch.conf"
check "attach with a missing --config: fails, names it" "$RC -ne 0 && \$(grep -c 'nosuch.conf: No such file' $T/err) -eq 1"
xdp_on va
check "attach with a missing --config: nothing attached" "$? -ne 0"
run ax attach va --config "$T/smaller.conf"
check "attach with a good --config: applied, then attached" \
	"$RC -eq 0 && \$(grep -c 'smaller.conf: 1 served prefixes' $T/out) -eq 1 && \$(grep -c '^attached to va' $T/out) -eq 1"
equal "attach --config: the file's routes are in place" "$(ax route list --json | "$PY" -c 'import json,sys; print([(r["prefix"], r["metric"]) for r in json.load(sys.stdin)])')" "[('198.51.100.0/27', 20)]"
ax detach va >/dev/null

# ---- stats ----

ax stats --json >"$T/st.json"
ok "stats --json is valid JSON" "$PY" -m json.tool "$T/st.json"
REASONS=$(sed -n 's/.*\[R_[A-Z_]*\] = "\([a-z_]*\)".*/\1/p' "$TOP/include/anyxdp.h" | paste -sd' ')
equal "stats --json: every reason of include/anyxdp.h, in order" "$(jget "$T/st.json" "' '.join(d['reasons'])")" "$REASONS"
equal "stats --json: verdicts pass, drop, steer, tx, forward (events are not a verdict)" "$(jget "$T/st.json" "list(d['verdicts'])")" "['pass', 'drop', 'steer', 'tx', 'forward']"
equal "stats --json: events listed apart" "$(jget "$T/st.json" "list(d['events'])")" \
	"$(sed -n 's/.*\[R_EV_[A-Z_]*\] = "\([a-z_]*\)".*/\1/p' "$TOP/include/anyxdp.h" | "$PY" -c 'import sys; print([l.strip() for l in sys.stdin])')"
equal "stats --json: each reason names its verdict" "$(jget "$T/st.json" "(d['reasons']['steer_tc']['verdict'], d['reasons']['drop_blocklist']['verdict'], d['reasons']['event_tc_redirect']['verdict'])")" \
	"('steer', 'drop', 'event')"
equal "stats --json: the served prefix table" "$(jget "$T/st.json" "[(p['prefix'], p['routes']) for p in d['prefixes']]")" "[('198.51.100.0/24', 1)]"
run ax stats
check "stats (text): verdict lines and the events header" \
	"$RC -eq 0 && \$(grep -cE '^(pass|drop|steer|tx) ' $T/out) -eq 4 && \$(grep -c '^events' $T/out) -eq 1 && \$(grep -c '^198.51.100.0/24 ' $T/out) -eq 1"

# ---- without root ----

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for c in "prefix add 192.0.2.0/24" "prefix list" "route add 198.51.100.0/28 dev tun0" "route list" \
	"route refresh" "config apply $T/good.conf" "attach va --no-config"; do
	run "${IN[@]}" "${NOBODY[@]}" "$BIN"/anyxdp $c
	check "as nobody, $c: fails, 'needs root'" "$RC -ne 0 && \$(grep -c 'needs root' $T/err) -eq 1"
done
run "${IN[@]}" "${NOBODY[@]}" "$BIN"/anyxdp route add --help
check "as nobody, --help still works" "$RC -eq 0 && \$(grep -c '^Usage:' $T/out) -eq 1"

# ---- bl_ctl.n_steer: the XDP program skips the steering lookup at 0 ----

n_steer() { bpftool -j map dump pinned "$PIN/bl_ctl" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["formatted"]["value"]["n_steer"])'; }
n_entries() {
	local n=0 f
	for f in steer_v4 steer_v6; do
		n=$((n + $(bpftool -j map dump pinned "$PIN/$f" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')))
	done
	echo "$n"
}
check "n_steer equals the entries in steer_v4 + steer_v6" "$(n_steer) -eq $(n_entries) && $(n_entries) -gt 0"
ax prefix add 192.0.2.128/25 >/dev/null
check "prefix add: n_steer follows" "$(n_steer) -eq $(n_entries)"
: >"$T/empty.conf"
ax config apply "$T/empty.conf" >/dev/null 2>&1
equal "everything removed: n_steer 0" "$(n_steer) $(n_entries)" "0 0"

done_testing
