#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp top: usage and refusals, the batch frames, and the live screen
# driven in a detached tmux session of fixed size on a private tmux
# server: header, rates by verdict and the busiest prefix while packets
# run through the attached XDP program (bpftool prog run), refreshing,
# resizing, and leaving the alternate screen with exit 0 on q, Ctrl-C and
# SIGTERM. Expected rates come from the test's own packets: a fixed
# 100-byte frame, so bits/s is 800 times packets/s.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, XDP, network namespaces"
export LC_ALL=C

scratch axtop	# PIN, NS, T (tests/lib.sh)
TM=(tmux -L "axtop-$$")	# a tmux server of our own
LOAD_PID=

on_exit() {
	[[ -n $LOAD_PID ]] && kill "$LOAD_PID" 2>/dev/null
	"${TM[@]}" kill-server 2>/dev/null
}

ns_enter_cmd	# IN, for ax and nsip (tests/lib.sh)

# ---- usage, refusals (outside the netns: it does not exist yet) ----

top_() { "$BIN"/anyxdp top "$@"; }
run top_ --help
check "top --help: exit 0, usage on stdout" "$RC -eq 0 && \$(grep -c '^Usage: anyxdp top' $T/out) -eq 1"
check "  and it names the keys" "\$(grep -c 'q quit' $T/out) -eq 1"
for bad in "--bogus" "--interval 0" "--interval 0.05" "--interval x" "--interval 4000" "-n 0" \
	"-n x" "extra"; do
	# shellcheck disable=SC2086 # split into options
	run top_ $bad
	check "top $bad: exit 2, message on stderr, nothing on stdout" "$RC -eq 2 && -s $T/err && ! -s $T/out"
done
run top_ --batch -n 1
check "no maps: exit 1, 'no anyxdp maps in $PIN'" "$RC -eq 1 && \$(grep -c 'no anyxdp maps in $PIN' $T/err) -eq 1"
check "  and the pin dir is not created" "! -e $PIN"

# ---- a pin dir with served prefixes, a route, a blocklist; XDP on a veth ----

ip netns add "$NS" || { fail "ip netns add"; done_testing; exit 1; }
nsip link set lo up
nsip link add va type veth peer name vb
nsip tuntap add mode tun name tun0
for i in va vb tun0; do nsip link set "$i" up; done
ax prefix add 198.51.100.0/24 2001:db8:100::/48 >/dev/null
ax route add 198.51.100.128/25 dev tun0 >/dev/null
ok "attach va" ax attach va --no-config
"$BIN"/anyxdp-block add 203.0.113.0/24 >/dev/null
PROG=$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["prog_id"])')
check "XDP program id" "$PROG -gt 0"

# 100-byte UDP frames from a listed source: to a route inside a served
# prefix (drop, counted on 198.51.100.128/25 and its served prefix).
"$PY" - "$T" <<'EOF'
import struct, sys
def frame(src, dst, size=100):
    payload = b"x" * (size - 42)
    udp = struct.pack("!HHHH", 4000, 53, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + udp
open(sys.argv[1] + "/drop.pkt", "wb").write(frame("203.0.113.5", "198.51.100.200"))
EOF
# Counters already high: a total shown instead of a rate would stand out.
bpftool prog run id "$PROG" data_in "$T/drop.pkt" repeat 200000 >/dev/null
# load SECONDS: 1000 frames every 0.2 s, so at most ~5000/s (in the background)
load() {
	local end=$(($(date +%s) + $1))
	while (($(date +%s) < end)); do
		bpftool prog run id "$PROG" data_in "$T/drop.pkt" repeat 1000 >/dev/null || return
		sleep 0.2
	done
}
# si "2.50k" -> 2500
si() { "$PY" -c 'import sys; v = sys.argv[1]; m = {"k": 1e3, "M": 1e6, "G": 1e9}
print(int(float(v[:-1]) * m[v[-1]]) if v[-1] in m else (-1 if v == "-" else int(float(v))))' "$1"; }
# field FILE WORD N: field N of the first line starting with WORD
field() { awk -v w="$2" -v n="$3" '$1 == w { print $n; exit }' "$1"; }

# ---- batch frames ----

run ax top --batch -n 1 </dev/null
check "batch -n 1 with stdin not a terminal: exit 0" "$RC -eq 0"
equal "batch -n 1: one frame" "$(grep -c '^anyxdp top' "$T/out")" "1"
run ax top
check "stdout not a terminal without --batch: exit 1, says so, prints nothing" \
	"$RC -eq 1 && \$(grep -c 'stdout is not a terminal' $T/err) -eq 1 && ! -s $T/out"

load 4 & LOAD_PID=$!
run ax top --batch -n 3 --interval 0.5
check "batch -n 3 -d 0.5 under load: exit 0, three frames" "$RC -eq 0 && \$(grep -c '^anyxdp top' $T/out) -eq 3"
# the last frame
awk '/^anyxdp top/ { n++ } n == 3' "$T/out" >"$T/last"
DROP=$(si "$(field "$T/last" drop 2)")
DROP_BPS=$(si "$(field "$T/last" drop 3)")
check "batch: drop packets/s between 1 and 7000 (got $DROP; counters hold 200000)" "$DROP -ge 1 && $DROP -le 7000"
check "batch: drop bits/s is 800 x packets/s within 2% (got $DROP_BPS)" \
	"$DROP_BPS -ge $((DROP * 784)) && $DROP_BPS -le $((DROP * 816))"
equal "batch: steer 0 packets/s, 0 bits/s" "$(field "$T/last" steer 2) $(field "$T/last" steer 3)" "0 0"
equal "batch: drop_blocklist is the busiest reason" "$(field "$T/last" pass 4)" "drop_blocklist"
equal "batch: prefix rows busiest first, the idle one last" \
	"$(awk '/^PREFIX/ { t = 1; next } t && NF { print $1 }' "$T/last" | tr '\n' ' ')" \
	"198.51.100.0/24 198.51.100.128/25 2001:db8:100::/48 "
ROUTE_DROP=$(si "$(field "$T/last" 198.51.100.128/25 7)")
check "batch: the route's DROP/S is near the drop verdict's ($ROUTE_DROP vs $DROP)" \
	"$ROUTE_DROP -ge $((DROP * 9 / 10)) && $ROUTE_DROP -le $((DROP * 11 / 10 + 1))"
equal "batch: the route's next hop" "$(field "$T/last" 198.51.100.128/25 10)" "tun0"
equal "batch: the idle prefix at 0 packets/s" "$(field "$T/last" 2001:db8:100::/48 3)" "0"
wait "$LOAD_PID" 2>/dev/null
LOAD_PID=

# ---- the live screen in tmux ----

# start NAME PIN_DIR TOP_ARGS...: anyxdp top in a 120x40 session, its pid
# in $T/NAME.pid, then "EXIT=status" on the normal screen
start() {
	local name=$1 pin=$2
	shift 2
	# trap: Ctrl-C reaches the whole foreground group, this shell too
	cat >"$T/$name.sh" <<-EOF
		trap : INT
		export ANYXDP_PIN_DIR=$pin
		nsenter --net=/run/netns/$NS sh -c 'echo \$\$ >$T/$name.pid; exec $BIN/anyxdp top $*'
		echo EXIT=\$?
		sleep 60
	EOF
	"${TM[@]}" new-session -d -s "$name" -x 120 -y 40 "sh $T/$name.sh"
}
screen() { "${TM[@]}" capture-pane -p -t "$1"; }
alt() { "${TM[@]}" display -p -t "$1" '#{alternate_on}'; }
# wait_exit NAME: up to 2 s for "EXIT=" in the pane; prints the line
wait_exit() {
	local i
	for i in $(seq 20); do
		screen "$1" | grep -q '^EXIT=' && break
		sleep 0.1
	done
	screen "$1" | grep '^EXIT=' | head -1
}

start live "$PIN" --interval 0.5
load 5 & LOAD_PID=$!
sleep 2.5
screen live >"$T/s1"
sleep 1.2
screen live >"$T/s2"
check "live: alternate screen on" "\$(alt live) == 1"
check "live: the header names top, the pin dir and the interval" \
	"\$(grep -c '^anyxdp top   $PIN   .*every 0.5s\$' $T/s1) -eq 1"
check "live: the uplink line: va, native, the program id" "\$(grep -c '^uplink: *va native prog $PROG\$' $T/s1) -eq 1"
check "live: the blocklist line: entries 1" "\$(grep -c '^blocklist: generation [0-9]*, entries 1 ' $T/s1) -eq 1"
check "live: the sync line" "\$(grep -c '^sync: *not run with this pin dir' $T/s1) -eq 1"
DROP=$(si "$(field "$T/s1" drop 2)")
check "live: drop packets/s between 1 and 7000 (got $DROP)" "$DROP -ge 1 && $DROP -le 7000"
equal "live: steer 0 packets/s" "$(field "$T/s1" steer 2)" "0"
equal "live: the busiest prefix first" "$(awk '/^PREFIX/ { getline; print $1; exit }' "$T/s1")" "198.51.100.0/24"
check "live: the footer on the last row" "\"\$(tail -1 $T/s1)\" == 'q quit  space refresh'"
equal "live: 40 rows, none over 120 columns" "$(wc -l <"$T/s1") $(awk 'length > 120' "$T/s1" | wc -l)" "40 0"
check "live: refreshed (the header's time moved)" "\"\$(head -1 $T/s1)\" != \"\$(head -1 $T/s2)\""
"${TM[@]}" resize-window -t live -x 80 -y 16
sleep 0.8
screen live >"$T/s3"
check "live: resized to 80x16: redrawn narrower, no line over 80 columns" \
	"\$(wc -l <$T/s3) -eq 16 && \$(awk 'length > 80' $T/s3 | wc -l) -eq 0 && \$(grep -c '^PREFIX  *PKT/S  *STEER/S' $T/s3) -eq 1"
check "live: the footer says how many rows fit" "\$(tail -1 $T/s3 | grep -c '2 of 3 prefixes and routes shown') -eq 1"
"${TM[@]}" send-keys -t live q
equal "q: exits 0 within 2 s" "$(wait_exit live)" "EXIT=0"
equal "q: the normal screen is back" "$(alt live)" "0"
wait "$LOAD_PID" 2>/dev/null
LOAD_PID=

start ctrlc "$PIN"
sleep 1
check "Ctrl-C run: top is on screen" "\$(screen ctrlc | grep -c '^anyxdp top') -eq 1 && \$(alt ctrlc) == 1"
"${TM[@]}" send-keys -t ctrlc C-c
equal "Ctrl-C: exits 0 within 2 s" "$(wait_exit ctrlc)" "EXIT=0"
equal "Ctrl-C: the normal screen is back" "$(alt ctrlc)" "0"

start term "$PIN"
sleep 1
kill -TERM "$(cat "$T/term.pid")" 2>/dev/null
equal "SIGTERM: exits 0 within 2 s" "$(wait_exit term)" "EXIT=0"
equal "SIGTERM: the normal screen is back" "$(alt term)" "0"

start nomaps "$PIN-none"
equal "no maps, on a terminal: exit 1" "$(wait_exit nomaps)" "EXIT=1"
check "  with the message on the normal screen" "\$(screen nomaps | grep -c 'no anyxdp maps in $PIN-none') -eq 1 && \$(alt nomaps) == 0"

# ---- the maps go and come back while top runs ----

# until_out REGEX: up to 10 s for a line of top's output to match
until_out() {
	local i
	for i in $(seq 100); do
		grep -q -- "$1" "$T/gone.out" && return 0
		sleep 0.1
	done
	return 1
}
"${IN[@]}" "$BIN"/anyxdp top --batch --interval 0.3 >"$T/gone.out" 2>"$T/gone.err" &
TOP_PID=$!
sleep 1
ax detach va >/dev/null
rm_pin_dir
ok "maps removed: top says they are gone and waits" until_out "^no anyxdp maps in $PIN now: waiting for them"
ax prefix add 192.0.2.0/24 >/dev/null
ok "maps made anew: top shows them" until_out "^192.0.2.0/24 "
sleep 0.7
kill -TERM "$TOP_PID"
wait "$TOP_PID"
check "SIGTERM in batch mode: exit 0" "$? -eq 0"
awk '/^anyxdp top/ { f = "" } { f = f $0 "\n" } END { printf "%s", f }' "$T/gone.out" >"$T/gone.last"
check "  its last frame has the new maps only (192.0.2.0/24, no 198.51.100.0/24)" \
	"\$(grep -c '^192.0.2.0/24 ' $T/gone.last) -eq 1 && \$(grep -c '^198' $T/gone.last) -eq 0"

done_testing
