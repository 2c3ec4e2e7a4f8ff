#!/usr/bin/env bash
# Scale benchmark of `eyelint sweep --from-dump` (issue 6, "Tests and scale").
#
#   bench/sweep-scale.sh [NODES PODS EVENTS]     (default 2000 60000 200000)
#
# Builds the release binary and the generator, writes a synthetic
# `kubectl cluster-info dump` into a temporary directory, sweeps it RUNS
# times (default 3) under /usr/bin/time -v, prints wall time, peak resident
# memory and its ratio to the dump's size for each run and the medians, and
# removes the temporary directory. Targets: under 15 s, under 2x the dump.
#
# Environment: RUNS (default 3), FORMAT (json|human|html, default json),
# GEN_FLAGS (e.g. --compact: one line per object instead of kubectl's
# indentation), KEEP=1 to keep the temporary directory, TMPDIR.
set -euo pipefail

cd "$(dirname "$0")/.."
NODES=${1:-2000}
PODS=${2:-60000}
EVENTS=${3:-200000}
RUNS=${RUNS:-3}
FORMAT=${FORMAT:-json}
GEN_FLAGS=${GEN_FLAGS:-}

if [ ! -x /usr/bin/time ]; then
    echo "sweep-scale: /usr/bin/time (GNU time) is needed: apt-get install time" >&2
    exit 2
fi

cargo build --release -q -p eyelint-sweep --bin eyelint-sweep --example sweep_gen
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/eyelint-sweep"
gen="$target_dir/release/examples/sweep_gen"

work=$(mktemp -d "${TMPDIR:-/tmp}/sweep-scale.XXXXXX")
if [ "${KEEP:-0}" != 1 ]; then
    trap 'rm -rf "$work"' EXIT
fi

# shellcheck disable=SC2086
"$gen" $GEN_FLAGS "$work/cluster.dump" "$NODES" "$PODS" "$EVENTS"
dump_bytes=$(stat -c %s "$work/cluster.dump")
echo "dump: $NODES nodes, $PODS pods, $EVENTS events: $dump_bytes bytes ($(awk -v b="$dump_bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }'))"
echo "machine: $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg)"

times=()
rss=()
for run in $(seq 1 "$RUNS"); do
    status=0
    /usr/bin/time -v -o "$work/time.txt" "$bin" --from-dump "$work/cluster.dump" \
        --format "$FORMAT" --output "$work/report.out" --fail-on never || status=$?
    if [ "$status" != 0 ]; then
        echo "sweep-scale: the sweep failed (exit $status)" >&2
        cat "$work/time.txt" >&2
        exit 2
    fi
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    times+=("$wall")
    rss+=("$kb")
    awk -v run="$run" -v t="$wall" -v kb="$kb" -v d="$dump_bytes" 'BEGIN {
        printf "run %d: %6.2f s, peak RSS %7.1f MB = %.2fx the dump\n", run, t, kb * 1024 / 1e6, kb * 1024 / d }'
done
findings=$(grep -c '"severity"' "$work/report.out" || true)
[ "$FORMAT" = json ] && echo "report: $findings findings"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mt=$(median "${times[@]}")
mk=$(median "${rss[@]}")
awk -v t="$mt" -v kb="$mk" -v d="$dump_bytes" -v n="$RUNS" 'BEGIN {
    ratio = kb * 1024 / d
    printf "median of %d: %.2f s (target < 15 s: %s), peak RSS %.1f MB = %.2fx the dump (target < 2x: %s)\n",
        n, t, (t < 15 ? "met" : "MISSED"), kb * 1024 / 1e6, ratio, (ratio < 2 ? "met" : "MISSED") }'
