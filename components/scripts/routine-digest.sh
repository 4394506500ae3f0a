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
# Exit 0 when sent or when nothing is due (said so, outcome "skipped"); 1
# when it could not be sent; 2 on bad input. Ends with the outcome line of
# every task (common.sh), pushed like theirs; its figures name the kind of
# day, the local date and where the digest went.
set -eu
upkeep_name=digest
: "${UPKEEP_TASK:=routine-digest}"
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$here/notify.sh"
kind='' date='' sent_to=''

# Nothing due today: said so, outcome "skipped".
skip() { # line
	upkeep_log "$1"
	upkeep_outcome skipped "$(upkeep_figures)" "$1"
	exit 0
}

upkeep_figures() {
	_k=null _d=null _s=null
	[ -z "$kind" ] || _k="\"$kind\""
	[ -z "$date" ] || _d="\"$date\""
	[ -z "$sent_to" ] || _s="\"$sent_to\""
	printf '{"digest":%s,"date":%s,"sentTo":%s}' "$_k" "$_d" "$_s"
}

offset=${UPKEEP_UTC_OFFSET_MINUTES:-}
case $offset in
'' | - | *[!0-9-]* | ?*-*) upkeep_invalid "UPKEEP_UTC_OFFSET_MINUTES must be a whole number of minutes, got '$offset'" ;;
esac

# shellcheck disable=SC2046 # the four fields are meant to split
set -- $(date -u -d "@$((upkeep_start + offset * 60))" '+%Y %m %d %u')
year=$1 month=$2 day=${3#0} weekday=$4
date=$year-$month-$3

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
	skip "not sent: $date is a weekend day, and routine checks are due on working days only"
	;;
esac

[ -n "$message" ] || skip "not sent: no routine check is due on $kind days ($date)"

if ! upkeep_send UpkeepRoutineDigest "$message"; then
	upkeep_fail "could not send the $kind digest of $date: $upkeep_send_error"
fi
sent_to=$upkeep_sent_to
upkeep_log "sent the $kind digest of $date to the $sent_to"
upkeep_outcome success "$(upkeep_figures)"
