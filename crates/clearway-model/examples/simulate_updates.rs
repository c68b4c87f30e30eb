//! What updating the key statistics without retraining is worth over the weeks: the weekly simulation
//! on the KCS train split (2020), `cargo run --release -p clearway-model --example simulate_updates
//! [weeks] [budget %]`; prints each strategy's mean precision and recall.
use clearway_model::simulate::{SimOptions, simulate};
use clearway_model::{ReadOptions, read_csv};

fn main() {
    let Some(f) = clearway_testdata::file("declarations/kcs-synthetic/df_syn_train_eng.csv") else {
        eprintln!("skipped: KCS synthetic data not found");
        return;
    };
    let args: Vec<String> = std::env::args().collect();
    let ds = read_csv(&std::fs::read(f).unwrap(), &ReadOptions::default()).unwrap();
    let mut o = SimOptions::new("Fraud");
    o.train.drop = vec!["Critical Fraud".into()];
    o.train.params.threads = 1;
    o.weeks = args.get(1).and_then(|w| w.parse().ok());
    o.budget_pct = args.get(2).and_then(|b| b.parse().ok()).unwrap_or(5.0);
    let weeks = simulate(&ds, &o).unwrap();
    let n = weeks.len() as f64;
    let mean = |f: &dyn Fn(&clearway_model::simulate::Week) -> f64| weeks.iter().map(f).sum::<f64>() / n;
    println!(
        "{} weeks after {} warm-up weeks, budget {} %, hybrid random share {} %",
        weeks.len(),
        o.warmup_weeks,
        o.budget_pct,
        o.random_share_pct
    );
    println!(
        "exploitation (retrained weekly)  precision {:.3} recall {:.3}",
        mean(&|w| w.exploitation.precision),
        mean(&|w| w.exploitation.recall)
    );
    println!(
        "hybrid (retrained weekly)        precision {:.3} recall {:.3}",
        mean(&|w| w.hybrid.precision),
        mean(&|w| w.hybrid.recall)
    );
    println!(
        "frozen (warm-up model)           precision {:.3} recall {:.3}",
        mean(&|w| w.frozen.precision),
        mean(&|w| w.frozen.recall)
    );
    println!(
        "updated (warm-up trees, stats)   precision {:.3} recall {:.3}",
        mean(&|w| w.updated.precision),
        mean(&|w| w.updated.recall)
    );
}
