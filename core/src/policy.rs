//! The precedence policy: which sources a request's credential may come
//! from, in what order, and what happens when several carry one.
//!
//! Every layer of a gateway must use the same `Policy` value: that is what
//! keeps a request from being user A in the middleware and user B in a
//! fallback path.

use heapless::Vec;
use sha2::{Digest, Sha256};

use crate::{Error, Source, SOURCE_COUNT};

/// Capacity of the cookie name and proxy header name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Capacity of the configured Basic user name, in bytes.
pub const MAX_BASIC_USER_LEN: usize = 64;
/// Capacity of the configured Basic password, in bytes.
pub const MAX_BASIC_PASSWORD_LEN: usize = 128;

/// What happens when more than one source carries a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Conflict {
    /// The first source (in policy order) that carries a credential wins;
    /// the others are reported as shadowed, with a drift flag when their
    /// credential differs.
    First,
    /// Several sources may carry a credential only if it is the same one;
    /// otherwise [`Error::ConflictingCredentials`].
    Agree,
    /// At most one method may carry a credential (RFC 6750 §2: "Clients MUST
    /// NOT use more than one method to transmit the token in each request");
    /// otherwise [`Error::MultipleMethods`]. In this mode every token method
    /// is looked at, including ones the policy does not accept.
    Single,
}

/// The presets, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Preset {
    /// proxy > basic > bearer > cookie > query > explicit, `first`.
    HeaderFirst,
    /// proxy > cookie > bearer > basic > query > explicit, `first`.
    CookieFirst,
    /// bearer only, `single`.
    Strict,
    /// Built with [`Policy::custom`].
    Custom,
}

impl Preset {
    /// The snake_case name (`"header_first"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Preset::HeaderFirst => "header_first",
            Preset::CookieFirst => "cookie_first",
            Preset::Strict => "strict",
            Preset::Custom => "custom",
        }
    }
}

/// Configured Basic credentials, kept as SHA-256 digests so that comparing
/// them takes the same time whatever the lengths (RFC 7617; see
/// [`BasicCredentials::matches`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicCredentials {
    user: Vec<u8, MAX_BASIC_USER_LEN>,
    user_digest: [u8; 32],
    password_digest: [u8; 32],
}

impl BasicCredentials {
    /// Basic credentials; the user name may not contain `:` (RFC 7617 §2).
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] past the capacities, [`Error::InvalidConfig`]
    /// for an empty user name or one with `:` or control characters.
    pub fn new(user: &[u8], password: &[u8]) -> Result<Self, Error> {
        if user.is_empty() || user.iter().any(|&b| b == b':' || b < 0x20 || b == 0x7f) {
            return Err(Error::InvalidConfig);
        }
        if password.len() > MAX_BASIC_PASSWORD_LEN {
            return Err(Error::ConfigTooLong);
        }
        Ok(BasicCredentials {
            user: Vec::from_slice(user).map_err(|()| Error::ConfigTooLong)?,
            user_digest: Sha256::digest(user).into(),
            password_digest: Sha256::digest(password).into(),
        })
    }

    /// The configured user name.
    #[must_use]
    pub fn user(&self) -> &[u8] {
        &self.user
    }

    /// Whether `user` and `password` are the configured ones, in time that
    /// depends on neither the secret nor how much of it matched.
    #[must_use]
    pub fn matches(&self, user: &[u8], password: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let u: [u8; 32] = Sha256::digest(user).into();
        let p: [u8; 32] = Sha256::digest(password).into();
        (u.ct_eq(&self.user_digest) & p.ct_eq(&self.password_digest)).into()
    }
}

/// Which sources are read, in which order, and how conflicts end.
///
/// A source in the order is used only when it is configured: the proxy
/// needs a header name ([`with_proxy_header`](Policy::with_proxy_header)),
/// Basic needs credentials ([`with_basic`](Policy::with_basic)), the query
/// needs [`with_query`](Policy::with_query). Bearer, cookie and explicit are
/// always on when listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    order: Vec<Source, SOURCE_COUNT>,
    conflict: Conflict,
    preset: Preset,
    cookie_name: Vec<u8, MAX_NAME_LEN>,
    proxy_header: Vec<u8, MAX_NAME_LEN>,
    basic: Option<BasicCredentials>,
    query: bool,
    /// What [`accepts`](Policy::accepts) and extraction ask, as bits, kept
    /// by [`settled`](Policy::settled) after every change above: the
    /// request path asks of each source several times.
    accepted: SourceSet,
    read: SourceSet,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::header_first()
    }
}

/// The default credential cookie, as the Python gateway of DESIGN.md names it.
pub const DEFAULT_COOKIE: &[u8] = b"jwt_token";

impl Policy {
    fn preset(order: &[Source], conflict: Conflict, preset: Preset) -> Self {
        let mut list = Vec::new();
        for &s in order {
            // Capacity is SOURCE_COUNT and the preset lists are shorter.
            let _ = list.push(s);
        }
        let mut cookie_name = Vec::new();
        let _ = cookie_name.extend_from_slice(DEFAULT_COOKIE);
        Policy {
            order: list,
            conflict,
            preset,
            cookie_name,
            proxy_header: Vec::new(),
            basic: None,
            query: false,
            accepted: SourceSet::EMPTY,
            read: SourceSet::EMPTY,
        }
        .settled()
    }

    /// proxy > basic > bearer > cookie > query > explicit; the first wins.
    ///
    /// The order of the gateway's `require_auth_header_first`: a header
    /// credential always beats a cookie.
    #[must_use]
    pub fn header_first() -> Self {
        use Source::*;
        Self::preset(
            &[Proxy, Basic, Bearer, Cookie, Query, Explicit],
            Conflict::First,
            Preset::HeaderFirst,
        )
    }

    /// proxy > cookie > bearer > basic > query > explicit; the first wins.
    ///
    /// The order of the gateway's older `require_auth`: a browser session
    /// cookie beats the header.
    #[must_use]
    pub fn cookie_first() -> Self {
        use Source::*;
        Self::preset(
            &[Proxy, Cookie, Bearer, Basic, Query, Explicit],
            Conflict::First,
            Preset::CookieFirst,
        )
    }

    /// `Authorization: Bearer` only, and no other token method may be
    /// present at the same time (RFC 6750 §2).
    #[must_use]
    pub fn strict() -> Self {
        Self::preset(&[Source::Bearer], Conflict::Single, Preset::Strict)
    }

    /// A policy with this order and conflict mode.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a source is listed twice or the list is empty.
    pub fn custom(order: &[Source], conflict: Conflict) -> Result<Self, Error> {
        let mut list: Vec<Source, SOURCE_COUNT> = Vec::new();
        for &s in order {
            if list.contains(&s) {
                return Err(Error::InvalidConfig);
            }
            list.push(s).map_err(|_| Error::InvalidConfig)?;
        }
        if list.is_empty() {
            return Err(Error::InvalidConfig);
        }
        let mut p = Self::preset(&[], conflict, Preset::Custom);
        p.order = list;
        Ok(p.settled())
    }

    /// Uses `name` as the credential cookie instead of `jwt_token`.
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] past [`MAX_NAME_LEN`], [`Error::InvalidConfig`]
    /// when `name` is not an RFC 6265 cookie-name (an RFC 9110 token).
    pub fn with_cookie_name(mut self, name: &[u8]) -> Result<Self, Error> {
        self.cookie_name = token_name(name)?;
        Ok(self)
    }

    /// Trusts the identity a reverse proxy puts in header `name` (e.g.
    /// `X-Authenticated-User`). Only enable this behind a proxy that always
    /// sets or strips that header: anyone else can send it.
    ///
    /// # Errors
    /// As [`with_cookie_name`](Policy::with_cookie_name).
    pub fn with_proxy_header(mut self, name: &[u8]) -> Result<Self, Error> {
        self.proxy_header = token_name(name)?;
        Ok(self.settled())
    }

    /// Accepts `Authorization: Basic` with these credentials.
    #[must_use]
    pub fn with_basic(mut self, credentials: BasicCredentials) -> Self {
        self.basic = Some(credentials);
        self.settled()
    }

    /// Accepts the `access_token` query parameter (off by default: the MCP
    /// authorization spec forbids tokens in query strings, and RFC 6750 §2.3
    /// discourages them).
    #[must_use]
    pub fn with_query(mut self, on: bool) -> Self {
        self.query = on;
        self.settled()
    }

    /// Changes the conflict mode.
    #[must_use]
    pub fn with_conflict(mut self, conflict: Conflict) -> Self {
        self.conflict = conflict;
        self.settled()
    }

    /// The sources in precedence order (configured or not).
    #[must_use]
    pub fn order(&self) -> &[Source] {
        &self.order
    }

    /// The conflict mode.
    #[must_use]
    pub fn conflict(&self) -> Conflict {
        self.conflict
    }

    /// The preset this policy was made from.
    #[must_use]
    pub fn preset_kind(&self) -> Preset {
        self.preset
    }

    /// The credential cookie's name.
    #[must_use]
    pub fn cookie_name(&self) -> &[u8] {
        &self.cookie_name
    }

    /// The trusted proxy header's name, if the proxy source is configured.
    #[must_use]
    pub fn proxy_header(&self) -> Option<&[u8]> {
        (!self.proxy_header.is_empty()).then_some(&self.proxy_header[..])
    }

    /// The configured Basic credentials.
    #[must_use]
    pub fn basic(&self) -> Option<&BasicCredentials> {
        self.basic.as_ref()
    }

    /// Whether `source` may win: it is in the order and configured.
    #[must_use]
    pub fn accepts(&self, source: Source) -> bool {
        self.accepted.contains(source)
    }

    /// Whether `source` has what it needs to carry a credential, listed in
    /// the order or not.
    fn configured(&self, source: Source) -> bool {
        match source {
            Source::Proxy => !self.proxy_header.is_empty(),
            Source::Basic => self.basic.is_some(),
            Source::Query => self.query,
            Source::Bearer | Source::Cookie | Source::Explicit => true,
        }
    }

    /// The sources extraction must look at: the accepted ones, and in
    /// `single` mode every token method too, so that they can be counted.
    pub(crate) fn read(&self) -> SourceSet {
        self.read
    }

    /// This policy with `accepted` and `read` worked out again from the
    /// order and configuration; every constructor and `with_` ends here.
    fn settled(mut self) -> Self {
        self.accepted = self
            .order
            .iter()
            .filter(|&&source| self.configured(source))
            .fold(SourceSet::EMPTY, |set, &source| set.with(source));
        self.read = if self.conflict == Conflict::Single {
            Source::ALL
                .into_iter()
                .filter(|source| source.is_token())
                .fold(self.accepted, SourceSet::with)
        } else {
            self.accepted
        };
        self
    }
}

// A `SourceSet` holds one bit per source in a byte.
const _: () = assert!(SOURCE_COUNT <= 8);

/// A set of [`Source`]s, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SourceSet(u8);

impl SourceSet {
    /// No source.
    pub(crate) const EMPTY: SourceSet = SourceSet(0);

    /// This set and `source`.
    #[must_use]
    pub(crate) const fn with(self, source: Source) -> SourceSet {
        SourceSet(self.0 | Self::bit(source))
    }

    /// Whether `source` is in the set.
    pub(crate) const fn contains(self, source: Source) -> bool {
        self.0 & Self::bit(source) != 0
    }

    const fn bit(source: Source) -> u8 {
        // One bit per source, as `Source::index` numbers them; SOURCE_COUNT
        // is at most 8, so every bit fits in the byte.
        1u8.wrapping_shl((source as u32).wrapping_sub(1))
    }
}

/// A configured cookie or header name: an RFC 9110 §5.6.2 token.
fn token_name<const N: usize>(name: &[u8]) -> Result<Vec<u8, N>, Error> {
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(Error::InvalidConfig);
    }
    Vec::from_slice(name).map_err(|()| Error::ConfigTooLong)
}

/// `tchar` of RFC 9110 §5.6.2.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_sets_agree_with_accepts_and_reads() {
        let policies = [
            Policy::header_first(),
            Policy::cookie_first(),
            Policy::strict(),
            Policy::custom(&Source::ALL, Conflict::Single).unwrap(),
            Policy::custom(&Source::ALL, Conflict::Agree)
                .unwrap()
                .with_query(true)
                .with_proxy_header(b"x-user")
                .unwrap(),
            Policy::custom(&[Source::Cookie, Source::Basic], Conflict::Single).unwrap(),
            Policy::strict().with_conflict(Conflict::First),
            Policy::header_first()
                .with_basic(BasicCredentials::new(b"u", b"p").unwrap())
                .with_conflict(Conflict::Single),
            Policy::custom(&[Source::Query, Source::Proxy], Conflict::First)
                .unwrap()
                .with_query(true)
                .with_query(false),
        ];
        for policy in &policies {
            for source in Source::ALL {
                // A source may win when it is listed and configured.
                let accepts = policy.order().contains(&source) && policy.configured(source);
                assert_eq!(policy.accepts(source), accepts, "{policy:?} {source:?}");
                // Extraction reads what may win, and in `single` mode every
                // token method, to count them.
                let reads = accepts || (policy.conflict() == Conflict::Single && source.is_token());
                assert_eq!(
                    policy.read().contains(source),
                    reads,
                    "{policy:?} {source:?}"
                );
            }
        }
    }

    #[test]
    fn presets_have_the_documented_order() {
        use Source::*;
        assert_eq!(
            Policy::header_first().order(),
            &[Proxy, Basic, Bearer, Cookie, Query, Explicit]
        );
        assert_eq!(
            Policy::cookie_first().order(),
            &[Proxy, Cookie, Bearer, Basic, Query, Explicit]
        );
        assert_eq!(Policy::strict().order(), &[Bearer]);
        assert_eq!(Policy::strict().conflict(), Conflict::Single);
    }

    #[test]
    fn optional_sources_are_off_until_configured() {
        let p = Policy::header_first();
        assert!(
            !p.accepts(Source::Proxy) && !p.accepts(Source::Basic) && !p.accepts(Source::Query)
        );
        let p = p
            .with_proxy_header(b"X-Authenticated-User")
            .unwrap()
            .with_basic(BasicCredentials::new(b"admin", b"pw").unwrap())
            .with_query(true);
        assert!(p.accepts(Source::Proxy) && p.accepts(Source::Basic) && p.accepts(Source::Query));
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert_eq!(
            Policy::header_first().with_cookie_name(b"a b").err(),
            Some(Error::InvalidConfig)
        );
        assert_eq!(
            Policy::header_first().with_cookie_name(b"").err(),
            Some(Error::InvalidConfig)
        );
        assert_eq!(
            Policy::header_first().with_cookie_name(&[b'a'; 65]).err(),
            Some(Error::ConfigTooLong)
        );
        assert_eq!(
            Policy::custom(&[Source::Bearer, Source::Bearer], Conflict::First).err(),
            Some(Error::InvalidConfig)
        );
        assert_eq!(
            Policy::custom(&[], Conflict::First).err(),
            Some(Error::InvalidConfig)
        );
        assert_eq!(
            BasicCredentials::new(b"a:b", b"pw").err(),
            Some(Error::InvalidConfig)
        );
        assert_eq!(
            BasicCredentials::new(b"a", &[0u8; 129]).err(),
            Some(Error::ConfigTooLong)
        );
    }

    #[test]
    fn basic_matches_only_the_configured_pair() {
        let c = BasicCredentials::new(b"admin", b"s3cret").unwrap();
        assert!(c.matches(b"admin", b"s3cret"));
        assert!(!c.matches(b"admin", b"s3cre"));
        assert!(!c.matches(b"admin", b"s3cret "));
        assert!(!c.matches(b"Admin", b"s3cret"));
        assert!(!c.matches(b"", b""));
    }
}
