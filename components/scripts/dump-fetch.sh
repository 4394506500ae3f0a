#!/bin/sh
# Copy the newest dump under UPKEEP_DUMP_LOCATION (s3://bucket/prefix/) into
# UPKEEP_DUMP_DIR and record what it is in $UPKEEP_DUMP_DIR/.meta:
#   uri=s3://bucket/key            (a directory dump: s3://bucket/dir/)
#   last_modified=<epoch seconds>  (S3 LastModified, the dump's age)
# "Newest" is by S3 LastModified, among the dumps UPKEEP_DUMP_MATCH selects:
# - custom: the objects under the prefix whose key (after the prefix) matches;
#   by default every object but checksum and signature files beside the dumps
#   (*.sha256, *.sha512, *.sha1, *.md5, *.sig, *.asc), which are uploaded
#   after their dump and would otherwise be "the newest object";
# - directory: the directories under the prefix holding a toc.dat whose path
#   (after the prefix, without the trailing /) matches; by default all.
#   pg_dump writes toc.dat last, so it dates the whole dump.
# UPKEEP_DUMP_MATCH is a glob (with *, ? or [, where * also matches /) or
# else a suffix, e.g. ".dump" or "orders-*.pgdump".
# Only a failure prints an outcome line: the verifier reports the run.
# Credentials come only from the environment the AWS CLI finds (IRSA).
set -eu
upkeep_name=dump-fetch
upkeep_kind=dump-verify
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

location=${UPKEEP_DUMP_LOCATION:-}
format=${UPKEEP_DUMP_FORMAT:-custom}
dir=${UPKEEP_DUMP_DIR:-/dump}
match=${UPKEEP_DUMP_MATCH:-}

upkeep_figures() {
	printf '{"dump":null,"ageHours":null,"restoreSeconds":null,"checks":[],"verdict":"fail"}'
}

case $location in
s3://?*/) ;;
*) upkeep_fail "UPKEEP_DUMP_LOCATION must be s3://bucket/prefix/ ending in /, got '$location'" ;;
esac
rest=${location#s3://}
bucket=${rest%%/*}
prefix=${rest#*/}
case $prefix in
'' | /*) upkeep_fail "UPKEEP_DUMP_LOCATION must name a prefix under the bucket (s3://$bucket/prefix/), not the whole bucket: got '$location'" ;;
esac
case $format in custom | directory) ;; *) upkeep_fail "UPKEEP_DUMP_FORMAT must be custom or directory, got '$format'" ;; esac
case $match in *[[:cntrl:]]*) upkeep_fail "UPKEEP_DUMP_MATCH must not contain control characters" ;; esac

# Whether name $1 (after the prefix) is one of the dumps.
matches() {
	if [ -z "$match" ]; then
		[ "$format" = directory ] && return 0
		case $1 in *.sha256 | *.sha512 | *.sha1 | *.md5 | *.sig | *.asc) return 1 ;; esac
		return 0
	fi
	case $match in
	*[*?[]*)
		# shellcheck disable=SC2254 # the match is a glob on purpose
		case $1 in $match) return 0 ;; esac
		;;
	*) case $1 in *"$match") return 0 ;; esac ;;
	esac
	return 1
}

# One "key<TAB>LastModified" line per object (one "None" for an empty page).
# S3 timestamps are all UTC, so they sort as text.
tab=$(printf '\t')
upkeep_run - aws s3api list-objects-v2 --bucket "$bucket" --prefix "$prefix" \
	--query 'Contents[].[Key, LastModified]' --output text
[ "$upkeep_rc" -eq 0 ] || upkeep_fail_with "cannot list $location" "$(cat "$upkeep_tmp/err")"
while IFS="$tab" read -r key modified; do
	[ -n "$modified" ] || continue
	name=${key#"$prefix"}
	if [ "$format" = directory ]; then
		case $name in */toc.dat) name=${name%/toc.dat} ;; toc.dat) name='' ;; *) continue ;; esac
	else
		case $name in '' | */) continue ;; esac
	fi
	matches "$name" || continue
	printf '%s\t%s\n' "$key" "$modified"
done <"$upkeep_tmp/out" >"$upkeep_tmp/dumps"
newest=$(sort -t "$tab" -k 2,2 "$upkeep_tmp/dumps" | tail -n 1)
if [ -z "$newest" ]; then
	what="no dump found under $location"
	[ -z "$match" ] || what="$what matching '$match'"
	upkeep_fail "$what"
fi
key=${newest%"$tab"*}
modified=${newest##*"$tab"}
epoch=$(date -u -d "$modified" +%s 2>/dev/null) ||
	epoch=$(date -u -d "$(printf '%s' "$modified" | sed 's/\.[0-9]*//; s/+00:00$//; s/Z$//; s/T/ /')" +%s 2>/dev/null) ||
	upkeep_fail "cannot read the LastModified '$modified' of s3://$bucket/$key"

rm -rf "$dir/dump" "$dir/.meta"
if [ "$format" = directory ]; then
	uri="s3://$bucket/${key%toc.dat}"
	set -- --recursive "$uri" "$dir/dump/"
else
	uri="s3://$bucket/$key"
	set -- "$uri" "$dir/dump"
fi
upkeep_run - aws s3 cp --only-show-errors --no-progress "$@"
[ "$upkeep_rc" -eq 0 ] || upkeep_fail_with "cannot copy $uri" "$(cat "$upkeep_tmp/err")"

# .meta last: the verifier trusts a dump only once it is complete.
printf 'uri=%s\nlast_modified=%s\n' "$uri" "$epoch" >"$dir/.meta.tmp"
mv "$dir/.meta.tmp" "$dir/.meta"
upkeep_log "fetched $uri (last modified $modified) in $(upkeep_elapsed) s"
