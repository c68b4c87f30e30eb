//! Code tables for the 309 mapping: CBP Schedule D (US ports) and Schedule K (foreign ports) codes
//! to UN/LOCODE, and N1 entity identifier codes to [`Role`]s.
//!
//! The port tables are deliberately small: the common container ports. A code outside them is
//! reported as a warning and the place is left empty (the CBP code is kept in the warning). A field
//! that already holds a UN/LOCODE is taken as is (the writer uses that for places without a code).

use clearway_core::Role;

/// CBP Schedule D port code → UN/LOCODE (principal US seaports).
pub const SCHEDULE_D: &[(&str, &str)] = &[
    ("0401", "USBOS"), // Boston
    ("1001", "USNYC"), // New York
    ("1101", "USPHL"), // Philadelphia
    ("1303", "USBAL"), // Baltimore
    ("1401", "USORF"), // Norfolk
    ("1601", "USCHS"), // Charleston
    ("1703", "USSAV"), // Savannah
    ("1801", "USTPA"), // Tampa
    ("1803", "USJAX"), // Jacksonville
    ("1901", "USMOB"), // Mobile
    ("2002", "USMSY"), // New Orleans
    ("2501", "USSAN"), // San Diego
    ("2704", "USLAX"), // Los Angeles
    ("2709", "USLGB"), // Long Beach
    ("2811", "USOAK"), // Oakland
    ("2904", "USPDX"), // Portland, Oregon
    ("3001", "USSEA"), // Seattle
    ("3002", "USTIW"), // Tacoma
    ("3201", "USHNL"), // Honolulu
    ("4601", "USEWR"), // Newark
    ("5201", "USMIA"), // Miami
    ("5203", "USPEF"), // Port Everglades
    ("5301", "USHOU"), // Houston
];

/// CBP Schedule K foreign port code → UN/LOCODE (a few large ports; 35177 Santos is in the sample).
pub const SCHEDULE_K: &[(&str, &str)] = &[
    ("35177", "BRSSZ"), // Santos
    ("42157", "NLRTM"), // Rotterdam
    ("57035", "CNSHA"), // Shanghai
    ("58201", "HKHKG"), // Hong Kong
];

pub fn schedule_d(code: &str) -> Option<&'static str> {
    SCHEDULE_D.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

pub fn schedule_d_for(locode: &str) -> Option<&'static str> {
    SCHEDULE_D.iter().find(|(_, l)| *l == locode).map(|(c, _)| *c)
}

pub fn schedule_k(code: &str) -> Option<&'static str> {
    SCHEDULE_K.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

pub fn schedule_k_for(locode: &str) -> Option<&'static str> {
    SCHEDULE_K.iter().find(|(_, l)| *l == locode).map(|(c, _)| *c)
}

/// N1 entity identifier code (N101) for each role. SH, CN, N1, CA, SE, BY, MF, ST, CS, LG, IM, FW
/// are the codes CBP uses in the 309 and ISF; the others are Clearway's (documented, not standard).
pub const ROLE_CODES: &[(Role, &str)] = &[
    (Role::Consignor, "SH"),
    (Role::Consignee, "CN"),
    (Role::NotifyParty, "N1"),
    (Role::Carrier, "CA"),
    (Role::Seller, "SE"),
    (Role::Buyer, "BY"),
    (Role::Manufacturer, "MF"),
    (Role::ImporterOfRecord, "IM"),
    (Role::ShipTo, "ST"),
    (Role::Consolidator, "CS"),
    (Role::ContainerStuffingLocation, "LG"),
    (Role::Driver, "DR"),
    (Role::Crew, "CW"),
    (Role::Exporter, "EX"),
    (Role::Declarant, "DC"),
    (Role::EndUser, "EU"),
    (Role::UltimateConsignee, "UC"),
    (Role::FreightForwarder, "FW"),
];

pub fn role_code(role: Role) -> &'static str {
    ROLE_CODES.iter().find(|(r, _)| *r == role).map_or("ZZ", |(_, c)| *c)
}

/// The role of an N101 code; also N2 (second notify party) and SU (supplier).
pub fn role_of(code: &str) -> Option<Role> {
    match code {
        "N2" => Some(Role::NotifyParty),
        "SU" => Some(Role::Manufacturer),
        _ => ROLE_CODES.iter().find(|(_, c)| *c == code).map(|(r, _)| *r),
    }
}
