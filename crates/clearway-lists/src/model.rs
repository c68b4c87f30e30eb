//! The normalised entity model every list is loaded into.

use serde::{Deserialize, Serialize};

/// What a listed entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Schema {
    Person,
    Organization,
    Vessel,
    Aircraft,
    #[default]
    Unknown,
}

impl Schema {
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
            Schema::Unknown => "Unknown",
        }
    }

    /// Parse the schema names used by lists and by FollowTheMoney (`Company`, `LegalEntity` → organisation).
    pub fn parse(s: &str) -> Schema {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" | "p" => Schema::Person,
            "organization" | "organisation" | "company" | "legalentity" | "entity" | "enterprise" | "e" => {
                Schema::Organization
            }
            "vessel" | "ship" => Schema::Vessel,
            "aircraft" | "airplane" => Schema::Aircraft,
            _ => Schema::Unknown,
        }
    }
}

/// How a list presents a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameKind {
    Primary,
    /// Also known as.
    Aka,
    /// Formerly known as.
    Fka,
    /// A low-quality alias (OFAC "weak a.k.a.", UN "Low quality").
    Weak,
}

/// A writing system, detected from the characters of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Armenian,
    Georgian,
    Arabic,
    Hebrew,
    Han,
    Hangul,
    Kana,
    Thai,
    Devanagari,
    Other,
}

impl Script {
    /// The dominant script of a text (the script of most letters); Latin for an empty text.
    pub fn detect(s: &str) -> Script {
        let mut counts = [0usize; 13];
        for c in s.chars().filter(|c| c.is_alphabetic()) {
            counts[Script::of_char(c) as usize] += 1;
        }
        let all = [
            Script::Latin,
            Script::Cyrillic,
            Script::Greek,
            Script::Armenian,
            Script::Georgian,
            Script::Arabic,
            Script::Hebrew,
            Script::Han,
            Script::Hangul,
            Script::Kana,
            Script::Thai,
            Script::Devanagari,
            Script::Other,
        ];
        let mut best = (0, Script::Latin);
        for (i, n) in counts.iter().enumerate() {
            if *n > best.0 {
                best = (*n, all[i]);
            }
        }
        best.1
    }

    pub fn of_char(c: char) -> Script {
        match c as u32 {
            0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
            0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
            0x400..=0x52F => Script::Cyrillic,
            0x530..=0x58F => Script::Armenian,
            0x590..=0x5FF => Script::Hebrew,
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
            0x900..=0x97F => Script::Devanagari,
            0xE00..=0xE7F => Script::Thai,
            0x10A0..=0x10FF | 0x1C90..=0x1CBF => Script::Georgian,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
            0x3040..=0x30FF => Script::Kana,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Han,
            _ => Script::Other,
        }
    }
}

/// One name of an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Name {
    /// The name as the list writes it.
    pub full: String,
    pub kind: NameKind,
    pub script: Script,
    /// Language the list gives for the name (ISO 639-1 or as given), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Name {
    pub fn new(full: &str, kind: NameKind) -> Name {
        let full = clean(full);
        Name { script: Script::detect(&full), full, kind, lang: None }
    }
}

/// A date that may be partial (year only, year and month) or a range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// Last year of a range ("1960 to 1962", "circa": ± 1 handled by comparers), if a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub circa: bool,
}

impl PartialDate {
    pub fn year(year: i32) -> PartialDate {
        PartialDate { year, month: None, day: None, to_year: None, circa: false }
    }

    pub fn ymd(year: i32, month: u8, day: u8) -> PartialDate {
        PartialDate { year, month: Some(month), day: Some(day), to_year: None, circa: false }
    }

    pub fn display(&self) -> String {
        let mut s = match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        };
        if let Some(t) = self.to_year {
            s.push_str(&format!("..{t:04}"));
        }
        if self.circa {
            s = format!("circa {s}");
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Some(Gender::Male),
            "f" | "female" | "woman" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// An identifier: passport, national id, IMO number, tax id, registration number...
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// Scheme in lower case: `passport`, `national-id`, `imo`, `tax-id`, `registration`, `other`...
    pub scheme: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// Street, city, region and postcode as one line.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One listed party in the normalised model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Entity {
    /// List identifier: `ofac-sdn`, `ofac-cons`, `un-sc`, `us-csl`, `bis-dpl`, `ca-sema`, `eu-fsf`, `uk-fcdo`,
    /// `opensanctions`.
    pub list: String,
    /// Id of the entity within its list.
    pub id: String,
    pub schema: Schema,
    pub names: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dobs: Vec<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Nationalities or citizenships as the list writes them (country names or ISO codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programmes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl Default for Name {
    fn default() -> Self {
        Name::new("", NameKind::Primary)
    }
}

impl Entity {
    pub fn new(list: &str, id: impl Into<String>, schema: Schema) -> Entity {
        Entity { list: list.to_string(), id: id.into(), schema, ..Entity::default() }
    }

    /// The primary name (the first name), or the empty string.
    pub fn caption(&self) -> &str {
        self.names.iter().find(|n| n.kind == NameKind::Primary).or(self.names.first()).map_or("", |n| n.full.as_str())
    }

    /// Add a name unless it is empty or already present (same text).
    pub fn add_name(&mut self, full: &str, kind: NameKind) {
        let n = Name::new(full, kind);
        if n.full.is_empty() || self.names.iter().any(|m| m.full == n.full) {
            return;
        }
        self.names.push(n);
    }

    pub fn add_nationality(&mut self, s: &str) {
        let s = clean(s);
        if !s.is_empty() && !self.nationalities.contains(&s) {
            self.nationalities.push(s);
        }
    }

    pub fn add_dob(&mut self, d: PartialDate) {
        if !self.dobs.contains(&d) {
            self.dobs.push(d);
        }
    }

    pub fn add_identifier(&mut self, scheme: &str, value: &str, country: Option<&str>) {
        let value = clean(value);
        if value.is_empty() {
            return;
        }
        let id = Identifier {
            scheme: scheme.to_string(),
            value,
            country: country.map(clean).filter(|c| !c.is_empty()),
        };
        if !self.identifiers.contains(&id) {
            self.identifiers.push(id);
        }
    }

    pub fn add_programme(&mut self, s: &str) {
        let s = clean(s);
        if !s.is_empty() && !self.programmes.contains(&s) {
            self.programmes.push(s);
        }
    }

    /// A stable content fingerprint (hex) of the entity: changes whenever its listing changes.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a 64 twice with different seeds: no cryptographic claim, only change detection.
        let mut a: u64 = 0xcbf29ce484222325;
        let mut b: u64 = 0x84222325cbf29ce4;
        for byte in json.bytes() {
            a = (a ^ byte as u64).wrapping_mul(0x100000001b3);
            b = (b ^ byte as u64).wrapping_mul(0x100000001b3).rotate_left(5);
        }
        format!("{a:016x}{b:016x}")
    }
}

/// Trim and collapse internal whitespace; drop control characters.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}
