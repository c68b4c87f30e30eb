//! The export-control layer: the four questions of an export officer on every export filing.
//!
//! For a filing with `direction: export`, per goods item: is it controlled (declared classification,
//! HS candidates), does the destination — and every country of transit — or the end use need a licence
//! ([`crate::requirement`]), does a licence or exception cover it ([`crate::licence`]), and does anything
//! look like diversion ([`crate::flags`]).
//!
//! | code | when | kind | default weight | action |
//! |---|---|---|---|---|
//! | `EXP-SUMMARY` | every export filing with goods: each item's answers | info | 0 | — |
//! | `EXP-UNKNOWN-CLASSIFICATION` | a classification that cannot be read, or an ECCN not on the CCL | data quality | 10 | document-check |
//! | `EXP-ECCN-HS-MISMATCH` | the ECCN's (or USML) category cannot describe the HS chapter | data quality | 10 | document-check |
//! | `EXP-NO-DESTINATION` | no destination and no ultimate consignee country | data quality | 10 | document-check |
//! | `EXP-POSSIBLY-CONTROLLED` | HS on the CHPL or with candidates, declared EAR99 / NC / nothing | compliance | 15 | document-check |
//! | `EXP-POSSIBLY-CONTROLLED` | the same, CHPL tier 1–2, to a restricted destination or through / to a transshipment country | security | 40 | hold |
//! | `EXP-LICENCE-REQUIRED` | a licence is required, none and no valid exception declared | security | 40 | hold |
//! | `EXP-LICENCE-REVIEW` | a rule may require a licence (review outcome only) | compliance | 10 | document-check |
//! | `EXP-LICENCE-NOT-FOUND`, `-EXPIRED`, `-DESTINATION`, `-END-USER`, `-ITEM`, `-USED-UP`, `-MALFORMED` | the declared licence does not cover the item | security | 40 | hold |
//! | `EXP-LICENCE-COVERED` | a licence item covers the goods item: balance before and after, and the draw the store makes on commit | info | 0 | — |
//! | `EXP-EXCEPTION-INELIGIBLE` | a licence exception not available for the destination, value or item | security | 40 | hold |
//! | `EXP-TRANSSHIPMENT` | a controlled or CHPL item routed through a transshipment country toward a restricted destination | security | 40 | hold |
//! | `EXP-FORWARDER-CONSIGNEE` | a controlled or CHPL item; ultimate consignee a forwarder or trading company, no end use | security | 25 | document-check |
//! | `EXP-ADDRESS` | ultimate consignee or end user at a post box or residence, controlled or CHPL item | compliance | 10 | document-check |
//! | `EXP-END-USE-MISMATCH` | a controlled or CHPL item; end use or consignee business unrelated (bakery...) | compliance | 20 | document-check |
//! | `EXP-VAGUE-END-USE` | a controlled or CHPL item with no or a vague end use | compliance | 10 | document-check |
//! | `EXP-LONG-ROUTE` | a controlled or CHPL item through three or more intermediate countries | compliance | 10 | document-check |
//!
//! Every weight is overridable per code ([`clearway_engine::Config::weight`]). "Restricted" means
//! EAR groups E:1/E:2, Russia, Belarus and Canada's Area Control List. Licence findings are security
//! findings, so trust never offsets them. Not done here: "a consignee first seen recently" (needs the
//! entity history the service holds) and "resembles a listed party" (the party-screening layer screens
//! every party, the ultimate consignee, intermediate consignees and end user included).

use chrono::NaiveDate;
use clearway_core::{
    Action, AgencyCountry, Direction, Filing, FilingStatus, Finding, FindingKind, GoodsItem, Role,
};
use clearway_engine::{Context, Layer};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::classification::Classification;
use crate::flags::{self, Guidance};
use crate::goods::{self, Candidates};
use crate::licence::{Claim, Cover, LicenceBook};
use crate::requirement::{self, EndUse, ItemFacts, Outcome, Regime, Requirement};
use crate::tables::Tables;

const LAYER: &str = "export-control";

/// Licence exceptions this layer knows (EAR part 740, plus NLR); the first group is checked.
const EXCEPTIONS: &[&str] = &[
    "NLR", "LVS", "GBS", "ENC", "STA", "TMP", "RPL", "GOV", "GFT", "TSU", "BAG", "AVS", "APR",
    "CIV", "TSR", "APP", "ACE", "SCP", "IEC", "CCD", "AGR", "NAC", "ACA", "MED",
];

/// The export-control layer. Holds the licence registry snapshot it matches against.
#[derive(Default)]
pub struct ExportControl {
    book: LicenceBook,
}

impl ExportControl {
    /// A layer matching licences against `book` (the registry and balances at load time).
    pub fn new(book: LicenceBook) -> Self {
        ExportControl { book }
    }
}

/// The export-control regime of the administration the filing is made to; `None` for one whose
/// rules are not tabulated (the layer then says nothing).
fn regime(c: AgencyCountry) -> Option<Regime> {
    #[allow(unreachable_patterns)] // `AgencyCountry` gains other administrations (issue 20).
    match c {
        AgencyCountry::US => Some(Regime::US),
        AgencyCountry::CA => Some(Regime::CA),
        AgencyCountry::MX => Some(Regime::MX),
        _ => None,
    }
}

/// Destination: declared, else the ultimate consignee's, else the consignee's, else the end user's country.
pub fn destination(f: &Filing) -> Option<String> {
    destination_of(f).map(Cow::into_owned)
}

/// A country code trimmed and in capitals, borrowed when it already is.
fn upper(c: &str) -> Cow<'_, str> {
    let c = c.trim();
    if c.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(c.to_ascii_uppercase())
    } else {
        Cow::Borrowed(c)
    }
}

/// [`destination`], borrowed from the filing when it can be.
fn destination_of(f: &Filing) -> Option<Cow<'_, str>> {
    let declared = f.export.as_ref().and_then(|e| e.destination.as_deref());
    let party_country = |r: Role| {
        f.party(r).and_then(|p| {
            p.country
                .as_deref()
                .or_else(|| p.address.as_ref().and_then(|a| a.country.as_deref()))
        })
    };
    declared
        .or_else(|| party_country(Role::UltimateConsignee))
        .or_else(|| party_country(Role::Consignee))
        .or_else(|| party_country(Role::EndUser))
        .map(upper)
}

fn restricted(t: &Tables, c: &str) -> bool {
    t.in_group(c, "E:1")
        || t.in_group(c, "E:2")
        || c == "RU"
        || c == "BY"
        || t.ca_acl.iter().any(|x| x == c)
}

fn export_date(f: &Filing) -> Option<NaiveDate> {
    let t = &f.times;
    t.departure
        .or(t.loading)
        .or(t.filed_at)
        .map(|d| d.date_naive())
}

fn guidance(g: &Guidance) -> serde_json::Value {
    json!({"id": g.id, "text": g.text, "source": g.source})
}

/// The four answers for one goods item, as the `EXP-SUMMARY` finding lists them (`items`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub goods_item: usize,
    /// The declared classification, as read (`None`: none declared or unreadable).
    pub classification: Option<String>,
    pub chpl_tier: Option<String>,
    /// Candidate control entries of the HS code.
    pub candidates: Vec<String>,
    /// Why a licence is required, per destination or transit country ("NS1 and RS1 apply to 3A001 to X").
    pub licence_required: Vec<String>,
    /// Rules that may require one (review).
    pub review: Vec<String>,
    /// "not needed", "licence L item N", "no licence", "exception X ...", "review".
    pub covered_by: String,
    /// Reasons for control the country chart gives no column for.
    pub unresolved_reasons: Vec<String>,
}

impl ItemSummary {
    /// The items of an `EXP-SUMMARY` finding; `None` for any other finding.
    pub fn from_summary(f: &Finding) -> Option<Vec<ItemSummary>> {
        if f.layer != LAYER || f.code != "EXP-SUMMARY" {
            return None;
        }
        serde_json::from_value(f.evidence.get("items")?.clone()).ok()
    }
}

/// One goods item, as assessed.
struct Item<'a> {
    no: usize,
    g: &'a GoodsItem,
    class: Option<Classification>,
    cand: Candidates,
}

impl Item<'_> {
    fn listed(&self) -> bool {
        self.class.as_ref().is_some_and(Classification::is_listed)
    }
    /// Controlled or high-priority: what the red flags are about.
    fn sensitive(&self) -> bool {
        self.listed() || self.cand.chpl_tier.is_some()
    }
}

impl Layer for ExportControl {
    fn name(&self) -> &'static str {
        LAYER
    }

    fn fingerprint(&self) -> String {
        format!(
            "tables {} licences {}",
            Tables::fingerprint(),
            self.book.fingerprint()
        )
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if f.direction != Direction::Export
            || f.status == FilingStatus::Cancellation
            || f.goods.is_empty()
        {
            return;
        }
        let t = Tables::embedded();
        let cfg = ctx.config;
        let w = |code: &str, default: f64| cfg.weight(code, default);
        let Some(regime) = regime(f.country) else {
            return;
        };
        let facts = f.export.as_ref();
        let end_use_text = facts.and_then(|e| e.end_use.as_deref());
        let uses: Vec<EndUse> = end_use_text.map(requirement::end_uses).unwrap_or_default();
        let dest = destination_of(f);
        let origin = f.country.as_str();
        let transit: Vec<Cow<'_, str>> = {
            let mut v: Vec<Cow<'_, str>> = Vec::new();
            for c in &f.itinerary.routing {
                let c = upper(c);
                if c != origin && Some(&c) != dest.as_ref() && !v.contains(&c) {
                    v.push(c);
                }
            }
            v
        };
        let end_user = f
            .party(Role::EndUser)
            .or(f.party(Role::UltimateConsignee))
            .map(|p| p.name.as_str());
        let date = export_date(f);

        let items: Vec<Item<'_>> = f
            .goods
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let declared = g.export.as_ref().and_then(|e| e.classification.as_deref());
                let class = match declared.map(Classification::parse) {
                    Some(Ok(c)) => Some(c),
                    Some(Err(e)) => {
                        out.push(
                            Finding::new(
                                LAYER,
                                "EXP-UNKNOWN-CLASSIFICATION",
                                FindingKind::DataQuality,
                                w("EXP-UNKNOWN-CLASSIFICATION", 10.0),
                                e.to_string(),
                            )
                            .with("goods_item", i + 1)
                            .with("classification", declared.unwrap_or_default())
                            .action(Action::DocumentCheck),
                        );
                        None
                    }
                    None => None,
                };
                let cand = g
                    .hs_code
                    .as_deref()
                    .map(|h| goods::candidates(t, h))
                    .unwrap_or_default();
                Item {
                    no: i + 1,
                    g,
                    class,
                    cand,
                }
            })
            .collect();

        let Some(dest) = dest else {
            if items.iter().any(Item::sensitive) {
                out.push(
                    Finding::new(LAYER, "EXP-NO-DESTINATION", FindingKind::DataQuality, w("EXP-NO-DESTINATION", 10.0),
                        "Export of a controlled or high-priority item with no destination and no ultimate consignee country: the licence requirement cannot be determined")
                    .action(Action::DocumentCheck),
                );
            }
            return;
        };
        // Hubs on the way: transit countries, and the destination itself when the route goes on from it.
        let via_hub: Vec<&str> = transit
            .iter()
            .chain(std::iter::once(&dest).filter(|_| !transit.is_empty()))
            .map(|c| c.as_ref())
            .filter(|c| t.transshipment.contains_key(*c) && !restricted(t, c))
            .collect();
        let toward_restricted = restricted(t, &dest) || transit.iter().any(|c| restricted(t, c));

        let mut summary: Vec<ItemSummary> = Vec::new();
        let mut drawn: Vec<clearway_core::licence::Draw> = Vec::new();
        for it in &items {
            // Question 1: is it controlled?
            self.classification_checks(it, t, &w, out);
            let declared_free = !it.listed();
            if declared_free && !it.cand.is_empty() {
                let hot = it.cand.high_priority()
                    && (restricted(t, &dest)
                        || t.transshipment.contains_key(dest.as_ref())
                        || !via_hub.is_empty());
                let declared = it
                    .class
                    .as_ref()
                    .map(Classification::label)
                    .unwrap_or_else(|| "nothing".into());
                let mut msg = format!(
                    "Goods item {} (HS {}) declared as {declared} but ",
                    it.no, it.cand.hs6
                );
                if let Some(tier) = &it.cand.chpl_tier {
                    msg.push_str(&format!("on the Common High Priority List ({tier})"));
                    if !it.cand.entries.is_empty() {
                        msg.push_str(" and ");
                    }
                }
                if !it.cand.entries.is_empty() {
                    msg.push_str(&format!(
                        "possibly controlled as {}",
                        it.cand.entries.join(", ")
                    ));
                }
                let mut fi = if hot {
                    msg.push_str(&format!(" — high-priority item toward {}", t.name(&dest)));
                    Finding::new(
                        LAYER,
                        "EXP-POSSIBLY-CONTROLLED",
                        FindingKind::Security,
                        w("EXP-POSSIBLY-CONTROLLED-HIGH", 40.0),
                        msg,
                    )
                    .action(Action::Hold)
                } else {
                    Finding::new(
                        LAYER,
                        "EXP-POSSIBLY-CONTROLLED",
                        FindingKind::Compliance,
                        w("EXP-POSSIBLY-CONTROLLED", 15.0),
                        msg,
                    )
                    .action(Action::DocumentCheck)
                };
                fi = fi
                    .with("goods_item", it.no)
                    .with("hs6", it.cand.hs6.clone())
                    .with("candidates", json!(it.cand.entries))
                    .with("candidate_source", goods::CANDIDATES_SOURCE);
                if let Some(r) = it.cand.reason {
                    fi = fi.with("reason", r);
                }
                if let Some(tier) = &it.cand.chpl_tier {
                    fi = fi
                        .with("chpl_tier", tier.clone())
                        .with("chpl_source", "BIS Common High Priority List, 2024-02-23");
                }
                out.push(fi);
            }

            // Question 2: does the destination, a transit country or the end use need a licence?
            let facts = ItemFacts {
                class: it.class.as_ref(),
                chpl: it.cand.chpl_tier.is_some(),
            };
            // Only an item some rule may apply to builds a requirement (and allocates).
            let mut reqs: Vec<Requirement> = Vec::new();
            if requirement::may_apply(t, regime, facts, &dest, &uses) {
                reqs.push(requirement::requirement(
                    t, regime, facts, &dest, false, &uses,
                ));
            }
            let unknown_entry = reqs.first().is_some_and(|r| r.unknown_entry);
            for c in &transit {
                if requirement::may_apply(t, regime, facts, c, &uses) {
                    let r = requirement::requirement(t, regime, facts, c, true, &uses);
                    if !r.reasons.is_empty() {
                        reqs.push(r);
                    }
                }
            }
            if let Some(Classification::Eccn { entry, .. }) = &it.class
                && unknown_entry
            {
                out.push(
                    Finding::new(LAYER, "EXP-UNKNOWN-CLASSIFICATION", FindingKind::DataQuality, w("EXP-UNKNOWN-CLASSIFICATION", 10.0),
                        format!("Goods item {}: ECCN {entry} is not on the Commerce Control List (index of 2026-07-23)", it.no))
                    .with("goods_item", it.no)
                    .with("classification", entry.clone())
                    .action(Action::DocumentCheck),
                );
            }
            let required: Vec<&Requirement> = reqs.iter().filter(|r| r.required()).collect();
            let review: Vec<&Requirement> = reqs.iter().filter(|r| r.review()).collect();

            // Question 3: is there a licence or exception that covers it?
            let ge = it.g.export.as_ref();
            let licence = ge
                .and_then(|e| e.licence.as_deref())
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let exception = ge
                .and_then(|e| e.licence_exception.as_deref())
                .map(upper)
                .filter(|s| !s.is_empty());
            let mut covered: Cow<'static, str> = Cow::Borrowed("not needed");
            if !required.is_empty() {
                let reasons_json = json!(
                    required
                        .iter()
                        .flat_map(|r| r.reasons.iter().filter(|x| x.outcome == Outcome::Required))
                        .collect::<Vec<_>>()
                );
                let summaries: Vec<String> = required.iter().map(|r| r.summary(t)).collect();
                let provisional = required
                    .iter()
                    .flat_map(|r| &r.reasons)
                    .any(|r| r.provisional);
                if let Some(number) = licence {
                    match (&it.class, date) {
                        (Some(class), Some(date)) => {
                            let claim = Claim {
                                number,
                                class,
                                quantity: it.g.quantity,
                                value: it.g.value,
                                destination: &dest,
                                end_user,
                                date,
                            };
                            // Balances: the caller's (else the book's), less what earlier goods
                            // items of this filing drew.
                            let checked = self.book.check_with(&claim, |n, i| {
                                let mut u = match ctx.licence_used {
                                    Some(b) => b.get(&(n.to_string(), i)).copied(),
                                    None => self.book.used.get(&(n.to_string(), i)).copied(),
                                }
                                .unwrap_or_default();
                                for d in drawn.iter().filter(|d| d.number == n && d.item == i) {
                                    u.quantity += d.quantity;
                                    u.value += d.value;
                                }
                                u
                            });
                            match checked {
                                Ok(cover) => {
                                    covered =
                                        format!("licence {} item {}", cover.number, cover.item + 1)
                                            .into();
                                    let fi = covered_finding(it, &cover, &summaries);
                                    drawn.extend(clearway_core::licence::Draw::from_finding(&fi));
                                    out.push(fi);
                                }
                                Err(problems) => {
                                    covered = "licence does not cover".into();
                                    for p in problems {
                                        out.push(
                                            Finding::new(
                                                LAYER,
                                                p.code(),
                                                FindingKind::Security,
                                                w(p.code(), 40.0),
                                                format!(
                                                    "Goods item {}: {} — {}",
                                                    it.no,
                                                    p.message(),
                                                    summaries.join("; ")
                                                ),
                                            )
                                            .with("goods_item", it.no)
                                            .with(
                                                "problem",
                                                serde_json::to_value(&p).unwrap_or_default(),
                                            )
                                            .with("reasons", reasons_json.clone())
                                            .action(Action::Hold),
                                        );
                                    }
                                }
                            }
                        }
                        _ => {
                            covered = "licence cannot be checked".into();
                            out.push(
                                Finding::new(LAYER, "EXP-LICENCE-REQUIRED", FindingKind::Security, w("EXP-LICENCE-REQUIRED", 40.0),
                                    format!("Goods item {}: licence {number} declared but the item's classification or the export date is missing — {}", it.no, summaries.join("; ")))
                                .with("goods_item", it.no)
                                .with("reasons", reasons_json.clone())
                                .action(Action::Hold),
                            );
                        }
                    }
                } else if let Some(ex) = exception.as_deref().filter(|e| *e != "NLR") {
                    match self.exception_problem(t, ex, it, &dest, &required) {
                        None => covered = format!(
                            "exception {ex} (conditions not verified beyond destination and value)"
                        )
                        .into(),
                        Some(why) => {
                            covered = format!("exception {ex} not available").into();
                            out.push(
                                Finding::new(
                                    LAYER,
                                    "EXP-EXCEPTION-INELIGIBLE",
                                    FindingKind::Security,
                                    w("EXP-EXCEPTION-INELIGIBLE", 40.0),
                                    format!(
                                        "Goods item {}: licence exception {ex} {why} — {}",
                                        it.no,
                                        summaries.join("; ")
                                    ),
                                )
                                .with("goods_item", it.no)
                                .with("exception", ex)
                                .with("reasons", reasons_json.clone())
                                .action(Action::Hold),
                            );
                        }
                    }
                } else {
                    covered = "no licence".into();
                    let claimed = if exception.as_deref() == Some("NLR") {
                        " (declared NLR)"
                    } else {
                        ""
                    };
                    let mut fi = Finding::new(
                        LAYER,
                        "EXP-LICENCE-REQUIRED",
                        FindingKind::Security,
                        w("EXP-LICENCE-REQUIRED", 40.0),
                        format!(
                            "Goods item {}: licence required and none declared{claimed} — {}",
                            it.no,
                            summaries.join("; ")
                        ),
                    )
                    .with("goods_item", it.no)
                    .with("entry", required[0].entry.clone())
                    .with("destination", dest.to_string())
                    .with("reasons", reasons_json)
                    .action(Action::Hold);
                    if provisional {
                        fi = fi.with("provisional", true);
                    }
                    out.push(fi);
                }
            } else if !review.is_empty() {
                covered = "review".into();
                let reasons: Vec<_> = review.iter().flat_map(|r| r.reasons.iter()).collect();
                out.push(
                    Finding::new(
                        LAYER,
                        "EXP-LICENCE-REVIEW",
                        FindingKind::Compliance,
                        w("EXP-LICENCE-REVIEW", 10.0),
                        format!(
                            "Goods item {}: a licence may be required — {}",
                            it.no,
                            reasons
                                .iter()
                                .map(|r| r.text.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    )
                    .with("goods_item", it.no)
                    .with("reasons", json!(reasons))
                    .action(Action::DocumentCheck),
                );
            } else if let Some(number) = licence
                && !crate::licence::valid_number(number)
            {
                out.push(
                    Finding::new(
                        LAYER,
                        "EXP-LICENCE-MALFORMED",
                        FindingKind::DataQuality,
                        w("EXP-LICENCE-MALFORMED-DQ", 10.0),
                        format!(
                            "Goods item {}: licence number {number:?} is malformed",
                            it.no
                        ),
                    )
                    .with("goods_item", it.no)
                    .action(Action::DocumentCheck),
                );
            }
            // Listed: every item with something to report (an HS candidate for an item declared not
            // controlled, a licence required or to review, a licence or exception declared); the rest —
            // EAR99 goods, or a listed item that needs no licence to this destination — cost nothing.
            let interesting = (declared_free && !it.cand.is_empty())
                || reqs
                    .iter()
                    .any(|r| !r.reasons.is_empty() || !r.unresolved.is_empty())
                || licence.is_some()
                || exception.as_deref().is_some_and(|e| e != "NLR");
            if !interesting {
                continue;
            }
            summary.push(ItemSummary {
                goods_item: it.no,
                classification: it.class.as_ref().map(Classification::label),
                chpl_tier: it.cand.chpl_tier.clone(),
                candidates: it.cand.entries.iter().map(|e| e.to_string()).collect(),
                licence_required: required.iter().map(|r| r.summary(t)).collect(),
                review: review.iter().map(|r| r.summary(t)).collect(),
                covered_by: covered.into_owned(),
                unresolved_reasons: reqs
                    .iter()
                    .flat_map(|r| r.unresolved.iter().cloned())
                    .collect(),
            });
        }

        // Question 4: does anything look like diversion?
        let sensitive: Vec<usize> = items
            .iter()
            .filter(|i| i.sensitive())
            .map(|i| i.no)
            .collect();
        if !sensitive.is_empty() {
            self.red_flags(
                f,
                t,
                &dest,
                &transit,
                &via_hub,
                toward_restricted,
                &sensitive,
                &w,
                out,
            );
        }

        if summary.is_empty() {
            return;
        }
        let mut s = Finding::new(
            LAYER,
            "EXP-SUMMARY",
            FindingKind::Info,
            0.0,
            format!(
                "Export to {} ({} item{}): {} controlled or high-priority, {} needing a licence",
                t.name(&dest),
                items.len(),
                if items.len() == 1 { "" } else { "s" },
                sensitive.len(),
                summary
                    .iter()
                    .filter(|s| !s.licence_required.is_empty())
                    .count(),
            ),
        )
        .with("regime", format!("{regime:?}"))
        .with("destination", dest.clone())
        .with("transit", json!(transit))
        .with("items", serde_json::to_value(&summary).unwrap_or_default());
        if !uses.is_empty() {
            s = s.with("end_uses", json!(uses));
        }
        out.push(s);
    }
}

impl ExportControl {
    fn classification_checks(
        &self,
        it: &Item<'_>,
        _t: &Tables,
        w: &dyn Fn(&str, f64) -> f64,
        out: &mut Vec<Finding>,
    ) {
        let Some(hs) = it.g.hs_code.as_deref() else {
            return;
        };
        let digits: String = hs.chars().filter(char::is_ascii_digit).collect();
        let Some(chapter) = digits.get(..2).and_then(|c| c.parse::<u8>().ok()) else {
            return;
        };
        let fits = match &it.class {
            Some(Classification::Eccn {
                category, group, ..
            }) => goods::plausible(*category, *group, chapter),
            Some(Classification::Usml { category }) => goods::usml_plausible(category, chapter),
            _ => true,
        };
        if !fits && let Some(c) = &it.class {
            out.push(
                Finding::new(
                    LAYER,
                    "EXP-ECCN-HS-MISMATCH",
                    FindingKind::DataQuality,
                    w("EXP-ECCN-HS-MISMATCH", 10.0),
                    format!(
                        "Goods item {}: {} cannot describe goods of HS chapter {chapter:02} ({hs})",
                        it.no,
                        c.label()
                    ),
                )
                .with("goods_item", it.no)
                .with("classification", c.label())
                .with("hs_chapter", chapter)
                .action(Action::DocumentCheck),
            );
        }
    }

    /// Why a claimed licence exception does not apply, if it does not.
    fn exception_problem(
        &self,
        t: &Tables,
        ex: &str,
        it: &Item<'_>,
        dest: &str,
        required: &[&Requirement],
    ) -> Option<String> {
        if !EXCEPTIONS.contains(&ex) {
            return Some("is not a known licence exception symbol".into());
        }
        if t.in_group(dest, "E:1") || t.in_group(dest, "E:2") {
            return Some(format!("is not available to embargoed {}", t.name(dest)));
        }
        let codes: Vec<&str> = required
            .iter()
            .flat_map(|r| r.reasons.iter().map(|x| x.code.as_str()))
            .collect();
        let eccn = match &it.class {
            Some(Classification::Eccn { entry, .. }) => t.eccns.get(entry),
            _ => None,
        };
        let only_ns = codes.iter().all(|c| c.starts_with("NS"));
        match ex {
            "GBS" => {
                if !t.in_group(dest, "B") {
                    return Some(format!(
                        "requires a Country Group B destination; {} is not",
                        t.name(dest)
                    ));
                }
                if !only_ns || !eccn.is_some_and(|e| e.gbs.starts_with("Yes")) {
                    return Some(format!(
                        "applies only to GBS-eligible items controlled for NS alone (reasons: {})",
                        codes.join(", ")
                    ));
                }
            }
            "LVS" => {
                if !t.in_group(dest, "B") {
                    return Some(format!(
                        "requires a Country Group B destination; {} is not",
                        t.name(dest)
                    ));
                }
                let limit = eccn
                    .and_then(|e| {
                        e.lvs
                            .trim_start_matches('$')
                            .split(|c: char| !c.is_ascii_digit() && c != ',')
                            .next()
                            .map(|s| s.replace(',', ""))
                    })
                    .and_then(|s| s.parse::<f64>().ok());
                match (limit, it.g.value) {
                    (None, _) => {
                        return Some("is not available for this entry (no LVS value)".into());
                    }
                    (Some(l), Some(v)) if v > l => {
                        return Some(format!("limit is ${l} and the item is worth {v}"));
                    }
                    _ => {}
                }
                if !only_ns {
                    return Some(format!(
                        "applies only to items controlled for NS alone (reasons: {})",
                        codes.join(", ")
                    ));
                }
            }
            "ENC" => {
                if !eccn.is_some_and(|e| e.reasons.iter().any(|r| r == "EI")) {
                    return Some("applies only to encryption (EI) items".into());
                }
            }
            "STA" => {
                if !t.in_group(dest, "A:5") {
                    return Some(format!(
                        "requires a Country Group A:5 destination; {} is not",
                        t.name(dest)
                    ));
                }
            }
            _ => {}
        }
        if codes.iter().any(|c| {
            [
                "746.8", "744.21", "744.2", "744.3", "744.4", "ITAR", "ACL", "SEMA/UNA",
            ]
            .contains(c)
        }) {
            return Some(format!(
                "does not overcome {}",
                codes
                    .iter()
                    .filter(|c| [
                        "746.8", "744.21", "744.2", "744.3", "744.4", "ITAR", "ACL", "SEMA/UNA"
                    ]
                    .contains(c))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn red_flags(
        &self,
        f: &Filing,
        t: &Tables,
        dest: &str,
        transit: &[Cow<'_, str>],
        via_hub: &[&str],
        toward_restricted: bool,
        sensitive: &[usize],
        w: &dyn Fn(&str, f64) -> f64,
        out: &mut Vec<Finding>,
    ) {
        let facts = f.export.as_ref();
        let end_use = facts.and_then(|e| e.end_use.as_deref());
        if !via_hub.is_empty() && toward_restricted {
            let restricted_on_route: Vec<&str> = std::iter::once(dest)
                .chain(transit.iter().map(|c| c.as_ref()))
                .filter(|c| restricted(t, c))
                .collect();
            out.push(
                Finding::new(
                    LAYER,
                    "EXP-TRANSSHIPMENT",
                    FindingKind::Security,
                    w("EXP-TRANSSHIPMENT", 40.0),
                    format!(
                        "Controlled or high-priority goods routed through {} toward {}",
                        via_hub
                            .iter()
                            .map(|c| t.transshipment.get(*c).map(String::as_str).unwrap_or(c))
                            .collect::<Vec<_>>()
                            .join(", "),
                        restricted_on_route
                            .iter()
                            .map(|c| t.name(c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with("goods_items", json!(sensitive))
                .with("transshipment_countries", json!(via_hub))
                .with("routing", json!(f.itinerary.routing))
                .with("guidance", guidance(&flags::TRANSSHIPMENT_POINTS))
                .action(Action::Hold),
            );
        }
        let uc = f
            .party(Role::UltimateConsignee)
            .or(f.party(Role::Consignee));
        if let Some(uc) = uc {
            let business = facts.and_then(|e| e.consignee_business.as_deref());
            let is_forwarder = f
                .parties_with(Role::FreightForwarder)
                .any(|p| !p.name.is_empty() && p.name.eq_ignore_ascii_case(&uc.name));
            let word = business
                .and_then(flags::forwarder_like)
                .or_else(|| flags::forwarder_like(&uc.name));
            if (is_forwarder || word.is_some()) && flags::vague_end_use(end_use) {
                out.push(
                    Finding::new(LAYER, "EXP-FORWARDER-CONSIGNEE", FindingKind::Security, w("EXP-FORWARDER-CONSIGNEE", 25.0), format!(
                        "Ultimate consignee {:?} is a freight forwarder or trading company and no end use is stated", uc.name))
                    .with("consignee", uc.name.clone())
                    .with("matched", word.unwrap_or("freight-forwarder role"))
                    .with("goods_items", json!(sensitive))
                    .with("guidance", guidance(&flags::FORWARDER_DESTINATION))
                    .action(Action::DocumentCheck),
                );
            }
        }
        for role in [Role::UltimateConsignee, Role::EndUser] {
            for p in f.parties_with(role) {
                if let Some((kind, word)) = p
                    .address
                    .as_ref()
                    .and_then(|a| a.street.as_deref())
                    .and_then(flags::address_flag)
                {
                    out.push(
                        Finding::new(
                            LAYER,
                            "EXP-ADDRESS",
                            FindingKind::Compliance,
                            w("EXP-ADDRESS", 10.0),
                            format!(
                                "{} {:?} gives a {kind} as its address",
                                role.as_str(),
                                p.name
                            ),
                        )
                        .with("party", p.name.clone())
                        .with("role", role.as_str())
                        .with("matched", word)
                        .with("guidance", guidance(&flags::ADDRESS))
                        .action(Action::DocumentCheck),
                    );
                }
            }
        }
        let business = facts.and_then(|e| e.consignee_business.as_deref());
        if let Some((text, word)) = [end_use, business]
            .into_iter()
            .flatten()
            .find_map(|t| flags::unrelated_business(t).map(|w| (t, w)))
        {
            out.push(
                Finding::new(LAYER, "EXP-END-USE-MISMATCH", FindingKind::Compliance, w("EXP-END-USE-MISMATCH", 20.0), format!(
                    "Controlled or high-priority goods for a buyer or end use unrelated to them ({text:?})"))
                .with("matched", word)
                .with("goods_items", json!(sensitive))
                .with("guidance", guidance(&flags::LINE_OF_BUSINESS))
                .action(Action::DocumentCheck),
            );
        } else if flags::vague_end_use(end_use) {
            out.push(
                Finding::new(
                    LAYER,
                    "EXP-VAGUE-END-USE",
                    FindingKind::Compliance,
                    w("EXP-VAGUE-END-USE", 10.0),
                    match end_use {
                        Some(e) if !e.trim().is_empty() => format!(
                            "Controlled or high-priority goods with a vague end use ({e:?})"
                        ),
                        _ => "Controlled or high-priority goods with no declared end use".into(),
                    },
                )
                .with("goods_items", json!(sensitive))
                .with("guidance", guidance(&flags::END_USE_RELUCTANCE))
                .action(Action::DocumentCheck),
            );
        }
        if transit.len() >= 3 {
            out.push(
                Finding::new(LAYER, "EXP-LONG-ROUTE", FindingKind::Compliance, w("EXP-LONG-ROUTE", 10.0), format!(
                    "Controlled or high-priority goods routed through {} intermediate countries ({}) to {}", transit.len(), transit.join(", "), t.name(dest)))
                .with("routing", json!(f.itinerary.routing))
                .with("guidance", guidance(&flags::ABNORMAL_ROUTE))
                .action(Action::DocumentCheck),
            );
        }
    }
}

/// `EXP-LICENCE-COVERED`: the licence item that covers a goods item, the balance before and after, and
/// the draw the store makes when it commits the decision ([`clearway_core::licence::draws`]).
fn covered_finding(it: &Item<'_>, cover: &Cover, summaries: &[String]) -> Finding {
    let before = |b: Option<f64>, unit: &str| b.map(|b| format!("{b} {unit}"));
    let balance: Vec<String> = [
        before(cover.quantity_before, "units"),
        before(cover.value_before, "in value"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut fi = Finding::new(
        LAYER,
        clearway_core::licence::COVERED,
        FindingKind::Info,
        0.0,
        format!(
            "Goods item {}: covered by licence {} item {} ({}; balance before {}) — {}",
            it.no,
            cover.number,
            cover.item + 1,
            cover.entry,
            if balance.is_empty() {
                "not limited".into()
            } else {
                balance.join(", ")
            },
            summaries.join("; ")
        ),
    )
    .with("goods_item", it.no)
    .with("licence", cover.number.clone())
    .with("licence_item", cover.item + 1)
    .with("entry", cover.entry.clone())
    .with("draw_quantity", it.g.quantity.unwrap_or(0.0))
    .with("draw_value", it.g.value.unwrap_or(0.0));
    for (k, v) in [
        ("quantity_before", cover.quantity_before),
        ("value_before", cover.value_before),
        ("quantity_after", cover.remaining_quantity),
        ("value_after", cover.remaining_value),
    ] {
        if let Some(v) = v {
            fi = fi.with(k, v);
        }
    }
    fi
}

/// Whether a filing's findings include an export-control finding with a hold.
pub fn holds(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.layer == LAYER && f.action == Some(Action::Hold))
}

/// Which export findings matter for diversion questions: those with weight.
pub fn weighted(findings: &[Finding]) -> impl Iterator<Item = &Finding> {
    findings
        .iter()
        .filter(|f| f.layer == LAYER && f.weight > 0.0)
}
