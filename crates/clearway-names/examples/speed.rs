//! Development harness for the search speed: reads entities as JSON lines (the list crate's `Entity`,
//! e.g. exported from the store), builds the index, runs the same queries as `clearway names bench`
//! (every n-th alias with two inner letters swapped) and prints the throughput. With `--dump FILE` it
//! writes every query's top 10 (entity, alias, score) so two builds can be compared for equal results.
//!
//! cargo run --release -p clearway-names --example speed -- ENTITIES.jsonl [--max N] [--reps R] [--dump FILE] [--queries FILE.csv]
//!
//! ENTITIES.jsonl from a store made by `clearway lists import --db lists.db ...`, in the order the CLI reads
//! them: `sqlite3 lists.db "SELECT e.body FROM list_entities e JOIN (SELECT list, MAX(version) AS version
//! FROM list_versions GROUP BY list) l ON e.list = l.list AND e.version = l.version ORDER BY e.list,
//! e.entity_id" > ENTITIES.jsonl`.

use std::io::Write;
use std::time::Instant;

use clearway_lists::{Entity, Schema};
use clearway_names::index::{Index, Query};

fn perturb(name: &str, i: usize) -> String {
    let mut words: Vec<Vec<char>> = name.split_whitespace().map(|w| w.chars().collect()).collect();
    if let Some(w) = words.iter_mut().max_by_key(|w| w.len())
        && w.len() >= 4
    {
        let p = 1 + i % (w.len() - 2);
        w.swap(p, p + 1);
    }
    words.iter().map(|w| w.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = &args[0];
    let opt = |n: &str| args.iter().position(|a| a == n).and_then(|i| args.get(i + 1)).cloned();
    let max: usize = opt("--max").map_or(20_000, |m| m.parse().unwrap());
    let reps: usize = opt("--reps").map_or(1, |m| m.parse().unwrap());
    let text = std::fs::read_to_string(path).unwrap();
    let entities: Vec<Entity> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let t0 = Instant::now();
    let idx = Index::build(&entities);
    let build = t0.elapsed().as_secs_f64();
    let (queries, schema): (Vec<String>, Schema) = match opt("--queries") {
        Some(q) => (
            std::fs::read_to_string(q).unwrap().lines().skip(1).filter_map(|l| l.split(',').next()).map(str::to_string).take(max).collect(),
            Schema::Person,
        ),
        None => {
            let all: Vec<&str> = idx.entities().iter().flat_map(|e| e.names.iter().map(|n| n.0.as_str())).collect();
            let step = (all.len() / max.max(1)).max(1);
            (all.iter().step_by(step).take(max).enumerate().map(|(i, n)| perturb(n, i)).collect(), Schema::Unknown)
        }
    };
    for q in queries.iter().take(200) {
        std::hint::black_box(idx.search(&Query { name: q.clone(), schema, ..Query::default() }, 10));
    }
    let c0 = cpu_seconds();
    let t = Instant::now();
    let mut found = 0usize;
    for _ in 0..reps {
        for q in &queries {
            let hits = idx.search(&Query { name: q.clone(), schema, ..Query::default() }, 10);
            found += usize::from(!hits.is_empty());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c0;
    println!("cpu {:.2}s qps(cpu) {:.0}", cpu, (queries.len() * reps) as f64 / cpu);
    let n = (queries.len() * reps) as f64;
    println!(
        "entities {} names {} build {:.2}s queries {} qps {:.0} us/q {:.1} with-candidates {}",
        idx.entity_count(),
        idx.alias_count(),
        build,
        n,
        n / secs,
        1e6 * secs / n,
        found
    );
    if let Some(d) = opt("--dump") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(d).unwrap());
        for q in &queries {
            let hits = idx.search(&Query { name: q.clone(), schema, ..Query::default() }, 10);
            write!(f, "{q}\t").unwrap();
            for h in hits {
                write!(f, "{}/{}={}:{:.6}|", h.list, h.entity_id, h.alias, h.score).unwrap();
            }
            writeln!(f).unwrap();
        }
    }
}

/// CPU time of this process (user + system), from /proc (clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}
