#!/bin/sh
# Cron cannot say "the first Saturday of the month": it ORs day-of-month with
# day-of-week. So monthly and quarterly tasks fire on their weekday every week
# (quarterly ones only in quarter months), and this guard lets only the run in
# the first seven days of the month through. Usage: period-guard.sh CMD [ARG]...
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
if [ "$day" -gt 7 ]; then
	why="this ${UPKEEP_CADENCE:-periodic} task runs only in the first week of the month"
	upkeep_log "skipped on $today ($zone): $why"
	[ "${UPKEEP_STEP:-}" = fetch ] || upkeep_outcome skipped '{}' "skipped on $today ($zone): $why"
	exit 0
fi
# The command replaces the guard: it gets the signals and reports the run.
trap - EXIT TERM INT
exec "$@"
