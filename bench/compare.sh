#!/usr/bin/env bash
# Compares two eyelint binaries on the 20,000 generated workloads, in the
# same minutes: full lint and parse only (every rule skipped) of each, one
# after the other, RUNS times (default 15). Prints median wall and CPU
# (user + sys) times and each binary's lint/parse ratio. On a noisy machine
# this says more about a change than two separate bench/run.sh runs.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
[ $# -eq 2 ] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
RUNS="${RUNS:-15}"
DATA="$PWD/target/bench-data"
workloads "$DATA"
all_rules="$(all_rules "$2")"
declare -A wall cpu
names=(old-lint old-parse new-lint new-parse)
for _ in $(seq "$RUNS"); do
    for n in "${names[@]}"; do
        bin=$1; [ "${n%%-*}" = new ] && bin=$2
        args=(); [ "${n#*-}" = parse ] && args=(--skip "$all_rules")
        # A fresh report each time, as in run.sh: deleting the last one
        # inside the timed run would charge lint for freeing its pages.
        rm -f "$DATA/compare-$n.json"
        /usr/bin/time -f "%e %U %S" -o "$DATA/time.txt" "$bin" "${args[@]}" -f json -o "$DATA/compare-$n.json" "$DATA/workloads" >/dev/null 2>&1 || true
        read -r e u s < <(tail -n 1 "$DATA/time.txt")
        wall[$n]+="$e "
        cpu[$n]+="$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') "
    done
done
med() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"
for side in old new; do
    lw=$(med "${wall[$side-lint]}"); pw=$(med "${wall[$side-parse]}")
    lc=$(med "${cpu[$side-lint]}"); pc=$(med "${cpu[$side-parse]}")
    echo "$side: lint ${lw}s wall ${lc}s CPU; parse only ${pw}s wall ${pc}s CPU; lint/parse $(awk -v a="$lw" -v b="$pw" 'BEGIN{printf "%.2f", a/b}') wall, $(awk -v a="$lc" -v b="$pc" 'BEGIN{printf "%.2f", a/b}') CPU"
done
