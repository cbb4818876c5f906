//! `gk_keyset`: the keys tokens are verified with.

use core::ffi::c_void;

use gatekey::Key;
use gatekey_host::HostKeySet;

use crate::boundary::{bytes, fits, free, guard, obj, obj_mut, opt_bytes, place, put, Owned};
use crate::gk_status;

/// Bytes of memory a `gk_keyset` needs in `gk_keyset_init` (aligned to `GK_ALIGN`).
pub const GK_KEYSET_SIZE: usize = 144 * 1024;
const _: () = assert!(fits::<gk_keyset>(GK_KEYSET_SIZE), "GK_KEYSET_SIZE");

/// Up to 64 verification keys (`gatekey_host::KEYS`, the same in every
/// language): EC, RSA and Ed25519 public keys and HMAC secrets, chosen by
/// a token's `kid`.
///
/// Not thread-safe to modify; a verifier takes its own copy, so a keyset
/// can be freed or reused once `gk_verifier_new` returns.
#[allow(non_camel_case_types)]
pub struct gk_keyset {
    boxed: bool,
    pub(crate) keys: HostKeySet,
}

impl Owned for gk_keyset {
    fn boxed(&self) -> bool {
        self.boxed
    }
}

/// Makes an empty keyset on the heap; free it with `gk_keyset_free`.
#[no_mangle]
pub extern "C" fn gk_keyset_new(out: *mut *mut gk_keyset) -> gk_status {
    guard(|| {
        let keyset = Box::into_raw(Box::new(gk_keyset {
            boxed: true,
            keys: HostKeySet::new(),
        }));
        // SAFETY: `out` is the caller's out pointer; `put` checks NULL.
        unsafe { put(out, keyset) }.inspect_err(|_| {
            // SAFETY: just made by Box::into_raw and not shared.
            drop(unsafe { Box::from_raw(keyset) });
        })
    })
}

/// Makes an empty keyset in caller memory of `len` ≥ `GK_KEYSET_SIZE`
/// bytes aligned to `GK_ALIGN`. `*out` points into `mem`. The set lives in
/// `mem`, but each ES256 key added to it keeps its precomputed
/// verification table (78 KiB) on the heap, as RSA keys keep ring's key:
/// `gk_keyset_free` on it releases those and leaves the memory to the
/// caller. Firmware without a heap links the core crate.
#[no_mangle]
pub extern "C" fn gk_keyset_init(
    mem: *mut c_void,
    len: usize,
    out: *mut *mut gk_keyset,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        let value = gk_keyset {
            boxed: false,
            keys: HostKeySet::new(),
        };
        // SAFETY: the caller gives `len` writable bytes at `mem`; `place`
        // checks NULL, size and alignment.
        let keyset = unsafe { place(mem, len, GK_KEYSET_SIZE, value) }?;
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, keyset) }
    })
}

/// Builds a keyset from a JWKS document (`{"keys": [...]}`, RFC 7517 §5)
/// on the heap. Keys gatekey does not use (other key types and curves,
/// `use: enc`) are skipped; malformed ones are an error.
#[no_mangle]
pub extern "C" fn gk_keyset_from_jwks(
    json: *const u8,
    len: usize,
    out: *mut *mut gk_keyset,
) -> gk_status {
    guard(|| {
        if out.is_null() {
            return Err(gk_status::GK_ERR_NULL_ARGUMENT);
        }
        // SAFETY: `json` points to `len` readable bytes (caller contract).
        let json = unsafe { bytes(json, len) }?;
        let keys = HostKeySet::from_jwks(json)?;
        let keyset = Box::into_raw(Box::new(gk_keyset { boxed: true, keys }));
        // SAFETY: `out` is non-NULL (checked) and the caller's out pointer.
        unsafe { put(out, keyset) }
    })
}

/// Adds the usable keys of a JWKS document; on error the set is unchanged.
#[no_mangle]
pub extern "C" fn gk_keyset_add_jwks(
    keyset: *mut gk_keyset,
    json: *const u8,
    len: usize,
) -> gk_status {
    guard(|| {
        // SAFETY: a live keyset of this library, not shared during the call.
        let keyset = unsafe { obj_mut(keyset) }?;
        // SAFETY: `json` points to `len` readable bytes (caller contract).
        let json = unsafe { bytes(json, len) }?;
        Ok(keyset.keys.add_jwks(json)?)
    })
}

/// Adds an HS256 secret (at least 32 bytes, RFC 7518 §3.2) with an
/// optional `kid` (NULL with length 0 for none).
#[no_mangle]
pub extern "C" fn gk_keyset_add_hs256(
    keyset: *mut gk_keyset,
    kid: *const u8,
    kid_len: usize,
    secret: *const u8,
    secret_len: usize,
) -> gk_status {
    guard(|| {
        // SAFETY: a live keyset of this library, not shared during the call.
        let keyset = unsafe { obj_mut(keyset) }?;
        // SAFETY: `kid` points to `kid_len` readable bytes, or is NULL with 0.
        let kid = unsafe { opt_bytes(kid, kid_len) }?;
        // SAFETY: `secret` points to `secret_len` readable bytes.
        let secret = unsafe { bytes(secret, secret_len) }?;
        Ok(keyset.keys.push(Key::hs256(secret, kid)?)?)
    })
}

/// The number of keys in the set.
#[no_mangle]
pub extern "C" fn gk_keyset_len(keyset: *const gk_keyset, out: *mut usize) -> gk_status {
    guard(|| {
        // SAFETY: a live keyset of this library.
        let keyset = unsafe { obj(keyset) }?;
        // SAFETY: the caller's out pointer; `put` checks NULL.
        unsafe { put(out, keyset.keys.len()) }
    })
}

/// Frees a keyset made by `_new` or `_from_jwks`; NULL and `_init`
/// keysets are left alone.
#[no_mangle]
pub extern "C" fn gk_keyset_free(keyset: *mut gk_keyset) {
    let _ = guard(|| {
        // SAFETY: a keyset of this library, not used after this call.
        unsafe { free(keyset) };
        Ok(())
    });
}
