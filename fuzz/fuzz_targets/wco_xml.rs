#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ic = clearway_formats::wco::read(data);
    for m in &ic.messages {
        let _ =
            clearway_formats::wco::response(&ic, m, chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    }
});
