#!/usr/bin/env bash
# Runs Microsoft's SARIF validator (the SARIF Multitool's `validate`, npm
# package @microsoft/sarif-multitool 5.7.0, a self-contained .NET build),
# installed from the npm registry into tests/.sarif-multitool on first use
# (about 30 seconds, 104 MB).
#
#   tests/sarif-validator.sh LOG.sarif OUT.sarif RULE_KIND
#       RULE_KIND: Sarif (the SARIF specification's rules) or Gh (what
#       GitHub's code scanning ingestion requires)
#
# Exits 3 when npm is missing or the package cannot be installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$here/.sarif-multitool"
tool="$dir/node_modules/.bin/sarif-multitool"
[ $# -eq 3 ] || { echo "usage: tests/sarif-validator.sh LOG OUT RULE_KIND" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm is not installed" >&2; exit 3; }
# Tests run in parallel: one installs while the others wait.
if command -v flock >/dev/null; then
    exec 9>"$here/.sarif-multitool.lock"
    flock 9
fi
if [ ! -x "$tool" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! (cd "$dir" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool@5.7.0 >&2); then
        rm -rf "$dir"
        echo "@microsoft/sarif-multitool could not be installed from npm" >&2
        exit 3
    fi
fi
exec 9>&-
exec "$tool" validate "$1" --rule-kind "$3" --max-file-size-in-kb 1000000 \
    -o "$2" --log ForceOverwrite -q
