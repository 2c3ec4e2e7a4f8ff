"""Compares eyelint's verdicts with checkov's on the same manifests, check by
check, for the checkov checks that have a direct eyelint (Polaris)
counterpart, for two that are a narrower case of an eyelint rule and for
two that are stricter than one. Run through bench/checkov-agreement.sh,
which runs both tools.

    checkov_agreement.py CHECKOV_JSON EYELINT_JSON RULES_JSON ROOT

A verdict is per object: checkov reports one result per resource, eyelint
one finding per container, so eyelint "fails" an object when any finding of
the rule names it. Objects are matched by file, kind, namespace and name.
Every disagreement is given the documented reason it comes from (see
../shared/reference/checkov.md section 3 and docs/rules.md); one that no
reason explains is printed as UNEXPLAINED and the script exits 1.

Needs PyYAML (the checkov virtualenv has it) to read the objects a
disagreement is about.
"""

import collections
import json
import os
import re
import sys

import yaml

# checkov id -> eyelint id: the direct counterparts.
PAIRS = {
    "CKV_K8S_8": "livenessProbeMissing",
    "CKV_K8S_9": "readinessProbeMissing",
    "CKV_K8S_10": "cpuRequestsMissing",
    "CKV_K8S_11": "cpuLimitsMissing",
    "CKV_K8S_12": "memoryRequestsMissing",
    "CKV_K8S_13": "memoryLimitsMissing",
    "CKV_K8S_14": "tagNotSpecified",
    "CKV_K8S_15": "pullPolicyNotAlways",
    "CKV_K8S_16": "runAsPrivileged",
    "CKV_K8S_17": "hostPIDSet",
    "CKV_K8S_18": "hostIPCSet",
    "CKV_K8S_19": "hostNetworkSet",
    "CKV_K8S_20": "privilegeEscalationAllowed",
    "CKV_K8S_22": "notReadOnlyRootFilesystem",
    "CKV_K8S_23": "runAsRootAllowed",
    "CKV_K8S_25": "dangerousCapabilities",
    "CKV_K8S_26": "hostPortSet",
}

# checkov checks that are a narrower case of an eyelint rule: where checkov
# fails, eyelint must fail too; eyelint may fail more.
NARROWER = {
    "CKV_K8S_27": ("hostPathSet", "checkov flags only a hostPath of /var/run/docker.sock; eyelint (Polaris) flags every hostPath volume"),
    "CKV_K8S_39": ("dangerousCapabilities", "checkov flags only an added SYS_ADMIN; eyelint (Polaris) also ALL and NET_ADMIN, in any case"),
}
PAIRS.update({k: v[0] for k, v in NARROWER.items()})

# checkov checks that are stricter than an eyelint rule: where checkov
# passes, eyelint must pass too; checkov may fail more.
STRICTER = {
    "CKV_K8S_31": ("linuxHardening", "checkov wants the RuntimeDefault seccomp profile; eyelint (Polaris) accepts any hardening"),
    "CKV_K8S_37": ("insecureCapabilities", "checkov wants `ALL` or `all` dropped; eyelint (Polaris) also accepts any case (`All`) or its 15 capabilities dropped by name"),
}
PAIRS.update({k: v[0] for k, v in STRICTER.items()})

# Polaris's dangerousCapabilities set (compared case-insensitively).
DANGEROUS = {"ALL", "SYS_ADMIN", "NET_ADMIN"}


def main(checkov_path, eyelint_path, rules_path, root):
    root = os.path.abspath(root)
    results = json.load(open(checkov_path))
    if isinstance(results, list):
        results = next(r for r in results if r.get("check_type") == "kubernetes")
    if "results" not in results:
        sys.exit(f"checkov judged no resources under {root}: {json.dumps(results)}")
    results = results["results"]
    report = json.load(open(eyelint_path))
    inspects = {r["id"]: r["inspects"].split(",") for r in json.load(open(rules_path))}

    def rel(path):
        """A path relative to ROOT: eyelint names files as given on its
        command line; checkov relative to its -d directory, after a `/`
        (`/x.yaml`), or, for a relative -d, as `/../d/x.yaml`."""
        path = os.path.normpath(path)
        if os.path.isabs(path) and os.path.exists(path):
            return os.path.relpath(path, root)
        marker = os.sep + os.path.basename(root) + os.sep
        i = path.find(marker)
        if i >= 0 and not os.path.exists(os.path.join(root, path.lstrip(os.sep))):
            return path[i + len(marker):]
        return path.lstrip(os.sep)

    refused = {rel(e["file"]) for e in report["errors"]}
    found = collections.defaultdict(list)  # (file, kind, ns, name, id) -> findings
    for f in report["findings"]:
        key = (rel(f["file"]), f["kind"], f["namespace"] or "default", f["name"], f["id"])
        found[key].append(f)

    verdicts = {}  # (file, kind, ns, name, check) -> checkov result
    for status, results_list in (("FAILED", results["failed_checks"]), ("PASSED", results["passed_checks"])):
        for c in results_list:
            if c["check_id"] not in PAIRS:
                continue
            kind, rest = c["resource"].split(".", 1)
            ns, name = rest.split(".", 1)
            verdicts[(rel(c["file_path"]), kind, ns, name, c["check_id"])] = (status, c)

    docs = {}

    def objects(file):
        if file not in docs:
            with open(os.path.join(root, file), encoding="utf-8") as fh:
                found = [d for d in yaml.safe_load_all(fh) if isinstance(d, dict)]
            for d in list(found):
                if str(d.get("kind", "")).endswith("List") and isinstance(d.get("items"), list):
                    found += [i for i in d["items"] if isinstance(i, dict)]
            docs[file] = found
        return docs[file]

    def obj(file, kind, ns, name):
        for d in objects(file):
            meta = d.get("metadata") or {}
            if d.get("kind") == kind and meta.get("name") == name and (meta.get("namespace") or "default") == ns:
                return d
        return None

    def at(value, key):
        for part in key.split("/"):
            m = re.fullmatch(r"\[(\d+)\]", part)
            if value is None:
                return None
            value = value[int(m.group(1))] if m and isinstance(value, list) else value.get(part) if isinstance(value, dict) else None
        return value

    def pod_spec(d):
        spec = d.get("spec") or {}
        if d.get("kind") != "Pod":
            if "jobTemplate" in spec:
                spec = (spec.get("jobTemplate") or {}).get("spec") or {}
            spec = (spec.get("template") or {}).get("spec")
        return spec if isinstance(spec, dict) else None

    def containers_of(d):
        spec = pod_spec(d) or {}
        return (spec.get("containers") or []) + (spec.get("initContainers") or [])

    def hardening(d):
        """The Linux hardening each container has (as linuxHardening reads
        it), or None when one has none."""
        spec = pod_spec(d) or {}
        pod_sc = spec.get("securityContext") or {}
        notes = (((d.get("spec") or {}).get("template") or {}).get("metadata") or d.get("metadata") or {}).get("annotations") or {}
        found = set()
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            sc = c.get("securityContext") or {}
            seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
            apparmor = (sc.get("appArmorProfile") or pod_sc.get("appArmorProfile") or {}).get("type")
            note = notes.get(f"container.apparmor.security.beta.kubernetes.io/{c.get('name')}")
            caps = sc.get("capabilities") or {}
            have = set()
            if seccomp and seccomp != "Unconfined":
                have.add(f"seccomp {seccomp}")
            if sc.get("seLinuxOptions") or pod_sc.get("seLinuxOptions"):
                have.add("SELinux options")
            if (apparmor and apparmor != "Unconfined") or (note and note != "unconfined"):
                have.add("AppArmor")
            if caps.get("drop") and "ALL" not in (caps.get("add") or []):
                have.add("a capability drop")
            if not have:
                return None
            found |= have
        return ", ".join(sorted(found)) if found else None

    def exempt(d, rule):
        notes = (d.get("metadata") or {}).get("annotations") or {}
        if str(notes.get("polaris.fairwinds.com/exempt", "")).lower() == "true":
            return True
        if str(notes.get(f"polaris.fairwinds.com/{rule}-exempt", "")).lower() == "true":
            return True
        listed = [x.strip() for x in str(notes.get("eyelint.io/exempt", "")).split(",")]
        return "all" in listed or rule in listed

    def reason(check, rule, file, kind, ns, name, c_result, e_findings):
        if file in refused:
            return "eyelint refused the file (an input error, e.g. a duplicate key) and judged nothing in it"
        d = obj(file, kind, ns, name)
        if d is not None and exempt(d, rule):
            return "an exemption annotation (polaris.fairwinds.com/exempt, eyelint.io/exempt) exempts the object; checkov does not read them"
        if d is not None and pod_spec(d) is None:
            return "the object has no pod spec at all (a fragment): eyelint has nothing to judge, checkov fails it anyway"
        if c_result[0] == "FAILED":
            if check == "CKV_K8S_31" and d is not None:
                if not containers_of(d):
                    return "the pod lists no containers: eyelint's container check has nothing to judge, checkov fails the pod for its missing seccomp profile"
                mechanisms = hardening(d)
                if mechanisms:
                    return f"checkov wants the RuntimeDefault seccomp profile; eyelint (Polaris) accepts any hardening, here {mechanisms}"
                return None
            if check == "CKV_K8S_37" and d is not None:
                drops = [
                    {str(x).lower() for x in (((c.get("securityContext") or {}).get("capabilities") or {}).get("drop") or [])}
                    for c in containers_of(d)
                ]
                if drops and all("all" in dr or len(dr) >= 15 for dr in drops):
                    return STRICTER[check][1]
                return None
            keys = c_result[1]["check_result"].get("evaluated_keys") or []
            if check in ("CKV_K8S_10", "CKV_K8S_12") and d is not None:
                res = "cpu" if check == "CKV_K8S_10" else "memory"
                cs = [c for c in containers_of(d) for k in keys if at(d, k.rsplit("/resources", 1)[0]) is c]
                if cs and all(((c.get("resources") or {}).get("limits") or {}).get(res) for c in cs):
                    return "a missing request with the limit set: the API server copies the limit into the request, eyelint counts that, checkov does not"
            if keys and all("/initContainers/" in k for k in keys) and "initContainer" not in inspects[rule]:
                return "checkov inspects plain init containers for this check; eyelint, like Polaris, does not"
            if check == "CKV_K8S_25":
                added = [str(a) for k in keys for a in (at(d, k) or [])] if d else []
                if added and not {a.upper() for a in added} & DANGEROUS:
                    return f"checkov fails any added capability; Polaris's set is ALL, SYS_ADMIN, NET_ADMIN (added: {', '.join(sorted(set(added)))})"
        else:
            if check == "CKV_K8S_27" and d is not None:
                paths = [
                    str((v.get("hostPath") or {}).get("path", ""))
                    for v in (pod_spec(d) or {}).get("volumes") or []
                    if isinstance(v, dict) and v.get("hostPath")
                ]
                if paths and "/var/run/docker.sock" not in paths:
                    return NARROWER[check][1]
                return None
            if check == "CKV_K8S_39" and d is not None:
                added = {
                    str(a)
                    for c in containers_of(d)
                    for a in ((((c.get("securityContext") or {}).get("capabilities") or {}).get("add")) or [])
                }
                if added and "SYS_ADMIN" not in added and {a.upper() for a in added} & DANGEROUS:
                    return NARROWER[check][1]
                return None
            if check == "CKV_K8S_31" and d is not None and any(
                ((c.get("securityContext") or {}).get("seccompProfile") or {}).get("type") == "Unconfined"
                for c in containers_of(d)
            ):
                return "a container sets seccomp Unconfined over the pod's profile: checkov reads only the pod's, eyelint fails the container"
            if all(f.get("containerRole") == "sidecar" for f in e_findings):
                return "native sidecar (init container with restartPolicy: Always): eyelint inspects it, checkov does not"
            if check == "CKV_K8S_15":
                flagged = {f["container"] or "" for f in e_findings}
                cs = [c for c in containers_of(d) if (c.get("name") or "") in flagged] if d else []
                if cs and all(
                    "imagePullPolicy" not in c
                    and ("@" in str(c.get("image", "")) or not re.search(r":[^/]+$", str(c.get("image", ""))) or str(c.get("image", "")).endswith(":latest"))
                    for c in cs
                ):
                    return "no imagePullPolicy on an untagged, latest or digest image: checkov counts the API's default, eyelint (Polaris) wants an explicit Always"
                if cs and all("@" in str(c.get("image", "")) for c in cs):
                    return "digest-pinned image: checkov passes any pull policy, eyelint (Polaris) wants Always"
        return None

    agree = collections.Counter()
    split = collections.defaultdict(lambda: collections.Counter())
    reasons = collections.defaultdict(collections.Counter)
    unexplained = []
    for (file, kind, ns, name, check), c_result in sorted(verdicts.items()):
        rule = PAIRS[check]
        e_findings = found.get((file, kind, ns, name, rule), [])
        c_fails, e_fails = c_result[0] == "FAILED", bool(e_findings)
        if c_fails == e_fails:
            agree[check] += 1
            continue
        side = "checkov" if c_fails else "eyelint"
        split[check][side] += 1
        why = reason(check, rule, file, kind, ns, name, c_result, e_findings)
        if why is None:
            unexplained.append(f"{check} {rule}: only {side} fails {kind} {ns}/{name} in {file}")
        else:
            reasons[(check, side)][why] += 1

    print(f"{'checkov':11} {'eyelint':27} {'objects':>7} {'agree':>6} {'only checkov fails':>19} {'only eyelint fails':>19}")
    total = total_agree = 0
    for check in sorted(PAIRS, key=lambda c: int(c.rsplit("_", 1)[1])):
        n = agree[check] + sum(split[check].values())
        total += n
        total_agree += agree[check]
        print(f"{check:11} {PAIRS[check]:27} {n:7} {agree[check]:6} {split[check]['checkov']:19} {split[check]['eyelint']:19}")
    print(f"{'all':39} {total:7} {total_agree:6} ({100 * total_agree / max(total, 1):.1f}% agree)")
    print()
    print("Why they differ:")
    for (check, side), whys in sorted(reasons.items(), key=lambda x: int(x[0][0].rsplit("_", 1)[1])):
        for why, n in whys.most_common():
            print(f"  {check} only {side} fails, {n}x: {why}")
    causes = collections.Counter()
    for whys in reasons.values():
        for why, n in whys.items():
            causes[why.split(" (added")[0].split(", here ")[0]] += n
    print()
    print(f"{sum(causes.values())} disagreements explained, {len(unexplained)} unexplained; by cause:")
    for why, n in causes.most_common():
        print(f"  {n:5}  {why}")
    for u in unexplained:
        print(f"  UNEXPLAINED: {u}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
