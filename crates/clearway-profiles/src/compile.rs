//! Static checking and compilation. Principal types: [`ProfileSet`] (loaded only when every profile,
//! list and table is free of errors) and [`Profile`]. Conditions compile to a tree of [`Node`]s whose
//! fields are resolved to array slots, string constants to interned symbols and lists to bitsets, so an
//! evaluation is a handful of loads and integer compares. The same tree explains a hit: which predicates
//! held, with the actual values.

use crate::facts::{Facts, ItemFacts, MISSING, Symbols};
use crate::fields::{self, FieldDef, Level, Ty};
use crate::lists::{NamedList, ValueTable, parse_list};
use crate::syntax::{CmpOp, Expr, LaneReq, Operand, ProfileAst, SetOp, SetRef, parse_file};
use crate::{Diag, Pos};
use chrono::NaiveDate;
use clearway_core::{Filing, FindingKind, Lane, Mode, Stage};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A named input text (profile file, list file or value table).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SRef {
    F(usize),
    I(usize),
    /// A filing-level list of strings: the test holds when it holds for any element.
    L(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BRef {
    F(usize),
    I(usize),
}

#[derive(Debug, Clone)]
pub enum NumE {
    F(usize),
    I(usize),
    C(f64),
    Count(Box<Node>),
    Arith(Box<NumE>, char, Box<NumE>),
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Node {
    Const(bool),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>, u32),
    Num { op: CmpOp, a: NumE, b: NumE, leaf: u32 },
    SymEq { s: SRef, id: u32, ne: bool, leaf: u32 },
    StrEq { a: SRef, b: SRef, ne: bool, leaf: u32 },
    Bool { b: BRef, want: bool, leaf: u32 },
    InSym { s: SRef, bits: Arc<Vec<u64>>, neg: bool, leaf: u32 },
    InNum { a: NumE, vals: Vec<f64>, neg: bool, leaf: u32 },
    Text { s: SRef, op: SetOp, pats: Arc<Vec<String>>, neg: bool, leaf: u32 },
}

/// What an explanation reports for a leaf: its source text and the fields whose values it read.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub text: String,
    pub values: Vec<(&'static str, Val)>,
}

#[derive(Debug, Clone)]
pub enum Val {
    Num(NumE),
    Str(SRef),
    Bool(BRef),
}

/// One checked, compiled profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub file: String,
    pub line: u32,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub review: Option<NaiveDate>,
    /// Empty: every stage.
    pub stages: Vec<Stage>,
    /// Empty: every mode.
    pub modes: Vec<Mode>,
    pub when: Node,
    pub unless: Option<Node>,
    /// The condition reads goods-item fields: it is tested item by item (any item).
    pub per_item: bool,
    /// Lane and selection percentage (0-100).
    pub lane: Option<(Lane, f64)>,
    pub weight: f64,
    pub cap: Option<u32>,
    pub kind: FindingKind,
    pub reason: String,
    pub instructions: String,
    /// Source text of the condition, for display.
    pub condition: String,
}

impl Profile {
    /// Whether the profile is in force on `day` (inclusive window).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|d| day >= d) && self.valid_to.is_none_or(|d| day <= d)
    }

    /// Whether the profile applies to this filing's stage and mode, on its filing day.
    pub fn applies(&self, f: &Filing) -> bool {
        (self.stages.is_empty() || self.stages.contains(&f.stage))
            && (self.modes.is_empty() || self.modes.contains(&f.mode))
            && f.times.filed_at.is_none_or(|t| self.valid_on(t.date_naive()))
    }
}

/// A checked, compiled set of profiles with the lists and value table they use.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    pub profiles: Vec<Profile>,
    pub symbols: Symbols,
    pub values: ValueTable,
    pub lists: Vec<NamedList>,
    pub leaves: Vec<Leaf>,
    fingerprint: String,
    prefilter: crate::prefilter::Prefilter,
}

static EMPTY_ITEM: ItemFacts<'static> = ItemFacts {
    num: [f64::NAN; fields::I_NUM],
    sym: [MISSING; fields::I_STR],
    text: [""; fields::I_STR],
    flag: [None; fields::I_BOOL],
};

fn stem(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').next().unwrap_or(base)
}

impl ProfileSet {
    /// Parse, check and compile. `today` (if given) adds warnings for profiles past review or expired.
    /// Returns the set and its warnings, or every error (and nothing loaded).
    pub fn load(
        profiles: &[Source<'_>],
        lists: &[Source<'_>],
        values: Option<Source<'_>>,
        today: Option<NaiveDate>,
    ) -> Result<(ProfileSet, Vec<Diag>), Vec<Diag>> {
        let mut errors = Vec::new();
        let mut set = ProfileSet::default();
        let mut h = blake3::Hasher::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for l in lists {
            h.update(l.name.as_bytes());
            h.update(l.text.as_bytes());
            match parse_list(stem(l.name), l.name, l.text) {
                Ok(nl) => {
                    if by_name.contains_key(&nl.name) {
                        errors.push(Diag::new(l.name, Pos { line: 1, col: 1 }, format!("a list named @{} is defined twice", nl.name)));
                    }
                    by_name.insert(nl.name.clone(), set.lists.len());
                    set.lists.push(nl);
                }
                Err(d) => errors.extend(d),
            }
        }
        if let Some(v) = values {
            h.update(v.text.as_bytes());
            match ValueTable::parse(v.name, v.text) {
                Ok(t) => set.values = t,
                Err(d) => errors.extend(d),
            }
        }
        let mut asts = Vec::new();
        for s in profiles {
            h.update(s.name.as_bytes());
            h.update(s.text.as_bytes());
            let (ps, ds) = parse_file(s.name, s.text);
            errors.extend(ds);
            asts.extend(ps);
        }
        let mut warnings = Vec::new();
        // Interned list bitsets are built after every constant is known; collect list entries first.
        for l in &set.lists {
            for e in &l.entries {
                set.symbols.intern(e);
            }
        }
        let mut c = Compiler { set: &mut set, lists: &by_name, errors: Vec::new(), list_bits: HashMap::new() };
        let mut compiled = Vec::new();
        for a in &asts {
            if let Some(p) = c.profile(a) {
                compiled.push(p);
            }
        }
        errors.append(&mut c.errors);
        // Overlapping validity: the same id twice with intersecting windows.
        for (i, a) in asts.iter().enumerate() {
            for b in &asts[..i] {
                if a.id == b.id {
                    let (a0, a1) = (a.valid_from.unwrap_or(NaiveDate::MIN), a.valid_to.unwrap_or(NaiveDate::MAX));
                    let (b0, b1) = (b.valid_from.unwrap_or(NaiveDate::MIN), b.valid_to.unwrap_or(NaiveDate::MAX));
                    if a0 <= b1 && b0 <= a1 {
                        errors.push(Diag::new(&a.file, a.pos, format!(
                            "profile {} overlaps the validity of the one at {}:{}:{}", a.id, b.file, b.pos.line, b.pos.col
                        )));
                    }
                }
            }
        }
        if let Some(today) = today {
            for a in &asts {
                if a.valid_to.is_some_and(|d| d < today) {
                    warnings.push(Diag::new(&a.file, a.pos, format!("profile {} expired on {}", a.id, a.valid_to.unwrap_or_default())).warning());
                } else if a.review.is_some_and(|d| d < today) {
                    warnings.push(Diag::new(&a.file, a.pos, format!("profile {} is past its review date {}", a.id, a.review.unwrap_or_default())).warning());
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (&a.file, a.pos.line, a.pos.column).cmp(&(&b.file, b.pos.line, b.pos.column)));
            return Err(errors);
        }
        set.prefilter = crate::prefilter::Prefilter::new(&compiled);
        set.profiles = compiled;
        set.fingerprint = h.finalize().to_hex()[..16].to_string();
        Ok((set, warnings))
    }

    /// Hash of every profile, list and table text (recorded in decisions through the layer name).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Build the facts of a filing against this set's symbols and value table.
    pub fn facts<'a>(
        &self,
        f: &'a Filing,
        extras: &'a crate::Extras,
        history: Option<crate::HistoryAt<'_>>,
        trusted: bool,
        late: bool,
    ) -> Facts<'a> {
        Facts::build(f, extras, &self.symbols, &self.values, history, trusted, late)
    }

    /// Whether the profile's condition holds (and no exception): `Some(item index)` of the first item it
    /// held for (`None` inside when the condition reads no item fields).
    pub fn hit(&self, p: &Profile, f: &Facts<'_>) -> Option<Option<usize>> {
        let test = |it: &ItemFacts<'_>| eval(&p.when, f, it) && !p.unless.as_ref().is_some_and(|u| eval(u, f, it));
        if p.per_item && !f.items.is_empty() {
            f.items.iter().position(test).map(Some)
        } else {
            let it = f.items.first().unwrap_or(&EMPTY_ITEM);
            test(it).then_some(None)
        }
    }

    /// Indexes of the profiles that hit, with their item, in profile order. Only the profiles whose
    /// guard can hold are evaluated (see [`crate::prefilter`]).
    pub fn hits(&self, filing: &Filing, f: &Facts<'_>) -> Vec<(usize, Option<usize>)> {
        if self.prefilter.len() != self.profiles.len() {
            // Profiles were changed after loading: no index for them.
            return self.hits_unfiltered(filing, f);
        }
        let candidates = self.prefilter.candidates(f);
        let mut out = Vec::new();
        for i in crate::prefilter::ones(&candidates) {
            let p = &self.profiles[i];
            if p.applies(filing) {
                if let Some(item) = self.hit(p, f) {
                    out.push((i, item));
                }
            }
        }
        out
    }

    /// [`Self::hits`] evaluating every profile (the reference the prefilter is tested against).
    pub fn hits_unfiltered(&self, filing: &Filing, f: &Facts<'_>) -> Vec<(usize, Option<usize>)> {
        let mut out = Vec::new();
        for (i, p) in self.profiles.iter().enumerate() {
            if p.applies(filing) {
                if let Some(item) = self.hit(p, f) {
                    out.push((i, item));
                }
            }
        }
        out
    }

    /// The predicates of `p` that held for this filing (and item), each with the values it read.
    pub fn explain(&self, p: &Profile, f: &Facts<'_>, item: Option<usize>) -> Vec<(String, Value)> {
        let it = item.and_then(|i| f.items.get(i)).or(f.items.first()).unwrap_or(&EMPTY_ITEM);
        let mut leaves = Vec::new();
        explain(&p.when, f, it, &mut leaves);
        leaves
            .into_iter()
            .filter_map(|l| self.leaves.get(l as usize))
            .map(|leaf| {
                let vals: Vec<(&str, Value)> = leaf.values.iter().map(|(n, v)| (*n, value_json(v, f, it))).collect();
                let v = if vals.len() == 1 {
                    vals.into_iter().next().map(|x| x.1).unwrap_or(Value::Null)
                } else {
                    Value::Object(vals.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                };
                (leaf.text.clone(), v)
            })
            .collect()
    }
}

fn value_json(v: &Val, f: &Facts<'_>, it: &ItemFacts<'_>) -> Value {
    match v {
        Val::Num(e) => {
            let x = num(e, f, it);
            if x.is_finite() { json!((x * 1e6).round() / 1e6) } else { Value::Null }
        }
        Val::Str(SRef::F(s)) => json!(f.text[*s]),
        Val::Str(SRef::I(s)) => json!(it.text[*s]),
        Val::Str(SRef::L(s)) => json!(f.list_text[*s]),
        Val::Bool(b) => match bool_of(*b, f, it) {
            Some(x) => json!(x),
            None => Value::Null,
        },
    }
}

#[inline]
fn bool_of(b: BRef, f: &Facts<'_>, it: &ItemFacts<'_>) -> Option<bool> {
    match b {
        BRef::F(s) => f.flag[s],
        BRef::I(s) => it.flag[s],
    }
}

#[inline]
fn num(e: &NumE, f: &Facts<'_>, it: &ItemFacts<'_>) -> f64 {
    match e {
        NumE::F(s) => f.num[*s],
        NumE::I(s) => it.num[*s],
        NumE::C(v) => *v,
        NumE::Count(n) => f.items.iter().filter(|i| eval(n, f, i)).count() as f64,
        NumE::Arith(a, op, b) => {
            let (a, b) = (num(a, f, it), num(b, f, it));
            match op {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ => {
                    if b == 0.0 {
                        f64::NAN
                    } else {
                        a / b
                    }
                }
            }
        }
    }
}

#[inline]
fn sym_any(s: SRef, f: &Facts<'_>, it: &ItemFacts<'_>, mut test: impl FnMut(u32) -> bool) -> bool {
    match s {
        SRef::F(i) => test(f.sym[i]),
        SRef::I(i) => test(it.sym[i]),
        SRef::L(i) => f.list_sym[i].iter().any(|x| test(*x)),
    }
}

#[inline]
fn text_any(s: SRef, f: &Facts<'_>, it: &ItemFacts<'_>, mut test: impl FnMut(&str) -> bool) -> bool {
    match s {
        SRef::F(i) => !f.text[i].is_empty() && test(f.text[i]),
        SRef::I(i) => !it.text[i].is_empty() && test(it.text[i]),
        SRef::L(i) => f.list_text[i].iter().any(|x| test(x)),
    }
}

fn present(s: SRef, f: &Facts<'_>, it: &ItemFacts<'_>) -> bool {
    match s {
        SRef::F(i) => f.sym[i] != MISSING,
        SRef::I(i) => it.sym[i] != MISSING,
        SRef::L(i) => !f.list_sym[i].is_empty(),
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Case-insensitive glob: `*` any run, `?` one character.
pub fn glob(pat: &str, s: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Evaluate a compiled condition for a filing and one of its items.
#[inline]
pub fn eval(n: &Node, f: &Facts<'_>, it: &ItemFacts<'_>) -> bool {
    match n {
        Node::Const(b) => *b,
        Node::And(v) => v.iter().all(|c| eval(c, f, it)),
        Node::Or(v) => v.iter().any(|c| eval(c, f, it)),
        Node::Not(c, _) => !eval(c, f, it),
        Node::Num { op, a, b, .. } => {
            let (a, b) = (num(a, f, it), num(b, f, it));
            match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b && a.is_finite() && b.is_finite(),
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
            }
        }
        Node::SymEq { s, id, ne, .. } => {
            if *ne {
                present(*s, f, it) && !sym_any(*s, f, it, |x| x == *id)
            } else {
                sym_any(*s, f, it, |x| x == *id)
            }
        }
        Node::StrEq { a, b, ne, .. } => {
            let (x, y) = (sref_text(*a, f, it), sref_text(*b, f, it));
            if x.is_empty() || y.is_empty() {
                false
            } else {
                x.eq_ignore_ascii_case(y) != *ne
            }
        }
        Node::Bool { b, want, .. } => bool_of(*b, f, it) == Some(*want),
        Node::InSym { s, bits, neg, .. } => {
            let hit = sym_any(*s, f, it, |x| x != MISSING && bits.get((x / 64) as usize).is_some_and(|w| w & (1 << (x % 64)) != 0));
            if *neg { present(*s, f, it) && !hit } else { hit }
        }
        Node::InNum { a, vals, neg, .. } => {
            let x = num(a, f, it);
            if !x.is_finite() {
                return false;
            }
            vals.contains(&x) != *neg
        }
        Node::Text { s, op, pats, neg, .. } => {
            let hit = text_any(*s, f, it, |t| {
                pats.iter().any(|p| match op {
                    SetOp::StartsWith => t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()),
                    SetOp::Contains => contains_ci(t, p),
                    _ => glob(p, t),
                })
            });
            if *neg { present(*s, f, it) && !hit } else { hit }
        }
    }
}

fn sref_text<'a>(s: SRef, f: &Facts<'a>, it: &ItemFacts<'a>) -> &'a str {
    match s {
        SRef::F(i) => f.text[i],
        SRef::I(i) => it.text[i],
        SRef::L(_) => "",
    }
}

fn leaf_of(n: &Node) -> Option<u32> {
    match n {
        Node::Num { leaf, .. }
        | Node::SymEq { leaf, .. }
        | Node::StrEq { leaf, .. }
        | Node::Bool { leaf, .. }
        | Node::InSym { leaf, .. }
        | Node::InNum { leaf, .. }
        | Node::Text { leaf, .. } => Some(*leaf),
        _ => None,
    }
}

/// Evaluate, recording the leaves that made the result true.
fn explain(n: &Node, f: &Facts<'_>, it: &ItemFacts<'_>, out: &mut Vec<u32>) -> bool {
    match n {
        Node::And(v) => {
            let mark = out.len();
            for c in v {
                if !explain(c, f, it, out) {
                    out.truncate(mark);
                    return false;
                }
            }
            true
        }
        Node::Or(v) => {
            for c in v {
                let mark = out.len();
                if explain(c, f, it, out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
        Node::Not(c, leaf) => {
            let v = !eval(c, f, it);
            if v {
                out.push(*leaf);
            }
            v
        }
        other => {
            let v = eval(other, f, it);
            if v {
                if let Some(l) = leaf_of(other) {
                    out.push(l);
                }
            }
            v
        }
    }
}

/// Render a condition back to text (for `not (...)` explanations).
fn render(e: &Expr) -> String {
    match e {
        Expr::Or(v) => v.iter().map(|x| paren(x)).collect::<Vec<_>>().join(" or "),
        Expr::And(v) => v.iter().map(|x| paren(x)).collect::<Vec<_>>().join(" and "),
        Expr::Not(x, _) => format!("not {}", paren(x)),
        Expr::Cmp { text, .. } | Expr::Set { text, .. } | Expr::Truth { text, .. } => text.clone(),
    }
}

fn paren(e: &Expr) -> String {
    match e {
        Expr::Or(_) | Expr::And(_) => format!("({})", render(e)),
        _ => render(e),
    }
}

/// Typed operand after resolution.
enum Typed {
    Num(NumE),
    Str(SRef),
    StrConst(String),
    Bool(BRef),
    BoolConst(bool),
}

impl Typed {
    fn ty(&self) -> Ty {
        match self {
            Typed::Num(_) => Ty::Num,
            Typed::Str(SRef::L(_)) => Ty::StrList,
            Typed::Str(_) | Typed::StrConst(_) => Ty::Str,
            Typed::Bool(_) | Typed::BoolConst(_) => Ty::Bool,
        }
    }
}

struct Compiler<'s> {
    set: &'s mut ProfileSet,
    lists: &'s HashMap<String, usize>,
    errors: Vec<Diag>,
    list_bits: HashMap<String, Arc<Vec<u64>>>,
}

struct Ctx<'a> {
    file: &'a str,
    per_item: bool,
    count_depth: u32,
    /// Fields read by the current leaf.
    reads: Vec<(&'static str, Val)>,
}

impl Compiler<'_> {
    fn err(&mut self, file: &str, pos: Pos, msg: impl Into<String>) {
        self.errors.push(Diag::new(file, pos, msg));
    }

    fn profile(&mut self, a: &ProfileAst) -> Option<Profile> {
        let before = self.errors.len();
        let file = a.file.as_str();
        if a.when.is_none() {
            self.err(file, a.pos, format!("profile {} has no `when` condition", a.id));
        }
        if a.lane.is_none() && a.weight.is_none() {
            self.err(file, a.pos, format!("profile {} has no outcome: give `lane` and/or `weight`", a.id));
        }
        if a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            self.err(file, a.pos, format!("profile {} has no `reason` for the officer", a.id));
        }
        if let (Some(f), Some(t)) = (a.valid_from, a.valid_to) {
            if t < f {
                self.err(file, a.pos, format!("profile {} ends ({t}) before it starts ({f})", a.id));
            }
        }
        let mut stages = Vec::new();
        for (s, p) in &a.stages {
            match s.as_str() {
                "pre-load" => stages.push(Stage::PreLoad),
                "pre-arrival" => stages.push(Stage::PreArrival),
                "arrival" => stages.push(Stage::Arrival),
                "export" => stages.push(Stage::Export),
                _ => self.err(file, *p, format!("unknown stage `{s}` (pre-load, pre-arrival, arrival, export)")),
            }
        }
        let mut modes = Vec::new();
        for (s, p) in &a.modes {
            match s.as_str() {
                "marine" => modes.push(Mode::Marine),
                "air" => modes.push(Mode::Air),
                "rail" => modes.push(Mode::Rail),
                "highway" => modes.push(Mode::Highway),
                _ => self.err(file, *p, format!("unknown mode `{s}` (marine, air, rail, highway)")),
            }
        }
        let kind = match &a.kind {
            None => FindingKind::Compliance,
            Some((k, _)) if k == "compliance" => FindingKind::Compliance,
            Some((k, _)) if k == "security" => FindingKind::Security,
            Some((k, p)) => {
                self.err(file, *p, format!("unknown kind `{k}` (compliance, security)"));
                FindingKind::Compliance
            }
        };
        let mut cx = Ctx { file, per_item: false, count_depth: 0, reads: Vec::new() };
        let when = a.when.as_ref().and_then(|e| {
            self.unreachable(file, e);
            self.cond(e, &mut cx)
        });
        let unless = a.unless.as_ref().and_then(|e| self.cond(e, &mut cx));
        if self.errors.len() > before {
            return None;
        }
        Some(Profile {
            id: a.id.clone(),
            title: a.title.clone().unwrap_or_default(),
            owner: a.owner.clone().unwrap_or_default(),
            file: a.file.clone(),
            line: a.pos.line,
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            review: a.review,
            stages,
            modes,
            when: when?,
            unless,
            per_item: cx.per_item,
            lane: a.lane.map(|(l, pct, _)| (if l == LaneReq::Red { Lane::Red } else { Lane::Yellow }, pct)),
            weight: a.weight.map(|w| w.0).unwrap_or(0.0),
            cap: a.cap.map(|c| c.0),
            kind,
            reason: a.reason.clone().unwrap_or_default(),
            instructions: a.instructions.clone().unwrap_or_default(),
            condition: a.when.as_ref().map(render).unwrap_or_default(),
        })
    }

    /// Unreachable conjunctions: numeric bounds on one field that no value meets; two different
    /// constants required of one string field.
    fn unreachable(&mut self, file: &str, e: &Expr) {
        match e {
            Expr::Or(v) => v.iter().for_each(|x| self.unreachable(file, x)),
            Expr::Not(x, _) => self.unreachable(file, x),
            Expr::And(parts) => {
                let mut lo: HashMap<&str, (f64, bool, &str)> = HashMap::new();
                let mut hi: HashMap<&str, (f64, bool, &str)> = HashMap::new();
                let mut eq: HashMap<&str, (&str, &str)> = HashMap::new();
                for p in parts {
                    self.unreachable(file, p);
                    let Expr::Cmp { op, lhs, rhs, pos, text } = p else { continue };
                    let (field, op, c) = match (lhs, rhs) {
                        (Operand::Field(n, _), Operand::Num(v, _)) => (n.as_str(), *op, Ok(*v)),
                        (Operand::Num(v, _), Operand::Field(n, _)) => (n.as_str(), flip(*op), Ok(*v)),
                        (Operand::Field(n, _), Operand::Str(s, _)) if *op == CmpOp::Eq => (n.as_str(), *op, Err(s.as_str())),
                        _ => continue,
                    };
                    let mut conflict = None;
                    match c {
                        Err(s) => {
                            if let Some((prev, ptext)) = eq.get(field) {
                                if !prev.eq_ignore_ascii_case(s) {
                                    conflict = Some(*ptext);
                                }
                            }
                            eq.insert(field, (s, text));
                        }
                        Ok(v) => {
                            let (l, h) = match op {
                                CmpOp::Gt => (Some((v, false)), None),
                                CmpOp::Ge => (Some((v, true)), None),
                                CmpOp::Lt => (None, Some((v, false))),
                                CmpOp::Le => (None, Some((v, true))),
                                CmpOp::Eq => (Some((v, true)), Some((v, true))),
                                CmpOp::Ne => (None, None),
                            };
                            if let Some((v, inc)) = l {
                                if lo.get(field).is_none_or(|x| v > x.0) {
                                    lo.insert(field, (v, inc, text));
                                }
                            }
                            if let Some((v, inc)) = h {
                                if hi.get(field).is_none_or(|x| v < x.0) {
                                    hi.insert(field, (v, inc, text));
                                }
                            }
                            if let (Some(l), Some(h)) = (lo.get(field), hi.get(field)) {
                                if l.0 > h.0 || (l.0 == h.0 && !(l.1 && h.1)) {
                                    conflict = Some(if l.2 == text.as_str() { h.2 } else { l.2 });
                                }
                            }
                        }
                    }
                    if let Some(other) = conflict {
                        self.err(file, *pos, format!("unreachable condition: `{text}` can never hold together with `{other}`"));
                        return;
                    }
                }
            }
            _ => {}
        }
    }

    fn cond(&mut self, e: &Expr, cx: &mut Ctx<'_>) -> Option<Node> {
        match e {
            // Cheap tests first: the result does not depend on the order (no side effects), the cost does.
            Expr::Or(v) => {
                let parts: Vec<Option<Node>> = v.iter().map(|x| self.cond(x, cx)).collect();
                let mut parts = parts.into_iter().collect::<Option<Vec<_>>>()?;
                parts.sort_by_key(cost);
                Some(Node::Or(parts))
            }
            Expr::And(v) => {
                let parts: Vec<Option<Node>> = v.iter().map(|x| self.cond(x, cx)).collect();
                let mut parts = parts.into_iter().collect::<Option<Vec<_>>>()?;
                parts.sort_by_key(cost);
                Some(Node::And(parts))
            }
            Expr::Not(x, _) => {
                let inner = self.cond(x, cx)?;
                let leaf = self.push_leaf(format!("not {}", paren(x)), Vec::new());
                Some(Node::Not(Box::new(inner), leaf))
            }
            Expr::Truth { operand, pos, text } => {
                cx.reads.clear();
                let t = self.operand(operand, cx)?;
                let reads = std::mem::take(&mut cx.reads);
                match t {
                    Typed::Bool(b) => {
                        let leaf = self.push_leaf(text.clone(), reads);
                        Some(Node::Bool { b, want: true, leaf })
                    }
                    Typed::BoolConst(b) => Some(Node::Const(b)),
                    other => {
                        self.err(cx.file, *pos, format!("`{text}` is a {}, not a condition; compare it with something", other.ty().name()));
                        None
                    }
                }
            }
            Expr::Cmp { op, lhs, rhs, pos, text } => {
                cx.reads.clear();
                let a = self.operand(lhs, cx);
                let b = self.operand(rhs, cx);
                let reads = std::mem::take(&mut cx.reads);
                let (a, b) = (a?, b?);
                let leaf = self.push_leaf(text.clone(), reads);
                let eqop = matches!(op, CmpOp::Eq | CmpOp::Ne);
                let ne = *op == CmpOp::Ne;
                match (a, b) {
                    (Typed::Num(a), Typed::Num(b)) => Some(Node::Num { op: *op, a, b, leaf }),
                    (Typed::Str(s), Typed::StrConst(c)) | (Typed::StrConst(c), Typed::Str(s)) if eqop => {
                        if let SRef::L(_) = s {
                            if ne {
                                self.err(cx.file, *pos, "`!=` on a list field; use `not in [...]`");
                                return None;
                            }
                        }
                        let id = self.set.symbols.intern(&c);
                        Some(Node::SymEq { s, id, ne, leaf })
                    }
                    (Typed::Str(a @ (SRef::F(_) | SRef::I(_))), Typed::Str(b @ (SRef::F(_) | SRef::I(_)))) if eqop => {
                        Some(Node::StrEq { a, b, ne, leaf })
                    }
                    (Typed::Bool(b), Typed::BoolConst(c)) | (Typed::BoolConst(c), Typed::Bool(b)) if eqop => {
                        Some(Node::Bool { b, want: c != ne, leaf })
                    }
                    (a, b) => {
                        let why = if eqop { "" } else { " (ordering needs numbers)" };
                        self.err(cx.file, *pos, format!(
                            "type error: cannot compare a {} with a {} using `{}`{why}",
                            a.ty().name(),
                            b.ty().name(),
                            op.as_str()
                        ));
                        None
                    }
                }
            }
            Expr::Set { op, negated, lhs, set, pos, text } => {
                cx.reads.clear();
                let a = self.operand(lhs, cx);
                let reads = std::mem::take(&mut cx.reads);
                let a = a?;
                // Resolve the set to constants.
                let (consts, is_list): (Vec<Operand>, Option<String>) = match set {
                    SetRef::Literal(v, _) => (v.clone(), None),
                    SetRef::List(name, p) => match self.lists.get(name) {
                        Some(i) => (
                            self.set.lists[*i].entries.iter().map(|e| Operand::Str(e.clone(), *p)).collect(),
                            Some(name.clone()),
                        ),
                        None => {
                            let known: Vec<String> = self.lists.keys().map(|k| format!("@{k}")).collect();
                            self.err(cx.file, *p, format!("unknown list @{name} (known: {})", if known.is_empty() { "none".into() } else { known.join(", ") }));
                            return None;
                        }
                    },
                };
                let leaf = self.push_leaf(text.clone(), reads);
                let neg = *negated;
                let strs: Option<Vec<String>> =
                    consts.iter().map(|c| if let Operand::Str(s, _) = c { Some(s.clone()) } else { None }).collect();
                let nums: Option<Vec<f64>> =
                    consts.iter().map(|c| if let Operand::Num(v, _) = c { Some(*v) } else { None }).collect();
                match (a, op) {
                    (Typed::Num(a), SetOp::In) => match nums {
                        Some(vals) => Some(Node::InNum { a, vals, neg, leaf }),
                        None => {
                            self.err(cx.file, *pos, "type error: a number tested against a set that is not all numbers");
                            None
                        }
                    },
                    (Typed::Str(s), op) => {
                        let Some(strs) = strs else {
                            self.err(cx.file, *pos, format!("type error: a {} tested against a set that is not all strings", if matches!(s, SRef::L(_)) { "list of strings" } else { "string" }));
                            return None;
                        };
                        if *op == SetOp::In {
                            let bits = match &is_list {
                                Some(name) if self.list_bits.contains_key(name) => self.list_bits[name].clone(),
                                _ => {
                                    let ids: Vec<u32> = strs.iter().map(|x| self.set.symbols.intern(x)).collect();
                                    let max = ids.iter().copied().max().unwrap_or(0) as usize;
                                    let mut bits = vec![0u64; max / 64 + 1];
                                    for id in ids {
                                        bits[(id / 64) as usize] |= 1 << (id % 64);
                                    }
                                    let bits = Arc::new(bits);
                                    if let Some(name) = &is_list {
                                        self.list_bits.insert(name.clone(), bits.clone());
                                    }
                                    bits
                                }
                            };
                            Some(Node::InSym { s, bits, neg, leaf })
                        } else {
                            if neg {
                                self.err(cx.file, *pos, "`not` before `in` only; write `not (x starts_with ...)`");
                                return None;
                            }
                            if strs.iter().any(|s| s.is_empty()) {
                                self.err(cx.file, *pos, "empty pattern");
                                return None;
                            }
                            Some(Node::Text { s, op: *op, pats: Arc::new(strs), neg, leaf })
                        }
                    }
                    (a, op) => {
                        self.err(cx.file, *pos, format!("type error: `{}` does not apply to a {}", op.as_str(), a.ty().name()));
                        None
                    }
                }
            }
        }
    }

    fn push_leaf(&mut self, text: String, values: Vec<(&'static str, Val)>) -> u32 {
        self.set.leaves.push(Leaf { text, values });
        (self.set.leaves.len() - 1) as u32
    }

    fn operand(&mut self, o: &Operand, cx: &mut Ctx<'_>) -> Option<Typed> {
        match o {
            Operand::Num(v, _) => Some(Typed::Num(NumE::C(*v))),
            Operand::Str(s, _) => Some(Typed::StrConst(s.clone())),
            Operand::Bool(b, _) => Some(Typed::BoolConst(*b)),
            Operand::Field(name, pos) => {
                let Some(fd) = fields::field(name) else {
                    let hint = fields::suggest(name).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                    let hint = if name.starts_with('@') || self.lists.contains_key(name) { format!("; lists are written @{name}") } else { hint };
                    self.err(cx.file, *pos, format!("unknown field `{name}`{hint}"));
                    return None;
                };
                let FieldDef { ty, level, slot, .. } = *fd;
                if level == Level::Item && cx.count_depth == 0 {
                    cx.per_item = true;
                }
                let t = match (ty, level) {
                    (Ty::Num, Level::Filing) => Typed::Num(NumE::F(slot)),
                    (Ty::Num, Level::Item) => Typed::Num(NumE::I(slot)),
                    (Ty::Str, Level::Filing) => Typed::Str(SRef::F(slot)),
                    (Ty::Str, Level::Item) => Typed::Str(SRef::I(slot)),
                    (Ty::StrList, _) => Typed::Str(SRef::L(slot)),
                    (Ty::Bool, Level::Filing) => Typed::Bool(BRef::F(slot)),
                    (Ty::Bool, Level::Item) => Typed::Bool(BRef::I(slot)),
                };
                if cx.count_depth == 0 {
                    let v = match &t {
                        Typed::Num(n) => Val::Num(n.clone()),
                        Typed::Str(s) => Val::Str(*s),
                        Typed::Bool(b) => Val::Bool(*b),
                        _ => return Some(t),
                    };
                    cx.reads.push((fd.name, v));
                }
                Some(t)
            }
            Operand::Count(e, _) => {
                let saved = std::mem::take(&mut cx.reads);
                cx.count_depth += 1;
                let n = self.cond(e, cx);
                cx.count_depth -= 1;
                cx.reads = saved;
                let n = NumE::Count(Box::new(n?));
                cx.reads.push(("count", Val::Num(n.clone())));
                Some(Typed::Num(n))
            }
            Operand::Arith(a, op, b, pos) => {
                let (a, b) = (self.operand(a, cx), self.operand(b, cx));
                match (a?, b?) {
                    (Typed::Num(a), Typed::Num(b)) => Some(Typed::Num(NumE::Arith(Box::new(a), *op, Box::new(b)))),
                    (a, b) => {
                        self.err(cx.file, *pos, format!("type error: `{op}` needs numbers, got a {} and a {}", a.ty().name(), b.ty().name()));
                        None
                    }
                }
            }
        }
    }
}

/// Rough evaluation cost of a node, for ordering conjuncts and disjuncts.
fn cost(n: &Node) -> u32 {
    fn num_cost(e: &NumE) -> u32 {
        match e {
            NumE::F(_) | NumE::I(_) | NumE::C(_) => 0,
            NumE::Count(n) => 20 + cost(n) * 3,
            NumE::Arith(a, _, b) => 1 + num_cost(a) + num_cost(b),
        }
    }
    match n {
        Node::Const(_) => 0,
        Node::Bool { .. } | Node::SymEq { s: SRef::F(_) | SRef::I(_), .. } => 1,
        Node::Num { a, b, .. } => 1 + num_cost(a) + num_cost(b),
        Node::InSym { s: SRef::F(_) | SRef::I(_), .. } => 2,
        Node::SymEq { .. } | Node::InSym { .. } => 4,
        Node::InNum { a, vals, .. } => 2 + num_cost(a) + vals.len() as u32 / 4,
        Node::StrEq { .. } => 4,
        Node::Text { pats, .. } => 10 + 4 * pats.len() as u32,
        Node::Not(c, _) => cost(c),
        Node::And(v) | Node::Or(v) => v.iter().map(cost).sum(),
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn load(src: &str) -> Result<ProfileSet, Vec<Diag>> {
        let lists = [Source { name: "lists/hubs.csv", text: "country\nAE\nSG\n" }];
        ProfileSet::load(&[Source { name: "t.profile", text: src }], &lists, None, None).map(|x| x.0)
    }

    fn msgs(src: &str) -> Vec<String> {
        load(src).err().unwrap_or_default().iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn static_checks_with_positions() {
        let base = |cond: &str| format!("profile P1 {{\n  when {cond}\n  lane red\n  reason \"r\"\n}}\n");
        assert_eq!(msgs(&base("origin == \"CN\"")), Vec::<String>::new());
        let m = msgs(&base("orign == \"CN\""));
        assert_eq!(m, ["t.profile:2:8: error: unknown field `orign`; did you mean `origin`?"]);
        let m = msgs(&base("origin > 5"));
        assert!(m[0].starts_with("t.profile:2:8: error: type error: cannot compare a string with a number"), "{m:?}");
        let m = msgs(&base("origin in @hub"));
        assert!(m[0].starts_with("t.profile:2:18: error: unknown list @hub"), "{m:?}");
        let m = msgs(&base("value > 100 and value < 50"));
        assert!(m[0].contains("unreachable condition: `value < 50` can never hold together with `value > 100`"), "{m:?}");
        let m = msgs(&base("origin == \"CN\" and origin == \"VN\""));
        assert!(m[0].contains("unreachable"), "{m:?}");
        let m = msgs(&base("hs_chapter"));
        assert!(m[0].contains("not a condition"), "{m:?}");
        let m = msgs("profile P1 {\n when value > 1\n lane red\n}\n");
        assert!(m[0].contains("no `reason`"), "{m:?}");
        let two = "profile P1 {\n valid 2026-01-01 to 2026-06-30\n when value > 1\n lane red\n reason \"a\"\n}\n\
                   profile P1 {\n valid 2026-06-01\n when value > 1\n lane red\n reason \"a\"\n}\n";
        let m = msgs(two);
        assert_eq!(m, ["t.profile:7:1: error: profile P1 overlaps the validity of the one at t.profile:1:1"]);
        let ok = two.replace("2026-06-01", "2026-07-01");
        assert!(msgs(&ok).is_empty());
    }

    #[test]
    fn glob_and_contains() {
        assert!(glob("*laptop*", "Used LAPTOPS, assorted"));
        assert!(glob("85??", "8517"));
        assert!(!glob("85??", "85171"));
        assert!(contains_ci("Cotton T-SHIRTS", "t-shirt"));
    }
}
