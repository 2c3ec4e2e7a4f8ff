"""docker-image-py's reading of container image references.

    image_refs_oracle.py IN.json OUT.json

IN.json is a list of image strings. For each, docker-image-py 0.2.0 (a
port of distribution's reference package, whose ParseNormalizedNamed the
kubelet applies before it pulls an image) parses it the way the kubelet
does, completing Docker Hub's short names. OUT.json is a list in the same
order: {"ok": true, "domain", "path", "tag", "digest"} for a reference
it reads (tag and digest null when absent), {"ok": false, "error"} for one
it refuses.

docker-image-py checks one thing Go's package does not: it refuses a
reference whose first component holds a "." but is no host name
("a_b.c/app"), which Go's grammar reads as a path with no registry. That
check is turned off here, so that the script reads as the kubelet does.
"""

import json
import sys

from docker_image import digest, reference

REFUSALS = (reference.InvalidReference, digest.InvalidDigest)


def go_validate(cls, s):
    """What is left of docker-image-py's extra check: the empty name."""
    if not s:
        raise reference.NameEmpty.default()


reference.Reference.try_validate = classmethod(go_validate)


def read(image):
    try:
        r = reference.Reference.parse_normalized_named(image)
    except REFUSALS as e:
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    return {
        "ok": True,
        "domain": r.domain(),
        "path": r.path(),
        "tag": r["tag"],
        "digest": r["digest"],
    }


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        images = json.load(f)
    with open(out, "w", encoding="utf-8") as f:
        json.dump([read(i) for i in images], f)


if __name__ == "__main__":
    main()
