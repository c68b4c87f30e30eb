//! The envelope walk (ISA/IEA, GS/GE, ST/SE with control numbers and counts) and the 309 mapping.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clearway_core::diagnostic::code;
use clearway_core::codes::{is_iso3166_alpha2, is_unlocode_format, is_valid_imo, normalize_hs};
use clearway_core::{
    Address, AgencyCountry, CargoType, Conveyance, Diagnostic, Direction, Equipment, Filing, FilingKind,
    FilingStatus, GoodsItem, Identifier, Itinerary, Mode, Party, Role, Stage, Times,
};

use super::codes;
use super::tokenizer::{Delimiters, Segment, Tokenizer, trimmed};
use crate::Parsed;
use crate::message::{FunctionalGroup, Interchange, Message, MessageFormat};

/// Control numbers agree: the same digits, ignoring leading zeros and padding.
fn same_control(a: &[u8], b: &[u8]) -> bool {
    let norm = |x: &[u8]| {
        let t = trimmed(x).into_owned();
        let z = t.trim_start_matches('0');
        if z.is_empty() && !t.is_empty() { "0".to_string() } else { z.to_string() }
    };
    norm(a) == norm(b)
}

fn count_is(el: &[u8], n: u64) -> bool {
    trimmed(el).parse::<u64>().ok() == Some(n)
}

struct Group<'a> {
    gs: Segment<'a>,
    transactions: u64,
}

struct Open<'a> {
    st: Segment<'a>,
}

/// Read one X12 interchange. Never panics; every problem becomes a diagnostic: envelope problems
/// (control numbers, counts, missing trailers, stray segments) in [`Interchange::diagnostics`], a
/// transaction set's own problems in its [`Message::diagnostics`].
pub fn read(bytes: &[u8]) -> Interchange {
    let mut ic = Interchange {
        format: MessageFormat::X12,
        sender: None,
        recipient: None,
        control_ref: None,
        groups: Vec::new(),
        diagnostics: Vec::new(),
        messages: Vec::new(),
    };
    // A transaction set sent bare (ST..SE without ISA/GS/IEA) is read with the delimiters its ST shows.
    let bare = bare_delimiters(bytes);
    let mut tok = match (Tokenizer::new(bytes), bare) {
        (Ok(t), _) => t,
        (Err(_), Some(delims)) => {
            let skip = bytes.iter().position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF)).unwrap_or(0);
            let line = 1 + bytes[..skip].iter().filter(|&&b| b == b'\n').count() as u64;
            ic.diagnostics.push(
                Diagnostic::warning("segment 1 ST", "transaction set sent without an ISA/GS envelope (bare ST..SE); read as is")
                    .with_code(code::X12_GS_MISSING)
                    .at_line(line, None),
            );
            Tokenizer::with_delimiters(bytes, delims)
        }
        (Err(d), None) => {
            ic.diagnostics.push(d);
            return ic;
        }
    };
    let bare = bare.is_some() && !tok_has_isa(bytes);
    let mut isa: Option<Segment> = None;
    let mut group: Option<Group> = None;
    let mut groups = 0u64;
    let mut iea = false;
    let mut open: Option<Open> = None;
    let mut stray = 0u64;
    let mut last_line = 1;
    // One buffer for the segments of the current transaction set, reused.
    let mut buf: Vec<Segment> = Vec::new();
    for seg in &mut tok {
        last_line = seg.line;
        if iea {
            let what = if seg.id() == b"ISA" { "a second interchange" } else { "data" };
            ic.diagnostics.push(seg.error(code::X12_ENVELOPE, None, format!("{what} after the IEA trailer is ignored")));
            break;
        }
        match seg.id() {
            b"ISA" if isa.is_none() => {
                let text = |i| Some(seg.text(i).into_owned()).filter(|s| !s.is_empty());
                ic.sender = text(6);
                ic.recipient = text(8);
                ic.control_ref = text(13);
                isa = Some(seg);
            }
            b"ISA" => {
                ic.diagnostics.push(seg.error(code::X12_ENVELOPE, None, "a second ISA header inside the interchange; ignored"));
            }
            b"GS" => {
                if let Some(o) = open.take() {
                    close_unterminated(&mut ic, o, bytes, &seg, &mut buf);
                }
                if let Some(g) = group.take() {
                    ic.diagnostics
                        .push(g.gs.error(code::X12_GE_MISSING, None, format!("functional group has no GE trailer (segment {} starts another)", seg.number)));
                }
                groups += 1;
                ic.groups.push(FunctionalGroup {
                    id: seg.text(1).trim().to_owned(),
                    control: seg.text(6).trim().to_owned(),
                    segment: seg.number,
                });
                group = Some(Group { gs: seg, transactions: 0 });
            }
            b"ST" => {
                if let Some(o) = open.take() {
                    close_unterminated(&mut ic, o, bytes, &seg, &mut buf);
                }
                match group.as_mut() {
                    Some(g) => g.transactions += 1,
                    None if bare => {}
                    None => ic.diagnostics.push(seg.error(code::X12_GS_MISSING, None, "transaction set outside a functional group (no GS)")),
                }
                buf.clear();
                buf.push(seg);
                open = Some(Open { st: seg });
            }
            b"SE" => match open.take() {
                Some(o) => {
                    buf.push(seg);
                    let n = buf.len() as u64;
                    if !count_is(seg.element(1), n) {
                        ic.diagnostics.push(seg.error(code::X12_SE_COUNT, 
                            Some(1),
                            format!(
                                "SE01 says {} segments but transaction set {} has {n} (ST..SE)",
                                seg.text(1),
                                o.st.text(2)
                            ),
                        ));
                    }
                    if !same_control(seg.element(2), o.st.element(2)) {
                        ic.diagnostics.push(seg.error(code::X12_SE_CONTROL, 
                            Some(2),
                            format!("SE02 control number {} does not match ST02 {}", seg.text(2), o.st.text(2)),
                        ));
                    }
                    let raw = bytes.get(o.st.start..seg.end).unwrap_or_default();
                    let gs = group.as_ref().map(|g| g.gs);
                    ic.messages.push(transaction(&buf, raw, gs.as_ref()));
                }
                None => ic.diagnostics.push(seg.error(code::X12_ENVELOPE, None, "SE without a matching ST; ignored")),
            },
            b"GE" => {
                if let Some(o) = open.take() {
                    close_unterminated(&mut ic, o, bytes, &seg, &mut buf);
                }
                match group.take() {
                    Some(g) => {
                        if !count_is(seg.element(1), g.transactions) {
                            ic.diagnostics.push(seg.error(code::X12_GE_COUNT, 
                                Some(1),
                                format!("GE01 says {} transaction sets but the group has {}", seg.text(1), g.transactions),
                            ));
                        }
                        if !same_control(seg.element(2), g.gs.element(6)) {
                            ic.diagnostics.push(seg.error(code::X12_GE_CONTROL, 
                                Some(2),
                                format!("GE02 control number {} does not match GS06 {}", seg.text(2), g.gs.text(6)),
                            ));
                        }
                    }
                    None => ic.diagnostics.push(seg.error(code::X12_ENVELOPE, None, "GE without a matching GS; ignored")),
                }
            }
            b"IEA" => {
                if let Some(o) = open.take() {
                    close_unterminated(&mut ic, o, bytes, &seg, &mut buf);
                }
                if let Some(g) = group.take() {
                    ic.diagnostics.push(g.gs.error(code::X12_GE_MISSING, None, "functional group has no GE trailer"));
                }
                if !count_is(seg.element(1), groups) {
                    ic.diagnostics.push(seg.error(code::X12_IEA_COUNT, 
                        Some(1),
                        format!("IEA01 says {} functional groups but the interchange has {groups}", seg.text(1)),
                    ));
                }
                if let Some(i) = &isa
                    && !same_control(seg.element(2), i.element(13))
                {
                    ic.diagnostics.push(seg.error(code::X12_IEA_CONTROL, 
                        Some(2),
                        format!("IEA02 control number {} does not match ISA13 {}", seg.text(2), i.text(13)),
                    ));
                }
                iea = true;
            }
            _ => {
                if open.is_some() {
                    buf.push(seg);
                } else {
                    stray += 1;
                    if stray <= 10 {
                        ic.diagnostics.push(seg.error(code::X12_STRAY_SEGMENT, None, "segment outside a transaction set (ST..SE); ignored"));
                    }
                }
            }
        }
    }
    if stray > 10 {
        ic.diagnostics.push(
            Diagnostic::error("interchange", format!("{stray} segments outside transaction sets in all"))
                .with_code(code::X12_STRAY_SEGMENT),
        );
    }
    let end_line = tok.line().max(last_line);
    if tok.unterminated() {
        ic.diagnostics.push(
            Diagnostic::error("end of input", "the last segment has no terminator: the input looks truncated")
                .with_code(code::X12_SYNTAX)
                .at_line(last_line, None),
        );
    }
    if let Some(o) = open.take() {
        let st = o.st;
        let raw = bytes.get(st.start..).unwrap_or_default();
        ic.messages.push(rejected(&st, raw, code::X12_SE_MISSING, format!("transaction set {} {} has no SE trailer (the input ends)", st.text(1), st.text(2))));
    }
    if let Some(g) = group.take() {
        ic.diagnostics.push(g.gs.error(code::X12_GE_MISSING, None, "functional group has no GE trailer (the input ends)"));
    }
    if !iea && !bare {
        ic.diagnostics.push(
            Diagnostic::error("end of input", "the interchange has no IEA trailer: the input looks truncated")
                .with_code(code::X12_IEA_MISSING)
                .at_line(end_line, None),
        );
    }
    ic
}

fn tok_has_isa(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF)).unwrap_or(0);
    bytes[start..].starts_with(b"ISA")
}

/// The delimiters of a bare transaction set: `ST`, its element separator, then the set identifier
/// (three digits); the segment terminator is the first byte after that which is neither data nor the
/// element separator (`~`, `'`, or a line end). Component separator `>` (X12's usual; not otherwise used).
pub fn bare_delimiters(bytes: &[u8]) -> Option<Delimiters> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))?;
    let b = &bytes[start..];
    let element = *b.get(2)?;
    if !b.starts_with(b"ST") || element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return None;
    }
    if !b.get(3..6)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let segment = *b[3..].iter().take(200).find(|&&c| !(c.is_ascii_alphanumeric() || c == element || c == b' ' || c == b'\r'))?;
    if segment == element {
        return None;
    }
    let component = if segment == b'>' || element == b'>' { b':' } else { b'>' };
    Some(Delimiters { element, component, segment, repetition: None })
}

/// A transaction set cut off by another envelope segment: rejected.
fn close_unterminated<'a>(ic: &mut Interchange, o: Open<'a>, bytes: &[u8], next: &Segment<'a>, buf: &mut Vec<Segment<'a>>) {
    let st = o.st;
    let raw = bytes.get(st.start..next.start).unwrap_or_default();
    ic.messages.push(rejected(
        &st,
        raw,
        code::X12_SE_MISSING,
        format!("transaction set {} {} has no SE trailer (segment {} {} follows)", st.text(1), st.text(2), next.number, next.id_str()),
    ));
    buf.clear();
}

fn rejected(st: &Segment, raw: &[u8], code: &'static str, message: String) -> Message {
    Message {
        reference: st.text(2).into_owned(),
        kind: st.text(1).into_owned(),
        line: st.line,
        segment: st.number,
        raw: raw.to_vec(),
        filings: Vec::new(),
        diagnostics: vec![st.error(code, None, message)],
    }
}

/// One complete transaction set (ST..SE in `segs`).
fn transaction(segs: &[Segment], raw: &[u8], gs: Option<&Segment>) -> Message {
    let st = segs[0];
    let kind = st.text(1).into_owned();
    let mut m = Message {
        reference: st.text(2).into_owned(),
        kind: kind.clone(),
        line: st.line,
        segment: st.number,
        raw: raw.to_vec(),
        filings: Vec::new(),
        diagnostics: Vec::new(),
    };
    if matches!(kind.as_str(), "997" | "999" | "355" | "824") {
        // Responses (Clearway writes 997 and 355) are read back as responses: no filing, no reject.
        m.diagnostics.push(st.warning(code::MESSAGE_RESPONSE, Some(1), format!("a response ({kind}), not a cargo filing")));
        return m;
    }
    if kind != "309" {
        let what = match kind.as_str() {
            "310" => " (freight receipt)",
            "315" => " (container status)",
            "350" => " (customs status information)",
            "353" => " (customs events advisory)",
            "204" => " (load tender)",
            _ => "",
        };
        m.diagnostics.push(st.error(code::MESSAGE_NOT_FILING, Some(1), format!("not a cargo filing: {kind}{what}; only the 309 customs manifest is screened")));
        return m;
    }
    let filed_at = gs.and_then(|g| datetime(&g.text(4), &g.text(5)));
    map_309(segs, filed_at, &mut m);
    if m.filings.is_empty() && m.accepted() {
        m.diagnostics.push(st.error(code::MESSAGE_EMPTY, None, "the 309 holds no bill of lading (M11)"));
    }
    m
}

/// CCYYMMDD or YYMMDD (20YY), then HHMM[SS[d..]].
fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    match s.len() {
        8 => NaiveDate::parse_from_str(s, "%Y%m%d").ok(),
        6 => NaiveDate::parse_from_str(&format!("20{s}"), "%Y%m%d").ok(),
        _ => None,
    }
}

fn datetime(d: &str, t: &str) -> Option<DateTime<Utc>> {
    let day = date(d)?;
    let t = t.trim();
    let time = match t.len() {
        4 => NaiveTime::parse_from_str(t, "%H%M").ok(),
        l if l >= 6 => t.get(..6).and_then(|h| NaiveTime::parse_from_str(h, "%H%M%S").ok()),
        _ => None,
    }
    .unwrap_or_default();
    Some(day.and_time(time).and_utc())
}

fn num(b: &[u8]) -> Option<f64> {
    trimmed(b).parse::<f64>().ok().filter(|v| v.is_finite())
}

fn opt(b: &[u8]) -> Option<String> {
    let t = trimmed(b);
    (!t.is_empty()).then(|| t.into_owned())
}

/// Kilograms from a weight and its X12 unit (K kilograms, L pounds).
fn kg(weight: &[u8], unit: &[u8]) -> Option<f64> {
    let w = num(weight)?;
    match unit {
        b"L" => Some(w * 0.453_592_37),
        _ => Some(w),
    }
}

/// The place an M11 or P4 code names: a UN/LOCODE as is, else the table.
fn place(code: &str, table: fn(&str) -> Option<&'static str>) -> Option<String> {
    if let Some(l) = table(code) {
        return Some(l.to_string());
    }
    is_unlocode_format(code).then(|| code.replace(' ', ""))
}

/// What the last N1 opened: N3/N4 apply to it.
enum Current {
    None,
    Party(usize),
    Place,
}

struct Bill {
    filing: Filing,
    diags: Vec<Diagnostic>,
    current: Current,
    container: Option<String>,
    goods_open: bool,
    m11: (Option<u32>, Option<String>, Option<f64>),
}

struct Voyage {
    scac: Option<String>,
    conveyance: Option<Conveyance>,
    port: Option<String>,
    arrival: Option<DateTime<Utc>>,
    departure: Option<DateTime<Utc>>,
    port_diags: Vec<Diagnostic>,
}

fn map_309(segs: &[Segment], filed_at: Option<DateTime<Utc>>, m: &mut Message) {
    let mut v = Voyage { scac: None, conveyance: None, port: None, arrival: None, departure: None, port_diags: Vec::new() };
    let mut bill: Option<Bill> = None;
    let mut ids: Vec<String> = Vec::new();
    // An LX was seen since the current bill started: an N9*BM now starts a new bill.
    let mut new_loop = false;
    for s in &segs[1..segs.len().saturating_sub(1)] {
        match s.id() {
            b"M10" => {
                v.scac = opt(s.element(1));
                let code = s.text(4);
                let c = Conveyance {
                    vessel_name: opt(s.element(5)),
                    imo: is_valid_imo(&code).then(|| code.into_owned()),
                    voyage: opt(s.element(6)),
                    ..Conveyance::default()
                };
                v.conveyance = (c != Conveyance::default()).then_some(c);
            }
            b"P4" => {
                v.port_diags.clear();
                let code = s.text(1);
                v.port = place(&code, codes::schedule_d);
                if v.port.is_none() && !code.is_empty() {
                    v.port_diags.push(s.warning(code::CODE_UNMAPPED, 
                        Some(1),
                        format!("port of arrival {code} is not in Clearway's Schedule D table; first port of arrival left empty"),
                    ));
                }
                let d = s.text(2);
                v.arrival = date(&d).map(|d| d.and_time(NaiveTime::default()).and_utc());
                if v.arrival.is_none() && !d.is_empty() {
                    v.port_diags.push(s.warning(code::DATE_INVALID, Some(2), format!("arrival date {d} is not a date (CCYYMMDD or YYMMDD)")));
                }
            }
            b"LX" => new_loop = true,
            b"M11" => {
                if let Some(b) = bill.take() {
                    m.filings.push(finish(b, &v));
                }
                bill = Some(start_bill(s, &v, filed_at, &mut ids));
                new_loop = false;
            }
            // The bill of lading in N9*BM (309 and 5010 manifests that carry no M11): a bill of its own
            // when it opens an LX loop or comes before any bill; else it names an M11 without a number.
            b"N9" if s.element(1) == b"BM" && !s.element(2).is_empty() => {
                let id = s.text(2).into_owned();
                match bill.as_mut() {
                    Some(b) if !new_loop => {
                        if b.filing.id.is_empty() {
                            b.filing.id = id;
                            b.diags.retain(|d| d.code() != code::FIELD_MISSING || d.location.path.as_deref().is_none_or(|p| !p.contains(" M11")));
                        }
                    }
                    _ => {
                        if let Some(b) = bill.take() {
                            m.filings.push(finish(b, &v));
                        }
                        let mut diags = v.port_diags.clone();
                        if ids.contains(&id) {
                            let d = format!("bill of lading {id} appears more than once in this transaction set");
                            diags.push(s.warning(code::FIELD_INVALID, Some(2), d));
                        }
                        ids.push(id.clone());
                        bill = Some(new_bill(id, None, (None, None, None), &v, filed_at, diags));
                        new_loop = false;
                    }
                }
            }
            b"DTM" => {
                let t = dtm(s, &mut m.diagnostics);
                match (s.text(1).as_ref(), t, bill.as_mut()) {
                    (_, None, _) => {}
                    ("371" | "140" | "017" | "067", Some(t), Some(b)) => b.filing.times.arrival = Some(t),
                    ("371" | "140" | "017" | "067", Some(t), None) => v.arrival = Some(t),
                    ("369" | "370" | "011", Some(t), Some(b)) => b.filing.times.departure = Some(t),
                    ("369" | "370" | "011", Some(t), None) => v.departure = Some(t),
                    ("097", Some(t), Some(b)) => b.filing.times.filed_at = Some(t),
                    (q, Some(_), _) => m.diagnostics.push(s.warning(code::CODE_UNMAPPED, Some(1), format!("date qualifier {q} not used"))),
                }
            }
            _ => match bill.as_mut() {
                Some(b) => bill_segment(b, s),
                None => {
                    if !matches!(s.id(), b"VEH" | b"CII" | b"NM1" | b"DMS" | b"M13" | b"N9") {
                        m.diagnostics.push(s.warning(code::FIELD_UNKNOWN, None, "segment before the first bill (M11) ignored"));
                    }
                }
            },
        }
    }
    if let Some(b) = bill.take() {
        m.filings.push(finish(b, &v));
    }
}

fn start_bill(s: &Segment, v: &Voyage, filed_at: Option<DateTime<Utc>>, ids: &mut Vec<String>) -> Bill {
    let mut diags = v.port_diags.clone();
    let id = s.text(1).into_owned();
    if id.is_empty() {
        diags.push(s.warning(code::FIELD_MISSING, Some(1), "bill of lading number is empty"));
    } else if ids.contains(&id) {
        diags.push(s.warning(code::FIELD_INVALID, Some(1), format!("bill of lading {id} appears more than once in this transaction set")));
    }
    ids.push(id.clone());
    let loading = s.text(2);
    let place_of_loading = place(&loading, codes::schedule_k);
    if place_of_loading.is_none() && !loading.is_empty() {
        diags.push(s.warning(
            code::CODE_UNMAPPED,
            Some(2),
            format!("place of loading {loading} is neither in Clearway's Schedule K table nor a UN/LOCODE; left empty"),
        ));
    }
    let packages = trimmed(s.element(3)).parse::<u32>().ok();
    let weight = kg(s.element(5), s.element(6));
    new_bill(id, place_of_loading, (packages, opt(s.element(4)), weight), v, filed_at, diags)
}

/// A bill with what the voyage (M10, P4, DTM) says, `place_of_loading` and the M11 totals.
fn new_bill(
    id: String,
    place_of_loading: Option<String>,
    m11: (Option<u32>, Option<String>, Option<f64>),
    v: &Voyage,
    filed_at: Option<DateTime<Utc>>,
    diags: Vec<Diagnostic>,
) -> Bill {
    Bill {
        filing: Filing {
            id,
            version: 1,
            kind: FilingKind::default(),
            status: FilingStatus::Original,
            resubmits: None,
            mode: Mode::Marine,
            direction: Direction::Import,
            country: AgencyCountry::US,
            stage: Stage::PreArrival,
            cargo: None,
            fast: false,
            parties: Vec::new(),
            goods: Vec::new(),
            equipment: Vec::new(),
            conveyance: v.conveyance.clone(),
            itinerary: Itinerary {
                place_of_loading,
                place_of_discharge: None,
                first_port_of_arrival: v.port.clone(),
                routing: Vec::new(),
            },
            times: Times { filed_at, arrival: v.arrival, departure: v.departure, ..Times::default() },
            export: None,
        },
        diags,
        current: Current::None,
        container: None,
        goods_open: false,
        m11,
    }
}

/// X12 DTM: qualifier, date (CCYYMMDD or YYMMDD), time (HHMM[SS[d..]]) and time code (element 623:
/// UT/GM/Z universal; ET/ES/ED, CT/CS/CD, MT/MS/MD, PT/PS/PD, AT/AS/AD, HT/HS/HD North American zones
/// as standard or daylight time — `xT` taken as standard; LT local time read as UTC with a warning).
fn dtm(s: &Segment, diags: &mut Vec<Diagnostic>) -> Option<DateTime<Utc>> {
    let (d, t, zone) = (s.text(2), s.text(3), s.text(4));
    let Some(at) = datetime(&d, &t) else {
        if !d.is_empty() {
            diags.push(s.warning(code::DATE_INVALID, Some(2), format!("date {d} is not CCYYMMDD or YYMMDD")));
        }
        return None;
    };
    let hours = match zone.as_ref() {
        "" | "UT" | "GM" | "Z" => 0,
        "AT" | "AS" => -4,
        "AD" | "ED" => -4,
        "ET" | "ES" | "CD" => -5,
        "CT" | "CS" | "MD" => -6,
        "MT" | "MS" | "PD" => -7,
        "PT" | "PS" => -8,
        "HT" | "HS" => -10,
        "HD" => -9,
        other => {
            diags.push(s.warning(code::CODE_UNMAPPED, Some(4), format!("time code {other} not known; read as UTC")));
            0
        }
    };
    Some(at - chrono::Duration::hours(hours))
}

fn bill_segment(b: &mut Bill, s: &Segment) {
    let f = &mut b.filing;
    let e: [&[u8]; 12] = s.fields();
    let el = |i: usize| e[i];
    let text = |i: usize| trimmed(e[i]);
    match s.id() {
        b"N1" => {
            let code = text(1);
            if code == "FS" {
                let dest = [text(4), text(2)].into_iter().find(|c| is_unlocode_format(c));
                match dest {
                    Some(d) => f.itinerary.place_of_discharge = Some(d.replace(' ', "")),
                    None => b.diags.push(s.warning(code::CODE_UNMAPPED, Some(4), "final destination is not a UN/LOCODE; ignored")),
                }
                b.current = Current::Place;
                return;
            }
            match codes::role_of(&code) {
                Some(role) => {
                    let mut ids = Vec::new();
                    if let (Some(q), Some(value)) = (opt(el(3)), opt(el(4))) {
                        let scheme = match q.as_str() {
                            "1" | "9" => "DUNS".to_string(),
                            "24" => "TAX".to_string(),
                            _ => format!("X12-{q}"),
                        };
                        ids.push(Identifier { scheme, value, issuer: None });
                    }
                    f.parties.push(Party { role, name: text(2).into_owned(), address: None, country: None, ids });
                    b.current = Current::Party(f.parties.len() - 1);
                }
                None => {
                    b.diags.push(s.warning(code::CODE_UNMAPPED, Some(1), format!("party code {code} is not mapped; party ignored")));
                    b.current = Current::None;
                }
            }
        }
        b"N3" => {
            if let Current::Party(i) = b.current
                && let Some(p) = f.parties.get_mut(i)
            {
                let line: Vec<String> = s.elements().map(|e| trimmed(e).into_owned()).filter(|e| !e.is_empty()).collect();
                let addr = p.address.get_or_insert_with(Address::default);
                let mut street = addr.street.take().unwrap_or_default();
                for l in line {
                    if !street.is_empty() {
                        street.push(' ');
                    }
                    street.push_str(&l);
                }
                addr.street = (!street.is_empty()).then_some(street);
            }
        }
        b"N4" => {
            if let Current::Party(i) = b.current
                && let Some(p) = f.parties.get_mut(i)
            {
                let country = opt(el(4));
                if let Some(c) = &country
                    && !is_iso3166_alpha2(c)
                {
                    b.diags.push(s.warning(code::FIELD_INVALID, Some(4), format!("{c} is not an ISO 3166 country code")));
                }
                let addr = p.address.get_or_insert_with(Address::default);
                addr.city = opt(el(1));
                addr.subdivision = opt(el(2));
                addr.postcode = opt(el(3));
                addr.country = country.clone();
                p.country = country;
            }
        }
        b"VID" => {
            b.current = Current::None;
            let number = format!("{}{}", text(2), text(3));
            if number.is_empty() {
                b.diags.push(s.warning(code::FIELD_MISSING, Some(3), "equipment without a number"));
            }
            let seals = (4..=8).filter_map(|i| opt(el(i))).collect();
            f.equipment.push(Equipment {
                number: number.clone(),
                size_type: opt(el(9)),
                seals,
                empty: el(10) == b"E",
            });
            b.container = (!number.is_empty()).then_some(number);
            b.goods_open = false;
        }
        b"N10" => {
            b.current = Current::None;
            let starts = !b.goods_open || (4..=8).any(|i| !el(i).is_empty()) || !el(1).is_empty();
            if starts {
                let hs = text(5);
                let hs_code = normalize_hs(&hs).map(std::borrow::Cow::into_owned);
                if hs_code.is_none() && !hs.is_empty() {
                    b.diags.push(s.warning(code::FIELD_INVALID, Some(5), format!("commodity code {hs} is not an HS code; dropped")));
                }
                let value = num(el(6));
                f.goods.push(GoodsItem {
                    description: String::from_utf8_lossy(el(2)).into_owned(),
                    hs_code,
                    packages: trimmed(el(1)).parse::<u32>().ok(),
                    gross_kg: kg(el(8), el(7)),
                    value,
                    currency: value.map(|_| "USD".to_string()),
                    containers: b.container.iter().cloned().collect(),
                    ..GoodsItem::default()
                });
                b.goods_open = true;
            } else if let Some(g) = f.goods.last_mut() {
                g.description.push_str(&String::from_utf8_lossy(el(2)));
            }
        }
        b"H1" => {
            let code = text(1);
            let un = code.strip_prefix("UN").unwrap_or(&code).trim();
            match f.goods.last_mut() {
                Some(g) if b.goods_open && un.len() == 4 && un.bytes().all(|c| c.is_ascii_digit()) => {
                    g.un_number = Some(un.to_string());
                }
                Some(_) if b.goods_open => b.diags.push(s.warning(code::FIELD_INVALID, Some(1), format!("{code} is not a UN number"))),
                _ => b.diags.push(s.warning(code::FIELD_UNKNOWN, None, "hazardous material (H1) outside a goods line; ignored")),
            }
        }
        _ => {}
    }
}

fn finish(mut b: Bill, v: &Voyage) -> Parsed {
    let f = &mut b.filing;
    for g in &mut f.goods {
        let t = g.description.trim();
        if t.len() != g.description.len() {
            g.description = t.to_string();
        }
        // No N10-05: a tariff number written in the description (`HTS 8712.00.1500`, `4011.20.00`).
        if g.hs_code.is_none() {
            g.hs_code = crate::hs_in_text(&g.description);
        }
    }
    if f.goods.is_empty() && (b.m11.0.is_some() || b.m11.2.is_some()) {
        f.goods.push(GoodsItem { packages: b.m11.0, package_type: b.m11.1, gross_kg: b.m11.2, ..GoodsItem::default() });
    }
    if !f.equipment.is_empty() {
        f.cargo = Some(CargoType::Containerised);
    }
    if let Some(scac) = &v.scac {
        let has = |p: &Party| p.ids.iter().any(|i| i.scheme == "SCAC");
        let id = Identifier { scheme: "SCAC".into(), value: scac.clone(), issuer: None };
        match f.parties.iter_mut().find(|p| p.role == Role::Carrier) {
            Some(p) if !has(p) => p.ids.push(id),
            Some(_) => {}
            None => f.parties.push(Party { role: Role::Carrier, name: String::new(), address: None, country: None, ids: vec![id] }),
        }
    }
    Parsed { filing: b.filing, diagnostics: b.diags }
}
