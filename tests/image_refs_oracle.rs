//! eyelint reads container image references as the kubelet does.
//!
//! Before it pulls, the kubelet parses each image with distribution's
//! `ParseNormalizedNamed` and fails the container (`InvalidImageName`) when
//! that refuses it. docker-image-py 0.2.0, a port of that package installed
//! from PyPI (`tests/python-oracle.sh`), is the reference here: for every
//! image written in `../shared/corpus` and the peers' fixtures, for seeded
//! mutants of them (a letter upper-cased, a character put in or taken out,
//! a separator doubled, a tag or digest spoiled, a registry or port added)
//! and for hand-picked edges, `eyelint_policies::image::check` must accept
//! exactly what docker-image-py accepts, and `ImageRef::parse` must give the
//! same registry, repository, tag and digest. eyelint's one deliberate
//! difference: `registry-1.docker.io` (Docker Hub's registry host) is
//! Docker Hub, `docker.io`, for the allowed-registry rule.
//!
//! Skips, saying so, when ../shared or python3's venv is absent, or PyPI is
//! unreachable.

mod common;

use std::collections::BTreeSet;

use common::Mix;
use eyelint_policies::image::{check, ImageRef, Pin};
use eyelint_policies::yaml::{load_bytes, Limits};
use serde_json::Value;

/// Every string under an `image` key.
fn images_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::String(s) if k == "image" => {
                        out.insert(s.clone());
                    }
                    _ => images_in(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| images_in(v, out)),
        _ => {}
    }
}

const EDGES: &[&str] = &[
    "nginx",
    "nginx:",
    ":1",
    "@sha256:0",
    "nginx:latest",
    "Nginx",
    "MyRegistry/app",
    "MyRegistry/App",
    "myregistry.io/App",
    "index.docker.io/nginx",
    "index.docker.io/team/app",
    "docker.io/nginx",
    "docker.io/library/nginx",
    "registry-1.docker.io/nginx",
    "localhost/app",
    "localhost:5000/app:1",
    "localhost:5000",
    "localhost",
    "[::1]:5000/app",
    "[::1]/app",
    "[::1]",
    "[fe80::1%eth0]/app",
    "[::ffff:1.2.3.4]/app",
    "1.2.3.4:5000/app",
    "a_b.c/app",
    "a-.c/app",
    "-a.c/app",
    "a.c:/app",
    "a.c:5000:1/app",
    "a//b",
    "a/b/",
    "/a",
    "a..b",
    "a.-b",
    "a__b",
    "a___b",
    "a--b",
    "a-_b",
    "é",
    "É/app",
    "app:1.0-RC_1",
    "app:-1",
    "app:.1",
    "app:_1",
    "app:1@sha256:x",
    "app@sha256:0123456789abcdef0123456789abcdef",
    "app@md5:0123456789abcdef0123456789abcdef",
    "app@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
    "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "app@sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "app@@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:1",
    " nginx",
    "nginx ",
    "ngi nx",
    "",
];

/// `image` changed the way hand edits and templates go wrong.
fn mutant(image: &str, rng: &mut Mix) -> String {
    let chars: Vec<char> = image.chars().collect();
    let at = rng.below(chars.len() + 1);
    let (head, tail): (String, String) =
        (chars[..at].iter().collect(), chars[at..].iter().collect());
    const PUT: &[&str] = &[
        ":", "/", "@", ".", "_", "-", "A", " ", "__", "--", "..", "[", "]", "é",
    ];
    match rng.below(9) {
        0 => image.to_uppercase(),
        1 => format!("{head}{}{tail}", PUT[rng.below(PUT.len())]),
        2 if !tail.is_empty() => format!(
            "{head}{}",
            &tail[tail.chars().next().map_or(0, char::len_utf8)..]
        ),
        3 => format!(
            "{}:{}",
            Pin::parse(image).name,
            "v".repeat(120 + rng.below(20))
        ),
        4 => format!(
            "{}@sha256:{}",
            Pin::parse(image).name,
            "a".repeat(60 + rng.below(8))
        ),
        5 => format!(
            "{}/{image}",
            [
                "registry.example.com:5000",
                "localhost",
                "Upper",
                "index.docker.io",
                "a_b.c",
                "[::1]"
            ][rng.below(6)]
        ),
        6 => format!(
            "{}:{}",
            Pin::parse(image).name,
            ["", "latest", "1.0", "-x", "_x", "x/y"][rng.below(6)]
        ),
        7 => format!(
            "{}{}",
            "a/".repeat(rng.below(3)),
            "x".repeat(240 + rng.below(30))
        ),
        _ => format!("{head}{tail}{}", ["", ":", "@", "/"][rng.below(4)]),
    }
}

#[test]
fn images_read_as_the_kubelet_reads_them() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    if !common::python_venv_or_skip() {
        return;
    }
    let files = common::corpus_and_fixtures(&shared);
    let mut found = BTreeSet::new();
    for f in &files {
        let loaded = load_bytes(
            &std::fs::read(f).expect("read a manifest"),
            &Limits::default(),
        );
        for d in loaded.documents {
            images_in(&d.value, &mut found);
        }
    }
    let written = found.len();
    let mut rng = Mix(0x1a6e_5eed);
    let base: Vec<String> = found.iter().cloned().collect();
    let mut images: BTreeSet<String> = found;
    images.extend(EDGES.iter().map(|s| s.to_string()));
    for _ in 0..3000 {
        let b = &base[rng.below(base.len())];
        images.insert(mutant(b, &mut rng));
    }
    let images: Vec<String> = images.into_iter().collect();

    let work = tempfile::tempdir().expect("temp dir");
    let (input, out) = (
        work.path().join("images.json"),
        work.path().join("read.json"),
    );
    std::fs::write(&input, serde_json::to_vec(&images).expect("JSON")).expect("write");
    let mut cmd = common::python_oracle("image_refs_oracle.py");
    cmd.arg(&input).arg(&out);
    let Some(theirs) = common::run_json_script(cmd, "docker-image-py", &out) else {
        return;
    };
    let theirs = theirs.as_array().expect("a list");
    assert_eq!(theirs.len(), images.len());

    let (mut read, mut refused) = (0, 0);
    let mut differences = Vec::new();
    for (image, t) in images.iter().zip(theirs) {
        let ours = check(image);
        match (t["ok"].as_bool(), ours) {
            (Some(true), Ok(pin)) => {
                read += 1;
                let r = ImageRef::parse(image);
                assert_eq!((pin.tag, pin.digest), (r.tag, r.digest), "{image:?}");
                let mut domain = t["domain"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let mut path = t["path"].as_str().unwrap_or_default().to_string();
                if domain == "registry-1.docker.io" {
                    domain = "docker.io".to_string();
                    if !path.contains('/') {
                        path = format!("library/{path}");
                    }
                }
                let theirs = (domain, path, t["tag"].as_str(), t["digest"].as_str());
                let mine = (r.registry.clone(), r.repository.clone(), r.tag, r.digest);
                if mine != theirs {
                    differences.push(format!(
                        "{image:?}: eyelint {mine:?}, docker-image-py {theirs:?}"
                    ));
                }
            }
            (Some(false), Err(_)) => refused += 1,
            (Some(true), Err(e)) => differences.push(format!(
                "{image:?}: docker-image-py reads it, eyelint refuses: {e}"
            )),
            (Some(false), Ok(_)) => differences.push(format!(
                "{image:?}: eyelint reads it, docker-image-py refuses: {}",
                t["error"]
            )),
            (None, _) => panic!("no verdict for {image:?}: {t}"),
        }
    }
    eprintln!(
        "{} images ({written} written in the corpus and fixtures): {read} read alike, {refused} refused by both",
        images.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {} images differ:\n{}",
        differences.len(),
        images.len(),
        differences.join("\n")
    );
    assert!(written >= 200, "only {written} images found in ../shared");
    assert!(
        read >= 1200 && refused >= 1000,
        "{read} read, {refused} refused"
    );
}
