//! The export-control layer in the service: `PipelineOptions::export` with a licence registry, draws
//! committed with the batch, a licence used up across filings of one run and across runs (a new
//! pipeline reads the balances from the store), an expired licence, another destination, and the
//! explanation of one filing (`export::check`).

use clearway_core::{Action, Decision};
use clearway_service::export;
use clearway_service::ingest::{self, Acked, IngestOptions, Input};
use clearway_service::{PipelineOptions, ServiceError, build_pipeline, open_store};
use serde_json::{Value, json};

const LICENCES: &str = r#"[{"number": "D1234567", "holder": "ACME PHOTONICS INC", "authority": "BIS",
  "items": [{"entry": "3A001.b", "quantity": 100}], "destinations": ["DE"],
  "end_users": ["BERLIN INSTRUMENTS GMBH"], "valid_to": "2027-12-31"},
 {"number": "D7654321", "holder": "ACME PHOTONICS INC", "authority": "BIS",
  "items": [{"entry": "3A001.b", "quantity": 100}], "destinations": ["DE"], "valid_to": "2026-06-30"}]"#;

fn filing(id: &str, licence: &str, quantity: f64, dest: &str) -> Value {
    json!({"id": id, "mode": "air", "direction": "export", "country": "US", "stage": "export", "kind": "export-declaration",
           "parties": [{"role": "exporter", "name": "ACME PHOTONICS INC", "country": "US"},
                       {"role": "ultimate-consignee", "name": "BERLIN INSTRUMENTS GMBH", "country": dest},
                       {"role": "end-user", "name": "BERLIN INSTRUMENTS GMBH", "country": dest}],
           "goods": [{"description": "MMIC AMPLIFIERS", "hs_code": "854233", "quantity": quantity,
                      "export": {"classification": "3A001.b.2", "licence": licence}}],
           "export": {"destination": dest, "end_use": "radar test equipment production"},
           "times": {"filed_at": "2026-11-18T00:00:00Z", "departure": "2026-11-20T12:00:00Z"}})
}

fn screen(
    db: &str,
    opts: &PipelineOptions,
    filings: &[Value],
) -> Result<Vec<Decision>, ServiceError> {
    let mut store = open_store(db)?;
    let screener = build_pipeline(store.as_mut(), opts)?;
    drop(store);
    let mut body = Vec::new();
    for f in filings {
        serde_json::to_writer(&mut body, f).unwrap();
        body.push(b'\n');
    }
    let mut out = Vec::new();
    ingest::run(
        vec![Input {
            name: "exports.jsonl".into(),
            source: Box::new(std::io::Cursor::new(body)),
        }],
        &screener,
        &|| open_store(db),
        &IngestOptions::default(),
        &mut |a| {
            if let Acked::Decision { decision, .. } = a {
                out.push((**decision).clone());
            }
        },
        &|_| {},
    )?;
    Ok(out)
}

fn codes(d: &Decision) -> Vec<&str> {
    d.findings.iter().map(|f| f.code.as_ref()).collect()
}

#[test]
fn licences_are_drawn_on_commit_and_a_used_up_licence_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db").display().to_string();
    let reg = dir.path().join("licences.json");
    std::fs::write(&reg, LICENCES).unwrap();
    let opts = PipelineOptions {
        export: true,
        licences: Some(reg.clone()),
        ..PipelineOptions::default()
    };

    // One run: 40 + 40 fit in 100, the third 40 does not (the layer saw the first two's draws).
    let ds = screen(
        &db,
        &opts,
        &[
            filing("E1", "D1234567", 40.0, "DE"),
            filing("E2", "D1234567", 40.0, "DE"),
            filing("E3", "D1234567", 40.0, "DE"),
        ],
    )
    .unwrap();
    assert!(
        codes(&ds[0]).contains(&"EXP-LICENCE-COVERED"),
        "{:?}",
        codes(&ds[0])
    );
    assert!(!ds[1].actions.contains(&Action::Hold));
    assert!(
        codes(&ds[2]).contains(&"EXP-LICENCE-USED-UP"),
        "{:?}",
        codes(&ds[2])
    );
    assert!(ds[2].actions.contains(&Action::Hold));
    let f = ds[2]
        .findings
        .iter()
        .find(|f| f.code == "EXP-LICENCE-USED-UP")
        .unwrap();
    assert!(
        f.message.contains("40 requested, only 20 left"),
        "{}",
        f.message
    );

    let mut store = open_store(&db).unwrap();
    let l = &export::show(store.as_mut(), Some("D1234567")).unwrap()[0];
    assert_eq!(
        (l.items[0].used_quantity, l.items[0].remaining_quantity),
        (80.0, Some(20.0))
    );
    let usage = export::usage(store.as_mut(), "D1234567").unwrap();
    assert_eq!(
        usage
            .iter()
            .map(|d| d.filing_id.as_str())
            .collect::<Vec<_>>(),
        ["E1", "E2"]
    );
    drop(store);

    // A later run (a new pipeline, the registry not re-imported) reads the balance from the store;
    // a resubmitted filing does not draw again.
    let later = PipelineOptions {
        export: true,
        ..PipelineOptions::default()
    };
    let ds = screen(
        &db,
        &later,
        &[
            filing("E1", "D1234567", 40.0, "DE"),
            filing("E4", "D1234567", 20.0, "DE"),
            filing("E5", "D1234567", 1.0, "DE"),
        ],
    )
    .unwrap();
    let covered = ds[1]
        .findings
        .iter()
        .find(|f| f.code == "EXP-LICENCE-COVERED")
        .unwrap();
    assert_eq!(covered.evidence["quantity_before"], json!(20.0));
    assert!(
        codes(&ds[2]).contains(&"EXP-LICENCE-USED-UP"),
        "{:?}",
        codes(&ds[2])
    );
    let mut store = open_store(&db).unwrap();
    assert_eq!(
        export::show(store.as_mut(), Some("D1234567")).unwrap()[0].items[0].remaining_quantity,
        Some(0.0)
    );
    drop(store);

    // Expired, another destination, unknown: each a hold with its reason.
    let ds = screen(
        &db,
        &later,
        &[
            filing("E6", "D7654321", 1.0, "DE"),
            filing("E7", "D1234567", 1.0, "FR"),
            filing("E8", "D0000001", 1.0, "DE"),
        ],
    )
    .unwrap();
    for (d, code) in ds.iter().zip([
        "EXP-LICENCE-EXPIRED",
        "EXP-LICENCE-DESTINATION",
        "EXP-LICENCE-NOT-FOUND",
    ]) {
        assert!(codes(d).contains(&code), "{code} not in {:?}", codes(d));
        assert!(d.actions.contains(&Action::Hold));
    }
}

#[test]
fn a_licence_file_needs_the_layer_and_a_bad_one_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db").display().to_string();
    let reg = dir.path().join("licences.csv");
    std::fs::write(&reg, "number,holder,entry,quantity,value,destinations,valid_to\nD1,ACME,3A001,-5,,DE,2027-01-01\nD7654321,ACME,3A001,10,,DE,2027-01-01\n").unwrap();
    let mut store = open_store(&db).unwrap();
    let no_layer = PipelineOptions {
        licences: Some(reg.clone()),
        ..PipelineOptions::default()
    };
    assert!(matches!(
        build_pipeline(store.as_mut(), &no_layer),
        Err(ServiceError::Invalid(_))
    ));
    let with = PipelineOptions {
        export: true,
        licences: Some(reg.clone()),
        ..PipelineOptions::default()
    };
    match build_pipeline(store.as_mut(), &with) {
        Err(ServiceError::Rows { rows, .. }) => {
            assert!(
                rows.iter().any(|r| r.contains("malformed licence number")),
                "{rows:?}"
            );
            assert!(
                rows.iter().any(|r| r.contains("quantity -5 is negative")),
                "{rows:?}"
            );
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a bad registry was accepted"),
    }
    assert!(
        export::show(store.as_mut(), None).unwrap().is_empty(),
        "nothing half-imported"
    );
}

#[test]
fn check_explains_one_filing() {
    let f: clearway_core::Filing = serde_json::from_value(filing("E1", "", 5.0, "DE")).unwrap();
    let r = export::check(None, clearway_engine::Config::default(), &f).unwrap();
    assert!(r.is_export && r.hold);
    assert_eq!(r.destination.as_deref(), Some("DE"));
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].classification.as_deref(), Some("3A001.b.2"));
    assert!(!r.items[0].licence_required.is_empty());
    assert_eq!(r.items[0].covered_by, "no licence");
    assert!(r.findings.iter().any(|f| f.code == "EXP-LICENCE-REQUIRED"));
}
