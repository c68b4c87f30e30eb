//! The sanctions-list storage suite, run on every backend: memory, SQLite (file and
//! in-memory) and PostgreSQL (when `CLEARWAY_TEST_PG` names a database; skipped with a message otherwise).
//! Principal items: the `check_*` functions, run per backend by the `lists_suite!` macro.

mod common;

use chrono::{Duration, Utc};
use clearway_core::Lane;
use clearway_store::lists::Disposition;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::memory::MemoryStore;
use clearway_store::{ListAccess, Store, StoreError};
use common::*;

fn ent(id: &str, body: &str) -> (String, String, String) {
    (id.to_string(), format!("fp-{id}-{body}"), body.to_string())
}

/// Versions: a new version per changed content, none for the same content; a refused import (a
/// duplicated id) leaves the previous version in force; entities by version and latest.
fn check_versions(s: &mut dyn Store) {
    let l = s.lists().unwrap();
    assert!(l.list_versions().unwrap().is_empty());
    assert!(l.latest_entities().unwrap().is_empty());
    let v1 = [ent("2", r#"{"n":"b"}"#), ent("1", r#"{"n":"a"}"#), ent("10", r#"{"n":"c"}"#)];
    assert_eq!(l.import_list("un-sc", "h1", "a.xml", 5, &v1).unwrap(), Some(1));
    assert_eq!(l.import_list("un-sc", "h1", "a.xml", 5, &v1).unwrap(), None, "same content: no new version");
    assert_eq!(l.import_list("ofac-sdn", "o1", "sdn.csv", 1, &[ent("7", "{}")]).unwrap(), Some(1));

    let err = l.import_list("un-sc", "h2", "b.xml", 2, &[ent("1", "{}"), ent("1", "{}")]).unwrap_err();
    assert!(matches!(err, StoreError::Other(ref m) if m.contains("duplicated entity id 1")), "{err}");
    let vs = l.list_versions().unwrap();
    assert_eq!(vs.iter().map(|v| (v.list.as_str(), v.version)).collect::<Vec<_>>(), vec![("ofac-sdn", 1), ("un-sc", 1)]);
    let un = &vs[1];
    assert_eq!((un.hash.as_str(), un.source.as_str(), un.entities, un.names), ("h1", "a.xml", 3, 5));
    assert!((Utc::now() - un.imported_at).num_minutes().abs() < 10);

    assert_eq!(l.import_list("un-sc", "h3", "c.xml", 1, &[ent("1", r#"{"n":"a2"}"#)]).unwrap(), Some(2));
    let latest = l.latest_entities().unwrap();
    assert_eq!(
        latest.iter().map(|e| (e.list.as_str(), e.version, e.entity_id.as_str())).collect::<Vec<_>>(),
        vec![("ofac-sdn", 1, "7"), ("un-sc", 2, "1")]
    );
    assert_eq!(latest[1].body, r#"{"n":"a2"}"#);
    assert_eq!(latest[1].fingerprint, r#"fp-1-{"n":"a2"}"#);
    // Old versions stay readable, ordered by id (byte order).
    let old = l.list_entities("un-sc", 1).unwrap();
    assert_eq!(old.iter().map(|e| e.entity_id.as_str()).collect::<Vec<_>>(), vec!["1", "10", "2"]);
    assert!(l.list_entities("un-sc", 9).unwrap().is_empty());
    assert!(l.list_entities("nope", 1).unwrap().is_empty());
}

/// Dispositions: append-only, oldest first, every field kept.
fn check_dispositions(s: &mut dyn Store) {
    let l = s.lists().unwrap();
    let at = Utc::now() - Duration::hours(1);
    let d = |decision: &str, who: &str| Disposition {
        party: "p-fp".into(),
        party_name: "ACME Ltd".into(),
        list: "un-sc".into(),
        entity_id: "QDi.1".into(),
        entity_fingerprint: "e-fp".into(),
        list_version: 3,
        decision: decision.into(),
        who: who.into(),
        why: "different date of birth".into(),
        at,
    };
    l.add_disposition(&d("not-a-match", "officer1")).unwrap();
    l.add_disposition(&d("match", "officer2")).unwrap();
    let all = l.dispositions().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].who.as_str(), all[0].decision.as_str()), ("officer1", "not-a-match"));
    assert_eq!((all[1].who.as_str(), all[1].decision.as_str()), ("officer2", "match"));
    let first = &all[0];
    assert_eq!(
        (first.party.as_str(), first.party_name.as_str(), first.list.as_str(), first.entity_id.as_str()),
        ("p-fp", "ACME Ltd", "un-sc", "QDi.1")
    );
    assert_eq!((first.entity_fingerprint.as_str(), first.list_version, first.why.as_str()), ("e-fp", 3, "different date of birth"));
    assert!((first.at - at).num_milliseconds().abs() < 1, "{} vs {at}", first.at);
}

/// Stored parties: the named parties of the latest version of every stored filing.
fn check_stored_parties(s: &mut dyn Store) {
    assert!(s.lists().unwrap().stored_parties().unwrap().is_empty());
    s.write_batch(&[accepted("A", 1, Lane::Green, 0.5, "a1"), accepted("A", 2, Lane::Red, 40.0, "a2"), accepted("B", 1, Lane::Green, 1.0, "b1")])
        .unwrap();
    s.write_batch(&[accepted_canonical("C", 1, Lane::Green, "c")]).unwrap();
    let parties = s.lists().unwrap().stored_parties().unwrap();
    let got: Vec<(&str, u32, &str, &str, Option<&str>)> =
        parties.iter().map(|p| (p.filing_id.as_str(), p.version, p.role.as_str(), p.name.as_str(), p.country.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("A", 2, "consignor", "Acme Exports", Some("CN")),
            ("B", 1, "consignor", "Acme Exports", Some("CN")),
            ("C", 1, "consignor", "Acme Exports", Some("CN")),
        ]
    );
}

durable_suite!(check_versions, check_dispositions, check_stored_parties);

mod memory {
    use super::*;
    #[test]
    fn check_versions() {
        super::check_versions(&mut MemoryStore::new());
    }
    #[test]
    fn check_dispositions() {
        super::check_dispositions(&mut MemoryStore::new());
    }
    #[test]
    fn check_stored_parties() {
        super::check_stored_parties(&mut MemoryStore::new());
    }
}

/// The list tables survive reopening the database (PostgreSQL: a second connection sees the first's import).
#[test]
fn postgres_lists_persist_across_connections() {
    let Some(db) = PgTestDb::new() else { return };
    let mut a = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    assert_eq!(a.lists().unwrap().import_list("un-sc", "h1", "a.xml", 1, &[ent("1", "{}")]).unwrap(), Some(1));
    let mut b = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    assert_eq!(b.lists().unwrap().latest_entities().unwrap().len(), 1);
    assert_eq!(b.lists().unwrap().import_list("un-sc", "h1", "a.xml", 1, &[ent("1", "{}")]).unwrap(), None);
}

/// The list and exam tables are created once per store object: after its first use a store does not run
/// their DDL again (tables dropped behind its back stay dropped for it), while a newly opened store
/// creates them again.
fn check_tables_created_once(a: &mut dyn Store, drop_tables: &mut dyn FnMut(), reopen: &mut dyn FnMut() -> Box<dyn Store>) {
    assert!(a.lists().unwrap().list_versions().unwrap().is_empty());
    assert!(a.exam_results().unwrap().is_empty());
    drop_tables();
    assert!(a.lists().unwrap().list_versions().is_err(), "the list tables were created again");
    assert!(a.exam_results().is_err(), "the exam tables were created again");
    let mut b = reopen();
    assert!(b.lists().unwrap().list_versions().unwrap().is_empty());
    assert!(b.exam_results().unwrap().is_empty());
    assert_eq!(b.lists().unwrap().import_list("un-sc", "h1", "a.xml", 1, &[ent("1", "{}")]).unwrap(), Some(1));
}

#[test]
fn sqlite_tables_created_once_per_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    let mut a = SqliteStore::open(&path).unwrap();
    let mut drop_tables =
        || rusqlite::Connection::open(&path).unwrap().execute_batch("DROP TABLE list_versions; DROP TABLE exam_results").unwrap();
    let mut reopen = || Box::new(SqliteStore::open(&path).unwrap()) as Box<dyn Store>;
    check_tables_created_once(&mut a, &mut drop_tables, &mut reopen);
}

#[test]
fn postgres_tables_created_once_per_connection() {
    let Some(db) = PgTestDb::new() else { return };
    let mut a = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
    let mut drop_tables = || {
        let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
        let q = &db.schema;
        c.batch_execute(&format!("DROP TABLE \"{q}\".list_versions; DROP TABLE \"{q}\".exam_results")).unwrap();
    };
    let mut reopen = || Box::new(PgStore::connect_with_schema(&db.url, &db.schema).unwrap()) as Box<dyn Store>;
    check_tables_created_once(&mut a, &mut drop_tables, &mut reopen);
}
