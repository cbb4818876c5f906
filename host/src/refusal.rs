//! A refused request, written once: the [`Failure`] (the error and what it
//! is about) and the HTTP [`Refusal`] every surface answers with (the
//! ASGI middleware, the MCP adapters, the Node adapters, the C helper and
//! the proxy server), byte for byte the same for the same failure.
//!
//! The body is one JSON object of strings, with no number that could be
//! read as an HTTP status:
//!
//! ```json
//! {"error":"invalid_token","error_description":"the token lacks a required claim: jti","reason":"missing_claim","claim":"jti"}
//! ```
//!
//! - `error`: the RFC 6750 §3.1 code (`invalid_request`, `invalid_token`,
//!   `insufficient_scope`); `unauthorized` when the request carried no
//!   credential (RFC 6750 §3.1: the challenge then has no code);
//!   `server_error` for a configuration fault;
//! - `error_description`: [`Failure::message`];
//! - `reason`: gatekey's stable error name (`expired`, `unknown_key`);
//! - `claim`, `kid`, `issuer`: present when the failure names them.
//!
//! A [`Error::HeaderMismatch`] is answered as MCP's Streamable HTTP
//! transport requires instead: 400 with no challenge and a JSON-RPC error
//! of code `-32020` (the request `id` is not known here, so `null`, as
//! JSON-RPC 2.0 §5 allows):
//!
//! ```json
//! {"jsonrpc":"2.0","id":null,"error":{"code":-32020,"message":"the Mcp-Method or Mcp-Name header does not match the request body: Mcp-Name"}}
//! ```

use core::fmt::{self, Write as _};

use gatekey::{Error, Family};

use crate::options::{shorten, ChallengeParams};

/// The longest `kid` or issuer a failure repeats, in characters.
pub const MAX_NAMED: usize = 64;

/// Why a request or a token was refused, and what it was about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The error (its code and name are stable).
    pub error: Error,
    /// The claim a claims error is about (`exp`, `jti`,
    /// `realm_access.roles`), or the scope missing for `insufficient_scope`.
    pub claim: Option<String>,
    /// The token's `kid`, for a key error: printable ASCII, escaped and
    /// bounded to [`MAX_NAMED`] characters.
    pub kid: Option<String>,
    /// The token's `iss`, for an issuer error: bounded as `kid`.
    pub issuer: Option<String>,
    /// Every scope the refused call needs, space-separated, for an
    /// `insufficient_scope` decided by the scope policy: the challenge's
    /// `scope` then (MCP: one challenge carries all of them).
    pub scope: Option<String>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            claim: None,
            kid: None,
            issuer: None,
            scope: None,
        }
    }
}

impl Failure {
    /// The error's message, followed by what it names:
    /// `"the token lacks a required claim: jti"`.
    #[must_use]
    pub fn message(&self) -> String {
        let mut out = self.error.message().to_owned();
        if let Some(claim) = &self.claim {
            let _ = write!(out, ": {claim}");
        } else if let Some(kid) = &self.kid {
            let _ = write!(out, ": kid {kid}");
        } else if let Some(iss) = &self.issuer {
            let _ = write!(out, ": {iss}");
        }
        out
    }

    /// The HTTP answer for this failure under `params`.
    #[must_use]
    pub fn refusal(&self, params: &ChallengeParams) -> Refusal {
        Refusal::new(self, params)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Failure {}

/// Bytes of a token value (`kid`, `iss`) as a bounded printable string:
/// visible ASCII kept, everything else as `\xNN`.
#[must_use]
pub fn printable(bytes: impl IntoIterator<Item = u8>) -> String {
    let mut out = String::new();
    for b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
        if out.len() > MAX_NAMED.saturating_mul(4) {
            break;
        }
    }
    shorten(&out, MAX_NAMED)
}

/// What to answer a refused request with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 401, 403 or 500.
    pub status: u16,
    /// The `WWW-Authenticate` value (RFC 6750 §3), or `None` for a 500.
    pub www_authenticate: Option<String>,
    /// The JSON body (see the module's documentation), `application/json`.
    pub body: String,
}

impl Refusal {
    /// The answer to `failure`, with the challenge parameters `params`.
    /// Parameters the core cannot write (a realm with a control
    /// character) are left out; [`Options`](crate::Options) refuses them
    /// when a verifier is built, so that never happens through one.
    #[must_use]
    pub fn new(failure: &Failure, params: &ChallengeParams) -> Self {
        let http = failure.error.http();
        if failure.error == Error::HeaderMismatch {
            let mut body = String::from(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32020,"#);
            member(&mut body, "message", &failure.message());
            body.push_str("}}");
            return Refusal {
                status: http.status,
                www_authenticate: None,
                body,
            };
        }
        let www_authenticate =
            (failure.error.family() != Family::Configuration).then(|| match &failure.scope {
                Some(scope) => challenge(
                    failure.error,
                    &ChallengeParams {
                        scope: Some(scope.clone()),
                        ..params.clone()
                    },
                ),
                None => challenge(failure.error, params),
            });
        let error = match (http.error, failure.error.family()) {
            (Some(code), _) => code,
            (None, Family::Configuration) => "server_error",
            (None, _) => "unauthorized",
        };
        let mut body = String::with_capacity(160);
        body.push('{');
        member(&mut body, "error", error);
        body.push(',');
        member(&mut body, "error_description", &failure.message());
        body.push(',');
        member(&mut body, "reason", failure.error.name());
        for (name, value) in [
            ("claim", &failure.claim),
            ("kid", &failure.kid),
            ("issuer", &failure.issuer),
        ] {
            if let Some(value) = value {
                body.push(',');
                member(&mut body, name, value);
            }
        }
        body.push('}');
        Refusal {
            status: http.status,
            www_authenticate,
            body,
        }
    }
}

/// The `WWW-Authenticate` value for `error` (bare `Bearer` plus the
/// parameters for a missing credential), by the core's writer.
#[must_use]
pub fn challenge(error: Error, params: &ChallengeParams) -> String {
    let mut buf = vec![0u8; 512];
    loop {
        match params.core().write(Some(error), &mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return String::from_utf8(buf).unwrap_or_default();
            }
            Err(Error::BufferTooSmall) if buf.len() < 64 * 1024 => {
                buf.resize(buf.len().saturating_mul(4), 0);
            }
            Err(_) => {
                // Unwritable parameters (refused by Options): the bare
                // challenge with the error, which the core always writes.
                let bare = ChallengeParams::default();
                let mut small = vec![0u8; 512];
                let n = bare.core().write(Some(error), &mut small).unwrap_or(0);
                small.truncate(n);
                return String::from_utf8(small).unwrap_or_default();
            }
        }
    }
}

/// Appends `"name":"value"` with JSON string escaping (RFC 8259 §7).
fn member(out: &mut String, name: &str, value: &str) {
    string(out, name);
    out.push(':');
    string(out, value);
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
