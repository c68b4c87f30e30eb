//! End-to-end throughput probe, ignored by default: publish → JetStream (a private `nats-server -js`) → 2
//! worker processes → PostgreSQL (`CLEARWAY_TEST_PG`, a schema of its own). Reports filings/s from the
//! first message to the last commit and the CPU seconds per 1,000 filings of each component (intake:
//! this process while publishing; NATS: the server process; workers: their processes; PostgreSQL: every
//! `postgres` process on the machine, so other load on a shared machine counts against it). Run with
//! `CLEARWAY_TEST_PG=... CLEARWAY_BENCH_ITEMS=200000 cargo test -p clearway-worker --release --test
//! throughput -- --ignored --nocapture`. The sustained run of the issue (10 minutes) is the same with
//! `CLEARWAY_BENCH_ITEMS` set to about ten minutes' worth.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn ticks() -> f64 {
    100.0 // USER_HZ on Linux
}

/// utime + stime of a process, in seconds.
fn cpu_of(pid: u32) -> f64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let rest = &s[s.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (n(11) + n(12)) / ticks()
}

/// CPU seconds of every process named `postgres`.
fn postgres_cpu() -> f64 {
    let mut total = 0.0;
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|c| c.trim() == "postgres")
        {
            total += cpu_of(pid);
        }
    }
    total
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn publish_two_workers_postgres() {
    let Ok(base) = std::env::var("CLEARWAY_TEST_PG") else {
        eprintln!("skipping: CLEARWAY_TEST_PG not set");
        return;
    };
    if Command::new("nats-server")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: nats-server not found");
        return;
    }
    let n: usize = std::env::var("CLEARWAY_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut nats: Child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("nats://127.0.0.1:{port}");
    let schema = format!("cw_worker_bench_{}", std::process::id());
    let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))
    .unwrap();
    let db = format!("{base} options='-c search_path={schema}'");

    // The filings, as JSON Lines.
    let file = dir.path().join("in.jsonl");
    {
        let cfg = clearway_synth::Config {
            count: n,
            seed: 5,
            start: "2026-11-02T00:00:00Z".parse().unwrap(),
            days: 7,
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        for f in clearway_synth::Generator::new(cfg) {
            serde_json::to_writer(&mut out, &f).unwrap();
            out.write_all(b"\n").unwrap();
        }
    }

    // Intake first (so the workers' rate is measured on a full stream), then two workers.
    let me = std::process::id();
    let (cpu0, t0) = (cpu_of(me), Instant::now());
    let rt = clearway_worker::runtime().unwrap();
    let mut store = clearway_service::open_store(&db).unwrap();
    let report = rt.block_on(async {
        let js = clearway_worker::jetstream(&url).await.unwrap();
        let input = clearway_service::ingest::Input {
            name: "in.jsonl".into(),
            source: Box::new(std::fs::File::open(&file).unwrap()),
        };
        clearway_worker::intake::publish(
            &js,
            vec![input],
            store.as_mut(),
            &Default::default(),
            &mut |_| {},
        )
        .await
        .unwrap()
    });
    let (intake_cpu, intake_wall) = (cpu_of(me) - cpu0, t0.elapsed().as_secs_f64());
    let nats_after_intake = cpu_of(nats.id());
    eprintln!(
        "intake: {} queued in {intake_wall:.1} s = {:.0} filings/s; {:.2} CPU s per 1,000",
        report.queued,
        report.queued as f64 / intake_wall,
        intake_cpu / report.queued as f64 * 1000.0
    );

    let pg0 = postgres_cpu();
    let t1 = Instant::now();
    let workers: Vec<Child> = (0..2)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_clearway-worker"))
                .args([
                    "--nats",
                    &url,
                    "--db",
                    &db,
                    "--id",
                    &format!("bench-{i}"),
                    "--batch",
                    "1000",
                ])
                .args(["--exit-when-idle-ms", "3000"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Sample each worker's CPU while it lives (the process is gone after it exits).
    let mut wcpu = [0.0f64; 2];
    let mut done = Instant::now();
    let mut last = 0i64;
    loop {
        for (k, w) in workers.iter().enumerate() {
            let c = cpu_of(w.id());
            if c > 0.0 {
                wcpu[k] = c;
            }
        }
        let stored: i64 = c
            .query_one(&format!("SELECT COUNT(*) FROM {schema}.filings"), &[])
            .unwrap()
            .get(0);
        if stored != last {
            last = stored;
            done = Instant::now();
        }
        if workers
            .iter()
            .all(|w| !std::path::Path::new(&format!("/proc/{}", w.id())).exists())
            || done.elapsed() > Duration::from_secs(30)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let wall = (done - t1).as_secs_f64();
    let pg = postgres_cpu() - pg0;
    let nats_cpu = cpu_of(nats.id());
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let stored = last as f64;
    eprintln!(
        "workers (2) → PostgreSQL: {stored} filing versions in {wall:.1} s = {:.0} filings/s",
        stored / wall
    );
    let per = |cpu: f64| cpu / stored * 1000.0;
    eprintln!(
        "CPU s per 1,000 filings: intake {:.2}, NATS {:.2} (intake side {:.2}), workers {:.2} + {:.2}, PostgreSQL (all backends) {:.2}",
        intake_cpu / report.queued as f64 * 1000.0,
        per(nats_cpu),
        nats_after_intake / report.queued as f64 * 1000.0,
        per(wcpu[0]),
        per(wcpu[1]),
        per(pg)
    );
    let _ = nats.kill();
    let _ = nats.wait();
    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}
