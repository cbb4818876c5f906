//! The `Cookie` field (RFC 6265 §4.2, §5.4): finding one named cookie.

use super::trim_ows;
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
    for pair in bytes::split(field, b';') {
        // Cookie names are case-sensitive (RFC 6265 §5.4 compares octets).
        // Most pairs are other cookies: test the name before looking for `=`.
        let Some(after_name) = trim_ows(pair).strip_prefix(name) else {
            continue;
        };
        let [b'=', v @ ..] = trim_ows(after_name) else {
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

    #[test]
    fn value_may_contain_equals() {
        assert_eq!(one(b"jwt_token=a=b==").unwrap(), Some(&b"a=b=="[..]));
    }
}
