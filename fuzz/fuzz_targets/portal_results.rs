//! The portal-results JSON Lines reader (`screen --portal-results`): any bytes give results plus
//! diagnostics, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (r, diags) = clearway_portal::PortalResults::from_jsonl(&text);
    assert!(r.len() <= text.lines().count());
    assert!(diags.iter().all(|d| d.location.line.is_some()));
});
