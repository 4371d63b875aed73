#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every test; each prints "N passed, N failed" last. Ends with the total.
set -u
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
	echo "tests need root (BPF maps, XDP, network namespaces): sudo make check" >&2
	exit 1
fi
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi

TESTS=()
for t in build/test_*; do [[ -f $t && -x $t ]] && TESTS+=("$t"); done
TESTS+=(tests/cli/test_*.sh tests/netns/test_*.sh)
[[ $# -gt 0 ]] && TESTS=("$@")
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"
total_p=0 total_f=0 broken=0

for t in "${TESTS[@]}"; do
	[[ -e $t ]] || continue
	name=$(basename "$t")
	log=$LOGDIR/$name.log
	start=$(date +%s%N)
	timeout 900 "$t" >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [[ -z $line ]]; then
		echo "FAIL $name: no summary line (exit $rc); see $log"
		tail -5 "$log" | sed 's/^/    /'
		total_f=$((total_f + 1))
		broken=1
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }; f=${f%% failed*}
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	if [[ $f -ne 0 || $rc -ne 0 ]]; then
		[[ $f -eq 0 ]] && total_f=$((total_f + 1))
		echo "FAIL $name: $line (exit $rc, ${secs}s)"
		grep -E '^not ok' "$log" | head -20 | sed 's/^/    /'
	else
		printf 'ok   %-28s %s (%ss)\n' "$name" "$line" "$secs"
	fi
done
echo "$total_p passed, $total_f failed"
[[ $total_f -eq 0 && $broken -eq 0 ]]
