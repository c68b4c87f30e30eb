//! Assessment bundles in the service: making one from a source directory, and building a screening
//! pipeline from one. The format and its checks live in `clearway-bundle` (pure); this module reads the
//! files and assembles the layers.
//!
//! A pipeline built from a bundle takes its engine configuration, profiles (with lists, value table and
//! selectivity), model and optional layers from the bundle only: the options that would give them too
//! (`config`, `profiles`, `selectivity`, `model`) are refused alongside a bundle. What stays outside is
//! operational data, like the entity history: the trusted-trader registry (the store), reference tables
//! (`reference`), list contents (the store) and portal results. The bundle must be intact and validly
//! signed, and every decision records the bundle's hash as its configuration hash.
//!
//! Source directory (`bundle.json` beside the files it names, paths relative to it):
//!
//! ```json
//! {"name": "example-profile-heavy", "version": "2026.1", "agency": "Example agency A",
//!  "description": "...", "config": "config.json", "profiles": "profiles",
//!  "harmonised": "../harmonised", "selectivity": "selectivity.json", "model": "model.json",
//!  "layers": ["profile", "model"]}
//! ```
//!
//! `profiles` is a profile directory as `--profiles` reads it (`*.profile`, `lists/*.csv`,
//! `value-control.csv`); `harmonised` one more (its profiles marked harmonised); `layers` defaults to
//! the layers whose configuration is present.

use crate::pipeline::{PipelineOptions, Screener, load_history, party_screening};
use crate::{Result, ServiceError, read_text};
use clearway_bundle::{
    Bundle, Manifest, Payload, ProfileFile, PublicKey, SecretKey, TextFile, Verification,
};
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
use clearway_profiles::{ProfileLayer, ProfileSet, Source};
use clearway_store::Store;
use std::path::{Path, PathBuf};

/// `bundle.json` of a source directory.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceManifest {
    name: String,
    version: String,
    agency: String,
    #[serde(default)]
    description: String,
    config: Option<PathBuf>,
    profiles: Option<PathBuf>,
    harmonised: Option<PathBuf>,
    selectivity: Option<PathBuf>,
    model: Option<PathBuf>,
    layers: Option<Vec<String>>,
}

fn files_under(dir: &Path, ext: &str, recurse: bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| ServiceError::file(dir.display(), e))?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recurse && p.file_name().is_none_or(|n| n != "lists") {
                out.extend(files_under(&p, ext, recurse)?);
            }
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The name a file is carried under: its path relative to the source directory, `/`-separated.
fn carried(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => parts.clear(),
            _ => {}
        }
    }
    parts.join("/")
}

fn text_file(root: &Path, p: &Path) -> Result<TextFile> {
    Ok(TextFile {
        name: carried(root, p),
        text: read_text(p)?,
    })
}

/// Read a profile directory's files: profiles, lists, value table.
fn profile_dir(
    root: &Path,
    dir: &Path,
    harmonised: bool,
    prefix: &str,
    payload: &mut Payload,
) -> Result<()> {
    for p in files_under(dir, "profile", true)? {
        let mut file = text_file(dir, &p)?;
        file.name = format!("{prefix}/{}", file.name);
        payload.profiles.push(ProfileFile { file, harmonised });
    }
    if dir.join("lists").is_dir() {
        for p in files_under(&dir.join("lists"), "csv", false)? {
            let mut file = text_file(dir, &p)?;
            file.name = format!("{prefix}/{}", file.name);
            payload.lists.push(file);
        }
    }
    let v = dir.join("value-control.csv");
    if v.exists() {
        if payload.value_control.is_some() {
            return Err(ServiceError::file(
                v.display(),
                "a second value-control table (one per bundle)",
            ));
        }
        let mut file = text_file(dir, &v)?;
        file.name = format!("{prefix}/{}", file.name);
        payload.value_control = Some(file);
    }
    let _ = root;
    Ok(())
}

/// Make a bundle from a source directory (its `bundle.json`), sealed with `key` when given. Every part
/// is checked the way loading it will (profiles compile, the model reads, the configuration parses), so
/// a bundle that seals also loads.
pub fn create(source: &Path, key: Option<&SecretKey>) -> Result<Bundle> {
    let mpath = source.join("bundle.json");
    let m: SourceManifest = serde_json::from_str(&read_text(&mpath)?)
        .map_err(|e| ServiceError::file(mpath.display(), e))?;
    let mut payload = Payload {
        format: clearway_bundle::FORMAT.into(),
        manifest: Manifest {
            name: m.name,
            version: m.version,
            agency: m.agency,
            description: m.description,
        },
        layers: Vec::new(),
        config: m
            .config
            .as_ref()
            .map(|p| text_file(source, &source.join(p)))
            .transpose()?,
        profiles: Vec::new(),
        lists: Vec::new(),
        value_control: None,
        selectivity: m
            .selectivity
            .as_ref()
            .map(|p| text_file(source, &source.join(p)))
            .transpose()?,
        model: m
            .model
            .as_ref()
            .map(|p| text_file(source, &source.join(p)))
            .transpose()?,
    };
    if let Some(d) = &m.profiles {
        profile_dir(source, &source.join(d), false, "profiles", &mut payload)?;
    }
    if let Some(d) = &m.harmonised {
        profile_dir(source, &source.join(d), true, "harmonised", &mut payload)?;
    }
    payload.layers = match m.layers {
        Some(l) => l,
        None => {
            let mut l = Vec::new();
            if !payload.profiles.is_empty() {
                l.push("profile".to_owned());
            }
            if payload.model.is_some() {
                l.push("model".to_owned());
            }
            l
        }
    };
    // Load every part once, as a pipeline would.
    Parts::load(&payload)?;
    Bundle::seal(payload, key).map_err(|e| ServiceError::file(source.display(), e))
}

/// A bundle's parts, parsed.
pub struct Parts {
    pub config: Config,
    pub profiles: Option<(ProfileSet, Vec<String>)>,
    pub selectivity: Option<clearway_profiles::selectivity::SelectivityConfig>,
    pub model: Option<clearway_model::Model>,
    /// Ids of the harmonised profiles.
    pub harmonised: Vec<String>,
}

impl Parts {
    /// Parse every part of a payload; errors name the carried file.
    pub fn load(p: &Payload) -> Result<Parts> {
        let config = match &p.config {
            None => Config::default(),
            Some(f) => serde_json::from_str(&f.text)
                .map_err(|e| ServiceError::file(&f.name, format!("bad configuration: {e}")))?,
        };
        let profiles = if p.profiles.is_empty() {
            None
        } else {
            let src: Vec<Source> = p
                .profiles
                .iter()
                .map(|f| Source {
                    name: &f.file.name,
                    text: &f.file.text,
                })
                .collect();
            let lsrc: Vec<Source> = p
                .lists
                .iter()
                .map(|f| Source {
                    name: &f.name,
                    text: &f.text,
                })
                .collect();
            let v = p.value_control.as_ref().map(|f| Source {
                name: &f.name,
                text: &f.text,
            });
            match ProfileSet::load(&src, &lsrc, v, None) {
                Ok((set, w)) => Some((set, w.iter().map(|d| d.to_string()).collect())),
                Err(errs) => {
                    return Err(ServiceError::Rows {
                        file: "bundle profiles".into(),
                        rows: errs.iter().map(|e| e.to_string()).collect(),
                    });
                }
            }
        };
        let harmonised = match &profiles {
            None => Vec::new(),
            Some((set, _)) => {
                let files: Vec<&str> = p
                    .profiles
                    .iter()
                    .filter(|f| f.harmonised)
                    .map(|f| f.file.name.as_str())
                    .collect();
                let mut ids: Vec<String> = set
                    .profiles
                    .iter()
                    .filter(|pr| files.iter().any(|f| pr_file(pr) == *f))
                    .map(|pr| pr.id.clone())
                    .collect();
                ids.dedup();
                ids
            }
        };
        let selectivity =
            p.selectivity
                .as_ref()
                .map(|f| {
                    clearway_profiles::selectivity::SelectivityConfig::parse(&f.name, &f.text)
                        .map_err(|errs| ServiceError::Rows {
                            file: f.name.clone(),
                            rows: errs.iter().map(|e| e.to_string()).collect(),
                        })
                })
                .transpose()?;
        let model = p
            .model
            .as_ref()
            .map(|f| {
                clearway_model::Model::from_json(&f.text)
                    .map_err(|e| ServiceError::layer("model", format!("{}: {e}", f.name)))
            })
            .transpose()?;
        Ok(Parts {
            config,
            profiles,
            selectivity,
            model,
            harmonised,
        })
    }
}

fn pr_file(p: &clearway_profiles::Profile) -> &str {
    p.file.as_str()
}

/// Read a bundle file.
pub fn read(path: &Path) -> Result<Bundle> {
    let bytes = std::fs::read(path).map_err(|e| ServiceError::file(path.display(), e))?;
    Bundle::from_json(&bytes).map_err(|e| ServiceError::file(path.display(), e))
}

/// Read and verify a bundle file, against `expected` when given.
pub fn verify(path: &Path, expected: Option<&Path>) -> Result<(Bundle, Verification)> {
    let b = read(path)?;
    let key = expected.map(read_public_key).transpose()?;
    let v = b.verify(key.as_ref());
    Ok((b, v))
}

/// A public key file.
pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    PublicKey::parse(&read_text(path)?).map_err(|e| ServiceError::file(path.display(), e))
}

/// A secret key file.
pub fn read_secret_key(path: &Path) -> Result<SecretKey> {
    SecretKey::parse(&read_text(path)?).map_err(|e| ServiceError::file(path.display(), e))
}

/// A loaded bundle: the screener, and what the comparison needs to know of it.
pub struct Loaded {
    pub screener: Screener,
    pub bundle: Bundle,
    /// Ids of the harmonised profiles.
    pub harmonised: Vec<String>,
}

/// Build the pipeline of `o.bundle` (see the module doc): the standard layers with the bundle's
/// configuration, then profile, model, party screening and portal as the bundle switches them on, in
/// the order `build_pipeline` adds them. Entity history is loaded from the store when profiles run.
pub fn build_pipeline(store: &mut dyn Store, o: &PipelineOptions, path: &Path) -> Result<Screener> {
    Ok(load(store, o, path)?.screener)
}

/// [`build_pipeline`], keeping the bundle.
pub fn load(store: &mut dyn Store, o: &PipelineOptions, path: &Path) -> Result<Loaded> {
    let clash: Vec<&str> = [
        ("config", o.config.is_some()),
        ("profiles", o.profiles.is_some()),
        ("selectivity", o.selectivity.is_some()),
        ("model", o.model.is_some()),
    ]
    .iter()
    .filter(|(_, set)| *set)
    .map(|(n, _)| *n)
    .collect();
    if !clash.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "{} come(s) from the bundle {}; do not give them as well",
            clash.join(", "),
            path.display()
        )));
    }
    let bundle = read(path)?;
    let v = bundle.verify(None);
    if let Some(problem) = v.problem() {
        return Err(ServiceError::file(
            path.display(),
            format!("bundle refused: {problem}"),
        ));
    }
    let parts = Parts::load(&bundle.payload).map_err(|e| match e {
        ServiceError::Rows { rows, .. } => ServiceError::Rows {
            file: path.display().to_string(),
            rows,
        },
        other => other,
    })?;
    if let Some(t) = &o.traders {
        let ms = crate::pipeline::read_traders(t)?;
        store.upsert_memberships(&ms)?;
    }
    let registry = Registry::new(store.memberships()?);
    let reference = match &o.reference {
        Some(dir) => crate::pipeline::load_reference(dir)?,
        None => ReferenceData::default(),
    };
    let mut pipeline = Pipeline::new(parts.config, reference, registry);
    let mut warnings = Vec::new();
    let mut history = None;
    if let Some((set, w)) = parts.profiles {
        warnings.extend(w);
        history =
            Some(load_history(store).map_err(|e| {
                ServiceError::layer("profile", format!("seeding entity history: {e}"))
            })?);
        pipeline.add_layer(Box::new(ProfileLayer::new(set, parts.selectivity)));
    }
    if let Some(m) = parts.model {
        pipeline.add_layer(Box::new(clearway_model::ModelLayer::new(m)));
    }
    if bundle.payload.runs("party-screening") {
        match party_screening(store, o.list_bands.as_deref())? {
            Some(layer) => pipeline.add_layer(Box::new(layer)),
            None => warnings.push(
                "the bundle screens parties but no list is stored: party screening finds nothing"
                    .into(),
            ),
        }
    }
    match (&o.portal_results, bundle.payload.runs("portal")) {
        (Some(p), true) => {
            let text = read_text(p)?;
            let (results, diags) = clearway_portal::PortalResults::from_jsonl(&text);
            warnings.extend(diags.iter().map(|d| {
                format!(
                    "{}:{}: {}",
                    p.display(),
                    d.location.line.unwrap_or(0),
                    d.message
                )
            }));
            pipeline.add_layer(Box::new(clearway_portal::PortalLayer::new(results)));
        }
        (None, true) => {
            return Err(ServiceError::layer(
                "portal",
                "the bundle runs the portal layer: give the portal results",
            ));
        }
        (Some(_), false) => {
            return Err(ServiceError::Invalid(
                "portal results given but the bundle does not run the portal layer".into(),
            ));
        }
        (None, false) => {}
    }
    pipeline.pin_config_hash(bundle.hash.clone());
    let mut screener = Screener::new(pipeline);
    if let Some(h) = history {
        screener = screener.with_history(h);
    }
    screener.warnings = warnings;
    Ok(Loaded {
        screener,
        bundle,
        harmonised: parts.harmonised,
    })
}

/// The profile set of a bundle (verified), for the backtest.
pub fn profile_set(path: &Path) -> Result<ProfileSet> {
    let bundle = read(path)?;
    if let Some(problem) = bundle.verify(None).problem() {
        return Err(ServiceError::file(
            path.display(),
            format!("bundle refused: {problem}"),
        ));
    }
    match Parts::load(&bundle.payload)?.profiles {
        Some((set, _)) => Ok(set),
        None => Err(ServiceError::file(
            path.display(),
            "the bundle carries no profiles",
        )),
    }
}
