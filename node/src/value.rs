//! JavaScript values in: options as [`OptionValue`]s (a type conversion
//! only: the host's schema checks them), bytes, and the `TypeError`s of a
//! wrong argument type.

use gatekey_host::OptionValue;
use napi::{
    Env, JsBoolean, JsFunction, JsNumber, JsObject, JsString, JsTypedArray, JsUnknown, Status,
    TypedArrayType, ValueType,
};

/// How deep lists and maps are followed: no option nests more than two
/// levels, and a cyclic array must not recurse forever.
const DEPTH: u32 = 4;

/// How many items of a list or map are read: every option takes at most a
/// handful, so the host refuses a longer one anyway; a sparse
/// `new Array(2 ** 32 - 1)` must not take minutes to refuse.
const ITEMS: u32 = 64;

/// Throws a `TypeError` with `message`; the returned error tells napi-rs
/// that an exception is already pending.
pub(crate) fn type_error(env: Env, message: &str) -> napi::Error {
    match env.throw_type_error(message, None) {
        Ok(()) => napi::Error::new(Status::PendingException, message.to_owned()),
        Err(e) => e,
    }
}

/// The bytes of a string (as UTF-8) or a `Uint8Array` (a `Buffer`), copied
/// into `out`; `false` (nothing written) for any other value.
pub(crate) fn push_bytes(value: JsUnknown, out: &mut Vec<u8>) -> napi::Result<bool> {
    match value.get_type()? {
        ValueType::String => {
            let s = JsString::try_from(value)?.into_utf8()?;
            out.extend_from_slice(s.as_slice());
            Ok(true)
        }
        ValueType::Object if value.is_typedarray()? => {
            let array = JsTypedArray::try_from(value)?.into_value()?;
            if array.typedarray_type != TypedArrayType::Uint8 {
                return Ok(false);
            }
            let bytes: &[u8] = array.as_ref();
            out.extend_from_slice(bytes);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// The bytes of a string or `Uint8Array`, or a `TypeError` naming `what`.
pub(crate) fn bytes(env: Env, value: JsUnknown, what: &str) -> napi::Result<Vec<u8>> {
    let mut out = Vec::new();
    if push_bytes(value, &mut out)? {
        Ok(out)
    } else {
        Err(type_error(
            env,
            &format!("gatekey: {what} must be a string or a Uint8Array"),
        ))
    }
}

/// Like [`bytes`], with `undefined` and `null` as `None`.
pub(crate) fn optional_bytes(
    env: Env,
    value: Option<JsUnknown>,
    what: &str,
) -> napi::Result<Option<Vec<u8>>> {
    match value {
        None => Ok(None),
        Some(v) if absent(&v)? => Ok(None),
        Some(v) => bytes(env, v, what).map(Some),
    }
}

/// Whether `value` is `undefined` or `null`.
pub(crate) fn absent(value: &JsUnknown) -> napi::Result<bool> {
    Ok(matches!(
        value.get_type()?,
        ValueType::Undefined | ValueType::Null
    ))
}

/// A JavaScript number as an option value: an integer (as
/// `Number.isInteger` says) is `Int`, anything else (fractions, NaN, ±∞)
/// `Float`.
fn number(n: f64) -> OptionValue {
    // Every finite integral f64 below 2^127 in magnitude is exactly an
    // i128, so the cast below neither truncates nor saturates.
    const LIMIT: f64 = 1.7e38;
    if n.is_finite() && n.trunc() == n && n.abs() < LIMIT {
        #[allow(clippy::cast_possible_truncation)] // integral and in range: exact
        let i = n as i128;
        OptionValue::Int(i)
    } else {
        OptionValue::Float(n)
    }
}

/// Converts one JavaScript value into an [`OptionValue`], checking
/// nothing: `Map` is the global `Map` constructor.
pub(crate) fn option_value(
    value: JsUnknown,
    map: &JsFunction,
    depth: u32,
) -> napi::Result<OptionValue> {
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => OptionValue::Absent,
        ValueType::Boolean => OptionValue::Bool(JsBoolean::try_from(value)?.get_value()?),
        ValueType::Number => number(JsNumber::try_from(value)?.get_double()?),
        ValueType::String => {
            OptionValue::Str(JsString::try_from(value)?.into_utf8()?.into_owned()?)
        }
        ValueType::BigInt => {
            // Its decimal digits: napi-rs reads a BigInt out of a
            // JsUnknown only through `unsafe`.
            let digits = value.coerce_to_string()?.into_utf8()?.into_owned()?;
            match digits.parse::<i128>() {
                Ok(i) => OptionValue::Int(i),
                Err(_) => OptionValue::Other("bigint".to_owned()),
            }
        }
        ValueType::Object if depth >= DEPTH => OptionValue::Other("nested object".to_owned()),
        ValueType::Object if value.is_array()? => {
            let array = JsObject::try_from(value)?;
            let len = array.get_array_length()?.min(ITEMS);
            let mut list = Vec::new();
            for i in 0..len {
                let item: JsUnknown = array.get_element(i)?;
                list.push(option_value(item, map, depth.saturating_add(1))?);
            }
            OptionValue::List(list)
        }
        ValueType::Object if value.instanceof(map)? => {
            let object = JsObject::try_from(value)?;
            let entries: JsFunction = object.get_named_property("entries")?;
            let iterator = entries.call_without_args(Some(&object))?;
            let iterator = JsObject::try_from(iterator)?;
            let next: JsFunction = iterator.get_named_property("next")?;
            let mut pairs = Vec::new();
            for _ in 0..ITEMS {
                let step = JsObject::try_from(next.call_without_args(Some(&iterator))?)?;
                let done: JsUnknown = step.get_named_property("done")?;
                if done.coerce_to_bool()?.get_value()? {
                    break;
                }
                let pair: JsObject = step.get_named_property("value")?;
                let key: JsUnknown = pair.get_element(0)?;
                let item: JsUnknown = pair.get_element(1)?;
                let key = match key.get_type()? {
                    ValueType::String => JsString::try_from(key)?.into_utf8()?.into_owned()?,
                    // A key that is no string cannot name a claim.
                    _ => {
                        return Ok(OptionValue::Other(
                            "Map with a key that is not a string".to_owned(),
                        ))
                    }
                };
                pairs.push((key, option_value(item, map, depth.saturating_add(1))?));
            }
            OptionValue::Map(pairs)
        }
        ValueType::Object if value.is_typedarray()? => OptionValue::Other("Uint8Array".to_owned()),
        ValueType::Object => {
            let object = JsObject::try_from(value)?;
            let names = object.get_property_names()?;
            let len = names.get_array_length()?.min(ITEMS);
            let mut pairs = Vec::new();
            for i in 0..len {
                // Keys are strings already (napi_get_property_names).
                let key: JsString = names.get_element(i)?;
                let item: JsUnknown = object.get_property(key)?;
                let key: JsString = names.get_element(i)?;
                let key = key.into_utf8()?.into_owned()?;
                pairs.push((key, option_value(item, map, depth.saturating_add(1))?));
            }
            OptionValue::Map(pairs)
        }
        ValueType::Symbol => OptionValue::Other("symbol".to_owned()),
        ValueType::Function => OptionValue::Other("function".to_owned()),
        ValueType::External => OptionValue::Other("external".to_owned()),
        ValueType::Unknown => OptionValue::Other("value".to_owned()),
    })
}

/// The global `Map` constructor.
pub(crate) fn map_constructor(env: Env) -> napi::Result<JsFunction> {
    env.get_global()?.get_named_property("Map")
}

/// The `[[name, value], ...]` pairs a JavaScript wrapper passes for the
/// options it was given, each value converted and none checked yet (the
/// host's [`Options::set`](gatekey_host::Options::set) checks them).
pub(crate) fn option_pairs(
    env: Env,
    options: &JsObject,
) -> napi::Result<Vec<(String, OptionValue)>> {
    let map = map_constructor(env)?;
    let mut pairs = Vec::new();
    for i in 0..options.get_array_length()? {
        let pair: JsObject = options.get_element(i)?;
        let name: String = pair
            .get_element::<napi::JsString>(0)?
            .into_utf8()?
            .into_owned()?;
        pairs.push((name, option_value(pair.get_element(1)?, &map, 0)?));
    }
    Ok(pairs)
}
