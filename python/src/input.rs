//! Python request data as byte slices, copying only what must be copied:
//! ASGI `bytes` headers are borrowed as they are; `str` is encoded once.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

/// `bytes` as it is, `str` as UTF-8.
pub(crate) fn bytes_of<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyBytes>> {
    into_bytes(obj.clone(), what)
}

/// The bytes of a `str` or `bytes` argument (a token, a query string),
/// without a copy: a `str`'s UTF-8 is lent by Python, which keeps it with
/// the string (for ASCII, the string's own storage).
pub(crate) fn borrow_bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a [u8]> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().map(str::as_bytes);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        obj.get_type().name()?
    )))
}

/// [`borrow_bytes`] of an optional argument (`None` when absent or `None`).
pub(crate) fn borrow_optional<'a>(
    obj: Option<&'a Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<&'a [u8]>> {
    obj.filter(|o| !o.is_none())
        .map(|o| borrow_bytes(o, what))
        .transpose()
}

/// [`bytes_of`] taking the reference it is given (no second one).
fn into_bytes<'py>(obj: Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyBytes>> {
    let obj = match obj.cast_into::<PyBytes>() {
        Ok(b) => return Ok(b),
        Err(e) => e.into_inner(),
    };
    if let Ok(s) = obj.cast::<PyString>() {
        // A lone surrogate cannot be UTF-8: its bytes are passed as
        // `surrogatepass` writes them (never valid UTF-8), so an unrelated
        // header is ignored and a credential header refused as malformed,
        // the same as for the bytes in Node and C, instead of a
        // UnicodeEncodeError (security-bindings.md #16).
        return s.encode_utf8().or_else(|_| {
            s.call_method1("encode", ("utf-8", "surrogatepass"))?
                .cast_into::<PyBytes>()
                .map_err(Into::into)
        });
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        obj.get_type().name()?
    )))
}

pub(crate) type Fields<'py> = Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>;

fn field<'py>(item: &Bound<'py, PyAny>, out: &mut Fields<'py>) -> PyResult<()> {
    let (name, value) = if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(PyTypeError::new_err(
                "a header must be a (name, value) pair",
            ));
        }
        (t.get_item(0)?, t.get_item(1)?)
    } else if let Ok(l) = item.cast::<PyList>() {
        // `[name, value]`, as `json.loads` gives pairs.
        if l.len() != 2 {
            return Err(PyTypeError::new_err(
                "a header must be a (name, value) pair",
            ));
        }
        (l.get_item(0)?, l.get_item(1)?)
    } else {
        item.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()
            .map_err(|_| PyTypeError::new_err("a header must be a (name, value) pair"))?
    };
    out.push((
        into_bytes(name, "a header name")?,
        into_bytes(value, "a header value")?,
    ));
    Ok(())
}

/// Header fields from a mapping (`dict`, Starlette `Headers`), an iterable
/// of `(str, str)`, or ASGI `list[tuple[bytes, bytes]]`, in order.
pub(crate) fn fields<'py>(headers: &Bound<'py, PyAny>) -> PyResult<Fields<'py>> {
    let mut out = Vec::new();
    if let Ok(list) = headers.cast::<PyList>() {
        out.reserve(list.len());
        for item in list.iter() {
            field(&item, &mut out)?;
        }
    } else if let Ok(dict) = headers.cast::<PyDict>() {
        for (k, v) in dict.iter() {
            out.push((
                bytes_of(&k, "a header name")?,
                bytes_of(&v, "a header value")?,
            ));
        }
    } else if headers.hasattr("items")? && !headers.is_instance_of::<PyTuple>() {
        for item in headers.call_method0("items")?.try_iter()? {
            field(&item?, &mut out)?;
        }
    } else {
        for item in headers.try_iter()? {
            field(&item?, &mut out)?;
        }
    }
    Ok(out)
}

/// Borrowed views of `fields`, for the core.
pub(crate) fn views<'a>(fields: &'a Fields<'_>) -> Vec<(&'a [u8], &'a [u8])> {
    fields
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect()
}
