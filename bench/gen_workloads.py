#!/usr/bin/env python3
"""Writes a deterministic set of Kubernetes workloads for the benchmarks.

Usage: bench/gen_workloads.py OUT_DIR [OBJECTS] [PER_FILE]

Defaults: 20,000 objects, 200 per file (100 multi-document files, ~28 MB).
Kinds rotate through Deployment, StatefulSet, DaemonSet, Job and CronJob;
each has one or two containers (and an init container on every tenth object) with a
mix of settings so that most rules both pass and fail somewhere.
"""
import os
import sys

KINDS = [
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
]


def container(name, i, privileged):
    tag = "latest" if i % 7 == 0 else f"1.{i % 13}.{i % 5}"
    sc = (
        "            securityContext:\n"
        f"              privileged: {'true' if privileged else 'false'}\n"
        "              allowPrivilegeEscalation: false\n"
        "              runAsNonRoot: true\n"
        "              capabilities: {drop: [ALL]}\n"
    )
    probes = ""
    if i % 4 != 0:
        probes = (
            "            readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 10}\n"
            "            livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n"
        )
    return (
        f"          - name: {name}\n"
        f"            image: registry.example.com/team-{i % 17}/{name}:{tag}\n"
        "            imagePullPolicy: Always\n"
        "            env:\n"
        f"              - {{name: MODE, value: {['fast', 'safe', 'debug'][i % 3]}}}\n"
        "            resources:\n"
        "              requests: {cpu: 100m, memory: 128Mi}\n"
        "              limits: {cpu: 500m, memory: 256Mi}\n"
        + probes
        + sc
    )


def workload(i):
    api, kind = KINDS[i % len(KINDS)]
    name = f"app-{i:05d}"
    ns = f"team-{i % 17}"
    init = ""
    if i % 10 == 0:
        init = "        initContainers:\n" + container("init", i, False)
    pod = (
        "      metadata:\n"
        "        labels:\n"
        f"          app.kubernetes.io/name: {name}\n"
        f"          app.kubernetes.io/instance: {name}\n"
        "          tier: backend\n"
        "      spec:\n"
        f"        serviceAccountName: {name}\n"
        "        automountServiceAccountToken: false\n"
        f"        hostNetwork: {'true' if i % 50 == 0 else 'false'}\n"
        + init
        + "        containers:\n"
        + container("app", i, i % 101 == 0)
        + (container("sidecar", i + 1, False) if i % 2 == 0 else "")
    )
    # Re-indent the pod template under the right parent.
    if kind == "CronJob":
        body = (
            "  schedule: \"*/5 * * * *\"\n"
            "  jobTemplate:\n"
            "    spec:\n"
            "      template:\n" + "".join("  " + l + "\n" for l in pod.splitlines())
        )
    else:
        body = ""
        if kind in ("Deployment", "StatefulSet"):
            body += f"  replicas: {1 + i % 4}\n"
        if kind != "Job":
            body += f"  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
        body += "  template:\n" + "".join(l[2:] + "\n" for l in pod.splitlines())
    return (
        f"apiVersion: {api}\n"
        f"kind: {kind}\n"
        "metadata:\n"
        f"  name: {name}\n"
        f"  namespace: {ns}\n"
        "  labels:\n"
        f"    app.kubernetes.io/name: {name}\n"
        "    owner: platform\n"
        "spec:\n" + body
    )


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    per_file = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    os.makedirs(out, exist_ok=True)
    size = 0
    for f in range((total + per_file - 1) // per_file):
        docs = [workload(i) for i in range(f * per_file, min(total, (f + 1) * per_file))]
        text = "---\n".join(docs)
        with open(os.path.join(out, f"workloads-{f:04d}.yaml"), "w") as fh:
            fh.write(text)
        size += len(text)
    print(f"wrote {total} objects in {(total + per_file - 1) // per_file} files, {size} bytes, to {out}")


if __name__ == "__main__":
    main()
