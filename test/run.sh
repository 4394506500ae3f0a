#!/bin/sh
# `npm test`: everything, in the order that fails fastest. First the type
# check and the script linter, then the node test runner over every test file
# (unit, program under mocks, real PostgreSQL, promtool, plan of every stack).
set -eu
cd "$(dirname "$0")/.."

sh test/ensure-tools.sh

echo "== type check"
npx tsc --noEmit -p .

echo "== shellcheck"
shellcheck -s sh components/scripts/*.sh test/*.sh .ci/run

echo "== tests"
# Files run in parallel processes, two at a time for two cores.
node --import tsx --test --test-concurrency=2 test/*.test.ts
