//! One decision: the request's target and header fields in, the identity
//! headers or the host's refusal out. Every rule is the host Verifier's;
//! this module only chooses which fields it sees (never the stripped
//! identity headers) and writes the answer.

use core::sync::atomic::{AtomicU64, Ordering};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use gatekey::Request;
use gatekey_host::keys::{Refresher, SourceError};
use gatekey_host::{with_buffer, InPlace, Refusal, Verifier};

use crate::config::{Assertion, Config, IdentityHeaders};

/// What to answer the proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Let the request through with these headers (name, value) set on it;
    /// `remove` lists the stripped names the server did not set.
    Allow {
        /// Identity headers for the upstream.
        headers: Vec<(String, String)>,
        /// Client-sent identity headers the proxy must drop.
        remove: Vec<String>,
    },
    /// Refuse it with the host's answer, verbatim.
    Deny {
        /// Status, challenge and JSON body.
        refusal: Refusal,
        /// gatekey's reason (`expired`), also sent in a header.
        reason: &'static str,
    },
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Allowed requests.
    pub allowed: AtomicU64,
    /// Requests allowed whose winner shadowed a different credential.
    pub drift: AtomicU64,
    /// Refusals by reason.
    pub refused: Mutex<BTreeMap<&'static str, u64>>,
}

/// The server's state: what a configuration file decides (swapped whole
/// by [`Gate::reload`]) and the counters, which outlive reloads.
#[derive(Debug)]
pub struct Gate {
    current: RwLock<Arc<State>>,
    /// The counters.
    pub metrics: Metrics,
}

/// What one configuration decides: the verifier (kept current by its
/// refresher) and the header names. A decision holds its own `Arc`, so a
/// reload never changes a decision half-way nor waits for one.
#[derive(Debug)]
struct State {
    refresher: Arc<Refresher>,
    identity: Arc<IdentityHeaders>,
    original_uri_header: Option<String>,
    assertion: Option<Assertion>,
}

impl State {
    fn new(config: Config) -> Result<Self, SourceError> {
        let refresher = Refresher::new(
            config.sources,
            config.policy,
            config.options,
            config.refresh,
        )?;
        Ok(State {
            refresher: Arc::new(refresher),
            identity: Arc::new(config.identity),
            original_uri_header: config.original_uri_header,
            assertion: config.assertion,
        })
    }
}

/// Header values the server writes: visible ASCII kept, `%` and every
/// other byte percent-encoded (a subject may be any JSON string).
fn header_value(bytes: impl IntoIterator<Item = u8>) -> String {
    let mut out = String::new();
    for b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Gate {
    /// Loads the keys (blocking: start-up) and builds the verifier.
    ///
    /// # Errors
    /// A bad option or a key source with no usable keys.
    pub fn new(config: Config) -> Result<Self, SourceError> {
        Ok(Gate {
            current: RwLock::new(Arc::new(State::new(config)?)),
            metrics: Metrics::default(),
        })
    }

    /// Replaces what `config` decides (policy, keys, options, headers;
    /// not the listen addresses, which stay bound): its keys load first
    /// (blocking), then every later decision uses it, while decisions in
    /// flight finish with the old one. On an error nothing changes.
    ///
    /// # Errors
    /// As [`Gate::new`].
    pub fn reload(&self, config: Config) -> Result<(), SourceError> {
        let state = Arc::new(State::new(config)?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = state;
        Ok(())
    }

    fn state(&self) -> Arc<State> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The verifier decisions are now made by.
    #[must_use]
    pub fn verifier(&self) -> Arc<Verifier> {
        Arc::clone(self.state().refresher.verifier())
    }

    /// The key refresher (status for `/readyz` and `/metrics`).
    #[must_use]
    pub fn refresher(&self) -> Arc<Refresher> {
        Arc::clone(&self.state().refresher)
    }

    /// The header names.
    #[must_use]
    pub fn identity(&self) -> Arc<IdentityHeaders> {
        Arc::clone(&self.state().identity)
    }

    /// Decides one request: `target` is the request target as the proxy
    /// sent it (path and query), `fields` its header fields in order,
    /// repeated names as separate fields.
    pub fn decide<'a>(
        &self,
        target: &'a [u8],
        fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        now: i64,
    ) -> Decision {
        let state = self.state();
        let fields: Vec<(&[u8], &[u8])> = fields
            .into_iter()
            .filter(|(name, _)| {
                !state
                    .identity
                    .strip
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
            })
            .collect();
        let target = state
            .original_uri_header
            .as_ref()
            .and_then(|h| {
                fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(h.as_bytes()))
                    .map(|(_, v)| *v)
            })
            .unwrap_or(target);
        let query = target
            .iter()
            .position(|&b| b == b'?')
            .and_then(|i| target.get(i.saturating_add(1)..));
        let verifier = state.refresher.verifier();
        let decision = with_buffer(|buf| {
            let mut request = Request::new(fields.iter().copied());
            if let Some(q) = query {
                request = request.with_query(q);
            }
            match verifier.authenticate(request, now, buf, &InPlace) {
                Ok(Some(id)) => {
                    let ids = &state.identity;
                    let mut headers = vec![
                        (ids.source.clone(), id.source.name().to_owned()),
                        (ids.drift.clone(), id.resolution.drift.to_string()),
                    ];
                    if let Some(sub) = id.subject {
                        headers.push((ids.subject.clone(), header_value(sub.bytes())));
                        // Only with a subject: the application's check
                        // requires one, and refuses a request without.
                        if let Some(a) = &state.assertion {
                            let subject =
                                String::from_utf8_lossy(&sub.bytes().collect::<Vec<u8>>())
                                    .into_owned();
                            let signed =
                                a.signer
                                    .sign(&subject, id.source.name(), id.credential, now);
                            headers.push((a.header.clone(), signed));
                        }
                    }
                    if let Some(scope) = id.token.as_ref().and_then(|t| t.claims.scope()) {
                        headers.push((ids.scopes.clone(), header_value(scope.bytes())));
                    }
                    if id.resolution.drift {
                        self.metrics.drift.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(headers)
                }
                // Not required and none given: through, with no identity.
                Ok(None) => Ok(Vec::new()),
                Err(failure) => Err((verifier.refusal(&failure), failure.error.name())),
            }
        });
        match decision {
            Ok(headers) => {
                self.metrics.allowed.fetch_add(1, Ordering::Relaxed);
                let remove = state
                    .identity
                    .strip
                    .iter()
                    .filter(|s| !headers.iter().any(|(n, _)| n == *s))
                    .cloned()
                    .collect();
                Decision::Allow { headers, remove }
            }
            Err((refusal, reason)) => {
                let mut refused = self
                    .metrics
                    .refused
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let n = refused.entry(reason).or_insert(0);
                *n = n.saturating_add(1);
                drop(refused);
                crate::log_refusal(target, &refusal, reason);
                Decision::Deny { refusal, reason }
            }
        }
    }
}
