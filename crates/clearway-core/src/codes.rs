//! Code checks every layer and reader needs: ISO 6346 container numbers, ISO 3166-1 alpha-2 country
//! codes, HS code format, UN/LOCODE format, IMO numbers. Existence checks against reference tables are
//! in the engine's reference data; these are the format and check-digit rules.

/// ISO 3166-1 alpha-2 codes currently assigned (249 codes).
pub const ISO3166_ALPHA2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
    "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
    "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
    "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE",
    "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM",
    "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT",
    "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
    "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA",
    "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
    "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
    "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// One bit per letter pair AA..ZZ, set for assigned codes; built at compile time from the table.
const ISO3166_BITS: [u64; 11] = {
    let mut bits = [0u64; 11];
    let mut i = 0;
    while i < ISO3166_ALPHA2.len() {
        let b = ISO3166_ALPHA2[i].as_bytes();
        let n = (b[0] - b'A') as usize * 26 + (b[1] - b'A') as usize;
        bits[n / 64] |= 1 << (n % 64);
        i += 1;
    }
    bits
};

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_iso3166_alpha2(code: &str) -> bool {
    match code.as_bytes() {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            let n = (a - b'A') as usize * 26 + (b - b'A') as usize;
            ISO3166_BITS[n / 64] & (1 << (n % 64)) != 0
        }
        _ => false,
    }
}

/// ISO 6346 letter values: A=10, skipping multiples of 11 (so B=12 ... Z=38).
fn iso6346_letter_value(c: u8) -> Option<u32> {
    if !c.is_ascii_uppercase() {
        return None;
    }
    let mut v = 10u32;
    let mut l = b'A';
    while l < c {
        v += 1;
        if v.is_multiple_of(11) {
            v += 1;
        }
        l += 1;
    }
    Some(v)
}

/// What is wrong with a container number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContainerNumberError {
    #[error("must be 11 characters (4 letters, 6 digits, 1 check digit), found {0}")]
    Length(usize),
    #[error("characters 1-3 must be the owner code letters")]
    OwnerCode,
    #[error("character 4 must be the category identifier U, J or Z")]
    Category,
    #[error("characters 5-10 must be the serial number digits")]
    Serial,
    #[error("character 11 must be the check digit")]
    CheckDigitFormat,
    #[error("check digit is {found}, the owner code and serial give {expected}")]
    CheckDigit { found: u32, expected: u32 },
}

/// The ISO 6346 check digit of the first ten characters (owner code, category, serial).
pub fn iso6346_check_digit(first10: &[u8]) -> Option<u32> {
    if first10.len() != 10 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first10.iter().enumerate() {
        let v = if i < 4 { iso6346_letter_value(c)? } else if c.is_ascii_digit() { (c - b'0') as u32 } else { return None };
        sum += v << i;
    }
    Some(sum % 11 % 10)
}

/// Validate an ISO 6346 container number such as `CSQU3054383` (spaces and hyphens are ignored).
pub fn validate_container_number(number: &str) -> Result<(), ContainerNumberError> {
    let mut buf = [0u8; 11];
    let mut n = 0usize;
    for c in number.bytes().filter(|c| !matches!(c, b' ' | b'-')) {
        if n < 11 {
            buf[n] = c.to_ascii_uppercase();
        }
        n += 1;
    }
    if n != 11 {
        return Err(ContainerNumberError::Length(n));
    }
    if !buf[..3].iter().all(|c| c.is_ascii_uppercase()) {
        return Err(ContainerNumberError::OwnerCode);
    }
    if !matches!(buf[3], b'U' | b'J' | b'Z') {
        return Err(ContainerNumberError::Category);
    }
    if !buf[4..10].iter().all(|c| c.is_ascii_digit()) {
        return Err(ContainerNumberError::Serial);
    }
    if !buf[10].is_ascii_digit() {
        return Err(ContainerNumberError::CheckDigitFormat);
    }
    let expected = iso6346_check_digit(&buf[..10]).ok_or(ContainerNumberError::Serial)?;
    let found = (buf[10] - b'0') as u32;
    if found != expected {
        return Err(ContainerNumberError::CheckDigit { found, expected });
    }
    Ok(())
}

/// HS code format: 6 to 10 digits (dots and spaces allowed as separators). Returns the digits.
/// Borrowed when the code is already plain digits (the common case: no allocation).
pub fn normalize_hs(code: &str) -> Option<std::borrow::Cow<'_, str>> {
    if code.bytes().all(|b| b.is_ascii_digit()) {
        return (6..=10).contains(&code.len()).then_some(std::borrow::Cow::Borrowed(code));
    }
    let digits: String = code.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if (6..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some(std::borrow::Cow::Owned(digits))
    } else {
        None
    }
}

/// UN/LOCODE format: 2-letter country then 3 characters from A-Z and 2-9 (a space between is allowed).
pub fn is_unlocode_format(code: &str) -> bool {
    let mut b = [0u8; 5];
    let mut n = 0;
    for c in code.bytes().filter(|c| *c != b' ') {
        if n == 5 {
            return false;
        }
        b[n] = c;
        n += 1;
    }
    n == 5
        && b[..2].iter().all(|c| c.is_ascii_uppercase())
        && b[2..].iter().all(|c| c.is_ascii_uppercase() || (b'2'..=b'9').contains(c))
}

/// IMO ship number: 7 digits, the last a check digit (weights 7..2 over the first six).
pub fn is_valid_imo(imo: &str) -> bool {
    let s = imo.strip_prefix("IMO").unwrap_or(imo).trim();
    let b = s.as_bytes();
    if b.len() != 7 || !b.iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = b[..6].iter().enumerate().map(|(i, c)| (c - b'0') as u32 * (7 - i as u32)).sum();
    sum % 10 == (b[6] - b'0') as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso3166_table_is_sorted_and_known() {
        assert!(ISO3166_ALPHA2.windows(2).all(|w| w[0] < w[1]));
        for c in ["CA", "US", "MX", "CN", "DE", "KP", "IR", "SS"] {
            assert!(is_iso3166_alpha2(c), "{c}");
        }
        for c in ["XX", "UK", "EU", "ca", "USA", "", "C", "ZZ", "AA"] {
            assert!(!is_iso3166_alpha2(c), "{c}");
        }
        assert_eq!(ISO3166_ALPHA2.iter().filter(|c| is_iso3166_alpha2(c)).count(), 249);
    }

    #[test]
    fn iso6346_real_container_numbers() {
        // CSQU3054383 is the worked example of ISO 6346 Annex A; the others are computed the same way.
        for n in ["CSQU3054383", "MSCU6639870", "TCNU 123456 5", "MAEU1234567", "HLXU-313478-8"] {
            assert_eq!(validate_container_number(n), Ok(()), "{n}");
        }
        assert_eq!(
            validate_container_number("CSQU3054384"),
            Err(ContainerNumberError::CheckDigit { found: 4, expected: 3 })
        );
        assert_eq!(validate_container_number("CSQX3054383"), Err(ContainerNumberError::Category));
        assert_eq!(validate_container_number("CSQU305438"), Err(ContainerNumberError::Length(10)));
        assert_eq!(validate_container_number("C5QU3054383"), Err(ContainerNumberError::OwnerCode));
    }

    #[test]
    fn iso6346_letter_values_skip_multiples_of_eleven() {
        assert_eq!(iso6346_letter_value(b'A'), Some(10));
        assert_eq!(iso6346_letter_value(b'B'), Some(12));
        assert_eq!(iso6346_letter_value(b'K'), Some(21));
        assert_eq!(iso6346_letter_value(b'L'), Some(23));
        assert_eq!(iso6346_letter_value(b'V'), Some(34));
        assert_eq!(iso6346_letter_value(b'Z'), Some(38));
    }

    #[test]
    fn hs_and_locode_and_imo() {
        assert_eq!(normalize_hs("8471.30").as_deref(), Some("847130"));
        assert_eq!(normalize_hs("8471300000").as_deref(), Some("8471300000"));
        assert_eq!(normalize_hs("84713"), None);
        assert_eq!(normalize_hs("84713A"), None);
        assert!(is_unlocode_format("CAVAN"));
        assert!(is_unlocode_format("US LAX"));
        assert!(is_unlocode_format("DEHA2"));
        assert!(!is_unlocode_format("CAVA1"));
        assert!(!is_unlocode_format("VAN"));
        assert!(is_valid_imo("9074729"));
        assert!(is_valid_imo("IMO 9074729"));
        assert!(!is_valid_imo("9074728"));
    }
}
