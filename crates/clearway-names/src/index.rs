//! Candidate generation and search over every name and alias of the loaded lists.
//!
//! Each alias is indexed under three kinds of key: its tokens, their phonetic keys and the character
//! trigrams of its tokens. A query collects aliases through the keys of its tokens, each hit weighted by
//! the key's rarity (IDF); trigram keys are used for query tokens the vocabulary does not know (typos),
//! and for all tokens when nothing else gives a candidate (the recall-safe fallback). The best
//! candidates are scored pairwise and grouped by entity.

use std::cell::RefCell;
use std::collections::HashMap;

use clearway_lists::{Entity, NameKind, Schema, Script};
use serde::Serialize;

use crate::countries::country_code;
use crate::normalize::{Kind, NormName, normalize, split_aliases};
use crate::score::{Core, Explained, Facts, KEY_CAP, MIN_TOKEN_SIM, cap_key_match, comparable, explain, forms, id_key, key_label, qualify, qualify_score, score_core, skeleton, token_sim_floor};

/// Candidates scored pairwise per query.
pub const CANDIDATES: usize = 40;

struct Alias {
    entity: u32,
    name: u16,
    /// The script the name is written in, and the Latin key this alias is (scheme, rendering), if it is one.
    origin: Script,
    key: Option<(&'static str, String)>,
    norm: NormName,
    /// Vocabulary id of each token (text and kind): token similarities are computed once per query and
    /// vocabulary entry.
    vocab: Box<[u32]>,
}

/// What the index keeps of an entity.
#[derive(Debug, Clone)]
pub struct Listed {
    pub list: String,
    pub id: String,
    pub schema: Schema,
    pub caption: String,
    pub facts: Facts,
    pub programmes: Vec<String>,
    pub fingerprint: String,
    pub names: Vec<(String, NameKind)>,
}

/// A search index over entities.
pub struct Index {
    aliases: Vec<Alias>,
    entities: Vec<Listed>,
    postings: HashMap<u64, Vec<u32>>,
    /// Distinct (kind, vowel-less, exact, text) tokens of all aliases.
    vocab_size: usize,
    /// Whether any alias is a vowel-less key (an Arabic, Hebrew, Thai or Devanagari name).
    abjad_aliases: bool,
}

/// Per-thread working memory of a search.
#[derive(Default)]
struct Scratch {
    /// Accumulated key weight per alias (zero when untouched) and the aliases touched.
    acc: Vec<f32>,
    touched: Vec<u32>,
    /// Token-similarity cache: `stamp[v] == generation` when vocabulary entry v has its row (the
    /// similarity to each query token, NaN below the floor) at `rows[slot[v] * nq..]`.
    stamp: Vec<u32>,
    slot: Vec<u32>,
    rows: Vec<f64>,
    generation: u32,
}

/// A party to screen.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub name: String,
    pub schema: Schema,
    pub facts: Facts,
}

/// One screening result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub list: String,
    pub entity_id: String,
    pub caption: String,
    pub schema: &'static str,
    /// The alias that matched best, and its kind.
    pub alias: String,
    pub alias_kind: NameKind,
    pub score: f64,
    pub explanation: Explained,
    pub programmes: Vec<String>,
    /// Content fingerprint of the listed entity (a disposition applies to this exact listing).
    pub fingerprint: String,
}

fn key(kind: u8, s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325 ^ kind as u64;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    h
}

fn trigrams(w: &str, mut f: impl FnMut(u64)) {
    let c: Vec<char> = std::iter::once('^').chain(w.chars()).chain(std::iter::once('$')).collect();
    let mut buf = String::with_capacity(12);
    for win in c.windows(3) {
        buf.clear();
        buf.extend(win);
        f(key(3, &buf));
    }
}

/// A consonant skeleton as a posting key.
fn skeleton_key(w: &str) -> String {
    String::from_utf8(skeleton(w)).unwrap_or_default()
}

fn indexable(k: Kind) -> bool {
    matches!(k, Kind::Word | Kind::Number)
}

/// The facts of a listed entity, as the scorer compares them.
pub fn entity_facts(e: &Entity) -> Facts {
    let mut countries: Vec<String> = Vec::new();
    for c in e.nationalities.iter().chain(e.addresses.iter().filter_map(|a| a.country.as_ref())) {
        if let Some(cc) = country_code(c) {
            if !countries.iter().any(|x| x == cc) {
                countries.push(cc.to_string());
            }
        }
    }
    Facts { dobs: e.dobs.clone(), countries, gender: e.gender, ids: e.identifiers.iter().map(|i| id_key(&i.value)).filter(|v| !v.is_empty()).collect() }
}

impl Index {
    /// Index every name of every entity; a name in a keyed script also under each of its Latin keys.
    pub fn build(entities: &[Entity]) -> Index {
        let mut idx = Index { aliases: Vec::new(), entities: Vec::with_capacity(entities.len()), postings: HashMap::new(), vocab_size: 0, abjad_aliases: false };
        let mut vocab: HashMap<(Kind, bool, bool, String), u32> = HashMap::new();
        for e in entities {
            let ei = idx.entities.len() as u32;
            idx.entities.push(Listed {
                list: e.list.clone(),
                id: e.id.clone(),
                schema: e.schema,
                caption: e.caption().to_string(),
                facts: entity_facts(e),
                programmes: e.programmes.clone(),
                fingerprint: e.fingerprint(),
                names: e.names.iter().map(|n| (n.full.clone(), n.kind)).collect(),
            });
            for (ni, n) in e.names.iter().enumerate().take(u16::MAX as usize) {
                // "X a.k.a. Y", "X/Y": each part is an alias of this name.
                for part in split_aliases(&n.full) {
                    let mut native = normalize(part, e.schema);
                    let keys = std::mem::take(&mut native.keys);
                    let origin = native.script;
                    let forms = std::iter::once((native, None)).chain(keys.into_iter().map(|k| (k.norm, Some((k.scheme, k.text)))));
                    for (norm, key) in forms {
                        if norm.is_empty() {
                            continue;
                        }
                        idx.add_alias(ei, ni as u16, origin, key, norm, &mut vocab);
                    }
                }
            }
        }
        idx.vocab_size = vocab.len();
        idx
    }

    fn add_alias(&mut self, entity: u32, name: u16, origin: Script, latin: Option<(&'static str, String)>, norm: NormName, vocab: &mut HashMap<(Kind, bool, bool, String), u32>) {
        let ai = self.aliases.len() as u32;
        let mut keys: Vec<u64> = Vec::new();
        for t in norm.tokens.iter().filter(|t| indexable(t.kind)) {
            if t.abjad {
                // Found by the skeletons of spelled-out query tokens (kind 5).
                keys.push(key(5, &skeleton_key(&t.text)));
                self.abjad_aliases = true;
                continue;
            }
            keys.push(key(1, &t.text));
            if t.phonetic.len() >= 2 {
                keys.push(key(2, &t.phonetic));
            }
            trigrams(&t.text, |k| keys.push(k));
            if t.kind == Kind::Word && t.ascii {
                // Found by vowel-less query tokens through its skeleton.
                let sk = skeleton_key(&t.text);
                if !sk.is_empty() {
                    keys.push(key(4, &sk));
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            self.postings.entry(k).or_default().push(ai);
        }
        let ids = norm
            .tokens
            .iter()
            .map(|t| {
                let n = vocab.len() as u32;
                *vocab.entry((t.kind, t.abjad, t.exact, t.text.clone())).or_insert(n)
            })
            .collect();
        self.aliases.push(Alias { entity, name, origin, key: latin, norm, vocab: ids });
    }

    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    pub fn alias_count(&self) -> usize {
        self.aliases.len()
    }

    pub fn entities(&self) -> &[Listed] {
        &self.entities
    }

    fn idf(&self, k: u64) -> (f32, Option<&Vec<u32>>) {
        match self.postings.get(&k) {
            Some(p) => (((self.aliases.len() as f32 + 1.0) / (p.len() as f32 + 1.0)).ln().max(0.05), Some(p)),
            None => (0.0, None),
        }
    }

    /// Search: the best `limit` entities for a query, best first, each with the alias that matched. A
    /// name in a keyed script searches as written and through each of its Latin keys (`scripts`); the
    /// best form per entity wins and the explanation names it.
    pub fn search(&self, q: &Query, limit: usize) -> Vec<Hit> {
        let parts = split_aliases(&q.name);
        if parts.len() > 1 {
            // A party named "X a.k.a. Y" or "X/Y": each part searched, the best hit per entity kept.
            let mut all: Vec<Hit> = Vec::new();
            for p in parts {
                for h in self.search(&Query { name: p.to_string(), schema: q.schema, facts: q.facts.clone() }, limit) {
                    match all.iter_mut().find(|x| x.list == h.list && x.entity_id == h.entity_id) {
                        Some(x) if x.score >= h.score => {}
                        Some(x) => *x = h,
                        None => all.push(h),
                    }
                }
            }
            all.sort_by(|x, y| y.score.total_cmp(&x.score).then_with(|| x.list.cmp(&y.list)).then_with(|| x.entity_id.cmp(&y.entity_id)));
            all.truncate(limit);
            return all;
        }
        let qn = normalize(&q.name, q.schema);
        if qn.is_empty() || self.aliases.is_empty() {
            return Vec::new();
        }
        // (entity, alias, score, form of the query, alignment): the best per entity over the forms.
        let mut best: Vec<(u32, u32, f64, usize, Core)> = Vec::with_capacity(CANDIDATES);
        for (fi, (form, key)) in forms(&qn).enumerate() {
            self.score_candidates(form, qn.script, key.is_some(), q, |ei, a, s, core: &Core| match best.iter_mut().find(|b| b.0 == ei) {
                Some(b) if b.2 >= s => {}
                Some(b) => *b = (ei, a, s, fi, *core),
                None => best.push((ei, a, s, fi, *core)),
            });
        }
        best.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)));
        best.truncate(limit);
        best.into_iter()
            .map(|(ei, a, s, fi, core)| {
                let ent = &self.entities[ei as usize];
                let al = &self.aliases[a as usize];
                let (form, qkey) = forms(&qn).nth(fi).unwrap_or((&qn, None));
                // The aligned pairs' similarities, as they were scored (the same function the cache holds).
                let mut e = explain(form, &al.norm, &core);
                if qkey.is_some() || al.key.is_some() {
                    cap_key_match(&mut e);
                }
                let mut e = qualify(e, &q.facts, &ent.facts);
                if al.norm.tokens.len() == 1 && form.tokens.len() > 1 && ent.names[al.name as usize].1 == NameKind::Weak {
                    e.score *= 0.9;
                    e.qualifiers.push("weak-alias".into());
                }
                if qkey.is_some() || al.key.is_some() {
                    e.key = Some(key_label(qkey, al.key.as_ref().map(|(s, t)| (*s, t.as_str()))));
                }
                debug_assert_eq!(e.score, s);
                let (alias, kind) = ent.names[al.name as usize].clone();
                Hit {
                    list: ent.list.clone(),
                    entity_id: ent.id.clone(),
                    caption: ent.caption.clone(),
                    schema: ent.schema.as_str(),
                    alias,
                    alias_kind: kind,
                    score: e.score,
                    explanation: e,
                    programmes: ent.programmes.clone(),
                    fingerprint: ent.fingerprint.clone(),
                }
            })
            .collect()
    }

    /// Candidate generation and scoring of one form of the query (as written, or a Latin key): each
    /// candidate alias comparable with it is scored (name and qualifiers) and given to `found`.
    fn score_candidates(&self, qn: &NormName, q_script: Script, q_key: bool, q: &Query, mut found: impl FnMut(u32, u32, f64, &Core)) {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let s = &mut *s;
            if s.acc.len() != self.aliases.len() {
                s.acc.clear();
                s.acc.resize(self.aliases.len(), 0.0);
            }
            let (acc, touched) = (&mut s.acc, &mut s.touched);
            touched.clear();
            // Add a posting list's weight; an alias seen for the first time is appended to `touched`
            // (written unconditionally, kept by advancing the end: no branch per posting).
            let add = |p: &Vec<u32>, w: f32, acc: &mut [f32], touched: &mut Vec<u32>| {
                let start = touched.len();
                touched.resize(start + p.len(), 0);
                let tail = &mut touched[start..];
                let mut n = 0;
                for &a in p {
                    let slot = &mut acc[a as usize];
                    tail[n] = a;
                    n += usize::from(*slot == 0.0);
                    *slot += w;
                }
                touched.truncate(start + n);
            };
            let toks: Vec<_> = qn.tokens.iter().filter(|t| indexable(t.kind)).collect();
            let toks = if toks.is_empty() { qn.tokens.iter().collect() } else { toks };
            let mut unknown = Vec::new();
            for t in &toks {
                if t.abjad {
                    // A vowel-less token meets spelled-out tokens through their consonant skeleton only.
                    let sk = skeleton_key(&t.text);
                    if let (w, Some(p)) = self.idf(key(4, &sk)) {
                        if p.len() < self.aliases.len() / 4 || toks.len() == 1 {
                            add(p, w, acc, touched);
                        }
                    }
                    continue;
                }
                let (w, p) = self.idf(key(1, &t.text));
                match p {
                    Some(p) if p.len() < self.aliases.len() / 4 || toks.len() == 1 => add(p, w, acc, touched),
                    Some(_) => {}
                    None => unknown.push(*t),
                }
                if t.phonetic.len() >= 2 {
                    if let (w, Some(p)) = self.idf(key(2, &t.phonetic)) {
                        if p.len() < self.aliases.len() / 4 {
                            add(p, 0.6 * w, acc, touched);
                        }
                    }
                }
                // A spelled-out form of the query meets vowel-less list aliases by skeleton, but only when
                // it is itself a key (an Arabic query's rendering is not, a Hangul query's is): a Latin
                // query finds those entities through their Latin names, which the lists always give, and
                // does not pay for a skeleton lookup.
                if q_key && self.abjad_aliases && t.kind == Kind::Word && t.ascii {
                    if let (w, Some(p)) = self.idf(key(5, &skeleton_key(&t.text))) {
                        add(p, 0.6 * w, acc, touched);
                    }
                }
            }
            let fallback = touched.is_empty();
            for t in toks.iter().filter(|t| !t.abjad && (fallback || unknown.iter().any(|u| std::ptr::eq(*u, **t)))) {
                let mut grams = Vec::new();
                trigrams(&t.text, |k| grams.push(k));
                let n = grams.len().max(1) as f32;
                for g in grams {
                    if let Some(p) = self.postings.get(&g) {
                        if p.len() < self.aliases.len() / 8 {
                            let w = ((self.aliases.len() as f32 + 1.0) / (p.len() as f32 + 1.0)).ln().max(0.05);
                            add(p, 0.8 * w / n, acc, touched);
                        }
                    }
                }
            }
            // Top candidates by accumulated key weight (ties: lower alias index), best first: a min-heap
            // of the best k keys. The weights are positive, so their bit patterns order as they do.
            // Aliases this form may not be compared with (a key against its own script) are passed over.
            let check = q_key || crate::scripts::keyed(q_script);
            let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<u64>> = std::collections::BinaryHeap::with_capacity(CANDIDATES + 1);
            let mut floor = 0u64;
            for &a in touched.iter() {
                let w = acc[a as usize];
                acc[a as usize] = 0.0;
                // Below the heap's least weight: out (one comparison for most aliases).
                if heap.len() == CANDIDATES && w.to_bits() < (floor >> 32) as u32 {
                    continue;
                }
                // A name as written in a Latin-family script compares with every alias: no look-up (an
                // alias read here for every touched alias costs a cache miss each).
                if check {
                    let al = &self.aliases[a as usize];
                    if !comparable(q_script, q_key, al.origin, al.key.is_some()) {
                        continue;
                    }
                }
                let key = (u64::from(w.to_bits()) << 32) | u64::from(!a);
                if heap.len() < CANDIDATES {
                    heap.push(std::cmp::Reverse(key));
                    floor = heap.peek().map_or(0, |r| r.0);
                } else if key > floor {
                    if let Some(mut top) = heap.peek_mut() {
                        *top = std::cmp::Reverse(key);
                    }
                    floor = heap.peek().map_or(0, |r| r.0);
                }
            }
            if heap.is_empty() {
                return;
            }
            // Ascending Reverse = descending key: best first.
            let cands: Vec<u64> = heap.into_sorted_vec().into_iter().map(|r| r.0).collect();
            // Token similarities once per query token × vocabulary entry.
            if s.stamp.len() < self.vocab_size {
                s.stamp.resize(self.vocab_size, 0);
                s.slot.resize(self.vocab_size, 0);
            }
            s.generation = s.generation.wrapping_add(1);
            if s.generation == 0 {
                s.stamp.iter_mut().for_each(|x| *x = 0);
                s.generation = 1;
            }
            s.rows.clear();
            let nq = qn.tokens.len();
            let (stamp, slot, rows, generation) = (&mut s.stamp, &mut s.slot, &mut s.rows, s.generation);
            let fill = |al: &Alias, stamp: &mut [u32], slot: &mut [u32], rows: &mut Vec<f64>| {
                for (j, &v) in al.vocab.iter().enumerate() {
                    let v = v as usize;
                    if stamp[v] != generation {
                        stamp[v] = generation;
                        slot[v] = (rows.len() / nq.max(1)) as u32;
                        let b = &al.norm.tokens[j];
                        rows.extend(qn.tokens.iter().map(|a| token_sim_floor(a, b, MIN_TOKEN_SIM).unwrap_or(f64::NAN)));
                    }
                }
            };
            let sim = |al: &Alias, rows: &[f64], slot: &[u32], i: usize, j: usize| {
                let x = rows[slot[al.vocab[j] as usize] as usize * nq + i];
                (!x.is_nan()).then_some(x)
            };
            // Score every candidate (name score and qualifiers, no explanation).
            for key in cands {
                let a = !(key as u32);
                let al = &self.aliases[a as usize];
                let ent = &self.entities[al.entity as usize];
                fill(al, stamp, slot, rows);
                let Some(core) = score_core(qn, &al.norm, |i, j| sim(al, rows, slot, i, j)) else {
                    continue;
                };
                if core.score() <= 0.0 {
                    continue;
                }
                let name = if q_key || al.key.is_some() { core.score().min(KEY_CAP) } else { core.score() };
                let mut s = qualify_score(name, &q.facts, &ent.facts, |_| {});
                if al.norm.tokens.len() == 1 && qn.tokens.len() > 1 && ent.names[al.name as usize].1 == NameKind::Weak {
                    s *= 0.9;
                }
                found(al.entity, a, s, &core);
            }
        })
    }
}
