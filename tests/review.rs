//! Personal spaced review through the handlers, with an injected time: a
//! missed question comes back soon, a right answer sends it further away,
//! and `/stats` counts what is due.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use studybot::config::Config;
use studybot::handlers;
use studybot::request::{Action, GuildId, InteractionId, Request, UserId};
use studybot::{App, Library, Reply};

/// The quiz fixture with its multiple-choice questions only, so the
/// question served is a choice question.
fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let path = common::quiz_pack_with(dir.path(), &["multiple_choice"]);
    let (library, _) = Library::load(&[path]).unwrap();
    App::in_memory(Config::default(), library).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ask(app: &App, action: Action, interaction: u64, now: DateTime<Utc>) -> Reply {
    let request = Request {
        action,
        guild: Some(GuildId(10)),
        channel: None,
        user: UserId(7),
        display_name: "Ada".into(),
        teacher: false,
        roles: Vec::new(),
        interaction: InteractionId(interaction),
        now,
        attachment: None,
    };
    handlers::respond(app, &request)
}

fn command(name: &str, options: &[(&str, &str)]) -> Action {
    Action::Command {
        name: name.into(),
        subcommands: Vec::new(),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Answers a choice question's reply, right or wrong, worked out from the
/// stored instance.
fn answer(app: &App, reply: &Reply, right: bool, interaction: u64, now: DateTime<Utc>) -> Reply {
    let id = &reply.buttons[0].custom_id;
    let instance: i64 = id.split(':').nth(1).unwrap().parse().unwrap();
    let stored = app.store.instance(instance).unwrap().unwrap();
    let library = app.library();
    let (pack, question) = studybot::quiz::find(&library.content, &stored.question).unwrap();
    let position = stored
        .option_order
        .iter()
        .position(|&i| studybot::quiz::is_correct(pack, question, Some(i), None) == right)
        .unwrap();
    let press = Action::Press {
        custom_id: format!("q1:{instance}:{position}"),
        input: None,
    };
    ask(app, press, interaction, now)
}

#[test]
fn a_missed_question_comes_back_soon_and_a_right_one_goes_further_away() {
    let app = app();
    let empty = ask(&app, command("review", &[]), 1, t0());
    assert!(
        empty.text.starts_with("Nothing to review yet"),
        "{}",
        empty.text
    );

    // A practice question on the NKVD, missed.
    let practice = ask(
        &app,
        command("quiz", &[("tag", "nkvd"), ("difficulty", "medium")]),
        2,
        t0(),
    );
    assert!(
        practice.buttons.len() > 1,
        "a choice question: {practice:?}"
    );
    let missed = answer(&app, &practice, false, 3, t0());
    assert_eq!(missed.title.as_deref(), Some("Not quite"));

    // Not due at once; due within the hour, with the same question.
    let soon = ask(&app, command("review", &[]), 4, t0());
    assert!(
        soon.text
            .starts_with("Nothing is due right now. Your next review is <t:"),
        "{}",
        soon.text
    );
    let later = t0() + Duration::hours(1);
    let review = ask(&app, command("review", &[]), 5, later);
    assert_eq!(review.title.as_deref(), Some("Review (medium)"));
    assert_eq!(review.text, practice.text, "the missed question comes back");
    assert_eq!(review.footer.as_deref(), Some("1 question due for review"));
    assert!(review.ephemeral);
    let stats = ask(&app, command("stats", &[]), 6, later);
    let due = stats.fields.iter().find(|f| f.name == "Review").unwrap();
    assert_eq!(due.value, "1 question due (/review)");

    // Right this time: the next review is days away.
    let right = answer(&app, &review, true, 7, later);
    assert!(
        right.title.as_deref().unwrap().starts_with("Correct!"),
        "{right:?}"
    );
    let card = app.store.next_review(UserId(7), None).unwrap().unwrap();
    assert!(card.due - later >= Duration::days(1), "{card:?}");
    let none = ask(&app, command("review", &[]), 8, later + Duration::hours(2));
    assert_eq!(
        none.text,
        format!(
            "Nothing is due right now. Your next review is <t:{}:R>.",
            card.due.timestamp()
        )
    );
    let stats = ask(&app, command("stats", &[]), 9, later + Duration::hours(2));
    let due = stats.fields.iter().find(|f| f.name == "Review").unwrap();
    assert_eq!(due.value, "0 questions due (/review)");
    // When it is due, it is served again.
    let again = ask(
        &app,
        command("review", &[]),
        10,
        card.due + Duration::minutes(1),
    );
    assert_eq!(again.text, practice.text);
}

#[test]
fn a_question_disabled_in_the_server_is_not_served_for_review_there() {
    let app = app();
    let practice = ask(&app, command("quiz", &[("tag", "nkvd")]), 1, t0());
    answer(&app, &practice, false, 2, t0());
    let later = t0() + Duration::hours(1);
    let question = app
        .store
        .next_review(UserId(7), None)
        .unwrap()
        .unwrap()
        .question;
    app.store
        .disable_question(GuildId(10), &question, UserId(1), t0())
        .unwrap();
    let review = ask(&app, command("review", &[]), 3, later);
    assert!(
        review.text.starts_with("Nothing to review yet"),
        "{}",
        review.text
    );
    // Elsewhere (another server, or DMs) it is still the student's to revise.
    assert_eq!(
        app.store
            .next_review(UserId(7), Some(GuildId(11)))
            .unwrap()
            .unwrap()
            .question,
        question
    );
}
