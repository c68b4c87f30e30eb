//! Sanctions and denied-party lists in one normalised entity model. Principal types: [`Entity`] (one
//! listed party: names by kind and script, partial dates of birth, nationalities, identifiers, addresses,
//! programmes, listing date), [`Format`] (detected from content by [`detect`]) and [`Loaded`] (the
//! entities of one list with the diagnostics of reading it).
//!
//! Loaders are lenient: a bad row becomes a warning with its line and is skipped; a file that cannot be
//! read as its format at all (truncated XML, no header) gives an error diagnostic and no entities, so the
//! caller can refuse the import and keep the previous version. No I/O: text or bytes in.

use clearway_core::{Diagnostic, Severity};

mod loaders;
pub mod model;
pub mod ofac;
pub mod text;
pub mod xml;

pub use loaders::split_aliases;
pub use model::{Address, Entity, Gender, Identifier, Name, NameKind, PartialDate, Schema, Script, clean};
pub use text::{decode, parse_date};

/// The list formats Clearway reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One file of an OFAC legacy CSV set (SDN or consolidated non-SDN).
    OfacCsv(ofac::Part),
    UnXml,
    CslCsv,
    BisDplTsv,
    SemaXml,
    EuFsfXml,
    UkXml,
    FtmJson,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::OfacCsv(ofac::Part::Main) => "ofac-csv (main)",
            Format::OfacCsv(ofac::Part::Alt) => "ofac-csv (alt)",
            Format::OfacCsv(ofac::Part::Add) => "ofac-csv (add)",
            Format::OfacCsv(ofac::Part::Comments) => "ofac-csv (comments)",
            Format::UnXml => "un-xml",
            Format::CslCsv => "csl-csv",
            Format::BisDplTsv => "bis-dpl-tsv",
            Format::SemaXml => "sema-xml",
            Format::EuFsfXml => "eu-fsf-xml",
            Format::UkXml => "uk-xml",
            Format::FtmJson => "ftm-json",
        }
    }
}

/// Detect a list format from the text. `None` when it is none of them.
pub fn detect(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        // The root element name decides.
        let mut rest = t;
        loop {
            let start = rest.find('<')?;
            rest = &rest[start + 1..];
            if rest.starts_with('?') || rest.starts_with('!') {
                continue;
            }
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ':').collect();
            let local = name.rsplit(':').next().unwrap_or("");
            return match local {
                "CONSOLIDATED_LIST" => Some(Format::UnXml),
                "data-set" => Some(Format::SemaXml),
                "export" => Some(Format::EuFsfXml),
                "Designations" => Some(Format::UkXml),
                _ => None,
            };
        }
    }
    if t.starts_with('{') {
        let first = t.lines().next().unwrap_or("");
        return (first.contains("\"schema\"") || first.contains("\"properties\"")).then_some(Format::FtmJson);
    }
    let first = t.lines().next().unwrap_or("");
    if first.starts_with("_id,source,") || first.starts_with("source,entity_number,") {
        return Some(Format::CslCsv);
    }
    if first.contains('\t') && first.trim_start_matches('"').to_ascii_lowercase().starts_with("name") {
        return Some(Format::BisDplTsv);
    }
    ofac::detect_part(t).map(Format::OfacCsv)
}

/// One input file.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File name (used for diagnostics and to tell OFAC's consolidated set, `cons_*`, from the SDN set).
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// The entities of one list read from one or more files.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// List id: `ofac-sdn`, `ofac-cons`, `un-sc`, `us-csl`, `bis-dpl`, `ca-sema`, `eu-fsf`, `uk-fcdo`, `opensanctions`.
    pub list: String,
    pub format: Format,
    /// The files it came from.
    pub files: Vec<String>,
    pub entities: Vec<Entity>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether the files could not be read as a whole (the import must be refused).
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of names of every kind over all entities.
    pub fn name_count(&self) -> usize {
        self.entities.iter().map(|e| e.names.len()).sum()
    }
}

/// Load files, grouping the parts of an OFAC CSV set (by `cons` in the file name: consolidated, else SDN).
/// Every source gives at least a diagnostic: an unknown format is an error.
pub fn load(sources: &[Source<'_>]) -> Vec<Loaded> {
    let mut out = Vec::new();
    let mut ofac_sets: Vec<(String, Vec<(String, ofac::Part, String)>, Vec<Diagnostic>)> = Vec::new();
    for s in sources {
        let (text, latin1) = decode(s.bytes);
        let mut diags = Vec::new();
        let Some(format) = detect(&text) else {
            out.push(Loaded {
                list: "unknown".into(),
                format: Format::FtmJson,
                files: vec![s.name.to_string()],
                entities: Vec::new(),
                diagnostics: vec![Diagnostic::error(s.name, "not a list format Clearway reads (OFAC CSV, UN XML, CSL CSV, BIS DPL TSV, SEMA XML, EU FSF XML, UK XML, FtM JSON)")],
            });
            continue;
        };
        if latin1 && !matches!(format, Format::OfacCsv(_)) {
            diags.push(Diagnostic::warning(s.name, "not valid UTF-8: read as Latin-1"));
        }
        if let Format::OfacCsv(part) = format {
            let base = s.name.rsplit(['/', '\\']).next().unwrap_or(s.name).to_ascii_lowercase();
            let list = if base.contains("cons") { "ofac-cons" } else { "ofac-sdn" };
            match ofac_sets.iter_mut().find(|x| x.0 == list) {
                Some(set) => {
                    set.1.push((s.name.to_string(), part, text));
                    set.2.extend(diags);
                }
                None => ofac_sets.push((list.to_string(), vec![(s.name.to_string(), part, text)], diags)),
            }
            continue;
        }
        out.push(load_text(s.name, format, &text, diags));
    }
    for (list, parts, mut diags) in ofac_sets {
        if !parts.iter().any(|p| p.1 == ofac::Part::Main) {
            diags.push(Diagnostic::error(parts[0].0.clone(), format!("{list}: alt/add/comments files without the main file")));
        }
        let refs: Vec<(&str, ofac::Part, &str)> = parts.iter().map(|(n, p, t)| (n.as_str(), *p, t.as_str())).collect();
        let entities = ofac::load(&list, &refs, &mut diags);
        out.push(Loaded {
            list,
            format: Format::OfacCsv(ofac::Part::Main),
            files: parts.iter().map(|p| p.0.clone()).collect(),
            entities,
            diagnostics: diags,
        });
    }
    out
}

/// Load one file of a known non-OFAC format.
pub fn load_text(name: &str, format: Format, text: &str, mut diags: Vec<Diagnostic>) -> Loaded {
    let xml_root = |diags: &mut Vec<Diagnostic>| match xml::parse(text) {
        Ok(r) => Some(r),
        Err(e) => {
            diags.push(Diagnostic::error(name, e));
            None
        }
    };
    let (list, entities) = match format {
        Format::UnXml => ("un-sc", xml_root(&mut diags).map(|r| loaders::un(&r, &mut diags)).unwrap_or_default()),
        Format::SemaXml => ("ca-sema", xml_root(&mut diags).map(|r| loaders::sema(&r, &mut diags)).unwrap_or_default()),
        Format::EuFsfXml => ("eu-fsf", xml_root(&mut diags).map(|r| loaders::eu(&r, &mut diags)).unwrap_or_default()),
        Format::UkXml => ("uk-fcdo", xml_root(&mut diags).map(|r| loaders::uk(&r, &mut diags)).unwrap_or_default()),
        Format::CslCsv => ("us-csl", loaders::csl(text, &mut diags)),
        Format::BisDplTsv => ("bis-dpl", loaders::dpl(text, &mut diags)),
        Format::FtmJson => ("opensanctions", loaders::ftm(text, &mut diags)),
        Format::OfacCsv(part) => {
            let list = if name.to_ascii_lowercase().contains("cons") { "ofac-cons" } else { "ofac-sdn" };
            let entities = ofac::load(list, &[(name, part, text)], &mut diags);
            return Loaded { list: list.into(), format, files: vec![name.into()], entities, diagnostics: diags };
        }
    };
    Loaded { list: list.into(), format, files: vec![name.into()], entities, diagnostics: diags }
}

#[cfg(test)]
mod tests;
