//! The `Authorization` field: `Bearer` (RFC 6750 §2.1) and `Basic`
//! (RFC 7617), with the credentials syntax of RFC 9110 §11.4.

use base64ct::{Base64, Encoding};

use super::{is_b64token, Found};
use crate::{Error, Policy, Skip, Source};

/// Sorts one `Authorization` value into the bearer or basic slot, or
/// records why it carries neither.
pub(super) fn classify<'a>(
    value: &'a [u8],
    policy: &Policy,
    found: &mut Found<'a>,
) -> Result<(), Error> {
    // credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
    let (scheme, rest) = match value.iter().position(|&b| b == b' ') {
        Some(i) => value.split_at_checked(i).unwrap_or((value, &[])),
        None => (value, &[][..]),
    };
    let rest = trim_leading_spaces(rest);
    // RFC 9110 §11.1: the scheme is case-insensitive.
    if scheme.eq_ignore_ascii_case(b"bearer") {
        if !policy.read().contains(Source::Bearer) {
            return Ok(());
        }
        if rest.is_empty() {
            found.skip(Source::Bearer, Skip::EmptyBearer);
        } else if is_b64token(rest) {
            found.set(Source::Bearer, rest);
        } else {
            return Err(Error::MalformedBearer);
        }
    } else if scheme.eq_ignore_ascii_case(b"basic") {
        if !policy.accepts(Source::Basic) {
            found.skip(Source::Basic, Skip::BasicDisabled);
        } else if rest.is_empty() || !is_b64token(rest) {
            return Err(Error::MalformedBasic);
        } else {
            found.set(Source::Basic, rest);
        }
    } else {
        found.skip(Source::Bearer, Skip::OtherScheme);
    }
    Ok(())
}

fn trim_leading_spaces(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Decodes a Basic credential (the base64 after `Basic `) into `buf` and
/// splits it into user name and password at the first `:` (RFC 7617 §2).
///
/// # Errors
/// [`Error::MalformedBasic`] for bad base64 or no `:`;
/// [`Error::BufferTooSmall`] when `buf` cannot hold the decoded bytes.
pub fn decode_basic<'b>(
    credential: &[u8],
    buf: &'b mut [u8],
) -> Result<(&'b [u8], &'b [u8]), Error> {
    let padding = credential.iter().rev().take_while(|&&b| b == b'=').count();
    if (credential.len() / 4)
        .saturating_mul(3)
        .saturating_sub(padding)
        > buf.len()
    {
        return Err(Error::BufferTooSmall);
    }
    let decoded = Base64::decode(credential, buf).map_err(|_| Error::MalformedBasic)?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or(Error::MalformedBasic)?;
    let (user, password) = decoded
        .split_at_checked(colon)
        .ok_or(Error::MalformedBasic)?;
    Ok((user, password.get(1..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_decodes_rfc7617_example() {
        // RFC 7617 §2: "Aladdin" / "open sesame".
        let mut buf = [0u8; 64];
        let (u, p) = decode_basic(b"QWxhZGRpbjpvcGVuIHNlc2FtZQ==", &mut buf).unwrap();
        assert_eq!((u, p), (&b"Aladdin"[..], &b"open sesame"[..]));
    }

    #[test]
    fn basic_errors() {
        let mut buf = [0u8; 64];
        assert_eq!(
            decode_basic(b"QWxhZGRpbg==", &mut buf).err(),
            Some(Error::MalformedBasic)
        ); // no colon
        assert_eq!(
            decode_basic(b"!!!!", &mut buf).err(),
            Some(Error::MalformedBasic)
        );
        assert_eq!(
            decode_basic(b"QWxhZGRpbjpvcGVuIHNlc2FtZQ==", &mut buf[..4]).err(),
            Some(Error::BufferTooSmall)
        );
        let (u, p) = decode_basic(b"dTo=", &mut buf).unwrap(); // "u:"
        assert_eq!((u, p), (&b"u"[..], &b""[..]));
    }
}
