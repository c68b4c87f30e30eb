//! The field catalog: every name a condition may use, its type and whether it belongs to the filing or to
//! one goods item. Profiles are checked against this table; facts are laid out by it.

/// Type of a field or expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num,
    Str,
    Bool,
    /// A list of strings (routing countries, container numbers); `in` / `starts_with` test any element.
    StrList,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Num => "number",
            Ty::Str => "string",
            Ty::Bool => "boolean",
            Ty::StrList => "list of strings",
        }
    }
}

/// Whether a field has one value per filing or one per goods item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Filing,
    Item,
}

/// One field: name, type, level, slot in its level's array of that type, and a line of documentation.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: Ty,
    pub level: Level,
    pub slot: usize,
    pub doc: &'static str,
}

macro_rules! fields {
    ($( $name:literal $ty:ident $level:ident $slot:expr, $doc:literal; )*) => {
        /// Every field, in documentation order.
        pub const FIELDS: &[FieldDef] = &[ $( FieldDef { name: $name, ty: Ty::$ty, level: Level::$level, slot: $slot, doc: $doc }, )* ];
    };
}

// Filing-level numbers.
pub const F_ITEMS: usize = 0;
pub const F_TOTAL_VALUE: usize = 1;
pub const F_TOTAL_GROSS_KG: usize = 2;
pub const F_LEAD_TIME_H: usize = 3;
pub const F_CONTAINER_COUNT: usize = 4;
pub const F_ROUTING_COUNT: usize = 5;
pub const F_IMPORTER_FILINGS: usize = 6;
pub const F_IMPORTER_FINDS: usize = 7;
pub const F_IMPORTER_FIND_RATE: usize = 8;
pub const F_VERSION: usize = 9;
pub const F_NUM: usize = 10;
// Filing-level strings.
pub const S_MODE: usize = 0;
pub const S_STAGE: usize = 1;
pub const S_COUNTRY: usize = 2;
pub const S_DIRECTION: usize = 3;
pub const S_KIND: usize = 4;
pub const S_IMPORTER: usize = 5;
pub const S_IMPORTER_COUNTRY: usize = 6;
pub const S_CONSIGNOR: usize = 7;
pub const S_CONSIGNOR_COUNTRY: usize = 8;
pub const S_CONSIGNEE: usize = 9;
pub const S_SELLER: usize = 10;
pub const S_SELLER_COUNTRY: usize = 11;
pub const S_DECLARANT: usize = 12;
pub const S_CARRIER: usize = 13;
pub const S_OFFICE: usize = 14;
pub const S_PLACE_OF_LOADING: usize = 15;
pub const S_LOADING_COUNTRY: usize = 16;
pub const S_PLACE_OF_DISCHARGE: usize = 17;
pub const S_DEPARTURE_COUNTRY: usize = 18;
pub const S_CARGO: usize = 19;
pub const F_STR: usize = 20;
// Filing-level booleans.
pub const B_NEW_IMPORTER: usize = 0;
pub const B_TRUSTED: usize = 1;
pub const B_FAST: usize = 2;
pub const B_LATE: usize = 3;
pub const B_AMENDED: usize = 4;
pub const F_BOOL: usize = 5;
// Filing-level string lists.
pub const L_ROUTING: usize = 0;
pub const L_CONTAINERS: usize = 1;
pub const F_LIST: usize = 2;
// Item-level numbers.
pub const I_VALUE: usize = 0;
pub const I_GROSS_KG: usize = 1;
pub const I_NET_KG: usize = 2;
pub const I_QUANTITY: usize = 3;
pub const I_UNIT_VALUE_KG: usize = 4;
pub const I_UNIT_VALUE_ITEM: usize = 5;
pub const I_HS_CHAPTER: usize = 6;
pub const I_HS_HEADING: usize = 7;
pub const I_VALUE_MIN: usize = 8;
pub const I_VALUE_MAX: usize = 9;
pub const I_TAX_RATE: usize = 10;
pub const I_PACKAGES: usize = 11;
pub const I_NUM: usize = 12;
// Item-level strings.
pub const T_HS: usize = 0;
pub const T_HS6: usize = 1;
pub const T_ORIGIN: usize = 2;
pub const T_DESCRIPTION: usize = 3;
pub const T_UN_NUMBER: usize = 4;
pub const T_CURRENCY: usize = 5;
pub const I_STR: usize = 6;
// Item-level booleans.
pub const C_FIRST_HS_FOR_IMPORTER: usize = 0;
pub const C_BELOW_VALUE_BAND: usize = 1;
pub const C_ABOVE_VALUE_BAND: usize = 2;
pub const C_DANGEROUS: usize = 3;
pub const I_BOOL: usize = 4;

fields! {
    "items" Num Filing F_ITEMS, "number of goods items";
    "total_value" Num Filing F_TOTAL_VALUE, "sum of declared item values";
    "total_gross_kg" Num Filing F_TOTAL_GROSS_KG, "sum of item gross mass (kg)";
    "lead_time_h" Num Filing F_LEAD_TIME_H, "hours from filing to loading (containerised marine) or arrival; negative when filed after";
    "container_count" Num Filing F_CONTAINER_COUNT, "number of pieces of equipment";
    "routing_count" Num Filing F_ROUTING_COUNT, "number of routing countries";
    "importer_filings" Num Filing F_IMPORTER_FILINGS, "filings seen earlier from this importer (entity history)";
    "importer_finds" Num Filing F_IMPORTER_FINDS, "exam findings (finding or seizure) recorded earlier for this importer";
    "importer_find_rate" Num Filing F_IMPORTER_FIND_RATE, "importer's finds over its examined filings (missing when never examined)";
    "version" Num Filing F_VERSION, "filing version (1 = original)";
    "mode" Str Filing S_MODE, "marine, air, rail, highway";
    "stage" Str Filing S_STAGE, "pre-load, pre-arrival, arrival, export";
    "country" Str Filing S_COUNTRY, "agency country filed to: CA, US, MX";
    "direction" Str Filing S_DIRECTION, "import, export, in-transit";
    "kind" Str Filing S_KIND, "advance-cargo, house-bill, master-bill, conveyance-report, export-declaration";
    "importer" Str Filing S_IMPORTER, "importer: IOR number if any, else name (importer of record, else consignee)";
    "importer_country" Str Filing S_IMPORTER_COUNTRY, "importer's country";
    "consignor" Str Filing S_CONSIGNOR, "consignor (shipper) name";
    "consignor_country" Str Filing S_CONSIGNOR_COUNTRY, "consignor's country";
    "consignee" Str Filing S_CONSIGNEE, "consignee name";
    "seller" Str Filing S_SELLER, "seller name";
    "seller_country" Str Filing S_SELLER_COUNTRY, "seller's country";
    "declarant" Str Filing S_DECLARANT, "declarant name or id";
    "carrier" Str Filing S_CARRIER, "carrier: SCAC/IATA code if any, else name";
    "office" Str Filing S_OFFICE, "customs office: first port of arrival, else place of discharge";
    "place_of_loading" Str Filing S_PLACE_OF_LOADING, "UN/LOCODE of loading";
    "loading_country" Str Filing S_LOADING_COUNTRY, "country of the place of loading (first two letters of its UN/LOCODE)";
    "place_of_discharge" Str Filing S_PLACE_OF_DISCHARGE, "UN/LOCODE of discharge";
    "departure_country" Str Filing S_DEPARTURE_COUNTRY, "country of departure (KCS) else the loading country";
    "cargo" Str Filing S_CARGO, "containerised, bulk, break-bulk";
    "new_importer" Bool Filing B_NEW_IMPORTER, "no earlier filing from this importer (entity history)";
    "trusted" Bool Filing B_TRUSTED, "importer is a trusted trader in good standing (trusted-trader layer)";
    "fast" Bool Filing B_FAST, "filer asks for the FAST lane";
    "late" Bool Filing B_LATE, "a timeliness finding fired (deadline layer)";
    "amended" Bool Filing B_AMENDED, "an amendment or later version";
    "routing" StrList Filing L_ROUTING, "routing countries, in order";
    "containers" StrList Filing L_CONTAINERS, "equipment numbers";
    "value" Num Item I_VALUE, "declared value of the item";
    "gross_kg" Num Item I_GROSS_KG, "gross mass (kg)";
    "net_kg" Num Item I_NET_KG, "net mass (kg)";
    "quantity" Num Item I_QUANTITY, "quantity";
    "unit_value_kg" Num Item I_UNIT_VALUE_KG, "value per kg (net mass, else gross)";
    "unit_value_item" Num Item I_UNIT_VALUE_ITEM, "value per unit of quantity";
    "hs_chapter" Num Item I_HS_CHAPTER, "HS chapter (first 2 digits) as a number";
    "hs_heading" Num Item I_HS_HEADING, "HS heading (first 4 digits) as a number";
    "value_min" Num Item I_VALUE_MIN, "value-control table: minimum unit value per kg for this HS-6 and origin";
    "value_max" Num Item I_VALUE_MAX, "value-control table: maximum unit value per kg for this HS-6 and origin";
    "tax_rate" Num Item I_TAX_RATE, "duty rate in percent (KCS declarations)";
    "packages" Num Item I_PACKAGES, "number of packages";
    "hs" Str Item T_HS, "HS code as filed (6-10 digits)";
    "hs6" Str Item T_HS6, "first six digits of the HS code";
    "origin" Str Item T_ORIGIN, "country of origin";
    "description" Str Item T_DESCRIPTION, "goods description";
    "un_number" Str Item T_UN_NUMBER, "UN dangerous-goods number";
    "currency" Str Item T_CURRENCY, "ISO 4217 currency";
    "first_hs_for_importer" Bool Item C_FIRST_HS_FOR_IMPORTER, "first time this HS-6 is seen for this importer (entity history)";
    "below_value_band" Bool Item C_BELOW_VALUE_BAND, "unit value per kg below the value-control minimum";
    "above_value_band" Bool Item C_ABOVE_VALUE_BAND, "unit value per kg above the value-control maximum";
    "dangerous" Bool Item C_DANGEROUS, "item carries a UN dangerous-goods number";
}

/// Look a field up by name.
pub fn field(name: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The known field closest to `name` (for "did you mean"), if any is close.
pub fn suggest(name: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .map(|f| (edit_distance(name, f.name), f.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_unique_per_level_and_type() {
        let mut seen = std::collections::HashSet::new();
        for f in FIELDS {
            assert!(seen.insert((f.level as u8, f.ty as u8, f.slot)), "duplicate slot for {}", f.name);
            let cap = match (f.level, f.ty) {
                (Level::Filing, Ty::Num) => F_NUM,
                (Level::Filing, Ty::Str) => F_STR,
                (Level::Filing, Ty::Bool) => F_BOOL,
                (Level::Filing, Ty::StrList) => F_LIST,
                (Level::Item, Ty::Num) => I_NUM,
                (Level::Item, Ty::Str) => I_STR,
                (Level::Item, Ty::Bool) => I_BOOL,
                (Level::Item, Ty::StrList) => 0,
            };
            assert!(f.slot < cap, "{} out of range", f.name);
        }
        assert_eq!(suggest("unit_value_kgs"), Some("unit_value_kg"));
        assert_eq!(suggest("zzzzzzzz"), None);
    }
}
