//! `clearway licences import|show|usage`, `clearway export check` and `clearway screen --export`:
//! tables and JSON, exit codes 0 / 1 / 2, a bad registry imports nothing, a used-up licence holds.

mod common;

use common::{run, s};
use serde_json::{Value, json};

const LICENCES_CSV: &str =
    "number,holder,authority,entry,quantity,value,destinations,end_users,valid_from,valid_to
D1234567,ACME PHOTONICS INC,BIS,3A001.b,100,,DE,BERLIN INSTRUMENTS GMBH,2026-01-01,2027-12-31
D1234567,ACME PHOTONICS INC,BIS,5A002,,50000,DE,BERLIN INSTRUMENTS GMBH,2026-01-01,2027-12-31
";

fn filing(id: &str, licence: Option<&str>, quantity: f64) -> Value {
    let mut export = json!({"classification": "3A001.b.2"});
    if let Some(l) = licence {
        export["licence"] = json!(l);
    }
    json!({"id": id, "mode": "air", "direction": "export", "country": "US", "stage": "export", "kind": "export-declaration",
           "parties": [{"role": "exporter", "name": "ACME PHOTONICS INC", "country": "US"},
                       {"role": "ultimate-consignee", "name": "BERLIN INSTRUMENTS GMBH", "country": "DE"},
                       {"role": "end-user", "name": "BERLIN INSTRUMENTS GMBH", "country": "DE"}],
           "goods": [{"description": "MMIC AMPLIFIERS", "hs_code": "854233", "quantity": quantity, "export": export}],
           "export": {"destination": "DE", "end_use": "radar test equipment production"},
           "times": {"filed_at": "2026-11-18T00:00:00Z", "departure": "2026-11-20T12:00:00Z"}})
}

fn jsonl(fs: &[Value]) -> String {
    fs.iter().map(|f| f.to_string() + "\n").collect()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn licences_import_show_usage_and_screen_draws() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let reg = dir.path().join("licences.csv");
    std::fs::write(&reg, LICENCES_CSV).unwrap();

    let o = run(&["licences", "import", s(&reg), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        stdout(&o).contains("1 licences (2 items): 1 added, 0 replaced"),
        "{}",
        stdout(&o)
    );

    let o = run(&["licences", "show", "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(
        t.contains("D1234567  ACME PHOTONICS INC (BIS)  to DE"),
        "{t}"
    );
    assert!(t.contains("3A001.b") && t.contains("5A002"), "{t}");

    // Screen three exports of 40 against 100: the third is held, used up.
    let input = dir.path().join("exports.jsonl");
    std::fs::write(
        &input,
        jsonl(&[
            filing("E1", Some("D1234567"), 40.0),
            filing("E2", Some("D1234567"), 40.0),
            filing("E3", Some("D1234567"), 40.0),
        ]),
    )
    .unwrap();
    let o = run(&["screen", "--db", s(&db), "--export", "--json", s(&input)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ds: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes = |d: &Value| {
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        codes(&ds[0]).contains(&"EXP-LICENCE-COVERED".to_string()),
        "{:?}",
        codes(&ds[0])
    );
    assert!(
        codes(&ds[2]).contains(&"EXP-LICENCE-USED-UP".to_string()),
        "{:?}",
        codes(&ds[2])
    );
    assert!(
        ds[2]["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("hold"))
    );

    let o = run(&["licences", "show", "D1234567", "--db", s(&db), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["items"][0]["used_quantity"], json!(80.0));
    assert_eq!(v[0]["items"][0]["remaining_quantity"], json!(20.0));

    let o = run(&["licences", "usage", "D1234567", "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(
        t.starts_with("FILING") && t.contains("E1") && t.contains("E2") && !t.contains("E3"),
        "{t}"
    );

    // Unknown licence: an error, exit 1.
    let o = run(&["licences", "usage", "D0000000", "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not in the registry"));

    // `export check` against the stored balance: 25 more is used up (20 left) → hold, exit 2.
    let one = dir.path().join("one.json");
    std::fs::write(&one, filing("E9", Some("D1234567"), 25.0).to_string()).unwrap();
    let o = run(&["export", "check", s(&one), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let t = stdout(&o);
    assert!(
        t.contains("filing E9 v1: HOLD")
            && t.contains("EXP-LICENCE-USED-UP")
            && t.contains("25 requested, only 20 left"),
        "{t}"
    );
    assert!(t.contains("because "), "{t}");
    // ... and nothing was drawn by the check.
    let o = run(&["licences", "show", "D1234567", "--db", s(&db), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["items"][0]["used_quantity"], json!(80.0));
    std::fs::write(&one, filing("E9", Some("D1234567"), 20.0).to_string()).unwrap();
    let o = run(&["export", "check", s(&one), "--db", s(&db), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["hold"], json!(false));
    assert_eq!(
        v[0]["items"][0]["covered_by"],
        json!("licence D1234567 item 1")
    );
}

#[test]
fn a_bad_registry_is_refused_whole_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let reg = dir.path().join("licences.csv");
    std::fs::write(&reg, "number,holder,entry,quantity,value,destinations,valid_to\nD1,ACME,3A001,-5,,DE,2027-01-01\nD7654321,ACME,3A001,10,,DE,2027-01-01\n").unwrap();
    let o = run(&["licences", "import", s(&reg), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("malformed licence number")
            && e.contains("quantity -5 is negative")
            && e.contains("nothing imported"),
        "{e}"
    );
    let o = run(&["licences", "show", "--db", s(&db)]);
    assert_eq!(stdout(&o).trim(), "no licences stored");
}

#[test]
fn export_check_without_a_store_names_the_missing_licence() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    std::fs::write(&one, filing("E1", None, 5.0).to_string()).unwrap();
    let o = run(&["export", "check", s(&one), "--no-store"]);
    assert_eq!(o.status.code(), Some(2));
    let t = stdout(&o);
    assert!(
        t.contains("EXP-LICENCE-REQUIRED") && t.contains("no licence"),
        "{t}"
    );
    let missing = dir.path().join("missing.json");
    let o = run(&["export", "check", s(&missing), "--no-store"]);
    assert_eq!(o.status.code(), Some(1));
}
