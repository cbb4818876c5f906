//! The boundary itself: the panic guard every extern fn body runs in, and
//! the conversions of C pointers into Rust references.

use core::ffi::{c_char, c_void, CStr};
use core::panic::AssertUnwindSafe;

use crate::gk_status;
use crate::GK_ALIGN;

impl From<gatekey::Error> for gk_status {
    fn from(e: gatekey::Error) -> Self {
        gk_status::from_error(e)
    }
}

/// Runs the body of an extern fn: its error becomes the status, and a panic
/// is caught here (unwinding into C is undefined behaviour) and becomes
/// `GK_ERR_INTERNAL`.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), gk_status>) -> gk_status {
    match std::panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => gk_status::GK_OK,
        Ok(Err(status)) => status,
        Err(_) => gk_status::GK_ERR_INTERNAL,
    }
}

/// A required byte string.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay valid and
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], gk_status> {
    // SAFETY: forwarded from this function's contract.
    unsafe { opt_bytes(ptr, len) }?.ok_or(gk_status::GK_ERR_NULL_ARGUMENT)
}

/// An optional byte string: NULL with length 0 is `None`.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_bytes<'a>(
    ptr: *const u8,
    len: usize,
) -> Result<Option<&'a [u8]>, gk_status> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(None)
        } else {
            Err(gk_status::GK_ERR_NULL_ARGUMENT)
        };
    }
    if isize::try_from(len).is_err() {
        return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, `len` readable bytes valid for 'a by the caller's
    // contract, and `len` fits in isize (checked above).
    Ok(Some(unsafe { core::slice::from_raw_parts(ptr, len) }))
}

/// A C array of `n` elements: none for `n` = 0 (the pointer is then not
/// read), `GK_ERR_NULL_ARGUMENT` for NULL with `n` > 0, and
/// `GK_ERR_INVALID_ARGUMENT` for a count whose size in bytes exceeds
/// `PTRDIFF_MAX` or a pointer not aligned for `T`: element counts are
/// checked as byte lengths are.
///
/// # Safety
/// With `n` > 0, `ptr` must point to `n` readable `T` valid for `'a`.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, n: usize) -> Result<&'a [T], gk_status> {
    if n == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(gk_status::GK_ERR_NULL_ARGUMENT);
    }
    let fits = n
        .checked_mul(core::mem::size_of::<T>())
        .is_some_and(|bytes| isize::try_from(bytes).is_ok());
    if !fits || !ptr.is_aligned() {
        return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, `n` elements whose size fits in isize
    // (checked), readable for 'a by the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, n) })
}

/// A byte string that may be NULL only when empty; NULL reads as empty.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn bytes_or_empty<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], gk_status> {
    // SAFETY: forwarded from this function's contract.
    Ok(unsafe { opt_bytes(ptr, len) }?.unwrap_or_default())
}

/// An optional NUL-terminated UTF-8 string: NULL is `None`.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn opt_str<'a>(ptr: *const c_char) -> Result<Option<&'a str>, gk_status> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str()
        .map(Some)
        .map_err(|_| gk_status::GK_ERR_INVALID_UTF8)
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// As [`opt_str`].
pub(crate) unsafe fn req_str<'a>(ptr: *const c_char) -> Result<&'a str, gk_status> {
    // SAFETY: forwarded from this function's contract.
    unsafe { opt_str(ptr) }?.ok_or(gk_status::GK_ERR_NULL_ARGUMENT)
}

/// A shared reference to an object the caller holds.
///
/// # Safety
/// A non-NULL `ptr` must point to a live `T` made by this library, not
/// mutated for `'a`.
pub(crate) unsafe fn obj<'a, T>(ptr: *const T) -> Result<&'a T, gk_status> {
    // SAFETY: forwarded from this function's contract.
    unsafe { ptr.as_ref() }.ok_or(gk_status::GK_ERR_NULL_ARGUMENT)
}

/// An exclusive reference to an object the caller holds.
///
/// # Safety
/// A non-NULL `ptr` must point to a live `T` made by this library, used by
/// nothing else for `'a`.
pub(crate) unsafe fn obj_mut<'a, T>(ptr: *mut T) -> Result<&'a mut T, gk_status> {
    // SAFETY: forwarded from this function's contract.
    unsafe { ptr.as_mut() }.ok_or(gk_status::GK_ERR_NULL_ARGUMENT)
}

/// Writes `value` through an out pointer.
///
/// # Safety
/// A non-NULL `out` must be valid for writing a `T` (it need not be
/// initialised).
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> Result<(), gk_status> {
    if out.is_null() {
        return Err(gk_status::GK_ERR_NULL_ARGUMENT);
    }
    // SAFETY: non-NULL and valid for writes by the caller's contract;
    // `write` does not read or drop the old (possibly uninitialised) value.
    unsafe { out.write(value) };
    Ok(())
}

/// Checks that `mem` can hold a `T`: non-NULL, at least `size` bytes of
/// `len`, aligned for `T`. `size` is the documented `GK_*_SIZE`.
pub(crate) fn check_block<T>(
    mem: *mut c_void,
    len: usize,
    size: usize,
) -> Result<*mut T, gk_status> {
    if mem.is_null() {
        return Err(gk_status::GK_ERR_NULL_ARGUMENT);
    }
    let fits = len >= size && size >= core::mem::size_of::<T>();
    let aligned = mem.cast::<T>().is_aligned();
    if !fits || !aligned {
        return Err(gk_status::GK_ERR_INVALID_ARGUMENT);
    }
    Ok(mem.cast::<T>())
}

/// Places `value` in caller memory (see [`check_block`]).
///
/// # Safety
/// `mem` must be valid for writes of `len` bytes and used for nothing else
/// while the object lives.
pub(crate) unsafe fn place<T>(
    mem: *mut c_void,
    len: usize,
    size: usize,
    value: T,
) -> Result<*mut T, gk_status> {
    let ptr = check_block::<T>(mem, len, size)?;
    // SAFETY: `ptr` is non-NULL, aligned for T and has room for a T
    // (checked), and is writable by the caller's contract.
    unsafe { ptr.write(value) };
    Ok(ptr)
}

/// Frees what `_new` boxed; for an object placed in caller memory by
/// `_init`, releases what it holds (a verifier's keys and cache, an ES256
/// key's table) and leaves the memory to the caller, to `_init` again.
/// A no-op for NULL.
///
/// # Safety
/// A non-NULL `ptr` must come from this library's `_new` or `_init` for
/// `T`, and not be used again after this call (until an `_init` on it).
pub(crate) unsafe fn free<T: Owned>(ptr: *mut T) {
    // SAFETY: a live T from `_new`/`_init` by the caller's contract.
    let Some(object) = (unsafe { ptr.as_ref() }) else {
        return;
    };
    if object.boxed() {
        // SAFETY: `boxed` is true only for objects `_new` made with
        // `Box::into_raw`, and the caller hands ownership back here.
        drop(unsafe { Box::from_raw(ptr) });
    } else {
        // SAFETY: a live T that `_init` wrote into caller memory; the
        // caller does not use it again before another `_init`.
        unsafe { core::ptr::drop_in_place(ptr) };
    }
}

/// Objects that remember whether `_new` boxed them or `_init` placed them.
pub(crate) trait Owned {
    fn boxed(&self) -> bool;
}

/// The size constants must hold the types on every target, and one
/// alignment serves them all.
pub(crate) const fn fits<T>(size: usize) -> bool {
    core::mem::size_of::<T>() <= size && core::mem::align_of::<T>() <= GK_ALIGN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_becomes_internal() {
        assert_eq!(guard(|| panic!("boom")), gk_status::GK_ERR_INTERNAL);
        assert_eq!(guard(|| Ok(())), gk_status::GK_OK);
        assert_eq!(
            guard(|| Err(gk_status::GK_ERR_EXPIRED)),
            gk_status::GK_ERR_EXPIRED
        );
    }
}
