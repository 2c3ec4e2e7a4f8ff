//! Fuzzes the parsers of single values the rules read: resource quantities
//! (`quantity::Quantity`) and container image references (`image::check`).
//! Neither may panic; a quantity that parses must read back from its own
//! plain decimal form as the same value; an image reference that the
//! kubelet's grammar accepts must split into the same tag and digest as the
//! quick split (`image::Pin::parse`) and the full one (`image::ImageRef`).

#![no_main]

use eyelint_policies::image::{check, ImageRef, Pin};
use eyelint_policies::quantity::{without_digits, Quantity};
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
    if let Ok(pin) = check(text) {
        assert_eq!(pin, Pin::parse(text), "{text:?}");
        let full = ImageRef::parse(text);
        assert_eq!((full.tag, full.digest), (pin.tag, pin.digest), "{text:?}");
    }
});
