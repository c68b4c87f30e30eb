//! Opening stores and loading reference data, registries and configuration from files.

use anyhow::{Context as _, Result, bail};
use clearway_engine::{Config, ReferenceData, Registry, registry_io};
use clearway_store::{Store, postgres::PgStore, sqlite::SqliteStore};
use std::path::Path;

/// Open the store named by `--db`: a PostgreSQL URL or a SQLite file.
pub fn open_store(db: &str) -> Result<Box<dyn Store>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.contains("host=") {
        Ok(Box::new(PgStore::connect(db).with_context(|| format!("connecting to PostgreSQL {db}"))?))
    } else {
        Ok(Box::new(SqliteStore::open(Path::new(db)).with_context(|| format!("opening SQLite store {db}"))?))
    }
}

/// Load reference data from a directory laid out like `../shared/data/reference`:
/// `hs2022/harmonized-system.csv` and every `unlocode/*.csv` with a `LOCODE` or `unlocode` column.
pub fn load_reference(dir: &Path) -> Result<ReferenceData> {
    let mut r = ReferenceData::default();
    let hs = dir.join("hs2022/harmonized-system.csv");
    if hs.exists() {
        let text = std::fs::read_to_string(&hs).with_context(|| format!("reading {}", hs.display()))?;
        r.add_hs_csv(&hs.display().to_string(), &text)?;
    }
    let lo = dir.join("unlocode");
    if lo.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(&lo)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "csv")) {
            let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            let head = text.lines().next().unwrap_or("");
            if head.split(',').any(|h| h.trim().eq_ignore_ascii_case("locode") || h.trim().eq_ignore_ascii_case("unlocode")) {
                r.add_locode_csv(&f.display().to_string(), &text)?;
            }
        }
    }
    if r.is_empty() {
        bail!("{}: no reference tables found (want hs2022/harmonized-system.csv or unlocode/*.csv)", dir.display());
    }
    Ok(r)
}

/// Read a trusted-trader registry file (CSV or a JSON array), reporting every bad row.
pub fn read_traders(path: &Path) -> Result<Vec<clearway_core::Membership>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).with_context(|| format!("{}: not a JSON array of memberships", path.display()));
    }
    let (ms, errs) = registry_io::memberships_from_csv(&text);
    if !errs.is_empty() {
        for e in &errs {
            eprintln!("{}: {e}", path.display());
        }
        bail!("{}: {} bad rows in the trusted-trader registry", path.display(), errs.len());
    }
    Ok(ms)
}

/// Load configuration from a JSON file, or the default.
pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        None => Ok(Config::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_str(&text).with_context(|| format!("{}: bad configuration", p.display()))
        }
    }
}

/// The registry as stored.
pub fn registry_from_store(store: &mut dyn Store) -> Result<Registry> {
    Ok(Registry::new(store.memberships()?))
}
