#!/bin/sh
# post-maintenance-verify with a Pushgateway: verify every endpoint
# (verify-endpoints.sh, which pushes its own outcome), then build the window's
# report from what every task pushed: each task scheduled in the window that
# just ended with its outcome, duration and figures, each one that did not
# run, and endpoint health. It goes to the webhook as the completion notice,
# and as <date>-<day>.json and .md into UPKEEP_REPORT_DIR (for the publisher:
# the info topic and the maintenance log). Exits as verification did, or 1 when
# the report could not be built or sent. The verification's outcome line
# stays the last line on stdout.
# UPKEEP_WINDOW: "HH:MM minutes", the window's local start and length
# UPKEEP_REPORT_TASKS: whitespace-separated id|kind|cadence|days|months, the
#   tasks and the window days (sun..sat, comma-separated) and months (1..12 or
#   *) they are scheduled on
# UPKEEP_WEBHOOK_URL (optional) is a secret: it is never printed.
set -eu
set -f
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=record.sh disable=SC1091
. "$here/record.sh"
# shellcheck disable=SC2154 # upkeep_record_dir and upkeep_http_err are set by record.sh

say() {
	printf 'upkeep report: %s\n' "$*" >&2
}

zone=${UPKEEP_TIMEZONE:-UTC}
environment=${UPKEEP_ENVIRONMENT:-}
window=${UPKEEP_WINDOW:-}
webhook=${UPKEEP_WEBHOOK_URL:-}
out_dir=${UPKEEP_REPORT_DIR:-${TMPDIR:-/tmp}}
upkeep_record_tmp || {
	say "no scratch directory in ${TMPDIR:-/tmp}"
	exit 1
}
work=${upkeep_record_dir:?}
trap 'rm -rf "$work"' EXIT

# 1. Verification, its notice held back: the report is the notice.
if UPKEEP_WEBHOOK_URL='' sh "$here/verify-endpoints.sh" >"$work/verify.out"; then verified=0; else verified=$?; fi
outcome_line=$(tail -n 1 "$work/verify.out")
sed '$d' "$work/verify.out"

finish() { # exit-code
	printf '%s\n' "$outcome_line"
	exit "$1"
}

case $window in
[0-2][0-9]:[0-5][0-9]' '[1-9]*) ;;
*)
	say "UPKEEP_WINDOW must be \"HH:MM minutes\", got '$window'"
	finish 1
	;;
esac
[ -n "$environment" ] || {
	say "UPKEEP_ENVIRONMENT is not set"
	finish 1
}

# 2. The window that just ended: today's start, or yesterday's if today's is still ahead.
start_hhmm=${window%% *} minutes=${window#* }
now=$(date +%s)
local_day() { TZ=$zone date -d "@$1" +%Y-%m-%d; }
ws=$(TZ=$zone date -d "$(local_day "$now") $start_hhmm:00" +%s)
[ "$ws" -le "$now" ] || ws=$(TZ=$zone date -d "$(local_day $((now - 86400))) $start_hhmm:00" +%s)
we=$((ws + minutes * 60))
date_local=$(local_day "$ws")
day=$(TZ=$zone date -d "@$ws" +%a | tr '[:upper:]' '[:lower:]')
month=$(TZ=$zone date -d "@$ws" +%m)
month=${month#0}
label="$(TZ=$zone date -d "@$ws" '+%a %Y-%m-%d %H:%M')–$(TZ=$zone date -d "@$we" +%H:%M) $zone"
name="$date_local-$day"

# 3. What every task pushed.
if ! upkeep_pushgateway_fetch "$work/metrics"; then
	say "could not read the Pushgateway at ${UPKEEP_PUSHGATEWAY_URL:-}: ${upkeep_http_err:-}; no report"
	finish 1
fi
mkdir -p "$out_dir"
if ! awk -v env="$environment" -v ws="$ws" -v we="$we" -v now="$now" -v day="$day" -v month="$month" \
	-v tasks="${UPKEEP_REPORT_TASKS:-}" -v zone="$zone" -v date="$date_local" -v label="$label" \
	-v json="$out_dir/$name.json" -v md="$out_dir/$name.md" -f /dev/fd/3 "$work/metrics" 3<<'EOF'; then
function lv(line, k,   i, r) {
	i = index(line, k "=\"")
	if (!i) return ""
	r = substr(line, i + length(k) + 2)
	return substr(r, 1, index(r, "\"") - 1)
}
function js(v) { gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); gsub(/\t/, "\\t", v); return "\"" v "\"" }
function num(v) { return v + 0 }
function iso(t,   cmd, r) {
	cmd = "date -u -d @" int(t) " +%Y-%m-%dT%H:%M:%SZ"
	cmd | getline r
	close(cmd)
	return r
}
function dur(s) { s = int(s); return s >= 60 ? int(s / 60) "m " (s % 60) "s" : s "s" }
# The labels of a series beyond the grouping key and kind, as JSON and as words.
function extra(line,   body, n, i, kv, k, v, j, w) {
	body = substr(line, index(line, "{") + 1)
	body = substr(body, 1, index(body, "}") - 1)
	n = split(body, kv, "\",")
	EJ = ""; EW = ""
	for (i = 1; i <= n; i++) {
		k = substr(kv[i], 1, index(kv[i], "=") - 1)
		v = substr(kv[i], index(kv[i], "=\"") + 2)
		sub(/"$/, "", v)
		if (k == "job" || k == "environment" || k == "task" || k == "kind" || k == "instance") continue
		EJ = EJ (EJ == "" ? "" : ",") js(k) ":" js(v)
		EW = EW (EW == "" ? "" : " ") v
	}
}
BEGIN {
	FIGWORD["upkeep_cleanup_rows_deleted"] = "deleted"
	FIGWORD["upkeep_cleanup_rows_remaining"] = "older rows left"
	FIGWORD["upkeep_cleanup_backlog_runs"] = "runs without shrinking"
	FIGWORD["upkeep_reindex_indexes_rebuilt"] = "indexes rebuilt"
	FIGWORD["upkeep_reindex_leftovers_dropped"] = "leftovers dropped"
	FIGWORD["upkeep_vacuum_tables_done"] = "tables done"
	FIGWORD["upkeep_vacuum_tables_skipped"] = "tables skipped"
	FIGWORD["upkeep_dump_age_seconds"] = "dump age (s)"
	FIGWORD["upkeep_dump_restore_seconds"] = "restore (s)"
	FIGWORD["upkeep_dump_check_passed"] = "check passed"
	FIGWORD["upkeep_endpoint_certificate_days_left"] = "days left"
	FIGWORD["upkeep_endpoint_up"] = "up"
	FIGWORD["upkeep_endpoint_latency_seconds"] = "latency (s)"
}
/^upkeep_[a-z_]+\{/ {
	if (lv($0, "job") != "upkeep" || lv($0, "environment") != env) next
	name = substr($0, 1, index($0, "{") - 1)
	t = lv($0, "task")
	v = $NF
	if (name == "upkeep_task_last_run_timestamp_seconds") LR[t] = v
	else if (name == "upkeep_task_duration_seconds") DUR[t] = v
	else if (name == "upkeep_task_outcome") { if (num(v) == 1) OUT[t] = lv($0, "outcome") }
	else if (name == "upkeep_task_last_success_timestamp_seconds") LS[t] = v
	else if (name in FIGWORD) {
		extra($0)
		n = ++NF_[t]
		FJ[t, n] = "{\"metric\":" js(name) ",\"labels\":{" EJ "},\"value\":" num(v) "}"
		FW[t, n] = (EW == "" ? "" : EW " ") FIGWORD[name] " " num(v)
		if (name == "upkeep_endpoint_up") { EP[++ne] = lv($0, "endpoint"); UP[EP[ne]] = num(v); EPT[EP[ne]] = t }
		if (name == "upkeep_endpoint_latency_seconds") LAT[lv($0, "endpoint")] = num(v)
	}
}
END {
	nt = split(tasks, entry, " ")
	tj = ""; tm = ""
	for (i = 1; i <= nt; i++) {
		split(entry[i], f, "|")
		id = f[1]; kind = f[2]; cadence = f[3]
		if (index("," f[4] ",", "," day ",") == 0) continue
		if (f[5] != "*" && index("," f[5] ",", "," month ",") == 0) continue
		total++
		ran = (id in LR) && num(LR[id]) >= ws - 600 && num(LR[id]) <= now + 60
		o = ran && (id in OUT) ? OUT[id] : "not-run"
		count[o]++
		figs = ""; words = ""
		if (ran && o != "skipped") for (k = 1; k <= NF_[id]; k++) {
			figs = figs (figs == "" ? "" : ",") FJ[id, k]
			words = words (words == "" ? "" : ", ") FW[id, k]
		}
		tj = tj (tj == "" ? "" : ",\n    ") "{\"task\":" js(id) ",\"kind\":" js(kind) ",\"cadence\":" js(cadence) ",\"outcome\":" js(o) \
			",\"end\":" (ran ? js(iso(LR[id])) : "null") ",\"seconds\":" (ran && (id in DUR) ? num(DUR[id]) : "null") ",\"figures\":[" figs "]}"
		tm = tm "| `" id "` | " kind " | " (o == "not-run" ? "**did not run**" : o == "success" ? "success" : "**" o "**") " | " \
			(ran && (id in DUR) ? dur(DUR[id]) : "–") " | " (words == "" ? "–" : words) " |\n"
	}
	ej = ""; em = ""; unhealthy = 0; shown = 0
	for (i = 1; i <= ne; i++) {
		e = EP[i]
		# Only this window's verification counts.
		if (!(EPT[e] in LR) || num(LR[EPT[e]]) < ws) continue
		shown++
		if (!UP[e]) unhealthy++
		ej = ej (ej == "" ? "" : ",\n    ") "{\"endpoint\":" js(e) ",\"up\":" (UP[e] ? "true" : "false") ",\"latencySeconds\":" (e in LAT ? LAT[e] : "null") "}"
		em = em "| " e " | " (UP[e] ? "healthy" : "**unhealthy**") " | " (e in LAT ? int(LAT[e] * 1000) " ms" : "–") " |\n"
	}
	printf "{\n  \"environment\": %s,\n  \"window\": {\"day\": %s, \"date\": %s, \"start\": %s, \"end\": %s, \"timeZone\": %s, \"label\": %s},\n", \
		js(env), js(day), js(date), js(iso(ws)), js(iso(we)), js(zone), js(label) > json
	printf "  \"generatedAt\": %s,\n", js(iso(now)) > json
	printf "  \"summary\": {\"tasks\": %d, \"success\": %d, \"failed\": %d, \"partial\": %d, \"skipped\": %d, \"notRun\": %d, \"endpoints\": %d, \"endpointsUnhealthy\": %d},\n", \
		total, count["success"], count["failed"], count["partial"], count["skipped"], count["not-run"], shown, unhealthy > json
	printf "  \"tasks\": [%s%s%s],\n  \"endpoints\": [%s%s%s]\n}\n", (tj == "" ? "" : "\n    "), tj, (tj == "" ? "" : "\n  "), (ej == "" ? "" : "\n    "), ej, (ej == "" ? "" : "\n  ") > json
	printf "# Maintenance report: %s, %s\n\n", env, label > md
	printf "%d task(s): %d succeeded, %d failed, %d partial, %d skipped, %d did not run. Endpoints: %d of %d healthy.\n\n", \
		total, count["success"], count["failed"], count["partial"], count["skipped"], count["not-run"], shown - unhealthy, shown > md
	if (total > 0) printf "| Task | Kind | Outcome | Duration | Figures |\n| --- | --- | --- | --- | --- |\n%s\n", tm > md
	if (shown > 0) printf "## Endpoints\n\n| Endpoint | Health | Latency |\n| --- | --- | --- |\n%s", em > md
}
EOF
	say "could not build the report"
	finish 1
fi
say "$name: $(sed -n 3p "$out_dir/$name.md")"

# 4. The completion notice: the report's Markdown, to the webhook.
[ -n "$webhook" ] || finish "$verified"
text=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$out_dir/$name.md" | awk '{ printf "%s%s", sep, $0; sep = "\\n" }')
printf '{"text": "%s"}\n' "$text" >"$work/notice"
case $webhook in
http://?* | https://?*) ;;
*)
	say "UPKEEP_WEBHOOK_URL is not an http(s) URL" # never echo it
	finish 1
	;;
esac
if ! UPKEEP_PUSH_TIMEOUT=10 UPKEEP_PUSH_ATTEMPTS=2 upkeep_http_json "$webhook" "$work/notice" "$work/answer"; then
	say "could not send the report to the webhook: ${upkeep_http_err:-}"
	finish 1
fi
finish "$verified"
