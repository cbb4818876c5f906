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
        if name != b"access_token" {
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
}
