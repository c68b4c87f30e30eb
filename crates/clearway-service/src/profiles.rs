//! Profile statistics (hits, selections, exams, finds per profile) and the daily capacity top-up.

use crate::Result;
use crate::exams::LatestExams;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clearway_engine::config::RandomConfig;
use clearway_profiles::ProfileSet;
use clearway_profiles::selectivity::{
    Candidate, GroupReport, Selection, SelectivityConfig, top_up,
};
use clearway_store::Store;
use clearway_store::exams::SelectionRecord;
use std::collections::BTreeMap;

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// One profile's statistics.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProfileStat {
    pub id: String,
    pub hits: u64,
    pub selected: u64,
    pub examined: u64,
    pub finds: u64,
    pub hit_rate: Option<f64>,
    pub revenue: f64,
    pub revenue_per_exam: Option<f64>,
    pub flags: Vec<String>,
}

/// Per-profile statistics over the stored decisions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileStats {
    /// Stored decisions read (filing versions filed in the period).
    pub filings: usize,
    /// Examined filing versions (latest result each).
    pub exam_results: usize,
    pub profiles: Vec<ProfileStat>,
}

/// What [`stats`] reads.
#[derive(Debug, Clone, Default)]
pub struct StatsOptions<'a> {
    /// Only filings filed on or after this day.
    pub from: Option<NaiveDate>,
    /// Only filings filed before this day.
    pub to: Option<NaiveDate>,
    /// Flag profiles whose hit rate is below this share once examined at least 10 times.
    pub floor: f64,
    /// The profile set, for review and expiry flags as of `today`.
    pub profiles: Option<&'a ProfileSet>,
    pub today: Option<NaiveDate>,
}

/// Per-profile statistics: hits and selections from the stored decisions, examinations and finds from
/// the latest exam result of each decided filing version.
pub fn stats(store: &mut dyn Store, o: &StatsOptions<'_>) -> Result<ProfileStats> {
    let exams = LatestExams::load(store)?;
    let stored = store.decisions_filed(o.from.map(day_start), o.to.map(day_start))?;
    let mut st: BTreeMap<String, ProfileStat> = BTreeMap::new();
    for s in &stored {
        let exam = exams.get(&s.filing.id, s.filing.version);
        for f in s.decision.findings.iter().filter(|f| f.layer == "profile") {
            let p = st.entry(f.code.to_string()).or_insert_with(|| ProfileStat {
                id: f.code.to_string(),
                ..ProfileStat::default()
            });
            p.hits += 1;
            p.selected += u64::from(f.action.is_some());
            if let Some(e) = exam {
                p.examined += 1;
                p.finds += u64::from(e.result.found());
                p.revenue += e.revenue.unwrap_or(0.0);
            }
        }
    }
    if let (Some(set), Some(day)) = (o.profiles, o.today) {
        for p in &set.profiles {
            let s = st.entry(p.id.clone()).or_insert_with(|| ProfileStat {
                id: p.id.clone(),
                ..ProfileStat::default()
            });
            if let Some(to) = p.valid_to.filter(|d| *d < day) {
                s.flags.push(format!("expired {to}"));
            } else if let Some(r) = p.review.filter(|d| *d < day) {
                s.flags.push(format!("past review {r}"));
            }
        }
    }
    for s in st.values_mut() {
        if s.examined > 0 {
            s.hit_rate = Some(s.finds as f64 / s.examined as f64);
            s.revenue_per_exam = Some(s.revenue / s.examined as f64);
        }
        if s.examined >= 10 && s.hit_rate.is_some_and(|r| r < o.floor) {
            s.flags
                .push(format!("hit rate below {:.1} %", o.floor * 100.0));
        }
    }
    Ok(ProfileStats {
        filings: stored.len(),
        exam_results: exams.len(),
        profiles: st.into_values().collect(),
    })
}

/// A day's top-up.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SelectReport {
    pub day: NaiveDate,
    pub seed: u64,
    /// Filings of the day (latest stored version of each).
    pub filings: usize,
    pub groups: Vec<GroupReport>,
    pub selections: Vec<Selection>,
    /// Selections recorded in the store (0 on a dry run).
    pub recorded: usize,
}

/// Top up one day's selections per office and lane to the expected rates, from the highest-scoring
/// would-be-green filings, and record them unless `dry_run`. `seed` defaults to the engine's.
pub fn select(
    store: &mut dyn Store,
    day: NaiveDate,
    cfg: &SelectivityConfig,
    seed: Option<u64>,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<SelectReport> {
    let seed = seed.unwrap_or(RandomConfig::default().seed);
    let next = day.succ_opt().unwrap_or(day);
    let stored = store.decisions_filed(Some(day_start(day)), Some(day_start(next)))?;
    // The latest stored version of each filing stands.
    let mut latest: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in stored.iter().enumerate() {
        let e = latest.entry(s.filing.id.as_str()).or_insert(i);
        if stored[*e].filing.version < s.filing.version {
            *e = i;
        }
    }
    let cands: Vec<Candidate> = latest
        .values()
        .map(|&i| {
            let s = &stored[i];
            Candidate {
                filing_id: s.filing.id.clone(),
                version: s.filing.version,
                office: s.filing.office().unwrap_or("-").to_owned(),
                day,
                lane: s.decision.lane,
                score: s.decision.score,
            }
        })
        .collect();
    let (sels, groups) = top_up(&cands, cfg, seed);
    let recorded = if dry_run {
        0
    } else {
        let recs: Vec<SelectionRecord> = sels
            .iter()
            .map(|s| SelectionRecord {
                filing_id: s.filing_id.clone(),
                version: s.version,
                office: s.office.clone(),
                day: s.day,
                lane: s.lane,
                score: s.score,
                seed,
                draw: s.draw,
                recorded_at: now,
            })
            .collect();
        store.record_selections(&recs)?
    };
    Ok(SelectReport {
        day,
        seed,
        filings: cands.len(),
        groups,
        selections: sels,
        recorded,
    })
}
