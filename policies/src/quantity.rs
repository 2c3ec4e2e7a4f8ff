//! Kubernetes resource quantities (`100m`, `1.5Gi`, `1e3`, `2`), parsed to an
//! exact value so that two spellings of the same amount compare equal:
//! `cpu: 1` (a YAML number), `cpu: "1"` and `cpu: 1000m` are one request.
//!
//! Grammar (as the API server accepts it): an optional sign, a decimal number
//! (`1`, `1.5`, `.5`, `5.`), then one suffix: none, a decimal SI suffix
//! (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`), a binary SI suffix
//! (`Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`) or a decimal exponent (`e3`, `E-2`).
//! Values are kept in nano-units; finer amounts round up to the next nano-unit,
//! as the API server does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// Why a value is not a quantity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantityError {
    /// The empty string.
    #[error("empty quantity")]
    Empty,
    /// Text that does not follow the quantity grammar.
    #[error("`{0}` is not a valid quantity")]
    Invalid(String),
    /// A well-formed quantity too large (or with too many digits) to represent.
    #[error("`{0}` is out of range (eyelint reads quantities up to 1.7e29, with at most 1000 significant digits)")]
    OutOfRange(String),
    /// A JSON value that is neither a string nor a number.
    #[error("expected a quantity (string or number), found {0}")]
    WrongType(&'static str),
}

/// A parsed quantity: its exact value in nano-units (value × 10⁹).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity {
    nanos: i128,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;
/// Largest power of ten that fits in an i128 (10^38).
const MAX_POW10: u32 = 38;

impl Quantity {
    /// A quantity from whole units.
    pub const fn from_units(units: i64) -> Quantity {
        Quantity {
            nanos: units as i128 * NANOS_PER_UNIT,
        }
    }

    /// A quantity from nano-units.
    pub const fn from_nanos(nanos: i128) -> Quantity {
        Quantity { nanos }
    }

    /// The value in nano-units (value × 10⁹).
    pub const fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value in milli-units (value × 10³), rounded up.
    pub fn millis(self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// True for zero.
    pub const fn is_zero(self) -> bool {
        self.nanos == 0
    }

    /// True for values below zero (which no resource field accepts).
    pub const fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// Parses a quantity string as the API server's `ParseQuantity` does
    /// (no surrounding blanks: [`Quantity::from_value`] trims those, as the
    /// API server's JSON decoder does).
    ///
    /// Its leniencies are kept: a number part with no digit (`m`, `.`, `-`,
    /// `Ki`) is zero, except with a scale below nano (`e-10`) or `Pi` and
    /// `Ei`, and `5.` or `.5` are numbers. A value below one
    /// nano-unit rounds away from zero (`1e-10` is `1n`, `-1.5n` is `-2n`),
    /// and a value with a binary suffix is capped at 2⁶³ − 1 units (`8Ei`).
    /// Values above about 1.7 × 10²⁹ units (2¹²⁷ nano-units), which no
    /// resource has, are [`QuantityError::OutOfRange`].
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let invalid = || QuantityError::Invalid(s.to_string());
        let out_of_range = || QuantityError::OutOfRange(s.to_string());
        let b = s.as_bytes();
        let (negative, mut i) = match b.first() {
            Some(b'-') => (true, 1),
            Some(b'+') => (false, 1),
            _ => (false, 0),
        };
        let int = digits_from(b, i);
        i = int.end;
        let frac = if b.get(i) == Some(&b'.') {
            digits_from(b, i + 1)
        } else {
            i..i
        };
        i = frac.end;
        let (dec_exp, bin_exp) = suffix(&s[i..]).ok_or_else(invalid)?;
        if int.is_empty() && frac.is_empty() {
            // No digit: the API server's fast path reads it as zero; where it
            // takes its exact path instead (a scale below nano, or `Pi` and
            // `Ei`), there is no number to read and it refuses.
            return if (bin_exp == 0 && dec_exp < -9) || bin_exp > 40 {
                Err(invalid())
            } else {
                Ok(Quantity { nanos: 0 })
            };
        }
        let (int, frac) = (&b[int], &b[frac]);
        let exp = i128::from(dec_exp) - frac.len() as i128 + 9;
        let digits = int.iter().chain(frac).copied();
        let magnitude = if int.len() + frac.len() <= 19 {
            // Up to 19 digits fit a u64 as they are: the usual case.
            match digits.fold(0u64, |m, c| m * 10 + u64::from(c - b'0')) {
                0 => return Ok(Quantity { nanos: 0 }),
                m => small_magnitude(m, exp, bin_exp),
            }
        } else {
            // More: the significant digits alone, with the zeros at the end
            // moved into the exponent.
            let zeros_at_end = digits.clone().rev().take_while(|&c| c == b'0').count();
            let significant = digits.skip_while(|&c| c == b'0');
            let len = significant.clone().count().saturating_sub(zeros_at_end);
            if len == 0 {
                return Ok(Quantity { nanos: 0 });
            }
            if len > MAX_DIGITS {
                return Err(out_of_range());
            }
            let exp = exp + zeros_at_end as i128;
            let sig = significant.take(len).map(|c| c - b'0');
            if len <= 19 {
                small_magnitude(sig.fold(0u64, |m, d| m * 10 + u64::from(d)), exp, bin_exp)
            } else {
                big_magnitude(sig.collect(), exp, bin_exp)
            }
        };
        let magnitude = match magnitude {
            Some(m) if bin_exp == 0 || m <= BINARY_CAP_NANOS => m,
            // The API server caps what a binary suffix makes at 2⁶³ − 1.
            _ if bin_exp > 0 => BINARY_CAP_NANOS,
            _ => return Err(out_of_range()),
        };
        let nanos = i128::try_from(magnitude).map_err(|_| out_of_range())?;
        Ok(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// Reads a quantity from a JSON value: a string, or a number (how YAML
    /// hands over `cpu: 1` or `cpu: 0.5`).
    pub fn from_value(v: &Value) -> Result<Quantity, QuantityError> {
        match v {
            Value::String(s) => {
                // Only a space or a character above ASCII can be trimmed.
                let b = s.as_bytes();
                let blank = |c: Option<&u8>| c.is_some_and(|&c| c == b' ' || c > 0x7f);
                if blank(b.first()) || blank(b.last()) {
                    Quantity::parse(s.trim_matches(go_trims))
                } else {
                    Quantity::parse(s)
                }
            }
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Quantity::from_units(i))
                } else if let Some(u) = n.as_u64() {
                    Ok(Quantity {
                        nanos: i128::from(u) * NANOS_PER_UNIT,
                    })
                } else {
                    Quantity::parse(&n.to_string())
                }
            }
            Value::Null => Err(QuantityError::WrongType("null")),
            Value::Bool(_) => Err(QuantityError::WrongType("a boolean")),
            Value::Array(_) => Err(QuantityError::WrongType("a list")),
            Value::Object(_) => Err(QuantityError::WrongType("a mapping")),
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

impl fmt::Display for Quantity {
    /// Plain decimal form of the value (`0.1`, `1`, `1073741824`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        let units = abs / NANOS_PER_UNIT as u128;
        let frac = abs % NANOS_PER_UNIT as u128;
        if frac == 0 {
            write!(f, "{sign}{units}")
        } else {
            let frac = format!("{frac:09}");
            write!(f, "{sign}{units}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// Significant digits a quantity may have (the API server takes any number;
/// nothing real has more than a few dozen).
const MAX_DIGITS: usize = 1000;

/// 2⁶³ − 1 units, in nano-units: where the API server caps a binary suffix.
const BINARY_CAP_NANOS: u128 = i64::MAX as u128 * NANOS_PER_UNIT as u128;

/// The range of ASCII digits in `b` from `i` on.
fn digits_from(b: &[u8], i: usize) -> std::ops::Range<usize> {
    let n = b
        .get(i..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count());
    i..i + n
}

/// What a suffix multiplies by: a power of ten and a power of two; None when
/// it is none of the API server's suffixes (`1KI`, `1e`, `1.5e3m`).
fn suffix(s: &str) -> Option<(i64, u32)> {
    Some(match s {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let e = s.strip_prefix(['e', 'E'])?;
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (e.parse().ok()?, 0)
        }
    })
}

/// `m` × 2^`bin` × 10^`exp` nano-units, rounded away from zero to a whole
/// nano-unit; None when it does not fit in a u128. `m` has at most 19 digits.
fn small_magnitude(m: u64, exp: i128, bin: u32) -> Option<u128> {
    // At most 2⁶⁴ × 2⁶⁰: no overflow.
    let n = u128::from(m) << bin;
    if exp >= 0 {
        let exp = u32::try_from(exp).ok()?;
        n.checked_mul(10u128.checked_pow(exp)?)
    } else if exp < -(MAX_POW10 as i128) {
        // n < 2¹²⁴ < 10³⁸: far below one nano-unit.
        Some(1)
    } else {
        let d = 10u128.pow(exp.unsigned_abs() as u32);
        Some(n / d + u128::from(n % d != 0))
    }
}

/// [`small_magnitude`] for more digits (`sig`, most significant first, no
/// zeros at either end), with decimal digits in a vector.
fn big_magnitude(mut sig: Vec<u8>, exp: i128, bin: u32) -> Option<u128> {
    for _ in 0..bin {
        let mut carry = 0;
        for d in sig.iter_mut().rev() {
            let twice = *d * 2 + carry;
            *d = twice % 10;
            carry = twice / 10;
        }
        if carry > 0 {
            sig.insert(0, carry);
        }
    }
    let (whole, rest): (&[u8], &[u8]) = if exp >= 0 {
        (&sig, &[])
    } else {
        let cut = sig
            .len()
            .saturating_sub(usize::try_from(exp.unsigned_abs()).unwrap_or(usize::MAX));
        sig.split_at(cut)
    };
    let mut n = whole
        .iter()
        .try_fold(0u128, |n, &d| n.checked_mul(10)?.checked_add(u128::from(d)))?;
    if exp > 0 {
        n = n.checked_mul(10u128.checked_pow(u32::try_from(exp).ok()?)?)?;
    }
    Some(n + u128::from(rest.iter().any(|&d| d != 0)))
}

/// Division rounding toward positive infinity.
fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a > 0) == (b > 0)) {
        q + 1
    } else {
        q
    }
}

/// Whether the API server's quantity decoder trims `c`. It trims Unicode
/// white space from the JSON text of the string, where the characters JSON
/// escapes (tab, line ends, U+2028, U+2029) are escapes, not white space: so
/// it trims the space, U+0085, U+00A0 and the other spaces above ASCII.
fn go_trims(c: char) -> bool {
    c == ' ' || (c > '\u{7f}' && c.is_whitespace() && c != '\u{2028}' && c != '\u{2029}')
}

/// Whether `v` is a quantity string whose number has no digit (`m`, `Mi`,
/// `.`, `-`; meaningful for values that parse): the API server reads it as zero, and it is nearly always a
/// template that rendered nothing (`cpu: "{{ .Values.cpu }}m"`).
pub fn without_digits(v: &Value) -> bool {
    let Value::String(s) = v else { return false };
    let t = s.trim_matches(go_trims);
    let number = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && !number
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .any(|c| c.is_ascii_digit())
}

/// Compares two JSON quantity values by value; `None` when either is not a quantity.
pub fn compare_values(a: &Value, b: &Value) -> Option<Ordering> {
    Some(
        Quantity::from_value(a)
            .ok()?
            .cmp(&Quantity::from_value(b).ok()?),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn decimal_si_suffixes() {
        assert_eq!(q("1").nanos(), 1_000_000_000);
        assert_eq!(q("100m").nanos(), 100_000_000);
        assert_eq!(q("1000m"), q("1"));
        assert_eq!(q("1k"), q("1000"));
        assert_eq!(q("1M"), q("1000k"));
        assert_eq!(q("1G"), q("1000M"));
        assert_eq!(q("1T"), q("1000G"));
        assert_eq!(q("1P"), q("1000T"));
        assert_eq!(q("1E"), q("1000P"));
        assert_eq!(q("1u").nanos(), 1000);
        assert_eq!(q("5n").nanos(), 5);
    }

    #[test]
    fn binary_si_suffixes() {
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1Mi"), q("1048576"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1Ti"), q("1024Gi"));
        assert_eq!(q("1Pi"), q("1024Ti"));
        assert_eq!(q("1Ei"), q("1024Pi"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("0.5Ki"), q("512"));
    }

    #[test]
    fn exponents_and_fractions() {
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1k"));
        assert_eq!(q("1e+3"), q("1k"));
        assert_eq!(q("5e-1"), q("500m"));
        assert_eq!(q("12E-3"), q("12m"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("5."), q("5"));
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(q("+1"), q("1"));
        assert!(q("-1").is_negative());
        // Below one nano-unit rounds up, as the API server does.
        assert_eq!(q("1e-10").nanos(), 1);
        assert_eq!(q("0.0000000001").nanos(), 1);
        assert_eq!(q("1e-100").nanos(), 1);
        assert_eq!(q("0e-100").nanos(), 0);
        assert_eq!(q("0.1m").nanos(), 100_000);
    }

    #[test]
    fn ordering_by_value() {
        assert!(q("100m") < q("1"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("999Mi") < q("1Gi"));
        assert_eq!(
            compare_values(&json!(1), &json!("1000m")),
            Some(Ordering::Equal)
        );
        assert_eq!(compare_values(&json!("x"), &json!("1")), None);
    }

    #[test]
    fn rejects_malformed_text() {
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        for bad in [
            "abc", "1.2.3", "1 ", " 1", "1mi", "1KI", "1e", "1e+", "1ee3", "1.5.Gi", "--1", "1K",
            "1Gib", "0x10", "1,5",
        ] {
            assert!(
                matches!(Quantity::parse(bad), Err(QuantityError::Invalid(_))),
                "{bad:?} should be invalid"
            );
        }
        // An exponent beyond 64 bits is no suffix to the API server either.
        assert!(matches!(
            Quantity::parse("1e99999999999999999999"),
            Err(QuantityError::Invalid(_))
        ));
        for big in [
            "1e5000",
            "99999999999999999999999999999999999999999",
            "170141183460469231731.687303716e9",
        ] {
            assert!(
                matches!(Quantity::parse(big), Err(QuantityError::OutOfRange(_))),
                "{big:?} should be out of range"
            );
        }
        let many = format!("0.{}", "1".repeat(1001));
        assert!(matches!(
            Quantity::parse(&many),
            Err(QuantityError::OutOfRange(_))
        ));
    }

    /// The API server's leniencies and roundings (each checked against
    /// kubectl's `ParseQuantity`, see tests/quantities_kubectl.rs).
    #[test]
    fn reads_as_the_api_server_does() {
        // A number with no digit is zero.
        for zero in [
            "m", ".", "-", "+", "Ki", "-Ki", "e3", ".m", "0e5000", "-0", "00",
        ] {
            assert_eq!(q(zero).nanos(), 0, "{zero:?}");
        }
        // Below one nano-unit rounds away from zero.
        assert_eq!(q("-1e-10").nanos(), -1);
        assert_eq!(q("-1.5n").nanos(), -2);
        assert_eq!(q("1.5n").nanos(), 2);
        assert_eq!(q("-0.0000000000001Ki").nanos(), -1);
        assert_eq!(q("1e-5000").nanos(), 1);
        assert_eq!(q("1e-9223372036854775808").nanos(), 1);
        // A binary suffix is capped at 2^63 - 1 units; a decimal one is not.
        let cap = i128::from(i64::MAX) * 1_000_000_000;
        for capped in [
            "8Ei",
            "16Ei",
            "7.99999999999999999999Ei",
            "100000000000000000000000Ki",
        ] {
            assert_eq!(q(capped).nanos(), cap, "{capped:?}");
        }
        assert_eq!(q("-16Ei").nanos(), -cap);
        assert_eq!(q("9223372036854775808").nanos(), cap + 1_000_000_000);
        assert_eq!(q("1e20").nanos(), 100_000_000_000_000_000_000_000_000_000);
        // Long digit strings keep every digit that counts.
        assert_eq!(
            q("1.000000000000000000000000000000000000000000001").nanos(),
            1_000_000_001
        );
        assert_eq!(q("1.0000000001Ki").nanos(), 1_024_000_000_103);
        assert_eq!(
            q("0.30000000000000000000000000000000000001Mi"),
            q("314572800000001n")
        );
        assert_eq!(
            q("123456789012345678901234567.89"),
            q("123456789012345678901234567890m")
        );
        // ... but not without digits below nano, nor with `Pi` and `Ei`.
        for refused in ["e-10", "-n3", ".e-13", "Pi", "Ei", "-.Pi"] {
            assert!(Quantity::parse(refused).is_err(), "{refused:?}");
        }
        assert_eq!(q("-e-9").nanos(), 0);
        assert_eq!(q("Ti").nanos(), 0);
        assert_eq!(q("0.e-13").nanos(), 0);
        // Blanks: ParseQuantity refuses them, the JSON decoder trims spaces
        // (not tabs or line ends, which reach it as JSON escapes).
        assert_eq!(Quantity::from_value(&json!(" 1 ")).unwrap(), q("1"));
        assert_eq!(
            Quantity::from_value(&json!("\u{85}\u{3000}500m\u{a0}")).unwrap(),
            q("500m")
        );
        for refused in ["\t2Gi", "1\n", "\r1", "1\u{2028}", "\u{b}1"] {
            assert!(
                Quantity::from_value(&json!(refused)).is_err(),
                "{refused:?}"
            );
        }
        assert_eq!(
            Quantity::from_value(&json!("  ")),
            Err(QuantityError::Empty)
        );
    }

    #[test]
    fn numbers_without_digits_are_told_apart() {
        for v in ["m", "Mi", ".", "-", " Ki ", "+.m"] {
            assert!(without_digits(&json!(v)), "{v:?}");
        }
        for v in ["0", "1m", ".5", "-1", "5.", "", "  ", "1Ki"] {
            assert!(!without_digits(&json!(v)), "{v:?}");
        }
        assert!(!without_digits(&json!(0)));
    }

    #[test]
    fn json_numbers_equal_strings() {
        assert_eq!(Quantity::from_value(&json!(1)).unwrap(), q("1"));
        assert_eq!(Quantity::from_value(&json!("1")).unwrap(), q("1"));
        assert_eq!(Quantity::from_value(&json!(0.5)).unwrap(), q("500m"));
        assert_eq!(Quantity::from_value(&json!(2.0)).unwrap(), q("2"));
        assert_eq!(Quantity::from_value(&json!(1e21)).unwrap(), q("1e21"));
        assert_eq!(
            Quantity::from_value(&json!(u64::MAX)).unwrap().nanos(),
            i128::from(u64::MAX) * 1_000_000_000
        );
        assert_eq!(
            Quantity::from_value(&Value::Null),
            Err(QuantityError::WrongType("null"))
        );
        assert!(Quantity::from_value(&json!({"a": 1})).is_err());
        assert!(Quantity::from_value(&json!(true)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[-+0-9.eEkKMGTPimnu ]{0,24}|.{0,16}") {
            let _ = Quantity::parse(&s);
        }

        #[test]
        fn milli_and_unit_spellings_agree(n in 0i64..1_000_000_000) {
            proptest::prop_assert_eq!(q(&format!("{n}")), q(&format!("{}m", n * 1000)));
            proptest::prop_assert_eq!(q(&format!("{n}Ki")), Quantity::from_units(n * 1024));
            proptest::prop_assert_eq!(Quantity::from_value(&json!(n)).unwrap(), q(&n.to_string()));
        }
    }

    #[test]
    fn displays_plain_decimal() {
        assert_eq!(q("100m").to_string(), "0.1");
        assert_eq!(q("2").to_string(), "2");
        assert_eq!(q("1Ki").to_string(), "1024");
        assert_eq!(q("-1500m").to_string(), "-1.5");
        assert_eq!(q("1500m").millis(), 1500);
        assert_eq!(q("1n").millis(), 1);
    }
}
