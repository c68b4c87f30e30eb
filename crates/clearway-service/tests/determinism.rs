//! Decisions reproduce: the same day of filings screened in one run, in two runs (first half, then
//! second half, each with a freshly built pipeline) and shuffled gets identical decisions, with the
//! example profiles (entity history, lane profiles with caps, selectivity) on top of a stored earlier day.

use chrono::NaiveDate;
use clearway_core::{Decision, Filing};
use clearway_service::ingest::{self, Acked, IngestOptions, Input};
use clearway_service::{PipelineOptions, build_pipeline, open_store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn jsonl(filings: &[Filing]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in filings {
        serde_json::to_writer(&mut out, f).unwrap();
        out.push(b'\n');
    }
    out
}

/// Build a pipeline from what is stored (a new process each time) and screen `filings` in one run.
fn screen(db: &str, opts: &PipelineOptions, filings: &[Filing]) -> Vec<Decision> {
    let mut store = open_store(db).unwrap();
    let screener = build_pipeline(store.as_mut(), opts).unwrap();
    drop(store);
    let inputs = vec![Input {
        name: "day".into(),
        source: Box::new(std::io::Cursor::new(jsonl(filings))),
    }];
    let mut out = Vec::new();
    let report = ingest::run(
        inputs,
        &screener,
        &|| open_store(db),
        &IngestOptions::default(),
        &mut |a| {
            if let Acked::Decision { decision, .. } = a {
                out.push((**decision).clone());
            }
        },
        &|_| {},
    )
    .unwrap();
    assert_eq!(report.rejected, 0);
    out
}

fn by_version(ds: Vec<Decision>) -> BTreeMap<(String, u32), String> {
    ds.into_iter()
        .map(|d| {
            (
                (d.filing_id.clone(), d.version),
                serde_json::to_string(&d).unwrap(),
            )
        })
        .collect()
}

#[test]
fn one_run_two_runs_and_shuffled_give_identical_decisions() {
    let generator = clearway_synth::Generator::new(clearway_synth::Config {
        count: 1500,
        seed: 11,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 2,
    });
    let traders = clearway_engine::registry_io::memberships_to_csv(&generator.memberships());
    let all: Vec<Filing> = generator.collect();
    let cut = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    let (earlier, day): (Vec<Filing>, Vec<Filing>) = all
        .into_iter()
        .partition(|f| f.times.filed_at.is_none_or(|t| t.date_naive() < cut));
    assert!(
        earlier.len() > 300 && day.len() > 300,
        "{} / {}",
        earlier.len(),
        day.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let traders_path = dir.path().join("traders.csv");
    std::fs::write(&traders_path, traders).unwrap();
    let opts = PipelineOptions {
        traders: Some(traders_path),
        profiles: Some(examples()),
        selectivity: Some(examples().join("selectivity.json")),
        ..PipelineOptions::default()
    };
    let run = |name: &str, parts: &[&[Filing]]| -> BTreeMap<(String, u32), String> {
        let db = dir.path().join(format!("{name}.db")).display().to_string();
        screen(&db, &opts, &earlier);
        let mut ds = Vec::new();
        for p in parts {
            ds.extend(screen(&db, &opts, p));
        }
        by_version(ds)
    };

    let one = run("one", &[&day]);
    let half = day.len() / 2;
    let two = run("two", &[&day[..half], &day[half..]]);
    // Shuffled: filing ids in a scrambled order, each id's versions still in order (an amendment
    // never arrives before the filing it amends).
    let mut groups: BTreeMap<u64, Vec<Filing>> = BTreeMap::new();
    for f in &day {
        let h = f.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        groups.entry(h).or_default().push(f.clone());
    }
    let shuffled: Vec<Filing> = groups.into_values().flatten().collect();
    assert_ne!(
        shuffled.iter().map(|f| &f.id).collect::<Vec<_>>(),
        day.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    let mixed = run("shuffled", &[&shuffled]);

    assert_eq!(one.len(), two.len());
    for (k, v) in &one {
        assert_eq!(Some(v), two.get(k), "{k:?}: one run vs two runs");
        assert_eq!(Some(v), mixed.get(k), "{k:?}: one run vs shuffled");
    }
    // The history and the profiles were exercised: profile hits, and importers known from the earlier day.
    let profile_hits = one
        .values()
        .filter(|d| d.contains("\"layer\":\"profile\""))
        .count();
    assert!(profile_hits > 0, "no profile hit");
}
