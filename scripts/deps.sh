#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages anyxdp needs to build, test and benchmark.
#   scripts/deps.sh              install (apt-get update first)
#   scripts/deps.sh --if-missing only when something is missing
#   scripts/deps.sh --list       print the package list
set -euo pipefail

PKGS=(
	# build
	make gcc clang llvm libbpf-dev libxdp-dev libmnl-dev bpftool libelf-dev zlib1g-dev pkg-config
	# run and test
	iproute2 nftables xdp-tools iputils-ping python3 procps kmod util-linux
	# the namespace lab (scripts/lab.sh): userspace WireGuard, captures;
	# babeld and bird2 for the route sync tests; conntrack to read a PoP's
	# connection tracking table (the return path test)
	wireguard-go wireguard-tools ethtool socat tcpdump babeld bird2 conntrack
	# operations (issue 6): unit checks, metrics lint, HTTP client, the live
	# view in a terminal, man page lint, benchmark plots
	systemd prometheus curl tmux man-db groff-base gnuplot-nox
	# benchmarks
	linux-perf
)
# A command (or header) that proves each package is present.
PROBES=(
	make gcc clang llc /usr/include/bpf/libbpf.h /usr/include/xdp/libxdp.h /usr/include/libmnl/libmnl.h bpftool
	/usr/include/libelf.h /usr/include/zlib.h pkg-config
	ip nft xdp-loader ping python3 ps lsmod nsenter setpriv mountpoint
	wireguard-go wg ethtool socat tcpdump babeld bird conntrack
	systemd-analyze promtool curl tmux man groff gnuplot
	perf
)

missing() {
	local p
	for p in "${PROBES[@]}"; do
		if [[ $p == /* ]]; then
			[[ -e $p ]] || { echo "$p"; return 0; }
		else
			command -v "$p" >/dev/null 2>&1 || [[ -x /usr/sbin/$p ]] ||
				{ echo "$p"; return 0; }
		fi
	done
	return 1
}

case "${1:-}" in
--list)
	printf '%s\n' "${PKGS[@]}"
	exit 0
	;;
--if-missing)
	what=$(missing) || exit 0
	echo "deps: '$what' is missing; installing packages" >&2
	;;
"") ;;
*)
	echo "usage: $0 [--if-missing|--list]" >&2
	exit 2
	;;
esac

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: installing packages needs root (run: sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
if what=$(missing); then
	echo "deps: '$what' still missing after install" >&2
	exit 1
fi
echo "deps: all packages present" >&2
