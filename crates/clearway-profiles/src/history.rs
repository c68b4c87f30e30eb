//! Entity history, in memory, fed in time order: how many filings an importer has made, which HS-6 codes
//! it has declared, how often it was examined and found at fault. Principal type: [`EntityHistory`].

use crate::facts::FnvMap;
use std::collections::HashSet;

/// What is known of one importer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImporterHistory {
    pub filings: u32,
    pub examined: u32,
    pub finds: u32,
    pub hs6: HashSet<String>,
}

/// Importer history keyed by importer (IOR number or name, case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct EntityHistory {
    importers: FnvMap<String, ImporterHistory>,
}

fn key(importer: &str) -> String {
    importer.trim().to_ascii_uppercase()
}

impl EntityHistory {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn importer(&self, importer: &str) -> Option<&ImporterHistory> {
        if importer.is_empty() {
            return None;
        }
        if !importer.bytes().any(|b| b.is_ascii_lowercase()) && importer.trim().len() == importer.len() {
            return self.importers.get(importer);
        }
        self.importers.get(&key(importer))
    }

    /// Record a filing (after it was assessed, so that the filing itself counts as "new").
    pub fn observe<'a>(&mut self, importer: &str, hs6s: impl IntoIterator<Item = &'a str>) {
        if importer.trim().is_empty() {
            return;
        }
        let e = self.importers.entry(key(importer)).or_default();
        e.filings += 1;
        for h in hs6s {
            if !h.is_empty() && !e.hs6.contains(h) {
                e.hs6.insert(h.to_owned());
            }
        }
    }

    /// Record an examination result of one of the importer's filings.
    /// Record a filing: its importer (see [`crate::facts::importer_key`]) and the HS-6 codes it declares.
    pub fn observe_filing(&mut self, f: &clearway_core::Filing) {
        let hs6s: Vec<&str> = f
            .goods
            .iter()
            .filter_map(|g| g.hs_code.as_deref())
            .map(|h| h.char_indices().nth(6).map_or(h, |(i, _)| &h[..i]))
            .collect();
        self.observe(crate::facts::importer_key(f), hs6s);
    }

    pub fn record_exam(&mut self, importer: &str, found: bool) {
        if importer.trim().is_empty() {
            return;
        }
        let e = self.importers.entry(key(importer)).or_default();
        e.examined += 1;
        e.finds += u32::from(found);
    }

    pub fn len(&self) -> usize {
        self.importers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.importers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_counts() {
        let mut h = EntityHistory::new();
        assert!(h.importer("acme").is_none());
        h.observe("acme", ["851712"]);
        h.observe("ACME ", ["851712", "640399"]);
        h.record_exam("Acme", true);
        let e = h.importer("acme").unwrap();
        assert_eq!((e.filings, e.examined, e.finds, e.hs6.len()), (2, 1, 1, 2));
    }
}
