//! The trusted-trader registry's file forms: CSV (`program,member_id,name,country,tier,business,status,
//! valid_from,valid_to,last_validated`) and JSON (an array of memberships). Parsing only; the caller reads.

use chrono::NaiveDate;
use clearway_core::{Membership, MembershipStatus, Program};

/// A registry row that could not be read, with its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {field}: {message}")]
pub struct RegistryError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

const COLUMNS: [&str; 10] =
    ["program", "member_id", "name", "country", "tier", "business", "status", "valid_from", "valid_to", "last_validated"];

/// Parse registry CSV. Every bad row is reported; good rows are returned alongside.
pub fn memberships_from_csv(text: &str) -> (Vec<Membership>, Vec<RegistryError>) {
    let mut rd = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut errs = Vec::new();
    let headers = match rd.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errs.push(RegistryError { line: 1, field: "header".into(), message: e.to_string() });
            return (out, errs);
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    for required in ["program", "member_id", "status"] {
        if col(required).is_none() {
            errs.push(RegistryError { line: 1, field: required.into(), message: "missing column".into() });
        }
    }
    if !errs.is_empty() {
        return (out, errs);
    }
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errs.push(RegistryError { line, field: "row".into(), message: e.to_string() });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| idx[i].and_then(|j| rec.get(j)).filter(|s| !s.is_empty());
        let err = |field: &str, message: String| RegistryError { line, field: field.into(), message };
        let date = |i: usize| -> Result<Option<NaiveDate>, RegistryError> {
            get(i).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| err(COLUMNS[i], format!("\"{s}\": {e} (want YYYY-MM-DD)")))).transpose()
        };
        let row = (|| {
            let program = get(0).ok_or_else(|| err("program", "empty".into()))?;
            let program = Program::parse(program).ok_or_else(|| err("program", format!("unknown program \"{program}\" (FAST, CTPAT, PIP, CSA, OEA, AEO)")))?;
            let member_id = get(1).ok_or_else(|| err("member_id", "empty".into()))?.to_owned();
            let status = match get(6).map(str::to_ascii_lowercase).as_deref() {
                Some("active") => MembershipStatus::Active,
                Some("suspended") => MembershipStatus::Suspended,
                Some("cancelled" | "canceled") => MembershipStatus::Cancelled,
                other => return Err(err("status", format!("{other:?}: want active, suspended or cancelled"))),
            };
            let tier = get(4).map(|t| t.parse::<u8>().map_err(|_| err("tier", format!("\"{t}\" is not a number")))).transpose()?;
            Ok(Membership {
                program,
                member_id,
                name: get(2).map(str::to_owned),
                country: get(3).map(str::to_owned),
                tier,
                business: get(5).map(str::to_owned),
                status,
                valid_from: date(7)?,
                valid_to: date(8)?,
                last_validated: date(9)?,
            })
        })();
        match row {
            Ok(m) => out.push(m),
            Err(e) => errs.push(e),
        }
    }
    (out, errs)
}

/// Write registry CSV (the same columns).
pub fn memberships_to_csv(ms: &[Membership]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for m in ms {
        let status = match m.status {
            MembershipStatus::Active => "active",
            MembershipStatus::Suspended => "suspended",
            MembershipStatus::Cancelled => "cancelled",
        };
        let _ = w.write_record([
            m.program.as_str().to_owned(),
            m.member_id.clone(),
            m.name.clone().unwrap_or_default(),
            m.country.clone().unwrap_or_default(),
            m.tier.map(|t| t.to_string()).unwrap_or_default(),
            m.business.clone().unwrap_or_default(),
            status.to_owned(),
            d(m.valid_from),
            d(m.valid_to),
            d(m.last_validated),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_and_errors() {
        let text = "program,member_id,name,country,tier,business,status,valid_from,valid_to,last_validated\n\
                    C-TPAT,CT-1,Acme,US,3,importer,active,2020-01-01,2027-12-31,2025-06-01\n\
                    PIP,P-1,Maple,CA,,highway-carrier,suspended,2019-05-01,,\n\
                    XYZ,Q,,,,,active,,,\n\
                    FAST,F-1,,,,driver,active,2020-13-01,,\n";
        let (ms, errs) = memberships_from_csv(text);
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].program, Program::CTPAT);
        assert_eq!(ms[0].tier, Some(3));
        assert_eq!(ms[1].status, MembershipStatus::Suspended);
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].line, 4);
        assert_eq!(errs[0].field, "program");
        assert_eq!(errs[1].line, 5);
        assert_eq!(errs[1].field, "valid_from");
        let (again, e2) = memberships_from_csv(&memberships_to_csv(&ms));
        assert!(e2.is_empty());
        assert_eq!(again, ms);
    }
}
