#!/usr/bin/env bash
# Deterministic companion to bench/run.sh for noisy machines: runs cachegrind
# (cache and branch simulation, one thread) on the first 20 files of the
# generated workloads (4,000 objects), full lint and parse only, and prints
# instructions, L1 misses, branch mispredicts and a rough cycle estimate:
#
#   cycles ~ instructions / 2 + 17 * mispredicts + 12 * (I1 + D1 misses) + 100 * LL misses
#
# The estimate only ranks changes; bench/run.sh's wall-clock medians are the
# figures that count. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 0; }
cargo build --release -p eyelint >/dev/null 2>&1
BIN="$PWD/target/release/eyelint"
DATA="$PWD/target/bench-data"
workloads "$DATA"
SUB="$DATA/workloads-20"
mkdir -p "$SUB"
for i in $(seq -f '%04g' 0 19); do cp "$DATA/workloads/workloads-$i.yaml" "$SUB/"; done
all_rules="$(all_rules "$BIN")"

# model NAME ARGS...: prints NAME's figures; writes its cycle estimate to $DATA/model-NAME.
model() {
    local name=$1
    shift
    local out
    # eyelint exits 1 when it reports findings; that is expected here.
    out=$(RAYON_NUM_THREADS=1 valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
        --cachegrind-out-file=/dev/null "$BIN" "$@" -f json -o "$DATA/model.json" "$SUB" 2>&1 || true)
    python3 -c '
import re, sys
t = sys.stdin.read()
g = lambda k: int(re.search(k + r":\s+([\d,]+)", t).group(1).replace(",", ""))
i, i1, d1, ll, bm = g(r"I\s+refs"), g(r"I1\s+misses"), g(r"D1\s+misses"), g("LL misses"), g("Mispredicts")
cycles = i / 2 + 17 * bm + 12 * (i1 + d1) + 100 * ll
print(f"{sys.argv[1]}: {i/1e6:.0f}M instructions, I1 misses {i1/1e6:.2f}M, D1 {d1/1e6:.2f}M, LL {ll/1e6:.2f}M, mispredicts {bm/1e6:.2f}M, ~{cycles/1e6:.0f}M cycles")
open(sys.argv[2], "w").write(f"{cycles:.0f}")
' "$name" "$DATA/model-$name" <<<"$out"
}
model lint
model parse-only --skip "$all_rules"
echo "estimated lint/parse: $(awk -v a="$(cat "$DATA/model-lint")" -v b="$(cat "$DATA/model-parse-only")" 'BEGIN{printf "%.2f", a/b}')"
