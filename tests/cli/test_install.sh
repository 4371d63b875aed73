#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install into a temporary DESTDIR, then everything from there: the
# file list and modes, the installed binaries (a list loaded into a private
# pin dir; attach from an installed config's 'uplink' line to a veth in a
# private netns), `systemd-analyze verify` on every unit (it must print
# nothing; a deliberately broken copy must not pass), each unit's command
# line run under setpriv with exactly its CapabilityBoundingSet (it works,
# and fails with any one of those capabilities taken away), the download
# drop-in and the cron line against a local HTTP server (a 404 or an empty
# file stops the chain and leaves the active list's generation alone), the
# man pages through `man --warnings`, bash completion, make uninstall.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

require_root "BPF maps, network namespaces, setpriv"
export LC_ALL=C

scratch axin	# PIN, NS, T (tests/lib.sh)
D=$T/dest
P=/usr/local
SB=$D$P/sbin
UNITS=$D$P/lib/systemd/system
DOC=$D$P/share/doc/anyxdp
HTTP_PID=
BG_PID=

on_exit() {
	local p
	for p in $HTTP_PID $BG_PID; do kill "$p" 2>/dev/null; done
}

ns_enter_cmd	# IN (tests/lib.sh)
ax() { "${IN[@]}" "$SB"/anyxdp "$@"; }	# the installed one
gen() { "$SB"/anyxdp status --json >"$T/st.json" 2>/dev/null && jget "$T/st.json" "d['blocklist']['generation']"; }

# ---- make install ----
run make -C "$TOP" --no-print-directory install DESTDIR="$D" PREFIX=$P BUILD="$BIN" NOBUILD=1
check "make install: exit 0" "$RC -eq 0"
check "make install: quiet, one line, no compiling" "\$(wc -l <$T/out) -eq 1 && \$(grep -c INSTALL $T/out) -eq 1"
# Without NOBUILD it may build, but only into BUILD.
make -C "$TOP" -n install DESTDIR="$D" PREFIX=$P BUILD="$BIN" >"$T/dry" 2>&1
check "make -n install BUILD=X: nothing goes to build/ but X" \
	"\"$BIN\" == \"$TOP/build\" || \$(grep -cE '(^| |-o )build/' $T/dry) -eq 0"

cat >"$T/want" <<EOF
644 usr/local/lib/systemd/system/anyxdp-block-refresh.service
644 usr/local/lib/systemd/system/anyxdp-block-refresh.timer
644 usr/local/lib/systemd/system/anyxdp-exporter.service
644 usr/local/lib/systemd/system/anyxdp-sync.service
644 usr/local/lib/systemd/system/anyxdp.service
644 usr/local/share/bash-completion/completions/anyxdp
644 usr/local/share/bash-completion/completions/anyxdp-block
644 usr/local/share/doc/anyxdp/anyxdp.conf.example
644 usr/local/share/doc/anyxdp/cron.anyxdp-block
644 usr/local/share/doc/anyxdp/default-block.example
644 usr/local/share/doc/anyxdp/default.example
644 usr/local/share/doc/anyxdp/download.conf.example
644 usr/local/share/man/man8/anyxdp-block.8
644 usr/local/share/man/man8/anyxdp.8
755 usr/local/sbin/anyxdp
755 usr/local/sbin/anyxdp-block
EOF
for m in "$TOP"/docs/*.5; do [[ -e $m ]] && echo "644 usr/local/share/man/man5/${m##*/}"; done >>"$T/want"
find "$D" -type f -printf '%m %P\n' | sort >"$T/got"
sort -o "$T/want" "$T/want"
equal "installed files and modes" "$(diff "$T/want" "$T/got" | tr '\n' ' ')" ""
check "nothing outside PREFIX in DESTDIR" "\$(find $D -mindepth 1 -maxdepth 2 | grep -vc '^$D/usr\(/local\)\?$') -eq 0"
check "no @PLACEHOLDER@ left in units and docs" "\$(cat $UNITS/* $DOC/* | grep -c '@[A-Z]*@') -eq 0"
check "units name the installed binaries" "\$(grep -h '^Exec' $UNITS/*.service | grep -c $P/sbin/anyxdp) -ge 5"

# ---- the installed binaries ----
for b in anyxdp anyxdp-block; do
	run "$SB/$b" --help
	check "installed $b --help: exit 0, usage" "$RC -eq 0 && \$(grep -c 'Usage: $b' $T/out) -eq 1"
done
run "$SB"/anyxdp-block load -q "$TOP"/tests/data/drop.txt "$TOP"/tests/data/dropv6.txt
check "installed anyxdp-block load into the private pin dir" "$RC -eq 0 && -e $PIN/bl_ctl"
G0=$(gen)
check "status: generation 1 after one load" "'$G0' == 1"

# ---- systemd-analyze verify: paths made to point into DESTDIR ----
V=$T/verify
mkdir -p "$V"
for u in "$UNITS"/*; do sed "s|$P/sbin/|$SB/|g" "$u" >"$V/${u##*/}"; done
for u in "$V"/*; do
	out=$(systemd-analyze verify --man=no "$u" 2>&1)
	rc=$?
	check "systemd-analyze verify ${u##*/}: exit 0, no output" "$rc -eq 0 && -z \"\$out\""
done
# A broken copy must not pass the same check, or the check proves nothing.
broke() {	# NAME SED: verify a copy of anyxdp.service changed by SED
	sed "$2" "$V/anyxdp.service" >"$T/$1.service"
	out=$(systemd-analyze verify --man=no "$T/$1.service" 2>&1)
	rc=$?
	check "verify fails on a broken unit ($1)" "$rc -ne 0 || -n \"\$out\""
}
broke badexec "s|^ExecStart=$SB/anyxdp|ExecStart=$T/nonexistent/anyxdp|"
broke badvalue 's|^ProtectSystem=strict|ProtectSystem=strictest|'
broke badkey 's|^NoNewPrivileges=yes|NoNewPrivilege=yes|'
# verify does not look at ExecStartPre: check the drop-in's commands exist.
while read -r c _; do
	check "download drop-in: $c exists" "-x \"${c/#$P\/sbin/$SB}\""
done < <(sed -n 's/^ExecStartPre=[-@+!]*//p' "$DOC"/download.conf.example)

# ---- units' command lines under setpriv, with exactly their capabilities ----
# unit_var UNIT KEY: the values of KEY= (last one wins for the caller)
unit_var() { sed -n "s/^$2=//p" "$UNITS/$1"; }
# bset UNIT [DROP]: setpriv's bounding set from CapabilityBoundingSet, less DROP
bset() {
	local c s=-all
	for c in $(unit_var "$1" CapabilityBoundingSet); do
		[[ $c == "${2:-}" ]] || s+=",+$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")"
	done
	echo "$s"
}
# ucmd UNIT KEY [DROP]: run the unit's KEY (ExecStart...) in the netns, with
# the environment its Environment= lines give (ENV_* overrides), under
# setpriv with the unit's capabilities less DROP; output in $T/out, $T/err.
ucmd() {
	local unit=$1 key=$2 drop=${3:-} line e
	line=$(unit_var "$unit" "$key" | head -1)
	line=${line#[-@+!]}
	line=${line//$P\/sbin/$SB}
	(
		set +u	# an unset $VAR is an empty one, as for systemd
		while read -r e; do [[ -n $e ]] && export "${e?}"; done < <(unit_var "$unit" Environment)
		for e in "${!ENV_@}"; do export "${e#ENV_}=${!e}"; done
		eval "set -- $line"
		echo "$BASHPID" >"$T/bg.pid"
		exec "${IN[@]}" setpriv --bounding-set "$(bset "$unit" "$drop")" --inh-caps -all -- "$@"
	) >"$T/out" 2>"$T/err"
	RC=$?
}
# ucmd_bg ARGS: ucmd in the background; BG_PID is the command itself.
ucmd_bg() {
	local i
	rm -f "$T/bg.pid"
	ucmd "$@" &
	for ((i = 0; i < 100; i++)); do [[ -s $T/bg.pid ]] && break; sleep 0.02; done
	BG_PID=$(cat "$T/bg.pid")
}
stop_bg() {
	kill "$BG_PID" 2>/dev/null
	wait 2>/dev/null
	BG_PID=
}

ip netns add "$NS"
nsip link set lo up
nsip link add up0 type veth peer name p-up0
nsip link add wg-a type veth peer name p-wg-a
for i in up0 p-up0 wg-a p-wg-a; do nsip link set "$i" up; done
cat >"$T/anyxdp.conf" <<EOF
# installed as the unit's config file
uplink up0 mode native
tunnels wg-*
prefix 198.51.100.0/24
route 198.51.100.0/25 dev wg-a via 192.0.2.1
EOF
export ENV_ANYXDP_CONFIG=$T/anyxdp.conf
run "$SB"/anyxdp config check "$T/anyxdp.conf"
check "config check reports the uplink and tunnels lines" \
	"$RC -eq 0 && \$(grep -c ', uplink up0, tunnels wg-\*\$' $T/out) -eq 1"
printf 'uplink up0\nuplink up1 mode skb\n' >"$T/two.conf"
run "$SB"/anyxdp attach --config "$T/two.conf"
check "attach with two uplink lines: exit 1, FILE:LINE" \
	"$RC -eq 1 && \$(grep -c 'two.conf:2: uplink set twice' $T/err) -eq 1"
attached() {	# IFACE: attached per status --json, with the TC program
	ax status --json >"$T/a.json" 2>/dev/null &&
		jget "$T/a.json" "[i['mode'] for i in d['interfaces'] if i['ifname'] == '$1' and i['attached'] and i['tc_attached']]"
}

equal "anyxdp.service: CapabilityBoundingSet" "$(unit_var anyxdp.service CapabilityBoundingSet)" "CAP_NET_ADMIN CAP_SYS_ADMIN"
for drop in $(unit_var anyxdp.service CapabilityBoundingSet); do
	ucmd anyxdp.service ExecStart "$drop"
	check "anyxdp.service ExecStart without $drop: fails, nothing attached" "$RC -ne 0 && \"\$(attached up0)\" == '[]'"
done
ucmd anyxdp.service ExecStart
check "anyxdp.service ExecStart (attach from the config's uplink): exit 0" "$RC -eq 0"
equal "status --json: up0 attached in native mode, with TC" "$(attached up0)" "['native']"
ax tunnel list --json >"$T/t.json" 2>/dev/null
equal "the config's tunnels line: wg-a got the return path" \
	"$(jget "$T/t.json" "[t['ifname'] for t in d['tunnels'] if t['attached']]")" "['wg-a']"
ucmd anyxdp.service ExecStop CAP_NET_ADMIN
check "anyxdp.service ExecStop without CAP_NET_ADMIN: fails, still attached" "$RC -ne 0 && \"\$(attached up0)\" == \"['native']\""
# Detaching identifies nothing by id: CAP_NET_ADMIN is all it takes.
ucmd anyxdp.service ExecStop CAP_SYS_ADMIN
check "anyxdp.service ExecStop (detach --all): exit 0, up0 detached" "$RC -eq 0 && \"\$(attached up0)\" == '[]'"
ucmd anyxdp.service ExecStop
check "ExecStop again: exit 0 (nothing to detach)" "$RC -eq 0"
run ax attach --config "$T/anyxdp.conf"
check "attach with no IFACE from the installed binary: exit 0" "$RC -eq 0 && \"\$(attached up0)\" == \"['native']\""
run ax detach --config "$T/anyxdp.conf"
check "detach with no IFACE: the config's uplink" "$RC -eq 0 && \"\$(attached up0)\" == '[]'"
printf 'prefix 198.51.100.0/24\n' >"$T/nouplink.conf"
run ax attach --config "$T/nouplink.conf"
check "attach, no IFACE, no uplink line: exit 2, says so" "$RC -eq 2 && \$(grep -c \"has no 'uplink' line\" $T/err) -eq 1"
run ax attach --no-config
check "attach, no IFACE, --no-config: exit 2" "$RC -eq 2 && \$(grep -c 'no IFACE given' $T/err) -eq 1"
ucmd anyxdp.service ExecStart
check "attached again for the other units" "$RC -eq 0"

# anyxdp-sync.service: CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON to load and
# attach the tunnel program on tunnels that appear while it runs (CAP_BPF
# is also what kernels before 6.5 want for the maps). No CAP_SYS_ADMIN.
equal "anyxdp-sync.service: CapabilityBoundingSet" "$(unit_var anyxdp-sync.service CapabilityBoundingSet)" "CAP_BPF CAP_NET_ADMIN CAP_PERFMON"
export ENV_ANYXDP_SYNC_OPTS="--netlink --once"
ucmd anyxdp-sync.service ExecStart
check "anyxdp-sync.service ExecStart (--once), without CAP_SYS_ADMIN: exit 0" "$RC -eq 0"
tun_attached() {
	ax tunnel list --json >"$T/t.json" 2>/dev/null &&
		jget "$T/t.json" "[t['ifname'] for t in d['tunnels'] if t['attached'] and t['ifname'] == '$1']"
}
sync_new_tunnel() {	# DROP NAME: run the sync, add tunnel NAME, wait for it
	local i
	export ENV_ANYXDP_SYNC_OPTS="--netlink"
	ucmd_bg anyxdp-sync.service ExecStart "$1"
	sleep 0.5
	nsip link add "$2" type veth peer name "p-$2"
	nsip link set "$2" up
	for ((i = 0; i < 30; i++)); do
		[[ $(tun_attached "$2") == "['$2']" ]] && break
		sleep 0.1
	done
	stop_bg
}
sync_new_tunnel "" wg-b
equal "anyxdp-sync.service: a new tunnel gets the return path" "$(tun_attached wg-b)" "['wg-b']"
sync_new_tunnel CAP_NET_ADMIN wg-c
equal "anyxdp-sync.service without CAP_NET_ADMIN: the new tunnel does not" "$(tun_attached wg-c)" "[]"
sync_new_tunnel CAP_PERFMON wg-d
equal "anyxdp-sync.service without CAP_PERFMON: the new tunnel does not" "$(tun_attached wg-d)" "[]"
sync_new_tunnel CAP_BPF wg-e
equal "anyxdp-sync.service without CAP_BPF: the new tunnel does not" "$(tun_attached wg-e)" "[]"
unset ENV_ANYXDP_SYNC_OPTS

# anyxdp-exporter.service: reads the maps only.
# CAP_BPF is for kernels before 6.5; later ones let the pins' owner read
# them with no capability, so nothing fails without it here.
equal "anyxdp-exporter.service: CapabilityBoundingSet" "$(unit_var anyxdp-exporter.service CapabilityBoundingSet)" "CAP_BPF"
PORT=$((20000 + $$ % 20000))
scrape() {	# DROP: anyxdp_up and the source lists from a scrape of the unit's exporter
	local i v=
	export ENV_ANYXDP_EXPORTER_LISTEN=127.0.0.1:$PORT
	ucmd_bg anyxdp-exporter.service ExecStart "$1"
	for ((i = 0; i < 30; i++)); do
		sleep 0.1
		"${IN[@]}" curl -fsS --max-time 2 "http://127.0.0.1:$PORT/metrics" >"$T/m.txt" 2>/dev/null &&
			v=$(sed -n 's/^anyxdp_up //p' "$T/m.txt")
		[[ -n $v ]] && break
	done
	stop_bg
	echo "${v:-none} $(grep -c '^anyxdp_blocklist_source_entries{' "$T/m.txt" 2>/dev/null)"
}
# The per-list sums read the live list's counter hashes from their
# pins, not by map id (which would take CAP_SYS_ADMIN).
equal "anyxdp-exporter.service: anyxdp_up 1, the source lists there" "$(scrape "")" "1 2"

# anyxdp-block-refresh.service: loads ANYXDP_BLOCK_LISTS (a glob).
mkdir -p "$T/lib" "$T/www"
cp "$TOP"/tests/data/drop.txt "$T/lib/a.txt"
printf '192.0.2.99\n' >"$T/lib/b.txt"
export ENV_ANYXDP_BLOCK_LISTS="$T/lib/*.txt"
equal "anyxdp-block-refresh.service: CapabilityBoundingSet" "$(unit_var anyxdp-block-refresh.service CapabilityBoundingSet)" "CAP_BPF"
G1=$(gen)
ucmd anyxdp-block-refresh.service ExecStart CAP_BPF
check "refresh without CAP_BPF: fails, generation stays" "$RC -ne 0 && \"\$(gen)\" == '$G1'"
N=$("$SB"/anyxdp-block load --dry-run "$T"/lib/*.txt 2>/dev/null | sed -n 's/^dry run: \([0-9]*\) entries.*/\1/p')
ucmd anyxdp-block-refresh.service ExecStart
ax status --json >"$T/st.json"
check "refresh: both files of the glob loaded ($N entries, generation +1)" \
	"$RC -eq 0 && \"\$(gen)\" == $((G1 + 1)) && \$(jget $T/st.json \"d['blocklist']['entries']\") -eq ${N:-0} && ${N:-0} -gt 1"
check "timer: daily, Persistent, RandomizedDelaySec" \
	"\"\$(unit_var anyxdp-block-refresh.timer OnCalendar)/\$(unit_var anyxdp-block-refresh.timer Persistent)\" == daily/true && -n \"\$(unit_var anyxdp-block-refresh.timer RandomizedDelaySec)\""

# ---- the download drop-in and the cron line, against a local server ----
HPORT=$((40000 + $$ % 20000))
printf '# ipsum\n203.0.113.5\t4\n203.0.113.6\t2\n' >"$T/www/ipsum.txt"
: >"$T/www/empty.txt"
(cd "$T/www" && exec "$PY" -m http.server --bind 127.0.0.1 "$HPORT") >/dev/null 2>&1 &
HTTP_PID=$!
for ((i = 0; i < 50; i++)); do curl -fs -o /dev/null "http://127.0.0.1:$HPORT/ipsum.txt" && break; sleep 0.1; done
cp "$TOP"/tests/data/drop.txt "$T/lib/ipsum.txt"
rm -f "$T/lib/a.txt" "$T/lib/b.txt"
# chain URL: the drop-in's ExecStartPre lines (/var/lib/anyxdp moved to
# $T/lib), then the unit's ExecStart; stops at the first failure like
# systemd. Prints how many steps ran.
chain() {
	local line n=0
	export ENV_ANYXDP_IPSUM_URL=$1 ENV_ANYXDP_BLOCK_LISTS="$T/lib/*.txt"
	while read -r line; do
		n=$((n + 1))
		line=${line//\/var\/lib\/anyxdp/$T/lib}
		line=${line//$P\/sbin/$SB}
		(export ANYXDP_IPSUM_URL=$1; eval "set -- ${line#[-@+!]}"; exec "$@") >/dev/null 2>&1 ||
			{ echo "$n"; return; }
	done < <(sed -n 's/^ExecStartPre=//p' "$DOC"/download.conf.example)
	ucmd anyxdp-block-refresh.service ExecStart
	echo "$((n + 1)):$RC"
}
G2=$(gen)
SUM=$(md5sum <"$T/lib/ipsum.txt")
equal "download: 404 stops the chain at curl" "$(chain "http://127.0.0.1:$HPORT/missing.txt")" 1
check "download: after the 404, the list file and generation are unchanged" \
	"\"\$(md5sum <$T/lib/ipsum.txt)\" == \"$SUM\" && \"\$(gen)\" == '$G2'"
equal "download: closed port stops the chain at curl" "$(chain "http://127.0.0.1:1/ipsum.txt")" 1
equal "download: an empty file stops the chain at the check" "$(chain "http://127.0.0.1:$HPORT/empty.txt")" 2
check "download: after the empty file, list file and generation unchanged" \
	"\"\$(md5sum <$T/lib/ipsum.txt)\" == \"$SUM\" && \"\$(gen)\" == '$G2'"
equal "download: a good URL runs every step and loads" "$(chain "http://127.0.0.1:$HPORT/ipsum.txt")" 4:0
ax status --json >"$T/st.json"
check "download: generation +1, the downloaded list is active (2 entries)" \
	"\"\$(gen)\" == $((G2 + 1)) && \$(jget $T/st.json \"d['blocklist']['entries']\") -eq 2"
check "download: no temporary file left" "! -e $T/lib/ipsum.txt.tmp"

cronrun() {	# URL: the installed cron line's command, with L in $T/lib
	local cmd
	cmd=$(grep -E '^[0-9]' "$DOC"/cron.anyxdp-block | head -1 | cut -d' ' -f7-)
	(PATH=$SB:$PATH URL=$1 L=$T/lib/ipsum.txt; export URL L; sh -c "$cmd") >/dev/null 2>&1
}
cp "$TOP"/tests/data/drop.txt "$T/lib/ipsum.txt"
"$SB"/anyxdp-block load -q "$T/lib/ipsum.txt" >/dev/null	# so a good run changes the list
G3=$(gen)
not_ok "cron line: 404 fails" cronrun "http://127.0.0.1:$HPORT/missing.txt"
check "cron line: after the 404, list file and generation unchanged" \
	"\"\$(md5sum <$T/lib/ipsum.txt)\" == \"$SUM\" && \"\$(gen)\" == '$G3'"
ok "cron line: a good URL loads" cronrun "http://127.0.0.1:$HPORT/ipsum.txt"
check "cron line: generation +1" "\"\$(gen)\" == $((G3 + 1))"
ucmd anyxdp.service ExecStop

# ---- man pages ----
for m in "$D$P"/share/man/man*/*; do
	out=$(man --warnings -l -Tutf8 "$m" 2>&1 >/dev/null)
	equal "man --warnings ${m##*/}: no warnings" "$out" ""
done
check "anyxdp(8) has a SYSTEMD section naming the units" \
	"\$(man -l -Tutf8 $D$P/share/man/man8/anyxdp.8 2>/dev/null | col -b | grep -cE '^SYSTEMD|anyxdp-sync.service') -ge 2"
check "anyxdp-block(8) documents the timer and the cron line" \
	"\$(man -l -Tutf8 $D$P/share/man/man8/anyxdp-block.8 2>/dev/null | col -b | grep -cE 'anyxdp-block-refresh.timer|cron') -ge 2"

# ---- bash completion ----
cat >"$T/comp.sh" <<EOF
source "$D$P/share/bash-completion/completions/anyxdp"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _anyxdp; echo "\${COMPREPLY[*]}"; }
complete -p anyxdp
complete -p anyxdp-block
c "$SB/anyxdp" at
c "$SB/anyxdp" attach --mo
c "$SB/anyxdp" attach --mode ""
c "$SB/anyxdp" -v --pin-dir /x route ""
c "$SB/anyxdp" route add 10.0.0.0/8 dev l
c "$SB/anyxdp-block" lo
c "$SB/anyxdp-block" load --format n
c "$SB/anyxdp-block" load "$TOP/tests/data/drop"
c "$SB/anyxdp" config check "$TOP/docs/anyxdp.conf.ex"
c "$SB/anyxdp" detach --
EOF
mapfile -t C < <(bash "$T/comp.sh" 2>&1)
equal "completion: complete -p anyxdp" "${C[0]-}" "complete -F _anyxdp anyxdp"
equal "completion: complete -p anyxdp-block" "${C[1]-}" "complete -F _anyxdp anyxdp-block"
equal "completion: commands" "${C[2]-}" "attach"
equal "completion: attach options" "${C[3]-}" "--mode"
equal "completion: --mode values" "${C[4]-}" "native skb"
equal "completion: route subcommands after global options" "${C[5]-}" "add del list refresh"
equal "completion: an interface after dev" "${C[6]-}" "lo"
equal "completion: anyxdp-block commands" "${C[7]-}" "load"
equal "completion: --format values" "${C[8]-}" "netset"
equal "completion: files for load" "$(tr ' ' '\n' <<<"${C[9]-}" | sort | tr '\n' ' ')" "$TOP/tests/data/drop.txt $TOP/tests/data/dropv6.txt "
equal "completion: files for config check" "${C[10]-}" "$TOP/docs/anyxdp.conf.example"
equal "completion: detach options" "${C[11]-}" "--all --config"

# ---- uninstall ----
run make -C "$TOP" --no-print-directory uninstall DESTDIR="$D" PREFIX=$P BUILD="$BIN"
check "make uninstall: exit 0, no file left" "$RC -eq 0 && \$(find $D -type f | wc -l) -eq 0"

done_testing
