#!/usr/bin/env bash
# Runs one of the Python oracle scripts beside this file with
# kubernetes-validate 1.37.0 and its pinned dependencies (PyYAML among them)
# and docker-image-py 0.2.0 (distribution's image reference grammar),
# installed from PyPI into tests/.venv-kubernetes-validate on first use
# (about 20 seconds, 115 MB).
#
#   tests/python-oracle.sh SCRIPT.py ARGS...
#       field_types_oracle.py [--strict] OUT.json PATH...  the schemas' view of field types
#       spans_oracle.py OUT.json PATH...                   PyYAML's positions of every node
#       image_refs_oracle.py IN.json OUT.json              docker-image-py's reading of images
#
# Exits 3 when the packages cannot be installed (PyPI unreachable).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-kubernetes-validate"
[ $# -ge 1 ] || { echo "usage: tests/python-oracle.sh SCRIPT.py ARGS..." >&2; exit 2; }
script="$here/$1"
shift
# Tests run this in parallel: one installs while the others wait.
if command -v flock >/dev/null; then
    exec 9>"$here/.venv-kubernetes-validate.lock"
    flock 9
fi
if ! "$venv/bin/python" -c 'import kubernetes_validate, yaml, docker_image' 2>/dev/null; then
    rm -rf "$venv"
    if ! { python3 -m venv "$venv" &&
        "$venv/bin/pip" install --quiet kubernetes-validate==1.37.0 jsonschema==4.26.0 \
            referencing==0.37.0 PyYAML==6.0.4 docker-image-py==0.2.0 regex==2026.12.2; } >&2; then
        rm -rf "$venv"
        echo "kubernetes-validate or docker-image-py could not be installed from PyPI" >&2
        exit 3
    fi
fi
exec 9>&-
exec "$venv/bin/python" "$script" "$@"
