//! Text from the input (names, values, messages built from them) as the
//! front ends may show it to people: on a terminal or in a CI log, a control
//! character or a bidirectional override in a manifest or from a cluster
//! must not recolour, erase or reorder what is shown around it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The bidirectional overrides and isolates, which reorder how the text
/// around them is shown.
pub fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that must not reach a terminal as they are: control
/// characters (C0, DEL, C1: an `ESC` or a `CSI` that starts a terminal
/// command, a carriage return that hides what came before it) and
/// bidirectional overrides.
pub fn hidden(c: char) -> bool {
    c.is_control() || reorders(c)
}

/// `s` with each [`hidden`] character written as an escape: `\x1b` below
/// U+0080, `\u{9b}` above.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !hidden(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// `s` with each [`hidden`] character other than tab and the line breaks
/// replaced by a visible one of the same length in bytes (`?`, `¿` or
/// U+FFFD), so that byte offsets and columns into it stay right: for source
/// snippets, whose spans are byte offsets.
pub fn printable_in_place(s: &str) -> Cow<'_, str> {
    let replaced = |c: char| hidden(c) && !matches!(c, '\t' | '\n' | '\r');
    if !s.chars().any(replaced) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c.len_utf8() {
                _ if !replaced(c) => c,
                1 => '?',
                2 => '\u{bf}',
                _ => '\u{fffd}',
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert!(matches!(printable("plain, ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            printable("\x1b]0;pwned\x07\x1b[2Jgone\rover"),
            "\\x1b]0;pwned\\x07\\x1b[2Jgone\\x0dover"
        );
        assert_eq!(printable("a\u{85}b\u{9b}c"), "a\\u{85}b\\u{9b}c");
        assert_eq!(
            printable("abc\u{202E}fed\u{2066}"),
            "abc\\u{202e}fed\\u{2066}"
        );
        assert_eq!(printable("tab\there"), "tab\\x09here");
    }

    #[test]
    fn in_place_keeps_every_byte_offset() {
        let s = "a\x1bb\u{9b}c\u{202e}d\te\r\nf\u{7f}";
        let p = printable_in_place(s);
        assert_eq!(p, "a?b\u{bf}c\u{fffd}d\te\r\nf?");
        assert_eq!(p.len(), s.len());
        assert_eq!(p.chars().count(), s.chars().count());
        assert!(matches!(printable_in_place("x\ty\n"), Cow::Borrowed(_)));
    }
}
