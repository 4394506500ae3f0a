#!/bin/sh
# Kubernetes only: the stakeholder notice before a maintenance window, sent
# at upkeep:reviews.at on the working day the plan chose (noticeTiming.ts).
# UPKEEP_NOTICE_MESSAGE is the whole text; its first line reads as a subject.
# Exit 0 when sent, 1 when it could not be sent, 2 on bad input; ends with one
# JSON outcome line.
set -eu
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$(dirname "$0")/notify.sh"
started=$(date +%s)
: "${UPKEEP_TASK:=stakeholder-notice}"

message=${UPKEEP_NOTICE_MESSAGE:-}
if [ -z "$message" ]; then
	printf 'upkeep notice: %s\n' "UPKEEP_NOTICE_MESSAGE is empty: nothing to send" >&2
	upkeep_routine_outcome notice failed "$started" "UPKEEP_NOTICE_MESSAGE is empty"
	exit 2
fi
subject=$(printf '%s\n' "$message" | sed -n '1p')
if ! upkeep_send UpkeepStakeholderNotice "$message"; then
	line="could not send \"$subject\": $upkeep_send_error"
	printf 'upkeep notice: %s\n' "$line" >&2
	upkeep_routine_outcome notice failed "$started" "$line"
	exit 1
fi
line="sent \"$subject\" to the $upkeep_sent_to"
printf 'upkeep notice: %s\n' "$line"
upkeep_routine_outcome notice success "$started" "$line"
