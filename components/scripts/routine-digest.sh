#!/bin/sh
# Kubernetes only: the routine checks due today, as one message. The CronJob
# fires every working day at upkeep:reviews.at; the checks due depend on the
# local date, which Kubernetes cron cannot express ("the first Monday of the
# month"), so this script picks the day's message:
#   Tuesday to Friday                     UPKEEP_DIGEST_TUE_FRI
#   a Monday after the first seven days   UPKEEP_DIGEST_MON
#   Monday 1st-7th, other months          UPKEEP_DIGEST_MON_FIRST
#   Monday 1st-7th of Jan, Apr, Jul, Oct  UPKEEP_DIGEST_MON_FIRST_QUARTER
# The local date comes from UPKEEP_UTC_OFFSET_MINUTES, not tzdata (the image
# has none): reviews.at lies between 06:00 and 20:00, so the zone's offset,
# off by at most a clock change, still gives the right date.
# Exit 0 when sent or when nothing is due (said so); 1 when it could not be
# sent; 2 on bad input. Ends with one JSON outcome line.
set -eu
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$(dirname "$0")/notify.sh"
started=$(date +%s)
: "${UPKEEP_TASK:=routine-digest}"

invalid() {
	printf 'upkeep digest: %s\n' "$1" >&2
	upkeep_routine_outcome digest failed "$started" "$1"
	exit 2
}

offset=${UPKEEP_UTC_OFFSET_MINUTES:-}
case $offset in
'' | - | *[!0-9-]* | ?*-*) invalid "UPKEEP_UTC_OFFSET_MINUTES must be a whole number of minutes, got '$offset'" ;;
esac

# shellcheck disable=SC2046 # the four fields are meant to split
set -- $(date -u -d "@$((started + offset * 60))" '+%Y %m %d %u')
year=$1 month=$2 day=${3#0} weekday=$4

case $weekday in
1)
	if [ "$day" -le 7 ]; then
		case $month in
		01 | 04 | 07 | 10) kind=mon-first-quarter message=${UPKEEP_DIGEST_MON_FIRST_QUARTER:-} ;;
		*) kind=mon-first message=${UPKEEP_DIGEST_MON_FIRST:-} ;;
		esac
	else
		kind=mon message=${UPKEEP_DIGEST_MON:-}
	fi
	;;
2 | 3 | 4 | 5) kind=tue-fri message=${UPKEEP_DIGEST_TUE_FRI:-} ;;
*)
	line="not sent: $year-$month-$3 is a weekend day, and routine checks are due on working days only"
	printf 'upkeep digest: %s\n' "$line"
	upkeep_routine_outcome digest skipped "$started" "$line"
	exit 0
	;;
esac

if [ -z "$message" ]; then
	line="not sent: no routine check is due on $kind days ($year-$month-$3)"
	printf 'upkeep digest: %s\n' "$line"
	upkeep_routine_outcome digest skipped "$started" "$line"
	exit 0
fi

if ! upkeep_send UpkeepRoutineDigest "$message"; then
	line="could not send the $kind digest of $year-$month-$3: $upkeep_send_error"
	printf 'upkeep digest: %s\n' "$line" >&2
	upkeep_routine_outcome digest failed "$started" "$line"
	exit 1
fi
line="sent the $kind digest of $year-$month-$3 to the $upkeep_sent_to"
printf 'upkeep digest: %s\n' "$line"
upkeep_routine_outcome digest success "$started" "$line"
