//! Licence requirement = control entry × destination (transit included) × end use, with the reasons.
//!
//! For a US export of an ECCN the Commerce Country Chart decides first (15 CFR 738.4): every chart column
//! the entry's License Requirements table names (`NS2`, `RS1`, ...) that has an `X` for the destination is
//! a reason ("NS2 applies to 3A001 to China"). Then the rows of [`RULES`] apply in order — embargoes,
//! Part 746 Russia/Belarus, reasons without a chart column (EI, SL, UN, CW), the ITAR, end-use rules of
//! Part 744, and Canada's and Mexico's rules. Each row has its source; `provisional` rows simplify the
//! regulation (named in the row's text) and say so on every finding they produce.
//!
//! Limits, stated on purpose: the chart columns of an ECCN are the union over its paragraphs (3A001.b.2
//! and 3A001.a share one list), so "required" can over-state for a paragraph; licence exceptions are
//! checked by [`crate::licence`], not here; the Part 746 HTS lists other than the CHPL are not in the data.

use serde::Serialize;

use crate::classification::Classification;
use crate::tables::Tables;

/// Whose export rules apply: the agency the filing is made to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Regime {
    US,
    CA,
    MX,
}

/// Declared end uses of concern, recognised in the end-use text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndUse {
    Military,
    Nuclear,
    Missile,
    ChemBio,
}

const END_USE_WORDS: &[(EndUse, &[&str])] = &[
    (
        EndUse::Military,
        &[
            "military",
            "army",
            "armed forces",
            "defence",
            "defense",
            "navy",
            "air force",
            "weapon",
            "munition",
        ],
    ),
    (
        EndUse::Nuclear,
        &[
            "nuclear",
            "enrichment",
            "centrifuge cascade",
            "reprocessing",
            "heavy water",
        ],
    ),
    (
        EndUse::Missile,
        &[
            "missile",
            "rocket",
            "ballistic",
            "uav",
            "drone",
            "unmanned aerial",
        ],
    ),
    (
        EndUse::ChemBio,
        &[
            "chemical weapon",
            "biological weapon",
            "nerve agent",
            "bioweapon",
            "toxin production",
        ],
    ),
];

/// End uses of concern in a declared end-use text.
pub fn end_uses(text: &str) -> Vec<EndUse> {
    // One pass over the text for every word of every use, ignoring ASCII case: no allocation unless a
    // use matches.
    static AC: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<usize>)> =
        std::sync::LazyLock::new(|| {
            let mut group = Vec::new();
            let mut words = Vec::new();
            for (i, (_, ws)) in END_USE_WORDS.iter().enumerate() {
                for w in *ws {
                    group.push(i);
                    words.push(*w);
                }
            }
            let ac = aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(words)
                .expect("static word lists build");
            (ac, group)
        });
    let (ac, group) = &*AC;
    let mut found = [false; 64];
    for m in ac.find_overlapping_iter(text) {
        if let Some(f) = found.get_mut(group[m.pattern().as_usize()]) {
            *f = true;
        }
    }
    END_USE_WORDS
        .iter()
        .enumerate()
        .filter(|(i, _)| found.get(*i).copied().unwrap_or(false))
        .map(|(_, (e, _))| *e)
        .collect()
}

/// Which items a rule covers.
#[derive(Debug, Clone, Copy)]
pub enum Items {
    /// Everything subject to the regime, EAR99 and "not controlled" included.
    All,
    /// Items on a control list (ECCN, USML, ECL).
    Listed,
    /// CHPL items declared EAR99 / not controlled / unclassified.
    ChplUnlisted,
    /// ECCNs whose reasons for control include this one.
    Reason(&'static str),
    /// These ECCNs.
    Entries(&'static [&'static str]),
    Usml,
    /// Canada ECL items of these groups (empty: any group).
    Ecl(&'static [u8]),
    /// A US ECCN declared on a Canadian or Mexican export.
    ForeignEccn,
}

/// Which destinations a rule covers.
#[derive(Debug, Clone, Copy)]
pub enum Dest {
    Anywhere,
    Groups(&'static [&'static str]),
    Countries(&'static [&'static str]),
    GroupsOrCountries(&'static [&'static str], &'static [&'static str]),
    AllExcept(&'static [&'static str]),
    NotInGroup(&'static str),
    /// In any of the first groups and none of the second.
    GroupsExcept(&'static [&'static str], &'static [&'static str]),
    /// Country Chart footnote number on the destination's row.
    ChartFootnote(u8),
    CaAcl,
    CaSanctions,
    /// Under a UN Security Council regime (derived: Canada implements those by UN Act regulations).
    UnSanctions,
}

/// What a rule's match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A licence (permit) is required.
    Required,
    /// The rule may require a licence: an officer must review.
    Review,
}

/// One rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub regime: Regime,
    pub items: Items,
    pub dest: Dest,
    pub end_use: Option<EndUse>,
    /// Reason code shown with the requirement.
    pub code: &'static str,
    pub outcome: Outcome,
    pub text: &'static str,
    pub source: &'static str,
    /// The row simplifies the regulation; findings say so.
    pub provisional: bool,
}

use Dest::*;
use Items::*;
use Outcome::{Required, Review};
use Regime::{CA, MX, US};

macro_rules! rule {
    ($id:literal, $reg:ident, $items:expr, $dest:expr, $eu:expr, $code:literal, $out:ident, $prov:literal, $text:literal, $src:literal) => {
        Rule {
            id: $id,
            regime: $reg,
            items: $items,
            dest: $dest,
            end_use: $eu,
            code: $code,
            outcome: $out,
            text: $text,
            source: $src,
            provisional: $prov,
        }
    };
}

/// The rules beyond the Country Chart, in the order they are reported.
pub const RULES: &[Rule] = &[
    rule!(
        "US-EMBARGO",
        US,
        All,
        Groups(&["E:1", "E:2"]),
        None,
        "EMBARGO",
        Required,
        false,
        "embargoed destination: a licence is required for virtually every item subject to the EAR, EAR99 included",
        "15 CFR 746.2 (Cuba), 746.4 (North Korea), 746.7 (Iran), 746.9 (Syria); Country Chart rows point to Part 746"
    ),
    rule!(
        "US-746.8-CCL",
        US,
        Listed,
        Countries(&["RU", "BY"]),
        None,
        "746.8",
        Required,
        false,
        "Russia and Belarus: a licence is required for every item on the Commerce Control List",
        "15 CFR 746.8(a)(1); Country Chart footnote 6"
    ),
    rule!(
        "US-746.8-HTS",
        US,
        ChplUnlisted,
        Countries(&["RU", "BY"]),
        None,
        "746.8",
        Required,
        true,
        "Russia and Belarus: EAR99 items identified by HTS-6 in Supp. 2 and 4 to Part 746 need a licence; CHPL codes are among them (the supplements' other HTS-6 codes are not in our data)",
        "15 CFR 746.8(a)(2)-(3); CHPL 2024-02-23"
    ),
    rule!(
        "US-EI",
        US,
        Reason("EI"),
        AllExcept(&["CA"]),
        None,
        "EI",
        Required,
        false,
        "encryption items (EI): a licence is required to every destination except Canada; licence exception ENC may apply",
        "15 CFR 742.15(a)"
    ),
    rule!(
        "US-SL",
        US,
        Reason("SL"),
        Anywhere,
        None,
        "SL",
        Required,
        false,
        "surreptitious listening (SL): a licence is required to every destination, Canada included",
        "15 CFR 742.13"
    ),
    rule!(
        "US-UN",
        US,
        Reason("UN"),
        ChartFootnote(1),
        None,
        "UN",
        Required,
        false,
        "United Nations embargo (UN): a licence is required to the destinations of Country Chart footnote 1",
        "15 CFR 746.1(b); Country Chart footnote 1"
    ),
    rule!(
        "US-CW",
        US,
        Reason("CW"),
        AllExcept(&["CA"]),
        None,
        "CW",
        Review,
        true,
        "chemical weapons convention (CW): the requirement depends on the destination's CWC status, not tabulated here",
        "15 CFR 742.18"
    ),
    rule!(
        "US-RS-ADVANCED",
        US,
        Entries(&["3A090", "4A090"]),
        GroupsExcept(&["D:1", "D:4", "D:5"], &["A:5", "A:6"]),
        None,
        "RS",
        Required,
        true,
        "advanced computing items (RS): a licence is required to D:1, D:4 and D:5 destinations not also in A:5 or A:6",
        "15 CFR 742.6(a)(6)(iii), as of 2025; verify against the current rule"
    ),
    rule!(
        "US-FN10",
        US,
        Entries(&[
            "0A501", "0A502", "0A504", "0A505", "0A506", "0A507", "0A508", "0A509", "0D501",
            "0D505", "0E501", "0E504", "0E505"
        ]),
        ChartFootnote(10),
        None,
        "FN10",
        Required,
        true,
        "firearms entries of Country Chart footnote 10 need a licence even to these destinations (the footnote's paragraph exceptions, e.g. 0A501.y, are not evaluated)",
        "15 CFR 738 Supp. 1, footnote 10"
    ),
    rule!(
        "US-ITAR",
        US,
        Usml,
        Anywhere,
        None,
        "ITAR",
        Required,
        true,
        "US Munitions List item: subject to the ITAR, a DDTC licence or exemption is needed for every destination (the Canadian exemption of 22 CFR 126.5 is not evaluated)",
        "22 CFR 123.1"
    ),
    rule!(
        "US-744.21",
        US,
        Listed,
        GroupsOrCountries(&["D:5"], &["BY", "MM", "KH", "NI", "RU", "VE", "MO"]),
        Some(EndUse::Military),
        "744.21",
        Required,
        true,
        "military end use or end user in a 744.21 destination: a licence is required (the rule lists items in Supp. 2 to Part 744; applied here to every CCL item)",
        "15 CFR 744.21"
    ),
    rule!(
        "US-744.2",
        US,
        All,
        NotInGroup("A:1"),
        Some(EndUse::Nuclear),
        "744.2",
        Required,
        true,
        "nuclear end use: a licence is required for any item subject to the EAR (Supp. 3 to Part 744 approximated by group A:1)",
        "15 CFR 744.2"
    ),
    rule!(
        "US-744.3",
        US,
        All,
        NotInGroup("A:2"),
        Some(EndUse::Missile),
        "744.3",
        Required,
        true,
        "missile or UAV delivery-system end use: a licence is required for any item subject to the EAR (exempt destinations approximated by group A:2)",
        "15 CFR 744.3"
    ),
    rule!(
        "US-744.4",
        US,
        All,
        NotInGroup("A:3"),
        Some(EndUse::ChemBio),
        "744.4",
        Required,
        true,
        "chemical or biological weapons end use: a licence is required for any item subject to the EAR (exempt destinations approximated by group A:3)",
        "15 CFR 744.4"
    ),
    rule!(
        "CA-ACL",
        CA,
        All,
        CaAcl,
        None,
        "ACL",
        Required,
        false,
        "Area Control List destination: a permit is required for every good",
        "Export and Import Permits Act s. 7; Area Control List; Notice to Exporters 172 (2010-07-14)"
    ),
    rule!(
        "CA-SANCTIONS-LISTED",
        CA,
        Listed,
        CaSanctions,
        None,
        "SEMA/UNA",
        Required,
        true,
        "Canadian sanctions destination and a controlled item: the sanctions regulation prohibits or requires a permit for most controlled goods",
        "Special Economic Measures Act / United Nations Act regulations (GAC, current sanctions)"
    ),
    rule!(
        "CA-SANCTIONS-CHPL",
        CA,
        ChplUnlisted,
        CaSanctions,
        None,
        "SEMA/UNA",
        Required,
        true,
        "Canadian sanctions destination and a CHPL item: the sanctions regulation prohibits or requires a permit for these goods",
        "Special Economic Measures Act / United Nations Act regulations (GAC, current sanctions)"
    ),
    rule!(
        "CA-SANCTIONS",
        CA,
        All,
        CaSanctions,
        None,
        "SEMA/UNA",
        Review,
        true,
        "Canadian sanctions destination: prohibitions differ by regulation, review the goods against it",
        "Special Economic Measures Act / United Nations Act regulations (GAC, current sanctions)"
    ),
    rule!(
        "CA-ECL",
        CA,
        Ecl(&[]),
        AllExcept(&["US"]),
        None,
        "ECL",
        Required,
        false,
        "Export Control List item: a permit is required to every destination other than the United States (general export permits not evaluated)",
        "Export and Import Permits Act s. 7(1); Export Control List (SOR/89-202)"
    ),
    rule!(
        "CA-ECL-US",
        CA,
        Ecl(&[3, 4, 6, 7]),
        Countries(&["US"]),
        None,
        "ECL",
        Required,
        true,
        "Export Control List item of Group 3, 4, 6 or 7: a permit is required even to the United States",
        "Export Control List (SOR/89-202); groups needing a permit to the US, simplified"
    ),
    rule!(
        "CA-US-ECCN",
        CA,
        ForeignEccn,
        Anywhere,
        None,
        "ECL?",
        Review,
        true,
        "a US ECCN declared on a Canadian export: Canada classifies by ECL item (Group 1 follows the same Wassenaar numbering, e.g. 3A001 ↔ 1-3.A.1)",
        "Export Control List (SOR/89-202)"
    ),
    rule!(
        "MX-LISTED",
        MX,
        Listed,
        Anywhere,
        None,
        "MX-DU",
        Required,
        true,
        "Mexico: dual-use and munitions items need an export permit from the Secretaría de Economía (the tariff-line list of the 2011 Acuerdo is not in our data)",
        "Acuerdo SE (DOF 2011-06-16), export of dual-use goods, software and technologies"
    ),
    rule!(
        "MX-UN",
        MX,
        All,
        UnSanctions,
        None,
        "UNSC",
        Review,
        true,
        "United Nations Security Council sanctions destination: review the goods against the regime",
        "UNSC sanctions regimes (derived from Canada's UN Act regulations)"
    ),
];

/// One reason a licence is (or may be) required.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `NS2`, `EMBARGO`, `746.8`, `EI`, `ECL`...
    pub code: String,
    pub outcome: Outcome,
    /// Plain statement: "NS2 applies to 3A001 to China".
    pub text: String,
    pub source: String,
    pub provisional: bool,
}

/// The licence requirement of one item to one country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    pub entry: String,
    pub country: String,
    /// A country of transit or transshipment, not the destination.
    pub transit: bool,
    pub reasons: Vec<Reason>,
    /// Reasons for control of the entry the data gives no chart column for (e.g. 1A004 RS).
    pub unresolved: Vec<String>,
    /// The entry is not in the CCL index.
    pub unknown_entry: bool,
    /// The country is not in the Country Chart.
    pub unknown_country: bool,
}

impl Requirement {
    /// A licence is required (some reason's outcome is `Required`).
    pub fn required(&self) -> bool {
        self.reasons.iter().any(|r| r.outcome == Required)
    }

    /// Only review reasons.
    pub fn review(&self) -> bool {
        !self.required() && !self.reasons.is_empty()
    }

    /// "NS2 and RS2 apply to 3A001 to China" — the codes of the required reasons, joined.
    pub fn summary(&self, t: &Tables) -> String {
        let codes: Vec<&str> = {
            let mut v: Vec<&str> = Vec::new();
            for r in &self.reasons {
                if !v.contains(&r.code.as_str()) {
                    v.push(&r.code);
                }
            }
            v
        };
        let list = match codes.len() {
            0 => {
                return format!(
                    "no licence required for {} to {}",
                    self.entry,
                    t.name(&self.country)
                );
            }
            1 => codes[0].to_string(),
            n => format!("{} and {}", codes[..n - 1].join(", "), codes[n - 1]),
        };
        let verb = if codes.len() == 1 { "applies" } else { "apply" };
        let via = if self.transit { " (transit)" } else { "" };
        format!(
            "{list} {verb} to {} to {}{via}",
            self.entry,
            t.name(&self.country)
        )
    }
}

/// The facts the requirement depends on, for one item.
#[derive(Debug, Clone, Copy)]
pub struct ItemFacts<'a> {
    /// Declared classification; `None` when absent or unreadable (treated as unclassified).
    pub class: Option<&'a Classification>,
    /// The HS-6 is on the CHPL.
    pub chpl: bool,
}

fn dest_matches(t: &Tables, d: Dest, c: &str) -> bool {
    match d {
        Anywhere => true,
        Groups(g) => g.iter().any(|g| t.in_group(c, g)),
        Countries(l) => l.contains(&c),
        GroupsOrCountries(g, l) => l.contains(&c) || g.iter().any(|g| t.in_group(c, g)),
        AllExcept(l) => !l.contains(&c),
        NotInGroup(g) => !t.in_group(c, g),
        GroupsExcept(g, not) => {
            g.iter().any(|g| t.in_group(c, g)) && !not.iter().any(|g| t.in_group(c, g))
        }
        ChartFootnote(n) => t.chart.get(c).is_some_and(|r| r.footnotes.contains(&n)),
        CaAcl => t.ca_acl.iter().any(|x| x == c),
        CaSanctions => t.ca_sanctions.contains_key(c),
        UnSanctions => t
            .ca_sanctions
            .get(c)
            .is_some_and(|(act, _)| act.contains("UNA")),
    }
}

fn items_match(t: &Tables, i: Items, f: ItemFacts<'_>) -> bool {
    let listed = f.class.is_some_and(Classification::is_listed);
    match i {
        All => true,
        Listed => listed,
        ChplUnlisted => f.chpl && !listed,
        Reason(r) => match f.class {
            Some(Classification::Eccn { entry, .. }) => t
                .eccns
                .get(entry)
                .is_some_and(|e| e.reasons.iter().any(|x| x == r)),
            _ => false,
        },
        Entries(l) => {
            matches!(f.class, Some(Classification::Eccn { entry, .. }) if l.contains(&entry.as_str()))
        }
        Usml => matches!(f.class, Some(Classification::Usml { .. })),
        Ecl(groups) => {
            matches!(f.class, Some(Classification::CaEcl { group, .. }) if groups.is_empty() || groups.contains(group))
        }
        ForeignEccn => matches!(f.class, Some(Classification::Eccn { .. })),
    }
}

/// Whether [`requirement`] could give anything but an empty requirement: a US ECCN (chart columns,
/// unresolved reasons, an entry not on the CCL) or a matching rule. The layer asks this first, so an
/// item that needs nothing costs no allocation.
pub fn may_apply(
    t: &Tables,
    regime: Regime,
    item: ItemFacts<'_>,
    country: &str,
    uses: &[EndUse],
) -> bool {
    if regime == US && matches!(item.class, Some(Classification::Eccn { .. })) {
        return true;
    }
    RULES.iter().filter(|r| r.regime == regime).any(|rule| {
        rule.end_use.is_none_or(|u| uses.contains(&u))
            && items_match(t, rule.items, item)
            && dest_matches(t, rule.dest, country)
    })
}

/// The licence requirement of one item to one country under `regime`.
pub fn requirement(
    t: &Tables,
    regime: Regime,
    item: ItemFacts<'_>,
    country: &str,
    transit: bool,
    uses: &[EndUse],
) -> Requirement {
    let entry = item
        .class
        .map(Classification::label)
        .unwrap_or_else(|| "an unclassified item".into());
    let mut req = Requirement {
        entry: entry.clone(),
        country: country.to_string(),
        transit,
        reasons: Vec::new(),
        unresolved: Vec::new(),
        unknown_entry: false,
        unknown_country: regime == US && !t.chart.contains_key(country) && country != "US",
    };
    let name = t.name(country).to_string();
    if regime == US
        && let Some(Classification::Eccn { entry: e, .. }) = item.class
    {
        match t.eccns.get(e) {
            None => req.unknown_entry = true,
            Some(row) => {
                for col in &row.columns {
                    if t.chart_x(country, col) == Some(true) {
                        req.reasons.push(Reason {
                            code: col.clone(),
                            outcome: Required,
                            text: format!("{col} applies to {e} to {name}"),
                            source: "15 CFR 738 Supp. 1 (Country Chart, eCFR 2026-07-23); 15 CFR 774 Supp. 1".into(),
                            provisional: false,
                        });
                    }
                }
                // A chart reason the entry states but whose column the data does not give.
                for r in &row.reasons {
                    let chart_reason =
                        ["NS", "MT", "NP", "CB", "RS", "CC", "FC"].contains(&r.as_str());
                    if chart_reason && !row.columns.iter().any(|c| c.starts_with(r.as_str())) {
                        req.unresolved.push(r.clone());
                    }
                }
            }
        }
    }
    for rule in RULES.iter().filter(|r| r.regime == regime) {
        if rule.end_use.is_some_and(|u| !uses.contains(&u)) {
            continue;
        }
        if !items_match(t, rule.items, item) || !dest_matches(t, rule.dest, country) {
            continue;
        }
        // A review row adds nothing when a required row of the same code already matched.
        if rule.outcome == Review
            && req
                .reasons
                .iter()
                .any(|r| r.code == rule.code && r.outcome == Required)
        {
            continue;
        }
        let mut text = format!("{}: {} ({} to {name})", rule.code, rule.text, entry);
        if rule.id == "CA-SANCTIONS"
            || rule.id == "CA-SANCTIONS-LISTED"
            || rule.id == "CA-SANCTIONS-CHPL"
        {
            if let Some((act, reg)) = t.ca_sanctions.get(country).filter(|(_, r)| !r.is_empty()) {
                text.push_str(&format!("; {act}: {reg}"));
            }
        }
        req.reasons.push(Reason {
            code: rule.code.into(),
            outcome: rule.outcome,
            text,
            source: rule.source.into(),
            provisional: rule.provisional,
        });
    }
    req
}
