//! Activities with units. `3.7TBq`, `3.7 TBq`, `50Ci`, `500 µCi`, `1e9 Bq` → becquerel.
//!
//! The prefix is case-sensitive where it matters (`MBq` is mega; `mBq` is rejected rather than read as
//! mega or milli); the base unit is not (`bq`, `BQ`, `ci`, `CI`).

use crate::RadError;

/// Becquerel per curie (exact by definition).
pub const BQ_PER_CI: f64 = 3.7e10;

/// Becquerel per unit, for the units accepted.
fn factor(unit: &str) -> Option<f64> {
    let lower = unit.to_ascii_lowercase();
    let (prefix, base) = if lower.ends_with("bq") {
        (&unit[..unit.len() - 2], 1.0)
    } else if lower.ends_with("ci") {
        (&unit[..unit.len() - 2], BQ_PER_CI)
    } else {
        return None;
    };
    let is_bq = base == 1.0;
    let p = match prefix {
        "" => 1.0,
        "k" | "K" if is_bq => 1e3,
        "M" if is_bq => 1e6,
        "G" | "g" if is_bq => 1e9,
        "T" | "t" if is_bq => 1e12,
        "m" if !is_bq => 1e-3,
        "µ" | "μ" | "u" if !is_bq => 1e-6,
        _ => return None,
    };
    Some(p * base)
}

/// Parse an activity with its unit into becquerel. A unit is required; negative, NaN or infinite values
/// and unknown units are errors naming the input.
pub fn parse_activity(input: &str) -> Result<f64, RadError> {
    let s = input.trim();
    let bad = |reason: &str| RadError::BadActivity { input: input.to_string(), reason: reason.to_string() };
    let split = s.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    // An exponent marker directly before the unit (`5e` + `Bq`) is not a number; the parse below rejects it.
    let unit = unit.trim();
    if num.is_empty() {
        return Err(bad("no number"));
    }
    let value: f64 = num.parse().map_err(|_| bad("not a number"))?;
    if !value.is_finite() {
        return Err(bad("not a finite number"));
    }
    if value < 0.0 {
        return Err(bad("negative"));
    }
    if unit.is_empty() {
        return Err(bad("no unit (Bq, kBq, MBq, GBq, TBq, Ci, mCi, µCi)"));
    }
    let f = factor(unit).ok_or_else(|| RadError::UnknownUnit { input: input.to_string(), unit: unit.to_string() })?;
    Ok(value * f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        ((a - b) / b).abs() < 1e-12
    }

    #[test]
    fn units() {
        assert_eq!(parse_activity("12 Bq").unwrap(), 12.0);
        assert!(close(parse_activity("3.7TBq").unwrap(), 3.7e12));
        assert!(close(parse_activity("2 GBq").unwrap(), 2e9));
        assert!(close(parse_activity("5MBq").unwrap(), 5e6));
        assert!(close(parse_activity("7 kBq").unwrap(), 7e3));
        assert!(close(parse_activity("1e9 bq").unwrap(), 1e9));
        assert!(close(parse_activity("1 Ci").unwrap(), 3.7e10));
        assert!(close(parse_activity("50Ci").unwrap(), 1.85e12));
        assert!(close(parse_activity("10 mCi").unwrap(), 3.7e8));
        assert!(close(parse_activity("100 µCi").unwrap(), 3.7e6));
        assert!(close(parse_activity("100uCi").unwrap(), 3.7e6));
        assert_eq!(parse_activity("0 Bq").unwrap(), 0.0);
    }

    #[test]
    fn errors_name_the_input() {
        for bad in ["5 furlongs", "-1 TBq", "NaN Bq", "inf Bq", "1e999 Bq", "TBq", "12", "5 mBq", "1 MCi", "1.2.3 Bq", ""] {
            let e = parse_activity(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("{bad:?}")), "{bad}: {e}");
        }
        assert!(matches!(parse_activity("5 furlongs"), Err(RadError::UnknownUnit { .. })));
        assert!(matches!(parse_activity("-1 TBq"), Err(RadError::BadActivity { .. })));
    }
}
