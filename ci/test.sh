#!/usr/bin/env bash
# Command (b): install what is missing, build, and run the whole test suite,
# ending with ctest's summary. .ci/run calls this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ARKWIKI_BUILD_DIR:-$root/build-ci}"
jobs="$(nproc)"

stage() { echo; echo "=== $1 ($(date -u +%H:%M:%S))"; }

stage "dependencies"
"$root/ci/deps.sh" test

stage "release build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs"

stage "tests"
cd "$build"
ctest --output-on-failure -j"$jobs" --timeout 900
