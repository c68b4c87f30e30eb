//! WCO Data Model 3.6 declaration XML (DMS style, as used by UK CDS): [`read`] a document into an
//! [`Interchange`] (one [`Message`] per `Declaration`), and [`response`] writes a
//! DMS-style `Response` (FunctionCode 01 accepted, 03 rejected with `Error` elements).
//!
//! Elements are matched by local name in the WCO namespaces (`urn:wco:datamodel:...`, and the
//! UN/CEFACT code-list ones such as `clm63055`) or in no namespace; an undeclared prefix is a warning
//! and the element still maps; elements in other namespaces are ignored with a warning.
//!
//! Security: no DTD processing and no entity expansion (a `<!DOCTYPE>` is a warning and ignored; an
//! undefined entity reference is a warning), no external resources, bounded depth. Malformed or
//! truncated XML gives error diagnostics with the element path and line, never a panic.
//!
//! Agency country rule: `MetaData/ResponsibleCountryCode`, else the country prefix of the declaration's
//! office (`DeclarationOffice`, `PresentationOffice`, `SupervisingOffice`, `ExitOffice`), else the
//! importer's (import) or exporter's (export) country: any ISO 3166 country (GB for CDS, NG, ...) is
//! the filing's [`AgencyCountry`](clearway_core::AgencyCountry). A code that is not a country, or none
//! at all, gives [`DEFAULT_AGENCY`] (US) with a warning naming what was found.

mod map;
mod tree;

use chrono::{DateTime, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Severity};

use crate::Parsed;
use crate::message::{Interchange, Message, MessageFormat};

pub use map::DEFAULT_AGENCY;
use tree::Node;

/// Message kind of a declaration.
pub const KIND_DECLARATION: &str = "DEC-DMS";
/// Message kind of a response / notification read as input (always rejected).
pub const KIND_RESPONSE: &str = "RES-DMS";

/// Read one WCO DM XML document. Never panics.
pub fn read(bytes: &[u8]) -> Interchange {
    let doc = tree::parse(bytes);
    let mut ic = Interchange {
        format: MessageFormat::WcoXml,
        sender: None,
        recipient: None,
        control_ref: None,
        groups: Vec::new(),
        diagnostics: Vec::new(),
        messages: Vec::new(),
    };
    // A submission envelope (SOAP `Envelope`/`Body`, a `submitDeclarationRequest` or any other wrapper
    // element) is looked through: the first `MetaData`, `Declaration` or `Response` found (breadth
    // first, bounded by the tree's depth) is the document.
    let mut wrappers: Vec<String> = Vec::new();
    let root = doc.root.as_ref().map(|r| unwrap(r, &mut wrappers));
    let meta = root.filter(|r| r.name == "MetaData");
    ic.recipient = meta.and_then(|m| {
        m.text_at("ResponsibleAgencyName")
            .or_else(|| m.text_at("ResponsibleCountryCode"))
    });
    // Top-level documents: the root itself, or the children of a MetaData wrapper.
    let tops: Vec<&Node> = match (root, meta) {
        (_, Some(m)) => m
            .children
            .iter()
            .filter(|c| !c.foreign && (c.name == "Declaration" || c.name == "Response"))
            .collect(),
        (Some(r), None) if r.name == "Declaration" || r.name == "Response" => vec![r],
        _ => Vec::new(),
    };
    let (mut warnings, errors): (Vec<Diagnostic>, Vec<Diagnostic>) = doc
        .diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Warning);
    if !wrappers.is_empty() && !tops.is_empty() {
        let line = root.map_or(1, |r| r.line);
        warnings.push(
            Diagnostic::warning(
                wrappers.join("/"),
                format!("the document is wrapped in <{}>; read from the <{}> inside", wrappers.join("><"), root.map_or("", |r| r.name.as_str())),
            )
            .with_code(code::FIELD_REPAIRED)
            .at_line(line, None),
        );
    }
    // Any error of the XML itself (not well-formed, truncated, too deep) rejects the document.
    let fatal = doc.fatal || !errors.is_empty();

    if fatal || tops.is_empty() {
        let reference = tops
            .first()
            .and_then(|t| {
                t.text_at("FunctionalReferenceID")
                    .or_else(|| t.text_at("ID"))
            })
            .unwrap_or_else(|| "?".to_string());
        let mut diags = errors;
        diags.extend(warnings);
        if tops.is_empty() && !fatal {
            let name = root.map(|r| r.name.as_str()).unwrap_or("");
            diags.push(Diagnostic::error(
                name,
                format!(
                    "<{name}> is not a WCO DM Declaration (nor a MetaData wrapper holding one)"
                ),
            ).with_code(code::XML_NOT_DECLARATION));
        }
        ic.control_ref = Some(reference.clone());
        // A DM response: recognised, not a reject.
        if tops.first().is_some_and(|t| t.name == "Response") && !fatal {
            let fc = tops[0].text_at("FunctionCode").unwrap_or_default();
            let d = Diagnostic::warning("Response", format!("a response (Response, FunctionCode {fc}), not a declaration: read as a response"))
                .with_code(code::MESSAGE_RESPONSE);
            diags.retain(|d| d.severity == Severity::Warning);
            diags.push(d);
        }
        ic.messages.push(Message {
            reference,
            kind: KIND_DECLARATION.into(),
            line: 1,
            segment: 0,
            raw: bytes.to_vec(),
            filings: Vec::new(),
            diagnostics: diags,
        });
        return ic;
    }

    // Document-level warnings (DOCTYPE, undeclared prefixes...) go with every message.
    for top in tops {
        let reference = top
            .text_at("FunctionalReferenceID")
            .or_else(|| top.text_at("ID"))
            .unwrap_or_else(|| "?".to_string());
        if ic.control_ref.is_none() {
            ic.control_ref = Some(reference.clone());
        }
        let mut msg = Message {
            reference,
            kind: KIND_DECLARATION.into(),
            line: top.line,
            segment: 0,
            raw: bytes.to_vec(),
            filings: Vec::new(),
            diagnostics: Vec::new(),
        };
        if top.name == "Response" {
            msg.kind = KIND_RESPONSE.into();
            let fc = top.text_at("FunctionCode").unwrap_or_default();
            msg.diagnostics.push(
                Diagnostic::warning(
                    "Response",
                    format!("a response (MetaData/Response, FunctionCode {fc}), not a declaration: read as a response"),
                ).with_code(code::MESSAGE_RESPONSE)
                .at_line(top.line, None),
            );
            msg.diagnostics.extend(warnings.iter().cloned());
            ic.messages.push(msg);
            continue;
        }
        let mapped = map::declaration(top, meta);
        if ic.sender.is_none() {
            ic.sender = mapped.sender;
        }
        let (mwarn, merr): (Vec<Diagnostic>, Vec<Diagnostic>) = mapped
            .diagnostics
            .into_iter()
            .partition(|d| d.severity == Severity::Warning);
        if merr.is_empty() {
            let mut fdiags = warnings.clone();
            fdiags.extend(mwarn);
            msg.filings.push(Parsed {
                filing: mapped.filing,
                diagnostics: fdiags,
            });
        } else {
            msg.diagnostics = merr;
            msg.diagnostics.extend(warnings.iter().cloned());
            msg.diagnostics.extend(mwarn);
        }
        ic.messages.push(msg);
    }
    ic
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// DMS document section code for the element names we can point to.
fn section_code(name: &str) -> Option<&'static str> {
    match name {
        "Declaration" => Some("42A"),
        "GoodsShipment" => Some("67A"),
        "GovernmentAgencyGoodsItem" => Some("68A"),
        "Consignment" => Some("28A"),
        "Commodity" => Some("23A"),
        _ => None,
    }
}

/// The WCO document inside any wrapper elements: `root` itself when it is a `MetaData`, `Declaration`
/// or `Response`, else the first such element breadth first; the names of the wrappers passed through
/// are pushed to `wrappers`. `root` when there is none.
fn unwrap<'a>(root: &'a Node, wrappers: &mut Vec<String>) -> &'a Node {
    const DOCS: [&str; 3] = ["MetaData", "Declaration", "Response"];
    let is_doc = |n: &Node| !n.foreign && DOCS.contains(&n.name.as_str());
    if is_doc(root) {
        return root;
    }
    // (node, index of its parent in `seen`)
    let mut seen: Vec<(&Node, usize)> = vec![(root, usize::MAX)];
    let mut i = 0;
    while i < seen.len() && seen.len() < 10_000 {
        let (n, _) = seen[i];
        for c in &n.children {
            if is_doc(c) {
                let mut chain = vec![n.name.clone()];
                let mut p = seen[i].1;
                while p != usize::MAX {
                    chain.push(seen[p].0.name.clone());
                    p = seen[p].1;
                }
                chain.reverse();
                wrappers.extend(chain);
                return c;
            }
            seen.push((c, i));
        }
        i += 1;
    }
    root
}

/// A DMS-style `MetaData`/`Response` document: FunctionCode `01` (accepted) or `03` (rejected), the
/// declaration's FunctionalReferenceID, IssueDateTime (format 304) = `issued` (the caller's clock: this
/// crate never reads it), and for a rejection one `Error` per error diagnostic (ValidationCode = the
/// diagnostic's machine code, Description, and one `Pointer` per element of the path, with
/// SequenceNumeric, DocumentSectionCode where known, and TagID = the element name).
pub fn response(ic: &Interchange, msg: &Message, issued: DateTime<Utc>) -> Vec<u8> {
    let accepted = msg.accepted();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<md:MetaData xmlns:md=\"urn:wco:datamodel:WCO:DocumentMetaData-DMS:2\" xmlns=\"urn:wco:datamodel:WCO:RES-DMS:2\">\n");
    x.push_str("  <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>\n");
    x.push_str("  <md:WCOTypeName>RES</md:WCOTypeName>\n");
    if let Some(r) = &ic.recipient {
        x.push_str(&format!(
            "  <md:ResponsibleAgencyName>{}</md:ResponsibleAgencyName>\n",
            esc(r)
        ));
    }
    x.push_str("  <Response>\n");
    x.push_str(&format!(
        "    <FunctionCode>{}</FunctionCode>\n",
        if accepted { "01" } else { "03" }
    ));
    x.push_str(&format!(
        "    <FunctionalReferenceID>{}</FunctionalReferenceID>\n",
        esc(&msg.reference)
    ));
    x.push_str(&format!(
        "    <IssueDateTime><DateTimeString formatCode=\"304\">{}</DateTimeString></IssueDateTime>\n",
        issued.format("%Y%m%d%H%M%SZ")
    ));
    if !accepted {
        for d in msg.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            x.push_str("    <Error>\n");
            x.push_str(&format!(
                "      <Description>{}</Description>\n",
                esc(&d.to_string())
            ));
            let c = if d.code().is_empty() { "UNSPECIFIED" } else { d.code() };
            x.push_str(&format!("      <ValidationCode>{}</ValidationCode>\n", esc(c)));
            let path = d.location.path.as_deref().unwrap_or("");
            for seg in path.split('/').filter(|s| !s.is_empty()) {
                let (name, seq) = match seg.split_once('[') {
                    Some((n, rest)) => (n, rest.trim_end_matches(']')),
                    None => (seg, "1"),
                };
                x.push_str("      <Pointer>");
                x.push_str(&format!("<SequenceNumeric>{}</SequenceNumeric>", esc(seq)));
                if let Some(code) = section_code(name) {
                    x.push_str(&format!(
                        "<DocumentSectionCode>{code}</DocumentSectionCode>"
                    ));
                }
                x.push_str(&format!("<TagID>{}</TagID>", esc(name)));
                x.push_str("</Pointer>\n");
            }
            x.push_str("    </Error>\n");
        }
    }
    x.push_str("    <Declaration>\n");
    x.push_str(&format!(
        "      <FunctionalReferenceID>{}</FunctionalReferenceID>\n",
        esc(&msg.reference)
    ));
    x.push_str("    </Declaration>\n");
    x.push_str("  </Response>\n");
    x.push_str("</md:MetaData>\n");
    x.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wco_minimal_declaration_and_time_formats() {
        let x = br#"<Declaration><FunctionalReferenceID>A</FunctionalReferenceID><TypeCode>EXD</TypeCode><IssueDateTime><DateTimeString formatCode="304">20191113172216Z</DateTimeString></IssueDateTime><BorderTransportMeans><ModeCode>3</ModeCode></BorderTransportMeans></Declaration>"#;
        let ic = read(x);
        let f = &ic.messages[0].filings[0].filing;
        assert_eq!(
            f.times.filed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2019-11-13T17:22:16+00:00")
        );
        assert_eq!(f.mode, clearway_core::Mode::Highway);
    }

    #[test]
    fn wco_missing_mode_is_a_warning() {
        let ic = read(b"<Declaration><ID>A</ID><TypeCode>IMA</TypeCode></Declaration>");
        assert!(ic.messages[0].accepted());
        let p = &ic.messages[0].filings[0];
        assert_eq!(p.filing.mode, clearway_core::Mode::Unknown);
        let d = p.diagnostics.iter().find(|d| d.code() == code::FIELD_MISSING).expect("a warning");
        assert_eq!(d.location.path.as_deref(), Some("Declaration/BorderTransportMeans/ModeCode"));
    }
}
