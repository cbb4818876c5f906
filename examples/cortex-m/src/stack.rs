//! Stack high-water mark by painting: fill the free stack below the
//! current stack pointer with a pattern, run the code, and find the lowest
//! word it overwrote. This measures what the code really used on this
//! target with this optimisation level, including every callee.

use core::ptr::{read_volatile, write_volatile};

/// The pattern painted on the free stack.
const PAINT: u32 = 0x5AA5_C33C;
/// How much free stack is painted: well above the 8 KiB budget, and far
/// inside mps2-an386's 4 MiB of RAM.
const DEPTH: usize = 32 * 1024;

/// Runs `f` and returns its result with the bytes of stack it used below
/// the caller's frame. `f` runs in a frame of its own (`call`), so none of
/// its locals are allocated in this function's frame, above the mark.
#[inline(never)]
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    // Words are 4-byte aligned; stay a little below the live frame.
    let top = (cortex_m::register::msp::read() as usize & !3) - 16;
    let bottom = top - DEPTH;
    let mut at = bottom;
    while at < top {
        // SAFETY: free stack below the stack pointer, unused until `call`;
        // no interrupt is enabled, so nothing else writes there meanwhile.
        unsafe { write_volatile(at as *mut u32, PAINT) };
        at += 4;
    }
    let result = call(f);
    let mut lowest = top;
    let mut at = bottom;
    while at < top {
        // SAFETY: as above; only read.
        if unsafe { read_volatile(at as *const u32) } != PAINT {
            lowest = at;
            break;
        }
        at += 4;
    }
    (result, top - lowest)
}

#[inline(never)]
fn call<R>(f: impl FnOnce() -> R) -> R {
    f()
}
