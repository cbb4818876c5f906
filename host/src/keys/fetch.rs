//! One HTTP GET of a JWKS or discovery document, bounded in time and size.
//!
//! The client is [`ureq`] 3 on rustls with the ring provider: blocking
//! (fetches run on the refresher's own thread, so an async runtime would
//! only add weight), small, rustls (no OpenSSL to find on the host; ring is
//! already in the tree through the core's `ring` feature), with a
//! *global* timeout per call that covers resolving, connecting, the
//! headers and the whole body, so a server dripping one byte every 100 ms
//! cannot outlast it. 3.5.2 is the floor: before it, a read begun after
//! the deadline got a fresh one-second socket timeout, so a server that
//! kept dripping (headers or body) outlasted the global timeout for as
//! long as it liked. That floor sets the workspace's MSRV (1.85).
//!
//! - TLS verification is always on (webpki roots).
//! - Redirects are not followed: a `3xx` is an error. A JWKS URL or
//!   issuer that moves is a configuration change to make on purpose, and
//!   following one would let whoever answers a URL choose where the keys
//!   come from.
//! - Plain `http://` only for loopback addresses (`127.0.0.0/8`, `::1`,
//!   `localhost`), unless [`allow_http`](super::RefreshOptions::allow_http).
//! - Bodies above [`max_body`](super::RefreshOptions::max_body) are refused.
//! - Proxies from the environment are honoured, except for loopback hosts.

use core::fmt;
use core::net::IpAddr;
use core::time::Duration;

use super::RefreshOptions;

/// What a fetch brought back.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// `304 Not Modified`: the keys held are current.
    NotModified { max_age: Option<Duration> },
    /// `200` with a body.
    Body {
        body: Vec<u8>,
        etag: Option<String>,
        max_age: Option<Duration>,
    },
}

/// Why a fetch failed, in words for the counters and the logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError(pub String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::error::Error for FetchError {}

/// Whether `host` (as in a URL: brackets around IPv6) is a loopback name
/// or address: `localhost`, `127.0.0.0/8`, `::1`.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The scheme and host of `url`, checked: `https`, or `http` to a loopback
/// host or with `allow_http`.
pub(crate) fn check_url(url: &str, allow_http: bool) -> Result<(bool, String), FetchError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| FetchError(format!("{url}: not an absolute URL")))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default().to_owned()
    };
    if host.is_empty() || host == "]" {
        return Err(FetchError(format!("{url}: no host")));
    }
    let loopback = is_loopback(&host);
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok((loopback, host)),
        "http" if loopback || allow_http => Ok((loopback, host)),
        "http" => Err(FetchError(format!(
            "{url}: plain http is allowed only to loopback addresses (or with allow_http)"
        ))),
        _ => Err(FetchError(format!("{url}: not an http(s) URL"))),
    }
}

/// `Cache-Control: max-age=N` (RFC 9111 §5.2.2.1); `no-cache`/`no-store`
/// count as 0 (the refresh bounds then apply).
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| {
        let d = d.trim();
        if d.eq_ignore_ascii_case("no-cache") || d.eq_ignore_ascii_case("no-store") {
            return Some(Duration::ZERO);
        }
        let (name, v) = d.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

/// GETs `url` (with `If-None-Match: etag` when given), bounded by `options`.
pub(crate) fn get(
    url: &str,
    etag: Option<&str>,
    options: &RefreshOptions,
) -> Result<Fetched, FetchError> {
    let (loopback, _) = check_url(url, options.allow_http)?;
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.connect_timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("gatekey/", env!("CARGO_PKG_VERSION")));
    if loopback {
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config.build().into();
    let mut request = agent.get(url).header("accept", "application/json");
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let mut response = request
        .call()
        .map_err(|e| FetchError(format!("{url}: {e}")))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let age = header("cache-control").as_deref().and_then(max_age);
    let status = response.status().as_u16();
    match status {
        200 => {
            let etag = header("etag");
            let body = response
                .body_mut()
                .with_config()
                .limit(options.max_body)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => FetchError(format!(
                        "{url}: the body is larger than max_body ({} bytes)",
                        options.max_body
                    )),
                    e => FetchError(format!("{url}: {e}")),
                })?;
            Ok(Fetched::Body {
                body,
                etag,
                max_age: age,
            })
        }
        304 if etag.is_some() => Ok(Fetched::NotModified { max_age: age }),
        300..=399 => Err(FetchError(format!(
            "{url}: answered {status}, a redirect (to {}), which is not followed",
            header("location").unwrap_or_else(|| "nowhere".to_owned())
        ))),
        _ => Err(FetchError(format!("{url}: answered HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_schemes() {
        for host in ["localhost", "127.0.0.1", "127.9.9.9", "[::1]", "LOCALHOST"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "[::2]",
            "localhost.example.com",
            "128.0.0.1",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
        assert!(check_url("http://127.0.0.1:8080/jwks", false).is_ok());
        assert!(check_url("http://[::1]:8080/jwks", false).is_ok());
        assert!(check_url("http://idp.example/jwks", false).is_err());
        assert!(check_url("http://idp.example/jwks", true).is_ok());
        assert!(check_url("http://127.0.0.1.evil.example/jwks", false).is_err());
        assert!(check_url("http://localhost@evil.example/jwks", false).is_err());
        assert!(check_url("https://idp.example/jwks", false).is_ok());
        assert!(check_url("ftp://idp.example/jwks", true).is_err());
        assert!(check_url("idp.example", true).is_err());
    }

    #[test]
    fn cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("no-cache"), Some(Duration::ZERO));
        assert_eq!(max_age("max-age=x"), None);
        assert_eq!(max_age("private"), None);
    }
}
