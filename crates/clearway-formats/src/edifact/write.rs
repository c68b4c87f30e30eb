//! Writers: [`write_cuscar`] and [`cusres`] (see the [module docs](super)).

use chrono::{DateTime, Timelike, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Direction, Filing, FilingStatus, Mode, Severity, Stage};

use super::cuscar::qualifier_of;
use super::token::escape_into;
use crate::message::{Interchange, Message};

/// Segment builder with the default separators; counts segments for UNT.
struct W {
    out: Vec<u8>,
    count: u64,
}

impl W {
    /// One segment: elements of components, trailing empties trimmed, values escaped.
    fn seg(&mut self, tag: &str, elements: &[&[&str]]) {
        self.out.extend_from_slice(tag.as_bytes());
        let last_el = elements.iter().rposition(|e| e.iter().any(|c| !c.is_empty())).map_or(0, |i| i + 1);
        for e in &elements[..last_el] {
            self.out.push(b'+');
            let last_c = e.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
            for (i, c) in e[..last_c].iter().enumerate() {
                if i > 0 {
                    self.out.push(b':');
                }
                escape_into(&mut self.out, c);
            }
        }
        self.out.extend_from_slice(b"'\n");
        self.count += 1;
    }
}

fn dtm(t: &DateTime<Utc>) -> (String, &'static str) {
    if t.second() == 0 {
        (t.format("%Y%m%d%H%M").to_string(), "203")
    } else {
        (t.format("%Y%m%d%H%M%S").to_string(), "204")
    }
}

fn unb_date(t: Option<&DateTime<Utc>>) -> (String, String) {
    match t {
        Some(t) => (t.format("%y%m%d").to_string(), t.format("%H%M").to_string()),
        None => ("000101".into(), "0000".into()),
    }
}

fn num(v: f64) -> String {
    format!("{v}")
}

/// A D.03B-style CUSCAR interchange, one message per filing (see the module docs for what
/// round-trips through [`super::read`]).
pub fn write_cuscar(filings: &[Filing], sender: &str, recipient: &str, control_ref: &str) -> Vec<u8> {
    let mut w = W { out: Vec::with_capacity(64 + filings.len() * 1200), count: 0 };
    w.out.extend_from_slice(b"UNA:+.? '\n");
    let (d, t) = unb_date(filings.first().and_then(|f| f.times.filed_at.as_ref()));
    w.seg("UNB", &[&["UNOW", "4"], &[sender], &[recipient], &[&d, &t], &[control_ref]]);
    for (i, f) in filings.iter().enumerate() {
        w.count = 0;
        let mref = (i + 1).to_string();
        w.seg("UNH", &[&[&mref], &["CUSCAR", "D", "03B", "UN"]]);
        let status = match f.status {
            FilingStatus::Original => "9",
            FilingStatus::Amendment => "4",
            FilingStatus::Cancellation => "1",
        };
        w.seg("BGM", &[&["85"], &[&f.id], &[status]]);
        if let Some(t) = &f.times.filed_at {
            let (v, fmt) = dtm(t);
            w.seg("DTM", &[&["137", &v, fmt]]);
        }
        let stage = match f.stage {
            Stage::PreLoad => "PL",
            Stage::PreArrival => "PA",
            Stage::Arrival => "AR",
            Stage::Export => "EX",
        };
        w.seg("GIS", &[&[stage, "STG", "CLW"]]);
        let dir = match f.direction {
            Direction::Import => "IM",
            Direction::Export => "EX",
            Direction::InTransit => "IT",
        };
        w.seg("GIS", &[&[dir, "DIR", "CLW"]]);
        w.seg("LOC", &[&["22"], &[f.country.as_str(), "162"]]);
        let it = &f.itinerary;
        for (q, v) in [("9", &it.place_of_loading), ("11", &it.place_of_discharge), ("60", &it.first_port_of_arrival)] {
            if let Some(v) = v {
                w.seg("LOC", &[&[q], &[v, "139"]]);
            }
        }
        for c in &it.routing {
            w.seg("LOC", &[&["34"], &[c, "162"]]);
        }
        for (q, t) in [("132", &f.times.arrival), ("133", &f.times.departure), ("200", &f.times.loading)] {
            if let Some(t) = t {
                let (v, fmt) = dtm(t);
                w.seg("DTM", &[&[q, &v, fmt]]);
            }
        }
        let mode = f.mode.rec19();
        let c = f.conveyance.clone().unwrap_or_default();
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let reference = match f.mode {
            Mode::Air => c.flight.clone().or(c.voyage.clone()).unwrap_or_default(),
            _ => s(&c.voyage),
        };
        let (id, list) = match f.mode {
            Mode::Highway => (s(&c.plate), if c.plate.is_some() { "PLT" } else { "" }),
            _ => (s(&c.imo), if c.imo.is_some() { "146" } else { "" }),
        };
        let name = s(&c.vessel_name);
        w.seg("TDT", &[&["20"], &[&reference], &[mode], &[], &[], &[], &[], &[&id, list, "", &name]]);
        w.seg("CNI", &[&["1"], &[&f.id]]);
        w.seg("RFF", &[&["BM", &f.id]]);
        for p in &f.parties {
            let (id0, sch0) = p.ids.first().map_or(("", ""), |i| (i.value.as_str(), i.scheme.as_str()));
            let a = p.address.clone().unwrap_or_default();
            let country = p.country.clone().or(a.country.clone()).unwrap_or_default();
            w.seg(
                "NAD",
                &[
                    &[qualifier_of(p.role)],
                    &[id0, sch0],
                    &[],
                    &[&p.name],
                    &[&s(&a.street)],
                    &[&s(&a.city)],
                    &[&s(&a.subdivision)],
                    &[&s(&a.postcode)],
                    &[&country],
                ],
            );
            for i in p.ids.iter().skip(1) {
                w.seg("RFF", &[&["ZPI", &i.value, &i.scheme]]);
            }
        }
        let eq_q = if f.mode == Mode::Highway { "TE" } else { "CN" };
        for e in &f.equipment {
            let full = if e.empty { "4" } else { "5" };
            w.seg("EQD", &[&[eq_q], &[&e.number], &[&s(&e.size_type)], &[], &[], &[full]]);
            for seal in &e.seals {
                w.seg("SEL", &[&[seal]]);
            }
        }
        for (n, g) in f.goods.iter().enumerate() {
            let pk = g.packages.map(|p| p.to_string()).unwrap_or_default();
            w.seg("GID", &[&[&(n + 1).to_string()], &[&pk, &s(&g.package_type)]]);
            if !g.description.is_empty() {
                w.seg("FTX", &[&["AAA"], &[], &[], &[&g.description]]);
            }
            if let Some(kg) = g.gross_kg.filter(|v| v.is_finite()) {
                w.seg("MEA", &[&["AAE"], &["G"], &["KGM", &num(kg)]]);
            }
            if let Some(hs) = &g.hs_code {
                w.seg("PIA", &[&["5"], &[hs, "HS"]]);
            }
            if let Some(un) = &g.un_number {
                w.seg("DGS", &[&["IMD"], &[], &[un]]);
            }
            if let Some(o) = &g.origin {
                w.seg("LOC", &[&["27"], &[o, "162"]]);
            }
            for cn in &g.containers {
                w.seg("SGP", &[&[cn]]);
            }
        }
        let n = (w.count + 1).to_string();
        w.seg("UNT", &[&[&n], &[&mref]]);
    }
    w.seg("UNZ", &[&[&filings.len().to_string()], &[control_ref]]);
    w.out
}

/// The segment number a diagnostic path names (`segment 12 NAD, ...` → 12).
fn segment_of(d: &Diagnostic) -> Option<u64> {
    let p = d.location.path.as_deref()?;
    let rest = p.strip_prefix("segment ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The CUSRES `ERC` code of a diagnostic, from its machine code (see the module docs).
fn error_code(d: &Diagnostic) -> &'static str {
    match d.code() {
        code::MESSAGE_NOT_FILING | code::MESSAGE_RESPONSE => "TYP",
        code::EDI_UNT_MISSING | code::EDI_UNZ_MISSING | code::JSON_TRUNCATED | code::XML_TRUNCATED => "TRN",
        code::EDI_UNT_COUNT
        | code::EDI_UNT_REF
        | code::EDI_UNE_COUNT
        | code::EDI_UNE_REF
        | code::EDI_UNZ_COUNT
        | code::EDI_UNZ_REF => "CTL",
        code::EDI_SYNTAX | code::EDI_CHARSET | code::EDI_UNB_SEQUENCE => "SYN",
        _ => "GEN",
    }
}

/// Interchange-level errors (UNZ, UNE) are not any one message's.
fn interchange_level(d: &Diagnostic) -> bool {
    matches!(d.code(), code::EDI_UNZ_COUNT | code::EDI_UNZ_REF | code::EDI_UNE_COUNT | code::EDI_UNE_REF)
}

/// A CUSRES answering `msg` of `ic`, issued at `issued` (the UNB date; the caller's clock, never
/// read here). See the module docs for the codes.
pub fn cusres(ic: &Interchange, msg: &Message, issued: DateTime<Utc>) -> Vec<u8> {
    let mut w = W { out: Vec::with_capacity(512), count: 0 };
    w.out.extend_from_slice(b"UNA:+.? '\n");
    let sender = ic.recipient.as_deref().unwrap_or("UNKNOWN");
    let recipient = ic.sender.as_deref().unwrap_or("UNKNOWN");
    let cref = ic.control_ref.as_deref().filter(|r| !r.is_empty()).unwrap_or("1");
    let (d, t) = unb_date(Some(&issued));
    w.seg("UNB", &[&["UNOW", "4"], &[sender], &[recipient], &[&d, &t], &[cref]]);
    w.count = 0;
    w.seg("UNH", &[&["1"], &["CUSRES", "D", "03B", "UN"]]);
    let accepted = msg.accepted();
    w.seg("BGM", &[&[if accepted { "962" } else { "961" }], &[&msg.reference], &["9"]]);
    w.seg("RFF", &[&["ACW", &msg.reference]]);
    let next = ic.messages.iter().map(|m| m.segment).filter(|&s| s > msg.segment).min().unwrap_or(u64::MAX);
    let envelope = ic
        .diagnostics
        .iter()
        .filter(|d| segment_of(d).is_some_and(|s| s >= msg.segment && s < next) && !interchange_level(d));
    for d in msg.diagnostics.iter().chain(envelope).filter(|d| d.severity == Severity::Error) {
        w.seg("ERP", &[&["1"]]);
        let pos =
            segment_of(d).filter(|&s| s >= msg.segment).map(|s| (s - msg.segment + 1).to_string()).unwrap_or_default();
        w.seg("RFF", &[&["ACW", &msg.reference, &pos]]);
        w.seg("ERC", &[&[error_code(d), "ZZZ"]]);
        w.seg("FTX", &[&["AAO"], &[], &[], &[&format!("{}: {}", d.location, d.message)]]);
    }
    let n = (w.count + 1).to_string();
    w.seg("UNT", &[&[&n], &["1"]]);
    w.seg("UNZ", &[&["1"], &[cref]]);
    w.out
}
