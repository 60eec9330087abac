//! Table-driven tests of the lookups (explain, date, timeline) through the
//! handlers, on a small fixture pack, so the expectations do not move when
//! the bundled content grows.

use chrono::{TimeZone, Utc};
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers::{self, autocomplete};
use studybot::request::{Action, Request};
use studybot::{App, Library, Reply};

fn app() -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini-pack.toml");
    let (library, _) = Library::load(&[fixture]).expect("fixture loads");
    App::in_memory(Config::default(), library).unwrap()
}

fn ask(app: &App, command: &str, option: &str, value: &str) -> Reply {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    handlers::respond(app, &Request::command(command, &[(option, value)], now))
}

fn press(app: &App, custom_id: &str) -> Reply {
    let mut request = Request::command("x", &[], Utc::now());
    request.action = Action::Press {
        custom_id: custom_id.to_string(),
        input: None,
    };
    handlers::respond(app, &request)
}

#[test]
fn explain_finds_what_students_type() {
    let app = app();
    let table = [
        ("Yezhov", "Nikolai Yezhov"),
        ("yezhov", "Nikolai Yezhov"),
        ("EZHOV", "Nikolai Yezhov"),
        ("Yezov", "Nikolai Yezhov"),         // typo
        ("Nikolai Ezhov", "Nikolai Yezhov"), // transliteration
        ("the bloody dwarf", "Nikolai Yezhov"),
        ("Ezhovshchina", "Yezhovshchina"),
        ("Yezhovschina", "Yezhovshchina"),
        ("yezhovshina", "Yezhovshchina"), // typo on top of a variant
        ("Order 00447", "NKVD Order No. 00447"),
        ("order 447", "NKVD Order No. 00447"),
        ("00447", "NKVD Order No. 00447"),
        ("kulak operation", "NKVD Order No. 00447"),
        ("troyka", "Troika"),
        ("troiak", "Troika"),
        ("Tukhachevskii", "Mikhail Tukhachevsky"),
        ("Tuhachevsky", "Mikhail Tukhachevsky"),
        ("Beriya", "Lavrentiy Beria"),
        ("who replaced Yezhov", "Lavrentiy Beria"),
    ];
    for (query, expected) in table {
        let reply = ask(&app, "explain", "term", query);
        assert_eq!(
            reply.title.as_deref(),
            Some(expected),
            "query {query:?}: {}",
            reply.text
        );
        assert!(!reply.ephemeral, "{query}");
    }
}

#[test]
fn explain_shows_disputed_figures_with_who_gives_them() {
    let reply = ask(&app(), "explain", "term", "Yezhovshchina");
    let field = reply
        .fields
        .iter()
        .find(|f| f.name == "Executions, 1937-38 (disputed)")
        .expect("disputed figure field");
    assert!(field.value.contains("681,692 — NKVD records (archival)"));
    assert!(field.value.contains("about 1 million — Robert Conquest"));
    assert_eq!(reply.footer.as_deref(), Some("Sources: Test notes"));
}

#[test]
fn unknown_input_gets_help_not_an_error() {
    let app = app();
    let reply = ask(&app, "explain", "term", "qwxz plorb");
    assert!(reply.ephemeral);
    assert_eq!(reply.title.as_deref(), Some("Nothing found"));
    assert!(reply.text.contains("qwxz plorb"));
    let empty = ask(&app, "explain", "term", "   ");
    assert!(empty.ephemeral);
    assert!(empty.text.contains("/explain troika"));
    // Something close but not close enough: suggestions as buttons.
    let near = ask(&app, "explain", "term", "Yez");
    assert!(
        !near.buttons.is_empty() || near.title.as_deref() == Some("Nikolai Yezhov"),
        "{near:?}"
    );
}

#[test]
fn see_also_buttons_open_entries() {
    let app = app();
    let reply = ask(&app, "explain", "term", "troika");
    let button = reply
        .buttons
        .iter()
        .find(|b| b.label == "NKVD Order No. 00447")
        .expect("see also");
    assert_eq!(button.custom_id, "ex1:mini/order-00447");
    let opened = press(&app, &button.custom_id);
    assert_eq!(opened.title.as_deref(), Some("NKVD Order No. 00447"));
    assert!(opened
        .fields
        .iter()
        .any(|f| f.name == "Key dates" && f.value.contains("30 July 1937")));
}

#[test]
fn autocomplete_is_bounded_and_ranked() {
    let app = app();
    let s = autocomplete(&app, None, "explain", "term", "ye");
    assert!(!s.is_empty() && s.len() <= 25);
    assert_eq!(s[0].name, "Nikolai Yezhov");
    assert!(s.iter().any(|x| x.name == "Yezhovshchina"));
    let s = autocomplete(&app, None, "explain", "term", "kulak");
    assert_eq!(s[0].value, "NKVD Order No. 00447");
    let all = autocomplete(&app, None, "explain", "term", "");
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|x| x.name.chars().count() <= 100));
    assert!(autocomplete(&app, None, "date", "when", "19").is_empty());
}

fn titles(reply: &Reply) -> Vec<String> {
    reply
        .text
        .split("\n\n")
        .filter_map(|block| block.lines().next())
        .map(String::from)
        .collect()
}

#[test]
fn date_forms_find_their_events() {
    let app = app();
    let table: &[(&str, &[&str])] = &[
        (
            "1 December 1934",
            &["**1 December 1934** — Kirov is shot in Leningrad"],
        ),
        (
            "December 1, 1934",
            &["**1 December 1934** — Kirov is shot in Leningrad"],
        ),
        (
            "1934-12-01",
            &["**1 December 1934** — Kirov is shot in Leningrad"],
        ),
        (
            "Dec 1934",
            &["**1 December 1934** — Kirov is shot in Leningrad"],
        ),
        (
            "August 1936",
            &["**19-24 August 1936** — First Moscow trial"],
        ),
        (
            "21 August 1936",
            &["**19-24 August 1936** — First Moscow trial"],
        ),
        (
            "1937",
            &[
                "**11 June 1937** — Tukhachevsky and seven commanders are tried",
                "**30 July 1937** — Order 00447 is signed",
                "**August 1937 - November 1938** — The mass operations",
            ],
        ),
        (
            "July 1937 - November 1938",
            &[
                "**30 July 1937** — Order 00447 is signed",
                "**August 1937 - November 1938** — The mass operations",
            ],
        ),
        (
            "1938",
            &["**August 1937 - November 1938** — The mass operations"],
        ),
    ];
    for (query, expected) in table {
        let reply = ask(&app, "date", "when", query);
        assert!(!reply.ephemeral, "{query}: {}", reply.text);
        assert_eq!(titles(&reply), *expected, "{query}");
    }
}

#[test]
fn on_this_day_and_today_use_the_clock() {
    let app = app();
    // The fixed clock is 1 December 2026: Kirov was murdered on 1 December.
    let reply = ask(&app, "date", "when", "on this day");
    assert_eq!(reply.title.as_deref(), Some("On this day, 1 December"));
    assert_eq!(
        titles(&reply),
        ["**1 December 1934** — Kirov is shot in Leningrad"]
    );
    let today = ask(&app, "date", "when", "today");
    assert!(
        today
            .text
            .contains("Nothing in studybot's timeline happened in 1 December 2026"),
        "{}",
        today.text
    );
}

#[test]
fn bad_dates_are_explained_privately() {
    let app = app();
    let reply = ask(&app, "date", "when", "31 February 1937");
    assert!(reply.ephemeral);
    assert!(
        reply
            .text
            .starts_with("31 February 1937 does not exist (February 1937 has 28 days)."),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("1 December 1934"), "examples are shown");
    let reply = ask(&app, "date", "when", "next tuesday");
    assert!(reply.ephemeral);
    assert!(reply.text.contains("could not read \"next tuesday\""));
}

#[test]
fn empty_periods_offer_the_nearest_events() {
    let reply = ask(&app(), "date", "when", "1950");
    assert!(!reply.ephemeral);
    assert_eq!(reply.fields.len(), 2);
    assert_eq!(reply.fields[0].name, "Nearest before");
    assert!(reply.fields[0].value.contains("The mass operations"));
    assert!(reply.fields[1].value.contains("Khrushchev's Secret Speech"));
    assert_eq!(reply.buttons[1].custom_id, "dt1:1956-02-25:0");
}

#[test]
fn timeline_pages_and_tags() {
    let app = app();
    let all = handlers::respond(&app, &Request::command("timeline", &[], Utc::now()));
    assert_eq!(titles(&all).len(), 6);
    assert!(all.buttons.is_empty(), "six events fit one page");
    let trials = ask(&app, "timeline", "tag", "trials");
    assert_eq!(
        titles(&trials),
        [
            "**19-24 August 1936** — First Moscow trial",
            "**11 June 1937** — Tukhachevsky and seven commanders are tried"
        ]
    );
    let unknown = ask(&app, "timeline", "tag", "sport");
    assert!(unknown.ephemeral);
    assert!(unknown
        .text
        .contains("Tags: aftermath, army, kirov, mass-operations, trials."));
    let bounded = handlers::respond(
        &app,
        &Request::command("timeline", &[("from", "1937"), ("to", "1937")], Utc::now()),
    );
    assert_eq!(titles(&bounded).len(), 3);
}
