//! ES256: ECDSA over P-256 with SHA-256 (RFC 7518 §3.4), via `p256`.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::Error;

/// A P-256 public key, validated when it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Es256Key {
    key: VerifyingKey,
}

impl Es256Key {
    /// From the affine coordinates (a JWK's `x` and `y`).
    ///
    /// The point is checked to lie on the curve and not be the identity
    /// (invalid-curve attacks); failures are [`Error::InvalidKey`].
    pub(crate) fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Result<Self, Error> {
        let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
        Self::from_sec1(point.as_bytes())
    }

    /// From a SEC1-encoded point (compressed or not).
    pub(crate) fn from_sec1(bytes: &[u8]) -> Result<Self, Error> {
        VerifyingKey::from_sec1_bytes(bytes)
            .map(|key| Es256Key { key })
            .map_err(|_| Error::InvalidKey)
    }

    /// The uncompressed coordinates, for export.
    pub(crate) fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.key.to_encoded_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        (x, y)
    }

    /// Verifies the 64-byte `r || s` signature (RFC 7518 §3.4) of `input`.
    ///
    /// A DER signature or any other length is [`Error::InvalidSignatureLength`];
    /// r or s equal to zero or not below the group order n is
    /// [`Error::BadSignature`] (the "psychic signature" of all zeros among them).
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != 64 {
            return Err(Error::InvalidSignatureLength);
        }
        let signature = Signature::from_slice(signature).map_err(|_| Error::BadSignature)?;
        let digest = Sha256::digest(input);
        self.key
            .verify_prehash(&digest, &signature)
            .map_err(|_| Error::BadSignature)
    }
}
