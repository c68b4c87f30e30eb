//! Timeliness against the advance-cargo-information deadline table ([`crate::deadlines`]).
//! A late filing is a finding that says how many minutes late, under which rule.

use clearway_core::{Action, Filing, FilingStatus, Finding, FindingKind};

use chrono::{DateTime, Utc};

use crate::deadlines::{self, AmendmentClock, DeadlineRule as Rule};
use crate::{Context, Layer, Prior};

pub struct Deadline;

const LAYER: &str = "deadline";

fn human(minutes: i64) -> String {
    if minutes < 120 {
        format!("{minutes} min")
    } else {
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

impl Layer for Deadline {
    fn name(&self) -> &'static str {
        LAYER
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cfg = ctx.config;
        match check(f, ctx.prior, ctx.fast_eligible(f)) {
            Check::NoRule => {}
            Check::NoFiledAt(rule) => out.push(
                Finding::new(LAYER, "DL-NO-FILED-AT", FindingKind::DataQuality, cfg.weight("DL-NO-FILED-AT", 5.0),
                    "Cannot check the deadline: filing time missing")
                .with("rule", rule.id),
            ),
            Check::NoAnchor(rule) => out.push(
                Finding::new(LAYER, "DL-NO-ANCHOR", FindingKind::DataQuality, cfg.weight("DL-NO-ANCHOR", 5.0), format!(
                    "Cannot check the deadline: {} time missing ({})", serde_json::to_value(rule.anchor).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(), rule.text
                ))
                .with("rule", rule.id),
            ),
            Check::Timed { rule, deadline, filed, clock_time, clock, amended, late } => {
                if late > 0 {
                    let w = cfg.weight("DL-LATE", 10.0 + (late as f64 / 60.0).min(15.0));
                    out.push(
                        Finding::new(LAYER, "DL-LATE", FindingKind::Timeliness, w, format!(
                            "Filed {} late: {} {}", human(late), f.country.as_str(), rule.text
                        ))
                        .with("rule", rule.id)
                        .with("minutes_late", late)
                        .with("deadline", deadline.to_rfc3339())
                        .with("filed_at", clock_time.to_rfc3339())
                        .with("clock", clock)
                        .with("source", rule.source)
                        .action(Action::DocumentCheck),
                    );
                } else if amended && clock == "original filing" && (filed - deadline).num_minutes() > 0 {
                    out.push(
                        Finding::new(LAYER, "DL-AMENDMENT-CLOCK", FindingKind::Info, 0.0, format!(
                            "Amendment filed after the deadline keeps the original filing's clock ({})", rule.text
                        ))
                        .with("rule", rule.id)
                        .with("original_filed_at", clock_time.to_rfc3339())
                        .with("amended_at", filed.to_rfc3339()),
                    );
                }
            }
        }
    }
}

/// What the deadline table says of one filing version.
pub(crate) enum Check {
    NoRule,
    NoFiledAt(&'static Rule),
    NoAnchor(&'static Rule),
    Timed {
        rule: &'static Rule,
        deadline: DateTime<Utc>,
        filed: DateTime<Utc>,
        /// The time the clock runs from: this version's filing time, or the original's.
        clock_time: DateTime<Utc>,
        clock: &'static str,
        amended: bool,
        /// Minutes after the deadline (negative: early).
        late: i64,
    },
}

/// Check a filing against the deadline table. The layer's findings and the pipeline's
/// [`crate::Context::late`] both come from here.
pub(crate) fn check(f: &Filing, prior: Option<&Prior>, fast_eligible: bool) -> Check {
    if f.status == FilingStatus::Cancellation {
        return Check::NoRule;
    }
    let Some(rule) = deadlines::rule_for(f, fast_eligible) else { return Check::NoRule };
    let Some(filed) = f.times.filed_at else { return Check::NoFiledAt(rule) };
    let Some(deadline) = deadlines::deadline(rule, f) else { return Check::NoAnchor(rule) };
    // Which clock: an amendment keeps the original filing time where the rule says so.
    let amended = f.status == FilingStatus::Amendment || f.version > 1;
    let original = prior.and_then(|p| p.first_filed_at);
    let (clock_time, clock) = match (amended, rule.amendment_clock, original) {
        (true, AmendmentClock::Original, Some(o)) => (o.min(filed), "original filing"),
        _ => (filed, "this version"),
    };
    Check::Timed { rule, deadline, filed, clock_time, clock, amended, late: (clock_time - deadline).num_minutes() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::testing::{codes, filing, run};
    use crate::{Prior, ReferenceData, Registry};
    use clearway_core::{Membership, MembershipStatus, Program};
    use serde_json::json;

    fn dl(v: serde_json::Value, prior: Option<&Prior>, reg: &Registry) -> Vec<Finding> {
        run(&Deadline, &filing(v), &ReferenceData::default(), reg, prior)
    }

    fn marine(filed: &str, loading: &str) -> serde_json::Value {
        json!({"id": "M1", "mode": "marine", "direction": "import", "country": "US", "stage": "pre-load", "cargo": "containerised",
               "times": {"filed_at": filed, "loading": loading, "arrival": "2026-11-20T00:00:00Z"}})
    }

    #[test]
    fn marine_24h_before_loading() {
        let reg = Registry::default();
        assert!(dl(marine("2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z"), None, &reg).is_empty(), "exactly 24 h is on time");
        let f = dl(marine("2026-11-01T11:35:00Z", "2026-11-02T10:00:00Z"), None, &reg);
        assert_eq!(codes(&f), ["DL-LATE"]);
        assert_eq!(f[0].evidence["minutes_late"], json!(95));
        assert_eq!(f[0].evidence["rule"], json!("US-MAR-CONT"));
        assert_eq!(f[0].message, "Filed 95 min late: US marine containerised cargo: 24 h before loading at the foreign port");
    }

    #[test]
    fn bulk_counts_from_arrival() {
        let mut v = marine("2026-11-19T01:00:00Z", "2026-11-02T10:00:00Z");
        v["cargo"] = json!("bulk");
        let f = dl(v, None, &Registry::default());
        assert_eq!(f[0].evidence["rule"], json!("US-MAR-BULK"));
        assert_eq!(f[0].evidence["minutes_late"], json!(60));
    }

    #[test]
    fn ca_marine_conveyance_96h_with_containers() {
        let v = json!({"id": "C1", "kind": "conveyance-report", "mode": "marine", "direction": "import", "country": "CA", "stage": "pre-arrival",
                       "conveyance": {"vessel_name": "X", "containers_on_board": true},
                       "times": {"filed_at": "2026-11-17T00:00:00Z", "arrival": "2026-11-20T00:00:00Z"}});
        let f = dl(v.clone(), None, &Registry::default());
        assert_eq!(f[0].evidence["rule"], json!("CA-MAR-CONV-CONT"));
        assert_eq!(f[0].evidence["minutes_late"], json!(24 * 60));
        let mut no_containers = v;
        no_containers["conveyance"]["containers_on_board"] = json!(false);
        assert!(dl(no_containers, None, &Registry::default()).is_empty());
    }

    #[test]
    fn air_wheels_up_and_short_flights() {
        // US: from Toronto (nearby) the deadline is wheels-up.
        let v = json!({"id": "A1", "mode": "air", "direction": "import", "country": "US", "stage": "pre-arrival",
                       "itinerary": {"place_of_loading": "CAYYZ"},
                       "times": {"filed_at": "2026-11-02T09:50:00Z", "departure": "2026-11-02T10:00:00Z", "arrival": "2026-11-02T11:30:00Z"}});
        assert!(dl(v.clone(), None, &Registry::default()).is_empty());
        let mut from_far = v.clone();
        from_far["itinerary"]["place_of_loading"] = json!("DEFRA");
        let f = dl(from_far, None, &Registry::default());
        assert_eq!(f[0].evidence["rule"], json!("US-AIR"));
        assert_eq!(f[0].evidence["minutes_late"], json!(4 * 60 - 100));
        // CA: a flight under 4 h counts from departure.
        let mut ca = v;
        ca["country"] = json!("CA");
        ca["itinerary"]["place_of_loading"] = json!("USORD");
        assert!(dl(ca, None, &Registry::default()).is_empty());
    }

    fn highway(country: &str, filed: &str, version: u32) -> serde_json::Value {
        json!({"id": "H1", "version": version, "status": if version > 1 {"amendment"} else {"original"},
               "mode": "highway", "direction": "import", "country": country, "stage": "pre-arrival", "fast": true,
               "parties": [
                   {"role": "driver", "name": "D", "ids": [{"scheme": "FAST", "value": "F1"}]},
                   {"role": "carrier", "name": "C", "ids": [{"scheme": "CTPAT", "value": "C1"}]},
                   {"role": "importer-of-record", "name": "I", "ids": [{"scheme": "CTPAT", "value": "I1"}]}],
               "times": {"filed_at": filed, "arrival": "2026-11-02T12:00:00Z"}})
    }

    fn fast_registry() -> Registry {
        let m = |p, id: &str| Membership { program: p, member_id: id.into(), name: None, country: None, tier: None, business: None,
            status: MembershipStatus::Active, valid_from: None, valid_to: None, last_validated: None };
        Registry::new(vec![m(Program::FAST, "F1"), m(Program::CTPAT, "C1"), m(Program::CTPAT, "I1")])
    }

    #[test]
    fn us_highway_fast_30_min() {
        let filed = "2026-11-02T11:20:00Z"; // 40 min before arrival
        assert!(dl(highway("US", filed, 1), None, &fast_registry()).is_empty(), "FAST: 30 min suffices");
        let f = dl(highway("US", filed, 1), None, &Registry::default());
        assert_eq!(f[0].evidence["rule"], json!("US-HWY"), "not eligible for FAST: 1 h");
        assert_eq!(f[0].evidence["minutes_late"], json!(20));
    }

    #[test]
    fn ca_highway_amendment_keeps_the_original_clock() {
        let prior = Prior { first_filed_at: Some("2026-11-02T10:00:00Z".parse().unwrap()), versions: 1 };
        // Amended 20 min before arrival; the original was filed 2 h before: on time.
        let f = dl(highway("CA", "2026-11-02T11:40:00Z", 2), Some(&prior), &Registry::default());
        assert_eq!(codes(&f), ["DL-AMENDMENT-CLOCK"]);
        assert_eq!(f[0].weight, 0.0);
        // In the US table every version is judged by its own time.
        let f = dl(highway("US", "2026-11-02T11:40:00Z", 2), Some(&prior), &Registry::default());
        assert_eq!(codes(&f), ["DL-LATE"]);
        // A resubmission after cancellation is a new filing: its own clock.
        let mut resub = highway("CA", "2026-11-02T11:40:00Z", 1);
        resub["resubmits"] = json!("H0");
        resub["id"] = json!("H2");
        let f = dl(resub, None, &Registry::default());
        assert_eq!(f[0].evidence["minutes_late"], json!(40));
    }

    #[test]
    fn missing_anchor_time_is_reported() {
        let v = json!({"id": "R1", "mode": "rail", "direction": "import", "country": "CA", "stage": "pre-arrival",
                       "times": {"filed_at": "2026-11-02T10:00:00Z"}});
        let f = dl(v, None, &Registry::default());
        assert_eq!(codes(&f), ["DL-NO-ANCHOR"]);
        assert_eq!(f[0].message, "Cannot check the deadline: arrival time missing (rail cargo: 2 h before arrival)");
    }
}
