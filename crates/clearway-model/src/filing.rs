//! Mapping a Clearway [`Filing`] onto the columns of a declaration model.
//!
//! A model is trained on declaration columns (for instance the KCS columns); at screening time each
//! column *role* the feature plan found by name is filled from the filing:
//!
//! | role | column (KCS) | taken from the filing |
//! |---|---|---|
//! | importer | `Importer ID` | `Filing::importer` (importer of record, else consignee): its `IOR` id, else first id, else name |
//! | declarant | `Declarant ID` | declarant party, else freight forwarder |
//! | seller | `Seller ID` | seller, else consignor, else manufacturer |
//! | HS code | `HS6 Code` | first goods item's HS code, first 6 digits |
//! | origin | `Country of Origin` | first goods item's origin country |
//! | departure | `Country of Departure` | country of the place of loading (UN/LOCODE letters 1–2), else first routing country |
//! | office | `Office ID` | first port of arrival (UN/LOCODE), else place of discharge |
//! | mass | `Net Mass` | sum of net kg over goods items (gross kg where net is absent) |
//! | value | `Item Price` | sum of declared values |
//! | quantity | (none in KCS) | sum of goods quantities |
//!
//! Every other model input (for KCS: process, import and payment types, courier, tax rate and type,
//! origin indicator, mode-of-transport code) has no counterpart in a cargo filing and is passed as
//! missing; the trees send missing values down the branch learned for them. Entity histories only help
//! when the filing's identifiers are the ones the model was trained on; otherwise the entities are new
//! (rate = prior, novelty flags set).

use crate::features::Cell;
use crate::model::Model;
use clearway_core::{Filing, Party, Role};

/// The owned values of one filing, aligned with a model's inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Cat(Option<String>),
}

fn party_key(p: &Party) -> Option<String> {
    p.id("IOR")
        .or_else(|| p.ids.first().map(|i| i.value.as_str()))
        .map(|s| s.to_string())
        .or_else(|| if p.name.trim().is_empty() { None } else { Some(p.name.trim().to_uppercase()) })
}

fn first_party(f: &Filing, roles: &[Role]) -> Option<String> {
    roles.iter().find_map(|r| f.party(*r)).and_then(party_key)
}

/// The declaration fields a filing can fill (see the table above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Importer,
    Declarant,
    Seller,
    Hs,
    Origin,
    Departure,
    Office,
    Mass,
    Value,
    Quantity,
}

fn part_value(f: &Filing, p: Part) -> Value {
    let goods = f.goods.first();
    let v = match p {
        Part::Importer => Value::Cat(f.importer().and_then(party_key)),
        Part::Declarant => Value::Cat(first_party(f, &[Role::Declarant, Role::FreightForwarder])),
        Part::Seller => Value::Cat(first_party(f, &[Role::Seller, Role::Consignor, Role::Manufacturer])),
        Part::Hs => Value::Cat(goods.and_then(|g| g.hs_code.as_ref()).map(|h| {
            let d: String = h.chars().filter(|c| c.is_ascii_digit()).take(6).collect();
            d
        })),
        Part::Origin => Value::Cat(goods.and_then(|g| g.origin.clone())),
        Part::Departure => Value::Cat(
            f.itinerary
                .place_of_loading
                .as_ref()
                .filter(|p| p.len() >= 2)
                .map(|p| p.chars().take(2).collect::<String>().to_uppercase())
                .or_else(|| f.itinerary.routing.first().cloned()),
        ),
        Part::Office => {
            Value::Cat(f.office().map(str::to_owned))
        }
        Part::Mass => {
            let kg: Option<f64> = f.goods.iter().map(|g| g.net_kg.or(g.gross_kg)).sum();
            Value::Num(kg.unwrap_or(f64::NAN))
        }
        Part::Value => Value::Num(f.total_value().unwrap_or(f64::NAN)),
        Part::Quantity => {
            let q: Option<f64> = f.goods.iter().map(|g| g.quantity).sum();
            Value::Num(q.unwrap_or(f64::NAN))
        }
    };
    match v {
        Value::Num(x) if !x.is_finite() => Value::Num(f64::NAN),
        _ => v,
    }
}

/// The input values a model would read for this filing, and the names of the inputs left missing.
pub fn values(model: &Model, f: &Filing) -> (Vec<Value>, Vec<String>) {
    let r = &model.spec.roles;
    let is = |role: &Option<String>, name: &str| role.as_deref() == Some(name);
    let mut missing = Vec::new();
    let parts = [
        (&r.importer, Part::Importer),
        (&r.declarant, Part::Declarant),
        (&r.seller, Part::Seller),
        (&r.hs, Part::Hs),
        (&r.origin, Part::Origin),
        (&r.departure, Part::Departure),
        (&r.office, Part::Office),
        (&r.mass, Part::Mass),
        (&r.value, Part::Value),
        (&r.quantity, Part::Quantity),
    ];
    let vals = model
        .spec
        .inputs
        .iter()
        .map(|(name, kind)| match parts.iter().find(|(role, _)| is(role, name)) {
            Some((_, p)) => part_value(f, *p),
            None => {
                missing.push(name.clone());
                match kind {
                    crate::ColumnType::Categorical => Value::Cat(None),
                    _ => Value::Num(f64::NAN),
                }
            }
        })
        .collect();
    (vals, missing)
}

/// Label column of [`exam_table`]: 1 when the examination found something (a finding or a seizure).
pub const EXAM_LABEL: &str = "Exam Finding";

/// Columns of [`exam_table`] after the id and the date, named so the feature plan finds each role.
const EXAM_COLUMNS: [(&str, Part); 10] = [
    ("Importer ID", Part::Importer),
    ("Declarant ID", Part::Declarant),
    ("Seller ID", Part::Seller),
    ("HS6 Code", Part::Hs),
    ("Country of Origin", Part::Origin),
    ("Country of Departure", Part::Departure),
    ("Office ID", Part::Office),
    ("Net Mass", Part::Mass),
    ("Item Price", Part::Value),
    ("Quantity", Part::Quantity),
];

/// One examined filing: the filing, whether the examination found something, revenue recovered.
pub struct Examined<'a> {
    pub filing: &'a Filing,
    pub found: bool,
    pub revenue: Option<f64>,
}

/// A labelled training table (CSV text, for [`crate::read_csv`]) from examined filings: `Filing ID`,
/// `Date` (filing date), the declaration fields a filing fills (same mapping as scoring, so a model
/// trained on it scores filings with every input filled), [`EXAM_LABEL`] (0/1), and `Revenue Recovered`
/// when any examination recorded revenue (used for revenue@n %, never as a feature).
pub fn exam_table(rows: &[Examined<'_>]) -> Vec<u8> {
    let with_revenue = rows.iter().any(|r| r.revenue.is_some());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["Filing ID", "Date"];
    header.extend(EXAM_COLUMNS.iter().map(|(n, _)| *n));
    header.push(EXAM_LABEL);
    if with_revenue {
        header.push("Revenue Recovered");
    }
    let _ = w.write_record(&header);
    for r in rows {
        let mut rec: Vec<String> = vec![
            r.filing.id.clone(),
            r.filing.times.filed_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        ];
        for (_, p) in EXAM_COLUMNS {
            rec.push(match part_value(r.filing, p) {
                Value::Num(x) if x.is_finite() => format!("{x}"),
                Value::Num(_) => String::new(),
                Value::Cat(c) => c.unwrap_or_default(),
            });
        }
        rec.push(if r.found { "1" } else { "0" }.to_string());
        if with_revenue {
            rec.push(r.revenue.filter(|v| v.is_finite()).map(|v| format!("{v}")).unwrap_or_default());
        }
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

/// A filing's score and explanation under a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub raw_score: f64,
    pub probability: f64,
    pub contributions: Vec<crate::model::Contribution>,
    /// Model inputs the filing could not fill.
    pub missing: Vec<String>,
}

/// Borrowed cells of owned values.
pub fn cells(vals: &[Value]) -> Vec<Cell<'_>> {
    vals.iter()
        .map(|v| match v {
            Value::Num(x) => Cell::Num(*x),
            Value::Cat(s) => Cell::Cat(s.as_deref()),
        })
        .collect()
}

/// Score and explain a filing.
pub fn assess(model: &Model, f: &Filing) -> Assessment {
    let (vals, missing) = values(model, f);
    let cells = cells(&vals);
    let x = model.row_features(&cells);
    let (raw, contributions) = model.explain_features(&x);
    Assessment { raw_score: raw, probability: model.probability(raw), contributions, missing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColumnType, ReadOptions, read_csv};

    fn filing(id: &str, hs: &str, day: u32) -> Filing {
        serde_json::from_value(serde_json::json!({"id": id, "mode": "marine", "direction": "import", "country": "US",
            "stage": "pre-load",
            "parties": [{"role": "importer-of-record", "name": "Newco Imports LLC", "country": "US",
                         "ids": [{"scheme": "IOR", "value": "NEWCO-77"}]}],
            "goods": [{"description": "pumps", "hs_code": hs, "value": 400000.0, "currency": "USD",
                       "origin": "DE", "gross_kg": 5000.0}],
            "times": {"filed_at": format!("2026-11-{day:02}T10:00:00Z")}}))
        .unwrap()
    }

    #[test]
    fn exam_table_reads_back_with_roles_and_label() {
        let (a, b) = (filing("F-1", "8413.70", 2), filing("F-2", "940360", 3));
        let rows = [
            Examined { filing: &a, found: true, revenue: Some(1200.0) },
            Examined { filing: &b, found: false, revenue: None },
        ];
        let ds = read_csv(&exam_table(&rows), &ReadOptions::default()).unwrap();
        assert_eq!(ds.rows, 2);
        let types: std::collections::HashMap<_, _> = ds.schema().into_iter().collect();
        assert_eq!(types["Date"], ColumnType::Date);
        assert_eq!(types["HS6 Code"], ColumnType::Categorical);
        assert_eq!(types["Item Price"], ColumnType::Numeric);
        assert_eq!(ds.column("HS6 Code").unwrap().data.text(0), "841370");
        assert_eq!(ds.column("Importer ID").unwrap().data.text(1), "NEWCO-77");
        assert_eq!(ds.column("Net Mass").unwrap().data.text(0), "5000");
        assert_eq!(crate::Model::labels_of(&ds, EXAM_LABEL).unwrap(), vec![1.0, 0.0]);
        assert_eq!(ds.column("Revenue Recovered").unwrap().data.text(0), "1200");
    }
}
