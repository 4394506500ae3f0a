#!/bin/sh
# post-maintenance-verify with a Pushgateway: verify every endpoint
# (verify-endpoints.sh, which then sends and pushes nothing itself), build the
# window's report from what every task pushed (each task scheduled in the
# window that just ended with its outcome, duration and figures, each one
# that did not run) and the endpoints' health, and send it as the completion
# notice: to the webhook, or on Kubernetes only without one to Alertmanager as
# the info alert UpkeepMaintenanceReport (notify.sh, as the verification
# alone does). The run's outcome line is the verification's, with what became
# of the report: a notice that could not be sent fails the run, as it fails
# the verification alone; a report that could not be built or published
# makes a successful run partial, with one line saying why.
#
# With AWS the pod has three steps, sharing UPKEEP_REPORT_DIR (an emptyDir):
#   UPKEEP_STEP=report   (init, this image) verify, build, notify; leaves the
#                        report, notice.md and subject there; no outcome line
#   report-publish.sh    (init, AWS CLI) the info topic and the maintenance log
#   UPKEEP_STEP=outcome  (this image) the outcome line, from what both left
# Without UPKEEP_STEP it does all of it in one go (Kubernetes only).
#
# UPKEEP_WINDOW: "HH:MM minutes", the window's local start and length
# UPKEEP_REPORT_TASKS: whitespace-separated id|kind|cadence|days|months, the
#   tasks and the window days (sun..sat, comma-separated) and months (1..12 or
#   *) they are scheduled on
# UPKEEP_WEBHOOK_URL (optional) is a secret: it is never printed.
# Files in UPKEEP_REPORT_DIR: <date>-<day>.json and .md (the report), name,
# subject, notice.md (the notice's text), start, verify (the verification's
# outcome line), verify.code, notice ("sent webhook", "failed <why>", "none"),
# report ("built" or "failed <why>"), published (by report-publish.sh).
set -eu
set -f
upkeep_name=report
upkeep_kind=verify
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$here/notify.sh"
# shellcheck disable=SC2154 # upkeep_http_err, upkeep_send_error and upkeep_sent_to are set by record.sh and notify.sh

step=${UPKEEP_STEP:-}
case $step in '' | report | outcome) ;; *) upkeep_invalid "UPKEEP_STEP must be report or outcome, got '$step'" ;; esac
dir=${UPKEEP_REPORT_DIR:-}
if [ -z "$dir" ]; then
	[ -z "$step" ] || upkeep_invalid "UPKEEP_REPORT_DIR is not set: the steps share the report through it"
	upkeep_tmpdir
	dir=$upkeep_tmp/report
fi
mkdir -p "$dir" || upkeep_fail "cannot write the report to $dir"
zone=${UPKEEP_TIMEZONE:-UTC}
environment=${UPKEEP_ENVIRONMENT:-}

problem() { # one line on stderr
	printf 'upkeep report: %s\n' "$*" >&2
}

# ---------------------------------------------------------------- the report
# shellcheck disable=SC2016 # awk's own $ fields, not the shell's
report_awk='
# Text as a JSON string, and a Markdown table cell: replaced literally, one
# occurrence at a time (gsub treats backslashes differently in each awk).
function rep(v, a, b,   out, i) {
	out = ""
	while ((i = index(v, a)) > 0) { out = out substr(v, 1, i - 1) b; v = substr(v, i + length(a)) }
	return out v
}
function js(v) { return "\"" rep(rep(rep(rep(v, "\\", "\\\\"), "\"", "\\\""), "\n", "\\n"), "\t", "\\t") "\"" }
function cell(v) { return rep(rep(v, "|", "\\|"), "\n", " ") }
function num(v) { return v + 0 }
function iso(t,   cmd, r) {
	cmd = "date -u -d @" int(t) " +%Y-%m-%dT%H:%M:%SZ"
	cmd | getline r
	close(cmd)
	return r
}
function dur(s) { s = int(s); return s >= 60 ? int(s / 60) "m " (s % 60) "s" : s "s" }
# A series line of the text format: its name in NAME, its labels unescaped in
# LBL, its value returned.
function series(line,   i, c, k, v, n) {
	split("", LBL)
	i = index(line, "{")
	NAME = substr(line, 1, i - 1)
	n = length(line)
	i++
	while (i <= n && substr(line, i, 1) != "}") {
		k = ""
		while (i <= n && (c = substr(line, i, 1)) != "=") { k = k c; i++ }
		i += 2
		v = ""
		while (i <= n && (c = substr(line, i, 1)) != "\"") {
			if (c == "\\") {
				i++
				c = substr(line, i, 1)
				if (c == "n") c = "\n"
			}
			v = v c
			i++
		}
		LBL[k] = v
		i++
		if (substr(line, i, 1) == ",") i++
	}
	v = substr(line, i + 1)
	sub(/^ +/, "", v)
	sub(/ .*/, "", v)
	return v
}
# The labels beyond the grouping key and kind, as JSON and as words.
function extra(   k, j, w) {
	j = ""; w = ""
	for (k in LBL) {
		if (k == "job" || k == "environment" || k == "task" || k == "kind" || k == "instance") continue
		j = j (j == "" ? "" : ",") js(k) ":" js(LBL[k])
		w = w (w == "" ? "" : " ") LBL[k]
	}
	EJ = j; EW = w
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
}
/^upkeep_[a-z_]+\{/ {
	v = series($0)
	if (LBL["job"] != "upkeep" || LBL["environment"] != env) next
	t = LBL["task"]
	if (NAME == "upkeep_task_last_run_timestamp_seconds") LR[t] = v
	else if (NAME == "upkeep_task_duration_seconds") DUR[t] = v
	else if (NAME == "upkeep_task_outcome") { if (num(v) == 1) OUT[t] = LBL["outcome"] }
	else if (NAME in FIGWORD) {
		extra()
		n = ++NFIG[t]
		FJ[t, n] = "{\"metric\":" js(NAME) ",\"labels\":{" EJ "},\"value\":" num(v) "}"
		FW[t, n] = (EW == "" ? "" : EW " ") FIGWORD[NAME] " " num(v)
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
		if (ran && o != "skipped") for (k = 1; k <= NFIG[id]; k++) {
			figs = figs (figs == "" ? "" : ",") FJ[id, k]
			words = words (words == "" ? "" : ", ") FW[id, k]
		}
		tj = tj (tj == "" ? "" : ",\n    ") "{\"task\":" js(id) ",\"kind\":" js(kind) ",\"cadence\":" js(cadence) ",\"outcome\":" js(o) \
			",\"end\":" (ran ? js(iso(LR[id])) : "null") ",\"seconds\":" (ran && (id in DUR) ? num(DUR[id]) : "null") ",\"figures\":[" figs "]}"
		tm = tm "| `" id "` | " kind " | " (o == "not-run" ? "**did not run**" : o == "success" ? "success" : "**" o "**") " | " \
			(ran && (id in DUR) ? dur(DUR[id]) : "–") " | " (words == "" ? "–" : cell(words)) " |\n"
	}
	# Endpoint health: the verification of this very run, from its outcome line.
	if ((getline vline < vfile) > 0) json_parse(vline, "the verification outcome line is malformed")
	ej = ""; em = ""; unhealthy = 0; shown = 0
	for (i = 0; ((p = "figures.endpoints[" i "].") "url") in T; i++) {
		shown++
		up = T[p "ok"] == "b" && J[p "ok"] == 1
		if (!up) unhealthy++
		lat = T[p "latencyMs"] == "n" ? J[p "latencyMs"] / 1000 : ""
		ej = ej (ej == "" ? "" : ",\n    ") "{\"endpoint\":" js(J[p "url"]) ",\"up\":" (up ? "true" : "false") ",\"latencySeconds\":" (lat == "" ? "null" : lat) "}"
		em = em "| " cell(J[p "url"]) " | " (up ? "healthy" : "**unhealthy**") " | " (lat == "" ? "–" : int(lat * 1000) " ms") " |\n"
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
'

# Verify, build the report and send the notice; everything the outcome needs
# is left in $dir.
build() {
	echo "$upkeep_start" >"$dir/start"
	: >"$dir/published"
	# 1. The endpoints, with the verification's own notice and push held back: the report is the notice, and this run reports once.
	upkeep_run - env UPKEEP_WEBHOOK_URL= UPKEEP_ALERTMANAGER_URL= UPKEEP_PUSHGATEWAY_URL= sh "$here/verify-endpoints.sh"
	echo "$upkeep_rc" >"$dir/verify.code"
	cat "$upkeep_tmp/err" >&2
	sed '$d' "$upkeep_tmp/out"
	tail -n 1 "$upkeep_tmp/out" >"$dir/verify"
	verify_log=$(sed '$d' "$upkeep_tmp/out")

	# 2. The window that just ended: today's start, or yesterday's if today's is still ahead.
	window=${UPKEEP_WINDOW:-}
	case $window in
	[0-2][0-9]:[0-5][0-9]' '[1-9]*) ;;
	*) upkeep_invalid "UPKEEP_WINDOW must be \"HH:MM minutes\", got '$window'" ;;
	esac
	[ -n "$environment" ] || upkeep_invalid "UPKEEP_ENVIRONMENT is not set"
	start_hhmm=${window%% *} minutes=${window#* }
	now=$(upkeep_now)
	ws=$(TZ=$zone date -d "$(TZ=$zone date -d "@$now" +%Y-%m-%d) $start_hhmm:00" +%s)
	[ "$ws" -le "$now" ] || ws=$(TZ=$zone date -d "$(TZ=$zone date -d "@$((now - 86400))" +%Y-%m-%d) $start_hhmm:00" +%s)
	we=$((ws + minutes * 60))
	date_local=$(TZ=$zone date -d "@$ws" +%Y-%m-%d)
	day=$(TZ=$zone date -d "@$ws" +%a | tr '[:upper:]' '[:lower:]')
	month=$(TZ=$zone date -d "@$ws" +%m)
	month=${month#0}
	from=$(TZ=$zone date -d "@$ws" '+%a %Y-%m-%d %H:%M')
	to=$(TZ=$zone date -d "@$we" +%H:%M)
	name="$date_local-$day"
	# SNS subjects are ASCII, one line, under 100 characters.
	printf '[upkeep %s] Maintenance report %s-%s %s\n' "$environment" "$from" "$to" "$zone" | cut -c 1-99 >"$dir/subject"

	# 3. What every task pushed, and the report.
	if ! upkeep_pushgateway_fetch "$upkeep_tmp/metrics"; then
		echo "failed could not read the Pushgateway at ${UPKEEP_PUSHGATEWAY_URL:-(unset)}: $upkeep_http_err" >"$dir/report"
	elif ! awk -v env="$environment" -v ws="$ws" -v we="$we" -v now="$now" -v day="$day" -v month="$month" \
		-v tasks="${UPKEEP_REPORT_TASKS:-}" -v zone="$zone" -v date="$date_local" -v label="$from–$to $zone" \
		-v vfile="$dir/verify" -v json="$dir/$name.json" -v md="$dir/$name.md" \
		"$upkeep_json_awk$report_awk" "$upkeep_tmp/metrics" 2>"$upkeep_tmp/awk.err"; then
		echo "failed could not build the report: $(head -n 1 "$upkeep_tmp/awk.err")" >"$dir/report"
	else
		echo built >"$dir/report"
		echo "$name" >"$dir/name"
		upkeep_log "$name: $(sed -n 3p "$dir/$name.md")"
	fi

	# 4. The completion notice: the report, or without one what the verification found.
	if [ -f "$dir/name" ]; then
		cp "$dir/$name.md" "$dir/notice.md"
	else
		_why=$(sed 's/^failed //' "$dir/report")
		problem "$_why"
		{
			printf '%s\n' "$verify_log" | grep 'after the maintenance window' || :
			printf '%s\n' "$verify_log" | grep '^upkeep verify: FAIL ' || :
			printf '\nNo window report: %s\n' "$_why"
		} >"$dir/notice.md"
	fi
	if [ -z "${UPKEEP_WEBHOOK_URL:-}" ] && [ -z "${UPKEEP_ALERTMANAGER_URL:-}" ]; then
		echo none >"$dir/notice"
	elif upkeep_send UpkeepMaintenanceReport "$(cat "$dir/notice.md")"; then
		echo "sent $upkeep_sent_to" >"$dir/notice"
	else
		problem "could not send the completion notice to the $upkeep_sent_to: $upkeep_send_error"
		echo "failed could not send the completion notice to the $upkeep_sent_to: $upkeep_send_error" >"$dir/notice"
	fi
}

# The run's outcome from what the steps left: the verification's, failed when
# the notice did not go out, partial when the report was not built or not
# published. Exits as the verification did, 1 for a failed notice, else 0.
finish() {
	[ -s "$dir/verify" ] || upkeep_fail "no verification outcome in $dir: the report step did not run"
	read -r code <"$dir/verify.code" || code=1
	read -r upkeep_start <"$dir/start" || :
	vline=$(cat "$dir/verify")
	notice=$(cat "$dir/notice" 2>/dev/null) || notice="failed the report step left no notice state"
	report=$(cat "$dir/report" 2>/dev/null) || report="failed the report step left no report"
	name=''
	[ ! -f "$dir/name" ] || read -r name <"$dir/name"
	topic=none log=none fails='' partly=''
	while IFS=' ' read -r what state why; do
		case $what in topic) topic=$state ;; log) log=$state ;; *) continue ;; esac
		[ "$state" != failed ] || partly="$partly${partly:+; }$why"
	done <"$dir/published"
	case $report in failed\ *) partly="${report#failed }${partly:+; }$partly" ;; esac
	case $notice in failed\ *) fails=${notice#failed } ;; esac
	# The verification's outcome, endpoints and reason, from its line.
	voutcome=$(printf '%s\n' "$vline" | sed -n 's/.*"outcome":"\([a-z]*\)".*/\1/p')
	vreason=$(printf '%s\n' "$vline" | sed -n 's/.*"reason":"\(.*\)","figures":{.*/\1/p')
	endpoints=$(printf '%s\n' "$vline" | sed -n 's/.*"figures":{"endpoints":\(\[.*\]\),"notice":"[a-z]*"}}$/\1/p')
	[ -n "$endpoints" ] || endpoints='[]'
	_n=null
	[ -z "$name" ] || _n="\"$name\""
	figures="{\"endpoints\":$endpoints,\"notice\":\"${notice%% *}\",\"report\":$_n,\"topic\":\"$topic\",\"log\":\"$log\"}"
	if [ "$voutcome" != success ]; then
		# Its reason is already JSON-escaped; ours are plain.
		reason=$(printf '%s' "$vreason" | sed 's/\\"/"/g; s/\\\\/\\/g')
		reason="${reason:-the verification failed}${fails:+; $fails}${partly:+; $partly}"
		upkeep_outcome failed "$figures" "$reason"
		[ "$code" -ne 0 ] || code=1
		exit "$code"
	fi
	if [ -n "$fails" ]; then
		upkeep_outcome failed "$figures" "$fails${partly:+; $partly}"
		exit 1
	fi
	if [ -n "$partly" ]; then
		upkeep_outcome partial "$figures" "$partly"
		exit 0
	fi
	upkeep_outcome success "$figures"
	exit 0
}

case $step in
report)
	build
	exit 0
	;;
outcome) finish ;;
*)
	build
	finish
	;;
esac
