//! Given-name equivalents: hypocorisms and short forms (Bill — William, Ted — Edward, Bibi — Benjamin),
//! a weak signal for the scorer (`score::GIVEN_SIM`): two such words align, so they are not a conflict,
//! but never make a match alone.
//!
//! Source: `data/given_names.csv` is `names.csv` of carltonnorthern/nicknames at commit 2342cb17
//! (Apache-2.0; English given names, each line a name and the names it is known by), kept verbatim.
//! [`EXTRA`] adds pairs that file lacks and the lists need (facts: common Russian diminutives, and the
//! short forms the issue names). Pairs are symmetric and not chained (Bill — William and William — Will do
//! not make Bill — Will equivalent unless a line says so).

use std::collections::HashMap;
use std::sync::OnceLock;

const CSV: &str = include_str!("../data/given_names.csv");

/// Pairs missing from the file.
pub const EXTRA: &[(&str, &str)] = &[
    ("benjamin", "bibi"),
    ("barack", "barry"),
    ("barry", "barrington"),
    ("aleksandr", "sasha"),
    ("alexander", "sasha"),
    ("aleksandr", "sanya"),
    ("aleksei", "alyosha"),
    ("aleksey", "alyosha"),
    ("anatoly", "tolya"),
    ("boris", "borya"),
    ("dmitry", "dima"),
    ("dmitri", "dima"),
    ("dmitriy", "dima"),
    ("yevgeny", "zhenya"),
    ("evgeny", "zhenya"),
    ("ivan", "vanya"),
    ("mikhail", "misha"),
    ("nikolai", "kolya"),
    ("nikolay", "kolya"),
    ("pavel", "pasha"),
    ("sergei", "seryozha"),
    ("sergey", "seryozha"),
    ("vladimir", "volodya"),
    ("vladimir", "vova"),
    ("yuri", "yura"),
    ("yury", "yura"),
    ("viktor", "vitya"),
    ("igor", "garik"),
];

struct Table {
    ids: HashMap<&'static str, u32>,
    /// Sorted ids of the names each name is equivalent to.
    neighbours: Vec<Vec<u32>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Table { ids: HashMap::new(), neighbours: Vec::new() };
        let id = |t: &mut Table, n: &'static str| -> u32 {
            let next = t.ids.len() as u32;
            let i = *t.ids.entry(n).or_insert(next);
            if i as usize == t.neighbours.len() {
                t.neighbours.push(Vec::new());
            }
            i
        };
        let mut pairs: Vec<(&'static str, &'static str)> = EXTRA.to_vec();
        for line in CSV.lines() {
            let mut names = line.trim().split(',').map(str::trim).filter(|n| n.len() >= 2 && n.bytes().all(|b| b.is_ascii_lowercase()));
            if let Some(head) = names.next() {
                pairs.extend(names.map(|n| (head, n)));
            }
        }
        for (a, b) in pairs {
            if a == b {
                continue;
            }
            let (x, y) = (id(&mut t, a), id(&mut t, b));
            t.neighbours[x as usize].push(y);
            t.neighbours[y as usize].push(x);
        }
        for n in &mut t.neighbours {
            n.sort_unstable();
            n.dedup();
        }
        t
    })
}

/// The table's id of a folded given name, if it has one.
pub fn id(name: &str) -> Option<u32> {
    table().ids.get(name).copied()
}

/// Whether two names (by [`id`]) are given as equivalents.
pub fn equivalent(a: u32, b: u32) -> bool {
    table().neighbours.get(a as usize).is_some_and(|n| n.binary_search(&b).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, b: &str) -> bool {
        matches!((id(a), id(b)), (Some(x), Some(y)) if equivalent(x, y))
    }

    #[test]
    fn pairs() {
        assert!(eq("bill", "william") && eq("william", "bill"));
        assert!(eq("ted", "edward") && eq("bibi", "benjamin") && eq("barry", "barack"));
        assert!(!eq("bill", "john"));
        assert!(id("zzz").is_none());
    }
}
