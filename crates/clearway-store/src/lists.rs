//! Sanctions-list storage: list versions with their entities (serialized JSON, opaque here), officers'
//! "not a match" dispositions (append-only: the table is the audit trail; the latest row per key stands)
//! and the stored parties a new list version must be re-screened against.
//!
//! Reached through [`ListAccess::lists`]; SQLite, PostgreSQL and memory implement it with the same tables and
//! semantics (created on first use, once per store object, so the filing schema version is untouched). An import is one
//! transaction: a failure (a duplicated entity id, a lost connection) leaves the previous version in
//! force. On PostgreSQL concurrent imports are serialised by an advisory lock, times are TIMESTAMPTZ
//! (microseconds) and entity bodies TEXT.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::codec::{fmt_time, parse_time};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::{Result, StoreError};

/// One imported version of one list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListVersion {
    pub list: String,
    pub version: u32,
    /// Content hash of the imported entities.
    pub hash: String,
    /// The files it came from.
    pub source: String,
    pub entities: u64,
    pub names: u64,
    pub imported_at: DateTime<Utc>,
}

/// One stored entity (the JSON is the list crate's `Entity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEntity {
    pub list: String,
    pub version: u32,
    pub entity_id: String,
    pub fingerprint: String,
    pub body: String,
}

/// An officer's decision on a party × listed entity pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disposition {
    /// Fingerprint of the party (normalised name and country).
    pub party: String,
    /// The party's name as filed (for people reading the audit trail).
    pub party_name: String,
    pub list: String,
    pub entity_id: String,
    /// Fingerprint of the entity's listing when decided: a changed listing is decided again.
    pub entity_fingerprint: String,
    pub list_version: u32,
    /// `not-a-match` (suppresses the alert) or `match` (confirmed).
    pub decision: String,
    pub who: String,
    pub why: String,
    pub at: DateTime<Utc>,
}

/// A party of a stored filing (latest version of each filing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredParty {
    pub filing_id: String,
    pub version: u32,
    pub role: String,
    pub name: String,
    pub country: Option<String>,
}

/// How a store hands out its list storage (creating the list tables on first use).
pub trait ListAccess: Send {
    /// The list storage of this store.
    fn lists(&mut self) -> Result<&mut dyn ListStore>;
}

/// List storage.
pub trait ListStore {
    /// Store a new version of `list` atomically. Returns the new version number, or `None` when `hash`
    /// equals the latest version's (nothing changed). `entities` are (id, fingerprint, JSON).
    fn import_list(&mut self, list: &str, hash: &str, source: &str, names: u64, entities: &[(String, String, String)]) -> Result<Option<u32>>;
    /// Every stored version of every list, by list then version.
    fn list_versions(&mut self) -> Result<Vec<ListVersion>>;
    /// The entities of one version.
    fn list_entities(&mut self, list: &str, version: u32) -> Result<Vec<StoredEntity>>;
    /// The entities of the latest version of every list.
    fn latest_entities(&mut self) -> Result<Vec<StoredEntity>>;
    fn add_disposition(&mut self, d: &Disposition) -> Result<()>;
    /// Every disposition, oldest first (the audit trail).
    fn dispositions(&mut self) -> Result<Vec<Disposition>>;
    /// Parties of the latest version of every stored filing.
    fn stored_parties(&mut self) -> Result<Vec<StoredParty>>;
}

const DDL: &str = "CREATE TABLE IF NOT EXISTS list_versions (
        list        TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        hash        TEXT    NOT NULL,
        source      TEXT    NOT NULL,
        entities    INTEGER NOT NULL,
        names       INTEGER NOT NULL,
        imported_at TEXT    NOT NULL,
        PRIMARY KEY (list, version)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS list_entities (
        list        TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        entity_id   TEXT    NOT NULL,
        fingerprint TEXT    NOT NULL,
        body        TEXT    NOT NULL,
        PRIMARY KEY (list, version, entity_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS dispositions (
        seq                INTEGER PRIMARY KEY,
        party              TEXT    NOT NULL,
        party_name         TEXT    NOT NULL,
        list               TEXT    NOT NULL,
        entity_id          TEXT    NOT NULL,
        entity_fingerprint TEXT    NOT NULL,
        list_version       INTEGER NOT NULL,
        decision           TEXT    NOT NULL,
        who                TEXT    NOT NULL,
        why                TEXT    NOT NULL,
        at                 TEXT    NOT NULL
    );";

impl SqliteStore {
    /// Create the list tables if this store object has not yet done so.
    pub(crate) fn lists_init(&mut self) -> Result<()> {
        if !self.lists_ready {
            self.conn.execute_batch(DDL)?;
            self.lists_ready = true;
        }
        Ok(())
    }
}

fn entity_rows(stmt: &mut rusqlite::Statement<'_>, p: impl rusqlite::Params) -> Result<Vec<StoredEntity>> {
    let rows = stmt.query_map(p, |r| {
        Ok(StoredEntity { list: r.get(0)?, version: r.get(1)?, entity_id: r.get(2)?, fingerprint: r.get(3)?, body: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl ListAccess for SqliteStore {
    fn lists(&mut self) -> Result<&mut dyn ListStore> {
        self.lists_init()?;
        Ok(self)
    }
}

impl ListStore for SqliteStore {
    fn import_list(&mut self, list: &str, hash: &str, source: &str, names: u64, entities: &[(String, String, String)]) -> Result<Option<u32>> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let latest: Option<(u32, String)> = tx
            .query_row("SELECT version, hash FROM list_versions WHERE list = ?1 ORDER BY version DESC LIMIT 1", params![list], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if latest.as_ref().is_some_and(|(_, h)| h == hash) {
            return Ok(None);
        }
        let version = latest.map_or(1, |(v, _)| v + 1);
        tx.execute(
            "INSERT INTO list_versions (list, version, hash, source, entities, names, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![list, version, hash, source, entities.len() as i64, names as i64, fmt_time(Utc::now())],
        )?;
        {
            let mut stmt = tx.prepare("INSERT INTO list_entities (list, version, entity_id, fingerprint, body) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for (id, fp, body) in entities {
                stmt.execute(params![list, version, id, fp, body]).map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                        StoreError::Other(format!("{list}: duplicated entity id {id}"))
                    }
                    e => e.into(),
                })?;
            }
        }
        tx.commit()?;
        Ok(Some(version))
    }

    fn list_versions(&mut self) -> Result<Vec<ListVersion>> {
        let mut stmt = self
            .conn
            .prepare("SELECT list, version, hash, source, entities, names, imported_at FROM list_versions ORDER BY list, version")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, i64>(4)?, r.get::<_, i64>(5)?, r.get::<_, String>(6)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (list, version, hash, source, entities, names, at) = row?;
            out.push(ListVersion { list, version, hash, source, entities: entities as u64, names: names as u64, imported_at: parse_time(&at)? });
        }
        Ok(out)
    }

    fn list_entities(&mut self, list: &str, version: u32) -> Result<Vec<StoredEntity>> {
        let mut stmt = self.conn.prepare(
            "SELECT list, version, entity_id, fingerprint, body FROM list_entities WHERE list = ?1 AND version = ?2 ORDER BY entity_id",
        )?;
        entity_rows(&mut stmt, params![list, version])
    }

    fn latest_entities(&mut self) -> Result<Vec<StoredEntity>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.list, e.version, e.entity_id, e.fingerprint, e.body FROM list_entities e \
             JOIN (SELECT list, MAX(version) AS version FROM list_versions GROUP BY list) l \
             ON e.list = l.list AND e.version = l.version ORDER BY e.list, e.entity_id",
        )?;
        entity_rows(&mut stmt, [])
    }

    fn add_disposition(&mut self, d: &Disposition) -> Result<()> {
        self.conn.execute(
            "INSERT INTO dispositions (party, party_name, list, entity_id, entity_fingerprint, list_version, decision, who, why, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![d.party, d.party_name, d.list, d.entity_id, d.entity_fingerprint, d.list_version, d.decision, d.who, d.why, fmt_time(d.at)],
        )?;
        Ok(())
    }

    fn dispositions(&mut self) -> Result<Vec<Disposition>> {
        let mut stmt = self.conn.prepare(
            "SELECT party, party_name, list, entity_id, entity_fingerprint, list_version, decision, who, why, at FROM dispositions ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                Disposition {
                    party: r.get(0)?,
                    party_name: r.get(1)?,
                    list: r.get(2)?,
                    entity_id: r.get(3)?,
                    entity_fingerprint: r.get(4)?,
                    list_version: r.get(5)?,
                    decision: r.get(6)?,
                    who: r.get(7)?,
                    why: r.get(8)?,
                    at: Utc::now(),
                },
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut d, at) = row?;
            d.at = parse_time(&at)?;
            out.push(d);
        }
        Ok(out)
    }

    fn stored_parties(&mut self) -> Result<Vec<StoredParty>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.filing_id, f.version, f.filing_json, f.raw FROM filings f \
             JOIN (SELECT filing_id, MAX(version) AS version FROM versions GROUP BY filing_id) v \
             ON f.filing_id = v.filing_id AND f.version = v.version ORDER BY f.filing_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let version: u32 = row.get(1)?;
            if seen.insert(id.clone(), ()).is_some() {
                continue;
            }
            let filing: clearway_core::Filing = match row.get_ref(2)?.as_str_or_null().map_err(rusqlite::Error::from)? {
                Some(json) => serde_json::from_str(json)?,
                None => serde_json::from_slice(row.get_ref(3)?.as_blob().map_err(rusqlite::Error::from)?)?,
            };
            out.extend(parties_of(&id, version, &filing));
        }
        Ok(out)
    }
}

/// The PostgreSQL tables (same columns as SQLite's; `seq` orders the audit trail).
const PG_DDL: &str = "CREATE TABLE IF NOT EXISTS list_versions (
        list        TEXT        NOT NULL,
        version     BIGINT      NOT NULL,
        hash        TEXT        NOT NULL,
        source      TEXT        NOT NULL,
        entities    BIGINT      NOT NULL,
        names       BIGINT      NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (list, version)
    );
    CREATE TABLE IF NOT EXISTS list_entities (
        list        TEXT   NOT NULL,
        version     BIGINT NOT NULL,
        entity_id   TEXT   NOT NULL,
        fingerprint TEXT   NOT NULL,
        body        TEXT   NOT NULL,
        PRIMARY KEY (list, version, entity_id)
    );
    CREATE TABLE IF NOT EXISTS dispositions (
        seq                BIGSERIAL   PRIMARY KEY,
        party              TEXT        NOT NULL,
        party_name         TEXT        NOT NULL,
        list               TEXT        NOT NULL,
        entity_id          TEXT        NOT NULL,
        entity_fingerprint TEXT        NOT NULL,
        list_version       BIGINT      NOT NULL,
        decision           TEXT        NOT NULL,
        who                TEXT        NOT NULL,
        why                TEXT        NOT NULL,
        at                 TIMESTAMPTZ NOT NULL
    );";

/// Serialises list imports and table creation (`pg_advisory_xact_lock`); "cwlists" in ASCII.
const PG_LISTS_LOCK: i64 = 0x0063_776c_6973_7473;

fn pg_u32(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Other(format!("stored {what} {v} is out of range")))
}

impl PgStore {
    /// Create the list tables if this connection has not yet done so (under the lists lock, so concurrent
    /// first uses do not race).
    pub(crate) fn lists_init(&mut self) -> Result<()> {
        crate::postgres::create_once(&mut self.client, &mut self.lists_ready, PG_LISTS_LOCK, PG_DDL)
    }
}

fn pg_entity_rows(rows: Vec<::postgres::Row>) -> Result<Vec<StoredEntity>> {
    rows.iter()
        .map(|r| {
            Ok(StoredEntity {
                list: r.try_get(0)?,
                version: pg_u32(r.try_get(1)?, "list version")?,
                entity_id: r.try_get(2)?,
                fingerprint: r.try_get(3)?,
                body: r.try_get(4)?,
            })
        })
        .collect()
}

impl ListAccess for PgStore {
    fn lists(&mut self) -> Result<&mut dyn ListStore> {
        self.lists_init()?;
        Ok(self)
    }
}

impl ListStore for PgStore {
    fn import_list(&mut self, list: &str, hash: &str, source: &str, names: u64, entities: &[(String, String, String)]) -> Result<Option<u32>> {
        // A duplicated id refuses the whole version (checked here, so the error names it; the primary
        // key would refuse it too).
        let mut seen = std::collections::HashSet::with_capacity(entities.len());
        if let Some((id, _, _)) = entities.iter().find(|(id, _, _)| !seen.insert(id.as_str())) {
            return Err(StoreError::Other(format!("{list}: duplicated entity id {id}")));
        }
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_LISTS_LOCK])?;
        let latest = tx.query_opt("SELECT version, hash FROM list_versions WHERE list = $1 ORDER BY version DESC LIMIT 1", &[&list])?;
        let latest: Option<(i64, String)> = match latest {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        };
        if latest.as_ref().is_some_and(|(_, h)| h == hash) {
            return Ok(None);
        }
        let version = latest.map_or(1, |(v, _)| v + 1);
        let (n, names) = (entities.len() as i64, names as i64);
        tx.execute(
            "INSERT INTO list_versions (list, version, hash, source, entities, names, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&list, &version, &hash, &source, &n, &names, &Utc::now()],
        )?;
        // Rows go in as arrays, a few thousand per statement.
        for chunk in entities.chunks(5000) {
            let ids: Vec<&str> = chunk.iter().map(|e| e.0.as_str()).collect();
            let fps: Vec<&str> = chunk.iter().map(|e| e.1.as_str()).collect();
            let bodies: Vec<&str> = chunk.iter().map(|e| e.2.as_str()).collect();
            tx.execute(
                "INSERT INTO list_entities (list, version, entity_id, fingerprint, body) \
                 SELECT $1::text, $2::bigint, * FROM UNNEST($3::text[], $4::text[], $5::text[])",
                &[&list, &version, &ids, &fps, &bodies],
            )?;
        }
        tx.commit()?;
        Ok(Some(pg_u32(version, "list version")?))
    }

    fn list_versions(&mut self) -> Result<Vec<ListVersion>> {
        let rows = self.client.query(
            "SELECT list, version, hash, source, entities, names, imported_at FROM list_versions ORDER BY list COLLATE \"C\", version",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ListVersion {
                    list: r.try_get(0)?,
                    version: pg_u32(r.try_get(1)?, "list version")?,
                    hash: r.try_get(2)?,
                    source: r.try_get(3)?,
                    entities: r.try_get::<_, i64>(4)?.max(0) as u64,
                    names: r.try_get::<_, i64>(5)?.max(0) as u64,
                    imported_at: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn list_entities(&mut self, list: &str, version: u32) -> Result<Vec<StoredEntity>> {
        let rows = self.client.query(
            "SELECT list, version, entity_id, fingerprint, body FROM list_entities WHERE list = $1 AND version = $2 \
             ORDER BY entity_id COLLATE \"C\"",
            &[&list, &i64::from(version)],
        )?;
        pg_entity_rows(rows)
    }

    fn latest_entities(&mut self) -> Result<Vec<StoredEntity>> {
        let rows = self.client.query(
            "SELECT e.list, e.version, e.entity_id, e.fingerprint, e.body FROM list_entities e \
             JOIN (SELECT list, MAX(version) AS version FROM list_versions GROUP BY list) l \
             ON e.list = l.list AND e.version = l.version ORDER BY e.list COLLATE \"C\", e.entity_id COLLATE \"C\"",
            &[],
        )?;
        pg_entity_rows(rows)
    }

    fn add_disposition(&mut self, d: &Disposition) -> Result<()> {
        self.client.execute(
            "INSERT INTO dispositions (party, party_name, list, entity_id, entity_fingerprint, list_version, decision, who, why, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[&d.party, &d.party_name, &d.list, &d.entity_id, &d.entity_fingerprint, &i64::from(d.list_version), &d.decision, &d.who, &d.why, &d.at],
        )?;
        Ok(())
    }

    fn dispositions(&mut self) -> Result<Vec<Disposition>> {
        let rows = self.client.query(
            "SELECT party, party_name, list, entity_id, entity_fingerprint, list_version, decision, who, why, at FROM dispositions ORDER BY seq",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Disposition {
                    party: r.try_get(0)?,
                    party_name: r.try_get(1)?,
                    list: r.try_get(2)?,
                    entity_id: r.try_get(3)?,
                    entity_fingerprint: r.try_get(4)?,
                    list_version: pg_u32(r.try_get(5)?, "list version")?,
                    decision: r.try_get(6)?,
                    who: r.try_get(7)?,
                    why: r.try_get(8)?,
                    at: r.try_get(9)?,
                })
            })
            .collect()
    }

    fn stored_parties(&mut self) -> Result<Vec<StoredParty>> {
        let rows = self.client.query(
            "SELECT f.filing_id, f.version, f.filing_json, f.raw FROM filings f \
             JOIN (SELECT filing_id, MAX(version) AS version FROM filings GROUP BY filing_id) v \
             ON f.filing_id = v.filing_id AND f.version = v.version ORDER BY f.filing_id COLLATE \"C\"",
            &[],
        )?;
        let mut out = Vec::new();
        for row in &rows {
            let id: String = row.try_get(0)?;
            let version = pg_u32(row.try_get(1)?, "filing version")?;
            let json: Option<String> = row.try_get(2)?;
            let filing: clearway_core::Filing = match json {
                Some(json) => serde_json::from_str(&json)?,
                None => serde_json::from_slice(&row.try_get::<_, Vec<u8>>(3)?)?,
            };
            out.extend(parties_of(&id, version, &filing));
        }
        Ok(out)
    }
}

/// The named parties of a filing, as re-screening reads them.
pub(crate) fn parties_of(id: &str, version: u32, filing: &clearway_core::Filing) -> Vec<StoredParty> {
    filing
        .parties
        .iter()
        .filter(|p| !p.name.trim().is_empty())
        .map(|p| StoredParty { filing_id: id.to_string(), version, role: p.role.as_str().to_string(), name: p.name.clone(), country: p.country.clone() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ListAccess;

    fn ent(id: &str, body: &str) -> (String, String, String) {
        (id.to_string(), format!("fp-{body}"), body.to_string())
    }

    #[test]
    fn versions_atomic_and_dispositions() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let l = s.lists().unwrap();
        assert_eq!(l.import_list("un-sc", "h1", "a.xml", 2, &[ent("1", "{}"), ent("2", "{}")]).unwrap(), Some(1));
        // Same content: no new version.
        assert_eq!(l.import_list("un-sc", "h1", "a.xml", 2, &[ent("1", "{}"), ent("2", "{}")]).unwrap(), None);
        // Duplicated id: refused, previous version stays in force.
        assert!(l.import_list("un-sc", "h2", "b.xml", 2, &[ent("1", "{}"), ent("1", "{}")]).is_err());
        let vs = l.list_versions().unwrap();
        assert_eq!(vs.len(), 1);
        assert_eq!(l.latest_entities().unwrap().len(), 2);
        assert_eq!(l.import_list("un-sc", "h3", "c.xml", 1, &[ent("1", "{\"x\":1}")]).unwrap(), Some(2));
        assert_eq!(l.latest_entities().unwrap().len(), 1);
        assert_eq!(l.list_entities("un-sc", 1).unwrap().len(), 2);
        let d = Disposition {
            party: "p".into(),
            party_name: "ACME".into(),
            list: "un-sc".into(),
            entity_id: "1".into(),
            entity_fingerprint: "fp".into(),
            list_version: 2,
            decision: "not-a-match".into(),
            who: "officer1".into(),
            why: "different DOB".into(),
            at: Utc::now(),
        };
        l.add_disposition(&d).unwrap();
        assert_eq!(l.dispositions().unwrap()[0].who, "officer1");
        assert!(l.stored_parties().unwrap().is_empty());
    }
}
