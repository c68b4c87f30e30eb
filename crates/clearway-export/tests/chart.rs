//! The licence requirement and licence matching, as tables of cases: item, destination, end use →
//! licence required or not, with the reasons. Chart cases follow the Commerce Country Chart (15 CFR 738
//! Supp. 1, eCFR 2026-07-23) row by row as 15 CFR 738.4(a) describes its use: the entry's reasons for
//! control, each chart column with an X for the destination is a reason.

use chrono::NaiveDate;
use clearway_export::requirement::{self, EndUse, ItemFacts, Outcome, Regime};
use clearway_export::{Classification, Licence, LicenceBook, LicenceItem, Problem, Tables, Used};

struct Case {
    regime: Regime,
    class: &'static str,
    chpl: bool,
    dest: &'static str,
    uses: &'static [EndUse],
    required: bool,
    /// Reason codes, in order (required and review).
    codes: &'static [&'static str],
    why: &'static str,
}

use EndUse::*;
use Regime::{CA, MX, US};

macro_rules! case {
    ($r:ident, $class:literal, $chpl:literal, $dest:literal, $uses:expr, $req:literal, [$($code:literal),*], $why:literal) => {
        Case { regime: $r, class: $class, chpl: $chpl, dest: $dest, uses: $uses, required: $req, codes: &[$($code),*], why: $why }
    };
}

const CASES: &[Case] = &[
    // The Country Chart: the entry's columns against the destination's row.
    case!(
        US,
        "3A001",
        false,
        "CN",
        &[],
        true,
        ["NP1", "NS1", "NS2", "MT1", "RS1"],
        "China: X in NP1, NS1, NS2, MT1, RS1"
    ),
    case!(
        US,
        "3A001.b.2",
        false,
        "DE",
        &[],
        true,
        ["NS1", "MT1", "RS1"],
        "Germany: X in NS1, MT1, RS1 only"
    ),
    case!(
        US,
        "3A001",
        false,
        "CA",
        &[],
        false,
        [],
        "Canada: no X in the entry's columns"
    ),
    case!(
        US,
        "3A001",
        false,
        "GB",
        &[],
        false,
        [],
        "United Kingdom: only CB1 marked"
    ),
    case!(
        US,
        "3A001",
        false,
        "IN",
        &[],
        true,
        ["NP1", "NS1", "MT1", "RS1"],
        "India: NP1, NS1, MT1, RS1"
    ),
    case!(
        US,
        "3A001",
        false,
        "MX",
        &[],
        true,
        ["NS1", "MT1", "RS1"],
        "Mexico: NS1, MT1, RS1 (its CC and FC marks are not 3A001's columns)"
    ),
    case!(
        US,
        "3A001",
        false,
        "RU",
        &[],
        true,
        ["NP1", "NS1", "NS2", "MT1", "RS1", "746.8"],
        "Russia: the chart and Part 746.8"
    ),
    case!(
        US,
        "3A001",
        false,
        "IR",
        &[],
        true,
        ["EMBARGO"],
        "Iran: no X; the row points to Part 746"
    ),
    case!(
        US,
        "3A002",
        false,
        "DE",
        &[],
        true,
        ["MT1"],
        "3A002 (NS2, MT1): Germany has no NS2 X"
    ),
    case!(
        US,
        "3A002",
        false,
        "TR",
        &[],
        true,
        ["MT1"],
        "Türkiye: NS1 but not NS2"
    ),
    case!(
        US,
        "3A002",
        false,
        "AE",
        &[],
        true,
        ["NS2", "MT1"],
        "UAE: NS2 and MT1"
    ),
    case!(
        US,
        "3A002",
        false,
        "JP",
        &[],
        true,
        ["MT1"],
        "Japan: MT1 is marked"
    ),
    case!(
        US,
        "4A003",
        false,
        "CN",
        &[],
        true,
        ["NS1", "NS2", "CC1"],
        "4A003 to China: NS1, NS2, CC1"
    ),
    case!(
        US,
        "4A003",
        false,
        "VE",
        &[],
        true,
        ["NS1", "NS2", "CC1"],
        "Venezuela: NS1, NS2, CC1"
    ),
    case!(
        US,
        "4A003",
        false,
        "GB",
        &[],
        false,
        [],
        "United Kingdom: none"
    ),
    case!(
        US,
        "6A003",
        false,
        "IN",
        &[],
        true,
        ["NP1", "RS1"],
        "6A003 (NP1, NS2, RS1, RS2) to India: NP1 and RS1"
    ),
    case!(
        US,
        "6A003",
        false,
        "BR",
        &[],
        true,
        ["NS2", "RS1", "RS2"],
        "Brazil: NS2, RS1, RS2 (no NP1)"
    ),
    case!(
        US,
        "1C350",
        false,
        "CN",
        &[],
        true,
        ["CB2", "CW"],
        "CW precursors to China: CB2, and CW to review"
    ),
    case!(
        US,
        "1C350",
        false,
        "DE",
        &[],
        false,
        ["CW"],
        "Germany: no CB2 X; CW left to review"
    ),
    case!(
        US,
        "1C351",
        false,
        "DE",
        &[],
        true,
        ["CB1", "CW"],
        "pathogens: CB1 is marked for Germany; the entry also states CW"
    ),
    case!(
        US,
        "2B001",
        false,
        "PK",
        &[],
        true,
        ["NP1", "NS2"],
        "machine tools to Pakistan: NP1, NS2"
    ),
    case!(
        US,
        "7A003",
        false,
        "JP",
        &[],
        true,
        ["NS1", "MT1"],
        "inertial systems to Japan: NS1, MT1"
    ),
    case!(
        US,
        "9A610",
        false,
        "BR",
        &[],
        true,
        ["NS1", "MT1", "RS1"],
        "military aircraft items to Brazil"
    ),
    case!(
        US,
        "0A501",
        false,
        "CA",
        &[],
        true,
        ["FC1"],
        "firearms to Canada: FC1 is marked for Canada"
    ),
    case!(
        US,
        "0A501",
        false,
        "MX",
        &[],
        true,
        ["NS1", "RS1", "FC1"],
        "firearms to Mexico: NS1, RS1, FC1"
    ),
    case!(
        US,
        "0A501",
        false,
        "GB",
        &[],
        true,
        ["FN10"],
        "firearms to the UK: footnote 10"
    ),
    case!(
        US,
        "0A501",
        false,
        "IQ",
        &[],
        true,
        ["NS1", "RS1", "UN"],
        "firearms to Iraq: NS1, RS1 and UN (footnote 1)"
    ),
    // Reasons without a chart column.
    case!(
        US,
        "5A002",
        false,
        "DE",
        &[],
        true,
        ["NS1", "EI"],
        "encryption to Germany: NS1 and EI"
    ),
    case!(
        US,
        "5A002",
        false,
        "CA",
        &[],
        false,
        [],
        "encryption to Canada: neither NS1 nor EI"
    ),
    case!(
        US,
        "5A001",
        false,
        "CA",
        &[],
        true,
        ["SL"],
        "5A001 (NS, SL): SL applies even to Canada"
    ),
    case!(
        US,
        "3A090",
        false,
        "CN",
        &[],
        true,
        ["RS"],
        "advanced-computing ICs to China (D:1, D:4, D:5)"
    ),
    case!(
        US,
        "3A090",
        false,
        "DE",
        &[],
        false,
        [],
        "advanced-computing ICs to Germany"
    ),
    case!(
        US,
        "3A090",
        false,
        "MO",
        &[],
        true,
        ["RS"],
        "Macau: D:1 and D:4"
    ),
    // AT-only entries and EAR99: embargoes, Part 746.8 and end uses decide.
    case!(
        US,
        "5A992",
        false,
        "CN",
        &[],
        false,
        [],
        "mass-market encryption to China: AT only"
    ),
    case!(
        US,
        "5A992",
        false,
        "RU",
        &[],
        true,
        ["746.8"],
        "every CCL entry to Russia"
    ),
    case!(
        US,
        "5A992",
        false,
        "BY",
        &[],
        true,
        ["746.8"],
        "every CCL entry to Belarus"
    ),
    case!(
        US,
        "5A992",
        false,
        "CU",
        &[],
        true,
        ["EMBARGO"],
        "Cuba (E:2)"
    ),
    case!(US, "EAR99", false, "DE", &[], false, [], "EAR99 to Germany"),
    case!(
        US,
        "EAR99",
        false,
        "CU",
        &[],
        true,
        ["EMBARGO"],
        "EAR99 to Cuba"
    ),
    case!(
        US,
        "EAR99",
        false,
        "KP",
        &[],
        true,
        ["EMBARGO"],
        "EAR99 to North Korea"
    ),
    case!(
        US,
        "EAR99",
        false,
        "SY",
        &[],
        true,
        ["EMBARGO"],
        "EAR99 to Syria"
    ),
    case!(
        US,
        "EAR99",
        true,
        "RU",
        &[],
        true,
        ["746.8"],
        "CHPL item declared EAR99 to Russia"
    ),
    case!(
        US,
        "EAR99",
        false,
        "RU",
        &[],
        false,
        [],
        "other EAR99 to Russia: the Part 746 HTS lists are not in the data"
    ),
    case!(
        US,
        "3A991",
        false,
        "CN",
        &[Military],
        true,
        ["744.21"],
        "military end use in China"
    ),
    case!(
        US,
        "3A991",
        false,
        "DE",
        &[Military],
        false,
        [],
        "military end use in Germany: 744.21 does not apply"
    ),
    case!(
        US,
        "EAR99",
        false,
        "PK",
        &[Nuclear],
        true,
        ["744.2"],
        "nuclear end use in Pakistan: any item"
    ),
    case!(
        US,
        "EAR99",
        false,
        "DE",
        &[Nuclear],
        false,
        [],
        "nuclear end use in Germany (A:1)"
    ),
    case!(
        US,
        "EAR99",
        false,
        "CN",
        &[Missile],
        true,
        ["744.3"],
        "missile end use in China"
    ),
    case!(
        US,
        "USML XI",
        false,
        "GB",
        &[],
        true,
        ["ITAR"],
        "USML to the UK: ITAR"
    ),
    // Canada.
    case!(
        CA,
        "ECL 1-3.A.1",
        false,
        "DE",
        &[],
        true,
        ["ECL"],
        "ECL item to Germany: permit"
    ),
    case!(
        CA,
        "ECL 1-3.A.1",
        false,
        "US",
        &[],
        false,
        [],
        "ECL Group 1 to the US: no permit"
    ),
    case!(
        CA,
        "ECL 7-1",
        false,
        "US",
        &[],
        true,
        ["ECL"],
        "Group 7 to the US: permit"
    ),
    case!(
        CA,
        "NC",
        false,
        "KP",
        &[],
        true,
        ["ACL", "SEMA/UNA"],
        "Area Control List: every good; and the DPRK regulations"
    ),
    case!(
        CA,
        "NC",
        false,
        "RU",
        &[],
        false,
        ["SEMA/UNA"],
        "Russia: sanctions to review"
    ),
    case!(
        CA,
        "ECL 1-3.A.1",
        false,
        "RU",
        &[],
        true,
        ["SEMA/UNA", "ECL"],
        "ECL item to Russia: the sanctions regulation and the ECL"
    ),
    case!(
        CA,
        "NC",
        true,
        "RU",
        &[],
        true,
        ["SEMA/UNA"],
        "CHPL item to Russia"
    ),
    // Mexico.
    case!(
        MX,
        "3A001",
        false,
        "DE",
        &[],
        true,
        ["MX-DU"],
        "dual-use item: Secretaría de Economía permit"
    ),
    case!(MX, "NC", false, "DE", &[], false, [], "not controlled"),
    case!(
        MX,
        "NC",
        false,
        "SO",
        &[],
        false,
        ["UNSC"],
        "Somalia: UN regime to review"
    ),
];

#[test]
fn licence_requirement_table() {
    let t = Tables::embedded();
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for c in CASES {
        let class = Classification::parse(c.class).expect(c.class);
        let r = requirement::requirement(
            t,
            c.regime,
            ItemFacts {
                class: Some(&class),
                chpl: c.chpl,
            },
            c.dest,
            false,
            c.uses,
        );
        let codes: Vec<&str> = r.reasons.iter().map(|x| x.code.as_str()).collect();
        if r.required() != c.required || codes != c.codes {
            failures.push(format!(
                "{:?} {} to {} {:?} ({}): required {} reasons {codes:?}; expected {} {:?}",
                c.regime,
                c.class,
                c.dest,
                c.uses,
                c.why,
                r.required(),
                c.required,
                c.codes
            ));
        }
        // Every reason carries its source; a review-only reason never makes the requirement.
        assert!(r.reasons.iter().all(|x| !x.source.is_empty()));
        if r.reasons.iter().all(|x| x.outcome == Outcome::Review) {
            assert!(!r.required());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_reasons_read_as_the_officer_says_them() {
    let t = Tables::embedded();
    let class = Classification::parse("6A003").unwrap();
    let r = requirement::requirement(
        t,
        Regime::US,
        ItemFacts {
            class: Some(&class),
            chpl: false,
        },
        "BR",
        false,
        &[],
    );
    assert_eq!(r.summary(t), "NS2, RS1 and RS2 apply to 6A003 to Brazil");
    assert_eq!(r.reasons[0].text, "NS2 applies to 6A003 to Brazil");
    let class = Classification::parse("3A002").unwrap();
    let r = requirement::requirement(
        t,
        Regime::US,
        ItemFacts {
            class: Some(&class),
            chpl: false,
        },
        "AE",
        true,
        &[],
    );
    assert_eq!(
        r.summary(t),
        "NS2 and MT1 apply to 3A002 to United Arab Emirates (transit)"
    );
    // An ECCN whose reasons include one the data gives no column for.
    let class = Classification::parse("1A004").unwrap();
    let r = requirement::requirement(
        t,
        Regime::US,
        ItemFacts {
            class: Some(&class),
            chpl: false,
        },
        "CN",
        false,
        &[],
    );
    assert!(r.required());
    // An ECCN that does not exist.
    let class = Classification::parse("3A999").unwrap();
    assert!(
        !requirement::requirement(
            t,
            Regime::US,
            ItemFacts {
                class: Some(&class),
                chpl: false
            },
            "CN",
            false,
            &[]
        )
        .unknown_entry
    );
    let class = Classification::parse("3A777").unwrap();
    assert!(
        requirement::requirement(
            t,
            Regime::US,
            ItemFacts {
                class: Some(&class),
                chpl: false
            },
            "CN",
            false,
            &[]
        )
        .unknown_entry
    );
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn book() -> LicenceBook {
    let mut b = LicenceBook::new(vec![Licence {
        number: "D1234567".into(),
        holder: "ACME PHOTONICS".into(),
        authority: Some("BIS".into()),
        items: vec![
            LicenceItem {
                entry: "3A001.b".into(),
                quantity: Some(100.0),
                value: None,
            },
            LicenceItem {
                entry: "5A002".into(),
                quantity: None,
                value: Some(50_000.0),
            },
        ],
        destinations: vec!["DE".into(), "FR".into()],
        end_users: vec!["Berlin Instruments GmbH".into()],
        valid_from: Some(d("2026-01-01")),
        valid_to: d("2027-12-31"),
    }]);
    b.used.insert(
        ("D1234567".into(), 0),
        Used {
            quantity: 90.0,
            value: 0.0,
        },
    );
    b
}

/// (licence, entry, quantity, value, destination, end user, date) → covered, or the problem codes.
#[allow(clippy::type_complexity)]
const LICENCE_CASES: &[(
    &str,
    &str,
    Option<f64>,
    Option<f64>,
    &str,
    Option<&str>,
    &str,
    &[&str],
)] = &[
    (
        "D1234567",
        "3A001.b.2",
        Some(5.0),
        None,
        "DE",
        Some("BERLIN INSTRUMENTS GMBH"),
        "2026-11-20",
        &[],
    ),
    (
        "D1234567",
        "3A001.b.2",
        Some(10.0),
        None,
        "DE",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &[],
    ),
    (
        "D1234567",
        "3A001.b.2",
        Some(11.0),
        None,
        "DE",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &["EXP-LICENCE-USED-UP"],
    ),
    (
        "D1234567",
        "5A002",
        None,
        Some(50_000.0),
        "FR",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &[],
    ),
    (
        "D1234567",
        "5A002",
        None,
        Some(50_001.0),
        "FR",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &["EXP-LICENCE-USED-UP"],
    ),
    (
        "D1234567",
        "3A001.a",
        Some(1.0),
        None,
        "DE",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &["EXP-LICENCE-ITEM"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(1.0),
        None,
        "AE",
        Some("Berlin Instruments GmbH"),
        "2026-11-20",
        &["EXP-LICENCE-DESTINATION"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        Some("Gulf Star Trading"),
        "2026-11-20",
        &["EXP-LICENCE-END-USER"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        None,
        "2026-11-20",
        &["EXP-LICENCE-END-USER"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        Some("Berlin Instruments GmbH"),
        "2028-01-01",
        &["EXP-LICENCE-EXPIRED"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        Some("Berlin Instruments GmbH"),
        "2025-12-31",
        &["EXP-LICENCE-EXPIRED"],
    ),
    (
        "D1234567",
        "3A001.b",
        Some(20.0),
        None,
        "AE",
        None,
        "2028-01-01",
        &[
            "EXP-LICENCE-EXPIRED",
            "EXP-LICENCE-DESTINATION",
            "EXP-LICENCE-END-USER",
            "EXP-LICENCE-USED-UP",
        ],
    ),
    (
        "D7654321",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        None,
        "2026-11-20",
        &["EXP-LICENCE-NOT-FOUND"],
    ),
    (
        "D 123",
        "3A001.b",
        Some(1.0),
        None,
        "DE",
        None,
        "2026-11-20",
        &["EXP-LICENCE-MALFORMED"],
    ),
];

#[test]
fn licence_matching_table() {
    let b = book();
    for (number, entry, q, v, dest, eu, date, want) in LICENCE_CASES {
        let class = Classification::parse(entry).unwrap();
        let claim = clearway_export::Claim {
            number,
            class: &class,
            quantity: *q,
            value: *v,
            destination: dest,
            end_user: *eu,
            date: d(date),
        };
        let got: Vec<&str> = match b.check(&claim) {
            Ok(_) => vec![],
            Err(p) => p.iter().map(Problem::code).collect(),
        };
        assert_eq!(
            &got, want,
            "{number} {entry} {q:?} {v:?} {dest} {eu:?} {date}"
        );
    }
    let class = Classification::parse("3A001.b.2").unwrap();
    let claim = clearway_export::Claim {
        number: "D1234567",
        class: &class,
        quantity: Some(4.0),
        value: None,
        destination: "DE",
        end_user: Some("Berlin Instruments GmbH"),
        date: d("2026-11-20"),
    };
    let cover = b.check(&claim).unwrap();
    assert_eq!((cover.item, cover.remaining_quantity), (0, Some(6.0)));
    let p = b
        .check(&clearway_export::Claim {
            quantity: Some(11.0),
            ..claim
        })
        .unwrap_err();
    assert_eq!(
        p[0].message(),
        "licence D1234567 (3A001.b): quantity 11 requested, only 10 left"
    );
}
