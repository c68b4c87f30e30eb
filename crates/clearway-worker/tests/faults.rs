//! Fault tests: each starts its own `nats-server -js` (Debian package `nats-server`) on a free port and
//! works in its own PostgreSQL schema (`CLEARWAY_TEST_PG`, e.g. `host=127.0.0.1 user=postgres
//! dbname=test`); worker processes are the crate's `clearway-worker` binary. Each test skips, saying
//! why, when the server or the database is absent.
//!
//! | test | fault | expected |
//! |---|---|---|
//! | `sigkill_mid_batch_redelivers` | SIGKILL a worker while it works | another worker gets its messages; every filing version stored once, stream empty |
//! | `nats_restart_resumes` | restart the NATS server under a running worker | intake and worker resume; nothing lost |
//! | `postgres_away_retries` | the worker's database connection cut for 10 s | the worker retries and resumes; nothing lost |
//! | `poison_is_dead_lettered` | undecodable messages among good ones | dead-lettered after N deliveries with their reason, the rest stored |
//! | `two_workers_same_version` | the same filing versions queued twice, two workers | one decision per version stands; the other copy is a duplicate |
//! | `configuration_rollout` | a configuration set published while workers run | workers switch at a batch boundary; heartbeats name the set and hash |

use async_nats::jetstream;
use clearway_service::ingest::Input;
use clearway_store::Store;
use clearway_worker::intake::{PublishOptions, publish};
use clearway_worker::topology::{STREAM, Topology, subject};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The fault tests each start a NATS server and worker processes: on a small machine they run one at a
/// time, or their timing limits measure each other's load.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private `nats-server -js`.
struct Nats {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nats {
    fn start() -> Option<Nats> {
        if Command::new("nats-server")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipping: nats-server not found (apt-get install -y nats-server)");
            return None;
        }
        let mut n = Nats {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
        };
        n.spawn();
        Some(n)
    }
    fn spawn(&mut self) {
        let child = Command::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A schema of its own in the test database, dropped at the end.
struct Pg {
    base: String,
    schema: String,
}

impl Pg {
    fn new(tag: &str) -> Option<Pg> {
        let Ok(base) = std::env::var("CLEARWAY_TEST_PG") else {
            eprintln!(
                "skipping: CLEARWAY_TEST_PG not set (e.g. host=127.0.0.1 user=postgres dbname=test)"
            );
            return None;
        };
        let schema = format!("cw_worker_{tag}_{}", std::process::id());
        let mut c = postgres::Client::connect(&base, postgres::NoTls)
            .ok()
            .or_else(|| {
                eprintln!("skipping: PostgreSQL not reachable at {base}");
                None
            })?;
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
        Some(Pg { base, schema })
    }
    /// The URL of the schema, through `host:port` when given (a proxy).
    fn url_via(&self, port: Option<u16>) -> String {
        let mut u = format!("{} options='-c search_path={}'", self.base, self.schema);
        if let Some(p) = port {
            u = u
                .split_whitespace()
                .filter(|kv| !kv.starts_with("port="))
                .collect::<Vec<_>>()
                .join(" ")
                + &format!(" port={p}");
            u = u.replace("host=localhost", "host=127.0.0.1");
        }
        u
    }
    fn url(&self) -> String {
        self.url_via(None)
    }
    fn store(&self) -> Box<dyn Store> {
        clearway_service::open_store(&self.url()).unwrap()
    }
    fn count(&self, table: &str) -> i64 {
        let mut c = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
        c.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .unwrap()
            .get(0)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// Synthetic filings as JSON Lines, and the distinct `(id, version)` pairs among them.
fn filings(dir: &Path, n: usize, seed: u64) -> (PathBuf, HashSet<(String, u32)>) {
    let cfg = clearway_synth::Config {
        count: n,
        seed,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 1,
    };
    let path = dir.join(format!("f{seed}.jsonl"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut keys = HashSet::new();
    for f in clearway_synth::Generator::new(cfg) {
        keys.insert((f.id.clone(), f.version));
        serde_json::to_writer(&mut out, &f).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    (path, keys)
}

fn topology() -> Topology {
    Topology {
        partitions: 4,
        max_ack_pending: 200,
        ack_wait: Duration::from_secs(2),
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Publish files through the library (as `clearway publish` does).
fn publish_files(rt: &tokio::runtime::Runtime, nats: &str, pg: &Pg, files: &[&Path]) -> u64 {
    let inputs = files
        .iter()
        .map(|p| Input {
            name: p.display().to_string(),
            source: Box::new(std::fs::File::open(p).unwrap()),
        })
        .collect();
    let mut store = pg.store();
    rt.block_on(async {
        let client = clearway_worker::connect(nats).await.unwrap();
        let js = jetstream::new(client.clone());
        let opts = PublishOptions {
            topology: topology(),
            ..Default::default()
        };
        let r = publish(&js, inputs, store.as_mut(), &opts, &mut |_| {})
            .await
            .unwrap();
        client.flush().await.unwrap();
        r.queued
    })
}

/// A worker process, killed if the test ends without stopping it.
struct Worker(Option<Child>);

impl Worker {
    fn id(&self) -> u32 {
        self.0.as_ref().unwrap().id()
    }
    fn take(mut self) -> Child {
        self.0.take().unwrap()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn worker(nats: &str, db: &str, id: &str, extra: &[&str]) -> Worker {
    let t = topology();
    Worker(Some(
        Command::new(env!("CARGO_BIN_EXE_clearway-worker"))
            .args(["--nats", nats, "--db", db, "--id", id, "--batch", "200"])
            .args(["--partitions", &t.partitions.to_string()])
            .args(["--max-ack-pending", &t.max_ack_pending.to_string()])
            .args(["--ack-wait-ms", &t.ack_wait.as_millis().to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    ))
}

/// SIGTERM a worker and read its report.
fn stop(w: Worker) -> serde_json::Value {
    let mut w = w.take();
    unsafe_kill(w.id(), "TERM");
    let out = wait_timeout(&mut w, Duration::from_secs(60));
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("report {out:?}: {e}"))
}

fn unsafe_kill(pid: u32, sig: &str) {
    Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
}

fn wait_timeout(w: &mut Child, limit: Duration) -> String {
    let t = Instant::now();
    loop {
        if let Some(_s) = w.try_wait().unwrap() {
            let mut s = String::new();
            w.stdout.take().unwrap().read_to_string(&mut s).unwrap();
            return s;
        }
        assert!(t.elapsed() < limit, "worker did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Wait until the store holds `n` filing versions.
fn wait_stored(pg: &Pg, n: usize, limit: Duration) {
    let t = Instant::now();
    loop {
        let got = pg.count("filings") as usize;
        if got >= n {
            return;
        }
        assert!(
            t.elapsed() < limit,
            "only {got} of {n} filing versions stored after {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stream_messages(rt: &tokio::runtime::Runtime, nats: &str, name: &str) -> u64 {
    rt.block_on(async {
        let js = jetstream::new(clearway_worker::connect(nats).await.unwrap());
        let mut s = js.get_stream(name).await.unwrap();
        s.info().await.unwrap().state.messages
    })
}

/// Every distinct version stored once, with one decision, and nothing left on the stream.
fn check_complete(
    rt: &tokio::runtime::Runtime,
    nats: &str,
    pg: &Pg,
    keys: &HashSet<(String, u32)>,
) {
    assert_eq!(pg.count("filings") as usize, keys.len());
    assert_eq!(pg.count("decisions") as usize, keys.len());
    let mut store = pg.store();
    for (id, v) in keys.iter().take(50) {
        assert!(store.decision(id, *v).unwrap().is_some(), "{id} v{v}");
    }
    // Acknowledgements may trail the commit a little.
    let t = Instant::now();
    loop {
        let (pending, on_stream) = unfinished(rt, nats);
        if pending == 0 {
            if on_stream != 0 {
                // After a hard server kill, NATS 2.9 can keep messages its consumer already counts as
                // acknowledged (the work-queue removal was not synced): nothing is waiting for a worker.
                eprintln!("note: {on_stream} acknowledged messages still on the stream");
            }
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{pending} messages not acknowledged"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Messages the partition consumers still have to deliver or see acknowledged, and messages on the stream.
fn unfinished(rt: &tokio::runtime::Runtime, nats: &str) -> (u64, u64) {
    rt.block_on(async {
        let js = jetstream::new(clearway_worker::connect(nats).await.unwrap());
        let mut s = js.get_stream(STREAM).await.unwrap();
        let on_stream = s.info().await.unwrap().state.messages;
        let mut pending = 0;
        for p in 0..topology().partitions {
            let name = clearway_worker::topology::consumer_name(p);
            let i = s.consumer_info(&name).await.unwrap();
            pending += i.num_pending + i.num_ack_pending as u64;
        }
        (pending, on_stream)
    })
}

#[test]
fn sigkill_mid_batch_redelivers() {
    let _serial = serial();
    let (Some(nats), Some(pg)) = (Nats::start(), Pg::new("kill")) else {
        return;
    };
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let (file, keys) = filings(dir.path(), 6000, 11);
    publish_files(&rt, &nats.url(), &pg, &[&file]);
    let a = worker(&nats.url(), &pg.url(), "a", &[]);
    // Let it commit some batches, then kill it while it works.
    wait_stored(&pg, 600, Duration::from_secs(120));
    unsafe_kill(a.id(), "KILL");
    let _ = a.take().wait();
    let after_kill = pg.count("filings") as usize;
    assert!(
        after_kill < keys.len(),
        "worker a finished before it was killed"
    );
    let b = worker(
        &nats.url(),
        &pg.url(),
        "b",
        &["--exit-when-idle-ms", "4000"],
    );
    wait_stored(&pg, keys.len(), Duration::from_secs(300));
    let mut b = b.take();
    let out = wait_timeout(&mut b, Duration::from_secs(60));
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    check_complete(&rt, &nats.url(), &pg, &keys);
    eprintln!("after kill: {after_kill} stored; worker b: {r}");
    assert!(r["stored"].as_u64().unwrap() as usize >= keys.len() - after_kill);
}

#[test]
fn nats_restart_resumes() {
    let _serial = serial();
    let (Some(mut nats), Some(pg)) = (Nats::start(), Pg::new("restart")) else {
        return;
    };
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let (f1, k1) = filings(dir.path(), 2000, 21);
    let (f2, k2) = filings(dir.path(), 2000, 22);
    let w = worker(&nats.url(), &pg.url(), "w", &[]);
    publish_files(&rt, &nats.url(), &pg, &[&f1]);
    wait_stored(&pg, k1.len() / 2, Duration::from_secs(120));
    nats.stop();
    std::thread::sleep(Duration::from_secs(2));
    nats.spawn();
    publish_files(&rt, &nats.url(), &pg, &[&f2]);
    let all: HashSet<_> = k1.union(&k2).cloned().collect();
    wait_stored(&pg, all.len(), Duration::from_secs(180));
    check_complete(&rt, &nats.url(), &pg, &all);
    let r = stop(w);
    eprintln!("worker: {r}");
}

/// A TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones refused).
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    epoch: Arc<AtomicU64>,
}

impl Proxy {
    fn start(target: (String, u16)) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let epoch = Arc::new(AtomicU64::new(0));
        let (u, e) = (up.clone(), epoch.clone());
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                if !u.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let Ok(s) = TcpStream::connect((target.0.as_str(), target.1)) else {
                    continue;
                };
                let my = e.load(Ordering::SeqCst);
                for (mut from, mut to) in [(c.try_clone().unwrap(), s.try_clone().unwrap()), (s, c)]
                {
                    let e = e.clone();
                    std::thread::spawn(move || {
                        from.set_read_timeout(Some(Duration::from_millis(200)))
                            .unwrap();
                        let mut buf = [0u8; 16384];
                        loop {
                            if e.load(Ordering::SeqCst) != my {
                                break;
                            }
                            match from.read(&mut buf) {
                                Ok(0) => break,
                                Ok(n) => {
                                    if to.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                                Err(x)
                                    if matches!(
                                        x.kind(),
                                        std::io::ErrorKind::WouldBlock
                                            | std::io::ErrorKind::TimedOut
                                    ) => {}
                                Err(_) => break,
                            }
                        }
                        let _ = from.shutdown(std::net::Shutdown::Both);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, up, epoch }
    }
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pg_host_port(base: &str) -> (String, u16) {
    let mut host = "127.0.0.1".to_string();
    let mut port = 5432;
    for kv in base.split_whitespace() {
        if let Some(h) = kv.strip_prefix("host=") {
            host = h.to_string();
        }
        if let Some(p) = kv.strip_prefix("port=") {
            port = p.parse().unwrap();
        }
    }
    (host, port)
}

#[test]
fn postgres_away_retries() {
    let _serial = serial();
    let (Some(nats), Some(pg)) = (Nats::start(), Pg::new("pgaway")) else {
        return;
    };
    if !pg.base.contains("host=") {
        eprintln!("skipping: CLEARWAY_TEST_PG is not of the host=... form");
        return;
    }
    let rt = rt();
    let proxy = Proxy::start(pg_host_port(&pg.base));
    let dir = tempfile::tempdir().unwrap();
    let (file, keys) = filings(dir.path(), 4000, 31);
    let w = worker(&nats.url(), &pg.url_via(Some(proxy.port)), "w", &[]);
    publish_files(&rt, &nats.url(), &pg, &[&file]);
    wait_stored(&pg, 400, Duration::from_secs(120));
    proxy.cut();
    let during = pg.count("filings");
    std::thread::sleep(Duration::from_secs(10));
    assert!(
        pg.count("filings") - during <= 200,
        "stored while the database was away"
    );
    proxy.restore();
    wait_stored(&pg, keys.len(), Duration::from_secs(180));
    check_complete(&rt, &nats.url(), &pg, &keys);
    let r = stop(w);
    eprintln!("worker: {r}");
    assert!(r["store_retries"].as_u64().unwrap() >= 1, "{r}");
}

#[test]
fn poison_is_dead_lettered() {
    let _serial = serial();
    let (Some(nats), Some(pg)) = (Nats::start(), Pg::new("poison")) else {
        return;
    };
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let (file, keys) = filings(dir.path(), 1000, 41);
    publish_files(&rt, &nats.url(), &pg, &[&file]);
    rt.block_on(async {
        let js = jetstream::new(clearway_worker::connect(&nats.url()).await.unwrap());
        for (i, body) in [&b"garbage"[..], b"\0\0\0\x05{\"x\"}", b"\0\0\0\x02{}{}"]
            .iter()
            .enumerate()
        {
            js.publish(subject(i as u32), body.to_vec().into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    });
    let w = worker(&nats.url(), &pg.url(), "w", &["--max-deliver", "3"]);
    wait_stored(&pg, keys.len(), Duration::from_secs(120));
    let t = Instant::now();
    while stream_messages(&rt, &nats.url(), clearway_worker::topology::DEAD_STREAM) < 3 {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "poison not dead-lettered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    check_complete(&rt, &nats.url(), &pg, &keys);
    let dead = rt.block_on(async {
        let js = jetstream::new(clearway_worker::connect(&nats.url()).await.unwrap());
        clearway_worker::status::dead_letters(&js, 10)
            .await
            .unwrap()
    });
    assert_eq!(dead.len(), 3);
    for d in &dead {
        assert!(
            d.reason.as_deref().unwrap_or("").contains("undecodable"),
            "{d:?}"
        );
        assert_eq!(d.deliveries.as_deref(), Some("3"));
    }
    let r = stop(w);
    assert_eq!(r["dead_letters"], 3, "{r}");
}

#[test]
fn two_workers_same_version() {
    let _serial = serial();
    let (Some(nats), Some(pg)) = (Nats::start(), Pg::new("twice")) else {
        return;
    };
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let (file, keys) = filings(dir.path(), 800, 51);
    // The same filing versions again, with other raw bytes (so JetStream does not drop them as copies).
    let copy = dir.path().join("copy.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &copy,
        text.lines()
            .map(|l| {
                // Through `Value`: the same filing with its keys in another order.
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                format!("{v}\n")
            })
            .collect::<String>(),
    )
    .unwrap();
    publish_files(&rt, &nats.url(), &pg, &[&file, &copy]);
    let a = worker(&nats.url(), &pg.url(), "a", &[]);
    let b = worker(&nats.url(), &pg.url(), "b", &[]);
    wait_stored(&pg, keys.len(), Duration::from_secs(180));
    check_complete(&rt, &nats.url(), &pg, &keys);
    let (ra, rb) = (stop(a), stop(b));
    eprintln!("a: {ra}\nb: {rb}");
    let n = |k: &str| ra[k].as_u64().unwrap() + rb[k].as_u64().unwrap();
    assert_eq!(n("stored") as usize, keys.len());
    // Every copy was processed: the second of each pair found the first decision standing (a message
    // redelivered because its batch outlived `ack_wait` counts once more as a duplicate).
    let lines = text.lines().count() as u64;
    assert!(
        n("stored") + n("duplicates") >= 2 * lines,
        "a: {ra} b: {rb}"
    );
    assert!(n("duplicates") >= 2 * lines - keys.len() as u64);
}

#[test]
fn configuration_rollout() {
    let _serial = serial();
    let (Some(nats), Some(pg)) = (Nats::start(), Pg::new("config")) else {
        return;
    };
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let w = worker(&nats.url(), &pg.url(), "w", &[]);
    let (f1, k1) = filings(dir.path(), 500, 61);
    publish_files(&rt, &nats.url(), &pg, &[&f1]);
    wait_stored(&pg, k1.len(), Duration::from_secs(120));
    // A new engine configuration: another yellow threshold changes the pipeline's hash.
    let cfg = dir.path().join("engine.json");
    let mut c = serde_json::to_value(clearway_engine::Config::default()).unwrap();
    c["yellow_at"] = serde_json::json!(c["yellow_at"].as_f64().unwrap() + 0.5);
    std::fs::write(&cfg, serde_json::to_vec(&c).unwrap()).unwrap();
    let opts = clearway_service::PipelineOptions {
        config: Some(cfg),
        ..Default::default()
    };
    let set = clearway_worker::config::ConfigSet::pack(&opts).unwrap();
    let (ptr, _) = rt.block_on(async {
        let js = jetstream::new(clearway_worker::connect(&nats.url()).await.unwrap());
        clearway_worker::config::publish(&js, &set).await.unwrap()
    });
    std::thread::sleep(Duration::from_secs(1));
    let (f2, k2) = filings(dir.path(), 500, 62);
    publish_files(&rt, &nats.url(), &pg, &[&f2]);
    let all: HashSet<_> = k1.union(&k2).cloned().collect();
    wait_stored(&pg, all.len(), Duration::from_secs(120));
    let hashes: Vec<String> = {
        let mut c = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
        c.query("SELECT DISTINCT config_hash FROM decisions", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    assert_eq!(
        hashes.len(),
        2,
        "decisions before and after the switch: {hashes:?}"
    );
    // The heartbeat names the set and the new pipeline hash.
    let t = Instant::now();
    loop {
        let st = rt.block_on(async {
            let js = jetstream::new(clearway_worker::connect(&nats.url()).await.unwrap());
            clearway_worker::status::status(&js).await.unwrap()
        });
        let hb = st.workers.iter().find(|h| h.worker == "w");
        if hb.is_some_and(|h| h.config_set == ptr.set && hashes.contains(&h.config_hash)) {
            assert_eq!(st.config.unwrap().set, ptr.set);
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "heartbeat {st:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    stop(w);
}
