#!/bin/sh
# Kubernetes only: the stakeholder notice before a maintenance window, sent
# at upkeep:reviews.at on the working day the plan chose (noticeTiming.ts).
# UPKEEP_NOTICE_MESSAGE is the whole text; its first line reads as a subject.
# Exit 0 when sent, 1 when it could not be sent, 2 on bad input; ends with the
# outcome line of every task (common.sh), pushed like theirs; its figures say
# where the notice went.
set -eu
upkeep_name=notice
: "${UPKEEP_TASK:=stakeholder-notice}"
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$here/notify.sh"
sent_to=''

upkeep_figures() {
	if [ -n "$sent_to" ]; then printf '{"sentTo":"%s"}' "$sent_to"; else printf '{"sentTo":null}'; fi
}

message=${UPKEEP_NOTICE_MESSAGE:-}
[ -n "$message" ] || upkeep_invalid "UPKEEP_NOTICE_MESSAGE is empty: nothing to send"
subject=$(printf '%s\n' "$message" | sed -n '1p')
if ! upkeep_send UpkeepStakeholderNotice "$message"; then
	upkeep_fail "could not send \"$subject\": $upkeep_send_error"
fi
sent_to=$upkeep_sent_to
upkeep_log "sent \"$subject\" to the $sent_to"
upkeep_outcome success "$(upkeep_figures)"
