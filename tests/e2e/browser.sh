#!/usr/bin/env bash
# browser.sh TEST.mjs ARTIFACTS - one playwright-core test in Debian's
# Chromium against $SEKLIK_GATEWAY_URL (run it through with_stack.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
test=$1 artifacts=$2
command -v node >/dev/null || { echo "browser.sh: node is not installed" >&2; exit 1; }
chromium=${SEKLIK_CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || { echo "browser.sh: $chromium is missing (apt-get install chromium)" >&2; exit 1; }
# playwright-core only (no browser download); the lock file pins the version.
if [[ ! -d $here/node_modules/playwright-core ||
    $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$artifacts"
mkdir -p "$artifacts"
SEKLIK_ARTIFACTS=$artifacts SEKLIK_CHROMIUM=$chromium node "$here/$test"
