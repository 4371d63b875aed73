# SPDX-License-Identifier: GPL-2.0
# Shell test helpers: source from tests/*/test_*.sh.
#   ok "description" cmd...      passes when cmd exits 0
#   not_ok "description" cmd...  passes when cmd exits non-zero
#   check "description" cond     passes when [[ cond ]] holds (string eval)
#   done_testing                 prints "N passed, N failed", exits non-zero on failure
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ANYXDP_BUILD: a private build dir (make BUILD=...), default build/.
BIN=${ANYXDP_BUILD:-$TOP/build}
PASSED=0
FAILED=0
# The interpreter itself, not a pyenv shim (0.2 s a call).
PY=$(python3 -c 'import sys; print(sys.executable)')

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1${2:+: $2}"; }

ok() {
	local d=$1; shift
	local out
	if out=$("$@" 2>&1); then pass "$d"; else fail "$d" "exit $? from: $* :: ${out:0:400}"; fi
}

not_ok() {
	local d=$1; shift
	local out
	if out=$("$@" 2>&1); then fail "$d" "unexpected success: $*"; else pass "$d"; fi
}

check() {
	local d=$1; shift
	if eval "[[ $* ]]"; then pass "$d"; else fail "$d" "[[ $* ]] is false"; fi
}

# jget FILE EXPR: EXPR (Python, over d = the JSON in FILE), printed.
jget() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# equal "description" actual expected
equal() {
	if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

done_testing() {
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
}

# A private pin dir per test script, removed on exit. Sets and exports
# ANYXDP_PIN_DIR; call it directly, never as $(new_pin_dir), or the export
# is lost in the subshell.
new_pin_dir() {
	export ANYXDP_PIN_DIR=/sys/fs/bpf/anyxdp-test-$$-$RANDOM
}

rm_pin_dir() {
	[[ -n ${ANYXDP_PIN_DIR:-} && -d $ANYXDP_PIN_DIR ]] || return 0
	rm -f "$ANYXDP_PIN_DIR"/* "$ANYXDP_PIN_DIR"/.[!.]* 2>/dev/null
	rmdir "$ANYXDP_PIN_DIR" 2>/dev/null || true
}

# scratch NAME: what a test script works in: a private pin dir ($PIN, also
# ANYXDP_PIN_DIR), a network namespace name ($NS, made by the script) and a
# temporary directory ($T). On exit the script's own on_exit runs first, if
# it defines one, then all three go. Call it directly, not in $(...).
scratch() {
	new_pin_dir
	PIN=$ANYXDP_PIN_DIR
	NS=$1-$$
	T=$(mktemp -d "/tmp/anyxdp-$1.XXXXXX")
	trap scratch_cleanup EXIT
	trap 'exit 130' INT TERM
}

scratch_cleanup() {
	if declare -F on_exit >/dev/null; then on_exit; fi
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm_pin_dir
	rm -rf "$T"
}

# require_root WHY: tests need root; fail visibly (with a summary line) if not.
require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		fail "needs root ($1)"
		done_testing
		exit 1
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

# For tests that run commands into files: run CMD... puts stdout in $T/out,
# stderr in $T/err and the exit status in RC; has_out/has_err TEXT grep them.
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}
has_err() { grep -qF -- "$1" "$T/err"; }
has_out() { grep -qF -- "$1" "$T/out"; }

# For tests with a network namespace of their own, $NS: anyxdp and ip in it
# (nsenter, not `ip netns exec`, which hides /sys/fs/bpf).
ns_enter_cmd() { IN=(nsenter --net=/run/netns/"$NS"); }
ax() { "${IN[@]}" "$BIN"/anyxdp "$@"; }
nsip() { ip -n "$NS" "$@"; }

# For tests with a namespace lab of their own, named $LAB (scripts/lab.sh):
# lab ARGS runs lab.sh on it; lab_up [WHAT] brings it up, passes or fails
# "WHAT: lab up" and loads its LAB_* variables. Returns 1 if it failed.
lab() { "$TOP/scripts/lab.sh" --name "$LAB" "$@"; }
lab_up() {
	local what="${1:+$1: }lab up (name $LAB)"
	if ! lab up >"$T/up.out" 2>&1; then
		fail "$what" "$(tr '\n' ' ' <"$T/up.out")"
		return 1
	fi
	pass "$what"
	eval "$(lab env)"
}
