//! The profile layer of the pipeline. Principal type: [`ProfileLayer`].
//!
//! For each profile that applies (stage, mode, validity on the filing day) and hits, one finding: layer
//! `profile`, code = the profile id, message = its reason, weight = its weight, evidence = the predicates
//! that held with their actual values, the examiner's instructions, and the selection draw. A lane
//! profile selects a hit when its draw (from hash(seed ^ profile, id, version)) is below its rate; a
//! profile with `cap N` selects at `max(pct, 100 / (N + 1))` % — the order-free form of "after N hits
//! without selection select the next" (`docs/profiles.md`). With a [`SelectivityConfig`], a random lane
//! per the rates in force follows (finding `RS-LANE-RANDOM`).
//!
//! The layer holds no state: entity history (new importer, first HS for the importer, past finds) comes
//! in [`Context::history`] — the days before the filing's own, loaded from the store by the service —
//! and whether the importer is trusted or the filing late comes in [`Context::trusted_importer`] and
//! [`Context::late`]. A decision depends only on the filing, the stored history and the configuration.

use crate::compile::ProfileSet;
use crate::facts::Extras;
use crate::selectivity::{SelectivityConfig, random_lane};
use clearway_core::{Action, Filing, Finding, FindingKind, Lane};
use clearway_engine::combine::random_draw;
use clearway_engine::{Context, Layer};
use serde_json::json;
use std::borrow::Cow;

/// The targeting-profile layer.
pub struct ProfileLayer {
    set: ProfileSet,
    selectivity: Option<SelectivityConfig>,
}

/// Salt of a profile's selection draw.
pub fn profile_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    seed ^ h
}

/// The selection rate of a lane profile, percent: its percentage, raised by `cap N` to 100 / (N + 1).
pub fn selection_rate(pct: f64, cap: Option<u32>) -> f64 {
    match cap {
        Some(n) => pct.max(100.0 / (f64::from(n) + 1.0)),
        None => pct,
    }
}

impl ProfileLayer {
    pub fn new(set: ProfileSet, selectivity: Option<SelectivityConfig>) -> Self {
        ProfileLayer { set, selectivity }
    }

    pub fn set(&self) -> &ProfileSet {
        &self.set
    }
}

impl Layer for ProfileLayer {
    fn name(&self) -> &'static str {
        "profile"
    }

    /// The profile set's fingerprint (every profile, list and table text) and the selectivity rates.
    fn fingerprint(&self) -> String {
        let sel = match &self.selectivity {
            Some(c) => serde_json::to_string(c).unwrap_or_default(),
            None => String::new(),
        };
        format!("{}\0{sel}", self.set.fingerprint())
    }

    fn assess(&self, filing: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let (trusted, late) = (ctx.trusted_importer, ctx.late);
        let seed = ctx.config.random.seed;
        let extras = Extras::default();
        {
            let facts = self.set.facts(filing, &extras, ctx.history, trusted, late);
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
                    let rate = selection_rate(pct, p.cap);
                    let selected = draw * 100.0 < rate;
                    let forced = selected && draw * 100.0 >= pct;
                    fd.evidence.insert("lane", json!(lane.as_str()));
                    fd.evidence.insert("selection_rate", json!(pct));
                    fd.evidence.insert("seed", json!(pseed));
                    fd.evidence.insert("draw", json!(draw));
                    fd.evidence.insert("selected", json!(selected));
                    if forced {
                        fd.evidence.insert("selected_by_cap", json!(p.cap));
                        fd.evidence.insert("cap_rate", json!(rate));
                    }
                    if selected {
                        fd.action = Some(if lane == Lane::Red { Action::PhysicalExam } else { Action::DocumentCheck });
                    } else {
                        fd.message = format!("{} (hit, not selected: draw {:.4} ≥ {rate} %)", p.reason, draw);
                    }
                }
                out.push(fd);
            }
            if let Some(cfg) = &self.selectivity {
                let day = filing.times.filed_at.map(|t| t.date_naive());
                if let Some(period) = day.and_then(|d| cfg.period(d)) {
                    let (draw, red, yellow, lane) = random_lane(period, trusted, seed, &filing.id, filing.version);
                    if let Some(lane) = lane {
                        let (action, rate) = if lane == Lane::Red { (Action::PhysicalExam, red) } else { (Action::DocumentCheck, yellow) };
                        out.push(
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
    }
}
