//! Trusted-trader status: offsets for certified importers, carriers and manufacturers (with mutual
//! recognition between C-TPAT, PIP, OEA and recognised AEO programmes), FAST eligibility as a finding,
//! and memberships quoted on a filing that are suspended, cancelled, expired or unknown.
//! Offsets never apply over a security finding (the combiner enforces it).

use clearway_core::{AgencyCountry, Direction, Filing, FilingStatus, Finding, FindingKind, Membership, Party, Program, Role};

use crate::combine::{BLUE_LANE_KEY, TRUSTED_IMPORTER_KEY};
use crate::trust::{Registry, Standing, reference_time};
use crate::{Context, Layer};

pub struct TrustedTrader;

const LAYER: &str = "trusted-trader";

/// Importer offsets by administration: (program, weight). The home programme first, then partners
/// recognised under mutual recognition (CA–US 2008, CA–MX 2016, US–MX). Any other administration's
/// home programme is its own AEO (the SAFE Framework's Authorised Economic Operator); C-TPAT, PIP and
/// OEA count as recognised partners at the AEO partner weight.
fn importer_programs(country: AgencyCountry) -> &'static [(Program, f64)] {
    match country {
        AgencyCountry::US => &[(Program::CTPAT, -8.0), (Program::PIP, -8.0), (Program::OEA, -8.0), (Program::AEO, -5.0)],
        AgencyCountry::CA => &[(Program::PIP, -12.0), (Program::CTPAT, -8.0), (Program::OEA, -8.0), (Program::AEO, -5.0)],
        AgencyCountry::MX => &[(Program::OEA, -15.0), (Program::CTPAT, -8.0), (Program::PIP, -8.0), (Program::AEO, -5.0)],
        AgencyCountry::Other(_) => &[(Program::AEO, -8.0), (Program::CTPAT, -5.0), (Program::PIP, -5.0), (Program::OEA, -5.0)],
    }
}

/// Concatenate message parts with one allocation (`format!` costs several times more, and these
/// messages are built for most filings).
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

fn ctpat_tier_weight(tier: Option<u8>) -> f64 {
    match tier {
        Some(3) => -20.0,
        Some(2) => -15.0,
        _ => -8.0,
    }
}

/// A valid trusted-trader membership of the importer (the exporter on exports).
pub(crate) struct ImporterMembership<'a> {
    pub party: &'a Party,
    pub program: Program,
    /// Default weight of the programme for the agency country.
    pub default_weight: f64,
    pub member_id: &'a str,
    pub membership: &'a Membership,
}

/// The importer's (exporter's on exports) membership in the first of the agency country's programmes
/// where it stands valid at the filing's reference time. The layer's `TT-IMPORTER` finding and the
/// pipeline's [`crate::Context::trusted_importer`] both come from here.
pub(crate) fn importer_membership<'a>(f: &'a Filing, reg: &'a Registry) -> Option<ImporterMembership<'a>> {
    if f.status == FilingStatus::Cancellation {
        return None;
    }
    let at = reference_time(f)?;
    let holder = if f.direction == Direction::Export { f.party(Role::Exporter).or_else(|| f.party(Role::Consignor)) } else { f.importer() };
    let p = holder?;
    importer_programs(f.country).iter().find_map(|&(program, default_weight)| match reg.party_standing(p, program, at) {
        Some((member_id, Standing::Valid(membership))) => Some(ImporterMembership { party: p, program, default_weight, member_id, membership }),
        _ => None,
    })
}

impl Layer for TrustedTrader {
    fn name(&self) -> &'static str {
        LAYER
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if f.status == FilingStatus::Cancellation {
            return;
        }
        let Some(at) = reference_time(f) else { return };
        let reg = ctx.registry;
        let cfg = ctx.config;

        // Memberships quoted but not in good standing.
        for p in &f.parties {
            for id in &p.ids {
                let Some(program) = Program::parse(&id.scheme) else { continue };
                let s = reg.standing(program, &id.value, at);
                if !s.is_valid() && !reg.is_empty() {
                    out.push(
                        Finding::new(LAYER, "TT-MEMBERSHIP-INVALID", FindingKind::Compliance, cfg.weight("TT-MEMBERSHIP-INVALID", 5.0), concat(&[
                            p.role.as_str(), " \"", &p.name, "\" quotes ", program.as_str(), " ", &id.value, " which is ", s.describe(),
                        ]))
                        .with("role", p.role.as_str())
                        .with("program", program.as_str())
                        .with("member_id", id.value.as_str())
                        .with("standing", s.describe()),
                    );
                }
            }
        }

        // The importer (or exporter on exports).
        if let Some(t) = importer_membership(f, reg) {
            let (p, program, default, id, m) = (t.party, t.program, t.default_weight, t.member_id, t.membership);
            {
                let home = program == importer_programs(f.country)[0].0;
                let mut w = if program == Program::CTPAT && f.country == AgencyCountry::US { ctpat_tier_weight(m.tier) } else { default };
                // Canada: PIP plus Customs Self Assessment is the full trusted importer.
                let csa = f.country == AgencyCountry::CA
                    && program == Program::PIP
                    && reg.party_standing(p, Program::CSA, at).is_some_and(|(_, s)| s.is_valid());
                if csa {
                    w -= 5.0;
                }
                let blue = home && (m.tier.unwrap_or(1) >= 2 || csa || f.country == AgencyCountry::MX);
                let code = "TT-IMPORTER";
                let other_tier: String;
                out.push(
                    Finding::new(LAYER, code, FindingKind::Trust, cfg.weight(code, w), concat(&[
                        p.role.as_str(), " \"", &p.name, "\" is a certified trusted trader: ", program.as_str(),
                        match m.tier {
                            None => "",
                            Some(t @ 0..=3) => [" tier 0", " tier 1", " tier 2", " tier 3"][t as usize],
                            Some(t) => {
                                other_tier = format!(" tier {t}");
                                &other_tier
                            }
                        },
                        if home { "" } else { " (mutual recognition)" },
                    ]))
                    .with("program", program.as_str())
                    .with("member_id", id)
                    .with("tier", m.tier)
                    .with("csa", csa)
                    .with(TRUSTED_IMPORTER_KEY, true)
                    .with(BLUE_LANE_KEY, blue),
                );
            }
        }

        // Carrier and manufacturer.
        let others: [(Role, &str, f64); 2] = [(Role::Carrier, "TT-CARRIER", -5.0), (Role::Manufacturer, "TT-MANUFACTURER", -3.0)];
        for (role, code, w) in others {
            let Some(p) = f.party(role) else { continue };
            let found = [Program::CTPAT, Program::PIP, Program::OEA, Program::AEO]
                .into_iter()
                .find_map(|prog| reg.party_standing(p, prog, at).filter(|(_, s)| s.is_valid()).map(|(id, _)| (prog, id)));
            if let Some((prog, id)) = found {
                out.push(
                    Finding::new(LAYER, code, FindingKind::Trust, cfg.weight(code, w), concat(&[
                        role.as_str(), " \"", &p.name, "\" is a certified trusted trader: ", prog.as_str(),
                    ]))
                    .with("program", prog.as_str())
                    .with("member_id", id),
                );
            }
        }

        // FAST.
        if f.fast
            && let Some(check) = &ctx.fast
        {
            if check.eligible {
                out.push(
                    Finding::new(LAYER, "TT-FAST-ELIGIBLE", FindingKind::Trust, cfg.weight("TT-FAST-ELIGIBLE", -5.0),
                        "FAST: every link holds (drivers' cards, carrier, importer)")
                    .with("eligible", true),
                );
            } else {
                out.push(
                    Finding::new(LAYER, "TT-FAST-INELIGIBLE", FindingKind::Info, 0.0, format!(
                        "FAST lane refused, general lane: {}", check.missing.join("; ")
                    ))
                    .with("missing", check.missing.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::testing::{codes, filing, run};
    use crate::{ReferenceData, Registry};
    use chrono::NaiveDate;
    use clearway_core::{Membership, MembershipStatus};
    use serde_json::json;

    fn m(p: Program, id: &str, tier: Option<u8>, status: MembershipStatus) -> Membership {
        Membership { program: p, member_id: id.into(), name: None, country: None, tier, business: None, status,
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1), valid_to: None, last_validated: None }
    }

    fn f(country: &str, ids: serde_json::Value) -> Filing {
        filing(json!({"id": "X", "mode": "marine", "direction": "import", "country": country, "stage": "pre-arrival",
            "parties": [{"role": "importer-of-record", "name": "Acme", "ids": ids}],
            "times": {"filed_at": "2026-11-02T00:00:00Z"}}))
    }

    #[test]
    fn ctpat_tiers_and_mutual_recognition() {
        let reg = Registry::new(vec![
            m(Program::CTPAT, "T3", Some(3), MembershipStatus::Active),
            m(Program::PIP, "P1", None, MembershipStatus::Active),
            m(Program::CSA, "S1", None, MembershipStatus::Active),
        ]);
        let out = run(&TrustedTrader, &f("US", json!([{"scheme": "CTPAT", "value": "T3"}])), &ReferenceData::default(), &reg, None);
        assert_eq!(codes(&out), ["TT-IMPORTER"]);
        assert_eq!(out[0].weight, -20.0);
        assert_eq!(out[0].evidence[BLUE_LANE_KEY], json!(true));
        // A PIP member importing into the US is recognised, but not blue.
        let out = run(&TrustedTrader, &f("US", json!([{"scheme": "PIP", "value": "P1"}])), &ReferenceData::default(), &reg, None);
        assert_eq!(out[0].weight, -8.0);
        assert!(out[0].message.ends_with("(mutual recognition)"));
        assert_eq!(out[0].evidence[BLUE_LANE_KEY], json!(false));
        // Into Canada, PIP + CSA.
        let out = run(&TrustedTrader, &f("CA", json!([{"scheme": "PIP", "value": "P1"}, {"scheme": "CSA", "value": "S1"}])), &ReferenceData::default(), &reg, None);
        assert_eq!(out[0].weight, -17.0);
        assert_eq!(out[0].evidence[BLUE_LANE_KEY], json!(true));
    }

    #[test]
    fn suspended_membership_gives_no_offset_and_is_reported() {
        let reg = Registry::new(vec![m(Program::CTPAT, "T2", Some(2), MembershipStatus::Suspended)]);
        let out = run(&TrustedTrader, &f("US", json!([{"scheme": "C-TPAT", "value": "T2"}])), &ReferenceData::default(), &reg, None);
        assert_eq!(codes(&out), ["TT-MEMBERSHIP-INVALID"]);
        assert_eq!(out[0].message, "importer-of-record \"Acme\" quotes CTPAT T2 which is suspended");
    }
}
