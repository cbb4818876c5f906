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
    let bearer = scheme.eq_ignore_ascii_case(b"bearer");
    let basic = !bearer && scheme.eq_ignore_ascii_case(b"basic");
    // Neither those schemes nor the b64token grammar have a comma, so a
    // well-formed value (nearly every one) needs no search for a second
    // credential: that search was as long as the b64token check.
    let well_formed = (bearer || basic) && !rest.is_empty() && is_b64token(rest);
    if !well_formed && joins_two_credentials(value) {
        return Err(Error::AmbiguousAuthorization);
    }
    if bearer {
        if !policy.read().contains(Source::Bearer) {
            return Ok(());
        }
        if rest.is_empty() {
            found.skip(Source::Bearer, Skip::EmptyBearer);
        } else if well_formed {
            found.set(Source::Bearer, rest);
        } else {
            return Err(Error::MalformedBearer);
        }
    } else if basic {
        if !policy.accepts(Source::Basic) {
            found.skip(Source::Basic, Skip::BasicDisabled);
        } else if !well_formed {
            return Err(Error::MalformedBasic);
        } else {
            found.set(Source::Basic, rest);
        }
    } else {
        found.skip(Source::Bearer, Skip::OtherScheme);
    }
    Ok(())
}

/// Whether `value` is two `Authorization` fields joined with a comma, as
/// WHATWG `Headers` and proxies join repeated fields (`Bearer A, Bearer B`;
/// RFC 9110 §5.3 allows that only for list-based fields, which this is
/// not): two credentials, ambiguous like two fields. A comma followed by
/// an `auth-param` (`realm="x"`, as in Digest) is no second credential:
/// only a part that starts with a scheme and a space is.
fn joins_two_credentials(value: &[u8]) -> bool {
    // Look for a comma a word at a time before splitting a byte at a time.
    let Some(comma) = crate::bytes::find(value, b',') else {
        return false;
    };
    let after = value.get(comma..).unwrap_or_default();
    let mut parts = after.split(|&b| b == b',');
    let _empty = parts.next();
    parts.any(|part| {
        let part = super::trim_leading_ows(part);
        let scheme = part.iter().take_while(|&&b| is_tchar(b)).count();
        scheme > 0 && part.get(scheme) == Some(&b' ')
    })
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
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
    fn joined_authorization_fields_are_ambiguous() {
        // security-bindings.md #15 and envoy-notes.md: `Headers` and Envoy
        // join two fields into one with a comma.
        for joined in [
            &b"Bearer aaa.bbb.ccc, Bearer ddd.eee.fff"[..],
            b"Bearer aaa.bbb.ccc,Bearer ddd.eee.fff",
            b"Basic dXNlcjpwdw==, Bearer aaa.bbb.ccc",
            b"Bearer a,  Token x",
        ] {
            assert!(joins_two_credentials(joined), "{joined:?}");
        }
        for single in [
            &b"Bearer aaa.bbb.ccc"[..],
            b"Digest username=\"u\", realm=\"r\", nonce=\"n\"",
            b"Bearer a,b",
            b"Bearer a,",
        ] {
            assert!(!joins_two_credentials(single), "{single:?}");
        }
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
