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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The proptest twin of the `custom_id` fuzz target.
    #[test]
    fn custom_ids_decode_or_refuse_and_round_trip(text in "(ex1|dt1|q1|qa1|cq1|cqa1|rp1|dq1|pv1|se1|pk1|sa1|tl1|zz)?:?\\PC{0,110}") {
        use studybot::custom_id::{CustomId, MAX_LEN};
        if let Ok(id) = CustomId::decode(&text) {
            let again = id.encode();
            prop_assert!(again.len() <= MAX_LEN);
            prop_assert_eq!(CustomId::decode(&again).ok(), Some(id));
        }
    }

    /// The proptest twin of the `answer_checker` fuzz target.
    #[test]
    fn answer_checking_never_panics_and_an_answer_matches_itself(guess in "\\PC{0,200}", accepted in "\\PC{0,60}") {
        use studybot::quiz::check;
        let folder = folder();
        let _ = check::parse_number(&guess);
        let _ = check::judge_number(&guess, 1937.0, 0.5, "In which year?");
        let accepted = vec![accepted];
        let answer = check::TextAnswer { accepted: &accepted, rivals: &[], context: "" };
        let _ = check::judge_text(&guess, &answer, &folder);
        if !folder.key(&accepted[0]).is_empty() {
            prop_assert!(check::judge_text(&accepted[0], &answer, &folder).correct);
        }
    }
}

fn folder() -> studybot::text::SpellingFolder {
    studybot::text::SpellingFolder::new(&[
        vec!["yezh".to_string(), "ezh".to_string()],
        vec!["shch".to_string(), "sch".to_string()],
        vec!["y".to_string(), "i".to_string()],
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Digits are never typos: an answer with a number, its number changed
    /// to another, is refused however the rest is spelled.
    #[test]
    fn another_number_is_never_accepted(
        word in "[a-z]{3,12}", number in 0u32..100_000, other in 0u32..100_000, typo in 0usize..12,
    ) {
        use studybot::quiz::check;
        prop_assume!(number != other);
        let accepted = vec![format!("{word} {number}")];
        let mut misspelt: Vec<char> = word.chars().collect();
        let at = typo % misspelt.len();
        misspelt[at] = if misspelt[at] == 'q' { 'x' } else { 'q' };
        let misspelt: String = misspelt.into_iter().collect();
        let answer = check::TextAnswer { accepted: &accepted, rivals: &[], context: "" };
        for guess in [format!("{word} {other}"), format!("{misspelt} {other}"), format!("No. {other} {word}")] {
            prop_assert!(!check::judge_text(&guess, &answer, &folder()).correct, "{guess}");
        }
        prop_assert!(!check::judge_number(&other.to_string(), f64::from(number), 0.0, "").correct);
    }

    /// A rival's exact name is never accepted, however close to the answer,
    /// and neither is a list that names it beside the answer.
    #[test]
    fn a_rival_is_never_accepted(answer in "[a-z]{5,12}", edit in 0usize..12, extra in "[a-z]") {
        use studybot::quiz::check;
        let mut rival: Vec<char> = answer.chars().collect();
        let at = edit % rival.len();
        rival.insert(at, extra.chars().next().unwrap());
        let rival: String = rival.into_iter().collect();
        let folder = folder();
        prop_assume!(folder.key(&rival) != folder.key(&answer));
        let accepted = vec![answer.clone()];
        let rivals = vec![rival.clone()];
        let judged = check::TextAnswer { accepted: &accepted, rivals: &rivals, context: "" };
        prop_assert!(!check::judge_text(&rival, &judged, &folder).correct);
        let hedged = format!("{answer} or {rival}");
        let listed = format!("{answer}, {rival}");
        let framed = format!("I think it was {answer}");
        prop_assert!(!check::judge_text(&hedged, &judged, &folder).correct);
        prop_assert!(!check::judge_text(&listed, &judged, &folder).correct);
        prop_assert!(check::judge_text(&framed, &judged, &folder).correct);
    }
}
