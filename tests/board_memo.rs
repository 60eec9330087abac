//! The leaderboard kept in memory (`studybot::memo`) is never stale: with
//! the board warm (the same request answered from memory, as the Discord
//! edge answers it), each write that changes the board (an answer, a
//! `/score accept`, a season ended and another started, a student removed,
//! a new display name) shows at once in the top and in the caller's own
//! rank. The database is a file, as in production (reader connections, the
//! checkpointer); what the edge does is `handlers::from_memory`, else the
//! handler.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::command;
use std::path::PathBuf;
use studybot::config::Config;
use studybot::handlers::{self, Prepared};
use studybot::request::{Action, GuildId, Request, UserId};
use studybot::{App, Library, Reply};

const CLASS: u64 = 10;
const TEACHER: u64 = 1;
const STUDENT: u64 = 5;
/// Rivals 101..=120 on the board before the student, rival `k` (user
/// `100 + k`) on `10 k + 5` points: the student stays below the top 10.
const RIVALS: u64 = 20;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).unwrap()
}

fn request(when: DateTime<Utc>, user: u64, name: &str, action: Action) -> Request {
    let mut request = common::request_at(when, Some(CLASS), user, user == TEACHER, action);
    request.display_name = name.to_string();
    request
}

/// What the Discord edge answers: the kept reply when there is one, else
/// the handler's.
fn edge(app: &App, request: &Request) -> Reply {
    handlers::from_memory(app, &Prepared::new(request.clone()))
        .unwrap_or_else(|| handlers::respond(app, request))
}

/// The student's `/leaderboard`, as the edge answers it.
fn board(app: &App, options: &[(&str, &str)]) -> Reply {
    edge(
        app,
        &request(
            day(23),
            STUDENT,
            "Stu",
            command("leaderboard", &[], options),
        ),
    )
}

/// Asks the student's board until it is kept (the first ask after a write
/// may itself write: the student's name, seen for the first time), then
/// checks that the edge's answer comes from memory and is the same board.
/// Returns the board.
fn warm(app: &App, options: &[(&str, &str)]) -> Reply {
    let first = board(app, options);
    assert_eq!(board(app, options), first);
    let asked = request(
        day(23),
        STUDENT,
        "Stu",
        command("leaderboard", &[], options),
    );
    assert_eq!(
        handlers::from_memory(app, &Prepared::new(asked)).as_ref(),
        Some(&first),
        "the board is kept warm"
    );
    first
}

/// The board after a write: not served from memory, and what it shows.
fn after_write(app: &App, options: &[(&str, &str)]) -> Reply {
    let asked = request(
        day(23),
        STUDENT,
        "Stu",
        command("leaderboard", &[], options),
    );
    assert_eq!(
        handlers::from_memory(app, &Prepared::new(asked)),
        None,
        "a write makes the kept board stale"
    );
    board(app, options)
}

fn lines(reply: &Reply) -> Vec<&str> {
    reply.text.lines().collect()
}

fn rival_line(rank: u64, k: u64, name: &str) -> String {
    format!(
        "**{rank}.** **{name}** — {} points (1 of 1 correct)",
        10 * k + 5
    )
}

/// The student's own line, below the top 10.
fn own_line(rank: u64, points: i64, correct: u64, answered: u64) -> String {
    format!("**{rank}.** **Stu** — {points} points ({correct} of {answered} correct) (you)")
}

/// Rank of the student on `points` with `answered` answers among the
/// rivals still on the board (ties: fewer answers first; rivals have one).
fn rank_among(rivals: &[u64], points: i64, answered: u64) -> u64 {
    let ahead = rivals
        .iter()
        .filter(|&&k| {
            let theirs = 10 * k as i64 + 5;
            theirs > points || (theirs == points && answered > 1)
        })
        .count();
    ahead as u64 + 1
}

fn seed_rivals(app: &App) {
    let instance = app
        .store
        .create_instance(&studybot::store::NewInstance {
            kind: studybot::store::InstanceKind::Daily,
            guild: Some(GuildId(CLASS)),
            owner: None,
            day: Some(day(1).date_naive()),
            class: 0,
            question: "quizmini/mc-1".into(),
            option_order: vec![0, 1, 2, 3],
            created_at: day(1),
        })
        .unwrap();
    for k in 1..=RIVALS {
        app.store
            .record_answer(&studybot::store::NewAnswer {
                instance: instance.id,
                guild: Some(GuildId(CLASS)),
                user: UserId(100 + k),
                interaction: studybot::request::InteractionId(9_000 + k),
                question: "quizmini/mc-1".into(),
                answer: "x".into(),
                correct: true,
                points: 10 * k as i64 + 5,
                at: day(1),
                periods: vec!["all".into()],
                streak: None,
                display_name: Some(format!("Rival {k}")),
                review: None,
            })
            .unwrap();
    }
}

/// Opens the daily question of `when` as the student (a write: its
/// instance) and returns the press that answers it rightly or wrongly.
fn daily_answer(app: &App, when: DateTime<Utc>, right: bool) -> Action {
    let daily = handlers::respond(
        app,
        &request(when, STUDENT, "Stu", command("daily", &[], &[])),
    );
    let instance = app
        .store
        .daily_instance(GuildId(CLASS), when.date_naive())
        .unwrap()
        .unwrap();
    let library = app.library();
    let (_, q) = studybot::quiz::find(&library.content, &instance.question).unwrap();
    let expected = studybot::quiz::correct_answer(q);
    let is_right = |label: &str| label == expected || label.ends_with(&expected);
    match daily
        .buttons
        .iter()
        .find(|b| b.custom_id.starts_with("q1:") && is_right(&b.label) == right)
    {
        Some(b) => Action::Press {
            custom_id: b.custom_id.clone(),
            input: None,
        },
        None => Action::Press {
            custom_id: daily
                .buttons
                .iter()
                .find(|b| b.opens_input)
                .unwrap()
                .custom_id
                .clone(),
            input: Some(match (&q.answer, right) {
                (_, false) => "999999 nothing like it".into(),
                (studybot::content::Answer::Numeric { value, .. }, true) => value.to_string(),
                (_, true) => expected.clone(),
            }),
        },
    }
}

/// Presses an answer as the student; returns the points it gave.
fn press_answer(app: &App, when: DateTime<Utc>, action: Action) -> i64 {
    let reply = handlers::respond(app, &request(when, STUDENT, "Stu", action));
    let title = reply.title.clone().unwrap_or_default();
    match title.strip_prefix("Correct! +") {
        Some(rest) => rest.trim_end_matches(" points").parse().unwrap(),
        None => {
            assert_eq!(title, "Not quite", "{}", reply.text);
            0
        }
    }
}

fn teacher(app: &App, when: DateTime<Utc>, action: Action) -> Reply {
    handlers::respond(app, &request(when, TEACHER, "Teacher", action))
}

/// The quiz pack's class on a database file, its rivals seeded (the
/// folder holds the file for as long as the test keeps it).
fn class_with_rivals() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    let store = studybot::store::open(db.to_str().unwrap()).unwrap();
    let app = App::new(Config::default(), library, store).unwrap();
    seed_rivals(&app);
    (dir, app)
}

fn press(custom_id: &str) -> Action {
    Action::Press {
        custom_id: custom_id.into(),
        input: None,
    }
}

#[test]
fn the_kept_board_shows_every_write_at_once() {
    let (_dir, app) = class_with_rivals();
    let mut rivals: Vec<u64> = (1..=RIVALS).collect();

    let wrong = daily_answer(&app, day(23), false);
    let before = warm(&app, &[]);
    assert_eq!(lines(&before)[0], rival_line(1, 20, "Rival 20"));
    assert_eq!(
        lines(&before).last().copied(),
        Some("You are not on this board yet.")
    );

    // An answer (marked wrong): the student is on the board, last.
    assert_eq!(press_answer(&app, day(23), wrong), 0);
    let board = after_write(&app, &[]);
    assert_eq!(
        lines(&board).last().copied(),
        Some(own_line(21, 0, 0, 1).as_str())
    );
    assert_eq!(board.footer.as_deref(), Some("21 students have scored"));
    warm(&app, &[]);

    // /score accept: the wrong mark counts as right, +20 points.
    let listed = teacher(
        &app,
        day(23),
        command("score", &["accept"], &[("user", "5")]),
    );
    warm(&app, &[]);
    let accepted = teacher(&app, day(23), press(&listed.buttons[0].custom_id));
    assert_eq!(
        accepted.title.as_deref(),
        Some("Answer accepted"),
        "{}",
        accepted.text
    );
    let mut points = 20;
    let board = after_write(&app, &[]);
    assert_eq!(
        lines(&board).last().copied(),
        Some(own_line(rank_among(&rivals, points, 1), points, 1, 1).as_str())
    );
    assert_eq!(rank_among(&rivals, points, 1), 20, "past Rival 1's 15");
    warm(&app, &[]);

    // A right answer the next day.
    let right = daily_answer(&app, day(24), true);
    warm(&app, &[]);
    let gained = press_answer(&app, day(24), right);
    assert!(gained >= 20, "{gained}");
    points += gained;
    let board = after_write(&app, &[]);
    let rank = rank_among(&rivals, points, 2);
    assert!(rank > 10, "still below the top 10: {rank}");
    assert_eq!(
        lines(&board).last().copied(),
        Some(own_line(rank, points, 2, 2).as_str())
    );
    warm(&app, &[]);

    // A student removed (`/student remove`): the leader goes, everyone
    // below moves up.
    let removed = teacher(
        &app,
        day(24),
        command("student", &["remove"], &[("user", "<@120>")]),
    );
    assert_eq!(removed.title.as_deref(), Some("Student removed"));
    rivals.retain(|&k| k != 20);
    let board = after_write(&app, &[]);
    assert_eq!(lines(&board)[0], rival_line(1, 19, "Rival 19"));
    assert_eq!(
        lines(&board).last().copied(),
        Some(own_line(rank - 1, points, 2, 2).as_str())
    );
    assert_eq!(board.footer.as_deref(), Some("20 students have scored"));
    warm(&app, &[]);

    // A new display name, seen when the leader asks for anything: the
    // student's kept board shows it.
    let leader = handlers::respond(
        &app,
        &request(day(24), 119, "Nineteen", command("stats", &[], &[])),
    );
    assert!(!leader.text.is_empty());
    let board = after_write(&app, &[]);
    assert_eq!(lines(&board)[0], rival_line(1, 19, "Nineteen"));
    warm(&app, &[]);

    // A season: started, the student scores in it, its board is kept;
    // ended and another started, the season board is the new one's.
    let season = [("period", "season")];
    let started = teacher(
        &app,
        day(25),
        command("season", &["start"], &[("name", "Autumn")]),
    );
    assert_eq!(started.title.as_deref(), Some("New season"));
    let right = daily_answer(&app, day(25), true);
    let gained = press_answer(&app, day(25), right);
    let autumn = warm(&app, &season);
    assert_eq!(
        autumn.title.as_deref(),
        Some("Leaderboard: season \"Autumn\"")
    );
    assert_eq!(
        lines(&autumn)[0],
        format!("**1.** **Stu** — {gained} points (1 of 1 correct)")
    );
    let confirm = teacher(&app, day(26), command("season", &["end"], &[]));
    let ended = teacher(&app, day(26), press(&confirm.buttons[0].custom_id));
    assert!(
        ended.title.as_deref().unwrap().contains("has ended"),
        "{:?}",
        ended.title
    );
    teacher(
        &app,
        day(26),
        command("season", &["start"], &[("name", "Winter")]),
    );
    let winter = after_write(&app, &season);
    assert_eq!(
        winter.title.as_deref(),
        Some("Leaderboard: season \"Winter\"")
    );
    assert_eq!(
        winter.text,
        "Nobody has scored yet. Answer the daily question to get on the board!"
    );
    // The all-time board kept counting throughout.
    let all = self::board(&app, &[]);
    points += gained;
    assert_eq!(
        lines(&all).last().copied(),
        Some(own_line(rank_among(&rivals, points, 3), points, 3, 3).as_str())
    );
}

#[test]
fn a_week_board_and_a_picture_are_never_kept() {
    let (_dir, app) = class_with_rivals();
    for options in [&[("period", "week")][..], &[("picture", "true")][..]] {
        board(&app, options);
        let asked = request(
            day(23),
            STUDENT,
            "Stu",
            command("leaderboard", &[], options),
        );
        assert_eq!(
            handlers::from_memory(&app, &Prepared::new(asked)),
            None,
            "{options:?}"
        );
    }
    // While the all-time board is.
    warm(&app, &[]);
}
