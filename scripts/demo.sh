#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A small lab to see anyxdp work (what `make demo` runs after building):
#
#   axdemo-inet  [peer0] ---- veth ---- [uplink0]  axdemo-pop
#   "the Internet": sends UDP           XDP (anyxdp, native mode), real
#   from clean and listed sources       IPsum + FireHOL level 1 lists
#
#   scripts/demo.sh        build the lab (replacing a previous one), send
#                          traffic, show what anyxdp did; the lab stays up
#   scripts/demo.sh down   remove the namespaces and the pin dir
#
# Everything stays inside the two namespaces. Needs root.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

POP=axdemo-pop
INET=axdemo-inet
UP=uplink0		# the PoP's uplink, where XDP runs
PEER=peer0		# its other end, in the "Internet" namespace
POP_IP=185.1.0.1	# a /30 from IXP space: a plausible uplink, not on the lists
PEER_IP=185.1.0.2
PIN=/sys/fs/bpf/anyxdp-demo
PORT=5353
AX=build/anyxdp
AXB=build/anyxdp-block
IN_POP="nsenter --net=/run/netns/$POP"

if [[ -t 1 ]]; then B=$'\033[1m' D=$'\033[2m' N=$'\033[0m'; else B='' D='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
note() { printf '   %s\n' "$*"; }
# show and run a command
cmd() {
	printf '%s$ %s%s\n' "$D" "$*" "$N"
	"$@"
}
die() {
	echo "demo: $*" >&2
	exit 1
}

down() {
	if [[ -e /run/netns/$POP && -x $AX ]]; then
		$IN_POP $AX --pin-dir "$PIN" detach "$UP" >/dev/null 2>&1
	fi
	[[ -e /run/netns/$POP ]] && ip netns del "$POP"
	[[ -e /run/netns/$INET ]] && ip netns del "$INET"
	if [[ -d $PIN ]]; then
		rm -f "$PIN"/* "$PIN"/.[!.]* 2>/dev/null
		rmdir "$PIN" 2>/dev/null
	fi
	return 0
}

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, XDP, BPF maps): sudo $0 ${1:-}"
case "${1:-up}" in
down)
	down
	[[ -e /run/netns/$POP || -e /run/netns/$INET || -e $PIN ]] && die "could not remove everything"
	echo "demo lab removed (namespaces $POP, $INET; pin dir $PIN)"
	exit 0
	;;
up) ;;
-h | --help)
	sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*) die "usage: $0 [up|down]" ;;
esac

[[ -x $AX && -x $AXB ]] || die "build first: make"
for t in ip nsenter bpftool python3; do
	command -v "$t" >/dev/null || die "'$t' is missing (scripts/deps.sh installs it)"
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PY=$(python3 -c 'import sys; print(sys.executable)')

# The lists: tests/data, else the shared copy next to the checkout.
list_file() {
	local f
	for f in "tests/data/$1" "../shared/data/$1"; do
		[[ -r $f ]] && { echo "$f"; return 0; }
	done
	die "cannot find $1 (looked in tests/data and ../shared/data)"
}
IPSUM=$(list_file ipsum.txt)
FIREHOL=$(list_file firehol_level1.netset)

T=$(mktemp -d /tmp/anyxdp-demo.XXXXXX)
trap 'rm -rf "$T"; [[ -n ${RECV_PID:-} ]] && kill "$RECV_PID" 2>/dev/null' EXIT

# ---- 1. the lab ----

say "1. Lab: two network namespaces joined by a veth pair"
if [[ -e /run/netns/$POP || -e /run/netns/$INET || -e $PIN ]]; then
	note "removing the previous demo lab first"
	down
fi
ip netns add "$POP" && ip netns add "$INET" &&
	ip link add "$UP" netns "$POP" type veth peer name "$PEER" netns "$INET" ||
	die "cannot create the namespaces and veth pair"
ip -n "$POP" link set lo up
ip -n "$INET" link set lo up
ip -n "$POP" addr add "$POP_IP/30" dev "$UP"
ip -n "$INET" addr add "$PEER_IP/30" dev "$PEER"
ip -n "$POP" link set "$UP" up
ip -n "$INET" link set "$PEER" up
# The PoP accepts any source (the Internet is behind its uplink).
$IN_POP sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf."$UP".rp_filter=0
ip -n "$POP" route add default via "$PEER_IP" dev "$UP"
note "$INET ($PEER $PEER_IP)  <--veth-->  $POP ($UP $POP_IP)"

# ---- 2. attach, load ----

say "2. Attach anyxdp to the PoP's uplink (native XDP), maps pinned in $PIN"
cmd $IN_POP $AX --pin-dir "$PIN" attach "$UP" --mode native || die "attach failed"

say "3. Load the real blocklists: IPsum and FireHOL level 1"
cmd $AXB --pin-dir "$PIN" load "$IPSUM" "$FIREHOL" || die "load failed"

# ---- 3. traffic ----

cat >"$T/send.py" <<'PY'
import ipaddress, socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
iface, dmac, dst, port, spec = sys.argv[1:6]
dmac = bytes(int(x, 16) for x in dmac.split(':'))
sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sk.bind((iface, 0))
smac = sk.getsockname()[4]
for line in open(spec):
    src, n = line.split()
    for i in range(1 if n == 'END' else int(n)):
        payload = b'END' if n == 'END' else b'anyxdp demo %d' % i
        udp = struct.pack('!HHHH', 40000, int(port), 8 + len(payload), 0) + payload
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                         ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        sk.send(dmac + smac + b'\x08\x00' + ip + udp)
        time.sleep(0.001)
PY
cat >"$T/recv.py" <<'PY'
import json, select, socket, sys, time
port, out, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)    # SO_RCVBUFFORCE
s.bind(('0.0.0.0', port))
open(ready, 'w').close()
counts, end_at, deadline = {}, None, time.time() + 30
while time.time() < deadline and (end_at is None or time.time() < end_at):
    if select.select([s], [], [], 0.1)[0]:
        data, a = s.recvfrom(2048)
        if data == b'END':
            end_at = time.time() + 0.5
        else:
            counts[a[0]] = counts.get(a[0], 0) + 1
json.dump(counts, open(out, 'w'))
PY

# Sources: 8 real IPsum addresses; 3 hosts inside a FireHOL /24; a private
# (bogon) address that FireHOL lists as 10.0.0.0/8; 12 clean addresses,
# neighbours of the IPsum ones that anyxdp-block check says are not listed.
grep -v '^#' "$IPSUM" | awk 'NF && NR % 15000 == 1 { print $1 }' | head -8 >"$T/ipsum.src"
NET=$(grep -v '^#' "$FIREHOL" | grep -m1 '/24$')
BASE=${NET%.0/24}
: >"$T/clean.src"
while read -r o1 o2 o3 o4; do
	for d in 2 3 4 5 6 7 8 9; do
		a=$o1.$o2.$o3.$(((o4 + d) % 254 + 1))
		if $AXB --pin-dir "$PIN" check "$a" | grep -q 'is not blocked'; then
			echo "$a" >>"$T/clean.src"
			break
		fi
	done
done < <(tr . ' ' <"$T/ipsum.src")
for s in 12 13 14 15; do	# a few more clean ones, from the uplink's /16
	a=185.1.$s.10
	$AXB --pin-dir "$PIN" check "$a" | grep -q 'is not blocked' && echo "$a" >>"$T/clean.src"
done
{
	while read -r a; do echo "$a 20"; done <"$T/ipsum.src"
	for h in 7 77 177; do echo "$BASE.$h 10"; done
	echo "10.1.2.3 5"
} >"$T/blocked.spec"
while read -r a; do echo "$a 8"; done <"$T/clean.src" >"$T/clean.spec"
cat "$T/blocked.spec" "$T/clean.spec" >"$T/spec"
# interleave, so blocked and clean packets mix as they would on a link
sort -t. -k4,4n "$T/spec" >"$T/spec.mixed"
echo "$(head -1 "$T/clean.src") END" >>"$T/spec.mixed"
N_BLOCKED=$(awk '{ s += $2 } END { print s }' "$T/blocked.spec")
N_CLEAN=$(awk '{ s += $2 } END { print s }' "$T/clean.spec")

say "4. Traffic: $((N_BLOCKED + N_CLEAN)) UDP datagrams from $INET to $POP_IP:$PORT"
note "$N_BLOCKED from $(wc -l <"$T/blocked.spec") listed sources (IPsum hosts, a FireHOL /24, a bogon),"
note "$N_CLEAN from $(wc -l <"$T/clean.src") clean sources; a UDP socket in $POP counts what arrives."
POP_MAC=$(ip -n "$POP" -j link show "$UP" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
$IN_POP "$PY" "$T/recv.py" "$PORT" "$T/recv.json" "$T/ready" &
RECV_PID=$!
for _ in $(seq 100); do
	[[ -e $T/ready ]] && break
	sleep 0.05
done
nsenter --net=/run/netns/"$INET" "$PY" "$T/send.py" "$PEER" "$POP_MAC" "$POP_IP" "$PORT" "$T/spec.mixed" ||
	die "sending failed"
wait "$RECV_PID"
RECV_PID=
echo
"$PY" - "$T/spec" "$T/recv.json" "$PIN" "$TOP/$AXB" <<'PY'
import json, subprocess, sys
spec = [l.split() for l in open(sys.argv[1])]
got = json.load(open(sys.argv[2]))
tally = {}
print('   %-16s %5s %9s   %s' % ('SOURCE', 'SENT', 'ARRIVED', 'anyxdp-block check'))
for src, n in spec:
    c = subprocess.run([sys.argv[4], '--pin-dir', sys.argv[3], 'check', '--json', src],
                       capture_output=True, text=True)
    d = json.loads(c.stdout)
    why = 'blocked by %s' % d['entry'] if d['dropped'] else 'not listed'
    print('   %-16s %5s %9d   %s' % (src, n, got.get(src, 0), why))
    tot = tally.setdefault(d['dropped'], [0, 0])
    tot[0] += int(n)
    tot[1] += got.get(src, 0)
print('\n   arrived: %d of %d clean datagrams, %d of %d from listed sources' % (
    tally.get(False, [0, 0])[1], tally.get(False, [0, 0])[0],
    tally.get(True, [0, 0])[1], tally.get(True, [0, 0])[0]))
PY

# ---- 4. what anyxdp says ----

say "5. anyxdp status: where it runs, which list is live"
cmd $IN_POP $AX --pin-dir "$PIN" status

say "6. anyxdp stats: packets by verdict and reason"
note "(pass_no_match includes the clean datagrams; IPv6 neighbour discovery"
note " and other background packets land there or in pass_not_ip)"
cmd $AX --pin-dir "$PIN" stats

say "7. anyxdp-block top -n 5: the list entries with the most drops"
cmd $AXB --pin-dir "$PIN" top -n 5

say "8. The same counters straight from the pinned map, with bpftool"
echo "   $ bpftool -j map dump pinned $PIN/blocklist_v4   (filtered: entries with packets)"
bpftool -j map dump pinned "$PIN/blocklist_v4" | "$PY" -c '
import json, sys
rows = []
for e in json.load(sys.stdin):
    f = e.get("formatted", e)
    n = sum(v["value"]["packets"] for v in f["values"])
    b = sum(v["value"]["bytes"] for v in f["values"])
    if n:
        rows.append((-n, f["key"]["prefixlen"], ".".join(map(str, f["key"]["addr"])), b, len(f["values"])))
for n, plen, addr, b, cpus in sorted(rows):
    print("   key {prefixlen %2d, addr %-15s}  packets %3d  bytes %5d  (per-CPU values summed, %d CPUs)" % (
        plen, addr, -n, b, cpus))
'

# ---- 5. next steps ----

say "The lab is still up. Explore it:"
A=$(head -1 "$T/ipsum.src")
row() { printf '   %-92s # %s\n' "$1" "$2"; }
row "sudo $IN_POP $AX --pin-dir $PIN status" "status needs the PoP's namespace"
row "sudo $AX --pin-dir $PIN stats" "verdict counters"
row "sudo $AXB --pin-dir $PIN check $A" "why is it dropped?"
row "sudo $AXB --pin-dir $PIN allow $A" "never drop it"
row "sudo $AXB --pin-dir $PIN top -n 10" "busiest entries"
row "sudo bpftool map dump pinned $PIN/blocklist_v4 | less" "raw per-CPU counters"
row "sudo ip netns exec $INET ping -c 3 $POP_IP" "clean traffic is answered"
row "sudo $IN_POP ip -s link show $UP" "the XDP program on the uplink"
say "Tear it down:"
note "sudo scripts/demo.sh down"
