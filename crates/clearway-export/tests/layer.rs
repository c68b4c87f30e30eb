//! The export-control layer in a pipeline: one filing in, its findings out.

use clearway_core::{Action, Filing, Lane};
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
use clearway_export::{ExportControl, Licence, LicenceBook, LicenceItem};
use serde_json::{Value, json};

fn filing(v: Value) -> Filing {
    serde_json::from_value(v).expect("filing")
}

fn export(goods: Value, dest: &str, end_use: Option<&str>, routing: &[&str], uc: &str) -> Value {
    let mut e = json!({"destination": dest});
    if let Some(u) = end_use {
        e["end_use"] = json!(u);
    }
    json!({"id": "E1", "mode": "air", "direction": "export", "country": "US", "stage": "export", "kind": "export-declaration",
           "parties": [{"role": "exporter", "name": "ACME PHOTONICS INC", "country": "US"},
                       {"role": "ultimate-consignee", "name": uc, "country": dest},
                       {"role": "end-user", "name": uc, "country": dest}],
           "goods": goods, "itinerary": {"routing": routing}, "export": e,
           "times": {"filed_at": "2026-11-18T00:00:00Z", "departure": "2026-11-20T12:00:00Z"}})
}

fn run_with(book: LicenceBook, v: Value) -> clearway_core::Decision {
    let mut p = Pipeline::empty(
        Config::default(),
        ReferenceData::default(),
        Registry::default(),
    );
    p.add_layer(Box::new(ExportControl::new(book)));
    p.assess(&filing(v), None)
}

fn codes(d: &clearway_core::Decision) -> Vec<String> {
    d.findings.iter().map(|f| f.code.to_string()).collect()
}

#[test]
fn ordinary_filings_are_untouched() {
    let mut v = export(
        json!([{"description": "T-SHIRTS", "hs_code": "610910"}]),
        "DE",
        None,
        &[],
        "BERLIN GMBH",
    );
    v["direction"] = json!("import");
    assert!(run_with(LicenceBook::default(), v).findings.is_empty());
}

#[test]
fn ear99_garments_to_germany_have_nothing_to_report() {
    let d = run_with(
        LicenceBook::default(),
        export(
            json!([{"description": "T-SHIRTS", "hs_code": "610910", "export": {"classification": "EAR99"}}]),
            "DE",
            Some("retail"),
            &[],
            "BERLIN GMBH",
        ),
    );
    // Nothing controlled, no HS candidate, no licence needed: no finding (and no allocation).
    assert!(codes(&d).is_empty(), "{:?}", codes(&d));
    assert_eq!(d.lane, Lane::Green);
    // The same goods to Cuba (embargo: every item, EAR99 included) are summarised and held.
    let cuba = run_with(
        LicenceBook::default(),
        export(
            json!([{"description": "T-SHIRTS", "hs_code": "610910", "export": {"classification": "EAR99"}}]),
            "CU",
            Some("retail"),
            &[],
            "HAVANA TEXTIL",
        ),
    );
    assert!(
        codes(&cuba).contains(&"EXP-SUMMARY".to_string()),
        "{:?}",
        codes(&cuba)
    );
    assert!(codes(&cuba).contains(&"EXP-LICENCE-REQUIRED".to_string()));
}

#[test]
fn unlicensed_3a001_to_china_is_held_with_the_chart_reasons() {
    let d = run_with(
        LicenceBook::default(),
        export(
            json!([{"description": "MMIC AMPLIFIERS", "hs_code": "854233", "quantity": 10, "export": {"classification": "3A001.b.2"}}]),
            "CN",
            Some("base station maintenance"),
            &[],
            "SHENZHEN RADIO CO",
        ),
    );
    let f = d
        .findings
        .iter()
        .find(|f| f.code == "EXP-LICENCE-REQUIRED")
        .expect("licence finding");
    assert_eq!(f.action, Some(Action::Hold));
    assert!(
        f.message
            .contains("NP1, NS1, NS2, MT1 and RS1 apply to 3A001.b.2 to China"),
        "{}",
        f.message
    );
    assert!(d.actions.contains(&Action::Hold));
}

#[test]
fn a_licence_covers_and_its_problems_are_named() {
    let book = LicenceBook::new(vec![Licence {
        number: "D1234567".into(),
        holder: "ACME PHOTONICS INC".into(),
        authority: None,
        items: vec![LicenceItem {
            entry: "3A001.b".into(),
            quantity: Some(100.0),
            value: None,
        }],
        destinations: vec!["DE".into()],
        end_users: vec!["BERLIN INSTRUMENTS GMBH".into()],
        valid_from: None,
        valid_to: chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    }]);
    let goods = |q: f64| json!([{"description": "MMIC", "hs_code": "854233", "quantity": q, "export": {"classification": "3A001.b.2", "licence": "D1234567"}}]);
    let ok = run_with(
        book.clone(),
        export(
            goods(10.0),
            "DE",
            Some("radar test equipment production"),
            &[],
            "BERLIN INSTRUMENTS GMBH",
        ),
    );
    assert_eq!(codes(&ok), ["EXP-LICENCE-COVERED", "EXP-SUMMARY"]);
    assert_eq!(
        ok.findings[1].evidence["items"][0]["covered_by"],
        json!("licence D1234567 item 1")
    );
    let cov = &ok.findings[0];
    assert_eq!(cov.evidence["quantity_before"], json!(100.0));
    assert_eq!(cov.evidence["quantity_after"], json!(90.0));
    let draws: Vec<_> = clearway_core::licence::draws(&ok).collect();
    assert_eq!(draws.len(), 1);
    assert_eq!(
        (draws[0].number.as_str(), draws[0].item, draws[0].quantity),
        ("D1234567", 0, 10.0)
    );

    // The balances of the moment come from the caller (the service), not the book.
    let mut p = Pipeline::empty(
        Config::default(),
        ReferenceData::default(),
        Registry::default(),
    );
    p.add_layer(Box::new(ExportControl::new(book.clone())));
    let mut used = clearway_core::licence::Balances::new();
    used.insert(
        ("D1234567".into(), 0),
        clearway_export::Used {
            quantity: 95.0,
            value: 0.0,
        },
    );
    let f = filing(export(
        goods(10.0),
        "DE",
        Some("radar test equipment production"),
        &[],
        "BERLIN INSTRUMENTS GMBH",
    ));
    let late = p.assess_in(&f, None, None, Some(&used));
    assert!(
        codes(&late).contains(&"EXP-LICENCE-USED-UP".to_string()),
        "{:?}",
        codes(&late)
    );
    assert!(late.actions.contains(&Action::Hold));

    // Two goods items of one filing draw on the same balance: the second sees the first's draw.
    let two = json!([
        {"description": "MMIC", "hs_code": "854233", "quantity": 60.0, "export": {"classification": "3A001.b.2", "licence": "D1234567"}},
        {"description": "MMIC", "hs_code": "854233", "quantity": 60.0, "export": {"classification": "3A001.b.2", "licence": "D1234567"}}
    ]);
    let d = run_with(
        book.clone(),
        export(
            two,
            "DE",
            Some("radar test equipment production"),
            &[],
            "BERLIN INSTRUMENTS GMBH",
        ),
    );
    let c = codes(&d);
    assert!(
        c.contains(&"EXP-LICENCE-COVERED".to_string())
            && c.contains(&"EXP-LICENCE-USED-UP".to_string()),
        "{c:?}"
    );
    assert_eq!(clearway_core::licence::draws(&d).count(), 1);
    let over = run_with(
        book.clone(),
        export(
            goods(101.0),
            "DE",
            Some("radar test equipment production"),
            &[],
            "BERLIN INSTRUMENTS GMBH",
        ),
    );
    assert!(codes(&over).contains(&"EXP-LICENCE-USED-UP".to_string()));
    let other = run_with(
        book,
        export(
            goods(1.0),
            "AE",
            Some("radar test equipment production"),
            &[],
            "GULF STAR GENERAL TRADING",
        ),
    );
    let c = codes(&other);
    assert!(
        c.contains(&"EXP-LICENCE-DESTINATION".to_string())
            && c.contains(&"EXP-LICENCE-END-USER".to_string()),
        "{c:?}"
    );
}

#[test]
fn misclassified_chpl_item_through_a_hub_toward_russia() {
    let d = run_with(
        LicenceBook::default(),
        export(
            json!([{"description": "INTEGRATED CIRCUITS", "hs_code": "854231", "quantity": 5000, "export": {"classification": "EAR99"}}]),
            "RU",
            None,
            &["AM", "RU"],
            "NORD LOGISTICS LLC",
        ),
    );
    let c = codes(&d);
    for want in [
        "EXP-POSSIBLY-CONTROLLED",
        "EXP-LICENCE-REQUIRED",
        "EXP-TRANSSHIPMENT",
        "EXP-FORWARDER-CONSIGNEE",
        "EXP-SUMMARY",
    ] {
        assert!(c.contains(&want.to_string()), "{want} missing from {c:?}");
    }
    let p = d
        .findings
        .iter()
        .find(|f| f.code == "EXP-POSSIBLY-CONTROLLED")
        .unwrap();
    assert_eq!(p.evidence["chpl_tier"], json!("TIER_1"));
    assert!(
        p.message.contains("3A001, 3A090, 3A991, 5A002"),
        "{}",
        p.message
    );
    let t = d
        .findings
        .iter()
        .find(|f| f.code == "EXP-TRANSSHIPMENT")
        .unwrap();
    assert_eq!(t.evidence["guidance"]["id"], json!("FINCEN-BIS-2022-TSP"));
}

#[test]
fn data_quality_and_weights() {
    let d = run_with(
        LicenceBook::default(),
        export(
            json!([{"description": "MMIC", "hs_code": "610910", "export": {"classification": "3A001"}},
               {"description": "THING", "hs_code": "847130", "export": {"classification": "3Q999"}}]),
            "GB",
            Some("research"),
            &[],
            "OXFORD LAB LTD",
        ),
    );
    let c = codes(&d);
    assert!(
        c.contains(&"EXP-ECCN-HS-MISMATCH".to_string())
            && c.contains(&"EXP-UNKNOWN-CLASSIFICATION".to_string()),
        "{c:?}"
    );
    // A configured weight applies.
    let mut cfg = Config::default();
    cfg.weights.insert("EXP-ECCN-HS-MISMATCH".into(), 3.0);
    let mut p = Pipeline::empty(cfg, ReferenceData::default(), Registry::default());
    p.add_layer(Box::new(ExportControl::default()));
    let d = p.assess(&filing(export(json!([{"description": "MMIC", "hs_code": "610910", "export": {"classification": "3A001"}}]), "GB", Some("research"), &[], "OXFORD LAB LTD")), None);
    assert_eq!(
        d.findings
            .iter()
            .find(|f| f.code == "EXP-ECCN-HS-MISMATCH")
            .unwrap()
            .weight,
        3.0
    );
}

#[test]
fn red_flags_carry_their_guidance() {
    let mut v = export(
        json!([{"description": "SERVER", "hs_code": "847150", "export": {"classification": "5A992"}}]),
        "KZ",
        Some("bakery equipment"),
        &["TR", "GE", "AM", "KZ"],
        "ALMATY BREAD LLP",
    );
    v["parties"][1]["address"] = json!({"street": "P.O. Box 77", "country": "KZ"});
    v["export"]["consignee_business"] = json!("bakery");
    let d = run_with(LicenceBook::default(), v);
    let c = codes(&d);
    for want in ["EXP-ADDRESS", "EXP-END-USE-MISMATCH", "EXP-LONG-ROUTE"] {
        assert!(c.contains(&want.to_string()), "{want} missing from {c:?}");
    }
    assert_eq!(
        d.findings
            .iter()
            .find(|f| f.code == "EXP-END-USE-MISMATCH")
            .unwrap()
            .evidence["guidance"]["id"],
        json!("BIS-RF-03")
    );
}
