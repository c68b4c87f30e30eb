//! Bundles and the comparison: a decision's configuration hash is the bundle's hash; one bundle through
//! `compare` decides exactly as `screen --bundle` (ingest) does; the report's figures agree with each
//! other; the HTML shows the figures it must; metrics-only carries no filing id; merge of two
//! single-bundle metric files gives the agreement of the two-bundle comparison.

use clearway_bundle::SecretKey;
use clearway_core::{Decision, Filing};
use clearway_service::compare::{self, CompareOptions, Data, Labels};
use clearway_service::ingest::{self, Acked, IngestOptions, Input};
use clearway_service::{PipelineOptions, build_pipeline, bundle, open_store};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bundles")
}

fn filings(n: usize) -> (Vec<Filing>, String) {
    let g = clearway_synth::Generator::new(clearway_synth::Config {
        count: n,
        seed: 16,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 3,
    });
    let traders = clearway_engine::registry_io::memberships_to_csv(&g.memberships());
    (g.collect(), traders)
}

fn write_jsonl(path: &Path, fs: &[Filing]) {
    let mut out = Vec::new();
    for f in fs {
        serde_json::to_writer(&mut out, f).unwrap();
        out.push(b'\n');
    }
    std::fs::write(path, out).unwrap();
}

fn seal(dir: &Path, name: &str) -> PathBuf {
    let key = SecretKey::from_seed([16; 32]);
    let b = bundle::create(&examples().join(name), Some(&key)).unwrap();
    let p = dir.join(format!("{name}.bundle.json"));
    std::fs::write(&p, b.to_json()).unwrap();
    p
}

fn screen(db: &str, opts: &PipelineOptions, data: &Path) -> Vec<Decision> {
    let mut store = open_store(db).unwrap();
    let screener = build_pipeline(store.as_mut(), opts).unwrap();
    drop(store);
    let inputs = vec![Input {
        name: "data".into(),
        source: Box::new(std::fs::File::open(data).unwrap()),
    }];
    let mut out = Vec::new();
    ingest::run(
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
    out
}

#[test]
fn one_bundle_through_compare_decides_as_screen() {
    let dir = tempfile::tempdir().unwrap();
    let (fs, traders) = filings(1200);
    let data = dir.path().join("day.jsonl");
    write_jsonl(&data, &fs);
    let tp = dir.path().join("traders.csv");
    std::fs::write(&tp, traders).unwrap();
    for name in ["profile-heavy", "random-value"] {
        let b = seal(dir.path(), name);
        let hash = bundle::read(&b).unwrap().hash;
        let opts = PipelineOptions {
            bundle: Some(b.clone()),
            traders: Some(tp.clone()),
            ..PipelineOptions::default()
        };
        let db = dir.path().join(format!("{name}.db")).display().to_string();
        let screened = screen(&db, &opts, &data);
        assert_eq!(screened.len(), fs.len());
        assert!(
            screened.iter().all(|d| d.config_hash == hash),
            "a decision's configuration hash is the bundle hash"
        );

        let mut store = clearway_store::memory::MemoryStore::new();
        let o = CompareOptions {
            bundles: vec![b],
            data: Data::Filings(data.clone()),
            base: PipelineOptions {
                traders: Some(tp.clone()),
                ..PipelineOptions::default()
            },
            ..CompareOptions::default()
        };
        let mut compared = Vec::new();
        let r = compare::run(
            &mut store,
            &o,
            Some(&mut |_, d: &Decision| compared.push(d.clone())),
        )
        .unwrap();
        assert_eq!(compared.len(), screened.len());
        for (a, b) in screened.iter().zip(&compared) {
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                serde_json::to_string(b).unwrap(),
                "{} v{}",
                a.filing_id,
                a.version
            );
        }
        let sel = screened.iter().filter(|d| compare::selected(d)).count() as u64;
        assert_eq!(r.bundles[0].selected, sel);
        assert_eq!(r.bundles[0].lanes.values().sum::<u64>(), fs.len() as u64);
    }
}

#[test]
fn a_bundle_that_was_changed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = seal(dir.path(), "random-value");
    let text = std::fs::read_to_string(&p).unwrap().replacen(
        "\\\"Unit value below",
        "\\\"Unit value far below",
        1,
    );
    std::fs::write(&p, text).unwrap();
    let mut store = clearway_store::memory::MemoryStore::new();
    let opts = PipelineOptions {
        bundle: Some(p),
        ..PipelineOptions::default()
    };
    let err = build_pipeline(&mut store, &opts)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("contents changed"), "{err}");
    // And giving profiles beside a bundle is refused.
    let opts = PipelineOptions {
        bundle: Some(seal(dir.path(), "random-value")),
        profiles: Some(dir.path().into()),
        ..PipelineOptions::default()
    };
    assert!(
        build_pipeline(&mut store, &opts)
            .err()
            .unwrap()
            .to_string()
            .contains("come(s) from the bundle")
    );
}

#[test]
fn two_bundles_report_html_metrics_only_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (fs, traders) = filings(1500);
    let data = dir.path().join("day.jsonl");
    write_jsonl(&data, &fs);
    let tp = dir.path().join("traders.csv");
    std::fs::write(&tp, traders).unwrap();
    // Labels: every third filing examined, one in four of those with a finding and revenue.
    let mut csv = String::from("filing_id,version,result,severity,revenue,note\n");
    for (i, f) in fs.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let found = (i / 3) % 4 == 0;
        csv += &format!(
            "{},{},{},,{},\n",
            f.id,
            f.version,
            if found { "finding" } else { "no-finding" },
            if found { "1000" } else { "" }
        );
    }
    let labels = dir.path().join("exams.csv");
    std::fs::write(&labels, csv).unwrap();
    let a = seal(dir.path(), "profile-heavy");
    let b = seal(dir.path(), "random-value");
    let opts = |bundles: Vec<PathBuf>| CompareOptions {
        bundles,
        data: Data::Filings(data.clone()),
        labels: Some(Labels::Exams(labels.clone())),
        base: PipelineOptions {
            traders: Some(tp.clone()),
            ..PipelineOptions::default()
        },
        replicates: 100,
        ..CompareOptions::default()
    };
    let mut store = clearway_store::memory::MemoryStore::new();
    let r = compare::run(&mut store, &opts(vec![a.clone(), b.clone()]), None).unwrap();
    let n = fs.len() as u64;
    assert_eq!(r.data.filings, n);
    // Regions and pairs agree with each bundle's own count.
    let p = &r.agreement.pairs[0];
    assert_eq!(p.table.n(), n);
    assert_eq!(p.table.both + p.table.only_a, r.bundles[0].selected);
    assert_eq!(p.table.both + p.table.only_b, r.bundles[1].selected);
    assert_eq!(
        r.agreement.regions.iter().map(|g| g.filings).sum::<u64>() + p.table.neither,
        n
    );
    // The random-heavy bundle selects more at random, and disagreements are explained.
    assert!(
        r.bundles[1].random_selected > r.bundles[0].random_selected,
        "{} vs {}",
        r.bundles[1].random_selected,
        r.bundles[0].random_selected
    );
    let d = r
        .disagreements
        .iter()
        .find(|d| d.selected_by == 1)
        .expect("B selects what A does not");
    assert_eq!(d.filings, p.table.only_b);
    assert!(
        d.reasons
            .iter()
            .any(|x| x.layer == "profile" || x.code.contains("RANDOM") || x.layer == "random"),
        "{:?}",
        d.reasons
    );
    assert!(!d.reasons[0].examples.is_empty());
    // Labels: 500 labelled filings, budgets in order, intervals around the values.
    let l = r.labelled.as_ref().unwrap();
    assert_eq!(l.filings, 500);
    assert_eq!(l.positives, 125);
    assert!(l.has_revenue);
    for bl in &l.bundles {
        assert_eq!(
            bl.at_budget.iter().map(|x| x.inspected).collect::<Vec<_>>(),
            vec![5, 10, 25, 50]
        );
        for x in &bl.at_budget {
            assert!(
                x.precision.lo <= x.precision.value && x.precision.value <= x.precision.hi,
                "{x:?}"
            );
        }
    }
    // Harmonised profiles appear for both bundles.
    assert!(r.harmonised.profiles.iter().any(|h| h.profile == "H-001"));
    assert!(
        r.harmonised
            .profiles
            .iter()
            .all(|h| h.cells.iter().all(Option::is_some))
    );

    // The HTML shows the figures it must.
    let html = compare::html::render(&r);
    for needle in [
        "<svg id=lane-mix",
        "<svg id=overlap",
        "<svg id=precision-at-budget",
        "id=agreement",
        "id=harmonised",
        "Cohen's κ",
    ] {
        assert!(html.contains(needle), "HTML lacks {needle}");
    }
    assert!(
        html.contains(&format!("data-region=\"AB\" x=")),
        "overlap region AB"
    );
    assert!(
        html.contains(&format!(">{}</text>", p.table.both)),
        "the count of A and B in the diagram"
    );
    assert!(html.contains(&r.bundles[0].name) && html.contains(&r.bundles[1].name));
    assert!(
        html.contains("class=curve data-bundle=\"A\"")
            && html.contains("class=curve data-bundle=\"B\"")
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "self-contained"
    );

    // Metrics only: no filing id anywhere.
    let m = compare::metrics_only(r.clone());
    let text = serde_json::to_string(&m).unwrap();
    assert!(
        fs.iter().take(200).all(|f| !text.contains(&f.id)),
        "a filing id in a metrics file"
    );

    // Merge: two agencies' single-bundle metric files give the two-bundle agreement.
    let ra = compare::metrics_only(compare::run(&mut store, &opts(vec![a]), None).unwrap());
    let rb = compare::metrics_only(compare::run(&mut store, &opts(vec![b]), None).unwrap());
    let merged = compare::merge(vec![ra.clone(), rb]).unwrap();
    assert_eq!(merged.agreement, r.agreement);
    assert_eq!(merged.bundles.len(), 2);
    assert_eq!(merged.labelled.as_ref().unwrap().bundles, l.bundles);
    // Files of different data are refused.
    let mut other = ra;
    other.data.fingerprint = "0000000000000000".into();
    assert!(compare::merge(vec![other, merged]).is_err());
}
