//! RS256 and PS256: RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256
//! (RFC 7518 §3.3, §3.5; RFC 8017 §8.1.2, §8.2.2), on 2048- to 4096-bit
//! moduli held in fixed-size `crypto-bigint` integers.
//!
//! The public operation `s^e mod n` runs on crypto-bigint's Montgomery
//! arithmetic; the Montgomery parameters are computed once, when the
//! key is made (a bit-serial reduction that costs milliseconds), so that a
//! verification costs one short exponentiation. Everything here is public
//! data, so nothing needs to be constant-time, but the comparisons are.
//!
//! With the `ring` and `std` features (hosted builds: the C library, the
//! wheel), the signature itself goes through ring's RSA verification
//! (assembly Montgomery multiplication), several times faster. Everything
//! before it stays here, on both paths: the key is loaded and checked by
//! [`RsaKey::new`] (the same sizes and exponents are refused), and a
//! signature not exactly as long as the modulus is refused before ring
//! sees it. ring's own limits are wider (2048 to 8192 bits, exponents up to
//! 2^33 - 1), so they never refuse a key the core accepted. Its PKCS#1 v1.5
//! check also compares against the one encoding with the `NULL`
//! parameters, and its PSS check takes the salt as long as the hash, so
//! both paths give the same verdict on every Wycheproof vector (tested
//! below against both, in the same build). There the key keeps the
//! modulus bytes ring takes (512 bytes) instead of the Montgomery parameters
//! (up to 2,056), so keys are smaller there (sizes in `key`), and loading
//! one skips the parameters' milliseconds.

// With ring, the crypto-bigint path only serves the differential tests.
#![cfg_attr(all(feature = "ring", feature = "std", not(test)), allow(dead_code))]

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Limb, Uint, Word, U2048, U3072, U4096};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Error;

/// The smallest modulus accepted, in bits (RFC 7518 §3.3: "a key of size
/// 2048 bits or larger MUST be used").
pub const MIN_RSA_BITS: usize = 2048;
/// The largest modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 4096;
/// The largest public exponent accepted (larger ones are not used in practice
/// and would only slow verification down).
pub const MAX_RSA_EXPONENT: u64 = 1 << 32;

const MAX_LEN: usize = MAX_RSA_BITS / 8;
const HASH_LEN: usize = 32;
/// PS256's salt length: the hash length (RFC 7518 §3.5).
const SALT_LEN: usize = HASH_LEN;
/// The DER `DigestInfo` prefix for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The padding scheme a key verifies: the key decides, never the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PKCS1-v1_5 (RS256).
    Pkcs1v15,
    /// RSASSA-PSS, MGF1-SHA-256, 32-byte salt (PS256).
    Pss,
}

/// The modulus with its Montgomery parameters, in the smallest of three
/// integer sizes that holds it (the exponentiation costs grow with it).
// Inline, not boxed: the core has no heap. The size is documented in `key`.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modulus {
    Bits2048(DynResidueParams<{ U2048::LIMBS }>),
    Bits3072(DynResidueParams<{ U3072::LIMBS }>),
    Bits4096(DynResidueParams<{ U4096::LIMBS }>),
}

impl Modulus {
    /// From the big-endian modulus without leading zeros, at most 512 bytes.
    fn new(n: &[u8]) -> Result<Self, Error> {
        Ok(if n.len() <= U2048::BYTES {
            Modulus::Bits2048(DynResidueParams::new(&uint_from_be(n)?))
        } else if n.len() <= U3072::BYTES {
            Modulus::Bits3072(DynResidueParams::new(&uint_from_be(n)?))
        } else {
            Modulus::Bits4096(DynResidueParams::new(&uint_from_be(n)?))
        })
    }
}

/// An RSA public key of 2048 to 4096 bits with a small odd exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RsaKey {
    #[cfg(not(all(feature = "ring", feature = "std")))]
    modulus: Modulus,
    exponent: u64,
    /// The modulus length in bytes (k in RFC 8017), the signature length.
    len: usize,
    /// The modulus length in bits.
    bits: usize,
    /// The modulus, big-endian without leading zeros, in the first `len`
    /// bytes: ring takes the key as bytes.
    #[cfg(all(feature = "ring", feature = "std"))]
    n: [u8; MAX_LEN],
}

impl RsaKey {
    /// From the big-endian modulus and exponent (a JWK's `n` and `e`,
    /// RFC 7518 §6.3.1). Leading zero bytes are ignored.
    ///
    /// # Errors
    /// [`Error::WeakRsaKey`] below 2048 bits, [`Error::UnsupportedKey`]
    /// above 4096, [`Error::InvalidKey`] for an even modulus,
    /// [`Error::UnsupportedRsaExponent`] unless `e` is odd and in 3..=2^32.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let n = strip_zeros(n);
        let (&first, _) = n.split_first().ok_or(Error::InvalidKey)?;
        let lead_bits = 8usize.saturating_sub(usize::try_from(first.leading_zeros()).unwrap_or(8));
        let bits = n
            .len()
            .saturating_sub(1)
            .saturating_mul(8)
            .saturating_add(lead_bits);
        if bits < MIN_RSA_BITS {
            return Err(Error::WeakRsaKey);
        }
        if bits > MAX_RSA_BITS {
            return Err(Error::UnsupportedKey);
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::InvalidKey);
        }
        let exponent = exponent(e)?;
        #[cfg(not(all(feature = "ring", feature = "std")))]
        let modulus = Modulus::new(n)?;
        #[cfg(all(feature = "ring", feature = "std"))]
        let n_bytes = {
            let mut bytes = [0u8; MAX_LEN];
            bytes
                .get_mut(..n.len())
                .ok_or(Error::UnsupportedKey)?
                .copy_from_slice(n);
            bytes
        };
        Ok(RsaKey {
            #[cfg(not(all(feature = "ring", feature = "std")))]
            modulus,
            exponent,
            len: n.len(),
            bits,
            #[cfg(all(feature = "ring", feature = "std"))]
            n: n_bytes,
        })
    }

    /// The signature length in bytes: the modulus length.
    pub(crate) fn signature_len(&self) -> usize {
        self.len
    }

    /// The modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Verifies `signature` over `input` with `scheme`: through ring with
    /// the `ring` and `std` features, through crypto-bigint otherwise.
    ///
    /// A signature that is not exactly as long as the modulus is
    /// [`Error::InvalidSignatureLength`] (RFC 8017 §8.2.2 step 1); one not
    /// below the modulus, or whose encoding is wrong, [`Error::BadSignature`].
    pub(crate) fn verify(
        &self,
        scheme: Scheme,
        input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        #[cfg(all(feature = "ring", feature = "std"))]
        {
            self.verify_ring(scheme, input, signature)
        }
        #[cfg(not(all(feature = "ring", feature = "std")))]
        {
            self.verify_portable(scheme, input, signature)
        }
    }

    /// [`RsaKey::verify`] through ring.
    #[cfg(all(feature = "ring", feature = "std"))]
    pub(crate) fn verify_ring(
        &self,
        scheme: Scheme,
        input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        use ring::signature::{
            RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256,
        };
        // The core's checks first, so that both paths refuse alike.
        if signature.len() != self.len {
            return Err(Error::InvalidSignatureLength);
        }
        let n = self.n.get(..self.len).ok_or(Error::BadSignature)?;
        let e = self.exponent.to_be_bytes();
        let key = RsaPublicKeyComponents {
            n,
            e: strip_zeros(&e),
        };
        let params = match scheme {
            Scheme::Pkcs1v15 => &RSA_PKCS1_2048_8192_SHA256,
            Scheme::Pss => &RSA_PSS_2048_8192_SHA256,
        };
        key.verify(params, input, signature)
            .map_err(|_| Error::BadSignature)
    }

    /// [`RsaKey::verify`] through crypto-bigint: the no_std path. With ring
    /// (differential tests only) it makes the Montgomery parameters on every
    /// call.
    pub(crate) fn verify_portable(
        &self,
        scheme: Scheme,
        input: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if signature.len() != self.len {
            return Err(Error::InvalidSignatureLength);
        }
        let mut em_buf = [0u8; MAX_LEN];
        let em = em_buf.get_mut(..self.len).ok_or(Error::BadSignature)?;
        let e = self.exponent;
        #[cfg(all(feature = "ring", feature = "std"))]
        let modulus = &Modulus::new(self.n.get(..self.len).ok_or(Error::BadSignature)?)?;
        #[cfg(not(all(feature = "ring", feature = "std")))]
        let modulus = &self.modulus;
        match modulus {
            Modulus::Bits2048(p) => public_op(p, e, signature, em)?,
            Modulus::Bits3072(p) => public_op(p, e, signature, em)?,
            Modulus::Bits4096(p) => public_op(p, e, signature, em)?,
        }
        let digest: [u8; HASH_LEN] = Sha256::digest(input).into();
        let ok = match scheme {
            Scheme::Pkcs1v15 => pkcs1v15_matches(em, &digest)?,
            Scheme::Pss => pss_matches(em, self.bits, &digest),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// `e` as a number: odd, at least 3, at most 2^32.
fn exponent(e: &[u8]) -> Result<u64, Error> {
    let e = strip_zeros(e);
    if e.len() > 8 {
        return Err(Error::UnsupportedRsaExponent);
    }
    let value = e
        .iter()
        .fold(0u64, |acc, &b| acc.wrapping_shl(8) | u64::from(b));
    if !(3..=MAX_RSA_EXPONENT).contains(&value) || value & 1 == 0 {
        return Err(Error::UnsupportedRsaExponent);
    }
    Ok(value)
}

/// A big-endian integer of at most `LIMBS` limbs.
fn uint_from_be<const LIMBS: usize>(bytes: &[u8]) -> Result<Uint<LIMBS>, Error> {
    if bytes.len() > Uint::<LIMBS>::BYTES {
        return Err(Error::InvalidKey);
    }
    let mut out = Uint::<LIMBS>::ZERO;
    for (word, chunk) in out
        .as_words_mut()
        .iter_mut()
        .zip(bytes.rchunks(Limb::BYTES))
    {
        let mut be = [0u8; Limb::BYTES];
        for (dst, src) in be.iter_mut().rev().zip(chunk.iter().rev()) {
            *dst = *src;
        }
        *word = Word::from_be_bytes(be);
    }
    Ok(out)
}

/// Writes `x` big-endian into all of `out`; `false` if it does not fit.
fn uint_to_be<const LIMBS: usize>(x: &Uint<LIMBS>, out: &mut [u8]) -> bool {
    let mut le = x.as_words().iter().flat_map(|w| w.to_le_bytes());
    for b in out.iter_mut().rev() {
        *b = le.next().unwrap_or(0);
    }
    le.all(|b| b == 0)
}

/// RSAVP1 (RFC 8017 §5.2.2) and I2OSP: `em = s^e mod n`, big-endian in
/// `em` (as long as the modulus).
fn public_op<const LIMBS: usize>(
    params: &DynResidueParams<LIMBS>,
    e: u64,
    signature: &[u8],
    em: &mut [u8],
) -> Result<(), Error> {
    let s = uint_from_be::<LIMBS>(signature).map_err(|_| Error::BadSignature)?;
    // RFC 8017 §5.2.2 step 1: s must be in [0, n-1].
    if &s >= params.modulus() {
        return Err(Error::BadSignature);
    }
    // Left-to-right square-and-multiply over crypto-bigint's Montgomery
    // square and multiply. Its `pow_bounded_exp` is a constant-time
    // fixed-window exponentiation for secret exponents (a 16-entry table
    // first): ~40 multiplications for e = 65537 where 17 suffice, measured
    // 2.3x slower. The exponent is public, so timing may depend on it.
    let base = DynResidue::new(&s, *params);
    let mut acc = base;
    let top_bit = u64::BITS
        .saturating_sub(e.leading_zeros())
        .saturating_sub(1);
    for bit in (0..top_bit).rev() {
        acc = acc.square();
        if e.checked_shr(bit).unwrap_or(0) & 1 == 1 {
            acc = acc.mul(&base);
        }
    }
    let m = acc.retrieve();
    if uint_to_be(&m, em) {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) by building the one expected encoding
/// `00 01 FF..FF 00 || DigestInfo || H` and comparing, never by parsing the
/// padding (Bleichenbacher's 2006 forgery parsed it).
fn pkcs1v15_matches(em: &[u8], digest: &[u8; HASH_LEN]) -> Result<bool, Error> {
    let t_len = SHA256_DIGEST_INFO.len().saturating_add(HASH_LEN);
    let ps_len = em
        .len()
        .checked_sub(t_len.saturating_add(3))
        .ok_or(Error::BadSignature)?;
    let mut expected = [0u8; MAX_LEN];
    let expected = expected.get_mut(..em.len()).ok_or(Error::BadSignature)?;
    let fill = [0x00, 0x01]
        .into_iter()
        .chain(core::iter::repeat_n(0xff, ps_len))
        .chain(core::iter::once(0x00))
        .chain(SHA256_DIGEST_INFO)
        .chain(digest.iter().copied());
    for (dst, src) in expected.iter_mut().zip(fill) {
        *dst = src;
    }
    Ok(bool::from(em.ct_eq(expected)))
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with SHA-256, MGF1-SHA-256 and a
/// 32-byte salt, given the k-byte `em` and the modulus length in bits.
fn pss_matches(em: &[u8], mod_bits: usize, digest: &[u8; HASH_LEN]) -> bool {
    // §8.1.2 step 2c: EM = I2OSP(m, emLen), emLen = ceil((modBits - 1) / 8).
    // When modBits - 1 is a multiple of 8, emLen = k - 1 and m's top byte
    // must be zero.
    let em_bits = mod_bits.saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    let Some(skip) = em.len().checked_sub(em_len) else {
        return false;
    };
    let (top, em) = em.split_at(skip);
    if top.iter().any(|&b| b != 0) {
        return false;
    }
    // Step 3: emLen >= hLen + sLen + 2 (always true from 2048 bits on).
    let Some(db_len) = em_len.checked_sub(HASH_LEN.saturating_add(1)) else {
        return false;
    };
    if db_len < SALT_LEN.saturating_add(1) {
        return false;
    }
    // Step 4: the trailer.
    let Some((&0xbc, body)) = em.split_last() else {
        return false;
    };
    // Step 5.
    let Some((masked_db, h)) = body.split_at_checked(db_len) else {
        return false;
    };
    // Steps 6 and 9: the leftmost 8*emLen - emBits bits must be zero.
    let unused = em_len.saturating_mul(8).saturating_sub(em_bits);
    let top_mask = 0xffu8
        .checked_shr(u32::try_from(unused).unwrap_or(8))
        .unwrap_or(0);
    let Some((&first, _)) = masked_db.split_first() else {
        return false;
    };
    if first & !top_mask != 0 {
        return false;
    }
    // Steps 7 and 8: DB = maskedDB xor MGF1(H, emLen - hLen - 1).
    let mut db = [0u8; MAX_LEN];
    let Some(db) = db.get_mut(..db_len) else {
        return false;
    };
    db.copy_from_slice(masked_db);
    mgf1_xor(h, db);
    if let Some(b) = db.first_mut() {
        *b &= top_mask;
    }
    // Step 10: DB = PS (zeros) || 0x01 || salt.
    let (ps_and_one, salt) = db.split_at(db_len.saturating_sub(SALT_LEN));
    let Some((&0x01, ps)) = ps_and_one.split_last() else {
        return false;
    };
    if ps.iter().any(|&b| b != 0) {
        return false;
    }
    // Steps 12 to 14: H == Hash(0x00 * 8 || mHash || salt).
    let h2: [u8; HASH_LEN] = Sha256::new()
        .chain_update([0u8; 8])
        .chain_update(digest)
        .chain_update(salt)
        .finalize()
        .into();
    bool::from(h.ct_eq(&h2))
}

/// `out ^= MGF1-SHA-256(seed, out.len())` (RFC 8017 appendix B.2.1).
fn mgf1_xor(seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(HASH_LEN)) {
        let block = Sha256::new()
            .chain_update(seed)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for (o, m) in chunk.iter_mut().zip(block) {
            *o ^= m;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn exponents() {
        assert_eq!(exponent(&[1, 0, 1]), Ok(65537));
        assert_eq!(exponent(&[0, 3]), Ok(3));
        assert_eq!(exponent(&[0xff, 0xff, 0xff, 0xff]), Ok(u64::from(u32::MAX)));
        for bad in [
            &[][..],
            &[1],
            &[2],
            &[4],
            &[1, 0, 0],
            &[1, 0, 0, 0, 1],
            &[1; 9],
        ] {
            assert_eq!(exponent(bad), Err(Error::UnsupportedRsaExponent), "{bad:?}");
        }
    }

    #[test]
    fn integers_round_trip() {
        let bytes: [u8; 5] = [1, 2, 3, 4, 5];
        let x = uint_from_be::<{ U2048::LIMBS }>(&bytes).unwrap();
        let mut out = [0u8; 7];
        assert!(uint_to_be(&x, &mut out));
        assert_eq!(out, [0, 0, 1, 2, 3, 4, 5]);
        let mut short = [0u8; 4];
        assert!(!uint_to_be(&x, &mut short));
    }

    #[test]
    fn modulus_sizes() {
        let mut n = [0xffu8; 256];
        assert!(RsaKey::new(&n, &[1, 0, 1]).is_ok());
        n[0] = 0x7f; // 2047 bits
        assert_eq!(RsaKey::new(&n, &[1, 0, 1]), Err(Error::WeakRsaKey));
        let mut even = [0xffu8; 256];
        even[255] = 0xfe;
        assert_eq!(RsaKey::new(&even, &[1, 0, 1]), Err(Error::InvalidKey));
        assert_eq!(
            RsaKey::new(&[0xff; 513], &[1, 0, 1]),
            Err(Error::UnsupportedKey)
        );
        let k = RsaKey::new(&[0xff; 512], &[3]).unwrap();
        assert_eq!((k.bits(), k.signature_len()), (4096, 512));
        let k = RsaKey::new(&[0xff; 300], &[3]).unwrap();
        assert_eq!((k.bits(), k.signature_len()), (2400, 300));
    }

    /// Every Wycheproof RSA vector (PKCS#1 v1.5 and PSS, 2048 to 4096
    /// bits) through both paths in one build: ring and crypto-bigint give
    /// the same verdict and the same error, and it is the expected one
    /// ("acceptable", DigestInfo without NULL, refused by both).
    #[cfg(all(feature = "ring", feature = "std"))]
    #[test]
    fn ring_and_crypto_bigint_agree_on_wycheproof() {
        use std::{format, fs, string::String, vec::Vec};
        fn hex(s: &str) -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        }
        let mut counts = [0usize; 2];
        for (pss, kind) in [(false, "signature"), (true, "pss")] {
            for bits in [2048, 3072, 4096] {
                let file = if pss {
                    format!("rsa_pss_{bits}_sha256_mgf1_32_test.json")
                } else {
                    format!("rsa_signature_{bits}_sha256_test.json")
                };
                let path = format!(
                    "{}/tests/vectors/wycheproof/{file}",
                    env!("CARGO_MANIFEST_DIR")
                );
                let text: String = fs::read_to_string(&path).unwrap();
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                let scheme = if pss { Scheme::Pss } else { Scheme::Pkcs1v15 };
                for group in doc["testGroups"].as_array().unwrap() {
                    let n = hex(group["publicKey"]["modulus"].as_str().unwrap());
                    let e = hex(group["publicKey"]["publicExponent"].as_str().unwrap());
                    let key = RsaKey::new(&n, &e).unwrap();
                    for t in group["tests"].as_array().unwrap() {
                        let msg = hex(t["msg"].as_str().unwrap());
                        let sig = hex(t["sig"].as_str().unwrap());
                        let ring = key.verify_ring(scheme, &msg, &sig);
                        let portable = key.verify_portable(scheme, &msg, &sig);
                        let id = &t["tcId"];
                        assert_eq!(ring, portable, "{kind} {bits} tcId {id}");
                        let valid = t["result"].as_str() == Some("valid");
                        assert_eq!(ring.is_ok(), valid, "{kind} {bits} tcId {id}");
                        counts[usize::from(!valid)] += 1;
                    }
                }
            }
        }
        assert!(counts[0] > 200 && counts[1] > 800, "{counts:?}");
    }

    /// Keys at the edges of the core's limits: ring takes every key the core
    /// takes (its own limits are wider), so key loading alone decides.
    #[cfg(all(feature = "ring", feature = "std"))]
    #[test]
    fn ring_takes_every_key_the_core_takes() {
        for (n_len, e) in [
            (256, &[3u8][..]),
            (256, &[1, 0, 1]),
            (384, &[0xff, 0xff, 0xff, 0xff]),
            (512, &[1, 0, 1]),
        ] {
            let mut n = [0xffu8; MAX_LEN];
            let n = &mut n[..n_len];
            n[1] = 0x7f; // below 2^(8 n_len) - 1, still of full length
            let key = RsaKey::new(n, e).unwrap();
            // A signature of 1 is below n: both get as far as the padding.
            let mut sig = [0u8; MAX_LEN];
            sig[n_len - 1] = 1;
            for scheme in [Scheme::Pkcs1v15, Scheme::Pss] {
                let sig = &sig[..n_len];
                assert_eq!(
                    key.verify_ring(scheme, b"m", sig),
                    key.verify_portable(scheme, b"m", sig)
                );
                assert_eq!(
                    key.verify_ring(scheme, b"m", &sig[1..]),
                    Err(Error::InvalidSignatureLength)
                );
            }
        }
    }
}
