//! The licence registry on every backend: import, show, draws and balances, a draw that would overspend
//! refused with nothing applied, draws made by `write_batch` in the batch's transaction — and two
//! writers racing for the last unit on SQLite and PostgreSQL, of which exactly one wins.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use clearway_core::licence::{COVERED, Draw, Licence, LicenceItem, Used};
use clearway_core::{Finding, FindingKind, Lane};
use clearway_store::memory::MemoryStore;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{BatchItem, LicenceImport, LicenceStore, Outcome, Store, StoreError};
use common::*;

fn licence(number: &str, quantity: Option<f64>, value: Option<f64>) -> Licence {
    Licence {
        number: number.into(),
        holder: "ACME PHOTONICS INC".into(),
        authority: Some("BIS".into()),
        items: vec![
            LicenceItem {
                entry: "3A001.b".into(),
                quantity,
                value,
            },
            LicenceItem {
                entry: "5A002".into(),
                quantity: None,
                value: Some(50_000.0),
            },
        ],
        destinations: vec!["DE".into()],
        end_users: vec![],
        valid_from: None,
        valid_to: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    }
}

fn draw(number: &str, item: usize, quantity: f64, value: f64) -> Draw {
    Draw {
        number: number.into(),
        item,
        quantity,
        value,
    }
}

/// An accepted item whose decision draws `quantity` on item 1 of `number`.
fn drawing(id: &str, number: &str, quantity: f64) -> BatchItem {
    let BatchItem::Accepted(mut a) = accepted(id, 1, Lane::Green, 0.0, id) else {
        unreachable!()
    };
    a.decision.findings.push(
        Finding::new("export-control", COVERED, FindingKind::Info, 0.0, "covered")
            .with("licence", number)
            .with("licence_item", 1)
            .with("draw_quantity", quantity)
            .with("draw_value", 0.0),
    );
    BatchItem::Accepted(a)
}

fn conflict(r: clearway_store::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn check_import_show_draw(s: &mut dyn Store) {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    assert!(s.licences().unwrap().is_empty());
    assert_eq!(
        s.import_licences(
            &[
                licence("D1234567", Some(10.0), None),
                licence("D7654321", Some(1.0), None)
            ],
            at
        )
        .unwrap(),
        LicenceImport {
            added: 2,
            replaced: 0
        }
    );
    let all = s.licences().unwrap();
    assert_eq!(
        all.iter()
            .map(|l| l.licence.number.as_str())
            .collect::<Vec<_>>(),
        ["D1234567", "D7654321"]
    );
    assert_eq!(all[0].licence, licence("D1234567", Some(10.0), None));
    assert_eq!(all[0].used, vec![Used::default(); 2]);
    assert_eq!(all[0].imported_at, at);
    assert_eq!(s.licence("nope").unwrap(), None);

    // Draws: all or none, and never below zero.
    assert_eq!(
        s.draw_licences(
            "E1",
            1,
            &[
                draw("D1234567", 0, 4.0, 0.0),
                draw("D1234567", 1, 0.0, 20_000.0)
            ],
            at
        )
        .unwrap(),
        2
    );
    let m = conflict(s.draw_licences(
        "E2",
        1,
        &[draw("D1234567", 1, 0.0, 1.0), draw("D1234567", 0, 7.0, 0.0)],
        at,
    ));
    assert!(
        m.contains("D1234567 item 1 (3A001.b) is used up") && m.contains("7 requested, 6 left"),
        "{m}"
    );
    let m = conflict(s.draw_licences("E2", 1, &[draw("D9999999", 0, 1.0, 0.0)], at));
    assert!(m.contains("D9999999 has no item 1"), "{m}");
    let l = s.licence("D1234567").unwrap().unwrap();
    assert_eq!(
        l.used,
        vec![
            Used {
                quantity: 4.0,
                value: 0.0
            },
            Used {
                quantity: 0.0,
                value: 20_000.0
            }
        ],
        "nothing of E2 applied"
    );
    assert_eq!(l.remaining(0), (Some(6.0), None));
    // The same filing version does not draw twice.
    assert_eq!(
        s.draw_licences("E1", 1, &[draw("D1234567", 0, 4.0, 0.0)], at)
            .unwrap(),
        0
    );
    assert_eq!(
        s.draw_licences("E3", 1, &[draw("D1234567", 0, 6.0, 0.0)], at)
            .unwrap(),
        1
    );
    assert!(
        conflict(s.draw_licences("E4", 1, &[draw("D1234567", 0, 0.001, 0.0)], at))
            .contains("0.001 requested, 0 left")
    );

    let b = s.licence_balances().unwrap();
    assert_eq!(
        b[&("D1234567".to_string(), 0)],
        Used {
            quantity: 10.0,
            value: 0.0
        }
    );
    assert_eq!(b.len(), 2);
    let usage = s.licence_draws(Some("D1234567")).unwrap();
    assert_eq!(
        usage
            .iter()
            .map(|d| (d.filing_id.as_str(), d.item))
            .collect::<Vec<_>>(),
        [("E1", 0), ("E1", 1), ("E3", 0)]
    );
    assert!(s.licence_draws(Some("D7654321")).unwrap().is_empty());
    assert_eq!(s.licence_draws(None).unwrap().len(), 3);

    // A re-import replaces the record and keeps the balances; it may not drop a drawn-on item.
    let mut more = licence("D1234567", Some(15.0), None);
    assert_eq!(
        s.import_licences(&[more.clone()], at).unwrap(),
        LicenceImport {
            added: 0,
            replaced: 1
        }
    );
    assert_eq!(
        s.licence("D1234567").unwrap().unwrap().remaining(0),
        (Some(5.0), None)
    );
    more.items.truncate(1);
    let m = conflict(s.import_licences(&[licence("D5555555", Some(1.0), None), more], at));
    assert!(m.contains("item 2 (5A002) has been drawn on"), "{m}");
    assert_eq!(
        s.licence("D5555555").unwrap(),
        None,
        "nothing of a refused import applied"
    );
}

fn check_batches_draw_in_their_transaction(s: &mut dyn Store) {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    s.import_licences(&[licence("D1234567", Some(10.0), None)], at)
        .unwrap();
    let out = s
        .write_batch(&[
            drawing("X1", "D1234567", 4.0),
            drawing("X2", "D1234567", 5.0),
        ])
        .unwrap();
    assert_eq!(out, [Outcome::Stored, Outcome::Stored]);
    assert_eq!(
        s.licence("D1234567").unwrap().unwrap().used[0].quantity,
        9.0
    );
    // A resubmission draws nothing: its first decision stands.
    assert!(matches!(
        s.write_batch(&[drawing("X1", "D1234567", 4.0)]).unwrap()[0],
        Outcome::Duplicate(_)
    ));
    assert_eq!(
        s.licence("D1234567").unwrap().unwrap().used[0].quantity,
        9.0
    );
    // A batch whose draws overspend is not stored at all.
    let m = conflict(s.write_batch(&[
        drawing("X3", "D1234567", 1.0),
        drawing("X4", "D1234567", 1.0),
    ]));
    assert!(m.contains("used up"), "{m}");
    assert_eq!(s.filing("X3", 1).unwrap(), None);
    assert_eq!(
        s.licence("D1234567").unwrap().unwrap().used[0].quantity,
        9.0
    );
    assert_eq!(
        s.write_batch(&[drawing("X3", "D1234567", 1.0)]).unwrap(),
        [Outcome::Stored]
    );
    assert_eq!(
        s.licence("D1234567").unwrap().unwrap().remaining(0),
        (Some(0.0), None)
    );
    // Batches without draws never touch the licence tables.
    assert_eq!(
        s.write_batch(&[accepted("Y1", 1, Lane::Green, 0.0, "y")])
            .unwrap(),
        [Outcome::Stored]
    );
    assert_eq!(s.licence_draws(None).unwrap().len(), 3);
}

macro_rules! all_backends {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $( #[test] fn $check() { super::$check(&mut super::MemoryStore::default()); } )*
        }
        durable_suite!($($check),*);
    };
}

all_backends!(
    check_import_show_draw,
    check_batches_draw_in_their_transaction
);

/// Two writers, each on its own connection, race for the last unit `rounds` times: exactly one wins each
/// round, and the balance never goes below zero.
fn race(open: &(dyn Fn() -> Box<dyn Store> + Sync), rounds: usize) {
    let at = Utc::now();
    let mut s = open();
    let ls: Vec<Licence> = (0..rounds)
        .map(|r| licence(&format!("R{r:07}"), Some(1.0), None))
        .collect();
    s.import_licences(&ls, at).unwrap();
    let wins: Vec<Vec<usize>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|w| {
                scope.spawn(move || {
                    let mut s = open();
                    let mut won = Vec::new();
                    for r in 0..rounds {
                        let number = format!("R{r:07}");
                        // Half the time through a batch, half through a direct draw.
                        let res = if r % 2 == 0 {
                            s.write_batch(&[drawing(&format!("W{w}-{r}"), &number, 1.0)])
                                .map(|_| ())
                        } else {
                            s.draw_licences(
                                &format!("W{w}-{r}"),
                                1,
                                &[draw(&number, 0, 1.0, 0.0)],
                                at,
                            )
                            .map(|_| ())
                        };
                        match res {
                            Ok(()) => won.push(r),
                            Err(StoreError::Conflict(m)) => assert!(m.contains("used up"), "{m}"),
                            Err(e) => panic!("writer {w} round {r}: {e}"),
                        }
                    }
                    won
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in 0..rounds {
        let n = wins.iter().filter(|w| w.contains(&r)).count();
        assert_eq!(n, 1, "round {r}: {n} writers drew the last unit");
        let l = s.licence(&format!("R{r:07}")).unwrap().unwrap();
        assert_eq!(l.used[0].quantity, 1.0);
        assert_eq!(s.licence_draws(Some(&l.licence.number)).unwrap().len(), 1);
    }
}

#[test]
fn sqlite_two_connections_cannot_both_spend_the_last_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clearway.db");
    race(&|| Box::new(SqliteStore::open(&path).unwrap()), 200);
}

#[test]
fn postgres_two_connections_cannot_both_spend_the_last_unit() {
    let Some(db) = PgTestDb::new() else { return };
    // Create the tables first, so the race is about the rows.
    PgStore::connect_with_schema(&db.url, &db.schema)
        .unwrap()
        .licences()
        .unwrap();
    race(
        &|| Box::new(PgStore::connect_with_schema(&db.url, &db.schema).unwrap()),
        200,
    );
}
