//! The `clearway` binary, end to end: generate → screen → stats / show, bad input, idempotence,
//! kill -9 mid-batch, PostgreSQL, the README's sample.

use clearway_core::Decision;
use clearway_store::{FilingStore, sqlite::SqliteStore};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::{bin, run, s};

fn generate(dir: &Path, count: usize, seed: u64) -> (PathBuf, PathBuf) {
    let f = dir.join(format!("gen-{seed}-{count}.jsonl"));
    let t = dir.join(format!("traders-{seed}.csv"));
    let o = run(&["generate", "--count", &count.to_string(), "--seed", &seed.to_string(), "--out", s(&f), "--traders-out", s(&t)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (f, t)
}

fn stats(db: &Path) -> Value {
    let o = run(&["stats", "--db", s(db), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn decisions(stdout: &[u8]) -> Vec<Decision> {
    stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).expect("decision JSON")).collect()
}

#[test]
fn generate_then_screen_round_trips_20000_filings() {
    let dir = tempfile::tempdir().unwrap();
    let (input, traders) = generate(dir.path(), 20_000, 3);
    let db = dir.path().join("c.db");
    let o = run(&["screen", "--json", "--db", s(&db), "--traders", s(&traders), s(&input)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = decisions(&o.stdout);
    assert_eq!(ds.len(), 20_000);
    let keys: HashSet<(String, u32)> = ds.iter().map(|d| (d.filing_id.clone(), d.version)).collect();
    assert_eq!(keys.len(), 20_000, "one decision per filing version");
    // The JSON contract: these fields on every line.
    let first: Value = serde_json::from_slice(o.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    for k in ["filing_id", "version", "lane", "actions", "score", "findings"] {
        assert!(first.get(k).is_some(), "missing {k}");
    }
    let with_findings = ds.iter().find(|d| !d.findings.is_empty()).expect("some findings");
    let f = serde_json::to_value(&with_findings.findings[0]).unwrap();
    for k in ["layer", "code", "message", "weight", "evidence"] {
        assert!(f.get(k).is_some(), "finding missing {k}");
    }
    // Every lane shows up in a day of traffic, and the mix is plausible: most filings go green or blue.
    let mut lanes: HashMap<String, usize> = HashMap::new();
    for d in &ds {
        *lanes.entry(d.lane.as_str().to_owned()).or_default() += 1;
    }
    for l in ["green", "blue", "yellow", "red"] {
        assert!(lanes.get(l).copied().unwrap_or(0) > 0, "no {l} lane in {lanes:?}");
    }
    assert!(lanes["green"] + lanes["blue"] > 12_000, "{lanes:?}");
    let codes: HashSet<&str> = ds.iter().flat_map(|d| d.findings.iter().map(|f| f.code.as_ref())).collect();
    // DL-AMENDMENT-CLOCK needs the original version's filing time: history across batches works.
    for c in ["DL-LATE", "DL-AMENDMENT-CLOCK", "DQ-ISO6346", "TT-IMPORTER", "TT-FAST-ELIGIBLE", "TT-FAST-INELIGIBLE", "RS-RANDOM"] {
        assert!(codes.contains(c), "no {c} finding in {codes:?}");
    }
    let st = stats(&db);
    assert_eq!(st["versions"], 20_000);
    assert_eq!(st["decisions"], 20_000);
    assert_eq!(st["rejected"], 0);
}

fn bad_input(dir: &Path) -> PathBuf {
    let (good, _) = generate(dir, 200, 5);
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    let bad: Vec<Vec<u8>> = vec![
        b"this is not json".to_vec(),
        br#"{"id": "BAD-1", "mode": "boat", "direction": "import", "country": "US", "stage": "arrival"}"#.to_vec(),
        br#"{"id": "BAD-2", "direction": "import", "country": "US", "stage": "arrival"}"#.to_vec(),
        br#"{"id": 42, "mode": "air", "direction": "import", "country": "US", "stage": "arrival"}"#.to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01, b'{', 0x80, 0x81],
        format!(r#"{{"id": "HUGE", "mode": "air", "direction": "import", "country": "US", "stage": "arrival", "x": "{}"}}"#, "A".repeat(20 << 20)).into_bytes(),
    ];
    for (i, b) in bad.into_iter().enumerate() {
        lines.insert(10 + i * 30, b);
    }
    lines.push(br#"{"id": "TRUNC", "mode": "air", "direct"#.to_vec());
    let p = dir.join("bad.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    for l in &lines {
        f.write_all(l).unwrap();
        f.write_all(b"\n").unwrap();
    }
    p
}

#[test]
fn malformed_lines_exit_2_store_valid_and_rejects_and_rescreen_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = bad_input(dir.path());
    let db = dir.path().join("c.db");
    let o = run(&["screen", "--json", "--db", s(&db), s(&input)]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.jsonl"), "diagnostics name the file: {err}");
    assert!(err.contains("line 11"), "diagnostics name the line: {err}");
    assert!(err.contains("mode"), "diagnostics name the field: {err}");
    assert_eq!(decisions(&o.stdout).len(), 200);
    let st = stats(&db);
    assert_eq!(st["versions"], 200);
    assert_eq!(st["rejected"], 7);

    // The same file again: the same decisions, nothing new stored.
    let o2 = run(&["screen", "--json", "--db", s(&db), s(&input)]);
    assert_eq!(o2.status.code(), Some(2));
    assert_eq!(decisions(&o2.stdout), decisions(&o.stdout));
    assert_eq!(stats(&db), st);

    // Rejects are kept with their reasons and raw bytes.
    let o = run(&["rejects", "--db", s(&db), "--json", "--limit", "100"]);
    let rejects: Vec<Value> = o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert_eq!(rejects.len(), 7);
    let boat = rejects.iter().find(|r| r["raw"].as_str().unwrap_or("").contains("boat")).expect("the boat line");
    assert_eq!(boat["line"], 41);
    assert!(boat["diagnostics"][0]["location"]["path"].as_str().unwrap_or("").contains("mode"), "{boat}");
}

#[test]
fn kill_9_mid_batch_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (input, traders) = generate(dir.path(), 60_000, 9);
    let db = dir.path().join("k.db");
    let mut child = bin()
        .args(["screen", "--json", "--batch", "500", "--db", s(&db), "--traders", s(&traders), s(&input)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked: Vec<Decision> = Vec::new();
    let mut rd = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while acked.len() < 5_000 {
        line.clear();
        if rd.read_line(&mut line).unwrap() == 0 {
            break;
        }
        acked.push(serde_json::from_str(&line).unwrap());
    }
    // kill -9: no chance to clean up.
    Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed mid-run");
    assert_eq!(acked.len(), 5_000, "the run was killed before it finished");

    // Everything acknowledged is stored, with the same decision; nothing half-written.
    {
        let mut store = SqliteStore::open(&db).unwrap();
        for d in &acked {
            assert_eq!(store.decision(&d.filing_id, d.version).unwrap().as_ref(), Some(d));
            assert!(store.filing(&d.filing_id, d.version).unwrap().is_some());
        }
        let st = store.stats().unwrap();
        assert_eq!(st.versions, st.decisions, "every stored version has its decision");
        assert!(st.versions >= 5_000 && st.versions < 60_000, "killed mid-batch: {st:?}");
    }

    // Restart: the rest is screened, the acknowledged decisions stand unchanged, no duplicates.
    let o = run(&["screen", "--json", "--batch", "500", "--db", s(&db), "--traders", s(&traders), s(&input)]);
    assert_eq!(o.status.code(), Some(0));
    let all = decisions(&o.stdout);
    assert_eq!(all.len(), 60_000);
    let by_key: HashMap<(String, u32), &Decision> = all.iter().map(|d| ((d.filing_id.clone(), d.version), d)).collect();
    for d in &acked {
        assert_eq!(by_key[&(d.filing_id.clone(), d.version)], d);
    }
    let st = stats(&db);
    assert_eq!(st["versions"], 60_000);
    assert_eq!(st["decisions"], 60_000);
}

#[test]
fn show_explains_the_latest_decision_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let (input, traders) = generate(dir.path(), 3_000, 4);
    let db = dir.path().join("s.db");
    let o = run(&["screen", "--json", "--db", s(&db), "--traders", s(&traders), s(&input)]);
    assert_eq!(o.status.code(), Some(0));
    let ds = decisions(&o.stdout);
    let amended = ds.iter().find(|d| d.version == 2).expect("an amendment in 3,000 filings");
    let o = run(&["show", &amended.filing_id, "--db", s(&db), "--json"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"]["version"], 2);
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    assert_eq!(v["filing"]["id"], amended.filing_id.as_str());
    let o = run(&["show", &amended.filing_id, "--db", s(&db)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("lane    {}", amended.lane.as_str())), "{text}");
    assert!(text.contains("versions"), "{text}");
    let o = run(&["show", "NO-SUCH-FILING", "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn people_get_a_table_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (input, traders) = generate(dir.path(), 500, 8);
    let db = dir.path().join("t.db");
    let o = run(&["screen", "--db", s(&db), "--traders", s(&traders), s(&input)]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("FILING"), "{text}");
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("screened 500 filings: green"), "{last}");
    assert!(o.stderr.is_empty() || !String::from_utf8_lossy(&o.stderr).contains('\r'), "no progress bar when not a terminal");
}

#[test]
fn csv_input_and_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("f.csv");
    std::fs::write(
        &csv,
        "id,version,mode,direction,country,stage,consignor_name,consignee_name,carrier_name,hs_code,description,packages,gross_kg,origin,plate,first_port_of_arrival,filed_at,arrival\n\
         CSV-1,1,highway,import,CA,pre-arrival,Acme Mfg,Maple Foods,Trans Canada,870899,Auto parts,10,500,US,ABC123,CAWND,2026-11-02T08:00:00Z,2026-11-02T10:00:00Z\n\
         CSV-2,1,highway,import,CA,pre-arrival,Acme Mfg,Maple Foods,Trans Canada,870899,Auto parts,10,500,US,ABC123,CAWND,2026-11-02T09:40:00Z,2026-11-02T10:00:00Z\n",
    )
    .unwrap();
    let db = dir.path().join("c.db");
    let o = run(&["screen", "--json", "--db", s(&db), s(&csv)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = decisions(&o.stdout);
    assert_eq!(ds.len(), 2);
    let late = &ds[1];
    let dl = late.findings.iter().find(|f| f.code == "DL-LATE").expect("CSV-2 is 40 min late");
    assert_eq!(dl.evidence["minutes_late"], 40);
    let o = run(&["screen", "--db", s(&db), s(&dir.path().join("missing.jsonl"))]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn generate_is_deterministic() {
    let a = run(&["generate", "--count", "300", "--seed", "12"]);
    let b = run(&["generate", "--count", "300", "--seed", "12"]);
    let c = run(&["generate", "--count", "300", "--seed", "13"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
}

#[test]
fn readme_sample_screens_with_lanes_and_reasons() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let o = bin()
        .current_dir(&root)
        .args(["screen", "--db", s(&db), "--traders", "examples/traders.csv", "examples/day.jsonl"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(" red ") && text.contains(" green "), "{text}");
    assert!(text.contains("Filed ") && text.contains("late"), "reasons are shown");
    // The shipped sample is what `clearway generate` makes.
    let g = run(&["generate", "--count", "1000", "--seed", "2026"]);
    assert_eq!(g.stdout, std::fs::read(root.join("examples/day.jsonl")).unwrap(), "examples/day.jsonl is stale: see examples/README.md");
}

#[test]
fn reference_data_from_the_shared_folder() {
    let Some(reference) = clearway_testdata::file("reference") else { return };
    let dir = tempfile::tempdir().unwrap();
    let (input, traders) = generate(dir.path(), 2_000, 6);
    let db = dir.path().join("ref.db");
    let o = run(&["screen", "--json", "--db", s(&db), "--traders", s(&traders), "--reference", s(&reference), s(&input)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = decisions(&o.stdout);
    let unknown: Vec<&str> = ds.iter().flat_map(|d| d.findings.iter()).filter(|f| f.code == "DQ-HS-UNKNOWN").map(|f| f.message.as_str()).collect();
    assert!(unknown.is_empty(), "the generator uses real HS 2022 codes: {unknown:?}");
}

#[test]
fn postgres_store_through_the_cli() {
    let Ok(url) = std::env::var("CLEARWAY_TEST_PG") else {
        eprintln!("skipping: CLEARWAY_TEST_PG not set");
        return;
    };
    let schema = format!("cli_{}", std::process::id());
    drop(clearway_store::postgres::PgStore::connect_with_schema(&url, &schema).unwrap());
    let db = format!("{url} options='-c search_path={schema}'");
    let dir = tempfile::tempdir().unwrap();
    let input = bad_input(dir.path());
    let o = bin().args(["screen", "--json", "--db", &db, s(&input)]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(decisions(&o.stdout).len(), 200);
    let o2 = bin().args(["screen", "--json", "--db", &db, s(&input)]).output().unwrap();
    assert_eq!(decisions(&o2.stdout), decisions(&o.stdout));
    let st: Value = serde_json::from_slice(&bin().args(["stats", "--json", "--db", &db]).output().unwrap().stdout).unwrap();
    assert_eq!(st["versions"], 200);
    assert_eq!(st["rejected"], 7);
    let mut c = postgres_client(&url);
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

fn postgres_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

#[test]
fn a_suspension_applies_at_the_next_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fast.db");
    let filing = |version: u32| {
        serde_json::json!({
            "id": "FAST-TRIP-1", "version": version, "status": if version == 1 { "original" } else { "amendment" },
            "mode": "highway", "direction": "import", "country": "US", "stage": "pre-arrival", "fast": true,
            "parties": [
                {"role": "consignor", "name": "Plasticos de Monterrey", "country": "MX"},
                {"role": "consignee", "name": "Lone Star Retail", "country": "US"},
                {"role": "driver", "name": "Ana Ruiz", "ids": [{"scheme": "FAST", "value": "42700000001"}]},
                {"role": "carrier", "name": "Transportes del Norte", "ids": [{"scheme": "CTPAT", "value": "CTC-100"}]},
                {"role": "importer-of-record", "name": "Lone Star Retail", "ids": [{"scheme": "CTPAT", "value": "CTI-200"}]}
            ],
            "goods": [{"description": "Polyethylene pellets", "hs_code": "390110", "packages": 20, "gross_kg": 18000.0, "origin": "MX"}],
            "conveyance": {"plate": "NL-12345"},
            "itinerary": {"first_port_of_arrival": "USLRD"},
            "times": {"filed_at": "2026-11-02T09:00:00Z", "arrival": "2026-11-02T10:00:00Z"}
        })
        .to_string()
    };
    let registry = |carrier_status: &str| {
        format!(
            "program,member_id,name,country,tier,business,status,valid_from,valid_to,last_validated\n\
             FAST,42700000001,Ana Ruiz,MX,,driver,active,2024-01-01,2029-01-01,\n\
             CTPAT,CTC-100,Transportes del Norte,MX,2,highway-carrier,{carrier_status},2020-01-01,,2025-03-01\n\
             CTPAT,CTI-200,Lone Star Retail,US,3,importer,active,2019-01-01,,2025-06-01\n"
        )
    };
    let (v1, v2, reg) = (dir.path().join("v1.json"), dir.path().join("v2.json"), dir.path().join("reg.csv"));
    std::fs::write(&v1, filing(1)).unwrap();
    std::fs::write(&v2, filing(2)).unwrap();
    std::fs::write(&reg, registry("active")).unwrap();
    let o = run(&["screen", "--json", "--db", s(&db), "--traders", s(&reg), s(&v1)]);
    let d = &decisions(&o.stdout)[0];
    assert!(d.fast.as_ref().unwrap().eligible, "{d:?}");
    assert_eq!(d.actions, [clearway_core::Action::FastRelease]);

    // The carrier's C-TPAT is suspended; the amendment is assessed under the new registry.
    std::fs::write(&reg, registry("suspended")).unwrap();
    let o = run(&["screen", "--json", "--db", s(&db), "--traders", s(&reg), s(&v2)]);
    let d = &decisions(&o.stdout)[0];
    let fast = d.fast.as_ref().unwrap();
    assert!(!fast.eligible);
    assert_eq!(fast.missing, ["carrier \"Transportes del Norte\": CTPAT CTC-100 is suspended"]);
    assert!(!d.actions.contains(&clearway_core::Action::FastRelease));
    let refused = d.findings.iter().find(|f| f.code == "TT-FAST-INELIGIBLE").unwrap();
    assert!(refused.message.contains("CTPAT CTC-100 is suspended"), "{}", refused.message);
    // The version-1 decision stands as it was.
    let o = run(&["show", "FAST-TRIP-1", "--db", s(&db), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
}

// ---- Trade message formats (issue 3) ----

fn sample(rel: &str) -> Option<PathBuf> {
    clearway_testdata::file(&format!("messages/{rel}"))
}

#[test]
fn wrong_unt_count_is_a_diagnostic_and_exit_2_while_the_cargo_is_screened() {
    let Some(edi) = sample("edifact/edifact-d95b-cuscar-sample-NO-LICENSE.edi") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let responses = dir.path().join("responses");
    let o = run(&["screen", "--json", "--db", s(&db), "--respond", s(&responses), s(&edi)]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("UNT"), "the control-count diagnostic names the segment: {err}");
    let ds = decisions(&o.stdout);
    assert!(!ds.is_empty(), "the cargo is still screened");
    let files: Vec<_> = std::fs::read_dir(&responses).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!files.is_empty() && files.iter().all(|p| p.to_string_lossy().ends_with(".cusres.edi")), "{files:?}");
    let cusres = std::fs::read(&files[0]).unwrap();
    assert!(cusres.starts_with(b"UNA") || cusres.starts_with(b"UNB"), "{}", String::from_utf8_lossy(&cusres));
}

#[test]
fn every_customs_sample_converts() {
    for (rel, expect_min) in [
        ("edifact/edifact-d95b-cuscar-sample-NO-LICENSE.edi", 1),
        ("edifact/edifact-d03b-cuscar-cbp-ace-truck-NO-LICENSE.edi", 1),
        ("x12/x12-004010-309-customs-manifest-ocean.edi", 10),
        ("wco-dm-xml/hmrc-cds-import-declaration-TT_IM001b.xml", 1),
        ("wco-dm-xml/hmrc-cds-export-declaration-TT_EX001a.xml", 1),
    ] {
        let Some(p) = sample(rel) else { return };
        let o = run(&["convert", s(&p)]);
        assert!(matches!(o.status.code(), Some(0 | 2)), "{rel}: {}", String::from_utf8_lossy(&o.stderr));
        let filings: Vec<Value> =
            o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        assert!(filings.len() >= expect_min, "{rel}: {} filings", filings.len());
        for f in &filings {
            assert!(f["id"].as_str().is_some_and(|s| !s.is_empty()), "{rel}: {f}");
            assert!(f["parties"].as_array().is_some_and(|p| !p.is_empty()), "{rel}: no parties in {f}");
        }
    }
}

#[test]
fn x12_309_sample_gets_997_and_355_responses() {
    let Some(p) = sample("x12/x12-004010-309-customs-manifest-ocean.edi") else { return };
    let dir = tempfile::tempdir().unwrap();
    let responses = dir.path().join("r");
    let o = run(&["screen", "--json", "--db", s(&dir.path().join("x.db")), "--respond", s(&responses), s(&p)]);
    assert!(matches!(o.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(decisions(&o.stdout).len(), 10, "ten bills of lading");
    let names: Vec<String> = std::fs::read_dir(&responses).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.ends_with(".997.edi")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(".355.edi")), "{names:?}");
}

#[test]
fn generated_cuscar_and_309_screen_like_their_json() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["cuscar", "x12-309"] {
        let f = dir.path().join(format!("g.{format}"));
        let o = run(&["generate", "--count", "300", "--seed", "21", "--format", format, "--out", s(&f)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = run(&["convert", s(&f)]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        let n = o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
        assert_eq!(n, 300, "{format}: every filing comes back");
        let o = run(&["screen", "--json", "--db", s(&dir.path().join(format!("{format}.db"))), s(&f)]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(decisions(&o.stdout).len(), 300);
    }
}

// ---- Envelope errors (issue 20, class 5): stored state, exit code and responses agree ----

/// Generate `count` filings as `format`, and change the first occurrence of `seg` (`UNT+` / `SE*`)'s
/// count to one more than written.
/// Returns the damaged file, the number of filings, and the versions screening the undamaged file stores.
fn interchange_with_wrong_count(dir: &Path, format: &str, seg: &str, sep: char) -> (PathBuf, usize, Value) {
    let f = dir.join(format!("g.{format}"));
    let o = run(&["generate", "--count", "40", "--seed", "23", "--format", format, "--out", s(&f)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&f).unwrap();
    let at = segment_at(&text, seg) + seg.len();
    let end = at + text[at..].find(sep).unwrap();
    let n: u32 = text[at..end].parse().unwrap();
    let bad = dir.join(format!("bad.{format}"));
    std::fs::write(&bad, format!("{}{}{}", &text[..at], n + 1, &text[end..])).unwrap();
    let o = run(&["convert", s(&f)]);
    let filings = o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    let clean = dir.join(format!("clean-{format}.db"));
    let o = run(&["screen", "--db", s(&clean), s(&f)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    (bad, filings, stats(&clean)["versions"].clone())
}

/// Where the first segment (not an element) with that tag starts: after a terminator or a line break.
fn segment_at(text: &str, seg: &str) -> usize {
    text.match_indices(seg).map(|(i, _)| i).find(|&i| i > 0 && matches!(text.as_bytes()[i - 1], b'\'' | b'~' | b'\n')).unwrap()
}

fn rejects(db: &Path) -> Vec<Value> {
    let o = run(&["rejects", "--db", s(db), "--json", "--limit", "100"]);
    assert!(o.status.success());
    o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
}

#[test]
fn wrong_unt_count_screens_the_cargo_stores_the_envelope_once_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (edi, n, versions) = interchange_with_wrong_count(dir.path(), "cuscar", "UNT+", '+');
    let db = dir.path().join("e.db");
    let responses = dir.path().join("r");
    let o = run(&["screen", "--db", s(&db), "--respond", s(&responses), s(&edi)]);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(2), "envelope errors exit 2: {err}");
    let summary = out.lines().last().unwrap();
    assert!(summary.starts_with(&format!("screened {n} filings")), "every filing is screened: {summary}");
    assert!(summary.contains("rejected 0"), "no filing is rejected: {summary}");
    assert!(summary.contains("1 interchange with envelope errors"), "{summary}");
    assert!(err.contains("[interchange 1]: envelope:") && err.contains("UNT"), "{err}");
    // Stored: every filing (as the undamaged interchange stores them), and the envelope once, against
    // the interchange, with the whole bytes.
    assert_eq!(stats(&db)["versions"], versions);
    let rs = rejects(&db);
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert!(rs[0]["source"].as_str().unwrap().ends_with("bad.cuscar [interchange 1]"), "{}", rs[0]);
    assert_eq!(rs[0]["diagnostics"][0]["code"], "EDI-UNT-COUNT");
    assert_eq!(rs[0]["raw"].as_str().unwrap().len(), std::fs::metadata(&edi).unwrap().len() as usize);
    // The responses say the same: every message accepted, the first one with its envelope error.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&responses).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), n, "one CUSRES per message");
    let bodies: Vec<String> = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(bodies.iter().all(|b| b.contains("BGM+962")), "all accepted");
    assert_eq!(bodies.iter().filter(|b| b.contains("ERC+")).count(), 1, "one message carries the envelope error");
    // Again: duplicates, the envelope not stored twice, still exit 2.
    let o = run(&["screen", "--db", s(&db), s(&edi)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(rejects(&db).len(), 1);
}

#[test]
fn wrong_se_count_screens_the_cargo_stores_the_envelope_once_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (x12, n, versions) = interchange_with_wrong_count(dir.path(), "x12-309", "SE*", '*');
    let db = dir.path().join("x.db");
    let responses = dir.path().join("r");
    let o = run(&["screen", "--json", "--db", s(&db), "--respond", s(&responses), s(&x12)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(decisions(&o.stdout).len(), n, "the cargo is screened");
    assert!(err.contains("envelope:") && err.contains("SE"), "{err}");
    assert!(!err.contains("rejected:"), "no filing is rejected: {err}");
    assert_eq!(stats(&db)["versions"], versions);
    let rs = rejects(&db);
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert!(rs[0]["source"].as_str().unwrap().contains("bad.x12-309 [interchange"), "{}", rs[0]);
    assert_eq!(rs[0]["diagnostics"][0]["code"], "X12-SE-COUNT");
    let ack = std::fs::read_dir(&responses)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".997.edi"))
        .expect("a 997");
    let ack = std::fs::read_to_string(ack).unwrap();
    assert!(ack.contains("AK5*E"), "accepted with errors: {ack}");
    assert!(!ack.contains("AK5*R"), "no transaction set rejected: {ack}");
}

#[test]
fn envelope_warnings_alone_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("g.x12");
    let o = run(&["generate", "--count", "5", "--seed", "24", "--format", "x12-309", "--out", s(&f)]);
    assert!(o.status.success());
    // A bare transaction set: ST..SE without ISA/GS (a warning, not an error).
    let text = std::fs::read_to_string(&f).unwrap();
    let st = segment_at(&text, "ST*");
    let se = segment_at(&text, "SE*");
    let end = se + text[se..].find('~').unwrap() + 1;
    let bare = dir.path().join("bare.x12");
    std::fs::write(&bare, &text[st..end]).unwrap();
    let db = dir.path().join("w.db");
    let o = run(&["screen", "--json", "--db", s(&db), s(&bare)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("envelope:"), "the warning is shown: {err}");
    assert!(!decisions(&o.stdout).is_empty());
    assert!(rejects(&db).is_empty(), "warnings are not stored as a reject");
}

// ---- Audit of CLI workflows (issue 13) ----

#[test]
fn exam_record_and_import_are_audited_as_the_cli_user() {
    use clearway_store::AuditStore;
    use clearway_store::audit::AuditFilter;
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = generate(dir.path(), 20, 31);
    let db = dir.path().join("a.db");
    let o = run(&["screen", "--json", "--db", s(&db), s(&f)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let id = decisions(&o.stdout)[0].filing_id.clone();
    let o = run(&["exam", "record", "--db", s(&db), &id, "--result", "finding"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = dir.path().join("exams.csv");
    std::fs::write(&csv, format!("filing_id,result\n{id},no-finding\n")).unwrap();
    let o = run(&["exam", "import", "--db", s(&db), s(&csv)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut store = SqliteStore::open(&db).unwrap();
    let all = store.audit(&AuditFilter::default()).unwrap();
    let recorded = all.iter().find(|e| e.event.action == "exam.record").expect("exam.record audited");
    assert_eq!(recorded.event.record.as_deref(), Some(id.as_str()));
    assert!(recorded.event.actor.starts_with("cli:"), "{:?}", recorded.event);
    assert_eq!(recorded.event.from.as_deref(), Some("cli"));
    assert!(all.iter().any(|e| e.event.action == "exam.import"), "{all:?}");
}
