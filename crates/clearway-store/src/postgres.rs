//! The PostgreSQL backend, for deployments that outgrow one machine. Principal type: [`PgStore`].
//!
//! Same tables and semantics as the SQLite backend. A batch is one transaction and a handful of
//! statements whatever its size: rows go in as arrays (`INSERT ... SELECT * FROM UNNEST(...)`) with
//! `ON CONFLICT DO NOTHING ... RETURNING`, which tells which items were new. Several workers may write
//! to the same database at once: a `(filing_id, version)` is still stored once and its first committed
//! decision stands. JSON is kept as TEXT (it may contain `\u0000`, which JSONB refuses); times are
//! TIMESTAMPTZ (microsecond precision); the schema version is kept in table `clearway_schema`.
//! `filings.filing_json` is NULL when the raw input bytes are exactly the canonical JSON of the parsed
//! filing (Clearway's own JSON Lines): the filing is then parsed back from `raw`, not stored twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, Membership};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::codec::{canonical_json, check_accepted, corrupt, line_to_i64, parse_lane, parse_status, status_str, to_line, to_version};
use crate::{
    BatchItem, ExamStore, FilingStore, History, Outcome, RejectRecord, Result, SelectionStore, Stats, StoreError, VersionInfo,
    content_hash,
};

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i32 = 2;

/// Serialises concurrent migrations (`pg_advisory_xact_lock`); "clearway" in ASCII.
const MIGRATION_LOCK: i64 = 0x636c_6561_7277_6179;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    "CREATE TABLE filings (
        filing_id        TEXT        NOT NULL,
        version          BIGINT      NOT NULL,
        status           TEXT        NOT NULL,
        filed_at         TIMESTAMPTZ,
        input_source     TEXT        NOT NULL,
        input_line       BIGINT      NOT NULL,
        raw              BYTEA       NOT NULL,
        filing_json      TEXT,
        diagnostics_json TEXT        NOT NULL,
        stored_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (filing_id, version)
    );
    CREATE TABLE decisions (
        filing_id      TEXT             NOT NULL,
        version        BIGINT           NOT NULL,
        lane           TEXT             NOT NULL,
        score          DOUBLE PRECISION,
        decision_json  TEXT             NOT NULL,
        engine_version TEXT             NOT NULL,
        config_hash    TEXT             NOT NULL,
        decided_at     TIMESTAMPTZ      NOT NULL DEFAULT now(),
        PRIMARY KEY (filing_id, version)
    );
    CREATE TABLE latest (
        filing_id TEXT   NOT NULL PRIMARY KEY,
        version   BIGINT NOT NULL,
        lane      TEXT   NOT NULL
    );
    CREATE TABLE rejects (
        seq              BIGSERIAL   PRIMARY KEY,
        hash             TEXT        NOT NULL UNIQUE,
        source           TEXT        NOT NULL,
        line             BIGINT      NOT NULL,
        raw              BYTEA       NOT NULL,
        diagnostics_json TEXT        NOT NULL,
        stored_at        TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE TABLE memberships (
        program         TEXT NOT NULL,
        member_id       TEXT NOT NULL,
        membership_json TEXT NOT NULL,
        PRIMARY KEY (program, member_id)
    );",
    // 1 -> 2: LZ4 instead of pglz for the large values (raw input ~2.4 KB, over the TOAST threshold):
    // several times faster to compress, about the same size. Servers without LZ4 (built without it, or
    // before 14) keep pglz: the migration still succeeds.
    "DO $$ BEGIN
        ALTER TABLE filings ALTER COLUMN raw SET COMPRESSION lz4,
            ALTER COLUMN filing_json SET COMPRESSION lz4, ALTER COLUMN diagnostics_json SET COMPRESSION lz4;
        ALTER TABLE decisions ALTER COLUMN decision_json SET COMPRESSION lz4;
    EXCEPTION WHEN others THEN NULL;
    END $$;",
];

const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

/// Statements prepared once per connection.
struct Stmts {
    insert_filings: Statement,
    select_decisions: Statement,
    stored_keys: Statement,
    insert_decisions: Statement,
    upsert_latest: Statement,
    insert_rejects: Statement,
    upsert_memberships: Statement,
    history: Statement,
    filing: Statement,
    decision: Statement,
    latest_decision: Statement,
    raw_input: Statement,
    rejects: Statement,
    memberships: Statement,
    counts: Statement,
    lanes: Statement,
    scan_filings: Statement,
}

impl Stmts {
    fn prepare(c: &mut Client) -> Result<Self> {
        Ok(Stmts {
            insert_filings: c.prepare(
                "INSERT INTO filings (filing_id, version, status, filed_at, input_source, input_line, raw, \
                 filing_json, diagnostics_json) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], \
                 $6::bigint[], $7::bytea[], $8::text[], $9::text[]) \
                 ON CONFLICT (filing_id, version) DO NOTHING RETURNING filing_id, version",
            )?,
            select_decisions: c.prepare(
                "SELECT d.filing_id, d.version, d.decision_json FROM decisions d \
                 JOIN UNNEST($1::text[], $2::bigint[]) AS k(filing_id, version) \
                 ON d.filing_id = k.filing_id AND d.version = k.version",
            )?,
            // The versions of a batch already stored, with their decisions (NULL: a filing without one,
            // which is corrupt).
            stored_keys: c.prepare(
                "SELECT f.filing_id, f.version, d.decision_json FROM filings f \
                 JOIN UNNEST($1::text[], $2::bigint[]) AS k(filing_id, version) \
                 ON f.filing_id = k.filing_id AND f.version = k.version \
                 LEFT JOIN decisions d ON d.filing_id = f.filing_id AND d.version = f.version",
            )?,
            insert_decisions: c.prepare(
                "INSERT INTO decisions (filing_id, version, lane, score, decision_json, engine_version, config_hash) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::float8[], $5::text[], $6::text[], \
                 $7::text[]) ON CONFLICT (filing_id, version) DO NOTHING",
            )?,
            upsert_latest: c.prepare(
                "INSERT INTO latest (filing_id, version, lane) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[]) \
                 ON CONFLICT (filing_id) DO UPDATE SET version = EXCLUDED.version, lane = EXCLUDED.lane \
                 WHERE latest.version < EXCLUDED.version",
            )?,
            insert_rejects: c.prepare(
                "INSERT INTO rejects (hash, source, line, raw, diagnostics_json) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::text[]) \
                 ON CONFLICT (hash) DO NOTHING RETURNING hash",
            )?,
            upsert_memberships: c.prepare(
                "INSERT INTO memberships (program, member_id, membership_json) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[]) \
                 ON CONFLICT (program, member_id) DO UPDATE SET membership_json = EXCLUDED.membership_json",
            )?,
            history: c.prepare(
                "SELECT f.version, f.status, f.filed_at, d.lane, d.score, f.stored_at \
                 FROM filings f LEFT JOIN decisions d ON d.filing_id = f.filing_id AND d.version = f.version \
                 WHERE f.filing_id = $1 ORDER BY f.version",
            )?,
            filing: c.prepare("SELECT filing_json, raw FROM filings WHERE filing_id = $1 AND version = $2")?,
            decision: c.prepare("SELECT decision_json FROM decisions WHERE filing_id = $1 AND version = $2")?,
            latest_decision: c.prepare(
                "SELECT decision_json FROM decisions WHERE filing_id = $1 ORDER BY version DESC LIMIT 1",
            )?,
            raw_input: c.prepare("SELECT raw FROM filings WHERE filing_id = $1 AND version = $2")?,
            rejects: c.prepare(
                "SELECT source, line, hash, raw, diagnostics_json, stored_at FROM rejects ORDER BY seq DESC LIMIT $1",
            )?,
            memberships: c.prepare("SELECT membership_json FROM memberships ORDER BY program COLLATE \"C\", member_id COLLATE \"C\"")?,
            counts: c.prepare(
                "SELECT (SELECT COUNT(*) FROM latest), (SELECT COUNT(*) FROM filings), \
                 (SELECT COUNT(*) FROM decisions), (SELECT COUNT(*) FROM rejects), \
                 (SELECT COUNT(*) FROM memberships)",
            )?,
            lanes: c.prepare("SELECT lane, COUNT(*) FROM latest GROUP BY lane")?,
            // Only `filings` (decisions live in their own table); no ORDER BY, so no sort: a plain scan.
            scan_filings: c.prepare("SELECT filing_json, raw FROM filings")?,
        })
    }
}

/// The PostgreSQL store: one connection.
pub struct PgStore {
    pub(crate) client: Client,
    stmts: Stmts,
    /// The exam tables exist (created once per connection, on first use: see `exams.rs`).
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

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// Quote an SQL identifier.
fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl PgStore {
    /// Connect (`host=... user=... dbname=...` or a `postgresql://` URL) and bring the schema up to date
    /// in the connection's default `search_path`.
    pub fn connect(url: &str) -> Result<Self> {
        Self::init(Client::connect(url, NoTls)?)
    }

    /// Connect and work in `schema` (created if missing; it becomes the session's `search_path`).
    pub fn connect_with_schema(url: &str, schema: &str) -> Result<Self> {
        if schema.is_empty() || schema.contains('\0') {
            return Err(StoreError::Other(format!("invalid schema name {schema:?}")));
        }
        let mut client = Client::connect(url, NoTls)?;
        let q = quote_ident(schema);
        client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {q}; SET search_path TO {q}"))?;
        Self::init(client)
    }

    fn init(mut client: Client) -> Result<Self> {
        migrate(&mut client)?;
        let stmts = Stmts::prepare(&mut client)?;
        Ok(PgStore { client, stmts, exams_ready: false, lists_ready: false, users_ready: false, audit_ready: false, cases_ready: false, licences_ready: false })
    }

    /// The schema version of the connected database.
    pub fn schema_version(&mut self) -> Result<i32> {
        let row = self.client.query_one("SELECT COALESCE(MAX(version), 0) FROM clearway_schema", &[])?;
        Ok(row.try_get(0)?)
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS clearway_schema (version INTEGER NOT NULL)")?;
    let current: i32 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM clearway_schema", &[])?.try_get(0)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Other(format!(
            "database schema version {current} is newer than this build supports ({SCHEMA_VERSION})"
        )));
    }
    if current == SCHEMA_VERSION {
        return Ok(()); // the transaction rolls back: nothing was changed
    }
    let from = usize::try_from(current).map_err(|_| corrupt(format_args!("schema version {current}")))?;
    for sql in MIGRATIONS.iter().skip(from) {
        tx.batch_execute(sql)?;
    }
    tx.execute("DELETE FROM clearway_schema", &[])?;
    tx.execute("INSERT INTO clearway_schema (version) VALUES ($1)", &[&SCHEMA_VERSION])?;
    tx.commit()?;
    Ok(())
}

/// Run `ddl` (`CREATE TABLE IF NOT EXISTS ...`) once per connection: under the advisory lock `lock`, so
/// concurrent first uses do not race, and not again once `ready` is set.
pub(crate) fn create_once(client: &mut Client, ready: &mut bool, lock: i64, ddl: &str) -> Result<()> {
    if *ready {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
    tx.batch_execute(ddl)?;
    tx.commit()?;
    *ready = true;
    Ok(())
}

fn decision_from_json(json: &str) -> Result<Decision> {
    Ok(serde_json::from_str(json)?)
}

/// Rows fetched per round trip by [`FilingStore::scan_filings`] (a stored filing is a few KB).
const SCAN_BATCH: i32 = 1000;

/// The filing of a row whose first two columns are `filing_json, raw` (NULL `filing_json`: the raw input
/// is the canonical JSON).
fn filing_of(row: &Row) -> Result<Filing> {
    Ok(match row.try_get::<_, Option<&str>>(0)? {
        Some(json) => serde_json::from_str(json)?,
        None => serde_json::from_slice(row.try_get::<_, &[u8]>(1)?)?,
    })
}

fn count(row: &Row, i: usize) -> Result<u64> {
    let v: i64 = row.try_get(i)?;
    u64::try_from(v).map_err(|_| corrupt(format_args!("negative count {v}")))
}

/// What a batch item turns into.
enum Plan {
    /// First occurrence of its `(filing_id, version)` in the batch.
    First,
    /// Repeats the accepted item at this index.
    Repeat(usize),
    /// A rejected input with its hash; `first` when no earlier item of the batch has the same hash.
    Reject { hash: String, first: bool },
}

impl PgStore {
    /// The array path (`INSERT ... SELECT * FROM UNNEST(...) ON CONFLICT DO NOTHING`): handles every
    /// batch (rejected inputs, licence draws, a version another writer is storing at the same moment).
    /// [`FilingStore::write_batch`] takes it when the COPY path declines; public so that a benchmark can
    /// compare the two.
    pub fn write_batch_unnest(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        if crate::licences::batch_draws(items) {
            self.licences_init()?;
        }
        let PgStore { client, stmts, .. } = self;

        // Which items are first occurrences (of a filing version, or of a rejected input's content).
        let mut first_of: HashMap<(&str, u32), usize> = HashMap::new();
        let mut first_hash: HashSet<String> = HashSet::new();
        let mut plans = Vec::with_capacity(items.len());
        let mut firsts: Vec<usize> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            plans.push(match item {
                BatchItem::Accepted(a) => match first_of.get(&(a.filing.id.as_str(), a.filing.version)) {
                    Some(&j) => Plan::Repeat(j),
                    None => {
                        first_of.insert((a.filing.id.as_str(), a.filing.version), i);
                        firsts.push(i);
                        Plan::First
                    }
                },
                BatchItem::Rejected(r) => {
                    let hash = content_hash(&r.raw);
                    let first = first_hash.insert(hash.clone());
                    Plan::Reject { hash, first }
                }
            });
        }
        let accepted = |i: usize| match &items[i] {
            BatchItem::Accepted(a) => Ok(a),
            BatchItem::Rejected(_) => Err(StoreError::Other("internal: planned item is not accepted".into())),
        };
        // Key order, so that concurrent writers take row locks in the same order.
        firsts.sort_by(|&x, &y| match (&items[x], &items[y]) {
            (BatchItem::Accepted(a), BatchItem::Accepted(b)) => {
                (a.filing.id.as_str(), a.filing.version).cmp(&(b.filing.id.as_str(), b.filing.version))
            }
            _ => std::cmp::Ordering::Equal,
        });

        // Dropping the transaction without commit (on any `?` below) rolls the whole batch back.
        let mut tx = client.transaction()?;
        let mut inserted = vec![false; items.len()];

        // 1. Filings.
        if !firsts.is_empty() {
            let n = firsts.len();
            let (mut ids, mut versions, mut statuses, mut filed) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::<Option<DateTime<Utc>>>::with_capacity(n),
            );
            let (mut sources, mut lines, mut raws, mut jsons, mut diags) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::<&[u8]>::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            let mut buf = Vec::new();
            for &i in &firsts {
                let a = accepted(i)?;
                ids.push(a.filing.id.as_str());
                versions.push(i64::from(a.filing.version));
                statuses.push(status_str(a.filing.status));
                filed.push(a.filing.times.filed_at);
                sources.push(a.input.source.as_str());
                lines.push(line_to_i64(a.input.line)?);
                raws.push(a.raw.as_slice());
                // NULL when the raw bytes are the canonical JSON.
                jsons.push(canonical_json(&mut buf, &a.filing, &a.raw)?.map(str::to_owned));
                diags.push(serde_json::to_string(&a.diagnostics)?);
            }
            let params: [&(dyn ToSql + Sync); 9] =
                [&ids, &versions, &statuses, &filed, &sources, &lines, &raws, &jsons, &diags];
            for row in tx.query(&stmts.insert_filings, &params)? {
                let id: &str = row.try_get(0)?;
                let version = to_version(row.try_get(1)?)?;
                let i = first_of
                    .get(&(id, version))
                    .ok_or_else(|| StoreError::Other(format!("internal: unexpected row {id:?} {version}")))?;
                inserted[*i] = true;
            }
        }

        // Every decision must belong to its filing; a bad item fails (and rolls back) the whole batch.
        for item in items {
            if let BatchItem::Accepted(a) = item {
                check_accepted(a)?;
            }
        }

        // 2. Decisions that stand on versions stored before this batch.
        let mut stood: HashMap<usize, Decision> = HashMap::new();
        let old: Vec<usize> = firsts.iter().copied().filter(|&i| !inserted[i]).collect();
        if !old.is_empty() {
            let mut ids = Vec::with_capacity(old.len());
            let mut versions = Vec::with_capacity(old.len());
            for &i in &old {
                let a = accepted(i)?;
                ids.push(a.filing.id.as_str());
                versions.push(i64::from(a.filing.version));
            }
            for row in tx.query(&stmts.select_decisions, &[&ids, &versions])? {
                let id: &str = row.try_get(0)?;
                let version = to_version(row.try_get(1)?)?;
                let json: &str = row.try_get(2)?;
                if let Some(&i) = first_of.get(&(id, version)) {
                    stood.insert(i, decision_from_json(json)?);
                }
            }
        }

        // 3. New decisions, and the latest version of each filing.
        let new: Vec<usize> = firsts.iter().copied().filter(|&i| inserted[i]).collect();
        if !new.is_empty() {
            let n = new.len();
            let (mut ids, mut versions, mut lanes, mut scores) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            let (mut jsons, mut engines, mut configs) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            // filing id -> (version, lane) of the highest version in this batch
            let mut latest: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
            for &i in &new {
                let a = accepted(i)?;
                let d = &a.decision;
                let version = i64::from(a.filing.version);
                ids.push(a.filing.id.as_str());
                versions.push(version);
                lanes.push(d.lane.as_str());
                scores.push(d.score);
                jsons.push(serde_json::to_string(d)?);
                engines.push(d.engine_version.as_str());
                configs.push(d.config_hash.as_str());
                let e = latest.entry(a.filing.id.as_str()).or_insert((version, d.lane.as_str()));
                if version > e.0 {
                    *e = (version, d.lane.as_str());
                }
            }
            tx.execute(&stmts.insert_decisions, &[&ids, &versions, &lanes, &scores, &jsons, &engines, &configs])?;
            let mut l_ids = Vec::with_capacity(latest.len());
            let mut l_versions = Vec::with_capacity(latest.len());
            let mut l_lanes = Vec::with_capacity(latest.len());
            for (id, (version, lane)) in latest {
                l_ids.push(id);
                l_versions.push(version);
                l_lanes.push(lane);
            }
            tx.execute(&stmts.upsert_latest, &[&l_ids, &l_versions, &l_lanes])?;
            // Licence draws of the new decisions, in this transaction (licences.rs), in key order.
            let now = Utc::now();
            for &i in &new {
                let a = accepted(i)?;
                let draws = crate::licences::decision_draws(&a.decision);
                if !draws.is_empty() {
                    crate::licences::pg_draw(&mut tx, &a.filing.id, a.filing.version, &draws, now)?;
                }
            }
        }

        // 4. Rejected inputs.
        let mut new_hashes: HashSet<String> = HashSet::new();
        {
            let (mut hashes, mut sources, mut lines, mut raws, mut diags) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::<&[u8]>::new(), Vec::new());
            for (item, plan) in items.iter().zip(&plans) {
                if let (BatchItem::Rejected(r), Plan::Reject { hash, first: true }) = (item, plan) {
                    hashes.push(hash.as_str());
                    sources.push(r.input.source.as_str());
                    lines.push(line_to_i64(r.input.line)?);
                    raws.push(r.raw.as_slice());
                    diags.push(serde_json::to_string(&r.diagnostics)?);
                }
            }
            if !hashes.is_empty() {
                for row in tx.query(&stmts.insert_rejects, &[&hashes, &sources, &lines, &raws, &diags])? {
                    new_hashes.insert(row.try_get(0)?);
                }
            }
        }

        // 5. Outcomes, in batch order.
        let mut outcomes = Vec::with_capacity(items.len());
        for (i, plan) in plans.iter().enumerate() {
            let j = match plan {
                Plan::Reject { hash, first } => {
                    outcomes.push(Outcome::Rejected { new: *first && new_hashes.contains(hash) });
                    continue;
                }
                Plan::First if inserted[i] => {
                    outcomes.push(Outcome::Stored);
                    continue;
                }
                Plan::First => i,
                Plan::Repeat(j) => *j,
            };
            let decision = if inserted[j] {
                accepted(j)?.decision.clone()
            } else {
                let a = accepted(j)?;
                stood.get(&j).cloned().ok_or_else(|| {
                    corrupt(format_args!("filing {:?} version {} has no decision", a.filing.id, a.filing.version))
                })?
            };
            outcomes.push(Outcome::Duplicate(Box::new(decision)));
        }

        tx.commit()?;
        Ok(outcomes)
    }
}

/// `SQLSTATE 23505`: another writer stored one of the batch's versions between the check and the COPY.
fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
}

impl PgStore {
    /// The COPY path, for the common batch (accepted filings only, no licence draws): one query finds
    /// which versions are already stored (with the decisions that stand), the new filings and decisions
    /// go in by binary `COPY` — plain inserts, without the speculative insertion `ON CONFLICT` costs per
    /// row (about half the server time of a write) — and `latest` is upserted as before. `None`: not
    /// applicable, or another writer stored one of these versions meanwhile (unique violation; nothing
    /// of this attempt stays): the caller takes the array path, which handles both.
    pub fn write_batch_copy(&mut self, items: &[BatchItem]) -> Result<Option<Vec<Outcome>>> {
        use postgres::binary_copy::BinaryCopyInWriter;
        use postgres::types::Type;
        if items.iter().any(|i| matches!(i, BatchItem::Rejected(_))) || crate::licences::batch_draws(items) {
            return Ok(None);
        }
        let accepted = |i: usize| match &items[i] {
            BatchItem::Accepted(a) => a,
            BatchItem::Rejected(_) => unreachable!("checked above: no rejected item"),
        };
        let mut first_of: HashMap<(&str, u32), usize> = HashMap::with_capacity(items.len());
        let mut repeat_of: Vec<Option<usize>> = Vec::with_capacity(items.len());
        let mut firsts: Vec<usize> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let BatchItem::Accepted(a) = item else { unreachable!() };
            check_accepted(a)?;
            match first_of.get(&(a.filing.id.as_str(), a.filing.version)) {
                Some(&j) => repeat_of.push(Some(j)),
                None => {
                    first_of.insert((a.filing.id.as_str(), a.filing.version), i);
                    firsts.push(i);
                    repeat_of.push(None);
                }
            }
        }
        // Key order, as the array path: concurrent writers meet rows in the same order.
        firsts.sort_by(|&x, &y| {
            let (a, b) = (accepted(x), accepted(y));
            (a.filing.id.as_str(), a.filing.version).cmp(&(b.filing.id.as_str(), b.filing.version))
        });

        let PgStore { client, stmts, .. } = self;
        let mut tx = client.transaction()?;

        // 1. Versions stored before this batch, with the decisions that stand.
        let mut stood: HashMap<usize, Decision> = HashMap::new();
        {
            let ids: Vec<&str> = firsts.iter().map(|&i| accepted(i).filing.id.as_str()).collect();
            let versions: Vec<i64> = firsts.iter().map(|&i| i64::from(accepted(i).filing.version)).collect();
            for row in tx.query(&stmts.stored_keys, &[&ids, &versions])? {
                let id: &str = row.try_get(0)?;
                let version = to_version(row.try_get(1)?)?;
                let json: Option<&str> = row.try_get(2)?;
                let json = json.ok_or_else(|| corrupt(format_args!("filing {id:?} version {version} has no decision")))?;
                if let Some(&i) = first_of.get(&(id, version)) {
                    stood.insert(i, decision_from_json(json)?);
                }
            }
        }
        let new: Vec<usize> = firsts.iter().copied().filter(|i| !stood.contains_key(i)).collect();

        // 2. New filings and decisions by COPY; a unique violation means a concurrent writer won.
        if !new.is_empty() {
            let copied = (|| -> std::result::Result<(), StoreError> {
                let sink = tx.copy_in(
                    "COPY filings (filing_id, version, status, filed_at, input_source, input_line, raw, filing_json, \
                     diagnostics_json) FROM STDIN (FORMAT binary)",
                )?;
                let types = [
                    Type::TEXT, Type::INT8, Type::TEXT, Type::TIMESTAMPTZ, Type::TEXT, Type::INT8, Type::BYTEA, Type::TEXT,
                    Type::TEXT,
                ];
                let mut w = BinaryCopyInWriter::new(sink, &types);
                let mut buf = Vec::new();
                for &i in &new {
                    let a = accepted(i);
                    let json = canonical_json(&mut buf, &a.filing, &a.raw)?;
                    let diags = serde_json::to_string(&a.diagnostics)?;
                    w.write(&[
                        &a.filing.id,
                        &i64::from(a.filing.version),
                        &status_str(a.filing.status),
                        &a.filing.times.filed_at,
                        &a.input.source,
                        &line_to_i64(a.input.line)?,
                        &a.raw.as_slice(),
                        &json,
                        &diags,
                    ])?;
                }
                w.finish()?;
                Ok(())
            })();
            match copied {
                Err(StoreError::Postgres(e)) if is_unique_violation(&e) => return Ok(None),
                r => r?,
            }
            let sink = tx.copy_in(
                "COPY decisions (filing_id, version, lane, score, decision_json, engine_version, config_hash) \
                 FROM STDIN (FORMAT binary)",
            )?;
            let types = [Type::TEXT, Type::INT8, Type::TEXT, Type::FLOAT8, Type::TEXT, Type::TEXT, Type::TEXT];
            let mut w = BinaryCopyInWriter::new(sink, &types);
            // filing id -> (version, lane) of the highest version in this batch
            let mut latest: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
            for &i in &new {
                let a = accepted(i);
                let d = &a.decision;
                let version = i64::from(a.filing.version);
                w.write(&[
                    &a.filing.id,
                    &version,
                    &d.lane.as_str(),
                    &d.score,
                    &serde_json::to_string(d)?,
                    &d.engine_version,
                    &d.config_hash,
                ])?;
                let e = latest.entry(a.filing.id.as_str()).or_insert((version, d.lane.as_str()));
                if version > e.0 {
                    *e = (version, d.lane.as_str());
                }
            }
            w.finish()?;
            let (mut l_ids, mut l_versions, mut l_lanes) =
                (Vec::with_capacity(latest.len()), Vec::with_capacity(latest.len()), Vec::with_capacity(latest.len()));
            for (id, (version, lane)) in latest {
                l_ids.push(id);
                l_versions.push(version);
                l_lanes.push(lane);
            }
            tx.execute(&stmts.upsert_latest, &[&l_ids, &l_versions, &l_lanes])?;
        }

        // 3. Outcomes, in batch order.
        let mut outcomes = Vec::with_capacity(items.len());
        for (i, rep) in repeat_of.iter().enumerate() {
            let j = rep.unwrap_or(i);
            outcomes.push(match stood.get(&j) {
                Some(d) => Outcome::Duplicate(Box::new(d.clone())),
                None if rep.is_none() => Outcome::Stored,
                None => Outcome::Duplicate(Box::new(accepted(j).decision.clone())),
            });
        }
        tx.commit()?;
        Ok(Some(outcomes))
    }
}

impl FilingStore for PgStore {
    /// The COPY path ([`PgStore::write_batch_copy`]) when it applies, else the array path
    /// ([`PgStore::write_batch_unnest`]); both store a batch atomically with the same outcomes.
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        match self.write_batch_copy(items)? {
            Some(outcomes) => Ok(outcomes),
            None => self.write_batch_unnest(items),
        }
    }

    fn history(&mut self, filing_id: &str) -> Result<History> {
        let mut versions = Vec::new();
        for row in self.client.query(&self.stmts.history, &[&filing_id])? {
            let status: &str = row.try_get(1)?;
            let lane: Option<&str> = row.try_get(3)?;
            versions.push(VersionInfo {
                version: to_version(row.try_get(0)?)?,
                status: parse_status(status)?,
                filed_at: row.try_get(2)?,
                lane: lane.map(parse_lane).transpose()?,
                score: row.try_get(4)?,
                stored_at: row.try_get(5)?,
            });
        }
        Ok(History { versions })
    }

    fn filing(&mut self, filing_id: &str, version: u32) -> Result<Option<Filing>> {
        let row = self.client.query_opt(&self.stmts.filing, &[&filing_id, &i64::from(version)])?;
        row.map(|row| filing_of(&row)).transpose()
    }

    fn decision(&mut self, filing_id: &str, version: u32) -> Result<Option<Decision>> {
        let row = self.client.query_opt(&self.stmts.decision, &[&filing_id, &i64::from(version)])?;
        row.map(|row| decision_from_json(row.try_get(0)?)).transpose()
    }

    fn latest_decision(&mut self, filing_id: &str) -> Result<Option<Decision>> {
        let row = self.client.query_opt(&self.stmts.latest_decision, &[&filing_id])?;
        row.map(|row| decision_from_json(row.try_get(0)?)).transpose()
    }

    fn raw_input(&mut self, filing_id: &str, version: u32) -> Result<Option<Vec<u8>>> {
        let row = self.client.query_opt(&self.stmts.raw_input, &[&filing_id, &i64::from(version)])?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    fn rejects(&mut self, limit: usize) -> Result<Vec<RejectRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for row in self.client.query(&self.stmts.rejects, &[&limit])? {
            let diagnostics: &str = row.try_get(4)?;
            out.push(RejectRecord {
                source: row.try_get(0)?,
                line: to_line(row.try_get(1)?)?,
                hash: row.try_get(2)?,
                raw: row.try_get(3)?,
                diagnostics: serde_json::from_str::<Vec<Diagnostic>>(diagnostics)?,
                stored_at: row.try_get(5)?,
            });
        }
        Ok(out)
    }

    fn upsert_memberships(&mut self, memberships: &[Membership]) -> Result<usize> {
        if memberships.is_empty() {
            return Ok(0);
        }
        // One row per key (a later membership in the slice replaces an earlier one), in key order.
        let mut by_key: BTreeMap<(&str, &str), &Membership> = BTreeMap::new();
        for m in memberships {
            by_key.insert((m.program.as_str(), m.member_id.as_str()), m);
        }
        let mut programs = Vec::with_capacity(by_key.len());
        let mut ids = Vec::with_capacity(by_key.len());
        let mut jsons = Vec::with_capacity(by_key.len());
        for ((program, id), m) in by_key {
            programs.push(program);
            ids.push(id);
            jsons.push(serde_json::to_string(m)?);
        }
        let mut tx = self.client.transaction()?;
        tx.execute(&self.stmts.upsert_memberships, &[&programs, &ids, &jsons])?;
        tx.commit()?;
        Ok(memberships.len())
    }

    fn memberships(&mut self) -> Result<Vec<Membership>> {
        let mut out = Vec::new();
        for row in self.client.query(&self.stmts.memberships, &[])? {
            out.push(serde_json::from_str(row.try_get::<_, &str>(0)?)?);
        }
        Ok(out)
    }

    fn decisions_filed(&mut self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Vec<crate::exams::StoredDecision>> {
        self.pg_decisions(from, to)
    }

    fn scan_filings(&mut self, f: &mut dyn FnMut(&Filing)) -> Result<usize> {
        // A portal (server-side cursor) in a read-only transaction, fetched SCAN_BATCH rows at a time: the
        // client holds one batch, whatever the table size, and the transaction gives one snapshot.
        let PgStore { client, stmts, .. } = self;
        let mut tx = client.build_transaction().read_only(true).start()?;
        let portal = tx.bind(&stmts.scan_filings, &[])?;
        let mut n = 0;
        loop {
            let rows = tx.query_portal(&portal, SCAN_BATCH)?;
            for row in &rows {
                f(&filing_of(row)?);
            }
            n += rows.len();
            if rows.len() < SCAN_BATCH as usize {
                break;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    fn stats(&mut self) -> Result<Stats> {
        let row = self.client.query_one(&self.stmts.counts, &[])?;
        let mut stats = Stats {
            filings: count(&row, 0)?,
            versions: count(&row, 1)?,
            decisions: count(&row, 2)?,
            rejected: count(&row, 3)?,
            memberships: count(&row, 4)?,
            ..Stats::default()
        };
        for row in self.client.query(&self.stmts.lanes, &[])? {
            let lane = parse_lane(row.try_get(0)?)?;
            stats.lanes.insert(lane.as_str().to_owned(), count(&row, 1)?);
        }
        Ok(stats)
    }
}

impl ExamStore for PgStore {
    fn record_exams(&mut self, exams: &[crate::exams::ExamResult]) -> Result<usize> {
        self.pg_record_exams(exams)
    }

    fn exam_results(&mut self) -> Result<Vec<crate::exams::ExamResult>> {
        self.pg_exams()
    }
}

impl SelectionStore for PgStore {
    fn record_selections(&mut self, sel: &[crate::exams::SelectionRecord]) -> Result<usize> {
        self.pg_record_selections(sel)
    }

    fn selections(&mut self) -> Result<Vec<crate::exams::SelectionRecord>> {
        self.pg_selections()
    }
}
