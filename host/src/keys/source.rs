//! Where keys come from, and one source's state between fetches: its
//! keys, `ETag`, file stamp, schedule and counters.

use core::time::Duration;
use std::path::PathBuf;
use std::time::SystemTime;

use super::fetch::{self, FetchError, Fetched};
use super::jwks::{parse_jwks, Skipped};
use super::{RefreshOptions, SourceStatus};
use crate::HostKeySet;

/// One source of keys.
#[derive(Clone, Debug)]
pub enum Source {
    /// Keys given once, never refreshed.
    Static(Box<HostKeySet>),
    /// A JWKS file, read again when its modification time or size changes.
    File(PathBuf),
    /// A JWKS URL.
    JwksUrl(String),
    /// An OIDC issuer: its `jwks_uri` is read from
    /// `{issuer}/.well-known/openid-configuration`, whose `issuer` must be
    /// this one exactly (OIDC Discovery §4.3).
    Issuer(String),
}

/// What a verifier trusts: one source, or one per issuer (`iss`, source).
#[derive(Clone, Debug)]
pub enum Sources {
    /// One source for any configured issuer. An [`Source::Issuer`] alone
    /// makes its URL the verifier's issuer unless `issuers` is given.
    One(Source),
    /// Issuers, each with its own source: the token's `iss` picks one.
    Issuers(Vec<(String, Source)>),
}

/// What a source's last successful load brought.
pub(crate) enum Loaded {
    /// Nothing new: `304`, the same body, or an unchanged file.
    Same,
    /// New keys.
    New,
}

/// One source and what is known of it.
#[derive(Debug)]
pub(crate) struct SourceState {
    pub(crate) source: Source,
    pub(crate) issuer: Option<String>,
    jwks_uri: Option<String>,
    etag: Option<String>,
    body: Vec<u8>,
    stamp: Option<(SystemTime, u64)>,
    pub(crate) keys: Option<HostKeySet>,
    skipped: Vec<Skipped>,
    pub(crate) next_due: Duration,
    pub(crate) last_success: Option<Duration>,
    last_error: Option<String>,
    fetches: u64,
    failures: u64,
    not_modified: u64,
}

/// How often a file is looked at (its metadata only, unless it changed).
const FILE_POLL: Duration = Duration::from_secs(2);

impl SourceState {
    pub(crate) fn new(source: Source, issuer: Option<String>) -> Self {
        let keys = match &source {
            Source::Static(keys) => Some((**keys).clone()),
            Source::File(_) | Source::JwksUrl(_) | Source::Issuer(_) => None,
        };
        SourceState {
            source,
            issuer,
            jwks_uri: None,
            etag: None,
            body: Vec::new(),
            stamp: None,
            keys,
            skipped: Vec::new(),
            next_due: Duration::ZERO,
            last_success: None,
            last_error: None,
            fetches: 0,
            failures: 0,
            not_modified: 0,
        }
    }

    /// Whether the network is involved (what staleness is about).
    pub(crate) fn remote(&self) -> bool {
        matches!(self.source, Source::JwksUrl(_) | Source::Issuer(_))
    }

    pub(crate) fn location(&self) -> String {
        match &self.source {
            Source::Static(_) => "static".to_owned(),
            Source::File(p) => p.display().to_string(),
            Source::JwksUrl(u) | Source::Issuer(u) => u.clone(),
        }
    }

    /// What a fetch needs, taken out so that no lock is held on the network.
    pub(crate) fn plan(&self) -> Option<Plan> {
        match &self.source {
            Source::Static(_) => None,
            Source::File(path) => Some(Plan::File(path.clone(), self.stamp)),
            Source::JwksUrl(url) => Some(Plan::Url {
                discover: None,
                jwks_uri: Some(url.clone()),
                etag: self.etag.clone(),
            }),
            Source::Issuer(issuer) => Some(Plan::Url {
                discover: Some(issuer.clone()),
                jwks_uri: self.jwks_uri.clone(),
                etag: self.etag.clone(),
            }),
        }
    }

    /// Records the outcome of a fetch made at `now`.
    pub(crate) fn apply(
        &mut self,
        outcome: Result<Outcome, String>,
        now: Duration,
        options: &RefreshOptions,
    ) -> Option<Loaded> {
        self.fetches = self.fetches.saturating_add(1);
        match outcome {
            Ok(o) => {
                self.last_success = Some(now);
                self.last_error = None;
                if o.jwks_uri.is_some() {
                    self.jwks_uri = o.jwks_uri;
                }
                let interval = match &self.source {
                    Source::File(_) => FILE_POLL,
                    _ => options.interval(o.max_age),
                };
                self.next_due = now.saturating_add(interval);
                match o.body {
                    Body::NotModified => {
                        self.not_modified = self.not_modified.saturating_add(1);
                        Some(Loaded::Same)
                    }
                    Body::New {
                        body, etag, stamp, ..
                    } if body == self.body && self.keys.is_some() => {
                        // The same keys under a new ETag (or file stamp):
                        // nothing to swap, and the cache keeps its entries.
                        self.etag = etag;
                        self.stamp = stamp;
                        Some(Loaded::Same)
                    }
                    Body::New {
                        body,
                        keys,
                        skipped,
                        etag,
                        stamp,
                    } => {
                        self.body = body;
                        self.etag = etag;
                        self.stamp = stamp;
                        self.skipped = skipped;
                        self.keys = Some(*keys);
                        Some(Loaded::New)
                    }
                }
            }
            Err(message) => {
                self.failures = self.failures.saturating_add(1);
                self.last_error = Some(message);
                // Discover again next time: the issuer may have moved its keys.
                self.jwks_uri = None;
                let retry = match &self.source {
                    Source::File(_) => FILE_POLL,
                    _ => options.min_refresh,
                };
                self.next_due = now.saturating_add(retry);
                None
            }
        }
    }

    pub(crate) fn status(&self) -> SourceStatus {
        SourceStatus {
            issuer: self.issuer.clone(),
            location: self.location(),
            jwks_uri: match &self.source {
                Source::JwksUrl(u) => Some(u.clone()),
                _ => self.jwks_uri.clone(),
            },
            fetches: self.fetches,
            failures: self.failures,
            not_modified: self.not_modified,
            last_success: self.last_success,
            last_error: self.last_error.clone(),
            keys: self.keys.as_ref().map_or(0, HostKeySet::len),
            skipped: self.skipped.clone(),
            next_refresh: self.plan().map(|_| self.next_due),
        }
    }
}

/// A fetch to make.
#[derive(Debug)]
pub(crate) enum Plan {
    File(PathBuf, Option<(SystemTime, u64)>),
    Url {
        discover: Option<String>,
        jwks_uri: Option<String>,
        etag: Option<String>,
    },
}

pub(crate) enum Body {
    NotModified,
    New {
        body: Vec<u8>,
        keys: Box<HostKeySet>,
        skipped: Vec<Skipped>,
        etag: Option<String>,
        stamp: Option<(SystemTime, u64)>,
    },
}

pub(crate) struct Outcome {
    body: Body,
    max_age: Option<Duration>,
    jwks_uri: Option<String>,
}

fn parsed(
    body: Vec<u8>,
    etag: Option<String>,
    stamp: Option<(SystemTime, u64)>,
) -> Result<Body, String> {
    let (keys, skipped) = parse_jwks(&body)
        .map_err(|e| format!("the JWKS has no usable key: {} ({})", e.message(), e.name()))?;
    Ok(Body::New {
        body,
        keys: Box::new(keys),
        skipped,
        etag,
        stamp,
    })
}

impl Plan {
    /// Runs the fetch (network or file), with no lock held.
    pub(crate) fn run(self, options: &RefreshOptions) -> Result<Outcome, String> {
        match self {
            Plan::File(path, stamp) => {
                let show = path.display();
                let meta = std::fs::metadata(&path).map_err(|e| format!("{show}: {e}"))?;
                let now_stamp = (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                );
                if stamp == Some(now_stamp) {
                    return Ok(Outcome {
                        body: Body::NotModified,
                        max_age: None,
                        jwks_uri: None,
                    });
                }
                if meta.len() > options.max_body {
                    return Err(format!(
                        "{show}: larger than max_body ({} bytes)",
                        options.max_body
                    ));
                }
                let body = std::fs::read(&path).map_err(|e| format!("{show}: {e}"))?;
                Ok(Outcome {
                    body: parsed(body, None, Some(now_stamp))
                        .map_err(|e| format!("{show}: {e}"))?,
                    max_age: None,
                    jwks_uri: None,
                })
            }
            Plan::Url {
                discover,
                jwks_uri,
                etag,
            } => {
                let (uri, found) = match (jwks_uri, discover) {
                    (Some(uri), _) => (uri, None),
                    (None, Some(issuer)) => {
                        let uri = discover_jwks_uri(&issuer, options).map_err(|e| e.0)?;
                        (uri.clone(), Some(uri))
                    }
                    (None, None) => return Err("no JWKS URL".to_owned()),
                };
                // A newly discovered URL is fetched whole, without the old ETag.
                let etag = if found.is_some() { None } else { etag };
                let body = match fetch::get(&uri, etag.as_deref(), options).map_err(|e| e.0)? {
                    Fetched::NotModified { max_age } => {
                        return Ok(Outcome {
                            body: Body::NotModified,
                            max_age,
                            jwks_uri: found,
                        })
                    }
                    Fetched::Body {
                        body,
                        etag,
                        max_age,
                    } => Outcome {
                        body: parsed(body, etag, None).map_err(|e| format!("{uri}: {e}"))?,
                        max_age,
                        jwks_uri: found,
                    },
                };
                Ok(body)
            }
        }
    }
}

/// The `jwks_uri` of an OIDC issuer (OIDC Discovery §4), its `issuer`
/// checked equal to the one configured (§4.3).
fn discover_jwks_uri(issuer: &str, options: &RefreshOptions) -> Result<String, FetchError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let Fetched::Body { body, .. } = fetch::get(&url, None, options)? else {
        return Err(FetchError(format!("{url}: not modified without an ETag")));
    };
    let doc: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| FetchError(format!("{url}: not a JSON document: {e}")))?;
    let said = doc.get("issuer").and_then(serde_json::Value::as_str);
    if said != Some(issuer) {
        return Err(FetchError(format!(
            "{url}: the document's issuer {} is not {issuer:?} (OIDC Discovery §4.3)",
            said.map_or_else(|| "(none)".to_owned(), |s| format!("{s:?}"))
        )));
    }
    let uri = doc
        .get("jwks_uri")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| FetchError(format!("{url}: no jwks_uri")))?;
    fetch::check_url(uri, options.allow_http)?;
    Ok(uri.to_owned())
}
