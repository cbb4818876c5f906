//! `gk_verifier`: keys, policy and validation rules, fixed once and shared
//! by every request; and `gk_validation`, the rules as a plain C struct.

use core::ffi::{c_char, c_void};
use std::sync::Arc;

use gatekey_host::keys::Refresher;
use gatekey_host::{Keys, OptionValue, Options, Verifier};

use crate::boundary::{
    array, fits, free, guard, obj, obj_mut, opt_str, place, put, req_str, Owned,
};
use crate::{gk_keyset, gk_policy, gk_status};

/// Bytes of memory a `gk_verifier` needs in `gk_verifier_init` (aligned to `GK_ALIGN`).
pub const GK_VERIFIER_SIZE: usize = 24 * 1024;
const _: () = assert!(fits::<gk_verifier>(GK_VERIFIER_SIZE));

/// The rules a token must meet besides its signature. Zero-initialise it
/// (`gk_validation v = {0};`) and set what you need; NULL strings are not
/// checked. `exp` is always required unless `exp_optional` is set.
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug)]
pub struct gk_validation {
    /// The trusted `iss`, or NULL to accept any issuer.
    pub issuer: *const c_char,
    /// This service's name, which `aud` must contain, or NULL.
    pub audience: *const c_char,
    /// Seconds of tolerance on `exp`, `nbf` and `iat`.
    pub leeway: u32,
    /// Claims that must be present besides `exp` (up to 4 names), or NULL.
    pub required: *const *const c_char,
    /// The number of names in `required`.
    pub n_required: usize,
    /// A scope the token's `scope` must contain, or NULL.
    pub scope: *const c_char,
    /// The JOSE header `typ` required (e.g. "at+jwt"), or NULL.
    pub typ: *const c_char,
    /// Do not require `exp` (tokens that never expire are then accepted).
    pub exp_optional: bool,
    /// More trusted issuers besides `issuer` (any one of them), or NULL.
    pub issuers: *const *const c_char,
    /// The number of names in `issuers`.
    pub n_issuers: usize,
    /// More names of this service besides `audience` (`aud` must contain
    /// one of them), or NULL.
    pub audiences: *const *const c_char,
    /// The number of names in `audiences`.
    pub n_audiences: usize,
}

/// What a request is authenticated against: a copy of a keyset, a policy
/// and validation rules, immutable once made, and optionally a cache of
/// verified tokens (`gk_verifier_set_cache`).
///
/// Thread safety: `gk_authenticate` only reads a verifier (its cache locks
/// internally, never while a signature is checked), so one verifier may be
/// shared by any number of threads at once.
#[allow(non_camel_case_types)]
pub struct gk_verifier {
    pub(crate) boxed: bool,
    /// The one verifier of every hosted surface (gatekey-host), shared
    /// with `refresher` when the keys come from a source.
    pub(crate) inner: Arc<Verifier>,
    /// What keeps the keys current (`gk_verifier_new_from_source`).
    pub(crate) refresher: Option<Refresher>,
}

/// What a verifier's token cache has done (`gk_verifier_cache_info`).
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, Default)]
pub struct gk_cache_info {
    /// Lookups that found the token (its `exp` and `nbf` still checked).
    pub hits: u64,
    /// Lookups that did not, and verified the token's signature.
    pub misses: u64,
    /// How many tokens the cache holds at most (0: no cache).
    pub capacity: usize,
    /// How many tokens it holds.
    pub size: usize,
}

impl gk_verifier {
    /// A verifier on the heap around `inner`.
    pub(crate) fn boxed(inner: Verifier) -> Self {
        gk_verifier {
            boxed: true,
            inner: Arc::new(inner),
            refresher: None,
        }
    }
}

impl Owned for gk_verifier {
    fn boxed(&self) -> bool {
        self.boxed
    }
}

/// Converts the C rules into the shared options schema, which checks them
/// (gatekey-host's `Options`: the same names and limits as Python and Node).
///
/// # Safety
/// The strings and the `required` array must be valid as documented.
unsafe fn options(v: Option<&gk_validation>) -> Result<Options, gk_status> {
    let mut out = Options::default();
    let Some(v) = v else { return Ok(out) };
    let mut set =
        |name: &str, value: OptionValue| out.set(name, value).map_err(|e| gk_status::from(e.error));
    let text = |s: &str| OptionValue::Str(s.to_owned());
    let mut issuers = Vec::new();
    let mut audiences = Vec::new();
    let mut require = Vec::new();
    if !v.exp_optional {
        require.push(text("exp"));
    }
    // SAFETY: NULL or a NUL-terminated string, by the caller's contract.
    if let Some(iss) = unsafe { opt_str(v.issuer) }? {
        issuers.push(text(iss));
    }
    // SAFETY: as above.
    if let Some(aud) = unsafe { opt_str(v.audience) }? {
        audiences.push(text(aud));
    }
    // SAFETY: as above.
    if let Some(scope) = unsafe { opt_str(v.scope) }? {
        set("scopes", text(scope))?;
    }
    // SAFETY: as above.
    if let Some(typ) = unsafe { opt_str(v.typ) }? {
        set("typ", text(typ))?;
    }
    // SAFETY: each list is NULL with count 0, or `n` valid strings.
    for name in unsafe { names(v.required, v.n_required) }? {
        require.push(text(name?));
    }
    // SAFETY: as above.
    for name in unsafe { names(v.issuers, v.n_issuers) }? {
        issuers.push(text(name?));
    }
    // SAFETY: as above.
    for name in unsafe { names(v.audiences, v.n_audiences) }? {
        audiences.push(text(name?));
    }
    set("require", OptionValue::List(require))?;
    set("issuers", OptionValue::List(issuers))?;
    set("audiences", OptionValue::List(audiences))?;
    set("leeway", OptionValue::Int(v.leeway.into()))?;
    Ok(out)
}

/// The strings of a C array of `n` NUL-terminated strings (none for n = 0).
///
/// # Safety
/// With `n > 0`, `list` points to `n` pointers, each a NUL-terminated
/// string that outlives the call.
unsafe fn names<'a>(
    list: *const *const c_char,
    n: usize,
) -> Result<impl Iterator<Item = Result<&'a str, gk_status>>, gk_status> {
    // SAFETY: `n` pointers at `list`, by the contract.
    let entries: &[*const c_char] = unsafe { array(list, n) }?;
    // SAFETY: each entry is a NUL-terminated string, by the contract.
    Ok(entries.iter().map(|&name| unsafe { req_str(name) }))
}

/// Builds the verifier's value from its parts.
fn parts(
    keyset: *const gk_keyset,
    policy: *const gk_policy,
    rules: *const gk_validation,
    boxed: bool,
) -> Result<gk_verifier, gk_status> {
    // SAFETY: a live keyset of this library (NULL is refused).
    let keys = Box::new(unsafe { obj(keyset) }?.keys.clone());
    // SAFETY: a live policy of this library (NULL is refused).
    let policy = unsafe { obj(policy) }?.policy.clone();
    // SAFETY: NULL (defaults) or a valid gk_validation whose strings are
    // valid, by the caller's contract.
    let options = unsafe { options(rules.as_ref()) }?;
    let inner =
        Verifier::new(Keys::One(keys), policy, options).map_err(|e| gk_status::from(e.error))?;
    Ok(gk_verifier {
        boxed,
        inner: Arc::new(inner),
        refresher: None,
    })
}

/// Makes a verifier on the heap that trusts several issuers, each with its
/// own keys: `issuers[i]` is the `iss` whose tokens `keysets[i]` verifies.
/// The token's `iss` picks the issuer before its `kid` picks a key, so a key
/// of one issuer never verifies a token that claims another (RFC 8725
/// §3.11); an `iss` not listed is `GK_ERR_UNKNOWN_ISSUER`. `validation`
/// applies to every issuer and must not name issuers itself
/// (`GK_ERR_INVALID_CONFIG`). At most 8 issuers. The keysets and policy may
/// be freed afterwards. Free the verifier with `gk_verifier_free`.
#[no_mangle]
pub extern "C" fn gk_verifier_new_issuers(
    issuers: *const *const c_char,
    keysets: *const *const gk_keyset,
    n: usize,
    policy: *const gk_policy,
    validation: *const gk_validation,
    out: *mut *mut gk_verifier,
) -> gk_status {
    guard(|| {
        if out.is_null() || (n > 0 && (issuers.is_null() || keysets.is_null())) {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        // SAFETY: NULL (defaults) or a valid gk_validation, by the contract.
        let rules = unsafe { validation.as_ref() };
        if rules.is_some_and(|v| !v.issuer.is_null() || v.n_issuers > 0) {
            return Err(gk_status::GK_ERR_INVALID_CONFIG);
        }
        // SAFETY: `n` entries at each, by the contract.
        let (names, sets) = unsafe { (array(issuers, n)?, array(keysets, n)?) };
        let mut list = Vec::with_capacity(n);
        for (&name, &set) in names.iter().zip(sets) {
            // SAFETY: a NUL-terminated string and a live keyset of this
            // library, by the contract (NULL is refused by both).
            let name = unsafe { req_str(name) }?.to_owned();
            // SAFETY: as above.
            list.push((name, unsafe { obj(set) }?.keys.clone()));
        }
        // SAFETY: as above.
        let options = unsafe { self::options(rules) }?;
        // SAFETY: a live policy of this library (NULL is refused).
        let policy = unsafe { obj(policy) }?.policy.clone();
        let inner = Verifier::new(Keys::Issuers(list), policy, options)
            .map_err(|e| gk_status::from(e.error))?;
        let verifier = Box::into_raw(Box::new(gk_verifier::boxed(inner)));
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, verifier) }
    })
}

/// Makes a verifier on the heap from copies of `keyset` and `policy` and
/// the rules in `validation` (NULL: require `exp`, check nothing else).
/// The keyset and policy may be freed afterwards. Free the verifier with
/// `gk_verifier_free`.
#[no_mangle]
pub extern "C" fn gk_verifier_new(
    keyset: *const gk_keyset,
    policy: *const gk_policy,
    validation: *const gk_validation,
    out: *mut *mut gk_verifier,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let verifier = Box::into_raw(Box::new(parts(keyset, policy, validation, true)?));
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, verifier) }
    })
}

/// As `gk_verifier_new`, but in caller memory of `len` ≥ `GK_VERIFIER_SIZE`
/// bytes aligned to `GK_ALIGN` (e.g. a `static` buffer on firmware with no
/// heap). `*out` points into `mem`; the memory must outlive every use, and
/// `gk_verifier_free` on it releases what the verifier holds on the heap (its keys, cache and rules) and leaves the memory to the caller, to `_init` again.
#[no_mangle]
pub extern "C" fn gk_verifier_init(
    mem: *mut c_void,
    len: usize,
    keyset: *const gk_keyset,
    policy: *const gk_policy,
    validation: *const gk_validation,
    out: *mut *mut gk_verifier,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let value = parts(keyset, policy, validation, false)?;
        // SAFETY: the caller gives `len` writable bytes at `mem`; `place`
        // checks NULL, size and alignment.
        let verifier = unsafe { place(mem, len, GK_VERIFIER_SIZE, value) }?;
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, verifier) }
    })
}

/// Gives a verifier made by `gk_verifier_new` a cache of verified tokens:
/// a token seen again (the same bytes, under the same keys) then costs a
/// SHA-256 and a lookup instead of a signature check; its `exp` and `nbf`
/// are still checked at every call's `now`. `capacity` is rounded up to a
/// multiple of 64 tokens (at most 65536); 0 removes the cache. The cache
/// holds digests and times only, never the tokens, and is allocated here,
/// once. Call it before the verifier is shared between threads.
///
/// `GK_ERR_INVALID_ARGUMENT` for a capacity above 65536.
#[no_mangle]
pub extern "C" fn gk_verifier_set_cache(verifier: *mut gk_verifier, capacity: usize) -> gk_status {
    guard(|| {
        // SAFETY: a live verifier of this library, not in use elsewhere
        // during this call, by the documented contract.
        let verifier = unsafe { obj_mut(verifier) }?;
        // A verifier of a key source shares its verifier with the
        // refresher: its cache is the `cache_size` option instead.
        Arc::get_mut(&mut verifier.inner)
            .ok_or(gk_status::GK_ERR_INVALID_ARGUMENT)?
            .set_cache_size(capacity)
            .map_err(|_| gk_status::GK_ERR_INVALID_ARGUMENT)
    })
}

/// The counters of a verifier's token cache (all zero without one).
#[no_mangle]
pub extern "C" fn gk_verifier_cache_info(
    verifier: *const gk_verifier,
    out: *mut gk_cache_info,
) -> gk_status {
    guard(|| {
        // SAFETY: a live verifier of this library, only read.
        let verifier = unsafe { obj(verifier) }?;
        let info = verifier.inner.cache_info();
        let info = gk_cache_info {
            hits: info.hits,
            misses: info.misses,
            capacity: info.capacity,
            size: info.size,
        };
        // SAFETY: the caller's out pointer (NULL is refused by `put`).
        unsafe { put(out, info) }
    })
}

/// Frees a verifier made by `gk_verifier_new`; NULL and `_init` verifiers
/// are left alone. No `gk_authenticate` may be running on it.
#[no_mangle]
pub extern "C" fn gk_verifier_free(verifier: *mut gk_verifier) {
    let _ = guard(|| {
        // SAFETY: a verifier of this library, not used after this call.
        unsafe { free(verifier) };
        Ok(())
    });
}
