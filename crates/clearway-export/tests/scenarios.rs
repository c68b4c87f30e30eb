//! Recall per labelled export scenario and the false-hold rate on clean exports (clearway-synth's
//! export scenarios, drawn from the published diversion cases' patterns), and the pipeline's speed
//! with and without the layer on export-heavy traffic.
//!
//! A scenario filing counts as caught when the export-control layer holds it or its export findings
//! alone reach the yellow threshold; a clean export counts as a false hold when the layer holds it.

use std::time::Instant;

use clearway_core::Action;
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
use clearway_export::{ExportControl, LicenceBook, licence};
use clearway_synth::export::{ExportConfig, ExportScenarios, Scenario};

fn book() -> LicenceBook {
    let text = ExportScenarios::licences().to_string();
    LicenceBook::new(licence::parse_json(&text).expect("synthetic licences are valid"))
}

#[test]
fn recall_per_scenario_and_false_holds() {
    let mut p = Pipeline::new(
        Config::default(),
        ReferenceData::default(),
        Registry::default(),
    );
    p.add_layer(Box::new(ExportControl::new(book())));
    let yellow = p.config().yellow_at;
    let mut n = [0usize; 5];
    let mut caught = [0usize; 5];
    let mut held = [0usize; 5];
    for l in ExportScenarios::new(ExportConfig {
        count: 20_000,
        seed: 19,
        ..ExportConfig::default()
    }) {
        let d = p.assess(&l.filing, None);
        let i = Scenario::ALL.iter().position(|s| *s == l.scenario).unwrap();
        let exp: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.layer == "export-control")
            .collect();
        let hold = exp.iter().any(|f| f.action == Some(Action::Hold));
        let score: f64 = exp.iter().map(|f| f.weight).sum();
        n[i] += 1;
        held[i] += hold as usize;
        caught[i] += (hold || score >= yellow) as usize;
    }
    let mut report = String::new();
    for (i, s) in Scenario::ALL.iter().enumerate() {
        report.push_str(&format!(
            "{:>16}: n {:>6}  caught {:>6} ({:.1} %)  held {:>6} ({:.1} %)\n",
            s.as_str(),
            n[i],
            caught[i],
            100.0 * caught[i] as f64 / n[i].max(1) as f64,
            held[i],
            100.0 * held[i] as f64 / n[i].max(1) as f64
        ));
    }
    println!("{report}");
    let false_hold = held[0] as f64 / n[0] as f64;
    assert!(
        false_hold <= 0.01,
        "false-hold rate on clean exports {false_hold}\n{report}"
    );
    for i in 1..5 {
        assert!(
            caught[i] as f64 / n[i] as f64 >= 0.9,
            "recall below 90 %\n{report}"
        );
    }
}

/// `cargo test --release -p clearway-export --test scenarios -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput_with_and_without_the_layer() {
    // Export-heavy traffic: the labelled export scenarios as JSON Lines, parsed and assessed.
    let lines: Vec<String> = ExportScenarios::new(ExportConfig {
        count: 200_000,
        seed: 5,
        ..ExportConfig::default()
    })
    .map(|l| clearway_synth::to_jsonl(&l.filing))
    .collect();
    let base = Pipeline::new(
        Config::default(),
        ReferenceData::default(),
        Registry::default(),
    );
    let mut with = Pipeline::new(
        Config::default(),
        ReferenceData::default(),
        Registry::default(),
    );
    with.add_layer(Box::new(ExportControl::new(book())));
    for (name, p) in [
        ("without", &base),
        ("with", &with),
        ("without", &base),
        ("with", &with),
    ] {
        let t0 = Instant::now();
        let c0 = clearway_testdata::thread_cpu();
        let mut lanes = 0usize;
        for line in &lines {
            let parsed = clearway_formats::parse_filing_json(line.as_bytes()).expect("parses");
            lanes += p.assess(&parsed.filing, None).lane as usize;
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = clearway_testdata::thread_cpu()
            .zip(c0)
            .map(|(a, b)| (a - b).as_secs_f64());
        println!(
            "{name:>8} the export layer: {} filings, {:.0} filings/s wall, {} (lanes sum {lanes})",
            lines.len(),
            lines.len() as f64 / wall,
            cpu.map(|c| format!("{:.0} filings/s thread CPU", lines.len() as f64 / c))
                .unwrap_or_default()
        );
    }

    // Where the layer's time goes: per scenario, thread CPU per filing of assessing alone (parsed once,
    // outside the clock), with and without the layer.
    let labelled: Vec<_> = ExportScenarios::new(ExportConfig {
        count: 100_000,
        seed: 5,
        ..ExportConfig::default()
    })
    .collect();
    for s in Scenario::ALL {
        let fs: Vec<_> = labelled
            .iter()
            .filter(|l| l.scenario == s)
            .map(|l| &l.filing)
            .collect();
        let mut us = [0.0f64; 2];
        for (k, p) in [&base, &with].into_iter().enumerate() {
            let c0 = clearway_testdata::thread_cpu();
            let mut lanes = 0usize;
            for f in &fs {
                lanes += p.assess(f, None).lane as usize;
            }
            std::hint::black_box(lanes);
            if let (Some(a), Some(b)) = (clearway_testdata::thread_cpu(), c0) {
                us[k] = (a - b).as_secs_f64() * 1e6 / fs.len().max(1) as f64;
            }
        }
        println!(
            "{:>16}: {:>6} filings, assess {:.2} µs without, {:.2} µs with: the layer {:.2} µs per filing",
            s.as_str(),
            fs.len(),
            us[0],
            us[1],
            us[1] - us[0]
        );
    }
}
