//! Assembling the screening pipeline from the store and the options: configuration, reference data,
//! trusted-trader registry, targeting profiles with entity history, learned model, sanctions lists with
//! officer dispositions, portal results. A layer that is configured but cannot load is an error naming it.

use crate::exams::LatestExams;
use crate::{Result, ServiceError, read_text};
use clearway_core::{Decision, Filing, Membership};
use clearway_engine::{
    Config, EntityHistory, Pipeline, Prior, ReferenceData, Registry, registry_io,
};
use clearway_names::{BandConfig, Index, PartyScreening, Remembered};
use clearway_profiles::selectivity::SelectivityConfig;
use clearway_profiles::{Diag, ProfileLayer, ProfileSet, Source};
use clearway_store::{Store, postgres::PgStore, sqlite::SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// What a screening pipeline is built from (besides the store).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PipelineOptions {
    /// Engine configuration (JSON): thresholds, random-selection rates, weight overrides.
    pub config: Option<PathBuf>,
    /// Reference data directory (`hs2022/`, `unlocode/`).
    pub reference: Option<PathBuf>,
    /// A trusted-trader registry (CSV or JSON) to load into the store first.
    pub traders: Option<PathBuf>,
    /// Targeting profiles directory.
    pub profiles: Option<PathBuf>,
    /// Selectivity configuration (needs `profiles`).
    pub selectivity: Option<PathBuf>,
    /// A model file (`clearway model train`).
    pub model: Option<PathBuf>,
    /// Screen parties against the stored lists (when any are stored).
    pub lists: bool,
    /// Score bands per list (JSON).
    pub list_bands: Option<PathBuf>,
    /// Radiation portal and secondary results (JSON Lines).
    pub portal_results: Option<PathBuf>,
    /// An assessment bundle (`clearway bundle create`): configuration, profiles, selectivity, model and
    /// optional layers all come from it, and decisions record its hash ([`crate::bundle`]).
    #[serde(default)]
    pub bundle: Option<PathBuf>,
    /// Run the export-control layer (`clearway-export`) against the stored licence registry.
    #[serde(default)]
    pub export: bool,
    /// A licence registry (JSON array or CSV) to import into the store first (needs `export`).
    #[serde(default)]
    pub licences: Option<PathBuf>,
}

/// A built pipeline and the entity history it reads (when profiles are configured).
///
/// The history lives here, not in a layer: it is loaded from the store when the pipeline is built and
/// extended with the filings assessed through [`Screener::assess`]. A filing reads only the days before
/// its own UTC filing day, so adding the filings of a run never changes a decision of the same day, and
/// the lock only keeps concurrent runs (the server) from tearing the map.
pub struct Screener {
    pipeline: Pipeline,
    history: Option<RwLock<EntityHistory>>,
    /// Export licence balances (with the export layer): the store's when built, plus the draws of the
    /// filings assessed since ([`crate::export`]).
    licences: Option<RwLock<Ledger>>,
    /// Warnings met while loading (profile warnings, skipped portal lines), for the adapter to show.
    pub warnings: Vec<String>,
}

impl std::ops::Deref for Screener {
    type Target = Pipeline;
    fn deref(&self) -> &Pipeline {
        &self.pipeline
    }
}

impl Screener {
    /// A screener over a pipeline without entity history.
    pub fn new(pipeline: Pipeline) -> Self {
        Screener {
            pipeline,
            history: None,
            licences: None,
            warnings: Vec::new(),
        }
    }

    /// With entity history (as loaded by [`load_history`]).
    pub fn with_history(mut self, history: EntityHistory) -> Self {
        self.history = Some(RwLock::new(history));
        self
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Assess one filing version against the history of the days before its own, then add it to the
    /// history (a later day sees it).
    ///
    /// With the export layer, a filing that declares a licence is assessed under the ledger's lock
    /// against the balances of the moment, and its draws are added before the next one reads them: in
    /// one run the store's commit-time draw (`clearway_store::licences`) always finds the balance the
    /// layer saw.
    pub fn assess(&self, filing: &Filing, prior: Option<&Prior>) -> Decision {
        let ledger = self.licences.as_ref().filter(|_| declares_licence(filing));
        let d = {
            let g = self
                .history
                .as_ref()
                .map(|h| h.read().unwrap_or_else(|e| e.into_inner()));
            match ledger {
                Some(l) => {
                    let mut l = l.write().unwrap_or_else(|e| e.into_inner());
                    let d = self
                        .pipeline
                        .assess_in(filing, prior, g.as_deref(), Some(&l.balances));
                    l.observe(filing, &d);
                    d
                }
                None => self.pipeline.assess_with(filing, prior, g.as_deref()),
            }
        };
        if let Some(h) = &self.history {
            h.write()
                .unwrap_or_else(|e| e.into_inner())
                .observe_filing(filing);
        }
        d
    }

    /// Reload the licence balances from the store (after another process drew on them: a batch the
    /// store refused with a licence conflict). Draws of this screener not yet committed are dropped.
    pub fn refresh_licences(&self, store: &mut dyn Store) -> Result<()> {
        if let Some(l) = &self.licences {
            let balances = store.licence_balances()?;
            *l.write().unwrap_or_else(|e| e.into_inner()) = Ledger::new(balances);
        }
        Ok(())
    }
}

/// Licence balances as a screener keeps them.
struct Ledger {
    balances: clearway_core::licence::Balances,
    /// Filing versions whose draws are in `balances` (a resubmission does not draw twice).
    drawn: std::collections::HashSet<(String, u32)>,
}

impl Ledger {
    fn new(balances: clearway_core::licence::Balances) -> Self {
        Ledger {
            balances,
            drawn: Default::default(),
        }
    }

    fn observe(&mut self, f: &Filing, d: &Decision) {
        let mut draws = clearway_core::licence::draws(d).peekable();
        if draws.peek().is_some() && self.drawn.insert((f.id.clone(), f.version)) {
            clearway_core::licence::apply(&mut self.balances, draws);
        }
    }
}

/// Whether any goods item declares a licence number.
fn declares_licence(f: &Filing) -> bool {
    f.goods.iter().any(|g| {
        g.export
            .as_ref()
            .is_some_and(|e| e.licence.as_deref().is_some_and(|l| !l.trim().is_empty()))
    })
}

impl Screener {}

/// Open the store named by `db`: a PostgreSQL URL (`postgres://`, `postgresql://` or `host=...`) or a
/// SQLite file.
pub fn open_store(db: &str) -> Result<Box<dyn Store>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.contains("host=") {
        Ok(Box::new(PgStore::connect(db).map_err(|e| {
            ServiceError::file(db, format!("connecting to PostgreSQL: {e}"))
        })?))
    } else {
        Ok(Box::new(SqliteStore::open(Path::new(db)).map_err(|e| {
            ServiceError::file(db, format!("opening SQLite store: {e}"))
        })?))
    }
}

/// Build the screening pipeline: the standard layers, then profiles, model, party screening and portal
/// results as configured. `--traders` is loaded into the store first; the registry is read from the store.
pub fn build_pipeline(store: &mut dyn Store, o: &PipelineOptions) -> Result<Screener> {
    if let Some(b) = &o.bundle {
        return crate::bundle::build_pipeline(store, o, b);
    }
    if let Some(t) = &o.traders {
        let ms = read_traders(t)?;
        store.upsert_memberships(&ms)?;
    }
    let registry = Registry::new(store.memberships()?);
    let reference = match &o.reference {
        Some(dir) => load_reference(dir)?,
        None => ReferenceData::default(),
    };
    let config = load_config(o.config.as_deref())?;
    let mut pipeline = Pipeline::new(config, reference, registry);
    let mut warnings = Vec::new();
    let mut history = None;
    if let Some(dir) = &o.profiles {
        let (set, w) = load_profiles(dir)?;
        warnings.extend(w.iter().map(|d| d.to_string()));
        let sel = o.selectivity.as_deref().map(load_selectivity).transpose()?;
        history =
            Some(load_history(store).map_err(|e| {
                ServiceError::layer("profile", format!("seeding entity history: {e}"))
            })?);
        pipeline.add_layer(Box::new(ProfileLayer::new(set, sel)));
    } else if o.selectivity.is_some() {
        return Err(ServiceError::Invalid(
            "a selectivity configuration needs profiles".into(),
        ));
    }
    if let Some(path) = &o.model {
        let m = load_model(path)?;
        pipeline.add_layer(Box::new(clearway_model::ModelLayer::new(m)));
    }
    if o.lists {
        if let Some(layer) = party_screening(store, o.list_bands.as_deref())? {
            pipeline.add_layer(Box::new(layer));
        }
    }
    let mut licences = None;
    if o.export {
        if let Some(path) = &o.licences {
            crate::export::import(store, path, chrono::Utc::now())?;
        }
        let (book, balances) = crate::export::load(store)?;
        pipeline.add_layer(Box::new(clearway_export::ExportControl::new(book)));
        licences = Some(RwLock::new(Ledger::new(balances)));
    } else if o.licences.is_some() {
        return Err(ServiceError::Invalid(
            "a licence registry needs the export-control layer (--export)".into(),
        ));
    }
    if let Some(path) = &o.portal_results {
        let text = read_text(path)?;
        let (results, diags) = clearway_portal::PortalResults::from_jsonl(&text);
        warnings.extend(diags.iter().map(|d| {
            format!(
                "{}:{}: {}",
                path.display(),
                d.location.line.unwrap_or(0),
                d.message
            )
        }));
        if results.is_empty() && !diags.is_empty() {
            return Err(ServiceError::layer(
                "portal",
                format!("{}: no valid portal result", path.display()),
            ));
        }
        pipeline.add_layer(Box::new(clearway_portal::PortalLayer::new(results)));
    }
    let mut s = Screener::new(pipeline);
    s.history = history.map(RwLock::new);
    s.licences = licences;
    s.warnings = warnings;
    Ok(s)
}

/// Entity history from the store: every stored filing version (streamed) with its filing day, and the
/// latest exam result of every examined filing version.
pub fn load_history(store: &mut dyn Store) -> Result<EntityHistory> {
    let mut history = EntityHistory::new();
    store.scan_filings(&mut |f| history.observe_filing(f))?;
    let exams = LatestExams::load(store)?;
    for ((id, version), e) in exams.iter() {
        if let Some(f) = store.filing(id, *version)? {
            history.record_exam(f.importer_key(), e.result.found());
        }
    }
    Ok(history)
}

/// The party-screening layer over the latest version of every stored list, with the officers'
/// dispositions; `None` when no list is stored.
pub fn party_screening(
    store: &mut dyn Store,
    bands: Option<&Path>,
) -> Result<Option<PartyScreening>> {
    let fail = |e: &dyn std::fmt::Display| ServiceError::layer("party-screening", e);
    let ls = store.lists().map_err(|e| fail(&e))?;
    let stored = ls.latest_entities().map_err(|e| fail(&e))?;
    if stored.is_empty() {
        return Ok(None);
    }
    let entities = crate::lists::decode_entities(&stored).map_err(|e| fail(&e))?;
    let bands = read_bands(bands)?;
    let mut layer = PartyScreening::new(Index::build(&entities), bands);
    for d in ls.dispositions().map_err(|e| fail(&e))? {
        layer.remember(
            &d.party,
            &d.list,
            &d.entity_id,
            Remembered {
                entity_fingerprint: d.entity_fingerprint,
                decision: d.decision,
                who: d.who,
                why: d.why,
            },
        );
    }
    Ok(Some(layer))
}

/// Score bands (JSON), or the defaults.
pub fn read_bands(path: Option<&Path>) -> Result<BandConfig> {
    match path {
        None => Ok(BandConfig::default()),
        Some(p) => serde_json::from_str(&read_text(p)?)
            .map_err(|e| ServiceError::file(p.display(), format!("bad bands file: {e}"))),
    }
}

/// A model file, checked.
pub fn load_model(path: &Path) -> Result<clearway_model::Model> {
    let text = read_text(path).map_err(|e| ServiceError::layer("model", e))?;
    clearway_model::Model::from_json(&text)
        .map_err(|e| ServiceError::layer("model", format!("{}: {e}", path.display())))
}

fn files_with(dir: &Path, ext: &str, recurse: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| ServiceError::file(dir.display(), e))?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && recurse {
            files_with(&p, ext, recurse, out)?;
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
    Ok(())
}

/// A profile directory as loaded: the set, its warnings and the number of profile files; or the errors.
pub type Loaded = std::result::Result<(ProfileSet, Vec<Diag>, usize), Vec<Diag>>;

/// Read and check a profile directory (`*.profile`, `lists/*.csv`, `value-control.csv`); nothing
/// half-loaded. `today` enables review and expiry warnings.
pub fn read_profiles(dir: &Path, today: Option<chrono::NaiveDate>) -> Result<Loaded> {
    let mut pf = Vec::new();
    files_with(dir, "profile", true, &mut pf)?;
    let mut lf = Vec::new();
    if dir.join("lists").is_dir() {
        files_with(&dir.join("lists"), "csv", false, &mut lf)?;
    }
    let texts: Vec<(String, String)> = pf
        .iter()
        .map(|p| Ok((p.display().to_string(), read_text(p)?)))
        .collect::<Result<_>>()?;
    let ltexts: Vec<(String, String)> = lf
        .iter()
        .map(|p| Ok((p.display().to_string(), read_text(p)?)))
        .collect::<Result<_>>()?;
    let vpath = dir.join("value-control.csv");
    let vtext = if vpath.exists() {
        Some((vpath.display().to_string(), read_text(&vpath)?))
    } else {
        None
    };
    let src: Vec<Source> = texts
        .iter()
        .map(|(n, t)| Source { name: n, text: t })
        .collect();
    let lsrc: Vec<Source> = ltexts
        .iter()
        .map(|(n, t)| Source { name: n, text: t })
        .collect();
    let v = vtext.as_ref().map(|(n, t)| Source { name: n, text: t });
    Ok(ProfileSet::load(&src, &lsrc, v, today).map(|(s, w)| (s, w, pf.len())))
}

/// A profile directory that must load: its errors, one per line, in the error.
pub fn load_profiles(dir: &Path) -> Result<(ProfileSet, Vec<Diag>)> {
    match read_profiles(dir, None)? {
        Ok((s, w, _)) => Ok((s, w)),
        Err(errs) => Err(ServiceError::Profiles {
            dir: dir.display().to_string(),
            rows: errs.iter().map(|e| e.to_string()).collect(),
        }),
    }
}

/// A selectivity configuration (JSON rate periods).
pub fn load_selectivity(path: &Path) -> Result<SelectivityConfig> {
    SelectivityConfig::parse(&path.display().to_string(), &read_text(path)?).map_err(|errs| {
        ServiceError::Rows {
            file: path.display().to_string(),
            rows: errs.iter().map(|e| e.to_string()).collect(),
        }
    })
}

/// Load reference data from a directory laid out like `../shared/data/reference`:
/// `hs2022/harmonized-system.csv` and every `unlocode/*.csv` with a `LOCODE` or `unlocode` column.
pub fn load_reference(dir: &Path) -> Result<ReferenceData> {
    let mut r = ReferenceData::default();
    let hs = dir.join("hs2022/harmonized-system.csv");
    if hs.exists() {
        r.add_hs_csv(&hs.display().to_string(), &read_text(&hs)?)
            .map_err(|e| ServiceError::file(hs.display(), e))?;
    }
    let lo = dir.join("unlocode");
    if lo.is_dir() {
        let mut files = Vec::new();
        files_with(&lo, "csv", false, &mut files)?;
        for f in &files {
            let text = read_text(f)?;
            let head = text.lines().next().unwrap_or("");
            if head.split(',').any(|h| {
                h.trim().eq_ignore_ascii_case("locode") || h.trim().eq_ignore_ascii_case("unlocode")
            }) {
                r.add_locode_csv(&f.display().to_string(), &text)
                    .map_err(|e| ServiceError::file(f.display(), e))?;
            }
        }
    }
    if r.is_empty() {
        return Err(ServiceError::file(
            dir.display(),
            "no reference tables found (want hs2022/harmonized-system.csv or unlocode/*.csv)",
        ));
    }
    Ok(r)
}

/// Read a trusted-trader registry file (CSV or a JSON array); every bad row is named in the error.
pub fn read_traders(path: &Path) -> Result<Vec<Membership>> {
    let text = read_text(path)?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).map_err(|e| {
            ServiceError::file(
                path.display(),
                format!("not a JSON array of memberships: {e}"),
            )
        });
    }
    let (ms, errs) = registry_io::memberships_from_csv(&text);
    if !errs.is_empty() {
        return Err(ServiceError::Rows {
            file: path.display().to_string(),
            rows: errs
                .iter()
                .map(|e| format!("{}: {e}", path.display()))
                .collect(),
        });
    }
    Ok(ms)
}

/// Configuration from a JSON file, or the default.
pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        None => Ok(Config::default()),
        Some(p) => serde_json::from_str(&read_text(p)?)
            .map_err(|e| ServiceError::file(p.display(), format!("bad configuration: {e}"))),
    }
}
