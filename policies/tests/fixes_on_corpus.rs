//! Every fix eyelint offers on a real object does what it says: applied to
//! that object (alone, as `eyelint-webhook` applies one), its JSON Patch
//! applies, the finding it was offered for is gone, no check reports
//! anything it did not report before, and no field the rules read gets a
//! type the API server would refuse. Held on every object of the
//! repository's examples and fixtures, and of `../shared` (the corpus and
//! the peers' fixtures) when it is there, with the default configuration
//! and with `allowedRegistries` set (so that imageRegistry runs).

mod corpus_objects;
mod corpus_walk;

use std::collections::{BTreeMap, BTreeSet};

use corpus_objects::objects;

use eyelint_policies::config::Config;
use eyelint_policies::finding::Finding;
use eyelint_policies::{Coverage, Engine, Pass};

/// A finding's check and container. Its path is left out: a fix that
/// creates a container's `securityContext` moves the other findings about
/// that container from the container to the new mapping (the nearest
/// enclosing field that exists), and they are the same findings.
fn key(f: &Finding) -> (String, Option<String>) {
    (
        f.id.to_string(),
        f.container.as_ref().map(|c| c.name.to_string()),
    )
}

/// How many findings each check and container has.
fn counts(findings: &[Finding]) -> BTreeMap<(String, Option<String>), usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        *out.entry(key(f)).or_insert(0) += 1;
    }
    out
}

#[test]
fn every_fix_on_real_objects_resolves_its_finding_and_breaks_nothing() {
    let (objects, with_shared) = objects();
    let mut registries = Config::defaults();
    registries.allowed_registries = vec!["registry.example.com".to_string()];
    let engines = [
        Engine::new(Config::defaults()).expect("engine"),
        Engine::new(registries).expect("engine"),
    ];
    let (mut applied, mut safe) = (0usize, 0usize);
    let mut wrong = Vec::new();
    for engine in &engines {
        // Cross-object checks (automountServiceAccountToken's fix) look up
        // the other objects; the fixed object is judged against the same.
        let mut index = engine.new_index(Coverage::All);
        for o in &objects {
            index.add(o);
        }
        for object in &objects {
            let before = engine.check(object, Some(&index), Pass::All);
            let known = counts(&before.findings);
            let types_before: BTreeSet<String> = before
                .malformed
                .iter()
                .map(|(p, _)| p.to_dotted())
                .collect();
            for f in &before.findings {
                let Some(fix) = &f.fix else { continue };
                let name = format!("{} {} {}", f.object, f.id, f.path);
                let fixed = match fix.apply(object) {
                    Ok(v) => v,
                    Err(e) => {
                        wrong.push(format!("{name}: the patch does not apply: {e}"));
                        continue;
                    }
                };
                applied += 1;
                safe += usize::from(fix.safety == eyelint_policies::finding::FixSafety::Safe);
                let after = engine.check(&fixed, Some(&index), Pass::All);
                for (k, n) in counts(&after.findings) {
                    let had = known.get(&k).copied().unwrap_or(0);
                    if k == key(f) && n >= had {
                        wrong.push(format!("{name}: still reported after its fix"));
                    } else if n > had {
                        wrong.push(format!("{name}: the fix makes {} report more", k.0));
                    }
                }
                for (p, message) in &after.malformed {
                    if !types_before.contains(&p.to_dotted()) {
                        wrong.push(format!("{name}: the fix leaves {message}"));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {applied} fixes misbehave:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let least = if with_shared { 10_000 } else { 50 };
    assert!(applied >= least, "only {applied} fixes were tried");
    eprintln!(
        "{applied} fixes applied to {} objects ({safe} safe): each resolved its finding and broke nothing",
        objects.len()
    );
}
