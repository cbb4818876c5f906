//! `gk_identity` and `gk_authenticate`: one request in, who it is out.
//!
//! An identity owns fixed buffers, allocated once by `gk_identity_new` (or
//! placed by `gk_identity_init`): the decoded token, copies of the strings
//! it exposes, and room for one decoded claim. `gk_authenticate` allocates
//! nothing, and what the accessors return never points into the caller's
//! headers, which may be freed as soon as `gk_authenticate` returns.

use core::ffi::{c_char, c_void};

use gatekey::json::{JsonStr, Object};
use gatekey::{Request, Skip, Source, MAX_FIELD_LEN, SOURCE_COUNT};
use gatekey_host::{options, Failure, OptionValue, BUFFER_LEN};

use crate::boundary::{
    array, bytes, bytes_or_empty, check_block, fits, free, guard, obj, obj_mut, opt_bytes, put,
    req_str, Owned,
};
use crate::{gk_status, gk_verifier};

/// Copies of the credential and of the decoded `sub`, `iss` and `jti`: a
/// credential of up to `MAX_FIELD_LEN` bytes (any field gatekey reads,
/// a proxy user too) plus strings no longer than its decoded payload.
const TEXT: usize = MAX_FIELD_LEN + BUFFER_LEN;

/// `gk_authenticate`'s `now` for "read the system clock"; 0 and above
/// are Unix seconds (0 is the epoch, as in every language).
pub const GK_NOW: i64 = -1;

/// Bytes of memory a `gk_identity` needs in `gk_identity_init` (aligned to `GK_ALIGN`).
pub const GK_IDENTITY_SIZE: usize = 56 * 1024;
const _: () = assert!(fits::<gk_identity>(GK_IDENTITY_SIZE));

/// Where the winning credential came from.
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum gk_source {
    /// No credential: the identity is empty (not authenticated yet, or the
    /// last `gk_authenticate` failed).
    GK_SOURCE_NONE = 0,
    /// A trusted reverse-proxy header.
    GK_SOURCE_PROXY = 1,
    /// `Authorization: Basic` (RFC 7617).
    GK_SOURCE_BASIC = 2,
    /// `Authorization: Bearer` (RFC 6750 §2.1).
    GK_SOURCE_BEARER = 3,
    /// The credential cookie (RFC 6265).
    GK_SOURCE_COOKIE = 4,
    /// The `access_token` query parameter (RFC 6750 §2.3).
    GK_SOURCE_QUERY = 5,
    /// The token passed to `gk_authenticate_token`.
    GK_SOURCE_EXPLICIT = 6,
}

impl From<Source> for gk_source {
    fn from(s: Source) -> Self {
        match s {
            Source::Proxy => gk_source::GK_SOURCE_PROXY,
            Source::Basic => gk_source::GK_SOURCE_BASIC,
            Source::Bearer => gk_source::GK_SOURCE_BEARER,
            Source::Cookie => gk_source::GK_SOURCE_COOKIE,
            Source::Query => gk_source::GK_SOURCE_QUERY,
            Source::Explicit => gk_source::GK_SOURCE_EXPLICIT,
        }
    }
}

/// One request header field, as pointer + length (not NUL-terminated).
/// Names are compared case-insensitively; pass every field, including
/// repeated ones, as received.
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug)]
pub struct gk_header {
    /// The field name (`Authorization`, `Cookie`, ...).
    pub name: *const u8,
    /// Its length in bytes.
    pub name_len: usize,
    /// The field value.
    pub value: *const u8,
    /// Its length in bytes.
    pub value_len: usize,
}

/// A range of one of the identity's buffers; every field is valid zeroed.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    present: bool,
    start: usize,
    len: usize,
}

impl Span {
    const NONE: Span = Span {
        present: false,
        start: 0,
        len: 0,
    };

    fn get(self, buf: &[u8]) -> Result<Option<&[u8]>, gk_status> {
        if !self.present {
            return Ok(None);
        }
        let end = self
            .start
            .checked_add(self.len)
            .ok_or(gk_status::GK_ERR_INTERNAL)?;
        buf.get(self.start..end)
            .map(Some)
            .ok_or(gk_status::GK_ERR_INTERNAL)
    }
}

/// Who the last authenticated request is: the result of `gk_authenticate`.
///
/// Allocate one per thread (or per connection) and reuse it for every
/// request: `gk_authenticate` overwrites it without allocating. Not
/// thread-safe: one thread at a time. Every pointer an accessor returns
/// points into the identity and is valid until the next `gk_authenticate`
/// on it or its free (and, for `gk_identity_claim_str`, the next
/// `gk_identity_claim_str`).
#[allow(non_camel_case_types)]
pub struct gk_identity {
    // Every field is valid as all-zero bytes: `gk_identity_init` relies on it.
    boxed: bool,
    source: u8,
    drift: bool,
    shadowed: u32,
    /// `(source, reason)` of the sources present without a usable
    /// credential, in the order extraction met them; reasons are indices
    /// into `Skip::ALL`.
    skipped: [(u8, u8); SOURCE_COUNT],
    n_skipped: u8,
    has_exp: bool,
    exp: i64,
    payload: Span,
    credential: Span,
    subject: Span,
    issuer: Span,
    jti: Span,
    /// What the last failure named: the claim, the `kid`, the issuer
    /// (copies in `text`).
    failed: Failed,
    /// The decoded token (header, signature, payload); `payload` points here.
    buf: [u8; BUFFER_LEN],
    /// Copies: `credential`, `subject`, `issuer`, `jti` point here.
    text: [u8; TEXT],
    /// The last string decoded by `gk_identity_claim_str`.
    scratch: [u8; BUFFER_LEN],
}

impl Owned for gk_identity {
    fn boxed(&self) -> bool {
        self.boxed
    }
}

impl gk_identity {
    const EMPTY: gk_identity = gk_identity {
        boxed: false,
        source: 0,
        drift: false,
        shadowed: 0,
        skipped: [(0, 0); SOURCE_COUNT],
        n_skipped: 0,
        has_exp: false,
        exp: 0,
        payload: Span::NONE,
        credential: Span::NONE,
        subject: Span::NONE,
        issuer: Span::NONE,
        jti: Span::NONE,
        failed: Failed::NONE,
        buf: [0; BUFFER_LEN],
        text: [0; TEXT],
        scratch: [0; BUFFER_LEN],
    };

    fn clear(&mut self) {
        self.source = 0;
        self.drift = false;
        self.shadowed = 0;
        self.n_skipped = 0;
        self.has_exp = false;
        self.exp = 0;
        self.payload = Span::NONE;
        self.credential = Span::NONE;
        self.subject = Span::NONE;
        self.issuer = Span::NONE;
        self.jti = Span::NONE;
        self.failed = Failed::NONE;
    }
}

/// What a failure named: spans of the identity's `text`.
#[derive(Clone, Copy, Debug, Default)]
struct Failed {
    claim: Span,
    kid: Span,
    issuer: Span,
    /// Every scope the refused call needs (the challenge's `scope`).
    scope: Span,
}

impl Failed {
    const NONE: Failed = Failed {
        claim: Span::NONE,
        kid: Span::NONE,
        issuer: Span::NONE,
        scope: Span::NONE,
    };
}

/// Keeps what `failure` names in `text`, for `gk_identity_failed_*`.
fn remember(text: &mut [u8; TEXT], failure: &Failure, failed: &mut Failed) {
    let mut text = Text { text, pos: 0 };
    let mut copy = |s: &Option<String>| {
        s.as_ref()
            .and_then(|s| text.bytes(s.as_bytes()).ok())
            .unwrap_or(Span::NONE)
    };
    failed.claim = copy(&failure.claim);
    failed.kid = copy(&failure.kid);
    failed.issuer = copy(&failure.issuer);
    failed.scope = copy(&failure.scope);
}

/// Appends copies to the identity's `text` buffer.
struct Text<'t> {
    text: &'t mut [u8; TEXT],
    pos: usize,
}

impl Text<'_> {
    fn bytes(&mut self, value: &[u8]) -> Result<Span, gk_status> {
        let end = self
            .pos
            .checked_add(value.len())
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        let dst = self
            .text
            .get_mut(self.pos..end)
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        dst.copy_from_slice(value);
        let span = Span {
            present: true,
            start: self.pos,
            len: value.len(),
        };
        self.pos = end;
        Ok(span)
    }

    /// A JSON string, decoded (escapes resolved) by the core.
    fn string(&mut self, value: Option<JsonStr<'_>>) -> Result<Span, gk_status> {
        let Some(value) = value else {
            return Ok(Span::NONE);
        };
        let rest = self
            .text
            .get_mut(self.pos..)
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        let len = value.decode_into(rest)?.len();
        let span = Span {
            present: true,
            start: self.pos,
            len,
        };
        self.pos = self
            .pos
            .checked_add(len)
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        Ok(span)
    }
}

/// Makes an empty identity on the heap (about `GK_IDENTITY_SIZE` bytes,
/// allocated once); free it with `gk_identity_free`.
#[no_mangle]
pub extern "C" fn gk_identity_new(out: *mut *mut gk_identity) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let mut identity = Box::new(gk_identity::EMPTY);
        identity.boxed = true;
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, Box::into_raw(identity)) }
    })
}

/// Makes an empty identity in caller memory of `len` ≥ `GK_IDENTITY_SIZE`
/// bytes aligned to `GK_ALIGN` (firmware without a heap). It is built in
/// place, without a large stack frame. `gk_identity_free` on it releases nothing of the memory, which stays the caller's.
#[no_mangle]
pub extern "C" fn gk_identity_init(
    mem: *mut c_void,
    len: usize,
    out: *mut *mut gk_identity,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let identity = check_block::<gk_identity>(mem, len, GK_IDENTITY_SIZE)?;
        // SAFETY: `identity` is non-NULL, aligned and has room for one
        // (checked), and writable by the caller's contract; all-zero bytes
        // are a valid, empty gk_identity (bools, integers, byte arrays).
        unsafe { identity.write_bytes(0, 1) };
        // SAFETY: the caller's out pointer, non-NULL (checked).
        unsafe { put(out, identity) }
    })
}

/// Frees an identity made by `gk_identity_new`; NULL and `_init`
/// identities are left alone.
#[no_mangle]
pub extern "C" fn gk_identity_free(identity: *mut gk_identity) {
    let _ = guard(|| {
        // SAFETY: an identity of this library, not used after this call.
        unsafe { free(identity) };
        Ok(())
    });
}

/// Empties `identity` before anything else is read, so that after any
/// failure (a NULL argument, a bad length) it holds no earlier request's
/// identity, as the header promises.
fn empty(identity: *mut gk_identity) -> Result<(), gk_status> {
    // SAFETY: a live identity of this library, used by this thread only.
    unsafe { obj_mut(identity) }?.clear();
    Ok(())
}

/// The `n_headers` fields at `headers` as `(name, value)` pairs, each
/// checked readable first (so the iterator cannot fail); they borrow the
/// caller's bytes for the call only.
fn fields<'h>(
    headers: *const gk_header,
    n_headers: usize,
) -> Result<impl Iterator<Item = (&'h [u8], &'h [u8])> + Clone + 'h, gk_status> {
    // SAFETY: `n_headers` readable gk_header at `headers`, by the contract.
    let headers: &'h [gk_header] = unsafe { array(headers, n_headers) }?;
    for h in headers {
        // SAFETY: each field is pointer + length; NULL only when empty.
        unsafe { bytes_or_empty(h.name, h.name_len) }?;
        // SAFETY: as above.
        unsafe { bytes_or_empty(h.value, h.value_len) }?;
    }
    Ok(headers.iter().map(|h| {
        // SAFETY: checked just above: readable, or NULL with length 0.
        let name = unsafe { bytes_or_empty(h.name, h.name_len) }.unwrap_or_default();
        // SAFETY: as above.
        let value = unsafe { bytes_or_empty(h.value, h.value_len) }.unwrap_or_default();
        (name, value)
    }))
}

fn run(
    verifier: *const gk_verifier,
    headers: *const gk_header,
    n_headers: usize,
    query: Option<&[u8]>,
    token: Option<&[u8]>,
    now: i64,
    identity: *mut gk_identity,
) -> Result<(), gk_status> {
    // SAFETY: a live verifier of this library, only read (shareable).
    let verifier = unsafe { obj(verifier) }?;
    // SAFETY: a live identity of this library, used by this thread only.
    let id = unsafe { obj_mut(identity) }?;
    id.clear();
    let mut request = Request::new(fields(headers, n_headers)?);
    if let Some(q) = query {
        request = request.with_query(q);
    }
    if let Some(t) = token {
        request = request.with_token(t);
    }
    let now = options::now(&if now == GK_NOW {
        OptionValue::Absent
    } else {
        OptionValue::Int(now.into())
    })
    .map_err(|_| gk_status::GK_ERR_INVALID_ARGUMENT)?;

    let gk_identity {
        buf, text, failed, ..
    } = id;
    let base = buf.as_ptr() as usize;
    let found = match verifier
        .inner
        .authenticate(request, now, buf, &gatekey_host::InPlace)
    {
        Ok(Some(found)) => found,
        // No credential and the `required` option off: an empty identity.
        Ok(None) => return Ok(()),
        Err(failure) => {
            let status = gk_status::from(failure.error);
            remember(text, &failure, failed);
            return Err(status);
        }
    };

    let mut text = Text { text, pos: 0 };
    let credential = text.bytes(found.credential)?;
    let subject = text.string(found.subject)?;
    let (mut issuer, mut jti, mut payload, mut exp) = (Span::NONE, Span::NONE, Span::NONE, None);
    if let Some(token) = &found.token {
        issuer = text.string(token.claims.iss())?;
        jti = text.string(token.claims.jti())?;
        exp = token.claims.exp();
        let json = token.claims.json();
        // The payload lies in `buf` (the core decodes into it): keep its offset.
        let start = (json.as_ptr() as usize)
            .checked_sub(base)
            .ok_or(gk_status::GK_ERR_INTERNAL)?;
        payload = Span {
            present: true,
            start,
            len: json.len(),
        };
    }
    let shadowed = found
        .resolution
        .shadowed_sources()
        .fold(0u32, |m, s| m | 1u32 << (s as u32));
    let drift = found.resolution.drift;
    let source = found.source as u8;

    id.source = source;
    id.drift = drift;
    id.shadowed = shadowed;
    id.n_skipped = 0;
    for (&(source, why), slot) in found.resolution.skipped.iter().zip(id.skipped.iter_mut()) {
        let reason = Skip::ALL.iter().position(|&s| s == why).unwrap_or(0);
        *slot = (source as u8, u8::try_from(reason).unwrap_or(0));
        id.n_skipped = id.n_skipped.saturating_add(1);
    }
    id.has_exp = exp.is_some();
    id.exp = exp.unwrap_or(0);
    id.payload = payload;
    id.credential = credential;
    id.subject = subject;
    id.issuer = issuer;
    id.jti = jti;
    Ok(())
}

/// Authenticates one request: extracts its credentials from `headers` (and
/// the raw query string `query` without `?`, or NULL), resolves them under
/// the verifier's policy, verifies the winning token at `now` (Unix
/// seconds from 0; `GK_NOW` reads the system clock; any other negative
/// number is `GK_ERR_INVALID_ARGUMENT`), and fills `identity`.
///
/// On error `identity` is left empty (`GK_SOURCE_NONE`) but for what the
/// failure named (`gk_identity_failed_claim`, `_kid`, `_issuer`); answer
/// with `gk_refusal`.
/// `GK_ERR_MISSING_CREDENTIAL` means no accepted source carried a
/// credential; with the option `required` off, that is `GK_OK` and an
/// empty identity (`GK_SOURCE_NONE`) instead.
/// Allocates nothing; the headers may be freed once this returns.
#[no_mangle]
pub extern "C" fn gk_authenticate(
    verifier: *const gk_verifier,
    headers: *const gk_header,
    n_headers: usize,
    query: *const u8,
    query_len: usize,
    now: i64,
    identity: *mut gk_identity,
) -> gk_status {
    guard(|| {
        empty(identity)?;
        // SAFETY: `query` is NULL or points to `query_len` readable bytes.
        let query = unsafe { opt_bytes(query, query_len) }?;
        run(verifier, headers, n_headers, query, None, now, identity)
    })
}

/// As `gk_authenticate`, plus a token the caller already holds (a form
/// field, an argument): the policy's `explicit` source, lowest precedence.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn gk_authenticate_token(
    verifier: *const gk_verifier,
    headers: *const gk_header,
    n_headers: usize,
    query: *const u8,
    query_len: usize,
    token: *const u8,
    token_len: usize,
    now: i64,
    identity: *mut gk_identity,
) -> gk_status {
    guard(|| {
        empty(identity)?;
        // SAFETY: `query` is NULL or points to `query_len` readable bytes.
        let query = unsafe { opt_bytes(query, query_len) }?;
        // SAFETY: `token` points to `token_len` readable bytes.
        let token = unsafe { bytes(token, token_len) }?;
        run(
            verifier,
            headers,
            n_headers,
            query,
            Some(token),
            now,
            identity,
        )
    })
}

/// MCP 2026-07-28: checks a Streamable HTTP POST's `Mcp-Method` and
/// `Mcp-Name` header fields against the JSON-RPC `method` and name
/// (`params.name`, or `params.uri` for `resources/read`; NULL when the
/// body names none) read from its body. `GK_ERR_HEADER_MISMATCH` when they
/// differ, with the header at fault kept in `identity`
/// (`gk_identity_failed_claim`); `gk_refusal` then writes the 400 with
/// JSON-RPC error -32020 the transport requires. Allocates nothing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn gk_check_call(
    headers: *const gk_header,
    n_headers: usize,
    method: *const u8,
    method_len: usize,
    name: *const u8,
    name_len: usize,
    identity: *mut gk_identity,
) -> gk_status {
    guard(|| {
        // SAFETY: a live identity of this library, used by this thread only.
        let id = unsafe { obj_mut(identity) }?;
        id.clear();
        // SAFETY: `method` points to `method_len` readable bytes.
        let method = unsafe { bytes(method, method_len) }?;
        // SAFETY: `name` is NULL or points to `name_len` readable bytes.
        let name = unsafe { opt_bytes(name, name_len) }?;
        let pairs = fields(headers, n_headers)?;
        gatekey_host::mcp::check_body(pairs, method, name).map_err(|failure| {
            let gk_identity { text, failed, .. } = id;
            remember(text, &failure, failed);
            gk_status::from(failure.error)
        })
    })
}

/// A route's scopes: the holder of `identity` (as `gk_authenticate` left
/// it; an empty identity is an anonymous request) must hold every scope
/// of `scopes` (space-separated, `scopes_len` bytes of UTF-8; empty for
/// none), directly or
/// through an implication line of the `scope_rules` option.
/// `GK_ERR_INSUFFICIENT_SCOPE` (or `GK_ERR_MISSING_CREDENTIAL` for an
/// anonymous request) names the missing scopes in
/// `gk_identity_failed_claim`; `gk_refusal` then writes the 403 whose one
/// challenge names every scope of `scopes` (RFC 6750 §3.1). On a failure
/// the identity holds the failure only, as after a failed
/// `gk_authenticate`. `GK_ERR_INVALID_CONFIG` for a scope that is not a
/// scope token. Allocates while it decides, as the options do.
#[no_mangle]
pub extern "C" fn gk_require_scopes(
    verifier: *const gk_verifier,
    identity: *mut gk_identity,
    scopes: *const u8,
    scopes_len: usize,
) -> gk_status {
    guard(|| {
        // SAFETY: a live verifier of this library, only read (shareable).
        let verifier = unsafe { obj(verifier) }?;
        // SAFETY: a live identity of this library, used by this thread only.
        let id = unsafe { obj_mut(identity) }?;
        // SAFETY: `scopes` points to `scopes_len` readable bytes.
        let scopes = unsafe { bytes(scopes, scopes_len) }?;
        let scopes =
            core::str::from_utf8(scopes).map_err(|_| gk_status::GK_ERR_INVALID_ARGUMENT)?;
        // An empty string names no scope (C has no empty list to pass).
        let scopes = if scopes.is_empty() {
            Vec::new()
        } else {
            options::scopes(&OptionValue::Str(scopes.to_owned()))
                .map_err(|e| gk_status::from(e.error))?
        };
        // An empty identity (GK_SOURCE_NONE): no credential, let through.
        let anonymous = id.source == 0;
        let payload = id.payload.get(&id.buf)?;
        let granted = (!anonymous).then(|| gatekey_host::mcp::granted_of_payload(payload));
        let decided = verifier.inner.require_scopes(granted, &scopes);
        decided.map_err(|failure| {
            id.clear();
            let gk_identity { text, failed, .. } = id;
            remember(text, &failure, failed);
            gk_status::from(failure.error)
        })
    })
}

/// Reads the identity and gives back one of its values.
fn read<T>(
    identity: *const gk_identity,
    out: *mut T,
    f: impl FnOnce(&gk_identity) -> Result<T, gk_status>,
) -> gk_status {
    guard(|| {
        // SAFETY: a live identity of this library.
        let id = unsafe { obj(identity) }?;
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let value = f(id)?;
        // SAFETY: the caller's out pointer, non-NULL (checked).
        unsafe { put(out, value) }
    })
}

/// Gives a span of the identity's buffers as pointer + length.
fn give(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
    missing: gk_status,
    pick: impl FnOnce(&gk_identity) -> Result<Option<&[u8]>, gk_status>,
) -> gk_status {
    guard(|| {
        // SAFETY: a live identity of this library.
        let id = unsafe { obj(identity) }?;
        if out_ptr.is_null() || out_len.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let value = pick(id)?.ok_or(missing)?;
        // SAFETY: the caller's out pointers, non-NULL (checked).
        unsafe { put(out_ptr, value.as_ptr()) }?;
        // SAFETY: as above.
        unsafe { put(out_len, value.len()) }
    })
}

/// The source of the winning credential (`GK_SOURCE_NONE` when empty).
#[no_mangle]
pub extern "C" fn gk_identity_source(
    identity: *const gk_identity,
    out: *mut gk_source,
) -> gk_status {
    read(identity, out, |id| {
        Ok(Source::ALL
            .into_iter()
            .find(|s| *s as u8 == id.source)
            .map_or(gk_source::GK_SOURCE_NONE, gk_source::from))
    })
}

/// The sources whose credentials the winner shadowed, as a bit mask:
/// bit `1 << GK_SOURCE_COOKIE` is set when a cookie was shadowed.
#[no_mangle]
pub extern "C" fn gk_identity_shadowed(identity: *const gk_identity, out: *mut u32) -> gk_status {
    read(identity, out, |id| Ok(id.shadowed))
}

/// The snake_case names of `Skip::ALL`, NUL-terminated, in the same order
/// (a test holds them equal to the core's names).
const SKIP_NAMES: [&core::ffi::CStr; 6] = [
    c"empty_bearer",
    c"other_scheme",
    c"basic_disabled",
    c"empty_cookie",
    c"empty_token",
    c"not_accepted",
];

/// How many sources were present without a usable credential (an empty
/// `Bearer`, another scheme, an empty cookie, ...): see
/// `gk_identity_skipped`.
#[no_mangle]
pub extern "C" fn gk_identity_skipped_count(
    identity: *const gk_identity,
    out: *mut usize,
) -> gk_status {
    read(identity, out, |id| Ok(usize::from(id.n_skipped)))
}

/// The `index`-th source present without a usable credential, in the order
/// the request was read: its source, and the reason as a static snake_case
/// name (`"empty_bearer"`, `"other_scheme"`, `"basic_disabled"`,
/// `"empty_cookie"`, `"empty_token"`, `"not_accepted"`).
/// `GK_ERR_INVALID_ARGUMENT` past the last one. `reason` may be NULL.
#[no_mangle]
pub extern "C" fn gk_identity_skipped(
    identity: *const gk_identity,
    index: usize,
    source: *mut gk_source,
    reason: *mut *const c_char,
) -> gk_status {
    read(identity, source, |id| {
        let &(s, why) = id
            .skipped
            .get(..usize::from(id.n_skipped))
            .and_then(|list| list.get(index))
            .ok_or(gk_status::GK_ERR_INVALID_ARGUMENT)?;
        let name = SKIP_NAMES
            .get(usize::from(why))
            .ok_or(gk_status::GK_ERR_INTERNAL)?;
        if !reason.is_null() {
            // SAFETY: the caller's out pointer, non-NULL (checked).
            unsafe { put(reason, name.as_ptr()) }?;
        }
        Ok(Source::ALL
            .into_iter()
            .find(|x| *x as u8 == s)
            .map_or(gk_source::GK_SOURCE_NONE, gk_source::from))
    })
}

/// Whether a shadowed credential differs from the winner: under another
/// precedence this request would be someone else. Worth logging.
#[no_mangle]
pub extern "C" fn gk_identity_drift(identity: *const gk_identity, out: *mut bool) -> gk_status {
    read(identity, out, |id| Ok(id.drift))
}

/// The token's `exp` (unix seconds); `GK_ERR_MISSING_CLAIM` when absent.
#[no_mangle]
pub extern "C" fn gk_identity_expires(identity: *const gk_identity, out: *mut i64) -> gk_status {
    read(identity, out, |id| {
        if id.has_exp {
            Ok(id.exp)
        } else {
            Err(gk_status::GK_ERR_MISSING_CLAIM)
        }
    })
}

/// The winning credential as sent (the token, the Basic base64, or the
/// proxy-asserted user); `GK_ERR_MISSING_CREDENTIAL` when empty.
#[no_mangle]
pub extern "C" fn gk_identity_credential(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CREDENTIAL,
        |id| id.credential.get(&id.text),
    )
}

/// The subject, decoded: a token's `sub`, the Basic user, or the user the
/// proxy asserted; `GK_ERR_MISSING_CLAIM` when there is none.
#[no_mangle]
pub extern "C" fn gk_identity_subject(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.subject.get(&id.text),
    )
}

/// The token's `iss`, decoded; `GK_ERR_MISSING_CLAIM` when absent.
#[no_mangle]
pub extern "C" fn gk_identity_issuer(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.issuer.get(&id.text),
    )
}

/// The token's `jti`, decoded; `GK_ERR_MISSING_CLAIM` when absent.
#[no_mangle]
pub extern "C" fn gk_identity_jti(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.jti.get(&id.text),
    )
}

/// The verified payload as a JSON object, read by the core.
fn claims(id: &gk_identity) -> Result<Object<'_>, gk_status> {
    let payload = id
        .payload
        .get(&id.buf)?
        .ok_or(gk_status::GK_ERR_MISSING_CLAIM)?;
    Ok(Object::parse(payload)?)
}

/// The verified token's whole payload, as its raw JSON text (one object),
/// for bindings that parse the claims once in their own language.
/// `GK_ERR_MISSING_CLAIM` when the credential was not a token (Basic,
/// proxy) or the identity is empty.
#[no_mangle]
pub extern "C" fn gk_identity_claims_json(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.payload.get(&id.buf),
    )
}

/// Any claim of the verified token, as its raw JSON text: `"alice"` with
/// its quotes and escapes, `1750000000`, `["a","b"]`, `{...}`.
/// `GK_ERR_MISSING_CLAIM` when absent (or when the credential was not a
/// token). `name` is NUL-terminated UTF-8.
#[no_mangle]
pub extern "C" fn gk_identity_claim(
    identity: *const gk_identity,
    name: *const c_char,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| {
            // SAFETY: `name` is a NUL-terminated string (caller contract).
            let name = unsafe { req_str(name) }?;
            Ok(claims(id)?.get(name).map(|v| v.raw()))
        },
    )
}

/// A string claim, decoded (escapes resolved, UTF-8, not NUL-terminated).
/// `GK_ERR_INVALID_CLAIM` when the claim is not a string,
/// `GK_ERR_MISSING_CLAIM` when absent. The result is valid until the next
/// `gk_identity_claim_str` or `gk_authenticate` on this identity.
#[no_mangle]
pub extern "C" fn gk_identity_claim_str(
    identity: *mut gk_identity,
    name: *const c_char,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    guard(|| {
        // SAFETY: a live identity of this library, used by this thread only.
        let id = unsafe { obj_mut(identity) }?;
        if out_ptr.is_null() || out_len.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        // SAFETY: `name` is a NUL-terminated string (caller contract).
        let name = unsafe { req_str(name) }?;
        let gk_identity {
            buf,
            scratch,
            payload,
            ..
        } = id;
        let payload = payload.get(buf)?.ok_or(gk_status::GK_ERR_MISSING_CLAIM)?;
        let value = Object::parse(payload)?
            .get(name)
            .ok_or(gk_status::GK_ERR_MISSING_CLAIM)?;
        let text = value
            .as_str()
            .ok_or(gk_status::GK_ERR_INVALID_CLAIM)?
            .decode_into(scratch)?;
        // SAFETY: the caller's out pointers, non-NULL (checked).
        unsafe { put(out_ptr, text.as_ptr()) }?;
        // SAFETY: as above.
        unsafe { put(out_len, text.len()) }
    })
}

/// The claim the last failed `gk_authenticate` on this identity named
/// (`exp`, `jti`, `realm_access.roles`; the missing scope for
/// `GK_ERR_INSUFFICIENT_SCOPE`); `GK_ERR_MISSING_CLAIM` when it named none.
#[no_mangle]
pub extern "C" fn gk_identity_failed_claim(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.failed.claim.get(&id.text),
    )
}

/// The token `kid` the last failure named (`GK_ERR_UNKNOWN_KEY`, say):
/// printable ASCII, at most 64 characters; `GK_ERR_MISSING_CLAIM` for none.
#[no_mangle]
pub extern "C" fn gk_identity_failed_kid(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.failed.kid.get(&id.text),
    )
}

/// The token issuer the last failure named (`GK_ERR_WRONG_ISSUER`,
/// `GK_ERR_UNKNOWN_ISSUER`), bounded as the kid; `GK_ERR_MISSING_CLAIM`
/// for none.
#[no_mangle]
pub extern "C" fn gk_identity_failed_issuer(
    identity: *const gk_identity,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> gk_status {
    give(
        identity,
        out_ptr,
        out_len,
        gk_status::GK_ERR_MISSING_CLAIM,
        |id| id.failed.issuer.get(&id.text),
    )
}

/// What the failure named, as the host's `Failure` for `gk_refusal`.
pub(crate) fn failure_of(id: &gk_identity, error: gatekey::Error) -> Failure {
    let text = |span: Span| {
        span.get(&id.text)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    Failure {
        error,
        claim: text(id.failed.claim),
        kid: text(id.failed.kid),
        issuer: text(id.failed.issuer),
        scope: text(id.failed.scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_names_are_the_cores() {
        for (name, skip) in SKIP_NAMES.iter().zip(Skip::ALL) {
            assert_eq!(name.to_str().ok(), Some(skip.name()));
        }
    }
}
