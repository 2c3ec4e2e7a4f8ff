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
    #[error("`{0}` is out of range")]
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

    /// Parses a quantity string.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let invalid = || QuantityError::Invalid(s.to_string());
        let out_of_range = || QuantityError::OutOfRange(s.to_string());
        let b = s.as_bytes();
        let mut i = 0;
        let negative = match b.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        // Mantissa digits, as one integer, and how many of them are fractional.
        let mut mantissa: i128 = 0;
        let mut digits = 0usize;
        let mut frac_digits: u32 = 0;
        let mut seen_dot = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(i128::from(c - b'0')))
                        .ok_or_else(out_of_range)?;
                    digits += 1;
                    if seen_dot {
                        frac_digits += 1;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            i += 1;
        }
        if digits == 0 {
            return Err(invalid());
        }
        let (dec_exp, bin_exp): (i64, u32) = match &s[i..] {
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
            suffix => {
                let exp = suffix
                    .strip_prefix(['e', 'E'])
                    .filter(|e| {
                        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                        !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
                    })
                    .ok_or_else(invalid)?;
                let exp: i64 = exp.parse().map_err(|_| out_of_range())?;
                if exp.unsigned_abs() > 1000 {
                    return Err(out_of_range());
                }
                (exp, 0)
            }
        };
        if negative {
            mantissa = -mantissa;
        }
        if bin_exp > 0 {
            mantissa = mantissa
                .checked_mul(1i128 << bin_exp)
                .ok_or_else(out_of_range)?;
        }
        // value = mantissa × 10^(dec_exp − frac_digits); nanos = value × 10^9.
        let shift = dec_exp + 9 - i64::from(frac_digits);
        let nanos = if shift >= 0 {
            let shift = u32::try_from(shift).map_err(|_| out_of_range())?;
            if mantissa == 0 {
                0
            } else if shift > MAX_POW10 {
                return Err(out_of_range());
            } else {
                mantissa
                    .checked_mul(10i128.pow(shift))
                    .ok_or_else(out_of_range)?
            }
        } else {
            let shift = u32::try_from(-shift).map_err(|_| out_of_range())?;
            if shift > MAX_POW10 {
                // Far below one nano-unit: rounds up to 1n (or to 0).
                i128::from(mantissa > 0)
            } else {
                ceil_div(mantissa, 10i128.pow(shift))
            }
        };
        Ok(Quantity { nanos })
    }

    /// Reads a quantity from a JSON value: a string, or a number (how YAML
    /// hands over `cpu: 1` or `cpu: 0.5`).
    pub fn from_value(v: &Value) -> Result<Quantity, QuantityError> {
        match v {
            Value::String(s) => Quantity::parse(s),
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

/// Division rounding toward positive infinity.
fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a > 0) == (b > 0)) {
        q + 1
    } else {
        q
    }
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
            "abc", "1.2.3", "1 ", " 1", "1mi", "1KI", "m", ".", "1e", "1e+", "1ee3", "1.5.Gi",
            "--1", "1K", "1Gib", "0x10", "1,5",
        ] {
            assert!(
                matches!(Quantity::parse(bad), Err(QuantityError::Invalid(_))),
                "{bad:?} should be invalid"
            );
        }
        assert!(matches!(
            Quantity::parse("1e-9223372036854775808"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("1e99999999999999999999"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("1e5000"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("99999999999999999999999999999999999999999"),
            Err(QuantityError::OutOfRange(_))
        ));
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
