//! The compact JWS serialization (RFC 7515 §7.1): three base64url segments.

use crate::{bytes, Error};

/// The segments of a compact JWS, borrowed from the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parts<'t> {
    pub header: &'t [u8],
    pub payload: &'t [u8],
    pub signature: &'t [u8],
    /// `header '.' payload`, the JWS Signing Input (RFC 7515 §5.1).
    pub signing_input: &'t [u8],
}

/// Splits a compact JWS into its three segments. The signature may be
/// empty here, so that an unsecured JWS (RFC 7515 Appendix A.5,
/// `header.payload.`) can be reported as such once its header is read; the
/// caller refuses an empty signature with [`Error::MalformedToken`].
///
/// A JSON serialization (RFC 7515 §7.2) and a five-segment JWE (RFC 7516
/// §7.1) get their own errors so that a caller sees what it was sent.
pub(crate) fn split(token: &[u8]) -> Result<Parts<'_>, Error> {
    if token.first() == Some(&b'{') {
        return Err(Error::JsonSerialization);
    }
    let dot = |s: &[u8]| bytes::find(s, b'.');
    let first = dot(token).ok_or(Error::MalformedToken)?;
    let (header, dot_payload) = token.split_at_checked(first).ok_or(Error::MalformedToken)?;
    let after_header = dot_payload.get(1..).unwrap_or_default();
    let second = dot(after_header).ok_or(Error::MalformedToken)?;
    let (payload, dot_signature) = after_header
        .split_at_checked(second)
        .ok_or(Error::MalformedToken)?;
    let signature = dot_signature.get(1..).unwrap_or_default();
    match bytes::count(signature, b'.') {
        0 => {}
        2 => return Err(Error::EncryptedToken),
        _ => return Err(Error::MalformedToken),
    }
    let signing_input = token
        .get(..first.saturating_add(1).saturating_add(second))
        .ok_or(Error::MalformedToken)?;
    if header.is_empty() || payload.is_empty() {
        return Err(Error::MalformedToken);
    }
    Ok(Parts {
        header,
        payload,
        signature,
        signing_input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_three_segments() {
        let p = split(b"aa.bb.cc").unwrap();
        assert_eq!(
            (p.header, p.payload, p.signature, p.signing_input),
            (&b"aa"[..], &b"bb"[..], &b"cc"[..], &b"aa.bb"[..])
        );
    }

    #[test]
    fn refuses_other_shapes() {
        assert_eq!(
            split(b"{\"payload\":1}").err(),
            Some(Error::JsonSerialization)
        );
        assert_eq!(split(b"a.b.c.d.e").err(), Some(Error::EncryptedToken));
        for bad in [
            &b""[..],
            b"a",
            b"a.b",
            b"a.b.c.d",
            b".b.c",
            b"a..c",
            b"..",
            b"a.b.c.d.e.f",
        ] {
            assert_eq!(split(bad).err(), Some(Error::MalformedToken), "{bad:?}");
        }
    }
}
