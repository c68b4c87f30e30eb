//! RFC 3339 timestamps, read fast. Filings carry several timestamps each and chrono's general parser
//! costs about as much as the rest of a filing's dates and codes together; the common shape
//! `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` is read here directly, and anything else goes to chrono
//! (so errors, and the rare forms, are exactly chrono's).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};
use std::fmt;

/// Parse an RFC 3339 timestamp to UTC.
pub fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match fast(s.as_bytes()) {
        Some(t) => Ok(t),
        None => s.parse::<DateTime<FixedOffset>>().map(|t| t.with_timezone(&Utc)),
    }
}

fn digits<const N: usize>(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(..N)? {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u32;
    }
    Some(v)
}

fn fast(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (digits::<4>(b)?, digits::<2>(&b[5..])?, digits::<2>(&b[8..])?);
    let (h, mi, s) = (digits::<2>(&b[11..])?, digits::<2>(&b[14..])?, digits::<2>(&b[17..])?);
    if s > 59 {
        return None; // leap seconds: chrono's rules
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + (b[i] - b'0') as u32;
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let (oh, om) = (digits::<2>(rest)? as i64, digits::<2>(&rest[3..])? as i64);
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let local = NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_hms_nano_opt(h, mi, s, nanos)?;
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_secs))?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// `deserialize_with` for `Option<DateTime<Utc>>` fields: `null` or an RFC 3339 string.
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<DateTime<Utc>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 date and time, or null")
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(V)
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<Self::Value, E> {
            parse_rfc3339(s).map(Some).map_err(E::custom)
        }
    }
    d.deserialize_option(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono(s: &str) -> Option<DateTime<Utc>> {
        s.parse::<DateTime<FixedOffset>>().ok().map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn agrees_with_chrono() {
        for s in [
            "2026-11-02T00:00:51Z",
            "2026-11-02t00:00:51z",
            "2026-11-02 00:00:51Z",
            "2026-11-02T00:00:51.5Z",
            "2026-11-02T00:00:51.123456789Z",
            "2026-11-02T00:00:51.1234567891Z",
            "2026-11-02T23:30:00-05:00",
            "2026-11-02T01:30:00+14:00",
            "2024-02-29T12:00:00Z",
            "2026-02-29T12:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-02T24:00:00Z",
            "2026-11-02T00:00:60Z",
            "2026-11-02T00:00:51",
            "2026-11-02T00:00:51.Z",
            "2026-11-02T00:00:51+0500",
            "2026-11-02T00:00:51+25:00",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "20261102T000051Z",
            "",
            "2026-1１-02T00:00:51Z",
        ] {
            assert_eq!(parse_rfc3339(s).ok(), chrono(s), "{s:?}");
        }
    }

    #[test]
    fn errors_are_chronos() {
        let e = parse_rfc3339("2026-11-02T00:00").unwrap_err();
        assert_eq!(e.to_string(), "2026-11-02T00:00".parse::<DateTime<Utc>>().unwrap_err().to_string());
    }

    proptest::proptest! {
        #[test]
        fn same_as_chrono_on_any_input(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?(Z|z|[+-][0-9]{2}:[0-9]{2}|)") {
            proptest::prop_assert_eq!(parse_rfc3339(&s).ok(), chrono(&s));
        }
    }
}
