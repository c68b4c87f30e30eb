//! Writers: the 309 customs manifest, the 997 functional acknowledgment and the 355
//! acceptance/rejection advice. All use `*` (element), `>` (component) and `~` (segment, followed by a
//! newline), version 004010; values lose those bytes and control characters (replaced by spaces), as
//! X12 has no release character.

use chrono::{DateTime, Utc};
use clearway_core::diagnostic::code;
use clearway_core::{Diagnostic, Filing, GoodsItem, Role, Severity};

use super::codes;
use crate::message::{FunctionalGroup, Interchange, Message};

/// Maximum length of one N10 description element; longer descriptions continue on `N10**...` lines.
pub const DESCRIPTION_CHUNK: usize = 45;

struct W {
    out: Vec<u8>,
    /// Segments since the last ST.
    count: u64,
}

impl W {
    fn new(capacity: usize) -> Self {
        W { out: Vec::with_capacity(capacity), count: 0 }
    }

    fn value(&mut self, v: &str) {
        for &b in v.as_bytes() {
            self.out.push(if matches!(b, b'*' | b'>' | b'~') || b < 0x20 || b == 0x7f { b' ' } else { b });
        }
    }

    /// A segment; trailing empty elements are left out.
    fn seg(&mut self, id: &str, els: &[&str]) {
        self.out.extend_from_slice(id.as_bytes());
        let n = els.iter().rposition(|e| !e.is_empty()).map_or(0, |i| i + 1);
        for e in &els[..n] {
            self.out.push(b'*');
            self.value(e);
        }
        self.out.extend_from_slice(b"~\n");
        self.count += 1;
    }

    fn isa(&mut self, sender: &str, receiver: &str, at: DateTime<Utc>, control: u32) {
        let pad = |s: &str| {
            let mut t = String::new();
            for c in s.chars() {
                if t.len() + c.len_utf8() > 15 {
                    break;
                }
                t.push(c);
            }
            format!("{t:<15}")
        };
        let (s, r) = (pad(sender), pad(receiver));
        let (d, t) = (at.format("%y%m%d").to_string(), at.format("%H%M").to_string());
        let c = format!("{:09}", control % 1_000_000_000);
        self.out.extend_from_slice(b"ISA*00*          *00*          *ZZ*");
        self.value(&s);
        self.out.extend_from_slice(b"*ZZ*");
        self.value(&r);
        self.out.extend_from_slice(format!("*{d}*{t}*U*00401*{c}*0*P*>~\n").as_bytes());
    }

    fn gs(&mut self, functional: &str, sender: &str, receiver: &str, at: DateTime<Utc>, control: u32) {
        let (d, t) = (at.format("%Y%m%d").to_string(), at.format("%H%M").to_string());
        let c = (control % 1_000_000_000).to_string();
        self.seg("GS", &[functional, sender, receiver, &d, &t, &c, "X", "004010"]);
    }

    fn st(&mut self, kind: &str, control: &str) {
        self.count = 0;
        self.seg("ST", &[kind, control]);
    }

    fn se(&mut self, control: &str) {
        let n = (self.count + 1).to_string();
        self.seg("SE", &[&n, control]);
    }

    fn trailers(&mut self, transactions: usize, control: u32) {
        let c = control % 1_000_000_000;
        self.seg("GE", &[&transactions.to_string(), &c.to_string()]);
        self.seg("IEA", &["1", &format!("{c:09}")]);
    }
}

fn fmt_num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default()
}

/// Split at char boundaries into pieces of at most `max` bytes.
fn chunks(s: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if cut == 0 {
            break;
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

fn goods_lines(w: &mut W, g: &GoodsItem) {
    let parts = chunks(&g.description, DESCRIPTION_CHUNK);
    let packages = g.packages.map(|p| p.to_string()).unwrap_or_default();
    let hs = g.hs_code.clone().unwrap_or_default();
    let value = if g.currency.as_deref() == Some("USD") { fmt_num(g.value) } else { String::new() };
    let gross = fmt_num(g.gross_kg);
    let qualifier = if hs.is_empty() { "" } else { "J" };
    // N1007 (weight unit) is always written: it marks the first line of a goods item.
    w.seg("N10", &[&packages, parts.first().copied().unwrap_or(""), "", qualifier, &hs, &value, "K", &gross]);
    if let Some(un) = &g.un_number {
        w.seg("H1", &[un]);
    }
    for p in parts.iter().skip(1) {
        w.seg("N10", &["", p]);
    }
}

/// The earliest filing time, else the Unix epoch (the writers never read the clock).
fn stamp(filings: &[Filing]) -> DateTime<Utc> {
    filings.iter().filter_map(|f| f.times.filed_at).min().unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Write filings as one X12 004010 interchange (one ISA/GS envelope, control number `control` in
/// ISA13, GS06 and the trailers) holding **one 309 transaction set per filing** (ST02 `0001`,
/// `0002`, ...), so each filing keeps its own conveyance, port and arrival date. The ISA/GS date is
/// the earliest `times.filed_at` (else 1970-01-01); sender and receiver are cut to 15 characters in
/// the ISA.
///
/// Per filing: `M10` (carrier SCAC, `O`, IMO, vessel, voyage), `P4` (first port of arrival as a
/// Schedule D code, or the UN/LOCODE itself when it has none; arrival date), `LX`, `M11` (id, place of
/// loading as Schedule K code or UN/LOCODE, total packages and gross kg), `N1`/`N3`/`N4` per party and
/// `N1*FS` for the place of discharge, then goods: those in no listed container first, then one `VID`
/// per equipment (number split into initial and serial, up to five seals, size-type, load/empty) with
/// the goods whose first container it is. Each goods item is an `N10` (packages, description in
/// 45-byte pieces continued on `N10**` lines, HS code, value when in USD, gross kg) and an `H1` for a
/// UN number.
///
/// What [`read`](super::read) gives back: `id`; parties' role, name, street, city, subdivision,
/// postcode and country (identifiers only the carrier's SCAC); goods' description (trimmed),
/// hs_code, packages, gross_kg, un_number, value (USD only) and first container; equipment number,
/// size-type, seals (up to five) and empty flag; conveyance vessel_name, voyage and imo (valid IMO
/// numbers only); place_of_loading, place_of_discharge, first_port_of_arrival; arrival to the day.
/// Not carried: version, status, kind, stage, direction, country (read as US pre-arrival marine
/// import), routing, loading/departure times, quantities, net weight, origin, other identifiers.
pub fn write_309(filings: &[Filing], sender: &str, receiver: &str, control: u32) -> Vec<u8> {
    let at = stamp(filings);
    let mut w = W::new(filings.len() * 1500 + 256);
    w.isa(sender, receiver, at, control);
    w.gs("SO", sender, receiver, at, control);
    for (i, f) in filings.iter().enumerate() {
        let ctl = format!("{:04}", i + 1);
        w.st("309", &ctl);
        let scac = f.party(Role::Carrier).and_then(|p| p.id("SCAC")).unwrap_or("");
        let c = f.conveyance.clone().unwrap_or_default();
        w.seg(
            "M10",
            &[scac, "O", "", c.imo.as_deref().unwrap_or(""), c.vessel_name.as_deref().unwrap_or(""), c.voyage.as_deref().unwrap_or("")],
        );
        let port = f.itinerary.first_port_of_arrival.as_deref().unwrap_or("");
        let port = codes::schedule_d_for(port).unwrap_or(port);
        let arrival = f.times.arrival.map(|a| a.format("%Y%m%d").to_string()).unwrap_or_default();
        w.seg("P4", &[port, &arrival]);
        w.seg("LX", &["1"]);
        let loading = f.itinerary.place_of_loading.as_deref().unwrap_or("");
        let loading = codes::schedule_k_for(loading).unwrap_or(loading);
        let packages: Option<u32> = f.goods.iter().map(|g| g.packages).sum();
        let gross: Option<f64> = f.goods.iter().map(|g| g.gross_kg).sum();
        let packages = if f.goods.is_empty() { String::new() } else { packages.map(|p| p.to_string()).unwrap_or_default() };
        let gross = if f.goods.is_empty() { String::new() } else { fmt_num(gross) };
        let (pkg_unit, wt_unit) = (if packages.is_empty() { "" } else { "PKG" }, if gross.is_empty() { "" } else { "K" });
        w.seg("M11", &[&f.id, loading, &packages, pkg_unit, &gross, wt_unit]);
        for p in &f.parties {
            w.seg("N1", &[codes::role_code(p.role), &p.name]);
            let a = p.address.clone().unwrap_or_default();
            if let Some(s) = &a.street {
                w.seg("N3", &[s]);
            }
            let country = p.country.as_deref().or(a.country.as_deref()).unwrap_or("");
            let n4 = [a.city.as_deref().unwrap_or(""), a.subdivision.as_deref().unwrap_or(""), a.postcode.as_deref().unwrap_or(""), country];
            if n4.iter().any(|e| !e.is_empty()) {
                w.seg("N4", &n4);
            }
        }
        if let Some(d) = &f.itinerary.place_of_discharge {
            w.seg("N1", &["FS", d, "UN", d]);
        }
        let in_equipment = |g: &GoodsItem| g.containers.first().is_some_and(|c| f.equipment.iter().any(|e| &e.number == c));
        for g in f.goods.iter().filter(|g| !in_equipment(g)) {
            goods_lines(&mut w, g);
        }
        for (k, e) in f.equipment.iter().enumerate() {
            let n = e.number.as_str();
            let split = if n.len() > 4 && n.as_bytes()[..4].iter().all(u8::is_ascii_alphabetic) { 4 } else { 0 };
            let (initial, serial) = n.split_at(split);
            let size = e.size_type.as_deref().unwrap_or("");
            let desc = match size.as_bytes().first() {
                Some(b'2') => "2B",
                Some(b'4' | b'L') => "4B",
                _ => "CN",
            };
            let seal = |i: usize| e.seals.get(i).map_or("", String::as_str);
            let status = if e.empty { "E" } else { "L" };
            w.seg("VID", &[desc, initial, serial, seal(0), seal(1), seal(2), seal(3), seal(4), size, status]);
            // Goods go under the first VID with their first container's number.
            if f.equipment.iter().position(|x| x.number == e.number) == Some(k) {
                for g in f.goods.iter().filter(|g| g.containers.first() == Some(&e.number)) {
                    goods_lines(&mut w, g);
                }
            }
        }
        w.se(&ctl);
    }
    w.trailers(filings.len(), control);
    w.out
}

/// The AK5 / AK9 code of one message.
fn message_status(ic: &Interchange, i: usize) -> (&'static str, &'static str) {
    let m = &ic.messages[i];
    if !m.accepted() {
        let codes = || m.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code());
        let ak5 = if codes().any(|c| c == code::MESSAGE_NOT_FILING || c == code::MESSAGE_RESPONSE) {
            "1"
        } else if codes().any(|c| c == code::X12_SE_MISSING) {
            "2"
        } else {
            "5"
        };
        return ("R", ak5);
    }
    let next = ic.messages.get(i + 1).map_or(u64::MAX, |n| n.segment);
    for d in envelope_errors(ic, m.segment, next).flatten() {
        match d.code() {
            code::X12_SE_COUNT => return ("E", "4"),
            code::X12_SE_CONTROL => return ("E", "3"),
            _ => {}
        }
    }
    ("A", "")
}

/// For each envelope diagnostic, `Some` when it is an error on a segment numbered in `from..to`.
fn envelope_errors(ic: &Interchange, from: u64, to: u64) -> impl Iterator<Item = Option<&Diagnostic>> + '_ {
    ic.diagnostics.iter().map(move |d| {
        if d.severity != Severity::Error {
            return None;
        }
        let p = d.location.path.as_deref()?;
        let rest = p.strip_prefix("segment ")?;
        let n: u64 = rest.split(' ').next()?.parse().ok()?;
        (n > from && n < to).then_some(d)
    })
}

fn functional_id(kind: &str) -> &'static str {
    match kind {
        "309" | "355" => "SO",
        "310" => "IO",
        "315" => "QO",
        "997" => "FA",
        _ => "SO",
    }
}

fn control_of(ic: &Interchange) -> u32 {
    ic.control_ref.as_deref().and_then(|c| c.trim().parse::<u32>().ok()).unwrap_or(1)
}

/// A 997 functional acknowledgment of an interchange read by [`read`](super::read), sent back from
/// its recipient to its sender with the same control number, in one `FA` group: one 997 transaction set
/// per functional group received (X12's rule), its AK1 naming the group by its own GS01 and GS06 (an
/// interchange without a readable GS gets one set, AK1 from the first transaction set's type and the
/// ISA13 value); per transaction set of the group an AK2 and an AK5 — `A` accepted, `E` accepted with a
/// control-count error on its SE (code 4 count, 3 control number), `R` rejected (code 1 not a 309, 2 no
/// SE trailer, 5 segments in error) — and an AK9 (`A`, `E`, `P` partly accepted, `R`; with the counts
/// and, for the group's GE errors, codes 5 count and 4 control number). The codes come from the
/// diagnostics' machine codes (`X12-SE-COUNT`, `MESSAGE-NOT-FILING`, ...). The envelope dates are the
/// time `issued` (the caller's clock: the writers never read it).
pub fn ack_997(ic: &Interchange, issued: DateTime<Utc>) -> Vec<u8> {
    let control = control_of(ic);
    let (sender, receiver) = (ic.recipient.as_deref().unwrap_or(""), ic.sender.as_deref().unwrap_or(""));
    let at = issued;
    let mut w = W::new(256 + ic.messages.len() * 40);
    w.isa(sender, receiver, at, control);
    w.gs("FA", sender, receiver, at, control);
    // Without a readable GS: the functional id of the first transaction set's type and the ISA13 value.
    let fallback = FunctionalGroup {
        id: functional_id(ic.messages.first().map_or("309", |m| m.kind.as_str())).to_owned(),
        control: control.to_string(),
        segment: 0,
    };
    let groups: &[FunctionalGroup] = if ic.groups.is_empty() { std::slice::from_ref(&fallback) } else { &ic.groups };
    for (g, group) in groups.iter().enumerate() {
        // A transaction set before the first GS (reported by the reader) is acknowledged with the first group.
        let start = if g == 0 { 0 } else { group.segment };
        let end = groups.get(g + 1).map_or(u64::MAX, |n| n.segment);
        let st_control = format!("{:04}", g + 1);
        w.st("997", &st_control);
        let named = if group.id.is_empty() || group.control.is_empty() { &fallback } else { group };
        w.seg("AK1", &[&named.id, &named.control]);
        let mut n = 0;
        let mut accepted = 0;
        let mut with_errors = false;
        for (i, m) in ic.messages.iter().enumerate().filter(|(_, m)| m.segment > start && m.segment < end) {
            n += 1;
            w.seg("AK2", &[&m.kind, &m.reference]);
            let (status, code) = message_status(ic, i);
            if status != "R" {
                accepted += 1;
            }
            with_errors |= status == "E";
            w.seg("AK5", &[status, code]);
        }
        let mut ge_codes: Vec<&str> = Vec::new();
        for d in envelope_errors(ic, start, end).flatten() {
            match d.code() {
                code::X12_GE_COUNT => ge_codes.push("5"),
                code::X12_GE_CONTROL => ge_codes.push("4"),
                _ => {}
            }
        }
        let status = if accepted == 0 && n > 0 {
            "R"
        } else if accepted < n {
            "P"
        } else if with_errors || !ge_codes.is_empty() {
            "E"
        } else {
            "A"
        };
        let (n, accepted) = (n.to_string(), accepted.to_string());
        let mut ak9 = vec![status, n.as_str(), n.as_str(), accepted.as_str()];
        ak9.extend(ge_codes);
        w.seg("AK9", &ak9);
        w.se(&st_control);
    }
    w.trailers(groups.len(), control);
    w.out
}

/// A 355 acceptance/rejection advice for one transaction set of `ic`, from its recipient to its
/// sender. Layout (Clearway's): `M10` (carrier SCAC, `O`, IMO, vessel, voyage of the first filing),
/// `N9*TN*<ST02>*<ST01>` naming the transaction set, `K1*ACCEPTED` or `K1*REJECTED` with
/// `<ST01> <ST02>`, one `N9*BM*<bill>` per filing accepted, then one `K1*<machine code>*<location>:
/// <message>` per error (the message's and the envelope errors on its segments; not cut to K1's 30
/// characters). Envelope dates: `issued`, the caller's clock.
pub fn response_355(ic: &Interchange, msg: &Message, issued: DateTime<Utc>) -> Vec<u8> {
    let control = control_of(ic);
    let (sender, receiver) = (ic.recipient.as_deref().unwrap_or(""), ic.sender.as_deref().unwrap_or(""));
    let at = issued;
    let mut w = W::new(512);
    w.isa(sender, receiver, at, control);
    w.gs("SO", sender, receiver, at, control);
    w.st("355", "0001");
    let first = msg.filings.first().map(|p| &p.filing);
    let scac = first.and_then(|f| f.party(Role::Carrier)).and_then(|p| p.id("SCAC")).unwrap_or("");
    let c = first.and_then(|f| f.conveyance.clone()).unwrap_or_default();
    w.seg(
        "M10",
        &[scac, "O", "", c.imo.as_deref().unwrap_or(""), c.vessel_name.as_deref().unwrap_or(""), c.voyage.as_deref().unwrap_or("")],
    );
    w.seg("N9", &["TN", &msg.reference, &msg.kind]);
    let verdict = if msg.accepted() { "ACCEPTED" } else { "REJECTED" };
    w.seg("K1", &[verdict, &format!("{} {}", msg.kind, msg.reference)]);
    for p in &msg.filings {
        w.seg("N9", &["BM", &p.filing.id]);
    }
    let next = ic.messages.iter().map(|m| m.segment).filter(|&s| s > msg.segment).min().unwrap_or(u64::MAX);
    let errors = msg
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .chain(envelope_errors(ic, msg.segment, next).flatten());
    for d in errors {
        let c = if d.code().is_empty() { "ERROR" } else { d.code() };
        w.seg("K1", &[c, &format!("{}: {}", d.location, d.message)]);
    }
    w.se("0001");
    w.trailers(1, control);
    w.out
}
