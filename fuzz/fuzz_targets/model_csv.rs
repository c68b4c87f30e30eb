#![no_main]
//! The model crate's CSV dataset reader: any bytes give a dataset or an error, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearway_model::read_csv(data, &clearway_model::ReadOptions::default());
});
