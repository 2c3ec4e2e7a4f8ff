//! Fuzzes the parsers of single values the rules read: resource quantities
//! (`quantity::Quantity`) and container image references (`image::check`).
//! Neither may panic; a quantity that parses must read back from its own
//! plain decimal form as the same value; an image reference that the
//! kubelet's grammar accepts must split into the same tag and digest as the
//! quick split (`image::Pin::parse`) and the full one (`image::ImageRef`).
//! The check of files that start with `{` (`yaml::kubectl_json`) must agree
//! with serde_json on whether the text is a stream of JSON objects (apart
//! from `\u` escapes, where Go takes a lone surrogate and serde_json does
//! not, from nesting deeper than serde_json's 128 levels, and from the key
//! serde_json reserves for its raw values).

#![no_main]

use eyelint_policies::image::{check, ImageRef, Pin};
use eyelint_policies::quantity::{without_digits, Quantity};
use eyelint_policies::yaml::kubectl_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let value = serde_json::Value::String(text.to_string());
    let _ = without_digits(&value);
    if let Ok(q) = Quantity::from_value(&value) {
        let shown = q.to_string();
        match Quantity::parse(&shown) {
            Ok(again) if again == q => {}
            other => panic!("{text:?} reads as {q:?}, shown {shown:?}, which reads as {other:?}"),
        }
    }
    let refused = kubectl_json::refusal(text);
    // kubectl drops a leading byte-order mark; serde_json reads what follows.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let starts_json = body.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{');
    // serde_json stops at 128 levels of nesting; the check has no limit.
    let shallow = text.bytes().filter(|c| matches!(c, b'{' | b'[')).count() < 100;
    // serde_json also treats a key naming its raw-value type specially.
    let plain = !text.contains("\\u") && !text.contains("$serde_json");
    if starts_json && shallow && plain {
        let objects = serde_json::Deserializer::from_str(body)
            .into_iter::<serde_json::Value>()
            .all(|v| v.is_ok_and(|v| v.is_object()));
        assert_eq!(refused.is_none(), objects, "{text:?}: {refused:?}");
    }
    if let Some((at, _)) = refused {
        assert!(text.is_char_boundary(at) && at <= text.len(), "{text:?}: {at}");
    }
    if let Ok(pin) = check(text) {
        assert_eq!(pin, Pin::parse(text), "{text:?}");
        let full = ImageRef::parse(text);
        assert_eq!((full.tag, full.digest), (pin.tag, pin.digest), "{text:?}");
    }
});
