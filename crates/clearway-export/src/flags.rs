//! Diversion red flags: the text tests behind them, each tied to the guidance it comes from.
//!
//! | id | guidance (verbatim where BIS text, else paraphrase) | source |
//! |---|---|---|
//! | `BIS-RF-02` | reluctance to offer information about the end use | BIS "Red Flag Indicators" |
//! | `BIS-RF-03` | the product's capabilities do not fit the buyer's line of business | BIS "Red Flag Indicators" |
//! | `BIS-RF-10` | a freight forwarding firm is listed as the product's final destination | BIS "Red Flag Indicators" |
//! | `BIS-RF-11` | the shipping route is abnormal for the product and destination | BIS "Red Flag Indicators" |
//! | `FINCEN-BIS-2022-TSP` | common transshipment points to Russia and Belarus | FinCEN/BIS FIN-2022-Alert003 (2022-06-28) |
//! | `FINCEN-BIS-2023-02` | entities with little or no web presence; residential addresses | FinCEN/BIS joint notice (2023-11-06) |

use serde::Serialize;

/// A piece of guidance a red flag cites.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Guidance {
    pub id: &'static str,
    pub text: &'static str,
    pub source: &'static str,
}

pub const END_USE_RELUCTANCE: Guidance = Guidance {
    id: "BIS-RF-02",
    text: "The customer or purchasing agent is reluctant to offer information about the end-use of the item.",
    source: "BIS Red Flag Indicators (bis.gov/articles/red-flag-indicators)",
};
pub const LINE_OF_BUSINESS: Guidance = Guidance {
    id: "BIS-RF-03",
    text: "The product's capabilities do not fit the buyer's line of business, such as an order for sophisticated computers for a small bakery.",
    source: "BIS Red Flag Indicators (bis.gov/articles/red-flag-indicators)",
};
pub const FORWARDER_DESTINATION: Guidance = Guidance {
    id: "BIS-RF-10",
    text: "A freight forwarding firm is listed as the product's final destination.",
    source: "BIS Red Flag Indicators (bis.gov/articles/red-flag-indicators)",
};
pub const ABNORMAL_ROUTE: Guidance = Guidance {
    id: "BIS-RF-11",
    text: "The shipping route is abnormal for the product and destination.",
    source: "BIS Red Flag Indicators (bis.gov/articles/red-flag-indicators)",
};
pub const TRANSSHIPMENT_POINTS: Guidance = Guidance {
    id: "FINCEN-BIS-2022-TSP",
    text: "BIS identified common transshipment points through which restricted exports have passed before reaching Russia or Belarus.",
    source: "FinCEN/BIS joint alert FIN-2022-Alert003 (2022-06-28)",
};
pub const ADDRESS: Guidance = Guidance {
    id: "FINCEN-BIS-2023-02",
    text: "Transactions involving entities with little to no web presence, or a residential address or post box as the business address (paraphrase).",
    source: "FinCEN/BIS joint notice (2023-11-06), paraphrased",
};

const FORWARDER_WORDS: &[&str] = &[
    "LOGISTIC",
    "FREIGHT",
    "FORWARD",
    "SHIPPING",
    "CARGO",
    "TRADING",
    "IMPORT EXPORT",
    "IMPORT & EXPORT",
    "IMP EXP",
    "IMPEX",
    "COURIER",
];

/// A word list searched in one pass, ignoring ASCII case.
pub(crate) struct Words {
    ac: aho_corasick::AhoCorasick,
    words: &'static [&'static str],
}

impl Words {
    pub(crate) fn new(words: &'static [&'static str]) -> Words {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("static word lists build");
        Words { ac, words }
    }

    /// The index of the first word of the list (in list order) that occurs in `text`.
    pub(crate) fn first_index(&self, text: &str) -> Option<usize> {
        self.ac
            .find_overlapping_iter(text)
            .map(|m| m.pattern().as_usize())
            .min()
    }

    /// The first word of the list (in list order) that occurs in `text`.
    pub(crate) fn first_in(&self, text: &str) -> Option<&'static str> {
        self.first_index(text).map(|i| self.words[i])
    }
}

macro_rules! words {
    ($list:expr) => {{
        static W: std::sync::LazyLock<Words> = std::sync::LazyLock::new(|| Words::new($list));
        &*W
    }};
}

/// `f` of `text` in ASCII capitals (`upper`) or small letters, with `suffix` appended: on the stack when
/// short (the usual case), so the red flags cost no allocation on a filing where none fires.
fn cased<R>(text: &str, upper: bool, suffix: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 256];
    let n = text.len() + suffix.len();
    if n > buf.len() {
        let mut s = if upper {
            text.to_ascii_uppercase()
        } else {
            text.to_lowercase()
        };
        s.push_str(suffix);
        return f(&s);
    }
    buf[..text.len()].copy_from_slice(text.as_bytes());
    buf[text.len()..n].copy_from_slice(suffix.as_bytes());
    let b = &mut buf[..n];
    if upper {
        b.make_ascii_uppercase();
    } else {
        b.make_ascii_lowercase();
    }
    // ASCII case changes keep UTF-8 valid.
    f(std::str::from_utf8(b).unwrap_or_default())
}

/// Whether a name or declared line of business is a freight forwarder or trading company.
pub fn forwarder_like(text: &str) -> Option<&'static str> {
    words!(FORWARDER_WORDS).first_in(text)
}

const PO_BOX: &[&str] = &[
    "P.O. BOX",
    "PO BOX",
    "P O BOX",
    "P.O.BOX",
    "POB ",
    "POSTFACH",
    "APARTADO",
    "CASILLA",
    "BOITE POSTALE",
    "PRIVATE BAG",
];
const RESIDENCE: &[&str] = &[
    "APT ",
    "APT.",
    "APARTMENT",
    "FLAT ",
    "RESIDENCE",
    "VILLA ",
    "HOUSE NO",
    "ROOM ",
];

/// Whether a street line is a post box or a residence, and which.
pub fn address_flag(street: &str) -> Option<(&'static str, &'static str)> {
    // A trailing space, so that "POB " matches at the end of the line.
    cased(street, true, " ", |s| {
        if let Some(w) = words!(PO_BOX).first_in(s) {
            return Some(("post box", w));
        }
        words!(RESIDENCE).first_in(s).map(|w| ("residence", w))
    })
}

const UNRELATED_BUSINESS: &[&str] = &[
    "bakery",
    "restaurant",
    "cafe",
    "hotel",
    "farm",
    "agricultur",
    "textile",
    "garment",
    "apparel",
    "furniture",
    "florist",
    "travel agency",
    "real estate",
    "cosmetic",
    "jewel",
    "toy",
    "food",
];

/// A word showing a line of business or end use unrelated to controlled electronics, machinery or materials.
pub fn unrelated_business(text: &str) -> Option<&'static str> {
    words!(UNRELATED_BUSINESS).first_in(text)
}

const VAGUE: &[&str] = &[
    "general",
    "resale",
    "stock",
    "trading",
    "various",
    "n/a",
    "unknown",
    "commercial",
    "other",
    "tbd",
    "none",
];

/// Whether a declared end use says nothing (absent, or only a vague word).
pub fn vague_end_use(text: Option<&str>) -> bool {
    match text.map(str::trim) {
        None | Some("") => true,
        Some(t) => t.split_whitespace().count() <= 2 && words!(VAGUE).first_index(t).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(
            forwarder_like("Gulf Star General Trading FZE"),
            Some("TRADING")
        );
        assert_eq!(forwarder_like("Berlin Instruments GmbH"), None);
        assert_eq!(address_flag("P.O. Box 1234").map(|x| x.0), Some("post box"));
        assert_eq!(
            address_flag("Apt 5, 12 Main St").map(|x| x.0),
            Some("residence")
        );
        assert_eq!(address_flag("Industriestrasse 5"), None);
        assert_eq!(unrelated_business("Small bakery"), Some("bakery"));
        assert!(
            vague_end_use(None)
                && vague_end_use(Some("resale"))
                && !vague_end_use(Some("maintenance of the civil telecom network"))
        );
    }
}
