//! Verifying one compact JWS/JWT: split, decode, header, key, signature,
//! then claims, in that order, into a caller buffer.

use crate::claims::{Claims, Limits, Validation};
use crate::jose::Header;
use crate::json::Object;
use crate::key::{select, Key};
use crate::{b64, jws, Error};

/// The buffer size that holds any token up to `token_len` bytes once
/// decoded (3/4 of it): `[0u8; buffer_len(8192)]` takes 8 KiB tokens.
#[must_use]
pub const fn buffer_len(token_len: usize) -> usize {
    b64::decoded_len(token_len)
}

/// A buffer for tokens up to 8 KiB, the size of a large identity-provider
/// access token with roles.
pub const DEFAULT_BUFFER: usize = buffer_len(8 * 1024);

/// A token whose signature and claims were verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Verified<'b> {
    /// The JOSE header.
    pub header: Header<'b>,
    /// The claims.
    pub claims: Claims<'b>,
}

/// A token split and base64url-decoded into a buffer: the header parsed,
/// the payload not yet (it is only parsed after the signature, except by
/// [`Issuers`](crate::Issuers), which must read `iss` first).
pub(crate) struct Decoded<'t, 'b> {
    pub header: Header<'b>,
    pub signing_input: &'t [u8],
    pub signature: &'b [u8],
    pub payload: &'b [u8],
}

/// Whether [`decode_with`] validates the header's JSON or trusts it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trust {
    /// A token seen for the first time: every byte is checked.
    Nothing,
    /// A token whose SHA-256 matches one verified before (the cache): its
    /// bytes were checked then, the signature is not decoded again.
    Verified,
}

/// Splits `token` (RFC 7515 §7.1) and decodes its segments into `buf`:
/// header first, then payload, then signature.
pub(crate) fn decode<'t, 'b>(
    token: &'t [u8],
    buf: &'b mut [u8],
    limits: &Limits,
) -> Result<Decoded<'t, 'b>, Error> {
    limits.check(token)?;
    decode_with(token, buf, Trust::Nothing, limits.max_header_members)
}

/// [`decode`], or with [`Trust::Verified`] the cache's shorter path.
pub(crate) fn decode_with<'t, 'b>(
    token: &'t [u8],
    buf: &'b mut [u8],
    trust: Trust,
    max_header_members: usize,
) -> Result<Decoded<'t, 'b>, Error> {
    if buffer_len(token.len()) > buf.len() {
        return Err(Error::TokenTooLarge);
    }
    let parts = jws::split(token)?;
    let (header_buf, rest) = buf
        .split_at_mut_checked(b64::decoded_len(parts.header.len()))
        .ok_or(Error::TokenTooLarge)?;
    // Header and payload are public (RFC 7519 §12); the signature goes
    // through the constant-time decoder (an HS256 tag is a secret's output).
    let header = b64::decode_public(parts.header, header_buf)?;
    let header = Header::from_object(&match trust {
        Trust::Nothing => Object::parse_bounded(header, max_header_members, &mut |_, _| {})?,
        Trust::Verified => Object::assume_valid(header),
    })?;
    // `header.payload.`: an unsecured JWS says `alg: none`, which the header
    // reader has just refused as such (logs count the attempt); any other
    // empty signature is no JWS at all.
    if parts.signature.is_empty() {
        return Err(Error::MalformedToken);
    }
    let (payload_buf, signature_buf) = rest
        .split_at_mut_checked(b64::decoded_len(parts.payload.len()))
        .ok_or(Error::TokenTooLarge)?;
    let payload = b64::decode_public(parts.payload, payload_buf)?;
    let signature = match trust {
        Trust::Nothing => b64::decode(parts.signature, signature_buf)?,
        Trust::Verified => &[],
    };
    Ok(Decoded {
        header,
        signing_input: parts.signing_input,
        signature,
        payload,
    })
}

impl Decoded<'_, '_> {
    /// Picks the key by `kid` among `keys` and checks the signature with
    /// it. The key's own algorithm must be the header's `alg` (RFC 8725
    /// §3.1): the header never chooses the algorithm.
    pub(crate) fn check_signature(&self, keys: &[Key]) -> Result<(), Error> {
        let key = select(keys, self.header.kid.as_ref(), Some(&self.header.alg))?;
        if !self.header.alg.eq_bytes(key.algorithm().name().as_bytes()) {
            return Err(Error::AlgorithmMismatch);
        }
        if self.signature.len() != key.signature_len() {
            return Err(Error::InvalidSignatureLength);
        }
        key.verify_signature(self.signing_input, self.signature)
    }
}

/// Verifies `token` with one of `keys` and checks its claims at `now`
/// (seconds since the Unix epoch; the caller owns the clock).
///
/// The header and payload are decoded into `buf`, which the result borrows;
/// it needs [`buffer_len`]`(token.len())` bytes. Nothing else is written.
///
/// The order matters for safety: the header is read first and decides only
/// which key; the key's own algorithm must equal the header's `alg`
/// (RFC 8725 §3.1); the signature is checked before the payload is parsed,
/// so unauthenticated bytes never reach the claims logic.
///
/// # Errors
/// One [`Error`] per failure: form (2xx), key and signature (3xx), claims (4xx).
pub fn verify<'b>(
    token: &[u8],
    keys: &[Key],
    validation: &Validation,
    now: i64,
    buf: &'b mut [u8],
) -> Result<Verified<'b>, Error> {
    let decoded = decode(token, buf, &validation.limits())?;
    validation.check_header(&decoded.header)?;
    decoded.check_signature(keys)?;
    let (claims, registered) = Claims::parse(decoded.payload)?;
    validation.check_registered(&claims, &registered, now)?;
    Ok(Verified {
        header: decoded.header,
        claims,
    })
}

/// What a refused token was about, for error messages: its `kid`, its
/// `iss`, and the claim a claims rule failed on. Never a verdict: the
/// signature is **not** checked here, so nothing in it is trustworthy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Explanation<'b, 'v> {
    /// The JOSE header's `kid`, if the header decodes.
    pub kid: Option<crate::json::JsonStr<'b>>,
    /// The payload's `iss`, if the payload decodes.
    pub iss: Option<crate::json::JsonStr<'b>>,
    /// The claim (or scope) the first failing claims rule is about, by
    /// [`Validation::check_explained`].
    pub claim: Option<&'v str>,
}

/// Reads what [`verify`] refused `token` for (see [`Explanation`]):
/// called after a failure, on the error path only; `buf` as for [`verify`].
#[must_use]
pub fn explain<'b, 'v>(
    token: &[u8],
    validation: &'v Validation,
    now: i64,
    buf: &'b mut [u8],
) -> Explanation<'b, 'v> {
    let Ok(decoded) = decode(token, buf, &validation.limits()) else {
        return Explanation::default();
    };
    let kid = decoded.header.kid;
    let Ok((claims, registered)) = Claims::parse(decoded.payload) else {
        return Explanation {
            kid,
            ..Explanation::default()
        };
    };
    let claim = match validation.check_named(&claims, &registered, now) {
        Err((_, name)) if !name.is_empty() => Some(name),
        _ => None,
    };
    Explanation {
        kid,
        iss: claims.iss(),
        claim,
    }
}
