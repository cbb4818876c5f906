//! What a token's claims must satisfy: time window, issuer, audience,
//! authorized party, required claims, scopes, header type.

use heapless::{String, Vec};

use super::{Claims, Registered};
use crate::jose::Header;
use crate::Error;

/// How many issuers, audiences, authorized parties, client ids, required
/// claims or scopes a [`Validation`] holds.
pub const MAX_LIST: usize = 4;
/// The longest issuer, audience or scope, in bytes.
pub const MAX_VALUE: usize = 256;
/// The longest required-claim name or `typ`, in bytes.
pub const MAX_NAME: usize = 32;

type Text = String<MAX_VALUE>;
type Name = String<MAX_NAME>;

/// The rules a token must meet besides its signature.
///
/// `Validation::new()` requires `exp` and nothing else; issuer and audience
/// are checked once configured. Times are compared against the caller's
/// `now` with [`leeway`](Validation::with_leeway) seconds of tolerance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    leeway: u32,
    issuers: Vec<Text, MAX_LIST>,
    audiences: Vec<Text, MAX_LIST>,
    parties: Vec<Text, MAX_LIST>,
    clients: Vec<Text, MAX_LIST>,
    required: Vec<Name, MAX_LIST>,
    scopes: Vec<Text, MAX_LIST>,
    values: Vec<(Path, Text), MAX_LIST>,
    typ: Option<Name>,
    limits: Limits,
    refuse_id_tokens: bool,
}

/// Bounds on the work done before a token's signature is checked, so no
/// input costs more than a small multiple of a valid token (checked by
/// [`verify`](crate::verify) before anything is decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest token, in bytes (default [`MAX_FIELD_LEN`](crate::MAX_FIELD_LEN),
    /// the longest header field gatekey reads).
    pub max_token_len: usize,
    /// The longest decoded JOSE header, in bytes (default 2048: an `x5c`
    /// chain belongs in a JWKS, not in every token).
    pub max_header_len: usize,
    /// The most members of the JOSE header (default 16; RFC 7515 and
    /// 7797 register 13).
    pub max_header_members: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_len: crate::MAX_FIELD_LEN,
            max_header_len: 2048,
            max_header_members: 16,
        }
    }
}

impl Limits {
    /// Refuses `token` when it, or its header segment, is longer than
    /// allowed: a scan for the first `.`, nothing decoded.
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`] or [`Error::HeaderTooLarge`].
    pub fn check(&self, token: &[u8]) -> Result<(), Error> {
        if token.len() > self.max_token_len {
            return Err(Error::TokenTooLarge);
        }
        let header = token.iter().position(|&b| b == b'.').unwrap_or(token.len());
        if crate::buffer_len(header) > self.max_header_len.saturating_add(2) {
            return Err(Error::HeaderTooLarge);
        }
        Ok(())
    }
}

/// The longest claim path of [`Validation::with_claim_value`], in bytes.
pub const MAX_PATH: usize = 64;
/// How many members deep a claim path reaches at most.
pub const MAX_DEPTH: usize = 4;

type Path = String<MAX_PATH>;

impl Default for Validation {
    fn default() -> Self {
        Validation::new()
    }
}

fn text<const N: usize>(s: &str) -> Result<String<N>, Error> {
    String::try_from(s).map_err(|()| Error::ConfigTooLong)
}

fn push<T>(list: &mut Vec<T, MAX_LIST>, value: T) -> Result<(), Error> {
    list.push(value).map_err(|_| Error::ConfigListFull)
}

impl Validation {
    /// Requires `exp`; no issuer, audience or scope configured; no leeway.
    #[must_use]
    pub fn new() -> Self {
        let mut required = Vec::new();
        let _ = required.push(Name::try_from("exp").unwrap_or_default());
        Validation {
            leeway: 0,
            issuers: Vec::new(),
            audiences: Vec::new(),
            parties: Vec::new(),
            clients: Vec::new(),
            required,
            scopes: Vec::new(),
            values: Vec::new(),
            typ: None,
            limits: Limits::default(),
            refuse_id_tokens: false,
        }
    }

    /// Refuses OpenID Connect ID tokens presented as access tokens: a
    /// token with a `nonce` or `at_hash` claim (OIDC Core §2, §3.1.3.6;
    /// an RFC 9068 access token has neither) is [`Error::IdToken`]. An
    /// MCP server (which must accept only tokens issued for it) wants this;
    /// a service fronted by Google's IAP, which passes ID tokens, does not.
    #[must_use]
    pub fn with_id_tokens_refused(mut self, refused: bool) -> Self {
        self.refuse_id_tokens = refused;
        self
    }

    /// Whether ID tokens are refused.
    #[must_use]
    pub fn refuses_id_tokens(&self) -> bool {
        self.refuse_id_tokens
    }

    /// Seconds of clock skew tolerated for `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn with_leeway(mut self, seconds: u32) -> Self {
        self.leeway = seconds;
        self
    }

    /// Accepts tokens from `issuer` (`iss` must then be one of those added).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, Error> {
        push(&mut self.issuers, text(issuer)?)?;
        Ok(self)
    }

    /// Accepts tokens for `audience` (`aud` must then name one of those
    /// added; an `http`/`https` audience is compared as a URI, see
    /// [`Audience::names_resource`](crate::claims::Audience::names_resource)).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn with_audience(mut self, audience: &str) -> Result<Self, Error> {
        push(&mut self.audiences, text(audience)?)?;
        Ok(self)
    }

    /// Accepts tokens whose `azp` (OpenID Connect Core §2, the client the
    /// token was issued to; Keycloak sets it) is `party`: once one is
    /// added, `azp` must be present and one of those added.
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn with_authorized_party(mut self, party: &str) -> Result<Self, Error> {
        push(&mut self.parties, text(party)?)?;
        Ok(self)
    }

    /// Accepts tokens whose `client_id` (RFC 9068 §2.2) is `client`: once
    /// one is added, `client_id` must be present and one of those added.
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn with_client_id(mut self, client: &str) -> Result<Self, Error> {
        push(&mut self.clients, text(client)?)?;
        Ok(self)
    }

    /// Replaces the accepted issuers with `issuer` alone (an [`Issuer`](crate::Issuer)
    /// pins its validation to its own name).
    pub(crate) fn only_issuer(&mut self, issuer: &str) -> Result<(), Error> {
        self.issuers.clear();
        push(&mut self.issuers, text(issuer)?)
    }

    /// Requires claim `name` to be present (e.g. `jti`).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn require(mut self, name: &str) -> Result<Self, Error> {
        if !self.required.iter().any(|r| r == name) {
            push(&mut self.required, text(name)?)?;
        }
        Ok(self)
    }

    /// Requires no claim at all (not even `exp`): for tokens that never
    /// expire, which a careful service should rarely accept.
    #[must_use]
    pub fn require_nothing(mut self) -> Self {
        self.required.clear();
        self
    }

    /// Requires `scope` to include `scope`; a token without it is
    /// [`Error::InsufficientScope`] (HTTP 403).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] or [`Error::ConfigListFull`].
    pub fn with_scope(mut self, scope: &str) -> Result<Self, Error> {
        push(&mut self.scopes, text(scope)?)?;
        Ok(self)
    }

    /// Requires the claim at `path` (member names joined by `.`, e.g.
    /// `realm_access.roles`, Keycloak's realm roles) to be the string
    /// `value`, or an array that contains it. An absent claim is
    /// [`Error::MissingClaim`], another value [`Error::WrongClaimValue`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an empty path, an empty member name or
    /// more than [`MAX_DEPTH`] members; [`Error::ConfigTooLong`] or
    /// [`Error::ConfigListFull`].
    pub fn with_claim_value(mut self, path: &str, value: &str) -> Result<Self, Error> {
        let members = path.split('.');
        if path.is_empty() || members.clone().any(str::is_empty) || members.count() > MAX_DEPTH {
            return Err(Error::InvalidConfig);
        }
        push(&mut self.values, (text(path)?, text(value)?))?;
        Ok(self)
    }

    /// The required claim values, as `(path, value)` pairs.
    pub fn claim_values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(p, v)| (p.as_str(), v.as_str()))
    }

    /// The required scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// Requires the header `typ` (e.g. `at+jwt`, RFC 9068 §2.1).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`].
    pub fn with_typ(mut self, typ: &str) -> Result<Self, Error> {
        self.typ = Some(text(typ)?);
        Ok(self)
    }

    /// Replaces the limits on work before the signature (see [`Limits`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero limit, or more header members
    /// than [`MAX_MEMBERS`](crate::json::MAX_MEMBERS).
    pub fn with_limits(mut self, limits: Limits) -> Result<Self, Error> {
        if limits.max_token_len == 0
            || limits.max_header_len == 0
            || limits.max_header_members == 0
            || limits.max_header_members > crate::json::MAX_MEMBERS
        {
            return Err(Error::InvalidConfig);
        }
        self.limits = limits;
        Ok(self)
    }

    /// The limits on work before the signature.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The leeway in seconds.
    #[must_use]
    pub fn leeway(&self) -> u32 {
        self.leeway
    }

    /// The required claims.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.required.iter().map(String::as_str)
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.issuers.iter().map(String::as_str)
    }

    /// The accepted audiences.
    pub fn audiences(&self) -> impl Iterator<Item = &str> {
        self.audiences.iter().map(String::as_str)
    }

    /// The accepted authorized parties (`azp`).
    pub fn authorized_parties(&self) -> impl Iterator<Item = &str> {
        self.parties.iter().map(String::as_str)
    }

    /// The accepted client ids (`client_id`).
    pub fn client_ids(&self) -> impl Iterator<Item = &str> {
        self.clients.iter().map(String::as_str)
    }

    /// Checks the header's `typ`, if one is required.
    pub(crate) fn check_header(&self, header: &Header<'_>) -> Result<(), Error> {
        match &self.typ {
            Some(typ) if !header.typ_is(typ.as_bytes()) => Err(Error::WrongType),
            _ => Ok(()),
        }
    }

    /// Checks the time window of `exp` and `nbf` at `now`, with leeway:
    /// RFC 7519 §4.1.4 (now MUST be before exp) and §4.1.5 (now MUST be on
    /// or after nbf). The verified-token cache calls this on every hit.
    ///
    /// # Errors
    /// [`Error::Expired`] or [`Error::NotYetValid`].
    pub fn check_window(&self, exp: Option<i64>, nbf: Option<i64>, now: i64) -> Result<(), Error> {
        let leeway = i64::from(self.leeway);
        if exp.is_some_and(|exp| now >= exp.saturating_add(leeway)) {
            return Err(Error::Expired);
        }
        if nbf.is_some_and(|nbf| now.saturating_add(leeway) < nbf) {
            return Err(Error::NotYetValid);
        }
        Ok(())
    }

    /// Checks the times of a token at `now`, with leeway: the window of
    /// [`check_window`](Self::check_window), then `iat` not in the future
    /// (RFC 7519 §4.1.6). The one rule of a miss and of a cache hit.
    ///
    /// # Errors
    /// [`Error::Expired`], [`Error::NotYetValid`] or [`Error::IssuedInFuture`].
    pub fn check_times(
        &self,
        exp: Option<i64>,
        nbf: Option<i64>,
        iat: Option<i64>,
        now: i64,
    ) -> Result<(), Error> {
        self.check_window(exp, nbf, now)?;
        if iat.is_some_and(|iat| iat > now.saturating_add(i64::from(self.leeway))) {
            return Err(Error::IssuedInFuture);
        }
        Ok(())
    }

    /// Checks the claims against `now` (seconds since the Unix epoch).
    ///
    /// # Errors
    /// The first rule broken, in this order: claim types, required claims,
    /// `exp`, `nbf`, `iat`, `iss`, ID token, `aud`, `azp`, `client_id`,
    /// scopes.
    pub fn check(&self, claims: &Claims<'_>, now: i64) -> Result<(), Error> {
        self.check_registered(claims, &claims.registered()?, now)
    }

    /// [`check`](Self::check) with the registered claims already read (by
    /// [`Claims::parse`], in the validating pass).
    pub(crate) fn check_registered(
        &self,
        claims: &Claims<'_>,
        r: &Registered<'_>,
        now: i64,
    ) -> Result<(), Error> {
        self.check_named(claims, r, now).map_err(|(e, _)| e)
    }

    /// [`check`](Self::check) that also names the claim a failure is about
    /// (`"exp"`, `"jti"`, `"realm_access.roles"`; the scope for
    /// [`Error::InsufficientScope`]), for messages: the same rules in the
    /// same order.
    ///
    /// # Errors
    /// As [`check`](Self::check), with the claim's name.
    pub fn check_explained<'v>(
        &'v self,
        claims: &Claims<'_>,
        now: i64,
    ) -> Result<(), (Error, &'v str)> {
        let (_, r) = Claims::parse(claims.json()).map_err(|e| (e, ""))?;
        self.check_named(claims, &r, now)
    }

    pub(crate) fn check_named<'v>(
        &'v self,
        claims: &Claims<'_>,
        r: &Registered<'_>,
        now: i64,
    ) -> Result<(), (Error, &'v str)> {
        if let Some(e) = r.error {
            return Err((e, r.error_claim));
        }
        let leeway = i64::from(self.leeway);
        for name in &self.required {
            // A claim set to null is absent (as PyJWT reads it); a
            // registered claim set to null is already `invalid_claim`.
            let present = r.has(name).unwrap_or_else(|| {
                claims
                    .get(name)
                    .is_some_and(|v| v.kind() != crate::json::Kind::Null)
            });
            if !present {
                return Err((Error::MissingClaim, name.as_str()));
            }
        }
        self.check_window(r.exp, r.nbf, now)
            .map_err(|e| (e, if e == Error::Expired { "exp" } else { "nbf" }))?;
        if r.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err((Error::IssuedInFuture, "iat"));
        }
        if !self.issuers.is_empty() {
            let iss = r.iss.ok_or((Error::MissingClaim, "iss"))?;
            if !self.issuers.iter().any(|i| iss.eq_bytes(i.as_bytes())) {
                return Err((Error::WrongIssuer, "iss"));
            }
        }
        if self.refuse_id_tokens {
            if let Some(claim) = ["nonce", "at_hash"]
                .into_iter()
                .find(|n| claims.get(n).is_some())
            {
                return Err((Error::IdToken, claim));
            }
        }
        // RFC 7519 §4.1.3: a token with an audience that does not name us is
        // refused, also when we expect none.
        match r.aud {
            Some(aud)
                if !self
                    .audiences
                    .iter()
                    .any(|a| aud.names_resource(a.as_bytes())) =>
            {
                return Err((Error::WrongAudience, "aud"));
            }
            None if !self.audiences.is_empty() => return Err((Error::MissingClaim, "aud")),
            _ => {}
        }
        // Checked like `aud`, but only once configured: a token may name a
        // client without the service caring which.
        allowed(&self.parties, r.azp).map_err(|e| (e, "azp"))?;
        allowed(&self.clients, r.client_id).map_err(|e| (e, "client_id"))?;
        for (path, value) in &self.values {
            claim_value(claims, path, value).map_err(|e| (e, path.as_str()))?;
        }
        if let Some(s) = self.scopes.iter().find(|s| !claims.has_scope(s.as_bytes())) {
            return Err((Error::InsufficientScope, s.as_str()));
        }
        Ok(())
    }
}

/// The claim at `path` must be the string `value` or an array holding it.
fn claim_value(claims: &Claims<'_>, path: &str, value: &str) -> Result<(), Error> {
    let mut names = [""; MAX_DEPTH];
    let mut depth = 0usize;
    for (slot, name) in names.iter_mut().zip(path.split('.')) {
        *slot = name;
        depth = depth.saturating_add(1);
    }
    let found = claims
        .path(names.get(..depth).unwrap_or_default())
        .ok_or(Error::MissingClaim)?;
    let wanted = value.as_bytes();
    let matches = match (found.as_str(), found.as_array()) {
        (Some(s), _) => s.eq_bytes(wanted),
        (None, Some(list)) => list
            .iter()
            .any(|e| e.as_str().is_some_and(|s| s.eq_bytes(wanted))),
        (None, None) => false,
    };
    if matches {
        Ok(())
    } else {
        Err(Error::WrongClaimValue)
    }
}

/// With `list` configured, the string claim `name` must be one of it.
fn allowed(list: &[Text], value: Option<crate::json::JsonStr<'_>>) -> Result<(), Error> {
    if list.is_empty() {
        return Ok(());
    }
    let value = value.ok_or(Error::MissingClaim)?;
    if list.iter().any(|v| value.eq_bytes(v.as_bytes())) {
        Ok(())
    } else {
        Err(Error::WrongAuthorizedParty)
    }
}

#[cfg(test)]
mod tests;
