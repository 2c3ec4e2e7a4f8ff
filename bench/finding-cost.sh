#!/usr/bin/env bash
# Where a lint's time goes beyond parsing, split by what the run produces:
# the 20,000 generated workloads are linted, in alternating rounds
# (bench/alternate.py, RUNS rounds, default 15):
#
#   parse      every rule skipped (parse, object walk, empty report)
#   passing    only the rules that report nothing on this data set
#   failing    only the rules that report something on it
#   lint       every rule, JSON report to a file (what bench/run.sh times)
#   lint-null  every rule, JSON report to /dev/null (same rendering, no
#              copy into the page cache)
#
# and, when ../shared/corpus is there, the corpus's lint and parse-only runs.
# Prints each median, the lint/parse ratios and the cost per finding
# (extra CPU time over parse-only, divided by the number of findings).
# The rule split comes from one lint run's report, not a fixed list.
#
#   bench/finding-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
RUNS="${RUNS:-15}"
cargo build --release -p eyelint >/dev/null 2>&1
BIN="$PWD/target/release/eyelint"
DATA="$PWD/target/bench-data"
workloads "$DATA"
all="$(all_rules "$BIN")"

"$BIN" -f json -o "$DATA/fc-split.json" "$DATA/workloads" >/dev/null 2>&1 || true
read -r failing findings < <(python3 - "$DATA/fc-split.json" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
print(",".join(sorted({x["id"] for x in f})), len(f))
EOF
)

W="$DATA/workloads"
spec="parse	$DATA/fc-parse.json	$BIN	--skip	$all	-f	json	-o	$DATA/fc-parse.json	$W
passing	$DATA/fc-passing.json	$BIN	--skip	$failing	-f	json	-o	$DATA/fc-passing.json	$W
failing	$DATA/fc-failing.json	$BIN	--only	$failing	-f	json	-o	$DATA/fc-failing.json	$W
lint	$DATA/fc-lint.json	$BIN	-f	json	-o	$DATA/fc-lint.json	$W
lint-null	-	$BIN	-f	json	-o	/dev/null	$W"
if [ -d ../shared/corpus ]; then
    spec+="
corpus-parse	$DATA/fc-cparse.json	$BIN	--skip	$all	-f	json	-o	$DATA/fc-cparse.json	../shared/corpus
corpus-lint	$DATA/fc-clint.json	$BIN	-f	json	-o	$DATA/fc-clint.json	../shared/corpus"
fi
results=$(python3 bench/alternate.py "$RUNS" <<<"$spec")
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS rounds"
echo "rules reporting on the workloads: $failing ($findings findings)"
printf '%-13s %9s %9s\n' run "wall (s)" "CPU (s)"
awk '{printf "%-13s %9s %9s\n", $1, $2, $3}' <<<"$results"
field() { awk -v n="$1" -v k="$2" '$1 == n {print $k}' <<<"$results"; }
ratio() { awk -v a="$(field "$1" 2)" -v b="$(field "$2" 2)" 'BEGIN{printf "%.2f", a/b}'; }
echo "lint/parse (wall): report to a file $(ratio lint parse), to /dev/null $(ratio lint-null parse); passing rules only $(ratio passing parse), failing rules only $(ratio failing parse)"
awk -v l="$(field lint 3)" -v p="$(field parse 3)" -v n="$findings" \
    'BEGIN{printf "extra CPU over parse-only per finding: %.0f ns\n", (l - p) / n * 1e9}'
if [ -d ../shared/corpus ]; then
    echo "corpus lint/parse (wall): $(ratio corpus-lint corpus-parse)"
fi
