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
set -eu

zone=${UPKEEP_TIMEZONE:-}
if [ -z "$zone" ]; then
  echo "upkeep guard: UPKEEP_TIMEZONE is not set; cannot tell which week it is" >&2
  exit 1
fi
if [ "$#" -eq 0 ]; then
  echo "upkeep guard: no command to run" >&2
  exit 1
fi
if [ "$zone" != "UTC" ] && [ ! -r "${TZDIR:-/usr/share/zoneinfo}/$zone" ]; then
  echo "upkeep guard: this image has no time zone data for $zone (${TZDIR:-/usr/share/zoneinfo}); use an image with tzdata" >&2
  exit 1
fi

today=$(TZ=$zone date +%Y-%m-%d)
day=${today##*-}
day=${day#0}

if [ -n "${UPKEEP_PUSHGATEWAY_URL:-}" ] && [ -n "${UPKEEP_ENVIRONMENT:-}" ] && [ -n "${UPKEEP_TASK:-}" ]; then
  # shellcheck source-path=SCRIPTDIR source=record.sh disable=SC1091
  . "$(dirname "$0")/record.sh"
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
  0)
    echo "upkeep guard: skipped on $today ($zone): this period's run already succeeded on $(TZ=$zone date -d "@$upkeep_last_success" '+%Y-%m-%d %H:%M')"
    exit 0
    ;;
  1) exec "$@" ;; # not yet this period: this window day runs it
  *) echo "upkeep guard: could not ask the Pushgateway whether this period's run succeeded ($upkeep_http_err); only the first week runs, as without it" >&2 ;;
  esac
fi
if [ "$day" -gt 7 ]; then
  echo "upkeep guard: skipped on $today ($zone): this ${UPKEEP_CADENCE:-periodic} task runs only in the first week of the month"
  exit 0
fi
exec "$@"
