//! Data quality: completeness of the WCO SAFE core elements for the mode and stage, the ten US
//! importer-security-filing elements for US marine imports, and code checks (HS, ISO 3166, UN/LOCODE,
//! ISO 6346, IMO, UN number), plus descriptions too vague to assess.

use clearway_core::codes::{is_iso3166_alpha2, is_unlocode_format, is_valid_imo, normalize_hs, validate_container_number};
use clearway_core::{Action, AgencyCountry, Direction, Filing, FilingKind, FilingStatus, Finding, FindingKind, Mode, Role, Stage};
use serde_json::Value;

use crate::{Context, Layer};

pub struct DataQuality;

const LAYER: &str = "data-quality";

/// Descriptions customs administrations reject as too vague to assess.
const VAGUE: &[&str] = &[
    "GENERAL CARGO", "FAK", "FREIGHT OF ALL KINDS", "SAID TO CONTAIN", "STC", "CONSOLIDATED", "CONSOLIDATED CARGO",
    "MISC", "MISCELLANEOUS", "VARIOUS", "GOODS", "PARTS", "SAMPLES", "GIFTS", "MERCHANDISE", "NEW GOODS",
];

fn is_vague(desc: &str) -> bool {
    let d = desc.trim().trim_end_matches('.');
    if d.len() > 24 {
        return false;
    }
    VAGUE.iter().any(|v| v.eq_ignore_ascii_case(d))
        || d.get(..15).is_some_and(|p| p.eq_ignore_ascii_case("SAID TO CONTAIN"))
}

/// UN/ECE Recommendation 21 codes for bulk: liquid, granular, fine and other bulk, gas, unpacked.
fn is_bulk_package_code(code: &str) -> bool {
    matches!(code, "VL" | "VR" | "VY" | "VO" | "VQ" | "VG" | "VS" | "NE" | "NF" | "NG")
}

fn has_role(f: &Filing, role: Role) -> bool {
    f.parties.iter().any(|p| p.role == role && !p.name.trim().is_empty())
}

fn looks_like_container(n: &str) -> bool {
    let b: Vec<u8> = n.bytes().filter(|c| !matches!(c, b' ' | b'-')).take(5).collect();
    b.len() >= 4 && b[..3].iter().all(|c| c.is_ascii_alphabetic()) && matches!(b[3].to_ascii_uppercase(), b'U' | b'J' | b'Z')
}

fn missing_safe_core(f: &Filing, missing: &mut Vec<&'static str>) {
    let export = f.direction == Direction::Export;
    if f.kind == FilingKind::ConveyanceReport {
        // A conveyance report describes the means of transport, not consignments.
    } else if export {
        if !has_role(f, Role::Exporter) && !has_role(f, Role::Consignor) {
            missing.push("exporter");
        }
        if !has_role(f, Role::UltimateConsignee) && !has_role(f, Role::Consignee) {
            missing.push("ultimate-consignee");
        }
    } else {
        if !has_role(f, Role::Consignor) && !has_role(f, Role::Seller) {
            missing.push("consignor");
        }
        match f.party(Role::Consignee) {
            None => missing.push("consignee"),
            Some(c) if c.name.trim().is_empty() => missing.push("consignee"),
            Some(c) if c.name.trim().eq_ignore_ascii_case("to order") && !has_role(f, Role::NotifyParty) => {
                missing.push("notify-party (consignee is \"to order\")")
            }
            _ => {}
        }
    }
    if !has_role(f, Role::Carrier) {
        missing.push("carrier");
    }
    if f.mode == Mode::Highway && f.direction != Direction::Export && !has_role(f, Role::Driver) {
        missing.push("driver");
    }
    if f.kind != FilingKind::ConveyanceReport {
        if f.goods.is_empty() {
            missing.push("goods");
        }
        if f.goods.iter().any(|g| g.description.trim().is_empty()) {
            missing.push("goods description");
        }
        if f.goods.iter().any(|g| g.hs_code.is_none()) {
            missing.push("HS code");
        }
        // Bulk cargo has no packages (marine bulk, or a bulk package code on the item).
        let bulk = f.mode == Mode::Marine && !f.is_containerised();
        if !bulk && f.goods.iter().any(|g| g.packages.is_none() && !g.package_type.as_deref().is_some_and(is_bulk_package_code)) {
            missing.push("packages");
        }
        if f.goods.iter().any(|g| g.gross_kg.is_none()) {
            missing.push("gross weight");
        }
        if f.goods.iter().any(|g| g.origin.is_none()) && export {
            missing.push("country of origin");
        }
        if export && f.goods.iter().any(|g| g.value.is_none()) {
            missing.push("value");
        }
    }
    if f.mode == Mode::Marine && f.is_containerised() && f.kind != FilingKind::ConveyanceReport {
        if f.equipment.is_empty() {
            missing.push("container number");
        } else if f.equipment.iter().any(|e| !e.empty && e.seals.is_empty()) {
            missing.push("seal number");
        }
    }
    let c = f.conveyance.as_ref();
    let conveyance_ok = match f.mode {
        Mode::Marine => c.is_some_and(|c| c.vessel_name.is_some() || c.imo.is_some()),
        Mode::Air => c.is_some_and(|c| c.flight.is_some()),
        Mode::Highway => c.is_some_and(|c| c.plate.is_some() || c.vin.is_some()),
        Mode::Rail => c.is_some_and(|c| c.voyage.is_some()),
        // No conveyance identity is asked of mail, multimodal, fixed-installation or own-propulsion
        // cargo; an undeclared mode is itself a missing core element.
        Mode::Postal | Mode::Multimodal | Mode::FixedInstallation | Mode::OwnPropulsion => true,
        Mode::Unknown => false,
    };
    if !conveyance_ok {
        missing.push(match f.mode {
            Mode::Marine => "vessel name or IMO number",
            Mode::Air => "flight number",
            Mode::Highway => "truck plate or VIN",
            Mode::Rail => "train number",
            _ => "transport mode",
        });
    }
    if matches!(f.mode, Mode::Marine | Mode::Air) && f.itinerary.place_of_loading.is_none() {
        missing.push("place of loading");
    }
    if f.mode == Mode::Marine && f.itinerary.place_of_discharge.is_none() && !export {
        missing.push("place of discharge");
    }
    if !export && f.itinerary.first_port_of_arrival.is_none() {
        missing.push("first port of arrival");
    }
    if f.stage == Stage::PreLoad && f.times.loading.is_none() {
        missing.push("loading date");
    }
}

/// The ten importer-security-filing elements (19 CFR 149.3(a)).
fn missing_isf(f: &Filing, missing: &mut Vec<&'static str>) {
    if !has_role(f, Role::Seller) {
        missing.push("seller");
    }
    if !has_role(f, Role::Buyer) {
        missing.push("buyer");
    }
    if f.party(Role::ImporterOfRecord).is_none_or(|p| p.ids.is_empty()) {
        missing.push("importer of record number");
    }
    if f.party(Role::Consignee).is_none_or(|p| p.ids.is_empty()) {
        missing.push("consignee number");
    }
    if !has_role(f, Role::Manufacturer) {
        missing.push("manufacturer (or supplier)");
    }
    if !has_role(f, Role::ShipTo) {
        missing.push("ship-to party");
    }
    if f.goods.is_empty() || f.goods.iter().any(|g| g.origin.is_none()) {
        missing.push("country of origin");
    }
    if f.goods.is_empty() || f.goods.iter().any(|g| g.hs_code.as_deref().and_then(normalize_hs).is_none()) {
        missing.push("HS-6 commodity code");
    }
    if !has_role(f, Role::ContainerStuffingLocation) {
        missing.push("container stuffing location");
    }
    if !has_role(f, Role::Consolidator) {
        missing.push("consolidator (stuffer)");
    }
}

impl Layer for DataQuality {
    fn name(&self) -> &'static str {
        LAYER
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if f.status == FilingStatus::Cancellation {
            return;
        }
        let cfg = ctx.config;
        let mut missing = Vec::new();
        missing_safe_core(f, &mut missing);
        if !missing.is_empty() {
            let w = cfg.weight("DQ-SAFE-INCOMPLETE", (8.0 + 4.0 * missing.len() as f64).min(30.0));
            out.push(
                Finding::new(LAYER, "DQ-SAFE-INCOMPLETE", FindingKind::DataQuality, w, format!(
                    "Advance data incomplete: missing {}", missing.join(", ")
                ))
                .with("missing", missing.clone())
                .action(Action::DocumentCheck),
            );
        }
        if f.country == AgencyCountry::US
            && f.mode == Mode::Marine
            && f.direction == Direction::Import
            && f.kind != FilingKind::ConveyanceReport
            && f.is_containerised()
        {
            let mut isf = Vec::new();
            missing_isf(f, &mut isf);
            if !isf.is_empty() {
                let w = cfg.weight("DQ-ISF-INCOMPLETE", (10.0 + 3.0 * isf.len() as f64).min(30.0));
                out.push(
                    Finding::new(LAYER, "DQ-ISF-INCOMPLETE", FindingKind::DataQuality, w, format!(
                        "Importer security filing (10+2) incomplete: missing {}", isf.join(", ")
                    ))
                    .with("missing", isf)
                    .action(Action::DocumentCheck),
                );
            }
        }
        check_goods(f, ctx, out);
        check_places_and_countries(f, ctx, out);
        check_equipment_and_conveyance(f, ctx, out);
    }
}

fn check_goods(f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config;
    for (i, g) in f.goods.iter().enumerate() {
        if let Some(hs) = &g.hs_code {
            match normalize_hs(hs) {
                None => out.push(
                    Finding::new(LAYER, "DQ-HS-FORMAT", FindingKind::DataQuality, cfg.weight("DQ-HS-FORMAT", 10.0), format!(
                        "Goods item {}: HS code \"{hs}\" is not 6 to 10 digits", i + 1
                    ))
                    .with("path", format!("goods[{i}].hs_code"))
                    .with("value", hs.as_str())
                    .action(Action::DocumentCheck),
                ),
                Some(d) => {
                    if ctx.reference.hs_exists(&d) == Some(false) {
                        out.push(
                            Finding::new(LAYER, "DQ-HS-UNKNOWN", FindingKind::DataQuality, cfg.weight("DQ-HS-UNKNOWN", 8.0), format!(
                                "Goods item {}: HS subheading {} does not exist in HS 2022", i + 1, &d[..6]
                            ))
                            .with("path", format!("goods[{i}].hs_code"))
                            .with("value", hs.as_str())
                            .action(Action::DocumentCheck),
                        );
                    }
                }
            }
        }
        if !g.description.is_empty() && is_vague(&g.description) {
            out.push(
                Finding::new(LAYER, "DQ-VAGUE-DESCRIPTION", FindingKind::DataQuality, cfg.weight("DQ-VAGUE-DESCRIPTION", 10.0), format!(
                    "Goods item {}: description \"{}\" is too vague to assess", i + 1, g.description
                ))
                .with("path", format!("goods[{i}].description"))
                .with("value", g.description.as_str())
                .action(Action::DocumentCheck),
            );
        }
        if let Some(un) = &g.un_number
            && !(un.len() == 4 && un.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push(
                Finding::new(LAYER, "DQ-UN-NUMBER", FindingKind::DataQuality, cfg.weight("DQ-UN-NUMBER", 5.0), format!(
                    "Goods item {}: UN number \"{un}\" is not four digits", i + 1
                ))
                .with("path", format!("goods[{i}].un_number"))
                .with("value", un.as_str()),
            );
        }
        if let (Some(n), Some(gr)) = (g.net_kg, g.gross_kg)
            && n > gr * 1.0001
        {
            out.push(
                Finding::new(LAYER, "DQ-WEIGHT", FindingKind::DataQuality, cfg.weight("DQ-WEIGHT", 3.0), format!(
                    "Goods item {}: net weight {n} kg exceeds gross weight {gr} kg", i + 1
                ))
                .with("path", format!("goods[{i}]"))
                .with("net_kg", n)
                .with("gross_kg", gr),
            );
        }
    }
}

fn check_places_and_countries(f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config;
    let mut bad: Vec<(String, String)> = Vec::new();
    let mut check = |path: &dyn Fn() -> String, code: &str| {
        if !is_iso3166_alpha2(code) {
            bad.push((path(), code.to_owned()));
        }
    };
    for (i, p) in f.parties.iter().enumerate() {
        if let Some(c) = &p.country {
            check(&|| format!("parties[{i}].country"), c);
        }
        if let Some(c) = p.address.as_ref().and_then(|a| a.country.as_ref()) {
            check(&|| format!("parties[{i}].address.country"), c);
        }
    }
    for (i, g) in f.goods.iter().enumerate() {
        if let Some(c) = &g.origin {
            check(&|| format!("goods[{i}].origin"), c);
        }
    }
    for (i, c) in f.itinerary.routing.iter().enumerate() {
        check(&|| format!("itinerary.routing[{i}]"), c);
    }
    if !bad.is_empty() {
        let values: Vec<Value> = bad.iter().map(|(p, v)| serde_json::json!({"path": p, "value": v})).collect();
        out.push(
            Finding::new(LAYER, "DQ-COUNTRY-CODE", FindingKind::DataQuality, cfg.weight("DQ-COUNTRY-CODE", 5.0), format!(
                "Not ISO 3166 country codes: {}",
                bad.iter().map(|(p, v)| format!("{v} ({p})")).collect::<Vec<_>>().join(", ")
            ))
            .with("invalid", values),
        );
    }
    let places = [
        ("itinerary.place_of_loading", &f.itinerary.place_of_loading),
        ("itinerary.place_of_discharge", &f.itinerary.place_of_discharge),
        ("itinerary.first_port_of_arrival", &f.itinerary.first_port_of_arrival),
    ];
    for (path, v) in places {
        let Some(code) = v else { continue };
        if !is_unlocode_format(code) {
            out.push(
                Finding::new(LAYER, "DQ-LOCODE-FORMAT", FindingKind::DataQuality, cfg.weight("DQ-LOCODE-FORMAT", 5.0), format!(
                    "{path}: \"{code}\" is not a UN/LOCODE (2-letter country and 3 characters)"
                ))
                .with("path", path)
                .with("value", code.as_str()),
            );
        } else if ctx.reference.locode_exists(code) == Some(false) {
            out.push(
                Finding::new(LAYER, "DQ-LOCODE-UNKNOWN", FindingKind::DataQuality, cfg.weight("DQ-LOCODE-UNKNOWN", 5.0), format!(
                    "{path}: UN/LOCODE {code} does not exist"
                ))
                .with("path", path)
                .with("value", code.as_str()),
            );
        }
    }
}

fn check_equipment_and_conveyance(f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config;
    for (i, e) in f.equipment.iter().enumerate() {
        // Marine equipment is a container; elsewhere (trailers, ULDs, rail cars) only what looks like one.
        if !(f.mode == Mode::Marine || looks_like_container(&e.number)) {
            continue;
        }
        if let Err(err) = validate_container_number(&e.number) {
            out.push(
                Finding::new(LAYER, "DQ-ISO6346", FindingKind::DataQuality, cfg.weight("DQ-ISO6346", 15.0), format!(
                    "Container {}: {err}", e.number
                ))
                .with("path", format!("equipment[{i}].number"))
                .with("value", e.number.as_str())
                .action(Action::DocumentCheck),
            );
        }
    }
    if let Some(imo) = f.conveyance.as_ref().and_then(|c| c.imo.as_ref())
        && !is_valid_imo(imo)
    {
        out.push(
            Finding::new(LAYER, "DQ-IMO", FindingKind::DataQuality, cfg.weight("DQ-IMO", 5.0), format!(
                "IMO number \"{imo}\" fails its check digit"
            ))
            .with("path", "conveyance.imo")
            .with("value", imo.as_str()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::testing::{codes, filing, run};
    use crate::{ReferenceData, Registry};
    use serde_json::json;

    #[test]
    fn vague_descriptions() {
        for d in ["General cargo", "FAK", "said to contain", "Said to contain 10 ctns", "STC.", " misc "] {
            assert!(is_vague(d), "{d}");
        }
        for d in ["Laptop computers", "Said to contain laptop computers and accessories", "Parts of engines"] {
            assert!(!is_vague(d), "{d}");
        }
    }

    fn us_marine() -> serde_json::Value {
        json!({
            "id": "MAEU123456789", "mode": "marine", "direction": "import", "country": "US", "stage": "pre-load",
            "cargo": "containerised",
            "parties": [
                {"role": "consignor", "name": "Shenzhen Hongda Electronics Co., Ltd.", "country": "CN"},
                {"role": "consignee", "name": "Acme Imports LLC", "country": "US", "ids": [{"scheme": "IRS", "value": "12-3456789"}]},
                {"role": "carrier", "name": "Maersk", "ids": [{"scheme": "SCAC", "value": "MAEU"}]},
                {"role": "seller", "name": "Hongda"}, {"role": "buyer", "name": "Acme Imports LLC"},
                {"role": "importer-of-record", "name": "Acme Imports LLC", "ids": [{"scheme": "IOR", "value": "12-3456789AB"}]},
                {"role": "manufacturer", "name": "Hongda Factory 2", "country": "CN"},
                {"role": "ship-to", "name": "Acme DC"}, {"role": "container-stuffing-location", "name": "Yantian CFS"},
                {"role": "consolidator", "name": "Yantian CFS"}
            ],
            "goods": [{"description": "Laptop computers", "hs_code": "847130", "packages": 200, "gross_kg": 2400.0, "origin": "CN"}],
            "equipment": [{"number": "CSQU3054383", "seals": ["ML123456"]}],
            "conveyance": {"vessel_name": "MAERSK ESSEX", "imo": "9074729", "voyage": "245E"},
            "itinerary": {"place_of_loading": "CNYTN", "place_of_discharge": "USLAX", "first_port_of_arrival": "USLAX", "routing": ["CN", "US"]},
            "times": {"filed_at": "2026-11-01T00:00:00Z", "loading": "2026-11-03T00:00:00Z", "arrival": "2026-11-17T00:00:00Z"}
        })
    }

    fn dq(v: serde_json::Value, reference: &ReferenceData) -> Vec<Finding> {
        run(&DataQuality, &filing(v), reference, &Registry::default(), None)
    }

    #[test]
    fn complete_filing_is_clean() {
        assert!(dq(us_marine(), &ReferenceData::default()).is_empty());
    }

    #[test]
    fn isf_elements_missing_are_named() {
        let mut v = us_marine();
        let parties = v["parties"].as_array_mut().unwrap();
        parties.retain(|p| !matches!(p["role"].as_str(), Some("seller" | "consolidator" | "importer-of-record")));
        let f = dq(v, &ReferenceData::default());
        assert_eq!(codes(&f), ["DQ-ISF-INCOMPLETE"]);
        assert_eq!(f[0].evidence["missing"], json!(["seller", "importer of record number", "consolidator (stuffer)"]));
        assert_eq!(f[0].weight, 19.0);
    }

    #[test]
    fn bad_container_check_digit() {
        let mut v = us_marine();
        v["equipment"][0]["number"] = json!("CSQU3054384");
        let f = dq(v, &ReferenceData::default());
        assert_eq!(codes(&f), ["DQ-ISO6346"]);
        assert_eq!(f[0].message, "Container CSQU3054384: check digit is 4, the owner code and serial give 3");
        assert_eq!(f[0].evidence["path"], json!("equipment[0].number"));
    }

    #[test]
    fn code_checks_with_and_without_reference() {
        let mut v = us_marine();
        v["goods"][0]["hs_code"] = json!("849999");
        v["goods"][0]["origin"] = json!("UK");
        v["itinerary"]["place_of_discharge"] = json!("USXQZ");
        v["itinerary"]["place_of_loading"] = json!("Yantian");
        let without = dq(v.clone(), &ReferenceData::default());
        assert_eq!(codes(&without), ["DQ-COUNTRY-CODE", "DQ-LOCODE-FORMAT"]);
        let mut r = ReferenceData::default();
        r.add_hs_csv("hs", "hscode,level\n84,2\n8471,4\n847130,6\n").unwrap();
        r.add_locode_csv("us", "unlocode\nUSLAX\n").unwrap();
        let with = dq(v, &r);
        assert_eq!(codes(&with), ["DQ-HS-UNKNOWN", "DQ-COUNTRY-CODE", "DQ-LOCODE-FORMAT", "DQ-LOCODE-UNKNOWN"]);
    }

    #[test]
    fn vague_description_and_to_order() {
        let mut v = us_marine();
        v["goods"][0]["description"] = json!("General cargo");
        v["parties"][1]["name"] = json!("TO ORDER");
        let f = dq(v, &ReferenceData::default());
        assert_eq!(codes(&f), ["DQ-SAFE-INCOMPLETE", "DQ-VAGUE-DESCRIPTION"]);
        assert_eq!(f[0].evidence["missing"], json!(["notify-party (consignee is \"to order\")"]));
    }

    #[test]
    fn highway_needs_a_driver_and_a_plate() {
        let f = dq(
            json!({"id": "H1", "mode": "highway", "direction": "import", "country": "CA", "stage": "pre-arrival",
                   "parties": [{"role": "consignor", "name": "A"}, {"role": "consignee", "name": "B"}, {"role": "carrier", "name": "C"}],
                   "goods": [{"description": "Auto parts", "hs_code": "870899", "packages": 10, "gross_kg": 500.0}],
                   "equipment": [{"number": "TRL-48213"}],
                   "itinerary": {"first_port_of_arrival": "CAWND"}}),
            &ReferenceData::default(),
        );
        assert_eq!(codes(&f), ["DQ-SAFE-INCOMPLETE"]);
        assert_eq!(f[0].evidence["missing"], json!(["driver", "truck plate or VIN"]));
    }
}
