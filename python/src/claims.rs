//! Verified claims as a Python `dict`, built from the core's JSON reader.
//!
//! The payload was validated by the core (or proven the same bytes by the
//! cache's digest), so this is type conversion only, and it costs a third
//! of `json.loads` (which re-scans the text through several Python frames
//! and a regex). The result is what `json.loads` returns: `int` for
//! integers of any size, `float` otherwise, the same strings. A value this
//! could not convert exactly would go to `json.loads` (none today: the core
//! refuses lone surrogate escapes, the one case where they could differ).

use gatekey::json::{JsonStr, Kind, Object, Value};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

/// Why the fast conversion gave up.
enum Miss {
    /// Python raised (an allocation failed).
    Py(PyErr),
    /// A value `json.loads` might read differently from this conversion.
    Slow,
}

impl From<PyErr> for Miss {
    fn from(e: PyErr) -> Self {
        Miss::Py(e)
    }
}

static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn loads<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let f = LOADS.get_or_try_init(py, || {
        py.import("json")?.getattr("loads").map(Bound::unbind)
    })?;
    f.bind(py).call1((PyBytes::new(py, json),))
}

/// The claims of a verified token as a new `dict`.
pub(crate) fn dict<'py>(py: Python<'py>, obj: Object<'_>) -> PyResult<Bound<'py, PyAny>> {
    match object(py, obj) {
        Ok(d) => Ok(d.into_any()),
        Err(Miss::Py(e)) => Err(e),
        Err(Miss::Slow) => loads(py, obj.raw()),
    }
}

/// [`dict`] of a payload kept as bytes (`Identity.claims`, on first use).
pub(crate) fn dict_of_json<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match Object::parse(json) {
        Ok(obj) => dict(py, obj),
        Err(_) => loads(py, json),
    }
}

fn object<'py>(py: Python<'py>, obj: Object<'_>) -> Result<Bound<'py, PyDict>, Miss> {
    let d = PyDict::new(py);
    for (name, v) in obj.members() {
        d.set_item(member_name(py, &name)?, value(py, v)?)?;
    }
    Ok(d)
}

fn value<'py>(py: Python<'py>, v: Value<'_>) -> Result<Bound<'py, PyAny>, Miss> {
    Ok(match v.kind() {
        Kind::String => string(py, &v.as_str().ok_or(Miss::Slow)?)?.into_any(),
        Kind::Number => number(py, v.raw())?,
        Kind::Bool => PyBool::new(py, v.as_bool().ok_or(Miss::Slow)?)
            .to_owned()
            .into_any(),
        Kind::Null => py.None().into_bound(py),
        Kind::Object => object(py, v.as_object().ok_or(Miss::Slow)?)?.into_any(),
        Kind::Array => {
            let list = PyList::empty(py);
            for e in v.as_array().ok_or(Miss::Slow)?.iter() {
                list.append(value(py, e)?)?;
            }
            list.into_any()
        }
    })
}

/// A member name: the registered claims (RFC 7519 §4.1, RFC 9068 §2.2,
/// RFC 8693 §4) as interned strings, whose hash Python has already
/// computed, so that building the dict neither allocates nor hashes them.
fn member_name<'py>(py: Python<'py>, s: &JsonStr<'_>) -> Result<Bound<'py, PyString>, Miss> {
    let interned = match s.as_str() {
        Some("iss") => intern!(py, "iss"),
        Some("sub") => intern!(py, "sub"),
        Some("aud") => intern!(py, "aud"),
        Some("exp") => intern!(py, "exp"),
        Some("nbf") => intern!(py, "nbf"),
        Some("iat") => intern!(py, "iat"),
        Some("jti") => intern!(py, "jti"),
        Some("scope") => intern!(py, "scope"),
        Some("client_id") => intern!(py, "client_id"),
        Some("azp") => intern!(py, "azp"),
        Some("auth_time") => intern!(py, "auth_time"),
        Some("acr") => intern!(py, "acr"),
        Some("roles") => intern!(py, "roles"),
        Some("groups") => intern!(py, "groups"),
        _ => return string(py, s),
    };
    Ok(interned.clone())
}

fn string<'py>(py: Python<'py>, s: &JsonStr<'_>) -> Result<Bound<'py, PyString>, Miss> {
    if let Some(plain) = s.as_str() {
        return Ok(PyString::new(py, plain));
    }
    let decoded = String::from_utf8(s.bytes().collect()).map_err(|_| Miss::Slow)?;
    Ok(PyString::new(py, &decoded))
}

/// `json.loads`' rule: no fraction and no exponent is an `int` (of any
/// size), anything else a `float` (both round correctly, so they agree).
fn number<'py>(py: Python<'py>, raw: &[u8]) -> Result<Bound<'py, PyAny>, Miss> {
    let text = core::str::from_utf8(raw).map_err(|_| Miss::Slow)?;
    if raw.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        let f: f64 = text.parse().map_err(|_| Miss::Slow)?;
        return Ok(PyFloat::new(py, f).into_any());
    }
    match text.parse::<i64>() {
        Ok(i) => Ok(PyInt::new(py, i).into_any()),
        Err(_) => Ok(py.get_type::<PyInt>().call1((text,))?),
    }
}
