//! Static reference tables: goods catalogue (HS 2022 subheadings), countries with their ports and
//! airports (UN/LOCODE), North-American cities and border crossings, carriers, name word lists.
//!
//! HS subheadings and the CA/MX/US LOCODEs are checked against `shared/data/reference` by a test
//! when that data is present.

/// Industry sector of a product or a company; used to match shippers, importers and goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sector {
    Electronics,
    Apparel,
    Furniture,
    Consumer,
    Machinery,
    Auto,
    Food,
    Produce,
    Chemicals,
    Plastics,
    Metals,
    Pharma,
    Materials,
    Energy,
    Agri,
    Forest,
    Radio,
    General,
}

pub(crate) const SECTORS: [Sector; 18] = [
    Sector::Electronics,
    Sector::Apparel,
    Sector::Furniture,
    Sector::Consumer,
    Sector::Machinery,
    Sector::Auto,
    Sector::Food,
    Sector::Produce,
    Sector::Chemicals,
    Sector::Plastics,
    Sector::Metals,
    Sector::Pharma,
    Sector::Materials,
    Sector::Energy,
    Sector::Agri,
    Sector::Forest,
    Sector::Radio,
    Sector::General,
];

impl Sector {
    pub fn idx(self) -> usize {
        self as usize
    }
}

// Mode bits.
pub(crate) const MAR: u8 = 1;
pub(crate) const AIR: u8 = 2;
pub(crate) const RAIL: u8 = 4;
pub(crate) const HWY: u8 = 8;
pub(crate) const ALL: u8 = MAR | AIR | RAIL | HWY;
// Marine cargo bits.
pub(crate) const CONT: u8 = 1;
pub(crate) const BULK: u8 = 2;
pub(crate) const BRK: u8 = 4;
// Flags.
/// Dual-use / high-priority goods (HS 8471, 8542, 8526, 9013, 8802/8806/8807, CHPL items).
pub(crate) const SENSITIVE: u8 = 1;
/// High-value electronics: candidates for the implausibly-low-unit-value pattern.
pub(crate) const PRICEY: u8 = 2;
/// Not drawn in the ordinary mix (radioactive sources, evasion-pattern goods).
pub(crate) const SPECIAL: u8 = 4;
/// Sometimes carries a UN number (e.g. lithium batteries packed in equipment).
pub(crate) const SOMETIMES_DG: u8 = 8;

/// One line of the goods catalogue.
#[derive(Debug)]
pub(crate) struct Product {
    /// HS 2022 subheading, 6 digits.
    pub hs: &'static str,
    /// A 10-digit national tariff number (US HTS) when known, else "".
    pub national: &'static str,
    pub descs: &'static [&'static str],
    pub sector: Sector,
    pub unit: &'static str,
    /// USD per unit.
    pub value: (f64, f64),
    /// Net kg per unit.
    pub kg: (f64, f64),
    /// Units per goods line on a typical ocean bill (scaled for other modes).
    pub qty: (f64, f64),
    /// Units per package; 0 for bulk.
    pub per_pkg: f64,
    pub pkg: &'static str,
    pub un: &'static str,
    pub modes: u8,
    pub cargo: u8,
    pub reefer: bool,
    pub flags: u8,
    pub origins: &'static [&'static str],
    /// Radioactive content per unit: nuclide, Bq low, Bq high.
    pub nuclides: &'static [(&'static str, f64, f64)],
}

#[allow(clippy::too_many_arguments)]
const fn p(
    hs: &'static str,
    national: &'static str,
    descs: &'static [&'static str],
    sector: Sector,
    unit: &'static str,
    value: (f64, f64),
    kg: (f64, f64),
    qty: (f64, f64),
    per_pkg: f64,
    pkg: &'static str,
    un: &'static str,
    modes: u8,
    cargo: u8,
    reefer: bool,
    flags: u8,
    origins: &'static [&'static str],
) -> Product {
    Product { hs, national, descs, sector, unit, value, kg, qty, per_pkg, pkg, un, modes, cargo, reefer, flags, origins, nuclides: &[] }
}

#[allow(clippy::too_many_arguments)]
const fn rad(
    hs: &'static str,
    descs: &'static [&'static str],
    value: (f64, f64),
    kg: (f64, f64),
    qty: (f64, f64),
    un: &'static str,
    modes: u8,
    origins: &'static [&'static str],
    nuclides: &'static [(&'static str, f64, f64)],
) -> Product {
    Product {
        hs,
        national: "",
        descs,
        sector: Sector::Radio,
        unit: "PCS",
        value,
        kg,
        qty,
        per_pkg: 1.0,
        pkg: "CS",
        un,
        modes,
        cargo: CONT,
        reefer: false,
        flags: SPECIAL,
        origins,
        nuclides,
    }
}

use Sector::*;

/// The goods catalogue. Every `hs` is an HS 2022 subheading.
#[rustfmt::skip]
pub(crate) static PRODUCTS: &[Product] = &[
    // Electronics
    p("847130", "8471300100", &["LAPTOP COMPUTERS", "NOTEBOOK COMPUTERS", "PORTABLE COMPUTERS 14 IN"], Electronics, "PCS", (280.0, 1400.0), (1.6, 2.6), (200.0, 6000.0), 5.0, "CT", "UN3481", ALL, CONT, false, SENSITIVE | PRICEY | SOMETIMES_DG, &["CN", "VN", "TW", "MY", "TH", "MX", "US"]),
    p("847150", "", &["RACK SERVERS", "SERVER PROCESSING UNITS"], Electronics, "PCS", (1800.0, 14000.0), (16.0, 30.0), (10.0, 400.0), 1.0, "CT", "", MAR | AIR | HWY, CONT, false, SENSITIVE | PRICEY, &["CN", "TW", "MX", "US"]),
    p("847330", "", &["COMPUTER PARTS AND ACCESSORIES", "PRINTED CIRCUIT ASSEMBLIES FOR COMPUTERS"], Electronics, "PCS", (3.0, 90.0), (0.1, 0.8), (500.0, 30000.0), 100.0, "CT", "", ALL, CONT, false, 0, &["CN", "TW", "VN", "MY", "MX", "US"]),
    p("851713", "8517130000", &["SMARTPHONES", "MOBILE PHONES (SMARTPHONES)"], Electronics, "PCS", (110.0, 950.0), (0.2, 0.45), (500.0, 20000.0), 40.0, "CT", "UN3481", MAR | AIR | HWY, CONT, false, PRICEY | SOMETIMES_DG, &["CN", "VN", "IN", "KR"]),
    p("851762", "", &["NETWORK SWITCHES", "WIRELESS ROUTERS", "DATA COMMUNICATION EQUIPMENT"], Electronics, "PCS", (25.0, 4500.0), (0.3, 12.0), (50.0, 5000.0), 10.0, "CT", "", ALL, CONT, false, 0, &["CN", "TW", "VN", "MY", "MX", "US"]),
    p("852872", "", &["LED TELEVISIONS 55 IN", "LCD TELEVISION RECEIVERS", "SMART TV 65 IN"], Electronics, "PCS", (160.0, 900.0), (14.0, 28.0), (100.0, 1400.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, PRICEY, &["CN", "MX", "KR", "VN"]),
    p("854231", "", &["INTEGRATED CIRCUITS - PROCESSORS", "MICROCONTROLLERS", "PROCESSORS AND CONTROLLERS (ICS)"], Electronics, "PCS", (0.8, 450.0), (0.002, 0.02), (1000.0, 200000.0), 2000.0, "BX", "", MAR | AIR | HWY, CONT, false, SENSITIVE, &["TW", "KR", "CN", "MY", "US", "JP", "MX"]),
    p("854232", "", &["MEMORY CHIPS (DRAM)", "NAND FLASH MEMORY ICS"], Electronics, "PCS", (1.0, 60.0), (0.002, 0.01), (1000.0, 200000.0), 2000.0, "BX", "", MAR | AIR | HWY, CONT, false, SENSITIVE | PRICEY, &["KR", "TW", "CN", "JP", "US"]),
    p("852691", "", &["GNSS RECEIVER MODULES", "RADIO NAVIGATION RECEIVERS"], Electronics, "PCS", (40.0, 2500.0), (0.1, 2.0), (20.0, 3000.0), 20.0, "CT", "", MAR | AIR | HWY, CONT, false, SENSITIVE, &["CN", "TW", "US", "DE", "JP"]),
    p("901310", "", &["TELESCOPIC SIGHTS", "RIFLE SCOPES"], Electronics, "PCS", (80.0, 1800.0), (0.5, 1.2), (20.0, 2000.0), 10.0, "CT", "", MAR | AIR | HWY, CONT, false, SENSITIVE, &["CN", "JP", "DE", "US", "PH"]),
    p("901380", "", &["LIQUID CRYSTAL DISPLAY MODULES", "OPTICAL INSTRUMENTS"], Electronics, "PCS", (15.0, 300.0), (0.1, 1.5), (100.0, 20000.0), 50.0, "CT", "", MAR | AIR | HWY, CONT, false, SENSITIVE, &["CN", "KR", "TW", "JP"]),
    p("880622", "", &["UNMANNED AIRCRAFT (DRONES) 250G-7KG", "CAMERA DRONES"], Electronics, "PCS", (300.0, 3500.0), (0.9, 6.0), (20.0, 2000.0), 4.0, "CT", "UN3481", MAR | AIR | HWY, CONT, false, SENSITIVE | PRICEY | SOMETIMES_DG, &["CN", "US"]),
    p("880730", "", &["AIRCRAFT PARTS", "PARTS OF AEROPLANES"], Machinery, "PCS", (50.0, 20000.0), (1.0, 60.0), (5.0, 500.0), 2.0, "CS", "", MAR | AIR | HWY, CONT, false, SENSITIVE, &["US", "CA", "FR", "DE", "GB"]),
    p("850760", "", &["LITHIUM-ION BATTERIES", "LI-ION BATTERY PACKS"], Electronics, "PCS", (15.0, 400.0), (0.3, 8.0), (100.0, 10000.0), 10.0, "CT", "UN3480", MAR | AIR | HWY, CONT, false, 0, &["CN", "KR", "JP", "VN", "MX", "US"]),
    p("850440", "", &["POWER SUPPLIES (STATIC CONVERTERS)", "INVERTERS"], Electronics, "PCS", (8.0, 900.0), (0.2, 15.0), (100.0, 10000.0), 10.0, "CT", "", ALL, CONT, false, 0, &["CN", "TW", "MX", "VN", "US"]),
    p("854143", "", &["PHOTOVOLTAIC MODULES (SOLAR PANELS)"], Electronics, "PCS", (60.0, 180.0), (18.0, 28.0), (300.0, 1200.0), 30.0, "PX", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "VN", "MY", "TH", "IN"]),
    p("940542", "", &["LED LUMINAIRES", "LED LIGHT FIXTURES"], Electronics, "PCS", (4.0, 120.0), (0.3, 5.0), (200.0, 10000.0), 20.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "MX", "VN"]),
    p("950450", "", &["VIDEO GAME CONSOLES"], Electronics, "PCS", (180.0, 550.0), (3.0, 5.0), (200.0, 5000.0), 4.0, "CT", "", MAR | AIR | HWY, CONT, false, PRICEY, &["CN", "VN", "MY", "JP", "MX"]),
    p("844331", "", &["MULTIFUNCTION PRINTERS", "LASER PRINTERS"], Electronics, "PCS", (80.0, 2500.0), (8.0, 60.0), (50.0, 1500.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "JP", "VN", "PH", "TH", "MX"]),
    // Furniture and consumer goods
    p("940360", "9403609081", &["WOODEN FURNITURE", "WOODEN TABLES AND CABINETS", "SOLID WOOD DINING TABLES"], Furniture, "PCS", (35.0, 450.0), (12.0, 45.0), (80.0, 900.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "VN", "MY", "ID", "IT", "CA", "US", "MX"]),
    p("940161", "", &["UPHOLSTERED CHAIRS, WOODEN FRAME", "SOFAS"], Furniture, "PCS", (45.0, 700.0), (15.0, 60.0), (40.0, 500.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "VN", "MX", "IT"]),
    p("940350", "", &["BEDROOM FURNITURE, WOODEN", "WOODEN BED FRAMES"], Furniture, "PCS", (60.0, 600.0), (20.0, 70.0), (40.0, 500.0), 1.0, "CT", "", MAR | HWY, CONT, false, 0, &["CN", "VN", "MY", "CA"]),
    p("610910", "6109100012", &["COTTON T-SHIRTS", "MEN'S KNITTED COTTON T-SHIRTS"], Apparel, "PCS", (1.2, 7.0), (0.15, 0.25), (2000.0, 60000.0), 72.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["CN", "BD", "VN", "KH", "IN", "HN", "SV", "PK"]),
    p("620342", "", &["MEN'S COTTON TROUSERS", "DENIM JEANS"], Apparel, "PCS", (4.0, 22.0), (0.5, 0.8), (1000.0, 30000.0), 36.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["BD", "CN", "VN", "MX", "PK"]),
    p("611020", "", &["COTTON SWEATERS", "KNITTED PULLOVERS"], Apparel, "PCS", (3.0, 25.0), (0.3, 0.6), (1000.0, 30000.0), 36.0, "CT", "", MAR | AIR, CONT, false, 0, &["CN", "BD", "VN", "KH"]),
    p("640399", "", &["FOOTWEAR, LEATHER UPPERS", "LEATHER SHOES"], Apparel, "PRS", (6.0, 70.0), (0.7, 1.4), (500.0, 12000.0), 12.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["CN", "VN", "IT", "ID", "IN", "BR", "MX"]),
    p("420222", "", &["HANDBAGS", "LADIES HANDBAGS"], Apparel, "PCS", (4.0, 250.0), (0.4, 1.2), (200.0, 8000.0), 20.0, "CT", "", MAR | AIR, CONT, false, 0, &["CN", "VN", "IT", "FR", "IN"]),
    p("950300", "", &["TOYS", "PLASTIC TOYS", "DOLLS AND PLUSH TOYS"], Consumer, "PCS", (0.8, 35.0), (0.1, 1.5), (1000.0, 40000.0), 24.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "VN", "MX"]),
    p("691200", "", &["CERAMIC TABLEWARE", "STONEWARE DINNER SETS"], Consumer, "SET", (3.0, 45.0), (2.0, 8.0), (200.0, 6000.0), 4.0, "CT", "", MAR | HWY, CONT, false, 0, &["CN", "PT", "MX", "TH", "IN"]),
    p("732393", "", &["STAINLESS STEEL KITCHENWARE", "STAINLESS STEEL COOKWARE SETS"], Consumer, "PCS", (2.0, 60.0), (0.3, 4.0), (500.0, 15000.0), 12.0, "CT", "", MAR | HWY, CONT, false, 0, &["CN", "IN", "KR"]),
    p("871200", "", &["BICYCLES", "MOUNTAIN BICYCLES"], Consumer, "PCS", (60.0, 900.0), (11.0, 16.0), (100.0, 800.0), 1.0, "CT", "", MAR | HWY, CONT, false, 0, &["CN", "TW", "VN", "KH"]),
    p("871160", "", &["ELECTRIC BICYCLES"], Consumer, "PCS", (350.0, 2500.0), (20.0, 30.0), (50.0, 400.0), 1.0, "CT", "UN3171", MAR | HWY, CONT, false, 0, &["CN", "TW", "VN"]),
    p("392690", "", &["PLASTIC ARTICLES", "PLASTIC HOUSEHOLD ARTICLES"], Plastics, "PCS", (0.3, 12.0), (0.05, 2.0), (1000.0, 50000.0), 50.0, "CT", "", ALL, CONT, false, 0, &["CN", "VN", "MX", "US", "CA"]),
    p("841810", "", &["REFRIGERATOR-FREEZERS"], Consumer, "PCS", (280.0, 1600.0), (55.0, 110.0), (40.0, 300.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "KR", "CN", "US"]),
    p("845011", "", &["WASHING MACHINES, FULLY AUTOMATIC"], Consumer, "PCS", (250.0, 1100.0), (55.0, 85.0), (50.0, 350.0), 1.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "KR", "CN", "US"]),
    p("330499", "", &["SKIN CARE PREPARATIONS", "COSMETICS"], Consumer, "KG", (8.0, 80.0), (1.0, 1.0), (200.0, 8000.0), 10.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["FR", "KR", "US", "IT", "JP", "CA"]),
    p("330300", "", &["PERFUMES", "EAU DE TOILETTE"], Consumer, "L", (40.0, 400.0), (1.3, 1.6), (50.0, 2000.0), 6.0, "CT", "UN1266", MAR | AIR | HWY, CONT, false, 0, &["FR", "IT", "ES", "US", "AE"]),
    // Machinery and vehicles
    p("848180", "", &["INDUSTRIAL VALVES", "BRASS BALL VALVES", "VALVES"], Machinery, "PCS", (5.0, 900.0), (0.3, 40.0), (100.0, 8000.0), 20.0, "CT", "", ALL, CONT, false, 0, &["CN", "IT", "DE", "IN", "US", "MX", "CA"]),
    p("842952", "", &["HYDRAULIC EXCAVATORS", "CRAWLER EXCAVATORS"], Machinery, "PCS", (60000.0, 400000.0), (5000.0, 30000.0), (1.0, 12.0), 1.0, "NE", "", MAR | HWY | RAIL, BRK, false, 0, &["JP", "KR", "CN", "DE", "US"]),
    p("845710", "", &["MACHINING CENTRES", "CNC VERTICAL MACHINING CENTRES"], Machinery, "PCS", (40000.0, 450000.0), (3000.0, 12000.0), (1.0, 4.0), 1.0, "CS", "", MAR | HWY, CONT | BRK, false, SENSITIVE, &["JP", "DE", "TW", "IT", "KR", "US"]),
    p("847989", "", &["INDUSTRIAL MACHINERY", "PACKAGING MACHINERY"], Machinery, "PCS", (1000.0, 90000.0), (100.0, 4000.0), (1.0, 20.0), 1.0, "CS", "", MAR | HWY | RAIL, CONT | BRK, false, 0, &["DE", "IT", "CN", "JP", "US", "CA", "MX"]),
    p("848210", "", &["BALL BEARINGS"], Machinery, "PCS", (0.5, 40.0), (0.05, 3.0), (1000.0, 50000.0), 100.0, "CT", "", ALL, CONT, false, SENSITIVE, &["CN", "JP", "DE", "IN", "US"]),
    p("870323", "8703230190", &["PASSENGER VEHICLES 1500-3000CC", "NEW AUTOMOBILES"], Auto, "PCS", (17000.0, 65000.0), (1300.0, 1900.0), (4.0, 400.0), 1.0, "NE", "", MAR | HWY | RAIL, BRK, false, 0, &["JP", "KR", "DE", "MX", "CA", "US"]),
    p("870899", "", &["AUTO PARTS", "MOTOR VEHICLE PARTS", "STEERING COMPONENTS"], Auto, "PCS", (2.0, 400.0), (0.2, 30.0), (200.0, 20000.0), 20.0, "CT", "", ALL, CONT, false, 0, &["MX", "CA", "US", "CN", "JP", "KR", "DE"]),
    p("870830", "", &["BRAKE ASSEMBLIES", "BRAKE PADS"], Auto, "PCS", (3.0, 250.0), (0.5, 15.0), (200.0, 15000.0), 20.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "CN", "US", "CA"]),
    p("870840", "", &["TRANSMISSIONS (GEAR BOXES)", "GEARBOX PARTS"], Auto, "PCS", (80.0, 3500.0), (20.0, 90.0), (20.0, 600.0), 1.0, "PX", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "JP", "DE", "US", "CA"]),
    p("854430", "", &["WIRING HARNESSES FOR VEHICLES", "IGNITION WIRING SETS"], Auto, "PCS", (3.0, 180.0), (0.2, 5.0), (500.0, 20000.0), 20.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "CN", "HN"]),
    p("401110", "", &["NEW PASSENGER CAR TYRES", "RADIAL TIRES"], Auto, "PCS", (35.0, 220.0), (8.0, 13.0), (300.0, 2500.0), 1.0, "NE", "", MAR | HWY | RAIL, CONT, false, 0, &["CN", "TH", "VN", "KR", "MX", "CA", "JP"]),
    p("901839", "", &["MEDICAL CATHETERS", "CATHETERS AND CANNULAE"], Pharma, "PCS", (1.0, 40.0), (0.02, 0.1), (1000.0, 50000.0), 200.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["MX", "IE", "US", "CR", "CN"]),
    // Food
    p("080810", "", &["FRESH APPLES", "FRESH APPLES (GALA)"], Produce, "KG", (0.7, 2.2), (1.0, 1.0), (8000.0, 22000.0), 18.0, "CT", "", MAR | HWY | RAIL, CONT, true, 0, &["US", "CA", "CL", "NZ"]),
    p("080440", "", &["FRESH AVOCADOS", "HASS AVOCADOS"], Produce, "KG", (1.5, 4.0), (1.0, 1.0), (8000.0, 20000.0), 11.3, "CT", "", MAR | HWY | AIR, CONT, true, 0, &["MX", "PE", "CL", "CO"]),
    p("070200", "", &["FRESH TOMATOES", "ROMA TOMATOES"], Produce, "KG", (0.6, 2.5), (1.0, 1.0), (8000.0, 20000.0), 11.3, "CT", "", HWY | MAR, CONT, true, 0, &["MX", "CA", "US"]),
    p("070960", "", &["FRESH BELL PEPPERS"], Produce, "KG", (1.0, 3.5), (1.0, 1.0), (6000.0, 18000.0), 11.3, "CT", "", HWY | MAR, CONT, true, 0, &["MX", "CA", "US", "NL"]),
    p("081010", "", &["FRESH STRAWBERRIES"], Produce, "KG", (2.0, 6.0), (1.0, 1.0), (4000.0, 15000.0), 3.6, "CT", "", HWY | AIR, CONT, true, 0, &["MX", "US"]),
    p("080610", "", &["FRESH TABLE GRAPES"], Produce, "KG", (1.5, 4.0), (1.0, 1.0), (8000.0, 20000.0), 8.2, "CT", "", MAR | HWY, CONT, true, 0, &["CL", "PE", "MX", "US"]),
    p("080390", "", &["FRESH BANANAS"], Produce, "KG", (0.5, 1.0), (1.0, 1.0), (15000.0, 22000.0), 18.14, "CT", "", MAR, CONT, true, 0, &["EC", "GT", "CR", "CO", "HN", "MX"]),
    p("060311", "", &["FRESH CUT ROSES"], Produce, "PCS", (0.2, 0.8), (0.03, 0.05), (5000.0, 80000.0), 300.0, "BX", "", AIR, CONT, true, 0, &["CO", "EC"]),
    p("220300", "", &["BEER", "BEER IN BOTTLES"], Food, "L", (0.9, 2.5), (1.3, 1.6), (8000.0, 20000.0), 8.5, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "NL", "BE", "DE", "IE", "CA", "US"]),
    p("220890", "", &["TEQUILA", "SPIRITS (TEQUILA)"], Food, "L", (6.0, 60.0), (1.4, 1.7), (2000.0, 15000.0), 9.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX"]),
    p("220421", "", &["RED WINE IN BOTTLES", "WINE IN BOTTLES"], Food, "L", (3.0, 40.0), (1.4, 1.7), (2000.0, 18000.0), 9.0, "CT", "", MAR | HWY, CONT, false, 0, &["FR", "IT", "ES", "CL", "AR", "AU", "US"]),
    p("220830", "", &["WHISKY", "SCOTCH WHISKY"], Food, "L", (10.0, 80.0), (1.4, 1.7), (2000.0, 15000.0), 9.0, "CT", "", MAR | HWY, CONT, false, 0, &["GB", "US", "CA", "IE", "JP"]),
    p("090111", "", &["GREEN COFFEE BEANS"], Food, "KG", (3.0, 8.0), (1.0, 1.0), (15000.0, 21000.0), 60.0, "BG", "", MAR, CONT, false, 0, &["BR", "CO", "VN", "HN", "GT", "ET"]),
    p("030617", "", &["FROZEN SHRIMP", "FROZEN WHITE SHRIMP"], Food, "KG", (6.0, 16.0), (1.0, 1.0), (10000.0, 25000.0), 10.0, "CT", "", MAR | AIR, CONT, true, 0, &["IN", "VN", "EC", "TH", "ID", "MX"]),
    p("160414", "", &["CANNED TUNA"], Food, "KG", (4.0, 9.0), (1.0, 1.0), (12000.0, 22000.0), 20.0, "CT", "", MAR, CONT, false, 0, &["TH", "EC", "PH", "VN"]),
    p("100630", "", &["MILLED RICE", "JASMINE RICE"], Food, "KG", (0.5, 1.2), (1.0, 1.0), (18000.0, 25000.0), 25.0, "BG", "", MAR | RAIL, CONT | BRK, false, 0, &["TH", "IN", "VN", "PK", "US"]),
    p("020130", "", &["FRESH BONELESS BEEF", "CHILLED BEEF CUTS"], Food, "KG", (6.0, 18.0), (1.0, 1.0), (8000.0, 20000.0), 27.0, "CT", "", MAR | HWY, CONT, true, 0, &["CA", "US", "MX", "AU", "NZ"]),
    p("020319", "", &["FRESH PORK CUTS"], Food, "KG", (2.5, 7.0), (1.0, 1.0), (8000.0, 20000.0), 27.0, "CT", "", HWY | MAR, CONT, true, 0, &["CA", "US", "MX"]),
    p("170220", "", &["MAPLE SYRUP"], Food, "KG", (5.0, 14.0), (1.0, 1.0), (2000.0, 18000.0), 12.0, "CT", "", MAR | HWY | AIR, CONT, false, 0, &["CA"]),
    p("200410", "", &["FROZEN FRENCH FRIES"], Food, "KG", (0.9, 1.8), (1.0, 1.0), (15000.0, 22000.0), 12.0, "CT", "", MAR | HWY | RAIL, CONT, true, 0, &["CA", "US", "BE", "NL"]),
    p("040690", "", &["CHEESE"], Food, "KG", (5.0, 20.0), (1.0, 1.0), (5000.0, 18000.0), 10.0, "CT", "", MAR | HWY | AIR, CONT, true, 0, &["FR", "IT", "NL", "CH", "US", "CA"]),
    p("190531", "", &["SWEET BISCUITS", "COOKIES"], Food, "KG", (2.0, 6.0), (1.0, 1.0), (5000.0, 15000.0), 8.0, "CT", "", MAR | HWY | RAIL, CONT, false, 0, &["MX", "CA", "US", "DE", "GB"]),
    p("200911", "", &["FROZEN ORANGE JUICE CONCENTRATE"], Food, "KG", (1.5, 3.0), (1.0, 1.0), (15000.0, 24000.0), 250.0, "DR", "", MAR | HWY, CONT, true, 0, &["BR", "MX", "US"]),
    // Bulk agriculture and fertiliser
    p("120510", "", &["CANOLA SEED", "LOW ERUCIC ACID RAPESEED"], Agri, "MT", (450.0, 700.0), (1000.0, 1000.0), (20000.0, 60000.0), 0.0, "VR", "", MAR | RAIL, BULK, false, 0, &["CA"]),
    p("100199", "", &["WHEAT", "CANADA WESTERN RED SPRING WHEAT"], Agri, "MT", (230.0, 380.0), (1000.0, 1000.0), (20000.0, 60000.0), 0.0, "VR", "", MAR | RAIL, BULK, false, 0, &["CA", "US"]),
    p("100590", "", &["YELLOW CORN", "MAIZE, NO. 2 YELLOW"], Agri, "MT", (180.0, 280.0), (1000.0, 1000.0), (20000.0, 60000.0), 0.0, "VR", "", MAR | RAIL, BULK, false, 0, &["US"]),
    p("120190", "", &["SOYBEANS"], Agri, "MT", (380.0, 520.0), (1000.0, 1000.0), (20000.0, 60000.0), 0.0, "VR", "", MAR | RAIL, BULK, false, 0, &["US", "BR"]),
    p("310420", "", &["POTASH (POTASSIUM CHLORIDE)", "MURIATE OF POTASH"], Agri, "MT", (250.0, 450.0), (1000.0, 1000.0), (20000.0, 70000.0), 0.0, "VR", "", MAR | RAIL, BULK, false, 0, &["CA"]),
    // Energy and chemicals
    p("271019", "", &["LUBRICATING OILS", "BASE OIL IN DRUMS"], Energy, "L", (0.8, 3.0), (0.85, 0.9), (10000.0, 20000.0), 208.0, "DR", "", MAR | HWY | RAIL, CONT, false, 0, &["US", "KR", "SG", "CA", "AE"]),
    p("271019", "", &["DIESEL FUEL", "ULTRA-LOW SULPHUR DIESEL"], Energy, "MT", (600.0, 950.0), (1000.0, 1000.0), (5000.0, 40000.0), 0.0, "VL", "UN1202", MAR | HWY | RAIL, BULK, false, 0, &["US", "CA", "KR", "IN"]),
    p("271012", "", &["GASOLINE (MOTOR SPIRIT)", "UNLEADED GASOLINE"], Energy, "MT", (650.0, 1000.0), (1000.0, 1000.0), (5000.0, 40000.0), 0.0, "VL", "UN1203", MAR | HWY | RAIL, BULK, false, 0, &["US", "CA", "NL"]),
    p("270900", "", &["CRUDE PETROLEUM OIL"], Energy, "MT", (400.0, 650.0), (1000.0, 1000.0), (30000.0, 120000.0), 0.0, "VL", "UN1267", MAR | RAIL, BULK, false, 0, &["CA", "US", "MX", "SA"]),
    p("390110", "", &["POLYETHYLENE PELLETS (LDPE)", "LOW DENSITY POLYETHYLENE RESIN"], Plastics, "KG", (0.9, 1.6), (1.0, 1.0), (20000.0, 26000.0), 25.0, "BG", "", MAR | HWY | RAIL, CONT, false, 0, &["US", "CA", "SA", "KR"]),
    p("390210", "", &["POLYPROPYLENE RESIN"], Plastics, "KG", (0.9, 1.5), (1.0, 1.0), (20000.0, 26000.0), 25.0, "BG", "", MAR | HWY | RAIL, CONT, false, 0, &["US", "KR", "SA", "CN"]),
    p("320890", "", &["PAINTS AND VARNISHES", "INDUSTRIAL COATINGS"], Chemicals, "KG", (3.0, 12.0), (1.0, 1.0), (5000.0, 20000.0), 20.0, "DR", "UN1263", MAR | HWY | RAIL, CONT, false, 0, &["US", "DE", "MX", "CN", "CA"]),
    p("381400", "", &["FLAMMABLE LIQUID, N.O.S. (THINNER)", "ORGANIC SOLVENT THINNERS"], Chemicals, "KG", (1.0, 4.0), (1.0, 1.0), (5000.0, 20000.0), 200.0, "DR", "UN1993", MAR | HWY | RAIL, CONT, false, 0, &["US", "DE", "CN", "KR", "MX"]),
    p("350691", "", &["ADHESIVES", "INDUSTRIAL ADHESIVES"], Chemicals, "KG", (3.0, 15.0), (1.0, 1.0), (3000.0, 15000.0), 20.0, "DR", "UN1133", MAR | HWY, CONT, false, 0, &["US", "DE", "CN"]),
    p("360410", "", &["FIREWORKS", "CONSUMER FIREWORKS"], Consumer, "KG", (3.0, 12.0), (1.0, 1.0), (3000.0, 12000.0), 15.0, "CT", "UN0336", MAR, CONT, false, 0, &["CN"]),
    p("283691", "", &["LITHIUM CARBONATE"], Chemicals, "KG", (8.0, 40.0), (1.0, 1.0), (18000.0, 24000.0), 500.0, "BG", "", MAR, CONT, false, 0, &["CL", "AR", "CN"]),
    p("300490", "", &["MEDICAMENTS IN DOSES", "PHARMACEUTICAL PREPARATIONS"], Pharma, "KG", (20.0, 400.0), (1.0, 1.0), (100.0, 8000.0), 10.0, "CT", "", MAR | AIR | HWY, CONT, false, 0, &["IN", "IE", "DE", "CH", "US", "CA", "CN"]),
    p("300241", "", &["VACCINES FOR HUMAN MEDICINE"], Pharma, "KG", (200.0, 4000.0), (1.0, 1.0), (50.0, 2000.0), 5.0, "CT", "", AIR | HWY, CONT, true, 0, &["BE", "US", "IN", "DE", "CA"]),
    // Metals, materials, forest products
    p("720839", "", &["HOT-ROLLED STEEL COILS", "HR STEEL COILS < 3MM"], Metals, "MT", (550.0, 900.0), (1000.0, 1000.0), (200.0, 20000.0), 20.0, "CO", "", MAR | HWY | RAIL, BRK, false, 0, &["KR", "JP", "BR", "TR", "MX", "CA", "VN", "IN", "DE"]),
    p("721049", "", &["GALVANIZED STEEL SHEET IN COILS"], Metals, "MT", (800.0, 1200.0), (1000.0, 1000.0), (200.0, 10000.0), 15.0, "CO", "", MAR | HWY | RAIL, BRK | CONT, false, 0, &["KR", "CN", "VN", "TW", "MX", "CA"]),
    p("760110", "", &["UNWROUGHT ALUMINIUM INGOTS", "PRIMARY ALUMINIUM"], Metals, "MT", (2200.0, 3000.0), (1000.0, 1000.0), (100.0, 8000.0), 1.0, "NE", "", MAR | HWY | RAIL, BRK, false, 0, &["CA", "AE", "IN"]),
    p("740311", "", &["COPPER CATHODES"], Metals, "MT", (7500.0, 10000.0), (1000.0, 1000.0), (100.0, 5000.0), 2.5, "NE", "", MAR | RAIL, BRK, false, 0, &["CL", "PE", "MX"]),
    p("730890", "", &["FABRICATED STRUCTURAL STEEL", "STEEL STRUCTURES"], Metals, "KG", (1.2, 4.0), (1.0, 1.0), (5000.0, 60000.0), 2000.0, "NE", "", MAR | HWY, BRK | CONT, false, 0, &["CN", "MX", "CA", "US", "KR"]),
    p("250810", "", &["BENTONITE CLAY", "BENTONITE CAT LITTER"], Materials, "KG", (0.08, 0.4), (1.0, 1.0), (18000.0, 26000.0), 20.0, "BG", "", MAR | HWY | RAIL, CONT, false, 0, &["US", "CN", "IN", "TR", "GR"]),
    p("680293", "", &["POLISHED GRANITE SLABS", "GRANITE COUNTERTOPS"], Materials, "M2", (30.0, 150.0), (55.0, 80.0), (200.0, 400.0), 20.0, "CR", "", MAR | HWY, CONT, false, 0, &["IN", "BR", "CN"]),
    p("252329", "", &["PORTLAND CEMENT", "PORTLAND CEMENT TYPE I/II"], Materials, "MT", (60.0, 130.0), (1000.0, 1000.0), (10000.0, 50000.0), 0.0, "VY", "", MAR | RAIL, BULK, false, 0, &["TR", "VN", "MX", "CA", "GR"]),
    p("440711", "", &["SAWN LUMBER, PINE", "SPF DIMENSION LUMBER"], Forest, "M3", (250.0, 650.0), (450.0, 550.0), (40.0, 2000.0), 8.0, "BE", "", MAR | HWY | RAIL, BRK | CONT, false, 0, &["CA", "US", "CL", "NZ", "BR"]),
    p("470321", "", &["BLEACHED KRAFT PULP", "NORTHERN BLEACHED SOFTWOOD KRAFT PULP"], Forest, "MT", (550.0, 900.0), (1000.0, 1000.0), (100.0, 8000.0), 2.0, "BE", "", MAR | HWY | RAIL, BRK | CONT, false, 0, &["CA", "BR", "CL", "FI", "US"]),
    p("481910", "", &["CORRUGATED CARTONS", "CORRUGATED BOXES"], Forest, "KG", (1.0, 2.5), (1.0, 1.0), (5000.0, 15000.0), 500.0, "PX", "", HWY | RAIL | MAR, CONT, false, 0, &["MX", "US", "CA", "CN"]),
    // Special: only drawn by the risk patterns.
    p("080251", "", &["PISTACHIOS IN SHELL"], Food, "KG", (6.0, 12.0), (1.0, 1.0), (15000.0, 22000.0), 25.0, "BG", "", MAR, CONT, false, SPECIAL, &["US", "TR"]),
    p("091020", "", &["SAFFRON"], Food, "KG", (1500.0, 5000.0), (1.0, 1.0), (5.0, 200.0), 1.0, "BX", "", AIR | MAR, CONT, false, SPECIAL, &["ES", "TR"]),
    p("570110", "", &["HAND-KNOTTED WOOL CARPETS"], Consumer, "M2", (60.0, 600.0), (2.5, 3.5), (100.0, 1500.0), 10.0, "BL", "", MAR | AIR, CONT, false, SPECIAL, &["TR", "IN"]),
    rad("902229", &["NUCLEAR MOISTURE-DENSITY GAUGES"], (6000.0, 12000.0), (30.0, 45.0), (1.0, 8.0), "UN3332", AIR | HWY | MAR, &["US", "CA"], &[("Cs-137", 2.9e8, 3.0e8), ("Am-241", 1.4e9, 1.5e9)]),
    rad("902229", &["INDUSTRIAL RADIOGRAPHY CAMERA WITH IR-192 SOURCE"], (25000.0, 60000.0), (20.0, 35.0), (1.0, 2.0), "UN2916", AIR | HWY, &["US", "CA", "DE", "GB"], &[("Ir-192", 1.5e12, 3.7e12)]),
    rad("284443", &["SEALED SOURCE, CO-60, FOR TELETHERAPY"], (150000.0, 400000.0), (800.0, 1500.0), (1.0, 1.0), "UN2916", HWY | AIR | MAR, &["CA", "US"], &[("Co-60", 1.0e14, 4.0e14)]),
    rad("853110", &["SMOKE DETECTORS CONTAINING AM-241"], (4.0, 15.0), (0.15, 0.3), (1000.0, 20000.0), "UN2911", MAR | HWY, &["CN", "MX", "US"], &[("Am-241", 3.0e4, 3.7e4)]),
    rad("902229", &["CS-137 LEVEL GAUGE SOURCE HOLDERS"], (4000.0, 15000.0), (15.0, 60.0), (1.0, 4.0), "UN3332", AIR | HWY | MAR, &["DE", "US", "CA", "FR"], &[("Cs-137", 3.7e9, 3.7e10)]),
    rad("284443", &["AM-241/BE WELL LOGGING SOURCES"], (8000.0, 30000.0), (10.0, 40.0), (1.0, 3.0), "UN3332", AIR | HWY, &["US", "GB"], &[("Am-241", 1.85e11, 7.4e11)]),
];

/// HS subheadings of the dual-use goods the export-diversion pattern draws.
pub(crate) const DUAL_USE_HS: &[&str] =
    &["854231", "854232", "847150", "847130", "852691", "901310", "901380", "880622", "880730", "848210", "845710"];

/// World regions, for transit times and port selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    EastAsia,
    SeAsia,
    SouthAsia,
    Europe,
    Med,
    MidEast,
    LatAm,
    Oceania,
    Africa,
    CentralAsia,
    NorthAm,
}

/// Language of company-name words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    De,
    Es,
    Fr,
    It,
    Pt,
    Tr,
}

/// Company-name template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tpl {
    /// "{city} {brand} {sector} {legal}" (China).
    CityBrand,
    /// "{brand} {sector} {legal}".
    Brand,
    /// "PT {brand} {sector}" (Indonesia).
    Pt,
    /// "{legal} {brand} {sector}" (Russia, Belarus: OOO ...).
    LegalFirst,
}

#[derive(Debug)]
pub(crate) struct Country {
    pub code: &'static str,
    pub region: Region,
    pub lang: Lang,
    pub tpl: Tpl,
    pub currency: &'static str,
    pub ports: &'static [&'static str],
    pub airports: &'static [&'static str],
    pub cities: &'static [&'static str],
    pub brands: &'static [&'static str],
    pub legal: &'static [&'static str],
    pub streets: &'static [&'static str],
}

#[allow(clippy::too_many_arguments)]
const fn c(
    code: &'static str,
    region: Region,
    lang: Lang,
    tpl: Tpl,
    currency: &'static str,
    ports: &'static [&'static str],
    airports: &'static [&'static str],
    cities: &'static [&'static str],
    brands: &'static [&'static str],
    legal: &'static [&'static str],
    streets: &'static [&'static str],
) -> Country {
    Country { code, region, lang, tpl, currency, ports, airports, cities, brands, legal, streets }
}

use Region::*;

const CO_LTD: &[&str] = &["Co., Ltd."];

/// Countries outside North America that appear as origins, destinations, hubs or embargoed places.
#[rustfmt::skip]
pub(crate) static COUNTRIES: &[Country] = &[
    c("CN", EastAsia, Lang::En, Tpl::CityBrand, "CNY", &["CNSHA", "CNNGB", "CNYTN", "CNSHK", "CNTAO", "CNXMN", "CNTXG"], &["CNPVG", "CNCAN", "CNSZX"], &["Shenzhen", "Dongguan", "Guangzhou", "Foshan", "Ningbo", "Yiwu", "Xiamen", "Suzhou", "Qingdao", "Hangzhou", "Tianjin", "Zhongshan", "Shanghai"], &["Hongda", "Jinlong", "Huamei", "Tianrui", "Yongsheng", "Haoyuan", "Dongfang", "Jiahe", "Ruifeng", "Kaida", "Boxin", "Hengtai", "Xinyuan", "Mingda", "Shengda", "Huaxin", "Lianfa", "Taifeng", "Weixing", "Fuda"], CO_LTD, &["No. {n} Jianshe Road, Bao'an District", "No. {n} Keji Road, Nanshan District", "No. {n} Huancheng Road", "No. {n} Binhai Avenue", "No. {n} Zhongshan Road", "No. {n} Industrial Zone, Chang'an Town"]),
    c("HK", EastAsia, Lang::En, Tpl::Brand, "USD", &["HKHKG"], &["HKHKG"], &["Kowloon", "Kwai Chung", "Tsuen Wan", "Hong Kong"], &["Wing Fat", "Sun Hing", "Kam Lung", "Tai Shing", "Golden Dragon", "Pacific Bright", "Wah Kee"], &["Ltd.", "Trading Ltd.", "International Ltd."], &["Flat {n}, Kwai Chung Plaza", "Unit {n}, Tower 2, Harbour Centre", "{n} Nathan Road"]),
    c("TW", EastAsia, Lang::En, Tpl::Brand, "USD", &["TWKHH", "TWKEL"], &["TWTPE"], &["Taipei", "Taichung", "Kaohsiung", "Hsinchu", "Tainan", "Taoyuan"], &["Chen Hsin", "Yuan Tai", "Hsin Chang", "Tai Feng", "Kuo Hua", "Jung Shing", "Ever Bright"], &["Co., Ltd.", "Corp."], &["No. {n}, Zhongzheng Road", "No. {n}, Section 2, Minsheng Road", "No. {n}, Industrial 3rd Road"]),
    c("KR", EastAsia, Lang::En, Tpl::Brand, "USD", &["KRPUS", "KRINC"], &["KRSEL"], &["Seoul", "Busan", "Incheon", "Ulsan", "Changwon", "Suwon"], &["Daehan", "Hanil", "Seoyang", "Mirae", "Sungjin", "Dongwoo", "Samjin", "Woojin", "Daewon", "Yoosung"], CO_LTD, &["{n} Sandan-ro", "{n} Haean-ro", "{n} Gongdan-ro", "{n} Teheran-ro"]),
    c("JP", EastAsia, Lang::En, Tpl::Brand, "USD", &["JPTYO", "JPYOK", "JPUKB", "JPNGO"], &["JPNRT"], &["Tokyo", "Yokohama", "Osaka", "Nagoya", "Kobe", "Hamamatsu"], &["Nakamura", "Yamato", "Sanko", "Kyowa", "Shinwa", "Toyo", "Daiichi", "Hokuto", "Meiwa", "Sanyo Kogyo"], &["Co., Ltd.", "K.K.", "Corporation"], &["{n}-2-1 Shiba, Minato-ku", "{n}-5 Daikoku-cho", "{n}-1 Higashi-Shinagawa"]),
    c("VN", SeAsia, Lang::En, Tpl::Brand, "USD", &["VNSGN", "VNHPH", "VNCMT"], &["VNSGN"], &["Ho Chi Minh City", "Binh Duong", "Dong Nai", "Hai Phong", "Hanoi", "Bac Ninh"], &["Viet Thanh", "Saigon Phu", "Hoang Long", "Minh Phat", "Tan Thanh", "Dai Viet", "Phu Gia", "An Khang"], &["Co., Ltd.", "JSC", "Joint Stock Company"], &["Lot {n}, VSIP Industrial Park", "Lot {n}, Amata Industrial Park", "{n} Nguyen Van Linh Street"]),
    c("TH", SeAsia, Lang::En, Tpl::Brand, "USD", &["THLCH"], &["THBKK"], &["Bangkok", "Chonburi", "Samut Prakan", "Rayong"], &["Siam Thai", "Chao Phraya", "Rattana", "Bangkok Union", "Thai Summit", "Sahaphat"], &["Co., Ltd.", "Public Co., Ltd."], &["{n} Moo 4, Bangna-Trad Road", "{n} Amata City Industrial Estate", "{n} Sukhumvit Road"]),
    c("MY", SeAsia, Lang::En, Tpl::Brand, "USD", &["MYPKG", "MYPEN"], &["MYKUL"], &["Kuala Lumpur", "Shah Alam", "Penang", "Johor Bahru"], &["Kinta", "Perdana", "Seri Maju", "Sinar", "Mega Jaya", "Bayu"], &["Sdn. Bhd."], &["Lot {n}, Jalan Perusahaan", "{n} Jalan Klang Lama", "Plot {n}, Bayan Lepas FIZ"]),
    c("SG", SeAsia, Lang::En, Tpl::Brand, "USD", &["SGSIN"], &["SGSIN"], &["Singapore"], &["Lion City", "Straits", "Temasek Bay", "Merlion", "Orchard Link", "Jurong"], &["Pte. Ltd."], &["{n} Jurong Port Road", "{n} Changi South Avenue", "{n} Tuas Avenue"]),
    c("ID", SeAsia, Lang::En, Tpl::Pt, "USD", &["IDTPP", "IDSUB"], &["IDJKT"], &["Jakarta", "Surabaya", "Bekasi", "Semarang", "Tangerang"], &["Sinar Jaya", "Mitra Abadi", "Indo Makmur", "Cahaya Terang", "Sumber Rejeki", "Karya Utama"], &["Tbk"], &["Jl. Industri Raya No. {n}", "Jl. Raya Bekasi Km {n}", "Kawasan Industri Blok {n}"]),
    c("PH", SeAsia, Lang::En, Tpl::Brand, "USD", &["PHMNL"], &["PHMNL"], &["Manila", "Cebu", "Laguna", "Cavite"], &["Luzon", "Visayas", "Mabuhay", "Pacific Isles", "Bayanihan"], &["Inc.", "Corporation"], &["{n} Laguna Technopark", "{n} Mactan Economic Zone", "{n} Roxas Boulevard"]),
    c("KH", SeAsia, Lang::En, Tpl::Brand, "USD", &["KHKOS"], &["KHPNH"], &["Phnom Penh", "Sihanoukville"], &["Angkor", "Mekong", "Khmer Star", "Tonle"], CO_LTD, &["No. {n}, National Road 4", "Lot {n}, Phnom Penh SEZ"]),
    c("IN", SouthAsia, Lang::En, Tpl::Brand, "USD", &["INNSA", "INMUN", "INMAA"], &["INDEL", "INBOM"], &["Mumbai", "New Delhi", "Chennai", "Ahmedabad", "Tiruppur", "Ludhiana", "Hyderabad", "Bengaluru", "Jaipur"], &["Shree Ganesh", "Sai Krishna", "Bharat", "Laxmi", "Om Sai", "Mahalaxmi", "Sunrise", "Vardhman", "Hindustan", "Shakti"], &["Pvt. Ltd.", "Ltd.", "Exports Pvt. Ltd."], &["Plot No. {n}, MIDC Industrial Area", "{n} GIDC Estate", "Survey No. {n}, SIPCOT Industrial Park"]),
    c("BD", SouthAsia, Lang::En, Tpl::Brand, "USD", &["BDCGP"], &["BDDAC"], &["Dhaka", "Chattogram", "Gazipur", "Narayanganj"], &["Padma", "Jamuna", "Meghna", "Rupsha", "Sonar Bangla", "Karnaphuli"], &["Ltd.", "Apparels Ltd."], &["Plot {n}, Dhaka EPZ", "Plot {n}, Chattogram EPZ", "{n} Tongi Industrial Area"]),
    c("PK", SouthAsia, Lang::En, Tpl::Brand, "USD", &["PKKHI"], &["PKKHI"], &["Karachi", "Lahore", "Faisalabad", "Sialkot"], &["Indus", "Crescent", "Al-Karam", "Nishat Pak", "Kohinoor"], &["(Pvt) Ltd.", "Ltd."], &["Plot {n}, SITE Area", "{n} Korangi Industrial Area"]),
    c("LK", SouthAsia, Lang::En, Tpl::Brand, "USD", &["LKCMB"], &["LKCMB"], &["Colombo", "Katunayake"], &["Lanka", "Ceylon", "Serendib"], &["(Pvt) Ltd."], &["{n} Katunayake EPZ", "{n} Galle Road"]),
    c("DE", Europe, Lang::De, Tpl::Brand, "EUR", &["DEHAM", "DEBRV"], &["DEFRA"], &["Hamburg", "Bremen", "Stuttgart", "München", "Düsseldorf", "Frankfurt am Main", "Köln", "Hannover"], &["Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Krüger", "Hanse", "Nordstern", "Rhein", "Elbe", "Schwarzwald"], &["GmbH", "AG", "GmbH & Co. KG"], &["Industriestraße {n}", "Hafenstraße {n}", "Gewerbepark {n}", "Am Bahnhof {n}"]),
    c("NL", Europe, Lang::En, Tpl::Brand, "EUR", &["NLRTM"], &["NLAMS"], &["Rotterdam", "Amsterdam", "Eindhoven", "Venlo", "Tilburg"], &["Van Dijk", "De Vries", "Holland", "Maas", "Oranje", "Delta"], &["B.V."], &["Havenweg {n}", "Industrieweg {n}", "Europaweg {n}"]),
    c("BE", Europe, Lang::Fr, Tpl::Brand, "EUR", &["BEANR"], &["BEBRU"], &["Antwerpen", "Bruxelles", "Gent", "Puurs"], &["Schelde", "Brabant", "Flandre", "Meuse", "Ardenne"], &["NV", "SA"], &["Haven {n}", "Rue de l'Industrie {n}"]),
    c("FR", Europe, Lang::Fr, Tpl::Brand, "EUR", &["FRLEH", "FRFOS"], &["FRCDG"], &["Paris", "Lyon", "Le Havre", "Marseille", "Grasse", "Lille"], &["Dupont", "Lefèvre", "Rhône", "Provence", "Atlantique", "Bourgogne", "Loire"], &["S.A.S.", "S.A.", "SARL"], &["{n} rue de l'Industrie", "{n} avenue de la République", "{n} zone industrielle Nord"]),
    c("GB", Europe, Lang::En, Tpl::Brand, "USD", &["GBFXT", "GBSOU"], &["GBLHR"], &["London", "Birmingham", "Manchester", "Glasgow", "Leeds"], &["Thames", "Pennine", "Albion", "Highland", "Mersey", "Clyde", "Windsor"], &["Ltd", "PLC"], &["{n} Trafford Park Road", "Unit {n}, Thames Industrial Estate", "{n} High Street"]),
    c("IE", Europe, Lang::En, Tpl::Brand, "EUR", &["IEDUB"], &["IEDUB"], &["Dublin", "Cork", "Limerick", "Galway"], &["Shannon", "Liffey", "Emerald", "Celtic"], &["Ltd", "DAC"], &["Unit {n}, Ringaskiddy", "{n} Ballycoolin Business Park"]),
    c("CH", Europe, Lang::De, Tpl::Brand, "USD", &[], &["CHZRH"], &["Basel", "Zürich", "Genève"], &["Helvetia", "Alpen", "Rheintal", "Jura"], &["AG", "SA"], &["Industriestrasse {n}", "Rue du Rhône {n}"]),
    c("IT", Med, Lang::It, Tpl::Brand, "EUR", &["ITGOA", "ITSPE"], &["ITMIL"], &["Milano", "Torino", "Bologna", "Prato", "Verona", "Modena"], &["Rossi", "Bianchi", "Ferrari Tessile", "Lombarda", "Adriatica", "Toscana", "Padana"], &["S.p.A.", "S.r.l."], &["Via Industriale {n}", "Via Roma {n}", "Viale dell'Industria {n}"]),
    c("ES", Med, Lang::Es, Tpl::Brand, "EUR", &["ESVLC", "ESALG", "ESBCN"], &["ESMAD"], &["Valencia", "Barcelona", "Madrid", "Sevilla", "Zaragoza"], &["Ibérica", "Levante", "Mediterránea", "Castellana", "Andaluza"], &["S.L.", "S.A."], &["Polígono Industrial {n}", "Calle Mayor {n}"]),
    c("PT", Med, Lang::Pt, Tpl::Brand, "EUR", &["PTLIS", "PTLEI"], &["PTLIS"], &["Lisboa", "Porto", "Aveiro"], &["Lusitana", "Atlântica", "Douro", "Tejo"], &["Lda.", "S.A."], &["Rua Industrial {n}", "Zona Industrial Lote {n}"]),
    c("GR", Med, Lang::En, Tpl::Brand, "EUR", &["GRPIR"], &["GRATH"], &["Athens", "Piraeus", "Thessaloniki"], &["Aegean", "Hellas", "Olympus", "Attica"], &["S.A."], &["{n} Akti Miaouli", "{n} Industrial Area Sindos"]),
    c("TR", Med, Lang::Tr, Tpl::Brand, "USD", &["TRMER", "TRIZM", "TRIST"], &["TRIST"], &["İstanbul", "İzmir", "Bursa", "Gaziantep", "Mersin"], &["Anadolu", "Boğaziçi", "Ege", "Marmara", "Toros", "Kapadokya"], &["A.Ş.", "Ltd. Şti."], &["Organize Sanayi Bölgesi {n}. Cadde", "Atatürk Bulvarı No: {n}"]),
    c("AE", MidEast, Lang::En, Tpl::Brand, "USD", &["AEJEA"], &["AEDXB"], &["Dubai", "Jebel Ali", "Sharjah", "Abu Dhabi"], &["Gulf Star", "Al Noor", "Desert Rose", "Emirates Link", "Al Safa", "Falcon Bay"], &["General Trading LLC", "FZE", "LLC"], &["Plot {n}, Jebel Ali Free Zone", "Warehouse {n}, Al Quoz Industrial Area", "Office {n}, SAIF Zone"]),
    c("SA", MidEast, Lang::En, Tpl::Brand, "USD", &["SAJED", "SADMM"], &["SARUH"], &["Jeddah", "Dammam", "Jubail", "Riyadh"], &["Al Jazeera", "Red Sea", "Arabian Gulf", "Najd"], &["Co.", "Company Ltd."], &["{n} King Fahd Road", "Jubail Industrial City, Plot {n}"]),
    c("IL", MidEast, Lang::En, Tpl::Brand, "USD", &["ILHFA"], &["ILTLV"], &["Tel Aviv", "Haifa"], &["Carmel", "Galil", "Negev"], &["Ltd."], &["{n} HaBarzel Street", "{n} Matam Park"]),
    c("BR", LatAm, Lang::Pt, Tpl::Brand, "USD", &["BRSSZ", "BRPNG"], &["BRGRU"], &["São Paulo", "Santos", "Curitiba", "Campinas", "Belo Horizonte"], &["Paulista", "Tropical", "Amazonas", "Cerrado", "Brasil Sul", "Guanabara"], &["Ltda.", "S.A."], &["Rua da Indústria {n}", "Avenida Brasil {n}", "Rodovia Anhanguera Km {n}"]),
    c("CO", LatAm, Lang::Es, Tpl::Brand, "USD", &["COCTG", "COBUN"], &["COBOG"], &["Bogotá", "Medellín", "Cartagena", "Cali"], &["Andina", "Cafetera", "Caribe", "Sabana", "Flores del Valle"], &["S.A.S.", "S.A."], &["Calle {n} # 45-20", "Carrera {n} # 12-30", "Zona Franca Bodega {n}"]),
    c("PE", LatAm, Lang::Es, Tpl::Brand, "USD", &["PECLL"], &["PELIM"], &["Lima", "Callao", "Arequipa", "Trujillo"], &["Inca", "Andes", "Pacífico Sur", "Chavín"], &["S.A.C.", "S.A."], &["Av. Argentina {n}", "Av. Industrial {n}"]),
    c("CL", LatAm, Lang::Es, Tpl::Brand, "USD", &["CLSAI", "CLVAP"], &["CLSCL"], &["Santiago", "Valparaíso", "San Antonio", "Rancagua"], &["Cordillera", "Austral", "Maipo", "Aconcagua"], &["S.A.", "Ltda."], &["Av. Américo Vespucio {n}", "Camino a Melipilla {n}"]),
    c("EC", LatAm, Lang::Es, Tpl::Brand, "USD", &["ECGYE"], &["ECUIO"], &["Guayaquil", "Quito", "Machala"], &["Guayas", "Costa Verde", "Bananera del Pacífico", "Galápagos"], &["S.A.", "Cía. Ltda."], &["Km {n} Vía a Daule", "Av. Juan Tanca Marengo {n}"]),
    c("AR", LatAm, Lang::Es, Tpl::Brand, "USD", &["ARBUE"], &["ARBUE"], &["Buenos Aires", "Rosario", "Mendoza"], &["Pampa", "Patagonia", "Cuyo", "Río de la Plata"], &["S.A.", "S.R.L."], &["Av. Corrientes {n}", "Ruta {n} Km 12"]),
    c("GT", LatAm, Lang::Es, Tpl::Brand, "USD", &["GTSTC"], &["GTGUA"], &["Ciudad de Guatemala", "Escuintla"], &["Maya", "Quetzal", "Atitlán"], &["S.A."], &["{n} Avenida, Zona 12", "Km {n} Carretera al Pacífico"]),
    c("HN", LatAm, Lang::Es, Tpl::Brand, "USD", &["HNPCR"], &["HNSAP"], &["San Pedro Sula", "Choloma", "Tegucigalpa"], &["Sula", "Lenca", "Caribe Honduras"], &["S.A. de C.V.", "S. de R.L."], &["Parque Industrial ZIP {n}", "Km {n} Carretera a Puerto Cortés"]),
    c("SV", LatAm, Lang::Es, Tpl::Brand, "USD", &["SVAQJ"], &["SVSAL"], &["San Salvador", "Santa Ana"], &["Cuscatlán", "Izalco", "Pacífico Textil"], &["S.A. de C.V."], &["Zona Franca San Bartolo, Edificio {n}", "Boulevard del Ejército Km {n}"]),
    c("CR", LatAm, Lang::Es, Tpl::Brand, "USD", &["CRLIO"], &["CRSJO"], &["San José", "Alajuela", "Heredia", "Cartago"], &["Tica", "Arenal", "Irazú", "Coyol"], &["S.A.", "S.R.L."], &["Zona Franca Coyol, Edificio {n}", "{n} Avenida Central"]),
    c("AU", Oceania, Lang::En, Tpl::Brand, "USD", &["AUMEL", "AUSYD"], &["AUSYD"], &["Melbourne", "Sydney", "Brisbane", "Adelaide"], &["Southern Cross", "Outback", "Murray", "Barossa", "Coral"], &["Pty Ltd"], &["{n} Dandenong Road", "{n} Botany Road"]),
    c("NZ", Oceania, Lang::En, Tpl::Brand, "USD", &["NZAKL", "NZTRG"], &["NZAKL"], &["Auckland", "Tauranga", "Hastings", "Christchurch"], &["Kiwi", "Aotearoa", "Hawke's Bay", "Kaimai"], &["Ltd"], &["{n} Totara Street", "{n} Great South Road"]),
    c("ZA", Africa, Lang::En, Tpl::Brand, "USD", &["ZADUR"], &["ZAJNB"], &["Johannesburg", "Durban", "Pretoria"], &["Highveld", "Drakensberg", "Karoo", "Protea"], &["(Pty) Ltd"], &["{n} Main Reef Road", "{n} Jacobs Industrial Park"]),
    c("CZ", Europe, Lang::En, Tpl::Brand, "EUR", &[], &["CZPRG"], &["Praha", "Brno"], &["Bohemia", "Morava", "Vltava"], &["s.r.o.", "a.s."], &["Průmyslová {n}"]),
    c("FI", Europe, Lang::En, Tpl::Brand, "EUR", &["FIHEL"], &["FIHEL"], &["Helsinki", "Kotka", "Oulu"], &["Nordic Pine", "Suomi", "Lappi", "Saimaa"], &["Oy", "Oyj"], &["Teollisuustie {n}"]),
    c("ET", Africa, Lang::En, Tpl::Brand, "USD", &[], &["ETADD"], &["Addis Ababa"], &["Sidama", "Abyssinia", "Yirgacheffe"], &["PLC"], &["Bole Sub-City, House No. {n}"]),
    c("KZ", CentralAsia, Lang::En, Tpl::Brand, "USD", &[], &["KZALA"], &["Almaty", "Astana"], &["Steppe", "Altyn", "Baikonur", "Silk Way"], &["LLP"], &["{n} Abay Avenue", "{n} Raiymbek Avenue"]),
    c("KG", CentralAsia, Lang::En, Tpl::Brand, "USD", &[], &["KGFRU"], &["Bishkek"], &["Ala-Too", "Issyk", "Tengri", "Manas"], &["LLC"], &["{n} Chui Avenue"]),
    c("AM", CentralAsia, Lang::En, Tpl::Brand, "USD", &[], &["AMEVN"], &["Yerevan"], &["Ararat", "Sevan", "Hayk", "Armavir"], &["LLC", "CJSC"], &["{n} Tigran Mets Avenue"]),
    c("RU", Europe, Lang::En, Tpl::LegalFirst, "USD", &["RULED"], &["RUMOW"], &["Moscow", "Saint Petersburg", "Yekaterinburg", "Novosibirsk"], &["Tekhnopromservis", "Vostok", "Sibir", "Ural", "Radiotekh", "Nevskiy", "Elektron"], &["OOO", "AO", "OOO NPO"], &["ul. Promyshlennaya, d. {n}", "Leninskiy prospekt, d. {n}"]),
    c("BY", Europe, Lang::En, Tpl::LegalFirst, "USD", &[], &["BYMSQ"], &["Minsk", "Brest"], &["Belpromtekh", "Nemiga", "Polesye", "Svisloch"], &["OOO", "OAO"], &["ul. Timiryazeva, d. {n}"]),
    c("IR", MidEast, Lang::En, Tpl::Brand, "USD", &["IRBND"], &["IRTHR"], &["Tehran", "Isfahan", "Bandar Abbas", "Kerman"], &["Pars", "Alborz", "Zagros", "Kavir", "Persepolis"], &["Co.", "Trading Co."], &["No. {n}, Azadi Street", "No. {n}, Vali Asr Avenue"]),
    c("SY", MidEast, Lang::En, Tpl::Brand, "USD", &["SYLTK"], &["SYDAM"], &["Damascus", "Aleppo", "Latakia"], &["Barada", "Orontes", "Sham"], &["Co.", "Trading Est."], &["{n} Baghdad Street"]),
    c("KP", EastAsia, Lang::En, Tpl::Brand, "USD", &["KPNAM"], &["KPFNJ"], &["Pyongyang", "Nampo"], &["Korea Ryonbong", "Chongchongang", "Taedonggang", "Moranbong"], &["General Corporation", "Trading Company"], &["Potonggang District, No. {n}"]),
];

/// Where a country without a sea port ships from.
pub(crate) fn gateway_port(region: Region) -> &'static str {
    match region {
        EastAsia => "CNSHA",
        SeAsia => "SGSIN",
        SouthAsia => "INNSA",
        Europe => "NLRTM",
        Med => "ITGOA",
        MidEast => "AEJEA",
        LatAm => "PAMIT",
        Oceania => "AUSYD",
        Africa => "DJJIB",
        CentralAsia => "AEJEA",
        NorthAm => "USNYC",
    }
}

/// Embargoed / comprehensively sanctioned destinations used by the diversion pattern.
pub(crate) const EMBARGOED: &[&str] = &["IR", "KP", "SY", "RU", "BY"];
/// Known transshipment hubs for diversion.
pub(crate) const DIVERSION_HUBS: &[&str] = &["AE", "HK", "SG", "TR", "AM", "KG", "KZ"];

/// Ordinary export destinations by weight.
#[rustfmt::skip]
pub(crate) const EXPORT_DESTS: &[(&str, u32)] = &[
    ("CN", 15), ("JP", 8), ("KR", 7), ("DE", 6), ("GB", 6), ("NL", 5), ("BR", 4), ("IN", 5), ("CO", 3), ("AE", 3), ("HK", 3),
    ("SG", 3), ("TW", 3), ("AU", 3), ("FR", 3), ("IT", 2), ("ES", 2), ("BE", 2), ("CL", 2), ("PE", 2), ("VN", 3), ("TR", 2), ("SA", 2),
    ("IL", 1),
];

// ---------------------------------------------------------------------------------------------
// North America.

/// A North-American city: name, subdivision (ISO 3166-2 suffix), postcode prefix, UN/LOCODE.
#[derive(Debug, Clone, Copy)]
pub(crate) struct City {
    pub name: &'static str,
    pub sub: &'static str,
    pub post: &'static str,
    pub locode: &'static str,
}

const fn city(name: &'static str, sub: &'static str, post: &'static str, locode: &'static str) -> City {
    City { name, sub, post, locode }
}

#[rustfmt::skip]
pub(crate) static US_CITIES: &[City] = &[
    city("Los Angeles", "CA", "900", "USLAX"), city("Long Beach", "CA", "908", "USLGB"), city("Oakland", "CA", "946", "USOAK"),
    city("Chicago", "IL", "606", "USCHI"), city("Dallas", "TX", "752", "USDAL"), city("Houston", "TX", "770", "USHOU"),
    city("Laredo", "TX", "780", "USLRD"), city("El Paso", "TX", "799", "USELP"), city("San Antonio", "TX", "782", "USSAT"),
    city("Detroit", "MI", "482", "USDET"), city("Grand Rapids", "MI", "495", "USGRR"), city("Columbus", "OH", "432", "USCMH"),
    city("Cleveland", "OH", "441", "USCLE"), city("Toledo", "OH", "436", "USTOL"), city("Cincinnati", "OH", "452", "USCVG"),
    city("Indianapolis", "IN", "462", "USIND"), city("Memphis", "TN", "381", "USMEM"), city("Nashville", "TN", "372", "USBNA"),
    city("Louisville", "KY", "402", "USLUI"), city("Atlanta", "GA", "303", "USATL"), city("Savannah", "GA", "314", "USSAV"),
    city("Charlotte", "NC", "282", "USCLT"), city("Newark", "NJ", "071", "USEWR"), city("New York", "NY", "100", "USNYC"),
    city("Buffalo", "NY", "142", "USBUF"), city("Philadelphia", "PA", "191", "USPHL"), city("Pittsburgh", "PA", "152", "USPIT"),
    city("Boston", "MA", "021", "USBOS"), city("Miami", "FL", "331", "USMIA"), city("Jacksonville", "FL", "322", "USJAX"),
    city("Seattle", "WA", "981", "USSEA"), city("Tacoma", "WA", "984", "USTIW"), city("Portland", "OR", "972", "USPDX"),
    city("Phoenix", "AZ", "850", "USPHX"), city("Denver", "CO", "802", "USDEN"), city("Kansas City", "MO", "641", "USMKC"),
    city("Saint Louis", "MO", "631", "USSTL"), city("Salt Lake City", "UT", "841", "USSLC"), city("Norfolk", "VA", "235", "USORF"),
    city("Baltimore", "MD", "212", "USBAL"), city("Charleston", "SC", "294", "USCHS"), city("Omaha", "NE", "681", "USOMA"),
];

#[rustfmt::skip]
pub(crate) static CA_CITIES: &[City] = &[
    city("Toronto", "ON", "M", "CATOR"), city("Mississauga", "ON", "L", "CAMIS"), city("Brampton", "ON", "L", "CABRP"),
    city("Vaughan", "ON", "L", "CAVGN"), city("Concord", "ON", "L", "CACNC"), city("Hamilton", "ON", "L", "CAHAM"),
    city("Kitchener", "ON", "N", "CAKTC"), city("Windsor", "ON", "N", "CAWND"), city("Oshawa", "ON", "L", "CAOSH"),
    city("Ottawa", "ON", "K", "CAOTT"), city("Montréal", "QC", "H", "CAMTR"), city("Laval", "QC", "H", "CALAV"),
    city("Boucherville", "QC", "J", "CABOU"), city("Drummondville", "QC", "J", "CADRU"), city("Québec", "QC", "G", "CAQUE"),
    city("Winnipeg", "MB", "R", "CAWNP"), city("Regina", "SK", "S", "CAREG"), city("Saskatoon", "SK", "S", "CASAK"),
    city("Calgary", "AB", "T", "CACAL"), city("Edmonton", "AB", "T", "CAEDM"), city("Vancouver", "BC", "V", "CAVAN"),
    city("Delta", "BC", "V", "CADEL"), city("Abbotsford", "BC", "V", "CAABB"), city("Surrey", "BC", "V", "CASUY"),
    city("Halifax", "NS", "B", "CAHAL"), city("Saint John", "NB", "E", "CASJB"),
];

#[rustfmt::skip]
pub(crate) static MX_CITIES: &[City] = &[
    city("Monterrey", "NLE", "64", "MXMTY"), city("Santa Catarina", "NLE", "66", "MXSTC"), city("Apodaca", "NLE", "66", "MXAPD"),
    city("Saltillo", "COA", "25", "MXSLW"), city("Ramos Arizpe", "COA", "25", "MXRMA"), city("Querétaro", "QUE", "76", "MXQRO"),
    city("Aguascalientes", "AGU", "20", "MXAGU"), city("San Luis Potosí", "SLP", "78", "MXSLP"), city("Celaya", "GUA", "38", "MXCLY"),
    city("León", "GUA", "37", "MXLEN"), city("Silao", "GUA", "36", "MXSIL"), city("Puebla", "PUE", "72", "MXPBC"),
    city("Toluca", "MEX", "50", "MXTLC"), city("Ciudad de México", "CMX", "0", "MXMEX"), city("Guadalajara", "JAL", "44", "MXGDL"),
    city("Tijuana", "BCN", "22", "MXTIJ"), city("Mexicali", "BCN", "21", "MXMXL"), city("Ciudad Juárez", "CHH", "32", "MXCJS"),
    city("Chihuahua", "CHH", "31", "MXCUU"), city("Hermosillo", "SON", "83", "MXHMO"), city("Reynosa", "TAM", "88", "MXREX"),
    city("Nuevo Laredo", "TAM", "88", "MXNLD"), city("Matamoros", "TAM", "87", "MXMAM"), city("Manzanillo", "COL", "28", "MXZLO"),
    city("Veracruz", "VER", "91", "MXVER"),
];

/// Sea ports of arrival in each agency country, by side: (locode, pacific?, weight).
#[rustfmt::skip]
pub(crate) static US_PORTS: &[(&str, bool, u32)] = &[
    ("USLAX", true, 30), ("USLGB", true, 28), ("USOAK", true, 8), ("USSEA", true, 7), ("USTIW", true, 7), ("USNYC", false, 22),
    ("USSAV", false, 15), ("USHOU", false, 13), ("USCHS", false, 7), ("USORF", false, 8), ("USBAL", false, 4), ("USMIA", false, 3),
    ("USJAX", false, 3), ("USPHL", false, 2), ("USMSY", false, 3), ("USMOB", false, 2),
];
pub(crate) static CA_PORTS: &[(&str, bool, u32)] =
    &[("CAVAN", true, 60), ("CAPRR", true, 20), ("CAMTR", false, 25), ("CAHAL", false, 15), ("CASJB", false, 3)];
#[rustfmt::skip]
pub(crate) static MX_PORTS: &[(&str, bool, u32)] = &[
    ("MXZLO", true, 45), ("MXLZC", true, 20), ("MXESE", true, 5), ("MXMZT", true, 3), ("MXVER", false, 20), ("MXATM", false, 10),
    ("MXTAM", false, 3),
];

/// Cargo airports in each agency country: (locode, west?, weight).
#[rustfmt::skip]
pub(crate) static US_AIRPORTS: &[(&str, bool, u32)] = &[
    ("USORD", false, 20), ("USJFK", false, 15), ("USLAX", true, 18), ("USMIA", false, 14), ("USATL", false, 6), ("USDFW", false, 6),
    ("USHOU", false, 4), ("USMEM", false, 6), ("USLUI", false, 5), ("USANC", true, 3), ("USSEA", true, 3), ("USSFO", true, 4),
    ("USEWR", false, 4), ("USCVG", false, 4),
];
pub(crate) static CA_AIRPORTS: &[(&str, bool, u32)] =
    &[("CAYYZ", false, 50), ("CAYVR", true, 22), ("CAYUL", false, 15), ("CAYYC", true, 8), ("CAYHM", false, 5)];
pub(crate) static MX_AIRPORTS: &[(&str, bool, u32)] =
    &[("MXMEX", false, 60), ("MXGDL", true, 18), ("MXMTY", false, 14), ("MXQRO", false, 8)];

/// Short flights (under 4 h, from "nearby" places): origin, destination, minutes.
#[rustfmt::skip]
pub(crate) static SHORT_FLIGHTS: &[(&str, &str, i64)] = &[
    ("MXMEX", "USHOU", 140), ("MXMEX", "USDFW", 150), ("MXGDL", "USLAX", 200), ("MXMTY", "USHOU", 85), ("MXQRO", "USDFW", 130),
    ("CAYYZ", "USORD", 110), ("CAYYZ", "USJFK", 95), ("CAYVR", "USSEA", 50), ("CAYUL", "USJFK", 85), ("CAYVR", "USSFO", 140),
    ("COBOG", "USMIA", 215), ("CRSJO", "USMIA", 170), ("USORD", "CAYYZ", 105), ("USJFK", "CAYUL", 85), ("USSEA", "CAYVR", 50),
    ("USMEM", "CAYYZ", 130), ("USLUI", "CAYYZ", 100), ("USCVG", "CAYYZ", 95), ("USMIA", "CAYYZ", 190), ("USLAX", "CAYVR", 170),
    ("USLAX", "MXGDL", 195), ("USHOU", "MXMEX", 135), ("USDFW", "MXMTY", 100), ("USMEM", "MXMEX", 170), ("USLUI", "MXMEX", 200),
];

/// Land border crossings: (port of entry in the agency country, the foreign side, weight).
#[rustfmt::skip]
pub(crate) static US_FROM_CA: &[(&str, &str, u32)] = &[
    ("USDET", "CAWND", 40), ("USPHN", "CASNI", 15), ("USBUF", "CAFER", 18), ("USCHM", "CALCO", 8), ("USBWS", "CASUY", 10),
    ("USPMB", "CAEME", 5), ("USAXB", "CALDS", 4),
];
#[rustfmt::skip]
pub(crate) static US_FROM_MX: &[(&str, &str, u32)] = &[
    ("USLRD", "MXNLD", 45), ("USOYM", "MXTIJ", 12), ("USELP", "MXCJS", 14), ("USPFX", "MXREX", 10), ("USEGP", "MXPIE", 5),
    ("USOLS", "MXNOG", 6), ("USCXL", "MXMXL", 4), ("USBRO", "MXMAM", 4),
];
/// Rail crossings (subset of the above with rail bridges or tunnels).
#[rustfmt::skip]
pub(crate) static RAIL_US_CA: &[(&str, &str, u32)] = &[
    ("USPHN", "CASNI", 35), ("USDET", "CAWND", 25), ("USBUF", "CAFER", 10), ("USBWS", "CASUY", 10), ("USPMB", "CAEME", 15),
    ("USRSX", "CALCO", 5),
];
pub(crate) static RAIL_US_MX: &[(&str, &str, u32)] =
    &[("USLRD", "MXNLD", 45), ("USEGP", "MXPIE", 25), ("USELP", "MXCJS", 15), ("USBRO", "MXMAM", 10), ("USOLS", "MXNOG", 5)];

type Crossings = &'static [(&'static str, &'static str, u32)];

/// The crossings trucks (or trains) use for a Canadian or Mexican city, by UN/LOCODE; empty when the
/// general table applies.
pub(crate) fn crossings_near(locode: &str, rail: bool) -> Crossings {
    const BC: &[&str] = &["CAVAN", "CADEL", "CAABB", "CASUY"];
    const PRAIRIES: &[&str] = &["CACAL", "CAEDM", "CAREG", "CASAK", "CAWNP"];
    const GTA: &[&str] = &["CATOR", "CAMIS", "CABRP", "CAVGN", "CACNC", "CAHAM", "CAKTC", "CAOSH", "CAWND"];
    const EAST: &[&str] = &["CAMTR", "CALAV", "CABOU", "CADRU", "CAQUE", "CAHAL", "CASJB"];
    let l = locode;
    match (rail, l) {
        (_, l) if BC.contains(&l) => &[("USBWS", "CASUY", 1)],
        (_, l) if PRAIRIES.contains(&l) => &[("USPMB", "CAEME", 1)],
        (false, "CAWND") => &[("USDET", "CAWND", 1)],
        (false, "CAOTT") => &[("USAXB", "CALDS", 50), ("USCHM", "CALCO", 30), ("USBUF", "CAFER", 20)],
        (false, l) if GTA.contains(&l) => &[("USDET", "CAWND", 45), ("USPHN", "CASNI", 20), ("USBUF", "CAFER", 30), ("USAXB", "CALDS", 5)],
        (true, l) if GTA.contains(&l) || l == "CAOTT" => &[("USPHN", "CASNI", 55), ("USDET", "CAWND", 35), ("USBUF", "CAFER", 10)],
        (false, l) if EAST.contains(&l) => &[("USCHM", "CALCO", 1)],
        (true, l) if EAST.contains(&l) => &[("USRSX", "CALCO", 1)],
        (false, "MXTIJ") => &[("USOYM", "MXTIJ", 1)],
        (false, "MXMXL") => &[("USCXL", "MXMXL", 1)],
        (_, "MXCJS" | "MXCUU") => &[("USELP", "MXCJS", 1)],
        (_, "MXHMO") => &[("USOLS", "MXNOG", 1)],
        (false, "MXREX") => &[("USPFX", "MXREX", 1)],
        (false, "MXMAM") => &[("USBRO", "MXMAM", 1)],
        (true, "MXREX" | "MXMAM") => &[("USBRO", "MXMAM", 1)],
        (true, "MXSLW" | "MXRMA") => &[("USEGP", "MXPIE", 60), ("USLRD", "MXNLD", 40)],
        (false, l) if l.starts_with("MX") => {
            &[("USLRD", "MXNLD", 75), ("USPFX", "MXREX", 10), ("USEGP", "MXPIE", 10), ("USELP", "MXCJS", 5)]
        }
        (true, l) if l.starts_with("MX") => &[("USLRD", "MXNLD", 70), ("USEGP", "MXPIE", 30)],
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------------
// Carriers.

/// Ocean carriers (fictional): name, SCAC, container owner code, vessel-name prefix, CBSA carrier code, home country.
#[rustfmt::skip]
pub(crate) static OCEAN_CARRIERS: &[(&str, &str, &str, &str, &str)] = &[
    ("Pacific Meridian Lines Ltd.", "PMLN", "PML", "MERIDIAN", "HK"),
    ("Orient Star Shipping Co., Ltd.", "OSSC", "OSS", "ORIENT", "TW"),
    ("Nordic Atlantic Container Line A/S", "NACL", "NAC", "NORDIC", "DE"),
    ("Hanseatic Ocean Carriers GmbH", "HOCG", "HOC", "HANSA", "DE"),
    ("Cathay Sea Transport Co., Ltd.", "CSTC", "CST", "CATHAY", "CN"),
    ("Great Circle Shipping S.A.", "GCSS", "GCS", "CIRCLE", "FR"),
    ("Blue Anchor Line Pte. Ltd.", "BALP", "BAL", "BLUE ANCHOR", "SG"),
    ("Sun Ocean Marine Co., Ltd.", "SOMC", "SOM", "SUN OCEAN", "KR"),
    ("Ever Pacific Container Co.", "EPCC", "EPC", "EVER PACIFIC", "TW"),
    ("Tri-Continental Lines Inc.", "TCLI", "TCL", "TRICON", "US"),
    ("Yamato Kaiun K.K.", "YKKK", "YKK", "YAMATO", "JP"),
    ("Mediterranean Star Lines S.p.A.", "MSTL", "MSX", "MED STAR", "IT"),
];

/// Leasing-company owner codes seen on carriers' bills.
pub(crate) const LESSOR_CODES: &[&str] = &["TCN", "TGH", "TRH", "CAI", "FSC", "SEG", "GES", "BMO", "TEM", "CRX"];

#[rustfmt::skip]
pub(crate) const VESSEL_WORDS: &[&str] = &[
    "AURORA", "ORION", "HARMONY", "PIONEER", "FORTUNE", "HORIZON", "SPIRIT", "TRIUMPH", "VOYAGER", "ZENITH", "ATLAS", "CONCORD",
    "DESTINY", "ENDEAVOUR", "GALAXY", "LIBERTY", "MAJESTY", "NOBLE", "PROSPERITY", "SOVEREIGN", "VICTORY", "VALIANT",
];
pub(crate) const BULK_VESSEL_ADJ: &[&str] =
    &["GOLDEN", "NORDIC", "OCEAN", "STAR", "PACIFIC", "ATLANTIC", "GREAT", "SILVER", "CAPE", "KING"];
pub(crate) const BULK_VESSEL_NOUN: &[&str] =
    &["HARVEST", "SPIRIT", "PIONEER", "ATLAS", "EAGLE", "PRIDE", "FALCON", "GRACE", "VENTURE", "MERCHANT"];

/// Airlines: name, IATA code, AWB prefix, home country.
#[rustfmt::skip]
pub(crate) static AIRLINES: &[(&str, &str, &str, &str)] = &[
    ("Air Canada Cargo", "AC", "014", "CA"),
    ("American Airlines Cargo", "AA", "001", "US"),
    ("United Cargo", "UA", "016", "US"),
    ("Delta Cargo", "DL", "006", "US"),
    ("Lufthansa Cargo", "LH", "020", "DE"),
    ("Cathay Cargo", "CX", "160", "HK"),
    ("Korean Air Cargo", "KE", "180", "KR"),
    ("FedEx Express", "FX", "023", "US"),
    ("UPS Airlines", "5X", "406", "US"),
    ("Aeroméxico Cargo", "AM", "139", "MX"),
    ("Cargolux", "CV", "172", "LU"),
    ("Emirates SkyCargo", "EK", "176", "AE"),
    ("Qatar Airways Cargo", "QR", "157", "QA"),
    ("Air China Cargo", "CA", "999", "CN"),
    ("ANA Cargo", "NH", "205", "JP"),
    ("Turkish Cargo", "TK", "235", "TR"),
    ("British Airways World Cargo", "BA", "125", "GB"),
    ("China Airlines Cargo", "CI", "297", "TW"),
];

/// Railroads: name, SCAC / reporting mark, country, CBSA carrier code.
#[rustfmt::skip]
pub(crate) static RAILROADS: &[(&str, &str, &str, &str)] = &[
    ("Canadian National Railway Company", "CN", "CA", "0CNR"),
    ("Canadian Pacific Kansas City Limited", "CP", "CA", "0CPR"),
    ("BNSF Railway Company", "BNSF", "US", "0BNS"),
    ("Union Pacific Railroad Company", "UP", "US", "0UPR"),
    ("CSX Transportation, Inc.", "CSXT", "US", "0CSX"),
    ("Norfolk Southern Railway Company", "NS", "US", "0NSR"),
    ("Ferrocarril Mexicano, S.A. de C.V.", "FXE", "MX", "0FXE"),
    ("Kansas City Southern de México, S.A. de C.V.", "KCSM", "MX", "0KCM"),
];

/// Truck manufacturer identifiers (VIN WMI).
pub(crate) const TRUCK_WMI: &[&str] = &["1FU", "1XK", "1XP", "4V4", "3AK", "2NK", "1M1", "3HS", "3AL", "1XM"];

pub(crate) const DOMESTIC_CONTAINER_CODES: &[&str] = &["EMH", "UMX", "JBH", "HJC", "CNR", "CPP"];
#[rustfmt::skip]
pub(crate) const RAILCAR_MARKS: &[(&str, &str)] = &[
    ("TILX", "TANK-CAR"), ("UTLX", "TANK-CAR"), ("GATX", "TANK-CAR"), ("TTGX", "AUTORACK"), ("ETTX", "AUTORACK"),
    ("CNAX", "COVERED-HOPPER"), ("CPCX", "COVERED-HOPPER"), ("TBOX", "BOXCAR"), ("CNWX", "CENTERBEAM"),
];
pub(crate) const ULD_TYPES: &[&str] = &["AKE", "AKH", "PMC", "PAG", "PLA", "AAX"];

// ---------------------------------------------------------------------------------------------
// Name word lists.

#[rustfmt::skip]
pub(crate) const US_WORDS: &[&str] = &[
    "Great Lakes", "Pacific Coast", "Lone Star", "Blue Ridge", "Golden Gate", "Keystone", "Empire", "Liberty", "Heartland", "Midwest",
    "Atlantic", "Summit", "Evergreen", "Cascade", "Gulf Coast", "Red River", "Iron Range", "Sierra", "Patriot", "Prairie", "Bayou",
    "Sunbelt", "Allied", "Continental", "Pioneer", "Frontier", "Horizon", "Northstar", "Magnolia", "Big Sky", "Tri-State", "Capitol",
];
#[rustfmt::skip]
pub(crate) const CA_WORDS: &[&str] = &[
    "Maple Leaf", "Northern", "Laurentian", "Boreal", "True North", "Canadian Shield", "Pacific Rim", "Fraser Valley", "Okanagan",
    "Prairie", "Rideau", "St. Lawrence", "Muskoka", "Algonquin", "Cabot", "Dominion", "Polar", "Niagara", "Huron", "Chinook",
    "Klondike", "Georgian Bay", "Red Maple", "Aurora",
];
pub(crate) const CA_FR_WORDS: &[&str] =
    &["Boréal", "Laurentides", "Saint-Laurent", "Beauce", "Richelieu", "Mauricie", "Outaouais", "Gaspésie"];
pub(crate) const MX_PREFIX: &[&str] =
    &["Grupo Industrial", "Industrias", "Comercializadora", "Manufacturas", "Productos", "Distribuidora", "Corporativo", "Exportadora"];
#[rustfmt::skip]
pub(crate) const MX_WORDS: &[&str] = &[
    "del Norte", "del Bajío", "Regiomontana", "del Pacífico", "Azteca", "Mexicana", "de Occidente", "Fronteriza", "del Golfo",
    "Sonorense", "Saltillo", "Monterrey", "Queretana", "Poblana", "Tapatía", "Chihuahuense",
];
#[rustfmt::skip]
pub(crate) const SURNAMES_EN: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin",
    "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Baker", "Nelson",
];
#[rustfmt::skip]
pub(crate) const FIRST_EN: &[&str] = &[
    "James", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Christopher", "Daniel", "Matthew", "Mark",
    "Steven", "Paul", "Kevin", "Brian", "Jason", "Ryan", "Gary", "Timothy", "Jennifer", "Linda", "Angela", "Brenda", "Dwayne", "Earl",
];
#[rustfmt::skip]
pub(crate) const FIRST_CA: &[&str] = &[
    "Jean", "Marc", "Luc", "Pierre", "François", "Gurpreet", "Harjit", "Jaspreet", "Manpreet", "Sukhdeep", "Ryan", "Kyle", "Tyler",
    "Scott", "Derek", "Wayne", "Dave", "Sylvie", "Nathalie", "Brent",
];
#[rustfmt::skip]
pub(crate) const SURNAMES_CA: &[&str] = &[
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gill", "Singh", "Sandhu", "Dhillon",
    "Grewal", "MacDonald", "Campbell", "Stewart", "Wilson", "Brown", "Martin", "Chen", "Nguyen",
];
#[rustfmt::skip]
pub(crate) const FIRST_MX: &[&str] = &[
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Jesús", "Alejandro", "Roberto", "Fernando", "Ricardo",
    "Eduardo", "Javier", "Raúl", "Arturo", "Guadalupe", "Martín", "José Luis", "Juan Carlos",
];
#[rustfmt::skip]
pub(crate) const SURNAMES_MX: &[&str] = &[
    "García", "Hernández", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez", "Flores", "Torres", "Rivera",
    "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz", "Ruiz", "Mendoza", "Vázquez", "Castillo", "Jiménez",
];
#[rustfmt::skip]
pub(crate) const US_STREETS: &[&str] = &[
    "Commerce", "Industrial", "Harbor", "Airport", "Lakeshore", "Oak", "Maple", "Elm", "Washington", "Lincoln", "Jefferson", "Market",
    "Mill", "River", "Park", "Enterprise", "Logistics", "Distribution", "Corporate", "Gateway",
];
pub(crate) const US_STREET_KIND: &[&str] = &["St", "Ave", "Blvd", "Rd", "Pkwy", "Dr", "Way"];
#[rustfmt::skip]
pub(crate) const QC_STREETS: &[&str] = &[
    "rue Notre-Dame", "boul. Industriel", "rue Sherbrooke", "boul. Saint-Laurent", "rue de la Gauchetière",
    "chemin de la Côte-de-Liesse",
];
#[rustfmt::skip]
pub(crate) const MX_STREETS: &[&str] = &[
    "Av. Juárez", "Av. Hidalgo", "Calle Morelos", "Av. Revolución", "Av. Constitución", "Av. Insurgentes", "Av. Reforma",
    "Blvd. Industrial", "Av. Ruiz Cortines", "Calle Madero", "Carretera Federal 57 Km",
];

/// Sector words in a language.
pub(crate) fn sector_words(lang: Lang, s: Sector) -> &'static [&'static str] {
    use Lang::*;
    match (lang, s) {
        (De, Electronics) => &["Elektronik", "Elektrotechnik"],
        (De, Machinery) => &["Maschinenbau", "Anlagenbau"],
        (De, Auto) => &["Fahrzeugteile", "Automotive"],
        (De, Chemicals) => &["Chemie", "Lackfabrik"],
        (De, Pharma) => &["Pharma", "Arzneimittel"],
        (De, Food) => &["Lebensmittel", "Brauerei"],
        (De, Metals) => &["Stahl", "Metallwerke"],
        (De, Plastics) => &["Kunststoff"],
        (De, Furniture) => &["Möbelwerke"],
        (De, Consumer) => &["Haushaltswaren"],
        (De, Radio) => &["Strahlentechnik", "Isotopen"],
        (De, General) => &["Handels", "Logistik"],
        (Es, Electronics) => &["Electrónica", "Tecnologías"],
        (Es, Auto) => &["Autopartes", "Automotriz"],
        (Es, Food) => &["Alimentos", "Bebidas"],
        (Es, Produce) => &["Agrícola", "Frutas", "Exportadora de Frutas"],
        (Es, Metals) => &["Siderúrgica", "Metales"],
        (Es, Plastics) => &["Plásticos"],
        (Es, Chemicals) => &["Químicos", "Pinturas"],
        (Es, Furniture) => &["Muebles"],
        (Es, Consumer) => &["Artículos del Hogar", "Cerámica"],
        (Es, Machinery) => &["Maquinaria"],
        (Es, Pharma) => &["Farmacéutica", "Laboratorios"],
        (Es, Apparel) => &["Textil", "Confecciones"],
        (Es, Materials) => &["Cementos", "Materiales"],
        (Es, Energy) => &["Petróleos", "Energía"],
        (Es, General) => &["Comercial", "Logística"],
        (Fr, Food) => &["Aliments", "Boissons"],
        (Fr, Consumer) => &["Parfums", "Cosmétiques"],
        (Fr, Machinery) => &["Industries", "Équipements"],
        (Fr, General) => &["Distribution", "Commerce"],
        (It, Apparel) => &["Tessile", "Moda"],
        (It, Food) => &["Alimentari", "Vini"],
        (It, Machinery) => &["Meccanica", "Macchine"],
        (It, Furniture) => &["Arredamenti", "Mobili"],
        (Pt, Food) => &["Alimentos", "Café"],
        (Pt, Metals) => &["Siderurgia", "Metalúrgica"],
        (Pt, Consumer) => &["Cerâmica", "Louças"],
        (Tr, Apparel) => &["Tekstil", "Konfeksiyon"],
        (Tr, Metals) => &["Demir Çelik", "Metal"],
        (Tr, Food) => &["Gıda", "Tarım Ürünleri"],
        (Tr, Materials) => &["Çimento", "Maden"],
        (Tr, General) => &["Dış Ticaret", "Lojistik"],
        (_, Electronics) => &["Electronics", "Technology", "Digital Technology", "Electronic Technology", "Intelligent Technology"],
        (_, Apparel) => &["Garment", "Textile", "Apparel", "Knitting", "Fashion"],
        (_, Furniture) => &["Furniture", "Home Furnishing", "Woodworking"],
        (_, Consumer) => &["Household Products", "Ceramics", "Toys", "Kitchenware", "Consumer Goods"],
        (_, Machinery) => &["Machinery", "Industrial Equipment", "Precision Machinery", "Engineering"],
        (_, Auto) => &["Auto Parts", "Automotive Components", "Automotive"],
        (_, Food) => &["Foods", "Food Industries", "Beverages"],
        (_, Produce) => &["Fresh Produce", "Farms", "Orchards", "Growers"],
        (_, Chemicals) => &["Chemical", "Chemicals", "Coatings"],
        (_, Plastics) => &["Plastic Products", "Polymers", "Petrochemical"],
        (_, Metals) => &["Steel", "Metal Products", "Iron & Steel", "Aluminium"],
        (_, Pharma) => &["Pharmaceutical", "Pharmaceuticals", "Life Sciences", "Medical"],
        (_, Materials) => &["Stone", "Building Materials", "Minerals", "Granite"],
        (_, Energy) => &["Energy", "Petroleum", "Refining", "Fuels"],
        (_, Agri) => &["Grain", "Agri", "Potash", "Commodities"],
        (_, Forest) => &["Forest Products", "Lumber", "Pulp & Paper"],
        (_, Radio) => &["Isotope", "Nuclear Instruments", "Radiation Technologies", "Gauging Systems"],
        (_, General) => &["Trading", "Imports", "International", "Distribution", "Global Trade"],
    }
}

/// Index of a country in [`COUNTRIES`], through a 26×26 lookup table (this is on the hot path).
pub(crate) fn country_idx(code: &str) -> Option<usize> {
    static LUT: std::sync::OnceLock<[u8; 676]> = std::sync::OnceLock::new();
    let lut = LUT.get_or_init(|| {
        let mut t = [u8::MAX; 676];
        for (i, c) in COUNTRIES.iter().enumerate() {
            if let Some(k) = lut_key(c.code) {
                t[k] = i as u8;
            }
        }
        t
    });
    lut_key(code).map(|k| lut[k]).filter(|&i| i != u8::MAX).map(|i| i as usize)
}

fn lut_key(code: &str) -> Option<usize> {
    match code.as_bytes() {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => Some((a - b'A') as usize * 26 + (b - b'A') as usize),
        _ => None,
    }
}

pub(crate) fn country(code: &str) -> Option<&'static Country> {
    country_idx(code).and_then(|i| COUNTRIES.get(i))
}
