//! Several trusted issuers, each with its own keys and rules: the token's
//! `iss` picks the issuer before its `kid` picks a key, so that a key of
//! issuer A never verifies a token that claims to come from issuer B.

use heapless::{String, Vec};

use crate::claims::{Claims, Validation, MAX_VALUE};
use crate::json::Object;
use crate::key::{KeySet, DEFAULT_KEYS};
use crate::verify::{decode, Verified};
use crate::Error;

/// The default capacity of [`Issuers`]: an identity provider or two and
/// the gateway's own tokens.
pub const DEFAULT_ISSUERS: usize = 4;

/// One trusted issuer: its `iss` value, the keys it signs with, and what
/// its tokens must satisfy (audiences, leeway, `azp`/`client_id`
/// allow-lists, scopes, `typ`).
#[derive(Clone, Debug)]
pub struct Issuer<const K: usize = DEFAULT_KEYS> {
    name: String<MAX_VALUE>,
    keys: KeySet<K>,
    validation: Validation,
}

impl<const K: usize> Issuer<K> {
    /// The issuer `iss` (compared byte for byte with the token's `iss`),
    /// verifying with `keys` and checking claims with `validation`. The
    /// validation's issuers are replaced by `iss` alone.
    ///
    /// # Errors
    /// [`Error::ConfigTooLong`] when `iss` exceeds
    /// [`MAX_VALUE`](crate::claims::MAX_VALUE); [`Error::InvalidConfig`]
    /// when it is empty.
    pub fn new(iss: &str, keys: KeySet<K>, mut validation: Validation) -> Result<Self, Error> {
        if iss.is_empty() {
            return Err(Error::InvalidConfig);
        }
        let name = String::try_from(iss).map_err(|()| Error::ConfigTooLong)?;
        validation.only_issuer(iss)?;
        Ok(Issuer {
            name,
            keys,
            validation,
        })
    }

    /// The `iss` value.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The issuer's keys.
    #[must_use]
    pub fn keys(&self) -> &KeySet<K> {
        &self.keys
    }

    /// The issuer's rules.
    #[must_use]
    pub fn validation(&self) -> &Validation {
        &self.validation
    }
}

/// Up to `N` trusted issuers of up to `K` keys each.
///
/// Size: `N` × (a [`KeySet<K>`] plus a [`Validation`], 5.4 KiB); with the
/// defaults (4 issuers, 8 keys) about 93 KiB, so firmware should pick
/// small capacities (`Issuers<2, 2>`: 20,248 bytes on thumbv7em).
#[derive(Clone, Debug, Default)]
pub struct Issuers<const N: usize = DEFAULT_ISSUERS, const K: usize = DEFAULT_KEYS> {
    list: Vec<Issuer<K>, N>,
}

impl<const N: usize, const K: usize> Issuers<N, K> {
    /// No issuer yet.
    #[must_use]
    pub const fn new() -> Self {
        Issuers { list: Vec::new() }
    }

    /// Adds an issuer.
    ///
    /// # Errors
    /// [`Error::ConfigListFull`] past `N` issuers; [`Error::InvalidConfig`]
    /// when one with the same name is already there (which one would a
    /// token pick?).
    pub fn push(&mut self, issuer: Issuer<K>) -> Result<(), Error> {
        if self.get(issuer.name()).is_some() {
            return Err(Error::InvalidConfig);
        }
        self.list.push(issuer).map_err(|_| Error::ConfigListFull)
    }

    /// The issuer named `iss`.
    #[must_use]
    pub fn get(&self, iss: &str) -> Option<&Issuer<K>> {
        self.list.iter().find(|i| i.name() == iss)
    }

    /// The issuers.
    #[must_use]
    pub fn issuers(&self) -> &[Issuer<K>] {
        &self.list
    }

    /// Verifies `token` with the keys and rules of the issuer its `iss`
    /// names, at `now`; `buf` as for [`verify`](crate::verify).
    ///
    /// # Errors
    /// [`Error::UnknownIssuer`] when `iss` names no configured issuer,
    /// [`Error::MissingClaim`] when the token has no `iss`, or any error of
    /// [`verify`](crate::verify) under that issuer.
    pub fn verify<'b>(
        &self,
        token: &[u8],
        now: i64,
        buf: &'b mut [u8],
    ) -> Result<Verified<'b>, Error> {
        // Before the issuer is known, the first issuer's limits bound the
        // work (every issuer of a hosted verifier shares one validation).
        let limits = self
            .list
            .first()
            .map(|i| i.validation.limits())
            .unwrap_or_default();
        let decoded = decode(token, buf, &limits)?;
        // The issuer is named in the payload, which is not authenticated
        // yet. Reading it first is what RFC 8725 §3.10 asks for (the issuer
        // decides which keys may verify, §3.11 keeps the issuers apart) and
        // is safe as long as the unauthenticated value does nothing but
        // choose a key set: the payload goes through the same validating
        // JSON reader as always (no panics, no allocation, duplicate names
        // refused, so `iss` cannot mean one thing here and another later),
        // `iss` is compared byte for byte with configured names, and nothing
        // else is read from it before the signature over exactly these bytes
        // has been checked with that issuer's key. The full claim checks
        // then run on the same parsed bytes, including `iss` again.
        //
        // Before the signature the payload is read for its structure only
        // (linear: the duplicate-name check, whose exact step sorts the
        // names, runs in the full parse after the signature): `iss` is the
        // first member of that name, and a payload that names it twice is
        // refused by the full parse before any claim is used.
        let unsigned = Object::parse_structure(decoded.payload)?;
        let mut named = unsigned.members().filter(|(n, _)| n.eq_bytes(b"iss"));
        let iss = match (named.next(), named.next()) {
            (Some((_, v)), None) => v.as_str().ok_or(Error::InvalidClaim)?,
            (Some(_), Some(_)) => return Err(Error::DuplicateMember),
            (None, _) => return Err(Error::MissingClaim),
        };
        let issuer = self
            .list
            .iter()
            .find(|i| iss.eq_bytes(i.name.as_bytes()))
            .ok_or(Error::UnknownIssuer)?;

        issuer.validation.check_header(&decoded.header)?;
        decoded.check_signature(issuer.keys.keys())?;
        let (claims, registered) = Claims::parse(decoded.payload)?;

        issuer
            .validation
            .check_registered(&claims, &registered, now)?;
        Ok(Verified {
            header: decoded.header,
            claims,
        })
    }
}
