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
        ("who was Yezhov", "Nikolai Yezhov"), // stop words around a name
        ("Tukhachev", "Mikhail Tukhachevsky"), // still typing
        ("First Moscow trial", "First Moscow trial"), // an event's title
        ("kirov murder", "Kirov is shot in Leningrad"), // an event's id
        ("Order 00447 signed", "Order 00447 is signed"),
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

/// Anything short of a name, an alias or a clear misspelling of one is not
/// presented as the answer: the reply says there is no such entry and offers
/// the nearest as buttons.
#[test]
fn near_misses_are_offered_never_answered() {
    let app = app();
    let table: &[(&str, &str, &[&str])] = &[
        // Another person with the same first name.
        (
            "Mikhail Frinovsky",
            "No entry for \"Mikhail Frinovsky\". Did you mean: Mikhail Tukhachevsky?",
            &["Mikhail Tukhachevsky"],
        ),
        // A first name alone.
        (
            "Lavrentiy",
            "No entry for \"Lavrentiy\". Did you mean: Lavrentiy Beria?",
            &["Lavrentiy Beria"],
        ),
        // A namesake: the surname matches, the first name is someone else's.
        (
            "Ivan Yezhov",
            "No entry for \"Ivan Yezhov\". Did you mean: Nikolai Yezhov",
            &["Nikolai Yezhov"],
        ),
        // A description, not a name: the entry it describes is offered.
        (
            "who replaced Yezhov",
            "No entry for \"who replaced Yezhov\". Did you mean: Lavrentiy Beria",
            &["Lavrentiy Beria"],
        ),
        // Another document number is another document.
        ("Order 00448", "No entry for \"Order 00448\".", &[]),
    ];
    for (query, text, first_buttons) in table {
        let reply = ask(&app, "explain", "term", query);
        assert_eq!(
            reply.title.as_deref(),
            Some("Nothing found"),
            "{query}: {reply:?}"
        );
        assert!(reply.ephemeral, "{query}");
        assert!(reply.text.starts_with(text), "{query}: {}", reply.text);
        let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
        assert!(labels.starts_with(first_buttons), "{query}: {labels:?}");
    }
    // The button opens the entry it names.
    let reply = ask(&app, "explain", "term", "Lavrentiy");
    assert_eq!(reply.buttons[0].custom_id, "ex1:mini/beria");
    let opened = press(&app, &reply.buttons[0].custom_id);
    assert_eq!(opened.title.as_deref(), Some("Lavrentiy Beria"));
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
    // Events are offered too, by title; the value finds the event exactly.
    let s = autocomplete(&app, None, "explain", "term", "secret sp");
    assert_eq!(s[0].value, "Khrushchev's Secret Speech");
    let s = autocomplete(&app, None, "explain", "term", "first mosc");
    assert_eq!(s[0].value, "First Moscow trial");
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
            .contains("Nothing in studybot's timeline happened on 1 December 2026"),
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

/// A pack written for the event and date-ranking tests: events with aliases
/// and related entries, and a month crowded with its own events beside
/// ranges that cover it.
const EVENTS_PACK: &str = r#"
[pack]
id = "ev"
title = "Events"
description = "Events for lookup tests"

[[sources]]
id = "s"
kind = "book"
title = "A history book"

[[entries]]
id = "kirov"
kind = "person"
name = "Sergei Kirov"
aliases = ["Kirov"]
definition = "Leningrad party leader, murdered in 1934."
explanation = "Longer."
sources = ["s"]

[[entries]]
id = "stalin"
kind = "person"
name = "Joseph Stalin"
aliases = ["Stalin"]
definition = "Soviet leader."
explanation = "Longer."
sources = ["s"]

[[events]]
id = "seventeenth-congress"
date = "1934-01-26/1934-02-10"
title = "The Seventeenth Party Congress meets in Moscow and elects a new Central Committee, with Kirov receiving the most votes of any candidate"
aliases = ["Congress of Victors"]
description = "Delegates celebrate collectivisation; most are later arrested."
related = ["kirov", "stalin", "terror"]
sources = ["s"]

[[events]]
id = "terror"
date = "1937/1938"
title = "The Great Terror"
description = "Two years of mass arrests."
sources = ["s"]

[[events]]
id = "mass-operations"
date = "1937-08/1938-11"
title = "The mass operations"
description = "The NKVD's mass operations."
sources = ["s"]

[[events]]
id = "november-arrests"
date = "1938-11"
title = "Arrests slow down"
description = "Month-precise."
sources = ["s"]

[[events]]
id = "blyukher-death"
date = "1938-11-09"
title = "Blyukher dies in prison"
description = "Day one."
sources = ["s"]

[[events]]
id = "decree-17-november"
date = "1938-11-17"
title = "A decree ends the mass operations"
description = "Day two."
sources = ["s"]

[[events]]
id = "yezhov-resigns"
date = "1938-11-23"
title = "Yezhov asks to be relieved"
description = "Day three."
sources = ["s"]

[[events]]
id = "beria-appointed"
date = "1938-11-25"
title = "Beria heads the NKVD"
description = "Day four."
sources = ["s"]

[[events]]
id = "order-00762"
date = "1938-11-26"
title = "Order 00762 cancels the operations"
description = "Day five."
sources = ["s"]

[[events]]
id = "order-00447"
date = "1937-07-30"
title = "Order 00447 is signed"
description = "The kulak operation is ordered."
sources = ["s"]
"#;

fn events_app() -> App {
    let report = studybot::content::load_pack_text("events.toml", EVENTS_PACK.to_string());
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    App::in_memory(Config::default(), Library::new(report.content)).unwrap()
}

#[test]
fn explain_shows_events_with_date_description_related_and_sources() {
    let app = events_app();
    for query in [
        "Congress of Victors",        // the event's alias
        "congres of victors",         // misspelt
        "Seventeenth Party Congress", // part of its title, two words or more
        "seventeenth-congress",       // its id
    ] {
        let reply = ask(&app, "explain", "term", query);
        assert_eq!(
            reply.title.as_deref(),
            Some("The Seventeenth Party Congress meets in Moscow and elects a new Central Committee, with Kirov receiving the most votes of any candidate"),
            "{query}: {}",
            reply.text
        );
        assert!(!reply.ephemeral);
        assert_eq!(
            reply.text,
            "*Event* — **26 January 1934 - 10 February 1934**\n\nDelegates celebrate collectivisation; most are later arrested."
        );
        assert_eq!(reply.footer.as_deref(), Some("Sources: A history book"));
        let related = reply.fields.iter().find(|f| f.name == "Related").unwrap();
        assert_eq!(
            related.value,
            "Sergei Kirov\nJoseph Stalin\n**1937-1938**: The Great Terror"
        );
        let buttons: Vec<(&str, &str)> = reply
            .buttons
            .iter()
            .map(|b| (b.label.as_str(), b.custom_id.as_str()))
            .collect();
        assert_eq!(
            buttons,
            [
                ("Sergei Kirov", "ex1:ev/kirov"),
                ("Joseph Stalin", "ex1:ev/stalin"),
                ("The Great Terror", "ex1:ev/terror"),
            ]
        );
    }
    // A related event's button opens that event.
    let opened = press(&app, "ex1:ev/terror");
    assert_eq!(opened.title.as_deref(), Some("The Great Terror"));
    assert!(opened.text.starts_with("*Event* — **1937-1938**"));
    // One word of a title only points at the event.
    let reply = ask(&app, "explain", "term", "Seventeenth");
    assert_eq!(reply.title.as_deref(), Some("Nothing found"));
    assert_eq!(reply.buttons[0].custom_id, "ex1:ev/seventeenth-congress");
    // Autocomplete offers the event; its title is too long to send back
    // whole, so the value is the id, which finds it exactly.
    let s = autocomplete(&app, None, "explain", "term", "congress of vic");
    assert_eq!(s[0].value, "seventeenth-congress");
    assert!(s[0].name.chars().count() <= 100);
    let reply = ask(&app, "explain", "term", &s[0].value);
    assert!(reply
        .title
        .unwrap()
        .starts_with("The Seventeenth Party Congress"));
}

#[test]
fn dates_rank_the_periods_own_events_first() {
    let app = events_app();
    // A month: its own five days, then the month itself, then ranges
    // around it, shortest first. All six of November fill the first page.
    let reply = ask(&app, "date", "when", "November 1938");
    assert_eq!(
        titles(&reply),
        [
            "**9 November 1938** — Blyukher dies in prison",
            "**17 November 1938** — A decree ends the mass operations",
            "**23 November 1938** — Yezhov asks to be relieved",
            "**25 November 1938** — Beria heads the NKVD",
            "**26 November 1938** — Order 00762 cancels the operations",
            "**November 1938** — Arrests slow down",
        ]
    );
    let next = press(&app, &reply.buttons[0].custom_id);
    assert_eq!(
        titles(&next),
        [
            "**August 1937 - November 1938** — The mass operations",
            "**1937-1938** — The Great Terror",
        ]
    );
    // A day: that day's event before the years around it.
    let reply = ask(&app, "date", "when", "30 July 1937");
    assert_eq!(
        titles(&reply),
        [
            "**30 July 1937** — Order 00447 is signed",
            "**1937-1938** — The Great Terror",
        ]
    );
    // A year: everything inside it by precision and date; 1937-38 after.
    let reply = ask(&app, "date", "when", "1937");
    assert_eq!(
        titles(&reply),
        [
            "**30 July 1937** — Order 00447 is signed",
            "**August 1937 - November 1938** — The mass operations",
            "**1937-1938** — The Great Terror",
        ]
    );
}
