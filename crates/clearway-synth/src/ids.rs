//! Identifier formats and their check digits: ISO 6346 container numbers, IMO ship numbers, VINs,
//! air waybills, and the keyed permutation behind unique filing ids.

use crate::rng::R;
use clearway_core::codes::iso6346_check_digit;
use std::fmt::Write as _;

/// A keyed pseudo-random permutation of `0..10^digits` (a four-round Feistel network over two
/// halves of decimal digits, cycle-walking for odd digit counts). Distinct inputs give distinct
/// outputs, so ids built from a per-family counter are unique and look random.
pub(crate) fn permute(x: u64, digits: u32, key: u64) -> u64 {
    let digits = digits.clamp(2, 18);
    let modulus = 10u64.pow(digits);
    let x = x % modulus;
    if digits % 2 == 1 {
        // Walk the permutation of the next even size until the value falls in range.
        let mut y = x;
        for _ in 0..1000 {
            y = feistel(y, digits + 1, key);
            if y < modulus {
                return y;
            }
        }
        return x;
    }
    feistel(x, digits, key)
}

fn feistel(x: u64, digits: u32, key: u64) -> u64 {
    let half = 10u64.pow(digits / 2);
    let (mut a, mut b) = (x / half, x % half);
    for round in 0..4u64 {
        let f = mix(b ^ key.rotate_left(round as u32 * 16) ^ round) % half;
        (a, b) = (b, (a + f) % half);
    }
    a * half + b
}

/// SplitMix64 finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Append `value` zero-padded to `width` digits.
pub(crate) fn push_padded(out: &mut String, value: u64, width: usize) {
    let _ = write!(out, "{value:0width$}");
}

/// An ISO 6346 container number with owner code `owner` (3 letters), category U, a random serial
/// and the correct check digit — or, when `bad`, a wrong one.
pub(crate) fn container_number(r: &mut R, owner: &str, bad: bool) -> String {
    let mut s = String::with_capacity(11);
    s.push_str(owner);
    s.push('U');
    r.push_digits(&mut s, 6);
    let cd = iso6346_check_digit(s.as_bytes()).unwrap_or(0);
    let digit = if bad { (cd + 1 + r.below(9) as u32) % 10 } else { cd };
    s.push((b'0' + digit as u8) as char);
    s
}

/// The IMO check digit of the first six digits (weights 7..2, sum mod 10).
pub(crate) fn imo_check(first6: &[u8]) -> u8 {
    let sum: u32 = first6.iter().enumerate().map(|(i, c)| (c.wrapping_sub(b'0') as u32) * (7 - i as u32)).sum();
    (sum % 10) as u8
}

/// A valid IMO ship number, as modern ships have (starting with 9).
pub(crate) fn imo_number(r: &mut R) -> String {
    let mut s = String::with_capacity(7);
    s.push('9');
    r.push_digits(&mut s, 5);
    let c = imo_check(s.as_bytes());
    s.push((b'0' + c) as char);
    s
}

fn vin_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => 0,
    }
}

const VIN_WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// The North-American VIN check digit (position 9) of a 17-character VIN.
pub(crate) fn vin_check(vin: &[u8]) -> char {
    let sum: u32 = vin.iter().zip(VIN_WEIGHTS).map(|(&c, w)| vin_value(c) * w).sum();
    match sum % 11 {
        10 => 'X',
        d => (b'0' + d as u8) as char,
    }
}

/// Model-year codes 2016–2027 (position 10).
const VIN_YEARS: &[u8] = b"GHJKLMNPRSTV";

/// A 17-character truck VIN with the given manufacturer identifier and a correct check digit.
pub(crate) fn vin(r: &mut R, wmi: &str) -> String {
    let mut s = String::with_capacity(17);
    s.push_str(wmi);
    r.push_alnum(&mut s, 5);
    s.push('0'); // check digit placeholder
    s.push(VIN_YEARS[r.below(VIN_YEARS.len())] as char);
    r.push_upper_clear(&mut s, 1);
    r.push_digits(&mut s, 6);
    let c = vin_check(s.as_bytes());
    // Safe: every character is ASCII, so byte 8 is a char boundary.
    s.replace_range(8..9, c.encode_utf8(&mut [0u8; 4]));
    s
}

/// An air waybill number `ppp-ssssssss`: airline prefix, 7-digit serial and its mod-7 check digit.
pub(crate) fn awb(prefix: &str, serial7: u64) -> String {
    let serial = serial7 % 10_000_000;
    let mut s = String::with_capacity(12);
    s.push_str(prefix);
    s.push('-');
    push_padded(&mut s, serial, 7);
    push_padded(&mut s, serial % 7, 1);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearway_core::codes::{is_valid_imo, validate_container_number};
    use rand::SeedableRng;

    #[test]
    fn check_digits() {
        let mut r = R(rand_chacha::ChaCha8Rng::seed_from_u64(1));
        for _ in 0..1000 {
            assert!(validate_container_number(&container_number(&mut r, "MSK", false)).is_ok());
            assert!(validate_container_number(&container_number(&mut r, "MSK", true)).is_err());
            assert!(is_valid_imo(&imo_number(&mut r)));
            let v = vin(&mut r, "1FU");
            assert_eq!(v.len(), 17);
            assert_eq!(v.as_bytes()[8] as char, vin_check(v.as_bytes()));
        }
        // Worked examples: the classic VIN 1M8GDM9AXKP042788 and AWB 176-12345675.
        assert_eq!(vin_check(b"1M8GDM9AXKP042788"), 'X');
        assert_eq!(awb("176", 1234567), "176-12345675");
        assert_eq!(imo_check(b"907472"), 9);
    }

    #[test]
    fn permute_is_a_bijection() {
        for digits in [2u32, 3, 5, 6] {
            let m = 10u64.pow(digits);
            let mut seen = std::collections::HashSet::new();
            for x in 0..m {
                let y = permute(x, digits, 0x00C0_FFEE);
                assert!(y < m);
                assert!(seen.insert(y), "{digits} {x}");
            }
        }
    }
}
