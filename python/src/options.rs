//! Python values as gatekey-host [`OptionValue`]s: a type conversion only.
//! Whether a value suits its option (ranges, lengths, types) is decided by
//! [`gatekey_host::Options::set`], the same for every language.

use gatekey_host::OptionValue;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// `obj` as an [`OptionValue`]: `None` is absent, `bool` before `int`
/// (a `bool` is an `int` in Python), `list` and `tuple` are lists, a
/// `dict` with `str` keys a map; anything else is named by its type.
pub(crate) fn value(obj: &Bound<'_, PyAny>) -> OptionValue {
    if obj.is_none() {
        return OptionValue::Absent;
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return OptionValue::Bool(b.is_true());
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i128>().map_or_else(
            |_| OptionValue::Other("int out of range".to_owned()),
            OptionValue::Int,
        );
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return OptionValue::Float(f.value());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().map_or_else(
            |_| OptionValue::Other("str with lone surrogates".to_owned()),
            |s| OptionValue::Str(s.to_owned()),
        );
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return OptionValue::List(list.iter().map(|item| value(&item)).collect());
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return OptionValue::List(tuple.iter().map(|item| value(&item)).collect());
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut entries = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let Ok(key) = k.cast::<PyString>().map(|s| s.to_string()) else {
                return OptionValue::Other("dict with keys that are not str".to_owned());
            };
            entries.push((key, value(&v)));
        }
        return OptionValue::Map(entries);
    }
    OptionValue::Other(type_name(obj))
}

/// The optional argument `obj` (absent when not given).
pub(crate) fn optional(obj: Option<&Bound<'_, PyAny>>) -> OptionValue {
    obj.map_or(OptionValue::Absent, value)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}
