#!/usr/bin/env bash
# The embedded control plane against its own OpenAPI document (assets/openapi.json) with
# schemathesis, a property-based HTTP fuzzer: no 5xx, every response matches the document.
# Installs schemathesis from PyPI into a venv under target/ (the only network use), builds
# the release binary, serves a demo database on 127.0.0.1:0 and signs in as ada (cpi-admin)
# with the password grant; an auth hook renews the 5-minute token while the run lasts.
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES_PER_OPERATION] [TIME_LIMIT_SECONDS]
# ENVDECK_BIN=path uses that binary instead of building one; SPEC=path another document.
# Reports land in target/schemathesis/ (report-<pass>.txt, <pass>/junit*.xml, server.log).
set -euo pipefail

max_examples="${1:-50}"
time_limit="${2:-1500}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/target/schemathesis"
venv="$root/target/schemathesis-venv"
mkdir -p "$out"

if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis>=4,<5"
fi

bin="${ENVDECK_BIN:-}"
if [ -z "$bin" ]; then
    (cd "$root" && nice -n 10 cargo build --release --bin envdeck)
    bin="$root/target/release/envdeck"
fi

data_dir="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$data_dir"
}
trap cleanup EXIT

# The first stdout line is "listening on URL".
fifo="$data_dir/stdout"
mkfifo "$fifo"
ENVDECK_LOG=warn "$bin" serve --listen 127.0.0.1:0 --seed demo \
    --data-dir "$data_dir/db" >"$fifo" 2>"$out/server.log" &
server_pid=$!
exec 3<"$fifo"
read -r -t 30 first_line <&3
base_url="${first_line#listening on }"
cat <&3 >/dev/null &
echo "server at $base_url (pid $server_pid)"

token_url="$base_url/realms/stoa/protocol/openid-connect/token"
login() {
    curl -fsS "$token_url" -d grant_type=password -d client_id=stoactl \
        -d username=ada -d password=demo | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
token="$(login)"
test -n "$token"

# Renews the bearer token before it expires (the server issues 5-minute access tokens).
hooks="$out/hooks.py"
cat >"$hooks" <<PY
import json
import urllib.parse
import urllib.request

import schemathesis

TOKEN_URL = "$token_url"


@schemathesis.auth(refresh_interval=200)
class PasswordGrant:
    def get(self, case, ctx):
        form = urllib.parse.urlencode({"grant_type": "password", "client_id": "stoactl",
                                       "username": "ada", "password": "demo"}).encode()
        with urllib.request.urlopen(TOKEN_URL, data=form, timeout=10) as resp:
            return json.load(resp)["access_token"]

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
PY

# Two passes: every value generated (mostly refusals: unknown tenants, bad input), then with
# the tenant pinned to the demo's `acme` so writes and promotions reach real data.
cat >"$out/acme.toml" <<'TOML'
[parameters]
"path.tenant" = "acme"
TOML

# From $out, so schemathesis keeps its cache (.schemathesis/) under target/.
cd "$out"
run_pass() {
    local name="$1"
    shift
    echo "== pass: $name"
    SCHEMATHESIS_HOOKS="hooks" PYTHONPATH="$out" timeout "$time_limit" \
        "$venv/bin/schemathesis" "$@" run "${SPEC:-$root/assets/openapi.json}" \
        --url "$base_url" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance \
        --max-examples "$max_examples" \
        --seed 7 \
        --report junit --report-dir "$out/$name" \
        --no-color 2>&1 | tee "$out/report-$name.txt"
    return "${PIPESTATUS[0]}"
}

status=0
run_pass generated || status=$?
run_pass acme --config-file "$out/acme.toml" || status=$?
echo "schemathesis exit status: $status (reports: $out/report-*.txt, server log: $out/server.log)"
exit "$status"
