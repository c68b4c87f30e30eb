//! Sanctions and denied-party lists: import (a new version per changed list, then the stored parties it
//! affects re-screened), show, diff, officer dispositions.

use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use clearway_core::Diagnostic;
use clearway_lists::{Entity, Loaded, Source};
use clearway_names::{BandConfig, Index, PartyScreening, party_fingerprint};
use clearway_store::Store;
use clearway_store::lists::{Disposition, ListVersion, StoredEntity};
use std::collections::{HashMap, HashSet};

fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

/// Decode stored entities; a corrupt one is an error naming it.
pub fn decode_entities(stored: &[StoredEntity]) -> Result<Vec<Entity>> {
    stored
        .iter()
        .map(|s| {
            serde_json::from_str(&s.body).map_err(|e| {
                corrupt(format!(
                    "stored entity {}/{} is corrupt: {e}",
                    s.list, s.entity_id
                ))
            })
        })
        .collect()
}

/// Content hash of a list: over the entity fingerprints, in id order.
fn list_hash(entities: &[Entity]) -> String {
    let mut fps: Vec<(String, String)> = entities
        .iter()
        .map(|e| (e.id.clone(), e.fingerprint()))
        .collect();
    fps.sort();
    let mut joined = String::new();
    for (id, fp) in fps {
        joined.push_str(&id);
        joined.push('\0');
        joined.push_str(&fp);
        joined.push('\n');
    }
    let e = Entity {
        remarks: Some(joined),
        ..Entity::default()
    };
    e.fingerprint()
}

/// A stored party that a changed listing now matches.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Affected {
    pub filing_id: String,
    pub version: u32,
    pub role: String,
    pub party: String,
    pub list: String,
    pub entity_id: String,
    pub entity: String,
    pub alias: String,
    pub score: f64,
    pub band: &'static str,
}

/// Re-screen the stored parties against the `changed` entities of a list version. The index is built
/// over the whole version (`all`) so that token rarity is the list's, not that of the few changed
/// entities; only hits on changed entities count.
pub fn rescreen(
    store: &mut dyn Store,
    all: &[Entity],
    changed: &[Entity],
    bands: &BandConfig,
) -> Result<Vec<Affected>> {
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let ids: HashSet<&str> = changed.iter().map(|e| e.id.as_str()).collect();
    let parties = store.lists()?.stored_parties()?;
    let screening = PartyScreening::new(Index::build(all), bands.clone());
    let mut out = Vec::new();
    for p in parties {
        for h in screening.screen_party(&p.name, p.country.as_deref(), &[], None) {
            if !ids.contains(h.entity_id.as_str()) {
                continue;
            }
            let b = bands.for_list(&h.list);
            let Some(band) = clearway_names::layer::band_of(h.score, &b) else {
                continue;
            };
            out.push(Affected {
                filing_id: p.filing_id.clone(),
                version: p.version,
                role: p.role.clone(),
                party: p.name.clone(),
                list: h.list,
                entity_id: h.entity_id,
                entity: h.caption,
                alias: h.alias,
                score: (h.score * 1000.0).round() / 1000.0,
                band,
            });
        }
    }
    Ok(out)
}

/// Entity ids added, removed and changed between two versions.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

/// Compare two versions: the changes, and the new or changed entities.
pub fn compare(old: &[Entity], new: &[Entity]) -> (Changes, Vec<Entity>) {
    let o: HashMap<&str, String> = old
        .iter()
        .map(|e| (e.id.as_str(), e.fingerprint()))
        .collect();
    let n: HashSet<&str> = new.iter().map(|e| e.id.as_str()).collect();
    let mut c = Changes::default();
    let mut touched = Vec::new();
    for e in new {
        match o.get(e.id.as_str()) {
            None => {
                c.added.push(e.id.clone());
                touched.push(e.clone());
            }
            Some(fp) if *fp != e.fingerprint() => {
                c.changed.push(e.id.clone());
                touched.push(e.clone());
            }
            _ => {}
        }
    }
    c.removed = old
        .iter()
        .filter(|e| !n.contains(e.id.as_str()))
        .map(|e| e.id.clone())
        .collect();
    (c, touched)
}

/// Load list files (format by content); files of one list given together make one version (e.g.
/// several CSL extracts), an entity id seen twice keeps its first record.
pub fn load(files: &[(String, Vec<u8>)]) -> Vec<Loaded> {
    let sources: Vec<Source> = files
        .iter()
        .map(|(n, b)| Source { name: n, bytes: b })
        .collect();
    let mut out: Vec<Loaded> = Vec::new();
    for l in clearway_lists::load(&sources) {
        match out
            .iter_mut()
            .find(|o| o.list == l.list && !o.failed() && !l.failed() && l.list != "unknown")
        {
            Some(o) => {
                o.files.extend(l.files);
                o.diagnostics.extend(l.diagnostics);
                for e in l.entities {
                    if o.entities.iter().any(|x| x.id == e.id) {
                        o.diagnostics.push(Diagnostic::warning(
                            o.list.clone(),
                            format!("entity {} in more than one file; first kept", e.id),
                        ));
                    } else {
                        o.entities.push(e);
                    }
                }
            }
            None => out.push(l),
        }
    }
    out
}

/// What became of one list of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListImport {
    pub list: String,
    pub files: Vec<String>,
    pub imported: bool,
    /// The new version; `None` when unchanged or not imported.
    pub version: Option<u32>,
    pub unchanged: bool,
    pub entities: usize,
    pub names: usize,
    pub warnings: usize,
    pub affected: usize,
    /// The loader's diagnostics, and why the list was not imported.
    pub diagnostics: Vec<String>,
}

/// An import: per list, and the stored parties the new versions affect.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub lists: Vec<ListImport>,
    pub affected: Vec<Affected>,
}

impl ImportReport {
    /// Some list could not be imported (its previous version stays in force).
    pub fn rejected(&self) -> bool {
        self.lists.iter().any(|l| !l.imported)
    }
}

/// Import list files: each list becomes a new version when its content changed; a list that cannot
/// be read leaves the previous version in force. Stored parties affected by a new version are
/// re-screened and reported.
pub fn import(store: &mut dyn Store, files: &[(String, Vec<u8>)]) -> Result<ImportReport> {
    let loaded = load(files);
    let bands = BandConfig::default();
    let mut lists = Vec::new();
    let mut all_affected = Vec::new();
    for l in &loaded {
        let mut r = ListImport {
            list: l.list.clone(),
            files: l.files.clone(),
            imported: false,
            version: None,
            unchanged: false,
            entities: l.entities.len(),
            names: l.name_count(),
            warnings: l.diagnostics.len(),
            affected: 0,
            diagnostics: l
                .diagnostics
                .iter()
                .map(|d| format!("{}: {:?}: {}", l.files.join("+"), d.severity, d.message))
                .collect(),
        };
        if l.failed() || l.entities.is_empty() {
            r.diagnostics.push(format!(
                "{}: not imported; the previous version stays in force",
                l.files.join(", ")
            ));
            lists.push(r);
            continue;
        }
        let hash = list_hash(&l.entities);
        let rows: Vec<(String, String, String)> = l
            .entities
            .iter()
            .map(|e| {
                Ok((
                    e.id.clone(),
                    e.fingerprint(),
                    serde_json::to_string(e).map_err(corrupt)?,
                ))
            })
            .collect::<Result<_>>()?;
        let version = match store.lists()?.import_list(
            &l.list,
            &hash,
            &l.files.join(", "),
            l.name_count() as u64,
            &rows,
        ) {
            Ok(v) => v,
            Err(e) => {
                r.diagnostics.push(format!(
                    "{}: {e}; the previous version stays in force",
                    l.list
                ));
                lists.push(r);
                continue;
            }
        };
        let mut affected = Vec::new();
        if let Some(v) = version.filter(|v| *v > 1) {
            let old = decode_entities(&store.lists()?.list_entities(&l.list, v - 1)?)?;
            let (_, touched) = compare(&old, &l.entities);
            affected = rescreen(store, &l.entities, &touched, &bands)?;
        }
        r.imported = true;
        r.version = version;
        r.unchanged = version.is_none();
        r.affected = affected.len();
        lists.push(r);
        all_affected.extend(affected);
    }
    Ok(ImportReport {
        lists,
        affected: all_affected,
    })
}

/// The stored list versions.
pub fn show(store: &mut dyn Store) -> Result<Vec<ListVersion>> {
    Ok(store.lists()?.list_versions()?)
}

/// Which two versions to compare.
pub enum DiffOf {
    /// Two stored versions of a list (the list may be omitted when the store holds one).
    Versions {
        list: Option<String>,
        old: u32,
        new: u32,
    },
    /// Two list files.
    Files {
        old: (String, Vec<u8>),
        new: (String, Vec<u8>),
    },
}

/// A diff between two versions and the stored parties it affects.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DiffReport {
    pub list: String,
    #[serde(flatten)]
    pub changes: Changes,
    pub affected: Vec<Affected>,
}

/// Compare two versions of a list, and re-screen the stored parties against what changed.
pub fn diff(store: &mut dyn Store, of: DiffOf) -> Result<DiffReport> {
    let (list, old, new) = match of {
        DiffOf::Files { old, new } => {
            let lo = load(std::slice::from_ref(&old)).into_iter().next();
            let ln = load(std::slice::from_ref(&new)).into_iter().next();
            let (Some(lo), Some(ln)) = (lo, ln) else {
                return Err(ServiceError::Invalid("nothing loaded".into()));
            };
            if lo.failed() || ln.failed() {
                return Err(ServiceError::Invalid(
                    "a file could not be read as a list".into(),
                ));
            }
            (ln.list.clone(), lo.entities, ln.entities)
        }
        DiffOf::Versions {
            list,
            old: vo,
            new: vn,
        } => {
            let versions = store.lists()?.list_versions()?;
            let list = match list {
                Some(l) => l,
                None => {
                    let mut names: Vec<&str> = versions.iter().map(|v| v.list.as_str()).collect();
                    names.dedup();
                    match names.as_slice() {
                        [one] => one.to_string(),
                        _ => {
                            return Err(ServiceError::Invalid(
                                "the store holds several lists: name one with --list".into(),
                            ));
                        }
                    }
                }
            };
            let ls = store.lists()?;
            let old = decode_entities(&ls.list_entities(&list, vo)?)?;
            let new = decode_entities(&ls.list_entities(&list, vn)?)?;
            if old.is_empty() || new.is_empty() {
                return Err(ServiceError::NotFound(format!(
                    "{list}: version {vo} or {vn} is not stored"
                )));
            }
            (list, old, new)
        }
    };
    let (changes, touched) = compare(&old, &new);
    let affected = rescreen(store, &new, &touched, &BandConfig::default())?;
    Ok(DiffReport {
        list,
        changes,
        affected,
    })
}

/// An officer's decision on a party × listed entity.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DisposeRequest {
    /// The party's name as filed.
    pub party: String,
    /// The party's country (ISO 3166-1 alpha-2), as filed.
    pub country: Option<String>,
    pub list: String,
    pub entity: String,
    /// `not-a-match` or `match`.
    pub decision: String,
    pub who: String,
    pub why: String,
}

/// The recorded disposition with the entity's caption.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Disposed {
    pub disposition: Disposition,
    pub caption: String,
}

/// Record a disposition against the latest version of the list (remembered while the listing is
/// unchanged).
pub fn dispose(store: &mut dyn Store, r: DisposeRequest, at: DateTime<Utc>) -> Result<Disposed> {
    if r.decision != "not-a-match" && r.decision != "match" {
        return Err(ServiceError::Invalid(
            "decision must be not-a-match or match".into(),
        ));
    }
    let ls = store.lists()?;
    let versions = ls.list_versions()?;
    let Some(version) = versions
        .iter()
        .filter(|v| v.list == r.list)
        .map(|v| v.version)
        .max()
    else {
        return Err(ServiceError::NotFound(format!(
            "list {} is not stored",
            r.list
        )));
    };
    let entity = ls
        .list_entities(&r.list, version)?
        .into_iter()
        .find(|e| e.entity_id == r.entity)
        .ok_or_else(|| {
            ServiceError::NotFound(format!(
                "{}: no entity {} in version {version}",
                r.list, r.entity
            ))
        })?;
    let e: Entity = decode_entities(std::slice::from_ref(&entity))?.remove(0);
    let country = r.country.as_deref().map(str::to_ascii_uppercase);
    let d = Disposition {
        party: party_fingerprint(&r.party, country.as_deref()),
        party_name: r.party,
        list: r.list,
        entity_id: r.entity,
        entity_fingerprint: e.fingerprint(),
        list_version: version,
        decision: r.decision,
        who: r.who,
        why: r.why,
        at,
    };
    ls.add_disposition(&d)?;
    Ok(Disposed {
        disposition: d,
        caption: e.caption().to_string(),
    })
}

/// The audit trail of dispositions.
pub fn dispositions(store: &mut dyn Store) -> Result<Vec<Disposition>> {
    Ok(store.lists()?.dispositions()?)
}
