//! A typed table read from CSV: numeric, categorical and date columns, types detected or given.
//!
//! Detection: a column is a *date* when its name contains "date" and every present value starts with
//! `YYYY-MM-DD`; *categorical* when its name says it names a thing (ends in "id", contains "code", "type",
//! "indicator", "country", "office", "port") or when any present value is not a number; otherwise
//! *numeric*. Empty cells, `NA`, `NaN` and `null` are missing. Overrides win over detection; a value that
//! does not fit an overridden type is an error naming the column and the line.

use std::collections::HashMap;

/// Code of a missing categorical value.
pub const MISSING: u32 = u32::MAX;
/// A missing date.
pub const NO_DATE: i32 = i32::MIN;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnType {
    Numeric,
    Categorical,
    /// Calendar date (`YYYY-MM-DD`), kept as days since 1970-01-01.
    Date,
}

impl ColumnType {
    pub fn parse(s: &str) -> Option<ColumnType> {
        match s.to_ascii_lowercase().as_str() {
            "numeric" | "num" | "number" => Some(ColumnType::Numeric),
            "categorical" | "cat" | "category" => Some(ColumnType::Categorical),
            "date" => Some(ColumnType::Date),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// NaN is missing.
    Numeric(Vec<f64>),
    /// Codes index `levels` (first-appearance order); [`MISSING`] is missing.
    Categorical { codes: Vec<u32>, levels: Vec<String> },
    /// Days since 1970-01-01; [`NO_DATE`] is missing.
    Date(Vec<i32>),
}

impl ColumnData {
    pub fn kind(&self) -> ColumnType {
        match self {
            ColumnData::Numeric(_) => ColumnType::Numeric,
            ColumnData::Categorical { .. } => ColumnType::Categorical,
            ColumnData::Date(_) => ColumnType::Date,
        }
    }

    /// The value of row `i` as text (empty when missing).
    pub fn text(&self, i: usize) -> String {
        match self {
            ColumnData::Numeric(v) => {
                if v[i].is_nan() {
                    String::new()
                } else {
                    format!("{}", v[i])
                }
            }
            ColumnData::Categorical { codes, levels } => {
                levels.get(codes[i] as usize).cloned().unwrap_or_default()
            }
            ColumnData::Date(d) => {
                if d[i] == NO_DATE {
                    String::new()
                } else {
                    format_date(d[i])
                }
            }
        }
    }

    /// The value of row `i` as a number, when numeric.
    pub fn num(&self, i: usize) -> f64 {
        match self {
            ColumnData::Numeric(v) => v[i],
            ColumnData::Date(d) if d[i] != NO_DATE => d[i] as f64,
            _ => f64::NAN,
        }
    }

    /// The value of row `i` as a category string, when present.
    pub fn category(&self, i: usize) -> Option<&str> {
        match self {
            ColumnData::Categorical { codes, levels } => levels.get(codes[i] as usize).map(|s| s.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// A typed table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    pub columns: Vec<Column>,
    pub rows: usize,
}

impl Dataset {
    /// The index of a column by exact name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A new dataset holding the given rows, in the given order.
    pub fn select(&self, rows: &[usize]) -> Dataset {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data: match &c.data {
                    ColumnData::Numeric(v) => ColumnData::Numeric(rows.iter().map(|&i| v[i]).collect()),
                    ColumnData::Date(v) => ColumnData::Date(rows.iter().map(|&i| v[i]).collect()),
                    ColumnData::Categorical { codes, levels } => ColumnData::Categorical {
                        codes: rows.iter().map(|&i| codes[i]).collect(),
                        levels: levels.clone(),
                    },
                },
            })
            .collect();
        Dataset { columns, rows: rows.len() }
    }

    /// The column types, in order.
    pub fn schema(&self) -> Vec<(String, ColumnType)> {
        self.columns.iter().map(|c| (c.name.clone(), c.data.kind())).collect()
    }
}

/// How to read a CSV.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Column types that override detection.
    pub types: HashMap<String, ColumnType>,
    pub delimiter: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("the file is empty (no header line)")]
    Empty,
    #[error("the file has a header but no data rows")]
    NoRows,
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("line {line}: {found} fields where the header has {expected}")]
    Ragged { line: u64, expected: usize, found: usize },
    #[error("column {column:?}, line {line}: {value:?} is not a number")]
    NotNumeric { column: String, line: u64, value: String },
    #[error("column {column:?}, line {line}: {value:?} is not a date (YYYY-MM-DD)")]
    NotDate { column: String, line: u64, value: String },
    #[error("column {column:?} appears twice in the header")]
    DuplicateColumn { column: String },
    #[error("column {column:?} is not in the data (columns: {available})")]
    MissingColumn { column: String, available: String },
    #[error("column {column:?} must be {expected} but is {found}")]
    WrongType { column: String, expected: String, found: String },
}

fn is_missing(s: &str) -> bool {
    s.is_empty() || s.eq_ignore_ascii_case("na") || s.eq_ignore_ascii_case("nan") || s.eq_ignore_ascii_case("null")
}

/// Whether a column name says the column names a thing rather than measures one.
pub fn name_says_categorical(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.trim();
    n == "id"
        || n.ends_with(" id")
        || n.ends_with("_id")
        || n.ends_with(".id")
        || n.ends_with("id code")
        || ["code", "type", "indicator", "country", "office", "port"].iter().any(|w| n.contains(w))
}

/// Read a CSV (header line first) into a typed [`Dataset`].
pub fn read_csv(bytes: &[u8], opts: &ReadOptions) -> Result<Dataset, DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(opts.delimiter.unwrap_or(b','))
        .from_reader(bytes);
    let header = rdr.headers().map_err(|e| DataError::Csv { line: 1, message: e.to_string() })?.clone();
    if header.is_empty() || (header.len() == 1 && header[0].trim().is_empty()) {
        return Err(DataError::Empty);
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(DataError::DuplicateColumn { column: n.clone() });
        }
    }
    let ncol = names.len();
    let mut raw: Vec<Texts> = (0..ncol).map(|_| Texts::default()).collect();
    let mut lines: Vec<u64> = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                if rec.len() == 1 && rec[0].trim().is_empty() && ncol > 1 {
                    continue; // blank line
                }
                if rec.len() != ncol {
                    return Err(DataError::Ragged { line, expected: ncol, found: rec.len() });
                }
                for (j, f) in rec.iter().enumerate() {
                    raw[j].push(f.trim());
                }
                lines.push(line);
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(DataError::Csv { line, message: e.to_string() });
            }
        }
    }
    let rows = lines.len();
    if rows == 0 {
        return Err(DataError::NoRows);
    }
    let mut columns = Vec::with_capacity(ncol);
    for (j, name) in names.into_iter().enumerate() {
        let vals = std::mem::take(&mut raw[j]);
        let kind = match opts.types.get(&name) {
            Some(&t) => t,
            None => detect(&name, &vals),
        };
        let data = convert(&name, kind, vals, &lines)?;
        columns.push(Column { name, data });
    }
    Ok(Dataset { columns, rows })
}

/// One column's cells as text: one buffer and the end of each cell (no allocation per cell).
#[derive(Default)]
struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }
    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.ends.iter().scan(0, move |start, &end| {
            let s = &self.text[*start..end];
            *start = end;
            Some(s)
        })
    }
    fn len(&self) -> usize {
        self.ends.len()
    }
}

fn detect(name: &str, vals: &Texts) -> ColumnType {
    let present = || vals.iter().filter(|v| !is_missing(v));
    if name.to_ascii_lowercase().contains("date") && present().all(|v| parse_date(v).is_some()) {
        return ColumnType::Date;
    }
    if name_says_categorical(name) {
        return ColumnType::Categorical;
    }
    if present().all(|v| parse_num(v).is_some()) { ColumnType::Numeric } else { ColumnType::Categorical }
}

fn parse_num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn convert(name: &str, kind: ColumnType, vals: Texts, lines: &[u64]) -> Result<ColumnData, DataError> {
    Ok(match kind {
        ColumnType::Numeric => {
            let mut out = Vec::with_capacity(vals.len());
            for (i, v) in vals.iter().enumerate() {
                if is_missing(v) {
                    out.push(f64::NAN);
                } else {
                    match parse_num(v) {
                        Some(x) => out.push(x),
                        None => {
                            return Err(DataError::NotNumeric {
                                column: name.to_string(),
                                line: lines[i],
                                value: v.to_string(),
                            });
                        }
                    }
                }
            }
            ColumnData::Numeric(out)
        }
        ColumnType::Date => {
            let mut out = Vec::with_capacity(vals.len());
            for (i, v) in vals.iter().enumerate() {
                if is_missing(v) {
                    out.push(NO_DATE);
                } else {
                    match parse_date(v) {
                        Some(d) => out.push(d),
                        None => {
                            return Err(DataError::NotDate {
                                column: name.to_string(),
                                line: lines[i],
                                value: v.to_string(),
                            });
                        }
                    }
                }
            }
            ColumnData::Date(out)
        }
        ColumnType::Categorical => {
            let mut index: HashMap<&str, u32> = HashMap::new();
            let mut levels = Vec::new();
            let mut codes = Vec::with_capacity(vals.len());
            for v in vals.iter() {
                if is_missing(v) {
                    codes.push(MISSING);
                    continue;
                }
                let next = levels.len() as u32;
                let c = *index.entry(v).or_insert_with(|| {
                    levels.push(v.to_string());
                    next
                });
                codes.push(c);
            }
            ColumnData::Categorical { codes, levels }
        }
    })
}

/// `YYYY-MM-DD` (optionally followed by a time) as days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let t = &s[r];
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn format_date(days: i32) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_types() {
        let csv = "Declaration ID,Date,Office ID,Net Mass,Origin,Fraud\n1,2020-01-01,30,10.5,CN,0\n2,2020-01-02,40,,BE,1\n";
        let d = read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap();
        let kinds: Vec<ColumnType> = d.columns.iter().map(|c| c.data.kind()).collect();
        use ColumnType::*;
        assert_eq!(kinds, vec![Categorical, Date, Categorical, Numeric, Categorical, Numeric]);
        assert!(d.columns[3].data.num(1).is_nan());
        assert_eq!(d.columns[1].data.text(1), "2020-01-02");
    }

    #[test]
    fn errors_name_column_and_line() {
        let mut o = ReadOptions::default();
        o.types.insert("Net Mass".into(), ColumnType::Numeric);
        let e = read_csv(b"a,Net Mass\n1,2\n2,heavy\n", &o).unwrap_err();
        assert_eq!(e, DataError::NotNumeric { column: "Net Mass".into(), line: 3, value: "heavy".into() });
        assert_eq!(read_csv(b"", &o).unwrap_err(), DataError::Empty);
        assert_eq!(read_csv(b"a,b\n", &o).unwrap_err(), DataError::NoRows);
        assert!(matches!(read_csv(b"a,b\n1,2,3\n", &o).unwrap_err(), DataError::Ragged { line: 2, .. }));
    }

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2020-02-29", "2021-03-31", "1999-12-31"] {
            assert_eq!(format_date(parse_date(s).unwrap()), s);
        }
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("1970-01-02"), Some(1));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = read_csv(s.as_bytes(), &ReadOptions::default());
        }
    }
}
