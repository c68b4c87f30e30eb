//! The pairwise scorer: align name parts (each token of either side used once), weigh them, penalise
//! unmatched parts asymmetrically, and adjust by qualifiers (date of birth, country, gender, identifiers).
//! The score is graded in [0, 1]: 1.0 only when the folded names are identical.

use clearway_lists::{PartialDate, Schema, Script};
use serde::Serialize;

use crate::normalize::{Kind, NormName, Token, normalize};

/// Penalty rate (per unit of weight) for parts unmatched on both sides.
pub const CONFLICT: f64 = 0.55;
/// Penalty rate (per unit of weight) for list-name parts the party lacks (people: optional middle names).
pub const EXTRA: f64 = 0.10;
/// Penalty rate for party-name parts the list name lacks.
pub const EXTRA_QUERY: f64 = 0.20;
/// The same two for organisations, whose every word is distinctive.
pub const EXTRA_ORG: f64 = 0.20;
pub const EXTRA_ORG_QUERY: f64 = 0.30;

fn is_org(n: &NormName) -> bool {
    n.org || n.tokens.iter().any(|t| matches!(t.kind, Kind::Legal(_)))
}
/// Similarity of a query's last word to a list word it begins (a name cut by a field limit): just above
/// the alignment floor, so it helps a match the other words make and never makes one alone.
pub const PREFIX_SIM: f64 = 0.65;
/// Similarity of given-name equivalents (`given`: Bill — William): just above the alignment floor, so
/// the two words are not a conflict, but the pair never makes a match alone.
pub const GIVEN_SIM: f64 = 0.62;
/// Token similarity below which two tokens do not align.
pub const MIN_TOKEN_SIM: f64 = 0.6;

/// One aligned pair of tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aligned {
    pub query: String,
    pub result: String,
    pub similarity: f64,
}

/// A score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Explained {
    pub score: f64,
    /// Name score before qualifiers.
    pub name_score: f64,
    pub alignment: Vec<Aligned>,
    pub unmatched_query: Vec<String>,
    pub unmatched_result: Vec<String>,
    /// Qualifier effects, in words (`dob-match 1962`, `country-conflict` ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<String>,
    /// When the names are in different scripts: the transliteration key that matched, per side
    /// (`ar: mhmd ly`; `native` for a side compared as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Levenshtein distance over chars (names are cut at 64 chars).
pub fn levenshtein(a: &[char], b: &[char]) -> usize {
    edit_distance(a, b, false) as usize
}

/// Pairs of letters that transliterations and handwriting confuse (rigour's compare table): a substitution
/// between them costs half an edit.
const SIMILAR: [(char, char); 14] = [
    ('0', 'o'), ('1', 'i'), ('1', 'l'), ('5', 's'), ('e', 'i'), ('o', 'u'), ('i', 'j'), ('i', 'y'), ('y', 'j'), ('c', 'k'),
    ('n', 'h'), ('s', 'z'), ('v', 'w'), ('f', 'v'),
];

/// `SIMILAR` as a bit table over ASCII: bit `y` of `SIMILAR_BITS[x]` is set when x and y are confusable.
const SIMILAR_BITS: [u128; 128] = {
    let mut t = [0u128; 128];
    let mut i = 0;
    while i < SIMILAR.len() {
        let (a, b) = (SIMILAR[i].0 as usize, SIMILAR[i].1 as usize);
        t[a] |= 1u128 << b;
        t[b] |= 1u128 << a;
        i += 1;
    }
    t
};

/// Substitution cost in half edits: 0 (equal), 1 (confusable), 2.
#[inline]
fn half_sub(x: u32, y: u32) -> u32 {
    if x == y {
        0
    } else if x < 128 && y < 128 && (SIMILAR_BITS[x as usize] >> y) & 1 == 1 {
        1
    } else {
        2
    }
}

/// The longest text the edit distances compare (in characters); longer text is cut.
const MAX_EDIT: usize = 64;

/// Optimal-string-alignment distance (adjacent transpositions count one edit) over the first 64
/// characters of each side, in units: half edits when `weighted` (confusable substitutions cost one
/// unit, other edits two), whole edits otherwise. `None` when the distance exceeds `bound` units; the
/// computation stops as soon as no cell can come back under the bound.
fn osa_bounded<T: Copy + Eq + Into<u32>>(a: &[T], b: &[T], weighted: bool, bound: u32) -> Option<u32> {
    let a = &a[..a.len().min(MAX_EDIT)];
    let b = &b[..b.len().min(MAX_EDIT)];
    let (n, m) = (a.len(), b.len());
    let unit: u32 = if weighted { 2 } else { 1 };
    if (n.abs_diff(m) as u32) * unit > bound {
        return None;
    }
    if n == 0 || m == 0 {
        let d = (n.max(m) as u32) * unit;
        return (d <= bound).then_some(d);
    }
    // A cell off the diagonal by more than `band` costs more than the bound (each step off it is an
    // insertion or deletion): only the band is computed, the cells beside it are "infinite".
    const INF: u16 = 0x3fff;
    let band = (bound / unit).min(MAX_EDIT as u32) as usize;
    let mut d = [[INF; MAX_EDIT + 2]; 3];
    for (j, x) in d[0].iter_mut().enumerate().take(m.min(band) + 1) {
        *x = (j as u32 * unit) as u16;
    }
    let (mut prev2, mut prev, mut cur) = (2usize, 0usize, 1usize);
    let mut prev_min: u32 = 0;
    let unit16 = unit as u16;
    for i in 1..=n {
        let ai = a[i - 1];
        let lo = i.saturating_sub(band).max(1);
        let hi = (i + band).min(m);
        let row = &mut d[cur];
        if lo == 1 {
            row[0] = if i <= band { (i as u32 * unit) as u16 } else { INF };
        } else {
            row[lo - 1] = INF;
        }
        row[hi + 1] = INF;
        let mut row_min = INF;
        for j in lo..=hi {
            let bj = b[j - 1];
            let cost = if weighted { half_sub(ai.into(), bj.into()) as u16 } else { u16::from(ai != bj) };
            let mut v = (d[prev][j] + unit16).min(d[cur][j - 1] + unit16).min(d[prev][j - 1] + cost);
            if i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj && ai != bj {
                v = v.min(d[prev2][j - 2] + unit16);
            }
            d[cur][j] = v;
            row_min = row_min.min(v);
        }
        if lo == 1 {
            row_min = row_min.min(d[cur][0]);
        }
        // Later rows draw on this row (any step) and the previous one (a transposition, one edit).
        if row_min as u32 > bound && prev_min + unit > bound {
            return None;
        }
        prev_min = row_min as u32;
        prev2 = prev;
        prev = cur;
        cur = (cur + 1) % 3;
    }
    let v = d[prev][m] as u32;
    (v <= bound).then_some(v)
}

/// Edit distance with adjacent transpositions (optimal string alignment); with `weighted`, confusable
/// substitutions cost 0.5.
pub fn edit_distance(a: &[char], b: &[char], weighted: bool) -> f64 {
    let units = osa_bounded(a, b, weighted, u32::MAX).unwrap_or(0);
    if weighted { units as f64 / 2.0 } else { units as f64 }
}

#[cfg(test)]
fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// Similarity of two tokens in [0, 1].
pub fn token_sim(a: &Token, b: &Token) -> f64 {
    token_sim_floor(a, b, f64::NEG_INFINITY).unwrap_or(0.0)
}

/// Similarity of two tokens when it is at least `floor` (below it `None`, computed only as far as
/// needed to know that). The same value as [`token_sim`] whenever it is returned.
#[inline]
pub(crate) fn token_sim_floor(a: &Token, b: &Token, floor: f64) -> Option<f64> {
    let s = match (a.kind, b.kind) {
        (Kind::Legal(x), Kind::Legal(y)) => {
            if x == y {
                1.0
            } else {
                0.6
            }
        }
        (Kind::Legal(_), _) | (_, Kind::Legal(_)) => 0.0,
        (Kind::Number, Kind::Number) => f64::from(u8::from(a.text == b.text)),
        (Kind::Number, _) | (_, Kind::Number) => 0.0,
        (Kind::Initial, Kind::Initial) => f64::from(u8::from(a.text == b.text)),
        (Kind::Initial, _) => {
            if b.text.starts_with(a.text.as_str()) {
                0.75
            } else {
                0.0
            }
        }
        (_, Kind::Initial) => {
            if a.text.starts_with(b.text.as_str()) {
                0.75
            } else {
                0.0
            }
        }
        _ if a.abjad != b.abjad => return skeleton_sim(a, b, floor),
        _ if a.exact != b.exact => return (a.text == b.text && 1.0 >= floor).then_some(1.0),
        _ => {
            let s = word_sim_floor(a, b, floor);
            // A query's last word cut short ("DR" for "DRUMMOND"): a weak match of the word it begins.
            if a.last && s.is_none_or(|s| s < PREFIX_SIM) && a.nchars >= 2 && b.nchars >= a.nchars + 2 && b.text.starts_with(a.text.as_str()) {
                return (PREFIX_SIM >= floor).then_some(PREFIX_SIM);
            }
            // Given-name equivalents (Bill, William): aligned, weakly.
            if let (Some(x), Some(y)) = (a.given, b.given) {
                if s.is_none_or(|s| s < GIVEN_SIM) && crate::given::equivalent(x, y) {
                    return (GIVEN_SIM >= floor).then_some(GIVEN_SIM);
                }
            }
            return s;
        }
    };
    (s >= floor).then_some(s)
}

/// Consonant classes of a Latin word or rendering: vowels (and `y`) dropped, digraphs read as one sound
/// (`kh`, `gh`, `sh`, `ch`, `th`, `dh`, `ph`, `zh`, `dj`, `ts`), sound-alike letters merged (k/q/c/g → K,
/// s/z → S, b/p → B), `w`/`v` one weak class W and `h` weak (H), doubled letters once. Arabic `محمد`
/// (rendered `mhmd`), `Mohammed` and `Muhamad` all give `MHMD`.
pub fn skeleton(w: &str) -> Vec<u8> {
    let b = w.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let n = b.get(i + 1).copied().unwrap_or(0);
        let (class, skip) = match (c, n) {
            (b'k' | b'g', b'h') => (b'K', 2),
            (b's', b'h') => (b'S', 2),
            (b'c', b'h') => (b'C', 2),
            (b't' | b'd', b'h') => (c.to_ascii_uppercase(), 2),
            (b'p', b'h') => (b'F', 2),
            (b'z', b'h') | (b'd', b'j') => (b'J', 2),
            (b't', b's' | b'z') => (b'S', 2),
            (b'c', b'k') => (b'K', 2),
            (b'a' | b'e' | b'i' | b'o' | b'u' | b'y', _) => (0, 1),
            (b'k' | b'q' | b'c' | b'g', _) => (b'K', 1),
            (b'x', _) => (b'K', 1),
            (b's' | b'z', _) => (b'S', 1),
            (b'b' | b'p', _) => (b'B', 1),
            (b'v' | b'w', _) => (b'W', 1),
            (b'f', _) => (b'F', 1),
            (b'j', _) => (b'J', 1),
            (b'h', _) => (b'H', 1),
            (b't', _) => (b'T', 1),
            (b'd', _) => (b'D', 1),
            (b'l' | b'm' | b'n' | b'r', _) => (c.to_ascii_uppercase(), 1),
            (d, _) if d.is_ascii_digit() => (d, 1),
            _ => (0, 1),
        };
        if class != 0 && out.last() != Some(&class) {
            out.push(class);
        }
        i += skip;
    }
    out
}

/// Substitution cost of two skeleton classes in half edits: sounds that transliterations of one letter
/// spread over (j/g, ch/sh/k, t/d, b/f/v, m/n before a consonant, h/kh) cost one.
fn skel_sub(x: u8, y: u8) -> u32 {
    if x == y {
        return 0;
    }
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    match (a, b) {
        (b'J', b'K') | (b'C', b'S') | (b'C', b'K') | (b'C', b'J') | (b'J', b'S') | (b'D', b'T') | (b'B', b'F') | (b'B', b'W') | (b'F', b'W')
        | (b'M', b'N') | (b'H', b'K') | (b'D', b'S') | (b'S', b'T') | (b'L', b'R') => 1,
        _ => 2,
    }
}

/// Edit distance of two skeletons in half edits: weak classes (W, H, and L, which the article loses
/// before sun letters: `Shams ud-Din`) cost one to insert or delete.
fn skel_distance(a: &[u8], b: &[u8]) -> u32 {
    let indel = |c: u8| if matches!(c, b'W' | b'H' | b'L') { 1 } else { 2 };
    let mut prev: Vec<u32> = std::iter::once(0).chain(b.iter().scan(0, |s, &c| {
        *s += indel(c);
        Some(*s)
    })).collect();
    let mut cur = vec![0u32; b.len() + 1];
    for &x in a {
        cur[0] = prev[0] + indel(x);
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + skel_sub(x, y)).min(prev[j + 1] + indel(x)).min(cur[j] + indel(y));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The best similarity a skeleton match gives: below the default alert band (0.92), so a name matched
/// only through unwritten vowels goes to review, never to an alert by itself.
pub const SKELETON_SIM: f64 = 0.88;

/// Similarity of a token from a vowel-less rendering and a token spelled in full: their skeletons
/// within an edit budget by length (half edits: none up to one consonant, one up to three, two up to
/// five, three beyond), graded from [`SKELETON_SIM`] down by 0.06 per half edit.
fn skeleton_sim(a: &Token, b: &Token, floor: f64) -> Option<f64> {
    if !a.ascii || !b.ascii {
        return None;
    }
    let (sa, sb) = (skeleton(&a.text), skeleton(&b.text));
    if sa.is_empty() || sb.is_empty() {
        return None;
    }
    let n = sa.len().max(sb.len());
    let allowed = match n {
        1 => 0,
        2..=3 => 1,
        4..=5 => 2,
        _ => 3,
    };
    if (sa.len().abs_diff(sb.len()) as u32) > allowed * 2 {
        return None;
    }
    let d = skel_distance(&sa, &sb);
    if d > allowed {
        return None;
    }
    let s = SKELETON_SIM - 0.06 * d as f64;
    (s >= floor).then_some(s)
}

/// Edits a word of this length (the longer of the two) may carry and still be the same name.
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        7..=11 => 2,
        _ => 3,
    }
}

/// Word similarity: equal 1; a spelling variant within the edit budget graded by its edits; beyond the
/// budget below the alignment floor unless the phonetic keys agree within one more edit (0.7). `None`
/// when below `floor`; with a floor at or above [`MIN_TOKEN_SIM`] the distance is bounded by the budget.
fn word_sim_floor(ta: &Token, tb: &Token, floor: f64) -> Option<f64> {
    let (a, b, pa, pb) = (ta.text.as_str(), tb.text.as_str(), ta.phonetic.as_str(), tb.phonetic.as_str());
    let (la, lb) = (ta.nchars as usize, tb.nchars as usize);
    let (max, min) = (la.max(lb), la.min(lb));
    let allowed = allowed_edits(max);
    let bounded = floor >= MIN_TOKEN_SIM;
    // The distance is at least the difference in length (of the first 64 characters compared): beyond
    // the budget plus one edit, nothing can bring the similarity up to the floor.
    if bounded && max <= MAX_EDIT && la.abs_diff(lb) > allowed + 1 {
        return None;
    }
    // The signature's lower bound against the loosest bound (the budget plus the phonetic edit) first.
    let sig = if bounded { sig_distance(&ta.sig, &tb.sig) } else { 0 };
    if sig > 2 * (allowed + 1) as u32 {
        return None;
    }
    if a == b {
        return (1.0 >= floor).then_some(1.0);
    }
    let rescue = min >= 3 && pa == pb && !pa.is_empty();
    // Beyond the budget (plus one edit when the keys agree) the similarity is below MIN_TOKEN_SIM.
    let bound = if bounded { 2 * (allowed + usize::from(rescue)) as u32 } else { u32::MAX };
    if sig > bound {
        return None;
    }
    let units = if ta.ascii && tb.ascii {
        osa_bounded(a.as_bytes(), b.as_bytes(), true, bound)?
    } else {
        let mut ca = ['\0'; MAX_EDIT];
        let mut cb = ['\0'; MAX_EDIT];
        let na = fill(&mut ca, a);
        let nb = fill(&mut cb, b);
        osa_bounded(&ca[..na], &cb[..nb], true, bound)?
    };
    let d = units as f64 / 2.0;
    let allowed = allowed as f64;
    let mut s = if d <= allowed {
        // A spelling variant: graded by the number of edits.
        1.0 - 0.1 * d - 0.05 * (d - 1.0).max(0.0)
    } else {
        // Too many edits for a variant: a different name, unless it sounds the same.
        (1.0 - d / max as f64).min(MIN_TOKEN_SIM - 0.01)
    };
    if rescue && d <= allowed + 1.0 {
        s = s.max(0.7);
    }
    (s >= floor).then_some(s)
}

/// Sum of absolute differences of two signatures: a lower bound of the weighted edit distance in half
/// edits (see [`crate::normalize::signature`]).
#[inline]
fn sig_distance(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    a.iter().zip(b.iter()).map(|(x, y)| u32::from(x.abs_diff(*y))).sum()
}

/// The first 64 characters of `s` into `buf`; returns how many.
fn fill(buf: &mut [char; MAX_EDIT], s: &str) -> usize {
    let mut n = 0;
    for c in s.chars().take(MAX_EDIT) {
        buf[n] = c;
        n += 1;
    }
    n
}

/// Most tokens a name keeps (normalize::MAX_TOKENS) and most candidate pairs of two names.
const MAXT: usize = 32;

/// The alignment of two names and its score, without allocation.
#[derive(Clone, Copy)]
pub(crate) struct Core {
    score: f64,
    /// Aligned (query token, result token): in the order they were chosen, then by query token.
    pairs: [(u8, u8); MAXT],
    npairs: u8,
    /// Similarity of each aligned query token to its partner (indexed by query token).
    sims: [f64; MAXT],
    /// Bit i set: query (result) token i is aligned.
    used_q: u32,
    used_r: u32,
}

impl Core {
    fn used_q(&self, i: usize) -> bool {
        self.used_q >> i.min(MAXT - 1) & 1 == 1
    }
    fn used_r(&self, j: usize) -> bool {
        self.used_r >> j.min(MAXT - 1) & 1 == 1
    }
}

/// Characters of a name's tokens joined without spaces (the first 64 into `buf`); returns (kept, total).
fn compact_chars<'a>(n: &NormName, buf: &'a mut [char; MAX_EDIT]) -> (&'a [char], usize) {
    let mut kept = 0;
    let mut total = 0;
    for t in &n.tokens {
        for c in t.text.chars() {
            if kept < MAX_EDIT {
                buf[kept] = c;
                kept += 1;
            }
            total += 1;
        }
    }
    (&buf[..kept], total)
}

/// The alignment and score. `sim(i, j)` is the similarity of query token i and result token j when at
/// least [`MIN_TOKEN_SIM`] (`token_sim_floor`, or a cache of it).
/// The largest distance at which the spacing check `1 − d / max ≥ 0.85` holds.
fn compact_bound(max: usize) -> u32 {
    let mut l = (0.15 * max as f64).floor() as u32 + 1;
    while l > 0 && 1.0 - l as f64 / (max as f64) < 0.85 {
        l -= 1;
    }
    l
}

/// Whether the names without spaces can be within 15 % edits of each other (a cheap necessary condition
/// of the spacing check). The sum of a name's token signatures is the signature of its characters joined,
/// exact while the joined name is shorter than 64 characters; an unweighted edit changes the sum of
/// absolute differences by at most 2, and the lengths differ by at least the distance.
fn compact_may_match(q: &NormName, r: &NormName) -> bool {
    let (lq, lr) = (q.joined_len, r.joined_len);
    if lq >= MAX_EDIT as u32 || lr >= MAX_EDIT as u32 {
        return true;
    }
    let bound = compact_bound(lq.max(lr).max(1) as usize);
    if lq.abs_diff(lr) > bound {
        return false;
    }
    sig_distance(&q.joined_sig, &r.joined_sig) <= 2 * bound
}

/// The alignment and score. `sim(i, j)` is the similarity of query token i and result token j when at
/// least [`MIN_TOKEN_SIM`] (`token_sim_floor`, or a cache of it).
pub(crate) fn score_core(q: &NormName, r: &NormName, mut sim: impl FnMut(usize, usize) -> Option<f64>) -> Option<Core> {
    let (nq, nr) = (q.tokens.len().min(MAXT), r.tokens.len().min(MAXT));
    if nq == 0 || nr == 0 {
        return None;
    }
    // Candidate pairs at or above the floor, then greedy alignment by similarity × weight.
    let mut small = [(0f64, 0f64, 0u8, 0u8); 36];
    let mut big = Vec::new();
    let cands: &mut [(f64, f64, u8, u8)] = if nq * nr <= small.len() { &mut small[..] } else {
        big.resize(nq * nr, (0f64, 0f64, 0u8, 0u8));
        &mut big[..]
    };
    let mut nc = 0;
    for (i, a) in q.tokens.iter().enumerate().take(nq) {
        for (j, b) in r.tokens.iter().enumerate().take(nr) {
            if let Some(s) = sim(i, j) {
                cands[nc] = (s, s * (a.weight + b.weight), i as u8, j as u8);
                nc += 1;
            }
        }
    }
    let cands = &mut cands[..nc];
    cands.sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(y.0.total_cmp(&x.0)).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)));
    let mut c = Core { score: 0.0, pairs: [(0, 0); MAXT], npairs: 0, sims: [0.0; MAXT], used_q: 0, used_r: 0 };
    let (mut m, mut w) = (0.0, 0.0);
    let mut any_content = false;
    for &(s, _, i, j) in cands.iter() {
        if c.used_q >> i & 1 == 0 && c.used_r >> j & 1 == 0 {
            c.used_q |= 1 << i;
            c.used_r |= 1 << j;
            c.pairs[c.npairs as usize] = (i, j);
            c.npairs += 1;
            c.sims[i as usize] = s;
            let wp = (q.tokens[i as usize].weight + r.tokens[j as usize].weight) / 2.0;
            m += wp * s;
            w += wp;
            any_content |= matches!(q.tokens[i as usize].kind, Kind::Word | Kind::Number | Kind::Initial) && s >= MIN_TOKEN_SIM;
        }
    }
    let base = if w > 0.0 { m / w } else { 0.0 };
    // Unmatched weight per side: content tokens (words, numbers, initials) and symbols (legal forms,
    // particles) apart, so a legal form never stands in for a missing word.
    let content = |k: Kind| matches!(k, Kind::Word | Kind::Number | Kind::Initial);
    let (mut uq, mut ur, mut sym) = (0.0, 0.0, 0.0);
    for (i, t) in q.tokens.iter().enumerate() {
        if !c.used_q(i) {
            if content(t.kind) { uq += t.weight } else { sym += t.weight }
        }
    }
    for (j, t) in r.tokens.iter().enumerate() {
        if !c.used_r(j) {
            if content(t.kind) { ur += t.weight } else { sym += t.weight }
        }
    }
    // A part present on one side only is an extra (middle names, a longer alias): mild, and milder on the
    // list's side (lists carry full names; parties abbreviate). Parts unmatched on both sides are a
    // conflict (a different given name, another clan name): strong.
    let conflict = uq.min(ur);
    let (eq, er) = (uq - conflict, ur - conflict);
    let (rate_q, rate_r) = if is_org(q) || is_org(r) { (EXTRA_ORG_QUERY, EXTRA_ORG) } else { (EXTRA_QUERY, EXTRA) };
    let mut factor = (-CONFLICT * conflict - rate_q * eq - rate_r * er - EXTRA * sym).exp();
    // A match needs a content token (a word or a number), not only legal forms and particles.
    if !any_content {
        factor *= 0.3;
    }
    // Conflicting numbers are a strong sign of a different entity ("11420 CORP" vs "BELLETECH CORP").
    let qn = q.tokens.iter().any(|t| t.kind == Kind::Number);
    let rn = r.tokens.iter().any(|t| t.kind == Kind::Number);
    if qn != rn {
        factor *= 0.85;
    }
    let mut score = base * factor;
    // Word order: a small discount when aligned parts are out of order, so only identical names reach 1.
    c.pairs[..c.npairs as usize].sort_by_key(|p| p.0);
    let inversions = c.pairs[..c.npairs as usize].windows(2).filter(|p| p[1].1 < p[0].1).count();
    if inversions > 0 {
        score *= 0.99;
    }
    // Patronymic chains: "A bin B" is not "B bin A". When both names carry a chain, a part of the
    // person's own name (before the first bin/ibn/bint/ben) aligned with an ancestor's name (after one)
    // is a different person.
    if let (Some(gq), Some(gr)) = (chain_start(q), chain_start(r)) {
        if c.pairs[..c.npairs as usize].iter().any(|&(i, j)| ((i as usize) < gq) != ((j as usize) < gr) && q.tokens[i as usize].kind == Kind::Word) {
            score *= 0.75;
        }
    }
    // Spacing differences ("FridrichBuchenberg"): compare the names without spaces.
    if q.tokens.len() != r.tokens.len() && compact_may_match(q, r) {
        let (mut bq, mut br) = (['\0'; MAX_EDIT], ['\0'; MAX_EDIT]);
        let (cq, lq) = compact_chars(q, &mut bq);
        let (cr, lr) = compact_chars(r, &mut br);
        let max = lq.max(lr).max(1);
        // Only a distance of at most 15 % of the length can reach 0.85: bound the computation there.
        if let Some(lev) = osa_bounded(cq, cr, false, compact_bound(max)) {
            let compact = 1.0 - lev as f64 / max as f64;
            if compact >= 0.85 {
                score = score.max(0.95 * compact);
            }
        }
    }
    // Vowel-less against spelled-out names split into words differently (`abd al rhmn` / `Abdulrahman`):
    // compare the whole names' skeletons.
    let qa = q.tokens.iter().any(|t| t.abjad);
    if qa != r.tokens.iter().any(|t| t.abjad) && score < SKELETON_SIM {
        let whole = |n: &NormName| -> Vec<u8> { n.tokens.iter().filter(|t| t.ascii).flat_map(|t| skeleton(&t.text)).collect() };
        let (sq, sr) = (whole(q), whole(r));
        let len = sq.len().max(sr.len());
        if len >= 4 && sq.len().abs_diff(sr.len()) * 2 <= (0.3 * len as f64) as usize + 2 {
            let d = skel_distance(&sq, &sr) as f64 / 2.0;
            let sim = 1.0 - d / len as f64;
            if sim >= 0.85 {
                score = score.max(SKELETON_SIM * sim);
            }
        }
    }
    c.score = clamp01(score);
    Some(c)
}

/// The index of the first patronymic particle (`bin`, `ibn`, `bint`, `ben`, `binti`) after the first
/// token, if any.
fn chain_start(n: &NormName) -> Option<usize> {
    n.tokens.iter().skip(1).position(|t| t.kind == Kind::Particle && matches!(t.text.as_str(), "bin" | "ibn" | "bint" | "ben" | "binti")).map(|p| p + 1)
}

/// The name score of two normalised names (the score of [`score_names`], without the explanation).
pub fn name_score(q: &NormName, r: &NormName) -> f64 {
    name_score_with(q, r, |i, j| token_sim_floor(&q.tokens[i], &r.tokens[j], MIN_TOKEN_SIM))
}

/// [`name_score`] with the token similarities from `sim` (a cache of `token_sim_floor` at the floor).
pub(crate) fn name_score_with(q: &NormName, r: &NormName, sim: impl FnMut(usize, usize) -> Option<f64>) -> f64 {
    score_core(q, r, sim).map_or(0.0, |c| c.score)
}

/// Score two normalised names (query = the party, result = the list name). Names in different
/// scripts compare through their Latin keys (the best pair wins; [`Explained::key`] names it); names in
/// the same script compare as written.
pub fn score_names(q: &NormName, r: &NormName) -> Explained {
    let plain = |a: &NormName, b: &NormName| score_names_with(a, b, |i, j| token_sim_floor(&a.tokens[i], &b.tokens[j], MIN_TOKEN_SIM));
    let mut best = plain(q, r);
    if q.keys.is_empty() && r.keys.is_empty() {
        return best;
    }
    for (qf, qk) in forms(q) {
        for (rf, rk) in forms(r) {
            if (qk.is_none() && rk.is_none()) || !comparable(q.script, qk.is_some(), r.script, rk.is_some()) {
                continue;
            }
            let mut e = plain(qf, rf);
            cap_key_match(&mut e);
            if e.score > best.score {
                best = e;
                best.key = Some(key_label(qk, rk));
            }
        }
    }
    best
}

/// The highest name score a match through a Latin key gives: romanisation loses distinctions (MR without
/// breves writes 정 and 종 both `jong`, Pinyin one syllable for many characters), so such a match is
/// reviewed, never an alert by itself (the alert band is 0.92); a matching birth date or identifier can
/// still raise it.
pub const KEY_CAP: f64 = 0.90;

/// Cap a name score found through a Latin key at [`KEY_CAP`].
pub(crate) fn cap_key_match(e: &mut Explained) {
    e.score = e.score.min(KEY_CAP);
    e.name_score = e.name_score.min(KEY_CAP);
}

/// A name's forms: as written, then each Latin key with its (scheme, rendering).
pub(crate) fn forms(n: &NormName) -> impl Iterator<Item = (&NormName, Option<(&'static str, &str)>)> {
    std::iter::once((n, None)).chain(n.keys.iter().map(|k| (&k.norm, Some((k.scheme, k.text.as_str())))))
}

/// Whether a form of the query may be compared with a form of the list name: a key (a lossy Latin
/// rendering) only with a name in another script, never with a name in its own, which compares as written.
pub fn comparable(qs: Script, q_key: bool, rs: Script, r_key: bool) -> bool {
    match (q_key, r_key) {
        (false, false) => true,
        (true, false) => !crate::scripts::keyed(rs),
        (false, true) => !crate::scripts::keyed(qs),
        (true, true) => qs != rs,
    }
}

/// How [`Explained::key`] names the forms that matched.
pub(crate) fn key_label(q: Option<(&str, &str)>, r: Option<(&str, &str)>) -> String {
    let side = |k: Option<(&str, &str)>| k.map_or_else(|| "as written".to_string(), |(s, t)| format!("{s} \"{t}\""));
    format!("{} ~ {}", side(q), side(r))
}

/// [`score_names`] with the token similarities from `sim`.
pub(crate) fn score_names_with(q: &NormName, r: &NormName, mut sim: impl FnMut(usize, usize) -> Option<f64>) -> Explained {
    match score_core(q, r, &mut sim) {
        Some(c) => explain(q, r, &c),
        None => Explained::default(),
    }
}

impl Core {
    pub(crate) fn score(&self) -> f64 {
        self.score
    }
}

/// The explanation of an alignment: aligned pairs (best first) with their similarity (kept in the
/// `Core` as the alignment was scored), the unmatched parts of each side.
pub(crate) fn explain(q: &NormName, r: &NormName, c: &Core) -> Explained {
    let mut unmatched_query = Vec::new();
    let mut unmatched_result = Vec::new();
    for (i, t) in q.tokens.iter().enumerate() {
        if !c.used_q(i) {
            unmatched_query.push(t.text.clone());
        }
    }
    for (j, t) in r.tokens.iter().enumerate() {
        if !c.used_r(j) {
            unmatched_result.push(t.text.clone());
        }
    }
    let mut alignment: Vec<Aligned> = c.pairs[..c.npairs as usize]
        .iter()
        .map(|&(i, j)| Aligned {
            query: q.tokens[i as usize].text.clone(),
            result: r.tokens[j as usize].text.clone(),
            similarity: round3(c.sims[i as usize]),
        })
        .collect();
    alignment.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    Explained { score: c.score, name_score: c.score, alignment, unmatched_query, unmatched_result, qualifiers: Vec::new(), key: None }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// Score two names as text.
pub fn score(query: &str, result: &str, schema: Schema) -> Explained {
    score_names(&normalize(query, schema), &normalize(result, schema))
}

/// What is known of a party or a listed entity besides its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub dobs: Vec<PartialDate>,
    /// ISO 3166-1 alpha-2, upper case.
    pub countries: Vec<String>,
    pub gender: Option<clearway_lists::Gender>,
    /// Identifier values, alphanumerics only, upper case.
    pub ids: Vec<String>,
}

/// An identifier value as compared: alphanumerics only, upper case.
pub fn id_key(v: &str) -> String {
    v.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_uppercase()).collect()
}

fn dob_compatible(a: &PartialDate, b: &PartialDate) -> (bool, bool) {
    let tol = if a.circa || b.circa { 2 } else { 0 };
    let (a0, a1) = (a.year - tol, a.to_year.unwrap_or(a.year) + tol);
    let (b0, b1) = (b.year, b.to_year.unwrap_or(b.year));
    let overlap = a0 <= b1 && b0 <= a1;
    let exact = overlap && a.to_year.is_none() && b.to_year.is_none() && a.month.is_some() && a.month == b.month && a.day == b.day;
    (overlap, exact)
}

/// Adjust a name score by qualifiers: an identifier match raises it; conflicting birth dates, countries
/// and gender lower it; a matching full birth date raises it a little.
pub fn qualify(mut e: Explained, q: &Facts, r: &Facts) -> Explained {
    let mut notes = Vec::new();
    e.score = qualify_score(e.score, q, r, |n| notes.push(n.to_string()));
    e.qualifiers.extend(notes);
    e
}

/// The score part of [`qualify`]: the adjusted score, each qualifier applied reported to `note`.
pub fn qualify_score(mut s: f64, q: &Facts, r: &Facts, mut note: impl FnMut(&'static str)) -> f64 {
    if !q.ids.is_empty() && q.ids.iter().any(|i| i.len() >= 5 && r.ids.contains(i)) {
        s += (1.0 - s) * 0.8;
        note("identifier-match");
    }
    if !q.dobs.is_empty() && !r.dobs.is_empty() {
        let mut any = false;
        let mut exact = false;
        for a in &q.dobs {
            for b in &r.dobs {
                let (o, x) = dob_compatible(a, b);
                any |= o;
                exact |= x;
            }
        }
        if exact {
            s += (1.0 - s) * 0.3;
            note("dob-match");
        } else if !any {
            s *= 0.75;
            note("dob-conflict");
        }
    }
    if !q.countries.is_empty() && !r.countries.is_empty() {
        if q.countries.iter().any(|c| r.countries.contains(c)) {
            s += (1.0 - s) * 0.1;
            note("country-match");
        } else {
            s *= 0.92;
            note("country-conflict");
        }
    }
    if let (Some(a), Some(b)) = (q.gender, r.gender) {
        if a != b {
            s *= 0.85;
            note("gender-conflict");
        }
    }
    clamp01(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str, schema: Schema) -> f64 {
        score(a, b, schema).score
    }

    #[test]
    fn known_false_positives_of_other_engines() {
        assert!(s("George Bush", "George Habbash", Schema::Person) < 0.7);
        assert!(s("emma daniels", "EMMA LLC", Schema::Unknown) < crate::eval::DEFAULT_THRESHOLD);
        assert!(s("BELLETECH CORP", "11420 CORP.", Schema::Organization) < 0.5);
    }

    #[test]
    fn graded() {
        assert_eq!(s("Vladimir Putin", "Vladimir Putin", Schema::Person), 1.0);
        let reordered = s("Putin, Vladimir", "Vladimir Putin", Schema::Person);
        assert!(reordered > 0.95);
        let typo = s("Vladimir Pudin", "Vladimir Putin", Schema::Person);
        assert!(typo > 0.7 && typo < 1.0);
        assert!(s("Sergey Lavrov", "Сергей Викторович Лавров", Schema::Person) > 0.8);
        assert!(s("Octavian Scholz", "Olaf Scholz", Schema::Person) < 0.7);
    }

    #[test]
    fn across_scripts() {
        let t = crate::eval::DEFAULT_THRESHOLD;
        for (a, b) in [
            ("محمد علي", "Mohamed Ali"),
            ("محمد علي", "Muhammad Ali"),
            ("أسامة بن لادن", "Usama bin Ladin"),
            ("حسین موسوی", "Hossein Mousavi"),
            ("习近平", "Xi Jinping"),
            ("김정은", "Kim Jong Un"),
            ("리병철", "Ri Pyong Chol"),
            ("ולדימיר פוטין", "Vladimir Putin"),
            ("व्लादिमीर पुतिन", "Vladimir Putin"),
            ("ทักษิณ ชินวัตร", "Thaksin Shinawatra"),
            ("たなか ひろし", "Hiroshi Tanaka"),
        ] {
            let e = score(a, b, Schema::Person);
            assert!(e.score >= t, "{a} / {b}: {}", e.score);
            assert!(e.score < 0.92 || !a.contains('م'), "a skeleton match alone stays below the alert band: {a}");
            assert!(e.key.is_some(), "{a}: the key that matched is named");
        }
        // The same script compares as written: a one-character difference is another name.
        assert!(s("习近朋", "习近平", Schema::Person) < t);
        assert!(s("김종은", "김정은", Schema::Person) < t);
        assert_eq!(s("محمد علي", "محمد علي", Schema::Person), 1.0);
        // Different names do not meet through their skeletons.
        assert!(s("محمد علي", "Ahmed Hassan", Schema::Person) < 0.5);
    }

    #[test]
    fn name_structure() {
        let t = crate::eval::DEFAULT_THRESHOLD;
        // "A bin B" is not "B bin A".
        assert!(s("IBRAHIM BIN SAIF AL-MASRI", "SAIF BIN IBRAHIM AL-MASRI", Schema::Person) < t);
        assert!(s("Usama bin Ladin", "Usama bin Muhammad bin Awad bin Ladin", Schema::Person) >= t);
        // A last word cut by a field limit: a weak prefix.
        let cut = s("John DR", "John Drummond", Schema::Person);
        assert!(cut > s("John XY", "John Drummond", Schema::Person) && cut < 0.92);
        // Given-name equivalents: aligned, but never a match alone.
        assert!(s("Bill Clinton", "William Clinton", Schema::Person) >= t);
        assert!(s("Bill", "William", Schema::Person) < t);
        assert!(s("Bibi Netanyahu", "Benjamin Netanyahu", Schema::Person) >= t);
    }

    #[test]
    fn qualifiers() {
        let e = score("John Smith", "John Smith", Schema::Person);
        let q = Facts { dobs: vec![PartialDate::year(1960)], ..Facts::default() };
        let r = Facts { dobs: vec![PartialDate::year(1980)], ..Facts::default() };
        assert!(qualify(e.clone(), &q, &r).score < 0.8);
        let r2 = Facts { dobs: vec![PartialDate::year(1960)], ..Facts::default() };
        assert_eq!(qualify(e, &q, &r2).score, 1.0);
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(levenshtein(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("habib"), &chars("haibb"), true), 1.0);
        assert_eq!(edit_distance(&chars("masri"), &chars("marsi"), true), 1.0);
        assert_eq!(edit_distance(&chars("mohammed"), &chars("muhamad"), true), 2.5);
    }

    /// The plain optimal-string-alignment table, every cell (the reference for the bounded, banded one).
    fn osa_reference(a: &[char], b: &[char], weighted: bool) -> u32 {
        let (a, b) = (&a[..a.len().min(64)], &b[..b.len().min(64)]);
        let unit = if weighted { 2 } else { 1 };
        let mut d = vec![vec![0u32; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i as u32 * unit;
        }
        for (j, x) in d[0].iter_mut().enumerate() {
            *x = j as u32 * unit;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = if weighted { half_sub(a[i - 1] as u32, b[j - 1] as u32) } else { u32::from(a[i - 1] != b[j - 1]) };
                let mut v = (d[i - 1][j] + unit).min(d[i][j - 1] + unit).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + unit);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    proptest::proptest! {
        /// The bounded distance is the full table's whenever it is within the bound, and `None` otherwise.
        #[test]
        fn bounded_distance_is_exact(a in "[a-eiosz15 ]{0,14}", b in "[a-eiosz15 ]{0,14}", bound in 0u32..12, weighted in proptest::bool::ANY) {
            let (ca, cb) = (chars(&a), chars(&b));
            let full = osa_reference(&ca, &cb, weighted);
            let got = osa_bounded(&ca, &cb, weighted, bound);
            proptest::prop_assert_eq!(got, (full <= bound).then_some(full));
            proptest::prop_assert_eq!(osa_bounded(a.as_bytes(), b.as_bytes(), weighted, bound), got);
            // The signature bound never exceeds the weighted distance.
            if weighted {
                let (sa, sb) = (crate::normalize::signature(&a), crate::normalize::signature(&b));
                proptest::prop_assert!(sig_distance(&sa, &sb) <= full);
            }
        }

        /// Token similarity at the alignment floor equals the unbounded one wherever it reaches the floor.
        #[test]
        fn floor_similarity_is_exact(a in "[a-z]{1,12}", b in "[a-z]{1,12}") {
            let (na, nb) = (normalize(&a, Schema::Person), normalize(&b, Schema::Person));
            if let (Some(ta), Some(tb)) = (na.tokens.first(), nb.tokens.first()) {
                let full = token_sim_floor(ta, tb, f64::NEG_INFINITY).unwrap_or(0.0);
                let floored = token_sim_floor(ta, tb, MIN_TOKEN_SIM);
                proptest::prop_assert_eq!(floored, (full >= MIN_TOKEN_SIM).then_some(full));
            }
        }
    }
}
