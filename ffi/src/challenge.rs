//! The `WWW-Authenticate` value for a failed request (RFC 6750 §3).

use core::ffi::{c_char, c_uint};

use gatekey::{Challenge, Error};

use crate::boundary::{guard, obj, opt_str, put};
use crate::identity::failure_of;
use crate::{gk_identity, gk_status, gk_verifier};

/// Writes the `WWW-Authenticate: Bearer` field value (RFC 6750 §3) for a
/// request that failed with `status` into `buf`, NUL-terminated, and its
/// length (without the NUL) into `*written`. `realm`, `scope` (sent with
/// `GK_ERR_INSUFFICIENT_SCOPE`) and `resource_metadata` (RFC 9728, which MCP
/// clients follow) are optional, NUL-terminated, printable ASCII.
///
/// `GK_ERR_MISSING_CREDENTIAL` (and `GK_OK` or a 9xx status) gives a bare
/// challenge without `error`. `GK_ERR_BUFFER_TOO_SMALL` when `cap` cannot
/// hold the value and its NUL (`buf` then holds an empty string).
#[no_mangle]
pub extern "C" fn gk_www_authenticate(
    status: c_uint,
    realm: *const c_char,
    scope: *const c_char,
    resource_metadata: *const c_char,
    buf: *mut c_char,
    cap: usize,
    written: *mut usize,
) -> gk_status {
    guard(|| {
        if buf.is_null() || written.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        if cap == 0 || isize::try_from(cap).is_err() {
            return Err(gk_status::GK_ERR_BUFFER_TOO_SMALL);
        }
        // SAFETY: `buf` is non-NULL (checked) and `cap` writable bytes by
        // the caller's contract.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        out.fill(0);
        let challenge = Challenge {
            // SAFETY: NULL or NUL-terminated strings (caller contract).
            realm: unsafe { opt_str(realm) }?,
            // SAFETY: as above.
            scope: unsafe { opt_str(scope) }?,
            // SAFETY: as above.
            resource_metadata: unsafe { opt_str(resource_metadata) }?,
        };
        let error = u16::try_from(status).ok().and_then(Error::from_code);
        // Keep the last byte for the NUL.
        let room = out.len().saturating_sub(1);
        let body = out
            .get_mut(..room)
            .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
        let n = match challenge.write(error, body) {
            Ok(n) => n,
            Err(e) => {
                out.fill(0);
                return Err(e.into());
            }
        };
        // SAFETY: the caller's out pointer, non-NULL (checked).
        unsafe { put(written, n) }
    })
}

/// Copies `text` and a NUL into `out`; `GK_ERR_BUFFER_TOO_SMALL` (and an
/// empty string) when it does not fit.
pub(crate) fn copy_out(text: &str, out: &mut [u8]) -> Result<usize, gk_status> {
    out.fill(0);
    let room = out.len().saturating_sub(1);
    let dst = out
        .get_mut(..text.len())
        .filter(|_| text.len() <= room)
        .ok_or(gk_status::GK_ERR_BUFFER_TOO_SMALL)?;
    dst.copy_from_slice(text.as_bytes());
    Ok(text.len())
}

/// The whole HTTP answer to a request that `gk_authenticate` refused with
/// `status` on `identity`, under `verifier`'s realm, scopes and resource
/// metadata: the same bytes as the Python, Node and proxy surfaces give.
/// `*http_status` gets 400, 401, 403 or 500; `www` the `WWW-Authenticate`
/// value (empty for a 500, which has none) and `body` the JSON body
/// (`application/json`), both NUL-terminated with their lengths in
/// `*www_len` and `*body_len`. `GK_ERR_BUFFER_TOO_SMALL` when either does
/// not fit (512 and 1024 bytes always do); `GK_ERR_INVALID_ARGUMENT` for a
/// `status` that is not an error.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn gk_refusal(
    verifier: *const gk_verifier,
    identity: *const gk_identity,
    status: c_uint,
    http_status: *mut u16,
    www: *mut c_char,
    www_cap: usize,
    www_len: *mut usize,
    body: *mut c_char,
    body_cap: usize,
    body_len: *mut usize,
) -> gk_status {
    guard(|| {
        // SAFETY: live objects of this library, only read.
        let verifier = unsafe { obj(verifier) }?;
        // SAFETY: as above.
        let id = unsafe { obj(identity) }?;
        if www.is_null() || body.is_null() || www_len.is_null() || body_len.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        if isize::try_from(www_cap).is_err() || isize::try_from(body_cap).is_err() {
            return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
        }
        let error = u16::try_from(status)
            .ok()
            .and_then(Error::from_code)
            .ok_or(gk_status::GK_ERR_INVALID_ARGUMENT)?;
        let refusal = verifier.inner.refusal(&failure_of(id, error));
        // SAFETY: non-NULL (checked), `www_cap` writable bytes (contract).
        let www_out = unsafe { core::slice::from_raw_parts_mut(www.cast::<u8>(), www_cap) };
        // SAFETY: as above, for `body`.
        let body_out = unsafe { core::slice::from_raw_parts_mut(body.cast::<u8>(), body_cap) };
        let w = copy_out(refusal.www_authenticate.as_deref().unwrap_or(""), www_out)?;
        let b = copy_out(&refusal.body, body_out)?;
        // SAFETY: the caller's out pointers (`put` checks NULL).
        unsafe { put(http_status, refusal.status) }?;
        // SAFETY: as above.
        unsafe { put(www_len, w) }?;
        // SAFETY: as above.
        unsafe { put(body_len, b) }
    })
}
