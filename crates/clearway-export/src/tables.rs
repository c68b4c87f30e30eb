//! The reference tables shipped in the binary, each with its source and date ([`SOURCES`]).
//!
//! | table | file | source | date | licence |
//! |---|---|---|---|---|
//! | Commerce Country Chart | `data/us_ear_country_chart.csv` | 15 CFR 738 Supp. 1 (eCFR) | 2026-07-23 | US-Gov (public domain) |
//! | EAR country groups | `data/us_ear_country_groups.csv` | 15 CFR 740 Supp. 1 (eCFR) | 2026-07-23 | US-Gov (public domain) |
//! | ECCN index (categories 0–9) | `data/us_ccl_eccn_index.csv` | 15 CFR 774 Supp. 1 (eCFR) | 2026-07-23 | US-Gov (public domain) |
//! | Common High Priority List | `data/chpl_common_high_priority_list_2024-02-23.csv` | BIS CHPL notice | 2024-02-23 | US-Gov (public domain) |
//! | Canada Area Control List | `data/ca_area_control_list.csv` | GAC Notice to Exporters 172; Blakes 2017 | 2010-07-14 / 2017 | facts |
//! | Canada sanctioned countries | `data/ca_sanctions_countries.csv` | GAC "Current sanctions imposed by Canada" | ≥ 2023 (page undated) | facts |
//! | Transshipment-risk countries | `data/export_transshipment_risk_countries.csv` | FinCEN/BIS FIN-2022-Alert003 | 2022-06-28 | facts |
//!
//! The tables are parsed once, on first use; a malformed shipped table is a build defect caught by the
//! tests, and parsing skips a bad row rather than panicking.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

/// Where a table comes from.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Source {
    pub table: &'static str,
    pub origin: &'static str,
    pub date: &'static str,
}

/// Every shipped table's source (also in NOTICE and docs/export-control.md).
pub const SOURCES: &[Source] = &[
    Source {
        table: "country-chart",
        origin: "15 CFR 738 Supp. 1, Commerce Country Chart (eCFR)",
        date: "2026-07-23",
    },
    Source {
        table: "country-groups",
        origin: "15 CFR 740 Supp. 1, Country Groups (eCFR)",
        date: "2026-07-23",
    },
    Source {
        table: "eccn-index",
        origin: "15 CFR 774 Supp. 1, Commerce Control List, all categories (eCFR)",
        date: "2026-07-23",
    },
    Source {
        table: "chpl",
        origin: "BIS Common High Priority List (with EU, Japan, UK)",
        date: "2024-02-23",
    },
    Source {
        table: "ca-acl",
        origin: "Global Affairs Canada, Area Control List (Notice to Exporters 172; 2017 removal of Belarus)",
        date: "2017-10-02",
    },
    Source {
        table: "ca-sanctions",
        origin: "Global Affairs Canada, Current sanctions imposed by Canada (SEMA, UN Act)",
        date: "2023 or later (page undated)",
    },
    Source {
        table: "transshipment",
        origin: "FinCEN/BIS joint alert FIN-2022-Alert003, common transshipment points to Russia/Belarus",
        date: "2022-06-28",
    },
];

/// The Country Chart's columns (reason for control and column number), in the chart's order.
pub const COLUMNS: [&str; 16] = [
    "CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1", "RS1", "RS2", "CC1", "CC2", "CC3",
    "FC1", "AT1", "AT2",
];

/// Index of a chart column by name.
pub fn column(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == name)
}

/// One destination of the Commerce Country Chart.
#[derive(Debug, Clone)]
pub struct ChartRow {
    pub name: String,
    /// `X` per column of [`COLUMNS`].
    pub x: [bool; 16],
    pub footnotes: Vec<u8>,
    /// Cuba, Iran, North Korea, Syria: no X at all; the row points to Part 746 (blank is not "no licence").
    pub embargo_pointer: Option<String>,
}

/// One ECCN of the Commerce Control List index.
#[derive(Debug, Clone, Serialize)]
pub struct Eccn {
    pub eccn: String,
    pub category: u8,
    pub heading: String,
    /// Reasons for control as stated (NS, MT, NP, RS, CB, CC, FC, AT, UN, EI, SL, SI, CW).
    pub reasons: Vec<String>,
    /// Country Chart columns named by the entry's License Requirements table (union over its paragraphs).
    pub columns: Vec<String>,
    pub lvs: String,
    pub gbs: String,
}

/// All shipped tables, parsed.
pub struct Tables {
    pub chart: HashMap<String, ChartRow>,
    /// ISO code → the EAR country groups it belongs to (`A:1`, `B`, `D:5`, `E:1`, ...).
    pub groups: HashMap<String, Vec<String>>,
    pub eccns: HashMap<String, Eccn>,
    /// HS-6 → CHPL tier (`TIER_1` ... `TIER_4_B`).
    pub chpl: HashMap<String, String>,
    /// Canada's Area Control List, currently listed countries.
    pub ca_acl: Vec<String>,
    /// Canada's sanctioned countries: ISO code → (act, regulation where verified).
    pub ca_sanctions: HashMap<String, (String, String)>,
    /// Transshipment-risk countries (FinCEN/BIS 2022).
    pub transshipment: HashMap<String, String>,
}

const CHART: &str = include_str!("../data/us_ear_country_chart.csv");
const GROUPS: &str = include_str!("../data/us_ear_country_groups.csv");
const ECCNS: &str = include_str!("../data/us_ccl_eccn_index.csv");
const CHPL: &str = include_str!("../data/chpl_common_high_priority_list_2024-02-23.csv");
const CA_ACL: &str = include_str!("../data/ca_area_control_list.csv");
const CA_SANCTIONS: &str = include_str!("../data/ca_sanctions_countries.csv");
const TRANSSHIPMENT: &str = include_str!("../data/export_transshipment_risk_countries.csv");

/// Shipped file name and contents, for the test that keeps them equal to `shared/data`.
pub const SHIPPED: &[(&str, &str)] = &[
    ("us_ear_country_chart.csv", CHART),
    ("us_ear_country_groups.csv", GROUPS),
    ("us_ccl_eccn_index.csv", ECCNS),
    ("chpl_common_high_priority_list_2024-02-23.csv", CHPL),
    ("ca_area_control_list.csv", CA_ACL),
    ("ca_sanctions_countries.csv", CA_SANCTIONS),
    ("export_transshipment_risk_countries.csv", TRANSSHIPMENT),
];

fn rows(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let head = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    (head, r.records().filter_map(Result::ok).collect())
}

fn get<'a>(head: &[String], rec: &'a csv::StringRecord, name: &str) -> &'a str {
    head.iter()
        .position(|h| h == name)
        .and_then(|i| rec.get(i))
        .unwrap_or("")
        .trim()
}

fn split(s: &str) -> Vec<String> {
    s.split([';', ','])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl Tables {
    /// The tables shipped in the binary, parsed once.
    pub fn embedded() -> &'static Tables {
        static T: LazyLock<Tables> = LazyLock::new(Tables::parse);
        &T
    }

    fn parse() -> Tables {
        let (h, recs) = rows(CHART);
        let chart = recs
            .iter()
            .map(|r| {
                let mut x = [false; 16];
                for (i, c) in COLUMNS.iter().enumerate() {
                    x[i] = get(&h, r, c) == "X";
                }
                let footnotes = get(&h, r, "footnotes")
                    .split(';')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect();
                let p = get(&h, r, "embargo_pointer");
                let row = ChartRow {
                    name: get(&h, r, "ear_name").to_string(),
                    x,
                    footnotes,
                    embargo_pointer: (!p.is_empty()).then(|| p.to_string()),
                };
                (get(&h, r, "iso2").to_string(), row)
            })
            .collect();
        let (h, recs) = rows(GROUPS);
        let group_names: Vec<String> = h.iter().skip(2).cloned().collect();
        let groups = recs
            .iter()
            .map(|r| {
                let g = group_names
                    .iter()
                    .filter(|g| get(&h, r, g) == "X")
                    .cloned()
                    .collect();
                (get(&h, r, "iso2").to_string(), g)
            })
            .collect();
        let (h, recs) = rows(ECCNS);
        let eccns = recs
            .iter()
            .map(|r| {
                let e = Eccn {
                    eccn: get(&h, r, "eccn").to_string(),
                    category: get(&h, r, "category").parse().unwrap_or(0),
                    heading: get(&h, r, "heading").to_string(),
                    reasons: split(get(&h, r, "license_table_reasons"))
                        .into_iter()
                        .chain(split(get(&h, r, "reason_for_control")))
                        .fold(Vec::new(), |mut v, x| {
                            if x.len() <= 3 && !v.contains(&x) {
                                v.push(x);
                            }
                            v
                        }),
                    columns: split(get(&h, r, "country_chart_columns")),
                    lvs: get(&h, r, "lvs").to_string(),
                    gbs: get(&h, r, "gbs").to_string(),
                };
                (e.eccn.clone(), e)
            })
            .collect();
        let (h, recs) = rows(CHPL);
        let chpl = recs
            .iter()
            .map(|r| {
                (
                    get(&h, r, "hs6").to_string(),
                    get(&h, r, "tier").to_string(),
                )
            })
            .collect();
        let (h, recs) = rows(CA_ACL);
        let ca_acl = recs
            .iter()
            .filter(|r| get(&h, r, "status") == "listed")
            .map(|r| get(&h, r, "iso2").to_string())
            .collect();
        let (h, recs) = rows(CA_SANCTIONS);
        let ca_sanctions = recs
            .iter()
            .map(|r| {
                (
                    get(&h, r, "iso2").to_string(),
                    (
                        get(&h, r, "act").to_string(),
                        get(&h, r, "regulation_names_verified").to_string(),
                    ),
                )
            })
            .collect();
        let (h, recs) = rows(TRANSSHIPMENT);
        let transshipment = recs
            .iter()
            .map(|r| {
                (
                    get(&h, r, "iso2").to_string(),
                    get(&h, r, "country").to_string(),
                )
            })
            .collect();
        Tables {
            chart,
            groups,
            eccns,
            chpl,
            ca_acl,
            ca_sanctions,
            transshipment,
        }
    }

    /// Whether `iso2` is in EAR country group `group` (`"E:1"`, `"D:5"`, ...).
    pub fn in_group(&self, iso2: &str, group: &str) -> bool {
        self.groups
            .get(iso2)
            .is_some_and(|g| g.iter().any(|x| x == group))
    }

    /// The chart's "X" for `iso2` and `col`; `None` when the destination or column is not in the chart.
    pub fn chart_x(&self, iso2: &str, col: &str) -> Option<bool> {
        let row = self.chart.get(iso2)?;
        column(col).map(|i| row.x[i])
    }

    /// The chart's name of a destination, else the code itself.
    pub fn name<'a>(&'a self, iso2: &'a str) -> &'a str {
        self.chart
            .get(iso2)
            .map(|r| r.name.as_str())
            .unwrap_or(iso2)
    }

    /// A digest of the shipped tables, for the layer's fingerprint.
    pub fn fingerprint() -> String {
        let mut h = blake3::Hasher::new();
        for (name, text) in SHIPPED {
            h.update(name.as_bytes());
            h.update(text.as_bytes());
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_with_the_documented_sizes() {
        let t = Tables::embedded();
        assert_eq!(t.chart.len(), 200);
        assert_eq!(t.groups.len(), 200);
        assert_eq!(t.eccns.len(), 637);
        assert_eq!(t.chpl.len(), 50);
        assert_eq!(t.ca_acl, ["KP"]);
        assert_eq!(t.ca_sanctions.len(), 24);
        assert_eq!(t.transshipment.len(), 18);
        assert_eq!(
            t.groups
                .values()
                .filter(|g| g.iter().any(|x| x == "E:1"))
                .count(),
            3
        );
        assert_eq!(
            t.groups
                .values()
                .filter(|g| g.iter().any(|x| x == "D:5"))
                .count(),
            22
        );
        assert!(t.chart["IR"].embargo_pointer.is_some());
        assert_eq!(
            t.eccns["3A001"].columns,
            ["NP1", "NS1", "NS2", "MT1", "RS1", "AT1"]
        );
        assert!(t.eccns["5A002"].reasons.contains(&"EI".to_string()));
    }

    #[test]
    fn shipped_tables_equal_the_shared_data() {
        let Some(dir) = clearway_testdata::data_dir() else {
            eprintln!("skipped: shared data not found (set CLEARWAY_DATA)");
            return;
        };
        for (name, text) in SHIPPED {
            let p = dir.join("export-control").join(name);
            match std::fs::read_to_string(&p) {
                Ok(s) => assert_eq!(&s, text, "{name} differs from {}", p.display()),
                Err(e) => eprintln!("skipped {name}: {e}"),
            }
        }
    }
}
