#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::std_instead_of_core
)]
// Differential tests: the table path must give exactly the verdict of
// `p256::ecdsa::VerifyingKey::verify_prehash`.

use super::{BaseTable, Entry, GeneratorTable, KeyTable, PublicKeyTable};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::bigint::ArrayEncoding;
use p256::{AffinePoint, ProjectivePoint};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// N (the group order), big endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn reference(vk: &VerifyingKey, hash: &[u8; 32], sig: &[u8]) -> bool {
    match Signature::from_slice(sig) {
        Ok(s) => vk.verify_prehash(hash, &s).is_ok(),
        Err(_) => false,
    }
}

fn check<
    QE: Entry,
    const QR: usize,
    const QC: usize,
    GE: Entry,
    const GR: usize,
    const GC: usize,
>(
    t: &KeyTable<QE, QR, QC>,
    g: &GeneratorTable<GE, GR, GC>,
    vk: &VerifyingKey,
    hash: &[u8; 32],
    sig: &[u8; 64],
) -> bool {
    let ours = t.verify_prehash(g, hash, sig);
    let theirs = reference(vk, hash, sig);
    assert_eq!(
        ours, theirs,
        "verdict mismatch: hash={hash:02x?} sig={sig:02x?}"
    );
    ours
}

fn random_sig(rng: &mut ChaCha20Rng, sk: &SigningKey) -> ([u8; 32], [u8; 64]) {
    let mut hash = [0u8; 32];
    rng.fill_bytes(&mut hash);
    let sig: Signature = sk.sign_prehash(&hash).unwrap();
    (hash, sig.to_bytes().into())
}

fn key(rng: &mut ChaCha20Rng) -> (SigningKey, VerifyingKey, AffinePoint) {
    let sk = SigningKey::random(rng);
    let vk = *sk.verifying_key();
    let q = *vk.as_affine();
    (sk, vk, q)
}

/// Random valid signatures (and their high-s twins) accepted by both;
/// a signature under another key rejected by both.
#[test]
fn random_valid_signatures_default_tables() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let g = BaseTable::new();
    let mut n = 0;
    for _ in 0..40 {
        let (sk, vk, q) = key(&mut rng);
        let t = PublicKeyTable::new(&q).unwrap();
        let (_, other_vk, other_q) = key(&mut rng);
        let other = PublicKeyTable::new(&other_q).unwrap();
        for _ in 0..100 {
            let (hash, sig) = random_sig(&mut rng, &sk);
            assert!(check(&t, &g, &vk, &hash, &sig));
            // high-s twin: (r, n - s) is also valid and accepted by p256
            let s = Signature::from_slice(&sig).unwrap();
            let (r, s) = s.split_scalars();
            let twin = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
            let twin: [u8; 64] = twin.to_bytes().into();
            assert!(check(&t, &g, &vk, &hash, &twin));
            assert!(!check(&other, &g, &other_vk, &hash, &sig));
            n += 1;
        }
    }
    assert_eq!(n, 4000);
}

/// Every single-bit flip of the signature and of the hash.
#[test]
fn single_bit_flips() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let g = BaseTable::new();
    for _ in 0..3 {
        let (sk, vk, q) = key(&mut rng);
        let t = PublicKeyTable::new(&q).unwrap();
        for _ in 0..3 {
            let (hash, sig) = random_sig(&mut rng, &sk);
            assert!(check(&t, &g, &vk, &hash, &sig));
            for bit in 0..512 {
                let mut s2 = sig;
                s2[bit / 8] ^= 1 << (bit % 8);
                assert!(!check(&t, &g, &vk, &hash, &s2));
            }
            for bit in 0..256 {
                let mut h2 = hash;
                h2[bit / 8] ^= 1 << (bit % 8);
                assert!(!check(&t, &g, &vk, &h2, &sig));
            }
        }
    }
}

fn geometry<
    QE: Entry,
    const QR: usize,
    const QC: usize,
    GE: Entry,
    const GR: usize,
    const GC: usize,
>(
    seed: u64,
) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let g = GeneratorTable::<GE, GR, GC>::new();
    for _ in 0..3 {
        let (sk, vk, q) = key(&mut rng);
        let t = KeyTable::<QE, QR, QC>::new(&q).unwrap();
        for _ in 0..40 {
            let (hash, mut sig) = random_sig(&mut rng, &sk);
            assert!(check(&t, &g, &vk, &hash, &sig));
            sig[63] ^= 1;
            assert!(!check(&t, &g, &vk, &hash, &sig));
        }
    }
}

/// Every window width 2..=8, one to many passes, both entry types, and
/// mismatched geometries for G and Q.
#[test]
fn all_geometries() {
    // The widest tables are hundreds of KiB: give them a stack to live on.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(all_geometries_on_a_big_stack)
        .unwrap()
        .join()
        .unwrap();
}

fn all_geometries_on_a_big_stack() {
    type A = AffinePoint;
    type P = ProjectivePoint;
    geometry::<P, 128, 2, A, 128, 2>(10); // W=2, 1 pass
    geometry::<P, 5, 2, P, 7, 2>(11); // W=2, many passes, shared doublings
    geometry::<A, 86, 4, P, 86, 4>(12); // W=3
    geometry::<P, 9, 4, A, 30, 4>(13); // W=3, 10 and 3 passes
    geometry::<P, 64, 8, A, 64, 8>(14); // W=4
    geometry::<P, 32, 8, A, 64, 8>(15);
    geometry::<P, 16, 8, A, 16, 8>(16);
    geometry::<A, 1, 8, A, 1, 8>(17); // W=4, 64 passes (plain windowed)
    geometry::<P, 52, 16, P, 13, 16>(18); // W=5
    geometry::<P, 26, 16, A, 43, 32>(19); // W=5 for Q, W=6 for G
    geometry::<P, 11, 32, A, 37, 64>(20); // W=6 / W=7
    geometry::<A, 8, 64, P, 4, 128>(21); // W=7 / W=8, several passes each
    geometry::<P, 32, 128, A, 32, 128>(22); // W=8
}

fn with_scalars(r: &[u8; 32], s: &[u8; 32]) -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(r);
    sig[32..].copy_from_slice(s);
    sig
}

fn be_add(a: &[u8; 32], k: i64) -> [u8; 32] {
    let mut v = num_from(a);
    v = if k >= 0 {
        v.wrapping_add(&p256::U256::from_u64(k as u64))
    } else {
        v.wrapping_sub(&p256::U256::from_u64((-k) as u64))
    };
    v.to_be_byte_array().into()
}

fn num_from(a: &[u8; 32]) -> p256::U256 {
    p256::U256::from_be_slice(a)
}

/// r and s at and around 0 and n, hashes at and around 0 and n.
#[test]
fn edge_scalars() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let g = BaseTable::new();
    let (sk, vk, q) = key(&mut rng);
    let t = PublicKeyTable::new(&q).unwrap();
    let (hash, sig) = random_sig(&mut rng, &sk);
    let r: [u8; 32] = sig[..32].try_into().unwrap();
    let s: [u8; 32] = sig[32..].try_into().unwrap();
    let zero = [0u8; 32];
    let ones = [0xffu8; 32];
    let specials = [
        zero,
        be_add(&zero, 1),
        be_add(&N, -1),
        N,
        be_add(&N, 1),
        ones,
        r,
        s,
        be_add(&r, 1),
        be_add(&s, -1),
    ];
    for a in &specials {
        for b in &specials {
            check(&t, &g, &vk, &hash, &with_scalars(a, b));
        }
        check(&t, &g, &vk, &hash, &with_scalars(&r, a));
        check(&t, &g, &vk, &hash, &with_scalars(a, &s));
    }
    // r + n style: r' = r + n is out of range, must be rejected
    let r_plus_n = num_from(&r).wrapping_add(&num_from(&N));
    if num_from(&r) < num_from(&ones).wrapping_sub(&num_from(&N)) {
        assert!(!check(
            &t,
            &g,
            &vk,
            &hash,
            &with_scalars(&r_plus_n.to_be_byte_array().into(), &s)
        ));
    }
    // hashes 0, 1, n-1, n, n+1, 2^256-1: sign them and check both ways
    for h in [
        zero,
        be_add(&zero, 1),
        be_add(&N, -1),
        N,
        be_add(&N, 1),
        ones,
    ] {
        let sig: Signature = sk.sign_prehash(&h).unwrap();
        let sig: [u8; 64] = sig.to_bytes().into();
        assert!(check(&t, &g, &vk, &h, &sig));
        // h and h - n reduce to the same scalar: both accepted
        if num_from(&h) >= num_from(&N) {
            let h2: [u8; 32] = num_from(&h)
                .wrapping_sub(&num_from(&N))
                .to_be_byte_array()
                .into();
            assert!(check(&t, &g, &vk, &h2, &sig));
        }
    }
}

/// Constructed signatures where u1 or u2 is 0, ±1, or has the top bit set:
/// uses the identity `R = u1·G + u2·Q`, r = x(R) mod n, s chosen.
#[test]
fn constructed_extreme_u() {
    use p256::elliptic_curve::ops::Reduce;
    use p256::elliptic_curve::point::AffineCoordinates;
    use p256::elliptic_curve::{Field, PrimeField};
    use p256::{Scalar, U256};
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let g = BaseTable::new();
    let (_, vk, q) = key(&mut rng);
    let t = PublicKeyTable::new(&q).unwrap();
    let qp = ProjectivePoint::from(q);
    let interesting = [
        Scalar::ZERO,
        Scalar::ONE,
        -Scalar::ONE,
        Scalar::from(2u64),
        -Scalar::from(2u64),
        Scalar::from_repr(be_add(&[0x80; 32], 0).into()).unwrap(),
        Scalar::from_repr(
            {
                let mut b = [0u8; 32];
                b[0] = 0x80;
                b
            }
            .into(),
        )
        .unwrap(),
        Scalar::from_repr(
            {
                let mut b = [0u8; 32];
                b[0] = 0x7f;
                b[1..].fill(0xff);
                b
            }
            .into(),
        )
        .unwrap(),
        Scalar::from_repr(
            {
                let mut b = [0xffu8; 32];
                b[31] = 0;
                b[4..8].fill(0);
                b[0..4].fill(0xff);
                b[16] = 0;
                b
            }
            .into(),
        )
        .unwrap_or(Scalar::ONE),
        Scalar::random(&mut rng),
    ];
    let mut accepted = 0;
    for u1 in &interesting {
        for u2 in &interesting {
            let rp = (ProjectivePoint::GENERATOR * u1 + qp * u2).to_affine();
            let r = <Scalar as Reduce<U256>>::reduce_bytes(&rp.x());
            let s = Scalar::random(&mut rng);
            // z = u1*s, r must equal u2*s => choose s = r / u2 when u2 != 0
            let (s, z) = if bool::from(u2.is_zero()) {
                (s, *u1 * s)
            } else {
                let s = r * u2.invert().unwrap();
                (s, *u1 * s)
            };
            let hash: [u8; 32] = z.to_repr().into();
            let sig = with_scalars(&r.to_repr().into(), &s.to_repr().into());
            if check(&t, &g, &vk, &hash, &sig) {
                accepted += 1;
            }
        }
    }
    // all pairs with u2 != 0 and R != O give valid signatures
    assert!(accepted >= 70, "accepted {accepted}");
}

#[test]
fn identity_and_encoded_keys() {
    assert!(PublicKeyTable::new(&AffinePoint::IDENTITY).is_none());
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let g = BaseTable::new();
    let (sk, vk, _) = key(&mut rng);
    for compress in [false, true] {
        let ep = vk.to_encoded_point(compress);
        let t = PublicKeyTable::from_sec1_bytes(ep.as_bytes()).unwrap();
        let (hash, sig) = random_sig(&mut rng, &sk);
        assert!(check(&t, &g, &vk, &hash, &sig));
    }
    assert!(PublicKeyTable::from_sec1_bytes(&[0]).is_none());
    let t = PublicKeyTable::from_verifying_key(&vk);
    let (hash, sig) = random_sig(&mut rng, &sk);
    assert!(check(&t, &g, &vk, &hash, &sig));
    let mut bad = vk.to_encoded_point(false).as_bytes().to_vec();
    bad[64] ^= 1; // off the curve
    assert!(PublicKeyTable::from_sec1_bytes(&bad).is_none());
    // verify(msg) == verify_prehash(sha256(msg))
    use sha2::Digest;
    let t = PublicKeyTable::new(vk.as_affine()).unwrap();
    let msg = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";
    let h: [u8; 32] = sha2::Sha256::digest(msg).into();
    let sig: Signature = sk.sign_prehash(&h).unwrap();
    let sig: [u8; 64] = sig.to_bytes().into();
    assert!(t.verify(&g, msg, &sig));
    assert!(!t.verify(&g, b"other", &sig));
}
