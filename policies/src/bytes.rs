//! Finding bytes eight at a time, for the writers of JSON text on hot paths
//! (JSON Pointer tokens in fixes, the linter's JSON report): most strings
//! they write need no escape, and this says so in a few word operations.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `w` is `b`.
#[inline]
pub fn word_has(w: u64, b: u8) -> bool {
    let x = w ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH != 0
}

/// Whether any of the eight bytes of `w` is below `n`, for `n` up to 0x80
/// (bytes of 0x80 and up are then never below it).
#[inline]
pub fn word_has_below(w: u64, n: u8) -> bool {
    debug_assert!(n <= 0x80);
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH != 0
}

/// Whether any byte of `b` is one that `word` finds in a little-endian word
/// of eight bytes. The words are taken eight bytes apart, the last one
/// overlapping the one before, so no byte-by-byte tail runs; slices shorter
/// than eight bytes are checked byte by byte with `byte`, which must agree
/// with `word`.
#[inline]
pub fn any_byte(b: &[u8], word: impl Fn(u64) -> bool, byte: impl Fn(u8) -> bool) -> bool {
    let load = |w: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        u64::from_le_bytes(a)
    };
    if b.len() < 8 {
        return b.iter().any(|&c| byte(c));
    }
    b.chunks_exact(8).any(|w| word(load(w))) || word(load(&b[b.len() - 8..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every position of slices up to 24 bytes long,
    /// on a background of each kind of byte: the word tests agree with
    /// testing the bytes one by one.
    #[test]
    fn word_tests_agree_with_byte_tests() {
        let escape = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
        let escape_word = |w: u64| word_has_below(w, 0x20) | word_has(w, b'"') | word_has(w, b'\\');
        let pointer = |c: u8| c == b'~' || c == b'/';
        let pointer_word = |w: u64| word_has(w, b'~') | word_has(w, b'/');
        for background in [b'a', b' ', 0x7f, 0x80, 0xff] {
            for len in 0..=24 {
                for at in 0..=len {
                    for value in 0..=255u8 {
                        let mut b = vec![background; len];
                        if at < len {
                            b[at] = value;
                        }
                        let want = b.iter().any(|&c| escape(c));
                        assert_eq!(any_byte(&b, escape_word, escape), want, "{b:?}");
                        let want = b.iter().any(|&c| pointer(c));
                        assert_eq!(any_byte(&b, pointer_word, pointer), want, "{b:?}");
                    }
                }
            }
        }
    }
}
