//! The data-quality layer against the real HS 2022 and UN/LOCODE tables in the shared test data.

use clearway_core::Filing;
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};

fn reference() -> Option<ReferenceData> {
    let dir = clearway_testdata::file("reference")?;
    let mut r = ReferenceData::default();
    let hs = std::fs::read_to_string(dir.join("hs2022/harmonized-system.csv")).unwrap();
    assert_eq!(r.add_hs_csv("hs", &hs).unwrap(), 97 + 1229 + 5613);
    for f in ["unlocode/code-list-ca-mx-2014.csv", "unlocode/us-locations-2015.csv"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(r.add_locode_csv(f, &text).unwrap() > 3000);
    }
    Some(r)
}

#[test]
fn real_hs_and_locode_tables() {
    let Some(r) = reference() else { return };
    assert_eq!(r.hs_exists("847130"), Some(true), "laptops");
    assert_eq!(r.hs_exists("8471300000"), Some(true), "10-digit tariff line, HS-6 part checked");
    assert_eq!(r.hs_exists("850780"), Some(true), "other accumulators");
    assert_eq!(r.hs_exists("847131"), Some(false));
    assert_eq!(r.hs_exists("990000"), Some(false));
    assert_eq!(r.locode_exists("CAVAN"), Some(true), "Vancouver");
    assert_eq!(r.locode_exists("CAMTR"), Some(true), "Montreal");
    assert_eq!(r.locode_exists("MXZLO"), Some(true), "Manzanillo");
    assert_eq!(r.locode_exists("USLAX"), Some(true), "Los Angeles");
    assert_eq!(r.locode_exists("USZZ9"), Some(false));
    assert_eq!(r.locode_exists("CNSHA"), None, "China is not in the tables: format only");
}

#[test]
fn pipeline_flags_codes_that_do_not_exist() {
    let Some(r) = reference() else { return };
    let p = Pipeline::new(Config::default(), r, Registry::default());
    let f: Filing = serde_json::from_value(serde_json::json!({
        "id": "X1", "mode": "rail", "direction": "import", "country": "CA", "stage": "pre-arrival",
        "goods": [{"description": "Widgets", "hs_code": "847131", "packages": 1, "gross_kg": 10.0}],
        "itinerary": {"first_port_of_arrival": "CAZZ9"},
        "times": {"filed_at": "2026-11-02T00:00:00Z", "arrival": "2026-11-02T08:00:00Z"}
    }))
    .unwrap();
    let d = p.assess(&f, None);
    let codes: Vec<&str> = d.findings.iter().map(|f| f.code.as_ref()).collect();
    assert!(codes.contains(&"DQ-HS-UNKNOWN"), "{codes:?}");
    assert!(codes.contains(&"DQ-LOCODE-UNKNOWN"), "{codes:?}");
}
