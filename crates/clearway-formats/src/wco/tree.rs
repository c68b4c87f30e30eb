//! A small, bounded element tree built from quick-xml events.
//!
//! Security: no DTD processing (a `<!DOCTYPE>` is reported and ignored), no entity expansion beyond the
//! five predefined entities and character references (an undefined reference is a warning and is
//! dropped), no external resources. Nesting depth and diagnostic counts are bounded.

use clearway_core::Diagnostic;
use clearway_core::diagnostic::code;
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Deeper elements are skipped (bounded recursion in mapping and in `Drop`).
pub(crate) const MAX_DEPTH: usize = 64;
/// Nesting beyond this stops reading (quick-xml's resolver overflows at 65,535 levels).
const MAX_READ_DEPTH: usize = 1024;
/// Diagnostics beyond this are summarised.
const MAX_DIAGNOSTICS: usize = 100;

/// One element: local name, attributes (local names), direct text, children.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: u64,
    /// In a bound namespace that is not a WCO / UN/CEFACT one: ignored by the mapping.
    pub foreign: bool,
}

impl Node {
    /// Children with this local name (foreign-namespace elements excluded).
    pub fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a Node> + use<'a, 'n> {
        self.children
            .iter()
            .filter(move |c| !c.foreign && c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.all(name).next()
    }

    /// Follow a `/`-separated path of first children.
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('/').try_fold(self, |n, seg| n.child(seg))
    }

    /// Trimmed, non-empty text at `path`.
    pub fn text_at(&self, path: &str) -> Option<String> {
        self.at(path).and_then(Node::value)
    }

    /// Trimmed, non-empty text of this element.
    pub fn value(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The parsed document: the root element (if any) and diagnostics. `fatal` when the XML was not
/// well-formed (the tree then holds what was read before the error).
pub(crate) struct Doc {
    pub root: Option<Node>,
    pub diagnostics: Vec<Diagnostic>,
    pub fatal: bool,
}

fn is_wco_namespace(ns: &[u8]) -> bool {
    ns.starts_with(b"urn:wco:datamodel:") || ns.starts_with(b"urn:un:unece:uncefact:")
}

struct Builder<'a> {
    bytes: &'a [u8],
    /// Open elements; each with its index among same-named siblings (1-based).
    stack: Vec<(Node, usize)>,
    root: Option<Node>,
    diagnostics: Vec<Diagnostic>,
    suppressed: usize,
    warned_prefixes: Vec<Vec<u8>>,
    warned_foreign: Vec<Vec<u8>>,
    /// Depth of skipped (too deep) elements currently open.
    skipping: usize,
    line_pos: usize,
    line: u64,
}

impl Builder<'_> {
    /// 1-based line of a byte offset (offsets are requested in increasing order, mostly).
    fn line_of(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line = 1;
        }
        let slice = self.bytes.get(self.line_pos..pos).unwrap_or(&[]);
        self.line += memchr::memchr_iter(b'\n', slice).count() as u64;
        self.line_pos = pos;
        self.line
    }

    /// Element path such as `Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity`
    /// (a `MetaData` wrapper is left out).
    fn path(&self) -> String {
        let mut out = String::new();
        for (i, (n, idx)) in self.stack.iter().enumerate() {
            if i == 0 && n.name == "MetaData" && self.stack.len() > 1 {
                continue;
            }
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&n.name);
            if *idx > 1 {
                out.push_str(&format!("[{idx}]"));
            }
        }
        if out.is_empty() {
            out.push_str("(document)");
        }
        out
    }

    fn push_diag(&mut self, d: Diagnostic) {
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(d);
        } else {
            self.suppressed += 1;
        }
    }

    fn warn(&mut self, code: &'static str, pos: u64, msg: impl Into<String>) {
        let line = self.line_of(pos);
        let d = Diagnostic::warning(self.path(), msg)
            .with_code(code)
            .at_line(line, None);
        self.push_diag(d);
    }

    /// An error at a byte offset, with its line and (1-based, in bytes) column.
    fn error(&mut self, code: &'static str, pos: u64, msg: impl Into<String>) {
        let line = self.line_of(pos);
        let at = usize::try_from(pos).unwrap_or(usize::MAX).min(self.bytes.len());
        let line_start = memchr::memrchr(b'\n', &self.bytes[..at]).map_or(0, |i| i + 1);
        let d = Diagnostic::error(self.path(), msg)
            .with_code(code)
            .at_line(line, Some((at - line_start + 1) as u64));
        self.push_diag(d);
    }

    fn push_text(&mut self, s: &str, pos: u64) {
        if self.skipping > 0 {
            return;
        }
        match self.stack.last_mut() {
            Some((n, _)) => n.text.push_str(s),
            None if !s.trim().is_empty() => self.error(
                code::XML_NOT_WELL_FORMED,
                pos,
                "XML not well-formed: text outside the document element",
            ),
            None => {}
        }
    }

    fn open(&mut self, node: Node, pos: u64) {
        if self.skipping > 0 || self.stack.len() >= MAX_DEPTH {
            if self.skipping == 0 {
                self.error(
                    code::XML_TOO_DEEP,
                    pos,
                    format!("elements nested deeper than {MAX_DEPTH} levels are skipped"),
                );
            }
            self.skipping += 1;
            return;
        }
        if self.stack.is_empty() && self.root.is_some() {
            self.error(
                code::XML_NOT_WELL_FORMED,
                pos,
                format!(
                    "content after the document element: <{}> ignored",
                    node.name
                ),
            );
            self.skipping += 1;
            return;
        }
        let idx = match self.stack.last() {
            Some((parent, _)) => {
                1 + parent
                    .children
                    .iter()
                    .filter(|c| c.name == node.name)
                    .count()
            }
            None => 1,
        };
        self.stack.push((node, idx));
    }

    fn close(&mut self) {
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        if let Some((node, _)) = self.stack.pop() {
            match self.stack.last_mut() {
                Some((parent, _)) => parent.children.push(node),
                None => self.root = Some(node),
            }
        }
    }
}

/// Parse `bytes` into a bounded element tree. Never panics.
pub(crate) fn parse(bytes: &[u8]) -> Doc {
    let mut reader = NsReader::from_reader(bytes);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.allow_unmatched_ends = false;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
    }
    let mut b = Builder {
        bytes,
        stack: Vec::new(),
        root: None,
        diagnostics: Vec::new(),
        suppressed: 0,
        warned_prefixes: Vec::new(),
        warned_foreign: Vec::new(),
        skipping: 0,
        line_pos: 0,
        line: 1,
    };
    let mut fatal = false;
    let mut doctype: Vec<u8> = Vec::new();
    loop {
        let start_pos = reader.buffer_position();
        let ev = reader.read_resolved_event();
        let (resolve, ev) = match ev {
            Ok((r, e)) => {
                let r = match r {
                    ResolveResult::Unbound => Ns::None,
                    ResolveResult::Bound(ns) => Ns::Bound(ns.as_ref().to_vec()),
                    ResolveResult::Unknown(p) => Ns::Unknown(p),
                };
                (r, e)
            }
            Err(e) => {
                let pos = reader.error_position();
                b.error(
                    code::XML_NOT_WELL_FORMED,
                    pos,
                    format!("XML not well-formed: {e}"),
                );
                fatal = true;
                break;
            }
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let mut node = Node {
                    name,
                    line: b.line_of(start_pos),
                    ..Node::default()
                };
                match resolve {
                    Ns::None => {}
                    Ns::Bound(ns) => {
                        if !is_wco_namespace(&ns) {
                            node.foreign = true;
                            if !b.warned_foreign.contains(&ns) {
                                let msg = format!(
                                    "element <{}> in namespace `{}` is not WCO Data Model; ignored",
                                    node.name,
                                    String::from_utf8_lossy(&ns)
                                );
                                b.warned_foreign.push(ns);
                                b.warn(code::XML_NAMESPACE, start_pos, msg);
                            }
                        }
                    }
                    Ns::Unknown(p) => {
                        if !b.warned_prefixes.contains(&p) {
                            let msg = format!(
                                "namespace prefix `{}` is not declared; element <{}> matched by local name",
                                String::from_utf8_lossy(&p),
                                node.name
                            );
                            b.warned_prefixes.push(p);
                            b.warn(code::XML_NAMESPACE, start_pos, msg);
                        }
                    }
                }
                for a in e.attributes().with_checks(true) {
                    match a {
                        Ok(a) => {
                            let key =
                                String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                            let val = match a.unescape_value() {
                                Ok(v) => v.into_owned(),
                                Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
                            };
                            node.attrs.push((key, val));
                        }
                        Err(err) => {
                            b.error(
                                code::XML_NOT_WELL_FORMED,
                                start_pos,
                                format!("XML not well-formed: bad attribute on <{}>: {err}", node.name),
                            );
                            break;
                        }
                    }
                }
                b.open(node, start_pos);
                if empty {
                    b.close();
                }
                // quick-xml's namespace resolver counts levels in a u16: stop well before that.
                if b.stack.len() + b.skipping > MAX_READ_DEPTH {
                    b.error(
                        code::XML_TOO_DEEP,
                        start_pos,
                        format!(
                            "elements nested deeper than {MAX_READ_DEPTH} levels; reading stopped"
                        ),
                    );
                    fatal = true;
                    break;
                }
            }
            Event::End(_) => b.close(),
            Event::Text(t) => match t.decode() {
                Ok(s) => b.push_text(&s, start_pos),
                Err(_) => {
                    b.warn(
                        code::XML_ENCODING,
                        start_pos,
                        "text is not valid UTF-8; replaced",
                    );
                    b.push_text(&String::from_utf8_lossy(&t), start_pos);
                }
            },
            Event::CData(c) => b.push_text(&String::from_utf8_lossy(&c), start_pos),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => b.push_text(c.encode_utf8(&mut [0u8; 4]), start_pos),
                Ok(None) => {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => b.push_text(s, start_pos),
                        // Declared in the DOCTYPE: well-formed, but never expanded (a warning).
                        None if declared(&doctype, &name) => b.warn(
                            code::XML_ENTITY,
                            start_pos,
                            format!("entity reference `&{name};` dropped (entities are never expanded)"),
                        ),
                        None => b.error(
                            code::XML_ENTITY,
                            start_pos,
                            format!("XML not well-formed: undefined entity reference `&{name};`"),
                        ),
                    }
                }
                Err(err) => b.error(
                    code::XML_ENTITY,
                    start_pos,
                    format!("XML not well-formed: bad character reference: {err}"),
                ),
            },
            Event::DocType(d) => {
                doctype = d.to_vec();
                let has_entities = memchr::memmem::find(&d, b"ENTITY").is_some();
                let msg = if has_entities {
                    "DOCTYPE with entity declarations ignored: no DTD processing, entities are never expanded"
                } else {
                    "DOCTYPE ignored: no DTD processing"
                };
                b.warn(code::XML_DOCTYPE, start_pos, msg);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !fatal && !b.stack.is_empty() {
        let pos = bytes.len() as u64;
        let names: Vec<String> = b.stack.iter().rev().map(|(n, _)| n.name.clone()).collect();
        b.error(
            code::XML_TRUNCATED,
            pos,
            format!(
                "truncated document: unclosed element(s) {}",
                names.join(", ")
            ),
        );
        fatal = true;
    }
    if b.root.is_none() && !fatal {
        b.error(code::INPUT_EMPTY, 0, "no XML element found");
        fatal = true;
    }
    // Keep what was read of a broken document, for the message reference.
    while !b.stack.is_empty() {
        b.skipping = 0;
        b.close();
    }
    if b.suppressed > 0 {
        let d = Diagnostic::warning(
            "(document)",
            format!("{} further diagnostics suppressed", b.suppressed),
        )
        .with_code(code::TOO_MANY_PROBLEMS);
        b.diagnostics.push(d);
    }
    Doc {
        root: b.root,
        diagnostics: b.diagnostics,
        fatal,
    }
}

/// Whether the DOCTYPE's internal subset declares the general entity `name`.
fn declared(doctype: &[u8], name: &str) -> bool {
    let mut rest = doctype;
    while let Some(i) = memchr::memmem::find(rest, b"<!ENTITY") {
        rest = &rest[i + 8..];
        let decl = rest.iter().skip_while(|b| b.is_ascii_whitespace()).copied();
        let n: Vec<u8> = decl.take_while(|b| !b.is_ascii_whitespace()).collect();
        if n == name.as_bytes() {
            return true;
        }
    }
    false
}

enum Ns {
    None,
    Bound(Vec<u8>),
    Unknown(Vec<u8>),
}
