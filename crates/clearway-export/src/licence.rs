//! Licences: the registry's record, its import (JSON or CSV, all-or-nothing), and matching an export
//! against a snapshot of the registry and its balances.
//!
//! Matching is pure: given the licences and what each item has used, [`LicenceBook::check`] says which
//! licence item covers a goods item, or every reason it does not (not found, expired or not yet valid,
//! another destination, another end user, the entry not on the licence, the balance used up). Spending
//! the balance happens in the store, atomically, when the decision is committed.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::classification::Classification;
pub use clearway_core::licence::{Balances, Licence, LicenceItem, Used};

/// A problem with an imported licence; import applies nothing when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("licence {number:?}{}: {message}", .line.map(|l| format!(" (line {l})")).unwrap_or_default())]
pub struct LicenceError {
    pub number: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Whether a licence number is well formed: 4–24 characters, letters, digits, `-` or `/`, with a digit.
pub fn valid_number(s: &str) -> bool {
    (4..=24).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().any(|c| c.is_ascii_digit())
}

/// Every problem with a licence record (`line`: where it was read, for the messages).
pub fn validate(l: &Licence, line: Option<usize>) -> Vec<LicenceError> {
    let mut errs = Vec::new();
    let mut e = |m: String| {
        errs.push(LicenceError {
            number: l.number.clone(),
            line,
            message: m,
        })
    };
    if !valid_number(&l.number) {
        e(
            "malformed licence number: expected 4-24 letters, digits, '-' or '/', with a digit"
                .into(),
        );
    }
    if l.holder.trim().is_empty() {
        e("no holder".into());
    }
    if l.items.is_empty() {
        e("no items".into());
    }
    for (i, it) in l.items.iter().enumerate() {
        if let Err(err) = Classification::parse(&it.entry) {
            e(format!("item {}: {err}", i + 1));
        }
        if it.quantity.is_none() && it.value.is_none() {
            e(format!(
                "item {} ({}): neither an authorised quantity nor a value",
                i + 1,
                it.entry
            ));
        }
        for (what, v) in [("quantity", it.quantity), ("value", it.value)] {
            if let Some(v) = v
                && (!v.is_finite() || v < 0.0)
            {
                e(format!(
                    "item {} ({}): {what} {v} is negative or not a number",
                    i + 1,
                    it.entry
                ));
            }
        }
    }
    if l.destinations.is_empty() {
        e("no destinations".into());
    }
    for d in &l.destinations {
        if d.len() != 2 || !d.chars().all(|c| c.is_ascii_uppercase()) {
            e(format!(
                "destination {d:?} is not an ISO 3166-1 alpha-2 code"
            ));
        }
    }
    if let Some(from) = l.valid_from
        && from > l.valid_to
    {
        e(format!(
            "valid_from {from} is after valid_to {}",
            l.valid_to
        ));
    }
    errs
}

/// Parse licences from a JSON array; all or nothing.
pub fn parse_json(text: &str) -> Result<Vec<Licence>, Vec<LicenceError>> {
    let v: Vec<Licence> = serde_json::from_str(text).map_err(|e| {
        vec![LicenceError {
            number: String::new(),
            line: Some(e.line()),
            message: e.to_string(),
        }]
    })?;
    let errs: Vec<LicenceError> = v.iter().flat_map(|l| validate(l, None)).collect();
    if errs.is_empty() { Ok(v) } else { Err(errs) }
}

/// Parse licences from CSV, one row per licence item:
/// `number,holder,authority,entry,quantity,value,destinations,end_users,valid_from,valid_to`
/// (lists separated by `;`, dates `YYYY-MM-DD`). Rows of one number are one licence. All or nothing.
pub fn parse_csv(text: &str) -> Result<Vec<Licence>, Vec<LicenceError>> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let head: Vec<String> = match r.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            return Err(vec![LicenceError {
                number: String::new(),
                line: Some(1),
                message: e.to_string(),
            }]);
        }
    };
    let col = |n: &str| head.iter().position(|h| h == n);
    let mut errs = Vec::new();
    for need in ["number", "holder", "entry", "destinations", "valid_to"] {
        if col(need).is_none() {
            errs.push(LicenceError {
                number: String::new(),
                line: Some(1),
                message: format!("missing column {need:?}"),
            });
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let mut order: Vec<String> = Vec::new();
    let mut by: HashMap<String, (Licence, usize)> = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                errs.push(LicenceError {
                    number: String::new(),
                    line: Some(line),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let f = |n: &str| col(n).and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let number = f("number");
        let mut bad = |m: String| {
            errs.push(LicenceError {
                number: number.clone(),
                line: Some(line),
                message: m,
            })
        };
        let num = |n: &str, bad: &mut dyn FnMut(String)| -> Option<f64> {
            let s = f(n);
            if s.is_empty() {
                return None;
            }
            s.parse::<f64>()
                .map_err(|_| bad(format!("{n} {s:?} is not a number")))
                .ok()
        };
        let quantity = num("quantity", &mut bad);
        let value = num("value", &mut bad);
        let date = |n: &str, bad: &mut dyn FnMut(String)| -> Option<NaiveDate> {
            let s = f(n);
            if s.is_empty() {
                return None;
            }
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|_| bad(format!("{n} {s:?} is not a YYYY-MM-DD date")))
                .ok()
        };
        let valid_from = date("valid_from", &mut bad);
        let Some(valid_to) = date("valid_to", &mut bad) else {
            bad("no valid_to date".into());
            continue;
        };
        let list = |n: &str| {
            f(n).split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        };
        let item = LicenceItem {
            entry: f("entry"),
            quantity,
            value,
        };
        match by.get_mut(&number) {
            Some((l, _)) => l.items.push(item),
            None => {
                order.push(number.clone());
                let authority = Some(f("authority")).filter(|s| !s.is_empty());
                let l = Licence {
                    number: number.clone(),
                    holder: f("holder"),
                    authority,
                    items: vec![item],
                    destinations: list("destinations"),
                    end_users: list("end_users"),
                    valid_from,
                    valid_to,
                };
                by.insert(number, (l, line));
            }
        }
    }
    let out: Vec<Licence> = order
        .iter()
        .filter_map(|n| by.remove(n))
        .map(|(l, line)| {
            errs.extend(validate(&l, Some(line)));
            l
        })
        .collect();
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The registry as the layer sees it, with balances of its own for callers that pass none.
///
/// The service passes the balances of the moment in the engine's `Context` instead
/// ([`LicenceBook::check_with`]): the registry is configuration (it enters the fingerprint), the
/// balances are state, like entity history.
#[derive(Debug, Clone, Default)]
pub struct LicenceBook {
    pub licences: HashMap<String, Licence>,
    /// (licence number, item index) → used; read when the caller passes no balances.
    pub used: Balances,
}

/// The licence item that covers a goods item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cover {
    pub number: String,
    /// Index of the licence item.
    pub item: usize,
    /// The licence item's entry.
    pub entry: String,
    /// Balance before this export (authorised less used), when the item authorises a quantity / value.
    pub quantity_before: Option<f64>,
    pub value_before: Option<f64>,
    /// Balance after it.
    pub remaining_quantity: Option<f64>,
    pub remaining_value: Option<f64>,
}

/// Why a licence does not cover the goods item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    Malformed {
        number: String,
    },
    NotFound {
        number: String,
    },
    Expired {
        number: String,
        valid_to: NaiveDate,
    },
    NotYetValid {
        number: String,
        valid_from: NaiveDate,
    },
    OtherDestination {
        number: String,
        destination: String,
        authorised: Vec<String>,
    },
    OtherEndUser {
        number: String,
        end_user: String,
        authorised: Vec<String>,
    },
    EntryNotOnLicence {
        number: String,
        entry: String,
        authorised: Vec<String>,
    },
    UsedUp {
        number: String,
        entry: String,
        what: &'static str,
        requested: f64,
        remaining: f64,
    },
}

impl Problem {
    /// Finding code.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Malformed { .. } => "EXP-LICENCE-MALFORMED",
            Problem::NotFound { .. } => "EXP-LICENCE-NOT-FOUND",
            Problem::Expired { .. } | Problem::NotYetValid { .. } => "EXP-LICENCE-EXPIRED",
            Problem::OtherDestination { .. } => "EXP-LICENCE-DESTINATION",
            Problem::OtherEndUser { .. } => "EXP-LICENCE-END-USER",
            Problem::EntryNotOnLicence { .. } => "EXP-LICENCE-ITEM",
            Problem::UsedUp { .. } => "EXP-LICENCE-USED-UP",
        }
    }

    /// Plain statement for the officer.
    pub fn message(&self) -> String {
        match self {
            Problem::Malformed { number } => format!("licence number {number:?} is malformed"),
            Problem::NotFound { number } => {
                format!("licence {number} is not in the licence registry")
            }
            Problem::Expired { number, valid_to } => {
                format!("licence {number} expired on {valid_to}")
            }
            Problem::NotYetValid { number, valid_from } => {
                format!("licence {number} is valid only from {valid_from}")
            }
            Problem::OtherDestination {
                number,
                destination,
                authorised,
            } => {
                format!(
                    "licence {number} does not authorise {destination} (authorised: {})",
                    authorised.join(", ")
                )
            }
            Problem::OtherEndUser {
                number,
                end_user,
                authorised,
            } => {
                format!(
                    "licence {number} does not name end user {end_user:?} (authorised: {})",
                    authorised.join("; ")
                )
            }
            Problem::EntryNotOnLicence {
                number,
                entry,
                authorised,
            } => {
                format!(
                    "licence {number} does not cover {entry} (items: {})",
                    authorised.join(", ")
                )
            }
            Problem::UsedUp {
                number,
                entry,
                what,
                requested,
                remaining,
            } => {
                format!(
                    "licence {number} ({entry}): {what} {requested} requested, only {remaining} left"
                )
            }
        }
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a licence item's entry covers a declared entry (same ECCN; the licence may name a paragraph).
fn entry_covers(licensed: &str, declared: &Classification) -> bool {
    match (Classification::parse(licensed), declared) {
        (
            Ok(Classification::Eccn {
                entry: a,
                paragraph: pa,
                ..
            }),
            Classification::Eccn {
                entry: b,
                paragraph: pb,
                ..
            },
        ) => a == *b && (pa.is_empty() || pb.starts_with(pa.as_str())),
        (Ok(a), b) => a == *b,
        _ => false,
    }
}

/// What is exported under a licence: one goods item.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub number: &'a str,
    pub class: &'a Classification,
    pub quantity: Option<f64>,
    pub value: Option<f64>,
    pub destination: &'a str,
    pub end_user: Option<&'a str>,
    pub date: NaiveDate,
}

impl LicenceBook {
    pub fn new(licences: Vec<Licence>) -> Self {
        LicenceBook {
            licences: licences
                .into_iter()
                .map(|l| (l.number.clone(), l))
                .collect(),
            used: HashMap::new(),
        }
    }

    /// Which licence item covers the claim, or every reason none does, against the book's own balances.
    pub fn check(&self, c: &Claim<'_>) -> Result<Cover, Vec<Problem>> {
        self.check_with(c, |n, i| {
            self.used
                .get(&(n.to_string(), i))
                .copied()
                .unwrap_or_default()
        })
    }

    /// [`check`](Self::check) against other balances: `used(number, item)` is what the item has used (a
    /// store snapshot, plus what was assessed since, plus earlier goods items of the same filing).
    pub fn check_with(
        &self,
        c: &Claim<'_>,
        used: impl Fn(&str, usize) -> Used,
    ) -> Result<Cover, Vec<Problem>> {
        let number = c.number.trim();
        if !valid_number(number) {
            return Err(vec![Problem::Malformed {
                number: number.into(),
            }]);
        }
        let Some(l) = self.licences.get(number) else {
            return Err(vec![Problem::NotFound {
                number: number.into(),
            }]);
        };
        let n = || number.to_string();
        let mut problems = Vec::new();
        if c.date > l.valid_to {
            problems.push(Problem::Expired {
                number: n(),
                valid_to: l.valid_to,
            });
        }
        if let Some(from) = l.valid_from
            && c.date < from
        {
            problems.push(Problem::NotYetValid {
                number: n(),
                valid_from: from,
            });
        }
        if !l.destinations.iter().any(|d| d == c.destination) {
            problems.push(Problem::OtherDestination {
                number: n(),
                destination: c.destination.into(),
                authorised: l.destinations.clone(),
            });
        }
        if !l.end_users.is_empty() {
            let eu = c.end_user.map(norm).unwrap_or_default();
            if eu.is_empty() || !l.end_users.iter().any(|u| norm(u) == eu) {
                problems.push(Problem::OtherEndUser {
                    number: n(),
                    end_user: c.end_user.unwrap_or("(none declared)").into(),
                    authorised: l.end_users.clone(),
                });
            }
        }
        let Some((idx, item)) = l
            .items
            .iter()
            .enumerate()
            .find(|(_, it)| entry_covers(&it.entry, c.class))
        else {
            problems.push(Problem::EntryNotOnLicence {
                number: n(),
                entry: c.class.label(),
                authorised: l.items.iter().map(|i| i.entry.clone()).collect(),
            });
            return Err(problems);
        };
        let used = used(number, idx);
        let remaining_quantity = item.quantity.map(|q| q - used.quantity);
        let remaining_value = item.value.map(|v| v - used.value);
        for (what, rem, req) in [
            ("quantity", remaining_quantity, c.quantity),
            ("value", remaining_value, c.value),
        ] {
            if let (Some(rem), Some(req)) = (rem, req)
                && req > rem + 1e-9
            {
                problems.push(Problem::UsedUp {
                    number: n(),
                    entry: item.entry.clone(),
                    what,
                    requested: req,
                    remaining: rem.max(0.0),
                });
            }
        }
        if problems.is_empty() {
            Ok(Cover {
                number: n(),
                item: idx,
                entry: item.entry.clone(),
                quantity_before: remaining_quantity,
                value_before: remaining_value,
                remaining_quantity: remaining_quantity.map(|r| r - c.quantity.unwrap_or(0.0)),
                remaining_value: remaining_value.map(|r| r - c.value.unwrap_or(0.0)),
            })
        } else {
            Err(problems)
        }
    }

    /// A digest of the snapshot (licences and balances), for the layer's fingerprint.
    pub fn fingerprint(&self) -> String {
        let mut keys: Vec<&String> = self.licences.keys().collect();
        keys.sort();
        let mut h = blake3::Hasher::new();
        for k in keys {
            h.update(
                serde_json::to_string(&self.licences[k])
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        let mut used: Vec<_> = self.used.iter().collect();
        used.sort_by(|a, b| a.0.cmp(b.0));
        for ((n, i), u) in used {
            h.update(format!("{n}\0{i}\0{}\0{}\0", u.quantity, u.value).as_bytes());
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "number,holder,authority,entry,quantity,value,destinations,end_users,valid_from,valid_to\n\
        D1234567,ACME PHOTONICS,BIS,3A001.b,100,,DE;FR,BERLIN INSTRUMENTS GMBH,2026-01-01,2027-12-31\n\
        D1234567,ACME PHOTONICS,BIS,5A002,,50000,DE;FR,BERLIN INSTRUMENTS GMBH,2026-01-01,2027-12-31\n";

    #[test]
    fn csv_groups_rows_into_licences() {
        let l = parse_csv(CSV).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].items.len(), 2);
        assert_eq!(l[0].destinations, ["DE", "FR"]);
    }

    #[test]
    fn bad_licences_are_rejected_whole_with_every_reason() {
        let bad = "number,holder,entry,quantity,value,destinations,valid_to\n\
            D1,ACME,3A001,-5,,DE,2027-01-01\n\
            D7654321,ACME,3Q001,,,Germany,2027-01-01\n\
            D7777777,ACME,3A001,10,,DE,2027-13-01\n";
        let e = parse_csv(bad).unwrap_err();
        let text: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert!(
            text.iter().any(|t| t.contains("malformed licence number")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("quantity -5 is negative")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("unknown control classification")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("neither an authorised quantity nor a value")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("not an ISO 3166-1")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("line 4") && t.contains("YYYY-MM-DD")),
            "{text:?}"
        );
        assert!(parse_json(r#"[{"number":"D1234567","holder":"A","items":[{"entry":"3A001"}],"destinations":["DE"],"valid_to":"2027-01-01"}]"#).is_err());
        assert!(parse_json("{").is_err());
    }
}
