//! The one [`Verifier`] of hosted builds: trust, policy, claim rules,
//! cache and refusal together, so that no binding assembles its own.

use core::cell::{Cell, RefCell};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use gatekey::{
    buffer_len, json::JsonStr, Error, Identity, KeySet, Policy, Request, Resolution, Validation,
    Verified, MAX_FIELD_LEN,
};

use gatekey::mcp::ScopePolicy;

use crate::options::{ChallengeParams, ConfigError, OptionValue, Options};
use crate::refusal::{printable, Failure, Refusal};
use crate::{CacheInfo, Offload, TokenCache, Trust};

/// How many keys one key set of a hosted verifier holds: the same in
/// every language (a provider's JWKS rarely has more than a handful).
pub const KEYS: usize = 64;

/// The decode buffer that holds any token up to
/// [`MAX_FIELD_LEN`](gatekey::MAX_FIELD_LEN) bytes, the longest header
/// field gatekey reads: 12 KiB.
pub const BUFFER_LEN: usize = buffer_len(MAX_FIELD_LEN);

/// A key set of a hosted verifier.
pub type HostKeySet = KeySet<KEYS>;

/// What a verifier trusts, as given: one key set, or issuers each with
/// their own keys.
#[derive(Clone, Debug)]
pub enum Keys {
    /// One key set: any configured issuer, any of these keys.
    One(Box<HostKeySet>),
    /// `(iss, keys)`: the token's `iss` picks the issuer before its `kid`
    /// picks a key (RFC 8725 §3.11).
    Issuers(Vec<(String, HostKeySet)>),
}

/// What keeps a verifier's keys current (a key source's refresher), as
/// the verifier sees it: asked before a token is verified, told when a
/// token names a `kid` no key has. Both calls must be cheap and never wait
/// on the network.
pub trait KeyWatch: Send + Sync + core::fmt::Debug {
    /// `Err(`[`Error::KeysUnavailable`]`)` when the keys are too stale to
    /// verify with.
    ///
    /// # Errors
    /// The error every token is then refused with.
    fn check(&self) -> Result<(), Error>;
    /// `Err(`[`Error::KeysUnavailable`]`)` when the keys of the issuer a
    /// token verified for (its `iss`) are too stale, though others' are
    /// not: asked after a token verified, so that one issuer's outage
    /// never refuses another's tokens.
    ///
    /// # Errors
    /// The error that token is then refused with.
    fn check_issuer(&self, iss: Option<&JsonStr<'_>>) -> Result<(), Error> {
        let _ = iss;
        Ok(())
    }
    /// A token named `kid` (printable, bounded), which no key has. With
    /// `may_wait`, the watch may hold the caller for a bounded time while
    /// keys are fetched: true when a fetch completed meanwhile, so that
    /// the token is worth verifying once more.
    fn unknown_kid(&self, kid: Option<&str>, may_wait: bool) -> bool;
    /// Whether [`KeyWatch::unknown_kid`] may wait (so the verifier keeps
    /// room in its buffer to try the token again).
    fn may_wait(&self) -> bool {
        false
    }
}

/// Verifies tokens and authenticates requests: `Send + Sync`, shared by
/// every thread. Built once from [`Keys`], a [`Policy`] and [`Options`];
/// only the keys change afterwards ([`Verifier::replace_keys`]).
#[derive(Debug)]
pub struct Verifier {
    trust: RwLock<Arc<Trust<KEYS>>>,
    policy: Policy,
    options: Options,
    validation: Validation,
    challenge: ChallengeParams,
    cache: Option<TokenCache>,
    watch: OnceLock<Arc<dyn KeyWatch>>,
    /// `scope_rules`, when given: its rules decide MCP calls, its
    /// implications routes' scopes too ([`Verifier::require_scopes`]).
    scope_policy: Option<ScopePolicy<Vec<String>>>,
    /// Whether `scope_policy` has a rule, so that calls are decided.
    scope_rules_decide: bool,
}

thread_local! {
    /// This thread's decode buffer, [`BUFFER_LEN`] bytes once made.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's decode buffer of [`BUFFER_LEN`] bytes
/// (zeroed once per thread, not per call). A re-entrant call (a finalizer
/// that verifies while the buffer is lent out) gets a fresh one.
pub fn with_buffer<R>(f: impl FnOnce(&mut [u8]) -> R) -> R {
    BUFFER.with(|cell| {
        let Ok(mut buf) = cell.try_borrow_mut() else {
            return f(&mut vec![0u8; BUFFER_LEN]);
        };
        if buf.len() < BUFFER_LEN {
            buf.resize(BUFFER_LEN, 0);
        }
        f(&mut buf)
    })
}

fn trust_of(
    keys: Keys,
    validation: &Validation,
    options: &Options,
) -> Result<Trust<KEYS>, ConfigError> {
    match keys {
        Keys::One(set) => Ok(Trust::Keys(*set)),
        Keys::Issuers(list) => {
            if !options.issuers.is_empty() {
                return Err(ConfigError {
                    error: Error::InvalidConfig,
                    option: "issuers",
                    value: OptionValue::List(
                        options
                            .issuers
                            .iter()
                            .cloned()
                            .map(OptionValue::Str)
                            .collect(),
                    )
                    .render(),
                    expected: "no issuers option when the keys are given per issuer".to_owned(),
                });
            }
            let names: Vec<OptionValue> = list
                .iter()
                .map(|(n, _)| OptionValue::Str(n.clone()))
                .collect();
            let count = list.len();
            Trust::issuers(
                list.iter().map(|(n, k)| (n.as_str(), k.clone())),
                validation,
            )
            .map_err(|error| ConfigError {
                error,
                option: "keys",
                value: OptionValue::List(names).render(),
                expected: format!(
                    "1 to {} issuers with non-empty names of at most 256 bytes (got {count})",
                    crate::ISSUERS
                ),
            })
        }
    }
}

impl Verifier {
    /// A verifier trusting `keys`, choosing credentials by `policy`, with
    /// the claim rules, cache and challenge of `options`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the option at fault.
    pub fn new(keys: Keys, policy: Policy, options: Options) -> Result<Self, ConfigError> {
        let validation = options.validation()?;
        let trust = trust_of(keys, &validation, &options)?;
        let cache = TokenCache::new(options.cache_size).map_err(|_| {
            ConfigError::new(
                Error::InvalidConfig,
                "cache_size",
                &OptionValue::Int(i128::try_from(options.cache_size).unwrap_or(i128::MAX)),
                "at most 65536 tokens",
            )
        })?;
        let scope_policy = options.scope_policy();
        Ok(Verifier {
            trust: RwLock::new(Arc::new(trust)),
            policy,
            challenge: options.challenge(),
            scope_rules_decide: scope_policy.as_ref().is_some_and(|p| !p.is_empty()),
            scope_policy,
            validation,
            options,
            cache,
            watch: OnceLock::new(),
        })
    }

    /// Gives the verifier what keeps its keys current ([`crate::keys`]):
    /// once; a second call returns its watch back.
    ///
    /// # Errors
    /// `watch` itself when the verifier already has one.
    pub fn set_watch(&self, watch: Arc<dyn KeyWatch>) -> Result<(), Arc<dyn KeyWatch>> {
        self.watch.set(watch)
    }

    /// `Err(KeysUnavailable)` when the watch says the keys are too stale.
    fn keys_usable(&self) -> Result<(), Error> {
        self.watch.get().map_or(Ok(()), |w| w.check())
    }

    /// `Err(KeysUnavailable)` when the keys of `verified`'s issuer are too
    /// stale (a source per issuer, that one failing).
    fn issuer_usable(&self, verified: &Verified<'_>) -> Result<(), Error> {
        self.watch
            .get()
            .map_or(Ok(()), |w| w.check_issuer(verified.claims.iss().as_ref()))
    }

    /// Tells the watch about a token whose `kid` no key has.
    fn report(&self, failure: Failure) -> Failure {
        if failure.error == Error::UnknownKey {
            if let Some(watch) = self.watch.get() {
                watch.unknown_kid(failure.kid.as_deref(), false);
            }
        }
        failure
    }

    /// Gives the verifier a cache of `capacity` tokens (0: none), before
    /// it is shared: for a C caller that sets the cache after building.
    ///
    /// # Errors
    /// A [`ConfigError`] naming `cache_size` above the bound.
    pub fn set_cache_size(&mut self, capacity: usize) -> Result<(), ConfigError> {
        let value = OptionValue::Int(i128::try_from(capacity).unwrap_or(i128::MAX));
        let mut options = self.options.clone();
        options.set("cache_size", value)?;
        self.cache = TokenCache::new(options.cache_size).unwrap_or(None);
        self.options = options;
        Ok(())
    }

    /// The trust in force now (requests keep the one they started with).
    #[must_use]
    pub fn trust(&self) -> Arc<Trust<KEYS>> {
        Arc::clone(&self.trust.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the keys atomically: requests in flight finish on the old
    /// keys, later ones see the new; the cache no longer vouches for
    /// tokens verified with the old ones.
    ///
    /// # Errors
    /// As [`Verifier::new`] for `keys`, and a [`ConfigError`] naming `keys`
    /// for keys of the other kind (a key set for issuers, or the reverse).
    pub fn replace_keys(&self, keys: Keys) -> Result<(), ConfigError> {
        let trust = Arc::new(trust_of(keys, &self.validation, &self.options)?);
        if !trust.same_kind(&self.trust()) {
            // The options were checked for one kind (issuers may be named
            // only with one key set): a change of kind is a new verifier.
            return Err(ConfigError {
                error: Error::InvalidConfig,
                option: "keys",
                value: if trust.keys().is_some() {
                    "a key set"
                } else {
                    "keys per issuer"
                }
                .to_owned(),
                expected:
                    "keys of the kind the verifier was built with (a key set, or keys per issuer)"
                        .to_owned(),
            });
        }
        *self.trust.write().unwrap_or_else(PoisonError::into_inner) = trust;
        if let Some(cache) = &self.cache {
            cache.clear();
        }
        Ok(())
    }

    /// The credential policy.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The options it was built with.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The core's claim rules made of the options.
    #[must_use]
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    /// The challenge parameters (realm, scopes, resource metadata).
    #[must_use]
    pub fn challenge(&self) -> &ChallengeParams {
        &self.challenge
    }

    /// Every scope the options name (`scopes`, then those of
    /// `scope_rules`), once each: the `scopes_supported` of this server's
    /// protected resource metadata (RFC 9728 §2).
    #[must_use]
    pub fn scopes_named(&self) -> Vec<String> {
        let mut named: Vec<String> = self.options.scopes.clone();
        if let Some(policy) = &self.scope_policy {
            for scope in policy.scopes() {
                if !named.iter().any(|n| n == scope) {
                    named.push(scope.to_owned());
                }
            }
        }
        named
    }

    /// The cache's counters (all zero without a cache).
    #[must_use]
    pub fn cache_info(&self) -> CacheInfo {
        self.cache
            .as_ref()
            .map(TokenCache::info)
            .unwrap_or_default()
    }

    /// Forgets every cached token.
    pub fn cache_clear(&self) {
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// The HTTP answer to `failure` with this verifier's challenge.
    #[must_use]
    pub fn refusal(&self, failure: &Failure) -> Refusal {
        Refusal::new(failure, &self.challenge)
    }

    /// Which credential `request` carries under the policy, unverified.
    ///
    /// # Errors
    /// A resolution error (ambiguous or conflicting credentials).
    pub fn resolve<'a, H>(&self, request: Request<'a, H>) -> Result<Resolution<'a>, Failure>
    where
        H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
    {
        gatekey::resolve(&self.policy, request).map_err(Failure::from)
    }

    /// Verifies `token` at `now` (through the cache, if any); `buf` holds
    /// the decoded token ([`BUFFER_LEN`] bytes take any token up to
    /// [`MAX_FIELD_LEN`]); the slow step runs through `offload`.
    ///
    /// # Errors
    /// A [`Failure`] naming the claim, `kid` or issuer at fault.
    pub fn verify<'b>(
        &self,
        token: &[u8],
        now: i64,
        buf: &'b mut [u8],
        offload: &impl Offload,
    ) -> Result<Verified<'b>, Failure> {
        self.verify_token(token, now, buf, offload)
            .map_err(|e| self.report(self.explain(e, Some(token), now)))
    }

    /// [`Verifier::verify`] before the failure is explained: the keys'
    /// staleness, the signature and claims, the issuer's staleness; and,
    /// when the watch lets a token with an unknown `kid` wait for new keys,
    /// one more try with them in the buffer's second half (so a token up to
    /// half of [`BUFFER_LEN`], 8 KiB, can be retried).
    fn verify_token<'b>(
        &self,
        token: &[u8],
        now: i64,
        buf: &'b mut [u8],
        offload: &impl Offload,
    ) -> Result<Verified<'b>, Error> {
        self.keys_usable()?;
        let needed = buffer_len(token.len());
        let (first, second): (&'b mut [u8], &'b mut [u8]) = match self.watch.get() {
            Some(w) if w.may_wait() && buf.len() >= needed.saturating_mul(2) => {
                buf.split_at_mut(needed)
            }
            _ => (buf, Default::default()),
        };
        match self.verify_once(token, now, first, offload) {
            Err(Error::UnknownKey)
                if !second.is_empty() && self.waited_for_keys(token, now, offload) =>
            {
                self.verify_once(token, now, second, offload)
            }
            other => other,
        }
    }

    /// One verification with the keys in force now.
    fn verify_once<'b>(
        &self,
        token: &[u8],
        now: i64,
        buf: &'b mut [u8],
        offload: &impl Offload,
    ) -> Result<Verified<'b>, Error> {
        let verified = self.trust().verify(
            token,
            &self.validation,
            self.cache.as_ref(),
            now,
            buf,
            offload,
        )?;
        self.issuer_usable(&verified)?;
        Ok(verified)
    }

    /// Asks the watch for the keys of `token`'s unknown `kid` and waits as
    /// long as it allows, through `offload` (a binding releases its
    /// interpreter lock there): whether new keys may have come meanwhile.
    fn waited_for_keys(&self, token: &[u8], now: i64, offload: &impl Offload) -> bool {
        let Some(watch) = self.watch.get() else {
            return false;
        };
        let failure = self.explain(Error::UnknownKey, Some(token), now);
        let kid = failure.kid.as_deref();
        offload.run(|| watch.unknown_kid(kid, true))
    }

    /// Authenticates one request at `now`: the identity, or `None` when
    /// the request carries no credential and the options say a credential
    /// is not `required`. With `scope_rules`, the identity must also hold
    /// the scopes of the call its `Mcp-Method` and `Mcp-Name` headers
    /// name ([`crate::mcp::authorize`]).
    ///
    /// # Errors
    /// A [`Failure`]: any error of [`gatekey::authenticate`], with what it
    /// is about; of [`crate::mcp::authorize`] with `scope_rules`.
    pub fn authenticate<'a, H>(
        &self,
        request: Request<'a, H>,
        now: i64,
        buf: &'a mut [u8],
        offload: &impl Offload,
    ) -> Result<Option<Identity<'a>>, Failure>
    where
        H: IntoIterator<Item = (&'a [u8], &'a [u8])> + Clone,
    {
        let rules = self
            .scope_policy
            .as_ref()
            .filter(|_| self.scope_rules_decide);
        let headers = rules.map(|_| request.headers.clone());
        let identity = self.authenticate_only(request, now, buf, offload)?;
        if let (Some(policy), Some(headers)) = (rules, headers) {
            crate::mcp::authorize(policy, identity.as_ref(), headers)?;
        }
        Ok(identity)
    }

    /// Decides a route that names the `scopes` it needs for the holder of
    /// `granted` (`None`: an anonymous request), under this verifier's
    /// `scope_rules` hierarchy ([`crate::mcp::require_scopes`]).
    ///
    /// # Errors
    /// A [`Failure`] of [`gatekey::Error::InsufficientScope`] (or
    /// [`gatekey::Error::MissingCredential`] for an anonymous request)
    /// whose challenge names every one of `scopes`.
    pub fn require_scopes(
        &self,
        granted: Option<gatekey::claims::Granted<'_>>,
        scopes: &[String],
    ) -> Result<(), Failure> {
        crate::mcp::require_scopes(
            self.scope_policy.as_ref(),
            granted,
            scopes.iter().map(String::as_str),
        )
    }

    fn authenticate_only<'a, H>(
        &self,
        request: Request<'a, H>,
        now: i64,
        buf: &'a mut [u8],
        offload: &impl Offload,
    ) -> Result<Option<Identity<'a>>, Failure>
    where
        H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
    {
        let tried: Cell<Option<&'a [u8]>> = Cell::new(None);
        let result = gatekey::authenticate_with(request, &self.policy, buf, |token, buf| {
            tried.set(Some(token));
            self.verify_token(token, now, buf, offload)
        });
        match result {
            Ok(identity) => Ok(Some(identity)),
            Err(Error::MissingCredential) if !self.options.required => Ok(None),
            Err(e) => Err(self.report(self.explain(e, tried.get(), now))),
        }
    }

    /// `error` with what it is about, read again from `token` (the error
    /// path only; this allocates).
    fn explain(&self, error: Error, token: Option<&[u8]>, now: i64) -> Failure {
        let mut failure = Failure::from(error);
        let Some(token) = token else { return failure };
        let names_kid = matches!(
            error,
            Error::UnknownKey | Error::KeyIdRequired | Error::AlgorithmMismatch
        );
        let names_issuer = matches!(
            error,
            Error::WrongIssuer | Error::UnknownIssuer | Error::KeysUnavailable
        );
        let names_claim = (400..500).contains(&error.code()) && !names_issuer;
        if !(names_kid || names_issuer || names_claim) {
            return failure;
        }
        let mut buf = vec![0u8; buffer_len(token.len())];
        let found = gatekey::explain(token, &self.validation, now, &mut buf);
        if names_kid {
            failure.kid = found.kid.map(|k| printable(k.bytes()));
        }
        if names_issuer {
            failure.issuer = found.iss.map(|i| printable(i.bytes()));
        }
        if names_claim {
            failure.claim = found.claim.map(str::to_owned);
        }
        failure
    }
}
