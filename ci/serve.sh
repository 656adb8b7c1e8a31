#!/usr/bin/env bash
# Command (a): install what is missing, build in Release, and serve the wiki
# on 127.0.0.1:8080 with its data in ./arkwiki-data (SQLite + local files).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/ci/deps.sh" build
cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release \
      -DARKWIKI_BUILD_TESTS=OFF -DARKWIKI_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$root/build-release" -j"$(nproc)" --target arkwiki
exec "$root/build-release/src/arkwiki" serve --data "${ARKWIKI_DATA:-./arkwiki-data}" \
     --listen "${ARKWIKI_LISTEN:-127.0.0.1:8080}" "$@"
