# shellcheck shell=sh
# The maintenance record: a run's outcome line, pushed to the Pushgateway as
# Prometheus metrics; sourced, never executed. Every function here returns 0:
# a Pushgateway that is down or refuses a push costs one line on stderr and
# never the task's result (UpkeepMetricsAbsent notices the gap).
#
# UPKEEP_PUSHGATEWAY_URL   the Pushgateway's base URL; unset: nothing is pushed
# UPKEEP_PUSH_TIMEOUT      seconds per HTTP attempt, default 5
# UPKEEP_PUSH_ATTEMPTS     attempts per push, default 3 (1 s, then 2 s apart)
#
# Grouping key: /metrics/job/upkeep/environment/<env>/task/<task>; every series
# also carries `kind`. POST, not PUT: a push replaces only the metric names it
# sends, so a skip or a failure leaves upkeep_task_last_success_timestamp_seconds
# (and a failed run's missing figures) as the last real run left them.
# The HTTP client is curl where the image has it, else busybox wget
# (postgres:*-alpine, alpine/openssl have only busybox).

upkeep_record_say() {
	printf 'upkeep %s: %s\n' "${upkeep_name:-${UPKEEP_TASK:-upkeep}}" "$*" >&2
}

# HTTP with whichever client exists. Sets upkeep_http_err to a short reason on
# failure; never prints the URL's credentials (there are none in ours).
upkeep_http() { # GET|POST url out-file [body-file]
	_m=$1 _u=$2 _o=$3 _b=${4:-}
	_t=${UPKEEP_PUSH_TIMEOUT:-5}
	upkeep_http_err=''
	if command -v curl >/dev/null 2>&1; then
		set -- curl -q -sS -o "$_o" --proto '=http,https' --max-time "$_t" -w '%{http_code}'
		[ "$_m" = GET ] || set -- "$@" -H 'Content-Type: text/plain; version=0.0.4' --data-binary "@$_b"
		if _code=$("$@" -- "$_u" 2>"$_o.err"); then
			case $_code in 2??) return 0 ;; esac
			upkeep_http_err="HTTP $_code$(head -c 200 "$_o" 2>/dev/null | tr '\n' ' ' | sed 's/^/: /; s/ *$//')"
		else
			upkeep_http_err=$(head -n 1 "$_o.err" | sed 's/^curl: ([0-9]*) //')
			[ -n "$upkeep_http_err" ] || upkeep_http_err="curl failed"
		fi
		return 1
	fi
	if command -v wget >/dev/null 2>&1; then
		set -- wget -q -O "$_o"
		[ "$_m" = GET ] || set -- "$@" --header 'Content-Type: text/plain; version=0.0.4' --post-file "$_b"
		# busybox wget has no timeout option in every build; timeout(1) is in every busybox.
		if command -v timeout >/dev/null 2>&1; then set -- timeout "$_t" "$@"; fi
		if "$@" "$_u" 2>"$_o.err"; then return 0; fi
		upkeep_http_err=$(grep -v '^Connecting to' "$_o.err" | head -n 1 | sed 's/^wget: //')
		[ -n "$upkeep_http_err" ] || upkeep_http_err="no answer within ${_t} s"
		return 1
	fi
	upkeep_http_err="this image has neither curl nor wget"
	return 1
}

# Retries an HTTP call a few times; sets upkeep_http_err after the last.
upkeep_http_retry() { # GET|POST url out-file [body-file]
	_n=${UPKEEP_PUSH_ATTEMPTS:-3} _i=1
	while :; do
		upkeep_http "$@" && return 0
		[ "$_i" -lt "$_n" ] || return 1
		sleep "$_i"
		_i=$((_i + 1))
	done
}

upkeep_record_dir=''
upkeep_record_tmp() {
	[ -n "$upkeep_record_dir" ] && [ -d "$upkeep_record_dir" ] && return 0
	upkeep_record_dir=$(mktemp -d "${TMPDIR:-/tmp}/upkeep-record.XXXXXX") || return 1
}

upkeep_record_done() {
	[ -z "$upkeep_record_dir" ] || rm -rf "$upkeep_record_dir"
	upkeep_record_dir=''
}

# Everything the Pushgateway holds, in the text format, into $1. Fails quietly;
# the caller says what that means for it.
upkeep_pushgateway_fetch() { # out-file
	[ -n "${UPKEEP_PUSHGATEWAY_URL:-}" ] || {
		upkeep_http_err="UPKEEP_PUSHGATEWAY_URL is not set"
		return 1
	}
	upkeep_http_retry GET "${UPKEEP_PUSHGATEWAY_URL%/}/metrics" "$1"
}

# The value of one task's series in a /metrics text file ($1), or nothing.
# Pushgateway prints labels sorted; we match each label on its own.
upkeep_pushgateway_value() { # file metric environment task
	awk -v m="$2" -v e="environment=\"$3\"" -v t="task=\"$4\"" '
	index($0, m "{") == 1 && index($0, "job=\"upkeep\"") && index($0, e) && index($0, t) { v = $NF }
	END { if (v != "") print v }' "$1"
}

# The outcome line (the run's last line on stdout) as the Pushgateway's text
# format, with the group's path on the first line. The previous metrics
# ($2, possibly empty) carry cleanup's per-table state across runs.
upkeep_record_convert() { # outcome-json previous-metrics-file
	_end=$(printf '%s\n' "$1" | sed -n 's/.*"end":"\([0-9-]*\)T\([0-9:]*\)Z".*/\1 \2/p')
	_end=$(date -u -d "$_end" +%s 2>/dev/null) || _end=''
	printf '%s\n' "$1" | awk -v prevfile="$2" -v end="$_end" "$upkeep_record_awk"
}

# shellcheck disable=SC2016 # awk's own $ fields, not the shell's
upkeep_json_awk='
# JSON: a small recursive-descent reader for the one-line objects
# upkeep_outcome prints; json_parse(text, what) puts each value in J[path]
# and its type in T[path] (s, n, b, null), with paths such as
# figures.tables[0].table; on bad input it says "<what>: ..." and exits 1.
function fail(msg) { printf "%s: %s at character %d\n", JWHAT, msg, JP > "/dev/stderr"; exit 1 }
function jws() { while (JP <= JN && index(" \t\r\n", substr(JS, JP, 1))) JP++ }
function str(   out, c) {
	JP++
	out = ""
	while (JP <= JN) {
		c = substr(JS, JP, 1)
		if (c == "\"") { JP++; return out }
		if (c == "\\") {
			JP++
			c = substr(JS, JP, 1)
			if (c == "n") c = "\n"
			else if (c == "t") c = "\t"
			else if (c == "r" || c == "b" || c == "f") c = " "
			else if (c == "u") { c = "?"; JP += 4 }
		}
		out = out c
		JP++
	}
	fail("unterminated string")
}
function val(path,   c, k, i) {
	jws()
	c = substr(JS, JP, 1)
	if (c == "{") {
		JP++
		jws()
		if (substr(JS, JP, 1) == "}") { JP++; return }
		while (1) {
			jws()
			if (substr(JS, JP, 1) != "\"") fail("expected a key")
			k = str()
			jws()
			if (substr(JS, JP, 1) != ":") fail("expected :")
			JP++
			val(path == "" ? k : path "." k)
			jws()
			c = substr(JS, JP, 1)
			JP++
			if (c == "}") return
			if (c != ",") fail("expected , or }")
		}
	}
	if (c == "[") {
		JP++
		jws()
		if (substr(JS, JP, 1) == "]") { JP++; return }
		for (i = 0; ; i++) {
			val(path "[" i "]")
			jws()
			c = substr(JS, JP, 1)
			JP++
			if (c == "]") return
			if (c != ",") fail("expected , or ]")
		}
	}
	if (c == "\"") { J[path] = str(); T[path] = "s"; return }
	if (match(substr(JS, JP), /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { J[path] = substr(JS, JP, RLENGTH); T[path] = "n"; JP += RLENGTH; return }
	if (substr(JS, JP, 4) == "true") { J[path] = 1; T[path] = "b"; JP += 4; return }
	if (substr(JS, JP, 5) == "false") { J[path] = 0; T[path] = "b"; JP += 5; return }
	if (substr(JS, JP, 4) == "null") { T[path] = "null"; JP += 4; return }
	fail("unexpected \"" c "\"")
}
function json_parse(text, what) {
	JS = text; JN = length(text); JP = 1; JWHAT = what
	jws()
	if (substr(JS, JP, 1) != "{") fail("not a JSON object")
	val("")
}
'

# shellcheck disable=SC2016 # awk's own $ fields, not the shell's
upkeep_record_awk=$upkeep_json_awk'
# A label value: backslash, quote and newline escaped, one character at a
# time: the replacement text of gsub treats backslashes differently in each awk.
function esc(v,   out, i, c) {
	out = ""
	for (i = 1; i <= length(v); i++) {
		c = substr(v, i, 1)
		if (c == "\\") c = "\\\\"
		else if (c == "\"") c = "\\\""
		else if (c == "\n") c = "\\n"
		out = out c
	}
	return out
}
# Samples are kept per metric family and printed together, each family once
# with its TYPE, as the text format requires.
function gauge(name, labels, value) {
	if (!(name in F)) { F[name] = 1; order[++nf] = name }
	L[name] = L[name] name "{kind=\"" esc(kind) "\"" (labels == "" ? "" : "," labels) "} " value "\n"
}
function label(k, v) { return k "=\"" esc(v) "\"" }
function rfc1123(v) { return v ~ /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ }
# A label value in a Pushgateway /metrics line, or "".
function lv(line, k,   i, r) {
	i = index(line, k "=\"")
	if (!i) return ""
	r = substr(line, i + length(k) + 2)
	return substr(r, 1, index(r, "\"") - 1)
}
# The cleanup state of this task as the Pushgateway holds it from the last push.
function readprev(   line, v) {
	while ((getline line < prevfile) > 0) {
		if (line !~ /^upkeep_cleanup_(rows_remaining|backlog_runs)\{/) continue
		if (lv(line, "job") != "upkeep" || lv(line, "environment") != env || lv(line, "task") != task) continue
		v = line
		sub(/.*[} ]/, "", v)
		if (line ~ /^upkeep_cleanup_rows_remaining/) PREM[lv(line, "table")] = v
		else PRUN[lv(line, "table")] = v
	}
}
{ line = line $0 }
END {
	json_parse(line, "malformed outcome line")
	task = J["task"]; kind = J["kind"]; env = J["environment"]; outcome = J["outcome"]
	if (!rfc1123(env)) { print "the outcome names no environment (UPKEEP_ENVIRONMENT)" > "/dev/stderr"; exit 1 }
	if (!rfc1123(task)) { print "the outcome names no task (UPKEEP_TASK)" > "/dev/stderr"; exit 1 }
	if (outcome !~ /^(success|failed|skipped|partial)$/) { print "unknown outcome \"" outcome "\"" > "/dev/stderr"; exit 1 }
	if (end !~ /^[0-9]+$/) { print "the outcome has no end time" > "/dev/stderr"; exit 1 }
	if (kind == "cleanup" && prevfile != "") readprev()
	print "/metrics/job/upkeep/environment/" env "/task/" task
	gauge("upkeep_task_last_run_timestamp_seconds", "", end)
	# Real runs only: a skip, a failure or a partial run never moves it.
	if (outcome == "success") gauge("upkeep_task_last_success_timestamp_seconds", "", end)
	split("success failed skipped partial", all, " ")
	for (i = 1; i <= 4; i++) gauge("upkeep_task_outcome", label("outcome", all[i]), all[i] == outcome ? 1 : 0)
	if (T["seconds"] == "n") gauge("upkeep_task_duration_seconds", "", J["seconds"])
	if (outcome != "skipped") figures()
	for (i = 1; i <= nf; i++) printf "# TYPE %s gauge\n%s", order[i], L[order[i]]
}
# The figures each script prints (their upkeep_figures), by kind, as gauges.
function figures(   i, p, t, d, seen) {
	if (kind == "cleanup") {
		# {"tables":[{"table","deleted","rowsLeft",...}]}; rowsLeft is null when the table was not counted.
		for (i = 0; ((p = "figures.tables[" i "].") "table") in T; i++) {
			t = J[p "table"]
			seen[t] = 1
			if (T[p "deleted"] == "n") gauge("upkeep_cleanup_rows_deleted", label("table", t), J[p "deleted"])
			if (T[p "rowsLeft"] == "n") {
				# Runs in a row that left rows older than the cutoff without shrinking them.
				d = J[p "rowsLeft"] + 0 > 0 ? ((t in PREM) && J[p "rowsLeft"] + 0 >= PREM[t] + 0 ? PRUN[t] + 1 : 1) : 0
				gauge("upkeep_cleanup_rows_remaining", label("table", t), J[p "rowsLeft"])
				gauge("upkeep_cleanup_backlog_runs", label("table", t), d)
			} else if (t in PREM) {
				# Not counted this run (the table failed): the last count stands.
				gauge("upkeep_cleanup_rows_remaining", label("table", t), PREM[t])
				gauge("upkeep_cleanup_backlog_runs", label("table", t), PRUN[t] + 0)
			}
		}
		# A run that did not finish keeps what the last run knew of the tables it never reached.
		if (outcome != "success" && i > 0) for (t in PREM) if (!(t in seen)) {
			gauge("upkeep_cleanup_rows_remaining", label("table", t), PREM[t])
			gauge("upkeep_cleanup_backlog_runs", label("table", t), PRUN[t] + 0)
		}
	} else if (kind == "reindex") {
		if (T["figures.indexesRebuilt"] == "n") gauge("upkeep_reindex_indexes_rebuilt", "", J["figures.indexesRebuilt"])
		if (T["figures.leftoversDropped"] == "n") gauge("upkeep_reindex_leftovers_dropped", "", J["figures.leftoversDropped"])
	} else if (kind == "vacuum") {
		if (T["figures.tablesDone"] == "n") gauge("upkeep_vacuum_tables_done", "", J["figures.tablesDone"])
		if (T["figures.tablesSkipped"] == "n") gauge("upkeep_vacuum_tables_skipped", "", J["figures.tablesSkipped"])
	} else if (kind == "dump-verify") {
		# {"ageHours","restoreSeconds","checks":[{"check","ok","detail"}]}; null before the step that measures it.
		if (T["figures.ageHours"] == "n") gauge("upkeep_dump_age_seconds", "", J["figures.ageHours"] * 3600)
		if (T["figures.restoreSeconds"] == "n") gauge("upkeep_dump_restore_seconds", "", J["figures.restoreSeconds"])
		for (i = 0; ((p = "figures.checks[" i "].") "check") in T; i++) {
			if (T[p "check"] == "s" && T[p "ok"] == "b") gauge("upkeep_dump_check_passed", label("check", J[p "check"]), J[p "ok"])
		}
	} else if (kind == "tls-check") {
		# {"endpoints":[{"endpoint":"host:port","daysLeft",...}]}; daysLeft is null when no certificate was read.
		for (i = 0; ((p = "figures.endpoints[" i "].") "endpoint") in T; i++) {
			if (T[p "daysLeft"] == "n") gauge("upkeep_endpoint_certificate_days_left", label("endpoint", J[p "endpoint"]), J[p "daysLeft"])
		}
	} else if (kind == "verify") {
		# {"endpoints":[{"url","ok","status","latencyMs",...}]}; latencyMs is null without a response.
		for (i = 0; ((p = "figures.endpoints[" i "].") "url") in T; i++) {
			if (T[p "ok"] == "b") gauge("upkeep_endpoint_up", label("endpoint", J[p "url"]), J[p "ok"])
			if (T[p "latencyMs"] == "n") gauge("upkeep_endpoint_latency_seconds", label("endpoint", J[p "url"]), J[p "latencyMs"] / 1000)
		}
	}
}
'

# Pushes one outcome line. Returns 0 whatever happens.
upkeep_record_push() { # outcome-json
	[ -n "${UPKEEP_PUSHGATEWAY_URL:-}" ] || return 0
	if ! upkeep_record_tmp; then
		upkeep_record_say "could not push the outcome to the Pushgateway: no scratch directory in ${TMPDIR:-/tmp}"
		return 0
	fi
	_prev="$upkeep_record_dir/previous"
	: >"$_prev"
	# Only cleanup needs the previous values (its backlog streak); a failed read means no streak to continue.
	case $1 in *'"kind":"cleanup"'*) upkeep_pushgateway_fetch "$_prev" || : >"$_prev" ;; esac
	if ! upkeep_record_convert "$1" "$_prev" >"$upkeep_record_dir/push" 2>"$upkeep_record_dir/convert.err"; then
		upkeep_record_say "could not push the outcome to the Pushgateway: $(head -n 1 "$upkeep_record_dir/convert.err")"
		upkeep_record_done
		return 0
	fi
	_path=$(head -n 1 "$upkeep_record_dir/push")
	sed 1d "$upkeep_record_dir/push" >"$upkeep_record_dir/body"
	if ! upkeep_http_retry POST "${UPKEEP_PUSHGATEWAY_URL%/}$_path" "$upkeep_record_dir/answer" "$upkeep_record_dir/body"; then
		upkeep_record_say "could not push the outcome to the Pushgateway at ${UPKEEP_PUSHGATEWAY_URL%/}: $upkeep_http_err"
	fi
	upkeep_record_done
	return 0
}

# Whether this period's real run already succeeded, as the Pushgateway knows:
# 0 yes (upkeep_last_success is its epoch), 1 not yet, 2 no answer
# (upkeep_http_err says why).
upkeep_period_succeeded() { # environment task period-start-epoch
	upkeep_last_success=''
	if ! upkeep_record_tmp; then
		upkeep_http_err="no scratch directory in ${TMPDIR:-/tmp}"
		return 2
	fi
	if ! upkeep_pushgateway_fetch "$upkeep_record_dir/now"; then
		upkeep_record_done
		return 2
	fi
	_v=$(upkeep_pushgateway_value "$upkeep_record_dir/now" upkeep_task_last_success_timestamp_seconds "$1" "$2")
	upkeep_record_done
	[ -n "$_v" ] || return 1
	upkeep_last_success=$(awk -v v="$_v" 'BEGIN { printf "%d", v + 0 }')
	[ "$upkeep_last_success" -ge "$3" ]
}
