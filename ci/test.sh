#!/usr/bin/env bash
# Command (b): install what is missing, build, run the whole test suite and
# the quality gates (ci/quality.sh: ASan+UBSan, clang-tidy, cppcheck,
# clang-format, fuzzing), ending with the Release ctest summary and a plain
# "N passed, N failed" line. .ci/run calls this. clang-tidy, cppcheck and
# clang-format run beside the Release tests at idle CPU priority; ASan and
# fuzzing run after them.
#   ARKWIKI_QUALITY=0   skip the quality gates (Release build and tests only)
#   ARKWIKI_CTEST_EXCLUDE=REGEX   leave tests out of the Release ctest run
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ARKWIKI_BUILD_DIR:-$root/build-ci}"
jobs="${ARKWIKI_JOBS:-$(nproc)}"
export ARKWIKI_JOBS="$jobs"
quality="${ARKWIKI_QUALITY:-1}"

stage() { echo; echo "=== $1 ($(date -u +%H:%M:%S))"; }
t0=$SECONDS
times=()
timed() { times+=("$(printf '%-16s %5ss' "$1" "$2")"); }

stage "dependencies"
s=$SECONDS
# What the build needs first; the rest (Chromium, the ZIP tools, clang and
# the linters, s3rver from npm: a minute or more on a new machine)
# installs beside the Release build, and nothing that needs it starts
# before it has.
"$root/ci/deps.sh" compile
deps_log="$(mktemp)"
if [[ $quality == 1 ]]; then deps_level=quality; else deps_level=test; fi
"$root/ci/deps.sh" "$deps_level" >"$deps_log" 2>&1 &
deps_pid=$!
# Waits for that install, shows its output and sets deps_rc. Also run on
# exit, so that a build that fails ends the run only after the install
# (never left holding dpkg's lock, or half done).
finish_deps() {
  deps_rc=0
  wait "$deps_pid" || deps_rc=$?
  cat "$deps_log"
  rm -f "$deps_log"
}
trap finish_deps EXIT
timed dependencies $((SECONDS - s))

stage "release build"
s=$SECONDS
# A unity build (16 files per translation unit): each unit parses the Poco
# and project headers and optimizes their inline code once instead of once
# per file (7 files of src/web: 34.6 CPU-s apart, 10.3 together). The tests' own code
# is built at -O1 (-O3 spent a third more time on GoogleTest's macros; the
# code under test keeps -O3). A name clash between two files of one unit
# fails this build; clang-tidy's tree (ci/quality.sh) still compiles every
# file alone, so a missing #include cannot hide behind a neighbour.
# -Wno-subobject-linkage: in a unity unit no .cpp is the main file, and gcc
# then warns about every class with a member of an anonymous-namespace type.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  -DCMAKE_CXX_FLAGS=-Wno-subobject-linkage \
  -DARKWIKI_TEST_COMPILE_OPTIONS=-O1 >/dev/null
cmake --build "$build" -j"$jobs"
timed "release build" $((SECONDS - s))

s=$SECONDS
trap - EXIT
finish_deps
if ((deps_rc != 0)); then
  echo "ci/deps.sh $deps_level failed (exit $deps_rc): the tests cannot run" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
timed "rest of deps" $((SECONDS - s))

# The gates that need no build of ours (clang-tidy, cppcheck, clang-format)
# start now, beside the tests, at idle CPU priority (SCHED_IDLE: they run
# only on a core nothing else wants). The tests spend much of their time
# waiting on servers, browsers and child processes, and clang-tidy (minutes
# of CPU over src/ on a clean clone) fills that time instead of
# running after everything else. Their output is printed when they end.
background_gates=(tidy cppcheck format)
if [[ $quality == 1 ]]; then
  gate_summary="$build/quality-summary.txt"
  background_summary="$build/quality-summary-background.txt"
  background_log="$build/quality-background.log"
  : >"$gate_summary"
  : >"$background_summary"
  idle=()
  command -v chrt >/dev/null && chrt --idle 0 true 2>/dev/null && idle=(chrt --idle 0)
  ARKWIKI_QUALITY_SUMMARY="$background_summary" \
    "${idle[@]}" nice -n 19 "$root/ci/quality.sh" "${background_gates[@]}" \
    >"$background_log" 2>&1 &
  background_pid=$!
fi

stage "tests"
s=$SECONDS
ctest_log="$build/ctest-release.log"
tests_rc=0
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 900 \
  ${ARKWIKI_CTEST_EXCLUDE:+-E "$ARKWIKI_CTEST_EXCLUDE"}) 2>&1 | tee "$ctest_log" ||
  tests_rc=1
timed "release tests" $((SECONDS - s))

gates_passed=0
gates_failed=0
if [[ $quality == 1 ]]; then
  stage "quality gates"
  ARKWIKI_BIN="$build/src/arkwiki" ARKWIKI_QUALITY_SUMMARY="$gate_summary" \
    "$root/ci/quality.sh" asan fuzz || true
  stage "quality gates run beside the tests: ${background_gates[*]}"
  s=$SECONDS
  wait "$background_pid" || true
  echo "(waited $((SECONDS - s))s for them after the other stages)"
  cat "$background_log"
  cat "$background_summary" >>"$gate_summary"
  while read -r name status secs; do
    timed "quality: $name" "$secs"
    if [[ $status == passed ]]; then ((gates_passed += 1)); else ((gates_failed += 1)); fi
  done <"$gate_summary"
  # A gate that never reported (the script died) counts as failed.
  ((gates_passed + gates_failed == 5)) || gates_failed=$((5 - gates_passed))
fi

stage "summary"
printf '  %s\n' "${times[@]}"
echo "  total            $((SECONDS - t0))s"
echo
# The Release run's ctest summary, repeated so it is the last one printed
# (the sanitizer stage runs ctest too).
echo "Release test suite (ctest, $build):"
grep -E '^[0-9]+% tests passed|^Total Test time' "$ctest_log" || echo "ctest printed no summary"
sed -n '/^The following tests FAILED:/,$p' "$ctest_log"
read -r rel_passed rel_failed < <(sed -nE \
  's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2 \1/p' "$ctest_log" |
  awk '{print $1 - $2, $2}') || true
rel_passed="${rel_passed:-0}"
rel_failed="${rel_failed:-0}"
((tests_rc == 0)) || ((rel_failed > 0)) || rel_failed=1
if [[ $quality == 1 ]]; then
  echo "Quality gates: $gates_passed passed, $gates_failed failed (counted below as one test each)"
fi
echo "$((rel_passed + gates_passed)) passed, $((rel_failed + gates_failed)) failed"
((rel_failed + gates_failed == 0))
