//! The places a request can carry a credential, and what a credential is.

/// Where a credential came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum Source {
    /// A trusted identity header set by a reverse proxy (`X-Authenticated-User`).
    Proxy = 1,
    /// `Authorization: Basic` (RFC 7617).
    Basic = 2,
    /// `Authorization: Bearer` (RFC 6750 §2.1).
    Bearer = 3,
    /// A named cookie (RFC 6265), `jwt_token` by default.
    Cookie = 4,
    /// The `access_token` query parameter (RFC 6750 §2.3).
    Query = 5,
    /// A token the caller already holds (a function argument, a form field).
    Explicit = 6,
}

/// How many sources there are; fixed capacities are sized by it.
pub const SOURCE_COUNT: usize = 6;

impl Source {
    /// Every source, in declaration order.
    pub const ALL: [Source; SOURCE_COUNT] = [
        Source::Proxy,
        Source::Basic,
        Source::Bearer,
        Source::Cookie,
        Source::Query,
        Source::Explicit,
    ];

    /// The lowercase name used in logs, in the C header and in Python.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Source::Proxy => "proxy",
            Source::Basic => "basic",
            Source::Bearer => "bearer",
            Source::Cookie => "cookie",
            Source::Query => "query",
            Source::Explicit => "explicit",
        }
    }

    /// The source with this [`name`](Source::name).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the credential is a bearer token to verify (as opposed to a
    /// Basic password or a proxy-asserted user name).
    #[must_use]
    pub const fn is_token(self) -> bool {
        matches!(
            self,
            Source::Bearer | Source::Cookie | Source::Query | Source::Explicit
        )
    }

    pub(crate) const fn index(self) -> usize {
        (self as usize).wrapping_sub(1)
    }
}

/// A credential found in a request, borrowed from the request's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Credential<'a> {
    /// Where it came from.
    pub source: Source,
    /// The credential as sent: a token, the base64 of `user:password` for
    /// Basic, or the user name asserted by the proxy.
    pub value: &'a [u8],
}

/// Why a source that was present carried no usable credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Skip {
    /// `Authorization: Bearer` with nothing after it.
    EmptyBearer,
    /// `Authorization` with a scheme other than Bearer (or Basic when Basic is on).
    OtherScheme,
    /// `Authorization: Basic`, but Basic is not enabled by the policy.
    BasicDisabled,
    /// The credential cookie is present with an empty value.
    EmptyCookie,
    /// An empty `access_token` query parameter or empty explicit token.
    EmptyToken,
    /// The source carried a credential, but the policy does not accept it
    /// (seen only in `single` mode, which looks at every method).
    NotAccepted,
}

impl Skip {
    /// Every reason, in declaration order.
    pub const ALL: [Skip; 6] = [
        Skip::EmptyBearer,
        Skip::OtherScheme,
        Skip::BasicDisabled,
        Skip::EmptyCookie,
        Skip::EmptyToken,
        Skip::NotAccepted,
    ];

    /// A stable snake_case name (`"empty_bearer"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Skip::EmptyBearer => "empty_bearer",
            Skip::OtherScheme => "other_scheme",
            Skip::BasicDisabled => "basic_disabled",
            Skip::EmptyCookie => "empty_cookie",
            Skip::EmptyToken => "empty_token",
            Skip::NotAccepted => "not_accepted",
        }
    }

    /// A short reason, for logs and the CLI.
    #[must_use]
    pub const fn reason(self) -> &'static str {
        match self {
            Skip::EmptyBearer => "Bearer scheme with an empty token",
            Skip::OtherScheme => "Authorization uses another scheme",
            Skip::BasicDisabled => "Basic credentials but Basic is not enabled",
            Skip::EmptyCookie => "the credential cookie is empty",
            Skip::EmptyToken => "an empty token",
            Skip::NotAccepted => "a credential the policy does not accept",
        }
    }
}
