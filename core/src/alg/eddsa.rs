//! EdDSA with Ed25519 (RFC 8037 §3.1, RFC 8032 §5.1.7), via
//! `ed25519-dalek`: the `eddsa` feature.
//!
//! The public key is decompressed and checked once, when the key is made;
//! verification is `verify_strict`, which refuses what RFC 8032 allows
//! implementations to refuse and the cofactored/cofactorless split makes
//! ambiguous: a non-canonical `S` (at least the group order), and a key or
//! `R` of small order (the weak keys with which one signature verifies
//! for many messages). No heap.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::Error;

/// An Ed25519 public key, validated when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ed25519Key {
    key: VerifyingKey,
}

impl Ed25519Key {
    /// From the 32-byte encoded point (a JWK's `x`, RFC 8037 §2).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes do not decode to a point, or
    /// decode to one of small order (a weak key).
    pub(crate) fn from_bytes(x: &[u8; 32]) -> Result<Self, Error> {
        let key = VerifyingKey::from_bytes(x).map_err(|_| Error::InvalidKey)?;
        if key.is_weak() {
            return Err(Error::InvalidKey);
        }
        Ok(Ed25519Key { key })
    }

    /// The encoded point.
    pub(crate) fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Verifies the 64-byte `R || S` signature of `input`.
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> Result<(), Error> {
        let signature: &[u8; 64] = signature
            .try_into()
            .map_err(|_| Error::InvalidSignatureLength)?;
        let signature = Signature::from_bytes(signature);
        self.key
            .verify_strict(input, &signature)
            .map_err(|_| Error::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b64;

    fn decode<const N: usize>(text: &str) -> [u8; N] {
        let mut buf = [0u8; 128];
        b64::decode(text.as_bytes(), &mut buf)
            .unwrap()
            .try_into()
            .unwrap()
    }

    /// RFC 8037 Appendix A.4: the JWS of "Example of Ed25519 signing"
    /// under the key of A.2.
    #[test]
    fn rfc8037_a4_verifies_and_nothing_else_does() {
        let key =
            Ed25519Key::from_bytes(&decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")).unwrap();
        let input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
        let sig: [u8; 64] = decode(
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
        );
        assert_eq!(key.verify(input, &sig), Ok(()));
        let mut other = *input;
        other[input.len() - 1] ^= 1;
        assert_eq!(key.verify(&other, &sig), Err(Error::BadSignature));
        let mut bad = sig;
        bad[10] ^= 1;
        assert_eq!(key.verify(input, &bad), Err(Error::BadSignature));
        assert_eq!(
            key.verify(input, &sig[..63]),
            Err(Error::InvalidSignatureLength)
        );
        // S + L (the group order): the same point equation, non-canonical.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut malleable = sig;
        let mut carry = 0u16;
        for (s, l) in malleable[32..].iter_mut().zip(l) {
            let sum = u16::from(*s) + u16::from(l) + carry;
            *s = (sum & 0xff) as u8;
            carry = sum >> 8;
        }
        assert_eq!(key.verify(input, &malleable), Err(Error::BadSignature));
    }

    #[test]
    fn small_order_and_undecodable_keys_are_refused() {
        // The identity point (0, 1), of order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            Ed25519Key::from_bytes(&identity).err(),
            Some(Error::InvalidKey)
        );
        // y = 2 is not on the curve (x^2 would be a non-square).
        let mut off = [0u8; 32];
        off[0] = 2;
        assert_eq!(Ed25519Key::from_bytes(&off).err(), Some(Error::InvalidKey));
    }
}
