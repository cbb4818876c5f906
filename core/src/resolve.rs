//! Resolution: choosing the one credential a request is authenticated by,
//! under a [`Policy`], and reporting what it shadowed.

use heapless::Vec;

use crate::extract::{extract, Found, Request};
use crate::{Conflict, Credential, Error, Policy, Skip, Source, SOURCE_COUNT};

/// The outcome of resolution: the winning credential (if any), the
/// credentials it shadowed, and whether any of them differs from it.
///
/// "No credential" is `winner == None`, not an error: the caller maps it to
/// anonymous access or to `401` ([`Error::MissingCredential`]) as it chooses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution<'a> {
    /// The credential the request is authenticated by.
    pub winner: Option<Credential<'a>>,
    /// Credentials from lower-precedence sources, in policy order.
    pub shadowed: Vec<Credential<'a>, SOURCE_COUNT>,
    /// Sources that were present but carried no usable credential.
    pub skipped: Vec<(Source, Skip), SOURCE_COUNT>,
    /// Whether a shadowed credential differs from the winner: the request
    /// would be someone else under another precedence. Worth logging;
    /// refuse it with [`Conflict::Agree`].
    pub drift: bool,
}

impl<'a> Resolution<'a> {
    /// The winner, or [`Error::MissingCredential`].
    ///
    /// # Errors
    /// [`Error::MissingCredential`] when no source carried a credential.
    pub fn require(&self) -> Result<Credential<'a>, Error> {
        self.winner.ok_or(Error::MissingCredential)
    }

    /// The sources of the shadowed credentials.
    pub fn shadowed_sources(&self) -> impl Iterator<Item = Source> + '_ {
        self.shadowed.iter().map(|c| c.source)
    }
}

/// Extracts and resolves `request`'s credential under `policy`.
///
/// # Errors
/// Any extraction error (see [`extract`]), [`Error::MultipleMethods`] in
/// `single` mode, [`Error::ConflictingCredentials`] in `agree` mode.
pub fn resolve<'a, H>(policy: &Policy, request: Request<'a, H>) -> Result<Resolution<'a>, Error>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let found = extract(policy, request)?;
    resolve_found(policy, found)
}

/// Resolves what [`extract`] found.
///
/// # Errors
/// As [`resolve`].
pub fn resolve_found<'a>(policy: &Policy, mut found: Found<'a>) -> Result<Resolution<'a>, Error> {
    let mut resolution = Resolution {
        // Moved, not cloned: `found` is only asked for credentials below.
        skipped: core::mem::take(&mut found.skipped),
        ..Resolution::default()
    };
    // An Authorization field that is present but unusable (`Bearer<TAB>x`,
    // a scheme gatekey does not read) is a credential to a layer that reads
    // it differently (an empty `Bearer` is nobody's): when another source
    // wins, that is a conflict under `agree` and `single`, and drift under
    // `first` (security-core.md #6, the founding drift pattern).
    let unusable_authorization = resolution
        .skipped
        .iter()
        .any(|&(s, why)| s == Source::Bearer && why == Skip::OtherScheme);

    if policy.conflict() == Conflict::Single {
        let mut present = Source::ALL.into_iter().filter_map(|s| found.credential(s));
        let only = present.next();
        if present.next().is_some() {
            return Err(Error::MultipleMethods);
        }
        match only {
            Some(c)
                if unusable_authorization
                    && c.source != Source::Bearer
                    && policy.accepts(c.source) =>
            {
                return Err(Error::MultipleMethods);
            }
            Some(c) if policy.accepts(c.source) => resolution.winner = Some(c),
            Some(c) => {
                let _ = resolution.skipped.push((c.source, Skip::NotAccepted));
            }
            None => {}
        }
        return Ok(resolution);
    }

    for &source in policy.order() {
        if !policy.accepts(source) {
            continue;
        }
        let Some(credential) = found.credential(source) else {
            continue;
        };
        match resolution.winner {
            None => resolution.winner = Some(credential),
            Some(winner) => {
                if credential.value != winner.value {
                    if policy.conflict() == Conflict::Agree {
                        return Err(Error::ConflictingCredentials);
                    }
                    resolution.drift = true;
                }
                // Capacity is SOURCE_COUNT and each source appears once.
                let _ = resolution.shadowed.push(credential);
            }
        }
    }
    if unusable_authorization
        && resolution
            .winner
            .is_some_and(|w| w.source != Source::Bearer)
    {
        if policy.conflict() == Conflict::Agree {
            return Err(Error::ConflictingCredentials);
        }
        resolution.drift = true;
    }
    Ok(resolution)
}
