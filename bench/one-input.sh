#!/usr/bin/env bash
# One large input: the 20,000 generated workloads (bench/workloads.sh) as a
# single stream of 20,000 documents (28 MB), as `helm template … | eyelint -`
# or `kubectl get … -o yaml | eyelint -` hand it over. Each binary lints it
# with a JSON, a SARIF, a GitHub and a human report to a file, and parses it only
# (every rule skipped); RUNS rounds (default 5), the binaries' commands
# alternating within each round (bench/alternate.py). Prints median wall
# and CPU seconds and the largest resident set, per binary and command.
#
#   bench/one-input.sh BINARY [OTHER_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
[ $# -ge 1 ] || { echo "usage: bench/one-input.sh BINARY [OTHER_BINARY]" >&2; exit 2; }
RUNS="${RUNS:-5}"
DATA="$PWD/target/bench-data"
workloads "$DATA"
one="$DATA/one-input.yaml"
if [ ! -f "$one" ]; then
    for f in "$DATA"/workloads/*.yaml; do
        printf -- '---\n'
        cat "$f"
    done >"$one"
fi
all_rules="$(all_rules "$1")"
spec=""
n=0
for bin in "$@"; do
    n=$((n + 1))
    for format in json sarif github human; do
        out="$DATA/one-$n.$format"
        spec+="bin$n-$format	$out	$bin	--color	never	-f	$format	-o	$out	$one"$'\n'
    done
    out="$DATA/one-$n.parse"
    spec+="bin$n-parse	$out	$bin	--skip	$all_rules	-f	json	-o	$out	$one"$'\n'
done
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"
echo "input: $(du -h "$one" | cut -f1) in one file, $(grep -c '^kind:' "$one") objects"
i=0
for bin in "$@"; do
    i=$((i + 1))
    echo "bin$i: $bin"
done
echo "name wall_median_s cpu_median_s max_rss_kb walls..."
python3 bench/alternate.py "$RUNS" <<<"$spec"
