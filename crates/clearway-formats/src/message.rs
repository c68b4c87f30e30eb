//! Message-oriented inputs — EDI interchanges (EDIFACT, X12) and XML documents (WCO Data Model) —
//! read whole into an [`Interchange`] of [`Message`]s, each yielding zero or more filings and getting
//! one response in the sender's format.

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Severity};

use crate::{Parsed, Record};

/// Which message family an [`Interchange`] came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// UN/EDIFACT (ISO 9735): CUSCAR and friends.
    Edifact,
    /// ANSI ASC X12: the 309 customs manifest.
    X12,
    /// WCO Data Model XML declaration (DMS style).
    WcoXml,
}

/// One interchange or document, as read.
#[derive(Debug, Clone)]
pub struct Interchange {
    pub format: MessageFormat,
    /// Sender and recipient identifications from the envelope (UNB, ISA, or the declaration).
    pub sender: Option<String>,
    pub recipient: Option<String>,
    /// Interchange control reference (UNB 0020, ISA13, or the document's id).
    pub control_ref: Option<String>,
    /// X12 functional groups (GS..GE) in order. Empty for other formats.
    pub groups: Vec<FunctionalGroup>,
    /// Envelope-level problems not tied to one message (control counts, truncation, character set).
    pub diagnostics: Vec<Diagnostic>,
    pub messages: Vec<Message>,
}

/// An X12 functional group, as its GS header names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionalGroup {
    /// GS01, the functional identifier code (`SO` for 309 manifests).
    pub id: String,
    /// GS06, the group control number.
    pub control: String,
    /// 1-based segment number of the GS: the group's messages follow it, up to the next group's GS.
    pub segment: u64,
}

/// One message (EDIFACT UNH..UNT, X12 ST..SE, one XML declaration).
#[derive(Debug, Clone)]
pub struct Message {
    /// Message reference (UNH 0062, ST02, declaration functional reference).
    pub reference: String,
    /// Message type: `CUSCAR`, `309`, `DEC-DMS`, ...
    pub kind: String,
    /// 1-based line where the message starts.
    pub line: u64,
    /// 1-based segment number (EDI) where the message starts; 0 for XML.
    pub segment: u64,
    /// The message's raw bytes.
    pub raw: Vec<u8>,
    /// Filings understood (one per consignment, bill or declaration), each with its warnings.
    pub filings: Vec<Parsed>,
    /// Problems of the message itself; any `Severity::Error` rejects it (then `filings` is empty).
    pub diagnostics: Vec<Diagnostic>,
}

impl Message {
    /// Accepted: no error-severity diagnostic.
    pub fn accepted(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

impl Interchange {
    /// Flatten into records for the screening pipeline: one record per filing of an accepted message
    /// (carrying the message's raw bytes and line), one rejected record per rejected message, and one
    /// rejected record for envelope errors (raw: the whole input) — so a wrong control count is stored
    /// and makes the run exit 2 while the cargo is still screened.
    pub fn into_records(mut self, whole: &[u8]) -> Vec<Record> {
        // Every diagnostic names a line: the message's (or the input's first) where the reader gave none.
        fn place(diags: &mut [Diagnostic], line: u64) {
            for d in diags.iter_mut().filter(|d| d.location.line.is_none()) {
                d.location.line = Some(line.max(1));
            }
        }
        place(&mut self.diagnostics, 1);
        for m in &mut self.messages {
            let line = m.line;
            place(&mut m.diagnostics, line);
            for p in &mut m.filings {
                place(&mut p.diagnostics, line);
            }
        }
        let mut out = Vec::new();
        if self.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            out.push(Record { line: 1, raw: whole.to_vec(), outcome: Err(self.diagnostics.clone()) });
        }
        for m in self.messages {
            if !m.accepted() || m.filings.is_empty() {
                let mut diags = m.diagnostics;
                if diags.is_empty() {
                    let d = Diagnostic::error(format!("{} {}", m.kind, m.reference), "the message holds no filing").with_code(code::MESSAGE_EMPTY);
                    diags.push(d.at_line(m.line.max(1), None));
                }
                out.push(Record { line: m.line, raw: m.raw, outcome: Err(diags) });
                continue;
            }
            for mut p in m.filings {
                p.diagnostics.extend(m.diagnostics.iter().cloned());
                out.push(Record { line: m.line, raw: m.raw.clone(), outcome: Ok(p) });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    /// Found by `cargo fuzz run json_records`: an XML-looking input whose diagnostics had no line.
    #[test]
    fn fuzz_regression_xml_junk_diagnostics_have_lines() {
        let input: &[u8] = b"\t<\0\0\0\0=MMMMMMM:M\0\0\0\x1fM />J\0\x8a\t";
        let recs: Vec<_> = crate::records(std::io::Cursor::new(input.to_vec())).collect();
        assert!(!recs.is_empty());
        for r in &recs {
            for d in r.outcome.as_ref().err().into_iter().flatten().chain(r.outcome.as_ref().ok().into_iter().flat_map(|p| &p.diagnostics)) {
                assert!(d.location.line.is_some(), "{d}");
            }
        }
    }
}
