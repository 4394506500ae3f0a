#!/bin/sh
# Copy the newest dump under UPKEEP_DUMP_LOCATION (s3://bucket/prefix/) into
# UPKEEP_DUMP_DIR and record what it is in $UPKEEP_DUMP_DIR/.meta:
#   uri=s3://bucket/key            (a directory dump: s3://bucket/dir/)
#   last_modified=<epoch seconds>  (S3 LastModified, the dump's age)
# "Newest" is by S3 LastModified:
# - custom: the newest object under the prefix;
# - directory: the directory holding the newest toc.dat under the prefix.
#   pg_dump writes toc.dat last, so it dates the whole dump.
# Credentials come only from the environment the AWS CLI finds (IRSA).
set -eu
export UPKEEP_TASK=dump-fetch
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

location=${UPKEEP_DUMP_LOCATION:-}
format=${UPKEEP_DUMP_FORMAT:-custom}
dir=${UPKEEP_DUMP_DIR:-/dump}

case $location in
s3://?*/*/ | s3://?*/) ;;
*) upkeep_fail "UPKEEP_DUMP_LOCATION must be s3://bucket/prefix/ ending in /, got '$location'" ;;
esac
rest=${location#s3://}
bucket=${rest%%/*}
prefix=${rest#*/}

case $format in
custom) query="sort_by(Contents || \`[]\`, &LastModified)[-1].[Key, LastModified]" ;;
directory) query="sort_by(Contents[?ends_with(Key, '/toc.dat')] || \`[]\`, &LastModified)[-1].[Key, LastModified]" ;;
*) upkeep_fail "UPKEEP_DUMP_FORMAT must be custom or directory, got '$format'" ;;
esac

# With --output text the CLI applies --query to each page of 1000 keys, so
# there is one candidate line per page (or "None"): keep the newest. S3
# timestamps are all UTC, so they sort as text.
tab=$(printf '\t')
err=$(mktemp)
if ! found=$(aws s3api list-objects-v2 --bucket "$bucket" --prefix "$prefix" \
	--query "$query" --output text 2>"$err"); then
	upkeep_fail_with "cannot list $location" "$(cat "$err")"
fi
newest=$(printf '%s\n' "$found" | grep "$tab" | sort -t "$tab" -k 2,2 | tail -n 1) || true
[ -n "$newest" ] || upkeep_fail "no dump found under $location"
key=${newest%"$tab"*}
modified=${newest##*"$tab"}
epoch=$(date -u -d "$modified" +%s) || upkeep_fail "cannot read the LastModified '$modified' of s3://$bucket/$key"

rm -rf "$dir/dump" "$dir/.meta"
if [ "$format" = directory ]; then
	uri="s3://$bucket/${key%toc.dat}"
	set -- --recursive "$uri" "$dir/dump/"
else
	uri="s3://$bucket/$key"
	set -- "$uri" "$dir/dump"
fi
if ! aws s3 cp --only-show-errors --no-progress "$@" 2>"$err"; then
	upkeep_fail_with "cannot copy $uri" "$(cat "$err")"
fi
rm -f "$err"

# .meta last: the verifier trusts a dump only once it is complete.
printf 'uri=%s\nlast_modified=%s\n' "$uri" "$epoch" >"$dir/.meta.tmp"
mv "$dir/.meta.tmp" "$dir/.meta"
upkeep_log "fetched $uri (last modified $modified) in $(upkeep_elapsed) s"
