#!/bin/sh
# The whole suite again under Node 22 and 24, which the project supports
# beside the machine's Node 20. The binaries come from the npm registry's
# `node` package, pinned here, so CI needs nothing but the registry.
set -eu
cd "$(dirname "$0")/.."

for version in 22.23.3 24.21.0; do
	# shellcheck disable=SC2016 # expanded by the inner sh, where npx put that node first on PATH
	bin=$(npx -y -p "node@$version" -- sh -c 'dirname "$(command -v node)"')
	actual=$(PATH="$bin:$PATH" node --version)
	[ "$actual" = "v$version" ] || { echo "other-nodes: asked for Node $version, got $actual" >&2; exit 1; }
	echo "== Node $actual ($bin)"
	PATH="$bin:$PATH" sh test/run.sh
done
