//! Readers for Clearway's native filing formats: lenient, pure (no file or network I/O; readers are
//! generic over [`std::io::BufRead`] / [`std::io::Read`]) and panic-free on any input.
//!
//! Principal items:
//!
//! * [`parse_filing_json`]: one JSON object → [`Parsed`] (a [`Filing`] plus warnings about what was
//!   converted, dropped or ignored), or the [`Diagnostic`]s that rejected it. Fast typed path, with a
//!   repairing slow path only for inputs that need it; see [`json`].
//! * [`JsonRecords`]: a stream of [`Record`]s from a JSON array or JSON Lines, read incrementally
//!   with a record-size cap and resynchronization after bad records; see [`stream`].
//! * [`CsvRecords`]: the CSV flat form for simple filings (columns documented in [`csv`] and in
//!   `schema/filing.csv.md`).
//! * [`detect`] and [`records`]: content-based format detection and dispatch.
//! * [`filing_schema`]: the JSON Schema of [`Filing`], checked in as `schema/filing.schema.json`.

use std::io::{BufRead, Cursor, ErrorKind, Read as _};

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Filing};

pub mod csv;
pub mod edifact;
pub mod json;
pub mod message;
pub mod stream;
pub mod wco;
pub mod x12;

pub use csv::CsvRecords;
pub use json::parse_filing_json;
pub use message::{EnvelopeStatus, FunctionalGroup, Interchange, Message, MessageFormat, Parts};
pub use stream::{JsonRecords, MAX_RECORD_BYTES};

/// A filing that was understood, with warnings about what was repaired or ignored.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub filing: Filing,
    pub diagnostics: Vec<Diagnostic>,
}

/// One input record (a JSON line, an array element, a CSV row) and what became of it.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The record's raw bytes, as received.
    pub raw: Vec<u8>,
    /// The filing, or the errors (with at least one `Severity::Error`) that rejected it.
    pub outcome: Result<Parsed, Vec<Diagnostic>>,
}

/// An input format, as told by [`detect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of filings.
    Json,
    /// JSON objects one after another: JSON Lines, or a single (possibly pretty-printed) object.
    JsonLines,
    /// The CSV flat form with its header row.
    Csv,
    /// A UN/EDIFACT interchange (`UNA` or `UNB` first).
    Edifact,
    /// An ANSI X12 interchange (`ISA` first).
    X12,
    /// An XML document (WCO Data Model declaration).
    WcoXml,
    Unknown,
}

impl Format {
    /// The message family, for formats read whole as an [`Interchange`].
    pub fn message_format(self) -> Option<MessageFormat> {
        match self {
            Format::Edifact => Some(MessageFormat::Edifact),
            Format::X12 => Some(MessageFormat::X12),
            Format::WcoXml => Some(MessageFormat::WcoXml),
            _ => None,
        }
    }
}

/// Read a whole EDI interchange or XML document, the family detected from the content.
pub fn read_interchange(bytes: &[u8]) -> Option<Interchange> {
    match detect(bytes).message_format()? {
        MessageFormat::Edifact => Some(edifact::read(bytes)),
        MessageFormat::X12 => Some(x12::read(bytes)),
        MessageFormat::WcoXml => Some(wco::read(bytes)),
    }
}

/// How many bytes [`records`] reads ahead to detect the format.
pub const DETECT_PREFIX_BYTES: usize = 64 << 10;

/// The buffer [`records`] reads through: large, so that few records straddle its end (those take
/// the scanner's slower path).
pub const READ_BUFFER_BYTES: usize = 256 << 10;

/// Tell the format from the first bytes of the content (not the file name): after an optional
/// UTF-8 byte-order mark and whitespace, `[` is a JSON array and `{` JSON objects; a first line
/// whose comma-separated names include `id` and `mode` is the CSV flat form.
pub fn detect(prefix: &[u8]) -> Format {
    let prefix = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => return Format::Json,
        Some(b'{') => return Format::JsonLines,
        Some(b'<') => return Format::WcoXml,
        None => return Format::Unknown,
        Some(_) => {}
    }
    let start = prefix.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    let rest = &prefix[start..];
    if rest.starts_with(b"UNA") || rest.starts_with(b"UNB") {
        return Format::Edifact;
    }
    if rest.starts_with(b"ISA") || x12::bare_delimiters(rest).is_some() {
        return Format::X12;
    }
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    let names: Vec<String> = line
        .split(|&b| b == b',')
        .map(|n| String::from_utf8_lossy(n).trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    if names.iter().any(|n| n == "id") && names.iter().any(|n| n == "mode") { Format::Csv } else { Format::Unknown }
}

/// Records from any supported format, detected from the content: reads up to the first line (at
/// most [`DETECT_PREFIX_BYTES`]) ahead, then reads the whole stream (that prefix included) with
/// [`CsvRecords`] or [`JsonRecords`]. Content that is neither goes to [`JsonRecords`], which turns
/// each unreadable line into an error record and still picks up any JSON objects.
pub fn records<R: BufRead + 'static>(mut reader: R) -> Box<dyn Iterator<Item = Record>> {
    let mut prefix = Vec::new();
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // The reader meets the error again and reports it as a record.
            Err(_) => break,
        };
        if buf.is_empty() {
            break;
        }
        let room = DETECT_PREFIX_BYTES - prefix.len();
        let (take, newline) = match memchr::memchr(b'\n', buf) {
            Some(i) if i < room => (i + 1, true),
            _ => (buf.len().min(room), false),
        };
        prefix.extend_from_slice(&buf[..take]);
        reader.consume(take);
        let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&prefix);
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'[' | b'{' | b'<')) || (first.is_some() && newline) || prefix.len() >= DETECT_PREFIX_BYTES {
            break;
        }
    }
    let format = detect(&prefix);
    let mut input = std::io::BufReader::with_capacity(READ_BUFFER_BYTES, Cursor::new(prefix).chain(reader));
    match format {
        Format::Csv => Box::new(CsvRecords::new(input)),
        Format::Edifact | Format::X12 | Format::WcoXml => {
            // Interchanges are read whole: control counts close them, and responses refer to them.
            let mut bytes = Vec::new();
            if let Err(e) = input.read_to_end(&mut bytes) {
                let d = Diagnostic::error("input", format!("read error: {e}")).with_code(code::INPUT_READ);
                return Box::new(std::iter::once(Record { line: 1, raw: bytes, outcome: Err(vec![d]) }));
            }
            match read_interchange(&bytes) {
                Some(ic) => Box::new(ic.into_records(&bytes).into_iter()),
                None => Box::new(JsonRecords::new(Cursor::new(bytes))),
            }
        }
        Format::Json | Format::JsonLines | Format::Unknown => Box::new(JsonRecords::new(input)),
    }
}

/// An HS code written in free text (a goods description, a marks line): the number after a keyword
/// (`HS`, `HTS`, `HS CODE`, `TARIFF`, `COMMODITY`, `TARIC`, `CN`), else the first dotted tariff
/// number (`4011.20`, `4011.20.00`, `8471.30.0100`). Plain digit runs without a keyword are not taken
/// (they are as often weights, marks or references). Returns the digits.
pub(crate) fn hs_in_text(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(|c: char| c.is_whitespace() || matches!(c, ':' | ';' | ',' | '=' | '#')).filter(|w| !w.is_empty()).collect();
    const KEYS: [&str; 8] = ["HS", "HTS", "HSCODE", "TARIFF", "COMMODITY", "TARIC", "CN", "HTSUS"];
    for (i, w) in words.iter().enumerate() {
        if KEYS.contains(&w.trim_end_matches('.')) {
            for next in words.iter().skip(i + 1).take(2) {
                let t = next.trim_matches(|c: char| !c.is_ascii_digit());
                if let Some(hs) = clearway_core::codes::normalize_hs(t) {
                    return Some(hs.into_owned());
                }
            }
        }
    }
    words.iter().find_map(|w| {
        let t = w.trim_matches(|c: char| !c.is_ascii_digit());
        let groups: Vec<&str> = t.split('.').collect();
        let dotted = groups.len() >= 2
            && groups[0].len() == 4
            && groups[1..].iter().all(|g| (2..=4).contains(&g.len()))
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if dotted { clearway_core::codes::normalize_hs(t).map(|c| c.into_owned()) } else { None }
    })
}

/// The JSON Schema of [`Filing`] (draft 2020-12), as generated by `schemars`.
pub fn filing_schema() -> serde_json::Value {
    schemars::schema_for!(Filing).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    const F1: &str = r#"{"id":"A1","mode":"marine","direction":"import","country":"CA","stage":"arrival"}"#;

    #[test]
    fn hs_codes_in_free_text() {
        assert_eq!(hs_in_text(". 4011.20.00 TRUCK TIRES . 99999/23").as_deref(), Some("40112000"));
        assert_eq!(hs_in_text("IRON COIL HS CODE: 720851").as_deref(), Some("720851"));
        assert_eq!(hs_in_text("HTS 8471.30.0100 laptops").as_deref(), Some("8471300100"));
        assert_eq!(hs_in_text("390 UNITS 288085 KG"), None);
        assert_eq!(hs_in_text("SHIP1234"), None);
        assert_eq!(hs_in_text("VERSION 1.2"), None);
    }

    #[test]
    fn bare_x12_transaction_set_is_x12() {
        assert_eq!(detect(b"ST*309*0001~\nM10*SCAC~"), Format::X12);
        assert_eq!(detect(b"STATUS,mode\n"), Format::Unknown);
    }

    #[test]
    fn detect_by_content() {
        assert_eq!(detect(b"  \n[{"), Format::Json);
        assert_eq!(detect(b"\xEF\xBB\xBF{\"id\""), Format::JsonLines);
        assert_eq!(detect(b"id,mode,direction\nA,air"), Format::Csv);
        assert_eq!(detect(b"\"version\",\"ID\" , Mode\n"), Format::Csv);
        assert_eq!(detect(b"identifier,model\n"), Format::Unknown);
        assert_eq!(detect(b""), Format::Unknown);
        assert_eq!(detect(b"\x00\x01\xff"), Format::Unknown);
    }

    fn ids(rs: &[Record]) -> Vec<String> {
        rs.iter().map(|r| r.outcome.as_ref().map_or("ERR".to_string(), |p| p.filing.id.clone())).collect()
    }

    #[test]
    fn records_dispatches_on_content() {
        let json = format!("\n\n[{F1}]");
        let rs: Vec<_> = records(Cursor::new(json.into_bytes())).collect();
        assert_eq!(ids(&rs), ["A1"]);
        assert_eq!(rs[0].line, 3);
        let csv = "id,mode,direction,country,stage\nC1,air,import,US,arrival\n";
        let rs: Vec<_> = records(Cursor::new(csv.as_bytes().to_vec())).collect();
        assert_eq!(ids(&rs), ["C1"]);
        assert_eq!(rs[0].line, 2);
        let lines = format!("{F1}\n{F1}\n");
        let rs: Vec<_> = records(BufReader::with_capacity(4, Cursor::new(lines.into_bytes()))).collect();
        assert_eq!(ids(&rs), ["A1", "A1"]);
        assert_eq!(rs[1].line, 2);
        let rs: Vec<_> = records(Cursor::new(format!("junk\n{F1}\n").into_bytes())).collect();
        assert_eq!(ids(&rs), ["ERR", "A1"]);
        assert_eq!(records(Cursor::new(Vec::new())).count(), 0);
        assert_eq!(records(Cursor::new(b"  \n\n ".to_vec())).count(), 0);
    }

    #[test]
    fn csv_detected_through_a_tiny_buffer() {
        let csv = "id,mode,direction,country,stage\nC1,air,import,US,arrival\n";
        let rs: Vec<_> = records(BufReader::with_capacity(3, Cursor::new(csv.as_bytes().to_vec()))).collect();
        assert_eq!(ids(&rs), ["C1"]);
    }

    /// The checked-in schema must match the model. To regenerate:
    /// `CLEARWAY_BLESS=1 cargo test -p clearway-formats schema`.
    #[test]
    fn schema_file_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/filing.schema.json");
        let mut expected = serde_json::to_string_pretty(&filing_schema()).expect("schema serializes");
        expected.push('\n');
        if std::env::var_os("CLEARWAY_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &expected).expect("write schema/filing.schema.json");
            return;
        }
        // Compared as JSON values, so key order (serde_json's `preserve_order`) does not matter.
        let actual =
            std::fs::read_to_string(&path).ok().and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
        assert!(
            actual.as_ref() == Some(&filing_schema()),
            "schema/filing.schema.json is stale or missing; regenerate it with\n    \
             CLEARWAY_BLESS=1 cargo test -p clearway-formats schema\nand commit the result"
        );
    }

    /// The readers' lists of required fields agree with the schema's.
    #[test]
    fn required_fields_agree_with_schema() {
        let schema = filing_schema();
        let names = |v: &serde_json::Value| -> Vec<String> {
            let mut out: Vec<String> =
                v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect();
            out.sort();
            out
        };
        let mut top = json::REQUIRED_FIELDS.map(str::to_string).to_vec();
        top.sort();
        assert_eq!(names(&schema["required"]), top);
        let mut nested: Vec<String> = Vec::new();
        for def in schema["$defs"].as_object().into_iter().flat_map(|m| m.values()) {
            nested.extend(names(&def["required"]));
        }
        nested.sort();
        nested.dedup();
        let mut ours: Vec<String> = json::NESTED_REQUIRED.iter().map(|(_, f)| f.to_string()).collect();
        ours.sort();
        ours.dedup();
        assert_eq!(nested, ours, "update json::NESTED_REQUIRED to follow the model");
    }
}
