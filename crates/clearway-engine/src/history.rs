//! Entity history: what was filed by each importer, and how its examinations went. Principal types:
//! [`EntityHistory`] (built by whoever owns the store: observed filings with their UTC filing day,
//! recorded exam results) and [`HistoryAt`] (the history as a layer may read it for one filing).
//!
//! Decisions must reproduce: a filing on UTC day D sees only filings of days strictly before D (a daily
//! snapshot, like a nightly refresh), so neither the order of a run nor its split into runs changes a
//! decision. Exam results are those known when the history was loaded. The history is passed to the
//! layers in [`crate::Context::history`]; no layer keeps one of its own. Keys are importer keys
//! ([`clearway_core::Filing::importer_key`]), compared case-insensitively.

use chrono::NaiveDate;
use clearway_core::Filing;
use std::collections::{BTreeMap, HashMap};

/// Day of an observation without a filing time: before every day.
const UNDATED: NaiveDate = NaiveDate::MIN;

#[derive(Debug, Clone, Default)]
struct Entry {
    /// Filings per UTC filing day.
    days: BTreeMap<NaiveDate, u32>,
    /// First filing day of each HS-6 code.
    hs6: HashMap<String, NaiveDate>,
    examined: u32,
    finds: u32,
}

/// Importer history keyed by importer key (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct EntityHistory {
    importers: HashMap<String, Entry>,
}

/// What is known of one importer strictly before a day.
#[derive(Debug, Clone, Copy)]
pub struct ImporterAt<'a> {
    entry: &'a Entry,
    before: Option<NaiveDate>,
}

impl ImporterAt<'_> {
    /// Filings before the day.
    pub fn filings(&self) -> u32 {
        match self.before {
            None => self.entry.days.values().sum(),
            Some(d) => self.entry.days.range(..d).map(|(_, n)| n).sum(),
        }
    }
    /// Whether the importer declared this HS-6 code before the day.
    pub fn has_hs6(&self, hs6: &str) -> bool {
        self.entry
            .hs6
            .get(hs6)
            .is_some_and(|first| self.before.is_none_or(|d| *first < d))
    }
    /// Examinations recorded (when the history was loaded).
    pub fn examined(&self) -> u32 {
        self.entry.examined
    }
    /// Examinations that found something.
    pub fn finds(&self) -> u32 {
        self.entry.finds
    }
}

/// The history as one filing may read it: everything observed strictly before `before` (all of it when
/// `None`, as a backtest over a separate history split does).
#[derive(Debug, Clone, Copy)]
pub struct HistoryAt<'a> {
    pub history: &'a EntityHistory,
    pub before: Option<NaiveDate>,
}

impl<'a> HistoryAt<'a> {
    /// All of the history.
    pub fn all(history: &'a EntityHistory) -> Self {
        HistoryAt {
            history,
            before: None,
        }
    }

    /// What one importer had filed before the day.
    pub fn importer(&self, importer: &str) -> Option<ImporterAt<'a>> {
        self.history.entry(importer).map(|entry| ImporterAt {
            entry,
            before: self.before,
        })
    }
}

fn key(importer: &str) -> String {
    importer.trim().to_ascii_uppercase()
}

/// The UTC filing day of a filing (its day in the daily snapshot).
pub fn filing_day(f: &Filing) -> Option<NaiveDate> {
    f.times.filed_at.map(|t| t.date_naive())
}

impl EntityHistory {
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&self, importer: &str) -> Option<&Entry> {
        if importer.is_empty() {
            return None;
        }
        if !importer.bytes().any(|b| b.is_ascii_lowercase())
            && importer.trim().len() == importer.len()
        {
            return self.importers.get(importer);
        }
        self.importers.get(&key(importer))
    }

    /// The history a filing may read: days strictly before its filing day. `None` for a filing
    /// without a filing time (its entity facts are missing, so no history predicate holds).
    pub fn at(&self, f: &Filing) -> Option<HistoryAt<'_>> {
        filing_day(f).map(|d| HistoryAt {
            history: self,
            before: Some(d),
        })
    }

    /// Record a filing of `importer` on `day` declaring these HS-6 codes.
    pub fn observe<'a>(
        &mut self,
        importer: &str,
        day: Option<NaiveDate>,
        hs6s: impl IntoIterator<Item = &'a str>,
    ) {
        if importer.trim().is_empty() {
            return;
        }
        let day = day.unwrap_or(UNDATED);
        let e = self.importers.entry(key(importer)).or_default();
        *e.days.entry(day).or_default() += 1;
        for h in hs6s {
            if h.is_empty() {
                continue;
            }
            match e.hs6.get_mut(h) {
                Some(first) => *first = (*first).min(day),
                None => {
                    e.hs6.insert(h.to_owned(), day);
                }
            }
        }
    }

    /// Record a filing: its importer ([`Filing::importer_key`]), filing day and the HS-6 codes it declares.
    pub fn observe_filing(&mut self, f: &Filing) {
        let hs6s: Vec<&str> = f
            .goods
            .iter()
            .filter_map(|g| g.hs_code.as_deref())
            .map(|h| h.char_indices().nth(6).map_or(h, |(i, _)| &h[..i]))
            .collect();
        self.observe(f.importer_key(), filing_day(f), hs6s);
    }

    /// Record an examination result of one of the importer's filings.
    pub fn record_exam(&mut self, importer: &str, found: bool) {
        if importer.trim().is_empty() {
            return;
        }
        let e = self.importers.entry(key(importer)).or_default();
        e.examined += 1;
        e.finds += u32::from(found);
    }

    pub fn len(&self) -> usize {
        self.importers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.importers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        s.parse().ok()
    }

    #[test]
    fn history_counts() {
        let mut h = EntityHistory::new();
        assert!(HistoryAt::all(&h).importer("acme").is_none());
        h.observe("acme", d("2026-11-01"), ["851712"]);
        h.observe("ACME ", d("2026-11-02"), ["851712", "640399"]);
        h.record_exam("Acme", true);
        let e = HistoryAt::all(&h).importer("acme").unwrap();
        assert_eq!(
            (e.filings(), e.examined(), e.finds(), e.has_hs6("640399")),
            (2, 1, 1, true)
        );
    }

    #[test]
    fn a_day_sees_only_earlier_days() {
        let mut h = EntityHistory::new();
        h.observe("acme", d("2026-11-01"), ["851712"]);
        h.observe("acme", d("2026-11-02"), ["640399"]);
        let on = |day: &str| {
            HistoryAt {
                history: &h,
                before: d(day),
            }
            .importer("ACME")
            .unwrap()
        };
        assert_eq!(on("2026-11-01").filings(), 0);
        assert_eq!(on("2026-11-02").filings(), 1);
        assert!(!on("2026-11-02").has_hs6("640399"));
        assert!(on("2026-11-03").has_hs6("640399"));
    }
}
