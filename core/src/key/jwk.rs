//! One JWK (RFC 7517 §4, RFC 7518 §6) as a [`Key`].

use super::{Key, MAX_KID_LEN};
use crate::alg::Algorithm;
use crate::json::{JsonStr, Object};
use crate::{b64, Error};

/// The largest HMAC secret read from a JWK, in bytes.
const MAX_SECRET_LEN: usize = 256;
/// Room for a JWK's RSA `n`: 4096 bits, a leading zero byte some encoders
/// add, and one more byte so that longer moduli are seen as such.
#[cfg(feature = "rsa")]
const MAX_MODULUS_LEN: usize = crate::alg::MAX_RSA_BITS / 8 + 2;

/// Reads a key from a validated JWK object.
pub(super) fn key_from_object(jwk: &Object<'_>) -> Result<Key, Error> {
    let kty = string(jwk, "kty")?.ok_or(Error::InvalidJwk)?;
    if let Some(usage) = string(jwk, "use")? {
        if !usage.eq_bytes(b"sig") {
            return Err(Error::UnsupportedKey);
        }
    }
    // RFC 7517 §4.3: a key whose `key_ops` leave out "verify" is not for
    // checking signatures.
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops.as_array().ok_or(Error::InvalidJwk)?;
        let mut verify = false;
        for op in ops.iter() {
            verify |= op.as_str().ok_or(Error::InvalidJwk)?.eq_bytes(b"verify");
        }
        if !verify {
            return Err(Error::UnsupportedKey);
        }
    }
    let alg = string(jwk, "alg")?;
    let mut kid_buf = [0u8; MAX_KID_LEN];
    let kid = match string(jwk, "kid")? {
        Some(k) => Some(
            k.decode_into(&mut kid_buf)
                .map_err(|_| Error::ConfigTooLong)?
                .as_bytes(),
        ),
        None => None,
    };

    if kty.eq_bytes(b"EC") {
        let crv = string(jwk, "crv")?.ok_or(Error::InvalidJwk)?;
        if !crv.eq_bytes(b"P-256") || alg.is_some_and(|a| !a.eq_bytes(b"ES256")) {
            return Err(Error::UnsupportedKey);
        }
        let x = coordinate(jwk, "x")?;
        let y = coordinate(jwk, "y")?;
        Key::es256(&x, &y, kid)
    } else if kty.eq_bytes(b"RSA") {
        rsa(jwk, alg, kid)
    } else if kty.eq_bytes(b"OKP") {
        // RFC 8037 §2: `crv` names the curve, `x` the public key.
        let crv = string(jwk, "crv")?.ok_or(Error::InvalidJwk)?;
        if !crv.eq_bytes(b"Ed25519") || alg.is_some_and(|a| !a.eq_bytes(b"EdDSA")) {
            return Err(Error::UnsupportedKey);
        }
        okp(jwk, kid)
    } else if kty.eq_bytes(b"oct") {
        // An `oct` key names its hash in `alg`; without one it is HS256,
        // as before HS384 and HS512 were verified.
        let alg = match alg {
            None => Algorithm::Hs256,
            Some(a) if a.eq_bytes(b"HS256") => Algorithm::Hs256,
            Some(a) if cfg!(feature = "hs512") && a.eq_bytes(b"HS384") => Algorithm::Hs384,
            Some(a) if cfg!(feature = "hs512") && a.eq_bytes(b"HS512") => Algorithm::Hs512,
            Some(_) => return Err(Error::UnsupportedKey),
        };
        let k = string(jwk, "k")?.ok_or(Error::InvalidJwk)?;
        let mut secret = [0u8; MAX_SECRET_LEN];
        let secret = b64::decode(k.raw(), &mut secret).map_err(|_| Error::InvalidJwk)?;
        Key::hmac(alg, secret, kid)
    } else {
        Err(Error::UnsupportedKey)
    }
}

/// An `RSA` key's `n` and `e` (RFC 7518 §6.3.1); `alg` picks RS256 (or
/// nothing) or PS256. The `rsa` feature.
#[cfg(feature = "rsa")]
fn rsa(jwk: &Object<'_>, alg: Option<JsonStr<'_>>, kid: Option<&[u8]>) -> Result<Key, Error> {
    // RFC 7518 §6.3.1: `n` and `e` are unsigned big-endian integers.
    let pss = match alg {
        None => false,
        Some(a) if a.eq_bytes(b"RS256") => false,
        Some(a) if a.eq_bytes(b"PS256") => true,
        Some(_) => return Err(Error::UnsupportedKey),
    };
    let mut n_buf = [0u8; MAX_MODULUS_LEN];
    let n = string(jwk, "n")?.ok_or(Error::InvalidJwk)?;
    let n = match b64::decode(n.raw(), &mut n_buf) {
        Ok(n) => n,
        // Longer than any modulus gatekey takes: a key type it does not support.
        Err(Error::TokenTooLarge) => return Err(Error::UnsupportedKey),
        Err(_) => return Err(Error::InvalidJwk),
    };
    let mut e_buf = [0u8; 16];
    let e = string(jwk, "e")?.ok_or(Error::InvalidJwk)?;
    let e = match b64::decode(e.raw(), &mut e_buf) {
        Ok(e) => e,
        Err(Error::TokenTooLarge) => return Err(Error::UnsupportedRsaExponent),
        Err(_) => return Err(Error::InvalidJwk),
    };
    if pss {
        Key::ps256(n, e, kid)
    } else {
        Key::rs256(n, e, kid)
    }
}

#[cfg(not(feature = "rsa"))]
fn rsa(_: &Object<'_>, _: Option<JsonStr<'_>>, _: Option<&[u8]>) -> Result<Key, Error> {
    Err(Error::UnsupportedKey)
}

/// An Ed25519 `OKP` key's `x`: exactly 32 bytes (RFC 8037 §2).
#[cfg(feature = "eddsa")]
fn okp(jwk: &Object<'_>, kid: Option<&[u8]>) -> Result<Key, Error> {
    // A private key (`d`) is not published for verification.
    if jwk.get("d").is_some() {
        return Err(Error::InvalidJwk);
    }
    Key::ed25519(&coordinate(jwk, "x")?, kid)
}

#[cfg(not(feature = "eddsa"))]
fn okp(_: &Object<'_>, _: Option<&[u8]>) -> Result<Key, Error> {
    Err(Error::UnsupportedKey)
}

/// The `kid` of a JWK, decoded into `buf`: `None` when it has none, or
/// one that is not a string or is longer than `buf`.
pub(super) fn kid<'b>(jwk: &Object<'_>, buf: &'b mut [u8; MAX_KID_LEN]) -> Option<&'b [u8]> {
    let kid = string(jwk, "kid").ok()??;
    kid.decode_into(buf).ok().map(|k| k.as_bytes())
}

/// A string member, `None` when absent; present with another type is an error.
fn string<'a>(obj: &Object<'a>, name: &str) -> Result<Option<JsonStr<'a>>, Error> {
    obj.get(name)
        .map(|v| v.as_str().ok_or(Error::InvalidJwk))
        .transpose()
}

/// A P-256 coordinate (RFC 7518 §6.2.1.2: "MUST be the full size of a
/// coordinate", no leading zeros dropped) or an Ed25519 `x`: exactly 32
/// bytes.
fn coordinate(obj: &Object<'_>, name: &str) -> Result<[u8; 32], Error> {
    let value = string(obj, name)?.ok_or(Error::InvalidJwk)?;
    let mut out = [0u8; 33];
    let decoded = b64::decode(value.raw(), &mut out).map_err(|_| Error::InvalidJwk)?;
    decoded.try_into().map_err(|_| Error::InvalidJwk)
}
