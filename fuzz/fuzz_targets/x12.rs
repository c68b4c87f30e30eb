#![no_main]
use libfuzzer_sys::fuzz_target;

// The X12 reader must never panic; responses to whatever it read must not either.
fuzz_target!(|data: &[u8]| {
    let ic = clearway_formats::x12::read(data);
    let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let _ = clearway_formats::x12::ack_997(&ic, at);
    if let Some(m) = ic.messages.first() {
        let _ = clearway_formats::x12::response_355(&ic, m, at);
    }
});
