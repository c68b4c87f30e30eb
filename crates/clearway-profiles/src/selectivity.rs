//! Selectivity after ASYCUDA: profile hits (with their selection percentage and a cap on hits without
//! selection, see [`crate::layer`]), then random selection at a minimum rate per lane (lower, never zero,
//! for trusted traders), then a top-up per lane, office and day to the expected rate from the
//! highest-scoring would-be-green filings. Principal items: [`SelectivityConfig`] (rates with validity
//! dates, JSON), [`random_lane`], [`top_up`].
//!
//! Every draw is `clearway_engine::combine::random_draw(seed, filing id, version)` — the combiner's own
//! draw — so a decision's recorded seed and draw reproduce the selection.

use crate::{Diag, Pos};
use chrono::NaiveDate;
use clearway_core::Lane;
use clearway_engine::combine::random_draw;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Percentages per lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LaneRates {
    pub red: f64,
    pub yellow: f64,
}

/// Rates in force over a window of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePeriod {
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// Minimum random-selection rate per lane, percent.
    pub random: LaneRates,
    /// Random rate for trusted traders: lower, never zero where `random` is not.
    pub trusted_random: LaneRates,
    /// Expected share of filings per lane, per office and day, percent: the top-up target.
    #[serde(default)]
    pub expected: LaneRates,
    /// Expected rates for particular offices (override `expected`).
    #[serde(default)]
    pub offices: BTreeMap<String, LaneRates>,
}

/// Selectivity configuration: rate periods that never overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectivityConfig {
    pub periods: Vec<RatePeriod>,
}

fn line_of_nth(text: &str, key: &str, n: usize) -> u32 {
    text.match_indices(key).nth(n).map(|(i, _)| text[..i].matches('\n').count() as u32 + 1).unwrap_or(1)
}

impl SelectivityConfig {
    /// Parse and check: rates within 0-100 %, red + yellow at most 100 %, trusted rates lower but not zero,
    /// windows that end after they start and never overlap. Errors carry file:line:column.
    pub fn parse(file: &str, text: &str) -> Result<SelectivityConfig, Vec<Diag>> {
        let cfg: SelectivityConfig = serde_json::from_str(text).map_err(|e| {
            vec![Diag::new(file, Pos { line: e.line() as u32, col: e.column() as u32 }, e.to_string())]
        })?;
        let mut errs = Vec::new();
        for (i, p) in cfg.periods.iter().enumerate() {
            let at = Pos { line: line_of_nth(text, "\"valid_from\"", i), col: 1 };
            let mut check = |what: &str, r: &LaneRates| {
                for (lane, v) in [("red", r.red), ("yellow", r.yellow)] {
                    if !(0.0..=100.0).contains(&v) {
                        errs.push(Diag::new(file, at, format!("{what}.{lane} = {v} % is outside 0-100 %")));
                    }
                }
                if r.red + r.yellow > 100.0 {
                    errs.push(Diag::new(file, at, format!("{what}: red + yellow exceed 100 %")));
                }
            };
            check("random", &p.random);
            check("trusted_random", &p.trusted_random);
            check("expected", &p.expected);
            for (o, r) in &p.offices {
                check(&format!("offices.{o}"), r);
            }
            for (lane, t, n) in [("red", p.trusted_random.red, p.random.red), ("yellow", p.trusted_random.yellow, p.random.yellow)] {
                if t > n {
                    errs.push(Diag::new(file, at, format!("trusted_random.{lane} ({t} %) is above random.{lane} ({n} %)")));
                }
                if n > 0.0 && t <= 0.0 {
                    errs.push(Diag::new(file, at, format!("trusted_random.{lane} is zero: trusted traders get a lower rate, never none")));
                }
            }
            if p.valid_to.is_some_and(|t| t < p.valid_from) {
                errs.push(Diag::new(file, at, "period ends before it starts"));
            }
            for (j, q) in cfg.periods[..i].iter().enumerate() {
                let (a1, b1) = (p.valid_to.unwrap_or(NaiveDate::MAX), q.valid_to.unwrap_or(NaiveDate::MAX));
                if p.valid_from <= b1 && q.valid_from <= a1 {
                    errs.push(Diag::new(file, at, format!(
                        "period overlaps the one starting {} (line {})", q.valid_from, line_of_nth(text, "\"valid_from\"", j)
                    )));
                }
            }
        }
        if errs.is_empty() { Ok(cfg) } else { Err(errs) }
    }

    /// The period in force on `day`.
    pub fn period(&self, day: NaiveDate) -> Option<&RatePeriod> {
        self.periods.iter().find(|p| day >= p.valid_from && p.valid_to.is_none_or(|t| day <= t))
    }
}

/// The random lane for a filing: the draw partitions [0, 1) into red `[0, r)`, yellow `[r, r + y)`, none.
/// Returns (draw, red rate, yellow rate, lane if selected), rates as fractions.
pub fn random_lane(p: &RatePeriod, trusted: bool, seed: u64, id: &str, version: u32) -> (f64, f64, f64, Option<Lane>) {
    let r = if trusted { p.trusted_random } else { p.random };
    let (red, yellow) = (r.red / 100.0, r.yellow / 100.0);
    let draw = random_draw(seed, id, version);
    let lane = if draw < red {
        Some(Lane::Red)
    } else if draw < red + yellow {
        Some(Lane::Yellow)
    } else {
        None
    };
    (draw, red, yellow, lane)
}

/// One assessed filing, as the top-up sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub filing_id: String,
    pub version: u32,
    pub office: String,
    pub day: NaiveDate,
    pub lane: Lane,
    pub score: f64,
}

/// A filing the top-up moved into a lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    pub filing_id: String,
    pub version: u32,
    pub office: String,
    pub day: NaiveDate,
    pub lane: Lane,
    pub score: f64,
    /// Tie-break draw (same hash as the random selection).
    pub draw: f64,
}

/// What the top-up did for one office, day and lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    pub office: String,
    pub day: NaiveDate,
    pub lane: Lane,
    pub filings: usize,
    /// Expected rate, percent.
    pub expected: f64,
    /// Capacity: floor(expected × filings).
    pub target: usize,
    pub before: usize,
    pub added: usize,
    pub after: usize,
}

/// Top up each office's day, red first then yellow, to floor(expected rate × filings), taking the
/// highest-scoring green or blue filings (ties by draw, then id). Selections already above the target
/// stay (hits are never dropped); nothing is added beyond the target.
pub fn top_up(cands: &[Candidate], cfg: &SelectivityConfig, seed: u64) -> (Vec<Selection>, Vec<GroupReport>) {
    let mut groups: BTreeMap<(&str, NaiveDate), Vec<usize>> = BTreeMap::new();
    for (i, c) in cands.iter().enumerate() {
        groups.entry((c.office.as_str(), c.day)).or_default().push(i);
    }
    let (mut sel, mut rep) = (Vec::new(), Vec::new());
    for ((office, day), idx) in groups {
        let Some(p) = cfg.period(day) else { continue };
        let rates = p.offices.get(office).copied().unwrap_or(p.expected);
        let mut lanes: Vec<Lane> = idx.iter().map(|i| cands[*i].lane).collect();
        let mut pool: Vec<(usize, f64)> = idx
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(cands[**i].lane, Lane::Green | Lane::Blue))
            .map(|(k, i)| (k, random_draw(seed, &cands[*i].filing_id, cands[*i].version)))
            .collect();
        pool.sort_by(|a, b| {
            let (ca, cb) = (&cands[idx[a.0]], &cands[idx[b.0]]);
            cb.score.total_cmp(&ca.score).then(a.1.total_cmp(&b.1)).then(ca.filing_id.cmp(&cb.filing_id))
        });
        let mut next = 0;
        for (lane, rate) in [(Lane::Red, rates.red), (Lane::Yellow, rates.yellow)] {
            let n = idx.len();
            let target = ((rate / 100.0) * n as f64 + 1e-9).floor() as usize;
            let before = lanes.iter().filter(|l| **l == lane).count();
            let mut added = 0;
            while before + added < target && next < pool.len() {
                let (k, draw) = pool[next];
                next += 1;
                let c = &cands[idx[k]];
                lanes[k] = lane;
                added += 1;
                sel.push(Selection {
                    filing_id: c.filing_id.clone(),
                    version: c.version,
                    office: office.to_owned(),
                    day,
                    lane,
                    score: c.score,
                    draw,
                });
            }
            rep.push(GroupReport { office: office.to_owned(), day, lane, filings: n, expected: rate, target, before, added, after: before + added });
        }
    }
    (sel, rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = r#"{"periods": [
      {"valid_from": "2026-01-01", "valid_to": "2026-12-31",
       "random": {"red": 1.0, "yellow": 2.0}, "trusted_random": {"red": 0.2, "yellow": 0.5},
       "expected": {"red": 5.0, "yellow": 10.0}, "offices": {"USLAX": {"red": 8.0, "yellow": 0}}}
    ]}"#;

    #[test]
    fn config_checks() {
        let c = SelectivityConfig::parse("s.json", CFG).unwrap();
        assert_eq!(c.period(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()).unwrap().random.red, 1.0);
        let bad = CFG.replace("\"red\": 1.0", "\"red\": 101");
        let e = SelectivityConfig::parse("s.json", &bad).unwrap_err();
        assert!(e[0].to_string().starts_with("s.json:2:1: error: random.red = 101 % is outside 0-100 %"), "{}", e[0]);
        let zero = CFG.replace("\"trusted_random\": {\"red\": 0.2", "\"trusted_random\": {\"red\": 0");
        assert!(SelectivityConfig::parse("s.json", &zero).unwrap_err()[0].message.contains("never none"));
        let e = SelectivityConfig::parse("s.json", "{\"periods\": [ {\"valid_from\": 3} ]}").unwrap_err();
        assert_eq!((e[0].pos.line, e[0].file.as_str()), (1, "s.json"));
        let p = r#"{"valid_from": "2026-06-01", "random": {"red": 1}, "trusted_random": {"red": 0.5}}"#;
        let two = CFG.replace("\n    ]}", &format!(",\n{p}]}}"));
        let e = SelectivityConfig::parse("s.json", &two).unwrap_err();
        assert!(e[0].message.contains("overlaps"), "{e:?}");
    }

    #[test]
    fn top_up_fills_exactly_to_capacity() {
        let cfg = SelectivityConfig::parse("s.json", CFG).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let mut cands = Vec::new();
        for i in 0..1000 {
            let lane = if i % 100 == 0 { Lane::Red } else { Lane::Green };
            let office = if i % 2 == 0 { "USLAX" } else { "USNYC" };
            cands.push(Candidate { filing_id: format!("F{i}"), version: 1, office: office.into(), day, lane, score: (i % 37) as f64 });
        }
        let (sel, rep) = top_up(&cands, &cfg, 7);
        for r in &rep {
            assert_eq!(r.after, r.target, "{r:?}");
        }
        let lax_red = rep.iter().find(|r| r.office == "USLAX" && r.lane == Lane::Red).unwrap();
        assert_eq!((lax_red.filings, lax_red.target, lax_red.before), (500, 40, 10));
        // Highest scores taken first.
        let min_taken = sel.iter().filter(|s| s.office == "USNYC").map(|s| s.score).fold(f64::MAX, f64::min);
        assert!(min_taken >= 30.0, "{min_taken}");
        // Same seed, same selection.
        assert_eq!(top_up(&cands, &cfg, 7).0, sel);
    }
}
