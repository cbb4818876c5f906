//! Core errors as Python exceptions: one class per error family, each
//! instance carrying the stable code, name, HTTP status and the
//! `WWW-Authenticate` value the core writes.

use gatekey::{Challenge, Error, Family};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;

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
    m.add("AuthError", base)?;
    m.add("MissingCredential", py.get_type::<MissingCredential>())?;
    m.add("CredentialConflict", py.get_type::<CredentialConflict>())?;
    m.add("InvalidRequest", py.get_type::<InvalidRequest>())?;
    m.add("InvalidToken", py.get_type::<InvalidToken>())?;
    m.add("ExpiredToken", py.get_type::<ExpiredToken>())?;
    m.add("InsufficientScope", py.get_type::<InsufficientScope>())?;
    m.add("ConfigurationError", py.get_type::<ConfigurationError>())?;
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

/// The exception for `error`, with its attributes set.
pub(crate) fn to_py(py: Python<'_>, error: Error) -> PyErr {
    match build(py, error) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn build(py: Python<'_>, error: Error) -> PyResult<PyErr> {
    let http = error.http();
    let exc = class(py, error.family()).call1((error.message(),))?;
    exc.setattr("code", error.code())?;
    exc.setattr("name", error.name())?;
    exc.setattr("status", http.status)?;
    exc.setattr("error", http.error)?;
    let challenge =
        write_challenge(&Challenge::default(), Some(error)).unwrap_or_else(|_| "Bearer".into());
    exc.setattr("www_authenticate", challenge)?;
    Ok(PyErr::from_value(exc))
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
