//! The zero-copy UN/EDIFACT tokenizer: [`Tokenizer`] yields [`Segment`]s borrowed from the input,
//! with their 1-based segment number, line and byte offset; elements and components are split on
//! demand ([`Segment::element`], [`Segment::component`]) and unescaped only when a release
//! character occurs ([`Segment::text`]).

use std::borrow::Cow;

use clearway_core::Diagnostic;
use clearway_core::diagnostic::code;

/// The service characters (UNA, or the ISO 9735 defaults `:+.? '`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub component: u8,
    pub element: u8,
    pub decimal: u8,
    pub release: u8,
    /// Repetition separator (version 4); a space means none.
    pub repetition: u8,
    pub terminator: u8,
}

impl Default for Separators {
    fn default() -> Self {
        Separators { component: b':', element: b'+', decimal: b'.', release: b'?', repetition: b' ', terminator: b'\'' }
    }
}

/// One segment, borrowed from the input (terminator excluded).
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// The whole segment body: tag and data elements.
    pub raw: &'a [u8],
    /// The three-letter tag.
    pub tag: &'a [u8],
    /// 1-based segment number in the input (UNA not counted).
    pub number: u64,
    /// 1-based line where the segment starts.
    pub line: u64,
    /// Byte offset of the segment's first byte in the input.
    pub offset: usize,
    /// Byte offset just past the segment terminator.
    pub end: usize,
    /// The segment contains a release character (values need unescaping).
    pub escaped: bool,
    /// The segment ended with its terminator (false: the input was cut inside it).
    pub terminated: bool,
    pub seps: Separators,
}

/// Split `s` on `sep`, skipping released (`?`-escaped) separators; returns the `n`th piece (0-based).
fn nth_piece(s: &[u8], sep: u8, release: u8, escaped: bool, n: usize) -> Option<&[u8]> {
    if !escaped {
        return s.split(|&b| b == sep).nth(n);
    }
    let mut start = 0;
    let mut idx = 0;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == release {
            i += 2;
            continue;
        }
        if b == sep {
            if idx == n {
                return Some(&s[start..i]);
            }
            idx += 1;
            start = i + 1;
        }
        i += 1;
    }
    if idx == n { Some(&s[start.min(s.len())..]) } else { None }
}

impl<'a> Segment<'a> {
    /// The tag as text (`"NAD"`).
    pub fn tag_str(&self) -> &'a str {
        std::str::from_utf8(self.tag).unwrap_or("???")
    }

    /// Raw data element `n` (1-based: 1 is the first element after the tag), escapes kept.
    pub fn element(&self, n: usize) -> Option<&'a [u8]> {
        nth_piece(self.raw, self.seps.element, self.seps.release, self.escaped, n)
    }

    /// Raw component `c` (1-based) of element `n` (1-based), escapes kept.
    pub fn component(&self, n: usize, c: usize) -> Option<&'a [u8]> {
        let e = self.element(n)?;
        if c == 0 {
            return None;
        }
        nth_piece(e, self.seps.component, self.seps.release, self.escaped, c - 1)
    }

    /// Component `c` of element `n` as text, unescaped, empty when absent.
    pub fn text(&self, n: usize, c: usize) -> Cow<'a, str> {
        self.component(n, c).map_or(Cow::Borrowed(""), |raw| unescape(raw, self.seps.release, self.escaped))
    }

    /// All components of element `n`, unescaped, non-empty ones joined with a space.
    pub fn joined(&self, n: usize) -> String {
        joined_of(self.element(n), &self.seps, self.escaped)
    }

    /// `segment 12 NAD`.
    pub fn place(&self) -> String {
        format!("segment {} {}", self.number, self.tag_str())
    }

    /// `segment 12 NAD, element 2, component 1`.
    pub fn place_at(&self, element: usize, component: Option<usize>) -> String {
        match component {
            Some(c) => format!("segment {} {}, element {element}, component {c}", self.number, self.tag_str()),
            None => format!("segment {} {}, element {element}", self.number, self.tag_str()),
        }
    }
}

/// Components of the raw element `e`, unescaped, non-empty ones joined with a space.
fn joined_of(e: Option<&[u8]>, seps: &Separators, escaped: bool) -> String {
    let Some(e) = e else {
        return String::new();
    };
    let r = seps.release;
    join_components(e, seps.component, r, escaped, |raw| unescape(raw, r, escaped))
}

/// Non-empty components of `e`, each turned to text by `decode`, joined with a space.
fn join_components<'a>(
    e: &'a [u8],
    c: u8,
    r: u8,
    escaped: bool,
    decode: impl Fn(&'a [u8]) -> Cow<'a, str>,
) -> String {
    if !e.contains(&c) {
        return decode(e).into_owned();
    }
    let mut out = String::with_capacity(e.len());
    let mut push = |t: Cow<'_, str>| {
        if !t.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&t);
        }
    };
    if escaped {
        let mut i = 0;
        while let Some(raw) = nth_piece(e, c, r, true, i) {
            push(decode(raw));
            i += 1;
        }
    } else {
        for raw in e.split(|&b| b == c) {
            push(decode(raw));
        }
    }
    out
}

/// Data elements a [`Fields`] keeps inline (tag included); further ones are split on demand.
const FIELDS_INLINE: usize = 12;

/// A [`Segment`] split into its data elements once, for readers that look at many elements of the
/// same segment (the CUSCAR mapper). Same results as the [`Segment`] accessors.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub seg: Segment<'a>,
    els: [&'a [u8]; FIELDS_INLINE],
    /// Pieces stored in `els` (the tag is piece 0).
    len: usize,
    /// The segment has more pieces than `els` holds.
    more: bool,
    /// The segment body as text when it is valid UTF-8 (checked once, not per value).
    utf8: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub fn new(seg: Segment<'a>) -> Self {
        let mut els: [&'a [u8]; FIELDS_INLINE] = [&[]; FIELDS_INLINE];
        let s = seg.raw;
        let (sep, rel) = (seg.seps.element, seg.seps.release);
        let mut len = 0;
        let mut start = 0;
        let mut more = false;
        if seg.escaped {
            let mut i = 0;
            while i < s.len() {
                let b = s[i];
                if b == rel {
                    i += 2;
                    continue;
                }
                if b == sep {
                    if len == FIELDS_INLINE - 1 {
                        more = true;
                        break;
                    }
                    els[len] = &s[start..i];
                    len += 1;
                    start = i + 1;
                }
                i += 1;
            }
        } else {
            // Segments are short: a plain loop beats memchr's per-call setup here.
            for (i, _) in s.iter().enumerate().filter(|&(_, &b)| b == sep) {
                if len == FIELDS_INLINE - 1 {
                    more = true;
                    break;
                }
                els[len] = &s[start..i];
                len += 1;
                start = i + 1;
            }
        }
        if !more {
            els[len] = &s[start.min(s.len())..];
            len += 1;
        }
        Fields { seg, els, len, more, utf8: std::str::from_utf8(s).ok() }
    }

    /// Raw data element `n` (1-based), escapes kept; as [`Segment::element`].
    #[inline]
    pub fn element(&self, n: usize) -> Option<&'a [u8]> {
        match self.els.get(n) {
            Some(&e) if n < self.len => Some(e),
            _ if self.more => self.seg.element(n),
            _ => None,
        }
    }

    /// Raw component `c` (1-based) of element `n`, escapes kept; as [`Segment::component`].
    #[inline]
    pub fn component(&self, n: usize, c: usize) -> Option<&'a [u8]> {
        let e = self.element(n)?;
        if c == 0 {
            return None;
        }
        let sep = self.seg.seps.component;
        if !self.seg.escaped {
            if c == 1 {
                return Some(e.iter().position(|&b| b == sep).map_or(e, |i| &e[..i]));
            }
            return e.split(|&b| b == sep).nth(c - 1);
        }
        nth_piece(e, sep, self.seg.seps.release, true, c - 1)
    }

    /// Component `c` of element `n` as text, unescaped, empty when absent; as [`Segment::text`].
    #[inline]
    pub fn text(&self, n: usize, c: usize) -> Cow<'a, str> {
        self.component(n, c).map_or(Cow::Borrowed(""), |raw| self.decode(raw))
    }

    /// [`unescape`] for a piece of this segment, borrowing from the once-validated body.
    #[inline]
    fn decode(&self, raw: &'a [u8]) -> Cow<'a, str> {
        let r = self.seg.seps.release;
        if let Some(body) = self.utf8
            && !(self.seg.escaped && raw.contains(&r))
        {
            // `raw` is a piece of the body: reuse the body's validation.
            let off = (raw.as_ptr() as usize).wrapping_sub(self.seg.raw.as_ptr() as usize);
            if let Some(t) = body.get(off..off.saturating_add(raw.len())) {
                return Cow::Borrowed(t);
            }
        }
        unescape(raw, r, self.seg.escaped)
    }

    /// Component `c` of element `n` unescaped but not decoded (for comparing with ASCII codes:
    /// equal to an ASCII literal exactly when [`Fields::text`] is).
    #[inline]
    pub fn bytes(&self, n: usize, c: usize) -> Cow<'a, [u8]> {
        let Some(raw) = self.component(n, c) else {
            return Cow::Borrowed(b"");
        };
        let r = self.seg.seps.release;
        if self.seg.escaped && raw.contains(&r) {
            let mut out = Vec::with_capacity(raw.len());
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == r && i + 1 < raw.len() {
                    i += 1;
                }
                out.push(raw[i]);
                i += 1;
            }
            return Cow::Owned(out);
        }
        Cow::Borrowed(raw)
    }

    /// All components of element `n` joined; as [`Segment::joined`].
    pub fn joined(&self, n: usize) -> String {
        let Some(e) = self.element(n) else {
            return String::new();
        };
        let seps = &self.seg.seps;
        join_components(e, seps.component, seps.release, self.seg.escaped, |raw| self.decode(raw))
    }
}

/// Bytes to text: UTF-8 when valid, else ISO 8859-1 (UNOC and friends); release characters removed.
pub fn unescape(raw: &[u8], release: u8, escaped: bool) -> Cow<'_, str> {
    if escaped && raw.contains(&release) {
        let mut bytes = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == release && i + 1 < raw.len() {
                i += 1;
            }
            bytes.push(raw[i]);
            i += 1;
        }
        return Cow::Owned(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
        });
    }
    match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(raw.iter().map(|&b| b as char).collect()),
    }
}

/// At most this many tokenizer diagnostics are kept (binary junk would otherwise flood).
pub const MAX_TOKEN_DIAGNOSTICS: usize = 50;

/// Iterates the segments of an interchange. Problems (junk between segments, a missing final
/// terminator, a dangling release character) are collected in [`Tokenizer::diagnostics`]; the
/// tokenizer never fails and never panics.
pub struct Tokenizer<'a> {
    input: &'a [u8],
    pos: usize,
    line: u64,
    number: u64,
    pub seps: Separators,
    /// Whether the input started with a UNA service string advice.
    pub una: bool,
    pub diagnostics: Vec<Diagnostic>,
    suppressed: usize,
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut t = Tokenizer {
            input,
            pos: 0,
            line: 1,
            number: 0,
            seps: Separators::default(),
            una: false,
            diagnostics: Vec::new(),
            suppressed: 0,
        };
        if input.starts_with(b"\xEF\xBB\xBF") {
            t.pos = 3;
        }
        t.skip_ws();
        let rest = &input[t.pos..];
        if rest.starts_with(b"UNA") {
            if rest.len() >= 9 {
                let s = &rest[3..9];
                t.seps = Separators {
                    component: s[0],
                    element: s[1],
                    decimal: s[2],
                    release: s[3],
                    repetition: s[4],
                    terminator: s[5],
                };
                let distinct = [s[0], s[1], s[3], s[5]];
                if (0..4).any(|i| (i + 1..4).any(|j| distinct[i] == distinct[j])) {
                    t.push(Diagnostic::error(
                        "UNA",
                        "UNA service string advice repeats a separator; using the defaults",
                    ).with_code(code::EDI_SYNTAX));
                    t.seps = Separators::default();
                }
                t.una = true;
                t.pos += 9;
            } else {
                t.push(Diagnostic::error("UNA", "truncated UNA service string advice").with_code(code::EDI_SYNTAX));
                t.pos = input.len();
            }
        }
        t
    }

    fn push(&mut self, d: Diagnostic) {
        if self.diagnostics.len() < MAX_TOKEN_DIAGNOSTICS {
            self.diagnostics.push(d);
        } else {
            self.suppressed += 1;
        }
    }

    /// Diagnostics, with a note of how many were suppressed.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        let mut out = std::mem::take(&mut self.diagnostics);
        if self.suppressed > 0 {
            out.push(Diagnostic::warning(
                "input",
                format!("{} further tokenizer problems not listed", self.suppressed),
            ).with_code(code::EDI_SYNTAX));
            self.suppressed = 0;
        }
        out
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.input.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b'\r' | b' ' | b'\t' => {}
                _ => break,
            }
            self.pos += 1;
        }
    }

    /// The line at the current position (after the last segment returned).
    pub fn line(&self) -> u64 {
        self.line
    }
}

fn is_tag(t: &[u8]) -> bool {
    t.len() == 3 && t.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        loop {
            self.skip_ws();
            let input = self.input;
            if self.pos >= input.len() {
                return None;
            }
            let start = self.pos;
            let seps = self.seps;
            // Find the terminator, stepping over released characters.
            let mut i = start;
            let mut escaped = false;
            let mut terminated = false;
            while let Some(off) = memchr::memchr2(seps.terminator, seps.release, &input[i..]) {
                let j = i + off;
                if input[j] == seps.release {
                    escaped = true;
                    if j + 1 >= input.len() {
                        self.push(
                            Diagnostic::error(
                                format!("segment {}", self.number + 1),
                                "release character at the end of the input escapes nothing",
                            ).with_code(code::EDI_SYNTAX)
                            .at_line(self.line, None),
                        );
                        i = input.len();
                        break;
                    }
                    i = j + 2;
                    continue;
                }
                i = j;
                terminated = true;
                break;
            }
            let (body_end, end) = if terminated { (i, i + 1) } else { (input.len(), input.len()) };
            let body = &input[start..body_end];
            let line = self.line;
            // Usually none: newlines sit between segments (counted by `skip_ws`).
            self.line += input[start..end].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos = end;
            let tag_end = memchr::memchr(seps.element, body).unwrap_or(body.len());
            let tag = &body[..tag_end];
            if !is_tag(tag) {
                let shown: String = String::from_utf8_lossy(&body[..body.len().min(20)])
                    .chars()
                    .map(|c| if c.is_control() { '.' } else { c })
                    .collect();
                self.push(
                    Diagnostic::error(
                        format!("segment {}", self.number + 1),
                        format!("not an EDIFACT segment (bad tag or binary data): {shown:?}; skipped"),
                    ).with_code(code::EDI_SYNTAX)
                    .at_line(line, None),
                );
                continue;
            }
            self.number += 1;
            if !terminated {
                self.push(
                    Diagnostic::error(
                        format!("segment {} {}", self.number, String::from_utf8_lossy(tag)),
                        "input ends inside a segment (no segment terminator): truncated",
                    ).with_code(code::EDI_SYNTAX)
                    .at_line(line, None),
                );
            }
            return Some(Segment {
                raw: body,
                tag,
                number: self.number,
                line,
                offset: start,
                end,
                escaped,
                terminated,
                seps,
            });
        }
    }
}

/// Escape a value for writing with the default separators.
pub fn escape_into(out: &mut Vec<u8>, value: &str) {
    for &b in value.as_bytes() {
        if matches!(b, b':' | b'+' | b'?' | b'\'') {
            out.push(b'?');
        }
        out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_unescapes() {
        let seg: Vec<_> = Tokenizer::new(b"UNA:+.? 'FTX+AAA+++A?:B:C?'D?+E'\r\nNAD+CN'").collect();
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0].text(4, 1), "A:B");
        assert_eq!(seg[0].text(4, 2), "C'D+E");
        assert_eq!(seg[0].joined(4), "A:B C'D+E");
        assert_eq!(seg[1].tag, b"NAD");
        assert_eq!(seg[1].line, 2);
        assert_eq!(seg[1].number, 2);
    }

    #[test]
    fn custom_separators() {
        let seg: Vec<_> = Tokenizer::new(b"UNA|*.! ~UNB*UNOA|1*S~NAD*CN*X!*Y~").collect();
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0].text(1, 2), "1");
        assert_eq!(seg[1].text(2, 1), "X*Y");
    }
}
