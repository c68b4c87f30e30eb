//! Message-oriented inputs — EDI interchanges (EDIFACT, X12) and XML documents (WCO Data Model) —
//! read whole into an [`Interchange`] of [`Message`]s, each yielding zero or more filings and getting
//! one response in the sender's format.

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
    /// Envelope-level problems not tied to one message (control counts, truncation, character set).
    pub diagnostics: Vec<Diagnostic>,
    pub messages: Vec<Message>,
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
    pub fn into_records(self, whole: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        if self.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            out.push(Record { line: 1, raw: whole.to_vec(), outcome: Err(self.diagnostics.clone()) });
        }
        for m in self.messages {
            if !m.accepted() || m.filings.is_empty() {
                let mut diags = m.diagnostics;
                if diags.is_empty() {
                    diags.push(Diagnostic::error(format!("{} {}", m.kind, m.reference), "the message holds no filing"));
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
