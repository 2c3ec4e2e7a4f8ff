# Sourced by the benchmark scripts (not run on its own): the 20,000
# generated workloads and the list of every rule, for parse-only runs.
#
#   workloads DATA          makes DATA/workloads unless it is there
#   all_rules BINARY        prints every rule id of BINARY, comma-separated
#   checkov_venv            installs checkov 3.3.30 into bench/.venv-checkov
#                           unless it is there (PyPI; about a minute)

workloads() {
    if [ ! -f "$1/workloads/workloads-0099.yaml" ]; then
        python3 bench/gen_workloads.py "$1/workloads" 20000 200 >/dev/null
    fi
}

all_rules() {
    "$1" rules --json | python3 -c 'import json,sys; print(",".join(r["id"] for r in json.load(sys.stdin)))'
}

checkov_venv() {
    if [ ! -x bench/.venv-checkov/bin/checkov ]; then
        python3 -m venv bench/.venv-checkov
        bench/.venv-checkov/bin/pip install --quiet checkov==3.3.30
    fi
}
