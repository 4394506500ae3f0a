#!/bin/sh
# Cron cannot say "the first Saturday of the month": it ORs day-of-month with
# day-of-week. So monthly and quarterly tasks fire on their weekday every week
# (quarterly ones only in quarter months), and this guard lets only the run in
# the first seven days of the month through. Usage: period-guard.sh CMD [ARG]...
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
if [ "$day" -gt 7 ]; then
  echo "upkeep guard: skipped on $today ($zone): this ${UPKEEP_CADENCE:-periodic} task runs only in the first week of the month"
  exit 0
fi
exec "$@"
