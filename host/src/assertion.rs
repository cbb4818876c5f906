//! The identity assertion: what the edge (gatekey-authz) hands the
//! application so that it trusts the edge's verdict without verifying the
//! credential again, and the application's check of it. One
//! implementation, so the server that signs and every binding that checks
//! agree byte for byte.
//!
//! An assertion is a compact JWS, HS256 with a deployment key shared by
//! the edge and the application only (never a token issuer's key):
//!
//! ```text
//! {"alg":"HS256","typ":"gatekey-assertion+jwt"}
//! {"aud":"orders","iat":…,"exp":…,"sub":"alice","src":"bearer","cnf":{"cred#S256":"…"}}
//! ```
//!
//! - `typ` keeps it from being taken for an access token, or one for it.
//! - `aud` is the upstream it was made for: an assertion for one service is
//!   refused by another that shares the key.
//! - `exp` is at most [`MAX_LIFETIME`] seconds after `iat`; the check
//!   refuses a longer one even if signed, so a leaked assertion is
//!   replayable for a minute at most.
//! - `cnf.cred#S256` is the base64url SHA-256 of the credential the edge
//!   verified (the token as sent, Basic's base64, the proxy's user): when
//!   the request still carries it, [`Checker::check`] refuses an
//!   assertion made for another one (replayed onto another request).
//!
//! The check is the core's own [`gatekey::verify`] (constant-time HMAC,
//! `typ`, `aud`, `exp`), so its refusals are the shared errors: missing
//! is [`Error::MissingCredential`], forged [`Error::BadSignature`],
//! expired [`Error::Expired`], another upstream [`Error::WrongAudience`],
//! bound to another credential [`Error::ConflictingCredentials`].

use base64ct::{Base64UrlUnpadded, Encoding};
use gatekey::{Error, Key, Validation};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The longest lifetime an assertion may have, in seconds.
pub const MAX_LIFETIME: u32 = 60;

/// The JOSE `typ` of an assertion.
pub const TYP: &str = "gatekey-assertion+jwt";

/// The shortest deployment key, in bytes (RFC 7518 §3.2: at least the
/// hash's size).
pub const MIN_KEY_LEN: usize = 32;

/// The header's base64url: the same for every assertion.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6ImdhdGVrZXktYXNzZXJ0aW9uK2p3dCJ9";

/// The buffer [`Checker::check`] decodes into is on the stack: an
/// assertion is small (a subject, a source, a hash).
const CHECK_BUF: usize = 2048;

/// The base64url SHA-256 of a credential, as `cnf.cred#S256` holds it.
#[must_use]
pub fn credential_hash(credential: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(&Sha256::digest(credential))
}

/// Makes assertions for one upstream (the edge's side).
#[derive(Clone)]
pub struct Signer {
    mac: Hmac<Sha256>,
    audience: String,
    lifetime: u32,
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the key.
        f.debug_struct("Signer")
            .field("audience", &self.audience)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with the deployment `key` for `audience` (the upstream's
    /// name), whose assertions live `lifetime` seconds.
    ///
    /// # Errors
    /// [`Error::WeakKey`] under [`MIN_KEY_LEN`] bytes;
    /// [`Error::InvalidConfig`] for a lifetime of 0 or above
    /// [`MAX_LIFETIME`], or an empty audience.
    pub fn new(key: &[u8], audience: &str, lifetime: u32) -> Result<Self, Error> {
        if key.len() < MIN_KEY_LEN {
            return Err(Error::WeakKey);
        }
        if lifetime == 0 || lifetime > MAX_LIFETIME || audience.is_empty() {
            return Err(Error::InvalidConfig);
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| Error::WeakKey)?;
        Ok(Signer {
            mac,
            audience: audience.to_owned(),
            lifetime,
        })
    }

    /// The assertion that `subject` was authenticated from `source` (a
    /// [`gatekey::Source`] name) with `credential` (as sent), at `now`.
    #[must_use]
    pub fn sign(&self, subject: &str, source: &str, credential: &[u8], now: i64) -> String {
        let mut claims = String::with_capacity(160_usize.saturating_add(subject.len()));
        claims.push_str("{\"aud\":");
        json_string(&mut claims, &self.audience);
        claims.push_str(&format!(
            ",\"iat\":{now},\"exp\":{},\"sub\":",
            now.saturating_add(i64::from(self.lifetime))
        ));
        json_string(&mut claims, subject);
        claims.push_str(",\"src\":");
        json_string(&mut claims, source);
        claims.push_str(",\"cnf\":{\"cred#S256\":\"");
        claims.push_str(&credential_hash(credential));
        claims.push_str("\"}}");
        let mut out = String::with_capacity(400_usize.saturating_add(subject.len()));
        out.push_str(HEADER_B64);
        out.push('.');
        out.push_str(&Base64UrlUnpadded::encode_string(claims.as_bytes()));
        let mut mac = self.mac.clone();
        mac.update(out.as_bytes());
        let sig = mac.finalize().into_bytes();
        out.push('.');
        out.push_str(&Base64UrlUnpadded::encode_string(&sig));
        out
    }
}

/// What a valid assertion says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asserted {
    /// Who: the edge's subject.
    pub subject: String,
    /// From where: the source name (`bearer`, `cookie`, …).
    pub source: String,
    /// When it expires, seconds since the epoch.
    pub exp: i64,
}

/// Checks assertions for one upstream (the application's side).
#[derive(Debug)]
pub struct Checker {
    key: [Key; 1],
    validation: Validation,
}

impl Checker {
    /// A checker with the deployment `key` for `audience` (this
    /// upstream's name), tolerating `leeway` seconds of clock skew.
    ///
    /// # Errors
    /// [`Error::WeakKey`] under [`MIN_KEY_LEN`] bytes;
    /// [`Error::InvalidConfig`] for an empty audience.
    pub fn new(key: &[u8], audience: &str, leeway: u32) -> Result<Self, Error> {
        if key.len() < MIN_KEY_LEN {
            return Err(Error::WeakKey);
        }
        if audience.is_empty() {
            return Err(Error::InvalidConfig);
        }
        let validation = Validation::new()
            .with_leeway(leeway)
            .with_audience(audience)?
            .with_typ(TYP)?;
        Ok(Checker {
            key: [Key::hs256(key, None)?],
            validation,
        })
    }

    /// Checks `assertion` (the header's value, `None` when absent) at
    /// `now`; when the request still carries the credential the edge
    /// verified, pass it as `credential` and the assertion must be bound
    /// to it.
    ///
    /// # Errors
    /// [`Error::MissingCredential`] when absent, the core's verification
    /// errors (forged, expired, another audience or type), an
    /// [`Error::InvalidClaim`] lifetime above [`MAX_LIFETIME`] or a
    /// claim of the wrong type, [`Error::ConflictingCredentials`] when
    /// bound to another credential.
    pub fn check(
        &self,
        assertion: Option<&[u8]>,
        credential: Option<&[u8]>,
        now: i64,
    ) -> Result<Asserted, Error> {
        let assertion = match assertion {
            Some(a) if !a.is_empty() => a,
            _ => return Err(Error::MissingCredential),
        };
        let mut buf = [0u8; CHECK_BUF];
        let verified = gatekey::verify(assertion, &self.key, &self.validation, now, &mut buf)
            .map_err(|e| match e {
                Error::TokenTooLarge | Error::BufferTooSmall => Error::MalformedToken,
                other => other,
            })?;
        // One pass over the payload: each `Claims` getter would scan it
        // again, and that, not the HMAC, was most of the time.
        let (mut exp, mut iat, mut sub, mut src, mut cnf) = (None, None, None, None, None);
        for (name, value) in verified.claims.object().members() {
            match name.raw() {
                b"exp" => exp = value.as_i64(),
                b"iat" => iat = value.as_i64(),
                b"sub" => sub = Some(value.as_str().ok_or(Error::InvalidClaim)?),
                b"src" => src = Some(value.as_str().ok_or(Error::InvalidClaim)?),
                b"cnf" => cnf = Some(value.as_object().ok_or(Error::InvalidClaim)?),
                _ => {}
            }
        }
        let lifetime = match (exp, iat) {
            (Some(exp), Some(iat)) => exp.checked_sub(iat),
            _ => None,
        };
        if !lifetime.is_some_and(|l| (0..=i64::from(MAX_LIFETIME)).contains(&l)) {
            return Err(Error::InvalidClaim);
        }
        let (Some(sub), Some(src), Some(cnf)) = (sub, src, cnf) else {
            return Err(Error::MissingClaim);
        };
        let text = |s: gatekey::json::JsonStr<'_>| -> Result<String, Error> {
            match s.as_str() {
                Some(plain) => Ok(plain.to_owned()),
                None => String::from_utf8(s.bytes().collect()).map_err(|_| Error::InvalidClaim),
            }
        };
        if let Some(credential) = credential {
            let bound = cnf
                .get("cred#S256")
                .and_then(|v| v.as_str())
                .ok_or(Error::InvalidClaim)?;
            let want: [u8; 32] = Sha256::digest(credential).into();
            let mut got = [0u8; 32];
            let got = Base64UrlUnpadded::decode(bound.raw(), &mut got)
                .map_err(|_| Error::InvalidClaim)?;
            // Not secret (the hash is in the clear), so no constant time.
            if got != want {
                return Err(Error::ConflictingCredentials);
            }
        }
        Ok(Asserted {
            subject: text(sub)?,
            source: text(src)?,
            exp: exp.unwrap_or(now),
        })
    }
}

/// Appends `s` as a JSON string (RFC 8259 §7).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
