#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Source lists of the blocklist: each FILE of `anyxdp-block load` is a
# list, `add` puts entries on "manual", `anyxdp-block sources` counts
# entries and drops per list. Real lists from tests/data; the expected
# counts come from python3's ipaddress over the files, never from the
# code under test. Drops are made with `bpftool prog run` on the attached
# program (a veth in a namespace of our own), so they are exact.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, XDP"
export LC_ALL=C

DATA=$TOP/tests/data
IPSUM=$DATA/ipsum.txt
FIREHOL=$DATA/firehol_level1.netset
DROP=$DATA/drop.txt
DROP6=$DATA/dropv6.txt
VA=axsa$$
VB=axsb$$
scratch axsrc	# PIN, NS, T (tests/lib.sh)

on_exit() {
	[[ -e /run/netns/$NS ]] &&
		nsenter --net=/run/netns/"$NS" "$BIN"/anyxdp detach "$VA" >/dev/null 2>&1
}

axb() { "$BIN"/anyxdp-block "$@"; }
ax() { nsenter --net=/run/netns/"$NS" "$BIN"/anyxdp "$@"; }
# srcs: `sources --json` as "name:entries name:entries ..."
srcs() {
	axb sources --json >"$T/s.json" &&
		jget "$T/s.json" "' '.join('%s:%d' % (s['name'], s['entries']) for s in d['sources'])"
}
# drops NAME: "packets bytes" of list NAME in a saved sources --json
drops() { jget "$T/s.json" "' '.join('%d %d' % (s['packets'], s['bytes']) for s in d['sources'] if s['name'] == '$1')"; }

# Independent model: per file, the canonical prefixes (as test_block_cli.sh
# normalises); per list, how many of them; and test addresses.
cat >"$T/model.py" <<'PY'
import ipaddress, json, sys

def prefixes(f):
    out = set()
    for line in open(f):
        line = line.split('#')[0].split(';')[0].strip()
        if line:
            out.add(ipaddress.ip_network(line.split()[0], strict=False))
    return out

lists = {}
for arg in sys.argv[2:]:
    name, f = arg.split('=', 1)
    lists.setdefault(name, set()).update(prefixes(f))
if sys.argv[1] == 'counts':
    print(' '.join('%s:%d' % (n, len(p)) for n, p in lists.items()))
elif sys.argv[1] == 'multi':        # sum over lists minus the union: entries counted twice or more
    union = set().union(*lists.values())
    print(sum(len(p) for p in lists.values()) - len(union))
elif sys.argv[1] == 'pick':
    # an address whose most specific entry is on exactly the lists named
    # by argv: 'only=A' (on A alone), 'both=A,B' (on A and B, no other)
    union = set().union(*lists.values())
    def best(addr):
        for plen in range(addr.max_prefixlen, -1, -1):
            p = ipaddress.ip_network('%s/%d' % (addr, plen), strict=False)
            if p in union:
                return p
    want = {}
    for p in sorted(union, key=lambda p: (p.version, p.prefixlen, p.network_address)):
        on = frozenset(n for n, s in lists.items() if p in s)
        key = ','.join(sorted(on))
        if key in want:
            continue
        addr = p.network_address + (1 if p.num_addresses > 1 else 0)
        if best(addr) == p:
            want[key] = str(addr)
    print(json.dumps(want))
elif sys.argv[1] == 'clean':        # an address on no list
    union = set().union(*lists.values())
    for a in ('9.9.9.9', '8.8.4.4', '1.1.1.1', '149.112.112.112', '208.67.222.222'):
        addr = ipaddress.ip_address(a)
        if not any(ipaddress.ip_network('%s/%d' % (a, l), strict=False) in union
                   for l in range(33)):
            print(a)
            break
PY
model() { "$PY" "$T/model.py" "$@"; }

# ---- help ----

run axb --help
check "--help lists the sources command" "\$(grep -c '^ *sources' $T/out) -ge 1"
run axb sources --help
check "sources --help: exit 0, usage on stdout" "$RC -eq 0 && \$(grep -c 'Usage: anyxdp-block sources' $T/out) -eq 1"
run axb sources --bogus
check "sources --bogus: exit 2" "$RC -eq 2"
run axb load --help
check "load --help documents --name" "\$(grep -c -- '--name NAME' $T/out) -eq 1"

# ---- three real lists ----

run axb load --json "$IPSUM" "$FIREHOL" "$DROP"
check "load ipsum.txt firehol_level1.netset drop.txt" "$RC -eq 0"
cp "$T/out" "$T/load.json"
WANT=$(model counts ipsum.txt="$IPSUM" firehol_level1.netset="$FIREHOL" drop.txt="$DROP")
equal "load --json: the per-file lists and their entries" \
	"$(jget "$T/load.json" "' '.join('%s:%d' % (s['name'], s['entries']) for s in d['sources'])")" "$WANT"
equal "sources --json: entries per list (python's ipaddress over each file)" "$(srcs)" "$WANT"
equal "sources --json: the load's generation" "$(jget "$T/s.json" "d['generation']")" \
	"$(jget "$T/load.json" "d['generation']")"
MULTI=$(model multi a="$IPSUM" b="$FIREHOL" c="$DROP")
check "the model finds entries on two lists ($MULTI)" "$MULTI -gt 100"
equal "overlap counted for each list: sum of entries = union + $MULTI" \
	"$(jget "$T/s.json" "sum(s['entries'] for s in d['sources'])")" \
	"$(($(jget "$T/load.json" "d['entries']") + MULTI))"
run axb sources
check "sources (text): generation, a header and one line per list" \
	"\$(sed -n 1p $T/out | grep -c '^generation ') -eq 1 && \$(wc -l <$T/out) -eq 5"
check "sources (text): firehol's line" \
	"\$(grep -cE '^firehol_level1.netset +$(jget "$T/s.json" "d['sources'][1]['entries']") +0 +0$' $T/out) -eq 1"
run axb load "$IPSUM" "$FIREHOL" "$DROP"
check "the same files again: unchanged" "$RC -eq 0 && \$(grep -c '^unchanged' $T/out) -eq 1"
check "... the text report names the lists" \
	"\$(grep -c '^source lists: ipsum.txt [0-9]*, firehol_level1.netset [0-9]*, drop.txt [0-9]*$' $T/out) -eq 1"

# ---- add and del: "manual" ----

IP_ONLY=$(jget <(model pick A="$IPSUM" B="$FIREHOL" C="$DROP") "d['A']")
G=$(jget "$T/s.json" "d['generation']")
run axb add 198.51.100.7 "$IP_ONLY"
check "add 198.51.100.7 and an ipsum address" "$RC -eq 0"
equal "add: manual holds both, the file lists are kept" "$(srcs)" "$WANT manual:2"
run axb del 198.51.100.7
equal "del 198.51.100.7: manual down to 1" "$(srcs)" "$WANT manual:1"
run axb del "$IP_ONLY"
check "del the address on ipsum and manual" "$RC -eq 0"
awk -v ip="$IP_ONLY" '$1 != ip' "$IPSUM" >"$T/ipsum-1.txt"
equal "... gone from both lists" "$(srcs)" "$(model counts ipsum.txt="$T/ipsum-1.txt" \
	firehol_level1.netset="$FIREHOL" drop.txt="$DROP") manual:0"
run axb del 203.0.113.1
check "del of an absent entry fails" "$RC -ne 0"
srcs >/dev/null
equal "... changing nothing" "$(jget "$T/s.json" "d['generation']")" "$((G + 3))"

# ---- drops per list ----

ip netns add "$NS"
ip -n "$NS" link add "$VA" type veth peer name "$VB"
ip -n "$NS" link set "$VA" up
ip -n "$NS" link set "$VB" up
axb load -q "$IPSUM" "$FIREHOL" "$DROP" >/dev/null
ax attach "$VA" >"$T/attach.out" 2>&1
check "attach to a veth in namespace $NS" "$? -eq 0"
ax status --json >"$T/status.json"
PROG=$(jget "$T/status.json" "[i['prog_id'] for i in d['interfaces'] if i['ifname'] == '$VA'][0]")
check "status gives the program id ($PROG)" "$PROG -gt 0"
model pick ipsum.txt="$IPSUM" firehol_level1.netset="$FIREHOL" drop.txt="$DROP" >"$T/pick.json"
A_ONLY=$(jget "$T/pick.json" "d['ipsum.txt']")
AB=$(jget "$T/pick.json" "d['drop.txt,firehol_level1.netset']")
CLEAN=$(model clean a="$IPSUM" b="$FIREHOL" c="$DROP")
check "the model has an ipsum-only address ($A_ONLY), one on firehol and drop ($AB), a clean one ($CLEAN)" \
	"-n '$A_ONLY' && -n '$AB' && -n '$CLEAN'"
# frame SRC FILE: an Ethernet/IPv4/UDP frame from SRC; prints its length
cat >"$T/frame.py" <<'PY'
import ipaddress, struct, sys
src = ipaddress.ip_address(sys.argv[1]).packed
udp = struct.pack('!HHHH', 40000, 53, 8 + 100, 0) + bytes(100)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src,
                 bytes([198, 18, 0, 1]))
f = b'\x02\0\0\0\0\x01' + b'\x02\0\0\0\0\x02' + b'\x08\x00' + ip + udp
open(sys.argv[2], 'wb').write(f)
print(len(f))
PY
LEN=$("$PY" "$T/frame.py" "$A_ONLY" "$T/a.pkt")
"$PY" "$T/frame.py" "$AB" "$T/ab.pkt" >/dev/null
"$PY" "$T/frame.py" "$CLEAN" "$T/clean.pkt" >/dev/null
prog_run() { bpftool prog run id "$PROG" data_in "$1" repeat "$2" >/dev/null 2>&1; }
srcs >/dev/null
equal "before: no list has drops" "$(jget "$T/s.json" "sum(s['packets'] + s['bytes'] for s in d['sources'])")" 0
ok "bpftool prog run: 7 frames from $A_ONLY" prog_run "$T/a.pkt" 7
ok "bpftool prog run: 5 frames from $AB" prog_run "$T/ab.pkt" 5
ok "bpftool prog run: 3 frames from $CLEAN" prog_run "$T/clean.pkt" 3
srcs >/dev/null
equal "ipsum.txt: +7 packets, +7 frames of bytes" "$(drops ipsum.txt)" "7 $((7 * LEN))"
equal "firehol_level1.netset: +5 packets (the entry is on firehol and drop)" \
	"$(drops firehol_level1.netset)" "5 $((5 * LEN))"
equal "drop.txt: +5 packets too" "$(drops drop.txt)" "5 $((5 * LEN))"
equal "the clean address moved no list: 7 + 5 + 5 packets in all" \
	"$(jget "$T/s.json" "sum(s['packets'] for s in d['sources'])")" 17
equal "the check command agrees on $AB's entry" \
	"$(axb check --json "$AB" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["packets"], d["bytes"])')" \
	"5 $((5 * LEN))"

# ---- a failed load leaves the sources as they were ----

printf '10.0.0.1\nnot-an-address\n' >"$T/bad.txt"
cp "$T/s.json" "$T/before.json"
run axb load "$IPSUM" "$T/bad.txt"
check "a malformed line: exit 2" "$RC -eq 2 && \$(grep -c 'bad.txt:2:' $T/err) -eq 1"
axb sources --json >"$T/after.json"
ok "... sources unchanged, byte for byte" cmp "$T/before.json" "$T/after.json"
mkdir "$T/many"
for i in $(seq 1 16); do echo "10.99.$i.0/24" >"$T/many/l$i.txt"; done
run axb load "$T"/many/l{1..16}.txt
check "16 lists: a usage error (exit 2)" "$RC -eq 2 && \$(grep -c 'more than 15 source lists' $T/err) -eq 1"
axb sources --json >"$T/after.json"
ok "... sources unchanged" cmp "$T/before.json" "$T/after.json"
run axb load --name x --name y "$DROP"
check "more --name than FILEs: exit 2" "$RC -eq 2"
run axb load --name 'a b' "$DROP"
check "--name with a space: exit 2" "$RC -eq 2"
cp "$DROP" "$T/manual"
run axb load "$T/manual"
check "a FILE named 'manual': exit 2, the name is reserved" "$RC -eq 2 && \$(grep -c reserved $T/err) -eq 1"
axb sources --json >"$T/after.json"
ok "... sources unchanged" cmp "$T/before.json" "$T/after.json"

# ---- a re-load with one file, names, 15 lists ----

run axb load "$IPSUM"
check "re-load with ipsum.txt alone" "$RC -eq 0"
equal "one list left" "$(srcs)" "$(model counts ipsum.txt="$IPSUM")"
equal "... its drops carried over (kept entries keep their counters)" "$(drops ipsum.txt)" "7 $((7 * LEN))"
check "... no member map pinned for a one-file list" "\$(ls $PIN | grep -c bl_member) -eq 0"
G=$(jget "$T/s.json" "d['generation']")
run axb load --name ipsum "$IPSUM"
check "the same entries under another --name: the list is unchanged (generation $G)" \
	"\$(grep -c '^unchanged: the active list (generation $G)' $T/out) -eq 1"
equal "... but the source list is renamed in place" "$(srcs)" "$(model counts ipsum="$IPSUM")"
equal "... keeping its drops" "$(drops ipsum)" "7 $((7 * LEN))"
equal "... sources --json still gives generation $G" "$(jget "$T/s.json" "d['generation']")" "$G"
run axb load --name spamhaus --name spamhaus "$DROP" - <"$DROP6"
check "two FILEs, one --name twice (second FILE stdin)" "$RC -eq 0"
equal "... form one list" "$(srcs)" "$(model counts spamhaus="$DROP" spamhaus="$DROP6")"
run axb load "$DROP" - <"$DROP6"
equal "FILE - is the list 'stdin'" "$(srcs)" "$(model counts drop.txt="$DROP" stdin="$DROP6")"
run axb load "$T"/many/l{1..15}.txt
check "15 lists load" "$RC -eq 0"
L15=$(for i in $(seq 1 15); do echo "l$i.txt:1"; done | paste -sd' ')
equal "... each with its one entry" "$(srcs)" "$L15"
run axb add 198.51.100.9
check "add with 15 lists" "$RC -eq 0"
equal "... manual is the 16th" "$(srcs)" "$L15 manual:1"

# ---- a pin dir without the source maps ----

axb load -q "$DROP" "$DROP6" >/dev/null
rm -f "$PIN"/bl_sources "$PIN"/bl_member_*
ok "sources without bl_sources (an older pin dir): exit 0" axb sources --json
equal "... one list 'unknown' with every entry" "$(srcs)" \
	"$(model counts unknown="$DROP" unknown="$DROP6")"
check "... and it is not created by a read-only command" "! -e $PIN/bl_sources"
run axb load "$DROP" "$DROP6"
check "load re-creates bl_sources" "$RC -eq 0 && -e $PIN/bl_sources"
equal "... and the lists have names again" "$(srcs)" "$(model counts drop.txt="$DROP" dropv6.txt="$DROP6")"

done_testing
