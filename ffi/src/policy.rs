//! `gk_policy`: which sources a request's credential may come from, and in
//! what order (the core's `Policy`, one value shared by every layer).

use core::ffi::{c_uint, c_void};

use gatekey::{BasicCredentials, Conflict, Policy, Source};

use crate::boundary::{bytes, fits, free, guard, obj_mut, place, put, Owned};
use crate::gk_status;

/// Bytes of memory a `gk_policy` needs in `gk_policy_init` (aligned to `GK_ALIGN`).
pub const GK_POLICY_SIZE: usize = 512;
const _: () = assert!(fits::<gk_policy>(GK_POLICY_SIZE));

/// The precedence presets (pass to `gk_policy_new` as an `unsigned`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum gk_preset {
    /// proxy > basic > bearer > cookie > query > explicit; the first wins,
    /// the others are reported as shadowed (with drift when they differ).
    GK_POLICY_HEADER_FIRST = 1,
    /// proxy > cookie > bearer > basic > query > explicit; the first wins.
    GK_POLICY_COOKIE_FIRST = 2,
    /// Bearer header only; more than one method is `GK_ERR_MULTIPLE_METHODS`.
    GK_POLICY_STRICT = 3,
}

/// How several credentials in one request are treated (`gk_policy_set_conflict`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum gk_conflict {
    /// The first source in policy order wins.
    GK_CONFLICT_FIRST = 1,
    /// Several sources only when they carry the same credential, else
    /// `GK_ERR_CONFLICTING_CREDENTIALS`.
    GK_CONFLICT_AGREE = 2,
    /// At most one method (RFC 6750 §2), else `GK_ERR_MULTIPLE_METHODS`.
    GK_CONFLICT_SINGLE = 3,
}

/// A credential policy: a preset plus its options.
///
/// Not thread-safe to modify; a verifier takes its own copy, so a policy
/// can be freed or reused once `gk_verifier_new` returns.
#[allow(non_camel_case_types)]
pub struct gk_policy {
    boxed: bool,
    pub(crate) policy: Policy,
}

impl Owned for gk_policy {
    fn boxed(&self) -> bool {
        self.boxed
    }
}

fn preset(preset: c_uint) -> Result<Policy, gk_status> {
    match preset {
        p if p == gk_preset::GK_POLICY_HEADER_FIRST as c_uint => Ok(Policy::header_first()),
        p if p == gk_preset::GK_POLICY_COOKIE_FIRST as c_uint => Ok(Policy::cookie_first()),
        p if p == gk_preset::GK_POLICY_STRICT as c_uint => Ok(Policy::strict()),
        _ => Err(gk_status::GK_ERR_INVALID_ARGUMENT),
    }
}

/// Makes a policy from a preset (a `gk_preset`) on the heap; free it with
/// `gk_policy_free`.
#[no_mangle]
pub extern "C" fn gk_policy_new(preset_: c_uint, out: *mut *mut gk_policy) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let policy = Box::into_raw(Box::new(gk_policy {
            boxed: true,
            policy: preset(preset_)?,
        }));
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, policy) }
    })
}

/// Makes a policy in caller memory of `len` ≥ `GK_POLICY_SIZE` bytes
/// aligned to `GK_ALIGN`. `gk_policy_free` on it leaves the memory to the caller.
#[no_mangle]
pub extern "C" fn gk_policy_init(
    mem: *mut c_void,
    len: usize,
    preset_: c_uint,
    out: *mut *mut gk_policy,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let value = gk_policy {
            boxed: false,
            policy: preset(preset_)?,
        };
        // SAFETY: the caller gives `len` writable bytes at `mem`; `place`
        // checks NULL, size and alignment.
        let policy = unsafe { place(mem, len, GK_POLICY_SIZE, value) }?;
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, policy) }
    })
}

/// Applies a core builder step to the policy in place.
fn update(
    policy: *mut gk_policy,
    step: impl FnOnce(Policy) -> Result<Policy, gk_status>,
) -> gk_status {
    enabling(policy, None, step)
}

/// [`update`] for a step that turns `source` on: a policy that does not
/// read `source` (the `strict` preset reads Bearer only) would ignore it,
/// so that is `GK_ERR_INVALID_CONFIG` rather than a silent no-op, and the
/// policy is left as it was.
fn enabling(
    policy: *mut gk_policy,
    source: Option<Source>,
    step: impl FnOnce(Policy) -> Result<Policy, gk_status>,
) -> gk_status {
    guard(|| {
        // SAFETY: a live policy of this library, not shared during the call.
        let policy = unsafe { obj_mut(policy) }?;
        let next = step(policy.policy.clone())?;
        if source.is_some_and(|s| !next.accepts(s)) {
            return Err(gk_status::GK_ERR_INVALID_CONFIG);
        }
        policy.policy = next;
        Ok(())
    })
}

/// Sets the name of the credential cookie (default `jwt_token`).
#[no_mangle]
pub extern "C" fn gk_policy_set_cookie_name(
    policy: *mut gk_policy,
    name: *const u8,
    len: usize,
) -> gk_status {
    update(policy, |p| {
        // SAFETY: `name` points to `len` readable bytes (caller contract).
        let name = unsafe { bytes(name, len) }?;
        Ok(p.with_cookie_name(name)?)
    })
}

/// Trusts a reverse proxy's identity header (e.g. `X-Authenticated-User`):
/// only when every request passes through a proxy that sets or strips it.
/// `GK_ERR_INVALID_CONFIG` on a policy that reads no proxy header (strict).
#[no_mangle]
pub extern "C" fn gk_policy_set_proxy_header(
    policy: *mut gk_policy,
    name: *const u8,
    len: usize,
) -> gk_status {
    enabling(policy, Some(Source::Proxy), |p| {
        // SAFETY: `name` points to `len` readable bytes (caller contract).
        let name = unsafe { bytes(name, len) }?;
        Ok(p.with_proxy_header(name)?)
    })
}

/// Accepts `Authorization: Basic` with this user and password (compared in
/// constant time). `GK_ERR_INVALID_CONFIG` on a policy that reads no Basic
/// credential (strict).
#[no_mangle]
pub extern "C" fn gk_policy_set_basic(
    policy: *mut gk_policy,
    user: *const u8,
    user_len: usize,
    password: *const u8,
    password_len: usize,
) -> gk_status {
    enabling(policy, Some(Source::Basic), |p| {
        // SAFETY: `user` points to `user_len` readable bytes.
        let user = unsafe { bytes(user, user_len) }?;
        // SAFETY: `password` points to `password_len` readable bytes.
        let password = unsafe { bytes(password, password_len) }?;
        Ok(p.with_basic(BasicCredentials::new(user, password)?))
    })
}

/// Accepts (or not) the `access_token` query parameter (RFC 6750 §2.3; off
/// by default, MCP forbids it). Turning it on is `GK_ERR_INVALID_CONFIG` on
/// a policy that reads no query (strict).
#[no_mangle]
pub extern "C" fn gk_policy_set_query(policy: *mut gk_policy, on: bool) -> gk_status {
    enabling(
        policy,
        on.then_some(Source::Query),
        |p| Ok(p.with_query(on)),
    )
}

/// Sets the conflict mode (a `gk_conflict`).
#[no_mangle]
pub extern "C" fn gk_policy_set_conflict(policy: *mut gk_policy, conflict: c_uint) -> gk_status {
    update(policy, |p| {
        let conflict = match conflict {
            c if c == gk_conflict::GK_CONFLICT_FIRST as c_uint => Conflict::First,
            c if c == gk_conflict::GK_CONFLICT_AGREE as c_uint => Conflict::Agree,
            c if c == gk_conflict::GK_CONFLICT_SINGLE as c_uint => Conflict::Single,
            _ => return Err(gk_status::GK_ERR_INVALID_ARGUMENT),
        };
        Ok(p.with_conflict(conflict))
    })
}

/// Frees a policy made by `gk_policy_new`; NULL and `_init` policies are
/// left alone.
#[no_mangle]
pub extern "C" fn gk_policy_free(policy: *mut gk_policy) {
    let _ = guard(|| {
        // SAFETY: a policy of this library, not used after this call.
        unsafe { free(policy) };
        Ok(())
    });
}
