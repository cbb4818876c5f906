//! Signature algorithms. The key decides the algorithm (RFC 8725 §3.1):
//! a token's `alg` is only checked against it, never used to choose.

#[cfg(feature = "eddsa")]
mod eddsa;
mod es256;
mod mac;
#[cfg(feature = "rsa")]
mod rs256;

#[cfg(feature = "eddsa")]
pub(crate) use eddsa::Ed25519Key;
pub(crate) use es256::Es256Key;
pub(crate) use mac::HmacKey;
#[cfg(feature = "rsa")]
pub(crate) use rs256::{RsaKey, Scheme};
#[cfg(feature = "rsa")]
pub use rs256::{MAX_RSA_BITS, MAX_RSA_EXPONENT, MIN_RSA_BITS};

/// A JWS algorithm gatekey verifies (RFC 7518 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256 (RFC 7518 §3.4).
    Es256,
    /// HMAC with SHA-256 (RFC 7518 §3.2).
    Hs256,
    /// HMAC with SHA-384 (RFC 7518 §3.2; the `hs512` feature).
    Hs384,
    /// HMAC with SHA-512 (RFC 7518 §3.2; the `hs512` feature).
    Hs512,
    /// EdDSA with Ed25519 (RFC 8037 §3.1; the `eddsa` feature). Ed448 is
    /// not verified: an `OKP` key with `crv` `Ed448` is unsupported.
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    Rs256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    Ps256,
}

impl Algorithm {
    /// The JOSE name (`"ES256"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::Hs512 => "HS512",
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Rs256 => "RS256",
            Algorithm::Ps256 => "PS256",
        }
    }

    /// The length of a signature in bytes, when the algorithm fixes it;
    /// an RSA signature is as long as the key's modulus
    /// ([`Key::signature_len`](crate::Key::signature_len)).
    #[must_use]
    pub const fn signature_len(self) -> Option<usize> {
        match self {
            Algorithm::Es256 => Some(64),
            Algorithm::Hs256 => Some(32),
            Algorithm::Hs384 => Some(48),
            Algorithm::Hs512 | Algorithm::EdDsa => Some(64),
            Algorithm::Rs256 | Algorithm::Ps256 => None,
        }
    }

    /// Whether this is an HMAC, whose key is a shared secret (verifying
    /// costs a hash, not a public-key operation).
    #[must_use]
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
    }
}
