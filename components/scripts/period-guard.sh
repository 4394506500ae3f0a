#!/bin/sh
# Cron cannot say "the first Saturday of the month": it ORs day-of-month with
# day-of-week. So monthly and quarterly tasks fire on their weekday every week
# (quarterly ones only in quarter months), and this guard lets one run a
# period through. Usage: period-guard.sh CMD [ARG]...
# With UPKEEP_PUSHGATEWAY_URL it asks the Pushgateway whether this period's
# real run already succeeded: if so it skips, if not this window day runs it,
# so a run that failed on the first Saturday runs again on the second. It
# never runs twice in one period once a success was pushed. Without the URL,
# or when the Pushgateway does not answer, only the run in the first seven
# days of the month goes through.
# A skipped run ends with the outcome line, outcome "skipped", so it never
# counts as a real run; the command it lets through reports its own. In a
# step that is not the task's last (UPKEEP_STEP=fetch: the dump's download,
# also guarded), it prints no outcome line: the last step reports the skip.
set -eu
upkeep_name=guard
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"

zone=${UPKEEP_TIMEZONE:-}
if [ -z "$zone" ]; then
	upkeep_fail "UPKEEP_TIMEZONE is not set; cannot tell which week it is"
fi
if [ "$#" -eq 0 ]; then
	upkeep_fail "no command to run"
fi
if [ "$zone" != "UTC" ] && [ ! -r "${TZDIR:-/usr/share/zoneinfo}/$zone" ]; then
	upkeep_fail "this image has no time zone data for $zone (${TZDIR:-/usr/share/zoneinfo}); use an image with tzdata"
fi

today=$(TZ=$zone date +%Y-%m-%d)
day=${today##*-}
day=${day#0}
skip() { # why
	upkeep_log "skipped on $today ($zone): $1"
	[ "${UPKEEP_STEP:-}" = fetch ] || upkeep_outcome skipped '{}' "skipped on $today ($zone): $1"
	exit 0
}
run() {
	# The command replaces the guard: it gets the signals and reports the run.
	trap - EXIT TERM INT
	exec "$@"
}

if [ -n "${UPKEEP_PUSHGATEWAY_URL:-}" ] && [ -n "${UPKEEP_ENVIRONMENT:-}" ] && [ -n "${UPKEEP_TASK:-}" ]; then
	# The period's first local midnight: the month's, or the quarter's first month's.
	month=${today#*-}
	month=${month%-*}
	month=${month#0}
	[ "${UPKEEP_CADENCE:-}" != quarterly ] || month=$(((month - 1) / 3 * 3 + 1))
	first=${today%%-*}-$(printf '%02d' "$month")-01
	# A zone whose clocks change at midnight has no 00:00 that day; its day starts at 01:00.
	start=$(TZ=$zone date -d "$first 00:00:00" +%s 2>/dev/null || TZ=$zone date -d "$first 01:00:00" +%s)
	if upkeep_period_succeeded "$UPKEEP_ENVIRONMENT" "$UPKEEP_TASK" "$start"; then asked=0; else asked=$?; fi
	# shellcheck disable=SC2154 # upkeep_last_success and upkeep_http_err are set by record.sh
	case $asked in
	0) skip "this period's run already succeeded on $(TZ=$zone date -d "@$upkeep_last_success" '+%Y-%m-%d %H:%M')" ;;
	1) run "$@" ;; # not yet this period: this window day runs it
	*) upkeep_warn "could not ask the Pushgateway whether this period's run succeeded ($upkeep_http_err); only the first week runs, as without it" ;;
	esac
fi
[ "$day" -le 7 ] || skip "this ${UPKEEP_CADENCE:-periodic} task runs only in the first week of the month"
run "$@"
