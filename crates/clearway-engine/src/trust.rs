//! The trusted-trader registry and FAST eligibility, link by link.

use chrono::{DateTime, Utc};
use clearway_core::{AgencyCountry, Direction, FastCheck, Filing, Membership, MembershipStatus, Mode, Party, Program, Role};
use std::collections::HashMap;

/// Member ids are short, trusted-length keys looked up several times per filing: a fast non-keyed hash.
type IdMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Program memberships by member id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    by_id: IdMap<Vec<Membership>>,
    len: usize,
    fingerprint: String,
}

/// Why a quoted membership does or does not count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing<'a> {
    Valid(&'a Membership),
    Unknown,
    Suspended(&'a Membership),
    Cancelled(&'a Membership),
    Expired(&'a Membership),
    NotYetValid(&'a Membership),
}

impl Standing<'_> {
    pub fn is_valid(&self) -> bool {
        matches!(self, Standing::Valid(_))
    }

    /// Plain words for an officer.
    pub fn describe(&self) -> &'static str {
        match self {
            Standing::Valid(_) => "active",
            Standing::Unknown => "not in the registry",
            Standing::Suspended(_) => "suspended",
            Standing::Cancelled(_) => "cancelled",
            Standing::Expired(_) => "expired",
            Standing::NotYetValid(_) => "not yet valid",
        }
    }
}

impl Registry {
    pub fn new(memberships: Vec<Membership>) -> Self {
        let mut sorted = memberships;
        sorted.sort_by(|a, b| (a.program, &a.member_id).cmp(&(b.program, &b.member_id)));
        let fingerprint = blake3::hash(serde_json::to_string(&sorted).unwrap_or_default().as_bytes()).to_hex()[..16].to_string();
        let len = sorted.len();
        let mut by_id: IdMap<Vec<Membership>> = IdMap::default();
        for m in sorted {
            by_id.entry(normalize_id(&m.member_id).into_owned()).or_default().push(m);
        }
        Registry { by_id, len, fingerprint }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The standing of membership `id` in `program` at time `at`.
    pub fn standing(&self, program: Program, id: &str, at: DateTime<Utc>) -> Standing<'_> {
        let Some(m) = self.by_id.get(normalize_id(id).as_ref()).and_then(|v| v.iter().find(|m| m.program == program)) else {
            return Standing::Unknown;
        };
        let d = at.date_naive();
        match m.status {
            MembershipStatus::Suspended => Standing::Suspended(m),
            MembershipStatus::Cancelled => Standing::Cancelled(m),
            MembershipStatus::Active if m.valid_to.is_some_and(|t| d > t) => Standing::Expired(m),
            MembershipStatus::Active if m.valid_from.is_some_and(|f| d < f) => Standing::NotYetValid(m),
            MembershipStatus::Active => Standing::Valid(m),
        }
    }

    /// The best standing among the ids a party quotes for `program`, with the id.
    pub fn party_standing<'a>(&'a self, party: &'a Party, program: Program, at: DateTime<Utc>) -> Option<(&'a str, Standing<'a>)> {
        let mut best: Option<(&str, Standing<'_>)> = None;
        for id in party.ids.iter().filter(|i| Program::parse(&i.scheme) == Some(program)) {
            let s = self.standing(program, &id.value, at);
            if s.is_valid() {
                return Some((id.value.as_str(), s));
            }
            best.get_or_insert((id.value.as_str(), s));
        }
        best
    }
}

/// Ids compare on their upper-cased letters and digits (`ct-123` = `CT123`); no allocation when the id
/// is already in that form.
fn normalize_id(id: &str) -> std::borrow::Cow<'_, str> {
    if id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        std::borrow::Cow::Borrowed(id)
    } else {
        std::borrow::Cow::Owned(id.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase())
    }
}

/// The time at which memberships are judged: the filing's own event time, so decisions are reproducible.
pub fn reference_time(f: &Filing) -> Option<DateTime<Utc>> {
    f.times.arrival.or(f.times.filed_at).or(f.times.departure).or(f.times.loading)
}



fn describe_party(p: &Party) -> String {
    if p.name.is_empty() { p.role.as_str().to_owned() } else { format!("{} \"{}\"", p.role.as_str(), p.name) }
}

fn link(
    reg: &Registry,
    party: Option<&Party>,
    what: &str,
    program: Program,
    at: DateTime<Utc>,
    missing: &mut Vec<String>,
) -> bool {
    let Some(p) = party else {
        missing.push(format!("no {what} on the filing"));
        return false;
    };
    match reg.party_standing(p, program, at) {
        Some((_, s)) if s.is_valid() => true,
        Some((id, s)) => {
            missing.push(format!("{}: {} {} is {}", describe_party(p), program.as_str(), id, s.describe()));
            false
        }
        None => {
            missing.push(format!("{}: no {} membership quoted", describe_party(p), program.as_str()));
            false
        }
    }
}

/// FAST eligibility of a highway crossing into CA or the US, evaluated link by link: every driver and
/// cab occupant holds a FAST card; the carrier is C-TPAT (US) or PIP (CA); the importer is C-TPAT (US;
/// or the Mexican manufacturer is) or PIP and CSA (CA). `None` when FAST does not apply.
pub fn fast_check(f: &Filing, reg: &Registry) -> Option<FastCheck> {
    if f.mode != Mode::Highway || f.direction == Direction::Export {
        return None;
    }
    let at = reference_time(f)?;
    let mut missing = Vec::new();
    match f.country {
        AgencyCountry::CA | AgencyCountry::US => {}
        AgencyCountry::MX | AgencyCountry::Other(_) => {
            return Some(FastCheck { eligible: false, missing: vec!["FAST lanes serve crossings into CA and the US".into()] });
        }
    }
    let occupants: Vec<&Party> = f.parties.iter().filter(|p| matches!(p.role, Role::Driver | Role::Crew)).collect();
    if occupants.is_empty() {
        missing.push("no driver on the filing".into());
    }
    for p in &occupants {
        link(reg, Some(p), "driver", Program::FAST, at, &mut missing);
    }
    let carrier_program = if f.country == AgencyCountry::US { Program::CTPAT } else { Program::PIP };
    link(reg, f.party(Role::Carrier), "carrier", carrier_program, at, &mut missing);
    let imp = f.importer();
    if f.country == AgencyCountry::US {
        let mut imp_missing = Vec::new();
        let ok = link(reg, imp, "importer", Program::CTPAT, at, &mut imp_missing);
        if !ok {
            // A C-TPAT Mexican manufacturer may stand in for the importer.
            let mut mfr_missing = Vec::new();
            let mfr = f.parties_with(Role::Manufacturer).find(|p| p.country.as_deref() == Some("MX"));
            if !link(reg, mfr, "C-TPAT Mexican manufacturer", Program::CTPAT, at, &mut mfr_missing) {
                missing.extend(imp_missing);
            }
        }
    } else {
        link(reg, imp, "importer", Program::PIP, at, &mut missing);
        link(reg, imp, "importer", Program::CSA, at, &mut missing);
    }
    Some(FastCheck { eligible: missing.is_empty(), missing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn m(program: Program, id: &str, status: MembershipStatus) -> Membership {
        Membership {
            program,
            member_id: id.into(),
            name: None,
            country: None,
            tier: Some(2),
            business: None,
            status,
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1),
            valid_to: NaiveDate::from_ymd_opt(2030, 1, 1),
            last_validated: None,
        }
    }

    fn crossing(country: &str, extra_crew_card: Option<&str>) -> Filing {
        let mut v = serde_json::json!({
            "id": "T1", "mode": "highway", "direction": "import", "country": country, "stage": "pre-arrival", "fast": true,
            "times": {"filed_at": "2026-11-02T10:00:00Z", "arrival": "2026-11-02T12:00:00Z"},
            "parties": [
                {"role": "driver", "name": "Ana Ruiz", "ids": [{"scheme": "FAST", "value": "42700000001"}]},
                {"role": "carrier", "name": "Trans Norte", "ids": [{"scheme": "CTPAT", "value": "CT-CAR-1"}, {"scheme": "PIP", "value": "PIP-CAR-1"}]},
                {"role": "importer-of-record", "name": "Acme", "ids": [{"scheme": "CTPAT", "value": "CT-IMP-1"}, {"scheme": "PIP", "value": "PIP-IMP-1"}, {"scheme": "CSA", "value": "CSA-IMP-1"}]}
            ]
        });
        if let Some(card) = extra_crew_card {
            let crew = serde_json::json!({"role": "crew", "name": "Luis Ruiz", "ids": [{"scheme": "FAST", "value": card}]});
            v["parties"].as_array_mut().unwrap().push(crew);
        }
        serde_json::from_value(v).unwrap()
    }

    fn registry(carrier_status: MembershipStatus) -> Registry {
        Registry::new(vec![
            m(Program::FAST, "42700000001", MembershipStatus::Active),
            m(Program::CTPAT, "CT-CAR-1", carrier_status),
            m(Program::PIP, "PIP-CAR-1", MembershipStatus::Active),
            m(Program::CTPAT, "CT-IMP-1", MembershipStatus::Active),
            m(Program::PIP, "PIP-IMP-1", MembershipStatus::Active),
            m(Program::CSA, "CSA-IMP-1", MembershipStatus::Active),
        ])
    }

    #[test]
    fn fast_all_links_present() {
        let r = registry(MembershipStatus::Active);
        assert_eq!(fast_check(&crossing("US", None), &r).unwrap(), FastCheck { eligible: true, missing: vec![] });
        assert!(fast_check(&crossing("CA", None), &r).unwrap().eligible);
    }

    #[test]
    fn fast_names_the_missing_link() {
        let r = registry(MembershipStatus::Suspended);
        let c = fast_check(&crossing("US", None), &r).unwrap();
        assert!(!c.eligible);
        assert_eq!(c.missing, vec!["carrier \"Trans Norte\": CTPAT CT-CAR-1 is suspended"]);
        // Into Canada the carrier needs PIP, which is active.
        assert!(fast_check(&crossing("CA", None), &r).unwrap().eligible);
        // Every cab occupant needs a card.
        let r = registry(MembershipStatus::Active);
        let c = fast_check(&crossing("US", Some("42799999999")), &r).unwrap();
        assert_eq!(c.missing, vec!["crew \"Luis Ruiz\": FAST 42799999999 is not in the registry"]);
    }

    #[test]
    fn expiry_is_judged_at_the_filing_time() {
        let mut card = m(Program::FAST, "42700000001", MembershipStatus::Active);
        card.valid_to = NaiveDate::from_ymd_opt(2026, 11, 1);
        let mut all = vec![card];
        all.extend(registry(MembershipStatus::Active).by_id.into_values().flatten().filter(|m| m.program != Program::FAST));
        let c = fast_check(&crossing("US", None), &Registry::new(all)).unwrap();
        assert_eq!(c.missing, vec!["driver \"Ana Ruiz\": FAST 42700000001 is expired"]);
    }
}
