//! OFAC legacy CSV sets: SDN (`sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`) and the consolidated
//! non-SDN list (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv`). No header; `-0-`
//! means empty; Latin-1.

use clearway_core::Diagnostic;
use std::collections::HashMap;

use crate::model::{Address, Entity, Gender, NameKind, Schema, clean};
use crate::text::parse_date;

/// One file of the set, by its role (detected from the number of fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Main,
    Alt,
    Add,
    Comments,
}

/// Field value with `-0-` read as empty.
fn field(rec: &csv::StringRecord, i: usize) -> &str {
    let v = rec.get(i).unwrap_or("").trim();
    if v == "-0-" { "" } else { v }
}

pub(crate) fn records(text: &str) -> impl Iterator<Item = (u64, Result<csv::StringRecord, csv::Error>)> + '_ {
    let rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    rdr.into_records().enumerate().map(|(i, r)| (i as u64 + 1, r))
}

/// Which part of the set a text is, from its first record; `None` when it is not OFAC legacy CSV.
pub fn detect_part(text: &str) -> Option<Part> {
    let (_, first) = records(text).next()?;
    let rec = first.ok()?;
    if rec.get(0)?.trim().parse::<u64>().is_err() {
        return None;
    }
    match rec.len() {
        12 => Some(Part::Main),
        5 if rec.get(1)?.trim().parse::<u64>().is_ok() => Some(Part::Alt),
        6 if rec.get(1)?.trim().parse::<u64>().is_ok() => Some(Part::Add),
        2 => Some(Part::Comments),
        _ => None,
    }
}

/// Load a set: `parts` are (file name, part, text). Entities come from the main file; the others attach to them.
pub fn load(list: &str, parts: &[(&str, Part, &str)], diags: &mut Vec<Diagnostic>) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (name, part, text) in parts.iter().filter(|p| p.1 == Part::Main) {
        let _ = part;
        for (line, rec) in records(text) {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    diags.push(Diagnostic::warning(format!("{name}:{line}"), format!("unreadable row: {e}")).at_line(line, None));
                    continue;
                }
            };
            let id = field(&rec, 0);
            if id.is_empty() || rec.len() < 4 {
                diags.push(Diagnostic::warning(format!("{name}:{line}"), "row without an entity number or name").at_line(line, None));
                continue;
            }
            if by_id.contains_key(id) {
                diags.push(Diagnostic::warning(format!("{name}:{line}"), format!("duplicated entity number {id}; later row ignored")).at_line(line, None));
                continue;
            }
            let schema = match field(&rec, 2).to_ascii_lowercase().as_str() {
                "individual" => Schema::Person,
                "vessel" => Schema::Vessel,
                "aircraft" => Schema::Aircraft,
                _ => Schema::Organization,
            };
            let mut e = Entity::new(list, id, schema);
            e.add_name(field(&rec, 1), NameKind::Primary);
            for p in field(&rec, 3).split("] [") {
                e.add_programme(p.trim_matches(|c| c == '[' || c == ']' || c == ' '));
            }
            let call_sign = field(&rec, 5);
            e.add_identifier("call-sign", call_sign, None);
            let flag = field(&rec, 9);
            if !flag.is_empty() {
                e.add_nationality(flag);
            }
            let remarks = field(&rec, 11);
            if !remarks.is_empty() {
                e.remarks = Some(clean(remarks));
                apply_remarks(&mut e, remarks);
            }
            by_id.insert(id.to_string(), entities.len());
            entities.push(e);
        }
    }
    for (name, part, text) in parts.iter().filter(|p| p.1 != Part::Main) {
        for (line, rec) in records(text) {
            let Ok(rec) = rec else {
                diags.push(Diagnostic::warning(format!("{name}:{line}"), "unreadable row").at_line(line, None));
                continue;
            };
            let id = field(&rec, 0);
            let Some(&i) = by_id.get(id) else {
                diags.push(Diagnostic::warning(format!("{name}:{line}"), format!("entity number {id:?} is not in the main file")).at_line(line, None));
                continue;
            };
            let e = &mut entities[i];
            match part {
                Part::Alt => {
                    let kind = match field(&rec, 2).to_ascii_lowercase().as_str() {
                        "fka" => NameKind::Fka,
                        _ => NameKind::Aka,
                    };
                    let rem = field(&rec, 4).to_ascii_lowercase();
                    let kind = if rem.contains("weak") || rem.contains("low quality") { NameKind::Weak } else { kind };
                    e.add_name(field(&rec, 3), kind);
                }
                Part::Add => {
                    let text = [field(&rec, 2), field(&rec, 3)].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(", ");
                    let country = field(&rec, 4);
                    if !text.is_empty() || !country.is_empty() {
                        e.addresses.push(Address { text: clean(&text), country: (!country.is_empty()).then(|| clean(country)) });
                    }
                }
                Part::Comments => {
                    let more = field(&rec, 1);
                    if !more.is_empty() {
                        let joined = format!("{} {}", e.remarks.as_deref().unwrap_or(""), more);
                        e.remarks = Some(clean(&joined));
                        apply_remarks(e, more);
                    }
                }
                Part::Main => {}
            }
        }
    }
    entities
}

/// Read the structured items OFAC writes into remarks: `DOB`, `nationality`, `citizen`, `Gender`,
/// `Passport`, `National ID No.`, `IMO`, `a.k.a. 'weak alias'`.
pub fn apply_remarks(e: &mut Entity, remarks: &str) {
    for item in remarks.split(';') {
        let item = item.trim().trim_end_matches('.').trim();
        let lower = item.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("dob ") {
            if let Some(d) = parse_date(rest) {
                e.add_dob(d);
            }
        } else if let Some(rest) = strip_ci(item, "nationality ").or_else(|| strip_ci(item, "citizen ")) {
            e.add_nationality(rest);
        } else if let Some(rest) = strip_ci(item, "gender ") {
            e.gender = Gender::parse(rest);
        } else if let Some(rest) = strip_ci(item, "passport ") {
            let (v, c) = value_and_country(rest);
            e.add_identifier("passport", v, c);
        } else if let Some(rest) = strip_ci(item, "national id no. ").or_else(|| strip_ci(item, "cedula no. ")) {
            let (v, c) = value_and_country(rest);
            e.add_identifier("national-id", v, c);
        } else if let Some(rest) = strip_ci(item, "tax id no. ").or_else(|| strip_ci(item, "nit # ")).or_else(|| strip_ci(item, "rfc ")) {
            let (v, c) = value_and_country(rest);
            e.add_identifier("tax-id", v, c);
        } else if let Some(pos) = lower.find("imo ") {
            let v: String = item[pos + 4..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if v.len() == 7 {
                e.add_identifier("imo", &v, None);
            }
        } else if lower.starts_with("a.k.a.") || lower.starts_with("f.k.a.") {
            let kind = if lower.starts_with("f.k.a.") { NameKind::Fka } else { NameKind::Weak };
            for n in item[6..].split(['\'', '"']).map(str::trim).filter(|s| !s.is_empty() && *s != ",") {
                e.add_name(n.trim_matches(','), kind);
            }
        }
    }
}

fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| s[prefix.len()..].trim())
}

/// `X123 (Iran) issued 2010` → (`X123`, `Iran`).
fn value_and_country(s: &str) -> (&str, Option<&str>) {
    let value = s.split_whitespace().next().unwrap_or("");
    let country = s.find('(').and_then(|a| s[a + 1..].find(')').map(|b| &s[a + 1..a + 1 + b]));
    (value, country)
}
