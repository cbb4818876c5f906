//! The one configuration file (TOML): listen addresses, policy, keys,
//! validation options and identity headers. Every error names its field:
//! unknown and mistyped keys by the TOML reader (`policy.presett`), option
//! values by `gatekey_host::Options::set` (`options.leeway`), so the
//! schema that checks the libraries' options checks these too.

use core::fmt;
use core::net::SocketAddr;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gatekey::{BasicCredentials, Conflict, Key, Policy};
use gatekey_host::keys::{RefreshOptions, Source, Sources};
use gatekey_host::{HostKeySet, OptionValue, Options};
use serde::Deserialize;

/// A configuration error: the field at fault and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The field, as a dotted path (`options.leeway`, `policy.preset`), or
    /// `file` when the file cannot be read or parsed at all.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl core::error::Error for ConfigError {}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    listen: Listen,
    #[serde(default)]
    policy: PolicyFile,
    #[serde(default)]
    keys: KeysFile,
    #[serde(default)]
    options: BTreeMap<String, toml::Value>,
    #[serde(default)]
    identity: IdentityFile,
    #[serde(default)]
    http: HttpFile,
    assertion: Option<AssertionFile>,
}

/// Where the server listens.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    /// Forward auth over HTTP/1.1 and HTTP/2 (h2c).
    #[serde(default = "default_http")]
    pub http: Option<SocketAddr>,
    /// Envoy's gRPC `Authorization/Check` (h2c).
    #[serde(default)]
    pub grpc: Option<SocketAddr>,
    /// `/healthz`, `/readyz` and `/metrics`.
    #[serde(default)]
    pub ops: Option<SocketAddr>,
}

#[allow(clippy::unnecessary_wraps)]
fn default_http() -> Option<SocketAddr> {
    Some(SocketAddr::from(([127, 0, 0, 1], 8181)))
}

impl Default for Listen {
    fn default() -> Self {
        Listen {
            http: default_http(),
            grpc: None,
            ops: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    preset: Option<String>,
    conflict: Option<String>,
    cookie: Option<String>,
    proxy_header: Option<String>,
    basic: Option<BasicFile>,
    #[serde(default)]
    query: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicFile {
    user: String,
    password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    jwks_file: Option<PathBuf>,
    jwks_url: Option<String>,
    issuer: Option<String>,
    hs256_secret: Option<String>,
    #[serde(default)]
    refresh: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityFile {
    subject: Option<String>,
    source: Option<String>,
    drift: Option<String>,
    scopes: Option<String>,
    reason: Option<String>,
    strip: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssertionFile {
    key: String,
    audience: String,
    lifetime: Option<u32>,
    header: Option<String>,
}

/// The identity assertion an allowed check hands the upstream
/// (`gatekey_host::assertion`): the application checks it instead of the
/// credential.
#[derive(Clone)]
pub struct Assertion {
    /// The header it is sent in, lower-cased.
    pub header: String,
    /// The signer: deployment key, audience, lifetime.
    pub signer: gatekey_host::assertion::Signer,
}

impl core::fmt::Debug for Assertion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Assertion")
            .field("header", &self.header)
            .field("signer", &self.signer)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    original_uri_header: Option<String>,
}

/// The names of the headers the server writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityHeaders {
    /// The subject (`sub`, the Basic user, the proxy-asserted user).
    pub subject: String,
    /// The winning source (`bearer`, `cookie`, …).
    pub source: String,
    /// `true` when the winner shadowed a different credential.
    pub drift: String,
    /// The token's `scope`, as granted.
    pub scopes: String,
    /// On a refusal: gatekey's reason (`expired`), for proxies that drop
    /// the body (nginx `auth_request`).
    pub reason: String,
    /// Lower-cased names removed from every incoming request before it is
    /// read, and removed upstream unless the server sets them.
    pub strip: Vec<String>,
}

/// A checked configuration, ready to build a [`crate::Gate`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Listen addresses.
    pub listen: Listen,
    /// The credential policy.
    pub policy: Policy,
    /// Where keys come from.
    pub sources: Sources,
    /// How key sources refresh.
    pub refresh: RefreshOptions,
    /// The verifier's options, checked by the host's schema.
    pub options: Options,
    /// Identity header names.
    pub identity: IdentityHeaders,
    /// The header carrying the original URI (nginx `X-Original-URI`,
    /// Traefik and Caddy `X-Forwarded-Uri`), lower-cased; else the request
    /// target is the original one (Envoy).
    pub original_uri_header: Option<String>,
    /// The identity assertion, when `[assertion]` is configured.
    pub assertion: Option<Assertion>,
}

/// A TOML value as the host's option schema reads it (types only).
fn option_value(v: &toml::Value) -> OptionValue {
    match v {
        toml::Value::String(s) => OptionValue::Str(s.clone()),
        toml::Value::Integer(i) => OptionValue::Int(i128::from(*i)),
        toml::Value::Float(f) => OptionValue::Float(*f),
        toml::Value::Boolean(b) => OptionValue::Bool(*b),
        toml::Value::Array(a) => OptionValue::List(a.iter().map(option_value).collect()),
        toml::Value::Table(t) => OptionValue::Map(
            t.iter()
                .map(|(k, v)| (k.clone(), option_value(v)))
                .collect(),
        ),
        toml::Value::Datetime(_) => OptionValue::Other("datetime".to_owned()),
    }
}

fn header_name(field: &str, name: &str) -> Result<String, ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(ConfigError::new(
            field,
            format!("{name:?} is not an HTTP field name (RFC 9110 §5.1 token, 1 to 64 bytes)"),
        ))
    }
}

impl Config {
    /// Reads and checks the file at `path`; relative key files are read
    /// from the file's directory.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the field at fault.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new("file", format!("{}: {e}", path.display())))?;
        Config::parse(&text, path.parent())
    }

    /// Checks the text of a configuration file; `base` is the directory
    /// relative key files are read from.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the field at fault.
    pub fn parse(text: &str, base: Option<&Path>) -> Result<Self, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| {
            // toml's message names the key and its line; the span gives the field.
            let message = e.message().to_owned();
            let field = e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| field_at(before, text, e.span().map_or(0, |s| s.end)))
                .unwrap_or_else(|| "file".to_owned());
            ConfigError::new(field, message)
        })?;
        let policy = policy(&file.policy)?;
        let mut options = Options::default();
        for (name, value) in &file.options {
            options
                .set(name, option_value(value))
                .map_err(|e| ConfigError::new(format!("options.{name}"), e.to_string()))?;
        }
        // Building the claim rules checks what only the core can.
        options
            .validation()
            .map_err(|e| ConfigError::new(format!("options.{}", e.option), e.to_string()))?;
        let mut refresh = RefreshOptions::default();
        for (name, value) in &file.keys.refresh {
            refresh
                .set(name, option_value(value))
                .map_err(|e| ConfigError::new(format!("keys.refresh.{name}"), e.to_string()))?;
        }
        refresh
            .check()
            .map_err(|e| ConfigError::new(format!("keys.refresh.{}", e.option), e.to_string()))?;
        let sources = sources(&file.keys, base)?;
        let assertion = file.assertion.as_ref().map(assertion).transpose()?;
        let identity = identity(&file.identity, assertion.as_ref())?;
        if let Some(proxy) = policy.proxy_header() {
            let proxy = String::from_utf8_lossy(proxy).to_ascii_lowercase();
            if identity.strip.contains(&proxy) {
                return Err(ConfigError::new(
                    "policy.proxy_header",
                    format!("{proxy:?} is also in identity.strip: it could never be read"),
                ));
            }
        }
        let original_uri_header = file
            .http
            .original_uri_header
            .as_deref()
            .map(|h| header_name("http.original_uri_header", h))
            .transpose()?;
        Ok(Config {
            listen: file.listen,
            policy,
            sources,
            refresh,
            options,
            identity,
            original_uri_header,
            assertion,
        })
    }
}

/// The dotted path of the key a TOML error points at: the last `[table]`
/// header before it, and the key on its line.
fn field_at(before: &str, text: &str, end: usize) -> String {
    let table = before
        .lines()
        .rev()
        .find_map(|l| {
            let l = l.trim();
            (l.starts_with('[') && l.ends_with(']')).then(|| l.trim_matches(['[', ']']).to_owned())
        })
        .unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = text.get(line_start..end.max(line_start)).unwrap_or("");
    let key = line
        .split('=')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['[', ']'])
        .to_owned();
    match (table.is_empty(), key.is_empty() || key == table) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

fn policy(file: &PolicyFile) -> Result<Policy, ConfigError> {
    let mut p = match file.preset.as_deref().unwrap_or("header_first") {
        "header_first" => Policy::header_first(),
        "cookie_first" => Policy::cookie_first(),
        "strict" => Policy::strict(),
        other => {
            return Err(ConfigError::new(
                "policy.preset",
                format!("{other:?}: expected header_first, cookie_first or strict"),
            ))
        }
    };
    if let Some(conflict) = &file.conflict {
        let c = match conflict.as_str() {
            "first" => Conflict::First,
            "agree" => Conflict::Agree,
            "single" => Conflict::Single,
            other => {
                return Err(ConfigError::new(
                    "policy.conflict",
                    format!("{other:?}: expected first, agree or single"),
                ))
            }
        };
        p = p.with_conflict(c);
    }
    let core = |field: &'static str| move |e: gatekey::Error| ConfigError::new(field, e.message());
    if let Some(name) = &file.cookie {
        p = p
            .with_cookie_name(name.as_bytes())
            .map_err(core("policy.cookie"))?;
    }
    if let Some(name) = &file.proxy_header {
        header_name("policy.proxy_header", name)?;
        p = p
            .with_proxy_header(name.as_bytes())
            .map_err(core("policy.proxy_header"))?;
    }
    if let Some(b) = &file.basic {
        let creds = BasicCredentials::new(b.user.as_bytes(), b.password.as_bytes())
            .map_err(core("policy.basic"))?;
        p = p.with_basic(creds);
    }
    if file.query {
        p = p.with_query(true);
    }
    Ok(p)
}

fn sources(file: &KeysFile, base: Option<&Path>) -> Result<Sources, ConfigError> {
    let given = [
        file.jwks_file.is_some(),
        file.jwks_url.is_some(),
        file.issuer.is_some(),
        file.hs256_secret.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ConfigError::new(
            "keys",
            "exactly one of jwks_file, jwks_url, issuer, hs256_secret",
        ));
    }
    if let Some(path) = &file.jwks_file {
        let path = match base {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.clone(),
        };
        return Ok(Sources::One(Source::File(path)));
    }
    if let Some(url) = &file.jwks_url {
        return Ok(Sources::One(Source::JwksUrl(url.clone())));
    }
    if let Some(issuer) = &file.issuer {
        return Ok(Sources::One(Source::Issuer(issuer.clone())));
    }
    let secret = file.hs256_secret.as_deref().unwrap_or_default();
    let key = Key::hs256(secret.as_bytes(), None)
        .map_err(|e| ConfigError::new("keys.hs256_secret", e.message()))?;
    let mut set = HostKeySet::new();
    set.push(key)
        .map_err(|e| ConfigError::new("keys.hs256_secret", e.message()))?;
    Ok(Sources::One(Source::Static(Box::new(set))))
}

fn assertion(file: &AssertionFile) -> Result<Assertion, ConfigError> {
    use gatekey_host::assertion::{Signer, MAX_LIFETIME, MIN_KEY_LEN};
    let lifetime = file.lifetime.unwrap_or(30);
    if lifetime == 0 || lifetime > MAX_LIFETIME {
        return Err(ConfigError::new(
            "assertion.lifetime",
            format!("expected 1 to {MAX_LIFETIME} seconds, got {lifetime}"),
        ));
    }
    if file.audience.is_empty() {
        return Err(ConfigError::new(
            "assertion.audience",
            "the upstream's name must not be empty",
        ));
    }
    let signer = Signer::new(file.key.as_bytes(), &file.audience, lifetime).map_err(|_| {
        ConfigError::new(
            "assertion.key",
            format!("the deployment key must be at least {MIN_KEY_LEN} bytes"),
        )
    })?;
    let header = header_name(
        "assertion.header",
        file.header.as_deref().unwrap_or("x-gatekey-assertion"),
    )?;
    Ok(Assertion { header, signer })
}

fn identity(
    file: &IdentityFile,
    assertion: Option<&Assertion>,
) -> Result<IdentityHeaders, ConfigError> {
    let name = |field: &str, given: &Option<String>, default: &str| {
        header_name(
            &format!("identity.{field}"),
            given.as_deref().unwrap_or(default),
        )
    };
    let subject = name("subject", &file.subject, "x-gatekey-subject")?;
    let source = name("source", &file.source, "x-gatekey-source")?;
    let drift = name("drift", &file.drift, "x-gatekey-drift")?;
    let scopes = name("scopes", &file.scopes, "x-gatekey-scopes")?;
    let reason = name("reason", &file.reason, "x-gatekey-reason")?;
    let strip = match &file.strip {
        Some(list) => list
            .iter()
            .map(|n| header_name("identity.strip", n))
            .collect::<Result<Vec<_>, _>>()?,
        None => {
            let mut all = vec![
                subject.clone(),
                source.clone(),
                drift.clone(),
                scopes.clone(),
            ];
            all.extend(assertion.map(|a| a.header.clone()));
            all
        }
    };
    let asserted = assertion.map(|a| ("assertion.header", &a.header));
    for (field, emitted) in [
        ("identity.subject", &subject),
        ("identity.source", &source),
        ("identity.drift", &drift),
        ("identity.scopes", &scopes),
    ]
    .into_iter()
    .chain(asserted)
    {
        if !strip.contains(emitted) {
            return Err(ConfigError::new(
                "identity.strip",
                format!("must list {field} ({emitted:?}), or a client could send it itself"),
            ));
        }
    }
    Ok(IdentityHeaders {
        subject,
        source,
        drift,
        scopes,
        reason,
        strip,
    })
}
