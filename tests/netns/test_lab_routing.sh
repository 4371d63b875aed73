#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real Babel daemons in the namespace lab (scripts/lab.sh routing, a lab of
# its own name), first babeld, then BIRD:
#
#   1. routing up: popa and popb learn both anycast prefixes (IPv4 and IPv6)
#      through their own tunnel to the site, installed as proto babel|bird
#   2. babeld's local interface answers on TCP [::1]:33123 and on its unix
#      socket (dump: both prefixes installed); birdc answers on BIRD's socket
#   3. data path: anyxdp on popa, given the route popa's daemon installed
#      (what `anyxdp sync` will do), steers the client's traffic to the site
#   4. the site's end of the popa-site tunnel goes down: popa's routes move
#      to the tunnel to popb (time printed: "# reroute took N ms"); anyxdp
#      moved the same way, the traffic goes through popb, which forwards it
#      by its own Babel route
#   5. the tunnel end comes back: the routes return (and the traffic)
#   6. routing down (babeld) and lab down (BIRD) stop the daemons and remove
#      their routes
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "network namespaces, WireGuard, Babel daemons"

LAB=axr$(($$ % 100000))
T=$(mktemp -d /tmp/anyxdp-routing.XXXXXX)

cleanup() {
	lab down >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM	# so the EXIT trap runs under timeout(1) too

LEARN_S=20	# bound for the first routes after routing up
MOVE_S=15	# bound for a reroute (measured: babeld 3-5 s, BIRD 2-3 s)

for t in babeld bird birdc socat; do
	command -v "$t" >/dev/null || { fail "'$t' is installed (scripts/deps.sh)"; done_testing; exit 1; }
done

lab_up || { done_testing; exit 1; }
V4=$LAB_ANYCAST_V4 V6=$LAB_ANYCAST_V6
AS=$LAB_TUN_POPA_SITE AB=$LAB_TUN_POPA_POPB BS=$LAB_TUN_POPB_SITE SA=$LAB_TUN_SITE_POPA

popa() { nsenter --net=/run/netns/"$LAB_NS_POPA" "$@"; }
site() { nsenter --net=/run/netns/"$LAB_NS_SITE" "$@"; }
ns() { nsenter --net=/run/netns/"$LAB_NAME-$1" "${@:2}"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
num() { [[ $1 =~ ^[0-9]+$ ]]; }

# waits "description" PREFIX NS ARGS...: passes when lab.sh routing wait
# sees the route; WAITED is the ms it waited
waits() {
	local d=$1 out
	shift
	if out=$(lab routing wait "$@" 2>&1) && num "$out"; then
		WAITED=$out
		pass "$d (${out} ms)"
	else
		WAITED=
		fail "$d" "${out//$'\n'/ | }"
	fi
}

# kroute NS PREFIX PROTO: "DEV VIA" of NS's kernel route for PREFIX
kroute() {
	local fam=-4
	[[ $2 == *:* ]] && fam=-6
	ip -n "$LAB_NAME-$1" "$fam" route show exact "$2" proto "$3" | awk '{
		for (i = 1; i <= NF; i++) {
			if ($i == "via") { v = $(i + 1); if (v == "inet6") v = $(i + 2) }
			if ($i == "dev") d = $(i + 1)
		}
		if (d) { print d, v; exit }
	}'
}

# ---- anyxdp on popa (the data path checks need build/anyxdp) ----

DP=1
ax() { popa "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" "$@"; }
if [[ ! -x $BIN/anyxdp ]]; then
	fail "build/anyxdp exists (run make); the data path checks are left out"
	DP=0
elif ok "attach anyxdp to popa's uplink" ax attach "$LAB_UPLINK" --mode native; then
	ok "prefix add $V4" ax prefix add "$V4"
	ok "prefix add $V6" ax prefix add "$V6"
else
	DP=0
fi
# probe udp|tcp ADDR: the answer on stdout, exit 1 on timeout
probe() { ns client "$PY" "$LAB_PROBE" "$@" --timeout 1 --tries 2; }
# answer_of "pop=popa dev=... mss=1380" KEY
answer_of() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
# sync_like PROTO: give anyxdp the routes popa's daemon installed, as the
# sync will
sync_like() {
	local p dev via
	for p in "$V4" "$V6"; do
		read -r dev via <<<"$(kroute popa "$p" "$1")"
		ok "anyxdp route add $p dev $dev via $via (popa's $1 route)" \
			ax route add "$p" dev "${dev:-none}" ${via:+via "$via"}
	done
}
# traffic POP WHEN: UDP echo over both families and TCP whodis over both,
# answered through POP
traffic() {
	local a out
	((DP)) || return 0
	for a in "$LAB_SITE_V4" "$LAB_SITE_V6"; do
		if out=$(probe udp "$a" 2>&1); then pass "$2: UDP echo $a"; else fail "$2: UDP echo $a" "$out"; fi
		out=$(probe tcp "$a" 2>&1)
		equal "$2: TCP whodis $a answered through $1" "$(answer_of "$out" pop)" "$1"
	done
}

# ---- one daemon ----

# run_daemon babeld|bird PROTO
run_daemon() {
	local d=$1 p=$2 t0 out s pfx

	echo "# ---- $d ----"
	ok "routing up $d" lab routing up "$d"
	waits "$d: popa learns $V4 via $AS (proto $p)" "$V4" popa --proto "$p" --dev "$AS" --timeout "$LEARN_S"
	waits "$d: popa learns $V6 via $AS" "$V6" popa --proto "$p" --dev "$AS" --timeout "$LEARN_S"
	waits "$d: popb learns $V4 via $BS" "$V4" popb --proto "$p" --dev "$BS" --timeout "$LEARN_S"
	waits "$d: popb learns $V6 via $BS" "$V6" popb --proto "$p" --dev "$BS" --timeout "$LEARN_S"
	out=$(lab routing status 2>&1)
	echo "${out//$'\n'/$'\n'# }" | sed '1s/^/# /'
	check "$d: routing status names $d in site, popa and popb" \
		"\$(grep -cE '^(site|popa|popb) +$d \\(pid' <<<\"\$out\") -eq 3"

	if [[ $d == babeld ]]; then
		for s in "TCP6:[::1]:33123" "UNIX-CONNECT:$LAB_STATE/babeld-popa.sock"; do
			out=$(printf 'dump\nquit\n' | popa timeout 5 socat -t2 - "$s" 2>&1)
			check "babeld local interface on ${s%%:*} greets (BABEL 1.0)" "\"\$out\" == 'BABEL 1.0'*"
			for pfx in "$V4" "$V6"; do
				check "babeld dump on ${s%%:*}: $pfx installed yes via $AS" \
					"\$(grep -c 'prefix $pfx from .* installed yes .* if $AS\$' <<<\"\$out\") -eq 1"
			done
		done
	else
		out=$(popa birdc -s "$LAB_STATE/bird-popa.ctl" show babel entries 2>&1)
		for pfx in "$V4" "$V6"; do
			check "birdc show babel entries in popa lists $pfx" "\"\$out\" == *'$pfx'*"
		done
		out=$(site birdc -s "$LAB_STATE/bird-site.ctl" show route 2>&1)
		check "birdc show route in the site: $V4 from protocol anycast4 (static)" "\"\$out\" == *'$V4'*anycast4*"
	fi

	if ((DP)); then
		sync_like "$p"
		traffic popa "$d, direct"
	fi

	# the cut
	t0=$(now_ms)
	ok "$d: cut: $SA (the site's end of popa-site) down" lab link "$SA" down
	waits "$d: popa's $V4 moves to $AB within ${MOVE_S}s" "$V4" popa --proto "$p" --dev "$AB" --timeout "$MOVE_S"
	[[ -n $WAITED ]] && echo "# reroute took $(($(now_ms) - t0)) ms ($d, IPv4)"
	waits "$d: popa's $V6 moves to $AB" "$V6" popa --proto "$p" --dev "$AB" --timeout "$MOVE_S"
	[[ -n $WAITED ]] && echo "# reroute took $(($(now_ms) - t0)) ms ($d, IPv6)"
	waits "$d: popb keeps $V4 via $BS" "$V4" popb --proto "$p" --dev "$BS" --timeout 1
	if ((DP)); then
		sync_like "$p"
		traffic popb "$d, popa-site cut"
	fi

	# and back
	t0=$(now_ms)
	ok "$d: $SA up again" lab link "$SA" up
	check "$d: the site has its link-local address on $SA again" \
		"\"\$(site ip -6 addr show dev $SA)\" == *fe80::a:2/64*"
	check "$d: the site's default route through $SA is back" "-n \"\$(site ip route show default dev $SA)\""
	waits "$d: popa's $V4 returns to $AS within ${MOVE_S}s" "$V4" popa --proto "$p" --dev "$AS" --timeout "$MOVE_S"
	[[ -n $WAITED ]] && echo "# return took $(($(now_ms) - t0)) ms ($d, IPv4)"
	waits "$d: popa's $V6 returns to $AS" "$V6" popa --proto "$p" --dev "$AS" --timeout "$MOVE_S"
	if ((DP)); then
		sync_like "$p"
		traffic popa "$d, tunnel back"
	fi
}

# daemon_pids DAEMON: the pids in its pid files (site, popa, popb)
daemon_pids() {
	local n
	for n in site popa popb; do
		cat "$LAB_STATE/$1-$n.pid" 2>/dev/null && echo
	done | tr -s '\n' ' '
}
# all_gone PID...: none of them runs (zombies waiting for init count as gone)
all_gone() {
	local pid
	for pid; do
		[[ $(ps -o stat= -p "$pid" 2>/dev/null) == @(|Z*) ]] || return 1
	done
}

# site_defaults WHEN: the site's default routes through both tunnels are there
site_defaults() {
	local s
	for s in "$SA" "$LAB_TUN_SITE_POPB"; do
		check "$1: the site's IPv4 and IPv6 default routes through $s are there" \
			"-n \"\$(site ip -4 route show default dev $s)\" && -n \"\$(site ip -6 route show default dev $s)\""
	done
}

# no_routes NS PROTO: no route of PROTO left in NS, either family
no_routes() {
	[[ -z $(ip -n "$LAB_NAME-$1" route show proto "$2")$(ip -n "$LAB_NAME-$1" -6 route show proto "$2") ]]
}

# ---- babeld ----

run_daemon babeld babel
read -r -a PIDS <<<"$(daemon_pids babeld)"
ok "routing down" lab routing down
equal "babeld ran in 3 namespaces (pid files)" "${#PIDS[@]}" 3
ok "babeld stopped (pids ${PIDS[*]})" all_gone "${PIDS[@]}"
ok "popa: no proto babel routes left" no_routes popa babel
ok "popb: no proto babel routes left" no_routes popb babel
check "site: its blackhole routes are gone" "-z \"\$(site ip route show proto static)\$(site ip -6 route show proto static)\""
ok "routing down again (nothing runs) exits 0" lab routing down
site_defaults "after routing down"

# ---- BIRD ----

run_daemon bird bird
read -r -a PIDS <<<"$(daemon_pids bird)"
ok "lab routing up babeld replaces bird, then bird again" \
	bash -c "'$TOP/scripts/lab.sh' --name $LAB routing up babeld && '$TOP/scripts/lab.sh' --name $LAB routing up bird"
ok "the first bird processes are gone (pids ${PIDS[*]})" all_gone "${PIDS[@]}"
read -r -a PIDS <<<"$(daemon_pids bird)"
waits "bird again: popa learns $V4 via $AS" "$V4" popa --proto bird --dev "$AS" --timeout "$LEARN_S"
ok "popa: no proto babel routes left from babeld" no_routes popa babel
site_defaults "after bird, babeld, bird"
ok "routing wait --absent: nothing for $V4 via $AB in popa" lab routing wait "$V4" popa --dev "$AB" --absent --timeout 1
not_ok "routing wait times out (route via a device that has none)" lab routing wait "$V4" popa --dev "$AB" --timeout 0.3
ok "lab down (with bird running)" lab down
equal "bird ran in 3 namespaces (pid files)" "${#PIDS[@]}" 3
ok "lab down stopped bird (pids ${PIDS[*]})" all_gone "${PIDS[@]}"

done_testing
