//! Any bytes as an uploaded pack: the loader never panics, and a rejected
//! file always gets at least one diagnostic with a real position.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.split('\n').count();
    let report = studybot::content::load_pack_text("fuzz.toml", text);
    if report.content.packs.is_empty() {
        assert!(report.has_errors(), "a file that yields no pack says why");
    }
    for d in &report.diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
        assert!(d.line <= lines + 1, "{d} is past the end ({lines} lines)");
    }
});
