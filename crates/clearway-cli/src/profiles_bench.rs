//! `clearway bench profiles`: N realistic rules, in the profile language and the same rules in CEL
//! (evaluated by the `cel` crate when built with `--features cel`), over synthetic filings, on one core.
//! Self-contained so that the same code can be built outside the CLI.

use clearway_core::Filing;
use clearway_profiles::{EntityHistory, ProfileSet, Source};

const ORIGINS: [&str; 12] = ["CN", "VN", "IN", "KR", "MX", "TH", "MY", "ID", "TR", "BD", "PK", "DE"];
const CHAPTERS: [u32; 12] = [84, 85, 61, 62, 64, 39, 94, 95, 87, 90, 30, 22];
const WORDS: [&str; 8] = ["PARTS", "TOYS", "SHOES", "PHONES", "COTTON", "STEEL", "WINE", "MEDICAL"];

/// Rule `i` of the benchmark set, in the profile language and in CEL (same meaning).
fn bench_rule(i: usize) -> (String, String) {
    let o1 = ORIGINS[i % 12];
    let o2 = ORIGINS[(i / 12 + 5) % 12];
    let ch = CHAPTERS[(i * 7) % 12];
    let v = 5 + (i % 40) * 3;
    let w = WORDS[i % 8];
    match i % 8 {
        0 => (
            format!("hs_chapter == {ch} and origin in [\"{o1}\", \"{o2}\"] and unit_value_kg < {v}"),
            format!("it.hs_chapter == {ch}.0 && it.origin in [\"{o1}\", \"{o2}\"] && it.unit_value_kg < {v}.0"),
        ),
        1 => (format!("new_importer and total_value > {}", v * 1000), format!("f.new_importer && f.total_value > {}.0", v * 1000)),
        2 => (
            format!("hs6 starts_with \"{ch}{}\" and origin == \"{o1}\"", i % 10),
            format!("it.hs6.startsWith(\"{ch}{}\") && it.origin == \"{o1}\"", i % 10),
        ),
        3 => (
            format!("routing in @hubs and hs_chapter in [{ch}, 85] and value > {}", v * 100),
            format!("f.routing.exists(r, r in hubs) && it.hs_chapter in [{ch}.0, 85.0] && it.value > {}.0", v * 100),
        ),
        4 => (
            format!("description contains \"{w}\" and hs_chapter != {ch} and origin == \"{o2}\""),
            format!("it.description.contains(\"{w}\") && it.hs_chapter != {ch}.0 && it.origin == \"{o2}\""),
        ),
        5 => (
            format!("lead_time_h < {} and origin in [\"{o1}\", \"{o2}\", \"PK\"]", 24 + i % 24),
            format!("f.lead_time_h < {}.0 && it.origin in [\"{o1}\", \"{o2}\", \"PK\"]", 24 + i % 24),
        ),
        6 => (
            format!("mode == \"air\" and value > {} and quantity < {}", v * 500, 10 + i % 50),
            format!("f.mode == \"air\" && it.value > {}.0 && it.quantity < {}.0", v * 500, 10 + i % 50),
        ),
        _ => (
            format!("importer_filings < 3 and hs_chapter == {ch} and consignor_country == \"{o1}\""),
            format!("f.importer_filings < 3.0 && it.hs_chapter == {ch}.0 && f.consignor_country == \"{o1}\""),
        ),
    }
}

const HUBS: [&str; 6] = ["AE", "SG", "HK", "PA", "MY", "TR"];

/// What one run measured.
pub struct Measured {
    pub rules: usize,
    pub filings: usize,
    pub ours_s: f64,
    pub ours_hits: usize,
    /// This thread's CPU seconds for our side and the CEL side (Linux), which machine load does not inflate.
    pub ours_cpu_s: Option<f64>,
    pub cel_cpu_s: Option<f64>,
    /// (seconds, filings evaluated, hits) of the CEL side, when built.
    pub cel: Option<(f64, usize, usize)>,
}

/// CPU seconds this thread has run (see [`crate::bench::thread_cpu`]).
fn thread_cpu_s() -> Option<f64> {
    crate::bench::thread_cpu().map(|d| d.as_secs_f64())
}

/// Build the rules, generate the filings, time both sides.
pub fn measure(rules: usize, filings: usize) -> Result<Measured, String> {
    let n_rules = rules.max(1);
    let mut text = String::new();
    let mut cel_src = Vec::new();
    for i in 0..n_rules {
        let (ours, cel) = bench_rule(i);
        text.push_str(&format!("profile B{i:04} {{\n  when {ours}\n  weight 5\n  reason \"bench\"\n}}\n"));
        cel_src.push(cel);
    }
    let hubs = format!("country\n{}\n", HUBS.join("\n"));
    let set = match ProfileSet::load(&[Source { name: "bench.profile", text: &text }], &[Source { name: "hubs.csv", text: &hubs }], None, None) {
        Ok((s, _)) => s,
        Err(e) => return Err(format!("bench rules do not load: {}", e[0])),
    };
    let filings: Vec<Filing> =
        clearway_synth::Generator::new(clearway_synth::Config::new(filings.max(1), 1)).collect();
    let extras = clearway_profiles::Extras::default();
    let hist = EntityHistory::new();
    // Ours: facts once per filing, then the rules; one core (this thread).
    let c0 = thread_cpu_s();
    let t0 = std::time::Instant::now();
    let mut ours_hits = 0usize;
    for f in &filings {
        let facts = set.facts(f, &extras, Some(clearway_profiles::HistoryAt::all(&hist)), false, false);
        // The screening path: the prefilter, then each candidate profile's stage, mode and validity
        // window, then its condition.
        ours_hits += set.hits(f, &facts).len();
    }
    let ours_s = t0.elapsed().as_secs_f64();
    let c1 = thread_cpu_s();
    let cel = cel_side(&cel_src, &filings, &set);
    let c2 = thread_cpu_s();
    let diff = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| b - a);
    let (ours_cpu_s, cel_cpu_s) = (diff(c0, c1), cel.as_ref().and(diff(c1, c2)));
    Ok(Measured { rules: n_rules, filings: filings.len(), ours_s, ours_hits, ours_cpu_s, cel_cpu_s, cel })
}

#[cfg(feature = "cel")]
fn cel_side(src: &[String], filings: &[Filing], set: &ProfileSet) -> Option<(f64, usize, usize)> {
    use clearway_profiles::fields::*;
    let programs: Vec<cel::Program> = src.iter().filter_map(|s| cel::Program::compile(s).ok()).collect();
    if programs.len() != src.len() {
        eprintln!("cel: {} of {} rules did not compile", src.len() - programs.len(), src.len());
    }
    #[derive(serde::Serialize)]
    struct F<'a> {
        new_importer: bool,
        total_value: f64,
        lead_time_h: f64,
        mode: &'a str,
        importer_filings: f64,
        consignor_country: &'a str,
        routing: Vec<&'a str>,
    }
    #[derive(serde::Serialize)]
    struct I<'a> {
        hs_chapter: f64,
        origin: &'a str,
        unit_value_kg: f64,
        hs6: &'a str,
        value: f64,
        description: &'a str,
        quantity: f64,
    }
    let z = |x: f64| if x.is_finite() { x } else { -1.0 };
    // CEL is slow: evaluate a share of the filings (at least 1,000) and report its own rate.
    let n = filings.len().min(2_000.max(filings.len() / 10));
    let extras = clearway_profiles::Extras::default();
    let hist = EntityHistory::new();
    let t0 = std::time::Instant::now();
    let mut hits = 0usize;
    for f in &filings[..n] {
        // The same derived values as our side (derivation is part of the cost on both sides).
        let facts = set.facts(f, &extras, Some(clearway_profiles::HistoryAt::all(&hist)), false, false);
        let mut ctx = cel::Context::default();
        let fv = F {
            new_importer: facts.flag[B_NEW_IMPORTER] == Some(true),
            total_value: z(facts.num[F_TOTAL_VALUE]),
            lead_time_h: z(facts.num[F_LEAD_TIME_H]),
            mode: facts.text[S_MODE],
            importer_filings: z(facts.num[F_IMPORTER_FILINGS]),
            consignor_country: facts.text[S_CONSIGNOR_COUNTRY],
            routing: facts.list_text[L_ROUTING].clone(),
        };
        ctx.add_variable("f", &fv).ok()?;
        ctx.add_variable("hubs", HUBS.to_vec()).ok()?;
        let mut hit = vec![false; programs.len()];
        for it in &facts.items {
            let iv = I {
                hs_chapter: z(it.num[I_HS_CHAPTER]),
                origin: it.text[T_ORIGIN],
                unit_value_kg: z(it.num[I_UNIT_VALUE_KG]),
                hs6: it.text[T_HS6],
                value: z(it.num[I_VALUE]),
                description: it.text[T_DESCRIPTION],
                quantity: z(it.num[I_QUANTITY]),
            };
            ctx.add_variable("it", &iv).ok()?;
            for (k, p) in programs.iter().enumerate() {
                if !hit[k] && matches!(p.execute(&ctx), Ok(cel::Value::Bool(true))) {
                    hit[k] = true;
                }
            }
        }
        hits += hit.iter().filter(|h| **h).count();
    }
    Some((t0.elapsed().as_secs_f64(), n, hits))
}

#[cfg(not(feature = "cel"))]
fn cel_side(_: &[String], _: &[Filing], _: &ProfileSet) -> Option<(f64, usize, usize)> {
    None
}
