//! Labelled export-control scenarios: US export declarations, each with the scenario it was drawn as,
//! and the licence registry they refer to. Separate from [`crate::Generator`] (its own seed stream), so
//! the ordinary traffic of every seed is unchanged.
//!
//! | scenario | pattern | drawn from |
//! |---|---|---|
//! | `clean` | EAR99 goods; AT-only items with NLR; licensed items within their licence; stated end use | ordinary trade |
//! | `misclassified` | CHPL tier 1–2 goods (ICs, network gear, GNSS) declared EAR99 / NLR to a transshipment hub or Russia | published cases: 3A991.a.2 microprocessors declared EAR99 via Armenia and Türkiye; false NLR on the EEI |
//! | `transshipment` | controlled or CHPL goods routed through a hub (UAE, Armenia, Kazakhstan, Türkiye...) on to Russia, Belarus, Iran or Syria | UAE → Iran / Syria, Armenia / Georgia / Kyrgyzstan → Russia cases |
//! | `forwarder` | controlled or CHPL goods to a freight forwarder or general-trading company in a hub, no end use | UAE "general trading" reexporters |
//! | `licence-overrun` | a licence cited beyond its quantity, after expiry, or for another destination | licence-condition violations |
//!
//! Licence records are JSON objects in the format `clearway licences import` reads.

use chrono::{DateTime, Duration, TimeZone, Utc};
use clearway_core::{
    Address, AgencyCountry, Direction, ExportFacts, Filing, FilingKind, FilingStatus, GoodsExport,
    GoodsItem, Itinerary, Mode, Party, Role, Stage, Times,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::rng::R;

/// What a labelled export filing was drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    Clean,
    Misclassified,
    Transshipment,
    Forwarder,
    LicenceOverrun,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Clean,
        Scenario::Misclassified,
        Scenario::Transshipment,
        Scenario::Forwarder,
        Scenario::LicenceOverrun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Misclassified => "misclassified",
            Scenario::Transshipment => "transshipment",
            Scenario::Forwarder => "forwarder",
            Scenario::LicenceOverrun => "licence-overrun",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportConfig {
    pub count: usize,
    pub seed: u64,
    /// Weights of [`Scenario::ALL`], in order.
    pub mix: [u32; 5],
}

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig {
            count: 1000,
            seed: 0,
            mix: [80, 5, 5, 5, 5],
        }
    }
}

/// One labelled filing.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub filing: Filing,
    pub scenario: Scenario,
}

/// Stream of labelled export filings; [`ExportScenarios::licences`] gives the registry they cite.
pub struct ExportScenarios {
    cfg: ExportConfig,
    r: R,
    n: usize,
    start: DateTime<Utc>,
}

struct Good {
    desc: &'static str,
    hs: &'static str,
    class: &'static str,
    unit_value: (f64, f64),
}

const EAR99: &[Good] = &[
    Good {
        desc: "COTTON T-SHIRTS",
        hs: "610910",
        class: "EAR99",
        unit_value: (3.0, 9.0),
    },
    Good {
        desc: "FROZEN BEEF CUTS",
        hs: "020230",
        class: "EAR99",
        unit_value: (6.0, 14.0),
    },
    Good {
        desc: "OFFICE FURNITURE",
        hs: "940330",
        class: "EAR99",
        unit_value: (80.0, 400.0),
    },
    Good {
        desc: "PASSENGER CAR TYRES",
        hs: "401110",
        class: "EAR99",
        unit_value: (40.0, 150.0),
    },
    Good {
        desc: "WOODEN TOYS",
        hs: "950300",
        class: "EAR99",
        unit_value: (4.0, 20.0),
    },
];
/// AT-only or mass-market items exported NLR, CHPL codes among them (correctly classified).
const NLR_ITEMS: &[Good] = &[
    Good {
        desc: "MICROCONTROLLERS",
        hs: "854231",
        class: "3A991.a",
        unit_value: (2.0, 30.0),
    },
    Good {
        desc: "SMARTPHONES",
        hs: "851713",
        class: "5A992.c",
        unit_value: (150.0, 700.0),
    },
    Good {
        desc: "ETHERNET SWITCHES",
        hs: "851762",
        class: "5A992.c",
        unit_value: (200.0, 3000.0),
    },
    Good {
        desc: "LAPTOP COMPUTERS",
        hs: "847130",
        class: "5A992.c",
        unit_value: (400.0, 1500.0),
    },
];
/// Licensable items.
const LICENSED: &[Good] = &[
    Good {
        desc: "MMIC POWER AMPLIFIERS",
        hs: "854233",
        class: "3A001.b.2",
        unit_value: (50.0, 400.0),
    },
    Good {
        desc: "ENCRYPTION ROUTERS",
        hs: "851762",
        class: "5A002.a",
        unit_value: (800.0, 9000.0),
    },
    Good {
        desc: "INERTIAL MEASUREMENT UNITS",
        hs: "901420",
        class: "7A003.a",
        unit_value: (5000.0, 40000.0),
    },
];
/// CHPL tier 1–2 goods that diverters seek.
const HIGH_PRIORITY: &[Good] = &[
    Good {
        desc: "MICROPROCESSORS",
        hs: "854231",
        class: "EAR99",
        unit_value: (5.0, 80.0),
    },
    Good {
        desc: "MEMORY CHIPS",
        hs: "854232",
        class: "EAR99",
        unit_value: (2.0, 20.0),
    },
    Good {
        desc: "NETWORK TRANSCEIVERS",
        hs: "851762",
        class: "EAR99",
        unit_value: (100.0, 900.0),
    },
    Good {
        desc: "GNSS RECEIVER MODULES",
        hs: "852691",
        class: "EAR99",
        unit_value: (20.0, 200.0),
    },
    Good {
        desc: "CERAMIC CAPACITORS",
        hs: "853224",
        class: "EAR99",
        unit_value: (0.05, 0.5),
    },
];

const EXPORTERS: &[(&str, &str, &str)] = &[
    ("ACME PHOTONICS INC", "SAN JOSE", "CA"),
    ("LONE STAR ELECTRONICS LLC", "AUSTIN", "TX"),
    ("GREAT LAKES INSTRUMENTS CORP", "ANN ARBOR", "MI"),
    ("HARBOR APPAREL CO", "LOS ANGELES", "CA"),
    ("PRAIRIE FOODS INC", "OMAHA", "NE"),
];

/// (country, consignee, business, end use) for clean trade.
const CLEAN_BUYERS: &[(&str, &str, &str, &str)] = &[
    (
        "DE",
        "BERLIN INSTRUMENTS GMBH",
        "test-equipment manufacturer",
        "production of radar test sets",
    ),
    (
        "FR",
        "LYON AVIONIQUE SA",
        "avionics manufacturer",
        "integration in civil flight-control units",
    ),
    (
        "GB",
        "OXFORD SENSORS LTD",
        "sensor manufacturer",
        "university research laboratory instruments",
    ),
    (
        "JP",
        "OSAKA DENKI KK",
        "electronics manufacturer",
        "consumer electronics assembly",
    ),
    (
        "CA",
        "MAPLE TELECOM INC",
        "telecommunications operator",
        "civil mobile network maintenance",
    ),
    (
        "MX",
        "MONTERREY AUTOPARTES SA DE CV",
        "automotive supplier",
        "automotive engine-control units",
    ),
    (
        "SG",
        "STRAITS ELECTRONICS PTE LTD",
        "contract manufacturer",
        "assembly of medical monitors",
    ),
    (
        "IN",
        "PUNE SYSTEMS PVT LTD",
        "IT services",
        "office network for software development",
    ),
    ("TR", "ANKARA TEKSTIL AS", "textile retailer", "retail sale"),
    (
        "BR",
        "SAO PAULO DISTRIBUIDORA LTDA",
        "food distributor",
        "retail sale",
    ),
];

const HUBS: &[&str] = &["AE", "AM", "GE", "KZ", "KG", "TR", "UZ"];

const TRADERS: &[&str] = &[
    "GULF STAR GENERAL TRADING LLC",
    "NORD LOGISTICS LLC",
    "SILK ROAD IMPEX",
    "EURASIA CARGO SERVICES",
    "CASPIAN FREIGHT FORWARDING",
    "ORIENT TRADING FZE",
];

impl ExportScenarios {
    pub fn new(cfg: ExportConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        rng.set_stream(7);
        let start = Utc
            .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        ExportScenarios {
            cfg,
            r: R(rng),
            n: 0,
            start,
        }
    }

    /// The licence registry the filings cite (JSON array of licence records), one licence per licensed
    /// item and buyer: 1,000,000 units, valid through 2027.
    pub fn licences() -> Value {
        let mut out = Vec::new();
        for (i, g) in LICENSED.iter().enumerate() {
            for (j, (country, buyer, _, _)) in CLEAN_BUYERS.iter().enumerate() {
                out.push(json!({
                    "number": licence_number(i, j),
                    "holder": EXPORTERS[i % 3].0,
                    "authority": "BIS",
                    "items": [{"entry": g.class, "quantity": 1_000_000.0}],
                    "destinations": [country],
                    "end_users": [buyer],
                    "valid_from": "2026-01-01",
                    "valid_to": "2027-12-31",
                }));
            }
        }
        // One small licence for the overrun scenario.
        out.push(json!({
            "number": "D9000001", "holder": EXPORTERS[0].0, "authority": "BIS",
            "items": [{"entry": "3A001.b.2", "quantity": 50.0}], "destinations": ["DE"],
            "end_users": [CLEAN_BUYERS[0].1], "valid_from": "2026-01-01", "valid_to": "2027-12-31"}));
        out.push(json!({
            "number": "D9000002", "holder": EXPORTERS[0].0, "authority": "BIS",
            "items": [{"entry": "5A002.a", "quantity": 1000.0}], "destinations": ["FR"],
            "end_users": [CLEAN_BUYERS[1].1], "valid_from": "2025-01-01", "valid_to": "2026-06-30"}));
        Value::Array(out)
    }

    fn party(role: Role, name: &str, country: &str, street: Option<String>, city: &str) -> Party {
        Party {
            role,
            name: name.to_string(),
            address: Some(Address {
                street,
                city: Some(city.to_string()),
                country: Some(country.to_string()),
                ..Address::default()
            }),
            country: Some(country.to_string()),
            ids: Vec::new(),
        }
    }

    fn item(
        &mut self,
        g: &Good,
        class: &str,
        licence: Option<String>,
        exception: Option<&str>,
        qty: f64,
    ) -> GoodsItem {
        let unit = self.r.float(g.unit_value.0, g.unit_value.1);
        GoodsItem {
            description: g.desc.to_string(),
            hs_code: Some(g.hs.to_string()),
            quantity: Some(qty),
            quantity_unit: Some("PCS".into()),
            value: Some((qty * unit * 100.0).round() / 100.0),
            currency: Some("USD".into()),
            origin: Some("US".into()),
            export: Some(GoodsExport {
                classification: Some(class.to_string()),
                licence,
                licence_exception: exception.map(str::to_string),
            }),
            ..GoodsItem::default()
        }
    }

    fn next_labelled(&mut self) -> Labelled {
        let scenario = Scenario::ALL[self.r.weighted(&self.cfg.mix)];
        let n = self.n;
        self.n += 1;
        let filed =
            self.start + Duration::seconds((n as i64 * 86_400) / self.cfg.count.max(1) as i64);
        let (ename, ecity, estate) = *self.r.pick_opt(EXPORTERS).unwrap_or(&EXPORTERS[0]);
        let mut parties = vec![Self::party(
            Role::Exporter,
            ename,
            "US",
            Some(format!("{} INDUSTRIAL PKWY", 100 + self.r.below(900))),
            ecity,
        )];
        let _ = estate;
        let mut goods = Vec::new();
        let mut routing = Vec::new();
        let (dest, uc, business, end_use): (String, String, Option<String>, Option<String>);
        match scenario {
            Scenario::Clean => {
                let b = self.r.below(CLEAN_BUYERS.len());
                let (c, buyer, bus, eu) = CLEAN_BUYERS[b];
                let kind = self.r.below(3);
                let g = match kind {
                    0 => {
                        let g = &EAR99[self.r.below(EAR99.len())];
                        let q = self.r.int(100, 5000) as f64;
                        self.item(g, g.class, None, Some("NLR"), q)
                    }
                    1 => {
                        let g = &NLR_ITEMS[self.r.below(NLR_ITEMS.len())];
                        let q = self.r.int(10, 2000) as f64;
                        self.item(g, g.class, None, Some("NLR"), q)
                    }
                    _ => {
                        let i = self.r.below(LICENSED.len());
                        let g = &LICENSED[i];
                        let q = self.r.int(1, 50) as f64;
                        self.item(g, g.class, Some(licence_number(i, b)), None, q)
                    }
                };
                goods.push(g);
                dest = c.into();
                uc = buyer.into();
                business = Some(bus.into());
                end_use = Some(eu.into());
                routing.push(c.to_string());
            }
            Scenario::Misclassified => {
                let g = &HIGH_PRIORITY[self.r.below(HIGH_PRIORITY.len())];
                let q = self.r.int(500, 20000) as f64;
                let exc = if self.r.chance(0.5) {
                    Some("NLR")
                } else {
                    None
                };
                goods.push(self.item(g, g.class, None, exc, q));
                let c = if self.r.chance(0.2) {
                    "RU"
                } else {
                    HUBS[self.r.below(HUBS.len())]
                };
                dest = c.into();
                uc = format!(
                    "{} ELECTRONICS LLC",
                    ["ALFA", "VEKTOR", "ZENIT", "KASKAD"][self.r.below(4)]
                );
                business = Some("electronics distributor".into());
                end_use = Some("assembly of consumer electronics".into());
                routing.push(c.to_string());
            }
            Scenario::Transshipment => {
                let hp = self.r.chance(0.6);
                let g = if hp {
                    &HIGH_PRIORITY[self.r.below(HIGH_PRIORITY.len())]
                } else {
                    &NLR_ITEMS[self.r.below(NLR_ITEMS.len())]
                };
                let q = self.r.int(100, 5000) as f64;
                goods.push(self.item(g, g.class, None, Some("NLR"), q));
                let (hub, end) = if self.r.chance(0.5) {
                    (["AE", "TR"][self.r.below(2)], ["IR", "SY"][self.r.below(2)])
                } else {
                    (
                        ["AM", "GE", "KG", "KZ", "UZ", "TR", "AE"][self.r.below(7)],
                        ["RU", "BY"][self.r.below(2)],
                    )
                };
                dest = hub.into();
                uc = TRADERS[self.r.below(TRADERS.len())].into();
                business = None;
                end_use = Some("resale".into());
                routing.push(hub.to_string());
                routing.push(end.to_string());
            }
            Scenario::Forwarder => {
                let hp = self.r.chance(0.7);
                let g = if hp {
                    &HIGH_PRIORITY[self.r.below(HIGH_PRIORITY.len())]
                } else {
                    &NLR_ITEMS[self.r.below(NLR_ITEMS.len())]
                };
                let class = if hp && self.r.chance(0.5) {
                    "3A991.a"
                } else {
                    g.class
                };
                let q = self.r.int(100, 5000) as f64;
                goods.push(self.item(g, class, None, Some("NLR"), q));
                let c = HUBS[self.r.below(HUBS.len())];
                dest = c.into();
                uc = TRADERS[self.r.below(TRADERS.len())].into();
                business = if self.r.chance(0.5) {
                    Some("freight forwarding".into())
                } else {
                    None
                };
                end_use = None;
                routing.push(c.to_string());
                if self.r.chance(0.3) {
                    parties.push(Self::party(
                        Role::FreightForwarder,
                        &uc,
                        c,
                        None,
                        "FREE ZONE",
                    ));
                }
            }
            Scenario::LicenceOverrun => {
                let k = self.r.below(3);
                let (g, number, c, b, q) = match k {
                    0 => (
                        &LICENSED[0],
                        "D9000001".to_string(),
                        "DE",
                        0,
                        self.r.int(51, 400) as f64,
                    ),
                    1 => (
                        &LICENSED[1],
                        "D9000002".to_string(),
                        "FR",
                        1,
                        self.r.int(1, 50) as f64,
                    ),
                    _ => {
                        let i = self.r.below(LICENSED.len());
                        (
                            &LICENSED[i],
                            licence_number(i, 0),
                            "AE",
                            0,
                            self.r.int(1, 50) as f64,
                        )
                    }
                };
                let it = self.item(g, g.class, Some(number), None, q);
                goods.push(it);
                dest = c.into();
                uc = if c == "AE" {
                    TRADERS[0].to_string()
                } else {
                    CLEAN_BUYERS[b].1.to_string()
                };
                business = Some(CLEAN_BUYERS[b].2.into());
                end_use = Some(CLEAN_BUYERS[b].3.into());
                routing.push(c.to_string());
            }
        }
        let street = Some(format!(
            "{} {}",
            1 + self.r.below(200),
            [
                "INDUSTRIESTRASSE",
                "MAIN ROAD",
                "FREE ZONE BLDG",
                "TECHNOPARK"
            ][self.r.below(4)]
        ));
        parties.push(Self::party(
            Role::UltimateConsignee,
            &uc,
            &dest,
            street.clone(),
            "CITY",
        ));
        parties.push(Self::party(Role::EndUser, &uc, &dest, street, "CITY"));
        let departure = filed + Duration::hours(26 + self.r.int(0, 48));
        let filing = Filing {
            id: format!("EXP{:07}", n + 1),
            version: 1,
            kind: FilingKind::ExportDeclaration,
            status: FilingStatus::Original,
            resubmits: None,
            mode: Mode::Air,
            direction: Direction::Export,
            country: AgencyCountry::US,
            stage: Stage::Export,
            cargo: None,
            fast: false,
            parties,
            goods,
            equipment: Vec::new(),
            conveyance: None,
            itinerary: Itinerary {
                place_of_loading: Some("USJFK".into()),
                routing,
                ..Itinerary::default()
            },
            times: Times {
                filed_at: Some(filed),
                departure: Some(departure),
                ..Times::default()
            },
            export: Some(ExportFacts {
                destination: Some(dest),
                end_use,
                consignee_business: business,
            }),
        };
        Labelled { filing, scenario }
    }
}

fn licence_number(item: usize, buyer: usize) -> String {
    format!("D{:07}", 1_000_000 + item * 100 + buyer)
}

impl Iterator for ExportScenarios {
    type Item = Labelled;

    fn next(&mut self) -> Option<Labelled> {
        (self.n < self.cfg.count).then(|| self.next_labelled())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_labelled() {
        let a: Vec<_> = ExportScenarios::new(ExportConfig {
            count: 200,
            seed: 3,
            ..ExportConfig::default()
        })
        .map(|l| l.filing)
        .collect();
        let b: Vec<_> = ExportScenarios::new(ExportConfig {
            count: 200,
            seed: 3,
            ..ExportConfig::default()
        })
        .map(|l| l.filing)
        .collect();
        assert_eq!(a, b);
        let l: Vec<_> = ExportScenarios::new(ExportConfig {
            count: 2000,
            seed: 1,
            ..ExportConfig::default()
        })
        .collect();
        for s in Scenario::ALL {
            assert!(l.iter().any(|x| x.scenario == s), "{s:?}");
        }
        assert!(
            l.iter()
                .all(|x| x.filing.direction == Direction::Export && x.filing.export.is_some())
        );
        assert!(
            ExportScenarios::licences()
                .as_array()
                .is_some_and(|a| a.len() == 32)
        );
    }
}
