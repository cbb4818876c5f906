//! base64url without padding, canonical only (RFC 7515 §2, §C).

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::Error;

/// How many bytes `encoded_len` characters of unpadded base64url decode to.
#[must_use]
pub const fn decoded_len(encoded_len: usize) -> usize {
    (encoded_len / 4)
        .saturating_mul(3)
        .saturating_add((encoded_len % 4).saturating_sub(1))
}

/// Decodes `segment` into the front of `out` and returns the decoded bytes.
///
/// Padding, whitespace, characters outside the URL-safe alphabet, and
/// non-zero trailing bits (non-canonical encodings, which would let two
/// strings stand for one value) are all [`Error::InvalidBase64`]; a segment
/// that does not fit is [`Error::TokenTooLarge`]. base64ct decodes in
/// constant time, so secret key material passes through it safely.
///
/// # Errors
/// As above.
pub fn decode<'o>(segment: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], Error> {
    if decoded_len(segment.len()) > out.len() {
        return Err(Error::TokenTooLarge);
    }
    Base64UrlUnpadded::decode(segment, out).map_err(|_| Error::InvalidBase64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_canonical_only() {
        let mut out = [0u8; 16];
        assert_eq!(decode(b"QQ", &mut out).unwrap(), b"A");
        assert_eq!(decode(b"QUI", &mut out).unwrap(), b"AB");
        assert_eq!(decode(b"QUJD", &mut out).unwrap(), b"ABC");
        assert_eq!(decode(b"_-8", &mut out).unwrap(), [0xff, 0xef]);
        for bad in [
            &b"QR"[..],
            b"QUJ",
            b"QQ==",
            b"QQ=",
            b"Q",
            b"Q Q",
            b"QU+D",
            b"QU/D",
            b"QUJD\n",
            b"QU\0D",
        ] {
            assert_eq!(
                decode(bad, &mut out).err(),
                Some(Error::InvalidBase64),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut out = [0u8; 2];
        assert_eq!(decode(b"QUJD", &mut out).err(), Some(Error::TokenTooLarge));
        assert_eq!(decode(b"QUI", &mut out).unwrap(), b"AB");
    }

    #[test]
    fn decoded_len_matches() {
        assert_eq!(
            [0, 1, 2, 3, 4, 5, 6, 7, 8].map(decoded_len),
            [0, 0, 1, 2, 3, 3, 4, 5, 6]
        );
    }
}
