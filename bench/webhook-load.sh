#!/usr/bin/env bash
# Load test of eyelint-webhook over TLS with keep-alive, on loopback only.
#
# Sends one fixed AdmissionReview (a defaulted Deployment exactly as a
# kube-apiserver sent it, ../shared/admission-reviews/02-...) to /validate
# with wrk for DURATION seconds, and samples the server's resident memory
# idle and under load. Installs wrk and openssl from Debian when missing and
# makes a throwaway self-signed certificate.
#
# Usage: bench/webhook-load.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   PAYLOAD=path/to/review.json  PORT=18443  HEALTH_PORT=18080  RUNS=1
#        BIN=path/to/eyelint-webhook (default: build this checkout's)
set -euo pipefail

DURATION="${1:-60}"
CONNS="${2:-32}"
RUNS="${RUNS:-1}"
PORT="${PORT:-18443}"
HEALTH_PORT="${HEALTH_PORT:-18080}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PAYLOAD="${PAYLOAD:-$ROOT/../shared/admission-reviews/02-validate-create-deployment-frontend.json}"

if [ ! -f "$PAYLOAD" ]; then
  echo "SKIP: payload $PAYLOAD not found (../shared absent?)" >&2
  exit 0
fi
if [ "$DURATION" -gt 120 ]; then
  echo "refusing a run longer than 120 s" >&2
  exit 2
fi

. "$ROOT/bench/webhook-common.sh"
need wrk wrk
need openssl openssl

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

throwaway_cert "$WORK"

# BIN=path/to/eyelint-webhook measures another build (to compare two).
BIN="$(webhook_bin)"

cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("$PAYLOAD", "rb"))
wrk.body = f:read("*a")
f:close()
LUA

# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
count_reviews() {
  metrics | awk '/^eyelint_webhook_requests_total/ {n += $2} END {print n + 0}'
}
metrics() {
  exec 3<>"/dev/tcp/127.0.0.1/$HEALTH_PORT"
  printf 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
  cat <&3
  exec 3<&-
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

"$BIN" --listen "127.0.0.1:$PORT" --health-listen "127.0.0.1:$HEALTH_PORT" \
  --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" \
  --log-format json --shutdown-delay 0s >/dev/null 2>/dev/null &
SERVER_PID=$!

for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$HEALTH_PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
sleep 2
IDLE_KIB="$(rss_kib "$SERVER_PID")"

# One warm-up so connections, TLS sessions and allocator pools exist.
wrk -t1 -c"$CONNS" -d3s -s "$WORK/post.lua" "https://127.0.0.1:$PORT/validate?timeout=10s" >/dev/null

echo "payload: $(basename "$PAYLOAD") ($(wc -c <"$PAYLOAD") bytes), $CONNS connections, ${DURATION}s, TLS keep-alive"
echo "idle RSS: $((IDLE_KIB / 1024)) MiB (${IDLE_KIB} KiB)"
for run in $(seq 1 "$RUNS"); do
  PEAK=0
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kib "$SERVER_PID"; sleep 1; done ) >"$WORK/rss.txt" &
  SAMPLER=$!
  LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
  T0="$(cpu_ticks "$SERVER_PID")"
  N0="$(count_reviews)"
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency -s "$WORK/post.lua" \
    "https://127.0.0.1:$PORT/validate?timeout=10s" >"$WORK/wrk.txt"
  T1="$(cpu_ticks "$SERVER_PID")"
  N1="$(count_reviews)"
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  PEAK="$(sort -n "$WORK/rss.txt" | tail -1)"
  FIRST="$(sed -n 3p "$WORK/rss.txt")"
  LAST="$(tail -2 "$WORK/rss.txt" | head -1)"
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")"
  P50="$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")"
  P99="$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")"
  ERRS="$(awk '/Non-2xx|Socket errors/' "$WORK/wrk.txt")"
  HZ="$(getconf CLK_TCK)"
  CPU_US="$(awk -v t=$((T1 - T0)) -v n=$((N1 - N0)) -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a" }')"
  echo "run $run: ${RPS} reviews/s, server CPU ${CPU_US} µs/review, machine load average ${LOAD0} before the run"
  echo "run $run: ${RPS} reviews/s, p50 ${P50}, p99 ${P99}, RSS under load: peak $((PEAK / 1024)) MiB, at 3 s $((${FIRST:-0} / 1024)) MiB, at end $((${LAST:-0} / 1024)) MiB${ERRS:+, ERRORS: $ERRS}"
done
AFTER_KIB="$(rss_kib "$SERVER_PID")"
echo "RSS after load: $((AFTER_KIB / 1024)) MiB"
echo "server counters:"
metrics | grep -E '^eyelint_webhook_requests_total' | sed 's/^/  /'
