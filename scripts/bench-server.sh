#!/usr/bin/env bash
# Load benchmark of the embedded control plane on loopback:
#   1. GET /v1/tenants/acme/apis?page_size=100 (goal: >= 10,000 req/s, p99 <= 10 ms on 2 cores)
#   2. create -> promote -> approve -> complete cycles
# and the server's peak RSS (goal: <= 50 MB) from /proc.
# Usage: scripts/bench-server.sh [SECONDS=10] [CONCURRENCY=32]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${1:-10}"
CONCURRENCY="${2:-32}"

echo "building (release)..." >&2
# Both with the release profile, so that they share every dependency build.
cargo build --release --bin envdeck >&2
cargo build --release --bench server_load >&2
LOADGEN="$(cargo build --release --bench server_load --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*server_load[^"]*\)".*/\1/p' | tail -n1 || true)"
[ -x "$LOADGEN" ] || { echo "load generator not found" >&2; exit 1; }

DATA_DIR="$(mktemp -d)"
OUT="$(mktemp)"
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait "${SERVER_PID:-}" 2>/dev/null || true
  rm -rf "$DATA_DIR" "$OUT"
}
trap cleanup EXIT

# `envdeck serve` when the CLI has it; the load generator's own `serve` (the same
# envdeck::server::serve) otherwise.
ENVDECK="${CARGO_TARGET_DIR:-target}/release/envdeck"
if "$ENVDECK" serve --help >/dev/null 2>&1; then
  ENVDECK_LOG=warn "$ENVDECK" serve --listen 127.0.0.1:0 --data-dir "$DATA_DIR" --seed demo \
    --gateway-delay-ms 0 >"$OUT" 2>/dev/null &
else
  "$LOADGEN" serve "$DATA_DIR" >"$OUT" 2>/dev/null &
fi
SERVER_PID=$!

for _ in $(seq 1 300); do
  [ -s "$OUT" ] && break
  sleep 0.1
done
FIRST="$(head -n1 "$OUT")"
URL="${FIRST#listening on }"
[ "$URL" != "$FIRST" ] || { echo "unexpected first line: $FIRST" >&2; exit 1; }
echo "server $URL (pid $SERVER_PID)" >&2

token() {
  curl -sf -X POST "$URL/realms/stoa/protocol/openid-connect/token" \
    -d grant_type=password -d client_id=stoactl -d "username=$1" -d password=demo \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
# tess requests (promotion sources are listed to tenant-admins on STOA), dora approves.
DAVE="$(token tess)"
DORA="$(token dora)"
[ -n "$DAVE" ] && [ -n "$DORA" ] || { echo "password grant failed" >&2; exit 1; }

PEAK=0
sample_rss() {
  local kb
  kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
  [ "${kb:-0}" -gt "$PEAK" ] && PEAK="$kb"
  return 0
}

# CPU seconds the server used (user + system), to report its cost per request
# independently of the load generator sharing the cores.
TICKS="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
run() {
  local before after result requests
  before="$(cpu_ticks)"
  result="$("$LOADGEN" "$@")"
  after="$(cpu_ticks)"
  echo "$result"
  requests="$(echo "$result" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')"
  if [ "${requests:-0}" -gt 0 ]; then
    awk -v t="$((after - before))" -v hz="$TICKS" -v n="$requests" \
      'BEGIN { us = t / hz * 1e6 / n; printf "server CPU: %.0f us/request (%.0f requests/s per core)\n", us, 1e6 / us }'
  fi
  sample_rss
}

sample_rss
echo "idle RSS: $(awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status) kB" >&2
"$LOADGEN" list "$URL" "$DAVE" 2 "$CONCURRENCY" >/dev/null   # warm-up
echo "== GET apis page_size=100, ${SECONDS_PER_RUN}s, concurrency $CONCURRENCY"
run list "$URL" "$DAVE" "$SECONDS_PER_RUN" "$CONCURRENCY"
echo "== create -> (synced) -> promote -> approve -> (gateways) promoted, ${SECONDS_PER_RUN}s, concurrency 8"
run cycle "$URL" "$DAVE" "$DORA" "$SECONDS_PER_RUN" 8
echo "== GET apis page_size=100 again (tenant now holds every API the cycles created)"
run list "$URL" "$DAVE" "$SECONDS_PER_RUN" "$CONCURRENCY"
echo "== server peak RSS (VmHWM): $((PEAK / 1024)) MB"
