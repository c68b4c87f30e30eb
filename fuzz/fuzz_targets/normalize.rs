//! Arbitrary text through the name normaliser, the scorer and OFAC parity: no panic, bounded output,
//! scores in [0, 1] (0–100 for parity) and never NaN.

#![no_main]

use clearway_lists::Schema;
use clearway_names::{normalize, ofac_parity, score};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    for schema in [Schema::Person, Schema::Organization, Schema::Unknown] {
        let n = normalize(&text, schema);
        assert!(n.tokens.len() <= clearway_names::normalize::MAX_TOKENS);
        let s = score(a, b, schema).score;
        assert!((0.0..=1.0).contains(&s), "{s}");
    }
    let p = ofac_parity(a, b);
    assert!((0.0..=100.0).contains(&p), "{p}");
});
