//! Controlled-goods candidates from the declared HS code, and ECCN/HS plausibility.
//!
//! Control lists classify by technical parameters, not by tariff code: no official HS → ECCN correlation
//! exists for the US CCL. These tables give *candidates for review*, never a classification:
//!
//! * [`candidates`]: the Common High Priority List tier of the HS-6 (BIS, 2024-02-23), and the rows of
//!   [`CANDIDATES`] whose HS prefix matches — a table built for Clearway from the CCL headings
//!   (`us_ccl_eccn_index.csv`, eCFR 2026-07-23) against HS 2022 heading texts, one reason per row.
//! * [`plausible`]: whether an ECCN's category can describe goods of an HS chapter ([`CATEGORY_CHAPTERS`]);
//!   software and technology (product groups D, E) are plausible on media (HS 8523) and printed matter (49).

use serde::Serialize;

use crate::tables::Tables;

/// One row of the HS → control-entry candidate table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CandidateRow {
    /// HS prefix (2 to 6 digits) the row applies to.
    pub hs: &'static str,
    /// Candidate entries, most specific first (ECCNs; `USML n` for munitions; `NRC` for Nuclear Regulatory Commission licensing).
    pub entries: &'static [&'static str],
    /// Why these entries can describe goods of this heading (from the CCL headings).
    pub reason: &'static str,
}

/// Source of [`CANDIDATES`].
pub const CANDIDATES_SOURCE: &str = "Clearway, built from the CCL headings (15 CFR 774 Supp. 1, eCFR 2026-07-23) and HS 2022 heading texts; not an official correlation";

macro_rules! c {
    ($hs:literal, [$($e:literal),*], $why:literal) => {
        CandidateRow { hs: $hs, entries: &[$($e),*], reason: $why }
    };
}

/// HS prefix → candidate control entries. The longest matching prefix wins; rows are for review only.
pub const CANDIDATES: &[CandidateRow] = &[
    // Chapter 85 — electronics (CCL categories 3, 4, 5, 6, 7).
    c!(
        "854231",
        ["3A001", "3A090", "3A991", "5A002"],
        "processors and controllers: 3A001.a integrated circuits, 3A090 advanced-computing ICs, 3A991.a microprocessors, 5A002 cryptographic ICs"
    ),
    c!(
        "854232",
        ["3A001", "3A991"],
        "memories: 3A001.a.2/.a.3 (radiation-hardened, high-speed), 3A991"
    ),
    c!(
        "854233",
        ["3A001", "3A991"],
        "amplifiers: 3A001.b MMIC amplifiers, 3A991"
    ),
    c!(
        "854239",
        ["3A001", "3A090", "3A991"],
        "other ICs: 3A001.a (FPGAs, ADCs, DACs), 3A090, 3A991"
    ),
    c!(
        "8541",
        ["3A001", "3A991", "6A002"],
        "discrete semiconductors and photosensitive devices: 3A001.b.3 microwave transistors, 3A991, 6A002 focal-plane arrays"
    ),
    c!(
        "8532",
        ["3A001", "3A201", "3A991"],
        "capacitors: 3A001.e, 3A201.a high-voltage capacitors (NP), 3A991"
    ),
    c!(
        "850440",
        ["3A001", "3A991", "3A201"],
        "static converters and power supplies: 3A001.e, 3A201, 3A991 (CHPL Tier 3.A)"
    ),
    c!(
        "850760",
        ["3A001", "3A991"],
        "lithium-ion cells and batteries: 3A001.e.1 high-energy cells, 3A991"
    ),
    c!(
        "851762",
        ["5A002", "5A001", "5A991", "5A992"],
        "network and transmission apparatus: 5A002 information security, 5A001 telecommunications, 5A991, 5A992 mass-market encryption"
    ),
    c!(
        "851769",
        ["5A001", "5A991", "5A992"],
        "other transmission apparatus: 5A001, 5A991, 5A992"
    ),
    c!(
        "851713",
        ["5A992"],
        "smartphones: 5A992.c mass-market encryption"
    ),
    c!(
        "8525",
        ["6A003", "6A993", "5A001"],
        "cameras and transmission apparatus: 6A003 (thermal, radiation-hardened), 6A993, 5A001"
    ),
    c!(
        "852691",
        ["7A005", "7A994"],
        "radio navigation apparatus: 7A005 satellite navigation receivers, 7A994"
    ),
    c!(
        "852610",
        ["6A008", "6A998"],
        "radar apparatus: 6A008, 6A998"
    ),
    c!(
        "8529",
        ["5A001", "5A991", "6A008", "7A994"],
        "parts for radio, radar and navigation apparatus: 5A001, 5A991, 6A008, 7A994"
    ),
    c!(
        "853669",
        ["3A991", "3A001"],
        "connectors (CHPL Tier 3.A): 3A991, 3A001"
    ),
    c!(
        "854320",
        ["3A002", "3A992"],
        "signal generators: 3A002.d, 3A992"
    ),
    c!(
        "8548",
        ["3A001", "3A991"],
        "electrical parts of machinery (CHPL Tier 2): 3A001, 3A991"
    ),
    // Chapter 84 — computers, machine tools, semiconductor equipment, engines (categories 2, 3, 4, 9).
    c!(
        "8471",
        ["4A003", "4A090", "4A994", "5A992"],
        "computers and units: 4A003 digital computers, 4A090 advanced computing, 4A994, 5A992"
    ),
    c!(
        "847330",
        ["4A003", "4A090", "4A994", "3A090"],
        "computer parts (boards, accelerators): 4A003, 4A090, 4A994, 3A090"
    ),
    c!(
        "8486",
        ["3B001", "3B991", "3B993"],
        "semiconductor manufacturing equipment: 3B001, 3B991, 3B993"
    ),
    c!(
        "8456",
        ["2B001", "2B991"],
        "machine tools working by laser, EDM, water jet: 2B001, 2B991"
    ),
    c!(
        "8457",
        ["2B001", "2B201", "2B991"],
        "machining centres: 2B001, 2B201 (NP), 2B991"
    ),
    c!(
        "8458",
        ["2B001", "2B201", "2B991"],
        "lathes: 2B001.a turning machines, 2B201, 2B991"
    ),
    c!(
        "8459",
        ["2B001", "2B201", "2B991"],
        "milling, boring, drilling machines: 2B001.b, 2B201, 2B991"
    ),
    c!(
        "8460",
        ["2B001", "2B201", "2B991"],
        "grinding machines: 2B001.c, 2B201, 2B991"
    ),
    c!(
        "846693",
        ["2B001", "2B991"],
        "parts of machine tools (CHPL Tier 4.B): 2B001, 2B991"
    ),
    c!(
        "847950",
        ["2B007", "2B207"],
        "industrial robots: 2B007, 2B207 (NP)"
    ),
    c!(
        "8482",
        ["2A001", "2A991"],
        "ball and roller bearings (CHPL Tier 3.B): 2A001 precision bearings, 2A991"
    ),
    c!(
        "8411",
        ["9A001", "9A991", "9A619"],
        "turbojets and gas turbines: 9A001 aero gas turbine engines, 9A991, 9A619 military"
    ),
    c!(
        "8401",
        ["NRC"],
        "nuclear reactors and isotope separation machinery: NRC export licensing (10 CFR 110), not the EAR"
    ),
    c!(
        "841919",
        ["2B350"],
        "heat exchangers and process equipment: 2B350 chemical manufacturing equipment (CB)"
    ),
    c!(
        "842119",
        ["2B352"],
        "centrifuges: 2B352 biological handling equipment (CB)"
    ),
    c!("8413", ["2B350"], "pumps: 2B350.i multiple-seal pumps (CB)"),
    // Chapters 88, 89, 87, 93 — aircraft, UAVs, vessels, vehicles, arms.
    c!(
        "8806",
        ["9A012", "9A120", "9A610"],
        "unmanned aircraft: 9A012 non-military UAVs, 9A120 (MT), 9A610 military"
    ),
    c!(
        "8807",
        ["9A610", "9A991"],
        "parts of aircraft and UAVs (CHPL Tier 3.B for 880730): 9A610, 9A991"
    ),
    c!(
        "8802",
        ["9A610", "9A991"],
        "aircraft: 9A610 military, 9A991 civil"
    ),
    c!(
        "8710",
        ["0A606", "USML VII"],
        "tanks and armoured vehicles: 0A606, USML VII"
    ),
    c!("8906", ["8A620", "USML VI"], "warships: 8A620, USML VI"),
    c!(
        "9301",
        ["USML I", "0A501"],
        "military weapons: USML I, 0A501"
    ),
    c!(
        "9302",
        ["0A501", "USML I"],
        "revolvers and pistols: 0A501, USML I"
    ),
    c!(
        "9303",
        ["0A501", "0A502"],
        "other firearms: 0A501, 0A502 shotguns"
    ),
    c!("9305", ["0A501", "USML I"], "parts of arms: 0A501, USML I"),
    c!("9306", ["0A505", "USML III"], "ammunition: 0A505, USML III"),
    // Chapter 90 — optics, navigation, measurement (categories 2, 3, 6, 7).
    c!(
        "9013",
        ["6A005", "6A995", "6A004"],
        "lasers and optical devices (CHPL Tier 3.B): 6A005, 6A995, 6A004 optics"
    ),
    c!(
        "9014",
        ["7A003", "7A002", "7A994"],
        "navigation instruments (CHPL Tier 3.B): 7A003 inertial systems, 7A002 gyros, 7A994"
    ),
    c!(
        "9027",
        ["3A233", "2B351", "3A999"],
        "analysis instruments: 3A233 mass spectrometers (NP), 2B351 toxic gas monitors (CB)"
    ),
    c!(
        "9030",
        ["3A002", "3A992"],
        "oscilloscopes, analysers, measuring instruments (CHPL Tier 4.A): 3A002, 3A992"
    ),
    c!(
        "9031",
        ["2B006", "2B206"],
        "measuring machines: 2B006 dimensional inspection, 2B206 (NP)"
    ),
    c!(
        "9020",
        ["1A004"],
        "breathing appliances and gas masks: 1A004 protective equipment"
    ),
    // Chapters 28, 29, 30, 38, 68, 81 — chemicals, pathogens, materials (categories 0, 1).
    c!(
        "2812",
        ["1C350"],
        "halides of non-metals (phosphorus trichloride etc.): 1C350 CW precursors"
    ),
    c!(
        "2920",
        ["1C350"],
        "esters of inorganic acids (trimethyl phosphite etc.): 1C350"
    ),
    c!(
        "2921",
        ["1C350"],
        "amine-function compounds (N,N-dialkylaminoethyl chlorides): 1C350"
    ),
    c!(
        "2930",
        ["1C350"],
        "organo-sulphur compounds (thiodiglycol): 1C350"
    ),
    c!(
        "2931",
        ["1C350"],
        "organo-phosphorus compounds (methylphosphonic difluoride etc.): 1C350"
    ),
    c!(
        "3002",
        ["1C351", "1C353", "1C991"],
        "toxins, cultures of micro-organisms: 1C351 pathogens and toxins, 1C353, 1C991"
    ),
    c!(
        "6815",
        ["1C010", "1C210"],
        "carbon fibres and articles: 1C010 fibrous materials, 1C210 (NP)"
    ),
    c!(
        "8108",
        ["1C002", "1C202"],
        "titanium and alloys: 1C002, 1C202 (NP)"
    ),
    c!(
        "2844",
        ["NRC"],
        "radioactive elements and isotopes: NRC export licensing (10 CFR 110) for source, special nuclear and by-product material"
    ),
];

/// The candidate row for an HS code: the longest matching prefix.
pub fn candidate_row(hs: &str) -> Option<&'static CandidateRow> {
    let mut buf = [0u8; 16];
    longest_row(hs_digits(hs, &mut buf))
}

/// The row with the longest prefix of `digits`: a lookup per prefix length in a map of the rows (the
/// later row wins a tie, as in a scan of the table).
fn longest_row(digits: &str) -> Option<&'static CandidateRow> {
    static BY_PREFIX: std::sync::LazyLock<
        std::collections::HashMap<&'static str, &'static CandidateRow>,
    > = std::sync::LazyLock::new(|| CANDIDATES.iter().map(|r| (r.hs, r)).collect());
    static LENGTHS: std::sync::LazyLock<Vec<usize>> = std::sync::LazyLock::new(|| {
        let mut l: Vec<usize> = CANDIDATES.iter().map(|r| r.hs.len()).collect();
        l.sort_unstable_by(|a, b| b.cmp(a));
        l.dedup();
        l
    });
    LENGTHS
        .iter()
        .filter(|&&n| n <= digits.len())
        .find_map(|&n| BY_PREFIX.get(&digits[..n]).copied())
}

/// What the HS code suggests about control.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Candidates {
    pub hs6: String,
    /// CHPL tier (`TIER_1` ... `TIER_4_B`), if the HS-6 is on the Common High Priority List.
    pub chpl_tier: Option<String>,
    /// Candidate control entries, from [`CANDIDATES`].
    pub entries: Vec<&'static str>,
    pub reason: Option<&'static str>,
}

impl Candidates {
    pub fn is_empty(&self) -> bool {
        self.chpl_tier.is_none() && self.entries.is_empty()
    }

    /// CHPL tiers 1 and 2: the items most sought for weapons (integrated circuits, navigation, radio).
    pub fn high_priority(&self) -> bool {
        self.chpl_tier
            .as_deref()
            .is_some_and(|t| t == "TIER_1" || t == "TIER_2")
    }
}

/// Candidates for review from an HS code (6 to 10 digits; dots and spaces ignored).
///
/// Allocates only for a hit: an HS code on neither the CHPL nor the candidate table gives the empty
/// [`Candidates`] (its `hs6` empty too), as does one with fewer than six digits.
pub fn candidates(t: &Tables, hs: &str) -> Candidates {
    let mut buf = [0u8; 16];
    let digits = hs_digits(hs, &mut buf);
    if digits.len() < 6 {
        return Candidates::default();
    }
    let hs6 = &digits[..6];
    let row = longest_row(digits);
    let tier = t.chpl.get(hs6);
    if row.is_none() && tier.is_none() {
        return Candidates::default();
    }
    Candidates {
        chpl_tier: tier.cloned(),
        hs6: hs6.to_string(),
        entries: row.map(|r| r.entries.to_vec()).unwrap_or_default(),
        reason: row.map(|r| r.reason),
    }
}

/// The digits of an HS code (at most 16), in `buf`.
fn hs_digits<'b>(hs: &str, buf: &'b mut [u8; 16]) -> &'b str {
    let mut n = 0;
    for b in hs.bytes().filter(u8::is_ascii_digit) {
        if n == buf.len() {
            break;
        }
        buf[n] = b;
        n += 1;
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[..n]).unwrap_or_default()
}

/// CCL category → HS chapters whose goods it can describe (product groups A, B, C).
pub const CATEGORY_CHAPTERS: [&[u8]; 10] = [
    // 0 nuclear materials, facilities, miscellaneous (600-series military, firearms): broad.
    &[
        25, 26, 28, 29, 36, 38, 39, 40, 42, 61, 62, 63, 64, 65, 73, 76, 81, 84, 85, 86, 87, 88, 89,
        90, 93, 95, 97,
    ],
    // 1 materials, chemicals, microorganisms, toxins (and protective equipment, body armour).
    &[
        25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 38, 39, 40, 54, 55, 56, 59, 61, 62, 63, 65, 68,
        69, 70, 71, 72, 73, 74, 75, 76, 78, 79, 80, 81, 84, 85, 90,
    ],
    // 2 materials processing.
    &[73, 82, 84, 85, 90],
    // 3 electronics (3C: materials, wafers, resists).
    &[28, 29, 37, 38, 39, 70, 71, 81, 84, 85, 90],
    // 4 computers.
    &[84, 85, 90],
    // 5 telecommunications and information security.
    &[84, 85, 90],
    // 6 sensors and lasers (6C: optical materials).
    &[28, 38, 70, 71, 81, 84, 85, 88, 90],
    // 7 navigation and avionics.
    &[84, 85, 88, 90],
    // 8 marine.
    &[39, 40, 84, 85, 89, 90],
    // 9 aerospace and propulsion (9C: composites, propellants).
    &[
        36, 38, 39, 40, 68, 70, 73, 75, 76, 81, 84, 85, 87, 88, 89, 90, 93,
    ],
];

/// Whether an ECCN of `category` and product `group` can plausibly describe goods of HS chapter `chapter`.
pub fn plausible(category: u8, group: char, chapter: u8) -> bool {
    if matches!(group, 'D' | 'E') {
        return chapter == 85 || chapter == 49 || chapter == 84;
    }
    CATEGORY_CHAPTERS
        .get(category as usize)
        .is_some_and(|c| c.contains(&chapter))
}

/// HS chapters a USML category can describe.
pub fn usml_plausible(category: &str, chapter: u8) -> bool {
    let allowed: &[u8] = match category {
        "I" | "II" | "III" => &[93],
        "IV" => &[36, 88, 93],
        "V" => &[28, 29, 36, 38],
        "VI" => &[89],
        "VII" => &[87],
        "VIII" | "XIX" => &[84, 88],
        "X" => &[62, 65, 90],
        "XI" | "XII" | "XV" => &[85, 88, 90],
        _ => return true,
    };
    allowed.contains(&chapter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_rows_name_known_eccns() {
        let t = Tables::embedded();
        for r in CANDIDATES {
            assert!(
                r.hs.len() >= 4 && r.hs.chars().all(|c| c.is_ascii_digit()),
                "{}",
                r.hs
            );
            for e in r.entries {
                assert!(
                    e.starts_with("USML") || *e == "NRC" || t.eccns.contains_key(*e),
                    "{} names unknown {e}",
                    r.hs
                );
            }
        }
    }

    #[test]
    fn longest_prefix_and_chpl() {
        let t = Tables::embedded();
        let c = candidates(t, "8542.31.0001");
        assert_eq!(c.chpl_tier.as_deref(), Some("TIER_1"));
        assert_eq!(c.entries[0], "3A001");
        assert!(c.high_priority());
        assert_eq!(candidates(t, "847330").entries[1], "4A090");
        assert_eq!(candidates(t, "847130").entries[0], "4A003");
        assert!(candidates(t, "610910").is_empty());
        assert!(
            plausible(3, 'A', 85)
                && !plausible(3, 'A', 61)
                && plausible(5, 'D', 85)
                && !plausible(9, 'A', 2)
        );
    }
}
