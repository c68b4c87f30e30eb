//! The embedded default backend. Principal type: [`SqliteStore`].
//!
//! One database file in WAL mode with `synchronous=NORMAL`: a committed batch survives the process being
//! killed (`kill -9`); a power loss may lose the last batches but never corrupts the file. The schema is
//! created or migrated when the store is opened; its version is kept in `PRAGMA user_version`.
//!
//! Tables: `filings` (one row per stored version, with the raw input), `decisions` (the decision that
//! stands on each version), `latest` (latest stored version and its lane per filing id, for
//! [`Store::stats`]), `rejects` (rejected inputs, unique by content hash) and `memberships`.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use clearway_core::{Decision, Diagnostic, Filing, Membership};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::codec::{
    check_accepted, corrupt, fmt_time, parse_lane, parse_status, parse_time, status_str, to_line, to_version,
};
use crate::{
    BatchItem, History, Outcome, RejectRecord, Result, Stats, Store, StoreError, VersionInfo, content_hash,
};

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    "CREATE TABLE filings (
        filing_id        TEXT    NOT NULL,
        version          INTEGER NOT NULL,
        status           TEXT    NOT NULL,
        filed_at         TEXT,
        input_source     TEXT    NOT NULL,
        input_line       INTEGER NOT NULL,
        raw              BLOB    NOT NULL,
        filing_json      TEXT    NOT NULL,
        diagnostics_json TEXT    NOT NULL,
        stored_at        TEXT    NOT NULL,
        PRIMARY KEY (filing_id, version)
    );
    CREATE TABLE decisions (
        filing_id      TEXT    NOT NULL,
        version        INTEGER NOT NULL,
        lane           TEXT    NOT NULL,
        score          REAL,
        decision_json  TEXT    NOT NULL,
        engine_version TEXT    NOT NULL,
        config_hash    TEXT    NOT NULL,
        decided_at     TEXT    NOT NULL,
        PRIMARY KEY (filing_id, version)
    );
    CREATE TABLE latest (
        filing_id TEXT    NOT NULL PRIMARY KEY,
        version   INTEGER NOT NULL,
        lane      TEXT    NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE rejects (
        seq              INTEGER PRIMARY KEY,
        hash             TEXT    NOT NULL UNIQUE,
        source           TEXT    NOT NULL,
        line             INTEGER NOT NULL,
        raw              BLOB    NOT NULL,
        diagnostics_json TEXT    NOT NULL,
        stored_at        TEXT    NOT NULL
    );
    CREATE TABLE memberships (
        program         TEXT NOT NULL,
        member_id       TEXT NOT NULL,
        membership_json TEXT NOT NULL,
        PRIMARY KEY (program, member_id)
    ) WITHOUT ROWID;",
];

const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

const INSERT_FILING: &str = "INSERT INTO filings (filing_id, version, status, filed_at, input_source, input_line, raw, \
     filing_json, diagnostics_json, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
     ON CONFLICT (filing_id, version) DO NOTHING";
const INSERT_DECISION: &str = "INSERT INTO decisions (filing_id, version, lane, score, decision_json, engine_version, \
     config_hash, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (filing_id, version) DO NOTHING";
const UPSERT_LATEST: &str = "INSERT INTO latest (filing_id, version, lane) VALUES (?1, ?2, ?3) \
     ON CONFLICT (filing_id) DO UPDATE SET version = excluded.version, lane = excluded.lane \
     WHERE excluded.version > latest.version";
const SELECT_DECISION: &str = "SELECT decision_json FROM decisions WHERE filing_id = ?1 AND version = ?2";
const INSERT_REJECT: &str = "INSERT INTO rejects (hash, source, line, raw, diagnostics_json, stored_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (hash) DO NOTHING";
const UPSERT_MEMBERSHIP: &str = "INSERT INTO memberships (program, member_id, membership_json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (program, member_id) DO UPDATE SET membership_json = excluded.membership_json";

/// The SQLite store: one file (or memory), one connection.
pub struct SqliteStore {
    conn: Connection,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.conn.path()).finish()
    }
}

impl SqliteStore {
    /// Open (creating if needed) the database file at `path`, in WAL mode, and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        Self::init(Connection::open(path)?)
    }

    /// A private in-memory database (gone when dropped).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(30))?;
        // Only takes effect on a new, empty database: larger pages keep filing rows (raw input plus JSON,
        // a few KB) on fewer overflow pages.
        conn.pragma_update(None, "page_size", 16384)?;
        // Returns the mode in force ("memory" for an in-memory database).
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -32768)?; // 32 MiB
        conn.set_prepared_statement_cache_capacity(32);
        migrate(&mut conn)?;
        Ok(SqliteStore { conn })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // Take the write lock first, then re-read: another process may be migrating the same file.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Other(format!(
            "database schema version {current} is newer than this build supports ({SCHEMA_VERSION})"
        )));
    }
    let from = usize::try_from(current).map_err(|_| corrupt(format_args!("schema version {current}")))?;
    for sql in MIGRATIONS.iter().skip(from) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Serialise `value` into `buf` (cleared first) and return it as text.
fn json_into<'b, T: serde::Serialize + ?Sized>(buf: &'b mut Vec<u8>, value: &T) -> Result<&'b str> {
    buf.clear();
    serde_json::to_writer(&mut *buf, value)?;
    std::str::from_utf8(buf).map_err(|e| StoreError::Other(format!("serialised JSON is not UTF-8: {e}")))
}

fn decision_from_json(json: &str) -> Result<Decision> {
    Ok(serde_json::from_str(json)?)
}

impl Store for SqliteStore {
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        let now = fmt_time(Utc::now());
        let mut outcomes = Vec::with_capacity(items.len());
        // Dropping the transaction without commit (on any `?` below) rolls the whole batch back.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins_filing = tx.prepare_cached(INSERT_FILING)?;
            let mut ins_decision = tx.prepare_cached(INSERT_DECISION)?;
            let mut upsert_latest = tx.prepare_cached(UPSERT_LATEST)?;
            let mut sel_decision = tx.prepare_cached(SELECT_DECISION)?;
            let mut ins_reject = tx.prepare_cached(INSERT_REJECT)?;
            // Serialisation buffers, reused across items.
            let (mut filing_buf, mut diag_buf, mut decision_buf) = (Vec::new(), Vec::new(), Vec::new());
            for item in items {
                match item {
                    BatchItem::Accepted(a) => {
                        check_accepted(a)?;
                        let f = &a.filing;
                        let filing_json = json_into(&mut filing_buf, f)?;
                        let diagnostics_json = json_into(&mut diag_buf, &a.diagnostics)?;
                        let filed_at = f.times.filed_at.map(fmt_time);
                        let inserted = ins_filing.execute(params![
                            f.id,
                            f.version,
                            status_str(f.status),
                            filed_at,
                            a.input.source,
                            a.input.line,
                            a.raw,
                            filing_json,
                            diagnostics_json,
                            now,
                        ])?;
                        if inserted == 0 {
                            // Already stored (earlier batch or earlier in this one): its decision stands.
                            let json: Option<String> =
                                sel_decision.query_row(params![f.id, f.version], |r| r.get(0)).optional()?;
                            let json = json.ok_or_else(|| {
                                corrupt(format_args!("filing {:?} version {} has no decision", f.id, f.version))
                            })?;
                            outcomes.push(Outcome::Duplicate(Box::new(decision_from_json(&json)?)));
                            continue;
                        }
                        let d = &a.decision;
                        let decision_json = json_into(&mut decision_buf, d)?;
                        let lane = d.lane.as_str();
                        ins_decision.execute(params![
                            f.id,
                            f.version,
                            lane,
                            d.score,
                            decision_json,
                            d.engine_version,
                            d.config_hash,
                            now,
                        ])?;
                        upsert_latest.execute(params![f.id, f.version, lane])?;
                        outcomes.push(Outcome::Stored);
                    }
                    BatchItem::Rejected(r) => {
                        let hash = content_hash(&r.raw);
                        let diagnostics_json = json_into(&mut diag_buf, &r.diagnostics)?;
                        let inserted = ins_reject.execute(params![
                            hash,
                            r.input.source,
                            r.input.line,
                            r.raw,
                            diagnostics_json,
                            now
                        ])?;
                        outcomes.push(Outcome::Rejected { new: inserted > 0 });
                    }
                }
            }
        }
        tx.commit()?;
        Ok(outcomes)
    }

    fn history(&mut self, filing_id: &str) -> Result<History> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.version, f.status, f.filed_at, d.lane, d.score, f.stored_at \
             FROM filings f LEFT JOIN decisions d ON d.filing_id = f.filing_id AND d.version = f.version \
             WHERE f.filing_id = ?1 ORDER BY f.version",
        )?;
        let mut rows = stmt.query(params![filing_id])?;
        let mut versions = Vec::new();
        while let Some(row) = rows.next()? {
            let status: String = row.get(1)?;
            let filed_at: Option<String> = row.get(2)?;
            let lane: Option<String> = row.get(3)?;
            let stored_at: String = row.get(5)?;
            versions.push(VersionInfo {
                version: to_version(row.get(0)?)?,
                status: parse_status(&status)?,
                filed_at: filed_at.as_deref().map(parse_time).transpose()?,
                lane: lane.as_deref().map(parse_lane).transpose()?,
                score: row.get(4)?,
                stored_at: parse_time(&stored_at)?,
            });
        }
        Ok(History { versions })
    }

    fn filing(&mut self, filing_id: &str, version: u32) -> Result<Option<Filing>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT filing_json FROM filings WHERE filing_id = ?1 AND version = ?2")?;
        let json: Option<String> = stmt.query_row(params![filing_id, version], |r| r.get(0)).optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    fn decision(&mut self, filing_id: &str, version: u32) -> Result<Option<Decision>> {
        let mut stmt = self.conn.prepare_cached(SELECT_DECISION)?;
        let json: Option<String> = stmt.query_row(params![filing_id, version], |r| r.get(0)).optional()?;
        json.map(|j| decision_from_json(&j)).transpose()
    }

    fn latest_decision(&mut self, filing_id: &str) -> Result<Option<Decision>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT decision_json FROM decisions WHERE filing_id = ?1 ORDER BY version DESC LIMIT 1")?;
        let json: Option<String> = stmt.query_row(params![filing_id], |r| r.get(0)).optional()?;
        json.map(|j| decision_from_json(&j)).transpose()
    }

    fn raw_input(&mut self, filing_id: &str, version: u32) -> Result<Option<Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached("SELECT raw FROM filings WHERE filing_id = ?1 AND version = ?2")?;
        Ok(stmt.query_row(params![filing_id, version], |r| r.get(0)).optional()?)
    }

    fn rejects(&mut self, limit: usize) -> Result<Vec<RejectRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, line, hash, raw, diagnostics_json, stored_at FROM rejects ORDER BY seq DESC LIMIT ?1",
        )?;
        let mut rows = stmt.query(params![limit])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let diagnostics: String = row.get(4)?;
            let stored_at: String = row.get(5)?;
            out.push(RejectRecord {
                source: row.get(0)?,
                line: to_line(row.get(1)?)?,
                hash: row.get(2)?,
                raw: row.get(3)?,
                diagnostics: serde_json::from_str::<Vec<Diagnostic>>(&diagnostics)?,
                stored_at: parse_time(&stored_at)?,
            });
        }
        Ok(out)
    }

    fn upsert_memberships(&mut self, memberships: &[Membership]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(UPSERT_MEMBERSHIP)?;
            for m in memberships {
                let json = serde_json::to_string(m)?;
                stmt.execute(params![m.program.as_str(), m.member_id, json])?;
            }
        }
        tx.commit()?;
        Ok(memberships.len())
    }

    fn memberships(&mut self) -> Result<Vec<Membership>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT membership_json FROM memberships ORDER BY program, member_id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            out.push(serde_json::from_str(&json)?);
        }
        Ok(out)
    }

    fn stats(&mut self) -> Result<Stats> {
        let count = |v: i64| u64::try_from(v).map_err(|_| corrupt(format_args!("negative count {v}")));
        let (filings, versions, decisions, rejected, memberships): (i64, i64, i64, i64, i64) =
            self.conn.query_row(
                "SELECT (SELECT COUNT(*) FROM latest), (SELECT COUNT(*) FROM filings), \
                 (SELECT COUNT(*) FROM decisions), (SELECT COUNT(*) FROM rejects), \
                 (SELECT COUNT(*) FROM memberships)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
        let mut stats = Stats {
            filings: count(filings)?,
            versions: count(versions)?,
            decisions: count(decisions)?,
            rejected: count(rejected)?,
            memberships: count(memberships)?,
            ..Stats::default()
        };
        let mut stmt = self.conn.prepare_cached("SELECT lane, COUNT(*) FROM latest GROUP BY lane")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let lane: String = row.get(0)?;
            let lane = parse_lane(&lane)?;
            stats.lanes.insert(lane.as_str().to_owned(), count(row.get(1)?)?);
        }
        Ok(stats)
    }
}
