#!/bin/sh
# After the maintenance window: check every endpoint's status and latency,
# print one line each and a summary, and send the summary and the failures as
# a completion notice to the webhook, if one is set, or else (Kubernetes only)
# as an info alert to UPKEEP_ALERTMANAGER_URL. Exit 0 only if every endpoint
# is healthy and the notice went out; 1 otherwise; 2 on bad input.
# UPKEEP_ENDPOINTS: whitespace-separated expectStatus|maxLatencyMs|url
# UPKEEP_WEBHOOK_URL (optional) is a secret: it is never printed.
# Redirects are not followed: a health URL that redirects is misconfigured
# (its status says so), and following one could leave the intended host.
# Ends with the outcome line: each endpoint's status, latency or problem, and
# whether the notice went out.
set -eu
set -f # entries are split on whitespace below, never globbed
upkeep_name=verify
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$here/notify.sh"

log() {
	upkeep_log "$@"
}

invalid() {
	upkeep_invalid "$@"
}

endpoints_json='' notice=none
upkeep_figures() {
	printf '{"endpoints":[%s],"notice":"%s"}' "$endpoints_json" "$notice"
}
record() { # url ok status latencyMs problem
	upkeep_json_str "$1" && _u=$js
	_p=null
	if [ -n "$5" ]; then upkeep_json_str "$5" && _p=$js; fi
	endpoints_json="$endpoints_json${endpoints_json:+,}{\"url\":$_u,\"ok\":$2,\"status\":${3:-null},\"latencyMs\":${4:-null},\"problem\":$_p}"
}

has_cntrl() {
	case $1 in *[[:cntrl:]]*) return 0 ;; esac
	return 1
}

# Why curl got no HTTP response, from its exit code.
no_response() { # curl-exit-code max-time-seconds
	case $1 in
	6) echo "could not resolve host" ;;
	7) echo "connection refused or host unreachable" ;;
	28) echo "timed out after $2 s" ;;
	35) echo "TLS handshake failed" ;;
	52) echo "empty reply from server" ;;
	56) echo "connection reset" ;;
	60) echo "TLS certificate not trusted" ;;
	*) echo "curl error $1" ;;
	esac
}

# curl's time_total (seconds, e.g. 0.035123) in whole milliseconds, without
# floating point: 0.035123 -> 35.
to_ms() {
	_sec=${1%%.*}
	case $1 in *.*) _frac=${1#*.}000 ;; *) _frac=000 ;; esac
	_frac=${_frac%"${_frac#???}"}
	_frac=${_frac#0}
	_frac=${_frac#0} # no leading zeros, or $(( )) reads octal
	case $_sec$_frac in '' | *[!0-9]*) echo 0 ;; *) echo $((_sec * 1000 + _frac)) ;; esac
}

# Sets status, max, url from one entry; sets reason and fails if malformed.
parse_entry() {
	case $1 in
	*'|'*'|'*) ;;
	*)
		reason="expected expectStatus|maxLatencyMs|url"
		return 1
		;;
	esac
	status=${1%%|*} rest=${1#*|}
	max=${rest%%|*} url=${rest#*|}
	case $status in
	[1-5][0-9][0-9]) ;;
	*)
		reason="expectStatus must be an HTTP status from 100 to 599"
		return 1
		;;
	esac
	if ! upkeep_is_count "$max"; then
		reason="maxLatencyMs must be a positive whole number"
		return 1
	fi
	case $url in
	http://?* | https://?*) has_cntrl "$url" || return 0 ;;
	esac
	reason="the URL must start with http:// or https:// and contain no spaces"
	return 1
}

timeout=${UPKEEP_TIMEOUT_SECONDS:-10}
upkeep_is_count "$timeout" || invalid "UPKEEP_TIMEOUT_SECONDS must be a positive whole number, got '$timeout'"
environment=${UPKEEP_ENVIRONMENT:-}
[ -n "$environment" ] || invalid "UPKEEP_ENVIRONMENT is not set"
has_cntrl "$environment" && invalid "UPKEEP_ENVIRONMENT must not contain control characters"
webhook=${UPKEEP_WEBHOOK_URL:-}
if [ -n "$webhook" ]; then
	case $webhook in
	http://?* | https://?*) ;;
	*) invalid "UPKEEP_WEBHOOK_URL is not an http(s) URL" ;; # never echo it
	esac
fi

# Validate every entry before checking any.
total=0
for entry in ${UPKEEP_ENDPOINTS:-}; do
	parse_entry "$entry" || invalid "malformed UPKEEP_ENDPOINTS entry '$entry': $reason"
	total=$((total + 1))
done
[ "$total" -gt 0 ] || invalid "UPKEEP_ENDPOINTS is empty: nothing to verify"

nl='
'
failed=0
failures=''
for entry in $UPKEEP_ENDPOINTS; do
	parse_entry "$entry"
	# -q first: no ~/.curlrc. Only http(s), no redirects, no -f: we judge the status.
	upkeep_run - curl -q -s -o /dev/null --proto '=http,https' --max-time "$timeout" \
		-w '%{http_code} %{time_total}' -- "$url"
	rc=$upkeep_rc
	out=$(cat "$upkeep_tmp/out")
	code=${out%% *}
	ms=$(to_ms "${out#* }")
	problem=''
	if [ "$rc" -ne 0 ] || [ "$code" = 000 ]; then
		problem="no response ($(no_response "$rc" "$timeout"))"
	else
		[ "$code" = "$status" ] || problem="status $code, expected $status"
		if [ "$ms" -gt "$max" ]; then
			problem="${problem:+$problem; }$ms ms, over $max ms"
		fi
	fi
	if [ "$rc" -ne 0 ] || [ "$code" = 000 ]; then
		record "$url" false '' '' "$problem"
	else
		record "$url" "$([ -z "$problem" ] && echo true || echo false)" "$code" "$ms" "$problem"
	fi
	if [ -z "$problem" ]; then
		log "ok $code in $ms ms $url"
	else
		line="upkeep verify: FAIL $url: $problem"
		printf '%s\n' "$line"
		failures="$failures$nl$line"
		failed=$((failed + 1))
	fi
done

s=s
[ "$total" -gt 1 ] || s=''
if [ "$failed" -eq 0 ]; then
	summary="upkeep verify: all $total endpoint$s healthy after the maintenance window ($environment)"
else
	summary="upkeep verify: $failed of $total endpoint$s unhealthy after the maintenance window ($environment)"
fi
printf '%s\n' "$summary"

# The run's outcome: failed when an endpoint is unhealthy or the notice did not go out.
finish() { # exit-code [reason]
	if [ "$1" -eq 0 ]; then
		upkeep_outcome success "$(upkeep_figures)"
	else
		upkeep_outcome failed "$(upkeep_figures)" "${2:-$failed of $total endpoint$s unhealthy}"
	fi
	exit "$1"
}

if [ -z "$webhook" ] && [ -n "${UPKEEP_ALERTMANAGER_URL:-}" ]; then
	if ! upkeep_send UpkeepMaintenanceReport "$(printf '%s%s\n' "$summary" "$failures")"; then
		# shellcheck disable=SC2154 # set by upkeep_send (notify.sh)
		printf 'upkeep verify: could not send the completion notice to Alertmanager: %s\n' "$upkeep_send_error" >&2
		notice=failed
		finish 1 "could not send the completion notice to Alertmanager: $upkeep_send_error"
	fi
	notice=sent
	finish $((failed > 0))
fi
[ -n "$webhook" ] || finish $((failed > 0))

text=$(printf '%s%s\n' "$summary" "$failures" | upkeep_json_string)
upkeep_tmpdir
printf '{"text": "%s"}\n' "$text" >"$upkeep_tmp/notice.json"
upkeep_run - curl -q -fsS -o /dev/null --proto '=http,https' --max-time 10 -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary "@$upkeep_tmp/notice.json" -- "$webhook"
rc=$upkeep_rc
sent=$(cat "$upkeep_tmp/out")
if [ "$rc" -ne 0 ]; then
	# Our own words only: curl's message could name the webhook.
	case $rc in
	22) reason="the webhook answered HTTP $sent" ;;
	*) reason=$(no_response "$rc" 10) ;;
	esac
	printf 'upkeep verify: could not send the completion notice: %s\n' "$reason" >&2
	notice=failed
	finish 1 "could not send the completion notice: $reason"
fi
notice=sent
finish $((failed > 0))
