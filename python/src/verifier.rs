//! `Verifier`, `Identity`, `Resolution` and `resolve`: one request in, one
//! identity (or one exception) out, decided by gatekey-host's [`Verifier`]
//! (its options, its checks, its refusal); this module converts.

use gatekey::claims::Granted;
use gatekey::{Claims, Error, Identity, Request, Resolution};
use gatekey_host::options::{self as host_options, ChallengeParams};
use std::sync::Arc;

use gatekey_host::keys::{Refresher, Source};
use gatekey_host::{
    json_text, with_buffer, Failure, Keys, Offload, Options, Trust, Verifier, KEYS,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::claims;
use crate::errors::{failure_to_py, ConfigIntoPy, IntoPy, PyRefusal};
use crate::input::{borrow_bytes, borrow_optional, fields, views, Fields};
use crate::keys::PyKeySet;
use crate::options::{optional, value};
use crate::policy::PyPolicy;
use crate::{sources, trust};

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The scopes `claims` grant, as the core reads them ([`Claims::each_scope`]).
fn scopes(claims: &Claims<'_>) -> Vec<String> {
    gatekey_host::mcp::scope_names(&claims.granted())
}

/// Verifies tokens and authenticates requests with fixed policy and claim
/// rules: gatekey-host's one [`Verifier`], shared with C and Node. Safe to
/// share between threads; the GIL is released while a public-key
/// signature (ES256, RS256, PS256) is checked, the one step that takes
/// tens of microseconds.
#[pyclass(frozen, name = "Verifier", module = "gatekey._gatekey")]
pub(crate) struct PyVerifier {
    inner: Arc<Verifier>,
    /// What keeps the keys current, for a verifier made from a source.
    refresher: Option<Refresher>,
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

/// Borrowed header fields, as the core iterates them.
type FieldViews<'a> = core::iter::Copied<core::slice::Iter<'a, (&'a [u8], &'a [u8])>>;

/// A request of header fields, an optional query string and an optional
/// explicit token.
fn request<'a>(
    views: &'a [(&'a [u8], &'a [u8])],
    query: Option<&'a [u8]>,
    token: Option<&'a [u8]>,
) -> Request<'a, FieldViews<'a>> {
    let mut request = Request::new(views.iter().copied());
    if let Some(q) = query {
        request = request.with_query(q);
    }
    if let Some(t) = token {
        request = request.with_token(t);
    }
    request
}

/// The borrowed parts of a request given as Python values.
struct Parts<'a, 'py> {
    fields: Fields<'py>,
    query: Option<&'a [u8]>,
    token: Option<&'a [u8]>,
}

impl<'a, 'py> Parts<'a, 'py> {
    fn new(
        headers: &Bound<'py, PyAny>,
        query: Option<&'a Bound<'py, PyAny>>,
        token: Option<&'a Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Parts {
            fields: fields(headers)?,
            query: borrow_optional(query, "query")?,
            token: borrow_optional(token, "token")?,
        })
    }
}

impl PyVerifier {
    fn from_source(
        py: Python<'_>,
        source: Source,
        policy: Option<&PyPolicy>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let refresher = sources::build(py, source, policy, options)?;
        Ok(PyVerifier {
            inner: sources::verifier(&refresher),
            refresher: Some(refresher),
        })
    }

    /// `now` as given, or the clock: the host's rule, as every language's.
    fn now(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
        host_options::now(&optional(now)).config_err(py)
    }

    fn refuse(&self, py: Python<'_>, failure: &Failure) -> PyErr {
        failure_to_py(py, failure, self.inner.refusal(failure))
    }
}

/// `keys` of the `set_keys` kind of the verifier's current trust.
fn same_kind(trust: &Trust<KEYS>, keys: &Keys) -> bool {
    matches!(
        (trust.keys().is_some(), keys),
        (true, Keys::One(_)) | (false, Keys::Issuers(_))
    )
}

/// The failure an `AuthError` describes, read back from its attributes.
fn failure_of(error: &Bound<'_, PyAny>) -> PyResult<Failure> {
    let code: u16 = error.getattr("code")?.extract()?;
    let error_ = Error::from_code(code)
        .ok_or_else(|| PyValueError::new_err(format!("no gatekey error has code {code}")))?;
    let named = |name: &str| -> PyResult<Option<String>> { error.getattr(name)?.extract() };
    Ok(Failure {
        error: error_,
        claim: named("claim")?,
        kid: named("kid")?,
        issuer: named("issuer")?,
        scope: named("scope")?,
    })
}

#[pymethods]
impl PyVerifier {
    /// `Verifier(keys, *, policy=None, **options)`: every option of
    /// gatekey-host's one schema (`issuer(s)`, `audience(s)`, `leeway`,
    /// `require`, `claims`, `scope(s)`, `authorized_parties`/`azp`,
    /// `client_ids`/`client_id`, `typ`, `cache_size`, `realm`,
    /// `resource_metadata`, `required`), set in the order given and
    /// checked by the host: a bad one raises `ConfigurationError` naming it.
    #[new]
    #[pyo3(signature = (keys, *, policy=None, **options))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        policy: Option<&PyPolicy>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let mut checked = Options::default();
        if let Some(options) = options {
            for (name, v) in options.iter() {
                let name: String = name.extract()?;
                checked.set(&name, value(&v)).config_err(py)?;
            }
        }
        let keys = trust::from_py(keys)?;
        let policy = policy.map_or_else(gatekey::Policy::header_first, |p| p.inner.clone());
        let inner = Verifier::new(keys, policy, checked).config_err(py)?;
        Ok(PyVerifier {
            inner: Arc::new(inner),
            refresher: None,
        })
    }

    /// `Verifier.from_jwks_url(url, *, policy=None, **options)`: keys from
    /// a JWKS URL, fetched once now (the GIL released) and then kept
    /// current on gatekey-host's background thread. `options` are the
    /// verifier's and the refresh settings (`min_refresh`, `max_refresh`,
    /// `max_staleness`, `cooldown`, `unknown_kids`, `unknown_kid_wait`,
    /// `connect_timeout`,
    /// `timeout`, `max_body`, `allow_http`, `background`).
    #[staticmethod]
    #[pyo3(signature = (url, *, policy=None, **options))]
    fn from_jwks_url(
        py: Python<'_>,
        url: String,
        policy: Option<&PyPolicy>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Self::from_source(py, Source::JwksUrl(url), policy, options)
    }

    /// `Verifier.from_issuer(issuer, *, policy=None, **options)`: keys from
    /// the OIDC issuer's `jwks_uri` (its discovery document's `issuer`
    /// must be `issuer` exactly), and `issuer` trusted unless `issuer(s)`
    /// is given; otherwise as `from_jwks_url`.
    #[staticmethod]
    #[pyo3(signature = (issuer, *, policy=None, **options))]
    fn from_issuer(
        py: Python<'_>,
        issuer: String,
        policy: Option<&PyPolicy>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Self::from_source(py, Source::Issuer(issuer), policy, options)
    }

    /// `Verifier.from_jwks_file(path, *, policy=None, **options)`: keys
    /// from a JWKS file, read again when it changes.
    #[staticmethod]
    #[pyo3(signature = (path, *, policy=None, **options))]
    fn from_jwks_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        policy: Option<&PyPolicy>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Self::from_source(py, Source::File(path), policy, options)
    }

    /// The key source's counters (`fetches`, `keys`, `fresh`, per source
    /// `last_success`, `last_error`, `skipped` …), or `None` for keys
    /// given directly.
    fn key_status<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.refresher
            .as_ref()
            .map(|r| sources::status(py, &r.status()))
            .transpose()
    }

    /// Fetches the keys now (the GIL released; blocks this thread only):
    /// for `background=False` and tests. Returns whether they changed.
    fn refresh(&self, py: Python<'_>) -> bool {
        self.refresher
            .as_ref()
            .is_some_and(|r| py.detach(|| r.poll(true)))
    }

    /// Verifies `token` (signature, then claims at `now`, default the
    /// system clock) and returns its claims.
    #[pyo3(signature = (token, *, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = borrow_bytes(token, "the token")?;
        let now = Self::now(py, now)?;
        let offload = ReleaseGil::for_trust(py, &self.inner.trust());
        with_buffer(|buf| match self.inner.verify(t, now, buf, &offload) {
            Ok(v) => claims::dict(py, v.claims.object()),
            Err(f) => Err(self.refuse(py, &f)),
        })
    }

    /// [`verify`](Self::verify), with the scopes the token grants by the
    /// core's one rule (`scope` split on single spaces, else `scp` as an
    /// array or a space-separated string): `(claims, scopes)`.
    #[pyo3(signature = (token, *, now=None))]
    fn verify_with_scopes<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let t = borrow_bytes(token, "the token")?;
        let now = Self::now(py, now)?;
        let offload = ReleaseGil::for_trust(py, &self.inner.trust());
        with_buffer(|buf| match self.inner.verify(t, now, buf, &offload) {
            Ok(v) => {
                let scopes = scopes(&v.claims);
                let dict = claims::dict(py, v.claims.object())?;
                PyTuple::new(py, [dict.into_any(), scopes.into_pyobject(py)?.into_any()])
            }
            Err(f) => Err(self.refuse(py, &f)),
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
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyIdentity>> {
        let parts = Parts::new(headers, query, token)?;
        let views = views(&parts.fields);
        let now = Self::now(py, now)?;
        let offload = ReleaseGil::for_trust(py, &self.inner.trust());
        let request = request(&views, parts.query, parts.token);
        with_buffer(
            |buf| match self.inner.authenticate(request, now, buf, &offload) {
                Ok(id) => Ok(id.as_ref().map(PyIdentity::new)),
                Err(f) => Err(self.refuse(py, &f)),
            },
        )
    }

    /// Checks a Streamable HTTP POST's `Mcp-Method` and `Mcp-Name`
    /// headers against the JSON-RPC `method` and name (`params.name`, or
    /// `params.uri` for `resources/read`) read from its body (MCP
    /// 2026-07-28). Raises `InvalidRequest` with code `header_mismatch`,
    /// whose `refusal` is the 400 with JSON-RPC error -32020.
    #[pyo3(signature = (headers, method, name=None))]
    fn check_call(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        method: &str,
        name: Option<&str>,
    ) -> PyResult<()> {
        let parts = Parts::new(headers, None, None)?;
        let views = views(&parts.fields);
        gatekey_host::mcp::check_body(
            views.iter().copied(),
            method.as_bytes(),
            name.map(str::as_bytes),
        )
        .map_err(|f| self.refuse(py, &f))
    }

    /// Checks that `identity` (`None`: an anonymous request) holds every
    /// one of `scopes` (a list, or a space-separated string), directly or
    /// through a hierarchy line of `scope_rules`: for a route that names
    /// the scopes it needs. Raises `InsufficientScope` (`MissingCredential`
    /// for `None`) whose refusal is the 403 with one challenge naming all
    /// of `scopes` (RFC 6750 §3.1); `ConfigurationError` for a bad scope.
    fn require_scopes(
        &self,
        py: Python<'_>,
        identity: Option<PyRef<'_, PyIdentity>>,
        scopes: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let scopes = host_options::scopes(&value(scopes)).config_err(py)?;
        let granted = identity.as_ref().map(|id| id.granted());
        self.inner
            .require_scopes(granted, &scopes)
            .map_err(|f| self.refuse(py, &f))
    }

    /// Which credential a request carries under this verifier's policy,
    /// without verifying it.
    #[pyo3(signature = (headers, *, query=None, token=None))]
    fn resolve(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        query: Option<&Bound<'_, PyAny>>,
        token: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResolution> {
        let parts = Parts::new(headers, query, token)?;
        let views = views(&parts.fields);
        let resolved = self
            .inner
            .resolve(request(&views, parts.query, parts.token))
            .map(|r| PyResolution::new(&r));
        resolved.map_err(|f| self.refuse(py, &f))
    }

    /// The HTTP answer to `error` (an `AuthError`) with this verifier's
    /// challenge, `realm` and `resource_metadata` replacing the verifier's
    /// own when given (checked as the options of the same names).
    #[pyo3(signature = (error, *, realm=None, resource_metadata=None))]
    fn refusal(
        &self,
        py: Python<'_>,
        error: &Bound<'_, PyAny>,
        realm: Option<&Bound<'_, PyAny>>,
        resource_metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRefusal> {
        let failure = failure_of(error)?;
        if realm.is_none() && resource_metadata.is_none() {
            return Ok(self.inner.refusal(&failure).into());
        }
        let mut params: ChallengeParams = self.inner.challenge().clone();
        let mut given = Options::default();
        if let Some(r) = realm {
            given.set("realm", value(r)).config_err(py)?;
            params.realm.clone_from(&given.realm);
        }
        if let Some(m) = resource_metadata {
            given.set("resource_metadata", value(m)).config_err(py)?;
            params
                .resource_metadata
                .clone_from(&given.resource_metadata);
        }
        Ok(failure.refusal(&params).into())
    }

    /// Replaces the keys (e.g. after a JWKS refresh): a `KeySet`, or for a
    /// verifier of several issuers a mapping of issuer names to `KeySet`s.
    /// Calls in flight finish with the keys they started with; tokens
    /// cached under the old keys are verified again.
    fn set_keys(&self, py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<()> {
        let keys = trust::from_py(keys)?;
        if !same_kind(&self.inner.trust(), &keys) {
            return Err(PyValueError::new_err(
                "set_keys: a KeySet replaces a KeySet, a mapping of issuers a mapping",
            ));
        }
        self.inner.replace_keys(keys).config_err(py)
    }

    /// The verified-token cache's counters (all 0 without a cache).
    fn cache_info(&self) -> PyCacheInfo {
        let info = self.inner.cache_info();
        PyCacheInfo {
            hits: info.hits,
            misses: info.misses,
            maxsize: info.capacity,
            currsize: info.size,
        }
    }

    /// Forgets every cached token (the counters stay).
    fn cache_clear(&self) {
        self.inner.cache_clear();
    }

    /// The current keys (a verifier of several issuers has `issuers`
    /// instead, and raises `ValueError` here).
    #[getter]
    fn keys(&self) -> PyResult<PyKeySet> {
        let trust = self.inner.trust();
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
        trust::issuers(py, &self.inner.trust())
    }

    /// The precedence policy.
    #[getter]
    fn policy(&self) -> PyPolicy {
        PyPolicy {
            inner: self.inner.policy().clone(),
        }
    }

    /// Whether a request without any credential is refused.
    #[getter]
    fn required(&self) -> bool {
        self.inner.options().required
    }

    /// This server's canonical URI (the `resource` option), if set.
    #[getter]
    fn resource(&self) -> Option<String> {
        self.inner.options().resource.clone()
    }

    /// The `scope_rules` option's lines (empty without rules).
    #[getter]
    fn scope_rules(&self) -> Vec<String> {
        self.inner.options().scope_rules.clone()
    }

    /// The `resource_metadata` option, if set.
    #[getter]
    fn resource_metadata(&self) -> Option<String> {
        self.inner.options().resource_metadata.clone()
    }

    /// Every scope the `scope_rules` name, in order, once each (for the
    /// `scopes_supported` of the protected resource metadata).
    #[getter]
    fn scopes_supported(&self) -> Vec<String> {
        self.inner.scopes_named()
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(keys={}, policy={:?}, required={}, cache_size={})",
            self.inner.trust().len(),
            self.inner.policy().preset_kind().name(),
            self.inner.options().required,
            self.inner.cache_info().capacity
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
    /// The scopes of the kept payload (none for Basic and proxy
    /// identities), read again.
    fn granted(&self) -> Granted<'_> {
        gatekey_host::mcp::granted_of_payload(self.payload.as_deref())
    }

    fn new(id: &Identity<'_>) -> Self {
        PyIdentity {
            source: id.source.name(),
            subject: id.subject.as_ref().map(json_text),
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

    /// The scopes the token grants (`scope`, else `scp`, as the core
    /// reads them), in order; empty for Basic and proxy identities.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        gatekey_host::mcp::scope_names(&self.granted())
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

impl PyResolution {
    fn new(r: &Resolution<'_>) -> Self {
        PyResolution {
            source: r.winner.map(|c| c.source.name()),
            credential: r.winner.map(|c| lossy(c.value)),
            shadowed: shadowed(r),
            skipped: skipped(r),
            drift: r.drift,
        }
    }
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
    let parts = Parts::new(headers, query, token)?;
    let views = views(&parts.fields);
    let r =
        gatekey::resolve(&policy.inner, request(&views, parts.query, parts.token)).py_err(py)?;
    Ok(PyResolution::new(&r))
}
