#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp sync against a scripted babeld (tests/lab/fake_babeld.py, which
# speaks babeld 1.12's local interface), in a private network namespace
# with veth "tunnels" and a private pin dir: options and bad input,
# --once --dry-run, following changes, the filters and their counters,
# malformed lines, losing babeld (grace, reconnect, resync), kill -9 and
# restart without a gap, SIGHUP, SIGTERM, and interfaces that go and come
# back. The real babeld and BIRD are in tests/netns/test_sync_e2e.sh.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, network namespaces"
export LC_ALL=C

scratch axsy	# PIN, NS, T (tests/lib.sh)
chmod 0755 "$T"
FB_PID=
SYNC_PID=

on_exit() {
	[[ -n $SYNC_PID ]] && kill -9 "$SYNC_PID" 2>/dev/null
	[[ -n $FB_PID ]] && kill "$FB_PID" 2>/dev/null
}

ns_enter_cmd	# IN, for ax and nsip (tests/lib.sh)
fb() { echo "$*" | socat -t 2 - UNIX-CONNECT:"$T/fb.ctl"; }
# learned PREFIX: "DEV VIA METRIC" of its learned route, or "none"
learned() {
	ax route list --json >"$T/rows.json" 2>/dev/null
	"$PY" -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["prefix"] == sys.argv[2] and r["origin"] == "learned"]
print("%s %s %s" % (rows[0]["dev"], rows[0]["via"], rows[0]["metric"]) if rows else "none")' \
		"$T/rows.json" "$1"
}
# st 'expression over d': a field of `sync status --json`
st() {
	ax sync status --json >"$T/st.json" 2>/dev/null
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/st.json" "$1"
}
# until_eq DESC EXPECTED CMD...: poll (every 50 ms, at most 5 s) until CMD prints EXPECTED
until_eq() {
	local d=$1 want=$2 got i
	shift 2
	for ((i = 0; i < 100; i++)); do
		got=$("$@")
		[[ $got == "$want" ]] && { pass "$d"; return 0; }
		sleep 0.05
	done
	fail "$d" "got '$got', expected '$want'"
}
# watch_gap N PREFIX "DEV VIA METRIC": in the background, read the route N
# times; $T/gap gets how often it was not so. Sets WATCH (wait for it).
watch_gap() {
	(
		gap=0
		for ((i = 0; i < $1; i++)); do
			[[ $(learned "$2") == "$3" ]] || gap=$((gap + 1))
		done
		echo "$gap" >"$T/gap"
	) &
	WATCH=$!
}
start_fb() {
	"$PY" "$TOP/tests/lab/fake_babeld.py" --listen "unix:$T/babeld.sock" --ctl "$T/fb.ctl" \
		--table "$TOP/tests/data/babeld/dump-popa.txt" >"$T/fb.log" 2>&1 &
	FB_PID=$!
	for ((i = 0; i < 100; i++)); do grep -q ready "$T/fb.log" && return 0; sleep 0.05; done
	return 1
}
start_sync() {
	local conf=--no-config
	[[ " $* " == *" --config "* ]] && conf=
	"${IN[@]}" "$BIN"/anyxdp sync --babel-socket "$T/babeld.sock" $conf "$@" \
		>>"$T/sync.log" 2>&1 &
	SYNC_PID=$!
}
stop_sync() {
	kill -TERM "$SYNC_PID" 2>/dev/null
	wait "$SYNC_PID"
	SYNC_RC=$?
	SYNC_PID=
}

ip netns add "$NS"
nsip link set lo up
# The recorded babeld output names axlab-as (to the site) and axlab-ab (to popb).
nsip link add axlab-as type veth peer name as-peer
nsip link add axlab-ab type veth peer name ab-peer
nsip link add eth9 type veth peer name eth9-peer
for i in axlab-as axlab-ab eth9 as-peer ab-peer eth9-peer; do nsip link set "$i" up; done
ax prefix add 198.51.100.0/24 >/dev/null
ax prefix add 2001:db8:100::/48 >/dev/null
start_fb || { fail "fake babeld starts"; done_testing; exit 1; }

# ---- usage and bad input ----
run ax sync --help
check "sync --help: exit 0, usage" "$RC -eq 0 && \$(grep -c 'babel-socket' $T/out) -ge 1"
run ax sync status --help
check "sync status --help: exit 0" "$RC -eq 0"
run ax sync --babel '[::1]:1' --netlink
check "two sources: exit 2, says so" "$RC -eq 2 && \$(grep -c 'choose one source' $T/err) -eq 1"
run ax sync --dry-run
check "--dry-run without --once: exit 2" "$RC -eq 2 && \$(grep -c 'goes with --once' $T/err) -eq 1"
run ax sync --proto babel
check "--proto without --netlink: exit 2" "$RC -eq 2 && \$(grep -c 'go with --netlink' $T/err) -eq 1"
run ax sync --grace soon
check "--grace soon: exit 2, names the option" "$RC -eq 2 && \$(grep -c -- '--grace' $T/err) -ge 1"
run ax sync --babel '[::1'
check "bad babeld address: exit 2, names it" "$RC -eq 2 && \$(grep -c \"invalid babeld address '\[::1'\" $T/err) -eq 1"
run ax sync --iface ''
check "empty --iface pattern: exit 2" "$RC -eq 2"
run ax sync --withdraw-hold 20000
check "--withdraw-hold above 10000: exit 2" "$RC -eq 2 && \$(grep -c -- '--withdraw-hold' $T/err) -ge 1"
run ax sync extra
check "stray argument: exit 2" "$RC -eq 2 && \$(grep -c \"unexpected argument 'extra'\" $T/err) -eq 1"
run ax sync status
check "status before any run: exit 1, says so" "$RC -eq 1 && \$(grep -c 'has not run' $T/err) -eq 1"
run ax sync --once --babel-socket "$T/nothing.sock" --no-config
check "--once with babeld absent: exit non-zero, says why" "$RC -ne 0 && \$(grep -c 'cannot connect' $T/err) -eq 1"
run ax sync --once --babel-socket "$T/babeld.sock" --config "$T/missing.conf"
check "--config missing: exit 1, names the file" "$RC -eq 1 && \$(grep -c 'missing.conf' $T/err) -ge 1"

# ---- --once --dry-run, then --once ----
ax route list --json >"$T/before.json"
run ax sync --once --dry-run --babel-socket "$T/babeld.sock" --no-config
check "--once --dry-run: exit 0" "$RC -eq 0"
check "--dry-run prints the adds" "\$(grep -c '^add ' $T/out) -eq 2"
check "--dry-run names the next hop" "\$(grep -c '^add     198.51.100.0/24 dev axlab-as via fe80::a:2 metric 96' $T/out) -eq 1"
check "--dry-run summary says nothing changed" "\$(grep -c '2 to add, 0 to change, 0 to remove; 0 ignored; nothing changed' $T/out) -eq 1"
ax route list --json >"$T/after.json"
ok "--dry-run changed nothing" cmp -s "$T/before.json" "$T/after.json"
run ax sync --once --babel-socket "$T/babeld.sock" --no-config
check "--once: exit 0, 2 added" "$RC -eq 0 && \$(grep -c '2 added' $T/out) -eq 1"
equal "--once wrote the v4 route" "$(learned 198.51.100.0/24)" "axlab-as fe80::a:2 96"
equal "--once wrote the v6 route" "$(learned 2001:db8:100::/48)" "axlab-as fe80::a:2 96"
run ax sync --once --babel-socket "$T/babeld.sock" --no-config
check "--once again: nothing to do" "$RC -eq 0 && \$(grep -c '0 added, 0 changed, 0 removed' $T/out) -eq 1"

# ---- following babeld ----
start_sync --iface 'axlab-*'
until_eq "daemon: running" "running" st 'd["state"]'
equal "the routes of --once are confirmed, not rewritten" "$(st 'd["updates"]')" "0"
equal "status: 2 learned, none stale" "$(st '"%d %d" % (d["routes"], d["stale"])')" "2 0"
run ax status
check "anyxdp status has a sync line" "\$(grep -c '^sync: *running (pid $SYNC_PID), babeld unix:.*: 2 learned routes (0 stale), 0 ignored' $T/out) -eq 1"
ax status --json >"$T/status.json"
equal "anyxdp status --json has the sync" "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["sync"]; print(d["state"], d["routes"])' "$T/status.json")" "running 2"
# babeld's reroute, as recorded: the direct route goes to 65535, the other is installed
fb route 563d05a8da80 198.51.100.0/24 axlab-as fe80::a:2 65535 >/dev/null
until_eq "metric 65535: the route is withdrawn" "none" learned 198.51.100.0/24
fb route 563d05a8db40 198.51.100.0/24 axlab-ab fe80::ab:2 192 >/dev/null
until_eq "reroute: via popb's tunnel" "axlab-ab fe80::ab:2 192" learned 198.51.100.0/24
fb route 563d05a8da80 198.51.100.0/24 axlab-as fe80::a:2 96 no >/dev/null
fb route 563d05a8db40 198.51.100.0/24 axlab-ab fe80::ab:2 192 no >/dev/null
until_eq "installed no: withdrawn" "none" learned 198.51.100.0/24
fb route 563d05a8da80 198.51.100.0/24 axlab-as fe80::a:2 96 >/dev/null
until_eq "back on the direct tunnel" "axlab-as fe80::a:2 96" learned 198.51.100.0/24
fb flush 563d05a8bc90 >/dev/null
until_eq "flush route: withdrawn" "none" learned 2001:db8:100::/48
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 96 >/dev/null
until_eq "add route: back" "axlab-as fe80::a:2 96" learned 2001:db8:100::/48

# a withdrawal cancelled within its hold, then withdrawn again: one removal
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 65535 >/dev/null
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 96 >/dev/null
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 65535 >/dev/null
until_eq "withdraw, return, withdraw within the hold: withdrawn" "none" learned 2001:db8:100::/48
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 96 >/dev/null
until_eq "and back" "axlab-as fe80::a:2 96" learned 2001:db8:100::/48
check "the sync is alive after that" "-d /proc/$SYNC_PID"

# ---- filters: ignored and counted, never written ----
fb route N1 203.0.113.0/24 axlab-as fe80::a:2 96 >/dev/null
fb route N2 198.51.100.128/25 eth9 fe80::9:2 96 >/dev/null
fb route N3 198.51.100.64/26 axlab-gone fe80::9:2 96 >/dev/null
fb route N4 2001:db8:100:1::/64 axlab-as fe80::a:2 96 from=2001:db8::/32 >/dev/null
until_eq "ignored: one per reason" "1 1 1 1" \
	st '"%d %d %d %d" % tuple(d["ignored_by_reason"][k] for k in ("not_served", "iface_not_allowed", "no_such_iface", "source_specific"))'
equal "not served: not in the map" "$(learned 203.0.113.0/24)" "none"
equal "interface not allowed: not in the map" "$(learned 198.51.100.128/25)" "none"
equal "no such interface: not in the map" "$(learned 198.51.100.64/26)" "none"
equal "source-specific: not in the map" "$(learned 2001:db8:100:1::/64)" "none"
equal "status lists the ignored routes with reasons" \
	"$(st '" ".join(sorted("%s:%s" % (i["prefix"], i["reason"]) for i in d["ignored"]))')" \
	"198.51.100.128/25:iface_not_allowed 198.51.100.64/26:no_such_iface 2001:db8:100:1::/64:source_specific 203.0.113.0/24:not_served"
equal "the source-specific entry keeps its from" \
	"$(st '[i["from"] for i in d["ignored"] if i["reason"] == "source_specific"][0]')" "2001:db8::/32"
bpftool -j map dump pinned "$PIN/sync_ignored" >"$T/ign.json"
equal "bpftool reads sync_ignored (4 entries)" "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/ign.json")" "4"
run ax sync status
check "status text: ignored 4 with the reasons" "\$(grep -c 'ignored: 4' $T/out) -eq 1 && \$(grep -c '203.0.113.0/24 dev axlab-as via fe80::a:2 metric 96: not_served' $T/out) -eq 1"
fb flush N1 >/dev/null
until_eq "a flushed ignored route leaves the list" "0" st 'd["ignored_by_reason"]["not_served"]'

# ---- static routes keep precedence ----
ax route add 198.51.100.0/24 dev axlab-ab via fe80::ab:2 >/dev/null
ax route list --json >"$T/rows.json"
equal "static route is the active one" "$("$PY" -c '
import json,sys
print(" ".join("%s:%s" % (r["origin"], r["active"]) for r in json.load(open(sys.argv[1])) if r["prefix"] == "198.51.100.0/24"))' "$T/rows.json")" "static:True learned:False"
fb route 563d05a8da80 198.51.100.0/24 axlab-as fe80::a:2 97 >/dev/null
until_eq "learned still follows under a static route" "axlab-as fe80::a:2 97" learned 198.51.100.0/24
ax route list --json >"$T/rows.json"
equal "the static route is untouched" "$("$PY" -c '
import json,sys
print(" ".join("%s:%s" % (r["dev"], r["via"]) for r in json.load(open(sys.argv[1])) if r["prefix"] == "198.51.100.0/24" and r["origin"] == "static"))' "$T/rows.json")" "axlab-ab:fe80::ab:2"
ax route del 198.51.100.0/24 >/dev/null

# ---- malformed input: warned, counted, skipped; the process stays ----
m0=$(st 'd["malformed"]')
fb raw "add route 5 prefix 198.51.100.0/24 from 0.0.0.0/0 installed maybe metric 96 via fe80::1 if axlab-as" >/dev/null
fb raw "change route 6 prefix 300.1.2.0/24 from 0.0.0.0/0 installed yes metric 96 via fe80::1 if axlab-as" >/dev/null
fb raw "add route 7 prefix 198.51.100.0/24 from 0.0.0.0/0 installed yes metric 96 via nowhere if axlab-as" >/dev/null
fb raw "$(printf 'add route 8 prefix 198.51.100.0/24 %01200d' 0)" >/dev/null
fb raw "add route 9 prefix 198.51.100.0/24 from 0.0.0.0/0 installed yes metric 70000 via fe80::1 if axlab-as" >/dev/null
until_eq "5 malformed lines counted" "$((m0 + 5))" st 'd["malformed"]'
check "each is warned about with the reason" "\$(grep -c \"installed yes|no\" $T/sync.log) -ge 1 && \$(grep -c \"valid 'prefix'\" $T/sync.log) -ge 1 && \$(grep -c \"valid 'via'\" $T/sync.log) -ge 1 && \$(grep -c 'line too long' $T/sync.log) -ge 1 && \$(grep -c \"valid 'metric'\" $T/sync.log) -ge 1"
check "the sync is still running" "-d /proc/$SYNC_PID"
equal "and the routes are as before" "$(learned 198.51.100.0/24)" "axlab-as fe80::a:2 97"
fb route 563d05a8da80 198.51.100.0/24 axlab-as fe80::a:2 96 >/dev/null
until_eq "a good line after bad ones is applied" "axlab-as fe80::a:2 96" learned 198.51.100.0/24

# ---- losing babeld: grace, reconnect, resync ----
stop_sync
equal "SIGTERM: exit 0" "$SYNC_RC" "0"
equal "SIGTERM: status says stopped" "$(st 'd["state"]')" "stopped"
equal "SIGTERM: the routes stay" "$(learned 198.51.100.0/24)" "axlab-as fe80::a:2 96"
start_sync --iface 'axlab-*' --grace 3
until_eq "restarted: running" "running" st 'd["state"]'
fb rawnonl "add route 99 prefix 198.51.100.0/24 from 0.0.0.0/0 inst" >/dev/null
sleep 0.2
g0=$(grep -c 'learned routes for 3 s, reconnecting' "$T/sync.log")
fb drop >/dev/null
# The grace state lasts only until the reconnect 0.2 s later: under load a
# status poll can miss it, so the sync's log line is the evidence.
until_eq "connection cut: grace (keeps the routes, reconnects)" "$((g0 + 1))" \
	eval "grep -c 'learned routes for 3 s, reconnecting' $T/sync.log"
equal "grace: the routes stay" "$(learned 198.51.100.0/24)" "axlab-as fe80::a:2 96"
check "the cut line was reported" "\$(grep -c 'middle of a line' $T/sync.log) -eq 1"
until_eq "reconnected by itself" "running" st 'd["state"]'
check "reconnects counted" "$(st 'd["reconnects"]') -ge 1"
# While connected again, babeld changes its mind: the 2001:db8:100::/48 route is
# gone (flushed while we were away would look the same), the v4 one moves.
fb flush 563d05a8bc90 >/dev/null
fb route 563d05a8da80 198.51.100.0/24 axlab-ab fe80::ab:2 192 >/dev/null
until_eq "after reconnect, changes are followed" "axlab-ab fe80::ab:2 192" learned 198.51.100.0/24
until_eq "a route flushed in the new session goes (after the 100 ms hold)" "none" learned 2001:db8:100::/48
fb route 563d05a8bc90 2001:db8:100::/48 axlab-as fe80::a:2 96 >/dev/null
until_eq "and comes back" "axlab-as fe80::a:2 96" learned 2001:db8:100::/48

# babeld exiting on SIGTERM withdraws every route, then closes: a restart,
# not a withdrawal (the sync holds withdrawals 100 ms for this)
sleep 0.3	# the status is published within 200 ms of a change
u0=$(st 'd["updates"]')
watch_gap 40 198.51.100.0/24 "axlab-ab fe80::ab:2 192"
fb shutdown >/dev/null
until_eq "babeld shutdown: reconnected" "running" st 'd["state"]'
wait "$WATCH"
equal "babeld shutdown: the routes never left the map" "$(cat "$T/gap")" "0"
equal "babeld shutdown: nothing was written" "$(st 'd["updates"]')" "$u0"
equal "babeld shutdown: confirmed, none stale" "$(st 'd["stale"]')" "0"

# babeld goes away for good: routes stay for --grace, then go
kill "$FB_PID"; wait "$FB_PID" 2>/dev/null; FB_PID=
until_eq "babeld gone: grace" "grace" st 'd["state"]'
equal "babeld gone: routes kept meanwhile" "$(learned 198.51.100.0/24)" "axlab-ab fe80::ab:2 192"
until_eq "retries are logged with a backoff" "yes" eval "grep -q 'next try in' $T/sync.log && echo yes"
sleep 3
until_eq "after the grace period the routes go" "none" learned 198.51.100.0/24
equal "status: no routes, connecting" "$(st '"%d %s" % (d["routes"], d["state"])')" "0 connecting"
start_fb || fail "fake babeld restarts"
until_eq "babeld back: running again" "running" st 'd["state"]'
until_eq "babeld back: routes back" "axlab-as fe80::a:2 96" learned 198.51.100.0/24

# ---- kill -9 and restart: no gap, no stale, no missing ----
kill -9 "$SYNC_PID"; wait "$SYNC_PID" 2>/dev/null; SYNC_PID=
equal "kill -9: status says dead" "$(st 'd["state"]')" "dead"
equal "kill -9: the routes stay" "$(learned 198.51.100.0/24)" "axlab-as fe80::a:2 96"
# babeld changes while no sync runs
fb flush 563d05a8bc90 >/dev/null
fb route NEW 198.51.100.32/27 axlab-ab fe80::ab:2 192 >/dev/null
watch_gap 60 198.51.100.0/24 "axlab-as fe80::a:2 96"
start_sync --iface 'axlab-*' --quiet
until_eq "restart: running" "running" st 'd["state"]'
wait "$WATCH"
equal "no moment without the route during the restart" "$(cat "$T/gap")" "0"
until_eq "restart: a route babeld dropped meanwhile is gone" "none" learned 2001:db8:100::/48
equal "restart: a route babeld added meanwhile is there" "$(learned 198.51.100.32/27)" "axlab-ab fe80::ab:2 192"
equal "restart: nothing stale left" "$(st 'd["stale"]')" "0"
equal "restart: 2 changes written (the unchanged route was not)" "$(st 'd["updates"]')" "2"

# ---- interfaces that go and come back ----
idx=$(nsip -j link show axlab-as | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')
nsip link del axlab-as
until_eq "interface deleted: its route goes" "none" learned 198.51.100.0/24
until_eq "counted as no_such_iface" "1" st 'd["ignored_by_reason"]["no_such_iface"]'
nsip link add axlab-as type veth peer name as-peer
nsip link set axlab-as up; nsip link set as-peer up
until_eq "interface back: the route babeld still selects returns" "axlab-as fe80::a:2 96" learned 198.51.100.0/24
ax route list --json >"$T/rows.json"
nidx=$("$PY" -c '
import json,sys
print([r["ifindex"] for r in json.load(open(sys.argv[1])) if r["prefix"] == "198.51.100.0/24"][0])' "$T/rows.json")
check "with the new ifindex ($idx -> $nidx)" "$nidx -ne $idx && $nidx -gt 0"

# ---- SIGHUP: the config is read again ----
stop_sync
cat >"$T/a.conf" <<EOF
prefix 198.51.100.0/24
prefix 2001:db8:100::/48
EOF
start_sync --iface 'axlab-*' --config "$T/a.conf"
until_eq "with a config: running" "running" st 'd["state"]'
fb route N5 203.0.113.0/24 axlab-as fe80::a:2 96 >/dev/null
until_eq "203.0.113.0/24 not served yet" "1" st 'd["ignored_by_reason"]["not_served"]'
echo "prefix 203.0.113.0/24" >>"$T/a.conf"
kill -HUP "$SYNC_PID"
until_eq "SIGHUP: the new served prefix gets its route" "axlab-as fe80::a:2 96" learned 203.0.113.0/24
echo "prefix 203.0.113.0/33" >>"$T/a.conf"
kill -HUP "$SYNC_PID"
sleep 0.3
check "SIGHUP with a bad config: reported with file and line" "\$(grep -c 'a.conf:4' $T/sync.log) -ge 1"
check "and the sync goes on" "-d /proc/$SYNC_PID"
equal "with everything as it was" "$(learned 203.0.113.0/24)" "axlab-as fe80::a:2 96"
stop_sync
equal "exit 0 after all that" "$SYNC_RC" "0"

# --withdraw-hold 0: babeld's exit empties the map (what the hold prevents)
start_sync --iface 'axlab-*' --withdraw-hold 0
until_eq "hold 0: running" "running" st 'd["state"]'
r0=$(grep -c 'remove 198.51.100.0/24' "$T/sync.log")
fb shutdown >/dev/null
until_eq "hold 0: babeld's exit withdraws at once" "$((r0 + 1))" eval "grep -c 'remove 198.51.100.0/24' $T/sync.log"
until_eq "hold 0: and the reconnect brings it back" "axlab-as fe80::a:2 96" learned 198.51.100.0/24
stop_sync

# n_steer (bl_ctl) gates the XDP lookup: it must count the trie entries the
# sync added and removed one by one.
nsteer=$(bpftool -j map dump pinned "$PIN/bl_ctl" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["formatted"]["value"]["n_steer"])')
entries=$(( $(bpftool -j map dump pinned "$PIN/steer_v4" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))') +
	    $(bpftool -j map dump pinned "$PIN/steer_v6" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))') ))
equal "bl_ctl.n_steer equals the trie entries after all that" "$nsteer" "$entries"
ax route list --json >"$T/rows.json"
equal "every learned route has its counters entry" \
	"$(bpftool -j map dump pinned "$PIN/steer_stats_v4" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"$(bpftool -j map dump pinned "$PIN/steer_v4" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# ---- TCP, as babeld's local-port ----
kill "$FB_PID"; wait "$FB_PID" 2>/dev/null
"${IN[@]}" "$PY" "$TOP/tests/lab/fake_babeld.py" --listen "tcp:[::1]:33123" --ctl "$T/fb.ctl" \
	--table "$TOP/tests/data/babeld/dump-popa.txt" >"$T/fb.log" 2>&1 &
FB_PID=$!
# Wait for the listener itself, not only the "ready" line, and say why if not.
for ((i = 0; i < 200; i++)); do
	[[ -n $("${IN[@]}" ss -Hltn 'sport = :33123') ]] && break
	sleep 0.05
done
if [[ -n $("${IN[@]}" ss -Hltn 'sport = :33123') ]]; then
	pass "scripted babeld listens on [::1]:33123"
else
	fail "scripted babeld listens on [::1]:33123" "$(tr '\n' ' ' <"$T/fb.log")"
fi
run ax sync --once --dry-run --no-config
if [[ $RC -eq 0 ]] && grep -q 'babeld \[::1\]:33123: 4 routes read' "$T/out"; then
	pass "default source [::1]:33123 over TCP"
else
	fail "default source [::1]:33123 over TCP" \
		"exit $RC; output: $(tr '\n' ' ' <"$T/out"); errors: $(tr '\n' ' ' <"$T/err"); babeld: $(tr '\n' ' ' <"$T/fb.log")"
fi

done_testing
