//! IAEA source categories (Code of Conduct / RS-G-1.9): D-values and the A/D ratio.
//!
//! A/D ≥ 1000 → Category 1; ≥ 10 → 2; ≥ 1 → 3; ≥ 0.01 → 4; below → 5. An aggregate (several sources,
//! or several nuclides in one consignment) uses the sum of A/D. The D-values in [`AUTHORITATIVE`] are
//! facts (10 CFR 110 App P, Directive 2013/59/Euratom Annex III); further values read with
//! [`DTable::with_csv`] are marked `verified: false`, and every categorisation that uses one says so.

use serde::Serialize;

use crate::RadError;

/// Becquerel per terabecquerel.
const BQ_PER_TBQ: f64 = 1e12;

/// Authoritative D-values in TBq, by canonical nuclide name.
pub const AUTHORITATIVE: &[(&str, f64)] = &[
    ("Am-241", 0.06),
    ("Am-241/Be", 0.06),
    ("Cf-252", 0.02),
    ("Cm-244", 0.05),
    ("Co-60", 0.03),
    ("Cs-137", 0.1),
    ("Gd-153", 1.0),
    ("Ir-192", 0.08),
    ("Pm-147", 40.0),
    ("Pu-238", 0.06),
    ("Pu-239/Be", 0.06),
    ("Ra-226", 0.04),
    ("Se-75", 0.2),
    ("Sr-90", 1.0),
    ("Tm-170", 20.0),
    ("Yb-169", 0.3),
];

/// Category thresholds on A/D, Category 1 first.
pub const THRESHOLDS: [(u8, f64); 4] = [(1, 1000.0), (2, 10.0), (3, 1.0), (4, 0.01)];

/// Relative tolerance at a threshold, so that 100 TBq of Cs-137 (A/D = 1000 up to rounding) is Category 1.
const EPS: f64 = 1e-9;

/// Canonical nuclide name: `cs137`, `Cs 137`, `CS-137` → `Cs-137`; `Sr-90 (Y-90)` → `Sr-90` (the daughter
/// in parentheses is dropped); `tc99m` → `Tc-99m`; `am241/be` → `Am-241/Be`.
pub fn normalize_nuclide(input: &str) -> Result<String, RadError> {
    let bad = || RadError::BadNuclide(input.to_string());
    let base = match input.find('(') {
        Some(i) => &input[..i],
        None => input,
    };
    let mut halves = base.splitn(2, '/');
    let main = halves.next().unwrap_or_default();
    let partner = halves.next();
    let compact: String = main.chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '\t')).collect();
    let letters: String = compact.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let rest = &compact[letters.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let tail = &rest[digits.len()..];
    if letters.is_empty() || letters.len() > 2 || digits.is_empty() || !(tail.is_empty() || tail.eq_ignore_ascii_case("m")) {
        return Err(bad());
    }
    let mut out = element(&letters);
    out.push('-');
    out.push_str(&digits);
    if !tail.is_empty() {
        out.push('m');
    }
    if let Some(p) = partner {
        let p = p.trim();
        if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad());
        }
        out.push('/');
        out.push_str(&element(p));
    }
    Ok(out)
}

fn element(s: &str) -> String {
    let mut out = String::with_capacity(2);
    for (i, c) in s.chars().enumerate() {
        out.push(if i == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
    }
    out
}

/// One D-value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DEntry {
    /// Canonical nuclide name.
    pub nuclide: String,
    pub d_value_tbq: f64,
    /// `true` for [`AUTHORITATIVE`] values; `false` for values read from a table marked for verification.
    pub verified: bool,
}

/// A D-value table: the authoritative values, optionally extended with unverified ones.
#[derive(Debug, Clone, PartialEq)]
pub struct DTable {
    entries: Vec<DEntry>,
}

impl Default for DTable {
    fn default() -> Self {
        DTable::authoritative()
    }
}

impl DTable {
    /// The authoritative values only.
    pub fn authoritative() -> DTable {
        DTable { entries: AUTHORITATIVE.iter().map(|&(n, d)| DEntry { nuclide: n.to_string(), d_value_tbq: d, verified: true }).collect() }
    }

    /// The authoritative values plus every nuclide of `csv_text` (the text of
    /// `d_values_and_category_thresholds.csv`: columns `radionuclide`, `d_value_TBq`, ...) not already
    /// known; those are `verified: false`. An authoritative value is never replaced.
    pub fn with_csv(csv_text: &str) -> Result<DTable, RadError> {
        let mut t = DTable::authoritative();
        let mut rd = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(csv_text.as_bytes());
        let headers = rd.headers().map_err(|e| RadError::Csv { line: 1, message: e.to_string() })?.clone();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(n_col), Some(d_col)) = (col("radionuclide"), col("d_value_TBq")) else {
            return Err(RadError::Csv { line: 1, message: "columns radionuclide and d_value_TBq required".into() });
        };
        for rec in rd.records() {
            let rec = rec.map_err(|e| RadError::Csv { line: e.position().map_or(0, |p| p.line()), message: e.to_string() })?;
            let line = rec.position().map_or(0, |p| p.line());
            let name = rec.get(n_col).unwrap_or_default();
            if name.is_empty() {
                continue;
            }
            let nuclide = normalize_nuclide(name).map_err(|e| RadError::Csv { line, message: e.to_string() })?;
            let d_raw = rec.get(d_col).unwrap_or_default();
            let d: f64 = d_raw
                .parse()
                .ok()
                .filter(|d: &f64| d.is_finite() && *d > 0.0)
                .ok_or_else(|| RadError::Csv { line, message: format!("bad D-value {d_raw:?} for {name}") })?;
            if t.get(&nuclide).is_none() {
                t.entries.push(DEntry { nuclide, d_value_tbq: d, verified: false });
            }
        }
        Ok(t)
    }

    /// All entries, authoritative first.
    pub fn entries(&self) -> &[DEntry] {
        &self.entries
    }

    fn get(&self, canonical: &str) -> Option<&DEntry> {
        self.entries.iter().find(|e| e.nuclide == canonical)
    }

    /// The D-value of a nuclide given in any accepted spelling.
    pub fn lookup(&self, nuclide: &str) -> Result<&DEntry, RadError> {
        let n = normalize_nuclide(nuclide)?;
        self.get(&n).ok_or_else(|| RadError::UnknownNuclide(nuclide.to_string()))
    }

    /// Categorise an aggregate of `(nuclide, activity in Bq)`. An unknown nuclide or a negative / NaN
    /// activity is an error, never a silent Category 5.
    pub fn categorize<S: AsRef<str>>(&self, sources: &[(S, f64)]) -> Result<Categorization, RadError> {
        let mut parts = Vec::with_capacity(sources.len());
        for (n, a) in sources {
            let n = n.as_ref();
            if !a.is_finite() || *a < 0.0 {
                return Err(RadError::BadActivity { input: format!("{n}={a} Bq"), reason: "activity must be a finite number ≥ 0".into() });
            }
            let e = self.lookup(n)?;
            parts.push(Part {
                nuclide: e.nuclide.clone(),
                activity_bq: *a,
                d_value_tbq: e.d_value_tbq,
                ratio: *a / (e.d_value_tbq * BQ_PER_TBQ),
                verified: e.verified,
            });
        }
        let ratio: f64 = parts.iter().map(|p| p.ratio).sum();
        let unverified = parts.iter().any(|p| !p.verified);
        Ok(Categorization { category: category_for_ratio(ratio), ratio, parts, unverified })
    }
}

/// The category for an A/D ratio (sum of A/D for an aggregate).
pub fn category_for_ratio(ratio: f64) -> u8 {
    THRESHOLDS.iter().find(|&&(_, t)| ratio * (1.0 + EPS) >= t).map_or(5, |&(c, _)| c)
}

/// Categorise with the authoritative D-values only (see [`DTable::categorize`]).
pub fn categorize<S: AsRef<str>>(sources: &[(S, f64)]) -> Result<Categorization, RadError> {
    DTable::authoritative().categorize(sources)
}

/// The IAEA category of a source or aggregate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Categorization {
    /// 1 (most dangerous) to 5.
    pub category: u8,
    /// Sum of A/D over the parts.
    pub ratio: f64,
    pub parts: Vec<Part>,
    /// Some part used a D-value not verified against the authoritative table.
    pub unverified: bool,
}

/// One nuclide of a categorisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub nuclide: String,
    pub activity_bq: f64,
    pub d_value_tbq: f64,
    /// A/D of this part.
    pub ratio: f64,
    pub verified: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        for (i, want) in [
            ("cs137", "Cs-137"),
            ("Cs 137", "Cs-137"),
            ("CS-137", "Cs-137"),
            ("Sr-90 (Y-90)", "Sr-90"),
            ("tc99m", "Tc-99m"),
            ("Tc-99M", "Tc-99m"),
            ("am241/be", "Am-241/Be"),
            ("Am-241/Be", "Am-241/Be"),
            (" co-60 ", "Co-60"),
            ("H-3", "H-3"),
        ] {
            assert_eq!(normalize_nuclide(i).unwrap(), want, "{i}");
        }
        for bad in ["", "137", "Cesium-137", "Cs", "Cs-137x", "Am-241/", "Am-241/Beryllium"] {
            assert_eq!(normalize_nuclide(bad), Err(RadError::BadNuclide(bad.into())), "{bad}");
        }
    }

    #[test]
    fn real_cases() {
        // 3.7 TBq (100 Ci) Co-60: A/D 123 → Category 2.
        let c = categorize(&[("Co-60", 3.7e12)]).unwrap();
        assert_eq!(c.category, 2);
        assert!((c.ratio - 123.333).abs() < 0.001);
        // 100 TBq Cs-137: A/D exactly 1000 → Category 1.
        assert_eq!(categorize(&[("cs137", 1e14)]).unwrap().category, 1);
        // 1 GBq Am-241: A/D 0.0167 → Category 4.
        assert_eq!(categorize(&[("Am-241", 1e9)]).unwrap().category, 4);
        // A 37 kBq smoke-detector Am-241: Category 5.
        assert_eq!(categorize(&[("Am-241", 3.7e4)]).unwrap().category, 5);
        // Ir-192 radiography camera, 3.7 TBq: A/D 46 → Category 2.
        assert_eq!(categorize(&[("Ir-192", 3.7e12)]).unwrap().category, 2);
        // Boundaries: exactly 10, 1 and 0.01.
        assert_eq!(categorize(&[("Co-60", 0.3e12)]).unwrap().category, 2);
        assert_eq!(categorize(&[("Co-60", 0.03e12)]).unwrap().category, 3);
        assert_eq!(categorize(&[("Co-60", 0.0003e12)]).unwrap().category, 4);
        assert_eq!(categorize(&[("Co-60", 0.000_299e12)]).unwrap().category, 5);
    }

    #[test]
    fn aggregates_sum_a_over_d() {
        // Each alone Category 3 (A/D 6), together A/D 12 → Category 2.
        let c = categorize(&[("Co-60", 0.18e12), ("Cs-137", 0.6e12)]).unwrap();
        assert_eq!(c.category, 2);
        assert!((c.ratio - 12.0).abs() < 1e-9);
        assert_eq!(c.parts.len(), 2);
        assert!(!c.unverified);
    }

    #[test]
    fn unknown_nuclide_is_an_error() {
        assert_eq!(categorize(&[("I-131", 1e9)]), Err(RadError::UnknownNuclide("I-131".into())));
        assert!(matches!(categorize(&[("Co-60", -1.0)]), Err(RadError::BadActivity { .. })));
        assert!(matches!(categorize(&[("Co-60", f64::NAN)]), Err(RadError::BadActivity { .. })));
    }

    const CSV: &str = "radionuclide,d_value_TBq,cat1_threshold_TBq_(1000xD),cat2_threshold_TBq_(10xD),cat1_Ci_US,cat2_Ci_US,source_tier,sources,notes\n\
        Co-60,0.03,30,0.3,810,8.1,A,\"10 CFR 110 App P; Directive\",\n\
        Sr-90 (Y-90),1,1000,10,27000,270,A,\"x\",\n\
        Ru-106 (Rh-106),0.3,300,3,,,B,\"same, (Category 2 = 3 TBq)\",\"verify\"\n\
        I-131,0.2,200,2,,,C,\"Ghana DSRS demo seed only\",\"verify\"\n";

    #[test]
    fn csv_adds_unverified_values() {
        let t = DTable::with_csv(CSV).unwrap();
        assert_eq!(t.entries().len(), AUTHORITATIVE.len() + 2);
        assert!(t.lookup("Sr-90").unwrap().verified);
        let ru = t.lookup("ru106").unwrap();
        assert_eq!((ru.d_value_tbq, ru.verified), (0.3, false));
        let c = t.categorize(&[("I-131", 1e12), ("Co-60", 1e9)]).unwrap();
        assert_eq!(c.category, 3);
        assert!(c.unverified);
        assert!(!c.parts[0].verified && c.parts[1].verified);
        let bad = DTable::with_csv("radionuclide,d_value_TBq\nXx-1,abc\n").unwrap_err();
        assert!(matches!(bad, RadError::Csv { line: 2, .. }), "{bad:?}");
        assert!(DTable::with_csv("name,d\n").is_err());
    }

    #[test]
    fn shared_table_matches_the_authoritative_values() {
        let Some(p) = clearway_testdata::file("radiation/iaea/d_values_and_category_thresholds.csv") else { return };
        let text = std::fs::read_to_string(p).unwrap();
        let t = DTable::with_csv(&text).unwrap();
        assert!(t.entries().len() > AUTHORITATIVE.len());
        // Tier A rows of the file agree with the constant table.
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        for r in rd.records() {
            let r = r.unwrap();
            if &r[6] == "A" {
                let e = t.lookup(&r[0]).unwrap();
                assert!(e.verified, "{}", &r[0]);
                assert_eq!(e.d_value_tbq, r[1].parse::<f64>().unwrap(), "{}", &r[0]);
            }
        }
    }
}
