//! Fuzzes the YAML loader's fast path against saphyr-parser: for any input,
//! `yaml::load_with` (fast path first, saphyr-parser where it bails) must
//! give exactly what `yaml::load_reference` (saphyr-parser only) gives — the
//! same documents (values, key order, every located value, sources, starts,
//! indexes) and the same error. `yaml::differential` compares them. Loaded
//! in parts (`yaml::parts`, `yaml::load_part`), it must give what the whole
//! text gives (`yaml::parts_differential`).

#![no_main]

use eyelint_policies::yaml::{differential, parts_differential, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader takes text; invalid UTF-8 never reaches either parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Generous limits, and tight ones so that the limits are reached too.
    for limits in [
        Limits {
            max_depth: 128,
            max_nodes: 100_000,
        },
        Limits {
            max_depth: 6,
            max_nodes: 40,
        },
    ] {
        if let Err(e) = differential(text, &limits) {
            panic!("the fast path and saphyr-parser differ ({limits:?}): {e}\ninput: {text:?}");
        }
        if let Err(e) = parts_differential(text, &limits) {
            panic!("parts and the whole text differ ({limits:?}): {e}\ninput: {text:?}");
        }
    }
});
