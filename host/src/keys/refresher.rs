//! The [`Refresher`]: a [`Verifier`] whose keys come from [`Sources`] and
//! stay current on a background thread, with single flight, a cooldown on
//! unknown `kid`s and last-known-good keys up to a maximum staleness.

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};

use gatekey::{Error, Policy};

use super::source::{Loaded, SourceState};
use super::{Clock, KeyStatus, RefreshOptions, Source, Sources, SystemClock};
use crate::options::{ConfigError, OptionValue, Options};
use crate::{Keys, Verifier};

pub use crate::verifier::KeyWatch;

/// The longest a background thread sleeps before looking at the clock
/// again (so that a test's fake clock is noticed, and drops are prompt).
const TICK: Duration = Duration::from_millis(250);

/// Why a refresher could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// A bad option (verifier or refresh), naming it.
    Config(ConfigError),
    /// A source gave no usable keys on the first fetch.
    Fetch {
        /// The source's URL or file.
        location: String,
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Config(e) => e.fmt(f),
            SourceError::Fetch { location, message } => {
                write!(f, "no keys from {location}: {message}")
            }
        }
    }
}

impl core::error::Error for SourceError {}

impl From<ConfigError> for SourceError {
    fn from(e: ConfigError) -> Self {
        SourceError::Config(e)
    }
}

#[derive(Debug, Default)]
struct Signal {
    forced: bool,
    shutdown: bool,
    last_unknown_fetch: Option<Duration>,
    recent: VecDeque<String>,
    recent_set: HashSet<String>,
    unknown_kid_refreshes: u64,
    /// A fetch is running (or the thread has taken `forced` to run one).
    polling: bool,
    /// Fetches completed: a waiting token retries once it moves.
    generation: u64,
}

#[derive(Debug)]
struct Inner {
    verifier: Arc<Verifier>,
    per_issuer: bool,
    options: RefreshOptions,
    clock: Arc<dyn Clock>,
    sources: Mutex<Vec<SourceState>>,
    /// Single flight: held for a whole poll (the network included).
    flight: Mutex<()>,
    signal: Mutex<Signal>,
    wake: Condvar,
    /// Notified when a fetch completes (tokens waiting on an unknown kid).
    fetched: Condvar,
    /// Milliseconds since the epoch until which the keys are fresh enough:
    /// all of them (a single source refuses every token past it).
    fresh_until: AtomicU64,
    /// With a source per issuer, each issuer's own `fresh_until`, in the
    /// order of `sources`: past it only that issuer's tokens are refused.
    issuer_fresh: Vec<(String, AtomicU64)>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A [`Verifier`] and the sources of its keys, kept current.
///
/// Dropping it stops the background thread (after the fetch in progress,
/// if any); the [`Verifier`] lives on with the last keys, as a static one.
#[derive(Debug)]
pub struct Refresher {
    inner: Arc<Inner>,
}

/// The hook the verifier calls: a weak link, so that the verifier does not
/// keep its refresher alive; and whether tokens may wait for keys.
#[derive(Debug)]
struct Watch(Weak<Inner>, bool);

impl KeyWatch for Watch {
    fn check(&self) -> Result<(), Error> {
        let Some(inner) = self.0.upgrade() else {
            return Ok(());
        };
        if inner.per_issuer {
            return Ok(()); // check_issuer decides, once the issuer is known
        }
        if millis(inner.clock.now()) > inner.fresh_until.load(Ordering::Acquire) {
            return Err(Error::KeysUnavailable);
        }
        Ok(())
    }

    fn check_issuer(&self, iss: Option<&gatekey::json::JsonStr<'_>>) -> Result<(), Error> {
        let (Some(inner), Some(iss)) = (self.0.upgrade(), iss) else {
            return Ok(());
        };
        let until = inner
            .issuer_fresh
            .iter()
            .find(|(name, _)| iss.eq_bytes(name.as_bytes()))
            .map_or(u64::MAX, |(_, until)| until.load(Ordering::Acquire));
        if millis(inner.clock.now()) > until {
            return Err(Error::KeysUnavailable);
        }
        Ok(())
    }

    fn may_wait(&self) -> bool {
        self.1
    }

    fn unknown_kid(&self, kid: Option<&str>, may_wait: bool) -> bool {
        self.0
            .upgrade()
            .is_some_and(|inner| inner.unknown_kid(kid.unwrap_or_default(), may_wait))
    }
}

impl Refresher {
    /// Fetches every source once (blocking: this is start-up), builds the
    /// verifier with `policy` and `options` over the keys, and, unless
    /// `refresh.background` is false, starts the thread that keeps them
    /// current on the system clock.
    ///
    /// # Errors
    /// A [`SourceError`]: a bad option, or a source with no usable keys.
    pub fn new(
        sources: Sources,
        policy: Policy,
        options: Options,
        refresh: RefreshOptions,
    ) -> Result<Self, SourceError> {
        Refresher::with_clock(sources, policy, options, refresh, Arc::new(SystemClock))
    }

    /// [`Refresher::new`] on another clock (tests move a [`FakeClock`](super::FakeClock)).
    ///
    /// # Errors
    /// As [`Refresher::new`].
    pub fn with_clock(
        sources: Sources,
        policy: Policy,
        mut options: Options,
        refresh: RefreshOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, SourceError> {
        refresh.check()?;
        let (per_issuer, states) = match sources {
            Sources::One(source) => {
                if let Source::Issuer(issuer) = &source {
                    // The issuer whose keys these are is the one trusted.
                    if options.issuers.is_empty() {
                        options.set("issuers", OptionValue::Str(issuer.clone()))?;
                    }
                }
                let issuer = match &source {
                    Source::Issuer(i) => Some(i.clone()),
                    _ => None,
                };
                (false, vec![SourceState::new(source, issuer)])
            }
            Sources::Issuers(list) => (
                true,
                list.into_iter()
                    .map(|(iss, source)| SourceState::new(source, Some(iss)))
                    .collect(),
            ),
        };
        let mut states = states;
        let now = clock.now();
        for state in &mut states {
            if let Some(plan) = state.plan() {
                let outcome = plan.run(&refresh);
                state.apply(outcome, now, &refresh);
            }
            if state.keys.is_none() {
                let status = state.status();
                return Err(SourceError::Fetch {
                    location: status.location,
                    message: status.last_error.unwrap_or_default(),
                });
            }
        }
        let keys = keys_of(per_issuer, &states);
        let verifier = Arc::new(Verifier::new(keys, policy, options)?);
        let issuer_fresh = if per_issuer {
            states
                .iter()
                .map(|s| {
                    (
                        s.issuer.clone().unwrap_or_default(),
                        AtomicU64::new(u64::MAX),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let inner = Arc::new(Inner {
            verifier: Arc::clone(&verifier),
            per_issuer,
            sources: Mutex::new(states),
            flight: Mutex::new(()),
            signal: Mutex::new(Signal::default()),
            wake: Condvar::new(),
            fetched: Condvar::new(),
            fresh_until: AtomicU64::new(u64::MAX),
            issuer_fresh,
            options: refresh,
            clock,
        });
        inner.update_freshness();
        // Only this function sets the watch, once per verifier it made.
        let waits = !inner.options.unknown_kid_wait.is_zero();
        let _ = verifier.set_watch(Arc::new(Watch(Arc::downgrade(&inner), waits)));
        if inner.options.background {
            let thread = Arc::clone(&inner);
            std::thread::Builder::new()
                .name("gatekey-keys".to_owned())
                // Key sets are built inline before being boxed: per-issuer
                // sets take over a MiB of stack in unoptimised builds.
                .stack_size(16 << 20)
                .spawn(move || thread.run())
                .map_err(|e| SourceError::Fetch {
                    location: "the refresh thread".to_owned(),
                    message: e.to_string(),
                })?;
        }
        Ok(Refresher { inner })
    }

    /// The verifier, to share with every thread.
    #[must_use]
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.inner.verifier
    }

    /// Fetches every source that is due (all, with `force`), now, on this
    /// thread: for hosts that run their own loop (`background: false`),
    /// and tests. Waits if a fetch is already under way, then returns.
    /// Returns whether the keys changed.
    pub fn poll(&self, force: bool) -> bool {
        let forced = force || core::mem::take(&mut lock(&self.inner.signal).forced);
        self.inner.poll(forced)
    }

    /// Asks for a fetch because a token named `kid`, which no key has:
    /// non-blocking; at most one fetch per cooldown, and none for a `kid`
    /// a fetch already looked for. The verifier calls this itself.
    pub fn on_unknown_kid(&self, kid: &str) {
        self.inner.unknown_kid(kid, false);
    }

    /// The counters.
    #[must_use]
    pub fn status(&self) -> KeyStatus {
        let sources = lock(&self.inner.sources)
            .iter()
            .map(SourceState::status)
            .collect();
        let signal = lock(&self.inner.signal);
        KeyStatus {
            sources,
            unknown_kid_refreshes: signal.unknown_kid_refreshes,
            fresh: millis(self.inner.clock.now()) <= self.inner.fresh_until.load(Ordering::Acquire),
        }
    }
}

impl Drop for Refresher {
    fn drop(&mut self) {
        lock(&self.inner.signal).shutdown = true;
        self.inner.wake.notify_all();
    }
}

fn keys_of(per_issuer: bool, states: &[SourceState]) -> Keys {
    if per_issuer {
        Keys::Issuers(
            states
                .iter()
                .map(|s| {
                    (
                        s.issuer.clone().unwrap_or_default(),
                        s.keys.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        )
    } else {
        Keys::One(Box::new(
            states
                .first()
                .and_then(|s| s.keys.clone())
                .unwrap_or_default(),
        ))
    }
}

impl Inner {
    /// Asks for a fetch for `kid` (at most one per cooldown, once per kid)
    /// and, when `may_wait` and `unknown_kid_wait` allow, waits for the
    /// fetch asked for or under way: true when one completed meanwhile.
    fn unknown_kid(&self, kid: &str, may_wait: bool) -> bool {
        let mut s = lock(&self.signal);
        let generation = s.generation;
        self.ask_for(&mut s, kid);
        let bound = self.options.unknown_kid_wait;
        if !may_wait || bound.is_zero() || !(s.forced || s.polling) {
            return false;
        }
        // Real time: this bounds a request's latency, whatever the clock.
        let Some(deadline) = std::time::Instant::now().checked_add(bound) else {
            return false;
        };
        while s.generation == generation {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            s = self
                .fetched
                .wait_timeout(s, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// The cooldown and the memory of kids: whether `kid` starts a fetch.
    fn ask_for(&self, s: &mut MutexGuard<'_, Signal>, kid: &str) {
        let now = self.clock.now();
        if s.recent_set.contains(kid) {
            return;
        }
        if let Some(last) = s.last_unknown_fetch {
            if now < last.saturating_add(self.options.cooldown) {
                // Not remembered: once the cooldown is over, this kid asks again.
                return;
            }
        }
        s.last_unknown_fetch = Some(now);
        s.unknown_kid_refreshes = s.unknown_kid_refreshes.saturating_add(1);
        s.forced = true;
        if s.recent.len() >= self.options.unknown_kids {
            if let Some(old) = s.recent.pop_front() {
                s.recent_set.remove(&old);
            }
        }
        s.recent.push_back(kid.to_owned());
        s.recent_set.insert(kid.to_owned());
        self.wake.notify_all();
    }

    /// When the next scheduled fetch is due.
    fn next_due(&self) -> Option<Duration> {
        lock(&self.sources)
            .iter()
            .filter(|s| s.plan().is_some())
            .map(|s| s.next_due)
            .min()
    }

    fn run(self: Arc<Self>) {
        loop {
            let forced = {
                let mut s = lock(&self.signal);
                loop {
                    if s.shutdown {
                        return;
                    }
                    if core::mem::take(&mut s.forced) {
                        s.polling = true;
                        break true;
                    }
                    let now = self.clock.now();
                    let wait = match self.next_due() {
                        Some(due) if due <= now => break false,
                        Some(due) => due.saturating_sub(now).min(TICK),
                        None => TICK,
                    };
                    s = self
                        .wake
                        .wait_timeout(s, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            };
            self.poll(forced);
        }
    }

    fn poll(&self, forced: bool) -> bool {
        let _flight = lock(&self.flight);
        lock(&self.signal).polling = true;
        let changed = self.fetch_due(forced);
        let mut s = lock(&self.signal);
        s.polling = false;
        s.generation = s.generation.wrapping_add(1);
        drop(s);
        self.fetched.notify_all();
        changed
    }

    /// One poll's fetches (under the single-flight lock), the keys replaced
    /// when they changed.
    fn fetch_due(&self, forced: bool) -> bool {
        let now = self.clock.now();
        let plans: Vec<(usize, super::source::Plan)> = lock(&self.sources)
            .iter()
            .enumerate()
            .filter(|(_, s)| forced || s.next_due <= now)
            .filter_map(|(i, s)| s.plan().map(|p| (i, p)))
            .collect();
        let mut changed = false;
        for (i, plan) in plans {
            let outcome = plan.run(&self.options);
            let done = self.clock.now();
            let mut sources = lock(&self.sources);
            if let Some(state) = sources.get_mut(i) {
                if let Some(Loaded::New) = state.apply(outcome, done, &self.options) {
                    changed = true;
                }
            }
        }
        if changed {
            let keys = keys_of(self.per_issuer, &lock(&self.sources));
            // Same kind, same options as at start: this cannot fail, and if
            // it did the old keys would stay, which is the safe side.
            let _ = self.verifier.replace_keys(keys);
        }
        self.update_freshness();
        changed
    }

    fn update_freshness(&self) {
        let sources = lock(&self.sources);
        let fresh_until = |s: &SourceState| {
            if !s.remote() {
                return u64::MAX;
            }
            s.last_success
                .map_or(0, |t| millis(t.saturating_add(self.options.max_staleness)))
        };
        for (state, (_, until)) in sources.iter().zip(&self.issuer_fresh) {
            until.store(fresh_until(state), Ordering::Release);
        }
        let until = sources.iter().map(fresh_until).min().unwrap_or(u64::MAX);
        self.fresh_until.store(until, Ordering::Release);
    }
}
