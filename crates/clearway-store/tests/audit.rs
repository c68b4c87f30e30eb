//! Tampering with the audit log behind the store's back — deleting, editing and reordering rows directly
//! in SQLite and PostgreSQL — and `audit::verify` naming the first broken entry; concurrent appends on
//! PostgreSQL still make one gapless chain. PostgreSQL runs when `CLEARWAY_TEST_PG` names a database.

mod common;

use chrono::{Duration, TimeZone, Utc};
use clearway_store::audit::{Broken, verify};
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{AuditEvent, AuditStore, Store};
use common::PgTestDb;

fn event(n: u32) -> AuditEvent {
    AuditEvent {
        at: Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap() + Duration::nanoseconds(i64::from(n) * 1_000_000_007),
        actor: format!("officer{}", n % 2),
        role: "officer".into(),
        action: "filing.read".into(),
        record: Some(format!("F{n}")),
        detail: serde_json::json!({"n": n}),
        from: Some("203.0.113.9".into()),
    }
}

/// Append entries 1..=5 and check the chain holds.
fn five(s: &mut dyn Store) {
    for n in 1..=5 {
        assert_eq!(s.append_audit(&event(n)).unwrap().seq, u64::from(n));
    }
    let v = verify(s).unwrap();
    assert!(v.ok && v.entries == 5 && v.first_broken.is_none(), "{v:?}");
}

fn broken(s: &mut dyn Store) -> (u64, Broken) {
    let v = verify(s).unwrap();
    assert!(!v.ok, "{v:?}");
    (v.entries, v.first_broken.expect("a broken entry"))
}

/// Every tampering, each on a fresh log: `open` makes a fresh store, `sql` runs SQL on its database
/// behind its back.
fn tamper_cases(open: &mut dyn FnMut() -> Box<dyn Store>, sql: &mut dyn FnMut(&mut dyn Store, &str)) {
    // A deleted row: its seq is named as missing.
    let mut s = open();
    five(&mut *s);
    sql(&mut *s, "DELETE FROM audit WHERE seq = 3");
    let (n, b) = broken(&mut *s);
    assert_eq!((n, b.seq), (4, 3), "{b:?}");
    assert!(b.reason.contains("missing"), "{b:?}");

    // The first row deleted.
    let mut s = open();
    five(&mut *s);
    sql(&mut *s, "DELETE FROM audit WHERE seq = 1");
    assert_eq!(broken(&mut *s).1.seq, 1);

    // An edited row (every column that is hashed).
    for edit in [
        "actor = 'mallory'",
        "role = 'admin'",
        "action = 'assign'",
        "record = NULL",
        "detail = '{\"n\":99}'",
        "from_addr = '10.0.0.1'",
        "at = '2026-11-28T10:00:02.000000015Z'",
    ] {
        let mut s = open();
        five(&mut *s);
        sql(&mut *s, &format!("UPDATE audit SET {edit} WHERE seq = 2"));
        let (n, b) = broken(&mut *s);
        assert_eq!((n, b.seq), (5, 2), "{edit}: {b:?}");
        assert!(b.reason.contains("edited"), "{edit}: {b:?}");
    }

    // An edited row whose own hash was recomputed: the next entry no longer chains to it.
    let mut s = open();
    five(&mut *s);
    let mut forged = event(2);
    forged.actor = "mallory".into();
    let prev = s.audit(&clearway_store::AuditFilter { before_seq: Some(2), limit: Some(1), ..Default::default() }).unwrap()[0].hash.clone();
    let hash = clearway_store::audit::entry_hash(&prev, 2, &forged);
    sql(&mut *s, &format!("UPDATE audit SET actor = 'mallory', hash = '{hash}' WHERE seq = 2"));
    let (_, b) = broken(&mut *s);
    assert_eq!(b.seq, 3, "{b:?}");
    assert!(b.reason.contains("previous hash"), "{b:?}");

    // Two rows swapped (their seqs exchanged): the first of them is named.
    let mut s = open();
    five(&mut *s);
    sql(&mut *s, "UPDATE audit SET seq = -1 WHERE seq = 2");
    sql(&mut *s, "UPDATE audit SET seq = 2 WHERE seq = 4");
    sql(&mut *s, "UPDATE audit SET seq = 4 WHERE seq = -1");
    let (n, b) = broken(&mut *s);
    assert_eq!((n, b.seq), (5, 2), "{b:?}");

    // The last rows cut off: the next append continues from the stored head, so the cut shows as a gap.
    let mut s = open();
    five(&mut *s);
    sql(&mut *s, "DELETE FROM audit WHERE seq >= 4");
    assert!(verify(&mut *s).unwrap().ok, "a cut end alone is not visible in the chain");
    assert_eq!(s.append_audit(&event(6)).unwrap().seq, 6);
    let (_, b) = broken(&mut *s);
    assert_eq!(b.seq, 4, "{b:?}");
    assert!(b.reason.contains("entries 4 to 5 are missing"), "{b:?}");
}

#[test]
fn sqlite_tampering_is_found() {
    let dir = tempfile::tempdir().unwrap();
    // The file of the store opened last: `sql` changes that one.
    let current = std::cell::RefCell::new(std::path::PathBuf::new());
    let mut n = 0;
    let mut open = || {
        n += 1;
        *current.borrow_mut() = dir.path().join(format!("clearway-{n}.db"));
        Box::new(SqliteStore::open(&current.borrow()).unwrap()) as Box<dyn Store>
    };
    let mut sql = |_: &mut dyn Store, q: &str| rusqlite::Connection::open(&*current.borrow()).unwrap().execute_batch(q).unwrap();
    tamper_cases(&mut open, &mut sql);
}

#[test]
fn postgres_tampering_is_found() {
    let Some(db) = PgTestDb::new() else { return };
    // One schema per case (the store's tables live in its schema).
    let dbs = std::cell::RefCell::new(Vec::<PgTestDb>::new());
    let mut open = || {
        let d = PgTestDb::new().unwrap();
        let s = Box::new(PgStore::connect_with_schema(&d.url, &d.schema).unwrap()) as Box<dyn Store>;
        dbs.borrow_mut().push(d);
        s
    };
    let mut client = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    let mut sql = |_: &mut dyn Store, q: &str| {
        let schema = dbs.borrow().last().unwrap().schema.clone();
        client.batch_execute(&format!("SET search_path TO \"{schema}\"; {q}")).unwrap();
    };
    tamper_cases(&mut open, &mut sql);
}

/// Several connections appending at once: every append gets its own seq, with no gap, and the chain
/// verifies.
#[test]
fn postgres_concurrent_appends_make_one_chain() {
    let Some(db) = PgTestDb::new() else { return };
    const THREADS: u32 = 6;
    const EACH: u32 = 40;
    // Create the tables first, so the threads race on appends, not on creation (that is covered too:
    // the first use on each connection runs the DDL under an advisory lock).
    PgStore::connect_with_schema(&db.url, &db.schema).unwrap().scan_audit(&mut |_| ()).unwrap();
    let seqs: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (url, schema) = (db.url.clone(), db.schema.clone());
                scope.spawn(move || {
                    let mut s = PgStore::connect_with_schema(&url, &schema).unwrap();
                    (0..EACH).map(|i| s.append_audit(&event(t * 1000 + i)).unwrap().seq).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<u64> = seqs.into_iter().flatten().collect();
    all.sort_unstable();
    assert_eq!(all, (1..=u64::from(THREADS * EACH)).collect::<Vec<_>>(), "gapless, each seq once");
    let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    let v = verify(&mut s).unwrap();
    assert!(v.ok && v.entries == u64::from(THREADS * EACH), "{v:?}");
}

/// The same on SQLite: several connections to one file (the IMMEDIATE transaction serialises them).
#[test]
fn sqlite_concurrent_appends_make_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    SqliteStore::open(&path).unwrap().scan_audit(&mut |_| ()).unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let path = path.clone();
            scope.spawn(move || {
                let mut s = SqliteStore::open(&path).unwrap();
                for i in 0..25 {
                    s.append_audit(&event(t * 1000 + i)).unwrap();
                }
            });
        }
    });
    let v = verify(&mut SqliteStore::open(&path).unwrap()).unwrap();
    assert!(v.ok && v.entries == 100, "{v:?}");
}
