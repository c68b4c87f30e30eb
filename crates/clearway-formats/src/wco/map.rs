//! Element tree of one `Declaration` → [`Filing`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{
    Address, AgencyCountry, CargoType, Conveyance, Diagnostic, Direction, Equipment, Filing,
    FilingKind, FilingStatus, GoodsItem, Identifier, Itinerary, Mode, Party, Role, Stage, Times,
};

use super::tree::Node;

/// Administration used when the declaration names none that is an ISO 3166 country (see the module doc).
pub const DEFAULT_AGENCY: AgencyCountry = AgencyCountry::US;

fn is_eori(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b.len() <= 17
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_alphanumeric)
}

fn agency(code: &str) -> Option<AgencyCountry> {
    AgencyCountry::parse(&code.trim().to_ascii_uppercase())
}

fn num(n: &Node, path: &str, diags: &mut Vec<Diagnostic>, base: &str) -> Option<f64> {
    let t = n.text_at(path)?;
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            diags.push(
                Diagnostic::warning(
                    format!("{base}/{path}"),
                    format!("`{t}` is not a number; ignored"),
                )
                .with_code(code::FIELD_INVALID)
                .at_line(n.line, None),
            );
            None
        }
    }
}

/// `DateTimeString` with formatCode 304 (`CCYYMMDDHHMMSSZ`, or with a `±hhmm` or `±hh` zone) or 102
/// (`CCYYMMDD`), or RFC 3339.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    // `+hh` / `-hh` zones (CDS sends `20190702110757+01`): complete to `±hh00`.
    let padded;
    let s = match s.len().checked_sub(3).and_then(|k| s.get(k..).map(|z| (k, z))) {
        Some((k, z)) if s.len() == 17 && (z.starts_with('+') || z.starts_with('-')) && z[1..].bytes().all(|b| b.is_ascii_digit()) && s[..k].bytes().all(|b| b.is_ascii_digit()) => {
            padded = format!("{s}00");
            padded.as_str()
        }
        _ => s,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Some(stripped) = s.strip_suffix('Z')
        && let Ok(t) = NaiveDateTime::parse_from_str(stripped, "%Y%m%d%H%M%S")
    {
        return Some(Utc.from_utc_datetime(&t));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y%m%d%H%M%S%z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S") {
        return Some(Utc.from_utc_datetime(&t));
    }
    NaiveDate::parse_from_str(s, "%Y%m%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

fn time_of(decl: &Node, name: &str, diags: &mut Vec<Diagnostic>) -> Option<DateTime<Utc>> {
    let n = decl.child(name)?;
    let s = n.text_at("DateTimeString").or_else(|| n.value())?;
    let t = parse_time(&s);
    if t.is_none() {
        diags.push(
            Diagnostic::warning(
                format!("Declaration/{name}"),
                format!("unreadable date-time `{s}`"),
            )
            .with_code(code::DATE_INVALID)
            .at_line(n.line, None),
        );
    }
    t
}

fn party(n: &Node, role: Role) -> Party {
    let mut ids = Vec::new();
    let id = n.text_at("ID");
    if let Some(v) = &id {
        let scheme = if is_eori(v) { "EORI" } else { "ID" };
        ids.push(Identifier {
            scheme: scheme.into(),
            value: v.clone(),
            issuer: None,
        });
    }
    let address = n.child("Address").map(|a| Address {
        street: a.text_at("Line"),
        city: a.text_at("CityName"),
        subdivision: a.text_at("CountrySubDivisionName"),
        postcode: a.text_at("PostcodeID"),
        country: a.text_at("CountryCode"),
    });
    let country = address
        .as_ref()
        .and_then(|a| a.country.clone())
        .or_else(|| {
            id.as_deref()
                .filter(|v| is_eori(v))
                .map(|v| v[..2].to_string())
        });
    Party {
        role,
        name: n.text_at("Name").unwrap_or_default(),
        address,
        country,
        ids,
    }
}

const PARTY_ELEMENTS: [(&str, Role); 8] = [
    ("Declarant", Role::Declarant),
    ("Exporter", Role::Exporter),
    ("Importer", Role::ImporterOfRecord),
    ("Consignee", Role::Consignee),
    ("Consignor", Role::Consignor),
    ("Buyer", Role::Buyer),
    ("Seller", Role::Seller),
    ("Carrier", Role::Carrier),
];

fn parties(containers: &[&Node], diags: &mut Vec<Diagnostic>) -> Vec<Party> {
    let mut out: Vec<Party> = Vec::new();
    for c in containers {
        for (el, role) in PARTY_ELEMENTS {
            for n in c.all(el) {
                let p = party(n, role);
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    // AEO mutual-recognition parties: an AEO id on the party with the same id, else a party of their own.
    for c in containers {
        for n in c.all("AEOMutualRecognitionParty") {
            let Some(id) = n.text_at("ID") else { continue };
            let aeo = Identifier {
                scheme: "AEO".into(),
                value: id.clone(),
                issuer: None,
            };
            if let Some(p) = out.iter_mut().find(|p| p.ids.iter().any(|i| i.value == id)) {
                if !p.ids.contains(&aeo) {
                    p.ids.push(aeo);
                }
                continue;
            }
            let role = match n.text_at("RoleCode").as_deref() {
                Some("CS") => Role::Consolidator,
                Some("MF") => Role::Manufacturer,
                Some("FW") => Role::FreightForwarder,
                Some("CN") => Role::Consignee,
                Some("CZ") => Role::Consignor,
                Some("DT") => Role::Declarant,
                other => {
                    diags.push(
                        Diagnostic::warning(
                            "Declaration/GoodsShipment/AEOMutualRecognitionParty",
                            format!("AEO role code {other:?} has no party role here; kept as freight-forwarder"),
                        ).with_code(code::FIELD_INVALID)
                        .at_line(n.line, None),
                    );
                    Role::FreightForwarder
                }
            };
            let mut p = party(n, role);
            p.ids = vec![aeo];
            out.push(p);
        }
    }
    out
}

fn goods_item(n: &Node, idx: usize, diags: &mut Vec<Diagnostic>) -> GoodsItem {
    let base = if idx > 1 {
        format!("Declaration/GoodsShipment/GovernmentAgencyGoodsItem[{idx}]")
    } else {
        "Declaration/GoodsShipment/GovernmentAgencyGoodsItem".to_string()
    };
    let mut g = GoodsItem::default();
    let commodity = n.child("Commodity");
    if let Some(c) = commodity {
        g.description = c
            .all("Description")
            .filter_map(Node::value)
            .collect::<Vec<_>>()
            .join("; ");
        let class = |code: &str| {
            c.all("Classification")
                .find(|k| k.text_at("IdentificationTypeCode").as_deref() == Some(code))
                .and_then(|k| k.text_at("ID"))
        };
        let base_code = class("TSP").or_else(|| class("GN")).or_else(|| class("HS"));
        g.hs_code = match (base_code, class("TRC")) {
            (Some(cn), Some(taric)) if cn.len() == 8 && taric.len() == 2 => {
                Some(format!("{cn}{taric}"))
            }
            (Some(cn), _) => Some(cn),
            (None, _) => None,
        };
        if let Some(code) = &g.hs_code
            && !code.bytes().all(|b| b.is_ascii_digit())
        {
            {
                diags.push(
                    Diagnostic::warning(
                        format!("{base}/Commodity/Classification"),
                        format!("commodity code `{code}` is not all digits"),
                    )
                    .with_code(code::FIELD_INVALID)
                    .at_line(c.line, None),
                );
            }
        }
        let cbase = format!("{base}/Commodity");
        g.gross_kg = num(c, "GoodsMeasure/GrossMassMeasure", diags, &cbase);
        g.net_kg = num(c, "GoodsMeasure/NetNetWeightMeasure", diags, &cbase);
        if let Some(q) = c.at("GoodsMeasure/TariffQuantity") {
            g.quantity = num(c, "GoodsMeasure/TariffQuantity", diags, &cbase);
            g.quantity_unit = q.attr("unitCode").map(str::to_string);
        }
        g.un_number = c.text_at("DangerousGoods/UNDGID");
    }
    let mut packages: Option<u32> = None;
    for p in n.all("Packaging") {
        if let Some(q) = p.text_at("QuantityQuantity") {
            match q.parse::<u32>() {
                Ok(v) => packages = Some(packages.unwrap_or(0).saturating_add(v)),
                Err(_) => diags.push(
                    Diagnostic::warning(
                        format!("{base}/Packaging/QuantityQuantity"),
                        format!("`{q}` is not a package count"),
                    )
                    .with_code(code::FIELD_INVALID)
                    .at_line(p.line, None),
                ),
            }
        }
        if g.package_type.is_none() {
            g.package_type = p.text_at("TypeCode");
        }
    }
    g.packages = packages;
    g.origin = n.all("Origin").find_map(|o| o.text_at("CountryCode"));
    // Value: customs value, else the item price, else the statistical value.
    let value_node = n
        .child("CustomsValueAmount")
        .or_else(|| n.at("ValuationAdjustment/CustomsValueAmount"))
        .or_else(|| commodity.and_then(|c| c.at("InvoiceLine/ItemChargeAmount")))
        .or_else(|| n.child("StatisticalValueAmount"));
    if let Some(v) = value_node
        && let Some(t) = v.value()
    {
        {
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    g.value = Some(x);
                    g.currency = v.attr("currencyID").map(str::to_string);
                }
                _ => diags.push(
                    Diagnostic::warning(
                        format!("{base}/{}", v.name),
                        format!("`{t}` is not an amount"),
                    )
                    .with_code(code::FIELD_INVALID)
                    .at_line(v.line, None),
                ),
            }
        }
    }
    g
}

/// A UN/LOCODE-shaped code: two letters and three letters/digits.
fn is_locode(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'9').contains(c))
}

/// GoodsLocation with qualifier `U`: a UN/LOCODE, or the UK form (LOCODE without country + 6) with the
/// country in `Address/CountryCode`.
fn goods_location(gl: &Node) -> Option<String> {
    let code = gl.text_at("ID").or_else(|| gl.text_at("Name"))?;
    if is_locode(&code) {
        return Some(code);
    }
    let qualifier_u = gl.text_at("Address/TypeCode").as_deref() == Some("U");
    let country = gl.text_at("Address/CountryCode")?;
    if qualifier_u && code.len() >= 3 && code.is_ascii() {
        let c = format!("{country}{}", &code[..3]);
        return is_locode(&c).then_some(c);
    }
    None
}

/// What a declaration's type and function codes make of a filing.
struct Kind {
    direction: Direction,
    stage: Stage,
    kind: FilingKind,
    status: FilingStatus,
}

/// WCO DM declaration type (`TypeCode`: CDS/UCC box 1, the first two letters `IM`, `EX`, `CO` and the
/// additional type letter; whole codes `INV` invalidation, `COR` correction, `GPR` goods presentation,
/// `ARR`/`ARN` arrival notification) and function code (UN/EDIFACT 1225: 1 cancellation, 3 deletion,
/// 4 change, 5 replace, 9 original, 13 request — an amendment or, with `INV`, a cancellation; 2, 6,
/// 16 and others as original). An absent or unknown type is a warning and reads as an import.
fn kind_of(type_code: &str, function_code: Option<&str>, line: u64, diags: &mut Vec<Diagnostic>) -> Kind {
    let import = Kind {
        direction: Direction::Import,
        stage: Stage::Arrival,
        kind: FilingKind::AdvanceCargo,
        status: FilingStatus::Original,
    };
    let warn = |diags: &mut Vec<Diagnostic>, c: &'static str, m: String| {
        diags.push(Diagnostic::warning("Declaration/TypeCode", m).with_code(c).at_line(line, None));
    };
    let mut k = match (type_code, type_code.get(..2)) {
        ("INV", _) => Kind { status: FilingStatus::Cancellation, ..import },
        ("COR", _) => Kind { status: FilingStatus::Amendment, ..import },
        ("GPR" | "ARR" | "ARN", _) => import,
        (_, Some("EX")) => Kind {
            direction: Direction::Export,
            stage: Stage::Export,
            kind: FilingKind::ExportDeclaration,
            ..import
        },
        (_, Some("IM")) => import,
        (_, Some("CO")) => {
            let m = format!("declaration type `{type_code}` (special fiscal territories) treated as import");
            warn(diags, code::CODE_DEFAULTED, m);
            import
        }
        ("", _) => {
            warn(diags, code::FIELD_MISSING, "no declaration type (TypeCode); read as an import".to_string());
            import
        }
        _ => {
            let m = format!("declaration type `{type_code}` is not one Clearway maps (IM*, EX*, CO*, INV, COR, GPR); read as an import");
            warn(diags, code::CODE_UNMAPPED, m);
            import
        }
    };
    let fc = function_code.map(|c| c.trim_start_matches('0'));
    if k.status == FilingStatus::Original {
        k.status = match fc {
            Some("1" | "3") => FilingStatus::Cancellation,
            Some("4" | "5" | "13") => FilingStatus::Amendment,
            None | Some("" | "2" | "6" | "9" | "16" | "31" | "42" | "43" | "47") => FilingStatus::Original,
            Some(other) => {
                diags.push(
                    Diagnostic::warning(
                        "Declaration/FunctionCode",
                        format!("function code `{other}` is not one Clearway maps; read as an original"),
                    )
                    .with_code(code::CODE_UNMAPPED)
                    .at_line(line, None),
                );
                FilingStatus::Original
            }
        };
    }
    k
}

pub(crate) struct Mapped {
    pub filing: Filing,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarant id, for the interchange's sender.
    pub sender: Option<String>,
}

/// Map one `Declaration`. `meta` is the `MetaData` wrapper, if any. Error diagnostics mean rejection.
pub(crate) fn declaration(decl: &Node, meta: Option<&Node>) -> Mapped {
    let mut diags = Vec::new();
    let line = decl.line;
    let at = |path: &str| path.to_string();
    let id = decl
        .text_at("FunctionalReferenceID")
        .or_else(|| decl.text_at("ID"));
    if id.is_none() {
        diags.push(
            Diagnostic::error(
                at("Declaration/FunctionalReferenceID"),
                "the declaration has no FunctionalReferenceID or ID",
            )
            .with_code(code::FIELD_MISSING)
            .at_line(line, None),
        );
    }
    let version = decl
        .text_at("VersionID")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let type_code = decl.text_at("TypeCode").unwrap_or_default();
    let function_code = decl.text_at("FunctionCode");
    let Kind { direction, stage, kind, status } = kind_of(&type_code, function_code.as_deref(), line, &mut diags);

    let gs = decl.child("GoodsShipment");
    let empty = Node::default();
    let gs_ref = gs.unwrap_or(&empty);
    let mut consignments: Vec<&Node> = decl.all("Consignment").collect();
    consignments.extend(gs_ref.all("Consignment"));

    // Mode: border transport means, else any transport means' ModeCode (UN/ECE Rec. 19). Absent (usual
    // in amendments, cancellations and some simplified declarations): unknown, with a warning.
    let mode_at = |path: &str| decl.text_at(path).map(|c| (c, path.to_string()));
    let mode_code = mode_at("BorderTransportMeans/ModeCode").or_else(|| {
        consignments.iter().find_map(|c| {
            let of = |p: &str| c.text_at(p).map(|v| (v, format!("Declaration/{}/{p}", c.name)));
            of("ArrivalTransportMeans/ModeCode").or_else(|| of("DepartureTransportMeans/ModeCode"))
        })
    });
    let mode = match &mode_code {
        None => {
            diags.push(
                Diagnostic::warning(
                    at("Declaration/BorderTransportMeans/ModeCode"),
                    "no transport mode (BorderTransportMeans/ModeCode); the mode is unknown",
                )
                .with_code(code::FIELD_MISSING)
                .at_line(line, None),
            );
            Mode::Unknown
        }
        Some((c, path)) => {
            let path = if path.starts_with("Declaration/") { path.clone() } else { format!("Declaration/{path}") };
            match Mode::from_rec19(c) {
                Some(m) => {
                    if c.trim_start_matches('0').starts_with('8') {
                        diags.push(
                            Diagnostic::warning(path, "inland waterway (8) treated as marine")
                                .with_code(code::CODE_DEFAULTED)
                                .at_line(line, None),
                        );
                    }
                    m
                }
                None => {
                    diags.push(
                        Diagnostic::warning(
                            path,
                            format!("transport mode `{c}` is not a UN/ECE Rec. 19 code (0-9); the mode is unknown"),
                        )
                        .with_code(code::FIELD_INVALID)
                        .at_line(line, None),
                    );
                    Mode::Unknown
                }
            }
        }
    };

    // Parties.
    let mut containers: Vec<&Node> = vec![decl, gs_ref];
    containers.extend(consignments.iter().copied());
    containers.extend(gs_ref.all("GovernmentAgencyGoodsItem"));
    let parties = parties(&containers, &mut diags);

    // Agency country: MetaData ResponsibleCountryCode, else the country of the declaration's office,
    // else (import) the importer's / (export) the exporter's country. Not an ISO 3166 country → DEFAULT_AGENCY + warning.
    let office = [
        "DeclarationOffice",
        "PresentationOffice",
        "SupervisingOffice",
        "ExitOffice",
    ]
    .iter()
    .find_map(|o| decl.text_at(&format!("{o}/ID")).map(|id| (*o, id)));
    let own_role = if direction == Direction::Export {
        Role::Exporter
    } else {
        Role::ImporterOfRecord
    };
    let responsible = meta
        .and_then(|m| m.text_at("ResponsibleCountryCode"))
        .map(|c| (c, "MetaData/ResponsibleCountryCode".to_string()))
        .or_else(|| {
            office
                .as_ref()
                .and_then(|(o, id)| id.get(..2).map(|c| (c.to_string(), format!("{o} {id}"))))
        })
        .or_else(|| {
            parties
                .iter()
                .find(|p| p.role == own_role)
                .and_then(|p| p.country.clone())
                .map(|c| (c, format!("{} country", own_role.as_str())))
        });
    let country = match &responsible {
        Some((c, _)) if agency(c).is_some() => agency(c).unwrap_or(DEFAULT_AGENCY),
        Some((c, source)) => {
            let agency_name = meta
                .and_then(|m| m.text_at("ResponsibleAgencyName"))
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            let office_txt = office
                .as_ref()
                .map(|(o, id)| format!("; office {o} {id}"))
                .unwrap_or_default();
            diags.push(
                Diagnostic::warning(
                    at("Declaration"),
                    format!(
                        "declaration is lodged with {c}{agency_name} (from {source}{office_txt}); not an ISO 3166-1 alpha-2 country; administration defaulted to {}",
                        DEFAULT_AGENCY.as_str()
                    ),
                ).with_code(code::CODE_DEFAULTED)
                .at_line(line, None),
            );
            DEFAULT_AGENCY
        }
        None => {
            diags.push(Diagnostic::warning(at("Declaration"), format!("no responsible country, office or trader country; agency country defaulted to {}", DEFAULT_AGENCY.as_str())).with_code(code::CODE_DEFAULTED).at_line(line, None));
            DEFAULT_AGENCY
        }
    };

    // Goods.
    let goods: Vec<GoodsItem> = gs_ref
        .all("GovernmentAgencyGoodsItem")
        .enumerate()
        .map(|(i, n)| goods_item(n, i + 1, &mut diags))
        .collect();

    // Equipment and cargo type.
    let mut equipment = Vec::new();
    let mut cargo = None;
    for c in &consignments {
        if c.text_at("ContainerCode").as_deref() == Some("1") {
            cargo = Some(CargoType::Containerised);
        }
        for e in c.all("TransportEquipment") {
            let Some(number) = e.text_at("ID") else {
                continue;
            };
            let seals = e.all("Seal").filter_map(|s| s.text_at("ID")).collect();
            equipment.push(Equipment {
                number,
                seals,
                ..Equipment::default()
            });
        }
    }

    // Conveyance: border means first, then arrival / departure means fill gaps.
    let mut conv = Conveyance::default();
    let mut means: Vec<&Node> = decl.all("BorderTransportMeans").collect();
    for c in &consignments {
        means.extend(c.all("ArrivalTransportMeans"));
        means.extend(c.all("DepartureTransportMeans"));
    }
    for m in means {
        let (Some(id), ty) = (m.text_at("ID"), m.text_at("IdentificationTypeCode")) else {
            continue;
        };
        let slot = match ty.as_deref() {
            Some("10") => &mut conv.imo,
            Some("11") | Some("81") => &mut conv.vessel_name,
            Some("30") | Some("31") => &mut conv.plate,
            Some("40") | Some("41") => &mut conv.flight,
            Some("20") | Some("21") => &mut conv.voyage,
            other => {
                diags.push(
                    Diagnostic::warning(
                        format!("{}/IdentificationTypeCode", m.name),
                        format!("transport means id `{id}` of type {other:?} not mapped"),
                    )
                    .with_code(code::CODE_UNMAPPED)
                    .at_line(m.line, None),
                );
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(id);
        }
    }
    let conveyance = (conv != Conveyance::default()).then_some(conv);

    // Places.
    let mut itinerary = Itinerary::default();
    let goods_loc = consignments
        .iter()
        .find_map(|c| c.child("GoodsLocation"))
        .and_then(goods_location);
    let loading = consignments
        .iter()
        .find_map(|c| c.text_at("LoadingLocation/ID"))
        .or_else(|| decl.text_at("LoadingLocation/ID"))
        .filter(|s| is_locode(s));
    match direction {
        Direction::Export => {
            itinerary.place_of_loading = loading
                .or(goods_loc)
                .or_else(|| decl.text_at("ExitOffice/ID").filter(|s| is_locode(s)));
        }
        _ => {
            itinerary.place_of_loading = loading;
            itinerary.place_of_discharge = goods_loc.clone();
            itinerary.first_port_of_arrival = goods_loc;
        }
    }
    let mut routing: Vec<(u32, String)> = Vec::new();
    for c in &consignments {
        for it in c.all("Itinerary") {
            if let Some(cc) = it.text_at("RoutingCountryCode") {
                let seq = it
                    .text_at("SequenceNumeric")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(u32::MAX);
                routing.push((seq, cc));
            }
        }
    }
    routing.sort_by_key(|(s, _)| *s);
    itinerary.routing = routing.into_iter().map(|(_, c)| c).collect();

    let filed_at = time_of(decl, "IssueDateTime", &mut diags)
        .or_else(|| time_of(decl, "AcceptanceDateTime", &mut diags));
    let sender = parties
        .iter()
        .find(|p| p.role == Role::Declarant)
        .and_then(|p| p.ids.first())
        .map(|i| i.value.clone());

    let filing = Filing {
        id: id.unwrap_or_default(),
        version,
        kind,
        status,
        resubmits: None,
        mode,
        direction,
        country,
        stage,
        cargo,
        fast: false,
        parties,
        goods,
        equipment,
        conveyance,
        itinerary,
        export: None,
        times: Times {
            filed_at,
            ..Times::default()
        },
    };
    Mapped {
        filing,
        diagnostics: diags,
        sender,
    }
}
