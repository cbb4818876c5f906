//! MCP's per-request rules ([`gatekey::mcp`]) over a request's header
//! fields, for every surface: the scope decision a [`Verifier`](crate::Verifier)
//! makes in [`authenticate`](crate::Verifier::authenticate) from
//! `Mcp-Method` and `Mcp-Name`, and the check of those headers against
//! the JSON-RPC body ([`check_body`]) that a surface which reads the body
//! makes before handing it on.

use gatekey::claims::{Granted, ScopeToken};
use gatekey::mcp::{self, ScopePolicy};
use gatekey::{Error, Identity};

use crate::refusal::Failure;

/// The `Mcp-Method` header field's name.
pub const METHOD_HEADER: &str = "mcp-method";
/// The `Mcp-Name` header field's name.
pub const NAME_HEADER: &str = "mcp-name";

/// The longest `Mcp-Name`, decoded, that a scope rule is matched against.
const MAX_NAME: usize = 1024;

/// The `Mcp-Method` and `Mcp-Name` values of a request, when present.
pub type CallHeaders<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// `Mcp-Method` and `Mcp-Name` of `headers` (names without case).
///
/// # Errors
/// A [`Failure`] of [`Error::HeaderMismatch`] naming the header given
/// twice: two values would let one layer read one and the next the other.
pub fn call_headers<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<CallHeaders<'a>, Failure> {
    let (mut method, mut name) = (None, None);
    for (field, value) in headers {
        let slot = if field.eq_ignore_ascii_case(METHOD_HEADER.as_bytes()) {
            (&mut method, "Mcp-Method given twice")
        } else if field.eq_ignore_ascii_case(NAME_HEADER.as_bytes()) {
            (&mut name, "Mcp-Name given twice")
        } else {
            continue;
        };
        if slot.0.replace(value).is_some() {
            return Err(mismatch(slot.1));
        }
    }
    Ok((method, name))
}

fn mismatch(what: &str) -> Failure {
    Failure {
        claim: Some(what.to_owned()),
        ..Failure::from(Error::HeaderMismatch)
    }
}

/// Checks `headers`' `Mcp-Method` and `Mcp-Name` against the `method`
/// and name (`params.name`, or `params.uri` for `resources/read`) read
/// from the request's JSON-RPC body, by [`gatekey::mcp::check_body`].
///
/// # Errors
/// A [`Failure`] of [`Error::HeaderMismatch`] naming the header that
/// differs; its [`Refusal`](crate::Refusal) is the 400 with JSON-RPC
/// error `-32020` the transport requires.
pub fn check_body<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    method: &[u8],
    name: Option<&[u8]>,
) -> Result<(), Failure> {
    let (header_method, header_name) = call_headers(headers)?;
    if header_method != Some(method) {
        return Err(mismatch(if header_method.is_none() {
            "Mcp-Method missing"
        } else {
            "Mcp-Method"
        }));
    }
    mcp::check_body(header_method, header_name, method, name).map_err(|_| {
        mismatch(if header_name.is_none() {
            "Mcp-Name missing"
        } else {
            "Mcp-Name"
        })
    })
}

/// Decides the call `headers` name under `policy` for `identity`: the
/// scopes of its token (none for a Basic or proxy-asserted identity, nor
/// for an anonymous request, `None`, which the `required` option let
/// through).
/// A request without `Mcp-Method` is decided by the rules for every
/// method (`* : …`) alone; a surface that reads the body refuses it
/// anyway when the body calls something ([`check_body`]).
///
/// # Errors
/// [`Error::HeaderMismatch`] for a header given twice or an `Mcp-Name`
/// whose encoded form is not canonical; [`Error::InsufficientScope`]
/// naming every scope missing, with every scope the call needs for the
/// challenge ([`Error::MissingCredential`] for an anonymous request the
/// call needs scopes for: a credential may bring them).
pub fn authorize<'a>(
    policy: &ScopePolicy<Vec<String>>,
    identity: Option<&Identity<'_>>,
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), Failure> {
    let (method, name) = call_headers(headers)?;
    let method = method.unwrap_or_default();
    let mut buf = [0u8; MAX_NAME];
    let name = match name {
        Some(raw) => Some(mcp::decoded_name(raw, &mut buf).map_err(|_| mismatch("Mcp-Name"))?),
        None => None,
    };
    let scopes = identity.map(granted_to);
    let granted = |scope: &[u8]| scopes.is_some_and(|g| g.has(scope));
    if policy.check(method, name, &granted).is_ok() {
        return Ok(());
    }
    require_scopes(Some(policy), scopes, policy.required(method, name))
}

/// The scopes `identity` holds: its token's (none for a Basic or
/// proxy-asserted identity).
pub fn granted_to<'a>(identity: &Identity<'a>) -> Granted<'a> {
    identity
        .token
        .as_ref()
        .map_or_else(Granted::default, |t| t.claims.granted())
}

/// The scopes a verified payload, kept as JSON bytes past its token,
/// grants (`scope`, else `scp`, by [`gatekey::Claims::has_scope`]'s rule):
/// none without a payload (a Basic or proxy identity) or for one that
/// does not parse.
#[must_use]
pub fn granted_of_payload(payload: Option<&[u8]>) -> Granted<'_> {
    payload
        .and_then(|json| gatekey::json::Object::parse(json).ok())
        .map_or_else(Granted::default, Granted::of_payload)
}

/// Every scope of `granted`, in order, as text.
#[must_use]
pub fn scope_names(granted: &Granted<'_>) -> Vec<String> {
    let mut out = Vec::new();
    granted.each(|s| {
        out.push(match s {
            ScopeToken::Whole(whole) => crate::json_text(whole),
            ScopeToken::Part(part) => String::from_utf8_lossy(part).into_owned(),
        });
    });
    out
}

/// Decides a route that names the scopes it needs (a FastAPI
/// `Security(..., scopes=[...])`, a handler's `requires`), and the scopes
/// of an MCP call [`authorize`] found missing: every one of `needed` must
/// be held by `granted` (`None` for an anonymous request), directly or,
/// with a `policy`, through one of its hierarchy lines (MCP 2026-07-28
/// servers MUST account for scope hierarchies).
///
/// # Errors
/// [`Error::InsufficientScope`] naming the scopes missing, with all of
/// `needed`, once each, for the challenge (RFC 6750 §3.1);
/// [`Error::MissingCredential`] for an anonymous request.
pub fn require_scopes<'s>(
    policy: Option<&ScopePolicy<Vec<String>>>,
    granted: Option<Granted<'_>>,
    needed: impl IntoIterator<Item = &'s str>,
) -> Result<(), Failure> {
    let has = |scope: &[u8]| granted.is_some_and(|g| g.has(scope));
    let holds =
        |scope: &str| policy.map_or_else(|| has(scope.as_bytes()), |p| p.holds(scope, &has));
    let mut unique: Vec<&str> = Vec::new();
    for scope in needed {
        if !unique.contains(&scope) {
            unique.push(scope);
        }
    }
    let missing: Vec<&str> = unique.iter().copied().filter(|s| !holds(s)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let error = if granted.is_some() {
        Error::InsufficientScope
    } else {
        Error::MissingCredential
    };
    Err(Failure {
        claim: granted.map(|_| missing.join(" ")),
        scope: Some(unique.join(" ")),
        ..Failure::from(error)
    })
}
