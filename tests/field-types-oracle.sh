#!/usr/bin/env bash
# Runs tests/field_types_oracle.py (the Kubernetes schemas' view of field
# types) with kubernetes-validate 1.37.0 and its pinned dependencies,
# installed from PyPI into tests/.venv-kubernetes-validate on first use
# (about 20 seconds, 110 MB).
#
#   tests/field-types-oracle.sh OUT.json PATH...     (absolute paths)
#
# Exits 3 when kubernetes-validate cannot be installed (PyPI unreachable).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-kubernetes-validate"
# Tests run this in parallel: one installs while the others wait.
if command -v flock >/dev/null; then
    exec 9>"$here/.venv-kubernetes-validate.lock"
    flock 9
fi
if ! "$venv/bin/python" -c 'import kubernetes_validate' 2>/dev/null; then
    rm -rf "$venv"
    if ! { python3 -m venv "$venv" &&
        "$venv/bin/pip" install --quiet kubernetes-validate==1.37.0 jsonschema==4.26.0 \
            referencing==0.37.0 PyYAML==6.0.4; } >&2; then
        rm -rf "$venv"
        echo "kubernetes-validate could not be installed from PyPI" >&2
        exit 3
    fi
fi
exec 9>&-
exec "$venv/bin/python" "$here/field_types_oracle.py" "$@"
