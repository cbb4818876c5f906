//! base64url without padding, canonical only (RFC 7515 §2, §C).
//!
//! Two decoders with one grammar:
//! - [`decode`], constant-time (base64ct), for key material (`k`, `n`, `e`,
//!   `x`, `y` of a JWK) and for token signatures, an HMAC tag among them;
//! - [`decode_public`], a table decoder several times faster, for the
//!   header and payload of a token. Those two segments are not secret
//!   (RFC 7519 §12: a JWS's claims are readable by anyone who holds the
//!   token), so their decoding time may depend on their bytes; they are
//!   decoded on every request, cache hits included, where the constant-time
//!   decoder was the largest cost after SHA-256.
//!
//! Both refuse padding, whitespace, characters outside the URL-safe
//! alphabet and non-zero trailing bits, and agree on every input (a
//! property test runs them side by side).

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

/// Marks a byte outside the alphabet in [`SEXTETS`]: any value above 63.
const NOT_BASE64: u8 = 0xff;

/// The 6-bit value of each base64url character (RFC 4648 §5), or
/// [`NOT_BASE64`]. Built at compile time: an index out of range here fails
/// the build, never a request.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const SEXTETS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let alphabet = *b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn sextet(c: u8) -> u32 {
    u32::from(SEXTETS.get(usize::from(c)).copied().unwrap_or(NOT_BASE64))
}

/// [`decode`] for bytes that are not secret (a token's header and payload):
/// same grammar, same errors, not constant-time.
///
/// # Errors
/// As [`decode`].
pub fn decode_public<'o>(segment: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let len = decoded_len(segment.len());
    let out = out.get_mut(..len).ok_or(Error::TokenTooLarge)?;
    // Any character outside the alphabet sets a bit above the low six.
    let mut seen = 0u32;
    // Eight characters make six bytes: one 48-bit word per step, built
    // from eight independent lookups, and one six-byte store.
    let octets = segment.chunks_exact(8);
    let rest = octets.remainder();
    let mut sixes = out.chunks_exact_mut(6);
    for (octet, six) in octets.zip(&mut sixes) {
        if let (Ok(&[a, b, c, d, e, f, g, h]), Ok(six)) =
            (<&[u8; 8]>::try_from(octet), <&mut [u8; 6]>::try_from(six))
        {
            let [a, b, c, d, e, f, g, h] = [a, b, c, d, e, f, g, h].map(sextet);
            seen |= a | b | c | d | e | f | g | h;
            let word = u64::from(a) << 42
                | u64::from(b) << 36
                | u64::from(c) << 30
                | u64::from(d) << 24
                | u64::from(e) << 18
                | u64::from(f) << 12
                | u64::from(g) << 6
                | u64::from(h);
            let [_, _, bytes @ ..] = word.to_be_bytes();
            *six = bytes;
        }
    }
    // At most seven characters are left: a group of four, then the tail.
    let quads = rest.chunks_exact(4);
    let tail = quads.remainder();
    let mut triples = sixes.into_remainder().chunks_exact_mut(3);
    for (quad, triple) in quads.zip(&mut triples) {
        if let ([a, b, c, d], [x, y, z]) = (quad, triple) {
            let (a, b, c, d) = (sextet(*a), sextet(*b), sextet(*c), sextet(*d));
            seen |= a | b | c | d;
            let [_, hi, mid, lo] = (a << 18 | b << 12 | c << 6 | d).to_be_bytes();
            (*x, *y, *z) = (hi, mid, lo);
        }
    }
    // The last two or three characters make one or two bytes; the bits
    // past the last byte must be zero (RFC 4648 §3.5: canonical encoding).
    let (n, spare_mask) = match *tail {
        [] => (0, 0),
        [a, b] => {
            seen |= sextet(a) | sextet(b);
            (sextet(a) << 18 | sextet(b) << 12, 0x00_ffff)
        }
        [a, b, c] => {
            seen |= sextet(a) | sextet(b) | sextet(c);
            (
                sextet(a) << 18 | sextet(b) << 12 | sextet(c) << 6,
                0x00_00ff,
            )
        }
        _ => return Err(Error::InvalidBase64),
    };
    if seen > 63 || n & spare_mask != 0 {
        return Err(Error::InvalidBase64);
    }
    let [_, hi, mid, _] = n.to_be_bytes();
    for (byte, value) in triples.into_remainder().iter_mut().zip([hi, mid]) {
        *byte = value;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BAD: [&[u8]; 10] = [
        b"QR", b"QUJ", b"QQ==", b"QQ=", b"Q", b"Q Q", b"QU+D", b"QU/D", b"QUJD\n", b"QU\0D",
    ];

    #[test]
    fn decodes_canonical_only() {
        for decoder in [decode, decode_public] {
            let mut out = [0u8; 16];
            assert_eq!(decoder(b"", &mut out).unwrap(), b"");
            assert_eq!(decoder(b"QQ", &mut out).unwrap(), b"A");
            assert_eq!(decoder(b"QUI", &mut out).unwrap(), b"AB");
            assert_eq!(decoder(b"QUJD", &mut out).unwrap(), b"ABC");
            assert_eq!(decoder(b"QUJDRA", &mut out).unwrap(), b"ABCD");
            assert_eq!(decoder(b"_-8", &mut out).unwrap(), [0xff, 0xef]);
            for bad in BAD {
                assert_eq!(
                    decoder(bad, &mut out).err(),
                    Some(Error::InvalidBase64),
                    "{bad:?}"
                );
            }
        }
    }

    #[test]
    fn refuses_what_does_not_fit() {
        for decoder in [decode, decode_public] {
            let mut out = [0u8; 2];
            assert_eq!(decoder(b"QUJD", &mut out).err(), Some(Error::TokenTooLarge));
            assert_eq!(decoder(b"QUI", &mut out).unwrap(), b"AB");
        }
    }

    #[test]
    fn decoded_len_matches() {
        assert_eq!(
            [0, 1, 2, 3, 4, 5, 6, 7, 8].map(decoded_len),
            [0, 0, 1, 2, 3, 3, 4, 5, 6]
        );
    }

    fn agree(input: &[u8], room: usize) {
        let (mut a, mut b) = ([0u8; 96], [0u8; 96]);
        let room = room.min(a.len());
        assert_eq!(
            decode(input, &mut a[..room]),
            decode_public(input, &mut b[..room]),
            "{input:?}"
        );
    }

    proptest! {
        /// The fast decoder and the constant-time one agree on every input:
        /// valid encodings of any bytes, and mangled ones.
        #[test]
        fn public_decoder_agrees_with_constant_time_one(
            data in proptest::collection::vec(any::<u8>(), 0..64),
            at in any::<usize>(),
            with in any::<u8>(),
            room in 0usize..96,
        ) {
            let encoded = Base64UrlUnpadded::encode_string(&data);
            agree(encoded.as_bytes(), 96);
            agree(encoded.as_bytes(), room);
            let mut mangled = encoded.into_bytes();
            if !mangled.is_empty() {
                let i = at.checked_rem(mangled.len()).unwrap();
                mangled[i] = with;
            }
            agree(&mangled, 96);
        }

        #[test]
        fn agree_on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..80)) {
            agree(&input, 96);
        }
    }
}
