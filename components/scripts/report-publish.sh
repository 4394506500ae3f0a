#!/bin/sh
# With AWS, the second step of post-maintenance-verify, in the AWS CLI image:
# publish what window-report.sh (UPKEEP_STEP=report) left in UPKEEP_REPORT_DIR.
#   - notice.md to the info topic UPKEEP_INFO_TOPIC_ARN, with `subject`: the
#     completion notice to the stakeholders;
#   - with UPKEEP_MAINTENANCE_LOG (s3://bucket/prefix/), <name>.json and
#     <name>.md under the prefix: the maintenance history.
# Credentials come only from what the AWS CLI finds in the environment: the
# IRSA role's web identity token, which the EKS webhook projects into the pod.
# Each failure prints one line and is written to $UPKEEP_REPORT_DIR/published
# ("topic failed <why>", "log failed <why>"), as each success is ("topic
# published <message id>", "log written <uri>"). This step always exits 0:
# the next one reports the run, partial when anything here failed.
# Needs only sh and the aws command.
set -u
dir=${UPKEEP_REPORT_DIR:-/report}
topic=${UPKEEP_INFO_TOPIC_ARN:-}
location=${UPKEEP_MAINTENANCE_LOG:-}
out=$dir/published

say() {
	printf 'upkeep publish: %s\n' "$*" >&2
}

# The last line the AWS CLI printed on stderr ($1): its own one-line reason.
reason() {
	_r=''
	while IFS= read -r _l; do [ -z "$_l" ] || _r=$_l; done <"$1"
	printf '%s' "${_r:-the aws command failed without a message}"
}

failed() { # what why
	say "$2"
	printf '%s failed %s\n' "$1" "$2" >>"$out"
}

if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
	say "cannot write to $dir: nothing published"
	exit 0
fi
err=$dir/publish.err
# Each call is limited (--cli-connect-timeout 3, --cli-read-timeout 7) as
# PUBLISH_SECONDS (verification.ts) counts it with AWS_MAX_ATTEMPTS=2.

# The topic's region; the bucket's, if another, the CLI follows S3's redirect to.
region=''
case $topic in arn:aws*:sns:*:*:*)
	region=${topic#arn:*:sns:}
	region=${region%%:*}
	;;
esac

# 1. The completion notice.
case $topic in
arn:aws*:sns:*:*:*)
	subject=''
	[ ! -r "$dir/subject" ] || IFS= read -r subject <"$dir/subject"
	if [ ! -r "$dir/notice.md" ]; then
		failed topic "could not publish the completion notice to $topic: the report step left no notice"
	elif id=$(aws sns publish --cli-connect-timeout 3 --cli-read-timeout 7 --region "$region" --topic-arn "$topic" --subject "${subject:-upkeep maintenance report}" \
		--message "file://$dir/notice.md" --output text --query MessageId 2>"$err"); then
		printf 'topic published %s\n' "$id" >>"$out"
		printf 'upkeep publish: published the completion notice to %s (message %s)\n' "$topic" "$id"
	else
		failed topic "could not publish the completion notice to $topic: $(reason "$err")"
	fi
	;;
'') ;;
*) failed topic "UPKEEP_INFO_TOPIC_ARN is not an SNS topic ARN: '$topic'" ;;
esac

# 2. The maintenance history.
[ -n "$location" ] || exit 0
case $location in
s3://?*/*/)
	rest=${location#s3://}
	bucket=${rest%%/*}
	prefix=${rest#*/}
	;;
*)
	failed log "UPKEEP_MAINTENANCE_LOG must be s3://bucket/prefix/ ending in /, got '$location'"
	exit 0
	;;
esac
name=''
[ ! -r "$dir/name" ] || IFS= read -r name <"$dir/name"
if [ -z "$name" ]; then
	failed log "could not write the report to $location: there is no report to write"
	exit 0
fi
for ext in json md; do
	case $ext in json) type=application/json ;; *) type='text/markdown; charset=utf-8' ;; esac
	if ! aws s3api put-object --cli-connect-timeout 3 --cli-read-timeout 7 ${region:+--region "$region"} --bucket "$bucket" --key "$prefix$name.$ext" --body "$dir/$name.$ext" --content-type "$type" \
		--output text --query ETag >/dev/null 2>"$err"; then
		failed log "could not write $location$name.$ext: $(reason "$err")"
		exit 0
	fi
done
printf 'log written %s%s\n' "$location" "$name" >>"$out"
printf 'upkeep publish: wrote %s%s.json and .md\n' "$location" "$name"
exit 0
