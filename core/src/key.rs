//! Verification keys: P-256, Ed25519 and RSA public keys and HMAC secrets, from JWKs
//! (RFC 7517, RFC 7518 §6) or raw bytes, and fixed-capacity key sets.
//!
//! # Size
//!
//! A [`Key`] is stored inline (the core has no heap), so every key is as
//! large as the largest kind: an RSA key keeps its modulus with the
//! Montgomery parameters that make verification fast (four integers of the
//! modulus's size class, computed when the key is made): 2,056 bytes for
//! 4096 bits. Measured on x86_64: `size_of::<Key>()` is 2,232 bytes (336
//! before RSA) and `size_of::<KeySet>()` (8 keys) 17,880 bytes (2.7 KiB
//! before); on thumbv7em 2,216 and 17,744 bytes. Size a
//! `KeySet<N>` to what the identity provider publishes (usually two or
//! three keys): a `KeySet<2>` is 4,488 bytes. With the `ring` and `std`
//! features (hosted builds), an RSA key keeps its 512 modulus bytes for ring
//! instead of the Montgomery parameters: on x86_64 `size_of::<Key>()` is 680
//! bytes and `size_of::<KeySet>()` 5,464.

mod jwk;
mod set;

pub(crate) use set::select;
pub use set::{KeySet, DEFAULT_KEYS};

#[cfg(feature = "rsa")]
pub use crate::alg::{MAX_RSA_BITS, MAX_RSA_EXPONENT, MIN_RSA_BITS};

use heapless::Vec;

#[cfg(feature = "eddsa")]
use crate::alg::Ed25519Key;
use crate::alg::{Algorithm, Es256Key, HmacKey};
#[cfg(feature = "rsa")]
use crate::alg::{RsaKey, Scheme};
use crate::json::JsonStr;
use crate::Error;

/// The longest `kid` a key may have, in bytes.
pub const MAX_KID_LEN: usize = 128;

// Keys live in caller memory through the C ABI, which promises 8-byte
// alignment (`GK_ALIGN`) on every target.
const _: () = assert!(core::mem::align_of::<Key>() <= 8, "Key alignment above 8");

/// One verification key. Its algorithm is fixed when it is made (RFC 8725
/// §3.1): a P-256 key verifies ES256 only, an Ed25519 key EdDSA only, an
/// HMAC secret one of HS256, HS384 or HS512 (a JWK's `alg` says which;
/// HS256 when it says nothing), an RSA key either RS256 or PS256 (the JWK's
/// `alg` says which; RS256 when it says nothing).
#[derive(Clone, Debug)]
pub struct Key {
    kid: Vec<u8, MAX_KID_LEN>,
    material: Material,
}

// Inline, not boxed: the core has no heap (sizes in the module docs).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Material {
    Es256(Es256Key),
    Hmac(HmacKey),
    #[cfg(feature = "eddsa")]
    Ed25519(Ed25519Key),
    #[cfg(feature = "rsa")]
    Rs256(RsaKey),
    #[cfg(feature = "rsa")]
    Ps256(RsaKey),
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
        Key::hmac(Algorithm::Hs256, secret, kid)
    }

    /// An HMAC secret for `alg`, HS256, HS384 or HS512 (the last two with
    /// the `hs512` feature), of at least the hash's output size: 32, 48 or
    /// 64 bytes (RFC 7518 §3.2).
    ///
    /// # Errors
    /// [`Error::WeakKey`] for a shorter secret; [`Error::PublicKeyAsSecret`]
    /// for the text of a public key; [`Error::UnsupportedKey`] for another
    /// algorithm; [`Error::ConfigTooLong`] when `kid` exceeds [`MAX_KID_LEN`].
    pub fn hmac(alg: Algorithm, secret: &[u8], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Hmac(HmacKey::new(alg, secret)?), kid)
    }

    /// An Ed25519 public key (EdDSA, RFC 8037) from its 32-byte encoding
    /// (a JWK's `x` decoded). The `eddsa` feature.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point, or are one of
    /// small order; [`Error::ConfigTooLong`] when `kid` exceeds
    /// [`MAX_KID_LEN`].
    #[cfg(feature = "eddsa")]
    pub fn ed25519(x: &[u8; 32], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Ed25519(Ed25519Key::from_bytes(x)?), kid)
    }

    /// An RS256 (RSASSA-PKCS1-v1_5, SHA-256) public key from its big-endian
    /// modulus `n` and exponent `e` (a JWK's `n` and `e` decoded), 2048 to
    /// 4096 bits. Making the key precomputes its Montgomery parameters
    /// (about a millisecond for 2048 bits), so that verifying does not.
    ///
    /// # Errors
    /// [`Error::WeakRsaKey`] below 2048 bits; [`Error::UnsupportedKey`]
    /// above 4096; [`Error::InvalidKey`] for an even modulus;
    /// [`Error::UnsupportedRsaExponent`] unless `e` is odd and in 3..=2^32;
    /// [`Error::ConfigTooLong`] when `kid` exceeds [`MAX_KID_LEN`].
    #[cfg(feature = "rsa")]
    pub fn rs256(n: &[u8], e: &[u8], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Rs256(RsaKey::new(n, e)?), kid)
    }

    /// A PS256 (RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt) public key.
    ///
    /// # Errors
    /// As [`Key::rs256`].
    #[cfg(feature = "rsa")]
    pub fn ps256(n: &[u8], e: &[u8], kid: Option<&[u8]>) -> Result<Key, Error> {
        Key::new(Material::Ps256(RsaKey::new(n, e)?), kid)
    }

    /// A key from one JWK (RFC 7517 §4): `kty` `EC` with `crv` `P-256`,
    /// `kty` `OKP` with `crv` `Ed25519` (RFC 8037 §2), `kty` `RSA` (`n`,
    /// `e`; `alg` `RS256`, `PS256` or absent), or `kty` `oct` (`alg`
    /// `HS256`, `HS384`, `HS512` or absent: HS256). `alg`, if present, must be an algorithm of the key type that
    /// gatekey verifies; `use`, if present, must be `sig`.
    ///
    /// # Errors
    /// [`Error::InvalidJwk`], [`Error::InvalidJson`] and friends,
    /// [`Error::InvalidKey`], [`Error::WeakKey`], the RSA errors of
    /// [`Key::rs256`], or [`Error::UnsupportedKey`] for other key types,
    /// curves and algorithms.
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
        match &self.material {
            Material::Es256(_) => Algorithm::Es256,
            Material::Hmac(k) => k.algorithm(),
            #[cfg(feature = "eddsa")]
            Material::Ed25519(_) => Algorithm::EdDsa,
            #[cfg(feature = "rsa")]
            Material::Rs256(_) => Algorithm::Rs256,
            #[cfg(feature = "rsa")]
            Material::Ps256(_) => Algorithm::Ps256,
        }
    }

    /// The length of this key's signatures in bytes: 64 for ES256 and
    /// EdDSA, 32, 48 or 64 for HS256, HS384 or HS512, the modulus length for
    /// RSA.
    #[must_use]
    pub fn signature_len(&self) -> usize {
        match &self.material {
            Material::Es256(_) => 64,
            Material::Hmac(k) => k.signature_len(),
            #[cfg(feature = "eddsa")]
            Material::Ed25519(_) => 64,
            #[cfg(feature = "rsa")]
            Material::Rs256(k) | Material::Ps256(k) => k.signature_len(),
        }
    }

    /// The modulus length in bits of an RSA key.
    #[must_use]
    pub fn rsa_bits(&self) -> Option<usize> {
        #[cfg(feature = "rsa")]
        if let Material::Rs256(k) | Material::Ps256(k) = &self.material {
            return Some(k.bits());
        }
        None
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
            _ => None,
        }
    }

    /// The 32-byte encoding of an Ed25519 key (a JWK's `x`).
    #[cfg(feature = "eddsa")]
    #[must_use]
    pub fn ed25519_bytes(&self) -> Option<[u8; 32]> {
        match &self.material {
            Material::Ed25519(k) => Some(k.to_bytes()),
            _ => None,
        }
    }

    pub(crate) fn matches_kid(&self, kid: &JsonStr<'_>) -> bool {
        !self.kid.is_empty() && kid.eq_bytes(&self.kid)
    }

    /// Verifies a raw `signature` over `message` with this key's algorithm
    /// (the JWS encoding of RFC 7518 §3: 64-byte `r || s` for ES256, the
    /// MAC for HMAC, a modulus-length integer for RS256/PS256, RFC 8032's
    /// 64-byte `R || S` for EdDSA). [`verify`](crate::verify) calls this on the
    /// JWS Signing Input; it is public for other JOSE uses and test vectors.
    ///
    /// # Errors
    /// [`Error::InvalidSignatureLength`] or [`Error::BadSignature`].
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let (input, signature) = (message, signature);
        match &self.material {
            Material::Es256(k) => k.verify(input, signature),
            Material::Hmac(k) => k.verify(input, signature),
            #[cfg(feature = "eddsa")]
            Material::Ed25519(k) => k.verify(input, signature),
            #[cfg(feature = "rsa")]
            Material::Rs256(k) => k.verify(Scheme::Pkcs1v15, input, signature),
            #[cfg(feature = "rsa")]
            Material::Ps256(k) => k.verify(Scheme::Pss, input, signature),
        }
    }
}
