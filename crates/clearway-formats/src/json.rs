//! The lenient single-object JSON reader, [`parse_filing_json`].
//!
//! Two paths:
//!
//! * **Fast path.** Typed serde deserialization of [`Filing`] straight from the bytes. Because the
//!   model's structs use `#[serde(deny_unknown_fields)]`, any unknown field makes this fail and the
//!   slow path reports it. Should the model stop denying unknown fields, this module notices at
//!   start-up (see [`denies_unknown_fields`]) and switches the fast path to `serde_ignored`, so
//!   unknown fields are reported either way.
//! * **Slow path**, taken only when the fast path fails: parse into a [`serde_json::Value`] (syntax
//!   errors stop here, with line and column), then deserialize with `serde_path_to_error` to find
//!   the failing path, repair the value there and retry, at most [`MAX_REPAIRS`] times. Repairs:
//!   unknown fields are removed; a number written as a numeric string, a number or boolean where a
//!   string is expected, `"true"`/`"false"` where a boolean is expected, and a single value where an
//!   array is expected are converted; anything else optional is dropped. Each repair is a
//!   [`Severity::Warning`] naming the path as written in the input (`parties[1].fax`). A missing or
//!   invalid required identity field ([`REQUIRED_FIELDS`]) is an [`Severity::Error`]; checking goes
//!   on past it (with a placeholder) so that one pass reports every such error.

use std::sync::LazyLock;

use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Filing, Location, Severity};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::Parsed;

/// The filing's required identity fields. Any problem with one of them rejects the filing.
pub const REQUIRED_FIELDS: [&str; 5] = ["id", "mode", "direction", "country", "stage"];

/// Values put in place of a bad required field so that checking can go on and report the rest.
/// The filing is rejected anyway.
const PLACEHOLDERS: [(&str, &str); 5] =
    [("id", ""), ("mode", "marine"), ("direction", "import"), ("country", "CA"), ("stage", "arrival")];

/// Required fields of array elements, as `(array field, element field)`: a problem with one of
/// them drops the element (with a warning), not the filing.
pub(crate) const NESTED_REQUIRED: [(&str, &str); 6] = [
    ("parties", "role"),
    ("ids", "scheme"),
    ("ids", "value"),
    ("radioactive", "nuclide"),
    ("radioactive", "activity_bq"),
    ("equipment", "number"),
];

/// How many repairs the slow path makes on one object before giving up.
pub const MAX_REPAIRS: usize = 128;

/// Longest quoted string shown in a diagnostic, in characters.
const QUOTE_LIMIT: usize = 60;

/// Parse one JSON object into a [`Filing`], leniently.
///
/// `Ok` carries the filing and warnings about what was converted, dropped or ignored; `Err` carries
/// the diagnostics (at least one [`Severity::Error`]) that rejected the input: malformed JSON (with
/// line and column relative to `bytes`), a top-level value that is not an object, or a missing or
/// invalid required field (with its path). Field diagnostics carry a path but no line. Never panics.
pub fn parse_filing_json(bytes: &[u8]) -> Result<Parsed, Vec<Diagnostic>> {
    let spec = Spec { placeholders: &PLACEHOLDERS, nested_required: &NESTED_REQUIRED };
    parse_typed::<Filing>(bytes, &spec, denies_unknown_fields())
        .map(|(filing, diagnostics)| Parsed { filing, diagnostics })
}

/// Parse the filing object at the start of `buf`, which may hold more input after it: the outcome
/// and the object's length in bytes. `None` when `buf` does not start with a complete, well-formed
/// JSON value (malformed, or cut off by the end of `buf`): the caller must then find the record's
/// end some other way. Used by the stream readers to parse records in place, without scanning.
pub(crate) fn parse_prefix(buf: &[u8]) -> Option<(Result<Parsed, Vec<Diagnostic>>, usize)> {
    // JSON Lines fast path: when the record ends at the line's end, check UTF-8 once for the whole line
    // and parse from `str` (serde_json then skips per-string UTF-8 checks: ~15 % faster).
    if denies_unknown_fields()
        && let Some(nl) = memchr::memchr(b'\n', buf)
        && let Ok(text) = std::str::from_utf8(&buf[..nl])
    {
        let mut it = serde_json::Deserializer::from_str(text).into_iter::<Filing>();
        if let Some(Ok(filing)) = it.next() {
            return Some((Ok(Parsed { filing, diagnostics: Vec::new() }), it.byte_offset()));
        }
    }
    if denies_unknown_fields() {
        let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<Filing>();
        if let Some(Ok(filing)) = it.next() {
            return Some((Ok(Parsed { filing, diagnostics: Vec::new() }), it.byte_offset()));
        }
    } else {
        let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<WithIgnored<Filing>>();
        if let Some(Ok(WithIgnored(filing, unknown))) = it.next() {
            let diagnostics = unknown.iter().map(|segs| unknown_field_warning(&path_string(segs))).collect();
            return Some((Ok(Parsed { filing, diagnostics }), it.byte_offset()));
        }
    }
    // Well-formed JSON that is not a clean filing: cut it, and let the slow path say what is wrong.
    let mut it = serde_json::Deserializer::from_slice(buf).into_iter::<serde::de::IgnoredAny>();
    match it.next() {
        Some(Ok(_)) => {
            let end = it.byte_offset();
            Some((parse_filing_json(&buf[..end]), end))
        }
        _ => None,
    }
}

/// `T` deserialized through `serde_ignored`, with the paths of the fields it ignored.
struct WithIgnored<T>(T, Vec<Vec<Seg>>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for WithIgnored<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut unknown = Vec::new();
        let t = serde_ignored::deserialize(d, |p| unknown.push(ignored_segs(&p)))?;
        Ok(WithIgnored(t, unknown))
    }
}

/// Whether every struct of the filing model rejects unknown fields (`#[serde(deny_unknown_fields)]`),
/// found out once by probing. When it does, the fast path is plain typed deserialization; when it
/// does not, the fast path goes through `serde_ignored` to report the fields it skips.
pub fn denies_unknown_fields() -> bool {
    static DENIES: LazyLock<bool> =
        LazyLock::new(|| deny_probes(true).iter().all(|p| serde_json::from_str::<Filing>(p).is_err()));
    *DENIES
}

/// One small filing per struct of the model, each with an unknown field `zz` in that struct (or,
/// without `unknown`, the same filings without it).
pub(crate) fn deny_probes(unknown: bool) -> Vec<String> {
    const BASE: &str = r#""id":"p","mode":"air","direction":"import","country":"US","stage":"arrival""#;
    let zz = if unknown { r#","zz":1"# } else { "" };
    let zz_first = if unknown { r#""zz":1"# } else { "" };
    vec![
        format!("{{{BASE}{zz}}}"),
        format!(r#"{{{BASE},"parties":[{{"role":"carrier"{zz}}}]}}"#),
        format!(r#"{{{BASE},"parties":[{{"role":"carrier","address":{{{zz_first}}}}}]}}"#),
        format!(r#"{{{BASE},"parties":[{{"role":"carrier","ids":[{{"scheme":"S","value":"V"{zz}}}]}}]}}"#),
        format!(r#"{{{BASE},"goods":[{{{zz_first}}}]}}"#),
        format!(r#"{{{BASE},"goods":[{{"radioactive":[{{"nuclide":"Cs-137","activity_bq":1{zz}}}]}}]}}"#),
        format!(r#"{{{BASE},"equipment":[{{"number":"N"{zz}}}]}}"#),
        format!(r#"{{{BASE},"conveyance":{{{zz_first}}}}}"#),
        format!(r#"{{{BASE},"itinerary":{{{zz_first}}}}}"#),
        format!(r#"{{{BASE},"times":{{{zz_first}}}}}"#),
    ]
}

/// What the repair loop needs to know about the target type.
pub(crate) struct Spec {
    /// Required top-level fields and the placeholder used to go on checking past a bad one.
    pub placeholders: &'static [(&'static str, &'static str)],
    /// See [`NESTED_REQUIRED`].
    pub nested_required: &'static [(&'static str, &'static str)],
}

impl Spec {
    fn placeholder(&self, field: &str) -> Option<&'static str> {
        self.placeholders.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }
}

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// `goods[2].hs_code` style.
pub(crate) fn path_string(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The generic lenient parser behind [`parse_filing_json`]. `deny` says whether `T` rejects unknown
/// fields (see [`denies_unknown_fields`]).
pub(crate) fn parse_typed<T: DeserializeOwned>(
    bytes: &[u8],
    spec: &Spec,
    deny: bool,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut fast_err = None;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        if deny {
            match serde_json::from_slice::<T>(bytes) {
                Ok(t) => return Ok((t, Vec::new())),
                Err(e) => fast_err = Some(e),
            }
        } else {
            let mut unknown = Vec::new();
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let result = serde_ignored::deserialize(&mut de, |p| unknown.push(ignored_segs(&p)))
                .and_then(|t| de.end().map(|()| t));
            match result {
                Ok(t) => {
                    let diags = unknown.iter().map(|segs| unknown_field_warning(&path_string(segs))).collect();
                    return Ok((t, diags));
                }
                Err(e) => fast_err = Some(e),
            }
        }
    }
    slow_path(bytes, spec, deny, fast_err)
}

fn slow_path<T: DeserializeOwned>(
    bytes: &[u8],
    spec: &Spec,
    deny: bool,
    fast_err: Option<serde_json::Error>,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| vec![syntax_error(&e)])?;
    if !value.is_object() {
        return Err(vec![Diagnostic {
            severity: Severity::Error,
            code: code::JSON_NOT_OBJECT.into(),
            location: Location::default(),
            message: format!("expected a JSON object, found {}", describe(&value)),
        }]);
    }
    let mut fix = Repairs::default();
    for attempt in 0..=MAX_REPAIRS {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) => return fix.finish(t, &value, deny, fast_err),
            Err(e) => e,
        };
        if attempt == MAX_REPAIRS {
            break;
        }
        let segs: Vec<Seg> = err
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                _ => None,
            })
            .collect();
        let msg = err.into_inner().to_string();
        if !fix.repair(&mut value, segs, &msg, spec) {
            return Err(fix.diags);
        }
    }
    fix.diags.push(Diagnostic {
        severity: Severity::Error,
        code: code::TOO_MANY_PROBLEMS.into(),
        location: Location::default(),
        message: format!("too many problems: gave up after {MAX_REPAIRS} repairs"),
    });
    Err(fix.diags)
}

/// The repairs made so far, and how to map paths in the repaired value back to the input.
#[derive(Default)]
struct Repairs {
    diags: Vec<Diagnostic>,
    /// A required field was missing or invalid: the result is an error whatever else happens.
    fatal: bool,
    /// Array elements removed, as (original path of the array, original index).
    removed: Vec<(String, usize)>,
    /// Original paths of single values that were wrapped into one-element arrays.
    wrapped: Vec<String>,
    /// Current paths already converted once (a second failure there drops the value).
    converted: Vec<String>,
}

impl Repairs {
    fn finish<T: DeserializeOwned>(
        mut self,
        t: T,
        value: &Value,
        deny: bool,
        fast_err: Option<serde_json::Error>,
    ) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut t = t;
        if !deny {
            let mut unknown = Vec::new();
            if let Ok(again) = serde_ignored::deserialize(value, |p| unknown.push(ignored_segs(&p))) {
                t = again;
            }
            for segs in unknown {
                let path = self.original_path(&segs);
                self.diags.push(unknown_field_warning(&path));
            }
        }
        // What the typed pass saw that the `Value` pass cannot: duplicate keys (the value keeps the
        // last). Anything else the fast path choked on but the slow path did not is also reported,
        // so no failure goes unexplained.
        if let Some(e) = fast_err {
            let text = strip_position(&e.to_string());
            if text.starts_with("duplicate field") || self.diags.is_empty() {
                let (message, c) = if text.starts_with("duplicate field") {
                    (format!("{text}; the last value was kept"), code::FIELD_REPAIRED)
                } else {
                    (text, code::FIELD_INVALID)
                };
                self.diags.push(Diagnostic::new(Severity::Warning, c, message).at(position(&e)));
            }
        }
        if self.fatal { Err(self.diags) } else { Ok((t, self.diags)) }
    }

    fn warn(&mut self, c: &'static str, path: String, message: String) {
        self.diags.push(Diagnostic::warning(path, message).with_code(c));
    }

    /// Repair `value` at `segs` for the error `msg`. False when it cannot be repaired (the
    /// diagnostics then hold an error).
    fn repair(&mut self, value: &mut Value, segs: Vec<Seg>, msg: &str, spec: &Spec) -> bool {
        if segs.is_empty() {
            // Only a missing required field is reported at the root of an object.
            if let Some(field) = missing_field(msg)
                && let Some(ph) = spec.placeholder(field)
                && let Some(root) = value.as_object_mut()
            {
                self.diags.push(
                    Diagnostic::error(field, format!("missing required field `{field}`"))
                        .with_code(code::FIELD_MISSING),
                );
                self.fatal = true;
                root.insert(field.to_string(), Value::String(ph.to_string()));
                return true;
            }
            self.diags.push(Diagnostic::new(Severity::Error, code::FIELD_INVALID, msg));
            return false;
        }
        if let [Seg::Key(k)] = segs.as_slice()
            && let Some(ph) = spec.placeholder(k)
        {
            let text = explain(msg, node(value, &segs));
            self.diags.push(Diagnostic::error(k.clone(), text).with_code(code::FIELD_INVALID));
            self.fatal = true;
            if let Some(root) = value.as_object_mut() {
                root.insert(k.clone(), Value::String(ph.to_string()));
                return true;
            }
            return false;
        }
        if let Some(name) = unknown_field(msg) {
            let mut target = segs;
            if !matches!(target.last(), Some(Seg::Key(k)) if k == name) {
                target.push(Seg::Key(name.to_string()));
            }
            let path = self.original_path(&target);
            self.diags.push(unknown_field_warning(&path));
            return self.remove(value, &target);
        }
        let path = self.original_path(&segs);
        let what = match segs.last() {
            Some(Seg::Index(_)) => "element",
            _ => "field",
        };
        if let Some(field) = missing_field(msg) {
            self.warn(code::FIELD_MISSING, path, format!("missing required field `{field}`; the {what} was dropped"));
            return self.remove(value, &segs);
        }
        if let [.., Seg::Key(array), Seg::Index(_), Seg::Key(field)] = segs.as_slice()
            && spec.nested_required.iter().any(|(a, f)| a == array && f == field)
        {
            let text = explain(msg, node(value, &segs));
            self.warn(code::FIELD_MISSING, path, format!("{text}; `{field}` is required, so the element was dropped"));
            return self.remove(value, &segs[..segs.len() - 1]);
        }
        let text = explain(msg, node(value, &segs));
        let current = path_string(&segs);
        if !self.converted.contains(&current)
            && let Some(found) = node(value, &segs)
            && let Some(fixed) = convert(found, expected_of(msg))
        {
            let note = if fixed.is_array() {
                self.wrapped.push(path.clone());
                "wrapped in an array".to_string()
            } else {
                format!("converted to {}", describe(&fixed))
            };
            self.warn(code::FIELD_REPAIRED, path, format!("{text}; {note}"));
            self.converted.push(current);
            if let Some(slot) = node_mut(value, &segs) {
                *slot = fixed;
                return true;
            }
            return false;
        }
        self.warn(code::FIELD_INVALID, path, format!("{text}; the {what} was dropped"));
        self.remove(value, &segs)
    }

    /// Remove the node at `segs` (a key from its object or an element from its array).
    fn remove(&mut self, value: &mut Value, segs: &[Seg]) -> bool {
        let Some((last, parent)) = segs.split_last() else { return false };
        let record = match last {
            Seg::Index(i) => {
                let array_path = self.original_path(parent);
                let original = self.original_index(&array_path, *i);
                Some((array_path, original))
            }
            Seg::Key(_) => None,
        };
        let removed = match (last, node_mut(value, parent)) {
            (Seg::Key(k), Some(Value::Object(map))) => map.remove(k).is_some(),
            (Seg::Index(i), Some(Value::Array(items))) if *i < items.len() => {
                items.remove(*i);
                true
            }
            _ => false,
        };
        if removed && let Some(r) = record {
            self.removed.push(r);
        }
        if !removed {
            self.diags.push(
                Diagnostic::error(path_string(segs), "internal: could not repair this value".to_string())
                    .with_code(code::FIELD_INVALID),
            );
        }
        removed
    }

    /// The index in the input of what is now element `i` of the array at `array_path` (original).
    fn original_index(&self, array_path: &str, i: usize) -> usize {
        let mut gone: Vec<usize> = self.removed.iter().filter(|(p, _)| p == array_path).map(|(_, j)| *j).collect();
        gone.sort_unstable();
        let mut o = i;
        for g in gone {
            if g <= o {
                o += 1;
            }
        }
        o
    }

    /// The path in the input of what is now at `segs`.
    fn original_path(&self, segs: &[Seg]) -> String {
        let mut out = String::new();
        for seg in segs {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(0) if self.wrapped.contains(&out) => {}
                Seg::Index(i) => {
                    let o = self.original_index(&out, *i);
                    out.push('[');
                    out.push_str(&o.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn unknown_field_warning(path: &str) -> Diagnostic {
    let name = path.rsplit('.').next().unwrap_or(path);
    Diagnostic::warning(path, format!("unknown field `{name}` (ignored)")).with_code(code::FIELD_UNKNOWN)
}

fn ignored_segs(p: &serde_ignored::Path<'_>) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut cur = p;
    loop {
        match cur {
            serde_ignored::Path::Root => break,
            serde_ignored::Path::Seq { parent, index } => {
                out.push(Seg::Index(*index));
                cur = parent;
            }
            serde_ignored::Path::Map { parent, key } => {
                out.push(Seg::Key(key.clone()));
                cur = parent;
            }
            serde_ignored::Path::Some { parent }
            | serde_ignored::Path::NewtypeStruct { parent }
            | serde_ignored::Path::NewtypeVariant { parent } => cur = parent,
        }
    }
    out.reverse();
    out
}

fn node<'a>(value: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    segs.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.as_object()?.get(k),
        Seg::Index(i) => v.as_array()?.get(*i),
    })
}

fn node_mut<'a>(value: &'a mut Value, segs: &[Seg]) -> Option<&'a mut Value> {
    segs.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.as_object_mut()?.get_mut(k),
        Seg::Index(i) => v.as_array_mut()?.get_mut(*i),
    })
}

/// `missing field `x`` → `x`.
fn missing_field(msg: &str) -> Option<&str> {
    msg.strip_prefix("missing field `")?.strip_suffix('`')
}

/// `unknown field `x`, expected ...` → `x`.
fn unknown_field(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("unknown field `")?;
    let end = rest.rfind("`, expected").or_else(|| rest.rfind("`, there are no fields"))?;
    Some(&rest[..end])
}

/// What serde expected, from an `invalid type` / `invalid value` message.
fn expected_of(msg: &str) -> &str {
    match msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: ")) {
        Some(rest) => rest.rfind(", expected ").map_or("", |i| &rest[i + ", expected ".len()..]),
        None => "",
    }
}

/// serde's name for what it expected, in words.
pub(crate) fn humanize_expected(exp: &str) -> String {
    match exp {
        "f64" | "f32" => "a number".into(),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number (0 or more)".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "a sequence" => "an array".into(),
        "string or map" => "a string".into(),
        "a map" | "map" => "an object".into(),
        e if e.starts_with("struct ") => "an object".into(),
        e => e.into(),
    }
}

/// The largest value of serde's unsigned integer type named `exp`.
fn unsigned_max(exp: &str) -> Option<u64> {
    Some(match exp {
        "u8" => u8::MAX.into(),
        "u16" => u16::MAX.into(),
        "u32" => u32::MAX.into(),
        "u64" | "u128" | "usize" => u64::MAX,
        _ => return None,
    })
}

/// The obvious conversions: numeric string → number, number or boolean → string,
/// `"true"`/`"false"` → boolean, single value → one-element array.
fn convert(found: &Value, exp: &str) -> Option<Value> {
    match (found, exp) {
        (Value::String(s), "f64" | "f32") => {
            let s = s.trim();
            if let Ok(n) = s.parse::<u64>() {
                return Some(Value::Number(n.into()));
            }
            if let Ok(n) = s.parse::<i64>() {
                return Some(Value::Number(n.into()));
            }
            let f = s.parse::<f64>().ok().filter(|f| f.is_finite())?;
            Number::from_f64(f).map(Value::Number)
        }
        (Value::String(s), _) if unsigned_max(exp).is_some() => {
            let n = s.trim().parse::<u64>().ok()?;
            (n <= unsigned_max(exp)?).then(|| Value::Number(n.into()))
        }
        (Value::Number(n), _) if unsigned_max(exp).is_some() => {
            let f = n.as_f64()?;
            let max = unsigned_max(exp)?;
            (f >= 0.0 && f.fract() == 0.0 && f <= max as f64).then(|| Value::Number((f as u64).into()))
        }
        (Value::Number(n), "a string") => Some(Value::String(n.to_string())),
        (Value::Bool(b), "a string") => Some(Value::String(b.to_string())),
        (Value::String(s), "a boolean") => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        (v, "a sequence") if !v.is_null() && !v.is_array() => Some(Value::Array(vec![v.clone()])),
        _ => None,
    }
}

/// chrono's date-time parse errors.
const DATE_TIME_ERRORS: [&str; 7] = [
    "input is out of range",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "bad or unsupported format string",
];

/// A serde error message, in words, with what was found: `expected a number, found string "12kg"`.
pub(crate) fn explain(msg: &str, found: Option<&Value>) -> String {
    let found_text = found.map(describe);
    if let Some(rest) = msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: "))
        && let Some(i) = rest.rfind(", expected ")
    {
        let exp = humanize_expected(&rest[i + ", expected ".len()..]);
        let found_text = found_text.unwrap_or_else(|| rest[..i].to_string());
        return format!("expected {exp}, found {found_text}");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `")
        && let Some(i) = rest.find("`, expected ")
    {
        let exp = &rest[i + "`, expected ".len()..];
        let found_text = found_text.unwrap_or_else(|| format!("`{}`", &rest[..i]));
        return format!("expected {exp}, found {found_text}");
    }
    if DATE_TIME_ERRORS.contains(&msg) {
        return match found_text {
            Some(f) => format!("expected an RFC 3339 date and time ({msg}), found {f}"),
            None => format!("expected an RFC 3339 date and time ({msg})"),
        };
    }
    match found_text {
        Some(f) => format!("{msg}, found {f}"),
        None => msg.to_string(),
    }
}

/// A JSON value in a few words: `string "12kg"`, `number 12`, `an object`.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {}", quote(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A string quoted as JSON, cut to [`QUOTE_LIMIT`] characters.
pub(crate) fn quote(s: &str) -> String {
    let mut cut: String = s.chars().take(QUOTE_LIMIT).collect();
    let more = cut.len() < s.len();
    cut = serde_json::to_string(&cut).unwrap_or_default();
    if more {
        cut.push('…');
    }
    cut
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

fn position(e: &serde_json::Error) -> Location {
    Location {
        path: None,
        line: (e.line() > 0).then_some(e.line() as u64),
        column: (e.line() > 0).then_some(e.column() as u64),
    }
}

/// Malformed JSON, with line and column relative to the parsed bytes.
fn syntax_error(e: &serde_json::Error) -> Diagnostic {
    let text = strip_position(&e.to_string());
    let (c, message) = match e.classify() {
        serde_json::error::Category::Eof => (code::JSON_TRUNCATED, format!("truncated: {text}")),
        _ => (code::JSON_SYNTAX, format!("malformed JSON: {text}")),
    };
    Diagnostic::new(Severity::Error, c, message).at(position(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearway_core::{AgencyCountry, Mode, Role};
    use serde::Deserialize;

    const BASE: &str = r#""id":"X1","mode":"marine","direction":"import","country":"CA","stage":"arrival""#;

    fn with(extra: &str) -> String {
        if extra.is_empty() { format!("{{{BASE}}}") } else { format!("{{{BASE},{extra}}}") }
    }

    fn ok(json: &str) -> Parsed {
        match parse_filing_json(json.as_bytes()) {
            Ok(p) => p,
            Err(d) => panic!("expected Ok for {json}, got {d:#?}"),
        }
    }

    fn err(json: &str) -> Vec<Diagnostic> {
        match parse_filing_json(json.as_bytes()) {
            Ok(p) => panic!("expected Err for {json}, got {p:#?}"),
            Err(d) => d,
        }
    }

    fn paths(diags: &[Diagnostic]) -> Vec<String> {
        diags.iter().map(|d| d.location.path.clone().unwrap_or_default()).collect()
    }

    #[test]
    fn clean_filing_takes_fast_path_without_diagnostics() {
        let p = ok(&with(r#""parties":[{"role":"carrier","name":"ACME"}]"#));
        assert!(p.diagnostics.is_empty());
        assert_eq!(p.filing.id, "X1");
        assert_eq!(p.filing.mode, Mode::Marine);
        assert_eq!(p.filing.country, AgencyCountry::CA);
        assert_eq!(p.filing.parties[0].role, Role::Carrier);
    }

    #[test]
    fn model_denies_unknown_fields_and_probes_are_valid_without_them() {
        for probe in deny_probes(false) {
            assert!(serde_json::from_str::<Filing>(&probe).is_ok(), "{probe}");
        }
        // Today's model denies unknown fields everywhere; this only documents it. The code works
        // either way (see `lenient_struct_without_deny_reports_unknown_fields`).
        assert!(denies_unknown_fields());
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let d = err("{\n  \"id\": \"X\",\n  \"mode\" \"marine\"\n}");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].location.line, Some(3));
        assert_eq!(d[0].location.column, Some(10));
        assert!(d[0].message.starts_with("malformed JSON: expected `:`"), "{}", d[0].message);
    }

    #[test]
    fn truncated_object_is_an_error() {
        let d = err(r#"{"id":"X","mode":"mar"#);
        assert!(d[0].message.starts_with("truncated"), "{}", d[0].message);
        assert_eq!(d[0].location.line, Some(1));
    }

    #[test]
    fn empty_and_non_object_inputs_are_errors() {
        assert!(err("")[0].message.starts_with("truncated"));
        assert!(err("   \n ")[0].message.starts_with("truncated"));
        let d = err(r#"["X1","marine","import","CA","arrival"]"#);
        assert_eq!(d[0].message, "expected a JSON object, found an array");
        assert_eq!(err("42")[0].message, "expected a JSON object, found number 42");
        assert_eq!(err("null")[0].message, "expected a JSON object, found null");
    }

    #[test]
    fn wrong_type_in_optional_field_is_dropped_with_warning() {
        let p = ok(&with(r#""goods":[{"description":"tea"},{"gross_kg":"12kg","value":5}]"#));
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.location.path.as_deref(), Some("goods[1].gross_kg"));
        assert_eq!(d.message, r#"expected a number, found string "12kg"; the field was dropped"#);
        assert_eq!(p.filing.goods[1].gross_kg, None);
        assert_eq!(p.filing.goods[1].value, Some(5.0));
    }

    #[test]
    fn numeric_strings_are_converted() {
        let p = ok(&with(r#""version":"3","goods":[{"gross_kg":" 12.5 ","packages":"4","quantity":"7"}]"#));
        assert_eq!(p.filing.version, 3);
        assert_eq!(p.filing.goods[0].gross_kg, Some(12.5));
        assert_eq!(p.filing.goods[0].packages, Some(4));
        assert_eq!(p.filing.goods[0].quantity, Some(7.0));
        // Fields are visited in key order.
        assert_eq!(paths(&p.diagnostics), ["goods[0].gross_kg", "goods[0].packages", "goods[0].quantity", "version"]);
        assert!(p.diagnostics.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(p.diagnostics[0].message, r#"expected a number, found string " 12.5 "; converted to number 12.5"#);
    }

    #[test]
    fn numbers_and_booleans_where_strings_are_expected_are_converted() {
        let p = ok(&with(r#""goods":[{"hs_code":847130,"un_number":3481}],"conveyance":{"imo":9456783}"#));
        assert_eq!(p.filing.goods[0].hs_code.as_deref(), Some("847130"));
        assert_eq!(p.filing.goods[0].un_number.as_deref(), Some("3481"));
        assert_eq!(p.filing.conveyance.as_ref().and_then(|c| c.imo.as_deref()), Some("9456783"));
        let hs = p.diagnostics.iter().find(|d| d.location.path.as_deref() == Some("goods[0].hs_code")).unwrap();
        assert_eq!(hs.message, "expected a string, found number 847130; converted to string \"847130\"");
    }

    #[test]
    fn bad_integers_are_dropped() {
        let p = ok(&with(r#""goods":[{"packages":-1},{"packages":2.5},{"packages":3.0},{"packages":"x"}]"#));
        let g: Vec<_> = p.filing.goods.iter().map(|g| g.packages).collect();
        assert_eq!(g, [None, None, Some(3), None]);
        assert_eq!(
            paths(&p.diagnostics),
            ["goods[0].packages", "goods[1].packages", "goods[2].packages", "goods[3].packages"]
        );
        assert_eq!(
            p.diagnostics[0].message,
            "expected a whole number (0 or more), found number -1; the field was dropped"
        );
    }

    #[test]
    fn single_value_where_array_expected_is_wrapped() {
        let p = ok(&with(
            r#""parties":{"role":"carrier","name":"ACME","fax":"1"},"itinerary":{"routing":"CN"},"goods":[{"containers":"MSKU1234565"}]"#,
        ));
        assert_eq!(p.filing.parties.len(), 1);
        assert_eq!(p.filing.itinerary.routing, ["CN"]);
        assert_eq!(p.filing.goods[0].containers, ["MSKU1234565"]);
        let ps = paths(&p.diagnostics);
        // The unknown field inside the wrapped object is reported at its path in the input.
        assert!(ps.contains(&"parties".to_string()), "{ps:?}");
        assert!(ps.contains(&"parties.fax".to_string()), "{ps:?}");
        assert!(ps.contains(&"itinerary.routing".to_string()), "{ps:?}");
        let wrap = p.diagnostics.iter().find(|d| d.location.path.as_deref() == Some("parties")).unwrap();
        assert_eq!(wrap.message, "expected an array, found an object; wrapped in an array");
    }

    #[test]
    fn booleans_as_strings_are_converted_and_junk_dropped() {
        let p = ok(&with(r#""fast":"TRUE""#));
        assert!(p.filing.fast);
        let p = ok(&with(r#""fast":"yes""#));
        assert!(!p.filing.fast);
        assert_eq!(p.diagnostics[0].message, r#"expected a boolean, found string "yes"; the field was dropped"#);
    }

    #[test]
    fn nulls_in_non_optional_fields_are_dropped() {
        let p = ok(&with(r#""version":null,"parties":null,"cargo":null,"goods":[{"description":null}]"#));
        assert_eq!(p.filing.version, 1);
        assert_eq!(paths(&p.diagnostics), ["goods[0].description", "parties", "version"]);
        assert_eq!(p.diagnostics[2].message, "expected a whole number (0 or more), found null; the field was dropped");
    }

    #[test]
    fn unknown_fields_at_nested_paths_are_warnings() {
        let p = ok(&with(
            r#""fax":"1","parties":[{"role":"carrier"},{"role":"consignee","fax":"2","address":{"city":"X","planet":"Earth"},"ids":[{"scheme":"IOR","value":"1","note":"n"}]}],"times":{"eta":"soon"}"#,
        ));
        assert_eq!(p.filing.parties.len(), 2);
        let mut ps = paths(&p.diagnostics);
        ps.sort();
        assert_eq!(ps, ["fax", "parties[1].address.planet", "parties[1].fax", "parties[1].ids[0].note", "times.eta"]);
        let fax = p.diagnostics.iter().find(|d| d.location.path.as_deref() == Some("parties[1].fax")).unwrap();
        assert_eq!(fax.message, "unknown field `fax` (ignored)");
        assert_eq!(fax.severity, Severity::Warning);
    }

    #[test]
    fn missing_required_fields_are_errors_all_reported() {
        let d = err(r#"{"id":"X","direction":"import","stage":"arrival"}"#);
        let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(paths(&d), ["mode", "country"]);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "missing required field `mode`");
    }

    #[test]
    fn wrong_required_fields_are_errors() {
        let d = err(
            r#"{"id":17,"mode":"boat","direction":"import","country":"ca","stage":"arrival","goods":[{"gross_kg":"x"}]}"#,
        );
        let errors: Vec<_> =
            d.iter().filter(|d| d.severity == Severity::Error).map(|d| d.location.path.clone().unwrap()).collect();
        assert_eq!(errors, ["country", "id", "mode"]);
        let mode = d.iter().find(|d| d.location.path.as_deref() == Some("mode")).unwrap();
        assert_eq!(mode.message, r#"expected one of `marine`, `air`, `rail`, `highway`, `postal`, `multimodal`, `fixed-installation`, `own-propulsion`, `unknown`, found string "boat""#);
        let id = d.iter().find(|d| d.location.path.as_deref() == Some("id")).unwrap();
        assert_eq!(id.message, "expected a string, found number 17");
        // Optional problems are still reported beside the errors.
        assert!(d.iter().any(|d| d.location.path.as_deref() == Some("goods[0].gross_kg")));
    }

    #[test]
    fn element_missing_required_member_is_dropped_and_later_paths_stay_original() {
        let p = ok(&with(
            r#""parties":[{"name":"no role"},{"role":"boss"},{"role":"carrier","fax":1},{"role":"consignee","ids":[{"value":"v"},{"scheme":"S","value":"V","x":1}]}]"#,
        ));
        assert_eq!(p.filing.parties.len(), 2);
        assert_eq!(p.filing.parties[1].ids.len(), 1);
        assert_eq!(
            paths(&p.diagnostics),
            ["parties[0]", "parties[1].role", "parties[2].fax", "parties[3].ids[0]", "parties[3].ids[1].x"]
        );
        assert_eq!(p.diagnostics[0].message, "missing required field `role`; the element was dropped");
        assert!(p.diagnostics[1].message.ends_with("`role` is required, so the element was dropped"));
    }

    #[test]
    fn wrong_element_types_are_dropped() {
        let p = ok(&with(r#""parties":[1,{"role":"carrier"},"x"],"equipment":[{"number":5}]"#));
        assert_eq!(p.filing.parties.len(), 1);
        // 5 is not converted for a required member: the element goes.
        assert_eq!(paths(&p.diagnostics), ["equipment[0].number", "parties[0]", "parties[2]"]);
        assert_eq!(p.diagnostics[1].message, "expected an object, found number 1; the element was dropped");
    }

    #[test]
    fn bad_times_and_enums_are_dropped() {
        let p = ok(&with(
            r#""cargo":"box","times":{"arrival":"2024-13-01T00:00:00Z","loading":5,"filed_at":"2024-01-01T00:00:00Z"}"#,
        ));
        assert_eq!(p.filing.cargo, None);
        assert!(p.filing.times.filed_at.is_some());
        assert_eq!(paths(&p.diagnostics), ["cargo", "times.arrival", "times.loading"]);
        assert_eq!(
            p.diagnostics[1].message,
            r#"expected an RFC 3339 date and time (input is out of range), found string "2024-13-01T00:00:00Z"; the field was dropped"#
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_with_a_warning() {
        let p = ok(&with(r#""id":"X2""#));
        assert_eq!(p.filing.id, "X2");
        assert_eq!(p.diagnostics.len(), 1);
        assert!(p.diagnostics[0].message.starts_with("duplicate field `id`"), "{}", p.diagnostics[0].message);
        assert_eq!(p.diagnostics[0].location.line, Some(1));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(err(&deep)[0].message.contains("recursion limit"));
        let deep_obj = with(&format!("\"goods\":{}{}", "[".repeat(1000), "]".repeat(1000)));
        assert!(parse_filing_json(deep_obj.as_bytes()).is_err());
        assert!(err(r#"{"id":1e999}"#)[0].message.contains("number out of range"));
        assert!(parse_filing_json(b"\xff\xfe\x00garbage").is_err());
        assert!(parse_filing_json(b"{\"id\":\"\xff\"}").is_err());
        let big = with(r#""goods":[{"packages":184467440737095516150000}]"#);
        assert!(parse_filing_json(big.as_bytes()).is_ok());
        let long = format!("{{{BASE},\"goods\":[{{\"gross_kg\":\"{}\"}}]}}", "é".repeat(500));
        let p = ok(&long);
        assert!(p.diagnostics[0].message.contains('…'));
    }

    #[test]
    fn too_many_problems_gives_up() {
        let junk: Vec<String> = (0..200).map(|i| format!("\"f{i}\":1")).collect();
        let d = err(&with(&junk.join(",")));
        assert_eq!(d.last().unwrap().message, format!("too many problems: gave up after {MAX_REPAIRS} repairs"));
    }

    #[test]
    fn bom_is_skipped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(with("").as_bytes());
        assert!(parse_filing_json(&bytes).is_ok());
    }

    /// A struct like the model's but without `deny_unknown_fields`: the `serde_ignored` paths.
    #[derive(Debug, Deserialize)]
    struct Loose {
        #[allow(dead_code)]
        id: String,
        #[serde(default)]
        items: Vec<LooseItem>,
    }

    #[derive(Debug, Deserialize)]
    struct LooseItem {
        #[serde(default)]
        n: Option<f64>,
    }

    const LOOSE: Spec = Spec { placeholders: &[("id", "")], nested_required: &[] };

    #[test]
    fn lenient_struct_without_deny_reports_unknown_fields() {
        let (t, d) = parse_typed::<Loose>(br#"{"id":"a","items":[{"n":1,"u":2}],"v":3}"#, &LOOSE, false).unwrap();
        assert_eq!(t.items[0].n, Some(1.0));
        assert_eq!(paths(&d), ["items[0].u", "v"]);
        // Slow path: a dropped element before the unknown field keeps the original index.
        let (t, d) = parse_typed::<Loose>(br#"{"id":"a","items":[{"n":"x"},5,{"n":1,"u":2}]}"#, &LOOSE, false).unwrap();
        assert_eq!(t.items.len(), 2);
        assert_eq!(paths(&d), ["items[0].n", "items[1]", "items[2].u"]);
    }
}
