//! `Policy`: the core's precedence presets, with their options.

use gatekey::{BasicCredentials, Conflict, Policy, Source};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::IntoPy;

/// An ordered list of credential sources and a conflict mode.
#[pyclass(frozen, name = "Policy", module = "gatekey._gatekey")]
#[derive(Clone)]
pub(crate) struct PyPolicy {
    pub(crate) inner: Policy,
}

fn conflict(name: &str) -> PyResult<Conflict> {
    match name {
        "first" => Ok(Conflict::First),
        "agree" => Ok(Conflict::Agree),
        "single" => Ok(Conflict::Single),
        other => Err(PyValueError::new_err(format!(
            "conflict must be 'first', 'agree' or 'single', not {other:?}"
        ))),
    }
}

pub(crate) const fn conflict_name(c: Conflict) -> &'static str {
    match c {
        Conflict::First => "first",
        Conflict::Agree => "agree",
        Conflict::Single => "single",
    }
}

fn configure(
    py: Python<'_>,
    mut policy: Policy,
    cookie: &str,
    proxy_header: Option<&str>,
    basic: Option<(String, String)>,
    query: bool,
    conflict_mode: Option<&str>,
) -> PyResult<PyPolicy> {
    policy = policy.with_cookie_name(cookie.as_bytes()).py_err(py)?;
    if let Some(h) = proxy_header {
        policy = policy.with_proxy_header(h.as_bytes()).py_err(py)?;
    }
    if let Some((user, password)) = basic {
        policy = policy
            .with_basic(BasicCredentials::new(user.as_bytes(), password.as_bytes()).py_err(py)?);
    }
    policy = policy.with_query(query);
    if let Some(c) = conflict_mode {
        policy = policy.with_conflict(conflict(c)?);
    }
    Ok(PyPolicy { inner: policy })
}

#[pymethods]
impl PyPolicy {
    /// proxy > basic > bearer > cookie > query > explicit; the first wins.
    #[staticmethod]
    #[pyo3(signature = (*, cookie="jwt_token", proxy_header=None, basic=None, query=false, conflict=None))]
    fn header_first(
        py: Python<'_>,
        cookie: &str,
        proxy_header: Option<&str>,
        basic: Option<(String, String)>,
        query: bool,
        conflict: Option<&str>,
    ) -> PyResult<Self> {
        configure(
            py,
            Policy::header_first(),
            cookie,
            proxy_header,
            basic,
            query,
            conflict,
        )
    }

    /// proxy > cookie > bearer > basic > query > explicit; the first wins.
    #[staticmethod]
    #[pyo3(signature = (*, cookie="jwt_token", proxy_header=None, basic=None, query=false, conflict=None))]
    fn cookie_first(
        py: Python<'_>,
        cookie: &str,
        proxy_header: Option<&str>,
        basic: Option<(String, String)>,
        query: bool,
        conflict: Option<&str>,
    ) -> PyResult<Self> {
        configure(
            py,
            Policy::cookie_first(),
            cookie,
            proxy_header,
            basic,
            query,
            conflict,
        )
    }

    /// Bearer only; a second method in the request is `invalid_request`.
    #[staticmethod]
    fn strict() -> Self {
        PyPolicy {
            inner: Policy::strict(),
        }
    }

    /// The preset's name: `"header_first"`, `"cookie_first"`, `"strict"`.
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.preset_kind().name()
    }

    /// The accepted sources, in precedence order.
    #[getter]
    fn order(&self) -> Vec<&'static str> {
        self.inner.order().iter().map(|s| s.name()).collect()
    }

    /// `"first"`, `"agree"` or `"single"`.
    #[getter]
    fn conflict(&self) -> &'static str {
        conflict_name(self.inner.conflict())
    }

    /// The credential cookie's name.
    #[getter]
    fn cookie(&self) -> String {
        String::from_utf8_lossy(self.inner.cookie_name()).into_owned()
    }

    /// The trusted proxy header, if enabled.
    #[getter]
    fn proxy_header(&self) -> Option<String> {
        self.inner
            .proxy_header()
            .map(|h| String::from_utf8_lossy(h).into_owned())
    }

    /// Whether the policy accepts `source` (`"bearer"`, `"cookie"`, …).
    fn accepts(&self, source: &str) -> PyResult<bool> {
        let s = Source::from_name(source)
            .ok_or_else(|| PyValueError::new_err(format!("unknown source {source:?}")))?;
        Ok(self.inner.accepts(s))
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy.{}(order={:?}, conflict={:?})",
            self.name(),
            self.order(),
            self.conflict()
        )
    }
}
