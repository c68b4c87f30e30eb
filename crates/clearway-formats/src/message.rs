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

    /// A response document read back (WCO DM response, X12 997/355, EDIFACT CUSRES): neither a filing
    /// nor a reject.
    pub fn is_response(&self) -> bool {
        self.accepted() && self.filings.is_empty() && self.diagnostics.iter().any(|d| d.code() == code::MESSAGE_RESPONSE)
    }
}

/// How an interchange's envelope came through (control counts and references, trailers, syntax,
/// character set): the typed signal the service layer decides stored state, exit code and response on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeStatus {
    /// No envelope diagnostic.
    Clean,
    /// Only warnings (a bare X12 transaction set, an unknown syntax identifier...).
    Warnings,
    /// At least one envelope error. The messages' cargo is still read and each message is judged on
    /// its own; the error is the interchange's, not any filing's.
    Errors,
}

/// An interchange split for the service layer: the envelope on its own, and one outcome per filing or
/// rejected message (see [`Interchange::into_parts`]).
#[derive(Debug, Clone)]
pub struct Parts {
    pub format: MessageFormat,
    pub control_ref: Option<String>,
    pub envelope: EnvelopeStatus,
    /// Envelope-level diagnostics (every one has a line and a machine code).
    pub envelope_diagnostics: Vec<Diagnostic>,
    /// One record per filing of an accepted message (its warnings include, as warnings, the envelope
    /// errors on its message's segments), one rejected record per rejected message. Response documents
    /// read back give none.
    pub records: Vec<Record>,
    /// Response documents read back: (message type, reference).
    pub responses: Vec<(String, String)>,
}

impl Interchange {
    /// Flatten into records, as [`records`](crate::records) gives them: [`Interchange::into_parts`]'s
    /// records, preceded by one rejected record holding the envelope errors (raw: the whole input) when
    /// there are any. That record is the interchange's, not a filing's: a caller that stores it as a
    /// rejected filing beside the same cargo screened reports one message two ways — use
    /// [`Interchange::into_parts`] and [`EnvelopeStatus`] instead.
    pub fn into_records(self, whole: &[u8]) -> Vec<Record> {
        let parts = self.into_parts(whole);
        let mut out = Vec::with_capacity(parts.records.len() + 1);
        if parts.envelope == EnvelopeStatus::Errors {
            let errors = parts.envelope_diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect();
            out.push(Record { line: 1, raw: whole.to_vec(), outcome: Err(errors) });
        }
        out.extend(parts.records);
        out
    }

    /// Whether the envelope came through clean, with warnings, or with errors.
    pub fn envelope_status(&self) -> EnvelopeStatus {
        if self.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            EnvelopeStatus::Errors
        } else if self.diagnostics.is_empty() {
            EnvelopeStatus::Clean
        } else {
            EnvelopeStatus::Warnings
        }
    }

    /// Split into the envelope's outcome and the messages' records, so the envelope's errors are
    /// reported once, for the interchange, and never as a rejected filing beside the same cargo
    /// screened. See [`Parts`].
    pub fn into_parts(mut self, _whole: &[u8]) -> Parts {
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
        let envelope = self.envelope_status();
        let mut records = Vec::new();
        let mut responses = Vec::new();
        let starts: Vec<u64> = self.messages.iter().map(|m| m.segment).collect();
        for (k, m) in self.messages.into_iter().enumerate() {
            if m.is_response() {
                responses.push((m.kind, m.reference));
                continue;
            }
            if !m.accepted() || m.filings.is_empty() {
                let mut diags = m.diagnostics;
                if diags.is_empty() {
                    let d = Diagnostic::error(format!("{} {}", m.kind, m.reference), "the message holds no filing")
                        .with_code(code::MESSAGE_EMPTY);
                    diags.push(d.at_line(m.line.max(1), None));
                }
                records.push(Record { line: m.line, raw: m.raw, outcome: Err(diags) });
                continue;
            }
            // Envelope errors on this message's segments (EDI), as warnings on its filings.
            let next = starts.get(k + 1).copied().unwrap_or(u64::MAX);
            let own: Vec<Diagnostic> = self
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && m.segment > 0)
                .filter(|d| segment_of(d).is_some_and(|s| s >= m.segment && s < next))
                .map(|d| Diagnostic { severity: Severity::Warning, ..d.clone() })
                .collect();
            for mut p in m.filings {
                p.diagnostics.extend(m.diagnostics.iter().cloned());
                p.diagnostics.extend(own.iter().cloned());
                records.push(Record { line: m.line, raw: m.raw.clone(), outcome: Ok(p) });
            }
        }
        Parts {
            format: self.format,
            control_ref: self.control_ref,
            envelope,
            envelope_diagnostics: self.diagnostics,
            records,
            responses,
        }
    }
}

/// The segment number a diagnostic's path names (`segment 12 NAD, ...` → 12).
fn segment_of(d: &Diagnostic) -> Option<u64> {
    let rest = d.location.path.as_deref()?.strip_prefix("segment ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
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
