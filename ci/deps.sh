#!/usr/bin/env bash
# Installs the Debian 12 packages arkwiki needs, and only those missing.
# Usage: ci/deps.sh [build|compile|test|quality]   (each level includes the
# previous; compile: what building the tests needs, so that ci/test.sh can
# install the rest beside its build)
set -euo pipefail

level="${1:-build}"
build=(build-essential cmake pkg-config libpoco-dev libsqlite3-dev sqlite3 libssl-dev
       zlib1g-dev libsodium-dev libdeflate-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
       libmd4c-dev libmd4c-html0-dev)
# Tests: GoogleTest and Google Benchmark, and the independent ZIP readers
# our archives are checked against (unzip, bsdtar, python3's zipfile);
# Chromium and Node.js (>= 20; this machine kind ships NodeSource's build,
# which includes npm) for the browser tests.
compile=(googletest libgtest-dev libgmock-dev libbenchmark-dev)
test=(unzip zip libarchive-tools python3 chromium nodejs)
# Quality gates (ci/quality.sh): clang with its sanitizer and libFuzzer
# runtimes (libclang-rt-14-dev is only a Recommends of clang, which
# --no-install-recommends skips), llvm for llvm-symbolizer (readable
# sanitizer stack traces), clang-tidy (clang-tidy-14), clang-format,
# cppcheck. (python3, for ci/tidy_keys.py and ci/tidy_run.py, is in the test set.)
quality=(clang libclang-rt-14-dev llvm clang-tidy clang-format cppcheck)

case "$level" in
  build | compile | test | quality) ;;
  *) echo "usage: ci/deps.sh [build|compile|test|quality]" >&2; exit 2 ;;
esac
wanted=("${build[@]}")
[[ "$level" != build ]] && wanted+=("${compile[@]}")
[[ "$level" == test || "$level" == quality ]] && wanted+=("${test[@]}")
[[ "$level" == quality ]] && wanted+=("${quality[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "ci/deps.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # ci/test.sh runs a second install beside its build, and a new machine
  # may run apt-daily: wait for dpkg's lock rather than fail at once.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The S3 target's tests run against s3rver (npm), pinned by
# tests/s3rver/package-lock.json and installed into tests/s3rver/node_modules
# the way tests/browser/run.sh installs playwright-core: npm ci when
# node_modules is missing or was installed from another lockfile.
if [[ "$level" == test || "$level" == quality ]]; then
  s3rver_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/s3rver"
  lock_sum="$(sha256sum "$s3rver_dir/package-lock.json" | cut -d' ' -f1)"
  stamp="$s3rver_dir/node_modules/.arkwiki-package-lock.sha256"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
    echo "ci/deps.sh: npm ci in $s3rver_dir (s3rver)" >&2
    (cd "$s3rver_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$lock_sum" >"$stamp"
  fi
fi
