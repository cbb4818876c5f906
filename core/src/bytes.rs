//! Byte scans on the request path, written so that the compiler turns
//! them into word-at-a-time or vector instructions, without `unsafe` or
//! target-specific code.

/// How many bytes [`find`] tests per step: one machine word.
const WORD: usize = 8;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The index of the first `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: u8) -> Option<usize> {
    let words = haystack.chunks_exact(WORD);
    let tail = words.remainder();
    let pattern = ONES.wrapping_mul(u64::from(needle));
    let mut offset = 0usize;
    for word in words {
        let Ok(word) = <[u8; WORD]>::try_from(word) else {
            break;
        };
        // A byte equal to `needle` is a zero byte of `x`; the classic
        // zero-byte test sets the high bit of the first one exactly (bits
        // above it may be set by the borrow, which is why only the lowest
        // counts).
        let x = u64::from_le_bytes(word) ^ pattern;
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            let index = usize::try_from(zeros.trailing_zeros() / 8).unwrap_or(0);
            return Some(offset.saturating_add(index));
        }
        offset = offset.saturating_add(WORD);
    }
    tail.iter()
        .position(|&b| b == needle)
        .map(|i| offset.saturating_add(i))
}

/// The pieces of `haystack` between `separator`s, as `split` makes them.
pub(crate) fn split(haystack: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(haystack);
    core::iter::from_fn(move || {
        let current = rest?;
        match find(current, separator) {
            Some(i) => {
                let (piece, after) = current.split_at_checked(i)?;
                rest = after.get(1..);
                Some(piece)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
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

    proptest! {
        #[test]
        fn find_and_count_match_the_plain_scans(
            haystack in proptest::collection::vec(prop_oneof![0u8..4, any::<u8>()], 0..80),
            needle in prop_oneof![0u8..4, any::<u8>()],
        ) {
            prop_assert_eq!(
                find(&haystack, needle),
                haystack.iter().position(|&b| b == needle)
            );
            prop_assert_eq!(
                split(&haystack, needle).collect::<std::vec::Vec<_>>(),
                haystack.split(|&b| b == needle).collect::<std::vec::Vec<_>>()
            );
            prop_assert_eq!(
                count(&haystack, needle),
                haystack.iter().filter(|&&b| b == needle).count()
            );
        }
    }
}
