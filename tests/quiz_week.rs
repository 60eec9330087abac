//! A week of a class, scripted through the handlers: several students answer
//! the daily and practice questions (right, wrong, twice, redelivered,
//! concurrently, across a restart), and the leaderboard and stats are
//! asserted exactly. Correct answers are read from the content, not typed in.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use studybot::config::Config;
use studybot::content::Answer;
use studybot::handlers;
use studybot::quiz;
use studybot::request::{Action, GuildId, InteractionId, Request, UserId};
use studybot::{App, Library, Reply};

const GUILD: GuildId = GuildId(10);

fn open_app(db: &Path) -> App {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quiz-pack.toml");
    let (library, _) = Library::load(&[fixture]).unwrap();
    let store = studybot::store::open(&db.display().to_string()).unwrap();
    App::new(Config::default(), library, store).unwrap()
}

fn day(n: i64) -> DateTime<Utc> {
    // Monday 23 November 2026, 09:00 UTC, plus n days.
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::days(n)
}

fn request(action: Action, user: u64, name: &str, interaction: u64, now: DateTime<Utc>) -> Request {
    Request {
        action,
        guild: Some(GUILD),
        channel: Some(studybot::request::ChannelId(99)),
        user: UserId(user),
        display_name: name.to_string(),
        teacher: false,
        roles: Vec::new(),
        interaction: InteractionId(interaction),
        now,
        attachment: None,
    }
}

fn command(
    app: &App,
    name: &str,
    options: &[(&str, &str)],
    user: u64,
    who: &str,
    interaction: u64,
    now: DateTime<Utc>,
) -> Reply {
    let action = Action::Command {
        name: name.into(),
        subcommands: vec![],
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    handlers::respond(app, &request(action, user, who, interaction, now))
}

fn press(
    app: &App,
    (custom_id, input): &(String, Option<String>),
    user: u64,
    who: &str,
    interaction: u64,
    now: DateTime<Utc>,
) -> Reply {
    let action = Action::Press {
        custom_id: custom_id.clone(),
        input: input.clone(),
    };
    handlers::respond(app, &request(action, user, who, interaction, now))
}

/// The right and a wrong way to answer the question a reply shows.
fn answers(app: &App, reply: &Reply) -> ((String, Option<String>), (String, Option<String>)) {
    let id = &reply.buttons[0].custom_id;
    let instance_id: i64 = id.split(':').nth(1).unwrap().parse().unwrap();
    let instance = app.store.instance(instance_id).unwrap().unwrap();
    let library = app.library();
    let (_, question) = quiz::find(&library.content, &instance.question).unwrap();
    let position = |index: usize| {
        instance
            .option_order
            .iter()
            .position(|&i| i == index)
            .unwrap()
    };
    let choice = |p: usize| (format!("q1:{instance_id}:{p}"), None);
    let typed = |t: String| (format!("qa1:{instance_id}"), Some(t));
    match &question.answer {
        Answer::MultipleChoice { correct, options } => {
            let wrong = (0..options.len()).find(|i| i != correct).unwrap();
            (choice(position(*correct)), choice(position(wrong)))
        }
        Answer::TrueFalse(b) => {
            let right = if *b { 0 } else { 1 };
            (choice(position(right)), choice(position(1 - right)))
        }
        Answer::Numeric {
            value, tolerance, ..
        } => (
            typed(quiz::format_number(*value)),
            typed(quiz::format_number(value + tolerance * 2.0 + 1000.0)),
        ),
        Answer::FreeText { answers, .. } => (typed(answers[0].clone()), typed("Zzyzx".into())),
    }
}

fn board_lines(reply: &Reply) -> Vec<String> {
    reply.text.lines().map(String::from).collect()
}

#[test]
fn a_week_of_a_class() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db");
    let mut interaction = 1000u64;
    let mut next = || {
        interaction += 1;
        interaction
    };

    // Day 1: Ada right, Ben wrong, Cy right; Ada presses again; Cy's press is redelivered.
    let app = open_app(&db);
    let daily = command(&app, "daily", &[], 1, "Ada", next(), day(0));
    assert!(!daily.ephemeral);
    assert_eq!(
        daily.footer.as_deref(),
        Some("0 answered, 0 correct · the answer is revealed with the next daily question")
    );
    let (right, wrong) = answers(&app, &daily);
    let ada = press(&app, &right, 1, "Ada", next(), day(0));
    assert_eq!(
        ada.title.as_deref(),
        Some("Correct! +20 points"),
        "{}",
        ada.text
    );
    assert!(ada.ephemeral);
    assert_eq!(ada.edits.len(), 1);
    assert_eq!(ada.edits[0].message, "daily:10:2026-11-23");
    assert!(ada.edits[0]
        .reply
        .footer
        .as_deref()
        .unwrap()
        .starts_with("1 answered, 1 correct"));
    let ben = press(&app, &wrong, 2, "Ben", next(), day(0));
    assert_eq!(ben.title.as_deref(), Some("Not quite"));
    let again = press(&app, &wrong, 1, "Ada", next(), day(0));
    assert_eq!(again.title.as_deref(), Some("Already answered"));
    assert!(again.edits.is_empty());
    let cy_interaction = next();
    let cy = press(&app, &right, 3, "Cy", cy_interaction, day(0));
    let cy_again = press(&app, &right, 3, "Cy", cy_interaction, day(0));
    assert_eq!(
        cy.title, cy_again.title,
        "a redelivered interaction gets the same reply"
    );
    assert_eq!(app.store.tally(1).unwrap().answered, 3);

    // Day 2: Ada right (streak 2: +2 bonus), Ben right; Cy's press on
    // yesterday's question is refused (it has closed).
    let daily2 = command(&app, "daily", &[], 2, "Ben", next(), day(1));
    assert!(daily2
        .fields
        .iter()
        .any(|f| f.name == "Yesterday's answer" && f.value.contains("(2 of 3 answered correctly")));
    let (right2, _) = answers(&app, &daily2);
    assert_eq!(
        press(&app, &right2, 1, "Ada", next(), day(1))
            .title
            .as_deref(),
        Some("Correct! +22 points")
    );
    assert_eq!(
        press(&app, &right2, 2, "Ben", next(), day(1))
            .title
            .as_deref(),
        Some("Correct! +20 points")
    );
    let late = press(&app, &right, 3, "Cy", next(), day(1));
    assert!(
        late.ephemeral && late.text.starts_with("This daily question has closed."),
        "{}",
        late.text
    );
    drop(app);

    // Restart: a new process opens the same file. The daily question of day 2
    // is the same, and presses on it still score.
    let app = open_app(&db);
    let daily2_again = command(
        &app,
        "daily",
        &[],
        3,
        "Cy",
        next(),
        day(1) + Duration::hours(3),
    );
    assert_eq!(daily2_again.text, daily2.text);
    assert_eq!(
        daily2_again.footer.as_deref().unwrap().split(" ·").next(),
        Some("2 answered, 2 correct")
    );
    assert_eq!(
        press(&app, &right2, 3, "Cy", next(), day(1) + Duration::hours(3))
            .title
            .as_deref(),
        Some("Correct! +22 points")
    );

    // Day 3: Ada right (streak 3: +4), Cy right (streak 3: +4), Ben wrong.
    let daily3 = command(&app, "daily", &[], 1, "Ada", next(), day(2));
    let (right3, wrong3) = answers(&app, &daily3);
    assert_eq!(
        press(&app, &right3, 1, "Ada", next(), day(2))
            .title
            .as_deref(),
        Some("Correct! +24 points")
    );
    assert_eq!(
        press(&app, &right3, 3, "Cy", next(), day(2))
            .title
            .as_deref(),
        Some("Correct! +24 points")
    );
    press(&app, &wrong3, 2, "Ben", next(), day(2));

    // Practice: Ben gets one right; it counts for his stats, not the board.
    let practice = command(&app, "quiz", &[], 2, "Ben", next(), day(2));
    assert!(practice.ephemeral);
    let (p_right, _) = answers(&app, &practice);
    assert!(press(&app, &p_right, 2, "Ben", next(), day(2))
        .title
        .unwrap()
        .starts_with("Correct!"));
    let stolen = press(&app, &p_right, 1, "Ada", next(), day(2));
    assert!(stolen.text.contains("belongs to someone else"));

    // Every question so far was different (the pool is not exhausted).
    let history = app.store.daily_history(GUILD).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(
        history
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3
    );

    let board = command(&app, "leaderboard", &[], 2, "Ben", next(), day(2));
    assert_eq!(
        board_lines(&board),
        [
            // A tie on points and answers: the lower user id ranks first.
            "**1.** **Ada** — 66 points (3 of 3 correct)",
            "**2.** **Cy** — 66 points (3 of 3 correct)",
            "**3.** **Ben** — 20 points (1 of 3 correct)",
        ]
    );
    let week = command(
        &app,
        "leaderboard",
        &[("period", "week")],
        2,
        "Ben",
        next(),
        day(2),
    );
    assert_eq!(
        board_lines(&week),
        board_lines(&board),
        "all three days are in ISO week 48"
    );
    let next_week = command(
        &app,
        "leaderboard",
        &[("period", "week")],
        2,
        "Ben",
        next(),
        day(7),
    );
    assert!(next_week.text.starts_with("Nobody has scored yet"));
    let season = command(
        &app,
        "leaderboard",
        &[("period", "season")],
        2,
        "Ben",
        next(),
        day(2),
    );
    assert!(season.ephemeral && season.text.contains("No season is running"));

    let ada_stats = command(&app, "stats", &[], 1, "Ada", next(), day(2));
    assert_eq!(ada_stats.text, "3 answered, 3 correct (100% accuracy).");
    assert!(ada_stats
        .fields
        .iter()
        .any(|f| f.name == "Daily streak" && f.value == "current 3 day(s), best 3 day(s)"));
    assert!(ada_stats
        .fields
        .iter()
        .any(|f| f.name == "Class leaderboard" && f.value == "66 points, rank 1 of 3"));
    let ben_stats = command(&app, "stats", &[("user", "2")], 1, "Ada", next(), day(2));
    assert_eq!(
        ben_stats.text, "4 answered, 2 correct (50% accuracy).",
        "practice counts in personal stats"
    );
    // On day 4, before answering, Cy's streak of 3 still stands; on day 5 it has lapsed.
    let cy_stats = command(
        &app,
        "stats",
        &[],
        3,
        "Cy",
        next(),
        day(3) + Duration::hours(1),
    );
    assert!(
        cy_stats
            .fields
            .iter()
            .any(|f| f.value == "current 3 day(s), best 3 day(s)"),
        "{:?}",
        cy_stats.fields
    );
    let cy_later = command(&app, "stats", &[], 3, "Cy", next(), day(4));
    assert!(
        cy_later
            .fields
            .iter()
            .any(|f| f.value == "current 0 day(s), best 3 day(s)"),
        "{:?}",
        cy_later.fields
    );
}

#[test]
fn many_students_answer_at_once_and_each_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(open_app(&dir.path().join("busy.db")));
    let daily = command(&app, "daily", &[], 1, "Teacher", 1, day(0));
    let (right, wrong) = answers(&app, &daily);
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let (app, right, wrong) = (app.clone(), right.clone(), wrong.clone());
            std::thread::spawn(move || {
                for i in 0..25u64 {
                    let user = 100 + t * 25 + i;
                    let answer = if user.is_multiple_of(3) {
                        &wrong
                    } else {
                        &right
                    };
                    // Each press is delivered twice, as Discord sometimes does.
                    for _ in 0..2 {
                        let reply = press(
                            &app,
                            answer,
                            user,
                            &format!("s{user}"),
                            10_000 + user,
                            day(0),
                        );
                        assert!(reply.title.is_some(), "{}", reply.text);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let tally = app.store.tally(1).unwrap();
    let wrong_count = (100..300u64).filter(|u| u.is_multiple_of(3)).count() as u64;
    assert_eq!(tally.answered, 200);
    assert_eq!(tally.correct, 200 - wrong_count);
    let board = app.store.leaderboard(GUILD, "all", 10, UserId(1)).unwrap();
    assert_eq!(board.players, 200);
    assert!(board.top.iter().all(|s| s.points == 20 && s.answered == 1));
}
