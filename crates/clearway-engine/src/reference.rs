//! Reference data: HS 2022 nomenclature and UN/LOCODE tables, parsed from their CSV text.
//! The caller reads the files; this module only parses (no I/O).

use std::collections::{BTreeSet, HashSet};

/// What a reference table could not read.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("{file}: line {line}: {message}")]
    Csv { file: String, line: u64, message: String },
    #[error("{file}: missing column {column}")]
    MissingColumn { file: String, column: String },
}

/// Code lists for existence checks. Empty tables mean "not configured": only formats are checked.
#[derive(Debug, Clone, Default)]
pub struct ReferenceData {
    /// HS 2022 codes at 2, 4 and 6 digits.
    hs: HashSet<u32, foldhash::fast::RandomState>,
    /// UN/LOCODEs, 5 ASCII bytes.
    locodes: HashSet<[u8; 5], foldhash::fast::RandomState>,
    /// Countries for which the LOCODE table is complete enough to judge existence.
    locode_countries: BTreeSet<[u8; 2]>,
    fingerprint: blake3::Hasher,
}

fn hs_key(digits: &str) -> Option<u32> {
    // Prefix the length so "01" and "0001" differ.
    let v: u32 = digits.parse().ok()?;
    Some(v * 10 + digits.len() as u32)
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

fn column(headers: &csv::StringRecord, file: &str, name: &str) -> Result<usize, ReferenceError> {
    headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case(name))
        .ok_or_else(|| ReferenceError::MissingColumn { file: file.to_owned(), column: name.to_owned() })
}

impl ReferenceData {
    pub fn is_empty(&self) -> bool {
        self.hs.is_empty() && self.locodes.is_empty()
    }

    pub fn has_hs(&self) -> bool {
        !self.hs.is_empty()
    }

    /// Load the HS nomenclature (`section,hscode,description,parent,level`).
    pub fn add_hs_csv(&mut self, file: &str, text: &str) -> Result<usize, ReferenceError> {
        let mut rd = csv_reader(text);
        let headers = rd.headers().map_err(|e| csv_err(file, &e))?.clone();
        let code = column(&headers, file, "hscode")?;
        let mut n = 0;
        for rec in rd.records() {
            let rec = rec.map_err(|e| csv_err(file, &e))?;
            let c = rec.get(code).unwrap_or("");
            if matches!(c.len(), 2 | 4 | 6)
                && let Some(k) = hs_key(c)
            {
                self.hs.insert(k);
                n += 1;
            }
        }
        self.fingerprint.update(text.as_bytes());
        Ok(n)
    }

    /// Load a UN/LOCODE table. Accepts the UNECE layout (`LOCODE` column like `CA  HOS`) and the
    /// flat layout (`unlocode` column like `USABL`). Countries seen become "covered".
    pub fn add_locode_csv(&mut self, file: &str, text: &str) -> Result<usize, ReferenceError> {
        let mut rd = csv_reader(text);
        let headers = rd.headers().map_err(|e| csv_err(file, &e))?.clone();
        let code = column(&headers, file, "unlocode").or_else(|_| column(&headers, file, "LOCODE"))?;
        let mut n = 0;
        for rec in rd.records() {
            let rec = rec.map_err(|e| csv_err(file, &e))?;
            if let Some(k) = locode_key(rec.get(code).unwrap_or("")) {
                self.locodes.insert(k);
                self.locode_countries.insert([k[0], k[1]]);
                n += 1;
            }
        }
        self.fingerprint.update(text.as_bytes());
        Ok(n)
    }

    /// `Some(true/false)` when the HS table is loaded; checks the first 6 digits (and 4 and 2).
    pub fn hs_exists(&self, digits: &str) -> Option<bool> {
        if self.hs.is_empty() {
            return None;
        }
        let six = digits.get(..6)?;
        Some(hs_key(six).is_some_and(|k| self.hs.contains(&k)))
    }

    /// `Some(true/false)` when the LOCODE table covers the code's country.
    pub fn locode_exists(&self, code: &str) -> Option<bool> {
        if self.locode_countries.is_empty() {
            return None;
        }
        let k = locode_key(code)?;
        if !self.locode_countries.contains(&[k[0], k[1]]) {
            return None;
        }
        Some(self.locodes.contains(&k))
    }

    /// Counts for reports: (HS codes, LOCODEs, covered countries).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.hs.len(), self.locodes.len(), self.locode_countries.len())
    }

    /// Hash of everything loaded, part of the configuration hash.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.finalize().to_hex()[..16].to_string()
    }
}

fn locode_key(code: &str) -> Option<[u8; 5]> {
    let mut k = [0u8; 5];
    let mut n = 0;
    for b in code.bytes().filter(|b| !b.is_ascii_whitespace()) {
        if n == 5 {
            return None;
        }
        k[n] = b.to_ascii_uppercase();
        n += 1;
    }
    (n == 5).then_some(k)
}

fn csv_err(file: &str, e: &csv::Error) -> ReferenceError {
    ReferenceError::Csv {
        file: file.to_owned(),
        line: e.position().map(|p| p.line()).unwrap_or(0),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_and_locode_tables() {
        let mut r = ReferenceData::default();
        assert_eq!(r.hs_exists("847130"), None);
        let hs = "section,hscode,description,parent,level\nXVI,84,Machinery,TOTAL,2\nXVI,8471,Computers,84,4\nXVI,847130,Laptops,8471,6\n";
        assert_eq!(r.add_hs_csv("hs.csv", hs).unwrap(), 3);
        assert_eq!(r.hs_exists("8471300000"), Some(true));
        assert_eq!(r.hs_exists("847199"), Some(false));
        let ca = "ISO 3166-1,Country Name,Ch,LOCODE,Name\nCA,Canada,  ,CA  VAN  ,Vancouver\n";
        r.add_locode_csv("ca.csv", ca).unwrap();
        assert_eq!(r.locode_exists("CAVAN"), Some(true));
        assert_eq!(r.locode_exists("CA VAN"), Some(true));
        assert_eq!(r.locode_exists("CAXXX"), Some(false));
        assert_eq!(r.locode_exists("CNSHA"), None, "China is not covered");
    }
}
