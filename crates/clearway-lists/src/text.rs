//! Decoding bytes and reading partial dates.

use crate::model::PartialDate;

/// Decode list bytes: UTF-8 (with or without BOM) when valid, otherwise Latin-1 (as OFAC's legacy CSV is).
/// A trailing DOS end-of-file byte (0x1A) is dropped. Returns the text and whether Latin-1 was used.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bytes = match bytes.iter().rposition(|b| *b != 0x1A && !b.is_ascii_whitespace()) {
        Some(i) => {
            let mut end = bytes.len();
            while end > i + 1 && (bytes[end - 1] == 0x1A || bytes[end - 1].is_ascii_whitespace()) {
                end -= 1;
            }
            &bytes[..end]
        }
        None => &bytes[..0],
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (bytes.iter().map(|&b| b as char).collect(), true),
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month_of(w: &str) -> Option<u8> {
    let w = w.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| w.starts_with(m)).map(|i| i as u8 + 1)
}

fn plausible_year(y: i64) -> Option<i32> {
    (1800..=2100).contains(&y).then_some(y as i32)
}

/// Read a date as lists write it: `1962`, `1962-01-12`, `12/05/1958` (day first), `dd/mm/1945`,
/// `12 Jan 1962`, `Jan 1962`, `circa 1960`, `1960 to 1962`. `None` when no year can be found.
pub fn parse_date(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let circa = lower.contains("circa") || lower.starts_with("ca.") || lower.contains("approx");
    // Ranges: "1960 to 1962", "1960-1962".
    let nums: Vec<&str> = s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let years: Vec<i32> =
        nums.iter().filter(|w| w.len() == 4).filter_map(|w| w.parse::<i64>().ok()).filter_map(plausible_year).collect();
    let year = *years.first()?;
    let mut d = PartialDate::year(year);
    d.circa = circa;
    if years.len() >= 2 && (lower.contains(" to ") || nums.len() == 2) && years[1] > year {
        d.to_year = Some(years[1]);
        return Some(d);
    }
    // ISO: yyyy-mm-dd or yyyy-mm.
    if nums.len() >= 2 && nums[0].len() == 4 && nums[0].parse::<i32>().ok() == Some(year) {
        let m = nums[1].parse::<u8>().ok().filter(|m| (1..=12).contains(m)).or_else(|| month_of(nums[1]));
        d.month = m;
        if m.is_some() {
            d.day = nums.get(2).and_then(|x| x.parse::<u8>().ok()).filter(|x| (1..=31).contains(x));
        }
        return Some(d);
    }
    // Day first: dd/mm/yyyy, dd Mon yyyy, Mon yyyy, mm/yyyy.
    let pos = nums.iter().position(|w| w.len() == 4 && w.parse::<i32>().ok() == Some(year))?;
    let before = &nums[..pos];
    match before {
        [dd, mm] => {
            let m = mm.parse::<u8>().ok().filter(|m| (1..=12).contains(m)).or_else(|| month_of(mm));
            let day = dd.parse::<u8>().ok().filter(|x| (1..=31).contains(x));
            if m.is_some() {
                d.month = m;
                d.day = day;
            } else if let (Some(m2), Some(_)) = (month_of(dd), mm.parse::<u8>().ok()) {
                // "Jan 12, 1962"
                d.month = Some(m2);
                d.day = mm.parse::<u8>().ok().filter(|x| (1..=31).contains(x));
            }
        }
        [mm] => {
            d.month = mm.parse::<u8>().ok().filter(|m| (1..=12).contains(m)).or_else(|| month_of(mm));
        }
        _ => {}
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1962"), Some(PartialDate::year(1962)));
        assert_eq!(parse_date("1962-01-12"), Some(PartialDate::ymd(1962, 1, 12)));
        assert_eq!(parse_date("12/05/1958"), Some(PartialDate::ymd(1958, 5, 12)));
        assert_eq!(parse_date("12 Jan 1962"), Some(PartialDate::ymd(1962, 1, 12)));
        assert_eq!(parse_date("dd/mm/1945"), Some(PartialDate::year(1945)));
        let r = parse_date("1960 to 1962").unwrap();
        assert_eq!((r.year, r.to_year), (1960, Some(1962)));
        assert!(parse_date("circa 1960").unwrap().circa);
        assert_eq!(parse_date("unknown"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn latin1_fallback() {
        let (s, latin1) = decode(b"CAF\xC9\x1A");
        assert_eq!(s, "CAF\u{C9}");
        assert!(latin1);
        let (s, latin1) = decode("CAFÉ".as_bytes());
        assert_eq!(s, "CAFÉ");
        assert!(!latin1);
    }
}
