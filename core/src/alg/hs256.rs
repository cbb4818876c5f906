//! HS256: HMAC with SHA-256 (RFC 7518 §3.2), compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Error;

/// The shortest HMAC secret accepted: RFC 7518 §3.2 requires a key of at
/// least the hash output size.
pub const MIN_SECRET_LEN: usize = 32;

/// An HMAC key, kept as the keyed state so that each verification skips
/// hashing the key again.
#[derive(Clone)]
pub(crate) struct Hs256Key {
    mac: Hmac<Sha256>,
}

impl core::fmt::Debug for Hs256Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Hs256Key(..)")
    }
}

impl Hs256Key {
    pub(crate) fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(Error::WeakKey);
        }
        Hmac::<Sha256>::new_from_slice(secret)
            .map(|mac| Hs256Key { mac })
            .map_err(|_| Error::WeakKey)
    }

    /// Verifies the 32-byte MAC of `input`; the comparison is constant-time
    /// (`hmac`'s `verify_slice` uses `subtle`).
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != 32 {
            return Err(Error::InvalidSignatureLength);
        }
        let mut mac = self.mac.clone();
        mac.update(input);
        mac.verify_slice(signature).map_err(|_| Error::BadSignature)
    }
}
