//! What a student or teacher reads, checked as they read it (issue #20, 12):
//! counts in the singular, names that cannot pass for scores, stats that do
//! not call one topic both strongest and weakest, no medal for 0 points,
//! messages that fit what was asked.

mod common;
use chrono::{DateTime, TimeZone, Utc};
use common::{command, quiz_pack_with, request_at};
use studybot::config::Config;
use studybot::handlers;
use studybot::request::Action;
use studybot::{App, Library, Reply};

const GUILD: u64 = 10;

fn app(kinds: &[&str]) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pack = quiz_pack_with(dir.path(), kinds);
    let (library, _) = Library::load(&[pack]).unwrap();
    (App::in_memory(Config::default(), library).unwrap(), dir)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ask(app: &App, user: u64, name: &str, action: Action) -> Reply {
    let mut request = request_at(now(), Some(GUILD), user, false, action);
    request.display_name = name.into();
    handlers::respond(app, &request)
}

fn press(id: &str) -> Action {
    Action::Press {
        custom_id: id.into(),
        input: None,
    }
}

/// The display position of the right (or a wrong) option of the stored
/// question `key` shown in `order`.
fn position_of(app: &App, key: &str, order: &[usize], right: bool) -> usize {
    let library = app.library();
    let (pack, question) = studybot::quiz::find(&library.content, key).unwrap();
    order
        .iter()
        .position(|&i| studybot::quiz::is_correct(pack, question, Some(i), None) == right)
        .unwrap()
}

/// Answers the daily question with its right (or a wrong) button.
fn answer_daily(app: &App, user: u64, name: &str, right: bool) -> Reply {
    let daily = ask(app, user, name, command("daily", &[], &[]));
    let instance = app
        .store
        .instance(1)
        .unwrap()
        .expect("the daily question is instance 1");
    let position = position_of(app, &instance.question, &instance.option_order, right);
    assert!(daily.buttons.len() >= 2);
    ask(app, user, name, press(&format!("q1:1:{position}")))
}

#[test]
fn a_leaderboard_of_one_says_student_and_sets_names_off_from_scores() {
    let (app, _dir) = app(&["multiple_choice"]);
    answer_daily(&app, 5, "Bob — 9999 points", true);
    let board = ask(&app, 6, "Ann", command("leaderboard", &[], &[]));
    assert_eq!(board.footer.as_deref(), Some("1 student has scored"));
    let first = board.text.lines().next().unwrap();
    assert!(
        first.starts_with("**1.** **Bob — 9999 points** — 20 points"),
        "{first}"
    );
}

#[test]
fn stats_without_a_name_and_with_only_wrong_answers_read_right() {
    let (app, _dir) = app(&["multiple_choice"]);
    let none = ask(&app, 5, "", command("stats", &[], &[]));
    assert_eq!(none.title.as_deref(), Some("Your stats"));
    assert_eq!(none.text, "You have not answered any questions here yet.");
    // Four practice questions, all wrong: no topic is anyone's strongest.
    for n in 0..4 {
        let practice = ask(&app, 5, "", command("quiz", &[], &[]));
        let id = practice
            .buttons
            .iter()
            .find(|b| b.custom_id.starts_with("q1:"))
            .unwrap()
            .custom_id
            .clone();
        let instance: i64 = id.split(':').nth(1).unwrap().parse().unwrap();
        let stored = app.store.instance(instance).unwrap().unwrap();
        let wrong = position_of(&app, &stored.question, &stored.option_order, false);
        let reply = ask(&app, 5, "", press(&format!("q1:{instance}:{wrong}")));
        assert!(reply.title.is_some(), "answer {n}: {}", reply.text);
    }
    let stats = ask(&app, 5, "", command("stats", &[], &[]));
    assert_eq!(stats.title.as_deref(), Some("Your stats"));
    let field = |name: &str| stats.fields.iter().find(|f| f.name == name);
    assert!(field("Strongest topics").is_none(), "{stats:?}");
    let weakest = field("Weakest topics").expect("weakest topics");
    assert!(weakest.value.contains("(0% of"), "{}", weakest.value);
}

#[test]
fn a_competition_nobody_scored_in_has_no_medals() {
    let (app, _dir) = app(&["multiple_choice"]);
    let start = |action| {
        let mut r = request_at(now(), Some(GUILD), 5, false, action);
        r.display_name = "Bob".into();
        handlers::respond(&app, &r)
    };
    start(command(
        "competition",
        &["start"],
        &[("rounds", "1"), ("seconds", "20")],
    ));
    let id = app
        .store
        .running_competition_in(GUILD * 100)
        .unwrap()
        .unwrap()
        .id;
    handlers::competition::advance(&app, id, now()).unwrap();
    let stored = app.store.competition(id).unwrap().unwrap();
    let round = stored.round(1).unwrap();
    let wrong = position_of(&app, &round.question, &round.option_order, false);
    let mut r = request_at(
        now() + chrono::Duration::seconds(2),
        Some(GUILD),
        6,
        false,
        press(&format!("cq1:{id}:1:{wrong}")),
    );
    r.display_name = "Ann".into();
    handlers::respond(&app, &r);
    let end = now() + chrono::Duration::seconds(30);
    let mut titles = Vec::new();
    for step in [end, end + chrono::Duration::seconds(30)] {
        for post in handlers::competition::advance(&app, id, step)
            .unwrap()
            .posts
        {
            titles.push((post.reply.title.clone(), post.reply.text.clone()));
        }
    }
    let podium = titles
        .iter()
        .find(|(t, _)| t.as_deref() == Some("Competition over: the podium"))
        .expect("a podium post");
    assert_eq!(
        podium.1,
        "Nobody scored a point, so there is no podium this time."
    );
    assert!(!podium.1.contains('🥇'));
}

#[test]
fn refusals_and_lookups_say_what_fits_the_question() {
    let (app, _dir) = app(&["multiple_choice"]);
    let show = ask(&app, 5, "Ann", command("settings", &["show"], &[]));
    assert_eq!(
        show.text,
        "Only teachers can see studybot's settings (Manage Server, or the teacher role)."
    );
    // Suggested tags are tags the loaded content has, nearest first.
    let tag = ask(&app, 5, "Ann", command("quiz", &[], &[("tag", "nkvdd")]));
    assert!(
        tag.text
            .starts_with("No questions match the tag \"nkvdd\". Try one of these tags: `nkvd`"),
        "{}",
        tag.text
    );
    let library = app.library();
    let known: Vec<&String> = library
        .content
        .packs
        .iter()
        .flat_map(|p| p.questions.iter().flat_map(|q| q.tags.iter()))
        .collect();
    for suggested in tag.text.split('`').skip(1).step_by(2) {
        assert!(known.iter().any(|k| *k == suggested), "{suggested}");
    }
    // The ISO form of an impossible day gets the specific answer.
    for typed in ["1937-02-31", "31 February 1937"] {
        let date = ask(&app, 5, "Ann", command("date", &[], &[("when", typed)]));
        assert!(
            date.text
                .contains("31 February 1937 does not exist (February 1937 has 28 days)"),
            "{typed}: {}",
            date.text
        );
    }
    let empty_day = ask(
        &app,
        5,
        "Ann",
        command("date", &[], &[("when", "4 December 2026")]),
    );
    assert!(
        empty_day
            .text
            .starts_with("Nothing in studybot's timeline happened on 4 December 2026."),
        "{}",
        empty_day.text
    );
}
