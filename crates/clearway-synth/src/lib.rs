//! Deterministic, realistic synthetic advance-cargo filings for Canada, the United States and Mexico,
//! and the trusted-trader registry they refer to. For demos, tests, backtests and benchmarks.
//!
//! Principal types: [`Config`] (how many filings, seed, start time, spread) and [`Generator`], an
//! [`Iterator`] of [`Filing`]s that also yields the matching [`Membership`] registry through
//! [`Generator::memberships`]. [`to_jsonl`] renders one filing as one JSON line.
//!
//! ```
//! use clearway_synth::{Config, Generator};
//! let g = Generator::new(Config { count: 100, seed: 7, ..Config::default() });
//! let registry = g.memberships();
//! let filings: Vec<_> = g.collect();
//! assert_eq!(filings.len(), 100);
//! assert!(registry.len() > 200);
//! ```
//!
//! # What the traffic looks like
//!
//! * Modes marine ≈ 40 %, highway ≈ 35 %, air ≈ 18 %, rail ≈ 7 %; agencies US ≈ 50 %, CA ≈ 35 %,
//!   MX ≈ 15 %; mostly imports, ≈ 12 % exports (stage `export`, kind `export-declaration`, with
//!   exporter, ultimate consignee and end user) and a few in-transit movements.
//! * Parties drawn from a fixed population of plausible companies per country and sector, highway
//!   carriers with drivers (passports, FAST cards), ocean carriers with fleets (valid IMO numbers),
//!   NVOCCs, brokers, airlines and railroads. US marine imports carry the ten importer-security-filing
//!   elements, ≈ 5 % with one missing.
//! * Goods from a catalogue of HS 2022 subheadings with consistent quantities, weights, values and
//!   currencies; UN numbers on dangerous goods; ISO 6346 container numbers with correct check digits
//!   except ≈ 2 % deliberately wrong; UN/LOCODE itineraries and routing countries.
//! * Times consistent with the advance-information deadline table (`clearway_engine::deadlines`), ≈ 4 % late.
//! * ≈ 40 % of highway filings (60 % of highway imports into the US and Canada) request FAST; ≈ 78 %
//!   of those are fully eligible against the registry, the rest have one missing link (no card, a crew
//!   member without a card, a carrier or importer outside the program or suspended, a Canadian
//!   importer without CSA).
//! * ≈ 5 % of filings are amended later (version 2, sometimes 3), ≈ 0.5 % cancelled and resubmitted
//!   under a new id whose `resubmits` names the cancelled one; Canadian highway amendments are
//!   sometimes filed after the original deadline.
//! * ≈ 1.5 % carry a risk pattern: implausibly low unit values on electronics, dual-use goods exported
//!   through diversion hubs to embargoed end users, declared radioactive sources, vague descriptions
//!   with "TO ORDER" consignees, goods routed from embargoed origins through a hub.
//!
//! # Codes and rules, as applied
//!
//! * HS codes are HS 2022: smartphones are `851713` (`851712` was split in 2022).
//! * North-American UN/LOCODEs come from the reference tables in `shared/data/reference` (checked by
//!   a test): Otay Mesa is `USOYM` (`USOTM` is Ottumwa, Iowa), Fort Erie `CAFER`, Sarnia `CASNI`.
//! * Deadlines follow the engine's table: the 30-minute FAST clock applies to the US only; Mexico, absent from
//!   the table, is held to the US leads; short flights from nearby places (under 4 h) are due at
//!   wheels-up.
//!
//! # Determinism and memory
//!
//! Everything is drawn from [`rand_chacha::ChaCha8Rng`] seeded from [`Config::seed`]; the clock and
//! thread-local generators are never used. The population is built once (stream 1 of the seed); the
//! filings are streamed (stream 0) and the only state that grows is a bounded queue of pending later
//! versions, so memory does not depend on `count`.
//!
//! The crate does no I/O and does not panic.

pub mod export;
mod ids;
mod rng;
mod tables;
mod traffic;
mod world;

#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeZone, Utc};
pub use clearway_core::{Filing, Membership};
use clearway_core::{FilingStatus, Mode};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rng::R;
use std::collections::VecDeque;
use traffic::{Anchor, MIN_SECS, Plan, Traffic, at, change};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Exactly this many filings (originals, amendments, cancellations and resubmissions together).
    pub count: usize,
    /// Seed of the ChaCha8 generator; the same seed gives the same filings and registry.
    pub seed: u64,
    /// Start of the filing window (default 2026-11-02T00:00:00Z). Memberships' validity is relative
    /// to it.
    pub start: DateTime<Utc>,
    /// Number of days the original filings are spread over (default 1; 0 puts them all at `start`).
    pub days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config { count: 1000, seed: 0, start: default_start(), days: 1 }
    }
}

impl Config {
    /// `count` filings from `seed`, with the default start and spread.
    pub fn new(count: usize, seed: u64) -> Self {
        Config { count, seed, ..Config::default() }
    }
}

fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Later versions waiting to be emitted; bounded, so memory stays constant.
const MAX_PENDING: usize = 64;

struct Pending {
    /// Emit once this many filings have been emitted.
    due: usize,
    filing: Filing,
}

/// A deterministic stream of exactly `count` synthetic filings. See the [crate docs](crate).
pub struct Generator {
    cfg: Config,
    r: R,
    traffic: Traffic,
    emitted: usize,
    pending: VecDeque<Pending>,
}

impl Generator {
    pub fn new(cfg: Config) -> Self {
        let mut world_rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        world_rng.set_stream(1);
        let mut wr = R(world_rng);
        let world = world::World::new(&mut wr, cfg.start.date_naive(), cfg.days);
        let traffic = Traffic::new(world, cfg.seed);
        let r = R(ChaCha8Rng::seed_from_u64(cfg.seed));
        Generator { cfg, r, traffic, emitted: 0, pending: VecDeque::with_capacity(MAX_PENDING) }
    }

    /// The configuration this generator was built from.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The trusted-trader registry the filings refer to (FAST, C-TPAT, PIP, CSA, OEA, AEO), including
    /// suspended, cancelled and expired memberships that some filings still quote.
    pub fn memberships(&self) -> Vec<Membership> {
        self.traffic.world.memberships.clone()
    }

    /// Filing time of the next original: originals are spread evenly over the window in stream order.
    fn base_time(&mut self) -> DateTime<Utc> {
        let span = self.cfg.days as f64 * 86_400.0;
        let n = self.cfg.count.max(1) as f64;
        let off = ((self.emitted as f64 + self.r.u01()) * span / n).floor() as i64;
        at(self.cfg.start, off)
    }

    fn push_pending(&mut self, due: usize, filing: Filing) {
        let pos = self.pending.iter().position(|p| p.due > due).unwrap_or(self.pending.len());
        self.pending.insert(pos, Pending { due, filing });
    }

    /// Room for `n` more pending versions, leaving enough of the count to emit them.
    fn room_for(&self, n: usize) -> bool {
        let remaining = self.cfg.count.saturating_sub(self.emitted + 1);
        self.pending.len() + n <= MAX_PENDING && self.pending.len() + n < remaining
    }

    fn original(&mut self) -> Filing {
        let filed = self.base_time();
        let (f, plan) = self.traffic.original(&mut self.r, filed);
        let u = self.r.u01();
        if u < 0.005 {
            if self.room_for(2) {
                self.schedule_cancel(&f, &plan);
            }
        } else if u < 0.057 && self.room_for(2) {
            self.schedule_amendments(&f, &plan);
        }
        f
    }

    /// Time for a later version: after `after`, before the deadline where there is room, else
    /// before the anchor.
    fn later_time(&mut self, after: DateTime<Utc>, plan: &Plan) -> DateTime<Utc> {
        let deadline = at(plan.anchor, -plan.required);
        let limit = if deadline > at(after, 10 * MIN_SECS) { deadline } else { plan.anchor };
        let room = (limit - after).num_seconds();
        let secs = if room > 10 * MIN_SECS {
            self.r.int(5 * MIN_SECS, (room * 9 / 10).max(5 * MIN_SECS))
        } else {
            self.r.int(MIN_SECS, 20 * MIN_SECS)
        };
        at(after, secs / 60 * 60)
    }

    /// For a Canadian highway filing: a time after the original deadline and before arrival.
    fn after_deadline(&mut self, plan: &Plan, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let deadline = at(plan.anchor, -plan.required);
        let lo = at(deadline.max(after), 2 * MIN_SECS);
        let hi = at(plan.anchor, -2 * MIN_SECS);
        if hi <= lo {
            return None;
        }
        let secs = self.r.int(0, (hi - lo).num_seconds());
        Some(at(lo, secs / 60 * 60))
    }

    fn schedule_amendments(&mut self, f: &Filing, plan: &Plan) {
        let allow_eta = matches!(f.mode, Mode::Marine | Mode::Air) && plan.anchor_kind != Anchor::Departure;
        let orig_filed = f.times.filed_at.unwrap_or(self.cfg.start);
        let mut a = f.clone();
        a.version = 2;
        a.status = FilingStatus::Amendment;
        let late_ca = plan.ca_highway && self.r.chance(0.4);
        let t = if late_ca { self.after_deadline(plan, orig_filed) } else { None };
        let t = t.unwrap_or_else(|| self.later_time(orig_filed, plan));
        a.times.filed_at = Some(t);
        change(&mut self.r, &mut a, allow_eta);
        let due = self.emitted + 1 + self.r.below(8);
        let third = self.r.chance(0.1).then(|| {
            let mut b = a.clone();
            b.version = 3;
            let t3 = self.later_time(t, plan);
            b.times.filed_at = Some(t3);
            change(&mut self.r, &mut b, allow_eta);
            b
        });
        self.push_pending(due, a);
        if let Some(b) = third {
            let due3 = due + 1 + self.r.below(4);
            self.push_pending(due3, b);
        }
    }

    fn schedule_cancel(&mut self, f: &Filing, plan: &Plan) {
        let orig_filed = f.times.filed_at.unwrap_or(self.cfg.start);
        let mut c = f.clone();
        c.version = 2;
        c.status = FilingStatus::Cancellation;
        let tc = self.later_time(orig_filed, plan);
        c.times.filed_at = Some(tc);
        let mut n = f.clone();
        n.id = self.traffic.ids.make(&mut self.r, &plan.id_ctx, tc);
        n.version = 1;
        n.status = FilingStatus::Original;
        n.resubmits = Some(f.id.clone());
        // A Canadian highway resubmission restarts the clock: sometimes too late.
        let late = if plan.ca_highway && self.r.chance(0.5) { self.after_deadline(plan, tc) } else { None };
        let tn = late.unwrap_or_else(|| at(tc, self.r.int(1, 30) * MIN_SECS));
        n.times.filed_at = Some(tn);
        change(&mut self.r, &mut n, false);
        let due = self.emitted + 1 + self.r.below(6);
        let due_n = due + 1 + self.r.below(4);
        self.push_pending(due, c);
        self.push_pending(due_n, n);
    }
}

impl Iterator for Generator {
    type Item = Filing;

    fn next(&mut self) -> Option<Filing> {
        if self.emitted >= self.cfg.count {
            return None;
        }
        let remaining = self.cfg.count - self.emitted;
        let due = self.pending.front().is_some_and(|p| p.due <= self.emitted) || remaining <= self.pending.len();
        let f = match due.then(|| self.pending.pop_front()).flatten() {
            Some(p) => p.filing,
            None => self.original(),
        };
        self.emitted += 1;
        Some(f)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cfg.count.saturating_sub(self.emitted);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Generator {}

/// One filing as one line of JSON (no trailing newline).
pub fn to_jsonl(filing: &Filing) -> String {
    // Serialising these types cannot fail (no maps with non-string keys, no custom serialisers).
    serde_json::to_string(filing).unwrap_or_default()
}
