//! The pairwise scorer: align name parts (each token of either side used once), weigh them, penalise
//! unmatched parts asymmetrically, and adjust by qualifiers (date of birth, country, gender, identifiers).
//! The score is graded in [0, 1]: 1.0 only when the folded names are identical.

use clearway_lists::{PartialDate, Schema};
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

fn sub_cost(x: char, y: char) -> f64 {
    if x == y {
        0.0
    } else if SIMILAR.iter().any(|&(a, b)| (a == x && b == y) || (a == y && b == x)) {
        0.5
    } else {
        1.0
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment); with `weighted`, confusable
/// substitutions cost 0.5.
pub fn edit_distance(a: &[char], b: &[char], weighted: bool) -> f64 {
    let a = &a[..a.len().min(64)];
    let b = &b[..b.len().min(64)];
    if a.is_empty() {
        return b.len() as f64;
    }
    if b.is_empty() {
        return a.len() as f64;
    }
    let w = b.len() + 1;
    let mut d = [[0f64; 65]; 3];
    for (j, x) in d[0].iter_mut().enumerate().take(w) {
        *x = j as f64;
    }
    // rows i-2, i-1, i rotate through d[0..3]
    let mut prev2 = 2usize;
    let mut prev = 0usize;
    let mut cur = 1usize;
    for i in 1..=a.len() {
        d[cur][0] = i as f64;
        for j in 1..=b.len() {
            let cost = if weighted { sub_cost(a[i - 1], b[j - 1]) } else { f64::from(u8::from(a[i - 1] != b[j - 1])) };
            let mut v = (d[prev][j] + 1.0).min(d[cur][j - 1] + 1.0).min(d[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != b[j - 1] {
                v = v.min(d[prev2][j - 2] + 1.0);
            }
            d[cur][j] = v;
        }
        prev2 = prev;
        prev = cur;
        cur = (cur + 1) % 3;
    }
    d[prev][b.len()]
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// Similarity of two tokens in [0, 1].
pub fn token_sim(a: &Token, b: &Token) -> f64 {
    match (a.kind, b.kind) {
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
        _ => word_sim(&a.text, &b.text, &a.phonetic, &b.phonetic),
    }
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

fn word_sim(a: &str, b: &str, pa: &str, pb: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (ca, cb) = (chars(a), chars(b));
    let max = ca.len().max(cb.len());
    let min = ca.len().min(cb.len());
    let d = edit_distance(&ca, &cb, true);
    let allowed = allowed_edits(max) as f64;
    let mut s = if d <= allowed {
        // A spelling variant: graded by the number of edits.
        1.0 - 0.1 * d - 0.05 * (d - 1.0).max(0.0)
    } else {
        // Too many edits for a variant: a different name, unless it sounds the same.
        (1.0 - d / max as f64).min(MIN_TOKEN_SIM - 0.01)
    };
    if min >= 3 && pa == pb && !pa.is_empty() && d <= allowed + 1.0 {
        s = s.max(0.7);
    }
    s
}

/// Score two normalised names (query = the party, result = the list name).
pub fn score_names(q: &NormName, r: &NormName) -> Explained {
    let (nq, nr) = (q.tokens.len(), r.tokens.len());
    if nq == 0 || nr == 0 {
        return Explained::default();
    }
    // Similarity matrix, then greedy alignment by similarity × weight.
    let mut cands: Vec<(f64, f64, usize, usize)> = Vec::with_capacity(nq * nr);
    for (i, a) in q.tokens.iter().enumerate() {
        for (j, b) in r.tokens.iter().enumerate() {
            let s = token_sim(a, b);
            if s >= MIN_TOKEN_SIM {
                cands.push((s, s * (a.weight + b.weight), i, j));
            }
        }
    }
    cands.sort_by(|x, y| y.1.total_cmp(&x.1).then(y.0.total_cmp(&x.0)).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)));
    let mut used_q = [false; 32];
    let mut used_r = [false; 32];
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (s, _, i, j) in cands {
        if i < 32 && j < 32 && !used_q[i] && !used_r[j] {
            used_q[i] = true;
            used_r[j] = true;
            pairs.push((i, j, s));
        }
    }
    let (mut m, mut w) = (0.0, 0.0);
    for &(i, j, s) in &pairs {
        let wp = (q.tokens[i].weight + r.tokens[j].weight) / 2.0;
        m += wp * s;
        w += wp;
    }
    let base = if w > 0.0 { m / w } else { 0.0 };
    let mut unmatched_query = Vec::new();
    let mut unmatched_result = Vec::new();
    // Unmatched weight per side: content tokens (words, numbers, initials) and symbols (legal forms,
    // particles) apart, so a legal form never stands in for a missing word.
    let content = |k: Kind| matches!(k, Kind::Word | Kind::Number | Kind::Initial);
    let (mut uq, mut ur, mut sym) = (0.0, 0.0, 0.0);
    for (i, t) in q.tokens.iter().enumerate() {
        if !used_q[i.min(31)] {
            if content(t.kind) { uq += t.weight } else { sym += t.weight }
            unmatched_query.push(t.text.clone());
        }
    }
    for (j, t) in r.tokens.iter().enumerate() {
        if !used_r[j.min(31)] {
            if content(t.kind) { ur += t.weight } else { sym += t.weight }
            unmatched_result.push(t.text.clone());
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
    if !pairs.iter().any(|&(i, _, s)| matches!(q.tokens[i].kind, Kind::Word | Kind::Number | Kind::Initial) && s >= MIN_TOKEN_SIM) {
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
    pairs.sort_by_key(|p| p.0);
    let inversions = pairs.windows(2).filter(|p| p[1].1 < p[0].1).count();
    if inversions > 0 {
        score *= 0.99;
    }
    // Spacing differences ("FridrichBuchenberg"): compare the names without spaces.
    if nq != nr {
        let cq: Vec<char> = q.tokens.iter().flat_map(|t| t.text.chars()).collect();
        let cr: Vec<char> = r.tokens.iter().flat_map(|t| t.text.chars()).collect();
        let max = cq.len().max(cr.len()).max(1);
        let compact = 1.0 - levenshtein(&cq, &cr) as f64 / max as f64;
        if compact >= 0.85 {
            score = score.max(0.95 * compact);
        }
    }
    let mut alignment: Vec<Aligned> = pairs
        .iter()
        .map(|&(i, j, s)| Aligned { query: q.tokens[i].text.clone(), result: r.tokens[j].text.clone(), similarity: round3(s) })
        .collect();
    alignment.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    let score = clamp01(score);
    Explained { score, name_score: score, alignment, unmatched_query, unmatched_result, qualifiers: Vec::new() }
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
    let mut s = e.score;
    if !q.ids.is_empty() && q.ids.iter().any(|i| i.len() >= 5 && r.ids.contains(i)) {
        s += (1.0 - s) * 0.8;
        e.qualifiers.push("identifier-match".into());
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
            e.qualifiers.push("dob-match".into());
        } else if !any {
            s *= 0.75;
            e.qualifiers.push("dob-conflict".into());
        }
    }
    if !q.countries.is_empty() && !r.countries.is_empty() {
        if q.countries.iter().any(|c| r.countries.contains(c)) {
            s += (1.0 - s) * 0.1;
            e.qualifiers.push("country-match".into());
        } else {
            s *= 0.92;
            e.qualifiers.push("country-conflict".into());
        }
    }
    if let (Some(a), Some(b)) = (q.gender, r.gender) {
        if a != b {
            s *= 0.85;
            e.qualifiers.push("gender-conflict".into());
        }
    }
    e.score = clamp01(s);
    e
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
    }
}
