#!/usr/bin/env bash
# Peak memory of eyelint-webhook under concurrent large reviews, on loopback.
#
# For each concurrency N, a fresh server gets 2N reviews over HTTP/2 with N
# connections at once (h2load, one stream per connection), and the script
# prints the answers' status codes and the server's peak resident memory
# (VmHWM), against the Deployment's 256Mi limit (262,144 kB). Two payloads,
# made from ../shared/admission-reviews/08-validate-update-deployment-frontend.json:
#   update  an UPDATE whose object and oldObject are each a Deployment of
#           about 1.4 MB (one container with a long env list), 2.8 MB in all,
#           under etcd's 1.5 MiB object limit;
#   flat    a CREATE of about 3 MiB (one long annotation), just under the
#           default --max-body-bytes;
#   containers  a CREATE of about 1 MB: a Deployment of 3,000 containers,
#           every other one failing about 14 checks (21,004 findings).
# Installs h2load (nghttp2-client) and openssl from Debian when missing and
# makes a throwaway self-signed certificate.
#
# Usage: bench/webhook-memory.sh [update|flat|containers] [N ...]   (default: update 1 4 16)
# Env:   BIN=path/to/eyelint-webhook (default: build this checkout's)
#        RUNS=3 (runs per N; the median peak is printed too)  PORT=18443  HEALTH_PORT=18080
set -euo pipefail

KIND="${1:-update}"
shift || true
CONCS=("$@")
[ ${#CONCS[@]} -gt 0 ] || CONCS=(1 4 16)
RUNS="${RUNS:-3}"
PORT="${PORT:-18443}"
HEALTH_PORT="${HEALTH_PORT:-18080}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="$ROOT/../shared/admission-reviews/08-validate-update-deployment-frontend.json"
if [ ! -f "$BASE" ]; then
  echo "SKIP: $BASE not found (../shared absent?)" >&2
  exit 0
fi
case "$KIND" in update|flat|containers) ;; *) echo "usage: $0 [update|flat|containers] [N ...]" >&2; exit 2 ;; esac

. "$ROOT/bench/webhook-common.sh"
need h2load nghttp2-client
need openssl openssl

WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

throwaway_cert "$WORK"

BIN="$(webhook_bin)"

python3 - "$BASE" "$KIND" "$WORK/body.json" <<'PY'
import json, sys
base, kind, out = sys.argv[1:]
review = json.load(open(base))
req = review["request"]
if kind == "update":
    env = [{"name": f"SETTING_{i:06d}", "value": "x" * 40} for i in range(18000)]
    for key in ("object", "oldObject"):
        req[key]["spec"]["template"]["spec"]["containers"][0]["env"] = env
elif kind == "flat":
    req["operation"] = "CREATE"
    req["oldObject"] = None
    req["object"]["metadata"].setdefault("annotations", {})["example.com/blob"] = "x" * 3_130_000
else:
    req["operation"] = "CREATE"
    req["oldObject"] = None
    good = {
        "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True,
                            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                      "limits": {"cpu": "100m", "memory": "64Mi"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
    }
    bad = {"securityContext": {"privileged": True, "capabilities": {"add": ["SYS_ADMIN"]}}}
    req["object"]["spec"]["template"]["spec"]["containers"] = [
        dict(name=f"c{i:05d}", image=f"registry.example.com/team/app-{i}:1.{i}",
             **(bad if i % 2 else good))
        for i in range(3000)
    ]
text = json.dumps(review, separators=(",", ":"))
assert len(text) <= 3 * 1024 * 1024, len(text)
open(out, "w").write(text)
PY
echo "payload: $KIND, $(wc -c < "$WORK/body.json") bytes; $RUNS runs per concurrency; load average $(cut -d' ' -f1 /proc/loadavg)"

for n in "${CONCS[@]}"; do
  peaks=()
  for _ in $(seq "$RUNS"); do
    "$BIN" --listen "127.0.0.1:$PORT" --health-listen "127.0.0.1:$HEALTH_PORT" \
      --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" --log-level error \
      > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$HEALTH_PORT") 2>/dev/null && break
      sleep 0.1
    done
    codes=$(h2load -n $((n * 2)) -c "$n" -m 1 -H 'content-type: application/json' \
      -d "$WORK/body.json" "https://127.0.0.1:$PORT/validate?timeout=30s" 2>&1 \
      | awk '/status codes/ {print $3 " 2xx, " $7 " 4xx, " $9 " 5xx"}')
    peak=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    stop_server
    peaks+=("$peak")
    echo "  N=$n: $codes; peak RSS $peak kB"
  done
  median=$(printf '%s\n' "${peaks[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "N=$n: median peak RSS $median kB of $RUNS runs (limit 256Mi = 262144 kB)"
done
