# shellcheck shell=sh
# Shared helpers for the upkeep task scripts; sourced, never executed.
# The caller sets upkeep_name (its log prefix, e.g. cleanup) and may set
# upkeep_kind (the task kind it reports, default upkeep_name) before sourcing.
# Connection settings come only from the libpq environment (PGHOST, PGPORT,
# PGDATABASE, PGUSER, PGPASSWORD).
#
# What every script reads (all optional):
#   UPKEEP_TASK         the task's id (its CronJob's name); default: the kind
#   UPKEEP_KIND         the task's kind; default: the script's own
#   UPKEEP_ENVIRONMENT  the environment's name; null in the outcome when unset
#   UPKEEP_TIMEZONE     the IANA zone of the task's slot
#   UPKEEP_SLOT_START   the slot's local start, HH:MM in UPKEEP_TIMEZONE
#   UPKEEP_DEADLINE_SECONDS         the slot's length (= the Job's activeDeadlineSeconds), default 3600
#   UPKEEP_DEADLINE_MARGIN_SECONDS  kept at the slot's end to cancel, clean up and report, default 60
#   UPKEEP_STEP         "fetch" in a step that is not the run's last (the guard reports no skip there)
#
# Every run ends with exactly one JSON outcome line on stdout (upkeep_outcome).

# The outcome goes to the Pushgateway too when UPKEEP_PUSHGATEWAY_URL is set.
case $0 in */*) upkeep_here=${0%/*} ;; *) upkeep_here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=record.sh disable=SC1091
. "$upkeep_here/record.sh"

: "${upkeep_name:=task}"
: "${upkeep_kind:=$upkeep_name}"
upkeep_task=${UPKEEP_TASK:-$upkeep_kind}
upkeep_kind=${UPKEEP_KIND:-$upkeep_kind}
: "${PGCONNECT_TIMEOUT:=10}"
: "${UPKEEP_DEADLINE_SECONDS:=3600}"

upkeep_now() {
	date +%s
}

upkeep_start=$(upkeep_now)

# Our sessions carry one application_name per run, so a second session can end
# exactly this run's server-side work (upkeep_end_sessions) and nothing else;
# it starts with the task's name so DBAs can tell our sessions apart. At most
# 63 bytes, PostgreSQL's limit, keeping the run's suffix whole.
upkeep_app="$(printf '%.45s' "${PGAPPNAME:-upkeep-$upkeep_task}")/$upkeep_start.$$"
PGAPPNAME=$upkeep_app
export PGCONNECT_TIMEOUT PGAPPNAME

upkeep_log() {
	printf 'upkeep %s: %s\n' "$upkeep_name" "$*"
}

upkeep_warn() {
	printf 'upkeep %s: warning: %s\n' "$upkeep_name" "$*" >&2
}

upkeep_elapsed() {
	echo $(($(upkeep_now) - upkeep_start))
}

# ---------------------------------------------------------------- outcome
# Sets js to $1 as a JSON string literal. Only a string with quotes,
# backslashes or control characters needs awk to escape it; other control
# characters than newline and tab become spaces.
upkeep_json_str() {
	case $1 in
	*[\"\\[:cntrl:]]*)
		js=$(printf '%s' "$1" | awk '
		{ s = s (NR > 1 ? "\n" : "") $0 }
		END {
			out = ""
			n = length(s)
			for (i = 1; i <= n; i++) {
				c = substr(s, i, 1)
				if (c == "\\") c = "\\\\"
				else if (c == "\"") c = "\\\""
				else if (c == "\n") c = "\\n"
				else if (c == "\t") c = "\\t"
				else if (c < " ") c = " "
				out = out c
			}
			printf "\"%s\"", out
		}')
		;;
	*) js="\"$1\"" ;;
	esac
}

upkeep_iso() { # epoch -> 2026-12-05T01:30:00Z
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# The script's figures for the outcome line, as one JSON object. Scripts
# define their own after sourcing this file.
upkeep_figures() {
	printf '{}'
}

upkeep_outcome_done=''
# The outcome line, once per run:
# {"task","kind","environment","outcome","start","end","seconds","reason","figures"}
# outcome is success, failed, skipped or partial; reason is null on success.
# The one place a run's outcome leaves the script: anything that should also
# receive it (a Pushgateway) belongs here.
upkeep_outcome() { # outcome figures-json [reason]
	[ -z "$upkeep_outcome_done" ] || return 0
	upkeep_outcome_done=1
	_end=$(upkeep_now)
	upkeep_json_str "$upkeep_task" && _task=$js
	upkeep_json_str "$upkeep_kind" && _kind=$js
	_env=null _reason=null
	if [ -n "${UPKEEP_ENVIRONMENT:-}" ]; then upkeep_json_str "$UPKEEP_ENVIRONMENT" && _env=$js; fi
	if [ -n "${3:-}" ]; then upkeep_json_str "$3" && _reason=$js; fi
	_fig=${2:-}
	[ -n "$_fig" ] || _fig='{}'
	_line=$(printf '{"task":%s,"kind":%s,"environment":%s,"outcome":"%s","start":"%s","end":"%s","seconds":%s,"reason":%s,"figures":%s}' \
		"$_task" "$_kind" "$_env" "$1" "$(upkeep_iso "$upkeep_start")" "$(upkeep_iso "$_end")" \
		$((_end - upkeep_start)) "$_reason" "$_fig")
	printf '%s\n' "$_line"
	# The same outcome to the Pushgateway (record.sh); a failed push is one line on stderr, never the task's result.
	upkeep_record_push "$_line"
}

# One line on stderr, the failed outcome, exit with the given code. The code
# has a name of its own: upkeep_outcome's push sets the helpers' _variables.
upkeep_die() { # exit-code reason...
	upkeep_die_code=$1
	shift
	printf 'upkeep %s: %s\n' "$upkeep_name" "$*" >&2
	upkeep_outcome failed "$(upkeep_figures)" "$*"
	exit "$upkeep_die_code"
}

# A failed run: exit 1.
upkeep_fail() {
	upkeep_die 1 "$@"
}

# Bad input (the task's environment): exit 2.
upkeep_invalid() {
	upkeep_die 2 "$@"
}

# ---------------------------------------------------------------- children and signals
# Scratch files live in one directory per run, removed on exit.
upkeep_tmp=''
upkeep_tmpdir() {
	[ -n "$upkeep_tmp" ] && return 0
	upkeep_tmp=$(mktemp -d "${TMPDIR:-/tmp}/upkeep-$upkeep_name.XXXXXX") ||
		upkeep_fail "cannot create a scratch directory in ${TMPDIR:-/tmp}"
}
trap '[ -z "$upkeep_tmp" ] || rm -rf "$upkeep_tmp"' EXIT

upkeep_child='' upkeep_stop_note=''
upkeep_has_timeout=''
if command -v timeout >/dev/null 2>&1; then upkeep_has_timeout=1; fi

# Runs a simple command (never a pipeline or function: the signal handler
# stops it by its PID) in the background, its output in $upkeep_tmp/out and
# $upkeep_tmp/err, and waits for it: a SIGTERM interrupts the wait at once,
# where a foreground command would delay the trap until it ends. With a limit
# (seconds) the command gets SIGTERM when it is reached. Sets upkeep_rc.
upkeep_run() { # limit|- command...
	upkeep_tmpdir
	_limit=$1
	shift
	if [ "$_limit" != - ] && [ -n "$upkeep_has_timeout" ]; then
		[ "$_limit" -ge 1 ] || _limit=1
		set -- timeout -s TERM "$_limit" "$@"
	fi
	"$@" >"$upkeep_tmp/out" 2>"$upkeep_tmp/err" </dev/null &
	upkeep_child=$!
	upkeep_rc=0
	# shellcheck disable=SC2034 # read by the caller
	wait "$upkeep_child" || upkeep_rc=$?
	upkeep_child=''
}

# What a script does when stopped by a signal, before it reports: end its
# server-side work, drop what it left half-done. Scripts define their own.
upkeep_stop_hook() {
	:
}

# SIGTERM is how the Job's deadline (activeDeadlineSeconds) or a deleted Job
# stops the pod; the kubelet sends SIGKILL 30 s later (the default grace). One
# line, the failed outcome, nothing left running, exit 128 + the signal.
upkeep_on_signal() { # name exit-code
	trap '' TERM INT
	upkeep_stop_note=''
	# The server side first, while the client still reads what it reports.
	upkeep_stop_hook
	if [ -n "$upkeep_child" ]; then
		kill -TERM "$upkeep_child" 2>/dev/null || true
		wait "$upkeep_child" 2>/dev/null || true
	fi
	upkeep_die "$2" "stopped by $1 after $(upkeep_elapsed) s$upkeep_stop_note"
}
trap 'upkeep_on_signal SIGTERM 143' TERM
trap 'upkeep_on_signal SIGINT 130' INT

# ---------------------------------------------------------------- the deadline
# The Job's activeDeadlineSeconds counts from the Job's start, which is at or
# after the slot's start; the script itself starts later, after the pod was
# scheduled and its images pulled. So the deadline is the slot's end, computed
# from the slot's local start (UPKEEP_SLOT_START in UPKEEP_TIMEZONE) and its
# length, never the script's start plus the length; the Job's deadline can only
# come later. Work stops UPKEEP_DEADLINE_MARGIN_SECONDS before it, which leaves
# time to cancel the server-side work, drop leftovers and report. Without a
# slot start, or when the script runs outside its slot (a Job created by hand),
# the deadline counts from the script's start. Sets upkeep_stop_at (epoch).
upkeep_deadline_init() {
	_len=$UPKEEP_DEADLINE_SECONDS
	_margin=${UPKEEP_DEADLINE_MARGIN_SECONDS:-60}
	upkeep_is_count "$_len" || upkeep_invalid "UPKEEP_DEADLINE_SECONDS must be a positive integer, got '$_len'"
	upkeep_is_count "$_margin" || [ "$_margin" = 0 ] ||
		upkeep_invalid "UPKEEP_DEADLINE_MARGIN_SECONDS must be a whole number of seconds, got '$_margin'"
	_end=$((upkeep_start + _len))
	_slot=${UPKEEP_SLOT_START:-}
	if [ -n "$_slot" ]; then
		if _slot_end=$(upkeep_slot_end "$_slot" "${UPKEEP_TIMEZONE:-}" "$_len"); then
			_end=$_slot_end
		else
			upkeep_log "not inside its slot ($_slot ${UPKEEP_TIMEZONE:-?}, $_len s) at $(upkeep_iso "$upkeep_start"): the deadline counts from the script's start"
		fi
	fi
	upkeep_stop_at=$((_end - _margin))
}

# The end (epoch) of the slot that started at local time $1 in zone $2 today
# or yesterday and holds now; fails when none does, or when this image has no
# data for the zone (TZ would then silently mean UTC).
upkeep_slot_end() { # HH:MM zone length-seconds
	case $1 in [01][0-9]:[0-5][0-9] | 2[0-3]:[0-5][0-9]) ;; *) return 1 ;; esac
	[ -n "$2" ] || return 1
	[ "$2" = UTC ] || [ -r "${TZDIR:-/usr/share/zoneinfo}/$2" ] || return 1
	_n=$(upkeep_now)
	_today=$(TZ=$2 date -d "@$_n" +%Y-%m-%d) || return 1
	# Noon today minus a day is yesterday, whatever the clock changes.
	_noon=$(TZ=$2 date -d "$_today 12:00" +%s) || return 1
	_yesterday=$(TZ=$2 date -d "@$((_noon - 86400))" +%Y-%m-%d) || return 1
	for _d in "$_today" "$_yesterday"; do
		_b=$(TZ=$2 date -d "$_d $1" +%s 2>/dev/null) || continue
		if [ "$_b" -le "$_n" ] && [ "$_n" -lt $((_b + $3)) ]; then
			echo $((_b + $3))
			return 0
		fi
	done
	return 1
}

# Seconds from now until work must stop (negative once past).
upkeep_left() {
	echo $((upkeep_stop_at - $(upkeep_now)))
}

# ---------------------------------------------------------------- PostgreSQL
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

# The server's WARNING lines in client-tool stderr ($1), one warning each.
upkeep_pass_warnings() {
	printf '%s\n' "$1" | sed -n 's/^\(psql:[^:]*:[0-9]*: \)\{0,1\}WARNING: *//p' | while IFS= read -r _w; do
		upkeep_warn "$_w"
	done
}

# A script's first psql session does real work and is its connection check
# too, with no separate round trip: true when that session's output ($1,
# stderr included) and exit status ($2) say psql could not connect at all, so
# a bad password or an unreachable host gives one clear "cannot connect" line
# instead of a tool-specific error.
upkeep_psql_never_connected() { # output status
	[ "$2" = 2 ] || return 1
	case $1 in "psql: error: "*) return 0 ;; esac
	return 1
}

# For that first session when run by upkeep_run and failed: "cannot connect
# to ..." when it never connected, else "<what>: <reason>".
upkeep_fail_first_session() { # what
	_err=$(cat "$upkeep_tmp/err")
	if upkeep_psql_never_connected "$_err" "$upkeep_rc"; then
		upkeep_fail_with "cannot connect to $(upkeep_target)" "$_err"
	fi
	upkeep_fail_with "$1" "$_err"
}

# Ends this run's sessions on the server (every session with this run's
# application_name but the one asking) and waits up to $1 seconds (default 10)
# until they are gone, so no statement of ours outlives the script: a server
# goes on running a statement whose client died until it next writes to it.
# Prints how many are left (0 when all ended); fails if it cannot ask.
upkeep_end_sessions() { # [seconds]
	PGAPPNAME="$upkeep_app+stop" PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=$((${1:-10} + 5))s" \
		psql -X -q -t -A -v ON_ERROR_STOP=1 -v app="$upkeep_app" -v wait="${1:-10}" 2>&1 <<'EOF'
SELECT set_config('upkeep.app', :'app', false), set_config('upkeep.wait', :'wait', false) \g /dev/null
DO $$
DECLARE
  left_n int;
  until timestamptz := clock_timestamp() + make_interval(secs => current_setting('upkeep.wait')::int);
BEGIN
  LOOP
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = current_setting('upkeep.app') AND pid <> pg_backend_pid();
    SELECT count(*) INTO left_n FROM pg_stat_activity
      WHERE application_name = current_setting('upkeep.app') AND pid <> pg_backend_pid();
    EXIT WHEN left_n = 0 OR clock_timestamp() > until;
    PERFORM pg_sleep(0.1);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
  PERFORM set_config('upkeep.left', left_n::text, false);
END
$$;
SELECT current_setting('upkeep.left');
EOF
}

# A positive integer of at most 9 digits: safe in $(( )) and never octal.
upkeep_is_count() {
	case $1 in '' | *[!0-9]* | 0*) return 1 ;; esac
	[ "${#1}" -le 9 ]
}

upkeep_require_int() { # name value
	case $2 in
	'' | *[!0-9]* | 0*) upkeep_invalid "$1 must be a positive integer, got '$2'" ;;
	esac
	upkeep_is_count "$2" || upkeep_invalid "$1 is too large: '$2'"
}
