//! A goods item's declared control classification, parsed from the filing's text.
//!
//! Accepted forms (case and inner spaces do not matter):
//!
//! | form | example | meaning |
//! |---|---|---|
//! | ECCN | `3A001`, `5A002.a.1`, `0A501.x` | US Commerce Control List entry (category digit, product group A–E, three digits) |
//! | `EAR99` | `EAR99` | subject to the EAR, on no CCL entry |
//! | USML | `USML XI`, `USML XI(a)` | US Munitions List category (ITAR, not EAR) |
//! | Canada ECL | `ECL 1-3.A.1`, `ECL 2-1`, `1-3.A.1` | Canada's Export Control List item (group-item) |
//! | not controlled | `NC`, `NOT CONTROLLED`, `NLR-NC` | declared on no control list |

use serde::Serialize;

/// A declared classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "list", rename_all = "kebab-case")]
pub enum Classification {
    /// `entry` is the five-character ECCN; `paragraph` the rest (`.a.1`), if any.
    Eccn {
        entry: String,
        paragraph: String,
        category: u8,
        group: char,
    },
    Ear99,
    Usml {
        category: String,
    },
    CaEcl {
        group: u8,
        item: String,
    },
    NotControlled,
}

/// Why a classification could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown control classification {text:?}: expected an ECCN (3A001), EAR99, USML <category>, ECL <group-item> or NC"
)]
pub struct ClassificationError {
    pub text: String,
}

const ROMAN: [&str; 21] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
    "XVI", "XVII", "XVIII", "XIX", "XX", "XXI",
];

impl Classification {
    /// Parse a declared classification.
    pub fn parse(text: &str) -> Result<Classification, ClassificationError> {
        let err = || ClassificationError {
            text: text.to_string(),
        };
        // The common declarations, without allocating.
        let t = text.trim();
        if t.eq_ignore_ascii_case("EAR99") {
            return Ok(Classification::Ear99);
        }
        if ["NC", "NONE", "N/A", "NLR-NC", "NOT CONTROLLED"]
            .iter()
            .any(|x| t.eq_ignore_ascii_case(x))
        {
            return Ok(Classification::NotControlled);
        }
        let s: String = text.trim().to_ascii_uppercase();
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(err());
        }
        if compact == "EAR99" {
            return Ok(Classification::Ear99);
        }
        if matches!(
            compact.as_str(),
            "NC" | "NOTCONTROLLED" | "NLR-NC" | "NONE" | "N/A"
        ) {
            return Ok(Classification::NotControlled);
        }
        if let Some(rest) = compact.strip_prefix("USML") {
            let rest = rest.trim_start_matches(['-', ':', '.']);
            let cat: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            return if ROMAN.contains(&cat.as_str()) {
                Ok(Classification::Usml { category: cat })
            } else {
                Err(err())
            };
        }
        let ecl = compact
            .strip_prefix("ECL")
            .map(|r| r.trim_start_matches(['-', ':']));
        if let Some(item) = ecl.or_else(|| {
            (compact.len() > 2 && compact.as_bytes()[1] == b'-').then_some(compact.as_str())
        }) {
            let mut parts = item.splitn(2, '-');
            let group = parts
                .next()
                .and_then(|g| g.parse::<u8>().ok())
                .filter(|g| (1..=7).contains(g));
            let rest = parts.next().unwrap_or("");
            if let Some(group) = group
                && !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
            {
                return Ok(Classification::CaEcl {
                    group,
                    item: format!("{group}-{rest}"),
                });
            }
            return Err(err());
        }
        let b = compact.as_bytes();
        if b.len() >= 5
            && b[0].is_ascii_digit()
            && matches!(b[1], b'A'..=b'E')
            && b[2..5].iter().all(u8::is_ascii_digit)
            && (b.len() == 5 || b[5] == b'.')
        {
            let paragraph = &compact[5..];
            if paragraph
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.')
            {
                return Ok(Classification::Eccn {
                    entry: compact[..5].to_string(),
                    paragraph: paragraph.to_ascii_lowercase(),
                    category: b[0] - b'0',
                    group: b[1] as char,
                });
            }
        }
        Err(err())
    }

    /// Whether the classification puts the item on a control list (anything but EAR99 / not controlled).
    pub fn is_listed(&self) -> bool {
        !matches!(self, Classification::Ear99 | Classification::NotControlled)
    }

    /// The entry as written in messages (`3A001.a.1`, `EAR99`, `USML XI`, `ECL 1-3.A.1`, `NC`).
    pub fn label(&self) -> String {
        match self {
            Classification::Eccn {
                entry, paragraph, ..
            } => format!("{entry}{paragraph}"),
            Classification::Ear99 => "EAR99".into(),
            Classification::Usml { category } => format!("USML {category}"),
            Classification::CaEcl { item, .. } => format!("ECL {item}"),
            Classification::NotControlled => "NC".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            Classification::parse("3a001.A.1").unwrap(),
            Classification::Eccn {
                entry: "3A001".into(),
                paragraph: ".a.1".into(),
                category: 3,
                group: 'A'
            }
        );
        assert_eq!(
            Classification::parse(" ear99 ").unwrap(),
            Classification::Ear99
        );
        assert_eq!(
            Classification::parse("USML XI(a)").unwrap(),
            Classification::Usml {
                category: "XI".into()
            }
        );
        assert_eq!(
            Classification::parse("ECL 1-3.A.1").unwrap(),
            Classification::CaEcl {
                group: 1,
                item: "1-3.A.1".into()
            }
        );
        assert_eq!(
            Classification::parse("2-1").unwrap(),
            Classification::CaEcl {
                group: 2,
                item: "2-1".into()
            }
        );
        assert_eq!(
            Classification::parse("not controlled").unwrap(),
            Classification::NotControlled
        );
        for bad in [
            "", "3Z001", "3A01", "USML XXX", "ECL 9-1", "EAR 99x", "3A001/b", "8542.31",
        ] {
            assert!(Classification::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Classification::parse("USML Q")
                .unwrap_err()
                .to_string()
                .contains("expected an ECCN")
        );
    }
}
