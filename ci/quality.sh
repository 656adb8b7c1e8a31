#!/usr/bin/env bash
# Quality gates (issue 8). ci/test.sh runs this after the Release tests; it
# can also be run alone, for all stages or some:
#   ci/quality.sh                     asan tidy cppcheck format fuzz
#   ci/quality.sh tidy format         just those
# Each stage is timed; every stage runs even when an earlier one failed, and
# the script exits 1 if any failed. Build trees: build-asan, build-tidy,
# build-fuzz (next to build-ci). Environment:
#   ARKWIKI_JOBS          parallel jobs (default: nproc)
#   ARKWIKI_FUZZ_SECONDS  fuzzing budget (default 90)
#   ARKWIKI_BIN           a Release arkwiki used to write fresh seed backups
#                         (ci/test.sh passes build-ci's)
#   ARKWIKI_QUALITY_SUMMARY  file to append "stage status seconds" lines to
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${ARKWIKI_JOBS:-$(nproc)}"
fuzz_seconds="${ARKWIKI_FUZZ_SECONDS:-90}"
summary="${ARKWIKI_QUALITY_SUMMARY:-}"
stages=("$@")
((${#stages[@]})) || stages=(asan tidy cppcheck format fuzz)

# Test labels the sanitizer stage runs: the unit and integration suites.
# Not drills (they re-run these code paths at scale and take minutes) nor
# benchmark smoke runs (timing-only, and the ASan slow-down makes them moot).
asan_labels='^(core|storage|backup|web|cli|integration)$'

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

# --- a. ASan + UBSan ---------------------------------------------------------
stage_asan() {
  local b="$root/build-asan"
  cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" \
        -DARKWIKI_SANITIZE=address,undefined -DARKWIKI_BUILD_BENCHMARKS=OFF >/dev/null || return 1
  local -a targets=(arkwiki)
  local t
  for t in core storage backup web cli integration; do
    [[ -n $(ls "$root/tests/$t"/*.cpp 2>/dev/null) ]] && targets+=("${t}_tests")
  done
  cmake --build "$b" -j"$jobs" --target "${targets[@]}" || return 1
  # Every sanitized process — the test programs and each `arkwiki` they
  # spawn, whose stderr the tests send to log files — writes its report to
  # this directory instead of stderr. A report anywhere fails the stage,
  # even when the test that spawned the process did not look at its exit.
  local logs="$b/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  local rc=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan" \
    ctest --test-dir "$b" -L "$asan_labels" -j"$jobs" --timeout 900 --output-on-failure || rc=1
  if [[ -n $(ls -A "$logs") ]]; then
    log "sanitizer reports (from tests or from the arkwiki processes they ran):"
    for t in "$logs"/*; do echo "----- $t"; head -n 60 "$t"; done
    rc=1
  fi
  return $rc
}

# --- b. clang-tidy -------------------------------------------------------------
stage_tidy() {
  local b="$root/build-tidy"
  # Only the compilation database is needed; nothing is built.
  cmake -S "$root" -B "$b" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=Release -DARKWIKI_BUILD_BENCHMARKS=OFF >/dev/null || return 1
  local tidy=run-clang-tidy-14
  command -v "$tidy" >/dev/null || tidy=run-clang-tidy
  local -a all=() todo=() keys=()
  mapfile -t all < <(cd "$root" && find src -name '*.cpp' | sort |
                       drop_excluded "$root/ci/tidy-exclude.txt" | sed "s|^|$root/|")
  # clang-tidy costs ~10-30 s of CPU per file here (the checks walk the whole
  # AST, Poco's headers included), so a file whose preprocessed text,
  # command, .clang-tidy and clang-tidy version all match a run that passed
  # is not checked again (ci/tidy_keys.py). ARKWIKI_TIDY_CACHE=0: check all.
  local cache="$b/tidy-passed" line key file
  mkdir -p "$cache"
  while read -r key file; do
    if [[ ${ARKWIKI_TIDY_CACHE:-1} == 1 && -e $cache/$key ]]; then continue; fi
    todo+=("$file")
    keys+=("$key")
  done < <(printf '%s\n' "${all[@]}" | python3 "$root/ci/tidy_keys.py" "$b" "$root/.clang-tidy" "$jobs")
  log "clang-tidy: ${#all[@]} files (.clang-tidy, WarningsAsErrors '*'; skipping" \
      "ci/tidy-exclude.txt), $(( ${#all[@]} - ${#todo[@]} )) unchanged since they passed," \
      "${#todo[@]} to check"
  ((${#todo[@]})) || return 0
  # -quiet drops the per-file command lines; findings and errors still print
  # (run-clang-tidy-14 always asks for colour: strip it for the CI log). Its
  # file arguments are regular expressions: anchor each path.
  "$tidy" -p "$b" -j"$jobs" -quiet $(printf '^%s$ ' "${todo[@]}") 2>&1 |
    sed $'s/\x1b\\[[0-9;]*m//g' |
    grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter=|^clang-apply-replacements'
  local rc="${PIPESTATUS[0]}"
  if ((rc == 0)); then
    for key in "${keys[@]}"; do : >"$cache/$key"; done
  fi
  return "$rc"
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
  (cd "$root" && clang-format --dry-run --Werror "${files[@]}")
}

# --- e. libFuzzer ----------------------------------------------------------------
stage_fuzz() {
  local b="$root/build-fuzz"
  # -O2 with line tables for readable stack traces, and without NDEBUG so
  # assert()s count as crashes too.
  cmake -S "$root" -B "$b" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only" \
        -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only" \
        -DARKWIKI_BUILD_FUZZERS=ON -DARKWIKI_BUILD_TESTS=OFF \
        -DARKWIKI_BUILD_BENCHMARKS=OFF -DARKWIKI_SANITIZE=address,undefined,fuzzer-no-link \
        >/dev/null || return 1
  cmake --build "$b" -j"$jobs" --target archive_reader_fuzz || return 1
  # Seeds: checked-in backups and manifests, every archive under fixtures/
  # (hostile and old-format ones too), and, when a Release arkwiki is at
  # hand, backups written by this very build.
  local seeds="$b/seeds" corpus="$b/corpus" crashes="$b/crashes"
  rm -rf "$seeds" "$crashes" && mkdir -p "$seeds" "$corpus" "$crashes"
  find "$root/tests/fuzz/corpus" -type f ! -name '*.md' -exec cp {} "$seeds"/ \;
  find "$root/fixtures" -type f -name '*.zip' -size -8M -print0 |
    while IFS= read -r -d '' z; do cp "$z" "$seeds/fixture-$(sha1sum <"$z" | cut -c1-12).zip"; done
  if [[ -x "${ARKWIKI_BIN:-}" ]]; then
    local w="$b/seed-wiki"
    rm -rf "$w" && mkdir -p "$w"
    echo 'fuzz-seed-password' | "$ARKWIKI_BIN" user add --data "$w/d" --name admin --role admin \
      --password-stdin >/dev/null && "$ARKWIKI_BIN" backup create --data "$w/d" \
      --out "$seeds/fresh-backup.zip" >/dev/null 2>&1 || log "could not write a fresh seed backup"
  fi
  log "fuzz: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) inputs in the kept corpus," \
      "${fuzz_seconds}s"
  local out="$b/fuzz.log" rc=0
  # One process, one core. -timeout: an input slower than 10 s is a hang.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "$b/tests/fuzz/archive_reader_fuzz" -max_total_time="$fuzz_seconds" -max_len=65536 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
      "$corpus" "$seeds" >"$out" 2>&1 || rc=1
  grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))' "$out" | tail -n 3
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
  log "fuzz: ${execs:-?} executions in ${fuzz_seconds}s" \
      "($(sed -n 's/^stat::average_exec_per_sec: *//p' "$out" | tail -n 1) exec/s)"
  if ((rc)) || [[ -n $(ls -A "$crashes") ]]; then
    tail -n 80 "$out"
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

failed=0
for s in "${stages[@]}"; do
  if ! declare -F "stage_$s" >/dev/null; then
    echo "ci/quality.sh: unknown stage '$s' (asan tidy cppcheck format fuzz)" >&2
    exit 2
  fi
  echo
  echo "=== quality: $s ($(date -u +%H:%M:%S))"
  start=$SECONDS
  if "stage_$s"; then status=passed; else status=FAILED; failed=1; fi
  secs=$((SECONDS - start))
  echo "=== quality: $s $status in ${secs}s"
  results+=("$(printf '%-9s %-7s %5ss' "$s" "$status" "$secs")")
  [[ -n $summary ]] && echo "$s $status $secs" >>"$summary"
done
echo
echo "=== quality gates"
printf '  %s\n' "${results[@]}"
exit $failed
