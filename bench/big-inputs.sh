#!/usr/bin/env bash
# Single big documents, as docs/performance.md ("Session 15") records them:
# how long one file takes and how much memory, median of RUNS rounds
# (default 3, bench/alternate.py; RSS is the largest seen).
#
#   list-200k.json      minified kind: List of 200,000 ConfigMaps (38 MB,
#                       1.4 M values: past 1,000,000, within 1 per 8 bytes)
#   zeros.json          [0,0,0,...] of 30 M values (60 MB): must fail at the
#                       value limit, quickly
#   list-100k.json      pretty kind: List of 100,000 ConfigMaps (21 MB)
#   list-100k-min.json  minified, the same items
#   list-100k-anchor.json  the minified one with an anchor on its last item
#                       (the fast path gives up; saphyr-parser loads it all)
#
#   bench/big-inputs.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
if [ $# -ge 1 ]; then
    BIN="$1"
else
    cargo build --release -p eyelint >/dev/null 2>&1
    BIN="$PWD/target/release/eyelint"
fi
DATA="$PWD/target/bench-data/big"
mkdir -p "$DATA"
python3 - "$DATA" <<'PY'
import json, os, sys
d = sys.argv[1]
def item(i):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c%d" % i}, "data": {"k": "v" * 100}}
def write(name, text):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(text)
def lst(items):
    return '{"apiVersion":"v1","kind":"List","items":' + items + '}'
write("list-200k.json", lst("[" + ",".join(json.dumps(item(i)) for i in range(200000)) + "]"))
write("zeros.json", "[" + ",".join(["0"] * 30000000) + "]\n")
write("list-100k.json", lst("[" + ",\n".join(json.dumps(item(i), indent=2) for i in range(100000)) + "]"))
minified = lst("[" + ",".join(json.dumps(item(i)) for i in range(100000)) + "]")
write("list-100k-min.json", minified)
write("list-100k-anchor.json", minified.replace('"c99999"', '&x "c99999"'))
PY
spec=""
for f in list-200k zeros list-100k list-100k-min list-100k-anchor; do
    spec+="$f	-	$BIN	-f	json	-o	/dev/null	$DATA/$f.json"$'\n'
done
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS rounds"
printf '%-18s %9s %9s %12s\n' file "wall (s)" "CPU (s)" "peak RSS KB"
python3 bench/alternate.py "$RUNS" <<<"$spec" | awk '{printf "%-18s %9s %9s %12s\n", $1, $2, $3, $4}'
for f in list-200k zeros; do
    "$BIN" -f json -o "$DATA/$f.report.json" "$DATA/$f.json" >/dev/null 2>&1 && rc=0 || rc=$?
    python3 - "$f" "$rc" "$DATA/$f.report.json" <<'PY'
import json, sys
name, rc, path = sys.argv[1:]
r = json.load(open(path))
errors = [e["message"] for e in r.get("errors", [])]
print(f"{name}: exit {rc}, {r['summary']['objects']} objects, errors: {errors or 'none'}")
PY
done
