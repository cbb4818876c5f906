//! The refresh settings of a key source, checked like the verifier's
//! options: a bad value is a [`ConfigError`] naming the option.
//!
//! | option | type | default | limits |
//! |---|---|---|---|
//! | `min_refresh` | seconds | 60 | 1 s – 1 day: the shortest `max-age` honoured |
//! | `max_refresh` | seconds | 600 | `min_refresh` – 1 day: the longest, and the interval without `max-age` |
//! | `max_staleness` | seconds | 86400 | `max_refresh` – 30 days: how long failed fetches keep the last good keys |
//! | `cooldown` | seconds | 30 | 1 s – 1 h: between fetches asked for by unknown `kid`s |
//! | `unknown_kids` | integer | 1024 | 1 – 65536: how many unknown `kid`s are remembered |
//! | `unknown_kid_wait` | seconds | 0 | 0 – 10: how long a token with an unknown `kid` may wait for the fetch it asked for (0: it never waits) |
//! | `connect_timeout` | seconds | 5 | 0.01 – 60 |
//! | `timeout` | seconds | 10 | `connect_timeout` – 300: the whole fetch, body included (lowers a default `connect_timeout`) |
//! | `max_body` | bytes | 1048576 | 1 KiB – 16 MiB |
//! | `allow_http` | boolean | false | plain `http://` beyond loopback addresses |
//! | `background` | boolean | true | false: no thread; the host calls [`Refresher::poll`](super::Refresher::poll) |
//!
//! Names are accepted in `snake_case` and `camelCase`; seconds may be
//! fractional.

use core::time::Duration;

use gatekey::Error;

use crate::options::{spells, ConfigError, OptionValue};

/// How a [`Refresher`](super::Refresher) fetches and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshOptions {
    /// The shortest interval between scheduled fetches of one source.
    pub min_refresh: Duration,
    /// The longest, and the interval when the JWKS says no `max-age`.
    pub max_refresh: Duration,
    /// How long the last good keys outlive failed fetches.
    pub max_staleness: Duration,
    /// The least time between two fetches asked for by unknown `kid`s.
    pub cooldown: Duration,
    /// How many unknown `kid`s are remembered (each asks once).
    pub unknown_kids: usize,
    /// How long a token naming an unknown `kid` may wait for the fetch it
    /// asked for (or one under way) before it is refused; it is then
    /// verified once more, with the new keys. Zero: it never waits. The
    /// wait blocks the caller's thread.
    pub unknown_kid_wait: Duration,
    /// The TCP (and TLS) connect timeout.
    pub connect_timeout: Duration,
    /// The timeout of a whole fetch: resolve, connect, headers and body.
    pub timeout: Duration,
    /// The largest response body read.
    pub max_body: u64,
    /// Whether plain `http://` is allowed beyond loopback addresses.
    pub allow_http: bool,
    /// Whether a background thread refreshes (else the host polls).
    pub background: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions {
            min_refresh: Duration::from_secs(60),
            max_refresh: Duration::from_secs(600),
            max_staleness: Duration::from_secs(86_400),
            cooldown: Duration::from_secs(30),
            unknown_kids: 1024,
            unknown_kid_wait: Duration::ZERO,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body: 1 << 20,
            allow_http: false,
            background: true,
        }
    }
}

const NAMES: &[&str] = &[
    "min_refresh",
    "max_refresh",
    "max_staleness",
    "cooldown",
    "unknown_kids",
    "unknown_kid_wait",
    "connect_timeout",
    "timeout",
    "max_body",
    "allow_http",
    "background",
];

const DAY: u64 = 86_400;

fn seconds(
    option: &'static str,
    v: &OptionValue,
    min: f64,
    max: f64,
) -> Result<Duration, ConfigError> {
    let secs = match v {
        OptionValue::Int(i) => i32::try_from(*i).map_or(f64::INFINITY, f64::from),
        OptionValue::Float(f) => *f,
        _ => f64::NAN,
    };
    if secs.is_finite() && secs >= min && secs <= max {
        return Ok(Duration::from_secs_f64(secs));
    }
    let expected = format!("a number of seconds from {min} to {max}");
    Err(ConfigError::new(Error::InvalidConfig, option, v, &expected))
}

fn integer(option: &'static str, v: &OptionValue, min: u64, max: u64) -> Result<u64, ConfigError> {
    if let OptionValue::Int(i) = v {
        if let Ok(n) = u64::try_from(*i) {
            if (min..=max).contains(&n) {
                return Ok(n);
            }
        }
    }
    let expected = format!("an integer from {min} to {max}");
    Err(ConfigError::new(Error::InvalidConfig, option, v, &expected))
}

fn boolean(option: &'static str, v: &OptionValue) -> Result<bool, ConfigError> {
    match v {
        OptionValue::Bool(b) => Ok(*b),
        _ => Err(ConfigError::new(
            Error::InvalidConfig,
            option,
            v,
            "true or false",
        )),
    }
}

#[allow(clippy::cast_precision_loss)] // small constants
fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl RefreshOptions {
    /// The canonical name of refresh option `given` (either spelling), if
    /// it is one: how a binding tells them from the verifier's options.
    #[must_use]
    pub fn canonical(given: &str) -> Option<&'static str> {
        NAMES.iter().find(|n| spells(given, n)).copied()
    }

    /// Options from `(name, value)` pairs over the defaults, then checked
    /// together ([`RefreshOptions::check`]).
    ///
    /// # Errors
    /// The first bad option.
    pub fn from_pairs<'n>(
        pairs: impl IntoIterator<Item = (&'n str, OptionValue)>,
    ) -> Result<Self, ConfigError> {
        let mut options = RefreshOptions::default();
        for (name, value) in pairs {
            options.set(name, value)?;
        }
        options.check()?;
        Ok(options)
    }

    /// Sets option `name` to `value` ([`OptionValue::Absent`]: the default).
    /// Bounds between options are checked by [`RefreshOptions::check`].
    ///
    /// # Errors
    /// A [`ConfigError`] for an unknown name or a value out of range.
    pub fn set(&mut self, name: &str, value: OptionValue) -> Result<(), ConfigError> {
        let Some(option) = RefreshOptions::canonical(name) else {
            return Err(ConfigError {
                error: Error::InvalidConfig,
                option: "options",
                value: format!("{name:?}"),
                expected: format!("one of {}", NAMES.join(", ")),
            });
        };
        let defaults = RefreshOptions::default();
        let v = &value;
        let absent = *v == OptionValue::Absent;
        #[allow(clippy::cast_precision_loss)]
        let day = DAY as f64;
        match option {
            "min_refresh" => {
                self.min_refresh = if absent {
                    defaults.min_refresh
                } else {
                    seconds(option, v, 1.0, day)?
                }
            }
            "max_refresh" => {
                self.max_refresh = if absent {
                    defaults.max_refresh
                } else {
                    seconds(option, v, 1.0, day)?
                }
            }
            "max_staleness" => {
                self.max_staleness = if absent {
                    defaults.max_staleness
                } else {
                    seconds(option, v, 1.0, 30.0 * day)?
                }
            }
            "cooldown" => {
                self.cooldown = if absent {
                    defaults.cooldown
                } else {
                    seconds(option, v, 1.0, 3600.0)?
                }
            }
            "unknown_kid_wait" => {
                self.unknown_kid_wait = if absent {
                    defaults.unknown_kid_wait
                } else {
                    seconds(option, v, 0.0, 10.0)?
                }
            }
            "unknown_kids" => {
                self.unknown_kids = if absent {
                    defaults.unknown_kids
                } else {
                    usize::try_from(integer(option, v, 1, 65_536)?).unwrap_or(65_536)
                }
            }
            "connect_timeout" => {
                self.connect_timeout = if absent {
                    defaults.connect_timeout
                } else {
                    seconds(option, v, 0.01, 60.0)?
                }
            }
            "timeout" => {
                self.timeout = if absent {
                    defaults.timeout
                } else {
                    seconds(option, v, 0.01, 300.0)?
                };
                // A short timeout alone shortens the default connect timeout.
                if self.connect_timeout == defaults.connect_timeout {
                    self.connect_timeout = self.connect_timeout.min(self.timeout);
                }
            }
            "max_body" => {
                self.max_body = if absent {
                    defaults.max_body
                } else {
                    integer(option, v, 1024, 16 << 20)?
                }
            }
            "allow_http" => self.allow_http = if absent { false } else { boolean(option, v)? },
            _ => self.background = if absent { true } else { boolean(option, v)? },
        }
        Ok(())
    }

    /// Checks the bounds between options: `min_refresh ≤ max_refresh ≤
    /// max_staleness`, `connect_timeout ≤ timeout`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the option out of order.
    pub fn check(&self) -> Result<(), ConfigError> {
        let order = |option: &'static str, value: Duration, min: Duration, what: &str| {
            if value < min {
                Err(ConfigError::new(
                    Error::InvalidConfig,
                    option,
                    &OptionValue::Float(secs(value)),
                    &format!("at least {what} ({} s)", secs(min)),
                ))
            } else {
                Ok(())
            }
        };
        order(
            "max_refresh",
            self.max_refresh,
            self.min_refresh,
            "min_refresh",
        )?;
        order(
            "max_staleness",
            self.max_staleness,
            self.max_refresh,
            "max_refresh",
        )?;
        order(
            "timeout",
            self.timeout,
            self.connect_timeout,
            "connect_timeout",
        )
    }

    /// The next fetch after one that said `max_age` (or nothing).
    #[must_use]
    pub fn interval(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.max_refresh)
            .clamp(self.min_refresh, self.max_refresh)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bad_values_name_the_option() {
        for (name, value) in [
            ("min_refresh", OptionValue::Int(0)),
            ("maxRefresh", OptionValue::Float(f64::NAN)),
            ("cooldown", OptionValue::Str("30".into())),
            ("timeout", OptionValue::Int(-1)),
            ("max_body", OptionValue::Int(10)),
            ("unknown_kids", OptionValue::Int(0)),
            ("allow_http", OptionValue::Int(1)),
            ("max_staleness", OptionValue::Int(i128::MAX)),
        ] {
            let e = RefreshOptions::from_pairs([(name, value)]).unwrap_err();
            assert_eq!(Some(e.option), RefreshOptions::canonical(name), "{name}");
        }
        let e = RefreshOptions::from_pairs([("min_refresh", OptionValue::Int(700))]).unwrap_err();
        assert_eq!(e.option, "max_refresh");
        let e = RefreshOptions::from_pairs([("max_staleness", OptionValue::Int(60))]).unwrap_err();
        assert_eq!(e.option, "max_staleness");
        let e = RefreshOptions::from_pairs([("connectTimeout", OptionValue::Int(20))]).unwrap_err();
        assert_eq!(e.option, "timeout");
        assert_eq!(
            RefreshOptions::from_pairs([("nope", OptionValue::Bool(true))])
                .unwrap_err()
                .option,
            "options"
        );
    }

    #[test]
    fn max_age_is_bounded() {
        let o = RefreshOptions::default();
        assert_eq!(o.interval(None), o.max_refresh);
        assert_eq!(o.interval(Some(Duration::from_secs(1))), o.min_refresh);
        assert_eq!(
            o.interval(Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
        assert_eq!(
            o.interval(Some(Duration::from_secs(1 << 40))),
            o.max_refresh
        );
    }
}
