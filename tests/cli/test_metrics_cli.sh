#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp stats --prometheus and anyxdp exporter, in a private network
# namespace with a private pin dir: usage and bad input, promtool accepting
# the output (no maps, a list, served prefixes and routes, moved counters,
# a running and a stopped sync), every counter agreeing with `stats --json`,
# `prefix list --json`, `route list --json` and `sync status --json`,
# --output replacing its file; the exporter answering curl (GET, HEAD, /,
# 404, 405, 400, 408), a silent client not blocking another, a missing pin
# dir (anyxdp_up 0), bad --listen, a port in use, and SIGTERM.
# Counters move with `bpftool prog run` on the attached XDP program.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, network namespaces"
export LC_ALL=C

scratch axme	# PIN, NS, T (tests/lib.sh)
PIDS=()

on_exit() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
}

ns_enter_cmd	# IN, for ax and nsip (tests/lib.sh)
inns() { "${IN[@]}" "$@"; }
promok() { promtool check metrics <"$1" >"$T/promtool.out" 2>&1; }

# prom.py get FILE NAME [k=v,...]: the sample's value, or "absent".
# prom.py cmp FILE DIR: every counter against the JSON in DIR; "agree" or the differences.
cat >"$T/prom.py" <<'EOF'
import json, re, sys

def parse(path):
    out = {}
    lab = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
    for line in open(path):
        if line.startswith('#') or not line.strip():
            continue
        m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line.rstrip('\n'))
        if not m:
            raise SystemExit('bad line: ' + line)
        labels = tuple(sorted(lab.findall(m.group(2) or '')))
        out[(m.group(1), labels)] = float(m.group(3))
    return out

def get(s, name, **kw):
    return s.get((name, tuple(sorted(kw.items()))))

def cmp(s, d):
    bad = []
    def want(name, labels, v):
        got = get(s, name, **labels)
        if got != v:
            bad.append('%s%s: %s, JSON %s' % (name, labels, got, v))
    st = json.load(open(d + '/stats.json'))
    for r, c in st['reasons'].items():
        for k in ('packets', 'bytes'):
            want('anyxdp_%s_total' % k, {'verdict': c['verdict'], 'reason': r}, c[k])
    for p in json.load(open(d + '/prefixes.json')):
        for r, c in p['counters'].items():
            for k in ('packets', 'bytes'):
                v = [x for (n, l), x in s.items() if n == 'anyxdp_served_prefix_%s_total' % k
                     and ('prefix', p['prefix']) in l and ('path', 'uplink') in l and ('reason', r) in l]
                if v != [c[k]]:
                    bad.append('served %s %s %s: %s, JSON %s' % (p['prefix'], r, k, v, c[k]))
        want('anyxdp_served_prefix_routes', {'prefix': p['prefix']}, p['routes'])
    tun = json.load(open(d + '/tunnel.json'))
    names = ['returned', 'relayed', 'drop_blocklist', 'pass_no_route', 'pass_frag_needed',
             'pass_ttl', 'pass_other']
    for p in tun['prefixes']:
        for r in names:
            for k in ('packets', 'bytes'):
                if k not in p[r]:
                    continue
                v = [x for (n, l), x in s.items() if n == 'anyxdp_served_prefix_%s_total' % k
                     and ('prefix', p['prefix']) in l and ('path', 'tunnel') in l and ('reason', r) in l]
                if v != [p[r][k]]:
                    bad.append('tunnel %s %s %s: %s, JSON %s' % (p['prefix'], r, k, v, p[r][k]))
    seen = set()
    for r in json.load(open(d + '/routes.json')):
        labels = {'route': r['prefix'], 'prefix': r['served_prefix'], 'origin': r['origin'],
                  'dev': r['dev'], 'kind': r['kind']}
        want('anyxdp_route_next_hop_up', labels, 1 if r['state'] == 'up' else 0)
        want('anyxdp_route_next_hop_active', labels, 1 if r['active'] else 0)
        if r['prefix'] in seen:
            continue
        seen.add(r['prefix'])
        for c, v in r['counters'].items():
            for k in ('packets', 'bytes'):
                got = [x for (n, l), x in s.items() if n == 'anyxdp_route_%s_total' % k
                       and ('route', r['prefix']) in l and ('reason', c) in l]
                if got != [v[k]]:
                    bad.append('route %s %s %s: %s, JSON %s' % (r['prefix'], c, k, got, v[k]))
    n = len([1 for (n, l) in s if n == 'anyxdp_route_packets_total'])
    if n != 8 * len(seen):
        bad.append('%d route packet series for %d routes' % (n, len(seen)))
    print('; '.join(bad) if bad else 'agree')

s = parse(sys.argv[2])
if sys.argv[1] == 'get':
    kw = dict(x.split('=', 1) for x in sys.argv[4].split(',')) if len(sys.argv) > 4 else {}
    v = get(s, sys.argv[3], **kw)
    print('absent' if v is None else ('%d' % v if v == int(v) else repr(v)))
elif sys.argv[1] == 'cmp':
    cmp(s, sys.argv[3])
EOF
pget() { "$PY" "$T/prom.py" get "$@"; }
# json_all: the JSON views the metrics must agree with, into $T
json_all() {
	ax stats --json >"$T/stats.json" && ax prefix list --json >"$T/prefixes.json" &&
		ax route list --json >"$T/routes.json" && ax tunnel stats --json >"$T/tunnel.json"
}

ip netns add "$NS"
nsip link set lo up
nsip link add up0 type veth peer name p-up0
nsip link add wg-a type veth peer name p-wg-a
# Quiet links (no IPv6 autoconfiguration chatter): counters move only
# when we say.
for i in up0 p-up0 wg-a p-wg-a; do "${IN[@]}" sysctl -qw net.ipv6.conf.$i.disable_ipv6=1; done
for i in up0 p-up0 wg-a p-wg-a; do nsip link set "$i" up; done

# ---- usage and bad input ----
run ax stats --help
check "stats --help: exit 0, names --prometheus and --output" "$RC -eq 0" && has_out "--prometheus" && has_out "--output FILE" && pass "  both on stdout"
run ax stats --json --prometheus
check "stats --json --prometheus: exit 2, says why" "$RC -eq 2 && -s $T/err" && has_err "exclude each other"
run ax stats --output "$T/x.prom"
check "stats --output without --prometheus: exit 2, no file" "$RC -eq 2 && ! -e $T/x.prom" && has_err "--prometheus"
run ax stats --prometheus extra
check "stats --prometheus extra: exit 2" "$RC -eq 2"
run ax exporter --help
check "exporter --help: exit 0, usage on stdout" "$RC -eq 0" && has_out "Usage: anyxdp exporter" && has_out "--listen"
run ax exporter --bogus
check "exporter --bogus: exit 2, usage on stderr" "$RC -eq 2" && has_err "Usage: anyxdp exporter"

# ---- no maps ----
run ax stats --prometheus
check "stats --prometheus, no maps: exit 1, nothing on stdout" "$RC -eq 1 && ! -s $T/out" && has_err "no anyxdp maps"
run ax stats --prometheus --output "$T/up0.prom"
check "  --output: exit 1, but the file says anyxdp_up 0" "$RC -eq 1 && \$(pget $T/up0.prom anyxdp_up) == 0"
ok "  and promtool accepts it" promok "$T/up0.prom"
check "  no temporary file left" "\$(ls $T | grep -c tmp) -eq 0"

# ---- maps, a list, served prefixes and routes ----
ok "attach to up0 (native)" ax attach up0 --no-config
ok "load two lists" "$BIN"/anyxdp-block load "$TOP/tests/data/drop.txt" "$TOP/tests/data/dropv6.txt"
run ax stats --prometheus
cp "$T/out" "$T/list.prom"
check "stats --prometheus with a list: exit 0" "$RC -eq 0 && -s $T/list.prom"
ok "  promtool check metrics accepts it" promok "$T/list.prom"
ax status --json >"$T/status.json"
equal "  generation as in status --json" "$(pget "$T/list.prom" anyxdp_blocklist_generation)" "$(jget "$T/status.json" "d['blocklist']['generation']")"
equal "  IPv4 entries as in status --json" "$(pget "$T/list.prom" anyxdp_blocklist_entries family=ipv4)" "$(jget "$T/status.json" "d['blocklist']['ipv4']")"
equal "  IPv6 entries as in status --json" "$(pget "$T/list.prom" anyxdp_blocklist_entries family=ipv6)" "$(jget "$T/status.json" "d['blocklist']['ipv6']")"
equal "  host entries as in status --json" "$(pget "$T/list.prom" anyxdp_blocklist_host_entries)" "$(jget "$T/status.json" "d['blocklist']['hosts']")"
lt=$(pget "$T/list.prom" anyxdp_blocklist_load_timestamp_seconds)
check "  load time within the last minute (unix seconds: $lt)" "\$($PY -c 'import sys,time; print(int(abs(time.time() - float(sys.argv[1])) < 60))' $lt) == 1"
equal "  up0 attached, native" "$(pget "$T/list.prom" anyxdp_attached iface=up0,mode=native)" 1
equal "  anyxdp_up 1" "$(pget "$T/list.prom" anyxdp_up)" 1
equal "  no sync ran: anyxdp_sync_up 0" "$(pget "$T/list.prom" anyxdp_sync_up)" 0
equal "  no sync ran: no anyxdp_sync_state" "$(pget "$T/list.prom" anyxdp_sync_state state=running)" absent
# The list's source lists (blset_sources): two files, named by base name.
nsrc=$(pget "$T/list.prom" anyxdp_blocklist_sources)
equal "  two source lists" "$nsrc" 2
n4=$(grep -cvE '^\s*(;|#|$)' "$TOP/tests/data/drop.txt")
equal "  drop.txt's entries" "$(pget "$T/list.prom" anyxdp_blocklist_source_entries list=drop.txt)" "$n4"
equal "  dropv6.txt's drops start at 0" "$(pget "$T/list.prom" anyxdp_blocklist_source_packets_total list=dropv6.txt,verdict=drop)" 0

ok "prefix add 198.51.100.0/24" ax prefix add 198.51.100.0/24
ok "prefix add 2001:db8:100::/48" ax prefix add 2001:db8:100::/48
ok "route add 198.51.100.128/25 dev wg-a kind tunnel" ax route add 198.51.100.128/25 dev wg-a kind tunnel
ok "route add 2001:db8:100:1::/64 dev wg-a" ax route add 2001:db8:100:1::/64 dev wg-a via fe80::1
ok "tunnel attach wg-a" ax tunnel attach wg-a
run ax stats --prometheus
cp "$T/out" "$T/routes.prom"
ok "with served prefixes and routes: promtool accepts it" promok "$T/routes.prom"
json_all
equal "  every counter agrees with the JSON views" "$("$PY" "$T/prom.py" cmp "$T/routes.prom" "$T")" agree
equal "  wg-a attached, tunnel" "$(pget "$T/routes.prom" anyxdp_attached iface=wg-a,mode=tunnel)" 1
equal "  the IPv6 route's next hop is up" "$(pget "$T/routes.prom" anyxdp_route_next_hop_up route=2001:db8:100:1::/64,prefix=2001:db8:100::/48,origin=static,dev=wg-a,kind=ether)" 1

# ---- counters moved ----
cat >"$T/pkt.py" <<'EOF'
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
udp = struct.pack('!HHHH', 1234, 53, 8 + n, 0) + b'x' * n
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
open(sys.argv[1], 'wb').write(b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + ip + udp)
EOF
PROG=$(jget "$T/status.json" "d['interfaces'][0]['prog_id']")
blocked=$(grep -vE '^\s*(;|#|$)' "$TOP/tests/data/drop.txt" | head -1 | sed 's|/.*||')
"$PY" "$T/pkt.py" "$T/drop.bin" "$blocked" 198.51.100.5 40
"$PY" "$T/pkt.py" "$T/steer.bin" 192.0.2.1 198.51.100.130 100
"$PY" "$T/pkt.py" "$T/noroute.bin" 192.0.2.1 198.51.100.7 10
ok "bpftool prog run: 7 packets from a listed source" bpftool prog run id "$PROG" data_in "$T/drop.bin" repeat 7
ok "bpftool prog run: 5 to the route" bpftool prog run id "$PROG" data_in "$T/steer.bin" repeat 5
ok "bpftool prog run: 3 to the served prefix outside the route" bpftool prog run id "$PROG" data_in "$T/noroute.bin" repeat 3
run ax stats --prometheus
cp "$T/out" "$T/moved.prom"
ok "after counters moved: promtool accepts it" promok "$T/moved.prom"
json_all
equal "  every counter agrees with the JSON views" "$("$PY" "$T/prom.py" cmp "$T/moved.prom" "$T")" agree
equal "  drop_blocklist: 7 packets" "$(pget "$T/moved.prom" anyxdp_packets_total verdict=drop,reason=drop_blocklist)" 7
equal "  the served prefix: 7 dropped (uplink)" "$(pget "$T/moved.prom" anyxdp_served_prefix_packets_total prefix=198.51.100.0/24,path=uplink,verdict=drop,reason=drop_blocklist)" 7
equal "  the served prefix: 3 without a route" "$(pget "$T/moved.prom" anyxdp_served_prefix_packets_total prefix=198.51.100.0/24,path=uplink,verdict=pass,reason=pass_no_route)" 3
route_sum=$(grep '^anyxdp_route_packets_total{route="198.51.100.128/25"' "$T/moved.prom" | awk '{s += $2} END {print s}')
equal "  the route: 5 packets over its reasons" "$route_sum" 5
equal "  the route's 5 packets are in its served prefix's too" "$(grep '^anyxdp_served_prefix_packets_total{prefix="198.51.100.0/24",path="uplink"' "$T/moved.prom" | awk '{s += $2} END {print s}')" 15
if [[ $nsrc != 0 ]] || "$BIN"/anyxdp-block sources --help >/dev/null 2>&1; then
	equal "  drop.txt: the 7 drops" "$(pget "$T/moved.prom" anyxdp_blocklist_source_packets_total list=drop.txt,verdict=drop)" 7
	equal "  dropv6.txt: none" "$(pget "$T/moved.prom" anyxdp_blocklist_source_packets_total list=dropv6.txt,verdict=drop)" 0
	"$BIN"/anyxdp-block sources --json >"$T/sources.json"
	got=$(for l in $(jget "$T/sources.json" "' '.join(x['name'] for x in d['sources'])"); do
		echo "$l $(pget "$T/moved.prom" anyxdp_blocklist_source_entries list="$l") $(pget "$T/moved.prom" anyxdp_blocklist_source_packets_total list="$l",verdict=drop) $(pget "$T/moved.prom" anyxdp_blocklist_source_bytes_total list="$l",verdict=drop)"
	done)
	equal "  every source list as in anyxdp-block sources --json" "$got" "$(jget "$T/sources.json" "'\\n'.join('%s %d %d %d' % (x['name'], x['entries'], x['packets'], x['bytes']) for x in d['sources'])")"
fi

# ---- --output ----
run ax stats --prometheus --output "$T/node.prom"
check "--output FILE: exit 0, nothing on stdout" "$RC -eq 0 && ! -s $T/out"
equal "  FILE has the counters" "$(pget "$T/node.prom" anyxdp_packets_total verdict=drop,reason=drop_blocklist)" 7
check "  FILE is readable by a collector not running as root (0644)" "\$(stat -c %a $T/node.prom) == 644"
check "  no temporary file left" "\$(ls $T | grep -c 'node.prom.tmp') -eq 0"
run ax stats --prometheus --output "$T/nodir/x.prom"
check "--output in a missing directory: exit 1, says so" "$RC -eq 1" && has_err "nodir"

# ---- the sync ----
"${IN[@]}" "$BIN"/anyxdp sync --netlink --no-config --quiet 2>"$T/sync.err" &
SYNC=$!
PIDS+=("$SYNC")
nsip route add 198.51.100.192/26 dev wg-a proto babel
nsip route add 203.0.113.0/24 dev wg-a proto babel
for ((i = 0; i < 100; i++)); do
	ax sync status --json >"$T/sync.json" 2>/dev/null &&
		[[ $(jget "$T/sync.json" "(d['state'], d['routes'], d['ignored_by_reason']['not_served'])") == "('running', 1, 1)" ]] && break
	sleep 0.05
done
run ax stats --prometheus
cp "$T/out" "$T/sync.prom"
ax sync status --json >"$T/sync.json"
ok "sync running: promtool accepts it" promok "$T/sync.prom"
equal "  anyxdp_sync_up 1" "$(pget "$T/sync.prom" anyxdp_sync_up)" 1
equal "  anyxdp_sync_connected 1" "$(pget "$T/sync.prom" anyxdp_sync_connected)" 1
equal "  state running 1, grace 0" "$(pget "$T/sync.prom" anyxdp_sync_state state=running) $(pget "$T/sync.prom" anyxdp_sync_state state=grace)" "1 0"
equal "  routes as in sync status --json" "$(pget "$T/sync.prom" anyxdp_sync_routes)" "$(jget "$T/sync.json" "d['routes']")"
equal "  ignored not_served as in sync status --json (1)" "$(pget "$T/sync.prom" anyxdp_sync_ignored_routes reason=not_served)" "$(jget "$T/sync.json" "d['ignored_by_reason']['not_served']")"
equal "  updates as in sync status --json" "$(pget "$T/sync.prom" anyxdp_sync_updates_total)" "$(jget "$T/sync.json" "d['updates']")"
lu=$(pget "$T/sync.prom" anyxdp_sync_last_update_timestamp_seconds)
check "  last update within the last minute ($lu)" "\$($PY -c 'import sys,time; print(int(abs(time.time() - float(sys.argv[1])) < 60))' $lu) == 1"
json_all
equal "  the learned route's counters and next hop agree too" "$("$PY" "$T/prom.py" cmp "$T/sync.prom" "$T")" agree
kill -TERM "$SYNC"
wait "$SYNC" 2>/dev/null
run ax stats --prometheus
cp "$T/out" "$T/stopped.prom"
equal "sync stopped: anyxdp_sync_up 0, state stopped 1" "$(pget "$T/stopped.prom" anyxdp_sync_up) $(pget "$T/stopped.prom" anyxdp_sync_state state=stopped)" "0 1"

# ---- the exporter ----
# start_exporter NAME ARGS...: run it in the namespace; PORT from its log.
start_exporter() {
	local name=$1 i
	shift
	"${IN[@]}" "$BIN"/anyxdp exporter "$@" >/dev/null 2>"$T/$name.err" &
	EXP=$!
	PIDS+=("$EXP")
	PORT=
	for ((i = 0; i < 100; i++)); do
		PORT=$(sed -n 's/.*listening on .*:\([0-9]*\), metrics.*/\1/p' "$T/$name.err" | head -1)
		[[ -n $PORT ]] && return 0
		kill -0 "$EXP" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# started DESC NAME ARGS...: start_exporter, passing or failing DESC
started() {
	local d=$1
	shift
	if start_exporter "$@"; then pass "$d"; else fail "$d" "$(cat "$T/$1.err")"; fi
}
hcurl() { inns curl -sS --max-time 5 "$@"; }

started "exporter --listen 127.0.0.1:0 starts and logs its port" e1 --listen 127.0.0.1:0
E1=$EXP
P1=$PORT
hcurl -D "$T/h.txt" -o "$T/get.prom" "http://127.0.0.1:$P1/metrics"
check "GET /metrics: 200" "\$(head -1 $T/h.txt) == *' 200 '*"
check "  Content-Type text/plain; version=0.0.4" "\$(grep -i '^content-type:' $T/h.txt | tr -d '\r') == 'Content-Type: text/plain; version=0.0.4; charset=utf-8'"
check "  Content-Length matches the body" "\$(grep -i '^content-length:' $T/h.txt | tr -dc 0-9) == \$(stat -c %s $T/get.prom)"
ok "  promtool accepts it" promok "$T/get.prom"
json_all
equal "  every counter agrees with the JSON views" "$("$PY" "$T/prom.py" cmp "$T/get.prom" "$T")" agree
ax stats --prometheus | grep -v '^anyxdp_scrape_duration\|^# .* anyxdp_scrape_duration' >"$T/cli.prom"
equal "  the same text as stats --prometheus (but the scrape time)" "$(grep -v 'anyxdp_scrape_duration' "$T/get.prom" | md5sum)" "$(md5sum <"$T/cli.prom")"
sd=$(pget "$T/get.prom" anyxdp_scrape_duration_seconds)
check "  anyxdp_scrape_duration_seconds under a second ($sd)" "\$($PY -c 'import sys; print(int(0 < float(sys.argv[1]) < 1))' $sd) == 1"
hcurl -I -o "$T/head.txt" "http://127.0.0.1:$P1/metrics"
check "HEAD /metrics: 200 with a Content-Length" "\$(head -1 $T/head.txt) == *' 200 '* && \$(grep -ci '^content-length: [1-9]' $T/head.txt) -eq 1"
hcurl -X HEAD -o "$T/headbody.txt" "http://127.0.0.1:$P1/metrics" 2>/dev/null
check "  and no body" "! -s $T/headbody.txt"
equal "GET /: 200" "$(hcurl -o "$T/index.html" -w '%{http_code}' "http://127.0.0.1:$P1/")" 200
check "  a page linking /metrics" "\$(grep -c 'href=\"/metrics\"' $T/index.html) -eq 1"
equal "GET /metrics?x=1: 200 (query ignored)" "$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/metrics?x=1")" 200
equal "GET /nope: 404" "$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/nope")" 404
hcurl -D "$T/h405.txt" -o /dev/null -X POST -d 'a=b' "http://127.0.0.1:$P1/metrics"
check "POST /metrics: 405 with Allow: GET, HEAD" "\$(head -1 $T/h405.txt) == *' 405 '* && \$(grep -ci '^allow: GET, HEAD' $T/h405.txt) -eq 1"
head -c 10000 /dev/zero | tr '\0' 'a' >"$T/big"
equal "a 10 kB header: 400" "$(hcurl -o /dev/null -w '%{http_code}' -H "X-Big: $(cat "$T/big")" "http://127.0.0.1:$P1/metrics")" 400
"${IN[@]}" "$PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"NONSENSE\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())' "$P1" >"$T/bad.out" 2>&1
check "a malformed request line: 400" "\$(cat $T/bad.out) == *' 400 '*"
# A client that sends half a request and waits: another is served at once,
# and the silent one gets 408 after the read timeout (5 s).
"${IN[@]}" "$PY" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
t = time.time()
print(s.recv(100).split(b"\r\n")[0].decode(), int(time.time() - t))' "$P1" >"$T/slow.out" 2>&1 &
SLOW=$!
sleep 0.3
t0=$(date +%s%N)
code=$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/metrics")
ms=$((($(date +%s%N) - t0) / 1000000))
check "a second client while the first is silent: 200 in ${ms} ms" "$code == 200 && $ms -lt 1000"
wait "$SLOW"
check "  the silent client: 408 after about 5 s ($(cat "$T/slow.out"))" "\$(cat $T/slow.out) == *' 408 '*' '[4-6]"
check "  the exporter still runs" "-d /proc/$E1"

# A missing pin dir: 200, anyxdp_up 0, one error line.
started "exporter on a missing pin dir starts" e2 --pin-dir /sys/fs/bpf/anyxdp-none-$$ --listen '[::1]:0'
E2=$EXP
for i in 1 2 3; do hcurl -o "$T/none.prom" -w '%{http_code}\n' "http://[::1]:$PORT/metrics"; done >"$T/none.codes"
equal "  GET /metrics over [::1]: 200 each time" "$(sort -u "$T/none.codes")" 200
equal "  anyxdp_up 0" "$(pget "$T/none.prom" anyxdp_up)" 0
ok "  promtool accepts it" promok "$T/none.prom"
equal "  the missing maps are logged once, not on each scrape" "$(grep -c 'no anyxdp maps' "$T/e2.err")" 1
kill -TERM "$E2"
wait "$E2"
equal "  SIGTERM: exit 0" "$?" 0

# Bad --listen, a port in use.
for bad in nonsense 127.0.0.1 127.0.0.1:99999 127.0.0.1:-1 '[::1]9477' '::1:9477' 'nosuch.invalid:9477' '192.0.2.1:9477'; do
	run timeout 5 "${IN[@]}" "$BIN"/anyxdp exporter --listen "$bad"
	check "--listen '$bad': exit 1, says why" "$RC -eq 1 && \$(grep -c 'listen' $T/err) -ge 1"
done
run timeout 5 "${IN[@]}" "$BIN"/anyxdp exporter --listen "127.0.0.1:$P1"
check "a port in use: exit 1, says so" "$RC -eq 1" && has_err "in use"
kill -TERM "$E1"
wait "$E1"
equal "SIGTERM: exit 0" "$?" 0
check "  and it said why it stopped" "\$(grep -c 'stopped by signal 15' $T/e1.err) -eq 1"
started "exporter on [::]:0 (every address) starts" e3 --listen '[::]:0'
equal "  answers over IPv4 too" "$(hcurl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" 200
kill -INT "$EXP"
wait "$EXP"
equal "  SIGINT: exit 0" "$?" 0

done_testing
