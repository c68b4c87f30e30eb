//! The audit log: append-only and hash-chained, so that an edited, deleted or reordered entry is found.
//! Principal types: [`AuditEvent`] (what happened), [`AuditEntry`] (an event as stored, with its place
//! in the chain), the [`AuditStore`] capability and [`verify`].
//!
//! The chain: entry `seq` (1-based, gapless) stores the hash of entry `seq - 1` (`prev_hash`; the first
//! entry's is [`GENESIS`]) and its own `hash = hex BLAKE3(prev_hash, canonical(seq, at, actor, role,
//! action, record, detail, from))`, see [`entry_hash`]. A store computes both when it appends, in the
//! transaction that reads the previous head, so concurrent writers (several PostgreSQL connections)
//! still make one gapless chain. The store never updates or deletes an entry.
//!
//! Times are kept as RFC 3339 text with nanoseconds (exactly what is hashed; PostgreSQL's TIMESTAMPTZ
//! would drop the nanoseconds), and `detail` as its canonical JSON (object keys sorted).
//!
//! What the chain cannot show on its own: entries cut off the end. The stores keep the head (last seq
//! and hash) in a separate row, so the next append continues from there and the cut shows as a gap.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Result;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Something a person or a client did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// Who: a user name, or `cli:$USER` for the command line.
    pub actor: String,
    /// The actor's role as [`crate::Role::as_str`] spells it (empty when unknown, e.g. a failed
    /// sign-in for an unknown name). Text, not [`crate::Role`], so old entries always read back.
    pub role: String,
    /// What: `sign-in`, `filing.read`, `filing.ingest`, `assign`, `exam.record`, `override`,
    /// `list.import`, `list.dispose`, `profile.change`, `user.add`, `user.disable`, `token.create`, ...
    pub action: String,
    /// Which record: a filing id, a user name, a list name...
    pub record: Option<String>,
    /// Anything else worth keeping (JSON).
    pub detail: Value,
    /// From where: the client address, or `cli`.
    pub from: Option<String>,
}

/// An event as stored: its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1-based, gapless.
    pub seq: u64,
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// [`entry_hash`] of this entry.
    pub hash: String,
}

/// Which entries [`AuditStore::audit`] returns: every set field must match; newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// "Who looked at this shipment": entries about this record.
    pub record: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Only entries with `seq` below this (the next page of a newest-first listing).
    pub before_seq: Option<u64>,
    /// At most this many entries (all when `None`).
    pub limit: Option<usize>,
}

impl AuditFilter {
    /// Whether `e` passes the field filters (not `limit`).
    pub fn matches(&self, e: &AuditEntry) -> bool {
        self.record.as_ref().is_none_or(|r| e.event.record.as_ref() == Some(r))
            && self.actor.as_ref().is_none_or(|a| &e.event.actor == a)
            && self.action.as_ref().is_none_or(|a| &e.event.action == a)
            && self.before_seq.is_none_or(|b| e.seq < b)
    }
}

/// The audit log.
pub trait AuditStore: Send {
    /// Append one event atomically: the store gives it the next `seq` and computes its hashes.
    fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry>;
    /// Entries matching `filter`, newest first.
    fn audit(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Visit every stored entry, oldest (lowest `seq`) first, streamed; returns how many. For [`verify`].
    fn scan_audit(&mut self, f: &mut dyn FnMut(&AuditEntry)) -> Result<usize>;
}

/// RFC 3339, UTC, always nine fractional digits: how `at` is hashed and stored (fixed width, so the
/// text sorts as the time does).
pub fn fmt_at(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// `v` with every object's keys in sorted order, whatever map the `serde_json` build uses.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(&m[k]))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The canonical JSON text of `detail` (sorted keys, no spaces), as stored and hashed.
pub fn canonical_detail(detail: &Value) -> String {
    canonical(detail).to_string()
}

/// The hash of entry `seq` holding `event` after an entry whose hash is `prev_hash`: hex BLAKE3 of
/// `prev_hash`, a newline, and the JSON array `[seq, at, actor, role, action, record, detail, from]`
/// (`at` as [`fmt_at`], `detail` canonical).
pub fn entry_hash(prev_hash: &str, seq: u64, event: &AuditEvent) -> String {
    let body = serde_json::json!([
        seq,
        fmt_at(event.at),
        event.actor,
        event.role,
        event.action,
        event.record,
        canonical(&event.detail),
        event.from,
    ]);
    let mut h = blake3::Hasher::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.to_string().as_bytes());
    h.finalize().to_hex().to_string()
}

/// The entry that follows a head (`seq`, `hash`; `(0, GENESIS)` for an empty log). For the backends.
pub(crate) fn next_entry(head_seq: u64, head_hash: &str, event: &AuditEvent) -> AuditEntry {
    let seq = head_seq + 1;
    AuditEntry { seq, event: event.clone(), prev_hash: head_hash.to_owned(), hash: entry_hash(head_hash, seq, event) }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerify {
    /// Entries read.
    pub entries: u64,
    pub ok: bool,
    /// The first entry where the chain breaks.
    pub first_broken: Option<Broken>,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broken {
    /// The first seq that is wrong: for a missing entry, the seq that is missing.
    pub seq: u64,
    pub reason: String,
}

/// Recompute the whole chain, oldest first, and name the first entry that breaks it: a missing seq
/// (deleted rows), an entry whose `prev_hash` is not the previous entry's hash (deleted or reordered
/// rows), or an entry whose hash is not the hash of its contents (an edited row).
pub fn verify<S: AuditStore + ?Sized>(store: &mut S) -> Result<AuditVerify> {
    let mut expected = 1u64;
    let mut prev = GENESIS.to_owned();
    let mut first_broken: Option<Broken> = None;
    let entries = store.scan_audit(&mut |e| {
        if first_broken.is_none() {
            first_broken = check(e, expected, &prev);
        }
        expected = e.seq.saturating_add(1);
        prev.clone_from(&e.hash);
    })?;
    Ok(AuditVerify { entries: entries as u64, ok: first_broken.is_none(), first_broken })
}

/// The break at entry `e`, if any, when entry `expected` with `prev_hash` was due.
fn check(e: &AuditEntry, expected: u64, prev_hash: &str) -> Option<Broken> {
    let broken = |seq, reason: String| Some(Broken { seq, reason });
    if e.seq > expected {
        let missing = if e.seq - expected == 1 { format!("entry {expected} is missing") } else { format!("entries {expected} to {} are missing", e.seq - 1) };
        return broken(expected, missing);
    }
    if e.seq < expected {
        return broken(e.seq, format!("entry {} is out of order (expected {expected})", e.seq));
    }
    if e.prev_hash != prev_hash {
        return broken(e.seq, format!("entry {}: previous hash does not match entry {}'s hash (an entry was removed, replaced or moved)", e.seq, e.seq - 1));
    }
    if entry_hash(&e.prev_hash, e.seq, &e.event) != e.hash {
        return broken(e.seq, format!("entry {}: contents do not match its hash (the entry was edited)", e.seq));
    }
    None
}

// ---- SQLite and PostgreSQL ----
//
// Tables (the same in both; created on first use, once per store object): `audit` (one row per entry,
// `seq` the primary key; `at` and `detail` as the exact text that was hashed) and `audit_head` (one row:
// the last seq and hash, updated in the append's transaction).

use crate::codec::{corrupt, parse_time};
use crate::postgres::{PgStore, create_once};
use crate::sqlite::SqliteStore;

const SQLITE_DDL: &str = "CREATE TABLE IF NOT EXISTS audit (
        seq       INTEGER PRIMARY KEY,
        at        TEXT    NOT NULL,
        actor     TEXT    NOT NULL,
        role      TEXT    NOT NULL,
        action    TEXT    NOT NULL,
        record    TEXT,
        detail    TEXT    NOT NULL,
        from_addr TEXT,
        prev_hash TEXT    NOT NULL,
        hash      TEXT    NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_record ON audit (record);
    CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor);
    CREATE TABLE IF NOT EXISTS audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT    NOT NULL
    );
    INSERT INTO audit_head (id, seq, hash)
        VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
        ON CONFLICT (id) DO NOTHING;";

const PG_DDL: &str = "CREATE TABLE IF NOT EXISTS audit (
        seq       BIGINT NOT NULL PRIMARY KEY,
        at        TEXT   NOT NULL,
        actor     TEXT   NOT NULL,
        role      TEXT   NOT NULL,
        action    TEXT   NOT NULL,
        record    TEXT,
        detail    TEXT   NOT NULL,
        from_addr TEXT,
        prev_hash TEXT   NOT NULL,
        hash      TEXT   NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_record ON audit (record);
    CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor);
    CREATE TABLE IF NOT EXISTS audit_head (
        id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
        seq  BIGINT  NOT NULL,
        hash TEXT    NOT NULL
    );
    INSERT INTO audit_head (id, seq, hash)
        VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
        ON CONFLICT (id) DO NOTHING;";

/// Serialises concurrent first uses of the audit tables; "cwaudit" in ASCII.
const PG_AUDIT_LOCK: i64 = 0x0063_7761_7564_6974;

const COLS: &str = "seq, at, actor, role, action, record, detail, from_addr, prev_hash, hash";

/// The newest-first query for `f` (`?` placeholders numbered by `ph`) and its parameters as text.
fn filter_sql(f: &AuditFilter, ph: impl Fn(usize) -> String) -> (String, Vec<String>) {
    let mut conds = Vec::new();
    let mut args: Vec<String> = Vec::new();
    for (col, v) in [("record", &f.record), ("actor", &f.actor), ("action", &f.action)] {
        if let Some(v) = v {
            args.push(v.clone());
            conds.push(format!("{col} = {}", ph(args.len())));
        }
    }
    if let Some(b) = f.before_seq {
        // Seqs are small integers: inlined, so every parameter is text.
        conds.push(format!("seq < {}", b.min(i64::MAX as u64)));
    }
    let mut sql = format!("SELECT {COLS} FROM audit");
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    sql.push_str(" ORDER BY seq DESC");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {}", n.min(i64::MAX as usize)));
    }
    (sql, args)
}

fn to_seq(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(format_args!("audit seq {v}")))
}

/// An entry from its stored columns (in [`COLS`] order).
#[allow(clippy::too_many_arguments)]
fn entry(seq: i64, at: &str, actor: String, role: String, action: String, record: Option<String>, detail: &str, from: Option<String>, prev_hash: String, hash: String) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: to_seq(seq)?,
        event: AuditEvent {
            at: parse_time(at)?,
            actor,
            role,
            action,
            record,
            detail: serde_json::from_str(detail).map_err(|e| corrupt(format_args!("audit entry {seq}: detail is not JSON: {e}")))?,
            from,
        },
        prev_hash,
        hash,
    })
}

fn sqlite_entry(r: &rusqlite::Row<'_>) -> Result<AuditEntry> {
    let at: String = r.get(1)?;
    let detail: String = r.get(6)?;
    entry(r.get(0)?, &at, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, &detail, r.get(7)?, r.get(8)?, r.get(9)?)
}

fn pg_entry(r: &::postgres::Row) -> Result<AuditEntry> {
    entry(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?, r.try_get(9)?)
}

fn seq_i64(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| crate::StoreError::Other(format!("audit seq {seq} is too large")))
}

impl SqliteStore {
    /// Create the audit tables if this store object has not yet done so.
    fn audit_init(&mut self) -> Result<()> {
        if !self.audit_ready {
            self.conn.execute_batch(SQLITE_DDL)?;
            self.audit_ready = true;
        }
        Ok(())
    }
}

impl AuditStore for SqliteStore {
    fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        self.audit_init()?;
        // IMMEDIATE: the write lock is taken before the head is read, so appends are serialised.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (seq, hash): (i64, String) = tx.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let e = next_entry(to_seq(seq)?, &hash, event);
        let ev = &e.event;
        tx.execute(
            &format!("INSERT INTO audit ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
            rusqlite::params![seq_i64(e.seq)?, fmt_at(ev.at), ev.actor, ev.role, ev.action, ev.record, canonical_detail(&ev.detail), ev.from, e.prev_hash, e.hash],
        )?;
        tx.execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", rusqlite::params![seq_i64(e.seq)?, e.hash])?;
        tx.commit()?;
        Ok(e)
    }

    fn audit(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.audit_init()?;
        let (sql, args) = filter_sql(filter, |i| format!("?{i}"));
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sqlite_entry(r)?);
        }
        Ok(out)
    }

    fn scan_audit(&mut self, f: &mut dyn FnMut(&AuditEntry)) -> Result<usize> {
        self.audit_init()?;
        let mut st = self.conn.prepare_cached(&format!("SELECT {COLS} FROM audit ORDER BY seq"))?;
        let mut rows = st.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            f(&sqlite_entry(r)?);
            n += 1;
        }
        Ok(n)
    }
}

/// Rows fetched per round trip by `scan_audit` on PostgreSQL.
const PG_SCAN_BATCH: i32 = 1000;

impl PgStore {
    /// Create the audit tables if this connection has not yet done so.
    fn audit_init(&mut self) -> Result<()> {
        create_once(&mut self.client, &mut self.audit_ready, PG_AUDIT_LOCK, PG_DDL)
    }
}

impl AuditStore for PgStore {
    fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        self.audit_init()?;
        let mut tx = self.client.transaction()?;
        // The head row's lock serialises concurrent appenders (other connections wait here until this
        // transaction ends, then read the head it wrote).
        let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", &[])?;
        let (seq, hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let e = next_entry(to_seq(seq)?, &hash, event);
        let ev = &e.event;
        let new_seq = seq_i64(e.seq)?;
        tx.execute(
            &format!("INSERT INTO audit ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
            &[&new_seq, &fmt_at(ev.at), &ev.actor, &ev.role, &ev.action, &ev.record, &canonical_detail(&ev.detail), &ev.from, &e.prev_hash, &e.hash],
        )?;
        tx.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &[&new_seq, &e.hash])?;
        tx.commit()?;
        Ok(e)
    }

    fn audit(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.audit_init()?;
        let (sql, args) = filter_sql(filter, |i| format!("${i}"));
        let params: Vec<&(dyn ::postgres::types::ToSql + Sync)> = args.iter().map(|a| a as &(dyn ::postgres::types::ToSql + Sync)).collect();
        let rows = self.client.query(&sql, &params)?;
        rows.iter().map(pg_entry).collect()
    }

    fn scan_audit(&mut self, f: &mut dyn FnMut(&AuditEntry)) -> Result<usize> {
        self.audit_init()?;
        // A portal in a read-only transaction: one snapshot, PG_SCAN_BATCH rows in memory at a time.
        let mut tx = self.client.build_transaction().read_only(true).start()?;
        let portal = tx.bind(&format!("SELECT {COLS} FROM audit ORDER BY seq"), &[])?;
        let mut n = 0;
        loop {
            let rows = tx.query_portal(&portal, PG_SCAN_BATCH)?;
            for r in &rows {
                f(&pg_entry(r)?);
            }
            n += rows.len();
            if rows.len() < PG_SCAN_BATCH as usize {
                break;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(actor: &str) -> AuditEvent {
        AuditEvent {
            at: "2026-01-02T03:04:05.123456789Z".parse().unwrap(),
            actor: actor.into(),
            role: "officer".into(),
            action: "filing.read".into(),
            record: Some("F1".into()),
            detail: serde_json::json!({"b": 1, "a": [{"z": 1, "y": 2}]}),
            from: Some("127.0.0.1".into()),
        }
    }

    #[test]
    fn hash_is_canonical_and_covers_every_field() {
        let e = ev("alice");
        let h = entry_hash(GENESIS, 1, &e);
        assert_eq!(h.len(), 64);
        let mut reordered = e.clone();
        reordered.detail = serde_json::from_str(r#"{"a": [{"y": 2, "z": 1}], "b": 1}"#).unwrap();
        assert_eq!(entry_hash(GENESIS, 1, &reordered), h, "key order does not matter");
        assert_eq!(canonical_detail(&e.detail), r#"{"a":[{"y":2,"z":1}],"b":1}"#);
        assert_ne!(entry_hash(GENESIS, 2, &e), h);
        assert_ne!(entry_hash(&"1".repeat(64), 1, &e), h);
        let changes: [fn(&mut AuditEvent); 7] = [
            |e| e.at += chrono::Duration::nanoseconds(1),
            |e| e.actor.push('x'),
            |e| e.role = "admin".into(),
            |e| e.action = "assign".into(),
            |e| e.record = None,
            |e| e.detail = serde_json::json!({"b": 2, "a": [{"z": 1, "y": 2}]}),
            |e| e.from = None,
        ];
        for change in changes {
            let mut c = e.clone();
            change(&mut c);
            assert_ne!(entry_hash(GENESIS, 1, &c), h, "{c:?}");
        }
        assert_eq!(fmt_at(e.at), "2026-01-02T03:04:05.123456789Z");
    }

    #[test]
    fn serialises_flat() {
        let e = next_entry(0, GENESIS, &ev("alice"));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["seq"], 1);
        assert_eq!(v["actor"], "alice");
        assert_eq!(v["prev_hash"], GENESIS);
        assert_eq!(serde_json::from_value::<AuditEntry>(v).unwrap(), e);
    }
}
