//! Named lists (companies, countries, HS prefixes, ports, containers) and the value-control table, from
//! CSV text. Principal items: [`parse_list`], [`ValueTable`]. A malformed row is an error with
//! file:line:column; nothing of a bad file is used.

use crate::{Diag, Pos};
use std::collections::HashMap;

/// One named list: its entries (trimmed, as written) and where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedList {
    pub name: String,
    pub file: String,
    pub entries: Vec<String>,
}

fn col_of(rec: &csv::StringRecord, field: usize) -> u32 {
    1 + rec.iter().take(field).map(|f| f.chars().count() as u32 + 1).sum::<u32>()
}

fn line_of(rec: &csv::StringRecord) -> u32 {
    rec.position().map(|p| p.line() as u32).unwrap_or(0)
}

fn csv_error(file: &str, e: &csv::Error) -> Diag {
    let line = e.position().map(|p| p.line() as u32).unwrap_or(0);
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    Diag::new(file, Pos { line, col: 1 }, msg)
}

/// Parse a list file: a header row, then one entry per row in the first column (other columns are notes).
/// `name` is the list name (`@name` in profiles), usually the file stem.
pub fn parse_list(name: &str, file: &str, text: &str) -> Result<NamedList, Vec<Diag>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).comment(Some(b'#')).from_reader(text.as_bytes());
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    if let Err(e) = rdr.headers() {
        return Err(vec![csv_error(file, &e)]);
    }
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let v = r.get(0).unwrap_or("").trim();
                if v.is_empty() {
                    diags.push(Diag::new(file, Pos { line: line_of(&r), col: 1 }, "empty entry in the first column"));
                } else {
                    entries.push(v.to_owned());
                }
            }
            Err(e) => diags.push(csv_error(file, &e)),
        }
    }
    if diags.is_empty() { Ok(NamedList { name: name.to_owned(), file: file.to_owned(), entries }) } else { Err(diags) }
}

/// The value-control table: HS-6 × origin → minimum and maximum unit value per kg. Origin `*` applies to
/// every origin without its own row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueTable {
    rows: HashMap<(String, String), (Option<f64>, Option<f64>)>,
}

impl ValueTable {
    /// Columns: `hs6,origin,min_unit_value_kg,max_unit_value_kg` (either bound may be empty).
    pub fn parse(file: &str, text: &str) -> Result<ValueTable, Vec<Diag>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).comment(Some(b'#')).from_reader(text.as_bytes());
        let mut t = ValueTable::default();
        let mut diags = Vec::new();
        match rdr.headers() {
            Ok(h) => {
                let want = ["hs6", "origin", "min_unit_value_kg", "max_unit_value_kg"];
                let got: Vec<&str> = h.iter().map(str::trim).collect();
                if got != want {
                    return Err(vec![Diag::new(file, Pos { line: 1, col: 1 }, format!("header must be {}", want.join(",")))]);
                }
            }
            Err(e) => return Err(vec![csv_error(file, &e)]),
        }
        for rec in rdr.records() {
            let r = match rec {
                Ok(r) => r,
                Err(e) => {
                    diags.push(csv_error(file, &e));
                    continue;
                }
            };
            let line = line_of(&r);
            let at = |i: usize| Pos { line, col: col_of(&r, i) };
            let hs6 = r.get(0).unwrap_or("").trim();
            if hs6.len() != 6 || !hs6.bytes().all(|b| b.is_ascii_digit()) {
                diags.push(Diag::new(file, at(0), format!("HS-6 must be six digits, got {hs6:?}")));
                continue;
            }
            let origin = r.get(1).unwrap_or("").trim().to_ascii_uppercase();
            if !(origin == "*" || (origin.len() == 2 && origin.bytes().all(|b| b.is_ascii_uppercase()))) {
                diags.push(Diag::new(file, at(1), format!("origin must be a two-letter country code or `*`, got {origin:?}")));
                continue;
            }
            let mut bound = |i: usize| -> Result<Option<f64>, ()> {
                let s = r.get(i).unwrap_or("").trim();
                if s.is_empty() {
                    return Ok(None);
                }
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
                    _ => {
                        diags.push(Diag::new(file, at(i), format!("unit value must be a number >= 0, got {s:?}")));
                        Err(())
                    }
                }
            };
            let (Ok(min), Ok(max)) = (bound(2), bound(3)) else { continue };
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    diags.push(Diag::new(file, at(2), format!("minimum {a} is above maximum {b}")));
                    continue;
                }
            }
            if t.rows.insert((hs6.to_owned(), origin.clone()), (min, max)).is_some() {
                diags.push(Diag::new(file, at(0), format!("duplicate row for {hs6} × {origin}")));
            }
        }
        if diags.is_empty() { Ok(t) } else { Err(diags) }
    }

    /// Bounds for an HS-6 and origin (the origin's own row, else the `*` row).
    pub fn bounds(&self, hs6: &str, origin: &str) -> Option<(Option<f64>, Option<f64>)> {
        if self.rows.is_empty() {
            return None;
        }
        let mut key = (hs6.to_owned(), origin.to_ascii_uppercase());
        if let Some(b) = self.rows.get(&key) {
            return Some(*b);
        }
        key.1 = "*".into();
        self.rows.get(&key).copied()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_bad_rows() {
        let l = parse_list("hubs", "hubs.csv", "country,note\nAE,Jebel Ali\nSG,\n").unwrap();
        assert_eq!(l.entries, ["AE", "SG"]);
        let e = parse_list("hubs", "hubs.csv", "country,note\nAE,x\n,empty\nSG,a,b\n").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].pos.line, 3);
        assert!(e[1].message.contains("3 fields"), "{}", e[1]);
        assert_eq!(e[1].pos.line, 4);
    }

    #[test]
    fn value_table() {
        let t = ValueTable::parse("v.csv", "hs6,origin,min_unit_value_kg,max_unit_value_kg\n851712,CN,40,\n851712,*,60,900\n").unwrap();
        assert_eq!(t.bounds("851712", "cn"), Some((Some(40.0), None)));
        assert_eq!(t.bounds("851712", "VN"), Some((Some(60.0), Some(900.0))));
        assert_eq!(t.bounds("999999", "VN"), None);
        let e = ValueTable::parse("v.csv", "hs6,origin,min_unit_value_kg,max_unit_value_kg\n8517,CN,1,2\n851712,CN,abc,2\n").unwrap_err();
        assert_eq!((e[0].pos.line, e[0].pos.column), (2, 1));
        assert_eq!((e[1].pos.line, e[1].pos.column), (3, 11));
    }
}
