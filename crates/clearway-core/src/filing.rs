//! The filing model, in the WCO Data Model's vocabulary.
//!
//! A [`Filing`] is one version of an advance cargo report, a house or master bill, a conveyance report
//! or an export declaration. Amendments and cancellations are new versions of the same `id`.
//! Every optional element may be absent: completeness is judged by the data-quality layer, not here.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

fn one() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One version of a filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    /// Filing identifier (transport document or declaration number), stable across versions.
    pub id: String,
    /// Version number, 1 for the original; amendments and cancellations carry higher numbers.
    #[serde(default = "one")]
    pub version: u32,
    /// What kind of document this is.
    #[serde(default)]
    pub kind: FilingKind,
    /// Original, amendment or cancellation.
    #[serde(default)]
    pub status: FilingStatus,
    /// For a cancel-and-resubmit: the id of the cancelled filing this one replaces (its clock restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resubmits: Option<String>,
    pub mode: Mode,
    pub direction: Direction,
    /// The administration the filing is lodged with (any ISO 3166 country).
    pub country: AgencyCountry,
    pub stage: Stage,
    /// Cargo type; decides the marine deadline (containerised vs bulk / break-bulk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo: Option<CargoType>,
    /// The filer asks for the FAST lane (highway).
    #[serde(default, skip_serializing_if = "is_false")]
    pub fast: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goods: Vec<GoodsItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equipment: Vec<Equipment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conveyance: Option<Conveyance>,
    #[serde(default)]
    pub itinerary: Itinerary,
    #[serde(default)]
    pub times: Times,
    /// Export-control facts of an export declaration (destination, end use); absent on other filings.
    /// The exporter, ultimate consignee, intermediate consignees and end user are [`Party`]s by role;
    /// countries of transit and transshipment are [`Itinerary::routing`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportFacts>,
}

impl Filing {
    /// Parties with the given role, in filing order.
    pub fn parties_with(&self, role: Role) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(move |p| p.role == role)
    }

    /// The first party with the given role.
    pub fn party(&self, role: Role) -> Option<&Party> {
        self.parties.iter().find(|p| p.role == role)
    }

    /// The party that stands for the importer: the importer of record, else the consignee. The one
    /// definition of "importer" (trust, profiles, entity history, the model, statistics use it).
    pub fn importer(&self) -> Option<&Party> {
        self.party(Role::ImporterOfRecord).or_else(|| self.party(Role::Consignee))
    }

    /// The importer's key in entity history and statistics: its `IOR` number if any, else its name;
    /// empty when the filing names no importer. Compare keys case-insensitively.
    pub fn importer_key(&self) -> &str {
        self.importer().map_or("", |p| p.id("IOR").unwrap_or(p.name.as_str()))
    }

    /// The office that handles the filing: the first port of arrival, else the place of discharge
    /// (UN/LOCODE). The one definition of "office" (queues, top-up selection, profiles, the model).
    pub fn office(&self) -> Option<&str> {
        self.itinerary.first_port_of_arrival.as_deref().or(self.itinerary.place_of_discharge.as_deref())
    }

    /// Whether the cargo travels in containers (explicit cargo type, else inferred from equipment).
    pub fn is_containerised(&self) -> bool {
        match self.cargo {
            Some(c) => c == CargoType::Containerised,
            None => !self.equipment.is_empty(),
        }
    }

    /// Total declared value over goods items, when every item has one.
    pub fn total_value(&self) -> Option<f64> {
        self.goods.iter().map(|g| g.value).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FilingKind {
    #[default]
    AdvanceCargo,
    HouseBill,
    MasterBill,
    ConveyanceReport,
    ExportDeclaration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FilingStatus {
    #[default]
    Original,
    Amendment,
    Cancellation,
}

/// Mode of transport at the border, after UN/ECE Recommendation 19 (codes for modes of transport), the
/// list the WCO Data Model, UN/EDIFACT (7067, C220) and the customs code lists use; see [`Mode::REC19`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Marine,
    Air,
    Rail,
    Highway,
    /// Rec. 19 code 5: mail.
    Postal,
    /// Rec. 19 code 6: multimodal.
    Multimodal,
    /// Rec. 19 code 7: fixed transport installations (pipelines, power lines, ropeways).
    FixedInstallation,
    /// Code 9 of the EU / UK customs lists (UCC DA Annex B, CDS DE 7/4): own propulsion — the goods move
    /// under their own power (a delivered ship, aircraft or vehicle). Rec. 19 calls 9 "not applicable".
    OwnPropulsion,
    /// Not declared (absent, or Rec. 19 code 0 "not specified"): the filing goes on and the
    /// data-quality layer judges what an unknown mode means.
    Unknown,
}

impl Mode {
    /// Rec. 19 one-digit codes and the mode each reads as. Code 8 (inland water transport) is read as
    /// marine (vessel rules apply) and written back as 1. Source: UN/ECE Recommendation 19, rev. 2002
    /// (ECE/TRADE/C/CEFACT/2010/13), and for 9 the EU/UK customs code list.
    pub const REC19: [(&'static str, Mode); 10] = [
        ("0", Mode::Unknown),
        ("1", Mode::Marine),
        ("2", Mode::Rail),
        ("3", Mode::Highway),
        ("4", Mode::Air),
        ("5", Mode::Postal),
        ("6", Mode::Multimodal),
        ("7", Mode::FixedInstallation),
        ("8", Mode::Marine),
        ("9", Mode::OwnPropulsion),
    ];

    /// The mode of a Rec. 19 code (`"1"`, also `"10"`..`"19"` style two-digit refinements and
    /// leading zeros: only the first significant digit counts).
    pub fn from_rec19(code: &str) -> Option<Mode> {
        let c = code.trim();
        let c = if c.len() == 2 && c.starts_with('0') { &c[1..] } else { c };
        let first = c.get(..1)?;
        if c.len() > 2 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Mode::REC19.iter().find(|(k, _)| *k == first).map(|(_, m)| *m)
    }

    /// The Rec. 19 code written for this mode.
    pub fn rec19(self) -> &'static str {
        match self {
            Mode::Marine => "1",
            Mode::Rail => "2",
            Mode::Highway => "3",
            Mode::Air => "4",
            Mode::Postal => "5",
            Mode::Multimodal => "6",
            Mode::FixedInstallation => "7",
            Mode::OwnPropulsion => "9",
            Mode::Unknown => "0",
        }
    }

    /// The kebab-case name used in JSON and profiles (`marine`, `own-propulsion`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Marine => "marine",
            Mode::Air => "air",
            Mode::Rail => "rail",
            Mode::Highway => "highway",
            Mode::Postal => "postal",
            Mode::Multimodal => "multimodal",
            Mode::FixedInstallation => "fixed-installation",
            Mode::OwnPropulsion => "own-propulsion",
            Mode::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Import,
    Export,
    InTransit,
}

/// The customs administration a filing is lodged with: any ISO 3166-1 alpha-2 country. Canada, the
/// United States and Mexico have variants of their own because their deadline rows and trusted-trader
/// programmes are named in the engine's tables; every other administration is [`AgencyCountry::Other`]
/// and gets the WCO SAFE Framework's defaults. A match on the country therefore needs an arm for
/// `Other`. Written as the two-letter code (`"GB"`); only assigned upper-case codes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgencyCountry {
    CA,
    US,
    MX,
    /// Any other assigned ISO 3166-1 alpha-2 country.
    Other(Country),
}

/// An assigned ISO 3166-1 alpha-2 country other than CA, US and MX. Made only by
/// [`AgencyCountry::parse`], so a country has exactly one [`AgencyCountry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u8);

impl Country {
    pub fn as_str(self) -> &'static str {
        crate::codes::ISO3166_ALPHA2[usize::from(self.0)]
    }
}

impl AgencyCountry {
    /// The administration of an assigned ISO 3166-1 alpha-2 code (upper case), else `None`.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "CA" => Some(AgencyCountry::CA),
            "US" => Some(AgencyCountry::US),
            "MX" => Some(AgencyCountry::MX),
            _ => {
                let i = crate::codes::ISO3166_ALPHA2.binary_search(&code).ok()?;
                Some(AgencyCountry::Other(Country(u8::try_from(i).ok()?)))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyCountry::CA => "CA",
            AgencyCountry::US => "US",
            AgencyCountry::MX => "MX",
            AgencyCountry::Other(c) => c.as_str(),
        }
    }
}

impl std::fmt::Display for AgencyCountry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AgencyCountry {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AgencyCountry::parse(s).ok_or_else(|| format!("not an assigned ISO 3166-1 alpha-2 country code: {s:?}"))
    }
}

impl Serialize for AgencyCountry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AgencyCountry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = AgencyCountry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an ISO 3166-1 alpha-2 country code (upper case)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AgencyCountry, E> {
                AgencyCountry::parse(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

impl JsonSchema for AgencyCountry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AgencyCountry".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The customs administration the filing is lodged with: an ISO 3166-1 alpha-2 country code.",
            "type": "string",
            "enum": crate::codes::ISO3166_ALPHA2.as_slice(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// At the foreign port, before loading.
    PreLoad,
    PreArrival,
    /// At the first port of entry.
    Arrival,
    /// Outbound.
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CargoType {
    Containerised,
    Bulk,
    BreakBulk,
}

/// Party roles, after the WCO Data Model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Consignor or shipper.
    Consignor,
    Consignee,
    NotifyParty,
    Carrier,
    Seller,
    Buyer,
    /// Manufacturer or supplier.
    Manufacturer,
    ImporterOfRecord,
    ShipTo,
    Consolidator,
    ContainerStuffingLocation,
    Driver,
    Crew,
    Exporter,
    Declarant,
    EndUser,
    UltimateConsignee,
    FreightForwarder,
    /// A party that takes the goods on the way to the ultimate consignee (export: EEI intermediate consignee).
    IntermediateConsignee,
}

impl Role {
    pub const ALL: [Role; 19] = [
        Role::Consignor,
        Role::Consignee,
        Role::NotifyParty,
        Role::Carrier,
        Role::Seller,
        Role::Buyer,
        Role::Manufacturer,
        Role::ImporterOfRecord,
        Role::ShipTo,
        Role::Consolidator,
        Role::ContainerStuffingLocation,
        Role::Driver,
        Role::Crew,
        Role::Exporter,
        Role::Declarant,
        Role::EndUser,
        Role::UltimateConsignee,
        Role::FreightForwarder,
        Role::IntermediateConsignee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Consignor => "consignor",
            Role::Consignee => "consignee",
            Role::NotifyParty => "notify-party",
            Role::Carrier => "carrier",
            Role::Seller => "seller",
            Role::Buyer => "buyer",
            Role::Manufacturer => "manufacturer",
            Role::ImporterOfRecord => "importer-of-record",
            Role::ShipTo => "ship-to",
            Role::Consolidator => "consolidator",
            Role::ContainerStuffingLocation => "container-stuffing-location",
            Role::Driver => "driver",
            Role::Crew => "crew",
            Role::Exporter => "exporter",
            Role::Declarant => "declarant",
            Role::EndUser => "end-user",
            Role::UltimateConsignee => "ultimate-consignee",
            Role::FreightForwarder => "freight-forwarder",
            Role::IntermediateConsignee => "intermediate-consignee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A party to the shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub role: Role,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// ISO 3166-1 alpha-2 country of the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Identifiers: trusted-trader ids (FAST, CTPAT, PIP, CSA, OEA, AEO), importer-of-record number (IOR),
    /// carrier codes (SCAC, IATA, CBSA carrier code), tax ids, travel documents (PASSPORT).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<Identifier>,
}

impl Party {
    /// The value of the first identifier with this scheme.
    pub fn id(&self, scheme: &str) -> Option<&str> {
        self.ids.iter().find(|i| i.scheme.eq_ignore_ascii_case(scheme)).map(|i| i.value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// An identifier in a named scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    /// FAST, CTPAT, PIP, CSA, OEA, AEO, IOR, SCAC, IATA, CARRIER, PASSPORT, TAX, DUNS, ...
    pub scheme: String,
    pub value: String,
    /// Issuing country, where it matters (travel documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// One goods item (a line of the bill or declaration).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsItem {
    #[serde(default)]
    pub description: String,
    /// HS code, 6 to 10 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hs_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// ISO 4217.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// ISO 3166-1 alpha-2 country of origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// UN dangerous-goods number, four digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub un_number: Option<String>,
    /// Container numbers this item is stuffed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Declared radioactive content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub radioactive: Vec<RadioactiveContent>,
    /// Export-control classification and licence of this item (export declarations); quantity and value
    /// are the item's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<GoodsExport>,
}

/// A goods item's export-control facts, as declared (US EEI, Canadian export declaration).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsExport {
    /// Control classification as declared: a US ECCN (`3A001`, `5A002.a.1`) or `EAR99`, a USML category
    /// (`USML XI`), a Canadian Export Control List item (`ECL 1-3.A.1`, `ECL 2-1`), or `NC` (not
    /// controlled). Kept as text: an unknown form is reported by the export-control layer, not rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Licence (permit) number the item is exported under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// Licence exception symbol (EAR part 740: `LVS`, `GBS`, `TMP`, `ENC`...) or `NLR` (no licence required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_exception: Option<String>,
}

/// A filing's export-control facts, as declared.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportFacts {
    /// Country of ultimate destination, ISO 3166-1 alpha-2 (else the ultimate consignee's country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Declared end use, as free text (e.g. "civil telecommunications network maintenance").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_use: Option<String>,
    /// The ultimate consignee's declared line of business (e.g. "freight forwarder", "bakery").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consignee_business: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RadioactiveContent {
    /// Nuclide, as `Cs-137`.
    pub nuclide: String,
    /// Activity in becquerel.
    pub activity_bq: f64,
    /// Reference of the importing State's consent (IAEA guidance: Category 1 exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_ref: Option<String>,
    /// Reference of the recipient's authorisation to receive and possess the source (Categories 1-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_authorization: Option<String>,
    /// When the importing State was notified of the shipment (Categories 1-2; at least 7 days ahead).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::time::de_opt")]
    pub notified_at: Option<DateTime<Utc>>,
}

/// A piece of transport equipment (container, trailer, ULD).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Equipment {
    /// ISO 6346 container number (owner code, category, serial, check digit) or trailer id.
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seals: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub empty: bool,
}

/// The means of transport.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conveyance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_name: Option<String>,
    /// IMO ship number (7 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    /// Voyage, trip or train number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voyage: Option<String>,
    /// For a marine conveyance report: whether containers are on board (CA 96 h rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers_on_board: Option<bool>,
}

/// Places, as UN/LOCODE, and routing countries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Itinerary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_loading: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_discharge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_port_of_arrival: Option<String>,
    /// Countries of routing, ISO 3166-1 alpha-2, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<String>,
}

/// Event times, RFC 3339.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Times {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::time::de_opt")]
    pub filed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::time::de_opt")]
    pub loading: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::time::de_opt")]
    pub departure: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::time::de_opt")]
    pub arrival: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::AgencyCountry;

    #[test]
    fn any_assigned_country_is_an_administration_and_each_has_one_value() {
        for c in crate::codes::ISO3166_ALPHA2 {
            let a = AgencyCountry::parse(c).unwrap_or_else(|| panic!("{c}"));
            assert_eq!(a.as_str(), c);
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<AgencyCountry>(&format!("\"{c}\"")).unwrap(), a);
        }
        assert_eq!(AgencyCountry::parse("US"), Some(AgencyCountry::US));
        assert!(matches!(AgencyCountry::parse("GB"), Some(AgencyCountry::Other(_))));
        assert_ne!(AgencyCountry::parse("GB"), AgencyCountry::parse("NG"));
        for bad in ["XX", "gb", "G", "GBR", "", "UK"] {
            assert_eq!(AgencyCountry::parse(bad), None, "{bad}");
            assert!(serde_json::from_str::<AgencyCountry>(&format!("\"{bad}\"")).is_err(), "{bad}");
        }
    }
}
