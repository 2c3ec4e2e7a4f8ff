//! Scalar resolution as Kubernetes sees it.
//!
//! `kubectl` and the API machinery read YAML through a YAML 1.1 resolver
//! (go-yaml v2 behind sigs.k8s.io/yaml) and then convert to JSON. A plain
//! (unquoted, untagged) scalar therefore becomes:
//!
//! - `null` for an empty scalar, `~`, `null`, `Null`, `NULL`;
//! - a boolean for `y`/`yes`/`true`/`on` and `n`/`no`/`false`/`off` in their
//!   lowercase, Capitalised and UPPERCASE spellings;
//! - an integer for decimal, `0x` hex, `0o` or leading-`0` octal and `0b`
//!   binary literals (optionally signed, `_` separators ignored), when the
//!   first character is a digit or a sign;
//! - a float for `1.5`, `.5`, `1e3`, … (a float with an integral value is
//!   written as an integer, as Go's JSON encoder does);
//! - a string otherwise. `.inf` and `.nan` stay strings because JSON cannot
//!   hold them.
//!
//! Quoted and block scalars are always strings.

use serde_json::{Number, Value};

/// What a scalar's tag asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// `!!str`, `!!timestamp` and core tags go-yaml does not resolve: the
    /// text, a string.
    Str,
    /// `!!binary`: base64, decoded into a string (as go-yaml does, so that
    /// kubectl's JSON holds the decoded text).
    Binary,
    /// `!!int`.
    Int,
    /// `!!float`.
    Float,
    /// `!!bool`.
    Bool,
    /// `!!null`.
    Null,
}

/// Maps a core-schema tag suffix to what it asks for.
pub(crate) fn want_of_core_tag(suffix: &str) -> Want {
    match suffix {
        "str" | "timestamp" => Want::Str,
        "binary" => Want::Binary,
        "int" => Want::Int,
        "float" => Want::Float,
        "bool" => Want::Bool,
        "null" => Want::Null,
        // Others (`!!foo`): go-yaml keeps the text, a string.
        _ => Want::Str,
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn as_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

pub(crate) fn is_special_float(s: &str) -> bool {
    matches!(
        s,
        ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    )
}

/// Parses an integer the way Go's `strconv.ParseInt(s, 0, 64)` does (with
/// a fallback to unsigned for values above `i64::MAX`). `s` has no `_`.
fn parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 {
            Some(Value::from(-(magnitude as i64)))
        } else if magnitude == i64::MAX as u64 + 1 {
            Some(Value::from(i64::MIN))
        } else {
            None
        }
    } else if magnitude <= i64::MAX as u64 {
        Some(Value::from(magnitude as i64))
    } else if s.starts_with('+') {
        // Go's ParseUint does not accept a sign.
        None
    } else {
        // Kept exact: a quantity field gets these digits as they are. (Where
        // Kubernetes decodes without a Go type, in a custom resource, a JSON
        // integer past int64 becomes a float.)
        Some(Value::from(magnitude))
    }
}

/// YAML 1.1 float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float as Go's JSON encoder would write it, read back: integral values
/// become integers.
fn float_value(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e18 {
        // Every integer up to 2^53 is a float. Above, Go writes the shortest
        // decimal that reads back as the same float, not the float's exact
        // value: `251908010080205004.2` is 251908010080205000, not
        // 251908010080204992.
        let exact = f as i64;
        if f.abs() <= 9_007_199_254_740_992.0 {
            return Some(Value::from(exact));
        }
        return Some(Value::from(format!("{f}").parse::<i64>().unwrap_or(exact)));
    }
    Number::from_f64(f).map(Value::Number)
}

/// Resolves a plain scalar (YAML 1.1 rules, see the module docs).
pub(crate) fn resolve_plain(s: &str) -> Value {
    if is_null(s) {
        return Value::Null;
    }
    if let Some(b) = as_bool(s) {
        return Value::Bool(b);
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        if is_special_float(s) {
            return Value::String(s.to_string());
        }
        let cleaned;
        let plain = if s.contains('_') {
            cleaned = s.replace('_', "");
            cleaned.as_str()
        } else {
            s
        };
        if first != b'.' {
            if let Some(v) = parse_int(plain) {
                return v;
            }
        }
        if is_yaml_float(plain) {
            if let Some(v) = plain.parse::<f64>().ok().and_then(float_value) {
                return v;
            }
        }
    }
    Value::String(s.to_string())
}

/// Resolves a scalar under an explicit tag. `Err` carries the reason when the
/// text does not fit the tag.
pub(crate) fn resolve_tagged(s: &str, want: Want) -> Result<Value, String> {
    let resolved = || resolve_plain(s);
    match want {
        Want::Str => Ok(Value::String(s.to_string())),
        Want::Binary => base64_text(s)
            .ok_or_else(|| format!("`{s}` is not base64 (!!binary), which kubectl refuses")),
        Want::Int => match resolved() {
            v @ Value::Number(_) if v.is_i64() || v.is_u64() => Ok(v),
            _ => Err(format!("cannot read `{s}` as an integer (!!int)")),
        },
        Want::Float => match resolved() {
            v @ Value::Number(_) => Ok(v),
            _ if is_special_float(s) => Ok(Value::String(s.to_string())),
            _ => Err(format!("cannot read `{s}` as a float (!!float)")),
        },
        Want::Bool => match as_bool(s) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err(format!("cannot read `{s}` as a boolean (!!bool)")),
        },
        Want::Null => {
            if is_null(s) {
                Ok(Value::Null)
            } else {
                Err(format!("cannot read `{s}` as null (!!null)"))
            }
        }
    }
}

/// What go-yaml reads a `!!binary` scalar as: its standard base64 (with
/// padding; line breaks skipped) decoded, as text (bytes that are not UTF-8
/// become U+FFFD in kubectl's JSON). `None` when it is not base64.
fn base64_text(s: &str) -> Option<Value> {
    let digit = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let b: Vec<u8> = s.bytes().filter(|c| !matches!(c, b'\n' | b'\r')).collect();
    if b.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (n, quad) in b.chunks(4).enumerate() {
        let last = n + 1 == b.len() / 4;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut v = 0u32;
        for &c in &quad[..4 - pad] {
            v = (v << 6) | digit(c)?;
        }
        v <<= 6 * pad as u32;
        let bytes = v.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(Value::String(String::from_utf8_lossy(&out).into_owned()))
}

/// The JSON object key kubectl makes of a key that go-yaml resolved to `v`
/// (its YAML-to-JSON conversion, sigs.k8s.io/yaml, writes booleans and
/// integers as text and floats as float32 text, [`go_float32`]). `Err`
/// says why it refuses the key: null, or an integer beyond int64 (go-yaml's
/// uint64), both "unsupported map key" to it.
pub(crate) fn key_string(v: Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Err(
            "a null key (`~`, `null`, or nothing before the `:`): kubectl cannot \
                            make a JSON key of it and refuses the file (\"unsupported map key\")"
                .to_string(),
        ),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) if n.is_u64() && !n.is_i64() => Err(format!(
            "the key {n} is an integer beyond int64: kubectl cannot make a JSON key of it and \
             refuses the file (\"unsupported map key of type: uint64\"); quote it"
        )),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(i.to_string()),
            (None, Some(f)) => Ok(go_float32(f)),
            _ => Ok(n.to_string()),
        },
        other => Ok(other.to_string()),
    }
}

/// [`key_string`] of a plain scalar key: a float stays a float, however
/// whole (`1.0e3` is the key `1000`, `123456.789e3` the key
/// `1.2345679e+08`, as float32 text).
#[inline]
pub(crate) fn plain_key_string(s: &str) -> Result<String, String> {
    let numeric = s
        .as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.'));
    if numeric && !is_special_float(s) {
        let plain = if s.contains('_') {
            std::borrow::Cow::Owned(s.replace('_', ""))
        } else {
            std::borrow::Cow::Borrowed(s)
        };
        let float = (s.starts_with('.') || parse_int(&plain).is_none()) && is_yaml_float(&plain);
        // Past float64 (`2e308`) it is a string to go-yaml.
        if let Some(f) = float
            .then(|| plain.parse::<f64>().ok())
            .flatten()
            .filter(|f| f.is_finite())
        {
            return Ok(go_float32(f));
        }
    }
    key_string(resolve_plain(s))
}

/// `f` as Go's `strconv.FormatFloat(f, 'g', -1, 32)` writes it, with
/// go-yaml's names for infinities and NaN: the shortest digits that read
/// back as the same float32, in exponent form (two exponent digits at
/// least) when the exponent is below -4 or 6 and above.
pub(crate) fn go_float32(f: f64) -> String {
    // Go rounds to float32 first, as this cast does (to nearest, ties even).
    #[allow(clippy::cast_possible_truncation)]
    let x = f as f32;
    if x.is_nan() {
        return ".nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    // Rust writes the same shortest digits: `1.2345679e8`, `-3e-5`, `0e0`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if mantissa.starts_with('-') { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}e{esign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        let zeros = "0".repeat(exp.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{digits}");
    }
    let whole = exp as usize + 1;
    if digits.len() <= whole {
        format!("{sign}{digits}{}", "0".repeat(whole - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..whole], &digits[whole..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_keys_are_go_float32_text() {
        for (f, s) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123_456.0, "123456"),
            (1_234_567.0, "1.234567e+06"),
            (123_456_789.0, "1.2345679e+08"),
            (16_777_217.0, "1.6777216e+07"),
            (1e21, "1e+21"),
            (-1.5e-10, "-1.5e-10"),
            (3.402_823_5e38, "3.4028235e+38"),
            (1.5e300, ".inf"),
            (-1.5e300, "-.inf"),
            (f64::NAN, ".nan"),
        ] {
            assert_eq!(go_float32(f), s, "{f}");
        }
        assert_eq!(plain_key_string("123456.789e3").unwrap(), "1.2345679e+08");
        assert_eq!(plain_key_string("1_000").unwrap(), "1000");
        assert_eq!(plain_key_string("Yes").unwrap(), "true");
        assert_eq!(plain_key_string(".5").unwrap(), "0.5");
        assert_eq!(plain_key_string("2e308").unwrap(), "2e308");
        assert!(plain_key_string("~").is_err());
        assert!(plain_key_string("").is_err());
        assert!(plain_key_string("9223372036854775808").is_err());
        assert_eq!(
            plain_key_string("9223372036854775807").unwrap(),
            "9223372036854775807"
        );
    }

    #[test]
    fn yaml_1_1_values() {
        for (s, v) in [
            ("", json!(null)),
            ("~", json!(null)),
            ("NULL", json!(null)),
            ("yes", json!(true)),
            ("Y", json!(true)),
            ("On", json!(true)),
            ("off", json!(false)),
            ("NO", json!(false)),
            ("nO", json!("nO")),
            ("12", json!(12)),
            ("-12", json!(-12)),
            ("+12", json!(12)),
            ("1_000", json!(1000)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("017", json!(15)),
            ("08", json!(8)),
            ("0b101", json!(5)),
            ("1.5", json!(1.5)),
            (".5", json!(0.5)),
            ("1e3", json!(1000)),
            ("2.0", json!(2)),
            // Past 2^53, as Go writes the float: its shortest decimal.
            ("251908010080205004.2", json!(251908010080205000i64)),
            ("9007199254740993.0", json!(9007199254740992i64)),
            ("-1.2345678901234567e17", json!(-123456789012345660i64)),
            (".inf", json!(".inf")),
            ("-.Inf", json!("-.Inf")),
            (".nan", json!(".nan")),
            ("18446744073709551615", json!(18446744073709551615u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("1.2.3", json!("1.2.3")),
            ("2001-12-14", json!("2001-12-14")),
            ("_1", json!("_1")),
            ("1:20", json!("1:20")),
            ("0x", json!("0x")),
            ("-", json!("-")),
        ] {
            assert_eq!(resolve_plain(s), v, "{s:?}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(resolve_tagged("1", Want::Str), Ok(json!("1")));
        assert_eq!(resolve_tagged("1", Want::Int), Ok(json!(1)));
        assert!(resolve_tagged("x", Want::Int).is_err());
        assert_eq!(resolve_tagged("yes", Want::Bool), Ok(json!(true)));
        assert_eq!(key_string(resolve_plain("0x10")).as_deref(), Ok("16"));
        assert_eq!(key_string(resolve_plain("yes")).as_deref(), Ok("true"));
        // kubectl refuses a null key.
        assert!(key_string(resolve_plain("~")).is_err());
    }
}
