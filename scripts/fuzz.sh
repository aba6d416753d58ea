#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 600), two at a time at nice 19,
# on stable Rust (`--sanitizer none`). Seeds the corpora from tests/fixtures/stoa first.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (SKIP_BUILD=1 reuses the built targets)
# Prints one line per target: executions, corpus size and whether it crashed; crash inputs
# land in fuzz/artifacts/<target>/ and logs in fuzz/logs/<target>.log.
set -euo pipefail

seconds="${1:-600}"
shift || true
cd "$(dirname "$0")/../fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

python3 seed.py
# Build once, then run the binaries themselves: `cargo fuzz run` would rebuild whenever the
# shared tree changes under a long run.
if [ -z "${SKIP_BUILD:-}" ]; then
    nice -n 19 cargo fuzz build --sanitizer none
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/$triple/release"
export bin_dir
mkdir -p logs

run_one() {
    local target="$1" seconds="$2"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a memory blow-up is a crash.
    mkdir -p "artifacts/$target" "corpus/$target"
    if nice -n 19 "$bin_dir/$target" "corpus/$target" -artifact_prefix="artifacts/$target/" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"logs/$target.log" 2>&1; then
        status=ok
    else
        status=CRASH
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$target.log" | grep -o '[0-9]*$' || echo "?")
    corpus=$(find "corpus/$target" -type f | wc -l)
    printf '%-16s %6ss %12s execs %6s corpus files  %s\n' "$target" "$seconds" "$execs" "$corpus" "$status"
}
export -f run_one

printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one "$1" "$2"' _ {} "$seconds" \
    | tee "logs/summary-$(date -u +%Y%m%dT%H%M%SZ).txt"
