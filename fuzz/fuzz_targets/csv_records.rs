//! Arbitrary bytes into the CSV reader, alone and after a valid header: no panic, termination, and
//! every rejected record carries an error.

#![no_main]

use std::io::BufReader;

use clearway_core::Severity;
use clearway_formats::{CsvRecords, Record};
use libfuzzer_sys::fuzz_target;

const HEADER: &[u8] = b"id,mode,direction,country,stage,gross_kg,packages,fast,seal,routing,arrival\n";

fn check(records: impl Iterator<Item = Record>, limit: usize) {
    let mut n = 0;
    for r in records.take(limit) {
        n += 1;
        if let Err(diags) = &r.outcome {
            assert!(diags.iter().any(|d| d.severity == Severity::Error), "error record without an error");
        }
    }
    assert!(n < limit, "reader did not terminate");
}

fuzz_target!(|data: &[u8]| {
    check(CsvRecords::new(data), data.len() + 2);
    let mut with_header = HEADER.to_vec();
    with_header.extend_from_slice(data);
    let limit = with_header.len() + 2;
    check(CsvRecords::new(&with_header[..]), limit);
    check(CsvRecords::new(BufReader::with_capacity(3, &with_header[..])).with_max_record_bytes(48), limit);
});
