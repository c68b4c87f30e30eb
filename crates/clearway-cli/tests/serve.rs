//! `clearway serve`, `users` and `audit` through the built binary: a server killed with SIGKILL in the
//! middle of POSTs loses nothing it acknowledged; SIGTERM finishes the request in flight; users and
//! tokens from the shell work against the server; `audit verify` names a tampered entry. On SQLite,
//! and on PostgreSQL (a fresh database per test) when `CLEARWAY_TEST_PG` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clearway");

/// Store URLs to run on: a SQLite file, and a fresh PostgreSQL database when configured.
fn stores(dir: &std::path::Path, tag: &str) -> Vec<String> {
    let mut v = vec![dir.join(format!("{tag}.db")).display().to_string()];
    if let Ok(pg) = std::env::var("CLEARWAY_TEST_PG")
        && !pg.is_empty()
    {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "cw_serve_{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut c =
            postgres::Client::connect(&pg, postgres::NoTls).expect("connect CLEARWAY_TEST_PG");
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop database");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        v.push(format!("{pg} dbname={name}"));
    }
    v
}

fn clearway(db: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("CLEARWAY_DB", db)
        .env("CLEARWAY_PASSWORD", "correct horse battery")
        .output()
        .expect("run clearway");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A partner's bearer token, made with `clearway users`.
fn partner_token(db: &str) -> String {
    let (code, _, err) = clearway(
        db,
        &["users", "add", "feed", "--role", "partner", "--no-password"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = clearway(db, &["users", "token", "feed", "--days", "1"]);
    assert_eq!(code, 0, "{err}");
    out.trim().to_owned()
}

struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

fn start(db: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("CLEARWAY_DB", db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clearway serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 || Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not start: {line}");
        }
        if let Some(rest) = line.trim().strip_prefix("clearway: listening on http://") {
            break rest.parse().expect("address");
        }
    };
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = lines.read_to_string(&mut rest);
        sink.lock().unwrap().push_str(&rest);
    });
    Server {
        child,
        addr,
        stderr,
    }
}

/// A minimal HTTP/1.1 exchange (Connection: close): status and body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    read_response(s)
}

fn read_response(mut s: TcpStream) -> std::io::Result<(u16, String)> {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    // Chunked bodies (no Content-Length) are de-chunked crudely: JSON starts at the first '{'.
    let body = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if b > a && !body.starts_with('{') => body[a..=b].to_owned(),
        _ => body,
    };
    Ok((status, body))
}

fn jsonl(n: usize, seed: u64) -> String {
    clearway_synth::Generator::new(clearway_synth::Config::new(n, seed))
        .map(|f| clearway_synth::to_jsonl(&f) + "\n")
        .collect()
}

#[test]
fn sigkill_during_posts_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    for db in stores(dir.path(), "kill") {
        let token = partner_token(&db);
        let server = start(&db, &["--batch", "50"]);
        let addr = server.addr;
        let acked: Arc<Mutex<Vec<(String, u32, String)>>> = Arc::new(Mutex::new(Vec::new()));
        let sink = acked.clone();
        let poster = std::thread::spawn(move || {
            for seed in 1000.. {
                let body = jsonl(200, seed);
                let Ok((status, text)) = http(
                    addr,
                    "POST",
                    "/v1/filings",
                    &token,
                    "application/x-ndjson",
                    body.as_bytes(),
                ) else {
                    break;
                };
                if status != 200 {
                    break;
                }
                let v: serde_json::Value = serde_json::from_str(&text).expect("JSON answer");
                let mut a = sink.lock().unwrap();
                for item in v["items"].as_array().unwrap() {
                    let d = &item["decision"];
                    a.push((
                        d["filing_id"].as_str().unwrap().to_owned(),
                        d["version"].as_u64().unwrap() as u32,
                        d["lane"].as_str().unwrap().to_owned(),
                    ));
                }
                if seed > 1200 {
                    break;
                }
            }
        });
        // Let a few requests complete, then kill while the next is in flight.
        let deadline = Instant::now() + Duration::from_secs(120);
        while acked.lock().unwrap().len() < 600 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(150));
        let mut child = server.child;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        poster.join().unwrap();
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() >= 600,
            "acknowledged {} before the kill",
            acked.len()
        );
        let mut store = clearway_service::open_store(&db).unwrap();
        for (id, version, lane) in &acked {
            let d = store
                .decision(id, *version)
                .unwrap()
                .unwrap_or_else(|| panic!("{db}: acknowledged {id} v{version} is not stored"));
            assert_eq!(d.lane.as_str(), lane);
        }
        // The store is whole: the audit chain verifies.
        let v = clearway_store::audit::verify(store.as_mut()).unwrap();
        assert!(v.ok, "{v:?}");
    }
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    for db in stores(dir.path(), "term") {
        let token = partner_token(&db);
        let mut server = start(&db, &[]);
        let body = jsonl(300, 77);
        let (head, tail) = body.as_bytes().split_at(body.len() / 2);
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        write!(s, "POST /v1/filings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
        s.write_all(head).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let pid = server.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        std::thread::sleep(Duration::from_millis(300));
        s.write_all(tail).unwrap();
        let (status, text) = read_response(s).unwrap();
        assert_eq!(status, 200, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["decisions"], 300);
        let code = server.child.wait().unwrap();
        assert!(
            code.success(),
            "exit {code:?}; stderr: {}",
            server.stderr.lock().unwrap()
        );
        let mut store = clearway_service::open_store(&db).unwrap();
        assert_eq!(store.stats().unwrap().versions, 300);
    }
}

#[test]
fn users_tokens_and_audit_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    for db in stores(dir.path(), "admin") {
        let token = partner_token(&db);
        let (code, _, err) = clearway(
            &db,
            &[
                "users", "add", "olga", "--role", "officer", "--office", "YYZ",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = clearway(
            &db,
            &["users", "add", "bad", "--role", "pilot", "--no-password"],
        );
        assert_ne!(code, 0);
        assert!(err.contains("--role pilot"), "{err}");
        let (code, olga, err) = clearway(&db, &["users", "token", "olga"]);
        assert_eq!(code, 0, "{err}");
        let olga = olga.trim().to_owned();
        let mut server = start(&db, &[]);
        let (status, _) = http(
            server.addr,
            "POST",
            "/v1/filings",
            &token,
            "application/x-ndjson",
            jsonl(3, 5).as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 200);
        let id = clearway_synth::Generator::new(clearway_synth::Config::new(3, 5))
            .next()
            .unwrap()
            .id;
        let (status, text) = http(
            server.addr,
            "GET",
            &format!("/v1/filings/{id}"),
            &olga,
            "application/json",
            b"",
        )
        .unwrap();
        assert_eq!(status, 200, "{text}");
        // The partner may not read decisions.
        let (status, _) = http(
            server.addr,
            "GET",
            &format!("/v1/filings/{id}"),
            &token,
            "application/json",
            b"",
        )
        .unwrap();
        assert_eq!(status, 403);
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        // Who looked at this shipment.
        let (code, out, err) = clearway(&db, &["audit", "show", "--record", &id]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("olga") && out.contains("filing.read"), "{out}");
        let (code, out, _) = clearway(&db, &["audit", "verify"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("intact"), "{out}");
        // Disabled in the shell: the token stops working at the next start.
        let (code, _, err) = clearway(&db, &["users", "disable", "olga"]);
        assert_eq!(code, 0, "{err}");
        let mut server = start(&db, &[]);
        let (status, _) = http(
            server.addr,
            "GET",
            &format!("/v1/filings/{id}"),
            &olga,
            "application/json",
            b"",
        )
        .unwrap();
        assert_eq!(status, 401);
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        // Tampering: edit one entry's actor in SQLite; verify names it.
        if !db.contains("dbname=") {
            let c = rusqlite_like_edit(&db);
            let (code, out, _) = clearway(&db, &["audit", "verify"]);
            assert_eq!(code, 1, "{out}");
            assert!(out.contains(&format!("entry {c}")), "{out}");
        }
    }
}

/// Edit the actor of audit entry 2 directly in the SQLite file; returns the entry's number.
fn rusqlite_like_edit(db: &str) -> u64 {
    let c = rusqlite::Connection::open(db).unwrap();
    assert_eq!(
        c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2", [])
            .unwrap(),
        1
    );
    2
}
