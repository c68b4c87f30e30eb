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

/// Parse whitespace- (or comma-) separated numbers from `text` into `out`. Non-numbers are skipped and
/// counted; negative values are kept and counted. With `counted_zeroes`, a value of 0 is followed by the
/// number of zero channels it stands for.
pub fn parse_counts(text: &[u8], counted_zeroes: bool, out: &mut Vec<f64>) -> CountIssues {
    let mut issues = CountIssues::default();
    let mut i = 0;
    let n = text.len();
    let mut pending_zero = false;
    while i < n {
        // skip separators
        while i < n && matches!(text[i], b' ' | b'\n' | b'\r' | b'\t' | b',') {
            i += 1;
        }
        if i >= n {
            break;
        }
        let s = i;
        // integer fast path inline
        let mut v: u64 = 0;
        let mut digits = 0usize;
        while i < n {
            let d = text[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v.wrapping_mul(10).wrapping_add(d as u64);
            digits += 1;
            i += 1;
        }
        let value = if digits > 0 && digits <= 15 && (i >= n || matches!(text[i], b' ' | b'\n' | b'\r' | b'\t' | b',')) {
            v as f64
        } else {
            while i < n && !matches!(text[i], b' ' | b'\n' | b'\r' | b'\t' | b',') {
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
                out.resize(out.len() + k, 0.0);
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
