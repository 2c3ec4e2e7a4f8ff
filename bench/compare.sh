#!/usr/bin/env bash
# Compares two eyelint binaries on the 20,000 generated workloads, in the
# same minutes: full lint and parse only (every rule skipped) of each, one
# after the other, RUNS times (default 15). Prints median wall and CPU
# (user + sys) times, in milliseconds (bench/alternate.py), and each
# binary's lint/parse ratio. On a noisy machine this says more about a
# change than two separate bench/run.sh runs.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY
#   NULL_REPORT=1 bench/compare.sh ...   reports go to /dev/null: the same
#                                        rendering, without the kernel's copy
#                                        of the report into the page cache
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
[ $# -eq 2 ] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
RUNS="${RUNS:-15}"
DATA="$PWD/target/bench-data"
workloads "$DATA"
all_rules="$(all_rules "$2")"
spec=""
for side in old new; do
    bin=$1; [ "$side" = new ] && bin=$2
    for what in lint parse; do
        out="$DATA/compare-$side-$what.json"; report=$out
        # alternate.py deletes a named report before each run; /dev/null is none.
        [ -n "${NULL_REPORT:-}" ] && { out=/dev/null; report=-; }
        skip=""; [ "$what" = parse ] && skip="--skip	$all_rules	"
        spec+="$side-$what	$report	$bin	$skip-f	json	-o	$out	$DATA/workloads"$'\n'
    done
done
results=$(python3 bench/alternate.py "$RUNS" <<<"$spec")
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"
field() { awk -v n="$1" -v k="$2" '$1 == n {print $k}' <<<"$results"; }
for side in old new; do
    lw=$(field "$side-lint" 2); pw=$(field "$side-parse" 2)
    lc=$(field "$side-lint" 3); pc=$(field "$side-parse" 3)
    echo "$side: lint ${lw}s wall ${lc}s CPU; parse only ${pw}s wall ${pc}s CPU; lint/parse $(awk -v a="$lw" -v b="$pw" 'BEGIN{printf "%.3f", a/b}') wall, $(awk -v a="$lc" -v b="$pc" 'BEGIN{printf "%.3f", a/b}') CPU"
done
