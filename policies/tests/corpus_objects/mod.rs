//! Every Kubernetes object the engine's corpus-wide tests judge: the
//! repository's examples, fixtures and deploy manifests, and `../shared`'s
//! corpus and peers' fixtures when they are there. The including test
//! crate declares `mod corpus_walk;` too.

use std::path::Path;

use eyelint_policies::object::{expand_lists, is_kubernetes_object};
use eyelint_policies::yaml::{self, Limits};
use serde_json::Value;

use super::corpus_walk::yaml_files;

/// Every Kubernetes object (items of `List`s included) of every file found,
/// and whether `../shared` was there.
pub fn objects() -> (Vec<Value>, bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["../examples", "tests/fixtures", "../tests", "../deploy"] {
        files.extend(yaml_files(&root.join(dir)));
    }
    let shared = root.join("../../shared");
    let with_shared = shared.join("corpus").is_dir();
    for dir in ["corpus", "corpus_fixtures"] {
        files.extend(yaml_files(&shared.join(dir)));
    }
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for doc in yaml::load(&text, &Limits::default()).documents {
            expand_lists(doc.value, &mut out);
        }
    }
    out.retain(is_kubernetes_object);
    (out, with_shared)
}
