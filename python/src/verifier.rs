//! `Verifier`, `Identity`, `Resolution` and `resolve`: one request in, one
//! identity (or one exception) out, decided by the core.

use core::cell::RefCell;
use std::sync::{Arc, PoisonError, RwLock};

use gatekey::json::JsonStr;
use gatekey::{
    buffer_len, Error, Identity, Policy, Request, Resolution, Validation, DEFAULT_BUFFER,
};
use gatekey_host::{Offload, TokenCache, Trust};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

use crate::claims;
use crate::errors::{to_py, IntoPy};
use crate::input::{borrow_bytes, borrow_optional, fields, views};
use crate::keys::PyKeySet;
use crate::keys::KEYS;
use crate::policy::PyPolicy;
use crate::trust;

fn text(s: &JsonStr<'_>) -> String {
    if let Some(plain) = s.as_str() {
        return plain.to_owned();
    }
    let mut buf = vec![0u8; s.decoded_len()];
    s.decode_into(&mut buf)
        .map(str::to_owned)
        .unwrap_or_default()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A thread keeps a decode buffer at most this large between calls.
const KEPT_BUFFER: usize = 64 * 1024;

thread_local! {
    /// This thread's decode buffer: zeroing a fresh 6 KiB one on every call
    /// cost more than a cache hit's own work.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with a buffer that holds any input up to `longest` bytes
/// decoded: this thread's, grown when needed and shrunk back past
/// [`KEPT_BUFFER`]. A re-entrant call (a finalizer that verifies while the
/// buffer is lent out) gets a fresh one.
fn with_buffer<R>(longest: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    let need = buffer_len(longest).max(DEFAULT_BUFFER);
    BUFFER.with(|cell| {
        let Ok(mut buf) = cell.try_borrow_mut() else {
            return f(&mut vec![0u8; need]);
        };
        if buf.len() < need {
            buf.resize(need, 0);
        }
        let out = f(buf.get_mut(..need).unwrap_or_default());
        if buf.len() > KEPT_BUFFER {
            *buf = Vec::new();
        }
        out
    })
}

fn names(py: Python<'_>, list: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    match list {
        None => Ok(Vec::new()),
        Some(v) if v.is_none() => Ok(Vec::new()),
        Some(v) if v.is_instance_of::<PyString>() => Ok(vec![v.extract()?]),
        Some(v) => v.extract().map_err(|_| {
            let _ = py;
            PyValueError::new_err(format!("{what} must be a str or a sequence of str"))
        }),
    }
}

/// Verifies tokens and authenticates requests with fixed keys, policy and
/// claim rules. Safe to share between threads; the GIL is released while a
/// public-key signature (ES256, RS256, PS256) is checked, the one step that
/// takes tens of microseconds.
#[pyclass(frozen, name = "Verifier", module = "gatekey._gatekey")]
pub(crate) struct PyVerifier {
    trust: RwLock<Arc<Trust<KEYS>>>,
    policy: Policy,
    validation: Validation,
    required: bool,
    /// Verified tokens (gatekey-host: sharded, locked only around lookups).
    cache: Option<TokenCache>,
}

/// What the verified-token cache has done: `functools.lru_cache`'s fields.
#[pyclass(frozen, name = "CacheInfo", module = "gatekey._gatekey")]
pub(crate) struct PyCacheInfo {
    /// Lookups that found the token (its `exp` is still checked).
    #[pyo3(get)]
    hits: u64,
    /// Lookups that did not, and verified the token's signature.
    #[pyo3(get)]
    misses: u64,
    /// How many tokens the cache holds at most (0: no cache).
    #[pyo3(get)]
    maxsize: usize,
    /// How many tokens it holds.
    #[pyo3(get)]
    currsize: usize,
}

#[pymethods]
impl PyCacheInfo {
    fn __repr__(&self) -> String {
        format!(
            "CacheInfo(hits={}, misses={}, maxsize={}, currsize={})",
            self.hits, self.misses, self.maxsize, self.currsize
        )
    }
}

impl PyVerifier {
    fn trust(&self) -> Arc<Trust<KEYS>> {
        Arc::clone(&self.trust.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Releases the GIL for the one slow step, an uncached public-key
/// signature check (tens of microseconds), so that other Python threads
/// run meanwhile. Everything else, HMAC included, takes about a
/// microsecond: less than releasing and taking the GIL back.
struct ReleaseGil<'py> {
    py: Python<'py>,
    release: bool,
}

impl<'py> ReleaseGil<'py> {
    fn for_trust(py: Python<'py>, trust: &Trust<KEYS>) -> Self {
        ReleaseGil {
            py,
            release: trust.has_public_keys(),
        }
    }
}

impl Offload for ReleaseGil<'_> {
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        if self.release {
            self.py.detach(work)
        } else {
            work()
        }
    }
}

#[pymethods]
impl PyVerifier {
    #[new]
    #[pyo3(signature = (
        keys, *, policy=None, issuer=None, audience=None, leeway=0,
        require=vec!["exp".to_owned()], required=true, cache_size=0, scope=None, typ=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        policy: Option<&PyPolicy>,
        issuer: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        leeway: u32,
        require: Vec<String>,
        required: bool,
        cache_size: usize,
        scope: Option<&Bound<'_, PyAny>>,
        typ: Option<&str>,
    ) -> PyResult<Self> {
        let cache = TokenCache::new(cache_size)
            .map_err(|e| PyValueError::new_err(format!("cache_size: {e}")))?;
        let mut v = Validation::new().require_nothing().with_leeway(leeway);
        for name in &require {
            v = v.require(name).py_err(py)?;
        }
        let issuers = names(py, issuer, "issuer")?;
        for i in &issuers {
            v = v.with_issuer(i).py_err(py)?;
        }
        for a in names(py, audience, "audience")? {
            v = v.with_audience(&a).py_err(py)?;
        }
        for s in names(py, scope, "scope")? {
            v = v.with_scope(&s).py_err(py)?;
        }
        if let Some(t) = typ {
            v = v.with_typ(t).py_err(py)?;
        }
        let trust = trust::from_py(py, keys, &v, !issuers.is_empty())?;
        Ok(PyVerifier {
            trust: RwLock::new(Arc::new(trust)),
            policy: policy.map_or_else(Policy::header_first, |p| p.inner.clone()),
            validation: v,
            required,
            cache,
        })
    }

    /// Verifies `token` (signature, then claims at `now`, default the
    /// system clock) and returns its claims.
    #[pyo3(signature = (token, *, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = borrow_bytes(token, "the token")?;
        let trust = self.trust();
        let now = now.unwrap_or_else(gatekey::now_unix);
        let offload = ReleaseGil::for_trust(py, &trust);
        with_buffer(t.len(), |buf| {
            let claims = trust
                .verify(t, &self.validation, self.cache.as_ref(), now, buf, &offload)
                .map(|v| v.claims.object())
                .py_err(py)?;
            claims::dict(py, claims)
        })
    }

    /// Authenticates one request: resolves its credential under the
    /// policy and verifies it. `None` only when `required=False` and the
    /// request carries no credential.
    #[pyo3(signature = (headers, *, query=None, token=None, now=None))]
    fn authenticate(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        query: Option<&Bound<'_, PyAny>>,
        token: Option<&Bound<'_, PyAny>>,
        now: Option<i64>,
    ) -> PyResult<Option<PyIdentity>> {
        let fields = fields(headers)?;
        let views = views(&fields);
        let query = borrow_optional(query, "query")?;
        let token = borrow_optional(token, "token")?;
        let longest = views
            .iter()
            .map(|(_, v)| v.len())
            .chain(query.map(<[u8]>::len))
            .chain(token.map(<[u8]>::len))
            .max()
            .unwrap_or(0);
        let mut request = Request::new(views.iter().copied());
        if let Some(q) = query {
            request = request.with_query(q);
        }
        if let Some(t) = token {
            request = request.with_token(t);
        }
        let trust = self.trust();
        let now = now.unwrap_or_else(gatekey::now_unix);
        let offload = ReleaseGil::for_trust(py, &trust);
        let cache = self.cache.as_ref();
        with_buffer(longest, |buf| {
            let result = gatekey::authenticate_with(request, &self.policy, buf, |t, buf| {
                trust.verify(t, &self.validation, cache, now, buf, &offload)
            });
            match result {
                Ok(id) => Ok(Some(PyIdentity::new(&id))),
                Err(Error::MissingCredential) if !self.required => Ok(None),
                Err(e) => Err(to_py(py, e)),
            }
        })
    }

    /// Replaces the keys (e.g. after a JWKS refresh): a `KeySet`, or for a
    /// verifier of several issuers a mapping of issuer names to `KeySet`s.
    /// Calls in flight finish with the keys they started with; tokens
    /// cached under the old keys are verified again.
    fn set_keys(&self, py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<()> {
        let trust = trust::from_py(py, keys, &self.validation, false)?;
        let mut slot = self.trust.write().unwrap_or_else(PoisonError::into_inner);
        if !slot.same_kind(&trust) {
            return Err(PyValueError::new_err(
                "set_keys: a KeySet replaces a KeySet, a mapping of issuers a mapping",
            ));
        }
        *slot = Arc::new(trust);
        Ok(())
    }

    /// The verified-token cache's counters (all 0 without a cache).
    fn cache_info(&self) -> PyCacheInfo {
        let info = self
            .cache
            .as_ref()
            .map(TokenCache::info)
            .unwrap_or_default();
        PyCacheInfo {
            hits: info.hits,
            misses: info.misses,
            maxsize: info.capacity,
            currsize: info.size,
        }
    }

    /// Forgets every cached token (the counters stay).
    fn cache_clear(&self) {
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// The current keys (a verifier of several issuers has `issuers`
    /// instead, and raises `ValueError` here).
    #[getter]
    fn keys(&self) -> PyResult<PyKeySet> {
        let trust = self.trust();
        let keys = trust.keys().ok_or_else(|| {
            PyValueError::new_err("this verifier trusts several issuers: see Verifier.issuers")
        })?;
        Ok(PyKeySet {
            inner: keys.clone(),
        })
    }

    /// `{issuer: KeySet}` for a verifier of several issuers, else `None`.
    #[getter]
    fn issuers<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        trust::issuers(py, &self.trust())
    }

    /// The precedence policy.
    #[getter]
    fn policy(&self) -> PyPolicy {
        PyPolicy {
            inner: self.policy.clone(),
        }
    }

    /// Whether a request without any credential is refused.
    #[getter]
    fn required(&self) -> bool {
        self.required
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(keys={}, policy={:?}, required={}, cache_size={})",
            self.trust().len(),
            self.policy.preset_kind().name(),
            self.required,
            self.cache.as_ref().map_or(0, TokenCache::capacity)
        )
    }
}

fn shadowed(r: &Resolution<'_>) -> Vec<&'static str> {
    r.shadowed_sources().map(|s| s.name()).collect()
}

fn skipped(r: &Resolution<'_>) -> Vec<(&'static str, &'static str)> {
    r.skipped
        .iter()
        .map(|(s, why)| (s.name(), why.name()))
        .collect()
}

/// Who a request is, and how that was decided.
#[pyclass(frozen, name = "Identity", module = "gatekey._gatekey")]
pub(crate) struct PyIdentity {
    /// `"bearer"`, `"cookie"`, `"basic"`, `"proxy"`, `"query"` or `"explicit"`.
    #[pyo3(get)]
    source: &'static str,
    /// The token's `sub`, the Basic user or the proxy-asserted user.
    #[pyo3(get)]
    subject: Option<String>,
    /// The verified payload's JSON, made a `dict` on first use of `claims`
    /// (most requests never read it; `json.loads` was most of their cost).
    payload: Option<Box<[u8]>>,
    claims: PyOnceLock<Py<PyAny>>,
    /// The verified token as sent, for token sources.
    credential: Option<Box<[u8]>>,
    /// Sources whose credentials the winner shadowed, in policy order.
    #[pyo3(get)]
    shadowed: Vec<&'static str>,
    /// `(source, reason)` for sources present without a usable credential.
    #[pyo3(get)]
    skipped: Vec<(&'static str, &'static str)>,
    /// Whether a shadowed credential differs from the winner.
    #[pyo3(get)]
    drift: bool,
}

impl PyIdentity {
    fn new(id: &Identity<'_>) -> Self {
        PyIdentity {
            source: id.source.name(),
            subject: id.subject.as_ref().map(text),
            payload: id.token.map(|v| v.claims.json().into()),
            claims: PyOnceLock::new(),
            credential: id.source.is_token().then(|| id.credential.into()),
            shadowed: shadowed(&id.resolution),
            skipped: skipped(&id.resolution),
            drift: id.resolution.drift,
        }
    }
}

#[pymethods]
impl PyIdentity {
    /// The verified claims (empty for Basic and proxy identities): one
    /// `dict`, built on first access.
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.claims
            .get_or_try_init(py, || match &self.payload {
                Some(json) => claims::dict_of_json(py, json).map(Bound::unbind),
                None => Ok(PyDict::new(py).into_any().unbind()),
            })
            .map(|c| c.clone_ref(py))
    }

    /// The verified token, for token sources.
    #[getter]
    fn token(&self) -> Option<String> {
        self.credential.as_deref().map(lossy)
    }

    fn __repr__(&self) -> String {
        format!(
            "Identity(source={:?}, subject={:?}, shadowed={:?}, drift={})",
            self.source, self.subject, self.shadowed, self.drift
        )
    }
}

/// The outcome of resolution alone: which credential wins.
#[pyclass(frozen, name = "Resolution", module = "gatekey._gatekey")]
pub(crate) struct PyResolution {
    /// The winning source, or `None` when the request carries no credential.
    #[pyo3(get)]
    source: Option<&'static str>,
    /// The winning credential as sent.
    #[pyo3(get)]
    credential: Option<String>,
    /// Sources whose credentials the winner shadowed, in policy order.
    #[pyo3(get)]
    shadowed: Vec<&'static str>,
    /// `(source, reason)` for sources present without a usable credential.
    #[pyo3(get)]
    skipped: Vec<(&'static str, &'static str)>,
    /// Whether a shadowed credential differs from the winner.
    #[pyo3(get)]
    drift: bool,
}

#[pymethods]
impl PyResolution {
    fn __repr__(&self) -> String {
        format!(
            "Resolution(source={:?}, shadowed={:?}, drift={})",
            self.source, self.shadowed, self.drift
        )
    }
}

/// Extracts and resolves a request's credential under `policy`, without
/// verifying it.
#[pyfunction]
#[pyo3(signature = (headers, policy, *, query=None, token=None))]
pub(crate) fn resolve(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    policy: &PyPolicy,
    query: Option<&Bound<'_, PyAny>>,
    token: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyResolution> {
    let fields = fields(headers)?;
    let views = views(&fields);
    let query = borrow_optional(query, "query")?;
    let token = borrow_optional(token, "token")?;
    let mut request = Request::new(views.iter().copied());
    if let Some(q) = query {
        request = request.with_query(q);
    }
    if let Some(t) = token {
        request = request.with_token(t);
    }
    let r = gatekey::resolve(&policy.inner, request).py_err(py)?;
    Ok(PyResolution {
        source: r.winner.map(|c| c.source.name()),
        credential: r.winner.map(|c| lossy(c.value)),
        shadowed: shadowed(&r),
        skipped: skipped(&r),
        drift: r.drift,
    })
}
