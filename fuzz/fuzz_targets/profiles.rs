#![no_main]
//! The profile language: parse, check and compile arbitrary text (as a profile file, a list and a
//! value-control table); when it loads, evaluate and explain it on a small filing. Must never panic.

use clearway_profiles::{EntityHistory, Extras, HistoryAt, ProfileSet, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lists = [Source { name: "lists/hubs.csv", text: "country\nAE\nSG\n" }, Source { name: "lists/fuzz.csv", text }];
    let _ = ProfileSet::load(&[], &lists[1..], Some(Source { name: "value-control.csv", text }), None);
    let Ok((set, _)) = ProfileSet::load(&[Source { name: "fuzz.profile", text }], &lists[..1], None, None) else { return };
    let filing: clearway_core::Filing = serde_json::from_str(
        r#"{"id": "F1", "mode": "marine", "direction": "import", "country": "US", "stage": "arrival",
            "parties": [{"role": "importer-of-record", "name": "Acme"}],
            "goods": [{"description": "COTTON SHIRTS", "hs_code": "610910", "value": 1000, "net_kg": 10, "origin": "CN"}, {}],
            "itinerary": {"routing": ["CN", "AE", "US"]}}"#,
    )
    .expect("fixed filing");
    let extras = Extras::default();
    let hist = EntityHistory::new();
    let facts = set.facts(&filing, &extras, Some(HistoryAt::all(&hist)), false, false);
    for (i, item) in set.hits(&filing, &facts) {
        let _ = set.explain(&set.profiles[i], &facts, item);
    }
});
