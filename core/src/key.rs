//! Verification keys: P-256 public keys and HMAC secrets, from JWKs
//! (RFC 7517, RFC 7518 §6) or raw bytes, and fixed-capacity key sets.

mod jwk;
mod set;

pub(crate) use set::select;
pub use set::{KeySet, DEFAULT_KEYS};

use heapless::Vec;

use crate::alg::{Algorithm, Es256Key, Hs256Key};
use crate::json::JsonStr;
use crate::Error;

/// The longest `kid` a key may have, in bytes.
pub const MAX_KID_LEN: usize = 128;

/// One verification key. Its algorithm is fixed by its type: a P-256 key
/// verifies ES256 only, an HMAC secret HS256 only.
#[derive(Clone, Debug)]
pub struct Key {
    kid: Vec<u8, MAX_KID_LEN>,
    material: Material,
}

#[derive(Clone, Debug)]
enum Material {
    Es256(Es256Key),
    Hs256(Hs256Key),
}

impl Key {
    /// A P-256 public key from its affine coordinates.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the point is not on the curve;
    /// [`Error::ConfigTooLong`] when `kid` exceeds [`MAX_KID_LEN`].
    pub fn es256(x: &[u8; 32], y: &[u8; 32], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Es256(Es256Key::from_coordinates(x, y)?), kid)
    }

    /// A P-256 public key from a SEC1 point (`04 || x || y` or compressed),
    /// as found inside a PEM `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    /// As [`Key::es256`].
    pub fn es256_sec1(point: &[u8], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Es256(Es256Key::from_sec1(point)?), kid)
    }

    /// An HS256 secret of at least 32 bytes (RFC 7518 §3.2).
    ///
    /// # Errors
    /// [`Error::WeakKey`] for a shorter secret; [`Error::ConfigTooLong`]
    /// when `kid` exceeds [`MAX_KID_LEN`].
    pub fn hs256(secret: &[u8], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Hs256(Hs256Key::new(secret)?), kid)
    }

    /// A key from one JWK (RFC 7517 §4): `kty` `EC` with `crv` `P-256`, or
    /// `kty` `oct`. `alg`, if present, must be the key type's algorithm;
    /// `use`, if present, must be `sig`.
    ///
    /// # Errors
    /// [`Error::InvalidJwk`], [`Error::InvalidJson`] and friends,
    /// [`Error::InvalidKey`], [`Error::WeakKey`], or [`Error::UnsupportedKey`]
    /// for other key types, curves and algorithms.
    pub fn from_jwk(json: &[u8]) -> Result<Key, Error> {
        let obj = crate::json::Object::parse(json)?;
        jwk::key_from_object(&obj)
    }

    fn new(material: Material, kid: Option<&[u8]>) -> Result<Key, Error> {
        let kid = Vec::from_slice(kid.unwrap_or_default()).map_err(|()| Error::ConfigTooLong)?;
        Ok(Key { kid, material })
    }

    /// The algorithm this key verifies.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self.material {
            Material::Es256(_) => Algorithm::Es256,
            Material::Hs256(_) => Algorithm::Hs256,
        }
    }

    /// The key id, if it has one.
    #[must_use]
    pub fn kid(&self) -> Option<&[u8]> {
        (!self.kid.is_empty()).then_some(&self.kid[..])
    }

    /// The affine coordinates of a P-256 key (for exporting it as a JWK).
    #[must_use]
    pub fn es256_coordinates(&self) -> Option<([u8; 32], [u8; 32])> {
        match &self.material {
            Material::Es256(k) => Some(k.coordinates()),
            Material::Hs256(_) => None,
        }
    }

    pub(crate) fn matches_kid(&self, kid: &JsonStr<'_>) -> bool {
        !self.kid.is_empty() && kid.eq_bytes(&self.kid)
    }

    /// Verifies a raw `signature` over `message` with this key's algorithm
    /// (the JWS encoding of RFC 7518 §3: 64-byte `r || s` for ES256, the
    /// 32-byte MAC for HS256). [`verify`](crate::verify) calls this on the
    /// JWS Signing Input; it is public for other JOSE uses and test vectors.
    ///
    /// # Errors
    /// [`Error::InvalidSignatureLength`] or [`Error::BadSignature`].
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let (input, signature) = (message, signature);
        match &self.material {
            Material::Es256(k) => k.verify(input, signature),
            Material::Hs256(k) => k.verify(input, signature),
        }
    }
}
