//! eyelint reads resource quantities (`cpu: 500m`, `memory: 1.5Gi`) as the
//! API server does, which kubectl shows offline.
//!
//! kubectl carries the API server's own quantity parser: `kubectl set
//! resources --local -f DIR -o json` decodes each Pod into its Go type (a
//! quantity's JSON decoder trims blanks, then `ParseQuantity`), refuses each
//! file whose quantity does not parse, and prints the rest. Each case is one
//! Pod whose `resources.requests.cpu` is the case, written as a quoted string
//! and, where YAML allows, as a plain scalar (so YAML's own reading of
//! `1e3` or `010` is compared too). eyelint loads the same file and reads
//! the value with `Quantity::from_value`, as its rules do.
//!
//! For every case both must accept or both refuse, and an accepted value must
//! equal, by value, what kubectl prints: the input when Go keeps it, else
//! Go's canonical form (`0.1Ki` → `102400m`, `-1.5n` → `-2n`, `8Ei` → 2⁶³ − 1).
//! Two differences are allowed, and counted: eyelint refuses values of 1.7e29
//! and more, which Go accepts; and Go prints a value of 10^21 and more with a
//! decimal SI suffix without its exponent (`9000E` prints as `9`), though
//! it reads it right.
//!
//! Skips, saying so, when kubectl is not on PATH.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{kubectl, Mix};
use eyelint_policies::quantity::{Quantity, QuantityError};
use eyelint_policies::yaml::{load, Limits};
use serde_json::Value;

/// One case: how it is written in the file, and what that text is.
struct Case {
    /// The YAML text after `cpu: `.
    yaml: String,
    /// The quantity as written (for messages).
    shown: String,
}

/// Cases found by hand: Go's leniencies, roundings, caps and refusals.
const EDGES: &[&str] = &[
    "m",
    ".",
    "-",
    "+",
    "Ki",
    "-Ki",
    "e3",
    ".m",
    "+.5",
    "-.5m",
    "5.m",
    "5.",
    ".5",
    "00",
    "-0",
    "0.000",
    "00012",
    "1.G",
    "1e3",
    "1E3",
    "1e+3",
    "1e-0",
    "1e03",
    "1E",
    "1Ei",
    "8Ei",
    "16Ei",
    "-16Ei",
    "7.99999999999999999999Ei",
    "0.1Ei",
    "1.5Ki",
    "0.1Ki",
    "0.3Mi",
    "1024.5Ki",
    "1e-10",
    "-1e-10",
    "1e-1000",
    "-1e-1000",
    "0e5000",
    "1e-5000",
    "-1.5n",
    "1.5n",
    "0.5n",
    "-0.5n",
    "1.0000000001",
    "0.000000000001",
    "9223372036854775807",
    "9223372036854775808",
    "92233720368547758070000",
    "9223372036854775807k",
    "12.345678901234k",
    "1e100",
    "1e29",
    "1.7e29",
    "1.8e29",
    "1.000000000000000000000000000000000000000000001",
    "1.0000000001Ki",
    "1.5e3m",
    "5e-1m",
    "1e3Ki",
    "1Ki3",
    "1n3",
    "1+3",
    "1-3",
    "1e-3-",
    "+-1",
    "1.5.5",
    "1e3.5",
    "1kk",
    "1mm",
    "1ii",
    "1Mi0",
    "1e",
    "1e+",
    "1i",
    "1KI",
    "1K",
    "1mi",
    "1Gib",
    "0x10",
    "1,5",
    "abc",
    "lots",
    " 1",
    "1 ",
    " 500m ",
    "\t2Gi",
    "1\u{a0}",
    "",
    " ",
];

/// A generated quantity: sign, digits, a dot, digits and a suffix, each
/// part sometimes left out or odd, and sometimes one character inserted.
fn generated(rng: &mut Mix) -> String {
    const SUFFIXES: &[&str] = &[
        "", "", "", "n", "u", "m", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Mi", "Gi", "Ti",
        "Pi", "Ei", "e", "E", "K", "KI", "mi", "i", "ee3", "e3m", "Kii", "x",
    ];
    let digits = |rng: &mut Mix, max: usize| -> String {
        let n = rng.below(max + 1);
        (0..n)
            .map(|_| {
                // Zeros are common at both ends of real numbers.
                if rng.below(3) == 0 {
                    '0'
                } else {
                    char::from(b'0' + rng.below(10) as u8)
                }
            })
            .collect()
    };
    let mut s = String::new();
    s.push_str(["", "", "", "+", "-"][rng.below(5)]);
    let max = if rng.below(4) == 0 { 30 } else { 4 };
    s.push_str(&digits(rng, max));
    if rng.below(3) == 0 {
        s.push('.');
        let max = if rng.below(4) == 0 { 30 } else { 3 };
        s.push_str(&digits(rng, max));
    }
    if rng.below(4) == 0 {
        // An exponent, kept where kubectl answers at once (Go works for
        // seconds on exponents near 2^31).
        s.push(['e', 'E'][rng.below(2)]);
        s.push_str(["", "+", "-"][rng.below(3)]);
        let max = if rng.below(5) == 0 { 1200 } else { 40 };
        s.push_str(&rng.below(max).to_string());
    } else {
        s.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
    }
    if rng.below(8) == 0 {
        const ODD: &[u8] = b"0.+-eEKMGkimnu x";
        let at = rng.below(s.len() + 1);
        s.insert(at, char::from(ODD[rng.below(ODD.len())]));
    }
    s
}

/// Whether `s` may be written as a YAML plain scalar in a block mapping
/// without changing the document's structure.
fn plain_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".+-".contains(&c))
        && !s.starts_with('-')
}

fn cases() -> Vec<Case> {
    let mut rng = Mix(0x09a4_71e5);
    let mut texts: Vec<String> = EDGES.iter().map(|s| s.to_string()).collect();
    texts.extend((0..1500).map(|_| generated(&mut rng)));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in texts {
        if !seen.insert(t.clone()) {
            continue;
        }
        let quoted = serde_json::to_string(&t).expect("a string serialises");
        out.push(Case {
            yaml: quoted.clone(),
            shown: quoted,
        });
        if plain_ok(&t) {
            out.push(Case {
                yaml: t.clone(),
                shown: format!("{t} (plain)"),
            });
        }
    }
    out
}

fn pod(name: &str, cpu: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      requests:\n        cpu: {cpu}\n"
    )
}

/// kubectl's reading of every file in `dir`: the refused files' names, and
/// each accepted Pod's `requests.cpu` as Go prints it, by Pod name.
fn kubectl_reads(
    kubectl: &Path,
    dir: &Path,
    names: &[String],
) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let run = |files: &[&String]| {
        let mut cmd = Command::new(kubectl);
        cmd.args([
            "set",
            "resources",
            "--local",
            "--limits=memory=1Mi",
            "-o",
            "json",
        ]);
        for f in files {
            cmd.arg("-f").arg(dir.join(format!("{f}.yaml")));
        }
        cmd.output().expect("kubectl runs")
    };
    let all: Vec<&String> = names.iter().collect();
    let first = run(&all);
    let mut refused = BTreeSet::new();
    for line in String::from_utf8_lossy(&first.stderr).lines() {
        let named = names
            .iter()
            .find(|n| line.contains(&format!("/{n}.yaml\"")));
        match named {
            Some(n) => {
                refused.insert(n.clone());
            }
            None if line.trim().is_empty() => {}
            None => panic!("kubectl said something about no one file: {line}"),
        }
    }
    let accepted: Vec<&String> = names.iter().filter(|n| !refused.contains(*n)).collect();
    let second = run(&accepted);
    assert!(
        second.status.success(),
        "kubectl refused files it accepted before: {}",
        String::from_utf8_lossy(&second.stderr)
    );
    // One JSON value per file, one after another.
    let mut items = Vec::new();
    for v in serde_json::Deserializer::from_slice(&second.stdout).into_iter::<Value>() {
        match v.expect("kubectl prints JSON") {
            Value::Object(mut list) if list.get("kind") == Some(&Value::from("List")) => {
                if let Some(Value::Array(more)) = list.remove("items") {
                    items.extend(more);
                }
            }
            one => items.push(one),
        }
    }
    let mut values = BTreeMap::new();
    for item in items {
        let name = item
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .expect("a name");
        let cpu = item.pointer("/spec/containers/0/resources/requests/cpu");
        let cpu = cpu
            .and_then(Value::as_str)
            .expect("Go prints a quantity as a string");
        values.insert(name.to_string(), cpu.to_string());
    }
    assert_eq!(
        values.len(),
        accepted.len(),
        "one Pod printed per accepted file"
    );
    (refused, values)
}

/// eyelint's reading of one file: `Err(None)` when its loader refuses the
/// text, `Err(Some(e))` when the value is not a quantity.
fn eyelint_reads(text: &str) -> Result<Quantity, Option<QuantityError>> {
    let loaded = load(text, &Limits::default());
    if loaded.error.is_some() {
        return Err(None);
    }
    let doc = loaded.documents.first().ok_or(None)?;
    let cpu = doc
        .value
        .pointer("/spec/containers/0/resources/requests/cpu")
        .ok_or(None)?;
    Quantity::from_value(cpu).map_err(Some)
}

/// Whether Go printed `ours` (at least 1000E, 10^21) without its power of
/// ten, as it prints such values when their suffix is decimal SI: `9000E` and
/// `1000000000000000000000` print as `9` and `1`. Its parser read them right.
fn exponent_dropped(theirs: Quantity, ours: Quantity) -> bool {
    const E21_NANOS: i128 = 1_000_000_000_000_000_000_000 * 1_000_000_000;
    let mut t = theirs.nanos();
    while t != 0 && t.abs() < ours.nanos().abs() {
        t = t.saturating_mul(10);
    }
    ours.nanos().abs() >= E21_NANOS && t == ours.nanos()
}

/// Roughly how large a quantity Go printed is, by floating point (only to
/// tell a value beyond eyelint's range from a real difference).
fn rough_size(go: &str) -> f64 {
    let cut = go
        .find(|c: char| !(c.is_ascii_digit() || "+-.".contains(c)))
        .unwrap_or(go.len());
    let (number, suffix) = go.split_at(cut);
    let number: f64 = number.parse().unwrap_or(0.0);
    let scale = match suffix {
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        s => s
            .strip_prefix(['e', 'E'])
            .and_then(|e| e.parse::<i32>().ok())
            .map_or(1.0, |e| 10f64.powi(e)),
    };
    (number * scale).abs()
}

#[test]
fn quantities_read_as_the_api_server_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = cases();
    let names: Vec<String> = (0..cases.len()).map(|i| format!("q{i}")).collect();
    for (case, name) in cases.iter().zip(&names) {
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            pod(name, &case.yaml),
        )
        .expect("write");
    }
    let (refused, values) = kubectl_reads(&kubectl, dir.path(), &names);

    let mut differences = Vec::new();
    let (mut both_read, mut canonical, mut both_refused) = (0, 0, 0);
    let (mut too_large, mut dropped) = (0, 0);
    for (case, name) in cases.iter().zip(&names) {
        let ours = eyelint_reads(&pod(name, &case.yaml));
        match (values.get(name), ours) {
            (Some(go), Ok(q)) => match Quantity::parse(go) {
                Ok(theirs) if theirs == q => {
                    both_read += 1;
                    canonical += usize::from(!case.shown.contains(go.as_str()));
                }
                Ok(theirs) if exponent_dropped(theirs, q) => dropped += 1,
                _ => differences.push(format!(
                    "{}: kubectl {go}, eyelint {q} ({} nanos)",
                    case.shown,
                    q.nanos()
                )),
            },
            (Some(go), Err(Some(QuantityError::OutOfRange(_)))) if rough_size(go) >= 1.7e29 => {
                too_large += 1;
            }
            (Some(go), Err(e)) => differences.push(format!(
                "{}: kubectl reads {go}, eyelint refuses ({})",
                case.shown,
                e.map_or("its loader".to_string(), |e| e.to_string())
            )),
            (None, Err(_)) => both_refused += 1,
            (None, Ok(q)) => differences.push(format!(
                "{}: kubectl refuses, eyelint reads {q}",
                case.shown
            )),
        }
    }
    eprintln!(
        "{} cases: {both_read} read alike ({canonical} of them canonicalised by Go), {both_refused} refused by both, {too_large} beyond eyelint's range (1.7e29), {dropped} printed by Go without their exponent",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    assert_eq!(refused.len(), both_refused, "every refusal is kubectl's");
    assert!(cases.len() >= 1500, "{} cases", cases.len());
    assert!(
        both_read >= 600 && both_refused >= 300 && canonical >= 200,
        "too few cases of a kind"
    );
    assert!(
        too_large >= 1 && dropped >= 1,
        "an allowance was never used"
    );
}
