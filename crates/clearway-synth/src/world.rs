//! The fixed population the traffic is drawn from: companies by country and sector, highway carriers
//! and their drivers, ocean carriers and their fleets, forwarders, brokers, airlines and railroads —
//! and the trusted-trader registry that describes them. Built once from the seed; its size does not
//! depend on the number of filings.

use crate::ids::{imo_number, push_padded};
use crate::rng::R;
use crate::tables::{self, COUNTRIES, City, Lang, SECTORS, Sector, Tpl};
use chrono::{NaiveDate, TimeDelta};
use clearway_core::{Address, Identifier, Membership, MembershipStatus, Party, Program, Role};
use std::collections::HashSet;

/// A trader's standing in one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Standing {
    #[default]
    None,
    Valid,
    Suspended,
    Cancelled,
    Expired,
}

impl Standing {
    pub fn is_valid(self) -> bool {
        self == Standing::Valid
    }
    /// In the program, but not in good standing.
    pub fn is_bad(self) -> bool {
        matches!(self, Standing::Suspended | Standing::Cancelled | Standing::Expired)
    }
}

pub(crate) fn prog_idx(p: Program) -> usize {
    match p {
        Program::FAST => 0,
        Program::CTPAT => 1,
        Program::PIP => 2,
        Program::CSA => 3,
        Program::OEA => 4,
        Program::AEO => 5,
    }
}

/// A company, carrier or person, as a party template (the role is set on use).
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub party: Party,
    pub sector: Sector,
    pub trust: [Standing; 6],
    /// UN/LOCODE of the city (North-American entities).
    pub locode: &'static str,
    /// Short code (SCAC, IATA, carrier code) where the entity is a carrier.
    pub code: String,
    /// CBSA carrier code (carriers).
    pub cbsa: String,
}

impl Entity {
    pub fn as_party(&self, role: Role) -> Party {
        let mut p = self.party.clone();
        p.role = role;
        p
    }
    pub fn standing(&self, p: Program) -> Standing {
        self.trust[prog_idx(p)]
    }
    pub fn country(&self) -> &str {
        self.party.country.as_deref().unwrap_or("")
    }
}

/// An ocean or bulk carrier with its fleet: (vessel name, IMO).
#[derive(Debug)]
pub(crate) struct Ocean {
    pub ent: Entity,
    pub owner: &'static str,
    pub fleet: Vec<(String, String)>,
}

#[derive(Debug)]
pub(crate) struct Airline {
    pub ent: Entity,
    pub prefix: &'static str,
}

/// Indices for composing FAST shipments with and without a missing link. Index 0 is the US
/// (C-TPAT), 1 is Canada (PIP).
#[derive(Debug, Default)]
pub(crate) struct FastIndex {
    pub carriers_valid: [Vec<u32>; 2],
    pub carriers_bad: [Vec<u32>; 2],
    pub carriers_none: [Vec<u32>; 2],
    pub drivers_valid: Vec<u32>,
    pub drivers_nocard: Vec<u32>,
    pub drivers_badcard: Vec<u32>,
    pub us_importers_valid: Vec<u32>,
    pub us_importers_bad: Vec<u32>,
    pub us_importers_none: Vec<u32>,
    pub ca_importers_full: Vec<u32>,
    pub ca_importers_pip_only: Vec<u32>,
    pub ca_importers_none: Vec<u32>,
    pub mx_mfr_valid: Vec<u32>,
    pub mx_mfr_none: Vec<u32>,
}

pub(crate) struct World {
    pub companies: Vec<Entity>,
    /// Company indices by country slot and sector.
    by_cs: Vec<Vec<u32>>,
    pub hwy: Vec<Entity>,
    pub drivers: Vec<Entity>,
    /// Driver indices per highway carrier.
    pub crew_of: Vec<Vec<u32>>,
    pub ocean: Vec<Ocean>,
    pub bulk: Vec<Ocean>,
    pub nvocc: Vec<Entity>,
    pub brokers: [Vec<Entity>; 3],
    pub airlines: Vec<Airline>,
    pub railroads: Vec<Entity>,
    pub fast: FastIndex,
    pub memberships: Vec<Membership>,
}

/// Country slot: 0 US, 1 CA, 2 MX, then [`COUNTRIES`] in order.
pub(crate) fn slot(code: &str) -> Option<usize> {
    match code {
        "US" => Some(0),
        "CA" => Some(1),
        "MX" => Some(2),
        _ => tables::country_idx(code).map(|i| i + 3),
    }
}

const NSECT: usize = SECTORS.len();

pub(crate) fn is_na(code: &str) -> bool {
    matches!(code, "US" | "CA" | "MX")
}

pub(crate) fn ident(scheme: &str, value: String) -> Identifier {
    Identifier { scheme: scheme.to_string(), value, issuer: None }
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    TimeDelta::try_days(n).and_then(|t| d.checked_add_signed(t)).unwrap_or(d)
}

struct Builder<'a> {
    r: &'a mut R,
    start: NaiveDate,
    end: NaiveDate,
    names: HashSet<String>,
    codes: HashSet<String>,
    memberships: Vec<Membership>,
    mult: u64,
    fast_serial: u64,
}

impl Builder<'_> {
    fn standing(&mut self) -> Standing {
        match self.r.weighted(&[85, 6, 3, 6]) {
            0 => Standing::Valid,
            1 => Standing::Suspended,
            2 => Standing::Cancelled,
            _ => Standing::Expired,
        }
    }

    /// Record a membership in the registry.
    #[allow(clippy::too_many_arguments)]
    fn member(&mut self, program: Program, id: &str, name: &str, country: &str, business: &str, st: Standing, tier: Option<u8>) {
        let r = &mut *self.r;
        let long = program == Program::FAST;
        let (status, from, to) = match st {
            Standing::Valid | Standing::None => {
                let from = add_days(self.start, -r.int(200, 2900));
                let to = if long {
                    let t = add_days(from, 1826);
                    if t < add_days(self.end, 60) { Some(add_days(self.end, r.int(60, 1500))) } else { Some(t) }
                } else if r.chance(0.6) {
                    None
                } else {
                    Some(add_days(self.end, r.int(365, 1100)))
                };
                (MembershipStatus::Active, from, to)
            }
            Standing::Expired => {
                let to = add_days(self.start, -r.int(3, 400));
                let from = add_days(to, if long { -1826 } else { -r.int(700, 2500) });
                (MembershipStatus::Active, from, Some(to))
            }
            Standing::Suspended => {
                let from = add_days(self.start, -r.int(300, 2900));
                let to = if long { Some(add_days(self.end, r.int(60, 1500))) } else { None };
                (MembershipStatus::Suspended, from, to)
            }
            Standing::Cancelled => {
                let from = add_days(self.start, -r.int(400, 2900));
                let to = if r.chance(0.5) { Some(add_days(self.start, -r.int(10, 380))) } else { None };
                (MembershipStatus::Cancelled, from, to)
            }
        };
        let last_validated = match program {
            Program::FAST => None,
            Program::CTPAT if tier == Some(1) => None,
            _ => Some(add_days(self.start, -r.int(30, 1100))).filter(|d| *d >= from),
        };
        self.memberships.push(Membership {
            program,
            member_id: id.to_string(),
            name: Some(name.to_string()),
            country: Some(country.to_string()),
            tier,
            business: Some(business.to_string()),
            status,
            valid_from: Some(from),
            valid_to: to,
            last_validated,
        });
    }

    fn unique_code(&mut self, mut make: impl FnMut(&mut R) -> String) -> String {
        for _ in 0..50 {
            let c = make(self.r);
            if self.codes.insert(c.clone()) {
                return c;
            }
        }
        make(self.r)
    }

    fn scac(&mut self, first: char) -> String {
        self.unique_code(|r| {
            let mut s = String::with_capacity(4);
            if first.is_ascii_uppercase() {
                s.push(first);
                r.push_upper(&mut s, 3);
            } else {
                r.push_upper(&mut s, 4);
            }
            s
        })
    }

    fn cbsa_code(&mut self) -> String {
        self.unique_code(|r| {
            let mut s = String::with_capacity(4);
            s.push((b'1' + r.below(9) as u8) as char);
            r.push_upper_clear(&mut s, 1);
            r.push_alnum(&mut s, 2);
            s
        })
    }

    fn ctpat_svi(&mut self) -> String {
        self.unique_code(|r| {
            let mut s = String::with_capacity(8);
            r.push_upper_clear(&mut s, 4);
            r.push_digits(&mut s, 4);
            s
        })
    }

    fn digits_code(&mut self, prefix: &str, n: usize) -> String {
        self.unique_code(|r| {
            let mut s = String::with_capacity(prefix.len() + n);
            s.push_str(prefix);
            r.push_digits(&mut s, n);
            s
        })
    }

    fn unique_name(&mut self, mut make: impl FnMut(&mut R) -> String) -> String {
        for _ in 0..20 {
            let n = make(self.r);
            if self.names.insert(n.clone()) {
                return n;
            }
        }
        make(self.r)
    }

    fn na_address(&mut self, code: &str, cities: &'static [City]) -> (Address, &'static str) {
        let r = &mut *self.r;
        let c = cities[r.below(cities.len())];
        let n = r.int(10, 9800);
        let (street, postcode) = match code {
            "US" => {
                let s = format!("{n} {} {}", r.pick(tables::US_STREETS, "Main"), r.pick(tables::US_STREET_KIND, "St"));
                let mut pc = c.post.to_string();
                let k = 5usize.saturating_sub(pc.len());
                r.push_digits(&mut pc, k);
                (s, pc)
            }
            "CA" => {
                let s = if c.sub == "QC" {
                    format!("{n} {}", r.pick(tables::QC_STREETS, "rue Principale"))
                } else {
                    format!(
                        "{n} {} {}",
                        r.pick(tables::US_STREETS, "Main"),
                        r.pick(&["Street", "Avenue", "Road", "Drive", "Boulevard"], "Street")
                    )
                };
                const L: &[u8] = b"ABCEGHJKLMNPRSTVWXYZ";
                let mut pc = c.post.to_string();
                pc.push((b'0' + r.below(10) as u8) as char);
                pc.push(L[r.below(L.len())] as char);
                pc.push(' ');
                pc.push((b'0' + r.below(10) as u8) as char);
                pc.push(L[r.below(L.len())] as char);
                pc.push((b'0' + r.below(10) as u8) as char);
                (s, pc)
            }
            _ => {
                let s = format!("{} {n}", r.pick(tables::MX_STREETS, "Av. Juárez"));
                let mut pc = c.post.to_string();
                let k = 5usize.saturating_sub(pc.len());
                r.push_digits(&mut pc, k);
                (s, pc)
            }
        };
        (
            Address {
                street: Some(street),
                city: Some(c.name.to_string()),
                subdivision: Some(c.sub.to_string()),
                postcode: Some(postcode),
                country: Some(code.to_string()),
            },
            c.locode,
        )
    }

    fn foreign_address(&mut self, ci: &'static tables::Country) -> Address {
        let r = &mut *self.r;
        let city = r.pick(ci.cities, ci.code);
        let tpl = r.pick(ci.streets, "{n} Industrial Road");
        let street = tpl.replace("{n}", &r.int(1, 899).to_string());
        Address {
            street: Some(street),
            city: Some(city.to_string()),
            subdivision: None,
            postcode: None,
            country: Some(ci.code.to_string()),
        }
    }

    fn na_company_name(&mut self, code: &str, sector: Sector, quebec: bool) -> String {
        self.unique_name(|r| {
            let words = tables::sector_words(Lang::En, sector);
            let sw = r.pick(words, "Trading");
            match code {
                "US" => {
                    let w = r.pick(tables::US_WORDS, "Liberty");
                    if sector == Sector::General {
                        let kind = r.pick(
                            &["Imports Inc.", "Trading LLC", "Supply Co.", "Distribution Inc.", "Wholesale Corp.", "Brands LLC"],
                            "Imports Inc.",
                        );
                        format!("{w} {kind}")
                    } else {
                        match r.below(4) {
                            0 => format!("{} & Sons {sw} Co.", r.pick(tables::SURNAMES_EN, "Smith")),
                            1 => format!("{w} {sw} Distributors, Inc."),
                            _ => format!("{w} {sw} {}", r.pick(&["Inc.", "LLC", "Corp."], "Inc.")),
                        }
                    }
                }
                "CA" => {
                    let fr = tables::sector_words(Lang::Fr, sector);
                    if quebec && fr != words {
                        format!(
                            "{} {} {}",
                            r.pick(fr, "Distribution"),
                            r.pick(tables::CA_FR_WORDS, "Boréal"),
                            r.pick(&["Inc.", "Ltée"], "Inc.")
                        )
                    } else if quebec && r.chance(0.5) {
                        format!("{sw} {} {}", r.pick(tables::CA_FR_WORDS, "Boréal"), r.pick(&["Inc.", "Ltée"], "Inc."))
                    } else if sector == Sector::General {
                        format!(
                            "{} {}",
                            r.pick(tables::CA_WORDS, "Northern"),
                            r.pick(&["Imports Ltd.", "Trading Inc.", "Distribution Inc.", "Wholesale Ltd."], "Imports Ltd.")
                        )
                    } else {
                        format!("{} {sw} {}", r.pick(tables::CA_WORDS, "Northern"), r.pick(&["Inc.", "Ltd.", "Corp."], "Inc."))
                    }
                }
                _ => {
                    let es = tables::sector_words(Lang::Es, sector);
                    let legal = r.pick(&["S.A. de C.V.", "S.A. de C.V.", "S. de R.L. de C.V."], "S.A. de C.V.");
                    let w = r.pick(tables::MX_WORDS, "del Norte");
                    if es != words && r.chance(0.6) {
                        format!("{} {w} {legal}", r.pick(es, "Comercial"))
                    } else {
                        format!("{} {w} {legal}", r.pick(tables::MX_PREFIX, "Grupo Industrial"))
                    }
                }
            }
        })
    }

    fn foreign_company_name(&mut self, ci: &'static tables::Country, sector: Sector, city: &str) -> String {
        self.unique_name(|r| {
            let sw = r.pick(tables::sector_words(ci.lang, sector), "Trading");
            let brand = r.pick(ci.brands, ci.code);
            let legal = r.pick(ci.legal, "Ltd.");
            match ci.tpl {
                Tpl::CityBrand => format!("{city} {brand} {sw} {legal}"),
                Tpl::Pt => format!("PT {brand} {sw}"),
                Tpl::LegalFirst => format!("{legal} {brand}"),
                Tpl::Brand if sector == Sector::General && legal.contains("Trading") => format!("{brand} {legal}"),
                Tpl::Brand => format!("{brand} {sw} {legal}"),
            }
        })
    }

    /// A company in `code` and `sector`, with its ids and program memberships.
    fn company(&mut self, code: &'static str, sector: Sector) -> Entity {
        let mut trust = [Standing::None; 6];
        let mut ids = Vec::new();
        let (name, address, locode, country) = if is_na(code) {
            let cities = match code {
                "US" => tables::US_CITIES,
                "CA" => tables::CA_CITIES,
                _ => tables::MX_CITIES,
            };
            let (addr, loc) = self.na_address(code, cities);
            let quebec = addr.subdivision.as_deref() == Some("QC");
            (self.na_company_name(code, sector, quebec), addr, loc, code)
        } else {
            let Some(ci) = tables::country(code) else {
                return self.fallback_entity(code, sector);
            };
            let addr = self.foreign_address(ci);
            let city = addr.city.clone().unwrap_or_default();
            (self.foreign_company_name(ci, sector, &city), addr, "", code)
        };
        match code {
            "US" => {
                // Importer-of-record number: EIN with a two-character suffix.
                let ior = self.unique_code(|r| {
                    let mut s = String::with_capacity(12);
                    r.push_digits(&mut s, 2);
                    s.push('-');
                    r.push_digits(&mut s, 7);
                    r.push_upper_clear(&mut s, 2);
                    s
                });
                ids.push(ident("IOR", ior));
                if self.r.chance(0.45) {
                    let st = self.standing();
                    let svi = self.ctpat_svi();
                    let tier = [1u8, 2, 3][self.r.weighted(&[35, 45, 20])];
                    self.member(Program::CTPAT, &svi, &name, "US", "importer", st, Some(tier));
                    ids.push(ident("CTPAT", svi));
                    trust[prog_idx(Program::CTPAT)] = st;
                }
            }
            "CA" => {
                let bn = self.digits_code("", 9);
                ids.push(ident("TAX", bn.clone()));
                let pip = self.r.chance(0.45);
                if pip {
                    let st = self.standing();
                    let id = self.digits_code("PIP", 7);
                    self.member(Program::PIP, &id, &name, "CA", "importer", st, None);
                    ids.push(ident("PIP", id));
                    trust[prog_idx(Program::PIP)] = st;
                }
                if self.r.chance(if pip { 0.55 } else { 0.04 }) {
                    let st = self.standing();
                    let id = format!("{bn}RM0001");
                    self.member(Program::CSA, &id, &name, "CA", "importer", st, None);
                    ids.push(ident("CSA", id));
                    trust[prog_idx(Program::CSA)] = st;
                }
            }
            "MX" => {
                let rfc = self.unique_code(|r| {
                    let mut s = String::with_capacity(12);
                    r.push_upper_clear(&mut s, 3);
                    push_padded(&mut s, r.int(70, 99) as u64, 2);
                    push_padded(&mut s, r.int(1, 12) as u64, 2);
                    push_padded(&mut s, r.int(1, 28) as u64, 2);
                    r.push_alnum(&mut s, 3);
                    s
                });
                ids.push(ident("TAX", rfc));
                if self.r.chance(0.4) {
                    let st = self.standing();
                    let id = self.digits_code("OEA", 6);
                    self.member(
                        Program::OEA,
                        &id,
                        &name,
                        "MX",
                        if sector == Sector::General { "importer" } else { "manufacturer" },
                        st,
                        None,
                    );
                    ids.push(ident("OEA", id));
                    trust[prog_idx(Program::OEA)] = st;
                }
                if sector != Sector::General && self.r.chance(0.4) {
                    let st = self.standing();
                    let svi = self.ctpat_svi();
                    self.member(Program::CTPAT, &svi, &name, "US", "foreign-manufacturer", st, None);
                    ids.push(ident("CTPAT", svi));
                    trust[prog_idx(Program::CTPAT)] = st;
                }
            }
            _ => {
                if self.r.chance(0.3) {
                    let d = self.digits_code("", 9);
                    ids.push(ident("DUNS", d));
                }
                let aeo_country =
                    matches!(code, "DE" | "NL" | "BE" | "FR" | "IT" | "ES" | "IE" | "PT" | "GR" | "CZ" | "FI" | "JP" | "KR" | "SG");
                if aeo_country && self.r.chance(0.12) {
                    let st = self.standing();
                    let kind = if matches!(code, "JP" | "KR" | "SG") { "AEO" } else { "AEOF" };
                    let id = self.digits_code(&format!("{code}{kind}"), 8);
                    self.member(Program::AEO, &id, &name, code, "exporter", st, None);
                    ids.push(ident("AEO", id));
                    trust[prog_idx(Program::AEO)] = st;
                }
            }
        }
        Entity {
            party: Party { role: Role::Consignor, name, address: Some(address), country: Some(country.to_string()), ids },
            sector,
            trust,
            locode,
            code: String::new(),
            cbsa: String::new(),
        }
    }

    fn fallback_entity(&mut self, code: &str, sector: Sector) -> Entity {
        Entity {
            party: Party {
                role: Role::Consignor,
                name: format!("{code} Trading Company"),
                address: None,
                country: Some(code.to_string()),
                ids: vec![],
            },
            sector,
            trust: [Standing::None; 6],
            locode: "",
            code: String::new(),
            cbsa: String::new(),
        }
    }

    fn person(&mut self, country: &str) -> String {
        let r = &mut *self.r;
        match country {
            "MX" => format!(
                "{} {} {}",
                r.pick(tables::FIRST_MX, "Juan"),
                r.pick(tables::SURNAMES_MX, "García"),
                r.pick(tables::SURNAMES_MX, "López")
            ),
            "CA" => format!("{} {}", r.pick(tables::FIRST_CA, "Ryan"), r.pick(tables::SURNAMES_CA, "Roy")),
            _ => format!("{} {}", r.pick(tables::FIRST_EN, "James"), r.pick(tables::SURNAMES_EN, "Smith")),
        }
    }

    fn passport(&mut self, country: &str) -> String {
        let r = &mut *self.r;
        let mut s = String::with_capacity(9);
        match country {
            "CA" => {
                r.push_upper_clear(&mut s, 2);
                r.push_digits(&mut s, 6);
            }
            "MX" => {
                s.push(if r.chance(0.5) { 'G' } else { 'N' });
                r.push_digits(&mut s, 8);
            }
            _ => {
                if r.chance(0.5) {
                    s.push('A');
                    r.push_digits(&mut s, 8);
                } else {
                    s.push((b'1' + r.below(9) as u8) as char);
                    r.push_digits(&mut s, 8);
                }
            }
        }
        s
    }

    fn highway_carrier(&mut self, home: &'static str) -> Entity {
        let cities = match home {
            "US" => tables::US_CITIES,
            "CA" => tables::CA_CITIES,
            _ => tables::MX_CITIES,
        };
        let (addr, loc) = self.na_address(home, cities);
        let name = self.unique_name(|r| match home {
            "US" => match r.below(4) {
                0 => format!("{} Trucking LLC", r.pick(tables::SURNAMES_EN, "Smith")),
                1 => format!("{} Freight Lines, Inc.", r.pick(tables::US_WORDS, "Liberty")),
                2 => format!("{} Express Inc.", r.pick(tables::US_WORDS, "Liberty")),
                _ => format!("{} Transport Logistics LLC", r.pick(tables::US_WORDS, "Liberty")),
            },
            "CA" => match r.below(4) {
                0 => format!("{} Trucking Ltd.", r.pick(tables::SURNAMES_CA, "Roy")),
                1 => format!("Transport {} Inc.", r.pick(tables::CA_FR_WORDS, "Boréal")),
                2 => format!("{} Carriers Inc.", r.pick(tables::CA_WORDS, "Northern")),
                _ => format!("{} Transport Ltd.", r.pick(tables::CA_WORDS, "Northern")),
            },
            _ => match r.below(3) {
                0 => format!("Transportes {} S.A. de C.V.", r.pick(tables::MX_WORDS, "del Norte")),
                1 => format!("Autotransportes {} S.A. de C.V.", r.pick(tables::SURNAMES_MX, "García")),
                _ => format!("Fletes y Logística {} S.A. de C.V.", r.pick(tables::MX_WORDS, "del Norte")),
            },
        });
        let first = name.chars().next().filter(|c| c.is_ascii_uppercase()).unwrap_or('X');
        let scac = self.scac(first);
        let cbsa = self.cbsa_code();
        let mut ids = vec![ident("SCAC", scac.clone()), ident("CARRIER", cbsa.clone())];
        let mut trust = [Standing::None; 6];
        let (p_ctpat, p_pip) = match home {
            "US" => (0.75, 0.35),
            "CA" => (0.65, 0.7),
            _ => (0.65, 0.0),
        };
        if self.r.chance(p_ctpat) {
            let st = self.standing();
            let svi = self.ctpat_svi();
            self.member(Program::CTPAT, &svi, &name, "US", "highway-carrier", st, None);
            ids.push(ident("CTPAT", svi));
            trust[prog_idx(Program::CTPAT)] = st;
        }
        if self.r.chance(p_pip) {
            let st = self.standing();
            let id = self.digits_code("PIP", 7);
            self.member(Program::PIP, &id, &name, "CA", "highway-carrier", st, None);
            ids.push(ident("PIP", id));
            trust[prog_idx(Program::PIP)] = st;
        }
        if home == "MX" && self.r.chance(0.5) {
            let st = self.standing();
            let id = self.digits_code("OEA", 6);
            self.member(Program::OEA, &id, &name, "MX", "highway-carrier", st, None);
            ids.push(ident("OEA", id));
            trust[prog_idx(Program::OEA)] = st;
        }
        Entity {
            party: Party { role: Role::Carrier, name, address: Some(addr), country: Some(home.to_string()), ids },
            sector: Sector::General,
            trust,
            locode: loc,
            code: scac,
            cbsa,
        }
    }

    fn driver(&mut self, home: &str, card: Option<Standing>) -> Entity {
        let name = self.person(home);
        let pass = self.passport(home);
        let mut ids = vec![Identifier { scheme: "PASSPORT".into(), value: pass, issuer: Some(home.to_string()) }];
        let mut trust = [Standing::None; 6];
        if let Some(st) = card {
            let serial = crate::ids::permute(self.fast_serial, 8, self.mult);
            self.fast_serial += 1;
            let mut id = String::with_capacity(11);
            id.push_str("427");
            push_padded(&mut id, serial, 8);
            let enrol = if home == "CA" { "CA" } else { "US" };
            self.member(Program::FAST, &id, &name, enrol, "driver", st, None);
            ids.push(ident("FAST", id));
            trust[prog_idx(Program::FAST)] = st;
        }
        Entity {
            party: Party { role: Role::Driver, name, address: None, country: Some(home.to_string()), ids },
            sector: Sector::General,
            trust,
            locode: "",
            code: String::new(),
            cbsa: String::new(),
        }
    }

    fn carrier_entity(&mut self, name: &str, home: &str, code: &str, scheme: &str, cbsa: &str, ctpat: Option<&str>) -> Entity {
        let mut ids = vec![ident(scheme, code.to_string())];
        if !cbsa.is_empty() {
            ids.push(ident("CARRIER", cbsa.to_string()));
        }
        let mut trust = [Standing::None; 6];
        if let Some(business) = ctpat {
            let st = self.standing();
            let svi = self.ctpat_svi();
            self.member(Program::CTPAT, &svi, name, "US", business, st, None);
            ids.push(ident("CTPAT", svi));
            trust[prog_idx(Program::CTPAT)] = st;
        }
        let address = tables::country(home).map(|ci| self.foreign_address(ci)).or_else(|| {
            let cities = match home {
                "US" => tables::US_CITIES,
                "CA" => tables::CA_CITIES,
                "MX" => tables::MX_CITIES,
                _ => return None,
            };
            Some(self.na_address(home, cities).0)
        });
        Entity {
            party: Party { role: Role::Carrier, name: name.to_string(), address, country: Some(home.to_string()), ids },
            sector: Sector::General,
            trust,
            locode: "",
            code: code.to_string(),
            cbsa: cbsa.to_string(),
        }
    }
}

impl World {
    pub fn new(r: &mut R, start: NaiveDate, days: u32) -> World {
        let mult = r.u64();
        let mut b = Builder {
            r,
            start,
            end: add_days(start, days as i64 + 1),
            names: HashSet::new(),
            codes: HashSet::new(),
            memberships: Vec::new(),
            mult,
            fast_serial: 0,
        };

        // Companies: which (country, sector) pairs are needed.
        let nslots = COUNTRIES.len() + 3;
        let mut want = vec![0u8; nslots * NSECT];
        for code in ["US", "CA", "MX"] {
            let s = slot(code).unwrap_or(0);
            for sec in SECTORS {
                want[s * NSECT + sec.idx()] = match sec {
                    Sector::General => 12,
                    Sector::Radio => 2,
                    _ => 4,
                };
            }
        }
        for p in tables::PRODUCTS {
            for o in p.origins {
                if let Some(s) = slot(o).filter(|_| !is_na(o)) {
                    let w = &mut want[s * NSECT + p.sector.idx()];
                    *w = (*w).max(3);
                }
            }
        }
        for c in COUNTRIES {
            if let Some(s) = slot(c.code) {
                let w = &mut want[s * NSECT + Sector::General.idx()];
                *w = (*w).max(3);
            }
        }
        for h in tables::DIVERSION_HUBS.iter().chain(["IR", "TR", "AE"].iter()) {
            if let Some(s) = slot(h) {
                want[s * NSECT + Sector::General.idx()] = 5;
                let e = &mut want[s * NSECT + Sector::Electronics.idx()];
                *e = (*e).max(2);
            }
        }
        for e in tables::EMBARGOED {
            if let Some(s) = slot(e) {
                for sec in [Sector::Electronics, Sector::Machinery] {
                    want[s * NSECT + sec.idx()] = 3;
                }
            }
        }
        let mut companies = Vec::new();
        let mut by_cs = vec![Vec::new(); nslots * NSECT];
        for s in 0..nslots {
            let code: &'static str = match s {
                0 => "US",
                1 => "CA",
                2 => "MX",
                _ => COUNTRIES.get(s - 3).map(|c| c.code).unwrap_or("US"),
            };
            for sec in SECTORS {
                for _ in 0..want[s * NSECT + sec.idx()] {
                    by_cs[s * NSECT + sec.idx()].push(companies.len() as u32);
                    companies.push(b.company(code, sec));
                }
            }
        }

        // Highway carriers and drivers.
        let mut hwy = Vec::new();
        let mut drivers = Vec::new();
        let mut crew_of = Vec::new();
        for (home, n) in [("US", 22), ("CA", 20), ("MX", 12)] {
            for _ in 0..n {
                let c = b.highway_carrier(home);
                let in_program = c.trust.iter().any(|s| s.is_valid());
                let mut crew = Vec::new();
                let k = 2 + b.r.below(2);
                for i in 0..k {
                    let card = if in_program && i < 2 {
                        Some(Standing::Valid)
                    } else if b.r.chance(if in_program { 0.6 } else { 0.3 }) {
                        Some(b.standing())
                    } else {
                        None
                    };
                    // Some Canadian and US fleets hire across the border.
                    let nat = if home != "MX" && b.r.chance(0.1) { if home == "US" { "CA" } else { "US" } } else { home };
                    crew.push(drivers.len() as u32);
                    drivers.push(b.driver(nat, card));
                }
                crew_of.push(crew);
                hwy.push(c);
            }
        }

        // Ocean carriers and their fleets; bulk operators.
        let mut ocean = Vec::new();
        for &(name, scac, owner, prefix, home) in tables::OCEAN_CARRIERS {
            let cbsa = b.cbsa_code();
            let ctpat = if b.r.chance(0.6) { Some("sea-carrier") } else { None };
            let ent = b.carrier_entity(name, home, scac, "SCAC", &cbsa, ctpat);
            let mut fleet = Vec::new();
            let mut used = HashSet::new();
            for _ in 0..6 {
                let w = b.r.pick(tables::VESSEL_WORDS, "PIONEER");
                if used.insert(w) {
                    fleet.push((format!("{prefix} {w}"), imo_number(b.r)));
                }
            }
            ocean.push(Ocean { ent, owner, fleet });
        }
        let mut bulk = Vec::new();
        for (i, home) in ["GR", "SG", "NL", "JP", "CN", "TR"].iter().enumerate() {
            let adj = tables::BULK_VESSEL_ADJ[i % tables::BULK_VESSEL_ADJ.len()];
            let name = format!("{} Bulk Shipping {}", title(adj), ["S.A.", "Pte. Ltd.", "B.V.", "K.K.", "Co., Ltd.", "A.Ş."][i]);
            let scac = b.scac(adj.chars().next().unwrap_or('B'));
            let cbsa = b.cbsa_code();
            let ent = b.carrier_entity(&name, home, &scac, "SCAC", &cbsa, None);
            let mut fleet = Vec::new();
            for _ in 0..4 {
                let v = format!("{} {}", b.r.pick(tables::BULK_VESSEL_ADJ, "GOLDEN"), b.r.pick(tables::BULK_VESSEL_NOUN, "HARVEST"));
                fleet.push((v, imo_number(b.r)));
            }
            bulk.push(Ocean { ent, owner: "", fleet });
        }

        // Forwarders / NVOCCs (also consolidators).
        let mut nvocc = Vec::new();
        for (home, pattern) in [
            ("US", "{w} Ocean Logistics Inc."),
            ("US", "{w} Freight Forwarding LLC"),
            ("US", "{w} Global Logistics Inc."),
            ("CN", "Trans-Pacific {w} Logistics Co., Ltd."),
            ("HK", "{w} Freight Consolidators Ltd."),
            ("HK", "{w} Shipping Agency Ltd."),
            ("DE", "{w} Spedition GmbH"),
            ("CA", "{w} Freight Forwarders Inc."),
            ("CA", "{w} International Logistics Ltd."),
            ("SG", "{w} Cargo Services Pte. Ltd."),
            ("NL", "{w} Forwarding B.V."),
            ("MX", "{w} Logística Internacional S.A. de C.V."),
        ] {
            let w = match home {
                "US" => b.r.pick(tables::US_WORDS, "Liberty"),
                "CA" => b.r.pick(tables::CA_WORDS, "Northern"),
                "MX" => b.r.pick(&["Azteca", "Norteña", "del Golfo", "Bajío"], "Azteca"),
                _ => tables::country(home).map(|c| b.r.pick(c.brands, "Global")).unwrap_or("Global"),
            };
            let name = pattern.replace("{w}", w);
            let scac = b.scac(name.chars().next().unwrap_or('X'));
            let cbsa = b.cbsa_code();
            let ctpat = if home == "US" && b.r.chance(0.6) { Some("nvocc") } else { None };
            nvocc.push(b.carrier_entity(&name, home, &scac, "SCAC", &cbsa, ctpat));
        }

        // Customs brokers.
        let mut brokers: [Vec<Entity>; 3] = Default::default();
        for (k, home) in ["US", "CA", "MX"].iter().enumerate() {
            for _ in 0..6 {
                let name = match *home {
                    "US" => format!("{} Customs Brokers, Inc.", b.r.pick(tables::US_WORDS, "Liberty")),
                    "CA" => format!("{} Customs Brokers Ltd.", b.r.pick(tables::CA_WORDS, "Northern")),
                    _ => format!("Agencia Aduanal {} S.C.", b.r.pick(tables::SURNAMES_MX, "García")),
                };
                let code = match *home {
                    "US" => b.unique_code(|r| {
                        let mut s = String::new();
                        r.push_upper_clear(&mut s, 1);
                        r.push_alnum(&mut s, 2);
                        s
                    }),
                    _ => b.digits_code("", 4),
                };
                let scheme = match *home {
                    "US" => "FILER",
                    "CA" => "BROKER",
                    _ => "PATENTE",
                };
                let ctpat = if *home == "US" && b.r.chance(0.5) { Some("customs-broker") } else { None };
                let mut e = b.carrier_entity(&name, home, &code, scheme, "", ctpat);
                e.party.role = Role::Declarant;
                brokers[k].push(e);
            }
        }

        let mut airlines = Vec::new();
        for &(name, iata, prefix, home) in tables::AIRLINES {
            let e = b.carrier_entity(name, home, iata, "IATA", "", None);
            airlines.push(Airline { ent: e, prefix });
        }
        let mut railroads = Vec::new();
        for &(name, scac, home, cbsa) in tables::RAILROADS {
            railroads.push(b.carrier_entity(name, home, scac, "SCAC", cbsa, None));
        }

        let memberships = std::mem::take(&mut b.memberships);
        let mut w = World {
            companies,
            by_cs,
            hwy,
            drivers,
            crew_of,
            ocean,
            bulk,
            nvocc,
            brokers,
            airlines,
            railroads,
            fast: FastIndex::default(),
            memberships,
        };
        w.index_fast();
        w
    }

    fn index_fast(&mut self) {
        let f = &mut self.fast;
        for (i, c) in self.hwy.iter().enumerate() {
            for (k, prog) in [Program::CTPAT, Program::PIP].into_iter().enumerate() {
                let st = c.standing(prog);
                let list = if st.is_valid() {
                    &mut f.carriers_valid[k]
                } else if st.is_bad() {
                    &mut f.carriers_bad[k]
                } else {
                    &mut f.carriers_none[k]
                };
                list.push(i as u32);
            }
        }
        for (i, d) in self.drivers.iter().enumerate() {
            let st = d.standing(Program::FAST);
            if st.is_valid() {
                f.drivers_valid.push(i as u32);
            } else if st.is_bad() {
                f.drivers_badcard.push(i as u32);
            } else {
                f.drivers_nocard.push(i as u32);
            }
        }
        for (i, c) in self.companies.iter().enumerate() {
            let i = i as u32;
            match c.country() {
                "US" => {
                    let st = c.standing(Program::CTPAT);
                    if st.is_valid() {
                        f.us_importers_valid.push(i);
                    } else if st.is_bad() {
                        f.us_importers_bad.push(i);
                    } else {
                        f.us_importers_none.push(i);
                    }
                }
                "CA" => {
                    let pip = c.standing(Program::PIP);
                    let csa = c.standing(Program::CSA);
                    if pip.is_valid() && csa.is_valid() {
                        f.ca_importers_full.push(i);
                    } else if pip.is_valid() {
                        f.ca_importers_pip_only.push(i);
                    } else if pip == Standing::None && csa == Standing::None {
                        f.ca_importers_none.push(i);
                    }
                }
                "MX" if c.sector != Sector::General => {
                    let st = c.standing(Program::CTPAT);
                    if st.is_valid() {
                        f.mx_mfr_valid.push(i);
                    } else if st == Standing::None {
                        f.mx_mfr_none.push(i);
                    }
                }
                _ => {}
            }
        }
    }

    /// Companies of a country and sector (may be empty).
    pub fn pool(&self, country: &str, sector: Sector) -> &[u32] {
        slot(country).and_then(|s| self.by_cs.get(s * NSECT + sector.idx())).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// A company of `country` in `sector`, falling back to the country's general traders and then
    /// to any company.
    pub fn company(&self, r: &mut R, country: &str, sector: Sector) -> &Entity {
        let p = self.pool(country, sector);
        let p = if p.is_empty() { self.pool(country, Sector::General) } else { p };
        let i = r.pick_opt(p).copied().unwrap_or_else(|| r.below(self.companies.len()) as u32);
        &self.companies[(i as usize).min(self.companies.len().saturating_sub(1))]
    }

    /// A company of `country` other than the one named `not` (a few tries, general traders last).
    pub fn other_company(&self, r: &mut R, country: &str, sector: Sector, not: &str) -> &Entity {
        for _ in 0..4 {
            let e = self.company(r, country, sector);
            if e.party.name != not {
                return e;
            }
        }
        self.company(r, country, Sector::General)
    }

    /// An importer / consignee in `country` for goods of `sector`: half the time a specialist, else
    /// a general trader.
    pub fn importer(&self, r: &mut R, country: &str, sector: Sector) -> &Entity {
        if r.chance(0.5) { self.company(r, country, sector) } else { self.company(r, country, Sector::General) }
    }
}

fn title(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        if i == 0 { out.push(c) } else { out.extend(c.to_lowercase()) }
    }
    out
}
