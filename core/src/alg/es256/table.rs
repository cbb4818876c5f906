//! Fast ES256 (ECDSA P-256 / SHA-256) signature verification with
//! precomputed fixed-base tables.
//!
//! ECDSA verification computes `R = u1·G + u2·Q` with `u1 = z/s`, `u2 = r/s`.
//! `p256` 0.13 computes this as two independent constant-time 4-bit
//! fixed-window multiplications (≈ 504 doublings + ≈ 140 additions, plus
//! constant-time table selects). Both `G` and a given public key `Q` are
//! fixed, so this module precomputes, once, a table of multiples of each
//! point and evaluates `u1·G + u2·Q` with signed-window table lookups and
//! additions only (`p256`'s complete Renes–Costello–Batina formulas; mixed
//! `ProjectivePoint + AffinePoint` additions for affine tables), plus a
//! handful of doublings shared by `G` and `Q`.
//!
//! Only the public API of `p256` 0.13 (plus the `elliptic-curve`/`ff`/`group`
//! traits it re-exports) and `sha2` are used: no field, scalar or point
//! arithmetic is written here. `no_std`, no heap, no `unsafe`, no panics
//! (`clippy::{indexing_slicing, arithmetic_side_effects, unwrap_used}` clean).
//!
//! # Table layout and cost (`FixedBaseTable<E, ROWS, COLS>`)
//!
//! The window width is `W = log2(COLS) + 1` bits. A scalar `k` is recoded
//! into `D = ceil(256 / W)` signed digits, `k = Σ d_i · 2^(W·i)` with
//! `|d_i| <= 2^(W-1)` (if `k >= 2^255`, `n - k` is recoded and the digits
//! negated, so the top digit never carries). With `M = ceil(D / ROWS)`
//! passes, row `r` holds `c · 2^(W·M·r) · P` for `c = 1..=COLS`, and digit
//! `i = M·r + p` is added in pass `p`; passes are `W` doublings apart.
//! A multiplication thus costs about `D` additions plus `W·(M-1)` doublings,
//! and the doublings are shared between `G` and `Q` (the schedule walks bit
//! offsets from the top: `max(W_G·(M_G-1), W_Q·(M_Q-1))` doublings in all).
//!
//! Entries `E` are [`AffinePoint`] (72 bytes, mixed additions; building
//! costs one field inversion, ≈ 10 µs, per entry because `p256` 0.13 has no
//! usable batch normalisation) or [`ProjectivePoint`] (96 bytes, full
//! additions ≈ 10 % slower; building costs only the point operations).
//! Bytes are `ROWS · COLS · size_of::<E>()` (64-bit targets):
//!
//! | `ROWS, COLS` | `W` | `M` | adds | doublings | affine  | projective |
//! |--------------|-----|-----|------|-----------|---------|------------|
//! | `64, 8`      | 4   | 1   | 64   | 0         | 36 864  | 49 152     |
//! | `32, 8`      | 4   | 2   | 64   | 4         | 18 432  | 24 576     |
//! | `16, 8`      | 4   | 4   | 64   | 12        | 9 216   | 12 288     |
//! | `8, 8`       | 4   | 8   | 64   | 28        | 4 608   | 6 144      |
//! | `52, 16`     | 5   | 1   | 52   | 0         | 59 904  | 79 872     |
//! | `26, 16`     | 5   | 2   | 52   | 5         | 29 952  | 39 936     |
//! | `13, 16`     | 5   | 4   | 52   | 15        | 14 976  | 19 968     |
//! | `43, 32`     | 6   | 1   | 43   | 0         | 99 072  | 132 096    |
//! | `11, 32`     | 6   | 4   | 43   | 18        | 25 344  | 33 792     |
//! | `37, 64`     | 7   | 1   | 37   | 0         | 170 496 | 227 328    |
//! | `32, 128`    | 8   | 1   | 32   | 0         | 294 912 | 393 216    |
//!
//! (A zero digit, probability ≈ 2^-W, costs no addition.) One addition is
//! ≈ 0.4 µs and the fixed costs are ≈ 17 µs (inversion of `s`, final
//! `to_affine`), so e.g. going from the default `G` table to `W = 8`
//! (295 KB) saves 32 additions (≈ 12 µs), and shrinking the key table
//! from 2 to 8 passes saves 18 KB per key for 24 doublings (≈ 9 µs).
//!
//! # Variable-time operations
//!
//! Everything here handles public data only (public key, message hash,
//! signature), and the verification path is **variable-time**:
//! the signed-digit recoding and the table lookups are indexed by (and
//! branch on) the digits of `u1` and `u2`; zero digits are skipped; the
//! inversion of `s` uses `p256`'s `Invert::invert_vartime` (binary
//! extended GCD); early returns on malformed `r`/`s`. The point additions,
//! doublings and the final field inversion (`to_affine`) are `p256`'s own
//! constant-time code. Table construction branches only on the table
//! geometry. Do **not** reuse this code with secret scalars.

use p256::elliptic_curve::{
    ops::{Invert, Reduce},
    point::{AffineCoordinates, Double},
    Field, PrimeField,
};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};

/// Rows of the default per-key table ([`PublicKeyTable`]).
#[cfg(not(feature = "std"))]
pub const KEY_ROWS: usize = 16;
/// Columns (`2^(W-1)`) of the default per-key table ([`PublicKeyTable`]).
#[cfg(not(feature = "std"))]
pub const KEY_COLS: usize = 8;
/// Rows of the default generator table ([`BaseTable`]).
#[cfg(not(feature = "std"))]
pub const BASE_ROWS: usize = 32;
/// Columns (`2^(W-1)`) of the default generator table ([`BaseTable`]).
#[cfg(not(feature = "std"))]
pub const BASE_COLS: usize = 8;

/// Per-key verification table, small-target geometry (without `std`):
/// projective entries, `W = 4`, 4 passes (64 additions + 12 doublings
/// shared with `G`), `16 · 8 · 96 = 12 288` bytes on 64-bit targets
/// (8 704 on 32-bit ones), built in ≈ 0.1 ms.
///
/// With `std` (hosted: the wheel, the C library) the geometry is the
/// fast one: `W = 5`, one pass (52 additions, no doublings), `52 · 16 · 96
/// = 79 872` bytes per key on the heap, built in ≈ 0.3 ms.
pub type PublicKeyTable = KeyTable<ProjectivePoint, KEY_ROWS, KEY_COLS>;

/// Generator table, small-target geometry (without `std`), built once and
/// shared by all keys (see [`GeneratorTable`]): affine entries, `W = 4`,
/// 2 passes (64 mixed additions, doublings shared with the key table),
/// `32 · 8 · 72 = 18 432` bytes, built in ≈ 2.6 ms.
///
/// With `std`: `W = 7`, one pass (37 mixed additions), `37 · 64 · 72 =
/// 170 496` bytes, built once per process on first use.
pub type BaseTable = GeneratorTable<AffinePoint, BASE_ROWS, BASE_COLS>;

/// Hosted geometry: see [`PublicKeyTable`].
#[cfg(feature = "std")]
pub const KEY_ROWS: usize = 52;
/// Hosted geometry: see [`PublicKeyTable`].
#[cfg(feature = "std")]
pub const KEY_COLS: usize = 16;
/// Hosted geometry: see [`BaseTable`].
#[cfg(feature = "std")]
pub const BASE_ROWS: usize = 37;
/// Hosted geometry: see [`BaseTable`].
#[cfg(feature = "std")]
pub const BASE_COLS: usize = 64;

/// Largest number of signed digits (window width 2).
const MAX_DIGITS: usize = 128;

mod sealed {
    pub trait Sealed {}
    impl Sealed for p256::AffinePoint {}
    impl Sealed for p256::ProjectivePoint {}
}

/// How table entries are stored: [`AffinePoint`] (72 bytes, mixed
/// additions, but building costs one field inversion per entry, since
/// `p256` 0.13 offers no batch normalisation for its field) or
/// [`ProjectivePoint`] (96 bytes, full additions, cheap to build).
pub trait Entry: Copy + core::fmt::Debug + sealed::Sealed {
    /// The identity, used to initialise tables.
    const IDENTITY: Self;
    /// Converts a computed multiple to the stored form.
    fn from_projective(p: &ProjectivePoint) -> Self;
    /// Returns `acc + self` (`acc - self` if `neg`).
    fn add_to(&self, acc: &ProjectivePoint, neg: bool) -> ProjectivePoint;
    /// Returns `self` (`-self` if `neg`) in projective form.
    fn to_projective(&self, neg: bool) -> ProjectivePoint;
}

impl Entry for AffinePoint {
    const IDENTITY: Self = AffinePoint::IDENTITY;
    #[inline]
    fn from_projective(p: &ProjectivePoint) -> Self {
        p.to_affine()
    }
    #[inline(always)]
    fn to_projective(&self, neg: bool) -> ProjectivePoint {
        let p = ProjectivePoint::from(*self);
        if neg {
            core::ops::Neg::neg(p)
        } else {
            p
        }
    }
    #[inline(always)]
    fn add_to(&self, acc: &ProjectivePoint, neg: bool) -> ProjectivePoint {
        if neg {
            core::ops::Sub::sub(acc, self)
        } else {
            core::ops::Add::add(acc, self)
        }
    }
}

impl Entry for ProjectivePoint {
    const IDENTITY: Self = ProjectivePoint::IDENTITY;
    #[inline]
    fn from_projective(p: &ProjectivePoint) -> Self {
        *p
    }
    #[inline(always)]
    fn to_projective(&self, neg: bool) -> ProjectivePoint {
        if neg {
            core::ops::Neg::neg(*self)
        } else {
            *self
        }
    }
    #[inline(always)]
    fn add_to(&self, acc: &ProjectivePoint, neg: bool) -> ProjectivePoint {
        if neg {
            core::ops::Sub::sub(acc, self)
        } else {
            core::ops::Add::add(acc, self)
        }
    }
}

/// Table of small multiples of a fixed point.
///
/// Row `r`, column `c` holds `(c + 1) · 2^(W·M·r) · P`; see the module
/// documentation for `W` and `M`. `COLS` must be a power of two between
/// 2 and 128 (window width 2..=8) and `ROWS` at least 1; other values are
/// rejected at compile time by a const assertion.
#[derive(Clone, Debug)]
pub struct FixedBaseTable<E: Entry, const ROWS: usize, const COLS: usize> {
    rows: [[E; COLS]; ROWS],
}

impl<E: Entry, const ROWS: usize, const COLS: usize> FixedBaseTable<E, ROWS, COLS> {
    /// Compile-time check of the geometry.
    const VALID: () = {
        assert!(COLS >= 2 && COLS <= 128 && COLS.is_power_of_two(), "COLS");
        assert!(ROWS >= 1, "ROWS");
    };
    /// Window width in bits.
    pub const WIDTH: u32 = COLS.trailing_zeros() + 1;
    /// Number of signed digits of a recoded scalar.
    pub const DIGITS: usize = 256_usize.div_ceil(Self::WIDTH as usize);
    /// Number of passes (`W` doublings between consecutive passes).
    pub const PASSES: usize = Self::DIGITS.div_ceil(ROWS);
    /// Bit offset of the last pass: `W·(M-1)` doublings.
    #[allow(clippy::cast_possible_truncation)] // PASSES <= 128
    const TOP: u32 = Self::WIDTH * (Self::PASSES as u32 - 1);
    /// Memory taken by the table, in bytes.
    #[allow(dead_code)] // documentation of the cost, used by tests
    pub const BYTES: usize = core::mem::size_of::<Self>();

    /// A table with every entry at the identity.
    const EMPTY: Self = Self {
        rows: [[E::IDENTITY; COLS]; ROWS],
    };

    /// Builds the table of multiples of `p`.
    fn new(p: &ProjectivePoint) -> Self {
        let mut t = Self::EMPTY;
        t.fill(p);
        t
    }

    /// Fills this table, in place, with the multiples of `p`.
    fn fill(&mut self, p: &ProjectivePoint) {
        #[allow(clippy::let_unit_value)]
        let () = Self::VALID;
        // Doublings from `COLS · B_r` to `B_{r+1} = 2^(W·M) · B_r`.
        let extra = Self::TOP.saturating_add(1);
        let mut out = self.rows.iter_mut().flat_map(|row| row.iter_mut());
        let mut base = *p;
        for _ in 0..ROWS {
            // Entries c·B for c = 1..=COLS: even multiples by doubling
            // (cheaper than an addition), odd ones by adding B.
            let mut row = [ProjectivePoint::IDENTITY; COLS];
            for c in 0..COLS {
                let v = if c == 0 {
                    base
                } else if c & 1 == 1 {
                    // (c + 1)·B = 2 · ((c + 1) / 2)·B, found at index c / 2
                    row.get(c.wrapping_shr(1)).map_or(base, Double::double)
                } else {
                    row.get(c.wrapping_sub(1))
                        .map_or(base, |p| ProjectivePoint::add(p, &base))
                };
                if let Some(slot) = row.get_mut(c) {
                    *slot = v;
                }
            }
            let prev = row.last().copied().unwrap_or(base);
            for v in row.iter() {
                if let Some(slot) = out.next() {
                    *slot = E::from_projective(v);
                }
            }
            let mut next = prev; // COLS · B
            for _ in 0..extra {
                next = next.double();
            }
            base = next;
        }
    }

    /// Returns `|d|·2^(W·M·row)·P` and whether to subtract it (`None` if
    /// `d == 0` or out of range).
    #[inline(always)]
    fn lookup(&self, row: usize, d: i16) -> Option<(E, bool)> {
        let idx = usize::from(d.unsigned_abs()).checked_sub(1)?;
        let pt = self.rows.get(row)?.get(idx)?;
        Some((*pt, d < 0))
    }

    /// Adds the digits belonging to pass `pass` into `acc`.
    #[inline(always)]
    fn add_pass(&self, acc: &mut Option<ProjectivePoint>, digits: &[i16; MAX_DIGITS], pass: u32) {
        let mut i = usize::try_from(pass).unwrap_or(usize::MAX);
        for row in 0..ROWS {
            if i >= Self::DIGITS {
                break;
            }
            let d = digits.get(i).copied().unwrap_or(0);
            if let Some((pt, neg)) = self.lookup(row, d) {
                *acc = Some(match acc {
                    Some(a) => pt.add_to(a, neg),
                    None => pt.to_projective(neg),
                });
            }
            i = i.saturating_add(Self::PASSES);
        }
    }
}

/// Table for the P-256 generator `G`. Build it once (it only depends on the
/// curve) and share it between all keys. It is a separate type so that a
/// table of some other point cannot be passed in its place.
#[derive(Clone, Debug)]
pub struct GeneratorTable<E: Entry, const ROWS: usize, const COLS: usize> {
    table: FixedBaseTable<E, ROWS, COLS>,
}

impl<E: Entry, const ROWS: usize, const COLS: usize> GeneratorTable<E, ROWS, COLS> {
    /// Memory taken by the table, in bytes.
    #[allow(dead_code)] // documentation of the cost, used by tests
    pub const BYTES: usize = core::mem::size_of::<Self>();

    /// Builds the table of multiples of `G`.
    pub fn new() -> Self {
        Self {
            table: FixedBaseTable::new(&ProjectivePoint::GENERATOR),
        }
    }
}

impl<E: Entry, const ROWS: usize, const COLS: usize> Default for GeneratorTable<E, ROWS, COLS> {
    fn default() -> Self {
        Self::new()
    }
}

/// Precomputed verification table for one P-256 public key `Q`.
#[derive(Clone, Debug)]
pub struct KeyTable<E: Entry, const ROWS: usize, const COLS: usize> {
    table: FixedBaseTable<E, ROWS, COLS>,
}

// `new`, `from_sec1_bytes` and `verify` serve the tests; the key uses the rest.
#[cfg_attr(not(test), allow(dead_code))]
impl<E: Entry, const ROWS: usize, const COLS: usize> KeyTable<E, ROWS, COLS> {
    /// Memory taken by one key's table, in bytes.
    #[allow(dead_code)] // documentation of the cost, used by tests
    pub const BYTES: usize = core::mem::size_of::<Self>();

    /// Builds the table for the public key `q`; `None` if `q` is the
    /// identity (not a valid ECDSA public key).
    pub fn new(q: &AffinePoint) -> Option<Self> {
        if bool::from(q.is_identity()) {
            return None;
        }
        Some(Self {
            table: FixedBaseTable::new(&ProjectivePoint::from(*q)),
        })
    }

    /// Builds the table for an already validated `p256` verifying key.
    pub fn from_verifying_key(vk: &p256::ecdsa::VerifyingKey) -> Self {
        // A `VerifyingKey` is never the identity.
        Self {
            table: FixedBaseTable::new(&ProjectivePoint::from(*vk.as_affine())),
        }
    }

    /// Builds the table from a SEC1-encoded point (compressed or
    /// uncompressed); `None` if it is not a valid non-identity point.
    pub fn from_sec1_bytes(bytes: &[u8]) -> Option<Self> {
        use p256::elliptic_curve::sec1::FromEncodedPoint;
        let ep = p256::EncodedPoint::from_bytes(bytes).ok()?;
        let q: Option<AffinePoint> = AffinePoint::from_encoded_point(&ep).into();
        Self::new(&q?)
    }

    /// Verifies an ECDSA P-256 signature (`r ‖ s`, 32 bytes each, big
    /// endian, as in JWS ES256) over a SHA-256 `hash`. Same verdict as
    /// `p256::ecdsa::VerifyingKey::verify_prehash`; high-`s` is accepted.
    ///
    /// Variable-time (inputs are public); see the module documentation.
    pub fn verify_prehash<GE: Entry, const GR: usize, const GC: usize>(
        &self,
        g: &GeneratorTable<GE, GR, GC>,
        hash: &[u8; 32],
        sig: &[u8; 64],
    ) -> bool {
        let Some((r_bytes, s_bytes)) = sig.split_at_checked(32) else {
            return false;
        };
        let (Some(r), Some(s)) = (scalar_from_be(r_bytes), scalar_from_be(s_bytes)) else {
            return false;
        };
        let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*hash));
        let Some(s_inv) = Option::<Scalar>::from(s.invert_vartime()) else {
            return false;
        };
        let u1 = Scalar::multiply(&z, &s_inv);
        let u2 = Scalar::multiply(&r, &s_inv);
        let r_point = lincomb(&g.table, &u1, &self.table, &u2).to_affine();
        if bool::from(r_point.is_identity()) {
            return false;
        }
        let x = <Scalar as Reduce<U256>>::reduce_bytes(&r_point.x());
        x == r
    }

    /// Hashes `msg` with SHA-256 and verifies `sig` (see
    /// [`KeyTable::verify_prehash`]).
    pub fn verify<GE: Entry, const GR: usize, const GC: usize>(
        &self,
        g: &GeneratorTable<GE, GR, GC>,
        msg: &[u8],
        sig: &[u8; 64],
    ) -> bool {
        use sha2::Digest;
        let hash: [u8; 32] = sha2::Sha256::digest(msg).into();
        self.verify_prehash(g, &hash, sig)
    }
}

/// Parses a big-endian scalar, rejecting `0` and values `>= n`.
fn scalar_from_be(bytes: &[u8]) -> Option<Scalar> {
    let arr: [u8; 32] = bytes.try_into().ok()?;
    let fb = FieldBytes::from(arr);
    let k: Scalar = Option::from(Scalar::from_repr(fb))?;
    if bool::from(k.is_zero()) {
        None
    } else {
        Some(k)
    }
}

/// Recodes `k` into `ceil(256 / width)` signed digits of `width` bits
/// (2..=8): `k = Σ d_i 2^(width·i)` with `|d_i| <= 2^(width-1)`.
/// When `k >= 2^255`, `n - k < 2^255` is recoded instead and its digits are
/// negated, so the top digit never carries out. Variable-time.
fn recode(k: &Scalar, width: u32, digits: &mut [i16; MAX_DIGITS]) {
    let mut repr = k.to_repr();
    let neg = repr.first().is_some_and(|b| b & 0x80 != 0);
    if neg {
        // n - k < 2^255 when k >= 2^255, so the top digit never carries.
        repr = core::ops::Neg::neg(*k).to_repr();
    }
    // Little-endian 64-bit limbs (big-endian bytes in `repr`).
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(repr.rchunks_exact(8)) {
        let mut b = [0u8; 8];
        b.iter_mut().zip(chunk).for_each(|(d, s)| *d = *s);
        *limb = u64::from_be_bytes(b);
    }
    let full = 1u64.wrapping_shl(width); // 2^width
    let mask = full.wrapping_sub(1);
    let half = full.wrapping_shr(1);
    let full_i = i16::try_from(full).unwrap_or(0);
    let mut carry = 0u64;
    let mut pos = 0u32;
    for d in digits.iter_mut() {
        if pos >= 256 {
            *d = 0;
            continue;
        }
        let (li, off) = (usize::try_from(pos / 64).unwrap_or(0), pos % 64);
        let lo = limbs.get(li).copied().unwrap_or(0).wrapping_shr(off);
        let hi = if off == 0 {
            0
        } else {
            limbs
                .get(li.wrapping_add(1))
                .copied()
                .unwrap_or(0)
                .wrapping_shl(64_u32.wrapping_sub(off))
        };
        // v <= 2^width <= 256
        let v = ((lo | hi) & mask).wrapping_add(carry);
        let vi = i16::try_from(v).unwrap_or(0);
        let (digit, c) = if v > half {
            (vi.wrapping_sub(full_i), 1)
        } else {
            (vi, 0)
        };
        *d = if neg { digit.wrapping_neg() } else { digit };
        carry = c;
        pos = pos.wrapping_add(width);
    }
}

/// `a·G + b·Q` from the two tables. Variable-time.
fn lincomb<
    GE: Entry,
    const GR: usize,
    const GC: usize,
    QE: Entry,
    const QR: usize,
    const QC: usize,
>(
    gt: &FixedBaseTable<GE, GR, GC>,
    a: &Scalar,
    qt: &FixedBaseTable<QE, QR, QC>,
    b: &Scalar,
) -> ProjectivePoint {
    let gw = FixedBaseTable::<GE, GR, GC>::WIDTH;
    let qw = FixedBaseTable::<QE, QR, QC>::WIDTH;
    let mut gd = [0i16; MAX_DIGITS];
    let mut qd = [0i16; MAX_DIGITS];
    recode(a, gw, &mut gd);
    recode(b, qw, &mut qd);
    // Pass p of a table sits at bit offset W·p; walk the offsets from the
    // top, doubling once between consecutive offsets.
    let gtop = FixedBaseTable::<GE, GR, GC>::TOP;
    let qtop = FixedBaseTable::<QE, QR, QC>::TOP;
    // `None` is the identity: the first addition becomes a copy and no
    // doubling is spent on the identity.
    let mut acc: Option<ProjectivePoint> = None;
    let mut off = gtop.max(qtop);
    loop {
        if off <= qtop && off.checked_rem(qw) == Some(0) {
            qt.add_pass(&mut acc, &qd, off.checked_div(qw).unwrap_or(0));
        }
        if off <= gtop && off.checked_rem(gw) == Some(0) {
            gt.add_pass(&mut acc, &gd, off.checked_div(gw).unwrap_or(0));
        }
        let Some(next) = off.checked_sub(1) else {
            break;
        };
        if let Some(a) = acc.as_mut() {
            *a = a.double();
        }
        off = next;
    }
    acc.unwrap_or(ProjectivePoint::IDENTITY)
}

#[cfg(test)]
mod tests;
