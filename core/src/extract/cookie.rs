//! The `Cookie` field (RFC 6265 §4.2, §5.4): finding one named cookie.

use super::{trim_ows, trim_trailing_ows};
use crate::{bytes, Error};

/// Looks for cookie `name` in one `Cookie` field value and records its value
/// in `found`. The same name again with a different value is
/// [`Error::AmbiguousCookie`]: which one a server picks differs between
/// servers, so gatekey refuses to guess.
///
/// Parsing is lenient as RFC 6265 §5.4 asks of servers: pairs are split on
/// `;`, whitespace around names and values is dropped, a pair without `=`
/// is skipped, and a value wrapped in one pair of double quotes is
/// unwrapped (`cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )`).
pub(super) fn find<'a>(
    field: &'a [u8],
    name: &[u8],
    found: &mut Option<&'a [u8]>,
) -> Result<(), Error> {
    // Most pairs are other cookies, and the name's first byte is rare in
    // them: look for that byte, a word at a time, and parse only the pairs
    // it starts. (Splitting on `;` first touched every pair.)
    let Some(&first) = name.first() else {
        return Ok(());
    };
    let mut from = 0usize;
    while let Some(at) = field.get(from..).and_then(|rest| bytes::find(rest, first)) {
        let start = from.saturating_add(at);
        from = start.saturating_add(1);
        let (before, candidate) = field.split_at_checked(start).unwrap_or_default();
        // Cookie names are case-sensitive (RFC 6265 §5.4 compares octets),
        // and a name starts a pair: only whitespace since the `;` before.
        if !matches!(trim_trailing_ows(before).last(), None | Some(b';')) {
            continue;
        }
        let Some(after_name) = candidate.strip_prefix(name) else {
            continue;
        };
        let rest_of_pair = match bytes::find(after_name, b';') {
            Some(end) => after_name.get(..end).unwrap_or_default(),
            None => after_name,
        };
        // The next pair starts after this one's `;`: no byte is looked at
        // twice, whatever the field holds.
        from = start
            .saturating_add(name.len())
            .saturating_add(rest_of_pair.len());
        let [b'=', v @ ..] = trim_ows(rest_of_pair) else {
            continue;
        };
        let value = unquote(trim_ows(v));
        match found {
            Some(previous) if *previous != value => return Err(Error::AmbiguousCookie),
            _ => *found = Some(value),
        }
    }
    Ok(())
}

fn unquote(v: &[u8]) -> &[u8] {
    match v {
        [b'"', inner @ .., b'"'] => trim_ows(inner),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(field: &[u8]) -> Result<Option<&[u8]>, Error> {
        let mut f = None;
        find(field, b"jwt_token", &mut f)?;
        Ok(f)
    }

    #[test]
    fn finds_the_named_cookie_among_others() {
        assert_eq!(one(b"a=1; jwt_token=tok; b=2").unwrap(), Some(&b"tok"[..]));
        assert_eq!(one(b"jwt_token=tok").unwrap(), Some(&b"tok"[..]));
        assert_eq!(one(b"a=1;b=2").unwrap(), None);
        assert_eq!(one(b"xjwt_token=1; jwt_tokenx=2").unwrap(), None);
        assert_eq!(one(b"JWT_TOKEN=1").unwrap(), None);
    }

    #[test]
    fn quotes_and_spaces_are_dropped() {
        assert_eq!(
            one(b"a=1;  jwt_token = \"tok\" ; b").unwrap(),
            Some(&b"tok"[..])
        );
        assert_eq!(one(b"jwt_token=\"\"").unwrap(), Some(&b""[..]));
        assert_eq!(one(b"jwt_token=\"").unwrap(), Some(&b"\""[..]));
    }

    #[test]
    fn the_same_name_twice() {
        assert_eq!(one(b"jwt_token=a; jwt_token=a").unwrap(), Some(&b"a"[..]));
        assert_eq!(
            one(b"jwt_token=a; jwt_token=b"),
            Err(Error::AmbiguousCookie)
        );
    }

    /// The pair-by-pair reading that `find` must agree with: split on `;`,
    /// trim, compare the name, take what follows `=`.
    fn find_by_splitting<'a>(field: &'a [u8], name: &[u8]) -> Result<Option<&'a [u8]>, Error> {
        let mut found = None;
        for pair in field.split(|&b| b == b';') {
            let Some(after_name) = trim_ows(pair).strip_prefix(name) else {
                continue;
            };
            let [b'=', v @ ..] = trim_ows(after_name) else {
                continue;
            };
            let value = unquote(trim_ows(v));
            match found {
                Some(previous) if previous != value => return Err(Error::AmbiguousCookie),
                _ => found = Some(value),
            }
        }
        Ok(found)
    }

    const PIECES: &[&[u8]] = &[b"jt", b"jt=v", b"; ", b";", b"jt =\"v\"", b"=", b" \t"];

    proptest::proptest! {
        #[test]
        fn agrees_with_splitting_into_pairs(
            field in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"jt=; \t\"ax".as_slice()),
                    proptest::strategy::Just(b'j'),
                    proptest::prelude::any::<u8>(),
                ],
                0..60,
            ),
            pieces in proptest::collection::vec(
                proptest::sample::select(PIECES),
                0..8,
            ),
        ) {
            let mut built = field.clone();
            for piece in &pieces {
                built.extend_from_slice(piece);
            }
            for value in [field.as_slice(), built.as_slice()] {
                let mut f = None;
                let got = find(value, b"jt", &mut f).map(|()| f);
                proptest::prop_assert_eq!(got, find_by_splitting(value, b"jt"));
            }
        }
    }

    #[test]
    fn a_long_field_of_the_first_byte_is_read_once() {
        // Every byte is a candidate start; none starts a pair but the first.
        let field = [b'j'; 16 * 1024];
        assert_eq!(one(&field).unwrap(), None);
        let mut f = None;
        assert_eq!(find(&field, b"jj", &mut f), Ok(()));
        assert_eq!(f, None);
    }

    #[test]
    fn value_may_contain_equals() {
        assert_eq!(one(b"jwt_token=a=b==").unwrap(), Some(&b"a=b=="[..]));
    }
}
