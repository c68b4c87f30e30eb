//! A small element tree built with quick-xml: list files are a few MB, and walking a tree keeps each
//! loader short. Namespaces are dropped from names.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// 1-based line where the element starts.
    pub line: u64,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of a child, `None` when absent or empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }

    /// All descendants with this name, depth first.
    pub fn descendants<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

fn local(name: &[u8]) -> String {
    let n = match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(n).into_owned()
}

/// Line numbers by byte offset, counted incrementally (offsets only grow while reading).
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> u64 {
        let pos = pos.min(self.text.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..pos].iter().filter(|b| **b == b'\n').count() as u64;
        self.pos = pos;
        self.line
    }
}

/// Parse a whole document into its root element. Errors name the line.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    let mut line_of = |_: &str, pos: usize| lines.at(pos);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = vec![Element { name: "#document".into(), ..Element::default() }];
    const MAX_DEPTH: usize = 64;
    loop {
        let pos = reader.buffer_position() as usize;
        match reader.read_event() {
            Err(e) => return Err(format!("line {}: malformed XML: {e}", line_of(text, pos))),
            Ok(Event::Eof) => break,
            Ok(Event::Start(s)) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("line {}: elements nested too deeply", line_of(text, pos)));
                }
                stack.push(start(&s, line_of(text, pos)));
            }
            Ok(Event::Empty(s)) => {
                let e = start(&s, line_of(text, pos));
                if let Some(top) = stack.last_mut() {
                    top.children.push(e);
                }
            }
            Ok(Event::End(_)) => {
                if stack.len() <= 1 {
                    return Err(format!("line {}: unexpected end tag", line_of(text, pos)));
                }
                let done = stack.pop().unwrap_or_default();
                if let Some(top) = stack.last_mut() {
                    top.children.push(done);
                }
            }
            Ok(Event::Text(t)) => {
                let s = t.decode().map_err(|e| format!("line {}: {e}", line_of(text, pos)))?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| format!("line {}: {e}", line_of(text, pos)))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().map_err(|e| format!("line {}: {e}", line_of(text, pos)))?;
                let ch = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
                    n if n.starts_with('#') => n[1..].parse::<u32>().ok().and_then(char::from_u32),
                    _ => None,
                };
                if let (Some(c), Some(top)) = (ch, stack.last_mut()) {
                    top.text.push(c);
                }
            }
            Ok(Event::CData(c)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Ok(_) => {}
        }
    }
    if stack.len() != 1 {
        return Err(format!("truncated XML: <{}> is not closed", stack.last().map_or("", |e| e.name.as_str())));
    }
    let doc = stack.pop().unwrap_or_default();
    doc.children.into_iter().next().ok_or_else(|| "no root element".to_string())
}

fn start(s: &quick_xml::events::BytesStart<'_>, line: u64) -> Element {
    let mut e = Element { name: local(s.name().as_ref()), line, ..Element::default() };
    for a in s.attributes().flatten() {
        let key = local(a.key.as_ref());
        if key == "xmlns" {
            continue;
        }
        let v = a.unescape_value().map(|v| v.into_owned()).unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
        e.attrs.push((key, v));
    }
    e
}

#[cfg(test)]
mod tests {
    #[test]
    fn tree_and_errors() {
        let r = super::parse("<a x=\"1\"><b>hi &amp; bye</b><c/></a>").unwrap();
        assert_eq!(r.name, "a");
        assert_eq!(r.attr("x"), Some("1"));
        assert_eq!(r.text_of("b"), Some("hi & bye"));
        assert!(super::parse("<a><b>").unwrap_err().contains("not closed"));
        assert!(super::parse("<a></b>").is_err());
    }
}
