//! Verifying one compact JWS/JWT: split, decode, header, key, signature,
//! then claims, in that order, into a caller buffer.

use crate::claims::{Claims, Validation};
use crate::jose::Header;
use crate::json::Object;
use crate::key::{select, Key};
use crate::{b64, jws, Error};

/// The buffer size that holds any token up to `token_len` bytes once
/// decoded (3/4 of it): `[0u8; buffer_len(8192)]` takes 8 KiB tokens.
#[must_use]
pub const fn buffer_len(token_len: usize) -> usize {
    b64::decoded_len(token_len)
}

/// A buffer for tokens up to 8 KiB, the size of a large identity-provider
/// access token with roles.
pub const DEFAULT_BUFFER: usize = buffer_len(8 * 1024);

/// A token whose signature and claims were verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Verified<'b> {
    /// The JOSE header.
    pub header: Header<'b>,
    /// The claims.
    pub claims: Claims<'b>,
}

/// Verifies `token` with one of `keys` and checks its claims at `now`
/// (seconds since the Unix epoch; the caller owns the clock).
///
/// The header and payload are decoded into `buf`, which the result borrows;
/// it needs [`buffer_len`]`(token.len())` bytes. Nothing else is written.
///
/// The order matters for safety: the header is read first and decides only
/// which key; the key's own algorithm must equal the header's `alg`
/// (RFC 8725 §3.1); the signature is checked before the payload is parsed,
/// so unauthenticated bytes never reach the claims logic.
///
/// # Errors
/// One [`Error`] per failure: form (2xx), key and signature (3xx), claims (4xx).
pub fn verify<'b>(
    token: &[u8],
    keys: &[Key],
    validation: &Validation,
    now: i64,
    buf: &'b mut [u8],
) -> Result<Verified<'b>, Error> {
    if buffer_len(token.len()) > buf.len() {
        return Err(Error::TokenTooLarge);
    }
    let parts = jws::split(token)?;

    let (header_buf, rest) = buf.split_at_mut(b64::decoded_len(parts.header.len()));
    let header_json = b64::decode(parts.header, header_buf)?;
    let header_obj = Object::parse(header_json)?;
    let header = Header::from_object(&header_obj)?;
    validation.check_header(&header)?;

    let key = select(keys, header.kid.as_ref())?;
    if !header.alg.eq_bytes(key.algorithm().name().as_bytes()) {
        return Err(Error::AlgorithmMismatch);
    }

    let (signature_buf, payload_buf) = rest.split_at_mut(b64::decoded_len(parts.signature.len()));
    let signature = b64::decode(parts.signature, signature_buf)?;
    if signature.len() != key.signature_len() {
        return Err(Error::InvalidSignatureLength);
    }
    key.verify_signature(parts.signing_input, signature)?;

    let payload = b64::decode(parts.payload, payload_buf)?;
    let claims = Claims::new(Object::parse(payload)?);
    validation.check(&claims, now)?;
    Ok(Verified { header, claims })
}
