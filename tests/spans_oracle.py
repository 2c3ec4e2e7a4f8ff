"""PyYAML's view of where every node of a YAML stream is written.

    spans_oracle.py OUT.json PATH...

For each file, PyYAML composes every document (no construction, so no
YAML 1.1 value resolution is involved) and records, for every node reached
by a path of mapping keys and sequence indices, the 1-based line and column
(in code points) of its key and of its value. OUT.json maps each path to
either {"error": MESSAGE} or {"documents": [{"index": I, "nodes": [...]}]}
with one [PATH, KEY_LINE, KEY_COLUMN, VALUE_LINE, VALUE_COLUMN] per node;
the key is null for a sequence item or the root. An alias is placed where
it is written; what an alias to a collection copies, and what a merge key
(`<<`) brings in, have no place of their own: the alias's path, or the
mapping's path with "<<", is listed in "unplaced", and nothing below is
visited.

PyYAML reads YAML 1.1, where U+0085, U+2028 and U+2029 end a line; files
holding one are reported with the error "YAML 1.1 line break" so that
the comparison leaves them out rather than compare different line counts.
"""

import json
import sys

import yaml

MERGE = "tag:yaml.org,2002:merge"
YAML11_BREAKS = ("\x85", "\u2028", "\u2029")


def mark(m):
    return m.line + 1, m.column + 1


class Alias:
    """An alias where it is written: the node it names and its own mark."""

    def __init__(self, node, start_mark):
        self.node = node
        self.start_mark = start_mark


class Loader(yaml.SafeLoader):
    """Keeps each alias's own place (plain composing shares the anchored
    node, whose mark is the anchor's)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            at = self.peek_event().start_mark
            return Alias(super().compose_node(parent, index), at)
        return super().compose_node(parent, index)


def walk(node, path, key_mark, nodes, unplaced):
    kl, kc = mark(key_mark) if key_mark is not None else (None, None)
    vl, vc = mark(node.start_mark)
    nodes.append([path, kl, kc, vl, vc])
    if isinstance(node, Alias):
        # What it copies is written at the anchor.
        if isinstance(node.node, (yaml.MappingNode, yaml.SequenceNode)):
            unplaced.append(path)
        return
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            if k.tag == MERGE:
                # What a merge brings in is written elsewhere.
                unplaced.append(path + ["<<"])
                continue
            walk(v, path + [k.value], k.start_mark, nodes, unplaced)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            walk(v, path + [i], None, nodes, unplaced)


def one(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig") if not data.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    except UnicodeDecodeError as e:
        return {"error": "not UTF-8: %s" % e}
    if text is None:
        return {"error": "UTF-16"}
    if any(b in text for b in YAML11_BREAKS):
        return {"error": "YAML 1.1 line break"}
    # PyYAML takes the text after the BOM; the BOM takes no column in either.
    docs = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=Loader)):
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                continue
            nodes, unplaced = [], []
            walk(node, [], None, nodes, unplaced)
            docs.append({"index": index, "nodes": nodes, "unplaced": unplaced})
    except yaml.YAMLError as e:
        return {"error": str(e).splitlines()[0] if str(e) else "YAML error"}
    except RecursionError:
        return {"error": "nested too deep for PyYAML"}
    return {"documents": docs}


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    result = {p: one(p) for p in paths}
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
