#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# anyxdp-block and anyxdp without traffic: a private pin dir, no attach
# (anyxdp-block load creates the maps). Real lists from tests/data; the
# expected counts are computed independently (awk, sort/comm, python3's
# ipaddress), never by the code under test.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps"
export LC_ALL=C		# byte order for sort/comm, bytes for grep

DATA=$TOP/tests/data
IPSUM=$DATA/ipsum.txt
FIREHOL=$DATA/firehol_level1.netset
DROP=$DATA/drop.txt
DROP6=$DATA/dropv6.txt
new_pin_dir >/dev/null	# exports ANYXDP_PIN_DIR (so not in a $(...) subshell)
PIN=$ANYXDP_PIN_DIR
PIN_A=$PIN-a
PIN_B=$PIN-b
T=$(mktemp -d /tmp/anyxdp-cli.XXXXXX)
chmod 0755 "$T"

cleanup() {
	local d
	for d in "$PIN_A" "$PIN_B"; do
		ANYXDP_PIN_DIR=$d rm_pin_dir
	done
	rm_pin_dir
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

axb() { "$BIN"/anyxdp-block "$@"; }
ax() { "$BIN"/anyxdp "$@"; }
# jget FILE 'python expression over d'
gen() { ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["generation"])'; }
show_err() { sed 's/^/#   /' "$T/err" | head -5; }

# snap; ...; unchanged DESC: list --json and status --json byte for byte.
snap() {
	axb list --json >"$T/snap.list"
	ax status --json >"$T/snap.status"
}
unchanged() {
	axb list --json >"$T/now.list"
	ax status --json >"$T/now.status"
	if cmp -s "$T/snap.list" "$T/now.list" && cmp -s "$T/snap.status" "$T/now.status"; then
		pass "$1"
	else
		fail "$1" "active list or status changed"
	fi
}

# Independent normaliser: canonical unique prefixes of list files, sorted.
cat >"$T/norm.py" <<'PY'
import ipaddress, json, sys
out = set()
if sys.argv[1] == '--list-json':      # prefixes of `anyxdp-block list --json`
    out = {str(ipaddress.ip_network(e['prefix'])) for e in json.load(open(sys.argv[2]))}
else:
    for f in sys.argv[1:]:
        for line in open(f):
            line = line.split('#')[0].split(';')[0].strip()
            if line:
                out.add(str(ipaddress.ip_network(line.split()[0], strict=False)))
print('\n'.join(sorted(out)))
PY
# "entries ipv4 ipv6 hosts cidrs" of a normalised list
cat >"$T/counts.py" <<'PY'
import ipaddress, sys
n = [ipaddress.ip_network(l.strip()) for l in open(sys.argv[1]) if l.strip()]
v4 = sum(1 for p in n if p.version == 4)
hosts = sum(1 for p in n if p.prefixlen == p.max_prefixlen)
print(len(n), v4, len(n) - v4, hosts, len(n) - hosts)
PY
norm() { "$PY" "$T/norm.py" "$@"; }
counts() { "$PY" "$T/counts.py" "$1"; }
# report fields of a `load --json` (or the equivalent) for comparison
report() { jget "$1" "'%d %d %d %d %d' % (d['entries'], d['ipv4'], d['ipv6'], d['hosts'], d['cidrs'])"; }
ark() { jget "$1" "'%d %d %d' % (d['added'], d['removed'], d['kept'])"; }
# added removed kept between two normalised lists, with comm
diffcount() {
	echo "$(comm -13 "$1" "$2" | grep -c .) $(comm -23 "$1" "$2" | grep -c .) $(comm -12 "$1" "$2" | grep -c .)"
}

# ---- no maps yet ----

run axb list
check "list before any load fails (exit 1)" "$RC -eq 1"
check "... saying there are no maps in the pin dir" "\$(grep -c 'no anyxdp maps in $PIN' $T/err) -eq 1"
run ax status
check "status before any load fails" "$RC -ne 0"
check "the pin dir is not created by read-only commands" "! -e $PIN"

# ---- loading the real lists ----

norm "$IPSUM" >"$T/ipsum.norm"
norm "$FIREHOL" >"$T/firehol.norm"
norm "$DROP" >"$T/drop.norm"
norm "$DROP6" >"$T/drop6.norm"
norm "$IPSUM" "$FIREHOL" "$DROP" "$DROP6" >"$T/all.norm"
N_IPSUM=$(grep -v '^#' "$IPSUM" | awk 'NF { print $1 }' | sort -u | wc -l)
equal "ipsum: awk and the python normaliser agree on the entry count" "$(wc -l <"$T/ipsum.norm")" "$N_IPSUM"

run axb load --json "$IPSUM"
check "load ipsum.txt" "$RC -eq 0"
cp "$T/out" "$T/r.json"
check "pin dir created with mode 0700" "\$(stat -c %a $PIN) == 700"
equal "ipsum: entries/IPv4/IPv6/hosts/CIDRs" "$(report "$T/r.json")" "$(counts "$T/ipsum.norm")"
equal "ipsum first load: all added, none removed or kept" "$(ark "$T/r.json")" "$N_IPSUM 0 0"
equal "ipsum first load: not 'unchanged'" "$(jget "$T/r.json" "d['unchanged']")" False
G=$(jget "$T/r.json" "d['generation']")
equal "status generation = the load's generation" "$(gen)" "$G"
run axb load --dry-run "$IPSUM"
has_err "ipsum.txt: ipsum format, $N_IPSUM entries"
check "auto-detected as ipsum format" "$? -eq 0"

snap
run axb load "$IPSUM"
check "same list again: exit 0" "$RC -eq 0"
check "same list again: '0 added, 0 removed, $N_IPSUM kept'" \
	"\$(grep -c '$N_IPSUM entries (IPv4 $N_IPSUM, IPv6 0; $N_IPSUM hosts, 0 CIDRs): 0 added, 0 removed, $N_IPSUM kept' $T/out) -eq 1"
check "same list again: 'unchanged' with the same generation" \
	"\$(grep -c '^unchanged: the active list (generation $G) stays' $T/out) -eq 1"
unchanged "same list again: list and status (generation, load time) untouched"

# each real list alone, then all four together
for f in firehol drop drop6; do
	case $f in
	firehol) file=$FIREHOL fmt=netset ;;
	drop) file=$DROP fmt=drop ;;
	drop6) file=$DROP6 fmt=drop ;;
	esac
	axb list --json >"$T/prev.json"
	norm --list-json "$T/prev.json" >"$T/prev.norm"
	G=$(gen)
	run axb load --json "$file"
	check "load $(basename "$file")" "$RC -eq 0"
	cp "$T/out" "$T/r.json"
	equal "$f: entries/IPv4/IPv6/hosts/CIDRs" "$(report "$T/r.json")" "$(counts "$T/$f.norm")"
	equal "$f: added/removed/kept vs the previous list (comm)" "$(ark "$T/r.json")" \
		"$(diffcount "$T/prev.norm" "$T/$f.norm")"
	equal "$f: generation bumped by one" "$(gen)" "$((G + 1))"
	run axb load --dry-run "$file"
	has_err "$(basename "$file"): $fmt format"
	check "$f: auto-detected as $fmt" "$? -eq 0"
done

G=$(gen)
run axb load --json "$IPSUM" "$FIREHOL" "$DROP" "$DROP6"
check "load all four lists at once" "$RC -eq 0"
cp "$T/out" "$T/r.json"
equal "all four: entries/IPv4/IPv6/hosts/CIDRs (duplicates merged)" "$(report "$T/r.json")" "$(counts "$T/all.norm")"
equal "all four: added/removed/kept" "$(ark "$T/r.json")" "$(diffcount "$T/drop6.norm" "$T/all.norm")"
equal "all four: report says 4 files" "$(jget "$T/r.json" "d['files']")" 4
axb list --json >"$T/list.json"
ok "list --json is valid JSON (json.tool)" "$PY" -m json.tool "$T/list.json"
norm --list-json "$T/list.json" >"$T/list.norm"
ok "list --json holds exactly the union of the four files" cmp "$T/list.norm" "$T/all.norm"
equal "list --json count = status entries" "$(jget "$T/list.json" "len(d)")" \
	"$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["entries"])')"
axb list >"$T/list.txt"
equal "list (text): a header and one line per entry" "$(wc -l <"$T/list.txt")" "$(($(wc -l <"$T/all.norm") + 1))"
equal "list --json: every counter is zero (no traffic)" "$(jget "$T/list.json" "sum(e['packets'] + e['bytes'] for e in d)")" 0

# a changed list: ipsum without its first 1000 entries, plus 500 new ones
grep -v '^#' "$IPSUM" | tail -n +1001 >"$T/ipsum2.txt"
for i in $(seq 0 499); do printf '100.64.%d.%d\t2\n' $((i / 200)) $((i % 200 + 1)); done >>"$T/ipsum2.txt"
awk 'NF { print $1 }' "$IPSUM" | grep -v '^#' | sort -u >"$T/old.addr"
awk 'NF { print $1 }' "$T/ipsum2.txt" | sort -u >"$T/new.addr"
WANT="$(comm -13 "$T/old.addr" "$T/new.addr" | wc -l) $(comm -23 "$T/old.addr" "$T/new.addr" | wc -l) $(comm -12 "$T/old.addr" "$T/new.addr" | wc -l)"
equal "changed list: comm says 500 added, 1000 removed, the rest kept" "$WANT" "500 1000 $((N_IPSUM - 1000))"
axb load -q "$IPSUM" >/dev/null
G=$(gen)
run axb load "$T/ipsum2.txt"
check "load the changed list" "$RC -eq 0"
check "changed list: text report '500 added, 1000 removed, $((N_IPSUM - 1000)) kept'" \
	"\$(grep -c ': 500 added, 1000 removed, $((N_IPSUM - 1000)) kept$' $T/out) -eq 1"
check "changed list: 'switched to generation $((G + 1))'" "\$(grep -c '^switched to generation $((G + 1)) ' $T/out) -eq 1"
axb list --json >"$T/list.json"
equal "changed list: list --json count" "$(jget "$T/list.json" "len(d)")" "$((N_IPSUM + 500 - 1000))"
run axb load --json "$IPSUM"
equal "back to ipsum: 1000 added, 500 removed" "$(ark "$T/out")" "1000 500 $((N_IPSUM - 1000))"

# --dry-run changes nothing
snap
run axb load --dry-run "$FIREHOL"
check "--dry-run: exit 0" "$RC -eq 0"
check "--dry-run: 'dry run: N entries parsed, nothing changed'" \
	"\$(grep -c '^dry run: $(wc -l <"$T/firehol.norm") entries parsed, nothing changed' $T/out) -eq 1"
unchanged "--dry-run: active list untouched"

# FILE '-' is stdin; the same file twice is merged
run axb load --json - <"$DROP"
check "load - (stdin)" "$RC -eq 0"
equal "load -: entries of drop.txt" "$(jget "$T/out" "d['entries']")" "$(wc -l <"$T/drop.norm")"
run axb load "$DROP" "$DROP"
check "the same file twice: 'unchanged' (it was just loaded from stdin)" "$RC -eq 0 && \$(grep -c '^unchanged' $T/out) -eq 1"
has_err "$(wc -l <"$T/drop.norm") duplicate entries merged"
check "the same file twice: duplicates reported as merged" "$? -eq 0"

# ---- --format ----

first_data() { grep -nvE '^[[:space:]]*([#;]|$)' "$1" | head -1 | cut -d: -f1; }
run axb load --json --format drop "$DROP"
check "--format drop on drop.txt" "$RC -eq 0"
equal "--format drop: entries" "$(jget "$T/out" "d['entries']")" "$(wc -l <"$T/drop.norm")"
run axb load --json --format plain "$FIREHOL"
check "--format plain on the netset" "$RC -eq 0"
equal "--format plain: entries as with netset" "$(jget "$T/out" "d['entries']")" "$(wc -l <"$T/firehol.norm")"
run axb load --dry-run --format plain "$FIREHOL"
has_err "firehol_level1.netset: plain format"
check "--format plain: reported as plain" "$? -eq 0"
snap
L=$(first_data "$IPSUM")
run axb load --format plain "$IPSUM"
check "--format plain on ipsum.txt fails (the score is extra text)" "$RC -ne 0"
has_err "$IPSUM:$L: unexpected text after prefix" || show_err
check "... at its first data line ($L)" "$? -eq 0"
unchanged "--format plain on ipsum: list unchanged"
L=$(first_data "$FIREHOL")
run axb load --format ipsum "$FIREHOL"
check "--format ipsum on the netset fails" "$RC -ne 0"
has_err "$FIREHOL:$L: invalid score" || show_err
check "... 'invalid score' at line $L" "$? -eq 0"
unchanged "--format ipsum on the netset: list unchanged"
run axb load --format drop "$IPSUM"
check "--format drop on ipsum.txt fails" "$RC -ne 0"
unchanged "--format drop on ipsum: list unchanged"
run axb load --format bogus "$IPSUM"
check "--format bogus: exit 2" "$RC -eq 2"
has_err "unknown format 'bogus'"
check "--format bogus: says so" "$? -eq 0"
unchanged "--format bogus: list unchanged"

# ---- --min-score ----

for s in 0 1 2 3 5 8; do
	want=$(awk -v s="$s" '!/^#/ && NF && $2 >= s { print $1 }' "$IPSUM" | sort -u | wc -l)
	run axb load --json --min-score "$s" "$IPSUM"
	equal "--min-score $s: entries = awk count ($want)" "$(jget "$T/out" "d['entries']")" "$want"
done
check "--min-score 8 keeps fewer than --min-score 3 (the filter is live)" \
	"$(awk '!/^#/ && NF && $2 >= 8' "$IPSUM" | wc -l) -lt $(awk '!/^#/ && NF && $2 >= 3' "$IPSUM" | wc -l)"
snap
run axb load --min-score 1001 "$IPSUM"
check "--min-score 1001: exit 2" "$RC -eq 2"
run axb load --min-score -1 "$IPSUM"
check "--min-score -1: exit 2" "$RC -eq 2"
run axb load --min-score 1000 "$IPSUM"
check "--min-score 1000 leaves nothing: refused" "$RC -ne 0"
unchanged "--min-score errors: list unchanged"

# ---- malformed files: FILE:LINE: reason, exit non-zero, nothing changes ----

axb load -q "$IPSUM" "$FIREHOL" "$DROP" "$DROP6" >/dev/null
cd "$T" || exit 1
mk() { printf "$2" >"$1"; }
mk bad_addr.txt '1.2.3.4\n# comment\n\n1.2.3.300\n'
mk bad_short.txt '1.2.3\n'
mk bad_plen.txt '10.0.0.0/8\n10.1.0.0/33\n'
mk bad_plen_text.txt '10.0.0.0/8\n10.1.0.0/1x\n'
mk bad_plen_empty.txt '10.0.0.0/8\n\n10.2.0.0/\n'
mk bad_v6.txt '2001:db8::/32\n2001:db8:::1\n'
mk bad_v6_plen.txt '2001:db8::/129\n'
mk bad_score.txt '# ipsum\n1.2.3.4\t3\n5.6.7.8\tthree\n'
mk bad_score_neg.txt '1.2.3.4\t3\n5.6.7.8\t-1\n'
mk bad_score_missing.txt '1.2.3.4\t3\n5.6.7.8\n'
mk bad_score_extra.txt '1.2.3.4\t3\n5.6.7.8\t4\tfoo\n'
mk bad_garbage.txt '1.2.3.4\nhello world\n'
mk bad_trailing.txt '1.2.3.4\n5.6.7.8 junk\n'
mk bad_nul.txt '1.2.3.4\n5.6.\0007.8\n'
mk bad_binary.txt '1.2.3.4\n\001\033[31mgarbage\n'	# control bytes are shown as '?'
mk bad_highbytes.txt '1.2.3.4\n\377\376garbage\n'
mk bad_drop.txt '; DROP\n1.10.16.0/20 ; SBL1\n1.19.0.0/16x ; SBL2\n'
mk bad_list.netset '1.2.3.0/24\n1.2.3.4.5\n'
head -c 100000 /dev/zero | tr '\0' a >bad_long.txt
sed '60000s/.*/77.90.185.999\t3/' "$IPSUM" >ipsum_broken.txt
sed '5000s/.*/1.2.3.0\/40/' "$FIREHOL" >firehol_broken.netset
CASES=(
	"bad_addr.txt|4|invalid address '1.2.3.300'"
	"bad_short.txt|1|invalid address '1.2.3'"
	"bad_plen.txt|2|prefix length out of range '10.1.0.0/33'"
	"bad_plen_text.txt|2|invalid prefix length '10.1.0.0/1x'"
	"bad_plen_empty.txt|3|invalid prefix length '10.2.0.0/'"
	"bad_v6.txt|2|invalid address '2001:db8:::1'"
	"bad_v6_plen.txt|1|prefix length out of range '2001:db8::/129'"
	"bad_score.txt|3|invalid score 'three'"
	"bad_score_neg.txt|2|invalid score '-1'"
	"bad_score_missing.txt|2|invalid score '' (missing)"
	"bad_score_extra.txt|2|unexpected text after score 'foo'"
	"bad_garbage.txt|2|invalid address 'hello'"
	"bad_trailing.txt|2|unexpected text after prefix 'junk'"
	"bad_nul.txt|2|NUL byte in line"
	"bad_binary.txt|2|invalid address '??[31mgarbage'"
	"bad_drop.txt|3|invalid prefix length '1.19.0.0/16x'"
	"bad_list.netset|2|invalid address '1.2.3.4.5'"
	"bad_long.txt|1|invalid address '$(printf 'a%.0s' $(seq 64))...'"
	"ipsum_broken.txt|60000|invalid address '77.90.185.999'"
	"firehol_broken.netset|5000|prefix length out of range '1.2.3.0/40'"
)
snap
for c in "${CASES[@]}"; do
	IFS='|' read -r f line why <<<"$c"
	run axb load "$f"
	check "$f: exit status non-zero" "$RC -ne 0"
	if grep -qxF -- "$f:$line: $why" "$T/err"; then
		pass "$f: stderr has '$f:$line: $why'"
	else
		fail "$f: stderr has '$f:$line: $why'" "got: $(head -c 300 "$T/err")"
	fi
	has_err "$f: not loaded; the active blocklist is unchanged"
	check "$f: says the active list is unchanged" "$? -eq 0"
	unchanged "$f: list --json and status --json identical"
done

run axb load bad_highbytes.txt
check "bad_highbytes.txt: fails at line 2 (invalid address)" \
	"$RC -ne 0 && \$(grep -c \"^bad_highbytes.txt:2: invalid address '\" $T/err) -eq 1"
unchanged "bad_highbytes.txt: list unchanged"

# one bad file among good ones changes nothing, wherever it is
run axb load "$IPSUM" "$FIREHOL" bad_addr.txt "$DROP"
check "good, good, bad, good: fails" "$RC -ne 0"
has_err "bad_addr.txt:4: invalid address"
check "good, good, bad, good: names the bad file and line" "$? -eq 0"
unchanged "good, good, bad, good: list unchanged"
run axb load "$DROP" "$DROP6" ipsum_broken.txt
check "good, good, bad (real list, line 60000): fails" "$RC -ne 0"
unchanged "good, good, bad: list unchanged"

# missing file, a directory
run axb load "$IPSUM" no-such-file.txt
check "missing file: fails" "$RC -ne 0"
has_err "no-such-file.txt: No such file or directory"
check "missing file: says which and why" "$? -eq 0"
unchanged "missing file: list unchanged"
run axb load "$T"
check "a directory as FILE: fails" "$RC -ne 0"
unchanged "a directory as FILE: list unchanged"

# --skip-invalid
mk skip.txt '1.2.3.4\nbogus\n5.6.7.8\n9.9.9.300\n10.0.0.0/8\n10.1.0.0/99\n2001:db8::/32\n'
snap
run axb load skip.txt
unchanged "without --skip-invalid: list unchanged"
check "without --skip-invalid the same file fails at line 2" "$RC -ne 0 && -n \$(grep -x 'skip.txt:2: invalid address .bogus.' $T/err)"
run axb load --json --skip-invalid skip.txt
check "--skip-invalid: exit 0" "$RC -eq 0"
equal "--skip-invalid: the 4 good lines are loaded" "$(jget "$T/out" "d['entries']")" 4
has_err "3 invalid lines skipped"
check "--skip-invalid: '3 invalid lines skipped'" "$? -eq 0"
check "--skip-invalid: a warning per skipped line, with its line number" \
	"\$(grep -cE '^skip.txt:(2|4|6): warning: .*line skipped' $T/err) -eq 3"
axb list --json >"$T/list.json"
equal "--skip-invalid: exactly the good entries" "$(jget "$T/list.json" "[e['prefix'] for e in d]")" \
	"['1.2.3.4/32', '5.6.7.8/32', '10.0.0.0/8', '2001:db8::/32']"

# empty files: refused unless --allow-empty
axb load -q "$DROP" >/dev/null
: >empty.txt
mk comments.txt '# nothing\n; here\n\n'
snap
for f in empty.txt comments.txt; do
	run axb load "$f"
	check "$f refused without --allow-empty" "$RC -ne 0"
	has_err "refusing to empty the active blocklist"
	check "$f: says why" "$? -eq 0"
	unchanged "$f: list unchanged"
done
G=$(gen)
run axb load --json --allow-empty empty.txt
check "--allow-empty: accepted" "$RC -eq 0"
equal "--allow-empty: 0 entries, all removed" "$(jget "$T/out" "'%d %d %d' % (d['entries'], d['removed'], d['kept'])")" "0 $(wc -l <"$T/drop.norm") 0"
equal "--allow-empty: generation bumped" "$(gen)" "$((G + 1))"
equal "--allow-empty: list --json is []" "$(axb list --json)" "[]"
run axb load --json --allow-empty comments.txt
equal "--allow-empty again: unchanged" "$(jget "$T/out" "d['unchanged']")" True

# CRLF line ends, host bits
printf '1.2.3.4\r\n10.0.0.0/8\r\n2001:db8::/32 \r\n' >crlf.txt
run axb load crlf.txt
check "CRLF file: loads" "$RC -eq 0"
equal "CRLF file: the three entries" "$(axb list --json | "$PY" -c 'import json,sys; print(" ".join(e["prefix"] for e in json.load(sys.stdin)))')" \
	"1.2.3.4/32 10.0.0.0/8 2001:db8::/32"
printf '1.2.3.4\t5\r\n5.6.7.8\t2\r\n' >crlf_ipsum.txt
run axb load --json --min-score 5 crlf_ipsum.txt
equal "CRLF ipsum with --min-score 5: one entry" "$(jget "$T/out" "d['entries']")" 1
mk hostbits.txt '# x\n10.1.2.3/8\n2001:db8::1/32\n'
run axb load hostbits.txt
check "host bits: loads" "$RC -eq 0"
has_err "hostbits.txt:2: warning: 10.1.2.3/8 has host bits set, using 10.0.0.0/8"
check "host bits: warning with line and the masked prefix (IPv4)" "$? -eq 0"
has_err "hostbits.txt:3: warning: 2001:db8::1/32 has host bits set, using 2001:db8::/32"
check "host bits: warning (IPv6)" "$? -eq 0"
equal "host bits: entries are masked" "$(axb list --json | "$PY" -c 'import json,sys; print(" ".join(e["prefix"] for e in json.load(sys.stdin)))')" \
	"10.0.0.0/8 2001:db8::/32"
cd "$TOP" || exit 1

# ---- add / del ----

axb load -q "$DROP" >/dev/null
N=$(wc -l <"$T/drop.norm")
G=$(gen)
run axb add 192.0.2.0/24 198.51.100.7 2001:db8:bad::/48
check "add three prefixes" "$RC -eq 0"
check "add: '3 added, 0 removed, $N kept'" "\$(grep -c ': 3 added, 0 removed, $N kept$' $T/out) -eq 1"
equal "add: generation bumped" "$(gen)" "$((G + 1))"
run axb check --json 198.51.100.7
equal "add: the new host entry is active" "$(jget "$T/out" "d['entry']")" 198.51.100.7/32
run axb add 192.0.2.99/24
check "add with host bits: accepted" "$RC -eq 0"
has_err "192.0.2.99/24 has host bits set, using 192.0.2.0/24"
check "add with host bits: warns" "$? -eq 0"
check "add of an existing prefix: unchanged" "\$(grep -c '^unchanged' $T/out) -eq 1"
snap
run axb del 203.0.113.0/24
check "del of an absent prefix fails" "$RC -ne 0"
has_err "203.0.113.0/24 is not on the blocklist; nothing changed"
check "del absent: says so" "$? -eq 0"
unchanged "del absent: list unchanged"
run axb del 192.0.2.0/24 203.0.113.0/24
check "del of one present and one absent prefix fails" "$RC -ne 0"
unchanged "del present+absent: nothing removed"
run axb add 192.0.2.0/24 300.1.1.1
check "add with one invalid prefix: exit 2" "$RC -eq 2"
has_err "'300.1.1.1': invalid address"
check "add invalid: names it" "$? -eq 0"
unchanged "add invalid: nothing added"
run axb del 192.0.2.0/24 2001:db8:bad::/48
check "del two present prefixes" "$RC -eq 0"
check "del: '0 added, 2 removed'" "\$(grep -c ': 0 added, 2 removed, $((N + 1)) kept$' $T/out) -eq 1"
run axb check --json 192.0.2.1
equal "del: the removed prefix no longer blocks" "$(jget "$T/out" "d['blocked']")" False
run axb add
check "add without a prefix: exit 2" "$RC -eq 2"

# ---- check: the most specific entry wins ----

printf '10.0.0.0/8\n10.1.0.0/16\n10.1.2.3\n2001:db8::/32\n2001:db8:1::/48\n2001:db8:1::5\n' >"$T/nested.txt"
axb load -q "$T/nested.txt" >/dev/null
for c in "10.1.2.3 10.1.2.3/32" "10.1.9.9 10.1.0.0/16" "10.9.9.9 10.0.0.0/8" "11.0.0.1 -" \
	"2001:db8:1::5 2001:db8:1::5/128" "2001:db8:1::6 2001:db8:1::/48" \
	"2001:db8:2::1 2001:db8::/32" "2001:db9::1 -"; do
	read -r addr want <<<"$c"
	run axb check --json "$addr"
	got=$(jget "$T/out" "d['entry'] if d['blocked'] else '-'")
	equal "check $addr -> $want (exit $RC)" "$got $RC" "$want 0"
done
run axb check 10.1.9.9
check "check (text): 'blocked by 10.1.0.0/16'" "\$(grep -c '^10.1.9.9 is blocked by 10.1.0.0/16 (0 packets, 0 bytes dropped)' $T/out) -eq 1"
run axb check 11.0.0.1
check "check (text): 'not blocked', exit 0" "$RC -eq 0 && \$(grep -c '^11.0.0.1 is not blocked' $T/out) -eq 1"
for a in 10.1.2.0/24 2001:db8::/64; do
	run axb check "$a"
	check "check of a prefix ($a) fails with exit 2" "$RC -eq 2"
	has_err "expected a single address, not a prefix"
	check "check $a: says an address is expected" "$? -eq 0"
done
run axb check foo
check "check foo: exit 2, invalid address" "$RC -eq 2 && \$(grep -c 'invalid address' $T/err) -eq 1"
run axb check
check "check without ADDR: exit 2" "$RC -eq 2"
run axb check 1.1.1.1 2.2.2.2
check "check with two ADDRs: exit 2" "$RC -eq 2"

# ---- allowlist ----

run axb allow 10.1.2.3 2001:db8:1::/64
check "allow two prefixes" "$RC -eq 0"
check "allow: prints what was allowlisted" \
	"\$(grep -c '^allowlisted: 10.1.2.3/32' $T/out) -eq 1 && \$(grep -c '^allowlisted: 2001:db8:1::/64' $T/out) -eq 1"
run axb check --json 10.1.2.3
equal "check: blocked, not dropped, allowed_by" \
	"$(jget "$T/out" "'%s %s %s' % (d['blocked'], d['dropped'], d.get('allowed_by'))")" "True False 10.1.2.3/32"
run axb check --json 2001:db8:1::5
equal "check IPv6: allowed by the /64" "$(jget "$T/out" "'%s %s' % (d['dropped'], d.get('allowed_by'))")" "False 2001:db8:1::/64"
run axb check --json 10.1.2.4
equal "check: a neighbour is still dropped" "$(jget "$T/out" "'%s %s' % (d['dropped'], d.get('allowed_by'))")" "True None"
run axb allow --list
equal "allow --list" "$(cat "$T/out")" $'10.1.2.3/32\n2001:db8:1::/64'
run axb allow --list --json
ok "allow --list --json is valid JSON" "$PY" -m json.tool "$T/out"
equal "allow --list --json" "$(jget "$T/out" "d")" "['10.1.2.3/32', '2001:db8:1::/64']"
equal "status: allowlist sizes" "$(ax status --json | "$PY" -c 'import json,sys; a=json.load(sys.stdin)["allowlist"]; print(a["ipv4"], a["ipv6"])')" "1 1"
run axb allow --del 10.1.2.3
check "allow --del" "$RC -eq 0 && \$(grep -c '^removed from allowlist: 10.1.2.3/32' $T/out) -eq 1"
run axb check --json 10.1.2.3
equal "after allow --del: dropped again" "$(jget "$T/out" "d['dropped']")" True
run axb allow --del 10.1.2.3
check "allow --del of an absent prefix fails" "$RC -ne 0 && \$(grep -c 'not on the allowlist' $T/err) -eq 1"
run axb allow 10.1.2.300
check "allow of an invalid prefix: exit 2" "$RC -eq 2"
run axb allow
check "allow without a prefix: exit 2" "$RC -eq 2"
run axb allow --list 10.0.0.0/8
check "allow --list with a prefix: exit 2" "$RC -eq 2"
run axb allow 11.0.0.0/8
run axb check 11.0.0.1
check "check: not blocked (and is allowlisted)" "\$(grep -c 'not blocked (and is allowlisted)' $T/out) -eq 1"
equal "allow --list after the changes" "$(axb allow --list --json)" '["11.0.0.0/8","2001:db8:1::/64"]'
run axb allow --del 11.0.0.0/8 12.0.0.0/8 2001:db8:1::/64
check "allow --del with one absent prefix fails" "$RC -ne 0 && \$(grep -c '12.0.0.0/8 is not on the allowlist' $T/err) -eq 1"
equal "allow --del with one absent prefix: nothing removed" "$(axb allow --list --json)" '["11.0.0.0/8","2001:db8:1::/64"]'

# ---- flush ----

G=$(gen)
run axb flush
check "flush" "$RC -eq 0"
check "flush: '0 entries ... 6 removed'" "\$(grep -c '^0 entries .*: 0 added, 6 removed, 0 kept$' $T/out) -eq 1"
equal "flush: generation bumped" "$(gen)" "$((G + 1))"
equal "flush: list --json is []" "$(axb list --json)" "[]"
equal "flush: status entries 0" "$(ax status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["blocklist"]["entries"])')" 0
equal "flush: the allowlist stays" "$(axb allow --list --json)" '["11.0.0.0/8","2001:db8:1::/64"]'
run axb check --json 10.1.2.3
equal "flush: nothing blocked" "$(jget "$T/out" "d['blocked']")" False
run axb flush
check "flush of an empty list: unchanged, same generation" "$RC -eq 0 && \$(grep -c '^unchanged' $T/out) -eq 1 && \$(gen) -eq $((G + 1))"
run axb flush now
check "flush with an argument: exit 2" "$RC -eq 2"
axb allow --del 11.0.0.0/8 2001:db8:1::/64 >/dev/null

# ---- top ----

axb load -q "$IPSUM" "$DROP6" >/dev/null
run axb top -n 3
check "top -n 3: header + 3 lines" "$RC -eq 0 && \$(wc -l <$T/out) -eq 4 && \$(head -1 $T/out | grep -c PREFIX) -eq 1"
run axb top -n 3 --json
equal "top -n 3 --json: 3 entries" "$(jget "$T/out" "len(d)")" 3
run axb top --json
equal "top --json: 10 entries by default" "$(jget "$T/out" "len(d)")" 10
run axb top -n 0 --json
equal "top -n 0 --json: []" "$(cat "$T/out")" "[]"
run axb top -n 1000000 --json
equal "top -n larger than the list: every entry" "$(jget "$T/out" "len(d)")" "$((N_IPSUM + $(wc -l <"$T/drop6.norm")))"
run axb top -n x
check "top -n x: exit 2" "$RC -eq 2"
run axb top extra
check "top with an extra argument: exit 2" "$RC -eq 2"

# ---- help, usage errors ----

for c in "" load add del list flush check top allow; do
	run axb $c --help
	check "anyxdp-block $c --help: exit 0, Usage on stdout" "$RC -eq 0 && \$(grep -c '^Usage: anyxdp-block' $T/out) -ge 1"
done
for c in "" attach detach status stats; do
	run ax $c --help
	check "anyxdp $c --help: exit 0, Usage on stdout" "$RC -eq 0 && \$(grep -c '^Usage: anyxdp' $T/out) -ge 1"
done
run axb -h
check "anyxdp-block -h: exit 0" "$RC -eq 0 && \$(grep -c '^Usage:' $T/out) -eq 1"
run axb help
check "anyxdp-block help: exit 0" "$RC -eq 0 && \$(grep -c '^Usage:' $T/out) -eq 1"
run axb list -h
check "anyxdp-block list -h: exit 0" "$RC -eq 0 && \$(grep -c '^Usage:' $T/out) -eq 1"
for b in axb ax; do
	run $b frobnicate
	check "$b frobnicate: exit 2, 'unknown command'" "$RC -eq 2 && \$(grep -c \"unknown command 'frobnicate'\" $T/err) -eq 1"
	run $b
	check "$b without a command: exit 2, usage" "$RC -eq 2 && \$(cat $T/out $T/err | grep -c '^Usage:') -ge 1"
done
for c in "load --bogus x" "list --bogus" "top --bogus" "check --bogus" "allow --bogus" \
	"load" "list extra"; do
	run axb $c
	check "anyxdp-block $c: exit 2 with a message" "$RC -eq 2 && -s $T/err"
done
for c in "status --bogus" "stats --bogus" "attach" "attach x --mode weird" "detach" "detach a b"; do
	run ax $c
	check "anyxdp $c: exit 2 with a message" "$RC -eq 2 && -s $T/err"
done
run ax attach --mode weird x
has_err "--mode: 'weird' is not native or skb"
check "anyxdp attach --mode weird: names the bad mode" "$? -eq 0"
for c in attach detach; do
	run ax $c anyxdp-nosuch0
	check "anyxdp $c of a missing interface: exit 1, 'no interface named'" \
		"$RC -eq 1 && \$(grep -c \"no interface named 'anyxdp-nosuch0'\" $T/err) -eq 1"
done
run axb --pin-dir
check "--pin-dir without a directory: exit 2" "$RC -eq 2 && \$(grep -c 'needs a directory' $T/err) -eq 1"
run axb -v list --json
check "global -v is accepted" "$RC -eq 0"

# ---- without root ----

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for c in "anyxdp-block list" "anyxdp-block load $DROP" "anyxdp-block check 1.2.3.4" "anyxdp status" "anyxdp stats"; do
	read -r b args <<<"$c"
	run "${NOBODY[@]}" "$BIN/$b" $args
	check "as nobody, $c: fails" "$RC -ne 0"
	has_err "needs root" || show_err
	check "as nobody, $c: says it needs root" "$? -eq 0"
done
run "${NOBODY[@]}" "$BIN"/anyxdp-block list --help
check "as nobody, --help still works" "$RC -eq 0 && \$(grep -c '^Usage:' $T/out) -eq 1"

# ---- --pin-dir and ANYXDP_PIN_DIR ----

run axb --pin-dir "$PIN_A" load -q "$DROP"
check "--pin-dir A: load drop.txt" "$RC -eq 0"
ANYXDP_PIN_DIR=$PIN_B run axb load -q "$DROP6"
check "ANYXDP_PIN_DIR=B: load dropv6.txt" "$RC -eq 0"
check "pin dir A created with mode 0700" "\$(stat -c %a $PIN_A) == 700"
check "pin dir B created with mode 0700" "\$(stat -c %a $PIN_B) == 700"
n_of() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(len(d), sum(":" in e["prefix"] for e in d))'; }
N_DROP=$(wc -l <"$T/drop.norm")
N_DROP6=$(wc -l <"$T/drop6.norm")
equal "--pin-dir A: list holds drop.txt" "$(axb --pin-dir "$PIN_A" list --json | n_of)" "$N_DROP 0"
equal "--pin-dir=A form" "$(axb --pin-dir="$PIN_A" list --json | n_of)" "$N_DROP 0"
equal "--pin-dir after the command" "$(axb list --json --pin-dir "$PIN_A" | n_of)" "$N_DROP 0"
equal "ANYXDP_PIN_DIR=B: list holds dropv6.txt" "$(ANYXDP_PIN_DIR=$PIN_B axb list --json | n_of)" "$N_DROP6 $N_DROP6"
equal "--pin-dir wins over ANYXDP_PIN_DIR" "$(ANYXDP_PIN_DIR=$PIN_B axb --pin-dir "$PIN_A" list --json | n_of)" "$N_DROP 0"
equal "the default test pin dir still holds its own list" "$(axb list --json | n_of)" \
	"$((N_IPSUM + N_DROP6)) $N_DROP6"
equal "anyxdp status --json reports pin dir A" \
	"$(ax --pin-dir "$PIN_A" status --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["pin_dir"], d["blocklist"]["entries"])')" "$PIN_A $N_DROP"
run axb --pin-dir /tmp/anyxdp-not-bpffs-$$ load "$DROP"
check "a pin dir outside bpffs is refused" "$RC -ne 0 && \$(grep -c 'not on a bpf filesystem' $T/err) -eq 1"
check "... and not created" "! -e /tmp/anyxdp-not-bpffs-$$"
run axb --pin-dir "$PIN-none" list
check "--pin-dir with no maps: list fails, names the dir" "$RC -ne 0 && \$(grep -c 'no anyxdp maps in $PIN-none' $T/err) -eq 1"

# ---- status --json, stats --json ----

ax status --json >"$T/status.json"
ok "status --json is valid JSON" "$PY" -m json.tool "$T/status.json"
equal "status --json fields" "$(jget "$T/status.json" "(sorted(d), sorted(d['blocklist']), sorted(d['allowlist']), d['interfaces'], d['pin_dir'])")" \
	"(['allowlist', 'blocklist', 'interfaces', 'pin_dir', 'steering', 'sync', 'tunnels'], ['active_slot', 'cidrs', 'entries', 'generation', 'hosts', 'ipv4', 'ipv6', 'loaded'], ['ipv4', 'ipv6'], [], '$PIN')"
equal "status --json counts" "$(jget "$T/status.json" "'%(entries)d %(ipv4)d %(ipv6)d %(hosts)d %(cidrs)d' % d['blocklist']")" \
	"$((N_IPSUM + N_DROP6)) $N_IPSUM $N_DROP6 $N_IPSUM $N_DROP6"
check "status --json: load time is an ISO 8601 UTC time" \
	"\$(jget $T/status.json \"d['blocklist']['loaded']\") =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z$"
run ax status
check "status (text): not attached anywhere" "$RC -eq 0 && \$(grep -c '^attached: *nowhere' $T/out) -eq 1"
check "status (text): the entries line" "\$(grep -c \"^entries: *$((N_IPSUM + N_DROP6)) (IPv4 $N_IPSUM, IPv6 $N_DROP6;\" $T/out) -eq 1"
ax stats --json >"$T/stats.json"
ok "stats --json is valid JSON" "$PY" -m json.tool "$T/stats.json"
REASONS=$(sed -n 's/.*\[R_[A-Z_]*\] = "\([a-z_]*\)".*/\1/p' "$TOP/include/anyxdp.h" | paste -sd' ')
equal "stats --json: every reason of include/anyxdp.h, in order" "$(jget "$T/stats.json" "' '.join(d['reasons'])")" "$REASONS"
equal "stats --json: verdicts pass, drop, steer, tx, forward" "$(jget "$T/stats.json" "sorted(d['verdicts'])")" "['drop', 'forward', 'pass', 'steer', 'tx']"
equal "stats --json: all counters zero (never attached)" \
	"$(jget "$T/stats.json" "sum(v['packets'] + v['bytes'] for v in list(d['reasons'].values()) + list(d['verdicts'].values()))")" 0
run ax stats
check "stats (text): a line per reason" "$RC -eq 0 && \$(grep -cE '^  [a-z_]+ ' $T/out) -eq $(wc -w <<<"$REASONS")"

done_testing
