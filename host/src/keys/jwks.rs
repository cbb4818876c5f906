//! A JWKS document into a host key set, with the keys it skipped
//! (RFC 7517 §5) kept for the counters.

use gatekey::Error;

use crate::refusal::printable;
use crate::HostKeySet;

/// A JWK left out of a key set: its `kid` (printable, bounded) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The JWK's `kid`, if it has one.
    pub kid: Option<String>,
    /// Why it was skipped (`weak_rsa_key`, `unsupported_key`, …).
    pub error: Error,
}

/// The usable keys of `json` and the ones skipped.
///
/// # Errors
/// As [`gatekey::KeySet::from_jwks`]: a document that is not a JWKS, one
/// with no usable key, or more than [`KEYS`](crate::KEYS) usable keys.
pub fn parse_jwks(json: &[u8]) -> Result<(HostKeySet, Vec<Skipped>), Error> {
    let mut set = HostKeySet::new();
    let mut skipped = Vec::new();
    set.add_jwks_reporting(json, |kid, error| {
        skipped.push(Skipped {
            kid: kid.map(|k| printable(k.iter().copied())),
            error,
        });
    })?;
    Ok((set, skipped))
}
