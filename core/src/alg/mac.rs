//! HS256, HS384 and HS512: HMAC with SHA-2 (RFC 7518 §3.2), compared in
//! constant time. HS384 and HS512 are the `hs512` feature (SHA-512's code).

use hmac::{Hmac, Mac};
use sha2::Sha256;
#[cfg(feature = "hs512")]
use sha2::{Sha384, Sha512};

use super::Algorithm;
use crate::Error;

/// Whether `secret` is the text of a public key (PEM, OpenSSH, a JWK): as
/// PyJWT refuses it, a key published for signatures never becomes a shared
/// secret (the classic confusion of RFC 8725 §2.1, here at configuration).
fn is_public_key_text(secret: &[u8]) -> bool {
    let start = secret
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(secret.len());
    let text = secret.get(start..).unwrap_or_default();
    const PREFIXES: &[&[u8]] = &[
        b"-----BEGIN",
        b"ssh-rsa ",
        b"ssh-ed25519 ",
        b"ssh-dss ",
        b"ecdsa-sha2-",
        b"sk-ssh-",
        b"sk-ecdsa-",
    ];
    if PREFIXES.iter().any(|p| text.starts_with(p)) {
        return true;
    }
    // JWK text: a JSON object with a `kty` member.
    text.first() == Some(&b'{') && text.windows(5).any(|w| w == b"\"kty\"")
}

/// An HMAC key; its hash is fixed when it is made.
///
/// HS256 keeps the keyed state, so that each verification skips hashing
/// the key again. HS384 and HS512 keep the key block instead: SHA-512's
/// state holds a `u128` counter, whose 16-byte alignment would raise every
/// [`crate::Key`]'s above the C ABI's `GK_ALIGN` (8). Rekeying costs two
/// compressions per verification.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha256(Hmac<Sha256>),
    #[cfg(feature = "hs512")]
    Sha384(KeyBlock),
    #[cfg(feature = "hs512")]
    Sha512(KeyBlock),
}

/// An HMAC key of at most one SHA-512 block (128 bytes): the secret, or
/// its hash when it is longer (RFC 2104 §2, which `Hmac` would do anyway).
#[cfg(feature = "hs512")]
#[derive(Clone)]
pub(crate) struct KeyBlock {
    bytes: [u8; 128],
    len: usize,
}

#[cfg(feature = "hs512")]
impl KeyBlock {
    /// The block for `secret` under the hash `D`.
    fn new<D: sha2::Digest>(secret: &[u8]) -> Self {
        let mut bytes = [0u8; 128];
        let hashed;
        let key = if secret.len() > bytes.len() {
            hashed = D::digest(secret);
            &hashed[..]
        } else {
            secret
        };
        let len = key.len();
        if let Some(dst) = bytes.get_mut(..len) {
            dst.copy_from_slice(key);
        }
        KeyBlock { bytes, len }
    }

    /// The keyed MAC state.
    fn mac<M: Mac + hmac::digest::KeyInit>(&self) -> Result<M, Error> {
        let key = self.bytes.get(..self.len).ok_or(Error::WeakKey)?;
        <M as Mac>::new_from_slice(key).map_err(|_| Error::WeakKey)
    }
}

impl core::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HmacKey({}, ..)", self.algorithm().name())
    }
}

/// Verifies `signature`, the MAC of `input` under the keyed state `mac`
/// (consumed), in constant time (`hmac`'s `verify_slice` uses `subtle`).
fn check<M: Mac>(mut mac: M, len: usize, input: &[u8], signature: &[u8]) -> Result<(), Error> {
    if signature.len() != len {
        return Err(Error::InvalidSignatureLength);
    }
    mac.update(input);
    mac.verify_slice(signature).map_err(|_| Error::BadSignature)
}

impl HmacKey {
    /// A key for `alg` (HS256, HS384 or HS512). The secret must be at
    /// least as long as the hash's output, 32, 48 or 64 bytes (RFC 7518
    /// §3.2: "a key of the same size as the hash output ... or larger
    /// MUST be used"), and not the text
    /// of a public key (RFC 8725 §2.1).
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        if !alg.is_symmetric() || (!cfg!(feature = "hs512") && alg != Algorithm::Hs256) {
            return Err(Error::UnsupportedKey);
        }
        if secret.len() < alg.signature_len().unwrap_or(usize::MAX) {
            return Err(Error::WeakKey);
        }
        if is_public_key_text(secret) {
            return Err(Error::PublicKeyAsSecret);
        }
        let weak = |_| Error::WeakKey;
        match alg {
            Algorithm::Hs256 => Hmac::new_from_slice(secret)
                .map(HmacKey::Sha256)
                .map_err(weak),
            #[cfg(feature = "hs512")]
            Algorithm::Hs384 => Ok(HmacKey::Sha384(KeyBlock::new::<Sha384>(secret))),
            #[cfg(feature = "hs512")]
            Algorithm::Hs512 => Ok(HmacKey::Sha512(KeyBlock::new::<Sha512>(secret))),
            _ => Err(Error::UnsupportedKey),
        }
    }

    /// The algorithm this key verifies.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            HmacKey::Sha256(_) => Algorithm::Hs256,
            #[cfg(feature = "hs512")]
            HmacKey::Sha384(_) => Algorithm::Hs384,
            #[cfg(feature = "hs512")]
            HmacKey::Sha512(_) => Algorithm::Hs512,
        }
    }

    /// The MAC's length in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        self.algorithm().signature_len().unwrap_or(0)
    }

    /// Verifies the MAC of `input`; the comparison is constant-time.
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> Result<(), Error> {
        let len = self.signature_len();
        match self {
            HmacKey::Sha256(mac) => check(mac.clone(), len, input, signature),
            #[cfg(feature = "hs512")]
            HmacKey::Sha384(key) => check(key.mac::<Hmac<Sha384>>()?, len, input, signature),
            #[cfg(feature = "hs512")]
            HmacKey::Sha512(key) => check(key.mac::<Hmac<Sha512>>()?, len, input, signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_text_is_no_secret() {
        // security-core.md #9: PyJWT's InvalidKeyError.
        for text in [
            &b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"[..],
            b"\n  -----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n",
            b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG user@host",
            b"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= user",
            br#"{"kty":"EC","crv":"P-256","x":"abc","y":"def"}"#,
            br#" { "crv":"P-256", "kty":"EC", "x":"abcdefgh" }"#,
        ] {
            assert_eq!(
                HmacKey::new(Algorithm::Hs256, text).err(),
                Some(Error::PublicKeyAsSecret)
            );
        }
        assert!(HmacKey::new(Algorithm::Hs256, b"0123456789abcdef0123456789abcdef").is_ok());
        assert!(HmacKey::new(Algorithm::Hs256, br#"{"not":"a key but 32 bytes long!!"}"#).is_ok());
    }
}
