//! Export licences and their balances. Principal types: the [`LicenceStore`] capability,
//! [`StoredLicence`] (a licence with what each item has used), [`DrawRecord`] (one export's draw on one
//! licence item) and [`LicenceImport`].
//!
//! A balance never goes below zero, whatever the concurrency: a draw is one conditional update —
//! `used + draw <= authorised` in the `WHERE` of the `UPDATE` that adds it — so of two writers racing for
//! the last unit, one changes the row and the other finds the condition false (PostgreSQL re-checks it
//! on the row the first committed; SQLite writers are serialised by `BEGIN IMMEDIATE`). A refused draw
//! is [`StoreError::Conflict`] and rolls back everything in its transaction.
//!
//! Draws travel in decisions: the export-control layer records the licence item that covers a goods
//! item as an `EXP-LICENCE-COVERED` finding ([`clearway_core::licence::draws`]), and `write_batch` on
//! every backend draws them for each newly stored decision in the batch's own transaction — a decision
//! stored means its draws made, and a draw refused means the batch is not stored. A resubmitted filing
//! version draws nothing (its first decision stands). Tables (created on first use, once per store
//! object): `licences`, `licence_items`, `licence_draws`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clearway_core::Decision;
use clearway_core::licence::{Balances, Draw, EPSILON, Licence, Used};
use serde::{Deserialize, Serialize};

use crate::audit::fmt_at;
use crate::codec::{corrupt, parse_time, to_version};
use crate::memory::MemoryStore;
use crate::postgres::{PgStore, create_once};
use crate::sqlite::SqliteStore;
use crate::{BatchItem, Result, StoreError};

/// A licence as stored, with what each of its items has used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLicence {
    pub licence: Licence,
    /// Per licence item, in order.
    pub used: Vec<Used>,
    pub imported_at: DateTime<Utc>,
}

impl StoredLicence {
    /// What is left of item `i`: (quantity, value), each `None` when the item does not limit it.
    pub fn remaining(&self, i: usize) -> (Option<f64>, Option<f64>) {
        let u = self.used.get(i).copied().unwrap_or_default();
        let it = self.licence.items.get(i);
        (
            it.and_then(|it| it.quantity).map(|q| q - u.quantity),
            it.and_then(|it| it.value).map(|v| v - u.value),
        )
    }
}

/// One export's draw on one licence item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub number: String,
    /// Index of the licence item (from 0).
    pub item: usize,
    pub filing_id: String,
    pub version: u32,
    pub quantity: f64,
    pub value: f64,
    pub at: DateTime<Utc>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceImport {
    pub added: usize,
    /// Licences already stored whose record was replaced (their balances are kept).
    pub replaced: usize,
}

/// The licence registry and its balances.
pub trait LicenceStore: Send {
    /// Add or replace licences, all or none. A replaced licence keeps what its items have used; a
    /// replacement that drops an item, or changes its entry, after it was drawn on is refused
    /// ([`StoreError::Conflict`]). The caller validates the records (`clearway_export::licence`).
    fn import_licences(&mut self, licences: &[Licence], at: DateTime<Utc>)
    -> Result<LicenceImport>;
    /// Every licence, by number.
    fn licences(&mut self) -> Result<Vec<StoredLicence>>;
    fn licence(&mut self, number: &str) -> Result<Option<StoredLicence>>;
    /// The draws on one licence (every licence when `None`), oldest first.
    fn licence_draws(&mut self, number: Option<&str>) -> Result<Vec<DrawRecord>>;
    /// What every licence item has used (items with draws only).
    fn licence_balances(&mut self) -> Result<Balances>;
    /// Draw for one filing version, all or none, atomically: [`StoreError::Conflict`] when a licence
    /// item is unknown or its balance would go below zero. A filing version that already drew on an item
    /// does not draw on it again. Returns how many draws were made.
    fn draw_licences(
        &mut self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        at: DateTime<Utc>,
    ) -> Result<usize>;
}

/// Whether any accepted item of a batch draws on a licence (the tables are needed).
pub(crate) fn batch_draws(items: &[BatchItem]) -> bool {
    items.iter().any(|i| matches!(i, BatchItem::Accepted(a) if clearway_core::licence::draws(&a.decision).next().is_some()))
}

/// The draws of a decision, merged per licence item and sorted (writers lock rows in the same order).
pub(crate) fn decision_draws(d: &Decision) -> Vec<Draw> {
    sorted(clearway_core::licence::draws(d))
}

fn sorted(draws: impl IntoIterator<Item = Draw>) -> Vec<Draw> {
    let mut m: BTreeMap<(String, usize), (f64, f64)> = BTreeMap::new();
    for d in draws {
        let e = m.entry((d.number, d.item)).or_default();
        e.0 += d.quantity;
        e.1 += d.value;
    }
    m.into_iter()
        .map(|((number, item), (quantity, value))| Draw {
            number,
            item,
            quantity,
            value,
        })
        .collect()
}

fn refused(
    d: &Draw,
    authorised: Option<(String, Option<f64>, Option<f64>)>,
    used: Used,
) -> StoreError {
    match authorised {
        None => StoreError::Conflict(format!(
            "licence {} has no item {} in the registry",
            d.number,
            d.item + 1
        )),
        Some((entry, q, v)) => {
            let mut left = Vec::new();
            if let Some(q) = q {
                left.push(format!(
                    "quantity {} requested, {} left",
                    d.quantity,
                    (q - used.quantity).max(0.0)
                ));
            }
            if let Some(v) = v {
                left.push(format!(
                    "value {} requested, {} left",
                    d.value,
                    (v - used.value).max(0.0)
                ));
            }
            StoreError::Conflict(format!(
                "licence {} item {} ({entry}) is used up: {}",
                d.number,
                d.item + 1,
                left.join("; ")
            ))
        }
    }
}

fn item_index(i: i64) -> Result<usize> {
    usize::try_from(i).map_err(|_| corrupt(format_args!("licence item {i}")))
}

// ---- SQLite ----

use rusqlite::{OptionalExtension, params};

const DDL: &str = "CREATE TABLE IF NOT EXISTS licences (
        number      TEXT NOT NULL PRIMARY KEY,
        record      TEXT NOT NULL,
        imported_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS licence_items (
        number        TEXT    NOT NULL,
        item          INTEGER NOT NULL,
        entry         TEXT    NOT NULL,
        quantity      REAL,
        value         REAL,
        used_quantity REAL    NOT NULL DEFAULT 0,
        used_value    REAL    NOT NULL DEFAULT 0,
        PRIMARY KEY (number, item)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS licence_draws (
        number    TEXT    NOT NULL,
        item      INTEGER NOT NULL,
        filing_id TEXT    NOT NULL,
        version   INTEGER NOT NULL,
        quantity  REAL    NOT NULL,
        value     REAL    NOT NULL,
        at        TEXT    NOT NULL,
        PRIMARY KEY (number, item, filing_id, version)
    );";

/// The conditional update: adds the draw only when the balance covers it.
const SQLITE_DRAW: &str =
    "UPDATE licence_items SET used_quantity = used_quantity + ?3, used_value = used_value + ?4
    WHERE number = ?1 AND item = ?2
      AND (quantity IS NULL OR used_quantity + ?3 <= quantity + ?5)
      AND (value IS NULL OR used_value + ?4 <= value + ?5)";

impl SqliteStore {
    /// Create the licence tables if this store object has not yet done so.
    pub(crate) fn licences_init(&mut self) -> Result<()> {
        if !self.licences_ready {
            self.conn.execute_batch(DDL)?;
            self.licences_ready = true;
        }
        Ok(())
    }
}

/// Draw inside the caller's transaction (`write_batch`'s, or [`LicenceStore::draw_licences`]'s).
pub(crate) fn sqlite_draw(
    conn: &rusqlite::Connection,
    filing_id: &str,
    version: u32,
    draws: &[Draw],
    at: &str,
) -> Result<usize> {
    let mut n = 0;
    for d in draws {
        let item = d.item as i64;
        let new = conn
            .prepare_cached("INSERT OR IGNORE INTO licence_draws (number, item, filing_id, version, quantity, value, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![d.number, item, filing_id, version, d.quantity, d.value, at])?;
        if new == 0 {
            continue;
        }
        if conn
            .prepare_cached(SQLITE_DRAW)?
            .execute(params![d.number, item, d.quantity, d.value, EPSILON])?
            == 0
        {
            let row = conn
                .query_row(
                    "SELECT entry, quantity, value, used_quantity, used_value FROM licence_items WHERE number = ?1 AND item = ?2",
                    params![d.number, item],
                    |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), Used { quantity: r.get(3)?, value: r.get(4)? })),
                )
                .optional()?;
            let used = row.as_ref().map(|r| r.1).unwrap_or_default();
            return Err(refused(d, row.map(|r| r.0), used));
        }
        n += 1;
    }
    Ok(n)
}

fn sqlite_licence(record: &str, imported_at: &str) -> Result<(Licence, DateTime<Utc>)> {
    Ok((serde_json::from_str(record)?, parse_time(imported_at)?))
}

impl LicenceStore for SqliteStore {
    fn import_licences(
        &mut self,
        licences: &[Licence],
        at: DateTime<Utc>,
    ) -> Result<LicenceImport> {
        self.licences_init()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = LicenceImport::default();
        for l in licences {
            let existed: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM licences WHERE number = ?1",
                    params![l.number],
                    |r| r.get(0),
                )
                .optional()?;
            // Items drawn on must survive the replacement with the same entry.
            let mut st = tx.prepare_cached("SELECT i.item, i.entry FROM licence_items i WHERE i.number = ?1 AND EXISTS (SELECT 1 FROM licence_draws d WHERE d.number = i.number AND d.item = i.item)")?;
            let drawn: Vec<(i64, String)> = st
                .query_map(params![l.number], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?;
            check_replacement(l, drawn.iter().map(|(i, e)| (*i as usize, e.as_str())))?;
            tx.execute(
                "INSERT INTO licences (number, record, imported_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (number) DO UPDATE SET record = excluded.record, imported_at = excluded.imported_at",
                params![l.number, serde_json::to_string(l)?, fmt_at(at)],
            )?;
            for (i, it) in l.items.iter().enumerate() {
                tx.execute(
                    "INSERT INTO licence_items (number, item, entry, quantity, value) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (number, item) DO UPDATE SET entry = excluded.entry, quantity = excluded.quantity, value = excluded.value",
                    params![l.number, i as i64, it.entry, it.quantity, it.value],
                )?;
            }
            tx.execute(
                "DELETE FROM licence_items WHERE number = ?1 AND item >= ?2",
                params![l.number, l.items.len() as i64],
            )?;
            if existed.is_some() {
                report.replaced += 1;
            } else {
                report.added += 1;
            }
        }
        tx.commit()?;
        Ok(report)
    }

    fn licences(&mut self) -> Result<Vec<StoredLicence>> {
        self.licences_init()?;
        let numbers: Vec<String> = {
            let mut st = self
                .conn
                .prepare_cached("SELECT number FROM licences ORDER BY number")?;
            st.query_map([], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        numbers
            .iter()
            .filter_map(|n| self.licence(n).transpose())
            .collect()
    }

    fn licence(&mut self, number: &str) -> Result<Option<StoredLicence>> {
        self.licences_init()?;
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT record, imported_at FROM licences WHERE number = ?1",
                params![number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((record, imported)) = row else {
            return Ok(None);
        };
        let (licence, imported_at) = sqlite_licence(&record, &imported)?;
        let mut used = vec![Used::default(); licence.items.len()];
        let mut st = self.conn.prepare_cached(
            "SELECT item, used_quantity, used_value FROM licence_items WHERE number = ?1",
        )?;
        let mut rows = st.query(params![number])?;
        while let Some(r) = rows.next()? {
            if let Some(u) = used.get_mut(item_index(r.get(0)?)?) {
                *u = Used {
                    quantity: r.get(1)?,
                    value: r.get(2)?,
                };
            }
        }
        Ok(Some(StoredLicence {
            licence,
            used,
            imported_at,
        }))
    }

    fn licence_draws(&mut self, number: Option<&str>) -> Result<Vec<DrawRecord>> {
        self.licences_init()?;
        let mut st = self.conn.prepare_cached(
            "SELECT number, item, filing_id, version, quantity, value, at FROM licence_draws
             WHERE ?1 IS NULL OR number = ?1 ORDER BY at, rowid",
        )?;
        let mut rows = st.query(params![number])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at: String = r.get(6)?;
            out.push(DrawRecord {
                number: r.get(0)?,
                item: item_index(r.get(1)?)?,
                filing_id: r.get(2)?,
                version: to_version(r.get(3)?)?,
                quantity: r.get(4)?,
                value: r.get(5)?,
                at: parse_time(&at)?,
            });
        }
        Ok(out)
    }

    fn licence_balances(&mut self) -> Result<Balances> {
        self.licences_init()?;
        let mut st = self.conn.prepare_cached("SELECT number, item, used_quantity, used_value FROM licence_items WHERE used_quantity <> 0 OR used_value <> 0")?;
        let mut rows = st.query([])?;
        let mut out = Balances::new();
        while let Some(r) = rows.next()? {
            out.insert(
                (r.get(0)?, item_index(r.get(1)?)?),
                Used {
                    quantity: r.get(2)?,
                    value: r.get(3)?,
                },
            );
        }
        Ok(out)
    }

    fn draw_licences(
        &mut self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        self.licences_init()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = sqlite_draw(
            &tx,
            filing_id,
            version,
            &sorted(draws.iter().cloned()),
            &fmt_at(at),
        )?;
        tx.commit()?;
        Ok(n)
    }
}

/// A replacement must keep every drawn-on item, with its entry.
fn check_replacement<'a>(l: &Licence, drawn: impl Iterator<Item = (usize, &'a str)>) -> Result<()> {
    for (i, entry) in drawn {
        match l.items.get(i) {
            Some(it) if it.entry == entry => {}
            _ => {
                return Err(StoreError::Conflict(format!(
                    "licence {}: item {} ({entry}) has been drawn on and cannot be dropped or changed; nothing imported",
                    l.number,
                    i + 1
                )));
            }
        }
    }
    Ok(())
}

// ---- PostgreSQL ----

use ::postgres::GenericClient;

const PG_DDL: &str = "CREATE TABLE IF NOT EXISTS licences (
        number      TEXT        NOT NULL PRIMARY KEY,
        record      TEXT        NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS licence_items (
        number        TEXT             NOT NULL REFERENCES licences (number),
        item          BIGINT           NOT NULL,
        entry         TEXT             NOT NULL,
        quantity      DOUBLE PRECISION,
        value         DOUBLE PRECISION,
        used_quantity DOUBLE PRECISION NOT NULL DEFAULT 0,
        used_value    DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (number, item)
    );
    CREATE TABLE IF NOT EXISTS licence_draws (
        seq       BIGSERIAL        NOT NULL,
        number    TEXT             NOT NULL,
        item      BIGINT           NOT NULL,
        filing_id TEXT             NOT NULL,
        version   BIGINT           NOT NULL,
        quantity  DOUBLE PRECISION NOT NULL,
        value     DOUBLE PRECISION NOT NULL,
        at        TIMESTAMPTZ      NOT NULL,
        PRIMARY KEY (number, item, filing_id, version)
    );";

/// Serialises concurrent first uses of the licence tables; "cwlicenc" in ASCII.
const PG_LICENCES_LOCK: i64 = 0x6377_6c69_6365_6e63;

/// One statement: under READ COMMITTED a writer blocked on the row re-evaluates the `WHERE` on the
/// version the other committed, so the second of two racing draws for the last unit changes nothing.
const PG_DRAW: &str =
    "UPDATE licence_items SET used_quantity = used_quantity + $3, used_value = used_value + $4
    WHERE number = $1 AND item = $2
      AND (quantity IS NULL OR used_quantity + $3 <= quantity + $5)
      AND (value IS NULL OR used_value + $4 <= value + $5)";

impl PgStore {
    /// Create the licence tables if this connection has not yet done so.
    pub(crate) fn licences_init(&mut self) -> Result<()> {
        create_once(
            &mut self.client,
            &mut self.licences_ready,
            PG_LICENCES_LOCK,
            PG_DDL,
        )
    }
}

/// Draw inside the caller's transaction.
pub(crate) fn pg_draw(
    c: &mut impl GenericClient,
    filing_id: &str,
    version: u32,
    draws: &[Draw],
    at: DateTime<Utc>,
) -> Result<usize> {
    let mut n = 0;
    for d in draws {
        let item = d.item as i64;
        let new = c.execute(
            "INSERT INTO licence_draws (number, item, filing_id, version, quantity, value, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT DO NOTHING",
            &[&d.number, &item, &filing_id, &i64::from(version), &d.quantity, &d.value, &at],
        )?;
        if new == 0 {
            continue;
        }
        if c.execute(
            PG_DRAW,
            &[&d.number, &item, &d.quantity, &d.value, &EPSILON],
        )? == 0
        {
            let row = c.query_opt(
                "SELECT entry, quantity, value, used_quantity, used_value FROM licence_items WHERE number = $1 AND item = $2",
                &[&d.number, &item],
            )?;
            let (auth, used) = match row {
                Some(r) => (
                    Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
                    Used {
                        quantity: r.try_get(3)?,
                        value: r.try_get(4)?,
                    },
                ),
                None => (None, Used::default()),
            };
            return Err(refused(d, auth, used));
        }
        n += 1;
    }
    Ok(n)
}

impl LicenceStore for PgStore {
    fn import_licences(
        &mut self,
        licences: &[Licence],
        at: DateTime<Utc>,
    ) -> Result<LicenceImport> {
        self.licences_init()?;
        let mut tx = self.client.transaction()?;
        let mut report = LicenceImport::default();
        for l in licences {
            // Lock the licence row (if any) so a concurrent draw or import waits for this one.
            let existed = tx
                .query_opt(
                    "SELECT 1 FROM licences WHERE number = $1 FOR UPDATE",
                    &[&l.number],
                )?
                .is_some();
            let drawn = tx.query(
                "SELECT i.item, i.entry FROM licence_items i WHERE i.number = $1
                 AND EXISTS (SELECT 1 FROM licence_draws d WHERE d.number = i.number AND d.item = i.item)",
                &[&l.number],
            )?;
            let drawn: Vec<(i64, String)> = drawn
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
            check_replacement(l, drawn.iter().map(|(i, e)| (*i as usize, e.as_str())))?;
            tx.execute(
                "INSERT INTO licences (number, record, imported_at) VALUES ($1, $2, $3)
                 ON CONFLICT (number) DO UPDATE SET record = excluded.record, imported_at = excluded.imported_at",
                &[&l.number, &serde_json::to_string(l)?, &at],
            )?;
            for (i, it) in l.items.iter().enumerate() {
                tx.execute(
                    "INSERT INTO licence_items (number, item, entry, quantity, value) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (number, item) DO UPDATE SET entry = excluded.entry, quantity = excluded.quantity, value = excluded.value",
                    &[&l.number, &(i as i64), &it.entry, &it.quantity, &it.value],
                )?;
            }
            tx.execute(
                "DELETE FROM licence_items WHERE number = $1 AND item >= $2",
                &[&l.number, &(l.items.len() as i64)],
            )?;
            if existed {
                report.replaced += 1;
            } else {
                report.added += 1;
            }
        }
        tx.commit()?;
        Ok(report)
    }

    fn licences(&mut self) -> Result<Vec<StoredLicence>> {
        self.licences_init()?;
        let numbers: Vec<String> = self
            .client
            .query(
                "SELECT number FROM licences ORDER BY number COLLATE \"C\"",
                &[],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        numbers
            .iter()
            .filter_map(|n| self.licence(n).transpose())
            .collect()
    }

    fn licence(&mut self, number: &str) -> Result<Option<StoredLicence>> {
        self.licences_init()?;
        let Some(row) = self.client.query_opt(
            "SELECT record, imported_at FROM licences WHERE number = $1",
            &[&number],
        )?
        else {
            return Ok(None);
        };
        let licence: Licence = serde_json::from_str(row.try_get(0)?)?;
        let imported_at: DateTime<Utc> = row.try_get(1)?;
        let mut used = vec![Used::default(); licence.items.len()];
        for r in self.client.query(
            "SELECT item, used_quantity, used_value FROM licence_items WHERE number = $1",
            &[&number],
        )? {
            if let Some(u) = used.get_mut(item_index(r.try_get(0)?)?) {
                *u = Used {
                    quantity: r.try_get(1)?,
                    value: r.try_get(2)?,
                };
            }
        }
        Ok(Some(StoredLicence {
            licence,
            used,
            imported_at,
        }))
    }

    fn licence_draws(&mut self, number: Option<&str>) -> Result<Vec<DrawRecord>> {
        self.licences_init()?;
        let rows = self.client.query(
            "SELECT number, item, filing_id, version, quantity, value, at FROM licence_draws
             WHERE $1::TEXT IS NULL OR number = $1 ORDER BY at, seq",
            &[&number],
        )?;
        rows.iter()
            .map(|r| {
                Ok(DrawRecord {
                    number: r.try_get(0)?,
                    item: item_index(r.try_get(1)?)?,
                    filing_id: r.try_get(2)?,
                    version: to_version(r.try_get(3)?)?,
                    quantity: r.try_get(4)?,
                    value: r.try_get(5)?,
                    at: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn licence_balances(&mut self) -> Result<Balances> {
        self.licences_init()?;
        let mut out = Balances::new();
        for r in self.client.query("SELECT number, item, used_quantity, used_value FROM licence_items WHERE used_quantity <> 0 OR used_value <> 0", &[])? {
            out.insert((r.try_get(0)?, item_index(r.try_get(1)?)?), Used { quantity: r.try_get(2)?, value: r.try_get(3)? });
        }
        Ok(out)
    }

    fn draw_licences(
        &mut self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        self.licences_init()?;
        let mut tx = self.client.transaction()?;
        let n = pg_draw(
            &mut tx,
            filing_id,
            version,
            &sorted(draws.iter().cloned()),
            at,
        )?;
        tx.commit()?;
        Ok(n)
    }
}

// ---- memory ----

/// The memory backend's licence state.
#[derive(Debug, Default)]
pub(crate) struct MemoryLicences {
    licences: BTreeMap<String, (Licence, DateTime<Utc>)>,
    used: Balances,
    /// Oldest first.
    draws: Vec<DrawRecord>,
}

impl MemoryLicences {
    /// Check draws without applying them (a refusal names the item, like the SQL backends'), given what
    /// `pending` draws earlier in the same batch add.
    pub(crate) fn check(
        &self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        pending: &mut Balances,
    ) -> Result<()> {
        for d in draws {
            if self.drawn(filing_id, version, d) {
                continue;
            }
            let key = (d.number.clone(), d.item);
            let mut used = self.used.get(&key).copied().unwrap_or_default();
            if let Some(p) = pending.get(&key) {
                used.quantity += p.quantity;
                used.value += p.value;
            }
            let item = self
                .licences
                .get(&d.number)
                .and_then(|(l, _)| l.items.get(d.item));
            match item {
                Some(it) if clearway_core::licence::fits(it, used, d.quantity, d.value) => {
                    clearway_core::licence::apply(pending, [d.clone()]);
                }
                Some(it) => {
                    return Err(refused(
                        d,
                        Some((it.entry.clone(), it.quantity, it.value)),
                        used,
                    ));
                }
                None => return Err(refused(d, None, used)),
            }
        }
        Ok(())
    }

    fn drawn(&self, filing_id: &str, version: u32, d: &Draw) -> bool {
        self.draws.iter().any(|r| {
            r.number == d.number
                && r.item == d.item
                && r.filing_id == filing_id
                && r.version == version
        })
    }

    /// Apply draws already checked.
    pub(crate) fn apply(
        &mut self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        at: DateTime<Utc>,
    ) -> usize {
        let mut n = 0;
        for d in draws {
            if self.drawn(filing_id, version, d) {
                continue;
            }
            clearway_core::licence::apply(&mut self.used, [d.clone()]);
            self.draws.push(DrawRecord {
                number: d.number.clone(),
                item: d.item,
                filing_id: filing_id.to_owned(),
                version,
                quantity: d.quantity,
                value: d.value,
                at,
            });
            n += 1;
        }
        n
    }

    fn stored(&self, number: &str) -> Option<StoredLicence> {
        let (l, at) = self.licences.get(number)?;
        let used = (0..l.items.len())
            .map(|i| {
                self.used
                    .get(&(number.to_owned(), i))
                    .copied()
                    .unwrap_or_default()
            })
            .collect();
        Some(StoredLicence {
            licence: l.clone(),
            used,
            imported_at: *at,
        })
    }
}

impl LicenceStore for MemoryStore {
    fn import_licences(
        &mut self,
        licences: &[Licence],
        at: DateTime<Utc>,
    ) -> Result<LicenceImport> {
        let m = &mut self.licences;
        for l in licences {
            let drawn: Vec<(usize, String)> = m
                .licences
                .get(&l.number)
                .map(|(old, _)| {
                    old.items
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| {
                            m.draws.iter().any(|d| d.number == l.number && d.item == *i)
                        })
                        .map(|(i, it)| (i, it.entry.clone()))
                        .collect()
                })
                .unwrap_or_default();
            check_replacement(l, drawn.iter().map(|(i, e)| (*i, e.as_str())))?;
        }
        let mut report = LicenceImport::default();
        for l in licences {
            match m.licences.insert(l.number.clone(), (l.clone(), at)) {
                Some(_) => report.replaced += 1,
                None => report.added += 1,
            }
            m.used
                .retain(|(n, i), _| n != &l.number || *i < l.items.len());
        }
        Ok(report)
    }

    fn licences(&mut self) -> Result<Vec<StoredLicence>> {
        Ok(self
            .licences
            .licences
            .keys()
            .filter_map(|n| self.licences.stored(n))
            .collect())
    }

    fn licence(&mut self, number: &str) -> Result<Option<StoredLicence>> {
        Ok(self.licences.stored(number))
    }

    fn licence_draws(&mut self, number: Option<&str>) -> Result<Vec<DrawRecord>> {
        Ok(self
            .licences
            .draws
            .iter()
            .filter(|d| number.is_none_or(|n| d.number == n))
            .cloned()
            .collect())
    }

    fn licence_balances(&mut self) -> Result<Balances> {
        Ok(self
            .licences
            .used
            .iter()
            .filter(|(_, u)| u.quantity != 0.0 || u.value != 0.0)
            .map(|(k, u)| (k.clone(), *u))
            .collect())
    }

    fn draw_licences(
        &mut self,
        filing_id: &str,
        version: u32,
        draws: &[Draw],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let draws = sorted(draws.iter().cloned());
        self.licences
            .check(filing_id, version, &draws, &mut Balances::new())?;
        Ok(self.licences.apply(filing_id, version, &draws, at))
    }
}
