#!/usr/bin/env bash
# Screenshots of every console page at 1280 and 390 px wide, written to a
# temporary directory (printed at the end; nothing is committed). Runs the
# console's browser test against the real Redis and PostgreSQL, which
# installs Debian's chromium when the machine has none.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d -t ozmon-console-XXXXXX)}
cd "$root"
"$root/scripts/ensure-services.sh" >/dev/null
OZMON_CONSOLE_SCREENSHOTS="$out" go test -count=1 -run '^TestBrowser$' ./console/
echo "screenshots in $out:"
ls -1 "$out"
