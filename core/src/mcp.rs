//! The rules MCP's 2026-07-28 revision sets a resource server, decided
//! per request without allocation:
//!
//! - **What is called** ([`check_body`]): a Streamable HTTP POST names its
//!   JSON-RPC `method` in the `Mcp-Method` header and, for `tools/call`,
//!   `prompts/get` and `resources/read`, its `params.name` or `params.uri`
//!   in `Mcp-Name` (basic/transports/streamable-http, "Standard MCP
//!   Request Headers"). A server that reads the body must refuse a
//!   mismatch with HTTP 400 and JSON-RPC error `-32020`: otherwise a proxy
//!   that authorises per tool from the headers is bypassed by a body that
//!   calls another tool.
//! - **What it needs** ([`ScopePolicy`]): the scopes each method, tool,
//!   prompt or resource requires, decided from the headers alone (so a
//!   proxy decides as the application does), with a declared relation of
//!   broader scopes implying narrower ones (basic/authorization, "Scope
//!   challenge handling": servers MUST account for scope hierarchies).
//!
//! # The scope policy's syntax
//!
//! One rule or implication per line; tokens are separated by spaces
//! (scopes, method names, tool names and URIs hold none):
//!
//! ```text
//! # a tool, by exact name or prefix*; a resource by its URI
//! tools/call weather_* : weather:read
//! resources/read file:///docs/* : docs
//! # any method with this prefix; every request
//! tools/* : mcp
//! * : mcp
//! # admin implies both
//! admin > weather:read docs
//! ```
//!
//! - A **rule** is `METHOD [NAME] : SCOPE...`. `METHOD` is a method name,
//!   a prefix ending in `*`, or `*`. `NAME` (for the three name-bearing
//!   methods only; a rule with a name matches no other method) is a name,
//!   a prefix ending in `*`, or absent for any name. A request needs the
//!   scopes of **every** rule that matches it, so rules only ever add
//!   requirements and their order does not matter.
//! - An **implication** is `BROAD > NARROW...`: a token granted `BROAD`
//!   holds each `NARROW` too, and what those imply, up to
//!   [`MAX_IMPLICATION_DEPTH`] steps.
//! - A line starting with `#` is a comment; blank lines are ignored.
//!
//! A scope token is RFC 6749 §3.3's `NQCHAR`s, other than a lone `:` or
//! `>`.

use crate::Error;

/// How many implication steps a scope is followed through: enough for any
/// hierarchy written by hand, and a bound on the work a cycle could cause.
pub const MAX_IMPLICATION_DEPTH: usize = 8;

/// The longest policy line, in bytes.
pub const MAX_LINE: usize = 1024;

/// The most lines a policy has.
pub const MAX_LINES: usize = 64;

/// The body parameter whose value `Mcp-Name` carries for `method`:
/// `name` for `tools/call` and `prompts/get`, `uri` for `resources/read`.
#[must_use]
pub fn name_parameter(method: &[u8]) -> Option<&'static str> {
    match method {
        b"tools/call" | b"prompts/get" => Some("name"),
        b"resources/read" => Some("uri"),
        _ => None,
    }
}

/// Checks the `Mcp-Method` and `Mcp-Name` header values against the
/// `method` and name (`params.name` or `params.uri`) read from the
/// JSON-RPC body, by the rules the MCP Python SDK applies: the method
/// header must be present and equal; for a name-bearing method the name
/// header must be present and equal (after decoding the
/// `=?base64?…?=` form a client uses for names that are not visible
/// ASCII) whenever either side names one.
///
/// # Errors
/// [`Error::HeaderMismatch`] on any difference.
pub fn check_body(
    header_method: Option<&[u8]>,
    header_name: Option<&[u8]>,
    body_method: &[u8],
    body_name: Option<&[u8]>,
) -> Result<(), Error> {
    if header_method != Some(body_method) {
        return Err(Error::HeaderMismatch);
    }
    if name_parameter(body_method).is_none() {
        return Ok(());
    }
    match (header_name, body_name) {
        (None, None) => Ok(()),
        (Some(header), Some(body)) if name_equals(header, body) => Ok(()),
        _ => Err(Error::HeaderMismatch),
    }
}

/// Whether the `Mcp-Name` value `header` names `body`: verbatim, or in
/// the `=?base64?PAYLOAD?=` form with canonical standard base64
/// (RFC 4648 §4) of exactly `body`'s bytes.
#[must_use]
pub fn name_equals(header: &[u8], body: &[u8]) -> bool {
    match sentinel_payload(header) {
        Some(payload) => {
            let mut want = body.iter();
            decode_base64(payload, |b| want.next() == Some(&b)) && want.next().is_none()
        }
        None => header == body,
    }
}

/// The name an `Mcp-Name` value carries: the value itself, or what its
/// `=?base64?PAYLOAD?=` form decodes to, written into `out`.
///
/// # Errors
/// [`Error::HeaderMismatch`] for a payload that is not canonical base64
/// (no body can match it), [`Error::BufferTooSmall`] when `out` is short.
pub fn decoded_name<'o>(header: &'o [u8], out: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let Some(payload) = sentinel_payload(header) else {
        return Ok(header);
    };
    let mut len = 0usize;
    let mut short = false;
    let canonical = decode_base64(payload, |b| match out.get_mut(len) {
        Some(slot) => {
            *slot = b;
            len = len.saturating_add(1);
            true
        }
        None => {
            short = true;
            false
        }
    });
    match (canonical, short) {
        (true, _) => Ok(out.get(..len).unwrap_or_default()),
        (false, true) => Err(Error::BufferTooSmall),
        (false, false) => Err(Error::HeaderMismatch),
    }
}

fn sentinel_payload(header: &[u8]) -> Option<&[u8]> {
    header
        .strip_prefix(b"=?base64?")
        .and_then(|rest| rest.strip_suffix(b"?="))
}

/// The value of one standard base64 character.
fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c.wrapping_sub(b'A'),
        b'a'..=b'z' => c.wrapping_sub(b'a').wrapping_add(26),
        b'0'..=b'9' => c.wrapping_sub(b'0').wrapping_add(52),
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes canonical padded base64 `payload` byte by byte into `sink`
/// (which may stop it by answering false): whether it was canonical and
/// the sink took every byte.
fn decode_base64(payload: &[u8], mut sink: impl FnMut(u8) -> bool) -> bool {
    if payload.len() % 4 != 0 {
        return false;
    }
    let quads = payload.chunks_exact(4);
    let last = quads.len().saturating_sub(1);
    for (i, quad) in quads.enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i != last) {
            return false;
        }
        let mut bits = 0u32;
        for &c in quad.iter().take(4usize.saturating_sub(pad)) {
            let Some(v) = sextet(c) else { return false };
            bits = (bits << 6) | v;
        }
        bits <<= 6u32.saturating_mul(u32::try_from(pad).unwrap_or(0));
        let [_, a, b, c] = bits.to_be_bytes();
        let bytes = [a, b, c];
        let used = 3usize.saturating_sub(pad);
        // Canonical: the bits a padded quad leaves over are zero.
        if bytes
            .get(used..)
            .is_some_and(|rest| rest.iter().any(|&x| x != 0))
        {
            return false;
        }
        if !bytes.iter().take(used).all(|&byte| sink(byte)) {
            return false;
        }
    }
    true
}

/// A line of a [`ScopePolicy`], read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line<'a> {
    Rule {
        method: &'a str,
        name: Option<&'a str>,
        scopes: &'a str,
    },
    Implies {
        broad: &'a str,
        narrower: &'a str,
    },
    Blank,
}

/// What a line is, and where its parts are: byte ranges of the line,
/// found once when the policy is made so that a decision only slices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Spans {
    kind: Kind,
    head: (u16, u16),
    name: (u16, u16),
    list: (u16, u16),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Blank,
    Rule,
    NamedRule,
    Implies,
}

impl Spans {
    /// Finds the parts of `text` (at most [`MAX_LINE`] bytes).
    fn of(text: &str) -> Spans {
        let at = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
        let mut words = [(0u16, 0u16); 3];
        let mut found = 0usize;
        let mut pos = 0usize;
        for word in text.split(' ') {
            let start = pos;
            pos = pos.saturating_add(word.len()).saturating_add(1);
            if word.is_empty() {
                continue;
            }
            let Some(slot) = words.get_mut(found) else {
                break;
            };
            *slot = (at(start), at(start.saturating_add(word.len())));
            found = found.saturating_add(1);
        }
        let word = |i: usize| {
            let (a, b) = words.get(i).copied().unwrap_or_default();
            text.get(usize::from(a)..usize::from(b)).unwrap_or_default()
        };
        let end = at(text.len());
        let after = |i: usize| (words.get(i).map_or(end, |w| w.1), end);
        let (head, second) = (word(0), word(1));
        if head.is_empty() || head.starts_with('#') {
            return Spans::default();
        }
        let head = words.first().copied().unwrap_or_default();
        match second {
            ">" => Spans {
                kind: Kind::Implies,
                head,
                name: (0, 0),
                list: after(1),
            },
            ":" => Spans {
                kind: Kind::Rule,
                head,
                name: (0, 0),
                list: after(1),
            },
            _ => Spans {
                kind: Kind::NamedRule,
                head,
                name: words.get(1).copied().unwrap_or_default(),
                list: after(2),
            },
        }
    }

    /// The line these spans were found in, read.
    fn line<'t>(&self, text: &'t str) -> Line<'t> {
        let part =
            |(a, b): (u16, u16)| text.get(usize::from(a)..usize::from(b)).unwrap_or_default();
        match self.kind {
            Kind::Blank => Line::Blank,
            Kind::Rule => Line::Rule {
                method: part(self.head),
                name: None,
                scopes: part(self.list),
            },
            Kind::NamedRule => Line::Rule {
                method: part(self.head),
                name: Some(part(self.name)),
                scopes: part(self.list),
            },
            Kind::Implies => Line::Implies {
                broad: part(self.head),
                narrower: part(self.list),
            },
        }
    }
}

/// Reads one policy line.
fn parse(text: &str) -> Line<'_> {
    Spans::of(text).line(text)
}

/// Reads one policy line and checks it.
fn checked(text: &str) -> Result<Line<'_>, Error> {
    let parsed = parse(text);
    if parsed == Line::Blank {
        return Ok(parsed);
    }
    let text = text.trim_matches(' ');
    if text.len() > MAX_LINE || !text.bytes().all(|b| b == b' ' || is_nqchar(b)) {
        return Err(Error::InvalidConfig);
    }
    let bad = |w: &str| w == ":" || w == ">";
    let words: usize = words_of(text).count();
    let (head, list, expected_words) = match parsed {
        Line::Rule {
            method,
            name: None,
            scopes,
        } => (method, scopes, 2),
        Line::Rule {
            method,
            name: Some(name),
            scopes,
        } => {
            // A name only means something for the name-bearing methods.
            let named = method.ends_with('*') || name_parameter(method.as_bytes()).is_some();
            if bad(name) || !named || words_of(text).nth(2) != Some(":") {
                return Err(Error::InvalidConfig);
            }
            (method, scopes, 3)
        }
        Line::Implies { broad, narrower } => (broad, narrower, 2),
        Line::Blank => return Ok(parsed),
    };
    let listed = words_of(list).count();
    if bad(head)
        || listed == 0
        || words_of(list).any(bad)
        || words != listed.saturating_add(expected_words)
    {
        return Err(Error::InvalidConfig);
    }
    Ok(parsed)
}

/// RFC 6749 §3.3: `NQCHAR = %x21 / %x23-5B / %x5D-7E`, the bytes of a
/// scope token (`scope-token = 1*NQCHAR`).
#[must_use]
pub fn is_nqchar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e)
}

fn words_of(list: &str) -> impl Iterator<Item = &str> {
    list.split(' ').filter(|w| !w.is_empty())
}

/// Whether `pattern` (exact, `prefix*` or `*`) matches `value`.
fn matches(pattern: &[u8], value: &[u8]) -> bool {
    match pattern.strip_suffix(b"*") {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

/// The scopes each MCP call requires, and which scopes imply which: see
/// the [module documentation](self) for the syntax. Holds its lines
/// (`&[&str]` borrowed, or a `Vec<String>` owned) and reads them again on
/// every decision: no allocation, and a policy of ten lines decides in
/// well under a microsecond.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopePolicy<L> {
    lines: L,
    spans: [Spans; MAX_LINES],
}

impl<L, S> ScopePolicy<L>
where
    L: core::ops::Deref<Target = [S]>,
    S: AsRef<str>,
{
    /// A policy of `lines`, each checked now.
    ///
    /// # Errors
    /// `(index, `[`Error::InvalidConfig`]`)` for the first line that is
    /// neither a rule, an implication, a comment nor blank;
    /// `(`[`MAX_LINES`]`, `[`Error::ConfigListFull`]`)` for more lines.
    pub fn new(lines: L) -> Result<Self, (usize, Error)> {
        if lines.len() > MAX_LINES {
            return Err((MAX_LINES, Error::ConfigListFull));
        }
        let mut spans = [Spans::default(); MAX_LINES];
        for ((i, l), slot) in lines.iter().enumerate().zip(spans.iter_mut()) {
            checked(l.as_ref()).map_err(|e| (i, e))?;
            *slot = Spans::of(l.as_ref());
        }
        Ok(ScopePolicy { lines, spans })
    }

    /// The lines, as given.
    pub fn lines(&self) -> &[S] {
        &self.lines
    }

    /// Whether the policy has no rule at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.read().any(|l| matches!(l, Line::Rule { .. }))
    }

    fn read<'p>(&'p self) -> impl Iterator<Item = Line<'p>> + 'p
    where
        S: 'p,
    {
        self.lines
            .iter()
            .zip(self.spans.iter())
            .map(|(l, spans)| spans.line(l.as_ref()))
    }

    /// The lines of `kind` (a rule kind, or implications), read.
    fn of_kind<'p>(&'p self, kinds: [Kind; 2]) -> impl Iterator<Item = Line<'p>> + 'p
    where
        S: 'p,
    {
        self.lines
            .iter()
            .zip(self.spans.iter())
            .filter(move |(_, spans)| kinds.contains(&spans.kind))
            .map(|(l, spans)| spans.line(l.as_ref()))
    }

    /// `(broad, narrower list)` of every implication naming `scope` as
    /// narrower.
    fn broader<'p>(&'p self, scope: &'p str) -> impl Iterator<Item = &'p str> + 'p
    where
        S: 'p,
    {
        self.of_kind([Kind::Implies, Kind::Implies])
            .filter_map(move |l| match l {
                Line::Implies { broad, narrower } if words_of(narrower).any(|n| n == scope) => {
                    Some(broad)
                }
                _ => None,
            })
    }

    /// Every scope a call of `method` (on the tool, prompt or resource
    /// `name`, for the methods that name one) requires, rule by rule (a
    /// scope two rules require comes twice).
    pub fn required<'p>(
        &'p self,
        method: &'p [u8],
        name: Option<&'p [u8]>,
    ) -> impl Iterator<Item = &'p str> + 'p
    where
        S: 'p,
    {
        let name = name_parameter(method).and(name);
        // Spans first: a line whose method or name does not match is
        // never sliced further.
        self.lines
            .iter()
            .zip(self.spans.iter())
            .filter_map(move |(line, spans)| {
                let text = line.as_ref().as_bytes();
                let part = |(a, b): (u16, u16)| text.get(usize::from(a)..usize::from(b));
                let named = match spans.kind {
                    Kind::Rule => None,
                    Kind::NamedRule => Some(spans.name),
                    Kind::Blank | Kind::Implies => return None,
                };
                if !matches(part(spans.head)?, method) {
                    return None;
                }
                if let Some(pattern) = named {
                    if !matches(part(pattern)?, name?) {
                        return None;
                    }
                }
                line.as_ref()
                    .get(usize::from(spans.list.0)..usize::from(spans.list.1))
            })
            .flat_map(words_of)
    }

    /// Every scope the rules require and the implications name, in order
    /// of appearance (repeats included).
    pub fn scopes<'p>(&'p self) -> impl Iterator<Item = &'p str> + 'p
    where
        S: 'p,
    {
        self.read().flat_map(|l| {
            let (head, list) = match l {
                Line::Rule { scopes, .. } => (None, scopes),
                Line::Implies { broad, narrower } => (Some(broad), narrower),
                Line::Blank => (None, ""),
            };
            head.into_iter().chain(words_of(list))
        })
    }

    /// Whether a token that grants the scopes `granted` says yes to holds
    /// `scope`: granted itself, or implied by one it holds.
    pub fn holds(&self, scope: &str, granted: &impl Fn(&[u8]) -> bool) -> bool {
        self.holds_within(scope, granted, MAX_IMPLICATION_DEPTH)
    }

    fn holds_within(&self, scope: &str, granted: &impl Fn(&[u8]) -> bool, depth: usize) -> bool {
        if granted(scope.as_bytes()) {
            return true;
        }
        let Some(deeper) = depth.checked_sub(1) else {
            return false;
        };
        // One step first (most hierarchies have one), then deeper.
        let mut broader = false;
        for broad in self.broader(scope) {
            if granted(broad.as_bytes()) {
                return true;
            }
            broader = true;
        }
        broader
            && self
                .broader(scope)
                .any(|broad| self.holds_within(broad, granted, deeper))
    }

    /// Decides a call: `Ok` when the token holds every scope the call
    /// requires.
    ///
    /// # Errors
    /// [`Error::InsufficientScope`] with the first scope it lacks; the
    /// challenge then lists all of [`required`](Self::required) (MCP: one
    /// challenge carries every scope the operation needs).
    pub fn check<'p>(
        &'p self,
        method: &'p [u8],
        name: Option<&'p [u8]>,
        granted: &impl Fn(&[u8]) -> bool,
    ) -> Result<(), (Error, &'p str)>
    where
        S: 'p,
    {
        match self
            .required(method, name)
            .find(|s| !self.holds(s, granted))
        {
            Some(missing) => Err((Error::InsufficientScope, missing)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
