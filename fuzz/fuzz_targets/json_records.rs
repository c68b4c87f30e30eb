//! Arbitrary bytes into the JSON readers: no panic, termination, and every rejected record carries
//! an error with a line.

#![no_main]

use std::io::{BufReader, Cursor};

use clearway_core::Severity;
use clearway_formats::{JsonRecords, Record, parse_filing_json, records};
use libfuzzer_sys::fuzz_target;

fn check(records: impl Iterator<Item = Record>, limit: usize) {
    let mut n = 0;
    for r in records.take(limit) {
        n += 1;
        if let Err(diags) = &r.outcome {
            assert!(diags.iter().any(|d| d.severity == Severity::Error), "error record without an error");
            assert!(diags.iter().all(|d| d.location.line.is_some()), "diagnostic without a line");
        }
    }
    // Every record consumes input, so there are never more records than bytes (+1 for EOF).
    assert!(n < limit, "reader did not terminate");
}

fuzz_target!(|data: &[u8]| {
    let _ = parse_filing_json(data);
    let limit = data.len() + 2;
    // In place, from one buffer.
    check(JsonRecords::new(data), limit);
    // Through a tiny buffer and a small cap: the scanner's paths.
    check(JsonRecords::new(BufReader::with_capacity(5, data)).with_max_record_bytes(64), limit);
    // Detection and dispatch.
    check(records(Cursor::new(data.to_vec())), limit);
});
