//! The streaming JSON reader, [`JsonRecords`]: a JSON array of filings, or JSON Lines (one object per
//! line, or objects pretty-printed over several lines), read record by record without holding the
//! whole input in memory.
//!
//! An object that is already whole in the reader's buffer and well-formed is parsed in place, and
//! the parser tells where it ends: no separate scan. Otherwise (malformed, truncated, oversized, or
//! straddling the end of the buffer) a small byte-level scanner cuts the object out of the stream
//! by tracking strings, escapes and bracket depth, noting the line and column it starts on;
//! [`parse_filing_json`] then parses it. Either way, diagnostics get the record's place in the
//! input: line (and column, for syntax errors) absolute in the file. What happens to bad input:
//!
//! * a line that does not start a JSON value (text, binary junk) → one error record for the line;
//! * a non-object element of an array → one error record for the element;
//! * a record larger than the limit ([`MAX_RECORD_BYTES`] by default) → one error record (its `raw`
//!   holds only the first KiB); in JSON Lines the reader resynchronizes at the next newline, in an
//!   array at the end of the element;
//! * an object still open at the end of the input → an error record `truncated: …`; an array still
//!   open → likewise, after the elements it had;
//! * an object still open when a line starts with `{` or `[` where no value may start (a truncated
//!   line in JSON Lines) → an error record `truncated: …`, and the new line starts the next record.
//!
//! Every call to `next` consumes input or ends the iteration, so the reader always terminates.

use std::io::{self, BufRead, ErrorKind};

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Location, Severity};

use crate::{Record, json::parse_filing_json, json::parse_prefix, json::quote};

/// Default cap on one record's size.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// How much of an oversized record is kept in [`Record::raw`].
pub const OVERSIZED_RAW_KEEP: usize = 1024;

/// Containers tracked by type beyond this depth are only counted.
const STACK_LIMIT: usize = 256;

/// Records from a JSON array or JSON Lines stream; see the [module docs](self).
///
/// For speed, give it a reader with a large buffer (say `BufReader::with_capacity(256 << 10, r)`,
/// as [`records`](crate::records) does): records that straddle the end of the buffer take the
/// slower scanning path.
pub struct JsonRecords<R> {
    reader: R,
    max_record: usize,
    /// Line of the next unread byte, 1-based.
    line: u64,
    /// Offset of the first byte of the current line.
    line_start: u64,
    /// Offset of the next unread byte.
    offset: u64,
    /// Inside a top-level array, opened on this line.
    array: Option<u64>,
    started: bool,
    done: bool,
}

/// How a scanned value ended.
enum End {
    Complete,
    /// Cut before a line that starts a new object.
    Cut,
    Eof,
    Oversized,
}

fn fill<R: BufRead>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            // Re-borrow to satisfy the borrow checker across loop iterations.
            Ok(_) => return r.fill_buf(),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

impl<R: BufRead> JsonRecords<R> {
    pub fn new(reader: R) -> Self {
        JsonRecords {
            reader,
            max_record: MAX_RECORD_BYTES,
            line: 1,
            line_start: 0,
            offset: 0,
            array: None,
            started: false,
            done: false,
        }
    }

    /// Set the cap on one record's size (default [`MAX_RECORD_BYTES`]).
    pub fn with_max_record_bytes(mut self, max: usize) -> Self {
        self.max_record = max.max(1);
        self
    }

    fn column(&self) -> u64 {
        self.offset.saturating_sub(self.line_start) + 1
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.offset += n as u64;
    }

    /// Skip whitespace (and, inside an array, commas); return the next byte without consuming it.
    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        let commas = self.array.is_some();
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(None);
            }
            let mut found = None;
            let mut i = 0;
            while i < buf.len() {
                match buf[i] {
                    b'\n' => {
                        self.line += 1;
                        self.line_start = self.offset + i as u64 + 1;
                    }
                    b' ' | b'\t' | b'\r' => {}
                    b',' if commas => {}
                    b => {
                        found = Some(b);
                        break;
                    }
                }
                i += 1;
            }
            self.consume(i);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// Scan one bracketed value starting at the next byte (`{` or `[`) into `out`.
    fn scan_value(&mut self, out: &mut Vec<u8>) -> io::Result<End> {
        let lines_mode = self.array.is_none();
        let mut depth: u64 = 0;
        let mut stack: Vec<u8> = Vec::new();
        let mut in_string = false;
        let mut escape = false;
        let mut value_allowed = true;
        // Only whitespace so far on this line (and none of it: `column_one`).
        let mut at_line_start = false;
        let mut column_one = false;
        let mut storing = true;
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(if storing { End::Eof } else { End::Oversized });
            }
            // While storing, scan no further than the cap allows.
            let limit = if storing { buf.len().min(self.max_record.saturating_sub(out.len())) } else { buf.len() };
            let mut end = None;
            let mut i = 0;
            while i < limit {
                if in_string {
                    if escape {
                        escape = false;
                        if buf[i] == b'\n' {
                            self.line += 1;
                            self.line_start = self.offset + i as u64 + 1;
                            in_string = false;
                            value_allowed = false;
                            at_line_start = true;
                            column_one = true;
                        }
                        i += 1;
                        continue;
                    }
                    match find_string_special(&buf[i..limit]) {
                        None => i = limit,
                        Some(k) => {
                            let j = i + k;
                            match buf[j] {
                                b'"' => {
                                    in_string = false;
                                    value_allowed = false;
                                }
                                b'\\' => escape = true,
                                _ => {
                                    // A raw newline cannot be in a JSON string: the string (and the
                                    // record) is broken; stop the string here so lines stay in step.
                                    self.line += 1;
                                    self.line_start = self.offset + j as u64 + 1;
                                    in_string = false;
                                    value_allowed = false;
                                    at_line_start = true;
                                    column_one = true;
                                }
                            }
                            i = j + 1;
                        }
                    }
                    continue;
                }
                let b = buf[i];
                match b {
                    b'\n' => {
                        self.line += 1;
                        self.line_start = self.offset + i as u64 + 1;
                        at_line_start = true;
                        column_one = true;
                    }
                    b' ' | b'\t' | b'\r' => column_one = false,
                    _ => {
                        // A line starting `{` or `[` where no value may start, or (in JSON Lines)
                        // starting `{` in its first column, begins a new record: this one was cut
                        // short.
                        if at_line_start
                            && depth > 0
                            && ((!value_allowed && (b == b'{' || b == b'[')) || (lines_mode && column_one && b == b'{'))
                        {
                            end = Some((i, End::Cut));
                            break;
                        }
                        at_line_start = false;
                        column_one = false;
                        match b {
                            b'{' | b'[' => {
                                depth += 1;
                                if stack.len() < STACK_LIMIT {
                                    stack.push(b);
                                }
                                value_allowed = b == b'[';
                            }
                            b'}' | b']' => {
                                if depth as usize <= stack.len() {
                                    stack.pop();
                                }
                                depth = depth.saturating_sub(1);
                                value_allowed = false;
                                if depth == 0 {
                                    end = Some((i + 1, End::Complete));
                                    break;
                                }
                            }
                            b'"' => in_string = true,
                            b':' => value_allowed = true,
                            b',' => value_allowed = depth as usize > stack.len() || stack.last() == Some(&b'['),
                            _ => value_allowed = false,
                        }
                    }
                }
                i += 1;
            }
            let used = end.as_ref().map_or(i, |(n, _)| *n);
            if storing {
                out.extend_from_slice(&buf[..used]);
            }
            let oversized = storing && end.is_none() && limit < buf.len();
            self.consume(used);
            if let Some((_, e)) = end {
                return Ok(if storing { e } else { End::Oversized });
            }
            if oversized {
                out.truncate(OVERSIZED_RAW_KEEP);
                if lines_mode {
                    self.skip_line(None)?;
                    return Ok(End::Oversized);
                }
                // In an array, follow the element to its end without keeping it.
                storing = false;
            }
        }
    }

    /// Consume through the next newline, keeping (up to the cap) the bytes before it in `out`.
    fn skip_line(&mut self, mut out: Option<&mut Vec<u8>>) -> io::Result<()> {
        let max = self.max_record;
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(());
            }
            let (used, newline) = match memchr::memchr(b'\n', buf) {
                Some(k) => (k + 1, true),
                None => (buf.len(), false),
            };
            if let Some(out) = out.as_deref_mut() {
                let take = if newline { used - 1 } else { used };
                let room = max.saturating_sub(out.len());
                out.extend_from_slice(&buf[..take.min(room)]);
            }
            self.consume(used);
            if newline {
                self.line += 1;
                self.line_start = self.offset;
                if let Some(out) = out
                    && out.last() == Some(&b'\r')
                {
                    out.pop();
                }
                return Ok(());
            }
        }
    }

    /// Scan a non-bracketed array element (a string, number, literal or junk) into `out`.
    fn scan_scalar(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let max = self.max_record;
        let mut in_string = false;
        let mut escape = false;
        let mut first = true;
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(());
            }
            let mut i = 0;
            let mut stop = false;
            while i < buf.len() {
                let b = buf[i];
                if first {
                    first = false;
                    in_string = b == b'"';
                } else if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                        if out.len() < max {
                            out.push(b);
                        }
                        i += 1;
                        stop = true;
                        break;
                    } else if b == b'\n' {
                        stop = true;
                        break;
                    }
                } else if matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b' ' | b'\t' | b'\r' | b'\n') {
                    stop = true;
                    break;
                }
                if out.len() < max {
                    out.push(b);
                }
                i += 1;
            }
            self.consume(i);
            if stop {
                return Ok(());
            }
        }
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        if !self.started {
            self.started = true;
            if fill(&mut self.reader)?.starts_with(b"\xEF\xBB\xBF") {
                self.consume(3);
                self.line_start = 3;
            }
        }
        loop {
            let next = self.skip_ws()?;
            let (line, col) = (self.line, self.column());
            let Some(b) = next else {
                self.done = true;
                return Ok(self.array.map(|opened| {
                    error_record(
                        line,
                        col,
                        Vec::new(),
                        code::JSON_TRUNCATED,
                        format!("truncated: the JSON array opened on line {opened} is not closed (missing `]`)"),
                    )
                }));
            };
            match (self.array, b) {
                (Some(_), b']') => {
                    self.consume(1);
                    self.array = None;
                    continue;
                }
                (None, b'[') => {
                    self.consume(1);
                    self.array = Some(line);
                    continue;
                }
                _ => {}
            }
            let mut raw = Vec::new();
            if b == b'{' {
                if let Some(record) = self.in_buffer(line, col)? {
                    return Ok(Some(record));
                }
                let end = self.scan_value(&mut raw)?;
                return Ok(Some(self.finish(line, col, raw, end)));
            }
            if self.array.is_some() {
                let end = if b == b'[' {
                    self.scan_value(&mut raw)?
                } else {
                    self.scan_scalar(&mut raw).map(|()| End::Complete)?
                };
                if let End::Oversized = end {
                    return Ok(Some(self.finish(line, col, raw, end)));
                }
                let found = describe_raw(&raw);
                return Ok(Some(error_record(
                    line,
                    col,
                    raw,
                    code::JSON_NOT_OBJECT,
                    format!("expected a JSON object, found {found}"),
                )));
            }
            self.skip_line(Some(&mut raw))?;
            let found = describe_raw(&raw);
            return Ok(Some(error_record(
                line,
                col,
                raw,
                code::JSON_NOT_OBJECT,
                format!("expected a JSON object or array, found {found}"),
            )));
        }
    }

    /// The fast path: parse the object in place in the reader's buffer (see
    /// [`json::parse_prefix`](crate::json)), which also tells where it ends. `None` (nothing
    /// consumed) when the buffer does not hold a complete, well-formed object: the scanner then
    /// cuts the record.
    fn in_buffer(&mut self, line: u64, col: u64) -> io::Result<Option<Record>> {
        let buf = fill(&mut self.reader)?;
        let window = &buf[..buf.len().min(self.max_record)];
        let Some((mut outcome, end)) = parse_prefix(window) else { return Ok(None) };
        let raw = window[..end].to_vec();
        let mut last_newline = None;
        let mut newlines = 0;
        for k in memchr::memchr_iter(b'\n', &raw) {
            newlines += 1;
            last_newline = Some(k);
        }
        if let Some(k) = last_newline {
            self.line += newlines;
            self.line_start = self.offset + k as u64 + 1;
        }
        self.consume(end);
        match &mut outcome {
            Ok(parsed) => parsed.diagnostics.iter_mut().for_each(|d| place(d, line, col)),
            Err(diags) => diags.iter_mut().for_each(|d| place(d, line, col)),
        }
        Ok(Some(Record { line, raw, outcome }))
    }

    fn finish(&self, line: u64, col: u64, mut raw: Vec<u8>, end: End) -> Record {
        let message = match end {
            End::Complete => {
                let outcome = match parse_filing_json(&raw) {
                    Ok(mut parsed) => {
                        for d in &mut parsed.diagnostics {
                            place(d, line, col);
                        }
                        Ok(parsed)
                    }
                    Err(mut diags) => {
                        for d in &mut diags {
                            place(d, line, col);
                        }
                        Err(diags)
                    }
                };
                return Record { line, raw, outcome };
            }
            End::Cut => {
                while raw.last().is_some_and(|b| b.is_ascii_whitespace()) {
                    raw.pop();
                }
                let m =
                    format!("truncated: the object is not closed before line {}, which starts a new one", self.line);
                (code::JSON_TRUNCATED, m)
            }
            End::Eof => {
                (code::JSON_TRUNCATED, "truncated: the object is not closed at the end of the input".to_string())
            }
            End::Oversized => (
                code::RECORD_TOO_LARGE,
                format!("record is larger than the limit of {} bytes; skipped", self.max_record),
            ),
        };
        error_record(line, col, raw, message.0, message.1)
    }
}

impl<R: BufRead> Iterator for JsonRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(r) => r,
            Err(e) => {
                self.done = true;
                Some(error_record(self.line, self.column(), Vec::new(), code::INPUT_READ, format!("read error: {e}")))
            }
        }
    }
}

/// Bytes that end a run of ordinary string content.
static STRING_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// The first `"`, `\` or newline in `s`. Strings in filings are mostly short, so look at the first
/// bytes one by one before paying for `memchr3`'s set-up.
#[inline]
fn find_string_special(s: &[u8]) -> Option<usize> {
    const SHORT: usize = 24;
    for (k, &b) in s.iter().take(SHORT).enumerate() {
        if STRING_SPECIAL[b as usize] {
            return Some(k);
        }
    }
    if s.len() <= SHORT {
        return None;
    }
    memchr::memchr3(b'"', b'\\', b'\n', &s[SHORT..]).map(|k| k + SHORT)
}

/// Make a diagnostic from a record's parse absolute to the input: relative line and column are
/// shifted by where the record starts; a diagnostic without a line gets the record's line.
pub(crate) fn place(d: &mut Diagnostic, line: u64, col: u64) {
    match d.location.line {
        None => d.location.line = Some(line),
        Some(l) => {
            d.location.line = Some(line + l.saturating_sub(1));
            if l <= 1 {
                d.location.column = d.location.column.map(|c| col + c.saturating_sub(1));
            }
        }
    }
}

pub(crate) fn error_record(line: u64, col: u64, raw: Vec<u8>, c: &'static str, message: String) -> Record {
    let d =
        Diagnostic::new(Severity::Error, c, message).at(Location { path: None, line: Some(line), column: Some(col) });
    Record { line, raw, outcome: Err(vec![d]) }
}

/// What a non-object value or junk looks like, in a few words.
fn describe_raw(raw: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) {
        return crate::json::describe(&v);
    }
    match std::str::from_utf8(raw) {
        Ok(s) => format!("text {}", quote(s)),
        Err(_) => {
            let shown: Vec<String> = raw.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("binary data (bytes {}{})", shown.join(" "), if raw.len() > 8 { " …" } else { "" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};

    const F1: &str = r#"{"id":"A1","mode":"marine","direction":"import","country":"CA","stage":"arrival"}"#;
    const F2: &str = r#"{"id":"A2","mode":"air","direction":"export","country":"US","stage":"export"}"#;

    fn read(input: &[u8]) -> Vec<Record> {
        JsonRecords::new(input).collect()
    }

    fn ids(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| match &r.outcome {
                Ok(p) => p.filing.id.clone(),
                Err(_) => "ERR".to_string(),
            })
            .collect()
    }

    fn errors(r: &Record) -> &[Diagnostic] {
        match &r.outcome {
            Err(d) => d,
            Ok(p) => panic!("expected an error record, got {p:?}"),
        }
    }

    #[test]
    fn empty_and_blank_inputs_yield_nothing() {
        assert!(read(b"").is_empty());
        assert!(read(b"\n\r\n   \n\t").is_empty());
        assert!(read(b"[]").is_empty());
        assert!(read(b" [ ] \n").is_empty());
    }

    #[test]
    fn json_lines_with_blank_lines_and_mixed_crlf() {
        let input = format!("{F1}\r\n\r\n{F2}\n\n{F1}\r\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "A2", "A1"]);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(rs[1].raw, F2.as_bytes());
    }

    #[test]
    fn array_streams_elements_with_lines() {
        let input = format!("[\n  {F1},\n  {F2}\n]\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "A2"]);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(rs[0].raw, F1.as_bytes());
    }

    #[test]
    fn array_is_streamed_through_a_tiny_buffer() {
        let input = format!("[{F1},{F2},{F1}]");
        let rs: Vec<Record> = JsonRecords::new(BufReader::with_capacity(3, Cursor::new(input))).collect();
        assert_eq!(ids(&rs), ["A1", "A2", "A1"]);
    }

    #[test]
    fn pretty_printed_objects_one_after_another() {
        let pretty1 = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(F1).unwrap()).unwrap();
        let pretty2 = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(F2).unwrap()).unwrap();
        let input = format!("{pretty1}\n{pretty2}\n{F1}\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "A2", "A1"]);
        assert_eq!(rs[1].line, 8);
        assert_eq!(rs[2].line, 15);
    }

    #[test]
    fn field_diagnostics_get_the_record_line() {
        let bad = F2.replace(r#""stage":"export""#, r#""stage":"export","fax":"1""#);
        let input = format!("{F1}\n{bad}\n");
        let rs = read(input.as_bytes());
        let Ok(p) = &rs[1].outcome else { panic!() };
        assert_eq!(p.diagnostics[0].location.path.as_deref(), Some("fax"));
        assert_eq!(p.diagnostics[0].location.line, Some(2));
    }

    #[test]
    fn syntax_errors_are_absolute_in_the_file() {
        // The record starts at column 3 of line 3; serde points at its column 7.
        let input = format!("{F1}\n\n  {{\"id\" \"x\"}}\n{F2}\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "ERR", "A2"]);
        let d = &errors(&rs[1])[0];
        assert_eq!((d.location.line, d.location.column), (Some(3), Some(9)));
        assert!(d.message.starts_with("malformed JSON"), "{}", d.message);
        // On a later line of a multi-line record, the column stays as serde gives it.
        let input = b"{\n \"id\": \"x\",\n  \"mode\" 1\n}\n";
        let rs = read(input);
        let d = &errors(&rs[0])[0];
        assert_eq!((d.location.line, d.location.column), (Some(3), Some(10)));
    }

    #[test]
    fn junk_lines_are_error_records_and_reading_goes_on() {
        let input = format!("hello world\n{F1}\n\u{1}\u{2}\u{3}\n{F2} trailing\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["ERR", "A1", "ERR", "A2", "ERR"]);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3, 4, 4]);
        assert_eq!(errors(&rs[0])[0].message, r#"expected a JSON object or array, found text "hello world""#);
        assert_eq!(rs[0].raw, b"hello world");
        assert_eq!(errors(&rs[4])[0].location.column, Some(F2.len() as u64 + 2));
    }

    #[test]
    fn binary_junk_never_panics_and_terminates() {
        let mut junk: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        junk.extend_from_slice(b"\xff\xfe{\"a\":\"\xc3\x28\"}\n");
        let rs = read(&junk);
        assert!(!rs.is_empty());
        assert!(rs.iter().all(|r| r.outcome.is_err()));
        let rs = read(b"\xff\xfe\xfd");
        assert_eq!(rs.len(), 1);
        assert!(errors(&rs[0])[0].message.contains("binary data (bytes ff fe fd)"), "{:?}", rs[0]);
    }

    #[test]
    fn invalid_utf8_inside_an_object_is_an_error_record() {
        let input = b"{\"id\":\"\xff\",\"mode\":\"air\"}\n";
        let rs = read(input);
        assert_eq!(rs.len(), 1);
        let d = &errors(&rs[0])[0];
        assert!(d.message.contains("invalid unicode"), "{}", d.message);
        assert_eq!(d.location.line, Some(1));
    }

    #[test]
    fn truncated_file_yields_truncated_record() {
        let input = format!("{F1}\n{{\"id\":\"A3\",\"mode\":");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "ERR"]);
        assert_eq!(rs[1].line, 2);
        assert!(errors(&rs[1])[0].message.starts_with("truncated"));
        // Truncated inside a string.
        let rs = read(br#"{"id":"A3","mo"#);
        assert!(errors(&rs[0])[0].message.starts_with("truncated"));
        // An unclosed array.
        let input = format!("[\n{F1},\n{F2}");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "A2", "ERR"]);
        assert_eq!(errors(&rs[2])[0].message, "truncated: the JSON array opened on line 1 is not closed (missing `]`)");
        // An unclosed element in an array.
        let rs = read(format!("[{F1},{{\"id\":").as_bytes());
        assert_eq!(ids(&rs), ["A1", "ERR", "ERR"]);
    }

    #[test]
    fn truncated_line_in_json_lines_resynchronizes() {
        // The writer died mid-line, then later lines were appended.
        let input = format!("{F1}\n{{\"id\":\"A3\",\"mode\":\"mar\n{F2}\n{{\"id\":\"A4\",\"parties\":[\n{F1}\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "ERR", "A2", "ERR", "A1"]);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(
            errors(&rs[1])[0].message,
            "truncated: the object is not closed before line 3, which starts a new one"
        );
        assert_eq!(rs[3].raw, br#"{"id":"A4","parties":["#);
    }

    #[test]
    fn well_formed_unindented_objects_are_never_cut() {
        // Valid JSON with a nested object in column 1 and an unknown field: the heuristic cut for
        // truncated lines applies only to malformed input.
        let input = format!(
            "{{\"id\":\"A5\",\"mode\":\"air\",\"direction\":\"import\",\"country\":\"CA\",\"stage\":\"arrival\",\"parties\":[\n{{\"role\":\"carrier\",\"fax\":\"1\"}}\n]}}\n{F1}\n"
        );
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A5", "A1"]);
        assert_eq!(rs[1].line, 4);
        let Ok(p) = &rs[0].outcome else { panic!() };
        assert_eq!(p.diagnostics[0].location.path.as_deref(), Some("parties[0].fax"));
        assert_eq!(p.diagnostics[0].location.line, Some(1));
    }

    #[test]
    fn non_object_array_elements_are_error_records() {
        let input = format!("[1, \"two\", [3], null, {F1}, }}, {F2}]");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["ERR", "ERR", "ERR", "ERR", "A1", "ERR", "A2"]);
        assert_eq!(errors(&rs[0])[0].message, "expected a JSON object, found number 1");
        assert_eq!(errors(&rs[1])[0].message, "expected a JSON object, found string \"two\"");
        assert_eq!(errors(&rs[2])[0].message, "expected a JSON object, found an array");
        assert_eq!(errors(&rs[1])[0].location.column, Some(5));
    }

    #[test]
    fn huge_line_is_skipped_and_reading_resynchronizes() {
        let huge = format!("{{\"id\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES + 10));
        let input = format!("{F1}\n{huge}\n{F2}\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), ["A1", "ERR", "A2"]);
        assert_eq!(rs[1].raw.len(), OVERSIZED_RAW_KEEP);
        assert_eq!(rs[2].line, 3);
        assert!(errors(&rs[1])[0].message.starts_with("record is larger than the limit"));
    }

    #[test]
    fn oversized_records_with_a_small_cap() {
        // An unbalanced huge line resynchronizes at the newline, even before an indented object.
        let input = format!("{{\"a\":[[[[[[[[[[[{}\n  {F1}\n", "1,".repeat(100));
        let rs: Vec<_> = JsonRecords::new(input.as_bytes()).with_max_record_bytes(100).collect();
        assert_eq!(ids(&rs), ["ERR", "A1"]);
        assert_eq!(rs[1].line, 2);
        assert_eq!(rs[0].raw.len(), 100);
        // Without the cap, the same unbalanced line swallows the indented object and ends truncated.
        let rs: Vec<_> = JsonRecords::new(input.as_bytes()).collect();
        assert_eq!(ids(&rs), ["ERR"]);
        // In an array, at the end of the element.
        let big = format!("{{\"id\":\"{}\",\"x\":[\n1\n]}}", "y".repeat(200));
        let input = format!("[{big},\n{F1}]");
        let rs: Vec<_> = JsonRecords::new(input.as_bytes()).with_max_record_bytes(128).collect();
        assert_eq!(ids(&rs), ["ERR", "A1"]);
        assert_eq!(rs[1].line, 4);
        // A huge junk line.
        let input = format!("{}\n{F1}\n", "z".repeat(1000));
        let rs: Vec<_> = JsonRecords::new(input.as_bytes()).with_max_record_bytes(128).collect();
        assert_eq!(ids(&rs), ["ERR", "A1"]);
        assert_eq!(rs[0].raw.len(), 128);
    }

    #[test]
    fn strings_with_brackets_and_escapes_do_not_confuse_the_scanner() {
        let tricky = r#"{"id":"a}]\"{[\\","mode":"air","direction":"import","country":"CA","stage":"arrival"}"#;
        let input = format!("{tricky}\n[{tricky},{F1}]\n");
        let rs = read(input.as_bytes());
        assert_eq!(ids(&rs), [r#"a}]"{[\"#, r#"a}]"{[\"#, "A1"]);
    }

    #[test]
    fn bom_is_skipped() {
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend_from_slice(F1.as_bytes());
        let rs = read(&input);
        assert_eq!(ids(&rs), ["A1"]);
    }

    struct Failing;
    impl io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn read_errors_end_the_stream_with_an_error_record() {
        let rs: Vec<_> = JsonRecords::new(BufReader::new(Failing)).collect();
        assert_eq!(rs.len(), 1);
        assert_eq!(errors(&rs[0])[0].message, "read error: disk on fire");
    }
}
