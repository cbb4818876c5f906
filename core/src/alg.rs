//! Signature algorithms. The key decides the algorithm (RFC 8725 §3.1):
//! a token's `alg` is only checked against it, never used to choose.

mod es256;
mod hs256;

pub(crate) use es256::Es256Key;
pub(crate) use hs256::Hs256Key;

/// A JWS algorithm gatekey verifies (RFC 7518 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256 (RFC 7518 §3.4).
    Es256,
    /// HMAC with SHA-256 (RFC 7518 §3.2).
    Hs256,
}

impl Algorithm {
    /// The JOSE name (`"ES256"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Hs256 => "HS256",
        }
    }

    /// The length of a signature in bytes.
    #[must_use]
    pub const fn signature_len(self) -> usize {
        match self {
            Algorithm::Es256 => 64,
            Algorithm::Hs256 => 32,
        }
    }
}
