//! Extraction: finding each source's credential in a request, borrowing the
//! request's bytes, in one pass over its header fields.

mod authorization;
mod cookie;
mod query;

use heapless::Vec;

use crate::{bytes, Credential, Error, Policy, Skip, Source, SOURCE_COUNT};

pub use authorization::decode_basic;

/// The longest header field value gatekey reads (`Authorization`, `Cookie`,
/// the proxy header), in bytes. Longer ones are [`Error::FieldTooLong`].
/// Unrelated fields are never looked at, whatever their length.
pub const MAX_FIELD_LEN: usize = 16 * 1024;

/// A request as gatekey sees it: header fields as `(name, value)` byte
/// pairs (names in any case, as ASGI, hyper and C callers hand them over),
/// the query string, and a token the caller already holds.
#[derive(Clone, Debug)]
pub struct Request<'a, H> {
    /// The header fields, in the order received.
    pub headers: H,
    /// The query string, without the leading `?`.
    pub query: Option<&'a [u8]>,
    /// A token from elsewhere (a function argument, a form field): the
    /// `explicit` source.
    pub explicit: Option<&'a [u8]>,
}

impl<'a, H> Request<'a, H>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    /// A request with these header fields and nothing else.
    pub fn new(headers: H) -> Self {
        Request {
            headers,
            query: None,
            explicit: None,
        }
    }

    /// Adds the query string (without `?`).
    #[must_use]
    pub fn with_query(mut self, query: &'a [u8]) -> Self {
        self.query = Some(query);
        self
    }

    /// Adds an explicit token.
    #[must_use]
    pub fn with_token(mut self, token: &'a [u8]) -> Self {
        self.explicit = Some(token);
        self
    }
}

/// What extraction found: at most one credential per source, and why
/// present-but-unusable sources were skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found<'a> {
    slots: [Option<&'a [u8]>; SOURCE_COUNT],
    /// Sources present in the request that carried no usable credential.
    pub skipped: Vec<(Source, Skip), SOURCE_COUNT>,
}

impl<'a> Found<'a> {
    /// The credential `source` carried, if any.
    #[must_use]
    pub fn get(&self, source: Source) -> Option<&'a [u8]> {
        self.slots.get(source.index()).copied().flatten()
    }

    /// The credential `source` carried, as a [`Credential`].
    #[must_use]
    pub fn credential(&self, source: Source) -> Option<Credential<'a>> {
        self.get(source).map(|value| Credential { source, value })
    }

    fn set(&mut self, source: Source, value: &'a [u8]) {
        if let Some(slot) = self.slots.get_mut(source.index()) {
            *slot = Some(value);
        }
    }

    fn skip(&mut self, source: Source, why: Skip) {
        // One entry per source at most, and the capacity is SOURCE_COUNT.
        let _ = self.skipped.push((source, why));
    }
}

/// Finds every credential `policy` reads in `request`.
///
/// # Errors
/// Ambiguity ([`Error::AmbiguousAuthorization`], [`Error::AmbiguousCookie`],
/// [`Error::AmbiguousProxyHeader`], [`Error::AmbiguousQueryToken`]), a
/// malformed credential ([`Error::MalformedBearer`],
/// [`Error::MalformedQueryToken`], [`Error::MalformedProxyHeader`]), or
/// [`Error::FieldTooLong`].
pub fn extract<'a, H>(policy: &Policy, request: Request<'a, H>) -> Result<Found<'a>, Error>
where
    H: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let mut found = Found::default();
    let reads = policy.read();
    let reads_auth = reads.contains(Source::Bearer) || reads.contains(Source::Basic);
    let reads_cookie = reads.contains(Source::Cookie);
    let proxy_name = if reads.contains(Source::Proxy) {
        policy.proxy_header()
    } else {
        None
    };

    let mut authorization: Option<&'a [u8]> = None;
    let mut proxy: Option<&'a [u8]> = None;
    let mut cookie: Option<&'a [u8]> = None;
    for (name, value) in request.headers {
        if reads_auth && bytes::eq_letters_ignore_case(name, b"authorization") {
            if authorization.is_some() {
                return Err(Error::AmbiguousAuthorization);
            }
            authorization = Some(field_value(value)?);
        } else if reads_cookie && bytes::eq_letters_ignore_case(name, b"cookie") {
            // RFC 6265 §5.4 / RFC 9113 §8.2.3: HTTP/2 may split one Cookie
            // field into several; they are one list of pairs.
            cookie::find(field_value(value)?, policy.cookie_name(), &mut cookie)?;
        } else if proxy_name.is_some_and(|p| name.eq_ignore_ascii_case(p)) {
            if proxy.is_some() {
                return Err(Error::AmbiguousProxyHeader);
            }
            proxy = Some(field_value(value)?);
        }
    }

    if let Some(value) = authorization {
        authorization::classify(value, policy, &mut found)?;
    }
    match cookie {
        Some([]) => found.skip(Source::Cookie, Skip::EmptyCookie),
        Some(value) => found.set(Source::Cookie, value),
        None => {}
    }
    if let Some(value) = proxy {
        if value.is_empty()
            || !value
                .iter()
                .all(|&b| (0x21..0x7f).contains(&b) || b == b' ')
        {
            return Err(Error::MalformedProxyHeader);
        }
        found.set(Source::Proxy, value);
    }
    if reads.contains(Source::Query) {
        if let Some(q) = request.query {
            match query::access_token(q)? {
                Some([]) => found.skip(Source::Query, Skip::EmptyToken),
                Some(token) => found.set(Source::Query, token),
                None => {}
            }
        }
    }
    if reads.contains(Source::Explicit) {
        match request.explicit {
            Some([]) => found.skip(Source::Explicit, Skip::EmptyToken),
            Some(token) => found.set(Source::Explicit, token),
            None => {}
        }
    }
    Ok(found)
}

/// A field value without the optional whitespace around it (RFC 9110 §5.5),
/// refused past [`MAX_FIELD_LEN`].
fn field_value(value: &[u8]) -> Result<&[u8], Error> {
    if value.len() > MAX_FIELD_LEN {
        return Err(Error::FieldTooLong);
    }
    Ok(trim_ows(value))
}

/// Trims RFC 9110 §5.6.3 optional whitespace (SP, HTAB) at both ends.
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    trim_leading_ows(trim_trailing_ows(s))
}

/// Trims RFC 9110 §5.6.3 optional whitespace at the start only.
pub(crate) fn trim_leading_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ows(b)).unwrap_or(s.len());
    s.get(start..).unwrap_or_default()
}

/// Trims RFC 9110 §5.6.3 optional whitespace at the end only.
pub(crate) fn trim_trailing_ows(s: &[u8]) -> &[u8] {
    let end = s
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(0, |i| i.saturating_add(1));
    s.get(..end).unwrap_or_default()
}

/// Whether `b` is RFC 9110 §5.6.3 optional whitespace: SP or HTAB.
const fn is_ows(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// Whether `token` is an RFC 6750 §2.1 `b64token`:
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub(crate) fn is_b64token(token: &[u8]) -> bool {
    let body_len = token
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(0, |i| i.saturating_add(1));
    let Some((body, padding)) = token.split_at_checked(body_len) else {
        return false;
    };
    // No early exit: a branch-free fold over the whole body compiles to
    // vector compares, 16 or 32 bytes at a time, which matters for a
    // 1 KB token read on every request.
    let all_token_chars = body.iter().fold(true, |ok, &b| {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        // "+", "-", ".", "/" and the digits are 0x2b..=0x39 but for ",".
        let digit_or_mark = b.wrapping_sub(b'+') < 15 && b != b',';
        ok & (letter | digit_or_mark | (b == b'_') | (b == b'~'))
    });
    !body.is_empty() && all_token_chars && padding.iter().all(|&b| b == b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64token_grammar() {
        assert!(is_b64token(b"abc.DEF-_~+/=="));
        assert!(is_b64token(b"a"));
        assert!(!is_b64token(b""));
        assert!(!is_b64token(b"=="));
        assert!(!is_b64token(b"a=b"));
        assert!(!is_b64token(b"a b"));
        assert!(!is_b64token(b"a,b"));
    }

    #[test]
    fn b64token_characters_are_exactly_rfc6750s() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            assert_eq!(is_b64token(&[b]), expected, "{b:#04x}");
            // Inside a long token too, where the check runs vectorised.
            let mut long = [b'x'; 100];
            long[57] = b;
            assert_eq!(is_b64token(&long), expected, "{b:#04x}");
        }
    }

    #[test]
    fn ows_trimmed() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"a"), b"a");
        assert_eq!(trim_ows(b"\ta\r"), b"a\r");
        assert_eq!(trim_leading_ows(b" \t a \t"), b"a \t");
        assert_eq!(trim_leading_ows(b" \t"), b"");
        assert_eq!(trim_trailing_ows(b" \t a \t"), b" \t a");
        assert_eq!(trim_trailing_ows(b"\t "), b"");
    }

    #[test]
    fn long_fields_are_refused_only_when_read() {
        let long = [b'a'; MAX_FIELD_LEN + 1];
        let policy = Policy::header_first();
        let h: [(&[u8], &[u8]); 1] = [(b"cookie", &long)];
        assert_eq!(
            extract(&policy, Request::new(h)).err(),
            Some(Error::FieldTooLong)
        );
        let h: [(&[u8], &[u8]); 1] = [(b"x-other", &long)];
        assert!(extract(&policy, Request::new(h)).is_ok());
    }
}
