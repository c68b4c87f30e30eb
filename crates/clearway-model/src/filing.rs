//! Mapping a Clearway [`Filing`] onto the columns of a declaration model.
//!
//! A model is trained on declaration columns (for instance the KCS columns); at screening time each
//! column *role* the feature plan found by name is filled from the filing:
//!
//! | role | column (KCS) | taken from the filing |
//! |---|---|---|
//! | importer | `Importer ID` | importer of record (its `IOR` id, else first id, else name), else consignee, else buyer |
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

/// The input values a model would read for this filing, and the names of the inputs left missing.
pub fn values(model: &Model, f: &Filing) -> (Vec<Value>, Vec<String>) {
    let r = &model.spec.roles;
    let is = |role: &Option<String>, name: &str| role.as_deref() == Some(name);
    let goods = f.goods.first();
    let mut missing = Vec::new();
    let vals = model
        .spec
        .inputs
        .iter()
        .map(|(name, _)| {
            let v = if is(&r.importer, name) {
                Value::Cat(first_party(f, &[Role::ImporterOfRecord, Role::Consignee, Role::Buyer]))
            } else if is(&r.declarant, name) {
                Value::Cat(first_party(f, &[Role::Declarant, Role::FreightForwarder]))
            } else if is(&r.seller, name) {
                Value::Cat(first_party(f, &[Role::Seller, Role::Consignor, Role::Manufacturer]))
            } else if is(&r.hs, name) {
                Value::Cat(goods.and_then(|g| g.hs_code.as_ref()).map(|h| {
                    let d: String = h.chars().filter(|c| c.is_ascii_digit()).take(6).collect();
                    d
                }))
            } else if is(&r.origin, name) {
                Value::Cat(goods.and_then(|g| g.origin.clone()))
            } else if is(&r.departure, name) {
                Value::Cat(
                    f.itinerary
                        .place_of_loading
                        .as_ref()
                        .filter(|p| p.len() >= 2)
                        .map(|p| p.chars().take(2).collect::<String>().to_uppercase())
                        .or_else(|| f.itinerary.routing.first().cloned()),
                )
            } else if is(&r.office, name) {
                Value::Cat(f.itinerary.first_port_of_arrival.clone().or_else(|| f.itinerary.place_of_discharge.clone()))
            } else if is(&r.mass, name) {
                let kg: Option<f64> = f.goods.iter().map(|g| g.net_kg.or(g.gross_kg)).sum();
                Value::Num(kg.unwrap_or(f64::NAN))
            } else if is(&r.value, name) {
                Value::Num(f.total_value().unwrap_or(f64::NAN))
            } else if is(&r.quantity, name) {
                let q: Option<f64> = f.goods.iter().map(|g| g.quantity).sum();
                Value::Num(q.unwrap_or(f64::NAN))
            } else {
                missing.push(name.clone());
                match model.spec.inputs.iter().find(|(n, _)| n == name).map(|(_, t)| *t) {
                    Some(crate::ColumnType::Categorical) => Value::Cat(None),
                    _ => Value::Num(f64::NAN),
                }
            };
            match &v {
                Value::Num(x) if !x.is_finite() => Value::Num(f64::NAN),
                _ => v,
            }
        })
        .collect();
    (vals, missing)
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

/// Score and explain a filing.
pub fn assess(model: &Model, f: &Filing) -> Assessment {
    let (vals, missing) = values(model, f);
    let cells: Vec<Cell<'_>> = vals
        .iter()
        .map(|v| match v {
            Value::Num(x) => Cell::Num(*x),
            Value::Cat(s) => Cell::Cat(s.as_deref()),
        })
        .collect();
    let x = model.row_features(&cells);
    let (raw, contributions) = model.explain_features(&x);
    Assessment { raw_score: raw, probability: model.probability(raw), contributions, missing }
}
