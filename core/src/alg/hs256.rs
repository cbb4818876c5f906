//! HS256: HMAC with SHA-256 (RFC 7518 §3.2), compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Error;

/// The shortest HMAC secret accepted: RFC 7518 §3.2 requires a key of at
/// least the hash output size.
pub const MIN_SECRET_LEN: usize = 32;

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
        if is_public_key_text(secret) {
            return Err(Error::PublicKeyAsSecret);
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
            assert_eq!(Hs256Key::new(text).err(), Some(Error::PublicKeyAsSecret));
        }
        assert!(Hs256Key::new(b"0123456789abcdef0123456789abcdef").is_ok());
        assert!(Hs256Key::new(br#"{"not":"a key but 32 bytes long!!"}"#).is_ok());
    }
}
