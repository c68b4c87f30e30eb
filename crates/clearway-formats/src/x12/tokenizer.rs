//! The X12 segment tokenizer: delimiters from the ISA header, then zero-copy [`Segment`]s.

use std::borrow::Cow;

use clearway_core::Diagnostic;
use clearway_core::diagnostic::code;

/// The delimiters of one interchange, as declared by its ISA header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    /// Element separator: the byte right after `ISA` (byte 4).
    pub element: u8,
    /// Component (sub-element) separator: ISA16.
    pub component: u8,
    /// Segment terminator: the byte after ISA16.
    pub segment: u8,
    /// Repetition separator (ISA11 from version 00501 on); read but not otherwise used.
    pub repetition: Option<u8>,
}

impl Default for Delimiters {
    /// `*`, `>` and `~`: what the writers use.
    fn default() -> Self {
        Delimiters { element: b'*', component: b'>', segment: b'~', repetition: None }
    }
}

/// One segment: its bytes (without terminator and trailing line end), 1-based number and line.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// The segment's bytes, id included, terminator excluded.
    pub raw: &'a [u8],
    /// 1-based position in the interchange (ISA is 1).
    pub number: u64,
    /// 1-based line where the segment starts.
    pub line: u64,
    /// Byte offset of the segment's first byte in the input.
    pub start: usize,
    /// Byte offset just past the segment terminator.
    pub end: usize,
    sep: u8,
}

impl<'a> Segment<'a> {
    /// The segment id (`ISA`, `N1`, ...).
    pub fn id(&self) -> &'a [u8] {
        match memchr::memchr(self.sep, self.raw) {
            Some(i) => &self.raw[..i],
            None => self.raw,
        }
    }

    /// The id as text (lossy).
    pub fn id_str(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.id())
    }

    /// The data elements after the id, in order (element 1 first).
    pub fn elements(&self) -> Elements<'a> {
        let rest = memchr::memchr(self.sep, self.raw).map(|i| &self.raw[i + 1..]);
        Elements { rest, sep: self.sep }
    }

    /// The id and the first `N - 1` elements in one pass (index 0 is the id; absent ones empty).
    pub fn fields<const N: usize>(&self) -> [&'a [u8]; N] {
        let mut out: [&'a [u8]; N] = [b""; N];
        for (slot, f) in out.iter_mut().zip(self.raw.split(|&b| b == self.sep)) {
            *slot = f;
        }
        out
    }

    /// Element `i` (1-based), empty when absent.
    pub fn element(&self, i: usize) -> &'a [u8] {
        if i == 0 {
            return self.id();
        }
        self.elements().nth(i - 1).unwrap_or(b"")
    }

    /// Element `i` (1-based) as trimmed text, empty when absent.
    pub fn text(&self, i: usize) -> Cow<'a, str> {
        trimmed(self.element(i))
    }

    /// Where this segment is, for diagnostics: `segment 14 N1`, or `segment 14 N1, element 2`.
    pub fn place(&self, element: Option<usize>) -> String {
        match element {
            Some(e) => format!("segment {} {}, element {e}", self.number, self.id_str()),
            None => format!("segment {} {}", self.number, self.id_str()),
        }
    }

    /// An error diagnostic pointing at this segment (and element).
    pub fn error(&self, code: &'static str, element: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.place(element), message).with_code(code).at_line(self.line, None)
    }

    /// A warning pointing at this segment (and element).
    pub fn warning(&self, code: &'static str, element: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(self.place(element), message).with_code(code).at_line(self.line, None)
    }
}

/// Bytes as text, trimmed of surrounding whitespace (X12 pads fixed-width fields with spaces).
pub fn trimmed(b: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(b) {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// The elements of a segment; see [`Segment::elements`].
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
}

impl<'a> Iterator for Elements<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(self.sep, rest) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Zero-copy segments of one interchange. Line ends (CR, LF, CRLF, mixed) and other whitespace between
/// segments are skipped; a last segment without terminator is still returned (see
/// [`Tokenizer::unterminated`]).
#[derive(Debug, Clone)]
pub struct Tokenizer<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: u64,
    line: u64,
    delims: Delimiters,
    unterminated: bool,
}

/// Tokenize an interchange: see [`Tokenizer::new`].
pub fn tokenize(bytes: &[u8]) -> Result<Tokenizer<'_>, Diagnostic> {
    Tokenizer::new(bytes)
}

impl<'a> Tokenizer<'a> {
    /// Read the delimiters from the ISA header (after an optional byte-order mark and whitespace). The
    /// ISA is located by counting its 16 element separators, so one not padded to 106 bytes still
    /// reads. Errors: no ISA, an ISA cut short, or implausible delimiters.
    pub fn new(bytes: &'a [u8]) -> Result<Self, Diagnostic> {
        let mut pos = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut line = 1;
        while let Some(&b) = bytes.get(pos) {
            if !b.is_ascii_whitespace() {
                break;
            }
            if b == b'\n' {
                line += 1;
            }
            pos += 1;
        }
        let at = |msg: &str| Diagnostic::error("segment 1 ISA", msg).with_code(code::X12_ISA).at_line(line, None);
        let isa = &bytes[pos..];
        if isa.is_empty() {
            return Err(at("empty input: no X12 interchange (ISA header) found"));
        }
        if !isa.starts_with(b"ISA") {
            return Err(at("not an X12 interchange: the input does not start with an ISA segment"));
        }
        let Some(&element) = isa.get(3) else {
            return Err(at("short ISA: the header ends before its element separator"));
        };
        if element.is_ascii_alphanumeric() || element == b' ' || element == b'\r' || element == b'\n' {
            return Err(at(&format!("implausible element separator {:?} in the ISA header", element as char)));
        }
        // Position of the 16th separator: ISA16 follows it, then the segment terminator.
        let mut seen = 0;
        let mut last = 3;
        for (i, &b) in isa.iter().enumerate().skip(3).take(200) {
            if b == element {
                seen += 1;
                last = i;
                if seen == 16 {
                    break;
                }
            }
        }
        if seen < 16 || isa.len() < last + 3 {
            return Err(at(&format!(
                "short ISA: {} of its 16 elements and the segment terminator are present ({} bytes; a full ISA is 106)",
                seen.min(16),
                isa.len().min(106)
            )));
        }
        let component = isa[last + 1];
        let segment = isa[last + 2];
        if segment == element || component == element || segment == component || segment.is_ascii_alphanumeric() {
            return Err(at(&format!(
                "implausible delimiters in the ISA header: element {:?}, component {:?}, segment {:?}",
                element as char, component as char, segment as char
            )));
        }
        // ISA11 is the repetition separator from version 00501 on.
        let mut els = isa[4..last].split(|&b| b == element);
        let isa11 = els.nth(10).unwrap_or(b"");
        let isa12 = els.next().unwrap_or(b"");
        let repetition = (isa12 >= b"00501".as_slice() && isa11.len() == 1).then(|| isa11[0]);
        Ok(Tokenizer {
            bytes,
            pos,
            number: 0,
            line,
            delims: Delimiters { element, component, segment, repetition },
            unterminated: false,
        })
    }

    /// Tokenize bytes with known delimiters (no ISA needed), such as one message's raw bytes.
    pub fn with_delimiters(bytes: &'a [u8], delims: Delimiters) -> Self {
        Tokenizer { bytes, pos: 0, number: 0, line: 1, delims, unterminated: false }
    }

    pub fn delimiters(&self) -> Delimiters {
        self.delims
    }

    /// Whether the last segment returned ran to the end of the input without a terminator.
    pub fn unterminated(&self) -> bool {
        self.unterminated
    }

    /// The current line (after the last segment returned).
    pub fn line(&self) -> u64 {
        self.line
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Segment<'a>;

    #[inline]
    fn next(&mut self) -> Option<Segment<'a>> {
        let bytes = self.bytes;
        let term = self.delims.segment;
        loop {
            // Skip line ends and blanks between segments.
            while let Some(&b) = bytes.get(self.pos) {
                if !(b.is_ascii_whitespace() || b == 0) {
                    break;
                }
                if b == b'\n' {
                    self.line += 1;
                }
                self.pos += 1;
            }
            if self.pos >= bytes.len() {
                return None;
            }
            let start = self.pos;
            let line = self.line;
            let mut i = start;
            let (raw_end, end) = loop {
                match memchr::memchr2(term, b'\n', &bytes[i..]) {
                    Some(k) => {
                        let at = i + k;
                        if bytes[at] == b'\n' {
                            self.line += 1;
                        }
                        if bytes[at] == term {
                            break (at, at + 1);
                        }
                        i = at + 1;
                    }
                    None => {
                        self.unterminated = true;
                        break (bytes.len(), bytes.len());
                    }
                }
            };
            let mut raw = &bytes[start..raw_end];
            while let [rest @ .., b'\r' | b'\n'] = raw {
                raw = rest;
            }
            self.pos = end;
            if raw.is_empty() {
                continue;
            }
            self.number += 1;
            return Some(Segment { raw, number: self.number, line, start, end, sep: self.delims.element });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *230525*2048*U*00401*000000001*0*P*>~";

    #[test]
    fn delimiters_and_segments() {
        let s = format!("{ISA}\r\nGS*SO*A*B~GE*0*1~\nIEA*1*000000001~");
        let t = Tokenizer::new(s.as_bytes()).unwrap();
        assert_eq!(t.delimiters(), Delimiters { element: b'*', component: b'>', segment: b'~', repetition: None });
        let segs: Vec<_> = t.collect();
        assert_eq!(segs.len(), 4);
        assert_eq!(segs[1].id(), b"GS");
        assert_eq!((segs[1].number, segs[1].line), (2, 2));
        assert_eq!((segs[3].number, segs[3].line), (4, 3));
        assert_eq!(segs[1].element(1), b"SO");
        assert_eq!(segs[1].element(9), b"");
        assert_eq!(segs[0].text(6), "SENDER");
    }

    #[test]
    fn newline_terminator_and_short_isa() {
        let s = ISA.replace('~', "\n") + "GS*X\r\nIEA*1*1\n";
        let segs: Vec<_> = Tokenizer::new(s.as_bytes()).unwrap().collect();
        assert_eq!(segs.iter().map(|s| s.line).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(segs[1].raw, b"GS*X");
        assert!(Tokenizer::new(&ISA.as_bytes()[..50]).is_err());
        assert!(Tokenizer::new(b"hello").is_err());
        assert!(Tokenizer::new(b"").is_err());
        assert!(Tokenizer::new(b"ISA").is_err());
    }
}
