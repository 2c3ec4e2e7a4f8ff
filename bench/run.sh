#!/usr/bin/env bash
# Benchmarks of the eyelint command line, as recorded in docs/performance.md.
#
#   bench/run.sh              everything below except checkov
#   bench/run.sh --checkov    also install checkov 3.3.30 into bench/.venv-checkov and
#                             time it on the same corpus in the same run
#
# Prints median wall times (and peak RSS from /usr/bin/time) of:
#   1. the whole ../shared/corpus (JSON report), vs checkov when asked;
#   2. 20,000 generated workloads (bench/gen_workloads.py): full lint vs the same
#      binary with every rule skipped (parse + object walk only);
#   3. every output format on the 20,000 workloads (the report streams out as
#      the run goes on, so peak memory should not grow with the report);
#   4. one small file (the whole process, as pre-commit runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
RUNS="${RUNS:-5}"
cargo build --release -p eyelint >/dev/null 2>&1
BIN="$PWD/target/release/eyelint"
DATA="$PWD/target/bench-data"
mkdir -p "$DATA"

# clear_report CMD...: deletes the file CMD's `-o FILE` names (see below).
clear_report() {
    while [ $# -gt 1 ]; do
        [ "$1" = -o ] && rm -f "$2"
        shift
    done
}

# median_of CMD...: runs CMD $RUNS times; prints "median_s max_rss_kb".
median_of() {
    local times=() rss=0 t r
    for _ in $(seq "$RUNS"); do
        clear_report "$@"
        /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >/dev/null 2>&1 || true
        read -r t r < <(tail -n 1 "$DATA/time.txt")
        times+=("$t")
        (( r > rss )) && rss=$r
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END {printf "%.3f %d\n", a[int((NR+1)/2)], rss}'
}

echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -d ../shared/corpus ]; then
    read -r t rss < <(median_of "$BIN" -f json -o "$DATA/corpus.json" ../shared/corpus)
    echo "corpus (938 files): eyelint median ${t}s, peak RSS ${rss} KB (${RUNS} runs)"
    if [ "${1:-}" = "--checkov" ]; then
        checkov_venv
        /usr/bin/time -f "%e %M" -o "$DATA/time.txt" env BC_SKIP_MAPPING=TRUE \
            bench/.venv-checkov/bin/checkov -d ../shared/corpus --framework kubernetes -o json \
            --skip-download --skip-results-upload --quiet >"$DATA/checkov.json" 2>/dev/null || true
        read -r ct crss < <(tail -n 1 "$DATA/time.txt")
        echo "corpus: checkov ${ct}s, peak RSS ${crss} KB (1 run); eyelint is $(awk -v a="$ct" -v b="$t" 'BEGIN{printf "%.0f", a/b}')x faster"
    fi
else
    echo "SKIP corpus: ../shared/corpus not found"
fi

workloads "$DATA"
all_rules="$(all_rules "$BIN")"
# Lint and parse-only runs alternate, so a change in the machine's load (these
# are shared machines) hits both sides of the ratio alike.
# Each run writes a fresh report: the previous run's report is deleted first,
# outside the timing. Overwriting it instead makes the kernel free the old
# report's pages inside the timed run (about 0.02 s for the 82 MB JSON
# report here), a cost of re-running the benchmark, not of linting.
lt=(); pt=(); lc=(); pc=(); rss=0; prss=0
for _ in $(seq "$RUNS"); do
    rm -f "$DATA/wl.json" "$DATA/wl-parse.json"
    /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "$BIN" -f json -o "$DATA/wl.json" "$DATA/workloads" >/dev/null 2>&1 || true
    read -r t r u s < <(tail -n 1 "$DATA/time.txt")
    lt+=("$t"); lc+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"); (( r > rss )) && rss=$r
    /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "$BIN" --skip "$all_rules" -f json -o "$DATA/wl-parse.json" "$DATA/workloads" >/dev/null 2>&1 || true
    read -r t r u s < <(tail -n 1 "$DATA/time.txt")
    pt+=("$t"); pc+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"); (( r > prss )) && prss=$r
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
t=$(med "${lt[@]}"); p=$(med "${pt[@]}"); tc=$(med "${lc[@]}"); pcpu=$(med "${pc[@]}")
echo "20,000 workloads ($(du -sb "$DATA/workloads" | cut -f1) bytes): lint median ${t}s wall, ${tc}s CPU ($(awk -v t="$t" 'BEGIN{printf "%.0f", 20000/t}') objects/s), peak RSS ${rss} KB; all runs: ${lt[*]}"
echo "20,000 workloads: parse only (every rule skipped) median ${p}s wall, ${pcpu}s CPU, peak RSS ${prss} KB; all runs: ${pt[*]}"
echo "20,000 workloads: lint/parse = $(awk -v a="$t" -v b="$p" 'BEGIN{printf "%.2f", a/b}') by wall time, $(awk -v a="$tc" -v b="$pcpu" 'BEGIN{printf "%.2f", a/b}') by CPU time (${RUNS} alternating runs each)"

for format in json sarif junit github human; do
    read -r ft frss < <(median_of "$BIN" -f "$format" --no-color -o "$DATA/wl-report.$format" "$DATA/workloads")
    echo "20,000 workloads, --format $format: median ${ft}s, peak RSS ${frss} KB, report $(du -b "$DATA/wl-report.$format" | cut -f1) bytes"
done

# A run this short is below /usr/bin/time's resolution (hundredths of a
# second): bench/alternate.py reads the clock in nanoseconds.
small="$PWD/examples/good/web.yaml"
# Peak RSS comes from /usr/bin/time: the child's maximum that alternate.py
# reads also counts the Python process it was forked from (about 14 MB).
read -r _ s _ _ < <(python3 bench/alternate.py 21 <<<"small	-	$BIN	$small")
read -r _ srss < <(RUNS=3 median_of "$BIN" "$small")
echo "one small file (examples/good/web.yaml): median ${s}s over 21 runs, peak RSS ${srss} KB"
