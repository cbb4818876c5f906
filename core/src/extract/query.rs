//! The `access_token` query parameter (RFC 6750 §2.3).

use super::is_b64token;
use crate::Error;

/// The value of the one `access_token` parameter in `query`, if any.
///
/// The value is borrowed, never percent-decoded: a JWT is base64url and
/// needs no escaping, so a `%` or `+` (a space in form encoding) means the
/// value is not a token as sent, and is refused rather than guessed at.
pub(super) fn access_token(query: &[u8]) -> Result<Option<&[u8]>, Error> {
    let mut token = None;
    for pair in query.split(|&b| b == b'&') {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                pair.get(..i).unwrap_or_default(),
                pair.get(i.saturating_add(1)..).unwrap_or_default(),
            ),
            None => (pair, &[][..]),
        };
        if !names_access_token(name) {
            continue;
        }
        if token.is_some() {
            return Err(Error::AmbiguousQueryToken);
        }
        if !value.is_empty() && (!is_b64token(value) || value.contains(&b'+')) {
            return Err(Error::MalformedQueryToken);
        }
        token = Some(value);
    }
    Ok(token)
}

/// Whether a parameter name decodes to `access_token` as a web framework
/// decodes it (`application/x-www-form-urlencoded`: `%XX` escapes, `+` as
/// a space; a malformed escape stays as it is): `access%5Ftoken` is the same
/// parameter to the application, so it is to gatekey too (security-core.md
/// #2), and a second one is ambiguous.
fn names_access_token(name: &[u8]) -> bool {
    const WANTED: &[u8] = b"access_token";
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut wanted = WANTED.iter();
    let mut i = 0usize;
    while let Some(&b) = name.get(i) {
        let (byte, used) = match b {
            b'%' => match (name.get(i.saturating_add(1)), name.get(i.saturating_add(2))) {
                (Some(&h), Some(&l)) => match (hex(h), hex(l)) {
                    (Some(h), Some(l)) => (h.wrapping_shl(4) | l, 3),
                    _ => (b'%', 1),
                },
                _ => (b'%', 1),
            },
            b'+' => (b' ', 1),
            other => (other, 1),
        };
        if wanted.next() != Some(&byte) {
            return false;
        }
        i = i.saturating_add(used);
    }
    wanted.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_access_token() {
        assert_eq!(
            access_token(b"a=1&access_token=abc.def&b").unwrap(),
            Some(&b"abc.def"[..])
        );
        assert_eq!(access_token(b"access_token=").unwrap(), Some(&b""[..]));
        assert_eq!(access_token(b"x_access_token=1").unwrap(), None);
        assert_eq!(access_token(b"").unwrap(), None);
    }

    #[test]
    fn refuses_ambiguity_and_escapes() {
        assert_eq!(
            access_token(b"access_token=a&access_token=a"),
            Err(Error::AmbiguousQueryToken)
        );
        assert_eq!(
            access_token(b"access_token=a%2Eb"),
            Err(Error::MalformedQueryToken)
        );
        assert_eq!(
            access_token(b"access_token=a+b"),
            Err(Error::MalformedQueryToken)
        );
    }

    #[test]
    fn names_are_compared_decoded() {
        // security-core.md #2: Starlette reads `access%5Ftoken` as
        // `access_token`; two of them are ambiguous, one is the token.
        for query in [
            &b"access_token=A&access%5Ftoken=B"[..],
            b"access%5ftoken=B&access_token=A",
            b"%61ccess_token=A&access_token=B",
        ] {
            assert_eq!(access_token(query), Err(Error::AmbiguousQueryToken));
        }
        assert_eq!(access_token(b"access%5Ftoken=B").unwrap(), Some(&b"B"[..]));
        assert_eq!(access_token(b"access+token=B").unwrap(), None);
        assert_eq!(access_token(b"access%5token=B").unwrap(), None);
        assert_eq!(access_token(b"access_token%00=B").unwrap(), None);
        assert_eq!(access_token(b"access_toke%6E=B").unwrap(), Some(&b"B"[..]));
        assert_eq!(access_token(b"access_toke%6=B").unwrap(), None);
    }
}
