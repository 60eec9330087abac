//! Property tests: random strings never panic the date parser, the search
//! or the handlers that use them, and every reply they give stays in bounds.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::dates::query;
use studybot::handlers::{self, autocomplete};
use studybot::request::Request;
use studybot::{App, Library};

fn app() -> &'static App {
    static APP: std::sync::OnceLock<App> = std::sync::OnceLock::new();
    APP.get_or_init(|| {
        let fixture =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini-pack.toml");
        let (library, _) = Library::load(&[fixture]).unwrap();
        App::in_memory(Config::default(), library).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn date_parser_never_panics(text in "\\PC{0,80}") {
        let _ = query::parse(&text);
    }

    #[test]
    fn date_like_text_never_panics(
        d in 0u32..40, m in "(jan|feb|march|dec|sept|xx|)", y in 0u32..20000, sep in "( |-|/| to |–)"
    ) {
        let _ = query::parse(&format!("{d} {m} {y}{sep}{y}"));
        let _ = query::parse(&format!("{y}-{d:02}-{d:02}"));
    }

    #[test]
    fn lookups_never_panic_and_stay_in_bounds(text in "\\PC{0,120}") {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for (command, option) in [("explain", "term"), ("date", "when"), ("timeline", "tag")] {
            let reply = handlers::respond(app(), &Request::command(command, &[(option, text.as_str())], now));
            prop_assert!(reply.text.chars().count() <= 4096);
            for b in &reply.buttons {
                prop_assert!(b.custom_id.len() <= 100 && b.label.chars().count() <= 80);
            }
        }
        let suggestions = autocomplete(app(), None, "explain", "term", &text);
        prop_assert!(suggestions.len() <= 25);
        prop_assert!(suggestions.iter().all(|s| s.name.chars().count() <= 100));
    }
}
