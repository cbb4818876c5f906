//! The one options schema of every surface: names, types, defaults and
//! limits, checked here once when a verifier is built.
//!
//! A binding converts each value it received into an [`OptionValue`] (a
//! type conversion only, nothing checked) and hands the pairs to
//! [`Options::set`]; the schema decides. A bad value is a [`ConfigError`]
//! naming the option and the value, the same in Rust, C, Python and Node.
//! Names are accepted in `snake_case` (Rust, C, Python) and in
//! `camelCase` (Node): `cache_size` and `cacheSize` are one option.
//!
//! | option | aliases | type | default | limits |
//! |---|---|---|---|---|
//! | `issuers` | `issuer` | string or list of strings | none | ≤ 4, each 1–256 bytes |
//! | `audiences` | `audience` | string or list of strings | none | ≤ 4, each 1–256 bytes |
//! | `leeway` | | integer seconds | 0 | 0–[`MAX_LEEWAY`] |
//! | `require` | | claim name or list of names | `["exp"]` | ≤ 4, each 1–32 bytes |
//! | `claims` | `claim_values` | map of claim path to string or list | none | ≤ 4 pairs; paths ≤ 64 bytes, ≤ 4 members |
//! | `scopes` | `scope` | string (split on spaces) or list | none | ≤ 4, each 1–256 bytes, no space |
//! | `authorized_parties` | `azp` | string or list of strings | none | ≤ 4 |
//! | `client_ids` | `client_id` | string or list of strings | none | ≤ 4 |
//! | `typ` | | string | none | 1–32 bytes |
//! | `cache_size` | | integer tokens | 0 (no cache) | 0–[`MAX_CAPACITY`] |
//! | `realm` | | string | none | visible ASCII and spaces |
//! | `resource_metadata` | | `https://` or `http://` URL | none | visible ASCII |
//! | `required` | | boolean | true | false: no credential is no identity, not a 401 |
//! | `max_token_len` | | integer bytes | 16384 | 1–16384 ([`MAX_FIELD_LEN`](gatekey::MAX_FIELD_LEN)) |
//! | `max_header_len` | | integer bytes (decoded JOSE header) | 2048 | 1–16384 |
//! | `max_header_members` | | integer | 16 | 1–256 |
//! | `resource` | | this server's canonical `https://` URI (RFC 8707, MCP) | none | ≤ 256 bytes, no fragment |
//! | `refuse_id_tokens` | | boolean | true with `resource`, else false | |
//! | `scope_rules` | `scope_policy` | lines (a string, split on newlines, or a list) | none | ≤ [`MAX_SCOPE_RULES`] lines, [`gatekey::mcp`] syntax |

use core::fmt;

use gatekey::claims::{Limits, MAX_LIST, MAX_NAME, MAX_VALUE};
use gatekey::json::MAX_MEMBERS;
use gatekey::{Challenge, Error, Validation, MAX_FIELD_LEN};

use crate::MAX_CAPACITY;

/// The largest leeway, in seconds: past an hour, `exp` means little.
pub const MAX_LEEWAY: u32 = 3600;

/// The largest `now` a caller may pass: 9999-12-31T23:59:59Z. A larger
/// number is almost surely milliseconds (JavaScript's `Date.now()`).
pub const MAX_NOW: i64 = 253_402_300_799;

/// The most lines a `scope_rules` policy has.
pub const MAX_SCOPE_RULES: usize = gatekey::mcp::MAX_LINES;

/// A value a binding received for an option, converted but not checked.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// Not given (`None`, `null`, `undefined`): the default.
    Absent,
    /// A boolean.
    Bool(bool),
    /// An integer (Python `int`, a JavaScript safe integer or `BigInt`).
    Int(i128),
    /// A number that is not an integer, or not known to be one (NaN, ±∞).
    Float(f64),
    /// A string.
    Str(String),
    /// A list (Python sequence, JavaScript array).
    List(Vec<OptionValue>),
    /// A mapping with string keys (Python `dict`, JavaScript object or `Map`).
    Map(Vec<(String, OptionValue)>),
    /// Anything else, by the name of its type (`"symbol"`, `"bytes"`).
    Other(String),
}

impl OptionValue {
    /// A short rendering for messages: at most about 60 characters.
    #[must_use]
    pub fn render(&self) -> String {
        let full = match self {
            OptionValue::Absent => "null".to_owned(),
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Int(i) => i.to_string(),
            OptionValue::Float(f) => f.to_string(),
            OptionValue::Str(s) => format!("{s:?}"),
            OptionValue::List(l) => {
                let parts: Vec<String> = l.iter().map(OptionValue::render).collect();
                format!("[{}]", parts.join(", "))
            }
            OptionValue::Map(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k:?}: {}", v.render()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            OptionValue::Other(t) => format!("a {t}"),
        };
        shorten(&full, 60)
    }
}

/// `text` cut to about `max` characters, with an ellipsis when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A bad option: which one, what was given, what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The core error it maps to (`InvalidConfig`, `ConfigTooLong`,
    /// `ConfigListFull`, …): its code and name are the stable part.
    pub error: Error,
    /// The option's canonical (`snake_case`) name, or `"keys"`, `"now"`.
    pub option: &'static str,
    /// The value as given, shortened.
    pub value: String,
    /// What the option takes.
    pub expected: String,
}

impl ConfigError {
    /// A bad `option`: `value` given, `expected` wanted.
    #[must_use]
    pub fn new(error: Error, option: &'static str, value: &OptionValue, expected: &str) -> Self {
        ConfigError {
            error,
            option,
            value: value.render(),
            expected: expected.to_owned(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "option {}: expected {}, got {}",
            self.option, self.expected, self.value
        )
    }
}

impl core::error::Error for ConfigError {}

/// Every option of a verifier, checked; [`Options::default`] is the
/// defaults of the table above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Trusted `iss` values (any one of them).
    pub issuers: Vec<String>,
    /// Names of this service, one of which `aud` must contain.
    pub audiences: Vec<String>,
    /// Seconds of tolerance on `exp`, `nbf` and `iat`.
    pub leeway: u32,
    /// Claims that must be present.
    pub require: Vec<String>,
    /// `(path, value)`: the claim at `path` must be `value` or an array
    /// holding it; several pairs with one path are all required.
    pub claims: Vec<(String, String)>,
    /// Scopes the token must all grant.
    pub scopes: Vec<String>,
    /// Accepted `azp` values.
    pub authorized_parties: Vec<String>,
    /// Accepted `client_id` values.
    pub client_ids: Vec<String>,
    /// The JOSE header `typ` required.
    pub typ: Option<String>,
    /// Verified tokens remembered (0: no cache).
    pub cache_size: usize,
    /// The `realm` of `WWW-Authenticate`.
    pub realm: Option<String>,
    /// The RFC 9728 protected-resource metadata URL of `WWW-Authenticate`.
    pub resource_metadata: Option<String>,
    /// Whether a request must carry a credential (false: no credential is
    /// no identity rather than a 401).
    pub required: bool,
    /// Bounds on the work before the signature (token, header, members).
    pub limits: Limits,
    /// This server's canonical URI: tokens must name it in `aud` (RFC
    /// 8707 §2, compared as a URI), and it is the `resource` of its
    /// protected resource metadata (RFC 9728 §2).
    pub resource: Option<String>,
    /// Whether ID tokens are refused; `None`: when `resource` is set.
    pub refuse_id_tokens: Option<bool>,
    /// The scopes each MCP call requires ([`gatekey::mcp::ScopePolicy`]).
    pub scope_rules: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway: 0,
            require: vec!["exp".to_owned()],
            claims: Vec::new(),
            scopes: Vec::new(),
            authorized_parties: Vec::new(),
            client_ids: Vec::new(),
            typ: None,
            cache_size: 0,
            realm: None,
            resource_metadata: None,
            required: true,
            limits: Limits::default(),
            resource: None,
            refuse_id_tokens: None,
            scope_rules: Vec::new(),
        }
    }
}

/// `(canonical, alias)` names: each is accepted in `snake_case` and in
/// `camelCase`.
const NAMES: &[(&str, &str)] = &[
    ("issuers", "issuer"),
    ("audiences", "audience"),
    ("leeway", ""),
    ("require", ""),
    ("claims", "claim_values"),
    ("scopes", "scope"),
    ("authorized_parties", "azp"),
    ("client_ids", "client_id"),
    ("typ", ""),
    ("cache_size", ""),
    ("realm", ""),
    ("resource_metadata", ""),
    ("required", ""),
    ("max_token_len", ""),
    ("max_header_len", ""),
    ("max_header_members", ""),
    ("resource", ""),
    ("refuse_id_tokens", ""),
    ("scope_rules", "scope_policy"),
];

/// The camelCase spelling of a snake_case option name (`cache_size` →
/// `cacheSize`): how JavaScript users write it, and how Node's errors name it.
#[must_use]
pub fn camel_case(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            camel.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            camel.push(c);
        }
    }
    camel
}

/// Whether `given` spells `snake` in `snake_case` or `camelCase`.
pub(crate) fn spells(given: &str, snake: &str) -> bool {
    !snake.is_empty() && (given == snake || given == camel_case(snake))
}

/// The canonical name of option `given`, if it is one.
#[must_use]
pub fn canonical(given: &str) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(name, alias)| spells(given, name) || spells(given, alias))
        .map(|(name, _)| *name)
}

/// Every option's canonical name, in the order of the table.
pub fn names() -> impl Iterator<Item = &'static str> {
    NAMES.iter().map(|(name, _)| *name)
}

type Check<T> = Result<T, ConfigError>;

fn string(option: &'static str, v: &OptionValue, max: usize) -> Check<String> {
    let expected = format!("a non-empty string of at most {max} bytes");
    match v {
        OptionValue::Str(s) if !s.is_empty() && s.len() <= max => Ok(s.clone()),
        OptionValue::Str(s) if s.len() > max => {
            Err(ConfigError::new(Error::ConfigTooLong, option, v, &expected))
        }
        _ => Err(ConfigError::new(Error::InvalidConfig, option, v, &expected)),
    }
}

/// A string or a list of strings, each checked by [`string`].
fn strings(option: &'static str, v: &OptionValue, max: usize) -> Check<Vec<String>> {
    let expected = format!("a string or a list of at most {MAX_LIST} strings");
    let list = match v {
        OptionValue::Absent => return Ok(Vec::new()),
        OptionValue::Str(_) => return Ok(vec![string(option, v, max)?]),
        OptionValue::List(list) => list,
        _ => return Err(ConfigError::new(Error::InvalidConfig, option, v, &expected)),
    };
    if list.len() > MAX_LIST {
        return Err(ConfigError::new(
            Error::ConfigListFull,
            option,
            v,
            &expected,
        ));
    }
    list.iter().map(|item| string(option, item, max)).collect()
}

fn integer(option: &'static str, v: &OptionValue, max: u64, unit: &str) -> Check<u64> {
    let expected = format!("a whole number of {unit} from 0 to {max}");
    match v {
        OptionValue::Int(i) => u64::try_from(*i)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| ConfigError::new(Error::InvalidConfig, option, v, &expected)),
        _ => Err(ConfigError::new(Error::InvalidConfig, option, v, &expected)),
    }
}

fn visible(option: &'static str, v: &OptionValue, what: &str) -> Check<String> {
    let expected = format!("{what} of visible ASCII characters and spaces");
    match v {
        OptionValue::Str(s) if !s.is_empty() && s.bytes().all(|b| (0x20..0x7f).contains(&b)) => {
            Ok(s.clone())
        }
        _ => Err(ConfigError::new(Error::InvalidConfig, option, v, &expected)),
    }
}

impl Options {
    /// Options from `(name, value)` pairs over the defaults.
    ///
    /// # Errors
    /// The first bad option, as [`Options::set`].
    pub fn from_pairs<'n>(
        pairs: impl IntoIterator<Item = (&'n str, OptionValue)>,
    ) -> Result<Self, ConfigError> {
        let mut options = Options::default();
        for (name, value) in pairs {
            options.set(name, value)?;
        }
        Ok(options)
    }

    /// Sets option `name` (any accepted spelling) to `value`;
    /// [`OptionValue::Absent`] restores its default.
    ///
    /// # Errors
    /// A [`ConfigError`] for an unknown name or a value the option does
    /// not take.
    pub fn set(&mut self, name: &str, value: OptionValue) -> Result<(), ConfigError> {
        let Some(option) = canonical(name) else {
            let known: Vec<&str> = names().collect();
            return Err(ConfigError {
                error: Error::InvalidConfig,
                option: "options",
                value: format!("{:?}", shorten(name, 40)),
                expected: format!("one of {}", known.join(", ")),
            });
        };
        if value == OptionValue::Absent {
            self.reset(option);
            return Ok(());
        }
        let v = &value;
        match option {
            "issuers" => self.issuers = strings(option, v, MAX_VALUE)?,
            "audiences" => self.audiences = strings(option, v, MAX_VALUE)?,
            "authorized_parties" => self.authorized_parties = strings(option, v, MAX_VALUE)?,
            "client_ids" => self.client_ids = strings(option, v, MAX_VALUE)?,
            "require" => self.require = strings(option, v, MAX_NAME)?,
            "scopes" => self.scopes = scopes(v)?,
            "claims" => self.claims = claim_values(v)?,
            "leeway" => {
                self.leeway = u32::try_from(integer(option, v, MAX_LEEWAY.into(), "seconds")?)
                    .unwrap_or(MAX_LEEWAY);
            }
            "cache_size" => {
                let max = u64::try_from(MAX_CAPACITY).unwrap_or(u64::MAX);
                self.cache_size =
                    usize::try_from(integer(option, v, max, "tokens")?).unwrap_or(MAX_CAPACITY);
            }
            "typ" => self.typ = Some(string(option, v, MAX_NAME)?),
            "realm" => self.realm = Some(visible(option, v, "a string")?),
            "resource_metadata" => {
                let url = visible(option, v, "an http:// or https:// URL")?;
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || url.contains([' ', '"', '\\'])
                {
                    return Err(ConfigError::new(
                        Error::InvalidConfig,
                        option,
                        v,
                        "an http:// or https:// URL with no space, quote or backslash",
                    ));
                }
                self.resource_metadata = Some(url);
            }
            "max_token_len" | "max_header_len" | "max_header_members" => {
                let (max, unit) = if option == "max_header_members" {
                    (MAX_MEMBERS, "members")
                } else {
                    (MAX_FIELD_LEN, "bytes")
                };
                let n = integer(option, v, u64::try_from(max).unwrap_or(u64::MAX), unit)?;
                let n = usize::try_from(n).unwrap_or(max);
                if n == 0 {
                    return Err(ConfigError::new(
                        Error::InvalidConfig,
                        option,
                        v,
                        &format!("a whole number of {unit} from 1 to {max}"),
                    ));
                }
                match option {
                    "max_token_len" => self.limits.max_token_len = n,
                    "max_header_len" => self.limits.max_header_len = n,
                    _ => self.limits.max_header_members = n,
                }
            }
            "resource" => self.resource = Some(resource(v)?),
            "scope_rules" => self.scope_rules = scope_rules(v)?,
            "refuse_id_tokens" => match v {
                OptionValue::Bool(b) => self.refuse_id_tokens = Some(*b),
                _ => {
                    return Err(ConfigError::new(
                        Error::InvalidConfig,
                        option,
                        v,
                        "a boolean",
                    ));
                }
            },
            "required" => match v {
                OptionValue::Bool(b) => self.required = *b,
                _ => {
                    return Err(ConfigError::new(
                        Error::InvalidConfig,
                        option,
                        v,
                        "a boolean",
                    ));
                }
            },
            _ => {}
        }
        Ok(())
    }

    /// The current value of option `name` (any accepted spelling), as a
    /// binding would have given it; `None` for an unknown name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<OptionValue> {
        let list =
            |v: &[String]| OptionValue::List(v.iter().cloned().map(OptionValue::Str).collect());
        let text = |v: &Option<String>| v.clone().map_or(OptionValue::Absent, OptionValue::Str);
        let int = |n: usize| OptionValue::Int(i128::try_from(n).unwrap_or(i128::MAX));
        Some(match canonical(name)? {
            "issuers" => list(&self.issuers),
            "audiences" => list(&self.audiences),
            "authorized_parties" => list(&self.authorized_parties),
            "client_ids" => list(&self.client_ids),
            "require" => list(&self.require),
            "scopes" => list(&self.scopes),
            "claims" => OptionValue::Map(
                self.claims
                    .iter()
                    .map(|(p, v)| (p.clone(), OptionValue::Str(v.clone())))
                    .collect(),
            ),
            "leeway" => OptionValue::Int(self.leeway.into()),
            "cache_size" => OptionValue::Int(i128::try_from(self.cache_size).unwrap_or(i128::MAX)),
            "typ" => text(&self.typ),
            "realm" => text(&self.realm),
            "resource_metadata" => text(&self.resource_metadata),
            "max_token_len" => int(self.limits.max_token_len),
            "max_header_len" => int(self.limits.max_header_len),
            "max_header_members" => int(self.limits.max_header_members),
            "resource" => text(&self.resource),
            "refuse_id_tokens" => OptionValue::Bool(self.refuses_id_tokens()),
            "scope_rules" => list(&self.scope_rules),
            _ => OptionValue::Bool(self.required),
        })
    }

    /// Appends `value` to a list option (`issuers`, `scopes`, …; for
    /// `claims`, a [`OptionValue::Map`] of more pairs), for callers that
    /// give a list one element at a time (the C ABI).
    ///
    /// # Errors
    /// As [`Options::set`] for the list with `value` appended; a
    /// [`ConfigError`] for an option that is not a list.
    pub fn add(&mut self, name: &str, value: OptionValue) -> Result<(), ConfigError> {
        let joined = match (self.get(name), value) {
            (Some(OptionValue::List(mut list)), value) => {
                list.push(value);
                OptionValue::List(list)
            }
            (Some(OptionValue::Map(mut pairs)), OptionValue::Map(more)) => {
                pairs.extend(more);
                OptionValue::Map(pairs)
            }
            (Some(_), value) => {
                let option = canonical(name).unwrap_or("options");
                return Err(ConfigError::new(
                    Error::InvalidConfig,
                    option,
                    &value,
                    "an option that takes a list (set it instead)",
                ));
            }
            (None, value) => value,
        };
        self.set(name, joined)
    }

    fn reset(&mut self, option: &str) {
        let d = Options::default();
        match option {
            "issuers" => self.issuers = d.issuers,
            "audiences" => self.audiences = d.audiences,
            "authorized_parties" => self.authorized_parties = d.authorized_parties,
            "client_ids" => self.client_ids = d.client_ids,
            "require" => self.require = d.require,
            "scopes" => self.scopes = d.scopes,
            "claims" => self.claims = d.claims,
            "leeway" => self.leeway = d.leeway,
            "cache_size" => self.cache_size = d.cache_size,
            "typ" => self.typ = d.typ,
            "realm" => self.realm = d.realm,
            "resource_metadata" => self.resource_metadata = d.resource_metadata,
            "required" => self.required = d.required,
            "max_token_len" => self.limits.max_token_len = d.limits.max_token_len,
            "max_header_len" => self.limits.max_header_len = d.limits.max_header_len,
            "max_header_members" => self.limits.max_header_members = d.limits.max_header_members,
            "resource" => self.resource = d.resource,
            "refuse_id_tokens" => self.refuse_id_tokens = d.refuse_id_tokens,
            "scope_rules" => self.scope_rules = d.scope_rules,
            _ => {}
        }
    }

    /// The core's claim rules for these options.
    ///
    /// # Errors
    /// A [`ConfigError`] for a value the core refuses (a claim path
    /// deeper than it reads, say).
    pub fn validation(&self) -> Result<Validation, ConfigError> {
        let fail = |option: &'static str, value: &str, e: Error| ConfigError {
            error: e,
            option,
            value: OptionValue::Str(value.to_owned()).render(),
            expected: match e {
                Error::ConfigTooLong => "a shorter value".to_owned(),
                Error::ConfigListFull => format!("at most {MAX_LIST} values"),
                _ => "a value the core accepts".to_owned(),
            },
        };
        let mut v = Validation::new()
            .require_nothing()
            .with_leeway(self.leeway)
            .with_limits(self.limits)
            .map_err(|e| fail("max_header_members", "", e))?;
        for name in &self.require {
            v = v.require(name).map_err(|e| fail("require", name, e))?;
        }
        for i in &self.issuers {
            v = v.with_issuer(i).map_err(|e| fail("issuers", i, e))?;
        }
        for a in &self.audiences {
            v = v.with_audience(a).map_err(|e| fail("audiences", a, e))?;
        }
        if let Some(r) = self
            .resource
            .as_ref()
            .filter(|r| !self.audiences.contains(r))
        {
            v = v.with_audience(r).map_err(|e| ConfigError {
                expected: format!("at most {MAX_LIST} audiences, resource included"),
                ..fail("resource", r, e)
            })?;
        }
        v = v.with_id_tokens_refused(self.refuses_id_tokens());
        for p in &self.authorized_parties {
            v = v
                .with_authorized_party(p)
                .map_err(|e| fail("authorized_parties", p, e))?;
        }
        for c in &self.client_ids {
            v = v.with_client_id(c).map_err(|e| fail("client_ids", c, e))?;
        }
        for (path, value) in &self.claims {
            v = v
                .with_claim_value(path, value)
                .map_err(|e| fail("claims", path, e))?;
        }
        for s in &self.scopes {
            v = v.with_scope(s).map_err(|e| fail("scopes", s, e))?;
        }
        if let Some(t) = &self.typ {
            v = v.with_typ(t).map_err(|e| fail("typ", t, e))?;
        }
        Ok(v)
    }

    /// Whether ID tokens are refused: as set, else when `resource` is.
    #[must_use]
    pub fn refuses_id_tokens(&self) -> bool {
        self.refuse_id_tokens.unwrap_or(self.resource.is_some())
    }

    /// The scope policy of `scope_rules` (checked when they were set), if
    /// it has a line: rules decide calls, implications routes' scopes too.
    #[must_use]
    pub fn scope_policy(&self) -> Option<gatekey::mcp::ScopePolicy<Vec<String>>> {
        if self.scope_rules.is_empty() {
            return None;
        }
        gatekey::mcp::ScopePolicy::new(self.scope_rules.clone()).ok()
    }

    /// The challenge parameters: realm, the scopes of a 403 (every scope
    /// required, space-separated) and the resource metadata URL.
    #[must_use]
    pub fn challenge(&self) -> ChallengeParams {
        ChallengeParams {
            realm: self.realm.clone(),
            scope: (!self.scopes.is_empty()).then(|| self.scopes.join(" ")),
            resource_metadata: self.resource_metadata.clone(),
        }
    }
}

/// Scopes: a string is split on spaces (a scope token holds none, RFC 6749
/// §3.3), a list's strings are taken whole. The rule of the `scopes`
/// option, for a surface that takes scopes elsewhere (a route's).
///
/// # Errors
/// A [`ConfigError`] naming `scopes`: not a string or list of strings, a
/// scope that is not an RFC 6749 §3.3 scope token, or too long.
pub fn scopes(v: &OptionValue) -> Check<Vec<String>> {
    let split = match v {
        OptionValue::Str(s) => OptionValue::List(
            s.split(' ')
                .filter(|p| !p.is_empty())
                .map(|p| OptionValue::Str(p.to_owned()))
                .collect(),
        ),
        other => other.clone(),
    };
    let list = strings("scopes", &split, MAX_VALUE).map_err(|mut e| {
        e.value = v.render();
        e
    })?;
    // RFC 6749 §3.3: scope-token = 1*NQCHAR.
    let token = |s: &String| s.bytes().all(gatekey::mcp::is_nqchar);
    if !list.iter().all(token) || (list.is_empty() && split != *v) {
        return Err(ConfigError::new(
            Error::InvalidConfig,
            "scopes",
            v,
            "scope tokens (RFC 6749 §3.3: printable ASCII without space, \" or \\)",
        ));
    }
    Ok(list)
}

/// `resource`: an absolute `https://` URI (`http://` for loopback
/// development) without fragment (RFC 8707 §2), at most 256 bytes.
fn resource(v: &OptionValue) -> Check<String> {
    let expected = "this server's canonical https:// URI, without fragment, at most 256 bytes";
    let uri = string("resource", v, MAX_VALUE)
        .map_err(|e| ConfigError::new(e.error, "resource", v, expected))?;
    let scheme_ok = uri.starts_with("https://") || uri.starts_with("http://");
    let host = uri.split("://").nth(1).unwrap_or_default();
    if !scheme_ok
        || host.is_empty()
        || host.starts_with('/')
        || uri.contains('#')
        || !uri
            .bytes()
            .all(|b| (0x21..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        return Err(ConfigError::new(
            Error::InvalidConfig,
            "resource",
            v,
            expected,
        ));
    }
    Ok(uri)
}

/// `scope_rules`: a string of lines, or a list of lines, each a rule, an
/// implication, a comment or blank ([`gatekey::mcp`]).
fn scope_rules(v: &OptionValue) -> Check<Vec<String>> {
    let expected = format!(
        "at most {MAX_SCOPE_RULES} lines, each 'METHOD [NAME] : SCOPE...' or 'BROAD > NARROW...'"
    );
    let lines: Vec<String> = match v {
        OptionValue::Str(s) => s.lines().map(str::to_owned).collect(),
        OptionValue::List(items) => items
            .iter()
            .map(|item| match item {
                OptionValue::Str(s) if !s.contains('\n') => Ok(s.clone()),
                other => Err(ConfigError::new(
                    Error::InvalidConfig,
                    "scope_rules",
                    other,
                    &expected,
                )),
            })
            .collect::<Check<_>>()?,
        _ => {
            return Err(ConfigError::new(
                Error::InvalidConfig,
                "scope_rules",
                v,
                &expected,
            ))
        }
    };
    if lines.len() > MAX_SCOPE_RULES {
        return Err(ConfigError::new(
            Error::ConfigListFull,
            "scope_rules",
            v,
            &expected,
        ));
    }
    if let Err((i, e)) = gatekey::mcp::ScopePolicy::new(lines.as_slice()) {
        let line = OptionValue::Str(lines.get(i).cloned().unwrap_or_default());
        return Err(ConfigError::new(
            e,
            "scope_rules",
            &line,
            &format!("line {} to be 'METHOD [NAME] : SCOPE...' or 'BROAD > NARROW...' of RFC 6749 scope characters", i.saturating_add(1)),
        ));
    }
    Ok(lines)
}

/// `{path: value or [values]}` as `(path, value)` pairs.
fn claim_values(v: &OptionValue) -> Check<Vec<(String, String)>> {
    let expected =
        "a mapping of claim paths (\"realm_access.roles\") to a string or a list of strings";
    let OptionValue::Map(entries) = v else {
        return Err(ConfigError::new(
            Error::InvalidConfig,
            "claims",
            v,
            expected,
        ));
    };
    let mut pairs = Vec::new();
    for (path, wanted) in entries {
        let members = path.split('.');
        if path.is_empty()
            || path.len() > gatekey::claims::MAX_PATH
            || members.clone().any(str::is_empty)
            || members.count() > gatekey::claims::MAX_DEPTH
        {
            return Err(ConfigError::new(
                Error::InvalidConfig,
                "claims",
                &OptionValue::Str(path.clone()),
                "claim paths of 1 to 4 non-empty member names joined by '.', at most 64 bytes",
            ));
        }
        for value in strings("claims", wanted, MAX_VALUE)? {
            pairs.push((path.clone(), value));
        }
    }
    if pairs.len() > MAX_LIST {
        return Err(ConfigError::new(
            Error::ConfigListFull,
            "claims",
            v,
            &format!("at most {MAX_LIST} required values in all"),
        ));
    }
    Ok(pairs)
}

/// What a challenge carries besides the error: see [`Options::challenge`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChallengeParams {
    /// `realm`.
    pub realm: Option<String>,
    /// `scope`, on `insufficient_scope` only.
    pub scope: Option<String>,
    /// `resource_metadata`.
    pub resource_metadata: Option<String>,
}

impl ChallengeParams {
    /// The core's view of these parameters.
    #[must_use]
    pub fn core(&self) -> Challenge<'_> {
        Challenge {
            realm: self.realm.as_deref(),
            scope: self.scope.as_deref(),
            resource_metadata: self.resource_metadata.as_deref(),
        }
    }
}

/// The time a call is made at: `now` as given (integer Unix seconds from 0
/// to [`MAX_NOW`]), or the system clock when absent. The same in every
/// language: `0` is the epoch, never "the clock".
///
/// # Errors
/// A [`ConfigError`] naming `now` for anything else (a negative number, a
/// fraction, milliseconds, a string).
pub fn now(value: &OptionValue) -> Result<i64, ConfigError> {
    let expected = format!("integer Unix seconds from 0 to {MAX_NOW}, or nothing for the clock");
    match value {
        OptionValue::Absent => Ok(gatekey::now_unix()),
        OptionValue::Int(i) => i64::try_from(*i)
            .ok()
            .filter(|n| (0..=MAX_NOW).contains(n))
            .ok_or_else(|| ConfigError::new(Error::InvalidConfig, "now", value, &expected)),
        _ => Err(ConfigError::new(
            Error::InvalidConfig,
            "now",
            value,
            &expected,
        )),
    }
}
