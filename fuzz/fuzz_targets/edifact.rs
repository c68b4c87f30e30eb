#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ic = clearway_formats::edifact::read(data);
    for m in &ic.messages {
        let resp = clearway_formats::edifact::cusres(&ic, m, chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
        // The response always parses back without envelope errors.
        let back = clearway_formats::edifact::read(&resp);
        assert_eq!(back.messages.len(), 1);
    }
    let filings: Vec<_> = ic.messages.iter().flat_map(|m| m.filings.iter().map(|p| p.filing.clone())).collect();
    let again = clearway_formats::edifact::read(&clearway_formats::edifact::write_cuscar(&filings, "S", "R", "1"));
    assert_eq!(again.messages.len(), filings.len());
});
