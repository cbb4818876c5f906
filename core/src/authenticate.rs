//! One call for one request: extract → resolve → verify.

use crate::extract::{decode_basic, Request};
use crate::json::JsonStr;
use crate::verify::{verify, Verified};
use crate::{resolve, Error, Key, Policy, Resolution, Source, Validation};

/// Who a request is, and how that was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity<'a> {
    /// The source of the winning credential.
    pub source: Source,
    /// The winning credential as sent (the token, for token sources).
    pub credential: &'a [u8],
    /// The subject: `sub` of a token, the Basic user name, or the user the
    /// proxy asserted.
    pub subject: Option<JsonStr<'a>>,
    /// The verified token, for token sources.
    pub token: Option<Verified<'a>>,
    /// The resolution report: what the winner shadowed, and drift.
    pub resolution: Resolution<'a>,
}

/// Authenticates one request: the one function every layer calls.
///
/// The credential is chosen by `policy`; a token is verified with `keys`
/// and `validation` at `now`; Basic credentials are compared in constant
/// time with the policy's; a proxy-asserted user is taken as is. `buf`
/// receives the decoded token (see [`buffer_len`](crate::buffer_len)) and
/// the result borrows it and the request.
///
/// # Errors
/// [`Error::MissingCredential`] when no accepted source carries a
/// credential (the caller decides between anonymous access and 401), any
/// resolution error, [`Error::BasicRejected`], or any verification error.
pub fn authenticate<'a, H>(
    request: Request<'a, H>,
    policy: &Policy,
    keys: &[Key],
    validation: &Validation,
    now: i64,
    buf: &'a mut [u8],
) -> Result<Identity<'a>, Error>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    authenticate_with(request, policy, buf, |token, buf| {
        verify(token, keys, validation, now, buf)
    })
}

/// [`authenticate`] with the token step supplied by the caller: a
/// [`verify_cached`](crate::cache::verify_cached) call, or
/// [`Issuers::verify`](crate::Issuers::verify) for several trusted issuers.
/// Extraction, resolution, Basic and proxy handling are the same.
///
/// # Errors
/// As [`authenticate`], with `verify_token`'s errors for tokens.
pub fn authenticate_with<'a, H, F>(
    request: Request<'a, H>,
    policy: &Policy,
    buf: &'a mut [u8],
    verify_token: F,
) -> Result<Identity<'a>, Error>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
    F: FnOnce(&'a [u8], &'a mut [u8]) -> Result<Verified<'a>, Error>,
{
    let resolution = resolve(policy, request)?;
    let winner = resolution.require()?;
    let (subject, token) = match winner.source {
        Source::Proxy => (Some(JsonStr::literal(winner.value)), None),
        Source::Basic => {
            let configured = policy.basic().ok_or(Error::MissingCredential)?;
            let (user, password) = decode_basic(winner.value, buf).map_err(|e| match e {
                Error::BufferTooSmall => Error::BasicRejected,
                other => other,
            })?;
            if !configured.matches(user, password) {
                return Err(Error::BasicRejected);
            }
            (Some(JsonStr::literal(user)), None)
        }
        Source::Bearer | Source::Cookie | Source::Query | Source::Explicit => {
            let verified = verify_token(winner.value, buf)?;
            (verified.claims.sub(), Some(verified))
        }
    };
    Ok(Identity {
        source: winner.source,
        credential: winner.value,
        subject,
        token,
        resolution,
    })
}
