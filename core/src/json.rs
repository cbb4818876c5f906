//! A validating JSON reader for JOSE headers, JWT claims and JWKS documents,
//! with no allocation and no copies.
//!
//! [`Object::parse`] checks a whole document once (RFC 8259 grammar, UTF-8,
//! nesting at most [`MAX_DEPTH`], no object with the same member name twice);
//! after that, lookups walk the validated bytes.
//!
//! Duplicate member names are refused everywhere, not only at the top: RFC
//! 7515 §5.2 and RFC 7519 §7.2 let a parser reject them, and two parsers that
//! pick different duplicates is how one token means two things.

mod string;

pub use string::JsonStr;

use crate::{bytes, Error};

/// How deeply arrays and objects may nest.
pub const MAX_DEPTH: usize = 16;

/// How many members one object may have. Past it a document is refused
/// ([`Error::TooManyMembers`]) before the exact duplicate-name check, whose
/// cost grows with the square of the members once its filter is full.
pub const MAX_MEMBERS: usize = 256;

/// The JSON type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Kind {
    /// `{…}`
    Object,
    /// `[…]`
    Array,
    /// `"…"`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A value inside a validated document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Value<'a> {
    kind: Kind,
    raw: &'a [u8],
}

/// A validated JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Object<'a> {
    raw: &'a [u8],
}

/// A validated JSON array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Array<'a> {
    raw: &'a [u8],
}

impl<'a> Object<'a> {
    /// Validates `doc` as one JSON object (surrounding whitespace allowed).
    ///
    /// # Errors
    /// [`Error::InvalidJson`], [`Error::JsonTooDeep`] or [`Error::DuplicateMember`].
    pub fn parse(doc: &'a [u8]) -> Result<Self, Error> {
        Self::parse_bounded(doc, MAX_MEMBERS, &mut |_, _| {})
    }

    /// [`parse`](Self::parse), handing each top-level member to `visit` as
    /// it is validated (a reader of claims then needs no second pass). A
    /// member may be visited before a later error refuses the document.
    pub(crate) fn parse_visiting(
        doc: &'a [u8],
        mut visit: impl FnMut(JsonStr<'a>, Value<'a>),
    ) -> Result<Self, Error> {
        Self::parse_bounded(doc, MAX_MEMBERS, &mut visit)
    }

    /// [`parse_visiting`](Self::parse_visiting) with at most `max_members`
    /// members in any object (a JOSE header needs few).
    pub(crate) fn parse_bounded(
        doc: &'a [u8],
        max_members: usize,
        visit: &mut dyn FnMut(JsonStr<'a>, Value<'a>),
    ) -> Result<Self, Error> {
        Self::parse_with(doc, max_members, true, visit)
    }

    /// [`parse`](Self::parse) without the duplicate-name check: the
    /// grammar, UTF-8, depth and member limits only, in linear time. For a
    /// payload read before its signature, to pick an issuer; the full
    /// [`parse`](Self::parse) follows once the signature holds, so a
    /// document with duplicates is still refused before any claim is used.
    pub(crate) fn parse_structure(doc: &'a [u8]) -> Result<Self, Error> {
        Self::parse_with(doc, MAX_MEMBERS, false, &mut |_, _| {})
    }

    fn parse_with(
        doc: &'a [u8],
        max_members: usize,
        duplicates: bool,
        visit: &mut dyn FnMut(JsonStr<'a>, Value<'a>),
    ) -> Result<Self, Error> {
        core::str::from_utf8(doc).map_err(|_| Error::InvalidJson)?;
        let mut p = Parser {
            s: doc,
            pos: 0,
            max_members: max_members.min(MAX_MEMBERS),
            duplicates,
        };
        p.ws();
        let start = p.pos;
        if p.peek() != Some(b'{') {
            return Err(Error::InvalidJson);
        }
        p.object(1, visit)?;
        let end = p.pos;
        p.ws();
        if p.pos != doc.len() {
            return Err(Error::InvalidJson);
        }
        Ok(Object {
            raw: doc.get(start..end).ok_or(Error::InvalidJson)?,
        })
    }

    /// An object over bytes that passed [`Object::parse`] before (the
    /// verified-token cache proves that by their digest). Lookups never
    /// panic on any bytes; on bytes that were not validated they may just
    /// find nothing.
    pub(crate) fn assume_valid(doc: &'a [u8]) -> Self {
        let start = doc.iter().position(|&b| b == b'{').unwrap_or(0);
        let end = doc
            .iter()
            .rposition(|&b| b == b'}')
            .map_or(doc.len(), |i| i.saturating_add(1));
        Object {
            raw: doc.get(start..end).unwrap_or_default(),
        }
    }

    /// The document's bytes, `{` to `}`.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The members in document order.
    #[must_use]
    pub fn members(&self) -> Members<'a> {
        Members {
            p: Parser {
                s: self.raw,
                pos: 1,
                max_members: MAX_MEMBERS,
                duplicates: true,
            },
            done: false,
        }
    }

    /// The member called `name` (compared after decoding escapes).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Value<'a>> {
        self.members()
            .find(|(n, _)| n.eq_bytes(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The value at a path of member names (`["realm_access", "roles"]`).
    #[must_use]
    pub fn path(&self, path: &[&str]) -> Option<Value<'a>> {
        let (last, parents) = path.split_last()?;
        let mut obj = *self;
        for name in parents {
            obj = obj.get(name)?.as_object()?;
        }
        obj.get(last)
    }
}

/// The members of an [`Object`].
#[derive(Clone, Debug)]
pub struct Members<'a> {
    p: Parser<'a>,
    done: bool,
}

impl<'a> Iterator for Members<'a> {
    type Item = (JsonStr<'a>, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.p.ws();
        if self.p.peek() == Some(b'}') {
            self.done = true;
            return None;
        }
        let name = self.p.skip_string()?;
        self.p.ws();
        self.p.bump(); // ':'
        self.p.ws();
        let value = self.p.skip_value()?;
        self.p.ws();
        if self.p.peek() == Some(b',') {
            self.p.bump();
        }
        Some((name, value))
    }
}

impl<'a> Array<'a> {
    /// The elements in order.
    #[must_use]
    pub fn iter(&self) -> Elements<'a> {
        Elements {
            p: Parser {
                s: self.raw,
                pos: 1,
                max_members: MAX_MEMBERS,
                duplicates: true,
            },
            done: false,
        }
    }
}

/// The elements of an [`Array`].
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    p: Parser<'a>,
    done: bool,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        if self.done {
            return None;
        }
        self.p.ws();
        if self.p.peek() == Some(b']') {
            self.done = true;
            return None;
        }
        let value = self.p.skip_value()?;
        self.p.ws();
        if self.p.peek() == Some(b',') {
            self.p.bump();
        }
        Some(value)
    }
}

impl<'a> Value<'a> {
    /// The JSON type.
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The value's bytes as they sit in the document (strings with quotes).
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<JsonStr<'a>> {
        match (self.kind, self.raw) {
            (Kind::String, [b'"', inner @ .., b'"']) => Some(JsonStr::from_validated(inner)),
            _ => None,
        }
    }

    /// The object, if this is one.
    #[must_use]
    pub fn as_object(&self) -> Option<Object<'a>> {
        (self.kind == Kind::Object).then_some(Object { raw: self.raw })
    }

    /// The array, if this is one.
    #[must_use]
    pub fn as_array(&self) -> Option<Array<'a>> {
        (self.kind == Kind::Array).then_some(Array { raw: self.raw })
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.raw {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }

    /// A number as whole seconds (an RFC 7519 §2 NumericDate, "any JSON
    /// numeric value"): a fraction is rounded towards negative infinity, an
    /// exponent is applied (`1e10` is 10,000,000,000); numbers outside
    /// `i64` give `None`.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        if self.kind != Kind::Number {
            return None;
        }
        let (negative, rest) = match self.raw {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, self.raw),
        };
        let e_at = rest
            .iter()
            .position(|&b| b == b'e' || b == b'E')
            .unwrap_or(rest.len());
        let (mantissa, exponent) = rest.split_at_checked(e_at)?;
        let exponent = exponent_of(exponent.get(1..).unwrap_or_default());
        let dot = mantissa
            .iter()
            .position(|&b| b == b'.')
            .unwrap_or(mantissa.len());
        let (int, frac) = mantissa.split_at_checked(dot)?;
        let frac = frac.get(1..).unwrap_or_default();
        // The decimal point sits `point` digits into int ‖ frac.
        let point = i64::try_from(int.len()).ok()?.checked_add(exponent)?;
        let mut n: i64 = 0;
        let mut dropped = false;
        let mut taken = 0i64;
        for &d in int.iter().chain(frac) {
            if taken < point {
                // Accumulate towards the sign so that i64::MIN parses too.
                let digit = i64::from(d.wrapping_sub(b'0'));
                n = n.checked_mul(10)?;
                n = if negative {
                    n.checked_sub(digit)?
                } else {
                    n.checked_add(digit)?
                };
                taken = taken.saturating_add(1);
            } else {
                dropped |= d != b'0';
            }
        }
        // Zeros the exponent appends: at most 19 before an overflow.
        while taken < point && n != 0 {
            n = n.checked_mul(10)?;
            taken = taken.saturating_add(1);
        }
        if negative && dropped {
            n = n.checked_sub(1)?;
        }
        Some(n)
    }
}

/// The exponent of a validated number (`+12`, `-3`, `400`), clamped to
/// ±100,000: past ±20 every NumericDate is 0 or out of range anyway.
fn exponent_of(digits: &[u8]) -> i64 {
    let (negative, digits) = match digits {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, digits),
    };
    let magnitude = digits.iter().fold(0i64, |e, &d| {
        e.saturating_mul(10)
            .saturating_add(i64::from(d.wrapping_sub(b'0')))
            .min(100_000)
    });
    if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    }
}

/// The validating cursor. After validation the same type skips over
/// values it knows to be well-formed.
#[derive(Clone, Debug)]
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// The most members an object may have (validation only).
    max_members: usize,
    /// Whether validation refuses duplicate member names.
    duplicates: bool,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek();
        self.bump();
        b
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    /// Moves to the first byte `find` reports in the rest, or to the end.
    fn skip_to(&mut self, find: fn(&[u8]) -> Option<usize>) {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        self.pos = self.pos.saturating_add(find(rest).unwrap_or(rest.len()));
    }

    fn since(&self, start: usize) -> &'a [u8] {
        self.s.get(start..self.pos).unwrap_or_default()
    }

    fn expect(&mut self, b: u8) -> Result<(), Error> {
        if self.next_byte() == Some(b) {
            Ok(())
        } else {
            Err(Error::InvalidJson)
        }
    }

    /// Validates one value, starting at a non-whitespace byte.
    fn value(&mut self, depth: usize) -> Result<Kind, Error> {
        match self.peek() {
            Some(b'{') => self.object(
                depth.checked_add(1).ok_or(Error::JsonTooDeep)?,
                &mut |_, _| {},
            ),
            Some(b'[') => self.array(depth.checked_add(1).ok_or(Error::JsonTooDeep)?),
            Some(b'"') => self.string().map(|_| Kind::String),
            Some(b't') => self.literal(b"true", Kind::Bool),
            Some(b'f') => self.literal(b"false", Kind::Bool),
            Some(b'n') => self.literal(b"null", Kind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(Error::InvalidJson),
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<Kind, Error> {
        let end = self.pos.checked_add(word.len()).ok_or(Error::InvalidJson)?;
        if self.s.get(self.pos..end) != Some(word) {
            return Err(Error::InvalidJson);
        }
        self.pos = end;
        Ok(kind)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
        self.pos.saturating_sub(start)
    }

    fn number(&mut self) -> Result<Kind, Error> {
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Error::InvalidJson),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(Error::InvalidJson);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(Error::InvalidJson);
            }
        }
        Ok(Kind::Number)
    }

    /// Validates a string and returns its inside (between the quotes).
    fn string(&mut self) -> Result<JsonStr<'a>, Error> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Runs of plain characters are skipped a word at a time.
            self.skip_to(bytes::find_string_special);
            match self.next_byte().ok_or(Error::InvalidJson)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match self.next_byte().ok_or(Error::InvalidJson)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Error::InvalidJson),
                    }
                }
                0x00..=0x1f => return Err(Error::InvalidJson),
                _ => {}
            }
        }
        let inside = self.since(start);
        let inside = inside
            .get(..inside.len().saturating_sub(1))
            .unwrap_or_default();
        Ok(JsonStr::from_scanned(inside, escaped))
    }

    /// After `\u`: four hex digits; a high surrogate must be followed by an
    /// escaped low one and a low one may not stand alone (RFC 8259 §8.2
    /// allows lone surrogates, but they are not text and cannot be compared).
    fn unicode_escape(&mut self) -> Result<(), Error> {
        let code = self.hex4()?;
        match code {
            0xD800..=0xDBFF => {
                self.expect(b'\\')?;
                self.expect(b'u')?;
                if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                    return Err(Error::InvalidJson);
                }
            }
            0xDC00..=0xDFFF => return Err(Error::InvalidJson),
            _ => {}
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let end = self.pos.checked_add(4).ok_or(Error::InvalidJson)?;
        let code = self
            .s
            .get(self.pos..end)
            .and_then(string::hex4)
            .ok_or(Error::InvalidJson)?;
        self.pos = end;
        Ok(code)
    }

    fn array(&mut self, depth: usize) -> Result<Kind, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::JsonTooDeep);
        }
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Kind::Array);
        }
        loop {
            self.ws();
            self.value(depth)?;
            self.ws();
            match self.next_byte() {
                Some(b',') => {}
                Some(b']') => return Ok(Kind::Array),
                _ => return Err(Error::InvalidJson),
            }
        }
    }

    fn object(
        &mut self,
        depth: usize,
        visit: &mut dyn FnMut(JsonStr<'a>, Value<'a>),
    ) -> Result<Kind, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::JsonTooDeep);
        }
        let start = self.pos;
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Kind::Object);
        }
        // A 256-bit filter of member-name hashes: only a name whose bit is
        // already set is compared against the earlier names.
        let mut seen = [0u64; 4];
        let mut suspect = false;
        let mut members = 0usize;
        loop {
            members = members.saturating_add(1);
            if members > self.max_members {
                return Err(Error::TooManyMembers);
            }
            self.ws();
            let name = self.string()?;
            let h = if name.is_escaped() {
                fnv1a(name.bytes())
            } else {
                fnv1a(name.raw().iter().copied())
            };
            let (word, bit) = (usize::try_from(h >> 6 & 3).unwrap_or(0), h & 63);
            if let Some(w) = seen.get_mut(word) {
                suspect |= *w & (1 << bit) != 0;
                *w |= 1 << bit;
            }
            self.ws();
            self.expect(b':')?;
            self.ws();
            let value_start = self.pos;
            let kind = self.value(depth)?;
            visit(
                name,
                Value {
                    kind,
                    raw: self.since(value_start),
                },
            );
            self.ws();
            match self.next_byte() {
                Some(b',') => {}
                Some(b'}') => break,
                _ => return Err(Error::InvalidJson),
            }
        }
        if suspect
            && self.duplicates
            && has_duplicate(Object {
                raw: self.since(start),
            })
        {
            return Err(Error::DuplicateMember);
        }
        Ok(Kind::Object)
    }

    /// Skips a string in validated JSON and returns its inside.
    fn skip_string(&mut self) -> Option<JsonStr<'a>> {
        self.bump(); // opening quote
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.skip_to(bytes::find_string_special);
            match self.next_byte()? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.bump();
                }
                _ => {}
            }
        }
        let inside = self.since(start);
        let inside = inside.get(..inside.len().saturating_sub(1))?;
        Some(JsonStr::from_scanned(inside, escaped))
    }

    /// Skips one value in validated JSON.
    fn skip_value(&mut self) -> Option<Value<'a>> {
        let start = self.pos;
        let kind = match self.peek()? {
            b'"' => {
                self.skip_string()?;
                Kind::String
            }
            open @ (b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth = depth.saturating_add(1),
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.bump();
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.bump();
                }
                if open == b'{' {
                    Kind::Object
                } else {
                    Kind::Array
                }
            }
            first => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.bump();
                }
                match first {
                    b't' | b'f' => Kind::Bool,
                    b'n' => Kind::Null,
                    _ => Kind::Number,
                }
            }
        };
        Some(Value {
            kind,
            raw: self.since(start),
        })
    }
}

/// FNV-1a, for the duplicate-name filter.
fn fnv1a(bytes: impl Iterator<Item = u8>) -> u32 {
    bytes.fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Where a member name sits in its object: offset and length (u16, so the
/// table of [`MAX_MEMBERS`] names takes 1.5 KiB of stack) and whether it
/// has escapes.
#[derive(Clone, Copy, Default)]
struct NameAt {
    start: u16,
    len: u16,
    escaped: bool,
}

/// The exact check behind the filter: does any member name repeat?
///
/// The names are sorted (by decoded bytes) and neighbours compared:
/// O(n log n) comparisons whatever the names, so names chosen to collide in
/// the filter's unkeyed hash cost no more than any others (security-core.md
/// #1: the pairwise check was quadratic, 180x a valid request with several
/// issuers, where a payload is read before its signature). An object too
/// large for the table's offsets (over 64 KiB: a JWKS document, never a
/// token) takes the pairwise check.
fn has_duplicate(obj: Object<'_>) -> bool {
    let raw = obj.raw();
    let base = raw.as_ptr() as usize;
    let mut table = [NameAt::default(); MAX_MEMBERS];
    let mut count = 0usize;
    let mut fits = raw.len() <= usize::from(u16::MAX);
    for (name, _) in obj.members() {
        let start = (name.raw().as_ptr() as usize).saturating_sub(base);
        let (Some(slot), Ok(start), Ok(len)) = (
            table.get_mut(count),
            u16::try_from(start),
            u16::try_from(name.raw().len()),
        ) else {
            fits = false;
            break;
        };
        *slot = NameAt {
            start,
            len,
            escaped: name.is_escaped(),
        };
        count = count.saturating_add(1);
    }
    if !fits {
        return has_duplicate_pairwise(obj);
    }
    let name = |at: &NameAt| {
        let start = usize::from(at.start);
        let bytes = raw
            .get(start..start.saturating_add(usize::from(at.len)))
            .unwrap_or_default();
        JsonStr::from_scanned(bytes, at.escaped)
    };
    let names = table.get_mut(..count).unwrap_or_default();
    sort_by(names, |a, b| {
        let (a, b) = (name(a), name(b));
        if a.is_escaped() || b.is_escaped() {
            a.bytes().lt(b.bytes())
        } else {
            a.raw() < b.raw()
        }
    });
    names
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if name(a).eq_json(&name(b))))
}

/// Up to this many names, [`sort_by`] sorts by insertion.
const INSERTION_MAX: usize = 16;

/// Sorts `v` by `less`, O(n log n) at worst: by insertion for the few names
/// of a token (fast on short runs), else a heapsort (no recursion, no
/// quadratic case). Both take a few hundred bytes of code where
/// `sort_unstable_by` takes 6 KiB, which firmware pays for in flash.
fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    if v.len() <= INSERTION_MAX {
        insertion_sort_by(v, &mut less);
    } else {
        heapsort_by(v, less);
    }
}

/// Moves each element left past the larger ones before it.
fn insertion_sort_by<T>(v: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    for end in 1..v.len() {
        let mut at = end;
        while let Some((head, tail)) = v.split_at_mut_checked(at) {
            match (head.last_mut(), tail.first_mut()) {
                (Some(before), Some(this)) if less(this, before) => core::mem::swap(before, this),
                _ => break,
            }
            at = at.saturating_sub(1);
        }
    }
}

/// Sorts `v` by `less` with a heapsort: O(n log n) at worst, in place.
fn heapsort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for node in (0..v.len() / 2).rev() {
        sift_down(v, node, &mut less);
    }
    // Move the heap's largest element behind it, one at a time.
    for end in (1..v.len()).rev() {
        let Some((first, rest)) = v.get_mut(..=end).and_then(<[T]>::split_first_mut) else {
            return;
        };
        if let Some(last) = rest.last_mut() {
            core::mem::swap(first, last);
        }
        if let Some(heap) = v.get_mut(..end) {
            sift_down(heap, 0, &mut less);
        }
    }
}

/// Restores the max-heap order of `v` below `node`.
fn sift_down<T>(v: &mut [T], mut node: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    loop {
        let left = node.saturating_mul(2).saturating_add(1);
        let right = left.saturating_add(1);
        let child = match (v.get(left), v.get(right)) {
            (Some(l), Some(r)) if less(l, r) => right,
            (Some(_), _) => left,
            _ => return,
        };
        let Some((head, tail)) = v.split_at_mut_checked(child) else {
            return;
        };
        match (head.get_mut(node), tail.first_mut()) {
            (Some(parent), Some(larger)) if less(parent, larger) => {
                core::mem::swap(parent, larger);
            }
            _ => return,
        }
        node = child;
    }
}

/// The pairwise check, for objects too large for [`has_duplicate`]'s table.
fn has_duplicate_pairwise(obj: Object<'_>) -> bool {
    let mut outer = obj.members();
    while let Some((name, _)) = outer.next() {
        if outer.clone().any(|(other, _)| other.eq_json(&name)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests;
