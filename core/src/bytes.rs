//! Byte scans on the request path, written so that the compiler turns
//! them into word-at-a-time or vector instructions, without `unsafe` or
//! target-specific code.

/// How many bytes [`find`] tests per step: one machine word.
const WORD: usize = 8;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `x` that is zero. The lowest one set is
/// exact; bits above it may be set by the borrow, which is why callers
/// only ever use the lowest.
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The high bit of every byte of `x` below `n` (`n <= 0x80`), exact for
/// the lowest one as [`zero_bytes`].
const fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES.wrapping_mul(n as u64)) & !x & HIGHS
}

/// The first index whose byte `matches` flags, a word at a time; `is` is
/// the same test on one byte, for the tail.
fn first(haystack: &[u8], matches: impl Fn(u64) -> u64, is: impl Fn(u8) -> bool) -> Option<usize> {
    let words = haystack.chunks_exact(WORD);
    let tail = words.remainder();
    let mut offset = 0usize;
    for word in words {
        let Ok(word) = <[u8; WORD]>::try_from(word) else {
            break;
        };
        let flags = matches(u64::from_le_bytes(word));
        if flags != 0 {
            let index = usize::try_from(flags.trailing_zeros() / 8).unwrap_or(0);
            return Some(offset.saturating_add(index));
        }
        offset = offset.saturating_add(WORD);
    }
    tail.iter()
        .position(|&b| is(b))
        .map(|i| offset.saturating_add(i))
}

/// The index of the first `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: u8) -> Option<usize> {
    let pattern = ONES.wrapping_mul(u64::from(needle));
    first(haystack, |x| zero_bytes(x ^ pattern), |b| b == needle)
}

/// The index of the first byte that ends a run of plain JSON string
/// characters: `"`, `\` or a control character (RFC 8259 §7).
pub(crate) fn find_string_special(haystack: &[u8]) -> Option<usize> {
    const QUOTES: u64 = ONES.wrapping_mul(b'"' as u64);
    const BACKSLASHES: u64 = ONES.wrapping_mul(b'\\' as u64);
    first(
        haystack,
        |x| zero_bytes(x ^ QUOTES) | zero_bytes(x ^ BACKSLASHES) | bytes_below(x, 0x20),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// Whether `name` is `lowercase` in any letter case, for a `lowercase`
/// made of the letters `a`-`z` only (the header names gatekey looks for).
///
/// For a letter, `b | 0x20` is it exactly when `b` is the letter in either
/// case, so one OR and one XOR per byte replace [`u8::eq_ignore_ascii_case`]'s
/// two case conversions, and nothing stops early.
pub(crate) fn eq_letters_ignore_case(name: &[u8], lowercase: &[u8]) -> bool {
    debug_assert!(lowercase.iter().all(u8::is_ascii_lowercase));
    name.len() == lowercase.len()
        && name
            .iter()
            .zip(lowercase)
            .fold(0u8, |diff, (&b, &l)| diff | ((b | 0x20) ^ l))
            == 0
}

/// How many times `needle` occurs in `haystack`.
pub(crate) fn count(haystack: &[u8], needle: u8) -> usize {
    haystack
        .iter()
        .fold(0usize, |n, &b| n.saturating_add(usize::from(b == needle)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn letters_compare_as_eq_ignore_ascii_case() {
        for name in [&b"authorization"[..], b"cookie"] {
            for b in 0..=255u8 {
                for i in 0..name.len() {
                    let mut probe = [0u8; 13];
                    let probe = &mut probe[..name.len()];
                    probe.copy_from_slice(name);
                    probe[i] = b;
                    assert_eq!(
                        eq_letters_ignore_case(probe, name),
                        probe.eq_ignore_ascii_case(name),
                        "{probe:?}"
                    );
                    probe.make_ascii_uppercase();
                    assert_eq!(
                        eq_letters_ignore_case(probe, name),
                        probe.eq_ignore_ascii_case(name),
                        "{probe:?}"
                    );
                }
            }
            assert!(!eq_letters_ignore_case(&name[1..], name));
        }
    }

    proptest! {
        #[test]
        fn find_and_count_match_the_plain_scans(
            haystack in proptest::collection::vec(prop_oneof![0u8..4, any::<u8>(), Just(b'"'), Just(b'\\'), 0x1eu8..0x22], 0..80),
            needle in prop_oneof![0u8..4, any::<u8>()],
        ) {
            prop_assert_eq!(
                find(&haystack, needle),
                haystack.iter().position(|&b| b == needle)
            );
            prop_assert_eq!(
                find_string_special(&haystack),
                haystack.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            );
            prop_assert_eq!(
                count(&haystack, needle),
                haystack.iter().filter(|&&b| b == needle).count()
            );
        }
    }
}
