#!/usr/bin/env bash
# Quality gates. ci/test.sh runs this after the Release tests; it
# can also be run alone, for all stages or some:
#   ci/quality.sh                     asan tidy cppcheck format fuzz
#   ci/quality.sh tidy format         just those
# Each stage is timed; every stage runs even when an earlier one failed, and
# the script exits 1 if any failed. Build trees (next to build-ci):
# build-asan (clang; ASan+UBSan tests and the fuzz target, shared by the
# asan and fuzz stages) and build-tidy (only a compilation database).
# Environment:
#   ARKWIKI_JOBS          parallel jobs, and fuzzing workers (default: nproc)
#   ARKWIKI_FUZZ_SECONDS  fuzzing time, wall clock (default 60)
#   ARKWIKI_TIDY_CACHE=0  clang-tidy every file, even those that passed before
#   CI=true               with an empty clang-tidy cache, make and keep none
#   ARKWIKI_BIN           a Release arkwiki used to write fresh seed backups
#                         (ci/test.sh passes build-ci's; else build-asan's)
#   ARKWIKI_QUALITY_SUMMARY  file to append "stage status seconds" lines to
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${ARKWIKI_JOBS:-$(nproc)}"
fuzz_seconds="${ARKWIKI_FUZZ_SECONDS:-60}"
summary="${ARKWIKI_QUALITY_SUMMARY:-}"
stages=("$@")
((${#stages[@]})) || stages=(asan tidy cppcheck format fuzz)

# Test labels the sanitizer stage runs: the unit and integration suites.
# Not drills (they re-run these code paths at scale and take minutes) nor
# benchmark smoke runs (timing-only, and the ASan slow-down makes them moot).
asan_labels='^(core|storage|backup|web|testing|process|cli|integration)$'

log() { echo "[quality] $*"; }

# Prints the paths read from stdin that match none of the bash glob patterns
# in exclusion list $1 (one per line; # comments).
drop_excluded() {
  local -a pats=()
  mapfile -t pats < <(grep -v '^[[:space:]]*#' "$1" 2>/dev/null | grep -v '^[[:space:]]*$')
  local f p skip
  while read -r f; do
    skip=0
    for p in "${pats[@]}"; do [[ $f == $p ]] && { skip=1; break; }; done
    ((skip)) || echo "$f"
  done
}

# Sources the format gate checks: ours in C++, minus ci/format-exclude.txt.
format_files() {
  (cd "$root" && find src include tests benchmarks drills fixtures \
      \( -path tests/browser -o -path tests/fuzz/corpus \) -prune -o \
      -type f \( -name '*.cpp' -o -name '*.h' \) -print | sort) |
    drop_excluded "$root/ci/format-exclude.txt"
}

# The sanitizer tree, shared by the asan and fuzz stages. One clang build
# compiles every library once with ASan, UBSan and libFuzzer's coverage
# instrumentation (fuzzer-no-link, inert without libFuzzer): the test
# programs and arkwiki link those libraries as usual, and archive_reader_fuzz
# links libFuzzer's main on top. A separate fuzz tree would compile core,
# storage and backup a second time (~2.5 min on 2 cores). -O1 with line
# tables: fast to build, exact stack traces; no NDEBUG, so assert()s count.
# The test programs too: at -O0 they compiled in half the CPU time, but the
# linker then took their out-of-line copies of inline library code (every
# std::string member the libraries call) for the whole program, and the
# 22 slowest sanitized tests of backup_tests took 142 s instead of 95.
# A unity build, as ci/test.sh's (see there).
asan_tree="$root/build-asan"
configure_asan_tree() {
  # A tree configured with another compiler (gcc, before) cannot be switched
  # in place: CMake drops the cache and with it the options below.
  if [[ -f $asan_tree/CMakeCache.txt ]] &&
     ! grep -qE '^CMAKE_CXX_COMPILER:[A-Z]+=(.*/)?clang\+\+$' "$asan_tree/CMakeCache.txt"; then
    rm -rf "$asan_tree"
  fi
  cmake -S "$root" -B "$asan_tree" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
        -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" \
        -DARKWIKI_SANITIZE=address,undefined,fuzzer-no-link -DARKWIKI_BUILD_FUZZERS=ON \
        -DARKWIKI_TEST_COMPILE_OPTIONS=-O1 -DARKWIKI_BUILD_BENCHMARKS=OFF \
        -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
}

# --- a. ASan + UBSan ---------------------------------------------------------
stage_asan() {
  local b="$asan_tree"
  configure_asan_tree || return 1
  # The fuzz target too, so that the fuzz stage has nothing left to build.
  local -a targets=(arkwiki archive_reader_fuzz)
  local t
  for t in core storage backup web testing process cli integration; do
    [[ -n $(find "$root/tests/$t" -name '*.cpp' 2>/dev/null) ]] && targets+=("${t}_tests")
  done
  cmake --build "$b" -j"$jobs" --target "${targets[@]}" || return 1
  # Every sanitized process — the test programs and each `arkwiki` they
  # spawn, whose stderr the tests send to log files — writes its report to
  # this directory instead of stderr. A report anywhere fails the stage,
  # even when the test that spawned the process did not look at its exit.
  local logs="$b/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  local rc=0
  # (One log_path for both: in a process with ASan and UBSan the last one
  # parsed would win, naming ASan reports "ubsan.<pid>".)
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/report" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/report" \
    ctest --test-dir "$b" -L "$asan_labels" -j"$jobs" --timeout 900 --output-on-failure || rc=1
  if [[ -n $(ls -A "$logs") ]]; then
    local -a reports=("$logs"/*)
    log "${#reports[@]} sanitizer reports (from tests or from the arkwiki processes they ran)" \
        "in $logs; the first 5:"
    for t in "${reports[@]:0:5}"; do echo "----- $t"; head -n 60 "$t"; done
    rc=1
  fi
  return $rc
}

# --- b. clang-tidy -------------------------------------------------------------
stage_tidy() {
  local b="$root/build-tidy"
  # Only the compilation database is needed; nothing is built. Debug: with
  # NDEBUG, assert()'s argument would vanish before clang-tidy saw it
  # (bugprone-assert-side-effect). No precompiled headers: there is no
  # built header to read, and without them a file that relies on another's
  # #include fails here.
  cmake -S "$root" -B "$b" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=Debug -DARKWIKI_BUILD_BENCHMARKS=OFF \
        -DARKWIKI_PRECOMPILED_HEADERS=OFF >/dev/null || return 1
  local tidy=clang-tidy-14
  command -v "$tidy" >/dev/null || tidy=clang-tidy
  local -a all=() todo=()
  mapfile -t all < <(cd "$root" && find src -name '*.cpp' | sort |
                       drop_excluded "$root/ci/tidy-exclude.txt" | sed "s|^|$root/|")
  # clang-tidy costs 3-11 s of CPU per file here (the checks walk the whole
  # AST, Poco's headers included), so a file whose preprocessed text,
  # command, .clang-tidy and clang-tidy version all match a run that passed
  # is not checked again (ci/tidy_keys.py: ~40 s of CPU).
  # ARKWIKI_TIDY_CACHE=0: check all.
  # In CI (CI=true: a clean clone, its trees thrown away) there is no
  # cache to read, and one written would never be read: no keys are made.
  local cache="$b/tidy-passed" key file
  mkdir -p "$cache"
  while read -r key file; do
    if [[ ${ARKWIKI_TIDY_CACHE:-1} == 1 && -e $cache/$key ]]; then continue; fi
    todo+=("$key" "$file")
  done < <(if [[ ${CI:-} == true && -z $(ls -A "$cache") ]]; then
             printf '%s\n' "${all[@]}" | awk '{ print "unkeyed-" NR, $0 }'
           else
             printf '%s\n' "${all[@]}" | python3 "$root/ci/tidy_keys.py" "$b" "$root/.clang-tidy" "$jobs"
           fi)
  log "clang-tidy: ${#all[@]} files (.clang-tidy, WarningsAsErrors '*'; skipping" \
      "ci/tidy-exclude.txt), $(( ${#all[@]} - ${#todo[@]} / 2 )) unchanged since they passed," \
      "$(( ${#todo[@]} / 2 )) to check"
  ((${#todo[@]})) || return 0
  # In groups of files from one directory, one translation unit each, with
  # each file also compiled on its own (ci/tidy_run.py says why and how).
  # Every file that passes is recorded, so a finding in one file does not
  # send every other file through clang-tidy again next time.
  printf '%s %s\n' "${todo[@]}" |
    python3 "$root/ci/tidy_run.py" "$b" "$root/.clang-tidy" "$jobs" "$tidy"
}

# --- c. cppcheck ---------------------------------------------------------------
stage_cppcheck() {
  # Our headers only; system and Poco headers are not given, so cppcheck
  # needs missingIncludeSystem off. Known false positives are suppressed here
  # with the reason, the rest in the code with // cppcheck-suppress <id>.
  cppcheck --std=c++20 --language=c++ -j"$jobs" --quiet \
           --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
           -I "$root/include" -I "$root/src" -D__GNUC__ -D__linux__ \
           --suppress=missingIncludeSystem \
           --template='{file}:{line}: {severity}: {message} [{id}]' \
           "$root/src"
}

# --- d. clang-format -----------------------------------------------------------
stage_format() {
  local -a files=()
  mapfile -t files < <(format_files)
  log "clang-format: ${#files[@]} files (.clang-format), skipping ci/format-exclude.txt"
  (cd "$root" && clang-format --dry-run --Werror "${files[@]}") || return 1
  # Each layer sees only its own src/<layer> (src/CMakeLists.txt); a relative
  # include is the one way around that, so none is allowed.
  local relative
  relative=$(cd "$root" && grep -n '#include "\.\./' "${files[@]}" || true)
  if [[ -n $relative ]]; then
    log "relative includes reach past the layers' include directories:"
    printf '%s\n' "$relative"
    return 1
  fi
}

# --- e. libFuzzer ----------------------------------------------------------------
stage_fuzz() {
  local b="$asan_tree"
  # Already built by the asan stage; run alone, this builds only the fuzz
  # target and the core, storage and backup libraries it needs.
  configure_asan_tree || return 1
  cmake --build "$b" -j"$jobs" --target archive_reader_fuzz || return 1
  # Seeds: checked-in backups and manifests, every archive under fixtures/
  # (hostile and old-format ones too), and, when an arkwiki is at hand,
  # a backup written by this very build.
  local seeds="$b/fuzz/seeds" corpus="$b/fuzz/corpus" crashes="$b/fuzz/crashes"
  local bin="${ARKWIKI_BIN:-$b/src/arkwiki}"
  rm -rf "$seeds" "$crashes" && mkdir -p "$seeds" "$corpus" "$crashes"
  find "$root/tests/fuzz/corpus" -type f ! -name '*.md' -exec cp {} "$seeds"/ \;
  find "$root/fixtures" -type f -name '*.zip' -size -8M -print0 |
    while IFS= read -r -d '' z; do cp "$z" "$seeds/fixture-$(sha1sum <"$z" | cut -c1-12).zip"; done
  find "$root/fixtures/fuzz-regressions" -type f ! -name '*.md' -exec cp {} "$seeds"/ \;
  if [[ -x $bin ]]; then
    local w="$b/fuzz/seed-wiki"
    rm -rf "$w" && mkdir -p "$w"
    echo 'fuzz-seed-password' | "$bin" user add --data "$w/d" --name admin --role admin \
      --password-stdin >/dev/null && "$bin" backup create --data "$w/d" \
      --out "$seeds/fresh-backup.zip" >/dev/null 2>&1 || log "could not write a fresh seed backup"
  fi
  log "fuzz: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) inputs in the kept corpus," \
      "$jobs workers x ${fuzz_seconds}s"
  local out="$b/fuzz/fuzz.log" rc=0
  # One libFuzzer worker per job, each for the whole budget, sharing the
  # corpus: the stage takes fuzz_seconds of wall time and keeps every core
  # busy. Each worker logs to fuzz/fuzz-<n>.log (copied into fuzz.log when
  # it ends). -timeout: an input slower than 10 s is a hang.
  rm -f "$b"/fuzz/fuzz-*.log
  local fuzz_start=$SECONDS
  (cd "$b/fuzz" &&
   ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
     "$b/tests/fuzz/archive_reader_fuzz" -jobs="$jobs" -workers="$jobs" \
       -max_total_time="$fuzz_seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$seeds") >"$out" 2>&1 || rc=1
  local f execs
  for f in "$b"/fuzz/fuzz-*.log; do
    [[ -f $f ]] && grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))' "$f" | tail -n 3
  done
  execs=$(cat "$b"/fuzz/fuzz-*.log 2>/dev/null |
            awk '/^stat::number_of_executed_units:/ {n += $2} END {print n + 0}')
  # A worker that finds something stops early: count the time it took.
  log "fuzz: $execs executions in $((SECONDS - fuzz_start))s ($jobs workers;" \
      "$(cat "$b"/fuzz/fuzz-*.log 2>/dev/null |
         awk '/^stat::average_exec_per_sec:/ {n += $2} END {print n + 0}') exec/s)"
  if ((rc)) || [[ -n $(ls -A "$crashes") ]]; then
    # The report of each worker that found something, from its first line.
    for f in "$b"/fuzz/fuzz-*.log; do
      [[ -f $f ]] || continue
      sed -n '/^==[0-9]*==ERROR\|runtime error:\|^==[0-9]*== ERROR: libFuzzer\|deadly signal/,$p' \
        "$f" | head -n 80
    done
    local c
    for c in "$crashes"/*; do
      [[ -f $c ]] || continue
      cp "$c" "$root/fixtures/fuzz-regressions/archive_reader-$(basename "$c")"
      log "kept $(basename "$c") as fixtures/fuzz-regressions/archive_reader-$(basename "$c")" \
          "(replayed by backup_tests' FuzzRegressionsTest; commit it with the fix)"
    done
    return 1
  fi
  return 0
}

# CPU seconds (user + system) of the finished processes this script started,
# into $cpu_now. `times` must run in this shell (a subshell's count starts
# at zero), hence the file. Shown beside wall time: on a shared machine the
# wall time says more about the neighbours than about the stage.
cpu_file="$(mktemp)"
trap 'rm -f "$cpu_file"' EXIT
read_cpu() {
  times >"$cpu_file"
  cpu_now=$(tail -n 1 "$cpu_file" | awk '{ t = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] }
    printf "%d\n", t }')
}

failed=0
for s in "${stages[@]}"; do
  if ! declare -F "stage_$s" >/dev/null; then
    echo "ci/quality.sh: unknown stage '$s' (asan tidy cppcheck format fuzz)" >&2
    exit 2
  fi
  echo
  echo "=== quality: $s ($(date -u +%H:%M:%S))"
  start=$SECONDS
  read_cpu
  cpu_start=$cpu_now
  if "stage_$s"; then status=passed; else status=FAILED; failed=1; fi
  secs=$((SECONDS - start))
  read_cpu
  echo "=== quality: $s $status in ${secs}s (CPU $((cpu_now - cpu_start))s)"
  results+=("$(printf '%-9s %-7s %5ss   CPU %5ss' "$s" "$status" "$secs" "$((cpu_now - cpu_start))")")
  [[ -n $summary ]] && echo "$s $status $secs" >>"$summary"
done
echo
echo "=== quality gates"
printf '  %s\n' "${results[@]}"
exit $failed
