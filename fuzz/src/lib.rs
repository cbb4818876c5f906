//! What the fuzz targets share: the text form of a request their seeds are
//! written in, the policy a selector byte stands for, and the key set.
//!
//! A request input is one selector byte, then lines separated by `\n`:
//! `Name: value` is a header field (one space after the colon is dropped),
//! `?query` the query string, `!token` an explicit token. The seeds in
//! `corpus/*/seed-*` are written by `seeds.py` from the test data.
#![allow(clippy::missing_panics_doc)]

use gatekey::{BasicCredentials, Conflict, KeySet, Policy, Source, Validation};

/// The fixed clock of every target: the core tests' `NOW`.
pub const NOW: i64 = 1_750_000_000;
/// The HS256 secret of the tests (kid `hs1`).
pub const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-gateway-secret";
/// The P-256 private scalar of the tests (kid `ec1`).
pub const EC_SCALAR: [u8; 32] = [7; 32];
/// The test keys: ES256 `ec1`, HS256 `hs1` (as an `oct` JWK), the RSA key
/// of RFC 7515 appendix A.2 as `rsa1`, its A.1 HMAC key as `rfc7515-a1`.
pub const JWKS: &str = include_str!("jwks.json");

/// A request parsed from the text form.
#[derive(Debug, Default)]
pub struct RequestText<'a> {
    /// Header fields, in order.
    pub headers: Vec<(&'a [u8], &'a [u8])>,
    /// The query string (the last `?` line).
    pub query: Option<&'a [u8]>,
    /// The explicit token (the last `!` line).
    pub token: Option<&'a [u8]>,
}

impl<'a> RequestText<'a> {
    /// Parses the lines after the selector byte.
    #[must_use]
    pub fn parse(text: &'a [u8]) -> Self {
        let mut r = RequestText::default();
        for line in text.split(|&b| b == b'\n') {
            match line.split_first() {
                Some((b'?', q)) => r.query = Some(q),
                Some((b'!', t)) => r.token = Some(t),
                _ => {
                    let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
                    let (name, value) = line.split_at(colon);
                    let value = value.get(1..).unwrap_or_default();
                    let value = value.strip_prefix(b" ").unwrap_or(value);
                    r.headers.push((name, value));
                }
            }
        }
        r
    }
}

/// What a selector byte configures:
/// bits 0–1 the preset (header_first, cookie_first, strict, or a custom
/// reverse order), bits 2–3 a conflict mode override (none, first, agree,
/// single), bit 4 the query source, bit 5 Basic credentials
/// (`admin`/`s3cret`), bit 6 a proxy header (`X-Authenticated-User`),
/// bit 7 the cookie name `session` instead of `jwt_token`.
#[derive(Clone, Copy, Debug)]
pub struct Selector(pub u8);

impl Selector {
    /// The preset index (0–3).
    #[must_use]
    pub fn preset(self) -> u8 {
        self.0 & 3
    }

    /// The conflict override.
    #[must_use]
    pub fn conflict(self) -> Option<Conflict> {
        match (self.0 >> 2) & 3 {
            1 => Some(Conflict::First),
            2 => Some(Conflict::Agree),
            3 => Some(Conflict::Single),
            _ => None,
        }
    }

    /// Bit `n`.
    #[must_use]
    pub fn bit(self, n: u8) -> bool {
        self.0 & (1 << n) != 0
    }

    /// The core policy this selector stands for.
    #[must_use]
    pub fn policy(self) -> Policy {
        let mut p = match self.preset() {
            0 => Policy::header_first(),
            1 => Policy::cookie_first(),
            2 => Policy::strict(),
            _ => Policy::custom(
                &[
                    Source::Explicit,
                    Source::Query,
                    Source::Cookie,
                    Source::Bearer,
                    Source::Basic,
                    Source::Proxy,
                ],
                Conflict::First,
            )
            .expect("a valid custom order"),
        };
        if let Some(c) = self.conflict() {
            p = p.with_conflict(c);
        }
        if self.bit(4) {
            p = p.with_query(true);
        }
        if self.bit(5) {
            p = p.with_basic(BasicCredentials::new(b"admin", b"s3cret").expect("valid"));
        }
        if self.bit(6) {
            p = p.with_proxy_header(b"X-Authenticated-User").expect("valid");
        }
        if self.bit(7) {
            p = p.with_cookie_name(b"session").expect("valid");
        }
        p
    }
}

/// The key set of [`JWKS`].
#[must_use]
pub fn keys() -> KeySet<4> {
    KeySet::from_jwks(JWKS.as_bytes()).expect("the fuzz JWKS is valid")
}

/// Issuer and audience of the test tokens, `exp` required.
#[must_use]
pub fn validation() -> Validation {
    Validation::new()
        .with_issuer("https://idp.example")
        .and_then(|v| v.with_audience("mcp"))
        .expect("valid")
}
