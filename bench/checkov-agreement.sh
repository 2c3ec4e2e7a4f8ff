#!/usr/bin/env bash
# Does eyelint judge objects the way checkov does, where the two have the
# same check? Runs checkov 3.3.30 (installed into bench/.venv-checkov from
# PyPI on first use) and eyelint on the same directory, pairs the 17 checkov
# checks that have a direct eyelint (Polaris) counterpart, 2 that are a
# narrower case of one (docker.sock hostPath, SYS_ADMIN) and 2 that are
# stricter (seccomp, drop ALL), and prints per check
# how many objects both tools judge alike, then each disagreement with the
# documented semantic difference it comes from. A disagreement no known
# difference explains is printed as UNEXPLAINED, and the script exits 1.
#
#   bench/checkov-agreement.sh [DIR]      (default ../shared/corpus)
#   EYELINT=path/to/eyelint bench/...     use that binary instead of a release build
#
# Exits 3 when checkov cannot be installed (PyPI unreachable).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/workloads.sh
DIR="${1:-../shared/corpus}"
if [ ! -d "$DIR" ]; then
    echo "SKIP: $DIR not found"
    exit 0
fi
if [ -n "${EYELINT:-}" ]; then
    BIN="$EYELINT"
else
    cargo build --release -p eyelint >/dev/null 2>&1
    BIN="$PWD/target/release/eyelint"
fi
OUT="$PWD/target/bench-data/agreement/$(basename "$DIR")"
mkdir -p "$OUT"
if ! checkov_venv >&2; then
    echo "checkov could not be installed from PyPI" >&2
    exit 3
fi
checks=$(bench/.venv-checkov/bin/python -c 'import sys; sys.path.insert(0, "bench"); import checkov_agreement as a; print(",".join(a.PAIRS))')
BC_SKIP_MAPPING=TRUE bench/.venv-checkov/bin/checkov -d "$DIR" --framework kubernetes -o json \
    --skip-download --skip-results-upload --check "$checks" >"$OUT/checkov.json" 2>/dev/null || true
"$BIN" -f json -o "$OUT/eyelint.json" --fail-on never "$DIR" 2>/dev/null || true
"$BIN" rules --json >"$OUT/rules.json"
bench/.venv-checkov/bin/python bench/checkov_agreement.py \
    "$OUT/checkov.json" "$OUT/eyelint.json" "$OUT/rules.json" "$DIR"
