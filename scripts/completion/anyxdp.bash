# SPDX-License-Identifier: GPL-2.0
# bash completion for anyxdp and anyxdp-block. Installed twice, as
# completions/anyxdp and completions/anyxdp-block (bash-completion loads a
# file by the command's name). Options come from the command's own --help,
# so they follow the binary; what goes after an option (interfaces, files,
# fixed values) is known here.

# The options a (sub)command's --help lists.
_anyxdp_opts()
{
	"$@" --help 2>/dev/null | grep -oE -- '(^|[[ |,])--?[a-zA-Z][a-zA-Z-]*' |
		sed 's/^[[ |,]//' | sort -u
}

_anyxdp_ifaces()
{
	local d
	for d in /sys/class/net/*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/}"
	done
}

# Complete $cur from a list of words.
_anyxdp_words()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_anyxdp_files()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_anyxdp_dirs()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -d -- "$cur")
}

# The value after an option; returns 1 if prev is not an option with one.
_anyxdp_optval()
{
	case $prev in
	--pin-dir) _anyxdp_dirs ;;
	--config|--output|--babel-socket) _anyxdp_files ;;
	--mode) _anyxdp_words $'native\nskb' ;;
	--mss-clamp) _anyxdp_words $'auto\noff' ;;
	--tunnels) _anyxdp_words $'none\nwg-*' ;;
	--iface) _anyxdp_words "$(_anyxdp_ifaces)" ;;
	--format) _anyxdp_words $'ipsum\nplain\nnetset\ndrop' ;;
	--proto) _anyxdp_words $'babel\nbird\nstatic\nkernel' ;;
	--listen) _anyxdp_words $'127.0.0.1:9477\n[::1]:9477\n:9477' ;;
	--icmp-rate|--grace|--withdraw-hold|--table|--min-score|--interval|-n|--babel)
		COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

# Words of the command line without the global options (and their values).
_anyxdp_args()
{
	local i w
	args=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-v|--verbose) ;;
		--pin-dir) ((i++)) ;;
		--pin-dir=*) ;;
		*) args+=("$w") ;;
		esac
	done
}

_anyxdp()
{
	local cur prev bin args cmd sub n
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_CWORD:+${COMP_WORDS[COMP_CWORD-1]}}
	bin=${COMP_WORDS[0]}
	COMPREPLY=()
	_anyxdp_optval && return 0
	_anyxdp_args
	n=${#args[@]}
	if ((n == 0)); then
		if [[ $cur == -* ]]; then
			_anyxdp_words $'--help\n--pin-dir\n-v\n--verbose'
		else
			_anyxdp_words "$("$bin" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next }
				on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')"
		fi
		return 0
	fi
	cmd=${args[0]}
	sub=${args[1]-}
	case ${bin##*/}:$cmd in
	anyxdp:prefix|anyxdp:route|anyxdp:config|anyxdp:tunnel|anyxdp:sync)
		if ((n == 1)) && [[ $cur != -* ]]; then
			case $cmd in
			prefix) _anyxdp_words $'add\ndel\nlist' ;;
			route) _anyxdp_words $'add\ndel\nlist\nrefresh' ;;
			config) _anyxdp_words $'check\napply' ;;
			tunnel) _anyxdp_words $'attach\ndetach\nlist\nstats' ;;
			sync) _anyxdp_words "status
$(_anyxdp_opts "$bin" sync)" ;;
			esac
			return 0
		fi
		;;
	esac
	if [[ $cur == -* ]]; then
		case $cmd in
		prefix|route|config|tunnel) _anyxdp_words "$(_anyxdp_opts "$bin" "$cmd" "$sub" |
			grep -vx -- '--help')
--help" ;;
		*) _anyxdp_words "$(_anyxdp_opts "$bin" "$cmd")" ;;
		esac
		return 0
	fi
	# Positional words.
	case ${bin##*/}:$cmd:$sub in
	anyxdp:attach:*|anyxdp:detach:*|anyxdp:tunnel:attach|anyxdp:tunnel:detach)
		_anyxdp_words "$(_anyxdp_ifaces)" ;;
	anyxdp:config:*) _anyxdp_files ;;
	anyxdp:route:add)
		case $prev in
		dev) _anyxdp_words "$(_anyxdp_ifaces)" ;;
		kind) _anyxdp_words $'tunnel\nether' ;;
		via|metric|mtu) ;;
		*) ((n >= 3)) && _anyxdp_words $'dev\nvia\nmetric\nmtu\nkind' ;;
		esac
		;;
	anyxdp-block:load:*) _anyxdp_files ;;
	esac
	return 0
}

complete -F _anyxdp anyxdp anyxdp-block
