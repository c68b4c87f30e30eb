//! Number parsing for instrument files: whitespace-separated count arrays (with an integer fast path),
//! `CountedZeroes` expansion, and ISO-8601 durations (`PT0.250S`).

/// Most channels a spectrum may have after `CountedZeroes` expansion (larger claims are cut with a diagnostic).
pub const MAX_CHANNELS: usize = 1 << 20;

/// What went wrong in a count array (the caller turns these into diagnostics).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountIssues {
    /// Tokens that are not numbers (first one kept), and how many.
    pub bad_tokens: usize,
    pub first_bad: Option<String>,
    /// Negative values seen.
    pub negatives: usize,
    /// The expansion would exceed [`MAX_CHANNELS`].
    pub too_long: bool,
    /// A `CountedZeroes` marker at the very end without its count.
    pub dangling_zero: bool,
}

impl CountIssues {
    pub fn is_clean(&self) -> bool {
        *self == CountIssues::default()
    }
}

/// Parse one token as a finite f64. Integer fast path; otherwise the standard parser.
#[inline]
pub fn parse_number(tok: &[u8]) -> Option<f64> {
    if tok.is_empty() {
        return None;
    }
    if tok.len() <= 15 {
        let mut v: u64 = 0;
        let mut ok = true;
        for &b in tok {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                ok = false;
                break;
            }
            v = v * 10 + d as u64;
        }
        if ok {
            return Some(v as f64);
        }
    }
    let s = std::str::from_utf8(tok).ok()?;
    let v: f64 = s.parse().ok()?;
    if v.is_finite() { Some(v) } else { None }
}

/// Separator bytes between numbers: space, tab, CR, LF, comma.
const SEP: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\t' as usize] = true;
    t[b',' as usize] = true;
    t
};

#[inline(always)]
fn is_sep(b: u8) -> bool {
    SEP[b as usize]
}

/// Eight bytes at `i` as a little-endian word (the caller checks `i + 8 <= text.len()`).
#[inline(always)]
fn word(text: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&text[i..i + 8]);
    u64::from_le_bytes(a)
}

/// The leading run of ASCII digits in an 8-byte word: (number of digits 0..=8, their value when 1..=7).
/// SWAR: one mask for non-digit bytes, then three multiply-shift steps combining 2, 4 and 8 digits.
#[inline(always)]
fn leading_digits(w: u64) -> (u32, u64) {
    const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // a byte is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x30..=0x39)
    let x = w ^ 0x3030_3030_3030_3030;
    let y = (w.wrapping_add(0x0606_0606_0606_0606) ^ 0x3030_3030_3030_3030) & HI;
    let nondigit = (x & HI) | y;
    // carries of `+6` only run upward from a byte that is itself a non-digit, so the lowest flagged
    // byte is exact
    let k = nondigit.trailing_zeros() / 8;
    if k == 0 || k == 8 {
        return (k, 0);
    }
    // move the k digits to the top bytes (leading zeros below), then combine pairwise
    let mut v = x << (8 * (8 - k));
    v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    v = (v.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    v = v.wrapping_mul(10_000 << 32 | 1) >> 32;
    (k, v)
}

/// Parse whitespace- (or comma-) separated numbers from `text` into `out`. Non-numbers are skipped and
/// counted; negative values are kept and counted. With `counted_zeroes`, a value of 0 is followed by the
/// number of zero channels it stands for.
///
/// Fast path: a token of 1–7 digits followed by a separator is read eight bytes at a time
/// ([`leading_digits`]); anything else (signs, decimals, exponents, long integers, the last bytes of
/// the text) goes through [`parse_number`].
pub fn parse_counts(text: &[u8], counted_zeroes: bool, out: &mut Vec<f64>) -> CountIssues {
    parse_into(text, counted_zeroes, &mut Append(out))
}

/// [`parse_counts`] into a vector whose elements from `*filled` on are all zero (e.g. allocated with
/// `vec![0.0; guess]`): values are written at the cursor and `CountedZeroes` runs only move it, so the
/// zero channels are never written (for memory fresh from the allocator, never touched). The vector grows
/// when the cursor passes its end; the caller truncates it to `*filled` when the spectrum ends.
pub fn parse_counts_zeroed(text: &[u8], counted_zeroes: bool, out: &mut Vec<f64>, filled: &mut usize) -> CountIssues {
    parse_into(text, counted_zeroes, &mut Cursor { v: out, pos: filled })
}

/// Where parsed counts go.
trait Sink {
    fn len(&self) -> usize;
    fn push(&mut self, v: f64);
    /// Append `k` zero channels.
    fn zeros(&mut self, k: usize);
}

struct Append<'a>(&'a mut Vec<f64>);

impl Sink for Append<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }
    #[inline(always)]
    fn push(&mut self, v: f64) {
        self.0.push(v);
    }
    #[inline(always)]
    fn zeros(&mut self, k: usize) {
        self.0.resize(self.0.len() + k, 0.0);
    }
}

struct Cursor<'a> {
    v: &'a mut Vec<f64>,
    pos: &'a mut usize,
}

impl Sink for Cursor<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        *self.pos
    }
    #[inline(always)]
    fn push(&mut self, x: f64) {
        let p = *self.pos;
        if p < self.v.len() {
            self.v[p] = x;
        } else {
            self.v.push(x);
        }
        *self.pos = p + 1;
    }
    #[inline(always)]
    fn zeros(&mut self, k: usize) {
        let p = *self.pos + k;
        if p > self.v.len() {
            self.v.resize(p, 0.0);
        }
        *self.pos = p;
    }
}

#[inline(always)]
fn parse_into<S: Sink>(text: &[u8], counted_zeroes: bool, out: &mut S) -> CountIssues {
    let mut issues = CountIssues::default();
    let mut i = 0;
    let n = text.len();
    let mut pending_zero = false;
    while i < n {
        // skip separators
        while i < n && is_sep(text[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let s = i;
        let mut fast = None;
        // the commonest token in spectra: one digit and a separator
        let d = text[i].wrapping_sub(b'0');
        if d <= 9 && i + 1 < n && is_sep(text[i + 1]) {
            i += 2;
            fast = Some(d as u64);
        } else if i + 8 <= n {
            let (k, v) = leading_digits(word(text, i));
            if (1..8).contains(&k) && is_sep(text[i + k as usize]) {
                i += k as usize;
                fast = Some(v);
            }
        }
        let value = match fast {
            Some(v) => {
                if counted_zeroes {
                    if pending_zero {
                        pending_zero = false;
                        let room = MAX_CHANNELS.saturating_sub(out.len()) as u64;
                        if v > room {
                            issues.too_long = true;
                        }
                        out.zeros(v.min(room) as usize);
                        continue;
                    }
                    if v == 0 {
                        pending_zero = true;
                        continue;
                    }
                }
                if out.len() >= MAX_CHANNELS {
                    issues.too_long = true;
                    continue;
                }
                out.push(v as f64);
                continue;
            }
            None => {
                while i < n && !is_sep(text[i]) {
                    i += 1;
                }
                match parse_number(&text[s..i]) {
                    Some(x) => x,
                    None => {
                        issues.bad_tokens += 1;
                        if issues.first_bad.is_none() {
                            issues.first_bad = Some(String::from_utf8_lossy(&text[s..i.min(s + 40)]).into_owned());
                        }
                        continue;
                    }
                }
            }
        };
        if value < 0.0 {
            issues.negatives += 1;
        }
        if counted_zeroes {
            if pending_zero {
                pending_zero = false;
                let k = if value.is_finite() && value > 0.0 { value.round() as u64 } else { 0 };
                let room = MAX_CHANNELS.saturating_sub(out.len()) as u64;
                if k > room {
                    issues.too_long = true;
                }
                let k = k.min(room) as usize;
                out.zeros(k);
                continue;
            }
            if value == 0.0 {
                pending_zero = true;
                continue;
            }
        }
        if out.len() >= MAX_CHANNELS {
            issues.too_long = true;
            continue;
        }
        out.push(value);
    }
    if pending_zero {
        issues.dangling_zero = true;
        if out.len() < MAX_CHANNELS {
            out.push(0.0);
        }
    }
    issues
}

/// Parse whitespace-separated numbers, skipping non-numbers (used for calibration coefficients).
pub fn parse_list(text: &str) -> (Vec<f64>, usize) {
    let mut v = Vec::new();
    let mut bad = 0;
    for t in text.split(|c: char| c.is_ascii_whitespace() || c == ',') {
        if t.is_empty() {
            continue;
        }
        match parse_number(t.as_bytes()) {
            Some(x) => v.push(x),
            None => bad += 1,
        }
    }
    (v, bad)
}

/// Parse an ISO-8601 duration (`PT0.250S`, `PT1H2M3.5S`, `P1DT2H`) into seconds. Years and months are
/// refused (their length is not fixed); a bare number is taken as seconds. `None` when unreadable or
/// not finite.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(v) = parse_number(s.as_bytes()) {
        return Some(v);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut total = 0.0f64;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' | 't' => {
                if !num.is_empty() {
                    return None;
                }
                in_time = true;
            }
            '0'..='9' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            _ => {
                let v: f64 = num.parse().ok()?;
                num.clear();
                let mult = match (c.to_ascii_uppercase(), in_time) {
                    ('W', false) => 7.0 * 86400.0,
                    ('D', false) => 86400.0,
                    ('H', true) => 3600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
                total += v * mult;
                any = true;
            }
        }
    }
    if !num.is_empty() || !any || !total.is_finite() {
        return None;
    }
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT0.250S"), Some(0.25));
        assert_eq!(parse_duration("PT600.000S"), Some(600.0));
        assert_eq!(parse_duration("PT1H2M3.5S"), Some(3723.5));
        assert_eq!(parse_duration("P1DT1S"), Some(86401.0));
        assert_eq!(parse_duration("613"), Some(613.0));
        assert_eq!(parse_duration("P1Y"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("PTxS"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn swar_digits_match_the_plain_parser() {
        for k in 1..=8usize {
            for v in [0u64, 1, 7, 9, 10, 42, 99, 100, 12345, 1234567, 9999999, 10000000, 99999999] {
                let t = format!("{v:0k$} x 1234 ");
                if t.split(' ').next().unwrap().len() != k {
                    continue;
                }
                let (kk, vv) = leading_digits(word(t.as_bytes(), 0));
                assert_eq!(kk as usize, k, "{t:?}");
                if k < 8 {
                    assert_eq!(vv, v, "{t:?}");
                }
            }
        }
        assert_eq!(leading_digits(u64::from_le_bytes(*b"-12 3456")).0, 0);
        assert_eq!(leading_digits(u64::from_le_bytes(*b"12.5    ")), (2, 12));
        assert_eq!(leading_digits(u64::from_le_bytes(*b"9\xff\xfa\x2f\x3a   ")), (1, 9));
        // mixed tokens near the ends of the text and every separator
        let text = b"12,3\t4\r\n5 6.5 -7 1e2 12345678 123456789012 0 3 8";
        let mut v = Vec::new();
        let i = parse_counts(text, true, &mut v);
        assert_eq!(i.negatives, 1);
        assert_eq!(v, vec![12.0, 3.0, 4.0, 5.0, 6.5, -7.0, 100.0, 12345678.0, 123456789012.0, 0.0, 0.0, 0.0, 8.0]);
        for cut in 0..text.len() {
            let mut a = Vec::new();
            parse_counts(&text[..cut], false, &mut a);
            let b: Vec<f64> = std::str::from_utf8(&text[..cut])
                .unwrap()
                .split([' ', ',', '\t', '\r', '\n'])
                .filter(|t| !t.is_empty())
                .filter_map(|t| t.parse::<f64>().ok())
                .collect();
            assert_eq!(a, b, "cut {cut}");
        }
    }

    #[test]
    fn zeroed_cursor_matches_append() {
        for text in [&b"0 3 5 6.5 0 2 1e1 0 4"[..], b"1 2 3", b"0 10", b"7 0 2 8 0 1", b"", b"4 0"] {
            let mut a = Vec::new();
            let ia = parse_counts(text, true, &mut a);
            for guess in [0usize, 2, 5, 50] {
                let mut z = vec![0.0; guess];
                let mut filled = 0;
                let iz = parse_counts_zeroed(text, true, &mut z, &mut filled);
                z.truncate(filled);
                assert_eq!(z, a, "{text:?} guess {guess}");
                assert_eq!(iz, ia);
            }
        }
        // a second piece continues at the cursor
        let (mut z, mut filled) = (vec![0.0; 8], 0);
        parse_counts_zeroed(b"1 0 2", true, &mut z, &mut filled);
        parse_counts_zeroed(b"3 0 3 4", true, &mut z, &mut filled);
        z.truncate(filled);
        assert_eq!(z, vec![1.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 4.0]);
    }

    #[test]
    fn counts_and_counted_zeroes() {
        let mut v = Vec::new();
        let i = parse_counts(b" 0 3 5 6.5 0 2 1e1\r\n", true, &mut v);
        assert!(i.is_clean());
        assert_eq!(v, vec![0.0, 0.0, 0.0, 5.0, 6.5, 0.0, 0.0, 10.0]);
        let mut v = Vec::new();
        let i = parse_counts(b"1 -2 x 3", false, &mut v);
        assert_eq!(v, vec![1.0, -2.0, 3.0]);
        assert_eq!(i.negatives, 1);
        assert_eq!(i.bad_tokens, 1);
        let mut v = Vec::new();
        let i = parse_counts(b"1 0 99999999999", true, &mut v);
        assert!(i.too_long);
        assert_eq!(v.len(), MAX_CHANNELS);
        let mut v = Vec::new();
        let i = parse_counts(b"NaN inf 1", false, &mut v);
        assert_eq!(v, vec![1.0]);
        assert_eq!(i.bad_tokens, 2);
    }
}
