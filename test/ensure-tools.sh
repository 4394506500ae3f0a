#!/bin/sh
# The tests run real tools: PostgreSQL 15 for the job scripts, promtool and the
# Prometheus server for the alerts, the Pushgateway for the pushed outcomes,
# the script linter, headless Chromium to render calendar.svg, the AWS CLI
# that publishes the window report. As root (CI) missing ones are installed
# from Debian; otherwise this prints the exact install line and fails. It
# never lets a test skip silently.
set -eu

missing=""
need() { # command package
	if ! command -v "$1" >/dev/null 2>&1; then
		case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac
	fi
}

PG_BIN=${UPKEEP_PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl postgres; do
	[ -x "$PG_BIN/$tool" ] || case " $missing " in *" postgresql-15 "*) ;; *) missing="$missing postgresql-15" ;; esac
done
need psql postgresql-client-15
need vacuumdb postgresql-client-15
need reindexdb postgresql-client-15
need promtool prometheus
need prometheus prometheus
need prometheus-pushgateway prometheus-pushgateway
need amtool prometheus-alertmanager
need shellcheck shellcheck
need openssl openssl
need busybox busybox
need chromium chromium
# Debian's AWS CLI v2 by its path: another `aws` on PATH (a pip one) is not the one the tests pin.
[ -x "${UPKEEP_AWS_CLI:-/usr/bin/aws}" ] || case " $missing " in *" awscli "*) ;; *) missing="$missing awscli" ;; esac

[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "upkeep test: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086 # the package list is meant to split
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi

echo "upkeep test: missing tools; install them with: sudo apt-get install -y$missing" >&2
exit 1
