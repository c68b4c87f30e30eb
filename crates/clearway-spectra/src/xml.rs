//! A small, lenient XML scanner over bytes: start/end tags, text, CDATA; comments, processing instructions
//! and DOCTYPE skipped. No namespace resolution (callers strip prefixes and check them); never fails —
//! a tag that does not close is reported as [`Event::Truncated`].

use memchr::{memchr, memchr2, memmem};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Event<'a> {
    /// `<name attrs>` or `<name attrs/>` (`empty`); `pos` is the offset of `<`.
    Start { name: &'a [u8], attrs: &'a [u8], empty: bool, pos: usize },
    End { name: &'a [u8], pos: usize },
    /// Text between tags (raw, entities not decoded) or the content of a CDATA section.
    Text { text: &'a [u8], pos: usize },
    /// The input ends inside a tag, comment or CDATA section starting at `pos`.
    Truncated { pos: usize },
}

pub(crate) struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Scanner { b, pos: 0 }
    }
}

impl<'a> Iterator for Scanner<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let b = self.b;
        loop {
            let p = self.pos;
            if p >= b.len() {
                return None;
            }
            if b[p] != b'<' {
                let end = memchr(b'<', &b[p..]).map_or(b.len(), |i| p + i);
                self.pos = end;
                return Some(Event::Text { text: &b[p..end], pos: p });
            }
            let rest = &b[p + 1..];
            match rest.first() {
                Some(b'?') => match memmem::find(rest, b"?>") {
                    Some(i) => self.pos = p + 1 + i + 2,
                    None => {
                        self.pos = b.len();
                        return Some(Event::Truncated { pos: p });
                    }
                },
                Some(b'!') => {
                    if rest.starts_with(b"!--") {
                        match memmem::find(&rest[3..], b"-->") {
                            Some(i) => self.pos = p + 4 + i + 3,
                            None => {
                                self.pos = b.len();
                                return Some(Event::Truncated { pos: p });
                            }
                        }
                    } else if rest.starts_with(b"![CDATA[") {
                        let body = p + 9;
                        match memmem::find(&b[body..], b"]]>") {
                            Some(i) => {
                                self.pos = body + i + 3;
                                return Some(Event::Text { text: &b[body..body + i], pos: body });
                            }
                            None => {
                                self.pos = b.len();
                                return Some(Event::Truncated { pos: p });
                            }
                        }
                    } else {
                        match memchr(b'>', rest) {
                            Some(i) => self.pos = p + 1 + i + 1,
                            None => {
                                self.pos = b.len();
                                return Some(Event::Truncated { pos: p });
                            }
                        }
                    }
                }
                Some(b'/') => match memchr(b'>', rest) {
                    Some(i) => {
                        self.pos = p + 1 + i + 1;
                        let name = trim(&rest[1..i]);
                        return Some(Event::End { name, pos: p });
                    }
                    None => {
                        self.pos = b.len();
                        return Some(Event::Truncated { pos: p });
                    }
                },
                Some(_) => {
                    // find the closing '>' outside quotes
                    let mut i = 0;
                    let mut quote = 0u8;
                    let end = loop {
                        if quote == 0 {
                            match memchr2(b'>', b'"', &rest[i..]).map(|k| k + i) {
                                None => {
                                    // maybe single quotes
                                    break memchr(b'>', &rest[i..]).map(|k| k + i);
                                }
                                Some(k) if rest[k] == b'>' => {
                                    // single-quoted attribute containing '>' is rare; accept
                                    break Some(k);
                                }
                                Some(k) => {
                                    quote = b'"';
                                    i = k + 1;
                                }
                            }
                        } else {
                            match memchr(quote, &rest[i..]) {
                                None => break None,
                                Some(k) => {
                                    quote = 0;
                                    i = i + k + 1;
                                }
                            }
                        }
                    };
                    let Some(end) = end else {
                        self.pos = b.len();
                        return Some(Event::Truncated { pos: p });
                    };
                    self.pos = p + 1 + end + 1;
                    let mut inner = &rest[..end];
                    let empty = inner.last() == Some(&b'/');
                    if empty {
                        inner = &inner[..inner.len() - 1];
                    }
                    let nl = inner.iter().position(|c| c.is_ascii_whitespace()).unwrap_or(inner.len());
                    return Some(Event::Start { name: &inner[..nl], attrs: &inner[nl..], empty, pos: p });
                }
                None => {
                    self.pos = b.len();
                    return Some(Event::Truncated { pos: p });
                }
            }
        }
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let a = s.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(s.len());
    let e = s.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(a, |i| i + 1);
    &s[a..e.max(a)]
}

/// Split a qualified name into (prefix, local name).
pub(crate) fn split_name(name: &[u8]) -> (&[u8], &[u8]) {
    match name.iter().rposition(|c| *c == b':') {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => (&[], name),
    }
}

/// Iterate over `name="value"` pairs of a tag's attribute text (names as written, values raw).
pub(crate) fn attrs(mut s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        loop {
            let a = s.iter().position(|c| !c.is_ascii_whitespace())?;
            s = &s[a..];
            let eq = s.iter().position(|c| *c == b'=' || c.is_ascii_whitespace());
            let Some(eq) = eq else {
                s = &[];
                return None;
            };
            let name = &s[..eq];
            let mut r = &s[eq..];
            let k = r.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(r.len());
            r = &r[k..];
            if r.first() != Some(&b'=') {
                // attribute without value: skip the name
                s = r;
                if name.is_empty() {
                    s = &s[1.min(s.len())..];
                }
                continue;
            }
            r = &r[1..];
            let k = r.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(r.len());
            r = &r[k..];
            let (val, rest) = match r.first() {
                Some(&q) if q == b'"' || q == b'\'' => match memchr(q, &r[1..]) {
                    Some(e) => (&r[1..1 + e], &r[2 + e..]),
                    None => (&r[1..], &r[r.len()..]),
                },
                _ => {
                    let e = r.iter().position(|c| c.is_ascii_whitespace()).unwrap_or(r.len());
                    (&r[..e], &r[e..])
                }
            };
            s = rest;
            return Some((name, val));
        }
    })
}

/// The value of the attribute whose local name is `key` (prefix ignored), decoded.
pub(crate) fn attr(s: &[u8], key: &str) -> Option<String> {
    attrs(s).find(|(n, _)| split_name(n).1 == key.as_bytes()).map(|(_, v)| decode(v))
}

/// Decode the five predefined entities and numeric character references; lossy UTF-8; trimmed.
pub(crate) fn decode(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s = s.trim();
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Look for the `;` within 12 bytes (byte search: the window may end inside a multi-byte char).
        let Some(semi) = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let rep = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match rep {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans() {
        let x = b"<?xml version=\"1.0\"?><!-- c --><a x=\"1>2\" y='3'><b/>t&amp;<![CDATA[<z>]]></a><c";
        let ev: Vec<_> = Scanner::new(x).collect();
        assert!(matches!(ev[0], Event::Start { name: b"a", empty: false, .. }));
        if let Event::Start { attrs: at, .. } = ev[0] {
            assert_eq!(attr(at, "x").as_deref(), Some("1>2"));
            assert_eq!(attr(at, "y").as_deref(), Some("3"));
        }
        assert!(matches!(ev[1], Event::Start { name: b"b", empty: true, .. }));
        assert!(matches!(ev[2], Event::Text { text: b"t&amp;", .. }));
        assert!(matches!(ev[3], Event::Text { text: b"<z>", .. }));
        assert!(matches!(ev[4], Event::End { name: b"a", .. }));
        assert!(matches!(ev[5], Event::Truncated { .. }));
        assert_eq!(decode(b" a&amp;b&#65;&bogus; "), "a&bA&bogus;");
        assert_eq!(split_name(b"DHS:InterSpec"), (&b"DHS"[..], &b"InterSpec"[..]));
    }
}

#[cfg(test)]
mod fuzz_regressions {
    /// Found by `cargo fuzz run n42`: an entity window ending inside a multi-byte character.
    #[test]
    fn entity_window_inside_a_multibyte_char() {
        assert_eq!(super::decode("&\n\u{fffd}\u{fffd}\u{fffd}".as_bytes()).chars().next(), Some('&'));
        let (_f, _d) = crate::n42::read(&[0, 60, 46, 0, 62, 0, 38, 10, 220, 220, 220, 220, 220, 220, 220]);
    }
}
