//! The labelled-training join: stored filing versions with their latest exam result, as the model's
//! CSV tables, split by filing date.

use crate::exams::LatestExams;
use crate::{Result, ServiceError};
use clearway_core::Filing;
use clearway_model::filing::{Examined, exam_table};
use clearway_profiles::kcs::Labelled;
use clearway_store::Store;

/// The joined tables.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainingTables {
    /// Examined filing versions joined.
    pub rows: usize,
    /// The training table (CSV, the model's columns and its label).
    pub train: Vec<u8>,
    /// The latest `valid_share` of the rows by filing date, when that is neither none nor all of them.
    pub valid: Option<Vec<u8>>,
}

/// Every examined filing version with its latest exam result ([`LatestExams`]) as a labelled row
/// (label: the examination found something), in filing-time order (ties by id, version). One streaming
/// pass over the stored versions keeps only the examined ones.
pub fn labelled(store: &mut dyn Store) -> Result<Vec<Labelled>> {
    let exams = LatestExams::load(store)?;
    let mut rows = Vec::new();
    store.scan_filings(&mut |f: &Filing| {
        if let Some(e) = exams.get(&f.id, f.version) {
            rows.push(Labelled {
                filing: f.clone(),
                extras: Default::default(),
                fraud: e.result.found(),
                revenue: e.revenue,
            });
        }
    })?;
    rows.sort_by(|a, b| {
        let (a, b) = (&a.filing, &b.filing);
        a.times
            .filed_at
            .cmp(&b.times.filed_at)
            .then(a.id.cmp(&b.id))
            .then(a.version.cmp(&b.version))
    });
    Ok(rows)
}

/// Join every examined filing version with its latest exam result into the model's tables; the latest
/// `valid_share` by filing date is the validation table.
pub fn join(store: &mut dyn Store, valid_share: f64) -> Result<TrainingTables> {
    if !(0.0..1.0).contains(&valid_share) {
        return Err(ServiceError::Invalid(
            "--valid-share must be in [0, 1)".into(),
        ));
    }
    let labelled = labelled(store)?;
    if labelled.is_empty() {
        return Err(ServiceError::NotFound(
            "no stored filings with exam results (record them with `clearway exam record` or `exam import`)".into(),
        ));
    }
    let rows: Vec<Examined<'_>> = labelled
        .iter()
        .map(|l| Examined {
            filing: &l.filing,
            found: l.fraud,
            revenue: l.revenue,
        })
        .collect();
    let n_valid = (rows.len() as f64 * valid_share).round() as usize;
    if n_valid == 0 || n_valid == rows.len() {
        return Ok(TrainingTables {
            rows: rows.len(),
            train: exam_table(&rows),
            valid: None,
        });
    }
    let (tr, va) = rows.split_at(rows.len() - n_valid);
    Ok(TrainingTables {
        rows: rows.len(),
        train: exam_table(tr),
        valid: Some(exam_table(va)),
    })
}
