//! Property tests of the YAML loader's fast path: on any text, loading with
//! the fast path first must give exactly what saphyr-parser alone gives
//! (`yaml::differential`): YAML-like texts assembled from tricky pieces,
//! random but mostly valid manifests, and single-byte mutations of real ones.
//! On the same texts, loading in parts (`yaml::parts`, `yaml::load_part`)
//! must give what loading the whole text gives (`yaml::parts_differential`).

use eyelint_policies::yaml::{differential, parts_differential, Limits};
use proptest::prelude::*;

fn limits(small: bool) -> Limits {
    if small {
        Limits {
            max_depth: 5,
            max_nodes: 30,
        }
    } else {
        Limits::default()
    }
}

/// Pieces that take the fast path (and saphyr-parser) down unusual roads.
const PIECES: &[&str] = &[
    "a",
    "key",
    "name",
    "x y",
    "k: ",
    "k:",
    ": ",
    ":",
    "- ",
    "-",
    "\n",
    "\n",
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "\n  - ",
    "  ",
    " ",
    "\r\n",
    "\r",
    "\t",
    "'",
    "''",
    "\"",
    "\\",
    "\\n",
    "\\x4",
    "\\u00e9",
    "\\ud83d\\ude80",
    "\\ud83d",
    "\\ude80",
    "[",
    "]",
    "{",
    "}",
    ",",
    "[a, b]",
    "{a: 1}",
    "[ x ]",
    "{}",
    "[]",
    "#",
    " # c",
    "a#b",
    "a:b",
    "http://h:1",
    "# Source: c/t.yaml\n",
    "---\n",
    "--- ",
    "...\n",
    "...",
    "|",
    ">",
    "|-",
    "|+",
    ">-",
    "|2",
    "|1+",
    "\n  l\n\n   m\n",
    "é",
    "ü: ö",
    "😀",
    "\u{feff}",
    "\u{85}",
    "\0",
    "0x1",
    "yes",
    "~",
    "1.5",
    ".inf",
    "-1",
    "--f",
    ":x",
    "?x",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "!t ",
    "<<: ",
    "%YAML 1.2\n",
    "@",
    "`",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..50).prop_map(|v| v.concat())
}

/// A small deterministic generator, so that one seed is one text.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    fn scalar(&mut self, ind: usize) -> String {
        const WORDS: &[&str] = &[
            "a",
            "image",
            "x y",
            "yes",
            "~",
            "0x1F",
            "017",
            "1.5",
            "-1",
            ".inf",
            "a:b",
            "a#b",
            "http://h:80/p",
            "-x",
            "--f=1",
            ":x",
            "é",
            "😀 z",
            "100m",
            "[x]",
            "{y: 1}",
            "a - b",
            "a  b",
            "''",
            "'q'",
            "\"d\"",
            "\"t\\tq\"",
            "\"\\x41\\u00e9\"",
            "\"\\ud83d\\ude80 \\uD83C\\uDF89\"",
            "'it''s'",
        ];
        match self.below(10) {
            0 => format!("'x\n{}y'", " ".repeat(ind + self.below(3))),
            1 => format!("\"a\\\n{}b\"", " ".repeat(ind + self.below(3))),
            2 => format!("word\n{}more", " ".repeat(ind + self.below(3))),
            _ => self.pick(WORDS).to_string(),
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        let map = self.below(2) == 0;
        let n = self.below(4);
        let sep = self.pick(&[", ", ",", " , ", ",\n    "]);
        let items: Vec<String> = (0..n)
            .map(|_| {
                let v = if depth > 0 && self.below(3) == 0 {
                    self.flow(depth - 1)
                } else {
                    self.pick(&["a", "1", "x y", "'s'", "\"q\"", "-1", "~"])
                        .to_string()
                };
                if map {
                    let k = self.pick(&["a", "b", "\"c\"", "d e"]);
                    if self.below(6) == 0 {
                        format!("{k}:")
                    } else {
                        format!("{k}: {v}")
                    }
                } else {
                    v
                }
            })
            .collect();
        let pad = self.pick(&["", " "]);
        let (o, c) = if map { ("{", "}") } else { ("[", "]") };
        format!("{o}{pad}{}{pad}{c}", items.join(sep))
    }

    fn block_scalar(&mut self, ind: usize) -> String {
        let mut s = format!(
            "{}\n",
            self.pick(&["|", "|-", "|+", ">", ">-", ">+", "|2", "|1-"])
        );
        let ci = ind + 1 + self.below(3);
        for _ in 0..self.below(5) {
            match self.below(5) {
                0 => s.push('\n'),
                1 => s.push_str(&format!("{}\n", " ".repeat(self.below(ci + 3)))),
                2 => s.push_str(&format!("{}more\n", " ".repeat(ci + 1))),
                _ => s.push_str(&format!("{}line {}\n", " ".repeat(ci), self.below(9))),
            }
        }
        s
    }

    fn block(&mut self, depth: usize, ind: usize, out: &mut String) {
        const KEYS: &[&str] = &[
            "a", "b", "c", "d", "name", "kind", "image", "yes", "0x1", "a b", "-k", "é", "'q'",
            "\"d\"", "k:v",
        ];
        let seq = self.below(3) == 0;
        for _ in 0..1 + self.below(4) {
            out.push_str(&" ".repeat(ind));
            if seq {
                out.push_str(self.pick(&["- ", "-  "]));
            } else {
                out.push_str(self.pick(KEYS));
                out.push_str(self.pick(&[": ", ": ", ":  ", " : "]));
            }
            let inner = if seq { ind + 2 } else { ind };
            match self.below(9) {
                0 | 1 if depth > 0 => {
                    out.push_str(self.pick(&["", "", " # c"]));
                    out.push('\n');
                    let next = if !seq && self.below(3) == 0 {
                        ind
                    } else {
                        ind + 1 + self.below(3)
                    };
                    self.block(depth - 1, next, out);
                    continue;
                }
                2 if seq && depth > 0 => {
                    out.push_str(&format!(
                        "k: v\n{}k2: {}\n",
                        " ".repeat(ind + 2),
                        self.scalar(ind + 3)
                    ));
                    continue;
                }
                3 => out.push_str(&self.flow(2)),
                4 => {
                    out.push_str(&self.block_scalar(inner));
                    continue;
                }
                5 => {}
                _ => out.push_str(&self.scalar(inner + 1)),
            }
            out.push_str(self.pick(&["", "", "", "  # c", " #x"]));
            out.push('\n');
            if self.below(6) == 0 {
                out.push('\n');
            }
        }
    }

    fn stream(&mut self) -> String {
        let mut out = String::new();
        if self.below(8) == 0 {
            out.push('\u{feff}');
        }
        for d in 0..1 + self.below(3) {
            if d > 0 || self.below(3) == 0 {
                out.push_str(self.pick(&["---\n", "--- # c\n", "...\n---\n"]));
            }
            if self.below(3) == 0 {
                out.push_str("# Source: chart/templates/x.yaml\n");
            }
            match self.below(8) {
                0 => out.push_str(&format!("{}\n", self.flow(3))),
                1 => out.push_str("# only a comment\n"),
                _ => self.block(3, 0, &mut out),
            }
        }
        if self.below(4) == 0 {
            out = out.replace('\n', "\r\n");
        }
        out
    }
}

/// Real-looking manifests to mutate.
const MANIFESTS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        image: \"registry/web:1.2\"\n        args: [\"--port=8080\", -v]\n        resources:\n          limits: {cpu: 500m, memory: 256Mi}\n        securityContext:\n          capabilities:\n            drop:\n              - ALL\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg # the config\ndata:\n  script.sh: |\n    #!/bin/sh\n    echo 'hi'\n\n    exit 0\n  folded: >-\n    one\n    two\n  empty:\n---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n    targetPort: 'http'\n",
    "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"spec\": {\"containers\": [{\"name\": \"a\", \"image\": \"b\", \"ports\": [{\"containerPort\": 80}]}]}\n}\n",
    "kind: CustomResourceDefinition\nspec:\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        description: A long description that goes on\n          over a second line\n        properties:\n          size:\n            type: integer\n            description: 'quoted and\n              folded'\n",
];

fn mutations() -> impl Strategy<Value = (usize, Vec<(usize, u8, u8)>)> {
    (
        0..MANIFESTS.len(),
        prop::collection::vec((any::<usize>(), 0u8..3, any::<u8>()), 1..4),
    )
}

const MUTATION_BYTES: &[u8] = b" \n-:#'\"[]{},|>\t\r&*!?x1\\";

fn mutate(base: &str, ops: &[(usize, u8, u8)]) -> String {
    let mut b = base.as_bytes().to_vec();
    for &(at, op, byte) in ops {
        let i = at % (b.len() + 1);
        let c = MUTATION_BYTES[usize::from(byte) % MUTATION_BYTES.len()];
        match op {
            0 if i < b.len() => {
                b.remove(i);
            }
            1 => b.insert(i, c),
            _ if i < b.len() => b[i] = c,
            _ => b.push(c),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// `text` loads alike with and without the fast path, and in parts and
/// whole.
fn alike(text: &str, small: bool) -> Result<(), String> {
    differential(text, &limits(small))?;
    parts_differential(text, &limits(small)).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn yamlish_texts_load_alike(text in yamlish(), small in any::<bool>()) {
        let r = alike(&text, small);
        prop_assert!(r.is_ok(), "{:?}: {}", text, r.unwrap_err());
    }

    #[test]
    fn generated_manifests_load_alike(seed in any::<u64>(), small in any::<bool>()) {
        let text = Gen(seed | 1).stream();
        let r = alike(&text, small);
        prop_assert!(r.is_ok(), "{:?}: {}", text, r.unwrap_err());
    }

    #[test]
    fn mutated_manifests_load_alike((which, ops) in mutations(), small in any::<bool>()) {
        let text = mutate(MANIFESTS[which], &ops);
        let r = alike(&text, small);
        prop_assert!(r.is_ok(), "{:?}: {}", text, r.unwrap_err());
        // After another manifest, so there is a cut to make before it.
        let text = format!("{}---\n{text}", MANIFESTS[1]);
        let r = parts_differential(&text, &limits(small));
        prop_assert!(r.is_ok(), "{:?}: {}", text, r.unwrap_err());
    }
}

#[test]
fn generated_manifests_are_often_loaded_in_parts() {
    // The generator's streams of several documents are cut, and most of
    // them load part by part (the others need the whole text: an error).
    let mut loaded = 0;
    for seed in 1..300u64 {
        let text = Gen(seed * 2 + 1).stream();
        loaded += usize::from(parts_differential(&text, &Limits::default()) == Ok(true));
    }
    eprintln!("generated manifests: {loaded} of 299 loaded in parts");
    assert!(loaded >= 60, "{loaded} of 299");
}

#[test]
fn generated_manifests_mostly_take_the_fast_path() {
    // The generator is meant to exercise the fast path, not only its bails.
    let mut fast = 0;
    let mut total = 0;
    for seed in 1..300u64 {
        let text = Gen(seed * 2 + 1).stream();
        let share = eyelint_policies::yaml::fast_share(&text, &Limits::default());
        fast += share.fast;
        total += share.total;
    }
    eprintln!("generated manifests: {fast} of {total} documents on the fast path");
    assert!(fast * 2 > total, "{fast} of {total}");
}
