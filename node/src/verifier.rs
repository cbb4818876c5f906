//! `Verifier`: gatekey-host's one [`Verifier`], held by the JavaScript
//! class as an external; requests in, identities (or failure objects) out.

// `JsExternal` is deprecated for `External<T>`, which cannot be read out of
// a `JsUnknown` (an issuers list) without `unsafe`: this crate has none.
#![allow(deprecated)]

use std::sync::Arc;

use gatekey::{Identity, Request};
use gatekey_host::keys::Refresher;
use gatekey_host::mcp;
use gatekey_host::options::now as now_of;
use gatekey_host::{
    json_text, with_buffer, Failure, HostKeySet, InPlace, Keys, OptionValue, Options, Verifier,
};
use napi::{Env, JsExternal, JsObject, JsString, JsUnknown, ValueType};
use napi_derive::napi;

use crate::failure::{config_value, failure};
use crate::keys::{keyset, policy};
use crate::value::{
    absent, map_constructor, option_pairs, option_value, optional_bytes, push_bytes, type_error,
};

/// A verifier, and the refresher keeping its keys current if they come
/// from a source (`fromIssuer`, `fromJwksUrl`, `fromJwksFile`).
pub(crate) struct Held {
    pub(crate) verifier: Arc<Verifier>,
    pub(crate) refresher: Option<Arc<Refresher>>,
}

/// A verifier until `close()`.
pub(crate) type Slot = Option<Held>;

/// The verifier and refresher behind an external, or a `TypeError` (or
/// an error once closed).
pub(crate) fn held<'e>(env: &'e Env, external: &JsExternal) -> napi::Result<&'e Held> {
    let slot = env
        .get_value_external::<Slot>(external)
        .map_err(|_| type_error(*env, "gatekey: expected a Verifier"))?;
    match slot {
        Some(h) => Ok(h),
        None => Err(napi::Error::from_reason("gatekey: the verifier is closed")),
    }
}

fn verifier<'e>(env: &'e Env, external: &JsExternal) -> napi::Result<&'e Verifier> {
    Ok(&held(env, external)?.verifier)
}

/// One key set (an external) or `[[issuer, external], ...]` as [`Keys`];
/// the JavaScript layer has checked the shape.
fn keys_of(env: &Env, keys: JsUnknown) -> napi::Result<Keys> {
    if keys.get_type()? == ValueType::External {
        let set = keyset(env, &JsExternal::try_from(keys)?)?;
        return Ok(Keys::One(Box::new(set.clone())));
    }
    if keys.get_type()? != ValueType::Object || !keys.is_array()? {
        return Err(type_error(*env, "gatekey: expected a KeySet or issuers"));
    }
    let list = JsObject::try_from(keys)?;
    let mut issuers: Vec<(String, HostKeySet)> = Vec::new();
    for i in 0..list.get_array_length()? {
        let pair: JsObject = list.get_element(i)?;
        let name: JsUnknown = pair.get_element(0)?;
        let set: JsUnknown = pair.get_element(1)?;
        if name.get_type()? != ValueType::String || set.get_type()? != ValueType::External {
            return Err(type_error(
                *env,
                "gatekey: issuers must map names to KeySets",
            ));
        }
        let name = napi::JsString::try_from(name)?.into_utf8()?.into_owned()?;
        let set = keyset(env, &JsExternal::try_from(set)?)?;
        issuers.push((name, set.clone()));
    }
    Ok(Keys::Issuers(issuers))
}

/// A verifier of `keys` under `policy`, with `options` as `[[name,
/// value], ...]` (every key the caller gave but `policy`, checked by the
/// host); the external, or a configuration error.
#[napi(js_name = "verifierNew")]
pub fn verifier_new(
    env: Env,
    keys: JsUnknown,
    policy_of: JsExternal,
    options: JsObject,
) -> napi::Result<JsUnknown> {
    let keys = keys_of(&env, keys)?;
    let policy = policy(&env, &policy_of)?.clone();
    let mut checked = Options::default();
    for (name, value) in option_pairs(env, &options)? {
        if let Err(e) = checked.set(&name, value) {
            return config_value(env, &e);
        }
    }
    match Verifier::new(keys, policy, checked) {
        Ok(v) => Ok(env
            .create_external::<Slot>(
                Some(Held {
                    verifier: Arc::new(v),
                    refresher: None,
                }),
                None,
            )?
            .into_unknown()),
        Err(e) => config_value(env, &e),
    }
}

/// Replaces the keys (of the same kind: one set, or issuers); `null`, or
/// a configuration error.
#[napi(js_name = "verifierSetKeys")]
pub fn verifier_set_keys(env: Env, v: JsExternal, keys: JsUnknown) -> napi::Result<JsUnknown> {
    let v = verifier(&env, &v)?;
    let keys = keys_of(&env, keys)?;
    if v.trust().keys().is_some() != matches!(keys, Keys::One(_)) {
        return Err(type_error(
            env,
            "gatekey: setKeys takes what the verifier was made with: a KeySet, or issuers",
        ));
    }
    match v.replace_keys(keys) {
        Ok(()) => Ok(env.get_null()?.into_unknown()),
        Err(e) => config_value(env, &e),
    }
}

/// Frees the verifier now; later calls say it is closed.
#[napi(js_name = "verifierClose")]
pub fn verifier_close(env: Env, v: JsExternal) -> napi::Result<()> {
    if let Ok(slot) = env.get_value_external::<Slot>(&v) {
        *slot = None;
    }
    Ok(())
}

/// `{hits, misses, maxsize, currsize}`.
#[napi(js_name = "verifierCacheInfo")]
pub fn verifier_cache_info(env: Env, v: JsExternal) -> napi::Result<JsObject> {
    let info = verifier(&env, &v)?.cache_info();
    let mut o = env.create_object()?;
    // Counters past 2^53 lose precision as JavaScript numbers, harmlessly.
    #[allow(clippy::cast_precision_loss)]
    let number = |n: u64| n as f64;
    o.set_named_property("hits", env.create_double(number(info.hits))?)?;
    o.set_named_property("misses", env.create_double(number(info.misses))?)?;
    o.set_named_property(
        "maxsize",
        env.create_uint32(u32::try_from(info.capacity).unwrap_or(u32::MAX))?,
    )?;
    o.set_named_property(
        "currsize",
        env.create_uint32(u32::try_from(info.size).unwrap_or(u32::MAX))?,
    )?;
    Ok(o)
}

/// The time of a call: `now` as the host reads it (absent: the clock).
fn when(env: Env, now: Option<JsUnknown>) -> Result<i64, napi::Result<JsUnknown>> {
    let value = match now {
        None => OptionValue::Absent,
        Some(v) if matches!(absent(&v), Ok(true)) => OptionValue::Absent,
        Some(v) => match map_constructor(env).and_then(|map| option_value(v, &map, 0)) {
            Ok(v) => v,
            Err(e) => return Err(Err(e)),
        },
    };
    now_of(&value).map_err(|e| config_value(env, &e))
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Appends `n` as node/lib/gatekey.cjs reads lengths: six bits a
/// character below 0x80, all but the last with 0x40 set.
fn push_digits(out: &mut String, n: usize) {
    let mut shift = 0u32;
    while n.checked_shr(shift.saturating_add(6)).unwrap_or(0) > 0 {
        shift = shift.saturating_add(6);
    }
    loop {
        let digit = n.checked_shr(shift).unwrap_or(0) & 0x3f;
        let more = if shift > 0 { 0x40 } else { 0 };
        out.push(char::from(u8::try_from(digit | more).unwrap_or(0)));
        if shift == 0 {
            break;
        }
        shift = shift.saturating_sub(6);
    }
}

/// The common identity as one string, where the array took a napi call
/// per element (a sixth of a cached call): no shadowed or skipped source,
/// no drift, and the token (if any) found in the packed string. Digits as
/// [`push_digits`]: flags (1 subject, 2 token, 4 claims), the source's
/// length, the subject's length in UTF-16 units, the token's start and
/// end in the packed string; then the source, the subject and the claims'
/// JSON (the rest).
fn compact(env: Env, id: &Identity<'_>, packed: Option<&[u8]>) -> Option<napi::Result<JsString>> {
    let r = &id.resolution;
    if r.drift || !r.skipped.is_empty() || r.shadowed_sources().next().is_some() {
        return None;
    }
    let span = if id.source.is_token() {
        Some(span_in(packed?, id.credential)?)
    } else {
        None
    };
    let subject = id.subject.as_ref().map(|s| match s.as_str() {
        Some(plain) => std::borrow::Cow::Borrowed(plain),
        None => std::borrow::Cow::Owned(json_text(s)),
    });
    let claims = id.token.map(|v| v.claims.json());
    let claims = match claims.map(core::str::from_utf8) {
        Some(Ok(json)) => Some(json),
        Some(Err(_)) => return None,
        None => None,
    };
    let source = id.source.name();
    let mut out = String::with_capacity(
        32usize
            .saturating_add(source.len())
            .saturating_add(subject.as_ref().map_or(0, |s| s.len()))
            .saturating_add(claims.map_or(0, str::len)),
    );
    let flags = usize::from(subject.is_some())
        | (usize::from(span.is_some()) << 1)
        | (usize::from(claims.is_some()) << 2);
    push_digits(&mut out, flags);
    push_digits(&mut out, source.len());
    if let Some(s) = &subject {
        push_digits(&mut out, s.encode_utf16().count());
    }
    if let Some((start, end)) = span {
        push_digits(&mut out, usize::try_from(start).ok()?);
        push_digits(&mut out, usize::try_from(end).ok()?);
    }
    out.push_str(source);
    if let Some(s) = &subject {
        out.push_str(s);
    }
    if let Some(json) = claims {
        out.push_str(json);
    }
    Some(env.create_string_from_std(out))
}

/// `[source, subject, claims (the JSON text), token, shadowed, skipped,
/// drift]`: an array, which napi fills without making a property name per
/// field; the JavaScript layer names them. Claims, token, the lists and
/// drift are left as holes when absent, empty or false; a token found in
/// an ASCII packed string is given as its start there (and its end as an
/// eighth element).
fn identity(env: Env, id: &Identity<'_>, packed: Option<&[u8]>) -> napi::Result<JsObject> {
    let mut o = env.create_array_with_length(7)?;
    o.set_element(0, env.create_string(id.source.name())?)?;
    match &id.subject {
        Some(s) => match s.as_str() {
            Some(plain) => o.set_element(1, env.create_string(plain)?)?,
            None => o.set_element(1, env.create_string_from_std(json_text(s))?)?,
        },
        None => o.set_element(1, env.get_null()?)?,
    }
    if let Some(v) = id.token {
        o.set_element(2, string(env, v.claims.json())?)?;
    }
    if id.source.is_token() {
        match packed.and_then(|text| span_in(text, id.credential)) {
            // The token's place in the packed string, for JavaScript to
            // slice (no copy) rather than receive a new string.
            Some((start, end)) => {
                o.set_element(3, env.create_uint32(start)?)?;
                o.set_element(7, env.create_uint32(end)?)?;
            }
            None => o.set_element(3, string(env, id.credential)?)?,
        }
    }
    // Unset elements read as undefined, and empty lists as null: the
    // JavaScript layer makes them null and [] (fewer calls across napi).
    let mut shadowed = id.resolution.shadowed_sources().peekable();
    if shadowed.peek().is_some() {
        let mut list = env.create_empty_array()?;
        for (i, s) in (0u32..).zip(shadowed) {
            list.set_element(i, env.create_string(s.name())?)?;
        }
        o.set_element(4, list)?;
    }
    if !id.resolution.skipped.is_empty() {
        let mut skipped = env.create_empty_array()?;
        for (i, (s, why)) in (0u32..).zip(id.resolution.skipped.iter()) {
            let mut pair = env.create_array_with_length(2)?;
            pair.set_element(0, env.create_string(s.name())?)?;
            pair.set_element(1, env.create_string(why.name())?)?;
            skipped.set_element(i, pair)?;
        }
        o.set_element(5, skipped)?;
    }
    if id.resolution.drift {
        o.set_element(6, env.get_boolean(true)?)?;
    }
    Ok(o)
}

/// Where `part` lies in `text`, in UTF-16 units, when `text` is ASCII (so
/// that bytes and units count alike) and `part` is a slice of it.
fn span_in(text: &[u8], part: &[u8]) -> Option<(u32, u32)> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    if end > text.len() || !text.is_ascii() {
        return None;
    }
    Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
}

/// `bytes` as a JS string: straight from the bytes when they are UTF-8
/// (always, for a token and the core's JSON), replaced where not.
fn string(env: Env, bytes: &[u8]) -> napi::Result<napi::JsString> {
    match core::str::from_utf8(bytes) {
        Ok(s) => env.create_string(s),
        Err(_) => env.create_string_from_std(lossy(bytes)),
    }
}

/// Where each field's bytes start and end in the one buffer.
type Spans = Vec<(usize, usize)>;

/// The fields of `[name, value, ...]` (strings or `Uint8Array`s), copied
/// into one buffer.
fn fields(env: Env, flat: &JsObject) -> napi::Result<(Vec<u8>, Spans)> {
    let len = flat.get_array_length()?;
    let mut bytes = Vec::with_capacity(1024);
    let mut spans = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    for i in 0..len {
        let start = bytes.len();
        if !push_bytes(flat.get_element(i)?, &mut bytes)? {
            return Err(type_error(
                env,
                "gatekey: header names and values must be strings or Uint8Arrays",
            ));
        }
        spans.push((start, bytes.len()));
    }
    Ok((bytes, spans))
}

/// The fields of a packed string (node/lib/gatekey.cjs `pack`): each name
/// and value preceded by its length in UTF-16 units, six bits a character
/// below 0x80 (so one UTF-8 byte each), all but the last digit with 0x40
/// set. One napi call reads every field; ASCII fields (nearly all) are
/// sliced as they are.
fn packed(text: &str) -> Option<Spans> {
    let mut spans = Vec::with_capacity(32);
    let bytes = text.as_bytes();
    let mut at = 0usize;
    while at < bytes.len() {
        let mut units = 0usize;
        loop {
            let digit = *bytes.get(at)?;
            if digit >= 0x80 {
                return None;
            }
            at = at.checked_add(1)?;
            units = units
                .checked_mul(64)?
                .checked_add(usize::from(digit & 0x3f))?;
            if digit & 0x40 == 0 {
                break;
            }
        }
        let body = text.get(at..)?;
        let end = match body.as_bytes().get(..units) {
            Some(ascii) if ascii.is_ascii() => units,
            _ => {
                // Count UTF-16 units over the characters.
                let mut counted = 0usize;
                let mut len = 0usize;
                for c in body.chars() {
                    if counted >= units {
                        break;
                    }
                    counted = counted.checked_add(c.len_utf16())?;
                    len = len.checked_add(c.len_utf8())?;
                }
                if counted != units {
                    return None;
                }
                len
            }
        };
        let stop = at.checked_add(end)?;
        spans.push((at, stop));
        at = stop;
    }
    Some(spans)
}

/// The header fields a call was given, packed (one string) or as
/// `[name, value, ...]`: their bytes and the `(start, end)` of each name
/// and value.
fn header_fields(env: Env, flat: JsUnknown) -> napi::Result<(Vec<u8>, Spans)> {
    if flat.get_type()? == ValueType::String {
        let text = JsString::try_from(flat)?.into_utf8()?.into_owned()?;
        let Some(spans) = packed(&text) else {
            return Err(type_error(env, "gatekey: malformed packed header fields"));
        };
        Ok((text.into_bytes(), spans))
    } else {
        fields(env, &JsObject::try_from(flat)?)
    }
}

/// Authenticates one request: `fields` is `[name, value, ...]`; the
/// identity, `null` (no credential, none required), or a failure.
#[napi(js_name = "verifierAuthenticate")]
pub fn verifier_authenticate(
    env: Env,
    v: JsExternal,
    flat: JsUnknown,
    token: Option<JsUnknown>,
    query: Option<JsUnknown>,
    now: Option<JsUnknown>,
) -> napi::Result<JsUnknown> {
    let v = verifier(&env, &v)?;
    let is_packed = flat.get_type()? == ValueType::String;
    let (bytes, spans) = header_fields(env, flat)?;
    let token = optional_bytes(env, token, "token")?;
    let query = optional_bytes(env, query, "query")?;
    let now = match when(env, now) {
        Ok(n) => n,
        Err(answer) => return answer,
    };
    let slice = |(a, b): (usize, usize)| bytes.get(a..b).unwrap_or_default();
    let pairs: Vec<(&[u8], &[u8])> = spans
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [n, v] => Some((slice(*n), slice(*v))),
            _ => None,
        })
        .collect();
    let mut request = Request::new(pairs.iter().copied());
    if let Some(q) = &query {
        request = request.with_query(q);
    }
    if let Some(t) = &token {
        request = request.with_token(t);
    }
    with_buffer(|buf| match v.authenticate(request, now, buf, &InPlace) {
        Ok(Some(id)) => {
            let packed = is_packed.then_some(bytes.as_slice());
            match compact(env, &id, packed) {
                Some(one) => Ok(one?.into_unknown()),
                None => Ok(identity(env, &id, packed)?.into_unknown()),
            }
        }
        Ok(None) => Ok(env.get_null()?.into_unknown()),
        Err(f) => Ok(failure(env, &f, &v.refusal(&f))?.into_unknown()),
    })
}

/// The MCP header-versus-body check of `fields` (`[name, value, ...]` or
/// packed) for the body's `method` and `name`: `null`, or a failure.
#[napi(js_name = "verifierCheckCall")]
pub fn verifier_check_call(
    env: Env,
    v: JsExternal,
    flat: JsUnknown,
    method: String,
    name: Option<String>,
) -> napi::Result<JsUnknown> {
    let v = verifier(&env, &v)?;
    let (bytes, spans) = header_fields(env, flat)?;
    let slice = |(a, b): (usize, usize)| bytes.get(a..b).unwrap_or_default();
    let pairs = spans.chunks_exact(2).filter_map(|pair| match pair {
        [n, value] => Some((slice(*n), slice(*value))),
        _ => None,
    });
    match gatekey_host::mcp::check_body(
        pairs,
        method.as_bytes(),
        name.as_deref().map(str::as_bytes),
    ) {
        Ok(()) => Ok(env.get_null()?.into_unknown()),
        Err(f) => Ok(failure(env, &f, &v.refusal(&f))?.into_unknown()),
    }
}

/// `Identity.scopes`: the scopes of the claims JSON an identity keeps.
#[napi(js_name = "scopesOf")]
pub fn scopes_of(json: String) -> Vec<String> {
    mcp::scope_names(&mcp::granted_of_payload(Some(json.as_bytes())))
}

/// A route's `scopes` for an identity: `claims` (its claims JSON; absent
/// for a Basic or proxy identity) unless `anonymous`. `null`, a failure
/// (`insufficient_scope`, `missing_credential`) or a configuration error.
#[napi(js_name = "verifierRequireScopes")]
pub fn verifier_require_scopes(
    env: Env,
    v: JsExternal,
    claims: Option<String>,
    anonymous: bool,
    scopes: JsUnknown,
) -> napi::Result<JsUnknown> {
    let v = verifier(&env, &v)?;
    let value = option_value(scopes, &map_constructor(env)?, 0)?;
    let scopes = match gatekey_host::options::scopes(&value) {
        Ok(list) => list,
        Err(e) => return config_value(env, &e),
    };
    let granted =
        (!anonymous).then(|| mcp::granted_of_payload(claims.as_deref().map(str::as_bytes)));
    match v.require_scopes(granted, &scopes) {
        Ok(()) => Ok(env.get_null()?.into_unknown()),
        Err(f) => Ok(failure(env, &f, &v.refusal(&f))?.into_unknown()),
    }
}

/// Verifies a bare token: its claims as JSON text, or a failure.
#[napi(js_name = "verifierVerify")]
pub fn verifier_verify(
    env: Env,
    v: JsExternal,
    token: JsUnknown,
    now: Option<JsUnknown>,
) -> napi::Result<JsUnknown> {
    let v = verifier(&env, &v)?;
    if absent(&token)? {
        return Err(type_error(
            env,
            "gatekey: verify needs a token (a string or a Uint8Array)",
        ));
    }
    let Some(token) = optional_bytes(env, Some(token), "token")? else {
        return Err(type_error(env, "gatekey: verify needs a token"));
    };
    let now = match when(env, now) {
        Ok(n) => n,
        Err(answer) => return answer,
    };
    with_buffer(|buf| match v.verify(&token, now, buf, &InPlace) {
        Ok(verified) => Ok(string(env, verified.claims.json())?.into_unknown()),
        Err(f) => Ok(failure(env, &f, &v.refusal(&f))?.into_unknown()),
    })
}

/// The refusal of a failure with `code` under the challenge options
/// `[[name, value], ...]` (`realm`, `scope`, `resourceMetadata`, checked as
/// the verifier's options): the failure object, or a configuration error.
#[napi(js_name = "challenge")]
pub fn challenge(env: Env, code: u32, options: JsObject) -> napi::Result<JsUnknown> {
    let error = u16::try_from(code).ok().and_then(gatekey::Error::from_code);
    let Some(error) = error else {
        return Err(type_error(env, "gatekey: unknown error code"));
    };
    let mut checked = Options::default();
    for (name, value) in option_pairs(env, &options)? {
        if let Err(e) = checked.set(&name, value) {
            return config_value(env, &e);
        }
    }
    let f = Failure::from(error);
    Ok(failure(env, &f, &f.refusal(&checked.challenge()))?.into_unknown())
}
