//! The profile layer of the pipeline. Principal type: [`ProfileLayer`].
//!
//! For each profile that applies (stage, mode, validity on the filing day) and hits, one finding: layer
//! `profile`, code = the profile id, message = its reason, weight = its weight, evidence = the predicates
//! that held with their actual values, the examiner's instructions, and the selection draw. A lane
//! profile selects at its percentage (draw from hash(seed ^ profile, id, version)); after `cap`
//! consecutive hits without selection the next hit is selected. With a [`SelectivityConfig`], a random
//! lane per the rates in force follows (finding `RS-LANE-RANDOM`).
//!
//! Entity history (new importer, first HS for the importer) is kept in memory and fed in the order
//! filings are assessed, which is their arrival order in `clearway screen`; `clearway screen` seeds it
//! from the filings and exam results already stored.

use crate::compile::ProfileSet;
use crate::facts::Extras;
use crate::history::EntityHistory;
use crate::selectivity::{SelectivityConfig, random_lane};
use clearway_core::{Action, Filing, Finding, FindingKind, Lane};
use clearway_engine::combine::{TRUSTED_IMPORTER_KEY, random_draw};
use clearway_engine::{Context, Layer};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::sync::Mutex;

#[derive(Default)]
struct State {
    history: EntityHistory,
    /// Consecutive hits without selection, per profile.
    unselected: Vec<u32>,
}

/// The targeting-profile layer.
pub struct ProfileLayer {
    set: ProfileSet,
    selectivity: Option<SelectivityConfig>,
    state: Mutex<State>,
    name: &'static str,
}

/// Salt of a profile's selection draw.
pub fn profile_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    seed ^ h
}

impl ProfileLayer {
    pub fn new(set: ProfileSet, selectivity: Option<SelectivityConfig>) -> Self {
        let n = set.profiles.len();
        // The layer name enters the configuration hash: it carries the profile set's fingerprint.
        let name: &'static str = Box::leak(format!("profile:{}", set.fingerprint()).into_boxed_str());
        ProfileLayer { set, selectivity, state: Mutex::new(State { history: EntityHistory::new(), unselected: vec![0; n] }), name }
    }

    /// Seed the entity history (e.g. from stored exam results) before screening.
    pub fn with_history(self, history: EntityHistory) -> Self {
        if let Ok(mut s) = self.state.lock() {
            s.history = history;
        }
        self
    }

    pub fn set(&self) -> &ProfileSet {
        &self.set
    }
}

impl Layer for ProfileLayer {
    fn name(&self) -> &'static str {
        self.name
    }

    /// The profile set's fingerprint is in the name already; the selectivity rates are here.
    fn fingerprint(&self) -> String {
        match &self.selectivity {
            Some(c) => serde_json::to_string(c).unwrap_or_default(),
            None => String::new(),
        }
    }

    fn assess(&self, filing: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let trusted = out
            .iter()
            .any(|f| f.weight < 0.0 && f.evidence.get(TRUSTED_IMPORTER_KEY).and_then(Value::as_bool) == Some(true));
        let late = out.iter().any(|f| f.kind == FindingKind::Timeliness && f.weight > 0.0);
        let seed = ctx.config.random.seed;
        let Ok(mut state) = self.state.lock() else { return };
        let extras = Extras::default();
        let mut new = Vec::new();
        {
            let facts = self.set.facts(filing, &extras, Some(&state.history), trusted, late);
            let hits = self.set.hits(filing, &facts);
            for (i, item) in hits {
                let p = &self.set.profiles[i];
                let mut fd = Finding::new("profile", "", p.kind, ctx.config.weight(&p.id, p.weight), p.reason.clone());
                fd.code = Cow::Owned(p.id.clone());
                for (text, v) in self.set.explain(p, &facts, item) {
                    fd.evidence.insert(text, v);
                }
                if let Some(i) = item {
                    fd.evidence.insert("item", json!(i + 1));
                }
                if !p.title.is_empty() {
                    fd.evidence.insert("title", json!(p.title));
                }
                if !p.instructions.is_empty() {
                    fd.evidence.insert("instructions", json!(p.instructions));
                }
                if let Some((lane, pct)) = p.lane {
                    let pseed = profile_seed(seed, &p.id);
                    let draw = random_draw(pseed, &filing.id, filing.version);
                    let mut selected = draw * 100.0 < pct;
                    let mut forced = false;
                    if !selected {
                        if let Some(cap) = p.cap {
                            if state.unselected[i] >= cap {
                                selected = true;
                                forced = true;
                            }
                        }
                    }
                    state.unselected[i] = if selected { 0 } else { state.unselected[i] + 1 };
                    fd.evidence.insert("lane", json!(lane.as_str()));
                    fd.evidence.insert("selection_rate", json!(pct));
                    fd.evidence.insert("seed", json!(pseed));
                    fd.evidence.insert("draw", json!(draw));
                    fd.evidence.insert("selected", json!(selected));
                    if forced {
                        fd.evidence.insert("selected_by_cap", json!(p.cap));
                    }
                    if selected {
                        fd.action = Some(if lane == Lane::Red { Action::PhysicalExam } else { Action::DocumentCheck });
                    } else {
                        fd.message = format!("{} (hit, not selected: draw {:.4} ≥ {pct} %)", p.reason, draw);
                    }
                }
                new.push(fd);
            }
            if let Some(cfg) = &self.selectivity {
                let day = filing.times.filed_at.map(|t| t.date_naive());
                if let Some(period) = day.and_then(|d| cfg.period(d)) {
                    let (draw, red, yellow, lane) = random_lane(period, trusted, seed, &filing.id, filing.version);
                    if let Some(lane) = lane {
                        let (action, rate) = if lane == Lane::Red { (Action::PhysicalExam, red) } else { (Action::DocumentCheck, yellow) };
                        new.push(
                            Finding::new("selectivity", "RS-LANE-RANDOM", FindingKind::Random, 0.0, format!(
                                "Selected at random for the {} lane (rate {:.2} %{})",
                                lane.as_str(),
                                rate * 100.0,
                                if trusted { ", trusted-trader rate" } else { "" }
                            ))
                            .with("seed", seed)
                            .with("draw", draw)
                            .with("red_rate", red)
                            .with("yellow_rate", yellow)
                            .with("trusted", trusted)
                            .with("period_from", period.valid_from.to_string())
                            .action(action),
                        );
                    }
                }
            }
        }
        state.history.observe_filing(filing);
        out.extend(new);
    }
}
