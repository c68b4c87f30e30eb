//! The behaviour suite every backend passes: memory, SQLite (file and in-memory) and PostgreSQL
//! (when `CLEARWAY_TEST_PG` names a database). Principal items: the `check_*` functions, run per backend
//! by the `suite!` macro; SQLite- and PostgreSQL-specific tests follow.

mod common;

use chrono::{TimeZone, Utc};
use clearway_core::{FilingStatus, Lane, MembershipStatus};
use clearway_store::memory::MemoryStore;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{BatchItem, FilingStore, Outcome, Stats, Store, content_hash};
use common::*;

fn check_write_and_read_back(s: &mut dyn Store) {
    let items = vec![
        accepted("A", 1, Lane::Green, 0.5, "a1"),
        accepted("B", 1, Lane::Yellow, 12.0, "b1"),
        accepted("A", 2, Lane::Red, 40.0, "a2"),
        rejected("not json", "in.jsonl", 4),
    ];
    let out = s.write_batch(&items).unwrap();
    assert_eq!(out, vec![Outcome::Stored, Outcome::Stored, Outcome::Stored, Outcome::Rejected { new: true }]);

    assert_eq!(s.filing("A", 1).unwrap(), Some(filing("A", 1, "original", "2025-03-01T10:00:00Z")));
    assert_eq!(s.filing("A", 2).unwrap(), Some(filing("A", 2, "amendment", "2025-03-02T10:00:00Z")));
    assert_eq!(s.decision("A", 1).unwrap(), Some(decision("A", 1, Lane::Green, 0.5)));
    assert_eq!(s.decision("B", 1).unwrap(), Some(decision("B", 1, Lane::Yellow, 12.0)));
    assert_eq!(s.latest_decision("A").unwrap(), Some(decision("A", 2, Lane::Red, 40.0)));
    assert_eq!(s.latest_decision("B").unwrap(), Some(decision("B", 1, Lane::Yellow, 12.0)));
    assert_eq!(s.raw_input("A", 2).unwrap(), Some(raw_of("A", 2, "a2")));
    assert_eq!(s.raw_input("B", 1).unwrap(), Some(raw_of("B", 1, "b1")));

    let h = s.history("A").unwrap();
    assert_eq!(h.versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(h.versions[0].status, FilingStatus::Original);
    assert_eq!(h.versions[1].status, FilingStatus::Amendment);
    assert_eq!(h.versions[0].lane, Some(Lane::Green));
    assert_eq!(h.versions[1].lane, Some(Lane::Red));
    assert_eq!(h.versions[1].score, Some(40.0));
    assert_eq!(h.versions[1].filed_at, Some(Utc.with_ymd_and_hms(2025, 3, 2, 10, 0, 0).unwrap()));
    assert_eq!(h.first_filed_at(), Some(Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()));
    let now = Utc::now();
    for v in &h.versions {
        assert!((now - v.stored_at).num_minutes().abs() < 10, "stored_at {} is not now", v.stored_at);
    }

    // Unknown ids and versions.
    assert!(s.history("nope").unwrap().versions.is_empty());
    assert_eq!(s.history("nope").unwrap().first_filed_at(), None);
    assert_eq!(s.filing("A", 3).unwrap(), None);
    assert_eq!(s.filing("nope", 1).unwrap(), None);
    assert_eq!(s.decision("B", 2).unwrap(), None);
    assert_eq!(s.latest_decision("nope").unwrap(), None);
    assert_eq!(s.raw_input("nope", 1).unwrap(), None);

    // A later version stored before an earlier one: history is still oldest first, latest is highest.
    assert_eq!(s.write_batch(&[accepted("C", 3, Lane::Blue, 1.0, "c3")]).unwrap(), vec![Outcome::Stored]);
    assert_eq!(s.write_batch(&[accepted("C", 1, Lane::Green, 0.0, "c1")]).unwrap(), vec![Outcome::Stored]);
    let h = s.history("C").unwrap();
    assert_eq!(h.versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(h.first_filed_at(), Some(Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()));
    assert_eq!(s.latest_decision("C").unwrap(), Some(decision("C", 3, Lane::Blue, 1.0)));

    // An empty batch is fine.
    assert_eq!(s.write_batch(&[]).unwrap(), vec![]);
}

/// Raw input that is exactly the filing's canonical JSON (stored once by the SQL backends) and raw input
/// that is not: both read back as written.
fn check_canonical_raw(s: &mut dyn Store) {
    let items = vec![
        accepted_canonical("K", 1, Lane::Green, ""),
        accepted_canonical("K", 2, Lane::Red, "\n"),
        accepted_canonical("L", 1, Lane::Blue, " "),
    ];
    assert_eq!(s.write_batch(&items).unwrap(), vec![Outcome::Stored; 3]);
    for item in &items {
        let BatchItem::Accepted(a) = item else { unreachable!() };
        assert_eq!(s.filing(&a.filing.id, a.filing.version).unwrap().as_ref(), Some(&a.filing));
        assert_eq!(s.raw_input(&a.filing.id, a.filing.version).unwrap().as_ref(), Some(&a.raw));
        assert_eq!(s.decision(&a.filing.id, a.filing.version).unwrap().as_ref(), Some(&a.decision));
    }
    // A duplicate of a canonical one still returns the decision that stands.
    let out = s.write_batch(&[accepted_canonical("K", 1, Lane::Yellow, "")]).unwrap();
    assert_eq!(out, vec![Outcome::Duplicate(Box::new(decision("K", 1, Lane::Green, 3.0)))]);
}

fn check_duplicates(s: &mut dyn Store) {
    let first = decision("A", 1, Lane::Green, 1.0);
    assert_eq!(s.write_batch(&[accepted("A", 1, Lane::Green, 1.0, "first")]).unwrap(), vec![Outcome::Stored]);

    // Same id and version in a later batch: the first decision stands, nothing is written.
    let out = s.write_batch(&[accepted("A", 1, Lane::Red, 99.0, "second"), accepted("B", 1, Lane::Blue, 2.0, "b")]);
    assert_eq!(out.unwrap(), vec![Outcome::Duplicate(Box::new(first.clone())), Outcome::Stored]);
    assert_eq!(s.decision("A", 1).unwrap(), Some(first.clone()));
    assert_eq!(s.raw_input("A", 1).unwrap(), Some(raw_of("A", 1, "first")));

    // Within one batch: the second is a duplicate of the first one's decision.
    let c_first = decision("C", 1, Lane::Yellow, 5.0);
    let out = s
        .write_batch(&[
            accepted("C", 1, Lane::Yellow, 5.0, "c-first"),
            accepted("D", 1, Lane::Green, 0.0, "d"),
            accepted("C", 1, Lane::Red, 50.0, "c-second"),
            accepted("C", 1, Lane::Blue, 3.0, "c-third"),
        ])
        .unwrap();
    assert_eq!(
        out,
        vec![
            Outcome::Stored,
            Outcome::Stored,
            Outcome::Duplicate(Box::new(c_first.clone())),
            Outcome::Duplicate(Box::new(c_first.clone())),
        ]
    );
    assert_eq!(s.decision("C", 1).unwrap(), Some(c_first));
    assert_eq!(s.raw_input("C", 1).unwrap(), Some(raw_of("C", 1, "c-first")));

    // Repeats within a batch of a version stored earlier: all duplicates of the stored decision.
    let out = s
        .write_batch(&[accepted("A", 1, Lane::Yellow, 7.0, "x"), accepted("A", 1, Lane::Blue, 8.0, "y")])
        .unwrap();
    assert_eq!(out, vec![Outcome::Duplicate(Box::new(first.clone())), Outcome::Duplicate(Box::new(first))]);

    assert_eq!(s.history("A").unwrap().versions.len(), 1);
    assert_eq!(s.history("C").unwrap().versions.len(), 1);
    let st = s.stats().unwrap();
    assert_eq!((st.filings, st.versions, st.decisions), (4, 4, 4));
}

fn check_rejects(s: &mut dyn Store) {
    let out = s
        .write_batch(&[
            rejected("garbage one", "a.jsonl", 1),
            rejected("garbage two", "a.jsonl", 2),
            rejected("garbage one", "a.jsonl", 3),
        ])
        .unwrap();
    assert_eq!(
        out,
        vec![Outcome::Rejected { new: true }, Outcome::Rejected { new: true }, Outcome::Rejected { new: false }]
    );
    let out = s.write_batch(&[rejected("garbage two", "b.jsonl", 9), rejected("garbage three", "b.jsonl", 10)]);
    assert_eq!(out.unwrap(), vec![Outcome::Rejected { new: false }, Outcome::Rejected { new: true }]);

    let rs = s.rejects(10).unwrap();
    assert_eq!(rs.len(), 3);
    // Most recent first; a duplicate keeps the first occurrence's place.
    let raws: Vec<&[u8]> = rs.iter().map(|r| r.raw.as_slice()).collect();
    assert_eq!(raws, vec![&b"garbage three"[..], b"garbage two", b"garbage one"]);
    assert_eq!(rs[1].source, "a.jsonl");
    assert_eq!(rs[1].line, 2);
    assert_eq!(rs[1].hash, content_hash(b"garbage two"));
    match &rejected("garbage two", "a.jsonl", 2) {
        BatchItem::Rejected(r) => assert_eq!(rs[1].diagnostics, r.diagnostics),
        BatchItem::Accepted(_) => unreachable!(),
    }
    assert_eq!(s.rejects(1).unwrap().len(), 1);
    assert_eq!(s.rejects(1).unwrap()[0].raw, b"garbage three");
    assert!(s.rejects(0).unwrap().is_empty());
    assert_eq!(s.stats().unwrap().rejected, 3);
}

fn check_memberships(s: &mut dyn Store) {
    assert!(s.memberships().unwrap().is_empty());
    let n = s
        .upsert_memberships(&[
            membership("PIP", "P-2", "active"),
            membership("CTPAT", "C-1", "active"),
            membership("FAST", "F-9", "active"),
        ])
        .unwrap();
    assert_eq!(n, 3);
    // Replace one; a later entry for the same key in one call replaces an earlier one.
    s.upsert_memberships(&[
        membership("PIP", "P-2", "suspended"),
        membership("FAST", "F-1", "active"),
        membership("FAST", "F-1", "cancelled"),
    ])
    .unwrap();
    let ms = s.memberships().unwrap();
    let keys: Vec<(&str, &str)> = ms.iter().map(|m| (m.program.as_str(), m.member_id.as_str())).collect();
    assert_eq!(keys, vec![("CTPAT", "C-1"), ("FAST", "F-1"), ("FAST", "F-9"), ("PIP", "P-2")]);
    assert_eq!(ms[1].status, MembershipStatus::Cancelled);
    assert_eq!(ms[3], membership("PIP", "P-2", "suspended"));
    assert_eq!(s.upsert_memberships(&[]).unwrap(), 0);
    assert_eq!(s.stats().unwrap().memberships, 4);
}

fn check_stats(s: &mut dyn Store) {
    assert_eq!(s.stats().unwrap(), Stats::default());
    s.write_batch(&[
        accepted("A", 1, Lane::Green, 0.0, "a1"),
        accepted("A", 2, Lane::Red, 30.0, "a2"),
        accepted("B", 1, Lane::Yellow, 10.0, "b1"),
        accepted("C", 2, Lane::Blue, 3.0, "c2"),
        rejected("bad", "x", 1),
    ])
    .unwrap();
    // A lower version arriving later does not change the latest lane; a duplicate changes nothing.
    s.write_batch(&[accepted("C", 1, Lane::Red, 30.0, "c1"), accepted("B", 1, Lane::Red, 30.0, "b1-again")])
        .unwrap();
    s.upsert_memberships(&[membership("CSA", "S-1", "active")]).unwrap();
    let st = s.stats().unwrap();
    let lanes = [("blue", 1), ("red", 1), ("yellow", 1)].into_iter().map(|(l, n)| (l.to_owned(), n)).collect();
    assert_eq!(st, Stats { filings: 3, versions: 5, decisions: 5, lanes, rejected: 1, memberships: 1 });

    // A newer version moves the filing to its lane.
    s.write_batch(&[accepted("B", 3, Lane::Green, 0.0, "b3")]).unwrap();
    let st = s.stats().unwrap();
    assert_eq!(st.lanes.get("yellow"), None);
    assert_eq!(st.lanes.get("green"), Some(&1));
    assert_eq!((st.filings, st.versions), (3, 6));
}

fn check_atomicity(s: &mut dyn Store) {
    s.write_batch(&[accepted("Z", 1, Lane::Green, 0.0, "z")]).unwrap();
    let before = s.stats().unwrap();

    // The third item's decision is not for its filing: the batch fails and none of it is stored.
    let mut bad = accepted("C", 1, Lane::Green, 0.0, "c");
    if let BatchItem::Accepted(a) = &mut bad {
        a.decision.filing_id = "other".to_owned();
    }
    let items = vec![
        accepted("A", 1, Lane::Green, 0.0, "a"),
        rejected("junk", "in", 2),
        accepted("Z", 2, Lane::Red, 30.0, "z2"),
        bad,
        accepted("B", 1, Lane::Green, 0.0, "b"),
    ];
    assert!(s.write_batch(&items).is_err());
    assert_eq!(s.filing("A", 1).unwrap(), None);
    assert_eq!(s.raw_input("A", 1).unwrap(), None);
    assert!(s.history("A").unwrap().versions.is_empty());
    assert_eq!(s.history("Z").unwrap().versions.len(), 1);
    assert_eq!(s.latest_decision("Z").unwrap(), Some(decision("Z", 1, Lane::Green, 0.0)));
    assert!(s.rejects(10).unwrap().is_empty());
    assert_eq!(s.stats().unwrap(), before);

    // The store is still usable, and the items of the failed batch can be written again.
    let out = s.write_batch(&items[..3]).unwrap();
    assert_eq!(out, vec![Outcome::Stored, Outcome::Rejected { new: true }, Outcome::Stored]);
    assert_eq!(s.stats().unwrap().versions, 3);
}

/// The behaviour every backend shares: the memory store, then the durable ones.
macro_rules! suite {
    ($($check:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $( #[test] fn $check() { super::$check(&mut MemoryStore::new()); } )*
        }
        durable_suite!($($check),*);
    };
}

/// Exam results, top-up selections and the decision scan.
fn check_exams(s: &mut dyn Store) {
    use clearway_store::exams::{ExamOutcome, ExamResult, SelectionRecord};
    assert!(s.exam_results().unwrap().is_empty());
    assert!(s.selections().unwrap().is_empty());
    let exam = |id: &str, version: Option<u32>, result, revenue| ExamResult {
        filing_id: id.into(),
        version,
        result,
        severity: Some(3),
        revenue,
        note: Some("x-ray anomaly".into()),
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(),
    };
    let exams = vec![exam("A", Some(2), ExamOutcome::Seizure, Some(1250.5)), exam("B", None, ExamOutcome::NoFinding, None)];
    assert_eq!(s.record_exams(&exams).unwrap(), 2);
    assert_eq!(s.exam_results().unwrap(), exams);
    // A revenue that is not a number is refused and nothing of that call is kept.
    assert!(s.record_exams(&[exam("C", None, ExamOutcome::Finding, None), exam("C", None, ExamOutcome::Finding, Some(f64::NAN))]).is_err());
    assert_eq!(s.exam_results().unwrap().len(), 2);

    let sel = SelectionRecord {
        filing_id: "A".into(),
        version: 1,
        office: "USLAX".into(),
        day: "2025-03-01".parse().unwrap(),
        lane: Lane::Yellow,
        score: 12.0,
        seed: u64::MAX,
        draw: 0.25,
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(),
    };
    // The same filing version and lane is recorded once.
    assert_eq!(s.record_selections(&[sel.clone(), sel.clone()]).unwrap(), 1);
    assert_eq!(s.record_selections(std::slice::from_ref(&sel)).unwrap(), 0);
    assert_eq!(s.selections().unwrap(), vec![sel]);

    s.write_batch(&[accepted("A", 1, Lane::Green, 0.5, "a1"), accepted("A", 2, Lane::Red, 40.0, "a2"), accepted("B", 1, Lane::Yellow, 12.0, "b1")])
        .unwrap();
    let all = s.decisions_filed(None, None).unwrap();
    let mut keys: Vec<(String, u32)> = all.iter().map(|d| (d.filing.id.clone(), d.filing.version)).collect();
    keys.sort();
    assert_eq!(keys, [("A".to_string(), 1), ("A".to_string(), 2), ("B".to_string(), 1)]);
    assert!(all.iter().all(|d| d.decision.filing_id == d.filing.id && d.decision.version == d.filing.version));
    // Version 2 was filed on 2025-03-02 (see `accepted`): a one-day window holds it alone.
    let day2 = s
        .decisions_filed(Some(Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap()), Some(Utc.with_ymd_and_hms(2025, 3, 3, 0, 0, 0).unwrap()))
        .unwrap();
    assert_eq!(day2.len(), 1);
    assert_eq!((day2[0].filing.id.as_str(), day2[0].decision.lane), ("A", Lane::Red));
}


/// The filings `scan_filings` visits, sorted by key, and the count it returned.
fn scanned(s: &mut dyn Store) -> (Vec<clearway_core::Filing>, usize) {
    let mut seen = Vec::new();
    let n = s.scan_filings(&mut |f| seen.push(f.clone())).unwrap();
    seen.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
    (seen, n)
}

/// The streaming filing scan visits every stored filing version once (amendments included; duplicates and
/// rejected inputs are not filings), whether the filing was kept as JSON or parsed back from a canonical
/// raw input, the same filings an unwindowed `decisions_filed` returns; it returns the count.
fn check_scan_filings(s: &mut dyn Store) {
    assert_eq!(scanned(s), (vec![], 0));
    let mut items = vec![
        accepted("A", 1, Lane::Green, 0.5, "a1"),
        accepted("A", 2, Lane::Red, 40.0, "a2"),
        accepted("B", 1, Lane::Yellow, 12.0, "b1"),
        accepted_canonical("K", 1, Lane::Green, ""),
        accepted("A", 1, Lane::Blue, 0.0, "again"),
        rejected("not json", "in.jsonl", 9),
    ];
    // Enough filings for several PostgreSQL fetches (1,000 rows each), ending on a full one: 2,000 in all.
    items.extend((0..1996).map(|i| accepted(&format!("N{i:05}"), 1 + i % 2, Lane::Green, 0.0, "n")));
    s.write_batch(&items).unwrap();
    let mut expected: Vec<clearway_core::Filing> = items
        .iter()
        .filter_map(|i| match i {
            BatchItem::Accepted(a) if a.raw != raw_of("A", 1, "again") => Some(a.filing.clone()),
            _ => None,
        })
        .collect();
    expected.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
    assert_eq!(expected.len(), 2000);
    let (seen, n) = scanned(s);
    assert_eq!(n, 2000);
    assert_eq!(seen, expected);
    let mut filed: Vec<clearway_core::Filing> = s.decisions_filed(None, None).unwrap().into_iter().map(|d| d.filing).collect();
    filed.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
    assert_eq!(seen, filed);
}


/// The scan does not read decisions: it still succeeds when every stored decision is unreadable.
#[test]
fn sqlite_scan_filings_skips_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    let mut s = SqliteStore::open(&path).unwrap();
    s.write_batch(&[accepted("A", 1, Lane::Green, 0.5, "a1"), accepted_canonical("K", 1, Lane::Red, "")]).unwrap();
    rusqlite::Connection::open(&path).unwrap().execute("UPDATE filings SET decision_json = 'not json'", []).unwrap();
    assert!(s.decision("A", 1).is_err(), "the decisions are corrupt");
    let (seen, n) = scanned(&mut s);
    assert_eq!((n, seen.iter().map(|f| f.id.as_str()).collect::<Vec<_>>()), (2, vec!["A", "K"]));
}

/// The same on PostgreSQL: the scan reads `filings` only.
#[test]
fn postgres_scan_filings_skips_decisions() {
    let Some(db) = PgTestDb::new() else { return };
    let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    s.write_batch(&[accepted("A", 1, Lane::Green, 0.5, "a1"), accepted_canonical("K", 1, Lane::Red, "")]).unwrap();
    let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    c.batch_execute(&format!("UPDATE \"{}\".decisions SET decision_json = 'not json'", db.schema)).unwrap();
    assert!(s.decision("A", 1).is_err(), "the decisions are corrupt");
    let (seen, n) = scanned(&mut s);
    assert_eq!((n, seen.iter().map(|f| f.id.as_str()).collect::<Vec<_>>()), (2, vec!["A", "K"]));
}

suite!(
    check_write_and_read_back,
    check_canonical_raw,
    check_duplicates,
    check_rejects,
    check_memberships,
    check_stats,
    check_atomicity,
    check_exams,
    check_scan_filings,
);

#[test]
fn sqlite_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a"), rejected("bad", "in", 2)]).unwrap();
        s.upsert_memberships(&[membership("FAST", "F-1", "active")]).unwrap();
    }
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), clearway_store::sqlite::SCHEMA_VERSION);
    assert_eq!(s.decision("A", 1).unwrap(), Some(decision("A", 1, Lane::Red, 30.0)));
    assert_eq!(s.raw_input("A", 1).unwrap(), Some(raw_of("A", 1, "a")));
    assert_eq!(s.rejects(5).unwrap().len(), 1);
    assert_eq!(s.memberships().unwrap().len(), 1);
    let st = s.stats().unwrap();
    assert_eq!((st.filings, st.versions, st.rejected, st.memberships), (1, 1, 1, 1));
    // Still deduplicates after reopening.
    let out = s.write_batch(&[accepted("A", 1, Lane::Green, 0.0, "again"), rejected("bad", "in", 3)]).unwrap();
    assert_eq!(
        out,
        vec![Outcome::Duplicate(Box::new(decision("A", 1, Lane::Red, 30.0))), Outcome::Rejected { new: false }]
    );

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn sqlite_corrupt_rows_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    let mut s = SqliteStore::open(&path).unwrap();
    s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a"), accepted("B", 1, Lane::Red, 30.0, "b")]).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE filings SET filing_json = '{not json', decision_json = '[]' WHERE filing_id = 'A';
         UPDATE filings SET status = 'weird', stored_at = 'yesterday', lane = 'purple', decision_json = 'null'
         WHERE filing_id = 'B';
         UPDATE versions SET lane = 'purple' WHERE filing_id = 'B';",
    )
    .unwrap();
    assert!(s.filing("A", 1).is_err());
    assert!(s.decision("A", 1).is_err());
    assert!(s.latest_decision("A").is_err());
    assert!(s.history("B").is_err());
    assert!(s.stats().is_err());
    // A duplicate of a version whose decision is corrupt is an error, not a panic.
    assert!(s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a")]).is_err());
    assert!(s.write_batch(&[accepted("B", 1, Lane::Red, 30.0, "b")]).is_err());
}

#[test]
fn sqlite_stores_canonical_raw_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    let mut s = SqliteStore::open(&path).unwrap();
    let items = [
        accepted_canonical("K", 1, Lane::Green, ""),
        accepted_canonical("K", 2, Lane::Red, "\n"),
        accepted("M", 1, Lane::Red, 30.0, "m"),
    ];
    s.write_batch(&items).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let nulls: Vec<(String, i64, bool)> = conn
        .prepare("SELECT filing_id, version, filing_json IS NULL FROM filings ORDER BY filing_id, version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(nulls, vec![("K".into(), 1, true), ("K".into(), 2, false), ("M".into(), 1, false)]);
    // Read back from the raw bytes; corrupt raw bytes are an error, not a panic.
    let BatchItem::Accepted(k1) = &items[0] else { unreachable!() };
    assert_eq!(s.filing("K", 1).unwrap().as_ref(), Some(&k1.filing));
    conn.execute("UPDATE filings SET raw = x'7b6e6f74' WHERE filing_id = 'K' AND version = 1", []).unwrap();
    // Stats read the small `versions` tree: still right with rows of all three kinds.
    let st = s.stats().unwrap();
    assert_eq!((st.filings, st.versions, st.decisions), (2, 3, 3));
    assert_eq!(st.lanes.get("red"), Some(&2));
    assert!(s.filing("K", 1).is_err());
}

#[test]
fn sqlite_refuses_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn postgres_reconnect_keeps_data() {
    let Some(db) = PgTestDb::new() else { return };
    {
        let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
        s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a")]).unwrap();
    }
    let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    assert_eq!(s.schema_version().unwrap(), clearway_store::postgres::SCHEMA_VERSION);
    assert_eq!(s.decision("A", 1).unwrap(), Some(decision("A", 1, Lane::Red, 30.0)));
    let out = s.write_batch(&[accepted("A", 1, Lane::Green, 0.0, "again")]).unwrap();
    assert_eq!(out, vec![Outcome::Duplicate(Box::new(decision("A", 1, Lane::Red, 30.0)))]);
}

#[test]
fn postgres_two_writers_store_once() {
    let Some(db) = PgTestDb::new() else { return };
    let mut s1 = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    let mut s2 = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    assert_eq!(s1.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a")]).unwrap(), vec![Outcome::Stored]);
    let out = s2.write_batch(&[accepted("A", 1, Lane::Green, 0.0, "b"), accepted("A", 2, Lane::Blue, 1.0, "c")]);
    assert_eq!(out.unwrap(), vec![Outcome::Duplicate(Box::new(decision("A", 1, Lane::Red, 30.0))), Outcome::Stored]);
    assert_eq!(s1.latest_decision("A").unwrap(), Some(decision("A", 2, Lane::Blue, 1.0)));
}

#[test]
fn postgres_corrupt_rows_are_errors_not_panics() {
    let Some(db) = PgTestDb::new() else { return };
    let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a"), accepted("B", 1, Lane::Red, 30.0, "b")]).unwrap();
    let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "SET search_path TO \"{}\";
         UPDATE filings SET filing_json = '{{not json' WHERE filing_id = 'A';
         UPDATE decisions SET decision_json = '[]' WHERE filing_id = 'A';
         UPDATE filings SET status = 'weird' WHERE filing_id = 'B';
         UPDATE latest SET lane = 'purple' WHERE filing_id = 'B';",
        db.schema
    ))
    .unwrap();
    assert!(s.filing("A", 1).is_err());
    assert!(s.decision("A", 1).is_err());
    assert!(s.history("B").is_err());
    assert!(s.stats().is_err());
    assert!(s.write_batch(&[accepted("A", 1, Lane::Red, 30.0, "a")]).is_err());
    // The connection is still usable after a failed batch.
    assert_eq!(s.write_batch(&[accepted("C", 1, Lane::Red, 30.0, "c")]).unwrap(), vec![Outcome::Stored]);
}
