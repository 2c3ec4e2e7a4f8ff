#!/usr/bin/env bash
# Proves the pre-commit hook in .pre-commit-hooks.yaml works as users will use it:
# installs pre-commit from PyPI into a throwaway virtualenv, points a throwaway git
# repository at this checkout (by path and commit), and checks that the hook fails
# on a bad manifest and passes on a good one.
#
# Usage: tests/precommit.sh            (run by tests/precommit.rs during `cargo test`)
# Exit codes: 0 proven, 1 the hook misbehaved, 3 pre-commit could not be installed.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
rev="$(git -C "$repo_root" rev-parse HEAD)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
if ! "$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit; then
    echo "precommit.sh: could not install pre-commit from PyPI" >&2
    exit 3
fi

# The hook builds eyelint with `cargo install`; share a target directory so
# repeated local runs do not rebuild from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo_root/target/precommit}"
# This test checks behaviour, not speed: build the hook without LTO and at a
# lower optimisation level so it takes a fraction of a full release build.
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export PRE_COMMIT_HOME="$work/pre-commit-home"

mkdir "$work/project"
cd "$work/project"
git init --quiet
git config user.email "precommit@example.com"
git config user.name "precommit test"
cat > .pre-commit-config.yaml <<CFG
repos:
  - repo: $repo_root
    rev: $rev
    hooks:
      - id: eyelint
CFG
cp "$repo_root/examples/good/web.yaml" web.yaml
# Not a Kubernetes manifest: the hook must not complain about it.
printf 'stages: [build]\nbuild:\n  script: make\n' > .gitlab-ci.yml
git add -A

echo "precommit.sh: good manifest (builds the hook at $rev)"
if ! "$work/venv/bin/pre-commit" run --all-files > good.log 2>&1; then
    cat good.log
    echo "FAIL: the hook rejected a good manifest" >&2
    exit 1
fi
cat good.log

cp "$repo_root/examples/bad/worker.yaml" worker.yaml
git add worker.yaml
echo "precommit.sh: bad manifest"
if "$work/venv/bin/pre-commit" run --all-files > bad.log 2>&1; then
    cat bad.log
    echo "FAIL: the hook accepted a bad manifest" >&2
    exit 1
fi
cat bad.log
if ! grep -q "worker.yaml:30:13" bad.log || ! grep -q "runAsPrivileged" bad.log; then
    echo "FAIL: the hook failed without reporting the privileged container at worker.yaml:30:13" >&2
    exit 1
fi

# Cross-object checks see every staged file in one run: a RoleBinding whose
# Role allows exec into pods is reported only when both are read together.
# Enough other files that pre-commit would split them over one run per CPU
# without `require_serial`; one file's name starts with `-`.
git rm --quiet --cached worker.yaml && rm worker.yaml
cat > role.yaml <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debug-shell
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["create"]
YAML
cat > binding.yaml <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: debug-shell
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: debug-shell
subjects:
  - kind: User
    name: jane@example.com
    apiGroup: rbac.authorization.k8s.io
YAML
for i in $(seq 1 12); do printf 'stage: s%s
' "$i" > "values-$i.yaml"; done
cp "$repo_root/examples/bad/rbac.yaml" ./-admin.yaml
git add -A -- .
echo "precommit.sh: cross-object checks over many staged files"
if "$work/venv/bin/pre-commit" run --all-files > cross.log 2>&1; then
    cat cross.log
    echo "FAIL: the hook accepted an exec-granting Role and a cluster-admin binding" >&2
    exit 1
fi
cat cross.log
runs=$(grep -cE '^[0-9]+ danger, [0-9]+ warning|^no findings' cross.log || true)
if [ "$runs" != 1 ]; then
    echo "FAIL: the hook ran $runs times; the staged files must be linted in one run" >&2
    exit 1
fi
if ! grep -q "rolebindingRolePodExecAttach" cross.log || ! grep -q "binding.yaml:9:3" cross.log; then
    echo "FAIL: the RoleBinding of the exec-granting Role was not reported at binding.yaml:9:3" >&2
    exit 1
fi
if ! grep -q -- "-admin.yaml:" cross.log || ! grep -q "clusterrolebindingClusterAdmin" cross.log; then
    echo "FAIL: the file named -admin.yaml was not linted as a path" >&2
    exit 1
fi
echo "precommit.sh: PASS: the hook fails on a bad manifest and passes on a good one; one run sees every staged file"
