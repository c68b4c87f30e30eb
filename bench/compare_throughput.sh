#!/usr/bin/env bash
# Throughput of `clearway compare` (three bundles, one pass) against `screen --bundle` (one bundle) on the
# same generated filings, in one run. Usage: bench/compare_throughput.sh [COUNT] (default 200000).
# Needs target/release/clearway (CLEARWAY=path) and the sealed example bundles (examples/bundles/build.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cw="${CLEARWAY:-$root/target/release/clearway}"
n="${1:-200000}"
b="$root/examples/bundles/out"
w="$(mktemp -d)"
trap 'rm -rf "$w"' EXIT
"$cw" generate --count "$n" --seed 16 --traders-out "$w/traders.csv" > "$w/filings.jsonl"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $n filings"
/usr/bin/time -f "screen --bundle profile-heavy (parse, assess, store): %e s wall, %U s user" "$cw" screen --db "$w/ph.db" \
  --traders "$w/traders.csv" --bundle "$b/profile-heavy.bundle.json" --json "$w/filings.jsonl" > /dev/null 2> "$w/screen.err" || true
tail -1 "$w/screen.err"
for one in profile-heavy model-led random-value; do
  "$cw" compare --bundle "$b/$one.bundle.json" --traders "$w/traders.csv" --data "$w/filings.jsonl" --replicates 0 | grep -E "^A |one pass"
done
/usr/bin/time -f "compare (3 bundles): %e s wall, %U s user" "$cw" compare --traders "$w/traders.csv" --data "$w/filings.jsonl" \
  --bundle "$b/profile-heavy.bundle.json" --bundle "$b/model-led.bundle.json" --bundle "$b/random-value.bundle.json" \
  --replicates 0 | grep -E "^[ABC] |one pass|AGREEMENT|–"
