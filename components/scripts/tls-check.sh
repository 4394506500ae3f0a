#!/bin/sh
# Daily TLS check of what clients really see: connect to every endpoint with
# SNI, verify the chain against the trust store and the hostname, and fail
# when the leaf expires within its minimum number of days. One line per
# endpoint and a summary. Exit 0 only if every endpoint passes; 1 otherwise;
# 2 on bad input.
# UPKEEP_TLS_ENDPOINTS: whitespace-separated minDays|host:port
# UPKEEP_CA_FILE (optional): trust only this PEM bundle instead of the system store.
# UPKEEP_TIMEOUT_SECONDS (optional, default 10): limit per connection.
# Ends with the outcome line: each endpoint's days left or problem.
set -eu
set -f # entries are split on whitespace below, never globbed
upkeep_name=tls
upkeep_kind=tls-check
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"

log() {
	upkeep_log "$@"
}

invalid() {
	upkeep_invalid "$@"
}

endpoints_json=''
upkeep_figures() {
	printf '{"endpoints":[%s]}' "$endpoints_json"
}
# One endpoint's figures: daysLeft, issuer and problem are null when unknown.
record() { # endpoint minDays ok daysLeft issuer problem
	upkeep_json_str "$1" && _e=$js
	_i=null _p=null
	if [ -n "$5" ]; then upkeep_json_str "$5" && _i=$js; fi
	if [ -n "$6" ]; then upkeep_json_str "$6" && _p=$js; fi
	endpoints_json="$endpoints_json${endpoints_json:+,}{\"endpoint\":$_e,\"minDays\":$2,\"ok\":$3,\"daysLeft\":${4:-null},\"issuer\":$_i,\"problem\":$_p}"
}

# Sets min, host, port from one entry; sets reason and fails if malformed.
parse_entry() {
	case $1 in
	*'|'*:*) ;;
	*)
		reason="expected minDays|host:port"
		return 1
		;;
	esac
	min=${1%%|*} hostport=${1#*|}
	host=${hostport%:*} port=${hostport##*:}
	if ! upkeep_is_count "$min"; then
		reason="minDays must be a positive whole number"
		return 1
	fi
	case $host in
	'' | *[!A-Za-z0-9.-]* | [.-]*)
		reason="the host must be a DNS name or an IPv4 address"
		return 1
		;;
	esac
	if ! upkeep_is_count "$port" || [ "$port" -gt 65535 ]; then
		reason="the port must be a number from 1 to 65535"
		return 1
	fi
}

plural() { # count word
	if [ "$1" -eq 1 ]; then echo "$1 $2"; else echo "$1 ${2}s"; fi
}

# Why the handshake did not complete, from s_client's stderr ($work/err).
handshake_problem() { # elapsed-seconds
	_num=$(sed -n 's/^verify error:num=\([0-9]*\):.*/\1/p' "$work/err" | head -n 1)
	case $_num in
	'') ;;
	10) echo "certificate has expired" && return ;;
	9) echo "certificate is not yet valid" && return ;;
	62 | 64) echo "hostname mismatch" && return ;;
	# No issuer found, self-signed, or a CA that is not trusted for this.
	2 | 7 | 18 | 19 | 20 | 21 | 24 | 27 | 28) echo "untrusted certificate chain" && return ;;
	*) echo "certificate verification failed ($(sed -n 's/^verify error:num=[0-9]*://p' "$work/err" | head -n 1))" && return ;;
	esac
	if grep -q 'Connection refused\|errno=111' "$work/err"; then
		echo "connection refused"
	elif [ -n "$upkeep_has_timeout" ] && [ "$1" -ge "$timeout" ]; then
		echo "timed out after $timeout s"
	elif grep -qi 'BIO_lookup\|Name or service not known\|nodename nor servname\|Name does not resolve' "$work/err"; then
		echo "could not resolve host"
	elif grep -q 'errno=113\|errno=101\|No route to host\|Network unreachable' "$work/err"; then
		echo "host unreachable"
	else
		echo "TLS handshake failed"
	fi
}

# Checks one endpoint; prints its line and fails if it does not pass.
check() { # minDays host port
	_min=$1 _host=$2 _port=$3
	set -- s_client -connect "$_host:$_port" -verify_return_error
	case $_host in
	*[!0-9.]*) set -- "$@" -servername "$_host" -verify_hostname "$_host" ;;
	*) set -- "$@" -noservername -verify_ip "$_host" ;; # no SNI for an IP address (RFC 6066)
	esac
	# Only the given bundle: the default directory and store would add the system's CAs.
	[ -z "$ca_file" ] || set -- "$@" -CAfile "$ca_file" -no-CApath -no-CAstore
	_start=$(upkeep_now)
	# stdin at EOF (upkeep_run's): s_client ends right after the handshake.
	upkeep_run "$timeout" openssl "$@"
	_rc=$upkeep_rc
	_now=$(upkeep_now)
	# The leaf only: s_client prints the server's certificate once, without -showcerts.
	_pem=$(awk '/-----BEGIN CERTIFICATE-----/ { p = 1 } p { print } /-----END CERTIFICATE-----/ { if (p) exit }' "$work/out")
	if [ "$_rc" -ne 0 ] || ! grep -q '^Verify return code: 0 ' "$work/out" || [ -z "$_pem" ]; then
		fail "$_host:$_port" "$_min" "$(handshake_problem $((_now - _start)))"
		return 1
	fi
	_info=$(printf '%s\n' "$_pem" | openssl x509 -noout -enddate -issuer -nameopt RFC2253 -dateopt iso_8601)
	_issuer=$(printf '%s\n' "$_info" | sed -n 's/^issuer=//p')
	_end=$(printf '%s\n' "$_info" | sed -n 's/^notAfter=\(.*\)Z$/\1/p')
	# busybox and GNU date both read "YYYY-MM-DD hh:mm:ss".
	if ! _end=$(date -u -d "$_end" +%s 2>/dev/null); then
		fail "$_host:$_port" "$_min" "could not read the certificate's expiry date"
		return 1
	fi
	_days=$(((_end - _now) / 86400)) # whole days left
	# -checkend decides; the day count above is for people.
	if ! printf '%s\n' "$_pem" | openssl x509 -noout -checkend $((_min * 86400)) >/dev/null; then
		if [ "$_end" -le "$_now" ]; then
			fail "$_host:$_port" "$_min" "certificate has expired" "$_days" "$_issuer"
		elif [ "$_days" -eq 0 ]; then
			fail "$_host:$_port" "$_min" "expires in less than a day (minimum $_min)" "$_days" "$_issuer"
		else
			fail "$_host:$_port" "$_min" "expires in $(plural "$_days" day) (minimum $_min)" "$_days" "$_issuer"
		fi
		return 1
	fi
	log "ok $_host:$_port, $(plural "$_days" day) left, issuer $_issuer"
	record "$_host:$_port" "$_min" true "$_days" "$_issuer" ''
}

fail() { # endpoint minDays problem [daysLeft issuer]
	log "FAIL $1: $3"
	record "$1" "$2" false "${4:-}" "${5:-}" "$3"
}

command -v openssl >/dev/null 2>&1 || invalid "openssl is not installed"
timeout=${UPKEEP_TIMEOUT_SECONDS:-10}
upkeep_is_count "$timeout" || invalid "UPKEEP_TIMEOUT_SECONDS must be a positive whole number, got '$timeout'"
# upkeep_run limits each connection with timeout(1), which busybox and
# coreutils both ship; without it a stalled server could hold the Job until
# its deadline.
ca_file=${UPKEEP_CA_FILE:-}
if [ -n "$ca_file" ] && [ ! -r "$ca_file" ]; then
	invalid "UPKEEP_CA_FILE '$ca_file' is not a readable file"
fi

# Validate every entry before checking any.
total=0
for entry in ${UPKEEP_TLS_ENDPOINTS:-}; do
	parse_entry "$entry" || invalid "malformed UPKEEP_TLS_ENDPOINTS entry '$entry': $reason"
	total=$((total + 1))
done
[ "$total" -gt 0 ] || invalid "UPKEEP_TLS_ENDPOINTS is empty: nothing to check"

upkeep_tmpdir
work=$upkeep_tmp

failed=0
for entry in $UPKEEP_TLS_ENDPOINTS; do
	parse_entry "$entry"
	check "$min" "$host" "$port" || failed=$((failed + 1))
done

s=s
[ "$total" -gt 1 ] || s=''
if [ "$failed" -eq 0 ]; then
	log "all $total endpoint$s passed"
	upkeep_outcome success "$(upkeep_figures)"
else
	log "$failed of $total endpoint$s failed"
	upkeep_outcome failed "$(upkeep_figures)" "$failed of $total endpoint$s failed"
fi
exit $((failed > 0))
