#!/usr/bin/env bash
# Looks at asynqmon as a person would: builds ozmon, seeds a spare Redis
# database with a few ozmon tasks in several queues (one archived), serves
# `ozmon asynqmon` on 127.0.0.1 behind a random admin token, checks its API,
# and takes screenshots of the queue list and of the dead-letter view with
# headless Chromium (installed with apt when missing). The PNGs are written
# under /tmp, never into the repository. Everything started here is stopped
# and the Redis database is flushed on exit.
#
#   scripts/asynqmon-screenshot.sh            # Redis DB 14 on 127.0.0.1:6379
#   REDIS_URL=redis://127.0.0.1:6379/13 PORT=18081 scripts/asynqmon-screenshot.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/14}
port=${PORT:-18080}
out_dir=${OUT_DIR:-/tmp}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
token=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
server_pid=""
seeded=""

cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ -n $seeded ]]; then
		"$work/seedqueues" --redis-url "$redis_url" --flush || echo "could not flush $redis_url" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
echo "== building ozmon and the seed helper"
go build -o "$work/ozmon" ./cmd/ozmon
go build -o "$work/seedqueues" ./scripts/seedqueues

if ! command -v chromium >/dev/null 2>&1; then
	echo "== installing chromium"
	if ! apt-get install -y chromium >/dev/null 2>&1; then
		apt-get update >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null
	fi
fi

echo "== seeding $redis_url"
seeded=1 # from here on, clean up the database even if seeding fails half-way
"$work/seedqueues" --redis-url "$redis_url"

echo "== starting ozmon asynqmon on 127.0.0.1:$port"
OZ_MONITOR_ASYNQMON_ADDR="127.0.0.1:$port" \
	OZ_MONITOR_ASYNQMON_PATH=/asynqmon \
	OZ_MONITOR_ASYNQMON_BEARER_TOKEN="$token" \
	OZ_MONITOR_LOG_FORMAT=text \
	"$work/ozmon" asynqmon --redis-url "$redis_url" >"$work/asynqmon.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$port/asynqmon"
for _ in $(seq 1 50); do
	if curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/api/queues"; then
		break
	fi
	if ! kill -0 "$server_pid" 2>/dev/null; then
		cat "$work/asynqmon.log" >&2
		echo "ozmon asynqmon exited" >&2
		exit 1
	fi
	sleep 0.2
done

echo "== API checks"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/")
echo "GET /asynqmon/ without credentials: $code (want 401)"
[[ $code == 401 ]] || { echo "asynqmon answered without credentials" >&2; exit 1; }
echo "GET /asynqmon/api/queues with the token:"
curl -fsS -H "Authorization: Bearer $token" "$base/api/queues" |
	python3 -c 'import json,sys
for q in json.load(sys.stdin)["queues"]:
    print("  %-16s size %d  pending %d  archived %d" % (q["queue"], q["size"], q["pending"], q["archived"]))'

shoot() { # shoot NAME URL-PATH
	local png="$out_dir/asynqmon-$1-$stamp.png" profile
	profile=$(mktemp -d -p "$work")
	# Chromium cannot send a bearer header; the asynqmon package accepts the
	# token as the basic-auth password, which Chromium takes from the URL.
	# --virtual-time-budget lets the page's API calls finish before the shot.
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --window-size=1400,900 --hide-scrollbars \
		--virtual-time-budget=10000 --screenshot="$png" \
		"http://ozmon:$token@127.0.0.1:$port/asynqmon$2" >"$work/chromium-$1.log" 2>&1 || {
		cat "$work/chromium-$1.log" >&2
		exit 1
	}
	echo "screenshot: $png ($(stat -c %s "$png") bytes)"
}
echo "== screenshots"
shoot queues /
shoot archived "/queues/notify-low?status=archived"
