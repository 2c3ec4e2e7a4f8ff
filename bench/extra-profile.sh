#!/usr/bin/env bash
# Where a full lint's time goes beyond parsing: samples RUNS (default 5)
# lint and parse-only runs (every rule skipped) of the 20,000 generated
# workloads in turn with `perf record` (cpu-clock, kernel included), and
# prints, per symbol, the median samples of a lint run minus the median of a
# parse-only run, largest first, with the median totals. At the sampling
# rate used (9,999 Hz per CPU) a sample is about 0.1 ms of CPU.
#
#   RUNS=5 bench/extra-profile.sh [TOP]      TOP symbols (default 30)
#
# On these shared machines one run's total moves by half from one run to
# the next, and the kernel's copy of the 81 MB report into the page cache
# most of all: use several runs.
# Needs perf (apt-get install linux-perf); skips without it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
TOP="${1:-30}"
RUNS="${RUNS:-5}"
command -v perf >/dev/null || { echo "SKIP: perf not installed"; exit 0; }
cargo build --release -p eyelint >/dev/null 2>&1
BIN="$PWD/target/release/eyelint"
DATA="$PWD/target/bench-data"
workloads "$DATA"
all_rules="$(all_rules "$BIN")"

# profile NAME ARGS...: samples one run into $DATA/NAME.perf and writes its
# per-symbol sample counts to $DATA/NAME.symbols.
profile() {
    local name=$1
    shift
    rm -f "$DATA/$name.json"
    # eyelint exits 1 when it reports findings; that is expected here.
    perf record -q -e cpu-clock -F 9999 -o "$DATA/$name.perf" -- \
        "$BIN" "$@" -f json -o "$DATA/$name.json" "$DATA/workloads" >/dev/null 2>&1 || true
    perf report -i "$DATA/$name.perf" --no-children --sort sym -F sample,sym \
        --percent-limit 0 -g none --stdio 2>/dev/null >"$DATA/$name.symbols"
}
for i in $(seq "$RUNS"); do
    profile "profile-lint-$i"
    profile "profile-parse-$i" --skip "$all_rules"
done

python3 - "$DATA" "$RUNS" "$TOP" <<'EOF'
import re
import statistics
import sys


def load(path):
    counts = {}
    for line in open(path):
        m = re.match(r"\s*(\d+)\s+\[(.)\]\s+(.*\S)", line)
        if m:
            name = f"[{m.group(2)}] {m.group(3)}"
            counts[name] = counts.get(name, 0) + int(m.group(1))
    return counts


def median_counts(runs):
    """Per symbol, the median of its samples over the runs (0 where absent)."""
    names = set().union(*runs)
    return {k: statistics.median(r.get(k, 0) for r in runs) for k in names}


data, runs, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lints = [load(f"{data}/profile-lint-{i}.symbols") for i in range(1, runs + 1)]
parses = [load(f"{data}/profile-parse-{i}.symbols") for i in range(1, runs + 1)]
lint, parse = median_counts(lints), median_counts(parses)
total_lint = statistics.median(sum(r.values()) for r in lints)
total_parse = statistics.median(sum(r.values()) for r in parses)
extra = total_lint - total_parse
print(
    f"median samples of {runs} runs: lint {total_lint:.0f}, parse only {total_parse:.0f}, "
    f"extra {extra:.0f}"
)
if extra <= 0:
    sys.exit("the lint run has no extra samples: the machine was too busy to tell")
kernel = sum(n for k, n in lint.items() if k.startswith("[k]")) - sum(
    n for k, n in parse.items() if k.startswith("[k]")
)
print(f"kernel: {kernel:.0f} of the extra ({100 * kernel / extra:.0f}%)")
diff = sorted(
    ((lint.get(k, 0) - parse.get(k, 0), k) for k in set(lint) | set(parse)),
    reverse=True,
)
for n, name in diff[:top]:
    print(f"{n:7.0f} {100 * n / extra:5.1f}%  {name[:100]}")
EOF
