//! Arbitrary bytes behind each list XML root (UN, SEMA, EU FSF, UK): no panic, termination, and a failed
//! load yields no entities.

#![no_main]

use clearway_lists::{Source, load};
use libfuzzer_sys::fuzz_target;

const ROOTS: [&[u8]; 4] = [b"<CONSOLIDATED_LIST>", b"<data-set>", b"<export>", b"<Designations>"];

fuzz_target!(|data: &[u8]| {
    let root = ROOTS[data.first().map_or(0, |b| *b as usize % 4)];
    let mut bytes = root.to_vec();
    bytes.extend_from_slice(data.get(1..).unwrap_or(&[]));
    for l in load(&[Source { name: "x.xml", bytes: &bytes }, Source { name: "raw.xml", bytes: data }]) {
        if l.failed() {
            assert!(l.entities.is_empty() || l.list.starts_with("ofac"));
        }
    }
});
