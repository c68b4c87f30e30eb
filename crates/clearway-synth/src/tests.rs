//! Stream-level tests: determinism, counts, code validity, round trips, mix, versions, FAST
//! compositions against the registry, deadlines, and (when present) the reference code lists.

use crate::traffic::{Anchor, deadline};
use crate::{Config, Generator, to_jsonl};
use chrono::{DateTime, Utc};
use clearway_core::codes::{is_unlocode_format, is_valid_imo, normalize_hs, validate_container_number};
use clearway_core::{AgencyCountry, Direction, Filing, FilingKind, FilingStatus, Membership, Mode, Program, Role, Stage};
use std::collections::{BTreeMap, HashMap, HashSet};

fn stream(count: usize, seed: u64) -> (Vec<Filing>, Vec<Membership>) {
    let g = Generator::new(Config::new(count, seed));
    let m = g.memberships();
    (g.collect(), m)
}

/// Looks like an ISO 6346 number (owner code, category U/J/Z, six digits, check digit).
fn looks_iso6346(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 11
        && b[..3].iter().all(|c| c.is_ascii_uppercase())
        && matches!(b[3], b'U' | b'J' | b'Z')
        && b[4..].iter().all(|c| c.is_ascii_digit())
}

struct Registry<'a>(HashMap<(Program, &'a str), &'a Membership>);

impl<'a> Registry<'a> {
    fn new(ms: &'a [Membership]) -> Self {
        Registry(ms.iter().map(|m| ((m.program, m.member_id.as_str()), m)).collect())
    }
    fn valid(&self, program: Program, party: Option<&clearway_core::Party>, at: DateTime<Utc>) -> bool {
        party.and_then(|p| p.id(program.as_str())).and_then(|id| self.0.get(&(program, id))).is_some_and(|m| m.is_valid_at(at))
    }
}

/// The FAST rule (every link certified), checked independently of the generator.
fn fast_eligible(f: &Filing, reg: &Registry) -> bool {
    let at = f.times.arrival.or(f.times.filed_at).unwrap_or_default();
    let cab: Vec<_> = f.parties.iter().filter(|p| matches!(p.role, Role::Driver | Role::Crew)).collect();
    let cab_ok = !cab.is_empty() && cab.iter().all(|p| reg.valid(Program::FAST, Some(p), at));
    let carrier = f.party(Role::Carrier);
    let importer = f.party(Role::ImporterOfRecord);
    match f.country {
        AgencyCountry::US => cab_ok && reg.valid(Program::CTPAT, carrier, at) && reg.valid(Program::CTPAT, importer, at),
        AgencyCountry::CA => {
            cab_ok && reg.valid(Program::PIP, carrier, at) && reg.valid(Program::PIP, importer, at) && reg.valid(Program::CSA, importer, at)
        }
        AgencyCountry::MX | AgencyCountry::Other(_) => false,
    }
}

/// Whether an original filing meets its deadline (the table, applied from the filing alone).
fn on_time(f: &Filing, reg: &Registry) -> Option<bool> {
    if f.direction == Direction::Export {
        return None;
    }
    let t = &f.times;
    let filed = t.filed_at?;
    let short = f.mode == Mode::Air && (t.arrival? - t.departure?).num_minutes() < 240;
    let on_board = f.conveyance.as_ref().and_then(|c| c.containers_on_board);
    let fast = f.fast && fast_eligible(f, reg);
    let (anchor, lead) = deadline(f.mode, f.country, f.kind, f.cargo, fast, on_board, short);
    let a = match anchor {
        Anchor::Loading => t.loading?,
        Anchor::Departure => t.departure?,
        Anchor::Arrival => t.arrival?,
    };
    Some((a - filed).num_seconds() >= lead)
}

#[test]
fn deterministic_for_a_seed() {
    let (a, ma) = stream(2000, 42);
    let (b, mb) = stream(2000, 42);
    assert_eq!(a, b);
    assert_eq!(ma, mb);
    let (c, mc) = stream(2000, 43);
    assert_ne!(a, c);
    assert_ne!(ma, mc);
    // The registry does not depend on the count.
    assert_eq!(Generator::new(Config::new(5, 42)).memberships(), ma);
}

#[test]
fn counts_are_exact() {
    for n in [0usize, 1, 2, 3, 7, 50, 999, 3000] {
        for seed in [1u64, 2, 3] {
            let g = Generator::new(Config::new(n, seed));
            assert_eq!(g.len(), n);
            assert_eq!(g.count(), n, "count {n} seed {seed}");
        }
    }
}

#[test]
fn containers_valid_except_the_deliberately_bad() {
    let (fs, _) = stream(5000, 7);
    let (mut total, mut bad) = (0usize, 0usize);
    for f in fs.iter().filter(|f| f.version == 1) {
        for e in &f.equipment {
            if looks_iso6346(&e.number) {
                total += 1;
                if validate_container_number(&e.number).is_err() {
                    bad += 1;
                }
            } else {
                // Trailers, railcars and ULDs never pass as container numbers.
                assert!(validate_container_number(&e.number).is_err(), "{}", e.number);
            }
        }
        // Goods refer to the filing's containers.
        for g in &f.goods {
            for c in &g.containers {
                assert!(f.equipment.iter().any(|e| &e.number == c), "{} {c}", f.id);
            }
        }
    }
    let frac = bad as f64 / total as f64;
    assert!(total > 1500, "{total}");
    assert!((0.01..=0.04).contains(&frac), "bad container fraction {frac} ({bad}/{total})");
}

#[test]
fn serde_round_trip() {
    let (fs, ms) = stream(5000, 11);
    for f in &fs {
        let line = to_jsonl(f);
        assert!(!line.contains('\n'));
        let back: Filing = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(&back, f, "{line}");
    }
    for m in &ms {
        let s = serde_json::to_string(m).expect("membership serialises");
        let back: Membership = serde_json::from_str(&s).expect("membership parses");
        assert_eq!(&back, m);
    }
}

#[test]
fn mix_covers_modes_countries_directions_stages() {
    let (fs, _) = stream(5000, 3);
    let modes: HashSet<_> = fs.iter().map(|f| f.mode).collect();
    let countries: HashSet<_> = fs.iter().map(|f| f.country).collect();
    let dirs: HashSet<_> = fs.iter().map(|f| f.direction).collect();
    let stages: HashSet<_> = fs.iter().map(|f| f.stage).collect();
    assert_eq!(modes.len(), 4);
    assert_eq!(countries.len(), 3);
    assert_eq!(dirs.len(), 3);
    assert_eq!(stages.len(), 4);
    let share = |m: Mode| fs.iter().filter(|f| f.mode == m).count() as f64 / fs.len() as f64;
    assert!((0.35..0.45).contains(&share(Mode::Marine)));
    assert!((0.30..0.40).contains(&share(Mode::Highway)));
    assert!((0.14..0.22).contains(&share(Mode::Air)));
    assert!((0.04..0.10).contains(&share(Mode::Rail)));
    for f in fs.iter().filter(|f| f.direction == Direction::Export) {
        assert_eq!(f.stage, Stage::Export);
        assert_eq!(f.kind, FilingKind::ExportDeclaration);
        for role in [Role::Exporter, Role::UltimateConsignee, Role::EndUser] {
            assert!(f.party(role).is_some(), "{} lacks {role:?}", f.id);
        }
    }
}

#[test]
fn every_filing_has_the_basics_and_valid_codes() {
    let (fs, _) = stream(5000, 5);
    for f in &fs {
        assert!(!f.id.is_empty());
        assert!(f.times.filed_at.is_some(), "{}", f.id);
        assert!(f.version >= 1);
        for p in &f.parties {
            assert!(!p.name.is_empty(), "{} {:?}", f.id, p.role);
            if let Some(c) = &p.country {
                assert!(clearway_core::codes::is_iso3166_alpha2(c) || matches!(c.as_str(), "LU" | "QA"), "{c}");
            }
        }
        for g in &f.goods {
            if let Some(h) = &g.hs_code {
                assert!(normalize_hs(h).is_some(), "{h}");
            }
            if let Some(o) = &g.origin {
                assert!(clearway_core::codes::is_iso3166_alpha2(o), "{o}");
            }
            assert!(g.value.is_none_or(|v| v > 0.0 && v.is_finite()));
            assert!(g.gross_kg.is_none_or(|w| w > 0.0 && g.net_kg.is_none_or(|n| n <= w)));
            if let Some(u) = &g.un_number {
                assert!(u.len() == 4 && u.bytes().all(|b| b.is_ascii_digit()), "{u}");
            }
        }
        let it = &f.itinerary;
        for l in [&it.place_of_loading, &it.place_of_discharge, &it.first_port_of_arrival].into_iter().flatten() {
            assert!(is_unlocode_format(l), "{} {l}", f.id);
        }
        assert!(!it.routing.is_empty(), "{}", f.id);
        if let Some(c) = &f.conveyance {
            if let Some(imo) = &c.imo {
                assert!(is_valid_imo(imo), "{imo}");
            }
            if let Some(v) = &c.vin {
                assert_eq!(v.len(), 17);
                assert_eq!(v.as_bytes()[8] as char, crate::ids::vin_check(v.as_bytes()), "{v}");
            }
        }
        let t = &f.times;
        if let (Some(l), Some(d), Some(a)) = (t.loading, t.departure, t.arrival) {
            assert!(l <= d && d < a, "{} {l} {d} {a}", f.id);
        }
        if f.mode == Mode::Air && f.direction != Direction::Export {
            let (p, s) = f.id.split_once('-').expect("air waybill");
            let serial: u64 = s.parse().expect("digits");
            assert_eq!(p.len(), 3);
            assert_eq!(serial % 10, (serial / 10) % 7, "{}", f.id);
        }
    }
}

#[test]
fn ids_unique_and_versions_follow_originals() {
    let (fs, _) = stream(20_000, 9);
    let mut seen: HashMap<&str, (u32, FilingStatus)> = HashMap::new();
    let mut versions = HashSet::new();
    let (mut amendments, mut cancels, mut resubs) = (0, 0, 0);
    for f in &fs {
        assert!(versions.insert((f.id.as_str(), f.version)), "duplicate {} v{}", f.id, f.version);
        match f.status {
            FilingStatus::Original => {
                assert_eq!(f.version, 1);
                assert!(!seen.contains_key(f.id.as_str()), "id reused: {}", f.id);
                if let Some(old) = &f.resubmits {
                    resubs += 1;
                    let prev = seen.get(old.as_str()).unwrap_or_else(|| panic!("{} resubmits unknown {old}", f.id));
                    assert_eq!(prev.1, FilingStatus::Cancellation, "{old} not cancelled before resubmission");
                }
            }
            FilingStatus::Amendment | FilingStatus::Cancellation => {
                let prev = seen.get(f.id.as_str()).unwrap_or_else(|| panic!("{} v{} before its original", f.id, f.version));
                assert!(f.version > prev.0);
                if f.status == FilingStatus::Amendment {
                    amendments += 1;
                } else {
                    cancels += 1;
                }
            }
        }
        seen.insert(f.id.as_str(), (f.version, f.status));
    }
    let n = fs.len() as f64;
    assert!((0.035..0.08).contains(&(amendments as f64 / n)), "amendments {amendments}");
    assert!(cancels > 20 && resubs > 20, "cancels {cancels} resubmissions {resubs}");
}

/// The stream-wide invariants, over several seeds and window shapes.
#[test]
fn invariants_hold_across_seeds() {
    for seed in 100..108u64 {
        let cfg = Config { count: 3000, seed, days: (seed % 4) as u32, ..Config::default() };
        let mut latest: HashMap<String, Filing> = HashMap::new();
        let mut n = 0;
        for f in Generator::new(cfg.clone()) {
            n += 1;
            let line = to_jsonl(&f);
            assert_eq!(serde_json::from_str::<Filing>(&line).ok().as_ref(), Some(&f), "{line}");
            let filed = f.times.filed_at.expect("filed_at");
            assert!(filed >= cfg.start, "{} filed before the window", f.id);
            match latest.get(&f.id) {
                None => assert_eq!(f.version, 1, "{} v{} first", f.id, f.version),
                Some(prev) => {
                    assert!(f.version > prev.version);
                    assert!(filed > prev.times.filed_at.expect("filed_at"), "{} v{} not later", f.id, f.version);
                    let mut same = f.clone();
                    same.version = prev.version;
                    same.status = prev.status;
                    same.times.filed_at = prev.times.filed_at;
                    assert!(f.status == FilingStatus::Cancellation || &same != prev, "{} v{} changes nothing", f.id, f.version);
                }
            }
            latest.insert(f.id.clone(), f);
        }
        assert_eq!(n, 3000);
    }
}

#[test]
fn amendments_change_something_and_are_filed_later() {
    let g = Generator::new(Config::new(20_000, 13));
    let mut originals: HashMap<String, Filing> = HashMap::new();
    let mut ca_after_deadline = 0;
    for f in g {
        if f.status == FilingStatus::Original && f.resubmits.is_none() {
            originals.insert(f.id.clone(), f);
        } else if f.status == FilingStatus::Amendment && f.version == 2 {
            let o = &originals[&f.id];
            assert!(f.times.filed_at > o.times.filed_at);
            let mut same = f.clone();
            same.version = o.version;
            same.status = o.status;
            same.times.filed_at = o.times.filed_at;
            assert_ne!(&same, o, "amendment {} changes nothing", f.id);
            if f.country == AgencyCountry::CA && f.mode == Mode::Highway {
                let dl = o.times.arrival.expect("arrival") - chrono::TimeDelta::hours(1);
                if f.times.filed_at.expect("filed") > dl {
                    ca_after_deadline += 1;
                }
            }
        }
    }
    assert!(ca_after_deadline > 3, "{ca_after_deadline}");
}

#[test]
fn fast_requests_both_eligible_and_not() {
    let (fs, ms) = stream(10_000, 17);
    let reg = Registry::new(&ms);
    let fast: Vec<_> = fs.iter().filter(|f| f.fast && f.version == 1).collect();
    let hwy_imports = fs.iter().filter(|f| f.mode == Mode::Highway && f.version == 1).count();
    assert!(fast.len() as f64 > 0.3 * hwy_imports as f64, "{} of {hwy_imports}", fast.len());
    let eligible = fast.iter().filter(|f| fast_eligible(f, &reg)).count();
    let frac = eligible as f64 / fast.len() as f64;
    assert!((0.65..0.92).contains(&frac), "eligible fraction {frac}");
    for f in &fast {
        assert_eq!(f.mode, Mode::Highway);
        assert_ne!(f.country, AgencyCountry::MX);
        assert!(f.party(Role::Driver).is_some());
    }
    // Drivers carry passports; some carry FAST cards.
    let drivers: Vec<_> = fs.iter().flat_map(|f| f.parties_with(Role::Driver)).collect();
    assert!(drivers.iter().all(|d| d.id("PASSPORT").is_some()));
    assert!(drivers.iter().any(|d| d.id("FAST").is_some_and(|v| v.len() == 11 && v.starts_with("427"))));
}

#[test]
fn registry_is_consistent_with_filings() {
    let (fs, ms) = stream(10_000, 19);
    assert!((200..=400).contains(&ms.len()), "registry size {}", ms.len());
    let start = Config::default().start;
    let mut by_prog: BTreeMap<Program, usize> = BTreeMap::new();
    for m in &ms {
        *by_prog.entry(m.program).or_default() += 1;
        if let Some(t) = m.tier {
            assert!((1..=3).contains(&t));
            assert_eq!(m.program, Program::CTPAT);
        }
    }
    for p in Program::ALL {
        assert!(by_prog.get(&p).copied().unwrap_or(0) > 0, "no {p:?}");
    }
    assert!(ms.iter().any(|m| m.status == clearway_core::MembershipStatus::Suspended));
    assert!(ms.iter().any(|m| m.status == clearway_core::MembershipStatus::Cancelled));
    assert!(ms.iter().any(|m| m.status == clearway_core::MembershipStatus::Active && !m.is_valid_at(start)));
    // Filings quote ids that are in the registry, including some that are not valid.
    let reg = Registry::new(&ms);
    let mut quoted_invalid = 0;
    for f in &fs {
        for p in &f.parties {
            for prog in Program::ALL {
                if let Some(id) = p.id(prog.as_str()) {
                    let m = reg.0.get(&(prog, id)).unwrap_or_else(|| panic!("{prog:?} {id} not in registry"));
                    if !m.is_valid_at(f.times.filed_at.unwrap_or(start)) {
                        quoted_invalid += 1;
                    }
                }
            }
        }
    }
    assert!(quoted_invalid > 50, "{quoted_invalid}");
}

#[test]
fn most_filings_on_time_some_late() {
    let (fs, ms) = stream(10_000, 23);
    let reg = Registry::new(&ms);
    let judged: Vec<bool> = fs.iter().filter(|f| f.version == 1 && f.resubmits.is_none()).filter_map(|f| on_time(f, &reg)).collect();
    let late = judged.iter().filter(|ok| !**ok).count() as f64 / judged.len() as f64;
    assert!((0.025..0.07).contains(&late), "late fraction {late}");
}

#[test]
fn us_marine_imports_carry_isf_elements() {
    let (fs, _) = stream(10_000, 29);
    let isf: Vec<_> = fs
        .iter()
        .filter(|f| f.version == 1 && f.mode == Mode::Marine && f.country == AgencyCountry::US && f.direction == Direction::Import)
        .filter(|f| f.cargo != Some(clearway_core::CargoType::Bulk))
        .collect();
    let complete = isf.iter().filter(|f| isf_complete(f)).count() as f64 / isf.len() as f64;
    assert!((0.9..0.99).contains(&complete), "{complete}");
}

fn isf_complete(f: &Filing) -> bool {
    let roles =
        [Role::Seller, Role::Buyer, Role::Consignee, Role::Manufacturer, Role::ShipTo, Role::ContainerStuffingLocation, Role::Consolidator];
    roles.iter().all(|r| f.party(*r).is_some())
        && f.party(Role::ImporterOfRecord).and_then(|p| p.id("IOR")).is_some()
        && f.goods.iter().all(|g| g.origin.is_some() && g.hs_code.as_ref().is_some_and(|h| h.len() >= 6))
}

#[test]
fn risk_patterns_present() {
    let (fs, _) = stream(10_000, 31);
    let s = Stats::of(&fs);
    assert!(s.radioactive > 5, "{}", s.radioactive);
    assert!(s.dual_use_diversion > 5, "{}", s.dual_use_diversion);
    assert!(s.vague > 5, "{}", s.vague);
    assert!(s.to_order > 3, "{}", s.to_order);
    assert!(s.embargoed_routing > s.dual_use_diversion, "{} {}", s.embargoed_routing, s.dual_use_diversion);
    assert!(s.dangerous > 100);
}

#[test]
fn streaming_keeps_the_queue_bounded() {
    let mut g = Generator::new(Config::new(50_000, 37));
    let mut max = 0;
    while g.next().is_some() {
        max = max.max(g.pending.len());
    }
    assert!(max <= super::MAX_PENDING, "{max}");
}

/// HS codes and North-American LOCODEs against the reference lists in `shared/data/reference`,
/// when present (`CLEARWAY_DATA` or `../shared/data` from the workspace root).
#[test]
fn codes_exist_in_reference_data() {
    let root = std::env::var_os("CLEARWAY_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let hs = std::fs::read_to_string(root.join("reference/hs2022/harmonized-system.csv"));
    let us = std::fs::read_to_string(root.join("reference/unlocode/us-locations-2015.csv"));
    let camx = std::fs::read_to_string(root.join("reference/unlocode/code-list-ca-mx-2014.csv"));
    let (Ok(hs), Ok(us), Ok(camx)) = (hs, us, camx) else {
        eprintln!("skipping: reference data not found under {}", root.display());
        return;
    };
    let hs6: HashSet<&str> = hs.lines().filter_map(|l| l.split(',').nth(1)).filter(|c| c.len() == 6).collect();
    let mut locodes: HashSet<String> = us.lines().filter_map(|l| l.trim_end().rsplit(',').next()).map(str::to_string).collect();
    for l in camx.lines() {
        if let Some(code) = l.split(',').nth(3) {
            locodes.insert(code.split_whitespace().collect::<String>());
        }
    }
    for p in crate::tables::PRODUCTS {
        assert!(hs6.contains(p.hs), "{} is not an HS 2022 subheading", p.hs);
        assert!(p.national.is_empty() || p.national.starts_with(p.hs));
    }
    let (fs, _) = stream(5000, 41);
    for f in &fs {
        for g in &f.goods {
            if let Some(h) = &g.hs_code {
                assert!(hs6.contains(&h[..6]), "{h}");
            }
        }
        let it = &f.itinerary;
        for l in [&it.place_of_loading, &it.place_of_discharge, &it.first_port_of_arrival].into_iter().flatten() {
            if matches!(&l[..2], "US" | "CA" | "MX") {
                assert!(locodes.contains(l.as_str()), "{l} not in the UN/LOCODE reference tables");
            }
        }
    }
}

#[derive(Default, Debug)]
pub(crate) struct Stats {
    pub n: usize,
    pub modes: BTreeMap<String, usize>,
    pub countries: BTreeMap<String, usize>,
    pub directions: BTreeMap<String, usize>,
    pub stages: BTreeMap<String, usize>,
    pub kinds: BTreeMap<String, usize>,
    pub statuses: BTreeMap<String, usize>,
    pub cargo: BTreeMap<String, usize>,
    pub currencies: BTreeMap<String, usize>,
    pub resubmissions: usize,
    pub containers: usize,
    pub bad_containers: usize,
    pub dangerous: usize,
    pub radioactive: usize,
    pub dual_use_diversion: usize,
    pub embargoed_routing: usize,
    pub vague: usize,
    pub to_order: usize,
    pub low_unit_value: usize,
    pub goods_lines: usize,
}

impl Stats {
    pub fn of(fs: &[Filing]) -> Stats {
        let mut s = Stats { n: fs.len(), ..Default::default() };
        let key = |v: &dyn erased::Ser| v.key();
        for f in fs {
            *s.modes.entry(key(&f.mode)).or_default() += 1;
            *s.countries.entry(f.country.as_str().to_string()).or_default() += 1;
            *s.directions.entry(key(&f.direction)).or_default() += 1;
            *s.stages.entry(key(&f.stage)).or_default() += 1;
            *s.kinds.entry(key(&f.kind)).or_default() += 1;
            *s.statuses.entry(key(&f.status)).or_default() += 1;
            if let Some(c) = &f.cargo {
                *s.cargo.entry(key(c)).or_default() += 1;
            }
            if f.version != 1 {
                continue;
            }
            s.resubmissions += f.resubmits.is_some() as usize;
            for e in &f.equipment {
                if looks_iso6346(&e.number) {
                    s.containers += 1;
                    s.bad_containers += validate_container_number(&e.number).is_err() as usize;
                }
            }
            s.goods_lines += f.goods.len();
            for g in &f.goods {
                if let Some(c) = &g.currency {
                    *s.currencies.entry(c.clone()).or_default() += 1;
                }
                s.dangerous += g.un_number.is_some() as usize;
                s.radioactive += !g.radioactive.is_empty() as usize;
                let d = g.description.as_str();
                s.vague += (d == "GENERAL CARGO"
                    || d.starts_with("SAID TO CONTAIN")
                    || d.starts_with("STC")
                    || d.starts_with("FAK")
                    || d == "CONSOLIDATED CARGO") as usize;
                if let (Some(v), Some(q), Some(h)) = (g.value, g.quantity, &g.hs_code) {
                    let usd = v / match g.currency.as_deref() {
                        Some("CAD") => 1.37,
                        Some("MXN") => 18.4,
                        Some("CNY") => 7.15,
                        Some("EUR") => 0.92,
                        _ => 1.0,
                    };
                    let floor = match &h[..6] {
                        "847130" => 250.0,
                        "851713" => 100.0,
                        "852872" => 150.0,
                        "950450" => 150.0,
                        "847150" => 1500.0,
                        "880622" => 250.0,
                        _ => 0.0,
                    };
                    s.low_unit_value += (usd / q < floor * 0.2) as usize;
                }
            }
            s.to_order += f.parties.iter().any(|p| p.role == Role::Consignee && p.name.starts_with("TO ")) as usize;
            let embargoed = f.itinerary.routing.iter().any(|c| crate::tables::EMBARGOED.contains(&c.as_str()));
            s.embargoed_routing += embargoed as usize;
            s.dual_use_diversion += (embargoed
                && f.direction == Direction::Export
                && f.goods.iter().any(|g| g.hs_code.as_ref().is_some_and(|h| crate::tables::DUAL_USE_HS.contains(&&h[..6]))))
                as usize;
        }
        s
    }
}

/// Serde-based enum names for stats keys.
mod erased {
    pub trait Ser {
        fn key(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn key(&self) -> String {
            serde_json::to_string(self).unwrap_or_default().trim_matches('"').to_string()
        }
    }
}

/// `cargo test -p clearway-synth --release -- --ignored --nocapture report` prints the mix of a
/// 10,000-filing run and the generation rate.
#[test]
#[ignore]
fn report() {
    let t = std::time::Instant::now();
    let n = 1_000_000;
    let k = Generator::new(Config::new(n, 1)).fold(0usize, |a, f| a + f.parties.len());
    let rate = n as f64 / t.elapsed().as_secs_f64();
    let (fs, ms) = stream(10_000, 1);
    let reg = Registry::new(&ms);
    let s = Stats::of(&fs);
    let pct = |x: usize| format!("{x} ({:.1} %)", 100.0 * x as f64 / s.n as f64);
    println!("rate: {rate:.0} filings/s ({k} parties)");
    for (name, m) in [
        ("mode", &s.modes),
        ("country", &s.countries),
        ("direction", &s.directions),
        ("stage", &s.stages),
        ("kind", &s.kinds),
        ("status", &s.statuses),
        ("cargo", &s.cargo),
    ] {
        println!("{name}: {}", m.iter().map(|(k, v)| format!("{k} {}", pct(*v))).collect::<Vec<_>>().join(", "));
    }
    println!("currencies (goods lines): {:?}", s.currencies);
    let originals: Vec<_> = fs.iter().filter(|f| f.version == 1 && f.resubmits.is_none()).collect();
    let judged: Vec<bool> = originals.iter().filter_map(|f| on_time(f, &reg)).collect();
    let late = judged.iter().filter(|x| !**x).count();
    println!("late originals: {late} of {} judged ({:.1} %)", judged.len(), 100.0 * late as f64 / judged.len() as f64);
    let fast: Vec<_> = originals.iter().filter(|f| f.fast).collect();
    let elig = fast.iter().filter(|f| fast_eligible(f, &reg)).count();
    let hwy = originals.iter().filter(|f| f.mode == Mode::Highway).count();
    println!(
        "FAST requested: {} of {hwy} highway ({:.1} %), eligible {elig} ({:.1} %)",
        fast.len(),
        100.0 * fast.len() as f64 / hwy as f64,
        100.0 * elig as f64 / fast.len() as f64
    );
    println!("containers: {} ({} bad, {:.2} %)", s.containers, s.bad_containers, 100.0 * s.bad_containers as f64 / s.containers as f64);
    println!("goods lines: {}, dangerous goods lines: {}, radioactive lines: {}", s.goods_lines, s.dangerous, s.radioactive);
    println!("resubmissions: {}", s.resubmissions);
    println!(
        "risk: dual-use via hub to embargoed {}, embargoed routing {}, vague {}, TO ORDER {}, low unit value {}",
        s.dual_use_diversion, s.embargoed_routing, s.vague, s.to_order, s.low_unit_value
    );
    let isf: Vec<_> = originals
        .iter()
        .filter(|f| {
            f.mode == Mode::Marine
                && f.country == AgencyCountry::US
                && f.direction == Direction::Import
                && f.cargo != Some(clearway_core::CargoType::Bulk)
        })
        .collect();
    println!("US marine ISF complete: {} of {}", isf.iter().filter(|f| isf_complete(f)).count(), isf.len());
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for m in &ms {
        let st = match m.status {
            _ if m.is_valid_at(Config::default().start) => "valid",
            clearway_core::MembershipStatus::Active => "expired",
            clearway_core::MembershipStatus::Suspended => "suspended",
            clearway_core::MembershipStatus::Cancelled => "cancelled",
        };
        *by.entry(format!("{:?} {} {}", m.program, m.business.as_deref().unwrap_or(""), st)).or_default() += 1;
    }
    println!("registry: {} memberships", ms.len());
    for (k, v) in by {
        println!("  {k}: {v}");
    }
    for f in fs.iter().take(3) {
        println!("{}", to_jsonl(f));
    }
}

/// `cargo test -p clearway-synth --release -- --ignored --nocapture throughput`
#[test]
#[ignore]
fn throughput() {
    let n = 500_000;
    let mut best = 0f64;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let k = Generator::new(Config::new(n, 1)).fold(0usize, |a, f| a + f.parties.len());
        let rate = n as f64 / t.elapsed().as_secs_f64();
        best = best.max(rate);
        assert!(k > n);
    }
    println!("throughput: {best:.0} filings/s (best of 3)");
}

/// `cargo test -p clearway-synth -- --ignored --nocapture samples` prints one filing of each kind.
#[test]
#[ignore]
fn samples() {
    let (fs, _) = stream(20_000, 1);
    type Pred = fn(&Filing) -> bool;
    let kinds: [(&str, Pred); 12] = [
        ("US marine import (ISF)", |f| {
            f.mode == Mode::Marine && f.country == AgencyCountry::US && f.direction == Direction::Import && f.kind == FilingKind::HouseBill
        }),
        ("CA marine conveyance report", |f| f.kind == FilingKind::ConveyanceReport),
        ("marine bulk", |f| f.cargo == Some(clearway_core::CargoType::Bulk) && f.direction == Direction::Import),
        ("air short flight", |f| {
            f.mode == Mode::Air
                && f.direction == Direction::Import
                && f.times.arrival.zip(f.times.departure).is_some_and(|(a, d)| (a - d).num_minutes() < 240)
        }),
        ("air long haul", |f| {
            f.mode == Mode::Air && f.direction == Direction::Import && f.itinerary.first_port_of_arrival.as_deref() == Some("USANC")
        }),
        ("highway FAST MX->US", |f| f.fast && f.country == AgencyCountry::US && f.itinerary.routing.first().is_some_and(|c| c == "MX")),
        ("rail", |f| f.mode == Mode::Rail && f.direction == Direction::Import),
        ("in-transit", |f| f.direction == Direction::InTransit && f.mode == Mode::Highway),
        ("export dual-use", |f| f.direction == Direction::Export && f.itinerary.routing.len() == 3),
        ("radioactive", |f| f.goods.iter().any(|g| !g.radioactive.is_empty())),
        ("CA highway amendment", |f| f.status == FilingStatus::Amendment && f.country == AgencyCountry::CA && f.mode == Mode::Highway),
        ("resubmission", |f| f.resubmits.is_some()),
    ];
    for (name, pred) in kinds {
        if let Some(f) = fs.iter().find(|f| pred(f)) {
            println!("== {name}\n{}", serde_json::to_string_pretty(f).unwrap_or_default());
        }
    }
}
