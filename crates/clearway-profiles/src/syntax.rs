//! Lexer and parser of the profile language (grammar in `docs/profiles.md`). Principal items:
//! [`parse_file`] (text → [`ProfileAst`]s + [`Diag`]s) and the AST types. The parser never panics; it
//! stops a profile at its first error and resumes at the next `profile` keyword.

use crate::Diag;
use chrono::NaiveDate;

/// A position in a source file (1-based line and column, in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Date(NaiveDate),
    Sym(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
    /// Byte offsets in the source (for quoting predicates in explanations).
    start: usize,
    end: usize,
}

const SYMS: [&str; 19] =
    ["==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", "{", "}", ",", "@", "%", "+", "-", "*", "/"];

fn lex(src: &str, file: &str) -> Result<Vec<Token>, Diag> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let adv = |i: &mut usize, col: &mut u32, n: usize, s: &str| {
        *col += s[*i..*i + n].chars().count() as u32;
        *i += n;
    };
    while i < b.len() {
        let c = b[i];
        let pos = Pos { line, col };
        if c == b'\n' {
            i += 1;
            line += 1;
            col = 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            adv(&mut i, &mut col, 1, src);
            continue;
        }
        if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c == b'"' {
            let mut s = String::new();
            let mut j = i + 1;
            let mut closed = false;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        closed = true;
                        j += 1;
                        break;
                    }
                    b'\\' if j + 1 < b.len() && (b[j + 1] == b'"' || b[j + 1] == b'\\') => {
                        s.push(b[j + 1] as char);
                        j += 2;
                    }
                    b'\n' => break,
                    _ => {
                        let ch = src[j..].chars().next().unwrap_or('?');
                        s.push(ch);
                        j += ch.len_utf8();
                    }
                }
            }
            if !closed {
                return Err(Diag::new(file, pos, "unterminated string (strings end on the same line)"));
            }
            { let n = j - i; adv(&mut i, &mut col, n, src); }
            out.push(Token { tok: Tok::Str(s), pos, start, end: i });
            continue;
        }
        if c.is_ascii_digit() {
            // A date 2026-01-31?
            if i + 10 <= b.len() && b[i + 4] == b'-' && b[i + 7] == b'-' && src.is_char_boundary(i + 10) {
                if let Ok(d) = NaiveDate::parse_from_str(&src[i..i + 10], "%Y-%m-%d") {
                    adv(&mut i, &mut col, 10, src);
                    out.push(Token { tok: Tok::Date(d), pos, start, end: i });
                    continue;
                }
            }
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.' || b[j] == b'_') {
                j += 1;
            }
            let text: String = src[i..j].chars().filter(|c| *c != '_').collect();
            let v: f64 = text.parse().map_err(|_| Diag::new(file, pos, format!("bad number {:?}", &src[i..j])))?;
            { let n = j - i; adv(&mut i, &mut col, n, src); }
            out.push(Token { tok: Tok::Num(v), pos, start, end: i });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-' || b[j] == b'.') {
                j += 1;
            }
            // A trailing '-' or '.' is not part of the name.
            while j > i + 1 && (b[j - 1] == b'-' || b[j - 1] == b'.') {
                j -= 1;
            }
            let s = src[i..j].to_owned();
            { let n = j - i; adv(&mut i, &mut col, n, src); }
            out.push(Token { tok: Tok::Ident(s), pos, start, end: i });
            continue;
        }
        match SYMS.iter().find(|s| src[i..].starts_with(**s)) {
            Some(s) => {
                adv(&mut i, &mut col, s.len(), src);
                out.push(Token { tok: Tok::Sym(s), pos, start, end: i });
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(Diag::new(file, pos, format!("unexpected character {ch:?}")));
            }
        }
    }
    out.push(Token { tok: Tok::Eof, pos: Pos { line, col }, start: b.len(), end: b.len() });
    Ok(out)
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value-producing expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(String, Pos),
    Num(f64, Pos),
    Str(String, Pos),
    Bool(bool, Pos),
    /// `count(cond)`: goods items for which `cond` holds.
    Count(Box<Expr>, Pos),
    Arith(Box<Operand>, char, Box<Operand>, Pos),
}

impl Operand {
    pub fn pos(&self) -> Pos {
        match self {
            Operand::Field(_, p)
            | Operand::Num(_, p)
            | Operand::Str(_, p)
            | Operand::Bool(_, p)
            | Operand::Count(_, p)
            | Operand::Arith(_, _, _, p) => *p,
        }
    }
}

/// A set of constants: a literal `[...]` or a named list `@name`.
#[derive(Debug, Clone, PartialEq)]
pub enum SetRef {
    Literal(Vec<Operand>, Pos),
    List(String, Pos),
}

/// Set operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    In,
    StartsWith,
    Contains,
    Matches,
}

impl SetOp {
    pub fn as_str(self) -> &'static str {
        match self {
            SetOp::In => "in",
            SetOp::StartsWith => "starts_with",
            SetOp::Contains => "contains",
            SetOp::Matches => "matches",
        }
    }
}

/// A condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>, Pos),
    Cmp { op: CmpOp, lhs: Operand, rhs: Operand, pos: Pos, text: String },
    Set { op: SetOp, negated: bool, lhs: Operand, set: SetRef, pos: Pos, text: String },
    /// A boolean operand on its own (`new_importer`).
    Truth { operand: Operand, pos: Pos, text: String },
}

/// Lanes a profile can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneReq {
    Yellow,
    Red,
}

/// One parsed profile (not yet checked).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileAst {
    pub id: String,
    pub pos: Pos,
    pub file: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub review: Option<NaiveDate>,
    pub stages: Vec<(String, Pos)>,
    pub modes: Vec<(String, Pos)>,
    pub when: Option<Expr>,
    pub unless: Option<Expr>,
    /// Lane and selection percentage (0-100).
    pub lane: Option<(LaneReq, f64, Pos)>,
    pub weight: Option<(f64, Pos)>,
    /// Most consecutive hits without selection before the next hit is selected.
    pub cap: Option<(u32, Pos)>,
    pub kind: Option<(String, Pos)>,
    pub reason: Option<String>,
    pub instructions: Option<String>,
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    /// Whether the last `bump` moved (it does not at the end of input).
    moved: bool,
    file: &'a str,
    src: &'a str,
}

type PResult<T> = Result<T, Diag>;

impl<'a> Parser<'a> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }
    fn pos(&self) -> Pos {
        self.toks[self.i.min(self.toks.len() - 1)].pos
    }
    fn start(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].start
    }
    fn prev_end(&self) -> usize {
        if self.i == 0 { 0 } else { self.toks[(self.i - 1).min(self.toks.len() - 1)].end }
    }
    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        self.moved = self.i < self.toks.len() - 1;
        if self.moved {
            self.i += 1;
        }
        t
    }
    /// Step back over the token just taken (for an error at its position).
    fn unbump(&mut self) {
        if self.moved {
            self.i -= 1;
            self.moved = false;
        }
    }
    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err(Diag::new(self.file, self.pos(), msg))
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn expect_sym(&mut self, s: &str) -> PResult<()> {
        if self.is_sym(s) {
            self.bump();
            Ok(())
        } else {
            self.err(format!("expected `{s}`, found {}", describe(self.peek())))
        }
    }
    fn string(&mut self, what: &str) -> PResult<String> {
        match self.bump() {
            Tok::Str(s) => Ok(s),
            t => {
                self.unbump();
                self.err(format!("expected a quoted string for {what}, found {}", describe(&t)))
            }
        }
    }
    fn date(&mut self, what: &str) -> PResult<NaiveDate> {
        match self.bump() {
            Tok::Date(d) => Ok(d),
            t => {
                self.unbump();
                self.err(format!("expected a date YYYY-MM-DD for {what}, found {}", describe(&t)))
            }
        }
    }
    fn number(&mut self, what: &str) -> PResult<f64> {
        let neg = if self.is_sym("-") {
            self.bump();
            true
        } else {
            false
        };
        match self.bump() {
            Tok::Num(v) => Ok(if neg { -v } else { v }),
            t => {
                self.unbump();
                self.err(format!("expected a number for {what}, found {}", describe(&t)))
            }
        }
    }
    fn words(&mut self) -> Vec<(String, Pos)> {
        let mut out = Vec::new();
        loop {
            let p = self.pos();
            match self.peek().clone() {
                Tok::Ident(s) if !is_clause(&s) => {
                    self.bump();
                    out.push((s, p));
                    if self.is_sym(",") {
                        self.bump();
                    }
                }
                _ => return out,
            }
        }
    }

    fn profile(&mut self) -> PResult<ProfileAst> {
        let pos = self.pos();
        self.bump(); // `profile`
        let id = match self.bump() {
            Tok::Ident(s) => s,
            t => {
                self.unbump();
                return self.err(format!("expected a profile id after `profile`, found {}", describe(&t)));
            }
        };
        let mut p = ProfileAst {
            id,
            pos,
            file: self.file.to_owned(),
            title: None,
            owner: None,
            valid_from: None,
            valid_to: None,
            review: None,
            stages: vec![],
            modes: vec![],
            when: None,
            unless: None,
            lane: None,
            weight: None,
            cap: None,
            kind: None,
            reason: None,
            instructions: None,
        };
        if let Tok::Str(_) = self.peek() {
            p.title = Some(self.string("the title")?);
        }
        self.expect_sym("{")?;
        loop {
            let kpos = self.pos();
            let key = match self.bump() {
                Tok::Sym("}") => break,
                Tok::Ident(s) => s,
                Tok::Eof => return Err(Diag::new(self.file, kpos, format!("profile {} is not closed with `}}`", p.id))),
                t => {
                    self.unbump();
                    return self.err(format!("expected a clause name, found {}", describe(&t)));
                }
            };
            let dup = |set: bool| -> PResult<()> {
                if set { Err(Diag::new(self.file, kpos, format!("clause `{key}` given twice"))) } else { Ok(()) }
            };
            match key.as_str() {
                "title" => {
                    dup(p.title.is_some())?;
                    p.title = Some(self.string("title")?)
                }
                "owner" => {
                    dup(p.owner.is_some())?;
                    p.owner = Some(self.string("owner")?)
                }
                "valid" => {
                    dup(p.valid_from.is_some())?;
                    p.valid_from = Some(self.date("the start of validity")?);
                    if self.is_kw("to") {
                        self.bump();
                        p.valid_to = Some(self.date("the end of validity")?);
                    }
                }
                "review" => {
                    dup(p.review.is_some())?;
                    p.review = Some(self.date("the review date")?)
                }
                "stages" => {
                    dup(!p.stages.is_empty())?;
                    p.stages = self.words();
                    if p.stages.is_empty() {
                        return Err(Diag::new(self.file, kpos, "`stages` needs at least one stage"));
                    }
                }
                "modes" => {
                    dup(!p.modes.is_empty())?;
                    p.modes = self.words();
                    if p.modes.is_empty() {
                        return Err(Diag::new(self.file, kpos, "`modes` needs at least one mode"));
                    }
                }
                "when" => {
                    dup(p.when.is_some())?;
                    p.when = Some(self.expr(0)?)
                }
                "unless" => {
                    dup(p.unless.is_some())?;
                    p.unless = Some(self.expr(0)?)
                }
                "lane" => {
                    dup(p.lane.is_some())?;
                    let lpos = self.pos();
                    let lane = match self.bump() {
                        Tok::Ident(s) if s == "red" => LaneReq::Red,
                        Tok::Ident(s) if s == "yellow" => LaneReq::Yellow,
                        t => {
                            self.unbump();
                            return self.err(format!("expected `red` or `yellow`, found {}", describe(&t)));
                        }
                    };
                    let ppos = self.pos();
                    let pct = if matches!(self.peek(), Tok::Num(_)) || self.is_sym("-") {
                        let v = self.number("the selection percentage")?;
                        self.expect_sym("%")?;
                        if !(0.0..=100.0).contains(&v) {
                            return Err(Diag::new(self.file, ppos, format!("selection rate {v} % is outside 0-100 %")));
                        }
                        v
                    } else {
                        100.0
                    };
                    p.lane = Some((lane, pct, lpos));
                }
                "weight" => {
                    dup(p.weight.is_some())?;
                    let wpos = self.pos();
                    let w = self.number("the weight")?;
                    if !(-100.0..=100.0).contains(&w) {
                        return Err(Diag::new(self.file, wpos, format!("weight {w} is outside -100..100")));
                    }
                    p.weight = Some((w, wpos))
                }
                "cap" => {
                    dup(p.cap.is_some())?;
                    let cpos = self.pos();
                    let c = self.number("the cap")?;
                    if !(c >= 1.0 && c <= 1e6 && c.fract() == 0.0) {
                        return Err(Diag::new(self.file, cpos, "cap must be a whole number of hits, 1 or more"));
                    }
                    p.cap = Some((c as u32, cpos))
                }
                "kind" => {
                    dup(p.kind.is_some())?;
                    let kp = self.pos();
                    match self.bump() {
                        Tok::Ident(s) => p.kind = Some((s, kp)),
                        t => {
                            self.unbump();
                            return self.err(format!("expected `compliance` or `security`, found {}", describe(&t)));
                        }
                    }
                }
                "reason" => {
                    dup(p.reason.is_some())?;
                    p.reason = Some(self.string("reason")?)
                }
                "instructions" => {
                    dup(p.instructions.is_some())?;
                    p.instructions = Some(self.string("instructions")?)
                }
                other => return Err(Diag::new(self.file, kpos, format!("unknown clause `{other}`"))),
            }
        }
        Ok(p)
    }

    fn expr(&mut self, depth: u32) -> PResult<Expr> {
        if depth > 64 {
            return self.err("condition nested too deeply");
        }
        let mut parts = vec![self.and(depth)?];
        while self.is_kw("or") {
            self.bump();
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Expr::And(vec![])) } else { Expr::Or(parts) })
    }

    fn and(&mut self, depth: u32) -> PResult<Expr> {
        let mut parts = vec![self.unary(depth)?];
        while self.is_kw("and") {
            self.bump();
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Expr::And(vec![])) } else { Expr::And(parts) })
    }

    fn unary(&mut self, depth: u32) -> PResult<Expr> {
        if self.is_kw("not") {
            let p = self.pos();
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?), p));
        }
        if self.is_sym("(") {
            self.bump();
            let e = self.expr(depth + 1)?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        self.predicate(depth)
    }

    fn predicate(&mut self, depth: u32) -> PResult<Expr> {
        let pos = self.pos();
        let start = self.start();
        let lhs = self.sum(depth)?;
        let op = match self.peek() {
            Tok::Sym("==") => Some(CmpOp::Eq),
            Tok::Sym("!=") => Some(CmpOp::Ne),
            Tok::Sym("<") => Some(CmpOp::Lt),
            Tok::Sym("<=") => Some(CmpOp::Le),
            Tok::Sym(">") => Some(CmpOp::Gt),
            Tok::Sym(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let rhs = self.sum(depth)?;
            let text = self.text(start);
            return Ok(Expr::Cmp { op, lhs, rhs, pos, text });
        }
        let mut negated = false;
        if self.is_kw("not") {
            // `x not in [...]`
            if matches!(self.toks.get(self.i + 1).map(|t| &t.tok), Some(Tok::Ident(s)) if s == "in") {
                self.bump();
                negated = true;
            }
        }
        let set_op = match self.peek() {
            Tok::Ident(s) if s == "in" => Some(SetOp::In),
            Tok::Ident(s) if s == "starts_with" => Some(SetOp::StartsWith),
            Tok::Ident(s) if s == "contains" => Some(SetOp::Contains),
            Tok::Ident(s) if s == "matches" => Some(SetOp::Matches),
            _ => None,
        };
        if let Some(op) = set_op {
            self.bump();
            let spos = self.pos();
            let set = if self.is_sym("@") {
                self.bump();
                match self.bump() {
                    Tok::Ident(s) => SetRef::List(s, spos),
                    t => {
                        self.unbump();
                        return self.err(format!("expected a list name after `@`, found {}", describe(&t)));
                    }
                }
            } else if self.is_sym("[") {
                self.bump();
                let mut items = Vec::new();
                while !self.is_sym("]") {
                    items.push(self.atom(depth)?);
                    if self.is_sym(",") {
                        self.bump();
                    } else if !self.is_sym("]") {
                        return self.err(format!("expected `,` or `]`, found {}", describe(self.peek())));
                    }
                }
                self.bump();
                SetRef::Literal(items, spos)
            } else {
                let v = self.atom(depth)?;
                SetRef::Literal(vec![v], spos)
            };
            let text = self.text(start);
            return Ok(Expr::Set { op, negated, lhs, set, pos, text });
        }
        if negated {
            return self.err("expected `in` after `not`");
        }
        let text = self.text(start);
        Ok(Expr::Truth { operand: lhs, pos, text })
    }

    fn text(&self, start: usize) -> String {
        let end = self.prev_end();
        self.src.get(start..end).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn sum(&mut self, depth: u32) -> PResult<Operand> {
        let mut lhs = self.product(depth)?;
        loop {
            let op = match self.peek() {
                Tok::Sym("+") => '+',
                Tok::Sym("-") => '-',
                _ => return Ok(lhs),
            };
            let p = self.pos();
            self.bump();
            let rhs = self.product(depth)?;
            lhs = Operand::Arith(Box::new(lhs), op, Box::new(rhs), p);
        }
    }

    fn product(&mut self, depth: u32) -> PResult<Operand> {
        let mut lhs = self.atom(depth)?;
        loop {
            let op = match self.peek() {
                Tok::Sym("*") => '*',
                Tok::Sym("/") => '/',
                _ => return Ok(lhs),
            };
            let p = self.pos();
            self.bump();
            let rhs = self.atom(depth)?;
            lhs = Operand::Arith(Box::new(lhs), op, Box::new(rhs), p);
        }
    }

    fn atom(&mut self, depth: u32) -> PResult<Operand> {
        let p = self.pos();
        match self.bump() {
            Tok::Num(v) => Ok(Operand::Num(v, p)),
            Tok::Sym("-") => match self.bump() {
                Tok::Num(v) => Ok(Operand::Num(-v, p)),
                t => {
                    self.unbump();
                    self.err(format!("expected a number after `-`, found {}", describe(&t)))
                }
            },
            Tok::Str(s) => Ok(Operand::Str(s, p)),
            Tok::Ident(s) if s == "true" => Ok(Operand::Bool(true, p)),
            Tok::Ident(s) if s == "false" => Ok(Operand::Bool(false, p)),
            Tok::Ident(s) if s == "count" && self.is_sym("(") => {
                self.bump();
                let e = self.expr(depth + 1)?;
                self.expect_sym(")")?;
                Ok(Operand::Count(Box::new(e), p))
            }
            Tok::Ident(s) if is_clause(&s) || matches!(s.as_str(), "and" | "or" | "not" | "in") => {
                self.unbump();
                self.err(format!("expected a value, found keyword `{s}`"))
            }
            Tok::Ident(s) => Ok(Operand::Field(s, p)),
            t => {
                self.unbump();
                self.err(format!("expected a value, found {}", describe(&t)))
            }
        }
    }
}

fn is_clause(s: &str) -> bool {
    matches!(
        s,
        "title" | "owner" | "valid" | "review" | "stages" | "modes" | "when" | "unless" | "lane" | "weight" | "cap"
            | "kind" | "reason" | "instructions" | "profile"
    )
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Num(v) => format!("number {v}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Date(d) => format!("date {d}"),
        Tok::Sym(s) => format!("`{s}`"),
        Tok::Eof => "end of file".into(),
    }
}

/// Parse one file of profiles. Returns every profile that parsed and a diagnostic for each that did not.
pub fn parse_file(file: &str, src: &str) -> (Vec<ProfileAst>, Vec<Diag>) {
    let toks = match lex(src, file) {
        Ok(t) => t,
        Err(d) => return (vec![], vec![d]),
    };
    let mut p = Parser { toks, i: 0, moved: false, file, src };
    let (mut out, mut diags) = (Vec::new(), Vec::new());
    loop {
        match p.peek() {
            Tok::Eof => break,
            Tok::Ident(s) if s == "profile" => match p.profile() {
                Ok(prof) => out.push(prof),
                Err(d) => {
                    diags.push(d);
                    // Resume at the next `profile`.
                    while !matches!(p.peek(), Tok::Eof) && !p.is_kw("profile") {
                        p.bump();
                    }
                }
            },
            t => {
                diags.push(Diag::new(file, p.pos(), format!("expected `profile`, found {}", describe(t))));
                p.bump();
                while !matches!(p.peek(), Tok::Eof) && !p.is_kw("profile") {
                    p.bump();
                }
            }
        }
    }
    (out, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_profile() {
        let src = r#"
# comment
profile VAL-001 "Undervalued electronics" {
  owner "HQ"
  valid 2026-01-01 to 2026-12-31
  review 2026-06-30
  stages pre-arrival, arrival
  modes marine air
  when hs_chapter in [84, 85] and unit_value_kg < 0.5 * value_min and not (origin in @safe)
  unless importer in @trusted_importers
  lane red 50%
  weight 30
  cap 20
  reason "Below band"
  instructions "Check invoice"
}"#;
        let (ps, ds) = parse_file("a.profile", src);
        assert!(ds.is_empty(), "{ds:?}");
        let p = &ps[0];
        assert_eq!(p.id, "VAL-001");
        assert_eq!(p.title.as_deref(), Some("Undervalued electronics"));
        assert_eq!(p.stages.len(), 2);
        assert_eq!(p.lane.map(|l| (l.0, l.1)), Some((LaneReq::Red, 50.0)));
        let Some(Expr::And(parts)) = &p.when else { panic!() };
        assert_eq!(parts.len(), 3);
        let Expr::Cmp { text, .. } = &parts[1] else { panic!() };
        assert_eq!(text, "unit_value_kg < 0.5 * value_min");
    }

    #[test]
    fn errors_have_positions() {
        let (_, ds) = parse_file("b.profile", "profile X {\n  when origin ==\n}\n");
        assert_eq!(ds.len(), 1);
        assert_eq!((ds[0].pos.line, ds[0].pos.column), (3, 1), "{}", ds[0]);
        let (_, ds) = parse_file("c.profile", "profile X {\n  lane red 150%\n}");
        assert!(ds[0].message.contains("outside 0-100"), "{}", ds[0]);
        assert_eq!((ds[0].pos.line, ds[0].pos.column), (2, 12));
        let (_, ds) = parse_file("d.profile", "profile X { reason \"abc }");
        assert!(ds[0].message.contains("unterminated"));
    }

    proptest::proptest! {
        /// Any text: no panic, and every diagnostic points inside the text.
        #[test]
        fn never_panics(src in "(profile|when|lane|red|[A-Za-z_]{1,8}|[0-9.]{1,6}|\"[^\"\n]{0,6}\"?|[(){}\\[\\],@%<>=!+*/ -]|\n|#|2026-01-0[1-9]){0,40}") {
            let (_, diags) = parse_file("p", &src);
            let lines = src.lines().count() as u32 + 1;
            for d in diags {
                proptest::prop_assert!(d.pos.line >= 1 && d.pos.line <= lines, "{d}");
            }
        }

        /// A generated well-formed condition parses back to a predicate per conjunct.
        #[test]
        fn conjunctions_parse(n in 1usize..12, v in 0u32..1000) {
            let cond: Vec<String> = (0..n).map(|i| format!("value > {}", v + i as u32)).collect();
            let src = format!("profile P {{ when {} lane red reason \"r\" }}", cond.join(" and "));
            let (ps, ds) = parse_file("p", &src);
            proptest::prop_assert!(ds.is_empty());
            let parts = match &ps[0].when { Some(Expr::And(v)) => v.len(), Some(_) => 1, None => 0 };
            proptest::prop_assert_eq!(parts, n);
        }
    }
}
