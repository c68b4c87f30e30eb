//! Export control workflows: the licence registry (import, show, usage) and the explanation of one
//! filing's export-control assessment. Principal items: [`read_licences`], [`import`], [`show`],
//! [`usage`], [`check`] and their typed reports.
//!
//! The export-control layer itself runs in every pipeline built with `PipelineOptions::export`
//! ([`crate::pipeline::build_pipeline`]): the registry is read from the store when the pipeline is
//! built, the balances are held by the [`crate::Screener`] and passed to the layer in the engine's
//! `Context`, and the store draws on them when it commits the decision (`clearway_store::licences`).

use std::path::Path;

use chrono::{DateTime, Utc};
use clearway_core::licence::{Balances, Licence};
use clearway_core::{Action, Filing, Finding};
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
use clearway_export::{ExportControl, LicenceBook};
use clearway_store::{DrawRecord, LicenceImport, Store, StoredLicence};
use serde::Serialize;

use crate::{Result, ServiceError, read_text};

/// A licence registry file (a JSON array, else CSV with one row per licence item), checked whole:
/// every bad record is named and nothing is returned when there is one.
pub fn read_licences(path: &Path) -> Result<Vec<Licence>> {
    let text = read_text(path)?;
    parse_licences(&path.display().to_string(), &text)
}

/// [`read_licences`] of text already read; `name` names it in the errors.
pub fn parse_licences(name: &str, text: &str) -> Result<Vec<Licence>> {
    let parsed = if text.trim_start().starts_with('[') {
        clearway_export::licence::parse_json(text)
    } else {
        clearway_export::licence::parse_csv(text)
    };
    parsed.map_err(|errs| ServiceError::Rows {
        file: name.to_string(),
        rows: errs.iter().map(|e| format!("{name}: {e}")).collect(),
    })
}

/// What `clearway licences import` did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub licences: usize,
    pub items: usize,
    #[serde(flatten)]
    pub stored: LicenceImport,
}

/// Import a registry file into the store, all or nothing.
pub fn import(store: &mut dyn Store, path: &Path, at: DateTime<Utc>) -> Result<ImportReport> {
    let ls = read_licences(path)?;
    let stored = store.import_licences(&ls, at)?;
    Ok(ImportReport {
        file: path.display().to_string(),
        licences: ls.len(),
        items: ls.iter().map(|l| l.items.len()).sum(),
        stored,
    })
}

/// One licence item with its balance.
#[derive(Debug, Clone, Serialize)]
pub struct ItemBalance {
    /// From 1, as people count.
    pub item: usize,
    pub entry: String,
    pub authorised_quantity: Option<f64>,
    pub authorised_value: Option<f64>,
    pub used_quantity: f64,
    pub used_value: f64,
    pub remaining_quantity: Option<f64>,
    pub remaining_value: Option<f64>,
    /// Nothing left of a limited quantity or value.
    pub used_up: bool,
}

/// A licence as `clearway licences show` gives it.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceView {
    pub number: String,
    pub holder: String,
    pub authority: Option<String>,
    pub destinations: Vec<String>,
    pub end_users: Vec<String>,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: chrono::NaiveDate,
    pub imported_at: DateTime<Utc>,
    pub items: Vec<ItemBalance>,
}

impl From<StoredLicence> for LicenceView {
    fn from(s: StoredLicence) -> Self {
        let items = s
            .licence
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let used = s.used.get(i).copied().unwrap_or_default();
                let (rq, rv) = s.remaining(i);
                ItemBalance {
                    item: i + 1,
                    entry: it.entry.clone(),
                    authorised_quantity: it.quantity,
                    authorised_value: it.value,
                    used_quantity: used.quantity,
                    used_value: used.value,
                    remaining_quantity: rq,
                    remaining_value: rv,
                    used_up: [rq, rv]
                        .iter()
                        .flatten()
                        .any(|r| *r <= clearway_core::licence::EPSILON),
                }
            })
            .collect();
        let l = s.licence;
        LicenceView {
            number: l.number,
            holder: l.holder,
            authority: l.authority,
            destinations: l.destinations,
            end_users: l.end_users,
            valid_from: l.valid_from,
            valid_to: l.valid_to,
            imported_at: s.imported_at,
            items,
        }
    }
}

/// One licence (`Some(number)`: [`ServiceError::NotFound`] when it is not stored) or every licence.
pub fn show(store: &mut dyn Store, number: Option<&str>) -> Result<Vec<LicenceView>> {
    match number {
        Some(n) => match store.licence(n)? {
            Some(l) => Ok(vec![l.into()]),
            None => Err(ServiceError::NotFound(format!(
                "licence {n} is not in the registry"
            ))),
        },
        None => Ok(store.licences()?.into_iter().map(Into::into).collect()),
    }
}

/// The draws on a licence, oldest first ([`ServiceError::NotFound`] for an unknown licence).
pub fn usage(store: &mut dyn Store, number: &str) -> Result<Vec<DrawRecord>> {
    if store.licence(number)?.is_none() {
        return Err(ServiceError::NotFound(format!(
            "licence {number} is not in the registry"
        )));
    }
    Ok(store.licence_draws(Some(number))?)
}

/// The registry and balances as the layer reads them: the stored licences and what their items used.
pub fn load(store: &mut dyn Store) -> Result<(LicenceBook, Balances)> {
    let fail = |e: &dyn std::fmt::Display| {
        ServiceError::layer(
            "export-control",
            format!("loading the licence registry: {e}"),
        )
    };
    let ls = store.licences().map_err(|e| fail(&e))?;
    let balances = store.licence_balances().map_err(|e| fail(&e))?;
    Ok((
        LicenceBook::new(ls.into_iter().map(|s| s.licence).collect()),
        balances,
    ))
}

/// One filing's export-control assessment, explained.
#[derive(Debug, Clone, Serialize)]
pub struct ExportCheck {
    pub filing_id: String,
    pub version: u32,
    /// The layer assesses filings with `direction: export` only.
    pub is_export: bool,
    /// Destination as the layer determined it (declared, else the ultimate consignee's country...).
    pub destination: Option<String>,
    /// Some finding asks for a hold.
    pub hold: bool,
    /// Sum of the export findings' weights (the layer's contribution to the score).
    pub weight: f64,
    /// Per goods item: the four answers.
    pub items: Vec<clearway_export::layer::ItemSummary>,
    /// Every export-control finding (the summary excluded), highest weight first.
    pub findings: Vec<Finding>,
}

/// Explain one filing's export-control assessment, against the stored registry and balances (or none
/// when `store` is `None`). Nothing is drawn or stored.
pub fn check(
    store: Option<&mut dyn Store>,
    config: Config,
    filing: &Filing,
) -> Result<ExportCheck> {
    let (book, balances) = match store {
        Some(s) => load(s)?,
        None => Default::default(),
    };
    let mut p = Pipeline::empty(config, ReferenceData::default(), Registry::default());
    p.add_layer(Box::new(ExportControl::new(book)));
    let d = p.assess_in(filing, None, None, Some(&balances));
    let mut items = Vec::new();
    let mut findings = Vec::new();
    for f in d
        .findings
        .into_iter()
        .filter(|f| f.layer == "export-control")
    {
        match clearway_export::layer::ItemSummary::from_summary(&f) {
            Some(s) => items = s,
            None => findings.push(f),
        }
    }
    Ok(ExportCheck {
        filing_id: filing.id.clone(),
        version: filing.version,
        is_export: filing.direction == clearway_core::Direction::Export,
        destination: clearway_export::layer::destination(filing),
        hold: findings.iter().any(|f| f.action == Some(Action::Hold)),
        weight: findings.iter().map(|f| f.weight).sum(),
        items,
        findings,
    })
}
