//! UN/EDIFACT (ISO 9735): the reader [`read`] (interchange → [`Interchange`] of CUSCAR messages
//! mapped to filings), the writers [`write_cuscar`] and [`cusres`], and the zero-copy tokenizer
//! [`Tokenizer`] / [`Segment`].
//!
//! # Tokenizer: our own, not `edifact-rs`
//!
//! `edifact-rs` 0.18 (MIT OR Apache-2.0, so licence-wise fine) was evaluated. It is a good parser,
//! but it does not fit here: it gives byte spans but no line or segment numbers, it works on `str`
//! (values from non-UTF-8 character sets such as UNOC/Latin-1 are errors rather than decoded), its
//! hard limits and syntax errors end the segment stream instead of letting us resynchronise at the
//! next terminator, and each segment allocates its element vector. The tokenizer in [`token`] is
//! ~250 lines: it finds terminators with `memchr2` (terminator, release), splits elements and
//! components lazily on the borrowed bytes, unescapes only values that contain `?`, honours a UNA
//! service string advice, skips CR/LF/space between segments, and keeps a 1-based segment number and
//! line for every segment. Junk (a bad tag, binary data), a missing final terminator and a release
//! character at the end of the input become diagnostics; the tokenizer never fails.
//!
//! # Envelope ([`read`])
//!
//! UNB (sender, recipient, control reference, syntax identifier), optional UNG/UNE groups, UNH/UNT
//! messages, UNZ. Checked, each an **Error in `Interchange::diagnostics`** (the envelope), while the
//! message's cargo is still mapped and accepted: UNT segment count vs the segments UNH..UNT, UNT/UNH
//! reference, UNE message count and reference, UNZ message (or group) count and UNZ/UNB reference,
//! a missing UNZ (truncated interchange), tokenizer problems, bytes outside the declared character
//! set (UNOA/UNOB: ASCII only; UNOW/UNOY: UTF-8). A message without UNT is rejected (truncated). A
//! message that is not a CUSCAR is rejected with `not a cargo filing: X`; a CUSRES, CONTRL or APERAK is
//! read back as a response (no filing, no reject).
//! Locations read `segment 12 NAD, element 2, component 1` (segment numbers count from the first
//! segment of the input, UNA not counted; elements and components are 1-based) with the line.
//!
//! # CUSCAR mapping (Clearway's own)
//!
//! One filing per CNI consignment (a message without CNI gives one filing). Segments before the
//! first CNI are the header: they apply to every consignment, and a consignment's own segments
//! override them. Header equipment goes to a consignment without its own EQD (only the units its
//! goods reference with SGP, when they do).
//!
//! * **id**: consignment RFF BM/BH/MB/AAM/AWB/BN/CRN/AMQ, else CNI document number, else
//!   `<message ref>-<CNI sequence>`; without CNI: header RFF, else BGM document number, else the
//!   message reference. **status** from BGM 1225 (1 cancellation, 4/5 amendment, else original).
//! * **parties**: NAD 3035 qualifier → role, see [`cuscar::PARTY_QUALIFIERS`] (CZ/OS/SH/SF
//!   consignor, CN consignee, N1 notify, CA carrier, SE seller, BY buyer, MF/SU manufacturer, IM
//!   importer of record, ST/DP ship-to, CS consolidator, LP stuffing location, VW driver, CRW crew,
//!   EX exporter, DT/MS/CB declarant, EU end user, UC/UD ultimate consignee, FW forwarder). Unknown
//!   qualifier → warning, party skipped. Name: C080 (element 4) components joined, else C058
//!   (element 3). Country: element 9. Address (only when street C059, city, C819 subdivision or
//!   postcode is present): those plus the country. Id: C082 value with its code list as scheme (172 → SCAC, 109 → ACE,
//!   empty/160 → agency 16 DUNS / 9 GLN / `ID`; any other code list verbatim). Further ids:
//!   `RFF+ZPI:<value>:<scheme>` after the NAD.
//! * **itinerary**: LOC 9 (5/76/88 as fallbacks) loading, 11 (12/7/8 fallbacks) discharge, 60/24
//!   first port of arrival, 34/35 routing countries in order, 27 (in a goods item) origin.
//!   LOC 28 and other qualifiers are not used (warning).
//! * **agency country** (any ISO 3166 administration): LOC 22 with a country code; else a token of the
//!   UNG then UNB recipient (CBP/ACE/AMS/US → US, CBSA/ACI/ASFC/CA → CA, SAT/ANAM/VUCEM/MX → MX); else
//!   the country of the first port of arrival, then of the place of discharge; else **US**.
//! * **times** (DTM formats 102, 101, 203, 204, 201, 303, UTC): 137 filed_at, 132/178 arrival (232
//!   fallback), 133/186 departure (189 fallback), 200/34 loading.
//! * **conveyance and mode**: TDT (qualifier 20 main carriage preferred) C220 mode 1 marine, 2 rail,
//!   3 highway, 4 air (default marine); element 2 voyage (air: flight); C222 id with code list 146 (or
//!   seven digits) → IMO, C222 name → vessel name; highway: C222 id → plate, or the name when there
//!   is no id (the ACE truck id).
//! * **stage/direction**: `GIS+PL|PA|AR|EX:STG:CLW` and `GIS+IM|EX|IT:DIR:CLW`; default pre-arrival,
//!   import.
//! * **equipment**: EQD C237 number, C224 size/type, 8169 = 4 empty; SEL seals.
//! * **goods**: GID starts an item (C213 packages:type), PAC packages/type when GID has none,
//!   FTX AAA description (components joined), MEA AAE G / AAI / WT gross weight (KGM, LBR, TNE),
//!   PIA HS code, DGS UN number, SGP container references.
//!
//! # Writers
//!
//! [`write_cuscar`] writes `UNA:+.? '`, `UNB+UNOW:4` (UTF-8), one D.03B CUSCAR per filing
//! (UNH references 1, 2, …), correct UNT and UNZ counts, `?` escapes and a newline after every
//! terminator. The UNB date is the first filing's filed_at (pure code: no clock), else 000101:0000.
//! **Round-trips** (`read(write_cuscar(fs))`, checked by the proptest over synthetic traffic):
//! id, status, mode, country, stage, direction; parties' role, name, country, all ids (scheme,
//! value) and address (street, city, subdivision, postcode; its country is the party's); goods'
//! description, hs_code, packages, package_type, gross_kg, un_number, origin, containers;
//! equipment number, size_type, seals, empty; conveyance vessel_name, imo, voyage (air: flight),
//! plate; itinerary loading, discharge, first port of arrival, routing; times filed_at, loading,
//! departure, arrival (to the second). **Not carried**: version (reads as 1), kind, resubmits,
//! cargo, fast, id issuers, an address holding only a country, goods quantity/quantity_unit/net_kg/
//! value/currency/radioactive, conveyance vin and containers_on_board, an air filing's voyage, a
//! non-air filing's flight, a highway filing's vessel_name without a plate.
//!
//! [`cusres`] answers one message: UNB with sender and recipient swapped and the caller's issue time,
//! `UNH+1+CUSRES:D:03B:UN`,
//! `BGM+962` when the message was accepted or `BGM+961` when rejected (Clearway's convention),
//! document number = the message reference, `RFF+ACW:<message ref>`, then per error
//! `ERP+1`, `RFF+ACW:<message ref>:<segment position in the message, UNH = 1>`,
//! `ERC+<code>:ZZZ` from the diagnostic's machine code (TYP `MESSAGE-NOT-FILING`/`MESSAGE-RESPONSE`;
//! CTL `EDI-UNT-COUNT`, `EDI-UNT-REF`, `EDI-UNE-*`, `EDI-UNZ-COUNT`/`-REF`; TRN `EDI-UNT-MISSING`,
//! `EDI-UNZ-MISSING`; SYN `EDI-SYNTAX`, `EDI-CHARSET`; GEN any other) and
//! `FTX+AAO+++<location and text>`. Envelope errors of the segments
//! from this message's UNH up to the next message are included (not UNZ/UNE ones).

pub mod cuscar;
pub mod token;
mod write;

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Severity};

use crate::message::{Interchange, Message, MessageFormat};
pub use token::{Segment, Separators, Tokenizer};
pub use write::{cusres, write_cuscar};

fn digits(s: &str) -> Option<u64> {
    s.trim().parse().ok()
}

struct Open<'a> {
    reference: String,
    kind: String,
    segs: Vec<Segment<'a>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Charset {
    Ascii,
    Utf8,
    Any,
}

fn close<'a>(bytes: &[u8], ic: &mut Interchange, o: Open<'a>, closed: bool, ung: Option<&str>) -> Vec<Segment<'a>> {
    let Some(&first) = o.segs.first() else {
        return o.segs;
    };
    let end = o.segs.last().map_or(first.end, |s| s.end);
    let raw = bytes.get(first.offset..end).unwrap_or_default().to_vec();
    let mut m = Message {
        reference: o.reference,
        kind: o.kind,
        line: first.line,
        segment: first.number,
        raw,
        filings: Vec::new(),
        diagnostics: Vec::new(),
    };
    if !closed {
        m.diagnostics.push(
            Diagnostic::error(first.place(), format!("message {} has no UNT trailer: truncated", m.reference)).with_code(code::EDI_UNT_MISSING)
                .at_line(first.line, None),
        );
    } else if m.kind == "CUSRES" || m.kind == "CONTRL" || m.kind == "APERAK" {
        // Responses (Clearway writes CUSRES) are read back as responses: no filing, no reject.
        m.diagnostics.push(
            Diagnostic::warning(first.place_at(2, Some(1)), format!("a response ({}), not a cargo filing", m.kind))
                .with_code(code::MESSAGE_RESPONSE)
                .at_line(first.line, None),
        );
    } else if m.kind != "CUSCAR" {
        m.diagnostics.push(
            Diagnostic::error(
                first.place_at(2, Some(1)),
                format!(
                    "not a cargo filing: {}; only the CUSCAR cargo report is screened",
                    if m.kind.is_empty() { "(none)" } else { &m.kind }
                ),
            ).with_code(code::MESSAGE_NOT_FILING)
            .at_line(first.line, None),
        );
    } else {
        let ctx = cuscar::Context { reference: &m.reference, recipients: [ung, ic.recipient.as_deref()] };
        let (filings, d) = cuscar::map(&o.segs, &ctx);
        m.filings = filings;
        m.diagnostics = d;
    }
    ic.messages.push(m);
    let mut v = o.segs;
    v.clear();
    v
}

/// Read one interchange. Never panics; every problem is a [`Diagnostic`].
pub fn read(bytes: &[u8]) -> Interchange {
    let mut ic = Interchange {
        format: MessageFormat::Edifact,
        sender: None,
        recipient: None,
        control_ref: None,
        groups: Vec::new(),
        diagnostics: Vec::new(),
        messages: Vec::new(),
    };
    let mut tk = Tokenizer::new(bytes);
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut open: Option<Open<'_>> = None;
    let mut spare: Vec<Segment<'_>> = Vec::new();
    let mut unb_ref: Option<String> = None;
    let mut unb_seen = false;
    let mut unz_seen = false;
    let mut ung_recipient: Option<String> = None;
    let mut group: Option<(String, u64)> = None;
    let mut messages = 0u64;
    let mut groups = 0u64;
    let mut any = false;
    let mut charset = Charset::Any;
    let mut charset_warned = false;
    // Checked once for the whole input; per segment only when that fails.
    let mut whole_utf8: Option<bool> = None;

    for s in &mut tk {
        any = true;
        if !s.terminated {
            // Reported by the tokenizer; a cut segment is not trusted (a cut `UNT` closes nothing).
            continue;
        }
        if !charset_warned && charset != Charset::Any {
            let bad = match charset {
                Charset::Ascii => {
                    s.raw.iter().position(|&b| b >= 0x80 || (b < 0x20 && !matches!(b, b'\r' | b'\n' | b'\t')))
                }
                Charset::Utf8 => {
                    if *whole_utf8.get_or_insert_with(|| std::str::from_utf8(bytes).is_ok()) {
                        None
                    } else {
                        std::str::from_utf8(s.raw).err().map(|e| e.valid_up_to())
                    }
                }
                Charset::Any => None,
            };
            if let Some(i) = bad {
                charset_warned = true;
                diags.push(
                    Diagnostic::error(
                        s.place(),
                        format!(
                            "byte 0x{:02X} outside the declared character set (first occurrence)",
                            s.raw.get(i).copied().unwrap_or(0)
                        ),
                    ).with_code(code::EDI_CHARSET)
                    .at_line(s.line, None),
                );
            }
        }
        match s.tag {
            b"UNH" => {
                if let Some(o) = open.take() {
                    spare = close(bytes, &mut ic, o, false, ung_recipient.as_deref());
                }
                messages += 1;
                if let Some((_, n)) = group.as_mut() {
                    *n += 1;
                }
                let mut segs = std::mem::take(&mut spare);
                segs.push(s);
                open = Some(Open { reference: s.text(1, 1).into_owned(), kind: s.text(2, 1).into_owned(), segs });
            }
            b"UNT" => {
                let Some(mut o) = open.take() else {
                    diags.push(Diagnostic::error(s.place(), "UNT without a UNH").with_code(code::EDI_UNT_REF).at_line(s.line, None));
                    continue;
                };
                o.segs.push(s);
                let actual = o.segs.len() as u64;
                match digits(&s.text(1, 1)) {
                    Some(n) if n == actual => {}
                    n => diags.push(
                        Diagnostic::error(
                            s.place_at(1, None),
                            format!(
                                "UNT segment count {} does not match the {actual} segments of message {}",
                                n.map_or_else(|| format!("{:?}", s.text(1, 1)), |n| n.to_string()),
                                o.reference
                            ),
                        ).with_code(code::EDI_UNT_COUNT)
                        .at_line(s.line, None),
                    ),
                }
                let r = s.text(2, 1);
                if r != o.reference {
                    diags.push(
                        Diagnostic::error(
                            s.place_at(2, None),
                            format!("UNT reference {r:?} does not match the UNH reference {:?}", o.reference),
                        ).with_code(code::EDI_UNT_REF)
                        .at_line(s.line, None),
                    );
                }
                spare = close(bytes, &mut ic, o, true, ung_recipient.as_deref());
            }
            _ if open.is_some() => {
                if let Some(o) = open.as_mut() {
                    o.segs.push(s);
                }
            }
            b"UNB" => {
                if unb_seen && !unz_seen {
                    diags.push(
                        Diagnostic::error(s.place(), "UNB before the previous interchange's UNZ").with_code(code::EDI_UNB_SEQUENCE).at_line(s.line, None),
                    );
                }
                unb_seen = true;
                unz_seen = false;
                messages = 0;
                groups = 0;
                charset = match &*s.text(1, 1) {
                    "UNOA" | "UNOB" => Charset::Ascii,
                    "UNOW" | "UNOY" => Charset::Utf8,
                    "UNOC" | "UNOD" | "UNOE" | "UNOF" | "UNOG" | "UNOH" | "UNOI" | "UNOJ" | "UNOK" | "UNOX" => {
                        Charset::Any
                    }
                    other => {
                        diags.push(
                            Diagnostic::warning(s.place_at(1, Some(1)), format!("unknown syntax identifier {other:?}")).with_code(code::EDI_SYNTAX)
                                .at_line(s.line, None),
                        );
                        Charset::Any
                    }
                };
                let r = s.text(5, 1).into_owned();
                if ic.control_ref.is_none() {
                    ic.sender = Some(s.text(2, 1).into_owned()).filter(|v| !v.is_empty());
                    ic.recipient = Some(s.text(3, 1).into_owned()).filter(|v| !v.is_empty());
                    ic.control_ref = Some(r.clone());
                }
                unb_ref = Some(r);
            }
            b"UNG" => {
                groups += 1;
                let rcpt = s.text(3, 1);
                ung_recipient = (!rcpt.is_empty()).then(|| rcpt.into_owned());
                group = Some((s.text(5, 1).into_owned(), 0));
            }
            b"UNE" => match group.take() {
                None => diags.push(Diagnostic::error(s.place(), "UNE without a UNG").with_code(code::EDI_UNE_REF).at_line(s.line, None)),
                Some((gref, n)) => {
                    if digits(&s.text(1, 1)) != Some(n) {
                        diags.push(
                            Diagnostic::error(
                                s.place_at(1, None),
                                format!(
                                    "UNE message count {:?} does not match the {n} messages of the group",
                                    s.text(1, 1)
                                ),
                            ).with_code(code::EDI_UNE_COUNT)
                            .at_line(s.line, None),
                        );
                    }
                    if s.text(2, 1) != gref {
                        diags.push(
                            Diagnostic::error(
                                s.place_at(2, None),
                                format!("UNE reference {:?} does not match the UNG reference {gref:?}", s.text(2, 1)),
                            ).with_code(code::EDI_UNE_REF)
                            .at_line(s.line, None),
                        );
                    }
                }
            },
            b"UNZ" => {
                unz_seen = true;
                let expect = if groups > 0 { groups } else { messages };
                if digits(&s.text(1, 1)) != Some(expect) {
                    diags.push(
                        Diagnostic::error(
                            s.place_at(1, None),
                            format!(
                                "UNZ count {:?} does not match the {expect} {} of the interchange",
                                s.text(1, 1),
                                if groups > 0 { "groups" } else { "messages" }
                            ),
                        ).with_code(code::EDI_UNZ_COUNT)
                        .at_line(s.line, None),
                    );
                }
                let r = s.text(2, 1);
                if unb_ref.as_deref().is_some_and(|u| u != r) {
                    diags.push(
                        Diagnostic::error(
                            s.place_at(2, None),
                            format!(
                                "UNZ reference {r:?} does not match the UNB reference {:?}",
                                unb_ref.as_deref().unwrap_or("")
                            ),
                        ).with_code(code::EDI_UNZ_REF)
                        .at_line(s.line, None),
                    );
                }
            }
            _ => diags.push(
                Diagnostic::warning(s.place(), "segment outside a message (UNH..UNT); ignored").with_code(code::EDI_STRAY_SEGMENT).at_line(s.line, None),
            ),
        }
    }
    let last_line = tk.line();
    if let Some(o) = open.take() {
        close(bytes, &mut ic, o, false, ung_recipient.as_deref());
    }
    let mut tdiags = tk.take_diagnostics();
    tdiags.append(&mut diags);
    diags = tdiags;
    if !any {
        diags.push(Diagnostic::error("input", "no EDIFACT segments found").with_code(code::INPUT_EMPTY).at_line(1, None));
    } else if !unb_seen {
        diags.push(Diagnostic::warning("input", "no UNB interchange header").with_code(code::EDI_UNB_MISSING).at_line(1, None));
    } else if !unz_seen {
        diags.push(Diagnostic::error("input", "interchange truncated: no UNZ trailer").with_code(code::EDI_UNZ_MISSING).at_line(last_line, None));
    }
    ic.diagnostics = diags;
    ic
}

/// Only the envelope's and messages' errors, for quick checks.
pub fn errors(ic: &Interchange) -> impl Iterator<Item = &Diagnostic> {
    ic.diagnostics
        .iter()
        .chain(ic.messages.iter().flat_map(|m| m.diagnostics.iter()))
        .filter(|d| d.severity == Severity::Error)
}
