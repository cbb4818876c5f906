//! ES256: ECDSA over P-256 with SHA-256 (RFC 7518 §3.4), via `p256`.
//!
//! With the `es256-table` feature each key carries a precomputed table of
//! its multiples ([`table`]). Without `std` (small targets) the tables are
//! 12 KiB per key plus an 18 KiB table of the generator carried by each
//! key, and verification is about 4x faster than `p256`'s own
//! `verify_prehash`. With `std` (hosted: the C library, the wheel) they are
//! 78 KiB per key on the heap plus a 167 KiB generator table shared by the
//! process, and verification is faster than ring's assembly P-256 on the
//! machines measured (BENCHMARKS.md), so the table takes precedence over
//! the `ring` feature for ES256; ring still serves RS256/PS256.
//!
//! With `ring` alone, ES256 goes through ring. The same vectors (RFC,
//! Wycheproof, attack corpus) run on every path (`make test-core`).

#[cfg(feature = "es256-table")]
mod table;

use p256::ecdsa::VerifyingKey;
#[cfg(any(not(feature = "ring"), feature = "es256-table"))]
use sha2::{Digest, Sha256};

use crate::Error;

/// A P-256 public key, validated when it was made.
#[derive(Clone, Debug)]
pub(crate) struct Es256Key {
    key: VerifyingKey,
    #[cfg(all(feature = "ring", not(feature = "es256-table")))]
    point: [u8; 65],
    #[cfg(all(feature = "es256-table", not(feature = "std")))]
    table: table::PublicKeyTable,
    /// Hosted: the larger table lives on the heap, so a key stays small.
    #[cfg(all(feature = "es256-table", feature = "std"))]
    table: std::boxed::Box<table::PublicKeyTable>,
    #[cfg(all(feature = "es256-table", not(feature = "std")))]
    base: table::BaseTable,
}

impl PartialEq for Es256Key {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Es256Key {}

/// The generator's table, built once per process on first use.
#[cfg(all(feature = "es256-table", feature = "std"))]
fn base_table() -> &'static table::BaseTable {
    static BASE: std::sync::OnceLock<table::BaseTable> = std::sync::OnceLock::new();
    BASE.get_or_init(table::BaseTable::new)
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
        let key = VerifyingKey::from_sec1_bytes(bytes).map_err(|_| Error::InvalidKey)?;
        #[cfg(all(feature = "ring", not(feature = "es256-table")))]
        let point = {
            let mut point = [0u8; 65];
            let encoded = key.to_encoded_point(false);
            if let Some(out) = point.get_mut(..encoded.len()) {
                out.copy_from_slice(encoded.as_bytes());
            }
            point
        };
        Ok(Es256Key {
            #[cfg(all(feature = "ring", not(feature = "es256-table")))]
            point,
            #[cfg(all(feature = "es256-table", not(feature = "std")))]
            table: table::PublicKeyTable::from_verifying_key(&key),
            #[cfg(all(feature = "es256-table", feature = "std"))]
            table: std::boxed::Box::new(table::PublicKeyTable::from_verifying_key(&key)),
            #[cfg(all(feature = "es256-table", not(feature = "std")))]
            base: table::BaseTable::new(),
            key,
        })
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
        let signature: &[u8; 64] = signature
            .try_into()
            .map_err(|_| Error::InvalidSignatureLength)?;
        if self.verify_fixed(input, signature) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }

    #[cfg(all(feature = "ring", not(feature = "es256-table")))]
    fn verify_fixed(&self, input: &[u8], signature: &[u8; 64]) -> bool {
        use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.point[..])
            .verify(input, signature)
            .is_ok()
    }

    #[cfg(any(not(feature = "ring"), feature = "es256-table"))]
    fn verify_fixed(&self, input: &[u8], signature: &[u8; 64]) -> bool {
        let digest: [u8; 32] = Sha256::digest(input).into();
        self.verify_prehash(&digest, signature)
    }

    #[cfg(all(feature = "es256-table", feature = "std"))]
    fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
        self.table.verify_prehash(base_table(), digest, signature)
    }

    #[cfg(all(feature = "es256-table", not(feature = "std")))]
    fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
        self.table.verify_prehash(&self.base, digest, signature)
    }

    #[cfg(not(any(feature = "es256-table", feature = "ring")))]
    fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        p256::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|s| self.key.verify_prehash(digest, &s).is_ok())
    }
}
