//! Export licences (permits) and their balances: the record as issued ([`Licence`]), what each of its
//! items has used ([`Used`], [`Balances`]) and what one export draws on it ([`Draw`]).
//!
//! Named here because three crates need the same words: the export-control layer matches a goods item
//! against a licence and a snapshot of the balances, the store keeps the registry and decrements the
//! balances atomically with the batch that stores the decision, and the service moves them between
//! the two. A decision carries its draws as `EXP-LICENCE-COVERED` findings ([`draws`]), so the store
//! needs no other channel to learn what to decrement.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Decision;

/// One licence (permit) as issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Licence number as issued (e.g. BIS `D1234567`, a Canadian permit number).
    pub number: String,
    pub holder: String,
    /// Issuing authority: `BIS`, `DDTC`, `GAC`, `SE`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    pub items: Vec<LicenceItem>,
    /// Authorised destinations, ISO 3166-1 alpha-2.
    pub destinations: Vec<String>,
    /// Authorised end users (empty: any end user).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    pub valid_to: NaiveDate,
}

/// One authorised line of a licence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceItem {
    /// Control entry (ECCN, `USML XI`, `ECL 1-3.A.1`).
    pub entry: String,
    /// Authorised quantity, in the goods item's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    /// Authorised value, in the licence's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// What one licence item has used so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Used {
    pub quantity: f64,
    pub value: f64,
}

/// What every licence item has used: (licence number, item index from 0) → used. A snapshot of the
/// store's balances plus what the caller has assessed since.
pub type Balances = HashMap<(String, usize), Used>;

/// What one goods item of an export draws on one licence item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    pub number: String,
    /// Index of the licence item (from 0).
    pub item: usize,
    pub quantity: f64,
    pub value: f64,
}

/// The finding code of a goods item covered by a licence; its evidence carries the draw.
pub const COVERED: &str = "EXP-LICENCE-COVERED";

impl Draw {
    /// The draw a `EXP-LICENCE-COVERED` finding's evidence names (`licence`, `licence_item` from 1,
    /// `draw_quantity`, `draw_value`), if it is one.
    pub fn from_finding(f: &crate::Finding) -> Option<Draw> {
        if f.code != COVERED {
            return None;
        }
        let e = &f.evidence;
        let num = |k: &str| e.get(k).and_then(Value::as_f64);
        Some(Draw {
            number: e.get("licence")?.as_str()?.to_string(),
            item: usize::try_from(e.get("licence_item")?.as_u64()?.checked_sub(1)?).ok()?,
            quantity: num("draw_quantity").unwrap_or(0.0),
            value: num("draw_value").unwrap_or(0.0),
        })
    }
}

/// The licence draws a decision makes, in finding order.
pub fn draws(d: &Decision) -> impl Iterator<Item = Draw> + '_ {
    d.findings.iter().filter_map(Draw::from_finding)
}

/// Add `draws` to `balances`.
pub fn apply(balances: &mut Balances, draws: impl IntoIterator<Item = Draw>) {
    for d in draws {
        let u = balances.entry((d.number, d.item)).or_default();
        u.quantity += d.quantity;
        u.value += d.value;
    }
}

/// Tolerance when comparing a balance with a draw (amounts are decimal quantities and money).
pub const EPSILON: f64 = 1e-9;

/// Whether drawing `draw` on an item with `authorised` amounts and `used` so far stays within them.
pub fn fits(authorised: &LicenceItem, used: Used, quantity: f64, value: f64) -> bool {
    authorised
        .quantity
        .is_none_or(|q| used.quantity + quantity <= q + EPSILON)
        && authorised
            .value
            .is_none_or(|v| used.value + value <= v + EPSILON)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, FindingKind};

    #[test]
    fn draws_round_trip_through_findings() {
        let f = Finding::new("export-control", COVERED, FindingKind::Info, 0.0, "covered")
            .with("licence", "D1234567")
            .with("licence_item", 2)
            .with("draw_quantity", 3.0)
            .with("draw_value", 0.0);
        assert_eq!(
            Draw::from_finding(&f),
            Some(Draw {
                number: "D1234567".into(),
                item: 1,
                quantity: 3.0,
                value: 0.0
            })
        );
        let other = Finding::new("export-control", "EXP-SUMMARY", FindingKind::Info, 0.0, "x");
        assert_eq!(Draw::from_finding(&other), None);
        let item = LicenceItem {
            entry: "3A001".into(),
            quantity: Some(10.0),
            value: None,
        };
        assert!(fits(
            &item,
            Used {
                quantity: 7.0,
                value: 1e9
            },
            3.0,
            5.0
        ));
        assert!(!fits(
            &item,
            Used {
                quantity: 7.5,
                value: 0.0
            },
            3.0,
            0.0
        ));
    }
}
