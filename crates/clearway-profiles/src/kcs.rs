//! KCS synthetic import declarations (`df_syn_*_eng.csv`, 22 columns) → filings with labels. Principal
//! items: [`parse`], [`Labelled`].
//!
//! Mapping: `Declaration ID` → filing id; `Date` → filed at (midnight UTC); `Office ID` → office;
//! `Importer ID` → importer of record (name and IOR id); `Declarant ID` → declarant; `Seller ID` → seller;
//! `HS6 Code` → HS code; `Country of Origin` → origin; `Country of Departure` → departure country and
//! routing; `Net Mass` → net kg; `Item Price` → value; `Tax Rate` → tax rate (percent);
//! `Mode of Transport` 10 → marine, 40 → air, other → marine; `Fraud` → label. The agency country is
//! recorded as US (the filing model knows only CA, US, MX); stage arrival. KCS carries no revenue column.

use crate::facts::Extras;
use crate::{Diag, Pos};
use chrono::{NaiveDate, TimeZone, Utc};
use clearway_core::{
    AgencyCountry, Direction, Filing, FilingKind, FilingStatus, GoodsItem, Identifier, Itinerary, Mode, Party, Role, Stage, Times,
};

/// A filing with its exam outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub filing: Filing,
    pub extras: Extras,
    pub fraud: bool,
    /// Revenue recovered by the exam, where the data has it.
    pub revenue: Option<f64>,
}

const COLS: [&str; 15] = [
    "Declaration ID", "Date", "Office ID", "Declarant ID", "Importer ID", "Seller ID", "HS6 Code", "Country of Departure",
    "Country of Origin", "Tax Rate", "Net Mass", "Item Price", "Fraud", "Mode of Transport", "Critical Fraud",
];

/// Parse KCS CSV text. Rows that do not parse are reported (file:line:column) and skipped.
pub fn parse(file: &str, text: &str) -> Result<(Vec<Labelled>, Vec<Diag>), Diag> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| Diag::new(file, Pos { line: 1, col: 1 }, e.to_string()))?.clone();
    let mut ix = [0usize; COLS.len()];
    for (k, c) in COLS.iter().enumerate() {
        ix[k] = headers
            .iter()
            .position(|h| h.trim() == *c)
            .ok_or_else(|| Diag::new(file, Pos { line: 1, col: 1 }, format!("missing column {c:?}: not a KCS declarations file")))?;
    }
    let (mut out, mut diags) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let r = match rec {
            Ok(r) => r,
            Err(e) => {
                diags.push(Diag::new(file, Pos { line: e.position().map(|p| p.line() as u32).unwrap_or(0), col: 1 }, e.to_string()));
                continue;
            }
        };
        let line = r.position().map(|p| p.line() as u32).unwrap_or(0);
        let g = |k: usize| r.get(ix[k]).unwrap_or("").trim();
        let col = |k: usize| 1 + r.iter().take(ix[k]).map(|f| f.chars().count() as u32 + 1).sum::<u32>();
        let num = |k: usize| -> Option<f64> { g(k).parse::<f64>().ok().filter(|v| v.is_finite()) };
        let Ok(date) = NaiveDate::parse_from_str(g(1), "%Y-%m-%d") else {
            diags.push(Diag::new(file, Pos { line, col: col(1) }, format!("bad date {:?}", g(1))));
            continue;
        };
        let fraud = match g(12) {
            "1" => true,
            "0" => false,
            other => {
                diags.push(Diag::new(file, Pos { line, col: col(12) }, format!("Fraud must be 0 or 1, got {other:?}")));
                continue;
            }
        };
        let party = |role: Role, v: &str, scheme: Option<&str>| Party {
            role,
            name: v.to_owned(),
            address: None,
            country: None,
            ids: scheme.map(|s| vec![Identifier { scheme: s.into(), value: v.to_owned(), issuer: None }]).unwrap_or_default(),
        };
        let mut parties = vec![party(Role::ImporterOfRecord, g(4), Some("IOR"))];
        if !g(3).is_empty() {
            parties.push(party(Role::Declarant, g(3), None));
        }
        if !g(5).is_empty() {
            parties.push(party(Role::Seller, g(5), None));
        }
        let dep = g(7).to_owned();
        let filing = Filing {
            id: g(0).to_owned(),
            version: 1,
            kind: FilingKind::AdvanceCargo,
            status: FilingStatus::Original,
            resubmits: None,
            mode: if g(13) == "40" { Mode::Air } else { Mode::Marine },
            direction: Direction::Import,
            country: AgencyCountry::US,
            stage: Stage::Arrival,
            cargo: None,
            fast: false,
            parties,
            goods: vec![GoodsItem {
                hs_code: Some(g(6).to_owned()).filter(|s| !s.is_empty()),
                origin: Some(g(8).to_owned()).filter(|s| !s.is_empty()),
                net_kg: num(10),
                value: num(11),
                ..GoodsItem::default()
            }],
            equipment: vec![],
            conveyance: None,
            itinerary: Itinerary { routing: if dep.is_empty() { vec![] } else { vec![dep.clone()] }, ..Itinerary::default() },
            export: None,
            times: Times { filed_at: date.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t)), ..Times::default() },
        };
        let extras = Extras {
            tax_rate: num(9),
            departure_country: Some(dep).filter(|s| !s.is_empty()),
            office: Some(g(2).to_owned()).filter(|s| !s.is_empty()),
            declarant: Some(g(3).to_owned()).filter(|s| !s.is_empty()),
        };
        out.push(Labelled { filing, extras, fraud, revenue: None });
    }
    Ok((out, diags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_columns() {
        let text = "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud\n\
97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0\n\
1,2020-13-01,30,B,11,21,11,10,A,B,C,,440890,BE,BE,0.0,FEU1,G,108.0,3.4,0,0\n";
        let (rows, diags) = parse("k.csv", text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].pos.line, diags[0].pos.column), (3, 3));
        let r = &rows[0];
        assert_eq!(r.filing.goods[0].hs_code.as_deref(), Some("440890"));
        assert_eq!(r.filing.goods[0].value, Some(372254.4));
        assert_eq!(r.extras.office.as_deref(), Some("30"));
        assert!(!r.fraud);
        assert!(parse("x.csv", "a,b\n1,2\n").is_err());
    }
}
