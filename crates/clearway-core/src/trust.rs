//! Trusted-trader program memberships (FAST, C-TPAT, PIP, CSA, OEA, AEO).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A trusted-trader program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Program {
    /// Free and Secure Trade driver card (CA/US).
    FAST,
    /// Customs-Trade Partnership Against Terrorism (US).
    CTPAT,
    /// Partners in Protection (CA).
    PIP,
    /// Customs Self Assessment (CA importers and carriers).
    CSA,
    /// Operador Económico Autorizado (MX).
    OEA,
    /// Authorised Economic Operator of another administration recognised under mutual recognition.
    AEO,
}

impl Program {
    pub const ALL: [Program; 6] = [Program::FAST, Program::CTPAT, Program::PIP, Program::CSA, Program::OEA, Program::AEO];

    pub fn as_str(self) -> &'static str {
        match self {
            Program::FAST => "FAST",
            Program::CTPAT => "CTPAT",
            Program::PIP => "PIP",
            Program::CSA => "CSA",
            Program::OEA => "OEA",
            Program::AEO => "AEO",
        }
    }

    /// Parse a program name, accepting common spellings (`C-TPAT`, `ctpat`).
    pub fn parse(s: &str) -> Option<Program> {
        // The canonical spellings first: this runs for every identifier a party quotes, several times
        // per filing.
        match s {
            "FAST" => return Some(Program::FAST),
            "CTPAT" => return Some(Program::CTPAT),
            "PIP" => return Some(Program::PIP),
            "CSA" => return Some(Program::CSA),
            "OEA" => return Some(Program::OEA),
            "AEO" => return Some(Program::AEO),
            // Already in canonical form (upper-case letters and digits) and none of the above.
            _ if s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) => return None,
            _ => {}
        }
        // One pass into a stack buffer: letters and digits, upper-cased (this runs for every identifier
        // on every filing, so it must not allocate).
        let mut key = [0u8; 5];
        let mut n = 0;
        for b in s.bytes().filter(u8::is_ascii_alphanumeric) {
            if n == key.len() {
                return None;
            }
            key[n] = b.to_ascii_uppercase();
            n += 1;
        }
        match &key[..n] {
            b"FAST" => Some(Program::FAST),
            b"CTPAT" => Some(Program::CTPAT),
            b"PIP" => Some(Program::PIP),
            b"CSA" => Some(Program::CSA),
            b"OEA" => Some(Program::OEA),
            b"AEO" => Some(Program::AEO),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipStatus {
    Active,
    Suspended,
    Cancelled,
}

/// One membership of one trader (or driver) in one program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub program: Program,
    /// The id as it appears on filings (FAST card number, C-TPAT SVI, PIP or CSA number, OEA number).
    pub member_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The administration that granted it (ISO alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// C-TPAT tier: 1 certified, 2 validated, 3 validated with best practices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// Business type: importer, highway-carrier, manufacturer, driver, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<String>,
    pub status: MembershipStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validated: Option<NaiveDate>,
}

impl Membership {
    /// Active and within its validity window at `at`.
    pub fn is_valid_at(&self, at: DateTime<Utc>) -> bool {
        let d = at.date_naive();
        self.status == MembershipStatus::Active
            && self.valid_from.is_none_or(|f| f <= d)
            && self.valid_to.is_none_or(|t| d <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_spellings() {
        assert_eq!(Program::parse("C-TPAT"), Some(Program::CTPAT));
        assert_eq!(Program::parse("ctpat"), Some(Program::CTPAT));
        assert_eq!(Program::parse("fast"), Some(Program::FAST));
        assert_eq!(Program::parse("FASTER"), None);
        assert_eq!(Program::parse("FAS"), None);
        assert_eq!(Program::parse(""), None);
        assert_eq!(Program::parse("SCAC"), None);
    }
}
