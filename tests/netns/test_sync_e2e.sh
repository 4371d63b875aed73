#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp sync end to end in the namespace lab (its own name), twice: real
# babeld with `anyxdp sync --babel`, then BIRD's Babel with
# `anyxdp sync --netlink --proto bird`. anyxdp on popa's uplink serves the
# anycast prefixes with no static route: every next hop is learned.
#
#   1. --once --dry-run names what it would add and changes nothing; the
#      running sync puts popa's Babel routes (via the tunnel to the site,
#      IPv4 and IPv6) in the map; UDP echo and TCP whodis reach the site
#      through popa's tunnel
#   2. the site's end of the popa-site tunnel goes down while the client
#      sends UDP echoes every 10 ms: Babel reroutes via popb, the map
#      follows (to the tunnel to popb), traffic resumes through popb.
#      Measured ("# ..." lines, and key=value lines in $SYNC_E2E_RESULTS if
#      set): daemon's change -> map (this test's own monitor on babeld's
#      local interface, or rtnetlink for BIRD, against the map read every
#      ~0.5 ms), the client's longest gap and losses, the part of the gap
#      after the daemon's change, the sync's own latency_us
#   3. the tunnel end comes back: the map returns to the direct tunnel
#   4. the routing daemon on popa restarts: babeld killed with SIGKILL
#      (the sync keeps its routes in grace and confirms them); babeld
#      stopped with SIGTERM withdraws every route and closes: the routes
#      never leave the map either; BIRD stopped with SIGTERM deletes its
#      kernel routes, and the sync follows (measured); afterwards the map
#      equals the daemon's kernel routes, nothing stale
#   5. the sync is killed with SIGKILL and restarted: the routes stay in
#      the map meanwhile, the restarted sync changes nothing (updates 0)
#   6. nothing ignored, no errors; SIGTERM stops the sync, routes stay
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "network namespaces, XDP, WireGuard, Babel daemons"

LAB=axy$(($$ % 100000))
T=$(mktemp -d /tmp/anyxdp-sync-e2e.XXXXXX)
chmod 0755 "$T"
SYNC_PID=
BG=()
GRACE=8
RESULTS=${SYNC_E2E_RESULTS:-}

cleanup() {
	local p
	[[ -n $SYNC_PID ]] && kill -KILL "$SYNC_PID" 2>/dev/null
	for p in "${BG[@]+"${BG[@]}"}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	lab down >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM	# so the EXIT trap runs under timeout(1) too

W=$TOP/tests/lab/sync_watch.py
[[ -n $RESULTS ]] && : >"$RESULTS"

for t in babeld bird birdc socat bpftool; do
	command -v "$t" >/dev/null || { fail "'$t' is installed (scripts/deps.sh)"; done_testing; exit 1; }
done
[[ -x $BIN/anyxdp ]] || { fail "build/anyxdp exists (run make)"; done_testing; exit 1; }

num() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }
# result KEY VALUE: into $SYNC_E2E_RESULTS as RUN_KEY=VALUE
result() { [[ -n $RESULTS ]] && echo "${RUN}_$1=$2" >>"$RESULTS"; return 0; }
# until_ok SECONDS CMD...: poll CMD every 50 ms until it succeeds
until_ok() {
	local n i
	n=$(awk -v s="$1" 'BEGIN { printf "%d", s * 20 }')
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	"$@" >/dev/null 2>&1
}
# await SECONDS FILE...: until every FILE exists
await() {
	local s=$1
	shift
	until_ok "$s" bash -c 'for f; do [[ -e $f ]] || exit 1; done' _ "$@"
}

# JSON helpers
#   j.py learned ROUTES PREFIX     "DEV VIA" of the learned row, or "none"
#   j.py rows ROUTES ORIGIN        number of rows of that origin
#   j.py st STATUS EXPR            EXPR over d (sync status --json)
#   j.py same ROUTES K4 K6 P...    "same" when the learned rows of the
#                                  prefixes equal the kernel routes (ip -j)
#   j.py field FILE PREFIX KEY     a key of a prefix in sync_watch's JSON
cat >"$T/j.py" <<'PY'
import json, sys

def load(f):
    try:
        return json.load(open(f))
    except (OSError, ValueError):
        return None

what = sys.argv[1]
d = load(sys.argv[2])
if d is None:
    print('unreadable')
elif what == 'learned':
    r = [x for x in d if x.get('prefix') == sys.argv[3] and x.get('origin') == 'learned']
    print('%s %s' % (r[0].get('dev'), r[0].get('via') or '-') if r else 'none')
elif what == 'rows':
    print(sum(1 for x in d if x.get('origin') == sys.argv[3]))
elif what == 'st':
    print(eval(sys.argv[3]))
elif what == 'same':
    k = (load(sys.argv[3]) or []) + (load(sys.argv[4]) or [])
    want = {}
    for x in k:
        via = x.get('gateway') or (x.get('via') or {}).get('host') or '-'
        want[x['dst']] = '%s %s' % (x.get('dev'), via)
    got = {x['prefix']: '%s %s' % (x.get('dev'), x.get('via') or '-')
           for x in d if x.get('origin') == 'learned'}
    pfx = sys.argv[5:]
    w = {p: want.get(p, 'none') for p in pfx}
    g = {p: got.get(p, 'none') for p in pfx}
    extra = sorted(set(got) - set(pfx))
    print('same' if w == g and not extra else 'map %s extra %s, daemon %s' % (g, extra, w))
elif what == 'field':
    v = (d.get('prefixes') or {}).get(sys.argv[3], {}).get(sys.argv[4])
    print('none' if v is None else v)
PY
j() { "$PY" "$T/j.py" "$@"; }

# ---- one run: lab, anyxdp, routing daemon, sync ----

# ax ARGS: anyxdp in popa with popa's pin dir
ax() { popa "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" "$@"; }
# learned PREFIX: "DEV VIA" of its learned next hop, or "none"
learned() {
	ax route list --json >"$T/rows.json" 2>/dev/null
	j learned "$T/rows.json" "$1"
}
# st EXPR: a value from `sync status --json`
st() {
	ax sync status --json >"$T/st.json" 2>/dev/null
	j st "$T/st.json" "$1"
}
st_is() { [[ $(st "$1") == "$2" ]]; }
# same_as_daemon: the map's learned routes equal popa's kernel routes of the daemon
same_as_daemon() {
	ax route list --json >"$T/rows.json" 2>/dev/null
	popa ip -4 -j route show proto "$PROTO" >"$T/k4.json" 2>/dev/null
	popa ip -6 -j route show proto "$PROTO" >"$T/k6.json" 2>/dev/null
	j same "$T/rows.json" "$T/k4.json" "$T/k6.json" "$V4" "$V6"
}
is_same() { [[ $(same_as_daemon) == same ]]; }
synced() {
	[[ $(st 'd["state"], d["routes"], d["stale"]') == "('running', 2, 0)" ]]
}

# (nsenter execs: $! is the process itself)
start_sync() {
	nsenter --net=/run/netns/"$LAB-popa" "$BIN/anyxdp" --pin-dir "$LAB_PIN_POPA" sync "${SRC[@]}" --iface "$LAB-*" \
		--grace "$GRACE" --no-config >>"$T/sync.log" 2>&1 &
	SYNC_PID=$!
}
show_sync_log() { tail -n 8 "$T/sync.log" | sed 's/^/#   sync: /'; }

# daemon_stop SIGNAL: stop the routing daemon in popa (up to 5 s)
daemon_stop() {
	local pid
	pid=$(cat "$LAB_STATE/$DAEMON-popa.pid" 2>/dev/null)
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -"$1" "$pid" || return 1
	until_ok 5 bash -c '[[ $(ps -o stat= -p '"$pid"') == @(|Z*) ]]'
}
# daemon_start: start popa's daemon again as lab.sh does (its config file,
# pid file, log, sockets) and wait (5 s) until it answers
daemon_start() {
	local s=$LAB_STATE
	if [[ $DAEMON == babeld ]]; then
		rm -f "$s/babeld-popa.pid"
		popa babeld -D -I "$s/babeld-popa.pid" -S "$s/babeld-popa.state" -c "$s/babeld-popa.conf" \
			-L "$s/babeld-popa.log" "$LAB-as" "$LAB-ab" </dev/null >>"$s/babeld-popa.log.err" 2>&1 || return 1
		until_ok 5 popa socat -u OPEN:/dev/null "TCP6:[::1]:33123"
	else
		rm -f "$s/bird-popa.pid" "$s/bird-popa.ctl"
		popa bird -c "$s/bird-popa.conf" -s "$s/bird-popa.ctl" -P "$s/bird-popa.pid" \
			</dev/null >>"$s/bird-popa.log" 2>&1 || return 1
		until_ok 5 birdc -s "$s/bird-popa.ctl" show status
	fi
}

# probe udp|tcp ADDR: the answer on stdout, exit 1 on timeout
probe() { client "$PY" "$LAB_PROBE" "$@" --timeout 1 --tries 3; }
answer_of() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
# traffic POP SITE_DEV WHEN: UDP echo and TCP whodis, both families,
# answered through POP, arriving at the site on SITE_DEV
traffic() {
	local a out
	for a in "$LAB_SITE_V4" "$LAB_SITE_V6"; do
		if out=$(probe udp "$a" 2>&1); then pass "$3: UDP echo $a"; else fail "$3: UDP echo $a" "$out"; fi
		out=$(probe tcp "$a" 2>&1)
		equal "$3: TCP whodis $a answered through $1 $2" \
			"$(answer_of "$out" pop) $(answer_of "$out" dev)" "$1 $2"
	done
}
# expect_learned WHEN DEV VIA4 VIA6
expect_learned() {
	equal "$1: learned $V4 dev $2 via $3" "$(learned "$V4")" "$2 $3"
	equal "$1: learned $V6 dev $2 via $4" "$(learned "$V6")" "$2 $4"
}

# watch_start MODE ARGS...: a sync_watch.py in popa (reroute or hold)
watch_start() {
	rm -f "$T/w.ready" "$T/w.stop"
	nsenter --net=/run/netns/"$LAB-popa" "$PY" "$W" "$@" --pin "$LAB_PIN_POPA" --prefix "$V4" --prefix "$V6" \
		--ready "$T/w.ready" >"$T/w.json" 2>"$T/w.err" &
	WPID=$!
	BG+=("$WPID")
	await 5 "$T/w.ready"
}
watch_stop() {
	touch "$T/w.stop"
	wait "$WPID"
}

# outage_fields FAMILY T1: "LOST GAP_MS AFTER_MS BEFORE_MS" of the UDP probes
outage_fields() {
	"$PY" "$W" outage "$T/u$1.json" --t1 "$2" >"$T/o$1.json" 2>/dev/null
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1])); t1 = float(sys.argv[2])
b = round((t1 - d["gap_start"]) * 1000, 1) if d.get("gap_start") else "none"
print(d["lost"], d["gap_ms"], d["after_t1_ms"], b, d["sent"])' "$T/o$1.json" "$2" 2>/dev/null || echo "none none none none none"
}

run() {
	DAEMON=$1 PROTO=$2 RUN=$1
	local out t0 t1v4 t1v6 ms4 ms6 f lost gap after before sent fam lat u a d
	echo "# ==== $DAEMON: anyxdp sync ${3} ===="
	SYNC_PID=
	: >"$T/sync.log"

	# ---- 1. lab, anyxdp, routing, sync ----
	lab_up "$DAEMON" || return
	V4=$LAB_ANYCAST_V4 V6=$LAB_ANYCAST_V6
	AS=$LAB_TUN_POPA_SITE AB=$LAB_TUN_POPA_POPB SA=$LAB_TUN_SITE_POPA SB=$LAB_TUN_SITE_POPB
	if [[ $DAEMON == babeld ]]; then
		SRC=(--babel "[::1]:33123") VIA_AS4=$LAB_LL_SITE_POPA VIA_AB4=$LAB_LL_POPB_POPA
		WSRC=(--babel "[::1]:33123")
	else
		# BIRD's IPv4 next hops: the tunnel ends' IPv4 link addresses (lab.sh)
		SRC=(--netlink --proto bird) VIA_AS4=169.254.10.2 VIA_AB4=169.254.171.2
		WSRC=(--netlink --proto 12)
	fi
	ok "$DAEMON: attach anyxdp to popa's uplink" ax attach "$LAB_UPLINK" --mode native --no-config
	ok "$DAEMON: prefix add $V4 $V6" ax prefix add "$V4" "$V6"
	ok "$DAEMON: routing up $DAEMON" lab routing up "$DAEMON"
	for p in "$V4" "$V6"; do
		ok "$DAEMON: popa's $DAEMON installs $p via $AS" lab routing wait "$p" popa --proto "$PROTO" --dev "$AS" --timeout 20
	done

	out=$(ax sync "${SRC[@]}" --iface "$LAB-*" --once --dry-run --no-config 2>&1)
	check "$DAEMON: sync --once --dry-run: 2 to add, nothing changed" \
		"\"\$out\" == *'2 to add, 0 to change, 0 to remove; 0 ignored; nothing changed'*"
	ax route list --json >"$T/rows.json" 2>/dev/null
	equal "$DAEMON: dry run left the map without learned routes" "$(j rows "$T/rows.json" learned)" 0

	start_sync
	if until_ok 15 synced; then pass "$DAEMON: sync running, 2 routes"; else fail "$DAEMON: sync running, 2 routes" "$(st d)"; show_sync_log; fi
	ax route list --json >"$T/rows.json" 2>/dev/null
	equal "$DAEMON: no static routes in popa's map" "$(j rows "$T/rows.json" static)" 0
	expect_learned "$DAEMON" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
	equal "$DAEMON: map equals popa's proto $PROTO routes" "$(same_as_daemon)" same
	traffic popa "$SA" "$DAEMON, direct"

	# ---- 2. cut popa-site, measure ----
	rm -f "$T/u.stop" "$T/u4.ready" "$T/u6.ready"
	for fam in 4 6; do
		a=$LAB_SITE_V4
		[[ $fam == 6 ]] && a=$LAB_SITE_V6
		nsenter --net=/run/netns/"$LAB-client" "$PY" "$W" udp "$a" --interval 0.01 --duration 25 --stop "$T/u.stop" \
			--ready "$T/u$fam.ready" >"$T/u$fam.json" 2>"$T/u$fam.err" &
		BG+=($!)
		eval "UPID$fam=\$!"
	done
	rm -f "$T/w.ready"
	nsenter --net=/run/netns/"$LAB-popa" "$PY" "$W" reroute "${WSRC[@]}" --pin "$LAB_PIN_POPA" --dev "$AB" --prefix "$V4" --prefix "$V6" \
		--ready "$T/w.ready" --timeout 20 >"$T/w.json" 2>"$T/w.err" &
	WPID=$!
	BG+=("$WPID")
	await 5 "$T/w.ready" "$T/u4.ready" "$T/u6.ready" ||
		fail "$DAEMON: probes and monitor started" "$(cat "$T"/w.err "$T"/u*.err)"
	sleep 0.3
	ok "$DAEMON: cut: $SA down" lab link "$SA" down
	wait "$WPID"
	sleep 0.5	# replies through the new path
	touch "$T/u.stop"
	wait "$UPID4" "$UPID6"
	t1v4=$(j field "$T/w.json" "$V4" t_route) t1v6=$(j field "$T/w.json" "$V6" t_route)
	ms4=$(j field "$T/w.json" "$V4" ms) ms6=$(j field "$T/w.json" "$V6" ms)
	check "$DAEMON: monitor saw $DAEMON install $V4 and $V6 via $AB" "\"$t1v4\" != none && \"$t1v6\" != none"
	check "$DAEMON: the map followed to $AB for both (within 1 s of the change)" \
		"\"$ms4\" != none && \"$ms6\" != none && \$(awk 'BEGIN { print ($ms4 < 1000 && $ms6 < 1000) }') == 1"
	[[ $t1v4 == none || $ms4 == none ]] && { sed 's/^/#   watch: /' "$T/w.json" "$T/w.err"; show_sync_log; }
	f=
	[[ $ms4$ms6 == *-* ]] && f="  (negative: the sync had read the change before this test's monitor)"
	echo "# reroute: $DAEMON change -> map $ms4 ms (IPv4), $ms6 ms (IPv6)$f"
	result reroute_map_ms_v4 "$ms4"
	result reroute_map_ms_v6 "$ms6"
	for p in "$V4" "$V6"; do
		a=$(j field "$T/w.json" "$p" absent_ms)
		f=4
		[[ $p == *:* ]] && f=6
		echo "# reroute: map without a learned route for $a ms (IPv$f) before the new one"
		result reroute_map_absent_ms_v$f "$a"
	done
	for fam in 4 6; do
		t0=$t1v4
		[[ $fam == 6 ]] && t0=$t1v6
		read -r lost gap after before sent <<<"$(outage_fields "$fam" "${t0/none/0}")"
		echo "# outage IPv$fam: longest gap $gap ms, $lost of $sent probes lost (every 10 ms); before the $DAEMON change $before ms, change -> first reply $after ms"
		result outage_gap_ms_v$fam "$gap"
		result outage_lost_v$fam "$lost"
		result outage_before_change_ms_v$fam "$before"
		result outage_after_change_ms_v$fam "$after"
		check "$DAEMON: IPv$fam echoes resume after the cut (first reply within 2 s of the change)" \
			"\"$after\" != none && \$(awk 'BEGIN { print ($after >= -50 && $after < 2000) }') == 1"
	done
	expect_learned "$DAEMON, cut" "$AB" "$VIA_AB4" "$LAB_LL_POPB_POPA"
	equal "$DAEMON, cut: map equals popa's proto $PROTO routes" "$(same_as_daemon)" same
	traffic popb "$SB" "$DAEMON, cut"

	# ---- 3. back ----
	rm -f "$T/w.ready"
	nsenter --net=/run/netns/"$LAB-popa" "$PY" "$W" reroute "${WSRC[@]}" --pin "$LAB_PIN_POPA" --dev "$AS" --prefix "$V4" --prefix "$V6" \
		--ready "$T/w.ready" --timeout 20 >"$T/w.json" 2>"$T/w.err" &
	WPID=$!
	BG+=("$WPID")
	await 5 "$T/w.ready"
	ok "$DAEMON: $SA up again" lab link "$SA" up
	wait "$WPID"
	ms4=$(j field "$T/w.json" "$V4" ms) ms6=$(j field "$T/w.json" "$V6" ms)
	check "$DAEMON: back: the map followed to $AS for both" "\"$ms4\" != none && \"$ms6\" != none"
	f=
	[[ $ms4$ms6 == *-* ]] && f="  (negative: the sync had read the change before this test's monitor)"
	echo "# return: $DAEMON change -> map $ms4 ms (IPv4), $ms6 ms (IPv6)$f"
	result return_map_ms_v4 "$ms4"
	result return_map_ms_v6 "$ms6"
	expect_learned "$DAEMON, back" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
	until_ok 3 is_same
	equal "$DAEMON, back: map equals popa's proto $PROTO routes" "$(same_as_daemon)" same
	traffic popa "$SA" "$DAEMON, back"

	lat=$(st '"%d %d %d" % (d["latency_us"]["p50"], d["latency_us"]["p99"], d["latency_us"]["max"])')
	read -r a f u <<<"$lat"
	echo "# sync latency_us (read -> map updated): p50 $a, p99 $f, max $u; updates $(st 'd["updates"]')"
	result sync_latency_us_p50 "$a"
	result sync_latency_us_p99 "$f"
	result sync_latency_us_max "$u"
	check "$DAEMON: sync status latency p50/p99/max are numbers, p99 < 100 ms" "\"$a\" =~ ^[0-9]+$ && \"$u\" =~ ^[0-9]+$ && ${f:-999999} -lt 100000"

	# ---- 4. the routing daemon restarts ----
	# SIGTERM: babeld withdraws all, then closes (asserted below); BIRD deletes its kernel routes (measured)
	watch_start hold --dev "$AS" --stop "$T/w.stop" --timeout 40
	t0=$(date +%s%N)
	ok "$DAEMON: SIGTERM $DAEMON in popa" daemon_stop TERM
	ok "$DAEMON: start $DAEMON in popa again" daemon_start
	if until_ok 20 bash -c "[[ \$('$TOP/scripts/lab.sh' --name $LAB routing status 2>/dev/null | grep -c 'dev $AS') -ge 2 ]]" && until_ok 5 is_same; then
		pass "$DAEMON: after the SIGTERM restart the map equals popa's proto $PROTO routes ($((($(date +%s%N) - t0) / 1000000)) ms)"
	else
		fail "$DAEMON: after the SIGTERM restart the map equals popa's proto $PROTO routes" "$(same_as_daemon)"
		show_sync_log
	fi
	watch_stop
	a=$(j field "$T/w.json" "$V4" absent_ms) f=$(j field "$T/w.json" "$V6" absent_ms)
	echo "# $DAEMON SIGTERM restart: map without learned routes for $a ms (IPv4), $f ms (IPv6); sync state $(st 'd["state"]')"
	result restart_term_map_absent_ms_v4 "$a"
	result restart_term_map_absent_ms_v6 "$f"
	if [[ $DAEMON == babeld ]]; then
		# babeld withdraws everything, then closes: the sync holds withdrawals
		# 100 ms, sees the close, and keeps the routes for the grace period.
		check "babeld: SIGTERM restart: the routes never left the map (IPv4: $a ms)" "\"$a\" == 0.0"
		check "babeld: SIGTERM restart: the routes never left the map (IPv6: $f ms)" "\"$f\" == 0.0"
	fi

	if [[ $DAEMON == babeld ]]; then
		# SIGKILL: babeld goes without a word; the sync keeps its routes in grace
		until_ok 10 synced
		watch_start hold --dev "$AS" --stop "$T/w.stop" --timeout 40
		u=$(st 'd["updates"]')
		t0=$(date +%s%N)
		ok "babeld: SIGKILL babeld in popa" daemon_stop KILL
		if until_ok 5 st_is 'd["state"]' grace; then pass "babeld killed: sync state grace"; else fail "babeld killed: sync state grace" "$(st d)"; fi
		equal "babeld killed: routes 2, stale 2" "$(st 'd["routes"], d["stale"]')" "(2, 2)"
		expect_learned "babeld killed" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
		ok "babeld: start babeld in popa again" daemon_start
		if until_ok 15 synced; then pass "babeld restarted: sync running, 2 routes, 0 stale"; else fail "babeld restarted: sync running, 2 routes, 0 stale" "$(st d)"; show_sync_log; fi
		until_ok 5 is_same
		watch_stop
		a=$(j field "$T/w.json" "$V4" absent_ms) f=$(j field "$T/w.json" "$V6" absent_ms)
		equal "babeld SIGKILL restart: learned routes stayed in the map throughout (absent ms v4 v6)" "$a $f" "0.0 0.0"
		result restart_kill_map_absent_ms_v4 "$a"
		result restart_kill_map_absent_ms_v6 "$f"
		echo "# babeld SIGKILL restart: confirmed after $((($(date +%s%N) - t0) / 1000000)) ms; updates $u -> $(st 'd["updates"]')"
		# the grace period from the kill ends: nothing stale, nothing removed
		if until_ok $((GRACE + 5)) grep -q 'grace period over' "$T/sync.log"; then
			pass "babeld: the grace period ended (--grace $GRACE)"
		else
			fail "babeld: the grace period ended (--grace $GRACE)"
			show_sync_log
		fi
		equal "babeld, after grace: state, routes, stale" "$(st 'd["state"], d["routes"], d["stale"]')" "('running', 2, 0)"
		equal "babeld, after grace: map equals popa's proto babel routes" "$(same_as_daemon)" same
		expect_learned "babeld, after grace" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
	else
		until_ok 10 synced
		equal "bird restarted: state, routes, stale" "$(st 'd["state"], d["routes"], d["stale"]')" "('running', 2, 0)"
		expect_learned "bird restarted" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
	fi
	traffic popa "$SA" "$DAEMON restarted"

	# ---- 5. kill -9 the sync, start it again ----
	watch_start hold --dev "$AS" --stop "$T/w.stop" --timeout 40
	ok "$DAEMON: SIGKILL the sync" kill -KILL "$SYNC_PID"
	wait "$SYNC_PID" 2>/dev/null
	SYNC_PID=
	equal "$DAEMON: sync status says dead" "$(st 'd["state"], d["running"]')" "('dead', False)"
	sleep 0.5
	start_sync
	if until_ok 15 synced; then pass "$DAEMON: restarted sync running, 2 routes, 0 stale"; else fail "$DAEMON: restarted sync running, 2 routes, 0 stale" "$(st d)"; show_sync_log; fi
	watch_stop
	a=$(j field "$T/w.json" "$V4" absent_ms) f=$(j field "$T/w.json" "$V6" absent_ms)
	u=$(j field "$T/w.json" "$V4" other_ms)
	equal "$DAEMON: the learned routes stayed in the map, unchanged, while the sync was away" \
		"$a $f $u" "0.0 0.0 0.0"
	result sync_kill_map_absent_ms_v4 "$a"
	equal "$DAEMON: restarted sync: updates 0 (nothing changed)" "$(st 'd["updates"]')" 0
	equal "$DAEMON: restarted sync: map equals popa's proto $PROTO routes" "$(same_as_daemon)" same
	expect_learned "$DAEMON, sync restarted" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"

	# ---- 6. nothing ignored; stop ----
	ax sync status --json >"$T/final.json" 2>/dev/null
	echo "# sync status: $(j st "$T/final.json" 'json.dumps({k: d[k] for k in ("state", "routes", "stale", "updates", "lines", "malformed", "reconnects", "errors", "latency_us", "ignored_by_reason")})')"
	equal "$DAEMON: ignored_by_reason all 0, ignored list empty" \
		"$(j st "$T/final.json" 'sum(d["ignored_by_reason"].values()), len(d["ignored"])')" "(0, 0)"
	equal "$DAEMON: malformed 0, errors 0" "$(j st "$T/final.json" 'd["malformed"], d["errors"]')" "(0, 0)"
	ok "$DAEMON: SIGTERM the sync" kill -TERM "$SYNC_PID"
	if until_ok 5 bash -c "! kill -0 $SYNC_PID"; then pass "$DAEMON: sync exited on SIGTERM"; else fail "$DAEMON: sync exited on SIGTERM"; fi
	wait "$SYNC_PID" 2>/dev/null
	SYNC_PID=
	equal "$DAEMON: sync status says stopped" "$(st 'd["state"]')" stopped
	expect_learned "$DAEMON, sync stopped" "$AS" "$VIA_AS4" "$LAB_LL_SITE_POPA"
	ok "$DAEMON: lab down" lab down
}

client() { nsenter --net=/run/netns/"$LAB-client" "$@"; }
popa() { nsenter --net=/run/netns/"$LAB-popa" "$@"; }

T_START=$(date +%s%N)
run babeld babel "--babel [::1]:33123"
run bird bird "--netlink --proto bird"
echo "# took $((($(date +%s%N) - T_START) / 1000000)) ms"

done_testing
