//! CUSCAR → [`Filing`]s: Clearway's own mapping (see the [module docs](super) for the tables).

use chrono::{DateTime, NaiveDate, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{
    Address, AgencyCountry, Conveyance, Diagnostic, Direction, Equipment, Filing, FilingKind, FilingStatus, GoodsItem,
    Identifier, Itinerary, Mode, Party, Role, Stage, Times,
};

use super::token::{Fields, Segment};
use crate::Parsed;

/// NAD party qualifier (3035) → role. The first entry for a role is what the writer uses.
pub const PARTY_QUALIFIERS: &[(&str, Role)] = &[
    ("CZ", Role::Consignor),
    ("CN", Role::Consignee),
    ("N1", Role::NotifyParty),
    ("CA", Role::Carrier),
    ("SE", Role::Seller),
    ("BY", Role::Buyer),
    ("MF", Role::Manufacturer),
    ("IM", Role::ImporterOfRecord),
    ("ST", Role::ShipTo),
    ("CS", Role::Consolidator),
    ("LP", Role::ContainerStuffingLocation),
    ("VW", Role::Driver),
    ("CRW", Role::Crew),
    ("EX", Role::Exporter),
    ("DT", Role::Declarant),
    ("EU", Role::EndUser),
    ("UC", Role::UltimateConsignee),
    ("FW", Role::FreightForwarder),
    // Read-only aliases.
    ("OS", Role::Consignor),
    ("SH", Role::Consignor),
    ("SF", Role::Consignor),
    ("CPD", Role::Consignor),
    ("SU", Role::Manufacturer),
    ("NI", Role::NotifyParty),
    ("DP", Role::ShipTo),
    ("MS", Role::Declarant),
    ("CB", Role::Declarant),
    ("DEC", Role::Declarant),
    ("UD", Role::UltimateConsignee),
];

pub fn role_of(q: &str) -> Option<Role> {
    role_of_bytes(q.as_bytes())
}

fn role_of_bytes(q: &[u8]) -> Option<Role> {
    PARTY_QUALIFIERS.iter().find(|(c, _)| c.as_bytes() == q).map(|(_, r)| *r)
}

pub fn qualifier_of(role: Role) -> &'static str {
    PARTY_QUALIFIERS.iter().find(|(_, r)| *r == role).map_or("ZZZ", |(c, _)| *c)
}

/// NAD C082 code list (1131) → identifier scheme; other code lists are kept verbatim.
fn scheme_of(list: &str, agency: &str) -> String {
    match list {
        "172" => "SCAC".into(),
        "109" => "ACE".into(),
        "160" | "" => match agency {
            "16" => "DUNS".into(),
            "9" => "GLN".into(),
            "" => "ID".into(),
            a => a.to_string(),
        },
        l => l.to_string(),
    }
}

fn digits_at(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(i..i + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// EDIFACT date/time (2379 format: 102, 101, 203, 204, 201, 303; inferred from the length when
/// absent) → UTC. Two-digit years are 20yy.
pub fn parse_dtm(value: &str, format: &str) -> Option<DateTime<Utc>> {
    let v = value.trim().as_bytes();
    // (year digits, has time, has seconds)
    let (yd, time, secs) = match (format, v.len()) {
        ("102", 8) | ("", 8) => (4, false, false),
        ("101", 6) | ("", 6) => (2, false, false),
        ("203", 12) | ("", 12) => (4, true, false),
        ("204", 14) | ("", 14) => (4, true, true),
        ("201", 10) | ("", 10) | ("203", 10) => (2, true, false),
        ("303", n) if n >= 12 => (4, true, false),
        _ => return None,
    };
    let y = digits_at(v, 0, yd)? as i32;
    let y = if yd == 2 { 2000 + y } else { y };
    let mo = digits_at(v, yd, 2)?;
    let d = digits_at(v, yd + 2, 2)?;
    let (h, mi) = if time { (digits_at(v, yd + 4, 2)?, digits_at(v, yd + 6, 2)?) } else { (0, 0) };
    let sec = if secs { digits_at(v, yd + 8, 2)? } else { 0 };
    Some(NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, sec)?.and_utc())
}

/// A number with `.` or `,` as decimal mark.
fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let v: f64 = if s.contains(',') { s.replace(',', ".").parse().ok()? } else { s.parse().ok()? };
    v.is_finite().then_some(v)
}

#[derive(Debug, Clone, Default)]
struct Draft<'s> {
    id_ref: Option<String>,
    cni_doc: Option<String>,
    seq: std::borrow::Cow<'s, str>,
    status: Option<FilingStatus>,
    mode: Option<Mode>,
    main_carriage: bool,
    country: Option<AgencyCountry>,
    stage: Option<Stage>,
    direction: Option<Direction>,
    parties: Vec<Party>,
    goods: Vec<GoodsItem>,
    equipment: Vec<Equipment>,
    conveyance: Option<Conveyance>,
    itinerary: Itinerary,
    times: Times,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Top,
    Party,
    Equipment,
    Goods,
}

/// What the envelope tells the mapper.
pub struct Context<'a> {
    pub reference: &'a str,
    /// UNG then UNB recipient identifications, for the agency country rule.
    pub recipients: [Option<&'a str>; 2],
}

fn agency_from_name(name: &str) -> Option<AgencyCountry> {
    for tok in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        match tok.to_ascii_uppercase().as_str() {
            "CBP" | "ACE" | "US" | "USCBP" | "USCS" | "AMS" => return Some(AgencyCountry::US),
            "CBSA" | "CA" | "ACI" | "ASFC" => return Some(AgencyCountry::CA),
            "SAT" | "MX" | "ANAM" | "VUCEM" => return Some(AgencyCountry::MX),
            _ => {}
        }
    }
    None
}

/// The administration of a UN/LOCODE or country code: its ISO 3166 country prefix.
fn agency_from_code(code: &str) -> Option<AgencyCountry> {
    AgencyCountry::parse(code.get(..2)?)
}

/// Map one CUSCAR message (UNH..UNT inclusive) into filings plus message-level diagnostics.
pub fn map(segs: &[Segment<'_>], ctx: &Context<'_>) -> (Vec<Parsed>, Vec<Diagnostic>) {
    let mut header = Draft::default();
    let mut bgm_doc: Option<String> = None;
    let mut cons: Vec<Draft> = Vec::new();
    let mut scope = Scope::Top;
    let mut party_ok = false;
    let mut msg_diags: Vec<Diagnostic> = Vec::new();
    let cni_total = segs.iter().filter(|s| s.tag == b"CNI").count();

    for s in segs {
        if s.tag == b"CNI" {
            // With a single consignment the header moves into it instead of being copied.
            let mut c = if cni_total == 1 { std::mem::take(&mut header) } else { header.clone() };
            if cni_total == 1 {
                header.equipment = std::mem::take(&mut c.equipment);
                header.diagnostics = std::mem::take(&mut c.diagnostics);
            }
            c.equipment.clear();
            c.diagnostics.clear();
            c.id_ref = None;
            let f = Fields::new(*s);
            c.seq = f.text(1, 1);
            let doc = f.text(2, 1);
            c.cni_doc = (!doc.is_empty()).then(|| doc.into_owned());
            cons.push(c);
            scope = Scope::Top;
            continue;
        }
        let in_cons = !cons.is_empty();
        let d: &mut Draft = cons.last_mut().unwrap_or(&mut header);
        if matches!(s.tag, b"UNH" | b"UNT") {
            continue;
        }
        let f = Fields::new(*s);
        match s.tag {
            b"UNH" | b"UNT" => {}
            b"BGM" => {
                let doc = f.text(2, 1);
                if !doc.is_empty() {
                    bgm_doc = Some(doc.into_owned());
                }
                d.status = match &*f.bytes(3, 1) {
                    b"1" => Some(FilingStatus::Cancellation),
                    b"4" | b"5" => Some(FilingStatus::Amendment),
                    _ => Some(FilingStatus::Original),
                };
                scope = Scope::Top;
            }
            b"RFF" => {
                let q = f.bytes(1, 1);
                let q: &[u8] = &q;
                if scope == Scope::Party && q == b"ZPI" {
                    let v = f.text(1, 2);
                    if let (true, Some(p)) = (party_ok && !v.is_empty(), d.parties.last_mut()) {
                        p.ids.push(Identifier {
                            scheme: f.text(1, 3).into_owned(),
                            value: v.into_owned(),
                            issuer: None,
                        });
                    }
                } else if matches!(q, b"BM" | b"BH" | b"MB" | b"AAM" | b"AWB" | b"BN" | b"CRN" | b"AMQ")
                    && d.id_ref.is_none()
                    && (in_cons || q != b"BN")
                {
                    let v = f.text(1, 2);
                    if !v.is_empty() {
                        d.id_ref = Some(v.into_owned());
                    }
                }
            }
            b"GIS" => {
                let (kind, list) = (f.bytes(1, 2), f.bytes(1, 3));
                if *kind == *b"STG" && *list == *b"CLW" {
                    d.stage = match &*f.bytes(1, 1) {
                        b"PL" => Some(Stage::PreLoad),
                        b"PA" => Some(Stage::PreArrival),
                        b"AR" => Some(Stage::Arrival),
                        b"EX" => Some(Stage::Export),
                        _ => d.stage,
                    };
                } else if *kind == *b"DIR" && *list == *b"CLW" {
                    d.direction = match &*f.bytes(1, 1) {
                        b"IM" => Some(Direction::Import),
                        b"EX" => Some(Direction::Export),
                        b"IT" => Some(Direction::InTransit),
                        _ => d.direction,
                    };
                }
            }
            b"NAD" => {
                scope = Scope::Party;
                party_ok = false;
                let Some(role) = role_of_bytes(&f.bytes(1, 1)) else {
                    let q = f.text(1, 1);
                    d.diagnostics.push(
                        Diagnostic::warning(
                            s.place_at(1, Some(1)),
                            format!("unknown party qualifier {q:?}; party skipped"),
                        ).with_code(code::CODE_UNMAPPED)
                        .at_line(s.line, None),
                    );
                    continue;
                };
                let mut ids = Vec::new();
                let idv = f.text(2, 1);
                if !idv.is_empty() {
                    ids.push(Identifier {
                        scheme: scheme_of(&f.text(2, 2), &f.text(2, 3)),
                        value: idv.into_owned(),
                        issuer: None,
                    });
                }
                let mut name = f.joined(4);
                if name.is_empty() {
                    name = f.joined(3);
                }
                let opt = |v: String| (!v.is_empty()).then_some(v);
                let street = opt(f.joined(5));
                let city = opt(f.text(6, 1).into_owned());
                let subdivision = opt(f.text(7, 1).into_owned());
                let postcode = opt(f.text(8, 1).into_owned());
                let country = opt(f.text(9, 1).into_owned());
                let address = if street.is_none() && city.is_none() && subdivision.is_none() && postcode.is_none() {
                    None
                } else {
                    Some(Address { street, city, subdivision, postcode, country: country.clone() })
                };
                d.parties.push(Party { role, name, address, country, ids });
                party_ok = true;
            }
            b"LOC" => {
                let q = f.bytes(1, 1);
                let v = f.text(2, 1);
                if v.is_empty() {
                    continue;
                }
                let it = &mut d.itinerary;
                match &*q {
                    b"9" => it.place_of_loading = Some(v.into_owned()),
                    b"5" | b"76" | b"88" => {
                        if it.place_of_loading.is_none() {
                            it.place_of_loading = Some(v.into_owned())
                        }
                    }
                    b"11" => it.place_of_discharge = Some(v.into_owned()),
                    b"12" | b"7" | b"8" => {
                        if it.place_of_discharge.is_none() {
                            it.place_of_discharge = Some(v.into_owned())
                        }
                    }
                    b"60" | b"24" => it.first_port_of_arrival = Some(v.into_owned()),
                    b"34" | b"35" => it.routing.push(v.into_owned()),
                    b"22" => {
                        if let Some(c) = agency_from_code(&v) {
                            d.country = Some(c);
                        }
                    }
                    b"27" if scope == Scope::Goods => {
                        if let Some(g) = d.goods.last_mut() {
                            g.origin = Some(v.into_owned());
                        }
                    }
                    _ => d.diagnostics.push(
                        Diagnostic::warning(
                            s.place_at(1, Some(1)),
                            format!("location qualifier {:?} not used", f.text(1, 1)),
                        ).with_code(code::CODE_UNMAPPED)
                            .at_line(s.line, None),
                    ),
                }
            }
            b"DTM" => {
                let q = f.bytes(1, 1);
                let Some(t) = parse_dtm(&f.text(1, 2), &f.text(1, 3)) else {
                    d.diagnostics.push(
                        Diagnostic::warning(s.place_at(1, Some(2)), "unreadable date/time; ignored").with_code(code::DATE_INVALID)
                            .at_line(s.line, None),
                    );
                    continue;
                };
                let tm = &mut d.times;
                match &*q {
                    b"137" => tm.filed_at = Some(t),
                    b"132" | b"178" => tm.arrival = Some(t),
                    b"232" => {
                        tm.arrival.get_or_insert(t);
                    }
                    b"133" | b"186" => tm.departure = Some(t),
                    b"189" => {
                        tm.departure.get_or_insert(t);
                    }
                    b"200" | b"34" => tm.loading = Some(t),
                    _ => d.diagnostics.push(
                        Diagnostic::warning(s.place_at(1, Some(1)), format!("date/time qualifier {:?} not used", f.text(1, 1))).with_code(code::CODE_UNMAPPED)
                            .at_line(s.line, None),
                    ),
                }
            }
            b"TDT" => {
                scope = Scope::Top;
                let main = *f.bytes(1, 1) == *b"20";
                let mode = Mode::from_rec19(&f.text(3, 1)).filter(|m| *m != Mode::Unknown);
                if let (Some(m), true) = (mode, d.mode.is_none() || (main && !d.main_carriage)) {
                    d.mode = Some(m);
                    d.main_carriage = main;
                }
                let reference = f.text(2, 1);
                let (id, list, name) = (f.text(8, 1), f.text(8, 2), f.text(8, 4));
                if reference.is_empty() && id.is_empty() && name.is_empty() {
                    continue;
                }
                if d.conveyance.is_some() && !main {
                    continue;
                }
                let eff = mode.or(d.mode).unwrap_or(Mode::Marine);
                let mut c = Conveyance::default();
                let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
                match eff {
                    Mode::Air => c.flight = opt(&reference),
                    _ => c.voyage = opt(&reference),
                }
                match eff {
                    Mode::Highway => {
                        c.plate = opt(&id).or_else(|| opt(&name));
                        if !id.is_empty() {
                            c.vessel_name = opt(&name);
                        }
                    }
                    _ => {
                        c.vessel_name = opt(&name);
                        let imo_like = id.len() == 7 && id.bytes().all(|b| b.is_ascii_digit());
                        if list == "146" || (list.is_empty() && imo_like) {
                            c.imo = opt(id.trim_start_matches("IMO"));
                        }
                    }
                }
                d.conveyance = Some(c);
            }
            b"EQD" => {
                scope = Scope::Equipment;
                let number = f.text(2, 1);
                if number.is_empty() {
                    d.diagnostics.push(
                        Diagnostic::warning(s.place_at(2, Some(1)), "equipment without a number; skipped").with_code(code::FIELD_MISSING)
                            .at_line(s.line, None),
                    );
                    continue;
                }
                let st = f.text(3, 1);
                d.equipment.push(Equipment {
                    number: number.into_owned(),
                    size_type: (!st.is_empty()).then(|| st.into_owned()),
                    seals: Vec::new(),
                    empty: *f.bytes(6, 1) == *b"4",
                });
            }
            b"SEL" => {
                let v = f.text(1, 1);
                if let (true, Some(e)) = (scope == Scope::Equipment && !v.is_empty(), d.equipment.last_mut()) {
                    e.seals.push(v.into_owned());
                }
            }
            b"GID" => {
                scope = Scope::Goods;
                let t = f.text(2, 2);
                d.goods.push(GoodsItem {
                    packages: f.text(2, 1).trim().parse().ok(),
                    package_type: (!t.is_empty()).then(|| t.into_owned()),
                    ..GoodsItem::default()
                });
            }
            b"PAC" if scope == Scope::Goods => {
                if let Some(g) = d.goods.last_mut() {
                    if g.packages.is_none() {
                        g.packages = f.text(1, 1).trim().parse().ok();
                    }
                    let t = f.text(3, 1);
                    if g.package_type.is_none() && !t.is_empty() {
                        g.package_type = Some(t.into_owned());
                    }
                }
            }
            // A commodity code in the marks (PCI), after a code list qualifier `HS`, or dotted.
            b"PCI" if scope == Scope::Goods => {
                if let Some(g) = d.goods.last_mut().filter(|g| g.hs_code.is_none()) {
                    let marks = (2..=4).map(|e| f.joined(e)).collect::<Vec<_>>().join(" ");
                    g.hs_code = crate::hs_in_text(&marks);
                }
            }
            b"FTX" if scope == Scope::Goods && *f.bytes(1, 1) != *b"AAA" => {
                if let Some(g) = d.goods.last_mut().filter(|g| g.hs_code.is_none()) {
                    g.hs_code = crate::hs_in_text(&f.joined(4));
                }
            }
            b"FTX" if scope == Scope::Goods && *f.bytes(1, 1) == *b"AAA" => {
                if let Some(g) = d.goods.last_mut() {
                    let t = f.joined(4);
                    if g.hs_code.is_none() {
                        g.hs_code = crate::hs_in_text(&t);
                    }
                    if g.description.is_empty() {
                        g.description = t;
                    } else if !t.is_empty() {
                        g.description.push(' ');
                        g.description.push_str(&t);
                    }
                }
            }
            b"MEA" if scope == Scope::Goods => {
                let q = f.bytes(1, 1);
                let q: &[u8] = &q;
                let gross = match q {
                    b"AAE" => matches!(&*f.bytes(2, 1), b"G" | b"AAB"),
                    b"AAI" | b"WT" => true,
                    _ => false,
                };
                if !gross {
                    continue;
                }
                let Some(v) = number(&f.text(3, 2)) else {
                    d.diagnostics
                        .push(Diagnostic::warning(s.place_at(3, Some(2)), "unreadable weight").with_code(code::FIELD_INVALID).at_line(s.line, None));
                    continue;
                };
                let kg = match &*f.text(3, 1) {
                    "KGM" | "K" | "KG" | "" => v,
                    "LBR" | "L" | "LB" => v * 0.453_592_37,
                    "TNE" => v * 1000.0,
                    u => {
                        d.diagnostics.push(
                            Diagnostic::warning(s.place_at(3, Some(1)), format!("unknown weight unit {u:?}")).with_code(code::CODE_UNMAPPED)
                                .at_line(s.line, None),
                        );
                        continue;
                    }
                };
                if let Some(g) = d.goods.last_mut() {
                    g.gross_kg = Some(kg);
                }
            }
            b"PIA" if scope == Scope::Goods => {
                for e in 2..=6 {
                    let code = f.text(e, 1);
                    let list = f.text(e, 2);
                    if !code.is_empty() && (list == "HS" || list.is_empty() && code.bytes().all(|b| b.is_ascii_digit()))
                    {
                        if let Some(g) = d.goods.last_mut() {
                            g.hs_code = Some(code.replace('.', ""));
                        }
                        break;
                    }
                }
            }
            b"DGS" if scope == Scope::Goods => {
                let un = f.text(3, 1);
                if let (Some(g), false) = (d.goods.last_mut(), un.is_empty()) {
                    g.un_number = Some(un.trim_start_matches("UN").to_string());
                }
            }
            b"SGP" if scope == Scope::Goods => {
                let c = f.text(1, 1);
                if let (Some(g), false) = (d.goods.last_mut(), c.is_empty()) {
                    g.containers.push(c.into_owned());
                }
            }
            _ => {}
        }
    }

    let finish = |d: Draft, id: String, header_eq: &[Equipment]| -> Parsed {
        let mut equipment = d.equipment;
        if equipment.is_empty() && !header_eq.is_empty() {
            let refd: Vec<&String> = d.goods.iter().flat_map(|g| g.containers.iter()).collect();
            equipment = header_eq.iter().filter(|e| refd.is_empty() || refd.contains(&&e.number)).cloned().collect();
        }
        let mut diagnostics = d.diagnostics;
        let mode = d.mode.unwrap_or_else(|| {
            let m = "no transport mode (TDT element 3, C220 mode of transport); the mode is unknown";
            diagnostics.push(Diagnostic::warning("TDT C220", m).with_code(code::FIELD_MISSING));
            Mode::Unknown
        });
        let country = d
            .country
            .or_else(|| ctx.recipients.iter().flatten().find_map(|r| agency_from_name(r)))
            .or_else(|| d.itinerary.first_port_of_arrival.as_deref().and_then(agency_from_code))
            .or_else(|| d.itinerary.place_of_discharge.as_deref().and_then(agency_from_code))
            .unwrap_or(AgencyCountry::US);
        let filing = Filing {
            id,
            version: 1,
            kind: FilingKind::AdvanceCargo,
            status: d.status.unwrap_or_default(),
            resubmits: None,
            mode,
            direction: d.direction.unwrap_or(Direction::Import),
            country,
            stage: d.stage.unwrap_or(Stage::PreArrival),
            cargo: None,
            fast: false,
            parties: d.parties,
            goods: d.goods,
            equipment,
            conveyance: d.conveyance,
            itinerary: d.itinerary,
            export: None,
            times: d.times,
        };
        Parsed { filing, diagnostics }
    };

    msg_diags.append(&mut header.diagnostics);
    let mut out = Vec::with_capacity(cons.len().max(1));
    if cons.is_empty() {
        let id = header.id_ref.clone().or(bgm_doc).unwrap_or_else(|| ctx.reference.to_string());
        let eq = std::mem::take(&mut header.equipment);
        out.push(finish(header, id, &eq));
    } else {
        for (i, c) in cons.into_iter().enumerate() {
            let id = c.id_ref.clone().or_else(|| c.cni_doc.clone()).unwrap_or_else(|| {
                if c.seq.is_empty() {
                    format!("{}-{}", ctx.reference, i + 1)
                } else {
                    format!("{}-{}", ctx.reference, c.seq)
                }
            });
            out.push(finish(c, id, &header.equipment));
        }
    }
    (out, msg_diags)
}
