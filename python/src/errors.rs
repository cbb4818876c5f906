//! Core errors as Python exceptions: one class per error family, each
//! instance carrying the stable code, name, HTTP status, what the failure
//! names (claim, kid, issuer) and the HTTP refusal gatekey-host writes.

use gatekey::{Challenge, Error, Family};
use gatekey_host::options::ChallengeParams;
use gatekey_host::{ConfigError, Failure, Refusal};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

create_exception!(
    gatekey,
    AuthError,
    PyException,
    "A request could not be authenticated."
);
create_exception!(
    gatekey,
    MissingCredential,
    AuthError,
    "The request carries no credential."
);
create_exception!(
    gatekey,
    CredentialConflict,
    AuthError,
    "The request's credentials are ambiguous or conflict."
);
create_exception!(
    gatekey,
    InvalidRequest,
    AuthError,
    "The request's credential is malformed."
);
create_exception!(
    gatekey,
    InvalidToken,
    AuthError,
    "The token (or Basic credential) is not acceptable."
);
create_exception!(
    gatekey,
    ExpiredToken,
    InvalidToken,
    "The token's validity window does not contain now."
);
create_exception!(
    gatekey,
    InsufficientScope,
    AuthError,
    "The token lacks a required scope."
);
create_exception!(
    gatekey,
    ConfigurationError,
    AuthError,
    "gatekey was configured with something unusable."
);

/// Room for the longest challenge: fixed parameters plus a realm, scope and
/// resource URL of user-sized length.
const CHALLENGE_LEN: usize = 2048;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<AuthError>();
    // Class-level defaults, so the attributes exist on the class too.
    base.setattr("code", 0)?;
    base.setattr("name", "")?;
    base.setattr("status", 500)?;
    base.setattr("error", py.None())?;
    base.setattr("www_authenticate", "Bearer")?;
    base.setattr("claim", py.None())?;
    base.setattr("kid", py.None())?;
    base.setattr("issuer", py.None())?;
    base.setattr("scope", py.None())?;
    base.setattr("refusal", py.None())?;
    let config = py.get_type::<ConfigurationError>();
    config.setattr("option", py.None())?;
    config.setattr("value", py.None())?;
    config.setattr("expected", py.None())?;
    m.add("AuthError", base)?;
    m.add("MissingCredential", py.get_type::<MissingCredential>())?;
    m.add("CredentialConflict", py.get_type::<CredentialConflict>())?;
    m.add("InvalidRequest", py.get_type::<InvalidRequest>())?;
    m.add("InvalidToken", py.get_type::<InvalidToken>())?;
    m.add("ExpiredToken", py.get_type::<ExpiredToken>())?;
    m.add("InsufficientScope", py.get_type::<InsufficientScope>())?;
    m.add("ConfigurationError", config)?;
    m.add_class::<PyRefusal>()?;
    Ok(())
}

fn class(py: Python<'_>, family: Family) -> Bound<'_, PyType> {
    match family {
        Family::Missing => py.get_type::<MissingCredential>(),
        Family::Conflict => py.get_type::<CredentialConflict>(),
        Family::InvalidRequest => py.get_type::<InvalidRequest>(),
        Family::InvalidToken => py.get_type::<InvalidToken>(),
        Family::Expired => py.get_type::<ExpiredToken>(),
        Family::InsufficientScope => py.get_type::<InsufficientScope>(),
        Family::Configuration => py.get_type::<ConfigurationError>(),
    }
}

fn write_challenge(challenge: &Challenge<'_>, error: Option<Error>) -> Result<String, Error> {
    let mut buf = [0u8; CHALLENGE_LEN];
    let n = challenge.write(error, &mut buf)?;
    let bytes = buf.get(..n).ok_or(Error::BufferTooSmall)?;
    // The core writes visible ASCII only.
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// The HTTP answer to a refused request, as gatekey-host writes it for
/// every surface: the status, the `WWW-Authenticate` value (`None` for a
/// 500) and the JSON body, byte for byte.
#[pyclass(frozen, name = "Refusal", module = "gatekey._gatekey")]
pub(crate) struct PyRefusal {
    /// 400, 401, 403 or 500.
    #[pyo3(get)]
    status: u16,
    /// The `WWW-Authenticate` value, or `None` (a configuration fault).
    #[pyo3(get)]
    www_authenticate: Option<String>,
    body: String,
}

impl From<Refusal> for PyRefusal {
    fn from(r: Refusal) -> Self {
        PyRefusal {
            status: r.status,
            www_authenticate: r.www_authenticate,
            body: r.body,
        }
    }
}

#[pymethods]
impl PyRefusal {
    /// The JSON body (`application/json`).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.body.as_bytes())
    }

    /// The response headers, ASGI style: `content-type`, `content-length`
    /// and, unless the status is 500, `www-authenticate`.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let mut out = vec![
            (
                PyBytes::new(py, b"content-type"),
                PyBytes::new(py, b"application/json"),
            ),
            (
                PyBytes::new(py, b"content-length"),
                PyBytes::new(py, self.body.len().to_string().as_bytes()),
            ),
        ];
        if let Some(w) = &self.www_authenticate {
            out.push((
                PyBytes::new(py, b"www-authenticate"),
                PyBytes::new(py, w.as_bytes()),
            ));
        }
        out
    }

    fn __repr__(&self) -> String {
        format!(
            "Refusal(status={}, www_authenticate={:?}, body={:?})",
            self.status, self.www_authenticate, self.body
        )
    }
}

/// The exception for `error`, with its attributes set (no claim, kid or
/// issuer named; the bare challenge).
pub(crate) fn to_py(py: Python<'_>, error: Error) -> PyErr {
    let failure = Failure::from(error);
    let refusal = failure.refusal(&ChallengeParams::default());
    failure_to_py(py, &failure, refusal)
}

/// The exception for `failure`, answered with `refusal` (the verifier's).
pub(crate) fn failure_to_py(py: Python<'_>, failure: &Failure, refusal: Refusal) -> PyErr {
    match build(py, failure, refusal, failure.message()) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

fn build<'py>(
    py: Python<'py>,
    failure: &Failure,
    refusal: Refusal,
    message: String,
) -> PyResult<Bound<'py, PyAny>> {
    let error = failure.error;
    let http = error.http();
    let exc = class(py, error.family()).call1((message,))?;
    exc.setattr("code", error.code())?;
    exc.setattr("name", error.name())?;
    exc.setattr("status", http.status)?;
    exc.setattr("error", http.error)?;
    let challenge = refusal.www_authenticate.clone().unwrap_or_else(|| {
        write_challenge(&Challenge::default(), Some(error)).unwrap_or_else(|_| "Bearer".into())
    });
    exc.setattr("www_authenticate", challenge)?;
    exc.setattr("claim", failure.claim.as_deref())?;
    exc.setattr("kid", failure.kid.as_deref())?;
    exc.setattr("issuer", failure.issuer.as_deref())?;
    exc.setattr("scope", failure.scope.as_deref())?;
    exc.setattr("refusal", Py::new(py, PyRefusal::from(refusal))?)?;
    Ok(exc)
}

/// The `ConfigurationError` for a bad option: the message is the host's,
/// `option`, `value` and `expected` its parts.
pub(crate) fn config_to_py(py: Python<'_>, e: &ConfigError) -> PyErr {
    let failure = Failure::from(e.error);
    let refusal = failure.refusal(&ChallengeParams::default());
    let exc = || -> PyResult<Bound<'_, PyAny>> {
        let exc = build(py, &failure, refusal, e.to_string())?;
        exc.setattr("option", e.option)?;
        exc.setattr("value", &e.value)?;
        exc.setattr("expected", &e.expected)?;
        Ok(exc)
    };
    match exc() {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// Maps host option results.
pub(crate) trait ConfigIntoPy<T> {
    fn config_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> ConfigIntoPy<T> for Result<T, ConfigError> {
    fn config_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| config_to_py(py, &e))
    }
}

/// Maps core results.
pub(crate) trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

fn lookup(code: u16) -> PyResult<Error> {
    Error::from_code(code)
        .ok_or_else(|| PyValueError::new_err(format!("no gatekey error has code {code}")))
}

/// The `WWW-Authenticate` value for the error with `code` (or a bare
/// challenge for `None`), written by the core.
#[pyfunction]
#[pyo3(signature = (code=None, *, realm=None, scope=None, resource_metadata=None))]
pub(crate) fn challenge(
    py: Python<'_>,
    code: Option<u16>,
    realm: Option<&str>,
    scope: Option<&str>,
    resource_metadata: Option<&str>,
) -> PyResult<String> {
    let error = code.map(lookup).transpose()?;
    write_challenge(
        &Challenge {
            realm,
            scope,
            resource_metadata,
        },
        error,
    )
    .py_err(py)
}

/// Every error: `(code, name, status, message)`, in code order.
#[pyfunction]
pub(crate) fn errors() -> Vec<(u16, &'static str, u16, &'static str)> {
    Error::ALL
        .iter()
        .map(|e| (e.code(), e.name(), e.http().status, e.message()))
        .collect()
}

/// Raises the exception of the error with `code` (for tests and adapters
/// that need the same exception the core would give).
#[pyfunction]
pub(crate) fn raise_error(py: Python<'_>, code: u16) -> PyResult<()> {
    Err(to_py(py, lookup(code)?))
}
