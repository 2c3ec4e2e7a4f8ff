#!/usr/bin/env python3
"""The Kubernetes schemas' view of field types, for tests/field_types_oracle.rs.

Usage: field_types_oracle.py [--strict] OUT.json PATH...

Reads every *.yaml, *.yml and *.json file under PATH (files or
directories), validates each Kubernetes object against the JSON schema that
kubernetes-validate ships for its apiVersion and kind (the schema
selection is kubernetes-validate's own), and writes to OUT.json, per file
(as named on the command line, joined with the path below it):

    {"errors": [PATH, ...], "unjudged": N}

`errors` are the dotted paths (as eyelint writes them) of every type error
the schema finds: a value of the wrong JSON type, or one that fits none of
the alternatives of an int-or-string or a quantity. Errors of other kinds
(a required field missing, a pattern) are left out. `unjudged` counts the
objects with no schema (custom resources, removed API versions) and the
documents that are not objects. A file PyYAML cannot read is listed under
the top-level "unreadable".

With --strict, the schemas are kubernetes-validate's strict ones (no field
the API does not define, as `kubectl apply --validate=strict` checks), and
each file also has "unknown": the dotted paths of the fields the schema
does not define.
"""
import json
import os
import re
import sys

import jsonschema
import yaml
from kubernetes_validate import utils
from referencing import Registry, Resource

VERSION = "1.37.0"
SCHEMA_DIR = "kubernetes-json-schema/v%s-local" % VERSION
STRICT = False
TYPE_VALIDATORS = {"type", "oneOf", "anyOf"}
PLAIN = re.compile(r"^[A-Za-z0-9_$-]+$")

class Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading timestamps as the strings kubectl
    reads them as (PyYAML would make them datetimes, which no schema type
    fits)."""


Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)

_definitions = None
_validators = {}


def validator(api_version, kind):
    """A validator for the schema of this apiVersion and kind, or None."""
    global _definitions
    key = (api_version, kind)
    if key in _validators:
        return _validators[key]
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = SCHEMA_DIR + ("-strict" if STRICT else "")
    try:
        schema = utils.schema_contents(
            "%s/%s-%s.json" % (schema_dir, kind.lower(), group_version), VERSION
        )
    except (FileNotFoundError, utils.InvalidSchemaError):
        _validators[key] = None
        return None
    if _definitions is None:
        _definitions = utils.schema_contents(schema_dir + "/_definitions.json", VERSION)
    registry = Resource.from_contents(_definitions) @ (
        Resource.from_contents(schema) @ Registry()
    )
    v = jsonschema.validators.Draft202012Validator(schema, registry=registry)
    _validators[key] = v
    return v


def dotted(path):
    """A schema error's path as eyelint names it."""
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += "[%d]" % seg
        elif PLAIN.match(seg):
            out += ("." if out else "") + seg
        else:
            out += '["%s"]' % seg.replace('"', '\\"')
    return out


def objects(doc):
    """A document's objects: the items of a List, recursively."""
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    items = doc.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for item in items:
            yield from objects(item)
    else:
        yield doc


def judge(text):
    errors, unknown, unjudged = [], [], 0
    for doc in yaml.load_all(text, Loader=Loader):
        if doc is None:
            continue
        found = list(objects(doc))
        if not found:
            unjudged += 1
        for obj in found:
            api_version, kind = obj.get("apiVersion"), obj.get("kind")
            v = None
            if isinstance(api_version, str) and isinstance(kind, str):
                v = validator(api_version, kind)
            if v is None:
                unjudged += 1
                continue
            for e in v.iter_errors(obj):
                if e.validator in TYPE_VALIDATORS:
                    errors.append(dotted(e.absolute_path))
                elif e.validator == "additionalProperties" and isinstance(e.instance, dict):
                    defined = e.schema.get("properties", {})
                    for k in e.instance:
                        if k not in defined:
                            unknown.append(dotted(list(e.absolute_path) + [k]))
    return errors, unknown, unjudged


def files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for d, dirs, names in os.walk(p):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            for n in sorted(names):
                if n.endswith((".yaml", ".yml", ".json")):
                    yield os.path.join(d, n)


def main():
    global STRICT
    args = sys.argv[1:]
    if args and args[0] == "--strict":
        STRICT = True
        args = args[1:]
    out_file, paths = args[0], args[1:]
    result = {"files": {}, "unreadable": []}
    for f in files(paths):
        try:
            with open(f, encoding="utf-8-sig") as fh:
                errors, unknown, unjudged = judge(fh.read())
        except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
            result["unreadable"].append(f)
            continue
        result["files"][f] = {
            "errors": sorted(errors),
            "unknown": sorted(unknown),
            "unjudged": unjudged,
        }
    with open(out_file, "w") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
