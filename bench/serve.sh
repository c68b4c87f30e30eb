#!/usr/bin/env bash
# Server speed, side by side in one run (issue 13). Loopback only, bounded in time.
#  1. POST /v1/filings with 1,000-filing JSON Lines bodies, one client, vs `clearway screen` on the same
#     backend and the same filings (a fresh store each).
#  2. GET /v1/filings/{id} on a store of N filings under wrk (bounded duration, fixed connections) vs a
#     bare axum handler returning a fixed body (examples/bare.rs).
# Usage: bench/serve.sh [N_INGEST=20000] [N_STORE=100000] [DURATION=20s] [DB=sqlite|postgres-url]
set -euo pipefail
N_INGEST=${1:-20000}
N_STORE=${2:-100000}
DURATION=${3:-20s}
BACKEND=${4:-sqlite}
cd "$(dirname "$0")/.."
cargo build --release -q -p clearway-cli --bin clearway && cargo build --release -q -p clearway-server --example bare
T=${CARGO_TARGET_DIR:-target}
BIN=$T/release/clearway
BARE=$T/release/examples/bare
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
db() { # a fresh store per use
  if [ "$BACKEND" = sqlite ]; then echo "$W/$1.db"; else
    psql "$BACKEND" -qc "DROP DATABASE IF EXISTS bench_$1" -c "CREATE DATABASE bench_$1" >/dev/null; echo "$BACKEND dbname=bench_$1"; fi
}
now() { date +%s.%N; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); date: $(date -u +%F); backend: $BACKEND"

$BIN generate --count "$N_INGEST" --seed 11 --out "$W/in.jsonl" >/dev/null
split -l 1000 -d -a 4 "$W/in.jsonl" "$W/body."

# 1a. screen
A=$(db screen); t0=$(now)
$BIN screen --db "$A" --json "$W/in.jsonl" >/dev/null 2>&1 || true
t1=$(now); screen_rate=$(echo "$N_INGEST / ($t1 - $t0)" | bc -l)

# 1b. serve
B=$(db serve)
$BIN users add feed --role partner --no-password --db "$B" >/dev/null
TOKEN=$($BIN users token feed --db "$B" 2>/dev/null)
$BIN serve --db "$B" --listen 127.0.0.1:18080 2>"$W/serve.log" & SP=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
t0=$(now)
for f in "$W"/body.*; do
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary "@$f" http://127.0.0.1:18080/v1/filings
done
t1=$(now); serve_rate=$(echo "$N_INGEST / ($t1 - $t0)" | bc -l)
kill -TERM $SP; wait $SP || true
printf 'ingest  screen %8.0f filings/s   POST /v1/filings %8.0f filings/s   ratio %.2f\n' "$screen_rate" "$serve_rate" "$(echo "$serve_rate / $screen_rate" | bc -l)"

# 2. GET on a store of N_STORE filings
C=$(db get)
$BIN generate --count "$N_STORE" --seed 12 --out "$W/store.jsonl" >/dev/null
$BIN screen --db "$C" --json "$W/store.jsonl" >/dev/null 2>&1 || true
$BIN users add olga --role officer --no-password --db "$C" >/dev/null
OTOKEN=$($BIN users token olga --db "$C" 2>/dev/null)
head -c 2000000 "$W/store.jsonl" | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | head -1000 > "$W/ids"
cat > "$W/get.lua" <<LUA
local ids = {}
for line in io.lines("$W/ids") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/filings/" .. ids[i], {["Authorization"] = "Bearer $OTOKEN"})
end
LUA
$BIN serve --db "$C" --listen 127.0.0.1:18081 2>"$W/serve2.log" & SP=$!
$BARE 127.0.0.1:18082 2>/dev/null & BP=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
sleep 0.5
echo "GET /v1/filings/{id} (clearway serve, $N_STORE filings, wrk -t2 -c16 -d$DURATION):"
wrk -t2 -c16 -d"$DURATION" --latency -s "$W/get.lua" http://127.0.0.1:18081 | grep -E 'Requests/sec|Non-2xx|Socket errors|50%|99%|requests in'
echo "GET fixed body (bare axum, wrk -t2 -c16 -d$DURATION):"
wrk -t2 -c16 -d"$DURATION" --latency http://127.0.0.1:18082/v1/filings/FIXED | grep -E 'Requests/sec|Non-2xx|Socket errors|50%|99%|requests in'
kill -TERM $SP $BP; wait || true
