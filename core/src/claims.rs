//! JWT claims (RFC 7519 §4) read from a verified payload, and the rules a
//! token must meet ([`Validation`]).

mod validation;

pub use validation::{Limits, Validation, MAX_DEPTH, MAX_LIST, MAX_NAME, MAX_PATH, MAX_VALUE};

use crate::json::{Array, JsonStr, Object, Value};
use crate::Error;

/// The claims of a verified token, read in place from its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Claims<'a> {
    obj: Object<'a>,
}

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Audience<'a> {
    /// A single audience.
    One(JsonStr<'a>),
    /// Several audiences.
    Many(Array<'a>),
}

/// `aud` as RFC 7519 §4.1.3 allows it: a string or an array of strings.
fn audience(value: Value<'_>) -> Result<Audience<'_>, Error> {
    if let Some(one) = value.as_str() {
        return Ok(Audience::One(one));
    }
    let many = value.as_array().ok_or(Error::InvalidClaim)?;
    if many.iter().any(|v| v.as_str().is_none()) {
        return Err(Error::InvalidClaim);
    }
    Ok(Audience::Many(many))
}

impl<'a> Audience<'a> {
    /// Whether any audience equals `name`.
    #[must_use]
    pub fn contains(&self, name: &[u8]) -> bool {
        self.any(|s| s.eq_bytes(name))
    }

    /// Whether any audience names the resource `uri`: equal, or the same
    /// `http`/`https` URI by RFC 3986 §6.2.2.1 and §6.2.3 (scheme and host
    /// compared without case, an empty path equal to `/`), which is the
    /// comparison RFC 8707 §2 resource indicators and MCP's canonical
    /// server URI call for (an `HTTPS://MCP.Example.com` audience names
    /// `https://mcp.example.com`; `/mcp/` is not `/mcp`).
    #[must_use]
    pub fn names_resource(&self, uri: &[u8]) -> bool {
        self.any(|s| {
            if s.eq_bytes(uri) {
                return true;
            }
            let mut buf = [0u8; MAX_RESOURCE];
            s.decode_into(&mut buf)
                .is_ok_and(|actual| same_resource(uri, actual.as_bytes()))
        })
    }

    fn any(&self, f: impl Fn(&JsonStr<'a>) -> bool) -> bool {
        match self {
            Audience::One(s) => f(s),
            Audience::Many(a) => a.iter().any(|v| v.as_str().is_some_and(|s| f(&s))),
        }
    }
}

/// The longest audience compared as a URI, in bytes.
const MAX_RESOURCE: usize = 512;

/// `(scheme, authority, rest)` of an absolute `http`/`https` URI without
/// user information.
fn uri_parts(uri: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let at = uri.windows(3).position(|w| w == b"://")?;
    let (scheme, after) = uri.split_at_checked(at)?;
    let after = after.get(3..)?;
    if !(scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https")) {
        return None;
    }
    let end = after
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    let (authority, rest) = after.split_at_checked(end)?;
    if authority.is_empty() || authority.contains(&b'@') {
        return None;
    }
    Some((scheme, authority, rest))
}

/// Whether `a` and `b` are the same `http`/`https` URI up to the case of
/// scheme and host and an empty path versus `/`.
fn same_resource(a: &[u8], b: &[u8]) -> bool {
    let (Some((sa, ha, ra)), Some((sb, hb, rb))) = (uri_parts(a), uri_parts(b)) else {
        return false;
    };
    let root = |r: &[u8]| r.is_empty() || r == b"/";
    sa.eq_ignore_ascii_case(sb)
        && ha.eq_ignore_ascii_case(hb)
        && (ra == rb || (root(ra) && root(rb)))
}

/// The registered claims (RFC 7519 §4.1) and the access-token claims of
/// RFC 9068, read and type-checked in one pass over the payload.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Registered<'a> {
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub iss: Option<JsonStr<'a>>,
    pub sub: Option<JsonStr<'a>>,
    pub jti: Option<JsonStr<'a>>,
    pub azp: Option<JsonStr<'a>>,
    pub client_id: Option<JsonStr<'a>>,
    pub aud: Option<Audience<'a>>,
    /// The first registered claim found with the wrong JSON type.
    pub error: Option<Error>,
    /// The name of that claim ("" while there is none).
    pub error_claim: &'static str,
}

impl<'a> Registered<'a> {
    /// Reads one member of the payload if it is a registered claim. A
    /// registered claim with the wrong JSON type is [`Error::InvalidClaim`]
    /// even when nothing requires it (a string `exp` must not read as "no
    /// expiry"); the first such error is kept in `error`. Names are compared
    /// after decoding escapes, so `"\u0065xp"` is `exp`.
    pub(crate) fn visit(&mut self, name: JsonStr<'a>, value: Value<'a>) {
        if let Err((e, claim)) = self.read(name, value) {
            if self.error.is_none() {
                self.error = Some(e);
                self.error_claim = claim;
            }
        }
    }

    fn read(&mut self, name: JsonStr<'a>, value: Value<'a>) -> Result<(), (Error, &'static str)> {
        let date = |v: Value<'a>, n| v.as_i64().ok_or((Error::InvalidClaim, n)).map(Some);
        let string = |v: Value<'a>, n| v.as_str().ok_or((Error::InvalidClaim, n)).map(Some);
        // Registered names are short ASCII; an escaped one is decoded first,
        // into a buffer as long as the longest name.
        let mut decoded = [0u8; 9];
        let name = if name.is_escaped() {
            match name.decode_into(&mut decoded) {
                Ok(text) => text.as_bytes(),
                Err(_) => return Ok(()), // longer than any registered name
            }
        } else {
            name.raw()
        };
        match name {
            b"exp" => self.exp = date(value, "exp")?,
            b"nbf" => self.nbf = date(value, "nbf")?,
            b"iat" => self.iat = date(value, "iat")?,
            b"iss" => self.iss = string(value, "iss")?,
            b"sub" => self.sub = string(value, "sub")?,
            b"jti" => self.jti = string(value, "jti")?,
            b"azp" => self.azp = string(value, "azp")?,
            b"client_id" => self.client_id = string(value, "client_id")?,
            b"aud" => self.aud = Some(audience(value).map_err(|e| (e, "aud"))?),
            _ => {}
        }
        Ok(())
    }

    /// Whether the claim `name` is present, when it is one read here.
    pub(crate) fn has(&self, name: &str) -> Option<bool> {
        Some(match name {
            "exp" => self.exp.is_some(),
            "nbf" => self.nbf.is_some(),
            "iat" => self.iat.is_some(),
            "iss" => self.iss.is_some(),
            "sub" => self.sub.is_some(),
            "jti" => self.jti.is_some(),
            "azp" => self.azp.is_some(),
            "client_id" => self.client_id.is_some(),
            "aud" => self.aud.is_some(),
            _ => return None,
        })
    }
}

impl<'a> Claims<'a> {
    pub(crate) fn new(obj: Object<'a>) -> Self {
        Claims { obj }
    }

    /// A payload validated and its registered claims read in the same pass.
    ///
    /// # Errors
    /// As [`Object::parse`]; a registered claim of the wrong type is not an
    /// error here but kept in [`Registered::error`], so that it is reported
    /// after the signature check, as before.
    pub(crate) fn parse(payload: &'a [u8]) -> Result<(Self, Registered<'a>), Error> {
        let mut r = Registered::default();
        let obj = Object::parse_visiting(payload, |name, value| r.visit(name, value))?;
        Ok((Claims::new(obj), r))
    }

    /// Reads every registered claim in one pass over the payload.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] for a registered claim of the wrong type.
    pub(crate) fn registered(&self) -> Result<Registered<'a>, Error> {
        let mut r = Registered::default();
        for (name, value) in self.obj.members() {
            r.visit(name, value);
        }
        r.error.map_or(Ok(r), Err)
    }

    /// The payload JSON, as signed.
    #[must_use]
    pub fn json(&self) -> &'a [u8] {
        self.obj.raw()
    }

    /// The payload as a JSON object, for claims of your own.
    #[must_use]
    pub fn object(&self) -> Object<'a> {
        self.obj
    }

    /// Any claim, as a JSON value.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Value<'a>> {
        self.obj.get(name)
    }

    /// A nested claim by path, e.g. `["realm_access", "roles"]`.
    #[must_use]
    pub fn path(&self, path: &[&str]) -> Option<Value<'a>> {
        self.obj.path(path)
    }

    /// A string claim; `Err` when present with another type.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`].
    pub fn string(&self, name: &str) -> Result<Option<JsonStr<'a>>, Error> {
        self.get(name)
            .map(|v| v.as_str().ok_or(Error::InvalidClaim))
            .transpose()
    }

    /// A NumericDate claim (seconds); `Err` when present and not a number.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`].
    pub fn date(&self, name: &str) -> Result<Option<i64>, Error> {
        self.get(name)
            .map(|v| v.as_i64().ok_or(Error::InvalidClaim))
            .transpose()
    }

    /// `sub`, the subject (RFC 7519 §4.1.2).
    #[must_use]
    pub fn sub(&self) -> Option<JsonStr<'a>> {
        self.string("sub").ok().flatten()
    }

    /// `iss`, the issuer (RFC 7519 §4.1.1).
    #[must_use]
    pub fn iss(&self) -> Option<JsonStr<'a>> {
        self.string("iss").ok().flatten()
    }

    /// `jti`, the token id (RFC 7519 §4.1.7).
    #[must_use]
    pub fn jti(&self) -> Option<JsonStr<'a>> {
        self.string("jti").ok().flatten()
    }

    /// `scope`, space-separated (RFC 9068 §2.2.3, RFC 8693 §4.2).
    #[must_use]
    pub fn scope(&self) -> Option<JsonStr<'a>> {
        self.string("scope").ok().flatten()
    }

    /// `client_id` (RFC 9068 §2.2).
    #[must_use]
    pub fn client_id(&self) -> Option<JsonStr<'a>> {
        self.string("client_id").ok().flatten()
    }

    /// `azp`, the authorized party (OpenID Connect Core §2).
    #[must_use]
    pub fn azp(&self) -> Option<JsonStr<'a>> {
        self.string("azp").ok().flatten()
    }

    /// `exp` (RFC 7519 §4.1.4).
    #[must_use]
    pub fn exp(&self) -> Option<i64> {
        self.date("exp").ok().flatten()
    }

    /// `nbf` (RFC 7519 §4.1.5).
    #[must_use]
    pub fn nbf(&self) -> Option<i64> {
        self.date("nbf").ok().flatten()
    }

    /// `iat` (RFC 7519 §4.1.6).
    #[must_use]
    pub fn iat(&self) -> Option<i64> {
        self.date("iat").ok().flatten()
    }

    /// `aud`, if it is a string or an array of strings (a verified token's always is).
    #[must_use]
    pub fn aud(&self) -> Option<Audience<'a>> {
        self.get("aud").and_then(|v| audience(v).ok())
    }

    /// Whether the token grants `wanted`: the one scopes rule of gatekey,
    /// used by [`Validation`]'s check and by every binding's MCP adapter.
    ///
    /// - `scope` (RFC 9068 §2.2.3, RFC 8693 §4.2), a string of scope tokens
    ///   separated by single spaces (RFC 6749 §3.3; no other whitespace
    ///   separates them), is read when present;
    /// - otherwise `scp`, as common identity providers send it: an array of
    ///   strings (Okta) or a space-separated string (Microsoft Entra).
    ///
    /// An empty `wanted` is never granted.
    #[must_use]
    pub fn has_scope(&self, wanted: &[u8]) -> bool {
        self.granted().has(wanted)
    }

    /// Calls `visit` with every scope the token grants, by the rule of
    /// [`has_scope`](Self::has_scope), in order (an `scp` array's elements;
    /// the space-separated tokens of a string, as [`JsonStr`]s of literal
    /// bytes when the string had no escapes).
    pub fn each_scope(&self, visit: impl FnMut(&ScopeToken<'_>)) {
        self.granted().each(visit);
    }

    /// The scopes the token grants, found once, by the rule of
    /// [`has_scope`](Self::has_scope): for a decision that asks about
    /// several scopes ([`ScopePolicy`](crate::mcp::ScopePolicy)) without
    /// looking the claim up again for each.
    #[must_use]
    pub fn granted(&self) -> Granted<'a> {
        Granted::of_payload(self.obj)
    }
}

/// The `scope` (else `scp`) claim of a token, found: see
/// [`Claims::granted`]. Up to [`GRANTED_INLINE`] scopes without escapes
/// are kept as slices, so that asking for one is a few comparisons.
#[derive(Clone, Copy, Debug, Default)]
pub struct Granted<'a> {
    value: Option<Value<'a>>,
    inline: [&'a [u8]; GRANTED_INLINE],
    /// How many of `inline` hold scopes, when they hold all of them.
    inlined: Option<usize>,
}

/// How many scopes [`Granted`] keeps as slices.
pub const GRANTED_INLINE: usize = 16;

impl<'a> Granted<'a> {
    /// The scopes a token's payload grants, by the rule of
    /// [`Claims::has_scope`]: for a layer that keeps a verified payload's
    /// bytes ([`Claims::json`]) past the token it came with, and reads
    /// them again with [`Object::parse`]. It verifies nothing.
    #[must_use]
    pub fn of_payload(payload: Object<'a>) -> Self {
        Granted::new(payload.get("scope").or_else(|| payload.get("scp")))
    }

    fn new(value: Option<Value<'a>>) -> Self {
        let mut granted = Granted {
            value,
            inline: [&[]; GRANTED_INLINE],
            inlined: None,
        };
        let Some(plain) = value.and_then(|v| v.as_str()).and_then(|s| s.as_str()) else {
            return granted;
        };
        let mut count = 0usize;
        for part in plain
            .as_bytes()
            .split(|&b| b == b' ')
            .filter(|p| !p.is_empty())
        {
            let Some(slot) = granted.inline.get_mut(count) else {
                return granted;
            };
            *slot = part;
            count = count.saturating_add(1);
        }
        granted.inlined = Some(count);
        granted
    }

    /// Whether `wanted` is one of the scopes (never when empty).
    #[must_use]
    pub fn has(&self, wanted: &[u8]) -> bool {
        if wanted.is_empty() {
            return false;
        }
        if let Some(count) = self.inlined {
            return self.inline.iter().take(count).any(|s| *s == wanted);
        }
        let mut granted = false;
        self.each(|s| granted |= s.eq_bytes(wanted));
        granted
    }

    /// Calls `visit` with every scope, in order.
    pub fn each(&self, mut visit: impl FnMut(&ScopeToken<'_>)) {
        let Some(value) = self.value else { return };
        if let Some(s) = value.as_str() {
            each_token(&s, &mut visit);
        } else if let Some(list) = value.as_array() {
            for element in list.iter() {
                if let Some(s) = element.as_str() {
                    visit(&ScopeToken::Whole(s));
                }
            }
        }
    }
}

/// One scope a token grants: a whole JSON string (an `scp` element) or a
/// space-separated part of one (of `scope`).
#[derive(Clone, Copy, Debug)]
pub enum ScopeToken<'s> {
    /// A whole JSON string.
    Whole(JsonStr<'s>),
    /// The part of a string that ran from one space to the next, as
    /// decoded bytes.
    Part(&'s [u8]),
}

impl ScopeToken<'_> {
    /// Whether this scope is exactly `wanted`.
    #[must_use]
    pub fn eq_bytes(&self, wanted: &[u8]) -> bool {
        match self {
            ScopeToken::Whole(s) => s.eq_bytes(wanted),
            ScopeToken::Part(p) => *p == wanted,
        }
    }
}

/// Splits a `scope` string on single spaces (RFC 6749 §3.3) and visits each
/// non-empty token. A string with escapes is compared through its decoded
/// bytes one token at a time, without a buffer.
fn each_token(scope: &JsonStr<'_>, visit: &mut impl FnMut(&ScopeToken<'_>)) {
    if let Some(plain) = scope.as_str() {
        for part in plain.as_bytes().split(|&b| b == b' ') {
            if !part.is_empty() {
                visit(&ScopeToken::Part(part));
            }
        }
        return;
    }
    // Escaped: decode into a small stack window per token; a token longer
    // than the window cannot equal any configured scope (MAX_VALUE bytes).
    let mut window = [0u8; validation::MAX_VALUE];
    let mut len = 0usize;
    let mut overflow = false;
    for b in scope.bytes().chain(core::iter::once(b' ')) {
        if b == b' ' {
            if len > 0 && !overflow {
                if let Some(part) = window.get(..len) {
                    visit(&ScopeToken::Part(part));
                }
            }
            len = 0;
            overflow = false;
        } else if let Some(slot) = window.get_mut(len) {
            *slot = b;
            len = len.saturating_add(1);
        } else {
            overflow = true;
        }
    }
}
