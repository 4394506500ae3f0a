# shellcheck shell=sh
# shellcheck disable=SC2034 # upkeep_sent_to and upkeep_send_error are for the scripts that source this
# Sending a message to people, for the routine CronJobs and the completion
# report; sourced after common.sh, never executed. The outcome line is
# common.sh's, as for every task. The webhook (UPKEEP_WEBHOOK_URL, a
# secret, never printed) gets {"text": …}. Without it, UPKEEP_ALERTMANAGER_URL
# gets one info alert (POST /api/v2/alerts) that resolves after an hour, so
# Alertmanager routes it like upkeep's other alerts. Callers set
# UPKEEP_ENVIRONMENT, UPKEEP_NAMESPACE and UPKEEP_TASK.

# stdin as the body of a JSON string: backslashes, quotes and tabs escaped,
# carriage returns dropped, lines joined with \n.
upkeep_json_string() {
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' -e 's/\r$//' |
		awk '{ printf "%s%s", sep, $0; sep = "\\n" }'
}

# Why curl failed, from its exit code, in our own words: curl's message could name the URL.
upkeep_curl_reason() { # curl-exit-code http-status
	case $1 in
	6) echo "could not resolve host" ;;
	7) echo "connection refused or host unreachable" ;;
	22) echo "it answered HTTP $2" ;;
	28) echo "timed out after 10 s" ;;
	35) echo "TLS handshake failed" ;;
	60) echo "TLS certificate not trusted" ;;
	*) echo "curl error $1" ;;
	esac
}

# POST the JSON $2 to $1; sets upkeep_send_error and fails when it was not
# accepted. Not in a pipeline: a function at the end of one runs in a
# subshell, and the reason it sets would be lost.
upkeep_post_json() { # url json
	if _status=$(printf '%s\n' "$2" | curl -q -fsS -o /dev/null --proto '=http,https' --max-time 10 -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @- -- "$1" 2>/dev/null); then
		return 0
	else
		_rc=$?
	fi
	upkeep_send_error=$(upkeep_curl_reason "$_rc" "$_status")
	return 1
}

# Send TEXT (its first line is the subject) as ALERTNAME; sets upkeep_sent_to
# ("webhook" or "alertmanager"), or upkeep_send_error and fails.
upkeep_send() { # alertname text
	_text=$(printf '%s\n' "$2" | upkeep_json_string)
	if [ -n "${UPKEEP_WEBHOOK_URL:-}" ]; then
		upkeep_sent_to=webhook
		upkeep_post_json "$UPKEEP_WEBHOOK_URL" "$(printf '{"text": "%s"}' "$_text")"
		return
	fi
	if [ -z "${UPKEEP_ALERTMANAGER_URL:-}" ]; then
		upkeep_send_error="neither UPKEEP_WEBHOOK_URL nor UPKEEP_ALERTMANAGER_URL is set"
		return 1
	fi
	upkeep_sent_to=alertmanager
	# The first line, without a Markdown heading's "# ", is the alert's summary.
	_subject=$(printf '%s\n' "$2" | sed -n '1{s/^#\{1,\} //;p;}' | upkeep_json_string)
	_now=$(upkeep_now)
	_starts=$(upkeep_iso "$_now")
	_ends=$(upkeep_iso $((_now + 3600)))
	upkeep_post_json "${UPKEEP_ALERTMANAGER_URL%/}/api/v2/alerts" "$(printf '[{"labels": {"alertname": "%s", "severity": "info", "environment": "%s", "namespace": "%s", "task": "%s"}, "annotations": {"summary": "%s", "description": "%s"}, "startsAt": "%s", "endsAt": "%s"}]' \
		"$1" "${UPKEEP_ENVIRONMENT:-}" "${UPKEEP_NAMESPACE:-}" "${UPKEEP_TASK:-}" "$_subject" "$_text" "$_starts" "$_ends")"
}
