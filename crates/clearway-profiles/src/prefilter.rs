//! A profile prefilter: most profiles require one categorical value (`origin == "CN"`, `mode == "air"`,
//! `routing in @hubs`, `new_importer`). At load, each profile's most selective such conjunct becomes its
//! guard; per filing, only the profiles whose guard can hold are evaluated. The guard is a necessary
//! condition of the profile's `when` (a top-level conjunct, tested exactly as [`crate::compile::eval`]
//! tests it), so the hits are the same as evaluating every profile — a test checks that.

use crate::compile::{BRef, Node, Profile, SRef};
use crate::facts::{Facts, MISSING};

/// Where a guard reads its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// A filing-level string (symbol).
    F(usize),
    /// A goods-item string: the guard holds when it holds for any item.
    I(usize),
    /// A filing-level list of strings: any element.
    L(usize),
    /// A filing-level flag with the wanted value.
    Flag(usize, bool),
}

/// Profiles by the value their guard needs: `by_sym[s]` lists the profiles whose guard holds for symbol `s`.
#[derive(Debug, Clone)]
struct Guard {
    key: Key,
    by_sym: Vec<Vec<u32>>,
    /// For flag guards: the profiles.
    flagged: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    /// Profiles without a guard: always evaluated.
    always: Vec<u32>,
    guards: Vec<Guard>,
    n: usize,
}

/// The symbol set a conjunct requires, with its size (smaller is more selective).
fn guard_of(n: &Node) -> Option<(Key, Vec<u32>)> {
    let key = |s: &SRef| match *s {
        SRef::F(i) => Key::F(i),
        SRef::I(i) => Key::I(i),
        SRef::L(i) => Key::L(i),
    };
    match n {
        Node::SymEq { s, id, ne: false, .. } if *id != MISSING => Some((key(s), vec![*id])),
        Node::InSym { s, bits, neg: false, .. } => {
            let ids: Vec<u32> = bits
                .iter()
                .enumerate()
                .flat_map(|(w, word)| (0..64).filter(move |b| word & (1u64 << b) != 0).map(move |b| (w * 64 + b) as u32))
                .filter(|x| *x != MISSING)
                .collect();
            Some((key(s), ids))
        }
        Node::Bool { b: BRef::F(i), want, .. } => Some((Key::Flag(*i, *want), Vec::new())),
        _ => None,
    }
}

/// The most selective guard among the top-level conjuncts of `when`.
fn best_guard(when: &Node) -> Option<(Key, Vec<u32>)> {
    let conjuncts: &[Node] = match when {
        Node::And(v) => v,
        other => std::slice::from_ref(other),
    };
    // Symbol sets first (by size), a flag only when nothing else is there.
    conjuncts.iter().filter_map(guard_of).min_by_key(|(k, ids)| if matches!(k, Key::Flag(..)) { usize::MAX } else { ids.len() })
}

impl Prefilter {
    pub fn new(profiles: &[Profile]) -> Self {
        let mut pf = Prefilter { n: profiles.len(), ..Default::default() };
        for (i, p) in profiles.iter().enumerate() {
            let i = i as u32;
            let Some((key, ids)) = best_guard(&p.when) else {
                pf.always.push(i);
                continue;
            };
            let g = match pf.guards.iter().position(|g| g.key == key) {
                Some(g) => g,
                None => {
                    pf.guards.push(Guard { key, by_sym: Vec::new(), flagged: Vec::new() });
                    pf.guards.len() - 1
                }
            };
            let g = &mut pf.guards[g];
            if matches!(key, Key::Flag(..)) {
                g.flagged.push(i);
            }
            for s in ids {
                let s = s as usize;
                if g.by_sym.len() <= s {
                    g.by_sym.resize(s + 1, Vec::new());
                }
                g.by_sym[s].push(i);
            }
        }
        pf
    }

    /// Number of profiles indexed.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The profiles that may hit this filing, as a bitset over profile indexes (in profile order).
    pub fn candidates(&self, f: &Facts<'_>) -> Vec<u64> {
        let mut bits = vec![0u64; self.n.div_ceil(64)];
        let mut mark = |list: &[u32]| {
            for &p in list {
                bits[(p / 64) as usize] |= 1u64 << (p % 64);
            }
        };
        mark(&self.always);
        for g in &self.guards {
            let mut sym = |s: u32| {
                if let Some(l) = g.by_sym.get(s as usize) {
                    mark(l);
                }
            };
            match g.key {
                Key::F(i) => sym(f.sym[i]),
                Key::I(i) => f.items.iter().for_each(|it| sym(it.sym[i])),
                Key::L(i) => f.list_sym[i].iter().for_each(|s| sym(*s)),
                Key::Flag(i, want) => {
                    if f.flag[i] == Some(want) {
                        mark(&g.flagged);
                    }
                }
            }
        }
        bits
    }
}

/// The set bits of a bitset, in order.
pub fn ones(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut x = word;
        std::iter::from_fn(move || {
            if x == 0 {
                return None;
            }
            let b = x.trailing_zeros() as usize;
            x &= x - 1;
            Some(w * 64 + b)
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::compile::{ProfileSet, Source};
    use crate::{EntityHistory, Extras, HistoryAt};

    macro_rules! src {
        ($name:literal) => {
            Source { name: $name, text: include_str!(concat!("../../../examples/profiles/", $name)) }
        };
    }

    fn check_same_hits(set: &ProfileSet, n: usize) -> usize {
        let filings: Vec<_> = clearway_synth::Generator::new(clearway_synth::Config::new(n, 3)).collect();
        let (extras, hist) = (Extras::default(), EntityHistory::new());
        let mut total = 0;
        for f in &filings {
            for (trusted, late) in [(false, false), (true, true)] {
                let facts = set.facts(f, &extras, Some(HistoryAt::all(&hist)), trusted, late);
                let hits = set.hits(f, &facts);
                assert_eq!(hits, set.hits_unfiltered(f, &facts), "filing {}", f.id);
                total += hits.len();
            }
        }
        total
    }

    #[test]
    fn example_profiles_hit_the_same_with_and_without_the_prefilter() {
        let profiles = [
            src!("description-mismatch.profile"),
            src!("late-risky-origin.profile"),
            src!("new-importer.profile"),
            src!("origin-hs.profile"),
            src!("transshipment.profile"),
            src!("valuation.profile"),
        ];
        let lists = [
            src!("lists/apparel_risk_origins.csv"),
            src!("lists/battery_hs6.csv"),
            src!("lists/chpl_hs6.csv"),
            src!("lists/electronics_words.csv"),
            src!("lists/risky_origins.csv"),
            src!("lists/textile_words.csv"),
            src!("lists/transshipment_hubs.csv"),
        ];
        let (set, _) = ProfileSet::load(&profiles, &lists, Some(src!("value-control.csv")), None).expect("examples load");
        assert!(check_same_hits(&set, 3000) > 0);
    }

    #[test]
    fn guards_of_every_kind_keep_the_hits() {
        let text = r#"
profile A { when origin == "CN" and value > 1000  weight 1 reason "a" }
profile B { when origin in ["VN", "IN", "CN"] and hs_chapter == 85  weight 1 reason "b" }
profile C { when mode == "air" and quantity < 20  weight 1 reason "c" }
profile D { when routing in @hubs  weight 1 reason "d" }
profile E { when new_importer and total_value > 5000  weight 1 reason "e" }
profile F { when origin == "CN" or mode == "rail"  weight 1 reason "f" }
profile G { when not (origin == "CN") and hs_chapter == 61  weight 1 reason "g" }
profile H { when consignor_country == "CN" and origin != "CN"  weight 1 reason "h" }
profile I { when count(hs_chapter == 84) >= 2  weight 1 reason "i" }
profile J { when description contains "PARTS" and origin in ["DE", "KR"]  weight 1 reason "j" }
"#;
        let hubs = "country\nAE\nSG\nHK\nPA\n";
        let (set, _) = ProfileSet::load(&[Source { name: "t.profile", text }], &[Source { name: "hubs.csv", text: hubs }], None, None)
            .expect("rules load");
        assert!(check_same_hits(&set, 3000) > 0);
        // Profiles F, G and I have no usable guard and are always evaluated.
        assert_eq!(set_prefilter_always(&set), 3);
    }

    fn set_prefilter_always(set: &ProfileSet) -> usize {
        super::Prefilter::new(&set.profiles).always.len()
    }
}
