//! Building one filing: mode, agency, direction, parties, goods, equipment, conveyance, itinerary and
//! times, with the deadline each mode is held to, the FAST compositions, the risk patterns, and the
//! later versions (amendments, cancel-and-resubmit).

use crate::ids::{self, mix, permute, push_padded};
use crate::rng::R;
use crate::tables::{self, AIR, BRK, BULK, CONT, HWY, MAR, PRICEY, PRODUCTS, Product, RAIL, Region, SOMETIMES_DG, SPECIAL, Sector};
use crate::world::{Entity, Standing, World, is_na};
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use clearway_core::{
    Address, AgencyCountry, CargoType, Conveyance, Direction, Equipment, Filing, FilingKind, FilingStatus, GoodsItem, Itinerary, Mode,
    Party, Program, RadioactiveContent, Role, Stage, Times,
};

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
pub(crate) const MIN_SECS: i64 = MIN;

pub(crate) fn at(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    TimeDelta::try_seconds(secs).and_then(|d| t.checked_add_signed(d)).unwrap_or(t)
}

/// What an advance-information deadline counts back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Loading,
    Departure,
    Arrival,
}

/// The deadline table (BRIEF §2), as the generator applies it to make filings on time or late.
/// Mexico, absent from the table, is held to the same leads as the United States.
/// Returns the anchor and the lead in seconds the filing must precede it by.
pub(crate) fn deadline(
    mode: Mode,
    country: AgencyCountry,
    kind: FilingKind,
    cargo: Option<CargoType>,
    fast: bool,
    on_board: Option<bool>,
    short_flight: bool,
) -> (Anchor, i64) {
    match (mode, country) {
        (Mode::Marine, AgencyCountry::CA) if kind == FilingKind::ConveyanceReport => {
            (Anchor::Arrival, if on_board == Some(true) { 96 * HOUR } else { 24 * HOUR })
        }
        (Mode::Marine, _) => match cargo {
            Some(CargoType::Bulk) | Some(CargoType::BreakBulk) => (Anchor::Arrival, 24 * HOUR),
            _ => (Anchor::Loading, 24 * HOUR),
        },
        (Mode::Air, _) if short_flight => (Anchor::Departure, 0),
        (Mode::Air, _) => (Anchor::Arrival, 4 * HOUR),
        (Mode::Rail, _) => (Anchor::Arrival, 2 * HOUR),
        (Mode::Highway, AgencyCountry::US) if fast => (Anchor::Arrival, 30 * MIN),
        (Mode::Highway, _) => (Anchor::Arrival, HOUR),
        // Not generated; an arrival anchor at the time of filing.
        (Mode::Postal | Mode::Multimodal | Mode::FixedInstallation | Mode::OwnPropulsion | Mode::Unknown, _) => {
            (Anchor::Arrival, 0)
        }
    }
}

/// What a later version needs to know about the original.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub anchor_kind: Anchor,
    pub anchor: DateTime<Utc>,
    pub required: i64,
    pub id_ctx: IdCtx,
    pub ca_highway: bool,
}

/// How to mint another id of the same family (for a resubmission).
#[derive(Debug, Clone)]
pub(crate) enum IdCtx {
    Bill(String),
    Ccn(String),
    Awb(&'static str),
    Itn,
    Cers,
    Pedimento,
}

impl IdCtx {
    /// Export ids follow the agency (ITN, CERS, pedimento); inbound ids come from `inbound(country)`.
    fn for_filing(dir: Direction, country: AgencyCountry, inbound: impl FnOnce(AgencyCountry) -> IdCtx) -> IdCtx {
        match (dir, country) {
            (Direction::Export, AgencyCountry::US) => IdCtx::Itn,
            (Direction::Export, AgencyCountry::CA) => IdCtx::Cers,
            (Direction::Export, AgencyCountry::MX) => IdCtx::Pedimento,
            (_, c) => inbound(c),
        }
    }
}

/// Per-family counters behind unique filing ids: each id's number is a keyed permutation of its
/// family counter, so ids never repeat within a family and look random.
pub(crate) struct IdGen {
    bill: u64,
    ccn: u64,
    awb: u64,
    itn: u64,
    cers: u64,
    ped: u64,
    key: u64,
}

impl IdGen {
    pub fn new(seed: u64) -> IdGen {
        IdGen { bill: 0, ccn: 0, awb: 0, itn: 0, cers: 0, ped: 0, key: mix(seed ^ 0x1D5_C1EA_4A1D) }
    }

    fn next(counter: &mut u64) -> u64 {
        let v = *counter;
        *counter += 1;
        v
    }

    pub fn make(&mut self, r: &mut R, ctx: &IdCtx, filed: DateTime<Utc>) -> String {
        let key = self.key;
        match ctx {
            // Carrier SCAC + 10 digits (ocean bill of lading, ACE shipment control number).
            IdCtx::Bill(scac) => {
                let n = permute(Self::next(&mut self.bill), 10, key);
                let mut s = String::with_capacity(scac.len() + 10);
                s.push_str(scac);
                push_padded(&mut s, n, 10);
                s
            }
            // Canadian cargo control number: CBSA carrier code + 12 digits.
            IdCtx::Ccn(code) => {
                let n = permute(Self::next(&mut self.ccn), 12, key);
                let mut s = String::with_capacity(code.len() + 12);
                s.push_str(code);
                push_padded(&mut s, n, 12);
                s
            }
            // Air waybill; unique for the first ten million air filings of a run.
            IdCtx::Awb(prefix) => ids::awb(prefix, permute(Self::next(&mut self.awb), 7, key)),
            // US AES internal transaction number: X + date + 6 digits.
            IdCtx::Itn => {
                let n = permute(Self::next(&mut self.itn), 6, key);
                let d = filed.date_naive();
                let mut s = String::with_capacity(15);
                s.push('X');
                push_padded(&mut s, d.year().clamp(0, 9999) as u64, 4);
                push_padded(&mut s, d.month() as u64, 2);
                push_padded(&mut s, d.day() as u64, 2);
                push_padded(&mut s, n, 6);
                s
            }
            // Canadian export: CERS proof-of-report style, 12 digits.
            IdCtx::Cers => {
                let n = permute(Self::next(&mut self.cers), 12, key ^ 1);
                let mut s = String::with_capacity(16);
                s.push_str("CERS");
                push_padded(&mut s, n, 12);
                s
            }
            // Mexican pedimento: year (2), customs office (2), broker licence (4), sequence (7).
            IdCtx::Pedimento => {
                let y = filed.date_naive().year().rem_euclid(100) as u64;
                let n = permute(Self::next(&mut self.ped), 6, key ^ 2);
                let mut s = String::with_capacity(15);
                push_padded(&mut s, y, 2);
                s.push_str(r.pick(&["24", "16", "43", "47", "40", "51", "07"], "24"));
                push_padded(&mut s, r.int(1000, 9999) as u64, 4);
                push_padded(&mut s, y % 10, 1);
                push_padded(&mut s, n, 6);
                s
            }
        }
    }
}

/// Risk patterns a filing may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Risk {
    None,
    Undervalued,
    Vague,
    Radioactive,
    DualUse,
    EmbargoedOrigin,
}

/// A missing link in a FAST composition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    None,
    DriverNoCard,
    DriverBadCard,
    CrewNoCard,
    CarrierNotMember,
    CarrierBad,
    ImporterNotMember,
    ImporterBad,
    CaNoCsa,
}

/// Product indices by use.
pub(crate) struct Lists {
    marine: [Vec<u16>; 3],
    air: Vec<u16>,
    /// [mode (0 highway, 1 rail)][origin (US, CA, MX)].
    land: [[Vec<u16>; 3]; 2],
    /// [mode (0 marine, 1 air, 2 highway, 3 rail)][exporting country].
    export: [[Vec<u16>; 3]; 4],
    dual_use: Vec<u16>,
    pricey: Vec<u16>,
    radio: Vec<u16>,
}

fn na_idx(code: &str) -> usize {
    match code {
        "CA" => 1,
        "MX" => 2,
        _ => 0,
    }
}

fn agency_code(c: AgencyCountry) -> &'static str {
    c.as_str()
}

impl Lists {
    pub fn new() -> Lists {
        let mut l = Lists {
            marine: Default::default(),
            air: vec![],
            land: Default::default(),
            export: Default::default(),
            dual_use: vec![],
            pricey: vec![],
            radio: vec![],
        };
        for (i, p) in PRODUCTS.iter().enumerate() {
            let i = i as u16;
            if p.nuclides.is_empty() {
                if tables::DUAL_USE_HS.contains(&p.hs) {
                    l.dual_use.push(i);
                }
                if p.flags & PRICEY != 0 {
                    l.pricey.push(i);
                }
            } else {
                l.radio.push(i);
            }
            if p.flags & SPECIAL != 0 {
                continue;
            }
            let overseas = p.origins.iter().any(|o| !is_na(o));
            if p.modes & MAR != 0 && overseas {
                for (k, bit) in [CONT, BULK, BRK].into_iter().enumerate() {
                    if p.cargo & bit != 0 {
                        l.marine[k].push(i);
                    }
                }
            }
            if p.modes & AIR != 0 && overseas {
                l.air.push(i);
            }
            for (m, bit) in [HWY, RAIL].into_iter().enumerate() {
                if p.modes & bit != 0 {
                    for o in ["US", "CA", "MX"] {
                        if p.origins.contains(&o) {
                            l.land[m][na_idx(o)].push(i);
                        }
                    }
                }
            }
            for (m, bit) in [MAR, AIR, HWY, RAIL].into_iter().enumerate() {
                if p.modes & bit != 0 {
                    for o in ["US", "CA", "MX"] {
                        if p.origins.contains(&o) {
                            l.export[m][na_idx(o)].push(i);
                        }
                    }
                }
            }
        }
        l
    }
}

/// Everything about the filing being built that the pieces need.
struct Ctx {
    country: AgencyCountry,
    dir: Direction,
    filed: DateTime<Utc>,
    late: bool,
    risk: Risk,
}

pub(crate) struct Traffic {
    pub world: World,
    lists: Lists,
    pub ids: IdGen,
}

fn skeleton(mode: Mode, dir: Direction, country: AgencyCountry, stage: Stage, kind: FilingKind) -> Filing {
    Filing {
        id: String::new(),
        version: 1,
        kind,
        status: FilingStatus::Original,
        resubmits: None,
        mode,
        direction: dir,
        country,
        stage,
        cargo: None,
        fast: false,
        parties: Vec::with_capacity(10),
        goods: Vec::new(),
        equipment: Vec::new(),
        conveyance: None,
        itinerary: Itinerary::default(),
        times: Times::default(),
        export: None,
    }
}

fn fx(currency: &str) -> f64 {
    match currency {
        "CAD" => 1.37,
        "MXN" => 18.4,
        "CNY" => 7.15,
        "EUR" => 0.92,
        _ => 1.0,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn region_of(code: &str) -> Region {
    tables::country(code).map(|c| c.region).unwrap_or(Region::NorthAm)
}

/// Ocean transit in days: (to a Pacific port, to an Atlantic/Gulf port).
fn transit_days(region: Region) -> ((i64, i64), (i64, i64)) {
    match region {
        Region::EastAsia => ((12, 19), (28, 38)),
        Region::SeAsia => ((17, 24), (30, 40)),
        Region::SouthAsia => ((26, 34), (24, 32)),
        Region::Europe => ((25, 34), (9, 16)),
        Region::Med => ((27, 35), (12, 20)),
        Region::MidEast => ((28, 38), (22, 30)),
        Region::LatAm => ((7, 16), (6, 14)),
        Region::Oceania => ((16, 24), (30, 40)),
        Region::Africa => ((30, 40), (18, 26)),
        Region::CentralAsia => ((30, 40), (24, 32)),
        Region::NorthAm => ((3, 8), (3, 8)),
    }
}

/// Flight time in minutes: (to a western airport, to a central/eastern one).
fn flight_minutes(region: Region) -> ((i64, i64), (i64, i64)) {
    match region {
        Region::EastAsia => ((600, 720), (760, 900)),
        Region::SeAsia => ((900, 1020), (1020, 1140)),
        Region::SouthAsia => ((960, 1080), (870, 990)),
        Region::Europe | Region::Med => ((630, 690), (480, 570)),
        Region::MidEast | Region::CentralAsia => ((930, 1020), (780, 870)),
        Region::LatAm => ((540, 660), (420, 600)),
        Region::Oceania => ((780, 870), (960, 1080)),
        Region::Africa => ((1020, 1140), (900, 990)),
        Region::NorthAm => ((120, 300), (120, 300)),
    }
}

impl Traffic {
    pub fn new(world: World, seed: u64) -> Traffic {
        Traffic { world, lists: Lists::new(), ids: IdGen::new(seed) }
    }

    /// A new original filing (version 1), with what its later versions need.
    pub fn original(&mut self, r: &mut R, filed: DateTime<Utc>) -> (Filing, Plan) {
        let mode = [Mode::Marine, Mode::Highway, Mode::Air, Mode::Rail][r.weighted(&[40, 35, 18, 7])];
        let country = [AgencyCountry::US, AgencyCountry::CA, AgencyCountry::MX][r.weighted(&[50, 35, 15])];
        let dir_w: [u32; 3] = match mode {
            Mode::Marine => [80, 12, 8],
            Mode::Highway => [82, 12, 6],
            Mode::Air => [85, 13, 2],
            Mode::Rail => [75, 15, 10],
            _ => [80, 12, 8],
        };
        let mut dir = [Direction::Import, Direction::Export, Direction::InTransit][r.weighted(&dir_w)];
        if dir == Direction::InTransit && country == AgencyCountry::MX && matches!(mode, Mode::Rail | Mode::Air) {
            dir = Direction::Import;
        }
        let late = dir != Direction::Export && r.chance(0.045);
        let risk = {
            let u = r.u01();
            let ocean_or_air = matches!(mode, Mode::Marine | Mode::Air);
            match dir {
                Direction::Export if ocean_or_air && u < 0.06 => Risk::DualUse,
                Direction::Import if ocean_or_air && u < 0.0045 => Risk::Undervalued,
                Direction::Import if mode == Mode::Marine && (0.0045..0.0165).contains(&u) => Risk::Vague,
                Direction::Import if ocean_or_air && (0.0165..0.019).contains(&u) => Risk::EmbargoedOrigin,
                _ if mode != Mode::Rail && (0.02..0.023).contains(&u) => Risk::Radioactive,
                _ => Risk::None,
            }
        };
        let ctx = Ctx { country, dir, filed, late, risk };
        let (mut f, plan) = match mode {
            Mode::Air => self.air(r, &ctx),
            Mode::Highway => self.highway(r, &ctx),
            Mode::Rail => self.rail(r, &ctx),
            // Only the four modes above and marine are drawn.
            _ => self.marine(r, &ctx),
        };
        match risk {
            Risk::Undervalued => self.undervalue(r, &mut f),
            Risk::Vague => vague(r, &mut f),
            Risk::Radioactive => self.radioactive(r, &mut f),
            Risk::EmbargoedOrigin => self.embargoed_origin(r, &mut f),
            Risk::DualUse | Risk::None => {}
        }
        (f, plan)
    }

    // -----------------------------------------------------------------------------------------
    // Goods.

    fn product_for(&self, r: &mut R, list: &[u16], origin: Option<&str>) -> Option<&'static Product> {
        for _ in 0..12 {
            let i = *r.pick_opt(list)? as usize;
            let p = PRODUCTS.get(i)?;
            if origin.is_none_or(|o| p.origins.contains(&o)) {
                return Some(p);
            }
        }
        // Rare origins: search the whole list.
        let o = origin?;
        let i = r.pick_where(list.len(), |k| PRODUCTS.get(list[k] as usize).is_some_and(|p| p.origins.contains(&o)))?;
        PRODUCTS.get(list[i] as usize)
    }

    /// Pick an overseas origin country of a product (not North American, not the agency).
    fn overseas_origin(r: &mut R, p: &Product) -> &'static str {
        let n = p.origins.iter().filter(|o| !is_na(o)).count();
        let k = r.below(n);
        p.origins.iter().copied().filter(|o| !is_na(o)).nth(k).unwrap_or("CN")
    }

    fn currency(r: &mut R, origin: &str, country: AgencyCountry) -> &'static str {
        let home = tables::country(origin).map(|c| c.currency).unwrap_or("USD");
        if origin == "CA" && r.chance(0.5) {
            "CAD"
        } else if origin == "MX" && r.chance(0.3) {
            "MXN"
        } else if home == "EUR" && r.chance(0.6) {
            "EUR"
        } else if home == "CNY" && r.chance(0.25) {
            "CNY"
        } else if country == AgencyCountry::CA && r.chance(0.1) {
            "CAD"
        } else if country == AgencyCountry::MX && r.chance(0.1) {
            "MXN"
        } else {
            "USD"
        }
    }

    /// One goods line of product `p` from `origin`.
    fn goods_line(r: &mut R, p: &Product, origin: &str, mode: Mode, cargo: Option<CargoType>, country: AgencyCountry) -> GoodsItem {
        let bulk = p.per_pkg == 0.0;
        let mut qty = match (mode, bulk) {
            (Mode::Highway, true) => r.float(18.0, 32.0),
            (Mode::Rail, true) => r.log_float(90.0, 1800.0),
            (Mode::Air, _) => r.log_float(p.qty.0, p.qty.1) * 0.05,
            (Mode::Highway, _) => r.log_float(p.qty.0, p.qty.1) * 0.5,
            _ => r.log_float(p.qty.0, p.qty.1),
        };
        let kg_unit = r.float(p.kg.0, p.kg.1);
        let cap_kg = match (mode, cargo) {
            (Mode::Air, _) => 15_000.0,
            (Mode::Highway, _) => 22_000.0,
            (Mode::Rail, _) if bulk => f64::INFINITY,
            (Mode::Rail, _) => 60_000.0,
            (Mode::Marine, Some(CargoType::Containerised)) => 120_000.0,
            _ => f64::INFINITY,
        };
        if qty * kg_unit > cap_kg {
            qty = cap_kg / kg_unit;
        }
        let integral = matches!(p.unit, "PCS" | "PRS" | "SET");
        qty = if integral {
            qty.round().max(1.0)
        } else if p.unit == "MT" {
            (qty * 1000.0).round() / 1000.0
        } else {
            qty.round().max(1.0)
        };
        let net = (qty * kg_unit).max(0.1);
        let packages = if bulk { None } else { Some(((qty / p.per_pkg.max(1e-9)).ceil() as u32).max(1)) };
        let tare = match packages {
            Some(n) => n as f64 * r.float(0.2, 1.2) + net * r.float(0.02, 0.08),
            None => 0.0,
        };
        let currency = Self::currency(r, origin, country);
        let unit_value = r.float(p.value.0, p.value.1);
        let value = round2(unit_value * qty * fx(currency)).max(0.01);
        let hs = match r.weighted(&[60, 25, 15]) {
            0 => p.hs.to_string(),
            1 => format!("{}00", p.hs),
            _ if !p.national.is_empty() => p.national.to_string(),
            _ => p.hs.to_string(),
        };
        let un = if p.un.is_empty() || (p.flags & SOMETIMES_DG != 0 && !r.chance(0.3)) {
            None
        } else {
            Some(p.un.trim_start_matches("UN").to_string())
        };
        GoodsItem {
            description: r.pick(p.descs, "GOODS").to_string(),
            hs_code: Some(hs),
            quantity: Some(qty),
            quantity_unit: Some(p.unit.to_string()),
            packages,
            package_type: Some(p.pkg.to_string()),
            gross_kg: Some(round1(net + tare)),
            net_kg: Some(round1(net)),
            value: Some(value),
            currency: Some(currency.to_string()),
            origin: Some(origin.to_string()),
            un_number: un,
            containers: Vec::new(),
            radioactive: Vec::new(),
            export: None,
        }
    }

    /// 1–5 goods lines: the first from `first`, the others of any product of the list that the
    /// origin also makes.
    #[allow(clippy::too_many_arguments)]
    fn goods(
        &self,
        r: &mut R,
        first: &'static Product,
        list: &[u16],
        origin: &str,
        mode: Mode,
        cargo: Option<CargoType>,
        country: AgencyCountry,
    ) -> Vec<GoodsItem> {
        let single = first.per_pkg == 0.0 || cargo == Some(CargoType::Bulk) || first.hs == "870323";
        let n = if single { 1 } else { 1 + r.weighted(&[55, 20, 12, 8, 5]) };
        let mut out = Vec::with_capacity(n);
        out.push(Self::goods_line(r, first, origin, mode, cargo, country));
        for _ in 1..n {
            // Further lines: other goods of the same trade from the same origin, or more of the first.
            let other = r.pick_where(list.len(), |k| {
                PRODUCTS.get(list[k] as usize).is_some_and(|p| p.sector == first.sector && p.per_pkg > 0.0 && p.hs != "870323" && p.origins.contains(&origin))
            });
            let p = other.and_then(|k| PRODUCTS.get(list[k] as usize)).unwrap_or(first);
            let mut g = Self::goods_line(r, p, origin, mode, cargo, country);
            // Extra lines of a consignment are smaller than the main one.
            shrink(&mut g, r.float(0.1, 0.5));
            out.push(g);
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Equipment.

    fn containers(&self, r: &mut R, owner: &str, goods: &mut [GoodsItem], reefer: bool, lcl: bool) -> Vec<Equipment> {
        let gross: f64 = goods.iter().filter_map(|g| g.gross_kg).sum();
        let n = if lcl { 1 } else { ((gross / 21_000.0).ceil() as usize).clamp(1, 6) };
        let mut eq = Vec::with_capacity(n);
        for _ in 0..n {
            let own = if r.chance(0.7) { owner } else { r.pick(tables::LESSOR_CODES, "TCN") };
            let bad = r.chance(0.02);
            let number = ids::container_number(r, own, bad);
            let size = if reefer {
                r.pick(&["45R1", "45R1", "22R1"], "45R1")
            } else if gross / (n as f64) > 18_000.0 {
                "22G1"
            } else {
                r.pick(&["45G1", "45G1", "42G1", "22G1"], "45G1")
            };
            let mut seal = String::with_capacity(9);
            r.push_upper_clear(&mut seal, 2);
            r.push_digits(&mut seal, 7);
            let mut seals = vec![seal];
            if r.chance(0.15) {
                let mut s2 = String::with_capacity(8);
                r.push_digits(&mut s2, 8);
                seals.push(s2);
            }
            eq.push(Equipment { number, size_type: Some(size.to_string()), seals, empty: false });
        }
        let k = goods.len();
        for (i, g) in goods.iter_mut().enumerate() {
            if k == 1 || n == 1 {
                g.containers = eq.iter().map(|e| e.number.clone()).collect();
            } else if let Some(e) = eq.get(i % n) {
                g.containers = vec![e.number.clone()];
            }
        }
        eq
    }

    // -----------------------------------------------------------------------------------------
    // Times.

    /// Seconds between filing and the deadline anchor: the required lead plus a margin, or less a
    /// realistic lateness.
    fn lead(r: &mut R, required: i64, margin: (i64, i64), late_by: (i64, i64), late: bool) -> i64 {
        let m = if late {
            -(r.log_float(late_by.0 as f64, late_by.1 as f64) as i64)
        } else {
            r.log_float(margin.0 as f64, margin.1 as f64) as i64
        };
        ((required + m) / MIN) * MIN
    }

    // -----------------------------------------------------------------------------------------
    // Marine.

    fn marine(&mut self, r: &mut R, ctx: &Ctx) -> (Filing, Plan) {
        let w = &self.world;
        let cc = agency_code(ctx.country);
        let cargo = match ctx.dir {
            Direction::Export => [CargoType::Containerised, CargoType::Bulk, CargoType::BreakBulk][r.weighted(&[70, 20, 10])],
            _ => [CargoType::Containerised, CargoType::BreakBulk, CargoType::Bulk][r.weighted(&[85, 8, 7])],
        };
        let conveyance_report = ctx.country == AgencyCountry::CA && ctx.dir != Direction::Export && r.chance(0.05);
        if conveyance_report {
            return self.ca_conveyance_report(r, ctx);
        }
        let ck = match cargo {
            CargoType::Containerised => 0,
            CargoType::Bulk => 1,
            CargoType::BreakBulk => 2,
        };
        let export = ctx.dir == Direction::Export;

        // Goods and origin.
        let (first, origin) = if export {
            let list = if ctx.risk == Risk::DualUse { &self.lists.dual_use } else { &self.lists.export[0][na_idx(cc)] };
            let p = self.product_for(r, list, None).filter(|p| ctx.risk == Risk::DualUse || p.cargo & [CONT, BULK, BRK][ck] != 0);
            let p = p.or_else(|| self.product_for(r, &self.lists.export[0][na_idx(cc)], None)).unwrap_or(&PRODUCTS[0]);
            let origin = if p.origins.contains(&cc) || ctx.risk != Risk::DualUse { cc } else { p.origins.first().copied().unwrap_or(cc) };
            (p, origin)
        } else {
            let p = self.product_for(r, &self.lists.marine[ck], None).unwrap_or(&PRODUCTS[0]);
            (p, Self::overseas_origin(r, p))
        };
        let cargo = if export && ctx.risk == Risk::DualUse {
            CargoType::Containerised
        } else if first.per_pkg == 0.0 {
            CargoType::Bulk
        } else if first.cargo & CONT == 0 {
            CargoType::BreakBulk
        } else if first.cargo & (BULK | BRK) == 0 {
            CargoType::Containerised
        } else {
            cargo
        };
        let list: &[u16] = if export { &self.lists.export[0][na_idx(cc)] } else { &self.lists.marine[0] };
        let mut goods = self.goods(r, first, list, origin, Mode::Marine, Some(cargo), ctx.country);

        // Route: foreign port, agency port, side.
        let (foreign_cc, dest_cc) = if export {
            let dest =
                if ctx.risk == Risk::DualUse { r.pick(tables::DIVERSION_HUBS, "AE") } else { r.weighted_pick(tables::EXPORT_DESTS, "CN") };
            (dest, dest)
        } else {
            (origin, cc)
        };
        let region = region_of(foreign_cc);
        let pacific_pref = match region {
            Region::EastAsia | Region::SeAsia | Region::Oceania => 0.75,
            Region::SouthAsia => 0.3,
            Region::LatAm => 0.4,
            _ => 0.05,
        };
        // Synthetic traffic is lodged with CA, US or MX; any other administration would get US ports.
        let ports = match ctx.country {
            AgencyCountry::US | AgencyCountry::Other(_) => tables::US_PORTS,
            AgencyCountry::CA => tables::CA_PORTS,
            AgencyCountry::MX => tables::MX_PORTS,
        };
        let pacific = r.chance(pacific_pref);
        let home_port =
            r.weighted_by(ports.len(), |i| if ports[i].1 == pacific { ports[i].2 } else { 0 }).map(|i| ports[i].0).unwrap_or(ports[0].0);
        let foreign_port =
            tables::country(foreign_cc).and_then(|c| r.pick_opt(c.ports).copied()).unwrap_or_else(|| tables::gateway_port(region));
        let (td_pac, td_atl) = transit_days(region);
        let td = if pacific { td_pac } else { td_atl };
        let transit = r.int(td.0, td.1) * DAY + r.int(0, 23) * HOUR;

        // Carrier, conveyance, equipment.
        let house = cargo == CargoType::Containerised && r.chance(0.35);
        let line = if cargo == CargoType::Containerised { &w.ocean[r.below(w.ocean.len())] } else { &w.bulk[r.below(w.bulk.len())] };
        let nv = &w.nvocc[r.below(w.nvocc.len())];
        let (vessel, imo) = r.pick_opt(&line.fleet).cloned().unwrap_or_else(|| ("OCEAN PIONEER".into(), "9074729".into()));
        let bound = match (export, pacific, region) {
            (false, true, _) => 'E',
            (false, false, Region::LatAm) => 'N',
            (false, false, _) => 'W',
            (true, true, _) => 'W',
            (true, false, _) => 'E',
        };
        let mut voyage = String::with_capacity(4);
        push_padded(&mut voyage, r.int(1, 999) as u64, 3);
        voyage.push(bound);
        let equipment = if cargo == CargoType::Containerised {
            let reefer = first.reefer;
            self.containers(r, line.owner, &mut goods, reefer, house)
        } else {
            Vec::new()
        };

        // Stage and kind.
        let stage = match (ctx.dir, cargo) {
            (Direction::Export, _) => Stage::Export,
            (_, CargoType::Containerised) => {
                if r.chance(0.85) {
                    Stage::PreLoad
                } else {
                    Stage::Arrival
                }
            }
            _ => {
                if r.chance(0.85) {
                    Stage::PreArrival
                } else {
                    Stage::Arrival
                }
            }
        };
        let kind = if export {
            FilingKind::ExportDeclaration
        } else if house {
            FilingKind::HouseBill
        } else if r.chance(0.9) {
            FilingKind::MasterBill
        } else {
            FilingKind::AdvanceCargo
        };
        let mut f = skeleton(Mode::Marine, ctx.dir, ctx.country, stage, kind);
        f.cargo = Some(cargo);
        f.goods = goods;
        f.equipment = equipment;

        // Parties.
        let sector = first.sector;
        if export {
            let _ = self.export_parties(r, &mut f, sector, cc, dest_cc, ctx.risk, &line.ent);
        } else {
            let shipper = w.company(r, origin, sector);
            let dest_cc_final = if ctx.dir == Direction::InTransit { transit_destination(r, cc) } else { cc };
            let importer = w.importer(r, dest_cc_final, sector);
            let consignee = if r.chance(0.7) { importer } else { w.importer(r, dest_cc_final, sector) };
            f.parties.push(shipper.as_party(Role::Consignor));
            f.parties.push(consignee.as_party(Role::Consignee));
            let carrier = if house { nv } else { &line.ent };
            f.parties.push(carrier.as_party(Role::Carrier));
            if r.chance(0.6) {
                let notify = if r.chance(0.5) { &w.brokers[na_idx(dest_cc_final)][r.below(6)] } else { consignee };
                f.parties.push(notify.as_party(Role::NotifyParty));
            }
            if ctx.country == AgencyCountry::US && ctx.dir == Direction::Import && cargo != CargoType::Bulk {
                self.isf(r, &mut f, shipper, importer, origin, sector, nv, house);
            } else if r.chance(0.4) {
                f.parties.push(nv.as_party(Role::FreightForwarder));
            }
            if ctx.country == AgencyCountry::MX && r.chance(0.5) {
                f.parties.push(w.brokers[2][r.below(6)].as_party(Role::Declarant));
            }
        }

        // Itinerary.
        let mut routing = Vec::with_capacity(4);
        if export {
            f.itinerary.place_of_loading = Some(home_port.to_string());
            f.itinerary.place_of_discharge = Some(foreign_port.to_string());
            routing.push(cc.to_string());
            if ctx.risk == Risk::DualUse {
                routing.push(dest_cc.to_string());
                let end = f.party(Role::EndUser).and_then(|p| p.country.clone()).unwrap_or_else(|| "RU".into());
                routing.push(end);
            } else {
                routing.push(dest_cc.to_string());
            }
        } else {
            f.itinerary.place_of_loading = Some(foreign_port.to_string());
            f.itinerary.place_of_discharge = Some(home_port.to_string());
            f.itinerary.first_port_of_arrival = Some(home_port.to_string());
            routing.push(foreign_port[..2].to_string());
            if r.chance(0.15) {
                let hub = match region {
                    Region::EastAsia | Region::SeAsia => r.pick(&["SG", "KR", "MY", "HK"], "SG"),
                    Region::SouthAsia | Region::MidEast => r.pick(&["LK", "AE", "SG"], "LK"),
                    Region::LatAm => "PA",
                    _ => r.pick(&["ES", "MA", "PA"], "ES"),
                };
                if hub != routing[0] {
                    routing.push(hub.to_string());
                }
            } else if !pacific && matches!(region, Region::EastAsia | Region::SeAsia) {
                routing.push("PA".to_string());
            }
            routing.push(cc.to_string());
            if ctx.dir == Direction::InTransit
                && let Some(c) = f.party(Role::Consignee).and_then(|p| p.country.clone())
                && c != cc
            {
                routing.push(c);
            }
        }
        f.itinerary.routing = routing;

        // Conveyance.
        f.conveyance = Some(Conveyance { vessel_name: Some(vessel), imo: Some(imo), voyage: Some(voyage), ..Default::default() });

        // Times.
        let (anchor_kind, required) = deadline(Mode::Marine, ctx.country, kind, Some(cargo), false, None, false);
        let lead = if export {
            Self::lead(r, 0, (26 * HOUR, 10 * DAY), (0, 0), false)
        } else if anchor_kind == Anchor::Loading {
            Self::lead(r, required, (HOUR, 6 * DAY), (10 * MIN, 20 * HOUR), ctx.late)
        } else {
            Self::lead(r, required, (HOUR, 10 * DAY), (30 * MIN, 20 * HOUR), ctx.late)
        };
        let anchor = at(ctx.filed, lead);
        let (loading, departure, arrival) = match anchor_kind {
            Anchor::Loading | Anchor::Departure => {
                let dep = at(anchor, r.int(6, 48) * HOUR);
                (anchor, dep, at(dep, transit))
            }
            Anchor::Arrival => {
                let dep = at(anchor, -transit);
                (at(dep, -r.int(12, 72) * HOUR), dep, anchor)
            }
        };
        let anchor_kind = if export { Anchor::Loading } else { anchor_kind };
        let required = if export { 0 } else { required };
        f.times = Times { filed_at: Some(ctx.filed), loading: Some(loading), departure: Some(departure), arrival: Some(arrival) };

        // Id.
        let carrier_scac = if house { nv.code.clone() } else { line.ent.code.clone() };
        let carrier_cbsa = if house { nv.cbsa.clone() } else { line.ent.cbsa.clone() };
        let id_ctx = IdCtx::for_filing(ctx.dir, ctx.country, |c| {
            if c == AgencyCountry::CA { IdCtx::Ccn(carrier_cbsa) } else { IdCtx::Bill(carrier_scac) }
        });
        f.id = self.ids.make(r, &id_ctx, ctx.filed);
        (f, Plan { anchor_kind, anchor, required, id_ctx, ca_highway: false })
    }

    /// The US importer-security-filing elements on a marine import, occasionally one missing.
    #[allow(clippy::too_many_arguments)]
    fn isf(&self, r: &mut R, f: &mut Filing, shipper: &Entity, importer: &Entity, origin: &str, sector: Sector, nv: &Entity, house: bool) {
        let w = &self.world;
        let missing = if r.chance(0.05) { Some(r.below(10)) } else { None };
        let seller = match r.weighted(&[65, 25, 10]) {
            0 => shipper,
            1 => {
                let hub = r.pick(&["HK", "SG"], "HK");
                w.company(r, hub, Sector::General)
            }
            _ => w.company(r, origin, sector),
        };
        let buyer = if r.chance(0.75) { importer } else { w.importer(r, "US", sector) };
        let manufacturer = if r.chance(0.6) || sector == Sector::General { shipper } else { w.company(r, origin, sector) };
        if missing != Some(0) {
            f.parties.push(seller.as_party(Role::Seller));
        }
        if missing != Some(1) {
            f.parties.push(buyer.as_party(Role::Buyer));
        }
        match missing {
            Some(2) => {
                // The importer is named but the importer-of-record number is not given.
                let mut p = importer.as_party(Role::ImporterOfRecord);
                p.ids.retain(|i| i.scheme != "IOR");
                f.parties.push(p);
            }
            _ => f.parties.push(importer.as_party(Role::ImporterOfRecord)),
        }
        if missing == Some(3) {
            f.parties.retain(|p| p.role != Role::Consignee);
        }
        if missing != Some(4) {
            f.parties.push(manufacturer.as_party(Role::Manufacturer));
        }
        if missing != Some(5) {
            let mut ship_to = importer.as_party(Role::ShipTo);
            if r.chance(0.5) {
                ship_to.name = format!("{} - Distribution Center", ship_to.name);
                let c = tables::US_CITIES[r.below(tables::US_CITIES.len())];
                let mut pc = c.post.to_string();
                let k = 5usize.saturating_sub(pc.len());
                r.push_digits(&mut pc, k);
                ship_to.address = Some(Address {
                    street: Some(format!(
                        "{} {} {}",
                        r.int(100, 9900),
                        r.pick(tables::US_STREETS, "Commerce"),
                        r.pick(tables::US_STREET_KIND, "Pkwy")
                    )),
                    city: Some(c.name.to_string()),
                    subdivision: Some(c.sub.to_string()),
                    postcode: Some(pc),
                    country: Some("US".into()),
                });
            }
            f.parties.push(ship_to);
        }
        if missing != Some(8) {
            let mut stuffing =
                if house { nv.as_party(Role::ContainerStuffingLocation) } else { shipper.as_party(Role::ContainerStuffingLocation) };
            if house {
                let city = shipper.party.address.as_ref().and_then(|a| a.city.clone()).unwrap_or_default();
                stuffing.name = format!("{} CFS {}", nv.party.name, city).trim().to_string();
                stuffing.address = shipper.party.address.clone();
                stuffing.country = shipper.party.country.clone();
            }
            stuffing.ids.clear();
            f.parties.push(stuffing);
        }
        if missing != Some(9) {
            f.parties.push(nv.as_party(Role::Consolidator));
        }
        // 6: country of origin, 7: commodity code.
        match missing {
            Some(6) => f.goods.iter_mut().for_each(|g| g.origin = None),
            Some(7) => f.goods.iter_mut().for_each(|g| g.hs_code = None),
            _ => {}
        }
    }

    fn ca_conveyance_report(&mut self, r: &mut R, ctx: &Ctx) -> (Filing, Plan) {
        let w = &self.world;
        let containers = r.chance(0.8);
        let line = if containers { &w.ocean[r.below(w.ocean.len())] } else { &w.bulk[r.below(w.bulk.len())] };
        let (vessel, imo) = r.pick_opt(&line.fleet).cloned().unwrap_or_else(|| ("OCEAN PIONEER".into(), "9074729".into()));
        let pacific = r.chance(0.7);
        let ports = tables::CA_PORTS;
        let port =
            r.weighted_by(ports.len(), |i| if ports[i].1 == pacific { ports[i].2 } else { 0 }).map(|i| ports[i].0).unwrap_or("CAVAN");
        let origin = if pacific { r.pick(&["CN", "KR", "JP", "VN", "TW"], "CN") } else { r.pick(&["NL", "BE", "DE", "GB", "FR"], "NL") };
        let region = region_of(origin);
        let foreign = tables::country(origin).and_then(|c| r.pick_opt(c.ports).copied()).unwrap_or("CNSHA");
        let mut f = skeleton(Mode::Marine, ctx.dir, ctx.country, Stage::PreArrival, FilingKind::ConveyanceReport);
        f.cargo = Some(if containers { CargoType::Containerised } else { CargoType::Bulk });
        f.parties.push(line.ent.as_party(Role::Carrier));
        let mut voyage = String::new();
        push_padded(&mut voyage, r.int(1, 999) as u64, 3);
        voyage.push(if pacific { 'E' } else { 'W' });
        f.conveyance = Some(Conveyance {
            vessel_name: Some(vessel),
            imo: Some(imo),
            voyage: Some(voyage),
            containers_on_board: Some(containers),
            ..Default::default()
        });
        f.itinerary = Itinerary {
            place_of_loading: Some(foreign.to_string()),
            place_of_discharge: Some(port.to_string()),
            first_port_of_arrival: Some(port.to_string()),
            routing: vec![origin.to_string(), "CA".to_string()],
        };
        let (anchor_kind, required) =
            deadline(Mode::Marine, ctx.country, FilingKind::ConveyanceReport, f.cargo, false, Some(containers), false);
        let lead = Self::lead(r, required, (HOUR, 72 * HOUR), (HOUR, if containers { 60 * HOUR } else { 20 * HOUR }), ctx.late);
        let arrival = at(ctx.filed, lead);
        let (td_pac, td_atl) = transit_days(region);
        let td = if pacific { td_pac } else { td_atl };
        let dep = at(arrival, -(r.int(td.0, td.1) * DAY));
        f.times = Times {
            filed_at: Some(ctx.filed),
            loading: Some(at(dep, -r.int(12, 48) * HOUR)),
            departure: Some(dep),
            arrival: Some(arrival),
        };
        let id_ctx = IdCtx::Ccn(line.ent.cbsa.clone());
        f.id = self.ids.make(r, &id_ctx, ctx.filed);
        (f, Plan { anchor_kind, anchor: arrival, required, id_ctx, ca_highway: false })
    }

    /// Exporter, ultimate consignee, end user, carrier, forwarder, declarant.
    #[allow(clippy::too_many_arguments)]
    fn export_parties<'w>(
        &'w self,
        r: &mut R,
        f: &mut Filing,
        sector: Sector,
        cc: &str,
        dest: &str,
        risk: Risk,
        carrier: &Entity,
    ) -> (&'w Entity, &'w Entity) {
        let w = &self.world;
        let exporter = if risk == Risk::DualUse { w.company(r, cc, Sector::Electronics) } else { w.company(r, cc, sector) };
        f.parties.push(exporter.as_party(Role::Exporter));
        let uc = if risk == Risk::DualUse {
            let uc = w.company(r, dest, Sector::General);
            f.parties.push(uc.as_party(Role::UltimateConsignee));
            f.parties.push(uc.as_party(Role::Consignee));
            let emb = r.pick(tables::EMBARGOED, "RU");
            let sec = if r.chance(0.5) { Sector::Electronics } else { Sector::Machinery };
            let eu = w.company(r, emb, sec);
            f.parties.push(eu.as_party(Role::EndUser));
            uc
        } else {
            let sec = if r.chance(0.5) { sector } else { Sector::General };
            let uc = if is_na(dest) { w.importer(r, dest, sector) } else { w.company(r, dest, sec) };
            f.parties.push(uc.as_party(Role::UltimateConsignee));
            f.parties.push(uc.as_party(Role::Consignee));
            let eu = if r.chance(0.7) { uc } else { w.company(r, dest, sector) };
            f.parties.push(eu.as_party(Role::EndUser));
            uc
        };
        f.parties.push(carrier.as_party(Role::Carrier));
        if r.chance(0.6) {
            f.parties.push(w.nvocc[r.below(w.nvocc.len())].as_party(Role::FreightForwarder));
        }
        if r.chance(0.35) {
            f.parties.push(w.brokers[na_idx(cc)][r.below(6)].as_party(Role::Declarant));
        }
        (exporter, uc)
    }

    // -----------------------------------------------------------------------------------------
    // Air.

    fn air(&mut self, r: &mut R, ctx: &Ctx) -> (Filing, Plan) {
        let w = &self.world;
        let cc = agency_code(ctx.country);
        let export = ctx.dir == Direction::Export;
        let home_airports = match ctx.country {
            AgencyCountry::US | AgencyCountry::Other(_) => tables::US_AIRPORTS,
            AgencyCountry::CA => tables::CA_AIRPORTS,
            AgencyCountry::MX => tables::MX_AIRPORTS,
        };
        let (home_apt, west) = {
            let i = r.weighted_by(home_airports.len(), |i| home_airports[i].2);
            i.and_then(|i| home_airports.get(i)).map(|a| (a.0, a.1)).unwrap_or(("USORD", false))
        };
        let flights = tables::SHORT_FLIGHTS;
        let short_pair = if !export && r.chance(0.28) {
            r.pick_where(flights.len(), |i| flights[i].1.starts_with(cc)).map(|i| &flights[i])
        } else {
            None
        };
        let short = short_pair.is_some();

        let (first, origin, foreign_apt, minutes, dest_cc, home_apt) = if export {
            let list = if ctx.risk == Risk::DualUse { &self.lists.dual_use } else { &self.lists.export[1][na_idx(cc)] };
            let p = self.product_for(r, list, None).unwrap_or(&PRODUCTS[0]);
            let dest =
                if ctx.risk == Risk::DualUse { r.pick(tables::DIVERSION_HUBS, "AE") } else { r.weighted_pick(tables::EXPORT_DESTS, "CN") };
            let apt = tables::country(dest).and_then(|c| r.pick_opt(c.airports).copied()).unwrap_or("AEDXB");
            let (fw, fe) = flight_minutes(region_of(dest));
            let fm = if west { fw } else { fe };
            let origin = if p.origins.contains(&cc) { cc } else { p.origins.first().copied().unwrap_or(cc) };
            (p, origin, apt, r.int(fm.0, fm.1), dest, home_apt)
        } else if let Some(pair) = short_pair {
            let ocode = &pair.0[..2];
            let p = self
                .product_for(r, &self.lists.air, Some(ocode))
                .or_else(|| {
                    let l = if ocode == "US" || ocode == "CA" || ocode == "MX" {
                        &self.lists.export[1][na_idx(ocode)]
                    } else {
                        &self.lists.air
                    };
                    self.product_for(r, l, None)
                })
                .unwrap_or(&PRODUCTS[0]);
            let origin: &'static str = if p.origins.contains(&ocode) { ocode } else { Self::overseas_origin(r, p) };
            (p, origin, pair.0, pair.2, cc, pair.1)
        } else {
            let p = self.product_for(r, &self.lists.air, None).unwrap_or(&PRODUCTS[0]);
            let origin = Self::overseas_origin(r, p);
            let apt = tables::country(origin).and_then(|c| r.pick_opt(c.airports).copied()).unwrap_or("CNPVG");
            let (fw, fe) = flight_minutes(region_of(origin));
            let fm = if west { fw } else { fe };
            (p, origin, apt, r.int(fm.0, fm.1), cc, home_apt)
        };
        let goods = self.goods(r, first, &self.lists.air, origin, Mode::Air, None, ctx.country);

        // Airline: one of the two countries' carriers half the time.
        let foreign_cc = &foreign_apt[..2];
        let al = &w.airlines;
        let local = if short || r.chance(0.6) {
            r.pick_where(al.len(), |i| al[i].ent.country() == foreign_cc || al[i].ent.country() == cc)
        } else {
            None
        };
        let ai = local.unwrap_or_else(|| r.below(al.len()));
        let airline = &w.airlines[ai];
        let flight = format!("{} {}", airline.ent.code, r.int(1, 9899));

        // Tech stop: Asian freighters into the US often make Anchorage the first port of arrival.
        let anc = !export
            && !short
            && ctx.country == AgencyCountry::US
            && region_of(origin) == Region::EastAsia
            && home_apt != "USANC"
            && r.chance(0.2);
        let first_port = if anc { "USANC" } else { home_apt };
        let minutes = if anc { r.int(480, 570) } else { minutes };

        let stage = if export {
            Stage::Export
        } else if r.chance(0.8) {
            Stage::PreArrival
        } else {
            Stage::Arrival
        };
        let kind = if export {
            FilingKind::ExportDeclaration
        } else if r.chance(0.6) {
            FilingKind::MasterBill
        } else {
            FilingKind::AdvanceCargo
        };
        let mut f = skeleton(Mode::Air, ctx.dir, ctx.country, stage, kind);

        if export {
            let _ = self.export_parties(r, &mut f, first.sector, cc, dest_cc, ctx.risk, &airline.ent);
        } else {
            let shipper_cc = origin;
            let shipper = w.company(r, shipper_cc, first.sector);
            let dest_final = if ctx.dir == Direction::InTransit { transit_destination(r, cc) } else { cc };
            let consignee = w.importer(r, dest_final, first.sector);
            f.parties.push(shipper.as_party(Role::Consignor));
            f.parties.push(consignee.as_party(Role::Consignee));
            f.parties.push(airline.ent.as_party(Role::Carrier));
            if r.chance(0.3) {
                f.parties.push(consignee.as_party(Role::NotifyParty));
            }
            if r.chance(0.5) {
                f.parties.push(w.nvocc[r.below(w.nvocc.len())].as_party(Role::FreightForwarder));
            }
            if r.chance(0.3) {
                f.parties.push(w.brokers[na_idx(dest_final)][r.below(6)].as_party(Role::Declarant));
            }
        }
        if r.chance(0.55) {
            let n = 1 + r.weighted(&[60, 25, 10, 5]);
            for _ in 0..n {
                let t = r.pick(tables::ULD_TYPES, "AKE");
                let mut num = String::with_capacity(10);
                num.push_str(t);
                r.push_digits(&mut num, 5);
                num.push_str(&airline.ent.code);
                f.equipment.push(Equipment { number: num, size_type: Some(t.to_string()), seals: vec![], empty: false });
            }
        }
        f.goods = goods;
        f.conveyance = Some(Conveyance { flight: Some(flight), ..Default::default() });
        let (loading_apt, discharge_apt) = if export { (home_apt, foreign_apt) } else { (foreign_apt, home_apt) };
        let mut routing = vec![loading_apt[..2].to_string()];
        if export && ctx.risk == Risk::DualUse {
            routing.push(dest_cc.to_string());
            routing.push(f.party(Role::EndUser).and_then(|p| p.country.clone()).unwrap_or_else(|| "RU".into()));
        } else {
            if discharge_apt[..2] != routing[0] {
                routing.push(discharge_apt[..2].to_string());
            }
            if ctx.dir == Direction::InTransit
                && let Some(c) = f.party(Role::Consignee).and_then(|p| p.country.clone()).filter(|c| c != cc)
            {
                routing.push(c);
            }
        }
        f.itinerary = Itinerary {
            place_of_loading: Some(loading_apt.to_string()),
            place_of_discharge: Some(discharge_apt.to_string()),
            first_port_of_arrival: if export { None } else { Some(first_port.to_string()) },
            routing,
        };

        let (anchor_kind, required) = deadline(Mode::Air, ctx.country, kind, None, false, None, short);
        let (anchor_kind, required, lead) = if export {
            (Anchor::Departure, 0, Self::lead(r, 2 * HOUR, (30 * MIN, 48 * HOUR), (0, 0), false))
        } else if short {
            let late_max = ((minutes - 10) * MIN).clamp(3 * MIN + 1, 90 * MIN);
            (anchor_kind, required, Self::lead(r, required, (10 * MIN, 12 * HOUR), (3 * MIN, late_max), ctx.late))
        } else {
            (anchor_kind, required, Self::lead(r, required, (15 * MIN, 20 * HOUR), (5 * MIN, 210 * MIN), ctx.late))
        };
        let anchor = at(ctx.filed, lead);
        let (departure, arrival) = match anchor_kind {
            Anchor::Arrival => (at(anchor, -minutes * MIN), anchor),
            _ => (anchor, at(anchor, minutes * MIN)),
        };
        f.times = Times {
            filed_at: Some(ctx.filed),
            loading: Some(at(departure, -r.int(2, 8) * HOUR)),
            departure: Some(departure),
            arrival: Some(arrival),
        };
        let id_ctx = IdCtx::for_filing(ctx.dir, ctx.country, |_| IdCtx::Awb(airline.prefix));
        f.id = self.ids.make(r, &id_ctx, ctx.filed);
        (f, Plan { anchor_kind, anchor, required, id_ctx, ca_highway: false })
    }

    // -----------------------------------------------------------------------------------------
    // Highway.

    fn highway(&mut self, r: &mut R, ctx: &Ctx) -> (Filing, Plan) {
        let w = &self.world;
        let cc = agency_code(ctx.country);
        let export = ctx.dir == Direction::Export;
        // Where the truck comes from and goes to; which crossing it uses.
        let (origin_cc, dest_cc): (&str, &str) = match (ctx.dir, ctx.country) {
            (Direction::Import, AgencyCountry::US) => (if r.chance(0.55) { "CA" } else { "MX" }, "US"),
            (Direction::Import, _) => ("US", cc),
            (Direction::Export, AgencyCountry::US) => ("US", if r.chance(0.55) { "CA" } else { "MX" }),
            (Direction::Export, _) => (cc, "US"),
            (Direction::InTransit, AgencyCountry::US) => (if r.chance(0.7) { "CA" } else { "MX" }, "CA"),
            (Direction::InTransit, AgencyCountry::CA) => ("US", "US"),
            (Direction::InTransit, AgencyCountry::MX | AgencyCountry::Other(_)) => ("US", "GT"),
        };

        let first = self.product_for(r, &self.lists.land[0][na_idx(origin_cc)], None).unwrap_or(&PRODUCTS[0]);
        let mut goods = self.goods(r, first, &self.lists.land[0][na_idx(origin_cc)], origin_cc, Mode::Highway, None, ctx.country);

        // FAST request and composition.
        let fast_ok = ctx.dir == Direction::Import && matches!(ctx.country, AgencyCountry::US | AgencyCountry::CA);
        let fast = fast_ok && r.chance(0.6);
        let broken = if fast && r.chance(0.22) {
            let mut opts = vec![
                Broken::DriverNoCard,
                Broken::DriverBadCard,
                Broken::CrewNoCard,
                Broken::CarrierNotMember,
                Broken::CarrierBad,
                Broken::ImporterNotMember,
            ];
            if ctx.country == AgencyCountry::US {
                opts.push(Broken::ImporterBad);
            } else {
                opts.push(Broken::CaNoCsa);
            }
            opts[r.below(opts.len())]
        } else {
            Broken::None
        };
        let k = if ctx.country == AgencyCountry::US { 0 } else { 1 };
        let fi = &w.fast;
        let pick = |r: &mut R, l: &[u32]| r.pick_opt(l).map(|&i| i as usize);

        let carrier_idx = if fast {
            let l = match broken {
                Broken::CarrierNotMember => &fi.carriers_none[k],
                Broken::CarrierBad => &fi.carriers_bad[k],
                _ => &fi.carriers_valid[k],
            };
            pick(r, l).or_else(|| pick(r, &fi.carriers_valid[k]))
        } else {
            None
        };
        let carrier_idx = carrier_idx.unwrap_or_else(|| {
            let home = match (origin_cc, dest_cc) {
                ("CA", _) | (_, "CA") if r.chance(0.55) => "CA",
                ("MX", _) | (_, "MX") if r.chance(0.7) => "MX",
                _ => "US",
            };
            r.pick_where(w.hwy.len(), |i| w.hwy[i].country() == home).unwrap_or(0)
        });
        let carrier = &w.hwy[carrier_idx.min(w.hwy.len().saturating_sub(1))];
        let crew_all: &[u32] = w.crew_of.get(carrier_idx).map(|v| v.as_slice()).unwrap_or(&[]);
        let valid_card = |i: &u32| w.drivers.get(*i as usize).is_some_and(|d| d.standing(Program::FAST).is_valid());
        let no_card = |i: &u32| w.drivers.get(*i as usize).is_some_and(|d| d.standing(Program::FAST) == Standing::None);
        let mut cab: Vec<usize> = Vec::with_capacity(2);
        if fast {
            let own_valid = |r: &mut R| r.pick_where(crew_all.len(), |i| valid_card(&crew_all[i])).map(|i| crew_all[i] as usize);
            let own_nocard = |r: &mut R| r.pick_where(crew_all.len(), |i| no_card(&crew_all[i])).map(|i| crew_all[i] as usize);
            let any_valid = |r: &mut R| own_valid(r).or_else(|| pick(r, &fi.drivers_valid));
            match broken {
                Broken::DriverNoCard => cab.extend(own_nocard(r).or_else(|| pick(r, &fi.drivers_nocard))),
                Broken::DriverBadCard => cab.extend(pick(r, &fi.drivers_badcard).or_else(|| pick(r, &fi.drivers_nocard))),
                Broken::CrewNoCard => {
                    cab.extend(any_valid(r));
                    cab.extend(own_nocard(r).or_else(|| pick(r, &fi.drivers_nocard)));
                }
                _ => {
                    cab.extend(any_valid(r));
                    if r.chance(0.12)
                        && let Some(second) = any_valid(r).filter(|s| Some(s) != cab.first())
                    {
                        cab.push(second);
                    }
                }
            }
        }
        if cab.is_empty() {
            cab.extend(pick(r, crew_all).or_else(|| Some(r.below(w.drivers.len()))));
            if r.chance(0.1)
                && let Some(second) = pick(r, crew_all).filter(|s| Some(s) != cab.first())
            {
                cab.push(second);
            }
        }

        // Importer (and, from Mexico, manufacturer).
        let sector = first.sector;
        let importer: &Entity = if fast {
            let l: &[u32] = match (ctx.country, broken) {
                (AgencyCountry::US, Broken::ImporterNotMember) => &fi.us_importers_none,
                (AgencyCountry::US, Broken::ImporterBad) => &fi.us_importers_bad,
                (AgencyCountry::US, _) => &fi.us_importers_valid,
                (_, Broken::ImporterNotMember) => &fi.ca_importers_none,
                (_, Broken::CaNoCsa) => &fi.ca_importers_pip_only,
                _ => &fi.ca_importers_full,
            };
            pick(r, l).and_then(|i| w.companies.get(i)).unwrap_or_else(|| w.importer(r, cc, sector))
        } else {
            let dest_final = if ctx.dir == Direction::InTransit || export { dest_cc } else { cc };
            w.importer(r, dest_final, sector)
        };
        let shipper: &Entity = if fast && origin_cc == "MX" {
            let l = if broken == Broken::ImporterNotMember { &fi.mx_mfr_none } else { &fi.mx_mfr_valid };
            pick(r, l).and_then(|i| w.companies.get(i)).unwrap_or_else(|| w.company(r, "MX", sector))
        } else {
            w.company(r, origin_cc, sector)
        };

        let stage = if export {
            Stage::Export
        } else if r.chance(0.7) {
            Stage::PreArrival
        } else {
            Stage::Arrival
        };
        let kind = if export { FilingKind::ExportDeclaration } else { FilingKind::AdvanceCargo };
        let mut f = skeleton(Mode::Highway, ctx.dir, ctx.country, stage, kind);
        f.fast = fast;
        let (from_ent, to_ent) = if export {
            self.export_parties(r, &mut f, sector, cc, dest_cc, Risk::None, carrier)
        } else {
            f.parties.push(shipper.as_party(Role::Consignor));
            let consignee = if r.chance(0.75) { importer } else { w.importer(r, importer.country(), sector) };
            let consignee = if consignee.party.name == shipper.party.name { w.other_company(r, importer.country(), sector, &shipper.party.name) } else { consignee };
            f.parties.push(consignee.as_party(Role::Consignee));
            f.parties.push(carrier.as_party(Role::Carrier));
            if matches!(ctx.country, AgencyCountry::US | AgencyCountry::CA) && ctx.dir == Direction::Import {
                f.parties.push(importer.as_party(Role::ImporterOfRecord));
            }
            if origin_cc == "MX" && ctx.country == AgencyCountry::US && shipper.sector != Sector::General {
                f.parties.push(shipper.as_party(Role::Manufacturer));
            }
            if r.chance(0.55) {
                f.parties.push(w.brokers[na_idx(cc)][r.below(6)].as_party(Role::Declarant));
            }
            (shipper, consignee)
        };
        for (n, &d) in cab.iter().enumerate() {
            if let Some(e) = w.drivers.get(d) {
                f.parties.push(e.as_party(if n == 0 { Role::Driver } else { Role::Crew }));
            }
        }

        // Equipment: a trailer (sometimes two), or a container on a chassis.
        let mut seals = Vec::new();
        if !first.reefer || r.chance(0.5) {
            let mut s = String::with_capacity(9);
            r.push_upper_clear(&mut s, 2);
            r.push_digits(&mut s, 7);
            seals.push(s);
        }
        if r.chance(0.05) {
            let owner = r.pick(tables::DOMESTIC_CONTAINER_CODES, "EMH");
            f.equipment = self.containers(r, owner, &mut goods, first.reefer, true);
        } else {
            let size = if first.hs == "870323" {
                "CAR-HAULER"
            } else if first.reefer {
                "53FT-REEFER"
            } else if first.per_pkg == 0.0 {
                "TANKER"
            } else if first.cargo & BRK != 0 {
                "48FT-FLATBED"
            } else {
                "53FT-DRY-VAN"
            };
            let seals = if size == "48FT-FLATBED" || size == "TANKER" { vec![] } else { seals };
            let n = if r.chance(0.05) { 2 } else { 1 };
            for _ in 0..n {
                let mut num = String::with_capacity(8);
                num.push_str(&carrier.code[..2.min(carrier.code.len())]);
                r.push_digits(&mut num, 5);
                f.equipment.push(Equipment { number: num, size_type: Some(size.to_string()), seals: seals.clone(), empty: false });
            }
        }
        f.goods = goods;

        // Conveyance: plate, VIN, trip number.
        let home = carrier.country();
        let plate = {
            let mut p = String::with_capacity(12);
            match home {
                "MX" => {
                    p.push_str("MX ");
                    r.push_digits(&mut p, 2);
                    p.push('-');
                    r.push_upper_clear(&mut p, 2);
                    p.push('-');
                    r.push_digits(&mut p, 3);
                }
                "CA" => {
                    p.push_str(carrier.party.address.as_ref().and_then(|a| a.subdivision.as_deref()).unwrap_or("ON"));
                    p.push(' ');
                    r.push_upper_clear(&mut p, 2);
                    r.push_digits(&mut p, 5);
                }
                _ => {
                    p.push_str(carrier.party.address.as_ref().and_then(|a| a.subdivision.as_deref()).unwrap_or("TX"));
                    p.push(' ');
                    r.push_upper_clear(&mut p, 3);
                    r.push_digits(&mut p, 4);
                }
            }
            p
        };
        let wmi = r.pick(tables::TRUCK_WMI, "1FU");
        let vin = ids::vin(r, wmi);
        let mut trip = String::with_capacity(14);
        trip.push_str(&carrier.code);
        r.push_digits(&mut trip, 9);
        f.conveyance = Some(Conveyance { plate: Some(plate), vin: Some(vin), voyage: Some(trip), ..Default::default() });

        // The border the truck crosses into the agency's country (exports: into the destination),
        // near the Canadian or Mexican end of the trip.
        let (entering, from) = if export { (dest_cc, origin_cc) } else { (cc, if origin_cc == cc { "US" } else { origin_cc }) };
        let near = if matches!(from_ent.country(), "CA" | "MX") { from_ent.locode } else { to_ent.locode };
        let (poe, foreign_side) = crossing(r, entering, from, false, near);

        // Itinerary.
        let mut routing = vec![origin_cc.to_string()];
        for c in [cc, dest_cc] {
            if routing.last().map(|s| s.as_str()) != Some(c) {
                routing.push(c.to_string());
            }
        }
        let loc = |e: &Entity| Some(e.locode).filter(|l| !l.is_empty()).map(|s| s.to_string());
        f.itinerary = Itinerary {
            place_of_loading: loc(from_ent).or_else(|| Some(foreign_side.to_string())),
            place_of_discharge: loc(to_ent),
            first_port_of_arrival: Some(poe.to_string()),
            routing,
        };

        // Times: arrival at the port of entry is the anchor.
        let eligible = fast && broken == Broken::None;
        let (anchor_kind, required) = deadline(Mode::Highway, ctx.country, kind, None, eligible, None, false);
        let lead = if export {
            Self::lead(r, HOUR, (30 * MIN, 24 * HOUR), (0, 0), false)
        } else if required < HOUR {
            // The US FAST clock is 30 minutes; many FAST filers use the half hour it saves.
            let margin = if r.chance(0.4) { (MIN, 30 * MIN) } else { (30 * MIN, 20 * HOUR) };
            Self::lead(r, required, margin, (MIN, 25 * MIN), ctx.late)
        } else {
            Self::lead(r, required, (5 * MIN, 24 * HOUR), (2 * MIN, 55 * MIN), ctx.late)
        };
        let arrival = at(ctx.filed, lead);
        let drive = r.log_float(40.0 * MIN as f64, 30.0 * HOUR as f64) as i64 / MIN * MIN;
        let departure = at(arrival, -drive);
        f.times = Times {
            filed_at: Some(ctx.filed),
            loading: Some(at(departure, -r.int(2, 48) * 10 * MIN)),
            departure: Some(departure),
            arrival: Some(arrival),
        };

        let id_ctx = IdCtx::for_filing(ctx.dir, ctx.country, |c| {
            if c == AgencyCountry::CA { IdCtx::Ccn(carrier.cbsa.clone()) } else { IdCtx::Bill(carrier.code.clone()) }
        });
        f.id = self.ids.make(r, &id_ctx, ctx.filed);
        let ca_highway = ctx.country == AgencyCountry::CA && !export;
        (f, Plan { anchor_kind, anchor: arrival, required: if export { 0 } else { required }, id_ctx, ca_highway })
    }

    // -----------------------------------------------------------------------------------------
    // Rail.

    fn rail(&mut self, r: &mut R, ctx: &Ctx) -> (Filing, Plan) {
        let w = &self.world;
        let cc = agency_code(ctx.country);
        let export = ctx.dir == Direction::Export;
        let (origin_cc, dest_cc): (&str, &str) = match (ctx.dir, ctx.country) {
            (Direction::Import, AgencyCountry::US) => (if r.chance(0.6) { "CA" } else { "MX" }, "US"),
            (Direction::Import, _) => ("US", cc),
            (Direction::Export, AgencyCountry::US) => ("US", if r.chance(0.6) { "CA" } else { "MX" }),
            (Direction::Export, _) => (cc, "US"),
            (Direction::InTransit, AgencyCountry::US) => (if r.chance(0.7) { "CA" } else { "MX" }, "CA"),
            (Direction::InTransit, _) => ("US", "US"),
        };
        let (entering, from) = if export { (dest_cc, origin_cc) } else { (cc, if origin_cc == cc { "US" } else { origin_cc }) };
        let list = &self.lists.land[1][na_idx(origin_cc)];
        let first = self.product_for(r, list, None).unwrap_or(&PRODUCTS[0]);
        let mut goods = self.goods(r, first, list, origin_cc, Mode::Rail, None, ctx.country);

        let rrs = &w.railroads;
        let rr_i = r.pick_where(rrs.len(), |i| {
            let h = rrs[i].country();
            h == origin_cc || h == dest_cc || (h == "US" && (origin_cc == "MX" || dest_cc == "MX"))
        });
        let rr = &rrs[rr_i.unwrap_or(0)];

        let stage = if export {
            Stage::Export
        } else if r.chance(0.8) {
            Stage::PreArrival
        } else {
            Stage::Arrival
        };
        let kind = if export { FilingKind::ExportDeclaration } else { FilingKind::AdvanceCargo };
        let mut f = skeleton(Mode::Rail, ctx.dir, ctx.country, stage, kind);
        let sector = first.sector;
        let shipper = w.company(r, origin_cc, sector);
        let consignee = w.importer(r, dest_cc, sector);
        let consignee = if consignee.party.name == shipper.party.name { w.other_company(r, dest_cc, sector, &shipper.party.name) } else { consignee };
        if export {
            let _ = self.export_parties(r, &mut f, sector, cc, dest_cc, Risk::None, rr);
        } else {
            f.parties.push(shipper.as_party(Role::Consignor));
            f.parties.push(consignee.as_party(Role::Consignee));
            f.parties.push(rr.as_party(Role::Carrier));
            if ctx.country == AgencyCountry::US && ctx.dir == Direction::Import {
                f.parties.push(consignee.as_party(Role::ImporterOfRecord));
            }
            if r.chance(0.4) {
                f.parties.push(w.brokers[na_idx(cc)][r.below(6)].as_party(Role::Declarant));
            }
        }

        let near = if matches!(shipper.country(), "CA" | "MX") { shipper.locode } else { consignee.locode };
        let (poe, _) = crossing(r, entering, from, true, near);

        // Equipment: intermodal containers for packaged goods, else railcars.
        if first.per_pkg > 0.0 && first.cargo & CONT != 0 && r.chance(0.7) {
            let owner = r.pick(tables::DOMESTIC_CONTAINER_CODES, "EMH");
            f.equipment = self.containers(r, owner, &mut goods, first.reefer, false);
        } else {
            let (mark, car) = if first.per_pkg == 0.0 && first.pkg == "VL" {
                r.pick(&tables::RAILCAR_MARKS[..3], ("TILX", "TANK-CAR"))
            } else if first.per_pkg == 0.0 || first.pkg == "BG" {
                r.pick(&tables::RAILCAR_MARKS[5..7], ("CNAX", "COVERED-HOPPER"))
            } else if first.sector == Sector::Auto && first.unit == "PCS" && first.hs == "870323" {
                r.pick(&tables::RAILCAR_MARKS[3..5], ("TTGX", "AUTORACK"))
            } else if first.sector == Sector::Forest {
                tables::RAILCAR_MARKS[8]
            } else {
                tables::RAILCAR_MARKS[7]
            };
            let net: f64 = goods.iter().filter_map(|g| g.net_kg).sum();
            let cars = ((net / 90_000.0).ceil() as usize).clamp(1, 25);
            for _ in 0..cars {
                let mut num = String::with_capacity(10);
                num.push_str(mark);
                r.push_digits(&mut num, 6);
                f.equipment.push(Equipment { number: num, size_type: Some(car.to_string()), seals: vec![], empty: false });
            }
        }
        f.goods = goods;
        let mut train = String::with_capacity(10);
        train.push(r.pick(&['Q', 'M', 'U', 'G', 'A'], 'M'));
        r.push_digits(&mut train, 5);
        train.push('-');
        push_padded(&mut train, r.int(1, 28) as u64, 2);
        f.conveyance = Some(Conveyance { voyage: Some(train), ..Default::default() });
        let mut routing = vec![origin_cc.to_string()];
        if cc != origin_cc {
            routing.push(cc.to_string());
        }
        if routing.last().map(|s| s.as_str()) != Some(dest_cc) {
            routing.push(dest_cc.to_string());
        }
        f.itinerary = Itinerary {
            place_of_loading: Some(shipper.locode).filter(|l| !l.is_empty()).map(|s| s.to_string()),
            place_of_discharge: Some(consignee.locode).filter(|l| !l.is_empty()).map(|s| s.to_string()),
            first_port_of_arrival: Some(poe.to_string()),
            routing,
        };
        let (anchor_kind, required) = deadline(Mode::Rail, ctx.country, kind, None, false, None, false);
        let lead = if export {
            Self::lead(r, 2 * HOUR, (HOUR, 48 * HOUR), (0, 0), false)
        } else {
            Self::lead(r, required, (30 * MIN, 48 * HOUR), (5 * MIN, 110 * MIN), ctx.late)
        };
        let arrival = at(ctx.filed, lead);
        let departure = at(arrival, -(r.log_float(3.0 * HOUR as f64, 4.0 * DAY as f64) as i64 / MIN * MIN));
        f.times = Times {
            filed_at: Some(ctx.filed),
            loading: Some(at(departure, -r.int(6, 48) * HOUR)),
            departure: Some(departure),
            arrival: Some(arrival),
        };
        let id_ctx = IdCtx::for_filing(ctx.dir, ctx.country, |c| {
            if c == AgencyCountry::CA { IdCtx::Ccn(rr.cbsa.clone()) } else { IdCtx::Bill(rr.code.clone()) }
        });
        f.id = self.ids.make(r, &id_ctx, ctx.filed);
        (f, Plan { anchor_kind, anchor: arrival, required: if export { 0 } else { required }, id_ctx, ca_highway: false })
    }

    // -----------------------------------------------------------------------------------------
    // Risk patterns applied after the filing is built.

    fn undervalue(&self, r: &mut R, f: &mut Filing) {
        let Some(p) = r.pick_opt(&self.lists.pricey).and_then(|&i| PRODUCTS.get(i as usize)) else { return };
        let origin = f
            .goods
            .first()
            .and_then(|g| g.origin.clone())
            .filter(|o| p.origins.contains(&o.as_str()))
            .unwrap_or_else(|| Self::overseas_origin(r, p).to_string());
        let containers = f.goods.first().map(|g| g.containers.clone()).unwrap_or_default();
        let mut g = Self::goods_line(r, p, &origin, f.mode, f.cargo, f.country);
        g.un_number = None;
        // Declared at 1–4 % of a plausible price.
        if let (Some(v), Some(q)) = (g.value, g.quantity) {
            let unit = (v / q) * r.float(0.01, 0.04);
            g.value = Some(round2((unit * q).max(0.01)));
        }
        g.containers = containers;
        if let Some(first) = f.goods.first_mut() {
            *first = g;
        } else {
            f.goods.push(g);
        }
    }

    /// IAEA import/export paperwork for declared sources: about 85 % complete (recipient's authorisation,
    /// the importing State notified 8-30 days before shipment, the importing State's consent on exports);
    /// the rest lack the authorisation (4 %), the notification (4 %), were notified only 1-6 days ahead (4 %)
    /// or, on exports, lack the consent (3 %).
    fn rad_paperwork(&self, r: &mut R, f: &Filing, mut sources: Vec<RadioactiveContent>) -> Vec<RadioactiveContent> {
        let t = &f.times;
        let Some(ship) = t.departure.or(t.loading).or(t.arrival).or(t.filed_at) else { return sources };
        let u = r.u01();
        let auth = if (0.85..0.89).contains(&u) {
            None
        } else {
            let mut s = String::with_capacity(24);
            match (f.direction, f.country) {
                (Direction::Export, _) | (_, AgencyCountry::Other(_)) => {
                    s.push_str("RA-");
                    r.push_upper(&mut s, 2);
                    s.push('-');
                    r.push_digits(&mut s, 6);
                }
                (_, AgencyCountry::US) => {
                    s.push_str("NRC 37-");
                    r.push_digits(&mut s, 5);
                    s.push_str("-01");
                }
                (_, AgencyCountry::CA) => {
                    s.push_str("CNSC ");
                    r.push_digits(&mut s, 5);
                    s.push_str("-1-");
                    s.push_str(&format!("{:02}", ship.year().rem_euclid(100) + 2));
                    s.push_str(".0");
                }
                (_, AgencyCountry::MX) => {
                    s.push_str("CNSNS A00.200/");
                    r.push_digits(&mut s, 4);
                    s.push_str(&format!("/{}", ship.year()));
                }
            }
            Some(s)
        };
        let notified = if (0.89..0.93).contains(&u) {
            None
        } else if (0.93..0.97).contains(&u) {
            Some(at(ship, -r.int(24, 6 * 24) * HOUR))
        } else {
            Some(at(ship, -r.int(8 * 24, 30 * 24) * HOUR))
        };
        let consent = if f.direction == Direction::Export && u < 0.97 {
            let mut s = format!("CONSENT-{}-", ship.year());
            r.push_digits(&mut s, 5);
            Some(s)
        } else {
            None
        };
        for src in &mut sources {
            src.recipient_authorization = auth.clone();
            src.notified_at = notified;
            src.consent_ref = consent.clone();
        }
        sources
    }

    fn radioactive(&self, r: &mut R, f: &mut Filing) {
        let shipper_cc = f.party(Role::Consignor).or_else(|| f.party(Role::Exporter)).and_then(|p| p.country.clone()).unwrap_or_default();
        let fitting: Vec<u16> = self
            .lists
            .radio
            .iter()
            .copied()
            .filter(|&i| PRODUCTS.get(i as usize).is_some_and(|p| p.origins.contains(&shipper_cc.as_str())))
            .collect();
        let pool = if fitting.is_empty() { &self.lists.radio } else { &fitting };
        let Some(p) = r.pick_opt(pool).and_then(|&i| PRODUCTS.get(i as usize)) else { return };
        let origin = if p.origins.contains(&shipper_cc.as_str()) {
            shipper_cc.clone()
        } else {
            p.origins.first().map(|s| s.to_string()).unwrap_or_default()
        };
        let qty = (r.log_float(p.qty.0, p.qty.1 + 1.0)).floor().max(1.0);
        let kg = round1(qty * r.float(p.kg.0, p.kg.1));
        let currency = Self::currency(r, &origin, f.country);
        let radioactive = p
            .nuclides
            .iter()
            .map(|&(n, lo, hi)| {
                let a = r.float(lo, hi) * qty;
                // Three significant figures, as activities are declared.
                let mag = 10f64.powi(a.log10().floor() as i32 - 2);
                RadioactiveContent { nuclide: n.to_string(), activity_bq: (a / mag).round() * mag, consent_ref: None, recipient_authorization: None, notified_at: None }
            })
            .collect();
        let radioactive = self.rad_paperwork(r, f, radioactive);
        let containers = f.goods.first().map(|g| g.containers.clone()).unwrap_or_default();
        let g = GoodsItem {
            description: r.pick(p.descs, "RADIOACTIVE MATERIAL").to_string(),
            hs_code: Some(p.hs.to_string()),
            quantity: Some(qty),
            quantity_unit: Some("PCS".into()),
            packages: Some(qty.min(50.0) as u32),
            package_type: Some(p.pkg.to_string()),
            gross_kg: Some(round1(kg * 1.15 + 5.0)),
            net_kg: Some(kg),
            value: Some(round2(qty * r.float(p.value.0, p.value.1) * fx(currency))),
            currency: Some(currency.to_string()),
            origin: Some(origin),
            un_number: Some(p.un.trim_start_matches("UN").to_string()),
            containers,
            radioactive,
            export: None,
        };
        if let Some(first) = f.goods.first_mut() {
            *first = g;
        } else {
            f.goods.push(g);
        }
        // An industrial user receives it (a FAST composition keeps its importer).
        if f.direction != Direction::Export && !f.fast {
            let old = f.party(Role::Consignee).map(|p| (p.name.clone(), p.country.clone().unwrap_or_default()));
            if let Some((old_name, cc)) = old {
                let sector = r.pick(&[Sector::Radio, Sector::Energy, Sector::Metals, Sector::Machinery, Sector::Materials], Sector::Radio);
                let user = self.world.company(r, &cc, sector);
                for p in f.parties.iter_mut().filter(|p| p.name == old_name) {
                    *p = user.as_party(p.role);
                }
            }
        }
        // A radiation-technologies company ships it.
        let rad_cos = self.world.pool(&shipper_cc, Sector::Radio);
        if let Some(&i) = r.pick_opt(rad_cos)
            && let Some(e) = self.world.companies.get(i as usize)
        {
            let role = if f.direction == Direction::Export { Role::Exporter } else { Role::Consignor };
            if let Some(p) = f.parties.iter_mut().find(|p| p.role == role) {
                *p = e.as_party(role);
            }
        }
    }

    fn embargoed_origin(&self, r: &mut R, f: &mut Filing) {
        let hub = r.pick(&["AE", "TR"], "TR");
        let src = if hub == "TR" { r.pick(&["IR", "RU"], "IR") } else { "IR" };
        let shipper = self.world.company(r, hub, Sector::General);
        if let Some(p) = f.parties.iter_mut().find(|p| p.role == Role::Consignor) {
            *p = shipper.as_party(Role::Consignor);
        }
        for p in f.parties.iter_mut().filter(|p| matches!(p.role, Role::Seller | Role::Manufacturer)) {
            *p = shipper.as_party(p.role);
        }
        let special: Vec<&Product> =
            PRODUCTS.iter().filter(|p| p.flags & SPECIAL != 0 && p.nuclides.is_empty() && p.modes & mode_bit(f.mode) != 0).collect();
        let metal = PRODUCTS.iter().find(|p| p.hs == "760110");
        let p = if src == "RU" { metal } else { r.pick_opt(&special).copied() };
        if let Some(p) = p {
            let containers = f.goods.first().map(|g| g.containers.clone()).unwrap_or_default();
            let mut g = Self::goods_line(r, p, hub, f.mode, f.cargo, f.country);
            g.containers = containers;
            if let Some(first) = f.goods.first_mut() {
                *first = g;
            }
        }
        let port =
            tables::country(hub).map(|c| if f.mode == Mode::Air { c.airports } else { c.ports }).and_then(|l| r.pick_opt(l).copied());
        if let Some(port) = port {
            f.itinerary.place_of_loading = Some(port.to_string());
        }
        let cc = f.country.as_str().to_string();
        f.itinerary.routing = vec![src.to_string(), hub.to_string(), cc];
    }
}

fn mode_bit(m: Mode) -> u8 {
    match m {
        Mode::Marine => MAR,
        Mode::Air => AIR,
        Mode::Rail => RAIL,
        Mode::Highway => HWY,
        _ => 0,
    }
}

/// Scale a goods line down by `k` (quantity, packages, weights, value).
pub(crate) fn shrink(g: &mut GoodsItem, k: f64) {
    let integral = matches!(g.quantity_unit.as_deref(), Some("PCS" | "PRS" | "SET" | "KG" | "L" | "M2" | "M3"));
    if let Some(q) = g.quantity.as_mut() {
        *q = if integral { (*q * k).round().max(1.0) } else { ((*q * k) * 1000.0).round() / 1000.0 };
    }
    if let Some(p) = g.packages.as_mut() {
        *p = ((*p as f64 * k).round() as u32).max(1);
    }
    for x in [&mut g.gross_kg, &mut g.net_kg].into_iter().flatten() {
        *x = round1((*x * k).max(0.1));
    }
    if let Some(v) = g.value.as_mut() {
        *v = round2((*v * k).max(0.01));
    }
}

/// The final destination of in-transit cargo through `cc`.
fn transit_destination(r: &mut R, cc: &str) -> &'static str {
    match cc {
        "US" => {
            if r.chance(0.6) {
                "CA"
            } else {
                "MX"
            }
        }
        _ => "US",
    }
}

/// A border crossing into `entering` from `from`, preferring those near the Canadian or Mexican
/// city `near` (US side paired with its neighbour).
fn crossing(r: &mut R, entering: &str, from: &str, rail: bool, near: &str) -> (&'static str, &'static str) {
    let (table, us_entering) = match (entering, from) {
        ("US", "MX") | ("MX", _) => (if rail { tables::RAIL_US_MX } else { tables::US_FROM_MX }, entering == "US"),
        ("US", _) | ("CA", _) => (if rail { tables::RAIL_US_CA } else { tables::US_FROM_CA }, entering == "US"),
        _ => (tables::US_FROM_MX, false),
    };
    let local = tables::crossings_near(near, rail);
    let table = if local.is_empty() || local[0].1[..2] != table[0].1[..2] { table } else { local };
    let i = r.weighted_by(table.len(), |i| table[i].2);
    let (us, other, _) = i.and_then(|i| table.get(i)).copied().unwrap_or(("USLRD", "MXNLD", 1));
    if us_entering { (us, other) } else { (other, us) }
}

/// Make the cargo description vague and the consignee "TO ORDER".
fn vague(r: &mut R, f: &mut Filing) {
    let desc = r.pick(
        &[
            "GENERAL CARGO",
            "SAID TO CONTAIN: PARTS",
            "STC 1200 CARTONS",
            "FAK - FREIGHT ALL KINDS",
            "CONSOLIDATED CARGO",
            "SAID TO CONTAIN: GENERAL MERCHANDISE",
        ],
        "GENERAL CARGO",
    );
    if let Some(g) = f.goods.first_mut() {
        g.description = desc.to_string();
        if r.chance(0.5) {
            g.hs_code = None;
        }
    }
    if r.chance(0.7) {
        let name = r.pick(&["TO ORDER", "TO ORDER OF SHIPPER", "TO THE ORDER OF THE HOLDER"], "TO ORDER");
        for p in f.parties.iter_mut().filter(|p| p.role == Role::Consignee) {
            *p = Party { role: Role::Consignee, name: name.to_string(), address: None, country: None, ids: vec![] };
        }
    }
}

/// Apply one realistic change for an amendment or resubmission; returns what changed.
pub(crate) fn change(r: &mut R, f: &mut Filing, allow_eta: bool) -> &'static str {
    let start = r.below(6);
    for k in 0..7 {
        match (start + k) % 7 {
            0 if !f.goods.is_empty() => {
                let i = r.below(f.goods.len());
                let mut factor = r.float(0.8, 1.2);
                if (factor - 1.0).abs() < 0.02 {
                    factor = 1.1;
                }
                if let Some(g) = f.goods.get_mut(i) {
                    let before = (g.quantity, g.gross_kg);
                    shrink(g, factor);
                    if (g.quantity, g.gross_kg) != before {
                        return "goods quantity and weight";
                    }
                }
            }
            1 if !f.equipment.is_empty() => {
                let mut s = String::with_capacity(9);
                r.push_upper_clear(&mut s, 2);
                r.push_digits(&mut s, 7);
                if let Some(e) = f.equipment.first_mut() {
                    e.seals.push(s);
                    return "seal added";
                }
            }
            2 => {
                if let Some(g) = f.goods.iter_mut().find(|g| g.hs_code.as_ref().is_some_and(|h| h.len() == 6))
                    && let Some(h) = g.hs_code.as_mut()
                {
                    h.push_str("00");
                    return "HS code refined";
                }
            }
            3 => {
                if let Some(a) = f.parties.iter_mut().find(|p| p.role == Role::Consignee).and_then(|p| p.address.as_mut()) {
                    let (old_n, rest) = a.street.as_deref().and_then(|s| s.split_once(' ')).unwrap_or(("", "Commerce Street"));
                    let mut n = r.int(10, 9800);
                    if old_n == n.to_string() {
                        n += 1;
                    }
                    a.street = Some(format!("{n} {rest}"));
                    return "consignee address";
                }
            }
            4 => {
                if let Some(c) = f.parties.iter().find(|p| p.role == Role::Consignee).cloned()
                    && !f.parties.iter().any(|p| p.role == Role::NotifyParty)
                {
                    let mut n = c;
                    n.role = Role::NotifyParty;
                    f.parties.push(n);
                    return "notify party added";
                }
            }
            5 if allow_eta => {
                if let Some(a) = f.times.arrival {
                    f.times.arrival = Some(at(a, r.int(2, 36) * HOUR));
                    return "arrival time";
                }
            }
            6 if !f.goods.is_empty() => {
                if let Some(g) = f.goods.first_mut() {
                    g.description.push_str(if g.description.ends_with(')') { " - REVISED" } else { " (REVISED)" });
                    return "description";
                }
            }
            _ => {}
        }
    }
    // Nothing above applied (no goods, no consignee): change the voyage reference.
    let c = f.conveyance.get_or_insert_with(Conveyance::default);
    let v = c.voyage.get_or_insert_with(String::new);
    v.push('A');
    "voyage reference"
}
