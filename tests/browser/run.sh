#!/usr/bin/env bash
# The real-browser tests: headless Debian Chromium driven by
# playwright-core, with Node's built-in test runner.
#
# Usage: tests/browser/run.sh ARKWIKI_BINARY [ARTIFACTS_DIR]
#   ARKWIKI_BINARY  the arkwiki executable under test
#   ARTIFACTS_DIR   screenshots, upload-progress records and server logs
#                   (default: ./browser-artifacts)
# Needs: node >= 20 and npm, /usr/bin/chromium (Debian's chromium), zip.
# Installs playwright-core from package-lock.json with `npm ci` when
# node_modules is missing or was installed from another lockfile.
# Extra arguments after the two are passed to `node --test`
# (e.g. --test-name-pattern=Undo).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if (($# < 1)); then
  echo "usage: $0 ARKWIKI_BINARY [ARTIFACTS_DIR] [node --test options]" >&2
  exit 2
fi
bin="$(realpath "$1")"
artifacts="$(realpath -m "${2:-browser-artifacts}")"
shift $(($# >= 2 ? 2 : 1))

fail() { echo "browser tests: $*" >&2; exit 1; }
[[ -x "$bin" ]] || fail "not an executable: $bin"
command -v node >/dev/null || fail "node is not installed (ci/deps.sh test installs nodejs)"
command -v npm >/dev/null || fail "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || fail "node $(node --version) is too old: playwright-core needs node >= 20"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || fail "no Chromium at $chromium (Debian package chromium; ci/deps.sh test installs it)"
command -v zip >/dev/null || fail "zip is not installed (Debian package zip)"

# npm ci when node_modules is missing or stale; one install at a time.
lock_sum="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
stamp="$here/node_modules/.arkwiki-package-lock.sha256"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
  exec 9>"${TMPDIR:-/tmp}/arkwiki-browser-npm-ci.lock"
  flock 9
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
    echo "browser tests: npm ci in $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$lock_sum" >"$stamp"
  fi
  flock -u 9
fi

mkdir -p "$artifacts"
cd "$here"
export ARKWIKI_BIN="$bin" ARTIFACTS="$artifacts" CHROMIUM="$chromium"
# One test file at a time: each starts its own server and browser, and the
# machines this runs on are small.
exec node --test --test-reporter=tap --test-concurrency=1 "$@" tests/*.test.js
