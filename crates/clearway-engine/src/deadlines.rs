//! The advance-cargo-information deadline table: mode × administration × cargo/conveyance selector ×
//! trusted status → anchor event and lead time. One table, no scattered ifs; each row names its regulation.
//!
//! Canada, the United States and Mexico have rows of their own. Any other administration (a filing's
//! [`AgencyCountry::Other`]) is judged by the rows with `country: None`: the WCO SAFE Framework of
//! Standards' time limits for advance electronic cargo information, the defaults the Framework asks its
//! members to apply.

use chrono::{DateTime, Duration, Utc};
use clearway_core::{AgencyCountry, Direction, Filing, FilingKind, Mode};
use serde::Serialize;

/// The event a deadline is counted back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// Loading at the foreign port.
    Loading,
    /// Arrival at the first port of entry.
    Arrival,
    /// Departure (wheels-up) from the last foreign place.
    Departure,
}

/// Which filings a row applies to, beyond mode and country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selector {
    /// Containerised cargo (marine).
    Containerised,
    /// Bulk or break-bulk cargo (marine).
    Bulk,
    /// Marine conveyance report with containers on board.
    ConveyanceWithContainers,
    /// Marine conveyance report without containers.
    ConveyanceWithoutContainers,
    /// Air cargo from a "nearby" place (US: wheels-up rule) or on a flight under 4 h (CA).
    ShortFlight,
    /// Any cargo of the mode.
    Any,
}

/// Which filing time an amendment is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmendmentClock {
    /// An amendment keeps the original filing's clock; only cancel-and-resubmit restarts it.
    Original,
    /// Every version is judged by its own filing time.
    Latest,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DeadlineRule {
    pub id: &'static str,
    /// The administration; `None`: every administration without rows of its own (the SAFE defaults).
    pub country: Option<AgencyCountry>,
    pub direction: DirectionSel,
    pub mode: Mode,
    pub selector: Selector,
    /// `Some(true)`: FAST shipments only; `Some(false)`: non-FAST only; `None`: both.
    pub fast: Option<bool>,
    pub anchor: Anchor,
    /// Minutes before the anchor event.
    pub lead_minutes: i64,
    pub amendment_clock: AmendmentClock,
    /// Plain-language statement of the rule.
    pub text: &'static str,
    /// Where the rule comes from; `provisional` rows are not from a verified source.
    pub source: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectionSel {
    /// Import and in-transit.
    Inbound,
    Export,
}

const CA: Option<AgencyCountry> = Some(AgencyCountry::CA);
const MX: Option<AgencyCountry> = Some(AgencyCountry::MX);
const US: Option<AgencyCountry> = Some(AgencyCountry::US);
/// Any administration without rows of its own.
const SAFE: Option<AgencyCountry> = None;
use AmendmentClock::{Latest, Original};
use Anchor::{Arrival, Departure, Loading};
use DirectionSel::{Export, Inbound};
use Mode::{Air, Highway, Marine, Rail};
use Selector::*;

const H: i64 = 60;

macro_rules! rule {
    ($id:literal, $c:ident, $d:ident, $m:ident, $s:ident, $fast:expr, $a:ident, $lead:expr, $clock:ident, $text:literal, $src:literal) => {
        DeadlineRule {
            id: $id,
            country: $c,
            direction: $d,
            mode: $m,
            selector: $s,
            fast: $fast,
            anchor: $a,
            lead_minutes: $lead,
            amendment_clock: $clock,
            text: $text,
            source: $src,
        }
    };
}

/// The table. The first matching row applies (more specific rows come first).
pub const DEADLINES: &[DeadlineRule] = &[
    // United States (19 CFR 4.7 24-hour rule, 19 CFR 122.48a air, 123.91/123.92 land; 15 CFR 30.4 AES).
    rule!("US-MAR-CONT", US, Inbound, Marine, Containerised, None, Loading, 24 * H, Latest,
        "marine containerised cargo: 24 h before loading at the foreign port", "19 CFR 4.7(b)"),
    rule!("US-MAR-BULK", US, Inbound, Marine, Bulk, None, Arrival, 24 * H, Latest,
        "marine bulk / break-bulk cargo: 24 h before arrival", "19 CFR 4.7(b)(4)"),
    rule!("US-AIR-NEAR", US, Inbound, Air, ShortFlight, None, Departure, 0, Latest,
        "air cargo from a nearby place: at wheels-up", "19 CFR 122.48a(b)"),
    rule!("US-AIR", US, Inbound, Air, Any, None, Arrival, 4 * H, Latest,
        "air cargo: 4 h before arrival", "19 CFR 122.48a(b)"),
    rule!("US-RAIL", US, Inbound, Rail, Any, None, Arrival, 2 * H, Latest,
        "rail cargo: 2 h before arrival at the first port of entry", "19 CFR 123.91"),
    rule!("US-HWY-FAST", US, Inbound, Highway, Any, Some(true), Arrival, 30, Latest,
        "highway cargo, FAST: 30 min before arrival at the border", "19 CFR 123.92"),
    rule!("US-HWY", US, Inbound, Highway, Any, None, Arrival, H, Latest,
        "highway cargo: 1 h before arrival at the border", "19 CFR 123.92"),
    rule!("US-EXP-MAR", US, Export, Marine, Any, None, Loading, 24 * H, Latest,
        "export by vessel: EEI 24 h before loading", "15 CFR 30.4(b)"),
    rule!("US-EXP-AIR", US, Export, Air, Any, None, Departure, 2 * H, Latest,
        "export by air: EEI 2 h before departure", "15 CFR 30.4(b)"),
    rule!("US-EXP-RAIL", US, Export, Rail, Any, None, Arrival, 2 * H, Latest,
        "export by rail: EEI 2 h before arrival at the border", "15 CFR 30.4(b)"),
    rule!("US-EXP-HWY", US, Export, Highway, Any, None, Arrival, H, Latest,
        "export by truck: EEI 1 h before arrival at the border", "15 CFR 30.4(b)"),
    // Canada (Reporting of Imported Goods Regulations; eManifest).
    rule!("CA-MAR-CONV-CONT", CA, Inbound, Marine, ConveyanceWithContainers, None, Arrival, 96 * H, Latest,
        "marine conveyance with containers on board: 96 h before arrival", "RIGR s.12.1"),
    rule!("CA-MAR-CONV", CA, Inbound, Marine, ConveyanceWithoutContainers, None, Arrival, 24 * H, Latest,
        "marine conveyance without containers: 24 h before arrival", "RIGR s.12.1"),
    rule!("CA-MAR-CONT", CA, Inbound, Marine, Containerised, None, Loading, 24 * H, Latest,
        "marine containerised cargo: 24 h before loading at the foreign port", "RIGR s.12.1"),
    rule!("CA-MAR-BULK", CA, Inbound, Marine, Bulk, None, Arrival, 24 * H, Latest,
        "marine bulk / break-bulk cargo: 24 h before arrival", "RIGR s.12.1"),
    rule!("CA-AIR-SHORT", CA, Inbound, Air, ShortFlight, None, Departure, 0, Latest,
        "air cargo on a flight under 4 h: at departure", "RIGR s.12.1"),
    rule!("CA-AIR", CA, Inbound, Air, Any, None, Arrival, 4 * H, Latest,
        "air cargo: 4 h before arrival", "RIGR s.12.1"),
    rule!("CA-RAIL", CA, Inbound, Rail, Any, None, Arrival, 2 * H, Latest,
        "rail cargo: 2 h before arrival", "RIGR s.12.1"),
    rule!("CA-HWY", CA, Inbound, Highway, Any, None, Arrival, H, Original,
        "highway cargo: 1 h before arrival; an amendment keeps the original clock, only cancel-and-resubmit restarts it",
        "RIGR s.12.1; CBSA eManifest"),
    // Mexico (24-hour rule for marine containerised cargo since 2007; other modes follow the US table
    // provisionally until verified against the SAT rules).
    rule!("MX-MAR-CONT", MX, Inbound, Marine, Containerised, None, Loading, 24 * H, Latest,
        "marine containerised cargo: 24 h before loading at the foreign port", "SAT RGCE 1.9.x (24-hour rule)"),
    rule!("MX-MAR-BULK", MX, Inbound, Marine, Bulk, None, Arrival, 24 * H, Latest,
        "marine bulk / break-bulk cargo: 24 h before arrival", "provisional"),
    rule!("MX-AIR", MX, Inbound, Air, Any, None, Arrival, 4 * H, Latest,
        "air cargo: 4 h before arrival", "provisional"),
    rule!("MX-RAIL", MX, Inbound, Rail, Any, None, Arrival, 2 * H, Latest,
        "rail cargo: 2 h before arrival", "provisional"),
    rule!("MX-HWY", MX, Inbound, Highway, Any, None, Arrival, H, Latest,
        "highway cargo: 1 h before arrival", "provisional"),
    // Every other administration: the WCO SAFE Framework of Standards' time limits for the advance
    // electronic cargo information of imports (Pillar 1, Standard 6, technical specifications: time
    // limits). "Short haul" flights are read as flights under 4 h, as Canada does. The Framework's
    // export time limits are left to the administrations (no row: exports are not judged for lateness).
    rule!("SAFE-MAR-CONT", SAFE, Inbound, Marine, Containerised, None, Loading, 24 * H, Latest,
        "marine containerised cargo: 24 h before loading at the port of departure", "WCO SAFE Framework of Standards, time limits (maritime, containerised)"),
    rule!("SAFE-MAR-BULK", SAFE, Inbound, Marine, Bulk, None, Arrival, 24 * H, Latest,
        "marine bulk / break-bulk cargo: 24 h before arrival at the first port", "WCO SAFE Framework of Standards, time limits (maritime, bulk / break-bulk)"),
    rule!("SAFE-AIR-SHORT", SAFE, Inbound, Air, ShortFlight, None, Departure, 0, Latest,
        "air cargo on a short-haul flight (under 4 h): at wheels-up", "WCO SAFE Framework of Standards, time limits (air, short haul)"),
    rule!("SAFE-AIR", SAFE, Inbound, Air, Any, None, Arrival, 4 * H, Latest,
        "air cargo on a long-haul flight: 4 h before arrival at the first port", "WCO SAFE Framework of Standards, time limits (air, long haul)"),
    rule!("SAFE-RAIL", SAFE, Inbound, Rail, Any, None, Arrival, 2 * H, Latest,
        "rail cargo: 2 h before arrival at the first port", "WCO SAFE Framework of Standards, time limits (rail)"),
    rule!("SAFE-HWY", SAFE, Inbound, Highway, Any, None, Arrival, H, Latest,
        "road cargo: 1 h before arrival at the first port", "WCO SAFE Framework of Standards, time limits (road)"),
];

/// Countries whose departures count as "nearby" for the US air wheels-up rule: North America (Canada,
/// Mexico, Central America, the Caribbean, Bermuda) and South America north of the equator
/// (19 CFR 122.48a(b)(1)).
pub const US_AIR_NEARBY: &[&str] = &[
    "AG", "AI", "AW", "BB", "BL", "BM", "BQ", "BS", "BZ", "CA", "CO", "CR", "CU", "CW", "DM", "DO", "GD", "GF",
    "GP", "GT", "GY", "HN", "HT", "JM", "KN", "KY", "LC", "MF", "MQ", "MS", "MX", "NI", "PA", "PM", "PR", "SR",
    "SV", "SX", "TC", "TT", "VC", "VE", "VG", "VI",
];

/// The rule that applies to a filing, if any (exports of CA and MX, and of administrations judged by
/// the SAFE defaults, have no rule in the table yet). An administration with rows of its own is judged
/// only by them; any other by the `country: None` rows.
pub fn rule_for(filing: &Filing, fast: bool) -> Option<&'static DeadlineRule> {
    let dir = match filing.direction {
        Direction::Export => Export,
        Direction::Import | Direction::InTransit => Inbound,
    };
    let own = Some(filing.country);
    let country = if DEADLINES.iter().any(|r| r.country == own) { own } else { None };
    DEADLINES.iter().find(|r| {
        r.country == country
            && r.direction == dir
            && r.mode == filing.mode
            && r.fast.is_none_or(|f| f == fast)
            && selector_matches(r.selector, filing)
    })
}

fn selector_matches(sel: Selector, f: &Filing) -> bool {
    let conveyance_report = f.kind == FilingKind::ConveyanceReport;
    match sel {
        Any => true,
        Containerised => !conveyance_report && f.is_containerised(),
        Bulk => !conveyance_report && !f.is_containerised(),
        ConveyanceWithContainers => {
            conveyance_report && f.conveyance.as_ref().and_then(|c| c.containers_on_board).unwrap_or(true)
        }
        ConveyanceWithoutContainers => {
            conveyance_report && !f.conveyance.as_ref().and_then(|c| c.containers_on_board).unwrap_or(true)
        }
        ShortFlight => match f.country {
            AgencyCountry::US => f
                .itinerary
                .place_of_loading
                .as_deref()
                .and_then(|p| p.get(..2))
                .is_some_and(|c| US_AIR_NEARBY.contains(&c)),
            _ => match (f.times.departure, f.times.arrival) {
                (Some(d), Some(a)) => a - d < Duration::hours(4),
                _ => false,
            },
        },
    }
}

/// The deadline for a filing under a rule, when the anchor event's time is known.
pub fn deadline(rule: &DeadlineRule, filing: &Filing) -> Option<DateTime<Utc>> {
    let t = match rule.anchor {
        Loading => filing.times.loading.or(filing.times.departure),
        Arrival => filing.times.arrival,
        Departure => filing.times.departure,
    }?;
    Some(t - Duration::minutes(rule.lead_minutes))
}

/// A stable fingerprint of the table, part of the configuration hash.
pub fn table_fingerprint() -> String {
    let json = serde_json::to_string(DEADLINES).unwrap_or_default();
    blake3::hash(json.as_bytes()).to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing(country: &str, mode: &str, cargo: Option<&str>) -> Filing {
        let mut v = serde_json::json!({"id": "D1", "mode": mode, "direction": "import", "country": country, "stage": "pre-arrival"});
        if let Some(c) = cargo {
            v["cargo"] = c.into();
        }
        serde_json::from_value(v).unwrap()
    }

    /// CA, US and MX keep their own rows; every other administration gets the SAFE Framework rows,
    /// never another country's.
    #[test]
    fn own_rows_for_ca_us_mx_and_safe_defaults_elsewhere() {
        let id = |c, m, cargo| rule_for(&filing(c, m, cargo), false).map(|r| r.id);
        assert_eq!(id("US", "marine", Some("containerised")), Some("US-MAR-CONT"));
        assert_eq!(id("CA", "highway", None), Some("CA-HWY"));
        assert_eq!(id("MX", "air", None), Some("MX-AIR"));
        assert_eq!(id("GB", "marine", Some("containerised")), Some("SAFE-MAR-CONT"));
        assert_eq!(id("NG", "marine", Some("bulk")), Some("SAFE-MAR-BULK"));
        assert_eq!(id("DE", "air", None), Some("SAFE-AIR"));
        assert_eq!(id("KE", "rail", None), Some("SAFE-RAIL"));
        assert_eq!(id("ZA", "highway", None), Some("SAFE-HWY"));
        let mut export = filing("GB", "marine", None);
        export.direction = Direction::Export;
        assert_eq!(rule_for(&export, false).map(|r| r.id), None, "no SAFE export row");
        // Every row names its source, and the SAFE rows are the only ones without a country.
        for r in DEADLINES {
            assert!(!r.source.is_empty(), "{}", r.id);
            assert_eq!(r.country.is_none(), r.id.starts_with("SAFE-"), "{}", r.id);
        }
    }
}
