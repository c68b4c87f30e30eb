//! Per-filing derived values: every field of the catalog ([`crate::fields`]) laid out in fixed arrays and
//! computed once per filing, so that hundreds of profiles read them without re-deriving anything.
//! Categorical strings are interned (case-insensitively) against the constants the profiles use, so
//! equality and list membership are integer tests. Missing numbers are NaN internally (every comparison
//! with a missing value is false); missing strings are [`MISSING`].

use crate::fields::*;
use clearway_engine::history::HistoryAt;
use crate::lists::ValueTable;
use clearway_core::{Filing, Mode, Role};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Symbol of a missing string.
pub const MISSING: u32 = u32::MAX;
/// Symbol of a string that no profile mentions.
pub const OTHER: u32 = 0;

/// FNV-1a: fast for the short keys interned here.
#[derive(Default)]
pub struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}
pub type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Case-insensitive interner of the strings profiles compare against.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    map: FnvMap<Box<str>, u32>,
}

impl Symbols {
    /// The id of `s`, adding it (ids start at 1; 0 is [`OTHER`]).
    pub fn intern(&mut self, s: &str) -> u32 {
        let key = s.trim().to_ascii_uppercase();
        let next = self.map.len() as u32 + 1;
        *self.map.entry(key.into_boxed_str()).or_insert(next)
    }

    /// The id of `s`, [`OTHER`] when no profile mentions it, [`MISSING`] when empty.
    pub fn lookup(&self, s: &str) -> u32 {
        let s = s.trim();
        if s.is_empty() {
            return MISSING;
        }
        if s.len() <= 64 && !s.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.map.get(s).copied().unwrap_or(OTHER);
        }
        let mut buf = [0u8; 64];
        if s.len() <= 64 {
            for (d, b) in buf.iter_mut().zip(s.bytes()) {
                *d = b.to_ascii_uppercase();
            }
            // Uppercasing ASCII bytes keeps UTF-8 valid.
            let up = std::str::from_utf8(&buf[..s.len()]).unwrap_or("");
            return self.map.get(up).copied().unwrap_or(OTHER);
        }
        self.map.get(s.to_ascii_uppercase().as_str()).copied().unwrap_or(OTHER)
    }

    pub fn len(&self) -> usize {
        self.map.len() + 1
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Values a source outside the filing model supplies (KCS declarations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// Duty rate in percent, per goods item.
    pub tax_rate: Option<f64>,
    pub departure_country: Option<String>,
    pub office: Option<String>,
    pub declarant: Option<String>,
}

/// Derived values of one goods item.
#[derive(Debug, Clone)]
pub struct ItemFacts<'a> {
    pub num: [f64; I_NUM],
    pub sym: [u32; I_STR],
    pub text: [&'a str; I_STR],
    pub flag: [Option<bool>; I_BOOL],
}

impl ItemFacts<'_> {
    /// An item with every value missing (for filings without goods).
    pub fn empty() -> Self {
        ItemFacts { num: [f64::NAN; I_NUM], sym: [MISSING; I_STR], text: [""; I_STR], flag: [None; I_BOOL] }
    }
}

/// Derived values of one filing.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub num: [f64; F_NUM],
    pub sym: [u32; F_STR],
    pub text: [&'a str; F_STR],
    pub flag: [Option<bool>; F_BOOL],
    pub list_text: [Vec<&'a str>; F_LIST],
    pub list_sym: [Vec<u32>; F_LIST],
    pub items: Vec<ItemFacts<'a>>,
}

fn opt(v: Option<f64>) -> f64 {
    v.filter(|x| x.is_finite()).unwrap_or(f64::NAN)
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 && a.is_finite() { a / b } else { f64::NAN }
}

/// The importer key of a filing: [`Filing::importer_key`] (kept here for the profile crate's callers).
pub fn importer_key(f: &Filing) -> &str {
    f.importer_key()
}

fn hs6_of(hs: &str) -> &str {
    if hs.len() >= 6 && hs.is_char_boundary(6) { &hs[..6] } else { hs }
}

impl<'a> Facts<'a> {
    /// Derive every value. `history` is the entity history *before* this filing; `trusted` and `late`
    /// come from earlier layers' findings.
    pub fn build(
        f: &'a Filing,
        extras: &'a Extras,
        symbols: &Symbols,
        values: &ValueTable,
        history: Option<HistoryAt<'_>>,
        trusted: bool,
        late: bool,
    ) -> Facts<'a> {
        let mut num = [f64::NAN; F_NUM];
        let mut text = [""; F_STR];
        let mut flag = [None; F_BOOL];
        let name = |r: Role| f.party(r).map(|p| p.name.as_str()).unwrap_or("");
        let country = |r: Role| f.party(r).and_then(|p| p.country.as_deref()).unwrap_or("");
        let importer = importer_key(f);
        text[S_MODE] = f.mode.as_str();
        text[S_STAGE] = match f.stage {
            clearway_core::Stage::PreLoad => "pre-load",
            clearway_core::Stage::PreArrival => "pre-arrival",
            clearway_core::Stage::Arrival => "arrival",
            clearway_core::Stage::Export => "export",
        };
        text[S_COUNTRY] = f.country.as_str();
        text[S_DIRECTION] = match f.direction {
            clearway_core::Direction::Import => "import",
            clearway_core::Direction::Export => "export",
            clearway_core::Direction::InTransit => "in-transit",
        };
        text[S_KIND] = match f.kind {
            clearway_core::FilingKind::AdvanceCargo => "advance-cargo",
            clearway_core::FilingKind::HouseBill => "house-bill",
            clearway_core::FilingKind::MasterBill => "master-bill",
            clearway_core::FilingKind::ConveyanceReport => "conveyance-report",
            clearway_core::FilingKind::ExportDeclaration => "export-declaration",
        };
        text[S_IMPORTER] = importer;
        text[S_IMPORTER_COUNTRY] = f
            .importer()
            .and_then(|p| p.country.as_deref())
            .unwrap_or("");
        text[S_CONSIGNOR] = name(Role::Consignor);
        text[S_CONSIGNOR_COUNTRY] = country(Role::Consignor);
        text[S_CONSIGNEE] = name(Role::Consignee);
        text[S_SELLER] = name(Role::Seller);
        text[S_SELLER_COUNTRY] = country(Role::Seller);
        text[S_DECLARANT] = extras.declarant.as_deref().unwrap_or_else(|| name(Role::Declarant));
        text[S_CARRIER] = f
            .party(Role::Carrier)
            .map(|p| p.id("SCAC").or_else(|| p.id("IATA")).unwrap_or(p.name.as_str()))
            .unwrap_or("");
        let it = &f.itinerary;
        text[S_OFFICE] = extras
            .office
            .as_deref()
            .or(f.office())
            .unwrap_or("");
        text[S_PLACE_OF_LOADING] = it.place_of_loading.as_deref().unwrap_or("");
        let loading_country = it.place_of_loading.as_deref().filter(|p| p.len() >= 2 && p.is_char_boundary(2)).map(|p| &p[..2]);
        text[S_LOADING_COUNTRY] = loading_country.unwrap_or("");
        text[S_PLACE_OF_DISCHARGE] = it.place_of_discharge.as_deref().unwrap_or("");
        text[S_DEPARTURE_COUNTRY] = extras.departure_country.as_deref().or(loading_country).unwrap_or("");
        text[S_CARGO] = match f.cargo {
            Some(clearway_core::CargoType::Containerised) => "containerised",
            Some(clearway_core::CargoType::Bulk) => "bulk",
            Some(clearway_core::CargoType::BreakBulk) => "break-bulk",
            None if !f.equipment.is_empty() => "containerised",
            None => "",
        };
        let mut sym = [MISSING; F_STR];
        for (s, t) in sym.iter_mut().zip(text.iter()) {
            *s = symbols.lookup(t);
        }

        num[F_ITEMS] = f.goods.len() as f64;
        let tv: f64 = f.goods.iter().filter_map(|g| g.value).sum();
        num[F_TOTAL_VALUE] = if f.goods.iter().any(|g| g.value.is_some()) { tv } else { f64::NAN };
        let tg: f64 = f.goods.iter().filter_map(|g| g.gross_kg).sum();
        num[F_TOTAL_GROSS_KG] = if f.goods.iter().any(|g| g.gross_kg.is_some()) { tg } else { f64::NAN };
        let reference = if f.mode == Mode::Marine && f.is_containerised() { f.times.loading } else { f.times.arrival };
        num[F_LEAD_TIME_H] = match (f.times.filed_at, reference) {
            (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 3600.0,
            _ => f64::NAN,
        };
        num[F_CONTAINER_COUNT] = f.equipment.len() as f64;
        num[F_ROUTING_COUNT] = it.routing.len() as f64;
        num[F_VERSION] = f64::from(f.version);
        let entity = history.and_then(|h| h.importer(importer));
        if let Some(h) = history {
            if !importer.is_empty() {
                num[F_IMPORTER_FILINGS] = entity.map(|e| f64::from(e.filings())).unwrap_or(0.0);
                num[F_IMPORTER_FINDS] = entity.map(|e| f64::from(e.finds())).unwrap_or(0.0);
                num[F_IMPORTER_FIND_RATE] =
                    entity.filter(|e| e.examined() > 0).map(|e| f64::from(e.finds()) / f64::from(e.examined())).unwrap_or(f64::NAN);
                flag[B_NEW_IMPORTER] = Some(entity.is_none_or(|e| e.filings() == 0));
            }
            let _ = h;
        }
        flag[B_TRUSTED] = Some(trusted);
        flag[B_FAST] = Some(f.fast);
        flag[B_LATE] = Some(late);
        flag[B_AMENDED] = Some(f.version > 1 || f.status != clearway_core::FilingStatus::Original);

        let routing: Vec<&str> = it.routing.iter().map(String::as_str).collect();
        let containers: Vec<&str> = f.equipment.iter().map(|e| e.number.as_str()).collect();
        let list_sym = [
            routing.iter().map(|s| symbols.lookup(s)).collect(),
            containers.iter().map(|s| symbols.lookup(s)).collect(),
        ];

        let items = f
            .goods
            .iter()
            .map(|g| {
                let mut n = [f64::NAN; I_NUM];
                let mut t = [""; I_STR];
                let mut c = [None; I_BOOL];
                let hs = g.hs_code.as_deref().unwrap_or("").trim();
                t[T_HS] = hs;
                t[T_HS6] = hs6_of(hs);
                t[T_ORIGIN] = g.origin.as_deref().unwrap_or("");
                t[T_DESCRIPTION] = g.description.as_str();
                t[T_UN_NUMBER] = g.un_number.as_deref().unwrap_or("");
                t[T_CURRENCY] = g.currency.as_deref().unwrap_or("");
                n[I_VALUE] = opt(g.value);
                n[I_GROSS_KG] = opt(g.gross_kg);
                n[I_NET_KG] = opt(g.net_kg);
                n[I_QUANTITY] = opt(g.quantity);
                n[I_PACKAGES] = g.packages.map(f64::from).unwrap_or(f64::NAN);
                let kg = if n[I_NET_KG] > 0.0 { n[I_NET_KG] } else { n[I_GROSS_KG] };
                n[I_UNIT_VALUE_KG] = ratio(n[I_VALUE], kg);
                n[I_UNIT_VALUE_ITEM] = ratio(n[I_VALUE], n[I_QUANTITY]);
                let digits = hs.len() >= 2 && hs.bytes().all(|b| b.is_ascii_digit());
                if digits {
                    n[I_HS_CHAPTER] = hs[..2].parse::<f64>().unwrap_or(f64::NAN);
                    if hs.len() >= 4 {
                        n[I_HS_HEADING] = hs[..4].parse::<f64>().unwrap_or(f64::NAN);
                    }
                }
                n[I_TAX_RATE] = opt(extras.tax_rate);
                if let Some((lo, hi)) = values.bounds(t[T_HS6], t[T_ORIGIN]) {
                    n[I_VALUE_MIN] = opt(lo);
                    n[I_VALUE_MAX] = opt(hi);
                    let u = n[I_UNIT_VALUE_KG];
                    if u.is_finite() {
                        c[C_BELOW_VALUE_BAND] = Some(lo.is_some_and(|l| u < l));
                        c[C_ABOVE_VALUE_BAND] = Some(hi.is_some_and(|h| u > h));
                    }
                }
                c[C_DANGEROUS] = Some(!t[T_UN_NUMBER].is_empty());
                if history.is_some() && !importer.is_empty() && !t[T_HS6].is_empty() {
                    c[C_FIRST_HS_FOR_IMPORTER] = Some(entity.is_none_or(|e| !e.has_hs6(t[T_HS6])));
                }
                let mut s = [MISSING; I_STR];
                for (s, t) in s.iter_mut().zip(t.iter()) {
                    *s = symbols.lookup(t);
                }
                ItemFacts { num: n, sym: s, text: t, flag: c }
            })
            .collect();
        Facts { num, sym, text, flag, list_text: [routing, containers], list_sym, items }
    }
}
