#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: anyxdp attached natively to a veth in a "PoP" namespace, the
# real IPsum and Spamhaus IPv6 DROP lists loaded, UDP sent from another
# namespace from blocklisted and clean sources. Checks what arrives, the
# verdict counters, the per-entry counters (anyxdp-block and bpftool), a
# live add, the allowlist, and that detach/re-attach keeps list and counters.
#
# All traffic stays between two namespaces created here: frames are
# written with AF_PACKET on the sender's veth (any source address, no
# ARP), a python3 UDP socket in the PoP namespace counts what arrives.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "network namespaces, XDP"

DATA=$TOP/tests/data
POP=axt-pop-$$
INET=axt-inet-$$
VP=axtp$$		# PoP side (XDP here)
VI=axti$$		# sender side
PORT=5599
new_pin_dir >/dev/null	# exports ANYXDP_PIN_DIR (so not in a $(...) subshell)
PIN=$ANYXDP_PIN_DIR
T=$(mktemp -d /tmp/anyxdp-netns.XXXXXX)
RECV_PID=

cleanup() {
	[[ -n $RECV_PID ]] && kill "$RECV_PID" 2>/dev/null
	if [[ -e /run/netns/$POP ]]; then
		nsenter --net=/run/netns/"$POP" "$BIN"/anyxdp detach "$VP" >/dev/null 2>&1
		ip netns del "$POP" 2>/dev/null
	fi
	[[ -e /run/netns/$INET ]] && ip netns del "$INET" 2>/dev/null
	rm_pin_dir
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM	# so the EXIT trap runs under timeout(1) too

# The real interpreter: a pyenv shim costs 0.2 s a call.
pop() { nsenter --net=/run/netns/"$POP" "$@"; }
inet() { nsenter --net=/run/netns/"$INET" "$@"; }
ax() { pop "$BIN"/anyxdp "$@"; }
axb() { "$BIN"/anyxdp-block "$@"; }

# jq-like: jget FILE 'python expression over d'
# reason counter from a saved `anyxdp stats --json`
reason() { jget "$1" "d['reasons']['$2']['packets']"; }

# ---- helpers written at run time (python3 from the standard library) ----

# send.py IFACE DST_MAC DST4 DST6 PORT SPEC OUT: SPEC lines "SRC COUNT" or
# "SRC END" (one end marker). Writes {src: [packets, frame bytes]} to OUT.
cat >"$T/send.py" <<'PY'
import ipaddress, json, socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(smac, dmac, src, dst, dport, payload):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    ulen = 8 + len(payload)
    udp = struct.pack('!HHHH', 40000, dport, ulen, 0) + payload
    if s.version == 4:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen, 1, 0, 64, 17, 0,
                         s.packed, d.packed)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        return dmac + smac + b'\x08\x00' + ip + udp
    c = csum(s.packed + d.packed + struct.pack('!I3xB', ulen, 17) + udp) or 0xffff
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!IHBB16s16s', 6 << 28, ulen, 17, 64, s.packed, d.packed)
    return dmac + smac + b'\x86\xdd' + ip + udp

iface, dmac, dst4, dst6, port, spec, out = sys.argv[1:8]
dmac = bytes(int(x, 16) for x in dmac.split(':'))
sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sk.bind((iface, 0))
smac = sk.getsockname()[4]
sent = {}
for line in open(spec):
    f = line.split()
    if not f:
        continue
    src = f[0]
    dst = dst6 if ':' in src else dst4
    if f[1] == 'END':
        sk.send(frame(smac, dmac, src, dst, int(port), b'END'))
        continue
    for i in range(int(f[1])):
        fr = frame(smac, dmac, src, dst, int(port), ('anyxdp %s %d' % (src, i)).encode())
        sk.send(fr)
        p = sent.setdefault(src, [0, 0])
        p[0] += 1
        p[1] += len(fr)
        time.sleep(0.001)   # paced: the veth ring must never overflow
json.dump(sent, open(out, 'w'))
PY

# recv.py PORT OUT READY: counts UDP datagrams by source until an END
# datagram (plus 0.5 s) or 30 s; writes {"counts": {src: n}, "end": bool}.
cat >"$T/recv.py" <<'PY'
import json, os, select, socket, sys, time
port, out, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = []
for fam, addr in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)    # SO_RCVBUFFORCE
    s.bind((addr, port))
    socks.append(s)
open(ready, 'w').close()
counts, end_at, deadline = {}, None, time.time() + 30
while time.time() < deadline and (end_at is None or time.time() < end_at):
    for s in select.select(socks, [], [], 0.1)[0]:
        data, a = s.recvfrom(2048)
        if data == b'END':
            end_at = time.time() + 0.5
        else:
            counts[a[0]] = counts.get(a[0], 0) + 1
json.dump({'counts': counts, 'end': end_at is not None}, open(out + '.tmp', 'w'))
os.rename(out + '.tmp', out)
PY

# bpfsum.py FILE KEY...: the number of entries in a `bpftool -j map dump`
# of a per-CPU hash, then per KEY (a.b.c.d/len or v6/len) its packets summed
# over CPUs, -1 if absent. One line, space separated.
cat >"$T/bpfsum.py" <<'PY'
import ipaddress, json, sys
dump = json.load(open(sys.argv[1]))
want = [ipaddress.ip_network(k) for k in sys.argv[2:]]
def num(v):
    return int(v, 0) if isinstance(v, str) else int(v)
def key_of(e):
    k = e.get('formatted', e)['key']
    if isinstance(k, dict):
        plen, addr = k['prefixlen'], bytes(num(x) for x in k['addr'])
    else:
        raw = bytes(num(x) for x in k)
        plen, addr = int.from_bytes(raw[:4], 'little'), raw[4:]
    return ipaddress.ip_network((ipaddress.ip_address(addr), plen))
def packets(e):
    total = 0
    for v in e.get('formatted', e)['values']:
        val = v['value']
        if isinstance(val, dict):
            total += val['packets']
        else:
            total += int.from_bytes(bytes(num(x) for x in val[:8]), 'little')
    return total
found = {}
for e in dump:
    k = key_of(e)
    if k in want:
        found[k] = packets(e)
print(len(dump), *[found.get(k, -1) for k in want])
PY

# ---- the lab ----

echo "# lab: $POP ($VP, XDP) <-> $INET ($VI), pin dir $PIN"
ip netns add "$POP" && ip netns add "$INET" &&
	ip link add "$VP" netns "$POP" type veth peer name "$VI" netns "$INET"
check "namespaces and veth created" "$? -eq 0"
ip -n "$POP" link set lo up
ip -n "$POP" addr add 192.0.2.1/24 dev "$VP"
ip -n "$POP" addr add 2001:db8:1::1/64 dev "$VP" nodad
ip -n "$INET" addr add 192.0.2.2/24 dev "$VI"
ip -n "$INET" addr add 2001:db8:1::2/64 dev "$VI" nodad
ip -n "$POP" link set "$VP" up
ip -n "$INET" link set "$VI" up
# Odd sources must be accepted: no reverse path filter, and a route back.
pop sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf."$VP".rp_filter=0
ip -n "$POP" route add default dev "$VP"
ip -n "$POP" -6 route add default dev "$VP"
POP_MAC=$(ip -n "$POP" -j link show "$VP" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
check "PoP veth has a MAC address" "'$POP_MAC' == ??:??:??:??:??:??"

# ---- load the real lists, attach ----

axb load --json "$DATA/ipsum.txt" "$DATA/dropv6.txt" >"$T/load.json" 2>"$T/load.err"
check "load ipsum + dropv6 succeeds" "$? -eq 0"
N_IPSUM=$(grep -v '^#' "$DATA/ipsum.txt" | awk 'NF { print $1 }' | sort -u | wc -l)
N_V6=$(grep -cvE '^[[:space:]]*(;|$)' "$DATA/dropv6.txt")
equal "loaded entries = ipsum + dropv6" "$(jget "$T/load.json" "d['entries']")" "$((N_IPSUM + N_V6))"

ax attach "$VP" --mode native >"$T/attach.out" 2>&1
check "attach --mode native on the PoP veth" "$? -eq 0"
ax status --json >"$T/status.json"
equal "status: attached to the PoP veth" "$(jget "$T/status.json" "[i['ifname'] for i in d['interfaces'] if i['attached']]")" "['$VP']"
equal "status: native mode" "$(jget "$T/status.json" "d['interfaces'][0]['mode']")" native
PROG_ID=$(jget "$T/status.json" "d['interfaces'][0]['prog_id']")
# The kernel agrees: XDP in driver mode (1 = XDP_ATTACHED_DRV), with the
# program status reports (or the libxdp dispatcher in front of it).
ip -n "$POP" -j link show "$VP" >"$T/link.json"
equal "kernel: XDP attached in driver (native) mode" "$(jget "$T/link.json" "d[0].get('xdp', {}).get('mode')")" 1
KPROG=$(jget "$T/link.json" "d[0]['xdp']['prog']['id']")
if [[ $(jget "$T/status.json" "d['interfaces'][0]['dispatcher']") == True ]]; then
	check "kernel: a dispatcher program is attached" "$KPROG -gt 0"
else
	equal "kernel: the attached program is the one status reports" "$KPROG" "$PROG_ID"
fi

# ---- choose the sources (deterministic) ----

# 50 real blocklisted addresses: every 2400th IPsum entry.
grep -v '^#' "$DATA/ipsum.txt" | awk 'NF && NR % 2400 == 1 { print $1 }' | head -50 >"$T/blocked"
mapfile -t BLOCKED <"$T/blocked"
equal "50 blocklisted sources picked from ipsum.txt" "${#BLOCKED[@]}" 50
# Clean sources: neighbours of the blocked ones, kept only if anyxdp-block
# check says they are not blocked; 20 of them.
CLEAN=()
for a in "${BLOCKED[@]}"; do
	IFS=. read -r o1 o2 o3 o4 <<<"$a"
	axb check --json "$o1.$o2.$o3.$(((o4 % 250) + 2))"
done >"$T/cand.json"
mapfile -t CLEAN < <("$PY" -c '
import json, sys
clean = [d["address"] for d in map(json.loads, open(sys.argv[1])) if not d["blocked"]]
print("\n".join(clean[:20]))' "$T/cand.json")
equal "20 clean sources verified with check --json" "${#CLEAN[@]}" 20
for a in "${BLOCKED[@]}"; do axb check --json "$a"; done >"$T/bl.json"
nb=$("$PY" -c '
import json, sys
print(sum(1 for d in map(json.loads, open(sys.argv[1]))
          if d["dropped"] and d.get("entry") == d["address"] + "/32"))' "$T/bl.json")
equal "check --json: all 50 picked sources are dropped by their /32" "$nb" 50

# IPv6: the first Spamhaus DROPv6 prefix; two sources inside, two outside.
V6NET=$(grep -vE '^[[:space:]]*(;|$)' "$DATA/dropv6.txt" | head -1 | awk '{ print $1 }')
read -r V6IN1 V6IN2 V6OUT1 <<<"$("$PY" -c '
import ipaddress, sys
n = ipaddress.ip_network(sys.argv[1])
out = ipaddress.ip_network((int(n.network_address) + n.num_addresses, n.prefixlen))
print(n.network_address + 1, n.network_address + 0xbeef, out.network_address + 1)' "$V6NET")"
V6OUT2=2001:db8:900d::1
for a in "$V6OUT1" "$V6OUT2"; do
	axb check --json "$a" >"$T/c.json"
	equal "check --json: $a (IPv6, outside the list) not blocked" "$(jget "$T/c.json" "d['blocked']")" False
done
axb check --json "$V6IN2" >"$T/c.json"
equal "check --json: $V6IN2 blocked by $V6NET" "$(jget "$T/c.json" "d['entry']")" "$V6NET"

# ---- traffic ----

declare -A DROPPED	# expected per-entry packet counter, by source
# run_phase NAME: sends $T/NAME.spec (plus an end marker from a clean
# source), leaves $T/NAME.sent, $T/NAME.recv and stats before/after.
run_phase() {
	local name=$1 i
	echo "${CLEAN[0]} END" >>"$T/$name.spec"
	ax stats --json >"$T/$name.before"
	rm -f "$T/$name.ready" "$T/$name.recv"
	pop "$PY" "$T/recv.py" "$PORT" "$T/$name.recv" "$T/$name.ready" &
	RECV_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $T/$name.ready ]] && break
		sleep 0.05
	done
	inet "$PY" "$T/send.py" "$VI" "$POP_MAC" 192.0.2.1 2001:db8:1::1 "$PORT" \
		"$T/$name.spec" "$T/$name.sent"
	wait "$RECV_PID"
	RECV_PID=
	ax stats --json >"$T/$name.after"
	[[ -s $T/$name.recv && $(jget "$T/$name.recv" "d['end']") == True ]]
}
recv_of() { jget "$T/$1.recv" "d['counts'].get('$2', 0)"; }
sent_of() { jget "$T/$1.sent" "d.get('$2', [0, 0])[$3]"; }
delta() { echo $(($(reason "$T/$1.after" "$2") - $(reason "$T/$1.before" "$2"))); }

# Phase 1: blocked source i sends 1 + i % 4 datagrams (the first one 9, so
# it tops the list), clean ones 2 each; IPv6 inside and outside the /48.
: >"$T/p1.spec"
SENT_BLOCKED=0
for i in "${!BLOCKED[@]}"; do
	n=$((1 + i % 4))
	[[ $i -eq 0 ]] && n=9
	echo "${BLOCKED[$i]} $n" >>"$T/p1.spec"
	DROPPED[${BLOCKED[$i]}]=$n
	SENT_BLOCKED=$((SENT_BLOCKED + n))
	[[ $i -lt 20 ]] && echo "${CLEAN[$i]} 2" >>"$T/p1.spec"
done
printf '%s 3\n%s 2\n%s 2\n%s 2\n' "$V6IN1" "$V6IN2" "$V6OUT1" "$V6OUT2" >>"$T/p1.spec"
SENT_BLOCKED=$((SENT_BLOCKED + 5))
run_phase p1
check "phase 1: receiver saw the end marker" "$? -eq 0"

bad=0
for c in "${CLEAN[@]}" "$V6OUT1" "$V6OUT2"; do
	[[ $(recv_of p1 "$c") -eq 2 ]] || { bad=$((bad + 1)); echo "# clean $c: $(recv_of p1 "$c") of 2 arrived"; }
done
equal "phase 1: every clean datagram arrived (IPv4 and IPv6)" "$bad" 0
bad=0
for a in "${BLOCKED[@]}" "$V6IN1" "$V6IN2"; do
	[[ $(recv_of p1 "$a") -eq 0 ]] || { bad=$((bad + 1)); echo "# blocked $a: $(recv_of p1 "$a") arrived"; }
done
equal "phase 1: no blocked datagram arrived" "$bad" 0
equal "phase 1: datagrams received = clean sent" \
	"$(jget "$T/p1.recv" "sum(d['counts'].values())")" 44
equal "phase 1: drop_blocklist delta = blocked datagrams sent" "$(delta p1 drop_blocklist)" "$SENT_BLOCKED"
check "phase 1: pass_no_match delta >= clean datagrams sent (45)" "$(delta p1 pass_no_match) -ge 45"
equal "phase 1: no pass_allowlisted" "$(delta p1 pass_allowlisted)" 0
equal "phase 1: no pass_no_list" "$(delta p1 pass_no_list)" 0
equal "phase 1: drop verdict = drop_blocklist" \
	"$(jget "$T/p1.after" "d['verdicts']['drop']['packets']")" "$(reason "$T/p1.after" drop_blocklist)"

# Per-entry counters: packets and bytes exactly what was sent from each.
for a in "${BLOCKED[@]}"; do axb check --json "$a"; done >"$T/bl2.json"
bad=$("$PY" -c '
import json, sys
sent = json.load(open(sys.argv[2]))
bad = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    want = sent.get(d["address"], [0, 0])
    if [d.get("packets"), d.get("bytes")] != want or want[0] == 0:
        bad += 1
        print("# %s: counters %s/%s, sent %s" % (d["address"], d.get("packets"), d.get("bytes"), want), file=sys.stderr)
print(bad)' "$T/bl2.json" "$T/p1.sent")
equal "phase 1: check --json packets/bytes = sent, for all 50 sources" "$bad" 0
axb check --json "$V6IN1" >"$T/c.json"
equal "phase 1: IPv6 /48 entry counts both inside sources" \
	"$(jget "$T/c.json" "'%s %d %d' % (d['entry'], d['packets'], d['bytes'])")" \
	"$V6NET 5 $(($(sent_of p1 "$V6IN1" 1) + $(sent_of p1 "$V6IN2" 1)))"
DROPPED[$V6NET]=5

axb top -n 100 --json >"$T/top.json"
python3 - "$T/top.json" "$T/p1.sent" "$T/blocked" "$V6NET" "$V6IN1" "$V6IN2" >"$T/top.cmp" <<'PY'
import json, sys
top, sent = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
blocked = open(sys.argv[3]).read().split()
net, in1, in2 = sys.argv[4:7]
want = {a + '/32': sent[a][0] for a in blocked}
want[net] = sent[in1][0] + sent[in2][0]
got = {e['prefix']: e['packets'] for e in top if e['packets']}
print('same' if got == want else 'differ: got %r want %r' % (got, want))
PY
equal "phase 1: top --json entries with drops = exactly the sources, with their counts" "$(cat "$T/top.cmp")" same
axb top -n 1 --json >"$T/top1.json"
equal "phase 1: top -n 1 is the busiest source" "$(jget "$T/top1.json" "'%d %s %d' % (len(d), d[0]['prefix'], d[0]['packets'])")" "1 ${BLOCKED[0]}/32 9"

# bpftool reads the same counters from the pinned per-prefix maps.
bpftool -j map dump pinned "$PIN/blocklist_v4" >"$T/bpf4.json" 2>"$T/bpf.err"
check "bpftool map dump pinned $PIN/blocklist_v4" "$? -eq 0"
B5=${BLOCKED[5]}
equal "bpftool: blocklist_v4 holds every ipsum entry; ${BLOCKED[0]}/32 has 9 packets, $B5/32 ${DROPPED[$B5]} (summed over CPUs), 1.2.3.4/32 absent" \
	"$("$PY" "$T/bpfsum.py" "$T/bpf4.json" "${BLOCKED[0]}/32" "$B5/32" 1.2.3.4/32)" \
	"$N_IPSUM 9 ${DROPPED[$B5]} -1"
bpftool -j map dump pinned "$PIN/blocklist_v6" >"$T/bpf6.json" 2>"$T/bpf.err"
equal "bpftool: blocklist_v6 holds the dropv6 prefixes; $V6NET has 5 packets" \
	"$("$PY" "$T/bpfsum.py" "$T/bpf6.json" "$V6NET")" "$N_V6 5"

# Phase 2: a live add while attached; counters of other entries survive.
GEN1=$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["generation"])')
axb add 2001:db8:bad::/48 >"$T/add.out" 2>&1
check "phase 2: add 2001:db8:bad::/48 while attached" "$? -eq 0"
GEN2=$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["generation"])')
equal "phase 2: generation bumped by one" "$GEN2" "$((GEN1 + 1))"
axb check --json "${BLOCKED[0]}" >"$T/c.json"
equal "phase 2: per-entry counters kept across the switch" "$(jget "$T/c.json" "d['packets']")" 9
printf '2001:db8:bad::7 4\n2001:db8:bae::7 3\n%s 2\n' "${CLEAN[1]}" >"$T/p2.spec"
run_phase p2
check "phase 2: receiver saw the end marker" "$? -eq 0"
equal "phase 2: nothing arrives from 2001:db8:bad::7" "$(recv_of p2 2001:db8:bad::7)" 0
equal "phase 2: 2001:db8:bae::7 (outside) arrives" "$(recv_of p2 2001:db8:bae::7)" 3
equal "phase 2: drop_blocklist delta = 4" "$(delta p2 drop_blocklist)" 4
axb check --json 2001:db8:bad::7 >"$T/c.json"
equal "phase 2: the new /48 counted 4 packets" "$(jget "$T/c.json" "'%s %d' % (d['entry'], d['packets'])")" "2001:db8:bad::/48 4"
DROPPED[2001:db8:bad::/48]=4

# Phase 3: the allowlist overrides the blocklist, and is counted apart.
A=${BLOCKED[1]} B=${BLOCKED[2]}
axb allow "$A" >"$T/allow.out" 2>&1
check "phase 3: allow $A" "$? -eq 0"
axb allow --list --json >"$T/allow.json"
equal "phase 3: allow --list --json" "$(jget "$T/allow.json" "d")" "['$A/32']"
axb check --json "$A" >"$T/c.json"
equal "phase 3: check: blocked but not dropped, allowed_by /32" \
	"$(jget "$T/c.json" "'%s %s %s' % (d['blocked'], d['dropped'], d.get('allowed_by'))")" "True False $A/32"
printf '%s 5\n%s 2\n' "$A" "$B" >"$T/p3.spec"
run_phase p3
check "phase 3: receiver saw the end marker" "$? -eq 0"
equal "phase 3: allowlisted source's 5 datagrams arrive" "$(recv_of p3 "$A")" 5
equal "phase 3: other blocked source still dropped" "$(recv_of p3 "$B")" 0
equal "phase 3: pass_allowlisted delta = 5" "$(delta p3 pass_allowlisted)" 5
equal "phase 3: drop_blocklist delta = 2" "$(delta p3 drop_blocklist)" 2
DROPPED[$B]=$((DROPPED[$B] + 2))
axb check --json "$A" >"$T/c.json"
equal "phase 3: allowlisted traffic not added to the entry counter" "$(jget "$T/c.json" "d['packets']")" "${DROPPED[$A]}"
axb allow --del "$A" >"$T/allow.out" 2>&1
check "phase 3: allow --del $A" "$? -eq 0"
printf '%s 2\n' "$A" >"$T/p3b.spec"
run_phase p3b
equal "phase 3: after allow --del, $A is dropped again" "$(recv_of p3b "$A")" 0
equal "phase 3: drop_blocklist delta = 2 after allow --del" "$(delta p3b drop_blocklist)" 2
DROPPED[$A]=$((DROPPED[$A] + 2))

# Phase 4: detach; blocked traffic flows, nothing is counted.
axb list --json >"$T/list.before"
ax stats --json >"$T/stats.before"
GEN_BEFORE=$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["generation"])')
ax detach "$VP" >"$T/detach.out" 2>&1
check "phase 4: detach" "$? -eq 0"
ax status --json >"$T/status2.json"
equal "phase 4: status --json shows no live attachment" \
	"$(jget "$T/status2.json" "[i['ifname'] for i in d['interfaces'] if i['attached']]")" "[]"
ip -n "$POP" -j link show "$VP" >"$T/link2.json"
equal "phase 4: kernel: no XDP program on the veth" "$(jget "$T/link2.json" "'xdp' in d[0]")" False
printf '%s 3\n%s 2\n' "${BLOCKED[0]}" "${CLEAN[0]}" >"$T/p4.spec"
run_phase p4
check "phase 4: receiver saw the end marker" "$? -eq 0"
equal "phase 4: blocked source arrives while detached" "$(recv_of p4 "${BLOCKED[0]}")" 3
equal "phase 4: clean source arrives while detached" "$(recv_of p4 "${CLEAN[0]}")" 2
ok "phase 4: stats unchanged while detached" cmp "$T/stats.before" "$T/p4.after"

# Phase 5: re-attach; same generation, list and counters not reset.
ax attach "$VP" --mode native >"$T/attach.out" 2>&1
check "phase 5: re-attach" "$? -eq 0"
ax status --json >"$T/status3.json"
equal "phase 5: same generation after re-attach" "$(jget "$T/status3.json" "d['blocklist']['generation']")" "$GEN_BEFORE"
equal "phase 5: attached again, native" "$(jget "$T/status3.json" "[(i['ifname'], i['mode']) for i in d['interfaces'] if i['attached']]")" "[('$VP', 'native')]"
axb list --json >"$T/list.after"
ok "phase 5: list --json (entries and counters) identical to before detach" cmp "$T/list.before" "$T/list.after"
ax stats --json >"$T/stats.after"
ok "phase 5: stats identical to before detach (not reset)" cmp "$T/stats.before" "$T/stats.after"
printf '%s 2\n' "${BLOCKED[0]}" >"$T/p5.spec"
run_phase p5
equal "phase 5: blocked source dropped again" "$(recv_of p5 "${BLOCKED[0]}")" 0
equal "phase 5: drop_blocklist delta = 2" "$(delta p5 drop_blocklist)" 2
DROPPED[${BLOCKED[0]}]=$((DROPPED[${BLOCKED[0]}] + 2))
equal "phase 5: drop_blocklist total = everything dropped" "$(reason "$T/p5.after" drop_blocklist)" \
	"$((SENT_BLOCKED + 4 + 2 + 2 + 2))"

# Finally every entry's counter equals what was dropped from it overall.
axb top -n 1000 --json >"$T/top.json"
want=$(for k in "${!DROPPED[@]}"; do
	[[ $k == */* ]] && echo "$k ${DROPPED[$k]}" || echo "$k/32 ${DROPPED[$k]}"
done | sort)
got=$(jget "$T/top.json" "'\n'.join('%s %d' % (e['prefix'], e['packets']) for e in d if e['packets'])" | sort)
check "final: per-entry counters = packets dropped from each source, all phases" "\"\$want\" == \"\$got\""
[[ $want == "$got" ]] || diff <(echo "$want") <(echo "$got") | head -10 | sed 's/^/# /'

done_testing
