//! Declared radioactive sources against IAEA source-control guidance ([`clearway_rad::iaea`]).
//!
//! For a filing that declares radioactive content (`goods[].radioactive`), the aggregate over the whole
//! filing is categorised by the sum of A/D (per goods item in evidence), and:
//!
//! | code | when | kind | default weight | action |
//! |---|---|---|---|---|
//! | `RAD-DECLARED` | always | info | 0 | — |
//! | `RAD-NO-AUTHORIZATION` | Cat 1–2, a source without `recipient_authorization` | security | 30 | hold |
//! | `RAD-NO-NOTIFICATION` | Cat 1–2, a source without `notified_at` | security | 30 | hold |
//! | `RAD-NOTIFICATION-LATE` | Cat 1–2, notified less than 7 days (168 h) before shipment | security | 30 | hold |
//! | `RAD-NO-CONSENT` | Cat 1 export, a source without `consent_ref` | security | 40 | hold |
//! | `RAD-UNKNOWN-NUCLIDE` | a nuclide with no D-value | data quality | 10 | document-check |
//! | `RAD-BAD-ACTIVITY` | a negative activity | data quality | 10 | document-check |
//!
//! Each paperwork weight is at or above the yellow threshold (25), so one missing paper alone puts the
//! filing in the yellow lane with a hold; being security findings, trust never offsets them. Consent
//! weighs more because Category 1 is the most dangerous class. Weights can be overridden per code in
//! [`crate::Config`]. Shipment time is departure, else loading, else arrival, else filing time. The
//! pipeline uses the authoritative D-values only; an unverified value would be flagged in evidence.

use chrono::{DateTime, Utc};
use clearway_core::{Action, Filing, FilingStatus, Finding, FindingKind, RadioactiveContent};
use clearway_rad::{DTable, RadError};
use serde_json::json;

use crate::{Context, Layer};

const LAYER: &str = "radioactive-source";

/// Minimum notice to the importing State before shipment (US practice), in hours.
pub const NOTICE_HOURS: i64 = 168;

/// The declared-radioactive-source layer.
pub struct RadioactiveSource {
    table: DTable,
}

impl Default for RadioactiveSource {
    fn default() -> Self {
        RadioactiveSource { table: DTable::authoritative() }
    }
}

impl RadioactiveSource {
    /// A layer using another D-value table (e.g. authoritative plus unverified values).
    pub fn with_table(table: DTable) -> Self {
        RadioactiveSource { table }
    }
}

/// Four significant figures, for messages and evidence.
fn sig4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32 - 3;
    if e < 0 {
        let m = 10f64.powi(-e);
        (x * m).round() / m
    } else {
        let m = 10f64.powi(e);
        (x / m).round() * m
    }
}

fn days(hours: f64) -> f64 {
    (hours / 24.0 * 10.0).round() / 10.0
}

fn shipment_time(f: &Filing) -> Option<(DateTime<Utc>, &'static str)> {
    let t = &f.times;
    t.departure
        .map(|d| (d, "departure"))
        .or(t.loading.map(|d| (d, "loading")))
        .or(t.arrival.map(|d| (d, "arrival")))
        .or(t.filed_at.map(|d| (d, "filed_at")))
}

impl Layer for RadioactiveSource {
    fn name(&self) -> &'static str {
        LAYER
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if f.status == FilingStatus::Cancellation {
            return;
        }
        let sources: Vec<(usize, &RadioactiveContent)> =
            f.goods.iter().enumerate().flat_map(|(i, g)| g.radioactive.iter().map(move |r| (i + 1, r))).collect();
        if sources.is_empty() {
            return;
        }
        let cfg = ctx.config;
        // Keep the sources with a D-value; report the others.
        let mut known: Vec<(usize, &RadioactiveContent)> = Vec::with_capacity(sources.len());
        for &(item, r) in &sources {
            match self.table.categorize(&[(r.nuclide.as_str(), r.activity_bq)]) {
                Ok(_) => known.push((item, r)),
                Err(RadError::BadActivity { .. }) => out.push(
                    Finding::new(LAYER, "RAD-BAD-ACTIVITY", FindingKind::DataQuality, cfg.weight("RAD-BAD-ACTIVITY", 10.0),
                        format!("Declared activity of {} is not a valid number of becquerel: {}", r.nuclide, r.activity_bq))
                    .with("goods_item", item)
                    .with("nuclide", r.nuclide.clone())
                    .with("activity_bq", json!(r.activity_bq))
                    .action(Action::DocumentCheck),
                ),
                Err(_) => out.push(
                    Finding::new(LAYER, "RAD-UNKNOWN-NUCLIDE", FindingKind::DataQuality, cfg.weight("RAD-UNKNOWN-NUCLIDE", 10.0),
                        format!("Declared nuclide {:?} has no IAEA D-value: cannot categorise the source", r.nuclide))
                    .with("goods_item", item)
                    .with("nuclide", r.nuclide.clone())
                    .with("activity_bq", json!(r.activity_bq))
                    .action(Action::DocumentCheck),
                ),
            }
        }
        if known.is_empty() {
            return;
        }
        let pairs: Vec<(&str, f64)> = known.iter().map(|(_, r)| (r.nuclide.as_str(), r.activity_bq)).collect();
        let Ok(agg) = self.table.categorize(&pairs) else { return };
        let mut items = Vec::new();
        let mut item_nos: Vec<usize> = known.iter().map(|(i, _)| *i).collect();
        item_nos.dedup();
        for i in item_nos {
            let p: Vec<(&str, f64)> = known.iter().filter(|(j, _)| *j == i).map(|(_, r)| (r.nuclide.as_str(), r.activity_bq)).collect();
            if let Ok(c) = self.table.categorize(&p) {
                items.push(json!({"goods_item": i, "category": c.category, "ratio": sig4(c.ratio)}));
            }
        }
        let cat = agg.category;
        let incomplete = known.len() < sources.len();
        let mut declared = Finding::new(LAYER, "RAD-DECLARED", FindingKind::Info, 0.0, format!(
            "Declared radioactive content: IAEA Category {cat} (sum of A/D {}){}{}",
            sig4(agg.ratio),
            if agg.unverified { "; uses unverified D-values" } else { "" },
            if incomplete { "; at least (some nuclides unknown)" } else { "" },
        ))
        .with("category", cat)
        .with("ratio", json!(sig4(agg.ratio)))
        .with("parts", serde_json::to_value(&agg.parts).unwrap_or_default())
        .with("items", items)
        .with("unverified", agg.unverified);
        if incomplete {
            declared = declared.with("lower_bound", true);
        }
        out.push(declared);
        if cat > 2 {
            return;
        }
        let nuclides = |pred: &dyn Fn(&RadioactiveContent) -> bool| -> Vec<String> {
            known.iter().filter(|(_, r)| pred(r)).map(|(_, r)| r.nuclide.clone()).collect()
        };
        let security = |code: &'static str, default: f64, msg: String| {
            Finding::new(LAYER, code, FindingKind::Security, cfg.weight(code, default), msg).with("category", cat).action(Action::Hold)
        };

        let no_auth = nuclides(&|r| r.recipient_authorization.as_deref().is_none_or(|s| s.trim().is_empty()));
        if !no_auth.is_empty() {
            out.push(
                security("RAD-NO-AUTHORIZATION", 30.0, format!(
                    "Category {cat} source without the recipient's authorisation reference ({})", no_auth.join(", ")
                ))
                .with("nuclides", no_auth),
            );
        }

        let no_notice = nuclides(&|r| r.notified_at.is_none());
        if !no_notice.is_empty() {
            out.push(
                security("RAD-NO-NOTIFICATION", 30.0, format!(
                    "Category {cat} source: importing State not notified before shipment ({}); at least 7 days required", no_notice.join(", ")
                ))
                .with("nuclides", no_notice),
            );
        }
        if let Some((ship, anchor)) = shipment_time(f) {
            // The latest notification among the sources decides (every source must be notified in time).
            let latest = known.iter().filter_map(|(_, r)| r.notified_at.map(|n| (n, r.nuclide.clone()))).max_by_key(|(n, _)| *n);
            if let Some((notified, nuclide)) = latest {
                let hours = (ship - notified).num_minutes() as f64 / 60.0;
                if hours < NOTICE_HOURS as f64 {
                    let d = days(hours);
                    let msg = if hours < 0.0 {
                        format!("Category {cat} source: importing State notified {} days after shipment; at least 7 days before required", days(-hours))
                    } else {
                        format!("Category {cat} source: importing State notified only {d} days before shipment; at least 7 days required")
                    };
                    out.push(
                        security("RAD-NOTIFICATION-LATE", 30.0, msg)
                            .with("nuclide", nuclide)
                            .with("notified_at", notified.to_rfc3339())
                            .with("shipment", ship.to_rfc3339())
                            .with("shipment_time", anchor)
                            .with("days_ahead", json!(d))
                            .with("required_days", 7),
                    );
                }
            }
        }

        if cat == 1 && f.direction == clearway_core::Direction::Export {
            let no_consent = nuclides(&|r| r.consent_ref.as_deref().is_none_or(|s| s.trim().is_empty()));
            if !no_consent.is_empty() {
                out.push(
                    security("RAD-NO-CONSENT", 40.0, format!(
                        "Category 1 export without the importing State's consent reference ({})", no_consent.join(", ")
                    ))
                    .with("nuclides", no_consent),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::testing::{codes, filing, run};
    use crate::{Config, Pipeline, ReferenceData, Registry};
    use clearway_core::Lane;
    use serde_json::{Value, json};

    const DEP: &str = "2026-11-20T12:00:00Z";

    fn rad(direction: &str, sources: Value) -> Value {
        json!({"id": "R1", "mode": "marine", "direction": direction, "country": "US", "stage": "pre-load", "cargo": "containerised",
               "goods": [{"description": "SEALED SOURCE", "radioactive": sources}],
               "times": {"filed_at": "2026-11-10T00:00:00Z", "loading": "2026-11-19T00:00:00Z", "departure": DEP}})
    }

    fn src(nuclide: &str, bq: f64, notified: Option<&str>, auth: bool, consent: bool) -> Value {
        let mut v = json!({"nuclide": nuclide, "activity_bq": bq});
        if let Some(n) = notified {
            v["notified_at"] = json!(n);
        }
        if auth {
            v["recipient_authorization"] = json!("NRC-37-0042");
        }
        if consent {
            v["consent_ref"] = json!("CNSC-IMP-2026-17");
        }
        v
    }

    fn go(v: Value) -> Vec<Finding> {
        run(&RadioactiveSource::default(), &filing(v), &ReferenceData::default(), &Registry::default(), None)
    }

    #[test]
    fn no_radioactive_content_no_finding() {
        let mut v = rad("import", json!([]));
        v["goods"][0].as_object_mut().unwrap().remove("radioactive");
        assert!(go(v).is_empty());
    }

    #[test]
    fn co60_100_ci_is_category_2_and_paperwork_in_order() {
        // 3.7 TBq Co-60: A/D 123 → Category 2; authorised and notified 10 days ahead: nothing but the info.
        let f = go(rad("import", json!([src("Co-60", 3.7e12, Some("2026-11-10T12:00:00Z"), true, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED"]);
        assert_eq!(f[0].kind, FindingKind::Info);
        assert_eq!(f[0].weight, 0.0);
        assert_eq!(f[0].evidence["category"], json!(2));
        assert_eq!(f[0].evidence["ratio"], json!(123.3));
        assert_eq!(f[0].evidence["unverified"], json!(false));
        assert_eq!(f[0].evidence["items"], json!([{"goods_item": 1, "category": 2, "ratio": 123.3}]));
        assert_eq!(f[0].message, "Declared radioactive content: IAEA Category 2 (sum of A/D 123.3)");
    }

    #[test]
    fn notified_three_days_ahead_is_late() {
        let f = go(rad("import", json!([src("Co-60", 3.7e12, Some("2026-11-17T12:00:00Z"), true, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED", "RAD-NOTIFICATION-LATE"]);
        let late = &f[1];
        assert_eq!(late.kind, FindingKind::Security);
        assert_eq!(late.action, Some(Action::Hold));
        assert_eq!(late.evidence["days_ahead"], json!(3.0));
        assert_eq!(late.evidence["shipment_time"], json!("departure"));
        assert_eq!(late.message, "Category 2 source: importing State notified only 3 days before shipment; at least 7 days required");
        // Exactly 7 days is in time.
        assert_eq!(codes(&go(rad("import", json!([src("Co-60", 3.7e12, Some("2026-11-13T12:00:00Z"), true, false)])))), ["RAD-DECLARED"]);
    }

    #[test]
    fn shipment_time_falls_back_to_loading_then_arrival() {
        let mut v = rad("import", json!([src("Co-60", 3.7e12, Some("2026-11-13T12:00:00Z"), true, false)]));
        v["times"].as_object_mut().unwrap().remove("departure");
        let f = go(v); // loading 19 Nov 00:00: 5.5 days
        assert_eq!(f[1].evidence["shipment_time"], json!("loading"));
        assert_eq!(f[1].evidence["days_ahead"], json!(5.5));
    }

    #[test]
    fn missing_papers_category_1_export() {
        // 100 TBq Cs-137: A/D 1000 → Category 1.
        let f = go(rad("export", json!([src("Cs-137", 1e14, None, false, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED", "RAD-NO-AUTHORIZATION", "RAD-NO-NOTIFICATION", "RAD-NO-CONSENT"]);
        assert_eq!(f[0].evidence["category"], json!(1));
        assert!(f[1..].iter().all(|x| x.kind == FindingKind::Security && x.action == Some(Action::Hold) && x.weight >= 25.0));
        // The same as an import needs no consent.
        let f = go(rad("import", json!([src("Cs-137", 1e14, Some("2026-11-01T00:00:00Z"), true, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED"]);
        // Category 2 export needs no consent either.
        let f = go(rad("export", json!([src("Co-60", 3.7e12, Some("2026-11-01T00:00:00Z"), true, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED"]);
    }

    #[test]
    fn low_categories_need_no_papers() {
        // 1 GBq Am-241: A/D 0.0167 → Category 4.
        let f = go(rad("export", json!([src("Am-241", 1e9, None, false, false)])));
        assert_eq!(codes(&f), ["RAD-DECLARED"]);
        assert_eq!(f[0].evidence["category"], json!(4));
    }

    #[test]
    fn aggregate_over_items() {
        // Two goods items each Category 3 (A/D 6): together 12 → Category 2, so papers are due.
        let mut v = rad("import", json!([src("Co-60", 0.18e12, None, true, false)]));
        v["goods"].as_array_mut().unwrap().push(json!({"description": "GAUGE", "radioactive": [src("Cs-137", 0.6e12, None, true, false)]}));
        let f = go(v);
        assert_eq!(codes(&f), ["RAD-DECLARED", "RAD-NO-NOTIFICATION"]);
        assert_eq!(f[0].evidence["category"], json!(2));
        assert_eq!(f[0].evidence["items"][1], json!({"goods_item": 2, "category": 3, "ratio": 6.0}));
        assert_eq!(f[1].evidence["nuclides"], json!(["Co-60", "Cs-137"]));
    }

    #[test]
    fn unknown_nuclide_is_a_data_quality_finding() {
        let f = go(rad("import", json!([src("I-131", 1e12, None, false, false)])));
        assert_eq!(codes(&f), ["RAD-UNKNOWN-NUCLIDE"]);
        assert_eq!(f[0].kind, FindingKind::DataQuality);
        assert_eq!(f[0].action, Some(Action::DocumentCheck));
        // With a known one beside it: categorised as a lower bound.
        let f = go(rad("import", json!([src("Unobtainium-1", 1.0, None, false, false), src("Am-241", 1e9, None, false, false)])));
        assert_eq!(codes(&f), ["RAD-UNKNOWN-NUCLIDE", "RAD-DECLARED"]);
        assert_eq!(f[1].evidence["lower_bound"], json!(true));
        // An unverified D-value is flagged.
        let t = DTable::with_csv("radionuclide,d_value_TBq\nI-131,0.2\n").unwrap();
        let layer = RadioactiveSource::with_table(t);
        let f = run(&layer, &filing(rad("import", json!([src("I-131", 1e9, None, false, false)]))), &ReferenceData::default(), &Registry::default(), None);
        assert_eq!(f[0].evidence["unverified"], json!(true));
        assert!(f[0].message.contains("unverified"), "{}", f[0].message);
    }

    #[test]
    fn paperwork_finding_puts_the_filing_at_least_yellow() {
        let p = Pipeline::new(Config::default(), ReferenceData::default(), Registry::default());
        assert!(p.layer_names().contains(&LAYER));
        let d = p.assess(&filing(rad("import", json!([src("Co-60", 3.7e12, Some("2026-11-17T12:00:00Z"), true, false)]))), None);
        assert!(d.lane >= Lane::Yellow, "{:?}", d.lane);
        assert!(d.actions.contains(&Action::Hold));
    }
}
