#!/bin/sh
# Kubernetes only: is the cluster still on a supported version? Reads the API
# server's /version (a non-resource URL every authenticated identity may GET
# through the default ClusterRoleBinding system:public-info-viewer) with the
# pod's projected ServiceAccount token, and fails when the cluster's
# major.minor is older than UPKEEP_OLDEST_SUPPORTED_VERSION, so the failed-run
# alert fires. The token goes to curl in a header file, never on a command
# line, and is never printed.
# UPKEEP_KUBERNETES_API (default https://kubernetes.default.svc): where to ask;
# UPKEEP_SERVICE_ACCOUNT_DIR (default /var/run/secrets/upkeep): the projected
# volume holding `token` and the cluster CA `ca.crt`.
# Exit 0 supported, 1 older or no answer, 2 on bad input; ends with the
# outcome line of every task (common.sh), pushed like theirs; its figures hold
# the version found and the oldest supported one.
set -eu
upkeep_name=version
upkeep_kind='version-check'
: "${UPKEEP_TASK:=kubernetes-version-check}"
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"
# shellcheck source-path=SCRIPTDIR source=notify.sh disable=SC1091
. "$here/notify.sh"
version='' checked_oldest=''

upkeep_figures() {
	_v=null _o=null
	[ -z "$version" ] || _v="\"$version\""
	[ -z "$checked_oldest" ] || _o="\"$checked_oldest\""
	printf '{"version":%s,"oldestSupported":%s}' "$_v" "$_o"
}

oldest=${UPKEEP_OLDEST_SUPPORTED_VERSION:-}
case $oldest in
[0-9]*.[0-9]*) ;;
*) upkeep_invalid "UPKEEP_OLDEST_SUPPORTED_VERSION must be MAJOR.MINOR such as 1.29, got '$oldest'" ;;
esac
want_major=${oldest%%.*} want_minor=${oldest#*.}
case $want_major$want_minor in *[!0-9]*) upkeep_invalid "UPKEEP_OLDEST_SUPPORTED_VERSION must be MAJOR.MINOR such as 1.29, got '$oldest'" ;; esac
checked_oldest=$oldest

api=${UPKEEP_KUBERNETES_API:-https://kubernetes.default.svc}
identity=${UPKEEP_SERVICE_ACCOUNT_DIR:-/var/run/secrets/upkeep}
token_file=$identity/token
ca_file=$identity/ca.crt
[ -r "$token_file" ] || upkeep_invalid "no ServiceAccount token at $token_file"
[ -r "$ca_file" ] || upkeep_invalid "no cluster CA certificate at $ca_file"

# In the run's scratch directory (mode 700), which common.sh removes on exit.
upkeep_tmpdir
header=$upkeep_tmp/auth
umask 077
printf 'Authorization: Bearer %s\n' "$(cat "$token_file")" >"$header"

if body=$(curl -q -fsS --proto '=https' --max-time 10 --cacert "$ca_file" -H "@$header" -w '\n%{http_code}' -- "${api%/}/version" 2>/dev/null); then
	:
else
	rc=$?
	upkeep_fail "could not read ${api%/}/version: $(upkeep_curl_reason "$rc" "${body##*
}")"
fi

# gitVersion is v<major>.<minor>.<patch>[-suffix] on every distribution (v1.29.3-eks-adc7111, v1.30.2-gke.1587003);
# "minor" alone may carry a "+".
version=$(printf '%s\n' "$body" | sed -n 's/.*"gitVersion"[[:space:]]*:[[:space:]]*"v\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\)[^"]*".*/\1/p' | sed -n '1p')
[ -n "$version" ] || upkeep_fail "${api%/}/version answered without a gitVersion"
have_major=${version%%.*} have_minor=${version#*.}

if [ "$have_major" -lt "$want_major" ] || { [ "$have_major" -eq "$want_major" ] && [ "$have_minor" -lt "$want_minor" ]; }; then
	upkeep_fail "the cluster runs Kubernetes $version, older than the oldest supported version $oldest: upgrade it"
fi
upkeep_log "the cluster runs Kubernetes $version, at or above the oldest supported version $oldest"
upkeep_outcome success "$(upkeep_figures)"
