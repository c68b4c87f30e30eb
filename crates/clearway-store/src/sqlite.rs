//! The embedded default backend. Principal type: [`SqliteStore`].
//!
//! One database file in WAL mode with `synchronous=NORMAL`: a committed batch survives the process being
//! killed (`kill -9`); a power loss may lose the last batches but never corrupts the file. The schema is
//! created or migrated when the store is opened; its version is kept in `PRAGMA user_version`.
//!
//! Tables: `versions` (the key of every stored version, its lane and the row holding it), `filings` (one
//! row per stored version: the raw input, the parsed filing unless the raw input is already its
//! canonical JSON, and the decision that stands on it), `rejects` (rejected inputs, unique by content
//! hash) and `memberships`.
//!
//! Write cost: filing ids arrive in no particular order, so every B-tree keyed by filing id has a batch's
//! inserts spread over many pages, and each page a commit touches is written whole to the WAL (and again
//! by the checkpoint). The schema therefore keeps exactly one such tree, `versions`, with small entries;
//! the large rows go to `filings`, which is keyed by an ever-increasing row number (appends only).

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use clearway_core::{Decision, Diagnostic, Filing, Membership};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::codec::{
    canonical_json, check_accepted, corrupt, fmt_time, parse_lane, parse_status, parse_time, status_str, to_line, to_version,
};
use crate::{
    BatchItem, ExamStore, FilingStore, History, Outcome, RejectRecord, Result, SelectionStore, Stats, StoreError, VersionInfo,
    content_hash,
};

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    //
    // `versions` is the only tree keyed by filing id (see the module docs): it makes `(filing_id, version)`
    // unique, finds the `filings` row and, with `lane`, answers `stats` without reading `filings`.
    // `filings` holds one row per stored version with the decision that stands on it; small columns come
    // first, the large ones last. `filing_json` is NULL when the raw input bytes are exactly the canonical
    // JSON of the parsed filing (Clearway's own JSON Lines): the filing is then parsed back from `raw`
    // instead of being stored twice.
    "CREATE TABLE versions (
        filing_id TEXT    NOT NULL,
        version   INTEGER NOT NULL,
        lane      TEXT    NOT NULL,
        row       INTEGER NOT NULL,
        PRIMARY KEY (filing_id, version)
    ) WITHOUT ROWID;
    CREATE TABLE filings (
        row              INTEGER PRIMARY KEY,
        filing_id        TEXT    NOT NULL,
        version          INTEGER NOT NULL,
        status           TEXT    NOT NULL,
        filed_at         TEXT,
        lane             TEXT    NOT NULL,
        score            REAL,
        engine_version   TEXT    NOT NULL,
        config_hash      TEXT    NOT NULL,
        input_source     TEXT    NOT NULL,
        input_line       INTEGER NOT NULL,
        stored_at        TEXT    NOT NULL,
        diagnostics_json TEXT    NOT NULL,
        decision_json    TEXT    NOT NULL,
        filing_json      TEXT,
        raw              BLOB    NOT NULL
    );
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

const NEXT_ROW: &str = "SELECT COALESCE(MAX(row), 0) + 1 FROM filings";
const INSERT_VERSION: &str = "INSERT INTO versions (filing_id, version, lane, row) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (filing_id, version) DO NOTHING";
const INSERT_FILING: &str = "INSERT INTO filings (row, filing_id, version, status, filed_at, lane, score, \
     engine_version, config_hash, input_source, input_line, stored_at, diagnostics_json, decision_json, \
     filing_json, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
/// Selects columns of `filings` by key: `{}` is the column list.
macro_rules! by_key {
    ($cols:literal) => {
        concat!(
            "SELECT ",
            $cols,
            " FROM versions v JOIN filings f ON f.row = v.row WHERE v.filing_id = ?1 AND v.version = ?2"
        )
    };
}
const SELECT_DECISION: &str = by_key!("f.decision_json");
const INSERT_REJECT: &str = "INSERT INTO rejects (hash, source, line, raw, diagnostics_json, stored_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (hash) DO NOTHING";
const UPSERT_MEMBERSHIP: &str = "INSERT INTO memberships (program, member_id, membership_json) VALUES (?1, ?2, ?3) \
     ON CONFLICT (program, member_id) DO UPDATE SET membership_json = excluded.membership_json";

/// The SQLite store: one file (or memory), one connection.
pub struct SqliteStore {
    pub(crate) conn: Connection,
    /// The exam tables exist (created once per store object, on first use: see `exams.rs`).
    pub(crate) exams_ready: bool,
    /// The list tables exist (likewise, `lists.rs`).
    pub(crate) lists_ready: bool,
    /// The user tables exist (`users.rs`).
    pub(crate) users_ready: bool,
    /// The audit tables exist (`audit.rs`).
    pub(crate) audit_ready: bool,
    /// The case tables exist (`cases.rs`).
    pub(crate) cases_ready: bool,
    /// The licence tables exist (`licences.rs`).
    pub(crate) licences_ready: bool,
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
        // Only takes effect on a new, empty database. Measured (100,000-400,000 synthetic filings of
        // ~3.7 KB stored each, batches of 1,000): 32 KiB pages write ~1.5x faster than 16 KiB and ~2x
        // faster than 4 KiB (fewer WAL frames, less per-row and per-page work) and waste less space.
        // `wal_autocheckpoint` (1,000 to 6,000 pages) and `cache_size` (32 to 128 MiB) made no
        // measurable difference, so they stay small and memory stays flat.
        conn.pragma_update(None, "page_size", 32768)?;
        // Returns the mode in force ("memory" for an in-memory database).
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -131072)?; // 128 MiB: the id index of a few million filings stays in memory
        conn.set_prepared_statement_cache_capacity(32);
        migrate(&mut conn)?;
        Ok(SqliteStore { conn, exams_ready: false, lists_ready: false, users_ready: false, audit_ready: false, cases_ready: false, licences_ready: false })
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

/// The filing of a row whose first two columns are `filing_json, raw` (NULL `filing_json`: the raw input
/// is the canonical JSON). Parsed from the row's borrowed bytes, without copying them.
fn filing_of(row: &rusqlite::Row<'_>) -> Result<Filing> {
    Ok(match row.get_ref(0)?.as_str_or_null().map_err(rusqlite::Error::from)? {
        Some(json) => serde_json::from_str(json)?,
        None => serde_json::from_slice(row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?,
    })
}

impl FilingStore for SqliteStore {
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        let now = fmt_time(Utc::now());
        let mut outcomes = Vec::with_capacity(items.len());
        if crate::licences::batch_draws(items) {
            self.licences_init()?;
        }
        // Dropping the transaction without commit (on any `?` below) rolls the whole batch back.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins_filing = tx.prepare_cached(INSERT_FILING)?;
            let mut ins_version = tx.prepare_cached(INSERT_VERSION)?;
            // The write lock is held (IMMEDIATE): nobody else appends rows until commit.
            let mut next_row: i64 = tx.prepare_cached(NEXT_ROW)?.query_row([], |r| r.get(0))?;
            let mut sel_decision = tx.prepare_cached(SELECT_DECISION)?;
            let mut ins_reject = tx.prepare_cached(INSERT_REJECT)?;
            // Serialisation buffers, reused across items.
            let (mut filing_buf, mut diag_buf, mut decision_buf) = (Vec::new(), Vec::new(), Vec::new());
            for item in items {
                match item {
                    BatchItem::Accepted(a) => {
                        check_accepted(a)?;
                        let f = &a.filing;
                        let d = &a.decision;
                        let lane = d.lane.as_str();
                        if ins_version.execute(params![f.id, f.version, lane, next_row])? == 0 {
                            // Already stored (earlier batch or earlier in this one): its decision stands.
                            let json: Option<String> =
                                sel_decision.query_row(params![f.id, f.version], |r| r.get(0)).optional()?;
                            let json = json.ok_or_else(|| {
                                corrupt(format_args!("filing {:?} version {} has no decision", f.id, f.version))
                            })?;
                            outcomes.push(Outcome::Duplicate(Box::new(decision_from_json(&json)?)));
                            continue;
                        }
                        // NULL when the raw bytes are the canonical JSON (see the schema).
                        let filing_json = canonical_json(&mut filing_buf, f, &a.raw)?;
                        let diagnostics_json = json_into(&mut diag_buf, &a.diagnostics)?;
                        let decision_json = json_into(&mut decision_buf, d)?;
                        ins_filing.execute(params![
                            next_row,
                            f.id,
                            f.version,
                            status_str(f.status),
                            f.times.filed_at.map(fmt_time),
                            lane,
                            d.score,
                            d.engine_version,
                            d.config_hash,
                            a.input.source,
                            a.input.line,
                            now,
                            diagnostics_json,
                            decision_json,
                            filing_json,
                            a.raw,
                        ])?;
                        // Licence draws of the new decision, in this transaction (licences.rs).
                        let draws = crate::licences::decision_draws(d);
                        if !draws.is_empty() {
                            crate::licences::sqlite_draw(&tx, &f.id, f.version, &draws, &now)?;
                        }
                        next_row += 1;
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
            "SELECT v.version, f.status, f.filed_at, f.lane, f.score, f.stored_at \
             FROM versions v JOIN filings f ON f.row = v.row WHERE v.filing_id = ?1 ORDER BY v.version",
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
        let mut stmt = self
            .conn
            .prepare_cached(by_key!("f.filing_json, f.raw"))?;
        let mut rows = stmt.query(params![filing_id, version])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        Ok(Some(filing_of(row)?))
    }

    fn decision(&mut self, filing_id: &str, version: u32) -> Result<Option<Decision>> {
        let mut stmt = self.conn.prepare_cached(SELECT_DECISION)?;
        let json: Option<String> = stmt.query_row(params![filing_id, version], |r| r.get(0)).optional()?;
        json.map(|j| decision_from_json(&j)).transpose()
    }

    fn latest_decision(&mut self, filing_id: &str) -> Result<Option<Decision>> {
        let mut stmt = self
            .conn
            .prepare_cached(
            "SELECT f.decision_json FROM versions v JOIN filings f ON f.row = v.row \
             WHERE v.filing_id = ?1 ORDER BY v.version DESC LIMIT 1",
        )?;
        let json: Option<String> = stmt.query_row(params![filing_id], |r| r.get(0)).optional()?;
        json.map(|j| decision_from_json(&j)).transpose()
    }

    fn raw_input(&mut self, filing_id: &str, version: u32) -> Result<Option<Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached(by_key!("f.raw"))?;
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
        // Every stored version carries its decision: versions and decisions are the same count. Reads
        // only the small `versions` tree.
        let (filings, versions, rejected, memberships): (i64, i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT COUNT(DISTINCT filing_id) FROM versions), (SELECT COUNT(*) FROM versions), \
             (SELECT COUNT(*) FROM rejects), (SELECT COUNT(*) FROM memberships)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut stats = Stats {
            filings: count(filings)?,
            versions: count(versions)?,
            decisions: count(versions)?,
            rejected: count(rejected)?,
            memberships: count(memberships)?,
            ..Stats::default()
        };
        let mut stmt = self.conn.prepare_cached(
            // With MAX(), SQLite takes the bare column `lane` from the row holding the maximum: the lane
            // of each filing's latest version.
            "SELECT lane, COUNT(*) FROM (SELECT lane, MAX(version) FROM versions GROUP BY filing_id) GROUP BY lane",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let lane: String = row.get(0)?;
            let lane = parse_lane(&lane)?;
            stats.lanes.insert(lane.as_str().to_owned(), count(row.get(1)?)?);
        }
        Ok(stats)
    }

    fn decisions_filed(
        &mut self,
        from: Option<chrono::DateTime<Utc>>,
        to: Option<chrono::DateTime<Utc>>,
    ) -> Result<Vec<crate::exams::StoredDecision>> {
        crate::exams::sqlite_decisions(&mut self.conn, from, to)
    }

    fn scan_filings(&mut self, f: &mut dyn FnMut(&Filing)) -> Result<usize> {
        // One statement (one read snapshot), stepped row by row in storage order: one filing in memory at
        // a time. Only the filing columns are read; `decision_json` is never fetched.
        let mut stmt = self.conn.prepare_cached("SELECT filing_json, raw FROM filings ORDER BY row")?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            f(&filing_of(row)?);
            n += 1;
        }
        Ok(n)
    }
}

impl ExamStore for SqliteStore {
    fn record_exams(&mut self, exams: &[crate::exams::ExamResult]) -> Result<usize> {
        crate::exams::sqlite_record(self, exams)
    }

    fn exam_results(&mut self) -> Result<Vec<crate::exams::ExamResult>> {
        crate::exams::sqlite_exams(self)
    }
}

impl SelectionStore for SqliteStore {
    fn record_selections(&mut self, sel: &[crate::exams::SelectionRecord]) -> Result<usize> {
        crate::exams::sqlite_record_selections(self, sel)
    }

    fn selections(&mut self) -> Result<Vec<crate::exams::SelectionRecord>> {
        crate::exams::sqlite_selections(self)
    }
}
