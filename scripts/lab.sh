#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A network-namespace lab for anyxdp steering: a client, "the Internet",
# two PoPs and a site joined by WireGuard (wireguard-go) tunnels.
#
#   client --- inet ---[up0] popa ==as/sa== site (198.51.100.1, 2001:db8:100::1)
#                 \             \\ab/ba       //
#                  `---[up0] popb ==bs/sb====//
#
#   scripts/lab.sh up [--name P]        build the lab (replacing one of that name)
#   scripts/lab.sh down [--name P]      remove everything, even if half built
#   scripts/lab.sh status [--name P]    namespaces, tunnel handshakes, services
#   scripts/lab.sh env [--name P]       shell variables describing the lab
#   scripts/lab.sh move popa|popb       route the anycast prefixes (at inet) to that PoP
#   scripts/lab.sh tunnel IFNAME        (re)create one tunnel end, same keys and addresses
#   scripts/lab.sh exec NS CMD...       run CMD in namespace NS (client inet popa popb site)
#   scripts/lab.sh link IFNAME down|up  set one tunnel end down or up; up puts back
#                                       its link-local address and the site's routes
#                                       through it, which the kernel drops on down
#   scripts/lab.sh routing up babeld|bird   Babel daemons in site, popa, popb (over
#                                       the tunnels); the site announces the anycast
#                                       prefixes, the PoPs install what they learn
#   scripts/lab.sh routing down         stop them, remove the routes they installed
#   scripts/lab.sh routing status       which daemon runs where, the PoPs' Babel routes
#   scripts/lab.sh routing wait PREFIX NS [--proto babel|bird] [--dev IF] [--absent]
#                  [--timeout S]        wait (default 30 s) until NS has a route for
#                                       PREFIX (or none, --absent); prints the ms waited
#
# Names: namespaces P-client, P-inet, P-popa, P-popb, P-site (P = --name,
# default $AXLAB_NAME or axlab, up to 12 characters). Tunnel P-XY lives in
# namespace X and leads to Y (a = popa, b = popb, s = site); its name is
# unique across namespaces because wireguard-go's control socket
# (/var/run/wireguard/NAME.sock) is not namespaced. Tunnel MTU 1420
# (wireguard-go's default, uplink 1500 - 80: room for the IPv6 underlay).
# The PoPs' forward chains drop everything arriving on up0, so only anyxdp
# carries the client's packets inward. inet's ends of the uplinks carry an
# XDP_PASS program, so anyxdp's XDP_TX answers (ICMP too-big) are delivered. State (keys, pids, logs, env) is in
# /run/anyxdp-lab/P; per-PoP pin dirs are /sys/fs/bpf/P-popa and P-popb.
# Needs root.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

NAME=${AXLAB_NAME:-axlab}
ARGS=()
while (($#)); do
	case $1 in
	--name) NAME=${2:-}; shift 2 || shift ;;
	--name=*) NAME=${1#--name=}; shift ;;
	*) ARGS+=("$1"); shift ;;
	esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"

die() {
	echo "lab: $*" >&2
	exit 1
}
usage() { sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

[[ $NAME =~ ^[a-z][a-z0-9]{0,11}$ ]] ||
	die "bad --name '$NAME': 1 to 12 lower-case letters and digits, starting with a letter (tunnel names must fit in 15 characters)"

NSS=(client inet popa popb site)
STATE=/run/anyxdp-lab/$NAME
PIN_A=/sys/fs/bpf/$NAME-popa
PIN_B=/sys/fs/bpf/$NAME-popb
WG_RUN=/var/run/wireguard
UP=up0
TUN_MTU=1420
ECHO_PORT=7
WHODIS_PORT=80
ANY4=198.51.100.0/24 ANY6=2001:db8:100::/48
SITE4=198.51.100.1 SITE6=2001:db8:100::1
CLIENT4=203.0.113.10 CLIENT6=2001:db8:c::10
INET_C4=203.0.113.1 INET_C6=2001:db8:c::1
# uplinks: PoP side, inet side
A_UP4=192.0.2.1 A_UP6=2001:db8:a0::1 A_INET4=192.0.2.2 A_INET6=2001:db8:a0::2
B_UP4=192.0.2.5 B_UP6=2001:db8:b0::1 B_INET4=192.0.2.6 B_INET6=2001:db8:b0::2

ns() { echo "$NAME-$1"; }
# in NS CMD...: run CMD in the lab namespace NS (nsenter keeps /sys/fs/bpf)
inns() {
	local n=$1
	shift
	nsenter --net=/run/netns/"$NAME-$n" "$@"
}

# Tunnel ends: suffix -> "ns peer-suffix peer-underlay-addr peer-port listen-port link-local peer-link-local"
declare -A TUN=(
	[as]="popa sa 10.10.1.2 51002 51001 fe80::a:1 fe80::a:2"
	[sa]="site as 10.10.1.1 51001 51002 fe80::a:2 fe80::a:1"
	[bs]="popb sb 10.10.2.2 51004 51003 fe80::b:1 fe80::b:2"
	[sb]="site bs 10.10.2.1 51003 51004 fe80::b:2 fe80::b:1"
	[ab]="popa ba 10.10.3.2 51006 51005 fe80::ab:1 fe80::ab:2"
	[ba]="popb ab 10.10.3.1 51005 51006 fe80::ab:2 fe80::ab:1"
)
TUN_ORDER=(as sa bs sb ab ba)

# A few real blocklisted sources the client can send from: the first three
# IPsum addresses and the first address of the first Spamhaus DROPv6 prefix.
blocked_v4() { grep -v '^#' tests/data/ipsum.txt | awk 'NF { print $1 }' | head -3 | tr '\n' ' ' | sed 's/ $//'; }
blocked_v6() {
	local p
	p=$(grep -vE '^[[:space:]]*(;|$)' tests/data/dropv6.txt | head -1 | awk '{ print $1 }')
	python3 -c 'import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1]).network_address + 1)' "$p"
}

# ---- down ----

# A zombie counts as gone: whoever adopted it reaps it when it likes.
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[[ -n $st && $st != Z* ]]
}

# kill_pid PID: end one lab process (TERM, then KILL after 2 s).
kill_pid() {
	local pid=$1 i
	alive "$pid" || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		alive "$pid" || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
}

# kill_pidfile FILE: end the process a lab pid file names, if it is still
# one of ours (wireguard-go or the python services), and remove the file.
kill_pidfile() {
	local pid
	[[ -f $1 ]] || return 0
	pid=$(cat "$1" 2>/dev/null)
	[[ $pid =~ ^[0-9]+$ && $(ps -o comm= -p "$pid") == @(wireguard-go|python3) ]] &&
		kill_pid "$pid"
	rm -f "$1"
}

lab_down() {
	local n f d pid
	routing_down
	if [[ -x $TOP/build/anyxdp ]]; then
		for n in popa popb; do
			[[ -e /run/netns/$NAME-$n && -d /sys/fs/bpf/$NAME-$n ]] || continue
			timeout 10 nsenter --net=/run/netns/"$NAME-$n" "$TOP/build/anyxdp" \
				--pin-dir "/sys/fs/bpf/$NAME-$n" detach "$UP" >/dev/null 2>&1
		done
	fi
	# Our own pid files first, then whatever else still runs inside the
	# namespaces (a test's tcpdump, a forgotten shell): a process left in a
	# namespace keeps it, and its tunnels, alive after `ip netns del`.
	for f in "$STATE"/*.pid; do
		kill_pidfile "$f"
	done
	for n in "${NSS[@]}"; do
		[[ -e /run/netns/$NAME-$n ]] || continue
		for pid in $(ip netns pids "$NAME-$n" 2>/dev/null); do
			kill_pid "$pid"
		done
		ip netns del "$NAME-$n" 2>/dev/null
	done
	for n in "${TUN_ORDER[@]}"; do
		rm -f "$WG_RUN/$NAME-$n.sock"
	done
	rm -f "/sys/fs/bpf/$NAME-xdp_pass"
	for d in "$PIN_A" "$PIN_B"; do
		[[ -d $d ]] || continue
		rm -rf "$d" 2>/dev/null
	done
	rm -rf "$STATE"
	for n in "${NSS[@]}"; do
		[[ -e /run/netns/$NAME-$n ]] && return 1
	done
	[[ ! -e $STATE && ! -e $PIN_A && ! -e $PIN_B ]]
}

# ---- up ----

mk_ns() {
	local n=$1
	ip netns add "$NAME-$n"
	ip -n "$NAME-$n" link set lo up
	# Set before any interface exists: new interfaces copy `default`.
	# No reverse-path filter: anycast and the tunnels make paths asymmetric.
	inns "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

router() {
	inns "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# veth NS1 IF1 NS2 IF2
veth() {
	ip link add "$2" netns "$NAME-$1" type veth peer name "$4" netns "$NAME-$3"
	ip -n "$NAME-$1" link set "$2" up
	ip -n "$NAME-$3" link set "$4" up
}

addr() {
	if [[ $2 == *:* ]]; then
		ip -n "$NAME-$1" addr add "$2" dev "$3" nodad
	else
		ip -n "$NAME-$1" addr add "$2" dev "$3"
	fi
}

# Only anyxdp may carry traffic from the uplink inward; replies from the
# tunnels are forwarded by the kernel as usual.
pop_nft() {
	inns "$1" nft -f - <<EOF
table inet anyxdp_lab {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "$UP" counter drop comment "only anyxdp steers uplink traffic"
	}
}
EOF
}

# wire IF: an XDP program on inet's end of an uplink veth, so the veth
# takes the frames anyxdp sends back with XDP_TX (a veth only accepts
# XDP_TX/redirected frames when its peer runs XDP). Checksum offload stays
# on: TCP from the client then arrives with a partial checksum, which the
# MSS clamp on the tunnel path (in TC) must handle.
# (bpftool, not `ip link set xdp obj`: iproute2 would leave its own
# directories in /sys/fs/bpf.)
wire() {
	local pin=/sys/fs/bpf/$NAME-xdp_pass
	rm -f "$pin"
	bpftool prog load "$STATE/xdp_pass.o" "$pin" type xdp
	inns inet bpftool net attach xdpdrv pinned "$pin" dev "$1"
	rm -f "$pin"
}

# wg_start SUFFIX: start wireguard-go for one tunnel end and configure it.
wg_start() {
	local s=$1 ifn=$NAME-$1 i n peer ep eport lport ll pll
	read -r n peer ep eport lport ll pll <<<"${TUN[$s]}"
	rm -f "$WG_RUN/$ifn.sock"
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 LOG_LEVEL=error \
		nsenter --net=/run/netns/"$NAME-$n" setsid wireguard-go -f "$ifn" \
		>>"$STATE/wg-$s.log" 2>&1 </dev/null &
	echo $! >"$STATE/wg-$s.pid"
	for ((i = 0; i < 50; i++)); do
		[[ -S $WG_RUN/$ifn.sock ]] && break
		sleep 0.1
	done
	[[ -S $WG_RUN/$ifn.sock ]] || { echo "wireguard-go $ifn did not start (see $STATE/wg-$s.log)" >&2; return 1; }
	inns "$n" wg set "$ifn" listen-port "$lport" private-key "$STATE/$s.key" \
		peer "$(cat "$STATE/$peer.pub")" endpoint "$ep:$eport" \
		allowed-ips 0.0.0.0/0,::/0 persistent-keepalive 25 || return 1
	# only the fixed link-local address, no autoconfigured second one: a
	# Babel speaker's source address (the next hop its neighbours install)
	# must not depend on which of two the kernel picks
	ip -n "$NAME-$n" link set "$ifn" addrgenmode none || return 1
	ip -n "$NAME-$n" link set "$ifn" mtu "$TUN_MTU" up || return 1
	addr "$n" "$ll/64" "$ifn"
}

# handshake_age SUFFIX: seconds since the last handshake, or "never".
handshake_age() {
	local s=$1 t
	read -r n _ <<<"${TUN[$s]}"
	t=$(inns "$n" wg show "$NAME-$s" latest-handshakes 2>/dev/null | awk '{ print $2 }')
	if [[ -z $t || $t == 0 ]]; then echo never; else echo $(($(date +%s) - t)); fi
}

# wait_handshake SUFFIX...: up to 5 s for all of them.
wait_handshake() {
	local s i missing
	for ((i = 0; i < 50; i++)); do
		missing=
		for s in "$@"; do
			[[ $(handshake_age "$s") == never ]] && missing+=" $NAME-$s"
		done
		[[ -z $missing ]] && return 0
		# traffic makes wireguard-go start a handshake at once
		for s in $missing; do
			read -r n _ _ _ _ _ pll <<<"${TUN[${s#"$NAME-"}]}"
			inns "$n" ping -c1 -W1 -w1 "$pll%$s" >/dev/null 2>&1 &
		done
		sleep 0.1
	done
	wait
	echo "no WireGuard handshake within 5 s on:$missing" >&2
	return 1
}

# site_routes sa|sb: the site's default routes through that tunnel end
# (through popa preferred). `replace`: also puts them back after the tunnel
# end was down or re-created, which removes them.
site_routes() {
	case $1 in
	sa)
		ip -n "$NAME-site" route replace default dev "$NAME-sa" metric 10 &&
			ip -n "$NAME-site" -6 route replace default via fe80::a:1 dev "$NAME-sa" metric 10
		;;
	sb)
		ip -n "$NAME-site" route replace default dev "$NAME-sb" metric 20 &&
			ip -n "$NAME-site" -6 route replace default via fe80::b:1 dev "$NAME-sb" metric 20
		;;
	esac
}

start_services() {
	local i
	rm -f "$STATE/site.pid"
	inns site setsid python3 "$TOP/tests/lab/site_services.py" \
		--tunnel "$NAME-sa=popa" --tunnel "$NAME-sb=popb" \
		--addr "$SITE4" --addr "$SITE6" --echo-port "$ECHO_PORT" --whodis-port "$WHODIS_PORT" \
		--pidfile "$STATE/site.pid" --log "$STATE/site.log" \
		>>"$STATE/site.err" 2>&1 </dev/null &
	for ((i = 0; i < 50; i++)); do
		[[ -s $STATE/site.pid ]] && return 0
		sleep 0.1
	done
	echo "site services did not start: $(tail -3 "$STATE/site.err")" >&2
	return 1
}

write_env() {
	cat >"$STATE/env" <<EOF
# scripts/lab.sh env --name $NAME: eval "\$(scripts/lab.sh env --name $NAME)"
LAB_NAME=$NAME
LAB_STATE=$STATE
LAB_NS_CLIENT=$NAME-client
LAB_NS_INET=$NAME-inet
LAB_NS_POPA=$NAME-popa
LAB_NS_POPB=$NAME-popb
LAB_NS_SITE=$NAME-site
LAB_UPLINK=$UP
LAB_UPLINK_MTU=1500
LAB_TUN_MTU=$TUN_MTU
LAB_PIN_POPA=$PIN_A
LAB_PIN_POPB=$PIN_B
LAB_TUN_POPA_SITE=$NAME-as
LAB_TUN_SITE_POPA=$NAME-sa
LAB_TUN_POPB_SITE=$NAME-bs
LAB_TUN_SITE_POPB=$NAME-sb
LAB_TUN_POPA_POPB=$NAME-ab
LAB_TUN_POPB_POPA=$NAME-ba
LAB_LL_POPA_SITE=fe80::a:1
LAB_LL_SITE_POPA=fe80::a:2
LAB_LL_POPB_SITE=fe80::b:1
LAB_LL_SITE_POPB=fe80::b:2
LAB_LL_POPA_POPB=fe80::ab:1
LAB_LL_POPB_POPA=fe80::ab:2
LAB_ANYCAST_V4=$ANY4
LAB_ANYCAST_V6=$ANY6
LAB_SITE_V4=$SITE4
LAB_SITE_V6=$SITE6
LAB_CLIENT_V4=$CLIENT4
LAB_CLIENT_V6=$CLIENT6
LAB_BLOCKED_V4="$(blocked_v4)"
LAB_BLOCKED_V6="$(blocked_v6)"
LAB_ECHO_PORT=$ECHO_PORT
LAB_WHODIS_PORT=$WHODIS_PORT
LAB_PROBE=$TOP/tests/lab/probe.py
EOF
}

# The whole build; runs under set -e in a subshell (see lab_up).
build() {
	local s a
	mkdir -p "$STATE"
	chmod 700 "$STATE"
	clang -O2 --target=bpf -I"/usr/include/$(gcc -dumpmachine)" \
		-c tests/lab/xdp_pass.bpf.c -o "$STATE/xdp_pass.o"
	for s in "${TUN_ORDER[@]}"; do
		(umask 077 && wg genkey >"$STATE/$s.key")
		wg pubkey <"$STATE/$s.key" >"$STATE/$s.pub"
	done
	for s in "${NSS[@]}"; do mk_ns "$s"; done
	router inet
	router popa
	router popb

	# client <-> inet, and the client's blocklisted extra sources
	veth client c0 inet cl0
	addr client "$CLIENT4/24" c0
	addr client "$CLIENT6/64" c0
	addr inet "$INET_C4/24" cl0
	addr inet "$INET_C6/64" cl0
	ip -n "$NAME-client" route add default via "$INET_C4"
	ip -n "$NAME-client" -6 route add default via "$INET_C6"
	for a in $(blocked_v4); do
		addr client "$a/32" c0
		ip -n "$NAME-inet" route add "$a/32" via "$CLIENT4"
	done
	a=$(blocked_v6)
	addr client "$a/128" c0
	ip -n "$NAME-inet" -6 route add "$a/128" via "$CLIENT6"

	# uplinks: inet <-> each PoP
	veth inet pa0 popa "$UP"
	veth inet pb0 popb "$UP"
	addr popa "$A_UP4/30" "$UP"
	addr popa "$A_UP6/64" "$UP"
	addr inet "$A_INET4/30" pa0
	addr inet "$A_INET6/64" pa0
	addr popb "$B_UP4/30" "$UP"
	addr popb "$B_UP6/64" "$UP"
	addr inet "$B_INET4/30" pb0
	addr inet "$B_INET6/64" pb0
	ip -n "$NAME-popa" route add default via "$A_INET4"
	ip -n "$NAME-popa" -6 route add default via "$A_INET6"
	ip -n "$NAME-popb" route add default via "$B_INET4"
	ip -n "$NAME-popb" -6 route add default via "$B_INET6"
	ip -n "$NAME-inet" route add "$ANY4" via "$A_UP4"
	ip -n "$NAME-inet" -6 route add "$ANY6" via "$A_UP6"
	pop_nft popa
	pop_nft popb
	wire pa0
	wire pb0

	# the tunnels' underlay: private /30s on their own veths
	veth popa u-site site u-popa
	addr popa 10.10.1.1/30 u-site
	addr site 10.10.1.2/30 u-popa
	veth popb u-site site u-popb
	addr popb 10.10.2.1/30 u-site
	addr site 10.10.2.2/30 u-popb
	veth popa u-popb popb u-popa
	addr popa 10.10.3.1/30 u-popb
	addr popb 10.10.3.2/30 u-popa

	for s in "${TUN_ORDER[@]}"; do wg_start "$s"; done
	wait_handshake as bs ab

	# the site: service addresses; replies go back through popa unless a
	# socket is bound to the popb tunnel (the whodis/echo sockets are)
	addr site "$SITE4/32" lo
	addr site "$SITE6/128" lo
	site_routes sa
	site_routes sb
	start_services
	write_env
}

lab_up() {
	local rc
	for t in ip nsenter nft wg wireguard-go python3 setsid ethtool clang gcc bpftool; do
		command -v "$t" >/dev/null || die "'$t' is missing (scripts/deps.sh installs it)"
	done
	[[ -r tests/data/ipsum.txt && -r tests/data/dropv6.txt ]] || die "tests/data/ipsum.txt or dropv6.txt missing"
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	lab_down || die "cannot remove the previous lab '$NAME'"
	(
		set -eE
		trap 'echo "lab: up failed at: $BASH_COMMAND" >&2' ERR
		build
	)
	rc=$?
	if ((rc)); then
		tail -n 3 "$STATE"/wg-*.log "$STATE"/site.err 2>/dev/null | sed 's/^/lab:   /' >&2
		lab_down
		die "could not build the lab '$NAME' (removed what was built)"
	fi
	echo "lab '$NAME' is up: namespaces ${NSS[*]/#/$NAME-}"
	echo "  anycast $ANY4 $ANY6 -> popa; site $SITE4 $SITE6 (echo udp/$ECHO_PORT, whodis tcp/$WHODIS_PORT)"
	echo "  tunnels: popa->site $NAME-as, popb->site $NAME-bs, popa->popb $NAME-ab (MTU $TUN_MTU)"
	echo "  pin dirs: $PIN_A $PIN_B;  variables: scripts/lab.sh env --name $NAME"
}

# ---- other commands ----

need_lab() { [[ -e /run/netns/$NAME-inet && -r $STATE/env ]] || die "lab '$NAME' is not up (scripts/lab.sh up --name $NAME)"; }

lab_status() {
	local n s age pid d r
	printf 'lab %s\n' "$NAME"
	for n in "${NSS[@]}"; do
		if [[ -e /run/netns/$NAME-$n ]]; then
			printf '  netns %-16s up   %s\n' "$NAME-$n" "$(ip -n "$NAME-$n" -br link | awk '$1 != "lo" { sub(/@.*/, "", $1); printf "%s:%s ", $1, $2 }')"
		else
			printf '  netns %-16s MISSING\n' "$NAME-$n"
		fi
	done
	for s in "${TUN_ORDER[@]}"; do
		read -r n peer _ <<<"${TUN[$s]}"
		[[ -e /run/netns/$NAME-$n ]] || continue
		if ! ip -n "$NAME-$n" link show "$NAME-$s" >/dev/null 2>&1; then
			printf '  tunnel %-12s %s -> %-5s GONE\n' "$NAME-$s" "$n" "${TUN[$peer]%% *}"
			continue
		fi
		age=$(handshake_age "$s")
		[[ $age != never ]] && age="${age}s ago"
		printf '  tunnel %-12s %s -> %-5s handshake %s\n' "$NAME-$s" "$n" "${TUN[$peer]%% *}" "$age"
	done
	pid=$(cat "$STATE/site.pid" 2>/dev/null)
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		echo "  site services: running (pid $pid; log $STATE/site.log)"
	else
		echo "  site services: NOT running"
	fi
	if [[ -e /run/netns/$NAME-inet ]]; then
		echo "  anycast at inet: $(ip -n "$NAME-inet" route show "$ANY4" | head -1);" \
			"$(ip -n "$NAME-inet" -6 route show "$ANY6" | head -1 | awk '{ print $1, $2, $3 }')"
	fi
	d=
	for n in "${RT_NSS[@]}"; do
		r=$(rt_running "$n") && d+=" $n=$r"
	done
	echo "  routing:${d:- no Babel daemons}${d:+ (lab.sh routing status)}"
	for n in popa popb; do
		[[ -e /run/netns/$NAME-$n ]] || continue
		if ip -n "$NAME-$n" link show "$UP" 2>/dev/null | grep -q 'prog/xdp'; then
			echo "  $n $UP: XDP attached (pin dir /sys/fs/bpf/$NAME-$n)"
		else
			echo "  $n $UP: no XDP program"
		fi
	done
}

lab_move() {
	local pop=${1:-} v4 v6
	case $pop in
	popa) v4=$A_UP4 v6=$A_UP6 ;;
	popb) v4=$B_UP4 v6=$B_UP6 ;;
	*) die "usage: lab.sh move popa|popb" ;;
	esac
	need_lab
	ip -n "$NAME-inet" route replace "$ANY4" via "$v4" &&
		ip -n "$NAME-inet" -6 route replace "$ANY6" via "$v6" ||
		die "cannot change the anycast routes in $NAME-inet"
	echo "anycast $ANY4 $ANY6 now routed to $pop"
}

lab_tunnel() {
	local ifn=${1:-} s
	s=${ifn#"$NAME-"}
	[[ -n $ifn && $s != "$ifn" && -n ${TUN[$s]:-} ]] ||
		die "usage: lab.sh tunnel IFNAME, one of: ${TUN_ORDER[*]/#/$NAME-}"
	need_lab
	read -r n _ <<<"${TUN[$s]}"
	if ip -n "$NAME-$n" link show "$ifn" >/dev/null 2>&1; then
		ip -n "$NAME-$n" link del "$ifn" || die "cannot delete $ifn in $NAME-$n"
	fi
	kill_pidfile "$STATE/wg-$s.pid"
	wg_start "$s" || die "cannot start tunnel $ifn"
	site_routes "$s" || die "cannot put back the site's routes through $ifn"
	if [[ $(rt_running "$n") == bird ]]; then
		rt_addr4 add "$s" || die "cannot put back the IPv4 link address of $ifn"
	fi
	wait_handshake "$s" || die "tunnel $ifn has no handshake"
	echo "tunnel $ifn (in $NAME-$n) recreated, ifindex $(ip -n "$NAME-$n" -j link show "$ifn" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')"
}

# link IFNAME down|up: one tunnel end down or up. Down makes the kernel drop
# the end's IPv6 addresses and the routes through it; up puts back its fixed
# link-local address (before the link comes up, so that a Babel speaker has
# its address at once) and, for the site's ends, the site's default routes.
lab_link() {
	local ifn=${1:-} st=${2:-} s n ll
	s=${ifn#"$NAME-"}
	[[ -n $ifn && $s != "$ifn" && -n ${TUN[$s]:-} && $st == @(up|down) ]] ||
		die "usage: lab.sh link IFNAME down|up, IFNAME one of: ${TUN_ORDER[*]/#/$NAME-}"
	need_lab
	read -r n _ _ _ _ ll _ <<<"${TUN[$s]}"
	if [[ $st == down ]]; then
		ip -n "$NAME-$n" link set "$ifn" down || die "cannot set $ifn down in $NAME-$n"
	else
		ip -n "$NAME-$n" addr replace "$ll/64" dev "$ifn" nodad &&
			ip -n "$NAME-$n" link set "$ifn" up &&
			site_routes "$s" || die "cannot set $ifn up in $NAME-$n"
	fi
	echo "$ifn (in $NAME-$n) $st"
}

# ---- routing: Babel daemons (babeld or BIRD) on the tunnels ----
#
# One daemon per namespace: site (on sa, sb), popa (as, ab), popb (bs, ba).
# The site announces the anycast prefixes; the PoPs announce nothing of
# their own, pass on what they learn and install it in table main (proto
# babel, or proto bird). Hello every second on the tunnels, interfaces of
# type wired (no RTT cost: a loaded machine must not change the metrics), so
# the direct tunnel PoP->site costs 96 and the detour via the other PoP 192,
# and a cut tunnel is noticed after two (babeld) or three (BIRD) missed
# hellos. Files: $STATE/{babeld,bird}-NS.{conf,pid,log}, babeld-NS.state;
# babeld's read-only local interface is TCP [::1]:33123 in NS and the unix
# socket babeld-NS.sock (a socat relay to the port); BIRD's control socket
# is bird-NS.ctl (birdc -s).

RT_NSS=(site popa popb)
declare -A RT_IFS=([site]="sa sb" [popa]="as ab" [popb]="bs ba")
RT_BABELD_PORT=33123
RT_HELLO=1
# BIRD 2.0.12's Babel cannot announce IPv4 routes with an IPv6 next hop
# (RFC 9229 came later; babeld sends v4-via-v6), so for BIRD each tunnel end
# gets an IPv4 link-local address, /32 with its peer's (a connected route
# to the next hop: without one BIRD's routes are `onlink`, and a FIB lookup
# of the next hop, as anyxdp does for a global `via`, leaves by the uplink).
# routing down removes them.
declare -A RT_NH4=([as]=169.254.10.1 [sa]=169.254.10.2 [bs]=169.254.11.1 [sb]=169.254.11.2
	[ab]=169.254.171.1 [ba]=169.254.171.2)
declare -A RT_ID=([popa]=10.255.0.1 [popb]=10.255.0.2 [site]=10.255.0.3)

# rt_running NS: "babeld" or "bird" if that daemon runs in NS (per its pid file)
rt_running() {
	local d pid
	for d in babeld bird; do
		pid=$(cat "$STATE/$d-$1.pid" 2>/dev/null)
		[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [[ $(ps -o comm= -p "$pid") == "$d" ]] &&
			{ echo "$d"; return 0; }
	done
	return 1
}

# rt_stop_pid PID: TERM, up to 5 s, then KILL (and up to 1 s more)
rt_stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
}

routing_down() {
	local n d f pid fam s
	for n in "${RT_NSS[@]}"; do
		for d in babeld bird; do
			f=$STATE/$d-$n.pid
			pid=$(cat "$f" 2>/dev/null)
			[[ $pid =~ ^[0-9]+$ && $(ps -o comm= -p "$pid" 2>/dev/null) == "$d" ]] && rt_stop_pid "$pid"
			rm -f "$f" "$STATE/$d-$n.sock" "$STATE/$d-$n.ctl"
		done
		pid=$(cat "$STATE/socat-$n.pid" 2>/dev/null)
		[[ $pid =~ ^[0-9]+$ && $(ps -o comm= -p "$pid" 2>/dev/null) == socat ]] && kill_pid "$pid"
		rm -f "$STATE/socat-$n.pid"
		[[ -e /run/netns/$NAME-$n ]] || continue
		# a daemon whose pid file was lost: the lab's namespaces are ours
		for pid in $(ip netns pids "$NAME-$n" 2>/dev/null); do
			[[ $(ps -o comm= -p "$pid" 2>/dev/null) == @(babeld|bird) ]] && rt_stop_pid "$pid"
		done
		for fam in -4 -6; do
			ip -n "$NAME-$n" "$fam" route flush proto babel 2>/dev/null
			ip -n "$NAME-$n" "$fam" route flush proto bird 2>/dev/null
		done
	done
	# (removing a device's last IPv4 address removes the IPv4 routes through
	# it: put back the site's)
	for s in "${TUN_ORDER[@]}"; do rt_addr4 del "$s"; done
	for s in sa sb; do
		[[ -n $(ip -n "$NAME-site" link show "$NAME-$s" up 2>/dev/null) ]] && site_routes "$s" 2>/dev/null
	done
	if [[ -e /run/netns/$NAME-site ]]; then
		ip -n "$NAME-site" route del blackhole "$ANY4" proto static 2>/dev/null
		ip -n "$NAME-site" -6 route del blackhole "$ANY6" proto static 2>/dev/null
	fi
	return 0
}

# rt_addr4 add|del SUFFIX: the IPv4 link address of a tunnel end (for BIRD)
rt_addr4() {
	local s=$2 n peer
	read -r n peer _ <<<"${TUN[$s]}"
	[[ -e /run/netns/$NAME-$n ]] || return 0
	if [[ $1 == add ]]; then
		[[ -n $(ip -n "$NAME-$n" addr show dev "$NAME-$s" to "${RT_NH4[$s]}/32" 2>/dev/null) ]] && return 0
		ip -n "$NAME-$n" addr add "${RT_NH4[$s]}/32" peer "${RT_NH4[$peer]}/32" dev "$NAME-$s"
	else
		[[ -n $(ip -n "$NAME-$n" addr show dev "$NAME-$s" to "${RT_NH4[$s]}/32" 2>/dev/null) ]] || return 0
		ip -n "$NAME-$n" addr del "${RT_NH4[$s]}/32" peer "${RT_NH4[$peer]}/32" dev "$NAME-$s" 2>/dev/null
		return 0
	fi
}

babeld_conf() {
	local n=$1
	cat <<EOC
# scripts/lab.sh routing up babeld: $NAME-$n
# read-only local interface on TCP [::1]:$RT_BABELD_PORT of $NAME-$n. babeld has one
# local server, a port or a path (the last one given wins); lab.sh relays
# $STATE/babeld-$n.sock to the port with socat.
local-port $RT_BABELD_PORT
# a new router-id each start: a restarted babeld is not held back by the
# seqnos its previous self left in its neighbours (no MAC to derive one from
# on the tunnels anyway)
random-id true
# the lab sets forwarding and rp_filter itself; leave the site's sysctls alone
skip-kernel-setup true
default type wired hello-interval $RT_HELLO
# no metric smoothing: with the default half-life (4 s) a tunnel that comes
# back takes ~30 s to win again (its smoothed metric decays from 65535)
smoothing-half-life 0
EOC
	[[ $n == site ]] && cat <<EOC
redistribute proto 4 ip $ANY4 allow
redistribute proto 4 ip $ANY6 allow
EOC
	cat <<EOC
redistribute local deny
redistribute deny
EOC
}

bird_conf() {
	local n=$1 s
	cat <<EOC
# scripts/lab.sh routing up bird: $NAME-$n
log "$STATE/bird-$n.log" all;
router id ${RT_ID[$n]};
protocol device { scan time 10; }
# the Babel routes (and the site's own prefixes) into table main, proto bird
protocol kernel kernel4 {
	ipv4 { import none; export where source ~ [ RTS_BABEL, RTS_STATIC ]; };
	learn off;
}
protocol kernel kernel6 {
	ipv6 { import none; export where source ~ [ RTS_BABEL, RTS_STATIC ]; };
	learn off;
}
EOC
	[[ $n == site ]] && cat <<EOC
protocol static anycast4 { ipv4; route $ANY4 blackhole; }
protocol static anycast6 { ipv6; route $ANY6 blackhole; }
EOC
	cat <<EOC
protocol babel {
	ipv4 { import all; export where source ~ [ RTS_BABEL, RTS_STATIC ]; };
	ipv6 { import all; export where source ~ [ RTS_BABEL, RTS_STATIC ]; };
EOC
	# limit 14: down after the third missed hello (BIRD's default, 12 of the
	# last 16, would take five). next hop ipv4: the end's address (the
	# default, but BIRD would drop the IPv4 routes if it went missing)
	for s in ${RT_IFS[$n]}; do
		echo "	interface \"$NAME-$s\" { type wired; hello interval $RT_HELLO s; limit 14; next hop ipv4 ${RT_NH4[$s]}; };"
	done
	echo "}"
}

# rt_start DAEMON NS: start it and wait (5 s) until it answers
rt_start() {
	local d=$1 n=$2 i pid ifs=()
	local conf=$STATE/$d-$n.conf pidf=$STATE/$d-$n.pid log=$STATE/$d-$n.log
	for i in ${RT_IFS[$n]}; do ifs+=("$NAME-$i"); done
	rm -f "$pidf"
	if [[ $d == babeld ]]; then
		babeld_conf "$n" >"$conf"
		rm -f "$STATE/babeld-$n.sock"
		inns "$n" babeld -D -I "$pidf" -S "$STATE/babeld-$n.state" -c "$conf" -L "$log" \
			"${ifs[@]}" </dev/null >>"$log.err" 2>&1 || { echo "babeld in $NAME-$n did not start: $(tail -3 "$log.err")" >&2; return 1; }
		# the unix socket: socat relays each connection to the TCP port
		nsenter --net=/run/netns/"$NAME-$n" setsid socat UNIX-LISTEN:"$STATE/babeld-$n.sock",fork,unlink-early,mode=600 \
			"TCP6:[::1]:$RT_BABELD_PORT" </dev/null >>"$log.err" 2>&1 &
		echo $! >"$STATE/socat-$n.pid"
		for ((i = 0; i < 50; i++)); do
			pid=$(cat "$pidf" 2>/dev/null)
			[[ -n $pid && -S $STATE/babeld-$n.sock ]] && alive "$pid" &&
				inns "$n" socat -u OPEN:/dev/null "TCP6:[::1]:$RT_BABELD_PORT" 2>/dev/null && return 0
			sleep 0.1
		done
	else
		bird_conf "$n" >"$conf"
		rm -f "$STATE/bird-$n.ctl"
		inns "$n" bird -c "$conf" -s "$STATE/bird-$n.ctl" -P "$pidf" </dev/null >>"$log" 2>&1 ||
			{ echo "bird in $NAME-$n did not start: $(tail -3 "$log")" >&2; return 1; }
		for ((i = 0; i < 50; i++)); do
			pid=$(cat "$pidf" 2>/dev/null)
			[[ -n $pid ]] && alive "$pid" && birdc -s "$STATE/bird-$n.ctl" show status >/dev/null 2>&1 && return 0
			sleep 0.1
		done
	fi
	echo "$d in $NAME-$n does not answer (see $log)" >&2
	return 1
}

routing_up() {
	local d=${1:-} n s
	[[ $d == @(babeld|bird) ]] || die "usage: lab.sh routing up babeld|bird"
	command -v "$d" >/dev/null || die "'$d' is missing (scripts/deps.sh installs it)"
	[[ $d == bird ]] && { command -v birdc >/dev/null || die "'birdc' is missing (scripts/deps.sh installs bird2)"; }
	need_lab
	routing_down
	if [[ $d == babeld ]]; then
		# what the site redistributes (proto static); also keeps the site from
		# sending the anycast prefixes' other addresses back to a PoP
		ip -n "$NAME-site" route replace blackhole "$ANY4" proto static &&
			ip -n "$NAME-site" -6 route replace blackhole "$ANY6" proto static ||
			die "cannot add the site's blackhole routes"
	else
		for s in "${TUN_ORDER[@]}"; do
			rt_addr4 add "$s" || { routing_down; die "cannot add the IPv4 link address of $NAME-$s"; }
		done
	fi
	for n in "${RT_NSS[@]}"; do
		rt_start "$d" "$n" || { routing_down; die "routing up $d failed (stopped what had started)"; }
	done
	echo "$d runs in ${RT_NSS[*]/#/$NAME-} (hello ${RT_HELLO}s); routes: lab.sh routing status --name $NAME"
}

routing_status() {
	local n d fam r
	need_lab
	for n in "${RT_NSS[@]}"; do
		if d=$(rt_running "$n"); then
			printf '%-6s %s (pid %s) on %s\n' "$n" "$d" "$(cat "$STATE/$d-$n.pid")" "$(for s in ${RT_IFS[$n]}; do printf '%s ' "$NAME-$s"; done)"
		else
			printf '%-6s no Babel daemon\n' "$n"
		fi
		for fam in -4 -6; do
			for r in babel bird; do
				ip -n "$NAME-$n" "$fam" route show proto "$r" | sed "s/^/         /"
			done
		done
	done
	if [[ $(rt_running site) == babeld ]]; then
		echo "babeld's local interface: lab.sh exec NS socat - TCP6:[::1]:$RT_BABELD_PORT  (or UNIX-CONNECT:$STATE/babeld-NS.sock); send 'dump'"
	elif [[ $(rt_running site) == bird ]]; then
		echo "BIRD: birdc -s $STATE/bird-NS.ctl show babel entries"
	fi
}

# routing wait PREFIX NS [--proto P] [--dev IF] [--absent] [--timeout S]
routing_wait() {
	local pfx='' n='' proto='' dev='' absent='' timeout=30 fam=-4 sel t0 now out tmo what
	while (($#)); do
		case $1 in
		--proto) proto=${2:-}; shift 2 || shift ;;
		--dev) dev=${2:-}; shift 2 || shift ;;
		--timeout) timeout=${2:-}; shift 2 || shift ;;
		--absent) absent=1; shift ;;
		-*) die "routing wait: unknown option '$1'" ;;
		*)
			if [[ -z $pfx ]]; then pfx=$1; elif [[ -z $n ]]; then n=$1; else die "routing wait: extra argument '$1'"; fi
			shift
			;;
		esac
	done
	[[ -n $pfx && -n $n ]] || die "usage: lab.sh routing wait PREFIX NS [--proto babel|bird] [--dev IF] [--absent] [--timeout S]"
	[[ " ${NSS[*]} " == *" $n "* ]] || die "routing wait: NS is one of: ${NSS[*]}"
	[[ $timeout =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "routing wait: bad --timeout '$timeout'"
	[[ -e /run/netns/$NAME-$n ]] || die "namespace $NAME-$n does not exist (lab.sh up --name $NAME)"
	tmo=$(awk -v t="$timeout" 'BEGIN { printf "%d", t * 1000 }')
	[[ $pfx == *:* ]] && fam=-6
	sel=(exact "$pfx")
	[[ -n $proto ]] && sel+=(proto "$proto")
	[[ -n $dev ]] && sel+=(dev "$dev")
	t0=$(date +%s%N)
	while :; do
		# (with --dev, a missing device is an error: no route through it)
		out=$(ip -n "$NAME-$n" "$fam" route show "${sel[@]}" 2>/dev/null)
		now=$(date +%s%N)
		if [[ -n $absent && -z $out || -z $absent && -n $out ]]; then
			echo $(((now - t0) / 1000000))
			return 0
		fi
		if (((now - t0) / 1000000 >= tmo)); then
			if [[ -n $absent ]]; then what="still a route"; else what="no route"; fi
			echo "lab: routing wait: after ${timeout}s $NAME-$n has $what for $pfx${proto:+ proto $proto}${dev:+ dev $dev}; its routes for $pfx:" >&2
			ip -n "$NAME-$n" "$fam" route show exact "$pfx" 2>&1 | sed 's/^/lab:   /' >&2
			return 1
		fi
		sleep 0.1
	done
}

lab_routing() {
	local sub=${1:-}
	shift || true
	case $sub in
	up) routing_up "$@" ;;
	down)
		routing_down
		echo "routing stopped in lab '$NAME'"
		;;
	status) routing_status ;;
	wait) routing_wait "$@" ;;
	*) die "usage: lab.sh routing up babeld|bird | down | status | wait PREFIX NS [--proto P] [--dev IF] [--absent] [--timeout S]" ;;
	esac
}

[[ ${1:-} == -h || ${1:-} == --help || ${1:-} == help ]] && { usage; exit 0; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, WireGuard, BPF pins): sudo $0 $*"
cmd=${1:-}
shift || true
case $cmd in
up) lab_up ;;
down)
	lab_down || die "could not remove everything of lab '$NAME'"
	echo "lab '$NAME' removed"
	;;
status) lab_status ;;
env)
	need_lab
	cat "$STATE/env"
	;;
move) lab_move "$@" ;;
tunnel) lab_tunnel "$@" ;;
link) lab_link "$@" ;;
routing) lab_routing "$@" ;;
exec)
	[[ $# -ge 2 && " ${NSS[*]} " == *" $1 "* ]] || die "usage: lab.sh exec NS CMD..., NS one of: ${NSS[*]}"
	n=$1
	shift
	[[ -e /run/netns/$NAME-$n ]] || die "namespace $NAME-$n does not exist (lab.sh up --name $NAME)"
	exec nsenter --net=/run/netns/"$NAME-$n" "$@"
	;;
*)
	usage >&2
	exit 2
	;;
esac
