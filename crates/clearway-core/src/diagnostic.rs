//! Diagnostics from lenient readers: what was wrong, how bad, where, and a stable machine [`code`]
//! that programs (responses, statistics, partner systems) match on instead of the English text.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Noted; the value was kept or repaired.
    Warning,
    /// The input (or this part of it) could not be accepted.
    Error,
}

/// Where in the input a diagnostic points: a field path, and/or line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Location {
    /// Field path such as `goods[2].hs_code`, or an EDI position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(l) = self.line {
            write!(f, "line {l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
            first = false;
        }
        if let Some(p) = &self.path {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(p)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine code from [`code`] (`EDI-UNT-COUNT`, `FIELD-MISSING`, ...). Empty on diagnostics
    /// made before codes existed (stored ones deserialise without it) and on those of crates that set none.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub code: Cow<'static, str>,
    pub location: Location,
    pub message: String,
}

fn is_empty(s: &Cow<'static, str>) -> bool {
    s.is_empty()
}

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: Cow::Borrowed(""),
            location: Location { path: Some(path.into()), ..Location::default() },
            message: message.into(),
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code: Cow::Borrowed(""),
            location: Location { path: Some(path.into()), ..Location::default() },
            message: message.into(),
        }
    }

    /// A diagnostic with no path (a position only, or the whole input).
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity, code: Cow::Borrowed(code), location: Location::default(), message: message.into() }
    }

    /// Set the machine code (one of [`code`]).
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Cow::Borrowed(code);
        self
    }

    /// The machine code, empty when none was set.
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Point at `location`.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Set the line (and column) this diagnostic points to.
    pub fn at_line(mut self, line: u64, column: Option<u64>) -> Self {
        self.location.line = Some(line);
        self.location.column = column;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}: {}: {}", self.location, self.message)
    }
}

/// The machine codes of [`Diagnostic::code`]. A code names a class of problem, never one input: it
/// is stable across releases (a code may be added, never renamed or reused), and the responses pick
/// their error codes from it (EDIFACT CUSRES `ERC`, X12 997 `AK5`/`AK9` and 355 `K1`, WCO DM
/// `Error/ValidationCode`), not from the English message.
///
/// | code | severity | meaning |
/// |---|---|---|
/// | `FIELD-MISSING` | error / warning | a required identity field is missing (error); an optional fact is absent and left unknown (warning) |
/// | `FIELD-INVALID` | error / warning | a value cannot be read (wrong type, not a number, not a code); required: error, else dropped |
/// | `FIELD-UNKNOWN` | warning | a field, column or element Clearway does not know; ignored |
/// | `FIELD-REPAIRED` | warning | a value was converted or repaired (a number in a string, a single value for a list) |
/// | `CODE-UNMAPPED` | warning | a code or qualifier outside Clearway's tables (party, location, date qualifier, port code); ignored |
/// | `CODE-DEFAULTED` | warning | a fact was inferred or defaulted (inland waterway as marine, agency from an office) |
/// | `DATE-INVALID` | warning | a date or time in no form Clearway reads; dropped |
/// | `TOO-MANY-PROBLEMS` | error / warning | the reader gave up after too many repairs (error); further diagnostics were not listed (warning) |
/// | `INPUT-READ` | error | the input could not be read (I/O) |
/// | `INPUT-EMPTY` | error | nothing to read (no segments, no element) |
/// | `MESSAGE-NOT-FILING` | error | a message that is not a cargo filing (X12 310/350, EDIFACT PAXLST, ...): "not a cargo filing: TYPE" |
/// | `MESSAGE-RESPONSE` | warning | a response document (WCO DM response, X12 997/355, CUSRES) read back as a response, not a filing |
/// | `MESSAGE-EMPTY` | error | a message that holds no filing (a 309 without bills) |
/// | `JSON-SYNTAX` | error | malformed JSON |
/// | `JSON-TRUNCATED` | error | a JSON value cut off (end of input, or a new record starts) |
/// | `JSON-NOT-OBJECT` | error | a record that is not a JSON object |
/// | `RECORD-TOO-LARGE` | error | a record over the size limit; skipped |
/// | `CSV-HEADER` | error / warning | the CSV header lacks a required column, or names an unknown one |
/// | `CSV-ROW` | warning | a CSV row with more or fewer cells than the header |
/// | `EDI-SYNTAX` | error | EDIFACT tokenizer: not a segment, bad UNA, release character at the end, unterminated segment |
/// | `EDI-CHARSET` | error | bytes outside the character set the UNB declares |
/// | `EDI-UNB-MISSING` | warning | no UNB interchange header |
/// | `EDI-UNB-SEQUENCE` | error | UNB before the previous interchange's UNZ |
/// | `EDI-UNT-COUNT` | error | UNT segment count differs from the message's segments |
/// | `EDI-UNT-REF` | error | UNT reference differs from the UNH reference (or a UNT without UNH) |
/// | `EDI-UNT-MISSING` | error | a message without UNT: truncated, rejected |
/// | `EDI-UNE-COUNT` | error | UNE message count differs from the group's messages |
/// | `EDI-UNE-REF` | error | UNE reference differs from the UNG reference (or a UNE without UNG) |
/// | `EDI-UNZ-COUNT` | error | UNZ count differs from the interchange's messages or groups |
/// | `EDI-UNZ-REF` | error | UNZ reference differs from the UNB reference |
/// | `EDI-UNZ-MISSING` | error | no UNZ: the interchange is truncated |
/// | `EDI-STRAY-SEGMENT` | warning | a segment outside UNH..UNT; ignored |
/// | `X12-ISA` | error | no readable ISA header (delimiters unknown) |
/// | `X12-SYNTAX` | error | the last segment has no terminator: the input looks truncated |
/// | `X12-SE-COUNT` | error | SE01 segment count differs from the transaction set's segments |
/// | `X12-SE-CONTROL` | error | SE02 differs from ST02 |
/// | `X12-SE-MISSING` | error | a transaction set without SE: rejected |
/// | `X12-GE-COUNT` | error | GE01 differs from the group's transaction sets |
/// | `X12-GE-CONTROL` | error | GE02 differs from GS06 |
/// | `X12-GE-MISSING` | error | a functional group without GE |
/// | `X12-GS-MISSING` | warning | a transaction set outside a functional group (bare ST..SE, or no GS) |
/// | `X12-IEA-COUNT` | error | IEA01 differs from the functional groups |
/// | `X12-IEA-CONTROL` | error | IEA02 differs from ISA13 |
/// | `X12-IEA-MISSING` | error / warning | no IEA trailer (error); a bare ST..SE without ISA/IEA (warning) |
/// | `X12-ENVELOPE` | error | a second ISA, data after IEA, SE/GE without ST/GS |
/// | `X12-STRAY-SEGMENT` | error | a segment outside ST..SE |
/// | `XML-NOT-WELL-FORMED` | error | the XML is not well-formed: syntax, mismatched or duplicate names, text or elements outside the document element (with line and column) |
/// | `XML-TRUNCATED` | error | the document ends inside an element |
/// | `XML-TOO-DEEP` | error | elements nested beyond the reader's bound |
/// | `XML-DOCTYPE` | warning | a DOCTYPE (no DTD processing) |
/// | `XML-ENTITY` | error / warning | an undeclared entity or a bad character reference: not well-formed (error); an entity the DOCTYPE declares, never expanded (warning) |
/// | `XML-NAMESPACE` | warning | an undeclared prefix, or an element in a non-WCO namespace (ignored) |
/// | `XML-ENCODING` | warning | text that is not UTF-8, replaced |
/// | `XML-NOT-DECLARATION` | error | the document holds no WCO DM Declaration |
pub mod code {
    pub const FIELD_MISSING: &str = "FIELD-MISSING";
    pub const FIELD_INVALID: &str = "FIELD-INVALID";
    pub const FIELD_UNKNOWN: &str = "FIELD-UNKNOWN";
    pub const FIELD_REPAIRED: &str = "FIELD-REPAIRED";
    pub const CODE_UNMAPPED: &str = "CODE-UNMAPPED";
    pub const CODE_DEFAULTED: &str = "CODE-DEFAULTED";
    pub const DATE_INVALID: &str = "DATE-INVALID";
    pub const TOO_MANY_PROBLEMS: &str = "TOO-MANY-PROBLEMS";
    pub const INPUT_READ: &str = "INPUT-READ";
    pub const INPUT_EMPTY: &str = "INPUT-EMPTY";
    pub const MESSAGE_NOT_FILING: &str = "MESSAGE-NOT-FILING";
    pub const MESSAGE_RESPONSE: &str = "MESSAGE-RESPONSE";
    pub const MESSAGE_EMPTY: &str = "MESSAGE-EMPTY";
    pub const JSON_SYNTAX: &str = "JSON-SYNTAX";
    pub const JSON_TRUNCATED: &str = "JSON-TRUNCATED";
    pub const JSON_NOT_OBJECT: &str = "JSON-NOT-OBJECT";
    pub const RECORD_TOO_LARGE: &str = "RECORD-TOO-LARGE";
    pub const CSV_HEADER: &str = "CSV-HEADER";
    pub const CSV_ROW: &str = "CSV-ROW";
    pub const EDI_SYNTAX: &str = "EDI-SYNTAX";
    pub const EDI_CHARSET: &str = "EDI-CHARSET";
    pub const EDI_UNB_MISSING: &str = "EDI-UNB-MISSING";
    pub const EDI_UNB_SEQUENCE: &str = "EDI-UNB-SEQUENCE";
    pub const EDI_UNT_COUNT: &str = "EDI-UNT-COUNT";
    pub const EDI_UNT_REF: &str = "EDI-UNT-REF";
    pub const EDI_UNT_MISSING: &str = "EDI-UNT-MISSING";
    pub const EDI_UNE_COUNT: &str = "EDI-UNE-COUNT";
    pub const EDI_UNE_REF: &str = "EDI-UNE-REF";
    pub const EDI_UNZ_COUNT: &str = "EDI-UNZ-COUNT";
    pub const EDI_UNZ_REF: &str = "EDI-UNZ-REF";
    pub const EDI_UNZ_MISSING: &str = "EDI-UNZ-MISSING";
    pub const EDI_STRAY_SEGMENT: &str = "EDI-STRAY-SEGMENT";
    pub const X12_ISA: &str = "X12-ISA";
    pub const X12_SYNTAX: &str = "X12-SYNTAX";
    pub const X12_SE_COUNT: &str = "X12-SE-COUNT";
    pub const X12_SE_CONTROL: &str = "X12-SE-CONTROL";
    pub const X12_SE_MISSING: &str = "X12-SE-MISSING";
    pub const X12_GE_COUNT: &str = "X12-GE-COUNT";
    pub const X12_GE_CONTROL: &str = "X12-GE-CONTROL";
    pub const X12_GE_MISSING: &str = "X12-GE-MISSING";
    pub const X12_GS_MISSING: &str = "X12-GS-MISSING";
    pub const X12_IEA_COUNT: &str = "X12-IEA-COUNT";
    pub const X12_IEA_CONTROL: &str = "X12-IEA-CONTROL";
    pub const X12_IEA_MISSING: &str = "X12-IEA-MISSING";
    pub const X12_ENVELOPE: &str = "X12-ENVELOPE";
    pub const X12_STRAY_SEGMENT: &str = "X12-STRAY-SEGMENT";
    pub const XML_NOT_WELL_FORMED: &str = "XML-NOT-WELL-FORMED";
    pub const XML_TRUNCATED: &str = "XML-TRUNCATED";
    pub const XML_TOO_DEEP: &str = "XML-TOO-DEEP";
    pub const XML_DOCTYPE: &str = "XML-DOCTYPE";
    pub const XML_ENTITY: &str = "XML-ENTITY";
    pub const XML_NAMESPACE: &str = "XML-NAMESPACE";
    pub const XML_ENCODING: &str = "XML-ENCODING";
    pub const XML_NOT_DECLARATION: &str = "XML-NOT-DECLARATION";

    /// Every code, for tests and documentation checks.
    pub const ALL: &[&str] = &[
        FIELD_MISSING,
        FIELD_INVALID,
        FIELD_UNKNOWN,
        FIELD_REPAIRED,
        CODE_UNMAPPED,
        CODE_DEFAULTED,
        DATE_INVALID,
        TOO_MANY_PROBLEMS,
        INPUT_READ,
        INPUT_EMPTY,
        MESSAGE_NOT_FILING,
        MESSAGE_RESPONSE,
        MESSAGE_EMPTY,
        JSON_SYNTAX,
        JSON_TRUNCATED,
        JSON_NOT_OBJECT,
        RECORD_TOO_LARGE,
        CSV_HEADER,
        CSV_ROW,
        EDI_SYNTAX,
        EDI_CHARSET,
        EDI_UNB_MISSING,
        EDI_UNB_SEQUENCE,
        EDI_UNT_COUNT,
        EDI_UNT_REF,
        EDI_UNT_MISSING,
        EDI_UNE_COUNT,
        EDI_UNE_REF,
        EDI_UNZ_COUNT,
        EDI_UNZ_REF,
        EDI_UNZ_MISSING,
        EDI_STRAY_SEGMENT,
        X12_ISA,
        X12_SYNTAX,
        X12_SE_COUNT,
        X12_SE_CONTROL,
        X12_SE_MISSING,
        X12_GE_COUNT,
        X12_GE_CONTROL,
        X12_GE_MISSING,
        X12_GS_MISSING,
        X12_IEA_COUNT,
        X12_IEA_CONTROL,
        X12_IEA_MISSING,
        X12_ENVELOPE,
        X12_STRAY_SEGMENT,
        XML_NOT_WELL_FORMED,
        XML_TRUNCATED,
        XML_TOO_DEEP,
        XML_DOCTYPE,
        XML_ENTITY,
        XML_NAMESPACE,
        XML_ENCODING,
        XML_NOT_DECLARATION,
    ];

    /// Whether a code names a problem of an EDI envelope or XML document rather than of one filing:
    /// control counts and references, missing trailers, syntax, character set.
    pub fn is_envelope(code: &str) -> bool {
        code.starts_with("EDI-") || code.starts_with("X12-") || code.starts_with("XML-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_serialises_and_old_diagnostics_still_read() {
        let d = Diagnostic::error("segment 5 UNT, element 1", "count").with_code(code::EDI_UNT_COUNT);
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""code":"EDI-UNT-COUNT""#), "{json}");
        assert_eq!(serde_json::from_str::<Diagnostic>(&json).unwrap(), d);
        let old = r#"{"severity":"error","location":{"path":"id"},"message":"missing required field `id`"}"#;
        let d: Diagnostic = serde_json::from_str(old).unwrap();
        assert_eq!(d.code(), "");
        assert!(!serde_json::to_string(&d).unwrap().contains("code"));
    }

    #[test]
    fn codes_are_unique_and_documented() {
        let doc = include_str!("diagnostic.rs");
        for (i, c) in code::ALL.iter().enumerate() {
            assert!(!code::ALL[..i].contains(c), "{c} twice");
            assert!(doc.contains(&format!("/// | `{c}` |")), "{c} is not in the table of `code`");
            assert!(c.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'), "{c}");
        }
    }
}
