//! The behaviour suite every backend passes: memory, SQLite (file and in-memory) and PostgreSQL
//! (when `CLEARWAY_TEST_PG` names a database). Principal items: the `check_*` functions, run per backend
//! by the `suite!` macro; SQLite- and PostgreSQL-specific tests follow.

mod common;

use chrono::{TimeZone, Utc};
use clearway_core::{Action, FilingStatus, Lane, MembershipStatus};
use clearway_store::memory::MemoryStore;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{
    Assignment, AuditEntry, AuditEvent, AuditFilter, AuditVerify, BatchItem, FilingStore, Outcome, Override, QueueFilter, QueuePage, Role,
    Stats, Store, StoreError, TokenRecord, User, content_hash,
};
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


fn t(h: u32, m: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

fn user(name: &str, role: Role) -> User {
    User {
        name: name.into(),
        role,
        office: Some("CAHAL".into()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        disabled: false,
        created_at: t(9, 0),
    }
}

/// Users: added once (a taken name is a conflict), read back whole, listed by name, disabled and given a
/// new password hash; unknown names say so.
fn check_users(s: &mut dyn Store) {
    assert!(s.users().unwrap().is_empty());
    assert_eq!(s.user("alice").unwrap(), None);
    let alice = user("alice", Role::Officer);
    let mut bob = user("bob", Role::ListManager);
    bob.office = None;
    bob.password_hash = None;
    s.add_user(&bob).unwrap();
    s.add_user(&alice).unwrap();
    let err = s.add_user(&user("alice", Role::Admin)).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("alice")), "{err}");
    assert_eq!(s.user("alice").unwrap(), Some(alice.clone()));
    assert_eq!(s.users().unwrap(), vec![alice.clone(), bob.clone()]);

    assert!(s.set_user_disabled("alice", true).unwrap());
    assert!(s.user("alice").unwrap().unwrap().disabled);
    assert!(s.set_user_disabled("alice", false).unwrap());
    assert!(!s.user("alice").unwrap().unwrap().disabled);
    assert!(!s.set_user_disabled("nobody", true).unwrap());

    assert!(s.set_password_hash("bob", Some("$argon2id$new")).unwrap());
    assert_eq!(s.user("bob").unwrap().unwrap().password_hash.as_deref(), Some("$argon2id$new"));
    assert!(s.set_password_hash("bob", None).unwrap());
    assert_eq!(s.user("bob").unwrap().unwrap().password_hash, None);
    assert!(!s.set_password_hash("nobody", Some("x")).unwrap());
    // Every role is stored and read back.
    for (i, role) in Role::ALL.into_iter().enumerate() {
        s.add_user(&user(&format!("r{i}"), role)).unwrap();
        assert_eq!(s.user(&format!("r{i}")).unwrap().unwrap().role, role);
    }
}

/// Tokens: stored by hash only, found by hash, revoked once, listed per user; a token needs a known user
/// and a fresh id and hash. Failed sign-ins are counted per name from a time on.
fn check_tokens(s: &mut dyn Store) {
    s.add_user(&user("partner1", Role::Partner)).unwrap();
    s.add_user(&user("alice", Role::Officer)).unwrap();
    let token = |id: &str, user: &str, secret: &str, created: chrono::DateTime<Utc>| TokenRecord {
        id: id.into(),
        user: user.into(),
        hash: content_hash(secret.as_bytes()),
        created_at: created,
        expires_at: Some(t(23, 0)),
        revoked_at: None,
    };
    let t1 = token("t1", "partner1", "secret-1", t(10, 0));
    let t2 = token("t2", "partner1", "secret-2", t(9, 0));
    s.add_token(&t1).unwrap();
    s.add_token(&t2).unwrap();
    s.add_token(&token("t3", "alice", "secret-3", t(11, 0))).unwrap();
    for bad in [token("t1", "partner1", "other", t(10, 0)), token("t4", "partner1", "secret-1", t(10, 0)), token("t5", "nobody", "s5", t(10, 0))] {
        let err = s.add_token(&bad).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{bad:?}: {err}");
    }
    assert_eq!(s.token_by_hash(&content_hash(b"secret-1")).unwrap(), Some(t1.clone()));
    assert_eq!(s.token_by_hash(&content_hash(b"unknown")).unwrap(), None);
    assert_eq!(s.tokens("partner1").unwrap(), vec![t2.clone(), t1.clone()], "oldest first");
    assert!(s.tokens("nobody").unwrap().is_empty());
    assert!(t1.is_active(t(12, 0)));
    assert!(!t1.is_active(t(23, 0)), "expired");

    assert!(s.revoke_token("t1", t(12, 0)).unwrap());
    assert!(!s.revoke_token("t1", t(13, 0)).unwrap(), "already revoked: the first time stands");
    assert!(!s.revoke_token("nope", t(13, 0)).unwrap());
    let revoked = s.token_by_hash(&t1.hash).unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(t(12, 0)));
    assert!(!revoked.is_active(t(12, 30)));
    assert_eq!(s.token_by_hash(&t2.hash).unwrap().unwrap().revoked_at, None);

    assert_eq!(s.failed_signins_since("alice", t(0, 0)).unwrap(), 0);
    for (m, who) in [(1, "alice"), (2, "alice"), (3, "mallory"), (4, "alice")] {
        s.record_failed_signin(who, t(8, m), Some("192.0.2.7")).unwrap();
    }
    s.record_failed_signin("alice", t(8, 5), None).unwrap();
    assert_eq!(s.failed_signins_since("alice", t(0, 0)).unwrap(), 4);
    assert_eq!(s.failed_signins_since("alice", t(8, 2)).unwrap(), 3, "at or after `since`");
    assert_eq!(s.failed_signins_since("mallory", t(8, 2)).unwrap(), 1);
    assert_eq!(s.failed_signins_since("alice", t(9, 0)).unwrap(), 0);
}

fn event(actor: &str, action: &str, record: Option<&str>, n: u32) -> AuditEvent {
    AuditEvent {
        // Nanoseconds are kept exactly (they are hashed).
        at: t(10, n) + chrono::Duration::nanoseconds(123_456_789),
        actor: actor.into(),
        role: "officer".into(),
        action: action.into(),
        record: record.map(str::to_owned),
        detail: serde_json::json!({"n": n, "why": "test", "nested": {"b": [1, 2], "a": null}}),
        from: Some("198.51.100.4".into()),
    }
}

/// The audit log: gapless seqs from 1, each entry chained to the one before, read back exactly (newest
/// first, filtered) and streamed oldest first; `verify` passes.
fn check_audit(s: &mut dyn Store) {
    assert_eq!(clearway_store::audit::verify(s).unwrap(), AuditVerify { entries: 0, ok: true, first_broken: None });
    assert!(s.audit(&AuditFilter::default()).unwrap().is_empty());
    let events = [
        event("alice", "sign-in", None, 1),
        event("alice", "filing.read", Some("F1"), 2),
        event("bob", "filing.read", Some("F1"), 3),
        event("bob", "assign", Some("F2"), 4),
        event("cli:root", "list.import", Some("un-sc"), 5),
    ];
    let mut appended = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let entry = s.append_audit(e).unwrap();
        assert_eq!(entry.seq, i as u64 + 1);
        assert_eq!(&entry.event, e);
        let prev = appended.last().map_or(clearway_store::audit::GENESIS.to_owned(), |p: &AuditEntry| p.hash.clone());
        assert_eq!(entry.prev_hash, prev);
        assert_eq!(entry.hash, clearway_store::audit::entry_hash(&prev, entry.seq, e));
        appended.push(entry);
    }
    let all = s.audit(&AuditFilter::default()).unwrap();
    assert_eq!(all, appended.iter().rev().cloned().collect::<Vec<_>>(), "newest first, read back exactly");

    // "Who looked at this shipment?"
    let f1 = s.audit(&AuditFilter { record: Some("F1".into()), ..AuditFilter::default() }).unwrap();
    assert_eq!(f1.iter().map(|e| (e.seq, e.event.actor.as_str())).collect::<Vec<_>>(), vec![(3, "bob"), (2, "alice")]);
    let by_bob = s.audit(&AuditFilter { actor: Some("bob".into()), action: Some("assign".into()), ..AuditFilter::default() }).unwrap();
    assert_eq!(by_bob.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4]);
    let page = s.audit(&AuditFilter { before_seq: Some(4), limit: Some(2), ..AuditFilter::default() }).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 2]);
    assert!(s.audit(&AuditFilter { record: Some("none".into()), ..AuditFilter::default() }).unwrap().is_empty());
    assert!(s.audit(&AuditFilter { limit: Some(0), ..AuditFilter::default() }).unwrap().is_empty());

    let mut scanned = Vec::new();
    assert_eq!(s.scan_audit(&mut |e| scanned.push(e.clone())).unwrap(), 5);
    assert_eq!(scanned, appended);
    assert_eq!(clearway_store::audit::verify(s).unwrap(), AuditVerify { entries: 5, ok: true, first_broken: None });
}

/// Assignments (current one per filing; unassign removes it) and overrides (append-only, reason
/// required, the decision untouched).
fn check_cases(s: &mut dyn Store) {
    s.write_batch(&[accepted("A", 1, Lane::Red, 40.0, "a1"), accepted("B", 1, Lane::Yellow, 12.0, "b1")]).unwrap();
    assert_eq!(s.assignment("A").unwrap(), None);
    assert!(s.assignments().unwrap().is_empty());
    s.assign("B", Some("alice"), "sup", t(10, 0)).unwrap();
    s.assign("A", Some("alice"), "sup", t(10, 1)).unwrap();
    s.assign("A", Some("bob"), "sup2", t(10, 2)).unwrap();
    let a = Assignment { filing_id: "A".into(), officer: "bob".into(), by: "sup2".into(), at: t(10, 2) };
    assert_eq!(s.assignment("A").unwrap(), Some(a.clone()));
    let b = Assignment { filing_id: "B".into(), officer: "alice".into(), by: "sup".into(), at: t(10, 0) };
    assert_eq!(s.assignments().unwrap(), vec![a, b.clone()]);
    s.assign("A", None, "sup", t(10, 3)).unwrap();
    assert_eq!(s.assignment("A").unwrap(), None);
    s.assign("nobody-knows", None, "sup", t(10, 3)).unwrap();
    assert_eq!(s.assignments().unwrap(), vec![b]);

    let o = |lane, reason: &str, m| Override {
        filing_id: "A".into(),
        version: 1,
        lane,
        actions: vec![Action::Release],
        reason: reason.into(),
        by: "sup".into(),
        at: t(11, m),
    };
    assert!(s.overrides("A").unwrap().is_empty());
    assert!(s.add_override(&o(Lane::Green, "  ", 0)).is_err(), "a reason is required");
    s.add_override(&o(Lane::Green, "paperwork checked", 1)).unwrap();
    let mut second = o(Lane::Yellow, "second look", 2);
    second.actions = vec![Action::DocumentCheck, Action::NiiScan];
    s.add_override(&second).unwrap();
    assert_eq!(s.overrides("A").unwrap(), vec![o(Lane::Green, "paperwork checked", 1), second]);
    assert!(s.overrides("B").unwrap().is_empty());
    assert_eq!(s.decision("A", 1).unwrap(), Some(decision("A", 1, Lane::Red, 40.0)), "the decision stays");
}

/// An accepted item at an office, with a mode, a loading/arrival time and a score.
fn queued(id: &str, version: u32, lane: Lane, score: f64, office: &str, mode: &str, arrival: Option<&str>) -> BatchItem {
    let BatchItem::Accepted(mut a) = accepted(id, version, lane, score, "q") else { unreachable!() };
    let mut f = serde_json::to_value(&a.filing).unwrap();
    f["mode"] = mode.into();
    f["stage"] = "pre-arrival".into();
    f["itinerary"] = serde_json::json!({"first_port_of_arrival": office});
    if let Some(at) = arrival {
        f["times"]["arrival"] = at.into();
    }
    a.filing = serde_json::from_value(f).unwrap();
    a.decision.stage = clearway_core::Stage::PreArrival;
    BatchItem::Accepted(a)
}

fn ids(p: &QueuePage) -> Vec<&str> {
    p.items.iter().map(|i| i.filing_id.as_str()).collect()
}

/// The queue: latest version per filing in red or yellow (or the lanes asked for), not examined, not
/// overridden out of the lanes; filters; sorted by deadline then score; paginated by cursor.
fn check_queue(s: &mut dyn Store) {
    use clearway_store::exams::{ExamOutcome, ExamResult};
    assert_eq!(s.queue(&QueueFilter::default()).unwrap(), QueuePage::default());
    s.write_batch(&[
        queued("R1", 1, Lane::Red, 50.0, "CAHAL", "marine", Some("2026-12-01T00:00:00Z")),
        queued("R2", 1, Lane::Red, 60.0, "CAHAL", "marine", Some("2026-12-01T00:00:00Z")),
        queued("Y1", 1, Lane::Yellow, 12.0, "CAVAN", "air", Some("2026-11-30T00:00:00Z")),
        queued("Y2", 1, Lane::Yellow, 15.0, "CAHAL", "marine", None),
        queued("G1", 1, Lane::Green, 0.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        queued("B1", 1, Lane::Blue, 2.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        // Amended to green: the latest version counts.
        queued("A", 1, Lane::Red, 45.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        queued("A", 2, Lane::Green, 0.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        // Examined (its version named), and examined without a version after it was stored.
        queued("E1", 1, Lane::Red, 70.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        queued("E2", 1, Lane::Red, 70.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        // Examined on an older version only: still waiting.
        queued("E3", 1, Lane::Red, 20.0, "CAHAL", "marine", Some("2026-12-02T00:00:00Z")),
        queued("E3", 2, Lane::Red, 21.0, "CAHAL", "marine", Some("2026-12-02T00:00:00Z")),
        // Overridden to green (out), and a green one overridden to red (in).
        queued("O1", 1, Lane::Red, 80.0, "CAHAL", "marine", Some("2026-11-29T00:00:00Z")),
        queued("O2", 1, Lane::Green, 1.0, "CAHAL", "marine", Some("2026-12-03T00:00:00Z")),
    ])
    .unwrap();
    let exam = |id: &str, version| ExamResult {
        filing_id: id.into(),
        version,
        result: ExamOutcome::NoFinding,
        severity: None,
        revenue: None,
        note: None,
        recorded_at: Utc::now() + chrono::Duration::minutes(1),
    };
    s.record_exams(&[exam("E1", Some(1)), exam("E2", None), exam("E3", Some(1))]).unwrap();
    let ov = |id: &str, lane| Override {
        filing_id: id.into(),
        version: 1,
        lane,
        actions: vec![],
        reason: "supervisor".into(),
        by: "sup".into(),
        at: t(12, 0),
    };
    s.add_override(&ov("O1", Lane::Green)).unwrap();
    s.add_override(&ov("O2", Lane::Red)).unwrap();
    s.assign("R1", Some("alice"), "sup", t(12, 0)).unwrap();

    let page = s.queue(&QueueFilter::default()).unwrap();
    // Deadline first (none last), then score, highest first.
    assert_eq!(ids(&page), vec!["Y1", "R2", "R1", "E3", "O2", "Y2"]);
    assert_eq!((page.total, page.next_cursor.as_deref()), (6, None));
    let r1 = &page.items[2];
    assert_eq!((r1.version, r1.lane, r1.score, r1.office.as_deref(), r1.mode), (1, Lane::Red, 50.0, Some("CAHAL"), clearway_core::Mode::Marine));
    assert_eq!(r1.deadline, Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()));
    assert_eq!(r1.filed_at, Some(Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()));
    assert_eq!((r1.assigned.as_deref(), r1.top_reason.as_deref(), r1.overridden), (Some("alice"), Some("a test finding"), false));
    assert!((Utc::now() - r1.decided_at).num_minutes().abs() < 10);
    let e3 = &page.items[3];
    assert_eq!((e3.version, e3.score), (2, 21.0));
    let o2 = &page.items[4];
    assert_eq!((o2.lane, o2.decision_lane, o2.overridden), (Lane::Red, Lane::Green, true));

    // Filters.
    let mut q = |f: QueueFilter| s.queue(&f).unwrap();
    assert_eq!(ids(&q(QueueFilter { lanes: vec![Lane::Yellow], ..Default::default() })), vec!["Y1", "Y2"]);
    assert_eq!(ids(&q(QueueFilter { lanes: vec![Lane::Green], ..Default::default() })), vec!["O1", "A", "G1"]);
    assert_eq!(ids(&q(QueueFilter { office: Some("CAVAN".into()), ..Default::default() })), vec!["Y1"]);
    assert_eq!(ids(&q(QueueFilter { mode: Some(clearway_core::Mode::Air), ..Default::default() })), vec!["Y1"]);
    assert_eq!(ids(&q(QueueFilter { assigned: Some("alice".into()), ..Default::default() })), vec!["R1"]);
    assert_eq!(ids(&q(QueueFilter { unassigned: true, ..Default::default() })), vec!["Y1", "R2", "E3", "O2", "Y2"]);

    // Pages of two, by cursor, cover the queue once in order.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = q(QueueFilter { limit: Some(2), cursor: cursor.clone(), ..Default::default() });
        assert_eq!(p.total, 6);
        seen.extend(p.items.iter().map(|i| i.filing_id.clone()));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Y1", "R2", "R1", "E3", "O2", "Y2"]);
    assert!(s.queue(&QueueFilter { cursor: Some("garbage".into()), ..Default::default() }).is_err());
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
    check_users,
    check_tokens,
    check_audit,
    check_cases,
    check_queue,
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
