# shellcheck shell=sh
# Shared helpers for the upkeep task scripts; sourced, never executed.
# The caller sets UPKEEP_TASK before sourcing. Connection settings come only
# from the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD).

: "${UPKEEP_TASK:=task}"
: "${PGCONNECT_TIMEOUT:=10}"
: "${UPKEEP_DEADLINE_SECONDS:=3600}"
: "${PGAPPNAME:=upkeep-$UPKEEP_TASK}" # so DBAs can tell our sessions apart
export PGCONNECT_TIMEOUT PGAPPNAME

upkeep_log() {
	printf 'upkeep %s: %s\n' "$UPKEEP_TASK" "$*"
}

upkeep_fail() {
	printf 'upkeep %s: %s\n' "$UPKEEP_TASK" "$*" >&2
	exit 1
}

# Where we connect, for messages. Never includes the password.
upkeep_target() {
	printf '%s:%s/%s as %s' "${PGHOST:-localhost}" "${PGPORT:-5432}" \
		"${PGDATABASE:-${PGUSER:-?}}" "${PGUSER:-?}"
}

# Reduce client-tool stderr (read on stdin) to one readable reason: prefer the
# first ERROR/FATAL line, strip the tool and "connection to server" prefixes,
# and mask the password in case a tool ever echoes it.
upkeep_reason() {
	awk '
	function clean(s,   pw, out, i) {
		sub(/^[a-z]+: error: /, "", s)
		sub(/^psql:[^:]*:[0-9]+: /, "", s)
		sub(/^connection to server (at "[^"]*"( \([^)]*\))?, port [0-9]+|on socket "[^"]*") failed: /, "", s)
		sub(/^(processing of database "[^"]*" failed|reindexing of [a-z]+ "[^"]*" failed): /, "", s)
		sub(/^(FATAL|ERROR|PANIC): +/, "", s)
		sub(/^[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]: /, "", s)
		gsub(/^[ \t]+|[ \t]+$/, "", s)
		pw = ENVIRON["PGPASSWORD"]
		if (pw != "") {
			out = ""
			while ((i = index(s, pw)) > 0) { out = out substr(s, 1, i - 1) "***"; s = substr(s, i + length(pw)) }
			s = out s
		}
		return s
	}
	/(FATAL|ERROR|PANIC):/ && !found { found = clean($0) }
	{ c = clean($0); if (c != "" && first == "") first = c }
	END {
		if (found != "") print found
		else if (first != "") print first
		else print "unknown error"
	}'
}

# Fail with one line: "<what>: <reason from stderr text in $2>".
upkeep_fail_with() {
	upkeep_fail "$1: $(printf '%s\n' "$2" | upkeep_reason)"
}

upkeep_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# A quick round trip first, so a bad password or an unreachable host gives one
# clear line instead of a tool-specific error halfway through the task.
upkeep_connect() {
	if ! _err=$(upkeep_psql -t -c 'select 1' 2>&1 >/dev/null); then
		upkeep_fail_with "cannot connect to $(upkeep_target)" "$_err"
	fi
}

# For a script whose first psql session does real work instead of a separate
# upkeep_connect round trip: true when that session's output ($1, stderr
# included) and exit status ($2) say psql could not connect at all, so the
# script can fail with the same "cannot connect" line as upkeep_connect.
upkeep_psql_never_connected() { # output status
	[ "$2" = 2 ] || return 1
	case $1 in "psql: error: "*) return 0 ;; esac
	return 1
}

# A positive integer of at most 9 digits: safe in $(( )) and never octal.
upkeep_is_count() {
	case $1 in '' | *[!0-9]* | 0*) return 1 ;; esac
	[ "${#1}" -le 9 ]
}

upkeep_require_int() { # name value
	case $2 in
	'' | *[!0-9]* | 0*) upkeep_fail "$1 must be a positive integer, got '$2'" ;;
	esac
	upkeep_is_count "$2" || upkeep_fail "$1 is too large: '$2'"
}

upkeep_now() {
	date +%s
}

upkeep_start=$(upkeep_now)

upkeep_elapsed() {
	echo $(($(upkeep_now) - upkeep_start))
}
