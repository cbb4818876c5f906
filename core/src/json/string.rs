//! JSON strings as they sit in the document: compared and decoded without
//! allocation, escapes (`\/`, `\u00e9`, surrogate pairs) honoured.

use crate::Error;

/// A JSON string value, borrowed from a validated document (the bytes
/// between the quotes, escapes not yet decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct JsonStr<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// `raw` is the inside of a string the validator accepted.
    pub(crate) fn from_validated(raw: &'a [u8]) -> Self {
        JsonStr {
            raw,
            escaped: raw.contains(&b'\\'),
        }
    }

    /// [`from_validated`](Self::from_validated) when the reader already
    /// knows whether an escape occurs.
    pub(crate) fn from_scanned(raw: &'a [u8], escaped: bool) -> Self {
        JsonStr { raw, escaped }
    }

    /// Whether the string contains escapes (its bytes differ from [`raw`](Self::raw)).
    pub(crate) fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// Literal bytes (not JSON): used for values that never were JSON, such
    /// as a proxy-asserted user name, so that one type serves both.
    #[must_use]
    pub fn literal(raw: &'a [u8]) -> Self {
        JsonStr {
            raw,
            escaped: false,
        }
    }

    /// The string as it sits in the document, escapes included.
    #[must_use]
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The string itself when it has no escapes (the common case): no copy.
    #[must_use]
    pub fn as_str(&self) -> Option<&'a str> {
        if self.escaped {
            None
        } else {
            core::str::from_utf8(self.raw).ok()
        }
    }

    /// The decoded bytes (UTF-8), one at a time.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        Decoder {
            raw: self.raw,
            escaped: self.escaped,
            pending: [0; 4],
            pending_len: 0,
            pending_pos: 0,
        }
    }

    /// Whether the decoded string equals `other`.
    #[must_use]
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        if self.escaped {
            self.bytes().eq(other.iter().copied())
        } else {
            self.raw == other
        }
    }

    /// Whether two JSON strings decode to the same text.
    #[must_use]
    pub fn eq_json(&self, other: &JsonStr<'_>) -> bool {
        if !self.escaped && !other.escaped {
            self.raw == other.raw
        } else {
            self.bytes().eq(other.bytes())
        }
    }

    /// The decoded length in bytes.
    #[must_use]
    pub fn decoded_len(&self) -> usize {
        if self.escaped {
            self.bytes().count()
        } else {
            self.raw.len()
        }
    }

    /// Decodes into `buf` and returns the text.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `buf` is too short.
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, Error> {
        let mut n = 0usize;
        for b in self.bytes() {
            *buf.get_mut(n).ok_or(Error::BufferTooSmall)? = b;
            n = n.saturating_add(1);
        }
        let out = buf.get(..n).ok_or(Error::BufferTooSmall)?;
        core::str::from_utf8(out).map_err(|_| Error::InvalidJson)
    }
}

struct Decoder<'a> {
    raw: &'a [u8],
    escaped: bool,
    pending: [u8; 4],
    pending_len: u8,
    pending_pos: u8,
}

impl Iterator for Decoder<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending_pos < self.pending_len {
            let b = self.pending.get(usize::from(self.pending_pos)).copied();
            self.pending_pos = self.pending_pos.saturating_add(1);
            return b;
        }
        let (&first, rest) = self.raw.split_first()?;
        if first != b'\\' || !self.escaped {
            self.raw = rest;
            return Some(first);
        }
        let (&kind, rest) = rest.split_first()?;
        self.raw = rest;
        let simple = match kind {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => {
                let code = self.unicode_escape()?;
                let c = char::from_u32(code)?;
                let len = c.encode_utf8(&mut self.pending).len();
                // A char is at most 4 bytes.
                self.pending_len = u8::try_from(len).ok()?;
                self.pending_pos = 1;
                return self.pending.first().copied();
            }
        };
        Some(simple)
    }
}

impl Decoder<'_> {
    /// After `\u`: four hex digits, and for a high surrogate the `\uDC00`..
    /// low surrogate that the validator made sure follows.
    fn unicode_escape(&mut self) -> Option<u32> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            self.raw = self.raw.get(2..)?; // the `\u` before the low half
            let lo = self.hex4()?;
            let high = hi.checked_sub(0xD800)?.checked_shl(10)?;
            return 0x10000u32
                .checked_add(high)?
                .checked_add(lo.checked_sub(0xDC00)?);
        }
        Some(hi)
    }

    fn hex4(&mut self) -> Option<u32> {
        let (digits, rest) = self.raw.split_at_checked(4)?;
        self.raw = rest;
        hex4(digits)
    }
}

/// The value of four hex digits.
pub(super) fn hex4(digits: &[u8]) -> Option<u32> {
    if digits.len() != 4 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| {
        Some((acc << 4) | char::from(d).to_digit(16)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(raw: &str) -> JsonStr<'_> {
        JsonStr::from_validated(raw.as_bytes())
    }

    #[test]
    fn plain_strings_borrow() {
        assert_eq!(s("alice").as_str(), Some("alice"));
        assert!(s("alice").eq_bytes(b"alice"));
        assert!(!s("alice").eq_bytes(b"alic"));
    }

    #[test]
    fn escapes_decode() {
        let mut buf = [0u8; 32];
        assert_eq!(
            s(r"https:\/\/idp").decode_into(&mut buf).unwrap(),
            "https://idp"
        );
        assert_eq!(s(r"caf\u00e9").decode_into(&mut buf).unwrap(), "café");
        assert_eq!(s(r"\ud83d\ude00!").decode_into(&mut buf).unwrap(), "😀!");
        assert_eq!(
            s(r#"a\"b\\c\n"#).decode_into(&mut buf).unwrap(),
            "a\"b\\c\n"
        );
        assert!(s(r"\u0041").eq_bytes(b"A"));
        assert!(s(r"\u0041").eq_json(&s("A")));
        assert_eq!(s(r"\u00e9").decoded_len(), 2);
        assert_eq!(s(r"\u00e9").as_str(), None);
    }

    #[test]
    fn decode_into_a_short_buffer() {
        let mut buf = [0u8; 2];
        assert_eq!(s("abc").decode_into(&mut buf), Err(Error::BufferTooSmall));
    }
}
