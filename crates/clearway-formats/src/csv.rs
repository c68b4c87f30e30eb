//! The CSV flat form, [`CsvRecords`]: one filing per row, for simple filings with at most one goods
//! line, one container and the four principal parties. The first non-blank row is the header; the
//! columns may come in any order and any subset (the five required ones aside). Header names are
//! matched after trimming and ASCII lower-casing; values are kept as given, except that numbers,
//! codes of enumerations, booleans and times are trimmed before parsing. An empty cell is absent.
//! Fields follow RFC 4180: comma-separated, optionally double-quoted, `""` for a quote inside
//! quotes, line breaks allowed inside quotes; rows end with LF or CRLF.
//!
//! | column | filing field |
//! | --- | --- |
//! | `id` | `id` (required) |
//! | `version` | `version` (whole number, default 1) |
//! | `kind` | `kind` (`advance-cargo`, `house-bill`, …) |
//! | `status` | `status` (`original`, `amendment`, `cancellation`) |
//! | `resubmits` | `resubmits` |
//! | `mode` | `mode` (required: `marine`, `air`, `rail`, `highway`) |
//! | `direction` | `direction` (required: `import`, `export`, `in-transit`) |
//! | `country` | `country` (required: `CA`, `US`, `MX`) |
//! | `stage` | `stage` (required: `pre-load`, `pre-arrival`, `arrival`, `export`) |
//! | `cargo` | `cargo` (`containerised`, `bulk`, `break-bulk`) |
//! | `fast` | `fast` (`true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, any case) |
//! | `consignor_name`, `consignor_country` | party with role `consignor`: `name`, `country` |
//! | `consignee_name`, `consignee_country` | party with role `consignee`: `name`, `country` |
//! | `importer_name`, `importer_id` | party with role `importer-of-record`: `name`, identifier with scheme `IOR` |
//! | `carrier_name`, `carrier_code` | party with role `carrier`: `name`, identifier with scheme `CARRIER` |
//! | `hs_code`, `description`, `quantity`, `quantity_unit`, `packages`, `package_type`, `gross_kg`, `net_kg`, `value`, `currency`, `origin`, `un_number` | the one goods item (`goods[0]`), same names |
//! | `container` | `equipment[0].number`, and `goods[0].containers` |
//! | `size_type` | `equipment[0].size_type` |
//! | `seal` | `equipment[0].seals` (several separated by `;`) |
//! | `vessel_name`, `imo`, `flight`, `plate`, `voyage` | `conveyance`, same names |
//! | `place_of_loading`, `place_of_discharge`, `first_port_of_arrival` | `itinerary`, same names |
//! | `routing` | `itinerary.routing` (countries separated by `;`) |
//! | `filed_at`, `loading`, `departure`, `arrival` | `times`, same names (RFC 3339) |
//!
//! A party, the goods item, the equipment and the conveyance are created only when one of their
//! cells is filled. Diagnostics carry the row's line and the column name as path: a bad optional
//! value is a warning and the value is dropped; a missing or bad required value is an error and
//! rejects the row. Unknown and duplicate columns are warned about once, on the header line: the
//! warnings go with the first data row and stay available from [`CsvRecords::header_diagnostics`].
//! [`Record::raw`] is the row as written, without its line ending.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, ErrorKind, Read};

use chrono::{DateTime, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{
    AgencyCountry, Conveyance, Diagnostic, Direction, Equipment, Filing, GoodsItem, Identifier, Itinerary, Mode, Party,
    Role, Severity, Stage, Times,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::stream::{MAX_RECORD_BYTES, OVERSIZED_RAW_KEEP, error_record};
use crate::{Parsed, Record, json::explain};

/// The columns of the flat form, in the documented order.
pub const COLUMNS: [&str; 47] = [
    "id",
    "version",
    "kind",
    "status",
    "resubmits",
    "mode",
    "direction",
    "country",
    "stage",
    "cargo",
    "fast",
    "consignor_name",
    "consignor_country",
    "consignee_name",
    "consignee_country",
    "importer_name",
    "importer_id",
    "carrier_name",
    "carrier_code",
    "hs_code",
    "description",
    "quantity",
    "quantity_unit",
    "packages",
    "package_type",
    "gross_kg",
    "net_kg",
    "value",
    "currency",
    "origin",
    "un_number",
    "container",
    "size_type",
    "seal",
    "vessel_name",
    "imo",
    "flight",
    "plate",
    "voyage",
    "place_of_loading",
    "place_of_discharge",
    "first_port_of_arrival",
    "routing",
    "filed_at",
    "loading",
    "departure",
    "arrival",
];

/// Records from a CSV flat-form stream; see the [module docs](self).
pub struct CsvRecords<R> {
    reader: BufReader<R>,
    max_record: usize,
    /// Line of the next unread byte, 1-based.
    line: u64,
    header: Option<Header>,
    header_diags: Vec<Diagnostic>,
    /// Header diagnostics not yet handed out with a record.
    pending: bool,
    started: bool,
    done: bool,
}

struct Header {
    /// Column name → field position (the first, for duplicates).
    index: HashMap<&'static str, usize>,
    width: usize,
}

/// One row as cut from the stream.
enum Row {
    Fields { line: u64, raw: Vec<u8> },
    Oversized { line: u64, raw: Vec<u8> },
    Truncated { line: u64, raw: Vec<u8> },
    Eof,
}

impl<R: Read> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        CsvRecords {
            reader: BufReader::new(reader),
            max_record: MAX_RECORD_BYTES,
            line: 1,
            header: None,
            header_diags: Vec::new(),
            pending: false,
            started: false,
            done: false,
        }
    }

    /// Set the cap on one row's size (default [`MAX_RECORD_BYTES`]).
    pub fn with_max_record_bytes(mut self, max: usize) -> Self {
        self.max_record = max.max(1);
        self
    }

    /// Warnings about the header (unknown and duplicate columns), once it has been read.
    pub fn header_diagnostics(&self) -> &[Diagnostic] {
        &self.header_diags
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        loop {
            match self.reader.fill_buf() {
                Ok(_) => return self.reader.fill_buf(),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Cut the next non-blank row out of the stream.
    fn read_row(&mut self) -> io::Result<Row> {
        loop {
            let line = self.line;
            let mut raw = Vec::new();
            let mut in_quotes = false;
            let mut oversized = false;
            let max = self.max_record;
            let ended = loop {
                let buf = self.fill()?;
                if buf.is_empty() {
                    break false;
                }
                // While keeping the row, scan no further than the cap allows; past it, look only
                // for the newline that ends the row, whatever the quotes say.
                let limit = if oversized { buf.len() } else { buf.len().min(max.saturating_sub(raw.len())) };
                let mut i = 0;
                let mut end = false;
                let mut newlines = 0;
                while i < limit {
                    let target = if oversized {
                        memchr::memchr(b'\n', &buf[i..limit])
                    } else {
                        memchr::memchr2(b'"', b'\n', &buf[i..limit])
                    };
                    let Some(k) = target else {
                        i = limit;
                        break;
                    };
                    let j = i + k;
                    if buf[j] == b'"' {
                        in_quotes = !in_quotes;
                    } else if in_quotes && !oversized {
                        newlines += 1;
                    } else {
                        i = j;
                        end = true;
                        break;
                    }
                    i = j + 1;
                }
                if !oversized {
                    raw.extend_from_slice(&buf[..i]);
                }
                let hit_cap = !oversized && !end && limit < buf.len();
                self.reader.consume(if end { i + 1 } else { i });
                self.line += newlines;
                if end {
                    self.line += 1;
                    break true;
                }
                oversized |= hit_cap;
            };
            if oversized {
                raw.truncate(OVERSIZED_RAW_KEEP);
                return Ok(Row::Oversized { line, raw });
            }
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
            if !ended && in_quotes {
                return Ok(Row::Truncated { line, raw });
            }
            if raw.iter().all(|b| b.is_ascii_whitespace()) {
                if ended {
                    continue;
                }
                return Ok(Row::Eof);
            }
            return Ok(Row::Fields { line, raw });
        }
    }

    fn next_record(&mut self) -> io::Result<Option<Record>> {
        if !self.started {
            self.started = true;
            if self.fill()?.starts_with(b"\xEF\xBB\xBF") {
                self.reader.consume(3);
            }
        }
        loop {
            let (line, raw) = match self.read_row()? {
                Row::Eof => {
                    self.done = true;
                    return Ok(None);
                }
                Row::Oversized { line, raw } => {
                    let msg = format!("row is larger than the limit of {} bytes; skipped", self.max_record);
                    return Ok(Some(self.with_header_diags(error_record(line, 1, raw, code::RECORD_TOO_LARGE, msg))));
                }
                Row::Truncated { line, raw } => {
                    let msg = "truncated: a quoted field is not closed at the end of the input".to_string();
                    return Ok(Some(self.with_header_diags(error_record(line, 1, raw, code::CSV_ROW, msg))));
                }
                Row::Fields { line, raw } => (line, raw),
            };
            let fields = split_fields(&raw);
            let Some(header) = &self.header else {
                self.read_header(line, &fields);
                continue;
            };
            let outcome = build(header, &fields, line);
            return Ok(Some(self.with_header_diags(Record { line, raw, outcome })));
        }
    }

    fn read_header(&mut self, line: u64, fields: &[Vec<u8>]) {
        let mut index = HashMap::new();
        for (pos, name) in fields.iter().enumerate() {
            let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
            match COLUMNS.iter().find(|c| **c == name) {
                Some(col) => {
                    if index.contains_key(col) {
                        self.header_diags.push(
                            Diagnostic::warning(
                                name.clone(),
                                format!("duplicate column `{name}`; only the first is used"),
                            )
                            .with_code(code::CSV_HEADER)
                            .at_line(line, None),
                        );
                    } else {
                        index.insert(*col, pos);
                    }
                }
                None => self.header_diags.push(
                    Diagnostic::warning(name.clone(), format!("unknown column `{name}` (ignored)"))
                        .with_code(code::CSV_HEADER)
                        .at_line(line, None),
                ),
            }
        }
        self.pending = !self.header_diags.is_empty();
        self.header = Some(Header { index, width: fields.len() });
    }

    fn with_header_diags(&mut self, mut record: Record) -> Record {
        if self.pending {
            self.pending = false;
            let list = match &mut record.outcome {
                Ok(p) => &mut p.diagnostics,
                Err(d) => d,
            };
            list.splice(0..0, self.header_diags.iter().cloned());
        }
        record
    }
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(r) => r,
            Err(e) => {
                self.done = true;
                Some(error_record(self.line, 1, Vec::new(), code::INPUT_READ, format!("read error: {e}")))
            }
        }
    }
}

/// Split a row into fields (RFC 4180, leniently: text after a closing quote is kept).
fn split_fields(raw: &[u8]) -> Vec<Vec<u8>> {
    let mut fields = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    let mut at_start = true;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if quoted {
            if b == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    cur.push(b'"');
                    i += 2;
                    continue;
                }
                quoted = false;
            } else {
                cur.push(b);
            }
        } else if b == b',' {
            fields.push(std::mem::take(&mut cur));
            at_start = true;
            i += 1;
            continue;
        } else if b == b'"' && at_start {
            quoted = true;
        } else {
            cur.push(b);
        }
        at_start = false;
        i += 1;
    }
    fields.push(cur);
    fields
}

/// One data row being turned into a filing.
struct Cells<'a> {
    header: &'a Header,
    fields: &'a [Vec<u8>],
    line: u64,
    diags: Vec<Diagnostic>,
}

impl Cells<'_> {
    fn problem(&mut self, col: &str, severity: Severity, c: &'static str, message: String) {
        let d = match severity {
            Severity::Warning => Diagnostic::warning(col, message),
            Severity::Error => Diagnostic::error(col, message),
        }
        .with_code(c);
        self.diags.push(d.at_line(self.line, None));
    }

    /// The cell's text, `None` when the column is absent or the cell empty. Invalid UTF-8 is a
    /// problem (an error when `required`).
    fn text(&mut self, col: &'static str, required: bool) -> Option<String> {
        let severity = if required { Severity::Error } else { Severity::Warning };
        let Some(&pos) = self.header.index.get(col) else {
            if required {
                self.problem(
                    col,
                    severity,
                    code::CSV_HEADER,
                    format!("required column `{col}` is missing from the header"),
                );
            }
            return None;
        };
        let cell = self.fields.get(pos).map_or(&[][..], |f| f.as_slice());
        if cell.is_empty() {
            if required {
                self.problem(col, severity, code::FIELD_MISSING, "missing required value".to_string());
            }
            return None;
        }
        match std::str::from_utf8(cell) {
            Ok(s) => Some(s.to_string()),
            Err(_) => {
                let what = if required { "" } else { "; the value was dropped" };
                self.problem(col, severity, code::FIELD_INVALID, format!("not valid UTF-8{what}"));
                None
            }
        }
    }

    fn opt(&mut self, col: &'static str) -> Option<String> {
        self.text(col, false)
    }

    /// A value parsed with serde from the trimmed cell (enumerations, times).
    fn de<T: DeserializeOwned>(&mut self, col: &'static str, required: bool) -> Option<T> {
        let s = self.text(col, required)?;
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s.trim());
        match T::deserialize(de) {
            Ok(v) => Some(v),
            Err(e) => {
                let text = explain(&e.to_string(), Some(&Value::String(s)));
                if required {
                    self.problem(col, Severity::Error, code::FIELD_INVALID, text);
                } else {
                    self.problem(col, Severity::Warning, code::FIELD_INVALID, format!("{text}; the value was dropped"));
                }
                None
            }
        }
    }

    fn parsed<T>(&mut self, col: &'static str, expected: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let s = self.opt(col)?;
        match parse(s.trim()) {
            Some(v) => Some(v),
            None => {
                let found = crate::json::describe(&Value::String(s));
                self.problem(
                    col,
                    Severity::Warning,
                    code::FIELD_INVALID,
                    format!("expected {expected}, found {found}; the value was dropped"),
                );
                None
            }
        }
    }

    fn number(&mut self, col: &'static str) -> Option<f64> {
        self.parsed(col, "a number", |s| s.parse::<f64>().ok().filter(|f| f.is_finite()))
    }

    fn whole(&mut self, col: &'static str) -> Option<u32> {
        self.parsed(col, "a whole number (0 or more)", |s| s.parse::<u32>().ok())
    }

    fn boolean(&mut self, col: &'static str) -> Option<bool> {
        self.parsed(col, "a boolean", |s| match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => None,
        })
    }

    fn list(&mut self, col: &'static str) -> Vec<String> {
        self.opt(col)
            .map(|s| s.split(';').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn time(&mut self, col: &'static str) -> Option<DateTime<Utc>> {
        self.de(col, false)
    }

    fn party(
        &mut self,
        role: Role,
        name: &'static str,
        country: &'static str,
        id: Option<(&'static str, &str)>,
    ) -> Option<Party> {
        let name = self.opt(name);
        let country = if country.is_empty() { None } else { self.opt(country) };
        let id = id.and_then(|(col, scheme)| {
            self.opt(col).map(|value| Identifier { scheme: scheme.to_string(), value, issuer: None })
        });
        if name.is_none() && country.is_none() && id.is_none() {
            return None;
        }
        Some(Party { role, name: name.unwrap_or_default(), address: None, country, ids: id.into_iter().collect() })
    }
}

/// Build a filing from one data row.
fn build(header: &Header, fields: &[Vec<u8>], line: u64) -> Result<Parsed, Vec<Diagnostic>> {
    let mut c = Cells { header, fields, line, diags: Vec::new() };
    if fields.len() != header.width {
        let message = if fields.len() > header.width {
            format!("row has {} fields, the header {}; the extra fields are ignored", fields.len(), header.width)
        } else {
            format!("row has {} fields, the header {}; the missing ones are taken as empty", fields.len(), header.width)
        };
        c.diags.push(Diagnostic::new(Severity::Warning, code::CSV_ROW, message).at(clearway_core::Location {
            path: None,
            line: Some(line),
            column: None,
        }));
    }

    let id = c.text("id", true);
    let mode: Option<Mode> = c.de("mode", true);
    let direction: Option<Direction> = c.de("direction", true);
    let country: Option<AgencyCountry> = c.de("country", true);
    let stage: Option<Stage> = c.de("stage", true);
    let version = c.whole("version").unwrap_or(1);
    let kind = c.de("kind", false).unwrap_or_default();
    let status = c.de("status", false).unwrap_or_default();
    let resubmits = c.opt("resubmits");
    let cargo = c.de("cargo", false);
    let fast = c.boolean("fast").unwrap_or(false);

    let parties: Vec<Party> = [
        c.party(Role::Consignor, "consignor_name", "consignor_country", None),
        c.party(Role::Consignee, "consignee_name", "consignee_country", None),
        c.party(Role::ImporterOfRecord, "importer_name", "", Some(("importer_id", "IOR"))),
        c.party(Role::Carrier, "carrier_name", "", Some(("carrier_code", "CARRIER"))),
    ]
    .into_iter()
    .flatten()
    .collect();

    let container = c.opt("container");
    let size_type = c.opt("size_type");
    let seals = c.list("seal");
    let goods_item = GoodsItem {
        description: c.opt("description").unwrap_or_default(),
        hs_code: c.opt("hs_code"),
        quantity: c.number("quantity"),
        quantity_unit: c.opt("quantity_unit"),
        packages: c.whole("packages"),
        package_type: c.opt("package_type"),
        gross_kg: c.number("gross_kg"),
        net_kg: c.number("net_kg"),
        value: c.number("value"),
        currency: c.opt("currency"),
        origin: c.opt("origin"),
        un_number: c.opt("un_number"),
        containers: Vec::new(),
        radioactive: Vec::new(),
        export: None,
    };
    let mut goods = Vec::new();
    if goods_item != GoodsItem::default() {
        goods.push(GoodsItem { containers: container.iter().cloned().collect(), ..goods_item });
    }
    let mut equipment = Vec::new();
    match container {
        Some(number) => equipment.push(Equipment { number, size_type, seals, empty: false }),
        None => {
            for col in ["seal", "size_type"] {
                if header.index.get(col).and_then(|&p| fields.get(p)).is_some_and(|f| !f.is_empty()) {
                    c.problem(
                        col,
                        Severity::Warning,
                        code::FIELD_INVALID,
                        "given without a container; ignored".to_string(),
                    );
                }
            }
        }
    }

    let conveyance = Conveyance {
        vessel_name: c.opt("vessel_name"),
        imo: c.opt("imo"),
        flight: c.opt("flight"),
        plate: c.opt("plate"),
        vin: None,
        voyage: c.opt("voyage"),
        containers_on_board: None,
    };
    let conveyance = (conveyance != Conveyance::default()).then_some(conveyance);
    let itinerary = Itinerary {
        place_of_loading: c.opt("place_of_loading"),
        place_of_discharge: c.opt("place_of_discharge"),
        first_port_of_arrival: c.opt("first_port_of_arrival"),
        routing: c.list("routing"),
    };
    let times = Times {
        filed_at: c.time("filed_at"),
        loading: c.time("loading"),
        departure: c.time("departure"),
        arrival: c.time("arrival"),
    };

    // In the order of the row's columns (row-level and header problems first).
    let mut diags = c.diags;
    diags.sort_by_key(|d| d.location.path.as_deref().and_then(|p| header.index.get(p)).map_or(0, |p| p + 1));
    match (id, mode, direction, country, stage) {
        (Some(id), Some(mode), Some(direction), Some(country), Some(stage))
            if !diags.iter().any(|d| d.severity == Severity::Error) =>
        {
            let filing = Filing {
                id,
                version,
                kind,
                status,
                resubmits,
                mode,
                direction,
                country,
                stage,
                cargo,
                fast,
                parties,
                goods,
                equipment,
                conveyance,
                itinerary,
                export: None,
                times,
            };
            Ok(Parsed { filing, diagnostics: diags })
        }
        _ => Err(diags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearway_core::{CargoType, FilingStatus};
    use std::io::{BufReader as StdBufReader, Cursor};

    const HEADER: &str = "id,version,status,mode,direction,country,stage,cargo,fast,consignor_name,consignor_country,consignee_name,consignee_country,importer_id,carrier_name,carrier_code,hs_code,description,quantity,packages,package_type,gross_kg,value,currency,origin,un_number,container,seal,vessel_name,imo,flight,plate,voyage,place_of_loading,place_of_discharge,first_port_of_arrival,routing,filed_at,loading,departure,arrival";
    const ROW: &str = r#"MAEU1,2,amendment,marine,import,CA,pre-load,containerised,no,"Bright Electronics, Ltd.",CN,Maple Imports,CA,IOR-1,Maersk,9AAA,847130,"Laptops, 14"" screen",1200,100,CT,3450.5,540000,USD,CN,,MSKU1234565,ML-1;CBSA-2,MAERSK ESSEN,9456783,,,214N,CNYTN,CAVAN,CAVAN,CN;KR;CA,2025-03-01T08:15:00Z,,,2025-03-18T14:00:00Z"#;

    fn read(input: &str) -> Vec<Record> {
        CsvRecords::new(input.as_bytes()).collect()
    }

    fn ok(r: &Record) -> &Parsed {
        match &r.outcome {
            Ok(p) => p,
            Err(d) => panic!("expected Ok, got {d:#?}"),
        }
    }

    fn errors(r: &Record) -> &[Diagnostic] {
        match &r.outcome {
            Err(d) => d,
            Ok(p) => panic!("expected Err, got {p:#?}"),
        }
    }

    fn places(d: &[Diagnostic]) -> Vec<(u64, String)> {
        d.iter().map(|d| (d.location.line.unwrap_or(0), d.location.path.clone().unwrap_or_default())).collect()
    }

    #[test]
    fn full_row_maps_every_column() {
        let rs = read(&format!("{HEADER}\n{ROW}\n"));
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].line, 2);
        assert_eq!(rs[0].raw, ROW.as_bytes());
        let p = ok(&rs[0]);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let f = &p.filing;
        assert_eq!(f.id, "MAEU1");
        assert_eq!(f.version, 2);
        assert_eq!(f.status, FilingStatus::Amendment);
        assert_eq!(f.cargo, Some(CargoType::Containerised));
        assert!(!f.fast);
        assert_eq!(f.parties.len(), 4);
        assert_eq!(f.parties[0].name, "Bright Electronics, Ltd.");
        assert_eq!(f.party(Role::ImporterOfRecord).and_then(|p| p.id("IOR")), Some("IOR-1"));
        assert_eq!(f.party(Role::Carrier).and_then(|p| p.id("CARRIER")), Some("9AAA"));
        assert_eq!(f.goods[0].description, "Laptops, 14\" screen");
        assert_eq!(f.goods[0].gross_kg, Some(3450.5));
        assert_eq!(f.goods[0].packages, Some(100));
        assert_eq!(f.goods[0].un_number, None);
        assert_eq!(f.goods[0].containers, ["MSKU1234565"]);
        assert_eq!(f.equipment[0].seals, ["ML-1", "CBSA-2"]);
        assert_eq!(f.conveyance.as_ref().and_then(|c| c.voyage.as_deref()), Some("214N"));
        assert_eq!(f.itinerary.routing, ["CN", "KR", "CA"]);
        assert!(f.times.filed_at.is_some() && f.times.arrival.is_some() && f.times.loading.is_none());
    }

    #[test]
    fn minimal_row_creates_no_empty_parts() {
        let rs = read("mode,id,direction,country,stage\r\nair,X,export,US,export\r\n");
        let f = &ok(&rs[0]).filing;
        assert_eq!(f.mode, Mode::Air);
        assert!(f.parties.is_empty() && f.goods.is_empty() && f.equipment.is_empty() && f.conveyance.is_none());
    }

    #[test]
    fn bad_optional_values_are_warnings_with_line_and_column() {
        let input = "id,mode,direction,country,stage,gross_kg,packages,cargo,fast,arrival\n\
                     A,air,import,CA,arrival,12kg,-1,box,maybe,2024-13-01\n";
        let rs = read(input);
        let p = ok(&rs[0]);
        assert_eq!(
            places(&p.diagnostics),
            [
                (2, "gross_kg".into()),
                (2, "packages".into()),
                (2, "cargo".into()),
                (2, "fast".into()),
                (2, "arrival".into())
            ]
        );
        assert!(p.diagnostics.iter().all(|d| d.severity == Severity::Warning));
        let gross = p.diagnostics.iter().find(|d| d.location.path.as_deref() == Some("gross_kg")).unwrap();
        assert_eq!(gross.message, r#"expected a number, found string "12kg"; the value was dropped"#);
        assert!(p.filing.goods.is_empty());
    }

    #[test]
    fn bad_or_missing_required_values_are_errors() {
        let input = "id,mode,direction,country,stage\nA,boat,import,CA,arrival\n,air,import,CA,arrival\n";
        let rs = read(input);
        let d = errors(&rs[0]);
        assert_eq!(places(d), [(2, "mode".into())]);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].message, r#"expected one of `marine`, `air`, `rail`, `highway`, `postal`, `multimodal`, `fixed-installation`, `own-propulsion`, `unknown`, found string "boat""#);
        let d = errors(&rs[1]);
        assert_eq!(places(d), [(3, "id".into())]);
        assert_eq!(d[0].message, "missing required value");
    }

    #[test]
    fn missing_required_column_rejects_every_row() {
        let rs = read("id,mode,direction,country\nA,air,import,CA\nB,air,import,CA\n");
        assert_eq!(rs.len(), 2);
        for r in &rs {
            assert_eq!(errors(r)[0].message, "required column `stage` is missing from the header");
        }
    }

    #[test]
    fn unknown_columns_are_warned_once_on_the_header_line() {
        let input =
            "id,mode,direction,country,stage,fax,Mode\nA,air,import,CA,arrival,1,x\nB,air,import,CA,arrival,2,y\n";
        let mut reader = CsvRecords::new(input.as_bytes());
        let first = reader.next().unwrap();
        let p = ok(&first);
        assert_eq!(places(&p.diagnostics), [(1, "fax".into()), (1, "mode".into())]);
        assert_eq!(p.diagnostics[0].message, "unknown column `fax` (ignored)");
        assert_eq!(p.diagnostics[1].message, "duplicate column `mode`; only the first is used");
        let second = reader.next().unwrap();
        assert!(ok(&second).diagnostics.is_empty());
        assert_eq!(reader.header_diagnostics().len(), 2);
    }

    #[test]
    fn ragged_rows_quoted_newlines_and_blank_lines() {
        let input = "id,mode,direction,country,stage,description\n\nA,air,import,CA,arrival,\"two\nlines\"\nB,air,import,CA,arrival\n\r\nC,air,import,CA,arrival,x,extra\n";
        let rs = read(input);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5, 7]);
        assert_eq!(ok(&rs[0]).filing.goods[0].description, "two\nlines");
        assert_eq!(
            ok(&rs[1]).diagnostics[0].message,
            "row has 5 fields, the header 6; the missing ones are taken as empty"
        );
        assert_eq!(ok(&rs[2]).diagnostics[0].message, "row has 7 fields, the header 6; the extra fields are ignored");
    }

    #[test]
    fn truncated_quote_and_junk() {
        let rs = read("id,mode,direction,country,stage,description\nA,air,import,CA,arrival,\"never closed\nmore");
        assert_eq!(rs.len(), 1);
        assert!(errors(&rs[0])[0].message.starts_with("truncated"));
        assert_eq!(rs[0].line, 2);
        let rs: Vec<_> = CsvRecords::new(&b"id,mode\n\xff\xfe,\x00\n"[..]).collect();
        assert_eq!(
            places(errors(&rs[0])),
            [(2, "direction".into()), (2, "country".into()), (2, "stage".into()), (2, "id".into()), (2, "mode".into())]
        );
    }

    #[test]
    fn empty_input_yields_nothing() {
        assert!(read("").is_empty());
        assert!(read("\n\n").is_empty());
        assert!(read("id,mode,direction,country,stage\n").is_empty());
        assert!(read("id,mode,direction,country,stage").is_empty());
    }

    #[test]
    fn last_row_without_newline() {
        let rs = read("id,mode,direction,country,stage\nA,air,import,CA,arrival");
        assert_eq!(ok(&rs[0]).filing.id, "A");
    }

    #[test]
    fn huge_row_is_skipped_and_reading_resynchronizes() {
        let input = format!(
            "id,mode,direction,country,stage,description\nA,air,import,CA,arrival,\"{}\nB,air,import,CA,arrival,x\n",
            "q".repeat(500)
        );
        let rs: Vec<_> = CsvRecords::new(input.as_bytes()).with_max_record_bytes(100).collect();
        assert_eq!(rs.len(), 2);
        assert!(errors(&rs[0])[0].message.starts_with("row is larger than the limit"));
        assert_eq!(rs[0].raw.len(), 100);
        assert_eq!(ok(&rs[1]).filing.id, "B");
        assert_eq!(rs[1].line, 3);
    }

    #[test]
    fn tiny_buffer_reads_the_same() {
        let input = format!("{HEADER}\n{ROW}\n{ROW}\r\n");
        let rs: Vec<_> = CsvRecords::new(StdBufReader::with_capacity(2, Cursor::new(input))).collect();
        assert_eq!(rs.len(), 2);
        assert_eq!(ok(&rs[1]).filing, ok(&rs[0]).filing);
        assert_eq!(rs[1].raw, ROW.as_bytes());
    }

    #[test]
    fn seal_without_container_is_ignored_with_warning() {
        let rs = read("id,mode,direction,country,stage,seal\nA,air,import,CA,arrival,S1\n");
        assert_eq!(places(&ok(&rs[0]).diagnostics), [(2, "seal".into())]);
    }

    #[test]
    fn documented_columns_match() {
        let doc = include_str!("../../../schema/filing.csv.md");
        let documented: Vec<&str> =
            doc.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next()).collect();
        assert_eq!(documented, COLUMNS, "schema/filing.csv.md lists columns other than COLUMNS");
    }
}
